#include "app/config.h"

#include <errno.h>
#include <stddef.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/esp_make.h"
#include "core/alloc.h"
#include "core/sanitize.h"
#include "core/status.h"
#include "core/text.h"
#include "core/validate.h"

#define SIGNATURE_NOTE_CHARS 400 /* Postmark's limit for ConfirmationPersonalNote */

struct config_parse {
	struct config *cfg;
	char *msg;
	size_t cap;
	bool failed;
	const char *path;      /* the file being read, for messages */
	FILE *file;	       /* the file being read */
	int line;	       /* lines read so far: the line being parsed */
	int error_line;	       /* the line of the first error, 0 when none */
	bool continued;	       /* the line read starts with a blank: a continuation */
	char section[64];      /* the section and key of the line before, for */
	char name[64];	       /* continuation lines */
	int domain_line;       /* where [vendor] domain and shared_local were set */
	int shared_local_line; /* (0: the default), for the check of both */
};

/* What a value must be, by its key; any other is text (UTF-8, no control
 * characters). */
enum config_kind {
	KIND_TEXT,
	KIND_NAME,
	KIND_DOMAIN,
	KIND_LOCAL,
	KIND_LABEL,
	KIND_URL,
	KIND_TOKEN,
	KIND_NOTE
};

static const struct {
	const char *name;
	enum config_kind kind;
} config_kinds[] = {
    {"name", KIND_NAME},	  {"domain", KIND_DOMAIN},
    {"shared_local", KIND_LOCAL}, {"return_path_label", KIND_LABEL},
    {"api_url", KIND_URL},	  {"account_token", KIND_TOKEN},
    {"server_token", KIND_TOKEN}, {"signature_note", KIND_NOTE},
};

/* Writes "FILE:LINE: [section] key: problem" (the problem from text id,
 * with a1 and a2) and fails the parse.  Only the first problem is kept. */
static int config_fail(struct config_parse *p, const char *section, const char *name,
		       const char *id, const char *a1, const char *a2)
{
	char problem[512], key[160];
	if (p->failed)
		return 0;
	snprintf(problem, sizeof problem, "[%.60s] %.60s", section, name);
	sanitize_text(problem, key, sizeof key); /* the file's bytes, shown on a terminal */
	text_fmt(problem, sizeof problem, id, a1, a2, NULL);
	snprintf(p->msg, p->cap, "%s:%d: %s: %s", p->path, p->line, key, problem);
	p->failed = true;
	p->error_line = p->line;
	return 0;
}

/* The problem with an input check's result, in the configuration's words
 * (the customer's message for the code, with its detail). */
static int config_fail_input(struct config_parse *p, const char *section, const char *name,
			     enum input_error err, const char *detail)
{
	char id[64], why[512];
	snprintf(id, sizeof id, "input.%s", input_error_word(err));
	text_fmt(why, sizeof why, id, detail, NULL, NULL);
	return config_fail(p, section, name, "config_check.invalid", why, NULL);
}

/* http:// or https://, then printable ASCII without blanks. */
static bool config_url_ok(const char *v)
{
	const char *rest = !strncmp(v, "https://", 8)  ? v + 8
			   : !strncmp(v, "http://", 7) ? v + 7
						       : NULL;
	if (!rest || !*rest || *rest == '/')
		return false;
	for (; *rest; rest++)
		if ((unsigned char)*rest <= 0x20 || (unsigned char)*rest >= 0x7f)
			return false;
	return true;
}

/* Printable ASCII without blanks or quotes: what API tokens are. */
static bool config_token_ok(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f || *v == '"' ||
		    *v == '\'')
			return false;
	return true;
}

/* Checks value for its key; on a problem, fails the parse with it. */
static int config_check(struct config_parse *p, const char *section, const char *name,
			const char *value)
{
	enum config_kind kind = KIND_TEXT;
	enum input_error err;
	char detail[128] = "";
	size_t i, n = strlen(value), chars = 0;
	for (i = 0; i < sizeof config_kinds / sizeof config_kinds[0]; i++)
		if (!strcmp(config_kinds[i].name, name))
			kind = config_kinds[i].kind;
	/* The secret is never quoted, not even its bad byte. */
	if (kind == KIND_TOKEN)
		return config_token_ok(value)
			   ? 1
			   : config_fail(p, section, name, "config_check.token", NULL, NULL);
	for (i = 0; i < n;) {
		unsigned cp;
		size_t len = utf8_decode((const unsigned char *)value + i, n - i, &cp);
		char at[24];
		if (!len) {
			snprintf(at, sizeof at, "%zu", chars + 1);
			return config_fail(p, section, name, "config_check.bad_utf8", at, NULL);
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			snprintf(at, sizeof at, "U+%04X", cp);
			return config_fail(p, section, name, "config_check.control", at, NULL);
		}
		i += len;
		chars++;
	}
	switch (kind) {
	case KIND_NAME:
		err = validate_display_name(value, detail, sizeof detail);
		break;
	case KIND_DOMAIN:
		err = validate_domain(value, NULL, NULL, detail, sizeof detail);
		break;
	case KIND_LOCAL:
		err = validate_local_part(value, detail, sizeof detail);
		break;
	case KIND_LABEL:
		err = validate_dns_label(value, detail, sizeof detail);
		break;
	case KIND_URL:
		return config_url_ok(value)
			   ? 1
			   : config_fail(p, section, name, "config_check.url", NULL, NULL);
	case KIND_NOTE:
		if (chars > SIGNATURE_NOTE_CHARS) {
			snprintf(detail, sizeof detail, "%d", SIGNATURE_NOTE_CHARS);
			return config_fail(p, section, name, "config_check.too_long", detail, NULL);
		}
		return 1;
	default:
		return 1;
	}
	return err == INPUT_OK ? 1 : config_fail_input(p, section, name, err, detail);
}

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

/* Checks a value and copies it into a fixed field; a continuation line
 * (indented, right after the key) adds to the value, after a space. */
static int config_set(struct config_parse *p, char *dst, size_t cap, const char *value,
		      const char *name)
{
	char joined[2048], limit[24];
	if (p->continued) {
		snprintf(joined, sizeof joined, "%s %s", dst, value);
		value = joined;
	}
	if (!config_check(p, p->section, name, value))
		return 0;
	if (strlen(value) >= cap || strlen(value) >= sizeof joined - 1) {
		snprintf(limit, sizeof limit, "%zu", cap - 1);
		return config_fail(p, p->section, name, "config_check.too_long_bytes", limit, NULL);
	}
	if (!strcmp(name, "domain"))
		p->domain_line = p->line;
	else if (!strcmp(name, "shared_local"))
		p->shared_local_line = p->line;
	str_copy(dst, cap, value);
	return 1;
}

/* A user name as useradd takes it: [a-z_][a-z0-9_-]*, 32 at most. */
static bool config_user_ok(const char *v)
{
	size_t i;
	if (!*v || strlen(v) > 32 || (v[0] != '_' && (v[0] < 'a' || v[0] > 'z')))
		return false;
	for (i = 0; v[i]; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '_' ||
		      v[i] == '-'))
			return false;
	return true;
}

/* A whole number from lo to hi into *out; false otherwise. */
static bool config_long(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

/* [ssh]: host, port, user, keys_user, idle_minutes, idle_seconds. */
static int config_apply_ssh(struct config_parse *p, const char *name, const char *value)
{
	struct config_ssh *s = &p->cfg->ssh;
	const char *v;
	if (!strcmp(name, "host")) {
		for (v = value; *v; v++)
			if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
			      (*v >= '0' && *v <= '9') || *v == '.' || *v == '-' || *v == ':'))
				break;
		if (!*v)
			return config_set(p, s->host, sizeof s->host, value, name);
		snprintf(p->msg, p->cap, "host must be a host name or an address, not \"%.40s\"",
			 value);
	} else if (!strcmp(name, "port")) {
		if (config_long(value, 1, 65535, &s->port))
			return 1;
		snprintf(p->msg, p->cap, "port must be a number from 1 to 65535");
	} else if (!strcmp(name, "user") || !strcmp(name, "keys_user")) {
		if (config_user_ok(value))
			return config_set(p, name[0] == 'u' ? s->user : s->keys_user,
					  sizeof s->user, value, name);
		snprintf(p->msg, p->cap,
			 "%s must be a user name ([a-z_][a-z0-9_-]*), not \"%.40s\"", name, value);
	} else if (!strcmp(name, "idle_minutes")) {
		if (config_long(value, 1, 1440, &s->idle_minutes))
			return 1;
		snprintf(p->msg, p->cap, "idle_minutes must be a number from 1 to 1440");
	} else if (!strcmp(name, "idle_seconds")) {
		if (config_long(value, 1, 86400, &s->idle_seconds))
			return 1;
		snprintf(p->msg, p->cap, "idle_seconds must be a number from 1 to 86400");
	} else {
		snprintf(p->msg, p->cap, "unknown setting [ssh] %.40s", name);
	}
	p->failed = true;
	return 0;
}

/* [hooks]: `behalf deliver` (cmd_deliver.c). */
static int config_apply_hooks(struct config_parse *p, const char *name, const char *value)
{
	struct config_hooks *h = &p->cfg->hooks;
	static const struct {
		const char *name;
		size_t off;
		long min, max;
	} nums[] = {
	    {"timeout_ms", offsetof(struct config_hooks, timeout_ms), 1, 600000},
	    {"retry_first_ms", offsetof(struct config_hooks, retry_first_ms), 1, 86400000},
	    {"retry_max_ms", offsetof(struct config_hooks, retry_max_ms), 1, 86400000},
	    {"give_up_after", offsetof(struct config_hooks, give_up_s), 1, 31536000},
	    {"scan_seconds", offsetof(struct config_hooks, scan_s), 1, 86400},
	    {"compact_bytes", offsetof(struct config_hooks, compact_bytes), 1, 1L << 30},
	};
	size_t i;
	if (!strcmp(name, "url"))
		return config_set(p, h->url, sizeof h->url, value, name);
	if (!strcmp(name, "secret_file"))
		return config_set(p, h->secret_file, sizeof h->secret_file, value, name);
	if (!strcmp(name, "command"))
		return config_set(p, h->command, sizeof h->command, value, name);
	for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		char *end;
		long v;
		if (strcmp(name, nums[i].name))
			continue;
		v = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || v < nums[i].min || v > nums[i].max) {
			snprintf(p->msg, p->cap, "%s must be a number (%ld-%ld)", name, nums[i].min,
				 nums[i].max);
			p->failed = true;
			return 0;
		}
		*(long *)((char *)h + nums[i].off) = v;
		return 1;
	}
	snprintf(p->msg, p->cap, "unknown setting [hooks] %.40s", name);
	p->failed = true;
	return 0;
}

/* [domainconnect]: the vendor's template and key (cmd_domainconnect.c). */
static int config_apply_dc(struct config_parse *p, const char *name, const char *value)
{
	struct config_dc *d = &p->cfg->dc;
	static const struct {
		const char *name;
		size_t off, size;
	} keys[] = {
#define DC_KEY(k, f) {k, offsetof(struct config_dc, f), sizeof((struct config_dc *)0)->f}
	    DC_KEY("provider_id", provider_id),
	    DC_KEY("service_id", service_id),
	    DC_KEY("service_name", service_name),
	    DC_KEY("private_key_file", private_key_file),
	    DC_KEY("key_host", key_host),
	    DC_KEY("sync_pubkey_domain", sync_pubkey_domain),
	    DC_KEY("logo_url", logo_url),
	    DC_KEY("description", description),
	    DC_KEY("dmarc", dmarc),
#undef DC_KEY
	};
	size_t i;
	bool b;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcmp(name, keys[i].name))
			return config_set(p, (char *)d + keys[i].off, keys[i].size, value, name);
	/* TEST ONLY (discovery, src/dc/discover.h): a PEM CA trusted instead of
	 * the system's, and 127/8 allowed past the guard */
	if (!strcmp(name, "ca_file"))
		return config_set(p, d->ca_file, sizeof d->ca_file, value, name);
	if (!strcmp(name, "allow_loopback")) {
		if (config_bool(value, &b)) {
			d->allow_loopback = b;
			return 1;
		}
		snprintf(p->msg, p->cap, "allow_loopback must be yes or no, not \"%.40s\"", value);
		p->failed = true;
		return 0;
	}
	snprintf(p->msg, p->cap, "unknown setting [domainconnect] %.40s", name);
	p->failed = true;
	return 0;
}

/* [monitor]: `behalf monitor` (cmd_monitor.c). */
static int config_apply_monitor(struct config_parse *p, const char *name, const char *value)
{
	struct config_monitor *m = &p->cfg->monitor;
	if (!strcmp(name, "interval")) {
		int64_t ms;
		if (status_parse_duration(value, &ms) && ms >= 1000) {
			m->interval_ms = ms;
			return 1;
		}
		snprintf(p->msg, p->cap,
			 "interval must be a duration such as 6h, 30m or 1d, not \"%.40s\"", value);
	} else if (!strcmp(name, "parallel")) {
		char *end;
		long v = strtol(value, &end, 10);
		if (*value && !*end && v >= 1 && v <= CONFIG_MONITOR_PARALLEL_MAX) {
			m->parallel = v;
			return 1;
		}
		snprintf(p->msg, p->cap, "parallel must be a number (1-%d)",
			 CONFIG_MONITOR_PARALLEL_MAX);
	} else {
		snprintf(p->msg, p->cap, "unknown setting [monitor] %.40s", name);
	}
	p->failed = true;
	return 0;
}

/* One key of the config file. */
static int config_apply(void *user, const char *section, const char *name, const char *value)
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
	} else if (!strcmp(section, "esp")) {
		if (!strcmp(name, "provider")) {
			char shown[64];
			if (esp_make_known(value))
				return config_set(p, c->provider, sizeof c->provider, value, name);
			sanitize_text(value, shown, sizeof shown);
			return config_fail(p, section, name, "config_check.provider", shown,
					   esp_make_providers());
		}
		if (!strcmp(name, "broker"))
			return config_set(p, c->broker_path, sizeof c->broker_path, value, name);
	} else if (!strcmp(section, "broker")) {
		if (!strcmp(name, "socket"))
			return config_set(p, c->broker_socket, sizeof c->broker_socket, value,
					  name);
		if (!strcmp(name, "state_dir"))
			return config_set(p, c->broker_state_dir, sizeof c->broker_state_dir, value,
					  name);
		if (!strcmp(name, "allow_users"))
			return config_set(p, c->broker_allow, sizeof c->broker_allow, value, name);
		if (!strcmp(name, "group"))
			return config_set(p, c->broker_group, sizeof c->broker_group, value, name);
		if (!strcmp(name, "tickets"))
			return config_set(p, c->broker_tickets, sizeof c->broker_tickets, value,
					  name);
		if (!strcmp(name, "requests_per_second") || !strcmp(name, "burst")) {
			char *end;
			long v = strtol(value, &end, 10);
			if (*value == '\0' || *end != '\0' || v < 1 || v > 100000) {
				snprintf(p->msg, p->cap, "%s must be a number (1-100000)", name);
				p->failed = true;
				return 0;
			}
			if (!strcmp(name, "burst"))
				c->broker_burst = v;
			else
				c->broker_rate = v;
			return 1;
		}
	} else if (!strcmp(section, "postmark")) {
		if (!strcmp(name, "return_path_label"))
			return config_set(p, c->bounce_label, sizeof c->bounce_label, value, name);
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
	} else if (!strcmp(section, "ssh")) {
		return config_apply_ssh(p, name, value);
	} else if (!strcmp(section, "status")) {
		if (!strcmp(name, "stuck_after")) {
			int64_t ms;
			if (status_parse_duration(value, &ms) && ms > 0) {
				c->stuck_after_ms = ms;
				return 1;
			}
			snprintf(
			    p->msg, p->cap,
			    "stuck_after must be a duration such as 24h, 90m or 2d, not \"%.40s\"",
			    value);
			p->failed = true;
			return 0;
		}
	} else if (!strcmp(section, "hooks")) {
		return config_apply_hooks(p, name, value);
	} else if (!strcmp(section, "domainconnect")) {
		return config_apply_dc(p, name, value);
	} else if (!strcmp(section, "monitor")) {
		return config_apply_monitor(p, name, value);
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

/* inih callback: the first problem stops the reading of values (inih goes
 * on to the end); a continuation line is one of the key before. */
static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_parse *p = user;
	int ok;
	if (p->failed)
		return 0;
	p->continued = p->continued && !strcmp(p->section, section) && !strcmp(p->name, name);
	str_copy(p->section, sizeof p->section, section);
	str_copy(p->name, sizeof p->name, name);
	ok = config_apply(user, section, name, value);
	if (!ok && !p->error_line) {
		/* The checks of choices and numbers name their key themselves. */
		char said[512];
		sanitize_text(p->failed ? p->msg : "", said, sizeof said);
		snprintf(p->msg, p->cap, "%s:%d: %s", p->path, p->line, said);
		p->failed = true;
		p->error_line = p->line;
	}
	return ok;
}

/* inih reader: one line, counted, and refused when longer than the
 * parser's buffer (num, INI_MAX_LINE of libinih's build: 200 on Debian),
 * which it would otherwise cut into two lines without a word. */
static char *config_read_line(char *str, int num, void *user)
{
	struct config_parse *p = user;
	size_t n;
	int c;
	if (p->failed || !fgets(str, num, p->file))
		return NULL;
	p->line++;
	n = strlen(str);
	p->continued = str[0] == ' ' || str[0] == '\t';
	if (str[strspn(str, " \t")] == '[') {
		/* A section starts: names the section of a line too long below. */
		const char *b = str + strspn(str, " \t") + 1;
		snprintf(p->section, sizeof p->section, "%.*s", (int)strcspn(b, "]\r\n"), b);
		p->name[0] = '\0';
	}
	if (n && str[n - 1] == '\n')
		return str;
	c = getc(p->file);
	if (c == EOF)
		return str;
	ungetc(c, p->file);
	{
		char key[64], limit[24];
		size_t k = str[strspn(str, " \t")] == ';' || str[strspn(str, " \t")] == '#'
			       ? 0
			       : strcspn(str, "=:");
		size_t start = 0;
		while (start < k && (str[start] == ' ' || str[start] == '\t'))
			start++;
		while (k > start && (str[k - 1] == ' ' || str[k - 1] == '\t'))
			k--;
		snprintf(key, sizeof key, "%.*s", (int)(k - start < 60 ? k - start : 60),
			 str + start);
		if (!key[0])
			str_copy(key, sizeof key, "(comment)");
		snprintf(limit, sizeof limit, "%d", num - 3);
		config_fail(p, p->section, key, "config_check.line_too_long", limit, NULL);
	}
	return NULL;
}

static void config_defaults(struct config *c)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	memset(c, 0, sizeof *c);
	str_copy(c->wizard.vendor_name, sizeof c->wizard.vendor_name, "Acme Help Desk");
	str_copy(c->wizard.vendor_domain, sizeof c->wizard.vendor_domain, "acmehelp.example");
	str_copy(c->wizard.shared_local, sizeof c->wizard.shared_local, "notifications");
	str_copy(c->bounce_label, sizeof c->bounce_label, "pm-bounces");
	str_copy(c->dc.service_id, sizeof c->dc.service_id, "postmark");
	str_copy(c->dc.key_host, sizeof c->dc.key_host, "_dck1");
	str_copy(c->wizard.esp_name, sizeof c->wizard.esp_name, "Postmark");
	str_copy(c->wizard.support_contact, sizeof c->wizard.support_contact,
		 "support@acmehelp.example");
	str_copy(c->scenario, sizeof c->scenario, "default");
	str_copy(c->api_url, sizeof c->api_url, "https://api.postmarkapp.com");
	str_copy(c->per_customer_server, sizeof c->per_customer_server, "no");
	str_copy(c->provider, sizeof c->provider, "postmark");
	c->ssh.port = 22;
	str_copy(c->ssh.user, sizeof c->ssh.user, "behalf");
	str_copy(c->ssh.keys_user, sizeof c->ssh.keys_user, "behalf-keys");
	c->ssh.idle_minutes = 30;
	c->stuck_after_ms = STATUS_STUCK_AFTER_MS;
	c->hooks.timeout_ms = 10000;
	c->hooks.retry_first_ms = 5000;
	c->hooks.retry_max_ms = 3600000;
	c->hooks.give_up_s = 3L * 24 * 3600;
	c->hooks.scan_s = 60;
	c->hooks.compact_bytes = 1L << 20;
	c->monitor.interval_ms = 6LL * 3600 * 1000;
	c->monitor.parallel = 256;
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

/* [vendor] shared_local at [vendor] domain must be an address: checked
 * once both are known, at the line of whichever was set last. */
static bool config_check_address(struct config_parse *p)
{
	struct wizard_config *w = &p->cfg->wizard;
	char address[EMAIL_MAX], detail[128];
	enum input_error err;
	bool local = p->shared_local_line >= p->domain_line;
	snprintf(address, sizeof address, "%s@%s", w->shared_local, w->vendor_domain);
	err = validate_email(address, NULL, NULL, 0, NULL, detail, sizeof detail);
	if (err == INPUT_OK || (!p->domain_line && !p->shared_local_line))
		return true; /* the defaults are an address */
	p->line = local ? p->shared_local_line : p->domain_line;
	config_fail_input(p, "vendor", local ? "shared_local" : "domain", err, detail);
	return false;
}

/* The environment's values, checked like the file's. */
static bool config_load_env(struct config *cfg, char *msg, size_t cap)
{
	const char *url = getenv("POSTMARK_API_URL");
	char *env;
	if (url && *url) {
		if (!config_url_ok(url) || !str_copy(cfg->api_url, sizeof cfg->api_url, url)) {
			text_fmt(msg, cap, "config_check.env", "POSTMARK_API_URL",
				 text_get("config_check.url"), NULL);
			return false;
		}
	}
	env = getenv("BEHALF_BROKER_TICKET");
	if (env && *env) {
		/* Single use, but no other process of the user should read it
		 * in /proc/PID/environ before the broker has it. */
		str_copy(cfg->broker_ticket, sizeof cfg->broker_ticket, env);
		explicit_bzero(env, strlen(env));
	}
	env = getenv("POSTMARK_ACCOUNT_TOKEN");
	if (env && *env) {
		if (!config_token_ok(env) ||
		    !str_copy(cfg->account_token, sizeof cfg->account_token, env)) {
			text_fmt(msg, cap, "config_check.env", "POSTMARK_ACCOUNT_TOKEN",
				 text_get("config_check.token"), NULL);
			return false;
		}
		cfg->have_account_token = true;
	}
	env = getenv("POSTMARK_SERVER_TOKEN");
	if (env && *env) {
		if (!config_token_ok(env) ||
		    !str_copy(cfg->server_token, sizeof cfg->server_token, env)) {
			text_fmt(msg, cap, "config_check.env", "POSTMARK_SERVER_TOKEN",
				 text_get("config_check.token"), NULL);
			return false;
		}
	}
	return true;
}

bool config_load(struct config *cfg, const char *path, char *msg, size_t cap)
{
	struct config_parse p;
	char found[1024];
	int line;
	config_defaults(cfg);
	memset(&p, 0, sizeof p);
	p.cfg = cfg;
	p.msg = msg;
	p.cap = cap;
	p.path = found;
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
		p.file = f;
		line = ini_parse_stream(config_read_line, &p, config_handler, &p);
		if (line == 0 && !p.failed && (cfg->account_token[0] || cfg->server_token[0]) &&
		    fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
			snprintf(
			    msg, cap,
			    "%s holds an API token but can be read by others: run chmod 600 %s",
			    found, found);
			fclose(f);
			return false;
		}
		fclose(f);
		if (line != 0 && (!p.failed || line < p.error_line)) {
			/* inih's own complaint (no "=", no "]") came first. */
			char where[1100];
			snprintf(where, sizeof where, "%s:%d", found, line);
			text_fmt(msg, cap, "config_check.syntax", where, NULL, NULL);
			return false;
		}
		if (p.failed || !config_check_address(&p))
			return false;
		str_copy(cfg->config_path, sizeof cfg->config_path, found);
	}
	return config_load_env(cfg, msg, cap);
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

const char *config_dc_provider_id(const struct config *cfg)
{
	return cfg->dc.provider_id[0] ? cfg->dc.provider_id : cfg->wizard.vendor_domain;
}
