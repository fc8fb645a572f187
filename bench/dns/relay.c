/* relay: a small delaying UDP relay for the DNS benchmarks (bench/dns/).
 *
 *   relay LISTEN_ADDR LISTEN_PORT UPSTREAM_ADDR UPSTREAM_PORT DELAY_MS
 *
 * Receives DNS queries on LISTEN_ADDR:LISTEN_PORT (0: any free port), sends
 * each one to the upstream server from a socket of its own, and sends the
 * upstream's answer back to the client DELAY_MS after it arrived: every
 * answer is late by DELAY_MS, as if the server were that far away, and
 * queries in flight overlap freely.  Prints the port it listens on, then
 * runs until killed.  IPv4 only; UDP only (enough for the benchmarks: no
 * answer there is truncated).  One thread, one poll(). */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PENDING 512
#define MAX_MSG	    65535
#define LOST_MS	    5000 /* an upstream that has not answered by then: forget it */

struct pending {
	int fd;			   /* upstream socket, -1 when the slot is free */
	struct sockaddr_in client; /* who asked */
	long long asked_ms;	   /* when it was sent upstream */
	long long due_ms;	   /* when to answer, 0 while waiting upstream */
	size_t len;		   /* answer length once received */
	unsigned char *answer;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_addr(const char *host, const char *port, struct sockaddr_in *sa)
{
	char *end;
	long p = strtol(port, &end, 10);
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	if (*end || p < 0 || p > 65535 || inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((unsigned short)p);
	return 0;
}

static void release(struct pending *p)
{
	if (p->fd >= 0)
		close(p->fd);
	free(p->answer);
	memset(p, 0, sizeof *p);
	p->fd = -1;
}

int main(int argc, char **argv)
{
	static struct pending pend[MAX_PENDING];
	static unsigned char buf[MAX_MSG];
	struct pollfd pfd[MAX_PENDING + 1];
	int idx[MAX_PENDING + 1];
	struct sockaddr_in listen_sa, up_sa;
	socklen_t slen = sizeof listen_sa;
	long delay;
	int lfd, i;

	if (argc != 6 || parse_addr(argv[1], argv[2], &listen_sa) ||
	    parse_addr(argv[3], argv[4], &up_sa) || (delay = strtol(argv[5], NULL, 10)) < 0) {
		fprintf(
		    stderr,
		    "usage: relay LISTEN_ADDR LISTEN_PORT UPSTREAM_ADDR UPSTREAM_PORT DELAY_MS\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&listen_sa, sizeof listen_sa) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&listen_sa, &slen) < 0) {
		perror("relay: bind");
		return 1;
	}
	printf("%u\n", ntohs(listen_sa.sin_port));
	fflush(stdout);
	for (i = 0; i < MAX_PENDING; i++)
		pend[i].fd = -1;

	for (;;) {
		long long now = now_ms(), next = -1;
		int n = 0, timeout, r;

		/* Answers that are due, and upstreams that never answered. */
		for (i = 0; i < MAX_PENDING; i++) {
			struct pending *p = &pend[i];
			if (p->fd < 0)
				continue;
			if (p->due_ms && p->due_ms <= now) {
				sendto(lfd, p->answer, p->len, 0, (struct sockaddr *)&p->client,
				       sizeof p->client);
				release(p);
				continue;
			}
			if (!p->due_ms && now - p->asked_ms > LOST_MS) {
				release(p);
				continue;
			}
			if (p->due_ms && (next < 0 || p->due_ms < next))
				next = p->due_ms;
		}
		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		idx[n++] = -1;
		for (i = 0; i < MAX_PENDING; i++) {
			if (pend[i].fd < 0 || pend[i].due_ms)
				continue;
			pfd[n].fd = pend[i].fd;
			pfd[n].events = POLLIN;
			idx[n++] = i;
		}
		timeout = next < 0 ? 1000 : (int)(next > now ? next - now : 0);
		r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("relay: poll");
			return 1;
		}
		now = now_ms();
		for (i = 0; i < n; i++) {
			ssize_t len;
			if (!(pfd[i].revents & (POLLIN | POLLERR)))
				continue;
			if (idx[i] < 0) {
				/* A query: to the upstream from a socket of its own. */
				struct sockaddr_in from;
				socklen_t flen = sizeof from;
				int slot;
				len = recvfrom(lfd, buf, sizeof buf, 0, (struct sockaddr *)&from,
					       &flen);
				if (len <= 0)
					continue;
				for (slot = 0; slot < MAX_PENDING && pend[slot].fd >= 0; slot++)
					;
				if (slot == MAX_PENDING)
					continue; /* full: drop it, as a busy server would */
				pend[slot].fd = socket(AF_INET, SOCK_DGRAM, 0);
				if (pend[slot].fd < 0)
					continue;
				if (connect(pend[slot].fd, (struct sockaddr *)&up_sa,
					    sizeof up_sa) < 0 ||
				    send(pend[slot].fd, buf, (size_t)len, 0) < 0) {
					release(&pend[slot]);
					continue;
				}
				pend[slot].client = from;
				pend[slot].asked_ms = now;
				pend[slot].due_ms = 0;
			} else {
				/* An answer: hold it for the delay. */
				struct pending *p = &pend[idx[i]];
				len = recv(p->fd, buf, sizeof buf, 0);
				if (len <= 0) {
					release(p);
					continue;
				}
				p->answer = malloc((size_t)len);
				if (!p->answer) {
					release(p);
					continue;
				}
				memcpy(p->answer, buf, (size_t)len);
				p->len = (size_t)len;
				p->due_ms = now + delay;
			}
		}
	}
}
