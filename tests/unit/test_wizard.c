/* The wizard core: every transition, Back with inputs kept, switching option
 * with keep or remove, the work requested at each step and its outcomes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/text.h"
#include "core/wizard.h"

static void config_fill(struct wizard_config *c)
{
	memset(c, 0, sizeof *c);
	str_copy(c->vendor_name, sizeof c->vendor_name, "Acme Help Desk");
	str_copy(c->vendor_domain, sizeof c->vendor_domain, "acmehelp.example");
	str_copy(c->shared_local, sizeof c->shared_local, "notifications");
	str_copy(c->record_label_max, sizeof c->record_label_max, "20250817055129pm._domainkey");
	str_copy(c->customer_id, sizeof c->customer_id, "jane-co");
	str_copy(c->esp_name, sizeof c->esp_name, "Postmark");
	c->demo = true;
}

static void new_wizard(struct wizard *w)
{
	struct wizard_config c;
	config_fill(&c);
	wizard_init(w, &c);
}

static void type_text(struct field *f, const char *s)
{
	field_set(f, s);
}

/* The ESP's answer for a new domain. */
static void domain_reply(struct wizard_domain_res *d, const char *name)
{
	char host[RECORD_NAME_MAX];
	memset(d, 0, sizeof *d);
	d->exists = true;
	str_copy(d->id, sizeof d->id, "42");
	str_copy(d->name, sizeof d->name, name);
	snprintf(host, sizeof host, "20260101000000pm._domainkey.%s", name);
	resource_add_record(d, PURPOSE_DKIM, RECORD_TYPE_TXT, host,
			    "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC", true, false);
	snprintf(host, sizeof host, "pm-bounces.%s", name);
	resource_add_record(d, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, host, "pm.mtasv.net", true,
			    false);
}

/* The ESP says every one of its records is verified. */
static void domain_all_verified(struct wizard_domain_res *d)
{
	size_t i;
	for (i = 0; i < d->nrecords; i++)
		d->records[i].esp_verified = true;
}

/* Option 1 up to its records: domain typed, created at the ESP (d: the
 * ESP's answer). */
static void option1_created(struct wizard *w, struct wizard_domain_res *d, const char *domain)
{
	wizard_choose(w, OPTION_DOMAIN, 0);
	type_text(&w->domain_input, domain);
	wizard_next(w, 0);
	wizard_request_started(w, REQ_DOMAIN_ENSURE, 0);
	domain_reply(d, domain);
	wizard_on_domain(w, d, 0);
}

/* Option 2 up to the wait for the click: address and name typed, the
 * sender signature id registered at the ESP (s: the ESP's answer). */
static void option2_registered(struct wizard *w, struct wizard_signature_res *s, const char *email,
			       const char *name, const char *id)
{
	wizard_choose(w, OPTION_ADDRESS, 0);
	type_text(&w->address_email, email);
	type_text(&w->address_name, name);
	wizard_next(w, 0);
	wizard_request_started(w, REQ_SIGNATURE_ENSURE, 0);
	memset(s, 0, sizeof *s);
	str_copy(s->id, sizeof s->id, id);
	str_copy(s->email, sizeof s->email, email);
	str_copy(s->name, sizeof s->name, name);
	wizard_on_signature(w, s, 0, 0);
}

/* Row i of the keep-or-remove step. */
static struct wizard_resource *switch_row(struct wizard *w, size_t i)
{
	size_t items[WIZARD_RESOURCES_MAX];
	size_t n = wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
	assert_true(i < n);
	return &w->resources[items[i]];
}

static size_t switch_rows(const struct wizard *w)
{
	size_t items[WIZARD_RESOURCES_MAX];
	return wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
}

static void all_verified(struct wizard *w, struct record_result *res)
{
	size_t i;
	memset(res, 0, sizeof *res * WIZARD_MAX_RECORDS);
	for (i = 0; i < w->nrecords; i++)
		res[i].status = STATUS_VERIFIED;
}

static void test_welcome_to_choose(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	assert_int_equal(w.step, STEP_WELCOME);
	assert_false(wizard_back(&w));
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_CHOOSE);
	assert_true(wizard_back(&w));
	assert_int_equal(w.step, STEP_WELCOME);
}

static void test_choose_each_option(void **state)
{
	static const enum wizard_step first[] = {STEP_DOMAIN, STEP_ADDRESS, STEP_FROM_NAME};
	int i;
	(void)state;
	for (i = 0; i < 3; i++) {
		struct wizard w;
		new_wizard(&w);
		wizard_next(&w, 0);
		w.choose_cursor = i;
		assert_true(wizard_next(&w, 0));
		assert_int_equal(w.step, first[i]);
		assert_int_equal(w.option, (enum wizard_option)(i + 1));
		assert_true(wizard_back(&w));
		assert_int_equal(w.step, STEP_CHOOSE);
	}
}

static void test_advisor_recommends(void **state)
{
	struct wizard w;
	const char *why = NULL;
	(void)state;
	new_wizard(&w);
	wizard_next(&w, 0);
	w.choose_cursor = 3;
	wizard_next(&w, 0);
	assert_int_equal(w.step, STEP_ADVISOR);
	assert_int_equal(wizard_advisor_recommend(&w, &why), OPTION_NONE);
	wizard_advisor_answer(&w, ADVISOR_NO);	/* no DNS */
	wizard_advisor_answer(&w, ADVISOR_YES); /* own address */
	wizard_advisor_answer(&w, ADVISOR_NO);	/* not today */
	assert_int_equal(wizard_advisor_recommend(&w, &why), OPTION_ADDRESS);
	assert_true(text_has(why));
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_ADDRESS);

	new_wizard(&w);
	w.advisor_question = 0;
	wizard_advisor_answer(&w, ADVISOR_YES);
	wizard_advisor_answer(&w, ADVISOR_NO);
	wizard_advisor_answer(&w, ADVISOR_YES);
	assert_int_equal(wizard_advisor_recommend(&w, &why), OPTION_DOMAIN);

	new_wizard(&w);
	wizard_advisor_answer(&w, ADVISOR_NO);
	wizard_advisor_answer(&w, ADVISOR_NO);
	wizard_advisor_answer(&w, ADVISOR_YES);
	assert_int_equal(wizard_advisor_recommend(&w, &why), OPTION_NAME);
	assert_true(text_has(why));
}

static void test_domain_error_keeps_text(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	type_text(&w.domain_input, "gmail.com");
	assert_false(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_DOMAIN);
	assert_int_equal(w.domain_input.error, INPUT_FREEMAIL);
	assert_string_equal(w.domain_input.text, "gmail.com");

	type_text(&w.domain_input, "shop.acmehelp.example");
	assert_false(wizard_next(&w, 0));
	assert_int_equal(w.domain_input.error, INPUT_VENDOR_DOMAIN);

	type_text(&w.domain_input, "Customer.Example.");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_RECORDS);
	assert_string_equal(w.domain.ascii, "customer.example");
	/* Back shows what was typed. */
	assert_true(wizard_back(&w));
	assert_int_equal(w.step, STEP_DOMAIN);
	assert_string_equal(w.domain_input.text, "Customer.Example.");
}

/* The Domain Connect offer applies to the records on screen only: the same
 * domain, option 1, not every required record in place yet. */
static void test_dc_offer(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	struct record_result res[WIZARD_MAX_RECORDS];
	int64_t wake = 0;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	type_text(&w.domain_input, "customer.example");
	wizard_next(&w, 1000);
	assert_null(wizard_dc_offer(&w)); /* nothing found yet */
	assert_int_equal(wizard_next_request(&w, 1000, 0, &wake), REQ_DOMAIN_ENSURE);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 1000);
	domain_reply(&d, "customer.example");
	wizard_on_domain(&w, &d, 1100);
	w.dc.kind = WIZARD_DC_APPLY;
	str_copy(w.dc.domain, sizeof w.dc.domain, "customer.example");
	str_copy(w.dc.provider, sizeof w.dc.provider, "Cloudflare");
	str_copy(w.dc.url, sizeof w.dc.url, "https://dc.example/v2/apply?domain=customer.example");
	assert_ptr_equal(wizard_dc_offer(&w), &w.dc);
	/* found for another domain (the customer went back and typed another) */
	str_copy(w.dc.domain, sizeof w.dc.domain, "other.example");
	assert_null(wizard_dc_offer(&w));
	str_copy(w.dc.domain, sizeof w.dc.domain, "customer.example");
	/* no link: nothing to offer */
	w.dc.url[0] = '\0';
	assert_null(wizard_dc_offer(&w));
	str_copy(w.dc.url, sizeof w.dc.url, "https://dc.example/panel");
	w.dc.kind = WIZARD_DC_NONE;
	assert_null(wizard_dc_offer(&w));
	w.dc.kind = WIZARD_DC_CONTROL_PANEL;
	assert_ptr_equal(wizard_dc_offer(&w), &w.dc);
	/* every required record in: no more offer */
	assert_int_equal(wizard_next_request(&w, 1100, 0, &wake), REQ_DNS_CHECK);
	wizard_request_started(&w, REQ_DNS_CHECK, 1100);
	all_verified(&w, res);
	res[2].status = STATUS_MISSING; /* DMARC is optional */
	wizard_on_dns(&w, res, w.nrecords, "", 1200);
	assert_true(wizard_records_verified(&w));
	assert_null(wizard_dc_offer(&w));
}

static void test_option1_requests_and_done(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	struct record_result res[WIZARD_MAX_RECORDS];
	int64_t wake = 0;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	type_text(&w.domain_input, "customer.example");
	wizard_next(&w, 1000);
	assert_int_equal(wizard_next_request(&w, 1000, 0, &wake), REQ_DOMAIN_ENSURE);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 1000);
	/* one request at a time */
	assert_int_equal(wizard_next_request(&w, 1000, 0, &wake), REQ_NONE);
	domain_reply(&d, "customer.example");
	wizard_on_domain(&w, &d, 1100);
	assert_int_equal(w.nrecords, 3);
	assert_int_equal(w.records[0].purpose, PURPOSE_DKIM);
	assert_int_equal(w.records[0].type, RECORD_TYPE_TXT);
	assert_string_equal(w.records[1].name, "pm-bounces.customer.example");
	assert_string_equal(w.records[1].value, "pm.mtasv.net");
	assert_false(w.records[2].required);

	assert_int_equal(wizard_next_request(&w, 1100, 0, &wake), REQ_DNS_CHECK);
	wizard_request_started(&w, REQ_DNS_CHECK, 1100);
	memset(res, 0, sizeof res);
	res[0].status = STATUS_MISMATCH;
	res[1].status = STATUS_MISSING;
	wizard_on_dns(&w, res, w.nrecords, "cloudflare", 1200);
	assert_string_equal(w.dns_host, "cloudflare");
	assert_false(wizard_records_verified(&w));
	/* Fast polling: the next check within 2 s, and a timer for it. */
	assert_int_equal(wizard_next_request(&w, 1300, 0, &wake), REQ_NONE);
	assert_true(wake > 1200 && wake <= 3200);
	assert_int_equal(wizard_next_check_in(&w, 1300), 2);
	/* "c": check now */
	wizard_check_now(&w, 1400);
	assert_int_equal(wizard_next_request(&w, 1400, 0, &wake), REQ_DNS_CHECK);
	wizard_request_started(&w, REQ_DNS_CHECK, 1400);
	all_verified(&w, res);
	res[2].status = STATUS_MISSING; /* DMARC is optional */
	wizard_on_dns(&w, res, w.nrecords, "", 1500);
	assert_true(wizard_records_verified(&w));
	assert_int_equal(wizard_next_request(&w, 1500, 0, &wake), REQ_DOMAIN_VERIFY);
	wizard_request_started(&w, REQ_DOMAIN_VERIFY, 1500);
	/* ESP lags: ask again later, not at once */
	wizard_on_domain(&w, &d, 1600);
	assert_int_equal(w.step, STEP_RECORDS);
	assert_int_not_equal(wizard_next_request(&w, 1700, 0, &wake), REQ_DOMAIN_VERIFY);
	assert_int_equal(wizard_next_request(&w, 6700, 0, &wake), REQ_DOMAIN_VERIFY);
	wizard_request_started(&w, REQ_DOMAIN_VERIFY, 6700);
	domain_all_verified(&d);
	wizard_on_domain(&w, &d, 6800);
	assert_int_equal(w.step, STEP_DONE);
	assert_int_equal(wizard_next_request(&w, 6800, 0, &wake), REQ_NONE);
}

/* The Domain Connect offer is for the records it was made for: the same
 * records again keep it, a new DKIM key (the domain made again at the ESP)
 * drops it, so that no sheet or screen offers a link applying old records. */
static void test_dc_offer_follows_records(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	(void)state;
	new_wizard(&w);
	option1_created(&w, &d, "customer.example");
	w.dc.kind = WIZARD_DC_APPLY;
	str_copy(w.dc.domain, sizeof w.dc.domain, "customer.example");
	str_copy(w.dc.provider, sizeof w.dc.provider, "Cloudflare");
	str_copy(w.dc.url, sizeof w.dc.url, "https://dcc.example/apply?domain=customer.example");
	assert_non_null(wizard_dc_offer(&w));
	wizard_request_started(&w, REQ_DOMAIN_VERIFY, 100);
	wizard_on_domain(&w, &d, 200); /* the ESP again, records unchanged */
	assert_non_null(wizard_dc_offer(&w));
	assert_string_equal(w.dc.provider, "Cloudflare");
	str_copy(d.records[0].rec.value, sizeof d.records[0].rec.value, "k=rsa; p=NEWKEY");
	wizard_request_started(&w, REQ_DOMAIN_VERIFY, 300);
	wizard_on_domain(&w, &d, 400);
	assert_string_equal(w.records[0].value, "k=rsa; p=NEWKEY");
	assert_null(wizard_dc_offer(&w));
	assert_int_equal(w.dc.kind, WIZARD_DC_NONE);
}

static void test_polling_backs_off(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	struct record_result res[WIZARD_MAX_RECORDS];
	int64_t t = 0, wake;
	(void)state;
	new_wizard(&w);
	option1_created(&w, &d, "customer.example");
	memset(res, 0, sizeof res);
	wizard_request_started(&w, REQ_DNS_CHECK, 0);
	wizard_on_dns(&w, res, w.nrecords, "", 0);
	assert_true(w.next_check_ms - 0 <= 2000);
	t = 20 * 60 * 1000; /* twenty minutes later, nobody pressed anything */
	wizard_request_started(&w, REQ_DNS_CHECK, t);
	wizard_on_dns(&w, res, w.nrecords, "", t);
	assert_true(w.next_check_ms - t >= 30000);
	assert_true(w.next_check_ms - t <= 60000);
	wizard_check_now(&w, t + 10);
	assert_int_equal(wizard_next_request(&w, t + 10, 0, &wake), REQ_DNS_CHECK);
}

static void test_option2_flow(void **state)
{
	struct wizard w;
	struct wizard_signature_res s;
	int64_t wake;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	type_text(&w.address_email, "jane@gmail.com");
	type_text(&w.address_name, "Jane Customer");
	assert_false(wizard_next(&w, 0));
	assert_int_equal(w.address_email.error, INPUT_FREEMAIL);
	type_text(&w.address_email, "Jane@Customer.Example");
	type_text(&w.address_name, "");
	assert_false(wizard_next(&w, 0));
	assert_int_equal(w.address_name.error, INPUT_EMPTY);
	assert_int_equal(w.address_focus, 1);
	type_text(&w.address_name, "Jane Customer");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_CONFIRM);
	/* the From domain's DMARC policy first */
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_DMARC_CHECK);
	wizard_request_started(&w, REQ_DMARC_CHECK, 0);
	wizard_on_dmarc(&w, DMARC_VERDICT_MONITOR, "none", 0);
	assert_false(wizard_dmarc_blocks(&w));
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_SIGNATURE_ENSURE);
	wizard_request_started(&w, REQ_SIGNATURE_ENSURE, 0);
	memset(&s, 0, sizeof s);
	s.exists = true;
	str_copy(s.id, sizeof s.id, "7");
	str_copy(s.email, sizeof s.email, w.address_normalized);
	str_copy(s.name, sizeof s.name, "Jane Customer");
	wizard_on_signature(&w, &s, 0, 1000000);
	/* resend is refused during the cooldown */
	assert_true(wizard_resend_wait(&w, 1000000) > 50);
	wizard_resend(&w);
	assert_int_equal(wizard_next_request(&w, 3000, 1010000, &wake), REQ_SIGNATURE_POLL);
	wizard_request_started(&w, REQ_SIGNATURE_POLL, 3000);
	wizard_on_signature(&w, &s, 3000, 1010000);
	assert_int_equal(wizard_resend_wait(&w, 1061000), 0);
	assert_int_equal(wizard_next_request(&w, 3100, 1061000, &wake), REQ_SIGNATURE_RESEND);
	wizard_request_started(&w, REQ_SIGNATURE_RESEND, 3100);
	wizard_on_signature(&w, &s, 3200, 1061000);
	assert_int_equal(w.notice_kind, NOTICE_INFO);
	assert_true(wizard_resend_wait(&w, 1062000) > 50);
	s.confirmed = true;
	wizard_request_started(&w, REQ_SIGNATURE_POLL, 7000);
	wizard_on_signature(&w, &s, 7000, 1070000);
	assert_int_equal(w.step, STEP_DONE);
}

/* A quarantine/reject policy: warned before anything is created; the
 * customer goes on (Enter), or changes the address (Back). */
static void test_option2_dmarc_blocks(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	field_set(&w.address_email, "jane@strict.example");
	field_set(&w.address_name, "Jane");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DMARC_CHECK);
	wizard_request_started(&w, REQ_DMARC_CHECK, 0);
	wizard_on_dmarc(&w, DMARC_VERDICT_BLOCKS, "reject", 0);
	assert_true(wizard_dmarc_blocks(&w));
	assert_string_equal(w.dmarc_policy, "reject");
	assert_int_equal(wizard_next_request(&w, 100000, 0, NULL), REQ_NONE);
	/* another address at another domain is checked anew */
	assert_true(wizard_back(&w));
	field_set(&w.address_email, "jane@relaxed.example");
	assert_true(wizard_next(&w, 0));
	assert_false(wizard_dmarc_blocks(&w));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DMARC_CHECK);
	/* back to the strict one: Enter goes on anyway */
	wizard_request_started(&w, REQ_DMARC_CHECK, 0);
	wizard_on_error(&w, REQ_DMARC_CHECK, BH_ERR_TIMEOUT, NULL, 0);
	assert_int_equal(w.notice_kind, NOTICE_INFO); /* unknown does not stop */
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_SIGNATURE_ENSURE);
	assert_true(wizard_back(&w));
	field_set(&w.address_email, "jane@strict.example");
	assert_true(wizard_next(&w, 0));
	wizard_request_started(&w, REQ_DMARC_CHECK, 0);
	wizard_on_dmarc(&w, DMARC_VERDICT_BLOCKS, "quarantine", 0);
	assert_true(wizard_dmarc_blocks(&w));
	assert_false(wizard_next(&w, 0));
	assert_false(wizard_dmarc_blocks(&w));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_SIGNATURE_ENSURE);
}

/* per_customer_server = ask: nothing is created before the answer. */
static void test_own_server_asked_first(void **state)
{
	struct wizard w;
	int64_t wake;
	(void)state;
	new_wizard(&w);
	w.cfg.server_mode = SERVER_MODE_ASK;
	wizard_choose(&w, OPTION_DOMAIN, 0);
	field_set(&w.domain_input, "customer.example");
	wizard_next(&w, 0);
	assert_true(wizard_server_question(&w));
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_NONE);
	wizard_server_answer(&w, true);
	assert_false(wizard_server_question(&w));
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_SERVER_ENSURE);
	wizard_request_started(&w, REQ_SERVER_ENSURE, 0);
	wizard_on_server(&w, "77", 0);
	assert_string_equal(w.server_id, "77");
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_DOMAIN_ENSURE);

	/* declined: straight to the domain; option 2 alike */
	new_wizard(&w);
	w.cfg.server_mode = SERVER_MODE_ASK;
	wizard_choose(&w, OPTION_ADDRESS, 0);
	field_set(&w.address_email, "jane@customer.example");
	field_set(&w.address_name, "Jane");
	wizard_next(&w, 0);
	wizard_request_started(&w, REQ_DMARC_CHECK, 0);
	wizard_on_dmarc(&w, DMARC_VERDICT_NONE, "", 0);
	assert_true(wizard_server_question(&w));
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_NONE);
	wizard_server_answer(&w, false);
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_SIGNATURE_ENSURE);

	/* "no" and "yes" modes never ask */
	new_wizard(&w);
	w.cfg.server_mode = SERVER_MODE_YES;
	wizard_choose(&w, OPTION_DOMAIN, 0);
	field_set(&w.domain_input, "customer.example");
	wizard_next(&w, 0);
	assert_false(wizard_server_question(&w));
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_DOMAIN_ENSURE);
}

static void test_option3_flow_and_preview(void **state)
{
	struct wizard w;
	char display[256], address[256], header[1024];
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(w.step, STEP_FROM_NAME);
	assert_false(wizard_next(&w, 0));
	assert_int_equal(w.from_name.error, INPUT_EMPTY);
	type_text(&w.from_name, "Jane Customer");
	w.from_format = FROM_FORMAT_VIA;
	w.from_address = FROM_ADDRESS_LOCAL;
	wizard_from_preview(&w, display, sizeof display, address, sizeof address, header,
			    sizeof header);
	assert_string_equal(display, "Jane Customer via Acme Help Desk");
	assert_string_equal(address, "jane-co@acmehelp.example");
	assert_string_equal(header,
			    "From: Jane Customer via Acme Help Desk <jane-co@acmehelp.example>");
	w.from_format = FROM_FORMAT_CUSTOM;
	type_text(&w.from_pattern, "Support team");
	assert_false(wizard_next(&w, 0));
	assert_int_equal(w.from_pattern.error, INPUT_PATTERN_NO_NAME);
	assert_int_equal(w.from_focus, 2);
	/* only the documented placeholders */
	type_text(&w.from_pattern, "{name} at {vendr}");
	assert_false(wizard_next(&w, 0));
	assert_int_equal(w.from_pattern.error, INPUT_PATTERN_UNKNOWN);
	assert_string_equal(w.from_pattern.error_detail, "{vendr}");
	type_text(&w.from_pattern, "{name} :-}");
	assert_false(wizard_next(&w, 0));
	assert_string_equal(w.from_pattern.error_detail, "}");
	type_text(&w.from_pattern, "{name} (with {vendor})");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_DONE);
}

/* Option 1 created a domain; switching to option 3 asks keep or remove. */
static void test_switch_remove_domain(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	int64_t wake;
	(void)state;
	new_wizard(&w);
	option1_created(&w, &d, "customer.example");
	wizard_switch(&w);
	assert_int_equal(w.step, STEP_CHOOSE);
	assert_int_equal(w.choose_cursor, 0);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	/* Back from the decision returns to the choice, nothing removed */
	assert_true(wizard_back(&w));
	assert_int_equal(w.step, STEP_CHOOSE);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(switch_rows(&w), 1);
	assert_false(switch_row(&w, 0)->remove); /* a switch keeps by default */
	switch_row(&w, 0)->remove = true;
	assert_false(wizard_next(&w, 0)); /* waits for the removal */
	assert_int_equal(wizard_next_request(&w, 0, 0, &wake), REQ_DOMAIN_REMOVE);
	assert_string_equal(wizard_removal(&w)->id, "42");
	wizard_request_started(&w, REQ_DOMAIN_REMOVE, 0);
	wizard_on_removed(&w, REQ_DOMAIN_REMOVE, 0);
	assert_false(w.esp_domain.exists);
	assert_int_equal(w.step, STEP_FROM_NAME);
	assert_int_equal(w.option, OPTION_NAME);
	/* the domain typed is still there if they come back */
	assert_string_equal(w.domain_input.text, "customer.example");
	/* Back: to the choice, not to the finished keep-or-remove screen */
	assert_true(wizard_back(&w));
	assert_int_equal(w.step, STEP_CHOOSE);
	/* option 1 again, then back twice: never onto the records of the
	 * removed domain (that would create it again) */
	wizard_choose(&w, OPTION_DOMAIN, 0);
	assert_int_equal(w.step, STEP_DOMAIN);
	assert_true(wizard_back(&w));
	assert_int_equal(w.step, STEP_CHOOSE);
	assert_true(wizard_back(&w));
	assert_int_not_equal(w.step, STEP_RECORDS);
	assert_int_not_equal(w.step, STEP_SWITCH);
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_NONE);
}

static void test_switch_keep_signature(void **state)
{
	struct wizard w;
	struct wizard_signature_res s;
	(void)state;
	new_wizard(&w);
	option2_registered(&w, &s, "jane@customer.example", "Jane", "9");
	wizard_switch(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	assert_true(wizard_next(&w, 0)); /* keep: nothing to wait for */
	assert_int_equal(w.step, STEP_DOMAIN);
	assert_int_equal(w.nresources, 1);
	assert_int_equal(w.resources[0].fate, RES_KEPT);
	/* every switch lists what the chosen option does not use, kept too */
	wizard_switch(&w);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	assert_int_equal(switch_rows(&w), 1);
	assert_false(switch_row(&w, 0)->remove);
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_FROM_NAME);
	/* going back to option 2 with the same address reuses the signature */
	wizard_switch(&w);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	assert_int_equal(w.step, STEP_ADDRESS);
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_CONFIRM);
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_SIGNATURE_POLL);
}

/* Back, step by step, to where Back stops: no step reached asks the ESP to
 * create anything (a domain, a sender signature, a server).  Only the first
 * request of each step is looked at: tests/unit/test_back.c answers them
 * all, from every step, with Back and Esc. */
static void back_all_no_create(struct wizard *w)
{
	int guard = 0;
	do {
		enum wizard_request r = wizard_next_request(w, 0, 0, NULL);
		assert_false(wizard_request_def(r)->creates); /* the request table says which */
		assert_true(++guard < 64);
	} while (wizard_back(w));
}

/* Back never creates: from every step of option 2, and after the sender
 * signature was removed on a switch (Back onto the confirm step would
 * register it again). */
static void test_back_never_creates_signature(void **state)
{
	struct wizard w;
	struct wizard_signature_res s;
	(void)state;
	new_wizard(&w);
	option2_registered(&w, &s, "jane@customer.example", "Jane", "9");
	assert_int_equal(w.step, STEP_CONFIRM);
	wizard_switch(&w);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	switch_row(&w, 0)->remove = true;
	assert_false(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_SIGNATURE_REMOVE);
	wizard_request_started(&w, REQ_SIGNATURE_REMOVE, 0);
	wizard_on_removed(&w, REQ_SIGNATURE_REMOVE, 0);
	assert_false(w.signature.exists);
	assert_int_equal(w.step, STEP_FROM_NAME);
	back_all_no_create(&w);
	assert_false(w.signature.exists);
	/* option 2 again: the address is typed, nothing is asked of the ESP
	 * until Enter, and Back from the address step creates nothing either */
	wizard_choose(&w, OPTION_ADDRESS, 0);
	assert_int_equal(w.step, STEP_ADDRESS);
	back_all_no_create(&w);
}

/* Back never creates: from the records and from Done of option 1, and
 * after the domain was removed on a switch. */
static void test_back_never_creates_domain(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	struct record_result res[WIZARD_MAX_RECORDS];
	(void)state;
	new_wizard(&w);
	option1_created(&w, &d, "customer.example");
	assert_int_equal(w.step, STEP_RECORDS);
	all_verified(&w, res);
	wizard_request_started(&w, REQ_DNS_CHECK, 0);
	wizard_on_dns(&w, res, w.nrecords, "godaddy", 0);
	back_all_no_create(&w);
	/* forward again to the records (the domain is current: no create) */
	wizard_choose(&w, OPTION_DOMAIN, 0);
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_RECORDS);
	wizard_switch(&w);
	wizard_choose(&w, OPTION_NAME, 0);
	switch_row(&w, 0)->remove = true;
	assert_false(wizard_next(&w, 0));
	wizard_request_started(&w, REQ_DOMAIN_REMOVE, 0);
	wizard_on_removed(&w, REQ_DOMAIN_REMOVE, 0);
	assert_false(w.esp_domain.exists);
	back_all_no_create(&w);
	assert_false(w.esp_domain.exists);
}

static void test_changed_domain_asks_about_old(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	(void)state;
	new_wizard(&w);
	option1_created(&w, &d, "old.example");
	wizard_back(&w);
	type_text(&w.domain_input, "new.example");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_SWITCH);
	/* a correction, not a switch: the mistyped domain goes by default */
	assert_true(w.switch_correction);
	assert_int_equal(switch_rows(&w), 1);
	assert_string_equal(switch_row(&w, 0)->name, "old.example");
	assert_true(switch_row(&w, 0)->remove);
	assert_false(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DOMAIN_REMOVE);
	wizard_request_started(&w, REQ_DOMAIN_REMOVE, 0);
	wizard_on_removed(&w, REQ_DOMAIN_REMOVE, 0);
	assert_int_equal(w.step, STEP_RECORDS);
	assert_int_equal(w.resources[0].fate, RES_REMOVED);
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DOMAIN_ENSURE);
}

/* Creates domain name at the ESP with id on the records step. */
static void ensure_domain(struct wizard *w, const char *name, const char *id)
{
	struct wizard_domain_res d;
	assert_int_equal(w->step, STEP_RECORDS);
	assert_int_equal(wizard_next_request(w, 0, 0, NULL), REQ_DOMAIN_ENSURE);
	wizard_request_started(w, REQ_DOMAIN_ENSURE, 0);
	domain_reply(&d, name);
	str_copy(d.id, sizeof d.id, id);
	wizard_on_domain(w, &d, 0);
}

/* Issue 8: a.example, corrected to b.example and kept; switching to
 * option 2 then asks about both, b.example included. */
static void test_kept_then_switch_lists_all(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	type_text(&w.domain_input, "a.example");
	wizard_next(&w, 0);
	ensure_domain(&w, "a.example", "41");
	wizard_back(&w);
	type_text(&w.domain_input, "b.example");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_SWITCH);
	switch_row(&w, 0)->remove = false; /* keep a.example after all */
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_RECORDS);
	/* the records are b.example's, not the kept a.example's */
	assert_int_equal(w.nrecords, 0);
	ensure_domain(&w, "b.example", "42");
	assert_int_equal(w.nresources, 2);
	/* b.example corrected in turn: the cursor on it, a.example kept */
	wizard_back(&w);
	type_text(&w.domain_input, "c.example");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(switch_rows(&w), 2);
	assert_int_equal(w.switch_cursor, 1);
	assert_string_equal(switch_row(&w, 1)->name, "b.example");
	assert_true(switch_row(&w, 1)->remove);
	assert_false(switch_row(&w, 0)->remove);
	switch_row(&w, 1)->remove = false;
	assert_true(wizard_next(&w, 0));
	/* and back to b.example: adopted, nothing to ask */
	wizard_back(&w);
	type_text(&w.domain_input, "b.example");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_RECORDS);
	ensure_domain(&w, "b.example", "42");
	assert_int_equal(w.nresources, 2);
	wizard_switch(&w);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	assert_false(w.switch_correction);
	assert_int_equal(switch_rows(&w), 2);
	assert_string_equal(switch_row(&w, 0)->name, "a.example");
	assert_int_equal(switch_row(&w, 0)->fate, RES_KEPT);
	assert_string_equal(switch_row(&w, 1)->name, "b.example");
	assert_false(switch_row(&w, 1)->remove);
	/* remove both: one request each, by id */
	switch_row(&w, 0)->remove = true;
	switch_row(&w, 1)->remove = true;
	assert_false(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DOMAIN_REMOVE);
	assert_string_equal(wizard_removal(&w)->id, "41");
	wizard_request_started(&w, REQ_DOMAIN_REMOVE, 0);
	assert_string_equal(wizard_removal(&w)->id, "41");
	wizard_on_removed(&w, REQ_DOMAIN_REMOVE, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	assert_true(w.esp_domain.exists); /* b.example is still there */
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DOMAIN_REMOVE);
	assert_string_equal(wizard_removal(&w)->id, "42");
	wizard_request_started(&w, REQ_DOMAIN_REMOVE, 0);
	wizard_on_removed(&w, REQ_DOMAIN_REMOVE, 0);
	assert_int_equal(w.step, STEP_ADDRESS);
	assert_false(w.esp_domain.exists);
	assert_int_equal(w.resources[0].fate, RES_REMOVED);
	assert_int_equal(w.resources[1].fate, RES_REMOVED);
	/* nothing is left to ask about */
	wizard_switch(&w);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(w.step, STEP_FROM_NAME);
}

/* Back to a verified domain: Enter on its records finishes. */
static void test_verified_domain_again_reaches_done(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	struct record_result res[WIZARD_MAX_RECORDS];
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	type_text(&w.domain_input, "a.example");
	wizard_next(&w, 0);
	ensure_domain(&w, "a.example", "41");
	wizard_request_started(&w, REQ_DNS_CHECK, 0);
	all_verified(&w, res);
	wizard_on_dns(&w, res, w.nrecords, "", 0);
	wizard_request_started(&w, REQ_DOMAIN_VERIFY, 0);
	domain_reply(&d, "a.example");
	str_copy(d.id, sizeof d.id, "41");
	domain_all_verified(&d);
	wizard_on_domain(&w, &d, 0);
	assert_int_equal(w.step, STEP_DONE);
	/* to option 3, keeping the domain, and back */
	wizard_switch(&w);
	wizard_choose(&w, OPTION_NAME, 0);
	assert_int_equal(w.step, STEP_SWITCH);
	assert_true(wizard_next(&w, 0));
	type_text(&w.from_name, "Jane");
	assert_true(wizard_next(&w, 0));
	wizard_switch(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	assert_int_equal(w.step, STEP_DOMAIN); /* nothing unused to ask about */
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_RECORDS);
	assert_int_equal(w.resources[0].fate, RES_IN_USE);
	/* nothing is created again; the DNS is looked at, Enter finishes */
	assert_int_equal(wizard_next_request(&w, 10000, 0, NULL), REQ_DNS_CHECK);
	wizard_request_started(&w, REQ_DNS_CHECK, 10000);
	wizard_on_dns(&w, res, w.nrecords, "", 10000);
	assert_int_equal(wizard_next_request(&w, 10000, 0, NULL), REQ_NONE);
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_DONE);
	/* another domain now: the verified one was no typo, kept by default */
	assert_true(wizard_back(&w));
	assert_true(wizard_back(&w));
	assert_int_equal(w.step, STEP_DOMAIN);
	type_text(&w.domain_input, "c.example");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_SWITCH);
	assert_string_equal(switch_row(&w, 0)->name, "a.example");
	assert_false(switch_row(&w, 0)->remove);
}

/* Done means the DNS and the ESP agree: a domain the ESP verified long ago
 * (adopted when typed again) is not done while a record is missing from
 * the DNS, and is done at the first check that shows them all. */
static void test_esp_verified_waits_for_dns(void **state)
{
	struct wizard w;
	struct wizard_domain_res d;
	struct record_result res[WIZARD_MAX_RECORDS];
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	type_text(&w.domain_input, "old.example");
	wizard_next(&w, 0);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 0);
	domain_reply(&d, "old.example");
	domain_all_verified(&d);
	wizard_on_domain(&w, &d, 0);
	assert_int_equal(w.step, STEP_RECORDS);
	assert_false(wizard_next(&w, 0) && w.step == STEP_DONE);
	/* the customer deleted the Return-Path record since */
	assert_int_equal(wizard_next_request(&w, 0, 0, NULL), REQ_DNS_CHECK);
	wizard_request_started(&w, REQ_DNS_CHECK, 0);
	all_verified(&w, res);
	res[1].status = STATUS_MISSING;
	wizard_on_dns(&w, res, w.nrecords, "", 0);
	assert_int_equal(w.step, STEP_RECORDS);
	/* added again: the next check finishes */
	wizard_check_now(&w, 1000);
	assert_int_equal(wizard_next_request(&w, 1000, 0, NULL), REQ_DNS_CHECK);
	wizard_request_started(&w, REQ_DNS_CHECK, 1000);
	all_verified(&w, res);
	wizard_on_dns(&w, res, w.nrecords, "", 1000);
	assert_int_equal(w.step, STEP_DONE);
}

/* Option 2 as far as a signature with id for address, name "Jane". */
static void option2_signature(struct wizard *w, const char *address, const char *id,
			      int64_t wall_ms)
{
	struct wizard_signature_res s;
	type_text(&w->address_email, address);
	type_text(&w->address_name, "Jane");
	assert_true(wizard_next(w, 0));
	if (w->step == STEP_SWITCH)
		assert_true(wizard_next(w, 0) || w->step == STEP_SWITCH);
	assert_int_equal(w->step, STEP_CONFIRM);
	if (wizard_next_request(w, 0, wall_ms, NULL) == REQ_DMARC_CHECK) {
		wizard_request_started(w, REQ_DMARC_CHECK, 0);
		wizard_on_dmarc(w, DMARC_VERDICT_NONE, "", 0);
	}
	assert_int_equal(wizard_next_request(w, 0, wall_ms, NULL), REQ_SIGNATURE_ENSURE);
	wizard_request_started(w, REQ_SIGNATURE_ENSURE, 0);
	memset(&s, 0, sizeof s);
	str_copy(s.id, sizeof s.id, id);
	str_copy(s.email, sizeof s.email, address);
	str_copy(s.name, sizeof s.name, "Jane");
	wizard_on_signature(w, &s, 0, wall_ms);
}

/* A name changed after the confirmation email was asked for reaches the
 * ESP; a refusal says why and is not asked again for that name. */
static void test_option2_name_change_updates(void **state)
{
	struct wizard w;
	struct wizard_signature_res s;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	option2_signature(&w, "jane@customer.example", "9", 1000000);
	assert_int_equal(wizard_next_request(&w, 5000, 1005000, NULL), REQ_SIGNATURE_POLL);
	assert_true(wizard_back(&w));
	assert_int_equal(w.step, STEP_ADDRESS);
	type_text(&w.address_name, "Jane Doe");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_CONFIRM);
	assert_int_equal(wizard_next_request(&w, 0, 1000000, NULL), REQ_SIGNATURE_UPDATE);
	wizard_request_started(&w, REQ_SIGNATURE_UPDATE, 0);
	memset(&s, 0, sizeof s);
	str_copy(s.id, sizeof s.id, "9");
	str_copy(s.email, sizeof s.email, "jane@customer.example");
	str_copy(s.name, sizeof s.name, "Jane Doe");
	wizard_on_signature(&w, &s, 0, 1000000);
	assert_int_equal(w.notice_kind, NOTICE_INFO);
	assert_non_null(strstr(w.notice, "Jane Doe"));
	assert_int_equal(wizard_next_request(&w, 5000, 1005000, NULL), REQ_SIGNATURE_POLL);
	/* refused: said, with the ESP's reason, and not asked again */
	wizard_back(&w);
	type_text(&w.address_name, "Jane the Great");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 1000000, NULL), REQ_SIGNATURE_UPDATE);
	wizard_request_started(&w, REQ_SIGNATURE_UPDATE, 0);
	wizard_on_error(&w, REQ_SIGNATURE_UPDATE, BH_ERR_REMOTE, "Name is too long.", 0);
	assert_int_equal(w.notice_kind, NOTICE_ERROR);
	assert_non_null(strstr(w.notice, "Jane Doe"));
	assert_non_null(strstr(w.notice, "Name is too long."));
	assert_int_equal(wizard_next_request(&w, 120000, 1120000, NULL), REQ_SIGNATURE_POLL);
	/* a network failure is retried */
	wizard_back(&w);
	type_text(&w.address_name, "Jane D.");
	assert_true(wizard_next(&w, 200000));
	wizard_request_started(&w, REQ_SIGNATURE_UPDATE, 200000);
	wizard_on_error(&w, REQ_SIGNATURE_UPDATE, BH_ERR_NETWORK, NULL, 200000);
	assert_int_equal(wizard_next_request(&w, 300000, 1300000, NULL), REQ_SIGNATURE_UPDATE);
	/* a confirmed address renamed: Done, and it says the name changed */
	wizard_request_started(&w, REQ_SIGNATURE_UPDATE, 300000);
	memset(&s, 0, sizeof s);
	str_copy(s.id, sizeof s.id, "9");
	str_copy(s.email, sizeof s.email, "jane@customer.example");
	str_copy(s.name, sizeof s.name, "Jane D.");
	s.confirmed = true;
	wizard_on_signature(&w, &s, 300000, 1300000);
	assert_int_equal(w.step, STEP_DONE);
	assert_non_null(strstr(w.notice, "Jane D."));
}

/* The resend countdown is the address's own: another address does not
 * inherit it, and coming back to a kept one finds its own again. */
static void test_resend_countdown_per_address(void **state)
{
	struct wizard w;
	struct wizard_signature_res s;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_ADDRESS, 0);
	option2_signature(&w, "jane@customer.example", "9", 1000000);
	assert_int_equal(wizard_resend_wait(&w, 1000000), 60);
	wizard_resend(&w); /* queued for jane@ */
	wizard_back(&w);
	type_text(&w.address_email, "jan@customer.example");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_SWITCH);
	assert_true(w.switch_correction);
	switch_row(&w, 0)->remove = false; /* keep jane@ */
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_CONFIRM);
	/* jan@ has no email yet: no countdown, no resend of jane@'s */
	assert_false(w.signature.exists);
	assert_int_equal(wizard_resend_wait(&w, 1010000), 0);
	assert_false(w.resend_wanted);
	assert_int_equal(wizard_next_request(&w, 0, 1010000, NULL), REQ_SIGNATURE_ENSURE);
	wizard_request_started(&w, REQ_SIGNATURE_ENSURE, 0);
	memset(&s, 0, sizeof s);
	str_copy(s.id, sizeof s.id, "10");
	str_copy(s.email, sizeof s.email, "jan@customer.example");
	str_copy(s.name, sizeof s.name, "Jane");
	wizard_on_signature(&w, &s, 0, 1040000);
	assert_int_equal(wizard_resend_wait(&w, 1040000), 60);
	/* back to jane@ (kept): found again at the ESP, which does not say
	 * when it sent the email; the countdown is jane@'s, 20 s left */
	wizard_back(&w);
	type_text(&w.address_email, "jane@customer.example");
	assert_true(wizard_next(&w, 0));
	assert_int_equal(w.step, STEP_SWITCH);
	switch_row(&w, 0)->remove = false;
	assert_true(wizard_next(&w, 0));
	assert_int_equal(wizard_next_request(&w, 0, 1040000, NULL), REQ_SIGNATURE_ENSURE);
	wizard_request_started(&w, REQ_SIGNATURE_ENSURE, 0);
	memset(&s, 0, sizeof s);
	str_copy(s.id, sizeof s.id, "9");
	str_copy(s.email, sizeof s.email, "jane@customer.example");
	str_copy(s.name, sizeof s.name, "Jane");
	wizard_on_signature(&w, &s, 0, 1040000);
	assert_int_equal(wizard_resend_wait(&w, 1040000), 20);
}

static void test_error_backoff_and_notice(void **state)
{
	struct wizard w;
	int64_t wake = 0;
	(void)state;
	new_wizard(&w);
	wizard_choose(&w, OPTION_DOMAIN, 0);
	type_text(&w.domain_input, "customer.example");
	wizard_next(&w, 0);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 0);
	wizard_on_error(&w, REQ_DOMAIN_ENSURE, BH_ERR_TIMEOUT, "timeout \x1b[31mred", 0);
	assert_int_equal(w.notice_kind, NOTICE_ERROR);
	assert_null(strchr(w.notice, '\x1b'));
	assert_int_equal(wizard_next_request(&w, 500, 0, &wake), REQ_NONE);
	assert_true(wake >= 1000);
	assert_int_equal(wizard_next_request(&w, wake, 0, &wake), REQ_DOMAIN_ENSURE);
	wizard_request_started(&w, REQ_DOMAIN_ENSURE, 1000);
	wizard_on_error(&w, REQ_DOMAIN_ENSURE, BH_ERR_NETWORK, NULL, 1000);
	assert_true(w.retry_after_ms >= 3000);
	assert_string_not_equal(w.notice, "");
}

static void test_history_bounded(void **state)
{
	struct wizard w;
	int i;
	(void)state;
	new_wizard(&w);
	for (i = 0; i < 100; i++) {
		wizard_switch(&w);
		wizard_choose(&w, OPTION_NAME, 0);
	}
	assert_true(w.history_len <= WIZARD_HISTORY_MAX);
	while (wizard_back(&w))
		;
	assert_true(w.step == STEP_CHOOSE || w.step == STEP_FROM_NAME || w.step == STEP_WELCOME);
}

static void test_step_words(void **state)
{
	int s;
	(void)state;
	for (s = 0; s < STEP__COUNT; s++)
		assert_int_equal(wizard_step_from_word(wizard_step_word((enum wizard_step)s)), s);
	assert_int_equal(wizard_step_from_word("nope"), STEP__COUNT);
	assert_string_equal(wizard_step_word(STEP_FROM_NAME), "from-name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_welcome_to_choose),
	    cmocka_unit_test(test_choose_each_option),
	    cmocka_unit_test(test_advisor_recommends),
	    cmocka_unit_test(test_domain_error_keeps_text),
	    cmocka_unit_test(test_option1_requests_and_done),
	    cmocka_unit_test(test_dc_offer_follows_records),
	    cmocka_unit_test(test_polling_backs_off),
	    cmocka_unit_test(test_option2_flow),
	    cmocka_unit_test(test_option2_dmarc_blocks),
	    cmocka_unit_test(test_own_server_asked_first),
	    cmocka_unit_test(test_option3_flow_and_preview),
	    cmocka_unit_test(test_switch_remove_domain),
	    cmocka_unit_test(test_switch_keep_signature),
	    cmocka_unit_test(test_back_never_creates_signature),
	    cmocka_unit_test(test_back_never_creates_domain),
	    cmocka_unit_test(test_changed_domain_asks_about_old),
	    cmocka_unit_test(test_kept_then_switch_lists_all),
	    cmocka_unit_test(test_verified_domain_again_reaches_done),
	    cmocka_unit_test(test_esp_verified_waits_for_dns),
	    cmocka_unit_test(test_option2_name_change_updates),
	    cmocka_unit_test(test_resend_countdown_per_address),
	    cmocka_unit_test(test_error_backoff_and_notice),
	    cmocka_unit_test(test_history_bounded),
	    cmocka_unit_test(test_dc_offer),
	    cmocka_unit_test(test_step_words),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	text_free();
	return rc;
}
