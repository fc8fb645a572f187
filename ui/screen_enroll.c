/* Enrollment over SSH: a key that belongs to no customer yet.  Shows the
 * key's fingerprint (the one being bound: a client offering several keys
 * may have authenticated with an unexpected one), a field for the invite
 * code and what happens when it is right.  The loop redeems the code
 * (src/app/cmd_ssh_session.c); ui.c draws the frame around this. */
#include "ui.h"

#include <curses.h>

#include "core/text.h"

#define KEY_CTRL(c) ((c)&0x1f)

void screen_enroll_draw(const struct ui_enroll *e, int top, int height)
{
	int width = COLS - 4 < 76 ? COLS - 4 : 76, y = top, end = top + height;
	ui_style_on(STYLE_KEY);
	y += ui_text(y, 2, width, 2, "enroll.title", e->vendor_name, NULL, NULL);
	ui_style_off(STYLE_KEY);
	y++;
	y += ui_text(y, 2, width, 3, "enroll.body", e->vendor_name, NULL, NULL) + 1;
	y += ui_text(y, 2, width, 1, "enroll.fingerprint_label", NULL, NULL, NULL);
	attron(A_BOLD);
	y += ui_wrap_chars(y, 4, width - 2, 2, e->fingerprint);
	attroff(A_BOLD);
	ui_style_on(STYLE_DIM);
	y += ui_text(y, 2, width, 3, "enroll.fingerprint_hint", NULL, NULL, NULL) + 1;
	ui_style_off(STYLE_DIM);
	if (y < end)
		y += ui_field(y, 2, width < 50 ? width : 50, text_get("enroll.label"), &e->code,
			      true);
	/* A refused code: why, where it was typed (the code stays, to be
	 * corrected). */
	if (y < end && e->notice_error && e->notice[0]) {
		ui_style_on(STYLE_ERROR);
		ui_print(y, 2, 1, "!");
		y += ui_wrap(y, 4, width - 2, end - y < 3 ? end - y : 3, e->notice);
		ui_style_off(STYLE_ERROR);
	}
	y++;
	if (y < end)
		ui_text(y, 2, width, end - y, "enroll.what_happens", e->vendor_name, NULL, NULL);
}

enum ui_action screen_enroll_key(struct ui_enroll *e, const struct ui_key *k)
{
	if (!k->is_function &&
	    (k->code == KEY_CTRL('c') || k->code == KEY_CTRL('q') || k->code == 27))
		return ACTION_QUIT; /* nothing to lose yet: no question asked */
	if ((k->is_function && k->code == KEY_ENTER) ||
	    (!k->is_function && (k->code == '\r' || k->code == '\n')))
		return e->code.len ? ACTION_NEXT : ACTION_STAY;
	if (e->notice_error) { /* the customer corrects the code: the refusal goes */
		e->notice[0] = '\0';
		e->notice_error = false;
	}
	return ui_field_key(&e->code, k);
}
