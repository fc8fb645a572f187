/* The sandbox ESP of the offline demo: Postmark-shaped answers, never
 * creating anything twice (even across restarts), honest verification,
 * and answers that arrive later through the loop, never inside the call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "esp/sandbox.h"

/* What the last callback received. */
struct outcome {
	int calls;
	enum bh_err err;
	struct esp_reply reply;
};

struct fixture {
	char dir[64];
	struct esp *esp;
	struct outcome out;
	char msg[256];
};

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[512];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	str_copy(f->dir, sizeof f->dir, "/tmp/behalf-sandbox-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	setenv("BEHALF_FAKE_TIME", "1755409889", 1); /* 2025-08-17 05:51:29 UTC */
	setenv("BEHALF_DEMO_ESP_MS", "0", 1);
	f->esp = sandbox_create(f->dir, f->msg, sizeof f->msg);
	if (!f->esp)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->esp)
		f->esp->ops->destroy(f->esp);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static void on_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct outcome *o = arg;
	o->calls++;
	o->err = err;
	o->reply = *reply;
}

/* Runs the loop until the pending request completes; returns its error. */
static enum bh_err finish(struct fixture *f)
{
	const struct source_ops *src = &f->esp->ops->source;
	int64_t due;
	int calls = f->out.calls;

	due = src->deadline(f->esp);
	assert_true(due > 0);
	/* not from inside the call, nor before its time */
	src->dispatch(f->esp, NULL, 0, due - 1);
	assert_int_equal(f->out.calls, calls);
	src->dispatch(f->esp, NULL, 0, due);
	assert_int_equal(f->out.calls, calls + 1);
	assert_int_equal(src->deadline(f->esp), 0);
	return f->out.err;
}

static enum bh_err ensure_domain(struct fixture *f, const char *name)
{
	assert_int_equal(f->esp->ops->domain_ensure(f->esp, name, on_done, &f->out), BH_OK);
	return finish(f);
}

/* The first record of d with purpose p; the test fails when there is none. */
static const struct resource_record *rec_of(const struct wizard_domain_res *d,
					    enum record_purpose p)
{
	size_t i;
	for (i = 0; i < d->nrecords; i++)
		if (d->records[i].rec.purpose == p)
			return &d->records[i];
	fail_msg("no %s record", record_purpose_word(p));
	return NULL;
}

/* Tells the sandbox what a DNS check of the domain d found: the records
 * whose verified[i] is true were verified, the others missing. */
static void report_dns(struct fixture *f, const struct wizard_domain_res *d, const bool *verified)
{
	struct expected_record recs[RESOURCE_RECORDS_MAX];
	struct record_result *res = calloc(RESOURCE_RECORDS_MAX, sizeof *res);
	char id[RESOURCE_ID_MAX];
	size_t i;
	assert_non_null(res);
	for (i = 0; i < d->nrecords; i++) {
		recs[i] = d->records[i].rec;
		res[i].status = verified[i] ? STATUS_VERIFIED : STATUS_MISSING;
	}
	str_copy(id, sizeof id, d->id);
	sandbox_set_dns_verified(f->esp, id, recs, res, d->nrecords);
	free(res);
}

static enum bh_err ensure_signature(struct fixture *f, const char *email)
{
	assert_int_equal(f->esp->ops->signature_ensure(f->esp, email, "Jane Customer", "",
						       "Hi from Acme", on_done, &f->out),
			 BH_OK);
	return finish(f);
}

/* Decodes standard base64 (no whitespace); returns the length or -1. */
static int base64_decode(const char *in, unsigned char *out, size_t cap)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;
	const char *p;

	for (p = in; *p && *p != '='; p++) {
		const char *c = strchr(alphabet, *p);
		if (!c)
			return -1;
		acc = (acc << 6) | (unsigned)(c - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)n;
}

static void test_domain_shape(void **state)
{
	struct fixture *f = *state;
	const struct wizard_domain_res *d = &f->out.reply.domain;
	unsigned char der[512];
	int n;

	assert_int_equal(ensure_domain(f, "Customer.Example"), BH_OK);
	assert_true(d->exists);
	assert_string_equal(d->id, "1");
	assert_string_equal(d->name, "customer.example");
	/* Postmark's shape: a DKIM TXT, then the Return-Path CNAME */
	assert_int_equal(d->nrecords, 2);
	assert_int_equal(d->records[0].rec.purpose, PURPOSE_DKIM);
	assert_int_equal(d->records[0].rec.type, RECORD_TYPE_TXT);
	assert_true(d->records[0].rec.required);
	assert_string_equal(d->records[0].rec.name, "20250817055129pm._domainkey.customer.example");
	assert_int_equal(d->records[1].rec.purpose, PURPOSE_RETURN_PATH);
	assert_int_equal(d->records[1].rec.type, RECORD_TYPE_CNAME);
	assert_true(d->records[1].rec.required);
	assert_string_equal(d->records[1].rec.name, "pm-bounces.customer.example");
	assert_string_equal(d->records[1].rec.value, "pm.mtasv.net");
	assert_false(d->records[0].esp_verified);
	assert_false(d->records[1].esp_verified);

	/* a real 1024-bit RSA SubjectPublicKeyInfo */
	assert_memory_equal(d->records[0].rec.value, "k=rsa; p=", 9);
	n = base64_decode(d->records[0].rec.value + 9, der, sizeof der);
	assert_int_equal(n, 162);
	assert_int_equal(der[0], 0x30); /* SEQUENCE, length 0x9f */
	assert_int_equal(der[1], 0x81);
	assert_int_equal(der[2], 0x9f);
	/* rsaEncryption OID 1.2.840.113549.1.1.1 */
	assert_memory_equal(der + 5, "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 11);
}

static void test_one_at_a_time(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(f->esp->ops->domain_ensure(f->esp, "a.example", on_done, &f->out), BH_OK);
	assert_int_equal(f->out.calls, 0);
	assert_int_equal(f->esp->ops->signature_get(f->esp, "1", on_done, &f->out), BH_ERR_BUSY);
	assert_int_equal(finish(f), BH_OK);
	assert_int_equal(f->out.calls, 1);
}

static void test_ensure_never_twice(void **state)
{
	struct fixture *f = *state;
	char first[RESOURCE_ID_MAX], value[RECORD_VALUE_MAX];

	assert_int_equal(ensure_domain(f, "customer.example"), BH_OK);
	str_copy(first, sizeof first, f->out.reply.domain.id);
	str_copy(value, sizeof value, rec_of(&f->out.reply.domain, PURPOSE_DKIM)->rec.value);

	/* later, another time: same domain, same key, same selector */
	setenv("BEHALF_FAKE_TIME", "1755500000", 1);
	assert_int_equal(ensure_domain(f, "CUSTOMER.example"), BH_OK);
	assert_string_equal(f->out.reply.domain.id, first);
	assert_string_equal(rec_of(&f->out.reply.domain, PURPOSE_DKIM)->rec.value, value);
	assert_string_equal(rec_of(&f->out.reply.domain, PURPOSE_DKIM)->rec.name,
			    "20250817055129pm._domainkey.customer.example");

	/* after a restart (a new sandbox on the same directory) */
	f->esp->ops->destroy(f->esp);
	f->esp = sandbox_create(f->dir, f->msg, sizeof f->msg);
	assert_non_null(f->esp);
	assert_int_equal(ensure_domain(f, "customer.example"), BH_OK);
	assert_string_equal(f->out.reply.domain.id, first);

	/* a second domain gets the next id */
	assert_int_equal(ensure_domain(f, "other.example"), BH_OK);
	assert_string_not_equal(f->out.reply.domain.id, first);

	/* signatures too */
	assert_int_equal(ensure_signature(f, "jane@customer.example"), BH_OK);
	str_copy(first, sizeof first, f->out.reply.signature.id);
	f->esp->ops->destroy(f->esp);
	f->esp = sandbox_create(f->dir, f->msg, sizeof f->msg);
	assert_int_equal(ensure_signature(f, "Jane@Customer.Example"), BH_OK);
	assert_string_equal(f->out.reply.signature.id, first);
}

static void test_verify_follows_reported_dns(void **state)
{
	struct fixture *f = *state;
	char id[RESOURCE_ID_MAX], host[RECORD_NAME_MAX];

	const struct wizard_domain_res *d = &f->out.reply.domain;
	struct wizard_domain_res created;
	static const bool dkim_only[] = {true, false}, both[] = {true, true};

	assert_int_equal(ensure_domain(f, "customer.example"), BH_OK);
	str_copy(id, sizeof id, d->id);
	str_copy(host, sizeof host, rec_of(d, PURPOSE_DKIM)->rec.name);
	created = *d;

	/* nothing reported yet: nothing verified */
	assert_int_equal(f->esp->ops->domain_verify(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_false(rec_of(d, PURPOSE_DKIM)->esp_verified);
	assert_false(rec_of(d, PURPOSE_RETURN_PATH)->esp_verified);
	assert_false(resource_esp_verified(d));

	/* DKIM is in the DNS, the Return-Path not yet */
	report_dns(f, &created, dkim_only);
	assert_int_equal(f->esp->ops->domain_verify(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_true(rec_of(d, PURPOSE_DKIM)->esp_verified);
	assert_false(rec_of(d, PURPOSE_RETURN_PATH)->esp_verified);
	assert_false(resource_esp_verified(d));
	/* the key is now the active one, at the same host */
	assert_string_equal(rec_of(d, PURPOSE_DKIM)->rec.name, host);

	report_dns(f, &created, both);
	assert_int_equal(f->esp->ops->domain_verify(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_true(rec_of(d, PURPOSE_DKIM)->esp_verified);
	assert_true(rec_of(d, PURPOSE_RETURN_PATH)->esp_verified);
	assert_true(resource_esp_verified(d));

	/* verified stays verified after a restart */
	f->esp->ops->destroy(f->esp);
	f->esp = sandbox_create(f->dir, f->msg, sizeof f->msg);
	assert_int_equal(ensure_domain(f, "customer.example"), BH_OK);
	assert_true(rec_of(d, PURPOSE_DKIM)->esp_verified);
	assert_string_equal(rec_of(d, PURPOSE_DKIM)->rec.name, host);

	/* removal */
	assert_int_equal(f->esp->ops->domain_delete(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_non_null(strstr(f->out.reply.message, "customer.example removed"));
	assert_int_equal(f->esp->ops->domain_verify(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_ERR_NOT_FOUND);
	assert_int_equal(f->out.reply.esp_code, 510);
}

/* The SendGrid profile: three CNAMEs (a return path, two DKIM keys), each
 * verified by the ESP only once the DNS report has it; a domain made
 * before keeps its Postmark shape. */
static void test_sendgrid_profile(void **state)
{
	struct fixture *f = *state;
	const struct wizard_domain_res *d = &f->out.reply.domain;
	struct wizard_domain_res created;
	enum sandbox_profile profile = SANDBOX_PROFILE_POSTMARK;
	static const bool first_key[] = {true, true, false}, all[] = {true, true, true};
	char id[RESOURCE_ID_MAX];

	assert_int_equal(ensure_domain(f, "before.example"), BH_OK);
	assert_true(sandbox_profile_parse("SendGrid", &profile));
	assert_int_equal(profile, SANDBOX_PROFILE_SENDGRID);
	assert_false(sandbox_profile_parse("mailchimp", &profile));
	sandbox_set_profile(f->esp, profile);

	assert_int_equal(ensure_domain(f, "customer.example"), BH_OK);
	assert_int_equal(d->nrecords, 3);
	assert_int_equal(d->records[0].rec.purpose, PURPOSE_RETURN_PATH);
	assert_string_equal(d->records[0].rec.name, "em1002.customer.example");
	assert_string_equal(d->records[1].rec.name, "s1._domainkey.customer.example");
	assert_string_equal(d->records[1].rec.value, "s1.domainkey.u4000123.wl2.sendgrid.net");
	assert_string_equal(d->records[2].rec.name, "s2._domainkey.customer.example");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(d->records[i].rec.type, RECORD_TYPE_CNAME);
		assert_true(d->records[i].rec.required);
		assert_false(d->records[i].esp_verified);
	}
	assert_int_equal(d->records[2].rec.purpose, PURPOSE_DKIM);
	created = *d;
	str_copy(id, sizeof id, d->id);

	/* the first key and the return path in the DNS, the second not */
	report_dns(f, &created, first_key);
	assert_int_equal(f->esp->ops->domain_verify(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_true(d->records[1].esp_verified);
	assert_false(d->records[2].esp_verified);
	assert_false(resource_esp_verified(d));

	report_dns(f, &created, all);
	assert_int_equal(f->esp->ops->domain_verify(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_true(resource_esp_verified(d));

	/* found again after a restart, in its shape */
	f->esp->ops->destroy(f->esp);
	f->esp = sandbox_create(f->dir, f->msg, sizeof f->msg);
	assert_int_equal(ensure_domain(f, "customer.example"), BH_OK);
	assert_int_equal(d->nrecords, 3);
	assert_true(resource_esp_verified(d));
	assert_int_equal(ensure_domain(f, "before.example"), BH_OK);
	assert_int_equal(d->nrecords, 2);
	assert_int_equal(d->records[0].rec.type, RECORD_TYPE_TXT);
}

/* The demo customers of an account: the story each plays, and a reset
 * that removes one customer's resources and nobody else's. */
static void test_demo_customers_and_forget(void **state)
{
	struct fixture *f = *state;
	char scenario[64], path[128], first[RESOURCE_ID_MAX];

	assert_false(sandbox_customer_scenario(f->esp, "demo", scenario, sizeof scenario));
	assert_string_equal(scenario, "");
	assert_int_equal(
	    sandbox_forget(f->dir, "demo", scenario, sizeof scenario, f->msg, sizeof f->msg),
	    BH_ERR_NOT_FOUND);

	assert_int_equal(sandbox_customer_set(f->esp, "other", "typos", f->msg, sizeof f->msg),
			 BH_OK);
	assert_int_equal(ensure_domain(f, "other.example"), BH_OK);
	assert_int_equal(sandbox_customer_set(f->esp, "demo", "outage", f->msg, sizeof f->msg),
			 BH_OK);
	assert_int_equal(ensure_domain(f, "customer.example"), BH_OK);
	str_copy(first, sizeof first, f->out.reply.domain.id);
	assert_int_equal(ensure_signature(f, "jane@customer.example"), BH_OK);
	assert_true(sandbox_customer_scenario(f->esp, "demo", scenario, sizeof scenario));
	assert_string_equal(scenario, "outage");
	assert_true(sandbox_customer_scenario(f->esp, "other", scenario, sizeof scenario));
	assert_string_equal(scenario, "typos");

	/* "demo" is forgotten: its domain and signature go, "other"'s stay */
	assert_int_equal(
	    sandbox_forget(f->dir, "demo", scenario, sizeof scenario, f->msg, sizeof f->msg),
	    BH_OK);
	assert_string_equal(scenario, "outage");
	assert_false(sandbox_customer_scenario(f->esp, "demo", scenario, sizeof scenario));
	assert_int_equal(f->esp->ops->domain_verify(f->esp, first, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_ERR_NOT_FOUND);
	assert_true(sandbox_customer_scenario(f->esp, "other", scenario, sizeof scenario));
	assert_int_equal(sandbox_customer_set(f->esp, "other", "typos", f->msg, sizeof f->msg),
			 BH_OK);
	assert_int_equal(ensure_domain(f, "other.example"), BH_OK);
	assert_string_not_equal(f->out.reply.domain.id, first);

	/* the last demo customer gone, the pretend account goes too */
	snprintf(path, sizeof path, "%s/sandbox-account.json", f->dir);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(
	    sandbox_forget(f->dir, "other", scenario, sizeof scenario, f->msg, sizeof f->msg),
	    BH_OK);
	assert_int_not_equal(access(path, F_OK), 0);
}

static void test_signature_confirmation(void **state)
{
	struct fixture *f = *state;
	char id[RESOURCE_ID_MAX];

	assert_int_equal(ensure_signature(f, "jane@customer.example"), BH_OK);
	assert_true(f->out.reply.signature.exists);
	assert_false(f->out.reply.signature.confirmed);
	assert_string_equal(f->out.reply.signature.email, "jane@customer.example");
	assert_string_equal(f->out.reply.signature.name, "Jane Customer");
	assert_int_equal(f->out.reply.signature.created_ms, 1755409889000);
	str_copy(id, sizeof id, f->out.reply.signature.id);

	assert_int_equal(f->esp->ops->signature_resend(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_non_null(strstr(f->out.reply.message, "re-sent"));
	assert_int_equal(f->out.reply.signature.resent_ms, 1755409889000);

	/* the name changed after the email went out: Postmark's edit */
	assert_int_equal(
	    f->esp->ops->signature_update(f->esp, id, "Jane Q. Customer", on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_string_equal(f->out.reply.signature.name, "Jane Q. Customer");
	assert_int_equal(f->esp->ops->signature_update(f->esp, id, "", on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_ERR_REMOTE);
	assert_int_equal(f->out.reply.esp_code, 520);
	assert_int_equal(f->esp->ops->signature_get(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_string_equal(f->out.reply.signature.name, "Jane Q. Customer");

	/* the customer clicks the link */
	assert_int_equal(sandbox_click(f->esp, id), BH_OK);
	assert_int_equal(f->esp->ops->signature_get(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_true(f->out.reply.signature.confirmed);

	assert_int_equal(f->esp->ops->signature_resend(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_ERR_REMOTE);
	assert_int_equal(f->out.reply.esp_code, 506);

	assert_int_equal(sandbox_click(f->esp, "999"), BH_ERR_NOT_FOUND);
	assert_int_equal(f->esp->ops->signature_delete(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_OK);
	assert_int_equal(f->esp->ops->signature_get(f->esp, id, on_done, &f->out), BH_OK);
	assert_int_equal(finish(f), BH_ERR_NOT_FOUND);
	assert_int_equal(f->out.reply.esp_code, 501);
}

static void test_freemail_refused(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(ensure_signature(f, "jane.customer@gmail.com"), BH_ERR_REMOTE);
	assert_int_equal(f->out.reply.esp_code, 503);
	assert_non_null(strstr(f->out.reply.message, "public domain"));
	assert_int_equal(ensure_signature(f, "not-an-address"), BH_ERR_REMOTE);
	assert_int_equal(f->out.reply.esp_code, 522);
}

/* A note that is not UTF-8 (jansson refuses it) is reported as such, not
 * as a lack of memory. */
static void test_bad_utf8_not_out_of_memory(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(f->esp->ops->signature_ensure(f->esp, "jane@customer.example", "Jane", "",
						       "caf\xe9", on_done, &f->out),
			 BH_OK);
	assert_int_equal(finish(f), BH_ERR_INVALID);
	assert_non_null(strstr(f->out.reply.message, "UTF-8"));
	assert_null(strstr(f->out.reply.message, "memory"));
}

static void test_latency_and_corrupt_account(void **state)
{
	struct fixture *f = *state;
	struct esp *slow;
	char path[256];
	FILE *fp;
	int64_t now;

	setenv("BEHALF_DEMO_ESP_MS", "300", 1);
	slow = sandbox_create(f->dir, f->msg, sizeof f->msg);
	assert_non_null(slow);
	assert_true(sandbox_is(slow));
	now = clock_now_ms();
	assert_int_equal(slow->ops->signature_get(slow, "1", on_done, &f->out), BH_OK);
	assert_true(slow->ops->source.deadline(slow) >= now + 300);
	slow->ops->destroy(slow); /* a pending request is dropped, never answered */
	assert_int_equal(f->out.calls, 0);

	snprintf(path, sizeof path, "%s/sandbox-account.json", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\"NextID\": ", fp);
	fclose(fp);
	assert_null(sandbox_create(f->dir, f->msg, sizeof f->msg));
	assert_non_null(strstr(f->msg, "corrupt"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_domain_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_at_a_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ensure_never_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_verify_follows_reported_dns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sendgrid_profile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signature_confirmation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_demo_customers_and_forget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_freemail_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_utf8_not_out_of_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_latency_and_corrupt_account, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
