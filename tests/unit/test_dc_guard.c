/* The Domain Connect discovery guard (dc_addr_allowed): which addresses a
 * discovery may connect to, with and without the test-only loopback
 * switch; and names that are not host names are refused at the start. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dc/discover.h"

/* Whether text (an IPv4 or IPv6 address) is allowed. */
static bool allowed(const char *text, bool loopback)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof s4);
	memset(&s6, 0, sizeof s6);
	if (inet_pton(AF_INET, text, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return dc_addr_allowed((struct sockaddr *)&s4, sizeof s4, loopback);
	}
	assert_int_equal(inet_pton(AF_INET6, text, &s6.sin6_addr), 1);
	s6.sin6_family = AF_INET6;
	return dc_addr_allowed((struct sockaddr *)&s6, sizeof s6, loopback);
}

static void test_refused(void **state)
{
	static const char *const refused[] = {
	    "127.0.0.1",
	    "127.200.3.5",
	    "10.0.0.1",
	    "10.255.255.255",
	    "172.16.0.1",
	    "172.31.255.254",
	    "192.168.1.1",
	    "100.64.0.1",
	    "100.127.255.255",
	    "169.254.169.254",
	    "0.0.0.0",
	    "224.0.0.1",
	    "239.1.2.3",
	    "255.255.255.255",
	    "240.0.0.1",
	    "::",
	    "::1",
	    "fc00::1",
	    "fd12:3456::1",
	    "fe80::1",
	    "ff02::1",
	    "::ffff:127.0.0.1",
	    "::ffff:10.1.2.3",
	    "::ffff:169.254.1.1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof refused / sizeof *refused; i++) {
		if (allowed(refused[i], false))
			fail_msg("%s allowed in production", refused[i]);
	}
}

static void test_public_allowed(void **state)
{
	static const char *const ok[] = {
	    "1.1.1.1",	   "104.16.0.1", "172.15.255.255", "172.32.0.1",	   "100.63.255.255",
	    "100.128.0.1", "8.8.8.8",	 "2606:4700::1",   "2001:4860:4860::8888", "::ffff:1.1.1.1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof *ok; i++) {
		if (!allowed(ok[i], false))
			fail_msg("%s refused", ok[i]);
	}
}

/* The test switch opens loopback only. */
static void test_loopback_switch(void **state)
{
	(void)state;
	assert_true(allowed("127.0.0.1", true));
	assert_true(allowed("127.44.5.6", true));
	assert_true(allowed("::1", true));
	assert_true(allowed("::ffff:127.0.0.1", true));
	assert_false(allowed("10.0.0.1", true));
	assert_false(allowed("192.168.0.1", true));
	assert_false(allowed("100.64.0.1", true));
	assert_false(allowed("169.254.0.1", true));
	assert_false(allowed("fc00::1", true));
}

static void test_bad_names(void **state)
{
	static const char *const servers[] = {"127.0.0.1:1"};
	struct dc_discover_config cfg;
	struct dc_discover *d;
	char msg[128];

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	cfg.servers = servers;
	cfg.nservers = 1;
	d = dc_discover_create(&cfg, msg, sizeof msg);
	assert_non_null(d);
	assert_int_equal(dc_discover_start(d, "customer.example", "a/b", NULL, NULL),
			 BH_ERR_INVALID);
	assert_int_equal(dc_discover_start(d, "x y", "customer.example", NULL, NULL),
			 BH_ERR_INVALID);
	assert_int_equal(dc_discover_start(d, "", "customer.example", NULL, NULL), BH_ERR_INVALID);
	assert_false(dc_discover_busy(d));
	dc_discover_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_public_allowed),
	    cmocka_unit_test(test_loopback_switch),
	    cmocka_unit_test(test_bad_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
