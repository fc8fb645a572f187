/* Live mode in the core: when the ESP's verify is asked again while it lags
 * behind DNS, what a refused vendor token stops, what a retried error says,
 * and the organizational domain whose DMARC policy covers an address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/record.h"
#include "core/text.h"
#include "core/wizard.h"

/* needle (lower case) in hay, any case */
static bool has_words(const char *hay, const char *needle)
{
	char low[WIZARD_NOTICE_MAX];
	size_t i;
	for (i = 0; hay[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)hay[i]);
	low[i] = '\0';
	return strstr(low, needle) != NULL;
}

static void new_wizard(struct wizard *w, const char *support)
{
	struct wizard_config c;
	memset(&c, 0, sizeof c);
	str_copy(c.vendor_name, sizeof c.vendor_name, "Acme Help Desk");
	str_copy(c.vendor_domain, sizeof c.vendor_domain, "acmehelp.example");
	str_copy(c.shared_local, sizeof c.shared_local, "notifications");
	str_copy(c.record_label_max, sizeof c.record_label_max, "20250817055129pm._domainkey");
	str_copy(c.customer_id, sizeof c.customer_id, "jane-co");
	str_copy(c.esp_name, sizeof c.esp_name, "Postmark");
	str_copy(c.support_contact, sizeof c.support_contact, support);
	wizard_init(w, &c);
}

/* The records step of customer.example, the domain created at the ESP. */
static void at_records(struct wizard *w)
{
	struct wizard_domain_res d;
	new_wizard(w, "support@acmehelp.example");
	wizard_choose(w, OPTION_DOMAIN, 0);
	field_set(&w->domain_input, "customer.example");
	wizard_next(w, 0);
	assert_int_equal(w->step, STEP_RECORDS);
	assert_int_equal(wizard_next_request(w, 0, 0, NULL), REQ_DOMAIN_ENSURE);
	wizard_request_started(w, REQ_DOMAIN_ENSURE, 0);
	memset(&d, 0, sizeof d);
	str_copy(d.id, sizeof d.id, "42");
	str_copy(d.name, sizeof d.name, "customer.example");
	resource_add_record(&d, PURPOSE_DKIM, RECORD_TYPE_TXT,
			    "20260101000000pm._domainkey.customer.example",
			    "k=rsa;p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ", true, false);
	resource_add_record(&d, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME,
			    "pm-bounces.customer.example", "pm.mtasv.net", true, false);
	wizard_on_domain(w, &d, 0);
	assert_true(w->nrecords >= 2);
}

/* Every required record verified at DNS, as a check would report it. */
static void dns_all_verified(struct wizard *w, int64_t now)
{
	struct record_result res[WIZARD_MAX_RECORDS];
	size_t i;
	memset(res, 0, sizeof res);
	for (i = 0; i < w->nrecords; i++)
		res[i].status = STATUS_VERIFIED;
	wizard_request_started(w, REQ_DNS_CHECK, now);
	wizard_on_dns(w, res, w->nrecords, "", now);
	assert_true(wizard_records_verified(w));
}

/* The schedule itself: close together for the first minutes, as DNS is
 * polled, then backing off, never past a minute. */
static void test_verify_schedule(void **state)
{
	int64_t total = 0, prev = 0;
	int i;
	(void)state;
	for (i = 0; i < 200; i++) {
		int64_t wait = wizard_verify_wait_ms(i);
		assert_true(wait >= 5000);
		assert_true(wait <= 60000);
		assert_true(wait >= prev); /* never faster again */
		if (total < 5 * 60000)
			assert_true(wait <= 10000); /* the first five minutes */
		total += wait;
		prev = wait;
	}
	assert_int_equal(wizard_verify_wait_ms(199), 60000);
	assert_int_equal(wizard_verify_wait_ms(1000000), 60000);
	/* four lagging answers: the fifth ask within half a minute of the first */
	for (total = 0, i = 0; i < 4; i++)
		total += wizard_verify_wait_ms(i);
	assert_true(total <= 30000);
}

/* The wizard follows the schedule while the ESP lags behind DNS. */
static void test_verify_follows_schedule(void **state)
{
	struct wizard w;
	struct wizard_domain_res lag;
	int64_t now = 1000, wake = 0;
	int i;
	(void)state;
	at_records(&w);
	dns_all_verified(&w, now);
	lag = w.esp_domain;
	for (i = 0; i < 40; i++) {
		assert_int_equal(wizard_next_request(&w, now, 0, &wake), REQ_DOMAIN_VERIFY);
		wizard_request_started(&w, REQ_DOMAIN_VERIFY, now);
		wizard_on_domain(&w, &lag, now); /* not verified yet */
		assert_int_equal(w.verify_after_ms - now, wizard_verify_wait_ms(i));
		/* nothing asked of the ESP before then (DNS checks may run) */
		assert_int_not_equal(wizard_next_request(&w, w.verify_after_ms - 1, 0, &wake),
				     REQ_DOMAIN_VERIFY);
		now = w.verify_after_ms;
	}
}

/* 401: nothing more is tried by itself; the notice says it stopped and who
 * can fix it; the customer's c tries again. */
static void test_auth_stops(void **state)
{
	struct wizard w;
	int64_t wake = 0;
	(void)state;
	new_wizard(&w, "support@acmehelp.example");
	wizard_choose(&w, OPTION_DOMAIN, 0);
	field_set(&w.domain_input, "customer.example");
	wizard_next(&w, 0);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 0);
	wizard_on_error(&w, REQ_DOMAIN_ENSURE, BH_ERR_AUTH,
			"Postmark refused the vendor's access token.", 0);
	assert_true(w.halted);
	assert_int_equal(w.notice_kind, NOTICE_ERROR);
	assert_non_null(strstr(w.notice, "stopped"));
	assert_non_null(strstr(w.notice, "Only Acme Help Desk can fix this"));
	assert_non_null(strstr(w.notice, "support@acmehelp.example"));
	assert_null(strstr(w.notice, "tries again"));
	assert_int_equal(wizard_next_request(&w, 3600000, 0, &wake), REQ_NONE);
	assert_int_equal(wake, 0); /* no timer either */
	wizard_check_now(&w, 3600000);
	/* c: tried again, and the screen no longer says nothing more is tried */
	assert_int_equal(wizard_next_request(&w, 3600000, 0, &wake), REQ_DOMAIN_ENSURE);
	assert_null(strstr(w.notice, "stopped"));

	/* without a support contact: still says who */
	new_wizard(&w, "");
	wizard_choose(&w, OPTION_DOMAIN, 0);
	field_set(&w.domain_input, "customer.example");
	wizard_next(&w, 0);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 0);
	wizard_on_error(&w, REQ_DOMAIN_ENSURE, BH_ERR_AUTH, NULL, 0);
	assert_non_null(strstr(w.notice, "Only Acme Help Desk can fix this"));
	assert_null(strstr(w.notice, "()"));
	/* going back ends the halt: the next try is the customer's doing */
	assert_true(wizard_back(&w));
	assert_false(w.halted);
}

/* A passing trouble is retried by itself, and the notice says so instead
 * of asking the customer to try again. */
static void test_retry_says_so(void **state)
{
	static const char *const ids[] = {"postmark.timeout",	  "postmark.network",
					  "postmark.dropped",	  "postmark.rate_limited",
					  "postmark.maintenance", "postmark.bad_json",
					  "postmark.code_512",	  "postmark.code_100"};
	struct wizard w;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		new_wizard(&w, "support@acmehelp.example");
		wizard_choose(&w, OPTION_DOMAIN, 0);
		field_set(&w.domain_input, "customer.example");
		wizard_next(&w, 0);
		wizard_request_started(&w, REQ_DOMAIN_ENSURE, 0);
		wizard_on_error(&w, REQ_DOMAIN_ENSURE, BH_ERR_NETWORK, text_get(ids[i]), 0);
		assert_false(w.halted);
		assert_true(w.retry_after_ms > 0);
		assert_non_null(strstr(w.notice, "behalf tries again by itself"));
		assert_false(has_words(w.notice, "try again"));
		assert_false(has_words(w.notice, "then try"));
	}
}

/* Sending the instructions is the customer's to retry: then it says so. */
static void test_send_says_try_again(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w, "");
	wizard_on_error(&w, REQ_EMAIL_SEND, BH_ERR_NETWORK, text_get("postmark.network"), 0);
	assert_true(has_words(w.export.send_error, "cannot reach postmark"));
	assert_true(has_words(w.export.send_error, "try again in a moment"));
	assert_false(has_words(w.export.send_error, "tries again by itself"));
	assert_int_equal(wizard_next_request(&w, 3600000, 0, NULL), REQ_NONE); /* no retry */
}

static void test_dmarc_org_domain(void **state)
{
	char org[RECORD_NAME_MAX];
	(void)state;
	assert_true(record_dmarc_org_domain("mail.strict.test", org, sizeof org));
	assert_string_equal(org, "strict.test"); /* unknown TLD: the "*" rule */
	assert_true(record_dmarc_org_domain("a.b.Mail.Strict.TEST.", org, sizeof org));
	assert_string_equal(org, "strict.test");
	assert_true(record_dmarc_org_domain("strict.test", org, sizeof org));
	assert_string_equal(org, "strict.test");
	assert_true(record_dmarc_org_domain("mail.example.co.uk", org, sizeof org));
	assert_string_equal(org, "example.co.uk");
	assert_false(record_dmarc_org_domain("co.uk", org, sizeof org));
	assert_false(record_dmarc_org_domain("test", org, sizeof org));
	assert_false(record_dmarc_org_domain("", org, sizeof org));
	assert_false(record_dmarc_org_domain("mail.strict.test", org, 5)); /* too small */
}

/* The organizational domain's record: sp= for subdomains, else p=. */
static void test_dmarc_org_policy(void **state)
{
	const char *reject[] = {"v=DMARC1; p=reject; rua=mailto:d@strict.test"};
	const char *sp_none[] = {"v=DMARC1; p=reject; sp=none"};
	const char *sp_quar[] = {"v=DMARC1; p=none; sp=quarantine"};
	char policy[16];
	struct wizard w;
	(void)state;
	assert_int_equal(record_dmarc_check(reject, 1, true, policy, sizeof policy),
			 DMARC_VERDICT_BLOCKS);
	assert_string_equal(policy, "reject");
	assert_int_equal(record_dmarc_check(sp_none, 1, true, policy, sizeof policy),
			 DMARC_VERDICT_MONITOR);
	assert_int_equal(record_dmarc_check(sp_quar, 1, true, policy, sizeof policy),
			 DMARC_VERDICT_BLOCKS);
	assert_string_equal(policy, "quarantine");

	/* the wizard keeps where the policy came from, keyed by the address */
	new_wizard(&w, "");
	wizard_choose(&w, OPTION_ADDRESS, 0);
	field_set(&w.address_email, "bob@mail.strict.test");
	field_set(&w.address_name, "Bob");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DMARC_CHECK);
	wizard_request_started(&w, REQ_DMARC_CHECK, 0);
	wizard_on_dmarc_org(&w, "mail.strict.test", DMARC_VERDICT_BLOCKS, "reject", "strict.test",
			    0);
	assert_true(wizard_dmarc_blocks(&w));
	assert_string_equal(w.dmarc_domain, "mail.strict.test");
	assert_string_equal(w.dmarc_org, "strict.test");
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_NONE); /* waits */

	/* an answer about an address the customer has since changed is dropped */
	assert_true(wizard_back(&w));
	field_set(&w.address_email, "bob@relaxed.test");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DMARC_CHECK);
	wizard_request_started(&w, REQ_DMARC_CHECK, 0);
	wizard_on_dmarc_org(&w, "mail.strict.test", DMARC_VERDICT_BLOCKS, "reject", "strict.test",
			    0);
	assert_false(wizard_dmarc_blocks(&w));
	assert_int_equal(w.busy, REQ_NONE);
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DMARC_CHECK); /* asked anew */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verify_schedule),
	    cmocka_unit_test(test_verify_follows_schedule),
	    cmocka_unit_test(test_auth_stops),
	    cmocka_unit_test(test_retry_says_so),
	    cmocka_unit_test(test_send_says_try_again),
	    cmocka_unit_test(test_dmarc_org_domain),
	    cmocka_unit_test(test_dmarc_org_policy),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	text_free();
	return rc;
}
