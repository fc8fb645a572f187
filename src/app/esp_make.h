/* The one place that makes the backends from the configuration: the ESP
 * ([esp] provider, or the demo's sandbox with --demo) and the live DNS
 * engine ([dns]).  No other file of the application names a backend's own
 * functions (postmark_*, sandbox_*): the rest talks to esp.h's operations,
 * checks esp_ops.caps, and reaches the demo's pretend account through the
 * esp_make_demo_* functions below.
 *
 * Adding an ESP: its src/esp/<name>.c fills struct esp_ops (caps saying
 * what it can do), and esp_make_providers / esp_make gain one entry. */
#ifndef BEHALF_APP_ESP_MAKE_H
#define BEHALF_APP_ESP_MAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "app/config.h"
#include "dns/dns.h"
#include "dc/sign.h"
#include "esp/esp.h"

/* True when provider (any case) is an ESP behalf can talk to. */
bool esp_make_known(const char *provider);
/* The known providers, for messages: "postmark". */
const char *esp_make_providers(void);

/* True when the configuration holds what the ESP needs (Postmark: an
 * account token), checked before anything is opened; else false with msg
 * (cap bytes) saying what to set. */
bool esp_make_ready(const struct config *cfg, char *msg, size_t cap);

/* The ESP the configuration names (cfg->wizard.demo: the offline sandbox
 * keeping its account in cfg->state_dir; [esp] broker: the broker's client,
 * esp/brokered.h, for cfg->wizard.customer_id, with the broker's ESP's
 * capabilities).  Refuses, with msg (cap bytes),
 * a configuration asking for what the ESP cannot do (per_customer_server
 * = yes or ask without ESP_CAP_SERVERS; with --demo that setting is
 * ignored: the demo has no servers).  Free with esp->ops->destroy. */
struct esp *esp_make(const struct config *cfg, char *msg, size_t cap);

/* What the session may offer with esp: its capabilities; with --demo, less
 * those BEHALF_DEMO_WITHOUT lists (comma-separated words: signatures,
 * servers, send, dkim-rotation), so that a presenter can show, and the
 * tests check, the wizard with an ESP that lacks them. */
unsigned esp_make_caps(const struct config *cfg, const struct esp *esp);

/* Who signs Domain Connect links for a session (docs/domain-connect.md):
 * with [esp] broker, the broker (the vendor's key never in the session),
 * through esp's connection; NULL otherwise: the session's own local signer
 * of [domainconnect] private_key_file. */
struct dc_signer *esp_make_dc_signer(const struct config *cfg, struct esp *esp);

/* The longest name the ESP puts in front of a customer's domain (e.g.
 * Postmark's "20250817055129pm._domainkey"), into out (cap bytes), so that
 * a domain too long for its records is refused before anything is made. */
void esp_make_longest_label(const struct config *cfg, char *out, size_t cap);

/* The live DNS engine of [dns]; NULL with msg.  Free with ops->destroy. */
struct dns_source *esp_make_dns(const struct config *cfg, char *msg, size_t cap);

/* The demo's pretend account (esp made by esp_make with --demo; these
 * return false / BH_ERR_INVALID for any other ESP). */

/* True when customer played the demo in this account; scenario (cap
 * bytes) receives the story saved for them. */
bool esp_make_demo_customer(struct esp *esp, const char *customer, char *scenario, size_t cap);
/* Records that customer plays scenario; msg (cap bytes) says why not. */
enum bh_err esp_make_demo_customer_set(struct esp *esp, const char *customer, const char *scenario,
				       char *msg, size_t cap);
/* Makes the demo's pretend ESP describe records as the ESP named by the
 * scenario's shape does ("postmark", "sendgrid"); msg (cap bytes) says why
 * not. */
enum bh_err esp_make_demo_shape(struct esp *esp, const char *shape, char *msg, size_t cap);
/* Forgets the demo customer in the account kept in state_dir (what the
 * demo made for them too); scenario (scap bytes) receives the story they
 * played.  BH_ERR_NOT_FOUND when the account does not list them. */
enum bh_err esp_make_demo_forget(const char *state_dir, const char *customer, char *scenario,
				 size_t scap, char *msg, size_t cap);

#endif
