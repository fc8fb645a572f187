/* The outbox (app/events.c): whole lines, a stable id per event, appends of
 * many processes of one customer never interleaved, a torn line of a crash
 * kept apart from the next event. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/events.h"
#include "core/alloc.h"
#include "core/state.h"

#define PROCS	    4
#define PER_PROC    150
#define LINE_ENOUGH 8192

static char dir[64];

static int setup(void **state)
{
	(void)state;
	str_copy(dir, sizeof dir, "/tmp/behalf-events-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The lines of a customer's outbox, parsed (NULL for a line that is not
 * JSON); returns how many, *torn: the file does not end in a newline. */
static size_t read_lines(const char *customer, json_t **out, size_t max, bool *torn)
{
	char path[256], line[LINE_ENOUGH];
	FILE *f;
	size_t n = 0;
	snprintf(path, sizeof path, "%s/outbox/%s.jsonl", dir, customer);
	f = fopen(path, "r");
	assert_non_null(f);
	*torn = false;
	while (fgets(line, sizeof line, f)) {
		size_t len = strlen(line);
		*torn = len == 0 || line[len - 1] != '\n';
		assert_true(n < max);
		out[n++] = json_loads(line, 0, NULL);
	}
	fclose(f);
	return n;
}

static void test_append_line_fields(void **state)
{
	json_t *lines[4], *data;
	char id[EVENTS_ID_MAX], msg[256], path[256];
	struct stat st;
	bool torn;
	(void)state;
	data = json_pack("{s:s}", "domain", "customer.example");
	assert_int_equal(events_append(dir, "jane-co", MILESTONE_RECORDS_SHOWN, "customer.example",
				       data, id, msg, sizeof msg),
			 BH_OK);
	assert_int_equal(strncmp(id, "msg_", 4), 0);
	assert_int_equal(strlen(id), 4 + 32);
	assert_int_equal(read_lines("jane-co", lines, 4, &torn), 1);
	assert_false(torn);
	assert_non_null(lines[0]);
	assert_string_equal(json_string_value(json_object_get(lines[0], "id")), id);
	assert_string_equal(json_string_value(json_object_get(lines[0], "type")), "records.shown");
	/* ISO-8601 UTC with milliseconds */
	assert_int_equal(strlen(json_string_value(json_object_get(lines[0], "timestamp"))), 24);
	data = json_object_get(lines[0], "data");
	assert_string_equal(json_string_value(json_object_get(data, "customer")), "jane-co");
	assert_string_equal(json_string_value(json_object_get(data, "domain")), "customer.example");
	assert_string_equal(json_string_value(json_object_get(data, "subject")),
			    "customer.example");
	json_decref(lines[0]);
	/* only the vendor's user reads the outbox */
	snprintf(path, sizeof path, "%s/outbox/jane-co.jsonl", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a bad customer id writes nothing anywhere */
	assert_int_equal(
	    events_append(dir, "../x", MILESTONE_DONE, "", NULL, NULL, msg, sizeof msg),
	    BH_ERR_INVALID);
}

static void test_body_is_line_without_id(void **state)
{
	const char *line =
	    "{\"id\":\"msg_00ff\",\"type\":\"onboarding.done\","
	    "\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"data\":{\"customer\":\"a\"}}";
	char id[EVENTS_ID_MAX];
	char *body = events_body(line, strlen(line), id, sizeof id);
	(void)state;
	assert_non_null(body);
	assert_string_equal(id, "msg_00ff");
	assert_string_equal(body, "{\"type\":\"onboarding.done\",\"timestamp\":\"2026-01-01T00:00:"
				  "00.000Z\",\"data\":{\"customer\":\"a\"}}");
	free(body);
	assert_null(events_body("{\"type\":\"x\",\"da", 14, id, sizeof id));
}

/* Many processes append to one customer at once, and each to a customer
 * of its own: every event is a whole line, none lost, every id different,
 * each process's in its order. */
static void test_concurrent_appends_whole_lines(void **state)
{
	static json_t *lines[PROCS * PER_PROC + 1];
	size_t n, i, j;
	pid_t pids[PROCS];
	bool torn;
	(void)state;
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char msg[256], pad[2048];
			memset(pad, 'a' + (int)i, sizeof pad - 1);
			pad[sizeof pad - 1] = '\0';
			char own[16];
			snprintf(own, sizeof own, "own-%zu", i);
			for (j = 0; j < PER_PROC; j++) {
				json_t *d = json_pack("{s:i,s:i}", "proc", (int)i, "n", (int)j);
				if (events_append(dir, "many", MILESTONE_RECORD_VERIFIED, pad, d,
						  NULL, msg, sizeof msg) != BH_OK)
					_exit(1);
				d = json_pack("{s:i}", "n", (int)j);
				if (events_append(dir, own, MILESTONE_RECORD_VERIFIED, "", d, NULL,
						  msg, sizeof msg) != BH_OK)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	n = read_lines("many", lines, PROCS * PER_PROC + 1, &torn);
	assert_int_equal(n, PROCS * PER_PROC);
	for (i = 0; i < n; i++) {
		assert_non_null(lines[i]);
		for (j = 0; j < i; j++)
			assert_string_not_equal(json_string_value(json_object_get(lines[i], "id")),
						json_string_value(json_object_get(lines[j], "id")));
	}
	/* each process's events in the order it appended them */
	for (i = 0; i < PROCS; i++) {
		json_int_t next = 0;
		for (j = 0; j < n; j++) {
			json_t *d = json_object_get(lines[j], "data");
			if (json_integer_value(json_object_get(d, "proc")) != (json_int_t)i)
				continue;
			assert_int_equal(json_integer_value(json_object_get(d, "n")), next);
			next++;
		}
		assert_int_equal(next, PER_PROC);
	}
	for (i = 0; i < n; i++)
		json_decref(lines[i]);
	/* and each its own customer's, meanwhile: all there, in order */
	for (i = 0; i < PROCS; i++) {
		char own[16];
		snprintf(own, sizeof own, "own-%zu", i);
		n = read_lines(own, lines, PROCS * PER_PROC + 1, &torn);
		assert_int_equal(n, PER_PROC);
		for (j = 0; j < n; j++) {
			json_t *d = json_object_get(lines[j], "data");
			assert_int_equal(json_integer_value(json_object_get(d, "n")),
					 (json_int_t)j);
			json_decref(lines[j]);
		}
	}
}

/* A crash in the middle of a write leaves a torn line: the next event
 * still gets a line of its own. */
static void test_torn_line_kept_apart(void **state)
{
	json_t *lines[4];
	char path[256], msg[256];
	FILE *f;
	bool torn;
	(void)state;
	assert_int_equal(events_append(dir, "torn", MILESTONE_OPTION_CHOSEN, "domain", NULL, NULL,
				       msg, sizeof msg),
			 BH_OK);
	snprintf(path, sizeof path, "%s/outbox/torn.jsonl", dir);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("{\"id\":\"msg_torn\",\"type\":\"rec", f);
	fclose(f);
	assert_int_equal(
	    events_append(dir, "torn", MILESTONE_DONE, "x.example", NULL, NULL, msg, sizeof msg),
	    BH_OK);
	assert_int_equal(read_lines("torn", lines, 4, &torn), 3);
	assert_false(torn);
	assert_non_null(lines[0]);
	assert_null(lines[1]); /* the torn one, on its own */
	assert_non_null(lines[2]);
	assert_string_equal(json_string_value(json_object_get(lines[2], "type")),
			    "onboarding.done");
	json_decref(lines[0]);
	json_decref(lines[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_line_fields),
	    cmocka_unit_test(test_body_is_line_without_id),
	    cmocka_unit_test(test_concurrent_appends_whole_lines),
	    cmocka_unit_test(test_torn_line_kept_apart),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
