/* behalf monitor (issue 11, item 6): the records of every finished option-1
 * customer checked again, many domains at once inside one event loop, with
 * record.lost / record.restored appended to the customer's outbox.
 *
 * A pass reads the state directory's customer files without their lock
 * (state_peek, as behalf status does) one by one as room frees up, keeps
 * at most [monitor] parallel domains in flight, each on a live DNS engine
 * of a pool (src/dns/engine.c: one check at a time each, the same
 * verification as the wizard: every authoritative server), all the pool's
 * sockets in one poll() (core/loop.c).  It never writes a customer's state
 * file: what it found is kept in <state_dir>/monitor/<customer>.json
 * (MONITOR_DIR; rewritten only when it changes) and when the last pass
 * ended in <state_dir>/monitor/.pass.json, which behalf status and behalf
 * list read.
 *
 * A record is lost when some authoritative server that answered does not
 * have it, or has it different; a server that does not answer changes
 * nothing (a lost record stays lost, a verified one stays verified).  Only
 * a record that was verified (saved verified by the wizard, or seen
 * verified by an earlier pass) can be lost. */
#ifndef BEHALF_APP_MONITOR_H
#define BEHALF_APP_MONITOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "core/milestone.h"

#define MONITOR_DIR	     "monitor"
#define MONITOR_FILE_VERSION 1
#define MONITOR_PASS_FILE    ".pass.json" /* the last pass (no customer id starts with a dot) */

/* What one pass did. */
struct monitor_stats {
	size_t files;	    /* customer files read */
	size_t monitored;   /* finished option-1 customers checked */
	size_t records;	    /* records checked */
	size_t lost;	    /* record.lost appended */
	size_t restored;    /* record.restored appended */
	size_t unreachable; /* customers whose servers did not answer at all */
	size_t lost_now;    /* records lost at the end of the pass */
	size_t failed;	    /* files or outboxes that could not be read or written */
	size_t written;	    /* monitor files written (the others said the same) */
};

/* One pass over cfg->state_dir; the DNS engines are made from cfg's [dns]
 * (esp_make_dns).  False with a message when nothing could be checked (the
 * DNS configuration is not usable). */
bool monitor_pass(const struct config *cfg, struct monitor_stats *stats, char *msg, size_t cap);

/* The monitor's file of customer (new reference), NULL when there is none
 * or it cannot be read. */
json_t *monitor_file_read(const char *state_dir, const char *customer);

/* How many records the file says are lost now (0 for NULL). */
size_t monitor_file_lost(const json_t *file);

/* <state_dir>/monitor/.pass.json (new reference), NULL when none. */
json_t *monitor_pass_read(const char *state_dir);

/* When the monitor last said record.lost (MILESTONE_RECORD_LOST) or
 * record.restored for the customer of file (its monitor file), 0 never. */
int64_t monitor_file_said(const json_t *file, enum milestone m);

/* The "monitor" object of behalf status --json (new reference): the
 * customer's file's records and losses, checked_at the later of the file's
 * and the last pass's end (pass may be NULL); JSON null without a file. */
json_t *monitor_status_json(const json_t *file, const json_t *pass);

#endif
