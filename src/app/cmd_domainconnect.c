/* behalf domainconnect: the vendor's side of Domain Connect
 * (docs/domain-connect.md): the template to submit, the signing key and
 * its TXT records, and signed apply URLs for tests and debugging.  Exit 0,
 * 2 for a usage or configuration error, 1 when making or writing fails. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "core/alloc.h"
#include "core/fileio.h"
#include "core/text.h"
#include "core/validate.h"
#include "dc/sign.h"
#include "dc/template.h"
#include "dc/url.h"

#define DC_MAX_VARS 32
#define DC_MAX_TXT  16

/* A getopt problem, in words (no usage: the subcommands share dc_cli.usage,
 * which -h prints). */
static int dc_opt_error(int c, char **argv)
{
	return cli_option_error(c, argv, NULL, "dc_cli.bad_option", "dc_cli.missing_value");
}

/* Where the public key's TXT records live: sync_pubkey_domain, else the
 * provider id. */
static const char *dc_pubkey_domain(const struct config *cfg)
{
	return cfg->dc.sync_pubkey_domain[0] ? cfg->dc.sync_pubkey_domain
					     : config_dc_provider_id(cfg);
}

/* behalf domainconnect template [-o FILE|DIR|-] */
static int dc_template_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *output = NULL;
	struct config cfg;
	struct dc_template t = {0};
	struct buf json = {0};
	char name[600], path[2048], msg[1024];
	struct stat st;
	int c, status = 1;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		if (c == 'c')
			config_path = optarg;
		else if (c == 'o')
			output = optarg;
		else
			return dc_opt_error(c, argv);
	}
	if (optind < argc)
		return cli_say(2, "dc_cli.bad_option", argv[optind], NULL);
	if (!cli_config_open(&cfg, config_path, NULL, false, "cli.config"))
		return 2;
	t.provider_id = config_dc_provider_id(&cfg);
	t.provider_name = cfg.wizard.vendor_name;
	t.service_id = cfg.dc.service_id;
	t.service_name = cfg.dc.service_name;
	t.sync_pubkey_domain = dc_pubkey_domain(&cfg);
	t.return_path_host = cfg.bounce_label;
	t.logo_url = cfg.dc.logo_url;
	t.description = cfg.dc.description;
	t.dmarc_value = cfg.dc.dmarc;
	if (!*t.provider_id)
		return cli_say(2, "dc_cli.no_provider", NULL, NULL);
	if (!dc_template_filename(&t, name, sizeof name) || dc_template_json(&t, &json) != BH_OK) {
		fprintf(stderr, "behalf domainconnect: the template cannot be made from this "
				"configuration\n");
		status = 2;
		goto done;
	}
	if (output && !strcmp(output, "-")) {
		fputs(json.data, stdout);
		status = fflush(stdout) == 0 ? 0 : 1;
		goto done;
	}
	if (!output)
		snprintf(path, sizeof path, "%s", name);
	else if (stat(output, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(path, sizeof path, "%s/%s", output, name);
	else
		snprintf(path, sizeof path, "%s", output);
	{
		char *copy = xstrdup(path), *slash = strrchr(copy, '/');
		const char *dir = ".", *base = copy;
		if (slash) {
			*slash = '\0';
			dir = slash == copy ? "/" : copy;
			base = slash + 1;
		}
		if (file_replace(dir, base, json.data, json.len, 0644, msg, sizeof msg) != BH_OK)
			fprintf(stderr, "behalf domainconnect: %s\n", msg);
		else
			status = cli_say(0, "dc_cli.written", path, NULL) == 0 ? 0 : 1;
		free(copy);
	}
done:
	buf_free(&json);
	return status;
}

/* Prints the TXT records of spki_b64 at host, in zone-file form and as a
 * list. */
static int dc_print_txt(const char *spki_b64, const char *host)
{
	char *items[DC_MAX_TXT], head[512];
	size_t n = dc_txt_split(spki_b64, 0, items, DC_MAX_TXT), i;
	if (!n) {
		fprintf(stderr,
			"behalf domainconnect: the public key does not fit in TXT records\n");
		return 1;
	}
	printf("%s\n", text_get("dc_cli.zone_head"));
	for (i = 0; i < n; i++)
		printf("%s. 3600 IN TXT \"%s\"\n", host, items[i]);
	text_fmt(head, sizeof head, "dc_cli.list_head", host, NULL, NULL);
	printf("\n%s\n", head);
	for (i = 0; i < n; i++) {
		printf("  %s\n", items[i]);
		free(items[i]);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* behalf domainconnect keygen [--out-key FILE] [--show] */
static int dc_keygen_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"out-key", required_argument, NULL, 'k'},
	    {"show", no_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *key_file = NULL;
	bool show = false;
	struct config cfg;
	struct buf spki = {0};
	char msg[1024], host[400], said[2048];
	int c, status = 1;
	enum bh_err err;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == 'c')
			config_path = optarg;
		else if (c == 'k')
			key_file = optarg;
		else if (c == 's')
			show = true;
		else
			return dc_opt_error(c, argv);
	}
	if (optind < argc)
		return cli_say(2, "dc_cli.bad_option", argv[optind], NULL);
	if (!cli_config_open(&cfg, config_path, NULL, false, "cli.config"))
		return 2;
	if (!key_file)
		key_file = cfg.dc.private_key_file[0] ? cfg.dc.private_key_file : NULL;
	if (!key_file)
		return cli_say(2, "dc_cli.no_key_file", NULL, NULL);
	if (!*dc_pubkey_domain(&cfg))
		return cli_say(2, "dc_cli.no_provider", NULL, NULL);
	snprintf(host, sizeof host, "%s.%s", cfg.dc.key_host, dc_pubkey_domain(&cfg));
	err = show ? dc_pubkey_of(key_file, &spki, msg, sizeof msg)
		   : dc_keygen(key_file, 2048, &spki, msg, sizeof msg);
	if (err != BH_OK) {
		fprintf(stderr, "behalf domainconnect: %s\n", msg);
		buf_free(&spki);
		return 1;
	}
	text_fmt(said, sizeof said, "dc_cli.keygen_done", key_file, host, NULL);
	printf("%s\n\n", said);
	status = dc_print_txt(spki.data, host);
	buf_free(&spki);
	return status;
}

/* behalf domainconnect sign-url ... : one line, the signed URL. */
static int dc_sign_url_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"domain", required_argument, NULL, 'd'},
	    {"host", required_argument, NULL, 'H'},
	    {"var", required_argument, NULL, 'v'},
	    {"url-sync-ux", required_argument, NULL, 'u'},
	    {"provider-id", required_argument, NULL, 'p'},
	    {"service-id", required_argument, NULL, 's'},
	    {"key-file", required_argument, NULL, 'k'},
	    {"key-host", required_argument, NULL, 'K'},
	    {"sign-key", no_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *domain = NULL, *host = "", *sync_ux = NULL,
		   *provider = NULL, *service = NULL, *key_file = NULL, *key_host = NULL;
	struct dc_var vars[DC_MAX_VARS];
	char *copies[DC_MAX_VARS];
	size_t nvars = 0, i;
	enum dc_canon mode = DC_CANON_SPEC;
	struct config cfg;
	struct dc_signer *signer = NULL;
	struct buf url = {0};
	char msg[1024];
	int c, status = 2;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'd':
			domain = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'u':
			sync_ux = optarg;
			break;
		case 'p':
			provider = optarg;
			break;
		case 's':
			service = optarg;
			break;
		case 'k':
			key_file = optarg;
			break;
		case 'K':
			key_host = optarg;
			break;
		case 'S':
			mode = DC_CANON_WITH_KEY;
			break;
		case 'v': {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || nvars == DC_MAX_VARS) {
				for (i = 0; i < nvars; i++)
					free(copies[i]);
				return cli_say(2, "dc_cli.bad_var", optarg, NULL);
			}
			copies[nvars] = xstrdup(optarg);
			copies[nvars][eq - optarg] = '\0';
			vars[nvars].name = copies[nvars];
			vars[nvars].value = copies[nvars] + (eq - optarg) + 1;
			nvars++;
			break;
		}
		default:
			for (i = 0; i < nvars; i++)
				free(copies[i]);
			return dc_opt_error(c, argv);
		}
	}
	if (optind < argc) {
		status = cli_say(2, "dc_cli.bad_option", argv[optind], NULL);
		goto out;
	}
	if (!domain) {
		status = cli_say(2, "dc_cli.no_domain", NULL, NULL);
		goto out;
	}
	{
		/* the zone as the DNS host knows it: a domain name in A-labels */
		struct validate_context vc = {0};
		struct domain_value dv;
		char detail[256] = "";
		if (validate_domain(domain, &vc, &dv, detail, sizeof detail) != INPUT_OK ||
		    strcmp(dv.ascii, domain) != 0) {
			status = cli_say(2, "dc_cli.bad_domain", domain, NULL);
			goto out;
		}
		if (*host && validate_domain(host, &vc, &dv, detail, sizeof detail) != INPUT_OK &&
		    validate_dns_label(host, detail, sizeof detail) != INPUT_OK) {
			status = cli_say(2, "dc_cli.bad_host", host, NULL);
			goto out;
		}
	}
	if (!sync_ux) {
		status = cli_say(2, "dc_cli.no_sync_ux", NULL, NULL);
		goto out;
	}
	if (!cli_config_open(&cfg, config_path, NULL, false, "cli.config"))
		goto out;
	if (!provider)
		provider = config_dc_provider_id(&cfg);
	if (!service)
		service = cfg.dc.service_id;
	if (!key_host)
		key_host = cfg.dc.key_host;
	if (!key_file)
		key_file = cfg.dc.private_key_file[0] ? cfg.dc.private_key_file : NULL;
	if (!key_file) {
		status = cli_say(2, "dc_cli.no_key_file", NULL, NULL);
		goto out;
	}
	status = 1;
	signer = dc_signer_local(key_file, msg, sizeof msg);
	if (!signer || dc_sign_url(signer, &url, sync_ux, provider, service, domain, host, vars,
				   nvars, key_host, mode, msg, sizeof msg) != BH_OK) {
		fprintf(stderr, "behalf domainconnect: %s\n", msg);
		goto out;
	}
	printf("%s\n", url.data);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	if (signer)
		signer->ops->destroy(signer);
	buf_free(&url);
	for (i = 0; i < nvars; i++)
		free(copies[i]);
	return status;
}

int cmd_domainconnect(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		fprintf(sub ? stdout : stderr, "%s\n", text_get("dc_cli.usage"));
		return sub ? 0 : 2;
	}
	if (!strcmp(sub, "template"))
		return dc_template_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "keygen"))
		return dc_keygen_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "sign-url"))
		return dc_sign_url_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "discover"))
		return cmd_dc_discover(argc - 1, argv + 1);
	return cli_say(2, "dc_cli.unknown", sub, NULL);
}
