/* Tickets for the broker (issue 10, items 3 and 5): whoever decides which
 * key a connection is (the AuthorizedKeysCommand, `behalf ssh-keys`,
 * running as its own user) mints a single-use ticket naming the key's
 * fingerprint and, when sshd gives it, the client's address, and puts it
 * in the forced command of the session it starts; the session gives it at
 * hello; the broker, when its [broker] tickets directory is set, takes the
 * key from the ticket and the customer from that key's binding, never from
 * the session.  A ticket may also name a customer directly: the broker's
 * own resume tickets (handed to a session at hello, to reconnect with
 * after the broker restarted) and `behalf broker --mint-ticket`.
 *
 * A ticket is 32 lower-case hex digits (128 bits from getrandom).  It is
 * kept as the file <dir>/<ticket> ({"customer","fingerprint","address",
 * "expires_ms"}, mode 0640) whose modification time is its expiry, in a
 * directory the minter writes and the broker can read and write, and the
 * sessions' user cannot reach.  Redeeming renames the file away first, so
 * two redeemers never both win; broker_ticket_prune removes the expired
 * ones by their time alone (sshd asks for a key's line twice, and for
 * every key a client offers: most tickets are never redeemed). */
#ifndef BEHALF_ESP_BROKER_TICKET_H
#define BEHALF_ESP_BROKER_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BROKER_TICKET_LEN	  32	     /* hex digits */
#define BROKER_TICKET_TTL_MS	  120000     /* a ticket not redeemed within this is void */
#define BROKER_TICKET_RESUME_MS	  43200000LL /* a resume ticket: 12 h */
#define BROKER_TICKET_PRUNE_EVERY 5000	     /* ms between two prunes of one minter */

/* What a ticket names.  customer "" when it names a key only. */
struct broker_ticket_info {
	char customer[65];
	char fingerprint[80];
	char address[64];
};

/* Mints a ticket for info (customer or fingerprint set) into ticket (at
 * least BROKER_TICKET_LEN + 1 bytes), valid until now_ms (wall clock) +
 * ttl_ms.  BH_ERR_IO with msg (cap bytes) when dir cannot take it. */
enum bh_err broker_ticket_mint_info(const char *dir, const struct broker_ticket_info *info,
				    int64_t now_ms, int64_t ttl_ms, char *ticket, size_t tcap,
				    char *msg, size_t cap);

/* broker_ticket_mint_info for a customer, BROKER_TICKET_TTL_MS. */
enum bh_err broker_ticket_mint(const char *dir, const char *customer, int64_t now_ms, char *ticket,
			       size_t tcap, char *msg, size_t cap);

/* Redeems ticket (once): what it names into *info.  BH_ERR_NOT_FOUND when
 * it is unknown, used or expired at now_ms (wall clock); BH_ERR_INVALID
 * when it is not a ticket's shape. */
enum bh_err broker_ticket_take(const char *dir, const char *ticket, int64_t now_ms,
			       struct broker_ticket_info *info);

/* broker_ticket_take for a ticket naming a customer: its customer into
 * customer (ccap bytes); BH_ERR_NOT_FOUND also when it names a key only. */
enum bh_err broker_ticket_redeem(const char *dir, const char *ticket, int64_t now_ms,
				 char *customer, size_t ccap);

/* Deletes ticket unused (a session that ended); quiet when it is gone. */
void broker_ticket_drop(const char *dir, const char *ticket);

/* Removes the tickets of dir that expired before now_ms (by their
 * modification time: no file is opened), and leftovers of redeemers that
 * died half-way.  Never waits; returns how many went. */
size_t broker_ticket_prune(const char *dir, int64_t now_ms);

#endif
