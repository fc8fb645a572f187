/* Option 3, the custom From name: name, format, address, and a live preview
 * of the From line as people see it, with the exact header under it. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

#define FROM_LABEL_W  10
#define FOCUS_NAME    0
#define FOCUS_FORMAT  1
#define FOCUS_PATTERN 2
#define FOCUS_ADDRESS 3

/* A control's label, highlighted when it has the focus. */
static void from_label(int y, const char *label, bool focused)
{
	ui_print(y, 0, 1, focused ? ui_glyph(GLYPH_POINTER) : " ");
	ui_style_on(focused ? STYLE_KEY : STYLE_NORMAL);
	ui_print(y, 2, FROM_LABEL_W - 1, label);
	ui_style_off(focused ? STYLE_KEY : STYLE_NORMAL);
}

/* A choice row: label, "◂ value ▸" when focused, and a note after it. */
static void from_choice(int y, int width, const char *label, const char *value, const char *note,
			bool focused)
{
	int x = 2 + FROM_LABEL_W;
	from_label(y, label, focused);
	x += ui_print(y, x, 2, focused ? ui_glyph(GLYPH_LEFT) : " ") + 1;
	ui_style_on(focused ? STYLE_SELECTED : STYLE_NORMAL);
	x += ui_print(y, x, width - x, value);
	ui_style_off(focused ? STYLE_SELECTED : STYLE_NORMAL);
	x += ui_print(y, x + 1, 2, focused ? ui_glyph(GLYPH_RIGHT) : " ") + 2;
	if (note && *note) {
		ui_style_on(STYLE_DIM);
		ui_print_fit(y, x + 1, width - x - 1, note);
		ui_style_off(STYLE_DIM);
	}
}

/* The From line as a mail program shows it: the name as typed, decoded. */
static int from_shown_rows(int y, int rows, const char *display, const char *address)
{
	char shown[FROM_DISPLAY_MAX + EMAIL_MAX + 4];
	fromhdr_shown(display, address, shown, sizeof shown);
	ui_style_on(STYLE_SELECTED);
	attron(A_BOLD);
	rows = ui_wrap(y, 4, COLS - 6, rows, shown);
	attroff(A_BOLD);
	ui_style_off(STYLE_SELECTED);
	return rows;
}

/* Rows the shown line and the header take (as drawn below). */
static int from_preview_rows(const char *display, const char *address, const char *header)
{
	char shown[FROM_DISPLAY_MAX + EMAIL_MAX + 4];
	int shown_rows, header_rows;
	fromhdr_shown(display, address, shown, sizeof shown);
	shown_rows = ui_wrap_rows(COLS - 6, shown);
	header_rows = ui_wrap_rows(COLS - 2, header);
	return (shown_rows < 2 ? shown_rows : 2) + (header_rows < 3 ? header_rows : 3);
}

/* The header as it goes on the wire, each folded line on its own row from
 * column 2 (a line has up to 78 characters). */
static int from_header_rows(int y, int rows, const char *header)
{
	char buf[FROM_HEADER_MAX];
	size_t i, n = 0;
	for (i = 0; header[i] && n < sizeof buf - 1; i++)
		if (header[i] != '\r')
			buf[n++] = header[i];
	buf[n] = '\0';
	ui_style_on(STYLE_DIM);
	rows = ui_wrap(y, 2, COLS - 2, rows, buf);
	ui_style_off(STYLE_DIM);
	return rows;
}

static void screen_from_name_draw(const struct wizard *w, const struct ui_view *v, int top,
				  int height)
{
	int width = COLS - 4 < 100 ? COLS - 4 : 100, y = top, fw = width < 70 ? width : 70;
	char display[FROM_DISPLAY_MAX], address[EMAIL_MAX], header[FROM_HEADER_MAX], id[64];
	char choice[256], warning[1024];
	int spare;
	(void)v;
	wizard_from_preview(w, display, sizeof display, address, sizeof address, header,
			    sizeof header);
	y += ui_text(y, 2, width, 2, "from.intro", w->cfg.vendor_name, NULL, NULL) + 1;
	from_label(y, text_get("from.name"), w->from_focus == FOCUS_NAME);
	y += ui_field_as(y, 2 + FROM_LABEL_W, fw - FROM_LABEL_W, NULL, &w->from_name,
			 w->from_focus == FOCUS_NAME, "name");
	snprintf(id, sizeof id, "from.format%d", (int)w->from_format);
	text_fmt(choice, sizeof choice, id, w->cfg.vendor_name, NULL, NULL);
	from_choice(y++, width, text_get("from.format"), choice, NULL,
		    w->from_focus == FOCUS_FORMAT);
	if (w->from_format == FROM_FORMAT_CUSTOM) {
		from_label(y, text_get("from.pattern"), w->from_focus == FOCUS_PATTERN);
		y += ui_field_as(y, 2 + FROM_LABEL_W, fw - FROM_LABEL_W, NULL, &w->from_pattern,
				 w->from_focus == FOCUS_PATTERN, NULL);
	}
	snprintf(id, sizeof id, "from.address%d", (int)w->from_address);
	from_choice(y++, width, text_get("from.address"), text_get(id), address,
		    w->from_focus == FOCUS_ADDRESS);
	/* The warning whole: the blank rows around the preview go first when
	 * the screen is short (an error under a field takes rows). */
	text_fmt(warning, sizeof warning, "from.warning", w->cfg.vendor_name, w->cfg.vendor_domain,
		 NULL);
	spare = top + height - y - 1 - from_preview_rows(display, address, header) -
		ui_wrap_rows(width, warning);
	y += spare > 0;
	ui_style_on(STYLE_DIM);
	ui_print(y++, 2, width, text_get("from.preview"));
	ui_style_off(STYLE_DIM);
	y += from_shown_rows(y, 2, display, address);
	y += from_header_rows(y, 3, header);
	y += spare > 1;
	ui_style_on(STYLE_WARN);
	ui_wrap(y, 2, width, top + height - y, warning);
	ui_style_off(STYLE_WARN);
}

/* Moves focus to the next (dir 1) or previous (-1) control, skipping the
 * pattern unless the format is custom. */
static void from_focus_move(struct wizard *w, int dir)
{
	do
		w->from_focus = (w->from_focus + dir + 4) % 4;
	while (w->from_focus == FOCUS_PATTERN && w->from_format != FROM_FORMAT_CUSTOM);
}

static enum ui_action screen_from_name_key(struct wizard *w, const struct ui_key *k)
{
	bool fn = k->is_function;
	int dir = 0;
	if ((fn && k->code == KEY_DOWN) || (!fn && k->code == '\t')) {
		from_focus_move(w, 1);
		return ACTION_REDRAW;
	}
	if (fn && (k->code == KEY_UP || k->code == KEY_BTAB)) {
		from_focus_move(w, -1);
		return ACTION_REDRAW;
	}
	if (w->from_focus == FOCUS_NAME)
		return ui_field_key(&w->from_name, k);
	if (w->from_focus == FOCUS_PATTERN)
		return ui_field_key(&w->from_pattern, k);
	if ((fn && k->code == KEY_LEFT) || (!fn && k->code == 'h'))
		dir = -1;
	else if ((fn && k->code == KEY_RIGHT) || (!fn && (k->code == 'l' || k->code == ' ')))
		dir = 1;
	if (!dir)
		return ACTION_NONE;
	if (w->from_focus == FOCUS_FORMAT)
		w->from_format = (enum from_format)(
		    ((int)w->from_format + dir + FROM_FORMAT__COUNT) % FROM_FORMAT__COUNT);
	else
		w->from_address = (enum from_address)(
		    ((int)w->from_address + dir + FROM_ADDRESS__COUNT) % FROM_ADDRESS__COUNT);
	w->dirty = true;
	return ACTION_REDRAW;
}

static bool screen_from_name_typing(const struct wizard *w)
{
	return w->from_focus == FOCUS_NAME || w->from_focus == FOCUS_PATTERN;
}

const struct screen screen_from_name = {
    .name = "from-name",
    .draw = screen_from_name_draw,
    .key = screen_from_name_key,
    .typing = screen_from_name_typing,
    .footer = "footer.from_name",
};
