/* See busloop.h. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/busloop.h"
#include "common/log.h"

struct busloop {
	struct event_base *base;
	sd_bus *bus;
	struct event *io;
	struct event *timer;
	short armed;		/* libevent flags of io, or -1 */
	int priority;		/* of io and timer */
	bool dead;
	void (*on_dead)(void *userdata);
	void *userdata;
};

static void busloop_io_cb(evutil_socket_t fd, short what, void *arg);

static void
busloop_dispatch(struct busloop *bl)
{
	int r;

	/* Bounded so that a flood of bus messages cannot starve SIP. */
	for (int i = 0; i < 64; i++) {
		r = sd_bus_process(bl->bus, NULL);
		if (r < 0) {
			if (!bl->dead) {
				log_error("D-Bus connection failed: %s",
					strerror(-r));
				bl->dead = true;
				if (bl->io)
					event_del(bl->io);
				evtimer_del(bl->timer);
				bl->on_dead(bl->userdata);
			}
			return;
		}
		if (r == 0)
			break;
	}
	busloop_update(bl);
	/* More queued work than one pass handled: come back at once. */
	if (r > 0)
		event_active(bl->timer, EV_TIMEOUT, 0);
}

static void
busloop_io_cb(evutil_socket_t fd, short what, void *arg)
{
	busloop_dispatch(arg);
}

static void
busloop_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	busloop_dispatch(arg);
}

void
busloop_update(struct busloop *bl)
{
	int fd, ev;
	short want = EV_PERSIST;
	uint64_t usec;

	if (!bl || bl->dead)
		return;
	fd = sd_bus_get_fd(bl->bus);
	ev = sd_bus_get_events(bl->bus);
	if (fd < 0 || ev < 0)
		return;
	if (ev & POLLIN)
		want |= EV_READ;
	if (ev & POLLOUT)
		want |= EV_WRITE;
	if (want != bl->armed) {
		if (bl->io)
			event_free(bl->io);
		bl->io = event_new(bl->base, fd, want, busloop_io_cb, bl);
		if (bl->io)
			event_priority_set(bl->io, bl->priority);
		if (!bl->io || event_add(bl->io, NULL) < 0) {
			log_error("cannot watch the D-Bus socket");
			bl->armed = -1;
			return;
		}
		bl->armed = want;
	}
	if (sd_bus_get_timeout(bl->bus, &usec) >= 0 && usec != UINT64_MAX) {
		struct timespec now;
		uint64_t n;
		struct timeval tv;

		clock_gettime(CLOCK_MONOTONIC, &now);
		n = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000;
		usec = usec > n ? usec - n : 0;
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		evtimer_add(bl->timer, &tv);
	} else {
		evtimer_del(bl->timer);
	}
}

int
busloop_new(struct event_base *base, sd_bus *bus, int priority,
	void (*on_dead)(void *userdata), void *userdata, struct busloop **ret)
{
	struct busloop *bl = calloc(1, sizeof(*bl));

	if (!bl)
		return -ENOMEM;
	bl->base = base;
	bl->bus = sd_bus_ref(bus);
	bl->armed = -1;
	bl->priority = priority;
	bl->on_dead = on_dead;
	bl->userdata = userdata;
	bl->timer = evtimer_new(base, busloop_timer_cb, bl);
	if (!bl->timer) {
		busloop_free(bl);
		return -ENOMEM;
	}
	event_priority_set(bl->timer, priority);
	busloop_update(bl);
	*ret = bl;
	return 0;
}

struct busloop *
busloop_free(struct busloop *bl)
{
	if (!bl)
		return NULL;
	if (bl->io)
		event_free(bl->io);
	if (bl->timer)
		event_free(bl->timer);
	sd_bus_unref(bl->bus);
	free(bl);
	return NULL;
}
