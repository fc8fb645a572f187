/* A small HTTP client on libcurl's multi interface, for the application's
 * single poll() loop: libcurl tells us (CURLMOPT_SOCKETFUNCTION,
 * CURLMOPT_TIMERFUNCTION) which sockets and which timer it waits on; we
 * report them through fill and deadline, and hand readiness back to it in
 * dispatch.  Completion callbacks run from http_dispatch only, never inside
 * http_start.
 *
 * Reply bodies go into a bounded buffer (HTTP_BODY_LIMIT): a bigger reply
 * ends the transfer with BH_ERR_TOO_LARGE.  Only http and https, no
 * redirects (custom headers carry secrets), no signals, no verbose output.
 *
 * curl_global_init runs with the first http_create and curl_global_cleanup
 * with the last http_destroy (single-threaded program). */
#ifndef BEHALF_ESP_HTTP_H
#define BEHALF_ESP_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/alloc.h"
#include "core/error.h"

#define HTTP_BODY_LIMIT	 (1024u * 1024u) /* most bytes of a reply body kept */
#define HTTP_MAX_HEADERS 8

/* What went wrong at the transport level (no HTTP status was received). */
enum http_fail {
	HTTP_FAIL_NONE = 0,  /* a status came back */
	HTTP_FAIL_CONNECT,   /* could not connect (refused, unreachable, DNS) */
	HTTP_FAIL_TIMEOUT,   /* no complete answer in time */
	HTTP_FAIL_DROPPED,   /* the connection broke or closed mid-answer */
	HTTP_FAIL_TOO_LARGE, /* the body was over HTTP_BODY_LIMIT */
	HTTP_FAIL_OTHER,     /* anything else libcurl reports (TLS, ...) */
};

/* One request; every string is copied by http_start. */
struct http_request {
	const char *method;		       /* "GET", "POST", "PUT", "DELETE" */
	const char *url;		       /* absolute http:// or https:// URL */
	const char *headers[HTTP_MAX_HEADERS]; /* "Name: value" lines, NULL-ended */
	const char *body;		       /* NULL for none; sent with Content-Length */
	long connect_timeout_ms;
	long timeout_ms; /* whole transfer */
	/* A new connection, never a kept-alive one: libcurl silently sends a
	 * request again when a reused connection dies before the answer, which
	 * a request that must not be made twice (an email) cannot allow. */
	bool fresh_connection;
	/* For untrusted hosts (src/dc/discover.c); all optional, zero: off. */
	bool https_only;     /* refuse http:// */
	size_t body_limit;   /* below HTTP_BODY_LIMIT: a smaller limit */
	const char *ca_file; /* PEM bundle trusted instead of the system's */
	/* Asked with every address libcurl is about to connect to (after its
	 * own resolution); false: that socket is never opened. */
	bool (*allow_addr)(void *arg, const struct sockaddr *sa, socklen_t len);
	void *allow_arg;
};

/* The outcome, valid only during the callback. */
struct http_response {
	enum http_fail fail;	/* HTTP_FAIL_NONE when status is set */
	long status;		/* HTTP status, 0 when fail is set */
	const struct buf *body; /* reply body (NUL-terminated), possibly empty */
	char detail[256];	/* libcurl's words for a failure, "" otherwise */
};

typedef void (*http_done_fn)(void *arg, const struct http_response *resp);

struct http;

/* A client; NULL with msg set when libcurl cannot start.  Free with
 * http_destroy. */
struct http *http_create(char *msg, size_t cap);
/* Cancels the transfers under way (their callbacks do not run) and frees. */
void http_destroy(struct http *h);

/* Starts a request; done(arg, resp) runs later from http_dispatch.  Returns
 * an id (> 0) for http_cancel, or 0 with BH_ERR_NOMEM/BH_ERR_INVALID in *err. */
uint64_t http_start(struct http *h, const struct http_request *req, http_done_fn done, void *arg,
		    enum bh_err *err);
/* Drops a request under way without calling its callback. */
void http_cancel(struct http *h, uint64_t id);
/* Number of requests under way. */
int http_active(const struct http *h);

/* Loop integration, as struct source_ops. */
int http_fill(struct http *h, struct pollfd *fds, int cap);
int64_t http_deadline(const struct http *h);
void http_dispatch(struct http *h, const struct pollfd *fds, int n, int64_t now_ms);

#endif
