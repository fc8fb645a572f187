/* Files of assets/ compiled into the binary (see cmake/embed.cmake). */
#ifndef BEHALF_CORE_ASSETS_H
#define BEHALF_CORE_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;	   /* relative to assets/, e.g. "text/en.ini" */
	const unsigned char *data; /* static bytes, NUL-terminated */
	size_t size;		   /* bytes, not counting the NUL */
};

/* Generated table, ended by an entry whose path is NULL. */
extern const struct asset assets_table[];

/* The asset at path, or NULL.  The data is static: never freed. */
const struct asset *asset_find(const char *path);

#endif
