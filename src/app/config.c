#include "app/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

struct config_parse {
	struct config *cfg;
	char *msg;
	size_t cap;
	bool failed;
};

static bool config_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	    !strcasecmp(v, "off")) {
		*out = false;
		return true;
	}
	return false;
}

/* Copies a value into a fixed field; over-long values are an error. */
static int config_set(struct config_parse *p, char *dst, size_t cap, const char *value,
		      const char *name)
{
	if (!str_copy(dst, cap, value)) {
		snprintf(p->msg, p->cap, "%s is longer than %zu characters", name, cap - 1);
		p->failed = true;
		return 0;
	}
	return 1;
}

/* inih callback: one key of the config file. */
static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_parse *p = user;
	struct config *c = p->cfg;
	struct wizard_config *w = &c->wizard;
	bool b;
	if (!strcmp(section, "vendor")) {
		if (!strcmp(name, "name"))
			return config_set(p, w->vendor_name, sizeof w->vendor_name, value, name);
		if (!strcmp(name, "domain"))
			return config_set(p, w->vendor_domain, sizeof w->vendor_domain, value,
					  name);
		if (!strcmp(name, "shared_local"))
			return config_set(p, w->shared_local, sizeof w->shared_local, value, name);
		if (!strcmp(name, "support"))
			return config_set(p, w->support_contact, sizeof w->support_contact, value,
					  name);
	} else if (!strcmp(section, "postmark")) {
		if (!strcmp(name, "return_path_label"))
			return config_set(p, w->return_path_label, sizeof w->return_path_label,
					  value, name);
		if (!strcmp(name, "api_url"))
			return config_set(p, c->api_url, sizeof c->api_url, value, name);
		if (!strcmp(name, "signature_note"))
			return config_set(p, c->signature_note, sizeof c->signature_note, value,
					  name);
		if (!strcmp(name, "account_token")) {
			c->have_account_token = true;
			return config_set(p, c->account_token, sizeof c->account_token, value,
					  name);
		}
		if (!strcmp(name, "server_token"))
			return config_set(p, c->server_token, sizeof c->server_token, value, name);
		if (!strcmp(name, "per_customer_server")) {
			if (strcasecmp(value, "yes") && strcasecmp(value, "no") &&
			    strcasecmp(value, "ask")) {
				snprintf(
				    p->msg, p->cap,
				    "per_customer_server must be yes, no or ask, not \"%.40s\"",
				    value);
				p->failed = true;
				return 0;
			}
			c->wizard.server_mode = !strcasecmp(value, "yes")   ? SERVER_MODE_YES
						: !strcasecmp(value, "ask") ? SERVER_MODE_ASK
									    : SERVER_MODE_NO;
			return config_set(p, c->per_customer_server, sizeof c->per_customer_server,
					  value, name);
		}
		if (!strcmp(name, "timeout_ms") || !strcmp(name, "retry_base_ms")) {
			char *end;
			long v = strtol(value, &end, 10);
			if (*value == '\0' || *end != '\0' || v < 1 || v > 600000) {
				snprintf(p->msg, p->cap,
					 "%s must be a number of milliseconds (1-600000)", name);
				p->failed = true;
				return 0;
			}
			if (!strcmp(name, "timeout_ms"))
				c->api_timeout_ms = v;
			else
				c->api_retry_base_ms = v;
			return 1;
		}
	} else if (!strcmp(section, "dns")) {
		if (!strcmp(name, "resolvers"))
			return config_set(p, c->resolvers, sizeof c->resolvers, value, name);
		if (!strcmp(name, "authoritative"))
			return config_set(p, c->authoritative, sizeof c->authoritative, value,
					  name);
	} else if (!strcmp(section, "behalf")) {
		if (!strcmp(name, "state_dir"))
			return config_set(p, c->state_dir, sizeof c->state_dir, value, name);
		if (!strcmp(name, "allow_file_export")) {
			if (config_bool(value, &b)) {
				c->allow_file_export = b;
				return 1;
			}
			snprintf(p->msg, p->cap,
				 "allow_file_export must be yes or no, not \"%.40s\"", value);
			p->failed = true;
			return 0;
		}
		if (!strcmp(name, "demo_scenario"))
			return config_set(p, c->scenario, sizeof c->scenario, value, name);
		if (!strcmp(name, "demo")) {
			if (config_bool(value, &b)) {
				w->demo = b;
				return 1;
			}
			snprintf(p->msg, p->cap, "demo must be yes or no, not \"%.40s\"", value);
			p->failed = true;
			return 0;
		}
	}
	snprintf(p->msg, p->cap, "unknown setting [%.40s] %.40s", section, name);
	p->failed = true;
	return 0;
}

static void config_defaults(struct config *c)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	memset(c, 0, sizeof *c);
	str_copy(c->wizard.vendor_name, sizeof c->wizard.vendor_name, "Acme Help Desk");
	str_copy(c->wizard.vendor_domain, sizeof c->wizard.vendor_domain, "acmehelp.example");
	str_copy(c->wizard.shared_local, sizeof c->wizard.shared_local, "notifications");
	str_copy(c->wizard.return_path_label, sizeof c->wizard.return_path_label, "pm-bounces");
	str_copy(c->wizard.esp_name, sizeof c->wizard.esp_name, "Postmark");
	str_copy(c->wizard.support_contact, sizeof c->wizard.support_contact,
		 "support@acmehelp.example");
	str_copy(c->scenario, sizeof c->scenario, "default");
	str_copy(c->api_url, sizeof c->api_url, "https://api.postmarkapp.com");
	str_copy(c->per_customer_server, sizeof c->per_customer_server, "no");
	if (xdg && *xdg)
		snprintf(c->state_dir, sizeof c->state_dir, "%s/behalf", xdg);
	else if (home && *home)
		snprintf(c->state_dir, sizeof c->state_dir, "%s/.local/state/behalf", home);
	else
		str_copy(c->state_dir, sizeof c->state_dir, ".behalf-state");
}

/* The first config file that exists: $XDG_CONFIG_HOME/behalf/behalf.conf,
 * ~/.config/behalf/behalf.conf, /etc/behalf/behalf.conf. */
static bool config_default_path(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg) {
		snprintf(out, cap, "%s/behalf/behalf.conf", xdg);
		if (access(out, F_OK) == 0)
			return true;
	} else if (home && *home) {
		snprintf(out, cap, "%s/.config/behalf/behalf.conf", home);
		if (access(out, F_OK) == 0)
			return true;
	}
	snprintf(out, cap, "/etc/behalf/behalf.conf");
	return access(out, F_OK) == 0;
}

bool config_load(struct config *cfg, const char *path, char *msg, size_t cap)
{
	struct config_parse p = {cfg, msg, cap, false};
	const char *url = getenv("POSTMARK_API_URL"), *env;
	char found[1024];
	int line;
	config_defaults(cfg);
	if (path) {
		str_copy(found, sizeof found, path);
	} else if (!config_default_path(found, sizeof found)) {
		found[0] = '\0';
	}
	if (found[0]) {
		struct stat st;
		FILE *f = fopen(found, "r");
		if (!f) {
			snprintf(msg, cap, "cannot read %s: %s", found, strerror(errno));
			return false;
		}
		line = ini_parse_file(f, config_handler, &p);
		if (line == 0 && (cfg->account_token[0] || cfg->server_token[0]) &&
		    fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
			snprintf(
			    msg, cap,
			    "%s holds an API token but can be read by others: run chmod 600 %s",
			    found, found);
			fclose(f);
			return false;
		}
		fclose(f);
		if (line != 0) {
			char detail[256];
			str_copy(detail, sizeof detail, p.failed ? msg : "syntax error");
			snprintf(msg, cap, "%s:%d: %s", found, line, detail);
			return false;
		}
		str_copy(cfg->config_path, sizeof cfg->config_path, found);
	}
	if (url && *url)
		str_copy(cfg->api_url, sizeof cfg->api_url, url);
	env = getenv("POSTMARK_ACCOUNT_TOKEN");
	if (env && *env) {
		cfg->have_account_token = true;
		str_copy(cfg->account_token, sizeof cfg->account_token, env);
	}
	env = getenv("POSTMARK_SERVER_TOKEN");
	if (env && *env)
		str_copy(cfg->server_token, sizeof cfg->server_token, env);
	return true;
}

void config_wipe_secrets(struct config *cfg)
{
	volatile char *p = cfg->account_token;
	size_t i;
	for (i = 0; i < sizeof cfg->account_token; i++)
		p[i] = 0;
	p = cfg->server_token;
	for (i = 0; i < sizeof cfg->server_token; i++)
		p[i] = 0;
}

size_t config_split_list(char *list, char **items, size_t max)
{
	size_t n = 0;
	char *p = list;
	while (p && *p && n < max) {
		char *comma = strchr(p, ',');
		char *end;
		if (comma)
			*comma = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p)
			items[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return n;
}
