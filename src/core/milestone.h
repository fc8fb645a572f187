/* Milestones: the moments of a customer's onboarding the vendor's side
 * hears about (issue 11): `behalf status` shows when each last happened,
 * and each one is an event in the outbox (`behalf deliver`).
 *
 * The order is part of the state file (wizard.milestones_ms is saved by
 * position): add new milestones at the end, never reorder. */
#ifndef BEHALF_CORE_MILESTONE_H
#define BEHALF_CORE_MILESTONE_H

enum milestone {
	MILESTONE_OPTION_CHOSEN,     /* option.chosen: an option was chosen */
	MILESTONE_RECORDS_SHOWN,     /* records.shown: the DNS records were shown */
	MILESTONE_RECORD_VERIFIED,   /* record.verified: one record seen right */
	MILESTONE_RECORD_LOST,	     /* record.lost: a verified record went away */
	MILESTONE_ALL_VERIFIED,	     /* records.verified: every record verified */
	MILESTONE_DONE,		     /* onboarding.done: the option is finished */
	MILESTONE_SWITCHED,	     /* option.switched: went back to choose again */
	MILESTONE_RESOURCES_KEPT,    /* resources.kept: the ESP's resources left */
	MILESTONE_RESOURCES_REMOVED, /* resources.removed: removed at the ESP */
	MILESTONE_TEAMMATE_EMAILED,  /* teammate.emailed: instructions sent */
	MILESTONE_KEY_ENROLLED,	     /* key.enrolled: an SSH key bound by a code */
	MILESTONE_PENDING_72H,	     /* verification.pending: 72 h without it */
	MILESTONE_RECORD_RESTORED,   /* record.restored: a lost record is back */
	MILESTONE_COUNT
};

/* The event type of m ("option.chosen"...), NULL past the end. */
const char *milestone_word(enum milestone m);

#endif
