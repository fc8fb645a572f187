/* Done: what was set up, what to do next, whom to ask. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

#include "core/text.h"

/* The summary sentence of the option followed. */
static int done_summary(const struct wizard *w, int y, int width)
{
	char display[FROM_DISPLAY_MAX], address[EMAIL_MAX], header[FROM_HEADER_MAX];
	switch (w->option) {
	case OPTION_DOMAIN:
		return ui_text(y, 2, width, 4, "done.domain",
			       w->domain.unicode[0] ? w->domain.unicode : w->esp_domain.name,
			       w->cfg.esp_name, w->cfg.vendor_name);
	case OPTION_ADDRESS:
		return ui_text(y, 2, width, 4, "done.address", w->signature.email, w->cfg.esp_name,
			       w->cfg.vendor_name);
	case OPTION_NAME:
		wizard_from_preview(w, display, sizeof display, address, sizeof address, header,
				    sizeof header);
		return ui_text(y, 2, width, 4, "done.name", display, address, w->cfg.vendor_name);
	default:
		return ui_text(y, 2, width, 4, "done.none", NULL, NULL, NULL);
	}
}

static void screen_done_draw(const struct wizard *w, const struct ui_view *v, int top, int height)
{
	int width = COLS - 4 < 90 ? COLS - 4 : 90, y = top;
	char id[64];
	(void)v;
	ui_style_on(STYLE_OK);
	ui_print(y, 2, 4, ui_glyph(GLYPH_CHECK));
	y += ui_text(y, 2 + ui_width(ui_glyph(GLYPH_CHECK)) + 1, width - 4, 1, "done.title", NULL,
		     NULL, NULL) +
	     1;
	ui_style_off(STYLE_OK);
	y += done_summary(w, y, width) + 1;
	ui_style_on(STYLE_KEY);
	y += ui_text(y, 2, width, 1, "done.next_title", NULL, NULL, NULL);
	ui_style_off(STYLE_KEY);
	snprintf(id, sizeof id, "done.next%d", (int)w->option);
	y += ui_text(y, 2, width, top + height - y - 4, id, w->cfg.esp_name, w->cfg.vendor_name,
		     NULL) +
	     1;
	if (w->cfg.support_contact[0])
		y +=
		    ui_text(y, 2, width, 2, "done.support", w->cfg.support_contact, NULL, NULL) + 1;
	ui_style_on(STYLE_DIM);
	ui_text(y, 2, width, top + height - y, "done.leave", NULL, NULL, NULL);
	ui_style_off(STYLE_DIM);
}

const struct screen screen_done = {
    .name = "done",
    .draw = screen_done_draw,
    .key = NULL,
    .typing = NULL,
    .footer = "footer.done",
};
