#include "dc/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/fileio.h"

struct dc_local_signer {
	struct dc_signer base;
	EVP_PKEY *key;
};

/* Reads the private key in path after checking the file: regular, no
 * access for group or others.  NULL with msg. */
static EVP_PKEY *dc_read_private(const char *path, char *msg, size_t cap)
{
	struct stat st;
	EVP_PKEY *key = NULL;
	FILE *f;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, cap, "cannot open the Domain Connect private key %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(msg, cap, "the Domain Connect private key %s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & 077) {
		snprintf(msg, cap,
			 "the Domain Connect private key %s has mode %03o: it must be readable by "
			 "its owner only (chmod 600)",
			 path, (unsigned)(st.st_mode & 0777));
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		snprintf(msg, cap, "cannot read %s", path);
		return NULL;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		EVP_PKEY_free(key);
		snprintf(msg, cap, "%s does not hold an RSA private key in PEM form", path);
		return NULL;
	}
	return key;
}

static enum bh_err dc_local_sign(struct dc_signer *s, const char *data, size_t len,
				 dc_signed_fn done, void *arg, char *msg, size_t cap)
{
	struct buf out = {0};
	struct buf *sig_b64 = &out;
	struct dc_local_signer *l = (struct dc_local_signer *)s;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL, *b64 = NULL;
	size_t siglen = 0;
	enum bh_err err = BH_ERR_INVALID;
	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, l->key) == 1 &&
	    EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)data, len) == 1) {
		sig = malloc(siglen);
		b64 = malloc(4 * ((siglen + 2) / 3) + 1);
		if (sig && b64 &&
		    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)data, len) == 1) {
			int n = EVP_EncodeBlock(b64, sig, (int)siglen);
			err = buf_append(sig_b64, b64, (size_t)n);
		}
	}
	EVP_MD_CTX_free(ctx);
	free(sig);
	free(b64);
	if (err != BH_OK) {
		buf_free(&out);
		snprintf(msg, cap, "signing failed");
		return err;
	}
	done(arg, BH_OK, out.data, "");
	buf_free(&out);
	return BH_OK;
}

static void dc_local_destroy(struct dc_signer *s)
{
	struct dc_local_signer *l = (struct dc_local_signer *)s;
	if (!l)
		return;
	EVP_PKEY_free(l->key);
	free(l);
}

static const struct dc_signer_ops dc_local_ops = {dc_local_sign, dc_local_destroy};

struct dc_signer *dc_signer_local(const char *path, char *msg, size_t cap)
{
	struct dc_local_signer *l;
	EVP_PKEY *key = dc_read_private(path, msg, cap);
	if (!key)
		return NULL;
	l = xcalloc(1, sizeof *l);
	l->base.ops = &dc_local_ops;
	l->key = key;
	return &l->base;
}

/* One apply URL being signed: what dc_apply_url needs once the signature
 * is there. */
struct dc_url_job {
	char *url_sync_ux, *provider_id, *service_id, *key_host;
	struct buf query;
	enum dc_canon mode;
	dc_url_fn done;
	void *arg;
};

static void dc_url_job_free(struct dc_url_job *j)
{
	free(j->url_sync_ux);
	free(j->provider_id);
	free(j->service_id);
	free(j->key_host);
	buf_free(&j->query);
	free(j);
}

static void dc_url_signed(void *arg, enum bh_err err, const char *sig_b64, const char *msg)
{
	struct dc_url_job *j = arg;
	struct buf url = {0};
	if (err == BH_OK) {
		err = dc_apply_url(&url, j->url_sync_ux, j->provider_id, j->service_id,
				   j->query.data, sig_b64, j->key_host, j->mode);
		msg = err ? "the apply URL cannot be built (urlSyncUX or key host)" : "";
	}
	j->done(j->arg, err, err ? NULL : url.data, msg ? msg : "");
	buf_free(&url);
	dc_url_job_free(j);
}

enum bh_err dc_sign_url_start(struct dc_signer *s, const struct dc_url_params *p, dc_url_fn done,
			      void *arg, char *msg, size_t cap)
{
	struct buf canon = {0};
	struct dc_url_job *j = xcalloc(1, sizeof *j);
	enum bh_err err = dc_query(&j->query, p->domain, p->host, p->vars, p->nvars);
	if (err != BH_OK) {
		snprintf(msg, cap, "the domain or a variable's name cannot be sent");
		goto fail;
	}
	/* With key signed, the key parameter is part of what is signed: sign
	 * the query as it will be sent up to sig. */
	if (p->mode == DC_CANON_WITH_KEY) {
		struct buf sent = {0};
		if ((err = buf_puts(&sent, j->query.data)) || (err = buf_puts(&sent, "&key=")) ||
		    (err = dc_url_escape(&sent, p->key_host)) ||
		    (err = dc_canonical(&canon, sent.data, p->mode))) {
			buf_free(&sent);
			snprintf(msg, cap, "the key host cannot be sent");
			goto fail;
		}
		buf_free(&sent);
	} else if ((err = dc_canonical(&canon, j->query.data, p->mode)) != BH_OK) {
		snprintf(msg, cap, "the query cannot be signed");
		goto fail;
	}
	j->url_sync_ux = xstrdup(p->url_sync_ux);
	j->provider_id = xstrdup(p->provider_id);
	j->service_id = xstrdup(p->service_id);
	j->key_host = xstrdup(p->key_host);
	j->mode = p->mode;
	j->done = done;
	j->arg = arg;
	err = s->ops->sign(s, canon.data, canon.len, dc_url_signed, j, msg, cap);
	buf_free(&canon);
	if (err != BH_OK)
		dc_url_job_free(j);
	return err;
fail:
	buf_free(&canon);
	dc_url_job_free(j);
	return err;
}

/* What dc_sign_url waits for. */
struct dc_url_sync {
	enum bh_err err;
	struct buf *out;
	char *msg;
	size_t cap;
};

static void dc_url_sync_done(void *arg, enum bh_err err, const char *url, const char *msg)
{
	struct dc_url_sync *y = arg;
	y->err = err;
	if (err == BH_OK)
		y->err = buf_puts(y->out, url);
	else
		snprintf(y->msg, y->cap, "%s", msg);
}

enum bh_err dc_sign_url(struct dc_signer *s, struct buf *out, const char *url_sync_ux,
			const char *provider_id, const char *service_id, const char *domain,
			const char *host, const struct dc_var *vars, size_t nvars,
			const char *key_host, enum dc_canon mode, char *msg, size_t cap)
{
	struct dc_url_params p = {url_sync_ux, provider_id, service_id, domain, host,
				  vars,	       nvars,	    key_host,	mode};
	struct dc_url_sync y = {BH_OK, out, msg, cap};
	enum bh_err err;
	/* only the local signer answers before sign returns: another would
	 * call back into this stack frame later */
	if (s->ops != &dc_local_ops) {
		snprintf(msg, cap, "this signer answers later: use dc_sign_url_start");
		return BH_ERR_INVALID;
	}
	err = dc_sign_url_start(s, &p, dc_url_sync_done, &y, msg, cap);
	return err != BH_OK ? err : y.err;
}

/* Un-escapes %XX into raw (cap bytes); the length, or -1. */
static long dc_unescape(const char *s, char *raw, size_t cap)
{
	size_t n = 0;
	for (; *s; s++) {
		unsigned v;
		if (n + 1 >= cap)
			return -1;
		if (*s == '%') {
			if (sscanf(s + 1, "%2x", &v) != 1 || !s[1] || !s[2])
				return -1;
			raw[n++] = (char)v;
			s += 2;
		} else {
			raw[n++] = *s;
		}
	}
	raw[n] = '\0';
	return (long)n;
}

/* Decodes standard base64 (padding counted off); -1 when not base64. */
static long dc_b64_decode(const char *b64, size_t n, unsigned char *out, size_t cap)
{
	int len;
	size_t pad = 0;
	if (n % 4 || n / 4 * 3 > cap)
		return -1;
	len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (len < 0)
		return -1;
	if (n && b64[n - 1] == '=')
		pad++;
	if (n > 1 && b64[n - 2] == '=')
		pad++;
	return len - (long)pad;
}

/* The public key of pub: PEM, or base64 DER SubjectPublicKeyInfo. */
static EVP_PKEY *dc_public_key(const char *pub)
{
	EVP_PKEY *key = NULL;
	if (strstr(pub, "-----BEGIN")) {
		BIO *bio = BIO_new_mem_buf(pub, -1);
		if (bio)
			key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		size_t n = strlen(pub);
		unsigned char *der = malloc(n / 4 * 3 + 4);
		long len = der ? dc_b64_decode(pub, n, der, n / 4 * 3 + 4) : -1;
		const unsigned char *p = der;
		if (len > 0)
			key = d2i_PUBKEY(NULL, &p, len);
		free(der);
	}
	if (key && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

bool dc_verify(const char *pub, const char *data, size_t len, const char *sig_b64)
{
	char b64[2048];
	unsigned char sig[1536];
	long n = dc_unescape(sig_b64, b64, sizeof b64), siglen;
	EVP_PKEY *key;
	EVP_MD_CTX *ctx;
	bool ok = false;
	if (n <= 0)
		return false;
	siglen = dc_b64_decode(b64, (size_t)n, sig, sizeof sig);
	if (siglen <= 0)
		return false;
	key = dc_public_key(pub);
	ctx = EVP_MD_CTX_new();
	if (key && ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sig, (size_t)siglen, (const unsigned char *)data, len) ==
		     1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

/* Appends the base64 SubjectPublicKeyInfo of key. */
static enum bh_err dc_spki_b64(EVP_PKEY *key, struct buf *out)
{
	unsigned char *der = NULL, *b64;
	int n = i2d_PUBKEY(key, &der);
	enum bh_err err = BH_ERR_INVALID;
	if (n <= 0)
		return err;
	b64 = malloc(4 * (((size_t)n + 2) / 3) + 1);
	if (b64) {
		int m = EVP_EncodeBlock(b64, der, n);
		err = buf_append(out, b64, (size_t)m);
	}
	free(b64);
	OPENSSL_free(der);
	return err;
}

enum bh_err dc_keygen(const char *path, unsigned bits, struct buf *spki_b64, char *msg, size_t cap)
{
	EVP_PKEY *key = EVP_RSA_gen(bits ? bits : 2048);
	BIO *mem = NULL;
	char *pem = NULL;
	long pemlen = 0;
	enum bh_err err = BH_ERR_INVALID;
	int fd = -1;
	if (!key) {
		snprintf(msg, cap, "cannot make an RSA key");
		return err;
	}
	mem = BIO_new(BIO_s_mem());
	if (!mem || PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL) != 1) {
		snprintf(msg, cap, "cannot write the key");
		goto done;
	}
	pemlen = BIO_get_mem_data(mem, &pem);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(msg, cap, "cannot create %s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (an existing key is never overwritten)" : "");
		err = BH_ERR_IO;
		goto done;
	}
	if (fchmod(fd, 0600) != 0 || !file_write_all(fd, pem, (size_t)pemlen) || fsync(fd) != 0) {
		snprintf(msg, cap, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		fd = -1;
		unlink(path);
		err = BH_ERR_IO;
		goto done;
	}
	err = dc_spki_b64(key, spki_b64);
	if (err != BH_OK)
		snprintf(msg, cap, "cannot encode the public key");
done:
	if (fd >= 0)
		close(fd);
	if (pem)
		OPENSSL_cleanse(pem, (size_t)pemlen); /* the private key, out of memory */
	BIO_free(mem);
	EVP_PKEY_free(key);
	return err;
}

enum bh_err dc_pubkey_of(const char *path, struct buf *spki_b64, char *msg, size_t cap)
{
	EVP_PKEY *key = dc_read_private(path, msg, cap);
	enum bh_err err;
	if (!key)
		return BH_ERR_INVALID;
	err = dc_spki_b64(key, spki_b64);
	EVP_PKEY_free(key);
	return err;
}

size_t dc_txt_split(const char *spki_b64, size_t chunk, char **items, size_t max)
{
	size_t len = strlen(spki_b64), parts, i, each;
	if (!chunk)
		chunk = 200;
	if (chunk > 230 || !len)
		return 0;
	parts = (len + chunk - 1) / chunk;
	if (parts > max)
		return 0;
	each = (len + parts - 1) / parts; /* even parts rather than a short last one */
	for (i = 0; i < parts; i++) {
		size_t off = i * each, n = len - off < each ? len - off : each;
		char head[48];
		int h = snprintf(head, sizeof head, "p=%zu,a=RS256,d=", i + 1);
		items[i] = xmalloc((size_t)h + n + 1);
		memcpy(items[i], head, (size_t)h);
		memcpy(items[i] + h, spki_b64 + off, n);
		items[i][(size_t)h + n] = '\0';
	}
	return parts;
}
