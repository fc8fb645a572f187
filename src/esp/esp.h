/* The ESP interface.  The wizard and the screens never know which ESP they
 * talk to: postmark.c (live, libcurl multi) and sandbox.c (offline demo and
 * UI tests) both implement these operations.
 *
 * Every operation is asynchronous: it returns BH_OK when started and calls
 * done(arg, err, reply) later, from the source's dispatch; BH_ERR_BUSY when
 * another request is under way (one at a time).  The reply is valid only
 * during the callback.  "ensure" operations find by name before creating,
 * and adopt an existing resource, so that nothing is ever created twice.
 *
 * caps says what the backend can do (core/caps.h); an operation of a
 * capability it lacks is NULL.  The operations marked optional are NULL
 * where the backend has no use for them (the demo's are NULL for Postmark).
 * Backends are made in one place, src/app/esp_make.c, from the
 * configuration. */
#ifndef BEHALF_ESP_ESP_H
#define BEHALF_ESP_ESP_H

#include <stdbool.h>

#include "core/caps.h"
#include "core/error.h"
#include "core/record.h"
#include "core/source.h"
#include "core/resource.h"

struct esp_reply {
	int esp_code;			       /* ESP's error code, 0 when none */
	char message[256];		       /* ESP's message, untrusted */
	struct wizard_domain_res domain;       /* domain operations */
	struct wizard_signature_res signature; /* signature operations */
	char server_id[RESOURCE_ID_MAX];       /* server operations */
	char server_token_set;		       /* a server token came back (kept in memory only) */
};

/* One email to send (strings owned by the caller, copied by the operation). */
struct esp_email {
	const char *from;     /* "Name <address>", an address the ESP lets the vendor use */
	const char *to;	      /* one address */
	const char *reply_to; /* may be NULL or "" */
	const char *subject;
	const char *text_body;
	const char *html_body; /* may be NULL */
};

typedef void (*esp_done_fn)(void *arg, enum bh_err err, const struct esp_reply *reply);

struct esp;

struct esp_ops {
	const char *name; /* "Postmark", shown to people */
	unsigned caps;	  /* ESP_CAP_* bits: what the backend can do */
	void (*destroy)(struct esp *esp);
	/* Finds or creates domain; the reply lists the records the ESP asks
	 * for (their names are the backend's business, e.g. Postmark's
	 * Return-Path label comes from its configuration). */
	enum bh_err (*domain_ensure)(struct esp *esp, const char *domain, esp_done_fn done,
				     void *arg);
	enum bh_err (*domain_verify)(struct esp *esp, const char *id, esp_done_fn done, void *arg);
	enum bh_err (*domain_delete)(struct esp *esp, const char *id, esp_done_fn done, void *arg);
	enum bh_err (*signature_ensure)(struct esp *esp, const char *email, const char *name,
					const char *reply_to, const char *note, esp_done_fn done,
					void *arg);
	enum bh_err (*signature_get)(struct esp *esp, const char *id, esp_done_fn done, void *arg);
	enum bh_err (*signature_resend)(struct esp *esp, const char *id, esp_done_fn done,
					void *arg);
	enum bh_err (*signature_delete)(struct esp *esp, const char *id, esp_done_fn done,
					void *arg);
	/* Changes the signature's Name (Postmark: PUT /senders/{id}); the reply
	 * holds its details afterwards. */
	enum bh_err (*signature_update)(struct esp *esp, const char *id, const char *name,
					esp_done_fn done, void *arg);
	/* Sends one email; on success reply->message holds the ESP's message id
	 * (the sandbox: where it kept the email instead of sending it).  An
	 * email is never sent twice by a retry. */
	enum bh_err (*email_send)(struct esp *esp, const struct esp_email *email, esp_done_fn done,
				  void *arg);
	/* ESP_CAP_SERVERS: finds or creates the customer's server (name NULL:
	 * the configured one); reply->server_id names it. */
	enum bh_err (*server_ensure)(struct esp *esp, const char *name, esp_done_fn done,
				     void *arg);
	/* What a failed operation means: BH_ERR_NETWORK when the ESP had
	 * trouble (retried later, not the customer's doing), else err as is.
	 * The backend reads its own error codes; NULL: err as is. */
	enum bh_err (*error_kind)(enum bh_err err, const struct esp_reply *reply);
	/* Optional: what the application's last DNS check of the domain with ESP
	 * id domain_id found (n records and their results), for a backend that
	 * does not look at DNS itself (the demo's). */
	void (*dns_observed)(struct esp *esp, const char *domain_id,
			     const struct expected_record *records,
			     const struct record_result *results, size_t n);
	/* Optional (demo): the pretend customer clicks the confirmation link of
	 * the signature with id signature_id; BH_ERR_NOT_FOUND when unknown. */
	enum bh_err (*pretend_click)(struct esp *esp, const char *signature_id);
	/* Optional (demo): forgets what dns_observed told (after a reset). */
	void (*forget_observed)(struct esp *esp);
	struct source_ops source; /* loop integration; self is the struct esp */
};

/* Every implementation starts with this. */
struct esp {
	const struct esp_ops *ops;
};

/* True when the backend has every capability in caps. */
static inline bool esp_can(const struct esp *esp, unsigned caps)
{
	return (esp->ops->caps & caps) == caps;
}

/* What a failed operation means (esp_ops.error_kind). */
static inline enum bh_err esp_error_kind(const struct esp *esp, enum bh_err err,
					 const struct esp_reply *reply)
{
	return esp->ops->error_kind && reply ? esp->ops->error_kind(err, reply) : err;
}

#endif
