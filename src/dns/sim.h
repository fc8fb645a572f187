/* The demo's simulated DNS world: a struct dns_source whose authoritative
 * servers answer from a scenario (assets/scenarios/<id>.ini) instead of the
 * network.  A scenario is a list of stages, each what "the customer" has
 * done at their DNS host so far; the presenter moves to the next stage with
 * a key.  Answers are built as real DNS answer data and judged by
 * core/record.c, exactly like live answers.  They arrive after a simulated
 * round trip (BEHALF_DEMO_DNS_MS, default 120 ms; tests use 0) through the
 * source's deadline and dispatch. */
#ifndef BEHALF_DNS_SIM_H
#define BEHALF_DNS_SIM_H

#include <stdbool.h>

#include "core/error.h"
#include "dns/dns.h"

/* Creates the simulated world of scenario_id ("default" when NULL or ""),
 * at stage 0.  NULL with *err set (BH_ERR_NOT_FOUND: no such scenario,
 * BH_ERR_PARSE: the scenario file is broken).  Caller destroys it with
 * src->ops->destroy(src). */
struct dns_source *sim_create(const char *scenario_id, enum bh_err *err);

/* The same from a scenario's text (the format of assets/scenarios/), e.g.
 * a scenario of the vendor's own; id names it. */
struct dns_source *sim_create_text(const char *id, const char *text, enum bh_err *err);

/* The shape of the domains the demo's ESP makes in this scenario, as its
 * "esp" key says ("sendgrid"), or "" for the default (Postmark's). */
const char *sim_esp_shape(const struct dns_source *src);

/* Moves to the next stage (the presenter's key); false at the last one. */
bool sim_advance(struct dns_source *src);
/* The current stage, from 0. */
int sim_stage(const struct dns_source *src);
/* How many stages the scenario has. */
int sim_stage_count(const struct dns_source *src);
/* Sets the stage (clamped to the scenario's), e.g. restored from the
 * customer's saved state. */
void sim_set_stage(struct dns_source *src, int stage);
/* What "the customer" did at the current stage, for the presenter (static
 * until the source is destroyed; "" when the scenario says nothing). */
const char *sim_stage_caption(const struct dns_source *src);
/* Domain Connect in the story (keys domainconnect and domainconnect_ux):
 * the DNS host's display name and the pretend urlSyncUX its one-click
 * link starts with; "" when the scenario offers none. */
const char *sim_dc_provider(const struct dns_source *src);
const char *sim_dc_ux(const struct dns_source *src);

/* The scenario's title and id (static until the source is destroyed). */
const char *sim_title(const struct dns_source *src);
const char *sim_id(const struct dns_source *src);

/* The ids of every scenario in assets/scenarios/, "default" first, ended by
 * NULL.  Static: never freed. */
const char *const *sim_scenarios(void);

#endif
