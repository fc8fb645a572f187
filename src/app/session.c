/* One customer's wizard session: the single event loop that ties the model,
 * the DNS source, the ESP and the terminal together.  poll() waits on the
 * terminal and every source's descriptors and timers; nothing blocks a key. */
#include "app/session.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/fileio.h"
#include "core/state.h"
#include "core/text.h"
#include "dns/engine.h"
#include "dns/sim.h"
#include "esp/postmark.h"
#include "esp/sandbox.h"
#include "export/export.h"
#include "export/qr.h"
#include "ui.h"

#define SESSION_MAX_FDS		 64
#define SESSION_SAVE_DEBOUNCE_MS 500 /* typing is saved at most twice a second */

struct session {
	struct wizard w;
	const struct config *cfg;
	struct esp *esp;
	struct dns_source *dns;
	struct state_handle *state;
	struct expected_record dmarc;	  /* option 2: the record asked for REQ_DMARC_CHECK */
	char dmarc_org[DOMAIN_ASCII_MAX]; /* asked second: the organizational domain, "" first */
	char dmarc_for[DOMAIN_ASCII_MAX]; /* the address's domain REQ_DMARC_CHECK is for */
	int64_t dirty_since_ms;		  /* when unsaved changes began, 0 when saved */
	enum wizard_step saved_step;
	bool quit;
	struct wizard_sent_email sending; /* REQ_EMAIL_SEND: what is going out */
	struct buf qr;			  /* the export dialog's QR code */
	struct ui_export_view xview;	  /* what the dialog shows besides the model */
	bool resumed;			  /* the state was loaded, not started fresh */
	char caption[WIZARD_NOTICE_MAX];  /* --demo: the presenter's caption, or "" */
	char reset_scenario[64];	  /* --reset: the story played before, or "" */
	bool demo_owned;		  /* the demo made this customer's state */
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
}

/* Saves at once on a step change, otherwise after a short quiet time. */
static void session_maybe_save(struct session *s, int64_t now)
{
	if (!s->w.dirty)
		return;
	if (!s->dirty_since_ms)
		s->dirty_since_ms = now;
	if (s->w.step != s->saved_step || now - s->dirty_since_ms >= SESSION_SAVE_DEBOUNCE_MS)
		session_save(s);
}

static void session_audit(struct session *s, const char *event, const char *detail)
{
	state_audit(s->state, event, detail);
}

/* ---- ESP and DNS outcomes ---------------------------------------------- */

static void session_esp_error(struct session *s, enum wizard_request req, enum bh_err err,
			      const struct esp_reply *reply)
{
	/* Without an ErrorCode of a refusal (5xx, 429, maintenance) the ESP had
	 * trouble, not an objection: retried, not sent back to the field. */
	if (err == BH_ERR_REMOTE && reply &&
	    (reply->esp_code == 0 || reply->esp_code == 429 || reply->esp_code == 100))
		err = BH_ERR_NETWORK;
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
	if (!sandbox_is(s->esp))
		return;
	/* The demo ESP verifies what the demo DNS world shows, as Postmark would. */
	sandbox_set_dns_verified(s->esp, s->w.esp_domain.id, s->w.records, s->w.results,
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

static void session_email_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct session *s = arg;
	if (err) {
		/* No answer in time: it may have gone out, so it counts toward
		 * the hourly limit all the same. */
		if (err == BH_ERR_TIMEOUT)
			wizard_export_count_send(&s->w, clock_wall_ms());
		session_esp_error(s, REQ_EMAIL_SEND, err, reply);
		return;
	}
	str_copy(s->sending.message_id, sizeof s->sending.message_id, reply->message);
	session_audit(s, "sent-to-teammate", s->sending.to);
	wizard_on_email_sent(&s->w, &s->sending, clock_wall_ms());
}

/* REQ_EMAIL_SEND: the text and HTML sheets, opening with a letter to the
 * teammate (the note first), from the vendor's shared address, Reply-To
 * the customer. */
static enum bh_err session_send_email(struct session *s)
{
	struct wizard *w = &s->w;
	struct export_options opt = {w->export.note.len ? w->export.note.text : NULL,
				     clock_wall_ms(), true, w->export.send_reply_to};
	struct buf text = {0}, html = {0};
	char address[EMAIL_MAX + 8], header[FROM_HEADER_MAX], *p;
	struct esp_email mail;
	enum bh_err err;

	if (!s->esp->ops->email_send)
		return BH_ERR_INVALID;
	memset(&s->sending, 0, sizeof s->sending);
	snprintf(address, sizeof address, "%s@%s", w->cfg.shared_local, w->cfg.vendor_domain);
	fromhdr_header(w->cfg.vendor_name, address, header, sizeof header);
	/* The header's value, unfolded: "Name <address>" for the ESP's From. */
	p = header + (strncmp(header, "From: ", 6) == 0 ? 6 : 0);
	{
		size_t i = 0;
		for (; *p && i + 1 < sizeof s->sending.from; p++)
			if (*p != '\n')
				s->sending.from[i++] = *p;
		s->sending.from[i] = '\0';
	}
	str_copy(s->sending.to, sizeof s->sending.to, w->export.send_to);
	str_copy(s->sending.reply_to, sizeof s->sending.reply_to, w->export.send_reply_to);
	export_title(w, s->sending.subject, sizeof s->sending.subject);
	err = export_render_opts(w, EXPORT_TEXT, &opt, &text);
	if (!err)
		err = export_render_opts(w, EXPORT_HTML, &opt, &html);
	if (!err) {
		str_copy(s->sending.body, sizeof s->sending.body, text.data);
		mail.from = s->sending.from;
		mail.to = s->sending.to;
		mail.reply_to = s->sending.reply_to;
		mail.subject = s->sending.subject;
		mail.text_body = text.data;
		mail.html_body = html.data;
		err = s->esp->ops->email_send(s->esp, &mail, session_email_done, s);
	}
	buf_free(&text);
	buf_free(&html);
	return err;
}

/* Starts the work the wizard waits for. */
static void session_start(struct session *s, enum wizard_request req, int64_t now)
{
	struct wizard *w = &s->w;
	const struct esp_ops *e = s->esp->ops;
	enum bh_err err = BH_OK;
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
		err = session_send_email(s);
		break;
	case REQ_SERVER_ENSURE:
		err = postmark_is(s->esp)
			  ? postmark_server_ensure(s->esp, NULL, session_server_done, s)
			  : BH_ERR_INVALID;
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

/* The presenter's n: the pretend customer's next move, only where the story
 * has one (the DNS records, the confirmation email); ignored elsewhere. */
static void session_demo_advance(struct session *s, int64_t now)
{
	struct wizard *w = &s->w;
	if (w->step == STEP_CONFIRM && w->signature.exists && !w->signature.confirmed) {
		sandbox_click(s->esp, w->signature.id);
		w->poll_after_ms = now;
		return;
	}
	if (w->step != STEP_RECORDS || !sim_advance(s->dns))
		return;
	w->demo_stage = sim_stage(s->dns);
	w->dirty = true;
	if (w->notice_kind == NOTICE_INFO)
		w->notice_kind = NOTICE_NONE; /* the new stage's caption shows instead */
	wizard_check_now(w, now);
}

/* The caption under the screen, for the presenter and the prospect: the
 * scenario until the story starts, then what the pretend customer did. */
static void session_demo_caption(struct session *s)
{
	const struct wizard *w = &s->w;
	bool done = w->step == STEP_DONE;
	s->caption[0] = '\0';
	if (!w->cfg.demo)
		return;
	if (w->option == OPTION_DOMAIN && (w->step == STEP_RECORDS || done))
		str_copy(s->caption, sizeof s->caption, sim_stage_caption(s->dns));
	else if (w->option == OPTION_ADDRESS && (w->step == STEP_CONFIRM || done))
		str_copy(s->caption, sizeof s->caption,
			 text_get(w->signature.confirmed ? "demo.confirm_clicked"
							 : "demo.confirm_waiting"));
	else if (w->step == STEP_ADDRESS)
		str_copy(s->caption, sizeof s->caption, text_get("demo.address"));
	else if (w->step == STEP_FROM_NAME)
		str_copy(s->caption, sizeof s->caption, text_get("demo.from_name"));
	else if (w->step == STEP_WELCOME || w->step == STEP_CHOOSE || w->step == STEP_ADVISOR ||
		 w->step == STEP_DOMAIN)
		text_fmt(s->caption, sizeof s->caption, "demo.story", sim_title(s->dns), NULL,
			 NULL);
}

/* The welcome screen's r: the demo starts over, at the first stage of the
 * same story, with nothing left at the pretend ESP. */
static void session_demo_reset(struct session *s)
{
	char msg[512];
	if (s->w.busy != REQ_NONE)
		return;
	if (!s->demo_owned) {
		s->w.notice_kind = NOTICE_ERROR;
		str_copy(s->w.notice, sizeof s->w.notice, text_get("demo.reset_not_demo"));
		return;
	}
	if (sandbox_forget(s->cfg->state_dir, s->cfg->wizard.customer_id, s->reset_scenario,
			   sizeof s->reset_scenario, msg, sizeof msg) == BH_ERR_PARSE ||
	    sandbox_customer_set(s->esp, s->cfg->wizard.customer_id, sim_id(s->dns), msg,
				 sizeof msg) != BH_OK) {
		s->w.notice_kind = NOTICE_ERROR;
		str_copy(s->w.notice, sizeof s->w.notice, msg);
		return;
	}
	sandbox_forget_reports(s->esp);
	wizard_init(&s->w, &s->cfg->wizard);
	s->w.cfg.server_mode = SERVER_MODE_NO;
	s->w.export.remote =
	    !s->cfg->allow_file_export && (getenv("SSH_CONNECTION") || getenv("SSH_TTY"));
	s->w.export.view = EXPORT_VIEW_CLOSED;
	sim_set_stage(s->dns, 0);
	s->w.notice_kind = NOTICE_INFO;
	str_copy(s->w.notice, sizeof s->w.notice, text_get("demo.reset"));
	session_audit(s, "demo-reset", sim_id(s->dns));
	session_save(s);
}

/* ---- the export dialog ------------------------------------------------ */

/* Sets the dialog's result line (from a text id with one argument). */
static void session_export_result(struct session *s, bool error, const char *id, const char *a1,
				  const char *a2)
{
	struct wizard_export *x = &s->w.export;
	text_fmt(x->result, sizeof x->result, id, a1, a2, NULL);
	x->result_error = error;
	x->shown = true;
}

/* Writes the sheet in the format picked to the current directory,
 * atomically, and says where. */
static void session_export_file(struct session *s)
{
	struct wizard *w = &s->w;
	enum export_format f = (enum export_format)w->export.cursor;
	struct export_options opt = {NULL, clock_wall_ms(), true, NULL};
	struct buf out = {0}, path = {0};
	char name[256], cwd[WIZARD_PATH_MAX], msg[512];
	enum bh_err err;

	if (w->export.remote || f < 0 || f >= EXPORT__COUNT)
		return;
	export_file_name(w, f, name, sizeof name);
	if (!getcwd(cwd, sizeof cwd))
		str_copy(cwd, sizeof cwd, ".");
	err = export_render_opts(w, f, &opt, &out);
	if (err) {
		session_export_result(s, true, "export_dialog.file_failed", bh_strerror(err), NULL);
		buf_free(&out);
		return;
	}
	err = file_replace(cwd, name, out.data, out.len, 0644, msg, sizeof msg);
	buf_printf(&path, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, name);
	if (err) {
		session_export_result(s, true, "export_dialog.file_failed", msg, NULL);
	} else {
		char detail[WIZARD_PATH_MAX + 300];
		session_export_result(s, false, "export_dialog.file_written", path.data, NULL);
		snprintf(detail, sizeof detail, "%s %s", export_format_word(f), path.data);
		session_audit(s, "exported", detail);
	}
	buf_free(&out);
	buf_free(&path);
}

/* Puts the value picked on the terminal's clipboard (OSC 52): written to
 * the terminal between two frames, so curses' picture stays right. */
static void session_export_copy(struct session *s)
{
	struct wizard *w = &s->w;
	char value[FROM_HEADER_MAX];
	const char *label = "";
	struct buf seq = {0};
	size_t off = 0;

	if (!wizard_export_copy_value(w, w->export.cursor, &label, value, sizeof value))
		return;
	if (export_osc52(value, &seq) != BH_OK) {
		session_export_result(s, true, "export_dialog.copy_failed", NULL, NULL);
		buf_free(&seq);
		return;
	}
	fflush(stdout);
	while (off < seq.len) {
		ssize_t n = write(STDOUT_FILENO, seq.data + off, seq.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < seq.len)
		session_export_result(s, true, "export_dialog.copy_failed", NULL, NULL);
	else
		session_export_result(s, false, "export_dialog.copied", NULL, NULL);
	buf_free(&seq);
}

/* Makes the QR code of the row picked: a record's value, or all records
 * as zone lines. */
static void session_export_qr(struct session *s)
{
	struct wizard *w = &s->w;
	struct ui_export_view *q = &s->xview;
	struct buf text = {0};
	int i = w->export.cursor;
	enum bh_err err;
	char id[64];

	if (i < 0 || i >= wizard_export_qr_count(w))
		return;
	buf_reset(&s->qr);
	memset(q, 0, sizeof *q);
	if (i < (int)w->nrecords) {
		buf_puts(&text, w->records[i].value);
		snprintf(id, sizeof id, "records.purpose_%s",
			 record_purpose_word(w->records[i].purpose));
		text_fmt(q->qr_title, sizeof q->qr_title, "export_dialog.qr_title", text_get(id),
			 NULL, NULL);
		err = BH_OK;
	} else {
		err = export_zone_lines(w, &text);
		text_fmt(q->qr_title, sizeof q->qr_title, "export_dialog.qr_title",
			 text_get("export_dialog.qr_all"), NULL, NULL);
	}
	if (!err)
		err = qr_render_halfblocks(text.data, ui_ascii(), &s->qr, &q->qr_cols, &q->qr_rows);
	buf_free(&text);
	q->qr = err ? NULL : s->qr.data;
	q->qr_too_big = err != BH_OK;
	w->export.shown = true;
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
			session_demo_advance(s, now);
		break;
	case ACTION_DEMO_RESET:
		if (w->cfg.demo && w->step == STEP_WELCOME)
			session_demo_reset(s);
		break;
	case ACTION_EXPORT:
		wizard_export_open(w);
		break;
	case ACTION_EXPORT_FILE:
		session_export_file(s);
		break;
	case ACTION_EXPORT_SEND:
		wizard_export_send(w, clock_wall_ms());
		break;
	case ACTION_EXPORT_COPY:
		session_export_copy(s);
		break;
	case ACTION_EXPORT_QR:
		session_export_qr(s);
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

static int64_t session_min_deadline(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

static void session_loop(struct session *s)
{
	struct pollfd fds[SESSION_MAX_FDS];
	bool keys_pending = false;
	enum ui_action action;
	while (!s->quit && !session_signal) {
		int64_t now = clock_now_ms(), wall = clock_wall_ms(), wake = 0, deadline;
		int n = 0, n_esp, n_dns, timeout, ready, ui_wake;
		struct ui_view view = {now, wall, false, false, &s->xview, NULL};
		enum wizard_request req = wizard_next_request(&s->w, now, wall, &wake);
		if (req != REQ_NONE) {
			session_start(s, req, now);
			ui_invalidate();
			if (s->w.busy == REQ_NONE && !s->w.retry_after_ms)
				s->w.retry_after_ms =
				    now + 100; /* could not start: not a busy loop */
			continue;
		}
		session_maybe_save(s, now);
		session_demo_caption(s);
		view.caption = s->caption;
		ui_draw(&s->w, &view);

		fds[n].fd = STDIN_FILENO;
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
		n_esp = s->esp->ops->source.fill(s->esp, fds + n, SESSION_MAX_FDS / 2 - n);
		n += n_esp;
		n_dns = s->dns->ops->source.fill(s->dns, fds + n, SESSION_MAX_FDS - n);
		n += n_dns;
		deadline = session_min_deadline(wake, s->esp->ops->source.deadline(s->esp));
		deadline = session_min_deadline(deadline, s->dns->ops->source.deadline(s->dns));
		if (s->w.dirty)
			deadline = session_min_deadline(deadline, now + SESSION_SAVE_DEBOUNCE_MS);
		ui_wake = ui_wake_ms(&s->w, &view);
		if (ui_wake >= 0)
			deadline = session_min_deadline(deadline, now + ui_wake);
		if (keys_pending)
			deadline = now; /* curses may hold keys already read: no waiting */
		timeout = deadline ? (int)(deadline > now ? deadline - now : 0) : -1;

		ready = poll(fds, (nfds_t)n, timeout);
		if (ready < 0 && errno != EINTR)
			break;
		now = clock_now_ms();
		s->esp->ops->source.dispatch(s->esp, fds + 1, n_esp, now);
		s->dns->ops->source.dispatch(s->dns, fds + 1 + n_esp, n_dns, now);
		if (s->w.busy != REQ_NONE || s->w.dirty)
			ui_invalidate();
		view.now_ms = now;
		view.wall_ms = clock_wall_ms();
		action = ui_read_key(&s->w, &view);
		keys_pending = action > ACTION_REDRAW;
		session_action(s, action, now);
	}
	session_save(s);
}

/* --reset, with the customer's lock held: forgets the demo customer at the
 * pretend ESP and removes their saved progress, only when the demo made it
 * (a state file the demo's account does not know is left alone); nonzero
 * after saying why it did not. */
static int session_reset_demo_state(struct session *s, const struct config *cfg)
{
	char msg[512], path[sizeof cfg->state_dir + WIZARD_ID_MAX + 8];
	enum bh_err err;
	bool have_state;
	snprintf(path, sizeof path, "%s/%s.json", cfg->state_dir, cfg->wizard.customer_id);
	have_state = access(path, F_OK) == 0;
	err = sandbox_forget(cfg->state_dir, cfg->wizard.customer_id, s->reset_scenario,
			     sizeof s->reset_scenario, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND && have_state) {
		text_fmt(msg, sizeof msg, "session.reset_not_demo", path, NULL, NULL);
		fprintf(stderr, "%s\n", msg);
		return 2;
	}
	if (err && err != BH_ERR_NOT_FOUND) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	if (have_state && unlink(path) != 0) {
		fprintf(stderr, "behalf: cannot remove %s: %s\n", path, strerror(errno));
		return 2;
	}
	session_audit(s, "demo-reset", cfg->wizard.customer_id);
	return 0;
}

/* After the screen is gone, one line on how to come back (not when the
 * terminal hung up: nobody reads it). */
static void session_say_come_back(const struct session *s)
{
	char id[64], line[512];
	bool ssh = getenv("SSH_CONNECTION") || getenv("SSH_TTY");
	if (session_signal == SIGHUP)
		return;
	snprintf(id, sizeof id, "steps.%s", wizard_step_word(s->w.step));
	text_fmt(line, sizeof line, ssh ? "session.come_back_ssh" : "session.come_back",
		 text_get(id), NULL, NULL);
	printf("%s\n", line);
}

/* Opens (locks) and loads the customer's state, or starts fresh. */
static int session_open_state(struct session *s, const struct config *cfg)
{
	char msg[512];
	enum bh_err err;
	err = state_open(cfg->state_dir, cfg->wizard.customer_id, &s->state, msg, sizeof msg);
	if (err) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	if (cfg->demo_reset && session_reset_demo_state(s, cfg))
		return 2;
	wizard_init(&s->w, &cfg->wizard);
	err = state_load(s->state, &s->w, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND) {
		wizard_init(&s->w, &cfg->wizard);
		session_audit(s, "session-started", "new");
		return 0;
	}
	if (err) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	s->w.cfg = cfg->wizard;
	s->saved_step = s->w.step;
	s->resumed = true;
	session_audit(s, "session-resumed", wizard_step_word(s->w.step));
	return 0;
}

/* The demo's DNS world: the story this demo customer plays (saved with the
 * pretend account), or the one --scenario asks for when the story can still
 * change; NULL after saying why not. */
static struct dns_source *session_demo_world(struct session *s, const struct config *cfg)
{
	char msg[512], saved[64];
	const char *id = cfg->scenario;
	struct dns_source *dns;
	enum bh_err err;
	bool known =
	    sandbox_customer_scenario(s->esp, cfg->wizard.customer_id, saved, sizeof saved);
	bool change = s->resumed && known && cfg->scenario_given && strcmp(saved, id) != 0;

	/* Without --scenario the story goes on, or starts over after a reset. */
	if (known && saved[0] && !cfg->scenario_given)
		id = saved;
	else if (!known && s->reset_scenario[0] && !cfg->scenario_given)
		id = s->reset_scenario;
	/* A verified domain is the end of the DNS story: another cannot start. */
	if (change && s->w.option == OPTION_DOMAIN && s->w.esp_domain.exists &&
	    resource_esp_verified(&s->w.esp_domain)) {
		text_fmt(msg, sizeof msg, "session.scenario_cannot", saved, id, NULL);
		fprintf(stderr, "%s\n", msg);
		return NULL;
	}
	dns = sim_create(id, &err);
	if (!dns) {
		fprintf(stderr, "behalf: demo scenario \"%s\": %s\n", id, bh_strerror(err));
		return NULL;
	}
	if (change) {
		s->w.demo_stage = 0;
		s->w.notice_kind = NOTICE_INFO;
		text_fmt(s->w.notice, sizeof s->w.notice, "demo.scenario_applied", sim_title(dns),
			 NULL, NULL);
		if (s->w.step == STEP_RECORDS)
			wizard_check_now(&s->w, clock_now_ms());
	}
	sim_set_stage(dns, s->w.demo_stage);
	s->w.demo_stage = sim_stage(dns);
	/* A state the demo did not start is never made a demo's (a reset would
	 * then remove it). */
	s->demo_owned = known || !s->resumed;
	if (s->demo_owned &&
	    sandbox_customer_set(s->esp, cfg->wizard.customer_id, sim_id(dns), msg, sizeof msg)) {
		fprintf(stderr, "behalf: %s\n", msg);
		dns->ops->destroy(dns);
		return NULL;
	}
	return dns;
}

/* The demo's pretend ESP and DNS world. */
static int session_open_demo(struct session *s, const struct config *cfg)
{
	char msg[512];
	enum sandbox_profile profile = SANDBOX_PROFILE_POSTMARK;
	s->w.cfg.server_mode = SERVER_MODE_NO; /* the demo ESP has no servers */
	s->esp = sandbox_create(cfg->state_dir, msg, sizeof msg);
	if (!s->esp) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	s->dns = session_demo_world(s, cfg);
	if (s->dns && !sandbox_profile_parse(sim_esp_shape(s->dns), &profile)) {
		fprintf(stderr, "behalf: demo scenario \"%s\": unknown esp \"%s\"\n",
			sim_id(s->dns), sim_esp_shape(s->dns));
		return 2;
	}
	sandbox_set_profile(s->esp, profile);
	return s->dns ? 0 : 2;
}

/* Postmark and live DNS.  The tokens go to the client, which keeps its own
 * copy; the caller wipes the configuration's. */
static int session_open_live(struct session *s, const struct config *cfg)
{
	struct postmark_config pm;
	struct dns_engine_config dc;
	char msg[512], server_name[WIZARD_ID_MAX + 16], resolvers[sizeof cfg->resolvers],
	    auth[sizeof cfg->authoritative];
	char *rlist[DNS_ENGINE_MAX_RESOLVERS], *alist[RECORD_MAX_SERVERS];

	memset(&pm, 0, sizeof pm);
	pm.api_url = cfg->api_url;
	pm.account_token = cfg->account_token;
	pm.server_token = cfg->server_token[0] ? cfg->server_token : NULL;
	if (!postmark_server_mode_parse(cfg->per_customer_server, &pm.server_mode))
		pm.server_mode = POSTMARK_SERVER_NO;
	pm.timeout_ms = cfg->api_timeout_ms;
	pm.retry_base_ms = cfg->api_retry_base_ms;
	snprintf(server_name, sizeof server_name, "behalf-%s", cfg->wizard.customer_id);
	pm.server_name = server_name;
	pm.return_path_label = cfg->bounce_label;
	s->esp = postmark_create(&pm, msg, sizeof msg);
	if (!s->esp) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}

	memset(&dc, 0, sizeof dc);
	str_copy(resolvers, sizeof resolvers, cfg->resolvers);
	str_copy(auth, sizeof auth, cfg->authoritative);
	dc.nresolvers = config_split_list(resolvers, rlist, DNS_ENGINE_MAX_RESOLVERS);
	dc.resolvers = (const char *const *)rlist;
	dc.nauthoritative = config_split_list(auth, alist, RECORD_MAX_SERVERS);
	dc.authoritative = (const char *const *)alist;
	s->dns = dns_engine_create(&dc, msg, sizeof msg);
	if (!s->dns) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	return 0;
}

int session_run(struct config *cfg)
{
	struct session s;
	struct sigaction sa;
	int rc;

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	if (!cfg->wizard.demo && !cfg->account_token[0]) {
		fprintf(stderr, "%s\n", text_get("session.no_token"));
		return 2;
	}
	/* The ESP's longest record name, for the check of a domain typed. */
	if (cfg->wizard.demo)
		sandbox_longest_label(cfg->wizard.record_label_max,
				      sizeof cfg->wizard.record_label_max);
	else
		postmark_longest_label(cfg->bounce_label, cfg->wizard.record_label_max,
				       sizeof cfg->wizard.record_label_max);
	rc = session_open_state(&s, cfg);
	if (rc) {
		state_close(s.state);
		return rc;
	}
	/* Over SSH a file would land on the server, not with the customer. */
	s.w.export.remote =
	    !cfg->allow_file_export && (getenv("SSH_CONNECTION") || getenv("SSH_TTY"));
	s.w.export.view = EXPORT_VIEW_CLOSED;
	if (cfg->wizard.demo)
		rc = session_open_demo(&s, cfg);
	else
		rc = session_open_live(&s, cfg);
	config_wipe_secrets(cfg);
	if (rc) {
		if (s.esp)
			s.esp->ops->destroy(s.esp);
		state_close(s.state);
		return rc;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = session_on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (!ui_start()) {
		rc = 2;
	} else {
		session_loop(&s);
		ui_stop();
		session_say_come_back(&s);
		rc = 0;
	}
	s.dns->ops->destroy(s.dns);
	s.esp->ops->destroy(s.esp);
	state_close(s.state);
	buf_free(&s.qr);
	return rc;
}
