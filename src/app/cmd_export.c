/* behalf export: a customer's set-up instructions in one of the formats of
 * src/export/ (DESIGN.md "Command line").  Reads the customer's saved state
 * with state_peek, without the session lock, so it works while the wizard
 * runs; writes -o FILE atomically (temporary file in the same directory,
 * fsync, rename), mode 0644 since the sheet is meant to be passed on, or
 * standard output.  Exit 0, 2 for a usage or configuration error, an
 * unknown customer or one with nothing to export yet, 1 when writing
 * fails. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "core/alloc.h"
#include "core/fileio.h"
#include "core/clock.h"
#include "core/state.h"
#include "core/text.h"
#include "export/export.h"

enum export_exit {
	EXPORT_EXIT_OK = 0,
	EXPORT_EXIT_FAILED = 1,
	EXPORT_EXIT_USAGE = 2,
};

/* Replaces path with data atomically, mode 0644 (file_replace); false with
 * errno set.  The caller names path itself: file_replace's message would
 * name dir/name, which is not always what was typed. */
static bool export_write_file(const char *path, const char *data, size_t len)
{
	char *copy = xstrdup(path), *slash = strrchr(copy, '/'), msg[512];
	const char *dir = ".", *name = copy;
	enum bh_err err = BH_ERR_IO;
	int cause = EISDIR;
	if (slash) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		name = slash + 1;
	}
	if (*name) {
		err = file_replace(dir, name, data, len, 0644, msg, sizeof msg);
		cause = errno;
	}
	free(copy);
	errno = cause;
	return err == BH_OK;
}

/* The format word, in any case ("HTML", "Md"). */
static bool export_parse_format(const char *word, enum export_format *f)
{
	char lower[32];
	size_t i;
	for (i = 0; word[i] && i + 1 < sizeof lower; i++)
		lower[i] = (char)tolower((unsigned char)word[i]);
	lower[i] = '\0';
	return !word[i] && export_format_parse(lower, f);
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"customer", required_argument, NULL, 'u'}, {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},	{"state-dir", required_argument, NULL, 's'},
	    {"config", required_argument, NULL, 'c'},	{"demo", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	const char *customer = NULL, *format = NULL, *output = NULL, *state_dir = NULL,
		   *config_path = NULL;
	struct export_options opt = {NULL, 0, true, NULL};
	struct config *cfg = NULL;
	struct wizard *w = NULL;
	struct buf out = {0};
	enum export_format f;
	enum bh_err err;
	char msg[1024];
	int c, status = EXPORT_EXIT_USAGE;
	bool demo = false;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			customer = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'd':
			demo = true;
			break;
		case 'h':
			fprintf(stdout, "%s\n", text_get("export_cli.usage"));
			return EXPORT_EXIT_OK;
		default:
			return cli_option_error(c, argv, "export_cli.usage",
						"export_cli.bad_argument",
						"export_cli.missing_value");
		}
	}
	if (optind < argc)
		return cli_say(EXPORT_EXIT_USAGE, "export_cli.bad_argument", argv[optind], NULL);
	if (!customer && demo)
		customer = "demo"; /* the wizard's own default in the demo */
	if (!customer)
		return cli_say(EXPORT_EXIT_USAGE, "export_cli.missing", "--customer", NULL);
	if (!format)
		return cli_say(EXPORT_EXIT_USAGE, "export_cli.missing", "--format", NULL);
	if (!export_parse_format(format, &f))
		return cli_say(EXPORT_EXIT_USAGE, "export_cli.bad_format", format, NULL);

	cfg = xcalloc(1, sizeof *cfg);
	w = xmalloc(sizeof *w);
	/* --demo reads where behalf --demo saves: its own subdirectory of the
	 * state directory (src/app/main.c), unless --state-dir names one. */
	if (!cli_config_open(cfg, config_path, state_dir, demo, "export_cli.config"))
		goto out;
	str_copy(cfg->wizard.customer_id, sizeof cfg->wizard.customer_id, customer);
	wizard_init(w, &cfg->wizard);
	err = state_peek(cfg->state_dir, customer, w, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND) {
		cli_say(0, "export_cli.no_state", customer, cfg->state_dir);
		goto out;
	}
	if (err) {
		cli_say(0, "export_cli.state", msg, NULL);
		status = err == BH_ERR_INVALID ? EXPORT_EXIT_USAGE : EXPORT_EXIT_FAILED;
		goto out;
	}
	if (w->option == OPTION_NONE) {
		cli_say(0, "export_cli.no_option", customer, NULL);
		goto out;
	}
	opt.generated_ms = clock_wall_ms();
	err = export_render_opts(w, f, &opt, &out);
	if (err) {
		cli_say(0, "export_cli.too_large", NULL, NULL);
		status = EXPORT_EXIT_FAILED;
		goto out;
	}
	status = EXPORT_EXIT_OK;
	if (output) {
		if (!export_write_file(output, out.data, out.len)) {
			cli_say(0, "export_cli.cannot_write", output, strerror(errno));
			status = EXPORT_EXIT_FAILED;
		}
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		cli_say(0, "export_cli.cannot_write", "standard output", strerror(errno));
		status = EXPORT_EXIT_FAILED;
	}
	if (status == EXPORT_EXIT_OK) {
		char detail[1200];
		snprintf(detail, sizeof detail, "%s %s", export_format_word(f),
			 output ? output : "(standard output)");
		state_audit_in(cfg->state_dir, customer, "exported", detail);
	}
out:
	buf_free(&out);
	free(w);
	free(cfg);
	return status;
}
