/* The own-server question (per_customer_server = ask), shared by the
 * records and confirm steps: nothing is created at the ESP before it. */
#include "ui.h"

#include <curses.h>

#include "core/text.h"

void ui_server_question(const struct wizard *w, int top, int width)
{
	int y = top;
	attron(A_BOLD);
	y += ui_text(y, 2, width - 2, 2, "server.title", w->cfg.esp_name, NULL, NULL) + 1;
	attroff(A_BOLD);
	y += ui_text(y, 2, width - 2, 4, "server.body", w->cfg.esp_name, w->cfg.vendor_name, NULL) +
	     1;
	ui_keys(y, 2, width - 2, text_get("server.keys"));
}

enum ui_action ui_server_question_key(struct wizard *w, const struct ui_key *k)
{
	if (k->is_function)
		return ACTION_NONE;
	switch (k->code) {
	case 'y':
	case 'Y':
		wizard_server_answer(w, true);
		return ACTION_REDRAW;
	case 'n':
	case 'N':
		wizard_server_answer(w, false);
		return ACTION_REDRAW;
	default:
		return ACTION_NONE;
	}
}
