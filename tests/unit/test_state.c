/* The customer's state file: what a customer who quits and comes back
 * would notice (same step, same inputs, same ESP resources), and what an
 * operator would notice (corrupt or newer files refused with a clear
 * message and never overwritten, one session per customer, private files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/state.h"
#include "core/state_table.h"
#include "core/wizard.h"

/* A private directory for one test, removed afterwards. */
struct fixture {
	char dir[64];
	struct state_handle *h;
	struct wizard *w;
	char msg[512];
};

/* Removes dir and everything under it. */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[512];
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct wizard_config cfg = {0};

	str_copy(f->dir, sizeof f->dir, "/tmp/behalf-state-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	setenv("BEHALF_FAKE_TIME", "1755409889", 1);
	str_copy(cfg.customer_id, sizeof cfg.customer_id, "acme");
	str_copy(cfg.vendor_name, sizeof cfg.vendor_name, "Acme Help Desk");
	f->w = xmalloc(sizeof *f->w);
	wizard_init(f->w, &cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	state_close(f->h);
	rm_tree(f->dir);
	free(f->w);
	free(f);
	return 0;
}

/* Writes text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* The whole of a file (caller frees). */
static char *slurp(const char *path)
{
	struct buf b = {0};
	assert_int_equal(state_read_file(path, 1u << 22, &b), BH_OK);
	return buf_steal(&b);
}

static void set_field(struct field *fld, const char *text, size_t cursor)
{
	str_copy(fld->text, sizeof fld->text, text);
	fld->len = strlen(text);
	fld->cursor = cursor;
}

/* A wizard with every kind of persistent field filled in. */
static void fill_wizard(struct wizard *w)
{
	w->step = STEP_RECORDS;
	w->history[0] = STEP_WELCOME;
	w->history[1] = STEP_CHOOSE;
	w->history[2] = STEP_DOMAIN;
	w->history_len = 3;
	w->option = OPTION_DOMAIN;
	w->choose_cursor = 3;
	w->advisor_question = 2;
	w->advisor_cursor = 1;
	w->advisor[0] = ADVISOR_YES;
	w->advisor[1] = ADVISOR_UNSURE;
	w->advisor[2] = ADVISOR_UNANSWERED;

	/* "bücher.example", cursor after the ü (a two-byte character) */
	set_field(&w->domain_input, "b\303\274cher.example", 3);
	w->domain_input.error = INPUT_BAD_CHARACTER;
	str_copy(w->domain_input.error_detail, sizeof w->domain_input.error_detail, "x");
	str_copy(w->domain.ascii, sizeof w->domain.ascii, "xn--bcher-kva.example");
	str_copy(w->domain.unicode, sizeof w->domain.unicode, "b\303\274cher.example");
	w->domain.is_idn = true;

	w->esp_domain.exists = true;
	str_copy(w->esp_domain.id, sizeof w->esp_domain.id, "4242");
	str_copy(w->esp_domain.name, sizeof w->esp_domain.name, "xn--bcher-kva.example");
	resource_add_record(&w->esp_domain, PURPOSE_DKIM, RECORD_TYPE_TXT,
			    "20250817055129pm._domainkey.xn--bcher-kva.example",
			    "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDr4hvx", true, true);
	resource_add_record(&w->esp_domain, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME,
			    "pm-bounces.xn--bcher-kva.example", "pm.mtasv.net", true, false);
	/* an optional MX, as an ESP asks for a custom MAIL FROM */
	resource_add_record(&w->esp_domain, PURPOSE_RETURN_PATH, RECORD_TYPE_MX,
			    "bounce.xn--bcher-kva.example", "10 feedback-smtp.example", false,
			    true);

	w->nrecords = 2;
	w->records[0].purpose = PURPOSE_DKIM;
	w->records[0].type = RECORD_TYPE_TXT;
	str_copy(w->records[0].name, sizeof w->records[0].name, w->esp_domain.records[0].rec.name);
	str_copy(w->records[0].value, sizeof w->records[0].value,
		 w->esp_domain.records[0].rec.value);
	w->records[0].required = true;
	w->records[1].purpose = PURPOSE_RETURN_PATH;
	w->records[1].type = RECORD_TYPE_CNAME;
	str_copy(w->records[1].name, sizeof w->records[1].name, "pm-bounces.xn--bcher-kva.example");
	str_copy(w->records[1].value, sizeof w->records[1].value, "pm.mtasv.net");
	w->records[1].required = true;
	w->results[0].status = STATUS_PARTIAL;
	w->results[0].nservers = 2;
	w->results[0].per_server[0] = STATUS_VERIFIED;
	w->results[0].per_server[1] = STATUS_MISSING;
	str_copy(w->results[0].seen[0], sizeof w->results[0].seen[0], "k=rsa; p=MIGf");
	w->results[0].ndiagnoses = 1;
	w->results[0].diagnoses[0].code = DIAG_NOT_PROPAGATED;
	str_copy(w->results[0].diagnoses[0].arg, sizeof w->results[0].diagnoses[0].arg,
		 "ns2.host.example");
	w->results[1].status = STATUS_MISMATCH;
	w->results[1].nservers = 1;
	w->results[1].per_server[0] = STATUS_MISMATCH;
	str_copy(w->results[1].seen[0], sizeof w->results[1].seen[0], "wrong.example");
	w->records_cursor = 1;
	w->records_detail = true;
	str_copy(w->dns_host, sizeof w->dns_host, "cloudflare");
	w->records_since_ms = 123;
	w->last_check_ms = 456;
	w->next_check_ms = 999999999999;
	w->checks = 7;
	w->verify_after_ms = 999999999999;
	w->verify_attempts = 2;

	set_field(&w->address_email, "j\303\266rg@b\303\274cher.example", 1);
	set_field(&w->address_name, "J\xc3\xb6rg \xe2\x80\x9cthe boss\xe2\x80\x9d \xf0\x9f\x93\xa8",
		  0);
	w->address_focus = 1;
	str_copy(w->address_normalized, sizeof w->address_normalized,
		 "j\xc3\xb6rg@xn--bcher-kva.example");
	w->signature.exists = true;
	str_copy(w->signature.id, sizeof w->signature.id, "77");
	str_copy(w->signature.email, sizeof w->signature.email, w->address_normalized);
	str_copy(w->signature.name, sizeof w->signature.name, "J\xc3\xb6rg");
	w->signature.confirmed = false;
	w->signature.created_ms = 1755409000123;
	w->signature.resent_ms = 1755409500456;
	w->poll_after_ms = 999999999999;
	w->resend_wanted = true;

	set_field(&w->from_name, "Caf\xc3\xa9 \"Chez Nous\", Paris", 6);
	w->from_format = FROM_FORMAT_CUSTOM;
	set_field(&w->from_pattern, "{name} \xe2\x80\x94 {vendor}", 2);
	w->from_address = FROM_ADDRESS_SUBDOMAIN;
	w->from_focus = 2;

	w->switch_target = OPTION_NAME;
	w->switch_then = STEP_FROM_NAME;
	w->switch_correction = true;
	w->switch_confirmed = true;
	w->switch_cursor = 2;
	str_copy(w->name_asked, sizeof w->name_asked, "J\xc3\xb6rg the boss");
	/* every resource at the ESP: in use, kept aside, removed */
	w->nresources = 3;
	w->resources[0].kind = RES_DOMAIN;
	str_copy(w->resources[0].id, sizeof w->resources[0].id, "4242");
	str_copy(w->resources[0].name, sizeof w->resources[0].name, "xn--bcher-kva.example");
	w->resources[0].fate = RES_IN_USE;
	w->resources[0].remove = true;
	w->resources[1].kind = RES_DOMAIN;
	str_copy(w->resources[1].id, sizeof w->resources[1].id, "4241");
	str_copy(w->resources[1].name, sizeof w->resources[1].name, "typo.example");
	w->resources[1].fate = RES_REMOVED;
	w->resources[2].kind = RES_SIGNATURE;
	str_copy(w->resources[2].id, sizeof w->resources[2].id, "77");
	str_copy(w->resources[2].name, sizeof w->resources[2].name, w->address_normalized);
	w->resources[2].fate = RES_KEPT;
	w->resources[2].created_ms = 1755409000123;
	w->resources[2].resent_ms = 1755409500456;
	w->demo_stage = 3;
	/* option 2's DMARC answer and the customer's decision on it */
	str_copy(w->dmarc_domain, sizeof w->dmarc_domain, "mail.strict.example");
	w->dmarc_verdict = DMARC_VERDICT_BLOCKS;
	str_copy(w->dmarc_policy, sizeof w->dmarc_policy, "quarantine");
	str_copy(w->dmarc_org, sizeof w->dmarc_org, "strict.example");
	w->dmarc_ack = true;
	/* the own-server question, answered */
	w->server_answer = SERVER_DECLINED;
	str_copy(w->server_id, sizeof w->server_id, "31337");

	/* transient: never saved */
	w->busy = REQ_DNS_CHECK;
	w->busy_since_ms = 5;
	w->notice_kind = NOTICE_ERROR;
	str_copy(w->notice, sizeof w->notice, "something failed");
	w->failures = 3;
	w->retry_after_ms = 999999999999;
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct wizard *back = xmalloc(sizeof *back);
	struct wizard_config cfg = f->w->cfg;
	char *first, *second;
	int64_t before = clock_now_ms();

	fill_wizard(f->w);
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	first = slurp(state_path(f->h));
	assert_non_null(strstr(first, "\"schema\": 3"));
	assert_non_null(strstr(first, "\"customer\": \"acme\""));
	assert_non_null(strstr(first, "\"saved_at\": \"2025-08-17T05:51:29Z\""));
	assert_null(strstr(first, "something failed"));

	/* a new run: config from the config file, then the saved state */
	str_copy(cfg.vendor_name, sizeof cfg.vendor_name, "Renamed Vendor");
	wizard_init(back, &cfg);
	assert_int_equal(state_load(f->h, back, f->msg, sizeof f->msg), BH_OK);

	assert_string_equal(back->cfg.vendor_name, "Renamed Vendor");
	assert_int_equal(back->step, STEP_RECORDS);
	assert_int_equal(back->history_len, 3);
	assert_int_equal(back->history[2], STEP_DOMAIN);
	assert_int_equal(back->option, OPTION_DOMAIN);
	assert_int_equal(back->choose_cursor, 3);
	assert_int_equal(back->advisor_question, 2);
	assert_int_equal(back->advisor_cursor, 1);
	assert_int_equal(back->advisor[1], ADVISOR_UNSURE);

	assert_string_equal(back->domain_input.text, "b\303\274cher.example");
	assert_int_equal(back->domain_input.len, strlen("b\303\274cher.example"));
	assert_int_equal(back->domain_input.cursor, 3);
	assert_int_equal(back->domain_input.error, INPUT_OK); /* errors are not saved */
	assert_string_equal(back->domain_input.error_detail, "");
	assert_string_equal(back->domain.ascii, "xn--bcher-kva.example");
	assert_true(back->domain.is_idn);

	assert_true(back->esp_domain.exists);
	assert_string_equal(back->esp_domain.id, "4242");
	assert_int_equal(back->esp_domain.nrecords, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct resource_record *a = &back->esp_domain.records[i],
					     *b = &f->w->esp_domain.records[i];
		assert_int_equal(a->rec.purpose, b->rec.purpose);
		assert_int_equal(a->rec.type, b->rec.type);
		assert_string_equal(a->rec.name, b->rec.name);
		assert_string_equal(a->rec.value, b->rec.value);
		assert_int_equal(a->rec.required, b->rec.required);
		assert_int_equal(a->esp_verified, b->esp_verified);
	}
	assert_int_equal(back->esp_domain.records[2].rec.type, RECORD_TYPE_MX);
	assert_false(back->esp_domain.records[2].rec.required);
	assert_false(back->esp_domain.records[1].esp_verified);

	assert_int_equal(back->nrecords, 2);
	assert_int_equal(back->records[1].purpose, PURPOSE_RETURN_PATH);
	assert_int_equal(back->records[1].type, RECORD_TYPE_CNAME);
	assert_string_equal(back->records[0].value, f->w->records[0].value);
	assert_true(back->records[0].required);
	assert_int_equal(back->results[0].status, STATUS_PARTIAL);
	assert_int_equal(back->results[0].nservers, 2);
	assert_int_equal(back->results[0].per_server[1], STATUS_MISSING);
	assert_string_equal(back->results[0].seen[0], "k=rsa; p=MIGf");
	assert_int_equal(back->results[0].ndiagnoses, 1);
	assert_int_equal(back->results[0].diagnoses[0].code, DIAG_NOT_PROPAGATED);
	assert_string_equal(back->results[0].diagnoses[0].arg, "ns2.host.example");
	assert_int_equal(back->results[1].status, STATUS_MISMATCH);
	assert_string_equal(back->results[1].seen[0], "wrong.example");
	assert_int_equal(back->records_cursor, 1);
	assert_true(back->records_detail);
	assert_string_equal(back->dns_host, "cloudflare");
	assert_int_equal(back->checks, 7);
	assert_int_equal(back->verify_attempts, 2);

	/* monotonic times of the last run mean nothing: everything is due now */
	assert_true(back->next_check_ms <= clock_now_ms());
	assert_true(back->next_check_ms >= before);
	assert_true(back->verify_after_ms <= clock_now_ms());
	assert_true(back->poll_after_ms <= clock_now_ms());
	assert_int_equal(back->last_check_ms, 0);

	assert_string_equal(back->address_email.text, f->w->address_email.text);
	assert_int_equal(back->address_email.cursor, 1);
	assert_string_equal(back->address_name.text, f->w->address_name.text);
	assert_int_equal(back->address_focus, 1);
	assert_string_equal(back->address_normalized, f->w->address_normalized);
	assert_true(back->signature.exists);
	assert_string_equal(back->signature.id, "77");
	assert_string_equal(back->signature.name, "J\xc3\xb6rg");
	assert_false(back->signature.confirmed);
	assert_int_equal(back->signature.created_ms, 1755409000123);
	assert_int_equal(back->signature.resent_ms, 1755409500456);
	assert_true(back->resend_wanted);

	assert_string_equal(back->from_name.text, "Caf\xc3\xa9 \"Chez Nous\", Paris");
	assert_int_equal(back->from_name.cursor, 6);
	assert_int_equal(back->from_format, FROM_FORMAT_CUSTOM);
	assert_string_equal(back->from_pattern.text, "{name} \xe2\x80\x94 {vendor}");
	assert_int_equal(back->from_address, FROM_ADDRESS_SUBDOMAIN);
	assert_int_equal(back->from_focus, 2);

	assert_int_equal(back->switch_target, OPTION_NAME);
	assert_int_equal(back->switch_then, STEP_FROM_NAME);
	assert_true(back->switch_correction);
	assert_true(back->switch_confirmed);
	assert_int_equal(back->switch_cursor, 2);
	assert_string_equal(back->name_asked, "J\xc3\xb6rg the boss");
	/* a customer who went on despite DMARC, or declined their own server,
	 * is not asked again after a restart */
	assert_string_equal(back->dmarc_domain, "mail.strict.example");
	assert_int_equal(back->dmarc_verdict, DMARC_VERDICT_BLOCKS);
	assert_string_equal(back->dmarc_policy, "quarantine");
	assert_string_equal(back->dmarc_org, "strict.example");
	assert_true(back->dmarc_ack);
	assert_int_equal(back->server_answer, SERVER_DECLINED);
	assert_string_equal(back->server_id, "31337");
	assert_int_equal(back->nresources, 3);
	assert_int_equal(back->resources[0].kind, RES_DOMAIN);
	assert_string_equal(back->resources[0].id, "4242");
	assert_int_equal(back->resources[0].fate, RES_IN_USE);
	assert_true(back->resources[0].remove);
	assert_string_equal(back->resources[1].name, "typo.example");
	assert_int_equal(back->resources[1].fate, RES_REMOVED);
	assert_false(back->resources[1].remove);
	assert_int_equal(back->resources[2].kind, RES_SIGNATURE);
	assert_int_equal(back->resources[2].fate, RES_KEPT);
	assert_int_equal(back->resources[2].created_ms, 1755409000123);
	assert_int_equal(back->resources[2].resent_ms, 1755409500456);
	assert_int_equal(back->demo_stage, 3);

	assert_int_equal(back->busy, REQ_NONE);
	assert_int_equal(back->notice_kind, NOTICE_NONE);
	assert_string_equal(back->notice, "");
	assert_int_equal(back->failures, 0);
	assert_false(back->dirty);

	/* saving what was loaded writes the same file: nothing was lost */
	assert_int_equal(state_save(f->h, back, f->msg, sizeof f->msg), BH_OK);
	second = slurp(state_path(f->h));
	assert_string_equal(first, second);
	free(first);
	free(second);
	free(back);
}

/* The Domain Connect offer is saved with the records it was made for: a
 * resumed session and `behalf export` (which reads the saved state) have
 * the link; a file of before (no "domain_connect") loads with no offer, and
 * an unknown kind makes the file corrupt. */
static void test_domain_connect_saved(void **state)
{
	static const char url[] =
	    "https://dcc.example/v2/domainTemplates/providers/acmehelp.example/services/postmark/"
	    "apply?domain=xn--bcher-kva.example&host=&dkimselector=20250817055129pm&sig=ab%2Bc%3D"
	    "&key=_dck1";
	struct fixture *f = *state;
	struct wizard *back = xmalloc(sizeof *back);
	const struct wizard_dc *dc;
	char *text;

	fill_wizard(f->w);
	f->w->dc.kind = WIZARD_DC_APPLY;
	str_copy(f->w->dc.domain, sizeof f->w->dc.domain, "xn--bcher-kva.example");
	str_copy(f->w->dc.provider, sizeof f->w->dc.provider, "Cloudflare");
	str_copy(f->w->dc.url, sizeof f->w->dc.url, url);
	assert_non_null(wizard_dc_offer(f->w));
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	text = slurp(state_path(f->h));
	assert_non_null(strstr(text, "\"domain_connect\": {"));
	assert_non_null(strstr(text, "\"kind\": \"apply\""));
	assert_non_null(strstr(text, "\"provider\": \"Cloudflare\""));
	assert_non_null(strstr(text, url));
	free(text);

	wizard_init(back, &f->w->cfg);
	assert_int_equal(state_load(f->h, back, f->msg, sizeof f->msg), BH_OK);
	dc = wizard_dc_offer(back);
	assert_non_null(dc);
	assert_int_equal(dc->kind, WIZARD_DC_APPLY);
	assert_string_equal(dc->domain, "xn--bcher-kva.example");
	assert_string_equal(dc->provider, "Cloudflare");
	assert_string_equal(dc->url, url);
	assert_false(dc->demo);

	/* the control panel and a demo's pretend link come back as such */
	f->w->dc.kind = WIZARD_DC_CONTROL_PANEL;
	f->w->dc.demo = true;
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	wizard_init(back, &f->w->cfg);
	assert_int_equal(state_load(f->h, back, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(back->dc.kind, WIZARD_DC_CONTROL_PANEL);
	assert_true(back->dc.demo);
	text = slurp(state_path(f->h));
	assert_non_null(strstr(text, "\"kind\": \"control_panel\""));
	free(text);

	/* a file of before: no offer */
	write_file(f->dir, "acme.json",
		   "{\"schema\": 3, \"customer\": \"acme\", \"step\": \"records\","
		   "\"option\": \"domain\","
		   "\"domain\": {\"ascii\": \"old.example\", \"unicode\": \"old.example\"},"
		   "\"records\": [{\"purpose\": \"dkim\", \"type\": \"TXT\","
		   "\"name\": \"pm._domainkey.old.example\", \"value\": \"k=rsa; p=MIGf\"}]}");
	wizard_init(back, &f->w->cfg);
	assert_int_equal(state_load(f->h, back, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(back->nrecords, 1);
	assert_int_equal(back->dc.kind, WIZARD_DC_NONE);
	assert_null(wizard_dc_offer(back));

	/* a kind this build does not know: corrupt, named */
	write_file(f->dir, "acme.json",
		   "{\"schema\": 3, \"customer\": \"acme\", \"step\": \"records\","
		   "\"domain_connect\": {\"kind\": \"two-clicks\", \"url\": \"https://x\"}}");
	assert_int_equal(state_load(f->h, back, f->msg, sizeof f->msg), BH_ERR_PARSE);
	assert_non_null(strstr(f->msg, "domain_connect.kind"));
	free(back);
}

static void test_not_found_then_fresh(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_NOT_FOUND);
	assert_int_equal(f->w->step, STEP_WELCOME);
}

static void test_corrupt_is_refused_and_kept(void **state)
{
	struct fixture *f = *state;
	const char *bad = "{\"schema\": 1, \"customer\": \"acme\", \"step\": \"records\",";
	char path[256], *text;
	DIR *d;
	struct dirent *e;
	int aside = 0;

	write_file(f->dir, "acme.json", bad);
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_PARSE);
	snprintf(path, sizeof path, "%s/acme.json", f->dir);
	assert_non_null(strstr(f->msg, path));
	assert_non_null(strstr(f->msg, "corrupt"));
	assert_non_null(strstr(f->msg, "line 1"));
	assert_int_equal(f->w->step, STEP_WELCOME); /* untouched */

	/* nothing overwrote it */
	text = slurp(path);
	assert_string_equal(text, bad);
	free(text);

	/* until the caller decides to set it aside */
	assert_int_equal(state_set_aside(f->h, f->msg, sizeof f->msg), BH_OK);
	assert_non_null(strstr(f->msg, "acme.json.corrupt-20250817T055129Z"));
	assert_int_not_equal(access(path, F_OK), 0);
	d = opendir(f->dir);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "acme.json.corrupt-", 18) == 0)
			aside++;
	closedir(d);
	assert_int_equal(aside, 1);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_NOT_FOUND);
}

/* Well-formed JSON that is not a state we wrote names the key at fault. */
static void test_corrupt_values(void **state)
{
	struct fixture *f = *state;
	char big[700];

	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);

	write_file(f->dir, "acme.json",
		   "{\"schema\":1,\"customer\":\"acme\",\"step\":\"nowhere\"}");
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_PARSE);
	assert_non_null(strstr(f->msg, "\"step\""));
	assert_non_null(strstr(f->msg, "nowhere"));

	write_file(f->dir, "acme.json",
		   "{\"schema\":1,\"customer\":\"acme\",\"step\":\"domain\","
		   "\"esp_domain\":{\"exists\":\"yes\"}}");
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_PARSE);
	assert_non_null(strstr(f->msg, "esp_domain.exists"));

	/* a string longer than its field is corrupt, not cut short */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	{
		char text[1024];
		snprintf(text, sizeof text,
			 "{\"schema\":1,\"customer\":\"acme\",\"step\":\"domain\","
			 "\"domain_input\":{\"text\":\"%s\",\"cursor\":0}}",
			 big);
		write_file(f->dir, "acme.json", text);
	}
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_PARSE);
	assert_non_null(strstr(f->msg, "domain_input.text"));
	assert_non_null(strstr(f->msg, "too long"));

	/* each kind of value is checked as the table says */
	{
		static const struct {
			const char *body, *words[2];
		} bad[] = {
		    {"\"choose\":{\"cursor\":4}",
		     {"choose.cursor", "out of range (4, expected 0 to 3)"}},
		    {"\"choose\":[]", {"\"choose\"", "is not an object"}},
		    {"\"option\":\"maybe\"", {"\"option\"", "unknown value \"maybe\""}},
		    {"\"history\":[\"choose\",7]", {"\"history\"", "is not a string"}},
		    {"\"resources\":[{\"kind\":\"domain\",\"id\":\"1\"}]",
		     {"resources[0]", "lacks kind, id or name"}},
		    {"\"records\":[{\"purpose\":\"dkim\",\"type\":\"TXT\",\"name\":\"a\",\"value\":"
		     "\"b\","
		     "\"result\":{\"diagnoses\":[{\"arg\":\"x\"}]}}]",
		     {"records[0].result.diagnoses[0].code", "is missing"}},
		    {"\"records\":[{\"purpose\":\"dkim\",\"type\":\"MX?\",\"name\":\"a\",\"value\":"
		     "\"b\"}]",
		     {"records[0].type", "unknown value"}},
		    {"\"records_view\":{\"cursor\":1}", {"records_view.cursor", "expected 0 to 0"}},
		    {"\"export\":{\"sends_ms\":[0]}", {"export.sends_ms", "not a time"}},
		    {"\"export\":{\"sends_ms\":[1,2,3,4]}",
		     {"export.sends_ms", "4 entries, at most 3"}},
		    {"\"signature\":{\"created_ms\":-1}", {"signature.created_ms", "out of range"}},
		    {"\"address\":{\"dmarc_ack\":1}", {"address.dmarc_ack", "not true or false"}},
		};
		size_t i;
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			char text[1024];
			snprintf(text, sizeof text,
				 "{\"schema\":2,\"customer\":\"acme\",\"step\":\"domain\",%s}",
				 bad[i].body);
			write_file(f->dir, "acme.json", text);
			assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg),
					 BH_ERR_PARSE);
			if (!strstr(f->msg, bad[i].words[0]) || !strstr(f->msg, bad[i].words[1]))
				fail_msg("%s: %s", bad[i].body, f->msg);
		}
	}

	write_file(f->dir, "acme.json", "{\"schema\":2,\"customer\":\"acme\"}");
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_PARSE);
	assert_non_null(strstr(f->msg, "\"step\" is missing"));

	write_file(f->dir, "acme.json", "[1, 2]");
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_PARSE);
	write_file(f->dir, "acme.json", "{\"customer\":\"acme\",\"step\":\"domain\"}");
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_PARSE);
	assert_non_null(strstr(f->msg, "schema"));
	assert_int_equal(f->w->step, STEP_WELCOME);
}

static void test_newer_schema(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "acme.json",
		   "{\"schema\": 4, \"customer\": \"acme\", \"step\": \"somewhere-new\"}");
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_VERSION);
	assert_non_null(
	    strstr(f->msg, "written by a newer behalf (schema 4); this one reads up to 3"));
}

/* A file written before the domain at the ESP was a list (a DKIM and a
 * Return-Path record in fields of their own) loads into the list, with the
 * ESP's verdicts. */
static void test_esp_domain_fields_of_before(void **state)
{
	struct fixture *f = *state;
	const struct wizard_domain_res *d = &f->w->esp_domain;
	write_file(f->dir, "acme.json",
		   "{\"schema\": 2, \"customer\": \"acme\", \"step\": \"records\","
		   "\"option\": \"domain\","
		   "\"esp_domain\": {\"exists\": true, \"id\": \"12\", \"name\": \"old.example\","
		   "\"dkim_host\": \"20250817055129pm._domainkey.old.example\","
		   "\"dkim_value\": \"k=rsa; p=MIGf\","
		   "\"return_path_host\": \"pm-bounces.old.example\","
		   "\"return_path_target\": \"pm.mtasv.net\","
		   "\"dkim_verified\": true, \"return_path_verified\": false}}");
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	assert_true(d->exists);
	assert_int_equal(d->nrecords, 2);
	assert_int_equal(d->records[0].rec.purpose, PURPOSE_DKIM);
	assert_int_equal(d->records[0].rec.type, RECORD_TYPE_TXT);
	assert_string_equal(d->records[0].rec.name, "20250817055129pm._domainkey.old.example");
	assert_string_equal(d->records[0].rec.value, "k=rsa; p=MIGf");
	assert_true(d->records[0].rec.required);
	assert_true(d->records[0].esp_verified);
	assert_int_equal(d->records[1].rec.purpose, PURPOSE_RETURN_PATH);
	assert_int_equal(d->records[1].rec.type, RECORD_TYPE_CNAME);
	assert_string_equal(d->records[1].rec.name, "pm-bounces.old.example");
	assert_string_equal(d->records[1].rec.value, "pm.mtasv.net");
	assert_false(d->records[1].esp_verified);
	/* saved again: the list, none of the old fields */
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	{
		char *text = slurp(state_path(f->h));
		assert_non_null(strstr(text, "\"esp_verified\": true"));
		assert_null(strstr(text, "dkim_host"));
		free(text);
	}
}

/* A schema 1 file (one domain, one signature, each kept or not) still
 * loads: the customer comes back to the same resources, now in the list. */
static void test_schema1_resources(void **state)
{
	struct fixture *f = *state;
	write_file(
	    f->dir, "acme.json",
	    "{\"schema\": 1, \"customer\": \"acme\", \"step\": \"address\","
	    "\"option\": \"address\","
	    "\"esp_domain\": {\"exists\": true, \"id\": \"12\", \"name\": \"old.example\"},"
	    "\"signature\": {\"exists\": true, \"id\": \"34\", \"email\": \"jo@old.example\","
	    "\"name\": \"Jo\", \"created_ms\": 1755409000123},"
	    "\"switch\": {\"target\": \"address\", \"then\": \"address\","
	    "\"domain_kept\": true, \"signature_kept\": false,"
	    "\"remove_domain\": false, \"remove_signature\": false}}");
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(f->w->nresources, 2);
	assert_int_equal(f->w->resources[0].kind, RES_DOMAIN);
	assert_string_equal(f->w->resources[0].id, "12");
	assert_string_equal(f->w->resources[0].name, "old.example");
	assert_int_equal(f->w->resources[0].fate, RES_KEPT);
	assert_int_equal(f->w->resources[1].kind, RES_SIGNATURE);
	assert_string_equal(f->w->resources[1].name, "jo@old.example");
	assert_int_equal(f->w->resources[1].fate, RES_IN_USE);
	assert_int_equal(f->w->resources[1].created_ms, 1755409000123);
	/* saved again, it is a schema 3 file with the list */
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	{
		char *text = slurp(state_path(f->h));
		assert_non_null(strstr(text, "\"schema\": 3"));
		assert_non_null(strstr(text, "\"fate\": \"kept\""));
		assert_null(strstr(text, "domain_kept"));
		free(text);
	}
}

/* A file of tests/data/state (written by an earlier build) as the
 * customer's state file. */
static char *install_old_file(struct fixture *f, const char *name)
{
	char path[512], *text;
	snprintf(path, sizeof path, "%s/state/%s", BEHALF_TEST_DATA, name);
	text = slurp(path);
	write_file(f->dir, "acme.json", text);
	return text;
}

/* Whether a and b hold the same value in every saved byte. */
static bool same_saved(const struct wizard *a, const struct wizard *b, char *where, size_t cap)
{
	unsigned char *map = xmalloc(sizeof(struct wizard));
	size_t i;
	bool same = true;
	state_table_map(map);
	for (i = 0; i < sizeof(struct wizard) && same; i++)
		if (map[i] == 1 && ((const unsigned char *)a)[i] != ((const unsigned char *)b)[i]) {
			snprintf(where, cap, "byte %zu", i);
			same = false;
		}
	free(map);
	return same;
}

/* A schema 2 file of the last build before the state table (and before the
 * domain at the ESP was a list of records) loads, and is saved as schema 3
 * with the same meaning: its DKIM and Return-Path fields become the list. */
static void test_schema2_file_of_f045d97(void **state)
{
	struct fixture *f = *state;
	struct wizard *again = xmalloc(sizeof *again);
	char *old = install_old_file(f, "schema2-f045d97.json"), *text, where[64];
	const struct wizard_domain_res *d = &f->w->esp_domain;

	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	/* what the customer would find */
	assert_int_equal(f->w->step, STEP_CONFIRM);
	assert_int_equal(f->w->option, OPTION_ADDRESS);
	assert_int_equal(f->w->history_len, 5);
	assert_int_equal(f->w->history[3], STEP_SWITCH);
	assert_int_equal(f->w->advisor[2], ADVISOR_NO);
	assert_string_equal(f->w->domain_input.text, "b\303\274cher.example");
	assert_true(f->w->esp_domain.exists);
	assert_string_equal(f->w->esp_domain.id, "4242");
	assert_int_equal(f->w->nrecords, 2);
	assert_int_equal(f->w->results[0].per_server[1], STATUS_MISSING);
	assert_string_equal(f->w->results[0].diagnoses[0].arg2, "k=rsa; p=OLD");
	assert_false(f->w->records[1].required);
	assert_string_equal(f->w->dmarc_org, "b\303\274cher.example");
	assert_true(f->w->dmarc_ack);
	assert_int_equal(f->w->server_answer, SERVER_DECLINED);
	assert_true(f->w->signature.confirmed);
	assert_int_equal(f->w->nresources, 3);
	assert_int_equal(f->w->resources[0].fate, RES_KEPT);
	assert_int_equal(f->w->resources[1].fate, RES_REMOVED);
	assert_true(f->w->resources[2].remove);
	assert_true(f->w->switch_correction);
	assert_string_equal(f->w->name_asked, "J\xc3\xb6rg the boss");
	assert_int_equal(f->w->export.sends_ms[1], 1755409300000);
	assert_int_equal(f->w->export.demo_sends_ms[0], 1755409100000);

	assert_int_equal(d->nrecords, 2);
	assert_int_equal(d->records[0].rec.purpose, PURPOSE_DKIM);
	assert_string_equal(d->records[0].rec.name,
			    "20250817055129pm._domainkey.xn--bcher-kva.example");
	assert_string_equal(d->records[0].rec.value,
			    "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDr4hvx");
	assert_true(d->records[0].esp_verified);
	assert_int_equal(d->records[1].rec.purpose, PURPOSE_RETURN_PATH);
	assert_int_equal(d->records[1].rec.type, RECORD_TYPE_CNAME);

	/* upgraded: saved as schema 3 without the old fields, it loads to the
	 * same wizard */
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	text = slurp(state_path(f->h));
	assert_non_null(strstr(text, "\"schema\": 3"));
	assert_null(strstr(text, "dkim_host"));
	assert_null(strstr(text, "return_path_verified"));
	wizard_init(again, &f->w->cfg);
	assert_int_equal(state_load(f->h, again, f->msg, sizeof f->msg), BH_OK);
	if (!same_saved(f->w, again, where, sizeof where))
		fail_msg("the upgraded file differs from the schema 2 file at %s", where);
	free(text);
	free(old);
	free(again);
}

/* A schema 1 file of the last build that wrote schema 1 loads (its one
 * domain and one signature, kept aside or not, become the list of
 * resources) and is saved as schema 3 with the same meaning. */
static void test_schema1_file_of_3116721(void **state)
{
	struct fixture *f = *state;
	struct wizard *again = xmalloc(sizeof *again);
	char *old = install_old_file(f, "schema1-3116721.json"), *text, where[64];

	assert_non_null(strstr(old, "\"schema\": 1"));
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(f->w->step, STEP_CONFIRM);
	assert_int_equal(f->w->option, OPTION_ADDRESS);
	assert_int_equal(f->w->switch_target, OPTION_ADDRESS);
	assert_int_equal(f->w->switch_then, STEP_ADDRESS);
	assert_true(f->w->switch_confirmed);
	assert_int_equal(f->w->esp_domain.nrecords, 2);
	assert_string_equal(f->w->esp_domain.records[0].rec.value,
			    "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDr4hvx");
	assert_int_equal(f->w->records[0].type, RECORD_TYPE_TXT);
	assert_int_equal(f->w->results[1].status, STATUS_MISMATCH);
	assert_string_equal(f->w->address_normalized, "j\xc3\xb6rg@xn--bcher-kva.example");
	assert_int_equal(f->w->export.sends_ms[0], 1755409200000);
	/* the domain kept aside, the signature in use and marked for removal */
	assert_int_equal(f->w->nresources, 2);
	assert_int_equal(f->w->resources[0].kind, RES_DOMAIN);
	assert_string_equal(f->w->resources[0].id, "4242");
	assert_string_equal(f->w->resources[0].name, "xn--bcher-kva.example");
	assert_int_equal(f->w->resources[0].fate, RES_KEPT);
	assert_false(f->w->resources[0].remove);
	assert_int_equal(f->w->resources[1].kind, RES_SIGNATURE);
	assert_string_equal(f->w->resources[1].id, "77");
	assert_string_equal(f->w->resources[1].name, f->w->address_normalized);
	assert_int_equal(f->w->resources[1].fate, RES_IN_USE);
	assert_true(f->w->resources[1].remove);
	assert_int_equal(f->w->resources[1].created_ms, 1755409000123);
	assert_int_equal(f->w->resources[1].resent_ms, 1755409500456);

	/* upgraded: saved as schema 3, it loads to the same wizard */
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	text = slurp(state_path(f->h));
	assert_non_null(strstr(text, "\"schema\": 3"));
	assert_non_null(strstr(text, "\"resources\""));
	assert_null(strstr(text, "domain_kept"));
	assert_null(strstr(text, "remove_signature"));
	wizard_init(again, &f->w->cfg);
	assert_int_equal(state_load(f->h, again, f->msg, sizeof f->msg), BH_OK);
	if (!same_saved(f->w, again, where, sizeof where))
		fail_msg("the upgraded file differs from the schema 1 file at %s", where);
	free(text);
	free(old);
	free(again);
}

static void test_other_customer(void **state)
{
	struct fixture *f = *state;
	write_file(f->dir, "acme.json",
		   "{\"schema\": 1, \"customer\": \"globex\", \"step\": \"done\"}");
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "globex"));
}

static void test_lock(void **state)
{
	struct fixture *f = *state;
	struct state_handle *second = NULL, *other = NULL;
	pid_t pid;
	int status;

	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	/* flock locks belong to the open file description: a second open conflicts */
	assert_int_equal(state_open(f->dir, "acme", &second, f->msg, sizeof f->msg), BH_ERR_LOCKED);
	assert_null(second);
	assert_non_null(strstr(f->msg, "acme"));
	assert_non_null(strstr(f->msg, "another session"));

	/* and so does another process */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct state_handle *h = NULL;
		char msg[256];
		_exit(state_open(f->dir, "acme", &h, msg, sizeof msg) == BH_ERR_LOCKED ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* other customers are not held up */
	assert_int_equal(state_open(f->dir, "globex", &other, f->msg, sizeof f->msg), BH_OK);
	state_close(other);

	state_close(f->h);
	f->h = NULL;
	assert_int_equal(state_open(f->dir, "acme", &second, f->msg, sizeof f->msg), BH_OK);
	state_close(second);
}

/* A child process that holds acme's lock as kind as, ignoring SIGHUP when
 * told (a session stuck writing to a dead connection); returns its pid once
 * it holds the lock. */
static pid_t lock_holder(const char *dir, enum state_holder as, bool ignore_hup)
{
	int ready[2];
	char c;
	pid_t pid;
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct state_handle *h = NULL;
		char msg[256];
		close(ready[0]);
		if (ignore_hup)
			signal(SIGHUP, SIG_IGN);
		if (state_open_as(dir, "acme", as, &h, msg, sizeof msg) != BH_OK)
			_exit(3);
		(void)!write(ready[1], "x", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

/* The next SSH session of a customer takes over from the one still
 * holding the lock (a dropped connection sshd has not noticed yet): it
 * ends, and the lock is free for the newcomer. */
static void test_take_over_ssh(void **state)
{
	struct fixture *f = *state;
	struct state_handle *h = NULL;
	int status;
	pid_t pid = lock_holder(f->dir, STATE_HOLDER_SSH, false);

	assert_int_equal(state_open_as(f->dir, "acme", STATE_HOLDER_SSH, &h, f->msg, sizeof f->msg),
			 BH_ERR_LOCKED);
	assert_int_equal(state_take_over(f->dir, "acme", 5000, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGHUP); /* asked to save and leave, not killed */
	assert_int_equal(state_open_as(f->dir, "acme", STATE_HOLDER_SSH, &h, f->msg, sizeof f->msg),
			 BH_OK);
	state_close(h);
}

/* A session that does not leave on SIGHUP is killed after the wait. */
static void test_take_over_stuck(void **state)
{
	struct fixture *f = *state;
	struct state_handle *h = NULL;
	int status;
	pid_t pid = lock_holder(f->dir, STATE_HOLDER_SSH, true);

	assert_int_equal(state_take_over(f->dir, "acme", 200, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(state_open_as(f->dir, "acme", STATE_HOLDER_SSH, &h, f->msg, sizeof f->msg),
			 BH_OK);
	state_close(h);
}

/* A wizard the vendor runs locally is never ended by an SSH session, and
 * a lock file without a holder's record (an older behalf) neither. */
static void test_take_over_not_local(void **state)
{
	struct fixture *f = *state;
	struct state_handle *h = NULL;
	int status;
	pid_t pid = lock_holder(f->dir, STATE_HOLDER_LOCAL, false);

	assert_int_equal(state_take_over(f->dir, "acme", 200, f->msg, sizeof f->msg),
			 BH_ERR_LOCKED);
	assert_non_null(strstr(f->msg, "another session"));
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still running */
	assert_int_equal(state_open_as(f->dir, "acme", STATE_HOLDER_SSH, &h, f->msg, sizeof f->msg),
			 BH_ERR_LOCKED);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);

	/* the record of a (local) holder is in the file */
	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	{
		char path[128], rec[96] = "";
		long pid_seen = 0;
		FILE *lf;
		snprintf(path, sizeof path, "%s/acme.lock", f->dir);
		lf = fopen(path, "r");
		assert_non_null(lf);
		assert_non_null(fgets(rec, sizeof rec, lf));
		fclose(lf);
		assert_int_equal(sscanf(rec, "%ld", &pid_seen), 1);
		assert_int_equal(pid_seen, (long)getpid());
		assert_non_null(strstr(rec, " local"));
	}
	assert_int_equal(state_take_over(f->dir, "acme", 200, f->msg, sizeof f->msg),
			 BH_ERR_LOCKED);
	state_close(f->h);
	f->h = NULL;

	/* an older behalf: the lock held, no record in the file */
	{
		char path[128];
		int fd;
		snprintf(path, sizeof path, "%s/acme.lock", f->dir);
		fd = open(path, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(state_take_over(f->dir, "acme", 200, f->msg, sizeof f->msg),
				 BH_ERR_LOCKED);
		assert_int_equal(
		    state_open_as(f->dir, "acme", STATE_HOLDER_SSH, &h, f->msg, sizeof f->msg),
		    BH_ERR_LOCKED);
		close(fd);
	}
}

static void test_atomic_private_files(void **state)
{
	struct fixture *f = *state;
	char sub[128], path[256];
	struct stat st;
	DIR *d;
	struct dirent *e;

	/* parents are created, private */
	snprintf(sub, sizeof sub, "%s/x/y/state", f->dir);
	umask(022);
	assert_int_equal(state_open(sub, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* a stale temporary file from a crash does not matter */
	write_file(sub, "acme.json.tmp", "half a file");
	snprintf(path, sizeof path, "%s/acme.json.tmp", sub);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(state_save(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
	snprintf(path, sizeof path, "%s/acme.json", sub);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	d = opendir(sub);
	while ((e = readdir(d)) != NULL)
		assert_null(strstr(e->d_name, ".tmp"));
	closedir(d);
	assert_int_equal(state_load(f->h, f->w, f->msg, sizeof f->msg), BH_OK);
}

static void test_customer_ids(void **state)
{
	struct fixture *f = *state;
	struct state_handle *h = NULL;
	char long_id[80];
	const char *bad[] = {"", ".hidden", "..", "a/b", "../etc", "a b", "caf\xc3\xa9", "x\n"};
	size_t i;

	assert_true(state_customer_id_ok("acme"));
	assert_true(state_customer_id_ok("Acme_Corp-2.eu"));
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	assert_true(state_customer_id_ok(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	assert_false(state_customer_id_ok(long_id));
	assert_false(state_customer_id_ok(NULL));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(state_customer_id_ok(bad[i]));
		assert_int_equal(state_open(f->dir, bad[i], &h, f->msg, sizeof f->msg),
				 BH_ERR_INVALID);
		assert_null(h);
	}
}

static void test_audit(void **state)
{
	struct fixture *f = *state;
	char path[256], *text, *nl;
	json_t *line;
	json_error_t jerr;
	struct stat st;

	assert_int_equal(state_open(f->dir, "acme", &f->h, f->msg, sizeof f->msg), BH_OK);
	state_audit(f->h, "domain-created", "customer.example id 1");
	state_audit(f->h, "verified", "evil\x1b[2Jtext");
	state_audit(f->h, "removed", NULL);
	snprintf(path, sizeof path, "%s/audit.jsonl", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = slurp(path);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	line = json_loadb(text, (size_t)(nl - text), 0, &jerr);
	assert_non_null(line);
	assert_string_equal(json_string_value(json_object_get(line, "time")),
			    "2025-08-17T05:51:29Z");
	assert_string_equal(json_string_value(json_object_get(line, "customer")), "acme");
	assert_string_equal(json_string_value(json_object_get(line, "event")), "domain-created");
	assert_string_equal(json_string_value(json_object_get(line, "detail")),
			    "customer.example id 1");
	json_decref(line);
	assert_null(strchr(text, '\x1b')); /* sanitized */
	assert_null(strstr(text, "\\u001b"));
	nl = strchr(nl + 1, '\n');
	assert_non_null(nl);
	assert_non_null(strstr(nl + 1, "\"detail\":null"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_domain_connect_saved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_found_then_fresh, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_is_refused_and_kept, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_esp_domain_fields_of_before, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_schema1_resources, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_schema2_file_of_f045d97, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_schema1_file_of_3116721, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_customer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_over_ssh, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_over_stuck, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_over_not_local, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_atomic_private_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_customer_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
