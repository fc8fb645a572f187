/* Domain Connect signing (RS256: RSA PKCS#1 v1.5 over SHA-256) and the
 * vendor's key pair (docs/domain-connect.md).  Signing goes through a
 * struct dc_signer so that the private key can live elsewhere: the local
 * signer reads it from a file; a brokered one (the broker signs for a
 * session served over SSH) implements the same ops. */
#ifndef BEHALF_DC_SIGN_H
#define BEHALF_DC_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/alloc.h"
#include "core/error.h"
#include "dc/url.h"

struct dc_signer;

/* What became of a signature: err BH_OK with sig_b64 (standard base64,
 * padded, not URL escaped), else msg says why (never key material). */
typedef void (*dc_signed_fn)(void *arg, enum bh_err err, const char *sig_b64, const char *msg);

struct dc_signer_ops {
	/* Starts the RS256 signature of data[0..len) (the canonical string,
	 * dc_canonical).  done runs exactly once: before sign returns (the
	 * local signer) or later from the event loop (the broker's, whose
	 * connection is a loop source).  Any result but BH_OK: nothing
	 * started, done is not called, msg says why. */
	enum bh_err (*sign)(struct dc_signer *s, const char *data, size_t len, dc_signed_fn done,
			    void *arg, char *msg, size_t cap);
	/* Frees the signer; a signature still under way ends with done
	 * called with BH_ERR_NETWORK first. */
	void (*destroy)(struct dc_signer *s);
};

struct dc_signer {
	const struct dc_signer_ops *ops;
};

/* The local signer: the PEM private key (RSA) in path, which must be a
 * regular file not readable or writable by group or others (mode 600 or
 * 400); refused otherwise, with a message naming the file and its mode.
 * NULL with msg on failure. */
struct dc_signer *dc_signer_local(const char *path, char *msg, size_t cap);

/* What an apply URL is made of (dc_sign_url_start); strings borrowed for
 * the call only. */
struct dc_url_params {
	const char *url_sync_ux; /* the provider's urlSyncUX */
	const char *provider_id; /* the template's providerId (the vendor) */
	const char *service_id;	 /* the template's serviceId */
	const char *domain;	 /* the zone apex at the DNS host */
	const char *host;	 /* "" or the subdomain's labels under domain */
	const struct dc_var *vars;
	size_t nvars;
	const char *key_host; /* the public key's TXT label: "_dck1" */
	enum dc_canon mode;
};

/* The signed URL, or why not (url NULL).  url is valid during the call. */
typedef void (*dc_url_fn)(void *arg, enum bh_err err, const char *url, const char *msg);

/* Signs an apply URL: the query string of domain, host and vars
 * (dc_query), its canonical form for mode signed by s, then the URL
 * (dc_apply_url).  done runs once, as with ops->sign; any other result
 * than BH_OK: done is not called, msg says why. */
enum bh_err dc_sign_url_start(struct dc_signer *s, const struct dc_url_params *p, dc_url_fn done,
			      void *arg, char *msg, size_t cap);

/* dc_sign_url_start with the local signer (dc_signer_local), which
 * answers at once: the URL into out.  BH_ERR_INVALID for any other signer. */
enum bh_err dc_sign_url(struct dc_signer *s, struct buf *out, const char *url_sync_ux,
			const char *provider_id, const char *service_id, const char *domain,
			const char *host, const struct dc_var *vars, size_t nvars,
			const char *key_host, enum dc_canon mode, char *msg, size_t cap);

/* Verifies sig_b64 (standard base64, or its URL-escaped form) over data
 * with the public key pub_b64: the base64 of a SubjectPublicKeyInfo (DER),
 * or a PEM "BEGIN PUBLIC KEY" block.  True only for a valid RS256
 * signature. */
bool dc_verify(const char *pub, const char *data, size_t len, const char *sig_b64);

/* Makes an RSA key pair of bits (2048 when 0): the private key written as
 * PEM to path, created mode 600 (O_EXCL: never overwrites), and the public
 * key's SubjectPublicKeyInfo in base64, one line, appended to spki_b64. */
enum bh_err dc_keygen(const char *path, unsigned bits, struct buf *spki_b64, char *msg, size_t cap);

/* The public key of the private key file path (same checks as the local
 * signer), as base64 SubjectPublicKeyInfo appended to spki_b64. */
enum bh_err dc_pubkey_of(const char *path, struct buf *spki_b64, char *msg, size_t cap);

/* The TXT strings that publish spki_b64: "p=1,a=RS256,d=...",
 * "p=2,a=RS256,d=..." with at most chunk bytes of key in each (each string
 * stays <= 255 bytes; chunk 0 means 200).  Returns how many, at most max
 * (0 when they do not fit); each items[i] is malloced. */
size_t dc_txt_split(const char *spki_b64, size_t chunk, char **items, size_t max);

#endif
