/* The access store: invites, key bindings, wrong-code limits (access.h). */
#include "app/access.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/fileio.h"
#include "core/state.h"
#include "core/text.h"

#define ACCESS_SCHEMA	  1
#define ACCESS_FILE_LIMIT (16u * 1024 * 1024)
#define ACCESS_SECRET_LEN 32
#define ACCESS_BLOB_MAX	  16384 /* base64 characters of a public key blob */

/* Crockford's base32: no I, L, O, U. */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* ---- fingerprints ---- */

/* A key type as OpenSSH names them ("ssh-ed25519", "ecdsa-sha2-nistp256",
 * "sk-ssh-ed25519@openssh.com"). */
static bool key_type_ok(const char *t)
{
	size_t n = 0;
	for (; t[n]; n++)
		if (!((t[n] >= 'a' && t[n] <= 'z') || (t[n] >= 'A' && t[n] <= 'Z') ||
		      (t[n] >= '0' && t[n] <= '9') || t[n] == '-' || t[n] == '@' || t[n] == '.' ||
		      t[n] == '_'))
			return false;
	return n > 0 && n <= 64;
}

enum bh_err access_key_fingerprint(const char *type, const char *blob_b64, char *fp, size_t cap)
{
	unsigned char md[SHA256_DIGEST_LENGTH], *raw;
	unsigned char enc[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
	size_t n, i, pad = 0, tlen;
	int len, elen;

	if (cap)
		fp[0] = '\0';
	if (!type || !blob_b64 || !key_type_ok(type))
		return BH_ERR_PARSE;
	n = strlen(blob_b64);
	if (n == 0 || n % 4 != 0 || n > ACCESS_BLOB_MAX)
		return BH_ERR_PARSE;
	for (i = 0; i < n; i++) {
		char c = blob_b64[i];
		bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '+' || c == '/';
		if (c == '=' && i >= n - 2 && (i == n - 1 || blob_b64[n - 1] == '='))
			pad++;
		else if (!b64)
			return BH_ERR_PARSE;
	}
	raw = xmalloc(n / 4 * 3 + 1);
	len = EVP_DecodeBlock(raw, (const unsigned char *)blob_b64, (int)n);
	if (len < 0 || (size_t)len < pad + 4) {
		free(raw);
		return BH_ERR_PARSE;
	}
	len -= (int)pad;
	/* The blob starts with the key type as an SSH string. */
	tlen = ((size_t)raw[0] << 24) | ((size_t)raw[1] << 16) | ((size_t)raw[2] << 8) | raw[3];
	if (tlen != strlen(type) || tlen + 4 > (size_t)len || memcmp(raw + 4, type, tlen) != 0) {
		free(raw);
		return BH_ERR_PARSE;
	}
	SHA256(raw, (size_t)len, md);
	free(raw);
	elen = EVP_EncodeBlock(enc, md, SHA256_DIGEST_LENGTH);
	while (elen > 0 && enc[elen - 1] == '=')
		enc[--elen] = '\0';
	if (snprintf(fp, cap, "SHA256:%s", (const char *)enc) >= (int)cap) {
		if (cap)
			fp[0] = '\0';
		return BH_ERR_TOO_LARGE;
	}
	return BH_OK;
}

/* A fingerprint as access_key_fingerprint writes them. */
static bool fingerprint_ok(const char *fp)
{
	size_t i;
	if (!fp || strncmp(fp, "SHA256:", 7) != 0 || strlen(fp) != 7 + 43)
		return false;
	for (i = 7; fp[i]; i++)
		if (!((fp[i] >= 'A' && fp[i] <= 'Z') || (fp[i] >= 'a' && fp[i] <= 'z') ||
		      (fp[i] >= '0' && fp[i] <= '9') || fp[i] == '+' || fp[i] == '/'))
			return false;
	return true;
}

/* ---- codes ---- */

bool access_code_normalise(const char *typed, char *out, size_t cap)
{
	size_t n = 0;
	if (cap)
		out[0] = '\0';
	if (!typed || cap < ACCESS_CODE_CHARS + 1)
		return false;
	for (; *typed; typed++) {
		char c = *typed;
		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'I' || c == 'L')
			c = '1';
		else if (c == 'O')
			c = '0';
		if (!strchr(crockford, c) || c == '\0' || n == ACCESS_CODE_CHARS) {
			out[0] = '\0';
			return false;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (n != ACCESS_CODE_CHARS) {
		out[0] = '\0';
		return false;
	}
	return true;
}

/* n characters of Crockford base32 from fresh random bits. */
static bool random_chars(char *out, size_t n)
{
	unsigned char bytes[16];
	size_t i, bit;
	if (n * 5 > sizeof bytes * 8 || RAND_bytes(bytes, (int)sizeof bytes) != 1)
		return false;
	for (i = 0, bit = 0; i < n; i++, bit += 5) {
		unsigned v = ((unsigned)bytes[bit / 8] << 8) | bytes[bit / 8 + 1];
		out[i] = crockford[(v >> (11 - bit % 8)) & 31];
	}
	out[n] = '\0';
	OPENSSL_cleanse(bytes, sizeof bytes);
	return true;
}

bool access_parse_duration(const char *s, int64_t *ms)
{
	char *end;
	long long v;
	int64_t unit;
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v <= 0 || v > 100000)
		return false;
	switch (*end) {
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 24LL * 3600 * 1000;
		break;
	case 'w':
		unit = 7LL * 24 * 3600 * 1000;
		break;
	default:
		return false;
	}
	if (end[1] != '\0' || v * unit > ACCESS_EXPIRES_MAX_MS)
		return false;
	*ms = v * unit;
	return true;
}

/* ---- files ---- */

bool access_dir(const char *state_dir, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/access", state_dir ? state_dir : "");
	return state_dir && *state_dir && n > 0 && (size_t)n < cap;
}

/* Creates the state directory and its access directory (0700) when missing. */
static enum bh_err make_access_dir(const char *state_dir, const char *dir, char *msg, size_t cap)
{
	struct stat st;
	enum bh_err err = state_make_dir(state_dir, msg, cap);
	if (err)
		return err;
	if (mkdir(dir, 0700) == 0) {
		if (chmod(dir, 0700) != 0) /* not the umask's choice */
			return bh_errorf(BH_ERR_IO, msg, cap, "cannot set the mode of %s: %s", dir,
					 strerror(errno));
	} else if (errno != EEXIST) {
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot create directory %s: %s", dir,
				 strerror(errno));
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return bh_errorf(BH_ERR_IO, msg, cap, "%s is not a directory", dir);
	return BH_OK;
}

/* Takes the writers' lock of dir (waiting: writers hold it briefly); the
 * descriptor to close, or -1 with msg. */
static int take_lock(const char *dir, char *msg, size_t cap)
{
	char path[1100];
	int fd;
	snprintf(path, sizeof path, "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		bh_errorf(BH_ERR_IO, msg, cap, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		bh_errorf(BH_ERR_IO, msg, cap, "cannot lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads dir/name, a {"schema":1, key:[...] or {...}} document; a missing
 * file is an empty one.  NULL with *err and msg on failure. */
static json_t *load_doc(const char *dir, const char *name, const char *key, bool object,
			enum bh_err *err, char *msg, size_t cap)
{
	char path[1100];
	struct buf b = {0};
	json_t *doc, *schema, *list;
	json_error_t jerr;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	*err = state_read_file(path, ACCESS_FILE_LIMIT, &b);
	if (*err == BH_ERR_NOT_FOUND) {
		*err = BH_OK;
		doc = json_object();
		json_object_set_new(doc, "schema", json_integer(ACCESS_SCHEMA));
		json_object_set_new(doc, key, object ? json_object() : json_array());
		return doc;
	}
	if (*err) {
		bh_errorf(*err, msg, cap, "cannot read %s: %s", path,
			  *err == BH_ERR_TOO_LARGE ? "too large" : strerror(errno));
		return NULL;
	}
	doc = json_loadb(b.data, b.len, 0, &jerr);
	buf_free(&b);
	schema = doc ? json_object_get(doc, "schema") : NULL;
	list = doc ? json_object_get(doc, key) : NULL;
	if (schema && json_is_integer(schema) && json_integer_value(schema) > ACCESS_SCHEMA) {
		*err =
		    bh_errorf(BH_ERR_VERSION, msg, cap, "%s was written by a newer behalf", path);
		json_decref(doc);
		return NULL;
	}
	if (!json_is_object(doc) || !json_is_integer(schema) ||
	    !(object ? json_is_object(list) : json_is_array(list))) {
		*err = bh_errorf(BH_ERR_PARSE, msg, cap, "%s is not a behalf access file", path);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Replaces dir/name with doc. */
static enum bh_err save_doc(const char *dir, const char *name, json_t *doc, mode_t mode, char *msg,
			    size_t cap)
{
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	enum bh_err err;
	if (!text)
		return bh_errorf(BH_ERR_NOMEM, msg, cap, "cannot write %s/%s", dir, name);
	err = file_replace(dir, name, text, strlen(text), mode, msg, cap);
	free(text);
	return err;
}

static enum bh_err writer_start(const char *dir, int64_t now, char *msg, size_t cap);

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* The install's secret (creating it under the lock when create is set). */
static enum bh_err load_secret(const char *dir, bool create, unsigned char *key, char *msg,
			       size_t cap)
{
	char path[1100];
	struct buf b = {0};
	enum bh_err err;

	snprintf(path, sizeof path, "%s/secret", dir);
	err = state_read_file(path, 1024, &b);
	if (err == BH_OK && b.len == ACCESS_SECRET_LEN) {
		memcpy(key, b.data, ACCESS_SECRET_LEN);
		OPENSSL_cleanse(b.data, b.len);
		buf_free(&b);
		return BH_OK;
	}
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
	if (err == BH_OK)
		return bh_errorf(BH_ERR_PARSE, msg, cap, "%s is not %d bytes", path,
				 ACCESS_SECRET_LEN);
	if (err != BH_ERR_NOT_FOUND || !create)
		return err == BH_ERR_NOT_FOUND
			   ? err
			   : bh_errorf(err, msg, cap, "cannot read %s: %s", path, strerror(errno));
	if (RAND_bytes(key, ACCESS_SECRET_LEN) != 1)
		return bh_errorf(BH_ERR_IO, msg, cap, "no random bytes for %s", path);
	return file_replace(dir, "secret", (const char *)key, ACCESS_SECRET_LEN, 0600, msg, cap);
}

/* The stored form of a normalised code: hex HMAC-SHA-256 under the secret. */
static void code_hash(const unsigned char *key, const char *norm, char *hex, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	HMAC(EVP_sha256(), key, ACCESS_SECRET_LEN, (const unsigned char *)norm, strlen(norm), md,
	     &mdlen);
	hex[0] = '\0';
	for (i = 0; i < mdlen && 2 * i + 2 < cap; i++)
		snprintf(hex + 2 * i, cap - 2 * i, "%02x", md[i]);
	OPENSSL_cleanse(md, sizeof md);
}

static void invite_from_json(json_t *o, struct access_invite *inv)
{
	memset(inv, 0, sizeof *inv);
	str_copy(inv->id, sizeof inv->id, jstr(o, "id"));
	str_copy(inv->customer, sizeof inv->customer, jstr(o, "customer"));
	str_copy(inv->used_by, sizeof inv->used_by, jstr(o, "used_by"));
	inv->created = jint(o, "created");
	inv->expires = jint(o, "expires");
	inv->used = jint(o, "used");
	inv->revoked = jint(o, "revoked");
}

static void key_from_json(json_t *o, struct access_key *k)
{
	memset(k, 0, sizeof *k);
	str_copy(k->fingerprint, sizeof k->fingerprint, jstr(o, "fingerprint"));
	str_copy(k->customer, sizeof k->customer, jstr(o, "customer"));
	str_copy(k->from, sizeof k->from, jstr(o, "from"));
	str_copy(k->invite, sizeof k->invite, jstr(o, "invite"));
	k->added = jint(o, "added");
}

/* ---- one file a record ---- */

#define RECORD_FILE_MAX 4096 /* one binding's or invite's file */

/* Reads dir/sub/name, one record ({"schema":1, ...}): BH_ERR_NOT_FOUND when
 * there is no file, BH_ERR_PARSE when it is not a record, BH_ERR_VERSION. */
static enum bh_err rec_load(const char *dir, const char *sub, const char *name, json_t **out)
{
	char path[1400];
	struct buf b = {0};
	json_t *o, *schema;
	enum bh_err err;

	*out = NULL;
	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	err = state_read_file(path, RECORD_FILE_MAX, &b);
	if (err == BH_ERR_TOO_LARGE)
		err = BH_ERR_PARSE;
	if (err) {
		buf_free(&b);
		return err;
	}
	o = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	schema = json_object_get(o, "schema");
	if (!json_is_object(o) || !json_is_integer(schema)) {
		json_decref(o);
		return BH_ERR_PARSE;
	}
	if (json_integer_value(schema) > ACCESS_SCHEMA) {
		json_decref(o);
		return BH_ERR_VERSION;
	}
	*out = o;
	return BH_OK;
}

/* Writes o as dir/sub/name (under the lock), creating dir/sub (0700). */
static enum bh_err rec_save(const char *dir, const char *sub, const char *name, json_t *o,
			    char *msg, size_t cap)
{
	char sdir[1100], *text;
	enum bh_err err;

	snprintf(sdir, sizeof sdir, "%s/%s", dir, sub);
	if (mkdir(sdir, 0700) == 0 ? chmod(sdir, 0700) != 0 : errno != EEXIST)
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot create directory %s: %s", sdir,
				 strerror(errno));
	json_object_set_new(o, "schema", json_integer(ACCESS_SCHEMA));
	text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		return bh_errorf(BH_ERR_NOMEM, msg, cap, "cannot write %s/%s", sdir, name);
	err = file_replace(sdir, name, text, strlen(text), 0600, msg, cap);
	free(text);
	return err;
}

/* Calls fn(record, name, arg) for every record of dir/sub (none when it does
 * not exist), until fn returns false.  An unreadable record is an error. */
static enum bh_err rec_each(const char *dir, const char *sub,
			    bool (*fn)(json_t *o, const char *name, void *arg), void *arg,
			    char *msg, size_t cap)
{
	char sdir[1100];
	DIR *d;
	struct dirent *e;
	enum bh_err err = BH_OK;

	snprintf(sdir, sizeof sdir, "%s/%s", dir, sub);
	d = opendir(sdir);
	if (!d)
		return errno == ENOENT ? BH_OK
				       : bh_errorf(BH_ERR_IO, msg, cap, "cannot read %s: %s", sdir,
						   strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		json_t *o;
		bool more;
		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue; /* ".", "..", a writer's .tmp */
		err = rec_load(dir, sub, e->d_name, &o);
		if (err == BH_ERR_NOT_FOUND) { /* removed meanwhile */
			err = BH_OK;
			continue;
		}
		if (err) {
			bh_errorf(err, msg, cap, "cannot read %s/%s: %s", sdir, e->d_name,
				  err == BH_ERR_IO ? strerror(errno)
						   : "not a behalf access record");
			break;
		}
		more = fn(o, e->d_name, arg);
		json_decref(o);
		if (!more)
			break;
	}
	closedir(d);
	return err;
}

/* ---- invites ---- */

/* One file an invite: access/invites/<hash>.json, named by the keyed hash of
 * its code (64 hex digits), so that a code typed on the enrollment screen
 * finds its invite by one file, whatever the number of invites. */
#define INVITES_SUBDIR "invites"
#define INVITES_LEGACY "invites.json"

/* "<hash>.json" for a hash as code_hash writes it; false otherwise. */
static bool invite_file_name(const char *hash, char *out, size_t cap)
{
	size_t i;
	for (i = 0; hash[i]; i++)
		if (!((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f')))
			return false;
	return i == 64 && snprintf(out, cap, "%s.json", hash) < (int)cap;
}

static enum bh_err invite_save(const char *dir, json_t *o, char *msg, size_t cap)
{
	char name[80];
	if (!invite_file_name(jstr(o, "hash"), name, sizeof name))
		return bh_errorf(BH_ERR_INVALID, msg, cap, "an invite without a usable hash");
	return rec_save(dir, INVITES_SUBDIR, name, o, msg, cap);
}

/* The invite whose code has hash hex: *out (NULL with BH_ERR_NOT_FOUND). */
static enum bh_err invite_load(const char *dir, const char *hex, json_t **out)
{
	char name[80];
	enum bh_err err;
	*out = NULL;
	if (!invite_file_name(hex, name, sizeof name))
		return BH_ERR_NOT_FOUND;
	err = rec_load(dir, INVITES_SUBDIR, name, out);
	if (err == BH_OK && strcmp(jstr(*out, "hash"), hex) != 0) {
		json_decref(*out);
		*out = NULL;
		err = BH_ERR_PARSE; /* another invite's record under this name */
	}
	return err;
}

/* An earlier behalf kept every invite in one access/invites.json: each goes
 * to its own file (one already there wins), then invites.json goes.  Under
 * the writers' lock; a crash halfway is finished by the next writer. */
static enum bh_err invites_upgrade(const char *dir, char *msg, size_t cap)
{
	char path[1100], detail[96];
	json_t *doc, *v, *old;
	enum bh_err err;
	size_t i, moved = 0, dropped = 0;

	snprintf(path, sizeof path, "%s/" INVITES_LEGACY, dir);
	if (access(path, F_OK) != 0)
		return BH_OK;
	doc = load_doc(dir, INVITES_LEGACY, "invites", false, &err, msg, cap);
	if (!doc)
		return err;
	json_array_foreach(json_object_get(doc, "invites"), i, v)
	{
		char name[80];
		if (!json_is_object(v) || !invite_file_name(jstr(v, "hash"), name, sizeof name)) {
			dropped++; /* no code could ever have matched it */
			continue;
		}
		if (invite_load(dir, jstr(v, "hash"), &old) == BH_OK) {
			json_decref(old);
			continue;
		}
		if (!json_is_integer(json_object_get(v, "seq")))
			json_object_set_new(v, "seq", json_integer((json_int_t)i));
		err = invite_save(dir, v, msg, cap);
		if (err) {
			json_decref(doc);
			return err;
		}
		moved++;
	}
	json_decref(doc);
	if (unlink(path) != 0 && errno != ENOENT)
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot remove %s: %s", path,
				 strerror(errno));
	snprintf(detail, sizeof detail,
		 "invites.json: %zu invites to invites/, %zu unusable dropped", moved, dropped);
	state_audit_in(dir, "-", "store-upgraded", detail);
	return BH_OK;
}

struct invite_ids {
	char (*ids)[ACCESS_ID_MAX];
	size_t n, cap;
};

static bool collect_id(json_t *o, const char *name, void *arg)
{
	struct invite_ids *c = arg;
	(void)name;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->ids = xrealloc(c->ids, c->cap * sizeof *c->ids);
	}
	str_copy(c->ids[c->n++], ACCESS_ID_MAX, jstr(o, "id"));
	return true;
}

enum bh_err access_invite_create(const char *state_dir, const char *customer, int64_t now_wall_ms,
				 int64_t valid_ms, char *code, char *id, char *msg, size_t mcap)
{
	char dir[1024], raw[ACCESS_CODE_CHARS + 1], hex[2 * EVP_MAX_MD_SIZE + 1], detail[160];
	unsigned char key[ACCESS_SECRET_LEN];
	struct invite_ids taken = {0};
	json_t *o;
	enum bh_err err;
	size_t i, tries;
	int fd;

	code[0] = id[0] = '\0';
	if (!state_customer_id_ok(customer))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "customer id \"%.80s\" is not usable",
				 customer ? customer : "");
	if (valid_ms <= 0 || valid_ms > ACCESS_EXPIRES_MAX_MS)
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "the validity is out of range");
	if (!access_dir(state_dir, dir, sizeof dir))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "the state directory is too long");
	err = make_access_dir(state_dir, dir, msg, mcap);
	if (err)
		return err;
	fd = take_lock(dir, msg, mcap);
	if (fd < 0)
		return BH_ERR_IO;
	err = writer_start(dir, now_wall_ms, msg, mcap);
	if (!err)
		err = load_secret(dir, true, key, msg, mcap);
	if (!err) /* the ids in use: the vendor's command reads them all */
		err = rec_each(dir, INVITES_SUBDIR, collect_id, &taken, msg, mcap);
	if (err)
		goto out;
	/* A fresh id (30 bits; retried on the rare collision) and code. */
	for (tries = 0; tries < 16; tries++) {
		bool used = false;
		if (!random_chars(id, 6)) {
			err = bh_errorf(BH_ERR_IO, msg, mcap, "no random bytes");
			goto out;
		}
		for (i = 0; i < taken.n && !used; i++)
			used = strcmp(taken.ids[i], id) == 0;
		if (!used)
			break;
	}
	if (!random_chars(raw, ACCESS_CODE_CHARS)) {
		err = bh_errorf(BH_ERR_IO, msg, mcap, "no random bytes");
		goto out;
	}
	code_hash(key, raw, hex, sizeof hex);
	o = json_object();
	json_object_set_new(o, "schema", json_integer(ACCESS_SCHEMA)); /* first, for people */
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "hash", json_string(hex));
	json_object_set_new(o, "customer", json_string(customer));
	json_object_set_new(o, "created", json_integer(now_wall_ms));
	json_object_set_new(o, "expires", json_integer(now_wall_ms + valid_ms));
	json_object_set_new(o, "seq", json_integer((json_int_t)taken.n));
	err = invite_save(dir, o, msg, mcap);
	json_decref(o);
	if (err)
		goto out;
	snprintf(code, ACCESS_CODE_MAX, "%.4s-%.4s-%.4s-%.4s", raw, raw + 4, raw + 8, raw + 12);
	{
		char until[32];
		state_iso_time(now_wall_ms + valid_ms, until, sizeof until);
		snprintf(detail, sizeof detail, "invite %s until %s", id, until);
	}
	state_audit_in(dir, customer, "invite-created", detail);
out:
	OPENSSL_cleanse(raw, sizeof raw);
	OPENSSL_cleanse(key, sizeof key);
	free(taken.ids);
	close(fd);
	if (err)
		id[0] = '\0';
	return err;
}

/* An invite with its "seq": how many invites there were before it, so that
 * two made in the same millisecond still list in the order they were made. */
struct invite_seq {
	struct access_invite inv;
	int64_t seq;
};

struct invite_list {
	struct invite_seq *v;
	size_t n, cap;
};

static bool collect_invite(json_t *o, const char *name, void *arg)
{
	struct invite_list *l = arg;
	(void)name;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	invite_from_json(o, &l->v[l->n].inv);
	l->v[l->n++].seq = jint(o, "seq");
	return true;
}

/* Oldest first; the same time in the order made, then by id. */
static int invite_cmp(const void *a, const void *b)
{
	const struct invite_seq *x = a, *y = b;
	if (x->inv.created != y->inv.created)
		return x->inv.created < y->inv.created ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->inv.id, y->inv.id);
}

static bool store_upgrade_now(const char *dir);

enum bh_err access_invite_list(const char *state_dir, struct access_invite **out, size_t *n,
			       char *msg, size_t mcap)
{
	char dir[1024], legacy[1100];
	struct invite_list l = {0};
	enum bh_err err;
	size_t i, j, nfiles;

	*out = NULL;
	*n = 0;
	if (!access_dir(state_dir, dir, sizeof dir))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "the state directory is too long");
	snprintf(legacy, sizeof legacy, "%s/" INVITES_LEGACY, dir);
	if (access(legacy, F_OK) == 0)
		store_upgrade_now(dir);
	err = rec_each(dir, INVITES_SUBDIR, collect_invite, &l, msg, mcap);
	nfiles = l.n;
	/* Not upgraded (the lock was busy, or the store is another user's):
	 * invites.json's too, unless a file has the same invite. */
	if (!err && access(legacy, F_OK) == 0) {
		json_t *doc = load_doc(dir, INVITES_LEGACY, "invites", false, &err, msg, mcap), *v;
		json_array_foreach(doc ? json_object_get(doc, "invites") : NULL, i, v)
		{
			bool dup = false;
			for (j = 0; j < nfiles && !dup; j++)
				dup = strcmp(l.v[j].inv.id, jstr(v, "id")) == 0;
			if (!dup) {
				collect_invite(v, NULL, &l);
				l.v[l.n - 1].seq = (int64_t)i;
			}
		}
		json_decref(doc);
	}
	if (err) {
		free(l.v);
		return err;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, invite_cmp);
	if (l.n) {
		*out = xcalloc(l.n, sizeof **out);
		for (i = 0; i < l.n; i++)
			(*out)[i] = l.v[i].inv;
	}
	*n = l.n;
	free(l.v);
	return BH_OK;
}

struct invite_find {
	const char *id;
	char name[80];
};

static bool find_id(json_t *o, const char *name, void *arg)
{
	struct invite_find *f = arg;
	if (strcmp(jstr(o, "id"), f->id) != 0)
		return true;
	str_copy(f->name, sizeof f->name, name);
	return false;
}

enum bh_err access_invite_revoke(const char *state_dir, const char *code_or_id, int64_t now_wall_ms,
				 struct access_invite *inv, char *msg, size_t mcap)
{
	char dir[1024], norm[ACCESS_CODE_CHARS + 1], hex[2 * EVP_MAX_MD_SIZE + 1] = "";
	char idn[ACCESS_ID_MAX], detail[64];
	unsigned char key[ACCESS_SECRET_LEN];
	json_t *found = NULL;
	struct invite_find f;
	enum bh_err err;
	size_t i;
	int fd;

	memset(inv, 0, sizeof *inv);
	if (!access_dir(state_dir, dir, sizeof dir))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "the state directory is too long");
	if (access(dir, F_OK) != 0)
		return bh_errorf(BH_ERR_NOT_FOUND, msg, mcap, "no invite matches");
	fd = take_lock(dir, msg, mcap);
	if (fd < 0)
		return BH_ERR_IO;
	err = writer_start(dir, now_wall_ms, msg, mcap);
	if (err)
		goto out;
	if (access_code_normalise(code_or_id, norm, sizeof norm)) {
		err = load_secret(dir, false, key, msg, mcap);
		if (err == BH_OK)
			code_hash(key, norm, hex, sizeof hex);
		OPENSSL_cleanse(key, sizeof key);
		OPENSSL_cleanse(norm, sizeof norm);
		err = hex[0] ? invite_load(dir, hex, &found) : BH_ERR_NOT_FOUND;
	} else {
		/* An id as typed: the same reading as a code's characters. */
		for (i = 0; code_or_id[i] && i + 1 < sizeof idn; i++) {
			char c = code_or_id[i];
			c = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
			idn[i] = (c == 'I' || c == 'L') ? '1' : c == 'O' ? '0' : c;
		}
		idn[i] = '\0';
		memset(&f, 0, sizeof f);
		f.id = idn;
		err = rec_each(dir, INVITES_SUBDIR, find_id, &f, msg, mcap);
		if (!err)
			err = f.name[0] ? rec_load(dir, INVITES_SUBDIR, f.name, &found)
					: BH_ERR_NOT_FOUND;
	}
	if (err == BH_ERR_NOT_FOUND) {
		err = bh_errorf(BH_ERR_NOT_FOUND, msg, mcap, "no invite matches");
		goto out;
	}
	if (err) {
		bh_errorf(err, msg, mcap, "cannot read the invite: %s", bh_strerror(err));
		goto out;
	}
	invite_from_json(found, inv);
	if (inv->used || inv->revoked) {
		err = bh_errorf(BH_ERR_INVALID, msg, mcap, "invite %s was already %s", inv->id,
				inv->used ? "used" : "revoked");
		goto out;
	}
	json_object_set_new(found, "revoked", json_integer(now_wall_ms));
	inv->revoked = now_wall_ms;
	err = invite_save(dir, found, msg, mcap);
	if (err)
		goto out;
	snprintf(detail, sizeof detail, "invite %s", inv->id);
	state_audit_in(dir, inv->customer, "invite-revoked", detail);
out:
	json_decref(found);
	close(fd);
	return err;
}

/* ---- keys ---- */

/* One file a binding: access/keys/<name>.json, the name being the
 * fingerprint's 43 base64 characters with '/' read as '_' and '+' as '-'
 * (the fingerprint is already a hash of the key: no other is needed).  A
 * look-up opens one small file, whatever the number of keys. */
#define KEYS_SUBDIR "keys"
#define KEYS_LEGACY "keys.json"

/* "<access dir>/keys" into out. */
static void keys_dir(const char *dir, char *out, size_t cap)
{
	snprintf(out, cap, "%s/" KEYS_SUBDIR, dir);
}

/* The file name of fp's binding; false when fp is not a fingerprint. */
static bool key_file_name(const char *fp, char *out, size_t cap)
{
	size_t i;
	if (!fingerprint_ok(fp) || cap < 43 + 6)
		return false;
	for (i = 0; i < 43; i++) {
		char c = fp[7 + i];
		out[i] = c == '/' ? '_' : c == '+' ? '-' : c;
	}
	memcpy(out + 43, ".json", 6);
	return true;
}

/* The binding a record holds; false when it is not a usable one. */
static bool key_usable(json_t *o, struct access_key *k)
{
	key_from_json(o, k);
	return fingerprint_ok(k->fingerprint) && state_customer_id_ok(k->customer);
}

/* Reads fp's binding into *k: BH_ERR_NOT_FOUND when there is no file,
 * BH_ERR_PARSE when its file is not a binding of fp, BH_ERR_IO. */
static enum bh_err key_read(const char *dir, const char *fp, struct access_key *k)
{
	char name[64];
	json_t *o;
	enum bh_err err;

	memset(k, 0, sizeof *k);
	if (!key_file_name(fp, name, sizeof name))
		return BH_ERR_NOT_FOUND;
	err = rec_load(dir, KEYS_SUBDIR, name, &o);
	if (err == BH_OK && (!key_usable(o, k) || strcmp(k->fingerprint, fp) != 0))
		err = BH_ERR_PARSE; /* not a binding, or another key's under this name */
	json_decref(o);
	if (err)
		memset(k, 0, sizeof *k);
	return err;
}

/* Writes k's file (under the lock), creating access/keys when missing. */
static enum bh_err key_write(const char *dir, const struct access_key *k, char *msg, size_t cap)
{
	char name[64];
	json_t *o;
	enum bh_err err;

	if (!key_file_name(k->fingerprint, name, sizeof name))
		return bh_errorf(BH_ERR_INVALID, msg, cap, "%.60s is not a key fingerprint",
				 k->fingerprint);
	o = json_object();
	json_object_set_new(o, "schema", json_integer(ACCESS_SCHEMA)); /* first, for people */
	json_object_set_new(o, "fingerprint", json_string(k->fingerprint));
	json_object_set_new(o, "customer", json_string(k->customer));
	json_object_set_new(o, "added", json_integer(k->added));
	json_object_set_new(o, "from", json_string(k->from));
	json_object_set_new(o, "invite", json_string(k->invite));
	err = rec_save(dir, KEYS_SUBDIR, name, o, msg, cap);
	json_decref(o);
	return err;
}

/* Removes fp's file (under the lock); BH_ERR_NOT_FOUND when none. */
static enum bh_err key_remove(const char *dir, const char *fp, char *msg, size_t cap)
{
	char kdir[1100], path[1200], name[64];
	int dfd;

	if (!key_file_name(fp, name, sizeof name))
		return BH_ERR_NOT_FOUND;
	keys_dir(dir, kdir, sizeof kdir);
	snprintf(path, sizeof path, "%s/%s", kdir, name);
	if (unlink(path) != 0)
		return errno == ENOENT ? BH_ERR_NOT_FOUND
				       : bh_errorf(BH_ERR_IO, msg, cap, "cannot remove %s: %s",
						   path, strerror(errno));
	dfd = open(kdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return BH_OK;
}

/* A store of an earlier behalf kept every binding in one access/keys.json:
 * each goes to its own file (one already there wins: it is newer), then
 * keys.json goes.  Under the writers' lock.  A crash halfway leaves
 * keys.json and some files: the next writer finishes. */
static enum bh_err keys_upgrade(const char *dir, char *msg, size_t cap)
{
	char path[1100], detail[96];
	json_t *doc, *v;
	enum bh_err err;
	size_t i, moved = 0, dropped = 0;

	snprintf(path, sizeof path, "%s/" KEYS_LEGACY, dir);
	if (access(path, F_OK) != 0)
		return BH_OK;
	doc = load_doc(dir, KEYS_LEGACY, "keys", false, &err, msg, cap);
	if (!doc)
		return err;
	json_array_foreach(json_object_get(doc, "keys"), i, v)
	{
		struct access_key k, old;
		key_from_json(v, &k);
		if (!fingerprint_ok(k.fingerprint) || !state_customer_id_ok(k.customer)) {
			dropped++; /* no session could ever have matched it */
			continue;
		}
		err = key_read(dir, k.fingerprint, &old);
		if (err == BH_OK)
			continue;
		err = key_write(dir, &k, msg, cap);
		if (err) {
			json_decref(doc);
			return err;
		}
		moved++;
	}
	json_decref(doc);
	if (unlink(path) != 0 && errno != ENOENT)
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot remove %s: %s", path,
				 strerror(errno));
	snprintf(detail, sizeof detail, "keys.json: %zu bindings to keys/, %zu unusable dropped",
		 moved, dropped);
	state_audit_in(dir, "-", "store-upgraded", detail);
	return BH_OK;
}

/* The upgrade, from a reader: only when the writers' lock is free at once
 * and the store is this user's (root listing the sessions' store must not
 * leave root's files in it).  True when keys.json and invites.json are gone. */
static bool store_upgrade_now(const char *dir)
{
	char path[1100];
	struct stat st;
	int fd;
	bool done;

	if (stat(dir, &st) != 0 || st.st_uid != geteuid())
		return false;
	snprintf(path, sizeof path, "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return false;
	}
	done = keys_upgrade(dir, NULL, 0) == BH_OK && invites_upgrade(dir, NULL, 0) == BH_OK;
	close(fd);
	return done;
}

/* fp's binding in an earlier behalf's keys.json (not yet upgraded). */
static enum bh_err keys_legacy_find(const char *dir, const char *fp, struct access_key *k)
{
	json_t *doc, *v;
	enum bh_err err;
	size_t i;

	memset(k, 0, sizeof *k);
	doc = load_doc(dir, KEYS_LEGACY, "keys", false, &err, NULL, 0);
	if (!doc)
		return err;
	err = BH_ERR_NOT_FOUND;
	json_array_foreach(json_object_get(doc, "keys"), i, v)
	{
		if (strcmp(jstr(v, "fingerprint"), fp) == 0 &&
		    state_customer_id_ok(jstr(v, "customer"))) {
			key_from_json(v, k);
			err = BH_OK;
			break;
		}
	}
	json_decref(doc);
	return err;
}

/* fp's binding wherever it is: its own file, else (a store not yet
 * upgraded) keys.json, upgraded on the way when the lock is free. */
static enum bh_err key_find(const char *dir, const char *fp, bool upgrade, struct access_key *k)
{
	char legacy[1100];
	enum bh_err err = key_read(dir, fp, k);

	if (err != BH_ERR_NOT_FOUND || !fingerprint_ok(fp))
		return err;
	snprintf(legacy, sizeof legacy, "%s/" KEYS_LEGACY, dir);
	if (access(legacy, F_OK) != 0)
		/* Gone meanwhile: an upgrade wrote every file before removing it. */
		return errno == ENOENT ? key_read(dir, fp, k) : BH_ERR_IO;
	if (upgrade && store_upgrade_now(dir))
		return key_read(dir, fp, k);
	return keys_legacy_find(dir, fp, k);
}

enum bh_err access_key_customer(const char *state_dir, const char *fp, char *customer, size_t cap)
{
	char dir[1024];
	struct access_key k;
	enum bh_err err;

	if (cap)
		customer[0] = '\0';
	if (!fp || !access_dir(state_dir, dir, sizeof dir))
		return BH_ERR_NOT_FOUND;
	err = key_find(dir, fp, true, &k);
	if (err == BH_OK)
		err = str_copy(customer, cap, k.customer) ? BH_OK : BH_ERR_TOO_LARGE;
	return err;
}

/* Earlier first; the same time by fingerprint (a stable order). */
static int key_cmp(const void *a, const void *b)
{
	const struct access_key *x = a, *y = b;
	if (x->added != y->added)
		return x->added < y->added ? -1 : 1;
	return strcmp(x->fingerprint, y->fingerprint);
}

struct key_list {
	struct access_key *v;
	size_t n, cap;
	const char *customer; /* NULL: every customer's */
	bool bad;	      /* a record that is not a usable binding */
	char bad_name[80];
};

static bool collect_key(json_t *o, const char *name, void *arg)
{
	struct key_list *l = arg;
	struct access_key k;
	if (name && !key_usable(o, &k)) {
		l->bad = true;
		str_copy(l->bad_name, sizeof l->bad_name, name);
		return false;
	}
	if (!name)
		key_from_json(o, &k);
	if (l->customer && strcmp(k.customer, l->customer) != 0)
		return true;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = k;
	return true;
}

enum bh_err access_key_list(const char *state_dir, const char *customer, struct access_key **out,
			    size_t *n, char *msg, size_t mcap)
{
	char dir[1024], legacy[1100];
	struct key_list l = {.customer = customer};
	enum bh_err err;
	size_t i, j, nfiles;

	*out = NULL;
	*n = 0;
	if (!access_dir(state_dir, dir, sizeof dir))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "the state directory is too long");
	snprintf(legacy, sizeof legacy, "%s/" KEYS_LEGACY, dir);
	if (access(legacy, F_OK) == 0)
		store_upgrade_now(dir);
	err = rec_each(dir, KEYS_SUBDIR, collect_key, &l, msg, mcap);
	if (!err && l.bad)
		err = bh_errorf(BH_ERR_PARSE, msg, mcap, "cannot read %s/" KEYS_SUBDIR "/%s: %s",
				dir, l.bad_name, "not a key binding");
	nfiles = l.n;
	/* Not upgraded (the lock was busy, or the store is another user's):
	 * keys.json's bindings too, unless a file has the same key. */
	if (!err && access(legacy, F_OK) == 0) {
		json_t *doc = load_doc(dir, KEYS_LEGACY, "keys", false, &err, msg, mcap), *v;
		json_array_foreach(doc ? json_object_get(doc, "keys") : NULL, i, v)
		{
			bool dup = false;
			for (j = 0; j < nfiles && !dup; j++)
				dup = strcmp(l.v[j].fingerprint, jstr(v, "fingerprint")) == 0;
			if (!dup)
				collect_key(v, NULL, &l);
		}
		json_decref(doc);
	}
	if (err) {
		free(l.v);
		return err;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, key_cmp);
	*out = l.v;
	*n = l.n;
	return BH_OK;
}

enum bh_err access_key_unbind(const char *state_dir, const char *fp, struct access_key *key,
			      char *msg, size_t mcap)
{
	char dir[1024], detail[160];
	enum bh_err err;
	int fd;

	memset(key, 0, sizeof *key);
	if (!access_dir(state_dir, dir, sizeof dir))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "the state directory is too long");
	if (access(dir, F_OK) != 0)
		return bh_errorf(BH_ERR_NOT_FOUND, msg, mcap, "no key %.60s is bound", fp);
	fd = take_lock(dir, msg, mcap);
	if (fd < 0)
		return BH_ERR_IO;
	err = writer_start(dir, clock_wall_ms(), msg, mcap);
	if (err)
		goto out;
	err = key_read(dir, fp, key);
	if (err == BH_OK)
		err = key_remove(dir, fp, msg, mcap);
	if (err == BH_ERR_NOT_FOUND) {
		bh_errorf(err, msg, mcap, "no key %.60s is bound", fp);
		goto out;
	}
	if (err == BH_ERR_PARSE)
		bh_errorf(err, msg, mcap, "the binding of %.60s cannot be read", fp);
	if (err)
		goto out;
	snprintf(detail, sizeof detail, "fingerprint %s", key->fingerprint);
	state_audit_in(dir, key->customer, "key-unbound", detail);
out:
	close(fd);
	return err;
}

enum bh_err access_key_bind(const char *state_dir, const char *fp, const char *customer,
			    int64_t now_wall_ms, struct access_key *key, bool *already, char *msg,
			    size_t mcap)
{
	char dir[1024], detail[160];
	enum bh_err err;
	int fd;

	memset(key, 0, sizeof *key);
	*already = false;
	if (!fingerprint_ok(fp))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "%.60s is not a key fingerprint",
				 fp ? fp : "");
	if (!state_customer_id_ok(customer))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "customer id \"%.80s\" is not usable",
				 customer ? customer : "");
	if (!access_dir(state_dir, dir, sizeof dir))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "the state directory is too long");
	err = make_access_dir(state_dir, dir, msg, mcap);
	if (err)
		return err;
	fd = take_lock(dir, msg, mcap);
	if (fd < 0)
		return BH_ERR_IO;
	err = writer_start(dir, now_wall_ms, msg, mcap);
	if (err)
		goto out;
	err = key_read(dir, fp, key);
	if (err == BH_OK) {
		/* One key, one customer; binding it again to the same is a no-op. */
		*already = strcmp(key->customer, customer) == 0;
		if (!*already)
			err = bh_errorf(BH_ERR_INVALID, msg, mcap, "bound to customer %s",
					key->customer);
		goto out;
	}
	if (err != BH_ERR_NOT_FOUND) {
		bh_errorf(err, msg, mcap, "the binding of %.60s cannot be read", fp);
		goto out;
	}
	str_copy(key->fingerprint, sizeof key->fingerprint, fp);
	str_copy(key->customer, sizeof key->customer, customer);
	str_copy(key->from, sizeof key->from, ACCESS_FROM_VENDOR);
	key->added = now_wall_ms;
	err = key_write(dir, key, msg, mcap);
	if (err)
		goto out;
	snprintf(detail, sizeof detail, "fingerprint %s from " ACCESS_FROM_VENDOR, fp);
	state_audit_in(dir, customer, "key-bound", detail);
out:
	close(fd);
	return err;
}

/* ---- redeem ---- */

/* Drops times older than the window from every list of obj (and empty lists). */
static void prune_tries(json_t *obj, int64_t now)
{
	const char *k;
	json_t *list, *t;
	void *tmp;
	size_t i;
	json_object_foreach_safe(obj, tmp, k, list)
	{
		if (!json_is_array(list)) {
			json_object_del(obj, k);
			continue;
		}
		for (i = json_array_size(list); i-- > 0;) {
			t = json_array_get(list, i);
			if (!json_is_integer(t) ||
			    json_integer_value(t) <= now - ACCESS_TRY_WINDOW_MS ||
			    json_integer_value(t) > now + ACCESS_TRY_WINDOW_MS)
				json_array_remove(list, i);
		}
		if (!json_array_size(list))
			json_object_del(obj, k);
	}
}

/* Seconds until list holds fewer than limit times inside the window, 0 when
 * it already does. */
static int tries_wait(json_t *list, size_t limit, int64_t now)
{
	size_t n = json_array_size(list);
	int64_t oldest_kept, until;
	if (n < limit)
		return 0;
	/* Times are appended in order: the (n-limit)th must leave the window. */
	oldest_kept = json_integer_value(json_array_get(list, n - limit));
	until = oldest_kept + ACCESS_TRY_WINDOW_MS - now;
	return until <= 0 ? 1 : (int)((until + 999) / 1000);
}

static void add_try(json_t *obj, const char *k, int64_t now)
{
	json_t *list = json_object_get(obj, k);
	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(obj, k, list);
	}
	json_array_append_new(list, json_integer(now));
}

/* How many times the lists of obj hold. */
static size_t count_tries(json_t *obj)
{
	const char *k;
	json_t *list;
	size_t n = 0;
	json_object_foreach(obj, k, list)
	{
		n += json_is_array(list) ? json_array_size(list) : 1;
	}
	return n;
}

/* Drops what left the window from limits.json: true when something did
 * (the caller saves it). */
static bool limits_prune(json_t *limits, int64_t now)
{
	json_t *by_key, *by_addr;
	size_t before;
	if (!json_is_object(json_object_get(limits, "addrs")))
		json_object_set_new(limits, "addrs", json_object());
	by_key = json_object_get(limits, "keys");
	by_addr = json_object_get(limits, "addrs");
	before = count_tries(by_key) + count_tries(by_addr);
	prune_tries(by_key, now);
	prune_tries(by_addr, now);
	return count_tries(by_key) + count_tries(by_addr) != before;
}

/* What every writer does first, under the lock: finishes the upgrade of an
 * earlier store (keys.json, invites.json), and rewrites limits.json without the wrong
 * codes that left the window, so that it holds only what can still lock
 * someone out, however many keys and addresses once tried.  limits.json is
 * best effort here: access_redeem reports a file it cannot use. */
static enum bh_err writer_start(const char *dir, int64_t now, char *msg, size_t cap)
{
	char path[1100];
	enum bh_err err = keys_upgrade(dir, msg, cap), lerr;
	json_t *limits;
	if (!err)
		err = invites_upgrade(dir, msg, cap);
	if (err)
		return err;
	snprintf(path, sizeof path, "%s/limits.json", dir);
	if (access(path, F_OK) != 0)
		return BH_OK;
	limits = load_doc(dir, "limits.json", "keys", true, &lerr, NULL, 0);
	if (limits && limits_prune(limits, now))
		save_doc(dir, "limits.json", limits, 0600, NULL, 0);
	json_decref(limits);
	return BH_OK;
}

/* "12 minutes", "40 seconds" for msg. */
static void say_wait(int s, char *out, size_t cap)
{
	if (s >= 90)
		snprintf(out, cap, "%d minutes", (s + 59) / 60);
	else
		snprintf(out, cap, "%d seconds", s);
}

enum bh_err access_redeem(const char *state_dir, const char *code, const char *fp, const char *from,
			  int64_t now_wall_ms, char *customer, size_t ccap, int *wait_s, char *msg,
			  size_t mcap)
{
	char dir[1024], norm[ACCESS_CODE_CHARS + 1], hex[2 * EVP_MAX_MD_SIZE + 1], src[64];
	char bound[65], words[32], left[16], detail[256];
	unsigned char key[ACCESS_SECRET_LEN];
	json_t *limits = NULL, *invites = NULL, *found = NULL;
	json_t *by_key, *by_addr;
	struct access_key have;
	enum bh_err err;
	size_t i;
	int fd, w1, w2, remaining;
	bool counted = false, pruned;

	if (ccap)
		customer[0] = '\0';
	if (wait_s)
		*wait_s = 0;
	if (mcap)
		msg[0] = '\0';
	if (!fingerprint_ok(fp))
		return bh_errorf(BH_ERR_INVALID, msg, mcap, "%s", text_get("access.redeem_no_key"));
	if (!access_dir(state_dir, dir, sizeof dir))
		return bh_errorf(BH_ERR_IO, msg, mcap, "the state directory is too long");
	/* The source address as a word (stored, logged). */
	for (i = 0; from && from[i] && i + 1 < sizeof src; i++)
		src[i] = (from[i] >= '0' && from[i] <= '9') || (from[i] >= 'a' && from[i] <= 'f') ||
				 (from[i] >= 'A' && from[i] <= 'F') || from[i] == '.' ||
				 from[i] == ':'
			     ? from[i]
			     : '_';
	src[i] = '\0';
	if (!src[0])
		str_copy(src, sizeof src, "unknown");

	err = make_access_dir(state_dir, dir, msg, mcap);
	if (err)
		return err;
	fd = take_lock(dir, msg, mcap);
	if (fd < 0)
		return BH_ERR_IO;
	err = keys_upgrade(dir, msg, mcap);
	if (!err)
		err = invites_upgrade(dir, msg, mcap);
	if (err)
		goto out;
	limits = load_doc(dir, "limits.json", "keys", true, &err, msg, mcap);
	if (!limits)
		goto out;
	pruned = limits_prune(limits, now_wall_ms);
	by_key = json_object_get(limits, "keys");
	by_addr = json_object_get(limits, "addrs");
	w1 = tries_wait(json_object_get(by_key, fp), ACCESS_KEY_TRIES, now_wall_ms);
	w2 = tries_wait(json_object_get(by_addr, src), ACCESS_ADDR_TRIES, now_wall_ms);
	if (w1 || w2) {
		int w = w1 > w2 ? w1 : w2;
		if (wait_s)
			*wait_s = w;
		say_wait(w, words, sizeof words);
		text_fmt(msg, mcap, "access.redeem_wait", words, NULL, NULL);
		err = BH_ERR_BUSY;
		goto out;
	}
	if (!access_code_normalise(code, norm, sizeof norm)) {
		/* A typo of the shape costs no try: it cannot be a guess. */
		text_fmt(msg, mcap, "access.redeem_shape", NULL, NULL, NULL);
		err = BH_ERR_INVALID;
		goto out;
	}
	err = load_secret(dir, false, key, msg, mcap);
	if (err == BH_OK) {
		code_hash(key, norm, hex, sizeof hex);
		OPENSSL_cleanse(key, sizeof key);
		/* One file, named by the hash: no other invite is read. */
		err = invite_load(dir, hex, &invites);
		if (err && err != BH_ERR_NOT_FOUND) {
			bh_errorf(err, msg, mcap, "cannot read the invite: %s", bh_strerror(err));
			goto out;
		}
		found = invites;
	} else if (err != BH_ERR_NOT_FOUND) {
		goto out; /* no secret yet: no invite was ever made */
	}
	OPENSSL_cleanse(norm, sizeof norm);

	bound[0] = '\0';
	err = key_read(dir, fp, &have);
	if (err == BH_OK) {
		str_copy(bound, sizeof bound, have.customer);
	} else if (err != BH_ERR_NOT_FOUND) {
		bh_errorf(err, msg, mcap, "the binding of %.60s cannot be read", fp);
		goto out;
	}

	err = BH_ERR_INVALID;
	if (!found) {
		counted = true;
		remaining =
		    ACCESS_KEY_TRIES - 1 - (int)json_array_size(json_object_get(by_key, fp));
		snprintf(left, sizeof left, "%d", remaining < 0 ? 0 : remaining);
		text_fmt(msg, mcap,
			 remaining > 0 ? "access.redeem_wrong" : "access.redeem_wrong_last", left,
			 NULL, NULL);
	} else if (jint(found, "revoked")) {
		counted = true;
		text_fmt(msg, mcap, "access.redeem_revoked", NULL, NULL, NULL);
	} else if (jint(found, "used")) {
		counted = true;
		text_fmt(msg, mcap, "access.redeem_used", NULL, NULL, NULL);
	} else if (jint(found, "expires") <= now_wall_ms) {
		counted = true;
		text_fmt(msg, mcap, "access.redeem_expired", NULL, NULL, NULL);
	} else if (bound[0] && strcmp(bound, jstr(found, "customer")) != 0) {
		/* One key, one customer; the code stays usable with another key. */
		text_fmt(msg, mcap, "access.redeem_key_taken", NULL, NULL, NULL);
	} else if (bound[0]) {
		/* Already this customer's key: nothing to use up. */
		err = str_copy(customer, ccap, bound) ? BH_OK : BH_ERR_TOO_LARGE;
	} else {
		const char *cust = jstr(found, "customer");
		if (!state_customer_id_ok(cust)) {
			err = bh_errorf(BH_ERR_IO, msg, mcap, "%s/invites/ holds a bad customer",
					dir);
			goto out;
		}
		/* The code is used up first: a crash between the two saves leaves a
		 * used code and an unbound key (ask for a new code), never a code
		 * that binds twice. */
		json_object_set_new(found, "used", json_integer(now_wall_ms));
		json_object_set_new(found, "used_by", json_string(fp));
		err = invite_save(dir, found, msg, mcap);
		if (err)
			goto out;
		memset(&have, 0, sizeof have);
		str_copy(have.fingerprint, sizeof have.fingerprint, fp);
		str_copy(have.customer, sizeof have.customer, cust);
		str_copy(have.from, sizeof have.from, src);
		str_copy(have.invite, sizeof have.invite, jstr(found, "id"));
		have.added = now_wall_ms;
		err = key_write(dir, &have, msg, mcap);
		if (err)
			goto out;
		str_copy(customer, ccap, cust);
		snprintf(detail, sizeof detail, "fingerprint %s from %s invite %s", fp, src,
			 jstr(found, "id"));
		state_audit_in(dir, cust, "key-bound", detail);
		if (mcap)
			msg[0] = '\0';
	}
	if (counted || pruned) {
		if (counted) {
			add_try(by_key, fp, now_wall_ms);
			add_try(by_addr, src, now_wall_ms);
		}
		if (save_doc(dir, "limits.json", limits, 0600, NULL, 0) != BH_OK && counted)
			err = bh_errorf(BH_ERR_IO, msg, mcap, "cannot save %s/limits.json", dir);
	}
	if (counted) {
		/* The try that locks a key or an address out is worth the vendor's
		 * attention (no customer: the code named none). */
		if (json_array_size(json_object_get(by_key, fp)) == ACCESS_KEY_TRIES ||
		    json_array_size(json_object_get(by_addr, src)) == ACCESS_ADDR_TRIES) {
			snprintf(detail, sizeof detail,
				 "fingerprint %s from %s: too many wrong codes", fp, src);
			state_audit_in(dir, "-", "enroll-locked", detail);
		}
	}
out:
	OPENSSL_cleanse(norm, sizeof norm);
	json_decref(limits);
	json_decref(invites);
	close(fd);
	return err;
}
