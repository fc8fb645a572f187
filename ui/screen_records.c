/* Option 1, the records: what to add at the DNS host, each record's live
 * status, what is wrong and how to fix it, and per-nameserver detail. */
#include "ui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dnshost.h"
#include "core/text.h"

#define COL_PURPOSE 13
#define COL_TYPE    6
#define COL_STATUS  19

static enum ui_style records_status_style(enum record_status s)
{
	switch (s) {
	case STATUS_VERIFIED:
		return STYLE_OK;
	case STATUS_PARTIAL:
	case STATUS_MISSING:
		return STYLE_WARN;
	case STATUS_MISMATCH:
	case STATUS_ERROR:
		return STYLE_ERROR;
	default:
		return STYLE_DIM;
	}
}

static enum ui_glyph records_status_glyph(enum record_status s)
{
	return s == STATUS_VERIFIED			    ? GLYPH_CHECK
	       : s == STATUS_UNKNOWN || s == STATUS_PARTIAL ? GLYPH_WAIT
							    : GLYPH_CROSS;
}

/* "✓ verified" in the status's style; returns columns used. */
static int records_status(int y, int x, int width, enum record_status s)
{
	int used;
	ui_style_on(records_status_style(s));
	used = ui_print(y, x, width, ui_glyph(records_status_glyph(s)));
	used += ui_print_fit(y, x + used + 1, width - used - 1, record_status_text(s)) + 1;
	ui_style_off(records_status_style(s));
	return used;
}

/* A status in the words of the list (record_status_label): "Wrong name",
 * "Optional" (dim), or the status itself. */
static void records_word(int y, int x, int width, const struct expected_record *rec,
			 enum record_status status, bool wrong_name)
{
	bool optional;
	const char *word = record_status_label(status, wrong_name, rec->required, &optional);
	enum ui_style style = optional ? STYLE_DIM : records_status_style(status);
	if (word == record_status_text(status)) {
		records_status(y, x, width, status);
		return;
	}
	ui_style_on(style);
	x += ui_print(y, x, width, ui_glyph(optional ? GLYPH_WAIT : GLYPH_CROSS));
	ui_print_fit(y, x + 1, width - 2, word);
	ui_style_off(style);
}

/* A record's status in the table: the status, said more precisely where a
 * diagnosis explains it ("at the wrong name" rather than "not found"), and
 * a missing optional record as optional rather than as a failure. */
static void records_row_status(int y, int x, int width, const struct expected_record *rec,
			       const struct record_result *res)
{
	records_word(y, x, width, rec, res->status, record_at_wrong_name(res));
}

/* One server's status for a record, in the same words as the list: at a
 * wrong name when that server has it elsewhere (or, before the first check
 * after a restart, when the list says so). */
static void records_server_word(int y, int x, int width, const struct expected_record *rec,
				const struct record_result *res, size_t s)
{
	bool any_where = false, wrong;
	size_t i;
	for (i = 0; i < res->nservers && i < RECORD_MAX_SERVERS; i++)
		any_where |= res->where[i][0] != '\0';
	wrong = res->where[s][0] || (!any_where && record_at_wrong_name(res));
	records_word(y, x, width, rec, res->per_server[s], wrong);
}

static const char *records_purpose(enum record_purpose p)
{
	char id[64];
	snprintf(id, sizeof id, "records.purpose_%s", record_purpose_word(p));
	return text_get(id);
}

/* The DNS host's display name ("Cloudflare"), or "" when unknown. */
static const char *records_host_name(const struct wizard *w)
{
	const struct dnshost *h = w->dns_host[0] ? dnshost_find(w->dns_host) : NULL;
	if (h)
		return dnshost_name(h);
	return w->dns_host;
}

/* How to add a record at the detected DNS host (and long TXT values there). */
static int records_host_hint(const struct wizard *w, const struct expected_record *r, int y,
			     int width, int rows)
{
	const struct dnshost *h = w->dns_host[0] ? dnshost_find(w->dns_host) : NULL;
	int used = 0;
	if (!h || rows <= 0)
		return 0;
	ui_style_on(STYLE_DIM);
	/* a hint cut short helps nobody: show each only when it fits whole */
	if (*dnshost_steps(h) && ui_wrap_rows(width - 2, dnshost_steps(h)) <= rows)
		used += ui_wrap(y, 3, width - 2, rows, dnshost_steps(h));
	if (r->type == RECORD_TYPE_TXT && strlen(r->value) > 255 && *dnshost_long_txt(h) &&
	    ui_wrap_rows(width - 2, dnshost_long_txt(h)) <= rows - used)
		used += ui_wrap(y + used, 3, width - 2, rows - used, dnshost_long_txt(h));
	ui_style_off(STYLE_DIM);
	return used;
}

/* The zone the labels are relative to: the checked domain. */
static const char *records_zone(const struct wizard *w)
{
	return w->domain.ascii[0] ? w->domain.ascii : w->esp_domain.name;
}

/* One row per record: purpose, type, label to type, value, status. */
static int records_table(const struct wizard *w, int y, int width)
{
	/* as wide as the longest name, and never narrower than its heading */
	int label_w = ui_width(text_get("records.col_name")), value_w, x;
	size_t i;
	char label[RECORD_NAME_MAX];
	for (i = 0; i < w->nrecords; i++) {
		record_relative_label(w->records[i].name, records_zone(w), label, sizeof label);
		if (ui_width(label) > label_w)
			label_w = ui_width(label);
	}
	if (label_w > 30)
		label_w = 30;
	value_w = width - 2 - COL_PURPOSE - COL_TYPE - label_w - 2 - COL_STATUS;
	ui_style_on(STYLE_DIM);
	x = 3;
	ui_print(y, x, COL_PURPOSE, text_get("records.col_purpose"));
	ui_print(y, x += COL_PURPOSE, COL_TYPE, text_get("records.col_type"));
	ui_print(y, x += COL_TYPE, label_w, text_get("records.col_name"));
	ui_print(y, x += label_w + 2, value_w, text_get("records.col_value"));
	ui_print(y, x + value_w + 1, COL_STATUS, text_get("records.col_status"));
	ui_style_off(STYLE_DIM);
	for (i = 0; i < w->nrecords; i++) {
		const struct expected_record *r = &w->records[i];
		bool sel = (int)i == w->records_cursor;
		int row = y + 1 + (int)i;
		record_relative_label(r->name, records_zone(w), label, sizeof label);
		if (sel) {
			ui_print(row, 1, 1, ui_glyph(GLYPH_POINTER));
			attron(A_BOLD);
		}
		x = 3;
		ui_print_fit(row, x, COL_PURPOSE - 1, records_purpose(r->purpose));
		ui_print(row, x += COL_PURPOSE, COL_TYPE, record_type_word(r->type));
		ui_print_fit(row, x += COL_TYPE, label_w, label);
		ui_print_fit(row, x += label_w + 2, value_w, r->value);
		if (sel)
			attroff(A_BOLD);
		records_row_status(row, x + value_w + 1, COL_STATUS, &w->records[i],
				   &w->results[i]);
	}
	return 1 + (int)w->nrecords;
}

/* The selected record in full, then what is wrong with it and the fix. */
static int records_selected(const struct wizard *w, int y, int width, int rows)
{
	const struct expected_record *r;
	const struct record_result *res;
	char label[RECORD_NAME_MAX], buf[RECORD_VALUE_MAX + 64];
	int used = 0, vrows;
	size_t i;
	if (w->records_cursor < 0 || (size_t)w->records_cursor >= w->nrecords || rows < 3)
		return 0;
	r = &w->records[w->records_cursor];
	res = &w->results[w->records_cursor];
	record_relative_label(r->name, records_zone(w), label, sizeof label);
	ui_style_on(STYLE_DIM);
	ui_print(y, 3, 8, text_get("records.name"));
	ui_print(y + 1, 3, 8, text_get("records.value"));
	ui_style_off(STYLE_DIM);
	attron(A_BOLD);
	ui_print_fit(y, 11, width - 10, label);
	attroff(A_BOLD);
	if (!r->required) {
		ui_style_on(STYLE_DIM);
		ui_print(y, 11 + ui_width(label) + 2, width - ui_width(label) - 14,
			 text_get("records.optional"));
		ui_style_off(STYLE_DIM);
	}
	used++;
	/* the value whole (up to 5 rows), yet leave the diagnoses some room */
	vrows = rows - used - (res->ndiagnoses ? 4 : 0);
	if (vrows > 5)
		vrows = 5;
	if (vrows < 2)
		vrows = 2;
	used += ui_wrap_chars(y + used, 11, width - 10, vrows, r->value);
	for (i = 0; i < res->ndiagnoses && used < rows; i++) {
		char fix[RECORD_VALUE_MAX], line[RECORD_VALUE_MAX + 64];
		/* advice on a record that counts as there (value-whitespace with
		 * tabs, resolver-stale) is a warning, not an error */
		const struct diag_def *def = record_diag_def(res->diagnoses[i].code);
		enum ui_style st =
		    (def && def->severity == DIAG_SEVERITY_WAIT) || res->status == STATUS_VERIFIED
			? STYLE_WARN
			: STYLE_ERROR;
		int left = rows - used, srows, frows;
		record_diag_text(&res->diagnoses[i], w->dns_host, buf, sizeof buf, fix, sizeof fix);
		text_fmt(line, sizeof line, "records.fix", fix, NULL, NULL);
		/* the sentence, then the fix: each whole when there is room */
		frows = ui_wrap_rows(width - 4, line);
		srows = ui_wrap_rows(width - 4, buf);
		if (frows > 3)
			frows = 3;
		if (srows > left - (left > 1 ? (frows < left / 2 ? frows : left / 2) : 0))
			srows = left - (left > 1 ? (frows < left / 2 ? frows : left / 2) : 0);
		ui_style_on(st);
		ui_print(y + used, 3, 1, "!");
		used += ui_wrap(y + used, 5, width - 4, srows, buf);
		ui_style_off(st);
		if (used < rows)
			used += ui_wrap(y + used, 5, width - 4,
					rows - used < frows ? rows - used : frows, line);
	}
	return used + records_host_hint(w, r, y + used + 1, width, rows - used - 1);
}

/* A nameserver's name as the check saw it (only its first label when the
 * whole name is wider than max columns), or "NS n" when unknown. */
static void records_server_name(const struct record_result *res, size_t s, int max, char *out,
				size_t cap)
{
	char n[24];
	if (res->servers[s][0]) {
		str_copy(out, cap, res->servers[s]);
		if (ui_width(out) > max && strchr(out, '.'))
			*strchr(out, '.') = '\0';
		return;
	}
	snprintf(n, sizeof n, "%zu", s + 1);
	text_fmt(out, cap, "records.server", n, NULL, NULL);
}

/* Prints text, or when it is too wide its end after an ellipsis: of a
 * name, the end tells where it sits. */
static void records_print_tail(int y, int x, int width, const char *text)
{
	const char *p = text;
	int dw = ui_width(ui_glyph(GLYPH_ELLIPSIS));
	if (ui_width(text) <= width) {
		ui_print(y, x, width, text);
		return;
	}
	while (*p && ui_width(p) > width - dw)
		p++;
	while ((*p & 0xc0) == 0x80)
		p++;
	x += ui_print(y, x, dw, ui_glyph(GLYPH_ELLIPSIS));
	ui_print(y, x, width - dw, p);
}

/* The widest status word, glyph included: the width of a server column. */
static int records_status_width(void)
{
	int i, wmax = ui_width(text_get("records.status_wrong_name"));
	if (ui_width(text_get("records.status_optional")) > wmax)
		wmax = ui_width(text_get("records.status_optional"));
	for (i = 0; i < STATUS__COUNT; i++)
		if (ui_width(record_status_text((enum record_status)i)) > wmax)
			wmax = ui_width(record_status_text((enum record_status)i));
	return wmax + 2;
}

/* Several values at one name, one per row under each other, from a little
 * before where they start to differ, each marked keep (the first right
 * one) or delete; x_mark is the status column, x the value column. */
static int records_values(const struct wizard *w, const struct expected_record *rec,
			  const char *seen, int y, int x_mark, int mark_w, int x, int width,
			  int rows)
{
	const char *parts[RECORD_MAX_RRS];
	size_t lens[RECORD_MAX_RRS], n = 0, i, common = (size_t)-1, from;
	const char *p = seen;
	char count[16], at[16], one[RECORD_VALUE_MAX];
	int used = 0;
	bool kept = false;
	size_t sep = strlen(RECORD_SEEN_SEP);
	(void)w;
	while (n < RECORD_MAX_RRS) {
		const char *next = strstr(p, RECORD_SEEN_SEP);
		parts[n] = p;
		lens[n] = next ? (size_t)(next - p) : strlen(p);
		n++;
		if (!next)
			break;
		p = next + sep;
	}
	for (i = 1; i < n; i++) {
		size_t k = 0;
		while (k < lens[0] && k < lens[i] && parts[0][k] == parts[i][k])
			k++;
		if (k < common)
			common = k;
	}
	snprintf(count, sizeof count, "%zu", n);
	snprintf(at, sizeof at, "%zu", common + 1);
	used += ui_text(y, x, width, 1, "records.seen_several", count, at, NULL);
	/* a little of what they share, then where they part */
	from = common > 12 ? common - 12 : 0;
	for (i = 0; i < n && used < rows; i++, used++) {
		bool keep;
		int cx = x;
		str_copy(one, lens[i] + 1 < sizeof one ? lens[i] + 1 : sizeof one, parts[i]);
		/* one to keep (two valid DMARC policies are still one too many) */
		keep = !kept && record_value_matches(rec, one);
		kept |= keep;
		ui_style_on(keep ? STYLE_OK : STYLE_ERROR);
		cx = x_mark +
		     ui_print(y + used, x_mark, mark_w, ui_glyph(keep ? GLYPH_CHECK : GLYPH_CROSS));
		ui_print_fit(y + used, cx + 1, mark_w - 2,
			     text_get(keep ? "records.seen_keep" : "records.seen_delete"));
		ui_style_off(keep ? STYLE_OK : STYLE_ERROR);
		cx = x;
		if (from) {
			ui_style_on(STYLE_DIM);
			cx += ui_print(y + used, cx, 1, ui_glyph(GLYPH_ELLIPSIS));
			cx += ui_print(y + used, cx, (int)(common - from), one + from);
			ui_style_off(STYLE_DIM);
		} else {
			ui_style_on(STYLE_DIM);
			cx += ui_print(y + used, cx, (int)common, one);
			ui_style_off(STYLE_DIM);
		}
		attron(A_BOLD);
		ui_print_fit(y + used, cx, width - (cx - x),
			     one + (common < strlen(one) ? common : strlen(one)));
		attroff(A_BOLD);
	}
	return used;
}

/* Records by nameserver, in the words of the list: each server's status,
 * then the selected record at each server: what it has, where (a wrong
 * name), and several values under each other from where they differ. */
static int records_matrix(const struct wizard *w, int y, int width, int rows)
{
	size_t i, s, nserv = 0, widest = 0;
	int used = 1, col = records_status_width() + 1, x0 = 3 + COL_PURPOSE + COL_TYPE;
	int namew = 4, statw, xv;
	char ns[RECORD_NAME_MAX], where[RECORD_NAME_MAX + 16];
	const struct expected_record *rec;
	const struct record_result *res;
	for (i = 0; i < w->nrecords; i++)
		if (w->results[i].nservers > nserv) {
			nserv = w->results[i].nservers;
			widest = i;
		}
	ui_style_on(STYLE_KEY);
	ui_print(y, 3, width - 2, text_get("records.matrix_title"));
	ui_style_off(STYLE_KEY);
	if (!nserv) {
		ui_text(y + 1, 3, width - 2, 2, "records.matrix_none", NULL, NULL, NULL);
		return 3;
	}
	if (nserv > (size_t)((width - x0) / col))
		nserv = (size_t)((width - x0) / col);
	ui_style_on(STYLE_DIM);
	for (s = 0; s < nserv; s++) {
		records_server_name(&w->results[widest], s, col - 1, ns, sizeof ns);
		ui_print_fit(y + used, x0 + (int)s * col, col - 1, ns);
	}
	ui_style_off(STYLE_DIM);
	used++;
	for (i = 0; i < w->nrecords && used < rows; i++, used++) {
		bool sel = (int)i == w->records_cursor;
		if (sel) {
			ui_print(y + used, 1, 1, ui_glyph(GLYPH_POINTER));
			attron(A_BOLD);
		}
		ui_print_fit(y + used, 3, COL_PURPOSE - 1, records_purpose(w->records[i].purpose));
		ui_print(y + used, 3 + COL_PURPOSE, COL_TYPE, record_type_word(w->records[i].type));
		if (sel)
			attroff(A_BOLD);
		for (s = 0; s < nserv && s < w->results[i].nservers; s++)
			records_server_word(y + used, x0 + (int)s * col, col - 1, &w->records[i],
					    &w->results[i], s);
	}
	if (w->records_cursor < 0 || (size_t)w->records_cursor >= w->nrecords || used + 2 > rows)
		return used;
	rec = &w->records[w->records_cursor];
	res = &w->results[w->records_cursor];
	used++;
	ui_style_on(STYLE_DIM);
	used += ui_text(y + used, 3, width - 2, 1, "records.answers", records_purpose(rec->purpose),
			NULL, NULL);
	ui_style_off(STYLE_DIM);
	/* columns: server, status (as wide as in the table above), what it has */
	for (s = 0; s < res->nservers && s < RECORD_MAX_SERVERS; s++) {
		records_server_name(res, s, 16, ns, sizeof ns);
		if (ui_width(ns) > namew)
			namew = ui_width(ns) > 16 ? 16 : ui_width(ns);
	}
	statw = col - 1;
	xv = 3 + namew + 2 + statw + 1;
	for (s = 0; s < res->nservers && s < RECORD_MAX_SERVERS && used < rows; s++) {
		const char *seen = res->seen[s];
		records_server_name(res, s, 16, ns, sizeof ns);
		ui_print_fit(y + used, 3, namew, ns);
		records_server_word(y + used, 3 + namew + 2, statw, rec, res, s);
		if (res->where[s][0]) {
			text_fmt(where, sizeof where, "records.seen_at", res->where[s], NULL, NULL);
			records_print_tail(y + used, xv, width - xv + 1, where);
			used++;
		} else if (seen[0] && strstr(seen, RECORD_SEEN_SEP)) {
			used += records_values(w, rec, seen, y + used, 3 + namew + 2, statw, xv,
					       width - xv + 1, rows - used);
		} else {
			ui_print_fit(y + used, xv, width - xv + 1,
				     seen[0] ? seen : text_get("records.seen_nothing"));
			used++;
		}
	}
	return used;
}

/* True when another of the ESP's records has the same purpose as record i. */
static bool records_esp_purpose_shared(const struct wizard_domain_res *d, size_t i)
{
	size_t j;
	for (j = 0; j < d->nrecords && j < RESOURCE_RECORDS_MAX; j++)
		if (j != i && d->records[j].rec.purpose == d->records[i].rec.purpose)
			return true;
	return false;
}

/* Once DNS has them all: the ESP's own view of each of its records, which
 * decides when we are done ("DKIM confirmed, Return-Path not yet"; a
 * purpose shared by several records names each by its label). */
static void records_esp_text(const struct wizard *w, char *buf, size_t cap)
{
	const struct wizard_domain_res *d = &w->esp_domain;
	char list[400] = "", id[64], word[RECORD_NAME_MAX + 64], item[RECORD_NAME_MAX + 96];
	size_t i, used;
	if (resource_esp_verified(d)) {
		text_fmt(buf, cap, "records.all_verified", w->cfg.esp_name, NULL, NULL);
		return;
	}
	for (i = 0; i < d->nrecords && i < RESOURCE_RECORDS_MAX; i++) {
		const struct resource_record *r = &d->records[i];
		char label[RECORD_NAME_MAX];
		snprintf(id, sizeof id, "records.esp_word_%s", record_purpose_word(r->rec.purpose));
		if (records_esp_purpose_shared(d, i)) {
			record_relative_label(r->rec.name, d->name, label, sizeof label);
			snprintf(word, sizeof word, "%s %s", text_get(id), label);
		} else {
			str_copy(word, sizeof word, text_get(id));
		}
		text_fmt(item, sizeof item, "records.esp_item", word,
			 text_get(r->esp_verified ? "records.esp_yes" : "records.esp_no"), NULL);
		used = strlen(list);
		snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", item);
	}
	text_fmt(buf, cap, "records.esp_waiting", w->cfg.esp_name, list, NULL);
}

/* Rows the status line takes: the ESP's view is shown whole. */
static int records_status_rows(const struct wizard *w, int width)
{
	char buf[512];
	if (!wizard_records_verified(w))
		return 1;
	records_esp_text(w, buf, sizeof buf);
	return ui_wrap_rows(width - 2, buf);
}

/* Last row(s), ending at y: checks done, next check, the DNS host, or that
 * all is in place. */
static void records_status_line(const struct wizard *w, const struct ui_view *v, int y, int width)
{
	char buf[512], secs[16], count[16], host[160];
	const char *host_name = records_host_name(w);
	if (wizard_records_verified(w)) {
		int rows = records_status_rows(w, width);
		records_esp_text(w, buf, sizeof buf);
		ui_style_on(STYLE_OK);
		ui_wrap(y - rows + 1, 3, width - 2, rows, buf);
		ui_style_off(STYLE_OK);
		return;
	}
	snprintf(secs, sizeof secs, "%d", wizard_next_check_in(w, v->now_ms));
	snprintf(count, sizeof count, "%d", w->checks);
	host[0] = '\0';
	if (*host_name)
		text_fmt(host, sizeof host, "records.dns_host", host_name, NULL, NULL);
	text_fmt(buf, sizeof buf,
		 w->busy == REQ_DNS_CHECK ? "records.checking"
		 : w->next_check_ms <= 0  ? "records.checks_only"
					  : "records.next_check",
		 secs, count, host);
	ui_style_on(STYLE_DIM);
	ui_print_fit(y, 3, width - 2, buf);
	ui_style_off(STYLE_DIM);
}

/* The status line counts down to the next check while the records are not
 * all in place: what it shows of the clock is the seconds it says (or
 * "Checking now") and the checks so far, which change with no other change
 * on screen when a check found what the last one did. */
static bool records_counting(const struct wizard *w)
{
	return !wizard_server_question(w) && w->nrecords && !wizard_records_verified(w);
}

static int64_t screen_records_tick(const struct wizard *w, const struct ui_view *v, int *wake_ms)
{
	int64_t ms = w->next_check_ms - v->now_ms;
	*wake_ms = -1;
	if (!records_counting(w))
		return 0;
	if (w->busy == REQ_DNS_CHECK)
		return (int64_t)w->checks << 32 | 0x80000000;
	/* "in N s" is N = ms rounded up: it changes when ms reaches a whole
	 * second (at 0 the check starts: the wizard wakes the loop then) */
	if (ms > 0)
		*wake_ms = (int)((ms - 1) % 1000) + 1;
	return (int64_t)w->checks << 32 | (int64_t)wizard_next_check_in(w, v->now_ms);
}

/* Only the status line, over the frame drawn last (screen_records_tick). */
static void screen_records_draw_tick(const struct wizard *w, const struct ui_view *v, int top,
				     int height)
{
	int bottom = top + height - 1;
	if (!records_counting(w))
		return;
	mvhline(bottom, 0, ' ', COLS);
	records_status_line(w, v, bottom, COLS - 2);
}

static void screen_records_draw(const struct wizard *w, const struct ui_view *v, int top,
				int height)
{
	int width = COLS - 2, y = top, bottom = top + height - 1;
	char host[160] = "", zone[DOMAIN_UNICODE_MAX + DOMAIN_ASCII_MAX + 8];
	const struct wizard_dc *dc = wizard_dc_offer(w);
	if (wizard_server_question(w)) {
		ui_server_question(w, top, width);
		return;
	}
	if (w->dns_host[0])
		text_fmt(host, sizeof host, "records.at_host", records_host_name(w), NULL, NULL);
	if (w->domain.is_idn && w->domain.unicode[0])
		text_fmt(zone, sizeof zone, "records.idn", w->domain.unicode, w->domain.ascii,
			 NULL);
	else
		str_copy(zone, sizeof zone, records_zone(w));
	y += ui_text(y, 1, width, 3, "records.intro", zone, host, NULL);
	if (dc) {
		/* one click at the DNS host instead of typing: said first */
		ui_style_on(STYLE_OK);
		ui_print(y, 1, 1, ui_glyph(GLYPH_RIGHT));
		y += ui_text(y, 3, width - 2, 2,
			     dc->kind == WIZARD_DC_APPLY ? "records.oneclick_offer"
							 : "records.oneclick_panel",
			     dc->provider, NULL, NULL);
		ui_style_off(STYLE_OK);
	} else if (height > 18) {
		y++;
	}
	if (!w->nrecords) {
		ui_text(y + 1, 3, width - 2, 2, w->halted ? "records.stopped" : "records.waiting",
			w->cfg.esp_name, NULL, NULL);
		return;
	}
	/* the details take the table's place: the same records, per server */
	if (w->records_detail) {
		records_matrix(w, y, width, bottom - y - records_status_rows(w, width) + 1);
	} else {
		y += records_table(w, y, width) + 1;
		records_selected(w, y, width, bottom - y - records_status_rows(w, width) + 1);
	}
	records_status_line(w, v, bottom, width);
}

static enum ui_action screen_records_key(struct wizard *w, const struct ui_key *k)
{
	int n = (int)w->nrecords;
	if (wizard_server_question(w))
		return ui_server_question_key(w, k);
	if ((k->is_function && k->code == KEY_UP) || (!k->is_function && k->code == 'k')) {
		if (w->records_cursor > 0)
			w->records_cursor--;
		return ACTION_REDRAW;
	}
	if ((k->is_function && k->code == KEY_DOWN) || (!k->is_function && k->code == 'j')) {
		if (w->records_cursor < n - 1)
			w->records_cursor++;
		return ACTION_REDRAW;
	}
	if (k->is_function)
		return ACTION_NONE;
	switch (k->code) {
	case 'd':
		w->records_detail = !w->records_detail;
		return ACTION_REDRAW;
	case '\r':
	case '\n':
		if (wizard_records_verified(w))
			return ACTION_NEXT;
		w->records_detail = !w->records_detail;
		return ACTION_REDRAW;
	case 27:
		if (!w->records_detail)
			return ACTION_NONE;
		w->records_detail = false;
		return ACTION_REDRAW;
	case 'c':
		return ACTION_CHECK;
	case 'v':
		if (n > 0 && w->records_cursor >= 0 && w->records_cursor < n)
			ui_record_view_open();
		return ACTION_REDRAW;
	case 'a':
		if (!wizard_dc_offer(w))
			return ACTION_NONE;
		ui_oneclick_open();
		return ACTION_REDRAW;
	default:
		return ACTION_NONE;
	}
}

/* Under the own-server question only its answer keys (and e) work. */
static const char *screen_records_footer(const struct wizard *w)
{
	const struct wizard_dc *dc;
	if (wizard_server_question(w))
		return "footer.server";
	dc = wizard_dc_offer(w);
	if (!dc)
		return "footer.records";
	return dc->kind == WIZARD_DC_APPLY ? "footer.records_oneclick" : "footer.records_panel";
}

const struct screen screen_records = {
    .name = "records",
    .draw = screen_records_draw,
    .key = screen_records_key,
    .typing = NULL,
    .footer = "footer.records",
    .footer_now = screen_records_footer,
    .tick = screen_records_tick,
    .draw_tick = screen_records_draw_tick,
};
