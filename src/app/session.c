/* One customer's wizard session: opens the customer's state and the
 * backends, turns the wizard's requests into operations of the ESP and the
 * DNS source (and their outcomes back into the wizard), and saves.  The
 * event loop (core/loop.c) waits on the terminal, the DNS source and the
 * ESP; the demo presenter lives in demo.c, the export dialog's I/O in
 * export_io.c, the making of the backends in esp_make.c. */
#include "app/session.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/dcoffer.h"
#include "app/demo.h"
#include "app/esp_make.h"
#include "app/events.h"
#include "app/export_io.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/loop.h"
#include "core/state.h"
#include "core/text.h"
#include "dns/engine.h"
#include "ui.h"

#define SESSION_SAVE_DEBOUNCE_MS  500  /* typing is saved at most twice a second */
#define SESSION_TAKE_OVER_WAIT_MS 3000 /* an earlier SSH session's time to save and leave */
/* A check that found what the last one did changes only the count of checks
 * (w->dirty stays false): not worth a write of its own, it is saved with
 * the next save, or at the latest this long after the last one. */
#define SESSION_SAVE_COUNT_MS 60000

struct session {
	struct wizard w;
	const struct config *cfg;
	struct esp *esp;
	struct dns_source *dns;
	struct state_handle *state;
	struct loop loop;		  /* the terminal, the DNS source, the ESP */
	struct expected_record dmarc;	  /* option 2: the record asked for REQ_DMARC_CHECK */
	char dmarc_org[DOMAIN_ASCII_MAX]; /* asked second: the organizational domain, "" first */
	char dmarc_for[DOMAIN_ASCII_MAX]; /* the address's domain REQ_DMARC_CHECK is for */
	int64_t dirty_since_ms;		  /* when unsaved changes began, 0 when saved */
	enum wizard_step saved_step;
	int saved_checks; /* w.checks as last saved */
	int64_t saved_ms; /* when last saved (monotonic) */
	bool quit;
	bool resumed;	       /* the state was loaded, not started fresh */
	struct export_io xio;  /* the export dialog's I/O */
	struct demo demo;      /* --demo: the presenter */
	struct dcoffer *dc;    /* Domain Connect's one-click offer, NULL: none */
	int64_t term_deadline; /* the terminal source's next wake, 0: none */
	bool keys_pending;     /* curses may hold keys already read */
	struct ui_view view;   /* what the screen shows besides the model */
	const struct session_options *opt;
	bool remote;	     /* over SSH: files would land on the server */
	int64_t last_key_ms; /* when the customer last typed (idle timeout) */
	bool idle;	     /* ended for want of keys */
};

static volatile sig_atomic_t session_signal; /* SIGHUP/SIGTERM: save and leave */

static void session_on_signal(int sig)
{
	session_signal = sig;
}

static void session_save(struct session *s)
{
	char msg[512];
	if (state_save(s->state, &s->w, msg, sizeof msg) != BH_OK) {
		s->w.notice_kind = NOTICE_ERROR;
		str_copy(s->w.notice, sizeof s->w.notice, msg);
		return;
	}
	s->w.dirty = false;
	s->dirty_since_ms = 0;
	s->saved_step = s->w.step;
	s->saved_checks = s->w.checks;
	s->saved_ms = clock_now_ms();
}

/* Saves at once on a step change, otherwise after a short quiet time; a
 * count of checks alone after SESSION_SAVE_COUNT_MS. */
static void session_maybe_save(struct session *s, int64_t now)
{
	if (!s->w.dirty) {
		if (s->w.checks != s->saved_checks && now - s->saved_ms >= SESSION_SAVE_COUNT_MS)
			session_save(s);
		return;
	}
	if (!s->dirty_since_ms)
		s->dirty_since_ms = now;
	if (s->w.step != s->saved_step) {
		s->w.step_since_ms = clock_wall_ms(); /* behalf list: age in step */
		session_save(s);
	} else if (now - s->dirty_since_ms >= SESSION_SAVE_DEBOUNCE_MS) {
		session_save(s);
	}
}

static void session_audit(struct session *s, const char *event, const char *detail)
{
	state_audit(s->state, event, detail);
}

/* The wizard reached a milestone: the event is in the outbox (written and
 * fsynced) before the wizard goes on, so a crash never loses it. */
static void session_milestone(void *ctx, const struct wizard *w, enum milestone m,
			      const char *subject)
{
	struct session *s = ctx;
	char msg[512];
	json_t *data = events_wizard_data(w, m, subject);
	if (w->cfg.demo)
		json_object_set_new(data, "demo", json_true());
	if (events_append_at(s->cfg->state_dir, w->cfg.customer_id, m, subject, data,
			     w->milestones_ms[m], NULL, msg, sizeof msg) != BH_OK)
		session_audit(s, "event-not-written", msg);
}

/* The key of this SSH connection was bound by a code (before the
 * wizard): key.enrolled, with the fingerprint, the client's address and
 * who redeemed the code, and the milestone's time in the state. */
static void session_enrolled(struct session *s, const struct session_enrolled *e)
{
	char msg[512];
	json_t *data = json_pack("{s:s, s:s, s:s}", "fingerprint", e->fingerprint, "from", e->from,
				 "via", e->via);
	s->w.milestones_ms[MILESTONE_KEY_ENROLLED] = e->ms;
	s->w.dirty = true;
	if (events_append_at(s->cfg->state_dir, s->w.cfg.customer_id, MILESTONE_KEY_ENROLLED,
			     e->fingerprint, data, e->ms, NULL, msg, sizeof msg) != BH_OK)
		session_audit(s, "event-not-written", msg);
}

/* What Domain Connect discovery found, in the audit log (support asks
 * "why no one-click?"). */
static void session_dc_log(void *ctx, const char *event, const char *detail)
{
	session_audit(ctx, event, detail);
}

/* The wizard's milestones go to the outbox. */
static void session_listen(struct session *s)
{
	s->w.cfg.milestone = session_milestone;
	s->w.cfg.milestone_ctx = s;
}

/* ---- ESP and DNS outcomes ---------------------------------------------- */

static void session_esp_error(struct session *s, enum wizard_request req, enum bh_err err,
			      const struct esp_reply *reply)
{
	/* The ESP's trouble (not an objection) is retried, not sent back to
	 * the field: the backend knows its own codes. */
	err = esp_error_kind(s->esp, err, reply);
	wizard_on_error(&s->w, req, err, reply && reply->message[0] ? reply->message : NULL,
			clock_now_ms());
}

/* A reply that names the customer's own server (the ESP client made it
 * with the first resource): its id goes into the state. */
static void session_note_server(struct session *s, const struct esp_reply *reply)
{
	if (reply->server_id[0] && strcmp(reply->server_id, s->w.server_id) != 0) {
		session_audit(s, "server-ready", reply->server_id);
		wizard_on_server(&s->w, reply->server_id, clock_now_ms());
	}
}

static void session_server_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct session *s = arg;
	if (err) {
		session_esp_error(s, REQ_SERVER_ENSURE, err, reply);
		return;
	}
	session_audit(s, "server-ready", reply->server_id);
	wizard_on_server(&s->w, reply->server_id, clock_now_ms());
}

static void session_domain_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct session *s = arg;
	enum wizard_request req = s->w.busy;
	if (err) {
		session_esp_error(s, req, err, reply);
		return;
	}
	session_note_server(s, reply);
	if (req == REQ_DOMAIN_ENSURE && !s->w.esp_domain.exists)
		session_audit(s, "domain-ready", reply->domain.name);
	if (req == REQ_DOMAIN_VERIFY && resource_esp_verified(&reply->domain))
		session_audit(s, "domain-verified", reply->domain.name);
	wizard_on_domain(&s->w, &reply->domain, clock_now_ms());
}

static void session_signature_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct session *s = arg;
	enum wizard_request req = s->w.busy;
	bool was_confirmed = s->w.signature.confirmed;
	if (err) {
		session_esp_error(s, req, err, reply);
		return;
	}
	session_note_server(s, reply);
	if (req == REQ_SIGNATURE_ENSURE)
		session_audit(s, "signature-ready", reply->signature.email);
	if (req == REQ_SIGNATURE_RESEND)
		session_audit(s, "signature-resent", reply->signature.email);
	if (req == REQ_SIGNATURE_UPDATE)
		session_audit(s, "signature-renamed", reply->signature.email);
	if (!was_confirmed && reply->signature.confirmed)
		session_audit(s, "signature-confirmed", reply->signature.email);
	wizard_on_signature(&s->w, &reply->signature, clock_now_ms(), clock_wall_ms());
}

static void session_removed_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct session *s = arg;
	enum wizard_request req = s->w.busy;
	const struct wizard_resource *r = wizard_removal(&s->w);
	if (err && err != BH_ERR_NOT_FOUND) {
		session_esp_error(s, req, err, reply);
		return;
	}
	session_audit(s, req == REQ_DOMAIN_REMOVE ? "domain-removed" : "signature-removed",
		      r ? r->name : "");
	wizard_on_removed(&s->w, req, clock_now_ms());
}

static void session_dns_done(void *arg, enum bh_err err, const struct record_result *results,
			     size_t n, const char *dns_host)
{
	struct session *s = arg;
	if (err) {
		wizard_on_error(&s->w, REQ_DNS_CHECK, err, NULL, clock_now_ms());
		return;
	}
	wizard_on_dns(&s->w, results, n, dns_host, clock_now_ms());
	/* A demo ESP verifies what the demo DNS world shows, as Postmark would. */
	if (s->esp->ops->dns_observed)
		s->esp->ops->dns_observed(s->esp, s->w.esp_domain.id, s->w.records, s->w.results,
					  s->w.nrecords);
}

static void session_dmarc_done(void *arg, enum bh_err err, const struct record_result *results,
			       size_t n, const char *dns_host);

/* Asks the authoritative servers for _dmarc.<domain> (the address's domain,
 * then, when that has no record, its organizational domain). */
static enum bh_err session_dmarc_start(struct session *s, const char *domain)
{
	int n;
	memset(&s->dmarc, 0, sizeof s->dmarc);
	s->dmarc.purpose = PURPOSE_DMARC;
	s->dmarc.type = RECORD_TYPE_TXT;
	n = snprintf(s->dmarc.name, sizeof s->dmarc.name, "_dmarc.%s", domain);
	if (n < 0 || (size_t)n >= sizeof s->dmarc.name)
		return BH_ERR_INVALID; /* no such DNS name (253 octets at most) */
	str_copy(s->dmarc.value, sizeof s->dmarc.value, "v=DMARC1; p=none;");
	return s->dns->ops->check(s->dns, domain, &s->dmarc, 1, session_dmarc_done, s);
}

/* The From domain's DMARC record, as the authoritative servers have it; with
 * none, the organizational domain's, whose sp= covers the subdomains
 * (RFC 7489 section 6.6.3). */
static void session_dmarc_done(void *arg, enum bh_err err, const struct record_result *results,
			       size_t n, const char *dns_host)
{
	struct session *s = arg;
	const char *txts[1];
	char policy[16] = "", org[DOMAIN_ASCII_MAX];
	const char *domain = s->dmarc_for;
	bool second = s->dmarc_org[0] != '\0';
	size_t i, ntxt = 0, d;
	int verdict;
	(void)dns_host;
	if (err || n != 1) {
		s->dmarc_org[0] = '\0';
		wizard_on_error(&s->w, REQ_DMARC_CHECK, err ? err : BH_ERR_INVALID, NULL,
				clock_now_ms());
		return;
	}
	for (i = 0; i < results->nservers && !ntxt; i++)
		if (results->seen[i][0] && results->per_server[i] != STATUS_MISSING)
			txts[ntxt++] = results->seen[i];
	verdict = record_dmarc_check(txts, ntxt, second, policy, sizeof policy);
	for (d = 0; d < results->ndiagnoses; d++)
		if (results->diagnoses[d].code == DIAG_DUPLICATE_RECORDS)
			verdict = DMARC_VERDICT_INVALID;
	if (!second && verdict == DMARC_VERDICT_NONE &&
	    record_dmarc_org_domain(domain, org, sizeof org) && strcasecmp(org, domain) != 0) {
		str_copy(s->dmarc_org, sizeof s->dmarc_org, org);
		err = session_dmarc_start(s, org);
		if (!err)
			return;
		s->dmarc_org[0] = '\0';
		wizard_on_error(&s->w, REQ_DMARC_CHECK, err, NULL, clock_now_ms());
		return;
	}
	str_copy(org, sizeof org, s->dmarc_org);
	s->dmarc_org[0] = '\0';
	wizard_on_dmarc_org(&s->w, domain, verdict, policy,
			    second && verdict != DMARC_VERDICT_NONE ? org : NULL, clock_now_ms());
}

/* Starts the work the wizard waits for. */
static void session_start(struct session *s, enum wizard_request req, int64_t now)
{
	struct wizard *w = &s->w;
	const struct esp_ops *e = s->esp->ops;
	enum bh_err err = BH_OK;
	/* a state saved with another ESP may ask for what this one lacks */
	if (!wizard_esp_can(w, wizard_request_def(req)->needs)) {
		wizard_on_error(w, req, BH_ERR_INVALID, NULL, now);
		return;
	}
	switch (req) {
	case REQ_DOMAIN_ENSURE:
		err = e->domain_ensure(s->esp, w->domain.ascii, session_domain_done, s);
		break;
	case REQ_DNS_CHECK:
		err = s->dns->ops->check(s->dns, w->domain.ascii, w->records, w->nrecords,
					 session_dns_done, s);
		break;
	case REQ_DOMAIN_VERIFY:
		err = e->domain_verify(s->esp, w->esp_domain.id, session_domain_done, s);
		break;
	case REQ_SIGNATURE_ENSURE:
		err = e->signature_ensure(s->esp, w->address_normalized, w->address_name.text,
					  w->address_normalized, s->cfg->signature_note,
					  session_signature_done, s);
		break;
	case REQ_SIGNATURE_POLL:
		err = e->signature_get(s->esp, w->signature.id, session_signature_done, s);
		break;
	case REQ_SIGNATURE_RESEND:
		err = e->signature_resend(s->esp, w->signature.id, session_signature_done, s);
		break;
	case REQ_DOMAIN_REMOVE:
	case REQ_SIGNATURE_REMOVE:
		/* by id: a kept resource is not the one on screen */
		if (!wizard_removal(w))
			return;
		err = (req == REQ_DOMAIN_REMOVE ? e->domain_delete : e->signature_delete)(
		    s->esp, wizard_removal(w)->id, session_removed_done, s);
		break;
	case REQ_SIGNATURE_UPDATE:
		err = e->signature_update(s->esp, w->signature.id, w->address_name.text,
					  session_signature_done, s);
		break;
	case REQ_DMARC_CHECK:
		s->dmarc_org[0] = '\0';
		str_copy(s->dmarc_for, sizeof s->dmarc_for, wizard_address_domain(w));
		err = session_dmarc_start(s, s->dmarc_for);
		break;
	case REQ_EMAIL_SEND:
		err = export_io_send(&s->xio);
		break;
	case REQ_SERVER_ENSURE:
		err = e->server_ensure(s->esp, NULL, session_server_done, s);
		break;
	default:
		return;
	}
	if (err == BH_OK)
		wizard_request_started(w, req, now);
	else if (err != BH_ERR_BUSY || req == REQ_EMAIL_SEND)
		wizard_on_error(w, req, err, NULL, now);
}

/* ---- keys ------------------------------------------------------------- */

/* A wizard started afresh from the configuration (also after the demo's
 * start over). */
static void session_fresh(struct session *s)
{
	wizard_init(&s->w, &s->cfg->wizard);
	s->w.step_since_ms = clock_wall_ms();
	session_listen(s);
	s->w.export.remote = s->remote;
	s->w.export.view = EXPORT_VIEW_CLOSED;
}

static void session_action(struct session *s, enum ui_action a, int64_t now)
{
	struct wizard *w = &s->w;
	switch (a) {
	case ACTION_NEXT:
		wizard_next(w, now);
		break;
	case ACTION_BACK:
		wizard_back(w);
		break;
	case ACTION_SWITCH:
		wizard_switch(w);
		break;
	case ACTION_CHECK:
		wizard_check_now(w, now);
		break;
	case ACTION_RESEND:
		wizard_resend(w);
		break;
	case ACTION_DEMO:
		if (w->cfg.demo)
			demo_advance(&s->demo, now);
		break;
	case ACTION_DEMO_RESET:
		if (w->cfg.demo && w->step == STEP_WELCOME && demo_restart(&s->demo)) {
			session_fresh(s);
			demo_restarted(&s->demo);
			session_save(s);
		}
		break;
	case ACTION_EXPORT:
		wizard_export_open(w);
		break;
	case ACTION_EXPORT_FILE:
		export_io_file(&s->xio);
		break;
	case ACTION_EXPORT_SEND:
		wizard_export_send(w, clock_wall_ms());
		break;
	case ACTION_EXPORT_COPY:
		export_io_copy(&s->xio);
		break;
	case ACTION_EXPORT_QR:
		export_io_qr(&s->xio);
		break;
	case ACTION_QUIT:
		s->quit = true;
		break;
	case ACTION_REDRAW:
		break; /* typing or moving: saved after a short quiet time */
	default:
		return;
	}
	w->dirty = true;
	ui_invalidate();
}

/* ---- the loop --------------------------------------------------------- */

/* The terminal as a source of the loop: stdin, and a wake for what the
 * screen and the wizard wait for (set by session_prepare each turn). */
static int session_term_fill(void *self, struct pollfd *fds, int cap)
{
	(void)self;
	if (cap < 1)
		return 0;
	fds[0].fd = STDIN_FILENO;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	return 1;
}

static int64_t session_term_deadline(void *self)
{
	return ((struct session *)self)->term_deadline;
}

/* Reads the keys when there is something to read: bytes on the terminal
 * (or its hang-up), keys curses holds already, a resize (curses reports it
 * as a key).  A wake for the clock alone reads nothing. */
static void session_term_dispatch(void *self, const struct pollfd *fds, int n, int64_t now)
{
	struct session *s = self;
	enum ui_action action;
	short ready = n > 0 ? fds[0].revents : 0;
	if (ready & POLLIN)
		s->last_key_ms = now; /* the customer is there */
	if (s->w.dirty)
		ui_invalidate();
	if (!(ready & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) && !s->keys_pending &&
	    !ui_read_wanted())
		return;
	s->view.now_ms = now;
	s->view.wall_ms = clock_wall_ms();
	action = ui_read_key(&s->w, &s->view);
	s->keys_pending = action > ACTION_REDRAW;
	session_action(s, action, now);
}

static const struct source_ops session_term_source = {session_term_fill, session_term_deadline,
						      session_term_dispatch};

/* Before a turn: starts what the wizard asks for (true: again, before
 * waiting), saves, draws, and sets the terminal's wake. */
static bool session_prepare(struct session *s)
{
	int64_t now = clock_now_ms(), wall = clock_wall_ms(), wake = 0, deadline;
	int ui_wake;
	enum wizard_request req = wizard_next_request(&s->w, now, wall, &wake);
	if (req != REQ_NONE) {
		/* what it changes on screen: the busy line, the screen's
		 * countdown (ui_draw's tick), or an error (dirty) */
		session_start(s, req, now);
		if (s->w.busy == REQ_NONE && !s->w.retry_after_ms)
			s->w.retry_after_ms = now + 100; /* could not start: not a busy loop */
		return true;
	}
	if (s->dc)
		dcoffer_update(s->dc, &s->w, dns_engine_zone(s->dns));
	else if (s->w.cfg.demo)
		demo_offer(&s->demo);
	if (s->w.dirty || dcoffer_changed(s->dc))
		ui_invalidate(); /* an outcome of the ESP or the DNS: drawn whole */
	session_maybe_save(s, now);
	s->view.now_ms = now;
	s->view.wall_ms = wall;
	if (s->w.cfg.demo)
		demo_caption(&s->demo);
	s->view.caption = s->demo.caption;
	ui_draw(&s->w, &s->view);

	deadline = wake;
	if (s->w.dirty)
		deadline = loop_min_deadline(deadline, now + SESSION_SAVE_DEBOUNCE_MS);
	ui_wake = ui_wake_ms(&s->w, &s->view);
	if (ui_wake >= 0)
		deadline = loop_min_deadline(deadline, now + ui_wake);
	if (s->opt->idle_ms > 0)
		deadline = loop_min_deadline(deadline, s->last_key_ms + s->opt->idle_ms);
	if (s->keys_pending || ui_resized())
		deadline = now; /* curses may hold keys already read, or a resize: no waiting */
	s->term_deadline = deadline;
	return false;
}

static void session_loop(struct session *s)
{
	s->view.export = &s->xio.view;
	s->last_key_ms = clock_now_ms();
	while (!s->quit && !session_signal) {
		if (s->opt->idle_ms > 0 && clock_now_ms() - s->last_key_ms >= s->opt->idle_ms) {
			s->idle = true; /* nobody there: saved below, then goodbye */
			session_audit(s, "session-idle", wizard_step_word(s->w.step));
			break;
		}
		if (session_prepare(s))
			continue;
		if (loop_turn(&s->loop, 0) < 0)
			break;
	}
	session_save(s);
}

void session_idle_words(int64_t ms, char *out, size_t cap)
{
	char n[24];
	bool minutes = ms >= 60000 && ms % 60000 == 0;
	snprintf(n, sizeof n, "%lld", (long long)(minutes ? ms / 60000 : (ms + 999) / 1000));
	text_fmt(out, cap, minutes ? "sshsess.minutes" : "sshsess.seconds", n, NULL, NULL);
}

/* After the screen is gone, one line on how to come back (not when the
 * terminal hung up: nobody reads it). */
static void session_say_come_back(const struct session *s)
{
	char id[64], line[512], idle[32];
	bool ssh = s->opt->ssh || getenv("SSH_CONNECTION") || getenv("SSH_TTY");
	if (session_signal == SIGHUP)
		return;
	snprintf(id, sizeof id, "steps.%s", wizard_step_word(s->w.step));
	session_idle_words(s->opt->idle_ms, idle, sizeof idle);
	if (s->idle)
		text_fmt(line, sizeof line, "sshsess.idle_goodbye", idle, text_get(id), NULL);
	else
		text_fmt(line, sizeof line, ssh ? "session.come_back_ssh" : "session.come_back",
			 text_get(id), NULL, NULL);
	printf("%s\n", line);
}

/* Opens (locks) and loads the customer's state, or starts fresh. */
static int session_open_state(struct session *s, const struct config *cfg)
{
	char msg[512];
	enum bh_err err;
	enum state_holder as = s->opt->ssh ? STATE_HOLDER_SSH : STATE_HOLDER_LOCAL;
	bool took_over = false;
	err =
	    state_open_as(cfg->state_dir, cfg->wizard.customer_id, as, &s->state, msg, sizeof msg);
	if (err == BH_ERR_LOCKED && s->opt->ssh) {
		/* The customer is back while the earlier connection lingers: it
		 * saves and leaves, this one resumes. */
		err = state_take_over(cfg->state_dir, cfg->wizard.customer_id,
				      SESSION_TAKE_OVER_WAIT_MS, msg, sizeof msg);
		if (!err)
			err = state_open_as(cfg->state_dir, cfg->wizard.customer_id, as, &s->state,
					    msg, sizeof msg);
		took_over = err == BH_OK;
	}
	if (err) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	s->demo.state = s->xio.state = s->state;
	if (cfg->demo_reset && demo_forget_state(&s->demo))
		return 2;
	wizard_init(&s->w, &cfg->wizard);
	err = state_load(s->state, &s->w, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND) {
		wizard_init(&s->w, &cfg->wizard);
		s->w.step_since_ms = clock_wall_ms();
		session_listen(s);
		session_audit(s, "session-started", "new");
		return 0;
	}
	if (err) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	s->w.cfg = cfg->wizard;
	session_listen(s);
	s->saved_step = s->w.step;
	s->saved_checks = s->w.checks;
	s->saved_ms = clock_now_ms();
	s->resumed = true;
	session_audit(s, took_over ? "session-taken-over" : "session-resumed",
		      wizard_step_word(s->w.step));
	if (took_over) {
		s->w.notice_kind = NOTICE_INFO;
		str_copy(s->w.notice, sizeof s->w.notice, text_get("sshsess.taken_over"));
	}
	return 0;
}

/* The backends: the ESP the configuration names and the DNS source (the
 * live engine, or the demo's world), fitted to what the ESP can do.  The
 * tokens go to the ESP client, which keeps its own copy; the caller wipes
 * the configuration's. */
static int session_open_backends(struct session *s, struct config *cfg)
{
	char msg[512];
	s->esp = s->opt->esp ? s->opt->esp : esp_make(cfg, msg, sizeof msg);
	if (!s->esp) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	/* What the ESP lacks is not offered (the demo has no servers). */
	cfg->wizard.esp_lacks = ESP_CAP_ALL & ~esp_make_caps(cfg, s->esp);
	if (cfg->wizard.esp_lacks & ESP_CAP_SERVERS)
		cfg->wizard.server_mode = SERVER_MODE_NO;
	s->w.cfg.esp_lacks = cfg->wizard.esp_lacks;
	s->w.cfg.server_mode = cfg->wizard.server_mode;
	s->xio.esp = s->demo.esp = s->esp;
	if (cfg->wizard.demo) {
		if (demo_open_world(&s->demo, s->resumed))
			return 2;
		s->dns = s->demo.dns;
		return 0;
	}
	s->dns = esp_make_dns(cfg, msg, sizeof msg);
	if (!s->dns) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	/* Domain Connect: no offer is no error (the manual instructions stay) */
	s->dc = dcoffer_create(cfg, esp_make_dc_signer(cfg, s->esp), msg, sizeof msg);
	if (!s->dc && msg[0])
		session_audit(s, "domainconnect-off", msg);
	dcoffer_set_log(s->dc, session_dc_log, s);
	return 0;
}

int session_run(struct config *cfg)
{
	static const struct session_options local = {0};
	return session_run_with(cfg, &local);
}

int session_run_with(struct config *cfg, const struct session_options *opt)
{
	struct session s;
	struct sigaction sa;
	char msg[512];
	int rc;

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.opt = opt;
	/* Over SSH a file would land on the server, not with the customer. */
	s.remote =
	    !cfg->allow_file_export && (opt->ssh || getenv("SSH_CONNECTION") || getenv("SSH_TTY"));
	s.xio.w = s.demo.w = &s.w;
	s.demo.cfg = cfg;
	if (!esp_make_ready(cfg, msg, sizeof msg)) {
		fprintf(stderr, "%s\n", msg);
		return 2;
	}
	/* The ESP's longest record name, for the check of a domain typed. */
	esp_make_longest_label(cfg, cfg->wizard.record_label_max,
			       sizeof cfg->wizard.record_label_max);
	rc = session_open_state(&s, cfg);
	if (rc) {
		if (opt->esp)
			opt->esp->ops->destroy(opt->esp);
		state_close(s.state);
		return rc;
	}
	s.w.export.remote = s.remote;
	s.w.export.view = EXPORT_VIEW_CLOSED;
	if (opt->enrolled.ms > 0)
		session_enrolled(&s, &opt->enrolled);
	rc = session_open_backends(&s, cfg);
	config_wipe_secrets(cfg);
	if (rc) {
		if (s.esp)
			s.esp->ops->destroy(s.esp);
		state_close(s.state);
		return rc;
	}
	loop_init(&s.loop);
	loop_add(&s.loop, &s.esp->ops->source, s.esp);
	loop_add(&s.loop, &s.dns->ops->source, s.dns);
	loop_add(&s.loop, &session_term_source, &s);
	if (s.dc)
		dcoffer_add_to(s.dc, &s.loop);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = session_on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	msg[0] = '\0';
	rc = ui_start() ? 0 : 2;
	if (rc == 0 && opt->ready)
		rc = opt->ready(opt->ready_arg, msg, sizeof msg);
	if (rc == 0) {
		session_loop(&s);
		ui_stop();
		session_say_come_back(&s);
	} else {
		ui_stop(); /* nothing when curses did not start */
		if (msg[0])
			fprintf(stderr, "behalf: %s\n", msg);
	}
	dcoffer_destroy(s.dc);
	s.dns->ops->destroy(s.dns);
	s.esp->ops->destroy(s.esp);
	state_close(s.state);
	export_io_free(&s.xio);
	return rc;
}
