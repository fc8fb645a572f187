/* The broker (`behalf broker`, src/app/cmd_broker.c) in front of the
 * Postmark simulator, reached through the brokered backend
 * (src/esp/brokered.c) exactly as a session reaches it: the client holds
 * no token.  The world (DNS, confirmations, counts, faults) is the
 * Postmark backend's: faults are armed in the simulator, behind the
 * broker.  A second broker, whose configuration holds a token the
 * simulator refuses, gives the client with bad credentials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "esp/brokered.h"
#include "esp/postmark.h"

#define BR_CUSTOMER "contract"

static char br_dir[] = "/tmp/behalf-contract-br-XXXXXX";
static pid_t br_pids[2];
static char br_socks[2][108];

/* True once something accepts connections on path. */
static bool br_listening(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	str_copy(sa.sun_path, sizeof sa.sun_path, path);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Starts `behalf broker` with a configuration holding token; 0 when it
 * listens. */
static int br_start(int i, const char *token)
{
	const char *bin = getenv("BEHALF_BIN");
	char conf[160], state[160];
	int64_t end;
	FILE *f;

	if (!bin || !*bin) {
		fprintf(stderr, "BEHALF_BIN is not set\n");
		return -1;
	}
	snprintf(br_socks[i], sizeof br_socks[i], "%s/broker%d.sock", br_dir, i);
	snprintf(conf, sizeof conf, "%s/broker%d.conf", br_dir, i);
	snprintf(state, sizeof state, "%s/state%d", br_dir, i);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f,
		"[postmark]\napi_url = %s\naccount_token = %s\nserver_token = sim-server-token\n"
		"timeout_ms = 2000\nretry_base_ms = 10\n"
		"[broker]\nsocket = %s\nstate_dir = %s\nrequests_per_second = 10000\n"
		"burst = 1000\n",
		contract_postmark_url(), token, br_socks[i], state);
	fclose(f);
	chmod(conf, 0600);
	br_pids[i] = fork();
	if (br_pids[i] < 0)
		return -1;
	if (br_pids[i] == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1)
			_exit(127);
		execl(bin, bin, "broker", "--config", conf, (char *)NULL);
		_exit(127);
	}
	end = clock_now_ms() + 15000;
	while (clock_now_ms() < end) {
		if (br_listening(br_socks[i]))
			return 0;
		if (waitpid(br_pids[i], NULL, WNOHANG) == br_pids[i]) {
			br_pids[i] = 0;
			break;
		}
		usleep(10000);
	}
	fprintf(stderr, "the broker did not start\n");
	return -1;
}

static int br_setup(void)
{
	if (contract_postmark.setup() != 0 || !mkdtemp(br_dir))
		return -1;
	if (br_start(0, "sim-account-token") != 0 ||
	    br_start(1, "wrong-token-0123456789abcdef") != 0)
		return -1;
	return 0;
}

static void br_teardown(void)
{
	char cmd[256];
	int i;

	for (i = 0; i < 2; i++)
		if (br_pids[i] > 0) {
			kill(br_pids[i], SIGTERM);
			waitpid(br_pids[i], NULL, 0);
		}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", br_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", br_dir);
	contract_postmark.teardown();
}

static struct esp *br_client(int i)
{
	char msg[256];
	struct esp *esp = brokered_create(br_socks[i], BR_CUSTOMER, NULL, msg, sizeof msg);

	if (!esp)
		fprintf(stderr, "brokered_create: %s\n", msg);
	assert_non_null(esp);
	return esp;
}

static struct esp *br_create(void)
{
	return br_client(0);
}

static struct esp *br_create_bad(void)
{
	return br_client(1);
}

/* The world around the account: the simulator's, as for Postmark. */
static void br_reset(void)
{
	contract_postmark.reset();
}

static void br_publish_dns(struct esp *esp, const struct esp_reply *domain, bool published)
{
	contract_postmark.publish_dns(esp, domain, published);
}

static void br_confirm(struct esp *esp, const char *id)
{
	contract_postmark.confirm_signature(esp, id);
}

static size_t br_count(enum contract_kind kind)
{
	return contract_postmark.count(kind);
}

static bool br_inject(enum contract_fault fault, enum contract_step step, int count,
		      const char *name)
{
	return contract_postmark.inject(fault, step, count, name);
}

const struct contract_backend contract_brokered = {
    .name = "brokered",
    .setup = br_setup,
    .teardown = br_teardown,
    .reset = br_reset,
    .create = br_create,
    .create_bad_credentials = br_create_bad,
    .publish_dns = br_publish_dns,
    .confirm_signature = br_confirm,
    .count = br_count,
    .inject = br_inject,
    .not_applicable = {NULL},
    .tries = POSTMARK_TRIES, /* the broker's Postmark client: its default */
    .code_domain_not_found = 510,
    .code_signature_not_found = 501,
    .refusals =
	{
	    [REFUSE_DOMAIN_INVALID] = {516, NULL},
	    [REFUSE_SIGNATURE_FREEMAIL] = {503, NULL},
	    [REFUSE_SIGNATURE_BAD_EMAIL] = {522, NULL},
	    [REFUSE_RESEND_CONFIRMED] = {506, NULL},
	    [REFUSE_EMAIL_UNKNOWN_SENDER] = {400, NULL},
	    [REFUSE_EMAIL_UNCONFIRMED] = {401, NULL},
	},
};
