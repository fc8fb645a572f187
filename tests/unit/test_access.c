/* The access store (src/app/access.c): what a vendor and a customer would
 * notice.  A code works once, until its expiry, not after a revoke; typing
 * it sloppily still works; guessing is stopped after five wrong codes per
 * key (twenty per address) and says how long to wait; one key reaches one
 * customer; fingerprints are OpenSSH's own; no code is ever written down;
 * the files are private. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/access.h"
#include "core/alloc.h"
#include "core/state.h"

#define NOW    ((int64_t)1780000000000) /* a fixed wall clock, ms */
#define MINUTE ((int64_t)60 * 1000)
#define DAY    ((int64_t)24 * 60 * MINUTE)

struct fixture {
	char dir[64];
	char msg[512];
};

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[512];
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	str_copy(f->dir, sizeof f->dir, "/tmp/behalf-access-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	rm_tree(f->dir);
	free(f);
	return 0;
}

/* A fingerprint-shaped string, different for each n. */
static void fake_fp(int n, char *out, size_t cap)
{
	snprintf(out, cap, "SHA256:%042dA", n);
}

/* The whole of a file (tests read small files). */
static char *slurp(const char *dir, const char *name)
{
	char path[512];
	struct buf b = {0};
	snprintf(path, sizeof path, "%s/access/%s", dir, name);
	if (state_read_file(path, 1 << 20, &b) != BH_OK)
		return NULL;
	return buf_steal(&b);
}

/* How many files under dir (recursively) hold text. */
static int count_files_with(const char *dir, const char *text)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		struct stat st;
		struct buf b = {0};
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		assert_int_equal(lstat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			n += count_files_with(path, text);
			continue;
		}
		assert_int_equal(state_read_file(path, 1 << 20, &b), BH_OK);
		if (!*text ||
		    (b.data && strstr(b.data, text))) /* files are text (secret: no NUL matters) */
			n++;
		buf_free(&b);
	}
	closedir(d);
	return n;
}

/* The one file in access/sub into name ("sub/x.json"). */
static void only_file(struct fixture *f, const char *sub, char *name, size_t cap)
{
	char path[256], one[300] = "";
	DIR *d;
	struct dirent *e;
	int n = 0;
	snprintf(path, sizeof path, "%s/access/%s", f->dir, sub);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(one, sizeof one, "%.40s/%.200s", sub, e->d_name);
			n++;
		}
	closedir(d);
	assert_int_equal(n, 1);
	assert_true(str_copy(name, cap, one));
}

/* The name of fp's binding file under access/ ("keys/<name>.json"). */
static void key_file(const char *fp, char *out, size_t cap)
{
	size_t i, n;
	n = (size_t)snprintf(out, cap, "keys/%s.json", fp + 7);
	for (i = 5; i < n; i++)
		out[i] = out[i] == '/' ? '_' : out[i] == '+' ? '-' : out[i];
}

static mode_t mode_of(const char *dir, const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/access%s%s", dir, *name ? "/" : "", name);
	if (stat(path, &st) != 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static void mint(struct fixture *f, const char *customer, int64_t valid, char *code, char *id)
{
	assert_int_equal(
	    access_invite_create(f->dir, customer, NOW, valid, code, id, f->msg, sizeof f->msg),
	    BH_OK);
}

/* ---- fingerprints against ssh-keygen ---- */

static void check_keygen(struct fixture *f, const char *type)
{
	char cmd[512], path[256], line[4096], ktype[64], blob[4000], want[128], got[ACCESS_FP_MAX];
	FILE *p;

	snprintf(path, sizeof path, "%s/k_%s", f->dir, type);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q -t %s -N '' -C test -f '%s' </dev/null", type,
		 path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s.pub", path);
	p = fopen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof line, p));
	fclose(p);
	assert_int_equal(sscanf(line, "%63s %3999s", ktype, blob), 2);
	snprintf(cmd, sizeof cmd, "ssh-keygen -lf '%s.pub'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof line, p));
	pclose(p);
	assert_int_equal(sscanf(line, "%*d %127s", want), 1);

	assert_int_equal(access_key_fingerprint(ktype, blob, got, sizeof got), BH_OK);
	assert_string_equal(got, want);
	/* The type inside the blob must be the one offered. */
	assert_int_equal(access_key_fingerprint("ssh-dss", blob, got, sizeof got), BH_ERR_PARSE);
}

static void test_fingerprint_matches_ssh_keygen(void **state)
{
	struct fixture *f = *state;
	check_keygen(f, "ed25519");
	check_keygen(f, "ecdsa");
	check_keygen(f, "rsa");
}

static void test_fingerprint_malformed(void **state)
{
	char fp[ACCESS_FP_MAX];
	(void)state;
	assert_int_equal(access_key_fingerprint("ssh-ed25519", "", fp, sizeof fp), BH_ERR_PARSE);
	assert_int_equal(access_key_fingerprint("ssh-ed25519", "AAAA!AAA", fp, sizeof fp),
			 BH_ERR_PARSE);
	assert_int_equal(
	    access_key_fingerprint("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAI", fp, sizeof fp),
	    BH_ERR_PARSE); /* not a multiple of 4 */
	/* A length claiming more than the blob holds. */
	assert_int_equal(access_key_fingerprint("ssh-ed25519", "AAAAC3NzaC1l", fp, sizeof fp),
			 BH_ERR_PARSE);
	assert_int_equal(
	    access_key_fingerprint("ssh ed25519", "AAAAC3NzaC1lZDI1NTE5", fp, sizeof fp),
	    BH_ERR_PARSE);
	/* A well-formed blob of type "ssh-ed25519" (no key bytes needed). */
	assert_int_equal(
	    access_key_fingerprint("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5", fp, sizeof fp), BH_OK);
	assert_int_equal(strncmp(fp, "SHA256:", 7), 0);
	assert_int_equal(strlen(fp), 7 + 43);
}

/* ---- codes ---- */

static void test_code_normalise(void **state)
{
	char out[ACCESS_CODE_CHARS + 1];
	(void)state;
	assert_true(access_code_normalise("7KQ2-M9XD-4HTE-W3PA", out, sizeof out));
	assert_string_equal(out, "7KQ2M9XD4HTEW3PA");
	assert_true(access_code_normalise(" 7kq2 m9xd--4hte w3pa ", out, sizeof out));
	assert_string_equal(out, "7KQ2M9XD4HTEW3PA");
	assert_true(access_code_normalise("ILOo-0000-1111-2222", out, sizeof out));
	assert_string_equal(out, "1100000011112222");
	assert_false(access_code_normalise("7KQ2-M9XD-4HTE-W3P", out, sizeof out)); /* short */
	assert_false(access_code_normalise("7KQ2-M9XD-4HTE-W3PAX", out, sizeof out));
	assert_false(access_code_normalise("7KQ2-M9XD-4HTE-W3PU", out, sizeof out)); /* U */
	assert_false(access_code_normalise("7KQ2_M9XD_4HTE_W3PA", out, sizeof out));
	assert_false(access_code_normalise("", out, sizeof out));
}

static void test_duration(void **state)
{
	int64_t ms = 0;
	(void)state;
	assert_true(access_parse_duration("7d", &ms));
	assert_int_equal(ms, 7 * DAY);
	assert_true(access_parse_duration("12h", &ms));
	assert_int_equal(ms, 12 * 60 * MINUTE);
	assert_true(access_parse_duration("30m", &ms));
	assert_int_equal(ms, 30 * MINUTE);
	assert_true(access_parse_duration("2w", &ms));
	assert_int_equal(ms, 14 * DAY);
	assert_false(access_parse_duration("0d", &ms));
	assert_false(access_parse_duration("7", &ms));
	assert_false(access_parse_duration("7dd", &ms));
	assert_false(access_parse_duration("-1d", &ms));
	assert_false(access_parse_duration("91d", &ms));
}

/* ---- invites ---- */

static void test_invite_redeem_once(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65], fp1[ACCESS_FP_MAX],
	    fp2[ACCESS_FP_MAX], typed[64], norm[ACCESS_CODE_CHARS + 1];
	char *text;
	int wait = -1;
	size_t i;

	mint(f, "acme", 7 * DAY, code, id);
	/* Printed in four groups of four, all Crockford characters. */
	assert_int_equal(strlen(code), 19);
	assert_true(code[4] == '-' && code[9] == '-' && code[14] == '-');
	assert_true(access_code_normalise(code, norm, sizeof norm));
	assert_int_equal(strlen(id), 6);

	fake_fp(1, fp1, sizeof fp1);
	fake_fp(2, fp2, sizeof fp2);
	assert_int_equal(access_key_customer(f->dir, fp1, cust, sizeof cust), BH_ERR_NOT_FOUND);
	/* Typed in lower case without dashes: still the code. */
	for (i = 0; norm[i]; i++)
		typed[i] = (char)(norm[i] >= 'A' && norm[i] <= 'Z' ? norm[i] - 'A' + 'a' : norm[i]);
	typed[i] = '\0';
	assert_int_equal(access_redeem(f->dir, typed, fp1, "192.0.2.7", NOW + MINUTE, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_OK);
	assert_string_equal(cust, "acme");
	assert_int_equal(wait, 0);
	cust[0] = '\0';
	assert_int_equal(access_key_customer(f->dir, fp1, cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");

	/* Used up: another key gets a clear refusal and nothing. */
	assert_int_equal(access_redeem(f->dir, code, fp2, "192.0.2.8", NOW + 2 * MINUTE, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "already used"));
	assert_string_equal(cust, "");
	assert_int_equal(access_key_customer(f->dir, fp2, cust, sizeof cust), BH_ERR_NOT_FOUND);

	/* The code is nowhere on disk, in any spelling, in any file. */
	{
		char top[128];
		snprintf(top, sizeof top, "%s/access", f->dir);
		assert_int_equal(count_files_with(top, code) + count_files_with(top, norm), 0);
		assert_true(count_files_with(top, "") >= 5); /* it did look */
	}
	/* The binding is audited with fingerprint, customer and source. */
	text = slurp(f->dir, "audit.jsonl");
	assert_non_null(strstr(text, "\"key-bound\""));
	assert_non_null(strstr(text, fp1));
	assert_non_null(strstr(text, "192.0.2.7"));
	assert_non_null(strstr(text, "\"customer\":\"acme\""));
	free(text);

	{
		struct access_key *keys;
		size_t n;
		assert_int_equal(access_key_list(f->dir, "acme", &keys, &n, f->msg, sizeof f->msg),
				 BH_OK);
		assert_int_equal(n, 1);
		assert_string_equal(keys[0].fingerprint, fp1);
		assert_string_equal(keys[0].from, "192.0.2.7");
		assert_string_equal(keys[0].invite, id);
		assert_int_equal(keys[0].added, NOW + MINUTE);
		free(keys);
		assert_int_equal(access_key_list(f->dir, "other", &keys, &n, f->msg, sizeof f->msg),
				 BH_OK);
		assert_int_equal(n, 0);
		free(keys);
	}
}

static void test_invite_expiry(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65], fp[ACCESS_FP_MAX];
	int wait;

	mint(f, "acme", 60 * MINUTE, code, id);
	fake_fp(3, fp, sizeof fp);
	assert_int_equal(access_redeem(f->dir, code, fp, "192.0.2.1", NOW + 60 * MINUTE, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "expired"));
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_NOT_FOUND);
	/* One minute before the expiry it works. */
	mint(f, "acme", 60 * MINUTE, code, id);
	assert_int_equal(access_redeem(f->dir, code, fp, "192.0.2.1", NOW + 59 * MINUTE, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_OK);
}

static void test_invite_revoke(void **state)
{
	struct fixture *f = *state;
	char code1[ACCESS_CODE_MAX], id1[ACCESS_ID_MAX], code2[ACCESS_CODE_MAX], id2[ACCESS_ID_MAX],
	    cust[65], fp[ACCESS_FP_MAX], lower[ACCESS_ID_MAX];
	struct access_invite inv, *list;
	size_t n, i;
	int wait;
	char *text;

	mint(f, "acme", DAY, code1, id1);
	mint(f, "globex", DAY, code2, id2);
	assert_string_not_equal(id1, id2);
	fake_fp(4, fp, sizeof fp);

	/* By id (typed in lower case), then by code. */
	for (i = 0; id1[i]; i++)
		lower[i] = (char)(id1[i] >= 'A' && id1[i] <= 'Z' ? id1[i] - 'A' + 'a' : id1[i]);
	lower[i] = '\0';
	assert_int_equal(access_invite_revoke(f->dir, lower, NOW + 1, &inv, f->msg, sizeof f->msg),
			 BH_OK);
	assert_string_equal(inv.customer, "acme");
	assert_int_equal(access_invite_revoke(f->dir, code2, NOW + 2, &inv, f->msg, sizeof f->msg),
			 BH_OK);
	assert_string_equal(inv.id, id2);
	assert_int_equal(access_invite_revoke(f->dir, code2, NOW + 3, &inv, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_int_equal(
	    access_invite_revoke(f->dir, "ZZZZZZ", NOW + 3, &inv, f->msg, sizeof f->msg),
	    BH_ERR_NOT_FOUND);

	assert_int_equal(access_redeem(f->dir, code1, fp, "192.0.2.1", NOW + 10, cust, sizeof cust,
				       &wait, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "withdrawn"));
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_NOT_FOUND);

	assert_int_equal(access_invite_list(f->dir, &list, &n, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, id1);
	assert_int_equal(list[0].revoked, NOW + 1);
	assert_int_equal(list[1].expires, NOW + DAY);
	assert_string_equal(list[1].customer, "globex");
	free(list);

	text = slurp(f->dir, "audit.jsonl");
	assert_non_null(strstr(text, "\"invite-revoked\""));
	assert_null(strstr(text, code2));
	free(text);
}

/* Five wrong codes from one key, then the sixth try is refused with a wait,
 * even with the right code; the limit is on disk, and lifts after 15
 * minutes. */
static void test_lockout_per_key(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65], fp[ACCESS_FP_MAX];
	int wait, i;

	mint(f, "acme", DAY, code, id);
	fake_fp(5, fp, sizeof fp);
	for (i = 0; i < ACCESS_KEY_TRIES; i++) {
		assert_int_equal(access_redeem(f->dir, "0000-0000-0000-0000", fp, "192.0.2.9",
					       NOW + i * 1000, cust, sizeof cust, &wait, f->msg,
					       sizeof f->msg),
				 BH_ERR_INVALID);
		assert_int_equal(wait, 0);
	}
	assert_int_equal(access_redeem(f->dir, code, fp, "192.0.2.9", NOW + 10000, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_BUSY);
	/* The first wrong code leaves the window 15 minutes after it was typed. */
	assert_int_equal(wait, 15 * 60 - 10);
	assert_non_null(strstr(f->msg, "15 minutes"));
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_NOT_FOUND);
	{
		char *text = slurp(f->dir, "audit.jsonl");
		assert_non_null(strstr(text, "\"enroll-locked\""));
		assert_non_null(strstr(text, fp));
		assert_null(strstr(text, "0000-0000"));
		free(text);
	}
	/* A mistyped shape costs nothing but is refused while locked too. */
	assert_int_equal(access_redeem(f->dir, "nope", fp, "192.0.2.9", NOW + 11000, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_BUSY);
	/* Once the first wrong code is older than the window, one more try. */
	assert_int_equal(access_redeem(f->dir, code, fp, "192.0.2.9",
				       NOW + ACCESS_TRY_WINDOW_MS + 1, cust, sizeof cust, &wait,
				       f->msg, sizeof f->msg),
			 BH_OK);
	assert_string_equal(cust, "acme");
}

static void test_lockout_per_address(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65], fp[ACCESS_FP_MAX];
	int wait, i;

	mint(f, "acme", DAY, code, id);
	for (i = 0; i < ACCESS_ADDR_TRIES; i++) {
		fake_fp(100 + i, fp, sizeof fp); /* a new key each time: per key never trips */
		assert_int_equal(access_redeem(f->dir, "1111-1111-1111-1111", fp, "198.51.100.3",
					       NOW, cust, sizeof cust, &wait, f->msg,
					       sizeof f->msg),
				 BH_ERR_INVALID);
	}
	fake_fp(200, fp, sizeof fp);
	assert_int_equal(access_redeem(f->dir, code, fp, "198.51.100.3", NOW + 1000, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_BUSY);
	assert_true(wait > 0 && wait <= 15 * 60);
	/* Another address is not punished for it. */
	assert_int_equal(access_redeem(f->dir, code, fp, "198.51.100.4", NOW + 1000, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_OK);
}

/* One key, one customer: a key bound to acme cannot take globex's code,
 * which stays usable for another key. */
static void test_key_bound_elsewhere(void **state)
{
	struct fixture *f = *state;
	char code1[ACCESS_CODE_MAX], code2[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65],
	    fp[ACCESS_FP_MAX], fp2[ACCESS_FP_MAX];
	int wait;

	mint(f, "acme", DAY, code1, id);
	mint(f, "globex", DAY, code2, id);
	fake_fp(7, fp, sizeof fp);
	fake_fp(8, fp2, sizeof fp2);
	assert_int_equal(access_redeem(f->dir, code1, fp, "192.0.2.1", NOW, cust, sizeof cust,
				       &wait, f->msg, sizeof f->msg),
			 BH_OK);
	assert_int_equal(access_redeem(f->dir, code2, fp, "192.0.2.1", NOW, cust, sizeof cust,
				       &wait, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "another onboarding"));
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");
	assert_int_equal(access_redeem(f->dir, code2, fp2, "192.0.2.1", NOW, cust, sizeof cust,
				       &wait, f->msg, sizeof f->msg),
			 BH_OK);
	assert_string_equal(cust, "globex");
}

static void test_unbind(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65], fp[ACCESS_FP_MAX];
	struct access_key k;
	int wait;
	char *text;

	mint(f, "acme", DAY, code, id);
	fake_fp(9, fp, sizeof fp);
	assert_int_equal(access_redeem(f->dir, code, fp, "192.0.2.1", NOW, cust, sizeof cust, &wait,
				       f->msg, sizeof f->msg),
			 BH_OK);
	assert_int_equal(access_key_unbind(f->dir, fp, &k, f->msg, sizeof f->msg), BH_OK);
	assert_string_equal(k.customer, "acme");
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_NOT_FOUND);
	assert_int_equal(access_key_unbind(f->dir, fp, &k, f->msg, sizeof f->msg),
			 BH_ERR_NOT_FOUND);
	text = slurp(f->dir, "audit.jsonl");
	assert_non_null(strstr(text, "\"key-unbound\""));
	free(text);
}

/* Private files, whatever the umask. */
static void test_file_modes(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65], fp[ACCESS_FP_MAX];
	int wait;
	mode_t old = umask(0);

	mint(f, "acme", DAY, code, id);
	fake_fp(10, fp, sizeof fp);
	assert_int_equal(access_redeem(f->dir, "2222-2222-2222-2222", fp, "192.0.2.1", NOW, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_int_equal(access_redeem(f->dir, code, fp, "192.0.2.1", NOW, cust, sizeof cust, &wait,
				       f->msg, sizeof f->msg),
			 BH_OK);
	umask(old);
	assert_int_equal(mode_of(f->dir, ""), 0700);
	{
		char kf[128];
		key_file(fp, kf, sizeof kf);
		assert_int_equal(mode_of(f->dir, kf), 0600);
		assert_int_equal(mode_of(f->dir, "keys"), 0700);
	}
	{
		char inv[160];
		only_file(f, "invites", inv, sizeof inv);
		assert_int_equal(mode_of(f->dir, inv), 0600);
		assert_int_equal(mode_of(f->dir, "invites"), 0700);
	}
	assert_int_equal(mode_of(f->dir, "secret"), 0600);
	assert_int_equal(mode_of(f->dir, "limits.json"), 0600);
	assert_int_equal(mode_of(f->dir, "audit.jsonl"), 0600);
	assert_int_equal(mode_of(f->dir, "lock"), 0600);
}

/* A bad customer id is refused before anything is written; a corrupt
 * keys.json is an error for the lookup, never somebody's customer. */
static void test_refusals(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], cust[65], fp[ACCESS_FP_MAX], path[256];
	FILE *out;

	assert_int_equal(
	    access_invite_create(f->dir, "../etc", NOW, DAY, code, id, f->msg, sizeof f->msg),
	    BH_ERR_INVALID);
	assert_string_equal(code, "");
	assert_int_equal(mode_of(f->dir, ""), (mode_t)-1);
	mint(f, "acme", DAY, code, id);
	snprintf(path, sizeof path, "%s/access/keys.json", f->dir);
	out = fopen(path, "w");
	assert_non_null(out);
	fputs("{\"schema\":1,\"keys\":[{\"fingerprint\":", out);
	fclose(out);
	fake_fp(11, fp, sizeof fp);
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_PARSE);
	assert_string_equal(cust, "");
	unlink(path);

	/* A binding's own file, cut short or holding another key: an error too. */
	{
		char kf[128], other[ACCESS_FP_MAX];
		struct access_key k;
		bool already;
		fake_fp(12, other, sizeof other);
		assert_int_equal(access_key_bind(f->dir, other, "acme", NOW, &k, &already, f->msg,
						 sizeof f->msg),
				 BH_OK);
		key_file(other, kf, sizeof kf);
		snprintf(path, sizeof path, "%s/access/%s", f->dir, kf);
		key_file(fp, kf, sizeof kf);
		{
			char to[256];
			snprintf(to, sizeof to, "%s/access/%s", f->dir, kf);
			assert_int_equal(rename(path, to), 0); /* other's binding under fp's name */
		}
		assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_PARSE);
		assert_string_equal(cust, "");
	}
}

/* ---- the store at scale, and its upgrade ---- */

/* The three usable bindings of tests/data/access/keys.json (a store of an
 * earlier behalf: one keys.json); a fourth has no usable fingerprint. */
static const char *const legacy_fp[] = {
    "SHA256:qJwINroMwWLp5Yivea/a44/kzLHnQ9f7FRDa1ziiXOk",
    "SHA256:WBftCEX89eWCZh7hPoiH/+t8yLUVqJEJu/4Y01JAbOg",
    "SHA256:ubhAz5pUvIBnJmqKEABeoyU8KGU/VJY1lII+inJXxUc",
};

/* Copies tests/data/access/name into the store (an earlier behalf's). */
static void put_legacy_file(struct fixture *f, const char *name)
{
	char path[256];
	struct buf b = {0};
	FILE *out;
	snprintf(path, sizeof path, "%s/access", f->dir);
	assert_true(mkdir(path, 0700) == 0 || access(path, F_OK) == 0);
	snprintf(path, sizeof path, BEHALF_TEST_DATA "/access/%s", name);
	assert_int_equal(state_read_file(path, 1 << 20, &b), BH_OK);
	snprintf(path, sizeof path, "%s/access/%s", f->dir, name);
	out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(fwrite(b.data, 1, b.len, out), b.len);
	fclose(out);
	chmod(path, 0600);
	buf_free(&b);
}

static void put_legacy(struct fixture *f)
{
	put_legacy_file(f, "keys.json");
}

static bool exists(struct fixture *f, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/access/%s", f->dir, name);
	return access(path, F_OK) == 0;
}

/* The first look-up moves every binding of keys.json to its own file and
 * removes keys.json; customers keep their keys; the lists are the same. */
static void test_upgrade_keys_json(void **state)
{
	struct fixture *f = *state;
	char cust[65], kf[128], *text;
	struct access_key *keys;
	size_t n, i;

	put_legacy(f);
	assert_int_equal(access_key_customer(f->dir, legacy_fp[1], cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "globex");
	assert_false(exists(f, "keys.json"));
	for (i = 0; i < 3; i++) {
		key_file(legacy_fp[i], kf, sizeof kf);
		assert_true(exists(f, kf));
		assert_int_equal(mode_of(f->dir, kf), 0600);
	}
	assert_int_equal(access_key_customer(f->dir, legacy_fp[0], cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");
	assert_int_equal(access_key_list(f->dir, NULL, &keys, &n, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(n, 3); /* the unusable one is gone */
	for (i = 0; i < 3; i++)
		assert_string_equal(keys[i].fingerprint, legacy_fp[i]); /* in the order bound */
	assert_string_equal(keys[1].from, "2001:db8::5");
	assert_string_equal(keys[2].invite, "P4TW0C");
	assert_int_equal(keys[2].added, 1780000120000);
	free(keys);
	assert_int_equal(access_key_list(f->dir, "acme", &keys, &n, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(n, 2);
	free(keys);
	text = slurp(f->dir, "audit.jsonl");
	assert_non_null(strstr(text, "\"store-upgraded\""));
	assert_non_null(strstr(text, "3 bindings to keys/, 1 unusable dropped"));
	free(text);
}

/* While a writer holds the lock, a look-up neither waits nor upgrades: it
 * reads keys.json; the next writer upgrades. */
static void test_upgrade_lock_busy(void **state)
{
	struct fixture *f = *state;
	char cust[65], path[256], code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX];
	struct access_key *keys;
	size_t n;
	int fd;

	put_legacy(f);
	snprintf(path, sizeof path, "%s/access/lock", f->dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(access_key_customer(f->dir, legacy_fp[2], cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");
	assert_int_equal(access_key_list(f->dir, "globex", &keys, &n, f->msg, sizeof f->msg),
			 BH_OK);
	assert_int_equal(n, 1);
	assert_string_equal(keys[0].fingerprint, legacy_fp[1]);
	free(keys);
	assert_true(exists(f, "keys.json"));
	close(fd);
	mint(f, "initech", DAY, code, id); /* a writer */
	assert_false(exists(f, "keys.json"));
	assert_int_equal(access_key_customer(f->dir, legacy_fp[2], cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");
}

/* tests/data/access/invites.json and its secret, of an earlier behalf: the
 * first writer (here a redeem) moves every invite to its own file; codes
 * still work once, used and revoked ones stay so, the list is the same. */
static void test_upgrade_invites_json(void **state)
{
	struct fixture *f = *state;
	char cust[65], fp[ACCESS_FP_MAX], *text;
	struct access_invite *list, inv;
	int wait;
	size_t n;

	put_legacy_file(f, "invites.json");
	put_legacy_file(f, "secret");
	/* Listed as it is (the list upgrades it on the way). */
	assert_int_equal(access_invite_list(f->dir, &list, &n, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(n, 3); /* the fourth had no usable hash */
	assert_string_equal(list[0].id, "K3F9QD");
	assert_string_equal(list[1].used_by, legacy_fp[1]);
	assert_int_equal(list[2].revoked, 1780000200000);
	free(list);
	assert_false(exists(f, "invites.json"));
	fake_fp(600, fp, sizeof fp);
	assert_int_equal(access_redeem(f->dir, "a1b2-c3d4-e5f6-g7h8", fp, "192.0.2.1", NOW, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "already used"));
	assert_int_equal(access_redeem(f->dir, "Q9R8-S7T6-V5W4-X3Y2", fp, "192.0.2.1", NOW, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "withdrawn"));
	assert_int_equal(access_redeem(f->dir, "7kq2 m9xd 4hte w3pa", fp, "192.0.2.1", NOW, cust,
				       sizeof cust, &wait, f->msg, sizeof f->msg),
			 BH_OK);
	assert_string_equal(cust, "acme");
	assert_int_equal(
	    access_invite_revoke(f->dir, "k3f9qd", NOW + 1, &inv, f->msg, sizeof f->msg),
	    BH_ERR_INVALID); /* used just now */
	text = slurp(f->dir, "audit.jsonl");
	assert_non_null(strstr(text, "3 invites to invites/, 1 unusable dropped"));
	free(text);
}

/* Invites at scale: a code finds its invite by one file.  Every other
 * invite unreadable: the right code still works, the list says what is
 * wrong. */
static void test_invite_reads_one_file(void **state)
{
	struct fixture *f = *state;
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], good[ACCESS_CODE_MAX], cust[65],
	    fp[ACCESS_FP_MAX], path[512], sub[256];
	struct access_invite *list;
	struct dirent *e;
	size_t n;
	int i, wait;
	DIR *d;

	for (i = 0; i < 40; i++)
		mint(f, i == 17 ? "acme" : "globex", DAY, i == 17 ? good : code, id);
	assert_int_equal(access_invite_list(f->dir, &list, &n, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(n, 40);
	for (i = 0, wait = 0; i < 40; i++)
		wait += strcmp(list[i].customer, "acme") == 0;
	assert_int_equal(wait, 1);
	free(list);
	/* Spoil all but the good one: its file is the one its hash names. */
	snprintf(sub, sizeof sub, "%s/access/invites", f->dir);
	d = opendir(sub);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		FILE *out;
		struct buf b = {0};
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
		assert_int_equal(state_read_file(path, 1 << 20, &b), BH_OK);
		if (!strstr(b.data, "\"acme\"")) {
			out = fopen(path, "w");
			fputs("{", out);
			fclose(out);
		}
		buf_free(&b);
	}
	closedir(d);
	fake_fp(700, fp, sizeof fp);
	assert_int_equal(access_redeem(f->dir, good, fp, "192.0.2.1", NOW, cust, sizeof cust, &wait,
				       f->msg, sizeof f->msg),
			 BH_OK);
	assert_string_equal(cust, "acme");
	assert_int_equal(access_invite_list(f->dir, &list, &n, f->msg, sizeof f->msg),
			 BH_ERR_PARSE);
	assert_non_null(strstr(f->msg, "invites/"));
	free(list);
}

/* A look-up reads its key's file and nothing else: other bindings, even
 * unreadable ones, do not matter to it. */
static void test_lookup_reads_one_file(void **state)
{
	struct fixture *f = *state;
	char fp[ACCESS_FP_MAX], cust[65], kf[128], path[256];
	struct access_key k;
	bool already;
	FILE *out;
	int i;

	for (i = 0; i < 50; i++) {
		fake_fp(300 + i, fp, sizeof fp);
		assert_int_equal(access_key_bind(f->dir, fp, i % 2 ? "acme" : "globex", NOW + i, &k,
						 &already, f->msg, sizeof f->msg),
				 BH_OK);
	}
	for (i = 0; i < 50; i += 7) { /* every seventh binding's file is garbage */
		fake_fp(300 + i, fp, sizeof fp);
		key_file(fp, kf, sizeof kf);
		snprintf(path, sizeof path, "%s/access/%s", f->dir, kf);
		out = fopen(path, "w");
		assert_non_null(out);
		fputs("garbage", out);
		fclose(out);
	}
	fake_fp(300 + 13, fp, sizeof fp);
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");
	fake_fp(300 + 7, fp, sizeof fp);
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_PARSE);
	fake_fp(999, fp, sizeof fp);
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_ERR_NOT_FOUND);
}

/* The vendor binds a key it has: no code, audited with source "vendor";
 * one key, one customer. */
static void test_bind_by_vendor(void **state)
{
	struct fixture *f = *state;
	char fp[ACCESS_FP_MAX], cust[65], code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], *text;
	struct access_key k, *keys;
	bool already = true;
	size_t n;
	int wait;

	fake_fp(400, fp, sizeof fp);
	assert_int_equal(
	    access_key_bind(f->dir, fp, "acme", NOW, &k, &already, f->msg, sizeof f->msg), BH_OK);
	assert_false(already);
	assert_string_equal(k.customer, "acme");
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");
	/* Again for acme: nothing changes. */
	assert_int_equal(
	    access_key_bind(f->dir, fp, "acme", NOW + 5, &k, &already, f->msg, sizeof f->msg),
	    BH_OK);
	assert_true(already);
	assert_int_equal(k.added, NOW);
	/* For globex: refused, naming whose it is. */
	assert_int_equal(
	    access_key_bind(f->dir, fp, "globex", NOW, &k, &already, f->msg, sizeof f->msg),
	    BH_ERR_INVALID);
	assert_string_equal(k.customer, "acme");
	assert_non_null(strstr(f->msg, "acme"));
	assert_int_equal(access_key_customer(f->dir, fp, cust, sizeof cust), BH_OK);
	assert_string_equal(cust, "acme");
	/* Nor can an invite of globex take it. */
	mint(f, "globex", DAY, code, id);
	assert_int_equal(access_redeem(f->dir, code, fp, "192.0.2.1", NOW, cust, sizeof cust, &wait,
				       f->msg, sizeof f->msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(f->msg, "another onboarding"));
	assert_int_equal(access_key_bind(f->dir, "SHA256:short", "acme", NOW, &k, &already, f->msg,
					 sizeof f->msg),
			 BH_ERR_INVALID);
	assert_int_equal(
	    access_key_bind(f->dir, fp, "../x", NOW, &k, &already, f->msg, sizeof f->msg),
	    BH_ERR_INVALID);

	assert_int_equal(access_key_list(f->dir, "acme", &keys, &n, f->msg, sizeof f->msg), BH_OK);
	assert_int_equal(n, 1);
	assert_string_equal(keys[0].from, ACCESS_FROM_VENDOR);
	assert_string_equal(keys[0].invite, "");
	free(keys);
	text = slurp(f->dir, "audit.jsonl");
	assert_non_null(strstr(text, "\"key-bound\""));
	assert_non_null(strstr(text, "from vendor"));
	assert_non_null(strstr(text, fp));
	free(text);
}

/* limits.json holds only the wrong codes of the last 15 minutes: a wrong
 * code a minute from a new key and address for three hours keeps it at
 * about 15 of each, and any later write (here a revocation) empties it. */
static void test_limits_stay_small(void **state)
{
	struct fixture *f = *state;
	char fp[ACCESS_FP_MAX], cust[65], addr[32], code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX];
	char *text;
	size_t biggest = 0, len;
	int i, wait;

	mint(f, "acme", DAY, code, id);
	for (i = 0; i < 180; i++) {
		fake_fp(500 + i, fp, sizeof fp);
		snprintf(addr, sizeof addr, "198.51.%d.%d", i / 200, i % 200);
		assert_int_equal(access_redeem(f->dir, "3333-3333-3333-3333", fp, addr,
					       NOW + i * MINUTE, cust, sizeof cust, &wait, f->msg,
					       sizeof f->msg),
				 BH_ERR_INVALID);
		text = slurp(f->dir, "limits.json");
		len = strlen(text);
		biggest = len > biggest ? len : biggest;
		free(text);
	}
	/* 15 keys and 15 addresses at most: well under 40 entries' worth. */
	assert_true(biggest < 40 * 90);
	text = slurp(f->dir, "limits.json");
	fake_fp(500 + 100, fp, sizeof fp);
	assert_null(strstr(text, fp)); /* long gone */
	fake_fp(500 + 179, fp, sizeof fp);
	assert_non_null(strstr(text, fp));
	free(text);
	/* Three hours and 20 minutes in, the vendor revokes the invite. */
	{
		struct access_invite inv;
		assert_int_equal(access_invite_revoke(f->dir, id, NOW + 200 * MINUTE, &inv, f->msg,
						      sizeof f->msg),
				 BH_OK);
	}
	text = slurp(f->dir, "limits.json");
	assert_null(strstr(text, "SHA256:"));
	assert_null(strstr(text, "198.51."));
	assert_true(strlen(text) < 100);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fingerprint_matches_ssh_keygen, setup, teardown),
	    cmocka_unit_test(test_fingerprint_malformed),
	    cmocka_unit_test(test_code_normalise),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test_setup_teardown(test_invite_redeem_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invite_expiry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invite_revoke, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lockout_per_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lockout_per_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_bound_elsewhere, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unbind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_keys_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_lock_busy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_invites_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invite_reads_one_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lookup_reads_one_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_by_vendor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_limits_stay_small, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
