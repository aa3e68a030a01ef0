/* Inside the bus layer: the call members of org.svopi.Daemon1 that bus.c
 * puts in its vtable, implemented in bus-call.c with org.svopi.Call1, and
 * what both files share. bus-call.c knows nothing of bus.c. */
#ifndef SVOPID_BUS_CALL_H
#define SVOPID_BUS_CALL_H

#include <sys/queue.h>

#include <systemd/sd-bus.h>

#include "daemon/call.h"
#include "daemon/svopid.h"

#define BUS_PATH "/org/svopi/Daemon1"
#define BUS_IFACE "org.svopi.Daemon1"
#define BUS_CALL_IFACE "org.svopi.Call1"
#define BUS_CALL_PATH_PREFIX "/org/svopi/Call/"

#define BUS_CALL_METHOD(name) \
	int name(sd_bus_message *m, void *userdata, sd_bus_error *e)
BUS_CALL_METHOD(bus_call_method_dial);
BUS_CALL_METHOD(bus_call_method_enroll);
BUS_CALL_METHOD(bus_call_method_enter_vuc);
BUS_CALL_METHOD(bus_call_method_list_calls);
BUS_CALL_METHOD(bus_call_method_vuc_list);
BUS_CALL_METHOD(bus_call_method_trust_list);
BUS_CALL_METHOD(bus_call_method_trust_forget);

struct bus_call_obj;

/* The bus layer's state. Ownership: the slots and the objects in the list
 * are owned (bus_teardown, bus_call_objs_free); dead_ctx is borrowed. */
struct bus_state {
	sd_bus_slot *vtable_slot;
	LIST_HEAD(, bus_call_obj) objs;	/* one per visible call */
	void (*on_dead)(void *ctx);
	void *dead_ctx;
};

/* Drops every call object. */
void bus_call_objs_free(struct bus_state *bs);

/* The call layer's events as signals and properties; their context is
 * the struct svopid. */
extern const struct calls_events bus_calls_events;

#endif
