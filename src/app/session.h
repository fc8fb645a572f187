/* The interactive wizard for one customer (the default command). */
#ifndef BEHALF_APP_SESSION_H
#define BEHALF_APP_SESSION_H

#include "app/config.h"
#include "esp/esp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a session runs besides its configuration. */
struct session_options {
	/* behalf ssh-session: the lock is taken as an SSH session's, and an
	 * earlier SSH session of the same customer that still holds it is
	 * ended (state_take_over) instead of refusing; file export is off
	 * (unless allowed by the configuration). */
	bool ssh;
	/* No key for this long: save, leave curses, say goodbye, end (0: never). */
	int64_t idle_ms;
	/* Called once the state, the backends and the terminal are open,
	 * before the first key (NULL: nothing): where behalf ssh-session
	 * confines itself.  Non-zero ends the session with that status, and
	 * msg (cap bytes, "" before the call), when set, is printed on stderr
	 * once the screen is gone. */
	int (*ready)(void *arg, char *msg, size_t cap);
	void *ready_arg;
	/* An ESP client already open (behalf ssh-session's broker connection,
	 * which named the customer), taken by the session instead of one
	 * esp_make would make; NULL: esp_make. */
	struct esp *esp;
	/* behalf ssh-session: this connection's key was just bound by a code
	 * (at ms, wall clock; 0: it was not): the session says key.enrolled
	 * (the outbox, docs/events.md) and keeps the milestone's time. */
	struct session_enrolled {
		int64_t ms;
		const char *fingerprint; /* SHA256:... */
		const char *from;	 /* the client's address */
		const char *via;	 /* "session" or "broker": who redeemed the code */
	} enrolled;
};

/* An idle time in words ("30 minutes", "3 seconds"), for the goodbyes. */
void session_idle_words(int64_t ms, char *out, size_t cap);

/* Runs the wizard until the customer quits; returns the exit status.  The
 * configuration's tokens are wiped once the ESP client has them. */
int session_run(struct config *cfg);
/* session_run with options (opt is read, not kept after the return). */
int session_run_with(struct config *cfg, const struct session_options *opt);

#endif
