/* The customer's state file: one JSON file per customer in the state
 * directory, so that quitting (or a dropped SSH connection) and coming back
 * resumes at the same step with the same ESP resources.
 *
 * Layout of the state directory (mode 0700):
 *   <customer>.json       the saved wizard (schema STATE_SCHEMA), mode 0600
 *   <customer>.lock       flock()ed while a session of that customer runs;
 *                         holds "<pid> <start time> <ssh|local>" of the holder
 *   <customer>.json.tmp   only ever seen after a crash mid-save; ignored
 *   <customer>.json.corrupt-<time>   a corrupt file the caller set aside
 *   audit.jsonl           append-only log of what was created, verified, ...
 *
 * Saves are atomic (temporary file, fsync, rename, fsync of the directory):
 * a reader sees the old file or the new one, never half of one.  Tokens are
 * never saved: struct wizard holds none.
 *
 * What is saved, and how each value is checked when read, is described
 * once, in the table of state.c (state_table.h).
 *
 * Schema 2 added "resources", every domain and sender signature the
 * customer has (or had) at the ESP with what became of it; a schema 1 file
 * is read as well (its one domain and one signature become the list). */
#ifndef BEHALF_CORE_STATE_H
#define BEHALF_CORE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/wizard.h"

#define STATE_SCHEMA	 3 /* the newest schema this build reads and writes (and 1, 2) */
#define STATE_FILE_LIMIT (4u * 1024 * 1024) /* bigger state files are refused as corrupt */

struct state_handle;

/* True when id is 1 to 64 characters of [A-Za-z0-9._-] not starting with
 * '.', so that it is safe in a file name. */
bool state_customer_id_ok(const char *id);

/* Who holds a customer's lock, recorded in the lock file beside the lock
 * ("<pid> <process start time> <kind>"): an SSH session gives way to the
 * next SSH session of the same customer (state_take_over), a local one
 * never does. */
enum state_holder { STATE_HOLDER_LOCAL, STATE_HOLDER_SSH };

/* Creates dir (and its parents, mode 0700) when missing and takes the
 * customer's lock without waiting, as a local session.  BH_ERR_INVALID for a bad customer id,
 * BH_ERR_LOCKED when another session of the customer holds the lock,
 * BH_ERR_IO otherwise; msg (cap bytes) says why.  *out is freed with
 * state_close. */
enum bh_err state_open(const char *dir, const char *customer, struct state_handle **out, char *msg,
		       size_t cap);
/* state_open, recording the holder as the kind as. */
enum bh_err state_open_as(const char *dir, const char *customer, enum state_holder as,
			  struct state_handle **out, char *msg, size_t cap);

/* Ends the earlier session of customer that holds the lock, when it is an
 * SSH session (a connection dropped, or half dead, that the customer comes
 * back from): SIGHUP (it saves and exits), then, if it has not exited
 * within wait_ms, SIGKILL, and waits again at most wait_ms.  The process is
 * the one recorded (its pid and start time), never one that reused the
 * pid.  BH_OK when nothing holds the lock any more as far as it can tell
 * (the caller then opens again); BH_ERR_LOCKED, with msg, when the holder
 * is a local session or cannot be ended. */
enum bh_err state_take_over(const char *dir, const char *customer, int wait_ms, char *msg,
			    size_t cap);

/* Reads the saved wizard into w, which the caller has set up with
 * wizard_init (w->cfg is kept: it comes from the configuration each run).
 * Every persistent field is replaced; busy, notice, failures and dirty are
 * reset; monotonic timers are set so that a DNS check, a verify and a
 * confirmation poll happen right away.  On error w is unchanged:
 * BH_ERR_NOT_FOUND when there is no state yet, BH_ERR_PARSE for a corrupt
 * file (the file is left alone; see state_set_aside), BH_ERR_VERSION when a
 * newer behalf wrote it, BH_ERR_INVALID when it belongs to another customer,
 * BH_ERR_IO when it cannot be read.  msg names the file and the problem. */
enum bh_err state_load(struct state_handle *h, struct wizard *w, char *msg, size_t cap);

/* Reads a customer's saved wizard like state_load, WITHOUT taking the lock
 * and without creating anything: for readers such as `behalf export`
 * while a session may be running (saves replace the file by rename, so a
 * plain read sees the old file or the new one).  Errors as state_load,
 * plus BH_ERR_INVALID for a bad customer id. */
enum bh_err state_peek(const char *dir, const char *customer, struct wizard *w, char *msg,
		       size_t cap);

/* state_peek for a reader of many files (behalf list): the same checks,
 * but on error w is left half loaded (the caller starts the next file with
 * wizard_init); it saves copying the 400 KB struct twice per file. */
enum bh_err state_peek_any(const char *dir, const char *customer, struct wizard *w, char *msg,
			   size_t cap);

/* Saves w atomically (mode 0600).  On error the previous file is intact. */
enum bh_err state_save(struct state_handle *h, const struct wizard *w, char *msg, size_t cap);

/* Moves the customer's state file aside to <file>.corrupt-<UTC time> (only
 * when the caller decides to start over after BH_ERR_PARSE); msg receives
 * the new name on success, the problem on error. */
enum bh_err state_set_aside(struct state_handle *h, char *msg, size_t cap);

/* Appends {"time","customer","event","detail"} as one line to audit.jsonl.
 * event is a word ("domain-created", "verified", ...); detail may be NULL and
 * is sanitized.  Best effort: a failure to log never stops the wizard. */
void state_audit(struct state_handle *h, const char *event, const char *detail);
/* The same without a session handle (no lock needed: each line is one
 * O_APPEND write), for commands such as behalf export. */
void state_audit_in(const char *dir, const char *customer, const char *event, const char *detail);

/* The path of the customer's state file (static while h lives). */
const char *state_path(const struct state_handle *h);

/* Releases the lock and frees h (NULL is fine). */
void state_close(struct state_handle *h);

/* Helpers the sandbox ESP and exports share. */

/* Creates dir and its missing parents with mode 0700. */
enum bh_err state_make_dir(const char *dir, char *msg, size_t cap);
/* Reads a whole file into out (limit bytes at most: BH_ERR_TOO_LARGE past
 * it); BH_ERR_NOT_FOUND when it does not exist, BH_ERR_IO otherwise (errno
 * set).  out must be empty; the caller frees it with buf_free. */
enum bh_err state_read_file(const char *path, size_t limit, struct buf *out);
/* Writes wall_ms as ISO 8601 UTC ("2025-08-17T05:51:29Z"). */
void state_iso_time(int64_t wall_ms, char *out, size_t cap);

#endif
