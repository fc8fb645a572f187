/* Who may reach which customer's onboarding over SSH: invites (one-time
 * codes), key bindings (an OpenSSH key fingerprint to a customer), the
 * limits on wrong codes and the audit log of bindings.
 *
 * Layout of <state_dir>/access/ (created 0700, every file 0600: only the
 * sessions' user reads it; `behalf ssh-keys`, sshd's key command, runs as
 * another user and never reads the store):
 *   keys/<name>.json  one binding a file: {"schema":1, fingerprint, customer,
 *                   added, from, invite}; <name> is the fingerprint's 43
 *                   base64 characters with '/' as '_' and '+' as '-'.  A
 *                   look-up reads one small file, whatever the number of
 *                   keys; the lists read the directory.
 *   invites/<hash>.json  one invite a file: {"schema":1, id, hash, customer,
 *                   created, expires, seq, used, used_by, revoked} (seq: how
 *                   many invites were made before it), named by the
 *                   hash of its code (64 hex digits): a typed code finds its
 *                   invite by one file; the list and revoking by id read
 *                   the directory
 *   keys.json, invites.json  an earlier behalf's, everything in one file:
 *                   moved to keys/ and invites/ by the first writer (or by a
 *                   look-up or a list that finds the lock free, as the
 *                   store's owner), then removed ("store-upgraded" in the
 *                   audit log); read as they are until then
 *   limits.json     the times of recent wrong codes per key and per address,
 *                   without those that left the window (every writer prunes)
 *   secret          32 random bytes, mode 0600: the HMAC key of code hashes
 *   lock            flock()ed by writers (never waited on by look-ups)
 *   audit.jsonl     bindings, unbinds, invites, revocations, lockouts; never
 *                   a code
 *
 * A code is never stored: only HMAC-SHA-256(secret, normalised code).  With
 * 80 random bits a plain SHA-256 would already resist guessing; the keyed
 * hash also makes a copy of invites/ (a backup, a support ticket) useless
 * without the secret file, and costs nothing.
 *
 * Writers take the lock, read, change and replace files by rename (fsync),
 * so a reader sees the old file or the new one, never half of one.  Every
 * writer first finishes an upgrade and prunes limits.json. */
#ifndef BEHALF_APP_ACCESS_H
#define BEHALF_APP_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define ACCESS_FP_MAX	   80	    /* "SHA256:<43 base64 chars>" with NUL, and slack */
#define ACCESS_CODE_MAX	   32	    /* a typed code, as printed (groups with dashes) */
#define ACCESS_ID_MAX	   16	    /* an invite's short id ("K3F9QD") with NUL */
#define ACCESS_FROM_MAX	   64	    /* a source address as stored */
#define ACCESS_CODE_CHARS  16	    /* 16 Crockford base32 characters: 80 bits */
#define ACCESS_FROM_VENDOR "vendor" /* the "from" of a key the vendor bound */

#define ACCESS_KEY_TRIES      5	 /* wrong codes per key per window */
#define ACCESS_ADDR_TRIES     20 /* wrong codes per source address per window */
#define ACCESS_TRY_WINDOW_MS  (15 * 60 * 1000)
#define ACCESS_EXPIRES_MAX_MS (90LL * 24 * 3600 * 1000) /* the longest --expires */

/* The OpenSSH fingerprint ("SHA256:...", unpadded base64 of the SHA-256 of
 * the decoded key blob) of a public key given as its type and base64 blob
 * (as sshd's %t %k, or a line of $SSH_USER_AUTH); BH_ERR_PARSE when the
 * blob is not base64 or its type inside does not match. */
enum bh_err access_key_fingerprint(const char *type, const char *blob_b64, char *fp, size_t cap);

/* The customer bound to key fingerprint fp (cap bytes), BH_ERR_NOT_FOUND
 * when none.  Reads one small file (access/keys/<name>.json) and never waits
 * on a lock; in a store of an earlier behalf (access/keys.json) it moves the
 * bindings to keys/ first when the writers' lock is free at once, else reads
 * keys.json.  BH_ERR_IO/BH_ERR_PARSE when the binding cannot be read. */
enum bh_err access_key_customer(const char *state_dir, const char *fp, char *customer, size_t cap);

/* A code typed on the enrollment screen for key fp, connected from address
 * from: on success binds fp to the code's customer (the code is used up),
 * writes the audit line (fingerprint, customer, source; never the code) and
 * returns BH_OK with customer set.  BH_ERR_INVALID: wrong, used, expired or
 * revoked code (msg says which in words a customer understands, without
 * revealing whether another customer's code exists), or the key is already
 * bound to another customer (the code is not used up); BH_ERR_BUSY: too many
 * wrong codes from this key or this address, *wait_s seconds to wait (msg
 * says so); BH_ERR_IO when the store cannot be read or written. */
enum bh_err access_redeem(const char *state_dir, const char *code, const char *fp, const char *from,
			  int64_t now_wall_ms, char *customer, size_t ccap, int *wait_s, char *msg,
			  size_t mcap);

/* ---- for the vendor's commands (behalf invite, behalf keys) ---- */

/* Normalises a typed code: case folded, I and L read as 1, O as 0, blanks
 * and dashes anywhere ignored; out (ACCESS_CODE_CHARS + 1 bytes at least)
 * gets the 16 characters.  False when it is not 16 Crockford characters. */
bool access_code_normalise(const char *typed, char *out, size_t cap);

/* Parses a duration such as "7d", "12h", "30m", "2w" (a number and a unit)
 * into *ms; false when malformed, zero or over ACCESS_EXPIRES_MAX_MS. */
bool access_parse_duration(const char *s, int64_t *ms);

/* Mints a code for customer valid until now + valid_ms: code (as printed,
 * "7KQ2-M9XD-4HTE-W3PA", ACCESS_CODE_MAX) and id (ACCESS_ID_MAX) are set;
 * only the code's hash is stored.  Creates the access directory and the
 * secret when missing.  BH_ERR_INVALID for a bad customer id. */
enum bh_err access_invite_create(const char *state_dir, const char *customer, int64_t now_wall_ms,
				 int64_t valid_ms, char *code, char *id, char *msg, size_t mcap);

struct access_invite {
	char id[ACCESS_ID_MAX];
	char customer[65];
	int64_t created, expires; /* wall ms */
	int64_t used, revoked;	  /* wall ms, 0 when not */
	char used_by[ACCESS_FP_MAX];
};

/* Every invite, oldest first, into a malloc'ed array (*n of them; *out NULL
 * when none).  BH_ERR_IO/BH_ERR_PARSE on a store that cannot be read. */
enum bh_err access_invite_list(const char *state_dir, struct access_invite **out, size_t *n,
			       char *msg, size_t mcap);

/* Revokes the invite named by its id or its code (as typed): it can no
 * longer be redeemed.  *inv gets the invite.  BH_ERR_NOT_FOUND when no such
 * invite, BH_ERR_INVALID when it was already used or revoked. */
enum bh_err access_invite_revoke(const char *state_dir, const char *code_or_id, int64_t now_wall_ms,
				 struct access_invite *inv, char *msg, size_t mcap);

struct access_key {
	char fingerprint[ACCESS_FP_MAX];
	char customer[65];
	int64_t added; /* wall ms */
	char from[ACCESS_FROM_MAX];
	char invite[ACCESS_ID_MAX];
};

/* The bound keys (of customer, or all when customer is NULL), in the order
 * they were bound, into a malloc'ed array. */
enum bh_err access_key_list(const char *state_dir, const char *customer, struct access_key **out,
			    size_t *n, char *msg, size_t mcap);

/* Binds key fingerprint fp to customer without a code (behalf keys --bind: a
 * key the vendor already has), from ACCESS_FROM_VENDOR, audited as key-bound
 * like an enrollment.  *key gets the binding.  BH_OK, with *already set when
 * the key was this customer's already (nothing written); BH_ERR_INVALID when
 * it is bound to another customer (*key names it; one key, one customer) or
 * fp or customer is malformed; BH_ERR_IO. */
enum bh_err access_key_bind(const char *state_dir, const char *fp, const char *customer,
			    int64_t now_wall_ms, struct access_key *key, bool *already, char *msg,
			    size_t mcap);

/* Removes the binding of fingerprint fp (audited); *key gets what it was.
 * BH_ERR_NOT_FOUND when fp is not bound. */
enum bh_err access_key_unbind(const char *state_dir, const char *fp, struct access_key *key,
			      char *msg, size_t mcap);

/* <state_dir>/access into out; false when too long. */
bool access_dir(const char *state_dir, char *out, size_t cap);

#endif
