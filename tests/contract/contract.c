/* The ESP contract suite (see contract.h): what every backend of esp.h
 * promises, checked against each through its struct contract_backend.
 * Run as "esp_contract <backend>" (ctest contract/<backend>).
 *
 * The operations are driven by a small poll() loop over esp->ops->source,
 * as the application's loop does.  Nothing here knows which ESP it talks
 * to; what the account holds is asked of the backend (count), never
 * guessed from the replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/text.h"

/* ---- reading a domain reply: the only code that knows its shape ---- */

size_t contract_domain_record_count(const struct esp_reply *reply)
{
	return reply->domain.nrecords;
}

void contract_domain_record(const struct esp_reply *reply, size_t i, struct expected_record *rec,
			    bool *esp_verified)
{
	*rec = reply->domain.records[i].rec;
	*esp_verified = reply->domain.records[i].esp_verified;
}

bool contract_domain_all_verified(const struct esp_reply *reply)
{
	struct expected_record rec;
	bool verified;
	size_t i, n = contract_domain_record_count(reply);

	for (i = 0; i < n; i++) {
		contract_domain_record(reply, i, &rec, &verified);
		if (rec.required && !verified)
			return false;
	}
	return n > 0;
}

/* ---- the backends ---- */

static const struct contract_backend *const backends[] = {
    &contract_sandbox,
    &contract_postmark,
    &contract_brokered,
};

static const struct contract_backend *B; /* the backend under test */

#define LOOP_LIMIT_MS 30000

static struct buf messages = {0}; /* every reply's message, one a line */

static const char *const fault_names[FAULT__COUNT] = {
    "bad credentials (401)", "not found as a plain 404", "rate limited (429)", "server error (500)",
    "unavailable (503)",     "error after acting (500)", "lost reply",	       "malformed reply",
    "hidden by the look-up",
};

/* True when the backend can produce fault; else says why not, aloud. */
static bool applicable(enum contract_fault f)
{
	if (!B->not_applicable[f])
		return true;
	printf("[ N/A      ] %s: %s: %s\n", B->name, fault_names[f], B->not_applicable[f]);
	return false;
}

static void arm(enum contract_fault f, enum contract_step step, int count, const char *name)
{
	assert_null(B->not_applicable[f]);
	assert_true(B->inject(f, step, count, name));
}

/* ---- driving a client ---- */

struct result {
	bool done;
	int calls;
	enum bh_err err;
	struct esp_reply reply;
};

static void on_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct result *r = arg;

	r->done = true;
	r->calls++;
	r->err = err;
	r->reply = *reply;
	buf_puts(&messages, reply->message);
	buf_puts(&messages, "\n");
}

/* A callback that must never run. */
static void on_never(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	(void)arg;
	(void)err;
	(void)reply;
	fail_msg("a callback ran that must not");
}

/* Runs the client's source until r's callback ran (once). */
static void run(struct esp *esp, struct result *r)
{
	int64_t end = clock_now_ms() + LOOP_LIMIT_MS, now, dl;
	struct pollfd fds[32];
	int n, timeout;

	while (!r->done && (now = clock_now_ms()) < end) {
		n = esp->ops->source.fill(esp, fds, 32);
		dl = esp->ops->source.deadline(esp);
		timeout = 200;
		if (dl)
			timeout = dl <= now ? 0 : (int)(dl - now < 200 ? dl - now : 200);
		poll(fds, (nfds_t)n, timeout);
		esp->ops->source.dispatch(esp, fds, n, clock_now_ms());
	}
	assert_true(r->done);
	assert_int_equal(r->calls, 1);
}

/* Checks that an operation started, never called back inside the call,
 * and runs it. */
static void started(struct esp *esp, enum bh_err start, struct result *r)
{
	assert_int_equal(start, BH_OK);
	assert_false(r->done);
	run(esp, r);
}

static void domain_ensure(struct esp *esp, const char *name, struct result *r)
{
	memset(r, 0, sizeof *r);
	started(esp, esp->ops->domain_ensure(esp, name, on_done, r), r);
}

typedef enum bh_err (*id_op)(struct esp *, const char *, esp_done_fn, void *);

/* An operation on one resource id (id may live in *r). */
static void on_id(struct esp *esp, id_op op, const char *res_id, struct result *r)
{
	char id[RESOURCE_ID_MAX];

	str_copy(id, sizeof id, res_id);
	memset(r, 0, sizeof *r);
	started(esp, op(esp, id, on_done, r), r);
}

static void signature_ensure(struct esp *esp, const char *email, struct result *r)
{
	memset(r, 0, sizeof *r);
	started(esp,
		esp->ops->signature_ensure(esp, email, "Jane Customer", "help@shop.example",
					   "Sent for Vendor's onboarding.", on_done, r),
		r);
}

static void signature_update(struct esp *esp, const char *res_id, const char *name,
			     struct result *r)
{
	char id[RESOURCE_ID_MAX];

	str_copy(id, sizeof id, res_id);
	memset(r, 0, sizeof *r);
	started(esp, esp->ops->signature_update(esp, id, name, on_done, r), r);
}

static const struct esp_email test_email = {
    .from = "Jane Customer <jane@shop.example>",
    .to = "bob@elsewhere.example",
    .reply_to = "help@shop.example",
    .subject = "Hello",
    .text_body = "It works.",
    .html_body = NULL,
};

static void email_send(struct esp *esp, const struct esp_email *e, struct result *r)
{
	memset(r, 0, sizeof *r);
	started(esp, esp->ops->email_send(esp, e, on_done, r), r);
}

/* A signature for jane@shop.example, confirmed by the person. */
static void confirmed_signature(struct esp *esp, struct result *r)
{
	signature_ensure(esp, "jane@shop.example", r);
	assert_int_equal(r->err, BH_OK);
	B->confirm_signature(esp, r->reply.signature.id);
}

/* A failure the caller can show: an error, and words for it. */
static void assert_failed(const struct result *r, enum bh_err want)
{
	assert_int_equal(r->err, want);
	assert_true(r->reply.message[0] != '\0');
}

/* ---- setup ---- */

static int group_setup(void **state)
{
	(void)state;
	return B->setup();
}

static int group_teardown(void **state)
{
	(void)state;
	B->teardown();
	buf_free(&messages);
	text_free();
	return 0;
}

static int reset(void **state)
{
	(void)state;
	B->reset();
	return 0;
}

/* ---- domains ---- */

/* Created once; the same domain asked again (any case) is the same one. */
static void test_domain_created_once(void **state)
{
	struct esp *esp = B->create();
	struct result r, again;

	(void)state;
	assert_non_null(esp->ops->name);
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.domain.exists);
	assert_true(r.reply.domain.id[0]);
	assert_string_equal(r.reply.domain.name, "shop.example");
	assert_int_equal(B->count(KIND_DOMAINS), 1);

	domain_ensure(esp, "Shop.Example", &again);
	assert_int_equal(again.err, BH_OK);
	assert_string_equal(again.reply.domain.id, r.reply.domain.id);
	assert_string_equal(again.reply.domain.name, "shop.example");
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

/* Another session (a new client, nothing in memory) adopts it. */
static void test_domain_adopted_by_next_session(void **state)
{
	struct esp *esp = B->create();
	struct result r, again;

	(void)state;
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	esp->ops->destroy(esp);

	esp = B->create();
	domain_ensure(esp, "shop.example", &again);
	assert_int_equal(again.err, BH_OK);
	assert_string_equal(again.reply.domain.id, r.reply.domain.id);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

/* Every record is something a person can publish: a type, a name at or
 * under the domain (the apex for an SPF TXT, say), a value; at least one is required; none is
 * verified before anything was published. */
static void test_domain_records_described(void **state)
{
	struct esp *esp = B->create();
	struct expected_record rec, other;
	struct result r;
	size_t i, j, n, required = 0;
	bool verified;

	(void)state;
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	n = contract_domain_record_count(&r.reply);
	assert_true(n >= 1 && n <= 8);
	for (i = 0; i < n; i++) {
		size_t len;
		contract_domain_record(&r.reply, i, &rec, &verified);
		len = strlen(rec.name);
		assert_true(rec.type == RECORD_TYPE_TXT || rec.type == RECORD_TYPE_CNAME ||
			    rec.type == RECORD_TYPE_MX);
		assert_true(
		    strcmp(rec.name, "shop.example") == 0 ||
		    (len > strlen(".shop.example") &&
		     strcmp(rec.name + len - strlen(".shop.example"), ".shop.example") == 0));
		assert_true(rec.value[0]);
		assert_false(verified);
		required += rec.required;
		for (j = 0; j < i; j++) {
			contract_domain_record(&r.reply, j, &other, &verified);
			assert_false(other.type == rec.type && strcmp(other.name, rec.name) == 0);
		}
	}
	assert_true(required >= 1);
	assert_false(contract_domain_all_verified(&r.reply));
	esp->ops->destroy(esp);
}

/* The names of the records of a reply, for comparing two replies. */
static void record_names(const struct esp_reply *reply, struct buf *out)
{
	struct expected_record rec;
	bool verified;
	size_t i;

	buf_puts(out, "");
	for (i = 0; i < contract_domain_record_count(reply); i++) {
		contract_domain_record(reply, i, &rec, &verified);
		buf_printf(out, "%d %s\n", (int)rec.type, rec.name);
	}
}

/* Verify says "not yet" until the DNS holds the records, then "verified";
 * the records to publish stay the same throughout. */
static void test_domain_verify_follows_dns(void **state)
{
	struct esp *esp = B->create();
	struct result r, v;
	struct buf before = {0}, after = {0};

	(void)state;
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	record_names(&r.reply, &before);

	on_id(esp, esp->ops->domain_verify, r.reply.domain.id, &v);
	assert_int_equal(v.err, BH_OK);
	assert_true(v.reply.domain.exists);
	assert_string_equal(v.reply.domain.id, r.reply.domain.id);
	assert_false(contract_domain_all_verified(&v.reply));
	record_names(&v.reply, &after);
	assert_string_equal(after.data, before.data);

	B->publish_dns(esp, &r.reply, true);
	on_id(esp, esp->ops->domain_verify, r.reply.domain.id, &v);
	assert_int_equal(v.err, BH_OK);
	assert_true(contract_domain_all_verified(&v.reply));
	buf_free(&after);
	record_names(&v.reply, &after);
	assert_string_equal(after.data, before.data);

	/* A new session's ensure says the same. */
	esp->ops->destroy(esp);
	esp = B->create();
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(contract_domain_all_verified(&r.reply));
	buf_free(&before);
	buf_free(&after);
	esp->ops->destroy(esp);
}

/* Removed: gone at the ESP; every operation on it then is "not found",
 * with the ESP's code; ensure creates it anew. */
static void test_domain_removed(void **state)
{
	struct esp *esp = B->create();
	struct result r, d;

	(void)state;
	domain_ensure(esp, "shop.example", &r);
	on_id(esp, esp->ops->domain_delete, r.reply.domain.id, &d);
	assert_int_equal(d.err, BH_OK);
	assert_false(d.reply.domain.exists);
	assert_string_equal(d.reply.domain.id, r.reply.domain.id);
	assert_true(d.reply.message[0]);
	assert_int_equal(B->count(KIND_DOMAINS), 0);

	on_id(esp, esp->ops->domain_delete, r.reply.domain.id, &d);
	assert_failed(&d, BH_ERR_NOT_FOUND);
	assert_int_equal(d.reply.esp_code, B->code_domain_not_found);
	on_id(esp, esp->ops->domain_verify, r.reply.domain.id, &d);
	assert_failed(&d, BH_ERR_NOT_FOUND);
	assert_int_equal(d.reply.esp_code, B->code_domain_not_found);

	domain_ensure(esp, "shop.example", &d);
	assert_int_equal(d.err, BH_OK);
	assert_string_not_equal(d.reply.domain.id, r.reply.domain.id);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

/* The ESP created the domain but the answer never came back (fault): the
 * session may end without knowing; the next ensure adopts it.  Without a
 * wire to lose the answer on, the caller drops it: the same contract. */
static void lost_domain_create(enum contract_fault fault)
{
	struct esp *esp = B->create();
	struct result first, next;

	if (applicable(fault))
		arm(fault, STEP_DOMAIN_CREATE, 1, NULL);
	domain_ensure(esp, "lost.example", &first);
	esp->ops->destroy(esp); /* whatever came back is forgotten */
	assert_int_equal(B->count(KIND_DOMAINS), 1);

	esp = B->create();
	domain_ensure(esp, "lost.example", &next);
	assert_int_equal(next.err, BH_OK);
	if (first.err == BH_OK)
		assert_string_equal(next.reply.domain.id, first.reply.domain.id);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

static void test_domain_lost_reply_adopted(void **state)
{
	(void)state;
	lost_domain_create(FAULT_LOST_REPLY);
}

static void test_domain_error_after_create_adopted(void **state)
{
	(void)state;
	lost_domain_create(FAULT_ERROR_AFTER);
}

/* Another session created it between the look-up and the create: the
 * ESP's "already exists" is adopted, never a second domain. */
static void test_domain_race_adopted(void **state)
{
	struct esp *esp;
	struct result r, again;

	(void)state;
	if (!applicable(FAULT_HIDDEN))
		skip();
	arm(FAULT_HIDDEN, STEP_DOMAIN_LOOKUP, 1, "race.example");
	esp = B->create();
	domain_ensure(esp, "race.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.domain.exists);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	domain_ensure(esp, "race.example", &again);
	assert_string_equal(again.reply.domain.id, r.reply.domain.id);
	esp->ops->destroy(esp);
}

/* The ESP says "exists" but never shows it: a refusal with its code and
 * words after a bounded number of look-ups, still one domain. */
static void test_domain_duplicate_never_shown_refused(void **state)
{
	struct esp *esp;
	struct result r;

	(void)state;
	if (!applicable(FAULT_HIDDEN))
		skip();
	arm(FAULT_HIDDEN, STEP_DOMAIN_LOOKUP, CONTRACT_ALWAYS, "ghost.example");
	esp = B->create();
	domain_ensure(esp, "ghost.example", &r);
	assert_failed(&r, BH_ERR_REMOTE);
	assert_int_not_equal(r.reply.esp_code, 0);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

/* ---- sender signatures ---- */

static void test_signature_created_once(void **state)
{
	struct esp *esp = B->create();
	struct result r, again;

	(void)state;
	signature_ensure(esp, "jane@shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.signature.exists);
	assert_true(r.reply.signature.id[0]);
	assert_string_equal(r.reply.signature.email, "jane@shop.example");
	assert_string_equal(r.reply.signature.name, "Jane Customer");
	assert_false(r.reply.signature.confirmed);

	signature_ensure(esp, "Jane@Shop.example", &again);
	assert_int_equal(again.err, BH_OK);
	assert_string_equal(again.reply.signature.id, r.reply.signature.id);
	esp->ops->destroy(esp);

	esp = B->create();
	signature_ensure(esp, "jane@shop.example", &again);
	assert_int_equal(again.err, BH_OK);
	assert_string_equal(again.reply.signature.id, r.reply.signature.id);
	assert_int_equal(B->count(KIND_SIGNATURES), 1);
	esp->ops->destroy(esp);
}

/* get, resend, update: each reply holds the signature as it is now;
 * confirmed once the person clicked; a resend then is refused. */
static void test_signature_get_resend_update(void **state)
{
	struct esp *esp = B->create();
	struct result r, x;
	const struct contract_code *refuse = &B->refusals[REFUSE_RESEND_CONFIRMED];

	(void)state;
	signature_ensure(esp, "jane@shop.example", &r);
	on_id(esp, esp->ops->signature_get, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_OK);
	assert_string_equal(x.reply.signature.id, r.reply.signature.id);
	assert_string_equal(x.reply.signature.email, "jane@shop.example");
	assert_false(x.reply.signature.confirmed);

	on_id(esp, esp->ops->signature_resend, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_OK);
	assert_string_equal(x.reply.signature.id, r.reply.signature.id);
	assert_false(x.reply.signature.confirmed);

	signature_update(esp, r.reply.signature.id, "Jane Q. Customer", &x);
	assert_int_equal(x.err, BH_OK);
	assert_string_equal(x.reply.signature.name, "Jane Q. Customer");
	on_id(esp, esp->ops->signature_get, r.reply.signature.id, &x);
	assert_string_equal(x.reply.signature.name, "Jane Q. Customer");

	B->confirm_signature(esp, r.reply.signature.id);
	on_id(esp, esp->ops->signature_get, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_OK);
	assert_true(x.reply.signature.confirmed);

	if (refuse->why_not) {
		printf("[ N/A      ] %s: resend refused once confirmed: %s\n", B->name,
		       refuse->why_not);
	} else {
		on_id(esp, esp->ops->signature_resend, r.reply.signature.id, &x);
		assert_failed(&x, BH_ERR_REMOTE);
		assert_int_equal(x.reply.esp_code, refuse->code);
		assert_true(x.reply.signature.confirmed);
	}
	assert_int_equal(B->count(KIND_SIGNATURES), 1);
	esp->ops->destroy(esp);
}

static void test_signature_removed(void **state)
{
	struct esp *esp = B->create();
	struct result r, x;

	(void)state;
	signature_ensure(esp, "jane@shop.example", &r);
	on_id(esp, esp->ops->signature_delete, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_OK);
	assert_false(x.reply.signature.exists);
	assert_string_equal(x.reply.signature.id, r.reply.signature.id);
	assert_int_equal(B->count(KIND_SIGNATURES), 0);

	on_id(esp, esp->ops->signature_get, r.reply.signature.id, &x);
	assert_failed(&x, BH_ERR_NOT_FOUND);
	assert_int_equal(x.reply.esp_code, B->code_signature_not_found);
	on_id(esp, esp->ops->signature_resend, r.reply.signature.id, &x);
	assert_failed(&x, BH_ERR_NOT_FOUND);
	assert_int_equal(x.reply.esp_code, B->code_signature_not_found);
	signature_update(esp, r.reply.signature.id, "Jane", &x);
	assert_failed(&x, BH_ERR_NOT_FOUND);
	assert_int_equal(x.reply.esp_code, B->code_signature_not_found);
	on_id(esp, esp->ops->signature_delete, r.reply.signature.id, &x);
	assert_failed(&x, BH_ERR_NOT_FOUND);
	assert_int_equal(x.reply.esp_code, B->code_signature_not_found);
	assert_int_equal(B->count(KIND_SIGNATURES), 0);
	esp->ops->destroy(esp);
}

static void lost_signature_create(enum contract_fault fault)
{
	struct esp *esp = B->create();
	struct result first, next;

	if (applicable(fault))
		arm(fault, STEP_SIGNATURE_CREATE, 1, NULL);
	signature_ensure(esp, "lost@shop.example", &first);
	esp->ops->destroy(esp);
	assert_int_equal(B->count(KIND_SIGNATURES), 1);

	esp = B->create();
	signature_ensure(esp, "lost@shop.example", &next);
	assert_int_equal(next.err, BH_OK);
	if (first.err == BH_OK)
		assert_string_equal(next.reply.signature.id, first.reply.signature.id);
	assert_int_equal(B->count(KIND_SIGNATURES), 1);
	esp->ops->destroy(esp);
}

static void test_signature_lost_reply_adopted(void **state)
{
	(void)state;
	lost_signature_create(FAULT_LOST_REPLY);
}

static void test_signature_error_after_create_adopted(void **state)
{
	(void)state;
	lost_signature_create(FAULT_ERROR_AFTER);
}

/* ---- email ---- */

static void test_email_sent_once(void **state)
{
	struct esp *esp = B->create();
	struct result r, m;

	(void)state;
	confirmed_signature(esp, &r);
	email_send(esp, &test_email, &m);
	assert_int_equal(m.err, BH_OK);
	assert_true(m.reply.message[0]); /* the ESP's id for it */
	assert_int_equal(B->count(KIND_EMAILS), 1);
	esp->ops->destroy(esp);
}

/* The ESP accepted the email and the answer was lost: it is not sent
 * again (the caller hears of a failure and may ask the person). */
static void test_email_never_sent_twice(void **state)
{
	static const enum contract_fault faults[] = {FAULT_LOST_REPLY, FAULT_ERROR_AFTER};
	struct esp *esp;
	struct result r, m;
	size_t i, sent = 0;

	(void)state;
	esp = B->create();
	confirmed_signature(esp, &r);
	for (i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		if (!applicable(faults[i]))
			continue;
		arm(faults[i], STEP_EMAIL_SEND, 1, NULL);
		email_send(esp, &test_email, &m);
		assert_int_not_equal(m.err, BH_OK);
		assert_true(m.reply.message[0]);
		assert_int_equal(B->count(KIND_EMAILS), ++sent);
	}
	esp->ops->destroy(esp);
	if (!sent)
		skip();
}

/* Refused before it was accepted (429, 503): tried again as promised. */
static void test_email_retried_when_refused_before(void **state)
{
	static const enum contract_fault faults[] = {FAULT_RATE_LIMITED, FAULT_UNAVAILABLE};
	struct esp *esp;
	struct result r, m;
	size_t i, sent = 0;

	(void)state;
	esp = B->create();
	confirmed_signature(esp, &r);
	for (i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		if (!applicable(faults[i]))
			continue;
		arm(faults[i], STEP_EMAIL_SEND, B->tries - 1, NULL);
		email_send(esp, &test_email, &m);
		assert_int_equal(m.err, BH_OK);
		assert_int_equal(B->count(KIND_EMAILS), ++sent);
	}
	esp->ops->destroy(esp);
	if (!sent)
		skip();
}

/* ---- refusals of the ESP ---- */

/* Checks one refusal: the ESP's code and words, nothing created. */
static void refused(enum contract_refusal kind, const struct result *r, const char *what)
{
	const struct contract_code *c = &B->refusals[kind];

	printf("[ REFUSAL  ] %s: %s: %d \"%s\"\n", B->name, what, r->reply.esp_code,
	       r->reply.message);
	assert_failed(r, BH_ERR_REMOTE);
	assert_int_equal(r->reply.esp_code, c->code);
}

/* True when the refusal applies; else says why not. */
static bool refusal_applies(enum contract_refusal kind, const char *what)
{
	const char *why = B->refusals[kind].why_not;

	if (why)
		printf("[ N/A      ] %s: refusal %s: %s\n", B->name, what, why);
	return !why;
}

static void test_refusals(void **state)
{
	struct esp *esp = B->create();
	struct result r, s;
	struct esp_email e = test_email;

	(void)state;
	if (refusal_applies(REFUSE_DOMAIN_INVALID, "invalid domain")) {
		domain_ensure(esp, "not_a_domain", &r);
		refused(REFUSE_DOMAIN_INVALID, &r, "invalid domain");
		assert_int_equal(B->count(KIND_DOMAINS), 0);
	}
	if (refusal_applies(REFUSE_SIGNATURE_FREEMAIL, "free-mail signature")) {
		signature_ensure(esp, "jane@gmail.com", &r);
		refused(REFUSE_SIGNATURE_FREEMAIL, &r, "free-mail signature");
	}
	if (refusal_applies(REFUSE_SIGNATURE_BAD_EMAIL, "invalid signature address")) {
		signature_ensure(esp, "jane@localhost", &r);
		refused(REFUSE_SIGNATURE_BAD_EMAIL, &r, "invalid signature address");
	}
	assert_int_equal(B->count(KIND_SIGNATURES), 0);
	if (refusal_applies(REFUSE_EMAIL_UNKNOWN_SENDER, "email from an unknown sender")) {
		e.from = "Nobody <nobody@nowhere.example>";
		email_send(esp, &e, &r);
		refused(REFUSE_EMAIL_UNKNOWN_SENDER, &r, "email from an unknown sender");
	}
	if (refusal_applies(REFUSE_EMAIL_UNCONFIRMED, "email from an unconfirmed sender")) {
		signature_ensure(esp, "new@shop.example", &s);
		assert_int_equal(s.err, BH_OK);
		e.from = "New <new@shop.example>";
		email_send(esp, &e, &r);
		refused(REFUSE_EMAIL_UNCONFIRMED, &r, "email from an unconfirmed sender");
	}
	assert_int_equal(B->count(KIND_EMAILS), 0);
	esp->ops->destroy(esp);
}

/* ---- failures of the service ---- */

static void test_bad_credentials(void **state)
{
	struct esp *esp;
	struct result r;

	(void)state;
	if (!applicable(FAULT_BAD_CREDENTIALS))
		skip();
	esp = B->create_bad_credentials();
	assert_non_null(esp);
	domain_ensure(esp, "shop.example", &r);
	assert_failed(&r, BH_ERR_AUTH);
	signature_ensure(esp, "jane@shop.example", &r);
	assert_failed(&r, BH_ERR_AUTH);
	on_id(esp, esp->ops->domain_verify, "1", &r);
	assert_failed(&r, BH_ERR_AUTH);
	assert_int_equal(B->count(KIND_DOMAINS), 0);
	assert_int_equal(B->count(KIND_SIGNATURES), 0);
	esp->ops->destroy(esp);
}

/* A missing resource answered with a plain 404 is "not found" too. */
static void test_not_found_404(void **state)
{
	struct esp *esp;
	struct result r, x;

	(void)state;
	if (!applicable(FAULT_NOT_FOUND_404))
		skip();
	arm(FAULT_NOT_FOUND_404, STEP_DOMAIN_VERIFY, CONTRACT_ALWAYS, NULL);
	esp = B->create();
	domain_ensure(esp, "shop.example", &r);
	on_id(esp, esp->ops->domain_delete, r.reply.domain.id, &x);
	assert_int_equal(x.err, BH_OK);
	on_id(esp, esp->ops->domain_verify, r.reply.domain.id, &x);
	assert_failed(&x, BH_ERR_NOT_FOUND);
	on_id(esp, esp->ops->domain_delete, r.reply.domain.id, &x);
	assert_failed(&x, BH_ERR_NOT_FOUND);
	signature_ensure(esp, "jane@shop.example", &r);
	on_id(esp, esp->ops->signature_delete, r.reply.signature.id, &x);
	on_id(esp, esp->ops->signature_get, r.reply.signature.id, &x);
	assert_failed(&x, BH_ERR_NOT_FOUND);
	esp->ops->destroy(esp);
}

/* 429: tried again as promised, then given up with words for it; nothing
 * created by the tries. */
static void test_rate_limited(void **state)
{
	struct esp *esp;
	struct result r;

	(void)state;
	if (!applicable(FAULT_RATE_LIMITED))
		skip();
	esp = B->create();
	arm(FAULT_RATE_LIMITED, STEP_DOMAIN_LOOKUP, B->tries - 1, NULL);
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(B->count(KIND_DOMAINS), 1);

	arm(FAULT_RATE_LIMITED, STEP_DOMAIN_LOOKUP, B->tries, NULL);
	domain_ensure(esp, "other.example", &r);
	assert_failed(&r, BH_ERR_REMOTE);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	/* Usable afterwards. */
	domain_ensure(esp, "other.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(B->count(KIND_DOMAINS), 2);
	esp->ops->destroy(esp);
}

/* 500 and 503 before acting: tried again as promised; a create is still
 * made once. */
static void test_server_errors(void **state)
{
	struct esp *esp;
	struct result r;

	(void)state;
	if (!applicable(FAULT_SERVER_ERROR) || !applicable(FAULT_UNAVAILABLE))
		skip();
	esp = B->create();
	arm(FAULT_SERVER_ERROR, STEP_SIGNATURE_CREATE, B->tries - 1, NULL);
	signature_ensure(esp, "jane@shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(B->count(KIND_SIGNATURES), 1);

	arm(FAULT_UNAVAILABLE, STEP_DOMAIN_CREATE, B->tries - 1, NULL);
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(B->count(KIND_DOMAINS), 1);

	arm(FAULT_UNAVAILABLE, STEP_DOMAIN_VERIFY, B->tries, NULL);
	on_id(esp, esp->ops->domain_verify, r.reply.domain.id, &r);
	assert_failed(&r, BH_ERR_REMOTE);
	arm(FAULT_SERVER_ERROR, STEP_DOMAIN_CREATE, B->tries, NULL);
	domain_ensure(esp, "other.example", &r);
	assert_failed(&r, BH_ERR_REMOTE);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

static void test_malformed_reply(void **state)
{
	struct esp *esp;
	struct result r;

	(void)state;
	if (!applicable(FAULT_MALFORMED))
		skip();
	esp = B->create();
	arm(FAULT_MALFORMED, STEP_DOMAIN_LOOKUP, 1, NULL);
	domain_ensure(esp, "shop.example", &r);
	assert_failed(&r, BH_ERR_PARSE);
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

/* ---- one at a time ---- */

/* Starts operation i (of ops_count) with callback done; BH_OK or BUSY. */
static enum bh_err start_op(struct esp *esp, int i, esp_done_fn done, void *arg)
{
	switch (i) {
	case 0:
		return esp->ops->domain_ensure(esp, "shop.example", done, arg);
	case 1:
		return esp->ops->domain_verify(esp, "1", done, arg);
	case 2:
		return esp->ops->domain_delete(esp, "1", done, arg);
	case 3:
		return esp->ops->signature_ensure(esp, "jane@shop.example", "Jane", "", "", done,
						  arg);
	case 4:
		return esp->ops->signature_get(esp, "1", done, arg);
	case 5:
		return esp->ops->signature_resend(esp, "1", done, arg);
	case 6:
		return esp->ops->signature_delete(esp, "1", done, arg);
	case 7:
		return esp->ops->signature_update(esp, "1", "Jane", done, arg);
	default:
		return esp->ops->email_send(esp, &test_email, done, arg);
	}
}

#define OPS_COUNT 9

/* While any operation is under way every other one is BH_ERR_BUSY (and
 * its callback never runs); afterwards the next one starts. */
static void test_one_at_a_time(void **state)
{
	static const int firsts[] = {0, 3, 4, 8};
	struct esp *esp = B->create();
	struct result r;
	size_t f;
	int i;

	(void)state;
	for (f = 0; f < sizeof firsts / sizeof firsts[0]; f++) {
		memset(&r, 0, sizeof r);
		assert_int_equal(start_op(esp, firsts[f], on_done, &r), BH_OK);
		for (i = 0; i < OPS_COUNT; i++)
			assert_int_equal(start_op(esp, i, on_never, NULL), BH_ERR_BUSY);
		run(esp, &r);
	}
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

/* Destroyed with an operation under way: its callback never runs. */
static void test_destroy_under_way(void **state)
{
	struct esp *esp = B->create();
	struct result r;

	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(start_op(esp, 0, on_never, &r), BH_OK);
	esp->ops->destroy(esp);
	esp = B->create();
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(B->count(KIND_DOMAINS), 1);
	esp->ops->destroy(esp);
}

/* ---- the description itself ---- */

/* Every fault is either produced by the backend or not applicable with
 * a reason; every refusal has a code or a reason. */
static void test_description_complete(void **state)
{
	size_t i;

	(void)state;
	assert_non_null(B->create);
	assert_non_null(B->publish_dns);
	assert_non_null(B->confirm_signature);
	assert_non_null(B->count);
	assert_true(B->tries >= 1);
	assert_int_not_equal(B->code_domain_not_found, 0);
	assert_int_not_equal(B->code_signature_not_found, 0);
	for (i = 0; i < FAULT__COUNT; i++) {
		if (B->not_applicable[i]) {
			assert_true(strlen(B->not_applicable[i]) > 10);
			printf("[ N/A      ] %s: %s: %s\n", B->name, fault_names[i],
			       B->not_applicable[i]);
		} else {
			assert_non_null(B->inject);
		}
	}
	if (!B->not_applicable[FAULT_BAD_CREDENTIALS])
		assert_non_null(B->create_bad_credentials);
	for (i = 0; i < REFUSE__COUNT; i++)
		assert_true(B->refusals[i].why_not ? strlen(B->refusals[i].why_not) > 10
						   : B->refusals[i].code != 0);
}

/* Last: every message any reply held can be shown as it is: no control
 * characters, no escape sequences. */
static void test_messages_printable(void **state)
{
	size_t i;

	(void)state;
	assert_non_null(messages.data);
	for (i = 0; i < messages.len; i++) {
		unsigned char c = (unsigned char)messages.data[i];
		assert_true(c == '\n' || (c >= 0x20 && c != 0x7f));
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_description_complete),
	    cmocka_unit_test_setup(test_domain_created_once, reset),
	    cmocka_unit_test_setup(test_domain_adopted_by_next_session, reset),
	    cmocka_unit_test_setup(test_domain_records_described, reset),
	    cmocka_unit_test_setup(test_domain_verify_follows_dns, reset),
	    cmocka_unit_test_setup(test_domain_removed, reset),
	    cmocka_unit_test_setup(test_domain_lost_reply_adopted, reset),
	    cmocka_unit_test_setup(test_domain_error_after_create_adopted, reset),
	    cmocka_unit_test_setup(test_domain_race_adopted, reset),
	    cmocka_unit_test_setup(test_domain_duplicate_never_shown_refused, reset),
	    cmocka_unit_test_setup(test_signature_created_once, reset),
	    cmocka_unit_test_setup(test_signature_get_resend_update, reset),
	    cmocka_unit_test_setup(test_signature_removed, reset),
	    cmocka_unit_test_setup(test_signature_lost_reply_adopted, reset),
	    cmocka_unit_test_setup(test_signature_error_after_create_adopted, reset),
	    cmocka_unit_test_setup(test_email_sent_once, reset),
	    cmocka_unit_test_setup(test_email_never_sent_twice, reset),
	    cmocka_unit_test_setup(test_email_retried_when_refused_before, reset),
	    cmocka_unit_test_setup(test_refusals, reset),
	    cmocka_unit_test_setup(test_bad_credentials, reset),
	    cmocka_unit_test_setup(test_not_found_404, reset),
	    cmocka_unit_test_setup(test_rate_limited, reset),
	    cmocka_unit_test_setup(test_server_errors, reset),
	    cmocka_unit_test_setup(test_malformed_reply, reset),
	    cmocka_unit_test_setup(test_one_at_a_time, reset),
	    cmocka_unit_test_setup(test_destroy_under_way, reset),
	    cmocka_unit_test(test_messages_printable),
	};
	size_t i;

	for (i = 0; argc == 2 && i < sizeof backends / sizeof backends[0]; i++)
		if (strcmp(argv[1], backends[i]->name) == 0)
			B = backends[i];
	if (!B) {
		fprintf(stderr, "usage: %s BACKEND (", argv[0]);
		for (i = 0; i < sizeof backends / sizeof backends[0]; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", backends[i]->name);
		fprintf(stderr, ")\n");
		return 2;
	}
	return cmocka_run_group_tests_name(B->name, tests, group_setup, group_teardown);
}
