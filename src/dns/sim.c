/* The demo's simulated DNS world (see sim.h and the comment at the top of
 * assets/scenarios/default.ini for the scenario format).
 *
 * For every check, each simulated nameserver gets a small zone built from
 * the scenario's state of every expected record on that server; each probe
 * of record_probes() is answered from that zone the way an authoritative
 * server would (CNAME at the name, data, NODATA, NXDOMAIN, AA flag, negative
 * TTL), and record_evaluate() judges the answers. */
#include "dns/sim.h"

#include <ctype.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/assets.h"
#include "core/clock.h"
#include "core/dnshost.h"

#define SIM_MAX_STAGES	     16
#define SIM_DEFAULT_DELAY_MS 120
#define SIM_ZONE_MAX	     32 /* records in one server's simulated zone */
#define SIM_TTL		     300
#define SIM_NEGATIVE_TTL     300
#define SIM_TXT_CUT	     255 /* where a careless DNS host cuts a long TXT value */
#define SIM_MAX_KEYS	     16	 /* record keys of one stage */

/* What one server publishes for one expected record at a stage. */
enum sim_state {
	SIM_MISSING,	   /* nothing */
	SIM_OK,		   /* the expected record */
	SIM_ZONE_APPENDED, /* the record at <name>.<zone> */
	SIM_WRONG_LABEL,   /* DKIM at <selector>.<domain> (no ._domainkey) */
	SIM_APEX,	   /* the TXT record at the domain itself */
	SIM_QUOTED,	   /* TXT value saved with its quotes */
	SIM_TRUNCATED,	   /* TXT value cut short: at 255 characters, or in
			      the middle when it is not that long */
	SIM_OLD,	   /* an older value (another key, another target) */
	SIM_DUPLICATE,	   /* the expected TXT and an older one */
	SIM_WRONG_TYPE,	   /* CNAME where TXT expected, TXT where CNAME expected */
	SIM_WRONG_TARGET,  /* CNAME to another target */
	SIM_FLATTENED,	   /* addresses where the CNAME should be (proxy) */
	SIM_TIMEOUT,	   /* the server does not answer */
	SIM_SERVFAIL,
	SIM_REFUSED,
	SIM_LAME, /* answers without authority (AA clear) */
	SIM__COUNT
};

static const char *const sim_state_words[SIM__COUNT] = {
    [SIM_MISSING] = "missing",
    [SIM_OK] = "ok",
    [SIM_ZONE_APPENDED] = "zone-appended",
    [SIM_WRONG_LABEL] = "wrong-label",
    [SIM_APEX] = "apex",
    [SIM_QUOTED] = "quoted",
    [SIM_TRUNCATED] = "truncated",
    [SIM_OLD] = "old",
    [SIM_DUPLICATE] = "duplicate",
    [SIM_WRONG_TYPE] = "wrong-type",
    [SIM_WRONG_TARGET] = "wrong-target",
    [SIM_FLATTENED] = "flattened",
    [SIM_TIMEOUT] = "timeout",
    [SIM_SERVFAIL] = "servfail",
    [SIM_REFUSED] = "refused",
    [SIM_LAME] = "lame",
};

/* One record key of a stage: the records it names, and their states. */
struct sim_key {
	enum record_purpose purpose; /* an alias ("dkim"): every record of that purpose;
					PURPOSE__COUNT for a key by type and name */
	enum record_type type;	     /* else the records of this type ... */
	char *name;		     /* ... whose name relative to the domain matches this malloced
					pattern ("*._domainkey", "pm-bounces", "@" the domain) */
	char *states;		     /* malloced state list */
};

/* One stage of a scenario. */
struct sim_stage_def {
	bool present;			   /* the file has this [stage N] */
	char *caption;			   /* malloced, or NULL */
	char *nameservers;		   /* malloced "a, b": the NS list from here on, or NULL */
	struct sim_key keys[SIM_MAX_KEYS]; /* the records this stage changes */
	size_t nkeys;
};

/* One record of a simulated zone. */
struct sim_rr {
	char owner[RECORD_NAME_MAX];
	enum record_type type;
	const char *data; /* points into the zone's strings */
};

/* The zone one server serves at one stage. */
struct sim_zone {
	size_t n;
	struct sim_rr rrs[SIM_ZONE_MAX];
	char *strings[SIM_ZONE_MAX]; /* malloced values the rrs point to */
	size_t nstrings;
};

struct sim {
	struct dns_source base; /* first: the struct dns_source * is a struct sim * */
	char *id;		/* malloced scenario id */
	char *title;		/* malloced */
	char *nameservers[RECORD_MAX_SERVERS]; /* malloced names at the current stage */
	size_t nns;
	char *ns_list; /* malloced "a, b": the scenario's NS list before any stage changes it */
	char *other_target; /* malloced: where wrong CNAMEs point */
	char *addresses;    /* malloced: "a, b" the proxy answers with */
	char *apex_txt;	    /* malloced: TXT already at the apex, or "" */
	char *esp;	    /* malloced: the demo ESP's shape of domains ("sendgrid"), or "" */
	char *dc_name;	    /* malloced: Domain Connect's provider display name, or NULL */
	char *dc_ux;	    /* malloced: its pretend urlSyncUX, or NULL */
	struct sim_stage_def stages[SIM_MAX_STAGES];
	int nstages;
	int stage;
	int delay_ms;
	char last_section[64]; /* while parsing: the previous line's section */
	char last_key[64];     /* and key (a repeat is a continuation line) */

	/* the check under way */
	bool busy;
	int64_t due_ms;
	char zone[RECORD_NAME_MAX];
	struct expected_record *records; /* malloced copy */
	size_t nrecords;
	dns_done_fn done;
	void *done_arg;
};

static const struct dns_source_ops sim_ops;

static struct sim *sim_of(struct dns_source *src)
{
	return src && src->ops == &sim_ops ? (struct sim *)src : NULL;
}

static const struct sim *sim_of_const(const struct dns_source *src)
{
	return src && src->ops == &sim_ops ? (const struct sim *)src : NULL;
}

/* ---- scenario file ---- */

static bool sim_state_parse(const char *word, enum sim_state *out)
{
	int i;
	for (i = 0; i < SIM__COUNT; i++)
		if (strcmp(word, sim_state_words[i]) == 0) {
			*out = (enum sim_state)i;
			return true;
		}
	return false;
}

/* True when a state list ("ok@ns1.x, missing") uses known words only. */
static bool sim_states_valid(const char *list)
{
	while (*list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		char *item = xstrndup_trim(list, len), *at = strchr(item, '@');
		enum sim_state st;
		bool ok;
		if (at)
			*at = '\0';
		ok = *item && sim_state_parse(item, &st) && (!at || at[1]);
		free(item);
		if (!ok)
			return false;
		list += len + (end ? 1 : 0);
	}
	return true;
}

/* The record purpose a scenario key names, or PURPOSE__COUNT. */
static enum record_purpose sim_purpose(const char *key)
{
	int p;
	for (p = 0; p < PURPOSE__COUNT; p++)
		if (strcmp(key, record_purpose_word((enum record_purpose)p)) == 0)
			return (enum record_purpose)p;
	return PURPOSE__COUNT;
}

/* Reads a record key: a purpose ("dkim", an alias) or "<TYPE> <name>"
 * ("TXT *._domainkey", "CNAME pm-bounces", "MX bounce"); false for
 * anything else.  k->name is malloced. */
static bool sim_key_parse(const char *key, struct sim_key *k)
{
	static const enum record_type types[] = {RECORD_TYPE_TXT, RECORD_TYPE_CNAME,
						 RECORD_TYPE_MX};
	const char *sp = strchr(key, ' ');
	size_t i;

	memset(k, 0, sizeof *k);
	k->purpose = sim_purpose(key);
	if (k->purpose != PURPOSE__COUNT)
		return true;
	if (!sp)
		return false;
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strlen(record_type_word(types[i])) == (size_t)(sp - key) &&
		    strncasecmp(key, record_type_word(types[i]), (size_t)(sp - key)) == 0)
			break;
	while (*sp == ' ')
		sp++;
	if (i == sizeof types / sizeof types[0] || !*sp || strchr(sp, ' '))
		return false;
	k->type = types[i];
	k->name = xstrdup(sp);
	for (i = 0; k->name[i]; i++)
		k->name[i] = (char)tolower((unsigned char)k->name[i]);
	return true;
}

/* The same records: the same alias, or the same type and name pattern. */
static bool sim_key_same(const struct sim_key *a, const struct sim_key *b)
{
	if (a->purpose != PURPOSE__COUNT || b->purpose != PURPOSE__COUNT)
		return a->purpose == b->purpose;
	return a->type == b->type && strcasecmp(a->name, b->name) == 0;
}

/* Sets the states of a record key in stage d (a key given again replaces
 * its states); false when the stage has too many keys. */
static bool sim_stage_set(struct sim_stage_def *d, const struct sim_key *k, const char *states)
{
	size_t i;
	for (i = 0; i < d->nkeys; i++)
		if (sim_key_same(&d->keys[i], k)) {
			free(k->name);
			free(d->keys[i].states);
			d->keys[i].states = xstrdup(states);
			return true;
		}
	if (d->nkeys == SIM_MAX_KEYS) {
		free(k->name);
		return false;
	}
	d->keys[d->nkeys] = *k;
	d->keys[d->nkeys].states = xstrdup(states);
	d->nkeys++;
	return true;
}

/* Replaces, or for a continuation line extends, a malloced string. */
static void sim_set(char **field, const char *value, bool append)
{
	if (append && *field) {
		size_t old = strlen(*field), add = strlen(value);
		*field = xrealloc(*field, old + add + 2);
		(*field)[old] = ' ';
		memcpy(*field + old + 1, value, add + 1);
		return;
	}
	free(*field);
	*field = xstrdup(value);
}

/* "[stage N]" to N, or -1. */
static int sim_stage_number(const char *section)
{
	char *end;
	long n;
	if (strncmp(section, "stage ", 6) != 0 || !isdigit((unsigned char)section[6]))
		return -1;
	n = strtol(section + 6, &end, 10);
	if (*end || n < 0 || n >= SIM_MAX_STAGES)
		return -1;
	return (int)n;
}

/* Replaces the current nameservers by the list "a, b"; false when it
 * names none or more than RECORD_MAX_SERVERS. */
static bool sim_set_nameservers(struct sim *sim, const char *value)
{
	size_t i;
	for (i = 0; i < sim->nns; i++)
		free(sim->nameservers[i]);
	sim->nns = 0;
	while (*value) {
		const char *end = strchr(value, ',');
		size_t len = end ? (size_t)(end - value) : strlen(value);
		char *ns = xstrndup_trim(value, len);
		if (*ns && sim->nns < RECORD_MAX_SERVERS) {
			sim->nameservers[sim->nns++] = ns;
		} else {
			free(ns);
			if (sim->nns >= RECORD_MAX_SERVERS)
				return false;
		}
		value += len + (end ? 1 : 0);
	}
	return sim->nns > 0;
}

/* The nameservers of the current stage: the list the latest stage up to it
 * sets (the customer changed them at the registrar), else the scenario's. */
static void sim_apply_nameservers(struct sim *sim)
{
	const char *list = sim->ns_list;
	int s;
	for (s = sim->stage; s >= 0; s--)
		if (sim->stages[s].nameservers) {
			list = sim->stages[s].nameservers;
			break;
		}
	sim_set_nameservers(sim, list ? list : "");
}

/* inih callback; returning 0 marks the line as an error. */
static int sim_ini_handler(void *user, const char *section, const char *key, const char *value)
{
	struct sim *sim = user;
	bool again = strcmp(sim->last_key, key) == 0 && strcmp(sim->last_section, section) == 0;
	int n;

	str_copy(sim->last_key, sizeof sim->last_key, key);
	str_copy(sim->last_section, sizeof sim->last_section, section);
	if (strcmp(section, "scenario") == 0) {
		if (strcmp(key, "title") == 0)
			sim_set(&sim->title, value, again);
		else if (strcmp(key, "nameservers") == 0)
			sim_set(&sim->ns_list, value, again);
		else if (strcmp(key, "other_target") == 0)
			sim_set(&sim->other_target, value, false);
		else if (strcmp(key, "addresses") == 0)
			sim_set(&sim->addresses, value, false);
		else if (strcmp(key, "apex_txt") == 0)
			sim_set(&sim->apex_txt, value, false);
		else if (strcmp(key, "esp") == 0)
			sim_set(&sim->esp, value, false);
		else if (strcmp(key, "domainconnect") == 0)
			sim_set(&sim->dc_name, value, false);
		else if (strcmp(key, "domainconnect_ux") == 0)
			sim_set(&sim->dc_ux, value, false);
		else
			return 0;
		return 1;
	}
	n = sim_stage_number(section);
	if (n < 0)
		return 0;
	sim->stages[n].present = true;
	if (n + 1 > sim->nstages)
		sim->nstages = n + 1;
	if (strcmp(key, "caption") == 0) {
		sim_set(&sim->stages[n].caption, value, again);
		return 1;
	}
	if (strcmp(key, "nameservers") == 0) {
		sim_set(&sim->stages[n].nameservers, value, again);
		return 1;
	}
	{
		struct sim_key k;
		if (!sim_states_valid(value) || !sim_key_parse(key, &k))
			return 0;
		if (!sim_stage_set(&sim->stages[n], &k, value))
			return 0;
	}
	return 1;
}

/* Parses the scenario text into sim. */
static enum bh_err sim_parse(struct sim *sim, const char *text)
{
	int i;
	if (ini_parse_string(text, sim_ini_handler, sim) != 0)
		return BH_ERR_PARSE;
	if (!sim->ns_list || !sim_set_nameservers(sim, sim->ns_list) || sim->nstages == 0)
		return BH_ERR_PARSE;
	for (i = 0; i < sim->nstages; i++) {
		if (!sim->stages[i].present)
			return BH_ERR_PARSE;
		if (sim->stages[i].nameservers &&
		    !sim_set_nameservers(sim, sim->stages[i].nameservers))
			return BH_ERR_PARSE;
	}
	sim_apply_nameservers(sim);
	return BH_OK;
}

/* ---- the simulated zones ---- */

/* The state list stage d gives rec (label: its name relative to the
 * domain), or NULL: a key by type and name comes before a purpose alias. */
static const char *sim_stage_states(const struct sim_stage_def *d,
				    const struct expected_record *rec, const char *label)
{
	const char *alias = NULL;
	size_t i;
	for (i = 0; i < d->nkeys; i++) {
		const struct sim_key *k = &d->keys[i];
		if (k->purpose != PURPOSE__COUNT) {
			if (k->purpose == rec->purpose)
				alias = k->states;
		} else if (k->type == rec->type && fnmatch(k->name, label, 0) == 0) {
			return k->states;
		}
	}
	return alias;
}

/* The state of rec on server i at the current stage: what the latest stage
 * up to it that names the record says. */
static enum sim_state sim_state_of(const struct sim *sim, const struct expected_record *rec,
				   size_t server)
{
	const char *list = NULL, *ns = sim->nameservers[server];
	enum sim_state def = SIM_MISSING, named = SIM__COUNT;
	char label[RECORD_NAME_MAX];
	size_t i;
	int s;

	record_relative_label(rec->name, sim->zone, label, sizeof label);
	for (i = 0; label[i]; i++)
		label[i] = (char)tolower((unsigned char)label[i]);
	for (s = sim->stage; s >= 0 && !list; s--)
		list = sim_stage_states(&sim->stages[s], rec, label);
	if (!list)
		return SIM_MISSING;
	while (*list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		char *item = xstrndup_trim(list, len), *at = strchr(item, '@');
		enum sim_state st = SIM_MISSING;
		if (at)
			*at++ = '\0';
		sim_state_parse(item, &st);
		if (!at) {
			def = st;
		} else if (strcasecmp(at, ns) == 0 ||
			   (strncasecmp(ns, at, strlen(at)) == 0 && ns[strlen(at)] == '.')) {
			/* "ok@ns1" names ns1.host.example too. */
			named = st;
		}
		free(item);
		list += len + (end ? 1 : 0);
	}
	return named != SIM__COUNT ? named : def;
}

/* Adds a record to the zone; data is copied. */
static void zone_add(struct sim_zone *z, const char *owner, enum record_type type, const char *data)
{
	char *copy;
	size_t i;
	if (z->n >= SIM_ZONE_MAX || z->nstrings >= SIM_ZONE_MAX)
		return;
	copy = xstrdup(data);
	z->strings[z->nstrings++] = copy;
	str_copy(z->rrs[z->n].owner, sizeof z->rrs[z->n].owner, owner);
	for (i = 0; z->rrs[z->n].owner[i]; i++)
		z->rrs[z->n].owner[i] = (char)tolower((unsigned char)z->rrs[z->n].owner[i]);
	z->rrs[z->n].type = type;
	z->rrs[z->n].data = copy;
	z->n++;
}

/* Adds "a, b" as A records at owner. */
static void zone_add_addresses(struct sim_zone *z, const char *owner, const char *list)
{
	while (*list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		char *a = xstrndup_trim(list, len);
		if (*a)
			zone_add(z, owner, strchr(a, ':') ? RECORD_TYPE_AAAA : RECORD_TYPE_A, a);
		free(a);
		list += len + (end ? 1 : 0);
	}
}

static void zone_clear(struct sim_zone *z)
{
	size_t i;
	for (i = 0; i < z->nstrings; i++)
		free(z->strings[i]);
	z->n = z->nstrings = 0;
}

/* An older DKIM key: the expected value with the key's middle changed, the
 * way a key from an earlier setup differs (caller frees). */
static char *sim_older_value(const char *value)
{
	char *old = xstrdup(value), *p = strstr(old, "p=");
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len, i;
	if (!p) {
		/* Not a key: change the last character. */
		len = strlen(old);
		if (len)
			old[len - 1] = old[len - 1] == 'x' ? 'y' : 'x';
		return old;
	}
	p += 2;
	len = strlen(p);
	for (i = 40; i + 8 < len; i++) {
		const char *at = strchr(b64, p[i]);
		if (at && *at)
			p[i] = b64[(size_t)(at - b64 + 1) % 64];
	}
	return old;
}

/* Builds name.zone into out; false when it does not fit. */
static bool sim_join(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s.%s", a, b);
	return n > 0 && (size_t)n < cap;
}

/* Puts what server i publishes for rec at this stage into its zone. */
static void zone_add_record(const struct sim *sim, struct sim_zone *z,
			    const struct expected_record *rec, enum sim_state st)
{
	char name[RECORD_NAME_MAX * 2], *value = NULL;
	const char *marker;
	size_t len;

	switch (st) {
	case SIM_OK:
		zone_add(z, rec->name, rec->type, rec->value);
		break;
	case SIM_ZONE_APPENDED:
		if (sim_join(name, sizeof name, rec->name, sim->zone) &&
		    strlen(name) < RECORD_NAME_MAX)
			zone_add(z, name, rec->type, rec->value);
		break;
	case SIM_WRONG_LABEL:
		marker = strstr(rec->name, "._domainkey.");
		if (marker) {
			len = (size_t)(marker - rec->name);
			snprintf(name, sizeof name, "%.*s.%s", (int)len, rec->name,
				 marker + strlen("._domainkey."));
		} else {
			str_copy(name, sizeof name, sim->zone);
		}
		zone_add(z, name, rec->type, rec->value);
		break;
	case SIM_APEX:
		marker = strstr(rec->name, "._domainkey.");
		zone_add(z, marker ? marker + strlen("._domainkey.") : sim->zone, RECORD_TYPE_TXT,
			 rec->value);
		break;
	case SIM_QUOTED:
		len = strlen(rec->value) + 3;
		value = xmalloc(len);
		snprintf(value, len, "\"%s\"", rec->value);
		zone_add(z, rec->name, rec->type, value);
		break;
	case SIM_TRUNCATED:
		len = strlen(rec->value);
		value = xstrndup(rec->value, len > SIM_TXT_CUT ? SIM_TXT_CUT : len / 2);
		zone_add(z, rec->name, rec->type, value);
		break;
	case SIM_OLD:
		if (rec->type == RECORD_TYPE_CNAME) {
			zone_add(z, rec->name, RECORD_TYPE_CNAME, sim->other_target);
		} else {
			value = sim_older_value(rec->value);
			zone_add(z, rec->name, rec->type, value);
		}
		break;
	case SIM_DUPLICATE:
		zone_add(z, rec->name, rec->type, rec->value);
		if (rec->type == RECORD_TYPE_TXT) {
			value = sim_older_value(rec->value);
			zone_add(z, rec->name, rec->type, value);
		}
		break;
	case SIM_WRONG_TYPE:
		if (rec->type == RECORD_TYPE_CNAME)
			zone_add(z, rec->name, RECORD_TYPE_TXT, rec->value);
		else
			zone_add(z, rec->name, RECORD_TYPE_CNAME, sim->other_target);
		break;
	case SIM_WRONG_TARGET:
		zone_add(z, rec->name, RECORD_TYPE_CNAME, sim->other_target);
		break;
	case SIM_FLATTENED:
		zone_add_addresses(z, rec->name, sim->addresses);
		break;
	default:
		break;
	}
	free(value);
}

/* True when name is owner or an ancestor of it (an empty non-terminal). */
static bool sim_name_exists(const struct sim_zone *z, const char *name)
{
	size_t i, ln = strlen(name);
	for (i = 0; i < z->n; i++) {
		const char *o = z->rrs[i].owner;
		size_t lo = strlen(o);
		if (strcasecmp(o, name) == 0)
			return true;
		if (lo > ln + 1 && o[lo - ln - 1] == '.' && strcasecmp(o + lo - ln, name) == 0)
			return true;
	}
	return false;
}

/* True when name is zone or below it. */
static bool sim_in_zone(const char *name, const char *zone)
{
	size_t ln = strlen(name), lz = strlen(zone);
	if (strcasecmp(name, zone) == 0)
		return true;
	return ln > lz + 1 && name[ln - lz - 1] == '.' && strcasecmp(name + ln - lz, zone) == 0;
}

/* Appends a zone record to an answer. */
static void answer_add(struct probe_answer *a, const struct sim_rr *rr)
{
	struct answer_rr *out;
	if (a->nrrs >= RECORD_MAX_RRS)
		return;
	out = &a->rrs[a->nrrs++];
	out->type = rr->type;
	str_copy(out->owner, sizeof out->owner, rr->owner);
	out->data = xstrdup(rr->data);
	out->ttl = SIM_TTL;
}

/* Answers one question from a zone, as an authoritative server does. */
static void zone_answer(const struct sim *sim, const struct sim_zone *z, const char *qname,
			enum record_type qtype, struct probe_answer *a)
{
	const struct sim_rr *cname = NULL;
	size_t i;

	memset(a, 0, sizeof *a);
	a->authoritative = true;
	if (!sim_in_zone(qname, sim->zone)) {
		a->rcode = ANSWER_REFUSED;
		a->authoritative = false;
		return;
	}
	for (i = 0; i < z->n; i++)
		if (z->rrs[i].type == RECORD_TYPE_CNAME && strcasecmp(z->rrs[i].owner, qname) == 0)
			cname = &z->rrs[i];
	if (cname && qtype != RECORD_TYPE_CNAME) {
		answer_add(a, cname);
		/* Follow the alias inside the zone, one step. */
		for (i = 0; i < z->n; i++)
			if (z->rrs[i].type == qtype &&
			    strcasecmp(z->rrs[i].owner, cname->data) == 0)
				answer_add(a, &z->rrs[i]);
		a->rcode = ANSWER_OK;
		return;
	}
	for (i = 0; i < z->n; i++)
		if (z->rrs[i].type == qtype && strcasecmp(z->rrs[i].owner, qname) == 0)
			answer_add(a, &z->rrs[i]);
	if (a->nrrs) {
		a->rcode = ANSWER_OK;
		return;
	}
	a->negative_ttl = SIM_NEGATIVE_TTL;
	if (strcasecmp(qname, sim->zone) == 0 || sim_name_exists(z, qname))
		a->rcode = ANSWER_NODATA;
	else
		a->rcode = ANSWER_NXDOMAIN;
}

/* Builds the zone server i serves at the current stage. */
static void sim_build_zone(const struct sim *sim, size_t server, struct sim_zone *z)
{
	size_t r;
	z->n = z->nstrings = 0;
	if (sim->apex_txt && *sim->apex_txt)
		zone_add(z, sim->zone, RECORD_TYPE_TXT, sim->apex_txt);
	for (r = 0; r < sim->nrecords; r++) {
		const struct expected_record *rec = &sim->records[r];
		zone_add_record(sim, z, rec, sim_state_of(sim, rec, server));
	}
}

/* What server i answers to every probe of rec. */
static void sim_answer_record(const struct sim *sim, size_t server, const struct sim_zone *z,
			      const struct expected_record *rec, struct server_answers *out)
{
	struct record_probe probes[RECORD_MAX_PROBES];
	size_t n = record_probes(rec, sim->zone, probes), i;
	enum sim_state st = sim_state_of(sim, rec, server);

	str_copy(out->server, sizeof out->server, sim->nameservers[server]);
	snprintf(out->address, sizeof out->address, "192.0.2.%zu", server + 1);
	out->nprobes = n;
	for (i = 0; i < n; i++) {
		struct probe_answer *a = &out->probes[i];
		switch (st) {
		case SIM_TIMEOUT:
		case SIM_SERVFAIL:
		case SIM_REFUSED:
			memset(a, 0, sizeof *a);
			a->rcode = st == SIM_TIMEOUT	? ANSWER_TIMEOUT
				   : st == SIM_SERVFAIL ? ANSWER_SERVFAIL
							: ANSWER_REFUSED;
			break;
		default:
			zone_answer(sim, z, probes[i].name, probes[i].type, a);
			if (st == SIM_LAME)
				a->authoritative = false;
			break;
		}
	}
}

/* Runs the check: every record on every server, then the callback. */
static void sim_run_check(struct sim *sim)
{
	struct server_answers *answers = xcalloc(sim->nns, sizeof *answers);
	struct record_result *results = xcalloc(sim->nrecords ? sim->nrecords : 1, sizeof *results);
	struct sim_zone *zones = xcalloc(sim->nns, sizeof *zones);
	const struct dnshost *host =
	    dnshost_detect((const char *const *)sim->nameservers, sim->nns);
	struct expected_record *records = sim->records;
	size_t nrecords = sim->nrecords, r, s;
	dns_done_fn done = sim->done;
	void *arg = sim->done_arg;

	for (s = 0; s < sim->nns; s++)
		sim_build_zone(sim, s, &zones[s]);
	for (r = 0; r < nrecords; r++) {
		for (s = 0; s < sim->nns; s++)
			sim_answer_record(sim, s, &zones[s], &records[r], &answers[s]);
		record_evaluate(&records[r], sim->zone, answers, sim->nns, &results[r]);
		for (s = 0; s < sim->nns; s++)
			record_server_answers_clear(&answers[s]);
	}
	for (s = 0; s < sim->nns; s++)
		zone_clear(&zones[s]);
	free(zones);
	free(answers);

	/* Idle before the callback, so that it may start the next check. */
	sim->busy = false;
	sim->records = NULL;
	sim->nrecords = 0;
	sim->done = NULL;
	if (done)
		done(arg, BH_OK, results, nrecords, host ? dnshost_id(host) : "");
	free(results);
	free(records);
}

/* ---- the struct dns_source ---- */

static enum bh_err sim_check(struct dns_source *src, const char *zone,
			     const struct expected_record *records, size_t n, dns_done_fn done,
			     void *arg)
{
	struct sim *sim = sim_of(src);
	size_t i;
	if (!sim || !zone)
		return BH_ERR_INVALID;
	if (sim->busy)
		return BH_ERR_BUSY;
	str_copy(sim->zone, sizeof sim->zone, zone);
	for (i = 0; sim->zone[i]; i++)
		sim->zone[i] = (char)tolower((unsigned char)sim->zone[i]);
	if (i && sim->zone[i - 1] == '.')
		sim->zone[i - 1] = '\0';
	sim->records = xcalloc(n ? n : 1, sizeof *sim->records);
	if (n)
		memcpy(sim->records, records, n * sizeof *records);
	sim->nrecords = n;
	sim->done = done;
	sim->done_arg = arg;
	sim->busy = true;
	sim->due_ms = clock_now_ms() + sim->delay_ms;
	if (sim->due_ms <= 0)
		sim->due_ms = 1;
	return BH_OK;
}

static int sim_fill(void *self, struct pollfd *fds, int cap)
{
	(void)self;
	(void)fds;
	(void)cap;
	return 0;
}

static int64_t sim_deadline(void *self)
{
	struct sim *sim = sim_of(self);
	return sim && sim->busy ? sim->due_ms : 0;
}

static void sim_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct sim *sim = sim_of(self);
	(void)fds;
	(void)n;
	if (sim && sim->busy && now_ms >= sim->due_ms)
		sim_run_check(sim);
}

static void sim_destroy(struct dns_source *src)
{
	struct sim *sim = sim_of(src);
	size_t i;
	size_t k;
	int s;
	if (!sim)
		return;
	for (i = 0; i < sim->nns; i++)
		free(sim->nameservers[i]);
	for (s = 0; s < SIM_MAX_STAGES; s++) {
		free(sim->stages[s].caption);
		free(sim->stages[s].nameservers);
		for (k = 0; k < sim->stages[s].nkeys; k++) {
			free(sim->stages[s].keys[k].name);
			free(sim->stages[s].keys[k].states);
		}
	}
	free(sim->id);
	free(sim->ns_list);
	free(sim->title);
	free(sim->other_target);
	free(sim->addresses);
	free(sim->apex_txt);
	free(sim->esp);
	free(sim->dc_name);
	free(sim->dc_ux);
	free(sim->records);
	free(sim);
}

static const struct dns_source_ops sim_ops = {
    .destroy = sim_destroy,
    .check = sim_check,
    .source = {.fill = sim_fill, .deadline = sim_deadline, .dispatch = sim_dispatch},
};

/* BEHALF_DEMO_DNS_MS, or the default round trip. */
static int sim_delay_ms(void)
{
	const char *env = getenv("BEHALF_DEMO_DNS_MS");
	char *end;
	long v;
	if (!env || !*env)
		return SIM_DEFAULT_DELAY_MS;
	v = strtol(env, &end, 10);
	if (*end || v < 0 || v > 60000)
		return SIM_DEFAULT_DELAY_MS;
	return (int)v;
}

/* True for a scenario id made of [a-z0-9_-] only (it becomes a path). */
static bool sim_id_valid(const char *id)
{
	const char *p;
	if (!*id)
		return false;
	for (p = id; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' &&
		    *p != '_')
			return false;
	return true;
}

struct dns_source *sim_create(const char *scenario_id, enum bh_err *err)
{
	char path[128];
	const struct asset *a;

	if (!scenario_id || !*scenario_id)
		scenario_id = "default";
	if (!sim_id_valid(scenario_id) || strlen(scenario_id) > 64) {
		if (err)
			*err = BH_ERR_NOT_FOUND;
		return NULL;
	}
	snprintf(path, sizeof path, "scenarios/%s.ini", scenario_id);
	a = asset_find(path);
	if (!a) {
		if (err)
			*err = BH_ERR_NOT_FOUND;
		return NULL;
	}
	return sim_create_text(scenario_id, (const char *)a->data, err);
}

struct dns_source *sim_create_text(const char *id, const char *text, enum bh_err *err)
{
	struct sim *sim = xcalloc(1, sizeof *sim);
	enum bh_err e;

	sim->base.ops = &sim_ops;
	sim->id = xstrdup(id);
	sim->delay_ms = sim_delay_ms();
	e = sim_parse(sim, text);
	if (!sim->title)
		sim->title = xstrdup(id);
	if (!sim->other_target)
		sim->other_target = xstrdup("bounces.old-esp.example");
	if (!sim->addresses)
		sim->addresses = xstrdup("104.18.32.7, 172.64.155.249");
	if (!sim->apex_txt)
		sim->apex_txt = xstrdup("");
	if (!sim->esp)
		sim->esp = xstrdup("");
	if (e != BH_OK) {
		sim_destroy(&sim->base);
		if (err)
			*err = e;
		return NULL;
	}
	if (err)
		*err = BH_OK;
	return &sim->base;
}

const char *sim_esp_shape(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	return sim && sim->esp ? sim->esp : "";
}

bool sim_advance(struct dns_source *src)
{
	struct sim *sim = sim_of(src);
	if (!sim || sim->stage + 1 >= sim->nstages)
		return false;
	sim->stage++;
	sim_apply_nameservers(sim);
	return true;
}

int sim_stage(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	return sim ? sim->stage : 0;
}

int sim_stage_count(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	return sim ? sim->nstages : 0;
}

void sim_set_stage(struct dns_source *src, int stage)
{
	struct sim *sim = sim_of(src);
	if (!sim)
		return;
	if (stage >= sim->nstages)
		stage = sim->nstages - 1;
	if (stage < 0)
		stage = 0;
	sim->stage = stage;
	sim_apply_nameservers(sim);
}

const char *sim_stage_caption(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	if (!sim || !sim->stages[sim->stage].caption)
		return "";
	return sim->stages[sim->stage].caption;
}

const char *sim_dc_provider(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	return sim && sim->dc_name && sim->dc_ux ? sim->dc_name : "";
}

const char *sim_dc_ux(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	return sim && sim->dc_name && sim->dc_ux ? sim->dc_ux : "";
}

const char *sim_title(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	return sim ? sim->title : "";
}

const char *sim_id(const struct dns_source *src)
{
	const struct sim *sim = sim_of_const(src);
	return sim ? sim->id : "";
}

const char *const *sim_scenarios(void)
{
	static const char **ids;
	const struct asset *a;
	size_t n = 0, cap = 0;

	if (ids)
		return ids;
	for (a = assets_table; a->path; a++) {
		size_t len = strlen(a->path);
		char *id;
		if (strncmp(a->path, "scenarios/", 10) != 0 || len < 15 ||
		    strcmp(a->path + len - 4, ".ini") != 0)
			continue;
		id = xstrndup(a->path + 10, len - 14);
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 8;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		if (strcmp(id, "default") == 0 && n) {
			memmove(ids + 1, ids, n * sizeof *ids);
			ids[0] = id;
		} else {
			ids[n] = id;
		}
		n++;
	}
	if (!ids)
		ids = xcalloc(1, sizeof *ids);
	ids[n] = NULL;
	return ids;
}
