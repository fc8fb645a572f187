/* The export dialog ("e"): a box over the screen with four ways to hand the
 * instructions on (write a file, send to a teammate, copy a value, show a
 * QR code) and a view for each.  Draw reads the model and the QR code the
 * loop made (v->export); keys edit w->export or ask the loop to act. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/text.h"

#define EXPORT_FORMATS 6 /* text, markdown, html, json, zone, csv (export.h order) */
#define EXPORT_BOX_MAX 76
#define KEY_ESC	       27

static const char *const format_ids[EXPORT_FORMATS] = {
    "export_dialog.format_text", "export_dialog.format_markdown", "export_dialog.format_html",
    "export_dialog.format_json", "export_dialog.format_zone",	  "export_dialog.format_csv",
};

static const char *const item_ids[EXPORT_ITEM__COUNT] = {
    "export_dialog.item_file",
    "export_dialog.item_send",
    "export_dialog.item_copy",
    "export_dialog.item_qr",
};

/* The box: left column, top row, width, height. */
struct box {
	int x, y, w, h;
};

static struct box export_box(void)
{
	struct box b;
	b.w = COLS - 4 < EXPORT_BOX_MAX ? COLS - 4 : EXPORT_BOX_MAX;
	b.h = LINES - 4;
	b.x = (COLS - b.w) / 2;
	b.y = 2;
	return b;
}

/* A row of a list: pointer and highlight when selected; dim when not usable. */
static void export_row(int y, int x, int width, const char *label, bool selected, bool usable)
{
	ui_print(y, x, 1, selected ? ui_glyph(GLYPH_POINTER) : " ");
	ui_style_on(selected ? STYLE_SELECTED : usable ? STYLE_NORMAL : STYLE_DIM);
	ui_print_fit(y, x + 2, width - 2, label);
	ui_style_off(selected ? STYLE_SELECTED : usable ? STYLE_NORMAL : STYLE_DIM);
}

/* "DKIM key  k=rsa; p=MIG..." for record i. */
static void export_record_label(const struct wizard *w, size_t i, char *out, size_t cap)
{
	char id[64];
	snprintf(id, sizeof id, "records.purpose_%s", record_purpose_word(w->records[i].purpose));
	snprintf(out, cap, "%-12s %s", text_get(id), w->records[i].value);
}

static int export_menu(const struct wizard *w, struct box b, int y)
{
	int i;
	for (i = 0; i < EXPORT_ITEM__COUNT; i++) {
		const char *why = NULL;
		bool ok = wizard_export_item_ok(w, (enum export_item)i, &why);
		char label[256];
		snprintf(label, sizeof label, "%d. %s", i + 1, text_get(item_ids[i]));
		export_row(y, b.x + 2, b.w - 4, label, w->export.cursor == i, ok);
		y++;
		if (!ok) {
			ui_style_on(STYLE_DIM);
			y += ui_wrap(y, b.x + 7, b.w - 9, 2, text_get(why));
			ui_style_off(STYLE_DIM);
		}
	}
	return y;
}

static int export_file(const struct wizard *w, struct box b, int y)
{
	int i;
	if (w->export.shown) {
		ui_style_on(w->export.result_error ? STYLE_ERROR : STYLE_OK);
		y += ui_wrap(y, b.x + 2, b.w - 4, 6, w->export.result);
		ui_style_off(w->export.result_error ? STYLE_ERROR : STYLE_OK);
		return y;
	}
	y += ui_text(y, b.x + 2, b.w - 4, 2, "export_dialog.file_intro", NULL, NULL, NULL) + 1;
	for (i = 0; i < EXPORT_FORMATS; i++)
		export_row(y++, b.x + 2, b.w - 4, text_get(format_ids[i]), w->export.cursor == i,
			   true);
	return y;
}

/* The send form's label column. */
static void export_label(int y, int x, int width, const char *id, bool focused)
{
	ui_print(y, x, 1, focused ? ui_glyph(GLYPH_POINTER) : " ");
	ui_style_on(focused ? STYLE_KEY : STYLE_NORMAL);
	ui_print(y, x + 2, width, text_get(id));
	ui_style_off(focused ? STYLE_KEY : STYLE_NORMAL);
}

static int export_send(const struct wizard *w, const struct ui_view *v, struct box b, int y)
{
	const struct wizard_export *x = &w->export;
	static const char *const labels[3] = {"export_dialog.to", "export_dialog.note",
					      "export_dialog.reply_to"};
	const struct field *fields[3] = {&x->to, &x->note, &x->reply_to};
	/* the teammate's field asks for *their* address when empty */
	static const char *const kinds[3] = {"teammate", "note", "email"};
	int lw = 0, i, wait = wizard_export_send_wait(w, v->wall_ms);
	char from[FROM_HEADER_MAX + 16];
	for (i = 0; i < 3; i++)
		if (ui_width(text_get(labels[i])) > lw)
			lw = ui_width(text_get(labels[i]));
	snprintf(from, sizeof from, "%s <%s@%s>", w->cfg.vendor_name, w->cfg.shared_local,
		 w->cfg.vendor_domain);
	y += ui_text(y, b.x + 2, b.w - 4, 3, "export_dialog.send_intro", from, NULL, NULL) + 1;
	for (i = 0; i < 3; i++) {
		export_label(y, b.x + 2, lw, labels[i], x->focus == i);
		y += ui_field_as(y, b.x + 5 + lw, b.w - lw - 8, NULL, fields[i], x->focus == i,
				 kinds[i]);
	}
	y++;
	if (x->send_wanted || w->busy == REQ_EMAIL_SEND) {
		ui_style_on(STYLE_KEY);
		y += ui_text(y, b.x + 2, b.w - 4, 1, "export_dialog.sending", NULL, NULL, NULL);
		ui_style_off(STYLE_KEY);
	} else if (x->send_error[0]) {
		ui_style_on(STYLE_ERROR);
		y += ui_wrap(y, b.x + 2, b.w - 4, 4, x->send_error);
		ui_style_off(STYLE_ERROR);
	} else if (wait > 0) {
		char minutes[16];
		snprintf(minutes, sizeof minutes, "%d", (wait + 59) / 60);
		ui_style_on(STYLE_WARN);
		y +=
		    ui_text(y, b.x + 2, b.w - 4, 2, "export_dialog.limit_now", minutes, NULL, NULL);
		ui_style_off(STYLE_WARN);
	}
	return y;
}

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t export_char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1, i;
	for (i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* The sent body as screen rows of at most width columns (a long line
 * continues on the next rows, nothing is cut): draws rows [first,
 * first + max) from row y (max 0: draws nothing); returns how many rows
 * the whole body takes. */
static int export_body_rows(const char *body, int width, int first, int max, int y, int x)
{
	const char *p = body;
	int row = 0;
	if (width < 1)
		width = 1;
	while (*p) {
		const char *start = p;
		int cols = 0;
		/* one row: characters up to the width or the line's end */
		while (*p && *p != '\n') {
			size_t n = export_char_len(p);
			char ch[8];
			int cw;
			memcpy(ch, p, n);
			ch[n] = '\0';
			cw = ui_width(ch);
			if (cols + cw > width && cols > 0)
				break;
			cols += cw;
			p += n;
		}
		if (row >= first && row < first + max) {
			char line[1024];
			size_t n = (size_t)(p - start);
			str_copy(line, n + 1 < sizeof line ? n + 1 : sizeof line, start);
			ui_print(y + row - first, x, width, line);
		}
		row++;
		if (*p == '\n') {
			p++;
			if (!*p) /* a final newline starts no row */
				break;
		}
	}
	return row;
}

/* Where the sent view's body starts and how many rows it has on screen. */
static void export_sent_layout(const struct wizard *w, struct box b, int *top, int *rows)
{
	const struct wizard_sent_email *m = &w->export.sent;
	char msg[1024];
	int used;
	text_fmt(msg, sizeof msg, w->cfg.demo ? "export_dialog.sent_demo" : "export_dialog.sent",
		 m->to, m->message_id, NULL);
	used = ui_wrap_rows(b.w - 4, msg);
	*top = b.y + 2 + (used < 3 ? used : 3) + 1 + 4 + 1;
	*rows = b.y + b.h - 3 - *top;
	if (*rows < 1)
		*rows = 1;
}

/* The first body row shown: the saved scroll, kept inside the body. */
static int export_sent_first(const struct wizard *w, int total, int rows)
{
	int first = w->export.sent_scroll;
	if (first > total - rows)
		first = total - rows;
	return first < 0 ? 0 : first;
}

/* The email that went out: headers, then its text, which scrolls. */
static bool export_sent(const struct wizard *w, struct box b, int y)
{
	const struct wizard_sent_email *m = &w->export.sent;
	static const char *const ids[4] = {"export_dialog.sent_from", "export_dialog.sent_to",
					   "export_dialog.sent_reply_to",
					   "export_dialog.sent_subject"};
	const char *values[4] = {m->from, m->to, m->reply_to, m->subject};
	int i, top, rows, total, first;
	ui_style_on(STYLE_OK);
	y += ui_text(y, b.x + 2, b.w - 4, 3,
		     w->cfg.demo ? "export_dialog.sent_demo" : "export_dialog.sent", m->to,
		     m->message_id, NULL);
	ui_style_off(STYLE_OK);
	y++;
	for (i = 0; i < 4; i++) {
		ui_style_on(STYLE_DIM);
		ui_print(y, b.x + 2, 10, text_get(ids[i]));
		ui_style_off(STYLE_DIM);
		ui_print_fit(y++, b.x + 12, b.w - 14, values[i]);
	}
	export_sent_layout(w, b, &top, &rows);
	total = export_body_rows(m->body, b.w - 4, 0, 0, 0, 0);
	first = export_sent_first(w, total, rows);
	export_body_rows(m->body, b.w - 4, first, rows, top, b.x + 2);
	if (total <= rows)
		return false;
	{
		/* where the view is in the email: "Lines 1-9 of 120" */
		char a[16], z[16], n[16], where[64];
		snprintf(a, sizeof a, "%d", first + 1);
		snprintf(z, sizeof z, "%d", first + rows < total ? first + rows : total);
		snprintf(n, sizeof n, "%d", total);
		text_fmt(where, sizeof where, "export_dialog.sent_lines", a, z, n);
		ui_style_on(STYLE_DIM);
		ui_print(b.y + b.h - 2, b.x + b.w - 2 - ui_width(where), ui_width(where), where);
		ui_style_off(STYLE_DIM);
	}
	return true;
}

/* Up/Down, PgUp/PgDn, Space, Home/End in the sent email's text. */
static enum ui_action export_sent_scroll(struct wizard *w, const struct ui_key *k)
{
	struct box b = export_box();
	int top, rows, total, first, to;
	export_sent_layout(w, b, &top, &rows);
	total = export_body_rows(w->export.sent.body, b.w - 4, 0, 0, 0, 0);
	first = export_sent_first(w, total, rows);
	if (k->is_function && k->code == KEY_UP)
		to = first - 1;
	else if (k->is_function && k->code == KEY_DOWN)
		to = first + 1;
	else if (k->is_function && k->code == KEY_PPAGE)
		to = first - (rows > 1 ? rows - 1 : 1);
	else if ((k->is_function && k->code == KEY_NPAGE) || (!k->is_function && k->code == ' '))
		to = first + (rows > 1 ? rows - 1 : 1);
	else if (k->is_function && k->code == KEY_HOME)
		to = 0;
	else if (k->is_function && k->code == KEY_END)
		to = total;
	else
		return ACTION_STAY;
	w->export.sent_scroll = to;
	w->export.sent_scroll = export_sent_first(w, total, rows);
	return ACTION_REDRAW;
}

static int export_copy(const struct wizard *w, struct box b, int y)
{
	int i, n = wizard_export_copy_count(w);
	if (w->export.shown) {
		ui_style_on(w->export.result_error ? STYLE_ERROR : STYLE_OK);
		y += ui_wrap(y, b.x + 2, b.w - 4, 4, w->export.result);
		ui_style_off(w->export.result_error ? STYLE_ERROR : STYLE_OK);
		return y;
	}
	y += ui_text(y, b.x + 2, b.w - 4, 3, "export_dialog.copy_intro", NULL, NULL, NULL) + 1;
	for (i = 0; i < n; i++) {
		char label[RECORD_VALUE_MAX + 64], value[FROM_HEADER_MAX], id[64];
		const char *what = "";
		wizard_export_copy_value(w, i, &what, value, sizeof value);
		if (w->option == OPTION_DOMAIN) {
			/* "DKIM key  Name   2027...pm._domainkey", then its Value */
			snprintf(id, sizeof id, "records.purpose_%s",
				 record_purpose_word(w->records[i / 2].purpose));
			snprintf(label, sizeof label, "%-12s %-6s %s", text_get(id), text_get(what),
				 value);
		} else {
			snprintf(label, sizeof label, "%s", text_get(what));
		}
		export_row(y++, b.x + 2, b.w - 4, label, w->export.cursor == i, true);
	}
	return y;
}

static int export_qr_list(const struct wizard *w, struct box b, int y)
{
	int i, n = wizard_export_qr_count(w);
	y += ui_text(y, b.x + 2, b.w - 4, 3, "export_dialog.qr_intro", NULL, NULL, NULL) + 1;
	for (i = 0; i < n; i++) {
		char label[RECORD_VALUE_MAX + 64];
		if (i < (int)w->nrecords)
			export_record_label(w, (size_t)i, label, sizeof label);
		else
			snprintf(label, sizeof label, "%s", text_get("export_dialog.qr_all"));
		export_row(y++, b.x + 2, b.w - 4, label, w->export.cursor == i, true);
	}
	return y;
}

bool ui_export_fullscreen(const struct wizard *w)
{
	return w->export.view == EXPORT_VIEW_QR && w->export.shown;
}

/* The QR code alone on the screen, or what size it needs. */
static void export_qr_screen(const struct ui_view *v)
{
	const struct ui_export_view *q = v->export;
	char need_c[16], need_r[16], cols[16], rows[16], buf[512];
	const char *args[4] = {need_c, need_r, cols, rows};
	int x, y, row;
	const char *p;
	if (!q || (!q->qr && !q->qr_too_big))
		return;
	ui_style_on(STYLE_KEY);
	ui_print_fit(0, 1, COLS - 2, q->qr_title);
	ui_style_off(STYLE_KEY);
	ui_keys(LINES - 1, 1, COLS - 2, text_get("export_dialog.qr_keys"));
	if (q->qr_too_big) {
		ui_text(2, 1, COLS - 2, 3, "export_dialog.qr_too_big", NULL, NULL, NULL);
		return;
	}
	if (q->qr_cols > COLS || q->qr_rows + 2 > LINES) {
		snprintf(need_c, sizeof need_c, "%d", q->qr_cols);
		snprintf(need_r, sizeof need_r, "%d", q->qr_rows + 2);
		snprintf(cols, sizeof cols, "%d", COLS);
		snprintf(rows, sizeof rows, "%d", LINES);
		text_format(buf, sizeof buf, text_get("export_dialog.qr_small"), args, 4);
		ui_wrap(2, 1, COLS - 2, LINES - 3, buf);
		return;
	}
	x = (COLS - q->qr_cols) / 2;
	y = 1 + (LINES - 2 - q->qr_rows) / 2;
	if (ui_has_color())
		attron(COLOR_PAIR(UI_PAIR_QR));
	for (p = q->qr, row = 0; *p && row < q->qr_rows; row++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		str_copy(line, n + 1 < sizeof line ? n + 1 : sizeof line, p);
		ui_print(y + row, x, q->qr_cols, line);
		if (!nl)
			break;
		p = nl + 1;
	}
	if (ui_has_color())
		attroff(COLOR_PAIR(UI_PAIR_QR));
}

void ui_export_draw(const struct wizard *w, const struct ui_view *v)
{
	struct box b = export_box();
	const char *keys = "export_dialog.keys_list";
	int y;
	if (ui_export_fullscreen(w)) {
		erase();
		export_qr_screen(v);
		return;
	}
	ui_box(b.y, b.x, b.h, b.w);
	ui_style_on(STYLE_KEY);
	ui_print(b.y, b.x + 2, b.w - 4, text_get("export_dialog.title"));
	ui_style_off(STYLE_KEY);
	y = b.y + 2;
	switch (w->export.view) {
	case EXPORT_VIEW_MENU:
		export_menu(w, b, y);
		keys = "export_dialog.keys_menu";
		break;
	case EXPORT_VIEW_FILE:
		export_file(w, b, y);
		if (w->export.shown)
			keys = "export_dialog.keys_back";
		break;
	case EXPORT_VIEW_SEND:
		export_send(w, v, b, y);
		/* at the hourly limit, Enter sends nothing: not offered */
		keys = wizard_export_send_wait(w, v->wall_ms) > 0 ? "export_dialog.keys_send_limit"
								  : "export_dialog.keys_send";
		break;
	case EXPORT_VIEW_SENT:
		keys = export_sent(w, b, y) ? "export_dialog.keys_sent" : "export_dialog.keys_back";
		break;
	case EXPORT_VIEW_COPY:
		export_copy(w, b, y);
		if (w->export.shown)
			keys = "export_dialog.keys_back";
		break;
	case EXPORT_VIEW_QR:
		export_qr_list(w, b, y);
		break;
	default:
		break;
	}
	ui_keys(b.y + b.h - 2, b.x + 2, b.w - 4, text_get(keys));
}

static bool key_is(const struct ui_key *k, wint_t c)
{
	return !k->is_function && k->code == c;
}

static bool key_enter(const struct ui_key *k)
{
	return (k->is_function && k->code == KEY_ENTER) || key_is(k, '\r') || key_is(k, '\n');
}

/* Up/Down in a list of n rows. */
static bool export_move(struct wizard *w, const struct ui_key *k, int n)
{
	if (!k->is_function || n <= 0)
		return false;
	if (k->code == KEY_UP)
		w->export.cursor = (w->export.cursor + n - 1) % n;
	else if (k->code == KEY_DOWN)
		w->export.cursor = (w->export.cursor + 1) % n;
	else
		return false;
	return true;
}

/* Opens a menu item's view when it can be used. */
static enum ui_action export_pick(struct wizard *w, int item)
{
	static const enum export_view views[EXPORT_ITEM__COUNT] = {
	    EXPORT_VIEW_FILE, EXPORT_VIEW_SEND, EXPORT_VIEW_COPY, EXPORT_VIEW_QR};
	if (item < 0 || item >= EXPORT_ITEM__COUNT ||
	    !wizard_export_item_ok(w, (enum export_item)item, NULL))
		return ACTION_STAY;
	w->export.view = views[item];
	w->export.cursor = 0;
	w->export.shown = false;
	w->export.send_error[0] = '\0';
	if (item == EXPORT_ITEM_SEND)
		w->export.focus = 0;
	return ACTION_REDRAW;
}

static enum ui_action export_key_send(struct wizard *w, const struct ui_key *k)
{
	struct wizard_export *x = &w->export;
	struct field *fields[3] = {&x->to, &x->note, &x->reply_to};
	enum ui_action a;
	if (key_enter(k))
		return ACTION_EXPORT_SEND;
	if ((k->is_function && (k->code == KEY_DOWN)) || key_is(k, '\t')) {
		x->focus = (x->focus + 1) % 3;
		return ACTION_REDRAW;
	}
	if (k->is_function && (k->code == KEY_UP || k->code == KEY_BTAB)) {
		x->focus = (x->focus + 2) % 3;
		return ACTION_REDRAW;
	}
	a = ui_field_key(fields[x->focus], k);
	if (a == ACTION_BACK) /* Backspace on an empty field: stay in the form */
		return ACTION_STAY;
	if (a == ACTION_REDRAW)
		x->send_error[0] = '\0';
	return a == ACTION_NONE ? ACTION_STAY : a;
}

enum ui_action ui_export_key(struct wizard *w, const struct ui_key *k)
{
	struct wizard_export *x = &w->export;
	if (key_is(k, KEY_ESC)) {
		wizard_export_back(w);
		return ACTION_REDRAW;
	}
	switch (x->view) {
	case EXPORT_VIEW_MENU:
		if (export_move(w, k, EXPORT_ITEM__COUNT))
			return ACTION_REDRAW;
		if (!k->is_function && k->code >= '1' && k->code <= '4')
			return export_pick(w, (int)(k->code - '1'));
		if (key_enter(k))
			return export_pick(w, x->cursor);
		if (key_is(k, 'q') || key_is(k, 'e'))
			wizard_export_back(w);
		return ACTION_REDRAW;
	case EXPORT_VIEW_FILE:
		if (x->shown)
			return ACTION_STAY;
		if (export_move(w, k, EXPORT_FORMATS))
			return ACTION_REDRAW;
		return key_enter(k) ? ACTION_EXPORT_FILE : ACTION_STAY;
	case EXPORT_VIEW_SEND:
		return export_key_send(w, k);
	case EXPORT_VIEW_SENT:
		return export_sent_scroll(w, k);
	case EXPORT_VIEW_COPY:
		if (x->shown)
			return ACTION_STAY;
		if (export_move(w, k, wizard_export_copy_count(w)))
			return ACTION_REDRAW;
		return key_enter(k) ? ACTION_EXPORT_COPY : ACTION_STAY;
	case EXPORT_VIEW_QR:
		if (x->shown)
			return ACTION_STAY;
		if (export_move(w, k, wizard_export_qr_count(w)))
			return ACTION_REDRAW;
		return key_enter(k) ? ACTION_EXPORT_QR : ACTION_STAY;
	default:
		return ACTION_STAY;
	}
}
