/* The daemon's shared context: one struct svopid per process, owned by
 * main (svopid.c) and handed down to every module for its event base,
 * configuration and identity. It declares no functions: nothing below
 * main calls main (docs/architecture.md, the dependency rule). */
#ifndef SVOPID_SVOPID_H
#define SVOPID_SVOPID_H

#include <stdbool.h>
#include <event2/event.h>
#include <systemd/sd-bus.h>

/* Event priorities of d->base (libevent runs only the most urgent queue
 * that has active events): SIP, trust server and media I/O, timers and
 * the media clock at the default; deferred crypto (a callee's DH and
 * signature) and the D-Bus connection below it, so that a burst of
 * INVITEs is read and gets its 100 Trying before the answers are signed,
 * a loaded daemon keeps its frames on time, and an INVITE ready to go
 * out is written before the front-end's follow-up bus calls (Introspect,
 * GetAll on the new Call) are served (bench/setup: they delayed the
 * caller's INVITE by about a millisecond). */
#define SVOPID_PRIORITIES 3
#define SVOPID_PRIO_DEFAULT 1
#define SVOPID_PRIO_BACKGROUND 2

struct conf;
struct identity;
struct busloop;
struct bus_state;
struct transport;
struct txn_layer;
struct ua;
struct reg;
struct calls;

/* Ownership: every pointer is owned by main and freed at its exit, in the
 * reverse order of creation (calls, reg, ua, bus). */
struct svopid {
	struct event_base *base;
	struct conf *conf;
	struct identity *id;
	char *sip_password;
	sd_bus *bus;
	struct busloop *busloop;
	struct bus_state *bus_state;
	struct ua *ua;
	struct reg *reg;	/* NULL without a proxy */
	struct calls *calls;
	const char *trust_server_state;	/* static text; set by the bus
					 * layer on the call layer's event */
	char trust_server_detail[128];	/* why it is unreachable, or "" */
	bool stopping;
};

#endif
