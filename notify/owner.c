/* See owner.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/owner.h"

struct owner {
	sd_bus *bus;			/* borrowed */
	char *name;			/* owned: the well-known name */
	char owner[OWNER_NAME_MAX + 1];	/* "" while nobody owns it */
	sd_bus_slot *match;		/* owned: NameOwnerChanged */
	sd_bus_slot *query;		/* owned: GetNameOwner in flight */
	owner_changed_fn cb;
	void *userdata;
};

/* A unique connection name as the bus daemon hands them out. */
static bool
owner_unique_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 1 && n <= OWNER_NAME_MAX && s[0] == ':' &&
		strspn(s + 1, "0123456789.") == n - 1;
}

static void
owner_set(struct owner *o, const char *who)
{
	if (strcmp(o->owner, who) == 0)
		return;
	snprintf(o->owner, sizeof(o->owner), "%s", who);
	o->cb(o->userdata, o->owner);
}

static int
owner_on_changed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct owner *o = userdata;
	const char *name, *old, *new;

	if (!sd_bus_message_is_signal(m, "org.freedesktop.DBus",
	    "NameOwnerChanged") || strcmp(sd_bus_message_get_sender(m) ?
	    sd_bus_message_get_sender(m) : "", "org.freedesktop.DBus") != 0)
		return 0;
	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 ||
	    strcmp(name, o->name) != 0)
		return 0;
	if (*new && !owner_unique_ok(new))
		return 0;
	/* A query still in flight answers about an older state. */
	o->query = sd_bus_slot_unref(o->query);
	owner_set(o, new);
	return 0;
}

static int
owner_on_reply(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct owner *o = userdata;
	const char *who;

	o->query = sd_bus_slot_unref(o->query);
	if (sd_bus_message_is_method_error(m, NULL))
		return 0;	/* no owner yet: NameOwnerChanged tells */
	if (sd_bus_message_read(m, "s", &who) >= 0 && owner_unique_ok(who))
		owner_set(o, who);
	return 0;
}

int
owner_new(sd_bus *bus, const char *name, owner_changed_fn cb,
	void *userdata, struct owner **ret)
{
	char rule[512];
	struct owner *o;
	int r;

	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->bus = bus;
	o->cb = cb;
	o->userdata = userdata;
	o->name = strdup(name);
	if (!o->name) {
		free(o);
		return -ENOMEM;
	}
	/* name is one of our constants, never outside input. */
	snprintf(rule, sizeof(rule), "type='signal',sender='org.freedesktop."
		"DBus',path='/org/freedesktop/DBus',interface='org.freedesktop."
		"DBus',member='NameOwnerChanged',arg0='%s'", name);
	r = sd_bus_add_match_async(bus, &o->match, rule, owner_on_changed,
		NULL, o);
	if (r >= 0)
		r = sd_bus_call_method_async(bus, &o->query,
			"org.freedesktop.DBus", "/org/freedesktop/DBus",
			"org.freedesktop.DBus", "GetNameOwner", owner_on_reply,
			o, "s", name);
	if (r < 0) {
		owner_free(o);
		return r;
	}
	*ret = o;
	return 0;
}

struct owner *
owner_free(struct owner *o)
{
	if (!o)
		return NULL;
	sd_bus_slot_unref(o->match);
	sd_bus_slot_unref(o->query);
	free(o->name);
	free(o);
	return NULL;
}

const char *
owner_get(const struct owner *o)
{
	return o->owner;
}

bool
owner_sent(const struct owner *o, sd_bus_message *m)
{
	const char *s = sd_bus_message_get_sender(m);

	return *o->owner && s && strcmp(s, o->owner) == 0;
}
