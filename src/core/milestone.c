#include "core/milestone.h"

#include <stddef.h>

static const char *const words[MILESTONE_COUNT] = {
    [MILESTONE_OPTION_CHOSEN] = "option.chosen",
    [MILESTONE_RECORDS_SHOWN] = "records.shown",
    [MILESTONE_RECORD_VERIFIED] = "record.verified",
    [MILESTONE_RECORD_LOST] = "record.lost",
    [MILESTONE_ALL_VERIFIED] = "records.verified",
    [MILESTONE_DONE] = "onboarding.done",
    [MILESTONE_SWITCHED] = "option.switched",
    [MILESTONE_RESOURCES_KEPT] = "resources.kept",
    [MILESTONE_RESOURCES_REMOVED] = "resources.removed",
    [MILESTONE_TEAMMATE_EMAILED] = "teammate.emailed",
    [MILESTONE_KEY_ENROLLED] = "key.enrolled",
    [MILESTONE_PENDING_72H] = "verification.pending",
    [MILESTONE_RECORD_RESTORED] = "record.restored",
};

const char *milestone_word(enum milestone m)
{
	return (unsigned)m < MILESTONE_COUNT ? words[m] : NULL;
}
