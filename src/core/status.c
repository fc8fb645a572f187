/* The vendor's view of customers (status.h): a customer's status as JSON,
 * the rows of `behalf list` and their order. */
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/state.h"

static const char *const option_list[OPTION__COUNT] = {"none", "domain", "address", "name"};

const char *status_option_word(enum wizard_option option)
{
	return (unsigned)option < OPTION__COUNT ? option_list[option] : "none";
}

enum record_diag status_top_diag(const struct wizard *w)
{
	enum record_diag top = DIAG__COUNT;
	int best = DIAG__COUNT + 1;
	size_t i, j;
	if (w->option != OPTION_DOMAIN)
		return DIAG__COUNT;
	for (i = 0; i < w->nrecords && i < WIZARD_MAX_RECORDS; i++) {
		const struct record_result *r = &w->results[i];
		if (!w->records[i].required)
			continue;
		for (j = 0; j < r->ndiagnoses && j < RECORD_MAX_DIAGNOSES; j++) {
			const struct diag_def *d = record_diag_def(r->diagnoses[j].code);
			if (d && d->priority < best) {
				best = d->priority;
				top = r->diagnoses[j].code;
			}
		}
	}
	return top;
}

/* How much a status not verified holds a customer up (larger: more). */
static int status_weight(enum record_status s)
{
	switch (s) {
	case STATUS_ERROR:
		return 5;
	case STATUS_MISMATCH:
		return 4;
	case STATUS_MISSING:
		return 3;
	case STATUS_PARTIAL:
		return 2;
	case STATUS_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

void status_row_of(const struct wizard *w, const char *customer, int64_t changed_ms,
		   struct status_row *row)
{
	enum record_diag top;
	enum record_status worst = STATUS_VERIFIED;
	size_t i;

	memset(row, 0, sizeof *row);
	str_copy(row->customer, sizeof row->customer, customer);
	row->option = w->option;
	row->step = w->step;
	row->done = w->step == STEP_DONE;
	row->step_since_ms = w->step_since_ms;
	row->changed_ms = changed_ms;
	if (w->option == OPTION_DOMAIN)
		for (i = 0; i < w->nrecords && i < WIZARD_MAX_RECORDS; i++) {
			if (!w->records[i].required)
				continue;
			row->records++;
			if (w->results[i].status == STATUS_VERIFIED)
				row->verified++;
			else if (status_weight(w->results[i].status) > status_weight(worst))
				worst = w->results[i].status;
		}
	if (row->done)
		return;
	top = status_top_diag(w);
	if (top != DIAG__COUNT) {
		const struct diag_def *d = record_diag_def(top);
		str_copy(row->diag, sizeof row->diag, d->code);
		row->diag_fix = d->severity == DIAG_SEVERITY_FIX;
	} else if (w->step == STEP_RECORDS && row->verified < row->records) {
		str_copy(row->diag, sizeof row->diag, record_status_word(worst));
		row->diag_fix = worst == STATUS_MISSING || worst == STATUS_MISMATCH;
	} else if (w->step == STEP_CONFIRM && !(w->signature.exists && w->signature.confirmed)) {
		/* the customer has to click the link in the email */
		str_copy(row->diag, sizeof row->diag, "unconfirmed");
		row->diag_fix = true;
	}
}

void status_row_set_lost(struct status_row *row, size_t lost)
{
	row->lost = lost;
	if (!lost)
		return;
	str_copy(row->diag, sizeof row->diag, "record-lost");
	row->diag_fix = true;
}

int64_t status_row_since(const struct status_row *r)
{
	return r->step_since_ms > 0 ? r->step_since_ms : r->changed_ms;
}

bool status_row_stuck(const struct status_row *r, int64_t now_ms, int64_t stuck_after_ms)
{
	return !r->done && r->diag[0] && now_ms - status_row_since(r) > stuck_after_ms;
}

static int status_row_cmp(const void *pa, const void *pb)
{
	const struct status_row *a = pa, *b = pb;
	int64_t sa = status_row_since(a), sb = status_row_since(b);
	if (a->tier != b->tier)
		return a->tier < b->tier ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1; /* in the step for longer first */
	return strcmp(a->customer, b->customer);
}

void status_rows_rank(struct status_row *rows, size_t n, int64_t now_ms, int64_t stuck_after_ms)
{
	size_t i;
	for (i = 0; i < n; i++) {
		struct status_row *r = &rows[i];
		r->stuck = status_row_stuck(r, now_ms, stuck_after_ms);
		if (r->done && !r->lost)
			r->tier = STATUS_TIER_DONE;
		else if (r->stuck)
			r->tier = r->diag_fix ? STATUS_TIER_STUCK_FIX : STATUS_TIER_STUCK_WAIT;
		else if (r->diag[0] && r->diag_fix)
			r->tier = STATUS_TIER_FIX;
		else
			r->tier = STATUS_TIER_WAITING;
	}
	if (n > 1)
		qsort(rows, n, sizeof rows[0], status_row_cmp);
}

/* A wall time as ISO 8601 UTC, or null for 0 (never, unknown). */
static json_t *status_time(int64_t wall_ms)
{
	char when[32];
	if (wall_ms <= 0)
		return json_null();
	state_iso_time(wall_ms, when, sizeof when);
	return json_string(when);
}

/* A string, or null when empty. */
static json_t *status_str(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static void set(json_t *obj, const char *key, json_t *value)
{
	json_object_set_new(obj, key, value ? value : json_null());
}

static json_t *status_records(const struct wizard *w)
{
	json_t *arr = json_array();
	size_t i, j;
	if (w->option != OPTION_DOMAIN)
		return arr;
	for (i = 0; i < w->nrecords && i < WIZARD_MAX_RECORDS; i++) {
		const struct expected_record *rec = &w->records[i];
		const struct record_result *res = &w->results[i];
		const struct resource_record *esp =
		    resource_find(&w->esp_domain, rec->type, rec->name);
		json_t *o = json_object(), *diags = json_array();
		set(o, "purpose", json_string(record_purpose_word(rec->purpose)));
		set(o, "type", json_string(record_type_word(rec->type)));
		set(o, "name", json_string(rec->name));
		set(o, "value", json_string(rec->value));
		set(o, "required", json_boolean(rec->required));
		set(o, "status", json_string(record_status_word(res->status)));
		/* the ESP checks only the records it asked for (not DMARC) */
		set(o, "esp_verified", esp ? json_boolean(esp->esp_verified) : json_null());
		for (j = 0; j < res->ndiagnoses && j < RECORD_MAX_DIAGNOSES; j++) {
			const struct record_diagnosis *d = &res->diagnoses[j];
			const struct diag_def *def = record_diag_def(d->code);
			json_t *dj = json_object();
			if (!def)
				continue;
			set(dj, "code", json_string(def->code));
			set(dj, "severity",
			    json_string(def->severity == DIAG_SEVERITY_FIX ? "fix" : "wait"));
			set(dj, "arg", json_string(d->arg));
			set(dj, "arg2", json_string(d->arg2));
			json_array_append_new(diags, dj);
		}
		set(o, "diagnoses", diags);
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Option 3: the From header as it goes on the wire (folds "\r\n "). */
static json_t *status_from(const struct wizard *w)
{
	char display[FROM_DISPLAY_MAX], address[EMAIL_MAX], header[FROM_HEADER_MAX];
	struct buf wire = {.limit = 2 * FROM_HEADER_MAX};
	json_t *o;
	const char *p;
	if (w->option != OPTION_NAME)
		return json_null();
	wizard_from_preview(w, display, sizeof display, address, sizeof address, header,
			    sizeof header);
	for (p = header; *p; p++)
		buf_append(&wire, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
	o = json_object();
	set(o, "header", json_string(wire.data ? wire.data : ""));
	set(o, "display_name", json_string(display));
	set(o, "address", json_string(address));
	buf_free(&wire);
	return o;
}

/* Option 1: the one-click offer the customer was shown (Domain Connect),
 * while it applies to their records; null otherwise. */
static json_t *status_dc(const struct wizard *w)
{
	const struct wizard_dc *dc = wizard_dc_offer(w);
	json_t *o;
	if (!dc)
		return json_null();
	o = json_object();
	set(o, "kind", json_string(wizard_dc_kind_word(dc->kind)));
	set(o, "provider", json_string(dc->provider));
	set(o, "url", json_string(dc->url));
	set(o, "demo", json_boolean(dc->demo));
	return o;
}

json_t *status_json(const struct wizard *w, const char *customer, int64_t changed_ms,
		    int64_t now_ms, int64_t stuck_after_ms)
{
	struct status_row row;
	json_t *root = json_object(), *esp = json_object(), *ms = json_object(), *addr;
	int m;

	status_row_of(w, customer, changed_ms, &row);
	set(root, "version", json_integer(STATUS_JSON_VERSION));
	set(root, "customer", json_string(customer));
	set(root, "saved_at", status_time(changed_ms));
	set(root, "option", w->option == OPTION_NONE ? json_null() : json_integer(w->option));
	set(root, "option_name",
	    w->option == OPTION_NONE ? json_null() : json_string(status_option_word(w->option)));
	set(root, "step", json_string(wizard_step_word(w->step)));
	set(root, "step_since", status_time(w->step_since_ms));
	set(root, "done", json_boolean(row.done));
	set(root, "stuck", json_boolean(status_row_stuck(&row, now_ms, stuck_after_ms)));
	set(root, "holdup", status_str(row.diag));

	set(root, "domain", w->option == OPTION_DOMAIN ? status_str(w->domain.ascii) : json_null());
	set(root, "domain_unicode",
	    w->option == OPTION_DOMAIN ? status_str(w->domain.unicode) : json_null());
	set(root, "records", status_records(w));
	set(root, "domain_connect", status_dc(w));

	if (w->option == OPTION_ADDRESS && w->address_normalized[0]) {
		addr = json_object();
		set(addr, "email", json_string(w->address_normalized));
		set(addr, "name", json_string(w->address_name.text));
		set(addr, "confirmed", json_boolean(w->signature.exists && w->signature.confirmed));
	} else {
		addr = json_null();
	}
	set(root, "address", addr);
	set(root, "from", status_from(w));

	set(esp, "domain_id", w->esp_domain.exists ? status_str(w->esp_domain.id) : json_null());
	set(esp, "signature_id", w->signature.exists ? status_str(w->signature.id) : json_null());
	set(esp, "server_id", status_str(w->server_id));
	set(root, "esp", esp);

	for (m = 0; m < MILESTONE_COUNT; m++)
		set(ms, milestone_word((enum milestone)m), status_time(w->milestones_ms[m]));
	set(root, "milestones", ms);
	set(root, "monitor", json_null());
	return root;
}

bool status_parse_duration(const char *text, int64_t *ms)
{
	const int64_t limit = 10LL * 366 * 24 * 3600 * 1000;
	int64_t total = 0;
	const char *p = text;
	if (!text || !*text)
		return false;
	while (*p) {
		int64_t n = 0, unit;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p++ - '0');
			if (n > limit)
				return false;
		}
		switch (*p++) {
		case 's':
			unit = 1000;
			break;
		case 'm':
			unit = 60 * 1000;
			break;
		case 'h':
			unit = 3600 * 1000;
			break;
		case 'd':
			unit = 24LL * 3600 * 1000;
			break;
		case 'w':
			unit = 7LL * 24 * 3600 * 1000;
			break;
		default:
			return false;
		}
		if (n > limit / unit)
			return false;
		total += n * unit;
		if (total > limit)
			return false;
	}
	*ms = total;
	return true;
}

void status_format_age(int64_t ms, char *out, size_t cap)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;
	if (s < 60)
		snprintf(out, cap, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, cap, "%lldm", (long long)(s / 60));
	else if (s < 48 * 3600)
		snprintf(out, cap, "%lldh", (long long)(s / 3600));
	else
		snprintf(out, cap, "%lldd", (long long)(s / 86400));
}
