/* Plain-text sheets, for pasting into a ticket or a chat: prose wrapped at
 * 72 columns, names, values and commands never wrapped (they are copied). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/text.h"
#include "export/sheet.h"

#define TEXT_WIDTH 72

/* Columns the first len bytes of sanitized UTF-8 take (one per code point). */
static size_t text_width_n(const char *s, size_t len)
{
	size_t n = 0, i;
	for (i = 0; i < len && s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Columns a sanitized UTF-8 string takes. */
static size_t text_width(const char *s)
{
	return text_width_n(s, strlen(s));
}

/* Appends n copies of c. */
static enum bh_err text_repeat(struct buf *out, char c, size_t n)
{
	enum bh_err err = BH_OK;
	while (n-- && err == BH_OK)
		err = buf_append(out, &c, 1);
	return err;
}

/* Appends text word-wrapped at TEXT_WIDTH and a newline.  The first line
 * continues at column col (the caller wrote that much of it already), the
 * others start with indent; a word longer than a line stays whole. */
static enum bh_err text_wrap_at(struct buf *out, const char *text, size_t col, const char *indent)
{
	enum bh_err err = BH_OK;
	size_t iw = text_width(indent);
	bool first = true;
	const char *p = text;

	while (*p && err == BH_OK) {
		const char *end;
		size_t wlen, ww;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		end = strchr(p, ' ');
		wlen = end ? (size_t)(end - p) : strlen(p);
		ww = text_width_n(p, wlen);
		if (!first && col + 1 + ww > TEXT_WIDTH) {
			SHEET_PUT(err, buf_puts(out, "\n"));
			SHEET_PUT(err, buf_puts(out, indent));
			col = iw;
		} else if (!first) {
			SHEET_PUT(err, buf_puts(out, " "));
			col++;
		}
		SHEET_PUT(err, buf_append(out, p, wlen));
		col += ww;
		first = false;
		p += wlen;
	}
	SHEET_PUT(err, buf_puts(out, "\n"));
	return err;
}

/* A paragraph starting at column 0, continued with indent. */
static enum bh_err text_wrap(struct buf *out, const char *text, const char *indent)
{
	enum bh_err err = buf_puts(out, indent);
	SHEET_PUT(err, text_wrap_at(out, text, text_width(indent), indent));
	return err;
}

/* A heading underlined with c, after an empty line. */
static enum bh_err text_heading(struct buf *out, const char *title, char c)
{
	enum bh_err err = buf_printf(out, "\n%s\n", title);
	SHEET_PUT(err, text_repeat(out, c, text_width(title)));
	SHEET_PUT(err, buf_puts(out, "\n"));
	return err;
}

/* "Label:   value" with the value starting at column width + 2 after
 * indent; prose values wrap under themselves, others stay on one line. */
static enum bh_err text_field(struct buf *out, const char *indent, const char *label_id,
			      size_t width, const char *value, bool prose)
{
	char label[SHEET_SHORT_MAX], hang[128];
	size_t col = text_width(indent) + width + 2;
	enum bh_err err;

	sheet_word(label_id, label, sizeof label);
	err = buf_printf(out, "%s%s:", indent, label);
	SHEET_PUT(err, text_repeat(out, ' ', width + 1 - text_width(label)));
	if (!prose)
		return err == BH_OK ? buf_printf(out, "%s\n", value) : err;
	memset(hang, ' ', sizeof hang);
	hang[col < sizeof hang ? col : sizeof hang - 1] = '\0';
	SHEET_PUT(err, text_wrap_at(out, value, col, hang));
	return err;
}

/* The widest of the record field labels. */
static size_t text_label_width(void)
{
	static const char *const ids[] = {
	    "export_field.type",  "export_field.full_name", "export_field.label",
	    "export_field.value", "export_field.ttl",	    "export_field.status",
	    "export_field.does",  "export_field.address",   "export_field.display_name"};
	size_t i, max = 0;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		char label[SHEET_SHORT_MAX];
		size_t n;
		sheet_word(ids[i], label, sizeof label);
		n = text_width(label);
		if (n > max)
			max = n;
	}
	return max;
}

static enum bh_err text_record(struct buf *out, const struct sheet *s, size_t i, size_t width)
{
	const struct sheet_record *r = &s->records[i];
	char word[SHEET_TEXT_MAX], ttl[SHEET_TEXT_MAX], pad[64];
	enum bh_err err;
	size_t d;

	err = buf_printf(out, "\n%s\n", r->heading);
	SHEET_PUT(err, text_field(out, "   ", "export_field.type", width, r->type, false));
	SHEET_PUT(err, text_field(out, "   ", "export_field.full_name", width, r->name, false));
	SHEET_PUT(err, text_field(out, "   ", "export_field.label", width, r->label, false));
	SHEET_PUT(err, text_field(out, "   ", "export_field.value", width, r->value, false));
	snprintf(word, sizeof word, "%u", EXPORT_TTL);
	text_fmt(ttl, sizeof ttl, "export.ttl_note", word, NULL, NULL);
	SHEET_PUT(err, text_field(out, "   ", "export_field.ttl", width, ttl, true));
	SHEET_PUT(err, text_field(out, "   ", "export_field.does", width, r->does, true));
	SHEET_PUT(err, text_field(out, "   ", "export_field.status", width, r->status_text, true));
	memset(pad, ' ', sizeof pad);
	pad[width + 5 < sizeof pad ? width + 5 : sizeof pad - 1] = '\0';
	for (d = 0; d < r->ndiags; d++) {
		char fix[SHEET_TEXT_MAX + SHEET_SHORT_MAX + 8], label[SHEET_SHORT_MAX], hang[80];
		SHEET_PUT(err, buf_printf(out, "%s- ", pad));
		snprintf(hang, sizeof hang, "%s  ", pad);
		SHEET_PUT(err, text_wrap_at(out, r->diags[d].sentence, width + 7, hang));
		sheet_word("export.diag_fix", label, sizeof label);
		snprintf(fix, sizeof fix, "%s %s", label, r->diags[d].fix);
		SHEET_PUT(err, buf_puts(out, hang));
		SHEET_PUT(err, text_wrap_at(out, fix, width + 7, hang));
	}
	return err;
}

/* Option 1: the DNS host's one-click link, the URL alone on its line (it
 * is copied whole). */
static enum bh_err text_dc(struct buf *out, const struct sheet *s)
{
	enum bh_err err = text_heading(out, s->dc.heading, '-');
	SHEET_PUT(err, text_wrap(out, s->dc.what, ""));
	SHEET_PUT(err, buf_printf(out, "\n%s\n", s->dc.url));
	if (s->dc.demo[0]) {
		SHEET_PUT(err, buf_puts(out, "\n"));
		SHEET_PUT(err, text_wrap(out, s->dc.demo, ""));
	}
	return err;
}

/* Option 1: the one-click link, DNS host, records, how to confirm. */
static enum bh_err text_records(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX], n[24];
	size_t i, width = text_label_width();
	enum bh_err err = BH_OK;

	if (s->dc.on)
		err = text_dc(out, s);
	if (!s->published) {
		sheet_word("export.host_heading", word, sizeof word);
		SHEET_PUT(err, text_heading(out, word, '-'));
		SHEET_PUT(err, text_wrap(out, s->host, ""));
		if (s->host_steps[0])
			SHEET_PUT(err, text_wrap(out, s->host_steps, ""));
		if (s->host_long_txt[0])
			SHEET_PUT(err, text_wrap(out, s->host_long_txt, ""));
		if (s->host_proxy[0])
			SHEET_PUT(err, text_wrap(out, s->host_proxy, ""));
	}
	sheet_word(s->published ? "export.records_heading_done" : "export.records_heading", word,
		   sizeof word);
	SHEET_PUT(err, text_heading(out, word, '-'));
	if (!s->nrecords) {
		sheet_fmt(word, sizeof word, "export.no_records", s->vendor, NULL, NULL);
		SHEET_PUT(err, text_wrap(out, word, ""));
		return err;
	}
	snprintf(n, sizeof n, "%zu", s->nrecords);
	if (s->published)
		sheet_word("export.records_intro_done", word, sizeof word);
	else
		text_fmt(word, sizeof word, "export.records_intro", n, NULL, NULL);
	SHEET_PUT(err, text_wrap(out, word, ""));
	for (i = 0; i < s->nrecords; i++)
		SHEET_PUT(err, text_record(out, s, i, width));
	sheet_word("export.check_heading", word, sizeof word);
	SHEET_PUT(err, text_heading(out, word, '-'));
	sheet_word("export.check_intro", word, sizeof word);
	SHEET_PUT(err, text_wrap(out, word, ""));
	SHEET_PUT(err, buf_puts(out, "\n"));
	for (i = 0; i < s->nrecords; i++)
		SHEET_PUT(err, buf_printf(out, "    %s\n", s->records[i].check));
	if (!s->published) {
		SHEET_PUT(err, buf_puts(out, "\n"));
		sheet_fmt(word, sizeof word, "export.check_host_note", s->vendor, NULL, NULL);
		SHEET_PUT(err, text_wrap(out, word, ""));
	}
	return err;
}

/* Option 2: the address and the confirmation email. */
static enum bh_err text_address(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX];
	size_t width = text_label_width();
	enum bh_err err;

	sheet_word("export_confirm.heading", word, sizeof word);
	err = text_heading(out, word, '-');
	SHEET_PUT(err, text_field(out, "", "export_field.address", width, s->address, false));
	if (s->address_name[0])
		SHEET_PUT(err, text_field(out, "", "export_field.display_name", width,
					  s->address_name, false));
	if (s->done || !s->w->signature.exists)
		return err;
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, text_wrap(out, s->confirm_what, ""));
	sheet_fmt(word, sizeof word, "export_confirm.not_seen", s->vendor, NULL, NULL);
	SHEET_PUT(err, text_wrap(out, word, ""));
	return err;
}

/* Option 3: the From header, its folded lines as they are. */
static enum bh_err text_from(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX];
	const char *p = s->from_header;
	enum bh_err err;

	sheet_word("export_from.heading", word, sizeof word);
	err = text_heading(out, word, '-');
	text_fmt(word, sizeof word, "export_from.what", s->vendor, NULL, NULL);
	SHEET_PUT(err, text_wrap(out, word, ""));
	SHEET_PUT(err, buf_puts(out, "\n"));
	while (err == BH_OK) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		SHEET_PUT(err, buf_puts(out, "    "));
		SHEET_PUT(err, buf_append(out, p, n));
		SHEET_PUT(err, buf_puts(out, "\n"));
		if (!nl)
			break;
		p = nl + 1;
	}
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, text_wrap(out, s->from_shows, ""));
	return err;
}

/* An email to a teammate: who asks and why, the note first, then a rule. */
static enum bh_err text_letter(struct buf *out, const struct sheet *s)
{
	const struct sheet_letter *l = &s->letter;
	enum bh_err err = buf_printf(out, "%s\n\n", l->greeting);
	SHEET_PUT(err, text_wrap(out, l->asked, ""));
	if (s->note[0]) {
		SHEET_PUT(err, buf_puts(out, "\n"));
		SHEET_PUT(err, text_wrap(out, s->note, "    "));
	}
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, text_wrap(out, l->why, ""));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, text_wrap(out, l->reply, ""));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, text_repeat(out, '-', TEXT_WIDTH));
	SHEET_PUT(err, buf_puts(out, "\n\n"));
	return err;
}

enum bh_err export_render_text(const struct sheet *s, struct buf *out)
{
	char word[SHEET_TEXT_MAX];
	enum bh_err err = BH_OK;

	if (s->letter.on)
		err = text_letter(out, s);
	SHEET_PUT(err, buf_printf(out, "%s\n", s->title));
	SHEET_PUT(err, text_repeat(out, '=', text_width(s->title)));
	SHEET_PUT(err, buf_puts(out, "\n\n"));
	if (!s->letter.on)
		SHEET_PUT(err, text_wrap(out, s->intro, ""));
	sheet_word("export.option_heading", word, sizeof word);
	SHEET_PUT(err,
		  buf_printf(out, "%s%s: %s\n", s->letter.on ? "" : "\n", word, s->option_text));
	if (s->status[0]) {
		sheet_word("export.status_heading", word, sizeof word);
		SHEET_PUT(err, buf_printf(out, "%s: ", word));
		SHEET_PUT(err, text_wrap_at(out, s->status, text_width(word) + 2, ""));
	}
	sheet_word("export.why_heading", word, sizeof word);
	SHEET_PUT(err, text_heading(out, word, '-'));
	SHEET_PUT(err, text_wrap(out, s->why, ""));
	if (s->option == 1)
		SHEET_PUT(err, text_records(out, s));
	else if (s->option == 2)
		SHEET_PUT(err, text_address(out, s));
	else
		SHEET_PUT(err, text_from(out, s));
	if (s->note[0] && !s->letter.on) {
		sheet_word("export.note_heading", word, sizeof word);
		SHEET_PUT(err, text_heading(out, word, '-'));
		SHEET_PUT(err, text_wrap(out, s->note, ""));
	}
	sheet_word("export.support_heading", word, sizeof word);
	SHEET_PUT(err, text_heading(out, word, '-'));
	SHEET_PUT(err, text_wrap(out, s->support, ""));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, text_wrap(out, s->footer, ""));
	return err;
}
