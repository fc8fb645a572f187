/* The ncurses front end.  One file per screen (screen_<name>.c) with a draw
 * function that reads the model (const, no I/O) and a key function that
 * edits the model's fields or returns an action for the loop.  ui.c owns the
 * terminal: the frame, overlays (help, quit, terminal too small), resize,
 * colours and the ASCII fallback, and routes keys. */
#ifndef BEHALF_UI_UI_H
#define BEHALF_UI_UI_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "core/wizard.h"

/* What a key asks of the application loop. */
enum ui_action {
	ACTION_NONE,	    /* key not taken by the screen: ui.c tries global keys */
	ACTION_STAY,	    /* taken; nothing visible changed */
	ACTION_REDRAW,	    /* taken; the model changed: redraw */
	ACTION_NEXT,	    /* Enter: loop calls wizard_next() */
	ACTION_BACK,	    /* loop calls wizard_back() */
	ACTION_SWITCH,	    /* loop calls wizard_switch() */
	ACTION_CHECK,	    /* check DNS now */
	ACTION_RESEND,	    /* resend the confirmation email */
	ACTION_DEMO,	    /* presenter: advance the demo scenario / simulate the click */
	ACTION_DEMO_RESET,  /* presenter, on the welcome screen: start the demo over */
	ACTION_EXPORT,	    /* open the export dialog (issue 5) */
	ACTION_EXPORT_FILE, /* dialog: write the file in format export.cursor */
	ACTION_EXPORT_SEND, /* dialog: send the form (wizard_export_send) */
	ACTION_EXPORT_COPY, /* dialog: OSC 52 of copy value export.cursor */
	ACTION_EXPORT_QR,   /* dialog: make the QR code of row export.cursor */
	ACTION_QUIT,	    /* quit confirmed: save and leave */
};

/* One key as read by get_wch: a character or a KEY_* code. */
struct ui_key {
	wint_t code;
	bool is_function; /* KEY_* code (get_wch returned KEY_CODE_YES) */
};

/* A function key of our own (beyond curses' KEY_* codes), given to the
 * focused field's key function at the end of a bracketed paste whose line
 * breaks were left out: ui_field_key says so at the field. */
#define UI_KEY_PASTE_NEWLINE 0x7001

/* What the export dialog shows that the model does not hold: the QR code
 * the loop made (export/qr.h), owned by the loop. */
struct ui_export_view {
	const char *qr; /* its lines, or NULL */
	int qr_cols;	/* columns and rows of the code */
	int qr_rows;
	bool qr_too_big;    /* the text does not fit in any QR code */
	char qr_title[256]; /* what the code holds, in words */
};

/* What the screens need besides the model. */
struct ui_view {
	int64_t now_ms;			     /* monotonic, for "next check in N s", spinners */
	int64_t wall_ms;		     /* wall clock, for resend cooldown */
	bool ascii;			     /* no UTF-8 line drawing */
	bool color;			     /* colours allowed (has_colors and no NO_COLOR) */
	const struct ui_export_view *export; /* may be NULL */
	const char *caption;		     /* --demo: the presenter's caption, NULL or "" */
};

/* A screen: one per wizard step (tmux's window_mode table). */
struct screen {
	const char *name;
	/* Draws the body in rows [top, top+height) of stdscr, full width. */
	void (*draw)(const struct wizard *w, const struct ui_view *v, int top, int height);
	/* Handles a key; returns ACTION_NONE to let ui.c handle it globally. */
	enum ui_action (*key)(struct wizard *w, const struct ui_key *k);
	/* True when the focused control is a text field (printable keys are
	 * typed, so q, ?, s, c... are not commands).  May be NULL: never. */
	bool (*typing)(const struct wizard *w);
	/* Footer key hints "KEY:label|..." (ui_keys): a text id in
	 * assets/text/screens.ini. */
	const char *footer;
	/* The footer's text id for what the screen shows now, when its keys
	 * change with it (a question answered, an email confirmed).  May be
	 * NULL: footer. */
	const char *(*footer_now)(const struct wizard *w);
	/* Text id of the global key hints shown when not typing.  NULL:
	 * "footer.global" (s, ?, q). */
	const char *global;
	/* What of the clock the screen shows (a countdown): a value that
	 * changes exactly when that text does, and in *wake_ms the
	 * milliseconds until it next changes (-1: not by itself).  May be
	 * NULL: the screen shows no clock. */
	int64_t (*tick)(const struct wizard *w, const struct ui_view *v, int *wake_ms);
	/* Redraws only what tick covers, in the rows draw was given, over a
	 * frame drawn before (clearing what it redraws).  May be NULL: a
	 * change of tick redraws the whole screen. */
	void (*draw_tick)(const struct wizard *w, const struct ui_view *v, int top, int height);
};

extern const struct screen *const ui_screens[STEP__COUNT];

/* Starts curses (locale, colours, keypad, ASCII fallback); false with a
 * message on stderr when the terminal cannot be used. */
bool ui_start(void);
/* Ends curses, restoring the terminal. */
void ui_stop(void);
/* Draws everything (frame, screen, overlay) if something changed. */
void ui_draw(const struct wizard *w, const struct ui_view *v);
/* Marks the screen for redraw at the next ui_draw. */
void ui_invalidate(void);
/* Reads all pending keys (non-blocking) and routes them; returns the first
 * action that needs the loop (NEXT, BACK, SWITCH, CHECK, RESEND, DEMO,
 * EXPORT, QUIT), else ACTION_NONE/REDRAW.  It stops reading at that action
 * so that later keys reach the step it leads to: the loop acts on it and
 * calls again while keys may be pending. */
enum ui_action ui_read_key(struct wizard *w, const struct ui_view *v);
/* True when ui_read_key has something to report though no byte came on
 * the terminal: a resize (SIGWINCH) since it last read (always, when the
 * SIGWINCH handler could not be set).  The loop reads the keys when stdin
 * is readable, when curses may hold keys it read already, or when this
 * says so; not on every wake. */
bool ui_read_wanted(void);
/* True when a resize came that ui_read_key has not read yet: the loop does
 * not wait before reading it. */
bool ui_resized(void);
/* A key on the current step's screen (or the export dialog), once the
 * overlays, a paste and a terminal too small have had theirs: what it asks
 * of the loop (Esc not taken by the screen is ACTION_BACK).  No curses
 * call: the tests drive keys through it. */
enum ui_action ui_route_step_key(struct wizard *w, const struct ui_key *k);
/* Milliseconds until the screen changes by itself (spinner, "next check in
 * N s", resend countdown), or -1 when it does not: the loop's poll timeout. */
int ui_wake_ms(const struct wizard *w, const struct ui_view *v);
/* True when the terminal is too small (the screen says what size it needs). */
bool ui_too_small(void);
/* True when colours are in use. */
bool ui_has_color(void);
/* Colour pair of QR codes: white on black, so they scan on any theme. */
#define UI_PAIR_QR (STYLE__COUNT + 1)

/* The export dialog (screen_export.c), drawn and fed keys by ui.c while
 * w->export.view is not EXPORT_VIEW_CLOSED. */
void ui_export_draw(const struct wizard *w, const struct ui_view *v);
enum ui_action ui_export_key(struct wizard *w, const struct ui_key *k);
/* True when the dialog takes the whole screen (a QR code). */
bool ui_export_fullscreen(const struct wizard *w);

/* SERVER_MODE_ASK: the question "a server of your own?" asked before the
 * first resource is created (records and confirm steps; ui_server.c). */
void ui_server_question(const struct wizard *w, int top, int width);
enum ui_action ui_server_question_key(struct wizard *w, const struct ui_key *k);

/* The one-record view (ui_record_view.c): the selected record's Name and
 * Value printed outside curses, each alone on a line, so that the
 * terminal's own selection takes it exactly.  ui_record_view_open (a key
 * handler) asks for it; ui_draw calls ui_record_view_draw first, which
 * suspends curses and prints the page (true: nothing else to draw) or
 * hands back to curses once closed (false); while it is active
 * ui_read_key hands the keys to ui_record_view_read. */
void ui_record_view_open(void);
/* The one-click page ("a" on the records screen, issue 12), printed and
 * read the same way: the Domain Connect link of wizard_dc_offer as an
 * OSC 8 hyperlink, as plain text alone on its line, and (r) as a QR code;
 * it closes by itself once the records are in. */
void ui_oneclick_open(void);
bool ui_record_view_active(void);
bool ui_record_view_draw(const struct wizard *w);
enum ui_action ui_record_view_read(struct wizard *w);
/* Puts the terminal's modes back if the view holds them (ui_stop); true
 * when the view was showing (curses is already ended). */
bool ui_record_view_stop(void);

/* The enrollment screen over SSH (screen_enroll.c): a key that belongs to
 * no customer yet is shown with its fingerprint and a field for the invite
 * code, in the wizard's frame.  The loop (src/app/cmd_ssh_session.c) owns
 * the model and redeems the code; ui.c draws it and reads the keys. */
struct ui_enroll {
	const char *vendor_name; /* the title row */
	bool demo;		 /* the title row's badge */
	const char *fingerprint; /* "SHA256:...", the key sshd authenticated */
	struct field code;	 /* what the customer types */
	char notice[512];	 /* the last answer: a wrong code, a wait, "" */
	bool notice_error;	 /* shown as an error (else as information) */
};
/* Draws the enrollment screen (frame, body, notice, footer) when something
 * changed since the last draw. */
void ui_enroll_draw(const struct ui_enroll *e);
/* Reads every pending key (non-blocking): ACTION_NEXT for Enter (redeem
 * the code), ACTION_QUIT for Ctrl-C, Ctrl-Q or Esc, else ACTION_REDRAW or
 * ACTION_NONE.  *typed is set when a key came. */
enum ui_action ui_enroll_read(struct ui_enroll *e, bool *typed);
/* A key on the enrollment screen, without curses (screen_enroll.c). */
enum ui_action screen_enroll_key(struct ui_enroll *e, const struct ui_key *k);
/* Draws the enrollment screen's body in rows [top, top+height). */
void screen_enroll_draw(const struct ui_enroll *e, int top, int height);
/* The frame's title row (vendor, program, demo badge), the same on every
 * screen. */
void ui_frame_title(const char *vendor_name, bool demo);

/* Shared drawing helpers for screens (ui_draw.c). */
/* Prints UTF-8 text at (y, x), clipped to width columns; returns columns used. */
int ui_print(int y, int x, int width, const char *utf8);
/* Word-wraps UTF-8 text (with \n) into rows starting at y; returns rows used
 * (never more than max_rows). */
int ui_wrap(int y, int x, int width, int max_rows, const char *utf8);
/* Draws a text field with its cursor (when focused) and its error below
 * (wrapped, at most 3 rows); returns rows used (1, or up to 4 with an error). */
int ui_field(int y, int x, int width, const char *label, const struct field *f, bool focused);
/* ui_field for a field of a kind ("domain", "email", "name"): its error
 * text is "input.<kind>_<word>" when that exists, else "input.<word>". */
int ui_field_as(int y, int x, int width, const char *label, const struct field *f, bool focused,
		const char *kind);
/* Display width in columns of UTF-8 text. */
int ui_width(const char *utf8);

/* Colour pairs / attributes, degraded to A_BOLD / A_REVERSE without colour. */
enum ui_style {
	STYLE_NORMAL,
	STYLE_TITLE,
	STYLE_DIM,
	STYLE_OK,
	STYLE_WARN,
	STYLE_ERROR,
	STYLE_SELECTED,
	STYLE_KEY,
	STYLE__COUNT
};
void ui_style_on(enum ui_style s);
void ui_style_off(enum ui_style s);

/* Symbols with an ASCII fallback when the terminal is not UTF-8. */
enum ui_glyph {
	GLYPH_CHECK,
	GLYPH_CROSS,
	GLYPH_WAIT,
	GLYPH_BULLET,
	GLYPH_POINTER,
	GLYPH_SEPARATOR,
	GLYPH_HLINE,
	GLYPH_VLINE,
	GLYPH_CORNER,
	GLYPH_ELLIPSIS,
	GLYPH_RADIO_ON,
	GLYPH_RADIO_OFF,
	GLYPH_LEFT,
	GLYPH_RIGHT,
	GLYPH_DOT,
	GLYPH__COUNT
};
/* The symbol (UTF-8 or ASCII); static, never NULL. */
const char *ui_glyph(enum ui_glyph g);
/* Chooses UTF-8 or ASCII symbols and colour or attributes (ui_start). */
void ui_draw_setup(bool ascii, bool color);
/* True when symbols and text are drawn in ASCII only. */
bool ui_ascii(void);

/* Like ui_print, but ends with an ellipsis when the text does not fit. */
int ui_print_fit(int y, int x, int width, const char *utf8);
/* Like ui_wrap but breaks anywhere, not at blanks (values to copy exactly). */
int ui_wrap_chars(int y, int x, int width, int max_rows, const char *utf8);
/* Rows ui_wrap would use for text at width (no limit, nothing drawn). */
int ui_wrap_rows(int width, const char *utf8);
/* text_fmt(id, a1, a2, a3) then ui_wrap; returns rows used. */
int ui_text(int y, int x, int width, int max_rows, const char *id, const char *a1, const char *a2,
	    const char *a3);
/* Draws key hints "KEY:label|KEY:label" (keys in STYLE_KEY); returns columns used. */
int ui_keys(int y, int x, int width, const char *spec);
/* Columns ui_keys needs to draw all of spec. */
int ui_keys_width(const char *spec);
/* Clears a rectangle and draws a border around it. */
void ui_box(int y, int x, int height, int width);
/* Where the focused field wants the terminal cursor (set by ui_field during
 * a draw); false when no field is focused.  ui_cursor_reset starts a frame. */
bool ui_cursor_get(int *y, int *x);
void ui_cursor_reset(void);

/* Edits a text field with a key (characters, Backspace, Delete, Left, Right,
 * Home, End, Ctrl-A/E/D/U/W, UI_KEY_PASTE_NEWLINE).  ACTION_REDRAW when
 * taken, ACTION_BACK for Backspace on a field that was already empty (not at
 * the end of a held Backspace), ACTION_NONE for other keys (Enter, Tab,
 * Esc...). */
enum ui_action ui_field_key(struct field *f, const struct ui_key *k);

#endif
