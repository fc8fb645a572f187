/* The ESP through the broker: see brokered.h for the protocol. */
#include "esp/brokered.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/sanitize.h"
#include "core/text.h"

#define BROKERED_SIG_MAX 1400 /* base64 of an RSA signature up to 8192 bits */

struct br_signer;

struct brokered {
	struct esp base;		/* first */
	struct esp_ops ops;		/* the broker's ESP's caps: its operations only */
	char name[32];			/* the ESP's name, shown to people */
	char *path;			/* the broker's socket */
	char customer[RESOURCE_ID_MAX]; /* "" until the broker named it */
	char ticket[40];		/* for the next hello: the first, then the resume one */
	char fingerprint[80];		/* an enrolling key's, as the broker says */
	bool enrolling;			/* the broker wants a code before any operation */
	int fd; /* -1 after the broker went away (reconnects at the next operation) */
	struct buf out, in;
	bool busy;
	bool failed; /* the connection broke while busy: end at the next dispatch */
	esp_done_fn done;
	void *arg;
	struct esp_reply reply;
	bool dc_sign;		  /* the broker said at hello that it signs */
	struct br_signer *signer; /* Domain Connect's, NULL: none */
	bool sign_busy;		  /* the request under way is the signer's */
	char sig[BROKERED_SIG_MAX];
};

/* The Domain Connect signer on a brokered connection (esp_brokered_signer). */
struct br_signer {
	struct dc_signer base; /* first */
	struct brokered *b;    /* NULL once the client is gone */
	json_t *req;	       /* a request waiting for the ESP's to end, or NULL */
	bool under_way;	       /* its request is on the wire */
	dc_signed_fn done;
	void *arg;
};

static void br_sign_next(struct brokered *b);

static const struct esp_ops brokered_ops_all;

/* The ESP codes of the broker's ESP that mean trouble (error_kind has no
 * client at hand: one broker per host, so the last hello's list). */
static int trouble_codes[BROKERED_TROUBLE_MAX];
static size_t ntrouble;

bool brokered_is(const struct esp *esp)
{
	return esp && esp->ops && esp->ops->destroy == brokered_ops_all.destroy;
}

/* ---- the wire ---- */

json_t *brokered_line_parse(const char *line, size_t len)
{
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (o && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

bool brokered_line_put(struct buf *out, const json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	bool ok;
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	ok = n + 1 <= BROKERED_LINE_MAX && buf_append(out, s, n) == BH_OK &&
	     buf_append(out, "\n", 1) == BH_OK;
	free(s);
	return ok;
}

json_t *brokered_reply_json(enum bh_err err, const struct esp_reply *r)
{
	json_t *o = json_object(), *d = json_object(), *recs = json_array(), *s = json_object();
	size_t i;

	json_object_set_new(o, "err", json_integer(err));
	json_object_set_new(o, "esp_code", json_integer(r->esp_code));
	json_object_set_new(o, "message", json_string(r->message));
	json_object_set_new(d, "exists", json_boolean(r->domain.exists));
	json_object_set_new(d, "id", json_string(r->domain.id));
	json_object_set_new(d, "name", json_string(r->domain.name));
	for (i = 0; i < r->domain.nrecords && i < RESOURCE_RECORDS_MAX; i++) {
		const struct resource_record *rr = &r->domain.records[i];
		json_t *e = json_object();
		json_object_set_new(e, "purpose", json_integer(rr->rec.purpose));
		json_object_set_new(e, "type", json_integer(rr->rec.type));
		json_object_set_new(e, "name", json_string(rr->rec.name));
		json_object_set_new(e, "value", json_string(rr->rec.value));
		json_object_set_new(e, "required", json_boolean(rr->rec.required));
		json_object_set_new(e, "esp_verified", json_boolean(rr->esp_verified));
		json_array_append_new(recs, e);
	}
	json_object_set_new(d, "records", recs);
	json_object_set_new(o, "domain", d);
	json_object_set_new(s, "exists", json_boolean(r->signature.exists));
	json_object_set_new(s, "id", json_string(r->signature.id));
	json_object_set_new(s, "email", json_string(r->signature.email));
	json_object_set_new(s, "name", json_string(r->signature.name));
	json_object_set_new(s, "confirmed", json_boolean(r->signature.confirmed));
	json_object_set_new(s, "created_ms", json_integer(r->signature.created_ms));
	json_object_set_new(s, "resent_ms", json_integer(r->signature.resent_ms));
	json_object_set_new(o, "signature", s);
	json_object_set_new(o, "server_id", json_string(r->server_id));
	json_object_set_new(o, "server_token_set", json_boolean(r->server_token_set));
	return o;
}

/* Copies string member key of o into out (cap bytes), sanitized; "" when
 * absent. */
static void rd_str(const json_t *o, const char *key, char *out, size_t cap)
{
	const char *s = json_string_value(json_object_get(o, key));
	sanitize_text(s ? s : "", out, cap);
}

static bool rd_bool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static json_int_t rd_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

bool brokered_reply_read(const json_t *o, enum bh_err *err, struct esp_reply *r)
{
	const json_t *d, *s, *recs, *e;
	json_int_t ev;
	size_t i;

	memset(r, 0, sizeof *r);
	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "err")))
		return false;
	ev = json_integer_value(json_object_get(o, "err"));
	if (ev < 0 || ev >= BH_ERR__COUNT)
		return false;
	*err = (enum bh_err)ev;
	r->esp_code = (int)rd_int(o, "esp_code");
	rd_str(o, "message", r->message, sizeof r->message);
	d = json_object_get(o, "domain");
	if (json_is_object(d)) {
		r->domain.exists = rd_bool(d, "exists");
		rd_str(d, "id", r->domain.id, sizeof r->domain.id);
		rd_str(d, "name", r->domain.name, sizeof r->domain.name);
		recs = json_object_get(d, "records");
		json_array_foreach(recs, i, e)
		{
			json_int_t purpose = rd_int(e, "purpose"), type = rd_int(e, "type");
			char name[RECORD_NAME_MAX], value[RECORD_VALUE_MAX];
			if (purpose < 0 || purpose >= PURPOSE__COUNT ||
			    (type != RECORD_TYPE_TXT && type != RECORD_TYPE_CNAME &&
			     type != RECORD_TYPE_MX))
				return false;
			rd_str(e, "name", name, sizeof name);
			rd_str(e, "value", value, sizeof value);
			if (!resource_add_record(
				&r->domain, (enum record_purpose)purpose, (enum record_type)type,
				name, value, rd_bool(e, "required"), rd_bool(e, "esp_verified")))
				return false;
		}
	}
	s = json_object_get(o, "signature");
	if (json_is_object(s)) {
		r->signature.exists = rd_bool(s, "exists");
		rd_str(s, "id", r->signature.id, sizeof r->signature.id);
		rd_str(s, "email", r->signature.email, sizeof r->signature.email);
		rd_str(s, "name", r->signature.name, sizeof r->signature.name);
		r->signature.confirmed = rd_bool(s, "confirmed");
		r->signature.created_ms = rd_int(s, "created_ms");
		r->signature.resent_ms = rd_int(s, "resent_ms");
	}
	rd_str(o, "server_id", r->server_id, sizeof r->server_id);
	r->server_token_set = rd_bool(o, "server_token_set");
	return true;
}

/* ---- the connection ---- */

/* Writes all of data on a blocking fd within the deadline. */
static bool br_write_until(int fd, const char *data, size_t len, int64_t end)
{
	while (len) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int64_t left = end - clock_now_ms();
		ssize_t n;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads one line into b->in (without the newline) within the deadline. */
static json_t *br_read_line_until(struct brokered *b, int64_t end)
{
	char chunk[4096], *nl;
	json_t *o;

	for (;;) {
		struct pollfd p = {.fd = b->fd, .events = POLLIN};
		int64_t left;
		ssize_t n;
		nl = b->in.data ? memchr(b->in.data, '\n', b->in.len) : NULL;
		if (nl) {
			size_t len = (size_t)(nl - b->in.data);
			o = brokered_line_parse(b->in.data, len);
			memmove(b->in.data, nl + 1, b->in.len - len - 1);
			b->in.len -= len + 1;
			b->in.data[b->in.len] = '\0';
			return o;
		}
		left = end - clock_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return NULL;
		n = recv(b->fd, chunk, sizeof chunk, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0 || buf_append(&b->in, chunk, (size_t)n) != BH_OK)
			return NULL;
	}
}

static void br_close(struct brokered *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	buf_reset(&b->out);
	buf_reset(&b->in);
}

/* The broker's yes to a hello (or to a code): the session's customer, its
 * resume ticket, the ESP's name and caps. */
static void br_accept(struct brokered *b, const json_t *ans)
{
	const json_t *tr, *v;
	const char *esp_name, *who = json_string_value(json_object_get(ans, "customer"));
	const char *resume = json_string_value(json_object_get(ans, "resume"));
	unsigned caps;
	size_t i;

	if (who && *who)
		str_copy(b->customer, sizeof b->customer, who);
	explicit_bzero(b->ticket, sizeof b->ticket);
	if (resume)
		str_copy(b->ticket, sizeof b->ticket, resume);
	b->enrolling = false;
	b->dc_sign = json_is_true(json_object_get(ans, "dc_sign"));
	esp_name = json_string_value(json_object_get(ans, "esp"));
	sanitize_text(esp_name ? esp_name : "ESP", b->name, sizeof b->name);
	caps = (unsigned)rd_int(ans, "caps") & ESP_CAP_ALL;
	tr = json_object_get(ans, "trouble");
	ntrouble = 0;
	json_array_foreach(tr, i, v) if (json_is_integer(v) && ntrouble < BROKERED_TROUBLE_MAX)
	    trouble_codes[ntrouble++] = (int)json_integer_value(v);
	b->ops = brokered_ops_all;
	b->ops.name = b->name;
	b->ops.caps = caps;
	if (!(caps & ESP_CAP_SIGNATURES)) {
		b->ops.signature_ensure = NULL;
		b->ops.signature_get = NULL;
		b->ops.signature_resend = NULL;
		b->ops.signature_delete = NULL;
		b->ops.signature_update = NULL;
	}
	if (!(caps & ESP_CAP_SEND))
		b->ops.email_send = NULL;
	if (!(caps & ESP_CAP_SERVERS))
		b->ops.server_ensure = NULL;
	fcntl(b->fd, F_SETFL, fcntl(b->fd, F_GETFL) | O_NONBLOCK);
}

/* Connects and says hello; the broker's ESP sets name and caps. */
static enum bh_err br_connect(struct brokered *b, char *msg, size_t cap)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int64_t end = clock_now_ms() + BROKERED_HELLO_MS;
	json_t *hello, *ans;

	if (!str_copy(sa.sun_path, sizeof sa.sun_path, b->path))
		return bh_errorf(BH_ERR_INVALID, msg, cap, "the broker's socket path is too long");
	b->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (b->fd < 0 || connect(b->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int e = errno;
		br_close(b);
		text_fmt(msg, cap, "broker.unreachable", b->path, strerror(e), NULL);
		return BH_ERR_NETWORK;
	}
	hello = json_pack("{s:s, s:i, s:s}", "op", "hello", "v", BROKERED_VERSION, "customer",
			  b->customer);
	if (b->ticket[0]) {
		json_object_set_new(hello, "ticket", json_string(b->ticket));
		explicit_bzero(b->ticket, sizeof b->ticket); /* used once */
	}
	buf_reset(&b->out);
	if (!brokered_line_put(&b->out, hello) ||
	    !br_write_until(b->fd, b->out.data, b->out.len, end)) {
		json_decref(hello);
		br_close(b);
		text_fmt(msg, cap, "broker.unreachable", b->path, "no answer", NULL);
		return BH_ERR_NETWORK;
	}
	json_decref(hello);
	buf_reset(&b->out);
	ans = br_read_line_until(b, end);
	if (!ans || !json_is_true(json_object_get(ans, "ok"))) {
		char why[256];
		rd_str(ans, "message", why, sizeof why);
		json_decref(ans);
		br_close(b);
		if (!why[0])
			str_copy(why, sizeof why, "no answer");
		text_fmt(msg, cap, "broker.refused_session", b->path, why, NULL);
		return BH_ERR_AUTH;
	}
	if (json_is_true(json_object_get(ans, "enroll"))) {
		/* A key bound to no customer: a code first (brokered_enroll). */
		b->enrolling = true;
		rd_str(ans, "fingerprint", b->fingerprint, sizeof b->fingerprint);
		json_decref(ans);
		return BH_OK;
	}
	br_accept(b, ans);
	json_decref(ans);
	return BH_OK;
}

/* Sends a request (an object, taken); BH_ERR_BUSY while another is under
 * way.  A broken connection ends the operation at the next dispatch. */
static enum bh_err br_request(struct esp *esp, json_t *req, esp_done_fn done, void *arg)
{
	struct brokered *b = (struct brokered *)esp;
	char msg[256];

	if (b->busy) {
		json_decref(req);
		return BH_ERR_BUSY;
	}
	memset(&b->reply, 0, sizeof b->reply);
	b->failed = false;
	if (b->fd < 0 && br_connect(b, msg, sizeof msg) != BH_OK) {
		str_copy(b->reply.message, sizeof b->reply.message, msg);
		b->failed = true;
	} else if (!brokered_line_put(&b->out, req)) {
		json_decref(req);
		return BH_ERR_TOO_LARGE;
	}
	json_decref(req);
	b->busy = true;
	b->done = done;
	b->arg = arg;
	return BH_OK;
}

/* Ends the operation under way (callbacks run from dispatch only). */
static void br_finish(struct brokered *b, enum bh_err err)
{
	esp_done_fn done = b->done;
	void *arg = b->arg;
	struct br_signer *s = b->signer;
	bool sign = b->sign_busy;
	b->busy = false;
	b->done = NULL;
	b->sign_busy = false;
	if (!sign) {
		done(arg, err, &b->reply); /* reads b->reply: before anything is sent */
	} else if (s && s->under_way) {	   /* else the signer went: nobody to tell */
		dc_signed_fn sdone = s->done;
		s->under_way = false;
		s->done = NULL;
		sdone(s->arg, err, err == BH_OK ? b->sig : NULL, b->reply.message);
	}
	/* A signature that waited for this request: sent now, before the
	 * session's next ESP request (which gets BH_ERR_BUSY and is retried).
	 * No callback destroys the client it was called by. */
	br_sign_next(b);
}

static void br_broken(struct brokered *b)
{
	br_close(b);
	if (b->busy) {
		memset(&b->reply, 0, sizeof b->reply);
		str_copy(b->reply.message, sizeof b->reply.message, text_get("broker.broken"));
		b->failed = true;
	}
}

static int br_fill(void *self, struct pollfd *fds, int cap)
{
	struct brokered *b = self;
	if (b->fd < 0 || cap < 1)
		return 0;
	fds[0].fd = b->fd;
	fds[0].events = (short)(POLLIN | (b->out.len ? POLLOUT : 0));
	fds[0].revents = 0;
	return 1;
}

static int64_t br_deadline(void *self)
{
	struct brokered *b = self;
	return b->busy && b->failed ? clock_now_ms() : 0;
}

/* The signature of a dc_sign reply into b->sig: standard base64, present
 * exactly when err is BH_OK. */
static bool br_sig_read(struct brokered *b, const json_t *o, enum bh_err err)
{
	const char *sig = json_string_value(json_object_get(o, "sig"));
	size_t i, n;
	b->sig[0] = '\0';
	if (err != BH_OK)
		return true;
	n = sig ? strlen(sig) : 0;
	if (!n || n % 4 || n >= sizeof b->sig)
		return false;
	for (i = 0; i < n; i++)
		if (!((sig[i] >= 'A' && sig[i] <= 'Z') || (sig[i] >= 'a' && sig[i] <= 'z') ||
		      (sig[i] >= '0' && sig[i] <= '9') || sig[i] == '+' || sig[i] == '/' ||
		      (sig[i] == '=' && i + 2 >= n)))
			return false;
	memcpy(b->sig, sig, n + 1);
	return true;
}

static void br_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct brokered *b = self;
	char chunk[8192], *nl;
	ssize_t got;
	(void)now_ms;

	if (b->busy && b->failed) {
		br_finish(b, BH_ERR_NETWORK);
		return;
	}
	if (b->fd < 0 || n < 1 || fds[0].fd != b->fd || !fds[0].revents)
		return;
	if ((fds[0].revents & POLLOUT) && b->out.len) {
		got = send(b->fd, b->out.data, b->out.len, MSG_NOSIGNAL);
		if (got > 0) {
			memmove(b->out.data, b->out.data + got, b->out.len - (size_t)got);
			b->out.len -= (size_t)got;
			b->out.data[b->out.len] = '\0';
		} else if (got < 0 && errno != EAGAIN && errno != EINTR) {
			br_broken(b);
			return;
		}
	}
	if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	got = recv(b->fd, chunk, sizeof chunk, 0);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0 || buf_append(&b->in, chunk, (size_t)got) != BH_OK ||
	    (!memchr(b->in.data, '\n', b->in.len) && b->in.len >= BROKERED_LINE_MAX)) {
		br_broken(b);
		return;
	}
	nl = memchr(b->in.data, '\n', b->in.len);
	if (nl) {
		size_t len = (size_t)(nl - b->in.data);
		json_t *o = brokered_line_parse(b->in.data, len);
		enum bh_err err = BH_ERR_PARSE;
		bool ok;
		memmove(b->in.data, nl + 1, b->in.len - len - 1);
		b->in.len -= len + 1;
		b->in.data[b->in.len] = '\0';
		if (!b->busy) { /* nothing was asked: the broker is not speaking the protocol */
			json_decref(o);
			br_close(b);
			return;
		}
		ok = brokered_reply_read(o, &err, &b->reply);
		if (ok && b->sign_busy)
			ok = br_sig_read(b, o, err);
		json_decref(o);
		if (!ok) {
			memset(&b->reply, 0, sizeof b->reply);
			str_copy(b->reply.message, sizeof b->reply.message,
				 text_get("broker.unreadable"));
			err = BH_ERR_PARSE;
		}
		br_finish(b, err);
	}
}

/* ---- the operations ---- */

static enum bh_err br_op_id(struct esp *esp, const char *op, const char *id, esp_done_fn done,
			    void *arg)
{
	return br_request(esp, json_pack("{s:s, s:s}", "op", op, "id", id ? id : ""), done, arg);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static enum bh_err br_domain_ensure(struct esp *esp, const char *domain, esp_done_fn done,
				    void *arg)
{
	return br_request(esp, json_pack("{s:s, s:s}", "op", "domain_ensure", "domain", nz(domain)),
			  done, arg);
}

static enum bh_err br_domain_verify(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return br_op_id(esp, "domain_verify", id, done, arg);
}

static enum bh_err br_domain_delete(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return br_op_id(esp, "domain_delete", id, done, arg);
}

static enum bh_err br_signature_ensure(struct esp *esp, const char *email, const char *name,
				       const char *reply_to, const char *note, esp_done_fn done,
				       void *arg)
{
	return br_request(esp,
			  json_pack("{s:s, s:s, s:s, s:s, s:s}", "op", "signature_ensure", "email",
				    nz(email), "name", nz(name), "reply_to", nz(reply_to), "note",
				    nz(note)),
			  done, arg);
}

static enum bh_err br_signature_get(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return br_op_id(esp, "signature_get", id, done, arg);
}

static enum bh_err br_signature_resend(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return br_op_id(esp, "signature_resend", id, done, arg);
}

static enum bh_err br_signature_delete(struct esp *esp, const char *id, esp_done_fn done, void *arg)
{
	return br_op_id(esp, "signature_delete", id, done, arg);
}

static enum bh_err br_signature_update(struct esp *esp, const char *id, const char *name,
				       esp_done_fn done, void *arg)
{
	return br_request(
	    esp,
	    json_pack("{s:s, s:s, s:s}", "op", "signature_update", "id", nz(id), "name", nz(name)),
	    done, arg);
}

static enum bh_err br_email_send(struct esp *esp, const struct esp_email *e, esp_done_fn done,
				 void *arg)
{
	return br_request(esp,
			  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", "email_send",
				    "from", nz(e->from), "to", nz(e->to), "reply_to",
				    nz(e->reply_to), "subject", nz(e->subject), "text",
				    nz(e->text_body), "html", nz(e->html_body)),
			  done, arg);
}

static enum bh_err br_server_ensure(struct esp *esp, const char *name, esp_done_fn done, void *arg)
{
	(void)name; /* the broker names the customer's server itself */
	return br_request(esp, json_pack("{s:s}", "op", "server_ensure"), done, arg);
}

static enum bh_err br_error_kind(enum bh_err err, const struct esp_reply *reply)
{
	size_t i;
	if (err != BH_ERR_REMOTE)
		return err;
	for (i = 0; i < ntrouble; i++)
		if (reply->esp_code == trouble_codes[i])
			return BH_ERR_NETWORK;
	return err;
}

static void br_signer_end(struct br_signer *s, const char *why);

static void br_destroy(struct esp *esp)
{
	struct brokered *b = (struct brokered *)esp;
	if (!b)
		return;
	if (b->signer) {
		b->signer->b = NULL;
		br_signer_end(b->signer, text_get("broker.broken"));
	}
	br_close(b);
	buf_free(&b->out);
	buf_free(&b->in);
	free(b->path);
	free(b);
}

static const struct esp_ops brokered_ops_all = {
    .name = "ESP",
    .caps = ESP_CAP_ALL,
    .destroy = br_destroy,
    .domain_ensure = br_domain_ensure,
    .domain_verify = br_domain_verify,
    .domain_delete = br_domain_delete,
    .signature_ensure = br_signature_ensure,
    .signature_get = br_signature_get,
    .signature_resend = br_signature_resend,
    .signature_delete = br_signature_delete,
    .signature_update = br_signature_update,
    .email_send = br_email_send,
    .server_ensure = br_server_ensure,
    .error_kind = br_error_kind,
    .source = {br_fill, br_deadline, br_dispatch},
};

struct esp *brokered_create(const char *socket_path, const char *customer, const char *ticket,
			    char *msg, size_t cap)
{
	struct brokered *b;

	if (msg && cap)
		msg[0] = '\0';
	if (!socket_path || !*socket_path || !customer || (!*customer && (!ticket || !*ticket))) {
		text_fmt(msg, cap, "broker.refused_session", socket_path ? socket_path : "",
			 text_get("broker.bad_hello"), NULL);
		return NULL;
	}
	b = xcalloc(1, sizeof *b);
	b->fd = -1;
	b->path = xstrdup(socket_path);
	b->in.limit = BROKERED_LINE_MAX * 2;
	b->out.limit = BROKERED_LINE_MAX * 2;
	str_copy(b->customer, sizeof b->customer, customer);
	if (ticket)
		str_copy(b->ticket, sizeof b->ticket, ticket);
	b->ops = brokered_ops_all; /* the ESP's own once the broker said hello */
	b->base.ops = &b->ops;
	if (br_connect(b, msg, cap) != BH_OK) {
		br_destroy(&b->base);
		return NULL;
	}
	return &b->base;
}

bool brokered_enrolling(const struct esp *esp)
{
	return brokered_is(esp) && ((const struct brokered *)esp)->enrolling;
}

const char *brokered_customer(const struct esp *esp)
{
	return brokered_is(esp) ? ((const struct brokered *)esp)->customer : "";
}

const char *brokered_fingerprint(const struct esp *esp)
{
	return brokered_is(esp) ? ((const struct brokered *)esp)->fingerprint : "";
}

enum bh_err brokered_enroll(struct esp *esp, const char *code, const char *from, int *wait_s,
			    char *msg, size_t cap)
{
	struct brokered *b = (struct brokered *)esp;
	int64_t end = clock_now_ms() + BROKERED_ENROLL_MS;
	json_t *req, *ans;
	json_int_t ev;
	enum bh_err err;

	*wait_s = 0;
	msg[0] = '\0';
	if (!brokered_enrolling(esp) || b->fd < 0)
		return BH_ERR_INVALID;
	req = json_pack("{s:s, s:s, s:s}", "op", "enroll", "code", code, "from", from ? from : "");
	buf_reset(&b->out);
	if (!brokered_line_put(&b->out, req) ||
	    !br_write_until(b->fd, b->out.data, b->out.len, end)) {
		explicit_bzero(b->out.data, b->out.len);
		json_decref(req);
		br_close(b);
		text_fmt(msg, cap, "broker.unreachable", b->path, "no answer", NULL);
		return BH_ERR_NETWORK;
	}
	explicit_bzero(b->out.data, b->out.len); /* the code */
	json_decref(req);
	buf_reset(&b->out);
	ans = br_read_line_until(b, end);
	if (!ans) {
		br_close(b);
		text_fmt(msg, cap, "broker.unreachable", b->path, "no answer", NULL);
		return BH_ERR_NETWORK;
	}
	if (json_is_true(json_object_get(ans, "ok"))) {
		br_accept(b, ans);
		json_decref(ans);
		return b->customer[0] ? BH_OK : BH_ERR_PARSE;
	}
	ev = rd_int(ans, "err");
	err = ev > 0 && ev < BH_ERR__COUNT ? (enum bh_err)ev : BH_ERR_INVALID;
	*wait_s = (int)rd_int(ans, "wait_s");
	rd_str(ans, "message", msg, cap);
	json_decref(ans);
	return err;
}

/* ---- Domain Connect: the broker signs ---- */

/* Ends the signer's signature waiting or under way, if any: done with
 * BH_ERR_NETWORK (a reply still to come is dropped by br_finish). */
static void br_signer_end(struct br_signer *s, const char *why)
{
	dc_signed_fn done = s->done;
	bool pending = s->req || s->under_way;
	json_decref(s->req);
	s->req = NULL;
	s->under_way = false;
	s->done = NULL;
	if (pending && done)
		done(s->arg, BH_ERR_NETWORK, NULL, why);
}

/* Sends the signer's waiting request once the connection is free. */
static void br_sign_next(struct brokered *b)
{
	struct br_signer *s = b->signer;
	json_t *req;
	if (b->busy || !s || !s->req)
		return;
	req = s->req;
	s->req = NULL;
	/* br_request takes req; its size was checked when it was made */
	if (br_request(&b->base, req, NULL, NULL) != BH_OK) {
		br_signer_end(s, text_get("broker.broken"));
		return;
	}
	s->under_way = true;
	b->sign_busy = true;
}

static enum bh_err br_sign(struct dc_signer *ds, const char *data, size_t len, dc_signed_fn done,
			   void *arg, char *msg, size_t cap)
{
	struct br_signer *s = (struct br_signer *)ds;
	struct brokered *b = s->b;
	json_t *req;
	char *line;
	size_t n;

	if (!b)
		return bh_errorf(BH_ERR_NETWORK, msg, cap, "%s", text_get("broker.broken"));
	if (!b->dc_sign)
		return bh_errorf(BH_ERR_INVALID, msg, cap, "%s", text_get("broker.dc_no_key"));
	if (s->req || s->under_way)
		return bh_errorf(BH_ERR_BUSY, msg, cap, "a signature is under way");
	req = json_pack("{s:s, s:s%}", "op", "dc_sign", "data", data, len);
	line = req ? json_dumps(req, JSON_COMPACT) : NULL;
	n = line ? strlen(line) : 0;
	free(line);
	if (!req || !n || n + 1 > BROKERED_LINE_MAX) {
		json_decref(req);
		return bh_errorf(BH_ERR_TOO_LARGE, msg, cap, "the string to sign is too long");
	}
	s->req = req;
	s->done = done;
	s->arg = arg;
	br_sign_next(b); /* now, or when the ESP's request under way ends */
	return BH_OK;
}

static void br_signer_destroy(struct dc_signer *ds)
{
	struct br_signer *s = (struct br_signer *)ds;
	if (!s)
		return;
	br_signer_end(s, text_get("broker.broken"));
	if (s->b)
		s->b->signer = NULL;
	free(s);
}

static const struct dc_signer_ops br_signer_ops = {br_sign, br_signer_destroy};

struct dc_signer *esp_brokered_signer(struct esp *brokered)
{
	struct brokered *b = (struct brokered *)brokered;
	struct br_signer *s;
	if (!brokered_is(brokered) || b->signer)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->base.ops = &br_signer_ops;
	s->b = b;
	b->signer = s;
	return &s->base;
}
