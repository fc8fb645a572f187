/* Tickets for the broker (issue 10, item 5, the step after trusting the
 * customer a session declares): whoever decides which customer a
 * connection is (the AuthorizedKeysCommand, `behalf ssh-keys`, running as
 * its own user) mints a single-use ticket naming the customer, and hands it
 * to the session it starts; the session gives it at hello; the broker, when
 * its [broker] tickets directory is set, takes the customer from the ticket
 * and never from the session.
 *
 * A ticket is 32 lower-case hex digits (128 bits from getrandom).  It is
 * kept as the file <dir>/<ticket> ({"customer","expires_ms"}, mode 0640)
 * in a directory the minter writes and the broker can read and write, and
 * the sessions' user cannot reach.  Redeeming renames the file away first,
 * so two redeemers never both win. */
#ifndef BEHALF_ESP_BROKER_TICKET_H
#define BEHALF_ESP_BROKER_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BROKER_TICKET_LEN    32	    /* hex digits */
#define BROKER_TICKET_TTL_MS 120000 /* a ticket not redeemed within this is void */

/* Mints a ticket for customer into ticket (at least BROKER_TICKET_LEN + 1
 * bytes), valid until now_ms (wall clock) + BROKER_TICKET_TTL_MS.  BH_ERR_IO
 * with msg (cap bytes) when dir cannot take it. */
enum bh_err broker_ticket_mint(const char *dir, const char *customer, int64_t now_ms, char *ticket,
			       size_t tcap, char *msg, size_t cap);

/* Redeems ticket (once): its customer into customer (ccap bytes).
 * BH_ERR_NOT_FOUND when it is unknown, used or expired at now_ms (wall
 * clock); BH_ERR_INVALID when it is not a ticket's shape. */
enum bh_err broker_ticket_redeem(const char *dir, const char *ticket, int64_t now_ms,
				 char *customer, size_t ccap);

#endif
