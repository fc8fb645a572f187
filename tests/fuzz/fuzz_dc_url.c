/* libFuzzer target: Domain Connect's URL parts (src/dc/url.c, sign.c) on
 * any bytes.  The input is "query\nsignature".  Beyond "no crash", it
 * asserts what a provider and behalf rely on: the escaped form holds only
 * unreserved characters and %XX and never grows more than three times; the
 * signed string never keeps a sig parameter (nor key, in the spec's mode),
 * is never longer than the query, and its parameters are the query's in
 * order; no signature of any shape verifies against the spec's key over
 * any string but the one it signed.  And the broker's reading of what it
 * is asked to sign (dc_query_target): what it accepts names one plain
 * domain (and host), never a sig, and reads back the same from the query
 * string behalf itself makes of them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "dc/sign.h"
#include "dc/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char spec_pub[] =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA18SgvpmeasN4BHkkv0SBjAzIc4grYLjiAXRtNiBUiGUDMeTz"
    "QrKTsWvy9NuxU1dIHCZy9o1CrKNg5EzLIZLNyMfI6qiXnM+HMd4byp97zs/3D39Q8iR5poubQcRaGozWx8yQpG0OcVdm"
    "EVcTfyR/XSEWC5u16EBNvRnNAOAvZYUdWqVyQvXsjnxQot8KcK0QP8iHpoL/1dbdRy2opRPQ2FdZpovUgknybq/6FkeD"
    "tW7uCQ6Mvu4QxcUa3+WP9nYHKtgWip/eFxpeb+qLvcLHf1h0JXtxLVdyy6OLk3f2JRYUX2ZZVDvG3biTpeJz6iRzjGg6"
    "MfGxXZHjI8weDjXrJwIDAQAB";

/* A plain LDH host name: labels of 1-63 letters, digits and '-'. */
static bool fuzz_ldh(const char *s, bool need_dot)
{
	size_t label = 0;
	bool dot = false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
			dot = true;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			   (*s >= '0' && *s <= '9') || *s == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && (dot || !need_dot);
}

/* dc_query_target on in: what it accepts is plain, holds no sig, and the
 * query behalf builds of it reads back the same. */
static void fuzz_check_target(const char *in)
{
	char domain[256], host[256], d2[256], h2[256];
	struct dc_var var = {"dkimvalue", "k=rsa; p=AB+/="};
	struct buf q = {0};
	if (!dc_query_target(in, domain, sizeof domain, host, sizeof host)) {
		if (domain[0] || host[0])
			abort();
		return;
	}
	if (!fuzz_ldh(domain, true) || (host[0] && !fuzz_ldh(host, false)))
		abort();
	{
		/* names are read in any case: look at a lower-case copy */
		char *low = strdup(in);
		size_t i;
		if (!low)
			abort();
		for (i = 0; low[i]; i++)
			if (low[i] >= 'A' && low[i] <= 'Z')
				low[i] = (char)(low[i] - 'A' + 'a');
		if (!strncmp(low, "sig=", 4) || strstr(low, "&sig=") || !strstr(low, "domain="))
			abort();
		/* and the domain is named in lower case */
		if (strncmp(in, "domain=", 7) != 0 && !strstr(in, "&domain="))
			abort();
		free(low);
	}
	if (dc_query(&q, domain, host, &var, 1) != BH_OK || !q.data ||
	    !dc_query_target(q.data, d2, sizeof d2, h2, sizeof h2) || strcmp(d2, domain) ||
	    strcmp(h2, host))
		abort();
	buf_free(&q);
}

/* Every parameter of canon appears in query, in the same order. */
static void fuzz_check_canon(const char *query, const char *canon, enum dc_canon mode)
{
	const char *p = canon, *q = query;
	if (strlen(canon) > strlen(query))
		abort();
	while (*p) {
		size_t len = strcspn(p, "&");
		if (!strncmp(p, "sig=", 4) || (mode == DC_CANON_SPEC && !strncmp(p, "key=", 4)))
			abort();
		for (;;) { /* the next parameter of query equal to this one */
			size_t qlen = strcspn(q, "&");
			if (!*q)
				abort();
			if (qlen == len && !memcmp(q, p, len)) {
				q += qlen + (q[qlen] == '&');
				break;
			}
			q += qlen + (q[qlen] == '&');
		}
		p += len + (p[len] == '&');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *nl, *sig;
	struct buf esc = {0}, canon = {0};
	size_t i;

	if (size > 4096)
		return 0;
	in = xstrndup((const char *)data, size);
	nl = strchr(in, '\n');
	sig = nl ? nl + 1 : in;
	if (nl)
		*nl = '\0';

	if (dc_url_escape(&esc, in) == BH_OK && esc.data) {
		if (esc.len > 3 * strlen(in))
			abort();
		for (i = 0; i < esc.len; i++) {
			unsigned char c = (unsigned char)esc.data[i];
			if (c == '%') {
				if (i + 2 >= esc.len ||
				    !strchr("0123456789ABCDEF", esc.data[i + 1]) ||
				    !strchr("0123456789ABCDEF", esc.data[i + 2]) ||
				    !esc.data[i + 1] || !esc.data[i + 2])
					abort();
				i += 2;
			} else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				     (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
				     c == '~')) {
				abort();
			}
		}
	}
	if (dc_canonical(&canon, in, DC_CANON_SPEC) == BH_OK)
		fuzz_check_canon(in, canon.data ? canon.data : "", DC_CANON_SPEC);
	buf_reset(&canon);
	if (dc_canonical(&canon, in, DC_CANON_WITH_KEY) == BH_OK)
		fuzz_check_canon(in, canon.data ? canon.data : "", DC_CANON_WITH_KEY);
	fuzz_check_target(in);
	/* only the spec's own string has a valid signature under its key */
	if (dc_verify(spec_pub, in, strlen(in), sig) &&
	    strcmp(in, "a=1&b=2&ip=10.10.10.10&domain=example.net"))
		abort();
	buf_free(&esc);
	buf_free(&canon);
	free(in);
	return 0;
}
