/* The one-click offer: discovery, then the signed apply link (dcoffer.h). */
#include "app/dcoffer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/sanitize.h"
#include "dc/discover.h"
#include "dc/template.h"
#include "dns/query.h"

#define DCOFFER_MAX_SERVERS 4

struct dcoffer {
	struct dc_discover *disc;
	struct dc_signer *signer;
	struct wizard *w; /* the wizard of the discovery under way */
	char provider_id[256], service_id[64], key_host[64], bounce_label[64];
	/* what the offer was made for (or is being made for): domain and
	 * records, as a hash; 0: nothing yet */
	uint64_t key;
	uint64_t signing; /* the key a signature under way is for, 0 none */
	char zone[256];	  /* the zone apex of that discovery */
	bool changed;
	dcoffer_log_fn log;
	void *log_ctx;
	char servers[DCOFFER_MAX_SERVERS][DNS_RESOLV_ADDR_MAX];
};

enum dc_canon dcoffer_canon_for(const char *provider_id)
{
	/* reported by other clients: Cloudflare signs key too */
	return provider_id && strcasecmp(provider_id, "cloudflare.com") == 0 ? DC_CANON_WITH_KEY
									     : DC_CANON_SPEC;
}

/* FNV-1a of the zone apex, the domain and every record's name and value. */
static uint64_t dcoffer_key(const struct wizard *w, const char *zone)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[3 + 2 * WIZARD_MAX_RECORDS];
	size_t n = 0, i;
	parts[n++] = zone;
	parts[n++] = w->domain.ascii;
	for (i = 0; i < w->nrecords && i < WIZARD_MAX_RECORDS; i++) {
		parts[n++] = w->records[i].name;
		parts[n++] = w->records[i].value;
	}
	for (i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];
		for (; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	return h ? h : 1;
}

/* The DNS servers discovery asks: [dns] authoritative (their addresses,
 * no recursion), else [dns] resolvers, else /etc/resolv.conf's. */
static size_t dcoffer_servers(struct dcoffer *o, const struct config *cfg, bool *rd)
{
	char list[256], *items[DCOFFER_MAX_SERVERS];
	size_t n, i, k = 0;
	*rd = !cfg->authoritative[0];
	str_copy(list, sizeof list, cfg->authoritative[0] ? cfg->authoritative : cfg->resolvers);
	n = config_split_list(list, items, DCOFFER_MAX_SERVERS);
	for (i = 0; i < n; i++) {
		const char *eq = strchr(items[i], '=');
		str_copy(o->servers[k++], sizeof o->servers[0], eq ? eq + 1 : items[i]);
	}
	if (!k)
		k = dns_resolv_conf(NULL, o->servers, DCOFFER_MAX_SERVERS);
	return k;
}

struct dcoffer *dcoffer_create(const struct config *cfg, struct dc_signer *signer, char *msg,
			       size_t cap)
{
	struct dcoffer *o;
	struct dc_discover_config dc;
	const char *servers[DCOFFER_MAX_SERVERS];
	size_t i, n;
	bool rd;

	msg[0] = '\0';
	if (!cfg->dc.private_key_file[0]) {
		if (signer)
			signer->ops->destroy(signer);
		return NULL;
	}
	o = xcalloc(1, sizeof *o);
	str_copy(o->provider_id, sizeof o->provider_id, config_dc_provider_id(cfg));
	str_copy(o->service_id, sizeof o->service_id, cfg->dc.service_id);
	str_copy(o->key_host, sizeof o->key_host, cfg->dc.key_host);
	str_copy(o->bounce_label, sizeof o->bounce_label, cfg->bounce_label);
	o->signer = signer ? signer : dc_signer_local(cfg->dc.private_key_file, msg, cap);
	if (!o->signer) {
		free(o);
		return NULL;
	}
	n = dcoffer_servers(o, cfg, &rd);
	for (i = 0; i < n; i++)
		servers[i] = o->servers[i];
	memset(&dc, 0, sizeof dc);
	dc.servers = servers;
	dc.nservers = n;
	dc.rd = rd;
	dc.template_provider = o->provider_id;
	dc.template_service = o->service_id;
	dc.allow_loopback = cfg->dc.allow_loopback;
	dc.ca_file = cfg->dc.ca_file[0] ? cfg->dc.ca_file : NULL;
	o->disc = dc_discover_create(&dc, msg, cap);
	if (!o->disc) {
		o->signer->ops->destroy(o->signer);
		free(o);
		return NULL;
	}
	return o;
}

void dcoffer_destroy(struct dcoffer *o)
{
	if (!o)
		return;
	dc_discover_destroy(o->disc);
	o->signing = 0; /* a signature ended by the destroy lands nowhere */
	o->w = NULL;
	o->signer->ops->destroy(o->signer);
	free(o);
}

void dcoffer_set_log(struct dcoffer *o, dcoffer_log_fn fn, void *ctx)
{
	if (!o)
		return;
	o->log = fn;
	o->log_ctx = ctx;
}

static void dcoffer_log(struct dcoffer *o, const char *event, const char *detail)
{
	char clean[300];
	if (!o->log)
		return;
	sanitize_text(detail, clean, sizeof clean);
	o->log(o->log_ctx, event, clean);
}

int dcoffer_add_to(struct dcoffer *o, struct loop *l)
{
	return loop_add(l, &dc_discover_source_ops, o->disc);
}

bool dcoffer_changed(struct dcoffer *o)
{
	bool c = o && o->changed;
	if (o)
		o->changed = false;
	return c;
}

/* Sets w->dc (only while it is still for the records on screen). */
static void dcoffer_set(struct dcoffer *o, uint64_t key, enum wizard_dc_kind kind,
			const char *provider, const char *url)
{
	struct wizard *w = o->w;
	if (!w || key != dcoffer_key(w, o->zone))
		return;
	memset(&w->dc, 0, sizeof w->dc);
	w->dc.kind = url && url[0] ? kind : WIZARD_DC_NONE;
	str_copy(w->dc.domain, sizeof w->dc.domain, w->domain.ascii);
	sanitize_text(provider && provider[0] ? provider : "", w->dc.provider,
		      sizeof w->dc.provider);
	if (url && strlen(url) < sizeof w->dc.url)
		str_copy(w->dc.url, sizeof w->dc.url, url);
	else
		w->dc.kind = WIZARD_DC_NONE;
	w->dirty = true; /* saved: `behalf export` and a resumed session have it */
	o->changed = true;
}

struct dcoffer_job {
	struct dcoffer *o;
	uint64_t key;
	char provider[DC_NAME_MAX];
	char panel[DC_URL_MAX];
};

static void dcoffer_signed(void *arg, enum bh_err err, const char *url, const char *msg)
{
	struct dcoffer_job *j = arg;
	struct dcoffer *o = j->o;
	if (o && o->signing == j->key) {
		o->signing = 0;
		if (err == BH_OK) {
			dcoffer_set(o, j->key, WIZARD_DC_APPLY, j->provider, url);
		} else { /* no signature, no link to apply: the control panel at least */
			dcoffer_log(o, "domainconnect-not-signed", msg);
			dcoffer_set(o, j->key, WIZARD_DC_CONTROL_PANEL, j->provider, j->panel);
		}
	}
	free(j);
}

/* The zone's labels in front of the zone apex: "" for the apex itself. */
static bool dcoffer_host(const char *domain, const char *zone, char *host, size_t cap)
{
	size_t dl = strlen(domain), zl = strlen(zone);
	if (strcasecmp(domain, zone) == 0) {
		host[0] = '\0';
		return true;
	}
	if (dl <= zl + 1 || domain[dl - zl - 1] != '.' || strcasecmp(domain + dl - zl, zone) != 0 ||
	    dl - zl - 1 >= cap)
		return false;
	memcpy(host, domain, dl - zl - 1);
	host[dl - zl - 1] = '\0';
	return true;
}

static void dcoffer_found(void *arg, const struct dc_result *r)
{
	struct dcoffer *o = arg;
	struct wizard *w = o->w;
	struct dc_var vars[8];
	struct dc_url_params p;
	struct dcoffer_job *j;
	char sel[RECORD_NAME_MAX], host[RECORD_NAME_MAX], msg[256];
	size_t nvars;
	uint64_t key = o->key;

	if (!w || key != dcoffer_key(w, o->zone))
		return; /* the records changed meanwhile: the next turn starts again */
	if (r->offer == DC_NOT_OFFERED) {
		dcoffer_log(o, "domainconnect-not-offered", r->reason);
		dcoffer_set(o, key, WIZARD_DC_NONE, "", "");
		return;
	}

	nvars = dc_template_vars(w->records, w->nrecords, w->domain.ascii, o->bounce_label, sel,
				 sizeof sel, vars, 8);
	if (r->offer != DC_OFFERED || !nvars ||
	    !dcoffer_host(w->domain.ascii, o->zone, host, sizeof host)) {
		dcoffer_log(o, "domainconnect-control-panel",
			    r->offer == DC_OFFERED ? "the records do not fit the template"
						   : r->reason);
		dcoffer_set(o, key, WIZARD_DC_CONTROL_PANEL, r->provider_display_name,
			    r->url_control_panel);
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->o = o;
	j->key = key;
	str_copy(j->provider, sizeof j->provider, r->provider_display_name);
	str_copy(j->panel, sizeof j->panel, r->url_control_panel);
	memset(&p, 0, sizeof p);
	p.url_sync_ux = r->url_sync_ux;
	p.provider_id = o->provider_id;
	p.service_id = o->service_id;
	p.domain = o->zone;
	p.host = host;
	p.vars = vars;
	p.nvars = nvars;
	p.key_host = o->key_host;
	p.mode = dcoffer_canon_for(r->provider_id);
	dcoffer_log(o, "domainconnect-offered", r->provider_display_name);
	o->signing = key;
	if (dc_sign_url_start(o->signer, &p, dcoffer_signed, j, msg, sizeof msg) != BH_OK) {
		o->signing = 0;
		free(j);
		dcoffer_set(o, key, WIZARD_DC_CONTROL_PANEL, r->provider_display_name,
			    r->url_control_panel);
	}
}

void dcoffer_update(struct dcoffer *o, struct wizard *w, const char *zone)
{
	uint64_t key;
	/* the zone apex is known once a check of this process has ended: ""
	 * before the first, and while one runs the domain is only presumed
	 * to be the zone until the zone cut comes back (a discovery there
	 * would ask the wrong name and log a false "not offered") */
	if (!o || w->step != STEP_RECORDS || w->option != OPTION_DOMAIN || !w->nrecords || !zone ||
	    !zone[0] || w->busy == REQ_DNS_CHECK || dc_discover_busy(o->disc) || o->signing)
		return;
	key = dcoffer_key(w, zone);
	if (key == o->key)
		return;
	o->key = key;
	o->w = w;
	str_copy(o->zone, sizeof o->zone, zone);
	if (dc_discover_start(o->disc, zone, zone, dcoffer_found, o) != BH_OK)
		dcoffer_set(o, key, WIZARD_DC_NONE, "", "");
}
