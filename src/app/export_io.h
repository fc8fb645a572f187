/* The export dialog's input and output (the wizard core keeps what the
 * dialog shows and asks for): the sheet written to a file, a value put on
 * the terminal's clipboard, the QR code made, the email to a teammate
 * sent through the ESP. */
#ifndef BEHALF_APP_EXPORT_IO_H
#define BEHALF_APP_EXPORT_IO_H

#include "core/alloc.h"
#include "core/state.h"
#include "core/wizard.h"
#include "esp/esp.h"
#include "ui.h"

struct export_io {
	struct wizard *w;		  /* the session's; not owned */
	struct esp *esp;		  /* sends the email; not owned */
	struct state_handle *state;	  /* for the audit log; not owned */
	struct wizard_sent_email sending; /* REQ_EMAIL_SEND: what is going out */
	struct buf qr;			  /* the QR code's lines (owned: export_io_free) */
	struct ui_export_view view;	  /* what the dialog shows besides the model */
};

/* Writes the sheet in the format picked to the current directory,
 * atomically, and says where. */
void export_io_file(struct export_io *x);
/* Puts the value picked on the terminal's clipboard (OSC 52). */
void export_io_copy(struct export_io *x);
/* Makes the QR code of the row picked. */
void export_io_qr(struct export_io *x);
/* REQ_EMAIL_SEND: starts sending the instructions to the teammate; the
 * outcome goes to the wizard from the ESP's callback.  BH_ERR_INVALID when
 * the ESP cannot send (no ESP_CAP_SEND). */
enum bh_err export_io_send(struct export_io *x);
/* Frees what export_io holds (not the session's parts). */
void export_io_free(struct export_io *x);

#endif
