/* One frame clock per event loop and period: see media-clock.h. */
#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/clock.h"
#include "media-clock.h"

struct media_clock {
	struct event_base *base;	/* borrowed */
	unsigned period_ms, offset_ms;
	uint64_t period_ns, t0_ns;
	int fd;				/* owned: the timerfd */
	struct event *ev;		/* owned: fd readable */
	struct media_clock_sub *head;	/* borrowed: the subscribers */
	struct media_clock_sub *cursor;	/* borrowed: next to run in a tick */
	bool firing;			/* in clock_fire: freed at its end */
	struct media_clock *next;	/* clocks, all loops */
};

/* Every clock of the process (a daemon has one loop and one or two
 * periods: a short list). */
static struct media_clock *clocks;
/* The grid's origin: every grid is epoch + offset + k * period, so clocks
 * of one period keep their offsets to each other. It is set again when a
 * clock starts while no other clock runs: a lone call's first frame goes
 * out at once and its second one a full period later, not at a tick left
 * over from an earlier call (bench/setup: the gap between the first two
 * packets was 3-9 ms). A call that starts while others run joins their
 * grid, and its second frame follows its first by less than a period. */
static uint64_t epoch_ns;

static uint64_t
clock_grid_now(const struct media_clock *c, uint64_t now)
{
	return (now - c->t0_ns) / c->period_ns;
}

/* The grid runs in the kernel: a periodic timerfd on CLOCK_MONOTONIC (the
 * clock of clock_mono_ns), first due at the grid point after now. A
 * libevent timer would be re-armed each tick and, on libevent's default
 * CLOCK_MONOTONIC_COARSE (4 ms jiffies here), fire up to 4 ms off its
 * slot after empty 1 ms epoll_waits until the coarse clock caught up
 * (strace of a call: three per frame); with EVENT_BASE_FLAG_PRECISE_TIMER
 * instead, every loop iteration costs a timerfd_settime. This costs one
 * read per tick and nothing per iteration. */
static int
clock_arm(struct media_clock *c, uint64_t now)
{
	uint64_t due = c->t0_ns + (clock_grid_now(c, now) + 1) * c->period_ns;
	struct itimerspec its = {
		.it_interval = {
			.tv_sec = (time_t)(c->period_ns / 1000000000u),
			.tv_nsec = (long)(c->period_ns % 1000000000u),
		},
		.it_value = {
			.tv_sec = (time_t)(due / 1000000000u),
			.tv_nsec = (long)(due % 1000000000u),
		},
	};

	return timerfd_settime(c->fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ?
	    -errno : 0;
}

/* Runs one subscriber over the grid ticks it has not run yet. */
static void
clock_run_sub(struct media_clock *c, struct media_clock_sub *s, uint64_t k,
    uint64_t now)
{
	unsigned skipped = 0;

	uint64_t keep = s->once ? 1 : MEDIA_CLOCK_CATCHUP;

	if (k - s->done > keep) {
		skipped = (unsigned)(k - s->done - keep);
		s->skipped += skipped;
		s->done += skipped;
	}
	while (s->done < k && s->clk == c) {
		uint64_t slot = c->t0_ns + (s->done + 1) * c->period_ns;

		s->done++;
		s->ticks++;
		if (now - slot > c->period_ns)
			s->late++;
		s->tick(s->ctx, skipped);
		skipped = 0;
	}
}

static void
clock_free(struct media_clock *c)
{
	struct media_clock **pp;

	for (pp = &clocks; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->ev)
		event_free(c->ev);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static void
clock_fire(evutil_socket_t fd, short what, void *arg)
{
	struct media_clock *c = arg;
	uint64_t now, k, expirations;
	struct media_clock_sub *s;
	(void)what;

	/* The count is not used: the grid index from the clock says which
	 * ticks are due, also when the loop was late. */
	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;		/* EAGAIN: nothing due yet */
	now = clock_mono_ns();
	k = clock_grid_now(c, now);

	c->firing = true;
	for (s = c->head; s; s = c->cursor) {
		c->cursor = s->next;
		clock_run_sub(c, s, k, now);
	}
	c->cursor = NULL;
	c->firing = false;
	if (!c->head)
		clock_free(c);
}

static struct media_clock *
clock_get(struct event_base *base, unsigned period_ms, unsigned offset_ms)
{
	struct media_clock *c;
	uint64_t now = clock_mono_ns();

	for (c = clocks; c; c = c->next)
		if (c->base == base && c->period_ms == period_ms &&
		    c->offset_ms == offset_ms)
			return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->fd < 0) {
		free(c);
		return NULL;
	}
	c->base = base;
	c->period_ms = period_ms;
	c->offset_ms = offset_ms;
	c->period_ns = (uint64_t)period_ms * 1000000u;
	if (!clocks)
		epoch_ns = now;
	/* The latest grid point not after now. */
	c->t0_ns = epoch_ns + (uint64_t)offset_ms * 1000000u;
	if (c->t0_ns > now)
		c->t0_ns -= c->period_ns;
	c->ev = event_new(base, c->fd, EV_READ | EV_PERSIST, clock_fire, c);
	if (!c->ev || event_add(c->ev, NULL) < 0 || clock_arm(c, now) < 0) {
		clock_free(c);
		return NULL;
	}
	c->next = clocks;
	clocks = c;
	return c;
}

int
media_clock_join(struct event_base *base, unsigned period_ms,
    unsigned offset_ms, struct media_clock_sub *s,
    void (*tick)(void *ctx, unsigned skipped), void *ctx)
{
	struct media_clock *c;

	if (!base || !period_ms || period_ms > 1000 || offset_ms >= period_ms ||
	    !tick)
		return -EINVAL;
	if (s->clk)
		return -EALREADY;
	if (!(c = clock_get(base, period_ms, offset_ms)))
		return -ENOMEM;
	s->tick = tick;
	s->ctx = ctx;
	s->clk = c;
	s->done = clock_grid_now(c, clock_mono_ns());
	s->prev = NULL;
	s->next = c->head;
	if (c->head)
		c->head->prev = s;
	c->head = s;
	return 0;
}

void
media_clock_leave(struct media_clock_sub *s)
{
	struct media_clock *c = s->clk;

	if (!c)
		return;
	if (c->cursor == s)
		c->cursor = s->next;
	if (s->prev)
		s->prev->next = s->next;
	else
		c->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->clk = NULL;
	s->prev = s->next = NULL;
	if (!c->head && !c->firing)
		clock_free(c);
}
