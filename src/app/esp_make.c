#include "app/esp_make.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/text.h"
#include "dns/engine.h"
#include "esp/brokered.h"
#include "esp/postmark.h"
#include "esp/sandbox.h"

/* The providers of [esp] provider. */
static const char *const esp_providers[] = {"postmark"};

bool esp_make_known(const char *provider)
{
	size_t i;
	for (i = 0; i < sizeof esp_providers / sizeof esp_providers[0]; i++)
		if (strcasecmp(provider, esp_providers[i]) == 0)
			return true;
	return false;
}

const char *esp_make_providers(void)
{
	return "postmark";
}

bool esp_make_ready(const struct config *cfg, char *msg, size_t cap)
{
	if (cfg->wizard.demo || cfg->account_token[0] || cfg->broker_path[0])
		return true;
	str_copy(msg, cap, text_get("session.no_token"));
	return false;
}

/* Postmark, from [postmark].  The tokens are copied by the client; the
 * caller wipes the configuration's. */
static struct esp *esp_make_postmark(const struct config *cfg, char *msg, size_t cap)
{
	struct postmark_config pm;
	char server_name[WIZARD_ID_MAX + 16];

	memset(&pm, 0, sizeof pm);
	pm.api_url = cfg->api_url;
	pm.account_token = cfg->account_token;
	pm.server_token = cfg->server_token[0] ? cfg->server_token : NULL;
	if (!postmark_server_mode_parse(cfg->per_customer_server, &pm.server_mode))
		pm.server_mode = POSTMARK_SERVER_NO;
	pm.timeout_ms = cfg->api_timeout_ms;
	pm.retry_base_ms = cfg->api_retry_base_ms;
	snprintf(server_name, sizeof server_name, "behalf-%s", cfg->wizard.customer_id);
	pm.server_name = server_name;
	pm.return_path_label = cfg->bounce_label;
	return postmark_create(&pm, msg, cap);
}

struct esp *esp_make(const struct config *cfg, char *msg, size_t cap)
{
	struct esp *esp;
	if (cfg->wizard.demo)
		return sandbox_create(cfg->state_dir, msg, cap);
	/* [esp] broker: the broker holds the tokens and makes the calls;
	 * nothing secret in this process.  Else config_load refused any other
	 * provider than Postmark. */
	if (cfg->broker_path[0])
		esp = brokered_create(cfg->broker_path, cfg->wizard.customer_id, cfg->broker_ticket,
				      msg, cap);
	else
		esp = esp_make_postmark(cfg, msg, cap);
	if (esp && cfg->wizard.server_mode != SERVER_MODE_NO && !esp_can(esp, ESP_CAP_SERVERS)) {
		text_fmt(msg, cap, "session.no_servers", esp->ops->name, cfg->per_customer_server,
			 NULL);
		esp->ops->destroy(esp);
		return NULL;
	}
	return esp;
}

/* The words of BEHALF_DEMO_WITHOUT. */
static const struct {
	const char *word;
	unsigned cap;
} esp_cap_words[] = {
    {"signatures", ESP_CAP_SIGNATURES},
    {"servers", ESP_CAP_SERVERS},
    {"send", ESP_CAP_SEND},
    {"dkim-rotation", ESP_CAP_DKIM_ROTATION},
};

unsigned esp_make_caps(const struct config *cfg, const struct esp *esp)
{
	const char *without = getenv("BEHALF_DEMO_WITHOUT");
	char list[256], *items[8];
	unsigned caps = esp->ops->caps;
	size_t i, j, n;
	if (!cfg->wizard.demo || !without)
		return caps;
	str_copy(list, sizeof list, without);
	n = config_split_list(list, items, sizeof items / sizeof items[0]);
	for (i = 0; i < n; i++)
		for (j = 0; j < sizeof esp_cap_words / sizeof esp_cap_words[0]; j++)
			if (strcasecmp(items[i], esp_cap_words[j].word) == 0)
				caps &= ~esp_cap_words[j].cap;
	return caps;
}

struct dns_source *esp_make_dns(const struct config *cfg, char *msg, size_t cap)
{
	struct dns_engine_config dc;
	char resolvers[sizeof cfg->resolvers], auth[sizeof cfg->authoritative];
	char *rlist[DNS_ENGINE_MAX_RESOLVERS], *alist[RECORD_MAX_SERVERS];

	memset(&dc, 0, sizeof dc);
	str_copy(resolvers, sizeof resolvers, cfg->resolvers);
	str_copy(auth, sizeof auth, cfg->authoritative);
	dc.nresolvers = config_split_list(resolvers, rlist, DNS_ENGINE_MAX_RESOLVERS);
	dc.resolvers = (const char *const *)rlist;
	dc.nauthoritative = config_split_list(auth, alist, RECORD_MAX_SERVERS);
	dc.authoritative = (const char *const *)alist;
	return dns_engine_create(&dc, msg, cap);
}

bool esp_make_demo_customer(struct esp *esp, const char *customer, char *scenario, size_t cap)
{
	if (!sandbox_is(esp)) {
		if (cap)
			scenario[0] = '\0';
		return false;
	}
	return sandbox_customer_scenario(esp, customer, scenario, cap);
}

enum bh_err esp_make_demo_customer_set(struct esp *esp, const char *customer, const char *scenario,
				       char *msg, size_t cap)
{
	if (!sandbox_is(esp))
		return bh_errorf(BH_ERR_INVALID, msg, cap, "not the demo's ESP");
	return sandbox_customer_set(esp, customer, scenario, msg, cap);
}

enum bh_err esp_make_demo_forget(const char *state_dir, const char *customer, char *scenario,
				 size_t scap, char *msg, size_t cap)
{
	return sandbox_forget(state_dir, customer, scenario, scap, msg, cap);
}

void esp_make_longest_label(const struct config *cfg, char *out, size_t cap)
{
	if (cfg->wizard.demo)
		sandbox_longest_label(out, cap);
	else
		postmark_longest_label(cfg->bounce_label, out, cap);
}

enum bh_err esp_make_demo_shape(struct esp *esp, const char *shape, char *msg, size_t cap)
{
	enum sandbox_profile profile;

	if (!sandbox_is(esp))
		return BH_ERR_INVALID;
	if (!sandbox_profile_parse(shape, &profile))
		return bh_errorf(BH_ERR_PARSE, msg, cap, "unknown esp \"%.40s\"", shape);
	sandbox_set_profile(esp, profile);
	return BH_OK;
}

struct dc_signer *esp_make_dc_signer(const struct config *cfg, struct esp *esp)
{
	/* [esp] broker: the broker holds the vendor's key and signs (op
	 * dc_sign); the session never opens [domainconnect] private_key_file. */
	if (cfg->broker_path[0] && brokered_is(esp))
		return esp_brokered_signer(esp);
	return NULL; /* the session's own local signer (dcoffer_create) */
}
