/* The bus layer: every D-Bus vtable and emission of svopid (SPEC §5), on
 * the session bus by default: name org.svopi.Daemon1, object
 * /org/svopi/Daemon1, interface org.svopi.Daemon1 (bus.c), and the call
 * objects /org/svopi/Call/N, interface org.svopi.Call1, with the call
 * members of Daemon1 (bus-call.c). The XML in dbus/ is the contract; these
 * files implement it. Nothing below calls into this layer: it hears from
 * the call layer through struct calls_events and tells main through the
 * on_dead callback. */
#ifndef SVOPID_BUS_H
#define SVOPID_BUS_H

#include <stdbool.h>

#include "daemon/bus-call.h"
#include "daemon/reg.h"
#include "daemon/svopid.h"

#define BUS_NAME "org.svopi.Daemon1"

/* Connects (system bus, or address, or the user bus), publishes the object
 * and requests the name. Fails when another instance holds the name.
 * on_dead(ctx) is called once if the connection dies later. */
int bus_setup(struct svopid *d, bool system_bus, const char *address,
	void (*on_dead)(void *ctx), void *ctx);
void bus_teardown(struct svopid *d);
/* Emits PropertiesChanged(Registration) and RegistrationChanged(s). */
void bus_emit_registration(struct svopid *d);

#endif
