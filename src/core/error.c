#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const error_text[BH_ERR__COUNT] = {
    [BH_OK] = "success",
    [BH_ERR_NOMEM] = "out of memory",
    [BH_ERR_IO] = "input/output error",
    [BH_ERR_PARSE] = "not well formed",
    [BH_ERR_INVALID] = "invalid value",
    [BH_ERR_TOO_LARGE] = "too large",
    [BH_ERR_LOCKED] = "in use by another session",
    [BH_ERR_VERSION] = "written by a newer version of behalf",
    [BH_ERR_NOT_FOUND] = "not found",
    [BH_ERR_NETWORK] = "network unreachable",
    [BH_ERR_TIMEOUT] = "timed out",
    [BH_ERR_AUTH] = "access token refused",
    [BH_ERR_REMOTE] = "request refused by the service",
    [BH_ERR_BUSY] = "already in progress",
};

const char *bh_strerror(enum bh_err err)
{
	if ((unsigned)err >= BH_ERR__COUNT || error_text[err] == 0)
		return "unknown error";
	return error_text[err];
}

enum bh_err bh_errorf(enum bh_err err, char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;
	if (!msg || !cap)
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
	return err;
}
