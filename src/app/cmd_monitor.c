/* behalf monitor [--once]: the records of finished option-1 customers
 * checked again on a schedule (monitor.h, docs/events.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/monitor.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/text.h"

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

/* One monitor per state directory: <state_dir>/monitor/monitor.lock. */
static int monitor_lock(const char *state_dir, char *msg, size_t cap)
{
	struct buf path = {0};
	int fd;
	buf_printf(&path, "%s/%s", state_dir, MONITOR_DIR);
	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(msg, cap, "%.900s: %s", state_dir, strerror(errno));
		buf_free(&path);
		return -1;
	}
	if (mkdir(path.data, 0700) != 0 && errno != EEXIST) {
		snprintf(msg, cap, "%.900s: %s", path.data, strerror(errno));
		buf_free(&path);
		return -1;
	}
	buf_printf(&path, "/monitor.lock");
	fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(msg, cap, "%.900s: %s", path.data, strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		text_fmt(msg, cap, "monitor.busy", path.data, NULL, NULL);
		close(fd);
		fd = -2;
	}
	buf_free(&path);
	return fd;
}

static void monitor_say(const struct monitor_stats *st, int64_t ms)
{
	char what[512], took[32], line[640];
	snprintf(what, sizeof what,
		 "%zu customer%s checked (%zu records), %zu lost, %zu restored, %zu records lost "
		 "now, %zu unreachable, %zu failed, %zu files written",
		 st->monitored, st->monitored == 1 ? "" : "s", st->records, st->lost, st->restored,
		 st->lost_now, st->unreachable, st->failed, st->written);
	snprintf(took, sizeof took, "%.1f s", (double)ms / 1000.0);
	text_fmt(line, sizeof line, "monitor.pass", what, took, NULL);
	fprintf(stderr, "%s\n", line);
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"once", no_argument, NULL, 'o'},
	    {"config", required_argument, NULL, 'c'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *state_dir = NULL;
	struct config *cfg = xcalloc(1, sizeof *cfg);
	struct monitor_stats st;
	struct sigaction sa;
	bool once = false;
	char msg[1024];
	int c, lock, status = 2;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			once = true;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'h':
			printf("%s\n", text_get("monitor.usage"));
			free(cfg);
			return 0;
		default:
			free(cfg);
			/* a missing value, too, is called a bad argument here */
			return cli_option_error(c, argv, "monitor.usage", "status_cli.bad_argument",
						"status_cli.bad_argument");
		}
	}
	if (optind < argc) {
		free(cfg);
		return cli_usage_error("monitor.usage", "status_cli.bad_argument", argv[optind]);
	}
	if (!cli_config_open(cfg, config_path, state_dir, false, "cli.config")) {
		free(cfg);
		return CLI_EXIT_USAGE;
	}
	lock = monitor_lock(cfg->state_dir, msg, sizeof msg);
	if (lock < 0) {
		fprintf(stderr, "%s%s\n", lock == -1 ? "behalf monitor: " : "", msg);
		free(cfg);
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = monitor_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!monitor_stop) {
		int64_t start = clock_now_ms(), next;
		if (!monitor_pass(cfg, &st, msg, sizeof msg)) {
			fprintf(stderr, "behalf monitor: %s\n", msg);
			status = 2;
			break;
		}
		monitor_say(&st, clock_now_ms() - start);
		status = st.lost_now ? 1 : 0;
		if (once)
			break;
		next = start + cfg->monitor.interval_ms;
		while (!monitor_stop && clock_now_ms() < next) {
			int64_t left = next - clock_now_ms();
			poll(NULL, 0, left > 60000 ? 60000 : (int)left);
		}
	}
	close(lock);
	free(cfg);
	return monitor_stop && !once ? 0 : status;
}
