/* One DNS question's life, inside the application's poll() loop (internal
 * to src/dns/).  Packets are built and parsed with ldns; the sockets are
 * ours: one non-blocking UDP socket per address family, shared by every
 * query of a check and opened afresh for each check (a new random source
 * port), plus one non-blocking TCP connection for each query whose UDP
 * reply was truncated.  Replies are matched by id, source address and
 * question.  A query that gets no reply is sent again, with a new random
 * id, after each timeout, up to its number of tries. */
#ifndef BEHALF_DNS_QUERY_H
#define BEHALF_DNS_QUERY_H

#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/error.h"
#include "core/record.h"

#define DNS_ADDR_TEXT_MAX 72

/* A server's address. */
struct dns_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[DNS_ADDR_TEXT_MAX]; /* "192.0.2.1", "[2001:db8::1]:5353": for display */
};

/* Parses "IP", "IP:PORT", "IPv6", "[IPv6]:PORT" (port 53 by default);
 * false when it is not a numeric address. */
bool dns_addr_parse(const char *text, struct dns_addr *out);

/* The addresses of the "nameserver" lines of a resolv.conf file (path;
 * NULL: /etc/resolv.conf), as written, into addrs (at most max); how many
 * (0 when the file cannot be read). */
#define DNS_RESOLV_ADDR_MAX 64
size_t dns_resolv_conf(const char *path, char (*addrs)[DNS_RESOLV_ADDR_MAX], size_t max);
/* Fills out from a raw address (4 or 16 bytes) and a port. */
void dns_addr_from_raw(const uint8_t *raw, size_t len, uint16_t port, struct dns_addr *out);
/* True when both are the same address and port. */
bool dns_addr_eq(const struct dns_addr *a, const struct dns_addr *b);

enum query_state {
	QUERY_IDLE,	   /* not started */
	QUERY_UDP,	   /* sent over UDP, waiting for the reply */
	QUERY_TCP_CONNECT, /* TC was set: connecting over TCP */
	QUERY_TCP_WRITE,   /* sending the length-framed question */
	QUERY_TCP_READ,	   /* reading the length-framed reply */
	QUERY_TCP_WAIT,	   /* the TCP try failed: next try at the deadline */
	QUERY_DONE,
};

/* One question to one server.  The caller fills the first fields, keeps
 * the struct in place until it is done (or the net is closed), then reads
 * the result and calls query_clear. */
struct query {
	char qname[RECORD_NAME_MAX]; /* the name asked, no trailing dot needed */
	uint16_t qtype;		     /* LDNS_RR_TYPE_* */
	bool rd;		     /* recursion desired: true for resolvers */
	struct dns_addr addr;	     /* the server */
	size_t tag[3];		     /* the caller's own: which record, probe, server */

	/* the result, valid once state is QUERY_DONE */
	ldns_pkt *reply; /* owned (query_clear frees it); NULL: no reply */

	/* internal */
	enum query_state state;
	ldns_rdf *qname_rdf; /* owned */
	uint16_t id;
	int tries_left;
	int64_t deadline_ms;
	int tcp_fd;	    /* -1 when none */
	uint8_t *tcp_buf;   /* malloced: framed question, then the reply */
	size_t tcp_len;	    /* bytes in tcp_buf to write / expected to read */
	size_t tcp_off;	    /* bytes written / read so far */
	uint8_t tcp_hdr[2]; /* the reply's length, while reading it */
};

/* The sockets and the queries in flight. */
struct query_net {
	int udp4, udp6;	       /* -1 until first used */
	int timeout_ms;	       /* per try */
	int tries;	       /* tries per query */
	struct query **active; /* malloced array of borrowed pointers */
	size_t nactive, cap;
	uint8_t *rxbuf;	   /* malloced receive buffer */
	uint8_t pool[256]; /* random bytes for ids */
	size_t pool_left;
};

/* Sets up an empty net (no sockets yet). */
void query_net_init(struct query_net *net, int timeout_ms, int tries);
/* Forgets every query in flight (they stay as they are, not freed), closes
 * the UDP sockets: the next query opens new ones on a new port. */
void query_net_reset(struct query_net *net);
/* query_net_reset, and frees the net's memory. */
void query_net_free(struct query_net *net);

/* Sends q (state QUERY_IDLE) and adds it to the queries in flight.  A query
 * that cannot be built (bad name) is done at once, without a reply. */
void query_start(struct query_net *net, struct query *q, int64_t now_ms);
/* Takes q off the queries in flight, if it is there, as done without a
 * reply (its TCP socket closed); nothing when it is not in flight. */
void query_cancel(struct query_net *net, struct query *q);
/* Frees q's reply and buffers, closes its TCP socket; q can be reused. */
void query_clear(struct query *q);

/* The source_ops of the net, for the engine to forward. */
int query_net_fill(struct query_net *net, struct pollfd *fds, int cap);
int64_t query_net_deadline(const struct query_net *net);
void query_net_dispatch(struct query_net *net, const struct pollfd *fds, int n, int64_t now_ms);
/* How many queries are still in flight (every caller's). */
size_t query_net_pending(const struct query_net *net);

#endif
