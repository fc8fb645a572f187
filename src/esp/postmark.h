/* The Postmark ESP: the operations of esp.h against Postmark's API
 * (../shared/reference/postmark-api.md), over libcurl's multi interface in
 * the application's poll() loop (esp->ops->source), with jansson for JSON.
 *
 * Every operation is a short sequence of HTTP requests run one after the
 * other; its callback runs once, from dispatch, when the sequence ends:
 * - domain_ensure: every page of GET /domains to find the name (case
 *   insensitive), then GET /domains/{id}; a different Return-Path domain is
 *   set with PUT /domains/{id}; else POST /domains; a 512 ("already exists")
 *   means someone created it meanwhile: look it up again and adopt it.
 *   The Return-Path domain asked for is "<return_path_label>.<domain>".
 * - domain_verify: PUT verifyDkim, then PUT verifyReturnPath; the reply is
 *   the details.  The reply's records: the DKIM TXT (the pending key,
 *   DKIMPendingHost/DKIMPendingTextValue, when there is one, else
 *   DKIMHost/DKIMTextValue), verified when DKIMVerified is, or when
 *   DKIMUpdateStatus is "Verified" with DKIMHost set; and the Return-Path
 *   CNAME (ReturnPathDomain to ReturnPathDomainCNAMEValue), verified when
 *   ReturnPathDomainVerified is.
 * - signature_ensure: every page of GET /senders, else POST /senders (504
 *   adopts); signature_resend: POST resend then GET the details;
 *   signature_update: PUT /senders/{id} {"Name"} then GET the details.
 * - postmark_server_ensure: GET /servers?name= (every page), else POST
 *   /servers (603 adopts).  The server's token (ApiTokens[0]) stays in
 *   this client's memory, for postmark_email_send; it is never in a reply.
 *   With server_mode POSTMARK_SERVER_YES and a server_name, domain_ensure
 *   and signature_ensure first ensure the customer's server (once per
 *   client) and also fill reply->server_id.
 *
 * Failures: HTTP 429, 500, 502, 503, 504, timeouts and dropped
 * connections are retried with exponential backoff and jitter (retry_base_ms
 * doubling up to retry_max_ms, at most max_tries tries of one request);
 * creating again after a lost reply is safe because creates adopt.  An email
 * is retried only when it was surely not accepted (429, 503, no connection).
 * Not found (404, or 422 with 501, 510 or 601) is BH_ERR_NOT_FOUND; a
 * refused token (401, code 10) BH_ERR_AUTH; other refusals BH_ERR_REMOTE.
 * reply->esp_code is Postmark's ErrorCode; reply->message the words for the
 * customer from assets/text/postmark.ini ([postmark] code_<n>, with the next
 * step where there is one), already sanitized, never holding a token.
 *
 * Tokens are copied into the client, sent only in their headers, wiped on
 * destroy, and never written to a message.  Plain http:// is refused except
 * to a loopback address (tests). */
#ifndef BEHALF_ESP_POSTMARK_H
#define BEHALF_ESP_POSTMARK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "esp/esp.h"
#include "esp/gate.h"

#define POSTMARK_DEFAULT_URL	   "https://api.postmarkapp.com"
#define POSTMARK_MAX_RECIPIENTS	   50
#define POSTMARK_PAGE_MAX	   500		/* most items Postmark returns a page */
#define POSTMARK_TIMEOUT_MS	   30000	/* default: one request */
#define POSTMARK_CONNECT_MS	   10000	/* default: connecting */
#define POSTMARK_TRIES		   5		/* default: tries of one request */
#define POSTMARK_RETRY_BASE_MS	   1000		/* default: first backoff */
#define POSTMARK_RETRY_MAX_MS	   60000	/* default: longest backoff */
#define POSTMARK_RETURN_PATH_LABEL "pm-bounces" /* default label of the Return-Path domain */
/* The longest DKIM host Postmark makes, a UTC timestamp and "pm"
 * (postmark-api.md); older forms ("<timestamp>.pm") are one octet longer
 * but no longer issued. */
#define POSTMARK_DKIM_SELECTOR_SAMPLE "20250817055129pm._domainkey"

/* Whether each customer gets a Postmark server of their own. */
enum postmark_server_mode {
	POSTMARK_SERVER_NO = 0, /* everyone sends through the vendor's server */
	POSTMARK_SERVER_YES,	/* ensure the customer's server with their resources */
	POSTMARK_SERVER_ASK,	/* the application asks, then calls postmark_server_ensure */
};

/* Settings of a client; strings are copied by postmark_create.  Zero or
 * NULL fields take the defaults above. */
struct postmark_config {
	const char *api_url;	   /* POSTMARK_API_URL or config; NULL: POSTMARK_DEFAULT_URL */
	const char *account_token; /* secret: X-Postmark-Account-Token (required) */
	const char *server_token;  /* secret: X-Postmark-Server-Token for email; may be NULL */
	long timeout_ms;	   /* one HTTP request, whole */
	long connect_timeout_ms;
	int max_tries;	    /* tries of one request, >= 1 */
	long retry_base_ms; /* first backoff (tests shorten it) */
	long retry_max_ms;  /* longest backoff */
	int page_size;	    /* count= of list requests, 1..500 (tests shorten it) */
	enum postmark_server_mode server_mode;
	const char *server_name; /* the customer's server name (e.g. "behalf-<customer>") */
	/* [postmark] return_path_label: domain_ensure asks for the Return-Path
	 * domain "<label>.<domain>"; NULL or "": POSTMARK_RETURN_PATH_LABEL */
	const char *return_path_label;
	/* The host's shared rate limit (esp/gate.h; the broker's), or NULL:
	 * asked before every request, told every answer.  Not owned. */
	struct esp_gate *gate;
};

/* A Postmark client; NULL with msg (cap bytes) set when the configuration
 * is unusable (no account token, bad URL, http:// to a remote host).  Free
 * with esp->ops->destroy(esp). */
struct esp *postmark_create(const struct postmark_config *cfg, char *msg, size_t cap);

/* The longest name Postmark puts in front of a customer's domain for its
 * records (its DKIM selector, or the Return-Path label when longer) into
 * out (cap bytes): for validate_record_names. */
void postmark_longest_label(const char *return_path_label, char *out, size_t cap);

/* True when esp is a Postmark client. */
bool postmark_is(const struct esp *esp);

/* "yes", "no", "ask" (any case) into *mode; false for anything else. */
bool postmark_server_mode_parse(const char *word, enum postmark_server_mode *mode);

/* The client's server mode (POSTMARK_SERVER_NO when esp is not Postmark). */
enum postmark_server_mode postmark_server_mode(const struct esp *esp);

/* Finds the server called name (NULL: the configured server_name) or
 * creates it; reply->server_id and reply->server_token_set are filled and
 * the token is kept for postmark_email_send.  Same contract as esp.h. */
enum bh_err postmark_server_ensure(struct esp *esp, const char *name, esp_done_fn done, void *arg);

/* Sends one email through the customer's server (after server_ensure) or
 * else the configured server token.  to: comma-separated, at most
 * POSTMARK_MAX_RECIPIENTS addresses; html_body may be NULL.  On success
 * reply->message holds Postmark's MessageID.  BH_ERR_INVALID at once for
 * too many recipients, BH_ERR_AUTH at once without any server token. */
enum bh_err postmark_email_send(struct esp *esp, const char *from, const char *to,
				const char *subject, const char *text_body, const char *html_body,
				esp_done_fn done, void *arg);

/* The request an answer of Postmark's is read for (postmark_parse_reply). */
enum postmark_reply {
	POSTMARK_REPLY_DOMAIN_LIST,	 /* GET /domains (looking for "customer.example") */
	POSTMARK_REPLY_DOMAIN_CREATE,	 /* POST /domains */
	POSTMARK_REPLY_DOMAIN,		 /* PUT /domains/{id}/verifyReturnPath: the details */
	POSTMARK_REPLY_DOMAIN_DELETE,	 /* DELETE /domains/{id} */
	POSTMARK_REPLY_SIGNATURE_LIST,	 /* GET /senders (looking for "jane@customer.example") */
	POSTMARK_REPLY_SIGNATURE_CREATE, /* POST /senders */
	POSTMARK_REPLY_SIGNATURE,	 /* GET /senders/{id} */
	POSTMARK_REPLY_SERVER_LIST,	 /* GET /servers (looking for "behalf-customer") */
	POSTMARK_REPLY_SERVER,		 /* GET /servers/{id} */
	POSTMARK_REPLY_EMAIL,		 /* POST /email */
	POSTMARK_REPLY__COUNT
};

/* Reads one answer (HTTP status, body of len bytes, any bytes) exactly as
 * the operation waiting for it does, for the fuzz target and tests: returns
 * the error the operation ends with and its reply in *out, or BH_ERR_BUSY
 * when the operation would go on with another request (a list's next page,
 * the details after a create, a look-up after "already exists"); *out then
 * holds the reply so far.  No request is ever sent. */
enum bh_err postmark_parse_reply(enum postmark_reply what, long status, const char *body,
				 size_t len, struct esp_reply *out);

/* The customer's words for Postmark ErrorCode code (text
 * "postmark.code_<code>"), or NULL when the code has none.  Static. */
const char *postmark_code_text(int code);

#endif
