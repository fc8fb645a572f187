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
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/sanitize.h"
#include "core/text.h"
#include "export/qr.h"

#define VIEW_KEY_ESC 27

/* The pages printed outside curses. */
enum view_page {
	PAGE_RECORD,   /* the selected record's Name and Value ("v") */
	PAGE_ONECLICK, /* the Domain Connect link ("a"): OSC 8, plain, QR */
};

static enum view_page view_page;
static bool view_qr;		  /* the one-click page shows its QR code */
static int view_cols, view_rows;  /* the window's size the page was printed for */
static bool view_wanted;	  /* opened by a key, not yet closed */
static bool view_shown;		  /* curses is suspended and the page is printed */
static int view_record = -1;	  /* the record the page shows */
static struct termios view_saved; /* the terminal's modes before the view's */
static bool view_tty_set;	  /* view_saved holds modes to put back */

void ui_record_view_open(void)
{
	view_wanted = true;
	view_page = PAGE_RECORD;
	view_record = -1;
}

void ui_oneclick_open(void)
{
	view_wanted = true;
	view_page = PAGE_ONECLICK;
	view_qr = false;
	view_record = -1;
}

/* The window's size now (curses does not follow it while suspended). */
static void view_size(int *cols, int *rows)
{
	struct winsize ws;
	*cols = COLS;
	*rows = LINES;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
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

/* The link as an OSC 8 hyperlink (terminals that know it show text to
 * click; others show the text alone), then as plain text on a line of its
 * own (one line even where the window wraps it), then how to go on. */
static void oneclick_print_link(const struct wizard *w, const struct wizard_dc *dc, int width)
{
	char label[256], clean[WIZARD_DC_URL_MAX];
	sanitize_text(dc->url, clean, sizeof clean);
	if (dc->kind == WIZARD_DC_APPLY) {
		text_fmt(label, sizeof label, "records.oneclick_open", dc->provider, w->dc.domain,
			 NULL);
		/* the hyperlink, then how to open it, on one line when it fits */
		fputs(ui_ascii() ? "> " : "\xe2\x96\xb8 ", stdout);
		fputs("\033]8;;", stdout);
		fputs(clean, stdout);
		fputs("\033\\", stdout);
		fputs(label, stdout);
		fputs("\033]8;;\033\\", stdout);
		fputs((int)strlen(label) + 3 + (int)strlen(text_get("records.oneclick_osc8")) <
			      width
			  ? " "
			  : "\n",
		      stdout);
		view_text("records.oneclick_osc8", NULL, NULL, NULL, width);
		fputs("\n", stdout);
		view_text("records.oneclick_plain", NULL, NULL, NULL, width);
	} else {
		view_text("records.oneclick_panel_plain", dc->provider, NULL, NULL, width);
	}
	view_value(clean);
}

/* The QR code of the link, white on black so that it scans on any theme,
 * when the window holds it; else the size it needs.  rows: rows left. */
static void oneclick_print_qr(const struct wizard_dc *dc, int cols, int rows)
{
	struct buf qr = {0};
	int qc = 0, qrow = 0;
	char need_c[16], need_r[16];
	const char *p;
	if (qr_render_halfblocks(dc->url, ui_ascii(), &qr, &qc, &qrow) != BH_OK) {
		view_text("records.oneclick_qr_too_big", NULL, NULL, NULL, cols - 1);
		buf_free(&qr);
		return;
	}
	if (qc > cols || qrow > rows) {
		snprintf(need_c, sizeof need_c, "%d", qc);
		snprintf(need_r, sizeof need_r, "%d", qrow + (view_rows - rows));
		/* without UTF-8 a module is two columns by a row: say that a
		 * UTF-8 terminal needs half as much */
		view_text(ui_ascii() ? "records.oneclick_qr_small_ascii"
				     : "records.oneclick_qr_small",
			  need_c, need_r, NULL, cols - 1);
		buf_free(&qr);
		return;
	}
	for (p = qr.data; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		fputs(ui_ascii() ? "" : "\033[97;40m", stdout);
		fwrite(p, 1, len, stdout);
		fputs(ui_ascii() ? "\n" : "\033[0m\n", stdout);
		p += len + (nl ? 1 : 0);
	}
	buf_free(&qr);
}

/* The one-click page: what happens, the link three ways, the keys. */
static void oneclick_print(const struct wizard *w, const struct wizard_dc *dc)
{
	const char *clear = tigetstr("clear");
	int width;
	char count[16];
	view_size(&view_cols, &view_rows);
	width = view_cols > 1 ? view_cols - 1 : 79;
	if (clear && clear != (char *)-1)
		tputs(clear, 1, view_putc);
	else
		fputs("\n\n", stdout);
	if (view_qr) {
		view_text(dc->kind == WIZARD_DC_APPLY ? "records.oneclick_qr_title"
						      : "records.oneclick_panel_qr_title",
			  dc->provider, w->dc.domain, NULL, width);
		oneclick_print_qr(dc, view_cols, view_rows - 3);
		view_text(w->cfg.demo ? "records.oneclick_qr_keys_demo"
				      : "records.oneclick_qr_keys",
			  NULL, NULL, NULL, width);
		fflush(stdout);
		return;
	}
	snprintf(count, sizeof count, "%zu", w->nrecords);
	if (dc->kind == WIZARD_DC_APPLY) {
		view_text("records.oneclick_title", dc->provider, NULL, NULL, width);
		fputs("\n", stdout);
		view_text("records.oneclick_what", dc->provider, w->dc.domain, NULL, width);
	} else {
		view_text("records.oneclick_panel_title", dc->provider, NULL, NULL, width);
		fputs("\n", stdout);
		view_text("records.oneclick_panel_what", dc->provider, w->dc.domain, NULL, width);
	}
	fputs("\n", stdout);
	oneclick_print_link(w, dc, width);
	fputs("\n", stdout);
	if (dc->demo)
		view_text("records.oneclick_demo", dc->provider, NULL, NULL, width);
	view_text(w->cfg.demo ? "records.oneclick_keys_demo" : "records.oneclick_keys", NULL, NULL,
		  NULL, width);
	fflush(stdout);
}

bool ui_record_view_draw(const struct wizard *w)
{
	if (view_wanted && view_page == PAGE_ONECLICK) {
		const struct wizard_dc *dc = wizard_dc_offer(w);
		int cols, rows;
		/* the records are in (approved on a phone, say), or the offer
		 * went: the page closes by itself on the records screen */
		if (!dc) {
			view_wanted = false;
			if (view_shown)
				view_resume();
			return false;
		}
		if (!view_shown)
			view_suspend();
		view_size(&cols, &rows);
		if (view_record != 0 || cols != view_cols || rows != view_rows) {
			oneclick_print(w, dc);
			view_record = 0;
		}
		return true;
	}
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
	if (view_record != w->records_cursor || view_page != PAGE_RECORD) {
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

/* Keys on the one-click page: r the QR code and back, n the demo's
 * approval, Esc, Enter, q, a or Ctrl-C back to the records. */
static enum ui_action oneclick_read(const unsigned char *in, ssize_t n)
{
	enum ui_action result = ACTION_NONE;
	ssize_t i;
	for (i = 0; i < n && view_wanted; i++) {
		unsigned char c = in[i];
		if (c == VIEW_KEY_ESC && i + 2 < n && (in[i + 1] == '[' || in[i + 1] == 'O')) {
			i += 2; /* an arrow or the like: nothing here */
			while (i + 1 < n && in[i] >= '0' && in[i] <= '9')
				i++;
			if (i + 1 < n && in[i + 1] == '~')
				i++;
			continue;
		}
		if (c == 'r') {
			view_qr = !view_qr;
			view_record = -1; /* print again */
			result = ACTION_REDRAW;
		} else if (c == 'n') {
			return ACTION_DEMO; /* the session plays it only in the demo */
		} else if (c == VIEW_KEY_ESC || c == '\r' || c == '\n' || c == 'q' || c == 'a' ||
			   c == 0x03) {
			if (view_qr && c == VIEW_KEY_ESC) {
				view_qr = false; /* the QR code: back to the link first */
				view_record = -1;
			} else {
				view_wanted = false;
			}
			result = ACTION_REDRAW;
		}
	}
	return result;
}

enum ui_action ui_record_view_read(struct wizard *w)
{
	unsigned char in[64];
	ssize_t n = read(STDIN_FILENO, in, sizeof in), i;
	enum ui_action result = ACTION_NONE;
	if (view_page == PAGE_ONECLICK)
		return oneclick_read(in, n);
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
