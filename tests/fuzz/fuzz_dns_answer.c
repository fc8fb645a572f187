/* libFuzzer target: the bytes are a DNS reply from the network, read by the
 * live engine's conversion (dns/answer.c) into what record.c judges.
 *
 * The same reply is taken as one server's answer to every probe of two
 * expected records (a DKIM TXT and a return-path CNAME), each probe with
 * its own question type, and as a resolver's answer to the first probe;
 * then record_evaluate and record_resolver_view judge them.  Beyond "no
 * crash, no leak", it asserts what record.c relies on: every kept RR has
 * data, an owner that is lower-case without a trailing dot, and a type
 * record.c knows. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/record.h"
#include "dns/answer.h"

#define ZONE	 "customer.example"
#define DKIM_KEY "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts when a converted answer breaks what record.c relies on. */
static void fuzz_check_answer(const struct probe_answer *a)
{
	size_t i, j;
	if (a->nrrs > RECORD_MAX_RRS || a->rcode == ANSWER_NONE)
		abort();
	for (i = 0; i < a->nrrs; i++) {
		const struct answer_rr *rr = &a->rrs[i];
		size_t n = strnlen(rr->owner, sizeof rr->owner);
		if (!rr->data || n == sizeof rr->owner)
			abort();
		if (rr->type != RECORD_TYPE_A && rr->type != RECORD_TYPE_CNAME &&
		    rr->type != RECORD_TYPE_TXT && rr->type != RECORD_TYPE_AAAA &&
		    rr->type != RECORD_TYPE_MX)
			abort();
		/* MX data: "<preference> <exchange>", as record.c compares it */
		if (rr->type == RECORD_TYPE_MX &&
		    (!isdigit((unsigned char)rr->data[0]) || !strchr(rr->data, ' ')))
			abort();
		if (n > 1 && rr->owner[n - 1] == '.' && rr->owner[n - 2] != '\\')
			abort();
		for (j = 0; j < n; j++)
			if (isupper((unsigned char)rr->owner[j]))
				abort();
	}
}

/* The reply as one server's answers to every probe of rec, then judged. */
static void fuzz_evaluate(const struct expected_record *rec, const uint8_t *data, size_t size)
{
	struct record_probe probes[RECORD_MAX_PROBES];
	struct server_answers *server = xcalloc(1, sizeof *server);
	struct server_answers *resolver = xcalloc(1, sizeof *resolver);
	struct record_result *result = xcalloc(1, sizeof *result);
	size_t np = record_probes(rec, ZONE, probes), i;
	bool parsed = true;

	str_copy(server->server, sizeof server->server, "ns1.host.example");
	str_copy(server->address, sizeof server->address, "192.0.2.1");
	server->nprobes = np;
	for (i = 0; i < np; i++) {
		struct probe_answer *a = &server->probes[i];
		if (dns_answer_from_wire(data, size, (uint16_t)probes[i].type, a) != BH_OK) {
			/* Not a DNS message: the engine drops it and the
			 * query times out. */
			if (a->nrrs || a->rcode != ANSWER_NONE)
				abort();
			a->rcode = ANSWER_TIMEOUT;
			parsed = false;
		}
		fuzz_check_answer(a);
	}
	str_copy(resolver->server, sizeof resolver->server, "192.0.2.53");
	str_copy(resolver->address, sizeof resolver->address, "192.0.2.53");
	resolver->nprobes = 1;
	if (parsed)
		dns_answer_from_wire(data, size, (uint16_t)probes[0].type, &resolver->probes[0]);
	else
		resolver->probes[0].rcode = ANSWER_TIMEOUT;

	record_evaluate(rec, ZONE, server, 1, result);
	record_resolver_view(rec, ZONE, resolver, 1, result);
	for (i = 0; i < result->ndiagnoses; i++) {
		char sentence[512], fix[512];
		record_diag_text(&result->diagnoses[i], "cloudflare", sentence, sizeof sentence,
				 fix, sizeof fix);
	}
	record_server_answers_clear(server);
	record_server_answers_clear(resolver);
	free(server);
	free(resolver);
	free(result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct expected_record recs[3];
	static bool ready;
	size_t i;

	if (!ready) {
		recs[0].purpose = PURPOSE_DKIM;
		recs[0].type = RECORD_TYPE_TXT;
		str_copy(recs[0].name, sizeof recs[0].name, "20250817055129pm._domainkey." ZONE);
		str_copy(recs[0].value, sizeof recs[0].value, "k=rsa;p=" DKIM_KEY);
		recs[0].required = true;
		recs[1].purpose = PURPOSE_RETURN_PATH;
		recs[1].type = RECORD_TYPE_CNAME;
		str_copy(recs[1].name, sizeof recs[1].name, "pm-bounces." ZONE);
		str_copy(recs[1].value, sizeof recs[1].value, "pm.mtasv.net");
		recs[1].required = true;
		recs[2].purpose = PURPOSE_RETURN_PATH; /* an ESP's bounce MX */
		recs[2].type = RECORD_TYPE_MX;
		str_copy(recs[2].name, sizeof recs[2].name, "bounce." ZONE);
		str_copy(recs[2].value, sizeof recs[2].value, "10 feedback-smtp.esp.example");
		recs[2].required = true;
		ready = true;
	}
	for (i = 0; i < 3; i++)
		fuzz_evaluate(&recs[i], data, size);
	return 0;
}
