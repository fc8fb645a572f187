/* Drawing helpers shared by the screens: UTF-8 text clipped and wrapped by
 * display width, text fields, key hints, boxes, styles and the symbols with
 * their ASCII fallback.  Nothing here reads keys or the model. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "core/sanitize.h"
#include "core/text.h"

static bool draw_ascii;
static bool draw_color;
static bool cursor_set;
static int cursor_y, cursor_x;

static const char *const glyph_utf8[GLYPH__COUNT] = {
    [GLYPH_CHECK] = "✓",   [GLYPH_CROSS] = "✗",	    [GLYPH_WAIT] = "…",	    [GLYPH_BULLET] = "•",
    [GLYPH_POINTER] = "›", [GLYPH_SEPARATOR] = "›", [GLYPH_HLINE] = "─",    [GLYPH_VLINE] = "│",
    [GLYPH_CORNER] = "┼",  [GLYPH_ELLIPSIS] = "…",  [GLYPH_RADIO_ON] = "◉", [GLYPH_RADIO_OFF] = "○",
    [GLYPH_LEFT] = "◂",	   [GLYPH_RIGHT] = "▸",	    [GLYPH_DOT] = "·",
};

static const char *const glyph_ascii[GLYPH__COUNT] = {
    [GLYPH_CHECK] = "[+]",  [GLYPH_CROSS] = "[!]",    [GLYPH_WAIT] = "[.]",
    [GLYPH_BULLET] = "*",   [GLYPH_POINTER] = ">",    [GLYPH_SEPARATOR] = ">",
    [GLYPH_HLINE] = "-",    [GLYPH_VLINE] = "|",      [GLYPH_CORNER] = "+",
    [GLYPH_ELLIPSIS] = "~", [GLYPH_RADIO_ON] = "(*)", [GLYPH_RADIO_OFF] = "( )",
    [GLYPH_LEFT] = "<",	    [GLYPH_RIGHT] = ">",      [GLYPH_DOT] = "-",
};

void ui_draw_setup(bool ascii, bool color)
{
	draw_ascii = ascii;
	draw_color = color;
	if (color) {
		use_default_colors();
		init_pair(STYLE_TITLE, COLOR_WHITE, COLOR_BLUE);
		init_pair(STYLE_DIM, -1, -1);
		init_pair(STYLE_OK, COLOR_GREEN, -1);
		init_pair(STYLE_WARN, COLOR_YELLOW, -1);
		init_pair(STYLE_ERROR, COLOR_RED, -1);
		init_pair(STYLE_SELECTED, COLOR_BLACK, COLOR_CYAN);
		init_pair(STYLE_KEY, COLOR_CYAN, -1);
	}
}

bool ui_ascii(void)
{
	return draw_ascii;
}

const char *ui_glyph(enum ui_glyph g)
{
	if ((unsigned)g >= GLYPH__COUNT)
		return "?";
	return draw_ascii ? glyph_ascii[g] : glyph_utf8[g];
}

/* The attributes of a style: colour when allowed, else bold/reverse (vt100). */
static attr_t style_attr(enum ui_style s)
{
	static const attr_t mono[STYLE__COUNT] = {
	    [STYLE_TITLE] = A_REVERSE,
	    [STYLE_DIM] = A_DIM,
	    [STYLE_OK] = A_BOLD,
	    [STYLE_WARN] = A_BOLD,
	    [STYLE_ERROR] = A_BOLD | A_UNDERLINE,
	    [STYLE_SELECTED] = A_REVERSE,
	    [STYLE_KEY] = A_BOLD,
	};
	if ((unsigned)s >= STYLE__COUNT || s == STYLE_NORMAL)
		return A_NORMAL;
	if (!draw_color)
		return mono[s];
	switch (s) {
	case STYLE_TITLE:
		return COLOR_PAIR(s) | A_BOLD;
	case STYLE_DIM:
		return A_DIM;
	case STYLE_ERROR:
	case STYLE_KEY:
		return COLOR_PAIR(s) | A_BOLD;
	default:
		return COLOR_PAIR(s);
	}
}

void ui_style_on(enum ui_style s)
{
	attron(style_attr(s));
}

void ui_style_off(enum ui_style s)
{
	attroff(style_attr(s));
}

/* Characters that must not reach the terminal as they are. */
static bool draw_is_unsafe(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0xfeff;
}

/* Decodes the character at s (n bytes left): its length (at least 1), the
 * code point to draw ('?' for anything unsafe) and its width in columns. */
static size_t draw_next(const char *s, size_t n, wchar_t *wc, int *width)
{
	unsigned cp = '?';
	size_t len = utf8_decode((const unsigned char *)s, n, &cp);
	int w;
	if (!len) {
		len = 1;
		cp = '?';
	}
	if (draw_is_unsafe(cp) || (draw_ascii && cp >= 0x80))
		cp = '?';
	w = wcwidth((wchar_t)cp);
	if (w < 0) {
		cp = '?';
		w = 1;
	}
	*wc = (wchar_t)cp;
	*width = w;
	return len;
}

/* Columns of bytes [s, s+n), stopping at a newline. */
static int draw_span_width(const char *s, size_t n)
{
	int cols = 0;
	while (n && *s != '\n') {
		wchar_t wc;
		int w;
		size_t len = draw_next(s, n, &wc, &w);
		cols += w;
		s += len;
		n -= len;
	}
	return cols;
}

/* Draws bytes [s, s+n) at (y, x) up to width columns (stops at a newline);
 * returns columns drawn.  Zero-width characters go with the one before. */
static int draw_span(int y, int x, int width, const char *s, size_t n)
{
	wchar_t buf[256];
	size_t nb = 0;
	int cols = 0;
	if (width <= 0)
		return 0;
	move(y, x);
	while (n && *s != '\n') {
		wchar_t wc;
		int w;
		size_t len = draw_next(s, n, &wc, &w);
		if (cols + w > width)
			break;
		if (nb == sizeof buf / sizeof buf[0] - 1) {
			addnwstr(buf, (int)nb);
			nb = 0;
		}
		buf[nb++] = wc;
		cols += w;
		s += len;
		n -= len;
	}
	if (nb)
		addnwstr(buf, (int)nb);
	return cols;
}

int ui_width(const char *utf8)
{
	return utf8 ? draw_span_width(utf8, strlen(utf8)) : 0;
}

int ui_print(int y, int x, int width, const char *utf8)
{
	if (!utf8)
		return 0;
	return draw_span(y, x, width, utf8, strlen(utf8));
}

int ui_print_fit(int y, int x, int width, const char *utf8)
{
	const char *dots = ui_glyph(GLYPH_ELLIPSIS);
	int dw = ui_width(dots), used;
	if (!utf8)
		return 0;
	if (ui_width(utf8) <= width)
		return ui_print(y, x, width, utf8);
	if (width <= dw)
		return ui_print(y, x, width, dots);
	used = ui_print(y, x, width - dw, utf8);
	return used + ui_print(y, x + used, dw, dots);
}

/* Finds the end of the next row of s (n bytes) at width: the byte count to
 * draw and the count to skip (the row plus the blank it broke at). */
static void wrap_row(const char *s, size_t n, int width, bool words, size_t *draw, size_t *skip)
{
	size_t i = 0, last_blank = 0;
	bool have_blank = false;
	int cols = 0;
	while (i < n && s[i] != '\n') {
		wchar_t wc;
		int w;
		size_t len = draw_next(s + i, n - i, &wc, &w);
		if (cols + w > width)
			break;
		if (s[i] == ' ' && words) {
			last_blank = i;
			have_blank = true;
		}
		cols += w;
		i += len;
	}
	if (i >= n || s[i] == '\n') {
		*draw = i;
		*skip = i < n ? i + 1 : i;
		return;
	}
	if (s[i] == ' ' && words) {
		*draw = i;
		*skip = i + 1;
	} else if (have_blank && last_blank > 0) {
		*draw = last_blank;
		*skip = last_blank + 1;
	} else {
		*draw = i;
		*skip = i ? i : 1; /* a character wider than the row: skip it */
	}
}

/* Wraps s into rows; draws them when draw is true; returns rows used. */
static int wrap_text(int y, int x, int width, int max_rows, const char *s, bool draw, bool words)
{
	size_t n = strlen(s);
	int rows = 0;
	if (width <= 0)
		return 0;
	while (n && rows < max_rows) {
		size_t d, k;
		wrap_row(s, n, width, words, &d, &k);
		if (draw) {
			if (rows == max_rows - 1 && k < n) {
				char row[1024];
				size_t m = d < sizeof row - 1 ? d : sizeof row - 1;
				memcpy(row, s, m);
				row[m] = '\0';
				/* force the ellipsis: the text goes on past the last row */
				if (ui_width(row) + ui_width(ui_glyph(GLYPH_ELLIPSIS)) > width) {
					ui_print_fit(y + rows, x, width, s);
				} else {
					int used = draw_span(y + rows, x, width, s, d);
					ui_print(y + rows, x + used, width - used,
						 ui_glyph(GLYPH_ELLIPSIS));
				}
			} else {
				draw_span(y + rows, x, width, s, d);
			}
		}
		rows++;
		s += k;
		n -= k;
	}
	return rows;
}

int ui_wrap(int y, int x, int width, int max_rows, const char *utf8)
{
	if (!utf8 || max_rows <= 0)
		return 0;
	return wrap_text(y, x, width, max_rows, utf8, true, true);
}

int ui_wrap_chars(int y, int x, int width, int max_rows, const char *utf8)
{
	if (!utf8 || max_rows <= 0)
		return 0;
	return wrap_text(y, x, width, max_rows, utf8, true, false);
}

int ui_wrap_rows(int width, const char *utf8)
{
	if (!utf8)
		return 0;
	return wrap_text(0, 0, width, 1 << 20, utf8, false, true);
}

int ui_text(int y, int x, int width, int max_rows, const char *id, const char *a1, const char *a2,
	    const char *a3)
{
	char buf[2048];
	text_fmt(buf, sizeof buf, id, a1, a2, a3);
	return ui_wrap(y, x, width, max_rows, buf);
}

int ui_keys(int y, int x, int width, const char *spec)
{
	int used = 0;
	const char *p = spec;
	while (p && *p && used < width) {
		const char *end = strchr(p, '|'), *colon;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int need;
		colon = memchr(p, ':', n);
		if (!colon || colon == p)
			colon = p + n;
		need = draw_span_width(p, n) + (used ? 2 : 0);
		if (used + need > width)
			break;
		if (used)
			used += 2;
		ui_style_on(STYLE_KEY);
		used += draw_span(y, x + used, width - used, p, (size_t)(colon - p));
		ui_style_off(STYLE_KEY);
		if (colon < p + n) {
			used += ui_print(y, x + used, 1, " ");
			used += draw_span(y, x + used, width - used, colon + 1,
					  (size_t)(p + n - colon - 1));
		}
		p = end ? end + 1 : NULL;
	}
	return used;
}

int ui_keys_width(const char *spec)
{
	int cols = 0;
	const char *p = spec;
	while (p && *p) {
		const char *end = strchr(p, '|');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		/* "KEY:label" is drawn "KEY label": same width */
		cols += draw_span_width(p, n) + (cols ? 2 : 0);
		p = end ? end + 1 : NULL;
	}
	return cols;
}

void ui_box(int y, int x, int height, int width)
{
	int i;
	if (height < 2 || width < 2)
		return;
	for (i = 0; i < height; i++)
		mvhline(y + i, x, ' ', width);
	for (i = 1; i < width - 1; i++) {
		ui_print(y, x + i, 1, ui_glyph(GLYPH_HLINE));
		ui_print(y + height - 1, x + i, 1, ui_glyph(GLYPH_HLINE));
	}
	for (i = 1; i < height - 1; i++) {
		ui_print(y + i, x, 1, ui_glyph(GLYPH_VLINE));
		ui_print(y + i, x + width - 1, 1, ui_glyph(GLYPH_VLINE));
	}
	ui_print(y, x, 1, draw_ascii ? "+" : "┌");
	ui_print(y, x + width - 1, 1, draw_ascii ? "+" : "┐");
	ui_print(y + height - 1, x, 1, draw_ascii ? "+" : "└");
	ui_print(y + height - 1, x + width - 1, 1, draw_ascii ? "+" : "┘");
}

bool ui_cursor_get(int *y, int *x)
{
	if (cursor_set) {
		*y = cursor_y;
		*x = cursor_x;
	}
	return cursor_set;
}

void ui_cursor_reset(void)
{
	cursor_set = false;
}

int ui_field(int y, int x, int width, const char *label, const struct field *f, bool focused)
{
	return ui_field_as(y, x, width, label, f, focused, NULL);
}

int ui_field_as(int y, int x, int width, const char *label, const struct field *f, bool focused,
		const char *kind)
{
	const char *s = f->text;
	size_t start = 0, len = f->len < FIELD_CAP ? f->len : FIELD_CAP - 1;
	size_t cur = f->cursor <= len ? f->cursor : len;
	int lw = 0, bw, before, rows;
	if (label && *label) {
		if (focused)
			ui_style_on(STYLE_KEY);
		lw = ui_print(y, x, width, label) + 1;
		if (focused)
			ui_style_off(STYLE_KEY);
	}
	bw = width - lw;
	if (bw < 4)
		bw = 4;
	/* scroll so that the cursor stays inside the box */
	before = draw_span_width(s, cur);
	while (before > bw - 1 && start < cur) {
		wchar_t wc;
		int w;
		start += draw_next(s + start, len - start, &wc, &w);
		before -= w;
	}
	ui_style_on(focused ? STYLE_SELECTED : STYLE_DIM);
	if (!focused)
		attron(A_UNDERLINE);
	mvhline(y, x + lw, ' ', bw);
	draw_span(y, x + lw, bw, s + start, len - start);
	if (!focused)
		attroff(A_UNDERLINE);
	ui_style_off(focused ? STYLE_SELECTED : STYLE_DIM);
	if (focused) {
		cursor_set = true;
		cursor_y = y;
		cursor_x = x + lw + before;
		/* the cursor cell, visible even where the terminal hides the cursor */
		mvchgat(y, cursor_x, 1, A_NORMAL, 0, NULL);
	}
	if (f->error != INPUT_OK) {
		char id[96], buf[512], *p;
		snprintf(id, sizeof id, "input.%s_%s", kind ? kind : "",
			 input_error_word(f->error));
		for (p = id + 6; *p; p++)
			if (*p == '-')
				*p = '_';
		if (!kind || !text_has(id))
			snprintf(id, sizeof id, "input.%s", input_error_word(f->error));
		text_fmt(buf, sizeof buf, id, f->error_detail, NULL, NULL);
		ui_style_on(STYLE_ERROR);
		rows = ui_wrap(y + 1, x + lw, width - lw, 3, buf);
		ui_style_off(STYLE_ERROR);
		return 1 + rows;
	}
	return 1;
}
