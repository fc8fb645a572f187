/* The wizard's state machine: a table of steps, each with what Enter does
 * and what work it waits for (unbound's advance-or-wait iterator). */
#include "core/wizard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/sanitize.h"
#include "core/text.h"

#define RESEND_COOLDOWN_MS 60000
#define RETRY_MAX_MS	   60000
#define VERIFY_FAST_MS	   5000	 /* ESP verify while it lags behind DNS: */
#define VERIFY_FAST_TRIES  12	 /* ... every 5 s for about a minute, */
#define VERIFY_SLOW_MS	   10000 /* ... every 10 s up to about five minutes, */
#define VERIFY_SLOW_TRIES  24	 /* ... then doubling to a minute */

static const struct step_def *step_table(enum wizard_step step);
static bool wizard_domain_current(const struct wizard *w);
static void wizard_request_ok(struct wizard *w);
static void wizard_export_send_failed(struct wizard *w, enum bh_err err, const char *message,
				      int64_t now_ms);

/* Every request, what it is and how the core treats it (struct request_def). */
static const struct request_def requests[REQ__COUNT] = {
    /* word, by, about, creates, removes, retried, needs */
    [REQ_NONE] = {"none", REQ_BY_NONE, RES_NONE, false, false, false, 0},
    [REQ_DOMAIN_ENSURE] = {"domain-ensure", REQ_BY_ESP, RES_DOMAIN, true, false, true, 0},
    [REQ_DNS_CHECK] = {"dns-check", REQ_BY_DNS, RES_DOMAIN, false, false, true, 0},
    [REQ_DOMAIN_VERIFY] = {"domain-verify", REQ_BY_ESP, RES_DOMAIN, false, false, true, 0},
    [REQ_SIGNATURE_ENSURE] = {"signature-ensure", REQ_BY_ESP, RES_SIGNATURE, true, false, true,
			      ESP_CAP_SIGNATURES},
    [REQ_SIGNATURE_POLL] = {"signature-poll", REQ_BY_ESP, RES_SIGNATURE, false, false, true,
			    ESP_CAP_SIGNATURES},
    [REQ_SIGNATURE_RESEND] = {"signature-resend", REQ_BY_ESP, RES_SIGNATURE, false, false, true,
			      ESP_CAP_SIGNATURES},
    [REQ_DOMAIN_REMOVE] = {"domain-remove", REQ_BY_ESP, RES_DOMAIN, false, true, true, 0},
    [REQ_SIGNATURE_REMOVE] = {"signature-remove", REQ_BY_ESP, RES_SIGNATURE, false, true, true,
			      ESP_CAP_SIGNATURES},
    /* an unknown policy is said, not asked again: the customer goes on */
    [REQ_DMARC_CHECK] = {"dmarc-check", REQ_BY_DNS, RES_NONE, false, false, false, 0},
    [REQ_SERVER_ENSURE] = {"server-ensure", REQ_BY_ESP, RES_NONE, true, false, true,
			   ESP_CAP_SERVERS},
    /* nobody sends an email again but the customer */
    [REQ_EMAIL_SEND] = {"email-send", REQ_BY_ESP, RES_NONE, false, false, false, ESP_CAP_SEND},
    [REQ_SIGNATURE_UPDATE] = {"signature-update", REQ_BY_ESP, RES_SIGNATURE, false, false, true,
			      ESP_CAP_SIGNATURES},
};

const struct request_def *wizard_request_def(enum wizard_request req)
{
	return (unsigned)req < REQ__COUNT ? &requests[req] : NULL;
}

const char *wizard_request_word(enum wizard_request req)
{
	const struct request_def *d = wizard_request_def(req);
	return d && d->word ? d->word : "none";
}

/* The request that removes a resource of kind. */
static enum wizard_request request_removing(enum wizard_res_kind kind)
{
	int r;
	for (r = 0; r < REQ__COUNT; r++)
		if (requests[r].removes && requests[r].about == kind)
			return (enum wizard_request)r;
	return REQ_NONE;
}

const char *wizard_step_word(enum wizard_step step)
{
	const struct step_def *d = step_table(step);
	return d ? d->word : "unknown";
}

enum wizard_step wizard_step_from_word(const char *word)
{
	int s;
	for (s = 0; s < STEP__COUNT; s++)
		if (strcmp(step_table((enum wizard_step)s)->word, word) == 0)
			return (enum wizard_step)s;
	return STEP__COUNT;
}

void wizard_init(struct wizard *w, const struct wizard_config *cfg)
{
	memset(w, 0, sizeof *w);
	if (cfg)
		w->cfg = *cfg;
	w->step = STEP_WELCOME;
	w->from_format = FROM_FORMAT_VIA;
	w->from_address = FROM_ADDRESS_SHARED;
	field_set(&w->from_pattern, "{name} at {vendor}");
	w->removing = -1;
	w->dirty = true;
}

const char *wizard_option_word(enum wizard_option option)
{
	static const char *const words[OPTION__COUNT] = {"", "domain", "address", "name"};
	return (unsigned)option < OPTION__COUNT ? words[option] : "";
}

/* A milestone happened: its time is kept (saved) and the listener told,
 * before the screen moves on. */
static void wizard_milestone(struct wizard *w, enum milestone m, const char *subject)
{
	if ((unsigned)m >= MILESTONE_COUNT)
		return;
	w->milestones_ms[m] = clock_wall_ms();
	w->dirty = true;
	if (w->cfg.milestone)
		w->cfg.milestone(w->cfg.milestone_ctx, w, m, subject ? subject : "");
}

/* What onboarding.done is about: the domain, the address or the From header. */
static const char *wizard_done_subject(const struct wizard *w, char *buf, size_t cap)
{
	switch (w->option) {
	case OPTION_DOMAIN:
		return w->domain.ascii;
	case OPTION_ADDRESS:
		return w->address_normalized;
	case OPTION_NAME: {
		char display[FROM_HEADER_MAX], address[EMAIL_MAX];
		wizard_from_preview(w, display, sizeof display, address, sizeof address, buf, cap);
		return buf;
	}
	default:
		return "";
	}
}

/* The notice goes, and a halt with it: the customer moved on, so the next
 * request may be tried again. */
static void wizard_clear_notice(struct wizard *w)
{
	w->notice_kind = NOTICE_NONE;
	w->notice[0] = '\0';
	w->halted = false;
}

/* Moves forward to step, remembering where we were for Back. */
static void wizard_goto(struct wizard *w, enum wizard_step step)
{
	if (step == w->step)
		return;
	if (w->history_len == WIZARD_HISTORY_MAX) {
		memmove(w->history, w->history + 1,
			(WIZARD_HISTORY_MAX - 1) * sizeof w->history[0]);
		w->history_len--;
	}
	w->history[w->history_len++] = w->step;
	w->step = step;
	wizard_clear_notice(w);
	w->dirty = true;
	if (step == STEP_DONE) {
		char header[FROM_HEADER_MAX] = "";
		wizard_milestone(w, MILESTONE_DONE, wizard_done_subject(w, header, sizeof header));
	}
}

enum wizard_option wizard_step_option(enum wizard_step step)
{
	const struct step_def *d = step_table(step);
	return d ? d->option : OPTION_NONE;
}

/* The resource of kind the step works with, when it exists at the ESP and
 * is the one typed (not a kept other one). */
static bool wizard_res_current(const struct wizard *w, enum wizard_res_kind kind)
{
	if (kind == RES_DOMAIN)
		return wizard_domain_current(w);
	if (kind == RES_SIGNATURE)
		return wizard_signature_current(w);
	return false;
}

/* A removal of the step's resource is under way (asked on a keep-or-remove
 * step the customer has since left with Back). */
static bool wizard_res_removing(const struct wizard *w, enum wizard_res_kind kind)
{
	const struct wizard_resource *r = NULL;
	const char *id = kind == RES_DOMAIN ? w->esp_domain.id : w->signature.id;
	if ((unsigned)w->busy < REQ__COUNT && requests[w->busy].removes && w->removing >= 0 &&
	    (size_t)w->removing < w->nresources)
		r = &w->resources[w->removing];
	return r && r->kind == kind && strcmp(r->id, id) == 0;
}

/* Back skips what no longer applies: the steps of an option the customer
 * switched away from (going there would act on that option again, e.g.
 * create a removed domain anew), finished keep-or-remove decisions, and
 * the step we are on. */
static bool wizard_back_skips(const struct wizard *w, enum wizard_step step)
{
	const struct step_def *d = step_table(step);
	if (!d || step == w->step || step == STEP_SWITCH ||
	    (d->option != OPTION_NONE && d->option != w->option))
		return true;
	/* Back never creates anything: the waiting steps only when what they
	 * wait on still exists at the ESP, and is not being removed (it would
	 * be made again once gone). */
	if (d->waits_on != RES_NONE)
		return !wizard_res_current(w, d->waits_on) || wizard_res_removing(w, d->waits_on);
	return false;
}

bool wizard_back(struct wizard *w)
{
	size_t n = w->history_len;
	while (n && wizard_back_skips(w, w->history[n - 1]))
		n--;
	if (!n)
		return false;
	w->history_len = n - 1;
	w->step = w->history[n - 1];
	w->switch_confirmed = false;
	wizard_clear_notice(w);
	w->dirty = true;
	return true;
}

static enum wizard_step option_first_step(enum wizard_option option)
{
	int s;
	for (s = 0; s < STEP__COUNT; s++)
		if (step_table((enum wizard_step)s)->first &&
		    step_table((enum wizard_step)s)->option == option)
			return (enum wizard_step)s;
	return STEP_CHOOSE;
}

/* ---- resources at the ESP ---------------------------------------------- */

static struct wizard_resource *res_find(struct wizard *w, enum wizard_res_kind kind, const char *id)
{
	size_t i;
	for (i = 0; i < w->nresources; i++)
		if (w->resources[i].kind == kind && strcmp(w->resources[i].id, id) == 0)
			return &w->resources[i];
	return NULL;
}

/* Makes room in a full list: the oldest removed entry goes, else the
 * oldest kept one (a customer with that many resources is rare). */
static void res_evict(struct wizard *w)
{
	size_t i, victim = w->nresources;
	for (i = 0; i < w->nresources && victim == w->nresources; i++)
		if (w->resources[i].fate == RES_REMOVED)
			victim = i;
	for (i = 0; i < w->nresources && victim == w->nresources; i++)
		if (w->resources[i].fate == RES_KEPT)
			victim = i;
	if (victim == w->nresources)
		victim = 0;
	memmove(&w->resources[victim], &w->resources[victim + 1],
		(w->nresources - victim - 1) * sizeof w->resources[0]);
	w->nresources--;
	if (w->removing == (int)victim)
		w->removing = -1;
	else if (w->removing > (int)victim)
		w->removing--;
}

/* Remembers what the ESP told us about; in_use when the customer goes on
 * with it (a resource the ESP made anew or found again is in use too). */
static struct wizard_resource *res_note(struct wizard *w, enum wizard_res_kind kind, const char *id,
					const char *name, bool in_use)
{
	struct wizard_resource *r = res_find(w, kind, id);
	if (!r) {
		if (w->nresources == WIZARD_RESOURCES_MAX)
			res_evict(w);
		r = &w->resources[w->nresources++];
		memset(r, 0, sizeof *r);
		r->kind = kind;
		str_copy(r->id, sizeof r->id, id);
		r->fate = RES_IN_USE;
	}
	str_copy(r->name, sizeof r->name, name);
	if (in_use || r->fate == RES_REMOVED)
		r->fate = RES_IN_USE;
	w->dirty = true;
	return r;
}

/* Whether going on with option (its domain or address as typed) uses r. */
static bool res_used_by(const struct wizard *w, const struct wizard_resource *r,
			enum wizard_option option)
{
	if (r->kind == RES_DOMAIN)
		return option == OPTION_DOMAIN && strcasecmp(r->name, w->domain.ascii) == 0;
	return option == OPTION_ADDRESS && strcasecmp(r->name, w->address_normalized) == 0;
}

/* What this customer has at the ESP that going on with option does not use. */
static size_t switch_items_for(const struct wizard *w, enum wizard_option option, size_t *items,
			       size_t cap)
{
	size_t i, n = 0;
	for (i = 0; i < w->nresources && n < cap; i++)
		if (w->resources[i].fate != RES_REMOVED &&
		    !res_used_by(w, &w->resources[i], option))
			items[n++] = i;
	return n;
}

size_t wizard_switch_items(const struct wizard *w, size_t *items, size_t cap)
{
	return switch_items_for(w, w->switch_target, items, cap);
}

/* An in-use resource of kind the option's new input no longer uses: the
 * customer corrected the domain or the address. */
static bool wizard_corrects(const struct wizard *w, enum wizard_res_kind kind,
			    enum wizard_option option)
{
	size_t i;
	for (i = 0; i < w->nresources; i++) {
		const struct wizard_resource *r = &w->resources[i];
		if (r->kind == kind && r->fate == RES_IN_USE && !res_used_by(w, r, option))
			return true;
	}
	return false;
}

/* Entering the records or the confirmation step: what the ESP told us
 * about another domain or address is set aside (it stays in the list), and
 * the resource of the domain or address typed is in use again. */
static void wizard_settle(struct wizard *w)
{
	size_t i;
	if (w->option == OPTION_DOMAIN && w->esp_domain.exists && !wizard_domain_current(w)) {
		memset(&w->esp_domain, 0, sizeof w->esp_domain);
		w->nrecords = 0;
		memset(w->results, 0, sizeof w->results);
		w->checks = 0;
	}
	if (w->option == OPTION_ADDRESS && w->signature.exists && !wizard_signature_current(w)) {
		memset(&w->signature, 0, sizeof w->signature);
		w->resend_wanted = false; /* it was asked for the other address */
	}
	for (i = 0; i < w->nresources; i++)
		if (w->resources[i].fate == RES_KEPT && res_used_by(w, &w->resources[i], w->option))
			w->resources[i].fate = RES_IN_USE;
}

/* A verified domain or a confirmed address was no typo: a correction does
 * not offer to remove it by default. */
static bool res_proven(const struct wizard *w, const struct wizard_resource *r)
{
	if (r->kind == RES_DOMAIN)
		return w->esp_domain.exists && strcmp(w->esp_domain.id, r->id) == 0 &&
		       resource_esp_verified(&w->esp_domain);
	return w->signature.exists && strcmp(w->signature.id, r->id) == 0 && w->signature.confirmed;
}

/* Goes to the keep-or-remove step, which then continues to `then`.  A
 * correction offers to remove what was typed before; a switch keeps all
 * by default. */
static void wizard_start_switch(struct wizard *w, enum wizard_option target, enum wizard_step then,
				bool correction)
{
	size_t items[WIZARD_RESOURCES_MAX], n, i;
	w->switch_target = target;
	w->switch_then = then;
	w->switch_correction = correction;
	w->switch_confirmed = false;
	w->switch_cursor = 0;
	for (i = 0; i < w->nresources; i++)
		w->resources[i].remove = false;
	n = wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
	for (i = n; i-- > 0;) {
		struct wizard_resource *r = &w->resources[items[i]];
		r->remove = correction && r->fate == RES_IN_USE && !res_proven(w, r);
		if (r->remove)
			w->switch_cursor = (int)i; /* on the mistyped one */
	}
	wizard_goto(w, STEP_SWITCH);
}

bool wizard_esp_can(const struct wizard *w, unsigned cap)
{
	return (w->cfg.esp_lacks & cap) == 0;
}

bool wizard_option_offered(const struct wizard *w, enum wizard_option option)
{
	if (option <= OPTION_NONE || option >= OPTION__COUNT)
		return false;
	return option != OPTION_ADDRESS || wizard_esp_can(w, ESP_CAP_SIGNATURES);
}

void wizard_choose(struct wizard *w, enum wizard_option option, int64_t now_ms)
{
	size_t items[WIZARD_RESOURCES_MAX];
	(void)now_ms;
	if (!wizard_option_offered(w, option))
		return;
	w->choose_cursor = (int)option - 1;
	if (option != w->option && switch_items_for(w, option, items, WIZARD_RESOURCES_MAX)) {
		wizard_start_switch(w, option, option_first_step(option), false);
		return;
	}
	w->option = option;
	wizard_milestone(w, MILESTONE_OPTION_CHOSEN, wizard_option_word(option));
	wizard_goto(w, option_first_step(option));
}

void wizard_switch(struct wizard *w)
{
	if (w->step == STEP_CHOOSE)
		return;
	if (w->option > OPTION_NONE)
		w->choose_cursor = (int)w->option - 1;
	wizard_milestone(w, MILESTONE_SWITCHED, wizard_option_word(w->option));
	wizard_goto(w, STEP_CHOOSE);
}

/* ---- advisor ---------------------------------------------------------- */

void wizard_advisor_answer(struct wizard *w, enum advisor_answer answer)
{
	if (w->advisor_question < 0 || w->advisor_question >= ADVISOR_QUESTIONS)
		return;
	w->advisor[w->advisor_question++] = answer;
	w->advisor_cursor = 0;
	if (w->advisor_question < ADVISOR_QUESTIONS &&
	    w->advisor[w->advisor_question] != ADVISOR_UNANSWERED)
		w->advisor_cursor = (int)w->advisor[w->advisor_question] - 1;
	w->dirty = true;
}

/* Q1: can you edit DNS?  Q2: must mail show your own address?  Q3: must you
 * send today?  DNS access wins (option 1); without it an own address means
 * option 2; otherwise option 3 to start.  Without sender signatures at the
 * ESP an own address means option 1 (someone adds the records), or option 3
 * to start today. */
enum wizard_option wizard_advisor_recommend(const struct wizard *w, const char **reason)
{
	enum advisor_answer dns = w->advisor[0], own = w->advisor[1], today = w->advisor[2];
	const char *why;
	enum wizard_option pick;
	if (w->advisor_question < ADVISOR_QUESTIONS) {
		if (reason)
			*reason = NULL;
		return OPTION_NONE;
	}
	if (dns == ADVISOR_YES) {
		pick = OPTION_DOMAIN;
		why = today == ADVISOR_YES ? "advisor.reason_dns_today" : "advisor.reason_dns";
	} else if (dns == ADVISOR_UNSURE && today != ADVISOR_YES) {
		pick = OPTION_DOMAIN;
		why = "advisor.reason_teammate";
	} else if (own != ADVISOR_NO && wizard_option_offered(w, OPTION_ADDRESS)) {
		pick = OPTION_ADDRESS;
		why = "advisor.reason_address";
	} else if (own != ADVISOR_NO && today != ADVISOR_YES) {
		pick = OPTION_DOMAIN;
		why = "advisor.reason_domain_no_address";
	} else if (own != ADVISOR_NO) {
		pick = OPTION_NAME;
		why = "advisor.reason_name_no_address";
	} else {
		pick = OPTION_NAME;
		why = "advisor.reason_name";
	}
	if (reason)
		*reason = why;
	return pick;
}

/* ---- step handlers ------------------------------------------------------ */

static bool next_welcome(struct wizard *w, int64_t now_ms)
{
	(void)now_ms;
	wizard_goto(w, STEP_CHOOSE);
	return true;
}

static bool next_choose(struct wizard *w, int64_t now_ms)
{
	if (w->choose_cursor >= 0 && w->choose_cursor < 3) {
		enum wizard_option o = (enum wizard_option)(w->choose_cursor + 1);
		if (!wizard_option_offered(w, o))
			return false;
		wizard_choose(w, o, now_ms);
		return true;
	}
	w->advisor_question = 0;
	w->advisor_cursor = w->advisor[0] != ADVISOR_UNANSWERED ? (int)w->advisor[0] - 1 : 0;
	wizard_goto(w, STEP_ADVISOR);
	return true;
}

static bool next_advisor(struct wizard *w, int64_t now_ms)
{
	enum wizard_option pick;
	if (w->advisor_question < ADVISOR_QUESTIONS) {
		int c = w->advisor_cursor;
		wizard_advisor_answer(w, c == 1	  ? ADVISOR_NO
					 : c == 2 ? ADVISOR_UNSURE
						  : ADVISOR_YES);
		return false;
	}
	pick = wizard_advisor_recommend(w, NULL);
	if (pick == OPTION_NONE)
		return false;
	wizard_choose(w, pick, now_ms);
	return true;
}

static struct validate_context wizard_validate_context(const struct wizard *w)
{
	struct validate_context ctx;
	ctx.vendor_domain = w->cfg.vendor_domain[0] ? w->cfg.vendor_domain : NULL;
	ctx.refuse_freemail = true;
	return ctx;
}

/* What the customer probably meant (validate_domain_suggest), offered at
 * the field with Tab to take it: a link or an address instead of err; a
 * www. name or a subdomain asked about once (Enter again keeps it).  Only
 * a suggestion that passes the same checks is offered. */
static enum input_error wizard_domain_suggest(const struct wizard *w,
					      const struct validate_context *ctx,
					      enum input_error err, char *detail, size_t cap)
{
	char meant[DOMAIN_UNICODE_MAX], why[128];
	enum domain_hint hint = validate_domain_suggest(w->domain_input.text, meant, sizeof meant);
	enum input_error again;
	if (hint == DOMAIN_HINT_NONE || (err == INPUT_OK && hint == DOMAIN_HINT_CLEANED))
		return err;
	if (err != INPUT_OK && hint != DOMAIN_HINT_CLEANED)
		return err;
	again = validate_domain(meant, ctx, NULL, why, sizeof why);
	if (again != INPUT_OK) {
		/* jane@gmail.com: say what is wrong with what was meant. */
		if (err != INPUT_OK)
			str_copy(detail, cap, why);
		return err != INPUT_OK ? again : INPUT_OK;
	}
	if (err == INPUT_OK &&
	    w->domain_input.error == (hint == DOMAIN_HINT_WWW ? INPUT_WWW : INPUT_SUBDOMAIN))
		return INPUT_OK; /* asked already: Enter keeps what was typed */
	if (!str_copy(detail, cap, meant)) {
		/* Too long to quote whole: its start and "...", whole characters. */
		size_t n = cap - 4;
		while (n && ((unsigned char)meant[n] & 0xc0) == 0x80)
			n--;
		snprintf(detail, cap, "%.*s...", (int)n, meant);
	}
	return hint == DOMAIN_HINT_CLEANED ? INPUT_DID_YOU_MEAN
	       : hint == DOMAIN_HINT_WWW   ? INPUT_WWW
					   : INPUT_SUBDOMAIN;
}

/* Enter on the domain: check it, then on to the records (the ESP work starts
 * there).  A different domain than the one created before goes through the
 * keep-or-remove step first. */
static bool next_domain(struct wizard *w, int64_t now_ms)
{
	struct validate_context ctx = wizard_validate_context(w);
	struct domain_value value;
	char detail[128] = "";
	enum input_error err;
	(void)now_ms;
	err = validate_domain(w->domain_input.text, &ctx, &value, detail, sizeof detail);
	if (err == INPUT_OK)
		err = validate_record_names(&value, w->cfg.record_label_max, detail, sizeof detail);
	err = wizard_domain_suggest(w, &ctx, err, detail, sizeof detail);
	if (err != INPUT_OK) {
		field_set_error(&w->domain_input, err, detail);
		w->dirty = true;
		return false;
	}
	field_set_error(&w->domain_input, INPUT_OK, "");
	w->domain = value;
	w->option = OPTION_DOMAIN;
	if (wizard_corrects(w, RES_DOMAIN, OPTION_DOMAIN)) {
		wizard_start_switch(w, OPTION_DOMAIN, STEP_RECORDS, true);
		return true;
	}
	wizard_settle(w);
	wizard_goto(w, STEP_RECORDS);
	return true;
}

/* Option 1 is done: every required record is verified by the DNS and by
 * the ESP, for the domain typed. */
static bool wizard_domain_done(const struct wizard *w)
{
	return wizard_domain_current(w) && resource_esp_verified(&w->esp_domain) &&
	       wizard_records_verified(w);
}

static bool next_records(struct wizard *w, int64_t now_ms)
{
	/* Back at a domain that is done (the ESP and the DNS agree): finish. */
	if (wizard_domain_done(w)) {
		wizard_goto(w, STEP_DONE);
		return true;
	}
	wizard_check_now(w, now_ms);
	if (wizard_records_verified(w))
		w->verify_after_ms = now_ms;
	return false;
}

/* Enter on the From address form: both fields checked, errors at each. */
static bool next_address(struct wizard *w, int64_t now_ms)
{
	struct validate_context ctx = wizard_validate_context(w);
	char detail[128] = "", normalized[EMAIL_MAX];
	enum input_error email_err, name_err;
	email_err = validate_email(w->address_email.text, &ctx, normalized, sizeof normalized, NULL,
				   detail, sizeof detail);
	if (email_err != INPUT_OK)
		field_set_error(&w->address_email, email_err, detail);
	detail[0] = '\0';
	name_err = validate_display_name(w->address_name.text, detail, sizeof detail);
	if (name_err != INPUT_OK)
		field_set_error(&w->address_name, name_err, detail);
	w->dirty = true;
	if (email_err != INPUT_OK || name_err != INPUT_OK) {
		w->address_focus = email_err != INPUT_OK ? 0 : 1;
		return false;
	}
	str_copy(w->address_normalized, sizeof w->address_normalized, normalized);
	w->option = OPTION_ADDRESS;
	w->poll_after_ms = now_ms; /* coming (back) to the wait: ask at once */
	if (wizard_corrects(w, RES_SIGNATURE, OPTION_ADDRESS)) {
		wizard_start_switch(w, OPTION_ADDRESS, STEP_CONFIRM, true);
		return true;
	}
	wizard_settle(w);
	wizard_goto(w, STEP_CONFIRM);
	return true;
}

static bool next_confirm(struct wizard *w, int64_t now_ms)
{
	if (w->signature.confirmed) {
		wizard_goto(w, STEP_DONE); /* back here from done: "Press Enter to finish" */
		return true;
	}
	if (wizard_dmarc_blocks(w)) {
		w->dmarc_ack = true; /* warned; the customer goes on anyway */
		w->dirty = true;
		return false;
	}
	w->poll_after_ms = now_ms;
	return false;
}

static bool next_from_name(struct wizard *w, int64_t now_ms)
{
	char detail[128] = "";
	enum input_error err;
	(void)now_ms;
	err = validate_display_name(w->from_name.text, detail, sizeof detail);
	if (err != INPUT_OK) {
		field_set_error(&w->from_name, err, detail);
		w->from_focus = 0;
		w->dirty = true;
		return false;
	}
	if (w->from_format == FROM_FORMAT_CUSTOM) {
		err = strstr(w->from_pattern.text, "{name}") ? INPUT_OK : INPUT_PATTERN_NO_NAME;
		if (err == INPUT_OK &&
		    !fromhdr_pattern_ok(w->from_pattern.text, detail, sizeof detail))
			err = INPUT_PATTERN_UNKNOWN;
		if (err == INPUT_OK)
			err = validate_display_name(w->from_pattern.text, detail, sizeof detail);
		if (err != INPUT_OK) {
			field_set_error(&w->from_pattern, err, detail);
			w->from_focus = 2;
			w->dirty = true;
			return false;
		}
	}
	w->option = OPTION_NAME;
	wizard_goto(w, STEP_DONE);
	return true;
}

/* Once every removal asked for is done, the switch completes: what is
 * left of the list is kept. */
static bool wizard_switch_finish(struct wizard *w)
{
	size_t items[WIZARD_RESOURCES_MAX], n, i;
	n = wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
	for (i = 0; i < n; i++)
		if (w->resources[items[i]].remove)
			return false;
	for (i = 0; i < n; i++) {
		struct wizard_resource *r = &w->resources[items[i]];
		bool newly = r->fate != RES_KEPT;
		r->fate = RES_KEPT;
		if (newly)
			wizard_milestone(w, MILESTONE_RESOURCES_KEPT, r->name);
	}
	w->switch_confirmed = false;
	w->option = w->switch_target;
	if (!w->switch_correction)
		wizard_milestone(w, MILESTONE_OPTION_CHOSEN, wizard_option_word(w->option));
	if (step_table(w->switch_then)->waits_on != RES_NONE)
		wizard_settle(w);
	/* The decision is made: the next step takes its place, so Back does
	 * not return to a keep-or-remove screen with nothing left to decide. */
	w->step = w->switch_then;
	wizard_clear_notice(w);
	w->dirty = true;
	return true;
}

static bool next_switch(struct wizard *w, int64_t now_ms)
{
	(void)now_ms;
	w->switch_confirmed = true;
	w->dirty = true;
	return wizard_switch_finish(w);
}

static bool next_done(struct wizard *w, int64_t now_ms)
{
	(void)w;
	(void)now_ms;
	return false;
}

bool wizard_next(struct wizard *w, int64_t now_ms)
{
	const struct step_def *d = step_table(w->step);
	return d && d->next ? d->next(w, now_ms) : false;
}

/* ---- option 1: records ------------------------------------------------- */

bool wizard_records_verified(const struct wizard *w)
{
	size_t i;
	if (!w->nrecords)
		return false;
	for (i = 0; i < w->nrecords; i++)
		if (w->records[i].required && w->results[i].status != STATUS_VERIFIED)
			return false;
	return true;
}

const struct wizard_dc *wizard_dc_offer(const struct wizard *w)
{
	if (w->dc.kind == WIZARD_DC_NONE || !w->dc.url[0] || w->option != OPTION_DOMAIN ||
	    !w->nrecords || strcmp(w->dc.domain, w->domain.ascii) != 0 ||
	    wizard_records_verified(w))
		return NULL;
	return &w->dc;
}

const char *wizard_dc_kind_word(enum wizard_dc_kind kind)
{
	static const char *const words[] = {"none", "apply", "control_panel"};
	_Static_assert(sizeof words / sizeof words[0] == WIZARD_DC_KINDS, "a word for every kind");
	return (unsigned)kind < WIZARD_DC_KINDS ? words[kind] : NULL;
}

bool wizard_pending_due(const struct wizard *w, int64_t wall_ms)
{
	int64_t shown = w->milestones_ms[MILESTONE_RECORDS_SHOWN];
	if (w->option != OPTION_DOMAIN || !shown || w->step == STEP_DONE)
		return false;
	if (w->milestones_ms[MILESTONE_PENDING_72H] >= shown)
		return false; /* said once since the records were shown */
	if (w->milestones_ms[MILESTONE_DONE] >= shown)
		return false;
	return wall_ms - shown >= WIZARD_PENDING_MS && !wizard_domain_done(w);
}

/* The domain at the ESP is the one the customer typed (not a kept other one). */
static bool wizard_domain_current(const struct wizard *w)
{
	return w->esp_domain.exists && strcasecmp(w->esp_domain.name, w->domain.ascii) == 0;
}

void wizard_check_now(struct wizard *w, int64_t now_ms)
{
	w->next_check_ms = now_ms;
	w->records_since_ms = now_ms; /* the customer is at work: poll fast again */
	/* and asks us to try again: "nothing more is tried" is no longer true */
	if (w->halted)
		wizard_clear_notice(w);
}

int wizard_next_check_in(const struct wizard *w, int64_t now_ms)
{
	int64_t ms = w->next_check_ms - now_ms;
	if (w->busy == REQ_DNS_CHECK || ms <= 0)
		return 0;
	return (int)((ms + 999) / 1000);
}

/* Fast every few seconds while the customer works, then backing off. */
static int64_t step_interval(enum wizard_step step, int64_t since)
{
	const struct step_timers *t = &step_table(step)->timers;
	int64_t interval = t->fast_ms;
	if (since < t->fast_for_ms)
		return t->fast_ms;
	if (!t->backoff)
		return t->slow_ms;
	since -= t->fast_for_ms;
	while (since > 0 && interval < t->slow_ms) {
		interval *= 2;
		since -= 60000;
	}
	return interval < t->slow_ms ? interval : t->slow_ms;
}

static int64_t wizard_check_interval(const struct wizard *w, int64_t now_ms)
{
	return step_interval(STEP_RECORDS, now_ms - w->records_since_ms);
}

static void wizard_set_record(struct expected_record *r, enum record_purpose purpose,
			      enum record_type type, const char *name, const char *value,
			      bool required)
{
	memset(r, 0, sizeof *r);
	r->purpose = purpose;
	r->type = type;
	str_copy(r->name, sizeof r->name, name);
	str_copy(r->value, sizeof r->value, value);
	r->required = required;
}

/* The records the customer must publish, from the ESP's view of the domain;
 * results are kept when the records did not change. */
static void wizard_build_records(struct wizard *w)
{
	struct expected_record next[WIZARD_MAX_RECORDS];
	char dmarc[RECORD_NAME_MAX + 8];
	size_t n = 0, i;
	bool changed;
	for (i = 0; i < w->esp_domain.nrecords && i < RESOURCE_RECORDS_MAX; i++)
		next[n++] = w->esp_domain.records[i].rec;
	snprintf(dmarc, sizeof dmarc, "_dmarc.%s", w->esp_domain.name);
	wizard_set_record(&next[n++], PURPOSE_DMARC, RECORD_TYPE_TXT, dmarc, "v=DMARC1; p=none;",
			  false);
	changed = n != w->nrecords;
	for (i = 0; i < n; i++) {
		if (i < w->nrecords && memcmp(&next[i], &w->records[i], sizeof next[i]) == 0)
			continue;
		w->records[i] = next[i];
		memset(&w->results[i], 0, sizeof w->results[i]);
		changed = true;
	}
	for (; i < WIZARD_MAX_RECORDS; i++)
		memset(&w->results[i], 0, sizeof w->results[i]);
	w->nrecords = n;
	/* a Domain Connect link applies the records it was made for */
	if (changed)
		memset(&w->dc, 0, sizeof w->dc);
}

bool wizard_server_question(const struct wizard *w)
{
	return w->cfg.server_mode == SERVER_MODE_ASK && w->server_answer == SERVER_UNASKED &&
	       !w->server_id[0];
}

void wizard_server_answer(struct wizard *w, bool wanted)
{
	w->server_answer = wanted ? SERVER_WANTED : SERVER_DECLINED;
	w->dirty = true;
}

void wizard_on_server(struct wizard *w, const char *server_id, int64_t now_ms)
{
	(void)now_ms;
	if (w->busy == REQ_SERVER_ENSURE)
		wizard_request_ok(w);
	if (server_id && *server_id)
		str_copy(w->server_id, sizeof w->server_id, server_id);
	w->dirty = true;
}

/* Before the first resource: the customer's own server, when asked for.
 * REQ_NONE with *ask true while the question waits for an answer. */
static enum wizard_request want_server(const struct wizard *w, bool *ask)
{
	*ask = wizard_server_question(w);
	if (*ask || w->server_id[0] || w->cfg.server_mode != SERVER_MODE_ASK ||
	    w->server_answer != SERVER_WANTED)
		return REQ_NONE;
	return REQ_SERVER_ENSURE;
}

static enum wizard_request want_records(const struct wizard *w, int64_t now_ms, int64_t wall_ms,
					int64_t *wake_ms)
{
	enum wizard_request server;
	bool ask;
	(void)wall_ms;
	if (!wizard_domain_current(w)) {
		server = want_server(w, &ask);
		if (ask || server != REQ_NONE)
			return server;
		return REQ_DOMAIN_ENSURE;
	}
	if (wizard_records_verified(w) && !resource_esp_verified(&w->esp_domain)) {
		if (now_ms >= w->verify_after_ms)
			return REQ_DOMAIN_VERIFY;
		*wake_ms = w->verify_after_ms;
	}
	if (now_ms >= w->next_check_ms)
		return REQ_DNS_CHECK;
	if (!*wake_ms || w->next_check_ms < *wake_ms)
		*wake_ms = w->next_check_ms;
	return REQ_NONE;
}

/* ---- option 2: sender signature ---------------------------------------- */

int wizard_resend_wait(const struct wizard *w, int64_t wall_ms)
{
	int64_t last = w->signature.resent_ms > w->signature.created_ms ? w->signature.resent_ms
									: w->signature.created_ms;
	int64_t left = last + RESEND_COOLDOWN_MS - wall_ms;
	/* The countdown is the typed address's own, never another's. */
	if (!wizard_signature_current(w) || left <= 0)
		return 0;
	return (int)((left + 999) / 1000);
}

void wizard_resend(struct wizard *w)
{
	if (wizard_signature_current(w) && !w->signature.confirmed)
		w->resend_wanted = true;
}

bool wizard_signature_current(const struct wizard *w)
{
	return w->signature.exists && strcasecmp(w->signature.email, w->address_normalized) == 0;
}

const char *wizard_address_domain(const struct wizard *w)
{
	const char *at = strrchr(w->address_normalized, '@');
	return at ? at + 1 : "";
}

bool wizard_dmarc_blocks(const struct wizard *w)
{
	return w->dmarc_verdict == DMARC_VERDICT_BLOCKS && !w->dmarc_ack &&
	       strcasecmp(w->dmarc_domain, wizard_address_domain(w)) == 0;
}

void wizard_on_dmarc(struct wizard *w, int verdict, const char *policy, int64_t now_ms)
{
	wizard_on_dmarc_org(w, wizard_address_domain(w), verdict, policy, NULL, now_ms);
}

void wizard_on_dmarc_org(struct wizard *w, const char *domain, int verdict, const char *policy,
			 const char *org, int64_t now_ms)
{
	(void)now_ms;
	wizard_request_ok(w);
	/* the customer changed the address meanwhile: this answer is not for it */
	if (strcasecmp(domain ? domain : "", wizard_address_domain(w)) != 0)
		return;
	str_copy(w->dmarc_domain, sizeof w->dmarc_domain, wizard_address_domain(w));
	w->dmarc_verdict = verdict;
	str_copy(w->dmarc_policy, sizeof w->dmarc_policy, policy ? policy : "");
	str_copy(w->dmarc_org, sizeof w->dmarc_org, org ? org : "");
	w->dmarc_ack = false;
	w->dirty = true;
}

/* Before creating the signature, the From domain's DMARC policy is looked
 * up: a quarantine or reject policy waits for the customer's decision. */
static enum wizard_request want_confirm(const struct wizard *w, int64_t now_ms, int64_t wall_ms,
					int64_t *wake_ms)
{
	if (!wizard_signature_current(w)) {
		enum wizard_request server;
		bool ask;
		if (strcasecmp(w->dmarc_domain, wizard_address_domain(w)) != 0)
			return REQ_DMARC_CHECK;
		if (wizard_dmarc_blocks(w))
			return REQ_NONE;
		server = want_server(w, &ask);
		if (ask || server != REQ_NONE)
			return server;
		return REQ_SIGNATURE_ENSURE;
	}
	/* The name changed after the signature was made: the ESP's copy too. */
	if (strcmp(w->address_name.text, w->signature.name) != 0 &&
	    strcmp(w->address_name.text, w->name_asked) != 0)
		return REQ_SIGNATURE_UPDATE;
	if (w->signature.confirmed)
		return REQ_NONE;
	if (w->resend_wanted && wizard_resend_wait(w, wall_ms) == 0)
		return REQ_SIGNATURE_RESEND;
	if (now_ms >= w->poll_after_ms)
		return REQ_SIGNATURE_POLL;
	*wake_ms = w->poll_after_ms;
	return REQ_NONE;
}

/* The next removal the customer asked for on the keep-or-remove step. */
static const struct wizard_resource *switch_next_removal(const struct wizard *w)
{
	size_t items[WIZARD_RESOURCES_MAX], n, i;
	if (w->step != STEP_SWITCH || !w->switch_confirmed)
		return NULL;
	n = wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
	for (i = 0; i < n; i++)
		if (w->resources[items[i]].remove)
			return &w->resources[items[i]];
	return NULL;
}

const struct wizard_resource *wizard_removal(const struct wizard *w)
{
	if ((unsigned)w->busy < REQ__COUNT && requests[w->busy].removes && w->removing >= 0 &&
	    (size_t)w->removing < w->nresources)
		return &w->resources[w->removing];
	return switch_next_removal(w);
}

static enum wizard_request want_switch(const struct wizard *w, int64_t now_ms, int64_t wall_ms,
				       int64_t *wake_ms)
{
	const struct wizard_resource *r = switch_next_removal(w);
	(void)now_ms;
	(void)wall_ms;
	(void)wake_ms;
	if (!r)
		return REQ_NONE;
	return request_removing(r->kind);
}

enum wizard_request wizard_next_request(const struct wizard *w, int64_t now_ms, int64_t wall_ms,
					int64_t *wake_ms)
{
	const struct step_def *d = step_table(w->step);
	int64_t wake = 0;
	enum wizard_request req = REQ_NONE;
	if (w->busy == REQ_NONE && w->export.send_wanted) {
		/* The customer asked for it: not held back by another request's retry. */
		req = REQ_EMAIL_SEND;
	} else if (w->busy == REQ_NONE && !w->halted) {
		if (w->retry_after_ms > now_ms)
			wake = w->retry_after_ms;
		else if (d && d->want)
			req = d->want(w, now_ms, wall_ms, &wake);
	}
	if (wake_ms)
		*wake_ms = wake;
	return req;
}

void wizard_request_started(struct wizard *w, enum wizard_request req, int64_t now_ms)
{
	const struct wizard_resource *r;
	if ((unsigned)req < REQ__COUNT && requests[req].removes) {
		r = switch_next_removal(w);
		w->removing = r ? (int)(r - w->resources) : -1;
	}
	if (req == REQ_SIGNATURE_UPDATE)
		str_copy(w->name_asked, sizeof w->name_asked, w->address_name.text);
	w->busy = req;
	w->busy_since_ms = now_ms;
	if (req == REQ_SIGNATURE_RESEND)
		w->resend_wanted = false;
	if (req == REQ_EMAIL_SEND)
		w->export.send_wanted = false;
}

/* A request ended well: forget earlier failures and their notice. */
static void wizard_request_ok(struct wizard *w)
{
	w->busy = REQ_NONE;
	w->failures = 0;
	w->retry_after_ms = 0;
	if (w->notice_kind == NOTICE_ERROR)
		wizard_clear_notice(w);
}

int64_t wizard_verify_wait_ms(int lagging)
{
	int64_t wait = VERIFY_SLOW_MS;
	int i;
	if (lagging < VERIFY_FAST_TRIES)
		return VERIFY_FAST_MS;
	if (lagging < VERIFY_FAST_TRIES + VERIFY_SLOW_TRIES)
		return VERIFY_SLOW_MS;
	for (i = VERIFY_FAST_TRIES + VERIFY_SLOW_TRIES; i <= lagging && wait < RETRY_MAX_MS; i++)
		wait *= 2;
	return wait < RETRY_MAX_MS ? wait : RETRY_MAX_MS;
}

void wizard_on_domain(struct wizard *w, const struct wizard_domain_res *d, int64_t now_ms)
{
	enum wizard_request req = w->busy;
	wizard_request_ok(w);
	res_note(w, RES_DOMAIN, d->id, d->name, req == REQ_DOMAIN_ENSURE);
	/* A late reply about a domain no longer typed changes only the list. */
	if (strcasecmp(d->name, w->domain.ascii) != 0)
		return;
	w->esp_domain = *d;
	w->esp_domain.exists = true;
	wizard_build_records(w);
	w->dirty = true;
	if (req == REQ_DOMAIN_ENSURE) {
		w->records_since_ms = now_ms;
		w->next_check_ms = now_ms;
		w->verify_attempts = 0;
		if (w->step == STEP_RECORDS)
			wizard_milestone(w, MILESTONE_RECORDS_SHOWN, w->domain.ascii);
	}
	if (resource_esp_verified(&w->esp_domain)) {
		/* The ESP is satisfied; done once the DNS shows it too (an adopted
		 * domain the ESP verified long ago is checked first). */
		if (w->step == STEP_RECORDS && wizard_domain_done(w))
			wizard_goto(w, STEP_DONE);
		return;
	}
	if (req == REQ_DOMAIN_VERIFY) {
		/* DNS has the records but the ESP does not see them yet: ask again. */
		w->verify_after_ms = now_ms + wizard_verify_wait_ms(w->verify_attempts);
		w->verify_attempts++;
	}
}

void wizard_on_dns(struct wizard *w, const struct record_result *results, size_t n,
		   const char *dns_host, int64_t now_ms)
{
	size_t i;
	bool was_verified = wizard_records_verified(w);
	enum record_status before[WIZARD_MAX_RECORDS];
	/* what the check found anew (an error's notice goes too): saved; the
	 * count of checks alone is saved with the next save (dirty stays) */
	bool changed = w->notice_kind == NOTICE_ERROR;
	if (!dns_host)
		dns_host = "";
	wizard_request_ok(w);
	for (i = 0; i < n && i < w->nrecords; i++) {
		before[i] = w->results[i].status;
		if (memcmp(&w->results[i], &results[i], sizeof results[i]) == 0)
			continue; /* 35 KB each: not copied onto itself */
		changed = true;
		w->results[i] = results[i];
	}
	for (i = 0; i < n && i < w->nrecords; i++) {
		enum record_status now = w->results[i].status;
		if (now == STATUS_VERIFIED && before[i] != STATUS_VERIFIED)
			wizard_milestone(w, MILESTONE_RECORD_VERIFIED, w->records[i].name);
		/* lost: a server answered without it; an unreachable one is no news */
		else if (before[i] == STATUS_VERIFIED &&
			 (now == STATUS_MISSING || now == STATUS_MISMATCH || now == STATUS_PARTIAL))
			wizard_milestone(w, MILESTONE_RECORD_LOST, w->records[i].name);
	}
	if (strcmp(w->dns_host, dns_host) != 0)
		changed = true;
	str_copy(w->dns_host, sizeof w->dns_host, dns_host);
	w->checks++;
	w->last_check_ms = now_ms;
	w->next_check_ms = now_ms + wizard_check_interval(w, now_ms);
	if (!was_verified && wizard_records_verified(w)) {
		w->verify_after_ms = now_ms;
		w->verify_attempts = 0;
		wizard_milestone(w, MILESTONE_ALL_VERIFIED, w->domain.ascii);
	}
	if (changed)
		w->dirty = true;
	/* The ESP verified the domain before the DNS showed every record (an
	 * adopted domain): done now.  Records already verified when the step
	 * was reached again stay on screen until Enter. */
	if (!was_verified && w->step == STEP_RECORDS && wizard_domain_done(w))
		wizard_goto(w, STEP_DONE);
}

void wizard_on_signature(struct wizard *w, const struct wizard_signature_res *s, int64_t now_ms,
			 int64_t wall_ms)
{
	enum wizard_request req = w->busy;
	struct wizard_resource *r;
	bool known;
	wizard_request_ok(w);
	known = res_find(w, RES_SIGNATURE, s->id) != NULL;
	r = res_note(w, RES_SIGNATURE, s->id, s->email, req == REQ_SIGNATURE_ENSURE);
	/* The cooldown belongs to the address: the times the list kept for it
	 * (the ESP may not tell them), else now for a signature just made. */
	if (s->created_ms)
		r->created_ms = s->created_ms;
	else if (!known || !r->created_ms)
		r->created_ms = wall_ms;
	if (s->resent_ms > r->resent_ms)
		r->resent_ms = s->resent_ms;
	if (req == REQ_SIGNATURE_RESEND)
		r->resent_ms = wall_ms;
	/* A late reply about an address no longer typed changes only the list. */
	if (strcasecmp(s->email, w->address_normalized) != 0)
		return;
	w->signature = *s;
	w->signature.exists = true;
	w->signature.created_ms = r->created_ms;
	w->signature.resent_ms = r->resent_ms;
	if (req == REQ_SIGNATURE_RESEND) {
		w->notice_kind = NOTICE_INFO;
		text_fmt(w->notice, sizeof w->notice, "wizard.resent", w->signature.email, NULL,
			 NULL);
	}
	w->poll_after_ms = now_ms + step_interval(STEP_CONFIRM, wall_ms - w->signature.created_ms);
	w->dirty = true;
	if (w->signature.confirmed && w->step == STEP_CONFIRM)
		wizard_goto(w, STEP_DONE);
	/* said after the move, so that a confirmed address's Done shows it too */
	if (req == REQ_SIGNATURE_UPDATE) {
		w->notice_kind = NOTICE_INFO;
		text_fmt(w->notice, sizeof w->notice, "wizard.renamed", w->cfg.esp_name,
			 w->signature.name, w->signature.email);
	}
}

void wizard_on_removed(struct wizard *w, enum wizard_request req, int64_t now_ms)
{
	struct wizard_resource *r = NULL;
	(void)now_ms;
	wizard_request_ok(w);
	if (w->removing >= 0 && (size_t)w->removing < w->nresources)
		r = &w->resources[w->removing];
	w->removing = -1;
	if (r && r->kind == RES_DOMAIN && req == REQ_DOMAIN_REMOVE) {
		r->fate = RES_REMOVED;
		r->remove = false;
		wizard_milestone(w, MILESTONE_RESOURCES_REMOVED, r->name);
		if (w->esp_domain.exists && strcmp(w->esp_domain.id, r->id) == 0) {
			memset(&w->esp_domain, 0, sizeof w->esp_domain);
			w->nrecords = 0;
			memset(w->results, 0, sizeof w->results);
		}
	} else if (r && r->kind == RES_SIGNATURE && req == REQ_SIGNATURE_REMOVE) {
		r->fate = RES_REMOVED;
		r->remove = false;
		wizard_milestone(w, MILESTONE_RESOURCES_REMOVED, r->name);
		if (w->signature.exists && strcmp(w->signature.id, r->id) == 0)
			memset(&w->signature, 0, sizeof w->signature);
	}
	w->dirty = true;
	if (w->step == STEP_SWITCH && w->switch_confirmed)
		wizard_switch_finish(w);
}

void wizard_on_error(struct wizard *w, enum wizard_request req, enum bh_err err,
		     const char *message, int64_t now_ms)
{
	int64_t wait = 1000;
	int i;
	const struct request_def *def = wizard_request_def(req);
	w->busy = REQ_NONE;
	if (def && def->removes)
		w->removing = -1;
	if (req == REQ_EMAIL_SEND) {
		wizard_export_send_failed(w, err, message, now_ms);
		return;
	}
	if (!def || !def->retried) {
		/* Only the DMARC check is neither retried nor the customer's to
		 * send again: unknown is not a reason to stop, say so and go on. */
		str_copy(w->dmarc_domain, sizeof w->dmarc_domain, wizard_address_domain(w));
		w->dmarc_verdict = DMARC_VERDICT_NONE;
		w->dmarc_policy[0] = '\0';
		w->dmarc_org[0] = '\0';
		w->notice_kind = NOTICE_INFO;
		text_fmt(w->notice, sizeof w->notice, "wizard.dmarc_unknown", w->dmarc_domain, NULL,
			 NULL);
		w->dirty = true;
		return;
	}
	w->failures++;
	w->notice_kind = NOTICE_ERROR;
	w->dirty = true;
	if (err == BH_ERR_AUTH) {
		/* The vendor's token: asking again changes nothing, and only the
		 * vendor can fix it.  Stop, and say so. */
		w->halted = true;
		w->retry_after_ms = 0;
		text_fmt(w->notice, sizeof w->notice,
			 w->cfg.support_contact[0] ? "wizard.stopped_auth"
						   : "wizard.stopped_auth_no_contact",
			 w->cfg.esp_name, w->cfg.vendor_name, w->cfg.support_contact);
		return;
	}
	{
		char base[WIZARD_NOTICE_MAX];
		if (message && *message) {
			sanitize_text(message, base, sizeof base);
		} else {
			char what[64];
			snprintf(what, sizeof what, "what.%s", wizard_request_word(req));
			text_fmt(base, sizeof base, "wizard.request_failed", text_get(what),
				 bh_strerror(err), NULL);
		}
		/* behalf asks again by itself: no "try again" for the customer */
		text_fmt(w->notice, sizeof w->notice, "wizard.retrying", base, NULL, NULL);
	}
	for (i = 1; i < w->failures && wait < RETRY_MAX_MS; i++)
		wait *= 2;
	/* A refusal will not change by asking again soon: wait the longest. */
	if (err == BH_ERR_REMOTE || err == BH_ERR_INVALID)
		wait = RETRY_MAX_MS;
	w->retry_after_ms = now_ms + (wait < RETRY_MAX_MS ? wait : RETRY_MAX_MS);
	if (req == REQ_SIGNATURE_UPDATE) {
		/* Says why the ESP still has the old name; a refusal is not asked
		 * again until the name changes, anything else is retried. */
		char why[WIZARD_NOTICE_MAX];
		if (message && *message)
			sanitize_text(message, why, sizeof why);
		else
			str_copy(why, sizeof why, bh_strerror(err));
		text_fmt(w->notice, sizeof w->notice, "wizard.rename_failed", w->cfg.esp_name,
			 w->signature.name, why);
		if (err != BH_ERR_REMOTE && err != BH_ERR_INVALID && err != BH_ERR_AUTH)
			w->name_asked[0] = '\0';
	}
	if (err == BH_ERR_REMOTE && def->creates && def->about != RES_NONE &&
	    step_table(w->step)->waits_on == def->about) {
		/* The ESP refused the domain or the address (free-mail, invalid):
		 * fix it at the field. */
		wizard_back(w);
		w->notice_kind = NOTICE_ERROR;
		if (message && *message)
			sanitize_text(message, w->notice, sizeof w->notice);
		w->retry_after_ms = 0;
	}
	w->dirty = true;
}

/* ---- option 3: From name ----------------------------------------------- */

void wizard_from_preview(const struct wizard *w, char *display, size_t dcap, char *address,
			 size_t acap, char *header, size_t hcap)
{
	char slug[64];
	const char *name = w->from_name.len ? w->from_name.text : text_get("wizard.preview_name");
	const char *who = w->cfg.customer_id[0] ? w->cfg.customer_id : name;
	fromhdr_slug(who, slug, sizeof slug);
	fromhdr_display_name(w->from_format, name, w->cfg.vendor_name, w->from_pattern.text,
			     display, dcap);
	fromhdr_address(w->from_address, w->cfg.shared_local, slug, w->cfg.vendor_domain, address,
			acap);
	fromhdr_header(display, address, header, hcap);
}

/* ---- the export dialog -------------------------------------------------- */

bool wizard_export_available(const struct wizard *w)
{
	const struct step_def *d = step_table(w->step);
	return d && d->shares && w->option != OPTION_NONE;
}

bool wizard_export_open(struct wizard *w)
{
	struct wizard_export *x = &w->export;
	if (!wizard_export_available(w)) {
		w->notice_kind = NOTICE_INFO;
		str_copy(w->notice, sizeof w->notice, text_get("export_dialog.nothing"));
		w->dirty = true;
		return false;
	}
	x->view = EXPORT_VIEW_MENU;
	x->cursor = 0;
	x->shown = false;
	x->result[0] = '\0';
	x->result_error = false;
	x->send_error[0] = '\0';
	if (!x->reply_to.len) {
		if (w->address_normalized[0])
			field_set(&x->reply_to, w->address_normalized);
		else if (w->signature.email[0])
			field_set(&x->reply_to, w->signature.email);
	}
	w->dirty = true;
	return true;
}

void wizard_export_back(struct wizard *w)
{
	struct wizard_export *x = &w->export;
	if (x->view == EXPORT_VIEW_MENU || x->view == EXPORT_VIEW_CLOSED) {
		x->view = EXPORT_VIEW_CLOSED;
	} else if ((x->view == EXPORT_VIEW_FILE || x->view == EXPORT_VIEW_COPY ||
		    x->view == EXPORT_VIEW_QR) &&
		   x->shown) {
		x->shown = false; /* from the result back to its list */
	} else {
		x->cursor = x->view == EXPORT_VIEW_FILE	  ? EXPORT_ITEM_FILE
			    : x->view == EXPORT_VIEW_COPY ? EXPORT_ITEM_COPY
			    : x->view == EXPORT_VIEW_QR	  ? EXPORT_ITEM_QR
							  : EXPORT_ITEM_SEND;
		x->view = EXPORT_VIEW_MENU;
		x->shown = false;
	}
	x->result[0] = '\0';
	x->result_error = false;
	w->dirty = true;
}

int wizard_export_copy_count(const struct wizard *w)
{
	if (w->option == OPTION_DOMAIN)
		return 2 * (int)w->nrecords; /* each record's Name, then its Value */
	return w->option == OPTION_NAME ? 1 : 0;
}

bool wizard_export_copy_value(const struct wizard *w, int i, const char **label, char *value,
			      size_t cap)
{
	if (i < 0 || i >= wizard_export_copy_count(w))
		return false;
	if (w->option == OPTION_DOMAIN) {
		const struct expected_record *r = &w->records[i / 2];
		if (i % 2 == 0) {
			*label = "export_dialog.copy_name";
			record_relative_label(
			    r->name, w->domain.ascii[0] ? w->domain.ascii : w->esp_domain.name,
			    value, cap);
		} else {
			*label = "export_dialog.copy_value";
			str_copy(value, cap, r->value);
		}
		return true;
	}
	{
		char display[FROM_DISPLAY_MAX], address[EMAIL_MAX], header[FROM_HEADER_MAX];
		wizard_from_preview(w, display, sizeof display, address, sizeof address, header,
				    sizeof header);
		*label = "export_dialog.copy_from";
		str_copy(value, cap, header);
	}
	return true;
}

int wizard_export_qr_count(const struct wizard *w)
{
	return w->option == OPTION_DOMAIN && w->nrecords ? (int)w->nrecords + 1 : 0;
}

bool wizard_export_item_ok(const struct wizard *w, enum export_item item, const char **why_id)
{
	const char *why = NULL;
	switch (item) {
	case EXPORT_ITEM_FILE:
		if (w->export.remote)
			why = "export_dialog.why_remote";
		break;
	case EXPORT_ITEM_SEND:
		if (!wizard_esp_can(w, ESP_CAP_SEND))
			why = "export_dialog.why_no_send";
		break;
	case EXPORT_ITEM_COPY:
		if (!wizard_export_copy_count(w))
			why = "export_dialog.why_no_copy";
		break;
	case EXPORT_ITEM_QR:
		if (!wizard_export_qr_count(w))
			why = "export_dialog.why_no_qr";
		break;
	default:
		why = "export_dialog.why_no_copy";
		break;
	}
	if (why_id)
		*why_id = why;
	return why == NULL;
}

/* The send times the hourly limit counts: the demo's own in a demo. */
static const int64_t *export_sends(const struct wizard *w)
{
	return w->cfg.demo ? w->export.demo_sends_ms : w->export.sends_ms;
}

/* Sends within the last hour, and the oldest of them (wall ms). */
static int export_sends_in_window(const struct wizard *w, int64_t wall_ms, int64_t *oldest)
{
	const int64_t *sends = export_sends(w);
	int i, n = 0;
	*oldest = 0;
	for (i = 0; i < WIZARD_SENDS_PER_HOUR; i++) {
		int64_t t = sends[i];
		if (t <= 0 || t > wall_ms || wall_ms - t >= WIZARD_SEND_WINDOW_MS)
			continue;
		if (!n || t < *oldest)
			*oldest = t;
		n++;
	}
	return n;
}

int wizard_export_send_wait(const struct wizard *w, int64_t wall_ms)
{
	int64_t oldest, left;
	if (export_sends_in_window(w, wall_ms, &oldest) < WIZARD_SENDS_PER_HOUR)
		return 0;
	left = oldest + WIZARD_SEND_WINDOW_MS - wall_ms;
	return left > 0 ? (int)((left + 999) / 1000) : 0;
}

/* Remembers a send (the newest WIZARD_SENDS_PER_HOUR are kept). */
static void export_sends_push(struct wizard *w, int64_t wall_ms)
{
	int64_t *sends = w->cfg.demo ? w->export.demo_sends_ms : w->export.sends_ms;
	int i, oldest = 0;
	for (i = 1; i < WIZARD_SENDS_PER_HOUR; i++)
		if (sends[i] < sends[oldest])
			oldest = i;
	sends[oldest] = wall_ms;
}

/* Copies a text body, each line sanitized on its own (the lines stay),
 * cut at the end of the last whole line that fits. */
static void export_body_copy(const char *in, char *out, size_t cap)
{
	const char *p = in;
	size_t used = 0;
	out[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), len;
		char *line = xstrndup(p, n), *clean = xmalloc(n + 1);
		len = sanitize_text(line, clean, n + 1);
		if (used + len + 2 > cap) {
			free(line);
			free(clean);
			break;
		}
		memcpy(out + used, clean, len);
		used += len;
		if (nl)
			out[used++] = '\n';
		out[used] = '\0';
		free(line);
		free(clean);
		if (!nl)
			break;
		p = nl + 1;
	}
}

void wizard_export_count_send(struct wizard *w, int64_t wall_ms)
{
	export_sends_push(w, wall_ms);
	w->dirty = true;
}

/* "in 42 minutes (at 14:05 UTC)" for the hourly limit. */
static void export_limit_text(const struct wizard *w, int64_t wall_ms, char *out, size_t cap)
{
	int secs = wizard_export_send_wait(w, wall_ms);
	char minutes[16], at[16] = "";
	time_t t = (time_t)((wall_ms + (int64_t)secs * 1000) / 1000);
	struct tm tm;
	snprintf(minutes, sizeof minutes, "%d", (secs + 59) / 60);
	if (gmtime_r(&t, &tm))
		strftime(at, sizeof at, "%H:%M", &tm);
	text_fmt(out, cap, "export_dialog.limit", minutes, at, NULL);
}

/* One address field: checked, normalised into out; false with the error
 * at the field. */
static bool export_check_email(struct field *f, char *out, size_t cap)
{
	struct validate_context ctx = {NULL, false};
	char detail[128] = "";
	enum input_error err = validate_email(f->text, &ctx, out, cap, NULL, detail, sizeof detail);
	if (err != INPUT_OK) {
		field_set_error(f, err, detail);
		return false;
	}
	return true;
}

bool wizard_export_send(struct wizard *w, int64_t wall_ms)
{
	struct wizard_export *x = &w->export;
	size_t i;
	if (x->send_wanted || w->busy == REQ_EMAIL_SEND)
		return false;
	x->send_error[0] = '\0';
	w->dirty = true;
	if (!wizard_esp_can(w, ESP_CAP_SEND)) {
		str_copy(x->send_error, sizeof x->send_error,
			 text_get("export_dialog.why_no_send"));
		return false;
	}
	if (!export_check_email(&x->to, x->send_to, sizeof x->send_to)) {
		x->focus = 0;
		return false;
	}
	for (i = 0; i < x->note.len; i++)
		if ((unsigned char)x->note.text[i] < 0x20 || x->note.text[i] == 0x7f) {
			field_set_error(&x->note, INPUT_CONTROL_CHARACTER, "");
			x->focus = 1;
			return false;
		}
	if (field_chars(&x->note) > WIZARD_NOTE_MAX) {
		char limit[16];
		snprintf(limit, sizeof limit, "%d", WIZARD_NOTE_MAX);
		field_set_error(&x->note, INPUT_TOO_LONG, limit);
		x->focus = 1;
		return false;
	}
	if (!export_check_email(&x->reply_to, x->send_reply_to, sizeof x->send_reply_to)) {
		x->focus = 2;
		return false;
	}
	if (wizard_export_send_wait(w, wall_ms) > 0) {
		export_limit_text(w, wall_ms, x->send_error, sizeof x->send_error);
		return false;
	}
	x->send_wanted = true;
	return true;
}

void wizard_on_email_sent(struct wizard *w, const struct wizard_sent_email *sent, int64_t wall_ms)
{
	struct wizard_export *x = &w->export;
	wizard_request_ok(w);
	sanitize_text(sent->from, x->sent.from, sizeof x->sent.from);
	sanitize_text(sent->to, x->sent.to, sizeof x->sent.to);
	sanitize_text(sent->reply_to, x->sent.reply_to, sizeof x->sent.reply_to);
	sanitize_text(sent->subject, x->sent.subject, sizeof x->sent.subject);
	export_body_copy(sent->body, x->sent.body, sizeof x->sent.body);
	x->sent_scroll = 0;
	sanitize_text(sent->message_id, x->sent.message_id, sizeof x->sent.message_id);
	export_sends_push(w, wall_ms);
	x->send_error[0] = '\0';
	wizard_milestone(w, MILESTONE_TEAMMATE_EMAILED, x->sent.to);
	if (x->view == EXPORT_VIEW_SEND)
		x->view = EXPORT_VIEW_SENT;
	w->dirty = true;
}

/* REQ_EMAIL_SEND failed: said at the form; no retry (the customer decides). */
static void wizard_export_send_failed(struct wizard *w, enum bh_err err, const char *message,
				      int64_t now_ms)
{
	struct wizard_export *x = &w->export;
	(void)now_ms;
	x->send_wanted = false; /* it could not even start: the customer decides */
	if (message && *message && (err == BH_ERR_NETWORK || err == BH_ERR_TIMEOUT)) {
		/* a passing trouble, and nobody retries a send but the customer */
		char base[sizeof x->send_error];
		sanitize_text(message, base, sizeof base);
		text_fmt(x->send_error, sizeof x->send_error, "wizard.send_retry", base, NULL,
			 NULL);
	} else if (message && *message) {
		sanitize_text(message, x->send_error, sizeof x->send_error);
	} else if (err == BH_ERR_AUTH) {
		text_fmt(x->send_error, sizeof x->send_error, "export_dialog.send_no_token",
			 w->cfg.esp_name, NULL, NULL);
	} else {
		text_fmt(x->send_error, sizeof x->send_error, "export_dialog.send_failed",
			 bh_strerror(err), NULL, NULL);
	}
	w->dirty = true;
}

/* ---- the table --------------------------------------------------------- */

/* DNS checks on the records step: every 2 s for the first five minutes
 * after the customer last did something, then backing off to a minute. */
#define RECORDS_TIMERS                                                                             \
	{                                                                                          \
		2000, 300000, 60000, true                                                          \
	}
/* Confirmation polls: every 3 s for five minutes after the email went
 * out, then every 20 s. */
#define CONFIRM_TIMERS                                                                             \
	{                                                                                          \
		3000, 300000, 20000, false                                                         \
	}
#define NO_TIMERS                                                                                  \
	{                                                                                          \
		0, 0, 0, false                                                                     \
	}

static const struct step_def steps[STEP__COUNT] = {
    /* word, option, first, waits_on, shares, timers, next, want */
    [STEP_WELCOME] = {"welcome", OPTION_NONE, false, RES_NONE, false, NO_TIMERS, next_welcome,
		      NULL},
    [STEP_CHOOSE] = {"choose", OPTION_NONE, false, RES_NONE, false, NO_TIMERS, next_choose, NULL},
    [STEP_ADVISOR] = {"advisor", OPTION_NONE, false, RES_NONE, false, NO_TIMERS, next_advisor,
		      NULL},
    [STEP_DOMAIN] = {"domain", OPTION_DOMAIN, true, RES_NONE, false, NO_TIMERS, next_domain, NULL},
    [STEP_RECORDS] = {"records", OPTION_DOMAIN, false, RES_DOMAIN, true, RECORDS_TIMERS,
		      next_records, want_records},
    [STEP_ADDRESS] = {"address", OPTION_ADDRESS, true, RES_NONE, false, NO_TIMERS, next_address,
		      NULL},
    [STEP_CONFIRM] = {"confirm", OPTION_ADDRESS, false, RES_SIGNATURE, true, CONFIRM_TIMERS,
		      next_confirm, want_confirm},
    [STEP_FROM_NAME] = {"from-name", OPTION_NAME, true, RES_NONE, true, NO_TIMERS, next_from_name,
			NULL},
    [STEP_SWITCH] = {"switch", OPTION_NONE, false, RES_NONE, false, NO_TIMERS, next_switch,
		     want_switch},
    [STEP_DONE] = {"done", OPTION_NONE, false, RES_NONE, true, NO_TIMERS, next_done, NULL},
};

static const struct step_def *step_table(enum wizard_step step)
{
	return (unsigned)step < STEP__COUNT ? &steps[step] : NULL;
}

const struct step_def *wizard_step_def(enum wizard_step step)
{
	return step_table(step);
}

/* msg = "<what> <word>: <why>"; returns false. */
static bool table_says(char *msg, size_t cap, const char *what, const char *word, const char *why)
{
	snprintf(msg, cap, "%s %s: %s", what, word ? word : "(no word)", why);
	return false;
}

static bool steps_complete(char *msg, size_t cap)
{
	int s, t, firsts[OPTION__COUNT] = {0};
	for (s = 0; s < STEP__COUNT; s++) {
		const struct step_def *d = &steps[s];
		const struct step_timers *tm = &d->timers;
		char id[64];
		if (!d->word || !*d->word) {
			snprintf(id, sizeof id, "%d", s);
			return table_says(msg, cap, "step", id, "no word");
		}
		for (t = 0; t < s; t++)
			if (steps[t].word && strcmp(steps[t].word, d->word) == 0)
				return table_says(msg, cap, "step", d->word, "word used twice");
		if (!d->next)
			return table_says(msg, cap, "step", d->word, "nothing for Enter (next)");
		if ((unsigned)d->option >= OPTION__COUNT)
			return table_says(msg, cap, "step", d->word, "no such option");
		if (d->first && d->option == OPTION_NONE)
			return table_says(msg, cap, "step", d->word, "first step of no option");
		if (d->first)
			firsts[d->option]++;
		if (d->waits_on != RES_NONE && (!d->want || d->option == OPTION_NONE))
			return table_says(msg, cap, "step", d->word,
					  "waits on a resource without work (want) or option");
		if (d->waits_on != RES_NONE && (tm->fast_ms <= 0 || tm->fast_for_ms <= 0))
			return table_says(msg, cap, "step", d->word, "waits without timers");
		if (tm->fast_ms < 0 || tm->fast_for_ms < 0 || tm->slow_ms < tm->fast_ms ||
		    (tm->fast_ms == 0) != (tm->slow_ms == 0))
			return table_says(msg, cap, "step", d->word,
					  "timers incomplete (fast, then slower)");
	}
	for (t = OPTION_NONE + 1; t < OPTION__COUNT; t++)
		if (firsts[t] != 1) {
			char id[64];
			snprintf(id, sizeof id, "%d", t);
			return table_says(msg, cap, "option", id, "not exactly one first step");
		}
	return true;
}

static bool requests_complete(char *msg, size_t cap)
{
	int r, t;
	for (r = 0; r < REQ__COUNT; r++) {
		const struct request_def *d = &requests[r];
		char id[64];
		if (!d->word || !*d->word) {
			snprintf(id, sizeof id, "%d", r);
			return table_says(msg, cap, "request", id, "no word");
		}
		for (t = 0; t < r; t++)
			if (requests[t].word && strcmp(requests[t].word, d->word) == 0)
				return table_says(msg, cap, "request", d->word, "word used twice");
		if (r == REQ_NONE)
			continue;
		if (d->by == REQ_BY_NONE)
			return table_says(msg, cap, "request", d->word, "nobody does it (by)");
		if ((unsigned)d->about > RES_NONE)
			return table_says(msg, cap, "request", d->word, "about no such resource");
		if ((d->creates || d->removes) && d->by != REQ_BY_ESP)
			return table_says(msg, cap, "request", d->word,
					  "creates or removes outside the ESP");
		if (d->creates && d->removes)
			return table_says(msg, cap, "request", d->word, "creates and removes");
		if ((d->needs & ~(unsigned)ESP_CAP_ALL) || (d->needs && d->by != REQ_BY_ESP))
			return table_says(msg, cap, "request", d->word, "needs no such capability");
		/* a sender signature is a capability: every request about one needs it */
		if (d->about == RES_SIGNATURE && !(d->needs & ESP_CAP_SIGNATURES))
			return table_says(msg, cap, "request", d->word, "needs signatures");
		if (d->removes &&
		    (d->about == RES_NONE || request_removing(d->about) != (enum wizard_request)r))
			return table_says(msg, cap, "request", d->word,
					  "not the one removal of its resource");
		snprintf(id, sizeof id, "what.%s", d->word);
		if (!text_has(id))
			return table_says(msg, cap, "request", d->word, "no text what.<word>");
	}
	for (t = 0; t < RES_NONE; t++)
		if (request_removing((enum wizard_res_kind)t) == REQ_NONE) {
			char id[64];
			snprintf(id, sizeof id, "%d", t);
			return table_says(msg, cap, "resource kind", id, "no request removes it");
		}
	return true;
}

bool wizard_tables_complete(char *msg, size_t cap)
{
	return steps_complete(msg, cap) && requests_complete(msg, cap);
}
