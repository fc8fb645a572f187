/* One DNS question's life (see query.h): build with ldns, send over our own
 * non-blocking UDP socket, match the reply, fall back to TCP on TC, retry
 * on timeout. */
#include "dns/query.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/alloc.h"

#define QUERY_EDNS_SIZE 1232  /* the DNS flag day 2020 size: no fragments */
#define QUERY_RX_MAX	65536 /* the largest DNS message, UDP or TCP */
#define QUERY_RX_PER_TURN                                                                          \
	512 /* datagrams read per dispatch, so one busy                                            \
	       socket cannot hold the loop */

/* ---- addresses ---- */

bool dns_addr_parse(const char *text, struct dns_addr *out)
{
	char host[56], port[8] = "53";
	const char *colon;
	struct addrinfo hints, *res = NULL;
	size_t hlen;

	memset(out, 0, sizeof *out);
	if (!text || !*text || strlen(text) >= 64)
		return false;
	if (text[0] == '[') {
		const char *end = strchr(text, ']');
		if (!end)
			return false;
		hlen = (size_t)(end - text - 1);
		if (hlen >= sizeof host)
			return false;
		memcpy(host, text + 1, hlen);
		host[hlen] = '\0';
		if (end[1] == ':') {
			if (!str_copy(port, sizeof port, end + 2))
				return false;
		} else if (end[1]) {
			return false;
		}
	} else if ((colon = strchr(text, ':')) != NULL && !strchr(colon + 1, ':')) {
		hlen = (size_t)(colon - text);
		if (hlen >= sizeof host)
			return false;
		memcpy(host, text, hlen);
		host[hlen] = '\0';
		if (!str_copy(port, sizeof port, colon + 1))
			return false;
	} else if (!str_copy(host, sizeof host, text)) {
		return false;
	}
	if (!*host || !*port || strspn(port, "0123456789") != strlen(port))
		return false;
	{
		long p = strtol(port, NULL, 10);
		if (p <= 0 || p > 65535)
			return false;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &res) != 0 || !res)
		return false;
	memcpy(&out->sa, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	if (strcmp(port, "53") == 0)
		str_copy(out->text, sizeof out->text, host);
	else if (out->sa.ss_family == AF_INET6)
		snprintf(out->text, sizeof out->text, "[%s]:%s", host, port);
	else
		snprintf(out->text, sizeof out->text, "%s:%s", host, port);
	return true;
}

void dns_addr_from_raw(const uint8_t *raw, size_t len, uint16_t port, struct dns_addr *out)
{
	char host[INET6_ADDRSTRLEN] = "";
	memset(out, 0, sizeof *out);
	if (len == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->sa;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, raw, 4);
		out->len = sizeof *sin;
		inet_ntop(AF_INET, raw, host, sizeof host);
	} else if (len == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->sa;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, raw, 16);
		out->len = sizeof *sin6;
		inet_ntop(AF_INET6, raw, host, sizeof host);
	}
	if (port == 53)
		str_copy(out->text, sizeof out->text, host);
	else if (len == 16)
		snprintf(out->text, sizeof out->text, "[%s]:%u", host, (unsigned)port);
	else
		snprintf(out->text, sizeof out->text, "%s:%u", host, (unsigned)port);
}

bool dns_addr_eq(const struct dns_addr *a, const struct dns_addr *b)
{
	if (a->sa.ss_family != b->sa.ss_family)
		return false;
	if (a->sa.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)&a->sa;
		const struct sockaddr_in *y = (const struct sockaddr_in *)&b->sa;
		return x->sin_port == y->sin_port &&
		       memcmp(&x->sin_addr, &y->sin_addr, sizeof x->sin_addr) == 0;
	}
	if (a->sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->sa;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->sa;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	return false;
}

/* ---- the net ---- */

void query_net_init(struct query_net *net, int timeout_ms, int tries)
{
	memset(net, 0, sizeof *net);
	net->udp4 = -1;
	net->udp6 = -1;
	net->timeout_ms = timeout_ms > 0 ? timeout_ms : 1500;
	net->tries = tries > 0 ? tries : 3;
}

void query_net_reset(struct query_net *net)
{
	if (net->udp4 >= 0)
		close(net->udp4);
	if (net->udp6 >= 0)
		close(net->udp6);
	net->udp4 = -1;
	net->udp6 = -1;
	net->nactive = 0;
}

void query_net_free(struct query_net *net)
{
	query_net_reset(net);
	free(net->active);
	free(net->rxbuf);
	net->active = NULL;
	net->rxbuf = NULL;
	net->cap = 0;
}

size_t query_net_pending(const struct query_net *net)
{
	return net->nactive;
}

/* A random 16-bit query id (getrandom, pooled). */
static uint16_t query_random_id(struct query_net *net)
{
	uint16_t id;
	if (net->pool_left < 2) {
		ssize_t got = getrandom(net->pool, sizeof net->pool, 0);
		if (got < (ssize_t)sizeof net->pool) {
			/* getrandom does not fail for 256 bytes once the pool is
			 * seeded; keep going with the clock rather than abort. */
			size_t i;
			uint64_t x =
			    (uint64_t)clock() ^ (uint64_t)(uintptr_t)net ^ (uint64_t)getpid();
			for (i = 0; i < sizeof net->pool; i++) {
				x = x * 6364136223846793005u + 1442695040888963407u;
				net->pool[i] = (uint8_t)(x >> 33);
			}
		}
		net->pool_left = sizeof net->pool;
	}
	net->pool_left -= 2;
	memcpy(&id, net->pool + net->pool_left, 2);
	return id;
}

/* The shared UDP socket for a family, opened on first use; -1 on error. */
static int query_udp_socket(struct query_net *net, int family)
{
	int *fd = family == AF_INET6 ? &net->udp6 : &net->udp4;
	if (*fd < 0)
		*fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return *fd;
}

static void query_net_add(struct query_net *net, struct query *q)
{
	if (net->nactive == net->cap) {
		net->cap = net->cap ? net->cap * 2 : 64;
		net->active = xrealloc(net->active, net->cap * sizeof *net->active);
	}
	net->active[net->nactive++] = q;
}

static void query_net_remove(struct query_net *net, size_t i)
{
	net->active[i] = net->active[--net->nactive];
}

static void query_tcp_close(struct query *q)
{
	if (q->tcp_fd >= 0)
		close(q->tcp_fd);
	q->tcp_fd = -1;
	free(q->tcp_buf);
	q->tcp_buf = NULL;
	q->tcp_len = 0;
	q->tcp_off = 0;
}

void query_clear(struct query *q)
{
	query_tcp_close(q);
	if (q->reply)
		ldns_pkt_free(q->reply);
	q->reply = NULL;
	if (q->qname_rdf)
		ldns_rdf_deep_free(q->qname_rdf);
	q->qname_rdf = NULL;
	q->state = QUERY_IDLE;
}

/* The question in wire format with the current id (caller frees), or NULL. */
static uint8_t *query_wire(const struct query *q, size_t *len)
{
	ldns_pkt *pkt;
	uint8_t *wire = NULL;
	ldns_status st;

	pkt = ldns_pkt_query_new(ldns_rdf_clone(q->qname_rdf), (ldns_rr_type)q->qtype,
				 LDNS_RR_CLASS_IN, q->rd ? LDNS_RD : 0);
	if (!pkt)
		return NULL;
	ldns_pkt_set_id(pkt, q->id);
	ldns_pkt_set_edns_udp_size(pkt, QUERY_EDNS_SIZE);
	st = ldns_pkt2wire(&wire, pkt, len);
	ldns_pkt_free(pkt);
	if (st != LDNS_STATUS_OK) {
		free(wire);
		return NULL;
	}
	return wire;
}

/* One try over UDP with a fresh id; false when it could not be sent. */
static bool query_send_udp(struct query_net *net, struct query *q)
{
	size_t len;
	uint8_t *wire;
	int fd = query_udp_socket(net, q->addr.sa.ss_family);
	ssize_t sent;

	q->state = QUERY_UDP;
	if (fd < 0)
		return false;
	q->id = query_random_id(net);
	wire = query_wire(q, &len);
	if (!wire)
		return false;
	sent = sendto(fd, wire, len, 0, (const struct sockaddr *)&q->addr.sa, q->addr.len);
	free(wire);
	return sent == (ssize_t)len;
}

/* One try over TCP: connects (non-blocking) and frames the question; false
 * when the connection could not even be started. */
static bool query_send_tcp(struct query_net *net, struct query *q)
{
	size_t len;
	uint8_t *wire;

	query_tcp_close(q);
	q->id = query_random_id(net);
	wire = query_wire(q, &len);
	q->state = QUERY_TCP_WAIT;
	if (!wire || len > 65535) {
		free(wire);
		return false;
	}
	q->tcp_buf = xmalloc(len + 2);
	q->tcp_buf[0] = (uint8_t)(len >> 8);
	q->tcp_buf[1] = (uint8_t)len;
	memcpy(q->tcp_buf + 2, wire, len);
	free(wire);
	q->tcp_len = len + 2;
	q->tcp_off = 0;
	q->tcp_fd = socket(q->addr.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->tcp_fd < 0)
		return false;
	if (connect(q->tcp_fd, (const struct sockaddr *)&q->addr.sa, q->addr.len) < 0 &&
	    errno != EINPROGRESS) {
		query_tcp_close(q);
		return false;
	}
	q->state = QUERY_TCP_CONNECT;
	return true;
}

/* Marks q done (reply may be NULL) and takes it off the active list. */
static void query_finish(struct query_net *net, size_t i, ldns_pkt *reply)
{
	struct query *q = net->active[i];
	query_tcp_close(q);
	q->reply = reply;
	q->state = QUERY_DONE;
	query_net_remove(net, i);
}

void query_start(struct query_net *net, struct query *q, int64_t now_ms)
{
	q->reply = NULL;
	q->tcp_fd = -1;
	q->tcp_buf = NULL;
	q->tries_left = net->tries - 1;
	q->deadline_ms = now_ms + net->timeout_ms;
	q->qname_rdf = ldns_dname_new_frm_str(*q->qname ? q->qname : ".");
	query_net_add(net, q);
	if (!q->qname_rdf) {
		query_finish(net, net->nactive - 1, NULL);
		return;
	}
	if (!query_send_udp(net, q)) {
		/* No route, no socket: this try is lost; do not wait for it. */
		q->deadline_ms = now_ms;
	}
}

/* True when reply answers q: the same id and the same one question. */
static bool query_matches(const struct query *q, const ldns_pkt *reply)
{
	const ldns_rr_list *qs = ldns_pkt_question(reply);
	const ldns_rr *qr;
	if (ldns_pkt_id(reply) != q->id || !ldns_pkt_qr(reply) || !qs ||
	    ldns_rr_list_rr_count(qs) != 1)
		return false;
	qr = ldns_rr_list_rr(qs, 0);
	return ldns_rr_get_type(qr) == (ldns_rr_type)q->qtype &&
	       ldns_rr_get_class(qr) == LDNS_RR_CLASS_IN &&
	       ldns_dname_compare(ldns_rr_owner(qr), q->qname_rdf) == 0;
}

/* A datagram from from: finds its query, finishes it or moves it to TCP. */
static void query_udp_reply(struct query_net *net, const uint8_t *data, size_t len,
			    const struct dns_addr *from, int64_t now_ms)
{
	uint16_t id;
	size_t i;
	if (len < 12)
		return;
	id = (uint16_t)(data[0] << 8 | data[1]);
	for (i = 0; i < net->nactive; i++) {
		struct query *q = net->active[i];
		ldns_pkt *reply = NULL;
		if (q->state != QUERY_UDP || q->id != id || !dns_addr_eq(&q->addr, from))
			continue;
		if (ldns_wire2pkt(&reply, data, len) != LDNS_STATUS_OK)
			return;
		if (!query_matches(q, reply)) {
			ldns_pkt_free(reply);
			continue;
		}
		if (ldns_pkt_tc(reply)) {
			/* Truncated: ask again over TCP, with a fresh timeout. */
			ldns_pkt_free(reply);
			q->deadline_ms = now_ms + net->timeout_ms;
			if (!query_send_tcp(net, q))
				q->deadline_ms = now_ms;
			return;
		}
		query_finish(net, i, reply);
		return;
	}
}

void query_cancel(struct query_net *net, struct query *q)
{
	size_t i;
	for (i = 0; i < net->nactive; i++)
		if (net->active[i] == q) {
			query_finish(net, i, NULL);
			return;
		}
}

/* Reads every datagram waiting on a UDP socket. */
static void query_udp_read(struct query_net *net, int fd, int64_t now_ms)
{
	int k;
	if (!net->rxbuf)
		net->rxbuf = xmalloc(QUERY_RX_MAX);
	for (k = 0; k < QUERY_RX_PER_TURN; k++) {
		struct dns_addr from;
		socklen_t flen = sizeof from.sa;
		ssize_t got;
		memset(&from, 0, sizeof from);
		got = recvfrom(fd, net->rxbuf, QUERY_RX_MAX, 0, (struct sockaddr *)&from.sa, &flen);
		if (got < 0)
			return; /* EAGAIN, or an ICMP error we learn nothing from */
		from.len = flen;
		query_udp_reply(net, net->rxbuf, (size_t)got, &from, now_ms);
	}
}

/* A TCP try failed: wait for the deadline, then try again or give up. */
static void query_tcp_failed(struct query *q)
{
	query_tcp_close(q);
	q->state = QUERY_TCP_WAIT;
}

/* Progress on a TCP query whose socket is ready; may finish it (index i). */
static void query_tcp_step(struct query_net *net, size_t i, short revents)
{
	struct query *q = net->active[i];
	ssize_t got;

	if (q->state == QUERY_TCP_CONNECT) {
		int err = 0;
		socklen_t elen = sizeof err;
		if (getsockopt(q->tcp_fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err) {
			query_tcp_failed(q);
			return;
		}
		q->state = QUERY_TCP_WRITE;
	}
	if (q->state == QUERY_TCP_WRITE) {
		got =
		    send(q->tcp_fd, q->tcp_buf + q->tcp_off, q->tcp_len - q->tcp_off, MSG_NOSIGNAL);
		if (got < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				query_tcp_failed(q);
			return;
		}
		q->tcp_off += (size_t)got;
		if (q->tcp_off < q->tcp_len)
			return;
		free(q->tcp_buf);
		q->tcp_buf = NULL;
		q->tcp_len = 2; /* first the length */
		q->tcp_off = 0;
		q->state = QUERY_TCP_READ;
		return;
	}
	if (q->state != QUERY_TCP_READ || !(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (!q->tcp_buf) {
		got = recv(q->tcp_fd, q->tcp_hdr + q->tcp_off, 2 - q->tcp_off, 0);
		if (got <= 0) {
			if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
				query_tcp_failed(q);
			return;
		}
		q->tcp_off += (size_t)got;
		if (q->tcp_off < 2)
			return;
		q->tcp_len = (size_t)q->tcp_hdr[0] << 8 | q->tcp_hdr[1];
		if (q->tcp_len < 12) {
			query_tcp_failed(q);
			return;
		}
		q->tcp_buf = xmalloc(q->tcp_len);
		q->tcp_off = 0;
	}
	got = recv(q->tcp_fd, q->tcp_buf + q->tcp_off, q->tcp_len - q->tcp_off, 0);
	if (got <= 0) {
		if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			query_tcp_failed(q);
		return;
	}
	q->tcp_off += (size_t)got;
	if (q->tcp_off < q->tcp_len)
		return;
	{
		ldns_pkt *reply = NULL;
		if (ldns_wire2pkt(&reply, q->tcp_buf, q->tcp_len) != LDNS_STATUS_OK ||
		    !query_matches(q, reply)) {
			if (reply)
				ldns_pkt_free(reply);
			query_tcp_failed(q);
			return;
		}
		query_finish(net, i, reply);
	}
}

int query_net_fill(struct query_net *net, struct pollfd *fds, int cap)
{
	int n = 0;
	size_t i;
	if (net->udp4 >= 0 && n < cap)
		fds[n++] = (struct pollfd){.fd = net->udp4, .events = POLLIN};
	if (net->udp6 >= 0 && n < cap)
		fds[n++] = (struct pollfd){.fd = net->udp6, .events = POLLIN};
	for (i = 0; i < net->nactive && n < cap; i++) {
		const struct query *q = net->active[i];
		if (q->tcp_fd < 0)
			continue;
		if (q->state == QUERY_TCP_CONNECT || q->state == QUERY_TCP_WRITE)
			fds[n++] = (struct pollfd){.fd = q->tcp_fd, .events = POLLOUT};
		else if (q->state == QUERY_TCP_READ)
			fds[n++] = (struct pollfd){.fd = q->tcp_fd, .events = POLLIN};
	}
	return n;
}

int64_t query_net_deadline(const struct query_net *net)
{
	int64_t best = 0;
	size_t i;
	for (i = 0; i < net->nactive; i++) {
		int64_t d = net->active[i]->deadline_ms;
		if (d <= 0)
			d = 1;
		if (!best || d < best)
			best = d;
	}
	return best;
}

/* Queries whose try timed out: send again or give up (no reply). */
static void query_net_timeouts(struct query_net *net, int64_t now_ms)
{
	size_t i = 0;
	while (i < net->nactive) {
		struct query *q = net->active[i];
		bool tcp;
		if (q->deadline_ms > now_ms) {
			i++;
			continue;
		}
		if (q->tries_left <= 0) {
			query_finish(net, i, NULL);
			continue; /* the slot now holds another query */
		}
		q->tries_left--;
		q->deadline_ms = now_ms + net->timeout_ms;
		tcp = q->state != QUERY_UDP;
		if (!(tcp ? query_send_tcp(net, q) : query_send_udp(net, q)))
			q->deadline_ms = now_ms;
		i++;
	}
}

void query_net_dispatch(struct query_net *net, const struct pollfd *fds, int n, int64_t now_ms)
{
	int k;
	for (k = 0; k < n; k++) {
		size_t i;
		if (!fds[k].revents || fds[k].fd < 0)
			continue;
		if (fds[k].fd == net->udp4 || fds[k].fd == net->udp6) {
			query_udp_read(net, fds[k].fd, now_ms);
			continue;
		}
		for (i = 0; i < net->nactive; i++)
			if (net->active[i]->tcp_fd == fds[k].fd) {
				query_tcp_step(net, i, fds[k].revents);
				break;
			}
	}
	query_net_timeouts(net, now_ms);
}

size_t dns_resolv_conf(const char *path, char (*addrs)[DNS_RESOLV_ADDR_MAX], size_t max)
{
	FILE *f = fopen(path ? path : "/etc/resolv.conf", "r");
	char line[512];
	size_t n = 0;
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof line, f)) {
		char *p = line, *end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
			continue;
		p += 10;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, " \t\r\n#;");
		*end = '\0';
		if (*p && (size_t)(end - p) < DNS_RESOLV_ADDR_MAX)
			memcpy(addrs[n++], p, (size_t)(end - p) + 1);
	}
	fclose(f);
	return n;
}
