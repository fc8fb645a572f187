/* QR codes (qr.h): libqrencode makes the module matrix; this file draws it
 * as terminal text or SVG. */
#include "export/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

/* The QR code of text, or NULL with *err set; caller frees with QRcode_free. */
static QRcode *qr_encode(const char *text, enum bh_err *err)
{
	QRcode *code;
	if (!text || !*text) {
		*err = BH_ERR_INVALID;
		return NULL;
	}
	errno = 0;
	code = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (!code)
		*err = errno == ENOMEM	 ? BH_ERR_NOMEM
		       : errno == EINVAL ? BH_ERR_INVALID
					 : BH_ERR_TOO_LARGE;
	return code;
}

/* True when the module at (x, y) of the code with its quiet zone (size
 * modules a side) is dark; outside the matrix is light. */
static bool qr_dark(const QRcode *code, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= code->width || y >= code->width)
		return false;
	return code->data[y * code->width + x] & 1;
}

/* The terminal size of a code of width modules. */
static void qr_cells(int width, bool ascii, int *cols, int *rows)
{
	int size = width + 2 * QR_QUIET;
	*cols = ascii ? 2 * size : size;
	*rows = ascii ? size : (size + 1) / 2;
}

enum bh_err qr_text_size(const char *text, bool ascii, int *cols, int *rows)
{
	enum bh_err err = BH_OK;
	QRcode *code = qr_encode(text, &err);
	if (!code)
		return err;
	qr_cells(code->width, ascii, cols, rows);
	QRcode_free(code);
	return BH_OK;
}

enum bh_err qr_render_halfblocks(const char *text, bool ascii, struct buf *out, int *width,
				 int *height)
{
	/* Indexed by (upper light) * 2 + (lower light): ink marks light modules. */
	static const char *const halves[4] = {" ", "\u2584", "\u2580", "\u2588"};
	enum bh_err err = BH_OK;
	QRcode *code = qr_encode(text, &err);
	int size, x, y, cols, rows;

	if (!code)
		return err;
	size = code->width + 2 * QR_QUIET;
	qr_cells(code->width, ascii, &cols, &rows);
	if (ascii) {
		for (y = 0; y < size && err == BH_OK; y++) {
			for (x = 0; x < size && err == BH_OK; x++)
				err = buf_puts(out, qr_dark(code, x, y) ? "  " : "##");
			if (err == BH_OK)
				err = buf_puts(out, "\n");
		}
	} else {
		for (y = 0; y < size && err == BH_OK; y += 2) {
			for (x = 0; x < size && err == BH_OK; x++) {
				int upper = !qr_dark(code, x, y);
				int lower = y + 1 >= size || !qr_dark(code, x, y + 1);
				err = buf_puts(out, halves[upper * 2 + lower]);
			}
			if (err == BH_OK)
				err = buf_puts(out, "\n");
		}
	}
	QRcode_free(code);
	if (err)
		return err;
	if (width)
		*width = cols;
	if (height)
		*height = rows;
	return BH_OK;
}

enum bh_err qr_render_svg(const char *text, struct buf *out)
{
	enum bh_err err = BH_OK;
	QRcode *code = qr_encode(text, &err);
	int size, x, y;

	if (!code)
		return err;
	size = code->width + 2 * QR_QUIET;
	err = buf_printf(out,
			 "<svg class=\"qr\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
			 "role=\"img\" shape-rendering=\"crispEdges\">"
			 "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
			 size, size, size * 4, size * 4, size, size);
	/* One rectangle per horizontal run of dark modules. */
	for (y = 0; y < size && err == BH_OK; y++) {
		for (x = 0; x < size && err == BH_OK;) {
			int run = 0;
			while (x + run < size && qr_dark(code, x + run, y))
				run++;
			if (run) {
				err = buf_printf(out, "M%d %dh%dv1h-%dz", x, y, run, run);
				x += run;
			} else {
				x++;
			}
		}
	}
	if (err == BH_OK)
		err = buf_puts(out, "\"/></svg>");
	QRcode_free(code);
	return err;
}
