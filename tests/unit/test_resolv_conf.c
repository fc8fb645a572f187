/* dns_resolv_conf: the nameserver addresses of a resolv.conf file, as the
 * DNS engine, the wizard's Domain Connect discovery and `behalf
 * domainconnect discover` all read them when no server is configured. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns/query.h"

static size_t read_text(const char *text, char (*addrs)[DNS_RESOLV_ADDR_MAX], size_t max)
{
	char path[] = "/tmp/behalf-resolv-XXXXXX";
	int fd = mkstemp(path);
	size_t n;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	n = dns_resolv_conf(path, addrs, max);
	unlink(path);
	return n;
}

static void test_lines(void **state)
{
	char a[8][DNS_RESOLV_ADDR_MAX];
	(void)state;
	assert_int_equal(read_text("# comment\n"
				   "search example.com\n"
				   "nameserver 192.0.2.1\n"
				   "  nameserver\t2001:db8::53 # trailing comment\n"
				   "nameserver 198.51.100.7;x\n"
				   "nameservers 203.0.113.9\n" /* not the keyword */
				   ";nameserver 203.0.113.10\n"
				   "nameserver\n"
				   "options ndots:2\n",
				   a, 8),
			 3);
	assert_string_equal(a[0], "192.0.2.1");
	assert_string_equal(a[1], "2001:db8::53");
	assert_string_equal(a[2], "198.51.100.7");
}

static void test_limits(void **state)
{
	char a[2][DNS_RESOLV_ADDR_MAX];
	char longline[200];
	(void)state;
	assert_int_equal(read_text("nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				   "nameserver 192.0.2.3\n",
				   a, 2),
			 2);
	assert_string_equal(a[1], "192.0.2.2");
	/* an address too long for the buffer is skipped, not cut */
	snprintf(longline, sizeof longline, "nameserver %0100d\nnameserver 192.0.2.4\n", 1);
	assert_int_equal(read_text(longline, a, 2), 1);
	assert_string_equal(a[0], "192.0.2.4");
	assert_int_equal(dns_resolv_conf("/nonexistent/resolv.conf", a, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
