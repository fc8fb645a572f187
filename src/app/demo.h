/* The demo presenter (--demo): the story's DNS world (a scenario of
 * src/dns/sim.c), the pretend customer's next move on n, the caption under
 * the screen, and the story started over (r on the welcome screen,
 * --reset).  The session calls these only with --demo. */
#ifndef BEHALF_APP_DEMO_H
#define BEHALF_APP_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "app/config.h"
#include "core/state.h"
#include "core/wizard.h"
#include "dns/dns.h"
#include "esp/esp.h"

struct demo {
	struct wizard *w;		 /* the session's; not owned */
	const struct config *cfg;	 /* not owned */
	struct state_handle *state;	 /* for the audit log; not owned */
	struct esp *esp;		 /* the pretend ESP (esp_make with --demo); not owned */
	struct dns_source *dns;		 /* the story's DNS world; owned by the session */
	char caption[WIZARD_NOTICE_MAX]; /* the presenter's caption, or "" */
	char reset_scenario[64];	 /* --reset: the story played before, or "" */
	bool owned;			 /* the demo made this customer's state */
};

/* --reset, with the customer's lock held, before the ESP is made: forgets
 * the demo customer at the pretend ESP and removes their saved progress,
 * only when the demo made it; nonzero after saying why it did not. */
int demo_forget_state(struct demo *d);

/* The story's DNS world into d->dns (the one this customer plays, or the
 * one --scenario asks for when the story can still change); resumed: the
 * state was loaded.  Nonzero after saying why not. */
int demo_open_world(struct demo *d, bool resumed);

/* The presenter's n: the pretend customer's next move, where the story has
 * one (the DNS records, the confirmation email). */
void demo_advance(struct demo *d, int64_t now_ms);

/* The scenario's Domain Connect offer (sim_dc_provider) into w->dc once
 * the records are shown: the one-click link, unsigned (a real session's
 * comes from src/app/dcoffer.c). */
void demo_offer(struct demo *d);

/* Sets d->caption for the screen shown. */
void demo_caption(struct demo *d);

/* The welcome screen's r, first half: forgets the customer at the pretend
 * ESP; false (with the notice set) when it cannot.  The session then starts
 * its wizard afresh and calls demo_restarted. */
bool demo_restart(struct demo *d);
/* Second half: the story at its first stage, said. */
void demo_restarted(struct demo *d);

#endif
