/* What the commands of src/app/cmd_*.c (and the wizard's own command line)
 * share: getopt's start, the words for a bad argument, and the
 * configuration opened with --config, --state-dir and --demo.  Every
 * message is a text of assets/text/ whose {1} the helper fills in; each
 * command keeps its own words by naming its own ids. */
#ifndef BEHALF_APP_CLI_H
#define BEHALF_APP_CLI_H

#include <stdbool.h>

#include "app/config.h"

/* A usage or configuration error (DESIGN.md's exit statuses). */
#define CLI_EXIT_USAGE 2

/* Before a command's getopt_long loop: from the first argument again
 * (glibc's full reset, optind 0), and no message of getopt's own. */
void cli_getopt_start(void);

/* Prints the words of id with a1, a2 on stderr; returns status. */
int cli_say(int status, const char *id, const char *a1, const char *a2);

/* A usage error: the words of id with arg, then the text usage_id (nothing
 * more when NULL), on stderr.  Returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *usage_id, const char *id, const char *arg);

/* What getopt_long's c means ('?' an unknown option, ':' one without its
 * value, with a ':' leading the optstring): the words of bad_id or
 * missing_id naming the option as typed, then usage_id as
 * cli_usage_error.  Returns CLI_EXIT_USAGE. */
int cli_option_error(int c, char *const *argv, const char *usage_id, const char *bad_id,
		     const char *missing_id);

/* The configuration: config_path read (NULL: the default places), then
 * --state-dir (NULL: none) over [behalf] state_dir.  The ESP's tokens stay:
 * for the commands that talk to the ESP.  False after printing err_id
 * (a text whose {1} is why, e.g. "behalf: {1}"). */
bool cli_config_load(struct config *cfg, const char *config_path, const char *state_dir,
		     const char *err_id);

/* The state directory becomes its demo subdirectory, where behalf --demo
 * saves.  False after printing err_id when the path would not fit. */
bool cli_config_demo_dir(struct config *cfg, const char *err_id);

/* For the commands that do not talk to the ESP: cli_config_load, the
 * tokens wiped, and with demo (--demo) the demo's subdirectory unless
 * --state-dir named the directory. */
bool cli_config_open(struct config *cfg, const char *config_path, const char *state_dir, bool demo,
		     const char *err_id);

#endif
