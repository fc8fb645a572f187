/* Milestones (issue 11): each moment the vendor's side hears about is
 * reported once, when it happens, with its subject, and its time kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/wizard.h"

#define HEARD_MAX 64

/* What the listener heard, in order. */
struct heard {
	size_t n;
	enum milestone m[HEARD_MAX];
	char subject[HEARD_MAX][512];
	enum wizard_step step[HEARD_MAX]; /* the step when told */
	bool time_set[HEARD_MAX];	  /* milestones_ms[m] already set when told */
};

static void listen(void *ctx, const struct wizard *w, enum milestone m, const char *subject)
{
	struct heard *h = ctx;
	assert_true(h->n < HEARD_MAX);
	h->m[h->n] = m;
	str_copy(h->subject[h->n], sizeof h->subject[h->n], subject);
	h->step[h->n] = w->step;
	h->time_set[h->n] = w->milestones_ms[m] > 0;
	h->n++;
}

static void new_wizard(struct wizard *w, struct heard *h)
{
	struct wizard_config c;
	memset(&c, 0, sizeof c);
	memset(h, 0, sizeof *h);
	str_copy(c.vendor_name, sizeof c.vendor_name, "Acme Help Desk");
	str_copy(c.vendor_domain, sizeof c.vendor_domain, "acmehelp.example");
	str_copy(c.shared_local, sizeof c.shared_local, "notifications");
	str_copy(c.customer_id, sizeof c.customer_id, "jane-co");
	str_copy(c.esp_name, sizeof c.esp_name, "Postmark");
	c.milestone = listen;
	c.milestone_ctx = h;
	wizard_init(w, &c);
}

/* How many times m was heard since index from. */
static size_t heard_count(const struct heard *h, size_t from, enum milestone m)
{
	size_t i, n = 0;
	for (i = from; i < h->n; i++)
		n += h->m[i] == m;
	return n;
}

/* The last m heard: its index (fails when never). */
static size_t heard_last(const struct heard *h, enum milestone m)
{
	size_t i;
	for (i = h->n; i-- > 0;)
		if (h->m[i] == m)
			return i;
	fail_msg("%s never heard", milestone_word(m));
	return 0;
}

static void domain_reply(struct wizard_domain_res *d, const char *name, bool verified)
{
	char host[RECORD_NAME_MAX];
	memset(d, 0, sizeof *d);
	d->exists = true;
	str_copy(d->id, sizeof d->id, "42");
	str_copy(d->name, sizeof d->name, name);
	snprintf(host, sizeof host, "20260101000000pm._domainkey.%s", name);
	resource_add_record(d, PURPOSE_DKIM, RECORD_TYPE_TXT, host, "k=rsa; p=MIGf", true,
			    verified);
	snprintf(host, sizeof host, "pm-bounces.%s", name);
	resource_add_record(d, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, host, "pm.mtasv.net", true,
			    verified);
}

/* Option 1 up to its records screen, the domain created at the ESP. */
static void option1_records(struct wizard *w, const char *domain, bool esp_verified)
{
	struct wizard_domain_res d;
	wizard_choose(w, OPTION_DOMAIN, 0);
	field_set(&w->domain_input, domain);
	assert_true(wizard_next(w, 0));
	wizard_request_started(w, REQ_DOMAIN_ENSURE, 0);
	domain_reply(&d, domain, esp_verified);
	wizard_on_domain(w, &d, 0);
	assert_int_equal(w->step, STEP_RECORDS);
}

/* A DNS check with these statuses (the rest verified). */
static void dns(struct wizard *w, const enum record_status *st, size_t n)
{
	struct record_result res[WIZARD_MAX_RECORDS];
	size_t i;
	memset(res, 0, sizeof res);
	for (i = 0; i < w->nrecords; i++)
		res[i].status = i < n ? st[i] : STATUS_VERIFIED;
	wizard_request_started(w, REQ_DNS_CHECK, 0);
	wizard_on_dns(w, res, w->nrecords, "", 0);
}

static void test_option_chosen(void **state)
{
	struct wizard w;
	struct heard h;
	(void)state;
	new_wizard(&w, &h);
	assert_int_equal(w.milestones_ms[MILESTONE_OPTION_CHOSEN], 0);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.m[0], MILESTONE_OPTION_CHOSEN);
	assert_string_equal(h.subject[0], "domain");
	assert_true(h.time_set[0]);
	assert_true(w.milestones_ms[MILESTONE_OPTION_CHOSEN] > 0);
}

static void test_records_shown_once_created(void **state)
{
	struct wizard w;
	struct heard h;
	struct wizard_domain_res d;
	(void)state;
	new_wizard(&w, &h);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	field_set(&w.domain_input, "customer.example");
	assert_true(wizard_next(&w, 0));
	/* on the records step, but nothing to show until the ESP answered */
	assert_int_equal(heard_count(&h, 0, MILESTONE_RECORDS_SHOWN), 0);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 0);
	domain_reply(&d, "customer.example", false);
	wizard_on_domain(&w, &d, 0);
	assert_int_equal(heard_count(&h, 0, MILESTONE_RECORDS_SHOWN), 1);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_RECORDS_SHOWN)], "customer.example");
	/* the ESP's later verify answers are no new showing */
	wizard_request_started(&w, REQ_DOMAIN_VERIFY, 0);
	wizard_on_domain(&w, &d, 0);
	assert_int_equal(heard_count(&h, 0, MILESTONE_RECORDS_SHOWN), 1);
}

static void test_record_verified_each_once(void **state)
{
	struct wizard w;
	struct heard h;
	enum record_status st[3] = {STATUS_VERIFIED, STATUS_MISSING, STATUS_MISSING};
	size_t from;
	(void)state;
	new_wizard(&w, &h);
	option1_records(&w, "customer.example", false);
	from = h.n;
	dns(&w, st, 3);
	assert_int_equal(heard_count(&h, from, MILESTONE_RECORD_VERIFIED), 1);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_RECORD_VERIFIED)],
			    "20260101000000pm._domainkey.customer.example");
	/* the same answer again: nothing new */
	dns(&w, st, 3);
	assert_int_equal(heard_count(&h, from, MILESTONE_RECORD_VERIFIED), 1);
	st[1] = STATUS_VERIFIED;
	dns(&w, st, 3);
	assert_int_equal(heard_count(&h, from, MILESTONE_RECORD_VERIFIED), 2);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_RECORD_VERIFIED)],
			    "pm-bounces.customer.example");
	assert_int_equal(heard_count(&h, from, MILESTONE_ALL_VERIFIED), 1);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_ALL_VERIFIED)], "customer.example");
}

static void test_record_lost_not_on_error(void **state)
{
	struct wizard w;
	struct heard h;
	enum record_status st[2] = {STATUS_VERIFIED, STATUS_MISSING};
	size_t from;
	(void)state;
	new_wizard(&w, &h);
	option1_records(&w, "customer.example", false);
	dns(&w, st, 2);
	from = h.n;
	/* an unreachable server is no news about the record */
	st[0] = STATUS_ERROR;
	dns(&w, st, 2);
	assert_int_equal(heard_count(&h, from, MILESTONE_RECORD_LOST), 0);
	st[0] = STATUS_VERIFIED;
	dns(&w, st, 2);
	st[0] = STATUS_MISSING;
	dns(&w, st, 2);
	assert_int_equal(heard_count(&h, from, MILESTONE_RECORD_LOST), 1);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_RECORD_LOST)],
			    "20260101000000pm._domainkey.customer.example");
	assert_true(w.milestones_ms[MILESTONE_RECORD_LOST] > 0);
}

static void test_all_verified_then_done(void **state)
{
	struct wizard w;
	struct heard h;
	size_t all, done;
	(void)state;
	new_wizard(&w, &h);
	option1_records(&w, "customer.example", true);
	dns(&w, NULL, 0);
	assert_int_equal(w.step, STEP_DONE);
	all = heard_last(&h, MILESTONE_ALL_VERIFIED);
	done = heard_last(&h, MILESTONE_DONE);
	assert_true(all < done);
	assert_int_equal(h.step[all], STEP_RECORDS); /* before the screen moved on */
	assert_string_equal(h.subject[done], "customer.example");
	assert_int_equal(heard_count(&h, 0, MILESTONE_DONE), 1);
	assert_true(w.milestones_ms[MILESTONE_DONE] > 0);
}

static void test_done_option2_and_3(void **state)
{
	struct wizard w;
	struct heard h;
	struct wizard_signature_res s;
	(void)state;
	new_wizard(&w, &h);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	field_set(&w.address_email, "jane@customer.example");
	field_set(&w.address_name, "Jane");
	assert_true(wizard_next(&w, 0));
	wizard_request_started(&w, REQ_SIGNATURE_ENSURE, 0);
	memset(&s, 0, sizeof s);
	str_copy(s.id, sizeof s.id, "9");
	str_copy(s.email, sizeof s.email, "jane@customer.example");
	str_copy(s.name, sizeof s.name, "Jane");
	wizard_on_signature(&w, &s, 0, 1);
	assert_int_equal(heard_count(&h, 0, MILESTONE_DONE), 0);
	s.confirmed = true;
	wizard_request_started(&w, REQ_SIGNATURE_POLL, 0);
	wizard_on_signature(&w, &s, 0, 1);
	assert_int_equal(w.step, STEP_DONE);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_DONE)], "jane@customer.example");

	new_wizard(&w, &h);
	wizard_choose(&w, OPTION_NAME, 0);
	field_set(&w.from_name, "Jane Customer");
	w.from_address = FROM_ADDRESS_LOCAL;
	assert_true(wizard_next(&w, 0));
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_DONE)],
			    "From: Jane Customer via Acme Help Desk <jane-co@acmehelp.example>");
}

static void test_switched_kept_removed(void **state)
{
	struct wizard w;
	struct heard h;
	size_t items[WIZARD_RESOURCES_MAX], from;
	(void)state;
	new_wizard(&w, &h);
	option1_records(&w, "customer.example", false);
	wizard_switch(&w);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_SWITCHED)], "domain");
	from = h.n;
	/* option 3, keeping the domain: kept, then option 3 chosen */
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	assert_int_equal(heard_count(&h, from, MILESTONE_OPTION_CHOSEN), 0); /* not yet decided */
	assert_true(wizard_next(&w, 0));
	assert_int_equal(heard_count(&h, from, MILESTONE_RESOURCES_KEPT), 1);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_RESOURCES_KEPT)],
			    "customer.example");
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_OPTION_CHOSEN)], "name");
	/* option 2, removing the kept domain: removed once the ESP did it */
	wizard_switch(&w);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	assert_int_equal(wizard_switch_items(&w, items, WIZARD_RESOURCES_MAX), 1);
	w.resources[items[0]].remove = true;
	from = h.n;
	assert_false(wizard_next(&w, 0));
	assert_int_equal(heard_count(&h, from, MILESTONE_RESOURCES_REMOVED), 0);
	wizard_request_started(&w, REQ_DOMAIN_REMOVE, 0);
	wizard_on_removed(&w, REQ_DOMAIN_REMOVE, 0);
	assert_int_equal(heard_count(&h, from, MILESTONE_RESOURCES_REMOVED), 1);
	assert_string_equal(h.subject[heard_last(&h, MILESTONE_RESOURCES_REMOVED)],
			    "customer.example");
	assert_int_equal(heard_count(&h, from, MILESTONE_RESOURCES_KEPT), 0);
}

static void test_teammate_emailed(void **state)
{
	struct wizard w;
	struct heard h;
	struct wizard_sent_email m;
	(void)state;
	new_wizard(&w, &h);
	option1_records(&w, "customer.example", false);
	memset(&m, 0, sizeof m);
	str_copy(m.to, sizeof m.to, "pat@dns-team.example");
	str_copy(m.subject, sizeof m.subject, "Email set-up instructions");
	wizard_request_started(&w, REQ_EMAIL_SEND, 0);
	wizard_on_email_sent(&w, &m, 5);
	assert_int_equal(h.m[h.n - 1], MILESTONE_TEAMMATE_EMAILED);
	assert_string_equal(h.subject[h.n - 1], "pat@dns-team.example");
}

static void test_pending_due_once_after_72h(void **state)
{
	struct wizard w;
	struct heard h;
	int64_t shown;
	(void)state;
	new_wizard(&w, &h);
	option1_records(&w, "customer.example", false);
	shown = w.milestones_ms[MILESTONE_RECORDS_SHOWN];
	assert_false(wizard_pending_due(&w, shown + WIZARD_PENDING_MS - 1));
	assert_true(wizard_pending_due(&w, shown + WIZARD_PENDING_MS));
	w.milestones_ms[MILESTONE_PENDING_72H] = shown + WIZARD_PENDING_MS;
	assert_false(wizard_pending_due(&w, shown + 2 * WIZARD_PENDING_MS)); /* said once */
	/* a customer who finished is not pending */
	new_wizard(&w, &h);
	option1_records(&w, "customer.example", true);
	dns(&w, NULL, 0);
	assert_false(wizard_pending_due(&w, w.milestones_ms[MILESTONE_RECORDS_SHOWN] +
						2 * WIZARD_PENDING_MS));
	/* nor one on another option */
	new_wizard(&w, &h);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_false(wizard_pending_due(&w, INT64_MAX / 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_option_chosen),
	    cmocka_unit_test(test_records_shown_once_created),
	    cmocka_unit_test(test_record_verified_each_once),
	    cmocka_unit_test(test_record_lost_not_on_error),
	    cmocka_unit_test(test_all_verified_then_done),
	    cmocka_unit_test(test_done_option2_and_3),
	    cmocka_unit_test(test_switched_kept_removed),
	    cmocka_unit_test(test_teammate_emailed),
	    cmocka_unit_test(test_pending_due_once_after_72h),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
