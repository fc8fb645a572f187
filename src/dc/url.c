#include "dc/url.h"

#include <string.h>
#include <strings.h>

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
	if (!n || (sig_b64 && !dc_name_ok(key_host)))
		return BH_ERR_INVALID;
	if ((err = buf_append(out, url_sync_ux, n)) ||
	    (err = buf_puts(out, "/v2/domainTemplates/providers/")) ||
	    (err = dc_url_escape(out, provider_id)) || (err = buf_puts(out, "/services/")) ||
	    (err = dc_url_escape(out, service_id)) || (err = buf_printf(out, "/apply?%s", query)))
		return err;
	if (!sig_b64)
		return BH_OK; /* unsigned: the demo's pretend link */
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

/* A host name in plain LDH: labels of 1-63 letters, digits and '-',
 * at most 253 bytes; min_labels of them at least. */
static bool dc_ldh(const char *s, size_t len, size_t min_labels)
{
	size_t i, label = 0, labels = 1;
	if (!len || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (!label)
				return false;
			label = 0;
			labels++;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && labels >= min_labels;
}

static bool dc_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static bool dc_name_is(const char *p, size_t len, const char *name)
{
	return strlen(name) == len && !strncasecmp(p, name, len);
}

bool dc_query_target(const char *query, char *domain, size_t dcap, char *host, size_t hcap)
{
	const char *p = query, *names[128];
	size_t lens[128], n = 0, i;
	bool have_domain = false;

	if (dcap)
		domain[0] = '\0';
	if (hcap)
		host[0] = '\0';
	if (!query || !*query || !dcap || !hcap)
		return false;
	for (;;) {
		const char *amp = strchr(p, '&'), *eq;
		size_t len = amp ? (size_t)(amp - p) : strlen(p), nlen, vlen;
		const char *v;
		eq = memchr(p, '=', len);
		if (!eq || n == sizeof names / sizeof names[0])
			goto odd;
		nlen = (size_t)(eq - p);
		v = eq + 1;
		vlen = len - nlen - 1;
		if (!nlen || nlen > 64)
			goto odd;
		for (i = 0; i < nlen; i++)
			if (!dc_unreserved((unsigned char)p[i]) || p[i] == '.' || p[i] == '~')
				goto odd;
		for (i = 0; i < vlen; i++) {
			if (v[i] == '%') {
				if (i + 2 >= vlen || !dc_hex(v[i + 1]) || !dc_hex(v[i + 2]))
					goto odd;
				i += 2;
				continue;
			}
			if (!dc_unreserved((unsigned char)v[i]))
				goto odd;
		}
		for (i = 0; i < n; i++)
			if (lens[i] == nlen && !strncasecmp(names[i], p, nlen))
				goto odd; /* a name twice */
		names[n] = p;
		lens[n++] = nlen;
		if (dc_name_is(p, nlen, "sig"))
			goto odd;
		/* domain and host in lower case only: a provider that reads
		 * names as written would see no domain in "DOMAIN=" */
		if ((dc_name_is(p, nlen, "domain") && strncmp(p, "domain", nlen) != 0) ||
		    (dc_name_is(p, nlen, "host") && strncmp(p, "host", nlen) != 0))
			goto odd;
		if (dc_name_is(p, nlen, "domain")) {
			if (!dc_ldh(v, vlen, 2) || vlen >= dcap)
				goto odd;
			memcpy(domain, v, vlen);
			domain[vlen] = '\0';
			have_domain = true;
		} else if (dc_name_is(p, nlen, "host")) {
			if ((vlen && !dc_ldh(v, vlen, 1)) || vlen >= hcap)
				goto odd;
			memcpy(host, v, vlen);
			host[vlen] = '\0';
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	if (have_domain)
		return true;
odd:
	domain[0] = '\0';
	host[0] = '\0';
	return false;
}
