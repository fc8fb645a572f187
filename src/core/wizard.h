/* The wizard: the model of one customer's onboarding.
 *
 * A table of steps; each step either completes (the customer pressed Enter
 * on valid input, or the event it waited for arrived) or waits.  Waiting
 * steps ask the application for work through wizard_next_request() and are
 * told the outcome through the wizard_on_*() functions: the core does no I/O
 * and knows no ESP, DNS library or terminal.  The screens draw this struct
 * (const) and edit its fields; the state file saves it. */
#ifndef BEHALF_CORE_WIZARD_H
#define BEHALF_CORE_WIZARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/caps.h"
#include "core/error.h"
#include "core/field.h"
#include "core/fromhdr.h"
#include "core/milestone.h"
#include "core/record.h"
#include "core/resource.h"
#include "core/validate.h"

#define WIZARD_HISTORY_MAX 32
/* the ESP's records and the DMARC record the wizard adds */
#define WIZARD_MAX_RECORDS   (RESOURCE_RECORDS_MAX + 1)
#define WIZARD_ID_MAX	     RESOURCE_ID_MAX
#define WIZARD_NOTICE_MAX    512
#define ADVISOR_QUESTIONS    3
#define WIZARD_RESOURCES_MAX 24 /* resources at the ESP remembered (removed ones go first) */

enum wizard_option {
	OPTION_NONE,
	OPTION_DOMAIN,	/* 1: authenticated customer domain (recommended) */
	OPTION_ADDRESS, /* 2: verified From address */
	OPTION_NAME,	/* 3: custom From name on the vendor's domain */
	OPTION__COUNT
};

enum wizard_step {
	STEP_WELCOME,
	STEP_CHOOSE,	/* the three options, pros and cons */
	STEP_ADVISOR,	/* "help me choose": a few questions, then a pick */
	STEP_DOMAIN,	/* option 1: the domain */
	STEP_RECORDS,	/* option 1: records to add, live status */
	STEP_ADDRESS,	/* option 2: From address and name */
	STEP_CONFIRM,	/* option 2: waiting for the confirmation click */
	STEP_FROM_NAME, /* option 3: display name, format, address, preview */
	STEP_SWITCH,	/* keep or remove what another option created at the ESP */
	STEP_DONE,
	STEP__COUNT
};

enum advisor_answer { ADVISOR_UNANSWERED, ADVISOR_YES, ADVISOR_NO, ADVISOR_UNSURE };

/* Work the wizard waits for; the application does it and reports back. */
enum wizard_request {
	REQ_NONE,
	REQ_DOMAIN_ENSURE,    /* find or create domain.name at the ESP */
	REQ_DNS_CHECK,	      /* look up records[] in the DNS */
	REQ_DOMAIN_VERIFY,    /* ask the ESP to verify DKIM and Return-Path */
	REQ_SIGNATURE_ENSURE, /* find or create the sender signature */
	REQ_SIGNATURE_POLL,   /* has the customer clicked the link? */
	REQ_SIGNATURE_RESEND, /* send the confirmation email again */
	REQ_DOMAIN_REMOVE,    /* delete domain at the ESP (customer asked) */
	REQ_SIGNATURE_REMOVE, /* delete the signature at the ESP (customer asked) */
	REQ_DMARC_CHECK,      /* option 2: the From domain's DMARC policy, before creating */
	REQ_EMAIL_SEND,	      /* export dialog: send the instructions to a teammate */
	REQ_SERVER_ENSURE,    /* find or create the customer's own ESP server */
	REQ_SIGNATURE_UPDATE, /* option 2: the name changed after the signature was made */
	REQ__COUNT
};

enum notice_kind { NOTICE_NONE, NOTICE_INFO, NOTICE_ERROR };

/* per_customer_server: whether each customer gets an ESP server of their
 * own, so that their streams and statistics stay separate. */
enum wizard_server_mode {
	SERVER_MODE_NO,	 /* everyone sends through the vendor's server */
	SERVER_MODE_YES, /* always (the ESP client creates it with the first resource) */
	SERVER_MODE_ASK, /* the customer decides, before anything is created */
};

/* The customer's answer in SERVER_MODE_ASK. */
enum wizard_server_answer { SERVER_UNASKED, SERVER_WANTED, SERVER_DECLINED };

#define WIZARD_SENDS_PER_HOUR 3	    /* emails to teammates a customer may send an hour */
#define WIZARD_SENT_BODY_MAX  32768 /* bytes of a sent email's text kept for its preview */
#define WIZARD_SEND_WINDOW_MS 3600000
#define WIZARD_NOTE_MAX	      400 /* characters of the note to a teammate */
#define WIZARD_PATH_MAX	      1024

/* What the export dialog shows (issue 5); closed most of the time. */
enum export_view {
	EXPORT_VIEW_CLOSED,
	EXPORT_VIEW_MENU, /* write a file, send, copy, QR code */
	EXPORT_VIEW_FILE, /* the formats; then the path written */
	EXPORT_VIEW_SEND, /* the form: teammate, note, Reply-To */
	EXPORT_VIEW_SENT, /* the email that went out (or would have, in the demo) */
	EXPORT_VIEW_COPY, /* the values to copy */
	EXPORT_VIEW_QR,	  /* the values to show as a QR code; then the code */
};

/* The rows of the export dialog's menu. */
enum export_item {
	EXPORT_ITEM_FILE,
	EXPORT_ITEM_SEND,
	EXPORT_ITEM_COPY,
	EXPORT_ITEM_QR,
	EXPORT_ITEM__COUNT
};

/* An email sent to a teammate, as the dialog shows it (sanitized). */
struct wizard_sent_email {
	char from[FROM_HEADER_MAX]; /* "Acme Help Desk <notifications@acmehelp.example>" */
	char to[EMAIL_MAX];
	char reply_to[EMAIL_MAX];
	char subject[256];
	char body[WIZARD_SENT_BODY_MAX]; /* the text body, for the preview (cut at a line) */
	char message_id[128];		 /* the ESP's id, or where the demo kept it */
};

/* The export dialog: its view, cursors, the send form and what was done. */
struct wizard_export {
	enum export_view view;
	int cursor;  /* row of the menu or of a list */
	bool shown;  /* FILE, COPY, QR: the result is shown, not the list */
	bool remote; /* over SSH: no file is written (set by the application) */
	char result[WIZARD_PATH_MAX + 64];	 /* FILE, COPY: what was done, sanitized */
	bool result_error;			 /* result says what went wrong */
	struct field to;			 /* the teammate's address */
	struct field note;			 /* optional note */
	struct field reply_to;			 /* the customer's address */
	int focus;				 /* 0 to, 1 note, 2 reply_to */
	char send_to[EMAIL_MAX];		 /* normalised, once the form was accepted */
	char send_reply_to[EMAIL_MAX];		 /* normalised */
	bool send_wanted;			 /* accepted, REQ_EMAIL_SEND not started yet */
	char send_error[WIZARD_NOTICE_MAX];	 /* the ESP's refusal, sanitized, or "" */
	struct wizard_sent_email sent;		 /* the last email that went out */
	int sent_scroll;			 /* SENT: first row of the body shown */
	int64_t sends_ms[WIZARD_SENDS_PER_HOUR]; /* wall ms of the latest sends (saved) */
	/* the same for demo sends, kept apart so that a demo never uses up a
	 * real session's hourly limit (saved) */
	int64_t demo_sends_ms[WIZARD_SENDS_PER_HOUR];
};

struct wizard;

/* Told when a milestone happens: w->milestones_ms[m] is already set, the
 * screen has not moved on yet.  subject: what it is about ("" for none):
 * the record's name (record.*), the domain or the address (records.*,
 * onboarding.done, resources.*), the option's word (option.*), the
 * teammate's address (teammate.emailed). */
typedef void (*wizard_milestone_fn)(void *ctx, const struct wizard *w, enum milestone m,
				    const char *subject);

/* What the vendor configured and who the customer is. */
struct wizard_config {
	char vendor_name[128];		      /* "Acme Help Desk" */
	char vendor_domain[DOMAIN_ASCII_MAX]; /* "acmehelp.example" */
	char shared_local[64];		      /* local part of the shared address */
	/* the longest name the ESP puts in front of the customer's domain
	 * ("20250817055129pm._domainkey"), so that a domain too long for the
	 * ESP's records is refused before anything is created; "" for none */
	char record_label_max[RECORD_NAME_MAX];
	char customer_id[WIZARD_ID_MAX];     /* from --customer */
	char esp_name[32];		     /* "Postmark" */
	char support_contact[256];	     /* shown on done and in exports */
	bool demo;			     /* --demo: pretend ESP and DNS */
	enum wizard_server_mode server_mode; /* a server of the customer's own at the ESP? */
	unsigned esp_lacks;	       /* ESP_CAP_* the ESP does not have (0: all): not offered */
	wizard_milestone_fn milestone; /* NULL: nobody listens (the session's outbox) */
	void *milestone_ctx;	       /* handed to milestone */
};

/* RES_NONE only in the tables (a step or a request about no resource);
 * never in resources[]. */
enum wizard_res_kind { RES_DOMAIN, RES_SIGNATURE, RES_NONE };

/* What became of a resource: in use by the option followed, kept aside by
 * the customer's choice, or removed at the ESP. */
enum wizard_res_fate { RES_IN_USE, RES_KEPT, RES_REMOVED };

/* One thing this customer has (or had) at the ESP: every switch lists those
 * the chosen option does not use, so that none is forgotten there. */
struct wizard_resource {
	enum wizard_res_kind kind;
	char id[WIZARD_ID_MAX];
	char name[EMAIL_MAX]; /* the domain (ASCII) or the address */
	enum wizard_res_fate fate;
	bool remove;	    /* keep-or-remove step: the customer chose Remove */
	int64_t created_ms; /* signatures: the first confirmation email (wall ms) */
	int64_t resent_ms;  /* signatures: the last resend (wall ms), 0 never */
};

/* Domain Connect (issue 12, docs/domain-connect.md): what the customer's
 * DNS host offers for the records on screen, found (and the link signed)
 * by the application.  Saved ("domain_connect"), so that `behalf export`
 * and a resumed session have it; cleared when the records change (the
 * link applies the records it was made for). */
enum wizard_dc_kind {
	WIZARD_DC_NONE,		 /* nothing: the manual instructions */
	WIZARD_DC_APPLY,	 /* url is the signed apply link: one click */
	WIZARD_DC_CONTROL_PANEL, /* url is the DNS host's control panel */
};
#define WIZARD_DC_KINDS	  (WIZARD_DC_CONTROL_PANEL + 1) /* the last kind + 1 (words) */
#define WIZARD_DC_URL_MAX 4096
struct wizard_dc {
	enum wizard_dc_kind kind;
	char domain[DOMAIN_ASCII_MAX]; /* the domain it is for: shown only while it is on screen */
	char provider[128];	       /* the DNS host's display name ("Cloudflare"), sanitized */
	char url[WIZARD_DC_URL_MAX];   /* printable ASCII only */
	bool demo;		       /* --demo: the scenario's pretend link (not signed) */
};

struct wizard {
	struct wizard_config cfg;

	enum wizard_step step;
	enum wizard_step history[WIZARD_HISTORY_MAX]; /* steps Back returns to */
	size_t history_len;
	enum wizard_option option; /* the option being followed, or NONE */
	/* wall ms each milestone last happened (saved), 0 never */
	int64_t milestones_ms[MILESTONE_COUNT];
	/* wall ms the step was entered (saved; set by the application when it
	 * saves a changed step: `behalf list`'s age in step), 0 unknown */
	int64_t step_since_ms;

	/* choose and advisor */
	int choose_cursor;    /* 0..2 the options, 3 "help me choose" */
	int advisor_question; /* 0..ADVISOR_QUESTIONS (== done) */
	int advisor_cursor;
	enum advisor_answer advisor[ADVISOR_QUESTIONS];

	/* option 1 */
	struct field domain_input;
	struct domain_value domain; /* checked value of domain_input */
	struct wizard_domain_res esp_domain;
	size_t nrecords;
	struct expected_record records[WIZARD_MAX_RECORDS];
	struct record_result results[WIZARD_MAX_RECORDS];
	int records_cursor;
	bool records_detail;	  /* the per-nameserver matrix is open */
	char dns_host[64];	  /* detected DNS host id ("cloudflare"), or "" */
	int64_t records_since_ms; /* monotonic ms when the records step began */
	int64_t last_check_ms;	  /* monotonic ms of the last finished check, 0 never */
	int64_t next_check_ms;	  /* monotonic ms of the next check */
	int checks;		  /* finished checks */
	int64_t verify_after_ms;  /* earliest next ESP verify (backoff) */
	int verify_attempts;

	/* option 2 */
	struct field address_email;
	struct field address_name;
	int address_focus; /* 0 email, 1 name */
	char address_normalized[EMAIL_MAX];
	struct wizard_signature_res signature;
	int64_t poll_after_ms;		     /* monotonic ms of the next confirmation poll */
	char dmarc_domain[DOMAIN_ASCII_MAX]; /* the domain whose DMARC policy was checked */
	int dmarc_verdict;		     /* enum record_dmarc_verdict for dmarc_domain */
	char dmarc_policy[16];		     /* "reject", "quarantine", "none" or "" */
	char dmarc_org[DOMAIN_ASCII_MAX];    /* the organizational domain whose policy
						applies (no record of dmarc_domain's own),
						"" when dmarc_domain's own record decided */
	bool dmarc_ack;			     /* the customer goes on despite a blocking policy */

	/* option 3 */
	struct field from_name;
	enum from_format from_format;
	struct field from_pattern;
	enum from_address from_address;
	int from_focus; /* 0 name, 1 format, 2 pattern, 3 address */

	/* every resource at the ESP, and switching option */
	struct wizard_resource resources[WIZARD_RESOURCES_MAX];
	size_t nresources;
	enum wizard_option switch_target; /* option chosen */
	enum wizard_step switch_then;	  /* step to go to once decided */
	bool switch_correction;		  /* the domain or address was corrected, same option */
	bool switch_confirmed;		  /* Enter pressed: removals under way */
	int switch_cursor;		  /* row of wizard_switch_items() */
	bool resend_wanted;		  /* option 2: resend asked, not yet done */
	char name_asked[FIELD_CAP];	  /* option 2: the name last sent to the ESP to update */

	int demo_stage;				 /* --demo: scenario stage the presenter reached */
	enum wizard_server_answer server_answer; /* SERVER_MODE_ASK: own server or not */
	char server_id[WIZARD_ID_MAX];		 /* the customer's own server at the ESP, or "" */

	struct wizard_export export; /* the export dialog ("e") */

	/* what the application is doing for us; not saved */
	int removing; /* REQ_*_REMOVE under way: index in resources[], -1 none */
	enum wizard_request busy;
	int64_t busy_since_ms;
	enum notice_kind notice_kind;
	char notice[WIZARD_NOTICE_MAX]; /* sanitized text to show, or "" */
	int64_t retry_after_ms;		/* after an ESP error: earliest retry */
	int failures;			/* consecutive failures of busy's kind */
	bool halted;	     /* the vendor's token was refused: no retry until the customer acts */
	struct wizard_dc dc; /* Domain Connect: see wizard_dc_offer */
	bool dirty;	     /* changed since last saved (not set by a DNS check that changed
			      * only the count of checks: the application saves it later) */
};

/* "domain", "address", "name" ("" for none): the option in events. */
const char *wizard_option_word(enum wizard_option option);

/* Starts a fresh wizard at the welcome step. */
void wizard_init(struct wizard *w, const struct wizard_config *cfg);

/* Enter: completes the step when its input is valid (errors are set on the
 * fields otherwise) and moves on.  Returns true when the step changed. */
bool wizard_next(struct wizard *w, int64_t now_ms);
/* Back to the previous step; false when there is none. */
bool wizard_back(struct wizard *w);
/* True when the ESP has capability cap (an ESP_CAP_* bit), so that the
 * wizard may offer what needs it. */
bool wizard_esp_can(const struct wizard *w, unsigned cap);
/* True when option can be picked with this ESP (option 2 needs sender
 * signatures). */
bool wizard_option_offered(const struct wizard *w, enum wizard_option option);

/* Picks an option on the choose or advisor step (goes through STEP_SWITCH
 * when another option left resources at the ESP). */
void wizard_choose(struct wizard *w, enum wizard_option option, int64_t now_ms);
/* "Switch option" from any step: to the choose step. */
void wizard_switch(struct wizard *w);
/* Answers the advisor's current question and moves to the next one. */
void wizard_advisor_answer(struct wizard *w, enum advisor_answer answer);
/* The option the advisor's answers recommend (OPTION_NONE until answered);
 * reason receives a text id explaining why (may be NULL). */
enum wizard_option wizard_advisor_recommend(const struct wizard *w, const char **reason);

/* Option 3: the display name, address and header the current inputs give. */
void wizard_from_preview(const struct wizard *w, char *display, size_t dcap, char *address,
			 size_t acap, char *header, size_t hcap);

/* Option 2: seconds before resend is allowed again (0: now). */
int wizard_resend_wait(const struct wizard *w, int64_t wall_ms);
/* Option 2: the customer asks to resend. */
void wizard_resend(struct wizard *w);
/* Option 1: check the DNS now ("c"). */
void wizard_check_now(struct wizard *w, int64_t now_ms);
/* Seconds until the next DNS check (for "next check in N s"). */
int wizard_next_check_in(const struct wizard *w, int64_t now_ms);
/* True when every required record is verified in DNS. */
bool wizard_records_verified(const struct wizard *w);
/* Option 1: the Domain Connect offer for the records on screen (w->dc),
 * or NULL when there is none, it is for another domain, or every required
 * record is in place already. */
const struct wizard_dc *wizard_dc_offer(const struct wizard *w);
/* "none", "apply", "control_panel" (the state file and the JSON export),
 * NULL past the end. */
const char *wizard_dc_kind_word(enum wizard_dc_kind kind);
/* True when verification.pending is due at wall_ms: option 1's records were
 * shown more than WIZARD_PENDING_MS ago, the domain is not done, and it was
 * not said since they were shown (`behalf deliver` asks, docs/events.md). */
bool wizard_pending_due(const struct wizard *w, int64_t wall_ms);
#define WIZARD_PENDING_MS (72LL * 3600 * 1000)

/* The work to do now, or REQ_NONE; *wake_ms (may be NULL) receives the
 * monotonic time at which to ask again (0: no timer needed).  now_ms is
 * monotonic, wall_ms the wall clock (for saved timestamps). */
enum wizard_request wizard_next_request(const struct wizard *w, int64_t now_ms, int64_t wall_ms,
					int64_t *wake_ms);
/* The application started req. */
void wizard_request_started(struct wizard *w, enum wizard_request req, int64_t now_ms);
/* REQ_DOMAIN_ENSURE or REQ_DOMAIN_VERIFY answered: the ESP's view of the domain. */
void wizard_on_domain(struct wizard *w, const struct wizard_domain_res *d, int64_t now_ms);
/* REQ_DNS_CHECK answered: one result per records[] entry, and the DNS host
 * detected from the nameservers ("" when unknown).  Sets dirty only when
 * something but the count of checks changed. */
void wizard_on_dns(struct wizard *w, const struct record_result *results, size_t n,
		   const char *dns_host, int64_t now_ms);
/* REQ_SIGNATURE_ENSURE, _POLL or _RESEND answered. */
void wizard_on_signature(struct wizard *w, const struct wizard_signature_res *s, int64_t now_ms,
			 int64_t wall_ms);
/* SERVER_MODE_ASK: the question is on screen (nothing is created before the
 * answer). */
bool wizard_server_question(const struct wizard *w);
/* The customer's answer to the own-server question. */
void wizard_server_answer(struct wizard *w, bool wanted);
/* REQ_SERVER_ENSURE answered, or another reply named the customer's server. */
void wizard_on_server(struct wizard *w, const char *server_id, int64_t now_ms);

/* REQ_DMARC_CHECK answered: what the From domain's DMARC policy does to
 * mail the ESP sends for the address (enum record_dmarc_verdict). */
/* How long to wait before asking the ESP to verify again after lagging
 * answers so far (0 for the first): close together for the first minutes,
 * as DNS is polled, then backing off to a minute. */
int64_t wizard_verify_wait_ms(int lagging);
void wizard_on_dmarc(struct wizard *w, int verdict, const char *policy, int64_t now_ms);
/* The same for the address domain that was asked about (dropped when the
 * address changed meanwhile); org: when that domain has no DMARC record,
 * the organizational domain whose policy applies (RFC 7489 section 6.6.3,
 * sp= applied), else NULL. */
void wizard_on_dmarc_org(struct wizard *w, const char *domain, int verdict, const char *policy,
			 const char *org, int64_t now_ms);
/* Option 2: the From domain's DMARC policy would block the mail and the
 * customer has not decided to go on anyway (Enter) or change (Back). */
bool wizard_dmarc_blocks(const struct wizard *w);
/* The domain part of the normalised From address ("" when none). */
const char *wizard_address_domain(const struct wizard *w);

/* The keep-or-remove step's rows: indexes into w->resources of what the
 * chosen option does not use (kept or not); returns how many (at most cap). */
size_t wizard_switch_items(const struct wizard *w, size_t *items, size_t cap);
/* The resource the next (or the running) REQ_*_REMOVE is about, or NULL. */
const struct wizard_resource *wizard_removal(const struct wizard *w);
/* Option 2: the signature is the one of the address typed (not another's). */
bool wizard_signature_current(const struct wizard *w);

/* REQ_DOMAIN_REMOVE / REQ_SIGNATURE_REMOVE done. */
void wizard_on_removed(struct wizard *w, enum wizard_request req, int64_t now_ms);
/* Any request failed; message (untrusted, may be NULL) is sanitized and shown. */
void wizard_on_error(struct wizard *w, enum wizard_request req, enum bh_err err,
		     const char *message, int64_t now_ms);

/* ---- the export dialog ---- */

/* True when the current step has something to share (records, confirm,
 * from-name, done with an option chosen). */
bool wizard_export_available(const struct wizard *w);
/* "e": opens the dialog at its menu (the Reply-To prefilled from option 2's
 * address); when there is nothing to share yet, a notice says so and false
 * is returned. */
bool wizard_export_open(struct wizard *w);
/* Esc in the dialog: a sub-view goes back to the menu, the menu closes. */
void wizard_export_back(struct wizard *w);
/* Whether a menu item can be used now; when not, *why_id (may be NULL)
 * receives the text id saying why. */
bool wizard_export_item_ok(const struct wizard *w, enum export_item item, const char **why_id);
/* Values that can be copied: the records' values (option 1) and the From
 * header (option 3).  Returns how many. */
int wizard_export_copy_count(const struct wizard *w);
/* Value i of the copy list and its label's text id; option 1 lists each
 * record's Name (the label to type) then its Value; false past the end. */
bool wizard_export_copy_value(const struct wizard *w, int i, const char **label, char *value,
			      size_t cap);
/* Rows of the QR list: one per record, plus "all records" (option 1 only). */
int wizard_export_qr_count(const struct wizard *w);
/* Seconds before another email to a teammate may go out (0: now). */
int wizard_export_send_wait(const struct wizard *w, int64_t wall_ms);
/* Enter on the send form: checks the fields (errors at the fields) and the
 * hourly limit; true when REQ_EMAIL_SEND is now wanted. */
bool wizard_export_send(struct wizard *w, int64_t wall_ms);
/* REQ_EMAIL_SEND done: the email that went out (sanitized here). */
void wizard_on_email_sent(struct wizard *w, const struct wizard_sent_email *sent, int64_t wall_ms);
/* A send that may have gone out (no answer in time) counts toward the
 * hourly limit. */
void wizard_export_count_send(struct wizard *w, int64_t wall_ms);

/* ---- the tables ---- */

/* How often a waiting step asks again: every fast_ms for fast_for_ms after
 * the customer last acted, then every slow_ms (backoff: doubling each minute
 * from fast_ms up to slow_ms).  All zero for a step that does not poll. */
struct step_timers {
	int64_t fast_ms;
	int64_t fast_for_ms;
	int64_t slow_ms;
	bool backoff;
};

/* One step: one row per enum wizard_step (wizard_step_def), the one place
 * that says what a step is.  Its screen is ui_screens[step] (ui/screens.c),
 * whose name is the step's word. */
struct step_def {
	const char *word;	       /* "records": state file, tests, the screen's name */
	enum wizard_option option;     /* the option it belongs to, OPTION_NONE: shared */
	bool first;		       /* where choosing its option leads */
	enum wizard_res_kind waits_on; /* the resource at the ESP it waits on (RES_NONE) */
	bool shares;		       /* the export dialog has something to share here */
	struct step_timers timers;     /* how its work is asked again */
	/* Enter on this step: true when the step changed. */
	bool (*next)(struct wizard *w, int64_t now_ms);
	/* Work this step waits for, REQ_NONE when none (see wizard_next_request). */
	enum wizard_request (*want)(const struct wizard *w, int64_t now_ms, int64_t wall_ms,
				    int64_t *wake_ms);
};

/* Who does a request's work. */
enum request_by { REQ_BY_NONE, REQ_BY_ESP, REQ_BY_DNS };

/* One request: one row per enum wizard_request (wizard_request_def), the
 * one place that says what a request is; the core switches on these
 * properties, not on the request. */
struct request_def {
	const char *word;	    /* "domain-ensure": audit, tests, text "what.<word>" */
	enum request_by by;	    /* who does the work */
	enum wizard_res_kind about; /* the resource it acts on (RES_NONE) */
	bool creates;		    /* may create something at the ESP: Back never leads to it */
	bool removes;		    /* removes a listed resource (w->removing says which) */
	bool retried;		    /* a failure is asked again by itself, with backoff (else the
				       customer or the step decides: see wizard_on_error) */
	unsigned needs;		    /* ESP_CAP_* the ESP must have (0: every ESP can) */
};

/* The row of a step or a request, NULL out of range. */
const struct step_def *wizard_step_def(enum wizard_step step);
const struct request_def *wizard_request_def(enum wizard_request req);
/* The option a step belongs to (OPTION_NONE for the shared steps). */
enum wizard_option wizard_step_option(enum wizard_step step);
/* The step and request tables are whole: every row has its word (unique,
 * with its text "what.<word>" for requests), an option's steps exactly one
 * first step, a step that waits on a resource its work and timers...  False
 * with msg saying which row is incomplete. */
bool wizard_tables_complete(char *msg, size_t cap);

/* Stable word of a step ("welcome", "choose", ...), used in state and tests. */
const char *wizard_step_word(enum wizard_step step);
/* The step for a word, or STEP__COUNT. */
enum wizard_step wizard_step_from_word(const char *word);
/* Stable word of a request ("domain-ensure", ...). */
const char *wizard_request_word(enum wizard_request req);

#endif
