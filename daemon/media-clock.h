/* One frame clock for every call on an event loop.
 *
 * Every call sends a frame and plays one out every ptime. A libevent timer
 * per call and direction meant one wake-up (epoll_wait, clock read, heap
 * update) per endpoint per frame, at phases spread over the period: 200
 * calls made 20,000 wake-ups a second. Here all subscribers with the same
 * period share one timer on a fixed grid (t0 + k * period, from the
 * monotonic clock, so it does not drift with the loop's latency): one
 * wake-up per period for all of them.
 *
 * A tick the loop could not run in time (the process was descheduled, or
 * the loop was busy) is caught up at the next wake-up, up to
 * MEDIA_CLOCK_CATCHUP ticks in all; older ones are skipped and reported to the
 * subscriber (it advances its RTP timestamp over them). A subscriber with
 * once set (playout) is never caught up: it runs once per wake-up and is
 * told how many ticks it missed (catching up would play frames whose
 * packets, sent by the peer's own catch-up, are still in the socket). Each subscriber
 * counts its ticks that ran more than one period after their slot (late)
 * and the skipped ones: bench/media reports them.
 *
 * A tick runs its subscribers newest first (media.c relies on it to read
 * a call's socket right before that call's playout).
 *
 * Single-threaded, like the loop. A tick callback may leave (itself or any
 * other subscriber) but must not free the event base.
 */
#ifndef SVOPID_MEDIA_CLOCK_H
#define SVOPID_MEDIA_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

/* Ticks run late at one wake-up at most; older ones are skipped. Two: a
 * stall of up to 40 ms loses nothing, and an overloaded process does at
 * most twice a tick's work per wake-up (it sheds load beyond that, so SIP
 * and D-Bus still get their turn: with 5, calls-burst.sh's 200 calls in
 * an ASan build starved the SIP transactions into 408s). */
#define MEDIA_CLOCK_CATCHUP	2

struct media_clock;

/* Embedded in the subscriber's own object (no allocation per join). All
 * fields are the clock's; read only the counters. */
struct media_clock_sub {
	void (*tick)(void *ctx, unsigned skipped);
	void *ctx;
	bool once;			/* set before joining: no catch-up */
	struct media_clock *clk;	/* borrowed (shared, refcounted by
					 * its subscribers); NULL = not
					 * joined */
	struct media_clock_sub *prev, *next;	/* clk's list; borrowed */
	uint64_t done;			/* last grid tick run */
	uint64_t ticks, late, skipped;
};

/* Joins the clock of (base, period_ms, offset_ms), creating it on first
 * use: tick runs at every grid tick from the next one on. Clocks of one
 * period tick offset_ms (< period_ms) apart: playout runs half a period
 * after sending, so that in one process (tests, bench/media) a frame sent
 * at a tick is there when the peer's playout asks for it, not a moment
 * after. Returns 0, -EALREADY (joined), -EINVAL or -ENOMEM. */
int media_clock_join(struct event_base *base, unsigned period_ms,
    unsigned offset_ms, struct media_clock_sub *s,
    void (*tick)(void *ctx, unsigned skipped), void *ctx);
/* Leaves (idempotent); the last subscriber frees the clock. */
void media_clock_leave(struct media_clock_sub *s);
static inline bool
media_clock_joined(const struct media_clock_sub *s)
{
	return s->clk != NULL;
}

#endif
