/* The demo presenter: the story, its captions and its start over. */
#include "app/demo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/esp_make.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/text.h"
#include "dc/template.h"
#include "dc/url.h"
#include "dns/sim.h"

void demo_advance(struct demo *d, int64_t now)
{
	struct wizard *w = d->w;
	if (w->step == STEP_CONFIRM && w->signature.exists && !w->signature.confirmed) {
		if (d->esp->ops->pretend_click)
			d->esp->ops->pretend_click(d->esp, w->signature.id);
		w->poll_after_ms = now;
		return;
	}
	if (w->step != STEP_RECORDS || !sim_advance(d->dns))
		return;
	w->demo_stage = sim_stage(d->dns);
	w->dirty = true;
	if (w->notice_kind == NOTICE_INFO)
		w->notice_kind = NOTICE_NONE; /* the new stage's caption shows instead */
	wizard_check_now(w, now);
}

void demo_offer(struct demo *d)
{
	struct wizard *w = d->w;
	const char *ux = sim_dc_ux(d->dns);
	struct dc_var vars[8];
	struct buf url = {0}, query = {0};
	char sel[RECORD_NAME_MAX];
	size_t nvars;
	if (!*ux && w->dc.demo) {
		/* the offer is saved: a resumed demo of a story without Domain
		 * Connect (--scenario) drops the last story's */
		memset(&w->dc, 0, sizeof w->dc);
		w->dirty = true;
	}
	if (!*ux || w->step != STEP_RECORDS || w->option != OPTION_DOMAIN || !w->nrecords ||
	    (w->dc.kind == WIZARD_DC_APPLY && strcmp(w->dc.domain, w->domain.ascii) == 0 &&
	     strcmp(w->dc.provider, sim_dc_provider(d->dns)) == 0))
		return;
	/* the link a real session signs (dcoffer.c), unsigned: the demo's
	 * DNS host is pretend and the presenter's n plays the approval */
	nvars = dc_template_vars(w->records, w->nrecords, w->domain.ascii, d->cfg->bounce_label,
				 sel, sizeof sel, vars, 8);
	if (!nvars || dc_query(&query, w->domain.ascii, "", vars, nvars) ||
	    dc_apply_url(&url, ux, config_dc_provider_id(d->cfg), d->cfg->dc.service_id, query.data,
			 NULL, NULL, DC_CANON_SPEC) ||
	    url.len >= sizeof w->dc.url) {
		buf_free(&query);
		buf_free(&url);
		return;
	}
	memset(&w->dc, 0, sizeof w->dc);
	w->dc.kind = WIZARD_DC_APPLY;
	w->dc.demo = true;
	str_copy(w->dc.domain, sizeof w->dc.domain, w->domain.ascii);
	str_copy(w->dc.provider, sizeof w->dc.provider, sim_dc_provider(d->dns));
	str_copy(w->dc.url, sizeof w->dc.url, url.data);
	buf_free(&query);
	buf_free(&url);
	w->dirty = true; /* drawn, and saved: `behalf export` reads the offer */
}

/* The scenario until the story starts, then what the pretend customer did. */
void demo_caption(struct demo *d)
{
	const struct wizard *w = d->w;
	bool done = w->step == STEP_DONE;
	d->caption[0] = '\0';
	if (!w->cfg.demo)
		return;
	if (w->option == OPTION_DOMAIN && (w->step == STEP_RECORDS || done))
		str_copy(d->caption, sizeof d->caption, sim_stage_caption(d->dns));
	else if (w->option == OPTION_ADDRESS && (w->step == STEP_CONFIRM || done))
		str_copy(d->caption, sizeof d->caption,
			 text_get(w->signature.confirmed ? "demo.confirm_clicked"
							 : "demo.confirm_waiting"));
	else if (w->step == STEP_ADDRESS)
		str_copy(d->caption, sizeof d->caption, text_get("demo.address"));
	else if (w->step == STEP_FROM_NAME)
		str_copy(d->caption, sizeof d->caption, text_get("demo.from_name"));
	else if (w->step == STEP_WELCOME || w->step == STEP_CHOOSE || w->step == STEP_ADVISOR ||
		 w->step == STEP_DOMAIN)
		text_fmt(d->caption, sizeof d->caption, "demo.story", sim_title(d->dns), NULL,
			 NULL);
}

bool demo_restart(struct demo *d)
{
	struct wizard *w = d->w;
	char msg[512];
	if (w->busy != REQ_NONE)
		return false;
	if (!d->owned) {
		w->notice_kind = NOTICE_ERROR;
		str_copy(w->notice, sizeof w->notice, text_get("demo.reset_not_demo"));
		return false;
	}
	if (esp_make_demo_forget(d->cfg->state_dir, d->cfg->wizard.customer_id, d->reset_scenario,
				 sizeof d->reset_scenario, msg, sizeof msg) == BH_ERR_PARSE ||
	    esp_make_demo_customer_set(d->esp, d->cfg->wizard.customer_id, sim_id(d->dns), msg,
				       sizeof msg) != BH_OK) {
		w->notice_kind = NOTICE_ERROR;
		str_copy(w->notice, sizeof w->notice, msg);
		return false;
	}
	if (d->esp->ops->forget_observed)
		d->esp->ops->forget_observed(d->esp);
	return true;
}

void demo_restarted(struct demo *d)
{
	struct wizard *w = d->w;
	sim_set_stage(d->dns, 0);
	w->notice_kind = NOTICE_INFO;
	str_copy(w->notice, sizeof w->notice, text_get("demo.reset"));
	state_audit(d->state, "demo-reset", sim_id(d->dns));
}

int demo_forget_state(struct demo *d)
{
	const struct config *cfg = d->cfg;
	char msg[512], path[sizeof cfg->state_dir + WIZARD_ID_MAX + 8];
	enum bh_err err;
	bool have_state;
	snprintf(path, sizeof path, "%s/%s.json", cfg->state_dir, cfg->wizard.customer_id);
	have_state = access(path, F_OK) == 0;
	err = esp_make_demo_forget(cfg->state_dir, cfg->wizard.customer_id, d->reset_scenario,
				   sizeof d->reset_scenario, msg, sizeof msg);
	if (err == BH_ERR_NOT_FOUND && have_state) {
		text_fmt(msg, sizeof msg, "session.reset_not_demo", path, NULL, NULL);
		fprintf(stderr, "%s\n", msg);
		return 2;
	}
	if (err && err != BH_ERR_NOT_FOUND) {
		fprintf(stderr, "behalf: %s\n", msg);
		return 2;
	}
	if (have_state && unlink(path) != 0) {
		fprintf(stderr, "behalf: cannot remove %s: %s\n", path, strerror(errno));
		return 2;
	}
	state_audit(d->state, "demo-reset", cfg->wizard.customer_id);
	return 0;
}

int demo_open_world(struct demo *d, bool resumed)
{
	const struct config *cfg = d->cfg;
	struct wizard *w = d->w;
	char msg[512], saved[64];
	const char *id = cfg->scenario;
	struct dns_source *dns;
	enum bh_err err;
	bool known = esp_make_demo_customer(d->esp, cfg->wizard.customer_id, saved, sizeof saved);
	bool change = resumed && known && cfg->scenario_given && strcmp(saved, id) != 0;

	/* Without --scenario the story goes on, or starts over after a reset. */
	if (known && saved[0] && !cfg->scenario_given)
		id = saved;
	else if (!known && d->reset_scenario[0] && !cfg->scenario_given)
		id = d->reset_scenario;
	/* A verified domain is the end of the DNS story: another cannot start. */
	if (change && w->option == OPTION_DOMAIN && w->esp_domain.exists &&
	    resource_esp_verified(&w->esp_domain)) {
		text_fmt(msg, sizeof msg, "session.scenario_cannot", saved, id, NULL);
		fprintf(stderr, "%s\n", msg);
		return 2;
	}
	dns = sim_create(id, &err);
	if (!dns) {
		fprintf(stderr, "behalf: demo scenario \"%s\": %s\n", id, bh_strerror(err));
		return 2;
	}
	if (change) {
		w->demo_stage = 0;
		w->notice_kind = NOTICE_INFO;
		text_fmt(w->notice, sizeof w->notice, "demo.scenario_applied", sim_title(dns), NULL,
			 NULL);
		if (w->step == STEP_RECORDS)
			wizard_check_now(w, clock_now_ms());
	}
	sim_set_stage(dns, w->demo_stage);
	w->demo_stage = sim_stage(dns);
	/* A state the demo did not start is never made a demo's (a reset would
	 * then remove it). */
	d->owned = known || !resumed;
	/* The story says which ESP's records it tells of (esp = sendgrid). */
	if (esp_make_demo_shape(d->esp, sim_esp_shape(dns), msg, sizeof msg)) {
		fprintf(stderr, "behalf: demo scenario \"%s\": %s\n", sim_id(dns), msg);
		dns->ops->destroy(dns);
		return 2;
	}
	if (d->owned && esp_make_demo_customer_set(d->esp, cfg->wizard.customer_id, sim_id(dns),
						   msg, sizeof msg)) {
		fprintf(stderr, "behalf: %s\n", msg);
		dns->ops->destroy(dns);
		return 2;
	}
	d->dns = dns;
	return 0;
}
