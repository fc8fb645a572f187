/* Welcome: what this is, the three ways, and that progress is kept. */
#include "ui.h"

#include <curses.h>

#include "core/text.h"

static void screen_welcome_draw(const struct wizard *w, const struct ui_view *v, int top,
				int height)
{
	int width = COLS - 4 < 76 ? COLS - 4 : 76, y = top;
	(void)v;
	ui_style_on(STYLE_KEY);
	y += ui_text(y, 2, width, 2, "welcome.title", w->cfg.vendor_name, NULL, NULL);
	ui_style_off(STYLE_KEY);
	y++;
	y += ui_text(y, 2, width, top + height - y - 3, "welcome.body", w->cfg.vendor_name,
		     w->cfg.esp_name, NULL) +
	     1;
	if (w->cfg.demo) {
		ui_style_on(STYLE_WARN);
		y += ui_text(y, 2, width, 2, "welcome.demo", NULL, NULL, NULL);
		ui_style_off(STYLE_WARN);
		y += ui_text(y, 2, width, 2, "welcome.demo_reset", NULL, NULL, NULL) + 1;
	}
	ui_style_on(STYLE_KEY);
	ui_text(y, 2, width, 1, "welcome.start", NULL, NULL, NULL);
	ui_style_off(STYLE_KEY);
}

/* 1, 2, 3: the ways the body lists, picked as on the choose step (which
 * Back then leads to); in the demo, r starts it over (the presenter,
 * between two prospects). */
static enum ui_action screen_welcome_key(struct wizard *w, const struct ui_key *k)
{
	if (k->is_function)
		return ACTION_NONE;
	if (w->cfg.demo && (k->code == 'r' || k->code == 'R'))
		return ACTION_DEMO_RESET;
	if (k->code < '1' || k->code > '3')
		return ACTION_NONE;
	wizard_next(w, 0);
	if (w->step != STEP_CHOOSE)
		return ACTION_REDRAW;
	w->choose_cursor = (int)(k->code - '1');
	return ACTION_NEXT;
}

const struct screen screen_welcome = {
    .name = "welcome",
    .draw = screen_welcome_draw,
    .key = screen_welcome_key,
    .typing = NULL,
    .footer = "footer.welcome",
};
