/* The vendor's configuration: every value checked when read, a problem
 * reported as FILE:LINE, the key and what is wrong, the first one only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "core/text.h"

static char dir[64];
static char path[128];
static char msg[1024];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/behalf-config.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/behalf.conf", dir);
	unsetenv("POSTMARK_API_URL");
	unsetenv("POSTMARK_ACCOUNT_TOKEN");
	unsetenv("POSTMARK_SERVER_TOKEN");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	text_free();
	return 0;
}

/* Writes text (n bytes) as the config file, then loads it. */
static bool load_bytes(struct config *cfg, const char *text, size_t n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
	msg[0] = '\0';
	return config_load(cfg, path, msg, sizeof msg);
}

static bool load(struct config *cfg, const char *text)
{
	return load_bytes(cfg, text, strlen(text));
}

/* The message starts with FILE:LINE and names the key. */
static void expect_error(int line, const char *key, const char *why)
{
	char where[200];
	snprintf(where, sizeof where, "%s:%d: ", path, line);
	if (strncmp(msg, where, strlen(where)) != 0 || !strstr(msg, key) ||
	    (why && !strstr(msg, why)))
		fail_msg("message \"%s\", want \"%s\" then %s and \"%s\"", msg, where, key,
			 why ? why : "");
}

static void test_good_file(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[vendor]\n"
			       "name = Acme Help Desk\n"
			       "domain = AcmeHelp.example\n"
			       "shared_local = notifications\n"
			       "support = support@acmehelp.example\n"
			       "[postmark]\n"
			       "return_path_label = pm-bounces\n"
			       "; a long note continues on indented lines\n"
			       "signature_note = Please confirm\n"
			       "  so that Acme Help Desk\n"
			       "  can send as you.\n"
			       "per_customer_server = ask\n"
			       "[dns]\n"
			       "resolvers = 192.0.2.1, 192.0.2.2\n"));
	assert_string_equal(cfg.wizard.vendor_name, "Acme Help Desk");
	assert_string_equal(cfg.signature_note,
			    "Please confirm so that Acme Help Desk can send as you.");
	assert_string_equal(cfg.config_path, path);
}

/* [esp] provider names the ESP; one behalf does not know is refused at its
 * line, saying which ones it knows. */
static void test_esp_provider(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[vendor]\nname = Acme\n"));
	assert_string_equal(cfg.provider, "postmark");
	assert_true(
	    load(&cfg, "[esp]\nprovider = Postmark\n[postmark]\nper_customer_server = no\n"));
	assert_string_equal(cfg.provider, "Postmark");
	assert_false(load(&cfg, "[vendor]\nname = Acme\n[esp]\nprovider = sendgrid\n"));
	expect_error(4, "[esp] provider", "\"sendgrid\" is not an email provider behalf knows");
	assert_non_null(strstr(msg, "(postmark)"));
}

/* [ssh]: what an invite prints and what behalf ssh-config fills in;
 * defaults when absent, each value checked at its line. */
static void test_ssh_section(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[vendor]\nname = Acme\n"));
	assert_string_equal(cfg.ssh.host, "");
	assert_int_equal(cfg.ssh.port, 22);
	assert_string_equal(cfg.ssh.user, "behalf");
	assert_string_equal(cfg.ssh.keys_user, "behalf-keys");
	assert_int_equal(cfg.ssh.idle_minutes, 30);
	assert_int_equal(cfg.ssh.idle_seconds, 0); /* unset: idle_minutes counts */
	assert_true(load(&cfg, "[ssh]\nhost = onboard.acmehelp.example\nport = 2222\n"
			       "user = onboard\nkeys_user = onboard-keys\nidle_minutes = 10\n"));
	assert_string_equal(cfg.ssh.host, "onboard.acmehelp.example");
	assert_int_equal(cfg.ssh.port, 2222);
	assert_string_equal(cfg.ssh.user, "onboard");
	assert_string_equal(cfg.ssh.keys_user, "onboard-keys");
	assert_int_equal(cfg.ssh.idle_minutes, 10);
	assert_false(load(&cfg, "[ssh]\nport = 0\n"));
	expect_error(2, "port", "1 to 65535");
	assert_false(load(&cfg, "[ssh]\nhost = a.example\nuser = Root; rm\n"));
	expect_error(3, "user", "user name");
	assert_false(load(&cfg, "[ssh]\nhost = a b\n"));
	expect_error(2, "host", "host name");
	assert_false(load(&cfg, "[ssh]\nidle_minutes = 0\n"));
	expect_error(2, "idle_minutes", "1 to 1440");
	/* seconds, for a short wait (tests, kiosks) */
	assert_true(load(&cfg, "[ssh]\nidle_seconds = 3\n"));
	assert_int_equal(cfg.ssh.idle_seconds, 3);
	assert_false(load(&cfg, "[ssh]\nidle_seconds = 2.5\n"));
	expect_error(2, "idle_seconds", "1 to 86400");
	assert_false(load(&cfg, "[ssh]\nshell = yes\n"));
	expect_error(2, "[ssh] shell", "unknown");
}

/* [status] stuck_after: when behalf list calls a customer stuck; 24 h
 * when absent, a duration with its unit, checked at its line. */
static void test_status_section(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[vendor]\nname = Acme\n"));
	assert_int_equal(cfg.stuck_after_ms, 24LL * 3600 * 1000);
	assert_true(load(&cfg, "[status]\nstuck_after = 1d12h\n"));
	assert_int_equal(cfg.stuck_after_ms, 36LL * 3600 * 1000);
	assert_false(load(&cfg, "[status]\nstuck_after = 24\n"));
	expect_error(2, "stuck_after", "a duration such as 24h");
	assert_false(load(&cfg, "[status]\nstuck_after = 0h\n"));
	expect_error(2, "stuck_after", "a duration");
	assert_false(load(&cfg, "[status]\nstuck_before = 1h\n"));
	expect_error(2, "[status] stuck_before", "unknown");
}

/* [monitor]: behalf monitor's schedule (6 h) and domains in flight (256)
 * when absent; a duration of a second or more, a number in range. */
static void test_monitor_section(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[vendor]\nname = Acme\n"));
	assert_int_equal(cfg.monitor.interval_ms, 6LL * 3600 * 1000);
	assert_int_equal(cfg.monitor.parallel, 256);
	assert_true(load(&cfg, "[monitor]\ninterval = 90m\nparallel = 32\n"));
	assert_int_equal(cfg.monitor.interval_ms, 90LL * 60 * 1000);
	assert_int_equal(cfg.monitor.parallel, 32);
	assert_false(load(&cfg, "[monitor]\ninterval = 6\n"));
	expect_error(2, "interval", "a duration such as 6h");
	assert_false(load(&cfg, "[monitor]\nparallel = 0\n"));
	expect_error(2, "parallel", "1-512");
	assert_false(load(&cfg, "[monitor]\nparallel = 513\n"));
	expect_error(2, "parallel", "1-512");
	assert_false(load(&cfg, "[monitor]\nonce = yes\n"));
	expect_error(2, "[monitor] once", "unknown");
}

/* [domainconnect]: defaults, every key read, an unknown key refused. */
static void test_domainconnect_section(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[vendor]\nname = Acme\n"));
	assert_string_equal(cfg.dc.service_id, "postmark");
	assert_string_equal(cfg.dc.key_host, "_dck1");
	assert_string_equal(cfg.dc.provider_id, "");
	assert_true(load(&cfg, "[domainconnect]\nprovider_id = acme.example\nservice_id = mail\n"
			       "private_key_file = /etc/behalf/dc.pem\nkey_host = _k2\n"
			       "sync_pubkey_domain = keys.acme.example\ndmarc = v=DMARC1; p=none\n"
			       "logo_url = https://acme.example/l.png\ndescription = Mail\n"
			       "service_name = Acme mail\n"));
	assert_string_equal(cfg.dc.provider_id, "acme.example");
	assert_string_equal(cfg.dc.service_id, "mail");
	assert_string_equal(cfg.dc.private_key_file, "/etc/behalf/dc.pem");
	assert_string_equal(cfg.dc.key_host, "_k2");
	assert_string_equal(cfg.dc.sync_pubkey_domain, "keys.acme.example");
	assert_string_equal(cfg.dc.dmarc, "v=DMARC1; p=none");
	assert_string_equal(cfg.dc.logo_url, "https://acme.example/l.png");
	assert_string_equal(cfg.dc.description, "Mail");
	assert_string_equal(cfg.dc.service_name, "Acme mail");
	assert_false(load(&cfg, "[domainconnect]\nprivate_key = x\n"));
	expect_error(2, "[domainconnect] private_key", "unknown");
}

/* [esp] broker names the broker's socket (the session then needs no
 * token); [broker] holds the broker's own settings, numbers checked. */
static void test_broker(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[esp]\nbroker = /run/behalf/broker.sock\n"));
	assert_string_equal(cfg.broker_path, "/run/behalf/broker.sock");
	assert_int_equal(cfg.account_token[0], '\0');
	assert_true(load(&cfg, "[broker]\nsocket = /run/behalf/broker.sock\n"
			       "state_dir = /var/lib/behalf-broker\nallow_users = behalf, 1001\n"
			       "group = behalf\nrequests_per_second = 5\nburst = 10\n"));
	assert_string_equal(cfg.broker_socket, "/run/behalf/broker.sock");
	assert_string_equal(cfg.broker_state_dir, "/var/lib/behalf-broker");
	assert_string_equal(cfg.broker_allow, "behalf, 1001");
	assert_string_equal(cfg.broker_group, "behalf");
	assert_int_equal(cfg.broker_rate, 5);
	assert_int_equal(cfg.broker_burst, 10);
	assert_false(load(&cfg, "[broker]\nburst = many\n"));
	assert_non_null(strstr(msg, "burst must be a number"));
	assert_false(load(&cfg, "[broker]\nrequests_per_second = 0\n"));
	assert_false(load(&cfg, "[broker]\nport = 1\n"));
	assert_non_null(strstr(msg, "unknown setting [broker] port"));
}

/* [hooks]: where behalf deliver sends the events (docs/events.md). */
static void test_hooks_section(void **state)
{
	struct config cfg;
	(void)state;
	assert_true(load(&cfg, "[vendor]\nname = Acme\n"));
	assert_string_equal(cfg.hooks.url, "");
	assert_int_equal(cfg.hooks.timeout_ms, 10000);
	assert_int_equal(cfg.hooks.retry_first_ms, 5000);
	assert_int_equal(cfg.hooks.retry_max_ms, 3600000);
	assert_int_equal(cfg.hooks.give_up_s, 3 * 24 * 3600);
	assert_true(load(&cfg, "[hooks]\nurl = https://app.example/hooks\n"
			       "secret_file = /etc/behalf/webhook.secret\ngive_up_after = 60\n"
			       "retry_first_ms = 100\n"));
	assert_string_equal(cfg.hooks.url, "https://app.example/hooks");
	assert_string_equal(cfg.hooks.secret_file, "/etc/behalf/webhook.secret");
	assert_int_equal(cfg.hooks.give_up_s, 60);
	assert_int_equal(cfg.hooks.retry_first_ms, 100);
	assert_false(load(&cfg, "[hooks]\ntimeout_ms = soon\n"));
	expect_error(2, "timeout_ms", "must be a number");
	assert_false(load(&cfg, "[hooks]\nsecret = whsec_abc\n"));
	expect_error(2, "[hooks] secret", "unknown");
}

static void test_bad_utf8(void **state)
{
	struct config cfg;
	static const char text[] = "[vendor]\nname = Acme\n[postmark]\n"
				   "signature_note = Merci, caf\xe9 !\n";
	(void)state;
	assert_false(load_bytes(&cfg, text, sizeof text - 1));
	expect_error(4, "[postmark] signature_note", "not UTF-8 (at character 11)");
}

static void test_formula_label(void **state)
{
	struct config cfg;
	(void)state;
	assert_false(load(&cfg, "[postmark]\nreturn_path_label = =cmd|' /C calc'!A0\n"));
	expect_error(2, "[postmark] return_path_label", "letters, digits and hyphens");
	assert_false(load(&cfg, "[postmark]\nreturn_path_label = pm_bounces\n"));
	expect_error(2, "return_path_label", NULL);
	assert_true(load(&cfg, "[postmark]\nreturn_path_label = PM-Bounces2\n"));
}

static void test_shared_local(void **state)
{
	struct config cfg;
	(void)state;
	assert_false(load(&cfg, "[vendor]\nshared_local = \"x\" <x>\n"));
	expect_error(2, "[vendor] shared_local", NULL);
	assert_false(load(&cfg, "[vendor]\nshared_local = no reply\n"));
	expect_error(2, "[vendor] shared_local", NULL);
	assert_false(load(&cfg, "[vendor]\ndomain = co.uk\n"));
	expect_error(2, "[vendor] domain", "co.uk");
	assert_false(load(&cfg, "[vendor]\nname = Acme\x1b[2J\n"));
	expect_error(2, "[vendor] name", "U+001B");
}

/* libinih reads 200 bytes a line (Debian's build): a longer line is
 * refused, not cut into a value and a line of garbage. */
static void test_long_line(void **state)
{
	struct config cfg;
	char text[1024], line[400];
	(void)state;
	memset(line, 'x', 250);
	line[250] = '\0';
	snprintf(text, sizeof text, "[vendor]\nname = Acme\n[postmark]\nsignature_note = %s\n",
		 line);
	assert_false(load(&cfg, text));
	expect_error(4, "[postmark] signature_note", "longer than 197 characters");
	/* A comment too: its rest would be read as a line of its own. */
	snprintf(text, sizeof text, "[vendor]\n; %.240s name = Evil\n", line);
	assert_false(load(&cfg, text));
	expect_error(2, "[vendor] (comment)", "longer than 197 characters");
	/* The same note over continuation lines is read whole. */
	snprintf(text, sizeof text, "[postmark]\nsignature_note = %.125s\n  %.125s\n", line, line);
	assert_true(load(&cfg, text));
	assert_int_equal(strlen(cfg.signature_note), 251);
	/* Postmark keeps at most 400 characters of the note. */
	snprintf(text, sizeof text, "[postmark]\nsignature_note = %.170s\n  %.170s\n  %.170s\n",
		 line, line, line);
	assert_false(load(&cfg, text));
	expect_error(4, "[postmark] signature_note", "400");
}

static void test_first_error_wins(void **state)
{
	struct config cfg;
	(void)state;
	assert_false(load(&cfg, "[vendor]\nname = Acme\nshared_local = a<b>\n"
				"[postmark]\nreturn_path_label = -x\n"));
	expect_error(3, "shared_local", NULL);
	assert_false(load(&cfg, "[vendor]\nthis line has no equals sign\n"
				"[postmark]\nreturn_path_label = -x\n"));
	expect_error(2, "", "not a setting");
	assert_false(load(&cfg, "[vendor]\nname = Acme\n[postmark]\nnot_a_key = 1\n"));
	expect_error(4, "not_a_key", NULL);
	assert_false(load(&cfg, "[postmark]\nper_customer_server = maybe\x1b[2J\n"));
	expect_error(2, "per_customer_server", NULL);
	assert_null(strchr(msg, 0x1b));
	/* A key is quoted from the file: made safe for the terminal. */
	assert_false(load(&cfg, "[vendor]\nna\x1b]0;x\x07me = Acme\n"));
	expect_error(2, "[vendor] na?]0;x?me", NULL);
	assert_null(strchr(msg, 0x1b));
}

/* A token is never quoted back, not even in the message about it. */
static void test_tokens_and_env(void **state)
{
	struct config cfg;
	(void)state;
	assert_false(load(&cfg, "[postmark]\naccount_token = \"abc secret\"\n"));
	expect_error(2, "[postmark] account_token", NULL);
	assert_null(strstr(msg, "secret"));
	assert_true(load(&cfg, "[vendor]\nname = Acme\n"));
	setenv("POSTMARK_API_URL", "ftp://127.0.0.1/", 1);
	assert_false(config_load(&cfg, path, msg, sizeof msg));
	assert_non_null(strstr(msg, "POSTMARK_API_URL"));
	setenv("POSTMARK_API_URL", "http://127.0.0.1:8080", 1);
	setenv("POSTMARK_ACCOUNT_TOKEN", "bad token\n", 1);
	assert_false(config_load(&cfg, path, msg, sizeof msg));
	assert_non_null(strstr(msg, "POSTMARK_ACCOUNT_TOKEN"));
	assert_null(strstr(msg, "bad token"));
	setenv("POSTMARK_ACCOUNT_TOKEN", "0f2c-1e7a", 1);
	assert_true(config_load(&cfg, path, msg, sizeof msg));
	assert_string_equal(cfg.api_url, "http://127.0.0.1:8080");
	assert_true(cfg.have_account_token);
	unsetenv("POSTMARK_API_URL");
	unsetenv("POSTMARK_ACCOUNT_TOKEN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_esp_provider, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_broker, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hooks_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_utf8, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ssh_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_monitor_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_domainconnect_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_formula_label, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_local, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_first_error_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tokens_and_env, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
