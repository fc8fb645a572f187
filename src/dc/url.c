#include "dc/url.h"

#include <string.h>

static bool dc_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

enum bh_err dc_url_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
		enum bh_err err =
		    dc_unreserved(c) ? buf_append(out, s, 1) : buf_append(out, esc, 3);
		if (err != BH_OK)
			return err;
	}
	return BH_OK;
}

/* A template variable's name: 1-64 of letters, digits, '_' and '-'. */
static bool dc_name_ok(const char *n)
{
	size_t i;
	for (i = 0; n[i]; i++)
		if (!dc_unreserved((unsigned char)n[i]) || n[i] == '.' || n[i] == '~')
			return false;
	return i > 0 && i <= 64;
}

enum bh_err dc_query(struct buf *out, const char *domain, const char *host,
		     const struct dc_var *vars, size_t nvars)
{
	enum bh_err err;
	size_t i;
	if (!domain || !*domain)
		return BH_ERR_INVALID;
	for (i = 0; i < nvars; i++)
		if (!dc_name_ok(vars[i].name) || !strcmp(vars[i].name, "sig") ||
		    !strcmp(vars[i].name, "key") || !strcmp(vars[i].name, "domain") ||
		    !strcmp(vars[i].name, "host"))
			return BH_ERR_INVALID;
	if ((err = buf_puts(out, "domain=")) || (err = dc_url_escape(out, domain)) ||
	    (err = buf_puts(out, "&host=")) || (err = dc_url_escape(out, host ? host : "")))
		return err;
	for (i = 0; i < nvars; i++)
		if ((err = buf_printf(out, "&%s=", vars[i].name)) ||
		    (err = dc_url_escape(out, vars[i].value ? vars[i].value : "")))
			return err;
	return BH_OK;
}

enum bh_err dc_canonical(struct buf *out, const char *query, enum dc_canon mode)
{
	const char *p = query;
	bool first = true;
	if (!query)
		return BH_ERR_INVALID;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		bool is_sig = len >= 4 && !strncmp(p, "sig=", 4);
		bool is_key = len >= 4 && !strncmp(p, "key=", 4);
		if (len && !is_sig && !(is_key && mode != DC_CANON_WITH_KEY)) {
			enum bh_err err;
			if ((!first && (err = buf_append(out, "&", 1))) ||
			    (err = buf_append(out, p, len)))
				return err;
			first = false;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	if (first)
		return buf_puts(out, ""); /* out->data set even when nothing is signed */
	return BH_OK;
}

enum bh_err dc_apply_url(struct buf *out, const char *url_sync_ux, const char *provider_id,
			 const char *service_id, const char *query, const char *sig_b64,
			 const char *key_host, enum dc_canon mode)
{
	size_t n = strlen(url_sync_ux);
	enum bh_err err;
	while (n && url_sync_ux[n - 1] == '/')
		n--;
	if (!n || !dc_name_ok(key_host))
		return BH_ERR_INVALID;
	if ((err = buf_append(out, url_sync_ux, n)) ||
	    (err = buf_puts(out, "/v2/domainTemplates/providers/")) ||
	    (err = dc_url_escape(out, provider_id)) || (err = buf_puts(out, "/services/")) ||
	    (err = dc_url_escape(out, service_id)) || (err = buf_printf(out, "/apply?%s", query)))
		return err;
	if (mode == DC_CANON_WITH_KEY) {
		if ((err = buf_puts(out, "&key=")) || (err = dc_url_escape(out, key_host)) ||
		    (err = buf_puts(out, "&sig=")) || (err = dc_url_escape(out, sig_b64)))
			return err;
		return BH_OK;
	}
	if ((err = buf_puts(out, "&sig=")) || (err = dc_url_escape(out, sig_b64)) ||
	    (err = buf_puts(out, "&key=")) || (err = dc_url_escape(out, key_host)))
		return err;
	return BH_OK;
}
