/* DNS host detection: which company runs a domain's DNS, from the names of
 * its authoritative nameservers, and how that host's record form behaves.
 * The table is data in assets/dnshosts.ini (one section per host id), read
 * once on first use. */
#ifndef BEHALF_CORE_DNSHOST_H
#define BEHALF_CORE_DNSHOST_H

#include <stdbool.h>
#include <stddef.h>

/* What a host's Name field wants. */
enum dnshost_name_field {
	DNSHOST_NAME_RELATIVE, /* only the label: the host appends the domain */
	DNSHOST_NAME_FQDN,     /* the full name */
	DNSHOST_NAME_EITHER,   /* both work */
};

/* One DNS host of the table (opaque; read it with the accessors). */
struct dnshost;

/* The host that runs most of the nameservers ns_names[0..n) (names with or
 * without a trailing dot, any case), or NULL when none is known.  The
 * result is static: never freed. */
const struct dnshost *dnshost_detect(const char *const *ns_names, size_t n);
/* The host with that id ("cloudflare"), or NULL. */
const struct dnshost *dnshost_find(const char *id);
/* The number of hosts in the table, and the i-th (NULL past the end). */
size_t dnshost_count(void);
const struct dnshost *dnshost_at(size_t i);

/* Stable id, e.g. "cloudflare" (the section name). */
const char *dnshost_id(const struct dnshost *h);
/* Display name, e.g. "Cloudflare". */
const char *dnshost_name(const struct dnshost *h);
/* What the Name field wants. */
enum dnshost_name_field dnshost_name_field(const struct dnshost *h);
/* What to type in the Name field for the domain itself ("@"; "" means leave
 * it empty). */
const char *dnshost_apex(const struct dnshost *h);
/* Sentence on long TXT values at this host, or "". */
const char *dnshost_long_txt(const struct dnshost *h);
/* Sentence on the host's proxy / flattening switch, or "". */
const char *dnshost_proxy(const struct dnshost *h);
/* Short how-to: where to add a record at this host, or "". */
const char *dnshost_steps(const struct dnshost *h);

/* True when name matches the glob pattern (* and ?, case-insensitive, a
 * trailing dot on name ignored). */
bool dnshost_glob_match(const char *pattern, const char *name);

/* Frees the parsed table (for leak checkers); the next call parses again. */
void dnshost_free(void);

#endif
