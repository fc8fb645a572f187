/* The records JSON of DESIGN.md: what `export --format json` writes and
 * `check --records` reads.
 *
 *   {"domain": "customer.example",
 *    "records": [{"purpose": "dkim", "type": "TXT", "name": "...",
 *                 "value": "...", "required": true}, ...]}
 *
 * purpose is dkim, return-path, dmarc or spf; type TXT or CNAME (any case);
 * name is absolute (a trailing dot is dropped, stored lower-case, at most
 * 253 characters); "required" may be left out (true). */
#ifndef BEHALF_CORE_RECORDS_JSON_H
#define BEHALF_CORE_RECORDS_JSON_H

#include <stddef.h>

#include "core/error.h"
#include "core/record.h"

/* Parses text[0..len): the domain into domain (dcap bytes), the records
 * into out[0..cap), their count into *n.  Errors: BH_ERR_PARSE (not JSON,
 * or not the shape above), BH_ERR_INVALID (a missing field, an unknown
 * type or purpose, a name over 253 characters, a value too long),
 * BH_ERR_TOO_LARGE (more than cap records); msg (mcap bytes) then names the
 * record index and the field, e.g. "records[1].type: unknown type \"MX\"". */
enum bh_err records_json_parse(const char *text, size_t len, char *domain, size_t dcap,
			       struct expected_record *out, size_t cap, size_t *n, char *msg,
			       size_t mcap);

/* The records JSON of domain and r[0..n) (caller frees).  With results
 * (may be NULL; one per record) each record also gets "status" and
 * "diagnoses" ([{"code"}]).  Never NULL. */
char *records_json_write(const char *domain, const struct expected_record *r, size_t n,
			 const struct record_result *results);

/* The purpose a word names ("return-path"), false when none. */
bool records_json_purpose(const char *word, enum record_purpose *out);
/* The record type a word names ("TXT", "cname"), false for other types. */
bool records_json_type(const char *word, enum record_type *out);

#endif
