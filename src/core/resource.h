/* What a customer has at an ESP, as the ESP describes it, in words that
 * fit every ESP: a domain is a list of DNS records (TXT, CNAME, MX), each
 * with its purpose, whether it is required, and the ESP's own verdict; a
 * sender signature is an address the ESP confirms.  No ESP and no wizard
 * here: the backends (src/esp/) fill these, the wizard reads them. */
#ifndef BEHALF_CORE_RESOURCE_H
#define BEHALF_CORE_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "core/record.h"
#include "core/validate.h"

#define RESOURCE_ID_MAX	     64 /* an ESP's id of a resource, with NUL */
#define RESOURCE_RECORDS_MAX 8	/* records an ESP may ask for, for one domain */

/* One DNS record the ESP asks the customer to publish. */
struct resource_record {
	struct expected_record rec; /* purpose, type (TXT, CNAME, MX), name, value, required */
	bool esp_verified;	    /* the ESP's own verdict on this record */
};

/* The customer's domain at the ESP (option 1), as the ESP last described it. */
struct wizard_domain_res {
	bool exists;
	char id[RESOURCE_ID_MAX];
	char name[DOMAIN_ASCII_MAX];
	size_t nrecords; /* records[0..nrecords), in the ESP's order */
	struct resource_record records[RESOURCE_RECORDS_MAX];
};

/* The sender signature at the ESP (option 2). */
struct wizard_signature_res {
	bool exists;
	char id[RESOURCE_ID_MAX];
	char email[EMAIL_MAX];
	char name[FIELD_CAP];
	bool confirmed;
	int64_t created_ms; /* wall clock, ms */
	int64_t resent_ms;  /* last resend, 0 if never */
};

/* Appends a record to d (the name lower-cased by the caller); false when
 * the list is full. */
bool resource_add_record(struct wizard_domain_res *d, enum record_purpose purpose,
			 enum record_type type, const char *name, const char *value, bool required,
			 bool esp_verified);

/* True when the ESP says every required record of d is verified (false for
 * a domain without records: there is nothing the ESP checked). */
bool resource_esp_verified(const struct wizard_domain_res *d);

/* The record of d with that type and name (case-insensitive), or NULL. */
const struct resource_record *resource_find(const struct wizard_domain_res *d,
					    enum record_type type, const char *name);

#endif
