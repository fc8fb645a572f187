/* Writes a state file with every saved field away from its default, with
 * the library it is linked with (V1: the build of commit 3116721, which
 * writes schema 1; otherwise today's build, schema 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/state.h"
#include "core/wizard.h"

static void set_field(struct field *fld, const char *text, size_t cursor)
{
	str_copy(fld->text, sizeof fld->text, text);
	fld->len = strlen(text);
	fld->cursor = cursor;
}

int main(int argc, char **argv)
{
	static struct wizard wz;
	struct wizard *w = &wz;
	struct wizard_config cfg = {0};
	struct state_handle *h = NULL;
	char msg[512];

	if (argc != 2)
		return 2;
	setenv("BEHALF_FAKE_TIME", "1755409889", 1);
	str_copy(cfg.customer_id, sizeof cfg.customer_id, "acme");
	str_copy(cfg.vendor_name, sizeof cfg.vendor_name, "Acme Help Desk");
	wizard_init(w, &cfg);

	/* option 1 done, then a switch to option 2: waiting for the click */
	w->step = STEP_CONFIRM;
	w->history[0] = STEP_WELCOME;
	w->history[1] = STEP_CHOOSE;
	w->history[2] = STEP_ADVISOR;
	w->history[3] = STEP_SWITCH;
	w->history[4] = STEP_ADDRESS;
	w->history_len = 5;
	w->option = OPTION_ADDRESS;
	w->choose_cursor = 3;
	w->advisor_question = 2;
	w->advisor_cursor = 1;
	w->advisor[0] = ADVISOR_YES;
	w->advisor[1] = ADVISOR_UNSURE;
	w->advisor[2] = ADVISOR_NO;

	set_field(&w->domain_input, "b\303\274cher.example", 3);
	str_copy(w->domain.ascii, sizeof w->domain.ascii, "xn--bcher-kva.example");
	str_copy(w->domain.unicode, sizeof w->domain.unicode, "b\303\274cher.example");
	w->domain.is_idn = true;

	w->esp_domain.exists = true;
	str_copy(w->esp_domain.id, sizeof w->esp_domain.id, "4242");
	str_copy(w->esp_domain.name, sizeof w->esp_domain.name, "xn--bcher-kva.example");
	str_copy(w->esp_domain.dkim_host, sizeof w->esp_domain.dkim_host,
		 "20250817055129pm._domainkey.xn--bcher-kva.example");
	str_copy(w->esp_domain.dkim_value, sizeof w->esp_domain.dkim_value,
		 "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDr4hvx");
	str_copy(w->esp_domain.return_path_host, sizeof w->esp_domain.return_path_host,
		 "pm-bounces.xn--bcher-kva.example");
	str_copy(w->esp_domain.return_path_target, sizeof w->esp_domain.return_path_target,
		 "pm.mtasv.net");
	w->esp_domain.dkim_verified = true;
	w->esp_domain.return_path_verified = false;

	w->nrecords = 2;
	w->records[0].purpose = PURPOSE_DKIM;
	w->records[0].type = RECORD_TYPE_TXT;
	str_copy(w->records[0].name, sizeof w->records[0].name, w->esp_domain.dkim_host);
	str_copy(w->records[0].value, sizeof w->records[0].value, w->esp_domain.dkim_value);
	w->records[0].required = true;
	w->records[1].purpose = PURPOSE_RETURN_PATH;
	w->records[1].type = RECORD_TYPE_CNAME;
	str_copy(w->records[1].name, sizeof w->records[1].name, "pm-bounces.xn--bcher-kva.example");
	str_copy(w->records[1].value, sizeof w->records[1].value, "pm.mtasv.net");
	w->records[1].required = false;
	w->results[0].status = STATUS_PARTIAL;
	w->results[0].nservers = 2;
	w->results[0].per_server[0] = STATUS_VERIFIED;
	w->results[0].per_server[1] = STATUS_MISSING;
	str_copy(w->results[0].seen[0], sizeof w->results[0].seen[0], "k=rsa; p=MIGf");
	w->results[0].ndiagnoses = 1;
	w->results[0].diagnoses[0].code = DIAG_NOT_PROPAGATED;
	str_copy(w->results[0].diagnoses[0].arg, sizeof w->results[0].diagnoses[0].arg,
		 "ns2.host.example");
	str_copy(w->results[0].diagnoses[0].arg2, sizeof w->results[0].diagnoses[0].arg2,
		 "k=rsa; p=OLD");
	w->results[1].status = STATUS_MISMATCH;
	w->results[1].nservers = 1;
	w->results[1].per_server[0] = STATUS_MISMATCH;
	str_copy(w->results[1].seen[0], sizeof w->results[1].seen[0], "wrong.example");
	w->records_cursor = 1;
	w->records_detail = true;
	str_copy(w->dns_host, sizeof w->dns_host, "cloudflare");
	w->checks = 7;
	w->verify_attempts = 2;

	set_field(&w->address_email, "j\303\266rg@b\303\274cher.example", 1);
	set_field(&w->address_name, "J\xc3\xb6rg \xe2\x80\x9cthe boss\xe2\x80\x9d", 0);
	w->address_focus = 1;
	str_copy(w->address_normalized, sizeof w->address_normalized,
		 "j\xc3\xb6rg@xn--bcher-kva.example");
	w->resend_wanted = true;
	str_copy(w->dmarc_domain, sizeof w->dmarc_domain, "xn--bcher-kva.example");
	w->dmarc_verdict = 2;
	str_copy(w->dmarc_policy, sizeof w->dmarc_policy, "quarantine");
	w->dmarc_ack = true;
	w->server_answer = SERVER_DECLINED;
	str_copy(w->server_id, sizeof w->server_id, "31337");
	w->signature.exists = true;
	str_copy(w->signature.id, sizeof w->signature.id, "77");
	str_copy(w->signature.email, sizeof w->signature.email, w->address_normalized);
	str_copy(w->signature.name, sizeof w->signature.name, "J\xc3\xb6rg");
	w->signature.confirmed = true;
	w->signature.created_ms = 1755409000123;
	w->signature.resent_ms = 1755409500456;

	set_field(&w->from_name, "Caf\xc3\xa9 \"Chez Nous\", Paris", 6);
	w->from_format = FROM_FORMAT_CUSTOM;
	set_field(&w->from_pattern, "{name} \xe2\x80\x94 {vendor}", 2);
	w->from_address = FROM_ADDRESS_SUBDOMAIN;
	w->from_focus = 2;

	w->switch_target = OPTION_ADDRESS;
	w->switch_then = STEP_ADDRESS;
	w->switch_confirmed = true;
	w->switch_cursor = 1;
#ifdef V1
	/* the domain kept aside; the signature in use, marked for removal */
	w->domain_kept = true;
	w->signature_kept = false;
	w->switch_remove_domain = false;
	w->switch_remove_signature = true;
#else
	w->switch_correction = true;
	str_copy(w->name_asked, sizeof w->name_asked, "J\xc3\xb6rg the boss");
	str_copy(w->dmarc_org, sizeof w->dmarc_org, "b\303\274cher.example");
	w->nresources = 3;
	w->resources[0].kind = RES_DOMAIN;
	str_copy(w->resources[0].id, sizeof w->resources[0].id, "4242");
	str_copy(w->resources[0].name, sizeof w->resources[0].name, "xn--bcher-kva.example");
	w->resources[0].fate = RES_KEPT;
	w->resources[1].kind = RES_DOMAIN;
	str_copy(w->resources[1].id, sizeof w->resources[1].id, "4241");
	str_copy(w->resources[1].name, sizeof w->resources[1].name, "typo.example");
	w->resources[1].fate = RES_REMOVED;
	w->resources[2].kind = RES_SIGNATURE;
	str_copy(w->resources[2].id, sizeof w->resources[2].id, "77");
	str_copy(w->resources[2].name, sizeof w->resources[2].name, w->address_normalized);
	w->resources[2].fate = RES_IN_USE;
	w->resources[2].remove = true;
	w->resources[2].created_ms = 1755409000123;
	w->resources[2].resent_ms = 1755409500456;
	w->export.demo_sends_ms[0] = 1755409100000;
#endif
	w->demo_stage = 3;
	w->export.sends_ms[0] = 1755409200000;
	w->export.sends_ms[1] = 1755409300000;

	if (state_open(argv[1], "acme", &h, msg, sizeof msg) != BH_OK ||
	    state_save(h, w, msg, sizeof msg) != BH_OK) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	printf("%s\n", state_path(h));
	state_close(h);
	return 0;
}
