#include "core/dnshost.h"

#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/assets.h"

#define DNSHOST_MAX_PATTERNS 16

struct dnshost {
	char *id;			      /* malloced section name */
	char *name;			      /* malloced display name */
	char *patterns[DNSHOST_MAX_PATTERNS]; /* malloced NS name globs */
	size_t npatterns;
	enum dnshost_name_field name_field;
	char *apex;	/* malloced */
	char *long_txt; /* malloced sentence, may be "" */
	char *proxy;	/* malloced sentence, may be "" */
	char *steps;	/* malloced sentence, may be "" */
};

static struct dnshost *dnshost_table; /* malloced, in file order */
static size_t dnshost_n;
static size_t dnshost_cap;
static int dnshost_loaded;

/* Replaces *field with a copy of value. */
static void dnshost_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* "a, b,c" into the host's patterns. */
static void dnshost_set_patterns(struct dnshost *h, const char *value)
{
	while (*value) {
		const char *end = strchr(value, ',');
		size_t len = end ? (size_t)(end - value) : strlen(value);
		char *p = xstrndup_trim(value, len);
		if (*p && h->npatterns < DNSHOST_MAX_PATTERNS)
			h->patterns[h->npatterns++] = p;
		else
			free(p);
		value += len + (end ? 1 : 0);
	}
}

/* The host of section id, added at the end when new. */
static struct dnshost *dnshost_section(const char *id)
{
	struct dnshost *h;
	if (dnshost_n && strcmp(dnshost_table[dnshost_n - 1].id, id) == 0)
		return &dnshost_table[dnshost_n - 1];
	if (dnshost_n == dnshost_cap) {
		dnshost_cap = dnshost_cap ? dnshost_cap * 2 : 32;
		dnshost_table = xrealloc(dnshost_table, dnshost_cap * sizeof *dnshost_table);
	}
	h = &dnshost_table[dnshost_n++];
	memset(h, 0, sizeof *h);
	h->id = xstrdup(id);
	h->name = xstrdup(id);
	h->apex = xstrdup("@");
	h->long_txt = xstrdup("");
	h->proxy = xstrdup("");
	h->steps = xstrdup("");
	h->name_field = DNSHOST_NAME_RELATIVE;
	return h;
}

/* inih callback: one key of one host section. */
static int dnshost_ini_handler(void *user, const char *section, const char *key, const char *value)
{
	struct dnshost *h;
	(void)user;
	if (!*section)
		return 1;
	h = dnshost_section(section);
	if (strcmp(key, "name") == 0) {
		dnshost_set(&h->name, value);
	} else if (strcmp(key, "ns") == 0) {
		dnshost_set_patterns(h, value);
	} else if (strcmp(key, "name_field") == 0) {
		if (strcmp(value, "fqdn") == 0)
			h->name_field = DNSHOST_NAME_FQDN;
		else if (strcmp(value, "either") == 0)
			h->name_field = DNSHOST_NAME_EITHER;
		else
			h->name_field = DNSHOST_NAME_RELATIVE;
	} else if (strcmp(key, "apex") == 0) {
		dnshost_set(&h->apex, value);
	} else if (strcmp(key, "long_txt") == 0) {
		dnshost_set(&h->long_txt, value);
	} else if (strcmp(key, "proxy") == 0) {
		dnshost_set(&h->proxy, value);
	} else if (strcmp(key, "steps") == 0) {
		dnshost_set(&h->steps, value);
	}
	return 1;
}

static void dnshost_load(void)
{
	const struct asset *a = asset_find("dnshosts.ini");
	dnshost_loaded = 1;
	if (!a)
		return;
	if (ini_parse_string((const char *)a->data, dnshost_ini_handler, NULL) != 0)
		fprintf(stderr, "behalf: assets/dnshosts.ini has a syntax error\n");
}

void dnshost_free(void)
{
	size_t i, j;
	for (i = 0; i < dnshost_n; i++) {
		struct dnshost *h = &dnshost_table[i];
		for (j = 0; j < h->npatterns; j++)
			free(h->patterns[j]);
		free(h->id);
		free(h->name);
		free(h->apex);
		free(h->long_txt);
		free(h->proxy);
		free(h->steps);
	}
	free(dnshost_table);
	dnshost_table = NULL;
	dnshost_n = dnshost_cap = 0;
	dnshost_loaded = 0;
}

/* Glob over [n, nend): '*' any run (also empty), '?' one character. */
static bool glob_match(const char *p, const char *n, const char *nend)
{
	const char *star_p = NULL, *star_n = NULL;
	while (n < nend) {
		if (*p == '*') {
			star_p = ++p;
			star_n = n;
		} else if (*p && (*p == '?' ||
				  tolower((unsigned char)*p) == tolower((unsigned char)*n))) {
			p++;
			n++;
		} else if (star_p) {
			p = star_p;
			n = ++star_n;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool dnshost_glob_match(const char *pattern, const char *name)
{
	size_t len = strlen(name);
	if (len && name[len - 1] == '.')
		len--;
	return glob_match(pattern, name, name + len);
}

static bool dnshost_matches(const struct dnshost *h, const char *ns)
{
	size_t i;
	for (i = 0; i < h->npatterns; i++)
		if (dnshost_glob_match(h->patterns[i], ns))
			return true;
	return false;
}

const struct dnshost *dnshost_detect(const char *const *ns_names, size_t n)
{
	const struct dnshost *best = NULL;
	size_t i, j, best_votes = 0;
	if (!dnshost_loaded)
		dnshost_load();
	for (i = 0; i < dnshost_n; i++) {
		size_t votes = 0;
		for (j = 0; j < n; j++)
			if (ns_names[j] && dnshost_matches(&dnshost_table[i], ns_names[j]))
				votes++;
		if (votes > best_votes) {
			best = &dnshost_table[i];
			best_votes = votes;
		}
	}
	return best;
}

const struct dnshost *dnshost_find(const char *id)
{
	size_t i;
	if (!dnshost_loaded)
		dnshost_load();
	if (!id)
		return NULL;
	for (i = 0; i < dnshost_n; i++)
		if (strcmp(dnshost_table[i].id, id) == 0)
			return &dnshost_table[i];
	return NULL;
}

size_t dnshost_count(void)
{
	if (!dnshost_loaded)
		dnshost_load();
	return dnshost_n;
}

const struct dnshost *dnshost_at(size_t i)
{
	if (!dnshost_loaded)
		dnshost_load();
	return i < dnshost_n ? &dnshost_table[i] : NULL;
}

const char *dnshost_id(const struct dnshost *h)
{
	return h->id;
}

const char *dnshost_name(const struct dnshost *h)
{
	return h->name;
}

enum dnshost_name_field dnshost_name_field(const struct dnshost *h)
{
	return h->name_field;
}

const char *dnshost_apex(const struct dnshost *h)
{
	return h->apex;
}

const char *dnshost_long_txt(const struct dnshost *h)
{
	return h->long_txt;
}

const char *dnshost_proxy(const struct dnshost *h)
{
	return h->proxy;
}

const char *dnshost_steps(const struct dnshost *h)
{
	return h->steps;
}
