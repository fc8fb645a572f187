/* HTML sheets: one self-contained page (inline CSS with print styles, the
 * QR code as inline SVG, no external resource), every text escaped as
 * character data. */
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "export/qr.h"
#include "export/sheet.h"

static const char html_style[] =
    "body{font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,"
    "sans-serif;color:#1b1b1b;background:#fff;margin:0}\n"
    ".page{max-width:46em;margin:0 auto;padding:1.5em}\n"
    "h1{font-size:1.6em;margin:0 0 .5em}h2{font-size:1.25em;margin:1.6em 0 .4em;"
    "border-bottom:1px solid #ccc}h3{font-size:1.05em;margin:1.2em 0 .3em}\n"
    "code,pre{font:.9em/1.4 ui-monospace,Menlo,Consolas,\"DejaVu Sans Mono\",monospace}\n"
    "code{background:#f3f3f3;padding:0 .2em;overflow-wrap:anywhere;word-break:break-all}\n"
    "pre{background:#f3f3f3;padding:.6em;white-space:pre-wrap;overflow-wrap:anywhere}\n"
    ".record{border:1px solid #ccc;border-radius:4px;padding:.2em 1em .6em;margin:1em 0}\n"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;"
    "padding:.25em .5em .25em 0}th{width:9em;font-weight:600;white-space:nowrap}\n"
    ".status-verified{color:#1a7f37}.status-partial{color:#9a6700}"
    ".status-mismatch,.status-missing,.status-error{color:#b42318}\n"
    ".fix{font-weight:600}.muted,.status-optional{color:#555}.qr{display:block;margin:.5em 0}\n"
    ".qr-box{margin:1.5em 0}.note{margin:1em 0;padding:.2em 1em;border-left:4px solid #ccc;"
    "white-space:pre-wrap}\n"
    "@media print{body{font-size:11pt;color:#000}.page{max-width:none;padding:0}"
    "code,pre{background:none}pre{border:1px solid #999}.record,.qr-box{break-inside:avoid}"
    "h2,h3{break-after:avoid}.status-verified,.status-partial,.status-mismatch,"
    ".status-missing,.status-error{color:#000}@page{margin:1.5cm}}\n";

/* Appends s with &, <, >, " and ' as character references. */
static enum bh_err html_text(struct buf *out, const char *s)
{
	enum bh_err err = BH_OK;
	for (; *s && err == BH_OK; s++) {
		switch (*s) {
		case '&':
			err = buf_puts(out, "&amp;");
			break;
		case '<':
			err = buf_puts(out, "&lt;");
			break;
		case '>':
			err = buf_puts(out, "&gt;");
			break;
		case '"':
			err = buf_puts(out, "&quot;");
			break;
		case '\'':
			err = buf_puts(out, "&#39;");
			break;
		default:
			err = buf_append(out, s, 1);
			break;
		}
	}
	return err;
}

/* <tag>escaped s</tag> then a newline. */
static enum bh_err html_elem(struct buf *out, const char *tag, const char *s)
{
	enum bh_err err = buf_printf(out, "<%s>", tag);
	SHEET_PUT(err, html_text(out, s));
	SHEET_PUT(err, buf_printf(out, "</%s>\n", tag));
	return err;
}

/* An element whose words come from id. */
static enum bh_err html_word(struct buf *out, const char *tag, const char *id)
{
	char word[SHEET_TEXT_MAX];
	sheet_word(id, word, sizeof word);
	return html_elem(out, tag, word);
}

/* A table row: <th>label of id</th><td>, then the caller's cell content. */
static enum bh_err html_row(struct buf *out, const char *label_id)
{
	enum bh_err err = buf_puts(out, "<tr><th>");
	char label[SHEET_SHORT_MAX];
	sheet_word(label_id, label, sizeof label);
	SHEET_PUT(err, html_text(out, label));
	SHEET_PUT(err, buf_puts(out, "</th><td>"));
	return err;
}

/* A row whose cell is s in <code>. */
static enum bh_err html_code_row(struct buf *out, const char *label_id, const char *s)
{
	enum bh_err err = html_row(out, label_id);
	SHEET_PUT(err, buf_puts(out, "<code>"));
	SHEET_PUT(err, html_text(out, s));
	SHEET_PUT(err, buf_puts(out, "</code></td></tr>\n"));
	return err;
}

static enum bh_err html_record(struct buf *out, const struct sheet *s, size_t i)
{
	const struct sheet_record *r = &s->records[i];
	char word[SHEET_TEXT_MAX], ttl[16];
	enum bh_err err;
	size_t d;

	err = buf_puts(out, "<div class=\"record\">\n");
	SHEET_PUT(err, html_elem(out, "h3", r->heading));
	SHEET_PUT(err, buf_puts(out, "<table>\n"));
	SHEET_PUT(err, html_code_row(out, "export_field.type", r->type));
	SHEET_PUT(err, html_code_row(out, "export_field.full_name", r->name));
	SHEET_PUT(err, html_code_row(out, "export_field.label", r->label));
	SHEET_PUT(err, html_code_row(out, "export_field.value", r->value));
	snprintf(ttl, sizeof ttl, "%u", EXPORT_TTL);
	text_fmt(word, sizeof word, "export.ttl_note", ttl, NULL, NULL);
	SHEET_PUT(err, html_row(out, "export_field.ttl"));
	SHEET_PUT(err, html_text(out, word));
	SHEET_PUT(err, buf_puts(out, "</td></tr>\n"));
	SHEET_PUT(err, html_row(out, "export_field.does"));
	SHEET_PUT(err, html_text(out, r->does));
	SHEET_PUT(err, buf_puts(out, "</td></tr>\n"));
	SHEET_PUT(err, html_row(out, "export_field.status"));
	SHEET_PUT(err, buf_printf(out, "<span class=\"status-%s\">", r->status_word));
	SHEET_PUT(err, html_text(out, r->status_text));
	SHEET_PUT(err, buf_puts(out, "</span>"));
	if (r->ndiags)
		SHEET_PUT(err, buf_puts(out, "<ul>"));
	for (d = 0; d < r->ndiags; d++) {
		sheet_word("export.diag_fix", word, sizeof word);
		SHEET_PUT(err, buf_puts(out, "<li>"));
		SHEET_PUT(err, html_text(out, r->diags[d].sentence));
		SHEET_PUT(err, buf_puts(out, " <span class=\"fix\">"));
		SHEET_PUT(err, html_text(out, word));
		SHEET_PUT(err, buf_puts(out, "</span> "));
		SHEET_PUT(err, html_text(out, r->diags[d].fix));
		SHEET_PUT(err, buf_puts(out, "</li>"));
	}
	if (r->ndiags)
		SHEET_PUT(err, buf_puts(out, "</ul>"));
	SHEET_PUT(err, buf_puts(out, "</td></tr>\n"));
	SHEET_PUT(err, buf_puts(out, "</table>\n</div>\n"));
	return err;
}

/* The QR code of all records as zone lines, when they fit in one. */
static enum bh_err html_qr(struct buf *out, const struct sheet *s)
{
	struct buf lines = {0}, svg = {0};
	enum bh_err err = export_zone_records(s, &lines);
	if (err == BH_OK && lines.data && qr_render_svg(lines.data, &svg) == BH_OK) {
		err = buf_puts(out, "<div class=\"qr-box\">\n");
		SHEET_PUT(err, buf_append(out, svg.data, svg.len));
		SHEET_PUT(err, buf_puts(out, "\n"));
		SHEET_PUT(err, html_word(out, "p", "export.qr_caption"));
		SHEET_PUT(err, buf_puts(out, "</div>\n"));
	}
	buf_free(&lines);
	buf_free(&svg);
	return err;
}

/* Option 1: the DNS host's one-click link (the URL escaped in the href
 * like any attribute value), the URL itself for a printed page, and with
 * the QR code on, its code for a phone. */
static enum bh_err html_dc(struct buf *out, const struct sheet *s)
{
	struct buf svg = {0};
	enum bh_err err = html_elem(out, "h2", s->dc.heading);
	SHEET_PUT(err, html_elem(out, "p", s->dc.what));
	SHEET_PUT(err, buf_puts(out, "<p><a href=\""));
	SHEET_PUT(err, html_text(out, s->dc.url));
	SHEET_PUT(err, buf_puts(out, "\">"));
	SHEET_PUT(err, html_text(out, s->dc.link));
	SHEET_PUT(err, buf_puts(out, "</a></p>\n<p><code>"));
	SHEET_PUT(err, html_text(out, s->dc.url));
	SHEET_PUT(err, buf_puts(out, "</code></p>\n"));
	if (s->dc.demo[0])
		SHEET_PUT(err, html_elem(out, "p", s->dc.demo));
	if (err == BH_OK && s->qr && qr_render_svg(s->dc.url, &svg) == BH_OK) {
		err = buf_puts(out, "<div class=\"qr-box\">\n");
		SHEET_PUT(err, buf_append(out, svg.data, svg.len));
		SHEET_PUT(err, buf_puts(out, "\n"));
		SHEET_PUT(err, html_word(out, "p", "export_dc.qr_caption"));
		SHEET_PUT(err, buf_puts(out, "</div>\n"));
	}
	buf_free(&svg);
	return err;
}

/* Option 1: the one-click link, DNS host, records, how to confirm. */
static enum bh_err html_records(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX], n[24];
	enum bh_err err = BH_OK;
	size_t i;

	if (s->dc.on)
		err = html_dc(out, s);
	if (!s->published) {
		SHEET_PUT(err, html_word(out, "h2", "export.host_heading"));
		SHEET_PUT(err, html_elem(out, "p", s->host));
		if (s->host_steps[0])
			SHEET_PUT(err, html_elem(out, "p", s->host_steps));
		if (s->host_long_txt[0])
			SHEET_PUT(err, html_elem(out, "p", s->host_long_txt));
		if (s->host_proxy[0])
			SHEET_PUT(err, html_elem(out, "p", s->host_proxy));
	}
	SHEET_PUT(err, html_word(out, "h2",
				 s->published ? "export.records_heading_done"
					      : "export.records_heading"));
	if (!s->nrecords) {
		sheet_fmt(word, sizeof word, "export.no_records", s->vendor, NULL, NULL);
		return err == BH_OK ? html_elem(out, "p", word) : err;
	}
	snprintf(n, sizeof n, "%zu", s->nrecords);
	if (s->published)
		sheet_word("export.records_intro_done", word, sizeof word);
	else
		text_fmt(word, sizeof word, "export.records_intro", n, NULL, NULL);
	SHEET_PUT(err, html_elem(out, "p", word));
	for (i = 0; i < s->nrecords; i++)
		SHEET_PUT(err, html_record(out, s, i));
	SHEET_PUT(err, html_word(out, "h2", "export.check_heading"));
	SHEET_PUT(err, html_word(out, "p", "export.check_intro"));
	SHEET_PUT(err, buf_puts(out, "<pre>"));
	for (i = 0; i < s->nrecords; i++) {
		SHEET_PUT(err, html_text(out, s->records[i].check));
		SHEET_PUT(err, buf_puts(out, i + 1 < s->nrecords ? "\n" : ""));
	}
	SHEET_PUT(err, buf_puts(out, "</pre>\n"));
	if (!s->published) {
		sheet_fmt(word, sizeof word, "export.check_host_note", s->vendor, NULL, NULL);
		SHEET_PUT(err, html_elem(out, "p", word));
	}
	if (s->qr)
		SHEET_PUT(err, html_qr(out, s));
	return err;
}

/* Option 2: the address and the confirmation email. */
static enum bh_err html_address(struct buf *out, const struct sheet *s)
{
	enum bh_err err = html_word(out, "h2", "export_confirm.heading");
	SHEET_PUT(err, buf_puts(out, "<table>\n"));
	SHEET_PUT(err, html_code_row(out, "export_field.address", s->address));
	if (s->address_name[0]) {
		SHEET_PUT(err, html_row(out, "export_field.display_name"));
		SHEET_PUT(err, html_text(out, s->address_name));
		SHEET_PUT(err, buf_puts(out, "</td></tr>\n"));
	}
	SHEET_PUT(err, buf_puts(out, "</table>\n"));
	if (s->done || !s->w->signature.exists)
		return err;
	SHEET_PUT(err, html_elem(out, "p", s->confirm_what));
	{
		char word[SHEET_TEXT_MAX];
		sheet_fmt(word, sizeof word, "export_confirm.not_seen", s->vendor, NULL, NULL);
		SHEET_PUT(err, html_elem(out, "p", word));
	}
	return err;
}

/* Option 3: the From header, its folded lines as they are. */
static enum bh_err html_from(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX];
	enum bh_err err = html_word(out, "h2", "export_from.heading");
	text_fmt(word, sizeof word, "export_from.what", s->vendor, NULL, NULL);
	SHEET_PUT(err, html_elem(out, "p", word));
	SHEET_PUT(err, html_elem(out, "pre", s->from_header));
	SHEET_PUT(err, html_elem(out, "p", s->from_shows));
	return err;
}

/* "<p><strong>Label:</strong> text</p>". */
static enum bh_err html_labelled(struct buf *out, const char *label_id, const char *text)
{
	char word[SHEET_SHORT_MAX];
	enum bh_err err = buf_puts(out, "<p><strong>");
	sheet_word(label_id, word, sizeof word);
	SHEET_PUT(err, html_text(out, word));
	SHEET_PUT(err, buf_puts(out, ":</strong> "));
	SHEET_PUT(err, html_text(out, text));
	SHEET_PUT(err, buf_puts(out, "</p>\n"));
	return err;
}

/* An email to a teammate: who asks and why, the note first, then a rule. */
static enum bh_err html_letter(struct buf *out, const struct sheet *s)
{
	const struct sheet_letter *l = &s->letter;
	enum bh_err err = html_elem(out, "p", l->greeting);
	SHEET_PUT(err, html_elem(out, "p", l->asked));
	if (s->note[0]) {
		SHEET_PUT(err, buf_puts(out, "<blockquote class=\"note\">"));
		SHEET_PUT(err, html_text(out, s->note));
		SHEET_PUT(err, buf_puts(out, "</blockquote>\n"));
	}
	SHEET_PUT(err, html_elem(out, "p", l->why));
	SHEET_PUT(err, html_elem(out, "p", l->reply));
	SHEET_PUT(err, buf_puts(out, "<hr>\n"));
	return err;
}

enum bh_err export_render_html(const struct sheet *s, struct buf *out)
{
	enum bh_err err;

	err =
	    buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			  "<meta name=\"viewport\" content=\"width=device-width, "
			  "initial-scale=1\">\n");
	SHEET_PUT(err, html_elem(out, "title", s->title));
	SHEET_PUT(err,
		  buf_printf(out, "<style>\n%s</style>\n</head>\n<body>\n<div class=\"page\">\n",
			     html_style));
	if (s->letter.on)
		SHEET_PUT(err, html_letter(out, s));
	SHEET_PUT(err, html_elem(out, "h1", s->title));
	if (!s->letter.on)
		SHEET_PUT(err, html_elem(out, "p", s->intro));
	SHEET_PUT(err, html_labelled(out, "export.option_heading", s->option_text));
	if (s->status[0])
		SHEET_PUT(err, html_labelled(out, "export.status_heading", s->status));
	SHEET_PUT(err, html_word(out, "h2", "export.why_heading"));
	SHEET_PUT(err, html_elem(out, "p", s->why));
	if (s->option == 1)
		SHEET_PUT(err, html_records(out, s));
	else if (s->option == 2)
		SHEET_PUT(err, html_address(out, s));
	else
		SHEET_PUT(err, html_from(out, s));
	if (s->note[0] && !s->letter.on) {
		SHEET_PUT(err, html_word(out, "h2", "export.note_heading"));
		SHEET_PUT(err, html_elem(out, "p", s->note));
	}
	SHEET_PUT(err, html_word(out, "h2", "export.support_heading"));
	SHEET_PUT(err, html_elem(out, "p", s->support));
	SHEET_PUT(err, buf_puts(out, "<p class=\"muted\">"));
	SHEET_PUT(err, html_text(out, s->footer));
	SHEET_PUT(err, buf_puts(out, "</p>\n</div>\n</body>\n</html>\n"));
	return err;
}
