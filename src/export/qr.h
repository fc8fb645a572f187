/* QR codes (libqrencode) of a record's value or of all records, drawn in a
 * terminal with half-block characters, or as inline SVG for HTML exports.
 *
 * Terminal colours.  A QR code is dark modules on a light background, with
 * a light quiet zone of 4 modules around it; scanners expect that way round
 * (many, but not all, also read the inverse).  Terminals are mostly light
 * text on a dark background, so the text marks the LIGHT modules with ink
 * (block characters) and leaves the DARK modules blank: drawn in the
 * terminal's foreground colour on its background, a dark terminal shows a
 * proper dark-on-light code.  The UI should draw it with an explicit light
 * foreground on a black background (e.g. white on black): then it scans
 * whatever the terminal's own colours are.
 *
 * Each text row holds two module rows: "█" both light, "▀" only the upper,
 * "▄" only the lower, " " neither.  The last row of an odd-height code
 * gets a light lower half (more quiet zone).  In ASCII mode (no UTF-8) a
 * module is two columns ("##" light, "  " dark) by one row.
 *
 * Error correction level L: the screen is clean, and L keeps a 2048-bit
 * DKIM key within an 80-column terminal. */
#ifndef BEHALF_EXPORT_QR_H
#define BEHALF_EXPORT_QR_H

#include <stdbool.h>

#include "core/alloc.h"
#include "core/error.h"

#define QR_QUIET 4 /* modules of quiet zone on each side */

/* The columns and rows text needs on a terminal (quiet zone included).
 * BH_ERR_TOO_LARGE when text does not fit in a QR code, BH_ERR_INVALID for
 * an empty text. */
enum bh_err qr_text_size(const char *text, bool ascii, int *cols, int *rows);

/* Appends the code of text as lines of characters (each ended by '\n',
 * all of the same width, UTF-8 half blocks, or ASCII when ascii is true);
 * *width and *height (may be NULL) receive its columns and rows.  Errors as
 * qr_text_size, or BH_ERR_TOO_LARGE past out's limit. */
enum bh_err qr_render_halfblocks(const char *text, bool ascii, struct buf *out, int *width,
				 int *height);

/* Appends an <svg> element (no XML declaration, no namespace attribute: for
 * inline use in HTML) drawing the code of text, dark on white, quiet zone
 * included; 4 CSS pixels a module unless the page scales it. */
enum bh_err qr_render_svg(const char *text, struct buf *out);

#endif
