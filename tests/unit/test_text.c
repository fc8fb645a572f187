/* Words from assets/: lookup, placeholders, and that every text file stays
 * readable by libinih (lines under 200 characters). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/assets.h"
#include "core/text.h"

static void test_lookup_and_missing(void **state)
{
	(void)state;
	assert_true(text_has("app.title"));
	assert_string_equal(text_get("app.title"), "behalf");
	assert_false(text_has("nope.nothing"));
	assert_string_equal(text_get("nope.nothing"), "[nope.nothing]");
}

static void test_format(void **state)
{
	char out[64];
	const char *args[] = {"a.example", "ns2"};
	(void)state;
	assert_int_equal(text_format(out, sizeof out, "{1} lags on {2}{3}.", args, 2), 22);
	assert_string_equal(out, "a.example lags on ns2.");
	/* truncation never overflows and reports the full length */
	assert_int_equal(text_format(out, 5, "{1}", args, 2), 9);
	assert_string_equal(out, "a.ex");
}

static void test_continuation_lines(void **state)
{
	const char *usage;
	(void)state;
	usage = text_get("cli.usage");
	/* "|" lines start new lines and keep their blanks */
	assert_non_null(strstr(usage, "\n       behalf -h | --help"));
	assert_null(strstr(usage, "\n|"));
}

/* libinih cuts lines at 200 characters: a longer one would silently break. */
static void test_text_lines_short(void **state)
{
	const struct asset *a;
	(void)state;
	for (a = assets_table; a->path; a++) {
		const char *p = (const char *)a->data, *nl;
		size_t len = strlen(a->path), line = 1;
		if (len < 4 || strcmp(a->path + len - 4, ".ini") != 0)
			continue;
		for (; *p; p = nl + 1, line++) {
			nl = strchr(p, '\n');
			if (!nl)
				nl = p + strlen(p);
			if (nl - p >= 199)
				fail_msg("assets/%s:%zu is %d characters; split it (see text.h)",
					 a->path, line, (int)(nl - p));
			if (!*nl)
				break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup_and_missing),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_continuation_lines),
	    cmocka_unit_test(test_text_lines_short),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	text_free();
	return rc;
}
