/* The brokered backend (src/esp/brokered.c) against a fake broker run in a
 * thread of the test: it offers exactly the operations of the capabilities
 * the broker reports at hello, says why a broker refused it, reads the
 * protocol's replies (and refuses malformed ones), ends an operation whose
 * connection broke from dispatch (never inside the call), and reconnects
 * for the next one.  Its Domain Connect signer (esp_brokered_signer) sends
 * dc_sign after the ESP's request under way and hands back the broker's
 * signature from dispatch, fails at once when the broker holds no key,
 * and ends with a network error when destroyed (or its client is) while
 * a signature is under way. */
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
static bool fake_dc_sign;    /* the hello says the broker signs */
static char fake_ops[256];   /* the operations asked, in order, comma-separated */
static char fake_data[1024]; /* the last dc_sign's data */

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
		 "{\"ok\":true,\"v\":1,\"esp\":\"FakeESP\",\"caps\":%u,\"trouble\":[0,429],"
		 "\"dc_sign\":%s}",
		 fake_caps, fake_dc_sign ? "true" : "false");
	say(fd, ans);
	fake_ops[0] = '\0';
	while (read_line(fd, line, sizeof line)) {
		const char *op;
		if (fake_mode == FAKE_DROP)
			break;
		o = json_loads(line, 0, NULL);
		op = json_string_value(json_object_get(o, "op"));
		snprintf(fake_ops + strlen(fake_ops), sizeof fake_ops - strlen(fake_ops), "%s%s",
			 fake_ops[0] ? "," : "", op ? op : "?");
		if (op && !strcmp(op, "dc_sign")) {
			snprintf(fake_data, sizeof fake_data, "%s",
				 json_string_value(json_object_get(o, "data")));
			json_decref(o);
			say(fd, "{\"err\":0,\"message\":\"\",\"sig\":\"c2lnbmVk\"}");
			continue;
		}
		json_decref(o);
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

struct signed_result {
	int calls;
	enum bh_err err;
	char sig[64];
	int esp_calls_before; /* the ESP's operation had ended when it came */
	struct result *esp;
};

static void on_signed(void *arg, enum bh_err err, const char *sig, const char *msg)
{
	struct signed_result *r = arg;
	(void)msg;
	r->calls++;
	r->err = err;
	snprintf(r->sig, sizeof r->sig, "%s", sig ? sig : "(null)");
	r->esp_calls_before = r->esp ? r->esp->calls : -1;
}

/* Turns the loop until the signature came back. */
static void run_signed(struct esp *esp, struct signed_result *r)
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

static void test_dc_signer(void **state)
{
	static const char data[] = "domain=shop.example&host=&dkimselector=k";
	struct result er;
	struct signed_result sr;
	char msg[256];
	struct esp *esp;
	struct dc_signer *s;

	(void)state;
	fake_dc_sign = true;
	esp = client(FAKE_WELCOME, ESP_CAP_ALL, msg, sizeof msg);
	assert_non_null(esp);
	s = esp_brokered_signer(esp);
	assert_non_null(s);
	assert_null(esp_brokered_signer(esp)); /* one a connection */
	/* behind the ESP's request under way: queued, never answered inside */
	memset(&er, 0, sizeof er);
	memset(&sr, 0, sizeof sr);
	sr.esp = &er;
	assert_int_equal(esp->ops->domain_ensure(esp, "shop.example", on_done, &er), BH_OK);
	assert_int_equal(s->ops->sign(s, data, strlen(data), on_signed, &sr, msg, sizeof msg),
			 BH_OK);
	assert_int_equal(s->ops->sign(s, data, strlen(data), on_signed, &sr, msg, sizeof msg),
			 BH_ERR_BUSY);
	assert_int_equal(sr.calls, 0);
	run_signed(esp, &sr);
	assert_int_equal(er.calls, 1);
	assert_int_equal(sr.esp_calls_before, 1);
	assert_int_equal(sr.err, BH_OK);
	assert_string_equal(sr.sig, "c2lnbmVk");
	assert_string_equal(fake_data, data);
	assert_string_equal(fake_ops, "domain_ensure,dc_sign");
	/* while it is under way the ESP's operations wait (BH_ERR_BUSY) */
	memset(&sr, 0, sizeof sr);
	assert_int_equal(s->ops->sign(s, data, strlen(data), on_signed, &sr, msg, sizeof msg),
			 BH_OK);
	assert_int_equal(esp->ops->domain_verify(esp, "7", on_done, &er), BH_ERR_BUSY);
	/* destroyed meanwhile: ended with a network error, once; the reply
	 * still coming is not taken for the ESP's next operation */
	s->ops->destroy(s);
	assert_int_equal(sr.calls, 1);
	assert_int_equal(sr.err, BH_ERR_NETWORK);
	memset(&er, 0, sizeof er);
	{
		int64_t end = clock_now_ms() + 10000;
		enum bh_err e;
		while ((e = esp->ops->domain_verify(esp, "7", on_done, &er)) == BH_ERR_BUSY &&
		       clock_now_ms() < end) {
			struct pollfd fds[4];
			int n = esp->ops->source.fill(esp, fds, 4);
			poll(fds, (nfds_t)n, 100);
			esp->ops->source.dispatch(esp, fds, n, clock_now_ms());
		}
		assert_int_equal(e, BH_OK);
	}
	run(esp, &er);
	assert_int_equal(er.err, BH_OK);
	assert_string_equal(er.reply.domain.id, "7");
	/* the client goes first: the signer says so and ends nothing twice */
	s = esp_brokered_signer(esp);
	assert_non_null(s);
	memset(&sr, 0, sizeof sr);
	assert_int_equal(s->ops->sign(s, data, strlen(data), on_signed, &sr, msg, sizeof msg),
			 BH_OK);
	esp->ops->destroy(esp);
	assert_int_equal(sr.calls, 1);
	assert_int_equal(sr.err, BH_ERR_NETWORK);
	assert_int_equal(s->ops->sign(s, data, strlen(data), on_signed, &sr, msg, sizeof msg),
			 BH_ERR_NETWORK);
	s->ops->destroy(s);
	assert_int_equal(sr.calls, 1);
	pthread_join(thread, NULL);

	/* a broker without a key: refused at once, nothing sent */
	fake_dc_sign = false;
	esp = client(FAKE_WELCOME, ESP_CAP_ALL, msg, sizeof msg);
	assert_non_null(esp);
	s = esp_brokered_signer(esp);
	memset(&sr, 0, sizeof sr);
	assert_int_equal(s->ops->sign(s, data, strlen(data), on_signed, &sr, msg, sizeof msg),
			 BH_ERR_INVALID);
	assert_non_null(strstr(msg, "no Domain Connect key"));
	assert_int_equal(sr.calls, 0);
	s->ops->destroy(s);
	assert_int_equal(sr.calls, 0);
	esp->ops->destroy(esp);
	pthread_join(thread, NULL);
	assert_string_equal(fake_ops, "");
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
	    cmocka_unit_test(test_dc_signer),
	    cmocka_unit_test(test_refused), /* last: it removes the socket */
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
