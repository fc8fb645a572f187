/* Keep or remove: everything this customer has at the ESP that the chosen
 * option (or the corrected domain or address) does not use. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

#include "core/text.h"

/* One resource: what it is, then Keep / Remove with the choice marked, and
 * for the selected row what the choice means.  Returns the rows used. */
static int switch_row(const struct wizard *w, int y, int width, const struct wizard_resource *r,
		      bool sel)
{
	bool remove = r->remove;
	int x = 4, rows = 2;
	ui_print(y, 1, 1, sel ? ui_glyph(GLYPH_POINTER) : " ");
	attron(A_BOLD);
	ui_text(y, 3, width - 2, 1, r->kind == RES_DOMAIN ? "switch.domain" : "switch.signature",
		r->name, w->cfg.esp_name, NULL);
	attroff(A_BOLD);
	ui_style_on(!remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	x += ui_print(y + 1, x, 6, ui_glyph(remove ? GLYPH_RADIO_OFF : GLYPH_RADIO_ON));
	x += ui_print(y + 1, x + 1, 30, text_get("switch.keep")) + 1;
	ui_style_off(!remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	x += 3;
	ui_style_on(remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	x += ui_print(y + 1, x, 6, ui_glyph(remove ? GLYPH_RADIO_ON : GLYPH_RADIO_OFF));
	x += ui_print(y + 1, x + 1, 30, text_get("switch.remove")) + 1;
	ui_style_off(remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	if (r->fate == RES_KEPT) {
		ui_style_on(STYLE_DIM);
		ui_print_fit(y + 1, x + 3, width - x - 3, text_get("switch.kept_before"));
		ui_style_off(STYLE_DIM);
	}
	if (sel) {
		ui_style_on(STYLE_DIM);
		rows += ui_text(y + 2, 4, width - 3, 2,
				remove ? "switch.remove_note" : "switch.keep_note", w->cfg.esp_name,
				NULL, NULL);
		ui_style_off(STYLE_DIM);
	}
	return rows;
}

static void screen_switch_draw(const struct wizard *w, const struct ui_view *v, int top, int height)
{
	int width = COLS - 4 < 90 ? COLS - 4 : 90, y = top, bottom = top + height, fit;
	size_t items[WIZARD_RESOURCES_MAX], n, i, first = 0;
	const char *then =
	    w->switch_target == OPTION_ADDRESS ? w->address_normalized : w->domain.unicode;
	char id[64];
	(void)v;
	snprintf(id, sizeof id, "choose.option%d", (int)w->switch_target);
	if (w->switch_correction)
		y += ui_text(y, 2, width, 3,
			     w->switch_target == OPTION_ADDRESS ? "switch.intro_fix_address"
								: "switch.intro_fix_domain",
			     then, w->cfg.esp_name, NULL) +
		     1;
	else
		y += ui_text(y, 2, width, 3, "switch.intro", text_get(id), w->cfg.esp_name, NULL) +
		     1;
	n = wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
	/* Rows for the list: two per resource, two more under the selected
	 * one; below it a row saying what does not fit, a blank, two for Enter. */
	fit = (bottom - 4 - y - 2) / 2;
	if (fit < 1)
		fit = 1;
	if (w->switch_cursor >= fit)
		first = (size_t)(w->switch_cursor - fit + 1);
	for (i = first; i < n && (int)(i - first) < fit; i++)
		y += switch_row(w, y, width, &w->resources[items[i]], (int)i == w->switch_cursor);
	if (first > 0 || i < n) {
		/* some rows do not fit: say so, so that none is overlooked */
		char shown[16], all[16];
		snprintf(shown, sizeof shown, "%zu", i - first);
		snprintf(all, sizeof all, "%zu", n);
		ui_style_on(STYLE_DIM);
		ui_text(y++, 3, width - 2, 1, "switch.more", shown, all, NULL);
		ui_style_off(STYLE_DIM);
	}
	y++;
	if (w->switch_confirmed) {
		const struct wizard_resource *r = wizard_removal(w);
		ui_text(y, 2, width, 1, "switch.working", r ? r->name : "", w->cfg.esp_name, NULL);
		return;
	}
	ui_style_on(STYLE_KEY);
	if (w->switch_correction)
		ui_text(y, 2, width, 2, "switch.go_fix", then, NULL, NULL);
	else
		ui_text(y, 2, width, 2, "switch.go", text_get(id), NULL, NULL);
	ui_style_off(STYLE_KEY);
}

static enum ui_action screen_switch_key(struct wizard *w, const struct ui_key *k)
{
	size_t items[WIZARD_RESOURCES_MAX];
	int n = (int)wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
	bool fn = k->is_function, *remove;
	if (w->switch_confirmed || !n)
		return ACTION_NONE;
	if (w->switch_cursor >= n)
		w->switch_cursor = n - 1;
	if ((fn && k->code == KEY_UP) || (!fn && k->code == 'k')) {
		if (w->switch_cursor > 0)
			w->switch_cursor--;
		return ACTION_REDRAW;
	}
	if ((fn && k->code == KEY_DOWN) || (!fn && (k->code == 'j' || k->code == '\t'))) {
		if (w->switch_cursor < n - 1)
			w->switch_cursor++;
		return ACTION_REDRAW;
	}
	remove = &w->resources[items[w->switch_cursor]].remove;
	if ((fn && (k->code == KEY_LEFT || k->code == KEY_RIGHT)) || (!fn && k->code == ' ')) {
		*remove = !*remove;
		w->dirty = true;
		return ACTION_REDRAW;
	}
	if (!fn && (k->code == 'r' || k->code == 'R' || k->code == 'K')) {
		*remove = k->code != 'K';
		w->dirty = true;
		return ACTION_REDRAW;
	}
	return ACTION_NONE;
}

/* Up/Down only where there is more than one row to move between. */
static const char *screen_switch_footer(const struct wizard *w)
{
	size_t items[WIZARD_RESOURCES_MAX];
	return wizard_switch_items(w, items, WIZARD_RESOURCES_MAX) > 1 ? "footer.switch"
								       : "footer.switch_one";
}

const struct screen screen_switch = {
    .name = "switch",
    .draw = screen_switch_draw,
    .key = screen_switch_key,
    .typing = NULL,
    .footer = "footer.switch",
    .footer_now = screen_switch_footer,
};
