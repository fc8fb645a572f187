/* What the broker reads out of a string it is asked to sign
 * (dc_query_target, src/dc/url.c): the domain and host of a query as
 * dc_query builds it, and a refusal for everything a session could use to
 * get the vendor's signature over a domain that is not what it seems:
 * a second domain (in any case), a missing one, escapes or odd characters
 * in the names, sig inside the signed part, malformed parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "dc/url.h"

static bool target(const char *q, char *domain, char *host)
{
	return dc_query_target(q, domain, 256, host, 256);
}

static void test_built_queries(void **state)
{
	struct dc_var vars[] = {{"dkimselector", "20270101000000pm"},
				{"dkimvalue", "k=rsa;p=MIGf+/=="},
				{"rphost", "pm-bounces.mail"}};
	struct buf q = {0};
	char d[256], h[256];
	(void)state;
	assert_int_equal(dc_query(&q, "acme.example", "", vars, 3), BH_OK);
	assert_true(target(q.data, d, h));
	assert_string_equal(d, "acme.example");
	assert_string_equal(h, "");
	buf_reset(&q);
	assert_int_equal(dc_query(&q, "acme.example", "mail.eu", vars, 3), BH_OK);
	assert_true(target(q.data, d, h));
	assert_string_equal(d, "acme.example");
	assert_string_equal(h, "mail.eu");
	/* Cloudflare's form: key is part of the signed string */
	buf_puts(&q, "&key=_dck1");
	assert_true(target(q.data, d, h));
	assert_string_equal(h, "mail.eu");
	buf_free(&q);
	/* host missing: the apex */
	assert_true(target("a=1&domain=Acme.Example", d, h));
	assert_string_equal(d, "Acme.Example");
	assert_string_equal(h, "");
}

static void test_refused(void **state)
{
	static const char *const odd[] = {
	    "",
	    "host=mail&a=1",			       /* no domain */
	    "domain=acme.example&domain=evil.example", /* twice */
	    "domain=acme.example&DOMAIN=evil.example", /* twice, another case */
	    "domain=acme.example&host=a&Host=b",       /* host twice */
	    "domain=acme.example&a=1&a=2",	       /* any name twice */
	    "domain=acme%2Eexample",		       /* an escape in the domain */
	    "domain=evil.example%00.acme.example",     /* a NUL through an escape */
	    "domain=acme.example&host=x%2Fy",	       /* in the host */
	    "domain=acme..example",		       /* an empty label */
	    "domain=.acme.example",		       /* a leading dot */
	    "domain=acme.example.",		       /* a trailing dot */
	    "domain=example",			       /* one label */
	    "domain=acme_x.example",		       /* not LDH */
	    "domain=acme.example&host=",	       /* fine: see below */
	    "domain=acme.example&sig=abc",	       /* sig is never signed */
	    "domain=acme.example&SIG=abc",	       /* in no case */
	    "DOMAIN=acme.example",		       /* domain in lower case only */
	    "Domain=acme.example&a=1",		       /* (a provider may not read it) */
	    "domain=acme.example&HOST=mail",	       /* host too */
	    "domain=acme.example&&a=1",		       /* an empty parameter */
	    "domain=acme.example&a",		       /* no '=' */
	    "domain=acme.example&=1",		       /* no name */
	    "domain=acme.example&a.b=1",	       /* a dot in a name */
	    "domain=acme.example&a=1 2",	       /* a space */
	    "domain=acme.example&a=x%4",	       /* a short escape */
	    "domain=acme.example&a=x%GG",	       /* not hex */
	    "domain=acme.example&a=a+b",	       /* form encoding */
	    "domain=acme.example&a=\xc3\xa9",	       /* not ASCII */
	    "domain=acme.example&a=1#frag",	       /* a fragment */
	    "domain=acme.example&a=1&",		       /* a trailing '&' */
	    "domain=acme.example;host=x",	       /* ';' as a separator */
	    "domain=a123456789012345678901234567890123456789012345678901234567890123.example",
	};
	char d[256] = "x", h[256] = "y", small[8];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		bool ok = target(odd[i], d, h);
		if (!strcmp(odd[i], "domain=acme.example&host=")) {
			assert_true(ok); /* the spec's own form for the apex */
			continue;
		}
		if (ok)
			fail_msg("accepted: \"%s\" (domain %s, host %s)", odd[i], d, h);
		assert_string_equal(d, "");
		assert_string_equal(h, "");
	}
	assert_false(dc_query_target(NULL, d, sizeof d, h, sizeof h));
	/* a domain longer than the caller's room: refused, not cut */
	assert_false(dc_query_target("domain=acme.example", small, sizeof small, h, sizeof h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_built_queries),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
