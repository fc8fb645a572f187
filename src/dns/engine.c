/* The live DNS engine (see engine.h): discovery, probes and the verdicts,
 * as an advance-or-wait state machine driven by the caller's poll() loop.
 * Each phase starts all its queries at once and advances when the last
 * one is done (answered, or out of tries).  The zone cut is asked beside
 * the phases, not before them: until it is known the customer's domain is
 * the presumed zone, and only what depends on the zone is asked again when
 * the cut is elsewhere. */
#include "dns/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/dnshost.h"
#include "dns/answer.h"
#include "dns/query.h"

#define ENGINE_MAX_SUFFIXES 16	   /* zone-cut candidates asked at once */
#define ENGINE_CACHE_MS	    300000 /* discovery reused for five minutes */
#define ENGINE_SPF_NAMES    40	   /* included SPF names followed per check */
#define ENGINE_SPF_DEPTH    5	   /* levels of includes followed */

/* A name an SPF record includes (or redirects to), followed. */
struct engine_spf_name {
	char name[RECORD_NAME_MAX];
	char *record; /* malloced v=spf1 text found there, or NULL */
	bool asked;
};

enum engine_phase {
	PHASE_IDLE,
	PHASE_WAIT_ZONE, /* nothing to ask until the zone cut is known */
	PHASE_NS,	 /* NS of the zone */
	PHASE_ADDR,	 /* A/AAAA of the NS names without glue */
	PHASE_PROBE,	 /* every probe to every server, first probes to resolvers */
	PHASE_SPF,	 /* TXT of the names SPF records include, level by level */
	PHASE_FINISH,	 /* nothing to ask: report at the deadline */
};

/* One authoritative server. */
struct engine_server {
	char name[RECORD_NAME_MAX]; /* NS name, or the display name given */
	struct dns_addr addr4, addr6;
	bool has4, has6;
};

struct engine {
	struct dns_source base; /* first: a struct dns_source * is a struct engine * */
	struct query_net net;
	struct dns_addr resolvers[DNS_ENGINE_MAX_RESOLVERS];
	size_t nres;
	struct engine_server auth[RECORD_MAX_SERVERS]; /* --authoritative */
	size_t nauth;
	int cache_ms;

	/* discovery, reused until cache_until */
	char cache_key[RECORD_NAME_MAX]; /* the name the zone cut was found for */
	int64_t cache_until;
	char zone[RECORD_NAME_MAX];
	struct engine_server ns[RECORD_MAX_SERVERS];
	size_t nns;

	/* the check under way */
	enum engine_phase phase;
	char key[RECORD_NAME_MAX];	 /* the first record's name, lower-case */
	char hint[RECORD_NAME_MAX];	 /* the customer's domain */
	struct expected_record *records; /* malloced copy */
	size_t nrecords;
	dns_done_fn done;
	void *done_arg;
	struct query *queries; /* malloced, the current phase's */
	size_t nq;
	struct query *extra; /* malloced: probes asked again for the zone found */
	size_t nextra;
	/* the zone cut (SOA of every suffix of the first record's name), asked
	 * alongside the phases; until it is known, zone is the presumed one */
	struct query *zq; /* malloced */
	size_t nzq;
	bool zone_pending;
	bool discovered;		  /* the check found the zone: cached at the end */
	char probe_zone[RECORD_NAME_MAX]; /* the zone the probes sent were built for */
	int64_t res_start;		  /* when the resolvers were asked */
	int64_t res_until;		  /* the resolvers' grace ends (0: not yet set) */
	bool answered;			  /* any reply at all in this check */
	struct record_result *results;	  /* malloced, nrecords: the verdict so far */
	char host[64];			  /* the DNS host id detected, or "" */
	char **spf_roots;		  /* malloced, nrecords: merged SPF per record, or NULL */
	struct engine_spf_name spf[ENGINE_SPF_NAMES];
	size_t nspf;
	int spf_depth;
	enum bh_err fail;  /* PHASE_FINISH: the error to report */
	int64_t finish_ms; /* PHASE_FINISH: when */
};

static const struct dns_source_ops engine_ops;

static struct engine *engine_of(struct dns_source *src)
{
	return src && src->ops == &engine_ops ? (struct engine *)src : NULL;
}

/* ---- queries of a phase ---- */

/* Takes a set of queries out of the net and frees it. */
static void engine_qs_free(struct engine *e, struct query **qs, size_t *n)
{
	size_t i;
	for (i = 0; i < *n; i++) {
		query_cancel(&e->net, &(*qs)[i]);
		query_clear(&(*qs)[i]);
	}
	free(*qs);
	*qs = NULL;
	*n = 0;
}

/* How many of a set of queries are still in flight. */
static size_t engine_qs_pending(const struct query *qs, size_t n)
{
	size_t i, k = 0;
	for (i = 0; i < n; i++)
		k += qs[i].state != QUERY_DONE;
	return k;
}

/* The current phase's queries freed (the zone cut's go on). */
static void engine_queries_free(struct engine *e)
{
	engine_qs_free(e, &e->queries, &e->nq);
	engine_qs_free(e, &e->extra, &e->nextra);
	e->res_until = 0;
}

/* Makes room for n queries of a new phase (the old ones freed). */
static void engine_queries_new(struct engine *e, size_t n)
{
	engine_queries_free(e);
	e->queries = xcalloc(n ? n : 1, sizeof *e->queries);
	e->nq = 0;
}

/* Adds a query to qs[*n] (room made by the caller). */
static void engine_ask_in(struct query *qs, size_t *n, const char *name, uint16_t type, bool rd,
			  const struct dns_addr *addr, size_t t0, size_t t1, size_t t2)
{
	struct query *q = &qs[(*n)++];
	str_copy(q->qname, sizeof q->qname, name);
	q->qtype = type;
	q->rd = rd;
	q->addr = *addr;
	q->tag[0] = t0;
	q->tag[1] = t1;
	q->tag[2] = t2;
}

/* Adds a query to the phase (room made by engine_queries_new). */
static void engine_ask(struct engine *e, const char *name, uint16_t type, bool rd,
		       const struct dns_addr *addr, size_t t0, size_t t1, size_t t2)
{
	engine_ask_in(e->queries, &e->nq, name, type, rd, addr, t0, t1, t2);
}

/* Sends every query of a set. */
static void engine_send(struct engine *e, struct query *qs, size_t n)
{
	int64_t now = clock_now_ms();
	size_t i;
	for (i = 0; i < n; i++)
		query_start(&e->net, &qs[i], now);
}

/* Sends every query of the phase. */
static void engine_send_all(struct engine *e)
{
	engine_send(e, e->queries, e->nq);
}

/* ---- reading replies ---- */

/* True when an RR list holds an RR of type t owned by name. */
static bool engine_has_rr(const ldns_rr_list *l, ldns_rr_type t, const char *name)
{
	size_t i;
	for (i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char owner[RECORD_NAME_MAX];
		if (ldns_rr_get_type(rr) != t)
			continue;
		dns_answer_dname_text(ldns_rr_owner(rr), owner, sizeof owner);
		if (strcmp(owner, name) == 0)
			return true;
	}
	return false;
}

/* True when name is suffix itself or below it. */
static bool engine_below(const char *name, const char *suffix)
{
	size_t ln = strlen(name), ls = strlen(suffix);
	if (ln == ls)
		return strcmp(name, suffix) == 0;
	return ln > ls && name[ln - ls - 1] == '.' && strcmp(name + ln - ls, suffix) == 0;
}

/* ---- finishing ---- */

static void engine_check_free(struct engine *e)
{
	size_t i;
	engine_queries_free(e);
	engine_qs_free(e, &e->zq, &e->nzq);
	e->zone_pending = false;
	query_net_reset(&e->net);
	for (i = 0; e->spf_roots && i < e->nrecords; i++)
		free(e->spf_roots[i]);
	free(e->spf_roots);
	e->spf_roots = NULL;
	for (i = 0; i < e->nspf; i++)
		free(e->spf[i].record);
	e->nspf = 0;
	free(e->results);
	e->results = NULL;
	free(e->records);
	e->records = NULL;
	e->nrecords = 0;
	e->phase = PHASE_IDLE;
}

/* Ends the check with err and no results (runs the callback). */
static void engine_fail(struct engine *e, enum bh_err err)
{
	dns_done_fn done = e->done;
	void *arg = e->done_arg;
	engine_check_free(e);
	e->done = NULL;
	if (done)
		done(arg, err, NULL, 0, "");
}

/* Ends the check from dispatch: nothing to ask, or nothing answered. */
static void engine_finish_later(struct engine *e, enum bh_err err)
{
	engine_queries_free(e);
	engine_qs_free(e, &e->zq, &e->nzq);
	e->zone_pending = false;
	e->phase = PHASE_FINISH;
	e->fail = err;
	e->finish_ms = clock_now_ms();
}

/* The servers a check compares: --authoritative, or the discovered ones. */
static const struct engine_server *engine_servers(const struct engine *e, size_t *n)
{
	if (e->nauth) {
		*n = e->nauth;
		return e->auth;
	}
	*n = e->nns;
	return e->ns;
}

/* The address a server is asked at: IPv4 first (IPv6 is often routed
 * nowhere), or NULL when it has none. */
static const struct dns_addr *engine_server_addr(const struct engine_server *s)
{
	if (s->has4)
		return &s->addr4;
	if (s->has6)
		return &s->addr6;
	return NULL;
}

/* ---- phase: probes ---- */

static void engine_start_probe(struct engine *e)
{
	const struct engine_server *servers;
	size_t nservers, r, p, s, total = 0;
	struct record_probe probes[RECORD_MAX_PROBES];

	servers = engine_servers(e, &nservers);
	for (r = 0; r < e->nrecords; r++)
		total += record_probes(&e->records[r], e->zone, probes) * nservers + e->nres;
	engine_queries_new(e, total);
	for (r = 0; r < e->nrecords; r++) {
		size_t np = record_probes(&e->records[r], e->zone, probes);
		for (p = 0; p < np; p++)
			for (s = 0; s < nservers; s++) {
				const struct dns_addr *a = engine_server_addr(&servers[s]);
				if (a)
					engine_ask(e, probes[p].name, (uint16_t)probes[p].type,
						   false, a, r, p, s);
			}
		/* What a resolver (and so the ESP's verifier) sees today. */
		for (s = 0; s < e->nres; s++)
			engine_ask(e, probes[0].name, (uint16_t)probes[0].type, true,
				   &e->resolvers[s], r, 0, RECORD_MAX_SERVERS + s);
	}
	str_copy(e->probe_zone, sizeof e->probe_zone, e->zone);
	e->res_start = clock_now_ms();
	e->res_until = 0;
	e->phase = PHASE_PROBE;
	engine_send_all(e);
}

/* True when a record's probes are the same in both zones. */
static bool engine_same_probes(const struct expected_record *rec, const char *z1, const char *z2)
{
	struct record_probe a[RECORD_MAX_PROBES], b[RECORD_MAX_PROBES];
	size_t na = record_probes(rec, z1, a), nb = record_probes(rec, z2, b), i;
	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].type != b[i].type || strcasecmp(a[i].name, b[i].name) != 0)
			return false;
	return true;
}

/* The zone cut is not the zone the probes were built for: the probes of
 * each record whose questions differ in the zone found are asked again
 * (their answers so far dropped); the others' answers stand, and so do the
 * resolvers' (their question is the record's name, whatever the zone). */
static void engine_reprobe(struct engine *e)
{
	const struct engine_server *servers;
	size_t nservers, r, p, s, i, total = 0;
	struct record_probe probes[RECORD_MAX_PROBES];
	bool *again = xcalloc(e->nrecords ? e->nrecords : 1, sizeof *again);

	servers = engine_servers(e, &nservers);
	for (r = 0; r < e->nrecords; r++) {
		again[r] = !engine_same_probes(&e->records[r], e->probe_zone, e->zone);
		if (again[r])
			total += record_probes(&e->records[r], e->zone, probes) * nservers;
	}
	if (total == 0) {
		free(again);
		return;
	}
	for (i = 0; i < e->nq; i++) {
		struct query *q = &e->queries[i];
		if (q->tag[0] < e->nrecords && again[q->tag[0]] && q->tag[2] < RECORD_MAX_SERVERS) {
			query_cancel(&e->net, q);
			q->tag[0] = SIZE_MAX; /* no longer any record's */
		}
	}
	engine_qs_free(e, &e->extra, &e->nextra);
	e->extra = xcalloc(total, sizeof *e->extra);
	for (r = 0; r < e->nrecords; r++) {
		size_t np;
		if (!again[r])
			continue;
		np = record_probes(&e->records[r], e->zone, probes);
		for (p = 0; p < np; p++)
			for (s = 0; s < nservers; s++) {
				const struct dns_addr *a = engine_server_addr(&servers[s]);
				if (a)
					engine_ask_in(e->extra, &e->nextra, probes[p].name,
						      (uint16_t)probes[p].type, false, a, r, p, s);
			}
	}
	str_copy(e->probe_zone, sizeof e->probe_zone, e->zone);
	engine_send(e, e->extra, e->nextra);
	free(again);
}

/* The i-th query of the probe phase: the phase's, then those asked again. */
static const struct query *engine_probe_query(const struct engine *e, size_t i)
{
	return i < e->nq ? &e->queries[i] : &e->extra[i - e->nq];
}

/* The verdict is complete: the callback, from an idle engine (so that it
 * may start the next check). */
static void engine_report(struct engine *e)
{
	struct record_result *results = e->results;
	size_t nrecords = e->nrecords;
	dns_done_fn done = e->done;
	void *arg = e->done_arg;
	bool answered = e->answered;
	char host[sizeof e->host];

	str_copy(host, sizeof host, e->host);
	e->results = NULL;
	engine_check_free(e);
	e->done = NULL;
	if (done)
		done(arg, answered ? BH_OK : BH_ERR_NETWORK, results, nrecords, host);
	free(results);
}

/* The v=spf1 texts of one TXT reply (folded by record.c later) added to
 * list[*n] (malloced copies). */
static void engine_spf_texts(const ldns_pkt *p, char **list, size_t *n, size_t cap)
{
	const ldns_rr_list *ans = ldns_pkt_answer(p);
	size_t i;
	for (i = 0; ans && i < ldns_rr_list_rr_count(ans) && *n < cap; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		char *data;
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		data = dns_answer_rr_data(rr);
		if (data && strncasecmp(data, "v=spf1", 6) == 0 && (!data[6] || data[6] == ' '))
			list[(*n)++] = data;
		else
			free(data);
	}
}

/* Adds the include:/redirect= targets of an SPF record to follow. */
static void engine_spf_targets(struct engine *e, const char *spf)
{
	const char *p = spf;
	while (*p) {
		size_t len = strcspn(p, " "), k, skip = 0;
		const char *t = p;
		if (len && strchr("+-~?", *t)) {
			t++;
			len--;
		}
		if (len > 8 && strncasecmp(t, "include:", 8) == 0)
			skip = 8;
		else if (len > 9 && strncasecmp(t, "redirect=", 9) == 0)
			skip = 9;
		if (skip && len - skip < RECORD_NAME_MAX && !memchr(t + skip, '%', len - skip)) {
			char name[RECORD_NAME_MAX];
			bool known = false;
			memcpy(name, t + skip, len - skip);
			name[len - skip] = '\0';
			dns_answer_name_norm(name, name, sizeof name);
			for (k = 0; k < e->nspf && !known; k++)
				known = strcmp(e->spf[k].name, name) == 0;
			if (!known && e->nspf < ENGINE_SPF_NAMES) {
				memset(&e->spf[e->nspf], 0, sizeof e->spf[e->nspf]);
				str_copy(e->spf[e->nspf].name, sizeof e->spf[e->nspf].name, name);
				e->nspf++;
			}
		}
		p += strcspn(p, " ");
		while (*p == ' ')
			p++;
	}
}

/* The lookups an SPF record needs, its includes followed (depth-first,
 * each name once: a loop costs nothing more). */
static size_t engine_spf_cost(struct engine *e, const char *spf, bool *seen, int depth)
{
	const char *p = spf;
	size_t total = record_spf_lookups(spf, NULL, 0), k;
	if (depth > ENGINE_SPF_DEPTH)
		return total;
	while (*p) {
		size_t len = strcspn(p, " ");
		for (k = 0; k < e->nspf; k++) {
			size_t nl = strlen(e->spf[k].name);
			if (seen[k] || !e->spf[k].record || len <= nl ||
			    strncasecmp(p + len - nl, e->spf[k].name, nl) != 0 ||
			    (p[len - nl - 1] != ':' && p[len - nl - 1] != '='))
				continue;
			seen[k] = true;
			total += engine_spf_cost(e, e->spf[k].record, seen, depth + 1);
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return total;
}

/* Every include followed: the full count on each record with SPF. */
static void engine_spf_finish(struct engine *e)
{
	size_t r;
	for (r = 0; r < e->nrecords; r++) {
		const char *root = e->spf_roots ? e->spf_roots[r] : NULL;
		bool seen[ENGINE_SPF_NAMES] = {false};
		struct buf terms = {.limit = RECORD_VALUE_MAX};
		const char *p;
		size_t total;
		if (!root)
			continue;
		total = engine_spf_cost(e, root, seen, 0);
		/* What each top-level term costs, for the customer to choose. */
		for (p = root; *p;) {
			size_t len = strcspn(p, " ");
			char *term = xstrndup(p, len);
			if (record_spf_lookups(term, NULL, 0) == 1) {
				bool sub[ENGINE_SPF_NAMES] = {false};
				buf_printf(&terms, "%s%s (%zu)", terms.len ? ", " : "", term,
					   engine_spf_cost(e, term, sub, 0));
			}
			free(term);
			p += len;
			while (*p == ' ')
				p++;
		}
		record_spf_set_lookups(&e->results[r], total, terms.data ? terms.data : "");
		buf_free(&terms);
	}
	engine_report(e);
}

/* Asks the TXT of every SPF name not asked yet; false when none is left. */
static bool engine_spf_ask(struct engine *e)
{
	size_t k, n = 0, r;
	const struct engine_server *servers;
	size_t nservers;

	servers = engine_servers(e, &nservers);
	for (k = 0; k < e->nspf; k++)
		n += !e->spf[k].asked;
	if (n == 0 || e->spf_depth >= ENGINE_SPF_DEPTH)
		return false;
	e->spf_depth++;
	engine_queries_new(e, n);
	for (k = 0; k < e->nspf; k++) {
		const struct dns_addr *a = NULL;
		bool rd = true;
		if (e->spf[k].asked)
			continue;
		e->spf[k].asked = true;
		/* Names in the zone from its own server (no cache in the way),
		 * the others through a resolver. */
		if (nservers && engine_below(e->spf[k].name, e->zone) &&
		    (a = engine_server_addr(&servers[0])) != NULL)
			rd = false;
		for (r = 0; !a && r < e->nres; r++)
			a = &e->resolvers[r];
		if (a)
			engine_ask(e, e->spf[k].name, LDNS_RR_TYPE_TXT, rd, a, k, 0, 0);
	}
	if (e->nq == 0)
		return false;
	e->phase = PHASE_SPF;
	engine_send_all(e);
	return true;
}

/* One level of includes is answered: the next one, or the count. */
static void engine_spf_done(struct engine *e)
{
	size_t i, k;
	for (i = 0; i < e->nq; i++) {
		const struct query *q = &e->queries[i];
		char *texts[4];
		size_t n = 0;
		k = q->tag[0];
		if (!q->reply || k >= e->nspf || e->spf[k].record)
			continue;
		engine_spf_texts(q->reply, texts, &n, 4);
		if (n) {
			e->spf[k].record = xmalloc(RECORD_VALUE_MAX);
			record_spf_merge((const char *const *)texts, n, e->spf[k].record,
					 RECORD_VALUE_MAX);
			engine_spf_targets(e, e->spf[k].record);
		}
		while (n)
			free(texts[--n]);
	}
	if (!engine_spf_ask(e))
		engine_spf_finish(e);
}

/* Every probe is done: the verdicts, then the SPF includes, then the
 * callback. */
static void engine_probe_done(struct engine *e)
{
	const struct engine_server *servers;
	size_t nservers, r, i, s, nauth_answered = 0;
	struct server_answers *ans, *res;
	const char *names[RECORD_MAX_SERVERS];
	const struct dnshost *host;
	size_t nrecords = e->nrecords;
	bool any_spf = false;

	servers = engine_servers(e, &nservers);
	if (nservers > RECORD_MAX_SERVERS)
		nservers = RECORD_MAX_SERVERS;
	ans = xcalloc(nservers ? nservers : 1, sizeof *ans);
	res = xcalloc(e->nres ? e->nres : 1, sizeof *res);
	e->results = xcalloc(nrecords ? nrecords : 1, sizeof *e->results);
	e->spf_roots = xcalloc(nrecords ? nrecords : 1, sizeof *e->spf_roots);
	for (r = 0; r < nrecords; r++) {
		struct record_probe probes[RECORD_MAX_PROBES];
		size_t np = record_probes(&e->records[r], e->zone, probes), nspf = 0;
		char *spf[RECORD_MAX_RRS];
		size_t spf_server = SIZE_MAX;
		for (s = 0; s < nservers; s++) {
			const struct dns_addr *a = engine_server_addr(&servers[s]);
			memset(&ans[s], 0, sizeof ans[s]);
			str_copy(ans[s].server, sizeof ans[s].server, servers[s].name);
			str_copy(ans[s].address, sizeof ans[s].address, a ? a->text : "");
			ans[s].nprobes = np;
			for (i = 0; i < np; i++)
				ans[s].probes[i].rcode = ANSWER_TIMEOUT;
		}
		for (s = 0; s < e->nres; s++) {
			memset(&res[s], 0, sizeof res[s]);
			str_copy(res[s].server, sizeof res[s].server, e->resolvers[s].text);
			str_copy(res[s].address, sizeof res[s].address, e->resolvers[s].text);
			res[s].nprobes = 1;
			res[s].probes[0].rcode = ANSWER_TIMEOUT;
		}
		for (i = 0; i < e->nq + e->nextra; i++) {
			const struct query *q = engine_probe_query(e, i);
			size_t t = q->tag[2];
			bool spf_name;
			if (q->tag[0] != r)
				continue;
			if (t >= RECORD_MAX_SERVERS && t - RECORD_MAX_SERVERS < e->nres)
				dns_answer_fill(q->reply, q->qtype,
						&res[t - RECORD_MAX_SERVERS].probes[0]);
			else if (t < nservers && q->tag[1] < np)
				dns_answer_fill(q->reply, q->qtype, &ans[t].probes[q->tag[1]]);
			if (!q->reply || t >= nservers)
				continue;
			nauth_answered++;
			/* The SPF record at the zone apex (or the expected SPF
			 * record's name), from one server, for its includes. */
			spf_name = q->qtype == LDNS_RR_TYPE_TXT && ldns_pkt_aa(q->reply) &&
				   (strcmp(q->qname, e->zone) == 0 ||
				    (e->records[r].purpose == PURPOSE_SPF && q->tag[1] == 0));
			if (spf_name && (spf_server == SIZE_MAX || spf_server == t) && nspf == 0) {
				spf_server = t;
				engine_spf_texts(q->reply, spf, &nspf, RECORD_MAX_RRS);
			}
		}
		record_evaluate(&e->records[r], e->zone, ans, nservers, &e->results[r]);
		record_resolver_view(&e->records[r], e->zone, res, e->nres, &e->results[r]);
		for (s = 0; s < nservers; s++)
			record_server_answers_clear(&ans[s]);
		for (s = 0; s < e->nres; s++)
			record_server_answers_clear(&res[s]);
		if (nspf) {
			e->spf_roots[r] = xmalloc(RECORD_VALUE_MAX);
			record_spf_merge((const char *const *)spf, nspf, e->spf_roots[r],
					 RECORD_VALUE_MAX);
			engine_spf_targets(e, e->spf_roots[r]);
			any_spf = true;
		}
		while (nspf)
			free(spf[--nspf]);
	}
	free(res);
	free(ans);
	for (i = 0; i < e->nq + e->nextra; i++)
		if (engine_probe_query(e, i)->reply)
			e->answered = true;
	if (e->discovered) {
		str_copy(e->cache_key, sizeof e->cache_key, e->key);
		e->cache_until = clock_now_ms() + e->cache_ms;
	}
	/* Nothing from the zone's servers: the delegation may have changed. */
	if (!nauth_answered)
		e->cache_until = 0;
	for (s = 0; s < nservers; s++)
		names[s] = servers[s].name;
	host = dnshost_detect(names, nservers);
	str_copy(e->host, sizeof e->host, host ? dnshost_id(host) : "");
	e->spf_depth = 0;
	if (any_spf && engine_spf_ask(e))
		return;
	if (any_spf) {
		engine_spf_finish(e);
		return;
	}
	engine_report(e);
}

/* ---- phase: addresses of the NS names ---- */

static void engine_start_addr(struct engine *e)
{
	size_t s, r;
	engine_queries_new(e, e->nns * 2 * e->nres);
	for (s = 0; s < e->nns; s++) {
		if (e->ns[s].has4 || e->ns[s].has6)
			continue;
		for (r = 0; r < e->nres; r++) {
			engine_ask(e, e->ns[s].name, LDNS_RR_TYPE_A, true, &e->resolvers[r], s, 0,
				   r);
			engine_ask(e, e->ns[s].name, LDNS_RR_TYPE_AAAA, true, &e->resolvers[r], s,
				   0, r);
		}
	}
	if (e->nq == 0) {
		engine_start_probe(e);
		return;
	}
	e->phase = PHASE_ADDR;
	engine_send_all(e);
}

/* Takes the A/AAAA records of name in l as the server's addresses. */
static void engine_take_addresses(struct engine_server *s, const ldns_rr_list *l)
{
	size_t i;
	for (i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		const ldns_rdf *f;
		char owner[RECORD_NAME_MAX];
		if ((t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA) || ldns_rr_rd_count(rr) < 1)
			continue;
		dns_answer_dname_text(ldns_rr_owner(rr), owner, sizeof owner);
		if (strcmp(owner, s->name) != 0)
			continue;
		f = ldns_rr_rdf(rr, 0);
		if (t == LDNS_RR_TYPE_A && !s->has4 && ldns_rdf_size(f) == 4) {
			dns_addr_from_raw(ldns_rdf_data(f), 4, 53, &s->addr4);
			s->has4 = true;
		} else if (t == LDNS_RR_TYPE_AAAA && !s->has6 && ldns_rdf_size(f) == 16) {
			dns_addr_from_raw(ldns_rdf_data(f), 16, 53, &s->addr6);
			s->has6 = true;
		}
	}
}

static void engine_addr_done(struct engine *e)
{
	size_t i;
	for (i = 0; i < e->nq; i++) {
		const struct query *q = &e->queries[i];
		if (!q->reply)
			continue;
		e->answered = true;
		if (q->tag[0] < e->nns)
			engine_take_addresses(&e->ns[q->tag[0]], ldns_pkt_answer(q->reply));
	}
	engine_start_probe(e);
}

/* ---- phase: NS names ---- */

static void engine_start_ns(struct engine *e)
{
	size_t r;
	engine_queries_new(e, e->nres);
	for (r = 0; r < e->nres; r++)
		engine_ask(e, e->zone, LDNS_RR_TYPE_NS, true, &e->resolvers[r], 0, 0, r);
	e->phase = PHASE_NS;
	engine_send_all(e);
}

static int engine_server_cmp(const void *a, const void *b)
{
	return strcmp(((const struct engine_server *)a)->name,
		      ((const struct engine_server *)b)->name);
}

static void engine_ns_done(struct engine *e)
{
	size_t i, j, k;
	e->nns = 0;
	for (i = 0; i < e->nq && e->nns == 0; i++) {
		const struct query *q = &e->queries[i];
		const ldns_rr_list *l;
		if (!q->reply)
			continue;
		e->answered = true;
		l = ldns_pkt_answer(q->reply);
		for (j = 0; l && j < ldns_rr_list_rr_count(l) && e->nns < RECORD_MAX_SERVERS; j++) {
			const ldns_rr *rr = ldns_rr_list_rr(l, j);
			char owner[RECORD_NAME_MAX], name[RECORD_NAME_MAX];
			bool dup = false;
			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_rr_rd_count(rr) < 1)
				continue;
			dns_answer_dname_text(ldns_rr_owner(rr), owner, sizeof owner);
			if (strcmp(owner, e->zone) != 0)
				continue;
			dns_answer_dname_text(ldns_rr_rdf(rr, 0), name, sizeof name);
			for (k = 0; k < e->nns; k++)
				dup = dup || strcmp(e->ns[k].name, name) == 0;
			if (dup || !*name)
				continue;
			memset(&e->ns[e->nns], 0, sizeof e->ns[e->nns]);
			str_copy(e->ns[e->nns].name, sizeof e->ns[e->nns].name, name);
			e->nns++;
		}
		/* Glue, when the resolver passes it on. */
		for (k = 0; k < e->nns; k++)
			engine_take_addresses(&e->ns[k], ldns_pkt_additional(q->reply));
	}
	if (e->nns == 0 && e->zone_pending) {
		/* No NS at the presumed zone: the cut is elsewhere, soon known. */
		engine_queries_free(e);
		e->phase = PHASE_WAIT_ZONE;
		return;
	}
	if (e->nns == 0) {
		engine_finish_later(e, e->answered ? BH_ERR_NOT_FOUND : BH_ERR_NETWORK);
		return;
	}
	qsort(e->ns, e->nns, sizeof e->ns[0], engine_server_cmp);
	engine_start_addr(e);
}

/* ---- the zone cut, asked beside the phases ---- */

static void engine_start_zone(struct engine *e)
{
	const char *suffixes[ENGINE_MAX_SUFFIXES * 8];
	size_t nsuf = 0, i, t, ntargets = e->nauth ? e->nauth : e->nres;
	const char *p = e->key;

	while (*p && nsuf < sizeof suffixes / sizeof suffixes[0]) {
		const char *dot = strchr(p, '.');
		suffixes[nsuf++] = p;
		if (!dot)
			break;
		p = dot + 1;
	}
	/* The shortest suffixes: a zone cut lies near the top. */
	i = nsuf > ENGINE_MAX_SUFFIXES ? nsuf - ENGINE_MAX_SUFFIXES : 0;
	engine_qs_free(e, &e->zq, &e->nzq);
	e->zq = xcalloc((nsuf - i) * ntargets + 1, sizeof *e->zq);
	for (; i < nsuf; i++)
		for (t = 0; t < ntargets; t++) {
			const struct dns_addr *a =
			    e->nauth ? engine_server_addr(&e->auth[t]) : &e->resolvers[t];
			if (a)
				engine_ask_in(e->zq, &e->nzq, suffixes[i], LDNS_RR_TYPE_SOA,
					      !e->nauth, a, i, 0, t);
		}
	e->zone_pending = true;
	engine_send(e, e->zq, e->nzq);
}

/* The zone cut from the SOA replies: the longest suffix with a SOA, else
 * the zone a negative reply names, else the customer's domain. */
static void engine_zone_found(struct engine *e, char *out, size_t cap)
{
	size_t i, best = 0, best_auth = 0;
	char found[RECORD_NAME_MAX] = "", from_auth[RECORD_NAME_MAX] = "";

	for (i = 0; i < e->nzq; i++) {
		const struct query *q = &e->zq[i];
		const ldns_rr_list *l;
		size_t j, len = strlen(q->qname);
		if (!q->reply)
			continue;
		e->answered = true;
		if (ldns_pkt_get_rcode(q->reply) != LDNS_RCODE_NOERROR &&
		    ldns_pkt_get_rcode(q->reply) != LDNS_RCODE_NXDOMAIN)
			continue;
		if (engine_has_rr(ldns_pkt_answer(q->reply), LDNS_RR_TYPE_SOA, q->qname) &&
		    len > best) {
			best = len;
			str_copy(found, sizeof found, q->qname);
		}
		/* A negative answer names its zone in the authority SOA. */
		l = ldns_pkt_authority(q->reply);
		for (j = 0; l && j < ldns_rr_list_rr_count(l); j++) {
			const ldns_rr *rr = ldns_rr_list_rr(l, j);
			char owner[RECORD_NAME_MAX];
			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA)
				continue;
			dns_answer_dname_text(ldns_rr_owner(rr), owner, sizeof owner);
			if (engine_below(e->key, owner) && strlen(owner) > best_auth) {
				best_auth = strlen(owner);
				str_copy(from_auth, sizeof from_auth, owner);
			}
		}
	}
	str_copy(out, cap, *found ? found : *from_auth ? from_auth : e->hint);
}

/* The zone cut is known: keeps what was asked for the presumed zone when
 * it is the one, asks again what depends on it when it is not. */
static void engine_zone_done(struct engine *e)
{
	char zone[RECORD_NAME_MAX];

	engine_zone_found(e, zone, sizeof zone);
	engine_qs_free(e, &e->zq, &e->nzq);
	e->zone_pending = false;
	if (!e->answered && !e->nauth) {
		engine_finish_later(e, BH_ERR_NETWORK);
		return;
	}
	if (strcmp(zone, e->zone) == 0) {
		if (e->phase == PHASE_WAIT_ZONE) /* and no NS there */
			engine_finish_later(e, BH_ERR_NOT_FOUND);
		return;
	}
	str_copy(e->zone, sizeof e->zone, zone);
	if (!e->nauth) {
		/* The NS (and so the servers probed) were the presumed zone's. */
		engine_start_ns(e);
		return;
	}
	if (e->phase == PHASE_PROBE)
		engine_reprobe(e);
}

/* True when every question of a set (a suffix's SOA, the NS set, one NS
 * name's A or AAAA) has a reply from at least one server, so that a dead
 * resolver or server does not hold discovery for its timeouts. */
static bool engine_qs_satisfied(const struct query *qs, size_t n)
{
	size_t i, j;
	for (i = 0; i < n; i++) {
		bool got = false;
		for (j = 0; j < n && !got; j++) {
			const struct query *q = &qs[j];
			got = q->tag[0] == qs[i].tag[0] && q->qtype == qs[i].qtype &&
			      q->state == QUERY_DONE && q->reply;
		}
		if (!got)
			return false;
	}
	return true;
}

/* True when the probe phase has nothing left to wait for: the zone cut is
 * known and every authoritative server has answered or timed out; the
 * resolvers, whose view is secondary, get at most one try's time beyond
 * that (counted from when they were asked), and a silent one is left out. */
static bool engine_probe_ready(struct engine *e)
{
	size_t i, auth = 0, res = 0;
	int64_t now;

	if (e->zone_pending)
		return false;
	for (i = 0; i < e->nq + e->nextra; i++) {
		const struct query *q = engine_probe_query(e, i);
		if (q->state == QUERY_DONE || q->tag[0] == SIZE_MAX)
			continue;
		if (q->tag[2] < RECORD_MAX_SERVERS)
			auth++;
		else
			res++;
	}
	if (auth)
		return false;
	if (!res)
		return true;
	now = clock_now_ms();
	if (!e->res_until) {
		int64_t grace = e->res_start + e->net.timeout_ms;
		e->res_until = grace > now ? grace : now;
	}
	return now >= e->res_until;
}

/* True when the current phase has nothing left to wait for. */
static bool engine_phase_ready(struct engine *e)
{
	switch (e->phase) {
	case PHASE_NS:
	case PHASE_ADDR:
		return engine_qs_pending(e->queries, e->nq) == 0 ||
		       engine_qs_satisfied(e->queries, e->nq);
	case PHASE_PROBE:
		return engine_probe_ready(e);
	case PHASE_SPF:
		return engine_qs_pending(e->queries, e->nq) == 0;
	default:
		return false;
	}
}

/* Moves on while the zone cut or the current phase has nothing left to
 * wait for. */
static void engine_advance(struct engine *e)
{
	for (;;) {
		if (e->phase == PHASE_IDLE || e->phase == PHASE_FINISH)
			return;
		if (e->zone_pending &&
		    (engine_qs_pending(e->zq, e->nzq) == 0 || engine_qs_satisfied(e->zq, e->nzq))) {
			engine_zone_done(e);
			continue;
		}
		if (!engine_phase_ready(e))
			return;
		switch (e->phase) {
		case PHASE_NS:
			engine_ns_done(e);
			break;
		case PHASE_ADDR:
			engine_addr_done(e);
			break;
		case PHASE_PROBE:
			engine_probe_done(e);
			break;
		case PHASE_SPF:
			engine_spf_done(e);
			break;
		default:
			return;
		}
	}
}

/* ---- the struct dns_source ---- */

static enum bh_err engine_check(struct dns_source *src, const char *zone,
				const struct expected_record *records, size_t n, dns_done_fn done,
				void *arg)
{
	struct engine *e = engine_of(src);
	if (!e || !zone)
		return BH_ERR_INVALID;
	if (e->phase != PHASE_IDLE)
		return BH_ERR_BUSY;
	dns_answer_name_norm(zone, e->hint, sizeof e->hint);
	e->records = xcalloc(n ? n : 1, sizeof *e->records);
	if (n)
		memcpy(e->records, records, n * sizeof *records);
	e->nrecords = n;
	e->done = done;
	e->done_arg = arg;
	e->answered = false;
	if (n == 0) {
		engine_finish_later(e, BH_OK);
		return BH_OK;
	}
	dns_answer_name_norm(records[0].name, e->key, sizeof e->key);
	if (!e->nauth && e->nres == 0) {
		engine_finish_later(e, BH_ERR_NETWORK);
		return BH_OK;
	}
	if (e->cache_until > clock_now_ms() && strcmp(e->cache_key, e->key) == 0) {
		e->discovered = false;
		engine_start_probe(e);
		return BH_OK;
	}
	/* Discovery: the zone cut is asked while the rest goes on with the
	 * customer's domain as the presumed zone (what it nearly always is),
	 * so that a check from cold is one round trip, not one per step. */
	e->discovered = true;
	e->cache_until = 0;
	str_copy(e->zone, sizeof e->zone, e->hint);
	engine_start_zone(e);
	if (e->nauth)
		engine_start_probe(e);
	else
		engine_start_ns(e);
	return BH_OK;
}

static int engine_fill(void *self, struct pollfd *fds, int cap)
{
	struct engine *e = engine_of(self);
	return e ? query_net_fill(&e->net, fds, cap) : 0;
}

static int64_t engine_deadline(void *self)
{
	struct engine *e = engine_of(self);
	int64_t d;
	if (!e || e->phase == PHASE_IDLE)
		return 0;
	if (e->phase == PHASE_FINISH)
		return e->finish_ms > 0 ? e->finish_ms : 1;
	d = query_net_deadline(&e->net);
	if (e->phase == PHASE_PROBE && e->res_until > 0 && (!d || e->res_until < d))
		d = e->res_until; /* the resolvers' grace ends */
	return d ? d : 1;	  /* nothing in flight: a phase to advance now */
}

static void engine_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct engine *e = engine_of(self);
	if (!e || e->phase == PHASE_IDLE)
		return;
	if (e->phase == PHASE_FINISH) {
		if (now_ms < e->finish_ms)
			return;
		if (e->fail == BH_OK && e->nrecords == 0) {
			dns_done_fn done = e->done;
			void *arg = e->done_arg;
			engine_check_free(e);
			e->done = NULL;
			if (done)
				done(arg, BH_OK, NULL, 0, "");
			return;
		}
		engine_fail(e, e->fail);
		return;
	}
	query_net_dispatch(&e->net, fds, n, now_ms);
	engine_advance(e);
}

static void engine_destroy(struct dns_source *src)
{
	struct engine *e = engine_of(src);
	if (!e)
		return;
	engine_check_free(e);
	query_net_free(&e->net);
	free(e);
}

static const struct dns_source_ops engine_ops = {
    .destroy = engine_destroy,
    .check = engine_check,
    .source = {.fill = engine_fill, .deadline = engine_deadline, .dispatch = engine_dispatch},
};

void dns_engine_flush(struct dns_source *src)
{
	struct engine *e = engine_of(src);
	if (e)
		e->cache_until = 0;
}

const char *dns_engine_zone(const struct dns_source *src)
{
	const struct engine *e = src && src->ops == &engine_ops ? (const struct engine *)src : NULL;
	return e ? e->zone : "";
}

/* ---- creation ---- */

/* Adds the nameserver lines of a resolv.conf file. */
static void engine_read_resolv_conf(struct engine *e, const char *path)
{
	char addrs[16][DNS_RESOLV_ADDR_MAX]; /* a line that does not parse is skipped */
	size_t i, n = dns_resolv_conf(path, addrs, 16);
	for (i = 0; i < n && e->nres < DNS_ENGINE_MAX_RESOLVERS; i++)
		if (dns_addr_parse(addrs[i], &e->resolvers[e->nres]))
			e->nres++;
}

/* Parses "[NAME=]IP[:PORT]" into an authoritative server. */
static bool engine_parse_auth(const char *text, struct engine_server *s)
{
	const char *eq = strchr(text, '=');
	const char *addr = eq ? eq + 1 : text;
	struct dns_addr a;
	memset(s, 0, sizeof *s);
	if (!dns_addr_parse(addr, &a))
		return false;
	if (a.sa.ss_family == AF_INET6) {
		s->addr6 = a;
		s->has6 = true;
	} else {
		s->addr4 = a;
		s->has4 = true;
	}
	if (eq && eq > text) {
		char name[RECORD_NAME_MAX];
		size_t n = (size_t)(eq - text);
		if (n >= sizeof name)
			return false;
		memcpy(name, text, n);
		name[n] = '\0';
		dns_answer_name_norm(name, s->name, sizeof s->name);
	} else {
		str_copy(s->name, sizeof s->name, a.text);
	}
	return true;
}

struct dns_source *dns_engine_create(const struct dns_engine_config *cfg, char *msg, size_t cap)
{
	struct engine *e = xcalloc(1, sizeof *e);
	size_t i;

	if (cap)
		msg[0] = '\0';
	e->base.ops = &engine_ops;
	query_net_init(&e->net, cfg->timeout_ms, cfg->tries);
	e->cache_ms = cfg->cache_ms > 0 ? cfg->cache_ms : ENGINE_CACHE_MS;
	for (i = 0; i < cfg->nresolvers; i++) {
		struct dns_addr a;
		if (!dns_addr_parse(cfg->resolvers[i], &a)) {
			snprintf(msg, cap, "--resolver \"%.80s\" is not an IP address (IP[:PORT])",
				 cfg->resolvers[i]);
			goto fail;
		}
		if (e->nres < DNS_ENGINE_MAX_RESOLVERS)
			e->resolvers[e->nres++] = a;
	}
	if (cfg->nresolvers == 0)
		engine_read_resolv_conf(e,
					cfg->resolv_conf ? cfg->resolv_conf : "/etc/resolv.conf");
	for (i = 0; i < cfg->nauthoritative; i++) {
		if (e->nauth == RECORD_MAX_SERVERS) {
			snprintf(msg, cap, "at most %d --authoritative servers",
				 RECORD_MAX_SERVERS);
			goto fail;
		}
		if (!engine_parse_auth(cfg->authoritative[i], &e->auth[e->nauth])) {
			snprintf(
			    msg, cap,
			    "--authoritative \"%.80s\" is not an IP address ([NAME=]IP[:PORT])",
			    cfg->authoritative[i]);
			goto fail;
		}
		e->nauth++;
	}
	if (e->nres == 0 && e->nauth == 0) {
		snprintf(msg, cap, "no DNS resolver: give --resolver IP[:PORT] (none in %s)",
			 cfg->resolv_conf ? cfg->resolv_conf : "/etc/resolv.conf");
		goto fail;
	}
	return &e->base;
fail:
	query_net_free(&e->net);
	free(e);
	return NULL;
}
