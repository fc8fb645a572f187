/* The customers of a state directory, as behalf list and behalf admin read
 * them (cmd_status.c). */
#ifndef BEHALF_APP_STATUS_LIST_H
#define BEHALF_APP_STATUS_LIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/config.h"
#include "core/status.h"

/* One row per customer file of dir (*rows malloced, unranked; the caller
 * frees it); a file that cannot be read is left out, named on stderr unless
 * quiet, and added to skipped ({"file","problem"}) unless it is NULL.
 * Never takes a lock or writes; reads with one thread per processor. */
size_t status_list_read(const char *dir, const struct config *cfg, struct status_row **rows,
			json_t *skipped, bool quiet);

#endif
