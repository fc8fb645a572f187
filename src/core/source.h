/* How an asynchronous part (DNS engine, ESP client, demo world, the
 * terminal) plugs into the application's single poll() loop (core/loop.h).
 * Each part fills poll descriptors, names its next deadline, and is
 * dispatched once every turn: it acts on its ready descriptors and due
 * timers and ignores a turn with nothing for it.  Callbacks run from
 * dispatch only. */
#ifndef BEHALF_CORE_SOURCE_H
#define BEHALF_CORE_SOURCE_H

#include <poll.h>
#include <stdint.h>

struct source_ops {
	/* Writes up to cap pollfds the part waits on; returns how many. */
	int (*fill)(void *self, struct pollfd *fds, int cap);
	/* Monotonic ms of the part's next timer, or 0 when it has none. */
	int64_t (*deadline)(void *self);
	/* Handles ready descriptors (the ones fill wrote, revents set) and
	 * timers due at now_ms; runs callbacks. */
	void (*dispatch)(void *self, const struct pollfd *fds, int n, int64_t now_ms);
};

#endif
