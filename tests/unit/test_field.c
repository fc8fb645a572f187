/* Typing in a one-line field: what the customer sees move and change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/field.h"

static void type(struct field *f, const char *s)
{
	assert_true(field_insert(f, s, strlen(s)));
}

static void test_typing_and_cursor(void **state)
{
	struct field f;
	(void)state;
	memset(&f, 0, sizeof f);
	field_set(&f, "");
	type(&f, "b");
	type(&f, "ü");
	type(&f, "cher.example");
	assert_string_equal(f.text, "bücher.example");
	assert_int_equal(field_chars(&f), 14);
	assert_int_equal(f.len, 15);

	/* The cursor moves over ü as one character. */
	field_home(&f);
	assert_int_equal(field_cursor_chars(&f), 0);
	assert_false(field_left(&f));
	assert_true(field_right(&f));
	assert_true(field_right(&f));
	assert_int_equal(f.cursor, 3);
	assert_int_equal(field_cursor_chars(&f), 2);
	assert_true(field_left(&f));
	assert_int_equal(f.cursor, 1);

	/* Delete removes ü whole; typing puts it back where the cursor is. */
	assert_true(field_delete(&f));
	assert_string_equal(f.text, "bcher.example");
	type(&f, "ü");
	assert_string_equal(f.text, "bücher.example");
	assert_int_equal(f.cursor, 3);

	/* Backspace before the cursor, also over a multi-byte character. */
	assert_true(field_backspace(&f));
	assert_string_equal(f.text, "bcher.example");
	assert_int_equal(f.cursor, 1);

	field_end(&f);
	assert_false(field_right(&f));
	assert_false(field_delete(&f));
	assert_true(field_backspace(&f));
	assert_string_equal(f.text, "bcher.exampl");
}

static void test_kill_to_start(void **state)
{
	struct field f;
	(void)state;
	memset(&f, 0, sizeof f);
	field_set(&f, "https://shop.example");
	field_home(&f);
	for (int i = 0; i < 8; i++)
		assert_true(field_right(&f));
	field_kill_to_start(&f);
	assert_string_equal(f.text, "shop.example");
	assert_int_equal(f.cursor, 0);
	assert_false(field_backspace(&f));
}

/* Ctrl-U in the middle keeps what follows the cursor; at the start it does
 * nothing. */
static void test_kill_to_start_middle_and_start(void **state)
{
	struct field f;
	(void)state;
	memset(&f, 0, sizeof f);
	field_set(&f, "Jane Doe");
	field_kill_to_start(&f);
	assert_string_equal(f.text, "");
	field_set(&f, "Jane Doe");
	field_home(&f);
	field_kill_to_start(&f);
	assert_string_equal(f.text, "Jane Doe");
	assert_int_equal(f.cursor, 0);
}

/* Ctrl-W: the word before the cursor goes, with the spaces after it; what
 * follows the cursor stays; a word of several-byte characters goes whole. */
static void test_kill_word(void **state)
{
	struct field f;
	(void)state;
	memset(&f, 0, sizeof f);
	field_set(&f, "Jane Müller  ");
	assert_true(field_kill_word(&f));
	assert_string_equal(f.text, "Jane ");
	assert_int_equal(f.cursor, 5);
	assert_true(field_kill_word(&f));
	assert_string_equal(f.text, "");
	assert_false(field_kill_word(&f));

	/* In the middle: only the part of the word before the cursor. */
	field_set(&f, "Bäckerei Jane Doe");
	field_home(&f);
	for (int i = 0; i < 11; i++)
		assert_true(field_right(&f));
	assert_true(field_kill_word(&f));
	assert_string_equal(f.text, "Bäckerei ne Doe");
	assert_int_equal(field_cursor_chars(&f), 9);
	assert_true(field_kill_word(&f));
	assert_string_equal(f.text, "ne Doe");
	assert_int_equal(f.cursor, 0);
	assert_false(field_kill_word(&f));
	assert_string_equal(f.text, "ne Doe");

	/* A domain or an address is one word. */
	field_set(&f, "mail.acme.example");
	field_set_error(&f, INPUT_SINGLE_LABEL, "x");
	assert_true(field_kill_word(&f));
	assert_string_equal(f.text, "");
	assert_int_equal(f.error, INPUT_OK);
}

static void test_refuses_bad_input(void **state)
{
	struct field f;
	char big[FIELD_CAP];
	(void)state;
	memset(&f, 0, sizeof f);
	field_set(&f, "jane");
	assert_false(field_insert(&f, "\x1b[2J", 4));
	assert_false(field_insert(&f, "\n", 1));
	assert_false(field_insert(&f, "\xc3", 1));     /* half a character */
	assert_false(field_insert(&f, "\xc2\x9b", 2)); /* C1 CSI */
	assert_false(field_insert(&f, "", 0));
	assert_string_equal(f.text, "jane");

	/* Fills up to the cap, then refuses without changing anything. */
	memset(big, 'x', sizeof big);
	field_set(&f, "");
	assert_true(field_insert(&f, big, FIELD_CAP - 1));
	assert_int_equal(f.len, FIELD_CAP - 1);
	assert_false(field_insert(&f, "y", 1));
	assert_int_equal(f.len, FIELD_CAP - 1);
	assert_int_equal(f.text[FIELD_CAP - 1], '\0');
}

static void test_set_keeps_whole_characters(void **state)
{
	struct field f;
	char big[FIELD_CAP * 2];
	(void)state;
	memset(&f, 0, sizeof f);
	/* 600 bytes of "é": only whole characters are kept, under the cap. */
	for (size_t i = 0; i + 1 < sizeof big; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof big - 1] = '\0';
	field_set(&f, big);
	assert_true(f.len < FIELD_CAP);
	assert_int_equal(f.len % 2, 0);
	assert_int_equal(field_chars(&f), f.len / 2);
	assert_int_equal(f.cursor, f.len);

	field_set(&f, "a\tb\x01"
		      "c");
	assert_string_equal(f.text, "abc");
}

static void test_editing_clears_error(void **state)
{
	struct field f;
	(void)state;
	memset(&f, 0, sizeof f);
	field_set(&f, "gmail.com");
	field_set_error(&f, INPUT_FREEMAIL, "gmail.com");
	assert_int_equal(f.error, INPUT_FREEMAIL);
	assert_string_equal(f.error_detail, "gmail.com");
	/* Moving does not clear it; changing the text does. */
	assert_true(field_left(&f));
	assert_int_equal(f.error, INPUT_FREEMAIL);
	type(&f, "x");
	assert_int_equal(f.error, INPUT_OK);
	assert_string_equal(f.error_detail, "");

	field_set_error(&f, INPUT_BAD_CHARACTER, "_");
	assert_true(field_backspace(&f));
	assert_int_equal(f.error, INPUT_OK);

	/* A detail with an escape sequence is made harmless. */
	field_set_error(&f, INPUT_BAD_CHARACTER, "\x1b[31m");
	assert_null(strchr(f.error_detail, '\x1b'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_typing_and_cursor),
	    cmocka_unit_test(test_kill_to_start),
	    cmocka_unit_test(test_kill_to_start_middle_and_start),
	    cmocka_unit_test(test_kill_word),
	    cmocka_unit_test(test_refuses_bad_input),
	    cmocka_unit_test(test_set_keeps_whole_characters),
	    cmocka_unit_test(test_editing_clears_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
