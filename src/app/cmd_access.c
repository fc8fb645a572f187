/* The vendor's SSH access commands (docs/ssh.md):
 *   behalf invite      one-time codes for customers (mint, list, revoke)
 *   behalf keys        the keys bound to customers (list, bind, unbind)
 *   behalf ssh-keys    sshd's AuthorizedKeysCommand
 *   behalf ssh-config  the sshd block for this install
 * The store is access.c.  Exit 0, 1 when the thing named is not there or a
 * file cannot be read or written, 2 for a usage or configuration error;
 * ssh-keys exits 0 and prints nothing for any key it does not accept. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/access.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/state.h"
#include "core/text.h"
#include "esp/broker_ticket.h"

enum access_exit {
	ACCESS_EXIT_OK = 0,
	ACCESS_EXIT_FAILED = 1,
	ACCESS_EXIT_USAGE = 2,
};

/* Root changing a store that belongs to another user (the sessions') would
 * leave root's files there that the sessions cannot read: refused, saying
 * how to run it.  False after saying so. */
static bool store_owner_ok(const struct config *cfg)
{
	struct stat st;
	char uid[24];
	if (geteuid() != 0 || stat(cfg->state_dir, &st) != 0 || st.st_uid == 0)
		return true;
	snprintf(uid, sizeof uid, "%u", (unsigned)st.st_uid);
	cli_say(0, "access_cli.not_owner", cfg->state_dir, uid);
	return false;
}

/* A path that can stand in sshd's configuration and in an authorized_keys
 * command="..." without quoting: no blanks, quotes, backslashes, %. */
static bool path_plain(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/._+-@,=", *p)))
			return false;
	return true;
}

/* The absolute path of this binary (realpath of /proc/self/exe). */
static bool self_path(char *out, size_t cap)
{
	char buf[PATH_MAX];
	if (!realpath("/proc/self/exe", buf))
		return false;
	return str_copy(out, cap, buf) != 0;
}

/* ISO 8601 UTC of wall ms; "-" for 0. */
static void iso(int64_t ms, char *out, size_t cap)
{
	if (ms)
		state_iso_time(ms, out, cap);
	else
		str_copy(out, cap, "-");
}

/* ---- behalf invite ---- */

/* "2026-12-08 18:05 UTC": an expiry as a customer reads it. */
static void when_readable(int64_t ms, char *out, size_t cap)
{
	char iso8601[32];
	state_iso_time(ms, iso8601, sizeof iso8601); /* 2026-12-08T18:05:46Z */
	snprintf(out, cap, "%.10s %.5s UTC", iso8601, iso8601 + 11);
}

/* The ssh command a customer types, with and without the choice of key. */
static void ssh_lines(const struct config *cfg, const char *host, long port, const char *user,
		      char *line, size_t lcap, char *keyed, size_t kcap)
{
	char p[32] = "";
	if (port != 22)
		snprintf(p, sizeof p, " -p %ld", port);
	snprintf(line, lcap, "ssh%s %s@%s", p, user, host);
	snprintf(keyed, kcap, "ssh -o IdentitiesOnly=yes -i ~/.ssh/id_ed25519%s %s@%s", p, user,
		 host);
	(void)cfg;
}

static int invite_list(const struct config *cfg, bool json, int64_t now)
{
	struct access_invite *list;
	size_t n, i;
	char msg[1024], created[32], expires[32], when[32];
	json_t *arr = json ? json_array() : NULL;

	if (access_invite_list(cfg->state_dir, &list, &n, msg, sizeof msg) != BH_OK) {
		json_decref(arr);
		return cli_say(ACCESS_EXIT_FAILED, "access_cli.store", msg, NULL);
	}
	if (!json && n)
		printf("%-8s %-24s %-21s %-21s %s\n", "ID", "CUSTOMER", "CREATED", "EXPIRES",
		       "STATUS");
	for (i = 0; i < n; i++) {
		const struct access_invite *v = &list[i];
		const char *status = v->revoked		 ? "revoked"
				     : v->used		 ? "used"
				     : v->expires <= now ? "expired"
							 : "open";
		iso(v->created, created, sizeof created);
		iso(v->expires, expires, sizeof expires);
		iso(v->revoked ? v->revoked : v->used, when, sizeof when);
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "id", json_string(v->id));
			json_object_set_new(o, "customer", json_string(v->customer));
			json_object_set_new(o, "created", json_string(created));
			json_object_set_new(o, "expires", json_string(expires));
			json_object_set_new(o, "status", json_string(status));
			json_object_set_new(o, "used", v->used ? json_string(when) : json_null());
			json_object_set_new(o, "used_by",
					    v->used ? json_string(v->used_by) : json_null());
			json_object_set_new(o, "revoked",
					    v->revoked ? json_string(when) : json_null());
			json_array_append_new(arr, o);
		} else if (v->used) {
			printf("%-8s %-24s %-21s %-21s used %s by %s\n", v->id, v->customer,
			       created, expires, when, v->used_by);
		} else if (v->revoked) {
			printf("%-8s %-24s %-21s %-21s revoked %s\n", v->id, v->customer, created,
			       expires, when);
		} else {
			printf("%-8s %-24s %-21s %-21s %s\n", v->id, v->customer, created, expires,
			       status);
		}
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(arr);
	} else if (!n) {
		printf("%s\n", text_get("access_cli.no_invites"));
	}
	free(list);
	return ACCESS_EXIT_OK;
}

static int invite_revoke(const struct config *cfg, const char *what, int64_t now)
{
	struct access_invite inv;
	char msg[1024];
	enum bh_err err = access_invite_revoke(cfg->state_dir, what, now, &inv, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND)
		return cli_say(ACCESS_EXIT_FAILED, "access_cli.no_such_invite", NULL, NULL);
	if (err == BH_ERR_INVALID)
		return cli_say(ACCESS_EXIT_FAILED, "access_cli.revoke_done_before", msg, NULL);
	if (err)
		return cli_say(ACCESS_EXIT_FAILED, "access_cli.store", msg, NULL);
	text_fmt(msg, sizeof msg, "access_cli.revoked", inv.id, inv.customer, NULL);
	printf("%s\n", msg);
	return ACCESS_EXIT_OK;
}

int cmd_invite(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"customer", required_argument, NULL, 'u'}, {"expires", required_argument, NULL, 'e'},
	    {"json", no_argument, NULL, 'j'},		{"list", no_argument, NULL, 'l'},
	    {"revoke", required_argument, NULL, 'r'},	{"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'p'},	{"user", required_argument, NULL, 'U'},
	    {"config", required_argument, NULL, 'c'},	{"state-dir", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	const char *customer = NULL, *expires = "7d", *revoke = NULL, *host = NULL, *port = NULL,
		   *user = NULL, *config_path = NULL, *state_dir = NULL;
	bool json = false, list = false;
	struct config *cfg;
	int64_t valid_ms, now = clock_wall_ms();
	char code[ACCESS_CODE_MAX], id[ACCESS_ID_MAX], msg[1024], until[32], readable[40],
	    hostname[256];
	char line[512], keyed[600], text[4096];
	long portn;
	int c, status;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			customer = optarg;
			break;
		case 'e':
			expires = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'l':
			list = true;
			break;
		case 'r':
			revoke = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'U':
			user = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'h':
			printf("%s\n", text_get("access_cli.invite_usage"));
			return ACCESS_EXIT_OK;
		default:
			return cli_option_error(c, argv, "access_cli.invite_usage",
						"access_cli.bad_argument",
						"access_cli.missing_value");
		}
	}
	if (optind < argc)
		return cli_usage_error("access_cli.invite_usage", "access_cli.bad_argument",
				       argv[optind]);
	if ((list ? 1 : 0) + (revoke ? 1 : 0) + (customer ? 1 : 0) != 1)
		return cli_usage_error("access_cli.invite_usage", "access_cli.invite_one", NULL);
	if (customer && !state_customer_id_ok(customer))
		return cli_say(ACCESS_EXIT_USAGE, "access_cli.bad_customer", customer, NULL);
	if (customer && !access_parse_duration(expires, &valid_ms))
		return cli_say(ACCESS_EXIT_USAGE, "access_cli.bad_expires", expires, NULL);

	cfg = xcalloc(1, sizeof *cfg);
	status = ACCESS_EXIT_USAGE;
	if (!cli_config_open(cfg, config_path, state_dir, false, "access_cli.config"))
		goto out;
	if (list) {
		status = invite_list(cfg, json, now);
		goto out;
	}
	if (!store_owner_ok(cfg))
		goto out;
	if (revoke) {
		status = invite_revoke(cfg, revoke, now);
		goto out;
	}
	/* Where customers connect: the flags, else [ssh], else this host. */
	if (!host)
		host = cfg->ssh.host;
	if (!*host) {
		if (gethostname(hostname, sizeof hostname) != 0 || !hostname[0])
			str_copy(hostname, sizeof hostname, "localhost");
		hostname[sizeof hostname - 1] = '\0';
		host = hostname;
	}
	portn = cfg->ssh.port;
	if (port) {
		char *end;
		portn = strtol(port, &end, 10);
		if (!*port || *end || portn < 1 || portn > 65535) {
			cli_say(0, "access_cli.bad_port", port, NULL);
			goto out;
		}
	}
	if (!user)
		user = cfg->ssh.user;
	if (!path_plain(host) || strchr(host, '/') || !path_plain(user) || strchr(user, '/')) {
		cli_say(0, "access_cli.bad_host", host, user);
		goto out;
	}
	if (access_invite_create(cfg->state_dir, customer, now, valid_ms, code, id, msg,
				 sizeof msg) != BH_OK) {
		cli_say(0, "access_cli.store", msg, NULL);
		status = ACCESS_EXIT_FAILED;
		goto out;
	}
	status = ACCESS_EXIT_OK;
	state_iso_time(now + valid_ms, until, sizeof until);
	when_readable(now + valid_ms, readable, sizeof readable);
	ssh_lines(cfg, host, portn, user, line, sizeof line, keyed, sizeof keyed);
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "customer", json_string(customer));
		json_object_set_new(o, "code", json_string(code));
		json_object_set_new(o, "expires", json_string(until));
		json_object_set_new(o, "ssh", json_string(line));
		json_object_set_new(o, "ssh_with_key", json_string(keyed));
		json_object_set_new(o, "host", json_string(host));
		json_object_set_new(o, "port", json_integer(portn));
		json_object_set_new(o, "user", json_string(user));
		{
			const char *args[] = {line, code, readable, keyed};
			text_format(text, sizeof text, text_get("access_cli.invite_text"), args, 4);
		}
		json_object_set_new(o, "text", json_string(text));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		const char *args[] = {line, code, readable, keyed};
		text_format(text, sizeof text, text_get("access_cli.invite_text"), args, 4);
		printf("%s\n", text);
		cli_say(0, "access_cli.invite_note", id, customer);
	}
	if (fflush(stdout) != 0)
		status = ACCESS_EXIT_FAILED;
out:
	explicit_bzero(code, sizeof code);
	explicit_bzero(text, sizeof text);
	free(cfg);
	return status;
}

/* ---- behalf keys ---- */

/* One binding as JSON (the list's items, and --bind's answer). */
static json_t *key_json(const struct access_key *k)
{
	char added[32];
	json_t *o = json_object();
	iso(k->added, added, sizeof added);
	json_object_set_new(o, "fingerprint", json_string(k->fingerprint));
	json_object_set_new(o, "customer", json_string(k->customer));
	json_object_set_new(o, "added", json_string(added));
	json_object_set_new(o, "from", json_string(k->from));
	json_object_set_new(o, "invite", json_string(k->invite));
	return o;
}

/* behalf keys --customer ID --bind 'TYPE BASE64 [COMMENT]': a key the vendor
 * already has (a line of a .pub file), bound without a code. */
static int keys_bind(const struct config *cfg, const char *customer, const char *line, bool json)
{
	char type[80], blob[16384 + 1], fp[ACCESS_FP_MAX], msg[1024];
	struct access_key k;
	bool already = false;
	enum bh_err err;
	int end = 0;

	/* The widths are the largest type and blob access_key_fingerprint takes;
	 * a longer blob (not cut off) is refused. */
	if (sscanf(line, " %79s %16384s%n", type, blob, &end) != 2 ||
	    (line[end] != '\0' && line[end] != ' ' && line[end] != '\t') ||
	    access_key_fingerprint(type, blob, fp, sizeof fp) != BH_OK)
		return cli_say(ACCESS_EXIT_USAGE, "access_cli.bind_bad_key", NULL, NULL);
	err = access_key_bind(cfg->state_dir, fp, customer, clock_wall_ms(), &k, &already, msg,
			      sizeof msg);
	if (err == BH_ERR_INVALID && k.customer[0])
		return cli_say(ACCESS_EXIT_FAILED, "access_cli.bind_taken", fp, k.customer);
	if (err)
		return cli_say(ACCESS_EXIT_FAILED, "access_cli.store", msg, NULL);
	if (json) {
		json_t *o = key_json(&k);
		json_object_set_new(o, "bound", json_string(already ? "already" : "now"));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		text_fmt(msg, sizeof msg, already ? "access_cli.bound_already" : "access_cli.bound",
			 fp, k.customer, NULL);
		printf("%s\n", msg);
	}
	return fflush(stdout) == 0 ? ACCESS_EXIT_OK : ACCESS_EXIT_FAILED;
}

int cmd_keys(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"customer", required_argument, NULL, 'u'}, {"json", no_argument, NULL, 'j'},
	    {"unbind", required_argument, NULL, 'x'},	{"bind", required_argument, NULL, 'b'},
	    {"config", required_argument, NULL, 'c'},	{"state-dir", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	const char *customer = NULL, *unbind = NULL, *bind = NULL, *config_path = NULL,
		   *state_dir = NULL;
	bool json = false;
	struct config *cfg;
	struct access_key *keys = NULL, k;
	size_t n = 0, i;
	enum bh_err err;
	char msg[1024], added[32];
	int c, status = ACCESS_EXIT_USAGE;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			customer = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'x':
			unbind = optarg;
			break;
		case 'b':
			bind = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'h':
			printf("%s\n", text_get("access_cli.keys_usage"));
			return ACCESS_EXIT_OK;
		default:
			return cli_option_error(c, argv, "access_cli.keys_usage",
						"access_cli.bad_argument",
						"access_cli.missing_value");
		}
	}
	if (optind < argc)
		return cli_usage_error("access_cli.keys_usage", "access_cli.bad_argument",
				       argv[optind]);
	if (unbind && (customer || json || bind))
		return cli_usage_error("access_cli.keys_usage", "access_cli.keys_one", NULL);
	if (bind && !customer)
		return cli_usage_error("access_cli.keys_usage", "access_cli.bind_customer", NULL);
	if (customer && !state_customer_id_ok(customer))
		return cli_say(ACCESS_EXIT_USAGE, "access_cli.bad_customer", customer, NULL);

	cfg = xcalloc(1, sizeof *cfg);
	if (!cli_config_open(cfg, config_path, state_dir, false, "access_cli.config"))
		goto out;
	if ((unbind || bind) && !store_owner_ok(cfg))
		goto out;
	if (bind) {
		status = keys_bind(cfg, customer, bind, json);
		goto out;
	}
	if (unbind) {
		err = access_key_unbind(cfg->state_dir, unbind, &k, msg, sizeof msg);
		if (err == BH_ERR_NOT_FOUND) {
			status =
			    cli_say(ACCESS_EXIT_FAILED, "access_cli.no_such_key", unbind, NULL);
		} else if (err) {
			status = cli_say(ACCESS_EXIT_FAILED, "access_cli.store", msg, NULL);
		} else {
			text_fmt(msg, sizeof msg, "access_cli.unbound", k.fingerprint, k.customer,
				 NULL);
			printf("%s\n", msg);
			status = ACCESS_EXIT_OK;
		}
		goto out;
	}
	if (access_key_list(cfg->state_dir, customer, &keys, &n, msg, sizeof msg) != BH_OK) {
		status = cli_say(ACCESS_EXIT_FAILED, "access_cli.store", msg, NULL);
		goto out;
	}
	if (json) {
		json_t *arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, key_json(&keys[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(arr);
	} else if (!n) {
		printf("%s\n", text_get("access_cli.no_keys"));
	} else {
		printf("%-51s %-24s %-21s %s\n", "FINGERPRINT", "CUSTOMER", "ADDED", "FROM");
		for (i = 0; i < n; i++) {
			iso(keys[i].added, added, sizeof added);
			printf("%-51s %-24s %-21s %s\n", keys[i].fingerprint, keys[i].customer,
			       added, keys[i].from);
		}
	}
	status = fflush(stdout) == 0 ? ACCESS_EXIT_OK : ACCESS_EXIT_FAILED;
out:
	free(keys);
	free(cfg);
	return status;
}

/* ---- behalf ssh-keys USER TYPE KEY [CONNECTION] ---- */

/* Prunes the expired tickets of dir, at most once every
 * BROKER_TICKET_PRUNE_EVERY ms across all the look-ups (the time of the
 * marker file ".pruned" says when the last one did). */
static void tickets_prune(const char *dir, int64_t now)
{
	char marker[PATH_MAX];
	struct stat st;
	int fd;
	snprintf(marker, sizeof marker, "%s/.pruned", dir);
	if (stat(marker, &st) == 0 &&
	    (int64_t)st.st_mtim.tv_sec * 1000 + BROKER_TICKET_PRUNE_EVERY > now)
		return;
	fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd >= 0) {
		(void)!futimens(fd, NULL);
		close(fd);
	}
	broker_ticket_prune(dir, now);
}

/* A ticket for the key fp seen from address (sshd's %C: "ADDR PORT ADDR
 * PORT", or "" without it) in dir, into ticket; false after saying why on
 * stderr (sshd logs it). */
static bool ssh_keys_ticket(const char *dir, const char *fp, const char *conn, char *ticket,
			    size_t cap)
{
	struct broker_ticket_info info;
	int64_t now = clock_wall_ms();
	char msg[512];
	memset(&info, 0, sizeof info);
	str_copy(info.fingerprint, sizeof info.fingerprint, fp);
	snprintf(info.address, sizeof info.address, "%.*s", (int)strcspn(conn, " "), conn);
	tickets_prune(dir, now);
	if (broker_ticket_mint_info(dir, &info, now, BROKER_TICKET_TTL_MS, ticket, cap, msg,
				    sizeof msg) != BH_OK) {
		fprintf(stderr, "behalf ssh-keys: %s\n", msg);
		return false;
	}
	return true;
}

int cmd_ssh_keys(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"user", required_argument, NULL, 'U'},
	    {"config", required_argument, NULL, 'c'},
	    {"tickets", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};
	const char *user = NULL, *config_path = NULL, *tickets = NULL;
	char self[PATH_MAX], fp[ACCESS_FP_MAX], ticket[BROKER_TICKET_LEN + 1] = "";
	struct config *cfg = NULL;
	int c;

	cli_getopt_start();
	/* "+": options only before USER TYPE KEY, which sshd fills in. */
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'U':
			user = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'T':
			tickets = optarg;
			break;
		default:
			return cli_usage_error("access_cli.ssh_keys_usage",
					       "access_cli.bad_argument", argv[optind - 1]);
		}
	}
	/* USER TYPE KEY, and the connection (%C) where sshd gives it */
	if (argc - optind != 3 && argc - optind != 4)
		return cli_usage_error("access_cli.ssh_keys_usage", "access_cli.ssh_keys_args",
				       NULL);
	if (config_path && !path_plain(config_path))
		return cli_say(ACCESS_EXIT_USAGE, "access_cli.path_not_plain", config_path, NULL);
	/* With --user (as ssh-config writes it) no configuration is read: this
	 * runs before authentication, for every key offered, as a user who
	 * cannot read the vendor's configuration nor the access store. */
	if (!user) {
		cfg = xcalloc(1, sizeof *cfg);
		if (!cli_config_open(cfg, config_path, NULL, false, "access_cli.config")) {
			free(cfg);
			return ACCESS_EXIT_USAGE;
		}
		user = cfg->ssh.user;
		if (!tickets && cfg->broker_tickets[0])
			tickets = cfg->broker_tickets;
	}
	if (strcmp(argv[optind], user) != 0 ||
	    access_key_fingerprint(argv[optind + 1], argv[optind + 2], fp, sizeof fp) != BH_OK ||
	    !self_path(self, sizeof self) || !path_plain(self)) {
		free(cfg);
		return ACCESS_EXIT_OK; /* not ours: no line, sshd tries the next way */
	}
	/* With tickets (a broker that takes the customer from them): a new
	 * ticket naming this key for the session this line starts.  sshd
	 * uses the line of the key it verified; the client cannot change a
	 * forced command's arguments.  No ticket, no line (fail closed). */
	if (tickets && !ssh_keys_ticket(tickets, fp, argc - optind == 4 ? argv[optind + 3] : "",
					ticket, sizeof ticket)) {
		free(cfg);
		return ACCESS_EXIT_FAILED;
	}
	/* A bound key and an unknown one get the same forced command: the
	 * session (or, with tickets, the broker) looks up the binding of the
	 * key sshd authenticated, so nothing here (no lock, no store) can be
	 * raced or waited on, and nothing the client sends names the customer. */
	/* "exec": sshd runs the command with the user's shell -c, which would
	 * otherwise stay for the whole session with the ticket in its
	 * command line (/proc/PID/cmdline, readable by every process). */
	printf("restrict,pty,command=\"%s%s ssh-session%s%s%s%s\" %s %s\n",
	       ticket[0] ? "exec " : "", self, config_path ? " --config " : "",
	       config_path ? config_path : "", ticket[0] ? " --ticket " : "", ticket,
	       argv[optind + 1], argv[optind + 2]);
	explicit_bzero(ticket, sizeof ticket);
	free(cfg);
	return fflush(stdout) == 0 ? ACCESS_EXIT_OK : ACCESS_EXIT_FAILED;
}

/* ---- behalf ssh-config ---- */

/* An OpenSSH whose AuthorizedKeysCommand expands %C (the client's address
 * and port, the server's), where ssh-config asks for it.  9.2's does not
 * (sshd_config(5): an unknown token there ends the connection); later
 * releases do, from one not checked here: 10.0 is the first assumed. */
#define SSHD_AKC_CONNECTION 1000

/* OpenSSH's version from "OpenSSH_9.2p1 ..." as major * 100 + minor; 0 when
 * not found. */
static int openssh_parse(const char *s)
{
	const char *p = strstr(s, "OpenSSH_");
	int major, minor;
	if (!p || sscanf(p + 8, "%d.%d", &major, &minor) != 2 || major < 1 || minor < 0 ||
	    minor > 99)
		return 0;
	return major * 100 + minor;
}

/* The installed OpenSSH: sshd -V, else ssh -V. */
static int openssh_version(void)
{
	static const char *const cmds[] = {"/usr/sbin/sshd -V 2>&1", "sshd -V 2>&1", "ssh -V 2>&1"};
	size_t i;
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char out[512] = "";
		size_t n;
		FILE *p = popen(cmds[i], "r");
		if (!p)
			continue;
		n = fread(out, 1, sizeof out - 1, p);
		out[n] = '\0';
		pclose(p);
		if (openssh_parse(out))
			return openssh_parse(out);
	}
	return 0;
}

/* Says on stderr when sshd would refuse path as an AuthorizedKeysCommand:
 * it and every directory above must be root's and writable by no one else. */
static void check_owner(const char *path)
{
	char p[PATH_MAX], *slash;
	struct stat st;
	str_copy(p, sizeof p, path);
	for (;;) {
		if (stat(p[0] ? p : "/", &st) == 0 && (st.st_uid != 0 || (st.st_mode & 022))) {
			cli_say(0, "access_cli.not_root_owned", path, p[0] ? p : "/");
			return;
		}
		slash = strrchr(p, '/');
		if (!slash || !p[0])
			return;
		*slash = '\0';
	}
}

int cmd_ssh_config(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"openssh", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	char self[PATH_MAX], ver[16], idle[32], cfgarg[PATH_MAX + 16] = "", abspath[PATH_MAX];
	struct config *cfg;
	int c, version = -1, status = ACCESS_EXIT_USAGE;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'o': {
			char probe[64];
			snprintf(probe, sizeof probe, "OpenSSH_%.40s", optarg);
			version = openssh_parse(probe);
			if (!version)
				return cli_usage_error("access_cli.ssh_config_usage",
						       "access_cli.bad_argument", optarg);
			break;
		}
		case 'h':
			printf("%s\n", text_get("access_cli.ssh_config_usage"));
			return ACCESS_EXIT_OK;
		default:
			return cli_option_error(c, argv, "access_cli.ssh_config_usage",
						"access_cli.bad_argument",
						"access_cli.missing_value");
		}
	}
	if (optind < argc)
		return cli_usage_error("access_cli.ssh_config_usage", "access_cli.bad_argument",
				       argv[optind]);
	cfg = xcalloc(1, sizeof *cfg);
	if (!cli_config_open(cfg, config_path, NULL, false, "access_cli.config"))
		goto out;
	if (!self_path(self, sizeof self) || !path_plain(self)) {
		cli_say(0, "access_cli.path_not_plain", self, NULL);
		goto out;
	}
	if (config_path) {
		/* The sessions and the key lookup read the same file, wherever the
		 * vendor's shell stood. */
		if (!realpath(config_path, abspath) || !path_plain(abspath)) {
			cli_say(0, "access_cli.path_not_plain", config_path, NULL);
			goto out;
		}
		snprintf(cfgarg, sizeof cfgarg, " --config %s", abspath);
	}
	if (version < 0)
		version = openssh_version();
	if (version)
		snprintf(ver, sizeof ver, "%d.%d", version / 100, version % 100);
	else
		str_copy(ver, sizeof ver, "unknown");
	snprintf(idle, sizeof idle, "%ldm", cfg->ssh.idle_minutes + 5);
	check_owner(self);

	{
		const char *args[] = {ver, cfg->ssh.user, cfg->ssh.keys_user};
		char head[4096];
		text_format(head, sizeof head, text_get("access_cli.ssh_config_head"), args, 3);
		printf("%s\n", head);
	}
	printf("#LoginGraceTime 30\n"
	       "#MaxStartups 10:30:100\n");
	if (!version || version >= 805)
		printf("#PerSourceMaxStartups 10\n"
		       "#PerSourceNetBlockSize 32:128\n");
	printf("#PermitUserEnvironment no\n\n");
	printf("Match User %s\n", cfg->ssh.user);
	printf("\tAuthorizedKeysFile none\n");
	if (cfg->broker_tickets[0] && !path_plain(cfg->broker_tickets)) {
		cli_say(0, "access_cli.path_not_plain", cfg->broker_tickets, NULL);
		goto out;
	}
	/* With [broker] tickets the key command mints a ticket per call (the
	 * client's address with it where sshd has %C) and the forced command
	 * is the key line's (ForceCommand would replace it, ticket and all:
	 * every key line has restrict and command=, and no key comes from
	 * anywhere else). */
	printf("\tAuthorizedKeysCommand %s ssh-keys --user %s%s%s%s %%u %%t %%k%s\n", self,
	       cfg->ssh.user, cfg->broker_tickets[0] ? " --tickets " : "", cfg->broker_tickets,
	       cfgarg, cfg->broker_tickets[0] && version >= SSHD_AKC_CONNECTION ? " %C" : "");
	printf("\tAuthorizedKeysCommandUser %s\n", cfg->ssh.keys_user);
	printf("\tAuthenticationMethods publickey\n"
	       "\tPubkeyAuthentication yes\n"
	       "\tPasswordAuthentication no\n"
	       "\tKbdInteractiveAuthentication no\n"
	       "\tExposeAuthInfo yes\n");
	if (cfg->broker_tickets[0])
		printf("\t# no ForceCommand: the key line's command carries the broker ticket\n");
	else
		printf("\tForceCommand %s ssh-session%s\n", self, cfgarg);
	/* DisableForwarding stops all of them; the explicit ones make sshd -T show it. */
	printf("\tDisableForwarding yes\n"
	       "\tAllowTcpForwarding no\n"
	       "\tAllowAgentForwarding no\n"
	       "\tAllowStreamLocalForwarding no\n"
	       "\tX11Forwarding no\n"
	       "\tPermitTunnel no\n"
	       "\tPermitUserRC no\n"
	       "\tPermitTTY yes\n"
	       "\tMaxSessions 1\n"
	       "\tClientAliveInterval 15\n"
	       "\tClientAliveCountMax 3\n");
	if (version >= 902)
		printf("\tChannelTimeout session:*=%s\n"
		       "\tUnusedConnectionTimeout 5m\n",
		       idle);
	else
		printf(
		    "\t# ChannelTimeout and UnusedConnectionTimeout need OpenSSH 9.2 (%s here)\n",
		    ver);
	status = fflush(stdout) == 0 ? ACCESS_EXIT_OK : ACCESS_EXIT_FAILED;
out:
	free(cfg);
	return status;
}
