/* Defence in depth for the SSH session: once started, the process gives up
 * what it does not need (no exec, no tracing, no core dumps, no new
 * privileges, filesystem reach limited to its state).  Linux only: prctl,
 * a seccomp filter (libseccomp) and Landlock where the kernel has it. */
#ifndef BEHALF_APP_CONFINE_H
#define BEHALF_APP_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define CONFINE_MAX_PATHS 8 /* entries of write_dirs and read_paths */
#define CONFINE_MAX_PORTS 8 /* entries of tcp_ports */

/* What the session still needs once confined.  Lists end at the first NULL
 * (or 0 port) or after CONFINE_MAX_*; a zeroed struct is the strictest. */
struct confine_paths {
	/* Read-write beneath each directory (files, subdirectories, atomic
	 * renames): the state dir, which holds access/ and the audit log.
	 * Each must exist.  Borrowed strings. */
	const char *write_dirs[CONFINE_MAX_PATHS];
	/* Read-only files or directories the session opens after start, on
	 * top of the system ones confine_session always adds (shared
	 * libraries, time zones, CA certificates, the resolver's files: see
	 * confine.c).  Each must exist.  Borrowed strings. */
	const char *read_paths[CONFINE_MAX_PATHS];
	/* TCP connect() only to these ports (DNS over TCP: 53 and the
	 * configured servers' ports; the ESP's port when the session calls it
	 * itself).  Ignored when tcp_any. */
	uint16_t tcp_ports[CONFINE_MAX_PORTS];
	bool tcp_any;	   /* TCP connect() to any port */
	bool keep_signals; /* may still signal processes outside the session
			      (an earlier session it must end later) */
};

/* Confines the calling process for the rest of its life.  Call it once,
 * after the session has opened what it keeps open (terminal, curses, state
 * lock, DNS sockets, broker connection) and before any thread starts
 * (Landlock binds only the calling thread): BH_ERR_INVALID when other
 * threads exist.  Applies, in order: no new privileges, no core dumps and
 * not dumpable (no ptrace or /proc/PID/mem by other processes of the
 * user), Landlock (files, TCP ports, signals and abstract sockets, as far
 * as the kernel's ABI goes), the seccomp filter (no exec, no ptrace, no
 * namespaces or mounts, ...).
 *
 * BH_OK: every layer this kernel supports is in place; msg (cap bytes) is
 * "" when all of them were, else one line for the log saying what was not
 * ("landlock not available on this kernel ...").  Any other result: msg
 * says why; the process may be partly confined and must not serve the
 * customer (fail closed). */
enum bh_err confine_session(const struct confine_paths *p, char *msg, size_t cap);

/* The Landlock ABI version of the running kernel; 0 when it has none
 * (not built, or disabled at boot). */
int confine_landlock_abi(void);

#endif
