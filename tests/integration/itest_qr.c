/* The terminal QR codes scan: the half-block text of qr_render_halfblocks
 * is parsed back into modules (tests/integration/qr_to_pgm.py, the same
 * script the UI's tmux test uses on a captured screen), drawn x8 as a PGM
 * image, and zbarimg (Debian zbar-tools) must decode it to the exact text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <qrencode.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/wizard.h"
#include "export/export.h"
#include "export/qr.h"

static char tmpdir[64];

/* True when a program is on the PATH. */
static bool have(const char *prog)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* Renders text, converts it to an image and decodes it; returns what
 * zbarimg read (caller frees). */
static char *scan(const char *text, bool ascii)
{
	char txt[128], pgm[128], cmd[1024];
	struct buf out = {0}, got = {0};
	int width, height;
	FILE *fp;
	char chunk[4096];
	size_t n;

	assert_int_equal(qr_render_halfblocks(text, ascii, &out, &width, &height), BH_OK);
	snprintf(txt, sizeof txt, "%s/qr.txt", tmpdir);
	snprintf(pgm, sizeof pgm, "%s/qr.pgm", tmpdir);
	fp = fopen(txt, "w");
	assert_non_null(fp);
	/* Some screen around it, as a tmux capture would have. */
	fputs("  Scan this with your phone:\n\n", fp);
	fputs(out.data, fp);
	fputs("\n  Esc back\n", fp);
	fclose(fp);
	snprintf(cmd, sizeof cmd, "python3 %s/tests/integration/qr_to_pgm.py %s %s %s",
		 BEHALF_SOURCE_DIR, ascii ? "--ascii" : "", txt, pgm);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "zbarimg --raw -q %s 2>/dev/null", pgm);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&got, chunk, n);
	assert_int_equal(pclose(fp), 0);
	/* zbarimg ends the symbol's data with a newline. */
	if (got.len && got.data[got.len - 1] == '\n')
		got.data[--got.len] = '\0';
	buf_free(&out);
	return got.data ? buf_steal(&got) : xstrdup("");
}

static void check(const char *text, bool ascii)
{
	char *got = scan(text, ascii);
	assert_string_equal(got, text);
	free(got);
}

static int setup(void **state)
{
	(void)state;
	if (!have("zbarimg") || !have("python3"))
		return 0;
	str_copy(tmpdir, sizeof tmpdir, "/tmp/behalf-qr-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	if (tmpdir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
		return system(cmd) == 0 ? 0 : -1;
	}
	return 0;
}

#define NEED_TOOLS()                                                                               \
	do {                                                                                       \
		if (!tmpdir[0])                                                                    \
			skip();                                                                    \
	} while (0)

static void test_short_value(void **state)
{
	(void)state;
	NEED_TOOLS();
	check("pm.mtasv.net", false);
	check("pm.mtasv.net", true);
}

static void test_dkim_value(void **state)
{
	(void)state;
	NEED_TOOLS();
	check("k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4hvxcoo8xpwWFw9lLbr2XEqL1tf"
	      "znSzUYrtm9sXVR8BsRejK4YAZtAII7aUiUmYTxOFqRXZUkvxL8r4MfBpb1PrQCrrLqS1Aw9jtdgPsW4G"
	      "sf9lJroquAIRItk2Vuq6OhnURKK0vdAzw08Pr42u7mgo14awjyPef7Wg5QIDAQABcglwjcLc8BNVPvVD"
	      "Ybp1HaKh69WGrXAy0jNfvn9yyFE7kZyLGwtTrTx5ZVu8UkxLZNExVq3cbqvzoCObHxSb2d0Pwlep80ca"
	      "uC00MH44i3Uyj8HaTpAxd2EGmLzdwePE0y37zH4iwQpUrQMsQwATp7Dz7WLBXjHWlII5stYQIDAQAB",
	      false);
}

/* All records as zone lines: what the export dialog shows. */
static void test_all_records(void **state)
{
	struct wizard_config cfg = {0};
	struct wizard *w = xmalloc(sizeof *w);
	struct buf lines = {0};
	(void)state;
	NEED_TOOLS();
	str_copy(cfg.customer_id, sizeof cfg.customer_id, "acme");
	wizard_init(w, &cfg);
	w->option = OPTION_DOMAIN;
	str_copy(w->domain.ascii, sizeof w->domain.ascii, "customer.example");
	w->records[0].purpose = PURPOSE_DKIM;
	w->records[0].type = RECORD_TYPE_TXT;
	str_copy(w->records[0].name, sizeof w->records[0].name,
		 "20250817055129pm._domainkey.customer.example");
	str_copy(
	    w->records[0].value, sizeof w->records[0].value,
	    "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDr4hvxcoo8xpwWFw9lLbr2XEqL1tf/"
	    "znSzUYrtm9sXVR8BsRejK4YAZt+AII7aUiUmYTxOFqRXZUkvxL8r4MfBpb1PrQCrr//"
	    "LqS1Aw9j/tdgPsW4Gsf9lJroquAIRItk2Vuq6OhnURKK0vdAzw08Pr42u7mgo14awjyPef7Wg5QIDAQAB");
	w->records[0].required = true;
	w->records[1].purpose = PURPOSE_RETURN_PATH;
	w->records[1].type = RECORD_TYPE_CNAME;
	str_copy(w->records[1].name, sizeof w->records[1].name, "pm-bounces.customer.example");
	str_copy(w->records[1].value, sizeof w->records[1].value, "pm.mtasv.net");
	w->records[1].required = true;
	w->nrecords = 2;
	assert_int_equal(export_zone_lines(w, &lines), BH_OK);
	check(lines.data, false);
	check(lines.data, true);
	buf_free(&lines);
	free(w);
}

/* A 1024-bit DKIM value ("k=rsa; p=" and 216 characters of base64, 225
 * bytes) needs QR version 9 (53x53 modules) at level L, the lowest, in the
 * smallest version libqrencode picks, mixed modes or plain 8-bit alike
 * (alphanumeric mode has no lower case).  With half blocks (two modules a
 * row) and the quiet zone that is 61 columns by 31 rows, 33 with the
 * title and keys: more than 24 rows, and even without a quiet zone 27
 * rows.  So no encoding fits 80x24: the screen says what it needs.  Each
 * demo key still scans at that size. */
static void test_dkim_1024_size(void **state)
{
	char path[512], key[512];
	FILE *fp;
	int nkeys = 0;
	(void)state;
	snprintf(path, sizeof path, "%s/assets/demo/dkim-keys.txt", BEHALF_SOURCE_DIR);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(key, sizeof key, fp)) {
		char text[600];
		QRcode *mixed, *bytes;
		int cols = 0, rows = 0;
		key[strcspn(key, "\r\n")] = '\0';
		if (!*key)
			continue;
		snprintf(text, sizeof text, "k=rsa; p=%s", key);
		assert_int_equal(strlen(text), 225);
		mixed = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
		bytes = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
		assert_non_null(mixed);
		assert_non_null(bytes);
		assert_int_equal(mixed->version, 9);
		assert_int_equal(bytes->version, 9);
		assert_int_equal(mixed->width, 53);
		assert_true((mixed->width + 1) / 2 > 24);
		QRcode_free(mixed);
		QRcode_free(bytes);
		assert_int_equal(qr_text_size(text, false, &cols, &rows), BH_OK);
		assert_int_equal(cols, 61);
		assert_int_equal(rows, 31);
		assert_int_equal(qr_text_size(text, true, &cols, &rows), BH_OK);
		assert_int_equal(cols, 122);
		if (tmpdir[0] && nkeys < 2)
			check(text, false);
		nkeys++;
	}
	fclose(fp);
	assert_true(nkeys > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_short_value),
	    cmocka_unit_test(test_dkim_value),
	    cmocka_unit_test(test_all_records),
	    cmocka_unit_test(test_dkim_1024_size),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
