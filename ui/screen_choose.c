/* Choose: the three options with their pros and cons, and "help me choose". */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

#include "core/text.h"

#define CHOOSE_ROWS 4 /* three options and "help me choose" */

/* One option: title row (selectable), then its pros and cons. */
static int choose_option(const struct wizard *w, int y, int width, int i, int rows_left)
{
	char id[64], num[16];
	int used = 1, x;
	bool sel = w->choose_cursor == i;
	bool offered = i == 3 || wizard_option_offered(w, (enum wizard_option)(i + 1));
	const char *pointer = sel ? ui_glyph(GLYPH_POINTER) : " ";
	ui_print(y, 1, 1, pointer);
	snprintf(id, sizeof id, "choose.option%d", i + 1);
	snprintf(num, sizeof num, " %d  ", i + 1);
	/* the highlight covers the number and the title only */
	ui_style_on(sel ? STYLE_SELECTED : offered ? STYLE_KEY : STYLE_DIM);
	x = 2 + ui_print(y, 2, 6, num);
	x += ui_print(y, x, width - 6, text_get(id));
	x += ui_print(y, x, 1, " ");
	ui_style_off(sel ? STYLE_SELECTED : offered ? STYLE_KEY : STYLE_DIM);
	if (i == 0) {
		ui_style_on(STYLE_OK);
		ui_print(y, x + 1, 3 + width - x - 1, text_get("choose.recommended"));
		ui_style_off(STYLE_OK);
	}
	if ((int)w->option == i + 1) {
		ui_style_on(STYLE_DIM);
		ui_print(y, 3 + width - ui_width(text_get("choose.current")),
			 ui_width(text_get("choose.current")), text_get("choose.current"));
		ui_style_off(STYLE_DIM);
	}
	if (i == 3) {
		snprintf(id, sizeof id, "choose.help_desc");
		ui_style_on(STYLE_DIM);
		used += ui_text(y + 1, 6, width - 3, rows_left - 1, id, NULL, NULL, NULL);
		ui_style_off(STYLE_DIM);
		return used;
	}
	if (!offered) {
		/* the ESP cannot do it: said instead of its pros and cons */
		ui_style_on(STYLE_DIM);
		used += ui_text(y + used, 8, width - 5, 2, "choose.option2_unavailable",
				w->cfg.esp_name, NULL, NULL);
		ui_style_off(STYLE_DIM);
		return used;
	}
	snprintf(id, sizeof id, "choose.option%d_pros", i + 1);
	ui_style_on(STYLE_OK);
	ui_print(y + used, 6, 1, "+");
	ui_style_off(STYLE_OK);
	used += ui_text(y + used, 8, width - 5, 2, id, w->cfg.esp_name, NULL, NULL);
	snprintf(id, sizeof id, "choose.option%d_cons", i + 1);
	ui_style_on(STYLE_WARN);
	ui_print(y + used, 6, 1, "-");
	ui_style_off(STYLE_WARN);
	used += ui_text(y + used, 8, width - 5, 2, id, w->cfg.esp_name, NULL, NULL);
	return used;
}

static void screen_choose_draw(const struct wizard *w, const struct ui_view *v, int top, int height)
{
	int width = COLS - 5 < 100 ? COLS - 5 : 100, y = top, i;
	(void)v;
	y += ui_text(y, 2, width, 2, "choose.intro", w->cfg.vendor_name, NULL, NULL) + 1;
	for (i = 0; i < CHOOSE_ROWS && y < top + height; i++) {
		y += choose_option(w, y, width, i, top + height - y);
		if (height >= 17)
			y++;
	}
}

/* True when row i (0..3) can be picked: an option the ESP offers, or
 * "help me choose". */
static bool choose_row_offered(const struct wizard *w, int i)
{
	return i == CHOOSE_ROWS - 1 || wizard_option_offered(w, (enum wizard_option)(i + 1));
}

/* Moves the cursor by step (-1 or 1) to the next row that can be picked. */
static void choose_move(struct wizard *w, int step)
{
	int i = w->choose_cursor + step;
	while (i >= 0 && i < CHOOSE_ROWS && !choose_row_offered(w, i))
		i += step;
	if (i >= 0 && i < CHOOSE_ROWS)
		w->choose_cursor = i;
}

static enum ui_action screen_choose_key(struct wizard *w, const struct ui_key *k)
{
	if ((k->is_function && k->code == KEY_UP) || (!k->is_function && k->code == 'k')) {
		choose_move(w, -1);
		return ACTION_REDRAW;
	}
	if ((k->is_function && k->code == KEY_DOWN) || (!k->is_function && k->code == 'j') ||
	    (!k->is_function && k->code == '\t')) {
		choose_move(w, 1);
		return ACTION_REDRAW;
	}
	if (!k->is_function && k->code >= '1' && k->code <= '4') {
		if (!choose_row_offered(w, (int)(k->code - '1')))
			return ACTION_NONE;
		w->choose_cursor = (int)(k->code - '1');
		return ACTION_NEXT;
	}
	if (!k->is_function && (k->code == 'h' || k->code == 'H')) {
		w->choose_cursor = 3;
		return ACTION_NEXT;
	}
	return ACTION_NONE;
}

const struct screen screen_choose = {
    .name = "choose",
    .draw = screen_choose_draw,
    .key = screen_choose_key,
    .typing = NULL,
    .footer = "footer.choose",
    .global = "footer.global_choosing", /* s (switch) would lead here */
};
