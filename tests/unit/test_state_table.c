/* The table that describes the state file (state_table.h): what the next
 * engineer would notice.  A member added to struct wizard (or to a struct
 * it saves) and forgotten in the table fails test_every_member_named; an
 * entry dropped or at a wrong offset fails test_every_byte_described; an
 * entry whose save or load is broken fails test_every_field_round_trip,
 * which changes each saved field, one at a time, from its default and
 * expects it back after a save and a load; a malformed entry fails
 * test_table_well_formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/state.h"
#include "core/state_table.h"
#include "core/wizard.h"

/* ---- walking the table as a reader of it would ---- */

#define PATH_MAX_LEN 192
#define COUNTS_MAX   8

/* One saved value of struct wizard: an entry of the table at one place. */
struct leaf {
	const struct state_field *f;
	size_t at;		   /* offset of the member in struct wizard */
	size_t base;		   /* offset of the struct the entry belongs to */
	char path[PATH_MAX_LEN];   /* "records[3].result.servers[7].seen" */
	size_t counts[COUNTS_MAX]; /* counts of the arrays on the way, set to their max */
	size_t count_values[COUNTS_MAX];
	size_t ncounts;
	const struct state_field *array; /* an array of scalars the leaf is in, or NULL */
	size_t array_at;		 /* where that array starts */
};

typedef void (*leaf_fn)(const struct leaf *l, void *ctx);

static void walk(const struct state_table *t, size_t base, struct leaf *l, leaf_fn fn, void *ctx);

static void path_push(struct leaf *l, const char *fmt, const char *a, size_t n)
{
	size_t len = strlen(l->path);
	snprintf(l->path + len, sizeof l->path - len, fmt, a, n);
}

/* The leaves of one entry: the last element of every array (with the
 * arrays' counts at their max, so that every element is used). */
static void walk_field(const struct state_field *f, size_t base, struct leaf *l, leaf_fn fn,
		       void *ctx)
{
	size_t len = strlen(l->path), last;

	if (f->key)
		path_push(l, *l->path ? ".%s" : "%s", f->key, 0);
	switch (f->kind) {
	case STATE_OBJECT:
		walk(f->sub, base + f->offset, l, fn, ctx);
		break;
	case STATE_ARRAY:
		last = (size_t)f->max - 1;
		assert_true(l->ncounts < COUNTS_MAX);
		if (f->count != STATE_NO_COUNT) {
			l->counts[l->ncounts] = base + f->count;
			l->count_values[l->ncounts++] = (size_t)f->max;
		}
		path_push(l, "%s[%zu]", "", last);
		if (!f->sub->fields[0].key) {
			struct leaf scalar = *l;
			scalar.f = &f->sub->fields[0];
			scalar.at = base + f->offset + last * f->size;
			scalar.base = scalar.at;
			scalar.array = f;
			scalar.array_at = base + f->offset;
			fn(&scalar, ctx);
		} else {
			walk(f->sub, base + f->offset + last * f->size, l, fn, ctx);
			if (f->sub2)
				walk(f->sub2, base + f->offset2 + last * f->size2, l, fn, ctx);
		}
		if (f->count != STATE_NO_COUNT)
			l->ncounts--;
		break;
	default: {
		struct leaf one = *l;
		one.f = f;
		one.at = base + f->offset;
		one.base = base;
		fn(&one, ctx);
		break;
	}
	}
	l->path[len] = '\0';
}

static void walk(const struct state_table *t, size_t base, struct leaf *l, leaf_fn fn, void *ctx)
{
	size_t i;
	for (i = 0; i < t->nfields; i++)
		walk_field(&t->fields[i], base, l, fn, ctx);
}

static void walk_all(leaf_fn fn, void *ctx)
{
	struct leaf l = {0};
	walk(state_table(), 0, &l, fn, ctx);
}

/* ---- every member described ---- */

/* The table's name for the saved member at offset at, for messages. */
#define NAME_MAX_LEN (PATH_MAX_LEN + 64)
struct finder {
	size_t at;
	char name[NAME_MAX_LEN];
};

static void find_leaf(const struct leaf *l, void *ctx)
{
	struct finder *fd = ctx;
	if (l->at <= fd->at && fd->at < l->at + l->f->size)
		snprintf(fd->name, sizeof fd->name, "%.*s (%.40s)", PATH_MAX_LEN, l->path,
			 l->f->member ? l->f->member : "");
}

static const char *name_at(size_t at, char *out, size_t cap)
{
	struct finder fd = {at, ""};
	walk_all(find_leaf, &fd);
	snprintf(out, cap, "%s", fd.name[0] ? fd.name : "an unsaved member or an element");
	return out;
}

/* Whether bytes from to end (excluded) can be the padding before a member
 * at end: fewer bytes than the alignment end allows (at most 8). */
static bool may_be_padding(size_t from, size_t end)
{
	size_t align = 8;
	while (align > 1 && end % align != 0)
		align /= 2;
	return end - from < align;
}

/* The bytes of struct wizard, down to the structs it holds, as the table
 * sees them: each saved by one entry or listed as not saved, never both or
 * twice, and no gap but padding.  This catches an entry dropped from the
 * table (its bytes are left over) and an entry at a wrong offset; a small
 * member slipped into an existing hole of padding looks like padding here,
 * which is why test_every_member_named checks the members by name. */
static void test_every_byte_described(void **state)
{
	unsigned char *map = xmalloc(sizeof(struct wizard));
	char before[NAME_MAX_LEN], after[NAME_MAX_LEN];
	size_t i, from = 0, saved = 0, unsaved = 0;

	(void)state;
	state_table_map(map);
	for (i = 0; i <= sizeof(struct wizard); i++) {
		if (i < sizeof(struct wizard) && map[i] == 0)
			continue;
		if (i > from && !may_be_padding(from, i))
			fail_msg(
			    "bytes %zu to %zu of struct wizard (after %s, before %s) are neither "
			    "saved by an entry of the state table (src/core/state.c) nor listed "
			    "as not saved",
			    from, i - 1, from > 0 ? name_at(from - 1, before, sizeof before) : "-",
			    i < sizeof(struct wizard) ? name_at(i, after, sizeof after) : "-");
		from = i + 1;
		if (i == sizeof(struct wizard))
			break;
		if (map[i] != 1 && map[i] != 16)
			fail_msg("byte %zu of struct wizard is described twice (%s)", i,
				 name_at(i, before, sizeof before));
		saved += map[i] == 1;
		unsaved += map[i] == 16;
	}
	/* the check sees something: most of the wizard is saved */
	assert_true(saved > sizeof(struct wizard) / 2);
	assert_true(unsaved > 0);
	free(map);
}

/* ---- every member named ---- */

#define MEMBERS_MAX 96
#define NAME_LEN    48

/* Appends the declarator names of one declaration ("int a, b[3]") to names. */
static void decl_names(char *decl, char names[][NAME_LEN], size_t *n)
{
	char *part = decl, *comma;
	do {
		char clean[256];
		size_t len = 0, end;
		const char *c;
		int depth = 0;

		comma = strchr(part, ',');
		if (comma)
			*comma = '\0';
		for (c = part; *c && len + 1 < sizeof clean; c++) { /* without [dimensions] */
			depth += *c == '[';
			if (depth == 0)
				clean[len++] = *c;
			depth -= *c == ']';
		}
		clean[len] = '\0';
		end = len;
		while (end > 0 && !(clean[end - 1] == '_' ||
				    (clean[end - 1] >= 'a' && clean[end - 1] <= 'z') ||
				    (clean[end - 1] >= 'A' && clean[end - 1] <= 'Z') ||
				    (clean[end - 1] >= '0' && clean[end - 1] <= '9')))
			end--;
		len = end;
		while (len > 0 &&
		       (clean[len - 1] == '_' || (clean[len - 1] >= 'a' && clean[len - 1] <= 'z') ||
			(clean[len - 1] >= 'A' && clean[len - 1] <= 'Z') ||
			(clean[len - 1] >= '0' && clean[len - 1] <= '9')))
			len--;
		if (end > len && *n < MEMBERS_MAX) {
			snprintf(names[*n], NAME_LEN, "%.*s", (int)(end - len), clean + len);
			(*n)++;
		}
		part = comma ? comma + 1 : NULL;
	} while (part);
}

/* The members of struct ctype as declared in src/core/NAME.h (one level:
 * these structs hold no struct definitions); returns how many. */
static size_t struct_members(const char *ctype, char names[][NAME_LEN])
{
	const char *headers[] = {"wizard", "resource", "record", "validate", "field"};
	char opening[96], *text = NULL, *body, *end, *decl, *semi, *c;
	size_t h, n = 0;

	snprintf(opening, sizeof opening, "struct %s {", ctype);
	for (h = 0; h < sizeof headers / sizeof headers[0] && !text; h++) {
		char path[512];
		struct buf b = {0};
		snprintf(path, sizeof path, "%s/src/core/%s.h", BEHALF_SOURCE_DIR, headers[h]);
		if (state_read_file(path, 1u << 20, &b) == BH_OK && strstr(b.data, opening))
			text = buf_steal(&b);
		buf_free(&b);
	}
	if (!text)
		fail_msg("struct %s is declared in none of the headers this test reads", ctype);
	/* comments out */
	while ((c = strstr(text, "/*")) != NULL) {
		end = strstr(c, "*/");
		assert_non_null(end);
		memset(c, ' ', (size_t)(end + 2 - c));
	}
	body = strstr(text, opening) + strlen(opening);
	end = strstr(body, "};");
	assert_non_null(end);
	*end = '\0';
	for (decl = body; (semi = strchr(decl, ';')) != NULL; decl = semi + 1) {
		*semi = '\0';
		decl_names(decl, names, &n);
	}
	free(text);
	return n;
}

/* Whether word is one of the space-separated words of list (or the struct
 * member before a dot: "rec.purpose" names rec). */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;
	while (list && (p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '.'))
			return true;
		p += n;
	}
	return false;
}

/* Whether some table of ctype, under t, names member (entry or unsaved). */
static bool table_names(const struct state_table *t, const char *ctype, const char *member)
{
	size_t i;
	for (i = 0; i < t->nfields; i++) {
		const struct state_field *f = &t->fields[i];
		if (strcmp(t->ctype, ctype) == 0 && has_word(f->member, member))
			return true;
		if (f->sub && table_names(f->sub, ctype, member))
			return true;
		if (f->sub2 && table_names(f->sub2, ctype, member))
			return true;
	}
	for (i = 0; strcmp(t->ctype, ctype) == 0 && i < t->nunsaved; i++)
		if (strcmp(t->unsaved[i].member, member) == 0)
			return true;
	return false;
}

/* The structs the tables describe (a name without spaces: not an enum or a
 * scalar element), each once, into out. */
static void table_ctypes(const struct state_table *t, const char **out, size_t *n, size_t cap)
{
	size_t i;
	bool seen = false;
	for (i = 0; i < *n; i++)
		seen |= strcmp(out[i], t->ctype) == 0;
	if (!seen && !strchr(t->ctype, ' ') && !strchr(t->ctype, '[') &&
	    strncmp(t->ctype, "int", 3) != 0 && *n < cap)
		out[(*n)++] = t->ctype;
	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].sub)
			table_ctypes(t->fields[i].sub, out, n, cap);
		if (t->fields[i].sub2)
			table_ctypes(t->fields[i].sub2, out, n, cap);
	}
}

/* Every member of struct wizard and of each struct a table describes, as
 * declared in the headers, is named by an entry of a table of that struct
 * or in its list of members not saved: a member added to the model and
 * forgotten in the table fails here, whatever its size.  (A member kept
 * whole by one entry, a struct field or the domain at the ESP with its own
 * codec, is not looked into.) */
static void test_every_member_named(void **state)
{
	const char *ctypes[32];
	char names[MEMBERS_MAX][NAME_LEN];
	size_t nctypes = 0, i, j, n, checked = 0;

	(void)state;
	table_ctypes(state_table(), ctypes, &nctypes, 32);
	assert_true(nctypes >= 6);
	for (i = 0; i < nctypes; i++) {
		n = struct_members(ctypes[i], names);
		if (n == 0)
			fail_msg("no member found in struct %s", ctypes[i]);
		for (j = 0; j < n; j++) {
			if (!table_names(state_table(), ctypes[i], names[j]))
				fail_msg("struct %s member %s is neither saved by an entry of the "
					 "state table (src/core/state.c) nor listed as not saved",
					 ctypes[i], names[j]);
			checked++;
		}
	}
	assert_true(checked > 80);
}

/* ---- every field survives a save and a load ---- */

struct trip {
	char dir[64];
	struct state_handle *h;
	struct wizard *a, *b, *before;
	size_t leaves;
};

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[512];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void fresh(struct wizard *w)
{
	struct wizard_config cfg = {0};
	str_copy(cfg.customer_id, sizeof cfg.customer_id, "acme");
	wizard_init(w, &cfg);
}

static int64_t get_int(const char *p, size_t size)
{
	if (size == 8) {
		int64_t v;
		memcpy(&v, p, sizeof v);
		return v;
	} else {
		int32_t v;
		memcpy(&v, p, sizeof v);
		return v;
	}
}

static void set_int(char *p, size_t size, int64_t value)
{
	if (size == 8) {
		memcpy(p, &value, sizeof value);
	} else {
		int32_t v = (int32_t)value;
		memcpy(p, &v, sizeof v);
	}
}

/* Sets the leaf's value in w to one away from what it holds: the longest
 * string that fits, the other bool, the end of the range, another word. */
static void set_leaf(struct wizard *w, const struct leaf *l)
{
	char *base = (char *)w, *p = base + l->at;
	const struct state_field *f = l->f;
	size_t i;
	int64_t cur;

	for (i = 0; i < l->ncounts; i++)
		memcpy(base + l->counts[i], &l->count_values[i], sizeof(size_t));
	switch (f->kind) {
	case STATE_STR:
		for (i = 0; i + 1 < f->size; i++)
			p[i] = (char)('a' + (char)(i % 26));
		p[f->size - 1] = '\0';
		break;
	case STATE_BOOL:
		*(bool *)p = !*(bool *)p;
		break;
	case STATE_INT:
		if (f->flags & STATE_MAX_COUNT) {
			size_t two = 2; /* an index into two used elements: the second */
			memcpy(base + l->base + f->count, &two, sizeof two);
			set_int(p, f->size, 1);
		} else if (l->array && (l->array->flags & STATE_NONZERO)) {
			/* only values other than 0 are kept, in order: fill them all */
			for (i = 0; i < (size_t)l->array->max; i++)
				set_int(base + l->array_at + i * f->size, f->size,
					f->max - (int64_t)i);
		} else {
			cur = get_int(p, f->size);
			set_int(p, f->size, cur != f->max ? f->max : f->min);
		}
		break;
	case STATE_WORD:
		cur = get_int(p, f->size);
		for (i = 0; i < (size_t)f->words->n; i++) {
			int v = f->words->values ? f->words->values[i] : (int)i;
			if (v != cur)
				set_int(p, f->size, v);
		}
		break;
	case STATE_FIELD: {
		struct field *fld = (struct field *)p;
		str_copy(fld->text, sizeof fld->text,
			 "J\xc3\xb6rg \xe2\x80\x9c"
			 "caf\xc3\xa9\xe2\x80\x9d");
		fld->len = strlen(fld->text);
		fld->cursor = 3; /* after the two bytes of the o umlaut */
		break;
	}
	case STATE_OBJECT:
	case STATE_ARRAY:
		fail_msg("%s: objects and arrays are walked, not set", l->path);
		break;
	}
}

/* Whether the leaf holds the same value in a and b. */
static bool leaf_equal(const struct wizard *a, const struct wizard *b, const struct leaf *l)
{
	const char *pa = (const char *)a + l->at, *pb = (const char *)b + l->at;
	const struct field *fa = (const struct field *)pa, *fb = (const struct field *)pb;

	switch (l->f->kind) {
	case STATE_STR:
		return strcmp(pa, pb) == 0;
	case STATE_FIELD:
		return strcmp(fa->text, fb->text) == 0 && fa->len == fb->len &&
		       fa->cursor == fb->cursor;
	default:
		if (l->array && (l->array->flags & STATE_NONZERO))
			return memcmp((const char *)a + l->array_at, (const char *)b + l->array_at,
				      (size_t)l->array->max * l->f->size) == 0;
		return memcmp(pa, pb, l->f->size) == 0;
	}
}

static void round_trip_leaf(const struct leaf *l, void *ctx)
{
	struct trip *t = ctx;
	char msg[512];

	fresh(t->a);
	memcpy(t->before, t->a, sizeof *t->a);
	set_leaf(t->a, l);
	if (leaf_equal(t->a, t->before, l))
		fail_msg("%s: the test could not change it from its default", l->path);
	if (state_save(t->h, t->a, msg, sizeof msg) != BH_OK)
		fail_msg("%s: save failed: %s", l->path, msg);
	fresh(t->b);
	if (state_load(t->h, t->b, msg, sizeof msg) != BH_OK)
		fail_msg("%s: the saved file does not load: %s", l->path, msg);
	if (!leaf_equal(t->a, t->b, l))
		fail_msg("%s (member %s) did not survive a save and a load", l->path,
			 l->f->member ? l->f->member : "");
	t->leaves++;
}

/* Each saved field, changed from its default (one at a time, the last
 * element of every array), survives a save and a load. */
static void test_every_field_round_trip(void **state)
{
	struct trip t = {0};
	char msg[256];

	(void)state;
	setenv("BEHALF_FAKE_TIME", "1755409889", 1);
	str_copy(t.dir, sizeof t.dir, "/tmp/behalf-state-table-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	assert_int_equal(state_open(t.dir, "acme", &t.h, msg, sizeof msg), BH_OK);
	t.a = xmalloc(sizeof *t.a);
	t.b = xmalloc(sizeof *t.b);
	t.before = xmalloc(sizeof *t.before);
	walk_all(round_trip_leaf, &t);
	/* a walk that found nothing would prove nothing */
	assert_true(t.leaves > 60);
	state_close(t.h);
	rm_tree(t.dir);
	free(t.a);
	free(t.b);
	free(t.before);
}

/* Every record type behalf knows a word for (record_type_word) survives a
 * save and a load: a type added to the DNS model (MX, ...) and not to the
 * state's words would be saved as another one. */
static void test_every_record_type_round_trip(void **state)
{
	struct trip t = {0};
	char msg[256];
	int type, known = 0;

	(void)state;
	str_copy(t.dir, sizeof t.dir, "/tmp/behalf-state-types-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	assert_int_equal(state_open(t.dir, "acme", &t.h, msg, sizeof msg), BH_OK);
	t.a = xmalloc(sizeof *t.a);
	t.b = xmalloc(sizeof *t.b);
	for (type = 0; type < 65536; type++) {
		if (strcmp(record_type_word((enum record_type)type), "TYPE?") == 0)
			continue;
		known++;
		fresh(t.a);
		t.a->nrecords = 1;
		t.a->records[0].type = (enum record_type)type;
		str_copy(t.a->records[0].name, sizeof t.a->records[0].name, "x.example");
		assert_int_equal(state_save(t.h, t.a, msg, sizeof msg), BH_OK);
		fresh(t.b);
		if (state_load(t.h, t.b, msg, sizeof msg) != BH_OK)
			fail_msg("record type %s: %s", record_type_word((enum record_type)type),
				 msg);
		if (t.b->records[0].type != (enum record_type)type)
			fail_msg("a record of type %s came back as %s",
				 record_type_word((enum record_type)type),
				 record_type_word(t.b->records[0].type));
	}
	assert_true(known >= 3); /* TXT, CNAME, ... */
	state_close(t.h);
	rm_tree(t.dir);
	free(t.a);
	free(t.b);
}

/* ---- the table is well formed ---- */

static void check_table(const struct state_table *t, size_t struct_size);

static void check_field(const struct state_table *t, const struct state_field *f,
			size_t struct_size)
{
	const char *key = f->key ? f->key : "(element)";
	int i, j;

	assert_true(f->offset + (f->kind == STATE_ARRAY ? (size_t)f->max * f->size : f->size) <=
		    struct_size);
	switch (f->kind) {
	case STATE_STR:
		if (f->size < 2)
			fail_msg("%s.%s: a string needs room for text", t->ctype, key);
		break;
	case STATE_BOOL:
		assert_int_equal(f->size, sizeof(bool));
		break;
	case STATE_INT:
		if ((f->size != 4 && f->size != 8) ||
		    (!(f->flags & STATE_MAX_COUNT) && f->min > f->max))
			fail_msg("%s.%s: an integer of 4 or 8 bytes with min <= max", t->ctype,
				 key);
		if (f->flags & STATE_MAX_COUNT)
			assert_true(f->count + sizeof(size_t) <= struct_size);
		break;
	case STATE_WORD:
		if (f->size != 4 || !f->words || f->words->n < 1 || !f->words->word)
			fail_msg("%s.%s: a word needs an enum and its words", t->ctype, key);
		for (i = 0; i < f->words->n; i++) {
			int vi = f->words->values ? f->words->values[i] : i;
			const char *wi = f->words->word(vi);
			if (!wi || !*wi)
				fail_msg("%s.%s: value %d has no word", t->ctype, key, vi);
			for (j = 0; j < i; j++) {
				int vj = f->words->values ? f->words->values[j] : j;
				if (strcmp(wi, f->words->word(vj)) == 0)
					fail_msg("%s.%s: two values are \"%s\"", t->ctype, key, wi);
			}
		}
		break;
	case STATE_FIELD:
		assert_int_equal(f->size, sizeof(struct field));
		break;
	case STATE_OBJECT:
		assert_non_null(f->sub);
		check_table(f->sub, f->member ? f->size : struct_size);
		break;
	case STATE_ARRAY:
		if (!f->sub || f->max < 1 || f->size < 1)
			fail_msg("%s.%s: an array needs an element and a length", t->ctype, key);
		if (f->count != STATE_NO_COUNT)
			assert_true(f->count + sizeof(size_t) <= struct_size);
		if (!f->sub->fields[0].key) { /* of scalars */
			if (f->sub->nfields != 1 || f->sub2 ||
			    (f->sub->fields[0].kind != STATE_INT &&
			     f->sub->fields[0].kind != STATE_WORD))
				fail_msg("%s.%s: an array of scalars holds one int or word",
					 t->ctype, key);
		} else if (f->flags & STATE_NONZERO) {
			fail_msg("%s.%s: only arrays of scalars skip zeros", t->ctype, key);
		}
		check_table(f->sub, f->size);
		if (f->sub2) { /* one object of the file for both */
			assert_true(f->offset2 + (size_t)f->max * f->size2 <= struct_size);
			check_table(f->sub2, f->size2);
			for (i = 0; i < (int)f->sub->nfields; i++)
				for (j = 0; j < (int)f->sub2->nfields; j++)
					if (strcmp(f->sub->fields[i].key, f->sub2->fields[j].key) ==
					    0)
						fail_msg("%s.%s: the key \"%s\" twice", t->ctype,
							 key, f->sub2->fields[j].key);
		}
		break;
	}
}

static void check_table(const struct state_table *t, size_t struct_size)
{
	size_t i, j;

	assert_non_null(t->ctype);
	assert_true(t->nfields > 0);
	for (i = 0; i < t->nfields; i++) {
		const struct state_field *f = &t->fields[i];
		if (!f->key && t->nfields != 1)
			fail_msg("%s: only the one entry of an array's element has no key",
				 t->ctype);
		for (j = 0; f->key && j < i; j++)
			if (t->fields[j].key && strcmp(f->key, t->fields[j].key) == 0)
				fail_msg("%s: the key \"%s\" twice", t->ctype, f->key);
		check_field(t, f, struct_size);
	}
	for (i = 0; i < t->nunsaved; i++)
		assert_true(t->unsaved[i].offset + t->unsaved[i].size <= struct_size);
}

/* Every entry is complete (a key, a size, its range or words, its element
 * table); keys are unique in their object and none is the file's header. */
static void test_table_well_formed(void **state)
{
	const struct state_table *t = state_table();
	const char *header[] = {"schema", "customer", "saved_at"};
	size_t i, j;

	(void)state;
	assert_string_equal(t->ctype, "wizard");
	check_table(t, sizeof(struct wizard));
	for (i = 0; i < t->nfields; i++)
		for (j = 0; j < 3; j++)
			if (strcmp(t->fields[i].key, header[j]) == 0)
				fail_msg("\"%s\" belongs to the header", header[j]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_well_formed),
	    cmocka_unit_test(test_every_byte_described),
	    cmocka_unit_test(test_every_member_named),
	    cmocka_unit_test(test_every_field_round_trip),
	    cmocka_unit_test(test_every_record_type_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
