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
 *                       "trouble":[0,100,429],"customer":"acme",
 *                       "resume":"<ticket for the next hello>"}
 *                   or {"ok":true,"v":1,"enroll":true,"fingerprint":"SHA256:..."}
 *                       (a ticket of a key bound to none: only "enroll" now)
 *                   or {"ok":false,"message":"..."} and the broker closes
 *   session -> broker  {"op":"enroll","code":"7KQ2-...","from":"192.0.2.7"}
 *   broker -> session  the hello's yes, for the code's customer, or
 *                      {"ok":false,"err":N,"wait_s":N,"message":"..."}
 *   session -> broker  {"op":"domain_ensure","domain":"acme.example"}
 *                      {"op":"domain_verify"|"domain_delete","id":"12"}
 *                      {"op":"signature_ensure","email","name","reply_to","note"}
 *                      {"op":"signature_get"|"signature_resend"|
 *                            "signature_delete","id"}
 *                      {"op":"signature_update","id","name"}
 *                      {"op":"email_send","from","to","reply_to","subject",
 *                            "text","html"}
 *                      {"op":"server_ensure"}  (always the customer's server)
 *                      {"op":"dc_sign","data":"<the canonical string>"}
 *                          (Domain Connect: the vendor's RS256 signature over
 *                          data, only for a domain= (with host=) the
 *                          customer owns at the ESP)
 *   broker -> session  {"err":N,"esp_code":N,"message":"...",
 *                       "domain":{"exists","id","name","records":[{"purpose",
 *                       "type","name","value","required","esp_verified"}]},
 *                       "signature":{"exists","id","email","name","confirmed",
 *                       "created_ms","resent_ms"},"server_id":"...",
 *                       "server_token_set":false}
 *                   or, to dc_sign, {"err":N,"message":"...","sig":"<base64>"}
 *
 * The hello's yes says "dc_sign":true when the broker holds a Domain
 * Connect key ([domainconnect] private_key_file of its own config).
 *
 * err is an enum bh_err (both ends are the same build); "caps" the ESP's
 * ESP_CAP_* bits (this backend offers exactly those operations); "trouble"
 * the ESP codes whose refusal is the ESP having trouble (error_kind).
 * Strings in a reply were sanitized by the broker's backend.  With the
 * broker's [broker] tickets the customer comes from the ticket (its key's
 * binding) and "customer" at hello may be "" or must agree; without, it is
 * declared at hello.  Every operation is scoped to it by the broker. */
#ifndef BEHALF_ESP_BROKERED_H
#define BEHALF_ESP_BROKERED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/alloc.h"
#include "core/error.h"
#include "dc/sign.h"
#include "esp/esp.h"

#define BROKERED_VERSION     1
#define BROKERED_LINE_MAX    65536 /* one message, with its newline */
#define BROKERED_HELLO_MS    5000  /* the longest create() waits for the hello */
#define BROKERED_TROUBLE_MAX 16
#define BROKERED_ENROLL_MS   15000 /* the longest brokered_enroll waits */

/* A client of the broker listening on socket_path, for customer (a valid
 * customer id), with ticket (esp/broker_ticket.h; NULL or "": none) given
 * at the first hello only; connects and says hello before returning.  NULL with msg
 * (cap bytes) when the broker cannot be reached or refuses.  Free with
 * esp->ops->destroy. */
struct esp *brokered_create(const char *socket_path, const char *customer, const char *ticket,
			    char *msg, size_t cap);

/* With a ticket naming a key bound to no customer, brokered_create
 * returns a client in enrollment: no operation until brokered_enroll
 * redeems a code (the broker binds the key and the connection goes on as
 * that customer's).  True while so. */
bool brokered_enrolling(const struct esp *esp);

/* The customer the broker named at hello or enrollment ("" before). */
const char *brokered_customer(const struct esp *esp);

/* The key the broker is enrolling (from its ticket): "SHA256:...". */
const char *brokered_fingerprint(const struct esp *esp);

/* Gives the broker a code typed by the customer (from: the client's
 * address as the session knows it, used only when the ticket has none);
 * waits up to BROKERED_ENROLL_MS.  BH_OK: the key is bound, the client
 * ready for that customer.  Else the broker's refusal: BH_ERR_INVALID
 * (wrong code), BH_ERR_BUSY (*wait_s seconds), BH_ERR_IO; msg its words
 * ("" when it gave none).  BH_ERR_NETWORK when the broker went away. */
enum bh_err brokered_enroll(struct esp *esp, const char *code, const char *from, int *wait_s,
			    char *msg, size_t cap);

/* True when esp is a brokered client. */
bool brokered_is(const struct esp *esp);

/* The Domain Connect signer of a session served through the broker: the
 * broker signs with the vendor's key (op dc_sign), which never enters the
 * session.  sign() queues the request on esp's connection (after the ESP
 * operation under way, if any; ESP operations asked meanwhile get
 * BH_ERR_BUSY) and done runs from esp's dispatch with the broker's
 * signature or its refusal; one signature at a time (BH_ERR_BUSY).  When
 * the broker said at hello that it holds no key, sign() fails at once
 * (BH_ERR_INVALID).  NULL when brokered is not a brokered client or already
 * has a signer.  The signer and the client may be destroyed in either
 * order: a signature under way then ends with BH_ERR_NETWORK. */
struct dc_signer *esp_brokered_signer(struct esp *brokered);

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
