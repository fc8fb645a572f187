#include "app/cli.h"

#include <getopt.h>
#include <stdio.h>

#include "core/alloc.h"
#include "core/text.h"

/* Big enough for a configuration's message (config_load's 1024) behind the
 * command's words. */
#define CLI_MSG_MAX 1280

void cli_getopt_start(void)
{
	opterr = 0;
	optind = 0;
}

int cli_say(int status, const char *id, const char *a1, const char *a2)
{
	char msg[CLI_MSG_MAX];
	text_fmt(msg, sizeof msg, id, a1, a2, NULL);
	fprintf(stderr, "%s\n", msg);
	return status;
}

int cli_usage_error(const char *usage_id, const char *id, const char *arg)
{
	cli_say(0, id, arg, NULL);
	if (usage_id)
		fprintf(stderr, "%s\n", text_get(usage_id));
	return CLI_EXIT_USAGE;
}

int cli_option_error(int c, char *const *argv, const char *usage_id, const char *bad_id,
		     const char *missing_id)
{
	return cli_usage_error(usage_id, c == ':' ? missing_id : bad_id, argv[optind - 1]);
}

bool cli_config_load(struct config *cfg, const char *config_path, const char *state_dir,
		     const char *err_id)
{
	char msg[1024];
	if (!config_load(cfg, config_path, msg, sizeof msg)) {
		config_wipe_secrets(cfg);
		cli_say(0, err_id, msg, NULL);
		return false;
	}
	if (state_dir && !str_copy(cfg->state_dir, sizeof cfg->state_dir, state_dir)) {
		config_wipe_secrets(cfg);
		cli_say(0, err_id, text_get("cli.state_dir_long"), NULL);
		return false;
	}
	return true;
}

bool cli_config_demo_dir(struct config *cfg, const char *err_id)
{
	char dir[sizeof cfg->state_dir];
	int n = snprintf(dir, sizeof dir, "%s/demo", cfg->state_dir);
	if (n < 0 || (size_t)n >= sizeof dir) {
		cli_say(0, err_id, text_get("cli.demo_dir_long"), NULL);
		return false;
	}
	str_copy(cfg->state_dir, sizeof cfg->state_dir, dir);
	return true;
}

bool cli_config_open(struct config *cfg, const char *config_path, const char *state_dir, bool demo,
		     const char *err_id)
{
	if (!cli_config_load(cfg, config_path, state_dir, err_id))
		return false;
	config_wipe_secrets(cfg);
	return !demo || state_dir || cli_config_demo_dir(cfg, err_id);
}
