/* A one-line text field: what the customer typed, kept in the model so that
 * Back, a switch of option or a restart shows it again exactly. */
#ifndef BEHALF_CORE_FIELD_H
#define BEHALF_CORE_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/validate.h"

#define FIELD_CAP 512 /* bytes of UTF-8, with NUL */

struct field {
	char text[FIELD_CAP];	/* UTF-8 as typed */
	size_t len;		/* bytes used */
	size_t cursor;		/* byte offset, always on a character boundary */
	enum input_error error; /* shown at the field until the text changes */
	char error_detail[128]; /* the offending part, for the message */
};

/* Replaces the text (cursor at the end, error cleared). */
void field_set(struct field *f, const char *text);
/* Inserts UTF-8 at the cursor; false (nothing changed) when it would not fit
 * or is not valid UTF-8 or holds a control character. */
bool field_insert(struct field *f, const char *utf8, size_t n);
/* Deletes the character before the cursor; false when at the start. */
bool field_backspace(struct field *f);
/* Deletes the character under the cursor; false at the end. */
bool field_delete(struct field *f);
/* Cursor one character left / right; false when it cannot move. */
bool field_left(struct field *f);
bool field_right(struct field *f);
void field_home(struct field *f);
void field_end(struct field *f);
/* Deletes from the start to the cursor (Ctrl-U). */
void field_kill_to_start(struct field *f);
/* Deletes the word before the cursor and the blanks after it, as Ctrl-W does
 * in a shell (words end at spaces); false when at the start. */
bool field_kill_word(struct field *f);
/* Number of characters (code points) in the text. */
size_t field_chars(const struct field *f);
/* Number of characters before the cursor. */
size_t field_cursor_chars(const struct field *f);
/* Sets the error shown at the field. */
void field_set_error(struct field *f, enum input_error err, const char *detail);

#endif
