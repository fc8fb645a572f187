/* The export dialog's model: when it opens, what each item offers, the send
 * form's checks, the hourly limit and the outcomes of REQ_EMAIL_SEND. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/text.h"
#include "core/wizard.h"

#define WALL 1798761600000LL /* 2027-01-01 00:00:00 UTC */

static void new_wizard(struct wizard *w)
{
	struct wizard_config c;
	memset(&c, 0, sizeof c);
	str_copy(c.vendor_name, sizeof c.vendor_name, "Acme Help Desk");
	str_copy(c.vendor_domain, sizeof c.vendor_domain, "acmehelp.example");
	str_copy(c.shared_local, sizeof c.shared_local, "notifications");
	str_copy(c.record_label_max, sizeof c.record_label_max, "20250817055129pm._domainkey");
	str_copy(c.customer_id, sizeof c.customer_id, "jane-co");
	str_copy(c.esp_name, sizeof c.esp_name, "Postmark");
	c.demo = true;
	wizard_init(w, &c);
}

/* Option 3 done: the quickest step with something to share. */
static void to_done_option3(struct wizard *w)
{
	new_wizard(w);
	assert_true(wizard_next(w, 0));
	wizard_choose(w, OPTION_NAME, 0);
	field_set(&w->from_name, "Jane Customer");
	assert_true(wizard_next(w, 0));
	assert_int_equal(w->step, STEP_DONE);
}

static void sent(struct wizard *w, int64_t wall)
{
	struct wizard_sent_email m;
	memset(&m, 0, sizeof m);
	str_copy(m.from, sizeof m.from, "Acme Help Desk <notifications@acmehelp.example>");
	str_copy(m.to, sizeof m.to, w->export.send_to);
	str_copy(m.reply_to, sizeof m.reply_to, w->export.send_reply_to);
	str_copy(m.subject, sizeof m.subject, "Email set-up instructions for jane-co");
	str_copy(m.body, sizeof m.body, "Line one\nLine \x1b[31mtwo\n");
	str_copy(m.message_id, sizeof m.message_id, "abc-123");
	wizard_on_email_sent(w, &m, wall);
}

static void fill_form(struct wizard *w)
{
	field_set(&w->export.to, "pat@dns-team.example");
	field_set(&w->export.note, "Please add these today.");
	field_set(&w->export.reply_to, "Jane@Customer.Example");
}

static void test_nothing_to_share_yet(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	assert_false(wizard_export_available(&w));
	assert_false(wizard_export_open(&w));
	assert_int_equal(w.export.view, EXPORT_VIEW_CLOSED);
	assert_int_equal(w.notice_kind, NOTICE_INFO);
	assert_string_equal(w.notice, text_get("export_dialog.nothing"));
}

/* Option 1: each record's Name (the label to type) and Value can be copied. */
static void test_copy_names_and_values(void **state)
{
	struct wizard *w = xcalloc(1, sizeof *w);
	const char *label = NULL;
	char value[FROM_HEADER_MAX];
	(void)state;
	new_wizard(w);
	w->option = OPTION_DOMAIN;
	str_copy(w->domain.ascii, sizeof w->domain.ascii, "customer.example");
	w->records[0].purpose = PURPOSE_DKIM;
	w->records[0].type = RECORD_TYPE_TXT;
	str_copy(w->records[0].name, sizeof w->records[0].name,
		 "20270101000000pm._domainkey.customer.example");
	str_copy(w->records[0].value, sizeof w->records[0].value, "k=rsa; p=MIGf");
	w->records[1].purpose = PURPOSE_RETURN_PATH;
	w->records[1].type = RECORD_TYPE_CNAME;
	str_copy(w->records[1].name, sizeof w->records[1].name, "pm-bounces.customer.example");
	str_copy(w->records[1].value, sizeof w->records[1].value, "pm.mtasv.net");
	w->nrecords = 2;
	assert_int_equal(wizard_export_copy_count(w), 4);
	assert_true(wizard_export_copy_value(w, 0, &label, value, sizeof value));
	assert_string_equal(label, "export_dialog.copy_name");
	assert_string_equal(value, "20270101000000pm._domainkey");
	assert_true(wizard_export_copy_value(w, 1, &label, value, sizeof value));
	assert_string_equal(label, "export_dialog.copy_value");
	assert_string_equal(value, "k=rsa; p=MIGf");
	assert_true(wizard_export_copy_value(w, 2, &label, value, sizeof value));
	assert_string_equal(value, "pm-bounces");
	assert_true(wizard_export_copy_value(w, 3, &label, value, sizeof value));
	assert_string_equal(value, "pm.mtasv.net");
	assert_false(wizard_export_copy_value(w, 4, &label, value, sizeof value));
	assert_true(text_has(label));
	free(w);
}

static void test_open_and_items(void **state)
{
	struct wizard w;
	const char *why = NULL, *label = NULL;
	char value[FROM_HEADER_MAX];
	(void)state;
	to_done_option3(&w);
	assert_true(wizard_export_open(&w));
	assert_int_equal(w.export.view, EXPORT_VIEW_MENU);
	assert_true(wizard_export_item_ok(&w, EXPORT_ITEM_FILE, &why));
	assert_true(wizard_export_item_ok(&w, EXPORT_ITEM_SEND, &why));
	/* option 3: the From header can be copied; no records for a QR code */
	assert_int_equal(wizard_export_copy_count(&w), 1);
	assert_true(wizard_export_copy_value(&w, 0, &label, value, sizeof value));
	assert_non_null(strstr(value, "Jane Customer via Acme Help Desk"));
	assert_false(wizard_export_copy_value(&w, 1, &label, value, sizeof value));
	assert_false(wizard_export_item_ok(&w, EXPORT_ITEM_QR, &why));
	assert_string_equal(why, "export_dialog.why_no_qr");
	/* over SSH no file */
	w.export.remote = true;
	assert_false(wizard_export_item_ok(&w, EXPORT_ITEM_FILE, &why));
	assert_string_equal(why, "export_dialog.why_remote");
	/* Esc: sub-view to menu, menu closes */
	w.export.view = EXPORT_VIEW_SEND;
	wizard_export_back(&w);
	assert_int_equal(w.export.view, EXPORT_VIEW_MENU);
	assert_int_equal(w.export.cursor, EXPORT_ITEM_SEND);
	wizard_export_back(&w);
	assert_int_equal(w.export.view, EXPORT_VIEW_CLOSED);
	assert_int_equal(w.step, STEP_DONE);
}

static void test_reply_to_prefilled_from_option2(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	w.step = STEP_CONFIRM;
	w.option = OPTION_ADDRESS;
	str_copy(w.address_normalized, sizeof w.address_normalized, "jane@customer.example");
	assert_true(wizard_export_open(&w));
	assert_string_equal(w.export.reply_to.text, "jane@customer.example");
	/* what the customer typed is kept */
	field_set(&w.export.reply_to, "other@customer.example");
	assert_true(wizard_export_open(&w));
	assert_string_equal(w.export.reply_to.text, "other@customer.example");
}

static void test_send_checks_fields(void **state)
{
	struct wizard w;
	int64_t wake;
	(void)state;
	to_done_option3(&w);
	wizard_export_open(&w);
	w.export.view = EXPORT_VIEW_SEND;
	fill_form(&w);
	field_set(&w.export.to, "pat@");
	assert_false(wizard_export_send(&w, WALL));
	assert_int_not_equal(w.export.to.error, INPUT_OK);
	assert_int_equal(w.export.focus, 0);
	assert_int_equal(wizard_next_request(&w, 0, WALL, &wake), REQ_NONE);

	field_set(&w.export.to, "pat@dns-team.example");
	field_set(&w.export.reply_to, "");
	assert_false(wizard_export_send(&w, WALL));
	assert_int_equal(w.export.focus, 2);

	fill_form(&w);
	{
		char longnote[WIZARD_NOTE_MAX + 2];
		memset(longnote, 'x', sizeof longnote - 1);
		longnote[sizeof longnote - 1] = '\0';
		field_set(&w.export.note, longnote);
	}
	assert_false(wizard_export_send(&w, WALL));
	assert_int_equal(w.export.note.error, INPUT_TOO_LONG);
	assert_int_equal(w.export.focus, 1);

	fill_form(&w);
	assert_true(wizard_export_send(&w, WALL));
	assert_string_equal(w.export.send_to, "pat@dns-team.example");
	assert_string_equal(w.export.send_reply_to, "Jane@customer.example");
	/* asked for by the customer: not held back by another request's retry */
	w.retry_after_ms = 50000;
	assert_int_equal(wizard_next_request(&w, 10, WALL, &wake), REQ_EMAIL_SEND);
	wizard_request_started(&w, REQ_EMAIL_SEND, 10);
	assert_false(w.export.send_wanted);
	assert_false(wizard_export_send(&w, WALL)); /* one at a time */
	sent(&w, WALL);
	assert_int_equal(w.busy, REQ_NONE);
	assert_int_equal(w.export.view, EXPORT_VIEW_SENT);
	assert_string_equal(w.export.sent.to, "pat@dns-team.example");
	assert_null(strchr(w.export.sent.body, '\x1b'));
	assert_non_null(strstr(w.export.sent.body, "Line one\nLine "));
}

static void test_hourly_limit(void **state)
{
	struct wizard w;
	int i;
	(void)state;
	to_done_option3(&w);
	wizard_export_open(&w);
	w.export.view = EXPORT_VIEW_SEND;
	fill_form(&w);
	for (i = 0; i < WIZARD_SENDS_PER_HOUR; i++) {
		assert_int_equal(wizard_export_send_wait(&w, WALL + i * 60000), 0);
		assert_true(wizard_export_send(&w, WALL + i * 60000));
		wizard_request_started(&w, REQ_EMAIL_SEND, 0);
		sent(&w, WALL + i * 60000);
		w.export.view = EXPORT_VIEW_SEND;
	}
	/* the 4th, 5 minutes after the first: refused until the first is an hour old */
	assert_int_equal(wizard_export_send_wait(&w, WALL + 300000), 3300);
	assert_false(wizard_export_send(&w, WALL + 300000));
	assert_false(w.export.send_wanted);
	assert_non_null(strstr(w.export.send_error, "55 minutes"));
	assert_non_null(strstr(w.export.send_error, "01:00 UTC"));
	assert_int_equal(wizard_export_send_wait(&w, WALL + 3600000), 0);
	assert_true(wizard_export_send(&w, WALL + 3600000));
}

/* Demo sends count toward the demo's own limit: a real session of the
 * same customer (same state) keeps its three sends an hour. */
static void test_demo_sends_apart(void **state)
{
	struct wizard w;
	int i;
	(void)state;
	to_done_option3(&w);
	wizard_export_open(&w);
	w.export.view = EXPORT_VIEW_SEND;
	fill_form(&w);
	assert_true(w.cfg.demo);
	for (i = 0; i < WIZARD_SENDS_PER_HOUR; i++) {
		assert_true(wizard_export_send(&w, WALL + i));
		wizard_request_started(&w, REQ_EMAIL_SEND, 0);
		sent(&w, WALL + i);
		w.export.view = EXPORT_VIEW_SEND;
	}
	wizard_export_count_send(&w, WALL + 10);
	assert_true(wizard_export_send_wait(&w, WALL + 60000) > 0);
	for (i = 0; i < WIZARD_SENDS_PER_HOUR; i++)
		assert_int_equal(w.export.sends_ms[i], 0);
	/* the same customer for real: the limit is untouched */
	w.cfg.demo = false;
	assert_int_equal(wizard_export_send_wait(&w, WALL + 60000), 0);
	assert_true(wizard_export_send(&w, WALL + 60000));
	wizard_request_started(&w, REQ_EMAIL_SEND, 0);
	sent(&w, WALL + 60000);
	assert_int_equal(w.export.sends_ms[0] + w.export.sends_ms[1] + w.export.sends_ms[2],
			 WALL + 60000);
	/* and the demo's own sends are still counted in a demo */
	w.cfg.demo = true;
	assert_true(wizard_export_send_wait(&w, WALL + 60000) > 0);
}

/* The preview keeps the whole text, long lines whole, escapes cleaned. */
static void test_sent_body_whole(void **state)
{
	struct wizard w;
	struct wizard_sent_email m;
	char line[700];
	(void)state;
	to_done_option3(&w);
	memset(&m, 0, sizeof m);
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	snprintf(m.body, sizeof m.body, "a\n%s\nb\x1b[2J\n\nlast\n", line);
	w.export.sent_scroll = 7;
	wizard_on_email_sent(&w, &m, WALL);
	assert_int_equal(w.export.sent_scroll, 0);
	assert_non_null(strstr(w.export.sent.body, line));
	assert_null(strchr(w.export.sent.body, '\x1b'));
	assert_non_null(strstr(w.export.sent.body, "\n\nlast\n"));
}

/* A send with no answer in time may have gone out: it counts. */
static void test_timed_out_send_counts(void **state)
{
	struct wizard w;
	int i;
	(void)state;
	to_done_option3(&w);
	for (i = 0; i < WIZARD_SENDS_PER_HOUR; i++)
		wizard_export_count_send(&w, WALL + i * 1000);
	assert_true(wizard_export_send_wait(&w, WALL + 10000) > 3500);
}

static void test_send_refused(void **state)
{
	struct wizard w;
	(void)state;
	to_done_option3(&w);
	wizard_export_open(&w);
	w.export.view = EXPORT_VIEW_SEND;
	fill_form(&w);
	assert_true(wizard_export_send(&w, WALL));
	wizard_request_started(&w, REQ_EMAIL_SEND, 0);
	wizard_on_error(&w, REQ_EMAIL_SEND, BH_ERR_REMOTE,
			"Pending approval.\x1b]52;c;aGk=\x07 Try later.", 100);
	assert_int_equal(w.busy, REQ_NONE);
	assert_int_equal(w.export.view, EXPORT_VIEW_SEND);
	assert_null(strchr(w.export.send_error, '\x1b'));
	assert_non_null(strstr(w.export.send_error, "Pending approval."));
	/* the step's own work is not delayed, nothing counted */
	assert_int_equal(w.retry_after_ms, 0);
	assert_int_equal(w.failures, 0);
	assert_int_equal(wizard_export_send_wait(&w, WALL), 0);
	assert_int_equal(w.export.sends_ms[0], 0);
	/* without a message: a sentence of ours */
	assert_true(wizard_export_send(&w, WALL));
	wizard_request_started(&w, REQ_EMAIL_SEND, 0);
	wizard_on_error(&w, REQ_EMAIL_SEND, BH_ERR_NETWORK, NULL, 100);
	assert_non_null(strstr(w.export.send_error, "could not be sent"));
	/* refused before it started (no server token): said, and not asked again */
	assert_true(wizard_export_send(&w, WALL));
	wizard_on_error(&w, REQ_EMAIL_SEND, BH_ERR_AUTH, NULL, 100);
	assert_false(w.export.send_wanted);
	assert_int_equal(wizard_next_request(&w, 200, WALL, NULL), REQ_NONE);
	assert_non_null(strstr(w.export.send_error, "server token"));
	assert_string_equal(wizard_request_word(REQ_EMAIL_SEND), "email-send");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nothing_to_share_yet),
	    cmocka_unit_test(test_open_and_items),
	    cmocka_unit_test(test_copy_names_and_values),
	    cmocka_unit_test(test_reply_to_prefilled_from_option2),
	    cmocka_unit_test(test_send_checks_fields),
	    cmocka_unit_test(test_hourly_limit),
	    cmocka_unit_test(test_timed_out_send_counts),
	    cmocka_unit_test(test_demo_sends_apart),
	    cmocka_unit_test(test_sent_body_whole),
	    cmocka_unit_test(test_send_refused),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	text_free();
	return rc;
}
