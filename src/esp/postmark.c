/* The Postmark ESP (see postmark.h).
 *
 * One operation at a time.  An operation is a small state machine: each
 * stage sends one HTTP request (pm_send) and handles its answer
 * (pm_on_answer -> the stage's handler), which either finishes the
 * operation or sends the next request.  Retries of one request (429, 5xx,
 * timeouts, dropped connections) happen below the stages, after a backoff
 * timer reported through the source's deadline. */
#include "esp/postmark.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/sanitize.h"
#include "core/text.h"
#include "esp/http.h"

#define PM_ADOPT_ROUNDS 2    /* look-ups after an "already exists" before giving up */
#define PM_PAGES_MAX	1000 /* pages of one list, against a server that never ends */
#define PM_TOKEN_MAX	256
#define PM_ID_DIGITS	20

enum pm_kind {
	OP_NONE,
	OP_DOMAIN_ENSURE,
	OP_DOMAIN_VERIFY,
	OP_DOMAIN_DELETE,
	OP_SIGNATURE_ENSURE,
	OP_SIGNATURE_GET,
	OP_SIGNATURE_RESEND,
	OP_SIGNATURE_DELETE,
	OP_SIGNATURE_UPDATE,
	OP_SERVER_ENSURE,
	OP_EMAIL_SEND,
};

/* Stages: which request is under way, hence how to read its answer. */
enum pm_stage {
	ST_SERVER_LIST,
	ST_SERVER_GET,
	ST_SERVER_CREATE,
	ST_DOMAIN_LIST,
	ST_DOMAIN_GET,
	ST_DOMAIN_EDIT,
	ST_DOMAIN_CREATE,
	ST_VERIFY_DKIM,
	ST_VERIFY_RETURN_PATH,
	ST_DOMAIN_DELETE,
	ST_SIGNATURE_LIST,
	ST_SIGNATURE_GET,
	ST_SIGNATURE_CREATE,
	ST_SIGNATURE_RESEND,
	ST_SIGNATURE_DELETE,
	ST_SIGNATURE_EDIT,
	ST_EMAIL_SEND,
};

enum pm_auth { AUTH_ACCOUNT, AUTH_SERVER };

/* The HTTP request of the current stage, kept for retries. */
struct pm_call {
	char *method; /* static string */
	char *path;   /* malloced, "/domains/12/verifyDkim" */
	char *body;   /* malloced JSON, or NULL */
	enum pm_auth auth;
	bool resend_unsafe;	 /* an email: do not send again if it may have arrived */
	int tries;		 /* sent so far */
	uint64_t http_id;	 /* under way, 0 when not */
	int64_t retry_at_ms;	 /* monotonic ms of the next try, 0 when none */
	enum bh_err start_err;	 /* the request could not start: end at the next dispatch */
	bool gate_marked;	 /* gate_mark is set */
	unsigned long gate_mark; /* the gate's 429 rounds already counted in tries */
	bool gate_out;		 /* the host's 429s used up the tries: end at dispatch */
};

/* A domain's two records as Postmark's details name them; the reply gets
 * them as the neutral list of resource.h (pm_domain_list). */
struct pm_domain {
	char dkim_host[RECORD_NAME_MAX];	  /* pending key's host when set, else active */
	char dkim_value[RECORD_VALUE_MAX];	  /* "k=rsa; p=..." */
	char return_path_host[RECORD_NAME_MAX];	  /* "pm-bounces.customer.example" */
	char return_path_target[RECORD_NAME_MAX]; /* "pm.mtasv.net" */
	bool dkim_verified;			  /* Postmark says DKIM is verified */
	bool return_path_verified;		  /* Postmark says the Return-Path is verified */
};

/* The operation under way. */
struct pm_op {
	enum pm_kind kind; /* OP_NONE when idle */
	enum pm_stage stage;
	char *args[6];			/* malloced copies of the string arguments ("" for NULL) */
	char *server_want;		/* malloced name of the server to ensure, or NULL */
	char found_id[RESOURCE_ID_MAX]; /* id found by a list, or being acted on */
	int offset;			/* list paging */
	int pages;
	int adopt_rounds; /* list look-ups after an "already exists" */
	bool adopting;
	int kept_code;		 /* an ErrorCode to report after a follow-up request */
	bool dkim_was_verified;	 /* verify: what verifyDkim said */
	struct pm_domain domain; /* the domain's details last read */
	esp_done_fn done;
	void *arg;
	struct esp_reply *reply; /* malloced; handed to done */
	struct pm_call call;
};

struct postmark {
	struct esp base; /* first: a struct esp * is a struct postmark * */
	struct http *http;
	char *url;	      /* malloced base URL, no trailing '/' */
	char *account_token;  /* malloced secret */
	char *server_token;   /* malloced secret, or NULL */
	char *customer_token; /* malloced secret of the customer's server, or NULL */
	char customer_server_id[RESOURCE_ID_MAX];
	char *server_name;	 /* malloced, may be "" */
	char *return_path_label; /* malloced label of the Return-Path domain */
	enum postmark_server_mode server_mode;
	long timeout_ms, connect_timeout_ms, retry_base_ms, retry_max_ms;
	int max_tries, page_size;
	struct esp_gate *gate; /* shared by the host's clients, or NULL */
	uint64_t rng;
	struct pm_op op;
};

static const struct esp_ops postmark_ops;

static void pm_stage_answer(struct postmark *pm, long status, json_t *root);

bool postmark_is(const struct esp *esp)
{
	return esp && esp->ops == &postmark_ops;
}

/* ---- words ---------------------------------------------------------- */

const char *postmark_code_text(int code)
{
	char id[48];
	const char *s;

	snprintf(id, sizeof id, "postmark.code_%d", code);
	if (!text_has(id))
		return NULL;
	s = text_get(id);
	return s;
}

/* Copies text into the reply's message, sanitized; a message that holds a
 * token (an echo from the server, a proxy) is replaced entirely. */
static void pm_message(struct postmark *pm, const char *text)
{
	struct esp_reply *r = pm->op.reply;
	const char *secrets[3] = {pm->account_token, pm->server_token, pm->customer_token};
	size_t i;

	if (!text)
		text = "";
	for (i = 0; i < 3; i++) {
		if (secrets[i] && *secrets[i] && strstr(text, secrets[i])) {
			text = text_get("postmark.message_hidden");
			break;
		}
	}
	sanitize_text(text, r->message, sizeof r->message);
}

/* The message text id with up to two arguments. */
static void pm_message_fmt(struct postmark *pm, const char *id, const char *a1, const char *a2)
{
	char out[512];
	text_fmt(out, sizeof out, id, a1, a2, NULL);
	pm_message(pm, out);
}

/* ---- JSON reading ------------------------------------------------------ */

/* Reading a reply: the first field that is missing or of the wrong type. */
struct pm_read {
	json_t *obj;
	const char *bad; /* static field name, NULL while all is well */
};

/* obj[key] as a string: "" when absent or null (optional), an error when
 * required and absent, or of another type. */
static const char *rd_str(struct pm_read *rd, const char *key, bool required)
{
	json_t *v = json_object_get(rd->obj, key);

	if ((!v || json_is_null(v)) && !required)
		return "";
	if (!json_is_string(v)) {
		if (!rd->bad)
			rd->bad = key;
		return "";
	}
	return json_string_value(v);
}

/* obj[key] as a boolean (absent or null: false). */
static bool rd_bool(struct pm_read *rd, const char *key)
{
	json_t *v = json_object_get(rd->obj, key);

	if (!v || json_is_null(v))
		return false;
	if (!json_is_boolean(v)) {
		if (!rd->bad)
			rd->bad = key;
		return false;
	}
	return json_is_true(v);
}

/* obj[key], a required non-negative integer, as decimal text. */
static void rd_id(struct pm_read *rd, const char *key, char *out, size_t cap)
{
	json_t *v = json_object_get(rd->obj, key);

	out[0] = '\0';
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		if (!rd->bad)
			rd->bad = key;
		return;
	}
	snprintf(out, cap, "%lld", (long long)json_integer_value(v));
}

/* Copies a string field into out; one that does not fit, or that holds
 * what sanitize_text would change (controls, bad UTF-8), is an error: a
 * cut or altered DNS record would never verify. */
static void rd_copy(struct pm_read *rd, const char *key, bool required, char *out, size_t cap)
{
	const char *s = rd_str(rd, key, required);

	sanitize_text(s, out, cap);
	if (strcmp(out, s) != 0 && !rd->bad)
		rd->bad = key;
}

/* The records of a domain, as the reply gives them: the DKIM TXT (the
 * pending key when there is one) and the Return-Path CNAME. */
static void pm_domain_list(const struct pm_domain *pd, struct wizard_domain_res *res)
{
	res->nrecords = 0;
	if (pd->dkim_host[0])
		resource_add_record(res, PURPOSE_DKIM, RECORD_TYPE_TXT, pd->dkim_host,
				    pd->dkim_value, true, pd->dkim_verified);
	if (pd->return_path_host[0])
		resource_add_record(res, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME,
				    pd->return_path_host, pd->return_path_target, true,
				    pd->return_path_verified);
}

/* A domain's details into res (Postmark's fields into pd); false (rd->bad
 * set) when malformed. */
static bool read_domain(struct pm_read *rd, struct pm_domain *pd, struct wizard_domain_res *res)
{
	const char *pending, *status;

	memset(res, 0, sizeof *res);
	memset(pd, 0, sizeof *pd);
	if (!json_is_object(rd->obj)) {
		rd->bad = "(reply)";
		return false;
	}
	rd_id(rd, "ID", res->id, sizeof res->id);
	rd_copy(rd, "Name", true, res->name, sizeof res->name);
	pending = rd_str(rd, "DKIMPendingHost", false);
	if (*pending) {
		rd_copy(rd, "DKIMPendingHost", false, pd->dkim_host, sizeof pd->dkim_host);
		rd_copy(rd, "DKIMPendingTextValue", false, pd->dkim_value, sizeof pd->dkim_value);
	} else {
		rd_copy(rd, "DKIMHost", false, pd->dkim_host, sizeof pd->dkim_host);
		rd_copy(rd, "DKIMTextValue", false, pd->dkim_value, sizeof pd->dkim_value);
	}
	rd_copy(rd, "ReturnPathDomain", false, pd->return_path_host, sizeof pd->return_path_host);
	rd_copy(rd, "ReturnPathDomainCNAMEValue", false, pd->return_path_target,
		sizeof pd->return_path_target);
	status = rd_str(rd, "DKIMUpdateStatus", false);
	/* DKIMVerified lags the web UI: a verified update with an active key
	 * counts too (reference: "Semantics"). */
	pd->dkim_verified = rd_bool(rd, "DKIMVerified") ||
			    (strcmp(status, "Verified") == 0 && *rd_str(rd, "DKIMHost", false));
	pd->return_path_verified = rd_bool(rd, "ReturnPathDomainVerified");
	pm_domain_list(pd, res);
	res->exists = rd->bad == NULL;
	return rd->bad == NULL;
}

/* A sender signature's details into res; false when malformed. */
static bool read_signature(struct pm_read *rd, struct wizard_signature_res *res)
{
	memset(res, 0, sizeof *res);
	if (!json_is_object(rd->obj)) {
		rd->bad = "(reply)";
		return false;
	}
	rd_id(rd, "ID", res->id, sizeof res->id);
	rd_copy(rd, "EmailAddress", true, res->email, sizeof res->email);
	rd_copy(rd, "Name", false, res->name, sizeof res->name);
	res->confirmed = rd_bool(rd, "Confirmed");
	res->exists = rd->bad == NULL;
	return rd->bad == NULL;
}

/* ---- the operation's end ---------------------------------------------- */

/* Ends the operation: the slot is freed before the callback, which may
 * start the next operation. */
static void pm_finish(struct postmark *pm, enum bh_err err)
{
	struct pm_op op = pm->op;
	size_t i;

	memset(&pm->op, 0, sizeof pm->op);
	if (err && !op.reply->message[0])
		sanitize_text(bh_strerror(err), op.reply->message, sizeof op.reply->message);
	if (pm->customer_server_id[0] && !op.reply->server_id[0] &&
	    pm->server_mode == POSTMARK_SERVER_YES) {
		str_copy(op.reply->server_id, sizeof op.reply->server_id, pm->customer_server_id);
		op.reply->server_token_set = pm->customer_token != NULL;
	}
	op.done(op.arg, err, op.reply);
	free(op.reply);
	for (i = 0; i < 6; i++)
		free(op.args[i]);
	free(op.server_want);
	free(op.call.path);
	free(op.call.body);
}

/* Ends with a refusal read from Postmark's error envelope (or its absence):
 * esp_code, the customer's words, and the error kind. */
static void pm_fail_answer(struct postmark *pm, long status, json_t *root)
{
	struct esp_reply *r = pm->op.reply;
	json_t *code = json_object_get(root, "ErrorCode");
	const char *api = json_string_value(json_object_get(root, "Message"));
	const char *words;
	char num[24], clean[200];
	enum bh_err err = BH_ERR_REMOTE;

	r->esp_code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
	if (status == 401 || r->esp_code == 10)
		err = BH_ERR_AUTH;
	else if (status == 404 || r->esp_code == 501 || r->esp_code == 510 || r->esp_code == 601)
		err = BH_ERR_NOT_FOUND;
	else if (status == 413)
		err = BH_ERR_TOO_LARGE;
	words = r->esp_code ? postmark_code_text(r->esp_code) : NULL;
	if (words) {
		pm_message(pm, words);
	} else if (err == BH_ERR_NOT_FOUND) {
		pm_message(pm, text_get("postmark.not_found"));
	} else if (err == BH_ERR_AUTH) {
		pm_message(pm, text_get("postmark.code_10"));
	} else {
		sanitize_text(api ? api : "", clean, sizeof clean);
		snprintf(num, sizeof num, "%d", r->esp_code ? r->esp_code : (int)status);
		pm_message_fmt(pm, r->esp_code ? "postmark.refused" : "postmark.http_status", num,
			       clean);
	}
	pm_finish(pm, err);
}

/* Ends with an unreadable reply: which field, never the reply itself. */
static void pm_fail_parse(struct postmark *pm, const char *field)
{
	pm_message_fmt(pm, "postmark.bad_reply", field ? field : "(reply)", NULL);
	pm_finish(pm, BH_ERR_PARSE);
}

/* ---- requests ---------------------------------------------------------- */

/* Random 64 bits (xorshift), for jitter only. */
static uint64_t pm_random(struct postmark *pm)
{
	uint64_t x = pm->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	pm->rng = x;
	return x;
}

static void pm_http_done(void *arg, const struct http_response *resp);

/* Sends the current call (again). */
static void pm_call_send(struct postmark *pm)
{
	struct pm_call *c = &pm->op.call;
	struct http_request req = {0};
	struct buf url = {0}, auth = {0};
	const char *token = c->auth == AUTH_ACCOUNT
				? pm->account_token
				: (pm->customer_token ? pm->customer_token : pm->server_token);
	enum bh_err err = BH_ERR_INVALID;
	int h = 0;

	if (pm->gate && pm->http) {
		int64_t now = clock_now_ms(), at;
		/* The host's 429s while this request waited are its tries too:
		 * every client waits together (gate.h). */
		if (c->gate_marked && pm->gate->rounds > c->gate_mark)
			c->tries += (int)(pm->gate->rounds - c->gate_mark);
		c->gate_mark = pm->gate->rounds;
		c->gate_marked = true;
		if (c->tries >= pm->max_tries) {
			c->gate_out = true;
			c->retry_at_ms = now;
			return;
		}
		at = esp_gate_admit(pm->gate, now);
		if (at) {
			c->retry_at_ms = at;
			return;
		}
	}
	buf_printf(&url, "%s%s", pm->url, c->path);
	buf_printf(&auth, "%s: %s",
		   c->auth == AUTH_ACCOUNT ? "X-Postmark-Account-Token" : "X-Postmark-Server-Token",
		   token ? token : "");
	req.method = c->method;
	req.url = url.data;
	req.headers[h++] = "Accept: application/json";
	if (c->body)
		req.headers[h++] = "Content-Type: application/json";
	req.headers[h++] = auth.data;
	req.body = c->body;
	req.timeout_ms = pm->timeout_ms;
	req.connect_timeout_ms = pm->connect_timeout_ms;
	req.fresh_connection = c->resend_unsafe;
	c->tries++;
	/* No client (postmark_parse_reply): the request never starts. */
	c->http_id = pm->http ? http_start(pm->http, &req, pm_http_done, pm, &err) : 0;
	explicit_bzero(auth.data, auth.len);
	buf_free(&auth);
	buf_free(&url);
	if (!c->http_id) {
		/* Never call back from inside an operation's call: at dispatch. */
		c->start_err = err;
		c->retry_at_ms = clock_now_ms();
	}
}

/* Starts a stage's request: method, path (printf format), body (taken,
 * malloced or NULL), token. */
__attribute__((format(printf, 6, 7))) static void pm_send(struct postmark *pm, enum pm_stage stage,
							  const char *method, char *body,
							  enum pm_auth auth, const char *fmt, ...)
{
	struct pm_call *c = &pm->op.call;
	struct buf path = {0};
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_puts(&path, tmp);
	free(c->path);
	free(c->body);
	memset(c, 0, sizeof *c);
	c->method = (char *)method;
	c->path = buf_steal(&path);
	c->body = body;
	c->auth = auth;
	c->resend_unsafe = stage == ST_EMAIL_SEND;
	pm->op.stage = stage;
	pm_call_send(pm);
}

/* Whether a failed try may be made again, and with which error it ends
 * when it may not. */
static bool pm_retryable(const struct pm_call *c, const struct http_response *resp)
{
	switch (resp->fail) {
	case HTTP_FAIL_CONNECT:
		return true;
	case HTTP_FAIL_TIMEOUT:
	case HTTP_FAIL_DROPPED:
		/* The email may have gone out: never send it twice. */
		return !c->resend_unsafe;
	case HTTP_FAIL_NONE:
		break;
	default:
		return false;
	}
	if (resp->status == 429 || resp->status == 503)
		return true;
	if (resp->status == 500 || resp->status == 502 || resp->status == 504)
		return !c->resend_unsafe;
	return false;
}

/* Ends after the last try failed at the transport level or with a status
 * worth retrying. */
static void pm_fail_transport(struct postmark *pm, const struct http_response *resp)
{
	char num[24];

	switch (resp->fail) {
	case HTTP_FAIL_TIMEOUT:
		pm_message(pm, text_get("postmark.timeout"));
		pm_finish(pm, BH_ERR_TIMEOUT);
		return;
	case HTTP_FAIL_CONNECT:
		pm_message(pm, text_get("postmark.network"));
		pm_finish(pm, BH_ERR_NETWORK);
		return;
	case HTTP_FAIL_DROPPED:
		pm_message(pm, text_get("postmark.dropped"));
		pm_finish(pm, BH_ERR_NETWORK);
		return;
	case HTTP_FAIL_TOO_LARGE:
		pm_message(pm, text_get("postmark.too_large"));
		pm_finish(pm, BH_ERR_TOO_LARGE);
		return;
	case HTTP_FAIL_OTHER:
		pm_message_fmt(pm, "postmark.transport", resp->detail, NULL);
		pm_finish(pm, BH_ERR_NETWORK);
		return;
	case HTTP_FAIL_NONE:
		break;
	}
	snprintf(num, sizeof num, "%ld", resp->status);
	pm->op.reply->esp_code = resp->status == 429 ? 429 : 0;
	if (resp->status == 429)
		pm_message(pm, text_get("postmark.rate_limited"));
	else if (resp->status == 503)
		pm_message(pm, text_get("postmark.maintenance"));
	else
		pm_message_fmt(pm, "postmark.server_error", num, NULL);
	pm_finish(pm, BH_ERR_REMOTE);
}

/* The backoff before try number tries + 1: base * 2^(tries-1), capped,
 * then between half and all of it (jitter). */
static int64_t pm_backoff_ms(struct postmark *pm, int tries)
{
	int64_t d = pm->retry_base_ms;
	int i;

	for (i = 1; i < tries && d < pm->retry_max_ms; i++)
		d *= 2;
	if (d > pm->retry_max_ms)
		d = pm->retry_max_ms;
	return d / 2 + (int64_t)(pm_random(pm) % (uint64_t)(d / 2 + 1));
}

/* http callback: retry, or read the JSON and give it to the stage. */
static void pm_http_done(void *arg, const struct http_response *resp)
{
	struct postmark *pm = arg;
	struct pm_call *c = &pm->op.call;
	json_error_t jerr;
	json_t *root = NULL;

	c->http_id = 0;
	if (pm->gate) {
		esp_gate_answered(pm->gate, resp->fail == HTTP_FAIL_NONE ? resp->status : 0,
				  clock_now_ms());
		c->gate_mark = pm->gate->rounds;
	}
	if (pm->op.kind == OP_NONE)
		return;
	if (resp->fail != HTTP_FAIL_NONE || pm_retryable(c, resp)) {
		if (pm_retryable(c, resp) && c->tries < pm->max_tries) {
			c->retry_at_ms = clock_now_ms() + pm_backoff_ms(pm, c->tries);
			if (c->retry_at_ms <= 0)
				c->retry_at_ms = 1;
			return;
		}
		pm_fail_transport(pm, resp);
		return;
	}
	if (resp->body && resp->body->len) {
		root = json_loadb(resp->body->data, resp->body->len, 0, &jerr);
		if (!root) {
			if (resp->status >= 200 && resp->status < 300) {
				pm_message(pm, text_get("postmark.bad_json"));
				pm_finish(pm, BH_ERR_PARSE);
				return;
			}
			/* An error without the envelope: the status says enough. */
		}
	}
	if (resp->status < 200 || resp->status >= 300) {
		if (!root || !json_is_object(root)) {
			json_decref(root);
			root = json_object();
		}
	} else if (!root || !json_is_object(root)) {
		json_decref(root);
		pm_fail_parse(pm, "(reply)");
		return;
	}
	pm_stage_answer(pm, resp->status, root);
	json_decref(root);
}

/* The ErrorCode of an error answer, 0 when none. */
static int pm_code(json_t *root)
{
	json_t *v = json_object_get(root, "ErrorCode");
	return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

/* ---- JSON bodies ------------------------------------------------------- */

/* A malloced JSON object from key/value pairs (NULL-ended); values that are
 * NULL or "" are left out. */
static char *pm_body(const char *key, ...)
{
	json_t *o = json_object();
	const char *k, *v;
	va_list ap;
	char *text;

	va_start(ap, key);
	for (k = key; k; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		if (v && *v)
			json_object_set_new(o, k, json_string(v));
	}
	va_end(ap);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		abort(); /* only when out of memory, like x* */
	return text;
}

/* Percent-encodes s for a query string into a malloced string. */
static char *pm_query_escape(const char *s)
{
	struct buf b = {0};
	const unsigned char *p;

	buf_puts(&b, "");
	for (p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
			buf_append(&b, p, 1);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return buf_steal(&b);
}

/* ---- stages ------------------------------------------------------------ */

static void pm_start_main(struct postmark *pm);

/* Requests the current page of the list the stage reads. */
static void pm_list_page(struct postmark *pm, enum pm_stage stage)
{
	char *name;

	if (stage == ST_DOMAIN_LIST) {
		pm_send(pm, stage, "GET", NULL, AUTH_ACCOUNT, "/domains?count=%d&offset=%d",
			pm->page_size, pm->op.offset);
	} else if (stage == ST_SIGNATURE_LIST) {
		pm_send(pm, stage, "GET", NULL, AUTH_ACCOUNT, "/senders?count=%d&offset=%d",
			pm->page_size, pm->op.offset);
	} else {
		name = pm_query_escape(pm->op.server_want);
		pm_send(pm, ST_SERVER_LIST, "GET", NULL, AUTH_ACCOUNT,
			"/servers?count=%d&offset=%d&name=%s", pm->page_size, pm->op.offset, name);
		free(name);
	}
}

/* Starts looking a list through from its first page. */
static void pm_list_start(struct postmark *pm, enum pm_stage stage)
{
	pm->op.offset = 0;
	pm->op.pages = 0;
	pm->op.found_id[0] = '\0';
	pm_list_page(pm, stage);
}

enum pm_list_result { LIST_FOUND, LIST_MORE, LIST_ABSENT, LIST_BAD };

/* Reads one page of a list: array key, entries matched on field (case
 * insensitive) against want.  LIST_FOUND sets op.found_id; LIST_MORE
 * advances op.offset; LIST_BAD sets *bad. */
static enum pm_list_result pm_list_read(struct postmark *pm, json_t *root, const char *key,
					const char *field, const char *want, const char **bad)
{
	json_t *total = json_object_get(root, "TotalCount");
	json_t *items = json_object_get(root, key), *e;
	struct pm_read rd = {0};
	char id[RESOURCE_ID_MAX];
	const char *v;
	size_t i;

	if (!json_is_integer(total)) {
		*bad = "TotalCount";
		return LIST_BAD;
	}
	if (!json_is_array(items)) {
		*bad = key;
		return LIST_BAD;
	}
	json_array_foreach(items, i, e)
	{
		rd.obj = e;
		rd.bad = json_is_object(e) ? NULL : key;
		rd_id(&rd, "ID", id, sizeof id);
		v = rd_str(&rd, field, true);
		if (rd.bad) {
			*bad = rd.bad;
			return LIST_BAD;
		}
		if (strcasecmp(v, want) == 0) {
			str_copy(pm->op.found_id, sizeof pm->op.found_id, id);
			return LIST_FOUND;
		}
	}
	pm->op.offset += (int)json_array_size(items);
	pm->op.pages++;
	if (json_array_size(items) > 0 && pm->op.offset < json_integer_value(total) &&
	    pm->op.pages < PM_PAGES_MAX)
		return LIST_MORE;
	return LIST_ABSENT;
}

/* After an "already exists": look the list through again, a bounded number
 * of times; false (and the operation ended) when that is used up. */
static bool pm_adopt(struct postmark *pm, enum pm_stage list, long status, json_t *root)
{
	if (pm->op.adopt_rounds >= PM_ADOPT_ROUNDS) {
		pm_fail_answer(pm, status, root);
		return false;
	}
	pm->op.adopt_rounds++;
	pm->op.adopting = true;
	pm_list_start(pm, list);
	return true;
}

/* The server's first API token, kept in memory: the customer's. */
static bool pm_keep_server(struct postmark *pm, json_t *root, const char **bad)
{
	struct pm_read rd = {root, NULL};
	json_t *tokens = json_object_get(root, "ApiTokens");
	const char *tok = json_string_value(json_array_get(tokens, 0));
	char id[RESOURCE_ID_MAX];

	rd_id(&rd, "ID", id, sizeof id);
	rd_str(&rd, "Name", true);
	if (!rd.bad && (!tok || !*tok || strlen(tok) >= PM_TOKEN_MAX))
		rd.bad = "ApiTokens";
	if (rd.bad) {
		*bad = rd.bad;
		return false;
	}
	if (pm->customer_token) {
		explicit_bzero(pm->customer_token, strlen(pm->customer_token));
		free(pm->customer_token);
	}
	pm->customer_token = xstrdup(tok);
	str_copy(pm->customer_server_id, sizeof pm->customer_server_id, id);
	str_copy(pm->op.reply->server_id, sizeof pm->op.reply->server_id, id);
	pm->op.reply->server_token_set = 1;
	return true;
}

static void pm_on_server(struct postmark *pm, long status, json_t *root)
{
	const char *bad = NULL;
	bool ok = status >= 200 && status < 300;

	switch (pm->op.stage) {
	case ST_SERVER_LIST:
		if (!ok) {
			pm_fail_answer(pm, status, root);
			return;
		}
		switch (pm_list_read(pm, root, "Servers", "Name", pm->op.server_want, &bad)) {
		case LIST_FOUND:
			pm_send(pm, ST_SERVER_GET, "GET", NULL, AUTH_ACCOUNT, "/servers/%s",
				pm->op.found_id);
			return;
		case LIST_MORE:
			pm_list_page(pm, ST_SERVER_LIST);
			return;
		case LIST_ABSENT:
			pm_send(pm, ST_SERVER_CREATE, "POST",
				pm_body("Name", pm->op.server_want, NULL), AUTH_ACCOUNT,
				"/servers");
			return;
		case LIST_BAD:
			pm_fail_parse(pm, bad);
			return;
		}
		return;
	case ST_SERVER_CREATE:
		if (!ok && pm_code(root) == 603) {
			pm_adopt(pm, ST_SERVER_LIST, status, root);
			return;
		}
		/* fall through */
	default:
		if (!ok) {
			pm_fail_answer(pm, status, root);
			return;
		}
		if (!pm_keep_server(pm, root, &bad)) {
			pm_fail_parse(pm, bad);
			return;
		}
		if (pm->op.kind == OP_SERVER_ENSURE)
			pm_finish(pm, BH_OK);
		else
			pm_start_main(pm);
		return;
	}
}

/* A domain's details into the reply; false (operation ended) when bad. */
static bool pm_take_domain(struct postmark *pm, json_t *root)
{
	struct pm_read rd = {root, NULL};

	if (!read_domain(&rd, &pm->op.domain, &pm->op.reply->domain)) {
		pm_fail_parse(pm, rd.bad);
		return false;
	}
	return true;
}

static void pm_on_domain(struct postmark *pm, long status, json_t *root)
{
	const char *bad = NULL, *name = pm->op.args[0], *rp = pm->op.args[1];
	bool ok = status >= 200 && status < 300;
	struct wizard_domain_res *d = &pm->op.reply->domain;

	if (!ok && pm->op.stage == ST_DOMAIN_CREATE && pm_code(root) == 512) {
		pm_adopt(pm, ST_DOMAIN_LIST, status, root);
		return;
	}
	if (!ok) {
		pm_fail_answer(pm, status, root);
		return;
	}
	switch (pm->op.stage) {
	case ST_DOMAIN_LIST:
		switch (pm_list_read(pm, root, "Domains", "Name", name, &bad)) {
		case LIST_FOUND:
			pm_send(pm, ST_DOMAIN_GET, "GET", NULL, AUTH_ACCOUNT, "/domains/%s",
				pm->op.found_id);
			return;
		case LIST_MORE:
			pm_list_page(pm, ST_DOMAIN_LIST);
			return;
		case LIST_ABSENT:
			if (pm->op.adopting && pm->op.adopt_rounds >= PM_ADOPT_ROUNDS) {
				pm->op.reply->esp_code = 512;
				pm_message(pm, text_get("postmark.code_512"));
				pm_finish(pm, BH_ERR_REMOTE);
				return;
			}
			pm_send(pm, ST_DOMAIN_CREATE, "POST",
				pm_body("Name", name, "ReturnPathDomain", rp, NULL), AUTH_ACCOUNT,
				"/domains");
			return;
		case LIST_BAD:
			pm_fail_parse(pm, bad);
			return;
		}
		return;
	case ST_DOMAIN_GET:
		if (!pm_take_domain(pm, root))
			return;
		if (*rp && strcasecmp(pm->op.domain.return_path_host, rp) != 0) {
			/* "ensure" also means the Return-Path domain asked for. */
			pm_send(pm, ST_DOMAIN_EDIT, "PUT", pm_body("ReturnPathDomain", rp, NULL),
				AUTH_ACCOUNT, "/domains/%s", d->id);
			return;
		}
		pm_finish(pm, BH_OK);
		return;
	case ST_VERIFY_DKIM:
		if (!pm_take_domain(pm, root))
			return;
		pm->op.dkim_was_verified = pm->op.domain.dkim_verified;
		if (!pm->op.domain.return_path_host[0]) {
			pm_finish(pm, BH_OK);
			return;
		}
		pm_send(pm, ST_VERIFY_RETURN_PATH, "PUT", NULL, AUTH_ACCOUNT,
			"/domains/%s/verifyReturnPath", pm->op.found_id);
		return;
	case ST_VERIFY_RETURN_PATH:
		if (!pm_take_domain(pm, root))
			return;
		/* DKIMVerified never goes back to false at Postmark. */
		pm->op.domain.dkim_verified =
		    pm->op.domain.dkim_verified || pm->op.dkim_was_verified;
		pm_domain_list(&pm->op.domain, d);
		pm_finish(pm, BH_OK);
		return;
	case ST_DOMAIN_DELETE:
		d->exists = false;
		str_copy(d->id, sizeof d->id, pm->op.found_id);
		pm_message(pm, rd_str(&(struct pm_read){root, NULL}, "Message", false));
		pm_finish(pm, BH_OK);
		return;
	default: /* ST_DOMAIN_EDIT, ST_DOMAIN_CREATE */
		if (pm_take_domain(pm, root))
			pm_finish(pm, BH_OK);
		return;
	}
}

/* A signature's details into the reply; false (operation ended) when bad. */
static bool pm_take_signature(struct postmark *pm, json_t *root)
{
	struct pm_read rd = {root, NULL};

	if (!read_signature(&rd, &pm->op.reply->signature)) {
		pm_fail_parse(pm, rd.bad);
		return false;
	}
	return true;
}

static void pm_on_signature(struct postmark *pm, long status, json_t *root)
{
	const char *bad = NULL;
	char **a = pm->op.args;
	bool ok = status >= 200 && status < 300;
	struct esp_reply *r = pm->op.reply;

	if (!ok && pm->op.stage == ST_SIGNATURE_CREATE && pm_code(root) == 504) {
		pm_adopt(pm, ST_SIGNATURE_LIST, status, root);
		return;
	}
	if (!ok && pm->op.stage == ST_SIGNATURE_RESEND && pm_code(root) == 506) {
		/* Already confirmed: say so, with the details to show it. */
		pm->op.kept_code = 506;
		pm_send(pm, ST_SIGNATURE_GET, "GET", NULL, AUTH_ACCOUNT, "/senders/%s",
			pm->op.found_id);
		return;
	}
	if (!ok) {
		pm_fail_answer(pm, status, root);
		return;
	}
	switch (pm->op.stage) {
	case ST_SIGNATURE_LIST:
		switch (pm_list_read(pm, root, "SenderSignatures", "EmailAddress", a[0], &bad)) {
		case LIST_FOUND:
			pm_send(pm, ST_SIGNATURE_GET, "GET", NULL, AUTH_ACCOUNT, "/senders/%s",
				pm->op.found_id);
			return;
		case LIST_MORE:
			pm_list_page(pm, ST_SIGNATURE_LIST);
			return;
		case LIST_ABSENT:
			if (pm->op.adopting && pm->op.adopt_rounds >= PM_ADOPT_ROUNDS) {
				r->esp_code = 504;
				pm_message(pm, text_get("postmark.code_504"));
				pm_finish(pm, BH_ERR_REMOTE);
				return;
			}
			pm_send(pm, ST_SIGNATURE_CREATE, "POST",
				pm_body("FromEmail", a[0], "Name", a[1], "ReplyToEmail", a[2],
					"ConfirmationPersonalNote", a[3], NULL),
				AUTH_ACCOUNT, "/senders");
			return;
		case LIST_BAD:
			pm_fail_parse(pm, bad);
			return;
		}
		return;
	case ST_SIGNATURE_RESEND:
	case ST_SIGNATURE_EDIT:
		/* The details as they are now, whatever the reply to the change held. */
		pm_send(pm, ST_SIGNATURE_GET, "GET", NULL, AUTH_ACCOUNT, "/senders/%s",
			pm->op.found_id);
		return;
	case ST_SIGNATURE_DELETE:
		r->signature.exists = false;
		str_copy(r->signature.id, sizeof r->signature.id, pm->op.found_id);
		pm_message(pm, rd_str(&(struct pm_read){root, NULL}, "Message", false));
		pm_finish(pm, BH_OK);
		return;
	default: /* ST_SIGNATURE_GET, ST_SIGNATURE_CREATE */
		if (!pm_take_signature(pm, root))
			return;
		if (pm->op.kept_code) {
			r->esp_code = pm->op.kept_code;
			pm_message(pm, postmark_code_text(pm->op.kept_code));
			pm_finish(pm, BH_ERR_REMOTE);
			return;
		}
		pm_finish(pm, BH_OK);
		return;
	}
}

static void pm_on_email(struct postmark *pm, long status, json_t *root)
{
	struct pm_read rd = {root, NULL};
	const char *id;

	if (status < 200 || status >= 300) {
		pm_fail_answer(pm, status, root);
		return;
	}
	id = rd_str(&rd, "MessageID", true);
	if (rd.bad) {
		pm_fail_parse(pm, rd.bad);
		return;
	}
	pm_message(pm, id);
	pm_finish(pm, BH_OK);
}

/* Hands an answer to the handler of the stage that asked. */
static void pm_stage_answer(struct postmark *pm, long status, json_t *root)
{
	switch (pm->op.stage) {
	case ST_SERVER_LIST:
	case ST_SERVER_GET:
	case ST_SERVER_CREATE:
		pm_on_server(pm, status, root);
		return;
	case ST_DOMAIN_LIST:
	case ST_DOMAIN_GET:
	case ST_DOMAIN_EDIT:
	case ST_DOMAIN_CREATE:
	case ST_VERIFY_DKIM:
	case ST_VERIFY_RETURN_PATH:
	case ST_DOMAIN_DELETE:
		pm_on_domain(pm, status, root);
		return;
	case ST_SIGNATURE_LIST:
	case ST_SIGNATURE_GET:
	case ST_SIGNATURE_CREATE:
	case ST_SIGNATURE_RESEND:
	case ST_SIGNATURE_DELETE:
	case ST_SIGNATURE_EDIT:
		pm_on_signature(pm, status, root);
		return;
	case ST_EMAIL_SEND:
		pm_on_email(pm, status, root);
		return;
	}
}

/* The first request of the operation proper (after any server step). */
static void pm_start_main(struct postmark *pm)
{
	struct pm_op *op = &pm->op;
	char **a = op->args;

	op->adopting = false;
	op->adopt_rounds = 0;
	switch (op->kind) {
	case OP_DOMAIN_ENSURE:
		pm_list_start(pm, ST_DOMAIN_LIST);
		return;
	case OP_DOMAIN_VERIFY:
		str_copy(op->found_id, sizeof op->found_id, a[0]);
		pm_send(pm, ST_VERIFY_DKIM, "PUT", NULL, AUTH_ACCOUNT, "/domains/%s/verifyDkim",
			a[0]);
		return;
	case OP_DOMAIN_DELETE:
		str_copy(op->found_id, sizeof op->found_id, a[0]);
		pm_send(pm, ST_DOMAIN_DELETE, "DELETE", NULL, AUTH_ACCOUNT, "/domains/%s", a[0]);
		return;
	case OP_SIGNATURE_ENSURE:
		pm_list_start(pm, ST_SIGNATURE_LIST);
		return;
	case OP_SIGNATURE_GET:
		str_copy(op->found_id, sizeof op->found_id, a[0]);
		pm_send(pm, ST_SIGNATURE_GET, "GET", NULL, AUTH_ACCOUNT, "/senders/%s", a[0]);
		return;
	case OP_SIGNATURE_RESEND:
		str_copy(op->found_id, sizeof op->found_id, a[0]);
		pm_send(pm, ST_SIGNATURE_RESEND, "POST", NULL, AUTH_ACCOUNT, "/senders/%s/resend",
			a[0]);
		return;
	case OP_SIGNATURE_DELETE:
		str_copy(op->found_id, sizeof op->found_id, a[0]);
		pm_send(pm, ST_SIGNATURE_DELETE, "DELETE", NULL, AUTH_ACCOUNT, "/senders/%s", a[0]);
		return;
	case OP_SIGNATURE_UPDATE:
		str_copy(op->found_id, sizeof op->found_id, a[0]);
		pm_send(pm, ST_SIGNATURE_EDIT, "PUT", pm_body("Name", a[1], NULL), AUTH_ACCOUNT,
			"/senders/%s", a[0]);
		return;
	case OP_SERVER_ENSURE:
		pm_list_start(pm, ST_SERVER_LIST);
		return;
	case OP_EMAIL_SEND: {
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "From", a[0], "To", a[1], "Subject",
			      a[2], "TextBody", a[3], "MessageStream", "outbound");
		char *body;
		if (o && *a[4])
			json_object_set_new(o, "HtmlBody", json_string(a[4]));
		if (o && *a[5])
			json_object_set_new(o, "ReplyTo", json_string(a[5]));
		body = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (!body)
			abort(); /* only when out of memory, like x* */
		pm_send(pm, ST_EMAIL_SEND, "POST", body, AUTH_SERVER, "/email");
		return;
	}
	case OP_NONE:
		return;
	}
}

/* ---- the operations ---------------------------------------------------- */

/* True when id is what Postmark ids are (decimal digits), so that it can
 * go into a path as it is. */
static bool pm_id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	return n > 0 && n <= PM_ID_DIGITS && strspn(id, "0123456789") == n;
}

/* True when s is UTF-8 throughout, as JSON strings must be. */
static bool pm_utf8_ok(const char *s)
{
	size_t n = strlen(s), i = 0;
	while (i < n) {
		unsigned cp;
		size_t len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

/* Takes the operation slot; the first request goes out at once, its answer
 * comes through dispatch. */
static enum bh_err pm_begin(struct postmark *pm, enum pm_kind kind, const char *const *args,
			    size_t nargs, esp_done_fn done, void *arg)
{
	struct pm_op *op = &pm->op;
	size_t i;

	if (op->kind != OP_NONE)
		return BH_ERR_BUSY;
	if (!done)
		return BH_ERR_INVALID;
	/* jansson leaves out a string that is not UTF-8: refuse it here. */
	for (i = 0; i < nargs; i++)
		if (args[i] && !pm_utf8_ok(args[i]))
			return BH_ERR_INVALID;
	memset(op, 0, sizeof *op);
	op->kind = kind;
	for (i = 0; i < 6; i++)
		op->args[i] = xstrdup(i < nargs && args[i] ? args[i] : "");
	op->done = done;
	op->arg = arg;
	op->reply = xcalloc(1, sizeof *op->reply);
	if (kind == OP_SERVER_ENSURE) {
		op->server_want = xstrdup(op->args[0]);
		pm_list_start(pm, ST_SERVER_LIST);
	} else if ((kind == OP_DOMAIN_ENSURE || kind == OP_SIGNATURE_ENSURE) &&
		   pm->server_mode == POSTMARK_SERVER_YES && *pm->server_name &&
		   !pm->customer_server_id[0]) {
		op->server_want = xstrdup(pm->server_name);
		pm_list_start(pm, ST_SERVER_LIST);
	} else {
		pm_start_main(pm);
	}
	return BH_OK;
}

/* pm_begin for operations on one resource id. */
static enum bh_err pm_begin_id(struct esp *esp, enum pm_kind kind, const char *id, esp_done_fn done,
			       void *arg)
{
	const char *args[1] = {id};

	if (!pm_id_ok(id))
		return BH_ERR_INVALID;
	return pm_begin((struct postmark *)esp, kind, args, 1, done, arg);
}

/* The Return-Path domain asked for is "<return_path_label>.<domain>". */
static enum bh_err pm_domain_ensure(struct esp *esp, const char *domain, esp_done_fn done,
				    void *arg)
{
	struct postmark *pm = (struct postmark *)esp;
	char rp[RECORD_NAME_MAX + 64];
	const char *args[2] = {domain, rp};

	if (!domain || !*domain)
		return BH_ERR_INVALID;
	snprintf(rp, sizeof rp, "%s.%s", pm->return_path_label, domain);
	return pm_begin(pm, OP_DOMAIN_ENSURE, args, 2, done, arg);
}

static enum bh_err pm_domain_verify(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return pm_begin_id(esp, OP_DOMAIN_VERIFY, id, done, arg);
}

static enum bh_err pm_domain_delete(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return pm_begin_id(esp, OP_DOMAIN_DELETE, id, done, arg);
}

static enum bh_err pm_signature_ensure(struct esp *esp, const char *email, const char *name,
				       const char *reply_to, const char *note, esp_done_fn done,
				       void *arg)
{
	const char *args[4] = {email, name, reply_to, note};

	if (!email || !*email)
		return BH_ERR_INVALID;
	return pm_begin((struct postmark *)esp, OP_SIGNATURE_ENSURE, args, 4, done, arg);
}

static enum bh_err pm_signature_get(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return pm_begin_id(esp, OP_SIGNATURE_GET, id, done, arg);
}

static enum bh_err pm_signature_resend(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return pm_begin_id(esp, OP_SIGNATURE_RESEND, id, done, arg);
}

static enum bh_err pm_signature_delete(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return pm_begin_id(esp, OP_SIGNATURE_DELETE, id, done, arg);
}

static enum bh_err pm_signature_update(struct esp *esp, const char *id, const char *name,
				       esp_done_fn done, void *arg)
{
	const char *args[2] = {id, name};

	if (!pm_id_ok(id) || !name || !*name)
		return BH_ERR_INVALID;
	return pm_begin((struct postmark *)esp, OP_SIGNATURE_UPDATE, args, 2, done, arg);
}

enum bh_err postmark_server_ensure(struct esp *esp, const char *name, esp_done_fn done, void *arg)
{
	struct postmark *pm = (struct postmark *)esp;
	const char *args[1];

	if (!postmark_is(esp))
		return BH_ERR_INVALID;
	args[0] = name ? name : pm->server_name;
	if (!*args[0])
		return BH_ERR_INVALID;
	return pm_begin(pm, OP_SERVER_ENSURE, args, 1, done, arg);
}

/* Addresses in a comma-separated list (commas inside quotes do not count). */
static size_t pm_count_recipients(const char *to)
{
	size_t n = 0;
	bool quoted = false, any = false;

	for (; *to; to++) {
		if (*to == '"')
			quoted = !quoted;
		if (*to == ',' && !quoted) {
			n += any;
			any = false;
		} else if (!isspace((unsigned char)*to)) {
			any = true;
		}
	}
	return n + any;
}

enum bh_err postmark_email_send(struct esp *esp, const char *from, const char *to,
				const char *subject, const char *text_body, const char *html_body,
				esp_done_fn done, void *arg)
{
	struct postmark *pm = (struct postmark *)esp;
	const char *args[5] = {from, to, subject, text_body, html_body};
	size_t n;

	if (!postmark_is(esp) || !from || !*from || !to)
		return BH_ERR_INVALID;
	n = pm_count_recipients(to);
	if (n == 0 || n > POSTMARK_MAX_RECIPIENTS)
		return BH_ERR_INVALID;
	if (!pm->customer_token && !pm->server_token)
		return BH_ERR_AUTH;
	return pm_begin(pm, OP_EMAIL_SEND, args, 5, done, arg);
}

/* esp_ops.email_send: postmark_email_send with a Reply-To. */
static enum bh_err pm_email_send(struct esp *esp, const struct esp_email *e, esp_done_fn done,
				 void *arg)
{
	struct postmark *pm = (struct postmark *)esp;
	const char *args[6];
	size_t n;

	if (!e || !e->from || !*e->from || !e->to || !e->subject || !e->text_body)
		return BH_ERR_INVALID;
	n = pm_count_recipients(e->to);
	if (n == 0 || n > POSTMARK_MAX_RECIPIENTS)
		return BH_ERR_INVALID;
	if (!pm->customer_token && !pm->server_token)
		return BH_ERR_AUTH;
	args[0] = e->from;
	args[1] = e->to;
	args[2] = e->subject;
	args[3] = e->text_body;
	args[4] = e->html_body;
	args[5] = e->reply_to;
	return pm_begin(pm, OP_EMAIL_SEND, args, 6, done, arg);
}

/* ---- loop integration -------------------------------------------------- */

static int pm_fill(void *self, struct pollfd *fds, int cap)
{
	struct postmark *pm = self;
	return http_fill(pm->http, fds, cap);
}

static int64_t pm_deadline(void *self)
{
	struct postmark *pm = self;
	int64_t h = http_deadline(pm->http), r = pm->op.call.retry_at_ms;

	if (pm->op.kind == OP_NONE || !r)
		return h;
	return h && h < r ? h : r;
}

/* Feeds libcurl, then sends a retry whose backoff has passed. */
static void pm_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct postmark *pm = self;

	http_dispatch(pm->http, fds, n, now_ms);
	if (pm->op.kind != OP_NONE && pm->op.call.retry_at_ms &&
	    now_ms >= pm->op.call.retry_at_ms) {
		pm->op.call.retry_at_ms = 0;
		if (pm->op.call.gate_out) {
			struct http_response limited = {.status = 429};
			pm_fail_transport(pm, &limited);
			return;
		}
		if (pm->op.call.start_err) {
			pm_message(pm, bh_strerror(pm->op.call.start_err));
			pm_finish(pm, pm->op.call.start_err);
			return;
		}
		pm_call_send(pm);
	}
}

/* Wipes and frees a secret. */
static void pm_secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void pm_destroy(struct esp *esp)
{
	struct postmark *pm = (struct postmark *)esp;
	size_t i;

	if (!pm)
		return;
	http_destroy(pm->http);
	for (i = 0; i < 6; i++)
		free(pm->op.args[i]);
	free(pm->op.server_want);
	free(pm->op.call.path);
	free(pm->op.call.body);
	free(pm->op.reply);
	pm_secret_free(pm->account_token);
	pm_secret_free(pm->server_token);
	pm_secret_free(pm->customer_token);
	free(pm->url);
	free(pm->server_name);
	free(pm->return_path_label);
	free(pm);
}

/* Without an ErrorCode, or with 429 (too many requests) or 100
 * (maintenance), a refusal is Postmark having trouble, not an objection. */
static enum bh_err pm_error_kind(enum bh_err err, const struct esp_reply *reply)
{
	if (err == BH_ERR_REMOTE &&
	    (reply->esp_code == 0 || reply->esp_code == 429 || reply->esp_code == 100))
		return BH_ERR_NETWORK;
	return err;
}

static const struct esp_ops postmark_ops = {
    .name = "Postmark",
    .caps = ESP_CAP_SIGNATURES | ESP_CAP_SERVERS | ESP_CAP_SEND | ESP_CAP_DKIM_ROTATION,
    .destroy = pm_destroy,
    .domain_ensure = pm_domain_ensure,
    .domain_verify = pm_domain_verify,
    .domain_delete = pm_domain_delete,
    .signature_ensure = pm_signature_ensure,
    .signature_get = pm_signature_get,
    .signature_resend = pm_signature_resend,
    .signature_delete = pm_signature_delete,
    .signature_update = pm_signature_update,
    .email_send = pm_email_send,
    .server_ensure = postmark_server_ensure,
    .error_kind = pm_error_kind,
    .source = {pm_fill, pm_deadline, pm_dispatch},
};

/* ---- creation ---------------------------------------------------------- */

/* A token fit for a header line: printable ASCII, no blanks. */
static bool pm_token_ok(const char *t)
{
	size_t n = strlen(t), i;

	if (n == 0 || n >= PM_TOKEN_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (t[i] <= 0x20 || t[i] >= 0x7f)
			return false;
	return true;
}

/* True when the URL's host is a loopback address ("http://127.0.0.1:8080"). */
static bool pm_url_loopback(const char *url)
{
	const char *host = strstr(url, "://");
	static const char *const loop[] = {"127.", "localhost:", "localhost/", "[::1]"};
	size_t i;

	if (!host)
		return false;
	host += 3;
	if (strcmp(host, "localhost") == 0)
		return true;
	for (i = 0; i < sizeof loop / sizeof loop[0]; i++)
		if (strncmp(host, loop[i], strlen(loop[i])) == 0)
			return true;
	return false;
}

/* Checks and copies the base URL; NULL (msg set) when unusable. */
static char *pm_url_take(const char *url, char *msg, size_t cap)
{
	size_t n, i;
	char *u;

	if (!url || !*url)
		url = POSTMARK_DEFAULT_URL;
	n = strlen(url);
	for (i = 0; i < n; i++) {
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f) {
			text_fmt(msg, cap, "postmark.bad_url", NULL, NULL, NULL);
			return NULL;
		}
	}
	if (strncmp(url, "https://", 8) != 0 &&
	    !(strncmp(url, "http://", 7) == 0 && pm_url_loopback(url))) {
		text_fmt(msg, cap,
			 strncmp(url, "http://", 7) == 0 ? "postmark.insecure_url"
							 : "postmark.bad_url",
			 NULL, NULL, NULL);
		return NULL;
	}
	u = xstrdup(url);
	while (n > 0 && u[n - 1] == '/')
		u[--n] = '\0';
	return u;
}

/* v when in lo..hi, else the default. */
static long pm_clamp(long v, long lo, long hi, long dflt)
{
	return v >= lo && v <= hi ? v : dflt;
}

struct esp *postmark_create(const struct postmark_config *cfg, char *msg, size_t cap)
{
	struct postmark *pm;
	char *url;

	if (msg && cap)
		msg[0] = '\0';
	if (!cfg->account_token || !pm_token_ok(cfg->account_token)) {
		text_fmt(msg, cap, "postmark.no_account_token", NULL, NULL, NULL);
		return NULL;
	}
	if (cfg->server_token && *cfg->server_token && !pm_token_ok(cfg->server_token)) {
		text_fmt(msg, cap, "postmark.bad_server_token", NULL, NULL, NULL);
		return NULL;
	}
	url = pm_url_take(cfg->api_url, msg, cap);
	if (!url)
		return NULL;
	pm = xcalloc(1, sizeof *pm);
	pm->base.ops = &postmark_ops;
	pm->url = url;
	pm->http = http_create(msg, cap);
	if (!pm->http) {
		pm_destroy(&pm->base);
		return NULL;
	}
	pm->account_token = xstrdup(cfg->account_token);
	if (cfg->server_token && *cfg->server_token)
		pm->server_token = xstrdup(cfg->server_token);
	pm->server_name = xstrdup(cfg->server_name ? cfg->server_name : "");
	pm->return_path_label =
	    xstrdup(cfg->return_path_label && *cfg->return_path_label ? cfg->return_path_label
								      : POSTMARK_RETURN_PATH_LABEL);
	pm->server_mode = cfg->server_mode;
	pm->gate = cfg->gate;
	pm->timeout_ms = pm_clamp(cfg->timeout_ms, 1, 600000, POSTMARK_TIMEOUT_MS);
	pm->connect_timeout_ms = pm_clamp(cfg->connect_timeout_ms, 1, 600000, POSTMARK_CONNECT_MS);
	pm->max_tries = (int)pm_clamp(cfg->max_tries, 1, 20, POSTMARK_TRIES);
	pm->retry_base_ms = pm_clamp(cfg->retry_base_ms, 1, 600000, POSTMARK_RETRY_BASE_MS);
	pm->retry_max_ms = pm_clamp(cfg->retry_max_ms, 1, 3600000, POSTMARK_RETRY_MAX_MS);
	if (pm->retry_max_ms < pm->retry_base_ms)
		pm->retry_max_ms = pm->retry_base_ms;
	pm->page_size = (int)pm_clamp(cfg->page_size, 1, POSTMARK_PAGE_MAX, POSTMARK_PAGE_MAX);
	pm->rng = (uint64_t)clock_now_ms() * 6364136223846793005u ^ (uint64_t)getpid() ^
		  (uint64_t)(uintptr_t)pm;
	if (!pm->rng)
		pm->rng = 88172645463325252u;
	return &pm->base;
}

bool postmark_server_mode_parse(const char *word, enum postmark_server_mode *mode)
{
	if (!word)
		return false;
	if (strcasecmp(word, "yes") == 0)
		*mode = POSTMARK_SERVER_YES;
	else if (strcasecmp(word, "no") == 0)
		*mode = POSTMARK_SERVER_NO;
	else if (strcasecmp(word, "ask") == 0)
		*mode = POSTMARK_SERVER_ASK;
	else
		return false;
	return true;
}

enum postmark_server_mode postmark_server_mode(const struct esp *esp)
{
	return postmark_is(esp) ? ((const struct postmark *)esp)->server_mode : POSTMARK_SERVER_NO;
}

/* ---- reading one answer alone (postmark_parse_reply) ------------------- */

struct pm_parse_capture {
	bool done;
	enum bh_err err;
	struct esp_reply *out;
};

static void pm_parse_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct pm_parse_capture *cap = arg;

	cap->done = true;
	cap->err = err;
	*cap->out = *reply;
}

enum bh_err postmark_parse_reply(enum postmark_reply what, long status, const char *body,
				 size_t len, struct esp_reply *out)
{
	static const struct {
		enum pm_kind kind;
		enum pm_stage stage;
		const char *want; /* what a list is searched for */
	} asked[POSTMARK_REPLY__COUNT] = {
	    [POSTMARK_REPLY_DOMAIN_LIST] = {OP_DOMAIN_ENSURE, ST_DOMAIN_LIST, "customer.example"},
	    [POSTMARK_REPLY_DOMAIN_CREATE] = {OP_DOMAIN_ENSURE, ST_DOMAIN_CREATE,
					      "customer.example"},
	    [POSTMARK_REPLY_DOMAIN] = {OP_DOMAIN_VERIFY, ST_VERIFY_RETURN_PATH, "1"},
	    [POSTMARK_REPLY_DOMAIN_DELETE] = {OP_DOMAIN_DELETE, ST_DOMAIN_DELETE, "1"},
	    [POSTMARK_REPLY_SIGNATURE_LIST] = {OP_SIGNATURE_ENSURE, ST_SIGNATURE_LIST,
					       "jane@customer.example"},
	    [POSTMARK_REPLY_SIGNATURE_CREATE] = {OP_SIGNATURE_ENSURE, ST_SIGNATURE_CREATE,
						 "jane@customer.example"},
	    [POSTMARK_REPLY_SIGNATURE] = {OP_SIGNATURE_GET, ST_SIGNATURE_GET, "1"},
	    [POSTMARK_REPLY_SERVER_LIST] = {OP_SERVER_ENSURE, ST_SERVER_LIST, "behalf-customer"},
	    [POSTMARK_REPLY_SERVER] = {OP_SERVER_ENSURE, ST_SERVER_GET, "behalf-customer"},
	    [POSTMARK_REPLY_EMAIL] = {OP_EMAIL_SEND, ST_EMAIL_SEND, "jane@customer.example"},
	};
	struct postmark pm = {0};
	struct pm_parse_capture cap = {false, BH_OK, out};
	struct buf b = {.limit = HTTP_BODY_LIMIT};
	struct http_response resp = {.fail = HTTP_FAIL_NONE, .status = status, .body = &b};
	char no_url[1] = "";
	size_t i;

	memset(out, 0, sizeof *out);
	if ((unsigned)what >= POSTMARK_REPLY__COUNT || (!body && len))
		return BH_ERR_INVALID;
	if (buf_append(&b, body ? body : "", len) != BH_OK || buf_puts(&b, "") != BH_OK) {
		buf_free(&b);
		return BH_ERR_TOO_LARGE;
	}
	pm.base.ops = &postmark_ops;
	pm.url = no_url;
	pm.max_tries = 1; /* a status worth retrying ends the operation */
	pm.page_size = POSTMARK_PAGE_MAX;
	pm.op.kind = asked[what].kind;
	pm.op.stage = asked[what].stage;
	for (i = 0; i < 6; i++)
		pm.op.args[i] = xstrdup(i == 0 ? asked[what].want : "");
	if (pm.op.kind == OP_SERVER_ENSURE)
		pm.op.server_want = xstrdup(asked[what].want);
	str_copy(pm.op.found_id, sizeof pm.op.found_id, "1");
	pm.op.done = pm_parse_done;
	pm.op.arg = &cap;
	pm.op.reply = xcalloc(1, sizeof *pm.op.reply);
	pm.op.call.tries = 1;
	pm.op.call.resend_unsafe = what == POSTMARK_REPLY_EMAIL;

	pm_http_done(&pm, &resp);
	if (!cap.done) {
		/* It went on to another request, which had nowhere to go. */
		*out = *pm.op.reply;
		cap.err = BH_ERR_BUSY;
		for (i = 0; i < 6; i++)
			free(pm.op.args[i]);
		free(pm.op.server_want);
		free(pm.op.call.path);
		free(pm.op.call.body);
		free(pm.op.reply);
	}
	pm_secret_free(pm.customer_token);
	buf_free(&b);
	return cap.err;
}

void postmark_longest_label(const char *return_path_label, char *out, size_t cap)
{
	const char *rp = return_path_label && *return_path_label ? return_path_label
								 : POSTMARK_RETURN_PATH_LABEL;
	str_copy(out, cap,
		 strlen(rp) > strlen(POSTMARK_DKIM_SELECTOR_SAMPLE)
		     ? rp
		     : POSTMARK_DKIM_SELECTOR_SAMPLE);
}
