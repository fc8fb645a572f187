/* DNS replies as record.c wants them (internal to src/dns/): the answer
 * section of an ldns packet turned into a struct probe_answer, text only.
 * Everything here reads data from the network: names are lower-cased and
 * bounded, TXT character-strings joined up to a limit, and nothing is
 * sanitized for display (record.c does that). */
#ifndef BEHALF_DNS_ANSWER_H
#define BEHALF_DNS_ANSWER_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/record.h"

#define DNS_ANSWER_TXT_MAX 65535 /* a joined TXT value, at most */

/* Lower-case copy of a domain name without its trailing dot (in and out
 * may be the same). */
void dns_answer_name_norm(const char *in, char *out, size_t cap);
/* Lower-case text of a domain name rdf (may be NULL: ""), no trailing dot. */
void dns_answer_dname_text(const ldns_rdf *rdf, char *out, size_t cap);
/* The data of an answer RR as text (caller frees), or NULL for types other
 * than TXT (character-strings joined), CNAME (target), MX ("<preference>
 * <exchange>"), A and AAAA. */
char *dns_answer_rr_data(const ldns_rr *rr);

/* Fills out with what reply says to a question of type qtype (LDNS_RR_TYPE_*);
 * reply NULL: ANSWER_TIMEOUT.  The rrs' data are malloced: the caller frees
 * them (record_server_answers_clear, or free each). */
void dns_answer_fill(const ldns_pkt *reply, uint16_t qtype, struct probe_answer *out);

/* Parses a reply in wire format (len bytes) and fills out as dns_answer_fill
 * does for a question of type qtype.  BH_ERR_PARSE (out empty, nothing to
 * free) when the bytes are not a DNS message. */
enum bh_err dns_answer_from_wire(const uint8_t *wire, size_t len, uint16_t qtype,
				 struct probe_answer *out);

#endif
