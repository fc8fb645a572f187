/* The outbox (issue 11): every milestone of every customer, appended to a
 * file of that customer's in the state directory before the screen moves
 * on, for `behalf deliver` to send to the vendor (docs/events.md).
 *
 *   <state_dir>/outbox/<customer>.jsonl        the events, one JSON a line
 *   <state_dir>/outbox/<customer>.cursor       how far deliver got (deliver's)
 *   <state_dir>/outbox/<customer>.dead.jsonl   events given up on (deliver's)
 *
 * A line is {"id":"msg_...","type":...,"timestamp":...,"data":{...}}; the
 * id is made once, at the append, so it stays the same on every retry.
 * Appends are whole lines under flock(LOCK_EX) of the customer's file,
 * O_APPEND, fsync before returning: two processes of one customer never
 * interleave, different customers never wait for each other, and a crash
 * loses no event that was appended (a torn last line from a crash mid-write
 * is ended by the next append and skipped by deliver). */
#ifndef BEHALF_APP_EVENTS_H
#define BEHALF_APP_EVENTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/milestone.h"
#include "core/wizard.h"

#define EVENTS_DIR	"outbox"
#define EVENTS_LINE_MAX (64 * 1024) /* bytes of one event, newline included */
#define EVENTS_ID_MAX	40	    /* "msg_" and 32 hex digits, NUL */

/* Appends one event of type milestone_word(m) for customer, stamped now.
 * data (may be NULL) is taken (its reference stolen); "customer" is set
 * in it, and "subject" when subject is not empty and data has none.  The
 * id made is copied to id_out (may be NULL, EVENTS_ID_MAX bytes).  The
 * coordinator's key.enrolled and the monitor's record.lost/restored use
 * this as it is.  BH_ERR_INVALID for a bad customer id, BH_ERR_IO with a
 * message when the outbox cannot be written. */
enum bh_err events_append(const char *state_dir, const char *customer, enum milestone m,
			  const char *subject, json_t *data, char *id_out, char *msg, size_t cap);
/* The same at wall_ms (the time the milestone happened). */
enum bh_err events_append_at(const char *state_dir, const char *customer, enum milestone m,
			     const char *subject, json_t *data, int64_t wall_ms, char *id_out,
			     char *msg, size_t cap);

/* The data of milestone m of the wizard w (new reference): the option and
 * what it is about (domain, records, record, address, From header,
 * resource, teammate), as docs/events.md says for each type. */
json_t *events_wizard_data(const struct wizard *w, enum milestone m, const char *subject);

/* When verification.pending was said for customer's showing of the
 * records at shown_ms (behalf deliver's outbox/<customer>.pending), or 0:
 * not said for that showing.  The customer's state cannot say it (deliver
 * never writes a state); behalf status reads it here. */
int64_t events_pending_said(const char *state_dir, const char *customer, int64_t shown_ms);

/* <state_dir>/outbox into out. */
void events_dir(const char *state_dir, char *out, size_t cap);

/* The body POSTed for an outbox line (the line without its id; caller
 * frees) and the id; NULL when the line is not an event (a torn line). */
char *events_body(const char *line, size_t len, char *id, size_t idcap);

#endif
