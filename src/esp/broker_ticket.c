#include "esp/broker_ticket.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
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

enum bh_err broker_ticket_mint(const char *dir, const char *customer, int64_t now_ms, char *ticket,
			       size_t tcap, char *msg, size_t cap)
{
	unsigned char raw[BROKER_TICKET_LEN / 2];
	char path[1200], *s;
	json_t *o;
	size_t i;
	bool ok;
	int fd;

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
	o = json_pack("{s:s, s:I}", "customer", customer, "expires_ms",
		      (json_int_t)(now_ms + BROKER_TICKET_TTL_MS));
	s = json_dumps(o, JSON_COMPACT);
	ok = s && file_write_all(fd, s, strlen(s));
	free(s);
	json_decref(o);
	if (close(fd) != 0 || !ok) {
		unlink(path);
		return bh_errorf(BH_ERR_IO, msg, cap, "cannot write a ticket in %s", dir);
	}
	return BH_OK;
}

enum bh_err broker_ticket_redeem(const char *dir, const char *ticket, int64_t now_ms,
				 char *customer, size_t ccap)
{
	char path[1200], taken[1300];
	json_t *o;
	const char *c;
	json_int_t expires;

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
	expires = json_integer_value(json_object_get(o, "expires_ms"));
	if (!c || expires < now_ms || !str_copy(customer, ccap, c)) {
		json_decref(o);
		return BH_ERR_NOT_FOUND;
	}
	json_decref(o);
	return BH_OK;
}
