/* The From header of option 3 (custom From name): the display name built
 * from a format, the address on the vendor's domain, and the exact RFC 5322
 * header with quoting and RFC 2047 encoded-words. */
#ifndef BEHALF_CORE_FROMHDR_H
#define BEHALF_CORE_FROMHDR_H

#include <stdbool.h>
#include <stddef.h>

enum from_format {
	FROM_FORMAT_VIA,    /* "NAME via VENDOR" */
	FROM_FORMAT_FOR,    /* "VENDOR for NAME" */
	FROM_FORMAT_PLAIN,  /* "NAME" */
	FROM_FORMAT_CUSTOM, /* a pattern with {name} and {vendor} */
	FROM_FORMAT__COUNT
};

enum from_address {
	FROM_ADDRESS_SHARED,	/* the vendor's shared address, e.g. support@vendor.example */
	FROM_ADDRESS_LOCAL,	/* <customer>@vendor.example */
	FROM_ADDRESS_SUBDOMAIN, /* <customer>@<customer>.vendor.example */
	FROM_ADDRESS__COUNT
};

#define FROM_DISPLAY_MAX 512
#define FROM_HEADER_MAX	 2048

/* Builds the display name (UTF-8) for a format; pattern is used only for
 * FROM_FORMAT_CUSTOM ({name} and {vendor} are replaced).  Returns the length
 * needed, like snprintf. */
size_t fromhdr_display_name(enum from_format format, const char *name, const char *vendor,
			    const char *pattern, char *out, size_t cap);

/* True when pattern's only placeholders are {name} and {vendor} (and no
 * other brace); else bad (cap bytes) receives the first offender, "{nmae}"
 * or a brace on its own. */
bool fromhdr_pattern_ok(const char *pattern, char *bad, size_t cap);

/* Builds the sender address.  shared_local is the vendor's shared local
 * part ("notifications"), customer_slug a DNS-safe label for the customer
 * (see fromhdr_slug). */
size_t fromhdr_address(enum from_address kind, const char *shared_local, const char *customer_slug,
		       const char *vendor_domain, char *out, size_t cap);

/* Turns a customer id or name into a lower-case label usable as a local
 * part and a DNS label: [a-z0-9-], at most 63 characters, never empty. */
void fromhdr_slug(const char *in, char *out, size_t cap);

/* The From line as mail programs show it, encoded-words decoded:
 * "Jörg via Vendor <jane@vendor.example>" (the address alone when display
 * is empty).  Returns the length needed. */
size_t fromhdr_shown(const char *display, const char *address, char *out, size_t cap);

/* Writes the whole header line "From: <display> <addr>" as it goes on the
 * wire: the display name as an atom when it can be, a quoted-string
 * (escaping " and \) when it has specials such as commas, and RFC 2047
 * encoded-words (=?UTF-8?B?...?= or Q) when it is not ASCII; folded lines
 * at most 78 characters.  A fold is written "\n " (no CR, no final newline)
 * so the screen can show it as is; whoever writes it to the wire turns each
 * "\n" into "\r\n".  Returns the length needed. */
size_t fromhdr_header(const char *display, const char *address, char *out, size_t cap);

#endif
