/* What the customer sees when typing a domain, an address or a name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/validate.h"

/* Appends a to s (cap bytes). */
static void append(char *s, size_t cap, const char *a)
{
	size_t n = strlen(s);
	snprintf(s + n, cap - n, "%s", a);
}

static const struct validate_context ctx_domain = {"vendor.example", true};
static const struct validate_context ctx_plain = {NULL, false};

/* Checks input as a domain: expected code and, when given, detail. */
static void expect_domain(const char *input, const struct validate_context *ctx,
			  enum input_error want, const char *want_detail)
{
	struct domain_value d;
	char detail[128];
	enum input_error got = validate_domain(input, ctx, &d, detail, sizeof detail);
	if (got != want)
		fail_msg("\"%s\": got %s (%s), want %s", input, input_error_word(got), detail,
			 input_error_word(want));
	if (want_detail)
		assert_string_equal(detail, want_detail);
}

static void expect_ascii(const char *input, const char *ascii, const char *unicode)
{
	struct domain_value d;
	char detail[128];
	enum input_error got = validate_domain(input, &ctx_domain, &d, detail, sizeof detail);
	if (got != INPUT_OK)
		fail_msg("\"%s\": got %s (%s)", input, input_error_word(got), detail);
	assert_string_equal(d.ascii, ascii);
	assert_string_equal(d.unicode, unicode);
	assert_int_equal(d.is_idn, strcmp(ascii, unicode) != 0);
}

static void test_domain_ordinary(void **state)
{
	(void)state;
	expect_ascii("customer.example", "customer.example", "customer.example");
	expect_ascii("  Shop.Customer.EXAMPLE.  ", "shop.customer.example",
		     "shop.customer.example");
	expect_ascii("\tmy-shop.co.uk\n", "my-shop.co.uk", "my-shop.co.uk");
	expect_ascii("123.example", "123.example", "123.example");
}

static void test_domain_idn_both_ways(void **state)
{
	(void)state;
	expect_ascii("bücher.example", "xn--bcher-kva.example", "bücher.example");
	expect_ascii("BÜCHER.example", "xn--bcher-kva.example", "bücher.example");
	expect_ascii("xn--bcher-kva.example", "xn--bcher-kva.example", "bücher.example");
	expect_ascii("XN--BCHER-KVA.example.", "xn--bcher-kva.example", "bücher.example");
	expect_ascii("münchen.de", "xn--mnchen-3ya.de", "münchen.de");
	/* Non-transitional: ß stays ß. */
	expect_ascii("faß.de", "xn--fa-hia.de", "faß.de");
	/* Japanese full stop is a dot. */
	expect_ascii("例え。テスト", "xn--r8jz45g.xn--zckzah", "例え.テスト");
}

static void test_domain_errors(void **state)
{
	char long_label[80], long_name[300];
	(void)state;
	expect_domain("", &ctx_domain, INPUT_EMPTY, "");
	expect_domain("   ", &ctx_domain, INPUT_EMPTY, "");
	expect_domain("https://shop.customer.example/cart", &ctx_domain, INPUT_URL,
		      "shop.customer.example");
	expect_domain("customer.example/about", &ctx_domain, INPUT_URL, "customer.example");
	expect_domain("jane@customer.example", &ctx_domain, INPUT_BAD_CHARACTER, "@");
	expect_domain("192.0.2.1", &ctx_domain, INPUT_IP_LITERAL, "192.0.2.1");
	expect_domain("2001:db8::1", &ctx_domain, INPUT_IP_LITERAL, NULL);
	expect_domain("[2001:db8::1]", &ctx_domain, INPUT_IP_LITERAL, NULL);
	expect_domain("localhost", &ctx_domain, INPUT_SINGLE_LABEL, "localhost");
	expect_domain("customer.123", &ctx_domain, INPUT_NUMERIC_TLD, "123");
	expect_domain("customer..example", &ctx_domain, INPUT_LABEL_EMPTY, NULL);
	expect_domain(".customer.example", &ctx_domain, INPUT_LABEL_EMPTY, NULL);
	expect_domain("customer.example..", &ctx_domain, INPUT_LABEL_EMPTY, NULL);
	expect_domain("-shop.example", &ctx_domain, INPUT_LABEL_HYPHEN, "-shop");
	expect_domain("shop-.example", &ctx_domain, INPUT_LABEL_HYPHEN, "shop-");
	expect_domain("my_shop.example", &ctx_domain, INPUT_BAD_CHARACTER, "_");
	expect_domain("my shop.example", &ctx_domain, INPUT_BAD_CHARACTER, " ");
	expect_domain("xn--abc.example", &ctx_domain, INPUT_IDN_INVALID, "xn--abc");
	expect_domain("ab--cd.example", &ctx_domain, INPUT_IDN_INVALID, "ab--cd");
	expect_domain("shop\x1b[31m.example", &ctx_domain, INPUT_CONTROL_CHARACTER, "U+001B");
	expect_domain("shop\xff.example", &ctx_domain, INPUT_BAD_UTF8, NULL);

	memset(long_label, 'a', 64);
	memcpy(long_label + 64, ".example", 9);
	expect_domain(long_label, &ctx_domain, INPUT_LABEL_TOO_LONG, NULL);
	memset(long_label, 'a', 63);
	memcpy(long_label + 63, ".example", 9);
	expect_domain(long_label, &ctx_domain, INPUT_OK, NULL);

	/* 50 labels "abcd." = 250, plus "com" = 253: the limit exactly. */
	long_name[0] = '\0';
	for (int i = 0; i < 50; i++)
		memcpy(long_name + i * 5, "abcd.", 6);
	memcpy(long_name + 250, "com", 4);
	expect_domain(long_name, &ctx_domain, INPUT_OK, NULL);
	memcpy(long_name + 250, "comm", 5);
	expect_domain(long_name, &ctx_domain, INPUT_TOO_LONG, "253");
}

static void test_domain_idn_too_long(void **state)
{
	char name[400] = "";
	(void)state;
	/* 30 U-labels of "ü" + "x" (5 bytes typed) turn into 11-octet A-labels:
	 * 30 * 12 = 360 octets, over 253, though the typed form is shorter. */
	for (int i = 0; i < 30; i++)
		append(name, sizeof name, "üx.");
	append(name, sizeof name, "com");
	expect_domain(name, &ctx_domain, INPUT_TOO_LONG, "253");

	/* 23 characters, 72 octets as an A-label. */
	expect_domain("北海道札幌市中央区北一条西二丁目一番地株式会社.example", &ctx_domain,
		      INPUT_LABEL_TOO_LONG, "北海道札幌市中央区北一条西二丁目一番地株式会社");

	/* A label may not start with a combining accent. */
	expect_domain("\xcc\x81x.example", &ctx_domain, INPUT_IDN_INVALID, "\xcc\x81x");
}

static void test_domain_vendor_refused(void **state)
{
	struct validate_context upper = {"Vendor.Example.", false};
	(void)state;
	expect_domain("vendor.example", &ctx_domain, INPUT_VENDOR_DOMAIN, "vendor.example");
	expect_domain("VENDOR.example.", &ctx_domain, INPUT_VENDOR_DOMAIN, NULL);
	expect_domain("customer.vendor.example", &ctx_domain, INPUT_VENDOR_DOMAIN, NULL);
	expect_domain("mail.customer.vendor.example", &upper, INPUT_VENDOR_DOMAIN, NULL);
	/* A name that merely ends in the same letters is someone else's. */
	expect_domain("myvendor.example", &ctx_domain, INPUT_OK, NULL);
	expect_domain("vendor.example", &ctx_plain, INPUT_OK, NULL);
}

static void test_domain_freemail(void **state)
{
	(void)state;
	expect_domain("gmail.com", &ctx_domain, INPUT_FREEMAIL, "gmail.com");
	expect_domain("Hotmail.co.uk", &ctx_domain, INPUT_FREEMAIL, "hotmail.co.uk");
	expect_domain("eu.yahoo.com", &ctx_domain, INPUT_FREEMAIL, "eu.yahoo.com");
	expect_domain("gmail.com", &ctx_plain, INPUT_OK, NULL);
	expect_domain("gmail-fans.com", &ctx_domain, INPUT_OK, NULL);
	assert_true(validate_is_freemail("gmail.com"));
	assert_true(validate_is_freemail("GoogleMail.com."));
	assert_true(validate_is_freemail("proton.me"));
	assert_true(validate_is_freemail("web.de"));
	assert_true(validate_is_freemail("mail.gmx.net"));
	assert_false(validate_is_freemail("customer.example"));
	assert_false(validate_is_freemail("com"));
	assert_false(validate_is_freemail(""));
}

static void test_email(void **state)
{
	char out[EMAIL_MAX], detail[128];
	struct domain_value d;
	char local[128];
	(void)state;

	assert_int_equal(validate_email("  Jane.Doe+news@Bücher.Example ", &ctx_domain, out,
					sizeof out, &d, detail, sizeof detail),
			 INPUT_OK);
	assert_string_equal(out, "Jane.Doe+news@xn--bcher-kva.example");
	assert_string_equal(d.unicode, "bücher.example");

	assert_int_equal(validate_email("jane.customer.example", &ctx_domain, out, sizeof out, NULL,
					detail, sizeof detail),
			 INPUT_EMAIL_NO_AT);
	assert_int_equal(validate_email("@customer.example", &ctx_domain, out, sizeof out, NULL,
					detail, sizeof detail),
			 INPUT_EMAIL_LOCAL);
	assert_int_equal(validate_email("\"jane doe\"@customer.example", &ctx_domain, out,
					sizeof out, NULL, detail, sizeof detail),
			 INPUT_EMAIL_LOCAL);
	assert_int_equal(validate_email("jane..doe@customer.example", &ctx_domain, out, sizeof out,
					NULL, detail, sizeof detail),
			 INPUT_EMAIL_LOCAL);
	assert_string_equal(detail, "jane..doe");
	assert_int_equal(validate_email(".jane@customer.example", &ctx_domain, out, sizeof out,
					NULL, detail, sizeof detail),
			 INPUT_EMAIL_LOCAL);
	assert_int_equal(validate_email("jane doe@customer.example", &ctx_domain, out, sizeof out,
					NULL, detail, sizeof detail),
			 INPUT_BAD_CHARACTER);
	assert_string_equal(detail, " ");
	assert_int_equal(validate_email("jane@work@customer.example", &ctx_domain, out, sizeof out,
					NULL, detail, sizeof detail),
			 INPUT_BAD_CHARACTER);
	assert_string_equal(detail, "@");
	assert_int_equal(validate_email("Jane <jane@customer.example>", &ctx_domain, out,
					sizeof out, NULL, detail, sizeof detail),
			 INPUT_BAD_CHARACTER);

	memset(local, 'j', 65);
	memcpy(local + 65, "@customer.example", 18);
	assert_int_equal(
	    validate_email(local, &ctx_domain, out, sizeof out, NULL, detail, sizeof detail),
	    INPUT_EMAIL_LOCAL);
	memcpy(local + 64, "@customer.example", 18);
	assert_int_equal(
	    validate_email(local, &ctx_domain, out, sizeof out, NULL, detail, sizeof detail),
	    INPUT_OK);

	assert_int_equal(validate_email("jane@gmail.com", &ctx_domain, out, sizeof out, NULL,
					detail, sizeof detail),
			 INPUT_FREEMAIL);
	assert_int_equal(validate_email("jane@vendor.example", &ctx_domain, out, sizeof out, NULL,
					detail, sizeof detail),
			 INPUT_VENDOR_DOMAIN);
	assert_int_equal(validate_email("jane@localhost", &ctx_domain, out, sizeof out, NULL,
					detail, sizeof detail),
			 INPUT_SINGLE_LABEL);
	assert_int_equal(
	    validate_email("jane@", &ctx_domain, out, sizeof out, NULL, detail, sizeof detail),
	    INPUT_EMPTY);
	assert_int_equal(validate_email("mailto:jane@customer.example", &ctx_domain, out,
					sizeof out, NULL, detail, sizeof detail),
			 INPUT_URL);
	assert_int_equal(
	    validate_email("", &ctx_domain, out, sizeof out, NULL, detail, sizeof detail),
	    INPUT_EMPTY);
}

static void test_display_name(void **state)
{
	char detail[64], name[512];
	(void)state;
	assert_int_equal(validate_display_name("Jane's Bakery", detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_display_name("Zoë Åberg", detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_display_name("   ", detail, sizeof detail), INPUT_EMPTY);
	assert_int_equal(validate_display_name("Jane\nBcc: x@evil.example", detail, sizeof detail),
			 INPUT_CONTROL_CHARACTER);
	assert_string_equal(detail, "U+000A");
	assert_int_equal(validate_display_name("Jane \xe2\x80\xae"
					       "evil",
					       detail, sizeof detail),
			 INPUT_CONTROL_CHARACTER);
	assert_int_equal(validate_display_name("Jane \xc3", detail, sizeof detail), INPUT_BAD_UTF8);

	/* 100 characters of two bytes each fit; 101 do not. */
	name[0] = '\0';
	for (int i = 0; i < DISPLAY_NAME_MAX; i++)
		append(name, sizeof name, "é");
	assert_int_equal(validate_display_name(name, detail, sizeof detail), INPUT_OK);
	append(name, sizeof name, "é");
	assert_int_equal(validate_display_name(name, detail, sizeof detail), INPUT_TOO_LONG);
	assert_string_equal(detail, "100");
}

static void test_trim(void **state)
{
	char s[64];
	(void)state;
	snprintf(s, sizeof s, " \t Jane Doe \r\n");
	validate_trim(s);
	assert_string_equal(s, "Jane Doe");
	snprintf(s, sizeof s,
		 "\xc2\xa0"
		 "customer.example\xc2\xa0");
	validate_trim(s);
	assert_string_equal(s, "customer.example");
	snprintf(s, sizeof s, "   ");
	validate_trim(s);
	assert_string_equal(s, "");
}

/* Suggests what input probably meant: want_hint and the suggestion. */
static void expect_suggest(const char *input, enum domain_hint want_hint, const char *want)
{
	char out[DOMAIN_UNICODE_MAX];
	enum domain_hint got = validate_domain_suggest(input, out, sizeof out);
	if (got != want_hint || strcmp(out, want) != 0)
		fail_msg("\"%s\": got %d \"%s\", want %d \"%s\"", input, got, out, want_hint, want);
}

static void test_domain_suggest(void **state)
{
	(void)state;
	expect_suggest("https://www.Example.COM/", DOMAIN_HINT_CLEANED, "example.com");
	expect_suggest("http://shop.example.com:8080/cart?x=1#top", DOMAIN_HINT_CLEANED,
		       "shop.example.com");
	expect_suggest("jane@acme.com", DOMAIN_HINT_CLEANED, "acme.com");
	expect_suggest("Jane <jane@Acme.com>", DOMAIN_HINT_CLEANED, "acme.com");
	expect_suggest("mailto:jane@www.acme.com", DOMAIN_HINT_CLEANED, "acme.com");
	expect_suggest("example.com/about", DOMAIN_HINT_CLEANED, "example.com");
	expect_suggest("https://bücher.example/", DOMAIN_HINT_CLEANED, "bücher.example");
	/* Typed as a domain: www. is a website, asked; a subdomain may be meant. */
	expect_suggest("www.example.com", DOMAIN_HINT_WWW, "example.com");
	expect_suggest("WWW.Example.co.uk.", DOMAIN_HINT_WWW, "example.co.uk");
	expect_suggest("mail.example.com", DOMAIN_HINT_PARENT, "example.com");
	expect_suggest("news.mail.example.co.uk", DOMAIN_HINT_PARENT, "example.co.uk");
	/* Nothing better to offer. */
	expect_suggest("example.com", DOMAIN_HINT_NONE, "");
	expect_suggest("Example.COM", DOMAIN_HINT_NONE, "");
	expect_suggest("jane.github.io", DOMAIN_HINT_NONE, "");
	expect_suggest("www.co.uk", DOMAIN_HINT_NONE, "");
	expect_suggest("https://", DOMAIN_HINT_NONE, "");
	expect_suggest("jane@", DOMAIN_HINT_NONE, "");
	expect_suggest("https://localhost/", DOMAIN_HINT_NONE, "");
	expect_suggest("", DOMAIN_HINT_NONE, "");
	assert_int_equal(validate_domain_suggest("www.example.com", NULL, 0), DOMAIN_HINT_WWW);
}

static void test_domain_public_suffix(void **state)
{
	(void)state;
	expect_domain("co.uk", &ctx_domain, INPUT_PUBLIC_SUFFIX, "co.uk");
	expect_domain("CO.UK.", &ctx_plain, INPUT_PUBLIC_SUFFIX, "co.uk");
	expect_domain("github.io", &ctx_plain, INPUT_PUBLIC_SUFFIX, "github.io");
	expect_domain("com.au", &ctx_plain, INPUT_PUBLIC_SUFFIX, NULL);
	expect_domain("example.co.uk", &ctx_plain, INPUT_OK, NULL);
	expect_domain("jane.github.io", &ctx_plain, INPUT_OK, NULL);
	/* A TLD the list does not know is not a suffix of two labels. */
	expect_domain("customer.example", &ctx_plain, INPUT_OK, NULL);
}

/* The longest name Postmark makes in front of a domain: its DKIM host. */
#define POSTMARK_SELECTOR "20250817055129pm._domainkey"

/* The longest name the ESP makes (Postmark's DKIM name: 28 octets in
 * front, or a Return-Path label longer than that) must fit 253 octets
 * under the domain. */
static void test_record_names(void **state)
{
	struct domain_value d;
	char name[300] = "", detail[64];
	(void)state;
	/* 45 labels "abcd." = 225 octets, less the last dot: 224. */
	for (int i = 0; i < 44; i++)
		append(name, sizeof name, "abcd.");
	append(name, sizeof name, "exam");
	assert_int_equal(strlen(name), 224);
	assert_int_equal(validate_domain(name, &ctx_plain, &d, detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_record_names(&d, POSTMARK_SELECTOR, detail, sizeof detail),
			 INPUT_OK);
	append(name, sizeof name, "p");
	assert_int_equal(validate_domain(name, &ctx_plain, &d, detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_record_names(&d, POSTMARK_SELECTOR, detail, sizeof detail),
			 INPUT_OK);
	append(name, sizeof name, "l");
	assert_int_equal(validate_domain(name, &ctx_plain, &d, detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_record_names(&d, POSTMARK_SELECTOR, detail, sizeof detail),
			 INPUT_RECORD_TOO_LONG);
	assert_string_equal(detail, "225");
	/* 253 - strlen("20250817055129pm._domainkey.") */
	assert_int_equal(253 - (int)strlen(POSTMARK_SELECTOR ".") - 225, 0);
	/* Without any label, the domain alone must fit. */
	assert_int_equal(validate_record_names(&d, NULL, detail, sizeof detail), INPUT_OK);
	/* A Return-Path label longer than the DKIM selector takes more room. */
	assert_int_equal(validate_record_names(&d, "a-very-long-return-path-label-for-bounces",
					       detail, sizeof detail),
			 INPUT_RECORD_TOO_LONG);
	assert_string_equal(detail, "211");
	assert_int_equal(validate_domain("customer.example", &ctx_plain, &d, detail, sizeof detail),
			 INPUT_OK);
	assert_int_equal(validate_record_names(&d, POSTMARK_SELECTOR, detail, sizeof detail),
			 INPUT_OK);
}

static void test_local_and_label(void **state)
{
	char detail[64];
	(void)state;
	assert_int_equal(validate_local_part("notifications", detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_local_part("no.reply+x", detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_local_part("\"x\" <x>", detail, sizeof detail),
			 INPUT_EMAIL_LOCAL);
	assert_int_equal(validate_local_part("a<x>", detail, sizeof detail), INPUT_BAD_CHARACTER);
	assert_string_equal(detail, "<");
	assert_int_equal(validate_local_part("", detail, sizeof detail), INPUT_EMPTY);
	assert_int_equal(validate_dns_label("pm-bounces", detail, sizeof detail), INPUT_OK);
	assert_int_equal(validate_dns_label("=cmd|' /C calc'!A0", detail, sizeof detail),
			 INPUT_DNS_LABEL);
	assert_int_equal(validate_dns_label("-x", detail, sizeof detail), INPUT_DNS_LABEL);
	assert_int_equal(validate_dns_label("a.b", detail, sizeof detail), INPUT_DNS_LABEL);
	assert_int_equal(validate_dns_label("pm_bounces", detail, sizeof detail), INPUT_DNS_LABEL);
	assert_int_equal(
	    validate_dns_label("a123456789b123456789c123456789d123456789e123456789f1234567890123",
			       detail, sizeof detail),
	    INPUT_DNS_LABEL);
	assert_string_equal(detail, "a123456789b123456789c...");
}

static void test_split_mailbox(void **state)
{
	char name[64], address[64];
	(void)state;
	assert_true(validate_split_mailbox(" Jane <jane@customer.example> ", name, sizeof name,
					   address, sizeof address));
	assert_string_equal(name, "Jane");
	assert_string_equal(address, "jane@customer.example");
	assert_true(validate_split_mailbox("\"Doe, Jane \\\"JD\\\"\" < jane@customer.example >",
					   name, sizeof name, address, sizeof address));
	assert_string_equal(name, "Doe, Jane \"JD\"");
	assert_string_equal(address, "jane@customer.example");
	assert_true(validate_split_mailbox("<jane@customer.example>", name, sizeof name, address,
					   sizeof address));
	assert_string_equal(name, "");
	assert_false(validate_split_mailbox("jane@customer.example", name, sizeof name, address,
					    sizeof address));
	assert_false(validate_split_mailbox("Jane <jane@customer.example", name, sizeof name,
					    address, sizeof address));
	assert_false(
	    validate_split_mailbox("Jane <jane>", name, sizeof name, address, sizeof address));
}

/* A message quotes a long label shortened, so that it fits under the field
 * (three rows of about 60 columns at 80x24). */
static void test_messages_fit(void **state)
{
	char label[80], detail[128], buf[512];
	struct domain_value d;
	(void)state;
	memset(label, 'a', 70);
	memcpy(label + 70, ".example", 9);
	assert_int_equal(validate_domain(label, &ctx_plain, &d, detail, sizeof detail),
			 INPUT_LABEL_TOO_LONG);
	assert_string_equal(detail, "aaaaaaaaaaaaaaaaaaaaa...");
	text_fmt(buf, sizeof buf, "input.label-too-long", detail, NULL, NULL);
	assert_true(strlen(buf) < 150);
	assert_non_null(strstr(buf, "at most 63 characters"));
	memset(label, 'b', 30);
	label[30] = '\0';
	assert_int_equal(validate_domain(label, &ctx_plain, &d, detail, sizeof detail),
			 INPUT_SINGLE_LABEL);
	assert_int_equal(strlen(detail), 24);
	for (int e = 1; e < INPUT__COUNT; e++) {
		char id[64];
		snprintf(id, sizeof id, "input.%s", input_error_word((enum input_error)e));
		text_fmt(buf, sizeof buf, id, "aaaaaaaaaaaaaaaaaaaaa...", NULL, NULL);
		if (strlen(buf) > 180)
			fail_msg("%s is %zu characters: it does not fit under the field", id,
				 strlen(buf));
	}
	text_free();
}

/* Every code has its stable word and a message in assets/text/input.ini. */
static void test_words_and_messages(void **state)
{
	char id[64];
	(void)state;
	assert_string_equal(input_error_word(INPUT_OK), "ok");
	assert_string_equal(input_error_word(INPUT_LABEL_TOO_LONG), "label-too-long");
	assert_string_equal(input_error_word(INPUT_PATTERN_NO_NAME), "pattern-no-name");
	for (int e = 0; e < INPUT__COUNT; e++) {
		const char *w = input_error_word((enum input_error)e);
		assert_non_null(w);
		assert_string_not_equal(w, "unknown");
		snprintf(id, sizeof id, "input.%s", w);
		if (!text_has(id))
			fail_msg("no text for %s", id);
	}
	assert_true(text_has("input.domain_empty"));
	assert_true(text_has("input.email_empty"));
	assert_true(text_has("input.name_empty"));
	text_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_domain_ordinary),
	    cmocka_unit_test(test_domain_idn_both_ways),
	    cmocka_unit_test(test_domain_errors),
	    cmocka_unit_test(test_domain_idn_too_long),
	    cmocka_unit_test(test_domain_vendor_refused),
	    cmocka_unit_test(test_domain_freemail),
	    cmocka_unit_test(test_email),
	    cmocka_unit_test(test_display_name),
	    cmocka_unit_test(test_trim),
	    cmocka_unit_test(test_words_and_messages),
	    cmocka_unit_test(test_domain_suggest),
	    cmocka_unit_test(test_domain_public_suffix),
	    cmocka_unit_test(test_record_names),
	    cmocka_unit_test(test_local_and_label),
	    cmocka_unit_test(test_messages_fit),
	    cmocka_unit_test(test_split_mailbox),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
