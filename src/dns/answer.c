/* DNS replies as record.c wants them (see answer.h). */
#include "dns/answer.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

void dns_answer_name_norm(const char *in, char *out, size_t cap)
{
	size_t i;
	str_copy(out, cap, in);
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	if (i > 1 && out[i - 1] == '.')
		out[i - 1] = '\0';
}

void dns_answer_dname_text(const ldns_rdf *rdf, char *out, size_t cap)
{
	char *s = rdf ? ldns_rdf2str(rdf) : NULL;
	dns_answer_name_norm(s ? s : "", out, cap);
	free(s);
}

char *dns_answer_rr_data(const ldns_rr *rr)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	if (t == LDNS_RR_TYPE_TXT) {
		struct buf b = {.limit = DNS_ANSWER_TXT_MAX};
		size_t i, j;
		buf_puts(&b, "");
		/* The character-strings of one record are one value. */
		for (i = 0; i < ldns_rr_rd_count(rr); i++) {
			const ldns_rdf *f = ldns_rr_rdf(rr, i);
			const uint8_t *d = ldns_rdf_data(f);
			size_t n = ldns_rdf_size(f);
			if (n < 1)
				continue;
			for (j = 1; j < n && j <= d[0]; j++) {
				char c = d[j] ? (char)d[j] : '?';
				if (buf_append(&b, &c, 1) != BH_OK)
					break;
			}
		}
		return buf_steal(&b);
	}
	if (t == LDNS_RR_TYPE_CNAME && ldns_rr_rd_count(rr) >= 1) {
		char name[RECORD_NAME_MAX];
		dns_answer_dname_text(ldns_rr_rdf(rr, 0), name, sizeof name);
		return xstrdup(name);
	}
	if (t == LDNS_RR_TYPE_MX && ldns_rr_rd_count(rr) >= 2) {
		char name[RECORD_NAME_MAX], text[RECORD_NAME_MAX + 8];
		dns_answer_dname_text(ldns_rr_rdf(rr, 1), name, sizeof name);
		snprintf(text, sizeof text, "%u %s",
			 (unsigned)ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), name);
		return xstrdup(text);
	}
	if ((t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) && ldns_rr_rd_count(rr) >= 1) {
		char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		char *out = xstrdup(s ? s : "");
		free(s);
		return out;
	}
	return NULL;
}

/* A TTL as RFC 2181 section 8 reads it: one with the top bit set is 0, not
 * sixty-eight years a resolver would take to forget its answer. */
static uint32_t answer_ttl(const ldns_rr *rr)
{
	uint32_t ttl = ldns_rr_ttl(rr);
	return ttl > INT32_MAX ? 0 : ttl;
}

/* min(SOA TTL, SOA MINIMUM) of the SOA in a negative reply's authority. */
static uint32_t answer_negative_ttl(const ldns_pkt *p)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	size_t i;
	for (i = 0; auth && i < ldns_rr_list_rr_count(auth); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(auth, i);
		uint32_t ttl = answer_ttl(rr), min;
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7)
			continue;
		min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
		return ttl < min ? ttl : min;
	}
	return 0;
}

void dns_answer_fill(const ldns_pkt *reply, uint16_t qtype, struct probe_answer *out)
{
	const ldns_rr_list *ans;
	size_t i, nmatch = 0;

	memset(out, 0, sizeof *out);
	if (!reply) {
		out->rcode = ANSWER_TIMEOUT;
		return;
	}
	out->authoritative = ldns_pkt_aa(reply);
	ans = ldns_pkt_answer(reply);
	for (i = 0; ans && i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		struct answer_rr *a;
		char *data;
		if (t == (ldns_rr_type)qtype || t == LDNS_RR_TYPE_CNAME)
			nmatch++;
		if (out->nrrs >= RECORD_MAX_RRS)
			continue;
		data = dns_answer_rr_data(rr);
		if (!data)
			continue;
		a = &out->rrs[out->nrrs++];
		a->type = (enum record_type)t;
		dns_answer_dname_text(ldns_rr_owner(rr), a->owner, sizeof a->owner);
		a->data = data;
		a->ttl = answer_ttl(rr);
	}
	switch (ldns_pkt_get_rcode(reply)) {
	case LDNS_RCODE_NOERROR:
		out->rcode = nmatch ? ANSWER_OK : ANSWER_NODATA;
		break;
	case LDNS_RCODE_NXDOMAIN:
		out->rcode = ANSWER_NXDOMAIN;
		break;
	case LDNS_RCODE_REFUSED:
	case LDNS_RCODE_NOTAUTH:
	case LDNS_RCODE_NOTIMPL:
		out->rcode = ANSWER_REFUSED;
		break;
	default:
		out->rcode = ANSWER_SERVFAIL;
		break;
	}
	if (out->rcode == ANSWER_NODATA || out->rcode == ANSWER_NXDOMAIN)
		out->negative_ttl = answer_negative_ttl(reply);
}

enum bh_err dns_answer_from_wire(const uint8_t *wire, size_t len, uint16_t qtype,
				 struct probe_answer *out)
{
	ldns_pkt *reply = NULL;

	memset(out, 0, sizeof *out);
	if (!wire || ldns_wire2pkt(&reply, wire, len) != LDNS_STATUS_OK) {
		if (reply)
			ldns_pkt_free(reply);
		return BH_ERR_PARSE;
	}
	dns_answer_fill(reply, qtype, out);
	ldns_pkt_free(reply);
	return BH_OK;
}
