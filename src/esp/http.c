/* HTTP on libcurl's multi interface, driven by the application's poll()
 * loop (see http.h).  libcurl reports the sockets it waits on through
 * http_socket_cb and its one timer through http_timer_cb; fill and deadline
 * repeat them to the loop, dispatch feeds readiness back with
 * curl_multi_socket_action and then runs the callbacks of finished
 * transfers, outside any libcurl callback. */
#include "esp/http.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define HTTP_USER_AGENT "behalf/0.1"
#define HTTP_SHORT_MS	10 /* look at sockets that did not fit in fill this often */

/* A socket libcurl wants watched, and for what (CURL_POLL_*). */
struct http_sock {
	curl_socket_t fd;
	int what;
};

/* One transfer under way. */
struct http_xfer {
	uint64_t id;
	CURL *easy;
	struct curl_slist *headers; /* owned */
	char *body;		    /* malloced copy of the request body, or NULL */
	struct buf reply;	    /* bounded reply body */
	bool too_large;		    /* the reply went over the limit */
	CURLcode result;	    /* how the transfer ended */
	char errbuf[CURL_ERROR_SIZE];
	bool (*allow_addr)(void *arg, const struct sockaddr *sa, socklen_t len);
	void *allow_arg;
	http_done_fn done; /* NULL once cancelled */
	void *arg;
	struct http_xfer *next;
};

struct http {
	CURLM *multi;
	struct http_sock *socks; /* malloced */
	size_t nsocks, capsocks;
	int64_t timer_ms;	  /* libcurl's timer, monotonic ms; 0 when none */
	bool fill_short;	  /* the last fill had no room for every socket */
	struct http_xfer *xfers;  /* under way */
	struct http_xfer *ending; /* finished, callbacks about to run */
	uint64_t next_id;
	int active;
};

static int http_users; /* live clients; curl_global_* follow it */

/* snprintf into msg when there is room. */
static void http_say(char *msg, size_t cap, const char *text)
{
	if (msg && cap)
		snprintf(msg, cap, "%s", text);
}

static struct http_sock *http_sock_find(struct http *h, curl_socket_t fd)
{
	size_t i;
	for (i = 0; i < h->nsocks; i++)
		if (h->socks[i].fd == fd)
			return &h->socks[i];
	return NULL;
}

/* CURLMOPT_SOCKETFUNCTION: libcurl adds, changes or removes a socket. */
static int http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	struct http_sock *s = http_sock_find(h, fd);

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			*s = h->socks[h->nsocks - 1];
			h->nsocks--;
		}
		return 0;
	}
	if (!s) {
		if (h->nsocks == h->capsocks) {
			h->capsocks = h->capsocks ? h->capsocks * 2 : 4;
			h->socks = xrealloc(h->socks, h->capsocks * sizeof *h->socks);
		}
		s = &h->socks[h->nsocks++];
		s->fd = fd;
	}
	s->what = what;
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: libcurl wants socket_action(TIMEOUT) in
 * timeout_ms (-1: no timer).  Never calls libcurl from here. */
static int http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;

	(void)multi;
	if (timeout_ms < 0)
		h->timer_ms = 0;
	else
		h->timer_ms = clock_now_ms() + timeout_ms;
	if (timeout_ms >= 0 && h->timer_ms <= 0)
		h->timer_ms = 1;
	return 0;
}

/* CURLOPT_WRITEFUNCTION: into the bounded buffer; 0 (abort) past it. */
static size_t http_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_xfer *x = userp;
	size_t n = size * nmemb;

	if (buf_append(&x->reply, data, n) != BH_OK) {
		x->too_large = true;
		return 0;
	}
	return n;
}

/* CURLOPT_OPENSOCKETFUNCTION: the request's guard sees the address
 * actually about to be connected to; a refused one gets no socket. */
static curl_socket_t http_open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct http_xfer *x = clientp;

	(void)purpose;
	if (x->allow_addr && !x->allow_addr(x->allow_arg, &addr->addr, addr->addrlen))
		return CURL_SOCKET_BAD;
	return socket(addr->family, addr->socktype, addr->protocol);
}

struct http *http_create(char *msg, size_t cap)
{
	struct http *h;

	if (http_users == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		http_say(msg, cap, "libcurl could not start");
		return NULL;
	}
	http_users++;
	h = xcalloc(1, sizeof *h);
	h->multi = curl_multi_init();
	if (!h->multi) {
		http_say(msg, cap, "libcurl could not start");
		free(h);
		if (--http_users == 0)
			curl_global_cleanup();
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	h->next_id = 1;
	return h;
}

/* Frees one transfer (its easy handle already out of the multi handle).
 * Header lines are wiped first: they carry tokens. */
static void http_xfer_free(struct http_xfer *x)
{
	struct curl_slist *l;

	curl_easy_cleanup(x->easy);
	for (l = x->headers; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(x->headers);
	free(x->body);
	buf_free(&x->reply);
	free(x);
}

void http_destroy(struct http *h)
{
	struct http_xfer *x, *next;

	if (!h)
		return;
	for (x = h->xfers; x; x = next) {
		next = x->next;
		curl_multi_remove_handle(h->multi, x->easy);
		http_xfer_free(x);
	}
	curl_multi_cleanup(h->multi);
	free(h->socks);
	free(h);
	if (--http_users == 0)
		curl_global_cleanup();
}

/* Adds "Name: value" to the list; false when libcurl runs out of memory. */
static bool http_header_add(struct curl_slist **list, const char *line)
{
	struct curl_slist *l = curl_slist_append(*list, line);
	if (!l)
		return false;
	*list = l;
	return true;
}

/* Sets the method and the body: a body-less POST or PUT still sends
 * Content-Length: 0, and no made-up form Content-Type. */
static bool http_set_method(struct http_xfer *x, const char *method)
{
	bool has_body = x->body != NULL;
	bool post_like = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;

	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
		return !has_body;
	}
	if (post_like || has_body) {
		if (!x->body)
			x->body = xstrdup("");
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(x->body));
		if (!has_body && !http_header_add(&x->headers, "Content-Type:"))
			return false;
	}
	if (strcmp(method, "POST") != 0)
		curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);
	return true;
}

uint64_t http_start(struct http *h, const struct http_request *req, http_done_fn done, void *arg,
		    enum bh_err *err)
{
	struct http_xfer *x;
	size_t i;
	bool ok = true;

	*err = BH_OK;
	if (!req->method || !req->url || !done ||
	    (strncmp(req->url, "http://", 7) != 0 && strncmp(req->url, "https://", 8) != 0)) {
		*err = BH_ERR_INVALID;
		return 0;
	}
	x = xcalloc(1, sizeof *x);
	x->easy = curl_easy_init();
	if (!x->easy) {
		free(x);
		*err = BH_ERR_NOMEM;
		return 0;
	}
	if (req->https_only && strncmp(req->url, "https://", 8) != 0) {
		curl_easy_cleanup(x->easy);
		free(x);
		*err = BH_ERR_INVALID;
		return 0;
	}
	x->reply.limit = HTTP_BODY_LIMIT;
	if (req->body_limit > 0 && req->body_limit < HTTP_BODY_LIMIT)
		x->reply.limit = req->body_limit;
	x->body = req->body ? xstrdup(req->body) : NULL;
	for (i = 0; i < HTTP_MAX_HEADERS && req->headers[i] && ok; i++)
		ok = http_header_add(&x->headers, req->headers[i]);
	/* libcurl would wait for "100 Continue" before a larger body. */
	ok = ok && http_header_add(&x->headers, "Expect:");
	ok = ok && http_set_method(x, req->method);
	ok = ok && curl_easy_setopt(x->easy, CURLOPT_URL, req->url) == CURLE_OK;
	ok = ok && curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR,
				    req->https_only ? "https" : "http,https") == CURLE_OK;
	if (ok && req->ca_file)
		ok = curl_easy_setopt(x->easy, CURLOPT_CAINFO, req->ca_file) == CURLE_OK;
	if (!ok) {
		http_xfer_free(x);
		*err = BH_ERR_NOMEM;
		return 0;
	}
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->reply.limit);
	if (req->allow_addr) {
		x->allow_addr = req->allow_addr;
		x->allow_arg = req->allow_arg;
		/* A proxy would be the address connected to, not the host. */
		curl_easy_setopt(x->easy, CURLOPT_PROXY, "");
		curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION, http_open_cb);
		curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETDATA, x);
	}
	if (req->connect_timeout_ms > 0)
		curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
	if (req->timeout_ms > 0)
		curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	if (req->fresh_connection)
		curl_easy_setopt(x->easy, CURLOPT_FRESH_CONNECT, 1L);
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		http_xfer_free(x);
		*err = BH_ERR_NOMEM;
		return 0;
	}
	x->id = h->next_id++;
	x->done = done;
	x->arg = arg;
	x->next = h->xfers;
	h->xfers = x;
	h->active++;
	return x->id;
}

void http_cancel(struct http *h, uint64_t id)
{
	struct http_xfer **p, *x;

	for (x = h->ending; x; x = x->next)
		if (x->id == id)
			x->done = NULL;
	for (p = &h->xfers; *p; p = &(*p)->next) {
		if ((*p)->id == id) {
			x = *p;
			*p = x->next;
			curl_multi_remove_handle(h->multi, x->easy);
			http_xfer_free(x);
			h->active--;
			return;
		}
	}
}

int http_active(const struct http *h)
{
	return h->active;
}

int http_fill(struct http *h, struct pollfd *fds, int cap)
{
	int n = 0;
	size_t i;

	for (i = 0; i < h->nsocks && n < cap; i++) {
		fds[n].fd = h->socks[i].fd;
		fds[n].events = 0;
		fds[n].revents = 0;
		if (h->socks[i].what & CURL_POLL_IN)
			fds[n].events |= POLLIN;
		if (h->socks[i].what & CURL_POLL_OUT)
			fds[n].events |= POLLOUT;
		n++;
	}
	h->fill_short = (size_t)n < h->nsocks;
	return n;
}

int64_t http_deadline(const struct http *h)
{
	/* Sockets that did not fit in fill are looked at every few ms. */
	if (h->fill_short && (!h->timer_ms || h->timer_ms > clock_now_ms() + HTTP_SHORT_MS))
		return clock_now_ms() + HTTP_SHORT_MS;
	return h->timer_ms;
}

/* How libcurl ended a transfer, in our terms. */
static enum http_fail http_fail_of(CURLcode rc, bool too_large)
{
	switch (rc) {
	case CURLE_OK:
		return HTTP_FAIL_NONE;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_FAIL_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTP_FAIL_CONNECT;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return HTTP_FAIL_DROPPED;
	case CURLE_FILESIZE_EXCEEDED:
		return HTTP_FAIL_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return too_large ? HTTP_FAIL_TOO_LARGE : HTTP_FAIL_OTHER;
	default:
		return HTTP_FAIL_OTHER;
	}
}

/* Moves finished transfers from the multi handle to the end of h->ending,
 * in the order they finished. */
static void http_collect(struct http *h)
{
	struct http_xfer **p, **e, *x;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		for (p = &h->xfers; *p && (*p)->easy != m->easy_handle; p = &(*p)->next)
			;
		if (!*p)
			continue;
		x = *p;
		*p = x->next;
		x->next = NULL;
		/* m is invalid once the handle is removed: read it first. */
		x->result = m->data.result;
		curl_multi_remove_handle(h->multi, x->easy);
		h->active--;
		for (e = &h->ending; *e; e = &(*e)->next)
			;
		*e = x;
	}
}

/* Runs the callback of each finished transfer and frees it.  A callback
 * may start new transfers. */
static void http_finish(struct http *h)
{
	struct http_xfer *x;
	struct http_response resp;
	long status = 0;

	while ((x = h->ending)) {
		h->ending = x->next;
		memset(&resp, 0, sizeof resp);
		resp.fail = http_fail_of(x->result, x->too_large);
		if (resp.fail == HTTP_FAIL_NONE) {
			curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
			resp.status = status;
		} else {
			x->errbuf[sizeof x->errbuf - 1] = '\0';
			snprintf(resp.detail, sizeof resp.detail, "%s",
				 x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result));
		}
		if (!x->reply.data)
			buf_append(&x->reply, "", 0);
		resp.body = &x->reply;
		if (x->done)
			x->done(x->arg, &resp);
		http_xfer_free(x);
	}
}

/* libcurl's event bits for poll's. */
static int http_select_bits(short revents)
{
	int ev = 0;
	if (revents & POLLIN)
		ev |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		ev |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		ev |= CURL_CSELECT_ERR | CURL_CSELECT_IN;
	return ev;
}

void http_dispatch(struct http *h, const struct pollfd *fds, int n, int64_t now_ms)
{
	int i, running = 0;

	for (i = 0; i < n; i++) {
		/* An earlier action may have closed this socket (and its number
		 * been reused): only act on sockets libcurl still watches. */
		if (!fds[i].revents || !http_sock_find(h, fds[i].fd))
			continue;
		curl_multi_socket_action(h->multi, fds[i].fd, http_select_bits(fds[i].revents),
					 &running);
	}
	if (h->fill_short) {
		/* Mask 0: libcurl looks at the socket itself. */
		for (size_t k = 0; k < h->nsocks; k++) {
			for (i = 0; i < n && fds[i].fd != h->socks[k].fd; i++)
				;
			if (i == n)
				curl_multi_socket_action(h->multi, h->socks[k].fd, 0, &running);
		}
	}
	if (h->timer_ms && now_ms >= h->timer_ms) {
		h->timer_ms = 0;
		curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	http_collect(h);
	http_finish(h);
}
