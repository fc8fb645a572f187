/* The records JSON: what check --records reads and export writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/records_json.h"

#define DESIGN_EXAMPLE                                                                             \
	"{\"domain\": \"customer.example\",\n"                                                     \
	" \"records\": [\n"                                                                        \
	"  {\"purpose\": \"dkim\", \"type\": \"TXT\",\n"                                           \
	"   \"name\": \"20250817055129pm._domainkey.customer.example\",\n"                         \
	"   \"value\": \"k=rsa;p=MIGfMA0GCSq...IDAQAB\", \"required\": true},\n"                   \
	"  {\"purpose\": \"return-path\", \"type\": \"CNAME\",\n"                                  \
	"   \"name\": \"pm-bounces.customer.example\", \"value\": \"pm.mtasv.net\", "              \
	"\"required\": true},\n"                                                                   \
	"  {\"purpose\": \"dmarc\", \"type\": \"TXT\", \"name\": \"_dmarc.customer.example\",\n"   \
	"   \"value\": \"v=DMARC1; p=none;\", \"required\": false}]}\n"

struct parsed {
	char domain[RECORD_NAME_MAX];
	struct expected_record r[8];
	size_t n;
	char msg[256];
};

static enum bh_err parse(const char *text, struct parsed *p)
{
	memset(p, 0, sizeof *p);
	return records_json_parse(text, strlen(text), p->domain, sizeof p->domain, p->r, 8, &p->n,
				  p->msg, sizeof p->msg);
}

static void test_design_example(void **state)
{
	struct parsed *p = xcalloc(1, sizeof *p);
	(void)state;
	assert_int_equal(parse(DESIGN_EXAMPLE, p), BH_OK);
	assert_string_equal(p->domain, "customer.example");
	assert_int_equal(p->n, 3);
	assert_int_equal(p->r[0].purpose, PURPOSE_DKIM);
	assert_int_equal(p->r[0].type, RECORD_TYPE_TXT);
	assert_string_equal(p->r[0].name, "20250817055129pm._domainkey.customer.example");
	assert_string_equal(p->r[0].value, "k=rsa;p=MIGfMA0GCSq...IDAQAB");
	assert_true(p->r[0].required);
	assert_int_equal(p->r[1].purpose, PURPOSE_RETURN_PATH);
	assert_int_equal(p->r[1].type, RECORD_TYPE_CNAME);
	assert_string_equal(p->r[1].value, "pm.mtasv.net");
	assert_int_equal(p->r[2].purpose, PURPOSE_DMARC);
	assert_false(p->r[2].required);
	free(p);
}

static void test_normalised(void **state)
{
	struct parsed *p = xcalloc(1, sizeof *p);
	(void)state;
	assert_int_equal(
	    parse("{\"domain\":\"Customer.Example.\",\"records\":[{\"purpose\":\"spf\","
		  "\"type\":\"txt\",\"name\":\"Customer.Example.\",\"value\":\"v=spf1 "
		  "~all\"},{\"purpose\":\"return-path\",\"type\":\"cname\",\"name\":"
		  "\"PM-Bounces.customer.example\",\"value\":\"PM.mtasv.net.\"}]}",
		  p),
	    BH_OK);
	assert_string_equal(p->domain, "customer.example");
	assert_string_equal(p->r[0].name, "customer.example");
	assert_true(p->r[0].required); /* left out: required */
	assert_string_equal(p->r[1].name, "pm-bounces.customer.example");
	assert_string_equal(p->r[1].value, "pm.mtasv.net");
	free(p);
}

/* Each broken file: the error and words the message must hold. */
static void test_errors(void **state)
{
	static const struct {
		const char *text;
		enum bh_err err;
		const char *msg;
	} cases[] = {
	    {"", BH_ERR_PARSE, "not valid JSON"},
	    {"{\"domain\":\"x.example\",\"records\":[", BH_ERR_PARSE, "not valid JSON"},
	    {"[1,2]", BH_ERR_PARSE, "domain"},
	    {"{\"records\":[]}", BH_ERR_INVALID, "domain: missing"},
	    {"{\"domain\":5,\"records\":[]}", BH_ERR_INVALID, "domain: not a string"},
	    {"{\"domain\":\"x.example\"}", BH_ERR_INVALID, "records: missing"},
	    {"{\"domain\":\"x.example\",\"records\":{}}", BH_ERR_INVALID, "records: not an array"},
	    {"{\"domain\":\"x.example\",\"records\":[7]}", BH_ERR_PARSE, "records[0]"},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
	     "\"name\":\"a.x.example\",\"value\":\"v\"},{\"purpose\":\"dkim\",\"type\":\"SRV\","
	     "\"name\":\"a.x.example\",\"value\":\"v\"}]}",
	     BH_ERR_INVALID, "records[1].type: unknown type \"SRV\" (TXT, CNAME or MX)"},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"return-path\",\"type\":\"MX\","
	     "\"name\":\"b.x.example\",\"value\":\"mx.example\"}]}",
	     BH_ERR_INVALID, "records[0].value: an MX value is"},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"bimi\",\"type\":\"TXT\","
	     "\"name\":\"a.x.example\",\"value\":\"v\"}]}",
	     BH_ERR_INVALID, "records[0].purpose: unknown purpose \"bimi\""},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
	     "\"value\":\"v\"}]}",
	     BH_ERR_INVALID, "records[0].name: missing"},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
	     "\"name\":\"a.x.example\",\"value\":\"v\",\"required\":\"yes\"}]}",
	     BH_ERR_INVALID, "records[0].required"},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
	     "\"name\":\"a b.x.example\",\"value\":\"v\"}]}",
	     BH_ERR_INVALID, "records[0].name"},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
	     "\"name\":\"a..x.example\",\"value\":\"v\"}]}",
	     BH_ERR_INVALID, "empty label"},
	    {"{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
	     "\"name\":\"a.x.example..\",\"value\":\"v\"}]}",
	     BH_ERR_INVALID, "empty label"},
	    {"{\"domain\":\"x.example\",\"domain\":\"y.example\",\"records\":[]}", BH_ERR_PARSE,
	     "duplicate"},
	};
	struct parsed *p = xcalloc(1, sizeof *p);
	size_t i;
	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum bh_err err = parse(cases[i].text, p);
		if (err != cases[i].err || !strstr(p->msg, cases[i].msg))
			fail_msg("case %zu: err %d, message \"%s\"", i, (int)err, p->msg);
		assert_int_equal(p->n, 0);
	}
	free(p);
}

static void test_name_length(void **state)
{
	struct parsed *p = xcalloc(1, sizeof *p);
	char label[64], name[300], text[600];
	(void)state;
	memset(label, 'a', 63);
	label[63] = '\0';
	/* 4 * 64 - 1 = 255 characters: too long; 253 is the most. */
	snprintf(name, sizeof name, "%s.%s.%s.%s", label, label, label, label);
	snprintf(text, sizeof text,
		 "{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
		 "\"name\":\"%s\",\"value\":\"v\"}]}",
		 name);
	assert_int_equal(parse(text, p), BH_ERR_INVALID);
	assert_non_null(strstr(p->msg, "records[0].name"));
	assert_non_null(strstr(p->msg, "253"));
	name[253] = '\0'; /* "aaa...a.aa": 253 characters */
	snprintf(text, sizeof text,
		 "{\"domain\":\"x.example\",\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\","
		 "\"name\":\"%s.\",\"value\":\"v\"}]}",
		 name);
	assert_int_equal(parse(text, p), BH_OK);
	assert_int_equal(strlen(p->r[0].name), 253);
	free(p);
}

static void test_too_many(void **state)
{
	struct parsed *p = xcalloc(1, sizeof *p);
	struct buf b = {0};
	size_t i;
	(void)state;
	buf_puts(&b, "{\"domain\":\"x.example\",\"records\":[");
	for (i = 0; i < 9; i++)
		buf_printf(&b,
			   "%s{\"purpose\":\"dkim\",\"type\":\"TXT\",\"name\":\"a%zu.x.example\","
			   "\"value\":\"v\"}",
			   i ? "," : "", i);
	buf_puts(&b, "]}");
	assert_int_equal(parse(b.data, p), BH_ERR_TOO_LARGE);
	buf_free(&b);
	free(p);
}

static void test_round_trip(void **state)
{
	struct parsed *p = xcalloc(1, sizeof *p), *q = xcalloc(1, sizeof *q);
	struct record_result *res = xcalloc(3, sizeof *res);
	char *text;
	size_t i;
	(void)state;
	assert_int_equal(parse(DESIGN_EXAMPLE, p), BH_OK);
	text = records_json_write(p->domain, p->r, p->n, NULL);
	assert_null(strstr(text, "\"status\""));
	assert_int_equal(parse(text, q), BH_OK);
	free(text);
	assert_string_equal(q->domain, p->domain);
	assert_int_equal(q->n, p->n);
	for (i = 0; i < p->n; i++) {
		assert_int_equal(q->r[i].purpose, p->r[i].purpose);
		assert_int_equal(q->r[i].type, p->r[i].type);
		assert_string_equal(q->r[i].name, p->r[i].name);
		assert_string_equal(q->r[i].value, p->r[i].value);
		assert_int_equal(q->r[i].required, p->r[i].required);
	}

	/* With results: status and diagnosis codes; still readable. */
	res[0].status = STATUS_VERIFIED;
	res[1].status = STATUS_MISMATCH;
	res[1].ndiagnoses = 1;
	res[1].diagnoses[0].code = DIAG_CNAME_FLATTENED;
	res[2].status = STATUS_MISSING;
	text = records_json_write(p->domain, p->r, p->n, res);
	assert_non_null(strstr(text, "\"status\": \"verified\""));
	assert_non_null(strstr(text, "\"code\": \"cname-flattened\""));
	assert_int_equal(parse(text, q), BH_OK);
	free(text);

	/* A value that is not UTF-8 is written sanitized, not dropped. */
	str_copy(p->r[0].value, sizeof p->r[0].value, "k=rsa;\xff\x1b[31mp=x");
	text = records_json_write(p->domain, p->r, 1, NULL);
	assert_int_equal(parse(text, q), BH_OK);
	assert_null(strchr(q->r[0].value, '\x1b'));
	free(text);
	/* An MX record: "<preference> <exchange>", the exchange normalised. */
	text = records_json_write("x.example",
				  &(struct expected_record){.purpose = PURPOSE_RETURN_PATH,
							    .type = RECORD_TYPE_MX,
							    .name = "bounce.x.example",
							    .value = "10 Feedback-SMTP.example.",
							    .required = true},
				  1, NULL);
	assert_non_null(strstr(text, "\"type\": \"MX\""));
	assert_int_equal(parse(text, q), BH_OK);
	assert_int_equal(q->r[0].type, RECORD_TYPE_MX);
	assert_string_equal(q->r[0].value, "10 feedback-smtp.example");
	free(text);
	free(res);
	free(q);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_design_example), cmocka_unit_test(test_normalised),
	    cmocka_unit_test(test_errors),	   cmocka_unit_test(test_name_length),
	    cmocka_unit_test(test_too_many),	   cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
