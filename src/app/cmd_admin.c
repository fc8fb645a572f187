/* behalf admin: the support view (issue 11, item 3).  A terminal screen
 * with every customer, who needs help first (the order of behalf list),
 * filtered as you type; Enter opens one customer read-only: the wizard's
 * own screen for their step, drawn by ui_draw from their saved state (so
 * support sees what the customer sees), with `d` for the records' details.
 *
 * It never writes: state files are read without the lock (state_peek, as
 * behalf status does) and read again whenever they change, so a customer's
 * session running at the same time shows through within a second.  What
 * the screen's keys would change (the records' cursor, the details) stays
 * in this process's copy. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curses.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/esp_make.h"
#include "app/status_list.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/loop.h"
#include "core/state.h"
#include "core/status.h"
#include "core/text.h"
#include "dns/dns.h"
#include "ui.h"

#define ADMIN_REFRESH_MS   1000	 /* the list and the open customer are read again */
#define ADMIN_LIST_MAX_MS  30000 /* the list is read again at least this often */
#define ADMIN_FILTER_MAX   64
#define ADMIN_DNS_EVERY_MS 5000 /* an open customer's records are checked live */

struct admin {
	struct config cfg;
	struct status_row *rows; /* every customer, ranked */
	size_t nrows;
	size_t *shown; /* indexes of rows the filter keeps */
	size_t nshown;
	size_t cursor; /* index into shown */
	size_t top;    /* first row of shown on screen */
	char filter[ADMIN_FILTER_MAX];
	int64_t read_ms; /* monotonic: when the list (or the customer) was read */
	/* the customer open, or "" for the list */
	char open[WIZARD_ID_MAX];
	struct wizard *w;
	bool w_loaded;
	char w_error[512];	   /* why the state could not be read, or "" */
	struct timespec mtime;	   /* of the open customer's file when read */
	struct timespec dir_mtime; /* of the state directory when the list was read */
	int64_t list_ms;	   /* monotonic: when the list was read */
	bool quit;
	/* live DNS: the open customer's records checked by admin itself (not
	 * in the demo, nor with --no-dns) */
	struct loop loop;
	struct dns_source *dns; /* NULL: the DNS status shown is the saved one */
	bool dns_busy;
	int64_t dns_next_ms; /* monotonic: the next check */
	char live_zone[DOMAIN_ASCII_MAX];
	struct expected_record live_records[WIZARD_MAX_RECORDS]; /* what was checked */
	struct record_result live[WIZARD_MAX_RECORDS];		 /* and found */
	size_t nlive;
	bool have_live;
	char live_host[64];
	int64_t live_wall_ms; /* when the last check ended */
	bool live_failed;     /* the last check failed */
};

/* The records of w are the ones checked live (same zone, names, types). */
static bool admin_live_applies(const struct admin *a, const struct wizard *w)
{
	size_t i;
	if (!a->have_live || w->option != OPTION_DOMAIN || w->nrecords != a->nlive ||
	    strcmp(w->domain.ascii, a->live_zone) != 0)
		return false;
	for (i = 0; i < a->nlive; i++)
		if (w->records[i].type != a->live_records[i].type ||
		    strcmp(w->records[i].name, a->live_records[i].name) != 0 ||
		    strcmp(w->records[i].value, a->live_records[i].value) != 0)
			return false;
	return true;
}

/* Shows what admin's own check found in its copy of the customer (never
 * saved): the statuses, the diagnoses, when the next check is. */
static void admin_live_apply(struct admin *a)
{
	struct wizard *w = a->w;
	if (!w || !admin_live_applies(a, w))
		return;
	memcpy(w->results, a->live, a->nlive * sizeof a->live[0]);
	if (a->live_host[0])
		str_copy(w->dns_host, sizeof w->dns_host, a->live_host);
	w->next_check_ms = a->dns_next_ms;
}

static void admin_dns_done(void *arg, enum bh_err err, const struct record_result *results,
			   size_t n, const char *dns_host)
{
	struct admin *a = arg;
	a->dns_busy = false;
	a->dns_next_ms = clock_now_ms() + ADMIN_DNS_EVERY_MS;
	a->live_wall_ms = clock_wall_ms();
	a->live_failed = err != BH_OK || n != a->nlive;
	if (a->live_failed)
		return;
	memcpy(a->live, results, n * sizeof results[0]);
	str_copy(a->live_host, sizeof a->live_host, dns_host ? dns_host : "");
	a->have_live = true;
	admin_live_apply(a);
}

/* Starts a check of the open customer's records when one is due. */
static void admin_dns_start(struct admin *a)
{
	const struct wizard *w = a->w;
	if (!a->dns || a->dns_busy || !a->open[0] || !a->w_loaded || w->option != OPTION_DOMAIN ||
	    !w->nrecords || !w->domain.ascii[0] || clock_now_ms() < a->dns_next_ms)
		return;
	if (!admin_live_applies(a, w)) {
		a->have_live = false;
		str_copy(a->live_zone, sizeof a->live_zone, w->domain.ascii);
		memcpy(a->live_records, w->records, w->nrecords * sizeof w->records[0]);
		a->nlive = w->nrecords;
	}
	if (a->dns->ops->check(a->dns, a->live_zone, a->live_records, a->nlive, admin_dns_done,
			       a) == BH_OK)
		a->dns_busy = true;
	else
		a->dns_next_ms = clock_now_ms() + ADMIN_DNS_EVERY_MS;
}

/* The terminal in the loop: its descriptor only (keys are read after the
 * turn). */
static int admin_term_fill(void *self, struct pollfd *fds, int cap)
{
	(void)self;
	if (cap < 1)
		return 0;
	fds[0].fd = 0;
	fds[0].events = POLLIN;
	return 1;
}
static int64_t admin_term_deadline(void *self)
{
	(void)self;
	return 0;
}
static void admin_term_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	(void)self;
	(void)fds;
	(void)n;
	(void)now_ms;
}
static const struct source_ops admin_term_ops = {admin_term_fill, admin_term_deadline,
						 admin_term_dispatch};

/* The filter keeps a row when every character typed is found, in order,
 * in "<customer> <step> <holdup>" (case ignored): "acrec" finds acme on
 * the records step. */
static bool admin_matches(const struct status_row *r, const char *filter)
{
	char hay[WIZARD_ID_MAX + 64];
	const char *h = hay, *f;
	snprintf(hay, sizeof hay, "%s %s %s", r->customer, wizard_step_word(r->step), r->diag);
	for (f = filter; *f; f++) {
		char c = (char)(*f >= 'A' && *f <= 'Z' ? *f - 'A' + 'a' : *f);
		for (;;) {
			char d = *h;
			if (!d)
				return false;
			h++;
			if ((d >= 'A' && d <= 'Z' ? d - 'A' + 'a' : d) == c)
				break;
		}
	}
	return true;
}

static void admin_filter(struct admin *a)
{
	char keep[WIZARD_ID_MAX] = "";
	size_t i;
	if (a->nshown && a->cursor < a->nshown)
		str_copy(keep, sizeof keep, a->rows[a->shown[a->cursor]].customer);
	free(a->shown);
	a->shown = xmalloc((a->nrows ? a->nrows : 1) * sizeof *a->shown);
	a->nshown = 0;
	a->cursor = 0;
	for (i = 0; i < a->nrows; i++) {
		if (!admin_matches(&a->rows[i], a->filter))
			continue;
		if (keep[0] && strcmp(a->rows[i].customer, keep) == 0)
			a->cursor = a->nshown; /* the same customer stays selected */
		a->shown[a->nshown++] = i;
	}
}

/* The state directory's mtime: a save renames a file into it. */
static struct timespec admin_dir_mtime(const struct admin *a)
{
	struct stat st;
	struct timespec zero = {0, 0};
	return stat(a->cfg.state_dir, &st) == 0 ? st.st_mtim : zero;
}

static void admin_read_list(struct admin *a)
{
	a->dir_mtime = admin_dir_mtime(a);
	a->list_ms = clock_now_ms();
	free(a->rows);
	a->nrows = status_list_read(a->cfg.state_dir, &a->cfg, &a->rows, NULL, true);
	status_rows_rank(a->rows, a->nrows, clock_wall_ms(), a->cfg.stuck_after_ms);
	admin_filter(a);
	a->read_ms = clock_now_ms();
}

/* Reads the open customer again when the file changed (a session running
 * beside us saved), keeping what support did on the screen. */
static bool admin_read_customer(struct admin *a)
{
	struct buf path = {0};
	struct stat st;
	bool changed = false;
	a->read_ms = clock_now_ms();
	buf_printf(&path, "%s/%s.json", a->cfg.state_dir, a->open);
	if (stat(path.data, &st) != 0) {
		snprintf(a->w_error, sizeof a->w_error, "%s: %s", path.data, strerror(errno));
		buf_free(&path);
		return true;
	}
	buf_free(&path);
	if (a->w_loaded && st.st_mtim.tv_sec == a->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == a->mtime.tv_nsec)
		return false;
	{
		struct wizard *fresh = xmalloc(sizeof *fresh);
		struct wizard_config wc = a->cfg.wizard;
		char msg[512];
		str_copy(wc.customer_id, sizeof wc.customer_id, a->open);
		wizard_init(fresh, &wc);
		if (state_peek(a->cfg.state_dir, a->open, fresh, msg, sizeof msg) == BH_OK) {
			if (a->w_loaded && fresh->step == a->w->step) {
				fresh->records_detail = a->w->records_detail;
				if ((size_t)a->w->records_cursor < fresh->nrecords)
					fresh->records_cursor = a->w->records_cursor;
			}
			free(a->w);
			a->w = fresh;
			a->w_loaded = true;
			/* no check of admin's own is due: no countdown, the
			 * saved count ("Checks so far") */
			if (!a->dns)
				a->w->next_check_ms = 0;
			admin_live_apply(a);
			a->w_error[0] = '\0';
			a->mtime = st.st_mtim;
			changed = true;
		} else {
			free(fresh);
			str_copy(a->w_error, sizeof a->w_error, msg);
			changed = true;
		}
	}
	return changed;
}

/* A line of the list: the columns of behalf list, cut to width. */
static void admin_row_text(const struct status_row *r, int64_t now, char *out, size_t cap)
{
	char age[32], recs[48], opt[16];
	status_format_age(now - status_row_since(r), age, sizeof age);
	if (r->records)
		snprintf(recs, sizeof recs, "%zu/%zu", r->verified, r->records);
	else
		str_copy(recs, sizeof recs, "-");
	if (r->option == OPTION_NONE)
		str_copy(opt, sizeof opt, "-");
	else
		snprintf(opt, sizeof opt, "%d", (int)r->option);
	snprintf(out, cap, "%-19.19s %-3s %-10s %-7s %-7s %s%s", r->customer, opt,
		 wizard_step_word(r->step), age, recs, r->diag[0] ? r->diag : "-",
		 r->stuck ? " STUCK" : "");
}

static void admin_draw_list(struct admin *a)
{
	int64_t now = clock_wall_ms();
	int rows = LINES - 6, y, width = COLS - 2;
	char line[512];
	size_t i, stuck = 0;

	erase();
	for (i = 0; i < a->nrows; i++)
		stuck += a->rows[i].stuck;
	ui_style_on(STYLE_TITLE);
	text_fmt(line, sizeof line, "admin.title", a->cfg.wizard.vendor_name, NULL, NULL);
	ui_print(0, 1, width, line);
	ui_style_off(STYLE_TITLE);
	snprintf(line, sizeof line, "%zu", a->nrows);
	{
		char n2[32], text[256];
		snprintf(n2, sizeof n2, "%zu", stuck);
		text_fmt(text, sizeof text,
			 a->nrows == 1	 ? "admin.counts_one"
			 : a->nrows == 0 ? "admin.counts_none"
					 : "admin.counts",
			 line, n2, NULL);
		ui_style_on(STYLE_DIM);
		ui_print(1, 1, width, text);
		ui_style_off(STYLE_DIM);
	}
	text_fmt(line, sizeof line, "admin.filter", a->filter, NULL, NULL);
	ui_print(2, 1, width, line);
	ui_style_on(STYLE_DIM);
	ui_print(3, 1, width, text_get("admin.header"));
	ui_style_off(STYLE_DIM);
	if (rows < 1)
		rows = 1;
	if (a->cursor < a->top)
		a->top = a->cursor;
	if (a->cursor >= a->top + (size_t)rows)
		a->top = a->cursor - (size_t)rows + 1;
	for (y = 0; y < rows && a->top + (size_t)y < a->nshown; y++) {
		size_t k = a->top + (size_t)y;
		const struct status_row *r = &a->rows[a->shown[k]];
		admin_row_text(r, now, line, sizeof line);
		if (k == a->cursor)
			ui_style_on(STYLE_SELECTED);
		else if (r->stuck)
			ui_style_on(STYLE_ERROR);
		ui_print(4 + y, 1, width, line);
		if (k == a->cursor)
			ui_style_off(STYLE_SELECTED);
		else if (r->stuck)
			ui_style_off(STYLE_ERROR);
	}
	if (!a->nshown)
		ui_print(4, 1, width, text_get(a->nrows ? "admin.none_match" : "admin.empty"));
	ui_keys(LINES - 1, 1, width, text_get("admin.footer_list"));
	wnoutrefresh(stdscr);
	doupdate();
}

static void admin_draw_customer(struct admin *a)
{
	struct ui_view v = {0};
	char line[600];
	if (!a->w_loaded) {
		erase();
		text_fmt(line, sizeof line, "admin.unreadable", a->open, a->w_error, NULL);
		ui_wrap(1, 1, COLS - 2, LINES - 3, line);
		ui_keys(LINES - 1, 1, COLS - 2, text_get("admin.footer_customer"));
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	v.now_ms = clock_now_ms();
	v.wall_ms = clock_wall_ms();
	v.ascii = ui_ascii();
	v.color = ui_has_color();
	ui_invalidate();
	ui_draw(a->w, &v);
	/* the last row says whose screen this is, and that it is read-only */
	move(LINES - 1, 0);
	clrtoeol();
	if (a->dns && a->w->option == OPTION_DOMAIN && a->w->nrecords) {
		char when[32] = "";
		if (a->live_wall_ms)
			state_iso_time(a->live_wall_ms, when, sizeof when);
		text_fmt(line, sizeof line,
			 a->live_failed ? "admin.reading_dns_failed"
			 : a->have_live ? "admin.reading_live"
					: "admin.reading_saved",
			 a->open, when + (when[0] ? 11 : 0), NULL);
	} else {
		text_fmt(line, sizeof line, "admin.reading", a->open, NULL, NULL);
	}
	{
		/* the keys at the right as wide as they are, the line in the rest */
		const char *keys = text_get("admin.footer_customer");
		int kw = ui_keys_width(keys);
		ui_style_on(STYLE_WARN);
		ui_print_fit(LINES - 1, 1, COLS - kw - 4, line);
		ui_style_off(STYLE_WARN);
		ui_keys(LINES - 1, COLS - 1 - kw, kw, keys);
	}
	curs_set(0);
	wnoutrefresh(stdscr);
	doupdate();
}

static void admin_open(struct admin *a)
{
	if (!a->nshown)
		return;
	str_copy(a->open, sizeof a->open, a->rows[a->shown[a->cursor]].customer);
	a->w_loaded = false;
	a->have_live = false;
	a->live_failed = false;
	a->live_wall_ms = 0;
	a->dns_next_ms = 0;
	a->w_error[0] = '\0';
	admin_read_customer(a);
}

static void admin_key_list(struct admin *a, const struct ui_key *k)
{
	size_t len = strlen(a->filter);
	if (k->is_function) {
		if (k->code == KEY_UP && a->cursor > 0)
			a->cursor--;
		else if (k->code == KEY_DOWN && a->cursor + 1 < a->nshown)
			a->cursor++;
		else if (k->code == KEY_NPAGE)
			a->cursor = a->cursor + 10 < a->nshown ? a->cursor + 10
							       : (a->nshown ? a->nshown - 1 : 0);
		else if (k->code == KEY_PPAGE)
			a->cursor = a->cursor > 10 ? a->cursor - 10 : 0;
		else if (k->code == KEY_ENTER)
			admin_open(a);
		else if (k->code == KEY_BACKSPACE && len) {
			a->filter[len - 1] = '\0';
			admin_filter(a);
		}
		return;
	}
	switch (k->code) {
	case '\r':
	case '\n':
		admin_open(a);
		return;
	case 27: /* Esc: the filter goes, then the program */
		if (len) {
			a->filter[0] = '\0';
			admin_filter(a);
		} else {
			a->quit = true;
		}
		return;
	case 3:	 /* Ctrl-C */
	case 17: /* Ctrl-Q */
		a->quit = true;
		return;
	case 127:
	case 8:
		if (len) {
			a->filter[len - 1] = '\0';
			admin_filter(a);
		}
		return;
	case 21: /* Ctrl-U */
		a->filter[0] = '\0';
		admin_filter(a);
		return;
	default:
		/* customer ids, steps and holdups are ASCII */
		if (k->code > ' ' && k->code < 127 && len + 1 < sizeof a->filter) {
			a->filter[len] = (char)k->code;
			a->filter[len + 1] = '\0';
			admin_filter(a);
		}
	}
}

static void admin_key_customer(struct admin *a, const struct ui_key *k)
{
	struct wizard *w = a->w;
	if (!k->is_function && (k->code == 27 || k->code == 'q')) {
		if (w && w->records_detail && k->code == 27) {
			w->records_detail = false;
			return;
		}
		a->open[0] = '\0';
		admin_read_list(a);
		return;
	}
	if (!k->is_function && (k->code == 3 || k->code == 17)) {
		a->quit = true;
		return;
	}
	if (!w || w->step != STEP_RECORDS)
		return;
	/* the records screen's own keys that only look: details, moving */
	if (!k->is_function && k->code == 'd')
		w->records_detail = !w->records_detail;
	else if (k->is_function && k->code == KEY_UP && w->records_cursor > 0)
		w->records_cursor--;
	else if (k->is_function && k->code == KEY_DOWN &&
		 (size_t)w->records_cursor + 1 < w->nrecords)
		w->records_cursor++;
}

int cmd_admin(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'}, {"state-dir", required_argument, NULL, 's'},
	    {"demo", no_argument, NULL, 'd'},	      {"no-dns", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *state_dir = NULL;
	struct admin *a = xcalloc(1, sizeof *a);
	bool demo = false, no_dns = false;
	char msg[1024];
	int c, status = 2;

	cli_getopt_start();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'd':
			demo = true;
			break;
		case 'n':
			no_dns = true;
			break;
		case 'h':
			printf("%s\n", text_get("admin.usage"));
			free(a);
			return 0;
		default:
			free(a);
			/* a missing value, too, is called a bad argument here */
			return cli_option_error(c, argv, "admin.usage", "status_cli.bad_argument",
						"status_cli.bad_argument");
		}
	}
	if (optind < argc) {
		free(a);
		return cli_say(CLI_EXIT_USAGE, "status_cli.bad_argument", argv[optind], NULL);
	}
	/* --demo reads where behalf --demo saves (src/app/main.c) */
	if (!cli_config_open(&a->cfg, config_path, state_dir, demo, "cli.config")) {
		free(a);
		return CLI_EXIT_USAGE;
	}
	/* the demo's DNS is a pretend world: the saved status is the one */
	if (!demo && !a->cfg.wizard.demo && !no_dns) {
		a->dns = esp_make_dns(&a->cfg, msg, sizeof msg);
		if (!a->dns) {
			fprintf(stderr, "behalf: %s\n", msg);
			free(a);
			return 2;
		}
	}
	loop_init(&a->loop);
	loop_add(&a->loop, &admin_term_ops, a);
	if (a->dns)
		loop_add(&a->loop, &a->dns->ops->source, a->dns);
	if (!ui_start()) {
		if (a->dns)
			a->dns->ops->destroy(a->dns);
		free(a);
		return 1;
	}
	admin_read_list(a);
	while (!a->quit) {
		struct ui_key k;
		int r;
		admin_dns_start(a);
		if (a->open[0])
			admin_draw_customer(a);
		else
			admin_draw_list(a);
		loop_turn(&a->loop, a->read_ms + ADMIN_REFRESH_MS);
		while ((r = get_wch(&k.code)) != ERR) {
			k.is_function = r == KEY_CODE_YES;
			if (k.is_function && k.code == KEY_RESIZE)
				continue;
			if (a->open[0])
				admin_key_customer(a, &k);
			else
				admin_key_list(a, &k);
			if (a->quit)
				break;
		}
		if (clock_now_ms() - a->read_ms >= ADMIN_REFRESH_MS) {
			struct timespec d = admin_dir_mtime(a);
			if (a->open[0]) {
				admin_read_customer(a);
			} else if (d.tv_sec != a->dir_mtime.tv_sec ||
				   d.tv_nsec != a->dir_mtime.tv_nsec ||
				   clock_now_ms() - a->list_ms >= ADMIN_LIST_MAX_MS) {
				admin_read_list(a); /* something was saved, or ages moved on */
			} else {
				a->read_ms = clock_now_ms();
			}
		}
	}
	ui_stop();
	if (a->dns)
		a->dns->ops->destroy(a->dns);
	status = 0;
	free(a->rows);
	free(a->shown);
	free(a->w);
	free(a);
	return status;
}
