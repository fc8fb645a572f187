/* The live DNS engine: a struct dns_source (dns.h) that asks real servers,
 * built on ldns with its own non-blocking sockets (dns/query.h).
 *
 * A check runs as a small state machine inside the caller's poll() loop:
 *   zone    the zone cut: SOA asked for every suffix of the first record's
 *           name at once (through the resolvers, or the --authoritative
 *           servers when given); the longest name with a SOA is the zone.
 *           Asked beside the phases below, which go on meanwhile with the
 *           customer's domain (check's zone argument) as the presumed zone;
 *           when the cut is elsewhere, only what depends on it is asked
 *           again (the NS and everything after them when they were
 *           discovered; with --authoritative, the probes of the records
 *           whose questions differ in the zone found);
 *   ns      the zone's NS names through the resolvers (glue kept);
 *   addr    A/AAAA of each NS name without glue, through the resolvers;
 *   probe   every probe of every record (record_probes) to every
 *           authoritative server, RD=0, and the first probe of every
 *           record to every resolver, all at once; the phase ends when
 *           every authoritative server has answered or timed out, and the
 *           zone is known; the resolvers get at most one try's time (from
 *           when they were asked) beyond that, and a silent one is left
 *           out of the resolver view;
 * then record_evaluate and record_resolver_view per record, and the done
 * callback, from dispatch.  A check from cold is thus one round trip when
 * the servers are given, and every server silent costs one timeout
 * sequence, not one per step.  Discovery (zone, NS names, addresses) is
 * cached for a few minutes, so a later check is one round trip. */
#ifndef BEHALF_DNS_ENGINE_H
#define BEHALF_DNS_ENGINE_H

#include <stddef.h>

#include "dns/dns.h"

#define DNS_ENGINE_MAX_RESOLVERS 4 /* resolvers used (more are ignored) */

struct dns_engine_config {
	/* Recursive resolvers, "IP[:PORT]" ("[IPv6]:PORT"); none: the
	 * nameserver lines of /etc/resolv.conf.  Borrowed: copied by create. */
	const char *const *resolvers;
	size_t nresolvers;
	/* The zone's authoritative servers, "[NAME=]IP[:PORT]": skips NS
	 * discovery; NAME is shown (default: the address).  Borrowed. */
	const char *const *authoritative;
	size_t nauthoritative;
	int timeout_ms;		 /* per try; 0: 1500 */
	int tries;		 /* tries per query; 0: 3 */
	int cache_ms;		 /* how long discovery is reused; 0: 300000 */
	const char *resolv_conf; /* NULL: /etc/resolv.conf (tests point it elsewhere) */
};

/* Creates the engine.  NULL with a message in msg (cap bytes) when an
 * address does not parse or there is no server to ask at all.  Caller
 * destroys it with src->ops->destroy(src). */
struct dns_source *dns_engine_create(const struct dns_engine_config *cfg, char *msg, size_t cap);

/* Forgets the cached discovery: the next check finds the zone again. */
void dns_engine_flush(struct dns_source *src);

/* The zone cut found by the last check ("" before one), static until the
 * next check or destroy. */
const char *dns_engine_zone(const struct dns_source *src);

#endif
