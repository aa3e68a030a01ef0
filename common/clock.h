/* Clocks, read in one place: lib/ takes times as arguments and never reads
 * a clock itself. */
#ifndef SVOPI_COMMON_CLOCK_H
#define SVOPI_COMMON_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds and in milliseconds. */
uint64_t clock_mono_ns(void);
uint64_t clock_mono_ms(void);
/* The wall clock as an NTP timestamp (32.32 fixed point, seconds since
 * 1900), as MIKEY's TS payload and RTCP sender reports carry it. */
uint64_t clock_ntp_now(void);

#endif
