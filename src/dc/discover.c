/* Domain Connect discovery (see discover.h): the TXT through our own DNS
 * sockets (dns/query.h), the two HTTPS requests through esp/http.h, both
 * driven by the caller's loop through dc_discover_source_ops. */
#include "dc/discover.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/loop.h"
#include "core/sanitize.h"
#include "dns/query.h"
#include "esp/http.h"

enum dc_phase { DC_IDLE, DC_TXT, DC_SETTINGS, DC_TEMPLATE };

struct dc_discover {
	struct query_net net;
	struct query queries[DC_MAX_SERVERS];
	struct dns_addr servers[DC_MAX_SERVERS];
	size_t nservers;
	bool rd;
	struct http *http;
	uint64_t xfer; /* the request under way, 0 when none */
	char *template_provider, *template_service, *ca_file;
	bool allow_loopback;
	enum dc_phase phase;
	int nfds_dns; /* descriptors the last fill gave the DNS sockets */
	char domain[256];
	struct dc_result res;
	dc_done_fn done;
	void *arg;
};

/* An IPv4 address (host order) a discovery may connect to. */
static bool dc_v4_allowed(uint32_t a, bool allow_loopback)
{
	if ((a >> 24) == 127)
		return allow_loopback;
	return !((a >> 24) == 0 ||		     /* this network, unspecified */
		 (a >> 24) == 10 ||		     /* RFC 1918 */
		 (a & 0xfff00000u) == 0xac100000u || /* 172.16/12 */
		 (a & 0xffff0000u) == 0xc0a80000u || /* 192.168/16 */
		 (a & 0xffc00000u) == 0x64400000u || /* CGNAT 100.64/10 */
		 (a & 0xffff0000u) == 0xa9fe0000u || /* link-local 169.254/16 */
		 (a >> 28) == 0xe ||		     /* multicast 224/4 */
		 (a >> 28) == 0xf);		     /* reserved 240/4, broadcast */
}

bool dc_addr_allowed(const struct sockaddr *sa, socklen_t len, bool allow_loopback)
{
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		return dc_v4_allowed(ntohl(s4->sin_addr.s_addr), allow_loopback);
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		const uint8_t *b = a->s6_addr;
		uint32_t v4;
		if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a)) {
			memcpy(&v4, b + 12, 4);
			return dc_v4_allowed(ntohl(v4), allow_loopback);
		}
		if (IN6_IS_ADDR_LOOPBACK(a))
			return allow_loopback;
		return !(IN6_IS_ADDR_UNSPECIFIED(a) || (b[0] & 0xfe) == 0xfc || /* fc00::/7 */
			 IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_SITELOCAL(a) ||
			 IN6_IS_ADDR_MULTICAST(a));
	}
	return false; /* anything else (a Unix socket, ...) */
}

/* The guard, as esp/http.h asks it; remembers a refusal for the reason. */
static bool dc_guard(void *arg, const struct sockaddr *sa, socklen_t len)
{
	struct dc_discover *d = arg;
	char text[INET6_ADDRSTRLEN] = "?";

	if (dc_addr_allowed(sa, len, d->allow_loopback))
		return true;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof text);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text,
			  sizeof text);
	d->res.guard_refused = true;
	snprintf(d->res.reason, sizeof d->res.reason, "refused to connect to %s (not public)",
		 text);
	return false;
}

/* A host name: letters, digits, '-', '.', 1..253 bytes. */
static bool dc_hostname_ok(const char *s)
{
	size_t n = strlen(s), i;
	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.' || s[i] == '_'))
			return false;
	return true;
}

/* Printable ASCII without space, quotes, '<', '>' or '\\': what a URL from
 * an untrusted provider may hold before it is shown or fetched. */
static bool dc_url_chars_ok(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '"' || *s == '<' || *s == '>' || *s == '\\' ||
		    *s == '\'' || *s == '`')
			return false;
	return true;
}

struct dc_discover *dc_discover_create(const struct dc_discover_config *cfg, char *msg, size_t cap)
{
	struct dc_discover *d;
	size_t i;

	if (cfg->nservers == 0) {
		snprintf(msg, cap, "no DNS server to ask");
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	for (i = 0; i < cfg->nservers && d->nservers < DC_MAX_SERVERS; i++) {
		if (!dns_addr_parse(cfg->servers[i], &d->servers[d->nservers])) {
			snprintf(msg, cap, "not a DNS server address: %.100s", cfg->servers[i]);
			free(d);
			return NULL;
		}
		d->nservers++;
	}
	d->http = http_create(msg, cap);
	if (!d->http) {
		free(d);
		return NULL;
	}
	query_net_init(&d->net, cfg->dns_timeout_ms > 0 ? cfg->dns_timeout_ms : 1500, 3);
	d->rd = cfg->rd;
	d->template_provider = xstrdup(cfg->template_provider ? cfg->template_provider : "");
	d->template_service = xstrdup(cfg->template_service ? cfg->template_service : "");
	d->ca_file = cfg->ca_file && cfg->ca_file[0] ? xstrdup(cfg->ca_file) : NULL;
	d->allow_loopback = cfg->allow_loopback;
	for (i = 0; i < DC_MAX_SERVERS; i++)
		d->queries[i].tcp_fd = -1;
	return d;
}

/* Stops the DNS queries of the txt phase. */
static void dc_txt_stop(struct dc_discover *d)
{
	size_t i;
	for (i = 0; i < d->nservers; i++) {
		query_cancel(&d->net, &d->queries[i]);
		query_clear(&d->queries[i]);
	}
	query_net_reset(&d->net);
}

void dc_discover_destroy(struct dc_discover *d)
{
	if (!d)
		return;
	if (d->phase == DC_TXT)
		dc_txt_stop(d);
	query_net_free(&d->net);
	http_destroy(d->http);
	free(d->template_provider);
	free(d->template_service);
	free(d->ca_file);
	free(d);
}

bool dc_discover_busy(const struct dc_discover *d)
{
	return d->phase != DC_IDLE;
}

/* Ends the discovery: the callback, once. */
static void dc_finish(struct dc_discover *d, enum dc_offer offer, const char *reason)
{
	d->phase = DC_IDLE;
	d->xfer = 0;
	d->res.offer = offer;
	/* reason may be d->res.reason itself (set by the step that failed) */
	if (offer == DC_NOT_OFFERED && reason && reason != d->res.reason && !d->res.guard_refused)
		str_copy(d->res.reason, sizeof d->res.reason, reason);
	if (offer != DC_NOT_OFFERED)
		d->res.reason[0] = '\0';
	if (offer == DC_NOT_OFFERED)
		d->res.url_control_panel[0] = '\0';
	if (d->done)
		d->done(d->arg, &d->res);
}

enum bh_err dc_discover_start(struct dc_discover *d, const char *zone, const char *domain,
			      dc_done_fn done, void *arg)
{
	size_t i;
	int64_t now = clock_now_ms();

	if (d->phase != DC_IDLE)
		return BH_ERR_BUSY;
	if (!dc_hostname_ok(zone) || !dc_hostname_ok(domain) || strlen(zone) > 230)
		return BH_ERR_INVALID;
	memset(&d->res, 0, sizeof d->res);
	snprintf(d->domain, sizeof d->domain, "%s", domain);
	d->done = done;
	d->arg = arg;
	d->phase = DC_TXT;
	for (i = 0; i < d->nservers; i++) {
		struct query *q = &d->queries[i];
		memset(q, 0, sizeof *q);
		q->tcp_fd = -1;
		snprintf(q->qname, sizeof q->qname, "_domainconnect.%s", zone);
		q->qtype = LDNS_RR_TYPE_TXT;
		q->rd = d->rd;
		q->addr = d->servers[i];
		query_start(&d->net, q, now);
	}
	return BH_OK;
}

/* The first TXT record of a reply, its character-strings joined; false
 * when there is none. */
static bool dc_txt_of(const ldns_pkt *reply, char *out, size_t cap)
{
	ldns_rr_list *an;
	size_t i, j, len = 0;

	if (!reply || ldns_pkt_get_rcode(reply) != LDNS_RCODE_NOERROR)
		return false;
	an = ldns_pkt_answer(reply);
	for (i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		for (j = 0; j < ldns_rr_rd_count(rr); j++) {
			const ldns_rdf *rdf = ldns_rr_rdf(rr, j);
			const uint8_t *p = ldns_rdf_data(rdf);
			size_t n = ldns_rdf_size(rdf) ? p[0] : 0;
			if (n + 1 > ldns_rdf_size(rdf) || len + n + 1 > cap)
				return false;
			memcpy(out + len, p + 1, n);
			len += n;
		}
		out[len] = '\0';
		return true;
	}
	return false;
}

static void dc_settings_done(void *arg, const struct http_response *resp);
static void dc_template_done(void *arg, const struct http_response *resp);

/* Starts a guarded GET. */
static bool dc_get(struct dc_discover *d, const char *url, http_done_fn done)
{
	struct http_request req;
	enum bh_err err;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = url;
	req.headers[0] = "Accept: application/json";
	req.connect_timeout_ms = DC_CONNECT_TIMEOUT_MS;
	req.timeout_ms = DC_TIMEOUT_MS;
	req.https_only = true;
	req.body_limit = DC_BODY_LIMIT;
	req.ca_file = d->ca_file;
	req.allow_addr = dc_guard;
	req.allow_arg = d;
	d->xfer = http_start(d->http, &req, done, d, &err);
	return d->xfer != 0;
}

/* The TXT phase ends: the settings request, or not offered. */
static void dc_txt_step(struct dc_discover *d)
{
	char txt[512], host[256], url[DC_URL_MAX + 300];
	bool found = false, pending = false;
	size_t i;

	for (i = 0; i < d->nservers; i++) {
		if (d->queries[i].state != QUERY_DONE)
			pending = true;
		else if (!found && dc_txt_of(d->queries[i].reply, txt, sizeof txt))
			found = true;
	}
	if (!found && pending)
		return;
	dc_txt_stop(d);
	if (!found) {
		dc_finish(d, DC_NOT_OFFERED, "no _domainconnect TXT record");
		return;
	}
	/* "host" or "host/path", no scheme: the settings are under it. */
	while (strlen(txt) > 0 && txt[strlen(txt) - 1] == '/')
		txt[strlen(txt) - 1] = '\0';
	sanitize_text(txt, d->res.settings_host, sizeof d->res.settings_host);
	i = strcspn(txt, "/");
	if (i == 0 || i >= sizeof host || !dc_url_chars_ok(txt) || strchr(txt, '@') ||
	    strchr(txt, '?') || strchr(txt, '#') || strlen(txt) > DC_URL_MAX - 8) {
		dc_finish(d, DC_NOT_OFFERED, "the _domainconnect TXT is not a host");
		return;
	}
	memcpy(host, txt, i);
	host[i] = '\0';
	snprintf(url, sizeof url, "https://%s/v2/%s/settings", txt, d->domain);
	d->phase = DC_SETTINGS;
	if (!dc_get(d, url, dc_settings_done))
		dc_finish(d, DC_NOT_OFFERED, "the settings URL is not valid");
}

/* A string member of the settings, sanitized into out; "" when absent.
 * False when present but not a string or too long. */
static bool dc_json_str(json_t *o, const char *key, char *out, size_t cap, bool url)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	out[0] = '\0';
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	if (strlen(s) >= cap || (url && !dc_url_chars_ok(s)))
		return false;
	sanitize_text(s, out, cap);
	return true;
}

/* An https:// URL with a host: what urlAPI, urlSyncUX and urlControlPanel
 * must be. */
static bool dc_https_url(const char *s)
{
	return strncmp(s, "https://", 8) == 0 && s[8] != '\0' && s[8] != '/';
}

/* Fills %domain% (any case) in the control-panel URL. */
static void dc_fill_domain(const char *in, const char *domain, char *out, size_t cap)
{
	struct buf b = {0};
	const char *p = in;

	b.limit = cap - 1;
	while (*p) {
		if (strncasecmp(p, "%domain%", 8) == 0) {
			if (buf_puts(&b, domain) != BH_OK)
				break;
			p += 8;
		} else if (buf_append(&b, p++, 1) != BH_OK) {
			break;
		}
	}
	snprintf(out, cap, "%s", *p == '\0' && b.data ? b.data : "");
	buf_free(&b);
}

static void dc_settings_done(void *arg, const struct http_response *resp)
{
	struct dc_discover *d = arg;
	struct dc_result *r = &d->res;
	char panel[DC_URL_MAX], url[DC_URL_MAX * 2];
	json_error_t jerr;
	json_t *o, *w, *h;
	bool ok;

	d->xfer = 0;
	if (resp->fail != HTTP_FAIL_NONE) {
		char why[256];
		snprintf(why, sizeof why, "settings: %s",
			 resp->fail == HTTP_FAIL_TIMEOUT     ? "timed out"
			 : resp->fail == HTTP_FAIL_TOO_LARGE ? "reply too large"
							     : "could not connect or TLS failed");
		dc_finish(d, DC_NOT_OFFERED, why);
		return;
	}
	if (resp->status != 200) {
		char why[64];
		snprintf(why, sizeof why, "settings: HTTP %ld", resp->status);
		dc_finish(d, DC_NOT_OFFERED, why);
		return;
	}
	o = json_loadb(resp->body->data, resp->body->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		dc_finish(d, DC_NOT_OFFERED, "settings: not a JSON object");
		return;
	}
	ok = dc_json_str(o, "providerId", r->provider_id, sizeof r->provider_id, false) &&
	     dc_json_str(o, "providerName", r->provider_name, sizeof r->provider_name, false) &&
	     dc_json_str(o, "providerDisplayName", r->provider_display_name,
			 sizeof r->provider_display_name, false) &&
	     dc_json_str(o, "urlSyncUX", r->url_sync_ux, sizeof r->url_sync_ux, true) &&
	     dc_json_str(o, "urlAPI", r->url_api, sizeof r->url_api, true) &&
	     dc_json_str(o, "urlControlPanel", panel, sizeof panel, true);
	w = json_object_get(o, "width");
	h = json_object_get(o, "height");
	r->width = json_is_integer(w) && json_integer_value(w) > 0 && json_integer_value(w) < 10000
		       ? (long)json_integer_value(w)
		       : 0;
	r->height = json_is_integer(h) && json_integer_value(h) > 0 && json_integer_value(h) < 10000
			? (long)json_integer_value(h)
			: 0;
	json_decref(o);
	if (!ok || !r->provider_id[0] || !dc_https_url(r->url_api)) {
		dc_finish(d, DC_NOT_OFFERED, "settings: providerId or urlAPI missing or invalid");
		return;
	}
	if (r->url_sync_ux[0] && !dc_https_url(r->url_sync_ux))
		r->url_sync_ux[0] = '\0';
	if (panel[0] && dc_https_url(panel))
		dc_fill_domain(panel, d->domain, r->url_control_panel, sizeof r->url_control_panel);
	if (!r->provider_display_name[0])
		snprintf(r->provider_display_name, sizeof r->provider_display_name, "%s",
			 r->provider_name[0] ? r->provider_name : r->provider_id);
	if (!dc_hostname_ok(d->template_provider) || !dc_hostname_ok(d->template_service)) {
		dc_finish(d, r->url_control_panel[0] ? DC_CONTROL_PANEL : DC_NOT_OFFERED,
			  "no template configured");
		return;
	}
	while (strlen(r->url_api) > 8 && r->url_api[strlen(r->url_api) - 1] == '/')
		r->url_api[strlen(r->url_api) - 1] = '\0';
	snprintf(url, sizeof url, "%s/v2/domainTemplates/providers/%s/services/%s", r->url_api,
		 d->template_provider, d->template_service);
	d->phase = DC_TEMPLATE;
	if (!dc_get(d, url, dc_template_done))
		dc_finish(d, DC_NOT_OFFERED, "urlAPI is not a valid URL");
}

static void dc_template_done(void *arg, const struct http_response *resp)
{
	struct dc_discover *d = arg;
	bool panel = d->res.url_control_panel[0] != '\0';

	d->xfer = 0;
	if (resp->fail == HTTP_FAIL_NONE && resp->status == 200) {
		if (!d->res.url_sync_ux[0]) {
			dc_finish(d, panel ? DC_CONTROL_PANEL : DC_NOT_OFFERED,
				  "template supported but no urlSyncUX");
			return;
		}
		dc_finish(d, DC_OFFERED, NULL);
		return;
	}
	if (d->res.guard_refused) { /* urlAPI points somewhere it must not */
		dc_finish(d, DC_NOT_OFFERED, NULL);
		return;
	}
	if (resp->fail == HTTP_FAIL_NONE && resp->status == 404)
		snprintf(d->res.reason, sizeof d->res.reason, "template not supported");
	else
		snprintf(d->res.reason, sizeof d->res.reason, "template check failed");
	if (panel) {
		d->phase = DC_IDLE;
		d->res.offer = DC_CONTROL_PANEL;
		if (d->done)
			d->done(d->arg, &d->res);
		return;
	}
	dc_finish(d, DC_NOT_OFFERED, d->res.reason);
}

static int dc_fill(void *self, struct pollfd *fds, int cap)
{
	struct dc_discover *d = self;
	int n = 0;

	d->nfds_dns = 0;
	if (d->phase == DC_TXT)
		n = d->nfds_dns = query_net_fill(&d->net, fds, cap);
	return n + http_fill(d->http, fds + n, cap - n);
}

static int64_t dc_deadline(void *self)
{
	struct dc_discover *d = self;
	int64_t t = http_deadline(d->http);

	if (d->phase == DC_TXT)
		t = loop_min_deadline(t, query_net_deadline(&d->net));
	return t;
}

static void dc_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct dc_discover *d = self;
	int ndns = d->nfds_dns < n ? d->nfds_dns : n;

	if (d->phase == DC_TXT) {
		query_net_dispatch(&d->net, fds, ndns, now_ms);
		dc_txt_step(d);
	}
	http_dispatch(d->http, fds + ndns, n - ndns, now_ms);
}

const struct source_ops dc_discover_source_ops = {
    .fill = dc_fill,
    .deadline = dc_deadline,
    .dispatch = dc_dispatch,
};
