/* The export dialog's input and output: what the customer asked for in
 * the dialog (a file, the clipboard, a QR code, an email), done here; the
 * wizard core keeps the dialog's state and shows the outcome. */
#include "app/export_io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/fileio.h"
#include "core/text.h"
#include "export/export.h"
#include "export/qr.h"

static void export_io_email_done(void *arg, enum bh_err err, const struct esp_reply *reply)
{
	struct export_io *x = arg;
	if (err) {
		/* No answer in time: it may have gone out, so it counts toward
		 * the hourly limit all the same. */
		if (err == BH_ERR_TIMEOUT)
			wizard_export_count_send(x->w, clock_wall_ms());
		wizard_on_error(x->w, REQ_EMAIL_SEND, esp_error_kind(x->esp, err, reply),
				reply && reply->message[0] ? reply->message : NULL, clock_now_ms());
		return;
	}
	str_copy(x->sending.message_id, sizeof x->sending.message_id, reply->message);
	state_audit(x->state, "sent-to-teammate", x->sending.to);
	wizard_on_email_sent(x->w, &x->sending, clock_wall_ms());
}

/* REQ_EMAIL_SEND: the text and HTML sheets, opening with a letter to the
 * teammate (the note first), from the vendor's shared address, Reply-To
 * the customer. */
enum bh_err export_io_send(struct export_io *x)
{
	struct wizard *w = x->w;
	struct export_options opt = {w->export.note.len ? w->export.note.text : NULL,
				     clock_wall_ms(), true, w->export.send_reply_to};
	struct buf text = {0}, html = {0};
	char address[EMAIL_MAX + 8], header[FROM_HEADER_MAX], *p;
	struct esp_email mail;
	enum bh_err err;

	if (!wizard_esp_can(w, ESP_CAP_SEND) || !x->esp->ops->email_send)
		return BH_ERR_INVALID;
	memset(&x->sending, 0, sizeof x->sending);
	snprintf(address, sizeof address, "%s@%s", w->cfg.shared_local, w->cfg.vendor_domain);
	fromhdr_header(w->cfg.vendor_name, address, header, sizeof header);
	/* The header's value, unfolded: "Name <address>" for the ESP's From. */
	p = header + (strncmp(header, "From: ", 6) == 0 ? 6 : 0);
	{
		size_t i = 0;
		for (; *p && i + 1 < sizeof x->sending.from; p++)
			if (*p != '\n')
				x->sending.from[i++] = *p;
		x->sending.from[i] = '\0';
	}
	str_copy(x->sending.to, sizeof x->sending.to, w->export.send_to);
	str_copy(x->sending.reply_to, sizeof x->sending.reply_to, w->export.send_reply_to);
	export_title(w, x->sending.subject, sizeof x->sending.subject);
	err = export_render_opts(w, EXPORT_TEXT, &opt, &text);
	if (!err)
		err = export_render_opts(w, EXPORT_HTML, &opt, &html);
	if (!err) {
		str_copy(x->sending.body, sizeof x->sending.body, text.data);
		mail.from = x->sending.from;
		mail.to = x->sending.to;
		mail.reply_to = x->sending.reply_to;
		mail.subject = x->sending.subject;
		mail.text_body = text.data;
		mail.html_body = html.data;
		err = x->esp->ops->email_send(x->esp, &mail, export_io_email_done, x);
	}
	buf_free(&text);
	buf_free(&html);
	return err;
}

/* Sets the dialog's result line (from a text id with one argument). */
static void export_io_result(struct export_io *io, bool error, const char *id, const char *a1,
			     const char *a2)
{
	struct wizard_export *x = &io->w->export;
	text_fmt(x->result, sizeof x->result, id, a1, a2, NULL);
	x->result_error = error;
	x->shown = true;
}

/* Writes the sheet in the format picked to the current directory,
 * atomically, and says where. */
void export_io_file(struct export_io *x)
{
	struct wizard *w = x->w;
	enum export_format f = (enum export_format)w->export.cursor;
	struct export_options opt = {NULL, clock_wall_ms(), true, NULL};
	struct buf out = {0}, path = {0};
	char name[256], cwd[WIZARD_PATH_MAX], msg[512];
	enum bh_err err;

	if (w->export.remote || f < 0 || f >= EXPORT__COUNT)
		return;
	export_file_name(w, f, name, sizeof name);
	if (!getcwd(cwd, sizeof cwd))
		str_copy(cwd, sizeof cwd, ".");
	err = export_render_opts(w, f, &opt, &out);
	if (err) {
		export_io_result(x, true, "export_dialog.file_failed", bh_strerror(err), NULL);
		buf_free(&out);
		return;
	}
	err = file_replace(cwd, name, out.data, out.len, 0644, msg, sizeof msg);
	buf_printf(&path, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, name);
	if (err) {
		export_io_result(x, true, "export_dialog.file_failed", msg, NULL);
	} else {
		char detail[WIZARD_PATH_MAX + 300];
		export_io_result(x, false, "export_dialog.file_written", path.data, NULL);
		snprintf(detail, sizeof detail, "%s %s", export_format_word(f), path.data);
		state_audit(x->state, "exported", detail);
	}
	buf_free(&out);
	buf_free(&path);
}

/* Puts the value picked on the terminal's clipboard (OSC 52): written to
 * the terminal between two frames, so curses' picture stays right. */
void export_io_copy(struct export_io *x)
{
	struct wizard *w = x->w;
	char value[FROM_HEADER_MAX];
	const char *label = "";
	struct buf seq = {0};
	size_t off = 0;

	if (!wizard_export_copy_value(w, w->export.cursor, &label, value, sizeof value))
		return;
	if (export_osc52(value, &seq) != BH_OK) {
		export_io_result(x, true, "export_dialog.copy_failed", NULL, NULL);
		buf_free(&seq);
		return;
	}
	fflush(stdout);
	while (off < seq.len) {
		ssize_t n = write(STDOUT_FILENO, seq.data + off, seq.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < seq.len)
		export_io_result(x, true, "export_dialog.copy_failed", NULL, NULL);
	else
		export_io_result(x, false, "export_dialog.copied", NULL, NULL);
	buf_free(&seq);
}

/* Makes the QR code of the row picked: a record's value, or all records
 * as zone lines. */
void export_io_qr(struct export_io *x)
{
	struct wizard *w = x->w;
	struct ui_export_view *q = &x->view;
	struct buf text = {0};
	int i = w->export.cursor;
	enum bh_err err;
	char id[64];

	if (i < 0 || i >= wizard_export_qr_count(w))
		return;
	buf_reset(&x->qr);
	memset(q, 0, sizeof *q);
	if (i < (int)w->nrecords) {
		buf_puts(&text, w->records[i].value);
		snprintf(id, sizeof id, "records.purpose_%s",
			 record_purpose_word(w->records[i].purpose));
		text_fmt(q->qr_title, sizeof q->qr_title, "export_dialog.qr_title", text_get(id),
			 NULL, NULL);
		err = BH_OK;
	} else {
		err = export_zone_lines(w, &text);
		text_fmt(q->qr_title, sizeof q->qr_title, "export_dialog.qr_title",
			 text_get("export_dialog.qr_all"), NULL, NULL);
	}
	if (!err)
		err = qr_render_halfblocks(text.data, ui_ascii(), &x->qr, &q->qr_cols, &q->qr_rows);
	buf_free(&text);
	q->qr = err ? NULL : x->qr.data;
	q->qr_too_big = err != BH_OK;
	w->export.shown = true;
}

void export_io_free(struct export_io *x)
{
	buf_free(&x->qr);
}
