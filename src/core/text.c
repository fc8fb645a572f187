#include "core/text.h"

#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/assets.h"

struct text_entry {
	char *id;    /* malloced "section.key" */
	char *value; /* malloced */
};

static struct text_entry *text_entries; /* malloced, sorted by id */
static size_t text_count;
static size_t text_cap;
static int text_loaded;

static int text_entry_cmp(const void *a, const void *b)
{
	const struct text_entry *x = a, *y = b;
	return strcmp(x->id, y->id);
}

/* inih callback: a repeated name is a continuation line of a multi-line
 * value.  A continuation starting with "|" begins a new line (kept as
 * typed); any other continues the sentence (joined with a space), because
 * libinih reads at most 200 characters a line. */
static int text_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	size_t idlen = strlen(section) + strlen(name) + 2;
	char *id = xmalloc(idlen);
	(void)user;
	snprintf(id, idlen, "%s.%s", section, name);
	if (text_count && strcmp(text_entries[text_count - 1].id, id) == 0) {
		struct text_entry *e = &text_entries[text_count - 1];
		size_t old = strlen(e->value), add = strlen(value);
		e->value = xrealloc(e->value, old + add + 2);
		e->value[old] = value[0] == '|' ? '\n' : ' ';
		memcpy(e->value + old + 1, value, add + 1);
		free(id);
		return 1;
	}
	if (text_count == text_cap) {
		text_cap = text_cap ? text_cap * 2 : 256;
		text_entries = xrealloc(text_entries, text_cap * sizeof *text_entries);
	}
	text_entries[text_count].id = id;
	text_entries[text_count].value = xstrdup(value);
	text_count++;
	return 1;
}

/* Values may carry "\n" escapes; a "|" starting a line keeps the blanks
 * after it (inih strips leading blanks of continuation lines). */
static void text_unescape(char *s)
{
	char *r = s, *w = s;
	bool line_start = true;
	while (*r) {
		if (line_start && *r == '|') {
			r++;
			line_start = false;
		} else if (r[0] == '\\' && r[1] == 'n') {
			*w++ = '\n';
			r += 2;
			line_start = true;
		} else {
			line_start = *r == '\n';
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* Reads every assets/text/ (one .ini file per part); each file holds its own sections. */
static void text_load(void)
{
	const struct asset *a;
	size_t i;
	text_loaded = 1;
	for (a = assets_table; a->path; a++) {
		size_t len = strlen(a->path);
		if (strncmp(a->path, "text/", 5) != 0 || len < 4 ||
		    strcmp(a->path + len - 4, ".ini") != 0)
			continue;
		if (ini_parse_string((const char *)a->data, text_ini_handler, NULL) != 0)
			fprintf(stderr, "behalf: assets/%s has a syntax error\n", a->path);
	}
	for (i = 0; i < text_count; i++)
		text_unescape(text_entries[i].value);
	qsort(text_entries, text_count, sizeof *text_entries, text_entry_cmp);
}

static const struct text_entry *text_lookup(const char *id)
{
	struct text_entry key;
	if (!text_loaded)
		text_load();
	key.id = (char *)id;
	return bsearch(&key, text_entries, text_count, sizeof *text_entries, text_entry_cmp);
}

int text_has(const char *id)
{
	return text_lookup(id) != NULL;
}

const char *text_get(const char *id)
{
	static char missing[8][128];
	static unsigned next;
	const struct text_entry *e = text_lookup(id);
	char *slot;
	if (e)
		return e->value;
	slot = missing[next++ % 8];
	snprintf(slot, sizeof missing[0], "[%s]", id);
	return slot;
}

size_t text_format(char *out, size_t cap, const char *tmpl, const char *const *args, size_t nargs)
{
	size_t n = 0;
	const char *p;
	for (p = tmpl; *p; p++) {
		const char *piece = NULL;
		size_t plen = 1;
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
			size_t idx = (size_t)(p[1] - '1');
			piece = idx < nargs && args[idx] ? args[idx] : "";
			plen = strlen(piece);
			p += 2;
		} else {
			piece = p;
		}
		for (size_t i = 0; i < plen; i++, n++)
			if (cap && n < cap - 1)
				out[n] = piece[i];
	}
	if (cap)
		out[n < cap ? n : cap - 1] = '\0';
	return n;
}

size_t text_fmt(char *out, size_t cap, const char *id, const char *a1, const char *a2,
		const char *a3)
{
	const char *args[3] = {a1, a2, a3};
	return text_format(out, cap, text_get(id), args, 3);
}

void text_free(void)
{
	size_t i;
	for (i = 0; i < text_count; i++) {
		free(text_entries[i].id);
		free(text_entries[i].value);
	}
	free(text_entries);
	text_entries = NULL;
	text_count = text_cap = 0;
	text_loaded = 0;
}
