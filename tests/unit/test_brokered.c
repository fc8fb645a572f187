/* The brokered backend (src/esp/brokered.c) against a fake broker run in a
 * thread of the test: it offers exactly the operations of the capabilities
 * the broker reports at hello, says why a broker refused it, reads the
 * protocol's replies (and refuses malformed ones), ends an operation whose
 * connection broke from dispatch (never inside the call), and reconnects
 * for the next one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/text.h"
#include "esp/brokered.h"

/* What the fake broker does with a connection. */
enum fake_mode {
	FAKE_WELCOME, /* hello ok with fake_caps, then answers every request */
	FAKE_REFUSE,  /* hello refused */
	FAKE_DROP,    /* hello ok, then closes at the first request */
};

static char sock_path[108];
static int lfd = -1;
static pthread_t thread;
static enum fake_mode fake_mode;
static unsigned fake_caps;
static int fake_connections;
static char fake_customer[64];

static bool read_line(int fd, char *out, size_t cap)
{
	size_t n = 0;
	char c;
	while (n + 1 < cap && read(fd, &c, 1) == 1) {
		if (c == '\n') {
			out[n] = '\0';
			return true;
		}
		out[n++] = c;
	}
	return false;
}

static void say(int fd, const char *s)
{
	(void)!write(fd, s, strlen(s));
	(void)!write(fd, "\n", 1);
}

/* Serves one connection. */
static void *fake_serve(void *arg)
{
	char line[4096], ans[512];
	json_t *o;
	int fd;

	(void)arg;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	fake_connections++;
	if (!read_line(fd, line, sizeof line)) {
		close(fd);
		return NULL;
	}
	o = json_loads(line, 0, NULL);
	snprintf(fake_customer, sizeof fake_customer, "%s",
		 json_string_value(json_object_get(o, "customer")));
	json_decref(o);
	if (fake_mode == FAKE_REFUSE) {
		say(fd, "{\"ok\":false,\"message\":\"this user may not use the broker\"}");
		close(fd);
		return NULL;
	}
	snprintf(ans, sizeof ans,
		 "{\"ok\":true,\"v\":1,\"esp\":\"FakeESP\",\"caps\":%u,\"trouble\":[0,429]}",
		 fake_caps);
	say(fd, ans);
	while (read_line(fd, line, sizeof line)) {
		if (fake_mode == FAKE_DROP)
			break;
		say(fd, "{\"err\":0,\"esp_code\":0,\"message\":\"ok\",\"domain\":{\"exists\":true,"
			"\"id\":\"7\",\"name\":\"shop.example\",\"records\":[{\"purpose\":0,"
			"\"type\":16,\"name\":\"k._domainkey.shop.example\",\"value\":\"k=rsa; "
			"p=AB\",\"required\":true,\"esp_verified\":false}]}}");
	}
	close(fd);
	return NULL;
}

static int setup(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	(void)state;
	snprintf(sock_path, sizeof sock_path, "/tmp/behalf-brokered-%ld.sock", (long)getpid());
	unlink(sock_path);
	str_copy(sa.sun_path, sizeof sa.sun_path, sock_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 8) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(lfd);
	unlink(sock_path);
	text_free();
	return 0;
}

/* A client of the fake broker in mode with caps (one connection served). */
static struct esp *client(enum fake_mode mode, unsigned caps, char *msg, size_t cap)
{
	fake_mode = mode;
	fake_caps = caps;
	assert_int_equal(pthread_create(&thread, NULL, fake_serve, NULL), 0);
	return brokered_create(sock_path, "acme", NULL, msg, cap);
}

static void test_caps_from_hello(void **state)
{
	static const unsigned sets[] = {ESP_CAP_ALL, 0, ESP_CAP_SIGNATURES, ESP_CAP_SEND,
					ESP_CAP_SERVERS | ESP_CAP_SEND};
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		struct esp *esp = client(FAKE_WELCOME, sets[i], msg, sizeof msg);
		const struct esp_ops *o;
		assert_non_null(esp);
		o = esp->ops;
		assert_true(brokered_is(esp));
		assert_string_equal(o->name, "FakeESP");
		assert_int_equal(o->caps, sets[i]);
		assert_string_equal(fake_customer, "acme");
		assert_non_null(o->domain_ensure);
		assert_non_null(o->domain_verify);
		assert_non_null(o->domain_delete);
		assert_int_equal(o->signature_ensure != NULL, !!(sets[i] & ESP_CAP_SIGNATURES));
		assert_int_equal(o->signature_get != NULL, !!(sets[i] & ESP_CAP_SIGNATURES));
		assert_int_equal(o->signature_resend != NULL, !!(sets[i] & ESP_CAP_SIGNATURES));
		assert_int_equal(o->signature_delete != NULL, !!(sets[i] & ESP_CAP_SIGNATURES));
		assert_int_equal(o->signature_update != NULL, !!(sets[i] & ESP_CAP_SIGNATURES));
		assert_int_equal(o->email_send != NULL, !!(sets[i] & ESP_CAP_SEND));
		assert_int_equal(o->server_ensure != NULL, !!(sets[i] & ESP_CAP_SERVERS));
		esp->ops->destroy(esp);
		pthread_join(thread, NULL);
	}
}

static void test_refused(void **state)
{
	char msg[256];
	struct esp *esp;

	(void)state;
	esp = client(FAKE_REFUSE, ESP_CAP_ALL, msg, sizeof msg);
	pthread_join(thread, NULL);
	assert_null(esp);
	assert_non_null(strstr(msg, "this user may not use the broker"));
	assert_non_null(strstr(msg, sock_path));
	unlink(sock_path);
	esp = brokered_create(sock_path, "acme", NULL, msg, sizeof msg);
	assert_null(esp);
	assert_non_null(strstr(msg, "Cannot reach the vendor's broker"));
}

struct result {
	int calls;
	enum bh_err err;
	struct esp_reply reply;
};

static void on_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct result *r = arg;
	r->calls++;
	r->err = err;
	r->reply = *reply;
}

static void run(struct esp *esp, struct result *r)
{
	int64_t end = clock_now_ms() + 10000;
	struct pollfd fds[4];
	int n;

	while (!r->calls && clock_now_ms() < end) {
		int64_t dl = esp->ops->source.deadline(esp);
		n = esp->ops->source.fill(esp, fds, 4);
		poll(fds, (nfds_t)n, dl ? 0 : 100);
		esp->ops->source.dispatch(esp, fds, n, clock_now_ms());
	}
	assert_int_equal(r->calls, 1);
}

/* The broker goes away during an operation: it ends with a network error
 * from dispatch; the next operation connects again and works. */
static void test_broken_then_reconnect(void **state)
{
	struct result r;
	char msg[256];
	struct esp *esp;

	(void)state;
	fake_connections = 0;
	esp = client(FAKE_DROP, ESP_CAP_ALL, msg, sizeof msg);
	assert_non_null(esp);
	memset(&r, 0, sizeof r);
	assert_int_equal(esp->ops->domain_ensure(esp, "shop.example", on_done, &r), BH_OK);
	assert_int_equal(r.calls, 0);
	assert_int_equal(esp->ops->domain_verify(esp, "7", on_done, &r), BH_ERR_BUSY);
	run(esp, &r);
	pthread_join(thread, NULL);
	assert_int_equal(r.err, BH_ERR_NETWORK);
	assert_non_null(strstr(r.reply.message, "Nothing is lost"));
	assert_int_equal(esp_error_kind(esp, BH_ERR_REMOTE, &(struct esp_reply){.esp_code = 429}),
			 BH_ERR_NETWORK);
	fake_mode = FAKE_WELCOME;
	assert_int_equal(pthread_create(&thread, NULL, fake_serve, NULL), 0);
	memset(&r, 0, sizeof r);
	assert_int_equal(esp->ops->domain_ensure(esp, "shop.example", on_done, &r), BH_OK);
	run(esp, &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(fake_connections, 2);
	assert_true(r.reply.domain.exists);
	assert_string_equal(r.reply.domain.id, "7");
	assert_int_equal(r.reply.domain.nrecords, 1);
	assert_int_equal(r.reply.domain.records[0].rec.type, RECORD_TYPE_TXT);
	assert_string_equal(r.reply.domain.records[0].rec.value, "k=rsa; p=AB");
	esp->ops->destroy(esp);
	pthread_join(thread, NULL);
}

/* What the broker writes, the session reads back the same; a reply with a
 * record type or an error out of range is not one. */
static void test_wire(void **state)
{
	struct esp_reply in, out;
	enum bh_err err;
	json_t *o;

	(void)state;
	memset(&in, 0, sizeof in);
	in.esp_code = 510;
	str_copy(in.message, sizeof in.message, "gone");
	in.domain.exists = true;
	str_copy(in.domain.id, sizeof in.domain.id, "12");
	str_copy(in.domain.name, sizeof in.domain.name, "shop.example");
	resource_add_record(&in.domain, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME,
			    "pm-bounces.shop.example", "pm.mtasv.net", true, true);
	in.signature.exists = true;
	str_copy(in.signature.email, sizeof in.signature.email, "jane@shop.example");
	in.signature.created_ms = 1234567890123;
	str_copy(in.server_id, sizeof in.server_id, "99");
	o = brokered_reply_json(BH_ERR_NOT_FOUND, &in);
	assert_true(brokered_reply_read(o, &err, &out));
	assert_int_equal(err, BH_ERR_NOT_FOUND);
	assert_memory_equal(&in, &out, sizeof in);
	json_object_set_new(o, "err", json_integer(BH_ERR__COUNT));
	assert_false(brokered_reply_read(o, &err, &out));
	json_object_set_new(o, "err", json_integer(0));
	json_object_set_new(
	    json_array_get(json_object_get(json_object_get(o, "domain"), "records"), 0), "type",
	    json_integer(RECORD_TYPE_A));
	assert_false(brokered_reply_read(o, &err, &out));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_caps_from_hello),
	    cmocka_unit_test(test_broken_then_reconnect),
	    cmocka_unit_test(test_wire),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
