/* One error type for the whole project, with a string table (error.c). */
#ifndef BEHALF_CORE_ERROR_H
#define BEHALF_CORE_ERROR_H

#include <stddef.h>

enum bh_err {
	BH_OK = 0,
	BH_ERR_NOMEM,	  /* out of memory */
	BH_ERR_IO,	  /* a file or socket operation failed (see errno) */
	BH_ERR_PARSE,	  /* input is not well formed */
	BH_ERR_INVALID,	  /* a value is not acceptable */
	BH_ERR_TOO_LARGE, /* input over its size limit */
	BH_ERR_LOCKED,	  /* another session holds the lock */
	BH_ERR_VERSION,	  /* written by a newer behalf */
	BH_ERR_NOT_FOUND, /* no such thing */
	BH_ERR_NETWORK,	  /* cannot reach a server */
	BH_ERR_TIMEOUT,	  /* no answer in time */
	BH_ERR_AUTH,	  /* a token was refused */
	BH_ERR_REMOTE,	  /* the remote service refused the request */
	BH_ERR_BUSY,	  /* a request of this kind is already under way */
	BH_ERR__COUNT
};

/* A short English description of err; never NULL. */
const char *bh_strerror(enum bh_err err);

/* Writes a printf-formatted message to msg (cap bytes; nothing when msg is
 * NULL or cap 0) and returns err: "return bh_errorf(BH_ERR_IO, msg, cap, ...)". */
enum bh_err bh_errorf(enum bh_err err, char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
