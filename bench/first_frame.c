/* Benchmark of DESIGN.md "Performance budgets": time to the first frame and
 * peak resident memory of the real binary.
 *
 * It starts `behalf --demo --state-dir <fresh dir>` in an 80x24 pseudo
 * terminal, reads what behalf writes until the welcome screen's footer
 * (FIRST_FRAME_MARKER, the last text ncurses draws on that screen) has gone
 * by, quits with q, y, and reaps the child with wait4() for its ru_maxrss.
 * With --session it walks a whole option-1 demo session instead (the script
 * of keys is walk_script[] below) and reports the peak RSS of that.
 *
 * What behalf writes is matched with its escape sequences stripped, so a
 * marker only has to be text that ncurses writes in one run on the screen:
 * keep markers short and new on their screen (ncurses redraws only what
 * changed).  Not a ctest test: timing depends on the machine. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef BEHALF_BIN_DEFAULT
#define BEHALF_BIN_DEFAULT "behalf"
#endif

/* The budgets (DESIGN.md "Performance budgets"). */
#define BUDGET_FIRST_FRAME_MS 20.0
#define BUDGET_RSS_KB	      8192L

/* The welcome screen's footer ends with "q quit": the last thing drawn. */
#define FIRST_FRAME_MARKER "q quit"
/* The quit overlay ("y yes, quit  n no, stay"). */
#define QUIT_MARKER "yes, quit"

#define RUNS_DEFAULT	20
#define RUNS_MAX	1000
#define TEXT_CAP	(64 * 1024)
#define STEP_TIMEOUT_MS 5000
#define TRY_WAIT_MS	500

/* One step of the demo walk: send keys, then wait until the screen shows
 * `until`; a step with tries > 1 sends its keys again (each wait
 * TRY_WAIT_MS) until `until` shows, as the presenter does with n. */
struct walk_step {
	const char *keys;  /* bytes written to the terminal ("" sends nothing) */
	const char *until; /* text the screen shows once the step is done */
	int tries;	   /* how many times keys may be sent */
};

/* The option-1 demo session, welcome to verified and out.  Keep in step
 * with the UI (tests/e2e/ walks the same screens). */
static const struct walk_step walk_script[] = {
    {"", FIRST_FRAME_MARKER, 1},	       /* Welcome */
    {"\r", "Help me choose", 1},	       /* Choose */
    {"1", "Which domain", 1},		       /* Domain */
    {"yourcompany.com\r", "Not found yet", 1}, /* DNS records */
    {"n", "All set!", 8},		       /* presenter: next stage, to Done */
    {"q", QUIT_MARKER, 1},		       /* quit overlay */
    {"y", NULL, 1},			       /* quit: the child exits */
};

/* Options from the command line. */
struct bench_opts {
	const char *bin;    /* the behalf binary */
	long runs;	    /* how many starts to time */
	bool check;	    /* exit 1 when a budget is exceeded */
	bool session;	    /* walk a whole demo session instead */
	bool verbose;	    /* one line per run */
	const char *time_v; /* when set, behalf runs under /usr/bin/time -v -o time_v */
};

/* Escape-sequence stripping state, kept across reads. */
enum strip_state { STRIP_TEXT, STRIP_ESC, STRIP_CSI, STRIP_CHARSET, STRIP_OSC };

/* The child's terminal as text: what it wrote, escape sequences removed. */
struct term_text {
	int fd;			/* pty master */
	enum strip_state state; /* where the stripper is */
	size_t len;		/* bytes in text */
	bool eof;		/* the child closed its terminal */
	char text[TEXT_CAP];	/* NUL-terminated */
};

/* One measured start of behalf. */
struct bench_run {
	double first_frame_ms; /* fork to the marker (or the whole walk) */
	long maxrss_kb;	       /* ru_maxrss of the child */
	long private_kb;       /* most Private_Dirty seen at a step (smaps_rollup) */
};

/* The child's Private_Dirty in KB (its heap, stack and written data: what
 * one more session costs, where library pages are shared with the others),
 * or -1 when it cannot be read (the child has gone). */
static long child_private_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;
	snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Private_Dirty:", 14) == 0) {
			kb = strtol(line + 14, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Appends the printable part of buf to t->text; on overflow keeps the tail
 * (markers are short). */
static void term_text_feed(struct term_text *t, const char *buf, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		switch (t->state) {
		case STRIP_TEXT:
			if (c == 0x1b) {
				t->state = STRIP_ESC;
				continue;
			}
			if (c < 0x20 && c != '\n')
				continue;
			break;
		case STRIP_ESC:
			if (c == '[')
				t->state = STRIP_CSI;
			else if (c == '(' || c == ')' || c == '*' || c == '+')
				t->state = STRIP_CHARSET;
			else if (c == ']')
				t->state = STRIP_OSC;
			else
				t->state = STRIP_TEXT;
			continue;
		case STRIP_CSI:
			if (c >= 0x40 && c <= 0x7e)
				t->state = STRIP_TEXT;
			continue;
		case STRIP_CHARSET:
			t->state = STRIP_TEXT;
			continue;
		case STRIP_OSC:
			if (c == 0x07 || c == 0x1b)
				t->state = STRIP_TEXT;
			continue;
		}
		if (t->len + 1 >= sizeof t->text) {
			size_t keep = 1024;
			memmove(t->text, t->text + t->len - keep, keep);
			t->len = keep;
		}
		t->text[t->len++] = (char)c;
	}
	t->text[t->len] = '\0';
}

/* Forgets the text seen so far (the next marker must be drawn anew). */
static void term_text_clear(struct term_text *t)
{
	t->len = 0;
	t->text[0] = '\0';
}

/* Reads until the text holds marker (NULL: until EOF) or timeout_ms pass.
 * True when found (for NULL, when the child closed the terminal). */
static bool term_text_wait(struct term_text *t, const char *marker, int timeout_ms)
{
	double deadline = now_ms() + timeout_ms;
	char buf[4096];

	for (;;) {
		struct pollfd pfd = {t->fd, POLLIN, 0};
		double left;
		ssize_t n;
		int r;

		if (marker && strstr(t->text, marker))
			return true;
		if (t->eof)
			return marker == NULL;
		left = deadline - now_ms();
		if (left <= 0)
			return false;
		r = poll(&pfd, 1, (int)left + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		n = read(t->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EIO: the slave side is closed, the child is gone. */
			t->eof = true;
			continue;
		}
		term_text_feed(t, buf, (size_t)n);
	}
}

static bool term_send(struct term_text *t, const char *keys)
{
	size_t n = strlen(keys), off = 0;
	while (off < n) {
		ssize_t w = write(t->fd, keys + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += (size_t)w;
	}
	return true;
}

/* Removes the directory tree at dirfd/name (the state dir is small). */
static void remove_tree_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	DIR *d;
	struct dirent *e;

	if (fd < 0) {
		unlinkat(dirfd, name, 0);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, e->d_name, 0) != 0)
			remove_tree_at(fd, e->d_name);
	}
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* In the child: the environment DESIGN.md's tests use, then behalf
 * (under /usr/bin/time -v when o->time_v names its report file). */
static void child_exec(const struct bench_opts *o, const char *state_dir)
{
	char *bin = (char *)o->bin, *dir = (char *)state_dir, *report = (char *)o->time_v;
	/* argv + 4 is behalf's own command line. */
	char *argv[] = {"/usr/bin/time", "-v",		"-o", report, bin,
			"--demo",	 "--state-dir", dir,  NULL};
	char **args = o->time_v ? argv : argv + 4;
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 1);
	setenv("BEHALF_DEMO_DNS_MS", "0", 1);
	setenv("BEHALF_DEMO_ESP_MS", "0", 1);
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	unsetenv("COLUMNS");
	unsetenv("LINES");
	unsetenv("NO_COLOR");
	execv(args[0], args);
	_exit(127);
}

/* Waits for the child to exit (killing it after a while) and reads its
 * resource use.  False when it did not exit cleanly by itself. */
static bool child_reap(struct term_text *t, pid_t pid, struct rusage *ru)
{
	double deadline = now_ms() + STEP_TIMEOUT_MS;
	int status = 0;
	pid_t r;

	for (;;) {
		r = wait4(pid, &status, WNOHANG, ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return false;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			wait4(pid, &status, 0, ru);
			fprintf(stderr, "first_frame: behalf did not quit; killed it\n");
			return false;
		}
		/* Keep reading so that its last writes do not block. */
		term_text_wait(t, NULL, 20);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "first_frame: behalf ended with status 0x%x\n", (unsigned)status);
		return false;
	}
	return true;
}

/* One start of behalf: walks steps[0..nsteps), the time to the first
 * step's text into run->first_frame_ms.  False on any failure. */
static bool bench_one(const struct bench_opts *o, const struct walk_step *steps, size_t nsteps,
		      struct bench_run *run)
{
	static struct term_text t;
	struct winsize ws = {24, 80, 0, 0};
	char state_dir[] = "/tmp/behalf-bench.XXXXXX";
	struct rusage ru;
	double start;
	bool ok = true;
	size_t i;
	pid_t pid;
	int fd;

	if (!mkdtemp(state_dir)) {
		perror("first_frame: mkdtemp");
		return false;
	}
	memset(&t, 0, sizeof t);
	start = now_ms();
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("first_frame: forkpty");
		rmdir(state_dir);
		return false;
	}
	if (pid == 0)
		child_exec(o, state_dir);
	t.fd = fd;

	for (i = 0; i < nsteps && ok; i++) {
		const struct walk_step *s = &steps[i];
		bool seen = false;
		int attempt;

		for (attempt = 0; attempt < s->tries && !seen; attempt++) {
			if (*s->keys && !term_send(&t, s->keys)) {
				ok = false;
				break;
			}
			seen = term_text_wait(&t, s->until,
					      s->tries > 1 ? TRY_WAIT_MS : STEP_TIMEOUT_MS);
		}
		if (i == 0)
			run->first_frame_ms = now_ms() - start;
		if (seen) {
			long kb = child_private_kb(pid);
			if (kb > run->private_kb)
				run->private_kb = kb;
		}
		if (!seen && s->until) {
			fprintf(stderr, "first_frame: step %zu: \"%s\" not seen; last text:\n%s\n",
				i, s->until, t.len > 600 ? t.text + t.len - 600 : t.text);
			ok = false;
		}
		term_text_clear(&t);
	}
	if (!ok)
		kill(pid, SIGTERM);
	if (!child_reap(&t, pid, &ru))
		ok = false;
	if (o->session)
		run->first_frame_ms = now_ms() - start;
	run->maxrss_kb = ru.ru_maxrss;
	close(fd);
	remove_tree_at(AT_FDCWD, state_dir);
	return ok;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: first_frame [--bin PATH] [--runs N] [--check] [--session] [--time-v F] [-v]\n"
	    "  --bin PATH  the behalf binary (default %s)\n"
	    "  --runs N    starts to time (default %d)\n"
	    "  --check     exit 1 when a budget is exceeded (first frame %.0f ms, RSS "
	    "%ld KB)\n"
	    "  --session   walk a whole option-1 demo session; report its peak RSS\n"
	    "  --time-v F  run behalf under /usr/bin/time -v, its report into F\n"
	    "  -v          one line per run\n",
	    BEHALF_BIN_DEFAULT, RUNS_DEFAULT, BUDGET_FIRST_FRAME_MS, BUDGET_RSS_KB);
}

static bool parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
	    {"bin", required_argument, NULL, 'b'}, {"runs", required_argument, NULL, 'n'},
	    {"check", no_argument, NULL, 'c'},	   {"session", no_argument, NULL, 's'},
	    {"verbose", no_argument, NULL, 'v'},   {"time-v", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	int c;

	o->bin = BEHALF_BIN_DEFAULT;
	o->runs = RUNS_DEFAULT;
	while ((c = getopt_long(argc, argv, "n:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bin = optarg;
			break;
		case 'n':
			if (!parse_long(optarg, 1, RUNS_MAX, &o->runs)) {
				fprintf(stderr, "first_frame: --runs wants 1 to %d\n", RUNS_MAX);
				return false;
			}
			break;
		case 'c':
			o->check = true;
			break;
		case 's':
			o->session = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 't':
			o->time_v = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return false;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return false;
	}
	if (access(o->bin, X_OK) != 0) {
		fprintf(stderr, "first_frame: %s: %s\n", o->bin, strerror(errno));
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	/* The first-frame run: the welcome screen, then quit. */
	static const struct walk_step start_script[] = {
	    {"", FIRST_FRAME_MARKER, 1},
	    {"q", QUIT_MARKER, 1},
	    {"y", NULL, 1},
	};
	const struct walk_step *script = start_script;
	size_t nscript = sizeof start_script / sizeof start_script[0];
	struct bench_opts o = {0};
	double *ms;
	long maxrss = 0, private_kb = 0, i;
	double median, max;
	bool over = false;

	if (!parse_opts(argc, argv, &o))
		return 2;
	if (o.session) {
		script = walk_script;
		nscript = sizeof walk_script / sizeof walk_script[0];
	}
	ms = calloc((size_t)o.runs, sizeof *ms);
	if (!ms)
		return 2;
	for (i = 0; i < o.runs; i++) {
		struct bench_run run = {0};
		if (!bench_one(&o, script, nscript, &run)) {
			fprintf(stderr, "first_frame: run %ld failed\n", i + 1);
			free(ms);
			return 2;
		}
		ms[i] = run.first_frame_ms;
		if (run.maxrss_kb > maxrss)
			maxrss = run.maxrss_kb;
		if (run.private_kb > private_kb)
			private_kb = run.private_kb;
		if (o.verbose)
			printf("run %ld: %s %.2f ms, maxrss %ld KB, private %ld KB\n", i + 1,
			       o.session ? "session" : "first frame", run.first_frame_ms,
			       run.maxrss_kb, run.private_kb);
	}
	qsort(ms, (size_t)o.runs, sizeof *ms, cmp_double);
	median = o.runs % 2 ? ms[o.runs / 2] : (ms[o.runs / 2 - 1] + ms[o.runs / 2]) / 2;
	max = ms[o.runs - 1];
	free(ms);

	if (o.session) {
		printf("session_ms median=%.2f max=%.2f runs=%ld\n", median, max, o.runs);
		printf("session_rss_kb max=%ld\n", maxrss);
		printf("session_private_kb max=%ld budget=%ld %s\n", private_kb, BUDGET_RSS_KB,
		       private_kb < BUDGET_RSS_KB ? "ok" : "OVER");
		over = private_kb >= BUDGET_RSS_KB;
	} else {
		printf("first_frame_ms median=%.2f max=%.2f runs=%ld budget=%.0f %s\n", median, max,
		       o.runs, BUDGET_FIRST_FRAME_MS,
		       median < BUDGET_FIRST_FRAME_MS ? "ok" : "OVER");
		printf("rss_kb max=%ld\n", maxrss);
		printf("private_kb max=%ld budget=%ld %s\n", private_kb, BUDGET_RSS_KB,
		       private_kb < BUDGET_RSS_KB ? "ok" : "OVER");
		over = median >= BUDGET_FIRST_FRAME_MS || private_kb >= BUDGET_RSS_KB;
	}
	return o.check && over ? 1 : 0;
}
