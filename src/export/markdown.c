/* Markdown sheets (CommonMark): prose with its special characters
 * backslash-escaped, names in code spans and values and commands in fenced
 * code blocks whose fence is longer than any run of backticks inside, so
 * that nothing a customer or a DNS server wrote can become markup. */
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "export/sheet.h"

/* Characters that can start markup anywhere in a CommonMark paragraph (or
 * a GFM table or strikethrough): links, images, HTML, entities, emphasis,
 * code spans. */
static bool md_special(char c)
{
	return c && strchr("\\`*_[]<>!|~&", c) != NULL;
}

/* Characters that start a block (list, heading, quote, break) only at the
 * start of a line; our text is always at the start of a paragraph or item. */
static bool md_block_start(char c)
{
	return c && strchr("-+#=>", c) != NULL;
}

/* Appends text as paragraph text: markup characters escaped, and a run of
 * digits starting the text kept from reading as a list number ("1986."). */
static enum bh_err md_text(struct buf *out, const char *text)
{
	enum bh_err err = BH_OK;
	const char *p;
	bool digits_only = true;
	while (*text == ' ') /* four would start a code block */
		text++;
	for (p = text; *p && err == BH_OK; p++) {
		bool number_end = digits_only && p != text && (*p == '.' || *p == ')');
		if (md_special(*p) || number_end || (p == text && md_block_start(*p)))
			SHEET_PUT(err, buf_append(out, "\\", 1));
		if (*p < '0' || *p > '9')
			digits_only = false;
		SHEET_PUT(err, buf_append(out, p, 1));
	}
	return err;
}

/* The longest run of backticks in s. */
static size_t md_backtick_run(const char *s)
{
	size_t run = 0, max = 0;
	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > max)
			max = run;
	}
	return max;
}

/* Appends n backticks. */
static enum bh_err md_ticks(struct buf *out, size_t n)
{
	enum bh_err err = BH_OK;
	while (n-- && err == BH_OK)
		err = buf_append(out, "`", 1);
	return err;
}

/* An inline code span holding s exactly (padded with spaces when s starts
 * or ends with a backtick, which CommonMark strips again). */
static enum bh_err md_code(struct buf *out, const char *s)
{
	size_t n = md_backtick_run(s) + 1;
	size_t len = strlen(s);
	bool pad = len && (s[0] == '`' || s[len - 1] == '`' || s[0] == ' ');
	enum bh_err err = md_ticks(out, n);
	if (pad)
		SHEET_PUT(err, buf_puts(out, " "));
	SHEET_PUT(err, buf_puts(out, s));
	if (pad)
		SHEET_PUT(err, buf_puts(out, " "));
	SHEET_PUT(err, md_ticks(out, n));
	return err;
}

/* A fenced code block holding the lines of s (separated by '\n'). */
static enum bh_err md_block(struct buf *out, const char *indent, const char *info, const char *s)
{
	size_t n = md_backtick_run(s) + 1;
	enum bh_err err;
	const char *p = s;
	if (n < 3)
		n = 3;
	err = buf_printf(out, "\n%s", indent);
	SHEET_PUT(err, md_ticks(out, n));
	SHEET_PUT(err, buf_printf(out, "%s\n", info));
	while (err == BH_OK) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		SHEET_PUT(err, buf_puts(out, indent));
		SHEET_PUT(err, buf_append(out, p, len));
		SHEET_PUT(err, buf_puts(out, "\n"));
		if (!nl)
			break;
		p = nl + 1;
	}
	SHEET_PUT(err, buf_puts(out, indent));
	SHEET_PUT(err, md_ticks(out, n));
	SHEET_PUT(err, buf_puts(out, "\n\n"));
	return err;
}

/* A paragraph of escaped text. */
static enum bh_err md_para(struct buf *out, const char *text)
{
	enum bh_err err = md_text(out, text);
	SHEET_PUT(err, buf_puts(out, "\n\n"));
	return err;
}

/* A heading of the given level. */
static enum bh_err md_heading(struct buf *out, int level, const char *text)
{
	enum bh_err err = buf_printf(out, "%.*s ", level, "######");
	SHEET_PUT(err, md_text(out, text));
	SHEET_PUT(err, buf_puts(out, "\n\n"));
	return err;
}

/* A heading whose words come from id. */
static enum bh_err md_heading_word(struct buf *out, int level, const char *id)
{
	char word[SHEET_TEXT_MAX];
	sheet_word(id, word, sizeof word);
	return md_heading(out, level, word);
}

/* "- **Label:** " then the caller appends the value. */
static enum bh_err md_item(struct buf *out, const char *label_id)
{
	char label[SHEET_SHORT_MAX];
	enum bh_err err;
	sheet_word(label_id, label, sizeof label);
	err = buf_puts(out, "- **");
	SHEET_PUT(err, md_text(out, label));
	SHEET_PUT(err, buf_puts(out, ":** "));
	return err;
}

static enum bh_err md_record(struct buf *out, const struct sheet *s, size_t i)
{
	const struct sheet_record *r = &s->records[i];
	char word[SHEET_TEXT_MAX], ttl[16];
	enum bh_err err;
	size_t d;

	err = md_heading(out, 3, r->heading);
	SHEET_PUT(err, md_item(out, "export_field.type"));
	SHEET_PUT(err, md_code(out, r->type));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_item(out, "export_field.full_name"));
	SHEET_PUT(err, md_code(out, r->name));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_item(out, "export_field.label"));
	SHEET_PUT(err, md_code(out, r->label));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_item(out, "export_field.ttl"));
	snprintf(ttl, sizeof ttl, "%u", EXPORT_TTL);
	text_fmt(word, sizeof word, "export.ttl_note", ttl, NULL, NULL);
	SHEET_PUT(err, md_text(out, word));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_item(out, "export_field.does"));
	SHEET_PUT(err, md_text(out, r->does));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_item(out, "export_field.status"));
	SHEET_PUT(err, md_text(out, r->status_text));
	SHEET_PUT(err, buf_puts(out, "\n"));
	for (d = 0; d < r->ndiags; d++) {
		sheet_word("export.diag_fix", word, sizeof word);
		SHEET_PUT(err, buf_puts(out, "  - "));
		SHEET_PUT(err, md_text(out, r->diags[d].sentence));
		SHEET_PUT(err, buf_puts(out, " **"));
		SHEET_PUT(err, md_text(out, word));
		SHEET_PUT(err, buf_puts(out, "** "));
		SHEET_PUT(err, md_text(out, r->diags[d].fix));
		SHEET_PUT(err, buf_puts(out, "\n"));
	}
	SHEET_PUT(err, md_item(out, "export_field.value"));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_block(out, "  ", "text", r->value));
	return err;
}

/* Option 1: the DNS host's one-click link, as an autolink on its own line
 * (the sheet lets through only https URLs without spaces, '<' or '>',
 * which is all an autolink needs). */
static enum bh_err md_dc(struct buf *out, const struct sheet *s)
{
	enum bh_err err = md_heading(out, 2, s->dc.heading);
	SHEET_PUT(err, md_para(out, s->dc.what));
	SHEET_PUT(err, buf_printf(out, "<%s>\n\n", s->dc.url));
	if (s->dc.demo[0])
		SHEET_PUT(err, md_para(out, s->dc.demo));
	return err;
}

/* Option 1: the one-click link, DNS host, records, how to confirm. */
static enum bh_err md_records(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX], n[24];
	struct buf cmds = {0};
	enum bh_err err = BH_OK;
	size_t i;

	if (s->dc.on)
		err = md_dc(out, s);
	if (!s->published) {
		SHEET_PUT(err, md_heading_word(out, 2, "export.host_heading"));
		SHEET_PUT(err, md_para(out, s->host));
		if (s->host_steps[0])
			SHEET_PUT(err, md_para(out, s->host_steps));
		if (s->host_long_txt[0])
			SHEET_PUT(err, md_para(out, s->host_long_txt));
		if (s->host_proxy[0])
			SHEET_PUT(err, md_para(out, s->host_proxy));
	}
	SHEET_PUT(err, md_heading_word(out, 2,
				       s->published ? "export.records_heading_done"
						    : "export.records_heading"));
	if (!s->nrecords) {
		sheet_fmt(word, sizeof word, "export.no_records", s->vendor, NULL, NULL);
		SHEET_PUT(err, md_para(out, word));
		return err;
	}
	snprintf(n, sizeof n, "%zu", s->nrecords);
	if (s->published)
		sheet_word("export.records_intro_done", word, sizeof word);
	else
		text_fmt(word, sizeof word, "export.records_intro", n, NULL, NULL);
	SHEET_PUT(err, md_para(out, word));
	for (i = 0; i < s->nrecords; i++)
		SHEET_PUT(err, md_record(out, s, i));
	SHEET_PUT(err, md_heading_word(out, 2, "export.check_heading"));
	sheet_word("export.check_intro", word, sizeof word);
	SHEET_PUT(err, md_text(out, word));
	for (i = 0; i < s->nrecords; i++)
		buf_printf(&cmds, "%s%s", i ? "\n" : "", s->records[i].check);
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_block(out, "", "sh", cmds.data ? cmds.data : ""));
	buf_free(&cmds);
	if (!s->published) {
		sheet_fmt(word, sizeof word, "export.check_host_note", s->vendor, NULL, NULL);
		SHEET_PUT(err, md_para(out, word));
	}
	return err;
}

/* Option 2: the address and the confirmation email. */
static enum bh_err md_address(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX];
	enum bh_err err = md_heading_word(out, 2, "export_confirm.heading");
	SHEET_PUT(err, md_item(out, "export_field.address"));
	SHEET_PUT(err, md_code(out, s->address));
	SHEET_PUT(err, buf_puts(out, "\n"));
	if (s->address_name[0]) {
		SHEET_PUT(err, md_item(out, "export_field.display_name"));
		SHEET_PUT(err, md_text(out, s->address_name));
		SHEET_PUT(err, buf_puts(out, "\n"));
	}
	SHEET_PUT(err, buf_puts(out, "\n"));
	if (s->done || !s->w->signature.exists)
		return err;
	SHEET_PUT(err, md_para(out, s->confirm_what));
	sheet_fmt(word, sizeof word, "export_confirm.not_seen", s->vendor, NULL, NULL);
	SHEET_PUT(err, md_para(out, word));
	return err;
}

/* Option 3: the From header in a code block, its folded lines as they are. */
static enum bh_err md_from(struct buf *out, const struct sheet *s)
{
	char word[SHEET_TEXT_MAX];
	enum bh_err err = md_heading_word(out, 2, "export_from.heading");
	text_fmt(word, sizeof word, "export_from.what", s->vendor, NULL, NULL);
	SHEET_PUT(err, md_text(out, word));
	SHEET_PUT(err, buf_puts(out, "\n"));
	SHEET_PUT(err, md_block(out, "", "text", s->from_header));
	SHEET_PUT(err, md_para(out, s->from_shows));
	return err;
}

/* An email to a teammate: who asks and why, the note first (quoted). */
static enum bh_err md_letter(struct buf *out, const struct sheet *s)
{
	const struct sheet_letter *l = &s->letter;
	enum bh_err err = md_para(out, l->greeting);
	SHEET_PUT(err, md_para(out, l->asked));
	if (s->note[0]) {
		SHEET_PUT(err, buf_puts(out, "> "));
		SHEET_PUT(err, md_para(out, s->note));
	}
	SHEET_PUT(err, md_para(out, l->why));
	SHEET_PUT(err, md_para(out, l->reply));
	SHEET_PUT(err, buf_puts(out, "---\n\n"));
	return err;
}

/* "**Label:** text" as its own paragraph. */
static enum bh_err md_labelled(struct buf *out, const char *label_id, const char *text)
{
	char word[SHEET_SHORT_MAX];
	enum bh_err err = buf_puts(out, "**");
	sheet_word(label_id, word, sizeof word);
	SHEET_PUT(err, md_text(out, word));
	SHEET_PUT(err, buf_puts(out, ":** "));
	SHEET_PUT(err, md_para(out, text));
	return err;
}

enum bh_err export_render_markdown(const struct sheet *s, struct buf *out)
{
	enum bh_err err = BH_OK;

	if (s->letter.on)
		err = md_letter(out, s);
	SHEET_PUT(err, md_heading(out, 1, s->title));
	if (!s->letter.on)
		SHEET_PUT(err, md_para(out, s->intro));
	SHEET_PUT(err, md_labelled(out, "export.option_heading", s->option_text));
	if (s->status[0])
		SHEET_PUT(err, md_labelled(out, "export.status_heading", s->status));
	SHEET_PUT(err, md_heading_word(out, 2, "export.why_heading"));
	SHEET_PUT(err, md_para(out, s->why));
	if (s->option == 1)
		SHEET_PUT(err, md_records(out, s));
	else if (s->option == 2)
		SHEET_PUT(err, md_address(out, s));
	else
		SHEET_PUT(err, md_from(out, s));
	if (s->note[0] && !s->letter.on) {
		SHEET_PUT(err, md_heading_word(out, 2, "export.note_heading"));
		SHEET_PUT(err, md_para(out, s->note));
	}
	SHEET_PUT(err, md_heading_word(out, 2, "export.support_heading"));
	SHEET_PUT(err, md_para(out, s->support));
	SHEET_PUT(err, buf_puts(out, "---\n\n"));
	SHEET_PUT(err, md_text(out, s->footer));
	SHEET_PUT(err, buf_puts(out, "\n"));
	return err;
}
