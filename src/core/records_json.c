/* The records JSON (see records_json.h), read and written with jansson. */
#include "core/records_json.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/sanitize.h"

#define RECORDS_JSON_NAME_MAX 253 /* the longest domain name in text */

bool records_json_purpose(const char *word, enum record_purpose *out)
{
	int p;
	for (p = 0; p < PURPOSE__COUNT; p++)
		if (strcmp(word, record_purpose_word((enum record_purpose)p)) == 0) {
			*out = (enum record_purpose)p;
			return true;
		}
	return false;
}

bool records_json_type(const char *word, enum record_type *out)
{
	if (strcasecmp(word, "TXT") == 0) {
		*out = RECORD_TYPE_TXT;
		return true;
	}
	if (strcasecmp(word, "CNAME") == 0) {
		*out = RECORD_TYPE_CNAME;
		return true;
	}
	if (strcasecmp(word, "MX") == 0) {
		*out = RECORD_TYPE_MX;
		return true;
	}
	return false;
}

/* A domain name from the file, checked and normalised into out (lower-case,
 * no trailing dot); false with a message naming where. */
static bool records_json_name(const char *in, char *out, size_t cap, const char *where, char *msg,
			      size_t mcap)
{
	size_t len = strlen(in), i;
	if (len && in[len - 1] == '.')
		len--;
	if (len == 0) {
		snprintf(msg, mcap, "%s: empty name", where);
		return false;
	}
	if (len > RECORDS_JSON_NAME_MAX || len >= cap) {
		snprintf(msg, mcap,
			 "%s: name is %zu characters long, over the %d a DNS name can have", where,
			 len, RECORDS_JSON_NAME_MAX);
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		/* Letters, digits, '-', '_' and dots: names are in ASCII (IDNA)
		 * form, and nothing else can be typed at a DNS host. */
		if (!isalnum(c) && c != '-' && c != '_' && c != '.') {
			snprintf(msg, mcap, "%s: name has a character that cannot be in a DNS name",
				 where);
			return false;
		}
		if (c == '.' && (i == 0 || i + 1 == len || in[i - 1] == '.')) {
			snprintf(msg, mcap, "%s: name has an empty label", where);
			return false;
		}
		out[i] = (char)tolower(c);
	}
	out[len] = '\0';
	return true;
}

/* A string member of obj, or NULL with a message naming the field. */
/* An MX value "<preference> <exchange>" from the file, checked and
 * normalised into out ("10 feedback-smtp.example"). */
static bool records_json_mx(const char *in, char *out, size_t cap, const char *where, char *msg,
			    size_t mcap)
{
	char exchange[RECORD_NAME_MAX];
	char *end = NULL;
	unsigned long pref;
	while (*in == ' ')
		in++;
	pref = isdigit((unsigned char)*in) ? strtoul(in, &end, 10) : 70000;
	if (pref > 65535 || *end != ' ') {
		snprintf(msg, mcap,
			 "%s: an MX value is \"<preference> <exchange>\" (\"10 mx.example\")",
			 where);
		return false;
	}
	while (*end == ' ')
		end++;
	if (!records_json_name(end, exchange, sizeof exchange, where, msg, mcap))
		return false;
	snprintf(out, cap, "%lu %s", pref, exchange);
	return true;
}

static const char *records_json_string(json_t *obj, const char *field, const char *where, char *msg,
				       size_t mcap)
{
	json_t *v = json_object_get(obj, field);
	if (!v) {
		snprintf(msg, mcap, "%s.%s: missing", where, field);
		return NULL;
	}
	if (!json_is_string(v)) {
		snprintf(msg, mcap, "%s.%s: not a string", where, field);
		return NULL;
	}
	return json_string_value(v);
}

/* One element of "records" into rec. */
static enum bh_err records_json_record(json_t *obj, size_t index, struct expected_record *rec,
				       char *msg, size_t mcap)
{
	char where[40];
	const char *purpose, *type, *name, *value;
	json_t *req;

	snprintf(where, sizeof where, "records[%zu]", index);
	memset(rec, 0, sizeof *rec);
	if (!json_is_object(obj)) {
		snprintf(msg, mcap, "%s: not an object", where);
		return BH_ERR_PARSE;
	}
	if (!(purpose = records_json_string(obj, "purpose", where, msg, mcap)) ||
	    !(type = records_json_string(obj, "type", where, msg, mcap)) ||
	    !(name = records_json_string(obj, "name", where, msg, mcap)) ||
	    !(value = records_json_string(obj, "value", where, msg, mcap)))
		return BH_ERR_INVALID;
	if (!records_json_purpose(purpose, &rec->purpose)) {
		snprintf(msg, mcap,
			 "%s.purpose: unknown purpose \"%.40s\" (dkim, return-path, dmarc, spf)",
			 where, purpose);
		return BH_ERR_INVALID;
	}
	if (!records_json_type(type, &rec->type)) {
		snprintf(msg, mcap, "%s.type: unknown type \"%.40s\" (TXT, CNAME or MX)", where,
			 type);
		return BH_ERR_INVALID;
	}
	snprintf(where, sizeof where, "records[%zu].name", index);
	if (!records_json_name(name, rec->name, sizeof rec->name, where, msg, mcap))
		return BH_ERR_INVALID;
	if (strlen(value) >= sizeof rec->value) {
		snprintf(msg, mcap, "records[%zu].value: longer than %zu characters", index,
			 sizeof rec->value - 1);
		return BH_ERR_INVALID;
	}
	if (!*value) {
		snprintf(msg, mcap, "records[%zu].value: empty", index);
		return BH_ERR_INVALID;
	}
	if (rec->type == RECORD_TYPE_CNAME) {
		snprintf(where, sizeof where, "records[%zu].value", index);
		if (!records_json_name(value, rec->value, sizeof rec->value, where, msg, mcap))
			return BH_ERR_INVALID;
	} else if (rec->type == RECORD_TYPE_MX) {
		snprintf(where, sizeof where, "records[%zu].value", index);
		if (!records_json_mx(value, rec->value, sizeof rec->value, where, msg, mcap))
			return BH_ERR_INVALID;
	} else {
		str_copy(rec->value, sizeof rec->value, value);
	}
	req = json_object_get(obj, "required");
	if (req && !json_is_boolean(req)) {
		snprintf(msg, mcap, "records[%zu].required: not true or false", index);
		return BH_ERR_INVALID;
	}
	rec->required = req ? json_is_true(req) : true;
	return BH_OK;
}

enum bh_err records_json_parse(const char *text, size_t len, char *domain, size_t dcap,
			       struct expected_record *out, size_t cap, size_t *n, char *msg,
			       size_t mcap)
{
	json_error_t jerr;
	json_t *root, *records, *dom;
	enum bh_err err = BH_OK;
	size_t i;
	char scratch[1];

	if (!msg || !mcap) {
		msg = scratch;
		mcap = sizeof scratch;
	}
	msg[0] = '\0';
	*n = 0;
	if (dcap)
		domain[0] = '\0';
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(msg, mcap, "not valid JSON: line %d column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		return BH_ERR_PARSE;
	}
	if (!json_is_object(root)) {
		snprintf(msg, mcap, "not a JSON object with \"domain\" and \"records\"");
		err = BH_ERR_PARSE;
		goto out;
	}
	dom = json_object_get(root, "domain");
	if (!dom || !json_is_string(dom)) {
		snprintf(msg, mcap, "domain: %s", dom ? "not a string" : "missing");
		err = BH_ERR_INVALID;
		goto out;
	}
	if (!records_json_name(json_string_value(dom), domain, dcap, "domain", msg, mcap)) {
		err = BH_ERR_INVALID;
		goto out;
	}
	records = json_object_get(root, "records");
	if (!records || !json_is_array(records)) {
		snprintf(msg, mcap, "records: %s", records ? "not an array" : "missing");
		err = BH_ERR_INVALID;
		goto out;
	}
	if (json_array_size(records) > cap) {
		snprintf(msg, mcap, "records: %zu records, at most %zu", json_array_size(records),
			 cap);
		err = BH_ERR_TOO_LARGE;
		goto out;
	}
	for (i = 0; i < json_array_size(records); i++) {
		err = records_json_record(json_array_get(records, i), i, &out[i], msg, mcap);
		if (err)
			goto out;
	}
	*n = i;
out:
	json_decref(root);
	return err;
}

/* A JSON string; text that is not valid UTF-8 (jansson refuses it) is
 * sanitized first rather than lost. */
static json_t *records_json_str(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (!j) {
		char *clean = xmalloc(strlen(s) * 3 + 1);
		sanitize_text(s, clean, strlen(s) * 3 + 1);
		j = json_string(clean);
		free(clean);
	}
	return j;
}

char *records_json_write(const char *domain, const struct expected_record *r, size_t n,
			 const struct record_result *results)
{
	json_t *root = json_object(), *records = json_array();
	char *text;
	size_t i, j;

	json_object_set_new(root, "domain", records_json_str(domain));
	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "purpose", json_string(record_purpose_word(r[i].purpose)));
		json_object_set_new(o, "type", json_string(record_type_word(r[i].type)));
		json_object_set_new(o, "name", records_json_str(r[i].name));
		json_object_set_new(o, "value", records_json_str(r[i].value));
		json_object_set_new(o, "required", json_boolean(r[i].required));
		if (results) {
			json_t *diags = json_array();
			json_object_set_new(o, "status",
					    json_string(record_status_word(results[i].status)));
			for (j = 0; j < results[i].ndiagnoses; j++) {
				json_t *d = json_object();
				json_object_set_new(
				    d, "code",
				    json_string(record_diag_code(results[i].diagnoses[j].code)));
				json_array_append_new(diags, d);
			}
			json_object_set_new(o, "diagnoses", diags);
		}
		json_array_append_new(records, o);
	}
	json_object_set_new(root, "records", records);
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	/* jansson allocates with malloc (no custom allocator is set). */
	return text ? text : xstrdup("{}");
}
