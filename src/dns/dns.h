/* The DNS source interface: asks every authoritative server (and, live, the
 * resolvers) the probes of each expected record and reports record results
 * computed by core/record.c.  The demo world (sim.c) and the live ldns
 * engine implement it; the wizard loop does not know which it has. */
#ifndef BEHALF_DNS_DNS_H
#define BEHALF_DNS_DNS_H

#include <stddef.h>

#include "core/error.h"
#include "core/record.h"
#include "core/source.h"

/* Called once per check with one result per record (same order), and the
 * DNS host detected from the nameservers ("" when unknown).  Valid only
 * during the call. */
typedef void (*dns_done_fn)(void *arg, enum bh_err err, const struct record_result *results,
			    size_t n, const char *dns_host);

struct dns_source;

struct dns_source_ops {
	void (*destroy)(struct dns_source *src);
	/* Starts a check of n records of zone; BH_ERR_BUSY while one runs. */
	enum bh_err (*check)(struct dns_source *src, const char *zone,
			     const struct expected_record *records, size_t n, dns_done_fn done,
			     void *arg);
	struct source_ops source; /* loop integration; self is the struct dns_source */
};

struct dns_source {
	const struct dns_source_ops *ops;
};

#endif
