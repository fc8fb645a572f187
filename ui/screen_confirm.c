/* Option 2, waiting for the click on the ESP's confirmation email. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

#include "core/text.h"

static void screen_confirm_draw(const struct wizard *w, const struct ui_view *v, int top,
				int height)
{
	int width = COLS - 4 < 90 ? COLS - 4 : 90, y = top, wait;
	const char *email = w->signature.email[0] ? w->signature.email : w->address_normalized;
	char secs[16];
	if (w->signature.confirmed) {
		ui_style_on(STYLE_OK);
		y += ui_text(y, 2, width, 2, "confirm.done", email, NULL, NULL) + 1;
		ui_style_off(STYLE_OK);
		ui_style_on(STYLE_KEY);
		ui_text(y, 2, width, 1, "confirm.continue", NULL, NULL, NULL);
		ui_style_off(STYLE_KEY);
		return;
	}
	if (wizard_server_question(w) && !wizard_dmarc_blocks(w) && !w->signature.exists) {
		ui_server_question(w, top, width);
		return;
	}
	if (wizard_dmarc_blocks(w) && w->dmarc_org[0]) {
		/* no record of its own: the organizational domain's policy applies */
		ui_style_on(STYLE_WARN);
		y += ui_text(y, 2, width, 3, "confirm.dmarc_title_org", w->dmarc_domain,
			     w->dmarc_org, w->dmarc_policy) +
		     1;
		ui_style_off(STYLE_WARN);
		y += ui_text(y, 2, width, 5, "confirm.dmarc_body_org", w->dmarc_domain,
			     w->dmarc_org, w->dmarc_policy) +
		     1;
	} else if (wizard_dmarc_blocks(w)) {
		ui_style_on(STYLE_WARN);
		y += ui_text(y, 2, width, 2, "confirm.dmarc_title", w->dmarc_domain,
			     w->dmarc_policy, NULL) +
		     1;
		ui_style_off(STYLE_WARN);
		y += ui_text(y, 2, width, 4, "confirm.dmarc_body", w->dmarc_domain, w->dmarc_policy,
			     w->cfg.esp_name) +
		     1;
	}
	if (wizard_dmarc_blocks(w)) {
		y += ui_text(y, 2, width, 3, "confirm.dmarc_choice", w->dmarc_domain, NULL, NULL) +
		     1;
		ui_keys(y, 2, width, text_get("confirm.dmarc_keys"));
		return;
	}
	if (!w->signature.exists) {
		ui_text(y, 2, width, 3, w->halted ? "confirm.stopped" : "confirm.creating", email,
			w->cfg.esp_name, NULL);
		return;
	}
	attron(A_BOLD);
	y += ui_text(y, 2, width, 2, "confirm.sent", email, w->cfg.esp_name, NULL) + 1;
	attroff(A_BOLD);
	y += ui_text(y, 2, width, 4, "confirm.body", email, w->cfg.esp_name, NULL) + 1;
	ui_style_on(STYLE_DIM);
	y += ui_text(y, 2, width, 3, "confirm.spam", email, w->cfg.esp_name, NULL) + 1;
	ui_style_off(STYLE_DIM);
	wait = wizard_resend_wait(w, v->wall_ms);
	snprintf(secs, sizeof secs, "%d", wait);
	if (w->busy == REQ_SIGNATURE_RESEND || (w->resend_wanted && wait <= 0))
		ui_text(y, 2, width, 1, "confirm.resending", NULL, NULL, NULL);
	else if (w->resend_wanted)
		ui_text(y, 2, width, 1, "confirm.resend_queued", secs, NULL, NULL);
	else if (wait > 0)
		ui_text(y, 2, width, 1, "confirm.resend_wait", secs, NULL, NULL);
	else
		ui_keys(y, 2, width, text_get("confirm.resend_now"));
	y++;
	if (y < top + height)
		ui_keys(y, 2, width, text_get("confirm.change"));
}

/* The resend countdown: the seconds it shows until it reaches 0 (checked
 * at each second of the wall clock it counts on). */
static int64_t screen_confirm_tick(const struct wizard *w, const struct ui_view *v, int *wake_ms)
{
	int wait = w->signature.confirmed ? 0 : wizard_resend_wait(w, v->wall_ms);
	*wake_ms = wait > 0 ? 1000 - (int)(v->wall_ms % 1000) : -1;
	return wait;
}

static enum ui_action screen_confirm_key(struct wizard *w, const struct ui_key *k)
{
	if (wizard_server_question(w) && !wizard_dmarc_blocks(w) && !w->signature.exists)
		return ui_server_question_key(w, k);
	if (k->is_function)
		return ACTION_NONE;
	switch (k->code) {
	case 'r':
	case 'R':
		/* nothing was sent yet (DMARC warning, registering): nothing to resend */
		if (!w->signature.exists || wizard_dmarc_blocks(w))
			return ACTION_NONE;
		return w->signature.confirmed ? ACTION_STAY : ACTION_RESEND;
	case 'a':
	case 'A':
		w->address_focus = 0; /* "use another address": the cursor on it */
		return ACTION_BACK;
	case 's':
	case 'S':
		/* from the DMARC warning: option 1 for the same domain, typed already */
		if (wizard_dmarc_blocks(w) && !w->domain_input.len)
			field_set(&w->domain_input, w->dmarc_domain);
		return ACTION_SWITCH;
	default:
		return ACTION_NONE;
	}
}

/* The keys of what the screen shows: the own-server question, the DMARC
 * warning, the wait for the click, or the confirmation. */
static const char *screen_confirm_footer(const struct wizard *w)
{
	if (w->signature.confirmed)
		return "footer.confirm_done";
	if (wizard_dmarc_blocks(w))
		return "footer.confirm_dmarc";
	if (wizard_server_question(w) && !w->signature.exists)
		return "footer.server";
	if (!w->signature.exists)
		return "footer.confirm_creating";
	return "footer.confirm";
}

const struct screen screen_confirm = {
    .name = "confirm",
    .draw = screen_confirm_draw,
    .key = screen_confirm_key,
    .typing = NULL,
    .footer = "footer.confirm",
    .footer_now = screen_confirm_footer,
    .tick = screen_confirm_tick,
};
