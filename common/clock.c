/* See clock.h. */
#include "config.h"

#include <time.h>

#include "common/clock.h"
#include "lib/mikey.h"

uint64_t
clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000u;
}

uint64_t
clock_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mikey_ntp_from_unix(ts.tv_sec, (uint32_t)ts.tv_nsec);
}
