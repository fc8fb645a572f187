/* Checks of what the customer types: domains, email addresses, display
 * names.  Each check returns an input_error code; the words for each code
 * are text "input.<code word>" in assets/text/input.ini, shown at the field. */
#ifndef BEHALF_CORE_VALIDATE_H
#define BEHALF_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#define DOMAIN_ASCII_MAX   254 /* 253 characters + NUL */
#define DOMAIN_UNICODE_MAX 1024
#define EMAIL_MAX	   320 /* 64 + 1 + 253 + slack, with NUL */
#define DISPLAY_NAME_MAX   100 /* characters (code points) a display name may have */

enum input_error {
	INPUT_OK = 0,
	INPUT_EMPTY,		 /* nothing typed */
	INPUT_TOO_LONG,		 /* whole input over its limit */
	INPUT_LABEL_TOO_LONG,	 /* a domain label over 63 octets */
	INPUT_LABEL_EMPTY,	 /* two dots in a row, leading dot */
	INPUT_LABEL_HYPHEN,	 /* label starts or ends with '-' */
	INPUT_BAD_CHARACTER,	 /* a character not allowed here (arg: it) */
	INPUT_SINGLE_LABEL,	 /* "localhost", "example": needs a dot */
	INPUT_IP_LITERAL,	 /* 192.0.2.1, [2001:db8::1] */
	INPUT_IDN_INVALID,	 /* libidn2 refused the internationalized name */
	INPUT_NUMERIC_TLD,	 /* last label all digits */
	INPUT_VENDOR_DOMAIN,	 /* the vendor's own domain (or under it) */
	INPUT_FREEMAIL,		 /* gmail.com & co: cannot be authenticated */
	INPUT_EMAIL_NO_AT,	 /* no '@' */
	INPUT_EMAIL_LOCAL,	 /* local part empty, too long or malformed */
	INPUT_CONTROL_CHARACTER, /* control characters are refused */
	INPUT_BAD_UTF8,		 /* not valid UTF-8 */
	INPUT_URL,		 /* "https://..." typed where a domain goes */
	INPUT_PATTERN_NO_NAME,	 /* custom From pattern lacks {name} */
	INPUT_PUBLIC_SUFFIX,	 /* co.uk, github.io: a suffix nobody owns (Public Suffix List) */
	INPUT_RECORD_TOO_LONG,	 /* a DNS record name under it would pass 253 octets (arg: max) */
	INPUT_DID_YOU_MEAN,	 /* a link or address where a domain goes (arg: the domain meant) */
	INPUT_WWW,		 /* www.<domain>, asked once (arg: the domain without www.) */
	INPUT_SUBDOMAIN,	 /* a subdomain, asked once (arg: its registrable domain) */
	INPUT_DNS_LABEL,	 /* not one DNS label (letters, digits, hyphens, 1-63) */
	INPUT_PASTE_NEWLINE,	 /* a paste's line breaks were left out */
	INPUT_PATTERN_UNKNOWN,	 /* a placeholder but {name}, {vendor} */
	INPUT__COUNT
};

/* A domain as the customer typed it, checked and in both forms. */
struct domain_value {
	char ascii[DOMAIN_ASCII_MAX];	  /* A-label form, lower case, no trailing dot */
	char unicode[DOMAIN_UNICODE_MAX]; /* U-label form for display (== ascii when ASCII) */
	bool is_idn;			  /* ascii and unicode differ */
};

/* What a check knows about the vendor. */
struct validate_context {
	const char *vendor_domain; /* refused as a customer domain; may be NULL */
	bool refuse_freemail;	   /* options 1 and 2 refuse free-mail domains */
};

/* What a domain typed by the customer probably meant (see
 * validate_domain_suggest). */
enum domain_hint {
	DOMAIN_HINT_NONE = 0,
	DOMAIN_HINT_CLEANED, /* a link or an email address: its host, lower case, no www. */
	DOMAIN_HINT_WWW,     /* a valid www.<domain>: the domain without www. */
	DOMAIN_HINT_PARENT,  /* a valid subdomain (not www): its registrable domain */
};

/* The stable word for a code ("empty", "label-too-long", ...), used as the
 * text id "input.<word>". */
const char *input_error_word(enum input_error err);

/* Checks a domain typed by the customer (UTF-8; surrounding blanks and one
 * trailing dot allowed).  On INPUT_OK fills out.  On error, detail (may be
 * NULL, cap bytes) receives the offending part (a label, a character) to
 * show in the message. */
enum input_error validate_domain(const char *input, const struct validate_context *ctx,
				 struct domain_value *out, char *detail, size_t cap);

/* Checks an email address (local@domain, the domain as validate_domain).
 * On INPUT_OK writes the normalised address (domain in A-labels, lower
 * case) to out (cap bytes) and the domain to domain_out (may be NULL). */
enum input_error validate_email(const char *input, const struct validate_context *ctx, char *out,
				size_t cap, struct domain_value *domain_out, char *detail,
				size_t cap_detail);

/* Checks a display name: valid UTF-8, no control characters, 1 to
 * DISPLAY_NAME_MAX characters after trimming. */
enum input_error validate_display_name(const char *input, char *detail, size_t cap);

/* The domain the customer probably meant by input, written to out (cap
 * bytes, the Unicode form) when there is one:
 * - a link ("https://www.Example.COM:443/x") or an address
 *   ("jane@acme.com"): its host, lower case, without a leading www.;
 * - "www.example.com": example.com (a website's name, not a mail domain);
 * - "mail.example.com": example.com, the registrable domain by the Public
 *   Suffix List.  A subdomain may be what the customer wants, so this is
 *   only offered, never applied.
 * The suggestion itself passes validate_domain without a context. */
enum domain_hint validate_domain_suggest(const char *input, char *out, size_t cap);

/* Option 1: checks that the names the ESP will ask for under a checked
 * domain fit the 253 octets of a DNS name: longest_label is the longest
 * name the ESP puts in front of the domain ("20250817055129pm._domainkey";
 * NULL or "" checks the domain alone).  INPUT_RECORD_TOO_LONG, detail: the
 * longest domain that fits. */
enum input_error validate_record_names(const struct domain_value *d, const char *longest_label,
				       char *detail, size_t cap);

/* Splits a mailbox as mail programs show it, "Jane Doe <jane@example.com>"
 * or "\"Doe, Jane\" <jane@example.com>", into the display name (quotes
 * removed; may be empty) and the address, both trimmed.  False when input
 * is not of that form (then out is untouched). */
bool validate_split_mailbox(const char *input, char *name, size_t name_cap, char *address,
			    size_t address_cap);

/* Checks a local part (the part before the @) as a dot-atom of ASCII. */
enum input_error validate_local_part(const char *input, char *detail, size_t cap);

/* Checks one DNS label: letters, digits and hyphens, 1 to 63, no hyphen at
 * either end (INPUT_DNS_LABEL, detail: what was found). */
enum input_error validate_dns_label(const char *input, char *detail, size_t cap);

/* True when domain (A-label form) is a free-mail provider's domain, from
 * assets/freemail.txt. */
bool validate_is_freemail(const char *domain);

/* Trims blanks at both ends, in place. */
void validate_trim(char *s);

/* The registrable domain of name (lower case, without a final dot) by the
 * Public Suffix List: example.com for mail.example.com, example.co.uk for
 * a.b.example.co.uk; the DMARC organizational domain (RFC 7489 3.2).  False
 * (out "") for a listed suffix, an empty name or one that does not fit. */
bool validate_registrable_domain(const char *name, char *out, size_t cap);

#endif
