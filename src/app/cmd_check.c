/* behalf check: not in this version yet. */
#include <stdio.h>

#include "app/commands.h"
#include "core/text.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "behalf %s: %s\n", argv[0], text_get("cli.not_yet"));
	return 2;
}
