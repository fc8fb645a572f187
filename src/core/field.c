#include "core/field.h"

#include <string.h>

#include "core/sanitize.h"

/* Characters a one-line field never holds: C0 and C1 controls and DEL. */
static bool field_is_control(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

/* Start of the character that ends at byte offset pos. */
static size_t field_prev(const struct field *f, size_t pos)
{
	if (!pos)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)f->text[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

/* Byte offset just past the character at pos. */
static size_t field_next(const struct field *f, size_t pos)
{
	unsigned cp;
	size_t len;
	if (pos >= f->len)
		return f->len;
	len = utf8_decode((const unsigned char *)f->text + pos, f->len - pos, &cp);
	return pos + (len ? len : 1);
}

static void field_changed(struct field *f)
{
	f->error = INPUT_OK;
	f->error_detail[0] = '\0';
}

/* Removes bytes [from, to) and puts the cursor at from. */
static void field_cut(struct field *f, size_t from, size_t to)
{
	memmove(f->text + from, f->text + to, f->len - to + 1);
	f->len -= to - from;
	f->cursor = from;
	field_changed(f);
}

void field_set(struct field *f, const char *text)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	size_t n = strlen((const char *)p);
	f->len = 0;
	/* Keeps whole, printable characters only, as many as fit. */
	while (n) {
		unsigned cp;
		size_t len = utf8_decode(p, n, &cp);
		if (!len) {
			p++;
			n--;
			continue;
		}
		if (!field_is_control(cp)) {
			if (f->len + len >= FIELD_CAP)
				break;
			memcpy(f->text + f->len, p, len);
			f->len += len;
		}
		p += len;
		n -= len;
	}
	f->text[f->len] = '\0';
	f->cursor = f->len;
	field_changed(f);
}

bool field_insert(struct field *f, const char *utf8, size_t n)
{
	size_t i = 0;
	if (!n || f->len + n >= FIELD_CAP)
		return false;
	while (i < n) {
		unsigned cp;
		size_t len = utf8_decode((const unsigned char *)utf8 + i, n - i, &cp);
		if (!len || field_is_control(cp))
			return false;
		i += len;
	}
	memmove(f->text + f->cursor + n, f->text + f->cursor, f->len - f->cursor + 1);
	memcpy(f->text + f->cursor, utf8, n);
	f->len += n;
	f->cursor += n;
	field_changed(f);
	return true;
}

bool field_backspace(struct field *f)
{
	if (!f->cursor)
		return false;
	field_cut(f, field_prev(f, f->cursor), f->cursor);
	return true;
}

bool field_delete(struct field *f)
{
	if (f->cursor >= f->len)
		return false;
	field_cut(f, f->cursor, field_next(f, f->cursor));
	return true;
}

bool field_left(struct field *f)
{
	if (!f->cursor)
		return false;
	f->cursor = field_prev(f, f->cursor);
	return true;
}

bool field_right(struct field *f)
{
	if (f->cursor >= f->len)
		return false;
	f->cursor = field_next(f, f->cursor);
	return true;
}

void field_home(struct field *f)
{
	f->cursor = 0;
}

void field_end(struct field *f)
{
	f->cursor = f->len;
}

void field_kill_to_start(struct field *f)
{
	if (f->cursor)
		field_cut(f, 0, f->cursor);
}

/* A blank between words (a field holds no tabs: they are controls). */
static bool field_is_blank(char c)
{
	return c == ' ';
}

bool field_kill_word(struct field *f)
{
	size_t from = f->cursor;
	if (!from)
		return false;
	while (from > 0 && field_is_blank(f->text[from - 1]))
		from--;
	/* bytes of a multi-byte character are never blanks: no character is split */
	while (from > 0 && !field_is_blank(f->text[from - 1]))
		from--;
	field_cut(f, from, f->cursor);
	return true;
}

/* Code points in the first n bytes of the text. */
static size_t field_count(const struct field *f, size_t n)
{
	size_t pos = 0, chars = 0;
	while (pos < n) {
		pos = field_next(f, pos);
		chars++;
	}
	return chars;
}

size_t field_chars(const struct field *f)
{
	return field_count(f, f->len);
}

size_t field_cursor_chars(const struct field *f)
{
	return field_count(f, f->cursor);
}

void field_set_error(struct field *f, enum input_error err, const char *detail)
{
	f->error = err;
	f->error_detail[0] = '\0';
	if (detail)
		sanitize_text(detail, f->error_detail, sizeof f->error_detail);
}
