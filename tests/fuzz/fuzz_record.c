/* libFuzzer target: arbitrary DNS answer data into record_evaluate().
 *
 * Input layout (every read past the end yields zeros / empty strings):
 *   byte     purpose (low 2 bits), CNAME expected (bit 2), zone empty (bit 3)
 *   byte     number of servers (mod RECORD_MAX_SERVERS + 1)
 *   string   expected value (u16 length, then bytes)
 *   per server, per probe of record_probes():
 *     byte   rcode (mod 7), byte AA flag, byte number of RRs (mod RECORD_MAX_RRS + 1)
 *     per RR: byte type (A, CNAME, TXT, AAAA), byte owner choice (even: the
 *             probe's name, odd: a string), [string owner], string data
 * Strings may hold any byte, NUL excepted (it ends them). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/record.h"

#define ZONE "customer.example"

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint8_t rd_byte(struct reader *r)
{
	uint8_t b;
	if (!r->n)
		return 0;
	b = *r->p++;
	r->n--;
	return b;
}

/* A length-prefixed string into a malloced copy (caller frees). */
static char *rd_string(struct reader *r, size_t max)
{
	size_t len = (size_t)rd_byte(r) << 8;
	len |= rd_byte(r);
	if (len > r->n)
		len = r->n;
	if (len > max)
		len = max;
	{
		char *s = xstrndup((const char *)r->p, len);
		r->p += len;
		r->n -= len;
		return s;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum record_type types[4] = {RECORD_TYPE_A, RECORD_TYPE_CNAME, RECORD_TYPE_TXT,
						  RECORD_TYPE_AAAA};
	struct reader r = {data, size};
	struct expected_record rec;
	struct record_probe probes[RECORD_MAX_PROBES];
	struct server_answers *servers;
	struct record_result *result;
	uint8_t flags = rd_byte(&r);
	size_t nservers = rd_byte(&r) % (RECORD_MAX_SERVERS + 1), np, s, i, j;
	const char *zone = flags & 8 ? "" : ZONE;
	char *value;

	memset(&rec, 0, sizeof rec);
	rec.purpose = (enum record_purpose)(flags & 3);
	rec.type = flags & 4 ? RECORD_TYPE_CNAME : RECORD_TYPE_TXT;
	str_copy(rec.name, sizeof rec.name,
		 rec.type == RECORD_TYPE_CNAME ? "pm-bounces." ZONE
					       : "20250817055129pm._domainkey." ZONE);
	value = rd_string(&r, RECORD_VALUE_MAX - 1);
	str_copy(rec.value, sizeof rec.value, value);
	free(value);
	np = record_probes(&rec, zone, probes);

	servers = xcalloc(RECORD_MAX_SERVERS, sizeof *servers);
	result = xcalloc(1, sizeof *result);
	for (s = 0; s < nservers; s++) {
		struct server_answers *sa = &servers[s];
		char *name = rd_string(&r, RECORD_NAME_MAX - 1);
		str_copy(sa->server, sizeof sa->server, name);
		free(name);
		sa->nprobes = np;
		for (i = 0; i < np; i++) {
			struct probe_answer *a = &sa->probes[i];
			a->rcode = (enum answer_rcode)(rd_byte(&r) % 7);
			a->authoritative = rd_byte(&r) & 1;
			a->nrrs = rd_byte(&r) % (RECORD_MAX_RRS + 1);
			for (j = 0; j < a->nrrs; j++) {
				struct answer_rr *rr = &a->rrs[j];
				rr->type = types[rd_byte(&r) & 3];
				if (rd_byte(&r) & 1) {
					char *owner = rd_string(&r, RECORD_NAME_MAX - 1);
					str_copy(rr->owner, sizeof rr->owner, owner);
					free(owner);
				} else {
					str_copy(rr->owner, sizeof rr->owner, probes[i].name);
				}
				rr->data = rd_string(&r, RECORD_VALUE_MAX - 1);
			}
		}
	}
	record_evaluate(&rec, zone, servers, nservers, result);
	for (i = 0; i < result->ndiagnoses; i++) {
		char sentence[512], fix[512];
		record_diag_text(&result->diagnoses[i], "cloudflare", sentence, sizeof sentence,
				 fix, sizeof fix);
	}
	for (s = 0; s < nservers; s++)
		record_server_answers_clear(&servers[s]);
	free(servers);
	free(result);
	return 0;
}
