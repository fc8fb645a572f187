/* The event loop: one poll() over every registered source (terminal, DNS,
 * ESP, and whatever comes next), shared by the wizard session and `behalf
 * check`.
 *
 * A turn fills every source's descriptors, waits until one is ready, the
 * earliest deadline passes or the caller's wake time comes, then
 * dispatches every source exactly once.  The source dispatched first moves
 * on by one each turn (round robin), and so does the order in which
 * sources fill the descriptor table: a source that is always ready cannot
 * starve the others, nor always run first.  Sources ignore a dispatch with
 * nothing for them (no revents, no timer due). */
#ifndef BEHALF_CORE_LOOP_H
#define BEHALF_CORE_LOOP_H

#include <poll.h>
#include <stdint.h>

#include "core/source.h"

#define LOOP_MAX_SOURCES 8
#define LOOP_MAX_FDS	 1024
#define LOOP_MAX_WAIT_MS 60000 /* the longest one poll() waits */

/* poll(2), or a test's stand-in. */
typedef int (*loop_poll_fn)(struct pollfd *fds, nfds_t n, int timeout_ms);

struct loop_entry {
	const struct source_ops *ops; /* not owned */
	void *self;		      /* passed to ops; not owned */
	int first, n;		      /* its descriptors in this turn's table */
};

/* A loop; embed it or put it on the stack, loop_init before use.  It owns
 * nothing: sources are destroyed by whoever made them. */
struct loop {
	struct loop_entry sources[LOOP_MAX_SOURCES];
	int nsources;
	int next_first; /* the source dispatched first next turn */
	struct pollfd fds[LOOP_MAX_FDS];
	loop_poll_fn poll; /* poll(2) unless a test set another */
};

void loop_init(struct loop *l);

/* Registers a source (ops->fill, deadline and dispatch all set); BH_ERR_TOO_LARGE
 * past LOOP_MAX_SOURCES.  ops and self must outlive the loop's use. */
int loop_add(struct loop *l, const struct source_ops *ops, void *self);

/* One turn: waits for a ready descriptor, the earliest source deadline, or
 * wake_ms (monotonic ms; 0: none), at most LOOP_MAX_WAIT_MS (with no
 * deadline at all: until a descriptor is ready or a signal comes), then
 * dispatches every source once.  Returns 0, or -1 when poll() failed other
 * than by a signal (errno set). */
int loop_turn(struct loop *l, int64_t wake_ms);

/* The earlier of two deadlines where 0 means none. */
int64_t loop_min_deadline(int64_t a, int64_t b);

#endif
