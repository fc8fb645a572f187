/* Instruction sheets: what is left to do for a customer's email set-up, in
 * the form whoever does it wants (a ticket, a wiki page, a printed page,
 * `behalf check`, a zone file, a spreadsheet).
 *
 * Every string that reaches an export is sanitized first (no control
 * character or escape sequence survives, see core/sanitize.h) and then
 * escaped for its format.  The words live in assets/text/export.ini. */
#ifndef BEHALF_EXPORT_EXPORT_H
#define BEHALF_EXPORT_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/wizard.h"

#define EXPORT_TTL	    3600u	   /* the TTL every export suggests */
#define EXPORT_OUTPUT_LIMIT (512u * 1024u) /* exports are small; out->limit when unset */
#define EXPORT_NOTE_MAX	    1024	   /* bytes of a sender's note kept */

enum export_format {
	EXPORT_TEXT,	 /* plain text, for a ticket or a chat */
	EXPORT_MARKDOWN, /* CommonMark */
	EXPORT_HTML,	 /* one self-contained page, printable */
	EXPORT_JSON,	 /* the records JSON of DESIGN.md (what `behalf check` reads) */
	EXPORT_ZONE,	 /* BIND zone-file lines */
	EXPORT_CSV,	 /* RFC 4180, one row per record */
	EXPORT__COUNT
};

/* What to put in an export besides the wizard's state. */
struct export_options {
	const char *note;     /* a note from the sender (untrusted), or NULL */
	int64_t generated_ms; /* wall clock shown as "made on", 0 to leave it out */
	bool qr;	      /* HTML: the QR code of all records (default on) */
	const char *sender;   /* the customer's address (untrusted) when the sheet is an email
				 to a teammate: it then opens with a letter to them, the note
				 first; NULL for a plain sheet */
};

/* Stable word of a format ("text", "markdown", "html", "json", "zone",
 * "csv"), NULL past the end. */
const char *export_format_word(enum export_format f);
/* The format for a word (also "md", "txt", "htm", "bind"); false when unknown. */
bool export_format_parse(const char *word, enum export_format *out);
/* The usual file name extension of a format, without the dot ("txt"). */
const char *export_format_extension(enum export_format f);
/* The MIME type of a format ("text/html; charset=utf-8"), for email parts. */
const char *export_format_mime(enum export_format f);

/* Appends the instruction sheet for w in format f to out (whose limit, when
 * 0, becomes EXPORT_OUTPUT_LIMIT).  BH_ERR_INVALID when no option is chosen
 * yet or f is unknown, BH_ERR_TOO_LARGE past out's limit; on error out may
 * hold part of the sheet.  No timestamp, no note, QR code on. */
enum bh_err export_render(const struct wizard *w, enum export_format f, struct buf *out);
/* The same with options (opt may be NULL for the defaults). */
enum bh_err export_render_opts(const struct wizard *w, enum export_format f,
			       const struct export_options *opt, struct buf *out);

/* The sheet's title ("Email set-up instructions for customer.example"),
 * sanitized: an email subject.  "" when no option is chosen. */
void export_title(const struct wizard *w, char *out, size_t cap);

/* A file name for the sheet: "behalf-<customer or domain>.<extension>",
 * made of [a-z0-9.-] only (safe in any directory, no path). */
void export_file_name(const struct wizard *w, enum export_format f, char *out, size_t cap);

/* The OSC 52 sequence that puts text on the clipboard of the terminal the
 * user sits at (over SSH, too): ESC ] 52 ; c ; base64 BEL.  text is
 * sanitized first, and base64 keeps it from ending the sequence.  Writing
 * it to the terminal is the caller's job (inside tmux it may need
 * "set -g set-clipboard on"). */
enum bh_err export_osc52(const char *text, struct buf *out);

/* All of w's records as zone-file lines, absolute names, no comments: what
 * the QR code of all records carries.  BH_ERR_NOT_FOUND when w has no
 * records (options 2 and 3, or before the domain step). */
enum bh_err export_zone_lines(const struct wizard *w, struct buf *out);

#endif
