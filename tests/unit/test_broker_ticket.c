/* The broker's tickets (src/esp/broker_ticket.c): a minted ticket names its
 * customer once, never twice, not after it expired, and anything not of a
 * ticket's shape (a path, say) is refused before any file is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esp/broker_ticket.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/behalf-tickets.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_once(void **state)
{
	char t[BROKER_TICKET_LEN + 1], t2[BROKER_TICKET_LEN + 1], who[64], path[128], msg[256];
	struct stat st;
	int64_t now = 1800000000000;

	(void)state;
	assert_int_equal(broker_ticket_mint(dir, "acme", now, t, sizeof t, msg, sizeof msg), BH_OK);
	assert_int_equal(strlen(t), BROKER_TICKET_LEN);
	assert_int_equal(strspn(t, "0123456789abcdef"), BROKER_TICKET_LEN);
	snprintf(path, sizeof path, "%s/%s", dir, t);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(broker_ticket_mint(dir, "acme", now, t2, sizeof t2, msg, sizeof msg),
			 BH_OK);
	assert_string_not_equal(t, t2);
	assert_int_equal(broker_ticket_redeem(dir, t, now + 1000, who, sizeof who), BH_OK);
	assert_string_equal(who, "acme");
	assert_int_equal(broker_ticket_redeem(dir, t, now + 1000, who, sizeof who),
			 BH_ERR_NOT_FOUND);
	assert_int_not_equal(stat(path, &st), 0);
	/* expired */
	assert_int_equal(
	    broker_ticket_redeem(dir, t2, now + BROKER_TICKET_TTL_MS + 1, who, sizeof who),
	    BH_ERR_NOT_FOUND);
	assert_int_equal(broker_ticket_redeem(dir, t2, now, who, sizeof who), BH_ERR_NOT_FOUND);
}

static void test_shape(void **state)
{
	char who[64];
	(void)state;
	assert_int_equal(broker_ticket_redeem(dir, "../../etc/passwd", 0, who, sizeof who),
			 BH_ERR_INVALID);
	assert_int_equal(broker_ticket_redeem(dir, "", 0, who, sizeof who), BH_ERR_INVALID);
	assert_int_equal(broker_ticket_redeem(dir, NULL, 0, who, sizeof who), BH_ERR_INVALID);
	assert_int_equal(
	    broker_ticket_redeem(dir, "0123456789ABCDEF0123456789abcdef", 0, who, sizeof who),
	    BH_ERR_INVALID);
	assert_int_equal(
	    broker_ticket_redeem(dir, "0123456789abcdef0123456789abcdef0", 0, who, sizeof who),
	    BH_ERR_INVALID);
	assert_int_equal(
	    broker_ticket_redeem(dir, "0123456789abcdef0123456789abcdef", 0, who, sizeof who),
	    BH_ERR_NOT_FOUND);
}

/* A ticket minted by `behalf ssh-keys` names a key and an address, not a
 * customer: the customer is the broker's to find.  broker_ticket_redeem,
 * which wants a customer, refuses it (and it is spent). */
static void test_key_ticket(void **state)
{
	struct broker_ticket_info info, got;
	char t[BROKER_TICKET_LEN + 1], who[64], msg[256];
	int64_t now = 1800000000000;

	(void)state;
	memset(&info, 0, sizeof info);
	assert_int_not_equal(
	    broker_ticket_mint_info(dir, &info, now, 1000, t, sizeof t, msg, sizeof msg), BH_OK);
	snprintf(info.fingerprint, sizeof info.fingerprint, "%s", "SHA256:abc");
	snprintf(info.address, sizeof info.address, "%s", "192.0.2.7");
	assert_int_equal(
	    broker_ticket_mint_info(dir, &info, now, 1000, t, sizeof t, msg, sizeof msg), BH_OK);
	assert_int_equal(broker_ticket_take(dir, t, now + 999, &got), BH_OK);
	assert_string_equal(got.customer, "");
	assert_string_equal(got.fingerprint, "SHA256:abc");
	assert_string_equal(got.address, "192.0.2.7");
	assert_int_equal(broker_ticket_take(dir, t, now + 999, &got), BH_ERR_NOT_FOUND);
	assert_int_equal(
	    broker_ticket_mint_info(dir, &info, now, 1000, t, sizeof t, msg, sizeof msg), BH_OK);
	assert_int_equal(broker_ticket_redeem(dir, t, now, who, sizeof who), BH_ERR_NOT_FOUND);
	assert_int_equal(broker_ticket_take(dir, t, now, &got), BH_ERR_NOT_FOUND);
}

/* Pruning goes by the file's time, which is the ticket's expiry: the
 * expired go, the live stay and still redeem; a drop removes one unused. */
static void test_prune(void **state)
{
	struct broker_ticket_info info;
	char old1[BROKER_TICKET_LEN + 1], old2[BROKER_TICKET_LEN + 1], live[BROKER_TICKET_LEN + 1],
	    resume[BROKER_TICKET_LEN + 1], who[64], msg[256], path[128], other[128];
	struct stat st;
	int64_t now = 1800000000000;
	FILE *f;

	(void)state;
	memset(&info, 0, sizeof info);
	snprintf(info.fingerprint, sizeof info.fingerprint, "%s", "SHA256:k");
	assert_int_equal(broker_ticket_mint_info(dir, &info, now - 200000, BROKER_TICKET_TTL_MS,
						 old1, sizeof old1, msg, sizeof msg),
			 BH_OK);
	assert_int_equal(broker_ticket_mint_info(dir, &info, now - 121000, BROKER_TICKET_TTL_MS,
						 old2, sizeof old2, msg, sizeof msg),
			 BH_OK);
	assert_int_equal(broker_ticket_mint_info(dir, &info, now, BROKER_TICKET_TTL_MS, live,
						 sizeof live, msg, sizeof msg),
			 BH_OK);
	snprintf(info.customer, sizeof info.customer, "%s", "acme");
	assert_int_equal(broker_ticket_mint_info(dir, &info, now - 200000, BROKER_TICKET_RESUME_MS,
						 resume, sizeof resume, msg, sizeof msg),
			 BH_OK);
	snprintf(path, sizeof path, "%s/%s", dir, live);
	assert_int_equal(stat(path, &st), 0);
	assert_true((int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000 ==
		    now + BROKER_TICKET_TTL_MS);
	snprintf(other, sizeof other, "%s/notes.txt", dir); /* not a ticket: stays */
	f = fopen(other, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(broker_ticket_prune(dir, now), 2);
	assert_int_equal(broker_ticket_prune(dir, now), 0);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(broker_ticket_redeem(dir, resume, now, who, sizeof who), BH_OK);
	assert_string_equal(who, "acme");
	snprintf(path, sizeof path, "%s/%s", dir, old1);
	assert_int_not_equal(stat(path, &st), 0);
	broker_ticket_drop(dir, live);
	snprintf(path, sizeof path, "%s/%s", dir, live);
	assert_int_not_equal(stat(path, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_ticket, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
