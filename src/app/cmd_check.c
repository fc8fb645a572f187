/* behalf check: live DNS verification without the UI (DESIGN.md "Command
 * line").  Reads the records JSON, runs the live engine (src/dns/engine.h)
 * in the application's event loop (src/core/loop.h), prints the verdict (text or JSON) and
 * exits 0 (all required records verified), 1 (not yet), 2 (usage or
 * configuration error) or 3 (DNS unreachable).  --watch checks again every
 * CHECK_WATCH_MS and prints one JSON object per line whenever a status
 * changes.  With JSON output, exit 3 prints an object too ("error":
 * "dns-unreachable" or "nameservers-not-found"), so stdout always parses. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/dnshost.h"
#include "core/loop.h"
#include "core/records_json.h"
#include "core/sanitize.h"
#include "core/text.h"
#include "dns/engine.h"

#define CHECK_MAX_RECORDS 16
#define CHECK_MAX_SERVERS 16		/* --resolver / --authoritative given */
#define CHECK_FILE_MAX	  (1024 * 1024) /* a records file, at most */
#define CHECK_WATCH_MS	  1000		/* --watch: a check starts every second */
#define CHECK_SEEN_SHOWN  72		/* characters of a value seen, in text output */

enum check_exit {
	CHECK_EXIT_VERIFIED = 0,
	CHECK_EXIT_NOT_YET = 1,
	CHECK_EXIT_USAGE = 2,
	CHECK_EXIT_UNREACHABLE = 3,
};

/* The command line. */
struct check_opts {
	const char *records_path;
	const char *resolvers[CHECK_MAX_SERVERS];
	size_t nresolvers;
	const char *auth[CHECK_MAX_SERVERS];
	size_t nauth;
	bool json, watch;
	long timeout_s; /* --watch: 0 waits for ever */
};

/* One run: the records and the last verdict. */
struct check_run {
	struct dns_source *dns;
	struct loop loop; /* the event loop, dns its one source */
	char domain[RECORD_NAME_MAX];
	struct expected_record records[CHECK_MAX_RECORDS];
	size_t n;
	bool busy;		       /* a check is under way */
	bool got;		       /* a verdict came since last looked */
	enum bh_err err;	       /* the last check's */
	struct record_result *results; /* malloced, n; the last verdict */
	struct record_result *prev;    /* malloced, n; the verdict printed last */
	bool have_prev;
	char host[64]; /* DNS host id, or "" */
};

static void check_usage(FILE *out)
{
	fputs(text_get("check.usage"), out);
	fputc('\n', out);
}

/* True when no authoritative server answered any record's questions (a
 * resolver may have): the DNS is unreachable for what check is about. */
static bool check_all_failed(const struct check_run *run)
{
	size_t i;
	for (i = 0; i < run->n; i++)
		if (run->results[i].nservers == 0 ||
		    run->results[i].nfailed < run->results[i].nservers)
			return false;
	return run->n > 0;
}

/* The engine's callback: keeps a copy of the verdict. */
static void check_done(void *arg, enum bh_err err, const struct record_result *results, size_t n,
		       const char *dns_host)
{
	struct check_run *run = arg;
	run->busy = false;
	run->got = true;
	run->err = err;
	if (results && n == run->n)
		memcpy(run->results, results, n * sizeof *results);
	else
		memset(run->results, 0, run->n * sizeof *run->results);
	if (!run->err && check_all_failed(run))
		run->err = BH_ERR_NETWORK; /* exit 3, as when nothing answered */
	str_copy(run->host, sizeof run->host, dns_host ? dns_host : "");
}

/* True when every required record is verified. */
static bool check_verified(const struct check_run *run)
{
	size_t i;
	for (i = 0; i < run->n; i++)
		if (run->records[i].required && run->results[i].status != STATUS_VERIFIED)
			return false;
	return true;
}

/* True when a status (overall, per server) or a diagnosis changed since the
 * verdict printed last. */
static bool check_changed(const struct check_run *run)
{
	size_t i, j;
	if (!run->have_prev)
		return true;
	for (i = 0; i < run->n; i++) {
		const struct record_result *a = &run->results[i], *b = &run->prev[i];
		if (a->status != b->status || a->nservers != b->nservers ||
		    a->ndiagnoses != b->ndiagnoses)
			return true;
		for (j = 0; j < a->nservers && j < RECORD_MAX_SERVERS; j++)
			if (a->per_server[j] != b->per_server[j])
				return true;
		for (j = 0; j < a->ndiagnoses && j < RECORD_MAX_DIAGNOSES; j++)
			if (a->diagnoses[j].code != b->diagnoses[j].code)
				return true;
	}
	return false;
}

/* ---- output ---- */

/* A sanitized JSON string. */
static json_t *check_jstr(const char *s)
{
	char clean[RECORD_VALUE_MAX * 2];
	sanitize_text(s ? s : "", clean, sizeof clean);
	return json_string(clean);
}

/* The message for a check that ended in err. */
static const char *check_err_text(enum bh_err err)
{
	return err == BH_ERR_NOT_FOUND ? text_get("check.not_found")
				       : text_get("check.unreachable");
}

/* The verdict as one line of JSON (DESIGN.md "check --json result").  When
 * the check ended in an error (exit 3) the object says so ("error", a
 * stable word, and "message") and every record has status "error", so
 * that stdout always parses. */
static void check_print_json(const struct check_run *run)
{
	json_t *root = json_object(), *records = json_array();
	char sentence[RECORD_VALUE_MAX * 2], fix[RECORD_VALUE_MAX * 2];
	size_t i, j;
	char *text;

	json_object_set_new(root, "domain", check_jstr(run->domain));
	json_object_set_new(root, "verified", json_boolean(!run->err && check_verified(run)));
	json_object_set_new(root, "zone", check_jstr(dns_engine_zone(run->dns)));
	json_object_set_new(root, "dns_host", check_jstr(run->host));
	if (run->err) {
		json_object_set_new(root, "error",
				    json_string(run->err == BH_ERR_NOT_FOUND
						    ? "nameservers-not-found"
						    : "dns-unreachable"));
		json_object_set_new(root, "message", check_jstr(check_err_text(run->err)));
	}
	for (i = 0; i < run->n; i++) {
		const struct expected_record *rec = &run->records[i];
		const struct record_result *res = &run->results[i];
		json_t *o = json_object(), *diags = json_array(), *ns = json_array();
		json_object_set_new(o, "purpose", json_string(record_purpose_word(rec->purpose)));
		json_object_set_new(o, "type", json_string(record_type_word(rec->type)));
		json_object_set_new(o, "name", check_jstr(rec->name));
		json_object_set_new(o, "required", json_boolean(rec->required));
		json_object_set_new(
		    o, "status",
		    json_string(record_status_word(run->err ? STATUS_ERROR : res->status)));
		for (j = 0; j < res->ndiagnoses; j++) {
			json_t *d = json_object();
			record_diag_text(&res->diagnoses[j], run->host, sentence, sizeof sentence,
					 fix, sizeof fix);
			json_object_set_new(d, "code",
					    json_string(record_diag_code(res->diagnoses[j].code)));
			json_object_set_new(d, "message", check_jstr(sentence));
			json_object_set_new(d, "fix", check_jstr(fix));
			json_array_append_new(diags, d);
		}
		for (j = 0; j < res->nservers; j++) {
			json_t *s = json_object();
			json_object_set_new(s, "name", check_jstr(res->servers[j]));
			json_object_set_new(s, "address", check_jstr(res->addresses[j]));
			json_object_set_new(s, "status",
					    json_string(record_status_word(res->per_server[j])));
			json_object_set_new(s, "answer", check_jstr(res->seen[j]));
			json_array_append_new(ns, s);
		}
		json_object_set_new(o, "diagnoses", diags);
		json_object_set_new(o, "nameservers", ns);
		json_array_append_new(records, o);
	}
	json_object_set_new(root, "records", records);
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
		free(text);
	}
	fflush(stdout);
	json_decref(root);
}

/* A value seen, cut for a line of text. */
static void check_short(const char *in, char *out, size_t cap)
{
	size_t n;
	sanitize_text(in, out, cap);
	n = strlen(out);
	if (n > CHECK_SEEN_SHOWN && cap > CHECK_SEEN_SHOWN + 4) {
		/* Cut on a character boundary (UTF-8 continuation bytes are 10xxxxxx). */
		n = CHECK_SEEN_SHOWN;
		while (n && ((unsigned char)out[n] & 0xc0) == 0x80)
			n--;
		memcpy(out + n, "...", 4);
	}
}

/* The verdict for people. */
static void check_print_text(const struct check_run *run)
{
	char line[RECORD_VALUE_MAX * 3], sentence[RECORD_VALUE_MAX * 2], fix[RECORD_VALUE_MAX * 2];
	char seen[RECORD_VALUE_MAX], count[16], total[16];
	const struct dnshost *host = *run->host ? dnshost_find(run->host) : NULL;
	size_t i, j, required = 0, verified = 0;

	if (host)
		text_fmt(line, sizeof line, "check.zone", dns_engine_zone(run->dns),
			 dnshost_name(host), NULL);
	else
		text_fmt(line, sizeof line, "check.zone_unknown_host", dns_engine_zone(run->dns),
			 NULL, NULL);
	sanitize_text(line, sentence, sizeof sentence);
	printf("%s\n\n", sentence);
	for (i = 0; i < run->n; i++) {
		const struct expected_record *rec = &run->records[i];
		const struct record_result *res = &run->results[i];
		const char *args[4];
		char purpose[64];
		snprintf(purpose, sizeof purpose, "check.purpose_%s",
			 record_purpose_word(rec->purpose));
		args[0] = text_get(purpose);
		args[1] = record_type_word(rec->type);
		args[2] = rec->name;
		args[3] = record_status_text(res->status);
		text_format(line, sizeof line, text_get("check.record"), args, 4);
		sanitize_text(line, sentence, sizeof sentence);
		printf("%s%s%s\n", sentence, rec->required ? "" : " ",
		       rec->required ? "" : text_get("check.optional"));
		for (j = 0; j < res->nservers; j++) {
			/* A server named by its address is shown once. */
			bool named = strcmp(res->servers[j], res->addresses[j]) != 0;
			const char *sargs[4] = {res->servers[j], res->addresses[j],
						record_status_word(res->per_server[j]), seen};
			check_short(res->seen[j], seen, sizeof seen);
			snprintf(purpose, sizeof purpose, "check.server%s%s", named ? "" : "_addr",
				 *seen ? "_seen" : "");
			if (!named) {
				sargs[1] = sargs[2];
				sargs[2] = sargs[3];
			}
			text_format(line, sizeof line, text_get(purpose), sargs, 4);
			sanitize_text(line, sentence, sizeof sentence);
			printf("    %s\n", sentence);
		}
		for (j = 0; j < res->ndiagnoses; j++) {
			record_diag_text(&res->diagnoses[j], run->host, line, sizeof line, fix,
					 sizeof fix);
			sanitize_text(line, sentence, sizeof sentence);
			printf("  ! %s\n", sentence);
			text_fmt(line, sizeof line, "check.fix", fix, NULL, NULL);
			sanitize_text(line, sentence, sizeof sentence);
			printf("    %s\n", sentence);
		}
		if (rec->required) {
			required++;
			verified += res->status == STATUS_VERIFIED;
		}
	}
	snprintf(count, sizeof count, "%zu", verified);
	snprintf(total, sizeof total, "%zu", required);
	if (verified == required)
		text_fmt(line, sizeof line, "check.all_verified", run->domain, NULL, NULL);
	else
		text_fmt(line, sizeof line, "check.summary", run->domain, count, total);
	sanitize_text(line, sentence, sizeof sentence);
	printf("\n%s\n", sentence);
	fflush(stdout);
}

/* ---- the loop ---- */

/* Waits for the engine's descriptors or timers, or until wake_ms (0: no
 * limit), and dispatches: the application's one loop, with one source. */
static void check_wait(struct check_run *run, int64_t wake_ms)
{
	loop_turn(&run->loop, wake_ms);
}

/* Starts a check; false (with a message) when the engine refuses. */
static bool check_start(struct check_run *run)
{
	enum bh_err err =
	    run->dns->ops->check(run->dns, run->domain, run->records, run->n, check_done, run);
	if (err) {
		fprintf(stderr, "behalf check: %s\n", bh_strerror(err));
		return false;
	}
	run->busy = true;
	return true;
}

/* One check, printed. */
static int check_once(struct check_run *run, bool json)
{
	if (!check_start(run))
		return CHECK_EXIT_UNREACHABLE;
	while (run->busy)
		check_wait(run, 0);
	if (run->err && run->err != BH_ERR_NETWORK && run->err != BH_ERR_NOT_FOUND)
		fprintf(stderr, "behalf check: %s\n", bh_strerror(run->err));
	if (run->err) {
		fprintf(stderr, "behalf check: %s\n", check_err_text(run->err));
		if (json)
			check_print_json(run);
		return CHECK_EXIT_UNREACHABLE;
	}
	if (json)
		check_print_json(run);
	else
		check_print_text(run);
	return check_verified(run) ? CHECK_EXIT_VERIFIED : CHECK_EXIT_NOT_YET;
}

/* --watch: checks every CHECK_WATCH_MS until verified or the timeout. */
static int check_watch(struct check_run *run, long timeout_s)
{
	int64_t start = clock_now_ms(), next = start;
	int64_t end = timeout_s > 0 ? start + (int64_t)timeout_s * 1000 : 0;
	bool ever_answered = false;

	for (;;) {
		int64_t now = clock_now_ms();
		if (end && now >= end)
			break;
		if (!run->busy && now >= next) {
			if (!check_start(run))
				return CHECK_EXIT_UNREACHABLE;
			/* Starts are paced, not the gaps: a slow check is
			 * followed at once by the next. */
			next = now + CHECK_WATCH_MS;
		}
		check_wait(run, run->busy ? end : (end && end < next ? end : next));
		if (!run->got)
			continue;
		run->got = false;
		if (run->err) {
			fprintf(stderr, "behalf check: %s\n", check_err_text(run->err));
			continue;
		}
		ever_answered = true;
		if (check_changed(run)) {
			check_print_json(run);
			memcpy(run->prev, run->results, run->n * sizeof *run->results);
			run->have_prev = true;
		}
		if (check_verified(run))
			return CHECK_EXIT_VERIFIED;
	}
	if (ever_answered)
		return CHECK_EXIT_NOT_YET;
	/* Never an answer: the last error as the one line (exit 3), said on
	 * stderr too when no check ended before the timeout. */
	if (!run->err) {
		run->err = BH_ERR_NETWORK;
		fprintf(stderr, "behalf check: %s\n", check_err_text(run->err));
	}
	check_print_json(run);
	return CHECK_EXIT_UNREACHABLE;
}

/* ---- the command ---- */

/* Reads the records file into run; false with a message printed. */
static bool check_load(struct check_run *run, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {.limit = CHECK_FILE_MAX};
	char chunk[4096], msg[512];
	size_t got;
	enum bh_err err = BH_OK;

	if (!f) {
		fprintf(stderr, "behalf check: %s: %s\n", path, strerror(errno));
		return false;
	}
	while (err == BH_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		err = buf_append(&b, chunk, got);
	if (ferror(f) && err == BH_OK)
		err = BH_ERR_IO;
	fclose(f);
	if (err) {
		fprintf(stderr, "behalf check: %s: %s\n", path,
			err == BH_ERR_TOO_LARGE ? "file too large" : bh_strerror(err));
		buf_free(&b);
		return false;
	}
	err = records_json_parse(b.data ? b.data : "", b.len, run->domain, sizeof run->domain,
				 run->records, CHECK_MAX_RECORDS, &run->n, msg, sizeof msg);
	buf_free(&b);
	if (err) {
		char clean[sizeof msg];
		sanitize_text(msg, clean, sizeof clean);
		fprintf(stderr, "behalf check: %s: %s\n", path, clean);
		return false;
	}
	/* Nothing to check is not "every record verified": a usage error. */
	if (run->n == 0) {
		text_fmt(msg, sizeof msg, "check.no_records", path, NULL, NULL);
		fprintf(stderr, "behalf check: %s\n", msg);
		return false;
	}
	return true;
}

/* Parses the command line into o; an exit status, or -1 to go on. */
static int check_parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
	    {"records", required_argument, NULL, 'r'},
	    {"resolver", required_argument, NULL, 'R'},
	    {"authoritative", required_argument, NULL, 'a'},
	    {"json", no_argument, NULL, 'j'},
	    {"watch", no_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool timeout_given = false;
	int c;
	char *end;

	memset(o, 0, sizeof *o);
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->records_path = optarg;
			break;
		case 'R':
		case 'a':
			if ((c == 'R' ? o->nresolvers : o->nauth) == CHECK_MAX_SERVERS) {
				fprintf(stderr, "behalf check: at most %d --%s\n",
					CHECK_MAX_SERVERS, c == 'R' ? "resolver" : "authoritative");
				return CHECK_EXIT_USAGE;
			}
			if (c == 'R')
				o->resolvers[o->nresolvers++] = optarg;
			else
				o->auth[o->nauth++] = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'w':
			o->watch = true;
			break;
		case 't':
			errno = 0;
			o->timeout_s = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || o->timeout_s <= 0 ||
			    o->timeout_s > 7 * 24 * 3600) {
				fprintf(stderr,
					"behalf check: --timeout wants seconds (1 or more)\n");
				return CHECK_EXIT_USAGE;
			}
			timeout_given = true;
			break;
		case 'h':
			check_usage(stdout);
			return CHECK_EXIT_VERIFIED;
		default:
			return cli_option_error(c, argv, "check.usage", "check.unknown_option",
						"check.missing_value");
		}
	}
	if (optind < argc)
		return cli_usage_error("check.usage", "check.unexpected", argv[optind]);
	if (!o->records_path) {
		fprintf(stderr, "behalf check: --records FILE.json is required\n");
		check_usage(stderr);
		return CHECK_EXIT_USAGE;
	}
	if (timeout_given && !o->watch) {
		fprintf(stderr, "behalf check: --timeout goes with --watch\n");
		return CHECK_EXIT_USAGE;
	}
	return -1;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o;
	struct check_run *run;
	struct dns_engine_config cfg;
	char msg[256];
	int rc = check_parse_args(argc, argv, &o);

	if (rc >= 0)
		return rc;
	run = xcalloc(1, sizeof *run);
	if (!check_load(run, o.records_path)) {
		free(run);
		return CHECK_EXIT_USAGE;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.resolvers = o.resolvers;
	cfg.nresolvers = o.nresolvers;
	cfg.authoritative = o.auth;
	cfg.nauthoritative = o.nauth;
	run->dns = dns_engine_create(&cfg, msg, sizeof msg);
	if (!run->dns) {
		fprintf(stderr, "behalf check: %s\n", msg);
		free(run);
		return CHECK_EXIT_USAGE;
	}
	loop_init(&run->loop);
	loop_add(&run->loop, &run->dns->ops->source, run->dns);
	run->results = xcalloc(run->n ? run->n : 1, sizeof *run->results);
	run->prev = xcalloc(run->n ? run->n : 1, sizeof *run->prev);
	if (o.watch)
		rc = check_watch(run, o.timeout_s);
	else
		rc = check_once(run, o.json);
	run->dns->ops->destroy(run->dns);
	free(run->results);
	free(run->prev);
	free(run);
	dnshost_free();
	return rc;
}
