/* behalf ssh-session: the forced command sshd runs for every key that
 * reaches behalf (the line `behalf ssh-keys` prints).  Which customer's
 * onboarding opens is decided by the key sshd authenticated and nothing
 * else: the key comes from the file $SSH_USER_AUTH names (sshd's
 * ExposeAuthInfo), its fingerprint from access_key_fingerprint, the
 * customer from the key bindings (access_key_customer).  What the client
 * sends (SSH_ORIGINAL_COMMAND, SetEnv/SendEnv, the user name) is never
 * read: the environment is emptied first but for the terminal type, the
 * locale and what sshd itself sets that is needed here.
 *
 * A key bound to no customer sees the enrollment screen (ui/screen_enroll.c):
 * the customer types an invite code, access_redeem binds the key, and that
 * customer's wizard starts in the same process and on the same screen.
 * Without a terminal (ssh host cmd, scp, sftp) one line on stderr, exit 1.
 *
 * With a broker and a ticket (--ticket, which `behalf ssh-keys` puts in the
 * key's forced command when the broker has [broker] tickets): the session
 * reads no binding and writes no access store.  It gives the ticket at
 * hello and the broker answers which customer the ticket's key is bound to,
 * or that it is bound to none: then the codes typed go to the broker
 * (brokered_enroll), which redeems, binds and audits, and the same
 * connection becomes that customer's ESP for the wizard. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/access.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/confine.h"
#include "app/session.h"
#include "core/alloc.h"
#include "core/record.h"
#include "core/clock.h"
#include "core/state.h"
#include "core/text.h"
#include "esp/brokered.h"
#include "ui.h"

#define SSH_AUTH_INFO_LIMIT 65536 /* $SSH_USER_AUTH: a few lines */
#define SSH_KEEP_MAX	    32	  /* environment variables kept */

extern char **environ;

static volatile sig_atomic_t enroll_signal; /* SIGHUP/SIGTERM during enrollment */

static void enroll_on_signal(int sig)
{
	enroll_signal = sig;
}

/* True for the variables kept: the terminal type, the locale, and what
 * sshd sets that this command reads (the client's address, the tty, the
 * authenticated key).  Nothing the client can choose beyond TERM and the
 * locale (sshd's AcceptEnv LANG LC_*) survives. */
static bool ssh_env_kept(const char *entry)
{
	static const char *const names[] = {
	    "TERM=", "LANG=", "SSH_CONNECTION=", "SSH_TTY=", "SSH_USER_AUTH="};
	size_t i;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(entry, names[i], strlen(names[i])) == 0)
			return true;
	return strncmp(entry, "LC_", 3) == 0 && strchr(entry, '=') != NULL;
}

/* A terminal type is a plain name ("xterm-256color"): ncurses looks it up
 * as a file name, so a path or anything odd becomes vt100. */
static bool ssh_term_ok(const char *t)
{
	size_t i;
	if (!t || !*t || strlen(t) > 64 || t[0] == '.')
		return false;
	for (i = 0; t[i]; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_' || t[i] == '.' ||
		      t[i] == '+'))
			return false;
	return true;
}

/* Starts this command again (the same binary, the same arguments) with
 * only what ssh_env_kept keeps in its environment, so that nothing else is
 * left even in the process's initial environment (/proc/PID/environ, which
 * clearenv does not touch).  Returns at once when the environment is clean
 * already (the second start); without /proc, cleans this process's. */
static void ssh_env_clean(int argc, char **argv)
{
	char *keep[SSH_KEEP_MAX + 1], *nargv[64], exe[4096];
	size_t n = 0, i;
	bool dirty = false;
	char **e;
	ssize_t len;
	for (e = environ; e && *e; e++) {
		if (!ssh_env_kept(*e) || n == SSH_KEEP_MAX) {
			dirty = true;
			continue;
		}
		if (strncmp(*e, "TERM=", 5) == 0 && !ssh_term_ok(*e + 5)) {
			keep[n++] = xstrdup("TERM=vt100");
			dirty = true;
		} else {
			keep[n++] = xstrdup(*e);
		}
	}
	keep[n] = NULL;
	len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (dirty && len > 0 && argc >= 1 && (size_t)argc + 2 < sizeof nargv / sizeof nargv[0]) {
		exe[len] = '\0';
		nargv[0] = exe;
		for (i = 0; i < (size_t)argc; i++)
			nargv[i + 1] = argv[i];
		nargv[argc + 1] = NULL;
		execve("/proc/self/exe", nargv, keep);
	}
	if (dirty) {
		clearenv();
		for (i = 0; i < n; i++) {
			char *eq = strchr(keep[i], '=');
			*eq = '\0';
			setenv(keep[i], eq + 1, 1);
		}
	}
	for (i = 0; i < n; i++)
		free(keep[i]);
}

/* The public key sshd authenticated, from the file $SSH_USER_AUTH names:
 * lines "publickey <type> <base64>" (and other methods' lines).  Exactly
 * one key must be there (a second, different key would leave the choice
 * of customer open): its fingerprint into fp.  False when there is none. */
static bool ssh_auth_key(char *fp, size_t cap)
{
	const char *path = getenv("SSH_USER_AUTH");
	struct buf data = {0};
	char *line, *save = NULL, first[ACCESS_FP_MAX] = "";
	bool ok = true;
	if (!path || !*path || state_read_file(path, SSH_AUTH_INFO_LIMIT, &data) != BH_OK) {
		buf_free(&data);
		return false;
	}
	for (line = strtok_r(data.data, "\n", &save); line && ok;
	     line = strtok_r(NULL, "\n", &save)) {
		char method[32], type[64], blob[16384], one[ACCESS_FP_MAX];
		if (sscanf(line, "%31s %63s %16383s", method, type, blob) != 3 ||
		    strcmp(method, "publickey") != 0)
			continue;
		if (access_key_fingerprint(type, blob, one, sizeof one) != BH_OK)
			ok = false;
		else if (first[0] && strcmp(first, one) != 0)
			ok = false;
		else
			str_copy(first, sizeof first, one);
	}
	buf_free(&data);
	unsetenv("SSH_USER_AUTH");
	return ok && first[0] && str_copy(fp, cap, first);
}

/* The client's address: the first word of $SSH_CONNECTION. */
static void ssh_client_address(char *out, size_t cap)
{
	const char *c = getenv("SSH_CONNECTION");
	size_t n = c ? strcspn(c, " ") : 0;
	if (!n) {
		str_copy(out, cap, "unknown");
		return;
	}
	snprintf(out, cap, "%.*s", (int)n, c);
}

/* How long a session may wait for a key ([ssh] idle_seconds, else
 * idle_minutes), in ms. */
static int64_t ssh_idle_ms(const struct config *cfg)
{
	if (cfg->ssh.idle_seconds > 0)
		return (int64_t)cfg->ssh.idle_seconds * 1000;
	return (int64_t)cfg->ssh.idle_minutes * 60000;
}

/* Tries the code typed: BH_OK with the customer set, else the notice.
 * With broker (a client in enrollment) the broker redeems it. */
static enum bh_err enroll_redeem(struct ui_enroll *e, const struct config *cfg, const char *fp,
				 struct esp *broker, char *customer, size_t ccap)
{
	char from[64], msg[512] = "";
	int wait_s = 0;
	enum bh_err err;
	ssh_client_address(from, sizeof from);
	if (broker) {
		err = brokered_enroll(broker, e->code.text, from, &wait_s, msg, sizeof msg);
		if (err == BH_OK && !str_copy(customer, ccap, brokered_customer(broker)))
			err = BH_ERR_PARSE;
	} else {
		err = access_redeem(cfg->state_dir, e->code.text, fp, from, clock_wall_ms(),
				    customer, ccap, &wait_s, msg, sizeof msg);
	}
	if (err == BH_OK)
		return BH_OK;
	if (err == BH_ERR_NETWORK) {
		/* the broker went away: nothing more this connection can do */
		e->notice_error = true;
		str_copy(e->notice, sizeof e->notice, msg);
		return err;
	}
	e->notice_error = true;
	if (msg[0]) {
		str_copy(e->notice, sizeof e->notice, msg);
	} else if (err == BH_ERR_BUSY) {
		char secs[24];
		snprintf(secs, sizeof secs, "%d", wait_s);
		text_fmt(e->notice, sizeof e->notice, "enroll.wait", secs, NULL, NULL);
	} else {
		str_copy(e->notice, sizeof e->notice, text_get("enroll.refused"));
	}
	return err; /* the code stays in the field, to be corrected */
}

/* The enrollment screen until a code binds the key (0, customer set), the
 * customer leaves (1: nothing more to do) or the connection drops. */
static int enroll_run(const struct config *cfg, const char *fp, struct esp *broker, char *customer,
		      size_t ccap)
{
	struct ui_enroll e;
	int64_t idle_ms = ssh_idle_ms(cfg), last_key = clock_now_ms();
	char line[512], idle[32];
	bool idle_out = false;
	enum bh_err err;

	memset(&e, 0, sizeof e);
	e.vendor_name = cfg->wizard.vendor_name;
	e.demo = cfg->wizard.demo;
	e.fingerprint = fp;
	if (!ui_start())
		return 2;
	while (!enroll_signal) {
		struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
		int64_t now = clock_now_ms(), wait = -1;
		enum ui_action a;
		bool typed;
		if (idle_ms > 0) {
			idle_out = now - last_key >= idle_ms;
			if (idle_out)
				break;
			wait = last_key + idle_ms - now;
		}
		ui_enroll_draw(&e);
		if (poll(&pfd, 1, wait > INT32_MAX ? INT32_MAX : (int)wait) < 0 && errno != EINTR)
			break;
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* the terminal is gone (SIGHUP is on its way) */
		a = ui_enroll_read(&e, &typed);
		if (typed)
			last_key = clock_now_ms();
		if (a == ACTION_QUIT) {
			ui_stop();
			return 1;
		}
		if (a != ACTION_NEXT)
			continue;
		str_copy(e.notice, sizeof e.notice, text_get("enroll.checking"));
		e.notice_error = false;
		ui_invalidate();
		ui_enroll_draw(&e);
		err = enroll_redeem(&e, cfg, fp, broker, customer, ccap);
		if (err == BH_OK) {
			ui_stop(); /* the wizard starts its own screen at once */
			return 0;
		}
		if (err == BH_ERR_NETWORK) {
			ui_stop();
			printf("%s\n", e.notice);
			return 1;
		}
		ui_invalidate();
	}
	ui_stop();
	if (!idle_out)
		return 1; /* the connection dropped: nobody to tell */
	session_idle_words(idle_ms, idle, sizeof idle);
	text_fmt(line, sizeof line, "sshsess.idle_enroll", idle, NULL, NULL);
	printf("%s\n", line);
	return 1;
}

/* The TCP ports of a "[NAME=]IP[:PORT], ..." list of the configuration
 * (53 when an entry names none) into ports[*n..cap). */
static void ssh_session_dns_ports(const char *list, uint16_t *ports, size_t *n, size_t cap)
{
	char copy[256], *items[RECORD_MAX_SERVERS + 8];
	size_t i, count;

	str_copy(copy, sizeof copy, list);
	count = config_split_list(copy, items, sizeof items / sizeof items[0]);
	for (i = 0; i < count && *n < cap; i++) {
		const char *colon = strrchr(items[i], ':'), *bracket = strrchr(items[i], ']');
		long port = 53;
		/* IPv6 without a port has colons of its own: a port follows "]" */
		if (colon && (!bracket || colon > bracket) &&
		    (bracket || strchr(items[i], ':') == colon))
			port = strtol(colon + 1, NULL, 10);
		if (port > 0 && port < 65536)
			ports[(*n)++] = (uint16_t)port;
	}
}

/* Once the state, the backends and the screen are open and any earlier
 * session was taken over: the session gives up what it no longer needs
 * (src/app/confine.c): exec, tracing, core dumps, new privileges, files
 * beyond its state directory, and, when the ESP is reached through the
 * broker, TCP beyond the DNS ports (and HTTPS for Domain Connect's
 * discovery when [domainconnect] is configured).  The enrollment screen
 * ran before, unconfined.  A failure ends the session (fail closed), with msg printed
 * once the screen is gone. */
static int ssh_session_ready(void *arg, char *msg, size_t cap)
{
	const struct config *cfg = arg;
	struct confine_paths cp;
	size_t nports = 0;
	/* the session's one-click offer runs (app/dcoffer.c: the key's path
	 * configured; with a broker the broker opens it, the session never) */
	bool dc = cfg->dc.private_key_file[0] != '\0';

	memset(&cp, 0, sizeof cp);
	/* The customers' state; without a broker also access/ and its audit
	 * log (the session redeems codes itself).  With the broker's tickets
	 * the access store is the broker's, outside state_dir, another user's
	 * (docs/ssh.md): nothing here may reach it. */
	cp.write_dirs[0] = cfg->state_dir;
	if (cfg->broker_path[0]) {
		cp.tcp_ports[nports++] = 53; /* DNS over TCP; the ESP is the broker's */
		if (dc) {
			/* Domain Connect discovery: the DNS host's settings and
			 * template check over HTTPS.  TEST ONLY: allow_loopback's
			 * provider listens on a port of its own. */
			cp.tcp_ports[nports++] = 443;
			cp.tcp_any = cfg->dc.allow_loopback;
		}
		ssh_session_dns_ports(cfg->resolvers, cp.tcp_ports, &nports, CONFINE_MAX_PORTS);
		ssh_session_dns_ports(cfg->authoritative, cp.tcp_ports, &nports, CONFINE_MAX_PORTS);
	} else {
		cp.tcp_any = true; /* the session calls the ESP's API itself */
	}
	/* TEST ONLY: the CA discovery trusts instead of the system's (read at
	 * each TLS connection); one that is not there stays unreadable. */
	if (dc && cfg->dc.ca_file[0] && access(cfg->dc.ca_file, R_OK) == 0)
		cp.read_paths[0] = cfg->dc.ca_file;
	msg[0] = '\0';
	if (confine_session(&cp, msg, cap) != BH_OK)
		return 1;
	msg[0] = '\0'; /* "landlock not available": the other layers hold */
	return 0;
}

int cmd_ssh_session(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"ticket", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	struct session_options opt = {0};
	char enrolled_from[64] = "";
	struct esp *broker = NULL;
	char ticket[40] = ""; /* --ticket: 32 hex digits; longer is cut, then refused */
	struct config cfg;
	struct sigaction sa;
	const char *config_path = NULL;
	char msg[1024], fp[ACCESS_FP_MAX], customer[sizeof cfg.wizard.customer_id] = "";
	enum bh_err err;
	int c, rc;

	/* Before anything reads it: only TERM, the locale and sshd's own. */
	ssh_env_clean(argc, argv);
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 't') {
			/* Out of /proc/PID/cmdline at once: another process of the
			 * same user must not redeem it first. */
			str_copy(ticket, sizeof ticket, optarg);
			explicit_bzero(optarg, strlen(optarg));
			continue;
		}
		if (c != 'c') {
			fprintf(stderr, "%s\n", text_get("sshsess.usage"));
			return 2;
		}
		config_path = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "%s\n", text_get("sshsess.usage"));
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s\n", text_get("sshsess.no_tty"));
		return 1;
	}
	if (!cli_config_load(&cfg, config_path, NULL, "cli.config"))
		return 2;
	if (!ssh_auth_key(fp, sizeof fp)) {
		config_wipe_secrets(&cfg);
		fprintf(stderr, "%s\n", text_get("sshsess.no_key"));
		return 1;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = enroll_on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (cfg.broker_path[0] && ticket[0]) {
		/* The broker says whose key this is (or that it is no one's). */
		broker = brokered_create(cfg.broker_path, "", ticket, msg, sizeof msg);
		explicit_bzero(ticket, sizeof ticket);
		if (!broker) {
			config_wipe_secrets(&cfg);
			fprintf(stderr, "%s\n", msg);
			return 1;
		}
		err = brokered_enrolling(broker) ? BH_ERR_NOT_FOUND : BH_OK;
		if (err == BH_ERR_NOT_FOUND && strcmp(brokered_fingerprint(broker), fp) != 0)
			err = BH_ERR_INVALID; /* not the key sshd verified: nothing */
		else if (err == BH_OK)
			str_copy(customer, sizeof customer, brokered_customer(broker));
	} else {
		err = access_key_customer(cfg.state_dir, fp, customer, sizeof customer);
	}
	if (err == BH_ERR_NOT_FOUND) {
		rc = enroll_run(&cfg, fp, broker, customer, sizeof customer);
		if (rc) {
			if (broker)
				broker->ops->destroy(broker);
			config_wipe_secrets(&cfg);
			return rc == 1 ? 0 : rc;
		}
		ssh_client_address(enrolled_from, sizeof enrolled_from);
		opt.enrolled = (struct session_enrolled){clock_wall_ms(), fp, enrolled_from,
							 broker ? "broker" : "session"};
	} else if (err) {
		if (broker)
			broker->ops->destroy(broker);
		char why[64];
		config_wipe_secrets(&cfg);
		snprintf(why, sizeof why, "%s", bh_strerror(err));
		text_fmt(msg, sizeof msg, "sshsess.store", why, NULL, NULL);
		fprintf(stderr, "%s\n", msg);
		return 2;
	}
	if (!state_customer_id_ok(customer) ||
	    !str_copy(cfg.wizard.customer_id, sizeof cfg.wizard.customer_id, customer)) {
		if (broker)
			broker->ops->destroy(broker);
		config_wipe_secrets(&cfg);
		fprintf(stderr, "behalf: the key is bound to an unusable customer id\n");
		return 2;
	}
	opt.esp = broker; /* taken by the session */
	opt.ssh = true;
	opt.idle_ms = ssh_idle_ms(&cfg);
	opt.ready = ssh_session_ready;
	opt.ready_arg = &cfg;
	rc = session_run_with(&cfg, &opt);
	config_wipe_secrets(&cfg);
	return rc;
}
