/* The customer's state file (see state.h): the wizard to and from JSON,
 * atomic writes, the per-customer lock and the audit log.
 *
 * Enumerations are saved as their stable words, not numbers, so that the
 * file reads well and survives a reordering of an enum.  Keys missing from
 * a file keep the value wizard_init gave them; a key of the wrong type or a
 * string too long for its field makes the file corrupt. */
#include "core/state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fileio.h"
#include "core/sanitize.h"

/* An open state directory with one customer's lock held. */
struct state_handle {
	char *dir;	/* malloced; the state directory */
	char *customer; /* malloced; the checked customer id */
	char *path;	/* malloced; <dir>/<customer>.json */
	char *name;	/* malloced; <customer>.json, relative to dir */
	int lock_fd;	/* <dir>/<customer>.lock, flock()ed; -1 once closed */
};

static const char *const option_words[OPTION__COUNT] = {"none", "domain", "address", "name"};
static const char *const answer_words[] = {"unanswered", "yes", "no", "unsure"};
static const char *const format_words[FROM_FORMAT__COUNT] = {"via", "for", "plain", "custom"};
static const char *const address_words[FROM_ADDRESS__COUNT] = {"shared", "local", "subdomain"};
static const char *const kind_words[] = {"domain", "signature"};
static const char *const fate_words[] = {"in-use", "kept", "removed"};
static const enum record_type record_types[] = {RECORD_TYPE_A, RECORD_TYPE_CNAME, RECORD_TYPE_TXT,
						RECORD_TYPE_AAAA, RECORD_TYPE_MX};
#define NTYPES (sizeof record_types / sizeof record_types[0])

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

enum bh_err state_open(const char *dir, const char *customer, struct state_handle **out, char *msg,
		       size_t cap)
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
	if (h->lock_fd >= 0)
		close(h->lock_fd); /* releases the flock */
	free(h->dir);
	free(h->customer);
	free(h->path);
	free(h->name);
	free(h);
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

/* ---- saving ---- */

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

/* The word for value in words[n], or the first word when out of range. */
static json_t *jword(const char *const *words, int n, int value)
{
	return json_string(value >= 0 && value < n && words[value] ? words[value] : words[0]);
}

static const char *step_word(enum wizard_step s)
{
	const char *w = wizard_step_word(s);
	return w ? w : "welcome";
}

static json_t *save_result(struct writer *wr, const struct record_result *r)
{
	json_t *o = json_object(), *servers = json_array(), *diags = json_array();
	size_t i;

	put(wr, o, "status", json_string(record_status_word(r->status)));
	for (i = 0; i < r->nservers && i < RECORD_MAX_SERVERS; i++) {
		json_t *s = json_object();
		put(wr, s, "status", json_string(record_status_word(r->per_server[i])));
		put(wr, s, "seen", jstr(r->seen[i]));
		if (json_array_append_new(servers, s) != 0)
			wr->ok = false;
	}
	put(wr, o, "servers", servers);
	for (i = 0; i < r->ndiagnoses && i < RECORD_MAX_DIAGNOSES; i++) {
		json_t *d = json_object();
		put(wr, d, "code", json_string(record_diag_code(r->diagnoses[i].code)));
		put(wr, d, "arg", jstr(r->diagnoses[i].arg));
		put(wr, d, "arg2", jstr(r->diagnoses[i].arg2));
		if (json_array_append_new(diags, d) != 0)
			wr->ok = false;
	}
	put(wr, o, "diagnoses", diags);
	return o;
}

/* The whole wizard as a JSON tree (persistent fields only). */
/* The domain at the ESP: {"exists", "id", "name", "records": [{"purpose",
 * "type", "name", "value", "required", "esp_verified"}]}. */
static void state_save_esp_domain(struct writer *wr, json_t *root,
				  const struct wizard_domain_res *d)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;
	put(wr, o, "exists", json_boolean(d->exists));
	put(wr, o, "id", jstr(d->id));
	put(wr, o, "name", jstr(d->name));
	for (i = 0; i < d->nrecords && i < RESOURCE_RECORDS_MAX; i++) {
		const struct resource_record *rr = &d->records[i];
		json_t *ro = json_object();
		put(wr, ro, "purpose", json_string(record_purpose_word(rr->rec.purpose)));
		put(wr, ro, "type", json_string(record_type_word(rr->rec.type)));
		put(wr, ro, "name", jstr(rr->rec.name));
		put(wr, ro, "value", jstr(rr->rec.value));
		put(wr, ro, "required", json_boolean(rr->rec.required));
		put(wr, ro, "esp_verified", json_boolean(rr->esp_verified));
		if (json_array_append_new(a, ro) != 0)
			wr->ok = false;
	}
	put(wr, o, "records", a);
	put(wr, root, "esp_domain", o);
}

static json_t *save_wizard(struct writer *wr, const struct state_handle *h, const struct wizard *w)
{
	json_t *root = json_object(), *a, *o;
	char when[32];
	size_t i;

	state_iso_time(clock_wall_ms(), when, sizeof when);
	put(wr, root, "schema", json_integer(STATE_SCHEMA));
	put(wr, root, "customer", json_string(h->customer));
	put(wr, root, "saved_at", json_string(when));

	put(wr, root, "step", json_string(step_word(w->step)));
	a = json_array();
	for (i = 0; i < w->history_len && i < WIZARD_HISTORY_MAX; i++)
		if (json_array_append_new(a, json_string(step_word(w->history[i]))) != 0)
			wr->ok = false;
	put(wr, root, "history", a);
	put(wr, root, "option", jword(option_words, OPTION__COUNT, (int)w->option));

	o = json_object();
	put(wr, o, "cursor", json_integer(w->choose_cursor));
	put(wr, root, "choose", o);

	o = json_object();
	put(wr, o, "question", json_integer(w->advisor_question));
	put(wr, o, "cursor", json_integer(w->advisor_cursor));
	a = json_array();
	for (i = 0; i < ADVISOR_QUESTIONS; i++)
		if (json_array_append_new(a, jword(answer_words, 4, (int)w->advisor[i])) != 0)
			wr->ok = false;
	put(wr, o, "answers", a);
	put(wr, root, "advisor", o);

	/* option 1 */
	put(wr, root, "domain_input", jfield(wr, &w->domain_input));
	o = json_object();
	put(wr, o, "ascii", jstr(w->domain.ascii));
	put(wr, o, "unicode", jstr(w->domain.unicode));
	put(wr, o, "idn", json_boolean(w->domain.is_idn));
	put(wr, root, "domain", o);

	state_save_esp_domain(wr, root, &w->esp_domain);

	a = json_array();
	for (i = 0; i < w->nrecords && i < WIZARD_MAX_RECORDS; i++) {
		const struct expected_record *r = &w->records[i];
		json_t *ro = json_object();
		put(wr, ro, "purpose", json_string(record_purpose_word(r->purpose)));
		put(wr, ro, "type", json_string(record_type_word(r->type)));
		put(wr, ro, "name", jstr(r->name));
		put(wr, ro, "value", jstr(r->value));
		put(wr, ro, "required", json_boolean(r->required));
		put(wr, ro, "result", save_result(wr, &w->results[i]));
		if (json_array_append_new(a, ro) != 0)
			wr->ok = false;
	}
	put(wr, root, "records", a);
	o = json_object();
	put(wr, o, "cursor", json_integer(w->records_cursor));
	put(wr, o, "detail", json_boolean(w->records_detail));
	put(wr, o, "dns_host", jstr(w->dns_host));
	put(wr, o, "checks", json_integer(w->checks));
	put(wr, o, "verify_attempts", json_integer(w->verify_attempts));
	put(wr, root, "records_view", o);

	/* option 2 */
	o = json_object();
	put(wr, o, "email", jfield(wr, &w->address_email));
	put(wr, o, "name", jfield(wr, &w->address_name));
	put(wr, o, "focus", json_integer(w->address_focus));
	put(wr, o, "normalized", jstr(w->address_normalized));
	put(wr, o, "resend_wanted", json_boolean(w->resend_wanted));
	put(wr, o, "dmarc_domain", jstr(w->dmarc_domain));
	put(wr, o, "dmarc_verdict", json_integer(w->dmarc_verdict));
	put(wr, o, "dmarc_policy", jstr(w->dmarc_policy));
	put(wr, o, "dmarc_org", jstr(w->dmarc_org));
	put(wr, o, "dmarc_ack", json_boolean(w->dmarc_ack));
	put(wr, o, "name_asked", jstr(w->name_asked));
	put(wr, root, "address", o);

	/* the customer's own ESP server */
	o = json_object();
	put(wr, o, "answer", json_integer(w->server_answer));
	put(wr, o, "id", jstr(w->server_id));
	put(wr, root, "server", o);

	o = json_object();
	put(wr, o, "exists", json_boolean(w->signature.exists));
	put(wr, o, "id", jstr(w->signature.id));
	put(wr, o, "email", jstr(w->signature.email));
	put(wr, o, "name", jstr(w->signature.name));
	put(wr, o, "confirmed", json_boolean(w->signature.confirmed));
	put(wr, o, "created_ms", json_integer(w->signature.created_ms));
	put(wr, o, "resent_ms", json_integer(w->signature.resent_ms));
	put(wr, root, "signature", o);

	/* option 3 */
	o = json_object();
	put(wr, o, "name", jfield(wr, &w->from_name));
	put(wr, o, "format", jword(format_words, FROM_FORMAT__COUNT, (int)w->from_format));
	put(wr, o, "pattern", jfield(wr, &w->from_pattern));
	put(wr, o, "address", jword(address_words, FROM_ADDRESS__COUNT, (int)w->from_address));
	put(wr, o, "focus", json_integer(w->from_focus));
	put(wr, root, "from_name", o);

	/* every resource at the ESP (schema 2), and switching option */
	a = json_array();
	for (i = 0; i < w->nresources && i < WIZARD_RESOURCES_MAX; i++) {
		const struct wizard_resource *res = &w->resources[i];
		json_t *ro = json_object();
		put(wr, ro, "kind", jword(kind_words, 2, (int)res->kind));
		put(wr, ro, "id", jstr(res->id));
		put(wr, ro, "name", jstr(res->name));
		put(wr, ro, "fate", jword(fate_words, 3, (int)res->fate));
		put(wr, ro, "remove", json_boolean(res->remove));
		put(wr, ro, "created_ms", json_integer(res->created_ms));
		put(wr, ro, "resent_ms", json_integer(res->resent_ms));
		if (json_array_append_new(a, ro) != 0)
			wr->ok = false;
	}
	put(wr, root, "resources", a);
	o = json_object();
	put(wr, o, "target", jword(option_words, OPTION__COUNT, (int)w->switch_target));
	put(wr, o, "then", json_string(step_word(w->switch_then)));
	put(wr, o, "correction", json_boolean(w->switch_correction));
	put(wr, o, "confirmed", json_boolean(w->switch_confirmed));
	put(wr, o, "cursor", json_integer(w->switch_cursor));
	put(wr, root, "switch", o);

	put(wr, root, "demo_stage", json_integer(w->demo_stage));

	/* export dialog: the latest sends to teammates, for the hourly limit */
	o = json_object();
	a = json_array();
	for (i = 0; i < WIZARD_SENDS_PER_HOUR; i++)
		if (w->export.sends_ms[i] > 0 &&
		    json_array_append_new(a, json_integer(w->export.sends_ms[i])) != 0)
			wr->ok = false;
	put(wr, o, "sends_ms", a);
	/* the demo's sends apart: a demo never uses up a real session's limit */
	a = json_array();
	for (i = 0; i < WIZARD_SENDS_PER_HOUR; i++)
		if (w->export.demo_sends_ms[i] > 0 &&
		    json_array_append_new(a, json_integer(w->export.demo_sends_ms[i])) != 0)
			wr->ok = false;
	put(wr, o, "demo_sends_ms", a);
	put(wr, root, "export", o);
	return root;
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

/* obj[key] as an integer in min..max; absent keeps *out. */
static bool rd_int(struct reader *r, json_t *obj, const char *where, const char *key, int64_t min,
		   int64_t max, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	if (!json_is_integer(v))
		return rd_fail(r, where, key, "is not an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return rd_fail(r, where, key, "is out of range (%lld, expected %lld to %lld)",
			       (long long)json_integer_value(v), (long long)min, (long long)max);
	*out = (int64_t)json_integer_value(v);
	return true;
}

/* rd_int for an int field. */
static bool rd_intf(struct reader *r, json_t *obj, const char *where, const char *key, int min,
		    int max, int *out)
{
	int64_t v = *out;
	if (!rd_int(r, obj, where, key, min, max, &v))
		return false;
	*out = (int)v;
	return true;
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

/* The index of word s in words[n], or -1. */
static int word_index(const char *const *words, int n, const char *s)
{
	int i;
	for (i = 0; i < n; i++)
		if (words[i] && strcmp(words[i], s) == 0)
			return i;
	return -1;
}

/* A word of words[n] at v (a JSON value), its index in *out. */
static bool rd_word_value(struct reader *r, json_t *v, const char *where, const char *key,
			  const char *const *words, int n, int *out)
{
	int i;
	if (!json_is_string(v))
		return rd_fail(r, where, key, "is not a string");
	i = word_index(words, n, json_string_value(v));
	if (i < 0)
		return rd_fail(r, where, key, "has an unknown value \"%.40s\"",
			       json_string_value(v));
	*out = i;
	return true;
}

/* obj[key] as one of words[n]; absent keeps *out. */
static bool rd_word(struct reader *r, json_t *obj, const char *where, const char *key,
		    const char *const *words, int n, int *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return true;
	return rd_word_value(r, v, where, key, words, n, out);
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

/* The send times of the hourly limit at key of the export object. */
static void rd_sends(struct reader *r, json_t *o, const char *key,
		     int64_t sends[WIZARD_SENDS_PER_HOUR])
{
	json_t *a = rd_array(r, o, "export", key, WIZARD_SENDS_PER_HOUR);
	size_t i;
	memset(sends, 0, sizeof(int64_t) * WIZARD_SENDS_PER_HOUR);
	for (i = 0; a && i < json_array_size(a) && !r->failed; i++) {
		json_t *when = json_array_get(a, i);
		if (!json_is_integer(when) || json_integer_value(when) < 1) {
			rd_fail(r, "export", key, "holds a value that is not a time");
			break;
		}
		sends[i] = (int64_t)json_integer_value(when);
	}
}

/* A field: its text and cursor; the error is not saved and is cleared. */
static void rd_field(struct reader *r, json_t *obj, const char *where, const char *key,
		     struct field *f)
{
	json_t *o = rd_obj(r, obj, where, key);
	int64_t cursor;
	char path[64];

	if (!o)
		return;
	snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", key);
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

/* Tables of the words other modules own, built once per load. */
struct words {
	const char *steps[STEP__COUNT];
	const char *statuses[STATUS__COUNT];
	const char *diags[DIAG__COUNT];
	const char *purposes[PURPOSE__COUNT];
	const char *types[NTYPES];
};

static void words_init(struct words *t)
{
	size_t i;
	for (i = 0; i < STEP__COUNT; i++)
		t->steps[i] = wizard_step_word((enum wizard_step)i);
	for (i = 0; i < STATUS__COUNT; i++)
		t->statuses[i] = record_status_word((enum record_status)i);
	for (i = 0; i < DIAG__COUNT; i++)
		t->diags[i] = record_diag_code((enum record_diag)i);
	for (i = 0; i < PURPOSE__COUNT; i++)
		t->purposes[i] = record_purpose_word((enum record_purpose)i);
	for (i = 0; i < NTYPES; i++)
		t->types[i] = record_type_word(record_types[i]);
}

static void load_result(struct reader *r, const struct words *t, json_t *o, const char *where,
			struct record_result *res)
{
	json_t *a;
	size_t i;
	int v;
	char path[64];

	memset(res, 0, sizeof *res);
	v = STATUS_UNKNOWN;
	rd_word(r, o, where, "status", t->statuses, STATUS__COUNT, &v);
	res->status = (enum record_status)v;
	a = rd_array(r, o, where, "servers", RECORD_MAX_SERVERS);
	for (i = 0; a && i < json_array_size(a); i++) {
		json_t *s = json_array_get(a, i);
		snprintf(path, sizeof path, "%s.servers[%zu]", where, i);
		if (!json_is_object(s)) {
			rd_fail(r, path, "", "is not an object");
			return;
		}
		v = STATUS_UNKNOWN;
		rd_word(r, s, path, "status", t->statuses, STATUS__COUNT, &v);
		res->per_server[i] = (enum record_status)v;
		rd_str(r, s, path, "seen", res->seen[i], sizeof res->seen[i]);
		res->nservers = i + 1;
	}
	a = rd_array(r, o, where, "diagnoses", RECORD_MAX_DIAGNOSES);
	for (i = 0; a && i < json_array_size(a); i++) {
		json_t *d = json_array_get(a, i);
		snprintf(path, sizeof path, "%s.diagnoses[%zu]", where, i);
		if (!json_is_object(d)) {
			rd_fail(r, path, "", "is not an object");
			return;
		}
		v = 0;
		if (!json_object_get(d, "code")) {
			rd_fail(r, path, "code", "is missing");
			return;
		}
		rd_word(r, d, path, "code", t->diags, DIAG__COUNT, &v);
		res->diagnoses[i].code = (enum record_diag)v;
		rd_str(r, d, path, "arg", res->diagnoses[i].arg, sizeof res->diagnoses[i].arg);
		rd_str(r, d, path, "arg2", res->diagnoses[i].arg2, sizeof res->diagnoses[i].arg2);
		res->ndiagnoses = i + 1;
	}
}

/* Files written before the list: a DKIM TXT and a Return-Path CNAME in
 * fields of their own (dkim_host, dkim_value, dkim_verified,
 * return_path_host, return_path_target, return_path_verified). */
static void load_esp_domain_v1(struct reader *r, json_t *o, struct wizard_domain_res *d)
{
	char *host = xcalloc(1, RECORD_NAME_MAX), *value = xcalloc(1, RECORD_VALUE_MAX);
	bool verified = false;
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
	free(host);
	free(value);
}

/* The domain at the ESP, as state_save_esp_domain writes it (or in the
 * fields of files written before the list). */
static void state_load_esp_domain(struct reader *r, const struct words *t, json_t *root,
				  struct wizard_domain_res *d)
{
	json_t *o = rd_obj(r, root, "", "esp_domain"), *a;
	size_t i;
	char where[64];

	if (!o)
		return;
	rd_bool(r, o, "esp_domain", "exists", &d->exists);
	rd_str(r, o, "esp_domain", "id", d->id, sizeof d->id);
	rd_str(r, o, "esp_domain", "name", d->name, sizeof d->name);
	memset(d->records, 0, sizeof d->records);
	d->nrecords = 0;
	a = rd_array(r, o, "esp_domain", "records", RESOURCE_RECORDS_MAX);
	if (!a) {
		load_esp_domain_v1(r, o, d);
		return;
	}
	for (i = 0; i < json_array_size(a) && !r->failed; i++) {
		json_t *ro = json_array_get(a, i);
		struct resource_record *rr = &d->records[i];
		int v;

		snprintf(where, sizeof where, "esp_domain.records[%zu]", i);
		if (!json_is_object(ro)) {
			rd_fail(r, where, "", "is not an object");
			return;
		}
		if (!json_object_get(ro, "purpose") || !json_object_get(ro, "type") ||
		    !json_object_get(ro, "name") || !json_object_get(ro, "value")) {
			rd_fail(r, where, "", "lacks purpose, type, name or value");
			return;
		}
		v = 0;
		rd_word(r, ro, where, "purpose", t->purposes, PURPOSE__COUNT, &v);
		rr->rec.purpose = (enum record_purpose)v;
		v = 0;
		rd_word(r, ro, where, "type", t->types, (int)NTYPES, &v);
		rr->rec.type = record_types[v];
		rd_str(r, ro, where, "name", rr->rec.name, sizeof rr->rec.name);
		rd_str(r, ro, where, "value", rr->rec.value, sizeof rr->rec.value);
		rd_bool(r, ro, where, "required", &rr->rec.required);
		rd_bool(r, ro, where, "esp_verified", &rr->esp_verified);
		d->nrecords = i + 1;
	}
}

static void load_records(struct reader *r, const struct words *t, json_t *root, struct wizard *w)
{
	json_t *a = rd_array(r, root, "", "records", WIZARD_MAX_RECORDS);
	size_t i;
	char where[32];

	if (!a)
		return;
	memset(w->records, 0, sizeof w->records);
	memset(w->results, 0, sizeof w->results);
	w->nrecords = 0;
	for (i = 0; i < json_array_size(a) && !r->failed; i++) {
		json_t *o = json_array_get(a, i), *res;
		struct expected_record *rec = &w->records[i];
		int v;

		snprintf(where, sizeof where, "records[%zu]", i);
		if (!json_is_object(o)) {
			rd_fail(r, where, "", "is not an object");
			return;
		}
		if (!json_object_get(o, "purpose") || !json_object_get(o, "type") ||
		    !json_object_get(o, "name") || !json_object_get(o, "value")) {
			rd_fail(r, where, "", "lacks purpose, type, name or value");
			return;
		}
		v = 0;
		rd_word(r, o, where, "purpose", t->purposes, PURPOSE__COUNT, &v);
		rec->purpose = (enum record_purpose)v;
		v = 0;
		rd_word(r, o, where, "type", t->types, (int)NTYPES, &v);
		rec->type = record_types[v];
		rd_str(r, o, where, "name", rec->name, sizeof rec->name);
		rd_str(r, o, where, "value", rec->value, sizeof rec->value);
		rd_bool(r, o, where, "required", &rec->required);
		res = rd_obj(r, o, where, "result");
		if (res)
			load_result(r, t, res, where, &w->results[i]);
		w->nrecords = i + 1;
	}
}

/* Schema 2: every resource at the ESP, with what became of it. */
static void load_resources(struct reader *r, json_t *root, struct wizard *w)
{
	json_t *a = rd_array(r, root, "", "resources", WIZARD_RESOURCES_MAX);
	size_t i;
	char where[32];

	if (!a)
		return;
	memset(w->resources, 0, sizeof w->resources);
	w->nresources = 0;
	for (i = 0; i < json_array_size(a) && !r->failed; i++) {
		json_t *o = json_array_get(a, i);
		struct wizard_resource *res = &w->resources[i];
		int v;

		snprintf(where, sizeof where, "resources[%zu]", i);
		if (!json_is_object(o)) {
			rd_fail(r, where, "", "is not an object");
			return;
		}
		if (!json_object_get(o, "kind") || !json_object_get(o, "id") ||
		    !json_object_get(o, "name")) {
			rd_fail(r, where, "", "lacks kind, id or name");
			return;
		}
		v = 0;
		rd_word(r, o, where, "kind", kind_words, 2, &v);
		res->kind = (enum wizard_res_kind)v;
		v = 0;
		rd_word(r, o, where, "fate", fate_words, 3, &v);
		res->fate = (enum wizard_res_fate)v;
		rd_str(r, o, where, "id", res->id, sizeof res->id);
		rd_str(r, o, where, "name", res->name, sizeof res->name);
		rd_bool(r, o, where, "remove", &res->remove);
		rd_int(r, o, where, "created_ms", 0, INT64_MAX, &res->created_ms);
		rd_int(r, o, where, "resent_ms", 0, INT64_MAX, &res->resent_ms);
		w->nresources = i + 1;
	}
}

/* Schema 1 knew one domain and one signature, each kept or not, and the
 * switch's choice for each (o, the "switch" object, may be NULL): into the
 * list. */
static void load_switch_v1(struct reader *r, json_t *o, struct wizard *w)
{
	bool domain_kept = false, signature_kept = false, rm_domain = false, rm_signature = false;
	struct wizard_resource *res;

	rd_bool(r, o, "switch", "domain_kept", &domain_kept);
	rd_bool(r, o, "switch", "signature_kept", &signature_kept);
	rd_bool(r, o, "switch", "remove_domain", &rm_domain);
	rd_bool(r, o, "switch", "remove_signature", &rm_signature);
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

/* Everything but the header (customer), into w; schema is the file's. */
static void load_wizard(struct reader *r, json_t *root, struct wizard *w, json_int_t schema)
{
	struct words t;
	json_t *o, *a;
	size_t i;
	int v;

	words_init(&t);
	v = (int)w->step;
	if (!json_object_get(root, "step"))
		rd_fail(r, "", "step", "is missing");
	rd_word(r, root, "", "step", t.steps, STEP__COUNT, &v);
	w->step = (enum wizard_step)v;
	a = rd_array(r, root, "", "history", WIZARD_HISTORY_MAX);
	if (a) {
		w->history_len = 0;
		for (i = 0; i < json_array_size(a) && !r->failed; i++) {
			v = 0;
			rd_word_value(r, json_array_get(a, i), "", "history", t.steps, STEP__COUNT,
				      &v);
			w->history[i] = (enum wizard_step)v;
			w->history_len = i + 1;
		}
	}
	v = (int)w->option;
	rd_word(r, root, "", "option", option_words, OPTION__COUNT, &v);
	w->option = (enum wizard_option)v;

	o = rd_obj(r, root, "", "choose");
	if (o)
		rd_intf(r, o, "choose", "cursor", 0, 3, &w->choose_cursor);
	o = rd_obj(r, root, "", "advisor");
	if (o) {
		rd_intf(r, o, "advisor", "question", 0, ADVISOR_QUESTIONS, &w->advisor_question);
		rd_intf(r, o, "advisor", "cursor", 0, 15, &w->advisor_cursor);
		a = rd_array(r, o, "advisor", "answers", ADVISOR_QUESTIONS);
		for (i = 0; a && i < json_array_size(a) && !r->failed; i++) {
			v = 0;
			rd_word_value(r, json_array_get(a, i), "advisor", "answers", answer_words,
				      4, &v);
			w->advisor[i] = (enum advisor_answer)v;
		}
	}

	/* option 1 */
	rd_field(r, root, "", "domain_input", &w->domain_input);
	o = rd_obj(r, root, "", "domain");
	if (o) {
		rd_str(r, o, "domain", "ascii", w->domain.ascii, sizeof w->domain.ascii);
		rd_str(r, o, "domain", "unicode", w->domain.unicode, sizeof w->domain.unicode);
		rd_bool(r, o, "domain", "idn", &w->domain.is_idn);
	}
	state_load_esp_domain(r, &t, root, &w->esp_domain);
	load_records(r, &t, root, w);
	o = rd_obj(r, root, "", "records_view");
	if (o) {
		int max = w->nrecords ? (int)w->nrecords - 1 : 0;
		rd_intf(r, o, "records_view", "cursor", 0, max, &w->records_cursor);
		rd_bool(r, o, "records_view", "detail", &w->records_detail);
		rd_str(r, o, "records_view", "dns_host", w->dns_host, sizeof w->dns_host);
		rd_intf(r, o, "records_view", "checks", 0, 1000000000, &w->checks);
		rd_intf(r, o, "records_view", "verify_attempts", 0, 1000000000,
			&w->verify_attempts);
	}

	/* option 2 */
	o = rd_obj(r, root, "", "address");
	if (o) {
		rd_field(r, o, "address", "email", &w->address_email);
		rd_field(r, o, "address", "name", &w->address_name);
		rd_intf(r, o, "address", "focus", 0, 1, &w->address_focus);
		rd_str(r, o, "address", "normalized", w->address_normalized,
		       sizeof w->address_normalized);
		rd_bool(r, o, "address", "resend_wanted", &w->resend_wanted);
		rd_str(r, o, "address", "dmarc_domain", w->dmarc_domain, sizeof w->dmarc_domain);
		rd_intf(r, o, "address", "dmarc_verdict", 0, 3, &w->dmarc_verdict);
		rd_str(r, o, "address", "dmarc_policy", w->dmarc_policy, sizeof w->dmarc_policy);
		rd_str(r, o, "address", "dmarc_org", w->dmarc_org, sizeof w->dmarc_org);
		rd_bool(r, o, "address", "dmarc_ack", &w->dmarc_ack);
		rd_str(r, o, "address", "name_asked", w->name_asked, sizeof w->name_asked);
	}
	o = rd_obj(r, root, "", "server");
	if (o) {
		int answer = (int)w->server_answer;
		rd_intf(r, o, "server", "answer", 0, 2, &answer);
		w->server_answer = (enum wizard_server_answer)answer;
		rd_str(r, o, "server", "id", w->server_id, sizeof w->server_id);
	}
	o = rd_obj(r, root, "", "signature");
	if (o) {
		struct wizard_signature_res *s = &w->signature;
		rd_bool(r, o, "signature", "exists", &s->exists);
		rd_str(r, o, "signature", "id", s->id, sizeof s->id);
		rd_str(r, o, "signature", "email", s->email, sizeof s->email);
		rd_str(r, o, "signature", "name", s->name, sizeof s->name);
		rd_bool(r, o, "signature", "confirmed", &s->confirmed);
		rd_int(r, o, "signature", "created_ms", 0, INT64_MAX, &s->created_ms);
		rd_int(r, o, "signature", "resent_ms", 0, INT64_MAX, &s->resent_ms);
	}

	/* option 3 */
	o = rd_obj(r, root, "", "from_name");
	if (o) {
		rd_field(r, o, "from_name", "name", &w->from_name);
		v = (int)w->from_format;
		rd_word(r, o, "from_name", "format", format_words, FROM_FORMAT__COUNT, &v);
		w->from_format = (enum from_format)v;
		rd_field(r, o, "from_name", "pattern", &w->from_pattern);
		v = (int)w->from_address;
		rd_word(r, o, "from_name", "address", address_words, FROM_ADDRESS__COUNT, &v);
		w->from_address = (enum from_address)v;
		rd_intf(r, o, "from_name", "focus", 0, 3, &w->from_focus);
	}

	/* switching option */
	load_resources(r, root, w);
	o = rd_obj(r, root, "", "switch");
	if (o) {
		v = (int)w->switch_target;
		rd_word(r, o, "switch", "target", option_words, OPTION__COUNT, &v);
		w->switch_target = (enum wizard_option)v;
		v = (int)w->switch_then;
		rd_word(r, o, "switch", "then", t.steps, STEP__COUNT, &v);
		w->switch_then = (enum wizard_step)v;
		rd_bool(r, o, "switch", "correction", &w->switch_correction);
		rd_bool(r, o, "switch", "confirmed", &w->switch_confirmed);
		rd_intf(r, o, "switch", "cursor", 0, WIZARD_RESOURCES_MAX, &w->switch_cursor);
	}
	if (schema < 2)
		load_switch_v1(r, o, w);

	rd_intf(r, root, "", "demo_stage", 0, 1000000, &w->demo_stage);

	o = rd_obj(r, root, "", "export");
	if (o) {
		rd_sends(r, o, "sends_ms", w->export.sends_ms);
		rd_sends(r, o, "demo_sends_ms", w->export.demo_sends_ms);
	}
}

/* What is not saved: reset, and timers due now so that the resumed session
 * checks the DNS, verifies and polls at once.  Monotonic times of another
 * run mean nothing; the fast-poll phase starts again, since a customer who
 * comes back has often just changed their DNS. */
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

enum bh_err state_load(struct state_handle *h, struct wizard *w, char *msg, size_t cap)
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

	/* Into a copy, so that a corrupt file leaves w as it was. */
	tmp = xmalloc(sizeof *tmp);
	memcpy(tmp, w, sizeof *tmp);
	load_wizard(&r, root, tmp, json_integer_value(json_object_get(root, "schema")));
	json_decref(root);
	if (r.failed) {
		free(tmp);
		return BH_ERR_PARSE;
	}
	load_reset_transient(tmp);
	memcpy(w, tmp, sizeof *tmp);
	free(tmp);
	return BH_OK;
}

enum bh_err state_peek(const char *dir, const char *customer, struct wizard *w, char *msg,
		       size_t cap)
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
	err = state_load(&h, w, msg, cap);
	buf_free(&name);
	buf_free(&path);
	return err;
}
