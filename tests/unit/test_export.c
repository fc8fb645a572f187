/* Exported instruction sheets: what a teammate receives for each option in
 * each format (golden files in tests/data/export/, regenerated with
 * BEHALF_UPDATE_GOLDEN=1 and reviewed like code), and that hostile text
 * from a customer or a DNS server cannot inject markup, formulas, zone
 * lines or terminal escapes into any of them. */
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
#include "core/records_json.h"
#include "core/state.h"
#include "core/wizard.h"
#include "export/export.h"
#include "export/qr.h"

/* A 2048-bit-sized DKIM value: over 255 characters, so zone lines split it. */
static const char dkim_value[] =
    "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4hvxcoo8xpwWFw9lLbr2XEqL1tf"
    "znSzUYrtm9sXVR8BsRejK4YAZtAII7aUiUmYTxOFqRXZUkvxL8r4MfBpb1PrQCrrLqS1Aw9jtdgPsW4G"
    "sf9lJroquAIRItk2Vuq6OhnURKK0vdAzw08Pr42u7mgo14awjyPef7Wg5QIDAQABcglwjcLc8BNVPvVD"
    "Ybp1HaKh69WGrXAy0jNfvn9yyFE7kZyLGwtTrTx5ZVu8UkxLZNExVq3cbqvzoCObHxSb2d0Pwlep80ca"
    "uC00MH44i3Uyj8HaTpAxd2EGmLzdwePE0y37zH4iwQpUrQMsQwATp7Dz7WLBXjHWlII5stYQIDAQAB";

static const char hostile[] = "Eve <script>alert(1)</script> \"q\" \\b =cmd|' /C calc'!A0 "
			      "\nline2\r\x1b[31mred\x1b[0m \xe2\x80\xae"
			      "evil\xe2\x80\xac \x07\x08\x7f `code` *em* [l](http://x) # "
			      "\xc2\x9b";

static void config(struct wizard_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	str_copy(cfg->vendor_name, sizeof cfg->vendor_name, "Acme Help Desk");
	str_copy(cfg->vendor_domain, sizeof cfg->vendor_domain, "acmehelp.example");
	str_copy(cfg->shared_local, sizeof cfg->shared_local, "notifications");
	str_copy(cfg->record_label_max, sizeof cfg->record_label_max,
		 "20250817055129pm._domainkey");
	str_copy(cfg->customer_id, sizeof cfg->customer_id, "jane-co");
	str_copy(cfg->esp_name, sizeof cfg->esp_name, "Postmark");
	str_copy(cfg->support_contact, sizeof cfg->support_contact,
		 "support@acmehelp.example or +1 555 0100");
}

static void set_record(struct wizard *w, size_t i, enum record_purpose purpose,
		       enum record_type type, const char *name, const char *value, bool required)
{
	struct expected_record *r = &w->records[i];
	r->purpose = purpose;
	r->type = type;
	str_copy(r->name, sizeof r->name, name);
	str_copy(r->value, sizeof r->value, value);
	r->required = required;
}

/* Option 1 at Cloudflare: DKIM sits at a doubled name, the Return-Path is
 * verified, DMARC not checked yet. */
static struct wizard *wizard_option1(void)
{
	struct wizard_config cfg;
	struct wizard *w = xmalloc(sizeof *w);
	struct record_result *r;

	config(&cfg);
	wizard_init(w, &cfg);
	w->option = OPTION_DOMAIN;
	w->step = STEP_RECORDS;
	field_set(&w->domain_input, "customer.example");
	str_copy(w->domain.ascii, sizeof w->domain.ascii, "customer.example");
	str_copy(w->domain.unicode, sizeof w->domain.unicode, "customer.example");
	str_copy(w->dns_host, sizeof w->dns_host, "cloudflare");
	set_record(w, 0, PURPOSE_DKIM, RECORD_TYPE_TXT,
		   "20250817055129pm._domainkey.customer.example", dkim_value, true);
	set_record(w, 1, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, "pm-bounces.customer.example",
		   "pm.mtasv.net", true);
	set_record(w, 2, PURPOSE_DMARC, RECORD_TYPE_TXT, "_dmarc.customer.example",
		   "v=DMARC1; p=none;", false);
	w->nrecords = 3;
	r = &w->results[0];
	r->status = STATUS_MISSING;
	r->ndiagnoses = 1;
	r->diagnoses[0].code = DIAG_ZONE_APPENDED;
	str_copy(r->diagnoses[0].arg, sizeof r->diagnoses[0].arg, "20250817055129pm._domainkey");
	str_copy(r->diagnoses[0].arg2, sizeof r->diagnoses[0].arg2,
		 "20250817055129pm._domainkey.customer.example.customer.example");
	w->results[1].status = STATUS_VERIFIED;
	return w;
}

/* Option 2: the signature exists, not confirmed yet. */
static struct wizard *wizard_option2(void)
{
	struct wizard_config cfg;
	struct wizard *w = xmalloc(sizeof *w);

	config(&cfg);
	wizard_init(w, &cfg);
	w->option = OPTION_ADDRESS;
	w->step = STEP_CONFIRM;
	field_set(&w->address_email, "Jane@Customer.example");
	field_set(&w->address_name, "Jane Customer");
	str_copy(w->address_normalized, sizeof w->address_normalized, "Jane@customer.example");
	w->signature.exists = true;
	str_copy(w->signature.email, sizeof w->signature.email, "Jane@customer.example");
	str_copy(w->signature.name, sizeof w->signature.name, "Jane Customer");
	return w;
}

/* Option 3: a name with a comma, so the header quotes it. */
static struct wizard *wizard_option3(void)
{
	struct wizard_config cfg;
	struct wizard *w = xmalloc(sizeof *w);

	config(&cfg);
	wizard_init(w, &cfg);
	w->option = OPTION_NAME;
	w->step = STEP_FROM_NAME;
	field_set(&w->from_name, "Jane Customer, Inc.");
	w->from_format = FROM_FORMAT_VIA;
	w->from_address = FROM_ADDRESS_LOCAL;
	return w;
}

/* The whole of a file, or NULL (caller frees). */
static char *slurp(const char *path)
{
	struct buf b = {0};
	if (state_read_file(path, 1u << 22, &b) != BH_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* The number of times needle occurs in s. */
static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	const char *p = s;
	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* Compares text with tests/data/export/<name>.golden (rewrites it when
 * BEHALF_UPDATE_GOLDEN is set). */
static void golden(const char *name, const char *text)
{
	char path[512];
	char *want;
	snprintf(path, sizeof path, "%s/export/%s.golden", BEHALF_TEST_DATA, name);
	if (getenv("BEHALF_UPDATE_GOLDEN")) {
		FILE *fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(text, fp);
		fclose(fp);
		return;
	}
	want = slurp(path);
	if (!want)
		fail_msg("missing %s: run with BEHALF_UPDATE_GOLDEN=1 and review it", path);
	if (strcmp(want, text) != 0) {
		fprintf(stderr, "--- %s differs; got:\n%s\n", path, text);
		free(want);
		fail_msg("%s differs", name);
	}
	free(want);
}

/* Renders w in every format and compares each with its golden file. */
static void golden_all(struct wizard *w, const char *prefix)
{
	int f;
	for (f = 0; f < EXPORT__COUNT; f++) {
		struct buf out = {0};
		char name[128];
		enum bh_err err = export_render(w, (enum export_format)f, &out);
		assert_int_equal(err, BH_OK);
		snprintf(name, sizeof name, "%s.%s", prefix,
			 export_format_extension((enum export_format)f));
		golden(name, out.data);
		buf_free(&out);
	}
	free(w);
}

static void test_golden_option1(void **state)
{
	(void)state;
	golden_all(wizard_option1(), "option1");
}

static void test_golden_option2(void **state)
{
	(void)state;
	golden_all(wizard_option2(), "option2");
}

static void test_golden_option3(void **state)
{
	(void)state;
	golden_all(wizard_option3(), "option3");
}

/* Before the domain step, at an unknown DNS host, with a note and a date. */
static void test_golden_option1_unknown_host(void **state)
{
	struct wizard *w = wizard_option1();
	struct export_options opt = {"Please add these today. Thanks! -- Jane", 1755409889000,
				     false, NULL};
	struct buf out = {0};
	(void)state;
	w->dns_host[0] = '\0';
	memset(w->results, 0, sizeof w->results);
	assert_int_equal(export_render_opts(w, EXPORT_TEXT, &opt, &out), BH_OK);
	golden("option1-unknown-host.txt", out.data);
	buf_reset(&out);
	w->nrecords = 0;
	assert_int_equal(export_render_opts(w, EXPORT_MARKDOWN, &opt, &out), BH_OK);
	golden("option1-no-records.md", out.data);
	buf_free(&out);
	free(w);
}

/* Verified at the ESP: the sheet says it is done, records are kept, not
 * to add; a DNS status not checked yet shows the ESP's word. */
static void test_golden_option1_done(void **state)
{
	struct wizard *w = wizard_option1();
	(void)state;
	w->step = STEP_DONE;
	w->esp_domain.exists = true;
	str_copy(w->esp_domain.name, sizeof w->esp_domain.name, "customer.example");
	/* the ESP verified its two records (the DKIM key and the Return-Path) */
	for (size_t i = 0; i < 2; i++)
		assert_true(resource_add_record(&w->esp_domain, w->records[i].purpose,
						w->records[i].type, w->records[i].name,
						w->records[i].value, true, true));
	memset(w->results, 0, sizeof w->results);
	w->results[1].status = STATUS_VERIFIED;
	golden_all(w, "option1-done");
}

/* Option 2, the link clicked: done, no instructions to click it. */
static void test_golden_option2_confirmed(void **state)
{
	struct wizard *w = wizard_option2();
	struct buf out = {0};
	(void)state;
	w->signature.confirmed = true;
	assert_int_equal(export_render(w, EXPORT_TEXT, &out), BH_OK);
	golden("option2-confirmed.txt", out.data);
	assert_null(strstr(out.data, "click the confirmation link"));
	buf_free(&out);
	free(w);
}

/* The email to a teammate: addressed to them, the note first, then the
 * sheet (text and HTML are its two parts). */
static void test_golden_email(void **state)
{
	struct export_options opt = {"Hi Pat, could you add these today? Thanks, Jane",
				     1755409889000, true, "jane@customer.example"};
	struct wizard *w = wizard_option1();
	struct buf out = {0};
	const char *note, *sheet;
	(void)state;
	assert_int_equal(export_render_opts(w, EXPORT_TEXT, &opt, &out), BH_OK);
	golden("option1-email.txt", out.data);
	note = strstr(out.data, "could you add these today");
	sheet = strstr(out.data, "Email set-up instructions for customer.example\n");
	assert_non_null(note);
	assert_non_null(sheet);
	assert_true(note < sheet);
	assert_int_equal(count(out.data, "could you add these today"), 1);
	buf_reset(&out);
	assert_int_equal(export_render_opts(w, EXPORT_HTML, &opt, &out), BH_OK);
	golden("option1-email.html", out.data);
	buf_free(&out);
	free(w);
	/* option 2 before the confirmation email went out: not "sent" */
	w = wizard_option2();
	w->signature.exists = false;
	assert_int_equal(export_render_opts(w, EXPORT_TEXT, &opt, &out), BH_OK);
	golden("option2-email.txt", out.data);
	assert_non_null(strstr(out.data, "is about to"));
	assert_null(strstr(out.data, "Postmark sent"));
	buf_reset(&out);
	free(w);
	w = wizard_option3();
	opt.note = NULL;
	assert_int_equal(export_render_opts(w, EXPORT_TEXT, &opt, &out), BH_OK);
	golden("option3-email.txt", out.data);
	buf_free(&out);
	free(w);
}

static void test_formats(void **state)
{
	enum export_format f;
	int i;
	(void)state;
	for (i = 0; i < EXPORT__COUNT; i++) {
		assert_true(export_format_parse(export_format_word((enum export_format)i), &f));
		assert_int_equal(f, i);
		assert_non_null(export_format_extension(f));
		assert_non_null(export_format_mime(f));
	}
	assert_true(export_format_parse("md", &f));
	assert_int_equal(f, EXPORT_MARKDOWN);
	assert_false(export_format_parse("pdf", &f));
	assert_false(export_format_parse("", &f));
	assert_false(export_format_parse(NULL, &f));
	assert_null(export_format_word(EXPORT__COUNT));
}

/* An MX record (a custom MAIL FROM) in every format: the zone line holds
 * the preference then the exchange as an absolute name, the JSON reads
 * back as the same record, the other formats show type and value. */
static void test_mx_row(void **state)
{
	struct wizard *w = wizard_option1();
	struct buf out = {0};
	struct expected_record back[8];
	char domain[RECORD_NAME_MAX], msg[256];
	size_t n = 0;
	int f;
	(void)state;
	set_record(w, 3, PURPOSE_RETURN_PATH, RECORD_TYPE_MX, "bounce.customer.example",
		   "10 feedback-smtp.us-east-1.amazonses.com", true);
	w->nrecords = 4;
	assert_int_equal(export_render(w, EXPORT_ZONE, &out), BH_OK);
	assert_non_null(strstr(out.data, "\nbounce.customer.example. 3600 IN MX 10 "
					 "feedback-smtp.us-east-1.amazonses.com.\n"));
	buf_free(&out);
	assert_int_equal(export_render(w, EXPORT_JSON, &out), BH_OK);
	assert_int_equal(records_json_parse(out.data, out.len, domain, sizeof domain, back, 8, &n,
					    msg, sizeof msg),
			 BH_OK);
	assert_int_equal(n, 4);
	assert_int_equal(back[3].type, RECORD_TYPE_MX);
	assert_string_equal(back[3].name, "bounce.customer.example");
	assert_string_equal(back[3].value, "10 feedback-smtp.us-east-1.amazonses.com");
	buf_free(&out);
	assert_int_equal(export_render(w, EXPORT_CSV, &out), BH_OK);
	assert_non_null(strstr(out.data, ",MX,bounce.customer.example,bounce,"
					 "10 feedback-smtp.us-east-1.amazonses.com,"));
	buf_free(&out);
	for (f = EXPORT_TEXT; f <= EXPORT_HTML; f++) {
		assert_int_equal(export_render(w, (enum export_format)f, &out), BH_OK);
		assert_non_null(strstr(out.data, "MX"));
		assert_non_null(strstr(out.data, "10 feedback-smtp.us-east-1.amazonses.com"));
		buf_free(&out);
	}
	free(w);
}

/* No option chosen: nothing to export. */
static void test_no_option(void **state)
{
	struct wizard_config cfg;
	struct wizard *w = xmalloc(sizeof *w);
	struct buf out = {0};
	(void)state;
	config(&cfg);
	wizard_init(w, &cfg);
	assert_int_equal(export_render(w, EXPORT_TEXT, &out), BH_ERR_INVALID);
	assert_int_equal(export_render(w, EXPORT__COUNT, &out), BH_ERR_INVALID);
	assert_int_equal(export_zone_lines(w, &out), BH_ERR_NOT_FOUND);
	buf_free(&out);
	free(w);
}

/* A limit too small for the sheet is reported, not overrun. */
static void test_limit(void **state)
{
	struct wizard *w = wizard_option1();
	int f;
	(void)state;
	for (f = 0; f < EXPORT__COUNT; f++) {
		struct buf out = {0};
		out.limit = 100;
		assert_int_equal(export_render(w, (enum export_format)f, &out), BH_ERR_TOO_LARGE);
		assert_true(out.len <= 100);
		buf_free(&out);
	}
	free(w);
}

/* ---- hostile input ---- */

/* Every hostile string a wizard can carry, in every option. */
static struct wizard *wizard_hostile(enum wizard_option option)
{
	struct wizard *w = option == OPTION_DOMAIN    ? wizard_option1()
			   : option == OPTION_ADDRESS ? wizard_option2()
						      : wizard_option3();
	struct record_result *r = &w->results[0];

	str_copy(w->cfg.vendor_name, sizeof w->cfg.vendor_name, hostile);
	str_copy(w->cfg.support_contact, sizeof w->cfg.support_contact, hostile);
	str_copy(w->cfg.customer_id, sizeof w->cfg.customer_id, "=cmd|' /C calc'!A0");
	field_set(&w->domain_input, hostile);
	str_copy(w->domain.ascii, sizeof w->domain.ascii, hostile);
	str_copy(w->domain.unicode, sizeof w->domain.unicode, hostile);
	str_copy(w->dns_host, sizeof w->dns_host, "no-such-host\x1b[2J");
	field_set(&w->address_name, hostile);
	str_copy(w->address_normalized, sizeof w->address_normalized, hostile);
	str_copy(w->signature.email, sizeof w->signature.email, hostile);
	field_set(&w->from_name, hostile);
	field_set(&w->from_pattern, hostile);
	str_copy(w->notice, sizeof w->notice, hostile);
	if (option == OPTION_DOMAIN) {
		/* Text from the ESP and from DNS servers. */
		str_copy(w->records[1].value, sizeof w->records[1].value, hostile);
		str_copy(w->records[2].name, sizeof w->records[2].name, hostile);
		set_record(w, 3, PURPOSE_SPF, RECORD_TYPE_TXT, "customer.example",
			   "=cmd|' /C calc'!A0\"\\", false);
		w->nrecords = 4;
		r->status = STATUS_MISMATCH;
		r->ndiagnoses = 2;
		r->diagnoses[0].code = DIAG_VALUE_MISMATCH;
		str_copy(r->diagnoses[0].arg, sizeof r->diagnoses[0].arg, hostile);
		str_copy(r->diagnoses[0].arg2, sizeof r->diagnoses[0].arg2, hostile);
		r->diagnoses[1].code = DIAG_QUOTED_VALUE;
		str_copy(r->diagnoses[1].arg2, sizeof r->diagnoses[1].arg2, "```\n<b>x</b>");
		r->nservers = 1;
		str_copy(r->seen[0], sizeof r->seen[0], hostile);
		str_copy(r->servers[0], sizeof r->servers[0], hostile);
	}
	return w;
}

/* No control character (but LF, and CR before LF in CSV), no DEL, no C1
 * control, no bidi override anywhere in s. */
static void assert_no_controls(const char *s, bool crlf, const char *what)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++) {
		bool ok_ctl = *p == '\n' || (crlf && *p == '\r' && p[1] == '\n');
		if ((*p < 0x20 && !ok_ctl) || *p == 0x7f)
			fail_msg("%s: control 0x%02x at %zu", what, *p,
				 (size_t)(p - (const unsigned char *)s));
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
			fail_msg("%s: C1 control at %zu", what,
				 (size_t)(p - (const unsigned char *)s));
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
			fail_msg("%s: bidi override at %zu", what,
				 (size_t)(p - (const unsigned char *)s));
		if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
			fail_msg("%s: bidi isolate at %zu", what,
				 (size_t)(p - (const unsigned char *)s));
	}
}

/* HTML: no tag, attribute or entity from the text. */
static void check_html(const char *s)
{
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "<b>"));
	assert_non_null(strstr(s, "&lt;script&gt;"));
	assert_non_null(strstr(s, "&quot;q&quot;"));
	assert_null(strstr(s, "href"));
	assert_null(strstr(s, " src="));
	assert_int_equal(count(s, "<html"), 1);
	assert_int_equal(count(s, "</html>"), 1);
}

/* Markdown: outside fenced blocks and code spans, every markup character
 * of the hostile text is escaped. */
static void check_markdown(const char *s)
{
	const char *line = s;
	size_t fence = 0;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *t = line;
		size_t ticks = 0;
		while (*t == ' ')
			t++;
		while (t[ticks] == '`')
			ticks++;
		if (ticks >= 3 && (fence == 0 || ticks == fence)) {
			fence = fence ? 0 : ticks;
		} else if (!fence) {
			char *copy = xstrndup(line, len);
			size_t i;
			bool in_code = false;
			/* a block quote of ours (the note of an email) may open the line */
			for (i = strncmp(copy, "> ", 2) == 0 ? 2 : 0; copy[i]; i++) {
				if (copy[i] == '\\' && copy[i + 1]) {
					i++;
					continue;
				}
				if (copy[i] == '`') {
					while (copy[i + 1] == '`')
						i++;
					in_code = !in_code;
					continue;
				}
				if (!in_code && strchr("<>[]|~&", copy[i]) && copy[i])
					fail_msg("markdown: unescaped '%c' in: %s", copy[i], copy);
			}
			free(copy);
		}
		line += len + (nl ? 1 : 0);
	}
	assert_int_equal(fence, 0);
	assert_non_null(strstr(s, "\\<script\\>"));
}

/* Splits one CSV record at *p (RFC 4180) into cells[]; returns how many,
 * advancing *p past its CRLF. */
static size_t csv_parse_row(const char **p, char cells[][2048], size_t max)
{
	size_t n = 0;
	const char *s = *p;
	for (;;) {
		size_t len = 0;
		if (*s == '"') {
			s++;
			for (;;) {
				assert_true(*s != '\0');
				if (s[0] == '"' && s[1] == '"') {
					cells[n][len++] = '"';
					s += 2;
				} else if (s[0] == '"') {
					s++;
					break;
				} else {
					cells[n][len++] = *s++;
				}
			}
		} else {
			while (*s && *s != ',' && *s != '\r') {
				assert_true(*s != '"' && *s != '\n');
				cells[n][len++] = *s++;
			}
		}
		cells[n++][len] = '\0';
		assert_true(n <= max);
		if (*s == ',') {
			s++;
			continue;
		}
		assert_true(s[0] == '\r' && s[1] == '\n');
		*p = s + 2;
		return n;
	}
}

/* CSV: every row has 7 cells and none starts with a formula character. */
static void check_csv(const char *s, size_t rows_expected)
{
	static char cells[8][2048];
	const char *p = s;
	size_t rows = 0, i, n;
	while (*p) {
		n = csv_parse_row(&p, cells, 8);
		assert_int_equal(n, 7);
		for (i = 0; i < n; i++)
			if (cells[i][0] && strchr("=+-@\t\r", cells[i][0]))
				fail_msg("csv: cell starts with a formula: %s", cells[i]);
		rows++;
	}
	assert_int_equal(rows, rows_expected);
	if (rows > 1)
		assert_non_null(strstr(s, "'=cmd|' /C calc'!A0"));
}

/* Zone: every line is a comment or one whole record; quotes balance. */
static void check_zone(const char *s)
{
	const char *line = s;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		assert_non_null(nl);
		if (line[0] != ';') {
			size_t i, quotes = 0;
			assert_non_null(strstr(line, " 3600 IN "));
			for (i = 0; i < len; i++) {
				if (line[i] == '\\') {
					i++;
					continue;
				}
				if (line[i] == '"')
					quotes++;
				assert_true(line[i] != ';' || quotes % 2 == 1);
				assert_true((unsigned char)line[i] >= 0x20 &&
					    (unsigned char)line[i] < 0x7f);
			}
			assert_int_equal(quotes % 2, 0);
		}
		line += len + 1;
	}
}

/* JSON: parses, and carries the (sanitized) text. */
static void check_json(const char *s)
{
	json_error_t e;
	json_t *root = json_loads(s, 0, &e);
	if (!root)
		fail_msg("json: %s at line %d", e.text, e.line);
	assert_true(json_is_array(json_object_get(root, "records")));
	json_decref(root);
}

static void hostile_option(enum wizard_option option)
{
	struct wizard *w = wizard_hostile(option);
	struct export_options opt = {hostile, 1755409889000, true, hostile};
	int f;
	for (f = 0; f < EXPORT__COUNT; f++) {
		struct buf out = {0};
		const char *what = export_format_word((enum export_format)f);
		assert_int_equal(export_render_opts(w, (enum export_format)f, &opt, &out), BH_OK);
		assert_no_controls(out.data, f == EXPORT_CSV, what);
		assert_null(strstr(out.data, "\x1b"));
		switch (f) {
		case EXPORT_HTML:
			check_html(out.data);
			break;
		case EXPORT_MARKDOWN:
			check_markdown(out.data);
			break;
		case EXPORT_CSV:
			check_csv(out.data, option == OPTION_DOMAIN ? 5 : 1);
			break;
		case EXPORT_ZONE:
			check_zone(out.data);
			if (option == OPTION_DOMAIN)
				assert_non_null(strstr(out.data, "\\\"\\\\\""));
			break;
		case EXPORT_JSON:
			check_json(out.data);
			break;
		default:
			break;
		}
		buf_free(&out);
	}
	free(w);
}

static void test_hostile_option1(void **state)
{
	(void)state;
	hostile_option(OPTION_DOMAIN);
}

static void test_hostile_option2(void **state)
{
	(void)state;
	hostile_option(OPTION_ADDRESS);
}

static void test_hostile_option3(void **state)
{
	(void)state;
	hostile_option(OPTION_NAME);
}

/* ---- Domain Connect's one-click offer ---- */

/* An apply link as dcoffer.c signs it (values escaped, sig and key last). */
static const char dc_url[] =
    "https://dash.cloudflare.example/v2/domainTemplates/providers/acmehelp.example/services/"
    "postmark/apply?domain=customer.example&host=&dkimselector=20250817055129pm&dkimvalue=k%3Drsa"
    "%3B%20p%3DMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4hvxcoo8xpwWFw9lLbr2XEqL1tf"
    "&returnpathvalue=pm.mtasv.net&key=_dck1&sig=Ab%2Bc%2Fd%3D%3D";
static const char dc_url_html[] =
    "https://dash.cloudflare.example/v2/domainTemplates/providers/acmehelp.example/services/"
    "postmark/apply?domain=customer.example&amp;host=&amp;dkimselector=20250817055129pm&amp;"
    "dkimvalue=k%3Drsa";
static const char dc_panel[] = "https://dash.cloudflare.example/?to=/:account/:zone/dns";

/* Option 1 with the offer of kind for customer.example at Cloudflare. */
static struct wizard *wizard_dc(enum wizard_dc_kind kind, const char *url)
{
	struct wizard *w = wizard_option1();
	w->dc.kind = kind;
	str_copy(w->dc.domain, sizeof w->dc.domain, "customer.example");
	str_copy(w->dc.provider, sizeof w->dc.provider, "Cloudflare");
	str_copy(w->dc.url, sizeof w->dc.url, url);
	return w;
}

/* w rendered in f with opt (caller frees). */
static char *render(const struct wizard *w, enum export_format f, const struct export_options *opt)
{
	struct buf out = {0};
	assert_int_equal(export_render_opts(w, f, opt, &out), BH_OK);
	return buf_steal(&out);
}

/* The apply link, in every format as the person running the DNS wants it:
 * before the records, the URL whole on a line of its own, a link in
 * Markdown and HTML (with its QR code), an object in JSON, a comment in
 * the zone file; the CSV stays one row per record. */
static void test_oneclick_every_format(void **state)
{
	struct wizard *w = wizard_dc(WIZARD_DC_APPLY, dc_url);
	struct wizard *plain = wizard_option1();
	char *text, *md, *html, *zone, *csv, *csv_plain, *js, *line;
	json_t *root, *dc;
	(void)state;

	text = render(w, EXPORT_TEXT, NULL);
	assert_non_null(strstr(text, "\nQuicker: let Cloudflare add them\n"));
	assert_non_null(strstr(text, "sign in to Cloudflare and approve"));
	line = xmalloc(strlen(dc_url) + 3);
	snprintf(line, strlen(dc_url) + 3, "\n%s\n", dc_url);
	assert_non_null(strstr(text, line)); /* alone on its line, never wrapped */
	assert_true(strstr(text, "Quicker:") < strstr(text, "Where to add them"));
	assert_true(strstr(text, "Quicker:") < strstr(text, "1. DKIM key"));
	free(line);

	md = render(w, EXPORT_MARKDOWN, NULL);
	assert_non_null(strstr(md, "## Quicker: let Cloudflare add them\n"));
	line = xmalloc(strlen(dc_url) + 5);
	snprintf(line, strlen(dc_url) + 5, "\n<%s>\n", dc_url);
	assert_non_null(strstr(md, line)); /* an autolink */
	assert_true(strstr(md, "Quicker:") < strstr(md, "### 1\\. DKIM key"));
	free(line);

	html = render(w, EXPORT_HTML, NULL);
	assert_non_null(strstr(html, "<h2>Quicker: let Cloudflare add them</h2>"));
	assert_non_null(strstr(html, "<a href=\"https://dash.cloudflare.example/"));
	assert_non_null(strstr(html, dc_url_html)); /* escaped as an attribute value */
	assert_non_null(strstr(html, ">Set up customer.example at Cloudflare</a>"));
	assert_int_equal(count(html, "<svg"), 2); /* the link's QR code and the records' */
	assert_non_null(strstr(html, "Scan to open the link on a phone."));
	assert_true(strstr(html, "<a href") < strstr(html, "1. DKIM key"));
	assert_int_equal(count(html, "href="), 1);

	js = render(w, EXPORT_JSON, NULL);
	root = json_loads(js, 0, NULL);
	assert_non_null(root);
	dc = json_object_get(root, "domain_connect");
	assert_true(json_is_object(dc));
	assert_string_equal(json_string_value(json_object_get(dc, "kind")), "apply");
	assert_string_equal(json_string_value(json_object_get(dc, "provider")), "Cloudflare");
	assert_string_equal(json_string_value(json_object_get(dc, "url")), dc_url);
	assert_int_equal(json_array_size(json_object_get(root, "records")), 3);
	json_decref(root);
	{
		/* behalf check still reads it */
		struct expected_record recs[WIZARD_MAX_RECORDS];
		char domain[256], msg[256];
		size_t n = 0;
		assert_int_equal(records_json_parse(js, strlen(js), domain, sizeof domain, recs,
						    WIZARD_MAX_RECORDS, &n, msg, sizeof msg),
				 BH_OK);
		assert_int_equal(n, 3);
	}

	zone = render(w, EXPORT_ZONE, NULL);
	line = xmalloc(strlen(dc_url) + 64);
	snprintf(line, strlen(dc_url) + 64, "\n; Quicker: let Cloudflare add them: %s\n", dc_url);
	assert_non_null(strstr(zone, line));
	free(line);
	check_zone(zone);

	/* CSV: one row per record, nothing else (a spreadsheet or an importer
	 * would read any other row as a record) */
	csv = render(w, EXPORT_CSV, NULL);
	csv_plain = render(plain, EXPORT_CSV, NULL);
	assert_string_equal(csv, csv_plain);

	free(text);
	free(md);
	free(html);
	free(js);
	free(zone);
	free(csv);
	free(csv_plain);
	free(plain);
	golden_all(w, "option1-oneclick");
}

/* The DNS host's control panel when it cannot apply the records itself;
 * the demo's pretend link says so; no QR code when the sheet has none. */
static void test_oneclick_panel_and_demo(void **state)
{
	struct wizard *w = wizard_dc(WIZARD_DC_CONTROL_PANEL, dc_panel);
	struct export_options noqr = {NULL, 0, false, NULL};
	char *text, *md, *html, *js;
	json_t *root;
	(void)state;

	text = render(w, EXPORT_TEXT, NULL);
	golden("option1-panel.txt", text);
	assert_non_null(strstr(text, "\nYour DNS settings at Cloudflare\n"));
	assert_null(strstr(text, "Quicker"));
	md = render(w, EXPORT_MARKDOWN, NULL);
	golden("option1-panel.md", md);
	html = render(w, EXPORT_HTML, &noqr);
	assert_non_null(strstr(html, ">The DNS settings of customer.example at Cloudflare</a>"));
	assert_int_equal(count(html, "<svg"), 0);
	js = render(w, EXPORT_JSON, NULL);
	root = json_loads(js, 0, NULL);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "domain_connect"), "kind")),
	    "control_panel");
	json_decref(root);
	free(text);
	free(md);
	free(html);
	free(js);

	w->dc.kind = WIZARD_DC_APPLY;
	w->dc.demo = true;
	text = render(w, EXPORT_TEXT, NULL);
	assert_non_null(strstr(text, "In this demo the link leads nowhere: Cloudflare is pretend"));
	free(text);
	free(w);
}

/* No offer shown: for another domain, once the records are in, or a link
 * that is not an https URL of plain URL characters (a DNS host's settings
 * are untrusted): then every format is the sheet without it. */
static void test_oneclick_not_shown(void **state)
{
	static const char *const bad[] = {
	    "javascript:alert(1)",
	    "http://dash.cloudflare.example/apply?domain=customer.example",
	    "https://dash.example/\"><script>alert(1)</script>",
	    "https://dash.example/a b",
	    "https://dash.example/<x>",
	    "https://dash.example/\x1b[2J",
	    "https://",
	};
	size_t i, v;
	int f;
	(void)state;
	for (v = 0; v < 3 + sizeof bad / sizeof bad[0]; v++) {
		struct wizard *w = wizard_dc(WIZARD_DC_APPLY, dc_url);
		struct wizard *plain = wizard_option1();
		if (v == 0) {
			str_copy(w->dc.domain, sizeof w->dc.domain, "other.example");
		} else if (v == 1) {
			for (i = 0; i < w->nrecords; i++)
				w->results[i].status = STATUS_VERIFIED;
			memcpy(plain->results, w->results, sizeof w->results);
		} else if (v == 2) {
			w->dc.kind = WIZARD_DC_NONE;
		} else {
			str_copy(w->dc.url, sizeof w->dc.url, bad[v - 3]);
		}
		for (f = 0; f < EXPORT__COUNT; f++) {
			char *got = render(w, (enum export_format)f, NULL);
			char *want = render(plain, (enum export_format)f, NULL);
			if (strcmp(got, want) != 0)
				fail_msg("case %zu, %s: the offer shows", v,
					 export_format_word((enum export_format)f));
			free(got);
			free(want);
		}
		free(w);
		free(plain);
	}
}

/* The email to a teammate carries the link too, and says so first. */
static void test_oneclick_email(void **state)
{
	struct export_options opt = {"Hi Pat, could you add these today? Thanks, Jane",
				     1755409889000, true, "jane@customer.example"};
	struct wizard *w = wizard_dc(WIZARD_DC_APPLY, dc_url);
	char *text, *html;
	(void)state;
	text = render(w, EXPORT_TEXT, &opt);
	golden("option1-oneclick-email.txt", text);
	assert_non_null(strstr(text, "Quicker: Cloudflare can add them for you"));
	assert_true(strstr(text, "Quicker: Cloudflare can add them") <
		    strstr(text, "Quicker: let Cloudflare add them"));
	assert_non_null(strstr(text, dc_url));
	html = render(w, EXPORT_HTML, &opt);
	assert_non_null(strstr(html, dc_url_html));
	assert_non_null(strstr(html, "Quicker: Cloudflare can add them for you"));
	free(text);
	free(html);
	free(w);
}

/* A DNS host's name is text from the network: escaped like any other. */
static void test_oneclick_hostile_provider(void **state)
{
	struct wizard *w = wizard_dc(WIZARD_DC_APPLY, dc_url);
	int f;
	(void)state;
	str_copy(w->dc.provider, sizeof w->dc.provider,
		 "Eve <script>x</script> [l](http://x) \x1b[2J");
	for (f = 0; f < EXPORT__COUNT; f++) {
		char *out = render(w, (enum export_format)f, NULL);
		assert_no_controls(out, f == EXPORT_CSV, export_format_word((enum export_format)f));
		if (f == EXPORT_HTML) {
			assert_null(strstr(out, "<script"));
			assert_non_null(strstr(out, "let Eve &lt;script&gt;x&lt;/script&gt;"));
			assert_int_equal(count(out, "href="), 1);
		} else if (f == EXPORT_MARKDOWN) {
			assert_non_null(strstr(out, "let Eve \\<script\\>x\\</script\\> \\[l\\]"));
		} else if (f == EXPORT_JSON) {
			check_json(out);
		} else if (f == EXPORT_ZONE) {
			check_zone(out);
		}
		free(out);
	}
	free(w);
}

/* ---- zone lines and QR codes ---- */

static void test_zone_split(void **state)
{
	struct wizard *w = wizard_option1();
	struct buf out = {0};
	const char *line, *q;
	(void)state;
	assert_int_equal(export_zone_lines(w, &out), BH_OK);
	line = out.data;
	assert_true(
	    strncmp(line, "20250817055129pm._domainkey.customer.example. 3600 IN TXT \"", 59) == 0);
	/* The first character-string holds exactly 255 characters. */
	q = strchr(line, '"') + 1;
	assert_true(strncmp(q + 255, "\" \"", 3) == 0);
	assert_non_null(
	    strstr(out.data, "pm-bounces.customer.example. 3600 IN CNAME pm.mtasv.net.\n"));
	assert_non_null(
	    strstr(out.data, "_dmarc.customer.example. 3600 IN TXT \"v=DMARC1; p=none;\"\n"));
	buf_free(&out);
	free(w);
}

/* Parses half-block text back into modules (1 = light) and checks the
 * quiet zone and the finder patterns. */
static void test_qr_halfblocks(void **state)
{
	struct buf out = {0}, ascii = {0};
	int width, height, cols, rows, size;
	(void)state;
	assert_int_equal(
	    qr_render_halfblocks("pm-bounces.customer.example", false, &out, &width, &height),
	    BH_OK);
	assert_int_equal(qr_text_size("pm-bounces.customer.example", false, &cols, &rows), BH_OK);
	assert_int_equal(cols, width);
	assert_int_equal(rows, height);
	size = width;
	assert_int_equal(height, (size + 1) / 2);
	assert_int_equal(count(out.data, "\n"), (size_t)height);
	/* The first two rows are quiet zone: all light (full blocks). */
	assert_true(strncmp(out.data, "\u2588\u2588\u2588\u2588", 12) == 0);
	assert_int_equal(
	    qr_render_halfblocks("pm-bounces.customer.example", true, &ascii, &width, &height),
	    BH_OK);
	assert_int_equal(width, 2 * size);
	assert_int_equal(height, size);
	assert_int_equal(qr_text_size("", false, &cols, &rows), BH_ERR_INVALID);
	buf_free(&out);
	buf_free(&ascii);
}

static void test_qr_too_large(void **state)
{
	char *big = xmalloc(4000);
	struct buf out = {0};
	int cols, rows;
	(void)state;
	memset(big, 'x', 3999);
	big[3999] = '\0';
	assert_int_equal(qr_text_size(big, false, &cols, &rows), BH_ERR_TOO_LARGE);
	assert_int_equal(qr_render_svg(big, &out), BH_ERR_TOO_LARGE);
	free(big);
	buf_free(&out);
}

static void test_qr_dkim_fits_80_columns(void **state)
{
	int cols, rows;
	(void)state;
	assert_int_equal(qr_text_size(dkim_value, false, &cols, &rows), BH_OK);
	assert_true(cols <= 80);
}

static void test_qr_svg(void **state)
{
	struct buf out = {0};
	(void)state;
	assert_int_equal(qr_render_svg("hello", &out), BH_OK);
	assert_true(strncmp(out.data, "<svg ", 5) == 0);
	assert_non_null(strstr(out.data, "</svg>"));
	assert_null(strstr(out.data, "http"));
	buf_free(&out);
}

static void test_title_and_file_name(void **state)
{
	struct wizard *w = wizard_option1();
	char title[256], name[128];
	(void)state;
	export_title(w, title, sizeof title);
	assert_string_equal(title, "Email set-up instructions for customer.example");
	export_file_name(w, EXPORT_MARKDOWN, name, sizeof name);
	assert_string_equal(name, "behalf-customer.example.md");
	w->option = OPTION_NAME;
	str_copy(w->cfg.customer_id, sizeof w->cfg.customer_id, "../Evil Co/x");
	export_file_name(w, EXPORT_HTML, name, sizeof name);
	assert_string_equal(name, "behalf----evil-co-x.html");
	w->option = OPTION_NONE;
	export_title(w, title, sizeof title);
	assert_string_equal(title, "");
	free(w);
}

/* OSC 52: base64 of the sanitized text between ESC ] 52 ; c ; and BEL. */
static void test_osc52(void **state)
{
	struct buf out = {0};
	(void)state;
	assert_int_equal(export_osc52("pm.mtasv.net", &out), BH_OK);
	assert_string_equal(out.data, "\033]52;c;cG0ubXRhc3YubmV0\a");
	buf_reset(&out);
	assert_int_equal(export_osc52("a\x07\x1b]b", &out), BH_OK);
	assert_string_equal(out.data, "\033]52;c;YT8/XWI=\a");
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_option1),
	    cmocka_unit_test(test_golden_option2),
	    cmocka_unit_test(test_golden_option3),
	    cmocka_unit_test(test_golden_option1_unknown_host),
	    cmocka_unit_test(test_golden_option1_done),
	    cmocka_unit_test(test_golden_option2_confirmed),
	    cmocka_unit_test(test_golden_email),
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_mx_row),
	    cmocka_unit_test(test_no_option),
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_hostile_option1),
	    cmocka_unit_test(test_hostile_option2),
	    cmocka_unit_test(test_hostile_option3),
	    cmocka_unit_test(test_oneclick_every_format),
	    cmocka_unit_test(test_oneclick_panel_and_demo),
	    cmocka_unit_test(test_oneclick_not_shown),
	    cmocka_unit_test(test_oneclick_email),
	    cmocka_unit_test(test_oneclick_hostile_provider),
	    cmocka_unit_test(test_zone_split),
	    cmocka_unit_test(test_qr_halfblocks),
	    cmocka_unit_test(test_qr_too_large),
	    cmocka_unit_test(test_qr_dkim_fits_80_columns),
	    cmocka_unit_test(test_qr_svg),
	    cmocka_unit_test(test_title_and_file_name),
	    cmocka_unit_test(test_osc52),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
