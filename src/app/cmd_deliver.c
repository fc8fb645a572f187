/* behalf deliver: sends the outbox's events (app/events.h) to the vendor,
 * at least once, in order per customer (docs/events.md).
 *
 * Each event is POSTed to [hooks] url, signed per Standard Webhooks
 * (webhook-id: the event's id, the same on every try; webhook-timestamp;
 * webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body"> with the
 * key of [hooks] secret_file's whsec_<base64>), or given on stdin to
 * [hooks] command.  A 2xx (exit 0) delivers it: the customer's cursor moves
 * past it.  A failure holds that customer only: the next try comes after a
 * wait doubling from retry_first_ms to retry_max_ms; after give_up_after
 * seconds of failing the event goes to the customer's dead-letter file and
 * the next one is tried.
 *
 * One deliver at a time (outbox/deliver.lock).  As a service it waits on
 * inotify for appends, and on the earliest retry, in one poll(): no busy
 * CPU.  Every scan_seconds it also looks at every outbox (a missed inotify
 * event) and every scan_seconds * 5 at the customers' state files, to say
 * verification.pending once for a customer 72 h on the records screen. */
#define _GNU_SOURCE /* pidfd, O_CLOEXEC */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/events.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/fileio.h"
#include "core/sanitize.h"
#include "core/state.h"
#include "core/text.h"

#define DELIVER_BATCH	    100 /* events of one customer before the next gets a turn */
#define DELIVER_KEY_MAX	    64
#define DELIVER_ERROR_MAX   200
#define DELIVER_READ_MAX    (4 * EVENTS_LINE_MAX)
#define DELIVER_REPLY_MAX   4096
#define DELIVER_PENDING_MUL 5 /* state files are read every scan_seconds * this */

/* One customer's outbox and how far it was delivered. */
struct dcust {
	char name[RESOURCE_ID_MAX];
	int64_t offset;	       /* bytes of the outbox delivered (or dead) */
	int attempts;	       /* failed tries of the event at offset */
	int64_t first_fail_ms; /* wall ms of its first failure, 0 none */
	int64_t retry_at;      /* monotonic ms of the next try, 0 now */
	char last_error[DELIVER_ERROR_MAX];
	bool wake; /* inotify saw an append */
};

struct deliver {
	struct config cfg;
	char dir[1100]; /* the outbox */
	unsigned char key[DELIVER_KEY_MAX];
	size_t keylen;
	CURL *curl;
	struct curl_slist *headers;
	struct dcust *c;
	size_t n, cap;
	bool once;
	size_t delivered, failed, dead;
};

static volatile sig_atomic_t deliver_stop;

static void deliver_on_signal(int sig)
{
	(void)sig;
	deliver_stop = 1;
}

static int deliver_usage(void)
{
	fprintf(stderr, "%s\n", text_get("deliver.usage"));
	return 2;
}

/* ---- the secret ---------------------------------------------------------- */

/* Reads whsec_<base64> from path (mode 600 or stricter, else refused):
 * the key is the decoded bytes.  The secret is never printed. */
static bool deliver_read_secret(struct deliver *d, const char *path, char *msg, size_t cap)
{
	struct stat st;
	struct buf b = {.limit = 4096};
	unsigned char raw[3 * 4096 / 4 + 4];
	char *s, *e;
	int n, pad = 0;
	bool ok = false;
	if (stat(path, &st) != 0) {
		snprintf(msg, cap, "cannot read [hooks] secret_file %.300s: %s", path,
			 strerror(errno));
		return false;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(msg, cap,
			 "[hooks] secret_file %.300s is readable by others (mode %03o): "
			 "chmod 600 it",
			 path, (unsigned)(st.st_mode & 0777));
		return false;
	}
	if (state_read_file(path, 4096, &b) != BH_OK) {
		snprintf(msg, cap, "cannot read [hooks] secret_file %.300s", path);
		return false;
	}
	s = b.data ? b.data : "";
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	*e = '\0';
	if (strncmp(s, "whsec_", 6) != 0 || (e - s - 6) % 4 != 0 || e - s - 6 == 0) {
		snprintf(msg, cap, "[hooks] secret_file %.300s does not hold whsec_<base64>", path);
		goto out;
	}
	s += 6;
	if (e - s >= 1 && e[-1] == '=')
		pad++;
	if (e - s >= 2 && e[-2] == '=')
		pad++;
	n = EVP_DecodeBlock(raw, (const unsigned char *)s, (int)(e - s));
	if (n < 0 || n - pad <= 0 || (size_t)(n - pad) > sizeof d->key) {
		snprintf(msg, cap, "[hooks] secret_file %.300s does not hold whsec_<base64>", path);
		goto out;
	}
	d->keylen = (size_t)(n - pad);
	memcpy(d->key, raw, d->keylen);
	ok = true;
out:
	OPENSSL_cleanse(raw, sizeof raw);
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
	return ok;
}

/* ---- one customer's cursor ------------------------------------------------ */

static void deliver_cursor_load(struct deliver *d, struct dcust *c)
{
	char path[1200];
	struct buf b = {.limit = 8192};
	json_t *o;
	snprintf(path, sizeof path, "%s/%s.cursor", d->dir, c->name);
	if (state_read_file(path, 8192, &b) != BH_OK) {
		buf_free(&b);
		return;
	}
	o = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
	buf_free(&b);
	if (!o)
		return;
	c->offset = json_integer_value(json_object_get(o, "offset"));
	c->attempts = (int)json_integer_value(json_object_get(o, "attempts"));
	c->first_fail_ms = json_integer_value(json_object_get(o, "first_failure_ms"));
	str_copy(c->last_error, sizeof c->last_error,
		 json_string_value(json_object_get(o, "last_error"))
		     ? json_string_value(json_object_get(o, "last_error"))
		     : "");
	if (c->offset < 0)
		c->offset = 0;
	json_decref(o);
}

/* The cursor is replaced atomically (rename), so a kill -9 leaves the one
 * before or the one after: an event is at worst delivered again, never
 * skipped.  durable: fsynced too (file_replace), so that a power loss
 * rolls back by at most a batch; done at the end of each customer's turn,
 * not after each event (the drain would wait on the disk). */
static void deliver_cursor_save(struct deliver *d, const struct dcust *c, bool durable)
{
	char name[RESOURCE_ID_MAX + 16], msg[256], path[1200], tmp[1300];
	json_t *o = json_pack("{s:I, s:i, s:I, s:s}", "offset", (json_int_t)c->offset, "attempts",
			      c->attempts, "first_failure_ms", (json_int_t)c->first_fail_ms,
			      "last_error", c->last_error);
	char *text = json_dumps(o, JSON_COMPACT);
	bool ok = text != NULL;
	int fd;
	json_decref(o);
	snprintf(name, sizeof name, "%s.cursor", c->name);
	if (ok && durable) {
		ok = file_replace(d->dir, name, text, strlen(text), 0600, msg, sizeof msg) == BH_OK;
	} else if (ok) {
		snprintf(path, sizeof path, "%s/%s", d->dir, name);
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		ok = fd >= 0 && file_write_all(fd, text, strlen(text));
		if (fd >= 0)
			close(fd);
		ok = ok && rename(tmp, path) == 0;
		snprintf(msg, sizeof msg, "%s", strerror(errno));
	}
	if (!ok)
		fprintf(stderr, "behalf deliver: %s: cannot save the cursor: %s\n", c->name,
			text ? msg : "out of memory");
	free(text);
}

static struct dcust *deliver_find(struct deliver *d, const char *name, bool add)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		if (strcmp(d->c[i].name, name) == 0)
			return &d->c[i];
	if (!add)
		return NULL;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->c = xrealloc(d->c, d->cap * sizeof *d->c);
	}
	memset(&d->c[d->n], 0, sizeof d->c[d->n]);
	str_copy(d->c[d->n].name, sizeof d->c[d->n].name, name);
	deliver_cursor_load(d, &d->c[d->n]);
	d->c[d->n].wake = true;
	return &d->c[d->n++];
}

/* "<customer>.jsonl" (not a dead-letter file): the customer, else false. */
static bool deliver_outbox_name(const char *file, char *customer, size_t cap)
{
	size_t len = strlen(file);
	if (len <= 6 || strcmp(file + len - 6, ".jsonl") != 0)
		return false;
	if (len > 11 && strcmp(file + len - 11, ".dead.jsonl") == 0)
		return false;
	if (len - 6 >= cap)
		return false;
	memcpy(customer, file, len - 6);
	customer[len - 6] = '\0';
	return state_customer_id_ok(customer);
}

/* Every outbox in the directory is known, and each is looked at again. */
static void deliver_scan(struct deliver *d)
{
	DIR *dh = opendir(d->dir);
	struct dirent *e;
	char name[RESOURCE_ID_MAX];
	if (!dh)
		return;
	while ((e = readdir(dh)) != NULL)
		if (deliver_outbox_name(e->d_name, name, sizeof name))
			deliver_find(d, name, true)->wake = true;
	closedir(dh);
}

/* ---- sending ------------------------------------------------------------ */

static size_t deliver_discard(char *p, size_t size, size_t n, void *ud)
{
	size_t *got = ud;
	(void)p;
	*got += size * n;
	return *got > DELIVER_REPLY_MAX ? 0 : size * n; /* a reply is not read */
}

/* The Standard Webhooks signature of id.ts.body: "v1,<base64>". */
static void deliver_sign(const struct deliver *d, const char *id, const char *ts, const char *body,
			 char *out, size_t cap)
{
	unsigned char mac[EVP_MAX_MD_SIZE], b64[4 * EVP_MAX_MD_SIZE / 3 + 8];
	unsigned int maclen = 0;
	struct buf signed_text = {.limit = 2 * EVENTS_LINE_MAX};
	if (buf_printf(&signed_text, "%s.%s.%s", id, ts, body) != BH_OK ||
	    !HMAC(EVP_sha256(), d->key, (int)d->keylen, (const unsigned char *)signed_text.data,
		  signed_text.len, mac, &maclen))
		maclen = 0;
	buf_free(&signed_text);
	EVP_EncodeBlock(b64, mac, (int)maclen);
	snprintf(out, cap, "v1,%s", (const char *)b64);
	OPENSSL_cleanse(mac, sizeof mac);
}

/* POSTs body to [hooks] url: true on a 2xx. */
static bool deliver_http(struct deliver *d, const char *id, const char *body, char *err, size_t cap)
{
	char ts[32], h_id[80], h_ts[64], sig[160], h_sig[200];
	struct curl_slist *h = NULL;
	long code = 0;
	size_t got = 0;
	CURLcode rc;
	snprintf(ts, sizeof ts, "%lld", (long long)(clock_wall_ms() / 1000));
	deliver_sign(d, id, ts, body, sig, sizeof sig);
	snprintf(h_id, sizeof h_id, "webhook-id: %s", id);
	snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %s", ts);
	snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "User-Agent: behalf-deliver");
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, h_id);
	h = curl_slist_append(h, h_ts);
	h = curl_slist_append(h, h_sig);
	curl_easy_setopt(d->curl, CURLOPT_URL, d->cfg.hooks.url);
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT_MS, d->cfg.hooks.timeout_ms);
	curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT_MS, d->cfg.hooks.timeout_ms);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, deliver_discard);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &got);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(d->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	rc = curl_easy_perform(d->curl);
	curl_slist_free_all(h);
	if (rc == CURLE_WRITE_ERROR)
		rc = CURLE_OK; /* a long reply: its status is what counts */
	if (rc != CURLE_OK) {
		snprintf(err, cap, "%s", curl_easy_strerror(rc));
		return false;
	}
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		snprintf(err, cap, "HTTP %ld", code);
		return false;
	}
	return true;
}

/* Runs [hooks] command with the body on stdin (and WEBHOOK_ID,
 * WEBHOOK_TIMESTAMP in its environment): true when it exits 0 in time. */
static bool deliver_command(struct deliver *d, const char *id, const char *body, char *err,
			    size_t cap)
{
	int in[2], status = 0, pidfd;
	pid_t pid;
	char ts[32];
	struct pollfd p;
	snprintf(ts, sizeof ts, "%lld", (long long)(clock_wall_ms() / 1000));
	if (pipe2(in, O_CLOEXEC) != 0) {
		snprintf(err, cap, "pipe: %s", strerror(errno));
		return false;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, cap, "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return false;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		setenv("WEBHOOK_ID", id, 1);
		setenv("WEBHOOK_TIMESTAMP", ts, 1);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", d->cfg.hooks.command, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	if (!file_write_all(in[1], body, strlen(body)) && errno != EPIPE)
		snprintf(err, cap, "cannot write to the command: %s", strerror(errno));
	close(in[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		p.fd = pidfd;
		p.events = POLLIN;
		if (poll(&p, 1, (int)d->cfg.hooks.timeout_ms) == 0)
			kill(pid, SIGKILL);
		close(pidfd);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status))
		snprintf(err, cap, "the command exited %d", WEXITSTATUS(status));
	else
		snprintf(err, cap, "the command was stopped (signal %d or timeout)",
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return false;
}

/* The wait before try attempts+1: retry_first_ms doubling, at most
 * retry_max_ms, a tenth of random spread so that customers spread out. */
static int64_t deliver_backoff(const struct deliver *d, int attempts)
{
	int64_t wait = d->cfg.hooks.retry_first_ms;
	int i;
	for (i = 1; i < attempts && wait < d->cfg.hooks.retry_max_ms; i++)
		wait *= 2;
	if (wait > d->cfg.hooks.retry_max_ms)
		wait = d->cfg.hooks.retry_max_ms;
	return wait + (int64_t)(random() % (wait / 10 + 1));
}

/* Puts line in the customer's dead-letter file (fsynced). */
static bool deliver_bury(struct deliver *d, const struct dcust *c, const char *line, size_t len)
{
	char path[1200];
	int fd;
	bool ok;
	snprintf(path, sizeof path, "%s/%s.dead.jsonl", d->dir, c->name);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	ok = file_write_all(fd, line, len) && fsync(fd) == 0;
	close(fd);
	return ok;
}

/* One event: sent, or failed (and perhaps given up on).  True when the
 * cursor moved past it. */
static bool deliver_event(struct deliver *d, struct dcust *c, const char *line, size_t len)
{
	char id[EVENTS_ID_MAX], err[DELIVER_ERROR_MAX] = "";
	char *body = events_body(line, len - 1, id, sizeof id);
	bool ok;
	int64_t wall = clock_wall_ms();
	if (!body) { /* a torn line of a crash mid-append: never an event */
		fprintf(stderr, "behalf deliver: %s: skipped a line that is no event\n", c->name);
		c->offset += (int64_t)len;
		deliver_cursor_save(d, c, false);
		return true;
	}
	ok = d->cfg.hooks.command[0] ? deliver_command(d, id, body, err, sizeof err)
				     : deliver_http(d, id, body, err, sizeof err);
	free(body);
	if (ok) {
		c->offset += (int64_t)len;
		c->attempts = 0;
		c->first_fail_ms = 0;
		c->last_error[0] = '\0';
		c->retry_at = 0;
		d->delivered++;
		deliver_cursor_save(d, c, false);
		return true;
	}
	c->attempts++;
	if (!c->first_fail_ms)
		c->first_fail_ms = wall;
	str_copy(c->last_error, sizeof c->last_error, err);
	if (wall - c->first_fail_ms >= d->cfg.hooks.give_up_s * 1000) {
		if (!deliver_bury(d, c, line, len)) {
			fprintf(stderr, "behalf deliver: %s: cannot write the dead letters\n",
				c->name);
		} else {
			fprintf(stderr, "behalf deliver: %s: gave up on %s after %d tries (%s)\n",
				c->name, id, c->attempts, err);
			c->offset += (int64_t)len;
			c->attempts = 0;
			c->first_fail_ms = 0;
			c->retry_at = 0;
			d->dead++;
			deliver_cursor_save(d, c, false);
			return true;
		}
	}
	c->retry_at = clock_now_ms() + deliver_backoff(d, c->attempts);
	d->failed++;
	deliver_cursor_save(d, c, false);
	return false;
}

/* Once every event of a customer's outbox is delivered and the file is
 * larger than compact_bytes, it is emptied, under its flock so that no
 * append comes between the check and the truncation.  The cursor is set
 * to 0 durably first: a crash between the two sends the delivered events
 * again (same ids), never skips one. */
static void deliver_compact(struct deliver *d, struct dcust *c)
{
	char path[1200];
	struct stat st;
	int fd;
	if (c->offset < d->cfg.hooks.compact_bytes || c->attempts)
		return;
	snprintf(path, sizeof path, "%s/%s.jsonl", d->dir, c->name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX) == 0 && fstat(fd, &st) == 0 && st.st_size == c->offset) {
		c->offset = 0;
		deliver_cursor_save(d, c, true);
		if (ftruncate(fd, 0) != 0 || fsync(fd) != 0)
			fprintf(stderr, "behalf deliver: %s: cannot empty the outbox: %s\n",
				c->name, strerror(errno));
	}
	close(fd);
}

/* Sends the customer's events from the cursor on, in order, up to a
 * batch; stops at the first failure. Returns true when more are waiting. */
static bool deliver_customer(struct deliver *d, struct dcust *c)
{
	char path[1200], *buf;
	int fd, sent = 0;
	ssize_t got;
	bool more = false;
	c->retry_at = 0; /* due now; a failure below sets the next try */
	snprintf(path, sizeof path, "%s/%s.jsonl", d->dir, c->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	{
		struct stat st;
		if (fstat(fd, &st) == 0 && st.st_size < c->offset) {
			/* emptied or replaced by hand: what it holds now is new */
			fprintf(stderr, "behalf deliver: %s: the outbox shrank; from its start\n",
				c->name);
			c->offset = 0;
		}
	}
	buf = xmalloc(DELIVER_READ_MAX + 1);
	while (sent < DELIVER_BATCH && !deliver_stop) {
		char *p, *nl;
		got = pread(fd, buf, DELIVER_READ_MAX, (off_t)c->offset);
		if (got <= 0)
			break;
		buf[got] = '\0';
		p = buf;
		while (sent < DELIVER_BATCH && (nl = memchr(p, '\n', (size_t)(buf + got - p)))) {
			size_t len = (size_t)(nl - p) + 1;
			if (!deliver_event(d, c, p, len))
				goto out;
			sent++;
			p = nl + 1;
		}
		if (p == buf) {
			/* no whole line: an append under way, or a line too long */
			if (got == DELIVER_READ_MAX) {
				fprintf(stderr, "behalf deliver: %s: skipped a line too long\n",
					c->name);
				c->offset += got;
				deliver_cursor_save(d, c, false);
				continue;
			}
			break;
		}
	}
	if (sent == DELIVER_BATCH) {
		struct stat st;
		more = fstat(fd, &st) == 0 && st.st_size > c->offset;
	}
out:
	if (sent || c->attempts)
		deliver_cursor_save(d, c, true);
	free(buf);
	close(fd);
	if (!more)
		deliver_compact(d, c);
	return more;
}

/* One pass over the customers that are due; returns whether some are
 * waiting at once (a batch cut short), so the caller does not sleep. */
static bool deliver_pass(struct deliver *d, bool all)
{
	size_t i;
	bool more = false;
	int64_t now = clock_now_ms();
	for (i = 0; i < d->n && !deliver_stop; i++) {
		struct dcust *c = &d->c[i];
		if (c->retry_at > now)
			continue; /* waiting to try again */
		if (!all && !c->wake && !c->retry_at)
			continue;
		c->wake = false;
		if (deliver_customer(d, c)) {
			c->wake = true;
			more = true;
		}
	}
	return more;
}

/* ---- verification.pending ------------------------------------------------ */

/* Reads every customer's state (without its lock) and says
 * verification.pending for those 72 h on the records screen, once per
 * showing of the records: outbox/<customer>.pending keeps the time of the
 * showing it was said for and when it was said (events_pending_said;
 * written after the event: a crash between the two says it twice, never
 * not at all). */
static void deliver_pending_scan(struct deliver *d)
{
	DIR *dh = opendir(d->cfg.state_dir);
	struct dirent *e;
	struct wizard *w = xmalloc(sizeof *w);
	int64_t now = clock_wall_ms();
	while (dh && (e = readdir(dh)) != NULL && !deliver_stop) {
		char customer[RESOURCE_ID_MAX], msg[512], mark[RESOURCE_ID_MAX + 16], said[32];
		size_t len = strlen(e->d_name);
		struct buf b = {.limit = 64};
		char path[1200];
		int64_t shown;
		json_t *data;
		if (len <= 5 || strcmp(e->d_name + len - 5, ".json") || len - 5 >= sizeof customer)
			continue;
		memcpy(customer, e->d_name, len - 5);
		customer[len - 5] = '\0';
		if (!state_customer_id_ok(customer))
			continue;
		wizard_init(w, NULL);
		if (state_peek(d->cfg.state_dir, customer, w, msg, sizeof msg) != BH_OK)
			continue;
		shown = w->milestones_ms[MILESTONE_RECORDS_SHOWN];
		if (!wizard_pending_due(w, now))
			continue;
		snprintf(path, sizeof path, "%s/%s.pending", d->dir, customer);
		if (state_read_file(path, 64, &b) == BH_OK && b.data &&
		    strtoll(b.data, NULL, 10) == shown) {
			buf_free(&b);
			continue;
		}
		buf_free(&b);
		w->milestones_ms[MILESTONE_PENDING_72H] = now;
		data = events_wizard_data(w, MILESTONE_PENDING_72H, w->domain.ascii);
		if (events_append_at(d->cfg.state_dir, customer, MILESTONE_PENDING_72H,
				     w->domain.ascii, data, now, NULL, msg, sizeof msg) != BH_OK) {
			fprintf(stderr, "behalf deliver: %s: %s\n", customer, msg);
			continue;
		}
		snprintf(mark, sizeof mark, "%s.pending", customer);
		snprintf(said, sizeof said, "%lld %lld\n", (long long)shown, (long long)now);
		if (file_replace(d->dir, mark, said, strlen(said), 0600, msg, sizeof msg))
			fprintf(stderr, "behalf deliver: %s: %s\n", customer, msg);
		deliver_find(d, customer, true)->wake = true;
	}
	if (dh)
		closedir(dh);
	free(w);
}

/* ---- --status ------------------------------------------------------------ */

/* Lines in path from offset on. */
static long deliver_count_lines(const char *path, int64_t offset)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t got;
	long n = 0;
	if (fd < 0)
		return 0;
	while ((got = pread(fd, buf, sizeof buf, (off_t)offset)) > 0) {
		ssize_t i;
		for (i = 0; i < got; i++)
			n += buf[i] == '\n';
		offset += got;
	}
	close(fd);
	return n;
}

static int deliver_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dcust *)a)->name, ((const struct dcust *)b)->name);
}

/* Pending and dead events per customer (those with any). */
static int deliver_status(struct deliver *d)
{
	size_t i;
	long total_pending = 0, total_dead = 0;
	deliver_scan(d);
	qsort(d->c, d->n, sizeof *d->c, deliver_cmp);
	/* 80 columns: a failing customer's last error on a line of its own */
	printf("%-24s %7s %5s %5s  %-20s\n", "CUSTOMER", "PENDING", "DEAD", "TRIES",
	       "FAILING SINCE");
	for (i = 0; i < d->n; i++) {
		struct dcust *c = &d->c[i];
		char path[1200], since[40] = "-";
		long pending, dead;
		snprintf(path, sizeof path, "%s/%s.jsonl", d->dir, c->name);
		pending = deliver_count_lines(path, c->offset);
		snprintf(path, sizeof path, "%s/%s.dead.jsonl", d->dir, c->name);
		dead = deliver_count_lines(path, 0);
		total_pending += pending;
		total_dead += dead;
		if (!pending && !dead)
			continue;
		if (c->first_fail_ms)
			state_iso_time(c->first_fail_ms, since, sizeof since);
		printf("%-24s %7ld %5ld %5d  %-20s\n", c->name, pending, dead, c->attempts, since);
		if (c->last_error[0]) {
			char clean[DELIVER_ERROR_MAX];
			sanitize_text(c->last_error, clean, sizeof clean); /* read from a file */
			printf("  last error: %.64s\n", clean);
		}
	}
	printf("total: %ld pending, %ld dead\n", total_pending, total_dead);
	return 0;
}

/* ---- the service ----------------------------------------------------------- */

/* The earliest retry (monotonic ms), 0 when none waits. */
static int64_t deliver_next_retry(const struct deliver *d)
{
	size_t i;
	int64_t next = 0;
	for (i = 0; i < d->n; i++)
		if (d->c[i].retry_at && (!next || d->c[i].retry_at < next))
			next = d->c[i].retry_at;
	return next;
}

/* Appends seen by inotify wake their customer. */
static void deliver_read_inotify(struct deliver *d, int fd)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t got;
	while ((got = read(fd, buf, sizeof buf)) > 0) {
		char *p = buf;
		while (p < buf + got) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			char name[RESOURCE_ID_MAX];
			if (ev->len && deliver_outbox_name(ev->name, name, sizeof name))
				deliver_find(d, name, true)->wake = true;
			p += sizeof *ev + ev->len;
		}
	}
}

static int deliver_serve(struct deliver *d)
{
	int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	int64_t scan_ms = d->cfg.hooks.scan_s * 1000;
	int64_t next_scan = clock_now_ms() + scan_ms;
	int64_t next_pending = clock_now_ms() + scan_ms * DELIVER_PENDING_MUL;
	if (ifd < 0 || inotify_add_watch(
			   ifd, d->dir, IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_CREATE) < 0) {
		fprintf(stderr, "behalf deliver: cannot watch %s: %s\n", d->dir, strerror(errno));
		if (ifd >= 0)
			close(ifd);
		return 2;
	}
	deliver_pending_scan(d);
	deliver_scan(d);
	while (!deliver_stop) {
		int64_t now, wake, retry;
		struct pollfd p = {.fd = ifd, .events = POLLIN};
		bool more = deliver_pass(d, false);
		now = clock_now_ms();
		if (now >= next_pending) {
			deliver_pending_scan(d);
			next_pending = now + scan_ms * DELIVER_PENDING_MUL;
		}
		if (now >= next_scan) {
			deliver_scan(d);
			next_scan = now + scan_ms;
			continue;
		}
		wake = next_scan;
		retry = deliver_next_retry(d);
		if (retry && retry < wake)
			wake = retry;
		if (poll(&p, 1, more ? 0 : (int)(wake > now ? wake - now : 0)) > 0)
			deliver_read_inotify(d, ifd);
	}
	close(ifd);
	return 0;
}

static void deliver_free(struct deliver *d)
{
	if (d->curl)
		curl_easy_cleanup(d->curl);
	OPENSSL_cleanse(d->key, sizeof d->key);
	free(d->c);
	config_wipe_secrets(&d->cfg);
}

int cmd_deliver(int argc, char **argv)
{
	struct deliver *d = xcalloc(1, sizeof *d);
	const char *path = NULL, *state_dir = NULL;
	char msg[512], lock[1200];
	bool status = false;
	int i, rc = 0, lfd = -1;
	struct sigaction sa;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once"))
			d->once = true;
		else if (!strcmp(argv[i], "--status"))
			status = true;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "--state-dir") && i + 1 < argc)
			state_dir = argv[++i];
		else {
			free(d);
			return deliver_usage();
		}
	}
	if (!cli_config_open(&d->cfg, path, state_dir, false, "deliver.config")) {
		rc = 2;
		goto out;
	}
	events_dir(d->cfg.state_dir, d->dir, sizeof d->dir);
	if (status) {
		rc = deliver_status(d);
		goto out;
	}
	if (!d->cfg.hooks.url[0] && !d->cfg.hooks.command[0]) {
		fprintf(stderr, "behalf deliver: the configuration needs [hooks] url (with "
				"secret_file) or [hooks] command\n");
		rc = 2;
		goto out;
	}
	if (d->cfg.hooks.url[0] && !d->cfg.hooks.command[0]) {
		if (!d->cfg.hooks.secret_file[0]) {
			fprintf(stderr, "behalf deliver: [hooks] url needs [hooks] secret_file\n");
			rc = 2;
			goto out;
		}
		if (!deliver_read_secret(d, d->cfg.hooks.secret_file, msg, sizeof msg)) {
			fprintf(stderr, "behalf deliver: %s\n", msg);
			rc = 2;
			goto out;
		}
		curl_global_init(CURL_GLOBAL_DEFAULT);
		d->curl = curl_easy_init();
	}
	if (state_make_dir(d->cfg.state_dir, msg, sizeof msg) ||
	    (mkdir(d->dir, 0700) != 0 && errno != EEXIST)) {
		fprintf(stderr, "behalf deliver: cannot make %s\n", d->dir);
		rc = 2;
		goto out;
	}
	snprintf(lock, sizeof lock, "%s/deliver.lock", d->dir);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "behalf deliver: another behalf deliver is running on %s\n",
			d->dir);
		rc = 1;
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = deliver_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)(clock_now_ms() ^ getpid()));
	if (d->once) {
		deliver_pending_scan(d);
		deliver_scan(d);
		while (deliver_pass(d, true) && !deliver_stop)
			;
		for (i = 0; i < (int)d->n; i++) {
			char p[1200];
			struct dcust *c = &d->c[i];
			snprintf(p, sizeof p, "%s/%s.jsonl", d->dir, c->name);
			if (deliver_count_lines(p, c->offset) > 0)
				rc = 1;
		}
	} else {
		rc = deliver_serve(d);
	}
out:
	if (lfd >= 0)
		close(lfd);
	deliver_free(d);
	free(d);
	return rc;
}
