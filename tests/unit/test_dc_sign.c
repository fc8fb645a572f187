/* Domain Connect signing (src/dc/url.c, src/dc/sign.c): the spec's test
 * vector verifies with the spec's public key and fails with one byte
 * changed; values are escaped exactly as RFC 3986 says; the signed string is
 * the query as sent minus sig and key (key kept in Cloudflare's mode); a
 * URL signed with a generated key verifies against the key's published TXT
 * records; a key file others can read is refused. */
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

#include "core/alloc.h"
#include "core/fileio.h"
#include "dc/sign.h"
#include "dc/template.h"
#include "dc/url.h"

#define SPEC_QUERY "a=1&b=2&ip=10.10.10.10&domain=example.net"
#define SPEC_SIG                                                                                   \
	"V2te9zWMU7G3plxBTsmYSJTvn2vzMvNwAjWQ%"                                                    \
	"2BwTe91DxuJhdVf4cVc4vZBYfEYV7u5d7PzTO7se7OrkhyiB7Tpo"                                     \
	"JJW1yB5qHR7HKM5SZldUsdtg5%2B1SzEtIX0Uq8b2mCmQF%2FuJGXpqCyFrEajvpTM7fFKPk1kuctmtkjV7%"     \
	"2BATc"                                                                                    \
	"vNPLWY7KyE4%2Bqc8jpfN61cP5l8iA4krAa3%"                                                    \
	"2BfTro5cmWR8YUJ5yrnRs6KT4b5D71HFvOUk0sGEUddUUlsyRQKR"                                     \
	"HUFN6HjEya50YDHfZJlYHkHlK0xX6Yqeii9QZ2I35U9eJbSvZGQko5beqviWFXdsVDbvd3DYcbSHgJq9%"        \
	"2FXoMTTw%"                                                                                \
	"3D%3D"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/behalf-dcsign.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The spec's public key, PEM. */
static char *spec_pubkey(void)
{
	static char pem[2048];
	FILE *f = fopen(BEHALF_TEST_DATA "/domainconnect/spec-example-pubkey.pem", "r");
	size_t n;
	assert_non_null(f);
	n = fread(pem, 1, sizeof pem - 1, f);
	fclose(f);
	pem[n] = '\0';
	return pem;
}

static void test_spec_vector(void **state)
{
	const char *pem = spec_pubkey();
	char query[] = SPEC_QUERY, sig[] = SPEC_SIG;
	struct buf canon = {0};
	(void)state;
	assert_true(dc_verify(pem, query, strlen(query), sig));
	/* one byte of the query changed */
	query[2] = '3';
	assert_false(dc_verify(pem, query, strlen(query), sig));
	query[2] = '1';
	/* one byte of the signature changed */
	sig[10] = sig[10] == 'A' ? 'B' : 'A';
	assert_false(dc_verify(pem, query, strlen(query), sig));
	/* the query as sent, sig and key in it: the canonical form verifies */
	assert_int_equal(
	    dc_canonical(&canon, SPEC_QUERY "&sig=" SPEC_SIG "&key=_dck1", DC_CANON_SPEC), BH_OK);
	assert_string_equal(canon.data, SPEC_QUERY);
	assert_true(dc_verify(pem, canon.data, canon.len, SPEC_SIG));
	buf_free(&canon);
}

static void test_escape(void **state)
{
	struct buf b = {0};
	(void)state;
	assert_int_equal(dc_url_escape(&b, "AZaz09-._~ !\"#$%&'()*+,/:;=?@[]é\x7f"), BH_OK);
	assert_string_equal(b.data, "AZaz09-._~%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%"
				    "3F%40%5B%5D%C3%A9%7F");
	buf_free(&b);
}

static void test_query_and_canonical(void **state)
{
	struct dc_var vars[] = {{"dkimselector", "20261201pm"}, {"dkimvalue", "k=rsa; p=AB+/="}};
	struct dc_var bad[] = {{"sig", "x"}};
	struct buf q = {0}, c = {0};
	(void)state;
	assert_int_equal(dc_query(&q, "customer.example", "mail", vars, 2), BH_OK);
	assert_string_equal(q.data, "domain=customer.example&host=mail&dkimselector=20261201pm&"
				    "dkimvalue=k%3Drsa%3B%20p%3DAB%2B%2F%3D");
	buf_reset(&q);
	assert_int_equal(dc_query(&q, "customer.example", "", bad, 1), BH_ERR_INVALID);
	/* sig and key anywhere; a parameter that merely starts like them stays */
	assert_int_equal(dc_canonical(&c, "sig=S&domain=d&key=k&keyx=1&signal=2", DC_CANON_SPEC),
			 BH_OK);
	assert_string_equal(c.data, "domain=d&keyx=1&signal=2");
	buf_reset(&c);
	assert_int_equal(
	    dc_canonical(&c, "domain=d&key=k&sig=S&keyx=1&signal=2", DC_CANON_WITH_KEY), BH_OK);
	assert_string_equal(c.data, "domain=d&key=k&keyx=1&signal=2");
	buf_free(&q);
	buf_free(&c);
}

/* The query part of url after '?', and the raw value of name in it. */
static const char *param(const char *url, const char *name, char *out, size_t cap)
{
	const char *q = strchr(url, '?');
	size_t n = strlen(name);
	assert_non_null(q);
	for (q++; *q;) {
		size_t len = strcspn(q, "&");
		if (len > n && !strncmp(q, name, n) && q[n] == '=') {
			snprintf(out, cap, "%.*s", (int)(len - n - 1), q + n + 1);
			return out;
		}
		q += len + (q[len] == '&');
	}
	return NULL;
}

static void round_trip(enum dc_canon mode)
{
	char key[128], msg[512], sig[1024], keyhost[64], *txt[16], joined[2048] = "";
	struct buf spki = {0}, url = {0}, canon = {0};
	struct dc_var vars[] = {{"dkimselector", "20261201pm"}, {"dkimvalue", "k=rsa; p=MIGf"}};
	struct dc_signer *s;
	size_t n, i, len = 0;
	snprintf(key, sizeof key, "%s/dc-%d.key", dir, (int)mode);
	assert_int_equal(dc_keygen(key, 2048, &spki, msg, sizeof msg), BH_OK);
	s = dc_signer_local(key, msg, sizeof msg);
	assert_non_null(s);
	assert_int_equal(dc_sign_url(s, &url, "https://dc.test/sync/", "acmehelp.example",
				     "postmark", "customer.example", "", vars, 2, "_dck1", mode,
				     msg, sizeof msg),
			 BH_OK);
	assert_non_null(strstr(url.data, "https://dc.test/sync/v2/domainTemplates/providers/"
					 "acmehelp.example/services/postmark/apply?domain="
					 "customer.example&host=&dkimselector=20261201pm&"));
	assert_non_null(param(url.data, "sig", sig, sizeof sig));
	assert_string_equal(param(url.data, "key", keyhost, sizeof keyhost), "_dck1");
	/* the public key as a provider reads it: the TXT records joined */
	n = dc_txt_split(spki.data, 0, txt, 16);
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		char head[48];
		snprintf(head, sizeof head, "p=%zu,a=RS256,d=", i + 1);
		assert_true(strlen(txt[i]) <= 255);
		assert_int_equal(strncmp(txt[i], head, strlen(head)), 0);
		len += (size_t)snprintf(joined + len, sizeof joined - len, "%s",
					txt[i] + strlen(head));
		assert_true(len < sizeof joined);
		free(txt[i]);
	}
	assert_string_equal(joined, spki.data);
	assert_int_equal(dc_canonical(&canon, strchr(url.data, '?') + 1, mode), BH_OK);
	assert_true(dc_verify(joined, canon.data, canon.len, sig));
	/* the other provider's way does not verify: the switch matters */
	buf_reset(&canon);
	assert_int_equal(dc_canonical(&canon, strchr(url.data, '?') + 1,
				      mode == DC_CANON_SPEC ? DC_CANON_WITH_KEY : DC_CANON_SPEC),
			 BH_OK);
	assert_false(dc_verify(joined, canon.data, canon.len, sig));
	s->ops->destroy(s);
	buf_free(&spki);
	buf_free(&url);
	buf_free(&canon);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip(DC_CANON_SPEC);
	round_trip(DC_CANON_WITH_KEY);
}

static void test_key_file_guarded(void **state)
{
	char key[128], msg[512];
	struct buf spki = {0};
	struct stat st;
	(void)state;
	snprintf(key, sizeof key, "%s/k.pem", dir);
	assert_int_equal(dc_keygen(key, 2048, &spki, msg, sizeof msg), BH_OK);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never overwritten */
	assert_int_not_equal(dc_keygen(key, 2048, &spki, msg, sizeof msg), BH_OK);
	assert_non_null(strstr(msg, "never overwritten"));
	/* readable by the group: refused, the message names the mode */
	assert_int_equal(chmod(key, 0640), 0);
	assert_null(dc_signer_local(key, msg, sizeof msg));
	assert_non_null(strstr(msg, "640"));
	assert_null(strstr(msg, "PRIVATE"));
	assert_int_equal(chmod(key, 0600), 0);
	buf_reset(&spki);
	assert_int_equal(dc_pubkey_of(key, &spki, msg, sizeof msg), BH_OK);
	buf_free(&spki);
}

/* The ESP's records as the template's variables, or 0 when they do not fit. */
static void test_template_vars(void **state)
{
	struct expected_record r[3] = {
	    {PURPOSE_DKIM, RECORD_TYPE_TXT, "20261201pm._domainkey.mail.customer.example",
	     "k=rsa; p=MIGf", true},
	    {PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, "pm-bounces.mail.customer.example",
	     "pm.mtasv.net", true},
	    {PURPOSE_DMARC, RECORD_TYPE_TXT, "_dmarc.mail.customer.example", "v=DMARC1; p=none",
	     false},
	};
	struct dc_var v[4];
	char sel[64];
	(void)state;
	assert_int_equal(
	    dc_template_vars(r, 3, "mail.customer.example", "pm-bounces", sel, sizeof sel, v, 4),
	    3);
	assert_string_equal(v[0].name, "dkimselector");
	assert_string_equal(v[0].value, "20261201pm");
	assert_string_equal(v[1].name, "dkimvalue");
	assert_string_equal(v[1].value, "k=rsa; p=MIGf");
	assert_string_equal(v[2].name, "returnpathvalue");
	assert_string_equal(v[2].value, "pm.mtasv.net");
	/* another Return-Path label than the template's: it cannot apply */
	assert_int_equal(
	    dc_template_vars(r, 3, "mail.customer.example", "bounces", sel, sizeof sel, v, 4), 0);
	/* records of another name than the one set up */
	assert_int_equal(
	    dc_template_vars(r, 3, "customer.example", "pm-bounces", sel, sizeof sel, v, 4), 0);
	/* a DKIM record not under _domainkey */
	str_copy(r[0].name, sizeof r[0].name, "20261201pm.mail.customer.example");
	assert_int_equal(
	    dc_template_vars(r, 3, "mail.customer.example", "pm-bounces", sel, sizeof sel, v, 4),
	    0);
}

/* A signer that answers later (as the broker's does): dc_sign_url, which
 * waits on its own stack, refuses it rather than be called back later. */
static enum bh_err later_sign(struct dc_signer *s, const char *data, size_t len, dc_signed_fn done,
			      void *arg, char *msg, size_t cap)
{
	(void)s;
	(void)data;
	(void)len;
	(void)done;
	(void)arg;
	(void)msg;
	(void)cap;
	fail_msg("dc_sign_url started a signer that answers later");
	return BH_OK;
}

static void later_destroy(struct dc_signer *s)
{
	(void)s;
}

static void test_sync_only_local(void **state)
{
	static const struct dc_signer_ops later_ops = {later_sign, later_destroy};
	struct dc_signer later = {&later_ops};
	struct dc_var var = {"dkimselector", "x"};
	struct buf url = {0};
	char msg[256] = "";
	(void)state;
	assert_int_equal(dc_sign_url(&later, &url, "https://dc.test", "acmehelp.example",
				     "postmark", "customer.example", "", &var, 1, "_dck1",
				     DC_CANON_SPEC, msg, sizeof msg),
			 BH_ERR_INVALID);
	assert_null(url.data);
	assert_non_null(strstr(msg, "dc_sign_url_start"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sync_only_local),
	    cmocka_unit_test(test_spec_vector),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_query_and_canonical),
	    cmocka_unit_test(test_template_vars),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_file_guarded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
