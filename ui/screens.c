/* The screen of each wizard step (ncdu's one switch, tmux's mode table). */
#include "ui.h"

extern const struct screen screen_welcome, screen_choose, screen_advisor, screen_domain,
    screen_records, screen_address, screen_confirm, screen_from_name, screen_switch, screen_done;

const struct screen *const ui_screens[STEP__COUNT] = {
    [STEP_WELCOME] = &screen_welcome, [STEP_CHOOSE] = &screen_choose,
    [STEP_ADVISOR] = &screen_advisor, [STEP_DOMAIN] = &screen_domain,
    [STEP_RECORDS] = &screen_records, [STEP_ADDRESS] = &screen_address,
    [STEP_CONFIRM] = &screen_confirm, [STEP_FROM_NAME] = &screen_from_name,
    [STEP_SWITCH] = &screen_switch,   [STEP_DONE] = &screen_done,
};
