/* The vendor's Domain Connect template (docs/domain-connect.md): the
 * records a customer's DNS host applies for the ESP, as the JSON file the
 * vendor submits to Domain-Connect/Templates. */
#ifndef BEHALF_DC_TEMPLATE_H
#define BEHALF_DC_TEMPLATE_H

#include <stdbool.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/record.h"
#include "dc/url.h"

/* The template's variables (what the apply URL carries). */
#define DC_VAR_DKIM_SELECTOR	 "dkimselector"
#define DC_VAR_DKIM_VALUE	 "dkimvalue"
#define DC_VAR_RETURN_PATH_VALUE "returnpathvalue"

struct dc_template {
	const char *provider_id;	/* the vendor's domain: "acmehelp.example" */
	const char *provider_name;	/* the vendor's name: "Acme Help Desk" */
	const char *service_id;		/* "postmark" */
	const char *service_name;	/* "Email sending (Postmark)" */
	const char *sync_pubkey_domain; /* where <key_host> TXT records live */
	const char *return_path_host;	/* the fixed Return-Path label: "pm-bounces" */
	const char *logo_url;		/* "" = none */
	const char *description;	/* "" = a default naming the vendor */
	const char *dmarc_value;	/* "" = no DMARC record */
	long version;			/* 1 when 0 */
};

/* The file name "<providerId>.<serviceId>.json" into out. */
bool dc_template_filename(const struct dc_template *t, char *out, size_t cap);

/* The template as indented JSON (ending with a newline) appended to out.
 * Records: DKIM TXT at %dkimselector%._domainkey = %dkimvalue%, the
 * Return-Path CNAME <return_path_host> -> %returnpathvalue%, and, with a
 * dmarc_value, a DMARC TXT at _dmarc that does not replace an existing
 * DMARC record without the customer's consent (txtConflictMatchingMode
 * Prefix "v=DMARC1", essential OnApply).  BH_ERR_INVALID when a required
 * value is empty. */
enum bh_err dc_template_json(const struct dc_template *t, struct buf *out);

/* The apply URL's variables for the ESP's records of fqdn (the name being
 * set up: the zone, or host.zone): dkimselector (the DKIM record's name
 * minus "._domainkey.<fqdn>"), dkimvalue and returnpathvalue.  Fills vars
 * (at least 3) with pointers into recs and sel (cap bytes); returns how
 * many, 0 when the records do not fit the template: no DKIM TXT under
 * <selector>._domainkey.<fqdn>, or a Return-Path CNAME not at
 * <return_path_host>.<fqdn> (then the template cannot apply them: show the
 * manual instructions). */
size_t dc_template_vars(const struct expected_record *recs, size_t n, const char *fqdn,
			const char *return_path_host, char *sel, size_t cap, struct dc_var *vars,
			size_t max);

#endif
