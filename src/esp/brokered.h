/* The ESP through the broker (`behalf broker`, src/app/cmd_broker.c): a
 * backend of esp.h that holds no token.  It talks to the broker over a
 * Unix stream socket; the broker holds the ESP's tokens, makes the ESP's
 * calls with its own backend (Postmark), keeps which resources belong to
 * which customer, and applies one rate limit for the whole host.
 *
 * The protocol: newline-delimited JSON, one object a line, at most
 * BROKERED_LINE_MAX bytes with the newline; one request, then one reply,
 * never two requests under way on a connection.
 *
 *   session -> broker  {"op":"hello","v":1,"customer":"acme","ticket":"..."}
 *   broker -> session  {"ok":true,"v":1,"esp":"Postmark","caps":15,
 *                       "trouble":[0,100,429]}
 *                   or {"ok":false,"message":"..."} and the broker closes
 *   session -> broker  {"op":"domain_ensure","domain":"acme.example"}
 *                      {"op":"domain_verify"|"domain_delete","id":"12"}
 *                      {"op":"signature_ensure","email","name","reply_to","note"}
 *                      {"op":"signature_get"|"signature_resend"|
 *                            "signature_delete","id"}
 *                      {"op":"signature_update","id","name"}
 *                      {"op":"email_send","from","to","reply_to","subject",
 *                            "text","html"}
 *                      {"op":"server_ensure"}  (always the customer's server)
 *   broker -> session  {"err":N,"esp_code":N,"message":"...",
 *                       "domain":{"exists","id","name","records":[{"purpose",
 *                       "type","name","value","required","esp_verified"}]},
 *                       "signature":{"exists","id","email","name","confirmed",
 *                       "created_ms","resent_ms"},"server_id":"...",
 *                       "server_token_set":false}
 *
 * err is an enum bh_err (both ends are the same build); "caps" the ESP's
 * ESP_CAP_* bits (this backend offers exactly those operations); "trouble"
 * the ESP codes whose refusal is the ESP having trouble (error_kind).
 * Strings in a reply were sanitized by the broker's backend.  A customer
 * id is declared at hello and every operation is scoped to it by the
 * broker. */
#ifndef BEHALF_ESP_BROKERED_H
#define BEHALF_ESP_BROKERED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/alloc.h"
#include "core/error.h"
#include "esp/esp.h"

#define BROKERED_VERSION     1
#define BROKERED_LINE_MAX    65536 /* one message, with its newline */
#define BROKERED_HELLO_MS    5000  /* the longest create() waits for the hello */
#define BROKERED_TROUBLE_MAX 16

/* A client of the broker listening on socket_path, for customer (a valid
 * customer id), with ticket (esp/broker_ticket.h; NULL or "": none) given
 * at the first hello only; connects and says hello before returning.  NULL with msg
 * (cap bytes) when the broker cannot be reached or refuses.  Free with
 * esp->ops->destroy. */
struct esp *brokered_create(const char *socket_path, const char *customer, const char *ticket,
			    char *msg, size_t cap);

/* True when esp is a brokered client. */
bool brokered_is(const struct esp *esp);

/* ---- the wire, shared with the broker ---- */

/* The reply (err and what the backend said) as the protocol's object. */
json_t *brokered_reply_json(enum bh_err err, const struct esp_reply *reply);

/* Reads a reply object into *err and *reply (zeroed first); false when it
 * is not one. */
bool brokered_reply_read(const json_t *o, enum bh_err *err, struct esp_reply *reply);

/* One line (without its newline) of JSON, as an object; NULL when it is
 * not an object. */
json_t *brokered_line_parse(const char *line, size_t len);

/* Appends o as one line to out; false when it does not fit. */
bool brokered_line_put(struct buf *out, const json_t *o);

#endif
