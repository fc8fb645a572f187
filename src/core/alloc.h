/* Allocation policy for all of behalf.
 *
 * behalf is an interactive program with small, bounded memory needs (well
 * under 8 MB).  When the allocator fails there is nothing sensible left to
 * do, so the x* functions print one line and abort: callers never check
 * for NULL.  Everything read from the network or from files goes through a
 * `struct buf` with a hard size limit, so hostile input cannot make us grow
 * without bound.  Ownership is stated on each function: "caller frees" means
 * free() with the C library. */
#ifndef BEHALF_CORE_ALLOC_H
#define BEHALF_CORE_ALLOC_H

#include <stddef.h>

#include "core/error.h"

/* malloc that never returns NULL; caller frees. */
void *xmalloc(size_t size);
/* calloc that never returns NULL (overflow-checked); caller frees. */
void *xcalloc(size_t count, size_t size);
/* realloc that never returns NULL; caller frees the result. */
void *xrealloc(void *ptr, size_t size);
/* strdup that never returns NULL; caller frees. */
char *xstrdup(const char *s);
/* strndup that never returns NULL; caller frees. */
char *xstrndup(const char *s, size_t n);

/* Copy of s[0..n) without blanks at either end; caller frees. */
char *xstrndup_trim(const char *s, size_t n);

/* A growable byte buffer with a hard limit.  data is always NUL-terminated
 * (when not NULL).  Zero-initialise, set limit, append, then buf_free. */
struct buf {
	char *data;   /* malloced; NULL until the first append */
	size_t len;   /* bytes used, not counting the terminating NUL */
	size_t cap;   /* bytes allocated */
	size_t limit; /* most bytes ever held; 0 means BUF_DEFAULT_LIMIT */
};
#define BUF_DEFAULT_LIMIT (1024u * 1024u)

/* Appends n bytes; BH_ERR_TOO_LARGE (buffer unchanged) past the limit. */
enum bh_err buf_append(struct buf *b, const void *data, size_t n);
/* Appends a C string. */
enum bh_err buf_puts(struct buf *b, const char *s);
/* Appends printf-formatted text. */
enum bh_err buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Frees the memory; the buffer can be used again. */
void buf_free(struct buf *b);
/* Takes the data out (caller frees); the buffer is left empty. */
char *buf_steal(struct buf *b);

/* Copies src into dst of size cap, always NUL-terminating; returns true when
 * everything fitted.  The one string-copy function of the project. */
int str_copy(char *dst, size_t cap, const char *src);

#endif
