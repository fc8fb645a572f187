/* postmark_parse_reply: one answer read alone, as the operation waiting
 * for it reads it (the entry of tests/fuzz/fuzz_postmark_reply.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/text.h"
#include "esp/postmark.h"

static enum bh_err parse(enum postmark_reply what, long status, const char *body,
			 struct esp_reply *out)
{
	return postmark_parse_reply(what, status, body, strlen(body), out);
}

static void test_details(void **state)
{
	struct esp_reply r;

	(void)state;
	assert_int_equal(parse(POSTMARK_REPLY_DOMAIN, 200,
			       "{\"ID\":12,\"Name\":\"customer.example\",\"Unknown\":[1]}", &r),
			 BH_OK);
	assert_true(r.domain.exists);
	assert_string_equal(r.domain.id, "12");
	assert_string_equal(r.domain.name, "customer.example");
	assert_int_equal(parse(POSTMARK_REPLY_SIGNATURE, 200,
			       "{\"ID\":7,\"EmailAddress\":\"jane@customer.example\","
			       "\"Confirmed\":true}",
			       &r),
			 BH_OK);
	assert_true(r.signature.confirmed);
	assert_string_equal(r.signature.id, "7");
	assert_int_equal(parse(POSTMARK_REPLY_SERVER, 200,
			       "{\"ID\":3,\"Name\":\"behalf-customer\",\"ApiTokens\":[\"t-1\"]}",
			       &r),
			 BH_OK);
	assert_string_equal(r.server_id, "3");
	assert_true(r.server_token_set);
	assert_null(strstr(r.message, "t-1"));
	assert_int_equal(parse(POSTMARK_REPLY_EMAIL, 200, "{\"MessageID\":\"abc-1\"}", &r), BH_OK);
	assert_string_equal(r.message, "abc-1");
}

static void test_bad_replies(void **state)
{
	struct esp_reply r;

	(void)state;
	/* A wrong type, a control character in a record, not JSON. */
	assert_int_equal(parse(POSTMARK_REPLY_SIGNATURE, 200, "{\"ID\":\"7\"}", &r), BH_ERR_PARSE);
	assert_non_null(strstr(r.message, "ID"));
	assert_int_equal(
	    parse(POSTMARK_REPLY_DOMAIN, 200,
		  "{\"ID\":5,\"Name\":\"a.example\",\"DKIMPendingHost\":\"x\\u001b[2J\"}", &r),
	    BH_ERR_PARSE);
	assert_int_equal(parse(POSTMARK_REPLY_DOMAIN_LIST, 200, "{\"Domains\": [", &r),
			 BH_ERR_PARSE);
	assert_int_equal(parse(POSTMARK_REPLY_SERVER, 200, "{\"ID\":3,\"Name\":\"s\"}", &r),
			 BH_ERR_PARSE);
	assert_int_equal(parse(POSTMARK_REPLY_EMAIL, 200, "[]", &r), BH_ERR_PARSE);
	assert_int_equal(postmark_parse_reply(POSTMARK_REPLY__COUNT, 200, "", 0, &r),
			 BH_ERR_INVALID);
}

static void test_errors(void **state)
{
	struct esp_reply r;

	(void)state;
	assert_int_equal(
	    parse(POSTMARK_REPLY_DOMAIN, 422, "{\"ErrorCode\":510,\"Message\":\"x\"}", &r),
	    BH_ERR_NOT_FOUND);
	assert_int_equal(r.esp_code, 510);
	assert_int_equal(parse(POSTMARK_REPLY_SIGNATURE, 404, "", &r), BH_ERR_NOT_FOUND);
	assert_int_equal(parse(POSTMARK_REPLY_SIGNATURE, 401, "{\"ErrorCode\":10}", &r),
			 BH_ERR_AUTH);
	assert_string_equal(r.message, postmark_code_text(10));
	assert_int_equal(parse(POSTMARK_REPLY_DOMAIN_LIST, 429, "", &r), BH_ERR_REMOTE);
	assert_int_equal(r.esp_code, 429);
	assert_int_equal(parse(POSTMARK_REPLY_EMAIL, 500, "", &r), BH_ERR_REMOTE);
	assert_int_equal(parse(POSTMARK_REPLY_SIGNATURE, 418, "teapot", &r), BH_ERR_REMOTE);
	assert_non_null(strstr(r.message, "418"));
}

/* Answers after which the operation sends another request. */
static void test_goes_on(void **state)
{
	struct esp_reply r;

	(void)state;
	assert_int_equal(
	    parse(POSTMARK_REPLY_DOMAIN_LIST, 200, "{\"TotalCount\":0,\"Domains\":[]}", &r),
	    BH_ERR_BUSY); /* absent: the create */
	assert_int_equal(
	    parse(POSTMARK_REPLY_DOMAIN_LIST, 200,
		  "{\"TotalCount\":1,\"Domains\":[{\"ID\":4,\"Name\":\"Customer.example\"}]}", &r),
	    BH_ERR_BUSY); /* found: its details */
	assert_int_equal(parse(POSTMARK_REPLY_DOMAIN_CREATE, 422, "{\"ErrorCode\":512}", &r),
			 BH_ERR_BUSY); /* exists: looked up again */
	assert_int_equal(parse(POSTMARK_REPLY_SIGNATURE_CREATE, 422, "{\"ErrorCode\":504}", &r),
			 BH_ERR_BUSY);
	assert_int_equal(
	    parse(POSTMARK_REPLY_SERVER_LIST, 200, "{\"TotalCount\":0,\"Servers\":[]}", &r),
	    BH_ERR_BUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_details),
	    cmocka_unit_test(test_bad_replies),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_goes_on),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	text_free();
	return rc;
}
