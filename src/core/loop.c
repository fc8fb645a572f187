#include "core/loop.h"

#include <errno.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"

void loop_init(struct loop *l)
{
	memset(l, 0, sizeof *l);
	l->poll = poll;
}

int loop_add(struct loop *l, const struct source_ops *ops, void *self)
{
	if (l->nsources == LOOP_MAX_SOURCES)
		return BH_ERR_TOO_LARGE;
	l->sources[l->nsources].ops = ops;
	l->sources[l->nsources].self = self;
	l->nsources++;
	return BH_OK;
}

int64_t loop_min_deadline(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

int loop_turn(struct loop *l, int64_t wake_ms)
{
	int64_t now = clock_now_ms(), deadline = wake_ms, left;
	int i, n = 0, timeout = -1, first = l->nsources ? l->next_first % l->nsources : 0;

	/* Filled in the order of this turn's dispatch: the table's last slots
	 * do not always go to the same source. */
	for (i = 0; i < l->nsources; i++) {
		struct loop_entry *e = &l->sources[(first + i) % l->nsources];
		e->first = n;
		e->n = e->ops->fill(e->self, l->fds + n, LOOP_MAX_FDS - n);
		if (e->n < 0)
			e->n = 0;
		n += e->n;
		deadline = loop_min_deadline(deadline, e->ops->deadline(e->self));
	}
	if (deadline) {
		left = deadline - now;
		timeout = left < 0 ? 0 : left > LOOP_MAX_WAIT_MS ? LOOP_MAX_WAIT_MS : (int)left;
	}
	if (l->poll(l->fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
		return -1;
	now = clock_now_ms();
	for (i = 0; i < l->nsources; i++) {
		struct loop_entry *e = &l->sources[(first + i) % l->nsources];
		e->ops->dispatch(e->self, l->fds + e->first, e->n, now);
	}
	l->next_first = l->nsources ? (first + 1) % l->nsources : 0;
	return 0;
}
