/* The enrollment screen's keys (ui/screen_enroll.c), as a customer types
 * an invite code over SSH: the code goes into the field, Enter tries it
 * only when something was typed, and the ways out leave at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ui.h"

#define CTRL(c) ((c)&0x1f)

static enum ui_action key(struct ui_enroll *e, wint_t code)
{
	struct ui_key k = {code, false};
	return screen_enroll_key(e, &k);
}

static void type(struct ui_enroll *e, const char *s)
{
	for (; *s; s++)
		assert_int_equal(key(e, (wint_t)(unsigned char)*s), ACTION_REDRAW);
}

static void test_code_typed_then_enter(void **state)
{
	struct ui_enroll e;
	(void)state;
	memset(&e, 0, sizeof e);
	/* Enter on an empty field tries nothing */
	assert_int_equal(key(&e, '\r'), ACTION_STAY);
	type(&e, "7kq2-m9xd");
	assert_string_equal(e.code.text, "7kq2-m9xd");
	/* Backspace edits; letters such as q are typed, not commands */
	assert_int_equal(key(&e, 0x7f), ACTION_REDRAW);
	type(&e, "d-4hte-w3pa");
	assert_string_equal(e.code.text, "7kq2-m9xd-4hte-w3pa");
	assert_int_equal(key(&e, '\r'), ACTION_NEXT);
	assert_int_equal(key(&e, '\n'), ACTION_NEXT);
}

static void test_ways_out(void **state)
{
	struct ui_enroll e;
	(void)state;
	memset(&e, 0, sizeof e);
	type(&e, "abc");
	assert_int_equal(key(&e, CTRL('c')), ACTION_QUIT);
	assert_int_equal(key(&e, CTRL('q')), ACTION_QUIT);
	assert_int_equal(key(&e, 27), ACTION_QUIT);
	assert_string_equal(e.code.text, "abc"); /* nothing typed was lost on the way */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_typed_then_enter),
	    cmocka_unit_test(test_ways_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
