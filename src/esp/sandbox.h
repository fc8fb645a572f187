/* The sandbox ESP: an offline, deterministic stand-in for Postmark, for
 * `behalf --demo` and for tests of the UI.
 *
 * Its pretend account lives in <state_dir>/sandbox-account.json (domains and
 * sender signatures with their ids, next id), read at each operation and
 * written atomically after each change, so that "ensure" finds what an
 * earlier run created, even after kill -9, and never creates twice.
 *
 * Results are shaped like Postmark's: a new domain gets a pending DKIM key
 * at <UTC yyyyMMddHHmmss>pm._domainkey.<domain> (the time from
 * clock_wall_ms(), so BEHALF_FAKE_TIME pins it) whose value is a real
 * 1024-bit RSA public key picked by a hash of the domain name from
 * assets/demo/dkim-keys.txt, and a Return-Path CNAME to pm.mtasv.net.
 *
 * Another profile (sandbox_set_profile) makes domains of another ESP's
 * shape: SendGrid's three CNAMEs.  The account keeps such a domain as a
 * neutral "Records" list (Purpose, Type, Name, Value, Required, Verified).
 *
 * Verification is honest about the DNS: the sandbox does not look at DNS
 * itself; the application reports what its last DNS check found with
 * sandbox_set_dns_verified(), and domain_verify marks a record verified
 * only when that report had it verified, matched by type and name (a
 * pending DKIM key then becomes the active one, as at Postmark).  The report lives in
 * memory: after a restart the application's first DNS check reports again.
 *
 * email_send sends nothing: the email is kept in the account file's
 * "Outbox" (the latest few) and the reply says where.
 *
 * Every operation completes after a simulated latency (BEHALF_DEMO_ESP_MS,
 * default 300 ms) through the source's deadline and dispatch: the callback
 * never runs inside the call.  One request at a time. */
#ifndef BEHALF_ESP_SANDBOX_H
#define BEHALF_ESP_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "esp/esp.h"

#define SANDBOX_LATENCY_MS 300 /* default simulated latency of each request */

/* A sandbox ESP keeping its account in state_dir (created, mode 0700, when
 * missing); NULL with msg (cap bytes) set when the directory cannot be made
 * or the account file is corrupt.  Free with esp->ops->destroy(esp). */
struct esp *sandbox_create(const char *state_dir, char *msg, size_t cap);

/* The application's last DNS check of the domain with ESP id domain_id:
 * records[i] was verified in the DNS when results[i].status is
 * STATUS_VERIFIED (matched later by type and name against the domain's
 * records).  Does nothing when esp is not a sandbox. */
void sandbox_set_dns_verified(struct esp *esp, const char *domain_id,
			      const struct expected_record *records,
			      const struct record_result *results, size_t n);

/* The shape of the domains the sandbox creates (those it made before keep
 * theirs). */
enum sandbox_profile {
	SANDBOX_PROFILE_POSTMARK, /* a DKIM TXT and a Return-Path CNAME (the default) */
	SANDBOX_PROFILE_SENDGRID, /* three CNAMEs: em<N> (return path), s1 and s2 DKIM keys */
};
/* The longest name the sandbox puts in front of a customer's domain for
 * its records, into out (cap bytes): for validate_record_names. */
void sandbox_longest_label(char *out, size_t cap);
/* Sets the profile of the domains created from now on. */
void sandbox_set_profile(struct esp *esp, enum sandbox_profile profile);
/* "postmark" (or "" / NULL) and "sendgrid", any case, into *profile; false
 * for anything else. */
bool sandbox_profile_parse(const char *word, enum sandbox_profile *profile);

/* The demo's customer clicks the link in the confirmation email of the
 * signature with id signature_id: it is confirmed at once (no latency).
 * BH_ERR_NOT_FOUND for an unknown id, BH_ERR_INVALID when esp is not a
 * sandbox. */
enum bh_err sandbox_click(struct esp *esp, const char *signature_id);

/* The demo customers who played in this account are listed in its "Demos"
 * object with the scenario they play, and what the sandbox creates for one
 * is tagged with the customer, so that a reset removes only theirs. */

/* True when customer has played the demo in this account; out (cap bytes)
 * receives the scenario id saved for them ("" when not). */
bool sandbox_customer_scenario(struct esp *esp, const char *customer, char *out, size_t cap);
/* Records that customer plays scenario, and tags what is created from now
 * on with customer.  msg (cap bytes) says why it failed. */
enum bh_err sandbox_customer_set(struct esp *esp, const char *customer, const char *scenario,
				 char *msg, size_t cap);
/* Forgets the demo customer in the account of state_dir: their entry and
 * the domains and signatures tagged with them; the account file goes when
 * no demo customer is left.  scenario (scap bytes) receives the scenario
 * they played.  BH_ERR_NOT_FOUND (nothing changed) when the account does
 * not list the customer (or does not exist). */
enum bh_err sandbox_forget(const char *state_dir, const char *customer, char *scenario, size_t scap,
			   char *msg, size_t cap);
/* Forgets the DNS reports kept in memory (after a reset). */
void sandbox_forget_reports(struct esp *esp);

/* True when esp is a sandbox. */
bool sandbox_is(const struct esp *esp);

#endif
