/* Option 1, the domain: one text field, its error, both forms of an IDN. */
#include "ui.h"

#include <curses.h>
#include <string.h>

#include "core/text.h"

static void screen_domain_draw(const struct wizard *w, const struct ui_view *v, int top, int height)
{
	int width = COLS - 4 < 90 ? COLS - 4 : 90, y = top;
	(void)v;
	y += ui_text(y, 2, width, 3, "domain.intro", w->cfg.esp_name, NULL, NULL) + 1;
	y += ui_field_as(y, 2, width < 70 ? width : 70, text_get("domain.label"), &w->domain_input,
			 true, "domain") +
	     1;
	if (w->domain_input.error == INPUT_OK && w->domain.is_idn && w->domain.ascii[0]) {
		y += ui_text(y, 2, width, 2, "domain.idn", w->domain.unicode, w->domain.ascii,
			     NULL) +
		     1;
	}
	ui_style_on(STYLE_DIM);
	ui_text(y, 2, width, top + height - y, "domain.hints", w->cfg.vendor_domain, NULL, NULL);
	ui_style_off(STYLE_DIM);
}

/* Tab takes the domain offered at the field ("Did you mean example.com?")
 * and goes on with it: one key.  It is worked out again from the text, as
 * the message may show it shortened. */
static enum ui_action screen_domain_key(struct wizard *w, const struct ui_key *k)
{
	enum input_error e = w->domain_input.error;
	char meant[DOMAIN_UNICODE_MAX];
	if (!k->is_function && k->code == '\t' &&
	    (e == INPUT_DID_YOU_MEAN || e == INPUT_WWW || e == INPUT_SUBDOMAIN) &&
	    validate_domain_suggest(w->domain_input.text, meant, sizeof meant) !=
		DOMAIN_HINT_NONE) {
		field_set(&w->domain_input, meant);
		w->dirty = true;
		return ACTION_NEXT;
	}
	return ui_field_key(&w->domain_input, k);
}

static bool screen_domain_typing(const struct wizard *w)
{
	(void)w;
	return true;
}

/* While a domain is offered at the field, Tab (which takes it) is a key. */
static const char *screen_domain_footer(const struct wizard *w)
{
	enum input_error e = w->domain_input.error;
	if (e == INPUT_DID_YOU_MEAN || e == INPUT_WWW || e == INPUT_SUBDOMAIN)
		return "footer.domain_offer";
	return "footer.domain";
}

const struct screen screen_domain = {
    .name = "domain",
    .draw = screen_domain_draw,
    .key = screen_domain_key,
    .typing = screen_domain_typing,
    .footer = "footer.domain",
    .footer_now = screen_domain_footer,
};
