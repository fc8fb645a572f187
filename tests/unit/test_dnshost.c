/* DNS host detection from nameserver names (assets/dnshosts.ini). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/dnshost.h"

/* The id detected from one nameserver name, or "" for none. */
static const char *detect1(const char *ns)
{
	const char *names[1] = {ns};
	const struct dnshost *h = dnshost_detect(names, 1);
	return h ? dnshost_id(h) : "";
}

/* Real nameserver names of each host the reference names. */
static void test_every_host(void **state)
{
	static const char *const cases[][2] = {
	    {"amy.ns.cloudflare.com", "cloudflare"},
	    {"ns-1021.awsdns-63.net", "route53"},
	    {"ns-188.awsdns-23.com", "route53"},
	    {"ns-1710.awsdns-21.co.uk", "route53"},
	    {"ns51.domaincontrol.com", "godaddy"},
	    {"dns1.registrar-servers.com", "namecheap"},
	    {"ns-cloud-a1.googledomains.com", "google"},
	    {"ns1-01.azure-dns.com", "azure"},
	    {"ns4-01.azure-dns.info", "azure"},
	    {"ns1.digitalocean.com", "digitalocean"},
	    {"ns-62-a.gandi.net", "gandi"},
	    {"dns10.ovh.net", "ovh"},
	    {"ns1045.ui-dns.com", "ionos"},
	    {"ns1045.ui-dns.de", "ionos"},
	    {"hydrogen.ns.hetzner.com", "hetzner"},
	    {"helium.ns.hetzner.de", "hetzner"},
	    {"curitiba.ns.porkbun.com", "porkbun"},
	    {"ns1.dnsimple.com", "dnsimple"},
	    {"ns2.dnsimple-edge.net", "dnsimple"},
	    {"ns1.vercel-dns.com", "vercel"},
	    {"dns1.p01.nsone.net", "netlify"},
	    {"ns1.squarespacedns.com", "squarespace"},
	    {"ns2.wixdns.net", "wix"},
	    {"ns1.dns-parking.com", "hostinger"},
	    {"ns1.bluehost.com", "bluehost"},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct dnshost *h;
		assert_string_equal(detect1(cases[i][0]), cases[i][1]);
		h = dnshost_find(cases[i][1]);
		assert_non_null(h);
		assert_true(dnshost_name(h)[0] != '\0');
		assert_true(dnshost_steps(h)[0] != '\0');
	}
}

static void test_case_and_dot(void **state)
{
	(void)state;
	assert_string_equal(detect1("KIP.NS.CLOUDFLARE.COM."), "cloudflare");
	assert_string_equal(detect1("Ns52.DomainControl.com."), "godaddy");
}

static void test_unknown(void **state)
{
	const char *names[2] = {"ns1.customer.example", "ns2.customer.example"};
	(void)state;
	assert_null(dnshost_detect(names, 2));
	assert_null(dnshost_detect(names, 0));
	assert_string_equal(detect1("cloudflare.com"), "");
	assert_string_equal(detect1("ns.cloudflare.com.evil.example"), "");
	assert_string_equal(detect1(""), "");
	assert_null(dnshost_find("no-such-host"));
	assert_null(dnshost_find(NULL));
}

/* The host running most of the servers wins. */
static void test_majority(void **state)
{
	const char *names[3] = {"ns1.digitalocean.com", "amy.ns.cloudflare.com",
				"kip.ns.cloudflare.com"};
	const struct dnshost *h;
	(void)state;
	h = dnshost_detect(names, 3);
	assert_non_null(h);
	assert_string_equal(dnshost_id(h), "cloudflare");
}

static void test_hints(void **state)
{
	const struct dnshost *cf = dnshost_find("cloudflare");
	const struct dnshost *r53 = dnshost_find("route53");
	const struct dnshost *gd = dnshost_find("godaddy");
	(void)state;
	assert_non_null(cf);
	assert_string_equal(dnshost_name(cf), "Cloudflare");
	assert_int_equal(dnshost_name_field(cf), DNSHOST_NAME_EITHER);
	assert_string_equal(dnshost_apex(cf), "@");
	assert_true(dnshost_proxy(cf)[0] != '\0');
	assert_true(dnshost_long_txt(cf)[0] != '\0');
	assert_non_null(r53);
	assert_string_equal(dnshost_apex(r53), "");
	assert_true(dnshost_long_txt(r53)[0] != '\0');
	assert_non_null(gd);
	assert_int_equal(dnshost_name_field(gd), DNSHOST_NAME_RELATIVE);
	assert_string_equal(dnshost_proxy(gd), "");
}

static void test_table(void **state)
{
	size_t i, n = dnshost_count();
	(void)state;
	assert_true(n >= 19);
	for (i = 0; i < n; i++) {
		const struct dnshost *h = dnshost_at(i);
		assert_non_null(h);
		assert_ptr_equal(dnshost_find(dnshost_id(h)), h);
	}
	assert_null(dnshost_at(n));
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(dnshost_glob_match("*.ns.cloudflare.com", "amy.ns.cloudflare.com"));
	assert_false(dnshost_glob_match("*.ns.cloudflare.com", "ns.cloudflare.com"));
	assert_true(dnshost_glob_match("ns-*.awsdns-*", "ns-1.awsdns-2.org."));
	assert_true(dnshost_glob_match("ns?.x", "NS1.X"));
	assert_false(dnshost_glob_match("ns?.x", "ns12.x"));
	assert_true(dnshost_glob_match("*", ""));
	assert_false(dnshost_glob_match("", "a"));
	assert_true(dnshost_glob_match("a*b*c", "axxbyyc"));
	assert_false(dnshost_glob_match("a*b*c", "axxbyy"));
}

static int teardown_group(void **state)
{
	(void)state;
	dnshost_free();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_host), cmocka_unit_test(test_case_and_dot),
	    cmocka_unit_test(test_unknown),    cmocka_unit_test(test_majority),
	    cmocka_unit_test(test_hints),      cmocka_unit_test(test_table),
	    cmocka_unit_test(test_glob),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_group);
}
