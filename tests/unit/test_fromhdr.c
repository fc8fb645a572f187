/* Option 3: the From line recipients' mail programs will show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/fromhdr.h"
#include "core/sanitize.h"

#define ADDR "jane@vendor.example"

/* Every line at most 78 characters, every fold "\n" + space, no CR. */
static void check_lines(const char *h)
{
	const char *line = h;
	assert_null(strchr(h, '\r'));
	for (;;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > 78)
			fail_msg("line of %zu characters: %.*s", len, (int)len, line);
		if (!nl)
			break;
		assert_int_equal(nl[1], ' ');
		line = nl + 1;
	}
}

/* Unfolds: a fold is the newline only; the blank after it stays. */
static void unfold(const char *h, char *out, size_t cap)
{
	size_t w = 0;
	for (; *h && w + 1 < cap; h++)
		if (*h != '\n')
			out[w++] = *h;
	out[w] = '\0';
}

static int b64_value(char c)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(b64, c);
	return c && p ? (int)(p - b64) : -1;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* What Q encoding may leave as is in a display name (RFC 2047 5 (3)). */
static bool q_plain(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!*+-/", c));
}

/* Decodes one encoded-word (len characters) onto out; checks it is at most
 * 75 characters and holds whole UTF-8 characters only. */
static void decode_word(const char *w, size_t len, char *out, size_t cap)
{
	char text[128];
	size_t n = 0, i;
	const char *p;
	assert_true(len <= 75);
	assert_true(len > 12);
	assert_memory_equal(w, "=?UTF-8?", 8);
	assert_memory_equal(w + len - 2, "?=", 2);
	assert_int_equal(w[9], '?');
	if (w[8] == 'Q') {
		for (p = w + 10; p < w + len - 2; p++) {
			if (*p == '_') {
				text[n++] = ' ';
			} else if (*p == '=') {
				int hi = hex_value(p[1]), lo = hex_value(p[2]);
				assert_true(hi >= 0 && lo >= 0);
				text[n++] = (char)(hi * 16 + lo);
				p += 2;
			} else {
				assert_true(q_plain(*p));
				text[n++] = *p;
			}
		}
	} else {
		assert_int_equal(w[8], 'B');
		assert_int_equal((len - 12) % 4, 0);
		for (p = w + 10; p < w + len - 2; p += 4) {
			int v[4];
			for (i = 0; i < 4; i++)
				v[i] = p[i] == '=' ? 0 : b64_value(p[i]);
			assert_true(v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[3] >= 0);
			text[n++] = (char)((v[0] << 2) | (v[1] >> 4));
			if (p[2] != '=')
				text[n++] = (char)(((v[1] & 15) << 4) | (v[2] >> 2));
			if (p[3] != '=')
				text[n++] = (char)(((v[2] & 3) << 6) | v[3]);
		}
	}
	/* Whole characters only: each word decodes to valid UTF-8 by itself. */
	for (i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_decode((const unsigned char *)text + i, n - i, &cp);
		assert_true(l > 0);
		i += l;
	}
	text[n] = '\0';
	assert_true(strlen(out) + n < cap);
	memcpy(out + strlen(out), text, n + 1);
}

/* What a mail program shows as the display name, and the address. */
static void read_header(const char *h, char *display, size_t cap, char *addr, size_t acap)
{
	char line[4096];
	char *lt, *p;
	size_t w = 0;
	check_lines(h);
	unfold(h, line, sizeof line);
	assert_memory_equal(line, "From: ", 6);
	display[0] = '\0';
	lt = strrchr(line, '<');
	assert_non_null(lt);
	snprintf(addr, acap, "%.*s", (int)(strlen(lt) - 2), lt + 1);
	assert_int_equal(lt[-1], ' ');
	lt[-1] = '\0';
	p = line + 6;
	if (*p == '"') {
		assert_int_equal(p[strlen(p) - 1], '"');
		for (p++; *p && p[1]; p++) {
			if (*p == '\\')
				p++;
			else
				assert_int_not_equal(*p, '"');
			display[w++] = *p;
		}
		display[w] = '\0';
	} else if (strncmp(p, "=?", 2) == 0) {
		/* Encoded-words separated by blanks: the blanks vanish. */
		while (*p) {
			char *sp = strchr(p, ' ');
			size_t len = sp ? (size_t)(sp - p) : strlen(p);
			decode_word(p, len, display, cap);
			p += len;
			while (*p == ' ')
				p++;
		}
	} else {
		assert_true(strlen(p) < cap);
		memcpy(display, p, strlen(p) + 1);
	}
}

static void expect_roundtrip(const char *name)
{
	char h[FROM_HEADER_MAX], display[1024], addr[256];
	size_t n = fromhdr_header(name, ADDR, h, sizeof h);
	assert_int_equal(n, strlen(h));
	read_header(h, display, sizeof display, addr, sizeof addr);
	assert_string_equal(display, name);
	assert_string_equal(addr, ADDR);
}

static void test_atoms_and_quoting(void **state)
{
	char h[FROM_HEADER_MAX];
	(void)state;
	fromhdr_header("Jane Customer via Vendor", ADDR, h, sizeof h);
	assert_string_equal(h, "From: Jane Customer via Vendor <jane@vendor.example>");
	fromhdr_header("Smith, Jane", ADDR, h, sizeof h);
	assert_string_equal(h, "From: \"Smith, Jane\" <jane@vendor.example>");
	fromhdr_header("Jane \"JJ\" O\\Neil", ADDR, h, sizeof h);
	assert_string_equal(h, "From: \"Jane \\\"JJ\\\" O\\\\Neil\" <jane@vendor.example>");
	fromhdr_header("Jane Q. Public (Sales)", ADDR, h, sizeof h);
	assert_string_equal(h, "From: \"Jane Q. Public (Sales)\" <jane@vendor.example>");
	fromhdr_header("O'Brien & Sons", ADDR, h, sizeof h);
	assert_string_equal(h, "From: O'Brien & Sons <jane@vendor.example>");
	fromhdr_header("", ADDR, h, sizeof h);
	assert_string_equal(h, "From: jane@vendor.example");
	expect_roundtrip("Smith, Jane");
	expect_roundtrip("a \"quoted\" \\ name; <with> @specials: [yes]");
}

static void test_encoded_words(void **state)
{
	char h[FROM_HEADER_MAX];
	(void)state;
	fromhdr_header("José García", ADDR, h, sizeof h);
	assert_non_null(strstr(h, "=?UTF-8?"));
	assert_null(strstr(h, "José"));
	for (const char *p = h; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	expect_roundtrip("José García");
	expect_roundtrip("Bäckerei Müller, Inh. Jürgen Groß");
	expect_roundtrip("株式会社テスト");
	expect_roundtrip("Zoë 🎂 Cakes = \"good\" ?_");
}

static void test_long_names_fold(void **state)
{
	char name[512];
	(void)state;
	expect_roundtrip("Wolfgang Amadeus Mozart Bakery and Confectionery Limited via "
			 "The Very Long Vendor Name Incorporated of Somewhere");
	expect_roundtrip("Wolfgang, Amadeus Mozart Bakery and Confectionery Limited via "
			 "The Very Long Vendor Name Incorporated of Somewhere");
	expect_roundtrip("株式会社テスト株式会社テスト株式会社テスト株式会社テスト株式会社テスト"
			 "株式会社テスト株式会社テスト株式会社テスト");
	expect_roundtrip("Bäckerei Müller Bäckerei Müller Bäckerei Müller Bäckerei Müller "
			 "Bäckerei Müller Bäckerei Müller Bäckerei Müller");
	/* One word longer than a line cannot be folded as an atom. */
	memset(name, 'A', 100);
	name[100] = '\0';
	expect_roundtrip(name);
	/* Two blanks in a row inside quotes survive folding. */
	expect_roundtrip("Jane  Doe, Customer Success and Onboarding Team, "
			 "Northern  Hemisphere Division");
}

/* A run of blanks inside quotes, at every place a fold can fall. */
static void test_blank_runs_at_every_fold(void **state)
{
	char name[256];
	(void)state;
	for (size_t k = 1; k < 120; k++) {
		size_t w = 0;
		memcpy(name, "Smith, ", 7);
		w = 7;
		for (size_t i = 0; i < k; i++)
			name[w++] = i % 13 == 12 ? ' ' : 'x';
		memcpy(name + w, "    Jones  and  Partners", 25);
		expect_roundtrip(name);
	}
}

static void test_no_header_injection(void **state)
{
	char h[FROM_HEADER_MAX];
	(void)state;
	fromhdr_header("Jane\r\nBcc: everyone@example.com", "jane@vendor.example>\r\nX: y", h,
		       sizeof h);
	check_lines(h);
	assert_null(strstr(h, "\nBcc"));
	assert_null(strstr(h, "\nX"));
	assert_non_null(strstr(h, "<jane@vendor.exampleX:y>"));
}

static void test_length_like_snprintf(void **state)
{
	char h[FROM_HEADER_MAX], small[20];
	size_t full = fromhdr_header("José García", ADDR, h, sizeof h);
	(void)state;
	assert_int_equal(fromhdr_header("José García", ADDR, small, sizeof small), full);
	assert_int_equal(strlen(small), sizeof small - 1);
	assert_memory_equal(small, h, sizeof small - 1);
	assert_int_equal(fromhdr_header("José García", ADDR, NULL, 0), full);
}

static void test_display_formats(void **state)
{
	char out[FROM_DISPLAY_MAX], small[8];
	(void)state;
	fromhdr_display_name(FROM_FORMAT_VIA, "Jane Customer", "Vendor", NULL, out, sizeof out);
	assert_string_equal(out, "Jane Customer via Vendor");
	fromhdr_display_name(FROM_FORMAT_FOR, "Jane Customer", "Vendor", NULL, out, sizeof out);
	assert_string_equal(out, "Vendor for Jane Customer");
	fromhdr_display_name(FROM_FORMAT_PLAIN, "Jane Customer", "Vendor", NULL, out, sizeof out);
	assert_string_equal(out, "Jane Customer");
	fromhdr_display_name(FROM_FORMAT_CUSTOM, "Jane", "Vendor", "{name} ({vendor}) {x}", out,
			     sizeof out);
	assert_string_equal(out, "Jane (Vendor) {x}");
	fromhdr_display_name(FROM_FORMAT_CUSTOM, "Jane", "Vendor", "{name} & {name}", out,
			     sizeof out);
	assert_string_equal(out, "Jane & Jane");
	fromhdr_display_name(FROM_FORMAT_VIA, "Jane", "", NULL, out, sizeof out);
	assert_string_equal(out, "Jane");
	/* Needed length returned; a character is never cut in half. */
	assert_int_equal(
	    fromhdr_display_name(FROM_FORMAT_PLAIN, "Zoëëëëë", NULL, NULL, small, sizeof small),
	    12);
	assert_string_equal(small, "Zoëë");
}

/* Only {name} and {vendor}: anything else in braces is a typo to show. */
static void test_pattern_placeholders(void **state)
{
	char bad[64];
	(void)state;
	assert_true(fromhdr_pattern_ok("{name} via {vendor}", bad, sizeof bad));
	assert_true(fromhdr_pattern_ok("{vendor} \xe2\x80\x94 {name} {name}", bad, sizeof bad));
	assert_true(fromhdr_pattern_ok("plain text", bad, sizeof bad));
	assert_false(fromhdr_pattern_ok("{name} at {Vendor}", bad, sizeof bad));
	assert_string_equal(bad, "{Vendor}");
	assert_false(fromhdr_pattern_ok("{nmae} for {vendor}", bad, sizeof bad));
	assert_string_equal(bad, "{nmae}");
	assert_false(fromhdr_pattern_ok("{name} {customer_id}", bad, sizeof bad));
	assert_string_equal(bad, "{customer_id}");
	assert_false(fromhdr_pattern_ok("{name} :-{", bad, sizeof bad));
	assert_string_equal(bad, "{");
	assert_false(fromhdr_pattern_ok("{name} }", bad, sizeof bad));
	assert_string_equal(bad, "}");
	assert_false(fromhdr_pattern_ok("{{name}}", bad, sizeof bad));
	assert_string_equal(bad, "{");
}

/* What people see: the display name as typed (not encoded), the address. */
static void test_shown(void **state)
{
	char out[256], header[FROM_HEADER_MAX];
	(void)state;
	fromhdr_shown("J\xc3\xb6rg M\xc3\xbcller via Acme", ADDR, out, sizeof out);
	assert_string_equal(out, "J\xc3\xb6rg M\xc3\xbcller via Acme <" ADDR ">");
	fromhdr_header("J\xc3\xb6rg M\xc3\xbcller via Acme", ADDR, header, sizeof header);
	assert_non_null(strstr(header, "=?UTF-8?"));
	assert_null(strstr(out, "=?"));
	fromhdr_shown("", ADDR, out, sizeof out);
	assert_string_equal(out, "<" ADDR ">");
	assert_int_equal(fromhdr_shown("Jane", ADDR, out, 4), strlen("Jane <" ADDR ">"));
	assert_string_equal(out, "Jan");
}

static void test_addresses(void **state)
{
	char out[256];
	(void)state;
	fromhdr_address(FROM_ADDRESS_SHARED, "notifications", "acme", "vendor.example", out,
			sizeof out);
	assert_string_equal(out, "notifications@vendor.example");
	fromhdr_address(FROM_ADDRESS_LOCAL, NULL, "acme", "Vendor.Example.", out, sizeof out);
	assert_string_equal(out, "acme@vendor.example");
	fromhdr_address(FROM_ADDRESS_SUBDOMAIN, NULL, "acme", "vendor.example", out, sizeof out);
	assert_string_equal(out, "acme@acme.vendor.example");
	/* A slug that is not one yet is made one. */
	fromhdr_address(FROM_ADDRESS_SUBDOMAIN, NULL, "Acme Corp", "vendor.example", out,
			sizeof out);
	assert_string_equal(out, "acme-corp@acme-corp.vendor.example");
}

static void test_slug(void **state)
{
	char s[64], t[64], u[64], small[6];
	char long_in[200];
	(void)state;
	fromhdr_slug("Acme Corp", s, sizeof s);
	assert_string_equal(s, "acme-corp");
	fromhdr_slug("  --Jane's Bäckerei & Café!!  ", s, sizeof s);
	assert_string_equal(s, "jane-s-backerei-cafe");
	fromhdr_slug("Groß_Straße 12", s, sizeof s);
	assert_string_equal(s, "gross-strasse-12");
	fromhdr_slug("Łódź", s, sizeof s);
	assert_string_equal(s, "lodz");
	fromhdr_slug("a--b", s, sizeof s);
	assert_string_equal(s, "a-b");
	fromhdr_slug("", s, sizeof s);
	assert_string_equal(s, "customer");
	/* Other scripts: a stable label that differs between customers. */
	fromhdr_slug("株式会社テスト", s, sizeof s);
	fromhdr_slug("株式会社テスト", t, sizeof t);
	fromhdr_slug("株式会社サンプル", u, sizeof u);
	assert_string_equal(s, t);
	assert_string_not_equal(s, u);
	assert_memory_equal(s, "customer-", 9);

	/* At most 63 characters, never ending in a hyphen. */
	for (size_t i = 0; i < sizeof long_in - 1; i++)
		long_in[i] = i % 10 == 9 ? ' ' : 'x';
	long_in[sizeof long_in - 1] = '\0';
	fromhdr_slug(long_in, s, sizeof s);
	assert_true(strlen(s) <= 63);
	assert_true(strlen(s) > 50);
	assert_int_not_equal(s[strlen(s) - 1], '-');
	for (const char *p = s; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');

	/* A slug stays what it is. */
	fromhdr_slug("jane-s-backerei-cafe", s, sizeof s);
	assert_string_equal(s, "jane-s-backerei-cafe");
	fromhdr_slug("Acme Corp", small, sizeof small);
	assert_string_equal(small, "acme");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_atoms_and_quoting),
	    cmocka_unit_test(test_encoded_words),
	    cmocka_unit_test(test_long_names_fold),
	    cmocka_unit_test(test_blank_runs_at_every_fold),
	    cmocka_unit_test(test_no_header_injection),
	    cmocka_unit_test(test_length_like_snprintf),
	    cmocka_unit_test(test_display_formats),
	    cmocka_unit_test(test_pattern_placeholders),
	    cmocka_unit_test(test_shown),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_slug),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
