/* The terminal: curses start and stop, the frame around the screens (title,
 * steps, notice, busy line, footer), the overlays (help, quit, terminal too
 * small) and the routing of keys.  Handlers only change state; ui_draw is
 * the one place that draws, once per loop turn. */
#include "ui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/sanitize.h"
#include "core/text.h"

#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24
#define KEY_CTRL(c) ((c)&0x1f)
/* The terminal's bracketed paste markers, as keys (define_key). */
#define UI_KEY_PASTE_BEGIN 0x7002
#define UI_KEY_PASTE_END   0x7003
/* A paste whose end marker never came ends after this much quiet. */
#define UI_PASTE_QUIET_MS 1000
/* Most moves Home or End makes in a list (lists here are a few rows). */
#define UI_LIST_MAX 64
/* The busy line's spinner: one frame this long (4 a second). */
#define UI_SPIN_MS 250
/* A check the wizard makes by itself (DNS, a poll) shows its busy line only
 * once it has taken this long: one that answers at once changes only what
 * the screen says of it ("Checking now"), nothing blinks. */
#define UI_BUSY_QUIET_MS 400

enum ui_overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_QUIT };

static bool ui_started;
static bool ui_utf8;
static bool ui_color;
static bool ui_clear_next; /* Ctrl-L or resize: repaint the whole terminal */
static bool ui_dirty;	   /* something visible changed since the last draw */
/* What of the clock the last frame showed: drawn again when it changes;
 * when only that changed, only those rows are (ui_draw). */
struct ui_tick {
	enum wizard_step step;	  /* the screen it was drawn for (layout) */
	enum wizard_request busy; /* the busy line shown, REQ_NONE: none (layout) */
	int64_t spin;		  /* its spinner frame */
	int64_t busy_secs;	  /* its "for N s" */
	int64_t screen;		  /* the screen's own (struct screen tick) */
};
static struct ui_tick ui_tick;
static int ui_frame_y, ui_frame_x; /* where the whole frame left the cursor */
static enum ui_overlay ui_overlay;
static SCREEN *ui_screen;
static bool ui_backspace_held;		    /* the last key was a Backspace that deleted */
static const char *ui_paste_off;	    /* turns bracketed paste off (terminfo BD) */
static bool ui_pasting;			    /* between the paste markers */
static bool ui_paste_newline;		    /* the paste's line breaks were left out */
static bool ui_paste_ignored;		    /* the paste had text and no field to take it */
static int64_t ui_paste_last_ms;	    /* when the last key of the paste came */
static struct sigaction ui_winch_curses;    /* curses' own SIGWINCH handler */
static bool ui_winch_chained;		    /* ui_on_winch is installed before it */
static volatile sig_atomic_t ui_winch_seen; /* a resize curses has not reported yet */

/* SIGWINCH: noted (ui_read_wanted), then handed to curses, which reports
 * the new size as a key at its next read. */
static void ui_on_winch(int sig, siginfo_t *info, void *ctx)
{
	ui_winch_seen = 1;
	if (ui_winch_curses.sa_flags & SA_SIGINFO)
		ui_winch_curses.sa_sigaction(sig, info, ctx);
	else if (ui_winch_curses.sa_handler != SIG_DFL && ui_winch_curses.sa_handler != SIG_IGN)
		ui_winch_curses.sa_handler(sig);
}

/* Puts ui_on_winch before curses' handler (newterm installed it). */
static void ui_winch_chain(void)
{
	struct sigaction sa;
	ui_winch_seen = 0;
	if (sigaction(SIGWINCH, NULL, &ui_winch_curses) != 0)
		return;
	sa = ui_winch_curses;
	sa.sa_sigaction = ui_on_winch;
	sa.sa_flags |= SA_SIGINFO;
	ui_winch_chained = sigaction(SIGWINCH, &sa, NULL) == 0;
}

/* A terminfo string, or fallback when the terminal's entry lacks it. */
static const char *ui_cap(const char *name, const char *fallback)
{
	const char *s = tigetstr(name);
	return s && s != (const char *)-1 && *s ? s : fallback;
}

/* Keys curses may not know from the terminal's entry: bracketed paste
 * markers (ncurses does not bind PS/PE), and the Home and End that tmux,
 * screen, rxvt and the Linux console send whatever TERM says. */
static void ui_define_keys(void)
{
	static const struct {
		const char *seq;
		int code;
	} extra[] = {
	    {"\033[1~", KEY_HOME}, {"\033[7~", KEY_HOME}, {"\033[H", KEY_HOME},
	    {"\033OH", KEY_HOME},  {"\033[4~", KEY_END},  {"\033[8~", KEY_END},
	    {"\033[F", KEY_END},   {"\033OF", KEY_END},
	};
	size_t i;
	define_key(ui_cap("PS", "\033[200~"), UI_KEY_PASTE_BEGIN);
	define_key(ui_cap("PE", "\033[201~"), UI_KEY_PASTE_END);
	for (i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (key_defined(extra[i].seq) == 0)
			define_key(extra[i].seq, extra[i].code);
}

bool ui_start(void)
{
	const char *codeset;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "behalf: the wizard needs a terminal\n");
		return false;
	}
	setlocale(LC_ALL, "");
	codeset = nl_langinfo(CODESET);
	ui_utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
	ui_screen = newterm(NULL, stdout, stdin);
	if (!ui_screen) {
		fprintf(stderr, "behalf: cannot use this terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return false;
	}
	set_term(ui_screen);
	ui_started = true;
	ui_winch_chain();
	raw(); /* Ctrl-C and Ctrl-Q arrive as keys: quit asks first */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* no look for typed keys before each update (two polls a draw): the
	 * loop reads every key there is before it draws */
	typeahead(-1);
	set_escdelay(25);
	ui_define_keys();
	/* pasted text comes marked, so that it is typed, never run as keys */
	putp(ui_cap("BE", "\033[?2004h"));
	fflush(stdout); /* putp writes through stdio, curses does not */
	ui_paste_off = ui_cap("BD", "\033[?2004l");
	ui_pasting = false;
	curs_set(0);
	ui_color = getenv("NO_COLOR") == NULL && has_colors() && start_color() == OK;
	ui_draw_setup(!ui_utf8, ui_color);
	if (ui_color)
		init_pair(UI_PAIR_QR, COLOR_WHITE, COLOR_BLACK);
	ui_clear_next = true;
	ui_dirty = true;
	return true;
}

void ui_stop(void)
{
	bool in_view;
	if (!ui_started)
		return;
	/* curses is already off while the one-record view shows */
	in_view = ui_record_view_stop();
	if (!in_view)
		curs_set(1);
	putp(ui_paste_off);
	fflush(stdout);
	if (!in_view)
		endwin();
	if (ui_winch_chained)
		sigaction(SIGWINCH, &ui_winch_curses, NULL);
	ui_winch_chained = false;
	delscreen(ui_screen);
	ui_screen = NULL;
	ui_started = false;
}

void ui_invalidate(void)
{
	ui_dirty = true;
}

/* The checks the wizard makes by itself, on a timer (not asked for by a
 * key): their busy line waits UI_BUSY_QUIET_MS. */
static bool ui_busy_quiet(enum wizard_request r)
{
	return r == REQ_DNS_CHECK || r == REQ_DOMAIN_VERIFY || r == REQ_SIGNATURE_POLL;
}

/* The request the busy line shows now, or REQ_NONE. */
static enum wizard_request ui_busy_shown(const struct wizard *w, const struct ui_view *v)
{
	if (w->busy == REQ_NONE || !ui_busy_quiet(w->busy) || w->busy_since_ms <= 0 ||
	    v->now_ms - w->busy_since_ms >= UI_BUSY_QUIET_MS)
		return w->busy;
	return REQ_NONE;
}

static const struct screen *ui_screen_of(const struct wizard *w)
{
	return (unsigned)w->step < STEP__COUNT ? ui_screens[w->step] : NULL;
}

/* What of the clock the frame shows now, and in *wake_ms the ms until the
 * earliest change of it (-1: none by itself). */
static struct ui_tick ui_frame_tick(const struct wizard *w, const struct ui_view *v, int *wake_ms)
{
	const struct screen *s = ui_screen_of(w);
	struct ui_tick t = {w->step, REQ_NONE, 0, 0, 0};
	int wake = -1, screen_wake = -1;
	t.busy = ui_busy_shown(w, v);
	if (t.busy != REQ_NONE) {
		t.spin = v->now_ms / UI_SPIN_MS;
		t.busy_secs = w->busy_since_ms > 0 ? (v->now_ms - w->busy_since_ms) / 1000 : 0;
		wake = UI_SPIN_MS - (int)(v->now_ms % UI_SPIN_MS);
	} else if (w->busy != REQ_NONE) {
		wake = (int)(w->busy_since_ms + UI_BUSY_QUIET_MS - v->now_ms); /* it shows then */
	}
	if (s && s->tick) {
		t.screen = s->tick(w, v, &screen_wake);
		if (screen_wake >= 0 && (wake < 0 || screen_wake < wake))
			wake = screen_wake;
	}
	*wake_ms = wake;
	return t;
}

bool ui_has_color(void)
{
	return ui_color;
}

bool ui_too_small(void)
{
	return COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS;
}

/* The steps shown in the step indicator for the option being followed. */
static size_t frame_path(const struct wizard *w, enum wizard_step *path)
{
	size_t n = 0;
	int s;
	path[n++] = STEP_WELCOME;
	path[n++] = STEP_CHOOSE;
	/* the option's steps, in the order of the step table */
	for (s = 0; s < STEP__COUNT && w->option != OPTION_NONE; s++)
		if (wizard_step_option((enum wizard_step)s) == w->option)
			path[n++] = (enum wizard_step)s;
	if (n == 2)
		path[n++] = STEP__COUNT; /* "set up": the option's steps */
	path[n++] = STEP_DONE;
	return n;
}

void ui_frame_title(const char *vendor_name, bool demo)
{
	char buf[512];
	int badge = 0;
	ui_style_on(STYLE_TITLE);
	mvhline(0, 0, ' ', COLS);
	text_fmt(buf, sizeof buf, "frame.title", vendor_name, text_get("app.title"),
		 ui_glyph(GLYPH_DOT));
	if (demo)
		badge = ui_width(text_get("app.demo_badge")) + 3;
	ui_print_fit(0, 1, COLS - 2 - badge, buf);
	if (demo) {
		attron(A_REVERSE);
		mvaddch(0, COLS - badge, ' ');
		ui_print(0, COLS - badge + 1, badge - 2, text_get("app.demo_badge"));
		addch(' ');
		attroff(A_REVERSE);
	}
	ui_style_off(STYLE_TITLE);
}

/* Row 0: vendor, program, demo badge; row 1: where the customer is. */
static void frame_top(const struct wizard *w)
{
	enum wizard_step path[STEP__COUNT + 3];
	size_t n = frame_path(w, path), i, here = 1;
	enum wizard_step at = w->step;
	char buf[512];
	int x = 1;

	ui_frame_title(w->cfg.vendor_name, w->cfg.demo);
	if (at == STEP_ADVISOR || at == STEP_SWITCH)
		at = STEP_CHOOSE;
	for (i = 0; i < n; i++)
		if (path[i] == at)
			here = i;
	for (i = 0; i < n && x < COLS - 1; i++) {
		char id[64];
		if (i) {
			ui_style_on(STYLE_DIM);
			x += ui_print(1, x + 1, COLS - x - 1, ui_glyph(GLYPH_SEPARATOR)) + 2;
			ui_style_off(STYLE_DIM);
		}
		snprintf(id, sizeof id, "steps.%s",
			 path[i] == STEP__COUNT ? "setup" : wizard_step_word(path[i]));
		ui_style_on(i == here ? STYLE_SELECTED : i < here ? STYLE_OK : STYLE_DIM);
		x += ui_print(1, x, COLS - x - 1, text_get(id));
		ui_style_off(i == here ? STYLE_SELECTED : i < here ? STYLE_OK : STYLE_DIM);
	}
	if (w->option != OPTION_NONE && x < COLS - 20) {
		char id[64];
		snprintf(id, sizeof id, "frame.option%d", (int)w->option);
		text_fmt(buf, sizeof buf, id, NULL, NULL, NULL);
		ui_style_on(STYLE_DIM);
		ui_print(1, COLS - 1 - ui_width(buf), ui_width(buf), buf);
		ui_style_off(STYLE_DIM);
	}
}

/* Rows the notice needs beyond the one or two the frame keeps for it: the
 * body gives them up, so that every message is shown whole. */
static int frame_notice_extra(const struct wizard *w)
{
	int keep = ui_tick.busy != REQ_NONE ? 1 : 2, rows, most = LINES - 12;
	if (!w->notice[0] || w->notice_kind == NOTICE_NONE)
		return 0;
	rows = ui_wrap_rows(COLS - 4, w->notice);
	if (rows > most + keep)
		rows = most + keep; /* far past any message: the body keeps 6 rows */
	return rows > keep ? rows - keep : 0;
}

/* The busy line (row LINES-2) of the frame's tick: spinner, what is under
 * way, for how long.  Clears the row first (a tick redraws only it). */
static void frame_busy(const struct wizard *w)
{
	static const char *const spin_utf8[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
	static const char *const spin_ascii[] = {"|", "/", "-", "\\"};
	char id[64], buf[256];
	int64_t t = ui_tick.spin, secs = ui_tick.busy_secs;
	const char *frame = ui_ascii() ? spin_ascii[t % 4] : spin_utf8[t % 10];
	if (ui_tick.busy == REQ_NONE)
		return;
	mvhline(LINES - 2, 0, ' ', COLS);
	snprintf(id, sizeof id, "busy.%s", wizard_request_word(ui_tick.busy));
	if (secs >= 3 && w->busy_since_ms > 0) {
		char n[24];
		snprintf(n, sizeof n, "%lld", (long long)secs);
		text_fmt(buf, sizeof buf, "frame.busy_long", text_get(id), n, NULL);
	} else {
		text_fmt(buf, sizeof buf, "frame.busy", text_get(id), NULL, NULL);
	}
	ui_style_on(STYLE_KEY);
	ui_print(LINES - 2, 1, 1, frame);
	ui_style_off(STYLE_KEY);
	ui_print_fit(LINES - 2, 3, COLS - 4, buf);
}

/* The three bottom rows: notice, busy spinner, key hints (the notice grows
 * upwards when it needs more). */
static void frame_bottom(const struct wizard *w, const struct ui_view *v, const struct screen *s)
{
	int notice_rows = ui_tick.busy != REQ_NONE ? 1 : 2, global_w, y, i;
	int extra = frame_notice_extra(w);
	const char *global = "footer.global", *footer = "footer.none";
	char spec[512];

	if (w->notice[0] && w->notice_kind != NOTICE_NONE) {
		enum ui_style st = w->notice_kind == NOTICE_ERROR ? STYLE_ERROR : STYLE_OK;
		if (ui_wrap_rows(COLS - 4, w->notice) < notice_rows)
			notice_rows = 1;
		notice_rows += extra;
		y = LINES - 3 - extra;
		for (i = 0; i < notice_rows; i++)
			mvhline(y + i, 0, ' ', COLS);
		ui_style_on(st);
		ui_print(y, 1, 1, w->notice_kind == NOTICE_ERROR ? "!" : ui_glyph(GLYPH_BULLET));
		ui_wrap(y, 3, COLS - 4, notice_rows, w->notice);
		ui_style_off(st);
	} else if (v->caption && v->caption[0]) {
		/* the demo's caption, where a notice would be */
		if (ui_wrap_rows(COLS - 4, v->caption) < notice_rows)
			notice_rows = 1;
		ui_style_on(STYLE_OK);
		ui_print(LINES - 3, 1, 1, ui_glyph(GLYPH_BULLET));
		ui_wrap(LINES - 3, 3, COLS - 4, notice_rows, v->caption);
		ui_style_off(STYLE_OK);
	}
	frame_busy(w);
	/* the global keys (help, quit) always show, at the right */
	if (s && s->typing && s->typing(w))
		global = "footer.typing";
	else if (s && s->global)
		global = s->global;
	if (s && s->footer_now)
		footer = s->footer_now(w);
	else if (s && s->footer)
		footer = s->footer;
	snprintf(spec, sizeof spec, "%s", text_get(global));
	mvhline(LINES - 1, 0, ' ', COLS);
	global_w = ui_keys_width(spec);
	ui_keys(LINES - 1, COLS - 1 - global_w, global_w, spec);
	ui_keys(LINES - 1, 1, COLS - 4 - global_w, text_get(footer));
}

/* The help overlay: the keys, in a box over the body. */
static void overlay_help(void)
{
	const char *body = text_get("help.body");
	int width = COLS - 8 < 72 ? COLS - 8 : 72;
	int rows = ui_wrap_rows(width - 4, body);
	int height, top;
	if (rows > LINES - 6)
		rows = LINES - 6;
	height = rows + 4;
	top = (LINES - height) / 2;
	ui_box(top, (COLS - width) / 2, height, width);
	ui_style_on(STYLE_KEY);
	ui_print(top, (COLS - width) / 2 + 2, width - 4, text_get("help.title"));
	ui_style_off(STYLE_KEY);
	ui_wrap(top + 2, (COLS - width) / 2 + 2, width - 4, rows, body);
}

/* The quit overlay: progress is kept, y/n. */
static void overlay_quit(void)
{
	const char *q = text_get("quit.question");
	int width = COLS - 8 < 60 ? COLS - 8 : 60;
	int rows = ui_wrap_rows(width - 4, q);
	int height = rows + 5, top = (LINES - height) / 2, left = (COLS - width) / 2;
	ui_box(top, left, height, width);
	ui_style_on(STYLE_KEY);
	ui_print(top, left + 2, width - 4, text_get("quit.title"));
	ui_style_off(STYLE_KEY);
	ui_wrap(top + 2, left + 2, width - 4, rows, q);
	ui_keys(top + 3 + rows, left + 2, width - 4, text_get("quit.keys"));
}

/* Below 80x24 nothing else fits: say what is needed and what there is. */
static void draw_too_small(void)
{
	char need_c[16], need_r[16], cols[16], rows[16], buf[512];
	const char *args[4] = {need_c, need_r, cols, rows};
	snprintf(need_c, sizeof need_c, "%d", UI_MIN_COLS);
	snprintf(need_r, sizeof need_r, "%d", UI_MIN_ROWS);
	snprintf(cols, sizeof cols, "%d", COLS);
	snprintf(rows, sizeof rows, "%d", LINES);
	text_format(buf, sizeof buf, text_get("small.message"), args, 4);
	ui_wrap(0, 0, COLS, LINES, buf);
}

/* The cursor where the frame's focused field wants it, or hidden.  Hidden,
 * it is still moved back at the end of each update (one write more): left
 * at the end of the last change (leaveok), it may sit past the last
 * column, where whatever the terminal prints after a killed session would
 * wrap (test_ssh_no_shell's "[ssh exited"). */
static void ui_place_cursor(void)
{
	int y, x;
	if (ui_overlay == OVERLAY_NONE && ui_cursor_get(&y, &x)) {
		move(y, x);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

static bool ui_tick_equal(const struct ui_tick *a, const struct ui_tick *b)
{
	return a->step == b->step && a->busy == b->busy && a->spin == b->spin &&
	       a->busy_secs == b->busy_secs && a->screen == b->screen;
}

/* Only the clock moved since the last frame (tick differs in the spinner
 * or the screen's countdown, not in the layout): redraws just those rows
 * when nothing covers them; false when the whole frame must be drawn. */
static bool ui_draw_tick(const struct wizard *w, const struct ui_view *v, const struct screen *s,
			 const struct ui_tick *t)
{
	if (t->step != ui_tick.step || t->busy != ui_tick.busy || ui_overlay != OVERLAY_NONE ||
	    ui_too_small() || w->export.view != EXPORT_VIEW_CLOSED)
		return false;
	if (t->screen != ui_tick.screen && (!s || !s->draw_tick))
		return false;
	ui_tick = *t;
	if (s && s->draw_tick)
		s->draw_tick(w, v, 3, LINES - 6 - frame_notice_extra(w));
	frame_busy(w);
	move(ui_frame_y, ui_frame_x); /* the hidden cursor ends where it did */
	ui_place_cursor();
	wnoutrefresh(stdscr);
	doupdate();
	return true;
}

void ui_draw(const struct wizard *w, const struct ui_view *v)
{
	const struct screen *s = ui_screen_of(w);
	int wake;
	struct ui_tick tick = ui_frame_tick(w, v, &wake);
	if (!ui_started || ui_record_view_draw(w))
		return;
	if (!ui_dirty && !ui_clear_next) {
		if (ui_tick_equal(&tick, &ui_tick) || ui_draw_tick(w, v, s, &tick))
			return;
	}
	ui_dirty = false;
	ui_tick = tick;
	if (ui_clear_next) {
		clearok(curscr, TRUE);
		ui_clear_next = false;
	}
	erase();
	ui_cursor_reset();
	if (ui_too_small()) {
		draw_too_small();
		if (ui_overlay == OVERLAY_QUIT && LINES >= 8 && COLS >= 30)
			overlay_quit();
		curs_set(0);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	frame_top(w);
	if (s && s->draw)
		s->draw(w, v, 3, LINES - 6 - frame_notice_extra(w));
	frame_bottom(w, v, s);
	if (w->export.view != EXPORT_VIEW_CLOSED) {
		ui_cursor_reset(); /* the dialog's field has the cursor, not the screen's */
		ui_export_draw(w, v);
	}
	if (ui_overlay == OVERLAY_HELP)
		overlay_help();
	else if (ui_overlay == OVERLAY_QUIT)
		overlay_quit();
	getyx(stdscr, ui_frame_y, ui_frame_x);
	ui_place_cursor();
	wnoutrefresh(stdscr);
	doupdate();
}

int ui_wake_ms(const struct wizard *w, const struct ui_view *v)
{
	int wake;
	if (!ui_started || ui_record_view_active())
		return -1;
	ui_frame_tick(w, v, &wake);
	if (w->busy == REQ_NONE && (ui_too_small() || ui_overlay != OVERLAY_NONE))
		return -1; /* the countdowns are hidden */
	return wake;
}

/* UTF-8 for one code point; returns bytes written (0 for none). */
static size_t key_utf8(wint_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c >= 0xd800 && c <= 0xdfff)
		return 0;
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	if (c > 0x10ffff)
		return 0;
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static bool key_is_backspace(const struct ui_key *k)
{
	return (k->is_function && k->code == KEY_BACKSPACE) ||
	       (!k->is_function && (k->code == 0x7f || k->code == 0x08));
}

/* Outside a UTF-8 locale curses hands over the bytes the terminal sent one
 * by one; most terminals send UTF-8 anyway, so the bytes of a character are
 * gathered and inserted whole (a broken sequence is dropped). */
static enum ui_action field_key_byte(struct field *f, unsigned char byte)
{
	static unsigned char pending[4];
	static size_t npending;
	unsigned cp;
	if ((byte & 0xc0) != 0x80)
		npending = 0; /* a lead byte starts a new character */
	if (npending == sizeof pending)
		npending = 0;
	pending[npending++] = byte;
	if (utf8_decode(pending, npending, &cp) == npending) {
		field_insert(f, (const char *)pending, npending);
		npending = 0;
		return ACTION_REDRAW;
	}
	return ACTION_STAY;
}

enum ui_action ui_field_key(struct field *f, const struct ui_key *k)
{
	bool held = ui_backspace_held;
	ui_backspace_held = false;
	if (k->is_function && k->code == UI_KEY_PASTE_NEWLINE) {
		field_set_error(f, INPUT_PASTE_NEWLINE, NULL);
		return ACTION_REDRAW;
	}
	if (key_is_backspace(k)) {
		if (field_backspace(f)) {
			ui_backspace_held = true;
			return ACTION_REDRAW;
		}
		return held || f->len ? ACTION_STAY : ACTION_BACK;
	}
	if (k->is_function) {
		switch (k->code) {
		case KEY_LEFT:
			field_left(f);
			return ACTION_REDRAW;
		case KEY_RIGHT:
			field_right(f);
			return ACTION_REDRAW;
		case KEY_HOME:
			field_home(f);
			return ACTION_REDRAW;
		case KEY_END:
			field_end(f);
			return ACTION_REDRAW;
		case KEY_DC:
			field_delete(f);
			return ACTION_REDRAW;
		default:
			return ACTION_NONE;
		}
	}
	switch (k->code) {
	case KEY_CTRL('a'):
		field_home(f);
		return ACTION_REDRAW;
	case KEY_CTRL('e'):
		field_end(f);
		return ACTION_REDRAW;
	case KEY_CTRL('u'):
		field_kill_to_start(f);
		return ACTION_REDRAW;
	case KEY_CTRL('w'):
		field_kill_word(f);
		return ACTION_REDRAW;
	case KEY_CTRL('d'):
		field_delete(f);
		return ACTION_REDRAW;
	default:
		break;
	}
	if (ui_ascii() && k->code >= 0x80 && k->code <= 0xff)
		return field_key_byte(f, (unsigned char)k->code);
	if (k->code >= 0x20 && k->code != 0x7f && !(k->code >= 0x80 && k->code < 0xa0)) {
		char buf[4];
		size_t n = key_utf8(k->code, buf);
		if (n)
			field_insert(f, buf, n);
		return ACTION_REDRAW;
	}
	return ACTION_NONE;
}

static bool key_is_char(const struct ui_key *k, wint_t c)
{
	return !k->is_function && k->code == c;
}

static bool key_is_enter(const struct ui_key *k)
{
	return (k->is_function && k->code == KEY_ENTER) ||
	       (!k->is_function && (k->code == '\r' || k->code == '\n'));
}

/* A command letter typed in upper case (Shift, Caps Lock) is the same
 * command: k becomes lower case; false when it was not an upper-case letter. */
static bool key_lower(struct ui_key *k)
{
	if (k->is_function || k->code < 'A' || k->code > 'Z')
		return false;
	k->code += 'a' - 'A';
	return true;
}

/* Keys of the quit overlay: y quits, n or Esc stays, a second Ctrl-C quits. */
static enum ui_action route_quit(const struct ui_key *key)
{
	struct ui_key k = *key;
	key_lower(&k);
	if (key_is_char(&k, 'y') || key_is_char(&k, KEY_CTRL('c')))
		return ACTION_QUIT;
	if (key_is_char(&k, 'n') || key_is_char(&k, 27) || key_is_char(&k, 'q'))
		ui_overlay = OVERLAY_NONE;
	return ACTION_REDRAW;
}

/* Global keys for when the screen is not typing: single letters (already
 * in lower case). */
static enum ui_action route_letters(const struct wizard *w, const struct ui_key *k)
{
	if (k->is_function)
		return ACTION_STAY;
	switch (k->code) {
	case 'q':
		ui_overlay = OVERLAY_QUIT;
		return ACTION_REDRAW;
	case '?':
		ui_overlay = OVERLAY_HELP;
		return ACTION_REDRAW;
	case 's':
		return ACTION_SWITCH;
	case 'e':
		return ACTION_EXPORT;
	case 'c':
		return ACTION_CHECK;
	case 'n':
		return w->cfg.demo ? ACTION_DEMO : ACTION_STAY;
	default:
		return ACTION_STAY;
	}
}

/* The key function of what is in front: the export dialog, else the screen. */
static enum ui_action route_front(struct wizard *w, const struct screen *s, const struct ui_key *k)
{
	if (w->export.view != EXPORT_VIEW_CLOSED)
		return ui_export_key(w, k);
	return s && s->key ? s->key(w, k) : ACTION_NONE;
}

/* The cursor of the list in front (the dialog's, else the step's), or NULL
 * when there is no list. */
static int *list_cursor(struct wizard *w)
{
	if (w->export.view != EXPORT_VIEW_CLOSED)
		return w->export.view == EXPORT_VIEW_SEND || w->export.shown ? NULL
									     : &w->export.cursor;
	switch (w->step) {
	case STEP_CHOOSE:
		return &w->choose_cursor;
	case STEP_ADVISOR:
		return &w->advisor_cursor;
	case STEP_RECORDS:
		return &w->records_cursor;
	case STEP_SWITCH:
		return &w->switch_cursor;
	default:
		return NULL;
	}
}

static bool key_is_jump(const struct ui_key *k)
{
	return k->is_function && (k->code == KEY_HOME || k->code == KEY_END ||
				  k->code == KEY_PPAGE || k->code == KEY_NPAGE);
}

/* Home, End, PgUp, PgDn in a list: Up or Down for as long as the cursor
 * moves that way (a screenful of rows at most for PgUp and PgDn), through
 * the list's own key function so that its limits hold.  A list that wraps
 * around stops at its end instead. */
static enum ui_action route_jump(struct wizard *w, const struct screen *s, const struct ui_key *k)
{
	int *cursor = list_cursor(w);
	bool up = k->code == KEY_HOME || k->code == KEY_PPAGE;
	int moves = k->code == KEY_PPAGE || k->code == KEY_NPAGE ? LINES - 6 : UI_LIST_MAX;
	struct ui_key step;
	if (!cursor)
		return ACTION_STAY;
	step.code = up ? KEY_UP : KEY_DOWN;
	step.is_function = true;
	while (moves-- > 0) {
		int before = *cursor;
		route_front(w, s, &step);
		if (up ? *cursor >= before : *cursor <= before) {
			*cursor = before; /* at the end already, or wrapped around */
			break;
		}
	}
	return ACTION_REDRAW;
}

/* Where pasted text goes: the focused field; false when none has focus. */
static bool paste_has_field(const struct wizard *w, const struct screen *s)
{
	if (ui_overlay != OVERLAY_NONE || ui_too_small())
		return false;
	if (w->export.view != EXPORT_VIEW_CLOSED)
		return w->export.view == EXPORT_VIEW_SEND;
	return s && s->typing && s->typing(w);
}

/* A key inside a bracketed paste: text for the focused field, never a
 * command.  Line breaks are left out (the field says so at the end of the
 * paste), a tab is a space, other controls and function keys are dropped. */
static void route_paste(struct wizard *w, const struct screen *s, const struct ui_key *k)
{
	struct ui_key ch = *k;
	if (k->is_function)
		return;
	if (k->code == '\r' || k->code == '\n') {
		ui_paste_newline = true;
		return;
	}
	if (k->code == '\t')
		ch.code = ' ';
	else if (k->code < 0x20 || k->code == 0x7f)
		return;
	if (!paste_has_field(w, s)) {
		ui_paste_ignored = true;
		return;
	}
	route_front(w, s, &ch);
}

/* The end of a paste: the field says its line breaks were left out; a paste
 * no field took is named in the notice line. */
static void paste_end(struct wizard *w, const struct screen *s)
{
	ui_pasting = false;
	if (ui_paste_newline && paste_has_field(w, s)) {
		struct ui_key nl = {UI_KEY_PASTE_NEWLINE, true};
		route_front(w, s, &nl);
	} else if (ui_paste_newline) {
		ui_paste_ignored = true;
	}
	if (ui_paste_ignored) {
		w->notice_kind = NOTICE_INFO;
		str_copy(w->notice, sizeof w->notice, text_get("paste.no_field"));
	}
}

/* One key: paste, overlay, then keys that work even while typing, then the
 * screen, then Esc/Enter, then single-letter commands. */
static enum ui_action ui_route(struct wizard *w, const struct ui_key *k)
{
	const struct screen *s = (unsigned)w->step < STEP__COUNT ? ui_screens[w->step] : NULL;

	if (k->is_function && k->code == KEY_RESIZE) {
		ui_clear_next = true;
		return ACTION_REDRAW;
	}
	if (k->is_function && k->code == UI_KEY_PASTE_BEGIN) {
		ui_pasting = true;
		ui_paste_newline = false;
		ui_paste_ignored = false;
		return ACTION_REDRAW;
	}
	if (k->is_function && k->code == UI_KEY_PASTE_END) {
		if (ui_pasting)
			paste_end(w, s);
		return ACTION_REDRAW;
	}
	if (ui_pasting) {
		route_paste(w, s, k);
		return ACTION_REDRAW;
	}
	if (ui_overlay == OVERLAY_QUIT)
		return route_quit(k);
	if (key_is_char(k, KEY_CTRL('c')) || key_is_char(k, KEY_CTRL('q'))) {
		ui_overlay = OVERLAY_QUIT;
		return ACTION_REDRAW;
	}
	if (ui_overlay == OVERLAY_HELP) {
		ui_overlay = OVERLAY_NONE;
		return ACTION_REDRAW;
	}
	if (key_is_char(k, KEY_CTRL('l'))) {
		ui_clear_next = true;
		return ACTION_REDRAW;
	}
	if (ui_too_small()) {
		if (key_is_char(k, 'q') || key_is_char(k, 'Q'))
			ui_overlay = OVERLAY_QUIT;
		return ACTION_REDRAW;
	}
	return ui_route_step_key(w, k);
}

enum ui_action ui_route_step_key(struct wizard *w, const struct ui_key *k)
{
	const struct screen *s = (unsigned)w->step < STEP__COUNT ? ui_screens[w->step] : NULL;
	struct ui_key lower = *k;
	enum ui_action a;
	bool typing;

	if (k->is_function && k->code == KEY_F(1)) {
		ui_overlay = OVERLAY_HELP;
		return ACTION_REDRAW;
	}
	if (w->export.view != EXPORT_VIEW_CLOSED) {
		/* the form types; the sent email scrolls by its own PgUp/PgDn */
		if (w->export.view == EXPORT_VIEW_SEND || w->export.view == EXPORT_VIEW_SENT)
			return ui_export_key(w, k);
		if (key_is_jump(k))
			return route_jump(w, s, k);
		key_lower(&lower);
		return ui_export_key(w, &lower);
	}
	typing = s && s->typing && s->typing(w);
	if (s && s->key) {
		a = s->key(w, k);
		if (a != ACTION_NONE)
			return a;
		/* an upper-case letter the screen does not know: its lower case */
		if (!typing && key_lower(&lower)) {
			a = s->key(w, &lower);
			if (a != ACTION_NONE)
				return a;
		}
	}
	if (key_is_char(k, 27))
		return ACTION_BACK;
	if (key_is_enter(k))
		return ACTION_NEXT;
	if (typing)
		return ACTION_STAY;
	if (key_is_jump(k))
		return route_jump(w, s, k);
	key_lower(&lower);
	return route_letters(w, &lower);
}

/* The next key curses holds (non-blocking); false when there is none. */
static bool ui_next_key(struct ui_key *k)
{
	wint_t ch;
	int r;
	if (ui_ascii()) {
		/* Outside UTF-8 the C library cannot decode what the terminal sends
		 * (get_wch would swallow it): bytes, gathered by the fields
		 * (field_key_byte). */
		r = getch();
		if (r == ERR)
			return false;
		ch = (wint_t)r;
		r = r >= KEY_MIN ? KEY_CODE_YES : OK;
	} else {
		r = get_wch(&ch);
		if (r == ERR)
			return false;
	}
	k->code = ch;
	k->is_function = r == KEY_CODE_YES;
	return true;
}

bool ui_resized(void)
{
	return ui_started && ui_winch_seen;
}

bool ui_read_wanted(void)
{
	/* without the handler (sigaction refused) every wake reads, as before */
	return ui_started && (ui_winch_seen || !ui_winch_chained);
}

enum ui_action ui_read_key(struct wizard *w, const struct ui_view *v)
{
	enum ui_action result = ACTION_NONE;
	if (!ui_started)
		return ACTION_NONE;
	ui_winch_seen = 0; /* curses reports it below */
	if (ui_record_view_active())
		return ui_record_view_read(w);
	for (;;) {
		struct ui_key k;
		enum ui_action a;
		if (!ui_next_key(&k))
			break;
		ui_dirty = true; /* a key may change anything on screen: cheap to redraw */
		if (ui_pasting && v->now_ms - ui_paste_last_ms > UI_PASTE_QUIET_MS)
			paste_end(w, (unsigned)w->step < STEP__COUNT ? ui_screens[w->step] : NULL);
		ui_paste_last_ms = v->now_ms;
		a = ui_route(w, &k);
		switch (a) {
		case ACTION_NONE:
		case ACTION_STAY:
			break;
		case ACTION_REDRAW:
			result = ACTION_REDRAW;
			break;
		default:
			return a;
		}
	}
	return result;
}

/* ---- the enrollment screen (over SSH, before a customer is known) ---- */

void ui_enroll_draw(const struct ui_enroll *e)
{
	int y, x;
	if (!ui_started || (!ui_dirty && !ui_clear_next))
		return;
	ui_dirty = false;
	if (ui_clear_next) {
		clearok(curscr, TRUE);
		ui_clear_next = false;
	}
	erase();
	ui_cursor_reset();
	if (ui_too_small()) {
		draw_too_small();
	} else {
		ui_frame_title(e->vendor_name, e->demo);
		ui_style_on(STYLE_SELECTED);
		ui_print(1, 1, COLS - 2, text_get("enroll.step"));
		ui_style_off(STYLE_SELECTED);
		screen_enroll_draw(e, 3, LINES - 6);
		if (e->notice[0] && !e->notice_error) { /* a refusal is under the field */
			enum ui_style st = e->notice_error ? STYLE_ERROR : STYLE_OK;
			ui_style_on(st);
			ui_print(LINES - 3, 1, 1, e->notice_error ? "!" : ui_glyph(GLYPH_BULLET));
			ui_wrap(LINES - 3, 3, COLS - 4, 2, e->notice);
			ui_style_off(st);
		}
		{
			const char *global = text_get("enroll.footer_global");
			int global_w = ui_keys_width(global);
			ui_keys(LINES - 1, COLS - 1 - global_w, global_w, global);
			ui_keys(LINES - 1, 1, COLS - 4 - global_w, text_get("enroll.footer"));
		}
	}
	if (ui_cursor_get(&y, &x)) {
		move(y, x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

enum ui_action ui_enroll_read(struct ui_enroll *e, bool *typed)
{
	enum ui_action result = ACTION_NONE;
	*typed = false;
	if (!ui_started)
		return ACTION_NONE;
	for (;;) {
		struct ui_key k;
		enum ui_action a;
		if (!ui_next_key(&k))
			break;
		*typed = true;
		ui_dirty = true;
		if (k.is_function && k.code == KEY_RESIZE) {
			ui_clear_next = true;
			result = ACTION_REDRAW;
			continue;
		}
		if (key_is_char(&k, KEY_CTRL('l'))) {
			ui_clear_next = true;
			result = ACTION_REDRAW;
			continue;
		}
		/* Too small, the field is hidden: nothing typed lands in it unseen;
		 * only the ways out work. */
		if (ui_too_small() && !key_is_char(&k, KEY_CTRL('c')) &&
		    !key_is_char(&k, KEY_CTRL('q')) && !key_is_char(&k, 27))
			continue;
		a = screen_enroll_key(e, &k);
		if (a == ACTION_NEXT || a == ACTION_QUIT)
			return a;
		if (a != ACTION_NONE)
			result = ACTION_REDRAW;
	}
	return result;
}
