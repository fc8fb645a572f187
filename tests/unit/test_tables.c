/* The tables (issue 9, item 4): what defines a step, a request and a
 * diagnosis is one row each, and an incomplete row fails here (the
 * diagnosis catalog: test_record's test_catalog_complete). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/record.h"
#include "core/text.h"
#include "core/wizard.h"
#include "ui.h"

static void test_steps_and_requests_complete(void **state)
{
	char msg[256] = "";
	(void)state;
	if (!wizard_tables_complete(msg, sizeof msg))
		fail_msg("%s", msg);
}

/* Each step has its screen (ui/screens.c), named as the step, that draws
 * and says its keys, and the step indicator has its name. */
static void test_screen_per_step(void **state)
{
	int s;
	(void)state;
	for (s = 0; s < STEP__COUNT; s++) {
		const struct screen *sc = ui_screens[s];
		const char *word = wizard_step_word((enum wizard_step)s);
		char id[64];
		if (!sc)
			fail_msg("step %s has no screen in ui/screens.c", word);
		if (!sc->name || strcmp(sc->name, word) != 0)
			fail_msg("step %s has the screen %s", word, sc->name ? sc->name : "(none)");
		if (!sc->draw)
			fail_msg("screen %s draws nothing", word);
		snprintf(id, sizeof id, "steps.%s", word);
		if (!text_has(id))
			fail_msg("step %s has no name in the step indicator (%s)", word, id);
		if (!sc->footer || !text_has(sc->footer))
			fail_msg("screen %s has no footer text (%s)", word,
				 sc->footer ? sc->footer : "none");
	}
}

/* The lookups follow the rows. */
static void test_lookups(void **state)
{
	int r, creates = 0;
	(void)state;
	assert_int_equal(wizard_step_option(STEP_RECORDS), OPTION_DOMAIN);
	assert_int_equal(wizard_step_option(STEP_CONFIRM), OPTION_ADDRESS);
	assert_int_equal(wizard_step_option(STEP_SWITCH), OPTION_NONE);
	assert_int_equal(wizard_step_def(STEP_RECORDS)->waits_on, RES_DOMAIN);
	assert_null(wizard_step_def(STEP__COUNT));
	assert_null(wizard_request_def(REQ__COUNT));
	for (r = 0; r < REQ__COUNT; r++)
		creates += wizard_request_def((enum wizard_request)r)->creates;
	/* the domain, the sender signature and the customer's own server */
	assert_int_equal(creates, 3);
	assert_true(wizard_request_def(REQ_SIGNATURE_ENSURE)->creates);
	assert_string_equal(wizard_request_word(REQ_DOMAIN_REMOVE), "domain-remove");
	assert_true(wizard_request_def(REQ_DOMAIN_REMOVE)->removes);
	assert_int_equal(wizard_request_def(REQ_DNS_CHECK)->by, REQ_BY_DNS);
	assert_int_equal(record_diag_def(DIAG_NOT_PROPAGATED)->severity, DIAG_SEVERITY_WAIT);
	assert_int_equal(record_diag_def(DIAG_ZONE_APPENDED)->priority, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_steps_and_requests_complete),
	    cmocka_unit_test(test_screen_per_step),
	    cmocka_unit_test(test_lookups),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	text_free();
	return rc;
}
