/* The sandbox (src/esp/sandbox.c) as a backend under the contract: its
 * account is a file in a directory of its own; the DNS is what the
 * application reports (sandbox_set_dns_verified); the person's click is
 * sandbox_click.  It answers in-process, so the failures of a service
 * reached over HTTP are not applicable, each said why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "core/alloc.h"
#include "esp/sandbox.h"

static char sb_dir[] = "/tmp/behalf-contract-sb-XXXXXX";

static void sb_unlink(const char *file)
{
	char path[128];

	snprintf(path, sizeof path, "%s/%s", sb_dir, file);
	unlink(path);
}

static int sb_setup(void)
{
	/* Answers at the next dispatch, without the demo's pretend latency. */
	setenv("BEHALF_DEMO_ESP_MS", "0", 1);
	return mkdtemp(sb_dir) ? 0 : -1;
}

static void sb_reset(void)
{
	sb_unlink("sandbox-account.json");
}

static void sb_teardown(void)
{
	sb_reset();
	sb_unlink("sandbox-account.lock");
	rmdir(sb_dir);
}

static struct esp *sb_create(void)
{
	char msg[256];
	struct esp *esp = sandbox_create(sb_dir, msg, sizeof msg);

	if (!esp)
		fprintf(stderr, "sandbox_create: %s\n", msg);
	assert_non_null(esp);
	return esp;
}

static void sb_publish_dns(struct esp *esp, const struct esp_reply *domain, bool published)
{
	struct expected_record recs[RESOURCE_RECORDS_MAX];
	struct record_result *results = xcalloc(RESOURCE_RECORDS_MAX, sizeof *results);
	size_t i, n = domain->domain.nrecords;

	/* What the application reports after a DNS check: each record as the
	 * ESP described it, verified or missing. */
	for (i = 0; i < n; i++) {
		recs[i] = domain->domain.records[i].rec;
		results[i].status = published ? STATUS_VERIFIED : STATUS_MISSING;
	}
	esp->ops->dns_observed(esp, domain->domain.id, recs, results, n);
	free(results);
}

static void sb_confirm(struct esp *esp, const char *id)
{
	assert_int_equal(sandbox_click(esp, id), BH_OK);
}

static size_t sb_count(enum contract_kind kind)
{
	static const char *const lists[] = {"Domains", "SenderSignatures", "Outbox"};
	char path[128];
	json_t *root;
	size_t n;

	snprintf(path, sizeof path, "%s/sandbox-account.json", sb_dir);
	if (access(path, F_OK) != 0)
		return 0;
	root = json_load_file(path, 0, NULL);
	assert_non_null(root);
	n = json_array_size(json_object_get(root, lists[kind]));
	json_decref(root);
	return n;
}

#define IN_PROCESS                                                                                 \
	"the sandbox answers in-process from its account file: no HTTP status, no "                \
	"connection, no body to break"

const struct contract_backend contract_sandbox = {
    .name = "sandbox",
    .setup = sb_setup,
    .teardown = sb_teardown,
    .reset = sb_reset,
    .create = sb_create,
    .create_bad_credentials = NULL,
    .publish_dns = sb_publish_dns,
    .confirm_signature = sb_confirm,
    .count = sb_count,
    .inject = NULL,
    .not_applicable =
	{
	    [FAULT_BAD_CREDENTIALS] = "the sandbox has no credentials: a demo account on disk",
	    [FAULT_NOT_FOUND_404] = "no HTTP: a missing resource is always its code (510, 501)",
	    [FAULT_RATE_LIMITED] = IN_PROCESS,
	    [FAULT_SERVER_ERROR] = IN_PROCESS,
	    [FAULT_UNAVAILABLE] = IN_PROCESS,
	    [FAULT_ERROR_AFTER] = IN_PROCESS,
	    [FAULT_LOST_REPLY] = IN_PROCESS " (a session that ends before it heard the "
					    "answer is covered: the caller drops it)",
	    [FAULT_MALFORMED] = IN_PROCESS,
	    [FAULT_HIDDEN] = "each request reads the account file under a lock: a look-up "
			     "always shows what exists",
	},
    .tries = 1,
    .code_domain_not_found = 510,
    .code_signature_not_found = 501,
    .refusals =
	{
	    [REFUSE_DOMAIN_INVALID] = {516, NULL},
	    [REFUSE_SIGNATURE_FREEMAIL] = {503, NULL},
	    [REFUSE_SIGNATURE_BAD_EMAIL] = {522, NULL},
	    [REFUSE_RESEND_CONFIRMED] = {506, NULL},
	    [REFUSE_EMAIL_UNKNOWN_SENDER] = {0, "the demo sends nothing: any email is kept in "
						"its Outbox"},
	    [REFUSE_EMAIL_UNCONFIRMED] = {0, "the demo sends nothing: any email is kept in "
					     "its Outbox"},
	},
};
