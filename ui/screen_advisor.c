/* Help me choose: a few yes/no questions, one at a time, then a pick. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

#include "core/text.h"

static const char *const advisor_answer_ids[] = {"advice.yes", "advice.no", "advice.unsure"};

/* The answers as buttons on one row, the highlighted one selected. */
static void advisor_buttons(int y, int x, int cursor)
{
	int i;
	for (i = 0; i < 3; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, " %s ", text_get(advisor_answer_ids[i]));
		ui_style_on(i == cursor ? STYLE_SELECTED : STYLE_NORMAL);
		if (i != cursor)
			attron(A_BOLD);
		x += ui_print(y, x, 30, buf) + 2;
		if (i != cursor)
			attroff(A_BOLD);
		ui_style_off(i == cursor ? STYLE_SELECTED : STYLE_NORMAL);
	}
}

/* Earlier questions with their answers, dimmed. */
static int advisor_history(const struct wizard *w, int y, int width)
{
	int i, rows = 0;
	for (i = 0; i < w->advisor_question && i < ADVISOR_QUESTIONS; i++) {
		char id[64];
		int used;
		snprintf(id, sizeof id, "advice.q%d_short", i + 1);
		ui_style_on(STYLE_DIM);
		used = ui_print_fit(y + rows, 4, width - 16, text_get(id));
		ui_style_off(STYLE_DIM);
		if (w->advisor[i] >= ADVISOR_YES && w->advisor[i] <= ADVISOR_UNSURE) {
			ui_style_on(STYLE_KEY);
			ui_print(y + rows, 4 + used + 2, 14,
				 text_get(advisor_answer_ids[w->advisor[i] - ADVISOR_YES]));
			ui_style_off(STYLE_KEY);
		}
		rows++;
	}
	return rows;
}

static void screen_advisor_draw(const struct wizard *w, const struct ui_view *v, int top,
				int height)
{
	int width = COLS - 4 < 90 ? COLS - 4 : 90, y = top;
	(void)v;
	y += ui_text(y, 2, width, 2, "advice.intro", NULL, NULL, NULL) + 1;
	y += advisor_history(w, y, width);
	y++;
	if (w->advisor_question < ADVISOR_QUESTIONS) {
		char id[64], n[16], of[16];
		snprintf(n, sizeof n, "%d", w->advisor_question + 1);
		snprintf(of, sizeof of, "%d", ADVISOR_QUESTIONS);
		ui_style_on(STYLE_DIM);
		y += ui_text(y, 2, width, 1, "advice.progress", n, of, NULL);
		ui_style_off(STYLE_DIM);
		snprintf(id, sizeof id, "advice.q%d", w->advisor_question + 1);
		ui_style_on(STYLE_KEY);
		y += ui_text(y, 2, width, 2, id, NULL, NULL, NULL);
		ui_style_off(STYLE_KEY);
		snprintf(id, sizeof id, "advice.q%d_help", w->advisor_question + 1);
		y += ui_text(y, 2, width, top + height - y - 2, id, w->cfg.esp_name, NULL, NULL);
		advisor_buttons(y + 1, 2, w->advisor_cursor);
	} else {
		const char *reason = NULL;
		enum wizard_option pick = wizard_advisor_recommend(w, &reason);
		char id[64];
		snprintf(id, sizeof id, "choose.option%d", (int)pick);
		ui_style_on(STYLE_OK);
		y += ui_text(y, 2, width, 2, "advice.result", text_get(id), NULL, NULL) + 1;
		ui_style_off(STYLE_OK);
		if (reason)
			y += ui_text(y, 2, width, 4, reason, NULL, NULL, NULL) + 1;
		ui_style_on(STYLE_KEY);
		ui_text(y, 2, width, 2, "advice.go", NULL, NULL, NULL);
		ui_style_off(STYLE_KEY);
	}
}

static enum ui_action screen_advisor_key(struct wizard *w, const struct ui_key *k)
{
	bool asking = w->advisor_question < ADVISOR_QUESTIONS;
	if ((k->is_function && k->code == KEY_BACKSPACE) ||
	    (!k->is_function && (k->code == 0x7f || k->code == 0x08))) {
		/* back to the previous question, its answer highlighted */
		if (w->advisor_question <= 0)
			return ACTION_NONE;
		w->advisor_question--;
		if (w->advisor[w->advisor_question] != ADVISOR_UNANSWERED)
			w->advisor_cursor = (int)w->advisor[w->advisor_question] - 1;
		w->dirty = true;
		return ACTION_REDRAW;
	}
	if (!asking)
		return ACTION_NONE;
	if (k->is_function) {
		switch (k->code) {
		case KEY_LEFT:
		case KEY_UP:
		case KEY_BTAB:
			if (w->advisor_cursor > 0)
				w->advisor_cursor--;
			return ACTION_REDRAW;
		case KEY_RIGHT:
		case KEY_DOWN:
			if (w->advisor_cursor < 2)
				w->advisor_cursor++;
			return ACTION_REDRAW;
		default:
			return ACTION_NONE;
		}
	}
	switch (k->code) {
	case '\t':
		w->advisor_cursor = (w->advisor_cursor + 1) % 3;
		return ACTION_REDRAW;
	case 'y':
	case 'Y':
		wizard_advisor_answer(w, ADVISOR_YES);
		return ACTION_REDRAW;
	case 'n':
	case 'N':
		wizard_advisor_answer(w, ADVISOR_NO);
		return ACTION_REDRAW;
	case 'u':
	case 'U':
		wizard_advisor_answer(w, ADVISOR_UNSURE);
		return ACTION_REDRAW;
	case '\r':
	case '\n':
		wizard_advisor_answer(w, w->advisor_cursor == 1	  ? ADVISOR_NO
					 : w->advisor_cursor == 2 ? ADVISOR_UNSURE
								  : ADVISOR_YES);
		return ACTION_REDRAW;
	default:
		return ACTION_NONE;
	}
}

/* Once every question is answered, y/n/u have nothing to answer. */
static const char *screen_advisor_footer(const struct wizard *w)
{
	return w->advisor_question < ADVISOR_QUESTIONS ? "footer.advisor" : "footer.advisor_result";
}

const struct screen screen_advisor = {
    .name = "advisor",
    .draw = screen_advisor_draw,
    .key = screen_advisor_key,
    .typing = NULL,
    .footer = "footer.advisor",
    .footer_now = screen_advisor_footer,
};
