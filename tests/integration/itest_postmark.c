/* The Postmark client against the local simulator
 * (tests/postmark_sim/postmark_sim.py, started here on a free loopback
 * port): every operation, paging, adoption after "already exists", retries
 * after faults, the error mapping, and that no token ever reaches a
 * message.  The client is driven by a small poll() loop over its
 * source_ops, as the application's loop does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/text.h"
#include "esp/postmark.h"

#define ACCOUNT_TOKEN "sim-account-token"
#define SERVER_TOKEN  "sim-server-token"
#define BAD_TOKEN     "wrong-token-0123456789abcdef"
#define LOOP_LIMIT_MS 20000

static pid_t sim_pid;
static char sim_url[64];
static char sim_dir[] = "/tmp/behalf-pmsim-XXXXXX";
static struct buf seen_messages = {0}; /* every message the client wrote */

/* ---- the simulator ---- */

static const char *source_dir(void)
{
	const char *s = getenv("BEHALF_SOURCE_DIR");
	return s && *s ? s : BEHALF_SOURCE_DIR;
}

static int sim_start(void **state)
{
	char port_file[128], script[1024], line[32];
	int64_t end;
	FILE *f;

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!mkdtemp(sim_dir))
		return -1;
	snprintf(port_file, sizeof port_file, "%s/port", sim_dir);
	snprintf(script, sizeof script, "%s/tests/postmark_sim/postmark_sim.py", source_dir());
	sim_pid = fork();
	if (sim_pid < 0)
		return -1;
	if (sim_pid == 0) {
		/* It must not outlive a test that crashed or was killed. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1)
			_exit(127);
		execlp("python3", "python3", script, "--port", "0", "--port-file", port_file,
		       "--account-token", ACCOUNT_TOKEN, "--server-token", SERVER_TOKEN,
		       (char *)NULL);
		_exit(127);
	}
	end = clock_now_ms() + 15000;
	while (clock_now_ms() < end) {
		f = fopen(port_file, "r");
		if (f) {
			if (fgets(line, sizeof line, f)) {
				fclose(f);
				snprintf(sim_url, sizeof sim_url, "http://127.0.0.1:%ld",
					 strtol(line, NULL, 10));
				return 0;
			}
			fclose(f);
		}
		usleep(20000);
	}
	fprintf(stderr, "the Postmark simulator did not start\n");
	return -1;
}

static int sim_stop(void **state)
{
	char path[128];

	(void)state;
	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
	}
	snprintf(path, sizeof path, "%s/port", sim_dir);
	unlink(path);
	rmdir(sim_dir);
	buf_free(&seen_messages);
	text_free();
	curl_global_cleanup();
	return 0;
}

static size_t ctl_write(char *data, size_t size, size_t nmemb, void *userp)
{
	return buf_append(userp, data, size * nmemb) == BH_OK ? size * nmemb : 0;
}

/* A control request to the simulator (blocking); returns the parsed JSON
 * answer (caller decrefs). */
static json_t *ctl(const char *method, const char *path, const char *body)
{
	CURL *c = curl_easy_init();
	struct buf out = {.limit = 8u * 1024 * 1024};
	struct buf url = {0};
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	json_t *root;

	assert_non_null(c);
	buf_printf(&url, "%s%s", sim_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url.data);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ctl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	buf_free(&url);
	root = json_loadb(out.data ? out.data : "", out.len, 0, NULL);
	buf_free(&out);
	assert_non_null(root);
	return root;
}

/* A control request whose answer is not needed. */
static void ctl_do(const char *method, const char *path, const char *body)
{
	json_decref(ctl(method, path, body));
}

static int sim_reset(void **state)
{
	(void)state;
	ctl_do("POST", "/__control/reset", NULL);
	return 0;
}

/* How many resources of a kind ("Domains", ...) the simulator holds. */
static size_t sim_count(const char *kind)
{
	json_t *st = ctl("GET", "/__control/state", NULL);
	size_t n = json_array_size(json_object_get(st, kind));
	json_decref(st);
	return n;
}

/* Requests received whose method matches and whose path starts with
 * prefix (case-insensitive). */
static size_t sim_requests(const char *method, const char *prefix)
{
	json_t *all = ctl("GET", "/__control/requests", NULL), *r;
	size_t i, n = 0;

	json_array_foreach(all, i, r)
	{
		const char *m = json_string_value(json_object_get(r, "Method"));
		const char *p = json_string_value(json_object_get(r, "Path"));
		if (strcmp(m, method) == 0 && strncasecmp(p, prefix, strlen(prefix)) == 0)
			n++;
	}
	json_decref(all);
	return n;
}

/* A header of a recorded request (case-insensitive name), or NULL. */
static const char *req_header(json_t *req, const char *name)
{
	json_t *h = json_object_get(req, "Headers"), *v;
	const char *k;

	json_object_foreach(h, k, v)
	{
		if (strcasecmp(k, name) == 0)
			return json_string_value(v);
	}
	return NULL;
}

/* ---- driving the client ---- */

struct result {
	bool done;
	int calls;
	enum bh_err err;
	struct esp_reply reply;
};

static void on_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct result *r = arg;
	r->done = true;
	r->calls++;
	r->err = err;
	r->reply = *reply;
	buf_puts(&seen_messages, reply->message);
	buf_puts(&seen_messages, "\n");
}

/* Runs the loop until the callback ran (or the limit): poll over what the
 * client fills, until its deadline. */
static void run(struct esp *esp, struct result *r)
{
	int64_t end = clock_now_ms() + LOOP_LIMIT_MS, now, dl;
	struct pollfd fds[16];
	int n, timeout;

	while (!r->done && (now = clock_now_ms()) < end) {
		n = esp->ops->source.fill(esp, fds, 16);
		dl = esp->ops->source.deadline(esp);
		timeout = 200;
		if (dl)
			timeout = dl <= now ? 0 : (int)(dl - now < 200 ? dl - now : 200);
		poll(fds, (nfds_t)n, timeout);
		esp->ops->source.dispatch(esp, fds, n, clock_now_ms());
	}
	assert_true(r->done);
	assert_int_equal(r->calls, 1);
}

static struct postmark_config base_config(void)
{
	struct postmark_config c = {
	    .api_url = sim_url,
	    .account_token = ACCOUNT_TOKEN,
	    .server_token = SERVER_TOKEN,
	    .timeout_ms = 1500,
	    .connect_timeout_ms = 1000,
	    .max_tries = 4,
	    .retry_base_ms = 20,
	    .retry_max_ms = 200,
	};
	return c;
}

static struct esp *client_with(const struct postmark_config *c)
{
	char msg[256];
	struct esp *esp = postmark_create(c, msg, sizeof msg);
	if (!esp)
		fprintf(stderr, "postmark_create: %s\n", msg);
	assert_non_null(esp);
	assert_true(postmark_is(esp));
	return esp;
}

static struct esp *client(void)
{
	struct postmark_config c = base_config();
	return client_with(&c);
}

static void domain_ensure(struct esp *esp, const char *name, struct result *r)
{
	memset(r, 0, sizeof *r);
	assert_int_equal(esp->ops->domain_ensure(esp, name, on_done, r), BH_OK);
	assert_false(r->done); /* never inside the call */
	run(esp, r);
}

static void domain_verify(struct esp *esp, const char *domain_id, struct result *r)
{
	char id[RESOURCE_ID_MAX];

	str_copy(id, sizeof id, domain_id); /* domain_id may live in *r */
	memset(r, 0, sizeof *r);
	assert_int_equal(esp->ops->domain_verify(esp, id, on_done, r), BH_OK);
	run(esp, r);
}

/* The reply's record of purpose p (Postmark: one DKIM TXT, one Return-Path
 * CNAME); the test fails when there is none. */
static const struct resource_record *rec_of(const struct wizard_domain_res *d,
					    enum record_purpose p)
{
	size_t i;
	for (i = 0; i < d->nrecords; i++)
		if (d->records[i].rec.purpose == p)
			return &d->records[i];
	fail_msg("no %s record in the reply", record_purpose_word(p));
	return NULL;
}

#define DKIM(r)	       rec_of(&(r).reply.domain, PURPOSE_DKIM)
#define RETURN_PATH(r) rec_of(&(r).reply.domain, PURPOSE_RETURN_PATH)

static void signature_ensure(struct esp *esp, const char *email, struct result *r)
{
	memset(r, 0, sizeof *r);
	assert_int_equal(esp->ops->signature_ensure(esp, email, "Jane Customer",
						    "help@shop.example",
						    "Sent for Vendor's onboarding.", on_done, r),
			 BH_OK);
	run(esp, r);
}

/* An operation on one id. */
typedef enum bh_err (*id_op)(struct esp *, const char *, esp_done_fn, void *);
static void on_id(struct esp *esp, id_op op, const char *res_id, struct result *r)
{
	char id[RESOURCE_ID_MAX];

	str_copy(id, sizeof id, res_id); /* res_id may live in *r */
	memset(r, 0, sizeof *r);
	assert_int_equal(op(esp, id, on_done, r), BH_OK);
	run(esp, r);
}

static void fault(const char *json)
{
	ctl_do("POST", "/__control/faults", json);
}

/* ---- domains ---- */

static void test_domain_create_then_find(void **state)
{
	struct esp *esp = client();
	struct result r, again;

	(void)state;
	domain_ensure(esp, "Shop.Example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.domain.exists);
	assert_string_equal(r.reply.domain.name, "shop.example");
	assert_int_equal(r.reply.domain.nrecords, 2);
	assert_int_equal(DKIM(r)->rec.type, RECORD_TYPE_TXT);
	assert_true(DKIM(r)->rec.required);
	assert_non_null(strstr(DKIM(r)->rec.name, "pm._domainkey.shop.example"));
	assert_int_equal(strspn(DKIM(r)->rec.name, "0123456789"), 14);
	assert_memory_equal(DKIM(r)->rec.value, "k=rsa;p=MIGf", 12);
	assert_int_equal(RETURN_PATH(r)->rec.type, RECORD_TYPE_CNAME);
	assert_true(RETURN_PATH(r)->rec.required);
	assert_string_equal(RETURN_PATH(r)->rec.name, "pm-bounces.shop.example");
	assert_string_equal(RETURN_PATH(r)->rec.value, "pm.mtasv.net");
	assert_false(DKIM(r)->esp_verified);
	assert_false(RETURN_PATH(r)->esp_verified);
	assert_false(resource_esp_verified(&r.reply.domain));

	domain_ensure(esp, "shop.example", &again);
	assert_int_equal(again.err, BH_OK);
	assert_string_equal(again.reply.domain.id, r.reply.domain.id);
	assert_int_equal(sim_count("Domains"), 1);
	assert_int_equal(sim_requests("POST", "/domains"), 1);
	esp->ops->destroy(esp);
}

/* The Return-Path label is the backend's business: the [postmark]
 * return_path_label reaches Postmark as "<label>.<domain>", and the longest
 * name the backend makes is what the domain check allows for. */
static void test_return_path_label(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp;
	struct result r;
	char longest[RECORD_NAME_MAX];

	(void)state;
	c.return_path_label = "bounces";
	esp = client_with(&c);
	domain_ensure(esp, "label.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_string_equal(RETURN_PATH(r)->rec.name, "bounces.label.example");
	esp->ops->destroy(esp);

	postmark_longest_label(NULL, longest, sizeof longest);
	assert_string_equal(longest, POSTMARK_DKIM_SELECTOR_SAMPLE);
	postmark_longest_label("a-very-long-return-path-label-for-bounces", longest,
			       sizeof longest);
	assert_string_equal(longest, "a-very-long-return-path-label-for-bounces");
}

static void test_domain_paging(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp;
	struct result r;
	json_t *made = ctl("POST", "/__control/domains", "{\"Name\":\"page.example\",\"Count\":7}");
	char want[32];

	(void)state;
	snprintf(want, sizeof want, "%lld",
		 (long long)json_integer_value(json_array_get(json_object_get(made, "IDs"), 6)));
	json_decref(made);
	c.page_size = 3;
	esp = client_with(&c);
	domain_ensure(esp, "page7.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_string_equal(r.reply.domain.id, want);
	assert_int_equal(sim_requests("GET", "/domains?count=3&offset=0"), 1);
	assert_int_equal(sim_requests("GET", "/domains?count=3&offset=3"), 1);
	assert_int_equal(sim_requests("GET", "/domains?count=3&offset=6"), 1);
	assert_int_equal(sim_requests("POST", "/domains"), 0);

	/* Not on any page: all pages read, then created. */
	domain_ensure(esp, "page8.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(sim_requests("GET", "/domains?count=3&offset=6"), 2);
	assert_int_equal(sim_requests("POST", "/domains"), 1);
	assert_int_equal(sim_count("Domains"), 8);
	esp->ops->destroy(esp);
}

static void test_domain_adopt_512(void **state)
{
	struct esp *esp = client();
	struct result r;
	json_t *made = ctl("POST", "/__control/domains", "{\"Name\":\"race.example\"}");
	char want[32];

	(void)state;
	snprintf(want, sizeof want, "%lld",
		 (long long)json_integer_value(json_array_get(json_object_get(made, "IDs"), 0)));
	json_decref(made);
	/* The first list misses it (created by another session meanwhile). */
	fault("{\"Kind\":\"reply\",\"Method\":\"GET\",\"Path\":\"^/domains$\","
	      "\"Body\":{\"TotalCount\":0,\"Domains\":[]}}");
	domain_ensure(esp, "race.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_string_equal(r.reply.domain.id, want);
	assert_int_equal(sim_requests("POST", "/domains"), 1);
	assert_int_equal(sim_count("Domains"), 1);
	esp->ops->destroy(esp);
}

static void test_domain_verify(void **state)
{
	struct esp *esp = client();
	struct result r, v;
	char pending[300];

	(void)state;
	domain_ensure(esp, "verify.example", &r);
	str_copy(pending, sizeof pending, DKIM(r)->rec.name);

	domain_verify(esp, r.reply.domain.id, &v);
	assert_int_equal(v.err, BH_OK);
	assert_false(DKIM(v)->esp_verified);
	assert_false(RETURN_PATH(v)->esp_verified);
	assert_string_equal(DKIM(v)->rec.name, pending);

	/* DKIM in the DNS, the Return-Path not yet: one verdict each */
	ctl_do("POST", "/__control/dns",
	       "{\"Domain\":\"verify.example\",\"DKIM\":true,\"ReturnPath\":false}");
	domain_verify(esp, r.reply.domain.id, &v);
	assert_int_equal(v.err, BH_OK);
	assert_true(DKIM(v)->esp_verified);
	assert_false(RETURN_PATH(v)->esp_verified);
	assert_false(resource_esp_verified(&v.reply.domain));

	ctl_do("POST", "/__control/dns",
	       "{\"Domain\":\"verify.example\",\"DKIM\":true,\"ReturnPath\":true}");
	domain_verify(esp, r.reply.domain.id, &v);
	assert_int_equal(v.err, BH_OK);
	assert_true(DKIM(v)->esp_verified);
	assert_true(RETURN_PATH(v)->esp_verified);
	assert_true(resource_esp_verified(&v.reply.domain));
	/* The pending key became the active one: same record to show. */
	assert_string_equal(DKIM(v)->rec.name, pending);
	assert_int_equal(sim_requests("PUT", "/domains/"), 6);
	esp->ops->destroy(esp);
}

static void test_dkim_update_status(void **state)
{
	struct esp *esp = client();
	struct result v;

	(void)state;
	/* DKIMVerified lags: "Verified" with an active key counts. */
	fault(
	    "{\"Kind\":\"reply\",\"Path\":\"verifydkim\",\"Body\":{\"ID\":5,\"Name\":\"a.example\","
	    "\"DKIMVerified\":false,\"DKIMUpdateStatus\":\"Verified\",\"DKIMHost\":"
	    "\"20250101000000pm._domainkey.a.example\",\"DKIMTextValue\":\"k=rsa;p=AB\","
	    "\"DKIMPendingHost\":null,\"CustomTrackingDomain\":\"x\",\"Unknown\":[1,2]}}");
	domain_verify(esp, "5", &v);
	assert_int_equal(v.err, BH_OK);
	assert_true(DKIM(v)->esp_verified);
	assert_string_equal(DKIM(v)->rec.name, "20250101000000pm._domainkey.a.example");

	/* "Verified" without an active key does not. */
	fault(
	    "{\"Kind\":\"reply\",\"Path\":\"verifydkim\",\"Body\":{\"ID\":5,\"Name\":\"a.example\","
	    "\"DKIMVerified\":false,\"DKIMUpdateStatus\":\"Verified\",\"DKIMHost\":\"\"}}");
	domain_verify(esp, "5", &v);
	assert_int_equal(v.err, BH_OK);
	/* and without an active key there is no DKIM record to show */
	assert_int_equal(v.reply.domain.nrecords, 0);
	assert_false(resource_esp_verified(&v.reply.domain));
	esp->ops->destroy(esp);
}

static void test_domain_delete_not_found(void **state)
{
	struct esp *esp = client();
	struct result r, d;

	(void)state;
	domain_ensure(esp, "gone.example", &r);
	on_id(esp, esp->ops->domain_delete, r.reply.domain.id, &d);
	assert_int_equal(d.err, BH_OK);
	assert_false(d.reply.domain.exists);
	assert_string_equal(d.reply.domain.id, r.reply.domain.id);
	assert_non_null(strstr(d.reply.message, "removed"));
	assert_int_equal(sim_count("Domains"), 0);

	/* 422 with 510 ... */
	on_id(esp, esp->ops->domain_delete, r.reply.domain.id, &d);
	assert_int_equal(d.err, BH_ERR_NOT_FOUND);
	assert_int_equal(d.reply.esp_code, 510);
	/* ... or a plain 404: the same to the caller. */
	ctl_do("POST", "/__control/options", "{\"NotFound\":404}");
	domain_verify(esp, r.reply.domain.id, &d);
	assert_int_equal(d.err, BH_ERR_NOT_FOUND);
	on_id(esp, esp->ops->signature_get, "4242", &d);
	assert_int_equal(d.err, BH_ERR_NOT_FOUND);
	assert_true(d.reply.message[0]);
	esp->ops->destroy(esp);
}

/* ---- sender signatures ---- */

static void test_signature_flow(void **state)
{
	struct esp *esp = client();
	struct result r, x;
	json_t *reqs, *q;
	size_t i;
	bool saw_create = false;

	(void)state;
	signature_ensure(esp, "jane@shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.signature.exists);
	assert_false(r.reply.signature.confirmed);
	assert_string_equal(r.reply.signature.email, "jane@shop.example");
	assert_string_equal(r.reply.signature.name, "Jane Customer");

	signature_ensure(esp, "Jane@Shop.example", &x);
	assert_int_equal(x.err, BH_OK);
	assert_string_equal(x.reply.signature.id, r.reply.signature.id);
	assert_int_equal(sim_count("SenderSignatures"), 1);

	reqs = ctl("GET", "/__control/requests", NULL);
	json_array_foreach(reqs, i, q)
	{
		json_t *body;
		if (strcmp(json_string_value(json_object_get(q, "Method")), "POST") != 0 ||
		    strcmp(json_string_value(json_object_get(q, "Path")), "/senders") != 0)
			continue;
		saw_create = true;
		body = json_loads(json_string_value(json_object_get(q, "Body")), 0, NULL);
		assert_string_equal(json_string_value(json_object_get(body, "FromEmail")),
				    "jane@shop.example");
		assert_string_equal(json_string_value(json_object_get(body, "Name")),
				    "Jane Customer");
		assert_string_equal(json_string_value(json_object_get(body, "ReplyToEmail")),
				    "help@shop.example");
		assert_string_equal(
		    json_string_value(json_object_get(body, "ConfirmationPersonalNote")),
		    "Sent for Vendor's onboarding.");
		json_decref(body);
	}
	json_decref(reqs);
	assert_true(saw_create);

	on_id(esp, esp->ops->signature_resend, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_OK);
	assert_string_equal(x.reply.signature.id, r.reply.signature.id);
	assert_false(x.reply.signature.confirmed);

	/* a new name: PUT /senders/{id}, the details read back */
	memset(&x, 0, sizeof x);
	assert_int_equal(
	    esp->ops->signature_update(esp, r.reply.signature.id, "Jane Q. Customer", on_done, &x),
	    BH_OK);
	run(esp, &x);
	assert_int_equal(x.err, BH_OK);
	assert_string_equal(x.reply.signature.name, "Jane Q. Customer");
	assert_int_equal(sim_requests("PUT", "/senders/"), 1);
	assert_int_equal(esp->ops->signature_update(esp, r.reply.signature.id, "", on_done, &x),
			 BH_ERR_INVALID);

	ctl_do("POST", "/__control/confirm", "{\"EmailAddress\":\"jane@shop.example\"}");
	on_id(esp, esp->ops->signature_get, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_OK);
	assert_true(x.reply.signature.confirmed);

	on_id(esp, esp->ops->signature_resend, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_ERR_REMOTE);
	assert_int_equal(x.reply.esp_code, 506);
	assert_true(x.reply.signature.confirmed);
	assert_string_equal(x.reply.message, postmark_code_text(506));

	on_id(esp, esp->ops->signature_delete, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_OK);
	assert_false(x.reply.signature.exists);
	assert_int_equal(sim_count("SenderSignatures"), 0);
	on_id(esp, esp->ops->signature_get, r.reply.signature.id, &x);
	assert_int_equal(x.err, BH_ERR_NOT_FOUND);
	assert_int_equal(x.reply.esp_code, 501);
	esp->ops->destroy(esp);
}

static void test_signature_freemail(void **state)
{
	struct esp *esp = client();
	struct result r;

	(void)state;
	signature_ensure(esp, "jane@gmail.com", &r);
	assert_int_equal(r.err, BH_ERR_REMOTE);
	assert_int_equal(r.reply.esp_code, 503);
	assert_non_null(strstr(r.reply.message, "Free-mail"));
	assert_int_equal(sim_count("SenderSignatures"), 0);
	esp->ops->destroy(esp);
}

/* A note that is not UTF-8 cannot go into JSON: refused before anything
 * is sent, not left out of the request without a word. */
static void test_signature_note_not_utf8(void **state)
{
	struct esp *esp = client();
	struct result r;

	(void)state;
	memset(&r, 0, sizeof r);
	assert_int_equal(esp->ops->signature_ensure(esp, "jane@shop.example", "Jane Customer", "",
						    "Merci, caf\xe9 !", on_done, &r),
			 BH_ERR_INVALID);
	assert_int_equal(sim_requests("POST", "/senders"), 0);
	assert_int_equal(sim_requests("GET", "/senders"), 0);
	esp->ops->destroy(esp);
}

static void test_signature_adopt_504(void **state)
{
	struct esp *esp = client();
	struct result first, r;

	(void)state;
	signature_ensure(esp, "race@shop.example", &first);
	fault("{\"Kind\":\"reply\",\"Method\":\"GET\",\"Path\":\"^/senders$\","
	      "\"Body\":{\"TotalCount\":0,\"SenderSignatures\":[]}}");
	signature_ensure(esp, "race@shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_string_equal(r.reply.signature.id, first.reply.signature.id);
	assert_int_equal(sim_requests("POST", "/senders"), 2);
	assert_int_equal(sim_count("SenderSignatures"), 1);
	esp->ops->destroy(esp);
}

/* ---- servers and email ---- */

static void server_ensure(struct esp *esp, const char *name, struct result *r)
{
	memset(r, 0, sizeof *r);
	assert_int_equal(postmark_server_ensure(esp, name, on_done, r), BH_OK);
	run(esp, r);
}

static void email_send(struct esp *esp, const char *from, const char *to, struct result *r)
{
	memset(r, 0, sizeof *r);
	assert_int_equal(postmark_email_send(esp, from, to, "Hello", "It works.", NULL, on_done, r),
			 BH_OK);
	run(esp, r);
}

/* A domain created, published and verified at the simulator. */
static void verified_domain(struct esp *esp, const char *name)
{
	struct result r, v;
	char body[256];

	domain_ensure(esp, name, &r);
	snprintf(body, sizeof body, "{\"Domain\":\"%s\",\"DKIM\":true,\"ReturnPath\":true}", name);
	ctl_do("POST", "/__control/dns", body);
	domain_verify(esp, r.reply.domain.id, &v);
	assert_true(resource_esp_verified(&v.reply.domain));
}

static void test_server_and_email(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp;
	struct result r, again, m;
	json_t *st;
	const char *token;

	(void)state;
	c.server_token = NULL; /* only the customer's server can send */
	esp = client_with(&c);
	memset(&m, 0, sizeof m);
	assert_int_equal(
	    postmark_email_send(esp, "a@b.example", "c@d.example", "s", "t", NULL, on_done, &m),
	    BH_ERR_AUTH);

	server_ensure(esp, "behalf-cust 1", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.server_id[0]);
	assert_true(r.reply.server_token_set);
	server_ensure(esp, "behalf-cust 1", &again);
	assert_string_equal(again.reply.server_id, r.reply.server_id);
	assert_int_equal(sim_count("Servers"), 1);
	assert_int_equal(sim_requests("GET", "/servers?count=500&offset=0&name=behalf-cust%201"),
			 2);

	verified_domain(esp, "send.example");
	email_send(esp, "Jane <jane@send.example>", "bob@elsewhere.example", &m);
	assert_int_equal(m.err, BH_OK);
	assert_int_equal(strlen(m.reply.message), 36); /* the MessageID */
	assert_int_equal(sim_count("Emails"), 1);

	/* The server token never shows, not even in the state the sim keeps. */
	st = ctl("GET", "/__control/state", NULL);
	token = json_string_value(json_array_get(
	    json_object_get(json_array_get(json_object_get(st, "Servers"), 0), "ApiTokens"), 0));
	assert_non_null(token);
	buf_printf(&seen_messages, "%s", ""); /* checked at the end, see test_no_token */
	assert_null(strstr(seen_messages.data, token));
	json_decref(st);
	esp->ops->destroy(esp);
}

static void test_server_adopt_603_and_mode(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp = client();
	struct result r, a;

	(void)state;
	server_ensure(esp, "behalf-race", &r);
	fault("{\"Kind\":\"reply\",\"Method\":\"GET\",\"Path\":\"^/servers$\","
	      "\"Body\":{\"TotalCount\":0,\"Servers\":[]}}");
	server_ensure(esp, "behalf-race", &a);
	assert_int_equal(a.err, BH_OK);
	assert_string_equal(a.reply.server_id, r.reply.server_id);
	assert_int_equal(sim_count("Servers"), 1);
	esp->ops->destroy(esp);

	/* Mode yes: the customer's server comes with their domain. */
	c.server_mode = POSTMARK_SERVER_YES;
	c.server_name = "behalf-mode";
	esp = client_with(&c);
	assert_int_equal(postmark_server_mode(esp), POSTMARK_SERVER_YES);
	domain_ensure(esp, "mode.example", &a);
	assert_int_equal(a.err, BH_OK);
	assert_true(a.reply.server_id[0]);
	assert_true(a.reply.domain.exists);
	signature_ensure(esp, "x@mode.example", &a);
	assert_true(a.reply.server_id[0]);
	assert_int_equal(sim_count("Servers"), 2);
	assert_int_equal(sim_requests("POST", "/servers"), 3); /* 2 above, 1 here */
	esp->ops->destroy(esp);
}

static void test_email_refusals(void **state)
{
	struct esp *esp = client();
	struct result r;
	struct buf many = {0};
	int i;

	(void)state;
	signature_ensure(esp, "new@shop.example", &r);
	email_send(esp, "new@shop.example", "bob@elsewhere.example", &r);
	assert_int_equal(r.err, BH_ERR_REMOTE);
	assert_int_equal(r.reply.esp_code, 401);
	assert_string_equal(r.reply.message, postmark_code_text(401));

	email_send(esp, "nobody@nowhere.example", "bob@elsewhere.example", &r);
	assert_int_equal(r.reply.esp_code, 400);

	ctl_do("POST", "/__control/options", "{\"PendingApproval\":true}");
	verified_domain(esp, "pending.example");
	email_send(esp, "a@pending.example", "bob@elsewhere.example", &r);
	assert_int_equal(r.err, BH_ERR_REMOTE);
	assert_int_equal(r.reply.esp_code, 412);
	assert_non_null(strstr(r.reply.message, "approval"));
	email_send(esp, "a@pending.example", "bob@pending.example", &r);
	assert_int_equal(r.err, BH_OK);

	for (i = 0; i < 51; i++)
		buf_printf(&many, "%su%d@pending.example", i ? ", " : "", i);
	assert_int_equal(
	    postmark_email_send(esp, "a@pending.example", many.data, "s", "t", NULL, on_done, &r),
	    BH_ERR_INVALID);
	buf_free(&many);
	esp->ops->destroy(esp);
}

/* ---- failures ---- */

static void test_bad_token(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp;
	struct result r;

	(void)state;
	c.account_token = BAD_TOKEN;
	esp = client_with(&c);
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_ERR_AUTH);
	assert_int_equal(r.reply.esp_code, 10);
	assert_non_null(strstr(r.reply.message, "vendor"));
	assert_null(strstr(r.reply.message, BAD_TOKEN));
	assert_int_equal(sim_requests("GET", "/domains"), 1); /* not retried */
	esp->ops->destroy(esp);
}

static void test_retry_429_then_ok(void **state)
{
	struct esp *esp = client();
	struct result r;

	(void)state;
	fault("{\"Kind\":\"429\",\"Path\":\"^/domains$\"}");
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(sim_requests("GET", "/domains?"), 2);
	assert_int_equal(sim_count("Domains"), 1);
	esp->ops->destroy(esp);
}

static void test_retry_500_twice_then_ok(void **state)
{
	struct esp *esp = client();
	struct result r;

	(void)state;
	fault("{\"Kind\":\"500\",\"Count\":2,\"Method\":\"POST\",\"Path\":\"^/senders$\"}");
	signature_ensure(esp, "jane@shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(sim_requests("POST", "/senders"), 3);
	assert_int_equal(sim_count("SenderSignatures"), 1);
	esp->ops->destroy(esp);
}

static void test_retry_hang_timeout(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp;
	struct result r;
	int64_t t0;

	(void)state;
	c.timeout_ms = 600;
	esp = client_with(&c);
	fault("{\"Kind\":\"hang\",\"Seconds\":3,\"Path\":\"verifydkim\"}");
	domain_ensure(esp, "slow.example", &r);
	t0 = clock_now_ms();
	domain_verify(esp, r.reply.domain.id, &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(clock_now_ms() - t0 >= 600);
	assert_int_equal(sim_requests("PUT", "/domains/"), 3); /* dkim twice, return path */
	esp->ops->destroy(esp);
}

static void test_retry_reset(void **state)
{
	struct esp *esp = client();
	struct result r;

	(void)state;
	fault("{\"Kind\":\"reset\",\"Path\":\"^/senders$\",\"Method\":\"GET\"}");
	signature_ensure(esp, "jane@shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	assert_int_equal(sim_requests("GET", "/senders?"), 2);
	esp->ops->destroy(esp);
}

static void test_retries_run_out(void **state)
{
	struct esp *esp = client();
	struct result r;

	(void)state;
	fault("{\"Kind\":\"503\",\"Count\":10,\"Path\":\"^/domains$\"}");
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_ERR_REMOTE);
	assert_string_equal(r.reply.message, text_get("postmark.maintenance"));
	assert_int_equal(sim_requests("GET", "/domains?"), 4); /* max_tries */
	esp->ops->destroy(esp);
}

static void test_malformed_json(void **state)
{
	struct esp *esp = client();
	struct result r;

	(void)state;
	fault("{\"Kind\":\"malformed\",\"Path\":\"^/domains$\"}");
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_ERR_PARSE);
	assert_string_equal(r.reply.message, text_get("postmark.bad_json"));
	/* The client is usable afterwards. */
	domain_ensure(esp, "shop.example", &r);
	assert_int_equal(r.err, BH_OK);
	esp->ops->destroy(esp);
}

static void test_bad_fields(void **state)
{
	struct esp *esp = client();
	struct result r;
	struct buf big = {.limit = 4u * 1024 * 1024};
	int i;

	(void)state;
	fault("{\"Kind\":\"reply\",\"Path\":\"^/senders/7$\",\"Body\":{\"ID\":\"7\","
	      "\"EmailAddress\":\"a@b.example\"}}");
	on_id(esp, esp->ops->signature_get, "7", &r);
	assert_int_equal(r.err, BH_ERR_PARSE);
	assert_non_null(strstr(r.reply.message, "ID"));

	fault("{\"Kind\":\"reply\",\"Path\":\"^/senders/7$\",\"Body\":{\"ID\":7}}");
	on_id(esp, esp->ops->signature_get, "7", &r);
	assert_int_equal(r.err, BH_ERR_PARSE);
	assert_non_null(strstr(r.reply.message, "EmailAddress"));

	fault("{\"Kind\":\"reply\",\"Path\":\"^/senders/7$\",\"Body\":{\"ID\":7,"
	      "\"EmailAddress\":\"a@b.example\",\"Confirmed\":\"yes\"}}");
	on_id(esp, esp->ops->signature_get, "7", &r);
	assert_int_equal(r.err, BH_ERR_PARSE);
	assert_non_null(strstr(r.reply.message, "Confirmed"));

	fault("{\"Kind\":\"reply\",\"Path\":\"^/senders/7$\",\"Body\":[1,2,3]}");
	on_id(esp, esp->ops->signature_get, "7", &r);
	assert_int_equal(r.err, BH_ERR_PARSE);

	/* A record value with an escape sequence is refused, not shown. */
	fault(
	    "{\"Kind\":\"reply\",\"Path\":\"verifydkim\",\"Body\":{\"ID\":5,\"Name\":\"a.example\","
	    "\"DKIMPendingHost\":\"x\\u001b[2J._domainkey.a.example\"}}");
	domain_verify(esp, "5", &r);
	assert_int_equal(r.err, BH_ERR_PARSE);
	assert_non_null(strstr(r.reply.message, "DKIMPendingHost"));

	/* Unknown fields are ignored. */
	fault("{\"Kind\":\"reply\",\"Path\":\"^/senders/7$\",\"Body\":{\"ID\":7,"
	      "\"EmailAddress\":\"a@b.example\",\"Confirmed\":true,\"NewThing\":{\"a\":[]}}}");
	on_id(esp, esp->ops->signature_get, "7", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.signature.confirmed);

	/* Over the 1 MiB cap: refused, not read. */
	buf_puts(&big, "{\"Kind\":\"reply\",\"Path\":\"^/senders/7$\",\"Body\":{\"ID\":7,\"X\":\"");
	for (i = 0; i < 1100; i++)
		buf_printf(&big, "%01024d", 0);
	buf_puts(&big, "\"}}");
	fault(big.data);
	buf_free(&big);
	on_id(esp, esp->ops->signature_get, "7", &r);
	assert_int_equal(r.err, BH_ERR_TOO_LARGE);

	/* Ids are numbers: anything else never reaches a URL. */
	assert_int_equal(esp->ops->signature_get(esp, "7/../../servers", on_done, &r),
			 BH_ERR_INVALID);
	esp->ops->destroy(esp);
}

/* A create whose reply is lost (reset, hang, 500 after the work was done)
 * is sent again, refused as existing, and adopted: exactly one resource of
 * each kind. */
static void test_lost_replies_create_once(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp;
	struct result r;

	(void)state;
	c.timeout_ms = 600;
	esp = client_with(&c);
	fault("{\"Kind\":\"reset\",\"After\":true,\"Method\":\"POST\",\"Path\":\"^/domains$\"}");
	domain_ensure(esp, "once.example", &r);
	assert_int_equal(r.err, BH_OK);
	fault("{\"Kind\":\"hang\",\"Seconds\":2,\"After\":true,\"Method\":\"POST\","
	      "\"Path\":\"^/senders$\"}");
	signature_ensure(esp, "once@once.example", &r);
	assert_int_equal(r.err, BH_OK);
	fault("{\"Kind\":\"500\",\"After\":true,\"Method\":\"POST\",\"Path\":\"^/servers$\"}");
	server_ensure(esp, "behalf-once", &r);
	assert_int_equal(r.err, BH_OK);
	assert_true(r.reply.server_token_set);
	assert_int_equal(sim_count("Domains"), 1);
	assert_int_equal(sim_count("SenderSignatures"), 1);
	assert_int_equal(sim_count("Servers"), 1);
	assert_int_equal(sim_requests("POST", "/domains"), 2);
	assert_int_equal(sim_requests("POST", "/senders"), 2);
	assert_int_equal(sim_requests("POST", "/servers"), 2);
	esp->ops->destroy(esp);
}

/* ---- the wire ---- */

static void test_headers(void **state)
{
	struct esp *esp = client();
	struct result r;
	json_t *reqs, *q;
	size_t i;
	int checked_put = 0, checked_post = 0, checked_resend = 0;

	(void)state;
	domain_ensure(esp, "wire.example", &r);
	domain_verify(esp, r.reply.domain.id, &r);
	signature_ensure(esp, "w@wire.example", &r);
	on_id(esp, esp->ops->signature_resend, r.reply.signature.id, &r);

	reqs = ctl("GET", "/__control/requests", NULL);
	assert_true(json_array_size(reqs) >= 8);
	json_array_foreach(reqs, i, q)
	{
		const char *m = json_string_value(json_object_get(q, "Method"));
		const char *p = json_string_value(json_object_get(q, "Path"));
		const char *body = json_string_value(json_object_get(q, "Body"));
		const char *tok = req_header(q, "X-Postmark-Account-Token");

		assert_string_equal(req_header(q, "Accept"), "application/json");
		assert_non_null(tok);
		assert_memory_equal(tok, "REDACTED:", 9);
		assert_null(req_header(q, "Expect"));
		if (*body) {
			assert_string_equal(req_header(q, "Content-Type"), "application/json");
			checked_post += strcmp(m, "POST") == 0;
		}
		if ((strcmp(m, "PUT") == 0 || strcmp(m, "POST") == 0) && !*body) {
			assert_string_equal(req_header(q, "Content-Length"), "0");
			assert_null(req_header(q, "Content-Type"));
			checked_put += strcmp(m, "PUT") == 0;
			checked_resend += strstr(p, "/resend") != NULL;
		}
	}
	json_decref(reqs);
	assert_int_equal(checked_put, 2);
	assert_int_equal(checked_resend, 1);
	assert_int_equal(checked_post, 2);
	esp->ops->destroy(esp);
}

/* Every ErrorCode of the reference: the right kind, its code, and words
 * a customer understands (not Postmark's). */
static void test_error_mapping(void **state)
{
	static const int codes[] = {10,	 300, 400, 401, 402, 403, 405, 409, 412, 413, 429,
				    501, 503, 504, 505, 506, 510, 511, 512, 513, 514, 515,
				    516, 520, 521, 522, 601, 603, 604, 607, 608};
	struct esp *esp = client();
	struct result r;
	char body[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		int code = codes[i];
		enum bh_err want = code == 10				       ? BH_ERR_AUTH
				   : code == 501 || code == 510 || code == 601 ? BH_ERR_NOT_FOUND
									       : BH_ERR_REMOTE;
		snprintf(body, sizeof body,
			 "{\"Kind\":\"reply\",\"Status\":%d,\"Path\":\"^/senders/9$\","
			 "\"Body\":{\"ErrorCode\":%d,\"Message\":\"raw words %d\"}}",
			 code == 10 ? 401 : 422, code, code);
		fault(body);
		on_id(esp, esp->ops->signature_get, "9", &r);
		assert_int_equal(r.err, want);
		assert_int_equal(r.reply.esp_code, code);
		assert_non_null(postmark_code_text(code));
		assert_string_equal(r.reply.message, postmark_code_text(code));
		assert_null(strstr(r.reply.message, "raw words"));
	}
	/* An unknown code: Postmark's words, sanitized, with the code. */
	fault("{\"Kind\":\"reply\",\"Status\":422,\"Path\":\"^/senders/9$\","
	      "\"Body\":{\"ErrorCode\":9999,\"Message\":\"odd \\u001b]0;title\\u0007 thing\"}}");
	on_id(esp, esp->ops->signature_get, "9", &r);
	assert_int_equal(r.err, BH_ERR_REMOTE);
	assert_int_equal(r.reply.esp_code, 9999);
	assert_non_null(strstr(r.reply.message, "9999"));
	assert_non_null(strstr(r.reply.message, "thing"));
	assert_null(strchr(r.reply.message, '\033'));
	assert_null(strchr(r.reply.message, '\007'));
	/* An error without the envelope: the status. */
	fault("{\"Kind\":\"reply\",\"Status\":418,\"Path\":\"^/senders/9$\",\"Body\":\"teapot\"}");
	on_id(esp, esp->ops->signature_get, "9", &r);
	assert_int_equal(r.err, BH_ERR_REMOTE);
	assert_non_null(strstr(r.reply.message, "418"));
	esp->ops->destroy(esp);
}

static void test_create_refusals(void **state)
{
	struct postmark_config c = base_config();
	char msg[256];
	struct esp *esp;
	struct result r, busy;

	(void)state;
	c.account_token = NULL;
	assert_null(postmark_create(&c, msg, sizeof msg));
	assert_string_equal(msg, text_get("postmark.no_account_token"));
	c = base_config();
	c.api_url = "http://api.example.com";
	assert_null(postmark_create(&c, msg, sizeof msg));
	assert_string_equal(msg, text_get("postmark.insecure_url"));
	c.api_url = "ftp://127.0.0.1/";
	assert_null(postmark_create(&c, msg, sizeof msg));
	c.api_url = NULL;
	c.account_token = "two words";
	assert_null(postmark_create(&c, msg, sizeof msg));

	/* One operation at a time. */
	esp = client();
	memset(&r, 0, sizeof r);
	assert_int_equal(esp->ops->domain_ensure(esp, "a.example", on_done, &r), BH_OK);
	assert_int_equal(esp->ops->signature_get(esp, "1", on_done, &busy), BH_ERR_BUSY);
	run(esp, &r);
	assert_int_equal(r.err, BH_OK);
	/* Destroyed with a request under way: no callback, no leak. */
	memset(&r, 0, sizeof r);
	assert_int_equal(esp->ops->domain_ensure(esp, "b.example", on_done, &r), BH_OK);
	esp->ops->destroy(esp);
	assert_false(r.done);
}

static void test_connection_refused(void **state)
{
	struct postmark_config c = base_config();
	struct esp *esp;
	struct result r;

	(void)state;
	c.api_url = "http://127.0.0.1:1"; /* nothing listens there */
	c.max_tries = 2;
	esp = client_with(&c);
	domain_ensure(esp, "a.example", &r);
	assert_int_equal(r.err, BH_ERR_NETWORK);
	assert_string_equal(r.reply.message, text_get("postmark.network"));
	esp->ops->destroy(esp);
}

/* Last: nothing the client said in this whole run holds a token. */
static void test_no_token_in_messages(void **state)
{
	json_t *reqs = ctl("GET", "/__control/requests", NULL);
	char *dump;

	(void)state;
	assert_non_null(seen_messages.data);
	assert_true(seen_messages.len > 1000);
	assert_null(strstr(seen_messages.data, ACCOUNT_TOKEN));
	assert_null(strstr(seen_messages.data, SERVER_TOKEN));
	assert_null(strstr(seen_messages.data, BAD_TOKEN));
	assert_null(strstr(seen_messages.data, "-sim-")); /* server ApiTokens */
	dump = json_dumps(reqs, 0);
	assert_null(strstr(dump, ACCOUNT_TOKEN));
	free(dump);
	json_decref(reqs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_domain_create_then_find, sim_reset),
	    cmocka_unit_test_setup(test_domain_paging, sim_reset),
	    cmocka_unit_test_setup(test_domain_adopt_512, sim_reset),
	    cmocka_unit_test_setup(test_domain_verify, sim_reset),
	    cmocka_unit_test_setup(test_dkim_update_status, sim_reset),
	    cmocka_unit_test_setup(test_return_path_label, sim_reset),
	    cmocka_unit_test_setup(test_domain_delete_not_found, sim_reset),
	    cmocka_unit_test_setup(test_signature_flow, sim_reset),
	    cmocka_unit_test_setup(test_signature_freemail, sim_reset),
	    cmocka_unit_test_setup(test_signature_note_not_utf8, sim_reset),
	    cmocka_unit_test_setup(test_signature_adopt_504, sim_reset),
	    cmocka_unit_test_setup(test_server_and_email, sim_reset),
	    cmocka_unit_test_setup(test_server_adopt_603_and_mode, sim_reset),
	    cmocka_unit_test_setup(test_email_refusals, sim_reset),
	    cmocka_unit_test_setup(test_bad_token, sim_reset),
	    cmocka_unit_test_setup(test_retry_429_then_ok, sim_reset),
	    cmocka_unit_test_setup(test_retry_500_twice_then_ok, sim_reset),
	    cmocka_unit_test_setup(test_retry_hang_timeout, sim_reset),
	    cmocka_unit_test_setup(test_retry_reset, sim_reset),
	    cmocka_unit_test_setup(test_retries_run_out, sim_reset),
	    cmocka_unit_test_setup(test_malformed_json, sim_reset),
	    cmocka_unit_test_setup(test_bad_fields, sim_reset),
	    cmocka_unit_test_setup(test_lost_replies_create_once, sim_reset),
	    cmocka_unit_test_setup(test_headers, sim_reset),
	    cmocka_unit_test_setup(test_error_mapping, sim_reset),
	    cmocka_unit_test_setup(test_create_refusals, sim_reset),
	    cmocka_unit_test_setup(test_connection_refused, sim_reset),
	    cmocka_unit_test(test_no_token_in_messages),
	};
	return cmocka_run_group_tests(tests, sim_start, sim_stop);
}
