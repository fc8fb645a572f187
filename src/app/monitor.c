/* behalf monitor's pass (see monitor.h): a pool of live DNS engines in one
 * poll() loop, fed customer by customer from the state directory. */
#include "app/monitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/esp_make.h"
#include "app/events.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/fileio.h"
#include "core/loop.h"
#include "core/state.h"
#include "dns/dns.h"

struct monitor;

/* One domain in flight: an engine of the pool and the customer it checks. */
struct mon_slot {
	struct monitor *m;
	struct dns_source *dns; /* made when first needed */
	bool busy;
	int first, nfds; /* its descriptors in this turn's table */
	char customer[WIZARD_ID_MAX];
	char domain[DOMAIN_ASCII_MAX];
	struct expected_record *recs; /* malloced, n */
	bool *saved_verified;	      /* malloced, n: verified in the saved state */
	size_t n;
	json_t *base; /* the events' data without the record */
};

struct monitor {
	const struct config *cfg;
	struct monitor_stats *st;
	struct loop loop;
	struct mon_slot *slots;
	size_t nslots;
	char **names; /* malloced: the customers, sorted */
	size_t nnames, next;
	struct wizard *w; /* scratch for reading a state file */
	char dir[1100];	  /* <state_dir>/monitor */
	char msg[512];	  /* why an engine could not be made */
};

/* ---- the pool as one source of the loop ---- */

static int mon_fill(void *self, struct pollfd *fds, int cap)
{
	struct monitor *m = self;
	int used = 0;
	size_t i;
	for (i = 0; i < m->nslots; i++) {
		struct mon_slot *s = &m->slots[i];
		s->first = used;
		s->nfds = 0;
		if (!s->busy || used >= cap)
			continue;
		s->nfds = s->dns->ops->source.fill(s->dns, fds + used, cap - used);
		used += s->nfds;
	}
	return used;
}

static int64_t mon_deadline(void *self)
{
	struct monitor *m = self;
	int64_t d = 0;
	size_t i;
	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].busy)
			d = loop_min_deadline(
			    d, m->slots[i].dns->ops->source.deadline(m->slots[i].dns));
	return d;
}

static void mon_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct monitor *m = self;
	size_t i;
	(void)n;
	for (i = 0; i < m->nslots; i++) {
		struct mon_slot *s = &m->slots[i];
		if (s->busy)
			s->dns->ops->source.dispatch(s->dns, fds + s->first, s->nfds, now_ms);
	}
}

static const struct source_ops mon_pool_ops = {mon_fill, mon_deadline, mon_dispatch};

/* ---- the monitor's file of a customer ---- */

json_t *monitor_file_read(const char *state_dir, const char *customer)
{
	struct buf path = {0};
	json_t *j;
	if (!state_customer_id_ok(customer))
		return NULL;
	buf_printf(&path, "%s/%s/%s.json", state_dir, MONITOR_DIR, customer);
	j = json_load_file(path.data, 0, NULL);
	buf_free(&path);
	if (j && (!json_is_object(j) || !json_is_array(json_object_get(j, "records")))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *monitor_pass_read(const char *state_dir)
{
	struct buf path = {0};
	json_t *j;
	buf_printf(&path, "%s/%s/%s", state_dir, MONITOR_DIR, MONITOR_PASS_FILE);
	j = json_load_file(path.data, 0, NULL);
	buf_free(&path);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

size_t monitor_file_lost(const json_t *file)
{
	const json_t *recs = file ? json_object_get(file, "records") : NULL, *r;
	size_t i, k = 0;
	json_array_foreach(recs, i, r) k += json_is_true(json_object_get(r, "lost"));
	return k;
}

json_t *monitor_status_json(const json_t *file, const json_t *pass)
{
	json_t *o, *recs, *r;
	size_t i;
	if (!file)
		return json_null();
	o = json_object();
	{
		/* the file is rewritten only when what it says changed: a later
		 * pass that found the same is the pass file's */
		json_int_t f = json_integer_value(json_object_get(file, "checked_at_ms"));
		json_int_t p = json_integer_value(json_object_get(pass, "finished_at_ms"));
		json_object_set(
		    o, "checked_at",
		    json_object_get(p > f ? pass : file, p > f ? "finished_at" : "checked_at"));
	}
	json_object_set_new(o, "reachable",
			    json_boolean(json_is_true(json_object_get(file, "reachable"))));
	json_object_set_new(o, "lost", json_integer((json_int_t)monitor_file_lost(file)));
	recs = json_array();
	json_array_foreach(json_object_get(file, "records"), i, r)
	{
		json_t *x = json_object();
		static const char *const keys[] = {"purpose", "type",	   "name",
						   "status",  "diagnoses", "lost"};
		size_t k;
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			json_t *v = json_object_get(r, keys[k]);
			json_object_set_new(x, keys[k], v ? json_incref(v) : json_null());
		}
		json_object_set(x, "lost_since", json_object_get(r, "lost_since"));
		if (!json_object_get(x, "lost_since"))
			json_object_set_new(x, "lost_since", json_null());
		json_array_append_new(recs, x);
	}
	json_object_set_new(o, "records", recs);
	return o;
}

/* Replaces the customer's monitor file; durably (fsync) when it records an
 * event just appended, else by a plain rename (a crash then costs at most
 * the last pass's times, which the next pass writes again). */
static bool mon_write(struct monitor *m, const char *customer, json_t *file, bool durable)
{
	char *text = json_dumps(file, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	char name[WIZARD_ID_MAX + 8], msg[512];
	struct buf tmp = {0}, path = {0};
	bool ok = false;
	int fd;
	if (!text)
		return false;
	snprintf(name, sizeof name, "%s.json", customer);
	if (durable) {
		ok = file_replace(m->dir, name, text, strlen(text), 0600, msg, sizeof msg) == BH_OK;
		if (!ok)
			fprintf(stderr, "behalf monitor: %s\n", msg);
		free(text);
		return ok;
	}
	buf_printf(&tmp, "%s/%s.tmp", m->dir, name);
	buf_printf(&path, "%s/%s", m->dir, name);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = file_write_all(fd, text, strlen(text));
		ok = close(fd) == 0 && ok;
		ok = ok && rename(tmp.data, path.data) == 0;
		if (!ok)
			unlink(tmp.data);
	}
	if (!ok)
		fprintf(stderr, "behalf monitor: %s: %s\n", path.data, strerror(errno));
	free(text);
	buf_free(&tmp);
	buf_free(&path);
	return ok;
}

/* ---- one customer's check ---- */

enum mon_verdict {
	MON_OK,		 /* every authoritative server has it right */
	MON_LOST,	 /* a server that answered lacks it, or has it different */
	MON_UNREACHABLE, /* no server said anything usable about it */
};

static enum mon_verdict mon_verdict(const struct record_result *r)
{
	size_t i;
	for (i = 0; i < r->nservers && i < RECORD_MAX_SERVERS; i++)
		if (r->per_server[i] == STATUS_MISSING || r->per_server[i] == STATUS_MISMATCH ||
		    r->per_server[i] == STATUS_PARTIAL)
			return MON_LOST;
	if (r->status == STATUS_VERIFIED)
		return MON_OK;
	if (r->status == STATUS_MISSING || r->status == STATUS_MISMATCH)
		return MON_LOST;
	return MON_UNREACHABLE;
}

static const char *mon_str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* The entry of rec in the previous file's records (same type, name, value). */
static json_t *mon_prev(json_t *prev, const struct expected_record *rec)
{
	json_t *r;
	size_t i;
	json_array_foreach(prev ? json_object_get(prev, "records") : NULL, i, r)
	{
		if (!strcmp(mon_str(r, "name"), rec->name) &&
		    !strcmp(mon_str(r, "type"), record_type_word(rec->type)) &&
		    !strcmp(mon_str(r, "value"), rec->value))
			return r;
	}
	return NULL;
}

static json_t *mon_diag_codes(const struct record_result *r)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; r && i < r->ndiagnoses; i++)
		json_array_append_new(a, json_string(record_diag_code(r->diagnoses[i].code)));
	return a;
}

/* Appends record.lost or record.restored for record i of the slot, said at
 * at_ms (the pass's time, kept in the monitor file for behalf status). */
static bool mon_emit(struct mon_slot *s, size_t i, enum milestone what,
		     const struct record_result *r, int64_t lost_ms, int64_t at_ms)
{
	const struct expected_record *rec = &s->recs[i];
	json_t *d = json_deep_copy(s->base), *o = json_object(), *servers = json_array();
	char msg[512], when[32];
	size_t k;
	json_object_set_new(o, "purpose", json_string(record_purpose_word(rec->purpose)));
	json_object_set_new(o, "type", json_string(record_type_word(rec->type)));
	json_object_set_new(o, "name", json_string(rec->name));
	json_object_set_new(o, "value", json_string(rec->value));
	json_object_set_new(o, "required", json_boolean(rec->required));
	json_object_set_new(o, "status", json_string(record_status_word(r->status)));
	json_object_set_new(d, "record", o);
	json_object_set_new(d, "diagnoses", mon_diag_codes(r));
	for (k = 0; k < r->nservers && k < RECORD_MAX_SERVERS; k++) {
		json_t *sv = json_object();
		json_object_set_new(sv, "name", json_string(r->servers[k]));
		json_object_set_new(sv, "status",
				    json_string(record_status_word(r->per_server[k])));
		json_array_append_new(servers, sv);
	}
	json_object_set_new(d, "servers", servers);
	state_iso_time(lost_ms, when, sizeof when);
	json_object_set_new(d, "lost_since", json_string(when));
	json_object_set_new(d, "source", json_string("monitor"));
	if (events_append_at(s->m->cfg->state_dir, s->customer, what, rec->name, d, at_ms, NULL,
			     msg, sizeof msg) != BH_OK) {
		fprintf(stderr, "behalf monitor: %s\n", msg);
		s->m->st->failed++;
		return false;
	}
	if (what == MILESTONE_RECORD_LOST)
		s->m->st->lost++;
	else
		s->m->st->restored++;
	return true;
}

static void mon_slot_clear(struct mon_slot *s)
{
	free(s->recs);
	free(s->saved_verified);
	json_decref(s->base);
	s->recs = NULL;
	s->saved_verified = NULL;
	s->base = NULL;
	s->n = 0;
	s->busy = false;
}

static void mon_done(void *arg, enum bh_err err, const struct record_result *results, size_t n,
		     const char *dns_host)
{
	struct mon_slot *s = arg;
	struct monitor *m = s->m;
	json_t *prev = monitor_file_read(m->cfg->state_dir, s->customer);
	json_t *file = json_object(), *recs = json_array();
	int64_t now = clock_wall_ms();
	bool reachable = err == BH_OK && n == s->n, any_answer = false, durable = false;
	/* when this monitor last said record.lost / record.restored (status's
	 * milestones: the customer's state is never written here) */
	int64_t lost_at = prev ? json_integer_value(json_object_get(prev, "lost_at_ms")) : 0;
	int64_t restored_at =
	    prev ? json_integer_value(json_object_get(prev, "restored_at_ms")) : 0;
	char when[32];
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct expected_record *rec = &s->recs[i];
		const struct record_result *r = reachable ? &results[i] : NULL;
		json_t *p = mon_prev(prev, rec), *o = json_object();
		bool once = s->saved_verified[i] ||
			    (p && json_is_true(json_object_get(p, "verified_once")));
		int64_t lost_ms = p ? json_integer_value(json_object_get(p, "lost_since_ms")) : 0;
		enum mon_verdict v = r ? mon_verdict(r) : MON_UNREACHABLE;

		if (v != MON_UNREACHABLE)
			any_answer = true;
		if (v == MON_OK) {
			if (lost_ms > 0 &&
			    mon_emit(s, i, MILESTONE_RECORD_RESTORED, r, lost_ms, now)) {
				durable = true;
				restored_at = now;
			}
			lost_ms = 0;
			once = true;
		} else if (v == MON_LOST && once && lost_ms <= 0) {
			lost_ms = now;
			if (mon_emit(s, i, MILESTONE_RECORD_LOST, r, lost_ms, now)) {
				durable = true;
				lost_at = now;
			}
		}
		json_object_set_new(o, "purpose", json_string(record_purpose_word(rec->purpose)));
		json_object_set_new(o, "type", json_string(record_type_word(rec->type)));
		json_object_set_new(o, "name", json_string(rec->name));
		json_object_set_new(o, "value", json_string(rec->value));
		json_object_set_new(o, "required", json_boolean(rec->required));
		json_object_set_new(o, "status",
				    json_string(record_status_word(r ? r->status : STATUS_ERROR)));
		json_object_set_new(o, "diagnoses", mon_diag_codes(r));
		json_object_set_new(o, "verified_once", json_boolean(once));
		json_object_set_new(o, "lost", json_boolean(lost_ms > 0));
		if (lost_ms > 0) {
			state_iso_time(lost_ms, when, sizeof when);
			json_object_set_new(o, "lost_since", json_string(when));
			m->st->lost_now++;
		} else {
			json_object_set_new(o, "lost_since", json_null());
		}
		json_object_set_new(o, "lost_since_ms", json_integer(lost_ms > 0 ? lost_ms : 0));
		json_array_append_new(recs, o);
		m->st->records++;
	}
	if (!any_answer)
		m->st->unreachable++;
	json_object_set_new(file, "version", json_integer(MONITOR_FILE_VERSION));
	json_object_set_new(file, "customer", json_string(s->customer));
	json_object_set_new(file, "domain", json_string(s->domain));
	json_object_set_new(file, "reachable", json_boolean(any_answer));
	json_object_set_new(file, "dns_host", json_string(dns_host ? dns_host : ""));
	json_object_set_new(file, "records", recs);
	if (lost_at > 0)
		json_object_set_new(file, "lost_at_ms", json_integer(lost_at));
	if (restored_at > 0)
		json_object_set_new(file, "restored_at_ms", json_integer(restored_at));
	/* Rewritten only when what it says changed (a file made per customer
	 * per pass was the pass's largest cost: ext4 allocating inodes); the
	 * pass file says when the last pass ended. */
	if (prev) {
		json_object_del(prev, "checked_at");
		json_object_del(prev, "checked_at_ms");
	}
	if (durable || !prev || !json_equal(prev, file)) {
		state_iso_time(now, when, sizeof when);
		json_object_set_new(file, "checked_at", json_string(when));
		json_object_set_new(file, "checked_at_ms", json_integer(now));
		if (mon_write(m, s->customer, file, durable))
			m->st->written++;
		else
			m->st->failed++;
	}
	json_decref(file);
	json_decref(prev);
	mon_slot_clear(s);
}

/* Removes the monitor's file of a customer it no longer checks. */
static void mon_forget(struct monitor *m, const char *customer)
{
	struct buf path = {0};
	buf_printf(&path, "%s/%s.json", m->dir, customer);
	unlink(path.data);
	buf_free(&path);
}

/* Reads customer's state; starts the check on s when the customer is a
 * finished option-1 one.  False when nothing was started. */
static bool mon_start(struct monitor *m, struct mon_slot *s, const char *customer)
{
	struct wizard *w = m->w;
	struct wizard_config wc = m->cfg->wizard;
	char msg[1024];
	enum bh_err err;
	size_t i;

	str_copy(wc.customer_id, sizeof wc.customer_id, customer);
	wizard_init(w, &wc);
	err = state_peek_any(m->cfg->state_dir, customer, w, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND)
		return false;
	if (err != BH_OK) {
		fprintf(stderr, "behalf monitor: %s\n", msg);
		m->st->failed++;
		return false;
	}
	m->st->files++;
	if (w->step != STEP_DONE || w->option != OPTION_DOMAIN || !w->nrecords ||
	    !w->domain.ascii[0]) {
		mon_forget(m, customer);
		return false;
	}
	if (!s->dns) {
		s->dns = esp_make_dns(m->cfg, m->msg, sizeof m->msg);
		if (!s->dns)
			return false;
	}
	s->n = w->nrecords;
	s->recs = xmalloc(s->n * sizeof *s->recs);
	memcpy(s->recs, w->records, s->n * sizeof *s->recs);
	s->saved_verified = xmalloc(s->n * sizeof *s->saved_verified);
	for (i = 0; i < s->n; i++)
		s->saved_verified[i] = w->results[i].status == STATUS_VERIFIED;
	str_copy(s->customer, sizeof s->customer, customer);
	str_copy(s->domain, sizeof s->domain, w->domain.ascii);
	s->base = events_wizard_data(w, MILESTONE_RECORD_LOST, "");
	s->busy = true;
	if (s->dns->ops->check(s->dns, s->domain, s->recs, s->n, mon_done, s) != BH_OK) {
		mon_slot_clear(s);
		m->st->failed++;
		return false;
	}
	m->st->monitored++;
	return true;
}

/* <state_dir>/monitor/.pass.json: when the last whole pass ran, and what it
 * did. */
static void mon_write_pass(struct monitor *m, int64_t started)
{
	json_t *p = json_object();
	char when[32];
	int64_t now = clock_wall_ms();
	state_iso_time(started, when, sizeof when);
	json_object_set_new(p, "version", json_integer(MONITOR_FILE_VERSION));
	json_object_set_new(p, "started_at", json_string(when));
	state_iso_time(now, when, sizeof when);
	json_object_set_new(p, "finished_at", json_string(when));
	json_object_set_new(p, "finished_at_ms", json_integer(now));
	json_object_set_new(p, "customers", json_integer((json_int_t)m->st->monitored));
	json_object_set_new(p, "records", json_integer((json_int_t)m->st->records));
	json_object_set_new(p, "lost_now", json_integer((json_int_t)m->st->lost_now));
	json_object_set_new(p, "unreachable", json_integer((json_int_t)m->st->unreachable));
	if (!mon_write(m, ".pass", p, false))
		m->st->failed++;
	json_decref(p);
}

static int mon_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The customers of the state directory (the names of its *.json files). */
static void mon_list(struct monitor *m)
{
	DIR *d = opendir(m->cfg->state_dir);
	struct dirent *e;
	size_t cap = 0;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char customer[WIZARD_ID_MAX];
		if (len <= 5 || len - 5 >= sizeof customer ||
		    strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		memcpy(customer, e->d_name, len - 5);
		customer[len - 5] = '\0';
		if (!state_customer_id_ok(customer) || !strcmp(customer, "sandbox-account"))
			continue;
		if (m->nnames == cap) {
			cap = cap ? cap * 2 : 64;
			m->names = xrealloc(m->names, cap * sizeof *m->names);
		}
		m->names[m->nnames++] = xstrdup(customer);
	}
	closedir(d);
	if (m->nnames > 1)
		qsort(m->names, m->nnames, sizeof *m->names, mon_name_cmp);
}

bool monitor_pass(const struct config *cfg, struct monitor_stats *stats, char *msg, size_t cap)
{
	struct monitor *m = xcalloc(1, sizeof *m);
	size_t i, busy;
	bool ok = true;
	int64_t started;

	memset(stats, 0, sizeof *stats);
	started = clock_wall_ms();
	m->cfg = cfg;
	m->st = stats;
	snprintf(m->dir, sizeof m->dir, "%s/%s", cfg->state_dir, MONITOR_DIR);
	if (mkdir(m->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(msg, cap, "%.900s: %s", m->dir, strerror(errno));
		free(m);
		return false;
	}
	mon_list(m);
	m->nslots = cfg->monitor.parallel > 0 ? (size_t)cfg->monitor.parallel : 1;
	if (m->nslots > m->nnames)
		m->nslots = m->nnames ? m->nnames : 1;
	m->slots = xcalloc(m->nslots, sizeof *m->slots);
	for (i = 0; i < m->nslots; i++)
		m->slots[i].m = m;
	m->w = xmalloc(sizeof *m->w);
	loop_init(&m->loop);
	loop_add(&m->loop, &mon_pool_ops, m);
	for (;;) {
		busy = 0;
		for (i = 0; i < m->nslots; i++) {
			struct mon_slot *s = &m->slots[i];
			while (!s->busy && m->next < m->nnames && !m->msg[0])
				mon_start(m, s, m->names[m->next++]);
			busy += s->busy;
		}
		if (m->msg[0]) {
			snprintf(msg, cap, "%s", m->msg);
			ok = false;
		}
		if (!busy)
			break;
		if (loop_turn(&m->loop, 0) != 0) {
			snprintf(msg, cap, "poll: %s", strerror(errno));
			ok = false;
			break;
		}
	}
	if (ok)
		mon_write_pass(m, started);
	for (i = 0; i < m->nslots; i++) {
		if (m->slots[i].dns)
			m->slots[i].dns->ops->destroy(m->slots[i].dns);
		mon_slot_clear(&m->slots[i]);
	}
	for (i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m->slots);
	free(m->w);
	free(m);
	return ok;
}

int64_t monitor_file_said(const json_t *file, enum milestone m)
{
	const char *key = m == MILESTONE_RECORD_LOST	   ? "lost_at_ms"
			  : m == MILESTONE_RECORD_RESTORED ? "restored_at_ms"
							   : NULL;
	return key ? (int64_t)json_integer_value(json_object_get(file, key)) : 0;
}
