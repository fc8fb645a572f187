/* Option 2, the From address: email and name, and what happens next (the
 * ESP emails a confirmation link, with its own branding). */
#include "ui.h"

#include <curses.h>

#include "core/text.h"

/* A field's label, highlighted when the field has the focus. */
static void address_label(int y, int width, const char *label, bool focused)
{
	ui_print(y, 0, 1, focused ? ui_glyph(GLYPH_POINTER) : " ");
	ui_style_on(focused ? STYLE_KEY : STYLE_NORMAL);
	ui_print(y, 2, width, label);
	ui_style_off(focused ? STYLE_KEY : STYLE_NORMAL);
}

static void screen_address_draw(const struct wizard *w, const struct ui_view *v, int top,
				int height)
{
	int width = COLS - 4 < 90 ? COLS - 4 : 90, y = top;
	int fw = width < 70 ? width : 70, lw;
	(void)v;
	y += ui_text(y, 2, width, 3, "address.intro", w->cfg.esp_name, NULL, NULL) + 1;
	lw = ui_width(text_get("address.email"));
	if (ui_width(text_get("address.name")) > lw)
		lw = ui_width(text_get("address.name"));
	address_label(y, lw, text_get("address.email"), w->address_focus == 0);
	y += ui_field_as(y, 4 + lw, fw - lw - 2, NULL, &w->address_email, w->address_focus == 0,
			 "email");
	address_label(y, lw, text_get("address.name"), w->address_focus == 1);
	y += ui_field_as(y, 4 + lw, fw - lw - 2, NULL, &w->address_name, w->address_focus == 1,
			 "name") +
	     1;
	ui_style_on(STYLE_WARN);
	y += ui_text(y, 2, width, 3, "address.via", w->cfg.esp_name, NULL, NULL) + 1;
	ui_style_off(STYLE_WARN);
	ui_style_on(STYLE_DIM);
	ui_text(y, 2, width, top + height - y, "address.dmarc", NULL, NULL, NULL);
	ui_style_off(STYLE_DIM);
}

/* "Jane <jane@customer.example>", pasted or typed into either field, fills
 * both: the address goes to the email field, the name to the name field
 * unless something is typed there already. */
static void address_split_pasted(struct wizard *w)
{
	struct field *f = w->address_focus ? &w->address_name : &w->address_email;
	char name[FIELD_CAP], address[FIELD_CAP];
	if (!f->len || f->text[f->len - 1] != '>' ||
	    !validate_split_mailbox(f->text, name, sizeof name, address, sizeof address))
		return;
	if (w->address_focus == 0) {
		if (name[0] && !w->address_name.len)
			field_set(&w->address_name, name);
		field_set(&w->address_email, address);
	} else {
		field_set(&w->address_name, name);
		if (!w->address_email.len)
			field_set(&w->address_email, address);
	}
	w->dirty = true;
}

static enum ui_action screen_address_key(struct wizard *w, const struct ui_key *k)
{
	bool fn = k->is_function;
	enum ui_action a;
	if ((fn && (k->code == KEY_UP || k->code == KEY_DOWN || k->code == KEY_BTAB)) ||
	    (!fn && k->code == '\t')) {
		w->address_focus = !w->address_focus;
		return ACTION_REDRAW;
	}
	a = ui_field_key(w->address_focus ? &w->address_name : &w->address_email, k);
	address_split_pasted(w);
	return a;
}

static bool screen_address_typing(const struct wizard *w)
{
	(void)w;
	return true;
}

const struct screen screen_address = {
    .name = "address",
    .draw = screen_address_draw,
    .key = screen_address_key,
    .typing = screen_address_typing,
    .footer = "footer.address",
};
