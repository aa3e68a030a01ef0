/* Every D-Bus vtable of svopid (SPEC §5), on the session bus by default:
 * name org.svopi.Daemon1, object /org/svopi/Daemon1, interface
 * org.svopi.Daemon1. The XML in dbus/org.svopi.Daemon1.xml is the
 * contract; this file implements it. */
#ifndef SVOPID_BUS_H
#define SVOPID_BUS_H

#include <stdbool.h>

#include "daemon/svopid.h"

#define BUS_NAME "org.svopi.Daemon1"
#define BUS_PATH "/org/svopi/Daemon1"
#define BUS_IFACE "org.svopi.Daemon1"

/* Connects (system bus, or address, or the user bus), publishes the object
 * and requests the name. Fails when another instance holds the name. */
int bus_setup(struct svopid *d, bool system_bus, const char *address);
void bus_teardown(struct svopid *d);
/* Emits PropertiesChanged(Registration) and RegistrationChanged(s). */
void bus_emit_registration(struct svopid *d);

#endif
