/* The ESP contract suite: one set of tests (contract.c) that every backend
 * of esp.h must pass, run once per backend (ctest contract/<name>).  A
 * backend takes part through one struct contract_backend, written in
 * backend_<name>.c and listed in contract.c's table: how to make a client
 * of a fresh account, how to act as the world around it (the DNS, the
 * person clicking a confirmation link), how to count what the account
 * holds, and how to make the ESP fail.  A failure the backend cannot
 * produce is marked not applicable with the reason, never left out. */
#ifndef BEHALF_TESTS_CONTRACT_H
#define BEHALF_TESTS_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/record.h"
#include "esp/esp.h"

/* What the account holds, as the ESP itself sees it. */
enum contract_kind {
	KIND_DOMAINS,
	KIND_SIGNATURES,
	KIND_EMAILS, /* emails the ESP accepted (the sandbox: kept in its Outbox) */
};

/* The request of an operation a fault is aimed at. */
enum contract_step {
	STEP_DOMAIN_LOOKUP,    /* domain_ensure's search by name */
	STEP_DOMAIN_CREATE,    /* domain_ensure's create */
	STEP_DOMAIN_VERIFY,    /* domain_verify */
	STEP_SIGNATURE_CREATE, /* signature_ensure's create */
	STEP_EMAIL_SEND,       /* email_send */
};

/* The ways an ESP fails that the suite checks.  "Before": the ESP did
 * nothing; "after": it did the work and the answer was lost. */
enum contract_fault {
	FAULT_BAD_CREDENTIALS, /* the client's credentials are refused (HTTP 401) */
	FAULT_NOT_FOUND_404,   /* a missing resource answers a plain 404 (not 422) */
	FAULT_RATE_LIMITED,    /* 429 before acting */
	FAULT_SERVER_ERROR,    /* 500 before acting */
	FAULT_UNAVAILABLE,     /* 503 before acting */
	FAULT_ERROR_AFTER,     /* acted, then answered 500 */
	FAULT_LOST_REPLY,      /* acted, then the connection dropped */
	FAULT_MALFORMED,       /* a success whose body is not JSON */
	FAULT_HIDDEN,	       /* the resource exists but the look-up does not show it
				  (another session created it meanwhile) */
	FAULT__COUNT
};

/* Refusals of the ESP itself: the code it gives (not applicable when
 * why_not is set). */
enum contract_refusal {
	REFUSE_DOMAIN_INVALID,	     /* domain_ensure("not a domain") */
	REFUSE_SIGNATURE_FREEMAIL,   /* signature_ensure of a free-mail address */
	REFUSE_SIGNATURE_BAD_EMAIL,  /* signature_ensure of "jane@localhost" */
	REFUSE_RESEND_CONFIRMED,     /* signature_resend of a confirmed signature */
	REFUSE_EMAIL_UNKNOWN_SENDER, /* email_send from an address the ESP does not know */
	REFUSE_EMAIL_UNCONFIRMED,    /* email_send from an unconfirmed signature */
	REFUSE__COUNT
};

struct contract_code {
	int code;	     /* the ESP's code in reply->esp_code */
	const char *why_not; /* not applicable: why (the code is then unused) */
};

#define CONTRACT_ALWAYS 1000 /* a fault count: every matching request */

struct contract_backend {
	const char *name; /* "sandbox": the ctest case contract/<name> */

	/* Once per run: start what the backend needs (a simulator); 0 when
	 * ready.  teardown stops it. */
	int (*setup)(void);
	void (*teardown)(void);
	/* Before each test: an empty account, no faults armed, DNS empty. */
	void (*reset)(void);
	/* A new client of the account, as a new session makes it (nothing in
	 * memory from an earlier client). */
	struct esp *(*create)(void);
	/* A client whose credentials the ESP refuses (FAULT_BAD_CREDENTIALS). */
	struct esp *(*create_bad_credentials)(void);

	/* The world: the DNS holds the domain's records as the reply describes
	 * them (published) or holds none of them.  The backend tells esp what
	 * the DNS holds when its ESP does not look itself (the sandbox). */
	void (*publish_dns)(struct esp *esp, const struct esp_reply *domain, bool published);
	/* The person clicks the confirmation link of signature id. */
	void (*confirm_signature)(struct esp *esp, const char *id);
	/* How many of kind the account holds now. */
	size_t (*count)(enum contract_kind kind);

	/* Arms fault for the next count requests of step (name: the domain or
	 * address concerned, for FAULT_HIDDEN); false when it cannot.  Faults
	 * with a reason in not_applicable are never asked for. */
	bool (*inject)(enum contract_fault fault, enum contract_step step, int count,
		       const char *name);
	const char *not_applicable[FAULT__COUNT];

	/* Retry promise: how many times one request is tried on 429, 503 (and
	 * on 500 when nothing is sent twice by it) before the operation fails. */
	int tries;

	/* The ESP's codes for a missing domain and a missing signature. */
	int code_domain_not_found;
	int code_signature_not_found;
	struct contract_code refusals[REFUSE__COUNT];
};

extern const struct contract_backend contract_sandbox;
extern const struct contract_backend contract_postmark;
extern const struct contract_backend contract_brokered;

/* The Postmark simulator's base URL once contract_postmark.setup ran (the
 * brokered backend puts the broker in front of it). */
const char *contract_postmark_url(void);

/* ---- reading a domain reply (contract.c; the only code that knows the
 * shape of esp_reply.domain) ---- */

/* How many DNS records the domain asks for. */
size_t contract_domain_record_count(const struct esp_reply *reply);
/* Record i (< count): what to publish, and whether the ESP says it is
 * verified. */
void contract_domain_record(const struct esp_reply *reply, size_t i, struct expected_record *rec,
			    bool *esp_verified);
/* True when the ESP says every required record is verified. */
bool contract_domain_all_verified(const struct esp_reply *reply);

#endif
