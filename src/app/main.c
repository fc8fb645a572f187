/* behalf: the command line (DESIGN.md "Command line"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/session.h"
#include "core/alloc.h"
#include "core/state.h"
#include "core/text.h"
#include "dns/sim.h"

#ifndef BEHALF_VERSION
#define BEHALF_VERSION "0"
#endif

/* The usage, with every demo scenario and its title (assets/scenarios/). */
static void usage(FILE *out)
{
	const char *const *ids = sim_scenarios();
	struct buf list = {.limit = 16384};
	char *text;
	size_t i, cap;

	int idw = 10; /* the ids' column: as wide as the longest, and 2 more */
	for (i = 0; ids[i]; i++)
		if ((int)strlen(ids[i]) > idw)
			idw = (int)strlen(ids[i]);
	for (i = 0; ids[i]; i++) {
		enum bh_err err;
		struct dns_source *src = sim_create(ids[i], &err);
		buf_printf(&list, "%s    %-*s%s", i ? "\n" : "", idw + 2, ids[i],
			   src ? sim_title(src) : "");
		if (src)
			src->ops->destroy(src);
	}
	cap = strlen(text_get("cli.usage")) + list.len + 1;
	text = xmalloc(cap);
	text_fmt(text, cap, "cli.usage", list.data ? list.data : "", NULL, NULL);
	fputs(text, out);
	fputc('\n', out);
	free(text);
	buf_free(&list);
}

/* The demo scenarios' ids, "a, b, c", into out. */
static void scenario_names(char *out, size_t cap)
{
	const char *const *ids = sim_scenarios();
	size_t i, len = 0;
	out[0] = '\0';
	for (i = 0; ids[i] && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", ids[i]);
}

/* True when id names a demo scenario. */
static bool scenario_known(const char *id)
{
	const char *const *ids = sim_scenarios();
	size_t i;
	for (i = 0; ids[i]; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/* Prints the words of id with its arguments on stderr, then the usage. */
static int usage_error(const char *id, const char *arg, const char *arg2)
{
	cli_say(0, id, arg, arg2);
	usage(stderr);
	return CLI_EXIT_USAGE;
}

/* The wizard (default command). */
static int main_wizard(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"demo", no_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"customer", required_argument, NULL, 'u'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"scenario", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"reset", no_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *customer = NULL, *state_dir = NULL, *scenario = NULL;
	bool demo = false, reset = false;
	struct config cfg;
	char names[256];
	int c;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			demo = true;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'u':
			customer = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'S':
			scenario = optarg;
			break;
		case 'R':
			reset = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("behalf %s\n", BEHALF_VERSION);
			return 0;
		case ':':
			scenario_names(names, sizeof names);
			if (optopt == 'S')
				return usage_error("cli.scenario_missing", names, NULL);
			return usage_error("cli.missing_value", argv[optind - 1], NULL);
		default:
			return usage_error("cli.unknown_option", argv[optind - 1], NULL);
		}
	}
	if (optind < argc)
		return usage_error("cli.unknown_command", argv[optind], NULL);
	if (scenario && !scenario_known(scenario)) {
		scenario_names(names, sizeof names);
		return usage_error("cli.scenario_unknown", scenario, names);
	}
	/* the tokens stay: the wizard talks to the ESP */
	if (!cli_config_load(&cfg, config_path, state_dir, "cli.config"))
		return 2;
	if (demo)
		cfg.wizard.demo = true;
	if (scenario && !str_copy(cfg.scenario, sizeof cfg.scenario, scenario)) {
		fprintf(stderr, "behalf: --scenario is too long\n");
		return 2;
	}
	if (reset && !cfg.wizard.demo) {
		fprintf(stderr, "%s\n", text_get("session.reset_needs_demo"));
		return 2;
	}
	cfg.scenario_given = scenario != NULL;
	cfg.demo_reset = reset;
	/* The demo keeps its progress apart from real customers' unless told
	 * where: a reset can then never reach a real customer's state. */
	if (cfg.wizard.demo && !state_dir && !cli_config_demo_dir(&cfg, "cli.config"))
		return 2;
	if (!customer)
		customer = cfg.wizard.demo ? "demo" : NULL;
	if (!customer) {
		fprintf(stderr, "behalf: --customer ID is required (the customer to onboard)\n");
		return 2;
	}
	if (!state_customer_id_ok(customer)) {
		fprintf(
		    stderr,
		    "behalf: --customer \"%.64s\" is not a valid id: use 1 to 64 letters, digits, "
		    "'.', '_' or '-', not starting with '.'\n",
		    customer);
		return 2;
	}
	str_copy(cfg.wizard.customer_id, sizeof cfg.wizard.customer_id, customer);
	c = session_run(&cfg);
	config_wipe_secrets(&cfg);
	return c;
}

int main(int argc, char **argv)
{
	int rc;
	if (argc > 1 && strcmp(argv[1], "check") == 0) {
		rc = cmd_check(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "export") == 0) {
		rc = cmd_export(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "status") == 0) {
		rc = cmd_status(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "list") == 0) {
		rc = cmd_list(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "admin") == 0) {
		rc = cmd_admin(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "invite") == 0) {
		rc = cmd_invite(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "keys") == 0) {
		rc = cmd_keys(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "ssh-keys") == 0) {
		rc = cmd_ssh_keys(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "ssh-config") == 0) {
		rc = cmd_ssh_config(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "broker") == 0) {
		rc = cmd_broker(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "monitor") == 0) {
		rc = cmd_monitor(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "deliver") == 0) {
		rc = cmd_deliver(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "domainconnect") == 0) {
		rc = cmd_domainconnect(argc - 1, argv + 1);
	} else if (argc > 1 && strcmp(argv[1], "ssh-session") == 0) {
		rc = cmd_ssh_session(argc - 1, argv + 1);
	} else {
		rc = main_wizard(argc, argv);
	}
	text_free();
	return rc;
}
