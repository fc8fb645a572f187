/* BIND zone-file lines: absolute names with trailing dots, the suggested
 * TTL, TXT values as quoted character-strings of at most 255 bytes with
 * '"' and '\' escaped and any other byte outside printable ASCII written
 * as \DDD; words only in ';' comments, which end at the line's end (the
 * sheet's text holds no newline). */
#include <stdio.h>
#include <string.h>

#include "export/sheet.h"

#define ZONE_STRING_MAX 255 /* bytes of one TXT character-string */

/* Appends a domain name with a trailing dot; bytes that are not letters,
 * digits, '-', '_', '*' or '.' are written as \DDD. */
static enum bh_err zone_name(struct buf *out, const char *name)
{
	enum bh_err err = BH_OK;
	const unsigned char *p = (const unsigned char *)name;
	for (; *p && err == BH_OK; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '*' ||
			     *p == '.';
		if (plain)
			err = buf_append(out, p, 1);
		else
			err = buf_printf(out, "\\%03u", *p);
	}
	if (err == BH_OK && (!*name || name[strlen(name) - 1] != '.'))
		err = buf_puts(out, ".");
	return err;
}

/* Appends value as quoted character-strings of at most 255 bytes each. */
static enum bh_err zone_txt(struct buf *out, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t len = strlen(value), i, n = 0;
	enum bh_err err = buf_puts(out, "\"");

	for (i = 0; i < len && err == BH_OK; i++) {
		if (n == ZONE_STRING_MAX) {
			err = buf_puts(out, "\" \"");
			n = 0;
		}
		if (p[i] == '"' || p[i] == '\\')
			SHEET_PUT(err, buf_printf(out, "\\%c", p[i]));
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			SHEET_PUT(err, buf_printf(out, "\\%03u", p[i]));
		else
			SHEET_PUT(err, buf_append(out, &p[i], 1));
		n++;
	}
	SHEET_PUT(err, buf_puts(out, "\""));
	return err;
}

/* One record's line. */
static enum bh_err zone_record(struct buf *out, const struct sheet_record *r)
{
	enum bh_err err = zone_name(out, r->name);
	SHEET_PUT(err, buf_printf(out, " %u IN %s ", EXPORT_TTL, r->type));
	if (strcmp(r->type, "TXT") == 0) {
		SHEET_PUT(err, zone_txt(out, r->value));
	} else if (strcmp(r->type, "MX") == 0) {
		/* "<preference> <exchange>": the exchange is a name like a target */
		const char *exchange = r->value + strspn(r->value, "0123456789");
		SHEET_PUT(err, buf_printf(out, "%.*s ", (int)(exchange - r->value), r->value));
		SHEET_PUT(err, zone_name(out, exchange + strspn(exchange, " ")));
	} else {
		SHEET_PUT(err, zone_name(out, r->value));
	}
	SHEET_PUT(err, buf_puts(out, "\n"));
	return err;
}

enum bh_err export_zone_records(const struct sheet *s, struct buf *out)
{
	enum bh_err err = BH_OK;
	size_t i;
	for (i = 0; i < s->nrecords && err == BH_OK; i++)
		if (s->records[i].name[0] && s->records[i].value[0])
			err = zone_record(out, &s->records[i]);
	return err;
}

/* A comment line. */
static enum bh_err zone_comment(struct buf *out, const char *text)
{
	return buf_printf(out, "; %s\n", text);
}

enum bh_err export_render_zone(const struct sheet *s, struct buf *out)
{
	char line[SHEET_TEXT_MAX + 64];
	enum bh_err err;
	size_t i;

	err = zone_comment(out, s->title);
	if (s->option != 1)
		sheet_fmt(line, sizeof line, "export_zone.none", s->option_text, NULL, NULL);
	else if (!s->nrecords)
		sheet_fmt(line, sizeof line, "export.no_records", s->vendor, NULL, NULL);
	else
		sheet_fmt(line, sizeof line, "export_zone.head", s->domain, NULL, NULL);
	SHEET_PUT(err, zone_comment(out, line));
	/* the one-click link, as a comment: a zone file has no other place */
	if (s->dc.on)
		SHEET_PUT(err, buf_printf(out, "; %s: %s\n", s->dc.heading, s->dc.url));
	for (i = 0; i < s->nrecords && err == BH_OK; i++) {
		const struct sheet_record *r = &s->records[i];
		err = buf_printf(out, "; %s: %s\n; %s\n", r->heading, r->status_text, r->does);
		if (r->name[0] && r->value[0])
			SHEET_PUT(err, zone_record(out, r));
	}
	SHEET_PUT(err, zone_comment(out, s->support));
	return err;
}
