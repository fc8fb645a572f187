/* Domain Connect's synchronous apply URL (docs/domain-connect.md): the
 * query string built with RFC 3986 escaping, and the one function that says
 * which part of it is signed. */
#ifndef BEHALF_DC_URL_H
#define BEHALF_DC_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/alloc.h"
#include "core/error.h"

/* One template variable: name=value (the value is escaped when added). */
struct dc_var {
	const char *name;
	const char *value;
};

/* How a provider wants the signed string (dc_canonical). */
enum dc_canon {
	DC_CANON_SPEC = 0, /* the spec: every parameter but sig and key */
	DC_CANON_WITH_KEY, /* Cloudflare's quirk: key is signed too (not sig) */
};

/* Appends s escaped to out: every byte outside RFC 3986's unreserved set
 * (A-Z a-z 0-9 - . _ ~) as %XX with upper-case hex digits. */
enum bh_err dc_url_escape(struct buf *out, const char *s);

/* The query string of an apply URL, without sig and key:
 * "domain=D&host=H&name=value..." (host present, maybe empty, as the spec's
 * examples send it).  Names must be template variable names (letters,
 * digits, '_' and '-'); BH_ERR_INVALID otherwise. */
enum bh_err dc_query(struct buf *out, const char *domain, const char *host,
		     const struct dc_var *vars, size_t nvars);

/* The string that is signed, from the query string exactly as it will be
 * sent (sig and key may already be in it, anywhere): the parameters in their
 * order, minus sig, and minus key unless mode is DC_CANON_WITH_KEY.  The one
 * place where providers' differences live. */
enum bh_err dc_canonical(struct buf *out, const char *query, enum dc_canon mode);

/* The full URL: "<url_sync_ux>/v2/domainTemplates/providers/<provider_id>/
 * services/<service_id>/apply?<query>&sig=<escaped sig_b64>&key=<key_host>"
 * (url_sync_ux without a trailing '/').  With mode DC_CANON_WITH_KEY, key
 * comes before sig so that the signed part is a prefix.  sig_b64 NULL: no
 * sig and no key (an unsigned link: the demo's pretend one). */
enum bh_err dc_apply_url(struct buf *out, const char *url_sync_ux, const char *provider_id,
			 const char *service_id, const char *query, const char *sig_b64,
			 const char *key_host, enum dc_canon mode);

/* The domain and host a query string names (the canonical string the
 * broker is asked to sign: src/app/cmd_broker.c), read strictly: every
 * parameter is name=value, the name 1-64 of letters, digits, '_' and '-',
 * the value only unreserved characters and %XX escapes; no name twice (in
 * any case: providers differ in how they read a repeated one); no sig (in
 * any case); domain and host written in lower case (a provider may read
 * "DOMAIN=" as another name); exactly one domain and at most one host
 * (missing: ""), both host names
 * in plain LDH (labels of 1-63 letters, digits and '-', no escape), domain
 * with at least two labels.  False for anything else; domain and host then
 * hold "". */
bool dc_query_target(const char *query, char *domain, size_t dcap, char *host, size_t hcap);

#endif
