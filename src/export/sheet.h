/* Inside src/export/: the sheet, i.e. everything an export says, taken from
 * the wizard once and sanitized, so that each format only lays it out and
 * escapes it.  Not used outside src/export/. */
#ifndef BEHALF_EXPORT_SHEET_H
#define BEHALF_EXPORT_SHEET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/alloc.h"
#include "core/record.h"
#include "core/wizard.h"
#include "export/export.h"

#define SHEET_TEXT_MAX	2048 /* one sentence or paragraph */
#define SHEET_SHORT_MAX 256  /* a name, a label, a heading */

/* One diagnosis, in words. */
struct sheet_diag {
	char sentence[SHEET_TEXT_MAX];
	char fix[SHEET_TEXT_MAX];
};

/* One record to publish, with its current status. */
struct sheet_record {
	const char *purpose;	       /* stable word: "dkim" (static) */
	const char *title;	       /* "DKIM key" (static) */
	char heading[SHEET_SHORT_MAX]; /* "1. DKIM key (required)" */
	const char *type;	       /* "TXT" (static) */
	char name[RECORD_NAME_MAX];    /* full name, no trailing dot */
	char label[RECORD_NAME_MAX];   /* the label to type ("@" for the apex) */
	char value[RECORD_VALUE_MAX];  /* TXT text or CNAME target */
	bool required;
	const char *status_word;   /* "verified", "optional" (static): an HTML class */
	const char *status_text;   /* the records screen's word: "Verified" (static) */
	bool checked;		   /* a DNS check has given a status */
	char does[SHEET_TEXT_MAX]; /* what the record does, in a sentence or two */
	size_t ndiags;
	struct sheet_diag diags[RECORD_MAX_DIAGNOSES];
	char check[RECORD_NAME_MAX + 32]; /* "dig +short TXT <name>" */
};

/* An email to a teammate: who asked them, their note and why, before the
 * sheet (export_options.sender). */
struct sheet_letter {
	bool on;
	char greeting[SHEET_SHORT_MAX];
	char asked[SHEET_TEXT_MAX]; /* "jane@... asked you to help set up email for ..." */
	char why[SHEET_TEXT_MAX];
	char reply[SHEET_TEXT_MAX];
};

/* Option 1: the one-click offer of the customer's DNS host (Domain Connect,
 * wizard_dc_offer), while records are left to add: off otherwise, and off
 * for a link that is not an https URL of RFC 3986 characters only (it is
 * built from parts the DNS host sent: no javascript:, '"', '<' or space). */
struct sheet_dc {
	bool on;
	bool apply;	  /* the signed apply link; false: the DNS host's control panel */
	const char *kind; /* "apply" or "control_panel" (static): the JSON's word */
	char provider[SHEET_SHORT_MAX]; /* "Cloudflare" */
	char url[WIZARD_DC_URL_MAX];	/* sanitized and checked as above */
	char heading[SHEET_SHORT_MAX];	/* "Quicker: let Cloudflare add them" */
	char what[SHEET_TEXT_MAX]; /* what the link does, and that the records are the manual way */
	char link[SHEET_SHORT_MAX]; /* the link's words: "Set up customer.example at Cloudflare" */
	char demo[SHEET_TEXT_MAX];  /* "" unless the demo's pretend link */
};

/* Everything an export says; every string is sanitized UTF-8. */
struct sheet {
	const struct wizard *w; /* the source (JSON reads its records) */
	int option;		/* 1, 2 or 3 */
	char title[SHEET_SHORT_MAX];
	char intro[SHEET_TEXT_MAX];
	char option_text[SHEET_SHORT_MAX];
	char why[SHEET_TEXT_MAX];
	char vendor[SHEET_SHORT_MAX];
	char esp[SHEET_SHORT_MAX];
	char customer[SHEET_SHORT_MAX];
	char support[SHEET_TEXT_MAX]; /* "Ask support@vendor.example." */
	char footer[SHEET_TEXT_MAX];
	char note[EXPORT_NOTE_MAX];  /* "" when none */
	char status[SHEET_TEXT_MAX]; /* where things stand: "Done: ..." or "To do: ..." */
	bool done;		     /* nothing is left to do */
	bool published;		     /* option 1: every required record is in DNS */
	struct sheet_letter letter;  /* on for an email to a teammate (the note is in it) */

	/* option 1 */
	char domain[RECORD_NAME_MAX];	    /* A-labels */
	char host[SHEET_TEXT_MAX];	    /* who runs the DNS and how the Name field works */
	char host_steps[SHEET_TEXT_MAX];    /* "" when unknown */
	char host_long_txt[SHEET_TEXT_MAX]; /* "" unless a value is over 255 characters */
	char host_proxy[SHEET_TEXT_MAX];    /* "" unless a CNAME is to add */
	struct sheet_dc dc;		    /* the one-click offer, before the records */
	size_t nrecords;
	struct sheet_record records[WIZARD_MAX_RECORDS];

	/* option 2 */
	char address[SHEET_SHORT_MAX];
	char address_name[SHEET_SHORT_MAX];
	char confirm_what[SHEET_TEXT_MAX];

	/* option 3 */
	char from_display[FROM_DISPLAY_MAX];
	char from_address[SHEET_SHORT_MAX];
	char
	    from_header[FROM_HEADER_MAX]; /* folded: lines joined by '\n', nothing else below ' ' */
	char from_shows[SHEET_TEXT_MAX];
	char from_name[SHEET_SHORT_MAX]; /* the customer's name as typed */

	bool qr; /* HTML: draw the QR code of all records */
};

/* The words of id, sanitized into out. */
void sheet_word(const char *id, char *out, size_t cap);
/* The words of id with {1}..{3} replaced by a1..a3 (untrusted, may be
 * NULL), sanitized into out. */
void sheet_fmt(char *out, size_t cap, const char *id, const char *a1, const char *a2,
	       const char *a3);

/* One renderer per format (text.c, markdown.c, ...): appends s to out. */
enum bh_err export_render_text(const struct sheet *s, struct buf *out);
enum bh_err export_render_markdown(const struct sheet *s, struct buf *out);
enum bh_err export_render_html(const struct sheet *s, struct buf *out);
enum bh_err export_render_json(const struct sheet *s, struct buf *out);
enum bh_err export_render_zone(const struct sheet *s, struct buf *out);
enum bh_err export_render_csv(const struct sheet *s, struct buf *out);

/* The zone-file lines of s's records (zone.c), no comments. */
enum bh_err export_zone_records(const struct sheet *s, struct buf *out);

/* Appends buf_puts/buf_printf results, keeping the first error. */
#define SHEET_PUT(err, call)                                                                       \
	do {                                                                                       \
		if ((err) == BH_OK)                                                                \
			(err) = (call);                                                            \
	} while (0)

#endif
