/* The demo's simulated DNS world: scenarios driven stage by stage through
 * the source's deadline and dispatch, judged by core/record.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/dnshost.h"
#include "core/text.h"
#include "dns/sim.h"

#define ZONE	 "customer.example"
#define SELECTOR "20250817055129pm"
#define KEY                                                                                        \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4ESgMvdWFU7Tq/"                                    \
	"3s05mqp0LW1yZXuKPuy4ZATTvaSk2ws128JsS"                                                    \
	"ENWMJzV8T+4Nn/"                                                                           \
	"nl1ZbClPM2pV75zrR0GKleRa03X+sfjIMqcEhQBcr651+4gWLhGf06TNHGcm98ljPIyid9CnJsp"              \
	"mqSPyCOzYekDod07g5J3AdubBO+BA0wIDAQAB"

/* What the last callback reported. */
struct outcome {
	int calls;
	enum bh_err err;
	size_t n;
	struct record_result results[2];
	char host[64];
};

static struct expected_record records[2];

static void on_done(void *arg, enum bh_err err, const struct record_result *results, size_t n,
		    const char *dns_host)
{
	struct outcome *o = arg;
	o->calls++;
	o->err = err;
	o->n = n;
	memcpy(o->results, results, (n < 2 ? n : 2) * sizeof *results);
	str_copy(o->host, sizeof o->host, dns_host);
}

static int setup(void **state)
{
	(void)state;
	setenv("BEHALF_DEMO_DNS_MS", "0", 1);
	records[0].purpose = PURPOSE_DKIM;
	records[0].type = RECORD_TYPE_TXT;
	str_copy(records[0].name, sizeof records[0].name, SELECTOR "._domainkey." ZONE);
	str_copy(records[0].value, sizeof records[0].value, "k=rsa;p=" KEY);
	records[0].required = true;
	records[1].purpose = PURPOSE_RETURN_PATH;
	records[1].type = RECORD_TYPE_CNAME;
	str_copy(records[1].name, sizeof records[1].name, "pm-bounces." ZONE);
	str_copy(records[1].value, sizeof records[1].value, "pm.mtasv.net");
	records[1].required = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dnshost_free();
	text_free();
	return 0;
}

/* One check, the way the application's loop runs it. */
static struct outcome *check(struct dns_source *src)
{
	struct outcome *o = xcalloc(1, sizeof *o);
	int64_t due;
	assert_int_equal(src->ops->check(src, ZONE, records, 2, on_done, o), BH_OK);
	assert_int_equal(src->ops->check(src, ZONE, records, 2, on_done, o), BH_ERR_BUSY);
	assert_int_equal(src->ops->source.fill(src, NULL, 0), 0);
	due = src->ops->source.deadline(src);
	assert_true(due > 0);
	/* Nothing happens before the deadline. */
	src->ops->source.dispatch(src, NULL, 0, due - 1);
	assert_int_equal(o->calls, 0);
	src->ops->source.dispatch(src, NULL, 0, due);
	assert_int_equal(o->calls, 1);
	assert_int_equal(o->err, BH_OK);
	assert_int_equal(o->n, 2);
	assert_int_equal(src->ops->source.deadline(src), 0);
	return o;
}

static bool has_diag(const struct record_result *r, enum record_diag code, const char *arg)
{
	size_t i;
	for (i = 0; i < r->ndiagnoses; i++)
		if (r->diagnoses[i].code == code && (!arg || !strcmp(r->diagnoses[i].arg, arg)))
			return true;
	return false;
}

static void test_default_stages(void **state)
{
	enum bh_err err = BH_ERR_IO;
	struct dns_source *src = sim_create(NULL, &err);
	struct outcome *o;
	(void)state;
	assert_non_null(src);
	assert_int_equal(err, BH_OK);
	assert_string_equal(sim_id(src), "default");
	assert_int_equal(sim_stage_count(src), 4);
	assert_int_equal(sim_stage(src), 0);
	assert_true(sim_stage_caption(src)[0] != '\0');
	assert_true(sim_title(src)[0] != '\0');

	o = check(src);
	assert_string_equal(o->host, "godaddy");
	assert_int_equal(o->results[0].status, STATUS_MISSING);
	assert_int_equal(o->results[1].status, STATUS_MISSING);
	assert_int_equal(o->results[0].ndiagnoses, 0);
	assert_int_equal(o->results[0].nservers, 2);
	free(o);

	assert_true(sim_advance(src));
	assert_int_equal(sim_stage(src), 1);
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_MISSING);
	assert_true(has_diag(&o->results[0], DIAG_ZONE_APPENDED, SELECTOR "._domainkey"));
	assert_string_equal(o->results[0].diagnoses[0].arg2, SELECTOR "._domainkey." ZONE "." ZONE);
	assert_int_equal(o->results[1].status, STATUS_MISSING);
	free(o);

	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_PARTIAL);
	assert_int_equal(o->results[0].per_server[0], STATUS_VERIFIED);
	assert_int_equal(o->results[0].per_server[1], STATUS_MISSING);
	assert_true(has_diag(&o->results[0], DIAG_NOT_PROPAGATED, "ns52.domaincontrol.com"));
	assert_int_equal(o->results[1].status, STATUS_VERIFIED);
	assert_string_equal(o->results[1].seen[0], "pm.mtasv.net");
	free(o);

	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_VERIFIED);
	assert_int_equal(o->results[1].status, STATUS_VERIFIED);
	assert_int_equal(o->results[0].ndiagnoses, 0);
	assert_int_equal(o->results[1].ndiagnoses, 0);
	free(o);

	assert_false(sim_advance(src));
	assert_int_equal(sim_stage(src), 3);
	src->ops->destroy(src);
}

static void test_cloudflare(void **state)
{
	enum bh_err err;
	struct dns_source *src = sim_create("cf-by-hand", &err);
	struct outcome *o;
	char sentence[512], fix[512];
	(void)state;
	assert_non_null(src);
	sim_set_stage(src, 1);
	o = check(src);
	assert_string_equal(o->host, "cloudflare");
	assert_int_equal(o->results[0].status, STATUS_MISSING);
	assert_true(has_diag(&o->results[0], DIAG_WRONG_LABEL, SELECTOR "._domainkey"));
	assert_int_equal(o->results[1].status, STATUS_MISMATCH);
	assert_true(has_diag(&o->results[1], DIAG_CNAME_FLATTENED, "pm-bounces"));
	record_diag_text(&o->results[1].diagnoses[0], o->host, sentence, sizeof sentence, fix,
			 sizeof fix);
	assert_non_null(strstr(fix, "orange cloud"));
	free(o);
	sim_set_stage(src, 3);
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_VERIFIED);
	assert_int_equal(o->results[1].status, STATUS_VERIFIED);
	free(o);
	src->ops->destroy(src);
}

static void test_typos(void **state)
{
	enum bh_err err;
	struct dns_source *src = sim_create("typos", &err);
	struct outcome *o;
	(void)state;
	assert_non_null(src);
	assert_true(sim_advance(src));
	o = check(src);
	assert_string_equal(o->host, "namecheap");
	assert_true(has_diag(&o->results[0], DIAG_QUOTED_VALUE, NULL));
	assert_true(has_diag(&o->results[1], DIAG_WRONG_TYPE, "TXT"));
	free(o);
	assert_true(sim_advance(src));
	o = check(src);
	assert_true(has_diag(&o->results[0], DIAG_TRUNCATED_VALUE, NULL));
	assert_true(has_diag(&o->results[1], DIAG_CNAME_TARGET_MISMATCH, "pm.mtasv.net"));
	free(o);
	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_MISMATCH);
	assert_true(has_diag(&o->results[0], DIAG_DUPLICATE_RECORDS, NULL));
	assert_int_equal(o->results[1].status, STATUS_VERIFIED);
	free(o);
	src->ops->destroy(src);
}

/* The outage story: a listed nameserver that does not serve the zone (a
 * registrar fix), then, with it removed from the NS list, a server that
 * times out while a record is still missing (so the stage is seen). */
static void test_outage(void **state)
{
	enum bh_err err;
	struct dns_source *src = sim_create("outage", &err);
	struct outcome *o;
	char sentence[1024], fix[1024];
	size_t i;
	(void)state;
	assert_non_null(src);
	o = check(src);
	assert_string_equal(o->host, "route53");
	assert_int_equal(o->results[0].nservers, 3);
	assert_int_equal(o->results[0].status, STATUS_MISSING);
	assert_true(has_diag(&o->results[0], DIAG_NOT_AUTHORITATIVE, "ns1.oldhost.example"));
	for (i = 0; i < o->results[0].ndiagnoses; i++)
		if (o->results[0].diagnoses[i].code == DIAG_NOT_AUTHORITATIVE)
			record_diag_text(&o->results[0].diagnoses[i], o->host, sentence,
					 sizeof sentence, fix, sizeof fix);
	/* The fix is at the registrar, not "add the records at that host". */
	assert_non_null(strstr(fix, "registrar"));
	assert_non_null(strstr(fix, "remove ns1.oldhost.example"));
	free(o);
	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[0].nservers, 2);
	assert_string_equal(o->results[0].servers[1], "ns-1710.awsdns-21.co.uk");
	/* One Route 53 server does not answer: not verified yet. */
	assert_int_equal(o->results[0].status, STATUS_PARTIAL);
	assert_true(has_diag(&o->results[0], DIAG_SERVER_UNREACHABLE, "ns-1710.awsdns-21.co.uk"));
	assert_int_equal(o->results[1].status, STATUS_MISSING);
	free(o);
	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[1].status, STATUS_VERIFIED);
	free(o);
	/* Back to the start (a reset), the old nameserver is listed again. */
	sim_set_stage(src, 0);
	o = check(src);
	assert_int_equal(o->results[0].nservers, 3);
	free(o);
	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[0].nservers, 2);
	assert_int_equal(o->results[0].status, STATUS_PARTIAL);
	free(o);
	src->ops->destroy(src);
}

/* Every shipped scenario loads, and its last stage has everything in place. */
static void test_every_scenario(void **state)
{
	const char *const *ids = sim_scenarios();
	size_t n;
	(void)state;
	assert_non_null(ids[0]);
	assert_string_equal(ids[0], "default");
	for (n = 0; ids[n]; n++) {
		enum bh_err err = BH_ERR_IO;
		struct dns_source *src = sim_create(ids[n], &err);
		struct outcome *o;
		int s;
		assert_non_null(src);
		assert_int_equal(err, BH_OK);
		assert_true(sim_stage_count(src) >= 2);
		for (s = 0; s < sim_stage_count(src); s++) {
			sim_set_stage(src, s);
			assert_true(sim_stage_caption(src)[0] != '\0');
			o = check(src);
			free(o);
		}
		o = check(src);
		assert_int_equal(o->results[0].status, STATUS_VERIFIED);
		assert_int_equal(o->results[1].status, STATUS_VERIFIED);
		free(o);
		src->ops->destroy(src);
	}
	assert_true(n >= 3);
}

static void test_set_stage_and_errors(void **state)
{
	enum bh_err err = BH_OK;
	struct dns_source *src;
	(void)state;
	assert_null(sim_create("no-such-scenario", &err));
	assert_int_equal(err, BH_ERR_NOT_FOUND);
	assert_null(sim_create("../text/records", &err));
	assert_int_equal(err, BH_ERR_NOT_FOUND);
	src = sim_create("default", NULL);
	assert_non_null(src);
	sim_set_stage(src, 99);
	assert_int_equal(sim_stage(src), 3);
	sim_set_stage(src, -4);
	assert_int_equal(sim_stage(src), 0);
	sim_set_stage(src, 2);
	assert_int_equal(sim_stage(src), 2);
	/* Destroying with a check under way frees everything. */
	assert_int_equal(src->ops->check(src, ZONE, records, 2, on_done, NULL), BH_OK);
	src->ops->destroy(src);
}

/* A stage names records by type and name relative to the domain (with *
 * for any characters); such a key comes before the purpose alias, and a
 * stage that names neither keeps the state of the stage before. */
static void test_keys_by_type_and_name(void **state)
{
	enum bh_err err = BH_ERR_IO;
	struct dns_source *src;
	struct outcome *o;
	(void)state;
	src = sim_create_text("keys",
			      "[scenario]\n"
			      "nameservers = ns1.host.example, ns2.host.example\n"
			      "[stage 0]\n"
			      "caption = Quoted key, the Return-Path in place.\n"
			      "TXT *._domainkey = quoted\n"
			      "CNAME pm-bounces = ok\n"
			      "[stage 1]\n"
			      "caption = The alias says ok, the key by name says otherwise.\n"
			      "dkim = ok\n"
			      "TXT " SELECTOR "._DOMAINKEY = missing@ns2, ok\n"
			      "[stage 2]\n"
			      "caption = Nothing named: as before.\n",
			      &err);
	assert_non_null(src);
	assert_int_equal(err, BH_OK);
	assert_string_equal(sim_esp_shape(src), "");
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_MISMATCH);
	assert_true(has_diag(&o->results[0], DIAG_QUOTED_VALUE, NULL));
	assert_int_equal(o->results[1].status, STATUS_VERIFIED);
	free(o);
	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_PARTIAL);
	assert_int_equal(o->results[0].per_server[1], STATUS_MISSING);
	assert_int_equal(o->results[1].status, STATUS_VERIFIED);
	free(o);
	assert_true(sim_advance(src));
	o = check(src);
	assert_int_equal(o->results[0].status, STATUS_PARTIAL);
	free(o);
	src->ops->destroy(src);

	/* an unknown type, a name with a space, or no name is refused */
	assert_null(sim_create_text("bad",
				    "[scenario]\nnameservers = ns1.x\n[stage 0]\n"
				    "SRV _sip = ok\n",
				    &err));
	assert_int_equal(err, BH_ERR_PARSE);
	assert_null(sim_create_text("bad",
				    "[scenario]\nnameservers = ns1.x\n[stage 0]\n"
				    "TXT a b = ok\n",
				    &err));
	assert_int_equal(err, BH_ERR_PARSE);
	assert_null(sim_create_text("bad",
				    "[scenario]\nnameservers = ns1.x\n[stage 0]\n"
				    "CNAME = ok\n",
				    &err));
	assert_int_equal(err, BH_ERR_PARSE);
}

/* The round trip is simulated: the default one is over 0 ms. */
static void test_delay(void **state)
{
	struct dns_source *src;
	int64_t before;
	struct outcome o;
	(void)state;
	unsetenv("BEHALF_DEMO_DNS_MS");
	src = sim_create("default", NULL);
	before = clock_now_ms();
	memset(&o, 0, sizeof o);
	assert_int_equal(src->ops->check(src, ZONE, records, 2, on_done, &o), BH_OK);
	assert_true(src->ops->source.deadline(src) >= before + 100);
	src->ops->source.dispatch(src, NULL, 0, before);
	assert_int_equal(o.calls, 0);
	src->ops->source.dispatch(src, NULL, 0, src->ops->source.deadline(src));
	assert_int_equal(o.calls, 1);
	src->ops->destroy(src);
	setenv("BEHALF_DEMO_DNS_MS", "0", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_stages),
	    cmocka_unit_test(test_cloudflare),
	    cmocka_unit_test(test_typos),
	    cmocka_unit_test(test_outage),
	    cmocka_unit_test(test_every_scenario),
	    cmocka_unit_test(test_set_stage_and_errors),
	    cmocka_unit_test(test_keys_by_type_and_name),
	    cmocka_unit_test(test_delay),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
