/* The one-record view ("v" on the records screen): the selected record's
 * Name and Value printed outside curses, each alone on a line of its own.
 *
 * Why outside curses: a value longer than the terminal is wide (a DKIM key
 * is about 230 characters) can only be one line to the terminal if it is
 * written as one, without cursor moves, and left to wrap by itself.  The
 * terminal then marks the rows as one wrapped line, so a triple-click
 * selects the whole value and a drag across the rows copies it without line
 * breaks (xterm, VTE, iTerm2, macOS Terminal, PuTTY, Windows Terminal,
 * tmux).  Curses places every row with cursor moves, so what it draws is
 * separate rows, and a selection picks up line breaks and indentation.
 * So the view suspends curses (endwin), prints the page on the terminal's
 * normal screen, reads keys itself, and hands back to curses when closed
 * (the next doupdate resumes it).  docs/copying-records.md says more. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/text.h"

#define VIEW_KEY_ESC 27

static bool view_wanted;	  /* opened by a key, not yet closed */
static bool view_shown;		  /* curses is suspended and the page is printed */
static int view_record = -1;	  /* the record the page shows */
static struct termios view_saved; /* the terminal's modes before the view's */
static bool view_tty_set;	  /* view_saved holds modes to put back */

void ui_record_view_open(void)
{
	view_wanted = true;
	view_record = -1;
}

bool ui_record_view_active(void)
{
	return view_shown;
}

/* Prints prose word-wrapped to width columns (every text here is ASCII or
 * close to it; a word wider than the line is left to the terminal). */
static void view_prose(const char *text, int width)
{
	const char *p = text;
	int col = 0;
	while (*p) {
		size_t word = strcspn(p, " \n");
		if (col && col + 1 + (int)word > width) {
			fputs("\n", stdout);
			col = 0;
		} else if (col) {
			fputs(" ", stdout);
			col++;
		}
		fwrite(p, 1, word, stdout);
		col += (int)word;
		p += word;
		if (*p == '\n') {
			fputs("\n", stdout);
			col = 0;
		}
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputs("\n", stdout);
}

/* A text of [records] with up to three arguments, wrapped. */
static void view_text(const char *id, const char *a1, const char *a2, const char *a3, int width)
{
	char buf[1024];
	text_fmt(buf, sizeof buf, id, a1, a2, a3);
	view_prose(buf, width);
}

/* One value alone on its line: sanitized, never wrapped by us. */
static void view_value(const char *value)
{
	char clean[RECORD_VALUE_MAX];
	sanitize_text(value, clean, sizeof clean);
	fputs(clean, stdout);
	fputs("\n", stdout);
}

static int view_putc(int c)
{
	return putchar(c);
}

/* The page of record i: what it is, the Name to type, the full name, the
 * Value, then how to select and the keys. */
static void view_print(const struct wizard *w, size_t i)
{
	const struct expected_record *r = &w->records[i];
	const char *zone = w->domain.ascii[0] ? w->domain.ascii : w->esp_domain.name;
	const char *clear = tigetstr("clear");
	char label[RECORD_NAME_MAX], id[64], pos[16], count[16];
	int width = COLS > 1 ? COLS - 1 : 79;

	if (clear && clear != (char *)-1)
		tputs(clear, 1, view_putc);
	else
		fputs("\n\n", stdout);
	snprintf(id, sizeof id, "records.purpose_%s", record_purpose_word(r->purpose));
	snprintf(pos, sizeof pos, "%zu", i + 1);
	snprintf(count, sizeof count, "%zu", w->nrecords);
	view_text("records.view_title", text_get(id), record_type_word(r->type), zone, width);
	view_text("records.view_position", pos, count, NULL, width);
	fputs("\n", stdout);
	record_relative_label(r->name, zone, label, sizeof label);
	view_text("records.view_name", NULL, NULL, NULL, width);
	view_value(label);
	fputs("\n", stdout);
	view_text("records.view_full_name", NULL, NULL, NULL, width);
	view_value(r->name);
	fputs("\n", stdout);
	view_text("records.view_value", record_type_word(r->type), NULL, NULL, width);
	view_value(r->value);
	fputs("\n", stdout);
	view_text("records.view_how", NULL, NULL, NULL, width);
	fputs("\n", stdout);
	view_text(w->nrecords > 1 ? "records.view_keys" : "records.view_keys_one", NULL, NULL, NULL,
		  width);
	fflush(stdout);
}

/* Leaves curses for the terminal's own screen, keys read one by one
 * without echo (Ctrl-C is a key here too, as in the wizard). */
static void view_suspend(void)
{
	struct termios t;
	def_prog_mode();
	endwin();
	view_tty_set = tcgetattr(STDIN_FILENO, &view_saved) == 0;
	if (view_tty_set) {
		t = view_saved;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
		t.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	view_shown = true;
}

/* Puts the terminal's modes back; curses resumes at its next doupdate. */
static void view_resume(void)
{
	if (view_tty_set)
		tcsetattr(STDIN_FILENO, TCSANOW, &view_saved);
	view_tty_set = false;
	view_shown = false;
	view_record = -1;
	clearok(curscr, TRUE);
	ui_invalidate();
}

bool ui_record_view_draw(const struct wizard *w)
{
	/* the wizard may move on meanwhile (the ESP confirms): the page stays
	 * until closed, as long as there is a record to show */
	if (view_wanted && (w->records_cursor < 0 || (size_t)w->records_cursor >= w->nrecords))
		view_wanted = false;
	if (!view_wanted) {
		if (view_shown)
			view_resume();
		return false;
	}
	if (!view_shown)
		view_suspend();
	if (view_record != w->records_cursor) {
		view_print(w, (size_t)w->records_cursor);
		view_record = w->records_cursor;
	}
	return true;
}

bool ui_record_view_stop(void)
{
	bool shown = view_shown;
	if (view_tty_set)
		tcsetattr(STDIN_FILENO, TCSANOW, &view_saved);
	view_tty_set = false;
	view_shown = false;
	view_wanted = false;
	return shown;
}

/* Moves to the record before (-1) or after (+1) the one shown. */
static void view_move(struct wizard *w, int by)
{
	int n = (int)w->nrecords, to = w->records_cursor + by;
	if (to >= 0 && to < n)
		w->records_cursor = to;
}

enum ui_action ui_record_view_read(struct wizard *w)
{
	unsigned char in[64];
	ssize_t n = read(STDIN_FILENO, in, sizeof in), i;
	enum ui_action result = ACTION_NONE;
	for (i = 0; i < n && view_wanted; i++) {
		unsigned char c = in[i];
		if (c == VIEW_KEY_ESC && i + 2 < n && (in[i + 1] == '[' || in[i + 1] == 'O')) {
			/* an arrow: ESC [ A (normal keypad) or ESC O A (application) */
			if (in[i + 2] == 'A')
				view_move(w, -1);
			else if (in[i + 2] == 'B')
				view_move(w, +1);
			i += 2;
			while (i + 1 < n && in[i] >= '0' && in[i] <= '9')
				i++; /* other sequences: ESC [ 5 ~ and the like */
			if (i + 1 < n && in[i + 1] == '~')
				i++;
		} else if (c == 'k') {
			view_move(w, -1);
		} else if (c == 'j') {
			view_move(w, +1);
		} else if (c == VIEW_KEY_ESC || c == '\r' || c == '\n' || c == 'q' || c == 'v' ||
			   c == 0x03) {
			view_wanted = false;
		}
		result = ACTION_REDRAW;
	}
	return result;
}
