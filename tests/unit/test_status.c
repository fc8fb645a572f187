/* behalf status and behalf list (core/status.c): what the vendor's support
 * would notice.  The list puts who needs help first (stuck with something
 * to fix, stuck waiting, something to fix, on the way, done; the longest in
 * the step first); what holds a customer up is the most urgent diagnosis of
 * a required record, never an optional record's advice; the status JSON has
 * exactly the fields docs/status.schema.json documents, and the schema
 * knows every word the program can print (a step, a diagnosis, a
 * milestone added later fails here until documented). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "core/alloc.h"
#include "core/milestone.h"
#include "core/status.h"
#include "core/wizard.h"

#define HOUR (3600LL * 1000)
#define NOW  (1798761600000LL + 100 * HOUR)

static struct wizard *new_wizard(void)
{
	struct wizard_config cfg = {0};
	struct wizard *w = xmalloc(sizeof *w);
	str_copy(cfg.vendor_name, sizeof cfg.vendor_name, "Acme Help Desk");
	str_copy(cfg.vendor_domain, sizeof cfg.vendor_domain, "acmehelp.example");
	str_copy(cfg.shared_local, sizeof cfg.shared_local, "notifications");
	str_copy(cfg.customer_id, sizeof cfg.customer_id, "ann");
	wizard_init(w, &cfg);
	return w;
}

/* Option 1 on the records step: a DKIM TXT, a Return-Path CNAME (both
 * required) and an optional DMARC, none verified. */
static struct wizard *records_wizard(void)
{
	struct wizard *w = new_wizard();
	static const struct {
		enum record_purpose p;
		enum record_type t;
		const char *name;
		bool required;
	} recs[] = {
	    {PURPOSE_DKIM, RECORD_TYPE_TXT, "s1._domainkey.ann.example", true},
	    {PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, "pm-bounces.ann.example", true},
	    {PURPOSE_DMARC, RECORD_TYPE_TXT, "_dmarc.ann.example", false},
	};
	size_t i;
	w->option = OPTION_DOMAIN;
	w->step = STEP_RECORDS;
	str_copy(w->domain.ascii, sizeof w->domain.ascii, "ann.example");
	str_copy(w->domain.unicode, sizeof w->domain.unicode, "ann.example");
	w->esp_domain.exists = true;
	str_copy(w->esp_domain.id, sizeof w->esp_domain.id, "4242");
	for (i = 0; i < 3; i++) {
		struct expected_record *r = &w->records[i];
		r->purpose = recs[i].p;
		r->type = recs[i].t;
		str_copy(r->name, sizeof r->name, recs[i].name);
		str_copy(r->value, sizeof r->value, "v");
		r->required = recs[i].required;
		w->results[i].status = STATUS_MISSING;
		if (i < 2)
			resource_add_record(&w->esp_domain, r->purpose, r->type, r->name, r->value,
					    true, false);
	}
	w->nrecords = 3;
	return w;
}

static void add_diag(struct wizard *w, size_t rec, enum record_diag code)
{
	struct record_result *r = &w->results[rec];
	r->diagnoses[r->ndiagnoses++].code = code;
}

static void test_holdup(void **state)
{
	struct wizard *w = records_wizard();
	struct status_row row;
	(void)state;

	/* nothing seen yet: the worst status of a required record */
	status_row_of(w, "ann", NOW, &row);
	assert_string_equal(row.diag, "missing");
	assert_true(row.diag_fix);
	assert_int_equal(row.records, 2);
	assert_int_equal(row.verified, 0);

	/* the optional DMARC's advice holds nobody up */
	add_diag(w, 2, DIAG_DMARC_MISSING);
	status_row_of(w, "ann", NOW, &row);
	assert_string_equal(row.diag, "missing");

	/* of two diagnoses, the one the table says to fix first */
	add_diag(w, 1, DIAG_NOT_PROPAGATED);
	status_row_of(w, "ann", NOW, &row);
	assert_string_equal(row.diag, "not-propagated");
	assert_false(row.diag_fix); /* wait */
	add_diag(w, 0, DIAG_ZONE_APPENDED);
	status_row_of(w, "ann", NOW, &row);
	assert_string_equal(row.diag, "zone-appended");
	assert_true(row.diag_fix);
	assert_int_equal(status_top_diag(w), DIAG_ZONE_APPENDED);

	/* done: nothing holds the customer up */
	w->step = STEP_DONE;
	status_row_of(w, "ann", NOW, &row);
	assert_true(row.done);
	assert_string_equal(row.diag, "");

	/* option 2 waiting for the click */
	free(w);
	w = new_wizard();
	w->option = OPTION_ADDRESS;
	w->step = STEP_CONFIRM;
	w->signature.exists = true;
	status_row_of(w, "bob", NOW, &row);
	assert_string_equal(row.diag, "unconfirmed");
	w->signature.confirmed = true;
	status_row_of(w, "bob", NOW, &row);
	assert_string_equal(row.diag, "");
	free(w);
}

static void test_stuck(void **state)
{
	struct status_row r = {0};
	(void)state;
	str_copy(r.diag, sizeof r.diag, "missing");
	r.step_since_ms = NOW - 24 * HOUR;
	r.changed_ms = NOW;
	assert_false(status_row_stuck(&r, NOW, 24 * HOUR)); /* not longer than */
	r.step_since_ms--;
	assert_true(status_row_stuck(&r, NOW, 24 * HOUR));
	r.diag[0] = '\0'; /* nothing holds it up: waiting is not stuck */
	assert_false(status_row_stuck(&r, NOW, 24 * HOUR));
	str_copy(r.diag, sizeof r.diag, "missing");
	r.done = true;
	assert_false(status_row_stuck(&r, NOW, 24 * HOUR));
	r.done = false;
	/* a file of a build that did not save step_since_ms: its last save */
	r.step_since_ms = 0;
	r.changed_ms = NOW - 30 * HOUR;
	assert_int_equal(status_row_since(&r), NOW - 30 * HOUR);
	assert_true(status_row_stuck(&r, NOW, 24 * HOUR));
}

static struct status_row row(const char *id, const char *diag, bool fix, int64_t since, bool done)
{
	struct status_row r = {0};
	str_copy(r.customer, sizeof r.customer, id);
	str_copy(r.diag, sizeof r.diag, diag);
	r.diag_fix = fix;
	r.step_since_ms = since;
	r.changed_ms = since;
	r.done = done;
	return r;
}

static void test_order(void **state)
{
	struct status_row rows[] = {
	    row("done-old", "", false, NOW - 90 * HOUR, true),
	    row("waiting", "", false, NOW - 50 * HOUR, false),
	    row("fix-new", "zone-appended", true, NOW - 1 * HOUR, false),
	    row("stuck-wait", "not-propagated", false, NOW - 80 * HOUR, false),
	    row("stuck-fix-b", "missing", true, NOW - 30 * HOUR, false),
	    row("stuck-fix-a", "missing", true, NOW - 30 * HOUR, false),
	    row("stuck-fix-old", "zone-appended", true, NOW - 70 * HOUR, false),
	    row("wait-new", "not-propagated", false, NOW - 2 * HOUR, false),
	};
	static const char *const want[] = {
	    "stuck-fix-old", "stuck-fix-a", "stuck-fix-b", "stuck-wait",
	    "fix-new",	     "waiting",	    "wait-new",	   "done-old",
	};
	size_t i, n = sizeof rows / sizeof rows[0];
	(void)state;
	status_rows_rank(rows, n, NOW, 24 * HOUR);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].customer, want[i]) != 0)
			fail_msg("row %zu is %s, not %s", i, rows[i].customer, want[i]);
	}
	assert_true(rows[0].stuck);
	assert_int_equal(rows[0].tier, STATUS_TIER_STUCK_FIX);
	assert_int_equal(rows[3].tier, STATUS_TIER_STUCK_WAIT);
	assert_false(rows[4].stuck);
	assert_int_equal(rows[7].tier, STATUS_TIER_DONE);
}

/* A finished customer whose record behalf monitor found lost needs help:
 * holdup record-lost, ranked with those who have something to fix (ahead
 * of the waiting and of the other finished ones), never "stuck" (done). */
static void test_order_lost(void **state)
{
	struct status_row rows[] = {
	    row("done-fine", "", false, NOW - 90 * HOUR, true),
	    row("waiting", "", false, NOW - 50 * HOUR, false),
	    row("done-lost", "", false, NOW - 80 * HOUR, true),
	    row("fix-new", "zone-appended", true, NOW - 1 * HOUR, false),
	    row("stuck-fix", "missing", true, NOW - 30 * HOUR, false),
	};
	static const char *const want[] = {"stuck-fix", "done-lost", "fix-new", "waiting",
					   "done-fine"};
	size_t i, n = sizeof rows / sizeof rows[0];
	(void)state;
	status_row_set_lost(&rows[0], 0); /* nothing lost: unchanged */
	assert_string_equal(rows[0].diag, "");
	status_row_set_lost(&rows[2], 1);
	assert_string_equal(rows[2].diag, "record-lost");
	status_rows_rank(rows, n, NOW, 24 * HOUR);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].customer, want[i]) != 0)
			fail_msg("row %zu is %s, not %s", i, rows[i].customer, want[i]);
	}
	assert_int_equal(rows[1].tier, STATUS_TIER_FIX);
	assert_false(rows[1].stuck);
	assert_int_equal(rows[4].tier, STATUS_TIER_DONE);
}

/* The schema's "required" keys of an object. */
static void assert_keys(json_t *obj, json_t *schema, const char *what)
{
	json_t *req = json_object_get(schema, "required"), *v;
	const char *key;
	size_t i;
	assert_non_null(req);
	json_array_foreach(req, i, v)
	{
		if (!json_object_get(obj, json_string_value(v)))
			fail_msg("%s lacks \"%s\"", what, json_string_value(v));
	}
	json_object_foreach(obj, key, v)
	{
		bool found = false;
		json_array_foreach(req, i, v) found |= strcmp(json_string_value(v), key) == 0;
		if (!found)
			fail_msg("%s has \"%s\", which the schema does not document", what, key);
	}
}

static json_t *load_schema(const char *name)
{
	char path[1024];
	json_error_t e;
	json_t *s;
	snprintf(path, sizeof path, "%s/docs/%s", BEHALF_SOURCE_DIR, name);
	s = json_load_file(path, 0, &e);
	if (!s)
		fail_msg("%s: %s", path, e.text);
	return s;
}

static void test_json_shape(void **state)
{
	json_t *schema = load_schema("status.schema.json");
	json_t *props = json_object_get(schema, "properties");
	struct wizard *w = records_wizard();
	json_t *j, *rec;
	(void)state;

	add_diag(w, 0, DIAG_ZONE_APPENDED);
	w->milestones_ms[MILESTONE_RECORDS_SHOWN] = 1798761600000LL;
	w->step_since_ms = 1798761600000LL + 1000;
	j = status_json(w, "ann", NOW, NOW, 24 * HOUR);
	assert_keys(j, schema, "status");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), STATUS_JSON_VERSION);
	assert_int_equal(json_integer_value(json_object_get(j, "option")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "step")), "records");
	assert_string_equal(json_string_value(json_object_get(j, "step_since")),
			    "2027-01-01T00:00:01Z");
	assert_string_equal(json_string_value(json_object_get(j, "holdup")), "zone-appended");
	assert_true(json_is_true(json_object_get(j, "stuck"))); /* 100 h in the step */
	assert_string_equal(json_string_value(json_object_get(j, "domain")), "ann.example");
	assert_true(json_is_null(json_object_get(j, "address")));
	assert_true(json_is_null(json_object_get(j, "from")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "esp"), "domain_id")), "4242");
	assert_keys(json_object_get(j, "esp"), json_object_get(props, "esp"), "esp");
	assert_keys(json_object_get(j, "milestones"), json_object_get(props, "milestones"),
		    "milestones");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "milestones"), "records.shown")),
	    "2027-01-01T00:00:00Z");
	assert_true(
	    json_is_null(json_object_get(json_object_get(j, "milestones"), "onboarding.done")));
	assert_int_equal(json_array_size(json_object_get(j, "records")), 3);
	rec = json_array_get(json_object_get(j, "records"), 0);
	assert_keys(rec, json_object_get(json_object_get(schema, "$defs"), "record"), "record");
	assert_string_equal(json_string_value(json_object_get(rec, "name")),
			    "s1._domainkey.ann.example");
	assert_string_equal(json_string_value(json_object_get(rec, "status")), "missing");
	assert_true(json_is_false(json_object_get(rec, "esp_verified")));
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(rec, "diagnoses"), 0), "code")),
			    "zone-appended");
	/* the ESP does not check DMARC: null, not false */
	rec = json_array_get(json_object_get(j, "records"), 2);
	assert_true(json_is_null(json_object_get(rec, "esp_verified")));
	json_decref(j);

	/* option 3: the header as on the wire, a long one folded with CRLF */
	free(w);
	w = new_wizard();
	w->option = OPTION_NAME;
	w->step = STEP_FROM_NAME;
	field_set(&w->from_name, "Smith, Jane");
	j = status_json(w, "ann", NOW, NOW, 24 * HOUR);
	assert_keys(j, schema, "status (option 3)");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "from"), "header")),
	    "From: \"Smith, Jane via Acme Help Desk\" <notifications@acmehelp.example>");
	assert_false(json_is_true(json_object_get(j, "stuck"))); /* nothing holds it up */
	assert_int_equal(json_array_size(json_object_get(j, "records")), 0);
	json_decref(j);
	field_set(&w->from_name, "Jane Smith of the Very Long Company Name Incorporated Worldwide");
	j = status_json(w, "ann", NOW, NOW, 24 * HOUR);
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_object_get(j, "from"), "header")), "\r\n "));
	json_decref(j);

	/* option 2 */
	w->option = OPTION_ADDRESS;
	w->step = STEP_CONFIRM;
	str_copy(w->address_normalized, sizeof w->address_normalized, "jane@ann.example");
	field_set(&w->address_name, "Jane");
	w->signature.exists = true;
	str_copy(w->signature.id, sizeof w->signature.id, "77");
	j = status_json(w, "ann", NOW, NOW, 24 * HOUR);
	assert_keys(json_object_get(j, "address"),
		    json_array_get(json_object_get(json_object_get(props, "address"), "oneOf"), 1),
		    "address");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "address"), "email")),
	    "jane@ann.example");
	assert_true(json_is_false(json_object_get(json_object_get(j, "address"), "confirmed")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "esp"), "signature_id")), "77");
	assert_string_equal(json_string_value(json_object_get(j, "holdup")), "unconfirmed");
	json_decref(j);
	free(w);
	json_decref(schema);
}

/* True when the array of an "enum" holds word. */
static bool enum_has(json_t *e, const char *word)
{
	json_t *v;
	size_t i;
	json_array_foreach(e, i, v) if (json_is_string(v) &&
					strcmp(json_string_value(v), word) == 0) return true;
	return false;
}

static void test_schema_knows_every_word(void **state)
{
	json_t *schema = load_schema("status.schema.json"), *list = load_schema("list.schema.json");
	json_t *props = json_object_get(schema, "properties");
	json_t *rec = json_object_get(json_object_get(json_object_get(schema, "$defs"), "record"),
				      "properties");
	json_t *holdups = json_object_get(
	    json_array_get(json_object_get(json_object_get(props, "holdup"), "oneOf"), 0), "enum");
	json_t *list_steps;
	int i;
	(void)state;
	list_steps = json_object_get(
	    json_object_get(
		json_object_get(
		    json_object_get(
			json_object_get(json_object_get(list, "properties"), "customers"), "items"),
		    "properties"),
		"step"),
	    "enum");
	for (i = 0; i < STEP__COUNT; i++) {
		const char *word = wizard_step_word((enum wizard_step)i);
		if (!enum_has(json_object_get(json_object_get(props, "step"), "enum"), word) ||
		    !enum_has(list_steps, word))
			fail_msg("step \"%s\" is not in the schemas", word);
	}
	for (i = 0; i < DIAG__COUNT; i++) {
		const char *code = record_diag_code((enum record_diag)i);
		json_t *d = json_object_get(
		    json_object_get(json_object_get(json_object_get(rec, "diagnoses"), "items"),
				    "properties"),
		    "code");
		if (!enum_has(json_object_get(d, "enum"), code) || !enum_has(holdups, code))
			fail_msg("diagnosis \"%s\" is not in the schema", code);
	}
	for (i = 0; i < STATUS__COUNT; i++) {
		const char *word = record_status_word((enum record_status)i);
		if (!enum_has(json_object_get(json_object_get(rec, "status"), "enum"), word) ||
		    !enum_has(holdups, word))
			fail_msg("record status \"%s\" is not in the schema", word);
	}
	for (i = 0; i < MILESTONE_COUNT; i++) {
		const char *word = milestone_word((enum milestone)i);
		if (!json_object_get(
			json_object_get(json_object_get(props, "milestones"), "properties"), word))
			fail_msg("milestone \"%s\" is not in the schema", word);
	}
	for (i = 0; i < PURPOSE__COUNT; i++)
		if (!enum_has(json_object_get(json_object_get(rec, "purpose"), "enum"),
			      record_purpose_word((enum record_purpose)i)))
			fail_msg("purpose \"%s\" is not in the schema",
				 record_purpose_word((enum record_purpose)i));
	json_decref(schema);
	json_decref(list);
}

/* Every key of the object schema obj (and of the objects inside it) is
 * named in the man page. */
static void assert_documented(json_t *obj, const char *man, const char *where)
{
	json_t *props = json_object_get(obj, "properties"), *v, *alt;
	const char *key;
	size_t i;
	json_object_foreach(props, key, v)
	{
		if (!strstr(man, key))
			fail_msg("%s field \"%s\" is not in docs/behalf.1", where, key);
		assert_documented(v, man, key);
		json_array_foreach(json_object_get(v, "oneOf"), i, alt)
		    assert_documented(alt, man, key);
		assert_documented(json_object_get(v, "items"), man, key);
	}
}

static void test_man_page_documents_every_field(void **state)
{
	json_t *schema = load_schema("status.schema.json"), *list = load_schema("list.schema.json");
	struct buf man = {.limit = 1 << 20};
	char path[1024];
	FILE *f;
	char chunk[4096];
	size_t n;
	(void)state;
	snprintf(path, sizeof path, "%s/docs/behalf.1", BEHALF_SOURCE_DIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&man, chunk, n);
	fclose(f);
	assert_documented(schema, man.data, "status");
	assert_documented(json_object_get(json_object_get(schema, "$defs"), "record"), man.data,
			  "records[]");
	assert_documented(list, man.data, "list");
	buf_free(&man);
	json_decref(schema);
	json_decref(list);
}

static void test_duration(void **state)
{
	int64_t ms = 0;
	char age[16];
	(void)state;
	assert_true(status_parse_duration("90m", &ms));
	assert_int_equal(ms, 90 * 60 * 1000LL);
	assert_true(status_parse_duration("1d12h", &ms));
	assert_int_equal(ms, 36 * HOUR);
	assert_true(status_parse_duration("2w", &ms));
	assert_int_equal(ms, 14 * 24 * HOUR);
	assert_true(status_parse_duration("45s", &ms));
	assert_int_equal(ms, 45000);
	assert_false(status_parse_duration("", &ms));
	assert_false(status_parse_duration("24", &ms)); /* a unit is needed */
	assert_false(status_parse_duration("h", &ms));
	assert_false(status_parse_duration("-1h", &ms));
	assert_false(status_parse_duration("1y", &ms));
	assert_false(status_parse_duration("99999999999999999999d", &ms));
	status_format_age(59 * 1000, age, sizeof age);
	assert_string_equal(age, "59s");
	status_format_age(47 * HOUR, age, sizeof age);
	assert_string_equal(age, "47h");
	status_format_age(49 * HOUR, age, sizeof age);
	assert_string_equal(age, "2d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_holdup),
	    cmocka_unit_test(test_stuck),
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_order_lost),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_schema_knows_every_word),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_man_page_documents_every_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
