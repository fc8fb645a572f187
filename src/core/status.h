/* The vendor's view of customers (issue 11): `behalf status` (one
 * customer, as JSON or as text) and `behalf list` (every customer, who
 * needs help first).  Built from a loaded struct wizard only: no I/O here,
 * so that the shape and the order are unit-tested (tests/unit/test_status.c).
 *
 * The JSON of status_json is a contract (docs/status.md, docs/status.schema.json,
 * the man page): a field is added only with a new STATUS_JSON_VERSION when
 * its meaning changes, never removed silently.  It never holds a token
 * (struct wizard holds none). */
#ifndef BEHALF_CORE_STATUS_H
#define BEHALF_CORE_STATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/record.h"
#include "core/wizard.h"

#define STATUS_JSON_VERSION	1
#define STATUS_STUCK_AFTER_MS	(24LL * 3600 * 1000) /* [status] stuck_after's default */
#define STATUS_ROW_CUSTOMER_MAX WIZARD_ID_MAX

/* How urgently a customer needs help: the first key of the list's order
 * (smaller first). */
enum status_tier {
	STATUS_TIER_STUCK_FIX,	/* stuck, and a diagnosis says what to change */
	STATUS_TIER_STUCK_WAIT, /* stuck, with a diagnosis that says to wait */
	STATUS_TIER_FIX,	/* a diagnosis says what to change (not stuck yet) */
	STATUS_TIER_WAITING,	/* on the way, nothing to change */
	STATUS_TIER_DONE,	/* finished */
	STATUS_TIER__COUNT
};

/* One customer's row of `behalf list`. */
struct status_row {
	char customer[STATUS_ROW_CUSTOMER_MAX];
	enum wizard_option option;
	enum wizard_step step;
	bool done;
	int64_t step_since_ms; /* wall ms the step was entered, 0 unknown */
	int64_t changed_ms;    /* wall ms of the last save (the file's mtime) */
	/* what holds the customer up: the most urgent diagnosis code of a
	 * required record ("zone-appended"), else the status of a required
	 * record not verified ("missing", "partial"...), "unconfirmed" for an
	 * option 2 address not confirmed yet; "" when nothing */
	char diag[32];
	bool diag_fix;		  /* diag asks the customer to change or do something */
	size_t records, verified; /* option 1: required records, and those verified */
	size_t lost;		  /* records behalf monitor found lost since done */
	bool stuck;		  /* set by status_rows_rank */
	enum status_tier tier;	  /* set by status_rows_rank */
};

/* The row of customer's wizard w, saved at changed_ms. */
void status_row_of(const struct wizard *w, const char *customer, int64_t changed_ms,
		   struct status_row *row);

/* The most urgent diagnosis of w's required records (the smallest priority
 * of the diagnosis table), DIAG__COUNT when none.  Only option 1 has
 * records. */
enum record_diag status_top_diag(const struct wizard *w);

/* Marks a finished customer's row with lost records (behalf monitor's
 * file, app/monitor.h): holdup "record-lost", a diagnosis to fix, so the
 * customer is ranked with those who need help.  Nothing when lost is 0. */
void status_row_set_lost(struct status_row *row, size_t lost);

/* Since when r has been in its step: step_since_ms, or changed_ms for a file
 * of a build that did not save it. */
int64_t status_row_since(const struct status_row *r);

/* Stuck: not done, in the same step for longer than stuck_after_ms, with
 * something holding it up (diag not empty). */
bool status_row_stuck(const struct status_row *r, int64_t now_ms, int64_t stuck_after_ms);

/* Sets stuck and tier of each row and sorts rows: who needs help first.
 * The order: tier (stuck with a diagnosis to fix, stuck waiting, a
 * diagnosis to fix, on the way, done), then the longest in the step first,
 * then the customer id. */
void status_rows_rank(struct status_row *rows, size_t n, int64_t now_ms, int64_t stuck_after_ms);

/* The JSON of `behalf status --json` for customer's wizard w (w->cfg set
 * from the configuration: option 3's From header needs the vendor),
 * changed_ms as in struct status_row.  "monitor" is null: the caller puts
 * behalf monitor's object there (monitor_status_json) and, with records
 * lost, holdup "record-lost".  Never NULL. */
json_t *status_json(const struct wizard *w, const char *customer, int64_t changed_ms,
		    int64_t now_ms, int64_t stuck_after_ms);

/* The option's word ("domain", "address", "name"; "none"). */
const char *status_option_word(enum wizard_option option);

/* A duration: one or more <number><unit>, units s, m, h, d, w ("90m",
 * "1d12h").  False for anything else, or more than ten years. */
bool status_parse_duration(const char *text, int64_t *ms);

/* A short age: "45s", "12m", "5h", "3d" (the largest unit, rounded down). */
void status_format_age(int64_t ms, char *out, size_t cap);

#endif
