/* The live engine's reading of DNS replies (dns/answer.c): replies built
 * with ldns, sent through the wire format, turned into what record.c
 * judges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/record.h"
#include "dns/answer.h"

#define DK  "20250817055129pm._domainkey.customer.example."
#define SOA "customer.example. 3600 IN SOA ns1.host.example. hostmaster.customer.example. "

/* A reply to (qname, qtype) with rcode and AA, empty sections. */
static ldns_pkt *reply_new(const char *qname, ldns_rr_type qtype, ldns_pkt_rcode rcode, bool aa)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *q = ldns_rr_new();
	assert_non_null(p);
	assert_non_null(q);
	ldns_rr_set_owner(q, ldns_dname_new_frm_str(qname));
	ldns_rr_set_type(q, qtype);
	ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
	ldns_rr_set_question(q, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q);
	ldns_pkt_set_id(p, 4242);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, aa);
	ldns_pkt_set_rcode(p, rcode);
	return p;
}

/* Adds an RR in zone-file text to a section of p. */
static void reply_add(ldns_pkt *p, ldns_pkt_section section, const char *text)
{
	ldns_rr *rr = NULL;
	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL), LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, section, rr);
}

/* p in wire format (freed), *len bytes; caller frees. */
static uint8_t *reply_wire(ldns_pkt *p, size_t *len)
{
	uint8_t *wire = NULL;
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

/* p through the wire format and dns_answer_from_wire, as a qtype question. */
static void reply_convert(ldns_pkt *p, ldns_rr_type qtype, struct probe_answer *out)
{
	size_t len;
	uint8_t *wire = reply_wire(p, &len);
	assert_int_equal(dns_answer_from_wire(wire, len, qtype, out), BH_OK);
	free(wire);
}

/* Frees the rrs' data of one answer. */
static void answer_clear(struct probe_answer *a)
{
	size_t i;
	for (i = 0; i < a->nrrs; i++)
		free(a->rrs[i].data);
	a->nrrs = 0;
}

static void test_txt_strings_joined(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true);
	(void)state;
	reply_add(p, LDNS_SECTION_ANSWER, DK " 300 IN TXT \"k=rsa;\" \"p=MIGf\" \"MA0G\"");
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.rcode, ANSWER_OK);
	assert_true(a.authoritative);
	assert_int_equal(a.nrrs, 1);
	assert_int_equal(a.rrs[0].type, RECORD_TYPE_TXT);
	assert_string_equal(a.rrs[0].data, "k=rsa;p=MIGfMA0G");
	assert_string_equal(a.rrs[0].owner, "20250817055129pm._domainkey.customer.example");
	assert_int_equal(a.rrs[0].ttl, 300);
	answer_clear(&a);
}

static void test_cname_owner_lower_case(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new("pm-bounces.customer.example.", LDNS_RR_TYPE_CNAME,
				LDNS_RCODE_NOERROR, false);
	(void)state;
	reply_add(p, LDNS_SECTION_ANSWER,
		  "PM-Bounces.Customer.EXAMPLE. 3600 IN CNAME PM.MtaSv.net.");
	reply_convert(p, LDNS_RR_TYPE_CNAME, &a);
	assert_int_equal(a.rcode, ANSWER_OK);
	assert_false(a.authoritative);
	assert_int_equal(a.nrrs, 1);
	assert_int_equal(a.rrs[0].type, RECORD_TYPE_CNAME);
	assert_string_equal(a.rrs[0].owner, "pm-bounces.customer.example");
	assert_string_equal(a.rrs[0].data, "pm.mtasv.net");
	answer_clear(&a);
}

/* An MX record reads "<preference> <exchange>", the exchange lower-cased
 * without its trailing dot. */
static void test_mx(void **state)
{
	struct probe_answer a;
	ldns_pkt *p =
	    reply_new("bounce.customer.example.", LDNS_RR_TYPE_MX, LDNS_RCODE_NOERROR, true);
	(void)state;
	reply_add(p, LDNS_SECTION_ANSWER,
		  "bounce.customer.example. 300 IN MX 10 Feedback-SMTP.us-east-1.AmazonSES.com.");
	reply_convert(p, LDNS_RR_TYPE_MX, &a);
	assert_int_equal(a.rcode, ANSWER_OK);
	assert_int_equal(a.nrrs, 1);
	assert_int_equal(a.rrs[0].type, RECORD_TYPE_MX);
	assert_string_equal(a.rrs[0].data, "10 feedback-smtp.us-east-1.amazonses.com");
	answer_clear(&a);
}

/* A CNAME answers a TXT question; other types are counted, not kept. */
static void test_cname_chain_and_other_types(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true);
	(void)state;
	reply_add(p, LDNS_SECTION_ANSWER, DK " 3600 IN CNAME dkim.host.example.");
	reply_add(p, LDNS_SECTION_ANSWER, "dkim.host.example. 60 IN TXT \"k=rsa\"");
	reply_add(p, LDNS_SECTION_ANSWER, "dkim.host.example. 60 IN SRV 0 5 25 mx.host.example.");
	reply_add(p, LDNS_SECTION_ANSWER, "dkim.host.example. 60 IN AAAA 2001:db8::1");
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.rcode, ANSWER_OK);
	assert_int_equal(a.nrrs, 3);
	assert_int_equal(a.rrs[0].type, RECORD_TYPE_CNAME);
	assert_string_equal(a.rrs[0].data, "dkim.host.example");
	assert_string_equal(a.rrs[1].data, "k=rsa");
	assert_string_equal(a.rrs[1].owner, "dkim.host.example");
	assert_int_equal(a.rrs[2].type, RECORD_TYPE_AAAA);
	assert_string_equal(a.rrs[2].data, "2001:db8::1");
	answer_clear(&a);
}

static void test_nxdomain_negative_ttl(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NXDOMAIN, true);
	(void)state;
	/* SOA TTL 3600, MINIMUM 300: the negative answer lives 300 s. */
	reply_add(p, LDNS_SECTION_AUTHORITY, SOA "1 7200 3600 1209600 300");
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.rcode, ANSWER_NXDOMAIN);
	assert_int_equal(a.nrrs, 0);
	assert_int_equal(a.negative_ttl, 300);
}

static void test_nodata_negative_ttl_soa_ttl(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true);
	(void)state;
	/* The SOA's own TTL (120) is below MINIMUM (86400): 120 s. */
	reply_add(p, LDNS_SECTION_AUTHORITY,
		  "customer.example. 120 IN SOA ns1.host.example. hostmaster.customer.example. "
		  "1 7200 3600 1209600 86400");
	/* An A record at the name is no answer to a TXT question. */
	reply_add(p, LDNS_SECTION_ANSWER, DK " 60 IN A 192.0.2.1");
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.rcode, ANSWER_NODATA);
	assert_int_equal(a.negative_ttl, 120);
	assert_int_equal(a.nrrs, 1);
	answer_clear(&a);
}

static void test_rcodes(void **state)
{
	static const struct {
		ldns_pkt_rcode rcode;
		enum answer_rcode want;
	} cases[] = {
	    {LDNS_RCODE_SERVFAIL, ANSWER_SERVFAIL}, {LDNS_RCODE_REFUSED, ANSWER_REFUSED},
	    {LDNS_RCODE_NOTAUTH, ANSWER_REFUSED},   {LDNS_RCODE_NOTIMPL, ANSWER_REFUSED},
	    {LDNS_RCODE_FORMERR, ANSWER_SERVFAIL},
	};
	size_t i;
	struct probe_answer a;
	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		reply_convert(reply_new(DK, LDNS_RR_TYPE_TXT, cases[i].rcode, false),
			      LDNS_RR_TYPE_TXT, &a);
		assert_int_equal(a.rcode, cases[i].want);
		assert_int_equal(a.negative_ttl, 0);
	}
	dns_answer_fill(NULL, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.rcode, ANSWER_TIMEOUT);
}

/* Bytes a host let through stay data: record.c sanitizes them for
 * display; a NUL, which would end the C string, becomes '?'. */
static void test_txt_control_characters_kept(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true);
	(void)state;
	reply_add(p, LDNS_SECTION_ANSWER,
		  DK " 300 IN TXT \"k=rsa;\\027[2J\\009p=\\\"x\\\"\\000\\\\\\;\"");
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.nrrs, 1);
	assert_string_equal(a.rrs[0].data, "k=rsa;\033[2J\tp=\"x\"?\\;");
	answer_clear(&a);
}

/* At most RECORD_MAX_RRS kept, every one counted for the rcode. */
static void test_many_rrs_bounded(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true);
	int i;
	(void)state;
	for (i = 0; i < RECORD_MAX_RRS + 4; i++)
		reply_add(p, LDNS_SECTION_ANSWER, DK " 300 IN TXT \"v\"");
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.rcode, ANSWER_OK);
	assert_int_equal(a.nrrs, RECORD_MAX_RRS);
	answer_clear(&a);
}

/* Cut replies and garbage are errors, with nothing to free. */
static void test_bad_wire(void **state)
{
	static const uint8_t garbage[] = {0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0xff,
					  0xff, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x0c};
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true);
	size_t len, cut;
	uint8_t *wire;
	(void)state;
	reply_add(p, LDNS_SECTION_ANSWER, DK " 300 IN TXT \"k=rsa;\" \"p=MIGf\"");
	wire = reply_wire(p, &len);
	for (cut = 0; cut < len; cut++) {
		uint8_t *part = malloc(cut ? cut : 1);
		assert_non_null(part);
		memcpy(part, wire, cut);
		/* Every prefix short of the whole reply misses the answer. */
		assert_int_equal(dns_answer_from_wire(part, cut, LDNS_RR_TYPE_TXT, &a),
				 BH_ERR_PARSE);
		assert_int_equal(a.nrrs, 0);
		free(part);
	}
	free(wire);
	assert_int_equal(dns_answer_from_wire(garbage, sizeof garbage, LDNS_RR_TYPE_TXT, &a),
			 BH_ERR_PARSE);
	assert_int_equal(dns_answer_from_wire(NULL, 0, LDNS_RR_TYPE_TXT, &a), BH_ERR_PARSE);
}

/* A TTL with its top bit set is 0 (RFC 2181), in the answer and in the
 * SOA of a negative reply alike. */
static void test_ttl_top_bit_is_zero(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, false);
	(void)state;
	reply_add(p, LDNS_SECTION_ANSWER, DK " 300 IN TXT \"k=rsa\"");
	ldns_rr_set_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0x80000000u);
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.nrrs, 1);
	assert_int_equal(a.rrs[0].ttl, 0);
	answer_clear(&a);

	p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NXDOMAIN, false);
	reply_add(p, LDNS_SECTION_AUTHORITY, SOA "1 7200 3600 1209600 4294967295");
	ldns_rr_set_ttl(ldns_rr_list_rr(ldns_pkt_authority(p), 0), 0xffffffffu);
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.negative_ttl, 0);
}

/* A truncated (TC) reply is read as it is: the engine asks again over TCP
 * before it gets here. */
static void test_tc_reply(void **state)
{
	struct probe_answer a;
	ldns_pkt *p = reply_new(DK, LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, true);
	(void)state;
	ldns_pkt_set_tc(p, true);
	reply_convert(p, LDNS_RR_TYPE_TXT, &a);
	assert_int_equal(a.rcode, ANSWER_NODATA);
	assert_int_equal(a.nrrs, 0);
}

static void test_name_norm(void **state)
{
	char out[RECORD_NAME_MAX];
	(void)state;
	dns_answer_name_norm("Customer.EXAMPLE.", out, sizeof out);
	assert_string_equal(out, "customer.example");
	dns_answer_name_norm(".", out, sizeof out);
	assert_string_equal(out, ".");
	dns_answer_name_norm("abcdef.", out, 4);
	assert_string_equal(out, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_txt_strings_joined),
	    cmocka_unit_test(test_cname_owner_lower_case),
	    cmocka_unit_test(test_cname_chain_and_other_types),
	    cmocka_unit_test(test_mx),
	    cmocka_unit_test(test_nxdomain_negative_ttl),
	    cmocka_unit_test(test_nodata_negative_ttl_soa_ttl),
	    cmocka_unit_test(test_rcodes),
	    cmocka_unit_test(test_txt_control_characters_kept),
	    cmocka_unit_test(test_many_rrs_bounded),
	    cmocka_unit_test(test_bad_wire),
	    cmocka_unit_test(test_ttl_top_bit_is_zero),
	    cmocka_unit_test(test_tc_reply),
	    cmocka_unit_test(test_name_norm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
