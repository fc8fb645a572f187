/* Record comparison and diagnosis: statuses and diagnoses from realistic
 * answers of authoritative servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/record.h"
#include "core/text.h"

#define ZONE	  "customer.example"
#define SELECTOR  "20250817055129pm"
#define DKIM_NAME SELECTOR "._domainkey." ZONE
#define RP_NAME	  "pm-bounces." ZONE
#define KEY                                                                                        \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4ESgMvdWFU7Tq/"                                    \
	"3s05mqp0LW1yZXuKPuy4ZATTvaSk2ws128JsS"                                                    \
	"ENWMJzV8T+4Nn/"                                                                           \
	"nl1ZbClPM2pV75zrR0GKleRa03X+sfjIMqcEhQBcr651+4gWLhGf06TNHGcm98ljPIyid9CnJsp"              \
	"mqSPyCOzYekDod07g5J3AdubBO+BA0wIDAQAB"
/* Another whole key: an older one. */
#define OLD_KEY                                                                                    \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDr4hvxcoo8xpwWFw9lLbr2XEqL1tf/"                     \
	"znSzUYrtm9sXVR8BsRejK4"                                                                   \
	"YAZt+AII7aUiUmYTxOFqRXZUkvxL8r4MfBpb1PrQCrr//LqS1Aw9j/"                                   \
	"tdgPsW4Gsf9lJroquAIRItk2Vuq6OhnURKK"                                                      \
	"0vdAzw08Pr42u7mgo14awjyPef7Wg5QIDAQAB"

/* One record of a test server's zone. */
struct zrr {
	const char *owner;
	enum record_type type;
	const char *data;
};

struct fixture {
	struct expected_record dkim;
	struct expected_record rp;
	struct server_answers *servers; /* 2, calloc'ed */
	struct record_result *result;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	f->dkim.purpose = PURPOSE_DKIM;
	f->dkim.type = RECORD_TYPE_TXT;
	str_copy(f->dkim.name, sizeof f->dkim.name, DKIM_NAME);
	str_copy(f->dkim.value, sizeof f->dkim.value, "k=rsa;p=" KEY);
	f->dkim.required = true;
	f->rp.purpose = PURPOSE_RETURN_PATH;
	f->rp.type = RECORD_TYPE_CNAME;
	str_copy(f->rp.name, sizeof f->rp.name, RP_NAME);
	str_copy(f->rp.value, sizeof f->rp.value, "pm.mtasv.net");
	f->rp.required = true;
	f->servers = xcalloc(2, sizeof *f->servers);
	f->result = xcalloc(1, sizeof *f->result);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	record_server_answers_clear(&f->servers[0]);
	record_server_answers_clear(&f->servers[1]);
	free(f->servers);
	free(f->result);
	free(f);
	text_free();
	return 0;
}

static bool owner_below(const char *owner, const char *name)
{
	size_t lo = strlen(owner), ln = strlen(name);
	return lo > ln + 1 && owner[lo - ln - 1] == '.' && strcmp(owner + lo - ln, name) == 0;
}

static void add_rr(struct probe_answer *a, const struct zrr *z)
{
	struct answer_rr *rr = &a->rrs[a->nrrs++];
	rr->type = z->type;
	str_copy(rr->owner, sizeof rr->owner, z->owner);
	rr->data = xstrdup(z->data);
	rr->ttl = 300;
}

/* Answers every probe of rec the way an authoritative server holding the
 * zone z[0..n) would. */
static void serve(struct server_answers *s, const char *server, const struct expected_record *rec,
		  const struct zrr *z, size_t n)
{
	struct record_probe probes[RECORD_MAX_PROBES];
	size_t np = record_probes(rec, ZONE, probes), i, j;
	record_server_answers_clear(s);
	memset(s, 0, sizeof *s);
	str_copy(s->server, sizeof s->server, server);
	str_copy(s->address, sizeof s->address, "192.0.2.1");
	s->nprobes = np;
	for (i = 0; i < np; i++) {
		struct probe_answer *a = &s->probes[i];
		bool exists = strcmp(probes[i].name, ZONE) == 0;
		const struct zrr *cname = NULL;
		a->authoritative = true;
		for (j = 0; j < n; j++) {
			if (strcmp(z[j].owner, probes[i].name) == 0) {
				exists = true;
				if (z[j].type == RECORD_TYPE_CNAME)
					cname = &z[j];
			}
			if (owner_below(z[j].owner, probes[i].name))
				exists = true;
		}
		if (cname && probes[i].type != RECORD_TYPE_CNAME) {
			add_rr(a, cname);
			for (j = 0; j < n; j++)
				if (z[j].type == probes[i].type &&
				    strcmp(z[j].owner, cname->data) == 0)
					add_rr(a, &z[j]);
		} else {
			for (j = 0; j < n; j++)
				if (z[j].type == probes[i].type &&
				    strcmp(z[j].owner, probes[i].name) == 0)
					add_rr(a, &z[j]);
		}
		if (a->nrrs)
			a->rcode = ANSWER_OK;
		else
			a->rcode = exists ? ANSWER_NODATA : ANSWER_NXDOMAIN;
		a->negative_ttl = a->nrrs ? 0 : 300;
	}
}

/* Both servers serve the same zone. */
static void serve_both(struct fixture *f, const struct expected_record *rec, const struct zrr *z,
		       size_t n)
{
	serve(&f->servers[0], "ns1.host.example", rec, z, n);
	serve(&f->servers[1], "ns2.host.example", rec, z, n);
}

static const struct record_diagnosis *find_diag(const struct record_result *r,
						enum record_diag code)
{
	size_t i;
	for (i = 0; i < r->ndiagnoses; i++)
		if (r->diagnoses[i].code == code)
			return &r->diagnoses[i];
	return NULL;
}

/* A new diagnosis code forgotten in the order of importance (it would take
 * another code's place) or in the words fails here. */
static void test_catalog_complete(void **state)
{
	char msg[128] = "";
	(void)state;
	if (!record_catalog_complete(msg, sizeof msg))
		fail_msg("%s", msg);
}

static void test_probes(void **state)
{
	struct fixture *f = *state;
	struct record_probe p[RECORD_MAX_PROBES];
	size_t n = record_probes(&f->dkim, ZONE, p), i;
	bool appended = false, selector = false, apex = false, nounder = false;

	assert_true(n >= 5 && n <= RECORD_MAX_PROBES);
	assert_string_equal(p[0].name, DKIM_NAME);
	assert_int_equal(p[0].type, RECORD_TYPE_TXT);
	for (i = 0; i < n; i++) {
		appended |= strcmp(p[i].name, DKIM_NAME "." ZONE) == 0;
		selector |= strcmp(p[i].name, SELECTOR "." ZONE) == 0;
		apex |= strcmp(p[i].name, ZONE) == 0;
		nounder |= strcmp(p[i].name, SELECTOR ".domainkey." ZONE) == 0;
	}
	assert_true(appended && selector && apex && nounder);

	n = record_probes(&f->rp, ZONE, p);
	assert_true(n >= 4 && n <= RECORD_MAX_PROBES);
	assert_string_equal(p[0].name, RP_NAME);
	assert_int_equal(p[0].type, RECORD_TYPE_CNAME);
	for (i = 1, appended = false; i < n; i++)
		appended |= strcmp(p[i].name, RP_NAME "." ZONE) == 0;
	assert_true(appended);

	/* A subdomain's DKIM name also looks one level up. */
	str_copy(f->dkim.name, sizeof f->dkim.name, SELECTOR "._domainkey.mail." ZONE);
	n = record_probes(&f->dkim, ZONE, p);
	assert_true(n <= RECORD_MAX_PROBES);
	for (i = 0, selector = false; i < n; i++)
		selector |= strcmp(p[i].name, SELECTOR "._domainkey." ZONE) == 0;
	assert_true(selector);
}

static void test_dkim_verified(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {
	    {ZONE, RECORD_TYPE_TXT, "v=spf1 include:spf.mtasv.net ~all"},
	    {DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" KEY},
	};
	serve_both(f, &f->dkim, z, 2);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	assert_int_equal(f->result->nservers, 2);
	assert_int_equal(f->result->per_server[0], STATUS_VERIFIED);
	assert_int_equal(f->result->per_server[1], STATUS_VERIFIED);
	assert_int_equal(f->result->ndiagnoses, 0);
	assert_string_equal(f->result->seen[0], "k=rsa;p=" KEY);
	assert_string_equal(record_status_word(f->result->status), "verified");
}

/* Tags in another order, spaces around them and inside the key, a v= tag,
 * and a key split into character-strings that the source joined. */
static void test_dkim_tags_by_meaning(void **state)
{
	struct fixture *f = *state;
	static const char *const variants[] = {
	    "v=DKIM1; k=rsa; p=" KEY,
	    "p=" KEY "; k=rsa",
	    "k = rsa ;  p = "
	    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4ESgMvdWFU7Tq/3s05mqp0LW1yZXuKPuy4"
	    "ZATTvaSk2ws128JsS "
	    "ENWMJzV8T+4Nn/nl1ZbClPM2pV75zrR0GKleRa03X+sfjIMqcEhQBcr651+4gWLhGf06TN"
	    "HGcm98ljPIyid9CnJsp\tmqSPyCOzYekDod07g5J3AdubBO+BA0wIDAQAB ;",
	    "p=" KEY,
	};
	size_t i;
	for (i = 0; i < sizeof variants / sizeof *variants; i++) {
		const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, variants[i]}};
		serve_both(f, &f->dkim, z, 1);
		record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
		assert_int_equal(f->result->status, STATUS_VERIFIED);
	}
	/* Another key type is another key. */
	{
		const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=ed25519; p=" KEY}};
		serve_both(f, &f->dkim, z, 1);
		record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
		assert_int_equal(f->result->status, STATUS_MISMATCH);
		assert_non_null(find_diag(f->result, DIAG_VALUE_MISMATCH));
	}
}

/* A DKIM name delegated by CNAME to a TXT with the right key is fine. */
static void test_dkim_cname_delegation(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {
	    {DKIM_NAME, RECORD_TYPE_CNAME, "keys." ZONE},
	    {"keys." ZONE, RECORD_TYPE_TXT, "k=rsa; p=" KEY},
	};
	serve_both(f, &f->dkim, z, 2);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
}

static void test_missing(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{ZONE, RECORD_TYPE_TXT, "v=spf1 -all"}};
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISSING);
	assert_int_equal(f->result->per_server[0], STATUS_MISSING);
	assert_int_equal(f->result->ndiagnoses, 0);
	assert_string_equal(f->result->seen[0], "");
}

static void test_zone_appended(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{DKIM_NAME "." ZONE, RECORD_TYPE_TXT, "k=rsa;p=" KEY}};
	const struct record_diagnosis *d;
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISSING);
	d = find_diag(f->result, DIAG_ZONE_APPENDED);
	assert_non_null(d);
	assert_string_equal(d->arg, SELECTOR "._domainkey");
	assert_string_equal(d->arg2, DKIM_NAME "." ZONE);
	assert_int_equal(f->result->diagnoses[0].code, DIAG_ZONE_APPENDED);

	/* The same for the Return-Path. */
	{
		const struct zrr z2[] = {{RP_NAME "." ZONE, RECORD_TYPE_CNAME, "pm.mtasv.net"}};
		serve_both(f, &f->rp, z2, 1);
		record_evaluate(&f->rp, ZONE, f->servers, 2, f->result);
		assert_int_equal(f->result->status, STATUS_MISSING);
		d = find_diag(f->result, DIAG_ZONE_APPENDED);
		assert_non_null(d);
		assert_string_equal(d->arg, "pm-bounces");
	}
}

static void test_wrong_label(void **state)
{
	struct fixture *f = *state;
	const struct record_diagnosis *d;
	const struct zrr at_selector[] = {{SELECTOR "." ZONE, RECORD_TYPE_TXT, "k=rsa;p=" KEY}};
	const struct zrr at_apex[] = {
	    {ZONE, RECORD_TYPE_TXT, "v=spf1 -all"},
	    {ZONE, RECORD_TYPE_TXT, "k=rsa; p=" KEY},
	};
	const struct zrr no_underscore[] = {
	    {SELECTOR ".domainkey." ZONE, RECORD_TYPE_TXT, "k=rsa;p=" KEY}};

	serve_both(f, &f->dkim, at_selector, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISSING);
	d = find_diag(f->result, DIAG_WRONG_LABEL);
	assert_non_null(d);
	assert_string_equal(d->arg, SELECTOR "._domainkey");
	assert_string_equal(d->arg2, SELECTOR);

	serve_both(f, &f->dkim, at_apex, 2);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	d = find_diag(f->result, DIAG_WRONG_LABEL);
	assert_non_null(d);
	assert_string_equal(d->arg2, "@");

	serve_both(f, &f->dkim, no_underscore, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	d = find_diag(f->result, DIAG_WRONG_LABEL);
	assert_non_null(d);
	assert_string_equal(d->arg2, SELECTOR ".domainkey");
}

static void test_not_propagated(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" KEY}};
	const struct record_diagnosis *d;
	serve(&f->servers[0], "ns1.host.example", &f->dkim, z, 1);
	serve(&f->servers[1], "ns2.host.example", &f->dkim, NULL, 0);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_PARTIAL);
	assert_int_equal(f->result->per_server[0], STATUS_VERIFIED);
	assert_int_equal(f->result->per_server[1], STATUS_MISSING);
	d = find_diag(f->result, DIAG_NOT_PROPAGATED);
	assert_non_null(d);
	assert_string_equal(d->arg, "ns2.host.example");
	assert_string_equal(d->arg2, "ns1.host.example");
	assert_int_equal(f->result->ndiagnoses, 1);
}

static void test_value_mismatch(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=rsa; p=" OLD_KEY}};
	const struct record_diagnosis *d;
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_VALUE_MISMATCH);
	assert_non_null(d);
	assert_string_equal(d->arg, SELECTOR "._domainkey");
	assert_string_equal(d->arg2, "k=rsa; p=" OLD_KEY);
	assert_null(find_diag(f->result, DIAG_TRUNCATED_VALUE));
}

static void test_quoted_value(void **state)
{
	struct fixture *f = *state;
	const struct zrr ascii[] = {{DKIM_NAME, RECORD_TYPE_TXT, "\"k=rsa;p=" KEY "\""}};
	const struct zrr curly[] = {
	    {DKIM_NAME, RECORD_TYPE_TXT, "\xe2\x80\x9ck=rsa;p=" KEY "\xe2\x80\x9d"}};
	serve_both(f, &f->dkim, ascii, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	assert_non_null(find_diag(f->result, DIAG_QUOTED_VALUE));
	assert_null(find_diag(f->result, DIAG_VALUE_MISMATCH));

	serve_both(f, &f->dkim, curly, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	assert_non_null(find_diag(f->result, DIAG_QUOTED_VALUE));
}

static void test_truncated_value(void **state)
{
	struct fixture *f = *state;
	char cut[256];
	/* Cut inside the key: a proper prefix. */
	snprintf(cut, sizeof cut, "k=rsa;p=%.100s", KEY);
	{
		const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, cut}};
		serve_both(f, &f->dkim, z, 1);
		record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
		assert_int_equal(f->result->status, STATUS_MISMATCH);
		assert_non_null(find_diag(f->result, DIAG_TRUNCATED_VALUE));
		assert_null(find_diag(f->result, DIAG_VALUE_MISMATCH));
	}
	/* Another key, cut: it does not decode to a whole key. */
	snprintf(cut, sizeof cut, "k=rsa;p=%.120s", OLD_KEY);
	{
		const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, cut}};
		serve_both(f, &f->dkim, z, 1);
		record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
		assert_non_null(find_diag(f->result, DIAG_TRUNCATED_VALUE));
	}
	/* Quoted and cut. */
	snprintf(cut, sizeof cut, "\"k=rsa;p=%.60s", KEY);
	{
		const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, cut}};
		serve_both(f, &f->dkim, z, 1);
		record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
		assert_non_null(find_diag(f->result, DIAG_TRUNCATED_VALUE));
		assert_non_null(find_diag(f->result, DIAG_QUOTED_VALUE));
	}
}

static void test_duplicate_records(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {
	    {DKIM_NAME, RECORD_TYPE_TXT, "k=rsa; p=" OLD_KEY},
	    {DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" KEY},
	};
	const struct record_diagnosis *d;
	serve_both(f, &f->dkim, z, 2);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_DUPLICATE_RECORDS);
	assert_non_null(d);
	assert_string_equal(d->arg2, "2");
	assert_null(find_diag(f->result, DIAG_VALUE_MISMATCH));
	assert_non_null(strstr(f->result->seen[0], OLD_KEY));
	assert_non_null(strstr(f->result->seen[0], KEY));
}

static void test_wrong_type(void **state)
{
	struct fixture *f = *state;
	const struct record_diagnosis *d;
	const struct zrr dkim_cname[] = {{DKIM_NAME, RECORD_TYPE_CNAME, "pm.mtasv.net"}};
	const struct zrr rp_txt[] = {{RP_NAME, RECORD_TYPE_TXT, "pm.mtasv.net"}};

	serve_both(f, &f->dkim, dkim_cname, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_WRONG_TYPE);
	assert_non_null(d);
	assert_string_equal(d->arg, "CNAME");
	assert_string_equal(d->arg2, "TXT");

	serve_both(f, &f->rp, rp_txt, 1);
	record_evaluate(&f->rp, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_WRONG_TYPE);
	assert_non_null(d);
	assert_string_equal(d->arg, "TXT");
	assert_string_equal(d->arg2, "CNAME");
}

static void test_cname_case_and_dot(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{RP_NAME, RECORD_TYPE_CNAME, "PM.MtaSv.NET."}};
	serve_both(f, &f->rp, z, 1);
	record_evaluate(&f->rp, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	assert_int_equal(f->result->ndiagnoses, 0);
}

static void test_cname_target_mismatch(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{RP_NAME, RECORD_TYPE_CNAME, "bounces.other-esp.example."}};
	const struct record_diagnosis *d;
	serve_both(f, &f->rp, z, 1);
	record_evaluate(&f->rp, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_CNAME_TARGET_MISMATCH);
	assert_non_null(d);
	assert_string_equal(d->arg, "pm.mtasv.net");
	assert_string_equal(d->arg2, "bounces.other-esp.example");
}

static void test_cname_flattened(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {
	    {RP_NAME, RECORD_TYPE_A, "104.18.32.7"},
	    {RP_NAME, RECORD_TYPE_A, "172.64.155.249"},
	    {RP_NAME, RECORD_TYPE_AAAA, "2606:4700::6812:2007"},
	};
	const struct record_diagnosis *d;
	serve_both(f, &f->rp, z, 3);
	record_evaluate(&f->rp, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_CNAME_FLATTENED);
	assert_non_null(d);
	assert_string_equal(d->arg, "pm-bounces");
	assert_non_null(strstr(d->arg2, "104.18.32.7"));
	assert_non_null(strstr(d->arg2, "2606:4700::6812:2007"));
}

/* An MX record (a custom MAIL FROM): "<preference> <exchange>", the
 * exchange compared without case or trailing dot; another exchange beside
 * it is fine, another preference is not the record asked for. */
static void test_mx(void **state)
{
	struct fixture *f = *state;
	struct expected_record mx = {.purpose = PURPOSE_RETURN_PATH,
				     .type = RECORD_TYPE_MX,
				     .name = "bounce." ZONE,
				     .value = "10 feedback-smtp.example",
				     .required = true};
	const struct zrr ok[] = {{"bounce." ZONE, RECORD_TYPE_MX, "20 backup.example"},
				 {"bounce." ZONE, RECORD_TYPE_MX, "10 Feedback-SMTP.example."}};
	const struct zrr pref[] = {{"bounce." ZONE, RECORD_TYPE_MX, "20 feedback-smtp.example"}};
	const struct zrr cname[] = {{"bounce." ZONE, RECORD_TYPE_CNAME, "mail.other.example"}};
	const struct zrr appended[] = {
	    {"bounce." ZONE "." ZONE, RECORD_TYPE_MX, "10 feedback-smtp.example"}};
	const struct record_diagnosis *d;
	struct record_probe p[RECORD_MAX_PROBES];

	assert_string_equal(record_type_word(RECORD_TYPE_MX), "MX");
	assert_true(record_probes(&mx, ZONE, p) >= 1);
	assert_int_equal(p[0].type, RECORD_TYPE_MX);
	assert_string_equal(p[0].name, "bounce." ZONE);

	serve_both(f, &mx, ok, 2);
	record_evaluate(&mx, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	assert_true(record_value_matches(&mx, "10 FEEDBACK-smtp.example."));
	assert_false(record_value_matches(&mx, "20 feedback-smtp.example"));
	assert_false(record_value_matches(&mx, "feedback-smtp.example"));

	serve_both(f, &mx, pref, 1);
	record_evaluate(&mx, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_VALUE_MISMATCH);
	assert_non_null(d);
	assert_string_equal(d->arg2, "20 feedback-smtp.example");

	serve_both(f, &mx, cname, 1);
	record_evaluate(&mx, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_WRONG_TYPE);
	assert_non_null(d);
	assert_string_equal(d->arg2, "MX");

	serve_both(f, &mx, appended, 1);
	record_evaluate(&mx, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISSING);
	assert_non_null(find_diag(f->result, DIAG_ZONE_APPENDED));
}

static void test_server_unreachable(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" KEY}};
	const struct record_diagnosis *d;
	size_t i;

	/* One server times out: not verified while it may serve anything,
	 * and not "propagation" either: no server lags. */
	serve_both(f, &f->dkim, z, 1);
	record_server_answers_clear(&f->servers[1]);
	for (i = 0; i < f->servers[1].nprobes; i++) {
		f->servers[1].probes[i].rcode = ANSWER_TIMEOUT;
		f->servers[1].probes[i].authoritative = false;
	}
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_PARTIAL);
	assert_int_equal(f->result->per_server[0], STATUS_VERIFIED);
	assert_int_equal(f->result->per_server[1], STATUS_ERROR);
	assert_int_equal(f->result->nfailed, 1);
	d = find_diag(f->result, DIAG_SERVER_UNREACHABLE);
	assert_non_null(d);
	assert_string_equal(d->arg, "ns2.host.example");
	assert_null(find_diag(f->result, DIAG_NOT_PROPAGATED));

	/* Both fail: an error, naming both. */
	f->servers[0].probes[0].rcode = ANSWER_SERVFAIL;
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_ERROR);
	assert_int_equal(f->result->nfailed, 2);
	d = find_diag(f->result, DIAG_SERVER_UNREACHABLE);
	assert_non_null(d);
	assert_string_equal(d->arg, "ns1.host.example, ns2.host.example");

	f->servers[0].probes[0].rcode = ANSWER_REFUSED;
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_ERROR);
}

static void test_not_authoritative(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" KEY}};
	const struct record_diagnosis *d;
	size_t i;
	serve_both(f, &f->dkim, z, 1);
	/* A lame server answers with the record, but without authority. */
	for (i = 0; i < f->servers[0].nprobes; i++)
		f->servers[0].probes[i].authoritative = false;
	/* One lame, one with the record: not verified, and not a failure. */
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_PARTIAL);
	assert_int_equal(f->result->nfailed, 0);
	assert_non_null(find_diag(f->result, DIAG_NOT_AUTHORITATIVE));
	assert_null(find_diag(f->result, DIAG_NOT_PROPAGATED));
	for (i = 0; i < f->servers[1].nprobes; i++)
		f->servers[1].probes[i].authoritative = false;
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_ERROR);
	assert_int_equal(f->result->per_server[0], STATUS_ERROR);
	d = find_diag(f->result, DIAG_NOT_AUTHORITATIVE);
	assert_non_null(d);
	assert_string_equal(d->arg, "ns1.host.example, ns2.host.example");
	assert_string_equal(d->arg2, "ns1.host.example, ns2.host.example");
}

/* Escape sequences in DNS data never reach the result. */
static void test_sanitized(void **state)
{
	struct fixture *f = *state;
	const struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=rsa; p=\x1b[2J\x1b]0;owned\x07"}};
	const struct record_diagnosis *d;
	serve_both(f, &f->dkim, z, 1);
	str_copy(f->servers[1].server, sizeof f->servers[1].server, "ns2\x1b[31m.host.example");
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	assert_null(strchr(f->result->seen[0], '\x1b'));
	assert_null(strchr(f->result->seen[0], '\x07'));
	d = find_diag(f->result, DIAG_VALUE_MISMATCH);
	assert_non_null(d);
	assert_null(strchr(d->arg2, '\x1b'));
}

static void test_dmarc(void **state)
{
	struct fixture *f = *state;
	struct expected_record dmarc = {PURPOSE_DMARC, RECORD_TYPE_TXT, "_dmarc." ZONE,
					"v=DMARC1; p=none;", false};
	const struct zrr stricter[] = {
	    {"_dmarc." ZONE, RECORD_TYPE_TXT, "v=DMARC1; p=quarantine; rua=mailto:d@" ZONE}};
	const struct zrr two[] = {
	    {"_dmarc." ZONE, RECORD_TYPE_TXT, "v=DMARC1; p=none"},
	    {"_dmarc." ZONE, RECORD_TYPE_TXT, "v=DMARC1; p=reject"},
	};
	(void)f;
	serve_both(f, &dmarc, stricter, 1);
	record_evaluate(&dmarc, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	serve_both(f, &dmarc, two, 2);
	record_evaluate(&dmarc, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	assert_non_null(find_diag(f->result, DIAG_DUPLICATE_RECORDS));
}

static void test_dmarc_missing(void **state)
{
	struct fixture *f = *state;
	struct expected_record dmarc = {PURPOSE_DMARC, RECORD_TYPE_TXT, "_dmarc." ZONE,
					"v=DMARC1; p=none;", false};
	const struct zrr none[] = {{ZONE, RECORD_TYPE_TXT, "v=spf1 ~all"}};
	const struct record_diagnosis *d;
	char sentence[512], fix[512];

	serve_both(f, &dmarc, none, 1);
	record_evaluate(&dmarc, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISSING);
	d = find_diag(f->result, DIAG_DMARC_MISSING);
	assert_non_null(d);
	assert_string_equal(d->arg, "_dmarc");
	assert_string_equal(d->arg2, "v=DMARC1; p=none;");
	/* The fix shows the starter record. */
	record_diag_text(d, NULL, sentence, sizeof sentence, fix, sizeof fix);
	assert_non_null(strstr(fix, "v=DMARC1; p=none;"));
	assert_null(strstr(sentence, "[diag."));
}

/* A resolver's answer to the first probe only. */
static void resolver_answer(struct server_answers *s, const char *name, enum answer_rcode rc,
			    const struct zrr *z, uint32_t ttl, uint32_t negative_ttl)
{
	record_server_answers_clear(s);
	memset(s, 0, sizeof *s);
	str_copy(s->server, sizeof s->server, name);
	str_copy(s->address, sizeof s->address, name);
	s->nprobes = 1;
	s->probes[0].rcode = rc;
	s->probes[0].negative_ttl = negative_ttl;
	if (z) {
		add_rr(&s->probes[0], z);
		s->probes[0].rrs[0].ttl = ttl;
	}
}

static void test_resolver_stale(void **state)
{
	struct fixture *f = *state;
	const struct zrr good[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" KEY}};
	const struct zrr old = {DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" OLD_KEY};
	struct server_answers *res = xcalloc(2, sizeof *res);
	const struct record_diagnosis *d;

	serve_both(f, &f->dkim, good, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);

	/* The resolver agrees: nothing to say. */
	resolver_answer(&res[0], "192.0.2.53", ANSWER_OK, &good[0], 300, 0);
	record_resolver_view(&f->dkim, ZONE, res, 1, f->result);
	assert_null(find_diag(f->result, DIAG_RESOLVER_STALE));

	/* NXDOMAIN cached: the estimate is the negative TTL of its SOA. */
	resolver_answer(&res[0], "192.0.2.53", ANSWER_NXDOMAIN, NULL, 0, 60);
	resolver_answer(&res[1], "192.0.2.54", ANSWER_TIMEOUT, NULL, 0, 0);
	record_resolver_view(&f->dkim, ZONE, res, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	d = find_diag(f->result, DIAG_RESOLVER_STALE);
	assert_non_null(d);
	assert_string_equal(d->arg, "60");
	assert_string_equal(d->arg2, "192.0.2.53");

	/* Old data: the TTL left on it. */
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	resolver_answer(&res[0], "192.0.2.53", ANSWER_OK, &old, 217, 0);
	record_resolver_view(&f->dkim, ZONE, res, 1, f->result);
	d = find_diag(f->result, DIAG_RESOLVER_STALE);
	assert_non_null(d);
	assert_string_equal(d->arg, "217");

	/* Not verified at the authoritative servers: not the resolver's fault. */
	serve_both(f, &f->dkim, NULL, 0);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	record_resolver_view(&f->dkim, ZONE, res, 1, f->result);
	assert_null(find_diag(f->result, DIAG_RESOLVER_STALE));

	/* A CNAME: the resolver follows it to the target's addresses. */
	{
		const struct zrr rp[] = {{RP_NAME, RECORD_TYPE_CNAME, "pm.mtasv.net"}};
		serve_both(f, &f->rp, rp, 1);
		record_evaluate(&f->rp, ZONE, f->servers, 2, f->result);
		assert_int_equal(f->result->status, STATUS_VERIFIED);
		resolver_answer(&res[0], "192.0.2.53", ANSWER_OK, &rp[0], 300, 0);
		record_resolver_view(&f->rp, ZONE, res, 1, f->result);
		assert_null(find_diag(f->result, DIAG_RESOLVER_STALE));
		resolver_answer(&res[0], "192.0.2.53", ANSWER_NODATA, NULL, 0, 30);
		record_resolver_view(&f->rp, ZONE, res, 1, f->result);
		assert_non_null(find_diag(f->result, DIAG_RESOLVER_STALE));
	}
	record_server_answers_clear(&res[0]);
	record_server_answers_clear(&res[1]);
	free(res);
}

static void test_spf_multiple(void **state)
{
	struct fixture *f = *state;
	struct expected_record spf = {PURPOSE_SPF, RECORD_TYPE_TXT, ZONE,
				      "v=spf1 include:spf.mtasv.net ~all", true};
	const struct zrr two[] = {
	    {ZONE, RECORD_TYPE_TXT, "v=spf1 include:_spf.google.com ~all"},
	    {ZONE, RECORD_TYPE_TXT, "v=spf1 include:spf.mtasv.net -all"},
	    {ZONE, RECORD_TYPE_TXT, "google-site-verification=abc"},
	};
	const struct record_diagnosis *d;

	serve_both(f, &spf, two, 3);
	record_evaluate(&spf, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_SPF_MULTIPLE);
	assert_non_null(d);
	assert_string_equal(d->arg, "@");
	assert_string_equal(d->arg2, "v=spf1 include:_spf.google.com include:spf.mtasv.net ~all");
	assert_null(find_diag(f->result, DIAG_SPF_TOO_MANY_LOOKUPS));

	/* The apex a DKIM record probes tells about SPF too. */
	{
		const struct zrr z[] = {
		    two[0],
		    two[1],
		    {DKIM_NAME, RECORD_TYPE_TXT, "k=rsa;p=" KEY},
		};
		serve_both(f, &f->dkim, z, 3);
		record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
		assert_int_equal(f->result->status, STATUS_VERIFIED);
		assert_non_null(find_diag(f->result, DIAG_SPF_MULTIPLE));
	}
}

static void test_spf_lookups(void **state)
{
	struct fixture *f = *state;
	struct expected_record spf = {PURPOSE_SPF, RECORD_TYPE_TXT, ZONE,
				      "v=spf1 include:spf.mtasv.net ~all", true};
	const struct zrr many[] = {
	    {ZONE, RECORD_TYPE_TXT,
	     "v=spf1 a mx ip4:192.0.2.0/24 include:a.example include:b.example include:c.example "
	     "include:d.example include:e.example include:f.example include:g.example "
	     "exists:%{i}.x.example include:spf.mtasv.net ~all"},
	};
	const struct record_diagnosis *d;
	char terms[512];

	assert_int_equal(record_spf_lookups("v=spf1 ip4:192.0.2.1 -all", terms, sizeof terms), 0);
	assert_string_equal(terms, "");
	assert_int_equal(
	    record_spf_lookups("v=spf1 +a/24 ?mx:x.example ptr redirect=_spf.x.example", terms,
			       sizeof terms),
	    4);
	assert_string_equal(terms, "+a/24, ?mx:x.example, ptr, redirect=_spf.x.example");
	assert_int_equal(record_spf_lookups("v=spf1 all aaaa:x mxx", NULL, 0), 0);

	serve_both(f, &spf, many, 1);
	record_evaluate(&spf, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	d = find_diag(f->result, DIAG_SPF_TOO_MANY_LOOKUPS);
	assert_non_null(d);
	assert_string_equal(d->arg, "11");
	assert_non_null(strstr(d->arg2, "include:g.example"));
}

static void test_spf_merge(void **state)
{
	const char *const recs[] = {"v=spf1 mx include:a.example -all", "v=spf1  include:a.example "
									"ip4:192.0.2.1 ~all"};
	char out[256];
	(void)state;
	record_spf_merge(recs, 2, out, sizeof out);
	assert_string_equal(out, "v=spf1 mx include:a.example ip4:192.0.2.1 -all");
	record_spf_merge(recs, 0, out, sizeof out);
	assert_string_equal(out, "v=spf1");
}

static void test_dmarc_policy(void **state)
{
	const char *const reject[] = {"v=spf1 -all", "v=DMARC1; p=reject; rua=mailto:d@x.example"};
	const char *const none[] = {"v=DMARC1; p=none"};
	const char *const sub[] = {"v=DMARC1; p=none; sp=quarantine"};
	const char *const pct0[] = {"v=DMARC1; p=reject; pct=0"};
	const char *const two[] = {"v=DMARC1; p=reject", "v=DMARC1; p=none"};
	const char *const notdmarc[] = {"p=reject; v=DMARC1"};
	char policy[16];
	struct record_diagnosis d;
	char sentence[512];
	(void)state;

	assert_int_equal(record_dmarc_check(reject, 2, false, policy, sizeof policy),
			 DMARC_VERDICT_BLOCKS);
	assert_string_equal(policy, "reject");
	assert_int_equal(record_dmarc_check(none, 1, false, policy, sizeof policy),
			 DMARC_VERDICT_MONITOR);
	assert_string_equal(policy, "none");
	assert_int_equal(record_dmarc_check(sub, 1, false, NULL, 0), DMARC_VERDICT_MONITOR);
	assert_int_equal(record_dmarc_check(sub, 1, true, policy, sizeof policy),
			 DMARC_VERDICT_BLOCKS);
	assert_string_equal(policy, "quarantine");
	assert_int_equal(record_dmarc_check(pct0, 1, false, NULL, 0), DMARC_VERDICT_MONITOR);
	assert_int_equal(record_dmarc_check(two, 2, false, NULL, 0), DMARC_VERDICT_INVALID);
	assert_int_equal(record_dmarc_check(notdmarc, 1, false, NULL, 0), DMARC_VERDICT_NONE);
	assert_int_equal(record_dmarc_check(NULL, 0, false, policy, sizeof policy),
			 DMARC_VERDICT_NONE);
	assert_string_equal(policy, "");

	record_dmarc_diagnosis("x.example", "reject", &d);
	assert_int_equal(d.code, DIAG_DMARC_POLICY_BLOCKS);
	record_diag_text(&d, NULL, sentence, sizeof sentence, NULL, 0);
	assert_non_null(strstr(sentence, "x.example"));
	assert_non_null(strstr(sentence, "p=reject"));
}

/* The key as a paste from a wrapped screen leaves it: the rows of the
 * value (width characters each) joined by sep. */
static void wrapped_key(char *out, size_t cap, const char *prefix, int width, const char *sep)
{
	const char *k = KEY;
	size_t len = strlen(k), at = 0;
	str_copy(out, cap, prefix);
	while (at < len) {
		size_t n = strlen(out);
		snprintf(out + n, cap - n, "%s%.*s", at ? sep : "", width, k + at);
		at += (size_t)width < len - at ? (size_t)width : len - at;
	}
}

/* value-whitespace: the right key with line breaks, tabs or runs of spaces
 * inside.  Line breaks make it a mismatch; tabs and runs of spaces are
 * folding RFC 6376 allows, so the record is verified but the customer is
 * told; single spaces and blanks around the key say nothing. */
static void test_value_whitespace(void **state)
{
	struct fixture *f = *state;
	const struct record_diagnosis *d;
	char value[RECORD_VALUE_MAX], sentence[1024], fix[1024];
	struct zrr z[] = {{DKIM_NAME, RECORD_TYPE_TXT, value}};

	/* What a mouse selection of the records screen gives: each row of
	 * the value, a line break and the indentation of the next row. */
	wrapped_key(value, sizeof value, "k=rsa; p=", 59, "\n           ");
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	assert_int_equal(f->result->per_server[0], STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_VALUE_WHITESPACE);
	assert_non_null(d);
	assert_string_equal(d->arg, SELECTOR "._domainkey");
	assert_string_equal(d->arg2, "line breaks, runs of spaces");
	assert_null(find_diag(f->result, DIAG_VALUE_MISMATCH));
	assert_null(find_diag(f->result, DIAG_TRUNCATED_VALUE));
	assert_string_equal(record_diag_code(d->code), "value-whitespace");
	record_diag_text(d, NULL, sentence, sizeof sentence, fix, sizeof fix);
	assert_non_null(strstr(sentence, SELECTOR "._domainkey"));
	assert_non_null(strstr(sentence, "line breaks, runs of spaces"));
	assert_non_null(strstr(fix, "one line"));

	/* Windows line ends, no indentation. */
	wrapped_key(value, sizeof value, "k=rsa;p=", 64, "\r\n");
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	d = find_diag(f->result, DIAG_VALUE_WHITESPACE);
	assert_non_null(d);
	assert_string_equal(d->arg2, "line breaks");

	/* Tabs: verified, and said. */
	wrapped_key(value, sizeof value, "k=rsa; p=", 70, "\t");
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	d = find_diag(f->result, DIAG_VALUE_WHITESPACE);
	assert_non_null(d);
	assert_string_equal(d->arg2, "tabs");

	/* Runs of spaces, where a line break became a space. */
	wrapped_key(value, sizeof value, "k=rsa; p=", 59, "            ");
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	d = find_diag(f->result, DIAG_VALUE_WHITESPACE);
	assert_non_null(d);
	assert_string_equal(d->arg2, "runs of spaces");

	/* One space between pieces, and blanks around the key: nothing. */
	wrapped_key(value, sizeof value, "k=rsa; p=  ", 64, " ");
	str_copy(value + strlen(value), sizeof value - strlen(value), " \t ; ");
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_VERIFIED);
	assert_int_equal(f->result->ndiagnoses, 0);

	/* Another key with line breaks is another key: value-mismatch. */
	snprintf(value, sizeof value, "k=rsa; p=%.60s\n  %s", OLD_KEY, &OLD_KEY[60]);
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISMATCH);
	assert_non_null(find_diag(f->result, DIAG_VALUE_MISMATCH));
	assert_null(find_diag(f->result, DIAG_VALUE_WHITESPACE));

	/* At the wrong name too: both are said. */
	wrapped_key(value, sizeof value, "k=rsa; p=", 59, "\n           ");
	z[0].owner = DKIM_NAME "." ZONE;
	serve_both(f, &f->dkim, z, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->status, STATUS_MISSING);
	assert_non_null(find_diag(f->result, DIAG_ZONE_APPENDED));
	assert_non_null(find_diag(f->result, DIAG_VALUE_WHITESPACE));

	/* A Return-Path or DMARC value never gets it. */
	{
		const struct zrr dz[] = {{"_dmarc." ZONE, RECORD_TYPE_TXT, "v=DMARC1;  p=none;\t"}};
		struct expected_record dmarc = {PURPOSE_DMARC, RECORD_TYPE_TXT, "_dmarc." ZONE,
						"v=DMARC1; p=none;", false};
		serve_both(f, &dmarc, dz, 1);
		record_evaluate(&dmarc, ZONE, f->servers, 2, f->result);
		assert_int_equal(f->result->status, STATUS_VERIFIED);
		assert_null(find_diag(f->result, DIAG_VALUE_WHITESPACE));
	}
}

/* What the details view shows per server: where a server has the record
 * when not at its name, and which of several values is the right one. */
static void test_where_and_matches(void **state)
{
	struct fixture *f = *state;
	const struct zrr appended[] = {{DKIM_NAME "." ZONE, RECORD_TYPE_TXT, "k=rsa; p=" KEY}};
	const struct zrr right[] = {{DKIM_NAME, RECORD_TYPE_TXT, "k=rsa; p=" KEY}};
	const struct zrr rp_label[] = {{"pm-bounce." ZONE, RECORD_TYPE_CNAME, "pm.mtasv.net"}};
	/* one server has it at the wrong name, the other not at all */
	serve(&f->servers[0], "ns1.host.example", &f->dkim, appended, 1);
	serve(&f->servers[1], "ns2.host.example", &f->dkim, right, 0);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_int_equal(f->result->per_server[0], STATUS_MISSING);
	assert_string_equal(f->result->where[0], DKIM_NAME "." ZONE);
	assert_string_equal(f->result->where[1], "");
	serve_both(f, &f->dkim, right, 1);
	record_evaluate(&f->dkim, ZONE, f->servers, 2, f->result);
	assert_string_equal(f->result->where[0], "");
	/* a CNAME under no wrong label the probes know is just missing */
	serve_both(f, &f->rp, rp_label, 1);
	record_evaluate(&f->rp, ZONE, f->servers, 2, f->result);
	assert_string_equal(f->result->where[0], "");

	assert_true(record_value_matches(&f->dkim, "k=rsa; p=" KEY));
	assert_true(record_value_matches(&f->dkim, "v=DKIM1; p=" KEY "; k=rsa"));
	assert_false(record_value_matches(&f->dkim, "k=rsa; p=" OLD_KEY));
	assert_false(record_value_matches(&f->dkim, "\"k=rsa; p=" KEY "\""));
	assert_false(record_value_matches(&f->dkim, NULL));
	assert_true(record_value_matches(&f->rp, "PM.mtasv.net."));
	assert_false(record_value_matches(&f->rp, "bounces.previous-esp.example"));
	{
		char broken[RECORD_VALUE_MAX];
		snprintf(broken, sizeof broken, "k=rsa; p=%.40s\n  %s", KEY, &KEY[40]);
		assert_false(record_value_matches(&f->dkim, broken));
	}
}

static void test_no_servers(void **state)
{
	struct fixture *f = *state;
	record_evaluate(&f->dkim, ZONE, f->servers, 0, f->result);
	assert_int_equal(f->result->status, STATUS_UNKNOWN);
	assert_int_equal(f->result->ndiagnoses, 0);
}

static void test_relative_label(void **state)
{
	char out[RECORD_NAME_MAX];
	(void)state;
	record_relative_label(DKIM_NAME, ZONE, out, sizeof out);
	assert_string_equal(out, SELECTOR "._domainkey");
	record_relative_label(ZONE, ZONE, out, sizeof out);
	assert_string_equal(out, "@");
	record_relative_label("pm-bounces.other.example", ZONE, out, sizeof out);
	assert_string_equal(out, "pm-bounces.other.example");
	record_relative_label("x.Customer.Example.", ZONE, out, sizeof out);
	assert_string_equal(out, "x");
	record_relative_label("badcustomer.example", ZONE, out, sizeof out);
	assert_string_equal(out, "badcustomer.example");
}

static void test_words(void **state)
{
	int i;
	(void)state;
	assert_string_equal(record_status_word(STATUS_PARTIAL), "partial");
	assert_string_equal(record_diag_code(DIAG_ZONE_APPENDED), "zone-appended");
	assert_string_equal(record_diag_code(DIAG_CNAME_FLATTENED), "cname-flattened");
	assert_string_equal(record_purpose_word(PURPOSE_RETURN_PATH), "return-path");
	assert_string_equal(record_type_word(RECORD_TYPE_CNAME), "CNAME");
	/* Every status and code has its words in assets/text/records.ini. */
	for (i = 0; i < STATUS__COUNT; i++)
		assert_true(record_status_text((enum record_status)i)[0] != '[');
	for (i = 0; i < DIAG__COUNT; i++) {
		char id[64];
		snprintf(id, sizeof id, "diag.%s", record_diag_code((enum record_diag)i));
		assert_true(text_has(id));
		snprintf(id, sizeof id, "fix.%s", record_diag_code((enum record_diag)i));
		assert_true(text_has(id));
	}
}

static void test_diag_text(void **state)
{
	struct record_diagnosis d = {DIAG_ZONE_APPENDED, SELECTOR "._domainkey",
				     DKIM_NAME "." ZONE};
	char sentence[512], fix[512], plain[512];
	(void)state;
	record_diag_text(&d, NULL, sentence, sizeof sentence, fix, sizeof fix);
	assert_non_null(strstr(sentence, DKIM_NAME "." ZONE));
	assert_non_null(strstr(fix, SELECTOR "._domainkey"));
	assert_null(strchr(fix, '{'));
	str_copy(plain, sizeof plain, fix);

	/* A host with its own wording gets it; others get the plain fix. */
	record_diag_text(&d, "godaddy", NULL, 0, fix, sizeof fix);
	assert_string_not_equal(fix, plain);
	assert_non_null(strstr(fix, "GoDaddy"));
	assert_non_null(strstr(fix, SELECTOR "._domainkey"));
	record_diag_text(&d, "hover", NULL, 0, fix, sizeof fix);
	assert_string_equal(fix, plain);

	d.code = DIAG_CNAME_FLATTENED;
	record_diag_text(&d, "cloudflare", sentence, sizeof sentence, fix, sizeof fix);
	assert_non_null(strstr(fix, "cloud"));

	/* A tiny buffer is still terminated. */
	record_diag_text(&d, "", sentence, 8, fix, 8);
	assert_int_equal(strlen(sentence), 7);
	assert_int_equal(strlen(fix), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catalog_complete),
	    cmocka_unit_test_setup_teardown(test_probes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dkim_verified, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dkim_tags_by_meaning, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dkim_cname_delegation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zone_appended, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_label, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_propagated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_value_mismatch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quoted_value, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_value, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_type, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cname_case_and_dot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cname_target_mismatch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cname_flattened, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_unreachable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_authoritative, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sanitized, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dmarc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dmarc_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolver_stale, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spf_multiple, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spf_lookups, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spf_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dmarc_policy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_servers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_value_whitespace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_where_and_matches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_relative_label, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_words, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_diag_text, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
