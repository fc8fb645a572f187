/* Time, in one place: monotonic milliseconds for timers, wall-clock
 * milliseconds for what is saved.  BEHALF_FAKE_TIME (seconds since the epoch)
 * pins the wall clock, so that demo output (DKIM selectors, dates) is the
 * same on every run of the tests. */
#ifndef BEHALF_CORE_CLOCK_H
#define BEHALF_CORE_CLOCK_H

#include <stdint.h>

/* Monotonic milliseconds (CLOCK_MONOTONIC). */
int64_t clock_now_ms(void);
/* Wall-clock milliseconds since the epoch (or BEHALF_FAKE_TIME). */
int64_t clock_wall_ms(void);

#endif
