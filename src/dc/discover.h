/* Domain Connect discovery for one customer domain, inside the
 * application's poll() loop (docs/arch-dcdisc.md):
 *   txt       TXT `_domainconnect.<zone apex>` asked of the DNS servers
 *             given (the resolvers, RD=1, or the zone's authoritative
 *             servers), all at once; the first TXT answer wins;
 *   settings  GET https://<that host>/v2/<domain>/settings (JSON);
 *   template  GET <urlAPI>/v2/domainTemplates/providers/<vendor's
 *             providerId>/services/<serviceId>: 200 supported, 404 not.
 * Every host of that chain is untrusted: HTTPS only, no redirect followed,
 * the address actually connected to is checked by dc_addr_allowed (no
 * loopback, private, link-local, CGNAT, unspecified, multicast), bodies of
 * at most DC_BODY_LIMIT, short timeouts, every string of the JSON checked
 * and sanitized.  Any failure is DC_NOT_OFFERED with a reason for the logs,
 * never an error for the customer. */
#ifndef BEHALF_DC_DISCOVER_H
#define BEHALF_DC_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/error.h"
#include "core/source.h"

#define DC_BODY_LIMIT	      (64u * 1024u)
#define DC_CONNECT_TIMEOUT_MS 3000
#define DC_TIMEOUT_MS	      5000
#define DC_MAX_SERVERS	      4
#define DC_URL_MAX	      512
#define DC_NAME_MAX	      128

enum dc_offer {
	DC_NOT_OFFERED = 0, /* no Domain Connect, or anything failed */
	DC_OFFERED,	    /* the provider supports the vendor's template */
	DC_CONTROL_PANEL,   /* settings known, template not supported: a link */
};

/* What discovery found; strings are sanitized, "" when absent. */
struct dc_result {
	enum dc_offer offer;
	char provider_id[DC_NAME_MAX];
	char provider_name[DC_NAME_MAX];
	char provider_display_name[DC_NAME_MAX];
	char url_sync_ux[DC_URL_MAX];
	char url_api[DC_URL_MAX];
	char url_control_panel[DC_URL_MAX]; /* %domain% filled in */
	long width, height;		    /* of the consent window, 0 when absent */
	char settings_host[256];	    /* the _domainconnect TXT value */
	char reason[256];		    /* why not offered (for logs), "" otherwise */
	bool guard_refused;		    /* the guard refused an address */
};

struct dc_discover_config {
	/* DNS servers asked for the TXT, "IP[:PORT]"; borrowed.  rd: they
	 * are resolvers (recursion desired), else authoritative servers. */
	const char *const *servers;
	size_t nservers;
	bool rd;
	int dns_timeout_ms; /* per try; 0: 1500 */
	/* The vendor's template (providerId.serviceId of its template). */
	const char *template_provider;
	const char *template_service;
	/* Test-only: 127/8 and ::1 allowed; the CA bundle trusted (PEM). */
	bool allow_loopback;
	const char *ca_file; /* NULL: the system's */
};

typedef void (*dc_done_fn)(void *arg, const struct dc_result *r);

struct dc_discover;

/* NULL with msg set when a server address does not parse, there is none,
 * or libcurl cannot start.  Strings are copied. */
struct dc_discover *dc_discover_create(const struct dc_discover_config *cfg, char *msg, size_t cap);
/* Cancels what runs (no callback) and frees. */
void dc_discover_destroy(struct dc_discover *d);

/* Starts discovery for domain (zone: its zone apex, where the TXT is
 * asked); done runs once, from dispatch.  BH_ERR_BUSY while one runs,
 * BH_ERR_INVALID for a name that is not a host name. */
enum bh_err dc_discover_start(struct dc_discover *d, const char *zone, const char *domain,
			      dc_done_fn done, void *arg);
/* True while a discovery runs. */
bool dc_discover_busy(const struct dc_discover *d);

/* Loop integration (core/loop.h); self is the struct dc_discover. */
extern const struct source_ops dc_discover_source_ops;

/* The guard: false for an address a discovery must never connect to. */
bool dc_addr_allowed(const struct sockaddr *sa, socklen_t len, bool allow_loopback);

#endif
