/* behalf domainconnect discover DOMAIN: the Domain Connect discovery the
 * wizard runs (src/dc/discover.h), in the same loop, for the vendor or
 * support to see what a customer's DNS host offers. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "core/alloc.h"
#include "core/loop.h"
#include "core/text.h"
#include "dc/discover.h"
#include "dns/query.h"

#define DCD_MAX_SERVERS 4
#define DCD_EXIT_USAGE	2
#define DCD_MAX_DOMAINS LOOP_MAX_SOURCES

/* One domain's discovery: a source of its own in the one loop. */
struct dcd_run {
	const char *domain;
	struct dc_discover *d;
	bool json, done, offered;
	int *left;
};

static void dcd_print(const struct dc_result *r, const char *domain, bool json);

/* Printed as each ends, in the order they end. */
static void dcd_done(void *arg, const struct dc_result *r)
{
	struct dcd_run *run = arg;
	run->done = true;
	run->offered = r->offer == DC_OFFERED;
	(*run->left)--;
	dcd_print(r, run->domain, run->json);
	fflush(stdout);
}

static void dcd_usage(FILE *out)
{
	fputs(text_get("dcdisc.usage"), out);
	fputc('\n', out);
}

static const char *dcd_offer_word(enum dc_offer o)
{
	return o == DC_OFFERED	       ? "offered"
	       : o == DC_CONTROL_PANEL ? "control-panel"
				       : "not-offered";
}

static void dcd_print(const struct dc_result *r, const char *domain, bool json)
{
	char line[2048];

	if (json) {
		json_t *o = json_object();
		char *text;
		json_object_set_new(o, "domain", json_string(domain));
		json_object_set_new(o, "result", json_string(dcd_offer_word(r->offer)));
		json_object_set_new(o, "settings_host", json_string(r->settings_host));
		json_object_set_new(o, "providerId", json_string(r->provider_id));
		json_object_set_new(o, "providerName", json_string(r->provider_name));
		json_object_set_new(o, "providerDisplayName",
				    json_string(r->provider_display_name));
		json_object_set_new(o, "urlSyncUX", json_string(r->url_sync_ux));
		json_object_set_new(o, "urlAPI", json_string(r->url_api));
		json_object_set_new(o, "urlControlPanel", json_string(r->url_control_panel));
		json_object_set_new(o, "width", json_integer(r->width));
		json_object_set_new(o, "height", json_integer(r->height));
		json_object_set_new(o, "guard_refused", json_boolean(r->guard_refused));
		json_object_set_new(o, "reason", json_string(r->reason));
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
		return;
	}
	text_fmt(line, sizeof line,
		 r->offer == DC_OFFERED		? "dcdisc.offered"
		 : r->offer == DC_CONTROL_PANEL ? "dcdisc.control_panel"
						: "dcdisc.not_offered",
		 domain, r->provider_display_name,
		 r->offer == DC_OFFERED		? r->url_sync_ux
		 : r->offer == DC_CONTROL_PANEL ? r->url_control_panel
						: r->reason);
	printf("%s\n", line);
}

int cmd_dc_discover(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"zone", required_argument, NULL, 'z'},
	    {"json", no_argument, NULL, 'j'},
	    {"resolver", required_argument, NULL, 'R'},
	    {"authoritative", required_argument, NULL, 'a'},
	    {"template", required_argument, NULL, 'T'},
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *res[DCD_MAX_SERVERS], *auth[DCD_MAX_SERVERS], *zone = NULL, *cfgpath = NULL;
	const char *tmpl = NULL;
	char *list[DCD_MAX_SERVERS], resolv[DCD_MAX_SERVERS][DNS_RESOLV_ADDR_MAX],
	    provider[64] = "", service[64] = "", msg[512];
	size_t nres = 0, nauth = 0;
	bool json = false;
	struct config *cfg;
	struct dc_discover_config dcfg;
	struct dcd_run runs[DCD_MAX_DOMAINS];
	struct loop loop;
	int c, rc, i, left;

	memset(runs, 0, sizeof runs);
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'z':
			zone = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'R':
		case 'a':
			if ((c == 'R' ? nres : nauth) == DCD_MAX_SERVERS) {
				cli_say(0, "dcdisc.too_many", NULL, NULL);
				return DCD_EXIT_USAGE;
			}
			if (c == 'R')
				res[nres++] = optarg;
			else
				auth[nauth++] = optarg;
			break;
		case 'T':
			tmpl = optarg;
			break;
		case 'c':
			cfgpath = optarg;
			break;
		case 'h':
			dcd_usage(stdout);
			return 0;
		default: /* its words name both an unknown option and a missing value */
			return cli_option_error(c, argv, "dcdisc.usage", "dcdisc.bad_option",
						"dcdisc.bad_option");
		}
	}
	if (optind >= argc || argc - optind > DCD_MAX_DOMAINS || (nres && nauth)) {
		dcd_usage(stderr);
		return DCD_EXIT_USAGE;
	}
	cfg = xcalloc(1, sizeof *cfg);
	if (!cli_config_open(cfg, cfgpath, NULL, false, "dcdisc.failed")) {
		free(cfg);
		return DCD_EXIT_USAGE;
	}
	/* the template's providerId: [domainconnect] provider_id, else the
	 * vendor's domain (as behalf domainconnect template writes it) */
	if (!str_copy(provider, sizeof provider, config_dc_provider_id(cfg))) {
		cli_say(0, "dcdisc.bad_template", NULL, NULL);
		free(cfg);
		return DCD_EXIT_USAGE;
	}
	snprintf(service, sizeof service, "%s", cfg->dc.service_id);
	if (tmpl) {
		const char *slash = strchr(tmpl, '/');
		if (!slash || (size_t)(slash - tmpl) >= sizeof provider) {
			cli_say(0, "dcdisc.bad_template", NULL, NULL);
			free(cfg);
			return DCD_EXIT_USAGE;
		}
		snprintf(provider, sizeof provider, "%.*s", (int)(slash - tmpl), tmpl);
		snprintf(service, sizeof service, "%s", slash + 1);
	}
	memset(&dcfg, 0, sizeof dcfg);
	if (nauth) {
		dcfg.servers = auth;
		dcfg.nservers = nauth;
	} else if (nres) {
		dcfg.servers = res;
		dcfg.nservers = nres;
	} else {
		nres = config_split_list(cfg->resolvers, list, DCD_MAX_SERVERS);
		if (!nres) {
			nres = dns_resolv_conf(NULL, resolv, DCD_MAX_SERVERS);
			for (i = 0; i < (int)nres; i++)
				list[i] = resolv[i];
		}
		dcfg.servers = (const char *const *)list;
		dcfg.nservers = nres;
	}
	dcfg.rd = nauth == 0;
	dcfg.template_provider = provider;
	dcfg.template_service = service;
	dcfg.allow_loopback = cfg->dc.allow_loopback;
	dcfg.ca_file = cfg->dc.ca_file[0] ? cfg->dc.ca_file : NULL;
	loop_init(&loop);
	left = 0;
	rc = 0;
	for (i = 0; optind + i < argc; i++) {
		struct dcd_run *r = &runs[i];
		const char *domain = argv[optind + i];
		r->domain = domain;
		r->json = json;
		r->left = &left;
		r->d = dc_discover_create(&dcfg, msg, sizeof msg);
		if (!r->d) {
			cli_say(0, "dcdisc.failed", msg, NULL);
			rc = DCD_EXIT_USAGE;
			break;
		}
		if (dc_discover_start(r->d, zone ? zone : domain, domain, dcd_done, r) != BH_OK) {
			cli_say(0, "dcdisc.bad_domain", domain, NULL);
			rc = DCD_EXIT_USAGE;
			break;
		}
		left++;
		loop_add(&loop, &dc_discover_source_ops, r->d);
	}
	while (rc == 0 && left > 0)
		if (loop_turn(&loop, 0) < 0)
			rc = 1;
	for (i = 0; optind + i < argc; i++) {
		if (rc == 0 && !runs[i].offered)
			rc = 1;
		dc_discover_destroy(runs[i].d);
	}
	free(cfg);
	return rc;
}
