/* Writing files safely: whole writes, atomic replacement.  Used for the
 * state, the demo account and exports. */
#ifndef BEHALF_CORE_FILEIO_H
#define BEHALF_CORE_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"

/* write() all of data, retrying short writes and EINTR; false with errno. */
bool file_write_all(int fd, const void *data, size_t len);

/* Replaces dir/name with data, atomically: dir/name.tmp (mode), write,
 * fsync, rename, fsync of the directory.  BH_ERR_IO with a message naming
 * dir/name (never the temporary) and errno set on failure (dir/name
 * untouched). */
enum bh_err file_replace(const char *dir, const char *name, const char *data, size_t len,
			 mode_t mode, char *msg, size_t cap);

#endif
