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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shape, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
