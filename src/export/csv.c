/* CSV (RFC 4180): a header row, then one row per record, CRLF line ends.
 * A cell is quoted when it holds a comma, a quote, CR, LF or blanks at an
 * end, quotes doubled; a cell starting with '=', '+', '-', '@', tab or CR
 * gets a leading apostrophe so that a spreadsheet never reads it as a
 * formula (CSV injection). */
#include <stdio.h>
#include <string.h>

#include "export/sheet.h"

/* Appends one cell (without separator). */
static enum bh_err csv_cell(struct buf *out, const char *s)
{
	size_t len = strlen(s);
	bool neutralise = len && strchr("=+-@\t\r", s[0]) != NULL;
	bool quote = strpbrk(s, ",\"\r\n") != NULL || (len && (s[0] == ' ' || s[len - 1] == ' '));
	enum bh_err err = BH_OK;

	if (quote)
		err = buf_puts(out, "\"");
	if (neutralise)
		SHEET_PUT(err, buf_puts(out, "'"));
	for (; *s && err == BH_OK; s++)
		err = *s == '"' ? buf_puts(out, "\"\"") : buf_append(out, s, 1);
	if (quote)
		SHEET_PUT(err, buf_puts(out, "\""));
	return err;
}

/* Appends a row of n cells and CRLF. */
static enum bh_err csv_row(struct buf *out, const char *const *cells, size_t n)
{
	enum bh_err err = BH_OK;
	size_t i;
	for (i = 0; i < n; i++) {
		if (i)
			SHEET_PUT(err, buf_puts(out, ","));
		SHEET_PUT(err, csv_cell(out, cells[i]));
	}
	SHEET_PUT(err, buf_puts(out, "\r\n"));
	return err;
}

#define CSV_COLUMNS 7

enum bh_err export_render_csv(const struct sheet *s, struct buf *out)
{
	char header[SHEET_TEXT_MAX], ttl[16];
	const char *cells[CSV_COLUMNS];
	enum bh_err err;
	size_t i, n = 0;
	char *p = header;

	/* The header's words are one comma-separated line of export.ini. */
	sheet_word("export_csv.header", header, sizeof header);
	while (n < CSV_COLUMNS) {
		char *comma = strchr(p, ',');
		cells[n++] = p;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	while (n < CSV_COLUMNS)
		cells[n++] = "";
	err = csv_row(out, cells, CSV_COLUMNS);
	snprintf(ttl, sizeof ttl, "%u", EXPORT_TTL);
	for (i = 0; i < s->nrecords && err == BH_OK; i++) {
		const struct sheet_record *r = &s->records[i];
		const char *row[CSV_COLUMNS] = {r->title, r->type, r->name,	  r->label,
						r->value, ttl,	   r->status_text};
		err = csv_row(out, row, CSV_COLUMNS);
	}
	return err;
}
