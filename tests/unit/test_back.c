/* Back never creates (issue 9, item 7): from every step of the wizard, with
 * Back and with Esc (driven through the screens' key routing, as in the
 * terminal), also while a removal asked on a keep-or-remove step is still
 * under way and after a restart from the saved state, going back step by
 * step never leads to a request that creates something at the ESP.
 *
 * Journeys walk the wizard forward (creating where the customer pressed
 * Enter); at every step they reach, a copy of the wizard goes back from
 * there while a pretend application answers every request it asks for.
 * Which requests create is the request table's "creates", and every step of
 * the step table must be gone back from at least once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "core/alloc.h"
#include "core/state.h"
#include "core/text.h"
#include "core/wizard.h"
#include "ui.h"

enum press { PRESS_BACK, PRESS_ESC, PRESS__COUNT };

/* Steps gone back from, per way of pressing Back. */
static bool covered[PRESS__COUNT][STEP__COUNT];
/* The state directory of the restarts. */
static char state_dir[256];
static int64_t now_ms;

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
	now_ms = 1000;
}

/* The pretend application's answer to a request that creates nothing. */
static void answer(struct wizard *w, enum wizard_request req, int64_t now)
{
	struct record_result res[WIZARD_MAX_RECORDS];
	struct wizard_domain_res d;
	struct wizard_signature_res s;
	switch (req) {
	case REQ_DNS_CHECK:
		memset(res, 0, sizeof res);
		for (size_t i = 0; i < WIZARD_MAX_RECORDS; i++)
			res[i].status = STATUS_MISSING;
		wizard_on_dns(w, res, w->nrecords, "", now);
		break;
	case REQ_DOMAIN_VERIFY:
		d = w->esp_domain;
		wizard_on_domain(w, &d, now);
		break;
	case REQ_SIGNATURE_POLL:
	case REQ_SIGNATURE_RESEND:
	case REQ_SIGNATURE_UPDATE:
		s = w->signature;
		str_copy(s.name, sizeof s.name, w->address_name.text);
		wizard_on_signature(w, &s, now, now);
		break;
	case REQ_DMARC_CHECK:
		wizard_on_dmarc(w, DMARC_VERDICT_NONE, "", now);
		break;
	case REQ_DOMAIN_REMOVE:
	case REQ_SIGNATURE_REMOVE:
		wizard_on_removed(w, req, now);
		break;
	default:
		wizard_on_error(w, req, BH_ERR_NETWORK, NULL, now);
		break;
	}
}

/* Lets the application do what the wizard asks for a while (time goes on
 * to each timer): nothing it asks may create at the ESP.  A request under
 * way (a removal) is answered first. */
static void settle(struct wizard *w, const char *how, enum wizard_step from)
{
	int i;
	for (i = 0; i < 48; i++) {
		int64_t wake = 0;
		enum wizard_request req;
		if (w->busy != REQ_NONE) {
			answer(w, w->busy, now_ms);
			continue;
		}
		req = wizard_next_request(w, now_ms, now_ms, &wake);
		if (req == REQ_NONE) {
			if (!wake || wake > now_ms + 600000)
				return;
			now_ms = wake;
			continue;
		}
		if (wizard_request_def(req)->creates)
			fail_msg("%s from %s reached %s, which asks for %s", how,
				 wizard_step_word(from), wizard_step_word(w->step),
				 wizard_request_word(req));
		wizard_request_started(w, req, now_ms);
		answer(w, req, now_ms);
	}
}

/* Esc as the terminal routes it (the screen first, then ui.c), acted on as
 * the loop acts on ACTION_BACK; a screen that takes Esc for itself (the
 * records' details, the export dialog) is pressed again.  False when Esc
 * did not go back. */
static bool press_esc(struct wizard *w)
{
	const struct ui_key esc = {27, false};
	int i;
	for (i = 0; i < 4; i++) {
		enum ui_action a = ui_route_step_key(w, &esc);
		if (a == ACTION_BACK)
			return wizard_back(w);
		if (a != ACTION_REDRAW && a != ACTION_STAY)
			fail_msg("Esc on %s asks for action %d, not Back",
				 wizard_step_word(w->step), (int)a);
	}
	fail_msg("Esc on %s never goes back", wizard_step_word(w->step));
	return false;
}

static bool press(struct wizard *w, enum press how)
{
	return how == PRESS_ESC ? press_esc(w) : wizard_back(w);
}

static const char *const press_words[PRESS__COUNT] = {"Back", "Esc"};

/* Back (or Esc) step by step to where it stops, the application answering
 * between the keys. */
static void back_all(struct wizard *w, enum press how, enum wizard_step from)
{
	int guard = 0;
	while (press(w, how)) {
		settle(w, press_words[how], from);
		assert_true(++guard < 2 * WIZARD_HISTORY_MAX);
	}
	settle(w, press_words[how], from);
}

/* The same wizard after a restart: saved, then loaded into a new one. */
static void restart(const struct wizard *w, struct wizard *out)
{
	struct state_handle *h;
	char msg[256];
	assert_int_equal(state_open(state_dir, "jane-co", &h, msg, sizeof msg), BH_OK);
	assert_int_equal(state_save(h, w, msg, sizeof msg), BH_OK);
	new_wizard(out);
	out->cfg = w->cfg;
	assert_int_equal(state_load(h, out, msg, sizeof msg), BH_OK);
	state_close(h);
	assert_int_equal(out->step, w->step);
}

/* From where the journey is: Back and Esc, each on a copy, as it is and
 * after a restart.  While a request is under way (a removal), Back is
 * pressed once, twice... before its answer arrives. */
static void back_from_here(const struct wizard *w)
{
	int how, early;
	for (how = 0; how < PRESS__COUNT; how++) {
		struct wizard *copy = xmalloc(sizeof *copy);
		int64_t then = now_ms;
		covered[how][w->step] = true;
		*copy = *w;
		back_all(copy, (enum press)how, w->step);
		if (w->busy == REQ_NONE) {
			restart(w, copy);
			back_all(copy, (enum press)how, w->step);
		}
		for (early = 1; w->busy != REQ_NONE && early <= 4; early++) {
			struct wizard *saved = xmalloc(sizeof *saved);
			int i;
			*copy = *w;
			for (i = 0; i < early && press(copy, (enum press)how); i++)
				;
			*saved = *copy;
			back_all(copy, (enum press)how, w->step);
			/* saved before the answer came, then restarted: the
			 * removal's answer never arrives */
			restart(saved, copy);
			back_all(copy, (enum press)how, w->step);
			free(saved);
		}
		if (how == PRESS_ESC && (w->step == STEP_RECORDS || wizard_export_available(w))) {
			/* Esc closes the details or the export dialog first */
			*copy = *w;
			copy->records_detail = w->step == STEP_RECORDS;
			if (wizard_export_available(copy))
				assert_true(wizard_export_open(copy));
			back_all(copy, PRESS_ESC, w->step);
		}
		free(copy);
		now_ms = then;
	}
}

/* ---- the journeys' forward moves (the customer pressed Enter) ---- */

static void enter(struct wizard *w)
{
	wizard_next(w, now_ms);
}

/* The records step creates the domain at the ESP (the customer's Enter). */
static void create_domain(struct wizard *w, const char *id)
{
	struct wizard_domain_res d;
	char name[RECORD_NAME_MAX + 64];
	assert_int_equal(w->step, STEP_RECORDS);
	assert_int_equal(wizard_next_request(w, now_ms, now_ms, NULL), REQ_DOMAIN_ENSURE);
	wizard_request_started(w, REQ_DOMAIN_ENSURE, now_ms);
	memset(&d, 0, sizeof d);
	d.exists = true;
	str_copy(d.id, sizeof d.id, id);
	str_copy(d.name, sizeof d.name, w->domain.ascii);
	snprintf(name, sizeof name, "20250817055129pm._domainkey.%s", w->domain.ascii);
	resource_add_record(&d, PURPOSE_DKIM, RECORD_TYPE_TXT, name, "k=rsa; p=MIGf", true, false);
	snprintf(name, sizeof name, "pm-bounces.%s", w->domain.ascii);
	resource_add_record(&d, PURPOSE_RETURN_PATH, RECORD_TYPE_CNAME, name, "pm.mtasv.net", true,
			    false);
	wizard_on_domain(w, &d, now_ms);
	assert_true(w->esp_domain.exists);
	assert_true(w->nrecords >= 2);
}

/* The confirm step looks up DMARC, then registers the address. */
static void create_signature(struct wizard *w, const char *id)
{
	struct wizard_signature_res s;
	enum wizard_request req = wizard_next_request(w, now_ms, now_ms, NULL);
	assert_int_equal(w->step, STEP_CONFIRM);
	if (req == REQ_DMARC_CHECK) {
		wizard_request_started(w, req, now_ms);
		answer(w, req, now_ms);
		req = wizard_next_request(w, now_ms, now_ms, NULL);
	}
	assert_int_equal(req, REQ_SIGNATURE_ENSURE);
	wizard_request_started(w, req, now_ms);
	memset(&s, 0, sizeof s);
	str_copy(s.id, sizeof s.id, id);
	str_copy(s.email, sizeof s.email, w->address_normalized);
	str_copy(s.name, sizeof s.name, w->address_name.text);
	wizard_on_signature(w, &s, now_ms, now_ms);
	assert_true(wizard_signature_current(w));
}

/* Row i of the keep-or-remove step set to Remove. */
static void mark_remove(struct wizard *w, size_t i)
{
	size_t items[WIZARD_RESOURCES_MAX];
	size_t n = wizard_switch_items(w, items, WIZARD_RESOURCES_MAX);
	assert_true(i < n);
	w->resources[items[i]].remove = true;
}

/* Enter on the keep-or-remove step: the removal starts, and Back is
 * tried while it is under way; then it is done. */
static void remove_confirmed(struct wizard *w, enum wizard_request removal)
{
	assert_int_equal(w->step, STEP_SWITCH);
	assert_false(wizard_next(w, now_ms));
	assert_int_equal(wizard_next_request(w, now_ms, now_ms, NULL), removal);
	wizard_request_started(w, removal, now_ms);
	back_from_here(w);
	wizard_on_removed(w, removal, now_ms);
}

static void to_option(struct wizard *w, enum wizard_option option)
{
	if (w->step == STEP_WELCOME)
		enter(w);
	else
		wizard_switch(w);
	assert_int_equal(w->step, STEP_CHOOSE);
	back_from_here(w);
	wizard_choose(w, option, now_ms);
	back_from_here(w);
}

static void address_typed(struct wizard *w, const char *email)
{
	assert_int_equal(w->step, STEP_ADDRESS);
	field_set(&w->address_email, email);
	field_set(&w->address_name, "Jane");
	enter(w);
}

/* Option 2 to its wait for the click, with the address registered. */
static void option2_registered(struct wizard *w)
{
	to_option(w, OPTION_ADDRESS);
	address_typed(w, "jane@customer.example");
	assert_int_equal(w->step, STEP_CONFIRM);
	back_from_here(w); /* DMARC not looked up yet */
	create_signature(w, "9");
	back_from_here(w);
}

/* Option 1 to its records, with the domain created. */
static void option1_created(struct wizard *w, const char *domain)
{
	to_option(w, OPTION_DOMAIN);
	field_set(&w->domain_input, domain);
	back_from_here(w);
	enter(w);
	assert_int_equal(w->step, STEP_RECORDS);
	create_domain(w, "42");
	back_from_here(w);
	settle(w, "waiting", w->step); /* DNS checks, the ESP asked to verify */
	back_from_here(w);
}

/* ---- the journeys ---- */

/* The path: option 2's address registered; a switch to option 3
 * with Remove for it; then option 2 again: Back and Esc from there (and
 * from each step on the way) never land on the confirm step, whose
 * signature is gone (it would be registered again). */
static void test_signature_removed_on_switch(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	back_from_here(&w);
	option2_registered(&w);
	to_option(&w, OPTION_NAME);
	assert_int_equal(w.step, STEP_SWITCH);
	mark_remove(&w, 0);
	back_from_here(&w);
	remove_confirmed(&w, REQ_SIGNATURE_REMOVE);
	assert_false(w.signature.exists);
	assert_int_equal(w.step, STEP_FROM_NAME);
	back_from_here(&w);
	field_set(&w.from_name, "Jane");
	enter(&w);
	assert_int_equal(w.step, STEP_DONE);
	back_from_here(&w);
	/* option 2 again: the option's steps count for Back again */
	to_option(&w, OPTION_ADDRESS);
	assert_int_equal(w.step, STEP_ADDRESS);
	assert_int_equal(w.option, OPTION_ADDRESS);
	back_from_here(&w);
}

/* The same with option 1 as the new choice (Remove for the address). */
static void test_signature_removed_for_option1(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	option2_registered(&w);
	to_option(&w, OPTION_DOMAIN);
	mark_remove(&w, 0);
	remove_confirmed(&w, REQ_SIGNATURE_REMOVE);
	assert_int_equal(w.step, STEP_DOMAIN);
	back_from_here(&w);
	to_option(&w, OPTION_ADDRESS);
	back_from_here(&w);
}

/* The records step after its domain was removed on a switch. */
static void test_domain_removed_on_switch(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	option1_created(&w, "customer.example");
	to_option(&w, OPTION_NAME);
	mark_remove(&w, 0);
	remove_confirmed(&w, REQ_DOMAIN_REMOVE);
	assert_false(w.esp_domain.exists);
	back_from_here(&w);
	to_option(&w, OPTION_DOMAIN);
	assert_int_equal(w.step, STEP_DOMAIN);
	back_from_here(&w);
	/* and to option 2 from there, the domain listed again? no: removed */
	to_option(&w, OPTION_ADDRESS);
	back_from_here(&w);
}

/* A corrected address: the mistyped one removed, the new one registered
 * (Enter); Back from each step, also while the removal is under way. */
static void test_corrected_address(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	option2_registered(&w);
	wizard_switch(&w);
	wizard_choose(&w, OPTION_ADDRESS, now_ms); /* the same option: its first step */
	back_from_here(&w);
	address_typed(&w, "bob@customer.example");
	assert_int_equal(w.step, STEP_SWITCH);
	back_from_here(&w);
	remove_confirmed(&w, REQ_SIGNATURE_REMOVE);
	assert_int_equal(w.step, STEP_CONFIRM);
	back_from_here(&w);
	create_signature(&w, "10");
	back_from_here(&w);
}

/* A corrected domain, the same way. */
static void test_corrected_domain(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	option1_created(&w, "customer.example");
	wizard_switch(&w);
	wizard_choose(&w, OPTION_DOMAIN, now_ms);
	field_set(&w.domain_input, "customer.org");
	enter(&w);
	assert_int_equal(w.step, STEP_SWITCH);
	back_from_here(&w);
	remove_confirmed(&w, REQ_DOMAIN_REMOVE);
	assert_int_equal(w.step, STEP_RECORDS);
	back_from_here(&w);
	create_domain(&w, "43");
	back_from_here(&w);
}

/* The advisor, and Done of option 2 (the address confirmed). */
static void test_advisor_and_confirmed(void **state)
{
	struct wizard w;
	int q;
	(void)state;
	new_wizard(&w);
	enter(&w);
	w.choose_cursor = 3; /* help me choose */
	enter(&w);
	assert_int_equal(w.step, STEP_ADVISOR);
	for (q = 0; q <= ADVISOR_QUESTIONS; q++) {
		back_from_here(&w);
		w.advisor_cursor = 1; /* no, no, no: option 3 */
		enter(&w);
	}
	assert_int_equal(w.step, STEP_FROM_NAME);
	back_from_here(&w);
	option2_registered(&w);
	{
		struct wizard_signature_res sig = w.signature;
		sig.confirmed = true; /* the customer clicked the link */
		now_ms += 60000;      /* the next poll is due */
		assert_int_equal(wizard_next_request(&w, now_ms, now_ms, NULL), REQ_SIGNATURE_POLL);
		wizard_request_started(&w, REQ_SIGNATURE_POLL, now_ms);
		wizard_on_signature(&w, &sig, now_ms, now_ms);
	}
	assert_int_equal(w.step, STEP_DONE);
	back_from_here(&w);
}

/* A server of the customer's own, asked before anything is created: Back
 * from the question and after the answer never creates the server (nor
 * the domain or the signature). */
static void test_own_server(void **state)
{
	struct wizard w;
	(void)state;
	new_wizard(&w);
	w.cfg.server_mode = SERVER_MODE_ASK;
	to_option(&w, OPTION_DOMAIN);
	field_set(&w.domain_input, "customer.example");
	enter(&w);
	assert_int_equal(w.step, STEP_RECORDS);
	assert_true(wizard_server_question(&w));
	back_from_here(&w);
	wizard_server_answer(&w, true);
	assert_int_equal(wizard_next_request(&w, now_ms, now_ms, NULL), REQ_SERVER_ENSURE);
	back_from_here(&w);
	wizard_request_started(&w, REQ_SERVER_ENSURE, now_ms);
	wizard_on_server(&w, "srv-1", now_ms);
	back_from_here(&w);
	create_domain(&w, "42");
	back_from_here(&w);
	to_option(&w, OPTION_ADDRESS);
	assert_int_equal(w.step, STEP_SWITCH); /* the domain: keep */
	assert_true(wizard_next(&w, now_ms));
	address_typed(&w, "jane@customer.example");
	assert_int_equal(w.step, STEP_CONFIRM);
	back_from_here(&w);
	create_signature(&w, "9");
	back_from_here(&w);
}

/* Every step of the table was gone back from, with Back and with Esc. */
static void test_every_step_covered(void **state)
{
	int how, s;
	(void)state;
	for (how = 0; how < PRESS__COUNT; how++)
		for (s = 0; s < STEP__COUNT; s++)
			if (!covered[how][s])
				fail_msg("no test goes back (%s) from the %s step",
					 press_words[how], wizard_step_word((enum wizard_step)s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_removed_on_switch),
	    cmocka_unit_test(test_signature_removed_for_option1),
	    cmocka_unit_test(test_domain_removed_on_switch),
	    cmocka_unit_test(test_corrected_address),
	    cmocka_unit_test(test_corrected_domain),
	    cmocka_unit_test(test_advisor_and_confirmed),
	    cmocka_unit_test(test_own_server),
	    cmocka_unit_test(test_every_step_covered),
	};
	int rc;
	snprintf(state_dir, sizeof state_dir, "/tmp/behalf-test-back-XXXXXX");
	if (!mkdtemp(state_dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[512];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
		if (system(cmd) != 0)
			rc = rc ? rc : 1;
	}
	text_free();
	return rc;
}
