/* Record comparison and diagnosis: what the authoritative servers answered,
 * compared by meaning with what the customer must publish.
 *
 * Per server, the answer to the first probe (the expected name and type)
 * decides the server's status; when the record is not there, the other
 * probes (the name with the zone appended, nearby wrong labels, other types)
 * explain why.  The overall status and the diagnoses then come from all
 * servers together.  Diagnosis arguments (see assets/text/records.ini):
 *   zone-appended          arg: label to type      arg2: name where it sits
 *   wrong-label            arg: label to type      arg2: label where it sits
 *   quoted-value           arg: label              arg2: value seen
 *   truncated-value        arg: label              arg2: value seen
 *   value-mismatch         arg: label              arg2: value seen
 *   duplicate-records      arg: label              arg2: how many records
 *   wrong-type             arg: type seen          arg2: type expected
 *   cname-target-mismatch  arg: expected target    arg2: target seen
 *   cname-flattened        arg: label              arg2: addresses seen
 *   not-propagated         arg: servers that lag   arg2: servers that have it
 *   server-unreachable     arg: servers            arg2: ""
 *   not-authoritative      arg: servers            arg2: all servers asked
 *   resolver-stale         arg: seconds left       arg2: resolvers
 *   dmarc-missing          arg: label              arg2: starter record
 *   dmarc-policy-blocks    arg: domain             arg2: policy
 *   spf-multiple           arg: label              arg2: merged record
 *   spf-too-many-lookups   arg: lookups counted    arg2: the terms that cost one
 *   value-whitespace       arg: label              arg2: what is inside the key
 * Everything taken from an answer passes sanitize_text first. */
#include "core/record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sanitize.h"
#include "core/text.h"
#include "core/validate.h"

/* What each probe of record_probes() is for. */
enum probe_kind {
	PROBE_MAIN,	     /* the expected name and type */
	PROBE_ZONE_APPENDED, /* <name>.<zone>: the host appended the zone */
	PROBE_SELECTOR_ONLY, /* DKIM <selector>.<domain>: no "._domainkey" */
	PROBE_NO_UNDERSCORE, /* DKIM <selector>.domainkey.<domain> */
	PROBE_APEX,	     /* DKIM at the domain itself */
	PROBE_PARENT_ZONE,   /* DKIM <selector>._domainkey.<zone> for a subdomain */
	PROBE_TXT_AT_NAME,   /* TXT where a CNAME is expected */
	PROBE_A_AT_NAME,     /* addresses where a CNAME is expected (flattening) */
	PROBE_AAAA_AT_NAME,
};

/* How a TXT value seen compares with the expected one. */
enum txt_cmp {
	TXT_MATCH,
	TXT_QUOTED,	      /* matches once the quotes are removed */
	TXT_TRUNCATED,	      /* a proper prefix of the expected value */
	TXT_QUOTED_TRUNCATED, /* both */
	TXT_BROKEN_KEY,	      /* a DKIM key that does not decode to a whole key */
	TXT_SPACE_BROKEN,     /* the right DKIM key, but with line breaks inside */
	TXT_DIFFERENT,
};

#define DKIM_MAX_TAGS 16
#define LIST_SEP      ", "
#define SEEN_SEP      RECORD_SEEN_SEP

static const char *const status_words[STATUS__COUNT] = {
    [STATUS_UNKNOWN] = "unknown",   [STATUS_VERIFIED] = "verified", [STATUS_PARTIAL] = "partial",
    [STATUS_MISMATCH] = "mismatch", [STATUS_MISSING] = "missing",   [STATUS_ERROR] = "error",
};

/* Every diagnosis code, in one row each: its word, its sentence and fix in
 * assets/text/records.ini, its place in the order diagnoses are shown (what
 * the customer must fix first: the name, the type, the value as typed, then
 * what the servers say, then advice) and what it asks of the customer. */
static const struct diag_def diags[DIAG__COUNT] = {
    [DIAG_ZONE_APPENDED] = {"zone-appended", "diag.zone-appended", "fix.zone-appended", 1,
			    DIAG_SEVERITY_FIX},
    [DIAG_WRONG_LABEL] = {"wrong-label", "diag.wrong-label", "fix.wrong-label", 2,
			  DIAG_SEVERITY_FIX},
    [DIAG_QUOTED_VALUE] = {"quoted-value", "diag.quoted-value", "fix.quoted-value", 5,
			   DIAG_SEVERITY_FIX},
    [DIAG_TRUNCATED_VALUE] = {"truncated-value", "diag.truncated-value", "fix.truncated-value", 7,
			      DIAG_SEVERITY_FIX},
    [DIAG_VALUE_MISMATCH] = {"value-mismatch", "diag.value-mismatch", "fix.value-mismatch", 10,
			     DIAG_SEVERITY_FIX},
    [DIAG_DUPLICATE_RECORDS] = {"duplicate-records", "diag.duplicate-records",
				"fix.duplicate-records", 8, DIAG_SEVERITY_FIX},
    [DIAG_WRONG_TYPE] = {"wrong-type", "diag.wrong-type", "fix.wrong-type", 3, DIAG_SEVERITY_FIX},
    [DIAG_CNAME_TARGET_MISMATCH] = {"cname-target-mismatch", "diag.cname-target-mismatch",
				    "fix.cname-target-mismatch", 9, DIAG_SEVERITY_FIX},
    [DIAG_CNAME_FLATTENED] = {"cname-flattened", "diag.cname-flattened", "fix.cname-flattened", 4,
			      DIAG_SEVERITY_FIX},
    [DIAG_NOT_PROPAGATED] = {"not-propagated", "diag.not-propagated", "fix.not-propagated", 13,
			     DIAG_SEVERITY_WAIT},
    [DIAG_RESOLVER_STALE] = {"resolver-stale", "diag.resolver-stale", "fix.resolver-stale", 14,
			     DIAG_SEVERITY_WAIT},
    [DIAG_SERVER_UNREACHABLE] = {"server-unreachable", "diag.server-unreachable",
				 "fix.server-unreachable", 12, DIAG_SEVERITY_FIX},
    [DIAG_NOT_AUTHORITATIVE] = {"not-authoritative", "diag.not-authoritative",
				"fix.not-authoritative", 11, DIAG_SEVERITY_FIX},
    [DIAG_DMARC_MISSING] = {"dmarc-missing", "diag.dmarc-missing", "fix.dmarc-missing", 17,
			    DIAG_SEVERITY_FIX},
    [DIAG_DMARC_POLICY_BLOCKS] = {"dmarc-policy-blocks", "diag.dmarc-policy-blocks",
				  "fix.dmarc-policy-blocks", 18, DIAG_SEVERITY_FIX},
    [DIAG_SPF_MULTIPLE] = {"spf-multiple", "diag.spf-multiple", "fix.spf-multiple", 15,
			   DIAG_SEVERITY_FIX},
    [DIAG_SPF_TOO_MANY_LOOKUPS] = {"spf-too-many-lookups", "diag.spf-too-many-lookups",
				   "fix.spf-too-many-lookups", 16, DIAG_SEVERITY_FIX},
    [DIAG_VALUE_WHITESPACE] = {"value-whitespace", "diag.value-whitespace", "fix.value-whitespace",
			       6, DIAG_SEVERITY_FIX},
};

const char *record_status_word(enum record_status status)
{
	if ((unsigned)status >= STATUS__COUNT)
		return "unknown";
	return status_words[status];
}

const struct diag_def *record_diag_def(enum record_diag diag)
{
	return (unsigned)diag < DIAG__COUNT ? &diags[diag] : NULL;
}

const char *record_diag_code(enum record_diag diag)
{
	const struct diag_def *d = record_diag_def(diag);
	return d && d->code ? d->code : "unknown";
}

const char *record_purpose_word(enum record_purpose purpose)
{
	switch (purpose) {
	case PURPOSE_DKIM:
		return "dkim";
	case PURPOSE_RETURN_PATH:
		return "return-path";
	case PURPOSE_DMARC:
		return "dmarc";
	case PURPOSE_SPF:
		return "spf";
	default:
		return "unknown";
	}
}

const char *record_type_word(enum record_type type)
{
	switch (type) {
	case RECORD_TYPE_A:
		return "A";
	case RECORD_TYPE_CNAME:
		return "CNAME";
	case RECORD_TYPE_MX:
		return "MX";
	case RECORD_TYPE_TXT:
		return "TXT";
	case RECORD_TYPE_AAAA:
		return "AAAA";
	default:
		return "TYPE?";
	}
}

/* Length of a domain name without its trailing dot. */
static size_t name_len(const char *s)
{
	size_t n = strlen(s);
	return n && s[n - 1] == '.' ? n - 1 : n;
}

/* Domain names equal, ignoring case and a trailing dot. */
static bool name_eq(const char *a, const char *b)
{
	size_t la = name_len(a), lb = name_len(b);
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Two MX values "<preference> <exchange>" equal: the same preference and
 * the same exchange, ignoring case and a trailing dot. */
static bool mx_eq(const char *a, const char *b)
{
	char *ea, *eb;
	unsigned long pa, pb;
	while (*a == ' ')
		a++;
	while (*b == ' ')
		b++;
	if (!isdigit((unsigned char)*a) || !isdigit((unsigned char)*b))
		return false;
	pa = strtoul(a, &ea, 10);
	pb = strtoul(b, &eb, 10);
	if (pa != pb || pa > 65535 || *ea != ' ' || *eb != ' ')
		return false;
	while (*ea == ' ')
		ea++;
	while (*eb == ' ')
		eb++;
	return *ea && name_eq(ea, eb);
}

/* True when name is zone or below it; *rel_len gets the length of the part
 * before ".<zone>" (0 for the zone itself). */
static bool name_in_zone(const char *name, const char *zone, size_t *rel_len)
{
	size_t ln = name_len(name), lz = name_len(zone);
	if (lz == 0) {
		*rel_len = ln;
		return true;
	}
	if (ln == lz && strncasecmp(name, zone, lz) == 0) {
		*rel_len = 0;
		return true;
	}
	if (ln > lz + 1 && name[ln - lz - 1] == '.' && strncasecmp(name + ln - lz, zone, lz) == 0) {
		*rel_len = ln - lz - 1;
		return true;
	}
	return false;
}

void record_relative_label(const char *name, const char *zone, char *out, size_t cap)
{
	size_t rel;
	if (!cap)
		return;
	if (!name_in_zone(name, zone, &rel)) {
		size_t n = name_len(name);
		char *tmp = xstrndup(name, n);
		str_copy(out, cap, tmp);
		free(tmp);
		return;
	}
	if (rel == 0) {
		str_copy(out, cap, "@");
		return;
	}
	if (rel >= cap)
		rel = cap - 1;
	memcpy(out, name, rel);
	out[rel] = '\0';
}

void record_server_answers_clear(struct server_answers *s)
{
	size_t i, j;
	for (i = 0; i < RECORD_MAX_PROBES; i++) {
		struct probe_answer *a = &s->probes[i];
		for (j = 0; j < RECORD_MAX_RRS; j++) {
			free(a->rrs[j].data);
			a->rrs[j].data = NULL;
		}
		a->nrrs = 0;
	}
}

/* Adds a probe when the name fits; returns the new count. */
static size_t probe_add(struct record_probe *probes, enum probe_kind *kinds, size_t n,
			enum probe_kind kind, enum record_type type, const char *a, const char *b)
{
	int len;
	if (n >= RECORD_MAX_PROBES)
		return n;
	if (b && *b)
		len = snprintf(probes[n].name, sizeof probes[n].name, "%s.%s", a, b);
	else
		len = snprintf(probes[n].name, sizeof probes[n].name, "%s", a);
	/* 253 characters is the longest a domain name can be in text. */
	if (len < 0 || len > 253 || !*probes[n].name)
		return n;
	probes[n].type = type;
	kinds[n] = kind;
	return n + 1;
}

/* Splits a DKIM name "<selector>._domainkey.<domain>"; false for other names. */
static bool dkim_split(const char *name, char *selector, size_t scap, const char **domain)
{
	static const char marker[] = "._domainkey.";
	const char *p = strstr(name, marker);
	size_t n;
	if (!p || p == name)
		return false;
	n = (size_t)(p - name);
	if (n >= scap)
		return false;
	memcpy(selector, name, n);
	selector[n] = '\0';
	*domain = p + sizeof marker - 1;
	return **domain != '\0';
}

/* record_probes with the purpose of each probe. */
static size_t probes_build(const struct expected_record *rec, const char *zone,
			   struct record_probe *probes, enum probe_kind *kinds)
{
	char name[RECORD_NAME_MAX], selector[RECORD_NAME_MAX];
	const char *domain;
	size_t n = 0, len = name_len(rec->name), rel;

	if (len >= sizeof name)
		len = sizeof name - 1;
	memcpy(name, rec->name, len);
	name[len] = '\0';
	n = probe_add(probes, kinds, n, PROBE_MAIN, rec->type, name, NULL);
	if (n == 0) {
		/* An unusable name still gets its one probe, so that the
		 * first probe is always the expected record. */
		str_copy(probes[0].name, sizeof probes[0].name, name);
		probes[0].type = rec->type;
		kinds[0] = PROBE_MAIN;
		return 1;
	}
	if (zone && *zone && name_in_zone(name, zone, &rel) && rel > 0)
		n = probe_add(probes, kinds, n, PROBE_ZONE_APPENDED, rec->type, name, zone);

	if (rec->type == RECORD_TYPE_CNAME) {
		n = probe_add(probes, kinds, n, PROBE_TXT_AT_NAME, RECORD_TYPE_TXT, name, NULL);
		n = probe_add(probes, kinds, n, PROBE_A_AT_NAME, RECORD_TYPE_A, name, NULL);
		n = probe_add(probes, kinds, n, PROBE_AAAA_AT_NAME, RECORD_TYPE_AAAA, name, NULL);
		return n;
	}
	if (rec->purpose == PURPOSE_DKIM && dkim_split(name, selector, sizeof selector, &domain)) {
		char nounder[RECORD_NAME_MAX + 16];
		n = probe_add(probes, kinds, n, PROBE_SELECTOR_ONLY, RECORD_TYPE_TXT, selector,
			      domain);
		snprintf(nounder, sizeof nounder, "%s.domainkey", selector);
		n = probe_add(probes, kinds, n, PROBE_NO_UNDERSCORE, RECORD_TYPE_TXT, nounder,
			      domain);
		n = probe_add(probes, kinds, n, PROBE_APEX, RECORD_TYPE_TXT, domain, NULL);
		if (zone && *zone && !name_eq(domain, zone) && name_in_zone(domain, zone, &rel)) {
			char under[RECORD_NAME_MAX + 16];
			snprintf(under, sizeof under, "%s._domainkey", selector);
			n = probe_add(probes, kinds, n, PROBE_PARENT_ZONE, RECORD_TYPE_TXT, under,
				      zone);
		}
	}
	return n;
}

size_t record_probes(const struct expected_record *rec, const char *zone,
		     struct record_probe *probes)
{
	enum probe_kind kinds[RECORD_MAX_PROBES];
	return probes_build(rec, zone, probes, kinds);
}

/* ---- TXT comparison by meaning ---- */

/* Length of a quote character at s (ASCII or typographic), else 0. */
static size_t quote_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] == '"')
		return 1;
	if (u[0] == '\\' && u[1] == '"')
		return 2;
	/* U+2018 U+2019 U+201C U+201D U+201E: e2 80 98/99/9c/9d/9e */
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0x98 || u[2] == 0x99 || u[2] == 0x9c || u[2] == 0x9d || u[2] == 0x9e))
		return 3;
	/* U+00AB U+00BB: c2 ab/bb */
	if (u[0] == 0xc2 && (u[1] == 0xab || u[1] == 0xbb))
		return 2;
	return 0;
}

/* Copy of s without quote characters (caller frees); *had says if any. */
static char *strip_quotes(const char *s, bool *had)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;
	*had = false;
	while (*s) {
		size_t q = quote_len(s);
		if (q) {
			*had = true;
			s += q;
			continue;
		}
		*w++ = *s++;
	}
	*w = '\0';
	return out;
}

/* Copy of s with outer whitespace trimmed and inner runs folded to one
 * space (caller frees). */
static char *fold_space(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;
	bool space = false;
	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = true;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *s;
	}
	*w = '\0';
	return out;
}

/* Copy of s without any whitespace (caller frees). */
static char *drop_space(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			*w++ = *s;
	*w = '\0';
	return out;
}

/* A tag=value list (DKIM, DMARC), parsed. */
struct tag_list {
	size_t n;
	char *names[DKIM_MAX_TAGS];  /* malloced, trimmed */
	char *values[DKIM_MAX_TAGS]; /* malloced, whitespace folded */
};

static void tags_free(struct tag_list *t)
{
	size_t i;
	for (i = 0; i < t->n; i++) {
		free(t->names[i]);
		free(t->values[i]);
	}
	t->n = 0;
}

/* Parses "a=1; b = 2 ;c=3"; false when it is not a tag list. */
static bool tags_parse(const char *s, struct tag_list *t)
{
	t->n = 0;
	while (*s) {
		const char *end = strchr(s, ';'), *eq;
		size_t len = end ? (size_t)(end - s) : strlen(s);
		char *item = xstrndup(s, len), *name, *value;
		char *fitem = fold_space(item);
		free(item);
		s += len + (end ? 1 : 0);
		if (!*fitem) {
			free(fitem);
			continue;
		}
		eq = strchr(fitem, '=');
		if (!eq || eq == fitem || t->n == DKIM_MAX_TAGS) {
			free(fitem);
			tags_free(t);
			return false;
		}
		name = xstrndup(fitem, (size_t)(eq - fitem));
		value = fold_space(eq + 1);
		free(fitem);
		{
			char *fname = fold_space(name);
			free(name);
			name = fname;
		}
		t->names[t->n] = name;
		t->values[t->n] = value;
		t->n++;
	}
	return true;
}

static const char *tags_get(const struct tag_list *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->names[i], name) == 0)
			return t->values[i];
	return NULL;
}

static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* True when the base64 key decodes to one whole DER structure (a public key
 * cut by a DNS host does not). */
static bool dkim_key_whole(const char *p)
{
	size_t len = strlen(p), i, n = 0, pad = 0, total;
	unsigned char *der;
	unsigned acc = 0;
	int bits = 0;
	bool ok = false;

	if (len == 0 || len % 4 != 0)
		return false;
	der = xmalloc(len);
	for (i = 0; i < len; i++) {
		int v;
		if (p[i] == '=') {
			pad++;
			continue;
		}
		v = b64_value((unsigned char)p[i]);
		if (v < 0 || pad)
			goto out;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			der[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (pad > 2 || n < 2 || der[0] != 0x30)
		goto out;
	if (der[1] < 0x80) {
		total = 2 + (size_t)der[1];
	} else if (der[1] == 0x81 && n >= 3) {
		total = 3 + (size_t)der[2];
	} else if (der[1] == 0x82 && n >= 4) {
		total = 4 + ((size_t)der[2] << 8 | der[3]);
	} else {
		goto out;
	}
	ok = total == n;
out:
	free(der);
	return ok;
}

/* DKIM: k= and p= decide (p= without whitespace); the other tags of the
 * expected value must be there with the same folded value. */
static enum txt_cmp dkim_compare(const struct tag_list *exp, const struct tag_list *seen)
{
	const char *ep = tags_get(exp, "p"), *sp = tags_get(seen, "p");
	const char *ek = tags_get(exp, "k"), *sk = tags_get(seen, "k");
	const char *sv = tags_get(seen, "v");
	enum txt_cmp res = TXT_DIFFERENT;
	char *epn, *spn;
	size_t i;

	if (!sp)
		return TXT_DIFFERENT;
	if (sv && strcmp(sv, "DKIM1") != 0)
		return TXT_DIFFERENT;
	if (strcasecmp(ek ? ek : "rsa", sk ? sk : "rsa") != 0)
		return TXT_DIFFERENT;
	epn = drop_space(ep);
	spn = drop_space(sp);
	if (strcmp(epn, spn) == 0) {
		res = TXT_MATCH;
		for (i = 0; i < exp->n; i++) {
			const char *name = exp->names[i], *v;
			if (!strcmp(name, "p") || !strcmp(name, "k") || !strcmp(name, "v"))
				continue;
			v = tags_get(seen, name);
			if (!v || strcmp(v, exp->values[i]) != 0)
				res = TXT_DIFFERENT;
		}
	} else if (*spn && strlen(spn) < strlen(epn) && strncmp(epn, spn, strlen(spn)) == 0) {
		res = TXT_TRUNCATED;
	} else if (*spn && !dkim_key_whole(spn)) {
		res = TXT_BROKEN_KEY;
	}
	free(epn);
	free(spn);
	return res;
}

/* DMARC: any record with v=DMARC1 and a known policy will do (the expected
 * one is only a starter record). */
static enum txt_cmp dmarc_compare(const char *seen)
{
	struct tag_list t;
	const char *v, *p;
	enum txt_cmp res = TXT_DIFFERENT;
	if (!tags_parse(seen, &t))
		return TXT_DIFFERENT;
	v = tags_get(&t, "v");
	p = tags_get(&t, "p");
	if (v && !strcasecmp(v, "DMARC1") && p &&
	    (!strcasecmp(p, "none") || !strcasecmp(p, "quarantine") || !strcasecmp(p, "reject")))
		res = TXT_MATCH;
	tags_free(&t);
	return res;
}

/* True when the word (one SPF term) occurs in the folded record. */
static bool spf_has_term(const char *record, const char *term, size_t tlen)
{
	const char *p = record;
	while (*p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == tlen && strncasecmp(p, term, len) == 0)
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* SPF: every include: of the expected record must be in the seen one, which
 * may say more (it is the customer's merged record). */
static enum txt_cmp spf_compare(const char *exp, const char *seen)
{
	const char *p = exp;
	bool any = false;
	if (strncasecmp(seen, "v=spf1", 6) != 0 || (seen[6] && seen[6] != ' '))
		return TXT_DIFFERENT;
	while (*p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 8 && strncasecmp(p, "include:", 8) == 0) {
			any = true;
			if (!spf_has_term(seen, p, len))
				return TXT_DIFFERENT;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	if (!any && strcasecmp(exp, seen) != 0)
		return TXT_DIFFERENT;
	return TXT_MATCH;
}

/* Compares two quote-free values by meaning for purpose. */
static enum txt_cmp txt_compare_plain(enum record_purpose purpose, const char *exp,
				      const char *seen)
{
	char *fe = fold_space(exp), *fs = fold_space(seen);
	enum txt_cmp res = TXT_DIFFERENT;
	struct tag_list te, ts;

	if (purpose == PURPOSE_DKIM && tags_parse(fe, &te)) {
		if (tags_get(&te, "p") && tags_parse(fs, &ts)) {
			res = dkim_compare(&te, &ts);
			tags_free(&ts);
		} else if (!tags_get(&te, "p")) {
			res = strcmp(fe, fs) == 0 ? TXT_MATCH : TXT_DIFFERENT;
		}
		tags_free(&te);
	} else if (purpose == PURPOSE_DMARC) {
		res = dmarc_compare(fs);
	} else if (purpose == PURPOSE_SPF) {
		res = spf_compare(fe, fs);
	} else {
		res = strcmp(fe, fs) == 0 ? TXT_MATCH : TXT_DIFFERENT;
	}
	/* A value cut short, whatever its syntax: a proper prefix. */
	if (res == TXT_DIFFERENT && *fs && strlen(fs) < strlen(fe) &&
	    strncmp(fe, fs, strlen(fs)) == 0)
		res = TXT_TRUNCATED;
	free(fe);
	free(fs);
	return res;
}

/* Compares a TXT value seen with the expected one, quotes included. */
static enum txt_cmp txt_compare(enum record_purpose purpose, const char *exp, const char *seen)
{
	bool had;
	char *bare = strip_quotes(seen, &had);
	enum txt_cmp res = txt_compare_plain(purpose, exp, bare);
	free(bare);
	if (!had)
		return res;
	if (res == TXT_MATCH)
		return TXT_QUOTED;
	if (res == TXT_TRUNCATED)
		return TXT_QUOTED_TRUNCATED;
	return res;
}

/* True when the TXT value is one of the records of purpose at its name:
 * at _dmarc and at the apex only v=DMARC1 / v=spf1 records count. */
static bool txt_relevant(enum record_purpose purpose, const char *data)
{
	bool had;
	char *bare = strip_quotes(data, &had), *f = fold_space(bare);
	bool res = true;
	free(bare);
	if (purpose == PURPOSE_DMARC)
		res = strncasecmp(f, "v=DMARC1", 8) == 0;
	else if (purpose == PURPOSE_SPF)
		res = strncasecmp(f, "v=spf1", 6) == 0;
	free(f);
	return res;
}

/* ---- evaluation ---- */

/* Every diagnosis found, one per code, before the best are kept. */
struct diag_set {
	bool has[DIAG__COUNT];
	struct record_diagnosis d[DIAG__COUNT];
};

/* Appends item to a ", " separated list in out (cap bytes) unless there. */
static void list_add(char *out, size_t cap, const char *item)
{
	size_t len = strlen(out), ilen = strlen(item);
	const char *p = out;
	if (!ilen)
		return;
	while ((p = strstr(p, item)) != NULL) {
		bool start = p == out || (p >= out + 2 && p[-2] == ',' && p[-1] == ' ');
		bool end = p[ilen] == '\0' || p[ilen] == ',';
		if (start && end)
			return;
		p += ilen;
	}
	if (len && len + sizeof LIST_SEP < cap) {
		memcpy(out + len, LIST_SEP, sizeof LIST_SEP);
		len += sizeof LIST_SEP - 1;
	}
	if (len < cap)
		str_copy(out + len, cap - len, item);
}

/* Records a diagnosis; the first one of a code keeps its arguments.  Both
 * arguments are sanitized here. */
static void diag_add(struct diag_set *set, enum record_diag code, const char *arg, const char *arg2)
{
	struct record_diagnosis *d = &set->d[code];
	if (set->has[code])
		return;
	set->has[code] = true;
	d->code = code;
	sanitize_text(arg ? arg : "", d->arg, sizeof d->arg);
	sanitize_text(arg2 ? arg2 : "", d->arg2, sizeof d->arg2);
}

/* Adds a server to the list argument of a diagnosis (arg). */
static void diag_add_server(struct diag_set *set, enum record_diag code, const char *server,
			    const char *arg2)
{
	char clean[RECORD_NAME_MAX];
	sanitize_text(server, clean, sizeof clean);
	if (!set->has[code])
		diag_add(set, code, "", arg2);
	list_add(set->d[code].arg, sizeof set->d[code].arg, clean);
}

/* Adds the diagnosis a TXT comparison result calls for. */
static void diag_add_txt(struct diag_set *set, enum txt_cmp cmp, const char *label,
			 const char *seen)
{
	switch (cmp) {
	case TXT_QUOTED:
		diag_add(set, DIAG_QUOTED_VALUE, label, seen);
		break;
	case TXT_QUOTED_TRUNCATED:
		diag_add(set, DIAG_QUOTED_VALUE, label, seen);
		diag_add(set, DIAG_TRUNCATED_VALUE, label, seen);
		break;
	case TXT_TRUNCATED:
	case TXT_BROKEN_KEY:
		diag_add(set, DIAG_TRUNCATED_VALUE, label, seen);
		break;
	case TXT_SPACE_BROKEN: /* value-whitespace, added by eval_space */
		break;
	case TXT_DIFFERENT:
		diag_add(set, DIAG_VALUE_MISMATCH, label, seen);
		break;
	case TXT_MATCH:
		break;
	}
}

/* Appends "text" to the seen buffer with a separator. */
static void seen_add(char *seen, size_t cap, const char *prefix, const char *data)
{
	size_t len = strlen(seen);
	if (len && len < cap)
		len += (size_t)snprintf(seen + len, cap - len, "%s", SEEN_SEP);
	if (len < cap)
		snprintf(seen + len, cap - len, "%s%s%s", prefix ? prefix : "", prefix ? " " : "",
			 data ? data : "");
}

/* True when an answer counts: authoritative with data. */
static bool answer_has_data(const struct probe_answer *a)
{
	return a->rcode == ANSWER_OK && a->authoritative && a->nrrs > 0;
}

static size_t answer_nrrs(const struct probe_answer *a)
{
	return a->nrrs < RECORD_MAX_RRS ? a->nrrs : RECORD_MAX_RRS;
}

static bool rcode_failed(enum answer_rcode rc)
{
	return rc == ANSWER_SERVFAIL || rc == ANSWER_REFUSED || rc == ANSWER_TIMEOUT;
}

/* The evaluation of one record, shared by the helpers below. */
struct eval {
	const struct expected_record *rec;
	const char *zone;
	size_t nprobes;
	struct record_probe probes[RECORD_MAX_PROBES];
	enum probe_kind kinds[RECORD_MAX_PROBES];
	char label[RECORD_NAME_MAX]; /* the label to type */
	char where[RECORD_NAME_MAX]; /* where this server has it instead, or "" */
	struct diag_set *set;
};

/* What a paste from a wrapped view leaves inside a DKIM key. */
enum key_space {
	KEY_SPACE_BREAK = 1, /* line breaks */
	KEY_SPACE_TAB = 2,   /* tabs (and other blanks that are not spaces) */
	KEY_SPACE_RUN = 4,   /* two spaces or more in a row */
};

/* True when item (len bytes, one tag of a tag list) is the p= tag; *value
 * gets where its value starts. */
static bool key_space_is_p(const char *item, size_t len, const char **value)
{
	const char *p = item, *end = item + len;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end || *p != 'p')
		return false;
	for (p++; p < end && isspace((unsigned char)*p); p++)
		;
	if (p == end || *p != '=')
		return false;
	*value = p + 1;
	return true;
}

/* The whitespace inside the p= value of a DKIM record (quotes aside, and
 * the blanks around the value aside), as key_space bits.  One space alone
 * is folding RFC 6376 allows and counts for nothing. */
static unsigned key_space_inside(const char *data)
{
	bool had;
	char *bare = strip_quotes(data, &had);
	const char *s = bare;
	unsigned found = 0;
	while (*s) {
		const char *semi = strchr(s, ';'), *v, *end;
		size_t len = semi ? (size_t)(semi - s) : strlen(s);
		if (key_space_is_p(s, len, &v)) {
			end = s + len;
			while (v < end && isspace((unsigned char)*v))
				v++;
			while (end > v && isspace((unsigned char)end[-1]))
				end--;
			for (; v < end; v++) {
				if (*v == '\n' || *v == '\r')
					found |= KEY_SPACE_BREAK;
				else if (*v != ' ' && isspace((unsigned char)*v))
					found |= KEY_SPACE_TAB;
				else if (*v == ' ' && v[1] == ' ')
					found |= KEY_SPACE_RUN;
			}
		}
		s += len + (semi ? 1 : 0);
	}
	free(bare);
	return found;
}

/* value-whitespace for a DKIM value that is (or nearly is) the right one
 * but has line breaks, tabs or runs of spaces inside the key.  Line breaks
 * are not folding a verifier must accept (a bare line break is not CRLF
 * and a blank), so such a key does not count as a match. */
static enum txt_cmp eval_space(struct eval *ev, const char *data, enum txt_cmp cmp)
{
	static const struct {
		unsigned bit;
		const char *id;
	} words[] = {{KEY_SPACE_BREAK, "space.breaks"},
		     {KEY_SPACE_TAB, "space.tabs"},
		     {KEY_SPACE_RUN, "space.runs"}};
	char what[RECORD_NAME_MAX] = "";
	unsigned found;
	size_t i;
	if (ev->rec->purpose != PURPOSE_DKIM || cmp == TXT_DIFFERENT || cmp == TXT_BROKEN_KEY)
		return cmp;
	found = key_space_inside(data);
	if (!found)
		return cmp;
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (found & words[i].bit)
			list_add(what, sizeof what, text_get(words[i].id));
	diag_add(ev->set, DIAG_VALUE_WHITESPACE, ev->label, what);
	return (found & KEY_SPACE_BREAK) && cmp == TXT_MATCH ? TXT_SPACE_BROKEN : cmp;
}

/* Looks for the record at the other probed names of one server that is
 * missing it at the expected name. */
static void eval_elsewhere(struct eval *ev, const struct server_answers *s)
{
	size_t i, j;
	for (i = 1; i < ev->nprobes && i < s->nprobes; i++) {
		const struct probe_answer *a = &s->probes[i];
		enum probe_kind kind = ev->kinds[i];
		if (kind == PROBE_TXT_AT_NAME || kind == PROBE_A_AT_NAME ||
		    kind == PROBE_AAAA_AT_NAME || !answer_has_data(a))
			continue;
		for (j = 0; j < answer_nrrs(a); j++) {
			const struct answer_rr *rr = &a->rrs[j];
			enum txt_cmp cmp = TXT_DIFFERENT;
			char where[RECORD_NAME_MAX];
			if (rr->type != ev->rec->type || !rr->data ||
			    !name_eq(rr->owner, ev->probes[i].name))
				continue;
			if (rr->type == RECORD_TYPE_TXT)
				cmp = eval_space(
				    ev, rr->data,
				    txt_compare(ev->rec->purpose, ev->rec->value, rr->data));
			else if (rr->type == RECORD_TYPE_MX ? mx_eq(rr->data, ev->rec->value)
							    : name_eq(rr->data, ev->rec->value))
				cmp = TXT_MATCH;
			if (cmp == TXT_DIFFERENT || cmp == TXT_BROKEN_KEY)
				continue;
			if (!ev->where[0])
				str_copy(ev->where, sizeof ev->where, ev->probes[i].name);
			if (kind == PROBE_ZONE_APPENDED) {
				diag_add(ev->set, DIAG_ZONE_APPENDED, ev->label,
					 ev->probes[i].name);
			} else {
				record_relative_label(ev->probes[i].name, ev->zone, where,
						      sizeof where);
				diag_add(ev->set, DIAG_WRONG_LABEL, ev->label, where);
			}
			diag_add_txt(ev->set, cmp, ev->label, rr->data);
			break;
		}
	}
}

/* A TXT record expected: the server's status from its answers. */
static enum record_status eval_txt(struct eval *ev, const struct server_answers *s, char *seen,
				   size_t scap)
{
	const struct probe_answer *a = &s->probes[0];
	const struct answer_rr *cname = NULL;
	size_t j, nrel = 0, nmatch = 0;
	enum txt_cmp first = TXT_DIFFERENT;
	const char *first_data = NULL;
	char count[32];

	for (j = 0; a->rcode == ANSWER_OK && j < answer_nrrs(a); j++) {
		const struct answer_rr *rr = &a->rrs[j];
		enum txt_cmp cmp;
		if (!rr->data)
			continue;
		if (rr->type == RECORD_TYPE_CNAME && name_eq(rr->owner, ev->probes[0].name))
			cname = rr;
		if (rr->type != RECORD_TYPE_TXT || !txt_relevant(ev->rec->purpose, rr->data))
			continue;
		seen_add(seen, scap, NULL, rr->data);
		cmp = eval_space(ev, rr->data,
				 txt_compare(ev->rec->purpose, ev->rec->value, rr->data));
		if (cmp == TXT_MATCH)
			nmatch++;
		if (!first_data || (first == TXT_DIFFERENT && cmp != TXT_DIFFERENT)) {
			first = cmp;
			first_data = rr->data;
		}
		nrel++;
	}
	if (nrel == 0 && cname) {
		seen_add(seen, scap, record_type_word(RECORD_TYPE_CNAME), cname->data);
		diag_add(ev->set, DIAG_WRONG_TYPE, record_type_word(RECORD_TYPE_CNAME),
			 record_type_word(RECORD_TYPE_TXT));
		return STATUS_MISMATCH;
	}
	if (nrel == 0) {
		eval_elsewhere(ev, s);
		return STATUS_MISSING;
	}
	/* Several DKIM keys at one name, or several DMARC/SPF policies,
	 * make verifiers fail even when one of them is right. */
	if (nrel > 1) {
		snprintf(count, sizeof count, "%zu", nrel);
		diag_add(ev->set, DIAG_DUPLICATE_RECORDS, ev->label, count);
		if (!nmatch)
			diag_add_txt(ev->set, first, ev->label, first_data);
		return STATUS_MISMATCH;
	}
	if (nmatch)
		return STATUS_VERIFIED;
	diag_add_txt(ev->set, first, ev->label, first_data);
	return STATUS_MISMATCH;
}

/* A CNAME record expected: the server's status from its answers. */
static enum record_status eval_cname(struct eval *ev, const struct server_answers *s, char *seen,
				     size_t scap)
{
	const struct probe_answer *a = &s->probes[0];
	size_t i, j;
	char addrs[RECORD_VALUE_MAX] = "";

	for (j = 0; a->rcode == ANSWER_OK && j < answer_nrrs(a); j++) {
		const struct answer_rr *rr = &a->rrs[j];
		if (rr->type != RECORD_TYPE_CNAME || !rr->data ||
		    !name_eq(rr->owner, ev->probes[0].name))
			continue;
		seen_add(seen, scap, NULL, rr->data);
		if (name_eq(rr->data, ev->rec->value))
			return STATUS_VERIFIED;
		{
			char target[RECORD_NAME_MAX];
			size_t n = name_len(rr->data);
			if (n >= sizeof target)
				n = sizeof target - 1;
			memcpy(target, rr->data, n);
			target[n] = '\0';
			diag_add(ev->set, DIAG_CNAME_TARGET_MISMATCH, ev->rec->value, target);
		}
		return STATUS_MISMATCH;
	}
	for (i = 1; i < ev->nprobes && i < s->nprobes; i++) {
		const struct probe_answer *p = &s->probes[i];
		enum probe_kind kind = ev->kinds[i];
		if (!answer_has_data(p))
			continue;
		for (j = 0; j < answer_nrrs(p); j++) {
			const struct answer_rr *rr = &p->rrs[j];
			if (!rr->data || !name_eq(rr->owner, ev->probes[0].name))
				continue;
			if (kind == PROBE_TXT_AT_NAME && rr->type == RECORD_TYPE_TXT) {
				seen_add(seen, scap, record_type_word(RECORD_TYPE_TXT), rr->data);
				diag_add(ev->set, DIAG_WRONG_TYPE,
					 record_type_word(RECORD_TYPE_TXT),
					 record_type_word(RECORD_TYPE_CNAME));
				return STATUS_MISMATCH;
			}
			if ((kind == PROBE_A_AT_NAME && rr->type == RECORD_TYPE_A) ||
			    (kind == PROBE_AAAA_AT_NAME && rr->type == RECORD_TYPE_AAAA))
				list_add(addrs, sizeof addrs, rr->data);
		}
	}
	if (*addrs) {
		seen_add(seen, scap, NULL, addrs);
		diag_add(ev->set, DIAG_CNAME_FLATTENED, ev->label, addrs);
		return STATUS_MISMATCH;
	}
	eval_elsewhere(ev, s);
	return STATUS_MISSING;
}

/* An MX record expected: the server's status from its answers.  Other MX
 * records beside the expected one are fine (mail has several exchanges). */
static enum record_status eval_mx(struct eval *ev, const struct server_answers *s, char *seen,
				  size_t scap)
{
	const struct probe_answer *a = &s->probes[0];
	const struct answer_rr *cname = NULL;
	const char *first = NULL;
	size_t j;

	for (j = 0; a->rcode == ANSWER_OK && j < answer_nrrs(a); j++) {
		const struct answer_rr *rr = &a->rrs[j];
		if (!rr->data || !name_eq(rr->owner, ev->probes[0].name))
			continue;
		if (rr->type == RECORD_TYPE_CNAME)
			cname = rr;
		if (rr->type != RECORD_TYPE_MX)
			continue;
		seen_add(seen, scap, NULL, rr->data);
		if (mx_eq(rr->data, ev->rec->value))
			return STATUS_VERIFIED;
		if (!first)
			first = rr->data;
	}
	if (first) {
		diag_add(ev->set, DIAG_VALUE_MISMATCH, ev->label, first);
		return STATUS_MISMATCH;
	}
	if (cname) {
		seen_add(seen, scap, record_type_word(RECORD_TYPE_CNAME), cname->data);
		diag_add(ev->set, DIAG_WRONG_TYPE, record_type_word(RECORD_TYPE_CNAME),
			 record_type_word(RECORD_TYPE_MX));
		return STATUS_MISMATCH;
	}
	eval_elsewhere(ev, s);
	return STATUS_MISSING;
}

/* The server's status for rec, by the record's type. */
static enum record_status eval_server(struct eval *ev, const struct server_answers *s, char *seen,
				      size_t scap)
{
	if (ev->rec->type == RECORD_TYPE_CNAME)
		return eval_cname(ev, s, seen, scap);
	if (ev->rec->type == RECORD_TYPE_MX)
		return eval_mx(ev, s, seen, scap);
	return eval_txt(ev, s, seen, scap);
}

/* ---- SPF ---- */

/* True when a folded TXT value is an SPF record. */
static bool spf_is_record(const char *f)
{
	return strncasecmp(f, "v=spf1", 6) == 0 && (f[6] == '\0' || f[6] == ' ');
}

/* True when an SPF term (qualifier included) needs a DNS lookup. */
static bool spf_term_lookup(const char *t, size_t len)
{
	static const char *const words[] = {"include", "a", "mx", "ptr", "exists", "redirect"};
	size_t i;
	if (len && strchr("+-~?", *t)) {
		t++;
		len--;
	}
	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t w = strlen(words[i]);
		if (len >= w && strncasecmp(t, words[i], w) == 0 &&
		    (len == w || t[w] == ':' || t[w] == '/' || t[w] == '='))
			return true;
	}
	return false;
}

size_t record_spf_lookups(const char *spf, char *terms, size_t cap)
{
	char *f = fold_space(spf), *p = f;
	size_t count = 0;
	if (terms && cap)
		terms[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, " ");
		if (spf_term_lookup(p, len)) {
			count++;
			if (terms && cap) {
				char *t = xstrndup(p, len);
				list_add(terms, cap, t);
				free(t);
			}
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	free(f);
	return count;
}

/* True when a term is an "all" mechanism. */
static bool spf_term_all(const char *t, size_t len)
{
	if (len && strchr("+-~?", *t)) {
		t++;
		len--;
	}
	return len == 3 && strncasecmp(t, "all", 3) == 0;
}

void record_spf_merge(const char *const *spfs, size_t n, char *out, size_t cap)
{
	struct buf b = {.limit = RECORD_VALUE_MAX * 4};
	char *all = NULL;
	size_t i;

	buf_puts(&b, "v=spf1");
	for (i = 0; i < n; i++) {
		char *f = fold_space(spfs[i]), *p = f;
		if (spf_is_record(f))
			p += 6;
		while (*p == ' ')
			p++;
		while (*p) {
			size_t len = strcspn(p, " ");
			char *t = xstrndup(p, len);
			if (spf_term_all(p, len)) {
				if (!all)
					all = xstrdup(t);
			} else if (!spf_has_term(b.data, t, len)) {
				buf_printf(&b, " %s", t);
			}
			free(t);
			p += len;
			while (*p == ' ')
				p++;
		}
		free(f);
	}
	if (all)
		buf_printf(&b, " %s", all);
	str_copy(out, cap, b.data ? b.data : "v=spf1");
	free(all);
	buf_free(&b);
}

/* The SPF records at the probed name that tells about them (the SPF
 * record's own name, or the apex a DKIM record probes): spf-multiple and
 * spf-too-many-lookups.  False when this server's answer says nothing. */
static bool eval_spf(struct eval *ev, const struct server_answers *s, struct diag_set *set)
{
	const char *spfs[RECORD_MAX_RRS];
	char *owned[RECORD_MAX_RRS];
	char label[RECORD_NAME_MAX], count[32];
	size_t i, j, n = 0, lookups;
	char *merged, *terms;
	bool seen = false;

	for (i = 0; i < ev->nprobes && i < s->nprobes && !seen; i++) {
		const struct probe_answer *a = &s->probes[i];
		bool spf_main = i == 0 && ev->rec->purpose == PURPOSE_SPF;
		if (!spf_main && ev->kinds[i] != PROBE_APEX)
			continue;
		if (!a->authoritative || (a->rcode != ANSWER_OK && a->rcode != ANSWER_NODATA &&
					  a->rcode != ANSWER_NXDOMAIN))
			continue;
		seen = true;
		record_relative_label(ev->probes[i].name, ev->zone, label, sizeof label);
		for (j = 0; a->rcode == ANSWER_OK && j < answer_nrrs(a); j++) {
			const struct answer_rr *rr = &a->rrs[j];
			bool had;
			char *bare, *f;
			if (rr->type != RECORD_TYPE_TXT || !rr->data ||
			    !name_eq(rr->owner, ev->probes[i].name))
				continue;
			bare = strip_quotes(rr->data, &had);
			f = fold_space(bare);
			free(bare);
			if (!spf_is_record(f)) {
				free(f);
				continue;
			}
			owned[n] = f;
			spfs[n] = f;
			n++;
		}
	}
	if (n == 0)
		return seen;
	merged = xmalloc(RECORD_VALUE_MAX);
	terms = xmalloc(RECORD_VALUE_MAX);
	record_spf_merge(spfs, n, merged, RECORD_VALUE_MAX);
	if (n > 1)
		diag_add(set, DIAG_SPF_MULTIPLE, label, merged);
	lookups = record_spf_lookups(merged, terms, RECORD_VALUE_MAX);
	if (lookups > 10) {
		snprintf(count, sizeof count, "%zu", lookups);
		diag_add(set, DIAG_SPF_TOO_MANY_LOOKUPS, count, terms);
	}
	for (i = 0; i < n; i++)
		free(owned[i]);
	free(terms);
	free(merged);
	return true;
}

/* Copies the best diagnoses into out, most urgent first. */
static void diag_finish(const struct diag_set *set, struct record_result *out)
{
	size_t i;
	int priority;
	out->ndiagnoses = 0;
	for (priority = 1; priority <= DIAG__COUNT && out->ndiagnoses < RECORD_MAX_DIAGNOSES;
	     priority++)
		for (i = 0; i < DIAG__COUNT && out->ndiagnoses < RECORD_MAX_DIAGNOSES; i++)
			if (diags[i].priority == priority && set->has[i])
				out->diagnoses[out->ndiagnoses++] = set->d[i];
}

bool record_value_matches(const struct expected_record *rec, const char *value)
{
	if (!value)
		return false;
	if (rec->type == RECORD_TYPE_CNAME)
		return name_eq(value, rec->value);
	if (rec->type == RECORD_TYPE_MX)
		return mx_eq(value, rec->value);
	if (rec->purpose == PURPOSE_DKIM && (key_space_inside(value) & KEY_SPACE_BREAK))
		return false;
	return txt_compare(rec->purpose, rec->value, value) == TXT_MATCH;
}

void record_evaluate(const struct expected_record *rec, const char *zone,
		     const struct server_answers *servers, size_t nservers,
		     struct record_result *out)
{
	struct eval *ev = xcalloc(1, sizeof *ev);
	struct diag_set *content = xcalloc(1, sizeof *content);
	struct diag_set *final = xcalloc(1, sizeof *final);
	char *raw = xmalloc(RECORD_VALUE_MAX);
	char lag[RECORD_NAME_MAX] = "", have[RECORD_VALUE_MAX] = "", all[RECORD_VALUE_MAX] = "";
	size_t i, nverified = 0, ncounted = 0, nmismatch = 0, nanswered = 0;

	memset(out, 0, sizeof *out);
	if (!zone)
		zone = "";
	ev->rec = rec;
	ev->zone = zone;
	ev->set = content;
	ev->nprobes = probes_build(rec, zone, ev->probes, ev->kinds);
	record_relative_label(ev->probes[0].name, zone, ev->label, sizeof ev->label);
	if (nservers > RECORD_MAX_SERVERS)
		nservers = RECORD_MAX_SERVERS;
	out->nservers = nservers;

	for (i = 0; i < nservers; i++) {
		const struct server_answers *s = &servers[i];
		const struct probe_answer *a = &s->probes[0];
		enum record_status st;
		char server[RECORD_NAME_MAX];

		sanitize_text(s->server, server, sizeof server);
		str_copy(out->servers[i], sizeof out->servers[i], server);
		sanitize_text(s->address, out->addresses[i], sizeof out->addresses[i]);
		list_add(all, sizeof all, server);
		raw[0] = '\0';
		if (s->nprobes == 0 || a->rcode == ANSWER_NONE) {
			out->per_server[i] = STATUS_UNKNOWN;
			continue;
		}
		nanswered++;
		if (rcode_failed(a->rcode)) {
			out->per_server[i] = STATUS_ERROR;
			out->nfailed++;
			diag_add_server(final, DIAG_SERVER_UNREACHABLE, server, "");
			continue;
		}
		if (!a->authoritative) {
			out->per_server[i] = STATUS_ERROR;
			diag_add_server(final, DIAG_NOT_AUTHORITATIVE, server, "");
			continue;
		}
		ev->where[0] = '\0';
		st = eval_server(ev, s, raw, RECORD_VALUE_MAX);
		out->per_server[i] = st;
		sanitize_text(raw, out->seen[i], sizeof out->seen[i]);
		sanitize_text(ev->where, out->where[i], sizeof out->where[i]);
		ncounted++;
		if (st == STATUS_VERIFIED) {
			nverified++;
			list_add(have, sizeof have, server);
		} else {
			list_add(lag, sizeof lag, server);
			if (st == STATUS_MISMATCH)
				nmismatch++;
		}
	}
	if (final->has[DIAG_NOT_AUTHORITATIVE])
		str_copy(final->d[DIAG_NOT_AUTHORITATIVE].arg2,
			 sizeof final->d[DIAG_NOT_AUTHORITATIVE].arg2, all);

	/* Verified only when every server asked answered with authority and
	 * holds it: one that failed may be the one the ESP's verifier asks. */
	if (nanswered == 0)
		out->status = STATUS_UNKNOWN;
	else if (ncounted == 0)
		out->status = STATUS_ERROR;
	else if (nverified == ncounted && ncounted == nanswered)
		out->status = STATUS_VERIFIED;
	else if (nverified > 0)
		out->status = STATUS_PARTIAL;
	else if (nmismatch > 0)
		out->status = STATUS_MISMATCH;
	else
		out->status = STATUS_MISSING;

	if (rec->purpose == PURPOSE_DMARC && out->status == STATUS_MISSING)
		diag_add(final, DIAG_DMARC_MISSING, ev->label, rec->value);
	for (i = 0; i < nservers; i++)
		if (eval_spf(ev, &servers[i], final))
			break;

	/* When some servers have the right data, what the others show is the
	 * old state of the same zone: propagation, not a mistake. */
	if (out->status == STATUS_PARTIAL) {
		if (*lag)
			diag_add(final, DIAG_NOT_PROPAGATED, lag, have);
	} else {
		for (i = 0; i < DIAG__COUNT; i++)
			if (content->has[i] && !final->has[i]) {
				final->has[i] = true;
				final->d[i] = content->d[i];
			}
	}
	diag_finish(final, out);
	free(raw);
	free(final);
	free(content);
	free(ev);
}

void record_resolver_view(const struct expected_record *rec, const char *zone,
			  const struct server_answers *resolvers, size_t n,
			  struct record_result *out)
{
	struct eval *ev;
	struct diag_set *scratch, *set;
	struct server_answers *copy;
	char names[RECORD_NAME_MAX] = "", secs[32], *seen;
	uint32_t expires = 0;
	size_t i, j, nstale = 0;

	if (out->status != STATUS_VERIFIED || n == 0)
		return;
	if (!zone)
		zone = "";
	ev = xcalloc(1, sizeof *ev);
	scratch = xcalloc(1, sizeof *scratch);
	copy = xmalloc(sizeof *copy);
	seen = xmalloc(RECORD_VALUE_MAX);
	ev->rec = rec;
	ev->zone = zone;
	ev->set = scratch;
	ev->nprobes = probes_build(rec, zone, ev->probes, ev->kinds);
	record_relative_label(ev->probes[0].name, zone, ev->label, sizeof ev->label);
	for (i = 0; i < n; i++) {
		const struct probe_answer *a = &resolvers[i].probes[0];
		enum record_status st;
		uint32_t left = 0;
		char clean[RECORD_NAME_MAX];
		if (resolvers[i].nprobes == 0 ||
		    (a->rcode != ANSWER_OK && a->rcode != ANSWER_NODATA &&
		     a->rcode != ANSWER_NXDOMAIN))
			continue;
		/* A resolver never sets AA: judge its data as if it had. */
		*copy = resolvers[i];
		copy->nprobes = 1;
		copy->probes[0].authoritative = true;
		seen[0] = '\0';
		st = eval_server(ev, copy, seen, RECORD_VALUE_MAX);
		if (st == STATUS_VERIFIED)
			continue;
		if (a->rcode == ANSWER_OK)
			for (j = 0; j < answer_nrrs(a); j++)
				left = a->rrs[j].ttl > left ? a->rrs[j].ttl : left;
		else
			left = a->negative_ttl;
		expires = left > expires ? left : expires;
		sanitize_text(resolvers[i].server, clean, sizeof clean);
		list_add(names, sizeof names, clean);
		nstale++;
	}
	if (nstale) {
		set = xcalloc(1, sizeof *set);
		for (i = 0; i < out->ndiagnoses; i++) {
			set->has[out->diagnoses[i].code] = true;
			set->d[out->diagnoses[i].code] = out->diagnoses[i];
		}
		snprintf(secs, sizeof secs, "%u", (unsigned)expires);
		diag_add(set, DIAG_RESOLVER_STALE, secs, names);
		diag_finish(set, out);
		free(set);
	}
	free(seen);
	free(copy);
	free(scratch);
	free(ev);
}

void record_spf_set_lookups(struct record_result *out, size_t total, const char *terms)
{
	struct diag_set *set;
	char count[32];
	size_t i;
	if (total <= 10)
		return;
	set = xcalloc(1, sizeof *set);
	for (i = 0; i < out->ndiagnoses; i++) {
		if (out->diagnoses[i].code == DIAG_SPF_TOO_MANY_LOOKUPS)
			continue;
		set->has[out->diagnoses[i].code] = true;
		set->d[out->diagnoses[i].code] = out->diagnoses[i];
	}
	snprintf(count, sizeof count, "%zu", total);
	diag_add(set, DIAG_SPF_TOO_MANY_LOOKUPS, count, terms);
	diag_finish(set, out);
	free(set);
}

/* ---- DMARC for option 2 ---- */

enum record_dmarc_verdict record_dmarc_check(const char *const *txts, size_t n, bool subdomain,
					     char *policy, size_t pcap)
{
	enum record_dmarc_verdict verdict = DMARC_VERDICT_NONE;
	size_t i, nrec = 0;
	char applied[16] = "";

	for (i = 0; i < n; i++) {
		struct tag_list t;
		const char *v, *p, *sp, *pct, *use;
		char *f = fold_space(txts[i] ? txts[i] : "");
		bool ok = tags_parse(f, &t);
		free(f);
		if (!ok)
			continue;
		v = t.n ? t.values[0] : NULL;
		if (!v || strcmp(t.names[0], "v") != 0 || strcmp(v, "DMARC1") != 0) {
			tags_free(&t);
			continue;
		}
		nrec++;
		p = tags_get(&t, "p");
		sp = tags_get(&t, "sp");
		pct = tags_get(&t, "pct");
		use = subdomain && sp ? sp : p;
		verdict = DMARC_VERDICT_MONITOR;
		str_copy(applied, sizeof applied, "none");
		if (use && (!strcasecmp(use, "quarantine") || !strcasecmp(use, "reject"))) {
			/* pct=0: the policy is applied to no message. */
			if (!pct || strtol(pct, NULL, 10) > 0 || strspn(pct, "0") != strlen(pct))
				verdict = DMARC_VERDICT_BLOCKS;
			str_copy(applied, sizeof applied, use);
			for (char *c = applied; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		}
		tags_free(&t);
	}
	if (nrec > 1) {
		verdict = DMARC_VERDICT_INVALID;
		applied[0] = '\0';
	}
	if (policy && pcap)
		str_copy(policy, pcap, applied);
	return verdict;
}

bool record_dmarc_org_domain(const char *domain, char *out, size_t cap)
{
	if (!domain || !cap)
		return false;
	return validate_registrable_domain(domain, out, cap);
}

void record_dmarc_diagnosis(const char *domain, const char *policy, struct record_diagnosis *out)
{
	memset(out, 0, sizeof *out);
	out->code = DIAG_DMARC_POLICY_BLOCKS;
	sanitize_text(domain ? domain : "", out->arg, sizeof out->arg);
	sanitize_text(policy ? policy : "", out->arg2, sizeof out->arg2);
}

void record_diag_text(const struct record_diagnosis *d, const char *host_id, char *sentence,
		      size_t scap, char *fix, size_t fcap)
{
	const char *args[2] = {d->arg, d->arg2};
	const struct diag_def *def = record_diag_def(d->code);
	const char *code = record_diag_code(d->code);
	char id[128];

	if (sentence && scap)
		text_format(sentence, scap, text_get(def ? def->sentence : "diag.unknown"), args,
			    2);
	if (!fix || !fcap)
		return;
	if (host_id && *host_id) {
		snprintf(id, sizeof id, "fix_host.%s.%s", code, host_id);
		if (text_has(id)) {
			text_format(fix, fcap, text_get(id), args, 2);
			return;
		}
	}
	text_format(fix, fcap, text_get(def ? def->fix : "fix.unknown"), args, 2);
}

const char *record_status_text(enum record_status status)
{
	char id[64];
	snprintf(id, sizeof id, "status.%s", record_status_word(status));
	return text_get(id);
}

bool record_catalog_complete(char *msg, size_t cap)
{
	size_t code, i;
	for (code = 0; code < DIAG__COUNT; code++) {
		const struct diag_def *d = &diags[code];
		if (!d->code || !*d->code) {
			snprintf(msg, cap, "diagnosis %zu has no code word", code);
			return false;
		}
		for (i = 0; i < code; i++)
			if (diags[i].code && strcmp(diags[i].code, d->code) == 0) {
				snprintf(msg, cap, "%s is the word of two diagnoses", d->code);
				return false;
			}
		if (d->priority < 1 || d->priority > DIAG__COUNT) {
			snprintf(msg, cap, "%s has no priority in 1..%d", d->code, DIAG__COUNT);
			return false;
		}
		for (i = 0; i < code; i++)
			if (diags[i].priority == d->priority) {
				snprintf(msg, cap, "%s and %s share priority %d", diags[i].code,
					 d->code, d->priority);
				return false;
			}
		if ((unsigned)d->severity >= DIAG_SEVERITY__COUNT) {
			snprintf(msg, cap, "%s has no severity", d->code);
			return false;
		}
		if (!d->sentence || !text_has(d->sentence)) {
			snprintf(msg, cap, "records.ini has no sentence for %s (%s)", d->code,
				 d->sentence ? d->sentence : "no text id");
			return false;
		}
		if (!d->fix || !text_has(d->fix)) {
			snprintf(msg, cap, "records.ini has no fix for %s (%s)", d->code,
				 d->fix ? d->fix : "no text id");
			return false;
		}
	}
	return true;
}

bool record_at_wrong_name(const struct record_result *res)
{
	size_t d;
	for (d = 0; d < res->ndiagnoses; d++)
		if (res->diagnoses[d].code == DIAG_ZONE_APPENDED ||
		    res->diagnoses[d].code == DIAG_WRONG_LABEL)
			return true;
	return false;
}

const char *record_status_label(enum record_status status, bool wrong_name, bool required,
				bool *optional)
{
	bool opt = status == STATUS_MISSING && !wrong_name && !required;
	if (optional)
		*optional = opt;
	if (status == STATUS_MISSING && wrong_name)
		return text_get("records.status_wrong_name");
	if (opt)
		return text_get("records.status_optional");
	return record_status_text(status);
}
