/* Switching option: keep or remove what the other option created at the ESP. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

#include "core/text.h"

/* What the switch would leave at the ESP: 0 the domain, 1 the signature. */
static int switch_items(const struct wizard *w, int *items)
{
	int n = 0;
	if (w->esp_domain.exists && !w->domain_kept)
		items[n++] = 0;
	if (w->signature.exists && !w->signature_kept)
		items[n++] = 1;
	return n;
}

/* One resource: what it is, then Keep / Remove with the choice marked. */
static int switch_row(const struct wizard *w, int y, int width, int item, bool sel)
{
	bool remove = item == 0 ? w->switch_remove_domain : w->switch_remove_signature;
	int x = 4, rows;
	ui_print(y, 1, 1, sel ? ui_glyph(GLYPH_POINTER) : " ");
	attron(A_BOLD);
	if (item == 0)
		ui_text(y, 3, width - 2, 1, "switch.domain", w->esp_domain.name, w->cfg.esp_name,
			NULL);
	else
		ui_text(y, 3, width - 2, 1, "switch.signature", w->signature.email, w->cfg.esp_name,
			NULL);
	attroff(A_BOLD);
	ui_style_on(!remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	x += ui_print(y + 1, x, 6, ui_glyph(remove ? GLYPH_RADIO_OFF : GLYPH_RADIO_ON));
	x += ui_print(y + 1, x + 1, 30, text_get("switch.keep")) + 1;
	ui_style_off(!remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	x += 3;
	ui_style_on(remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	x += ui_print(y + 1, x, 6, ui_glyph(remove ? GLYPH_RADIO_ON : GLYPH_RADIO_OFF));
	ui_print(y + 1, x + 1, 30, text_get("switch.remove"));
	ui_style_off(remove && sel ? STYLE_SELECTED : STYLE_NORMAL);
	ui_style_on(STYLE_DIM);
	rows = ui_text(y + 2, 4, width - 3, 2, remove ? "switch.remove_note" : "switch.keep_note",
		       w->cfg.esp_name, NULL, NULL);
	ui_style_off(STYLE_DIM);
	return 2 + rows;
}

static void screen_switch_draw(const struct wizard *w, const struct ui_view *v, int top, int height)
{
	int width = COLS - 4 < 90 ? COLS - 4 : 90, y = top, items[2], n, i;
	char id[64];
	(void)v;
	snprintf(id, sizeof id, "choose.option%d", (int)w->switch_target);
	y += ui_text(y, 2, width, 3, "switch.intro", text_get(id), w->cfg.esp_name, NULL) + 1;
	n = switch_items(w, items);
	for (i = 0; i < n && y < top + height - 2; i++)
		y += switch_row(w, y, width, items[i], i == w->switch_cursor) + 1;
	if (w->switch_confirmed) {
		ui_text(y, 2, width, 1, "switch.working", w->cfg.esp_name, NULL, NULL);
		return;
	}
	ui_style_on(STYLE_KEY);
	ui_text(y, 2, width, 2, "switch.go", text_get(id), NULL, NULL);
	ui_style_off(STYLE_KEY);
}

static enum ui_action screen_switch_key(struct wizard *w, const struct ui_key *k)
{
	int items[2], n = switch_items(w, items);
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
	remove =
	    items[w->switch_cursor] == 0 ? &w->switch_remove_domain : &w->switch_remove_signature;
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

const struct screen screen_switch = {
    .name = "switch",
    .draw = screen_switch_draw,
    .key = screen_switch_key,
    .typing = NULL,
    .footer = "footer.switch",
};
