/* Instruction sheets (export.h): the sheet is built once from the wizard,
 * every string sanitized on the way in, then handed to one renderer per
 * format. */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dnshost.h"
#include "core/sanitize.h"
#include "core/text.h"
#include "export/sheet.h"

/* Long TXT values need special care at some DNS hosts past this length. */
#define TXT_STRING_MAX 255

static const struct {
	const char *word;
	const char *ext;
	const char *mime;
} formats[EXPORT__COUNT] = {
    [EXPORT_TEXT] = {"text", "txt", "text/plain; charset=utf-8"},
    [EXPORT_MARKDOWN] = {"markdown", "md", "text/markdown; charset=utf-8"},
    [EXPORT_HTML] = {"html", "html", "text/html; charset=utf-8"},
    [EXPORT_JSON] = {"json", "json", "application/json"},
    [EXPORT_ZONE] = {"zone", "zone", "text/dns"},
    [EXPORT_CSV] = {"csv", "csv", "text/csv; charset=utf-8; header=present"},
};

/* Other words people type for a format. */
static const struct {
	const char *word;
	enum export_format f;
} aliases[] = {
    {"txt", EXPORT_TEXT},
    {"md", EXPORT_MARKDOWN},
    {"htm", EXPORT_HTML},
    {"bind", EXPORT_ZONE},
};

const char *export_format_word(enum export_format f)
{
	return (unsigned)f < EXPORT__COUNT ? formats[f].word : NULL;
}

const char *export_format_extension(enum export_format f)
{
	return (unsigned)f < EXPORT__COUNT ? formats[f].ext : NULL;
}

const char *export_format_mime(enum export_format f)
{
	return (unsigned)f < EXPORT__COUNT ? formats[f].mime : NULL;
}

bool export_format_parse(const char *word, enum export_format *out)
{
	size_t i;
	if (!word)
		return false;
	for (i = 0; i < EXPORT__COUNT; i++) {
		if (strcmp(word, formats[i].word) == 0) {
			*out = (enum export_format)i;
			return true;
		}
	}
	for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strcmp(word, aliases[i].word) == 0) {
			*out = aliases[i].f;
			return true;
		}
	}
	return false;
}

void sheet_word(const char *id, char *out, size_t cap)
{
	sanitize_text(text_get(id), out, cap);
}

void sheet_fmt(char *out, size_t cap, const char *id, const char *a1, const char *a2,
	       const char *a3)
{
	char *tmp = xmalloc(cap);
	text_fmt(tmp, cap, id, a1, a2, a3);
	sanitize_text(tmp, out, cap);
	free(tmp);
}

/* The domain option 1 is about: what the customer entered, else the ESP's. */
static const char *sheet_domain_of(const struct wizard *w)
{
	return w->domain.ascii[0] ? w->domain.ascii : w->esp_domain.name;
}

/* Where to add records: the DNS host, its Name field and hints. */
static void sheet_host(struct sheet *s, const struct wizard *w)
{
	const struct dnshost *h = w->dns_host[0] ? dnshost_find(w->dns_host) : NULL;
	char known[SHEET_TEXT_MAX], field[SHEET_TEXT_MAX], name[SHEET_SHORT_MAX];
	bool long_txt = false, cname = false;
	size_t i;

	for (i = 0; i < s->nrecords; i++) {
		if (w->records[i].type == RECORD_TYPE_TXT &&
		    strlen(w->records[i].value) > TXT_STRING_MAX)
			long_txt = true;
		if (w->records[i].type == RECORD_TYPE_CNAME)
			cname = true;
	}
	if (!h) {
		sheet_fmt(s->host, sizeof s->host, "export_host.unknown", s->domain, NULL, NULL);
		return;
	}
	sanitize_text(dnshost_name(h), name, sizeof name);
	sheet_fmt(known, sizeof known, "export_host.known", name, NULL, NULL);
	switch (dnshost_name_field(h)) {
	case DNSHOST_NAME_RELATIVE:
		sheet_fmt(field, sizeof field, "export_host.relative", name, s->domain, NULL);
		break;
	case DNSHOST_NAME_FQDN:
		sheet_word("export_host.fqdn", field, sizeof field);
		break;
	default:
		sheet_word("export_host.either", field, sizeof field);
		break;
	}
	{
		struct buf b = {0};
		buf_printf(&b, "%s %s", known, field);
		str_copy(s->host, sizeof s->host, b.data);
		buf_free(&b);
	}
	sanitize_text(dnshost_steps(h), s->host_steps, sizeof s->host_steps);
	if (long_txt)
		sanitize_text(dnshost_long_txt(h), s->host_long_txt, sizeof s->host_long_txt);
	if (cname)
		sanitize_text(dnshost_proxy(h), s->host_proxy, sizeof s->host_proxy);
}

/* The value of tag (e.g. "p") in a DMARC record, lower-cased, or "". */
static void sheet_dmarc_tag(const char *value, const char *tag, char *out, size_t cap)
{
	const char *p = value;
	size_t taglen = strlen(tag);
	out[0] = '\0';
	while (*p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p), i = 0;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n > taglen && strncasecmp(p, tag, taglen) == 0) {
			const char *v = p + taglen;
			while (v < p + n && (*v == ' ' || *v == '\t'))
				v++;
			if (v < p + n && *v == '=') {
				for (v++; v < p + n && *v == ' '; v++)
					;
				for (; v < p + n && *v != ' ' && *v != '\t' && i + 1 < cap; v++)
					out[i++] =
					    (*v >= 'A' && *v <= 'Z') ? (char)(*v - 'A' + 'a') : *v;
				out[i] = '\0';
				return;
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
}

/* What record e does, in words: for DMARC, what its own policy asks. */
static void sheet_record_does(char *out, size_t cap, const struct expected_record *e,
			      const char *purpose, const char *domain, const char *esp)
{
	char id[64], policy[16], rua[8], more[SHEET_TEXT_MAX], reports[SHEET_TEXT_MAX];
	snprintf(id, sizeof id, "export_does.%s", purpose);
	sheet_fmt(out, cap, id, domain, esp, NULL);
	if (e->purpose != PURPOSE_DMARC)
		return;
	sheet_dmarc_tag(e->value, "p", policy, sizeof policy);
	sheet_dmarc_tag(e->value, "rua", rua, sizeof rua);
	more[0] = reports[0] = '\0';
	if (strcmp(policy, "none") == 0 || strcmp(policy, "quarantine") == 0 ||
	    strcmp(policy, "reject") == 0) {
		snprintf(id, sizeof id, "export_does.dmarc_%s", policy);
		sheet_word(id, more, sizeof more);
	}
	if (rua[0])
		sheet_word("export_does.dmarc_reports", reports, sizeof reports);
	{
		struct buf b = {0};
		buf_printf(&b, "%s%s%s%s%s", out, more[0] ? " " : "", more, reports[0] ? " " : "",
			   reports);
		str_copy(out, cap, b.data);
		buf_free(&b);
	}
}

/* The status as the records screen words it (record_status_label). A
 * record the ESP has verified is verified even before a DNS check. */
static void sheet_record_status(struct sheet_record *r, const struct wizard *w,
				const struct expected_record *e, const struct record_result *res)
{
	enum record_status st = res->status;
	bool optional;
	const struct resource_record *at_esp =
	    w->esp_domain.exists ? resource_find(&w->esp_domain, e->type, e->name) : NULL;
	if (st == STATUS_UNKNOWN && at_esp && at_esp->esp_verified)
		st = STATUS_VERIFIED;
	r->status_text = record_status_label(st, record_at_wrong_name(res), e->required, &optional);
	r->status_word = optional ? "optional" : record_status_word(st);
	r->checked = st != STATUS_UNKNOWN;
}

/* One record with its status and diagnoses in words. */
static void sheet_record(struct sheet_record *r, const struct wizard *w, size_t i,
			 const char *domain)
{
	const struct expected_record *e = &w->records[i];
	const struct record_result *res = &w->results[i];
	char id[64], label[RECORD_NAME_MAX];
	size_t d;

	r->purpose = record_purpose_word(e->purpose);
	snprintf(id, sizeof id, "export_purpose.%s", r->purpose);
	r->title = text_get(id);
	r->type = record_type_word(e->type);
	sanitize_text(e->name, r->name, sizeof r->name);
	record_relative_label(e->name, domain, label, sizeof label);
	sanitize_text(label, r->label, sizeof r->label);
	sanitize_text(e->value, r->value, sizeof r->value);
	r->required = e->required;
	{
		char req[SHEET_SHORT_MAX];
		struct buf b = {0};
		sheet_word(r->required ? "export.required" : "export.optional", req, sizeof req);
		buf_printf(&b, "%zu. %s (%s)", i + 1, r->title, req);
		sanitize_text(b.data, r->heading, sizeof r->heading);
		buf_free(&b);
	}
	sheet_record_status(r, w, e, res);
	{
		char esp[SHEET_SHORT_MAX], dom[RECORD_NAME_MAX];
		sanitize_text(w->cfg.esp_name, esp, sizeof esp);
		sanitize_text(domain, dom, sizeof dom);
		sheet_record_does(r->does, sizeof r->does, e, r->purpose, dom, esp);
	}
	snprintf(r->check, sizeof r->check, "dig +short %s %s", r->type, r->name);
	r->ndiags = 0;
	for (d = 0; r->checked && d < res->ndiagnoses && d < RECORD_MAX_DIAGNOSES; d++) {
		char sentence[SHEET_TEXT_MAX], fix[SHEET_TEXT_MAX];
		record_diag_text(&res->diagnoses[d], w->dns_host, sentence, sizeof sentence, fix,
				 sizeof fix);
		sanitize_text(sentence, r->diags[r->ndiags].sentence, SHEET_TEXT_MAX);
		sanitize_text(fix, r->diags[r->ndiags].fix, SHEET_TEXT_MAX);
		r->ndiags++;
	}
}

/* A link the sheet may show: https, RFC 3986 characters only (unreserved,
 * reserved and '%'), so that no format needs to do more than its usual
 * escaping, and no scheme but https can reach an href. */
static bool sheet_dc_url_ok(const char *url)
{
	const char *p;
	if (strncmp(url, "https://", 8) != 0 || !url[8])
		return false;
	for (p = url; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL;
		if (!ok)
			return false;
	}
	return true;
}

/* Option 1: Domain Connect's offer for these records, while they are to
 * add (wizard_dc_offer: same domain, not all in). */
static void sheet_dc(struct sheet *s, const struct wizard *w)
{
	const struct wizard_dc *o = wizard_dc_offer(w);
	struct sheet_dc *dc = &s->dc;
	char url[WIZARD_DC_URL_MAX];

	if (!o || s->published || !s->nrecords)
		return;
	sanitize_text(o->url, url, sizeof url);
	if (strcmp(url, o->url) != 0 || !sheet_dc_url_ok(url))
		return;
	str_copy(dc->url, sizeof dc->url, url);
	sanitize_text(o->provider[0] ? o->provider : text_get("export_dc.provider_unknown"),
		      dc->provider, sizeof dc->provider);
	dc->apply = o->kind == WIZARD_DC_APPLY;
	dc->kind = wizard_dc_kind_word(o->kind);
	sheet_fmt(dc->heading, sizeof dc->heading,
		  dc->apply ? "export_dc.heading" : "export_dc.panel_heading", dc->provider,
		  s->domain, NULL);
	sheet_fmt(dc->what, sizeof dc->what, dc->apply ? "export_dc.what" : "export_dc.panel_what",
		  dc->provider, s->domain, NULL);
	sheet_fmt(dc->link, sizeof dc->link, dc->apply ? "export_dc.link" : "export_dc.panel_link",
		  dc->provider, s->domain, NULL);
	if (o->demo)
		sheet_fmt(dc->demo, sizeof dc->demo, "export_dc.demo", dc->provider, NULL, NULL);
	dc->on = true;
}

/* Option 2: the address, and what the confirmation email is. */
static void sheet_address(struct sheet *s, const struct wizard *w)
{
	const char *addr = w->signature.exists && w->signature.email[0] ? w->signature.email
			   : w->address_normalized[0]			? w->address_normalized
									: w->address_email.text;
	const char *id;

	sanitize_text(addr, s->address, sizeof s->address);
	sanitize_text(w->address_name.text, s->address_name, sizeof s->address_name);
	sheet_fmt(s->confirm_what, sizeof s->confirm_what, "export_confirm.what", s->esp,
		  s->address, s->vendor);
	if (!w->signature.exists)
		id = "export_status.not_sent";
	else if (w->signature.confirmed)
		id = "export_status.confirmed";
	else
		id = "export_status.waiting";
	s->done = w->signature.exists && w->signature.confirmed;
	sheet_fmt(s->status, sizeof s->status, id, s->address, s->esp, s->vendor);
}

/* Option 1: done (the ESP verified the domain), published (DNS has every
 * required record, the ESP is confirming), or what is left to do. */
static void sheet_domain_status(struct sheet *s, const struct wizard *w)
{
	size_t i, required = 0, left = 0;
	char n[24];
	const char *id;
	bool esp_ok = w->esp_domain.exists && resource_esp_verified(&w->esp_domain) &&
		      strcasecmp(w->esp_domain.name, sheet_domain_of(w)) == 0;

	for (i = 0; i < s->nrecords; i++) {
		if (!s->records[i].required)
			continue;
		required++;
		if (strcmp(s->records[i].status_word, "verified") != 0)
			left++;
	}
	if (!s->nrecords)
		return;
	if (esp_ok)
		id = "export_status.done";
	else if (wizard_records_verified(w))
		id = "export_status.published";
	else
		id = left == required ? "export_status.todo_all" : "export_status.todo_some";
	s->done = esp_ok;
	s->published = esp_ok || wizard_records_verified(w);
	snprintf(n, sizeof n, "%zu", required);
	sheet_fmt(s->status, sizeof s->status, id, s->domain, s->esp, n);
}

/* "2025-08-17 05:51 UTC". */
static void sheet_when(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M UTC", &tm))
		str_copy(out, cap, "");
}

/* The email to a teammate around the sheet: who asks, their note, why. */
static void sheet_letter(struct sheet *s, const struct wizard *w, const char *sender)
{
	struct sheet_letter *l = &s->letter;
	char who[SHEET_SHORT_MAX], id[64];
	const char *what = s->domain;
	l->on = true;
	sanitize_text(sender, who, sizeof who);
	sheet_word("export_letter.greeting", l->greeting, sizeof l->greeting);
	if (s->option == 1)
		snprintf(id, sizeof id, "export_letter.1%s",
			 s->done		      ? "_done"
			 : wizard_records_verified(w) ? "_published"
						      : "");
	else if (s->option == 2)
		snprintf(id, sizeof id, "export_letter.2%s",
			 s->done		? "_done"
			 : !w->signature.exists ? "_not_sent"
						: "");
	else
		snprintf(id, sizeof id, "export_letter.3");
	if (s->option == 2)
		what = s->address;
	sheet_fmt(l->why, sizeof l->why, id, s->vendor, s->esp, what);
	if (s->dc.on) {
		/* the quicker way, in the letter too: the link follows */
		char more[SHEET_TEXT_MAX];
		struct buf b = {0};
		sheet_fmt(more, sizeof more,
			  s->dc.apply ? "export_letter.oneclick" : "export_letter.oneclick_panel",
			  s->dc.provider, what, NULL);
		buf_printf(&b, "%s %s", l->why, more);
		str_copy(l->why, sizeof l->why, b.data);
		buf_free(&b);
	}
	if (s->option == 3)
		what = s->from_name[0] ? s->from_name : s->vendor;
	{
		/* "Inc." ends the sentence too: no second full stop */
		char end[SHEET_SHORT_MAX];
		size_t n;
		str_copy(end, sizeof end, what);
		n = strlen(end);
		if (n && end[n - 1] == '.')
			end[n - 1] = '\0';
		sheet_fmt(l->asked, sizeof l->asked,
			  s->note[0] ? "export_letter.asked_note" : "export_letter.asked", who,
			  s->note[0] ? what : end, NULL);
	}
	sheet_fmt(l->reply, sizeof l->reply, "export_letter.reply", who, NULL, NULL);
}

/* Option 3: the exact From header, each folded line sanitized on its own. */
static void sheet_from(struct sheet *s, const struct wizard *w)
{
	char display[FROM_DISPLAY_MAX], address[SHEET_SHORT_MAX], header[FROM_HEADER_MAX];
	struct buf joined = {0};
	const char *p = header;

	wizard_from_preview(w, display, sizeof display, address, sizeof address, header,
			    sizeof header);
	sanitize_text(display, s->from_display, sizeof s->from_display);
	sanitize_text(address, s->from_address, sizeof s->from_address);
	joined.limit = sizeof s->from_header;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n), *clean = xmalloc(n + 1);
		sanitize_text(line, clean, n + 1);
		if (joined.len)
			buf_puts(&joined, "\n");
		buf_puts(&joined, clean);
		free(line);
		free(clean);
		if (!nl)
			break;
		p = nl + 1;
	}
	str_copy(s->from_header, sizeof s->from_header, joined.data ? joined.data : "");
	buf_free(&joined);
	sheet_fmt(s->from_shows, sizeof s->from_shows, "export_from.shows", s->from_display,
		  s->from_address, NULL);
	sanitize_text(w->from_name.text, s->from_name, sizeof s->from_name);
	sheet_word("export_status.name", s->status, sizeof s->status);
	s->done = true;
}

/* Fills s from w and opt; false when no option is chosen. */
static bool sheet_build(struct sheet *s, const struct wizard *w, const struct export_options *opt)
{
	char id[64], opt_word[8];
	size_t i;

	if (w->option <= OPTION_NONE || w->option >= OPTION__COUNT)
		return false;
	s->w = w;
	s->option = (int)w->option;
	s->qr = opt ? opt->qr : true;
	sanitize_text(w->cfg.vendor_name, s->vendor, sizeof s->vendor);
	sanitize_text(w->cfg.esp_name, s->esp, sizeof s->esp);
	sanitize_text(w->cfg.customer_id, s->customer, sizeof s->customer);
	snprintf(opt_word, sizeof opt_word, "%d", s->option);
	/* the option's name as the choose screen shows it */
	snprintf(id, sizeof id, "choose.option%s", opt_word);
	sheet_word(id, s->option_text, sizeof s->option_text);
	sheet_fmt(s->intro, sizeof s->intro,
		  w->option == OPTION_DOMAIN ? "export.intro" : "export.intro_other", s->vendor,
		  s->esp, NULL);

	if (w->option == OPTION_DOMAIN) {
		sanitize_text(sheet_domain_of(w), s->domain, sizeof s->domain);
		s->nrecords = w->nrecords < WIZARD_MAX_RECORDS ? w->nrecords : WIZARD_MAX_RECORDS;
		for (i = 0; i < s->nrecords; i++)
			sheet_record(&s->records[i], w, i, sheet_domain_of(w));
		sheet_host(s, w);
		sheet_domain_status(s, w);
		sheet_dc(s, w);
	} else if (w->option == OPTION_ADDRESS) {
		sheet_address(s, w);
	} else {
		sheet_from(s, w);
	}
	snprintf(id, sizeof id, "export_why.%s", opt_word);
	{
		char own[SHEET_SHORT_MAX];
		sheet_word("choose.option1", own, sizeof own);
		sheet_fmt(s->why, sizeof s->why, id, s->vendor, s->esp,
			  w->option == OPTION_DOMAIN ? s->domain : own);
	}
	if (w->option == OPTION_NAME && s->from_name[0])
		sheet_fmt(s->title, sizeof s->title, "export.title_name", s->from_name, s->vendor,
			  NULL);
	else if (w->option == OPTION_NAME)
		sheet_fmt(s->title, sizeof s->title, "export.title_vendor", s->vendor, NULL, NULL);
	else
		sheet_fmt(s->title, sizeof s->title, "export.title",
			  s->domain[0] ? s->domain : s->address, NULL, NULL);

	if (w->cfg.support_contact[0]) {
		char contact[SHEET_SHORT_MAX];
		sanitize_text(w->cfg.support_contact, contact, sizeof contact);
		sheet_fmt(s->support, sizeof s->support, "export.support", contact, NULL, NULL);
	} else {
		sheet_fmt(s->support, sizeof s->support, "export.support_none", s->vendor, NULL,
			  NULL);
	}
	if (opt && opt->generated_ms > 0) {
		char when[32];
		sheet_when(opt->generated_ms, when, sizeof when);
		sheet_fmt(s->footer, sizeof s->footer, "export.footer", s->vendor, s->customer,
			  when);
	} else {
		sheet_fmt(s->footer, sizeof s->footer, "export.footer_undated", s->vendor,
			  s->customer, NULL);
	}
	if (opt && opt->note)
		sanitize_text(opt->note, s->note, sizeof s->note);
	if (opt && opt->sender)
		sheet_letter(s, w, opt->sender);
	return true;
}

typedef enum bh_err (*renderer)(const struct sheet *s, struct buf *out);

static const renderer renderers[EXPORT__COUNT] = {
    [EXPORT_TEXT] = export_render_text, [EXPORT_MARKDOWN] = export_render_markdown,
    [EXPORT_HTML] = export_render_html, [EXPORT_JSON] = export_render_json,
    [EXPORT_ZONE] = export_render_zone, [EXPORT_CSV] = export_render_csv,
};

enum bh_err export_render_opts(const struct wizard *w, enum export_format f,
			       const struct export_options *opt, struct buf *out)
{
	struct sheet *s;
	enum bh_err err;

	if ((unsigned)f >= EXPORT__COUNT)
		return BH_ERR_INVALID;
	if (!out->limit)
		out->limit = EXPORT_OUTPUT_LIMIT;
	s = xcalloc(1, sizeof *s);
	if (!sheet_build(s, w, opt)) {
		free(s);
		return BH_ERR_INVALID;
	}
	err = renderers[f](s, out);
	free(s);
	return err;
}

enum bh_err export_render(const struct wizard *w, enum export_format f, struct buf *out)
{
	return export_render_opts(w, f, NULL, out);
}

enum bh_err export_zone_lines(const struct wizard *w, struct buf *out)
{
	struct sheet *s;
	enum bh_err err;

	if (w->option != OPTION_DOMAIN || w->nrecords == 0)
		return BH_ERR_NOT_FOUND;
	if (!out->limit)
		out->limit = EXPORT_OUTPUT_LIMIT;
	s = xcalloc(1, sizeof *s);
	sheet_build(s, w, NULL);
	err = export_zone_records(s, out);
	free(s);
	return err;
}

void export_title(const struct wizard *w, char *out, size_t cap)
{
	struct sheet *s = xcalloc(1, sizeof *s);
	if (cap)
		out[0] = '\0';
	if (sheet_build(s, w, NULL))
		str_copy(out, cap, s->title);
	free(s);
}

void export_file_name(const struct wizard *w, enum export_format f, char *out, size_t cap)
{
	const char *who = w->option == OPTION_DOMAIN && sheet_domain_of(w)[0] ? sheet_domain_of(w)
			  : w->cfg.customer_id[0]			      ? w->cfg.customer_id
									      : "instructions";
	const char *ext = export_format_extension(f);
	struct buf b = {0};
	size_t i;

	buf_puts(&b, "behalf-");
	/* Lower-case letters, digits, '-', and '.' after a letter or digit only. */
	for (i = 0; who[i] && i < 80; i++) {
		char c = who[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		char prev = b.data[b.len - 1];
		bool after_alnum = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
		if (!alnum && c != '-' && !(c == '.' && i > 0 && after_alnum))
			c = '-';
		buf_append(&b, &c, 1);
	}
	buf_printf(&b, ".%s", ext ? ext : "txt");
	str_copy(out, cap, b.data);
	buf_free(&b);
}

enum bh_err export_osc52(const char *text, struct buf *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(text) + 1, len, i;
	unsigned char *clean = xmalloc(n);
	enum bh_err err;

	len = sanitize_text(text, (char *)clean, n);
	err = buf_puts(out, "\033]52;c;");
	for (i = 0; i < len && err == BH_OK; i += 3) {
		unsigned v = (unsigned)clean[i] << 16;
		char q[4];
		if (i + 1 < len)
			v |= (unsigned)clean[i + 1] << 8;
		if (i + 2 < len)
			v |= clean[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		err = buf_append(out, q, 4);
	}
	SHEET_PUT(err, buf_puts(out, "\a"));
	free(clean);
	return err;
}
