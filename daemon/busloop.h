/* sd-bus inside the libevent loop: one event on the bus fd with the events
 * sd_bus_get_events asks for, one timer for sd_bus_get_timeout. Both must
 * be re-armed after every sd_bus_process pass and after any bus call made
 * outside a bus callback (emitting a signal from a SIP event queues a
 * message that only goes out once the fd waits for POLLOUT):
 * busloop_update() does that. */
#ifndef SVOPID_BUSLOOP_H
#define SVOPID_BUSLOOP_H

#include <event2/event.h>
#include <systemd/sd-bus.h>

struct busloop;

/* on_dead is called once when the bus connection fails. The bus events
 * run at priority (event_priority_set on base; ignored by a base without
 * that many priorities). */
int busloop_new(struct event_base *base, sd_bus *bus, int priority,
	void (*on_dead)(void *userdata), void *userdata, struct busloop **ret);
struct busloop *busloop_free(struct busloop *bl);
/* Re-arms fd events and timer from the bus state. */
void busloop_update(struct busloop *bl);

#endif
