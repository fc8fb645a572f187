/* Capabilities, not names: every backend the factory (src/app/esp_make.c)
 * makes has exactly the operations its caps promise, and the wizard never
 * offers what the ESP lacks (option 2 without sender signatures, on the
 * choose step and from the advisor; Send without sending email). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/config.h"
#include "app/esp_make.h"
#include "core/alloc.h"
#include "core/text.h"
#include "core/wizard.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/behalf-caps.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/behalf.conf", dir);
	unsetenv("POSTMARK_API_URL");
	unsetenv("POSTMARK_ACCOUNT_TOKEN");
	unsetenv("POSTMARK_SERVER_TOKEN");
	unsetenv("BEHALF_DEMO_WITHOUT");
	return 0;
}

static int teardown(void **state)
{
	char account[160];
	(void)state;
	snprintf(account, sizeof account, "%s/sandbox-account.json", dir);
	unlink(account);
	unlink(path);
	rmdir(dir);
	text_free();
	return 0;
}

/* A configuration from text, the state kept in dir. */
static void load(struct config *cfg, const char *text)
{
	char msg[512];
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (!config_load(cfg, path, msg, sizeof msg))
		fail_msg("config: %s", msg);
	str_copy(cfg->state_dir, sizeof cfg->state_dir, dir);
}

/* The operations of a capability are there exactly when it is claimed,
 * and every backend has the ones all must have. */
static void check_ops(const struct esp *esp)
{
	const struct esp_ops *e = esp->ops;
	bool sig = e->signature_ensure && e->signature_get && e->signature_resend &&
		   e->signature_delete && e->signature_update;
	bool any_sig = e->signature_ensure || e->signature_get || e->signature_resend ||
		       e->signature_delete || e->signature_update;
	assert_non_null(e->name);
	assert_non_null(e->destroy);
	assert_non_null(e->domain_ensure);
	assert_non_null(e->domain_verify);
	assert_non_null(e->domain_delete);
	assert_non_null(e->source.fill);
	assert_non_null(e->source.deadline);
	assert_non_null(e->source.dispatch);
	assert_int_equal(e->caps & ~ESP_CAP_ALL, 0);
	assert_int_equal(esp_can(esp, ESP_CAP_SIGNATURES), sig);
	assert_int_equal(esp_can(esp, ESP_CAP_SIGNATURES), any_sig);
	assert_int_equal(esp_can(esp, ESP_CAP_SEND), e->email_send != NULL);
	assert_int_equal(esp_can(esp, ESP_CAP_SERVERS), e->server_ensure != NULL);
}

static void test_factory_backends(void **state)
{
	struct config cfg;
	char msg[512];
	struct esp *esp;
	(void)state;

	/* Postmark: everything, to a loopback address (nothing is sent). */
	load(&cfg, "[esp]\nprovider = postmark\n[postmark]\napi_url = http://127.0.0.1:9\n");
	str_copy(cfg.account_token, sizeof cfg.account_token, "test-token");
	esp = esp_make(&cfg, msg, sizeof msg);
	if (!esp)
		fail_msg("postmark: %s", msg);
	check_ops(esp);
	assert_int_equal(esp->ops->caps, ESP_CAP_ALL);
	assert_null(esp->ops->pretend_click); /* the demo's operations are not Postmark's */
	assert_null(esp->ops->dns_observed);
	esp->ops->destroy(esp);

	/* The demo: no servers, so per_customer_server is ignored there. */
	load(&cfg, "[postmark]\nper_customer_server = yes\n");
	cfg.wizard.demo = true;
	esp = esp_make(&cfg, msg, sizeof msg);
	if (!esp)
		fail_msg("sandbox: %s", msg);
	check_ops(esp);
	assert_false(esp_can(esp, ESP_CAP_SERVERS));
	assert_true(esp_can(esp, ESP_CAP_SIGNATURES | ESP_CAP_SEND));
	assert_non_null(esp->ops->dns_observed);
	assert_int_equal(esp_make_caps(&cfg, esp), esp->ops->caps);
	/* BEHALF_DEMO_WITHOUT takes capabilities away from the demo only. */
	setenv("BEHALF_DEMO_WITHOUT", "signatures, send", 1);
	assert_int_equal(esp_make_caps(&cfg, esp),
			 esp->ops->caps & ~(ESP_CAP_SIGNATURES | ESP_CAP_SEND));
	cfg.wizard.demo = false;
	assert_int_equal(esp_make_caps(&cfg, esp), esp->ops->caps);
	unsetenv("BEHALF_DEMO_WITHOUT");
	esp->ops->destroy(esp);
}

static void new_wizard(struct wizard *w, unsigned lacks)
{
	struct wizard_config c;
	memset(&c, 0, sizeof c);
	str_copy(c.vendor_name, sizeof c.vendor_name, "Acme Help Desk");
	str_copy(c.vendor_domain, sizeof c.vendor_domain, "acmehelp.example");
	str_copy(c.shared_local, sizeof c.shared_local, "notifications");
	str_copy(c.esp_name, sizeof c.esp_name, "Postmark");
	str_copy(c.customer_id, sizeof c.customer_id, "jane-co");
	c.esp_lacks = lacks;
	wizard_init(w, &c);
}

/* How often the advisor recommends option over all 27 sets of answers. */
static int advisor_picks(unsigned lacks, enum wizard_option option)
{
	static const enum advisor_answer a[] = {ADVISOR_YES, ADVISOR_NO, ADVISOR_UNSURE};
	struct wizard *w = xcalloc(1, sizeof *w);
	int i, j, k, n = 0;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			for (k = 0; k < 3; k++) {
				const char *why = NULL;
				enum wizard_option pick;
				new_wizard(w, lacks);
				wizard_advisor_answer(w, a[i]);
				wizard_advisor_answer(w, a[j]);
				wizard_advisor_answer(w, a[k]);
				pick = wizard_advisor_recommend(w, &why);
				assert_true(pick > OPTION_NONE && pick < OPTION__COUNT);
				assert_true(wizard_option_offered(w, pick));
				assert_non_null(why);
				assert_string_not_equal(text_get(why), why); /* has words */
				n += pick == option;
			}
	free(w);
	return n;
}

static void test_no_signatures_no_option2(void **state)
{
	struct wizard *w = xcalloc(1, sizeof *w);
	(void)state;
	/* With signatures option 2 is offered and recommended for some ... */
	new_wizard(w, 0);
	assert_true(wizard_option_offered(w, OPTION_ADDRESS));
	assert_true(advisor_picks(0, OPTION_ADDRESS) > 0);
	wizard_choose(w, OPTION_ADDRESS, 0);
	assert_int_equal(w->step, STEP_ADDRESS);

	/* ... without, never, and picking it does nothing. */
	new_wizard(w, ESP_CAP_SIGNATURES);
	assert_false(wizard_option_offered(w, OPTION_ADDRESS));
	assert_true(wizard_option_offered(w, OPTION_DOMAIN));
	assert_true(wizard_option_offered(w, OPTION_NAME));
	assert_int_equal(advisor_picks(ESP_CAP_SIGNATURES, OPTION_ADDRESS), 0);
	w->step = STEP_CHOOSE;
	wizard_choose(w, OPTION_ADDRESS, 0);
	assert_int_equal(w->step, STEP_CHOOSE);
	assert_int_not_equal(w->option, OPTION_ADDRESS);
	w->choose_cursor = 1; /* Enter on option 2 */
	wizard_next(w, 0);
	assert_int_equal(w->step, STEP_CHOOSE);
	free(w);
}

static void test_no_send_no_send_item(void **state)
{
	struct wizard *w = xcalloc(1, sizeof *w);
	const char *why = NULL;
	(void)state;
	new_wizard(w, 0);
	assert_true(wizard_export_item_ok(w, EXPORT_ITEM_SEND, &why));
	assert_null(why);

	new_wizard(w, ESP_CAP_SEND);
	assert_false(wizard_export_item_ok(w, EXPORT_ITEM_SEND, &why));
	assert_string_equal(why, "export_dialog.why_no_send");
	/* Even asked directly, nothing is sent, and the form says why. */
	field_set(&w->export.to, "teammate@customer.example");
	field_set(&w->export.reply_to, "jane@customer.example");
	assert_false(wizard_export_send(w, 0));
	assert_false(w->export.send_wanted);
	assert_string_equal(w->export.send_error, text_get("export_dialog.why_no_send"));
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_factory_backends, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_signatures_no_option2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_send_no_send_item, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
