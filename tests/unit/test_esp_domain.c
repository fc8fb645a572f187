/* The ESP-neutral domain, end to end at the model level: the wizard, the
 * demo ESP and the demo DNS world, run the way the application runs them,
 * for a domain shaped like SendGrid's (three CNAMEs, two of them DKIM
 * keys).  The wizard is done only when every required record is in the
 * DNS and the ESP verified each one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/text.h"
#include "core/wizard.h"
#include "dns/sim.h"
#include "esp/sandbox.h"

#define DOMAIN "customer.example"

/* The customer publishes the return-path CNAME and the first DKIM key,
 * forgets the second, then adds it. */
static const char scenario[] = "[scenario]\n"
			       "title = SendGrid: two DKIM keys\n"
			       "nameservers = ns1.host.example, ns2.host.example\n"
			       "esp = sendgrid\n"
			       "[stage 0]\n"
			       "caption = Nothing yet.\n"
			       "[stage 1]\n"
			       "caption = The return path and the first key.\n"
			       "CNAME em* = ok\n"
			       "CNAME s1._domainkey = ok\n"
			       "[stage 2]\n"
			       "caption = The second key too.\n"
			       "CNAME s2._domainkey = ok\n";

struct model {
	char dir[64];
	struct wizard *w;
	struct esp *esp;
	struct dns_source *dns;
	int64_t now;
	int esp_calls, dns_calls;
};

static void esp_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct model *m = arg;
	enum wizard_request req = m->w->busy;
	m->esp_calls++;
	if (err) {
		wizard_on_error(m->w, req, err, reply->message, m->now);
		return;
	}
	wizard_on_domain(m->w, &reply->domain, m->now);
}

/* As the application does: the DNS answer goes to the wizard, and the demo
 * ESP hears what the DNS showed. */
static void dns_done(void *arg, enum bh_err err, const struct record_result *results, size_t n,
		     const char *dns_host)
{
	struct model *m = arg;
	m->dns_calls++;
	assert_int_equal(err, BH_OK);
	wizard_on_dns(m->w, results, n, dns_host, m->now);
	sandbox_set_dns_verified(m->esp, m->w->esp_domain.id, m->w->records, m->w->results,
				 m->w->nrecords);
}

/* Runs one request the wizard asks for, through the loop's deadline and
 * dispatch; false when there was nothing to do even after waiting. */
static bool model_step(struct model *m)
{
	int64_t wake = 0;
	enum wizard_request req = wizard_next_request(m->w, m->now, m->now, &wake);
	const struct source_ops *src;
	void *self;

	if (req == REQ_NONE) {
		if (!wake || wake <= m->now)
			return false;
		m->now = wake;
		req = wizard_next_request(m->w, m->now, m->now, &wake);
		if (req == REQ_NONE)
			return false;
	}
	wizard_request_started(m->w, req, m->now);
	switch (req) {
	case REQ_DOMAIN_ENSURE:
		assert_int_equal(
		    m->esp->ops->domain_ensure(m->esp, m->w->domain.ascii, esp_done, m), BH_OK);
		break;
	case REQ_DOMAIN_VERIFY:
		assert_int_equal(
		    m->esp->ops->domain_verify(m->esp, m->w->esp_domain.id, esp_done, m), BH_OK);
		break;
	case REQ_DNS_CHECK:
		assert_int_equal(m->dns->ops->check(m->dns, m->w->domain.ascii, m->w->records,
						    m->w->nrecords, dns_done, m),
				 BH_OK);
		break;
	default:
		fail_msg("unexpected request %s", wizard_request_word(req));
	}
	src = req == REQ_DNS_CHECK ? &m->dns->ops->source : &m->esp->ops->source;
	self = req == REQ_DNS_CHECK ? (void *)m->dns : (void *)m->esp;
	m->now = src->deadline(self);
	assert_true(m->now > 0);
	src->dispatch(self, NULL, 0, m->now);
	assert_int_equal(m->w->busy, REQ_NONE);
	return true;
}

/* Runs requests until the wizard is done or steps ran out. */
static void model_run(struct model *m, int steps)
{
	while (steps-- > 0 && m->w->step != STEP_DONE && model_step(m))
		;
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct model *m = xcalloc(1, sizeof *m);
	struct wizard_config cfg;
	enum sandbox_profile profile;
	enum bh_err err = BH_ERR_IO;
	char msg[256];

	setenv("BEHALF_FAKE_TIME", "1755409889", 1);
	setenv("BEHALF_DEMO_ESP_MS", "0", 1);
	setenv("BEHALF_DEMO_DNS_MS", "0", 1);
	str_copy(m->dir, sizeof m->dir, "/tmp/behalf-model-XXXXXX");
	if (!mkdtemp(m->dir))
		return -1;
	m->esp = sandbox_create(m->dir, msg, sizeof msg);
	m->dns = sim_create_text("two-dkim", scenario, &err);
	if (!m->esp || !m->dns || err != BH_OK)
		return -1;
	/* the scenario says which shape of domain the demo ESP makes */
	if (!sandbox_profile_parse(sim_esp_shape(m->dns), &profile) ||
	    profile != SANDBOX_PROFILE_SENDGRID)
		return -1;
	sandbox_set_profile(m->esp, profile);

	memset(&cfg, 0, sizeof cfg);
	str_copy(cfg.vendor_name, sizeof cfg.vendor_name, "Acme Help Desk");
	str_copy(cfg.vendor_domain, sizeof cfg.vendor_domain, "acmehelp.example");
	str_copy(cfg.esp_name, sizeof cfg.esp_name, "SendGrid");
	sandbox_longest_label(cfg.record_label_max, sizeof cfg.record_label_max);
	cfg.demo = true;
	m->w = xcalloc(1, sizeof *m->w);
	wizard_init(m->w, &cfg);
	m->now = 1000;
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct model *m = *state;
	m->esp->ops->destroy(m->esp);
	m->dns->ops->destroy(m->dns);
	rm_dir(m->dir);
	free(m->w);
	free(m);
	text_free();
	return 0;
}

/* The index in w->records of the record named name, or fails. */
static size_t record_at(const struct wizard *w, const char *name)
{
	size_t i;
	for (i = 0; i < w->nrecords; i++)
		if (strcmp(w->records[i].name, name) == 0)
			return i;
	fail_msg("no record %s", name);
	return 0;
}

static void test_two_dkim_records(void **state)
{
	struct model *m = *state;
	struct wizard *w = m->w;
	size_t s1, s2, i, dkim = 0;
	const char *em;

	wizard_choose(w, OPTION_DOMAIN, m->now);
	field_set(&w->domain_input, DOMAIN);
	assert_true(wizard_next(w, m->now));
	assert_int_equal(w->step, STEP_RECORDS);

	/* Created at the ESP: its three CNAMEs, then the wizard's DMARC. */
	model_run(m, 3);
	assert_true(w->esp_domain.exists);
	assert_int_equal(w->esp_domain.nrecords, 3);
	assert_int_equal(w->nrecords, 4);
	for (i = 0; i < w->esp_domain.nrecords; i++) {
		assert_int_equal(w->esp_domain.records[i].rec.type, RECORD_TYPE_CNAME);
		assert_true(w->esp_domain.records[i].rec.required);
		dkim += w->esp_domain.records[i].rec.purpose == PURPOSE_DKIM;
	}
	assert_int_equal(dkim, 2);
	em = w->records[0].name;
	assert_memory_equal(em, "em", 2);
	s1 = record_at(w, "s1._domainkey." DOMAIN);
	s2 = record_at(w, "s2._domainkey." DOMAIN);
	assert_int_equal(w->records[3].purpose, PURPOSE_DMARC);

	/* Stage 1: the return path and the first key are in the DNS, the
	 * second key is missing: not done, and the ESP is not asked. */
	assert_true(sim_advance(m->dns));
	wizard_check_now(w, m->now);
	model_run(m, 40);
	assert_int_equal(w->results[0].status, STATUS_VERIFIED);
	assert_int_equal(w->results[s1].status, STATUS_VERIFIED);
	assert_int_equal(w->results[s2].status, STATUS_MISSING);
	assert_false(wizard_records_verified(w));
	assert_false(resource_esp_verified(&w->esp_domain));
	assert_int_equal(w->step, STEP_RECORDS);
	assert_false(wizard_next(w, m->now)); /* Enter does not finish either */

	/* Asked now, the ESP verifies what the DNS shows: the first key, not
	 * the second.  Still not done. */
	assert_int_equal(m->esp->ops->domain_verify(m->esp, w->esp_domain.id, esp_done, m), BH_OK);
	w->busy = REQ_DOMAIN_VERIFY;
	m->now = m->esp->ops->source.deadline(m->esp);
	m->esp->ops->source.dispatch(m->esp, NULL, 0, m->now);
	assert_true(resource_find(&w->esp_domain, RECORD_TYPE_CNAME, "s1._domainkey." DOMAIN)
			->esp_verified);
	assert_false(resource_find(&w->esp_domain, RECORD_TYPE_CNAME, "s2._domainkey." DOMAIN)
			 ->esp_verified);
	assert_false(resource_esp_verified(&w->esp_domain));
	assert_int_equal(w->step, STEP_RECORDS);

	/* Stage 2: both keys: the DNS has every record, the ESP verifies them
	 * all, and the wizard is done. */
	assert_true(sim_advance(m->dns));
	wizard_check_now(w, m->now);
	model_run(m, 40);
	assert_int_equal(w->results[s2].status, STATUS_VERIFIED);
	assert_true(wizard_records_verified(w));
	assert_true(resource_esp_verified(&w->esp_domain));
	assert_int_equal(w->step, STEP_DONE);
}

/* The alias keys of today's scenarios still describe the records of a
 * purpose: "dkim = ok" publishes both keys. */
static void test_alias_names_both_keys(void **state)
{
	struct model *m = *state;
	struct wizard *w = m->w;
	enum bh_err err = BH_ERR_IO;

	m->dns->ops->destroy(m->dns);
	m->dns = sim_create_text("alias",
				 "[scenario]\n"
				 "nameservers = ns1.host.example\n"
				 "[stage 0]\n"
				 "caption = Every record of SendGrid's.\n"
				 "dkim = ok\n"
				 "return-path = ok\n",
				 &err);
	assert_non_null(m->dns);
	wizard_choose(w, OPTION_DOMAIN, m->now);
	field_set(&w->domain_input, DOMAIN);
	assert_true(wizard_next(w, m->now));
	model_run(m, 40);
	assert_int_equal(w->step, STEP_DONE);
	assert_int_equal(w->esp_domain.nrecords, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_two_dkim_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alias_names_both_keys, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
