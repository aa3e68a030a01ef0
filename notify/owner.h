/* Follows who owns a well-known bus name (org.svopi.Daemon1,
 * org.freedesktop.Notifications): the unique name of the current owner,
 * learnt from GetNameOwner at start and NameOwnerChanged afterwards, so
 * that signals can be accepted only from the real owner. */
#ifndef SVOPI_NOTIFY_OWNER_H
#define SVOPI_NOTIFY_OWNER_H

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* A unique name is ":" and dotted numbers; 255 is the D-Bus limit. */
#define OWNER_NAME_MAX 255

/* Called with the new owner's unique name ("" when the name has no
 * owner any more). Also called once when the first GetNameOwner answer
 * finds an owner. */
typedef void (*owner_changed_fn)(void *userdata, const char *owner);

struct owner;

/* Starts following name on bus (borrowed; must outlive the watcher).
 * Returns 0 and *ret, or a negative errno. */
int owner_new(sd_bus *bus, const char *name, owner_changed_fn cb,
	void *userdata, struct owner **ret);

struct owner *owner_free(struct owner *o);

/* The current owner's unique name, "" if none. */
const char *owner_get(const struct owner *o);

/* True if message m was sent by the current owner. */
bool owner_sent(const struct owner *o, sd_bus_message *m);

#endif
