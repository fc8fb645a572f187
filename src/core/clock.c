#include "core/clock.h"

#include <stdlib.h>
#include <time.h>

int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_ms(void)
{
	struct timespec ts;
	const char *fake = getenv("BEHALF_FAKE_TIME");
	if (fake && *fake) {
		char *end;
		long long s = strtoll(fake, &end, 10);
		if (*end == '\0' && s > 0)
			return (int64_t)s * 1000;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
