/* behalf broker: one per host.  Holds the ESP's tokens (its own config
 * file, which the sessions cannot read), makes the ESP calls for the
 * sessions (esp/brokered.h's protocol on a Unix socket), keeps which
 * resource belongs to which customer, and applies one rate limit for the
 * whole host (esp/gate.h).  One poll() loop (core/loop.c); every socket
 * non-blocking, so a slow session never stalls the others.
 *
 * Who may connect: the socket is made mode 0660 (group [broker] group
 * when set), and every connection's peer uid (SO_PEERCRED) must be one of
 * [broker] allow_users (names or uids; default: the broker's own user).
 *
 * Whose session: with [broker] tickets (docs/ssh.md), a hello must give a
 * single-use ticket (esp/broker_ticket.h) from that directory: a ticket
 * naming a key (minted by `behalf ssh-keys` for the key sshd verifies)
 * makes the session that key's customer by its binding in the access store
 * (app/access.h, this broker's [behalf] state_dir), or, for a key bound to
 * none, an enrollment: the only operation is then "enroll" with a code,
 * which the broker redeems (the wrong-code limits of the ticket's key and
 * address), binds and audits, and the same connection goes on as that
 * customer's.  At every hello the session is handed a resume ticket
 * naming its customer, for its next hello if the connection breaks (the
 * broker restarted): the customer's step was saved either way.  Without
 * tickets the session declares its customer at hello (trusted: the local
 * and test set-ups).  The ids the ESP gives for that customer's
 * domains and signatures are recorded in <state_dir>/owners.json; an
 * operation naming an id, a domain or an address of another customer is
 * refused, and so is one naming an id no customer owns.
 *
 * Domain Connect (docs/domain-connect.md, "Security"): with [domainconnect]
 * private_key_file in its config the broker opens the vendor's key at
 * start and signs apply links for the sessions (op dc_sign), only for a
 * domain the session's customer owns at the ESP (owners.json): the key
 * never enters a session served over SSH. */
#define _GNU_SOURCE /* accept4, struct ucred */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "app/access.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/fileio.h"
#include "core/loop.h"
#include "core/state.h"
#include "core/text.h"
#include "dc/sign.h"
#include "dc/url.h"
#include "esp/broker_ticket.h"
#include "esp/brokered.h"
#include "esp/gate.h"
#include "esp/postmark.h"

#define BROKER_MAX_CONNS 300
#define BROKER_MAX_UIDS	 16
#define BROKER_OWNERS	 "owners.json"
#define BROKER_REFUSED	 513 /* the ESP code of a refusal: "you do not own this" */

struct conn {
	int fd;
	uid_t uid;
	bool hello;
	bool enrolling; /* a key bound to none: "enroll" is the only operation */
	bool busy;
	bool closing; /* close once the output is written */
	bool dead;
	char customer[RESOURCE_ID_MAX];
	char fingerprint[ACCESS_FP_MAX];    /* the ticket's key */
	char address[ACCESS_FROM_MAX];	    /* the ticket's client address ("": none) */
	char resume[BROKER_TICKET_LEN + 1]; /* the resume ticket handed out, if any */
	char op[24];			    /* the operation under way */
	char arg[EMAIL_MAX];		    /* its domain or address, for ownership */
	struct esp *esp;		    /* the ESP client of this session, made at hello */
	struct buf in, out;
	int fd_at, pm_at, pm_n; /* this turn's descriptors in the loop's table */
	struct broker *br;
};

struct broker {
	struct config cfg; /* holds the tokens, for the clients it makes */
	int lfd;
	int lfd_at;
	uid_t allow[BROKER_MAX_UIDS];
	size_t nallow;
	char state_dir[1024];
	json_t *owners; /* {"domains":{id:{customer,name}},"signatures":{id:{customer,name}}} */
	struct esp_gate gate;
	bool auth_refused; /* the ESP refused the broker's token last time */
	int trouble[BROKERED_TROUBLE_MAX];
	size_t ntrouble;
	struct conn *conns[BROKER_MAX_CONNS];
	size_t nconns;
	unsigned long requests;
	struct dc_signer *dc; /* the vendor's Domain Connect key, NULL: none */
};

static volatile sig_atomic_t broker_stop;

static void broker_on_signal(int sig)
{
	(void)sig;
	broker_stop = 1;
}

/* ---- who owns what ---- */

static json_t *owners_kind(struct broker *br, const char *kind)
{
	json_t *k = json_object_get(br->owners, kind);
	if (!json_is_object(k)) {
		k = json_object();
		json_object_set_new(br->owners, kind, k);
	}
	return k;
}

static void owners_load(struct broker *br)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/%s", br->state_dir, BROKER_OWNERS);
	br->owners = json_load_file(path, 0, NULL);
	if (!json_is_object(br->owners)) {
		json_decref(br->owners);
		br->owners = json_object();
	}
}

static void owners_save(struct broker *br)
{
	char msg[256], *s = json_dumps(br->owners, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!s || file_replace(br->state_dir, BROKER_OWNERS, s, strlen(s), 0600, msg, sizeof msg) !=
		      BH_OK)
		fprintf(stderr, "behalf broker: cannot save %s: %s\n", BROKER_OWNERS,
			s ? msg : "out of memory");
	free(s);
}

/* The customer owning id of kind ("domains", "signatures"), or NULL. */
static const char *owner_of(struct broker *br, const char *kind, const char *id)
{
	json_t *e = json_object_get(owners_kind(br, kind), id);
	return json_string_value(json_object_get(e, "customer"));
}

/* The customer owning a resource named name (any case), or NULL. */
static const char *owner_by_name(struct broker *br, const char *kind, const char *name)
{
	const char *id;
	json_t *e;
	json_object_foreach(owners_kind(br, kind), id, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));
		if (n && strcasecmp(n, name) == 0)
			return json_string_value(json_object_get(e, "customer"));
	}
	return NULL;
}

static void owner_set(struct broker *br, const char *kind, const char *id, const char *customer,
		      const char *name)
{
	const char *had = owner_of(br, kind, id);
	if (had && strcmp(had, customer) == 0)
		return;
	json_object_set_new(owners_kind(br, kind), id,
			    json_pack("{s:s, s:s}", "customer", customer, "name", name));
	owners_save(br);
}

/* ---- answers ---- */

static void conn_send(struct conn *c, const json_t *o)
{
	if (!brokered_line_put(&c->out, o))
		c->closing = true;
}

static void conn_reply(struct conn *c, enum bh_err err, const struct esp_reply *reply)
{
	json_t *o = brokered_reply_json(err, reply);
	conn_send(c, o);
	json_decref(o);
}

/* A refusal of the broker's own (never reaching the ESP). */
static void conn_refuse(struct conn *c, enum bh_err err, int code, const char *words)
{
	struct esp_reply r;
	memset(&r, 0, sizeof r);
	r.esp_code = code;
	str_copy(r.message, sizeof r.message, words);
	conn_reply(c, err, &r);
}

/* The operation ended: record what the customer now owns, answer. */
static void conn_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct conn *c = arg;
	struct broker *br = c->br;
	const char *owner;

	c->busy = false;
	if (err == BH_ERR_AUTH)
		br->auth_refused = true;
	else if (err == BH_OK)
		br->auth_refused = false;
	if (err == BH_OK && reply->domain.exists && reply->domain.id[0] &&
	    strncmp(c->op, "domain_", 7) == 0) {
		owner = owner_of(br, "domains", reply->domain.id);
		if (owner && strcmp(owner, c->customer) != 0) {
			fprintf(stderr, "behalf broker: customer %s: domain %s is %s's: refused\n",
				c->customer, reply->domain.id, owner);
			conn_refuse(c, BH_ERR_REMOTE, BROKER_REFUSED, text_get("broker.refused"));
			return;
		}
		owner_set(br, "domains", reply->domain.id, c->customer, reply->domain.name);
	}
	if (err == BH_OK && reply->signature.exists && reply->signature.id[0] &&
	    strncmp(c->op, "signature_", 10) == 0) {
		owner = owner_of(br, "signatures", reply->signature.id);
		if (owner && strcmp(owner, c->customer) != 0) {
			fprintf(stderr,
				"behalf broker: customer %s: signature %s is %s's: refused\n",
				c->customer, reply->signature.id, owner);
			conn_refuse(c, BH_ERR_REMOTE, BROKER_REFUSED, text_get("broker.refused"));
			return;
		}
		owner_set(br, "signatures", reply->signature.id, c->customer,
			  reply->signature.email);
	}
	conn_reply(c, err, reply);
}

/* ---- requests ---- */

static const char *req_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* A refusal of a hello (or of a code), then the connection ends. */
static bool hello_refuse(struct conn *c, const char *words)
{
	json_t *ans = json_pack("{s:b, s:s}", "ok", 0, "message", words);
	conn_send(c, ans);
	json_decref(ans);
	return false;
}

/* The session is customer's from now on: its ESP client, a resume ticket,
 * the hello's answer. */
static bool conn_open(struct conn *c, const char *customer)
{
	struct broker *br = c->br;
	struct postmark_config pm;
	char server_name[RESOURCE_ID_MAX + 16], msg[256];
	struct broker_ticket_info info;
	json_t *ans, *tr;
	size_t i;

	memset(&pm, 0, sizeof pm);
	pm.api_url = br->cfg.api_url;
	pm.account_token = br->cfg.account_token;
	pm.server_token = br->cfg.server_token[0] ? br->cfg.server_token : NULL;
	if (!postmark_server_mode_parse(br->cfg.per_customer_server, &pm.server_mode))
		pm.server_mode = POSTMARK_SERVER_NO;
	pm.timeout_ms = br->cfg.api_timeout_ms;
	pm.retry_base_ms = br->cfg.api_retry_base_ms;
	snprintf(server_name, sizeof server_name, "behalf-%s", customer);
	pm.server_name = server_name;
	pm.return_path_label = br->cfg.bounce_label;
	pm.gate = &br->gate;
	c->esp = postmark_create(&pm, msg, sizeof msg);
	if (!c->esp)
		return hello_refuse(c, msg);
	str_copy(c->customer, sizeof c->customer, customer);
	c->hello = true;
	c->enrolling = false;
	tr = json_array();
	for (i = 0; i < br->ntrouble; i++)
		json_array_append_new(tr, json_integer(br->trouble[i]));
	ans = json_pack("{s:b, s:i, s:s, s:i, s:o, s:s, s:b}", "ok", 1, "v", BROKERED_VERSION,
			"esp", c->esp->ops->name, "caps", (int)c->esp->ops->caps, "trouble", tr,
			"customer", customer, "dc_sign", br->dc != NULL);
	if (br->cfg.broker_tickets[0]) {
		/* For the next hello of this session, if this connection breaks. */
		memset(&info, 0, sizeof info);
		str_copy(info.customer, sizeof info.customer, customer);
		str_copy(info.fingerprint, sizeof info.fingerprint, c->fingerprint);
		if (broker_ticket_mint_info(br->cfg.broker_tickets, &info, clock_wall_ms(),
					    BROKER_TICKET_RESUME_MS, c->resume, sizeof c->resume,
					    msg, sizeof msg) == BH_OK)
			json_object_set_new(ans, "resume", json_string(c->resume));
		else
			fprintf(stderr, "behalf broker: no resume ticket for %s: %s\n", customer,
				msg);
	}
	conn_send(c, ans);
	json_decref(ans);
	return true;
}

/* With [broker] tickets: who the session is, from its ticket alone. */
static bool conn_hello_ticket(struct conn *c, const json_t *o)
{
	struct broker *br = c->br;
	struct broker_ticket_info info;
	const char *claimed = req_str(o, "customer");
	char customer[RESOURCE_ID_MAX];
	enum bh_err err;
	json_t *ans;

	err = broker_ticket_take(br->cfg.broker_tickets, req_str(o, "ticket"), clock_wall_ms(),
				 &info);
	if (err != BH_OK) {
		fprintf(
		    stderr, "behalf broker: a session of uid %ld came with %s ticket: refused\n",
		    (long)c->uid,
		    err == BH_ERR_INVALID ? "no (or a malformed)" : "an unknown, used or expired");
		return hello_refuse(c, text_get("broker.bad_ticket"));
	}
	str_copy(c->fingerprint, sizeof c->fingerprint, info.fingerprint);
	str_copy(c->address, sizeof c->address, info.address);
	if (info.customer[0]) { /* a resume ticket, or one minted for a customer */
		str_copy(customer, sizeof customer, info.customer);
	} else {
		err = access_key_customer(br->cfg.state_dir, info.fingerprint, customer,
					  sizeof customer);
		if (err == BH_ERR_NOT_FOUND) {
			if (claimed[0]) {
				fprintf(stderr,
					"behalf broker: a session of uid %ld claimed %s for the "
					"unbound key %s: refused\n",
					(long)c->uid, claimed, info.fingerprint);
				return hello_refuse(c, text_get("broker.bad_ticket"));
			}
			c->enrolling = true;
			ans = json_pack("{s:b, s:i, s:b, s:s}", "ok", 1, "v", BROKERED_VERSION,
					"enroll", 1, "fingerprint", info.fingerprint);
			conn_send(c, ans);
			json_decref(ans);
			return true;
		}
		if (err != BH_OK) {
			fprintf(stderr, "behalf broker: the access store of %s: %s\n",
				br->cfg.state_dir, bh_strerror(err));
			return hello_refuse(c, bh_strerror(err));
		}
	}
	if (!state_customer_id_ok(customer) || (claimed[0] && strcmp(claimed, customer) != 0)) {
		fprintf(stderr,
			"behalf broker: a session of uid %ld claimed %s with a ticket of %s: "
			"refused\n",
			(long)c->uid, claimed, customer);
		return hello_refuse(c, text_get("broker.bad_ticket"));
	}
	return conn_open(c, customer);
}

static bool conn_hello(struct conn *c, const json_t *o)
{
	struct broker *br = c->br;
	const char *customer = req_str(o, "customer");

	if (strcmp(req_str(o, "op"), "hello") != 0 ||
	    json_integer_value(json_object_get(o, "v")) != BROKERED_VERSION)
		return hello_refuse(c, text_get("broker.bad_hello"));
	/* With [broker] tickets the customer is the ticket's (its key's
	 * binding), never the session's word. */
	if (br->cfg.broker_tickets[0])
		return conn_hello_ticket(c, o);
	if (!state_customer_id_ok(customer))
		return hello_refuse(c, text_get("broker.bad_hello"));
	return conn_open(c, customer);
}

/* {"op":"enroll","code":"...","from":"..."} of an unbound key's session:
 * redeemed here, with the wrong-code limits of the ticket's key and
 * address (the session's "from" only when sshd gave the key command no
 * address).  A refusal leaves the connection open for the next code. */
static void conn_enroll(struct conn *c, const json_t *o)
{
	struct broker *br = c->br;
	char customer[RESOURCE_ID_MAX], from[ACCESS_FROM_MAX], msg[512] = "";
	const char *said = req_str(o, "from");
	int wait_s = 0;
	enum bh_err err;
	json_t *ans;
	size_t i;

	if (strcmp(req_str(o, "op"), "enroll") != 0) {
		conn_refuse(c, BH_ERR_INVALID, 0, text_get("broker.unknown_op"));
		return;
	}
	if (c->address[0]) {
		str_copy(from, sizeof from, c->address);
	} else {
		/* an address's characters only: it goes into the audit log */
		for (i = 0;
		     said[i] && i + 1 < sizeof from && strchr("0123456789abcdefABCDEF.:", said[i]);
		     i++)
			from[i] = said[i];
		from[i] = '\0';
		if (said[i] || !from[0])
			str_copy(from, sizeof from, "unknown");
	}
	err = access_redeem(br->cfg.state_dir, req_str(o, "code"), c->fingerprint, from,
			    clock_wall_ms(), customer, sizeof customer, &wait_s, msg, sizeof msg);
	if (err == BH_OK) {
		fprintf(stderr, "behalf broker: key %s from %s bound to %s\n", c->fingerprint, from,
			customer);
		if (!conn_open(c, customer))
			c->closing = true;
		return;
	}
	ans = json_pack("{s:b, s:i, s:i, s:s}", "ok", 0, "err", (int)err, "wait_s", wait_s,
			"message", msg);
	conn_send(c, ans);
	json_decref(ans);
}

/* The address in "Name <address>" or a plain address, lower-cased, into
 * out; its domain part in *domain. */
static void from_address(const char *from, char *out, size_t cap, const char **domain)
{
	const char *lt = strrchr(from, '<'), *gt;
	size_t i, n;

	if (lt && (gt = strchr(lt, '>')) != NULL) {
		n = (size_t)(gt - lt - 1);
		from = lt + 1;
	} else {
		n = strlen(from);
	}
	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++)
		out[i] = (char)((from[i] >= 'A' && from[i] <= 'Z') ? from[i] + 32 : from[i]);
	out[n] = '\0';
	*domain = strrchr(out, '@') ? strrchr(out, '@') + 1 : out;
}

/* An id the session names must be its customer's. */
static bool conn_owns(struct conn *c, const char *kind, const char *id)
{
	const char *owner = owner_of(c->br, kind, id);
	if (owner && strcmp(owner, c->customer) == 0)
		return true;
	if (c->br->auth_refused) {
		conn_refuse(c, BH_ERR_AUTH, 0, text_get("broker.auth"));
		return false;
	}
	if (owner)
		fprintf(stderr, "behalf broker: customer %s named %s %s of %s: refused\n",
			c->customer, kind, id, owner);
	conn_refuse(c, BH_ERR_NOT_FOUND, 0, text_get("broker.not_yours"));
	return false;
}

/* A name the session names must not be another customer's. */
static bool conn_name_free(struct conn *c, const char *kind, const char *name)
{
	const char *owner = owner_by_name(c->br, kind, name);
	if (!owner || strcmp(owner, c->customer) == 0)
		return true;
	fprintf(stderr, "behalf broker: customer %s named %s of %s: refused\n", c->customer, kind,
		owner);
	conn_refuse(c, BH_ERR_REMOTE, BROKER_REFUSED, text_get("broker.refused"));
	return false;
}

/* The customer owns the ESP domain named name (any case). */
static bool conn_owns_domain(struct conn *c, const char *name)
{
	const char *id;
	json_t *e;
	json_object_foreach(owners_kind(c->br, "domains"), id, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));
		const char *who = json_string_value(json_object_get(e, "customer"));
		if (n && who && strcasecmp(n, name) == 0 && strcmp(who, c->customer) == 0)
			return true;
	}
	return false;
}

/* The answer to dc_sign: err, the words, the signature when err is BH_OK. */
static void conn_sign_reply(struct conn *c, enum bh_err err, const char *words, const char *sig)
{
	json_t *o = json_pack("{s:i, s:s}", "err", (int)err, "message", words ? words : "");
	if (err == BH_OK && sig)
		json_object_set_new(o, "sig", json_string(sig));
	conn_send(c, o);
	json_decref(o);
}

static void conn_signed(void *arg, enum bh_err err, const char *sig_b64, const char *msg)
{
	struct conn *c = arg;
	c->busy = false;
	if (err != BH_OK)
		fprintf(stderr, "behalf broker: customer %s: Domain Connect signature failed: %s\n",
			c->customer, msg);
	conn_sign_reply(c, err, err == BH_OK ? "" : msg, sig_b64);
}

/* {"op":"dc_sign","data":"<canonical string>"}: the vendor's signature
 * over data, for the customer's own ESP domain only (domain=, or
 * host.domain with host=, as dc_query_target reads them).  The log names
 * the domain and nothing else of data. */
static void conn_dc_sign(struct conn *c, const json_t *o)
{
	struct broker *br = c->br;
	const char *data = req_str(o, "data");
	char domain[256], host[256], name[512], msg[256];
	enum bh_err err;

	if (!br->dc) {
		fprintf(stderr,
			"behalf broker: customer %s asked for a Domain Connect signature: this "
			"broker has no [domainconnect] private_key_file\n",
			c->customer);
		conn_sign_reply(c, BH_ERR_INVALID, text_get("broker.dc_no_key"), NULL);
		return;
	}
	if (!dc_query_target(data, domain, sizeof domain, host, sizeof host)) {
		fprintf(stderr,
			"behalf broker: customer %s asked for a Domain Connect signature over a "
			"malformed query: refused\n",
			c->customer);
		conn_sign_reply(c, BH_ERR_INVALID, text_get("broker.dc_malformed"), NULL);
		return;
	}
	snprintf(name, sizeof name, "%s%s%s", host, host[0] ? "." : "", domain);
	if (!conn_owns_domain(c, name)) {
		fprintf(stderr,
			"behalf broker: customer %s asked for a Domain Connect signature for %s, "
			"not theirs: refused\n",
			c->customer, name);
		conn_sign_reply(c, BH_ERR_NOT_FOUND, text_get("broker.dc_not_yours"), NULL);
		return;
	}
	fprintf(stderr, "behalf broker: customer %s: signing a Domain Connect link for %s\n",
		c->customer, name);
	c->busy = true;
	err = br->dc->ops->sign(br->dc, data, strlen(data), conn_signed, c, msg, sizeof msg);
	if (err != BH_OK) {
		c->busy = false;
		conn_sign_reply(c, err, msg, NULL);
	}
}

static void conn_request(struct conn *c, const json_t *o)
{
	const struct esp_ops *ops;
	const char *op = req_str(o, "op"), *id = req_str(o, "id"), *dom;
	struct esp *esp = c->esp;
	struct esp_email e;
	char addr[EMAIL_MAX];
	enum bh_err err;

	if (!c->hello && !c->enrolling) {
		if (!conn_hello(c, o))
			c->closing = true;
		return;
	}
	if (c->enrolling) {
		conn_enroll(c, o);
		return;
	}
	ops = esp->ops;
	c->br->requests++;
	str_copy(c->op, sizeof c->op, op);
	c->arg[0] = '\0';
	err = BH_ERR_INVALID;
	if (!strcmp(op, "domain_ensure")) {
		if (!conn_name_free(c, "domains", req_str(o, "domain")))
			return;
		err = ops->domain_ensure(esp, req_str(o, "domain"), conn_done, c);
	} else if (!strcmp(op, "domain_verify") || !strcmp(op, "domain_delete")) {
		if (!conn_owns(c, "domains", id))
			return;
		err =
		    (op[7] == 'v' ? ops->domain_verify : ops->domain_delete)(esp, id, conn_done, c);
	} else if (!strcmp(op, "signature_ensure") && ops->signature_ensure) {
		from_address(req_str(o, "email"), addr, sizeof addr, &dom);
		if (!conn_name_free(c, "signatures", addr) || !conn_name_free(c, "domains", dom))
			return;
		err =
		    ops->signature_ensure(esp, req_str(o, "email"), req_str(o, "name"),
					  req_str(o, "reply_to"), req_str(o, "note"), conn_done, c);
	} else if ((!strcmp(op, "signature_get") || !strcmp(op, "signature_resend") ||
		    !strcmp(op, "signature_delete") || !strcmp(op, "signature_update")) &&
		   ops->signature_get) {
		if (!conn_owns(c, "signatures", id))
			return;
		if (!strcmp(op, "signature_get"))
			err = ops->signature_get(esp, id, conn_done, c);
		else if (!strcmp(op, "signature_resend"))
			err = ops->signature_resend(esp, id, conn_done, c);
		else if (!strcmp(op, "signature_delete"))
			err = ops->signature_delete(esp, id, conn_done, c);
		else
			err = ops->signature_update(esp, id, req_str(o, "name"), conn_done, c);
	} else if (!strcmp(op, "email_send") && ops->email_send) {
		from_address(req_str(o, "from"), addr, sizeof addr, &dom);
		if (!conn_name_free(c, "signatures", addr) || !conn_name_free(c, "domains", dom))
			return;
		memset(&e, 0, sizeof e);
		e.from = req_str(o, "from");
		e.to = req_str(o, "to");
		e.reply_to = req_str(o, "reply_to");
		e.subject = req_str(o, "subject");
		e.text_body = req_str(o, "text");
		e.html_body = *req_str(o, "html") ? req_str(o, "html") : NULL;
		err = ops->email_send(esp, &e, conn_done, c);
	} else if (!strcmp(op, "server_ensure") && ops->server_ensure) {
		err = ops->server_ensure(esp, NULL, conn_done, c); /* the customer's own */
	} else if (!strcmp(op, "dc_sign")) {
		conn_dc_sign(c, o); /* the broker's own key, not the ESP */
		return;
	} else {
		conn_refuse(c, BH_ERR_INVALID, 0, text_get("broker.unknown_op"));
		return;
	}
	if (err == BH_OK)
		c->busy = true;
	else
		conn_refuse(c, err, 0, bh_strerror(err));
}

/* ---- connections ---- */

static void conn_free(struct conn *c)
{
	if (c->esp)
		c->esp->ops->destroy(c->esp);
	if (c->fd >= 0)
		close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static bool broker_allowed(const struct broker *br, uid_t uid)
{
	size_t i;
	for (i = 0; i < br->nallow; i++)
		if (br->allow[i] == uid)
			return true;
	return false;
}

static void broker_accept(struct broker *br)
{
	struct ucred cred;
	socklen_t cl = sizeof cred;
	struct conn *c;
	int fd;

	while (br->nconns < BROKER_MAX_CONNS) {
		fd = accept4(br->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
		    !broker_allowed(br, cred.uid)) {
			json_t *no = json_pack("{s:b, s:s}", "ok", 0, "message",
					       text_get("broker.user_refused"));
			char *line = json_dumps(no, JSON_COMPACT);
			fprintf(stderr, "behalf broker: refused a connection of uid %ld\n",
				getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0
				    ? (long)cred.uid
				    : -1L);
			if (line) { /* best effort: a refused peer gets one line, then the end */
				(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
				(void)!send(fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			}
			free(line);
			json_decref(no);
			close(fd);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->fd = fd;
		c->uid = cred.uid;
		c->br = br;
		c->in.limit = BROKERED_LINE_MAX * 2;
		c->out.limit = BROKERED_LINE_MAX * 4;
		br->conns[br->nconns++] = c;
	}
}

/* Reads what the session sent and acts on a whole line. */
static void conn_read(struct conn *c)
{
	char chunk[8192], *nl;
	ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
	json_t *o;
	size_t len;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || buf_append(&c->in, chunk, (size_t)n) != BH_OK) {
		c->dead = true;
		return;
	}
	while (!c->dead && !c->closing && c->in.len &&
	       (nl = memchr(c->in.data, '\n', c->in.len)) != NULL) {
		if (c->busy) { /* one request at a time */
			c->dead = true;
			return;
		}
		len = (size_t)(nl - c->in.data);
		o = len < BROKERED_LINE_MAX ? brokered_line_parse(c->in.data, len) : NULL;
		memmove(c->in.data, nl + 1, c->in.len - len - 1);
		c->in.len -= len + 1;
		c->in.data[c->in.len] = '\0';
		if (!o) {
			c->dead = true;
			return;
		}
		conn_request(c, o);
		json_decref(o);
	}
	if (c->in.len >= BROKERED_LINE_MAX)
		c->dead = true;
}

static void conn_write(struct conn *c)
{
	ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->dead = true;
		return;
	}
	memmove(c->out.data, c->out.data + n, c->out.len - (size_t)n);
	c->out.len -= (size_t)n;
	c->out.data[c->out.len] = '\0';
}

/* ---- the loop source ---- */

static int broker_fill(void *self, struct pollfd *fds, int cap)
{
	struct broker *br = self;
	int n = 0;
	size_t i;

	br->lfd_at = -1;
	if (br->nconns < BROKER_MAX_CONNS && n < cap) {
		br->lfd_at = n;
		fds[n].fd = br->lfd;
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
	}
	for (i = 0; i < br->nconns; i++) {
		struct conn *c = br->conns[i];
		c->fd_at = -1;
		c->pm_n = 0;
		if (n < cap) {
			c->fd_at = n;
			fds[n].fd = c->fd;
			fds[n].events = (short)(POLLIN | (c->out.len ? POLLOUT : 0));
			fds[n++].revents = 0;
		}
		c->pm_at = n;
		if (c->esp && n < cap)
			c->pm_n = c->esp->ops->source.fill(c->esp, fds + n, cap - n);
		n += c->pm_n;
	}
	return n;
}

static int64_t broker_deadline(void *self)
{
	struct broker *br = self;
	int64_t d = 0;
	size_t i;

	for (i = 0; i < br->nconns; i++)
		if (br->conns[i]->esp)
			d = loop_min_deadline(
			    d, br->conns[i]->esp->ops->source.deadline(br->conns[i]->esp));
	return d;
}

static void broker_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct broker *br = self;
	size_t i, kept;

	(void)n;
	for (i = 0; i < br->nconns; i++) {
		struct conn *c = br->conns[i];
		if (c->esp)
			c->esp->ops->source.dispatch(c->esp, fds + c->pm_at, c->pm_n, now_ms);
		if (c->fd_at >= 0) {
			short re = fds[c->fd_at].revents;
			if ((re & POLLOUT) && c->out.len)
				conn_write(c);
			if (!c->dead && (re & (POLLIN | POLLHUP | POLLERR)))
				conn_read(c);
		}
		if (!c->dead && c->out.len)
			conn_write(c); /* an answer made this turn goes at once */
		if (c->closing && !c->out.len)
			c->dead = true;
	}
	for (i = kept = 0; i < br->nconns; i++) {
		if (br->conns[i]->dead) {
			/* The session ended (not the broker): its resume ticket goes. */
			broker_ticket_drop(br->cfg.broker_tickets, br->conns[i]->resume);
			conn_free(br->conns[i]);
		} else {
			br->conns[kept++] = br->conns[i];
		}
	}
	br->nconns = kept;
	if (br->lfd_at >= 0 && (fds[br->lfd_at].revents & POLLIN))
		broker_accept(br);
}

static const struct source_ops broker_source = {broker_fill, broker_deadline, broker_dispatch};

/* ---- setting up ---- */

static bool broker_users(struct broker *br, char *msg, size_t cap)
{
	char list[sizeof br->cfg.broker_allow], *items[BROKER_MAX_UIDS];
	size_t i, n;

	br->nallow = 0;
	if (!br->cfg.broker_allow[0]) {
		br->allow[br->nallow++] = getuid();
		return true;
	}
	str_copy(list, sizeof list, br->cfg.broker_allow);
	n = config_split_list(list, items, BROKER_MAX_UIDS);
	for (i = 0; i < n; i++) {
		struct passwd *pw = getpwnam(items[i]);
		char *end;
		unsigned long uid = strtoul(items[i], &end, 10);
		if (pw)
			br->allow[br->nallow++] = pw->pw_uid;
		else if (*items[i] && !*end)
			br->allow[br->nallow++] = (uid_t)uid;
		else {
			snprintf(msg, cap, "[broker] allow_users: no user \"%.40s\"", items[i]);
			return false;
		}
	}
	return true;
}

static bool broker_listen(struct broker *br, char *msg, size_t cap)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct group *gr = NULL;
	struct stat st;

	if (!str_copy(sa.sun_path, sizeof sa.sun_path, br->cfg.broker_socket)) {
		snprintf(msg, cap, "[broker] socket: the path is too long");
		return false;
	}
	if (br->cfg.broker_group[0] && !(gr = getgrnam(br->cfg.broker_group))) {
		snprintf(msg, cap, "[broker] group: no group \"%.40s\"", br->cfg.broker_group);
		return false;
	}
	/* A socket left by a broker that died is replaced; anything else stays. */
	if (lstat(sa.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(sa.sun_path);
	br->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (br->lfd < 0 || bind(br->lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    chmod(sa.sun_path, gr ? 0660 : 0600) != 0 ||
	    (gr && chown(sa.sun_path, (uid_t)-1, gr->gr_gid) != 0) || listen(br->lfd, 128) != 0) {
		snprintf(msg, cap, "cannot listen on %s: %s", sa.sun_path, strerror(errno));
		return false;
	}
	return true;
}

/* The ESP codes whose refusal means the ESP had trouble. */
static void broker_trouble(struct broker *br)
{
	struct postmark_config pm = {.account_token = br->cfg.account_token,
				     .api_url = br->cfg.api_url};
	struct esp_reply r;
	char msg[256];
	struct esp *esp = postmark_create(&pm, msg, sizeof msg);
	int code;

	br->ntrouble = 0;
	if (!esp)
		return;
	for (code = 0; code < 1000 && br->ntrouble < BROKERED_TROUBLE_MAX; code++) {
		memset(&r, 0, sizeof r);
		r.esp_code = code;
		if (esp_error_kind(esp, BH_ERR_REMOTE, &r) != BH_ERR_REMOTE)
			br->trouble[br->ntrouble++] = code;
	}
	esp->ops->destroy(esp);
}

static int broker_usage(void)
{
	fprintf(stderr, "usage: behalf broker [--config FILE]\n"
			"       behalf broker --mint-ticket CUSTOMER --tickets DIR\n");
	return 2;
}

/* behalf broker --mint-ticket CUSTOMER --tickets DIR: prints a new ticket
 * (what `behalf ssh-keys` does for the session it starts). */
static int broker_mint(const char *customer, const char *dir)
{
	char ticket[BROKER_TICKET_LEN + 1], msg[512];

	if (!customer || !dir || !state_customer_id_ok(customer))
		return broker_usage();
	if (broker_ticket_mint(dir, customer, clock_wall_ms(), ticket, sizeof ticket, msg,
			       sizeof msg) != BH_OK) {
		fprintf(stderr, "behalf broker: %s\n", msg);
		return 1;
	}
	printf("%s\n", ticket);
	return 0;
}

int cmd_broker(int argc, char **argv)
{
	struct broker *br;
	struct loop loop;
	struct sigaction sa;
	const char *path = NULL, *mint = NULL, *tickets = NULL;
	char msg[1400];
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "--mint-ticket") && i + 1 < argc)
			mint = argv[++i];
		else if (!strcmp(argv[i], "--tickets") && i + 1 < argc)
			tickets = argv[++i];
		else
			return broker_usage();
	}
	if (mint || tickets)
		return broker_mint(mint, tickets);
	br = xcalloc(1, sizeof *br);
	br->lfd = -1;
	if (!cli_config_load(&br->cfg, path, NULL, "broker.config")) {
		free(br);
		return 2;
	}
	if (!br->cfg.broker_socket[0] || !br->cfg.account_token[0]) {
		fprintf(stderr, "behalf broker: the configuration needs [broker] socket and "
				"[postmark] account_token\n");
		config_wipe_secrets(&br->cfg);
		free(br);
		return 2;
	}
	if (br->cfg.broker_state_dir[0])
		str_copy(br->state_dir, sizeof br->state_dir, br->cfg.broker_state_dir);
	else
		snprintf(br->state_dir, sizeof br->state_dir, "%.1000s/broker", br->cfg.state_dir);
	mkdir(br->state_dir, 0700);
	if (br->cfg.dc.private_key_file[0]) {
		/* The vendor's Domain Connect key, for the sessions' links. */
		br->dc = dc_signer_local(br->cfg.dc.private_key_file, msg, sizeof msg);
		if (!br->dc) {
			fprintf(stderr, "behalf broker: [domainconnect] private_key_file: %s\n",
				msg);
			rc = 2;
			goto out;
		}
	}
	if (!broker_users(br, msg, sizeof msg) || !broker_listen(br, msg, sizeof msg)) {
		fprintf(stderr, "behalf broker: %s\n", msg);
		rc = 2;
		goto out;
	}
	owners_load(br);
	broker_trouble(br);
	esp_gate_init(&br->gate, br->cfg.broker_rate, br->cfg.broker_burst,
		      br->cfg.api_retry_base_ms, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = broker_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	loop_init(&loop);
	loop_add(&loop, &broker_source, br);
	fprintf(stderr, "behalf broker: listening on %s\n", br->cfg.broker_socket);
	while (!broker_stop)
		if (loop_turn(&loop, 0) != 0) {
			fprintf(stderr, "behalf broker: poll: %s\n", strerror(errno));
			rc = 1;
			break;
		}
	fprintf(stderr, "behalf broker: stopping (%lu requests, %lu sent to the ESP, %lu 429s)\n",
		br->requests, br->gate.admitted, br->gate.answered_429);
	unlink(br->cfg.broker_socket);
out:
	while (br->nconns)
		conn_free(br->conns[--br->nconns]);
	if (br->lfd >= 0)
		close(br->lfd);
	json_decref(br->owners);
	if (br->dc)
		br->dc->ops->destroy(br->dc);
	config_wipe_secrets(&br->cfg);
	free(br);
	return rc;
}
