#include "esp/broker_ticket.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fileio.h"

static bool ticket_shape_ok(const char *t)
{
	size_t i;
	for (i = 0; i < BROKER_TICKET_LEN; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return t[BROKER_TICKET_LEN] == '\0';
}

enum bh_err broker_ticket_mint_info(const char *dir, const struct broker_ticket_info *info,
				    int64_t now_ms, int64_t ttl_ms, char *ticket, size_t tcap,
				    char *msg, size_t cap)
{
	unsigned char raw[BROKER_TICKET_LEN / 2];
	char path[1200], *s;
	struct timespec times[2];
	int64_t expires = now_ms + ttl_ms;
	json_t *o;
	size_t i;
	bool ok;
	int fd;

	if (!info->customer[0] && !info->fingerprint[0])
		return bh_errorf(BH_ERR_INVALID, msg, cap, "a ticket names a customer or a key");
	if (tcap < BROKER_TICKET_LEN + 1 || getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return bh_errorf(BH_ERR_IO, msg, cap, "no random bytes for a ticket");
	for (i = 0; i < sizeof raw; i++)
		snprintf(ticket + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof raw);
	snprintf(path, sizeof path, "%s/%s", dir, ticket);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot write a ticket in %s: %s", dir,
				 strerror(errno));
	(void)!fchmod(fd, 0640); /* the broker, another user of the group, reads it */
	o = json_pack("{s:s, s:s, s:s, s:I}", "customer", info->customer, "fingerprint",
		      info->fingerprint, "address", info->address, "expires_ms",
		      (json_int_t)expires);
	s = json_dumps(o, JSON_COMPACT);
	ok = s && file_write_all(fd, s, strlen(s));
	free(s);
	json_decref(o);
	/* The file's time is its expiry: pruning reads no file. */
	times[0].tv_sec = times[1].tv_sec = (time_t)(expires / 1000);
	times[0].tv_nsec = times[1].tv_nsec = (long)(expires % 1000) * 1000000L;
	ok = ok && futimens(fd, times) == 0;
	if (close(fd) != 0 || !ok) {
		unlink(path);
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot write a ticket in %s", dir);
	}
	return BH_OK;
}

enum bh_err broker_ticket_mint(const char *dir, const char *customer, int64_t now_ms, char *ticket,
			       size_t tcap, char *msg, size_t cap)
{
	struct broker_ticket_info info;
	memset(&info, 0, sizeof info);
	if (!str_copy(info.customer, sizeof info.customer, customer))
		return bh_errorf(BH_ERR_INVALID, msg, cap, "the customer id is too long");
	return broker_ticket_mint_info(dir, &info, now_ms, BROKER_TICKET_TTL_MS, ticket, tcap, msg,
				       cap);
}

enum bh_err broker_ticket_take(const char *dir, const char *ticket, int64_t now_ms,
			       struct broker_ticket_info *info)
{
	char path[1200], taken[1300];
	const char *c, *fp, *addr;
	json_int_t expires;
	json_t *o;
	bool ok;

	memset(info, 0, sizeof *info);
	if (!ticket || !ticket_shape_ok(ticket))
		return BH_ERR_INVALID;
	snprintf(path, sizeof path, "%s/%s", dir, ticket);
	snprintf(taken, sizeof taken, "%s/.%s.%ld", dir, ticket, (long)getpid());
	/* Whoever renames it first has it: a ticket is used once. */
	if (rename(path, taken) != 0)
		return BH_ERR_NOT_FOUND;
	o = json_load_file(taken, 0, NULL);
	unlink(taken);
	c = json_string_value(json_object_get(o, "customer"));
	fp = json_string_value(json_object_get(o, "fingerprint"));
	addr = json_string_value(json_object_get(o, "address"));
	expires = json_integer_value(json_object_get(o, "expires_ms"));
	ok = c && expires >= now_ms && str_copy(info->customer, sizeof info->customer, c) &&
	     (!fp || str_copy(info->fingerprint, sizeof info->fingerprint, fp)) &&
	     (!addr || str_copy(info->address, sizeof info->address, addr)) &&
	     (info->customer[0] || info->fingerprint[0]);
	json_decref(o);
	if (!ok) {
		memset(info, 0, sizeof *info);
		return BH_ERR_NOT_FOUND;
	}
	return BH_OK;
}

enum bh_err broker_ticket_redeem(const char *dir, const char *ticket, int64_t now_ms,
				 char *customer, size_t ccap)
{
	struct broker_ticket_info info;
	enum bh_err err = broker_ticket_take(dir, ticket, now_ms, &info);
	if (err != BH_OK)
		return err;
	if (!info.customer[0] || !str_copy(customer, ccap, info.customer))
		return BH_ERR_NOT_FOUND;
	return BH_OK;
}

void broker_ticket_drop(const char *dir, const char *ticket)
{
	char path[1200];
	if (!dir || !*dir || !ticket || !ticket_shape_ok(ticket))
		return;
	snprintf(path, sizeof path, "%s/%s", dir, ticket);
	unlink(path);
}

size_t broker_ticket_prune(const char *dir, int64_t now_ms)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	size_t gone = 0;
	int dfd;

	if (!d)
		return 0;
	dfd = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		int64_t at;
		/* tickets, and ".<ticket>.<pid>" a redeemer left when it died */
		if (!ticket_shape_ok(n) && !(n[0] == '.' && strlen(n) > BROKER_TICKET_LEN + 2 &&
					     n[BROKER_TICKET_LEN + 1] == '.'))
			continue;
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		at = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
		if (n[0] == '.')
			at += BROKER_TICKET_TTL_MS; /* its time is the expiry too */
		if (at < now_ms && unlinkat(dfd, n, 0) == 0)
			gone++;
	}
	closedir(d);
	return gone;
}
