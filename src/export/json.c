/* The records JSON of DESIGN.md (core/records_json.h), what `behalf check
 * --records` reads, with each record's status.  Names and values are
 * sanitized copies: JSON would carry a control character as \u001b, which
 * a reader turns back into an escape. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/records_json.h"
#include "core/sanitize.h"
#include "export/sheet.h"

/* The domain the JSON names: option 1's domain, option 2's address domain,
 * option 3's vendor domain (those two have no records). */
static void json_domain(const struct sheet *s, char *out, size_t cap)
{
	const char *at = strrchr(s->address, '@');
	if (s->option == 1)
		str_copy(out, cap, s->domain);
	else if (s->option == 2 && at)
		str_copy(out, cap, at + 1);
	else
		sanitize_text(s->w->cfg.vendor_domain, out, cap);
}

/* text (the records JSON, freed) with "domain_connect": {"kind",
 * "provider", "url"} after the records: the one-click link, which `behalf
 * check --records` ignores like any key it does not read.  Written as
 * records_json_write writes (same indent, same order). */
static char *json_add_dc(const struct sheet *s, char *text)
{
	json_t *root = json_loads(text, 0, NULL), *dc;
	char *with;
	if (!root)
		return text;
	dc = json_pack("{s:s, s:s, s:s}", "kind", s->dc.kind, "provider", s->dc.provider, "url",
		       s->dc.url);
	if (!dc || json_object_set_new(root, "domain_connect", dc) != 0) {
		json_decref(root);
		return text;
	}
	with = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!with)
		return text;
	free(text);
	return with;
}

enum bh_err export_render_json(const struct sheet *s, struct buf *out)
{
	struct expected_record *copy = xcalloc(WIZARD_MAX_RECORDS, sizeof *copy);
	char domain[RECORD_NAME_MAX];
	char *text;
	enum bh_err err;
	size_t i;

	for (i = 0; i < s->nrecords; i++) {
		copy[i] = s->w->records[i];
		str_copy(copy[i].name, sizeof copy[i].name, s->records[i].name);
		str_copy(copy[i].value, sizeof copy[i].value, s->records[i].value);
	}
	json_domain(s, domain, sizeof domain);
	text = records_json_write(domain, copy, s->nrecords, s->nrecords ? s->w->results : NULL);
	if (s->dc.on)
		text = json_add_dc(s, text);
	err = buf_puts(out, text);
	SHEET_PUT(err, buf_puts(out, "\n"));
	free(text);
	free(copy);
	return err;
}
