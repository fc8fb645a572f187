/* The one-click offer on the records screen (issue 12,
 * docs/domain-connect.md): for the records the customer sees, Domain
 * Connect discovery at their DNS host (src/dc/discover.c), then the apply
 * link signed by the vendor's key (or by the broker), into the wizard's
 * w->dc.  Discovery failing is no offer, never an error: the screen keeps
 * the manual instructions.  Runs inside the session's loop; one discovery
 * at a time. */
#ifndef BEHALF_APP_DCOFFER_H
#define BEHALF_APP_DCOFFER_H

#include <stdbool.h>
#include <stddef.h>

#include "app/config.h"
#include "core/loop.h"
#include "core/wizard.h"
#include "dc/sign.h"

struct dcoffer;

/* NULL (msg "") when the configuration offers no Domain Connect (no
 * [domainconnect] private_key_file), NULL with msg when it cannot start.
 * signer is taken (destroyed with the offer); NULL: the local signer of
 * private_key_file is opened here.  Strings of cfg are copied. */
struct dcoffer *dcoffer_create(const struct config *cfg, struct dc_signer *signer, char *msg,
			       size_t cap);
void dcoffer_destroy(struct dcoffer *o);

/* What discovery found, for the audit log: event "domainconnect-offered"
 * (detail: the DNS host), "domainconnect-control-panel" (the DNS host) or
 * "domainconnect-not-offered" (why, sanitized). */
typedef void (*dcoffer_log_fn)(void *ctx, const char *event, const char *detail);
void dcoffer_set_log(struct dcoffer *o, dcoffer_log_fn fn, void *ctx);

/* Adds its sources to the loop (discovery's sockets). */
int dcoffer_add_to(struct dcoffer *o, struct loop *l);

/* Each turn: starts what the records on screen need (a discovery for a
 * new domain or new records) once zone, the zone apex the DNS check
 * found, is known.  Results land in w->dc (and w->dirty: the state keeps
 * the offer for `behalf export`; the caller redraws). */
void dcoffer_update(struct dcoffer *o, struct wizard *w, const char *zone);

/* True once after w->dc changed. */
bool dcoffer_changed(struct dcoffer *o);

/* The signing mode a provider wants (its providerId from the settings). */
enum dc_canon dcoffer_canon_for(const char *provider_id);

#endif
