#define _GNU_SOURCE /* O_CLOEXEC */
#include "app/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/fileio.h"
#include "core/state.h"

void events_dir(const char *state_dir, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", state_dir, EVENTS_DIR);
}

/* msg_ and 128 random bits in hex: unique without coordination between
 * the many processes that append. */
static void events_new_id(char *id, size_t cap)
{
	unsigned char r[16];
	size_t got = 0, i;
	char hex[33];
	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* no entropy source: time, pid and a counter */
			static unsigned counter;
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			snprintf(hex, sizeof hex, "%016llx%08x%08x",
				 (unsigned long long)ts.tv_sec * 1000000000ULL +
				     (unsigned long long)ts.tv_nsec,
				 (unsigned)getpid(), counter++);
			snprintf(id, cap, "msg_%s", hex);
			return;
		}
		got += (size_t)n;
	}
	for (i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	snprintf(id, cap, "msg_%s", hex);
}

/* ISO-8601 UTC with milliseconds: 2026-12-01T20:01:50.123Z */
static void events_time(int64_t wall_ms, char *out, size_t cap)
{
	char sec[32];
	state_iso_time(wall_ms, sec, sizeof sec);
	if (strlen(sec) == 20) /* ...:SSZ */
		snprintf(out, cap, "%.19s.%03dZ", sec, (int)(wall_ms % 1000));
	else
		str_copy(out, cap, sec);
}

/* Makes the outbox directory (and the state directory) when missing. */
static enum bh_err events_make_dir(const char *state_dir, char *dir, size_t dcap, char *msg,
				   size_t cap)
{
	enum bh_err err = state_make_dir(state_dir, msg, cap);
	if (err)
		return err;
	events_dir(state_dir, dir, dcap);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot make %s: %s", dir, strerror(errno));
	return BH_OK;
}

/* Writes line to the customer's outbox file: flock, a newline first when
 * the file ends in a torn line (a crash mid-write), the line, fsync. */
static enum bh_err events_write(const char *dir, const char *customer, const char *line, size_t len,
				char *msg, size_t cap)
{
	char path[2048];
	struct stat st;
	enum bh_err err = BH_OK;
	bool created;
	int fd;
	snprintf(path, sizeof path, "%s/%s.jsonl", dir, customer);
	created = stat(path, &st) != 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			err = bh_errorf(BH_ERR_IO, msg, cap, "cannot lock %s: %s", path,
					strerror(errno));
			goto out;
		}
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		char last = '\n';
		int rfd = open(path, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			if (pread(rfd, &last, 1, st.st_size - 1) != 1)
				last = '\n';
			close(rfd);
		}
		if (last != '\n' && !file_write_all(fd, "\n", 1)) {
			err = bh_errorf(BH_ERR_IO, msg, cap, "cannot write %s: %s", path,
					strerror(errno));
			goto out;
		}
	}
	if (!file_write_all(fd, line, len) || fsync(fd) != 0) {
		err = bh_errorf(BH_ERR_IO, msg, cap, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	if (created) { /* the new name must survive a crash too */
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
out:
	close(fd); /* releases the lock */
	return err;
}

enum bh_err events_append_at(const char *state_dir, const char *customer, enum milestone m,
			     const char *subject, json_t *data, int64_t wall_ms, char *id_out,
			     char *msg, size_t cap)
{
	char dir[1100], id[EVENTS_ID_MAX], when[40];
	const char *type = milestone_word(m);
	json_t *ev;
	char *line;
	size_t len;
	enum bh_err err;
	if (!data)
		data = json_object();
	if (!state_customer_id_ok(customer) || !type || !json_is_object(data)) {
		json_decref(data);
		return bh_errorf(BH_ERR_INVALID, msg, cap, "not an event of a customer");
	}
	err = events_make_dir(state_dir, dir, sizeof dir, msg, cap);
	if (err) {
		json_decref(data);
		return err;
	}
	json_object_set_new(data, "customer", json_string(customer));
	if (subject && *subject && !json_object_get(data, "subject"))
		json_object_set_new(data, "subject", json_string(subject));
	events_new_id(id, sizeof id);
	events_time(wall_ms > 0 ? wall_ms : clock_wall_ms(), when, sizeof when);
	ev = json_object();
	json_object_set_new(ev, "id", json_string(id));
	json_object_set_new(ev, "type", json_string(type));
	json_object_set_new(ev, "timestamp", json_string(when));
	json_object_set_new(ev, "data", data);
	line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(ev);
	if (!line)
		return bh_errorf(BH_ERR_NOMEM, msg, cap, "cannot make the event");
	len = strlen(line);
	if (len + 1 > EVENTS_LINE_MAX) {
		free(line);
		return bh_errorf(BH_ERR_TOO_LARGE, msg, cap, "event larger than %d bytes",
				 EVENTS_LINE_MAX);
	}
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	line[len] = '\0';
	err = events_write(dir, customer, line, len, msg, cap);
	free(line);
	if (!err && id_out)
		str_copy(id_out, EVENTS_ID_MAX, id);
	return err;
}

enum bh_err events_append(const char *state_dir, const char *customer, enum milestone m,
			  const char *subject, json_t *data, char *id_out, char *msg, size_t cap)
{
	return events_append_at(state_dir, customer, m, subject, data, 0, id_out, msg, cap);
}

/* One record as events show it. */
static json_t *events_record(const struct expected_record *r, const struct record_result *res)
{
	json_t *o = json_object();
	json_object_set_new(o, "purpose", json_string(record_purpose_word(r->purpose)));
	json_object_set_new(o, "type", json_string(record_type_word(r->type)));
	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "value", json_string(r->value));
	json_object_set_new(o, "required", json_boolean(r->required));
	json_object_set_new(o, "status", json_string(record_status_word(res->status)));
	return o;
}

static json_t *events_records(const struct wizard *w)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < w->nrecords; i++)
		json_array_append_new(a, events_record(&w->records[i], &w->results[i]));
	return a;
}

/* The option's own facts: the domain (option 1), the address (2), the
 * From header (3); and the customer's server at the ESP, if any. */
static void events_option_facts(json_t *d, const struct wizard *w)
{
	if (w->option == OPTION_DOMAIN && w->domain.ascii[0]) {
		json_object_set_new(d, "domain", json_string(w->domain.ascii));
		if (w->esp_domain.exists)
			json_object_set_new(d, "esp_domain_id", json_string(w->esp_domain.id));
	} else if (w->option == OPTION_ADDRESS && w->address_normalized[0]) {
		json_object_set_new(d, "address", json_string(w->address_normalized));
		if (w->address_name.len)
			json_object_set_new(d, "name", json_string(w->address_name.text));
		if (w->signature.exists)
			json_object_set_new(d, "esp_signature_id", json_string(w->signature.id));
	} else if (w->option == OPTION_NAME) {
		char display[FROM_HEADER_MAX], address[EMAIL_MAX], header[FROM_HEADER_MAX];
		wizard_from_preview(w, display, sizeof display, address, sizeof address, header,
				    sizeof header);
		json_object_set_new(d, "from_header", json_string(header));
		json_object_set_new(d, "address", json_string(address));
	}
	if (w->server_id[0])
		json_object_set_new(d, "esp_server_id", json_string(w->server_id));
}

json_t *events_wizard_data(const struct wizard *w, enum milestone m, const char *subject)
{
	json_t *d = json_object();
	size_t i;
	json_object_set_new(d, "option", json_string(wizard_option_word(w->option)));
	if (w->cfg.esp_name[0])
		json_object_set_new(d, "esp", json_string(w->cfg.esp_name));
	switch (m) {
	case MILESTONE_RECORD_VERIFIED:
	case MILESTONE_RECORD_LOST:
	case MILESTONE_RECORD_RESTORED:
		events_option_facts(d, w);
		for (i = 0; i < w->nrecords; i++)
			if (strcmp(w->records[i].name, subject ? subject : "") == 0) {
				json_object_set_new(d, "record",
						    events_record(&w->records[i], &w->results[i]));
				break;
			}
		break;
	case MILESTONE_RECORDS_SHOWN:
	case MILESTONE_ALL_VERIFIED:
	case MILESTONE_PENDING_72H:
		events_option_facts(d, w);
		json_object_set_new(d, "records", events_records(w));
		if (m == MILESTONE_PENDING_72H) {
			char when[40];
			events_time(w->milestones_ms[MILESTONE_RECORDS_SHOWN], when, sizeof when);
			json_object_set_new(d, "records_shown_at", json_string(when));
		}
		break;
	case MILESTONE_DONE:
		events_option_facts(d, w);
		if (w->option == OPTION_DOMAIN)
			json_object_set_new(d, "records", events_records(w));
		break;
	case MILESTONE_RESOURCES_KEPT:
	case MILESTONE_RESOURCES_REMOVED:
		for (i = 0; i < w->nresources; i++) {
			const struct wizard_resource *r = &w->resources[i];
			json_t *o;
			if (strcmp(r->name, subject ? subject : ""))
				continue;
			o = json_object();
			json_object_set_new(
			    o, "kind", json_string(r->kind == RES_DOMAIN ? "domain" : "signature"));
			json_object_set_new(o, "id", json_string(r->id));
			json_object_set_new(o, "name", json_string(r->name));
			json_object_set_new(d, "resource", o);
			break;
		}
		break;
	case MILESTONE_TEAMMATE_EMAILED:
		events_option_facts(d, w);
		json_object_set_new(d, "to", json_string(subject ? subject : ""));
		break;
	case MILESTONE_OPTION_CHOSEN:
	case MILESTONE_SWITCHED:
		if (m == MILESTONE_SWITCHED)
			json_object_set_new(d, "from_step", json_string(wizard_step_word(w->step)));
		break;
	default:
		break;
	}
	return d;
}

char *events_body(const char *line, size_t len, char *id, size_t idcap)
{
	json_error_t jerr;
	json_t *ev = json_loadb(line, len, 0, &jerr), *jid;
	char *body = NULL;
	if (!ev)
		return NULL;
	jid = json_object_get(ev, "id");
	if (json_is_string(jid) && strncmp(json_string_value(jid), "msg_", 4) == 0 &&
	    json_is_string(json_object_get(ev, "type"))) {
		str_copy(id, idcap, json_string_value(jid));
		json_object_del(ev, "id");
		body = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	}
	json_decref(ev);
	return body;
}

int64_t events_pending_said(const char *state_dir, const char *customer, int64_t shown_ms)
{
	char dir[1100], path[1200], *end;
	struct buf b = {.limit = 64};
	long long shown, said = 0;
	if (shown_ms <= 0 || !state_customer_id_ok(customer))
		return 0;
	events_dir(state_dir, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/%s.pending", dir, customer);
	if (state_read_file(path, 64, &b) == BH_OK && b.data) {
		shown = strtoll(b.data, &end, 10);
		if (shown == shown_ms && *end == ' ')
			said = strtoll(end + 1, NULL, 10);
	}
	buf_free(&b);
	return said > 0 ? (int64_t)said : 0;
}
