/* behalf status and behalf list: the vendor's view of its customers
 * (issue 11, docs/status.md).  Both only read: each state file is read
 * without the session lock (state_peek; a save replaces the file by rename,
 * so a read sees a whole file) and nothing is written, so they work while
 * customers' sessions run.  The shapes and the order come from
 * core/status.c.
 *
 * Exit status: 0 shown; 1 (status) the customer has no state or it cannot
 * be read; 2 a usage or configuration error.  `list` goes on past a file it
 * cannot read, naming it on stderr (and in the JSON's "skipped"). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/events.h"
#include "app/monitor.h"
#include "app/status_list.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/sanitize.h"
#include "core/state.h"
#include "core/status.h"
#include "core/text.h"

enum { STATUS_EXIT_OK = 0, STATUS_EXIT_FAILED = 1, STATUS_EXIT_USAGE = 2 };

#define COLUMNS 80

/* The options of both commands. */
struct status_opts {
	const char *customer, *config_path, *state_dir;
	bool json, stuck, demo;
	int option;	   /* --option N, 0: any */
	int64_t since_ms;  /* --since DURATION, 0: any */
	struct config cfg; /* loaded */
};

/* Parses argv; returns -1 to go on, else the exit status. */
static int status_parse(int argc, char **argv, bool list, struct status_opts *o)
{
	static const struct option longopts[] = {
	    {"customer", required_argument, NULL, 'u'}, {"json", no_argument, NULL, 'j'},
	    {"config", required_argument, NULL, 'c'},	{"state-dir", required_argument, NULL, 's'},
	    {"demo", no_argument, NULL, 'd'},		{"stuck", no_argument, NULL, 'S'},
	    {"option", required_argument, NULL, 'o'},	{"since", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	const char *usage = list ? "status_cli.list_usage" : "status_cli.usage";
	int c;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		/* the options of the other command are refused */
		if ((list && c == 'u') || (!list && (c == 'S' || c == 'o' || c == 'n')))
			c = '?';
		switch (c) {
		case 'u':
			o->customer = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'd':
			o->demo = true;
			break;
		case 'S':
			o->stuck = true;
			break;
		case 'o':
			if (strlen(optarg) != 1 || optarg[0] < '1' || optarg[0] > '3')
				return cli_say(STATUS_EXIT_USAGE, "status_cli.bad_option", optarg,
					       NULL);
			o->option = optarg[0] - '0';
			break;
		case 'n':
			if (!status_parse_duration(optarg, &o->since_ms) || o->since_ms <= 0)
				return cli_say(STATUS_EXIT_USAGE, "status_cli.bad_duration", optarg,
					       NULL);
			break;
		case 'h':
			printf("%s\n", text_get(usage));
			return STATUS_EXIT_OK;
		default:
			return cli_option_error(c, argv, usage, "status_cli.bad_argument",
						"status_cli.missing_value");
		}
	}
	if (optind < argc)
		return cli_say(STATUS_EXIT_USAGE, "status_cli.bad_argument", argv[optind], NULL);
	if (!list && !o->customer && o->demo)
		o->customer = "demo";
	if (!list && !o->customer)
		return cli_usage_error(usage, "status_cli.missing_customer", NULL);
	if (!list && !state_customer_id_ok(o->customer))
		return cli_say(STATUS_EXIT_USAGE, "status_cli.bad_customer", o->customer, NULL);
	/* --demo reads where behalf --demo saves (src/app/main.c) */
	if (!cli_config_open(&o->cfg, o->config_path, o->state_dir, o->demo, "status_cli.config"))
		return STATUS_EXIT_USAGE;
	return -1;
}

/* The wall ms of a file's last change, 0 when unknown. */
static int64_t status_mtime(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

/* Appends text sanitized and cut to at most width characters (a cut one
 * ends in "~"), padded with blanks to width when pad. */
static void put_cell(struct buf *out, const char *text, size_t width, bool pad)
{
	char clean[1024];
	size_t i = 0, chars = 0, len;
	sanitize_text(text ? text : "", clean, sizeof clean);
	len = strlen(clean);
	while (i < len) {
		unsigned cp;
		size_t n = utf8_decode((const unsigned char *)clean + i, len - i, &cp);
		if (n == 0)
			n = 1;
		if (chars + 1 == width && i + n < len) {
			buf_append(out, "~", 1);
			chars++;
			i = len;
			break;
		}
		buf_append(out, clean + i, n);
		chars++;
		i += n;
	}
	while (pad && chars++ < width)
		buf_append(out, " ", 1);
}

/* "label       value" cut to the screen's width. */
static void put_line(struct buf *out, const char *label, const char *value)
{
	put_cell(out, label, 14, true);
	put_cell(out, value, COLUMNS - 14, false);
	buf_append(out, "\n", 1);
}

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* The human form of status_json's object (one customer), at most 80 columns. */
static void status_text(json_t *j, int64_t since_ms, int64_t now_ms, struct buf *out)
{
	json_t *recs = json_object_get(j, "records"), *esp = json_object_get(j, "esp");
	json_t *ms = json_object_get(j, "milestones"), *addr = json_object_get(j, "address");
	json_t *from = json_object_get(j, "from"), *rec, *v;
	const char *key, *since = json_string_value(json_object_get(j, "step_since"));
	char line[512], age[32];
	size_t i;

	put_line(out, "Customer", json_string_value(json_object_get(j, "customer")));
	if (json_is_integer(json_object_get(j, "option")))
		snprintf(line, sizeof line, "%lld (%s)",
			 (long long)json_integer_value(json_object_get(j, "option")),
			 json_string_value(json_object_get(j, "option_name")));
	else
		str_copy(line, sizeof line, "none chosen yet");
	put_line(out, "Option", line);
	if (since) {
		status_format_age(now_ms - since_ms, age, sizeof age);
		snprintf(line, sizeof line, "%s, for %s (since %s)",
			 json_string_value(json_object_get(j, "step")), age, since);
	} else {
		str_copy(line, sizeof line, json_string_value(json_object_get(j, "step")));
	}
	put_line(out, "Step", line);
	snprintf(line, sizeof line, "%s%s", json_is_true(json_object_get(j, "done")) ? "yes" : "no",
		 json_is_true(json_object_get(j, "stuck")) ? " (stuck)" : "");
	put_line(out, "Done", line);
	put_line(out, "Held up by", str_or(json_string_value(json_object_get(j, "holdup")), "-"));
	if ((v = json_object_get(j, "domain")) && json_is_string(v)) {
		const char *uni = json_string_value(json_object_get(j, "domain_unicode"));
		if (uni && strcmp(uni, json_string_value(v)) != 0)
			snprintf(line, sizeof line, "%s (%s)", json_string_value(v), uni);
		else
			str_copy(line, sizeof line, json_string_value(v));
		put_line(out, "Domain", line);
	}
	if (json_is_object(addr)) {
		snprintf(line, sizeof line, "%s%s",
			 json_string_value(json_object_get(addr, "email")),
			 json_is_true(json_object_get(addr, "confirmed")) ? " (confirmed)"
									  : " (not confirmed)");
		put_line(out, "Address", line);
		put_line(out, "Name", json_string_value(json_object_get(addr, "name")));
	}
	if (json_is_object(from)) {
		/* the header unfolded, on one line */
		const char *h = json_string_value(json_object_get(from, "header"));
		struct buf one = {0};
		for (; h && *h; h++)
			if (*h != '\r' && *h != '\n')
				buf_append(&one, h, 1);
		put_line(out, "From header", one.data ? one.data : "");
		buf_free(&one);
	}
	if (json_is_object(json_object_get(j, "domain_connect"))) {
		/* the one-click offer (its link is in the JSON and the exports) */
		json_t *dc = json_object_get(j, "domain_connect");
		snprintf(
		    line, sizeof line, "%s at %s",
		    strcmp(str_or(json_string_value(json_object_get(dc, "kind")), ""), "apply") == 0
			? "one click offered"
			: "control panel link offered",
		    str_or(json_string_value(json_object_get(dc, "provider")), "-"));
		put_line(out, "One click", line);
	}
	snprintf(line, sizeof line, "domain %s, signature %s, server %s",
		 str_or(json_string_value(json_object_get(esp, "domain_id")), "-"),
		 str_or(json_string_value(json_object_get(esp, "signature_id")), "-"),
		 str_or(json_string_value(json_object_get(esp, "server_id")), "-"));
	put_line(out, "ESP ids", line);
	if (json_array_size(recs)) {
		buf_append(out, "Records\n", 8);
		json_array_foreach(recs, i, rec)
		{
			json_t *d, *diags = json_object_get(rec, "diagnoses");
			json_t *ev = json_object_get(rec, "esp_verified");
			size_t k;
			buf_append(out, "  ", 2);
			put_cell(out, json_string_value(json_object_get(rec, "purpose")), 12, true);
			put_cell(out, json_string_value(json_object_get(rec, "type")), 6, true);
			put_cell(out, json_string_value(json_object_get(rec, "name")), COLUMNS - 20,
				 false);
			buf_append(out, "\n", 1);
			snprintf(line, sizeof line, "%s%s, ESP: %s",
				 json_string_value(json_object_get(rec, "status")),
				 json_is_true(json_object_get(rec, "required")) ? ""
										: " (optional)",
				 json_is_null(ev)   ? "not checked"
				 : json_is_true(ev) ? "verified"
						    : "not verified");
			buf_append(out, "              ", 14);
			put_cell(out, line, COLUMNS - 14, false);
			buf_append(out, "\n", 1);
			json_array_foreach(diags, k, d)
			{
				buf_append(out, "              ", 14);
				snprintf(line, sizeof line, "%s (%s)",
					 json_string_value(json_object_get(d, "code")),
					 json_string_value(json_object_get(d, "severity")));
				put_cell(out, line, COLUMNS - 14, false);
				buf_append(out, "\n", 1);
			}
		}
	}
	if (json_is_object(json_object_get(j, "monitor"))) {
		/* behalf monitor: the last pass, and each record lost since */
		json_t *mon = json_object_get(j, "monitor");
		snprintf(line, sizeof line, "checked %s, %lld record%s lost%s",
			 str_or(json_string_value(json_object_get(mon, "checked_at")), "-"),
			 (long long)json_integer_value(json_object_get(mon, "lost")),
			 json_integer_value(json_object_get(mon, "lost")) == 1 ? "" : "s",
			 json_is_true(json_object_get(mon, "reachable"))
			     ? ""
			     : " (servers unreachable)");
		put_line(out, "Monitor", line);
		json_array_foreach(json_object_get(mon, "records"), i, rec)
		{
			if (!json_is_true(json_object_get(rec, "lost")))
				continue;
			snprintf(line, sizeof line, "  lost since %s: %s %s",
				 str_or(json_string_value(json_object_get(rec, "lost_since")), "-"),
				 str_or(json_string_value(json_object_get(rec, "type")), "-"),
				 str_or(json_string_value(json_object_get(rec, "name")), "-"));
			put_cell(out, line, COLUMNS, false);
			buf_append(out, "\n", 1);
		}
	}
	buf_append(out, "Milestones\n", 11);
	i = 0;
	json_object_foreach(ms, key, v)
	{
		if (!json_is_string(v))
			continue;
		buf_append(out, "  ", 2);
		put_cell(out, key, 24, true);
		put_cell(out, json_string_value(v), COLUMNS - 26, false);
		buf_append(out, "\n", 1);
		i++;
	}
	if (!i)
		buf_append(out, "  none yet\n", 11);
}

int cmd_status(int argc, char **argv)
{
	struct status_opts *o = xcalloc(1, sizeof *o);
	struct wizard *w = NULL;
	struct buf path = {0}, out = {0};
	json_t *j;
	char msg[1024];
	enum bh_err err;
	int status = status_parse(argc, argv, false, o);
	int64_t now = clock_wall_ms();

	if (status >= 0)
		goto done;
	status = STATUS_EXIT_FAILED;
	w = xmalloc(sizeof *w);
	str_copy(o->cfg.wizard.customer_id, sizeof o->cfg.wizard.customer_id, o->customer);
	wizard_init(w, &o->cfg.wizard);
	err = state_peek(o->cfg.state_dir, o->customer, w, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND) {
		cli_say(0, "status_cli.no_customer", o->customer, o->cfg.state_dir);
		goto done;
	}
	if (err) {
		cli_say(0, "status_cli.state", msg, NULL);
		goto done;
	}
	/* said by behalf deliver, which never writes the state */
	if (!w->milestones_ms[MILESTONE_PENDING_72H])
		w->milestones_ms[MILESTONE_PENDING_72H] = events_pending_said(
		    o->cfg.state_dir, o->customer, w->milestones_ms[MILESTONE_RECORDS_SHOWN]);
	buf_printf(&path, "%s/%s.json", o->cfg.state_dir, o->customer);
	if (w->step == STEP_DONE && w->option == OPTION_DOMAIN) {
		/* said by behalf monitor, which never writes the state either */
		json_t *mon = monitor_file_read(o->cfg.state_dir, o->customer);
		enum milestone said[] = {MILESTONE_RECORD_LOST, MILESTONE_RECORD_RESTORED};
		for (size_t k = 0; k < sizeof said / sizeof said[0]; k++) {
			int64_t at = monitor_file_said(mon, said[k]);
			if (at > w->milestones_ms[said[k]])
				w->milestones_ms[said[k]] = at;
		}
		json_decref(mon);
	}
	j = status_json(w, o->customer, status_mtime(path.data), now, o->cfg.stuck_after_ms);
	if (w->step == STEP_DONE && w->option == OPTION_DOMAIN) {
		/* behalf monitor's last pass (its own file: the state is never
		 * written by it) */
		json_t *mon = monitor_file_read(o->cfg.state_dir, o->customer);
		if (monitor_file_lost(mon))
			json_object_set_new(j, "holdup", json_string("record-lost"));
		json_t *pass = monitor_pass_read(o->cfg.state_dir);
		json_object_set_new(j, "monitor", monitor_status_json(mon, pass));
		json_decref(pass);
		json_decref(mon);
	}
	if (o->json) {
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			printf("%s\n", s);
		free(s);
	} else {
		status_text(j, w->step_since_ms, now, &out);
		fputs(out.data ? out.data : "", stdout);
	}
	json_decref(j);
	status = fflush(stdout) == 0 ? STATUS_EXIT_OK : STATUS_EXIT_FAILED;
done:
	buf_free(&path);
	buf_free(&out);
	free(w);
	free(o);
	return status;
}

/* ---- behalf list ---- */

/* Files of the state directory that are no customer's. */
static bool list_not_customer(const char *name)
{
	return strcmp(name, "sandbox-account.json") == 0;
}

/* One file of the state directory to read. */
struct list_entry {
	char *name;    /* malloced: "<customer>.json" */
	char *problem; /* malloced: why it was skipped, or NULL */
	bool gone;     /* removed since the directory was read */
	struct status_row row;
};

/* The files, shared by the readers (each takes the next by an atomic
 * counter). */
struct list_job {
	const char *dir;
	const struct wizard_config *wc;
	struct list_entry *e;
	size_t n;
	atomic_size_t next;
};

static void list_read_one(const struct list_job *job, struct list_entry *e, struct wizard *w)
{
	size_t len = strlen(e->name);
	char customer[WIZARD_ID_MAX + 8], msg[1024];
	struct wizard_config wc = *job->wc;
	struct buf path = {0};
	enum bh_err err;

	if (len - 5 >= sizeof customer) {
		e->problem = xstrdup("not a customer's state file (its name is too long)");
		return;
	}
	memcpy(customer, e->name, len - 5);
	customer[len - 5] = '\0';
	if (!state_customer_id_ok(customer)) {
		e->problem = xstrdup("not a customer's state file (its name is no customer id)");
		return;
	}
	str_copy(wc.customer_id, sizeof wc.customer_id, customer);
	wizard_init(w, &wc);
	err = state_peek_any(job->dir, customer, w, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND) {
		e->gone = true;
		return;
	}
	if (err) {
		e->problem = xstrdup(msg);
		return;
	}
	buf_printf(&path, "%s/%s", job->dir, e->name);
	status_row_of(w, customer, status_mtime(path.data), &e->row);
	buf_free(&path);
	if (e->row.done && w->option == OPTION_DOMAIN) {
		json_t *mon = monitor_file_read(job->dir, customer);
		status_row_set_lost(&e->row, monitor_file_lost(mon));
		json_decref(mon);
	}
}

static void *list_worker(void *arg)
{
	struct list_job *job = arg;
	struct wizard *w = xmalloc(sizeof *w);
	size_t i;
	while ((i = atomic_fetch_add(&job->next, 1)) < job->n)
		list_read_one(job, &job->e[i], w);
	free(w);
	return NULL;
}

static int list_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct list_entry *)a)->name, ((const struct list_entry *)b)->name);
}

/* The readers: a state file is parsed and checked whole (state_peek), which
 * is most of the time of a list; one reader per processor, at most
 * LIST_READERS. */
#define LIST_READERS 8

size_t status_list_read(const char *dir, const struct config *cfg, struct status_row **rows,
			json_t *skipped, bool quiet)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct list_job job = {.dir = dir, .wc = &cfg->wizard};
	pthread_t threads[LIST_READERS];
	size_t n = 0, cap = 0, i, nthreads = 0, want;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*rows = NULL;
	if (!d) {
		if (errno != ENOENT && !quiet)
			cli_say(0, "status_cli.dir", dir, strerror(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0 ||
		    list_not_customer(e->d_name))
			continue;
		if (job.n == cap) {
			cap = cap ? cap * 2 : 64;
			job.e = xrealloc(job.e, cap * sizeof *job.e);
		}
		memset(&job.e[job.n], 0, sizeof job.e[0]);
		job.e[job.n++].name = xstrdup(e->d_name);
	}
	closedir(d);
	if (job.n > 1)
		qsort(job.e, job.n, sizeof job.e[0], list_name_cmp);

	/* jansson seeds its hash function once: before the threads */
	json_object_seed(0);
	atomic_init(&job.next, 0);
	want = cpus > 1 ? (size_t)cpus : 1;
	if (want > LIST_READERS)
		want = LIST_READERS;
	if (want > job.n / 64 + 1) /* a few files: not worth a thread */
		want = job.n / 64 + 1;
	for (i = 1; i < want; i++)
		if (pthread_create(&threads[nthreads], NULL, list_worker, &job) == 0)
			nthreads++;
	list_worker(&job);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);

	*rows = xmalloc((job.n ? job.n : 1) * sizeof **rows);
	for (i = 0; i < job.n; i++) {
		struct list_entry *le = &job.e[i];
		if (le->problem) {
			json_t *s = json_object();
			char file[1024], problem[1024];
			struct buf path = {0};
			buf_printf(&path, "%s/%s", dir, le->name);
			sanitize_text(path.data, file, sizeof file);
			sanitize_text(le->problem, problem, sizeof problem);
			if (!quiet)
				cli_say(0, "status_cli.skipped", file, problem);
			json_object_set_new(s, "file", json_string(file));
			json_object_set_new(s, "problem", json_string(problem));
			if (skipped)
				json_array_append_new(skipped, s);
			else
				json_decref(s);
			buf_free(&path);
		} else if (!le->gone) {
			(*rows)[n++] = le->row;
		}
		free(le->name);
		free(le->problem);
	}
	free(job.e);
	return n;
}

static json_t *list_row_json(const struct status_row *r, int64_t now_ms)
{
	json_t *o = json_object();
	char when[32];
	int64_t since = status_row_since(r);
	json_object_set_new(o, "customer", json_string(r->customer));
	json_object_set_new(o, "option",
			    r->option == OPTION_NONE ? json_null() : json_integer(r->option));
	json_object_set_new(o, "step", json_string(wizard_step_word(r->step)));
	if (r->step_since_ms > 0) {
		state_iso_time(r->step_since_ms, when, sizeof when);
		json_object_set_new(o, "step_since", json_string(when));
	} else {
		json_object_set_new(o, "step_since", json_null());
	}
	json_object_set_new(
	    o, "age_in_step_s",
	    json_integer(since > 0 && now_ms > since ? (now_ms - since) / 1000 : 0));
	state_iso_time(r->changed_ms, when, sizeof when);
	json_object_set_new(o, "saved_at", json_string(when));
	json_object_set_new(o, "holdup", r->diag[0] ? json_string(r->diag) : json_null());
	json_object_set_new(o, "records", json_integer((json_int_t)r->records));
	json_object_set_new(o, "verified", json_integer((json_int_t)r->verified));
	json_object_set_new(o, "done", json_boolean(r->done));
	json_object_set_new(o, "stuck", json_boolean(r->stuck));
	return o;
}

static void list_text(const struct status_row *rows, size_t n, size_t stuck,
		      const struct status_opts *o, int64_t now_ms, struct buf *out)
{
	char cell[64];
	size_t i;
	/* 20 + 4 + 11 + 8 + 8 + 29 = 80 columns */
	buf_printf(out, "%-20s%-4s%-11s%-8s%-8s%s\n", "CUSTOMER", "OPT", "STEP", "IN STEP",
		   "RECORDS", "HELD UP BY");
	for (i = 0; i < n; i++) {
		const struct status_row *r = &rows[i];
		put_cell(out, r->customer, 19, true);
		buf_append(out, " ", 1);
		snprintf(cell, sizeof cell, "%d", (int)r->option);
		put_cell(out, r->option == OPTION_NONE ? "-" : cell, 4, true);
		put_cell(out, wizard_step_word(r->step), 11, true);
		status_format_age(now_ms - status_row_since(r), cell, sizeof cell);
		put_cell(out, cell, 8, true);
		if (r->records)
			snprintf(cell, sizeof cell, "%zu/%zu", r->verified, r->records);
		else
			str_copy(cell, sizeof cell, "-");
		put_cell(out, cell, 8, true);
		snprintf(cell, sizeof cell, "%s%s", r->diag[0] ? r->diag : "-",
			 r->stuck ? " STUCK" : "");
		put_cell(out, cell, 29, false);
		buf_append(out, "\n", 1);
	}
	status_format_age(o->cfg.stuck_after_ms, cell, sizeof cell);
	buf_printf(out, "%zu customer%s, %zu stuck (the same step with a hold-up for over %s)\n", n,
		   n == 1 ? "" : "s", stuck, cell);
}

int cmd_list(int argc, char **argv)
{
	struct status_opts *o = xcalloc(1, sizeof *o);
	struct status_row *rows = NULL;
	json_t *skipped = json_array();
	struct buf out = {0};
	size_t n, i, kept = 0, stuck = 0;
	int64_t now = clock_wall_ms();
	int status = status_parse(argc, argv, true, o);

	if (status >= 0)
		goto done;
	n = status_list_read(o->cfg.state_dir, &o->cfg, &rows, skipped, false);
	status_rows_rank(rows, n, now, o->cfg.stuck_after_ms);
	for (i = 0; i < n; i++) {
		const struct status_row *r = &rows[i];
		if ((o->stuck && !r->stuck) || (o->option && (int)r->option != o->option) ||
		    (o->since_ms && now - r->changed_ms > o->since_ms))
			continue;
		stuck += r->stuck;
		rows[kept++] = *r;
	}
	if (o->json) {
		json_t *root = json_object(), *arr = json_array();
		char *s, when[32];
		for (i = 0; i < kept; i++)
			json_array_append_new(arr, list_row_json(&rows[i], now));
		json_object_set_new(root, "version", json_integer(STATUS_JSON_VERSION));
		state_iso_time(now, when, sizeof when);
		json_object_set_new(root, "generated_at", json_string(when));
		json_object_set_new(root, "stuck_after_s",
				    json_integer((json_int_t)(o->cfg.stuck_after_ms / 1000)));
		json_object_set_new(root, "customers", arr);
		json_object_set_new(root, "skipped", json_incref(skipped));
		s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(root);
	} else {
		list_text(rows, kept, stuck, o, now, &out);
		fputs(out.data ? out.data : "", stdout);
	}
	status = fflush(stdout) == 0 ? STATUS_EXIT_OK : STATUS_EXIT_FAILED;
done:
	json_decref(skipped);
	buf_free(&out);
	free(rows);
	free(o);
	return status;
}
