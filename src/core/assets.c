#include "core/assets.h"

#include <string.h>

const struct asset *asset_find(const char *path)
{
	const struct asset *a;
	for (a = assets_table; a->path; a++)
		if (strcmp(a->path, path) == 0)
			return a;
	return NULL;
}
