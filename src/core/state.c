/* The customer's state file (see state.h): the wizard to and from JSON,
 * atomic writes, the per-customer lock and the audit log.
 *
 * What is saved is described once, in the table below (state_table.h):
 * saving, loading and the checks of a loaded file walk it.  Keys missing
 * from a file keep the value wizard_init gave them; a key of the wrong type,
 * a number out of its range, an unknown word or a string too long for its
 * field makes the file corrupt. */
#include "core/state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fileio.h"
#include "core/sanitize.h"
#include "core/state_table.h"

/* An open state directory with one customer's lock held. */
struct state_handle {
	char *dir;	/* malloced; the state directory */
	char *customer; /* malloced; the checked customer id */
	char *path;	/* malloced; <dir>/<customer>.json */
	char *name;	/* malloced; <customer>.json, relative to dir */
	int lock_fd;	/* <dir>/<customer>.lock, flock()ed; -1 once closed */
};

bool state_customer_id_ok(const char *id)
{
	size_t n;
	if (!id || id[0] == '\0' || id[0] == '.')
		return false;
	for (n = 0; id[n]; n++) {
		char c = id[n];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok || n >= 64)
			return false;
	}
	return true;
}

void state_iso_time(int64_t wall_ms, char *out, size_t cap)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		str_copy(out, cap, "1970-01-01T00:00:00Z");
}

enum bh_err state_make_dir(const char *dir, char *msg, size_t cap)
{
	char *path;
	size_t i, len;
	struct stat st;
	enum bh_err err = BH_OK;

	if (!dir || !*dir)
		return bh_errorf(BH_ERR_INVALID, msg, cap, "no state directory given");
	path = xstrdup(dir);
	len = strlen(path);
	/* Every prefix ending before a '/', then the whole path. */
	for (i = 1; i <= len && err == BH_OK; i++) {
		if (i < len && path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			err = bh_errorf(BH_ERR_IO, msg, cap, "cannot create directory %s: %s", path,
					strerror(errno));
		if (i < len)
			path[i] = '/';
	}
	if (err == BH_OK && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		err = bh_errorf(BH_ERR_IO, msg, cap, "%s is not a directory", dir);
	free(path);
	return err;
}

enum bh_err state_read_file(const char *path, size_t limit, struct buf *out)
{
	char chunk[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum bh_err err = BH_OK;

	out->limit = limit;
	if (fd < 0)
		return errno == ENOENT ? BH_ERR_NOT_FOUND : BH_ERR_IO;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = BH_ERR_IO;
			break;
		}
		if (n == 0)
			break;
		err = buf_append(out, chunk, (size_t)n);
		if (err)
			break;
	}
	if (err == BH_OK && !out->data)
		buf_append(out, "", 0);
	close(fd);
	return err;
}

/* The start time of process pid (field 22 of /proc/PID/stat, in clock
 * ticks since boot): with the pid it names one process, never a later one
 * that got the same pid.  0 when unknown. */
static unsigned long long state_proc_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold blanks and ')' */
	if (!p)
		return 0;
	/* after ") " comes field 3 (state); the start time is field 22 */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return start;
}

/* Records who holds the lock (the lock file's only content):
 * "<pid> <start time> <kind>\n", kind "ssh" or "local". */
static void state_write_holder(int fd, enum state_holder as)
{
	char rec[96];
	int n = snprintf(rec, sizeof rec, "%ld %llu %s\n", (long)getpid(),
			 state_proc_start(getpid()), as == STATE_HOLDER_SSH ? "ssh" : "local");
	if (ftruncate(fd, 0) == 0 && n > 0)
		(void)!pwrite(fd, rec, (size_t)n, 0);
}

enum bh_err state_open(const char *dir, const char *customer, struct state_handle **out, char *msg,
		       size_t cap)
{
	return state_open_as(dir, customer, STATE_HOLDER_LOCAL, out, msg, cap);
}

enum bh_err state_open_as(const char *dir, const char *customer, enum state_holder as,
			  struct state_handle **out, char *msg, size_t cap)
{
	struct state_handle *h;
	struct buf lock = {0};
	enum bh_err err;
	int fd;

	*out = NULL;
	if (!state_customer_id_ok(customer))
		return bh_errorf(
		    BH_ERR_INVALID, msg, cap,
		    "customer id \"%.80s\" is not usable: use 1 to 64 letters, digits, "
		    "'.', '_' or '-', not starting with '.'",
		    customer ? customer : "");
	err = state_make_dir(dir, msg, cap);
	if (err)
		return err;
	buf_printf(&lock, "%s/%s.lock", dir, customer);
	fd = open(lock.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err = bh_errorf(BH_ERR_IO, msg, cap, "cannot open %s: %s", lock.data,
				strerror(errno));
		buf_free(&lock);
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			err = bh_errorf(BH_ERR_LOCKED, msg, cap,
					"customer %s is already being onboarded in another session "
					"(lock %s); finish or quit that session first",
					customer, lock.data);
		else
			err = bh_errorf(BH_ERR_IO, msg, cap, "cannot lock %s: %s", lock.data,
					strerror(errno));
		close(fd);
		buf_free(&lock);
		return err;
	}
	buf_free(&lock);
	state_write_holder(fd, as);

	h = xcalloc(1, sizeof *h);
	h->dir = xstrdup(dir);
	h->customer = xstrdup(customer);
	{
		struct buf b = {0};
		buf_printf(&b, "%s.json", customer);
		h->name = buf_steal(&b);
		buf_printf(&b, "%s/%s", dir, h->name);
		h->path = buf_steal(&b);
	}
	h->lock_fd = fd;
	*out = h;
	return BH_OK;
}

const char *state_path(const struct state_handle *h)
{
	return h->path;
}

void state_close(struct state_handle *h)
{
	if (!h)
		return;
	if (h->lock_fd >= 0) {
		(void)!ftruncate(h->lock_fd, 0); /* no holder any more */
		close(h->lock_fd);		 /* releases the flock */
	}
	free(h->dir);
	free(h->customer);
	free(h->path);
	free(h->name);
	free(h);
}

/* Waits until the process behind pidfd (or pid, without pidfds) has
 * exited, at most wait_ms; true when it has. */
static bool state_wait_exit(int pidfd, pid_t pid, int wait_ms)
{
	int64_t until = clock_now_ms() + wait_ms;
	for (;;) {
		int64_t left = until - clock_now_ms();
		if (pidfd >= 0) {
			struct pollfd p = {.fd = pidfd, .events = POLLIN};
			int r = poll(&p, 1, left > 0 ? (int)left : 0);
			if (r > 0)
				return true;
			if (r < 0 && errno == EINTR && left > 0)
				continue;
			return false;
		}
		/* No pidfd (a kernel before 5.3): ask every 20 ms, within the bound. */
		if (kill(pid, 0) != 0 && errno == ESRCH)
			return true;
		if (left <= 0)
			return false;
		poll(NULL, 0, left < 20 ? (int)left : 20);
	}
}

/* Sends sig to the process of pidfd (or pid). */
static int state_signal(int pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#endif
	return kill(pid, sig);
}

enum bh_err state_take_over(const char *dir, const char *customer, int wait_ms, char *msg,
			    size_t cap)
{
	char rec[96] = "", kind[16] = "";
	struct buf lock = {0};
	long pid = 0;
	unsigned long long start = 0;
	ssize_t n;
	int fd, pidfd = -1;
	bool gone;

	if (!state_customer_id_ok(customer))
		return bh_errorf(BH_ERR_INVALID, msg, cap, "customer id is not usable");
	buf_printf(&lock, "%s/%s.lock", dir, customer);
	fd = open(lock.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	buf_free(&lock);
	if (fd < 0)
		return BH_OK; /* no lock file: nobody to take over from */
	n = read(fd, rec, sizeof rec - 1);
	close(fd);
	if (n > 0)
		rec[n] = '\0';
	if (n <= 0 || sscanf(rec, "%ld %llu %15s", &pid, &start, kind) != 3)
		return bh_errorf(BH_ERR_LOCKED, msg, cap,
				 "customer %s is already being onboarded in another session, "
				 "which did not say who it is",
				 customer);
	/* Only an SSH session gives way; a wizard the vendor runs locally does not. */
	if (strcmp(kind, "ssh") != 0 || pid <= 1 || pid == (long)getpid())
		return bh_errorf(BH_ERR_LOCKED, msg, cap,
				 "customer %s is already being onboarded in another session "
				 "(process %ld); finish or quit that session first",
				 customer, pid);
#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0 && errno == ESRCH)
		return BH_OK; /* gone already */
#endif
	/* The same process as recorded, not one that got its pid since. */
	if (start == 0 || state_proc_start((pid_t)pid) != start) {
		if (pidfd >= 0)
			close(pidfd);
		return BH_OK; /* the recorded holder is gone; the lock says the rest */
	}
	if (state_signal(pidfd, (pid_t)pid, SIGHUP) != 0) {
		int e = errno;
		if (pidfd >= 0)
			close(pidfd);
		if (e == ESRCH)
			return BH_OK;
		return bh_errorf(BH_ERR_LOCKED, msg, cap,
				 "customer %s is already being onboarded in another session "
				 "(process %ld), which cannot be ended: %s",
				 customer, pid, strerror(e));
	}
	/* SIGHUP saves and leaves; a session stuck writing to a dead
	 * connection is killed (what it had to save was saved first). */
	gone = state_wait_exit(pidfd, (pid_t)pid, wait_ms);
	if (!gone && state_signal(pidfd, (pid_t)pid, SIGKILL) == 0)
		gone = state_wait_exit(pidfd, (pid_t)pid, wait_ms);
	if (pidfd >= 0)
		close(pidfd);
	if (!gone)
		return bh_errorf(BH_ERR_LOCKED, msg, cap,
				 "customer %s: the earlier session (process %ld) did not end",
				 customer, pid);
	return BH_OK;
}

enum bh_err state_set_aside(struct state_handle *h, char *msg, size_t cap)
{
	char stamp[32];
	struct buf to = {0};
	enum bh_err err = BH_OK;
	struct stat st;
	int i;
	time_t t = (time_t)(clock_wall_ms() / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) == 0)
		str_copy(stamp, sizeof stamp, "0");
	/* Never overwrite an earlier corrupt file set aside in the same second. */
	for (i = 0; i < 100; i++) {
		buf_reset(&to);
		if (i == 0)
			buf_printf(&to, "%s.corrupt-%s", h->path, stamp);
		else
			buf_printf(&to, "%s.corrupt-%s-%d", h->path, stamp, i);
		if (lstat(to.data, &st) != 0 && errno == ENOENT)
			break;
	}
	if (i == 100 || rename(h->path, to.data) != 0)
		err = bh_errorf(BH_ERR_IO, msg, cap, "cannot move %s aside: %s", h->path,
				i == 100 ? "too many corrupt copies" : strerror(errno));
	else
		bh_errorf(BH_OK, msg, cap, "%s", to.data);
	buf_free(&to);
	return err;
}

void state_audit(struct state_handle *h, const char *event, const char *detail)
{
	if (h)
		state_audit_in(h->dir, h->customer, event, detail);
}

void state_audit_in(const char *dir, const char *customer, const char *event, const char *detail)
{
	char when[32];
	char *clean = NULL, *line;
	json_t *o;
	int fd;
	struct buf path = {0};

	if (!dir || !customer || !event)
		return;
	state_iso_time(clock_wall_ms(), when, sizeof when);
	o = json_object();
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "customer", json_string(customer));
	clean = xmalloc(strlen(event) + 1);
	sanitize_text(event, clean, strlen(event) + 1);
	json_object_set_new(o, "event", json_string(clean));
	free(clean);
	if (detail) {
		clean = xmalloc(strlen(detail) + 1);
		sanitize_text(detail, clean, strlen(detail) + 1);
		json_object_set_new(o, "detail", json_string(clean));
		free(clean);
	} else {
		json_object_set_new(o, "detail", json_null());
	}
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!line)
		return;
	buf_printf(&path, "%s/audit.jsonl", dir);
	fd = open(path.data, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		/* One write per line: O_APPEND keeps concurrent sessions' lines whole. */
		size_t n = strlen(line);
		char *withnl = xmalloc(n + 2);
		memcpy(withnl, line, n);
		withnl[n] = '\n';
		withnl[n + 1] = '\0';
		file_write_all(fd, withnl, n + 1);
		free(withnl);
		close(fd);
	}
	buf_free(&path);
	free(line);
}

/* ---- values to JSON ---- */

/* Collects the first failure while the JSON tree is built. */
struct writer {
	bool ok;
};

/* Sets obj[key] = v (takes v), noting a failure. */
static void put(struct writer *wr, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		wr->ok = false;
}

/* Appends v (takes it) to the array a, noting a failure. */
static void append(struct writer *wr, json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v) != 0)
		wr->ok = false;
}

/* A JSON string of s; text that came from the network and is somehow not
 * valid UTF-8 is sanitized rather than failing the save. */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s);
	if (!v) {
		size_t n = strlen(s) + 1;
		char *clean = xmalloc(n);
		sanitize_text(s, clean, n);
		v = json_string(clean);
		free(clean);
	}
	return v;
}

static json_t *jfield(struct writer *wr, const struct field *f)
{
	json_t *o = json_object();
	put(wr, o, "text", jstr(f->text));
	put(wr, o, "cursor", json_integer((json_int_t)f->cursor));
	return o;
}

/* ---- values from JSON ---- */

#define STATE_WHERE_MAX 128 /* "records[3].result.diagnoses[5]" and room to spare */

/* Where a read is and what went wrong first. */
struct reader {
	const char *file; /* for the message */
	char *msg;
	size_t cap;
	bool failed;
};

/* Records the first problem: "state file F is corrupt: WHERE.KEY PROBLEM". */
__attribute__((format(printf, 4, 5))) static bool rd_fail(struct reader *r, const char *where,
							  const char *key, const char *fmt, ...)
{
	char problem[160];
	va_list ap;
	if (r->failed)
		return false;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(problem, sizeof problem, fmt, ap);
	va_end(ap);
	bh_errorf(BH_ERR_PARSE, r->msg, r->cap, "state file %s is corrupt: \"%s%s%s\" %s", r->file,
		  where, *where && *key ? "." : "", key, problem);
	return false;
}

/* where.key (key alone at the top) into out. */
static const char *rd_path(char *out, size_t cap, const char *where, const char *key)
{
	snprintf(out, cap, "%s%s%s", where, *where && *key ? "." : "", key);
	return out;
}

/* obj[key] as a string into dst (cap bytes); absent keeps dst. */
static bool rd_str(struct reader *r, json_t *obj, const char *where, const char *key, char *dst,
		   size_t cap)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	if (!json_is_string(v))
		return rd_fail(r, where, key, "is not a string");
	if (json_string_length(v) >= cap)
		return rd_fail(r, where, key, "is too long (%zu bytes, at most %zu)",
			       json_string_length(v), cap - 1);
	str_copy(dst, cap, json_string_value(v));
	return true;
}

/* v as an integer in min..max into *out. */
static bool rd_int_value(struct reader *r, json_t *v, const char *where, const char *key,
			 int64_t min, int64_t max, int64_t *out)
{
	if (!json_is_integer(v))
		return rd_fail(r, where, key, "is not an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return rd_fail(r, where, key, "is out of range (%lld, expected %lld to %lld)",
			       (long long)json_integer_value(v), (long long)min, (long long)max);
	*out = (int64_t)json_integer_value(v);
	return true;
}

/* obj[key] as an integer in min..max; absent keeps *out. */
static bool rd_int(struct reader *r, json_t *obj, const char *where, const char *key, int64_t min,
		   int64_t max, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	return !v || rd_int_value(r, v, where, key, min, max, out);
}

static bool rd_bool(struct reader *r, json_t *obj, const char *where, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	if (!json_is_boolean(v))
		return rd_fail(r, where, key, "is not true or false");
	*out = json_is_true(v);
	return true;
}

/* The value of words' i-th word. */
static int words_value(const struct state_words *t, int i)
{
	return t->values ? t->values[i] : i;
}

/* A word of t at v (a JSON value), its value in *out. */
static bool rd_word_value(struct reader *r, json_t *v, const char *where, const char *key,
			  const struct state_words *t, int *out)
{
	int i;
	if (!json_is_string(v))
		return rd_fail(r, where, key, "is not a string");
	for (i = 0; i < t->n; i++) {
		const char *word = t->word(words_value(t, i));
		if (word && strcmp(word, json_string_value(v)) == 0) {
			*out = words_value(t, i);
			return true;
		}
	}
	return rd_fail(r, where, key, "has an unknown value \"%.40s\"", json_string_value(v));
}

/* obj[key] as an object, or NULL (absent, or wrong type: then r failed). */
static json_t *rd_obj(struct reader *r, json_t *obj, const char *where, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_object(v)) {
		rd_fail(r, where, key, "is not an object");
		return NULL;
	}
	return v;
}

/* obj[key] as an array of at most max entries, or NULL. */
static json_t *rd_array(struct reader *r, json_t *obj, const char *where, const char *key,
			size_t max)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		rd_fail(r, where, key, "is not an array");
		return NULL;
	}
	if (json_array_size(v) > max) {
		rd_fail(r, where, key, "has %zu entries, at most %zu", json_array_size(v), max);
		return NULL;
	}
	return v;
}

/* A field: its text and cursor; the error is not saved and is cleared. */
static void rd_field(struct reader *r, json_t *obj, const char *where, const char *key,
		     struct field *f)
{
	json_t *o = rd_obj(r, obj, where, key);
	int64_t cursor;
	char path[STATE_WHERE_MAX];

	if (!o)
		return;
	rd_path(path, sizeof path, where, key);
	if (!rd_str(r, o, path, "text", f->text, sizeof f->text))
		return;
	f->len = strlen(f->text);
	cursor = (int64_t)f->len;
	if (!rd_int(r, o, path, "cursor", 0, (int64_t)f->len, &cursor))
		return;
	/* Keep the cursor on a character boundary. */
	while (cursor > 0 && cursor < (int64_t)f->len &&
	       ((unsigned char)f->text[cursor] & 0xC0) == 0x80)
		cursor--;
	f->cursor = (size_t)cursor;
	f->error = INPUT_OK;
	f->error_detail[0] = '\0';
}

/* ---- the words of enums ----
 *
 * Enumerations are saved as their stable words, not numbers, so that the
 * file reads well and survives a reordering of an enum. */

#define NWORDS(list) ((int)(sizeof list / sizeof list[0]))

static const char *const option_list[] = {"none", "domain", "address", "name"};
static const char *const answer_list[] = {"unanswered", "yes", "no", "unsure"};
static const char *const format_list[] = {"via", "for", "plain", "custom"};
static const char *const address_list[] = {"shared", "local", "subdomain"};
static const char *const kind_list[] = {"domain", "signature"};
static const char *const fate_list[] = {"in-use", "kept", "removed"};
_Static_assert(NWORDS(option_list) == OPTION__COUNT, "a word for every option");
_Static_assert(NWORDS(format_list) == FROM_FORMAT__COUNT, "a word for every format");
_Static_assert(NWORDS(address_list) == FROM_ADDRESS__COUNT, "a word for every address");
_Static_assert(NWORDS(answer_list) == ADVISOR_UNSURE + 1, "a word for every answer");
_Static_assert(NWORDS(kind_list) == RES_SIGNATURE + 1, "a word for every resource kind");
_Static_assert(NWORDS(fate_list) == RES_REMOVED + 1, "a word for every fate");

/* The words of a list of this file, as a struct state_words named name. */
#define WORDS_OF_LIST(name, list)                                                                  \
	static const char *name##_word(int v)                                                      \
	{                                                                                          \
		return v >= 0 && v < NWORDS(list) ? list[v] : NULL;                                \
	}                                                                                          \
	static const struct state_words name = {NWORDS(list), name##_word, NULL}

WORDS_OF_LIST(option_words, option_list);
WORDS_OF_LIST(answer_words, answer_list);
WORDS_OF_LIST(format_words, format_list);
WORDS_OF_LIST(address_words, address_list);
WORDS_OF_LIST(kind_words, kind_list);
WORDS_OF_LIST(fate_words, fate_list);

/* The words other modules own. */
static const char *step_word(int v)
{
	return wizard_step_word((enum wizard_step)v);
}
static const char *status_word(int v)
{
	return record_status_word((enum record_status)v);
}
static const char *diag_word(int v)
{
	return record_diag_code((enum record_diag)v);
}
static const char *purpose_word(int v)
{
	return record_purpose_word((enum record_purpose)v);
}
static const char *type_word(int v)
{
	return record_type_word((enum record_type)v);
}
static const int record_types[] = {RECORD_TYPE_A, RECORD_TYPE_CNAME, RECORD_TYPE_TXT,
				   RECORD_TYPE_AAAA, RECORD_TYPE_MX};
static const struct state_words step_words = {STEP__COUNT, step_word, NULL};
static const struct state_words status_words = {STATUS__COUNT, status_word, NULL};
static const struct state_words diag_words = {DIAG__COUNT, diag_word, NULL};
static const struct state_words purpose_words = {PURPOSE__COUNT, purpose_word, NULL};
static const struct state_words type_words = {NWORDS(record_types), type_word, record_types};
static const char *dc_kind_word(int v)
{
	return wizard_dc_kind_word((enum wizard_dc_kind)v);
}
static const struct state_words dc_kind_words = {WIZARD_DC_KINDS, dc_kind_word, NULL};

/* ---- the table ----
 *
 * Each entry names its member once; the macros take offsetof and sizeof
 * from it and refuse (at compile time) a member of the wrong C type. */

#define MEMBER(T, m) (((T *)0)->m)
/* 0, or a compile error when member m of T is none of the types listed. */
#define TYPED(T, m, ...) (0 * sizeof(_Generic(MEMBER(T, m), __VA_ARGS__)))
#define NELEMS(T, m)	 (sizeof MEMBER(T, m) / sizeof MEMBER(T, m)[0])
#define INT_TYPES	 int : 1, unsigned : 1, long : 1, long long : 1

#define F_STR(T, k, m, fl)                                                                         \
	{                                                                                          \
		.key = k, .kind = STATE_STR, .member = #m, .offset = offsetof(T, m),               \
		.size = sizeof MEMBER(T, m) + TYPED(T, m[0], char : 1), .flags = fl                \
	}
#define F_BOOL(T, k, m)                                                                            \
	{                                                                                          \
		.key = k, .kind = STATE_BOOL, .member = #m, .offset = offsetof(T, m),              \
		.size = sizeof MEMBER(T, m) + TYPED(T, m, bool : 1)                                \
	}
#define F_INT(T, k, m, lo, hi)                                                                     \
	{                                                                                          \
		.key = k, .kind = STATE_INT, .member = #m, .offset = offsetof(T, m),               \
		.size = sizeof MEMBER(T, m) + TYPED(T, m, INT_TYPES), .min = lo, .max = hi         \
	}
/* An int whose maximum is the count of used elements (at member n) less one. */
#define F_INDEX(T, k, m, n)                                                                        \
	{                                                                                          \
		.key = k, .kind = STATE_INT, .member = #m, .offset = offsetof(T, m),               \
		.size = sizeof MEMBER(T, m) + TYPED(T, m, int : 1), .flags = STATE_MAX_COUNT,      \
		.count = offsetof(T, n) + TYPED(T, n, size_t : 1)                                  \
	}
#define F_WORD(T, k, m, w, fl)                                                                     \
	{                                                                                          \
		.key = k, .kind = STATE_WORD, .member = #m, .offset = offsetof(T, m),              \
		.size = sizeof MEMBER(T, m) + TYPED(T, m, int : 1, unsigned : 1), .words = &w,     \
		.flags = fl                                                                        \
	}
#define F_FIELD(T, k, m)                                                                           \
	{                                                                                          \
		.key = k, .kind = STATE_FIELD, .member = #m, .offset = offsetof(T, m),             \
		.size = sizeof MEMBER(T, m) + TYPED(T, m, struct field : 1)                        \
	}
/* An object of the file for a struct member. */
#define F_OBJECT(T, k, m, t)                                                                       \
	{                                                                                          \
		.key = k, .kind = STATE_OBJECT, .member = #m, .offset = offsetof(T, m),            \
		.size = sizeof MEMBER(T, m), .sub = &t                                             \
	}
/* An object of the file that groups members of the same struct (t). */
#define F_GROUP(k, t)                                                                              \
	{                                                                                          \
		.key = k, .kind = STATE_OBJECT, .member = NULL, .offset = 0, .size = 0, .sub = &t  \
	}
/* An array member whose used elements are counted by the size_t member n,
 * one element described by t.  (member names both: "history history_len".) */
#define F_ARRAY(T, k, m, n, t)                                                                     \
	{                                                                                          \
		.key = k, .kind = STATE_ARRAY, .member = #m " " #n, .offset = offsetof(T, m),      \
		.size = sizeof MEMBER(T, m)[0], .max = (int64_t)NELEMS(T, m),                      \
		.count = offsetof(T, n) + TYPED(T, n, size_t : 1), .sub = &t                       \
	}
/* An array member saved whole (no count), or only its elements other than
 * 0 with STATE_NONZERO. */
#define F_FIXED_ARRAY(T, k, m, t, fl)                                                              \
	{                                                                                          \
		.key = k, .kind = STATE_ARRAY, .member = #m, .offset = offsetof(T, m),             \
		.size = sizeof MEMBER(T, m)[0], .max = (int64_t)NELEMS(T, m),                      \
		.count = STATE_NO_COUNT, .sub = &t, .flags = fl                                    \
	}
/* F_ARRAY with a parallel array m2 (as many elements): element i of the
 * file's array holds the keys of t for m[i] and those of t2 for m2[i]. */
#define F_ARRAY2(T, k, m, n, t, m2, t2)                                                            \
	{                                                                                          \
		.key = k, .kind = STATE_ARRAY, .member = #m " " #n " " #m2,                        \
		.offset = offsetof(T, m), .size = sizeof MEMBER(T, m)[0],                          \
		.max = (int64_t)NELEMS(T, m) +                                                     \
		       0 * (int64_t)sizeof(char[NELEMS(T, m) == NELEMS(T, m2) ? 1 : -1]),          \
		.count = offsetof(T, n) + TYPED(T, n, size_t : 1), .sub = &t,                      \
		.offset2 = offsetof(T, m2), .size2 = sizeof MEMBER(T, m2)[0], .sub2 = &t2          \
	}
/* The entry of an array's element that is one value of a C type: the
 * element itself (key NULL: an array of scalars), or key of the element's
 * object (a column of F_ARRAY2). */
#define F_ELEM(k, kind_, type, what, ...)                                                          \
	{                                                                                          \
		.key = k, .kind = kind_, .member = what, .offset = 0, .size = sizeof(type),        \
		__VA_ARGS__                                                                        \
	}
/* A member not saved. */
#define UNSAVED(T, m)                                                                              \
	{                                                                                          \
#m, offsetof(T, m), sizeof MEMBER(T, m)                                            \
	}
#define TABLE(name, ctype, fields)                                                                 \
	static const struct state_table name = {ctype, fields, sizeof fields / sizeof fields[0],   \
						NULL, 0}
#define TABLE_UNSAVED(name, ctype, fields, unsaved)                                                \
	static const struct state_table name = {ctype, fields, sizeof fields / sizeof fields[0],   \
						unsaved, sizeof unsaved / sizeof unsaved[0]}

/* history[]: a step */
static const struct state_field step_elem[] = {
    F_ELEM(NULL, STATE_WORD, enum wizard_step, "history[]", .words = &step_words),
};
TABLE(step_elem_table, "enum wizard_step", step_elem);

/* advisor[]: an answer */
static const struct state_field answer_elem[] = {
    F_ELEM(NULL, STATE_WORD, enum advisor_answer, "advisor[]", .words = &answer_words),
};
TABLE(answer_elem_table, "enum advisor_answer", answer_elem);

/* export.sends_ms[], export.demo_sends_ms[]: the wall time of a send */
static const struct state_field send_elem[] = {
    F_ELEM(NULL, STATE_INT, int64_t, "sends_ms[]", .min = 1, .max = INT64_MAX,
	   .bad = "holds a value that is not a time"),
};
TABLE(send_elem_table, "int64_t", send_elem);

/* milestones_ms[]: the wall time a milestone last happened, 0 never
 * (saved by position: enum milestone only grows at its end) */
static const struct state_field milestone_elem[] = {
    F_ELEM(NULL, STATE_INT, int64_t, "milestones_ms[]", .min = 0, .max = INT64_MAX,
	   .bad = "holds a value that is not a time"),
};
TABLE(milestone_elem_table, "int64_t", milestone_elem);

static const struct state_field domain_fields[] = {
    F_STR(struct domain_value, "ascii", ascii, 0),
    F_STR(struct domain_value, "unicode", unicode, 0),
    F_BOOL(struct domain_value, "idn", is_idn),
};
TABLE(domain_table, "domain_value", domain_fields);

/* records[].result.servers[]: per_server[i] and seen[i] of a result */
static const struct state_field server_status_elem[] = {
    F_ELEM("status", STATE_WORD, enum record_status, "per_server[]", .words = &status_words),
};
TABLE(server_status_table, "enum record_status", server_status_elem);
static const struct state_field server_seen_elem[] = {
    F_ELEM("seen", STATE_STR, MEMBER(struct record_result, seen)[0], "seen[]", .flags = 0),
};
TABLE(server_seen_table, "char[]", server_seen_elem);

static const struct state_field diagnosis_fields[] = {
    F_WORD(struct record_diagnosis, "code", code, diag_words, STATE_REQUIRED),
    F_STR(struct record_diagnosis, "arg", arg, 0),
    F_STR(struct record_diagnosis, "arg2", arg2, 0),
};
TABLE(diagnosis_table, "record_diagnosis", diagnosis_fields);

/* What a DNS check found: the overall status, each server's status and
 * value, the diagnoses.  The servers' names and addresses, where a record
 * was found instead and how many servers failed are found again by the next
 * check, which a resumed session runs at once. */
static const struct state_field result_fields[] = {
    F_WORD(struct record_result, "status", status, status_words, 0),
    F_ARRAY2(struct record_result, "servers", per_server, nservers, server_status_table, seen,
	     server_seen_table),
    F_ARRAY(struct record_result, "diagnoses", diagnoses, ndiagnoses, diagnosis_table),
};
static const struct state_unsaved result_unsaved[] = {
    UNSAVED(struct record_result, servers),
    UNSAVED(struct record_result, addresses),
    UNSAVED(struct record_result, where),
    UNSAVED(struct record_result, nfailed),
};
TABLE_UNSAVED(result_table, "record_result", result_fields, result_unsaved);

/* records[]: records[i], and results[i] as its "result" */
static const struct state_field record_fields[] = {
    F_WORD(struct expected_record, "purpose", purpose, purpose_words, STATE_REQUIRED),
    F_WORD(struct expected_record, "type", type, type_words, STATE_REQUIRED),
    F_STR(struct expected_record, "name", name, STATE_REQUIRED),
    F_STR(struct expected_record, "value", value, STATE_REQUIRED),
    F_BOOL(struct expected_record, "required", required),
};
TABLE(record_table, "expected_record", record_fields);
static const struct state_field record_result_elem[] = {
    F_ELEM("result", STATE_OBJECT, struct record_result, "results[]", .sub = &result_table),
};
TABLE(record_result_table, "record_result", record_result_elem);

/* esp_domain: the domain at the ESP as it last described it, its records
 * each with the ESP's own verdict (schema 3; before, a DKIM and a
 * Return-Path in fields of their own: load_esp_domain_v2). */
static const struct state_field esp_record_fields[] = {
    F_WORD(struct resource_record, "purpose", rec.purpose, purpose_words, STATE_REQUIRED),
    F_WORD(struct resource_record, "type", rec.type, type_words, STATE_REQUIRED),
    F_STR(struct resource_record, "name", rec.name, STATE_REQUIRED),
    F_STR(struct resource_record, "value", rec.value, STATE_REQUIRED),
    F_BOOL(struct resource_record, "required", rec.required),
    F_BOOL(struct resource_record, "esp_verified", esp_verified),
};
TABLE(esp_record_table, "resource_record", esp_record_fields);
static const struct state_field esp_domain_fields[] = {
    F_BOOL(struct wizard_domain_res, "exists", exists),
    F_STR(struct wizard_domain_res, "id", id, 0),
    F_STR(struct wizard_domain_res, "name", name, 0),
    F_ARRAY(struct wizard_domain_res, "records", records, nrecords, esp_record_table),
};
TABLE(esp_domain_table, "wizard_domain_res", esp_domain_fields);

static const struct state_field signature_fields[] = {
    F_BOOL(struct wizard_signature_res, "exists", exists),
    F_STR(struct wizard_signature_res, "id", id, 0),
    F_STR(struct wizard_signature_res, "email", email, 0),
    F_STR(struct wizard_signature_res, "name", name, 0),
    F_BOOL(struct wizard_signature_res, "confirmed", confirmed),
    F_INT(struct wizard_signature_res, "created_ms", created_ms, 0, INT64_MAX),
    F_INT(struct wizard_signature_res, "resent_ms", resent_ms, 0, INT64_MAX),
};
TABLE(signature_table, "wizard_signature_res", signature_fields);

/* Schema 2: every resource at the ESP, with what became of it. */
static const struct state_field resource_fields[] = {
    F_WORD(struct wizard_resource, "kind", kind, kind_words, STATE_REQUIRED),
    F_STR(struct wizard_resource, "id", id, STATE_REQUIRED),
    F_STR(struct wizard_resource, "name", name, STATE_REQUIRED),
    F_WORD(struct wizard_resource, "fate", fate, fate_words, 0),
    F_BOOL(struct wizard_resource, "remove", remove),
    F_INT(struct wizard_resource, "created_ms", created_ms, 0, INT64_MAX),
    F_INT(struct wizard_resource, "resent_ms", resent_ms, 0, INT64_MAX),
};
TABLE(resource_table, "wizard_resource", resource_fields);

/* The export dialog: only the latest sends to teammates are kept, for the
 * hourly limit (the demo's apart: a demo never uses up a real session's
 * limit).  The rest is the dialog on screen, closed by a restart. */
static const struct state_field export_fields[] = {
    F_FIXED_ARRAY(struct wizard_export, "sends_ms", sends_ms, send_elem_table, STATE_NONZERO),
    F_FIXED_ARRAY(struct wizard_export, "demo_sends_ms", demo_sends_ms, send_elem_table,
		  STATE_NONZERO),
};
static const struct state_unsaved export_unsaved[] = {
    UNSAVED(struct wizard_export, view),	UNSAVED(struct wizard_export, cursor),
    UNSAVED(struct wizard_export, shown),	UNSAVED(struct wizard_export, remote),
    UNSAVED(struct wizard_export, result),	UNSAVED(struct wizard_export, result_error),
    UNSAVED(struct wizard_export, to),		UNSAVED(struct wizard_export, note),
    UNSAVED(struct wizard_export, reply_to),	UNSAVED(struct wizard_export, focus),
    UNSAVED(struct wizard_export, send_to),	UNSAVED(struct wizard_export, send_reply_to),
    UNSAVED(struct wizard_export, send_wanted), UNSAVED(struct wizard_export, send_error),
    UNSAVED(struct wizard_export, sent),	UNSAVED(struct wizard_export, sent_scroll),
};
TABLE_UNSAVED(export_table, "wizard_export", export_fields, export_unsaved);

/* The objects of the file that group members of struct wizard. */
#define W struct wizard
static const struct state_field choose_fields[] = {
    F_INT(W, "cursor", choose_cursor, 0, 3),
};
TABLE(choose_table, "wizard", choose_fields);

static const struct state_field advisor_fields[] = {
    F_INT(W, "question", advisor_question, 0, ADVISOR_QUESTIONS),
    F_INT(W, "cursor", advisor_cursor, 0, 15),
    F_FIXED_ARRAY(W, "answers", advisor, answer_elem_table, 0),
};
TABLE(advisor_table, "wizard", advisor_fields);

static const struct state_field records_view_fields[] = {
    F_INDEX(W, "cursor", records_cursor, nrecords),
    F_BOOL(W, "detail", records_detail),
    F_STR(W, "dns_host", dns_host, 0),
    F_INT(W, "checks", checks, 0, 1000000000),
    F_INT(W, "verify_attempts", verify_attempts, 0, 1000000000),
};
TABLE(records_view_table, "wizard", records_view_fields);

/* Domain Connect: the one-click offer found for the records (the signed
 * apply link or the DNS host's control panel), for `behalf export` and a
 * resumed session.  The link holds no secret: a signature over the
 * records' public values.  Older files lack it: no offer. */
static const struct state_field dc_fields[] = {
    F_WORD(struct wizard_dc, "kind", kind, dc_kind_words, 0),
    F_STR(struct wizard_dc, "domain", domain, 0),
    F_STR(struct wizard_dc, "provider", provider, 0),
    F_STR(struct wizard_dc, "url", url, 0),
    F_BOOL(struct wizard_dc, "demo", demo),
};
TABLE(dc_table, "wizard_dc", dc_fields);

/* option 2, and what was asked of the ESP and of the DNS for it */
static const struct state_field address_fields[] = {
    F_FIELD(W, "email", address_email),
    F_FIELD(W, "name", address_name),
    F_INT(W, "focus", address_focus, 0, 1),
    F_STR(W, "normalized", address_normalized, 0),
    F_BOOL(W, "resend_wanted", resend_wanted),
    F_STR(W, "dmarc_domain", dmarc_domain, 0),
    F_INT(W, "dmarc_verdict", dmarc_verdict, 0, 3),
    F_STR(W, "dmarc_policy", dmarc_policy, 0),
    F_STR(W, "dmarc_org", dmarc_org, 0),
    F_BOOL(W, "dmarc_ack", dmarc_ack),
    F_STR(W, "name_asked", name_asked, 0),
};
TABLE(address_table, "wizard", address_fields);

/* the customer's own ESP server */
static const struct state_field server_fields[] = {
    F_INT(W, "answer", server_answer, SERVER_UNASKED, SERVER_DECLINED),
    F_STR(W, "id", server_id, 0),
};
TABLE(server_table, "wizard", server_fields);

/* option 3 */
static const struct state_field from_name_fields[] = {
    F_FIELD(W, "name", from_name),			  /* the customer's display name */
    F_WORD(W, "format", from_format, format_words, 0),	  /* "{name} via {vendor}", ... */
    F_FIELD(W, "pattern", from_pattern),		  /* the custom format */
    F_WORD(W, "address", from_address, address_words, 0), /* the From address */
    F_INT(W, "focus", from_focus, 0, 3),
};
TABLE(from_name_table, "wizard", from_name_fields);

/* switching option */
static const struct state_field switch_fields[] = {
    F_WORD(W, "target", switch_target, option_words, 0),
    F_WORD(W, "then", switch_then, step_words, 0),
    F_BOOL(W, "correction", switch_correction),
    F_BOOL(W, "confirmed", switch_confirmed),
    F_INT(W, "cursor", switch_cursor, 0, WIZARD_RESOURCES_MAX),
};
TABLE(switch_table, "wizard", switch_fields);

/* The whole file after its header, in the order it is written. */
static const struct state_field wizard_fields[] = {
    F_WORD(W, "step", step, step_words, STATE_REQUIRED),
    F_ARRAY(W, "history", history, history_len, step_elem_table),
    F_WORD(W, "option", option, option_words, 0),
    F_FIXED_ARRAY(W, "milestones_ms", milestones_ms, milestone_elem_table, 0),
    F_INT(W, "step_since_ms", step_since_ms, 0, INT64_MAX),
    F_GROUP("choose", choose_table),
    F_GROUP("advisor", advisor_table),
    /* option 1 */
    F_FIELD(W, "domain_input", domain_input),
    F_OBJECT(W, "domain", domain, domain_table),
    F_OBJECT(W, "esp_domain", esp_domain, esp_domain_table),
    F_ARRAY2(W, "records", records, nrecords, record_table, results, record_result_table),
    F_GROUP("records_view", records_view_table),
    F_OBJECT(W, "domain_connect", dc, dc_table),
    /* option 2 */
    F_GROUP("address", address_table),
    F_GROUP("server", server_table),
    F_OBJECT(W, "signature", signature, signature_table),
    /* option 3 */
    F_GROUP("from_name", from_name_table),
    /* every resource at the ESP, and switching option */
    F_ARRAY(W, "resources", resources, nresources, resource_table),
    F_GROUP("switch", switch_table),
    F_INT(W, "demo_stage", demo_stage, 0, 1000000),
    F_OBJECT(W, "export", export, export_table),
};
/* Not saved: the configuration comes from the configuration file each run;
 * monotonic times of another run mean nothing (load_reset_transient makes
 * every check due at once); the rest is what the application is doing for
 * the wizard right now. */
static const struct state_unsaved wizard_unsaved[] = {
    UNSAVED(W, cfg),
    UNSAVED(W, records_since_ms),
    UNSAVED(W, last_check_ms),
    UNSAVED(W, next_check_ms),
    UNSAVED(W, verify_after_ms),
    UNSAVED(W, poll_after_ms),
    UNSAVED(W, removing),
    UNSAVED(W, busy),
    UNSAVED(W, busy_since_ms),
    UNSAVED(W, notice_kind),
    UNSAVED(W, notice),
    UNSAVED(W, retry_after_ms),
    UNSAVED(W, failures),
    UNSAVED(W, halted),
    UNSAVED(W, dirty),
};
TABLE_UNSAVED(wizard_table, "wizard", wizard_fields, wizard_unsaved);
#undef W

const struct state_table *state_table(void)
{
	return &wizard_table;
}

/* ---- walking the table ---- */

/* An integer member of size 4 (int, enum) or 8 (int64_t). */
static int64_t get_int(const char *p, size_t size)
{
	if (size == sizeof(int64_t)) {
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
	if (size == sizeof(int64_t)) {
		memcpy(p, &value, sizeof value);
	} else {
		int32_t v = (int32_t)value;
		memcpy(p, &v, sizeof v);
	}
}

/* The word of value; a value that has none is saved as the first word, so
 * that every file written loads. */
static const char *word_of(const struct state_words *t, int value)
{
	int i;
	for (i = 0; i < t->n; i++)
		if (words_value(t, i) == value)
			return t->word(value);
	return t->word(words_value(t, 0));
}

/* The used elements of an array entry of the struct at base. */
static size_t array_used(const struct state_field *f, const char *base)
{
	size_t n;
	if (f->count == STATE_NO_COUNT)
		return (size_t)f->max;
	memcpy(&n, base + f->count, sizeof n);
	return n < (size_t)f->max ? n : (size_t)f->max;
}

static void save_table(struct writer *wr, json_t *obj, const struct state_table *t,
		       const char *base);

/* The member at p (of the struct at base) as a JSON value. */
static json_t *save_value(struct writer *wr, const struct state_field *f, const char *p,
			  const char *base)
{
	json_t *v;
	size_t i, n;

	switch (f->kind) {
	case STATE_STR:
		return jstr(p);
	case STATE_BOOL:
		return json_boolean(*(const bool *)p);
	case STATE_INT:
		return json_integer((json_int_t)get_int(p, f->size));
	case STATE_WORD:
		return json_string(word_of(f->words, (int)get_int(p, f->size)));
	case STATE_FIELD:
		return jfield(wr, (const struct field *)p);
	case STATE_OBJECT:
		v = json_object();
		save_table(wr, v, f->sub, p);
		return v;
	case STATE_ARRAY:
		v = json_array();
		n = array_used(f, base);
		for (i = 0; i < n; i++) {
			const char *elem = p + i * f->size;
			json_t *o;
			if (!f->sub->fields[0].key) { /* a scalar */
				if ((f->flags & STATE_NONZERO) && get_int(elem, f->size) == 0)
					continue;
				append(wr, v, save_value(wr, &f->sub->fields[0], elem, elem));
				continue;
			}
			o = json_object();
			save_table(wr, o, f->sub, elem);
			if (f->sub2)
				save_table(wr, o, f->sub2, base + f->offset2 + i * f->size2);
			append(wr, v, o);
		}
		return v;
	}
	return NULL;
}

/* Every entry of t, for the struct at base, into obj. */
static void save_table(struct writer *wr, json_t *obj, const struct state_table *t,
		       const char *base)
{
	size_t i;
	for (i = 0; i < t->nfields; i++) {
		const struct state_field *f = &t->fields[i];
		put(wr, obj, f->key, save_value(wr, f, base + f->offset, base));
	}
}

/* The whole wizard as a JSON tree (persistent fields only). */
static json_t *save_wizard(struct writer *wr, const struct state_handle *h, const struct wizard *w)
{
	json_t *root = json_object();
	char when[32];

	state_iso_time(clock_wall_ms(), when, sizeof when);
	put(wr, root, "schema", json_integer(STATE_SCHEMA));
	put(wr, root, "customer", json_string(h->customer));
	put(wr, root, "saved_at", json_string(when));
	save_table(wr, root, &wizard_table, (const char *)w);
	return root;
}

static void load_table(struct reader *r, json_t *obj, const struct state_table *t,
		       const char *where, char *base);

/* A scalar at v (the element of an array: messages name where.key) into p. */
static void load_scalar(struct reader *r, const struct state_field *f, json_t *v, const char *where,
			const char *key, char *p)
{
	int64_t n = 0;
	int word = 0;

	switch (f->kind) {
	case STATE_INT:
		if (f->bad && (!json_is_integer(v) || json_integer_value(v) < f->min ||
			       json_integer_value(v) > f->max))
			rd_fail(r, where, key, "%s", f->bad);
		else if (rd_int_value(r, v, where, key, f->min, f->max, &n))
			set_int(p, f->size, n);
		break;
	case STATE_WORD:
		if (rd_word_value(r, v, where, key, f->words, &word))
			set_int(p, f->size, word);
		break;
	default: /* the table test keeps other kinds out of arrays of scalars */
		rd_fail(r, where, key, "cannot be read");
		break;
	}
}

/* An array of f (of the struct at base) from obj[f->key]. */
static void load_array(struct reader *r, const struct state_field *f, json_t *obj,
		       const char *where, char *base)
{
	json_t *a = rd_array(r, obj, where, f->key, (size_t)f->max);
	char at[STATE_WHERE_MAX], elem_at[STATE_WHERE_MAX + 24];
	size_t i;

	if (!a)
		return;
	/* What the file lists replaces the whole array. */
	memset(base + f->offset, 0, (size_t)f->max * f->size);
	if (f->sub2)
		memset(base + f->offset2, 0, (size_t)f->max * f->size2);
	if (f->count != STATE_NO_COUNT)
		memset(base + f->count, 0, sizeof(size_t));
	rd_path(at, sizeof at, where, f->key);
	for (i = 0; i < json_array_size(a) && !r->failed; i++) {
		json_t *v = json_array_get(a, i);
		char *elem = base + f->offset + i * f->size;

		if (!f->sub->fields[0].key) {
			load_scalar(r, &f->sub->fields[0], v, where, f->key, elem);
		} else {
			snprintf(elem_at, sizeof elem_at, "%s[%zu]", at, i);
			if (!json_is_object(v)) {
				rd_fail(r, elem_at, "", "is not an object");
				return;
			}
			load_table(r, v, f->sub, elem_at, elem);
			if (f->sub2)
				load_table(r, v, f->sub2, elem_at,
					   base + f->offset2 + i * f->size2);
		}
		if (f->count != STATE_NO_COUNT) {
			size_t used = i + 1;
			memcpy(base + f->count, &used, sizeof used);
		}
	}
}

/* obj[f->key] into the member at p of the struct at base (present keys only). */
static void load_value(struct reader *r, const struct state_field *f, json_t *obj,
		       const char *where, char *p, char *base)
{
	char at[STATE_WHERE_MAX];
	json_t *v = json_object_get(obj, f->key);
	int64_t n = 0;
	size_t count;

	switch (f->kind) {
	case STATE_STR:
		rd_str(r, obj, where, f->key, p, f->size);
		break;
	case STATE_BOOL:
		rd_bool(r, obj, where, f->key, (bool *)p);
		break;
	case STATE_INT:
		if (f->flags & STATE_MAX_COUNT) {
			/* an index into an array read before it (the table's order) */
			memcpy(&count, base + f->count, sizeof count);
			if (rd_int_value(r, v, where, f->key, 0, count ? (int64_t)count - 1 : 0,
					 &n))
				set_int(p, f->size, n);
		} else {
			load_scalar(r, f, v, where, f->key, p);
		}
		break;
	case STATE_WORD:
		load_scalar(r, f, v, where, f->key, p);
		break;
	case STATE_FIELD:
		rd_field(r, obj, where, f->key, (struct field *)p);
		break;
	case STATE_OBJECT:
		v = rd_obj(r, obj, where, f->key);
		if (v)
			load_table(r, v, f->sub, rd_path(at, sizeof at, where, f->key), p);
		break;
	case STATE_ARRAY:
		load_array(r, f, obj, where, base);
		break;
	}
}

/* Whether obj lacks one of the required keys of t. */
static bool lacks_required(json_t *obj, const struct state_table *t)
{
	size_t i;
	for (i = 0; i < t->nfields; i++)
		if ((t->fields[i].flags & STATE_REQUIRED) &&
		    !json_object_get(obj, t->fields[i].key))
			return true;
	return false;
}

/* Names the required keys of t an object lacks: "KEY is missing" for a
 * lone one, else "lacks a, b or c". */
static void fail_required(struct reader *r, const char *where, const struct state_table *t)
{
	const char *keys[16];
	size_t i, n = 0;
	struct buf list = {0};

	for (i = 0; i < t->nfields; i++)
		if ((t->fields[i].flags & STATE_REQUIRED) && n < 16)
			keys[n++] = t->fields[i].key;
	if (n == 1) {
		rd_fail(r, where, keys[0], "is missing");
		return;
	}
	for (i = 0; i < n; i++)
		buf_printf(&list, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", keys[i]);
	rd_fail(r, where, "", "lacks %s", list.data ? list.data : "");
	buf_free(&list);
}

/* Every entry of t present in obj into the struct at base. */
static void load_table(struct reader *r, json_t *obj, const struct state_table *t,
		       const char *where, char *base)
{
	size_t i;

	if (lacks_required(obj, t)) {
		fail_required(r, where, t);
		return;
	}
	for (i = 0; i < t->nfields && !r->failed; i++) {
		const struct state_field *f = &t->fields[i];
		if (json_object_get(obj, f->key))
			load_value(r, f, obj, where, base + f->offset, base);
	}
}

/* Adds what t says of the struct at offset at of struct wizard to map. */
static void map_table(unsigned char *map, const struct state_table *t, size_t at)
{
	size_t i, j, k;

	for (i = 0; i < t->nunsaved; i++)
		for (k = 0; k < t->unsaved[i].size; k++)
			map[at + t->unsaved[i].offset + k] += 16;
	for (i = 0; i < t->nfields; i++) {
		const struct state_field *f = &t->fields[i];
		switch (f->kind) {
		case STATE_OBJECT:
			map_table(map, f->sub, at + f->offset);
			break;
		case STATE_ARRAY:
			if (f->count != STATE_NO_COUNT)
				for (k = 0; k < sizeof(size_t); k++)
					map[at + f->count + k] += 1;
			for (j = 0; j < (size_t)f->max; j++) {
				map_table(map, f->sub, at + f->offset + j * f->size);
				if (f->sub2)
					map_table(map, f->sub2, at + f->offset2 + j * f->size2);
			}
			break;
		default:
			for (k = 0; k < f->size; k++)
				map[at + f->offset + k] += 1;
			break;
		}
	}
}

void state_table_map(unsigned char *map)
{
	memset(map, 0, sizeof(struct wizard));
	map_table(map, &wizard_table, 0);
}

/* ---- older schemas ---- */

/* Schemas 1 and 2 kept the domain's two records in fields of their own
 * (dkim_host, dkim_value, dkim_verified, return_path_host,
 * return_path_target, return_path_verified): into the list. */
static void load_esp_domain_v2(struct reader *r, json_t *o, struct wizard_domain_res *d)
{
	char *host = xcalloc(1, RECORD_NAME_MAX), *value = xcalloc(1, RECORD_VALUE_MAX);
	bool verified = false;

	if (!o || json_object_get(o, "records"))
		goto out;
	d->nrecords = 0;
	rd_str(r, o, "esp_domain", "dkim_host", host, RECORD_NAME_MAX);
	rd_str(r, o, "esp_domain", "dkim_value", value, RECORD_VALUE_MAX);
	rd_bool(r, o, "esp_domain", "dkim_verified", &verified);
	if (*host)
		resource_add_record(d, PURPOSE_DKIM, RECORD_TYPE_TXT, host, value, true, verified);
	host[0] = value[0] = '\0';
	verified = false;
	rd_str(r, o, "esp_domain", "return_path_host", host, RECORD_NAME_MAX);
	rd_str(r, o, "esp_domain", "return_path_target", value, RECORD_NAME_MAX);
	rd_bool(r, o, "esp_domain", "return_path_verified", &verified);
	if (*host)
		resource_add_record(d, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, host, value, true,
				    verified);
out:
	free(host);
	free(value);
}

static void load_switch_v1(struct reader *r, json_t *o, struct wizard *w)
{
	bool domain_kept = false, signature_kept = false, rm_domain = false, rm_signature = false;
	struct wizard_resource *res;

	rd_bool(r, o, "switch", "domain_kept", &domain_kept);
	rd_bool(r, o, "switch", "signature_kept", &signature_kept);
	rd_bool(r, o, "switch", "remove_domain", &rm_domain);
	rd_bool(r, o, "switch", "remove_signature", &rm_signature);
	memset(w->resources, 0, sizeof w->resources);
	w->nresources = 0;
	if (w->esp_domain.exists && w->esp_domain.id[0]) {
		res = &w->resources[w->nresources++];
		memset(res, 0, sizeof *res);
		res->kind = RES_DOMAIN;
		str_copy(res->id, sizeof res->id, w->esp_domain.id);
		str_copy(res->name, sizeof res->name, w->esp_domain.name);
		res->fate = domain_kept ? RES_KEPT : RES_IN_USE;
		res->remove = rm_domain;
	}
	if (w->signature.exists && w->signature.id[0]) {
		res = &w->resources[w->nresources++];
		memset(res, 0, sizeof *res);
		res->kind = RES_SIGNATURE;
		str_copy(res->id, sizeof res->id, w->signature.id);
		str_copy(res->name, sizeof res->name, w->signature.email);
		res->fate = signature_kept ? RES_KEPT : RES_IN_USE;
		res->remove = rm_signature;
		res->created_ms = w->signature.created_ms;
		res->resent_ms = w->signature.resent_ms;
	}
}

static void load_reset_transient(struct wizard *w)
{
	int64_t now = clock_now_ms();

	w->records_since_ms = now;
	w->last_check_ms = 0;
	w->next_check_ms = now;
	w->verify_after_ms = now;
	w->poll_after_ms = now;
	w->busy = REQ_NONE;
	w->busy_since_ms = 0;
	w->notice_kind = NOTICE_NONE;
	w->notice[0] = '\0';
	w->retry_after_ms = 0;
	w->failures = 0;
	w->removing = -1;
	w->dirty = false;
}

enum bh_err state_save(struct state_handle *h, const struct wizard *w, char *msg, size_t cap)
{
	struct writer wr = {true};
	json_t *root = save_wizard(&wr, h, w);
	char *text = NULL;
	enum bh_err err;

	if (wr.ok)
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return bh_errorf(BH_ERR_INVALID, msg, cap, "cannot encode the state of customer %s",
				 h->customer);
	{
		/* A text file ends with a newline. */
		size_t n = strlen(text);
		char *withnl = xmalloc(n + 2);
		memcpy(withnl, text, n);
		withnl[n] = '\n';
		withnl[n + 1] = '\0';
		err = file_replace(h->dir, h->name, withnl, n + 1, 0600, msg, cap);
		free(withnl);
	}
	free(text);
	return err;
}

/* ---- loading ---- */

/* state_load; into a copy of w when keep (w unchanged on error), else
 * straight into w (left half loaded on error). */
static enum bh_err state_load_into(struct state_handle *h, struct wizard *w, bool keep, char *msg,
				   size_t cap)
{
	struct buf text = {0};
	struct reader r = {h->path, msg, cap, false};
	json_error_t jerr;
	json_t *root, *v;
	struct wizard *tmp;
	enum bh_err err;

	err = state_read_file(h->path, STATE_FILE_LIMIT, &text);
	if (err == BH_ERR_NOT_FOUND) {
		buf_free(&text);
		return bh_errorf(err, msg, cap, "no saved state for customer %s", h->customer);
	}
	if (err == BH_ERR_TOO_LARGE) {
		buf_free(&text);
		return bh_errorf(BH_ERR_PARSE, msg, cap,
				 "state file %s is corrupt: larger than %u bytes", h->path,
				 STATE_FILE_LIMIT);
	}
	if (err) {
		err = bh_errorf(err, msg, cap, "cannot read state file %s: %s", h->path,
				strerror(errno));
		buf_free(&text);
		return err;
	}
	root = json_loadb(text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
	buf_free(&text);
	if (!root)
		return bh_errorf(BH_ERR_PARSE, msg, cap,
				 "state file %s is corrupt: line %d column %d: %s", h->path,
				 jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return bh_errorf(BH_ERR_PARSE, msg, cap,
				 "state file %s is corrupt: not a JSON object", h->path);
	}

	/* The version first: a newer file may look corrupt to us. */
	v = json_object_get(root, "schema");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		json_decref(root);
		return bh_errorf(BH_ERR_PARSE, msg, cap,
				 "state file %s is corrupt: no valid \"schema\" version", h->path);
	}
	if (json_integer_value(v) > STATE_SCHEMA) {
		err =
		    bh_errorf(BH_ERR_VERSION, msg, cap,
			      "state file %s was written by a newer behalf (schema %lld); this one "
			      "reads up to %d",
			      h->path, (long long)json_integer_value(v), STATE_SCHEMA);
		json_decref(root);
		return err;
	}
	v = json_object_get(root, "customer");
	if (!json_is_string(v)) {
		json_decref(root);
		return bh_errorf(BH_ERR_PARSE, msg, cap,
				 "state file %s is corrupt: no \"customer\"", h->path);
	}
	if (strcmp(json_string_value(v), h->customer) != 0) {
		err = bh_errorf(BH_ERR_INVALID, msg, cap,
				"state file %s belongs to customer \"%.64s\", not %s", h->path,
				json_string_value(v), h->customer);
		json_decref(root);
		return err;
	}

	/* Into a copy, so that a corrupt file leaves w as it was (a copy of
	 * 400 KB: behalf list, reading thousands of files, does without). */
	if (keep) {
		tmp = xmalloc(sizeof *tmp);
		memcpy(tmp, w, sizeof *tmp);
	} else {
		tmp = w;
	}
	load_table(&r, root, &wizard_table, "", (char *)tmp);
	if (json_integer_value(json_object_get(root, "schema")) < 3 && !r.failed)
		load_esp_domain_v2(&r, json_object_get(root, "esp_domain"), &tmp->esp_domain);
	if (json_integer_value(json_object_get(root, "schema")) < 2 && !r.failed)
		load_switch_v1(&r, json_object_get(root, "switch"), tmp);
	json_decref(root);
	if (r.failed) {
		if (keep)
			free(tmp);
		return BH_ERR_PARSE;
	}
	load_reset_transient(tmp);
	if (keep) {
		memcpy(w, tmp, sizeof *tmp);
		free(tmp);
	}
	return BH_OK;
}

enum bh_err state_load(struct state_handle *h, struct wizard *w, char *msg, size_t cap)
{
	return state_load_into(h, w, true, msg, cap);
}

/* state_peek, state_peek_any */
static enum bh_err state_peek_into(const char *dir, const char *customer, struct wizard *w,
				   bool keep, char *msg, size_t cap)
{
	struct state_handle h = {0};
	struct buf name = {0}, path = {0};
	enum bh_err err;

	if (!state_customer_id_ok(customer))
		return bh_errorf(
		    BH_ERR_INVALID, msg, cap,
		    "customer id \"%.80s\" is not usable: use 1 to 64 letters, digits, "
		    "'.', '_' or '-', not starting with '.'",
		    customer ? customer : "");
	/* A handle without a lock: state_load only reads the path and the id. */
	buf_printf(&name, "%s.json", customer);
	buf_printf(&path, "%s/%s", dir, name.data);
	h.dir = (char *)dir;
	h.customer = (char *)customer;
	h.name = name.data;
	h.path = path.data;
	h.lock_fd = -1;
	err = state_load_into(&h, w, keep, msg, cap);
	buf_free(&name);
	buf_free(&path);
	return err;
}

enum bh_err state_peek(const char *dir, const char *customer, struct wizard *w, char *msg,
		       size_t cap)
{
	return state_peek_into(dir, customer, w, true, msg, cap);
}

enum bh_err state_peek_any(const char *dir, const char *customer, struct wizard *w, char *msg,
			   size_t cap)
{
	return state_peek_into(dir, customer, w, false, msg, cap);
}
