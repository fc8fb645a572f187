#include "dc/template.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool dc_template_filename(const struct dc_template *t, char *out, size_t cap)
{
	int n;
	if (!t->provider_id || !*t->provider_id || !t->service_id || !*t->service_id ||
	    strchr(t->provider_id, '/') || strchr(t->service_id, '/'))
		return false;
	n = snprintf(out, cap, "%s.%s.json", t->provider_id, t->service_id);
	return n > 0 && (size_t)n < cap;
}

/* A record: type, host, the value under value_key, ttl 3600. */
static json_t *dc_record(const char *type, const char *host, const char *value_key,
			 const char *value)
{
	return json_pack("{s:s, s:s, s:s, s:i}", "type", type, "host", host, value_key, value,
			 "ttl", 3600);
}

enum bh_err dc_template_json(const struct dc_template *t, struct buf *out)
{
	json_t *root, *records;
	char desc[512], *text;
	enum bh_err err;
	if (!t->provider_id || !*t->provider_id || !t->service_id || !*t->service_id ||
	    !t->provider_name || !*t->provider_name || !t->sync_pubkey_domain ||
	    !*t->sync_pubkey_domain || !t->return_path_host || !*t->return_path_host)
		return BH_ERR_INVALID;
	if (t->description && *t->description)
		snprintf(desc, sizeof desc, "%s", t->description);
	else
		snprintf(desc, sizeof desc,
			 "Sets up %s to send email from your domain: DKIM and Return-Path "
			 "records for its email service.",
			 t->provider_name);
	records = json_array();
	json_array_append_new(records, dc_record("TXT", "%" DC_VAR_DKIM_SELECTOR "%._domainkey",
						 "data", "%" DC_VAR_DKIM_VALUE "%"));
	json_array_append_new(records, dc_record("CNAME", t->return_path_host, "pointsTo",
						 "%" DC_VAR_RETURN_PATH_VALUE "%"));
	if (t->dmarc_value && *t->dmarc_value) {
		json_t *d = dc_record("TXT", "_dmarc", "data", t->dmarc_value);
		json_object_set_new(d, "txtConflictMatchingMode", json_string("Prefix"));
		json_object_set_new(d, "txtConflictMatchingPrefix", json_string("v=DMARC1"));
		json_object_set_new(d, "essential", json_string("OnApply"));
		json_array_append_new(records, d);
	}
	root = json_pack(
	    "{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:b, s:o}", "providerId", t->provider_id,
	    "providerName", t->provider_name, "serviceId", t->service_id, "serviceName",
	    t->service_name && *t->service_name ? t->service_name : "Email sending", "version",
	    (int)(t->version ? t->version : 1), "description", desc, "variableDescription",
	    "dkimselector: the DKIM selector given by the email service; dkimvalue: "
	    "its DKIM public key record; returnpathvalue: the Return-Path target",
	    "syncPubKeyDomain", t->sync_pubkey_domain, "warnPhishing", 1, "hostRequired", 0,
	    "records", records);
	if (!root)
		return BH_ERR_NOMEM;
	if (t->logo_url && *t->logo_url)
		json_object_set_new(root, "logoUrl", json_string(t->logo_url));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return BH_ERR_NOMEM;
	if ((err = buf_puts(out, text)) == BH_OK)
		err = buf_puts(out, "\n");
	free(text);
	return err;
}

/* True when name is "<prefix>.<fqdn>" (prefix non-empty); the prefix's
 * length in *plen. */
static bool dc_under(const char *name, const char *fqdn, size_t *plen)
{
	size_t n = strlen(name), f = strlen(fqdn);
	if (n < f + 2 || strcasecmp(name + n - f, fqdn) || name[n - f - 1] != '.')
		return false;
	*plen = n - f - 1;
	return true;
}

size_t dc_template_vars(const struct expected_record *recs, size_t n, const char *fqdn,
			const char *return_path_host, char *sel, size_t cap, struct dc_var *vars,
			size_t max)
{
	const struct expected_record *dkim = NULL, *rp = NULL;
	static const char dk[] = "._domainkey";
	size_t i, plen;
	if (max < 3)
		return 0;
	for (i = 0; i < n; i++) {
		if (recs[i].purpose == PURPOSE_DKIM && recs[i].type == RECORD_TYPE_TXT && !dkim)
			dkim = &recs[i];
		else if (recs[i].purpose == PURPOSE_RETURN_PATH &&
			 recs[i].type == RECORD_TYPE_CNAME && !rp)
			rp = &recs[i];
	}
	if (!dkim || !rp || !dc_under(dkim->name, fqdn, &plen) || plen <= sizeof dk - 1 ||
	    strncasecmp(dkim->name + plen - (sizeof dk - 1), dk, sizeof dk - 1) ||
	    plen - (sizeof dk - 1) >= cap)
		return 0;
	memcpy(sel, dkim->name, plen - (sizeof dk - 1));
	sel[plen - (sizeof dk - 1)] = '\0';
	if (strchr(sel, '.') || !dc_under(rp->name, fqdn, &plen) ||
	    plen != strlen(return_path_host) || strncasecmp(rp->name, return_path_host, plen))
		return 0;
	vars[0].name = DC_VAR_DKIM_SELECTOR;
	vars[0].value = sel;
	vars[1].name = DC_VAR_DKIM_VALUE;
	vars[1].value = dkim->value;
	vars[2].name = DC_VAR_RETURN_PATH_VALUE;
	vars[2].value = rp->value;
	return 3;
}
