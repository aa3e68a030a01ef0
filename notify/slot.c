/* See slot.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "notify/entry.h"
#include "notify/slot.h"

void
slots_init(struct slots *set, struct server *srv, void *owner)
{
	LIST_INIT(&set->list);
	set->n = 0;
	set->srv = srv;
	set->owner = owner;
}

void
slots_clear(struct slots *set)
{
	while (!LIST_EMPTY(&set->list))
		slot_free(LIST_FIRST(&set->list));
}

void
slot_free(struct slot *s)
{
	LIST_REMOVE(s, link);
	s->set->n--;
	sd_bus_slot_unref(s->notify_call);
	sd_event_source_disable_unref(s->timer);
	entry_free(s->entry);
	free(s);
}

void
slot_close(struct slot *s)
{
	s->entry = entry_free(s->entry);
	s->timer = sd_event_source_disable_unref(s->timer);
	if (s->notify_call) {
		s->closing = true;	/* the id comes back, then close it */
		return;
	}
	server_close(s->set->srv, s->id);
	slot_free(s);
}

struct slot *
slot_find(struct slots *set, const char *key)
{
	struct slot *s;

	LIST_FOREACH(s, &set->list, link)
		if (!s->closing && strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

struct slot *
slot_by_id(struct slots *set, uint32_t id)
{
	struct slot *s;

	if (id == 0)
		return NULL;
	LIST_FOREACH(s, &set->list, link)
		if (s->id == id)
			return s;
	return NULL;
}

struct slot *
slot_get(struct slots *set, const char *key, const char *peer,
	enum slot_kind kind)
{
	struct slot *s = slot_find(set, key), *o, *victim = NULL;

	if (!s) {
		if (set->n >= SLOTS_MAX) {
			LIST_FOREACH(o, &set->list, link)
				if (o->kind == SLOT_VUC_RESULT ||
				    o->kind == SLOT_CALL_ENDED ||
				    o->kind == SLOT_ALERT)
					victim = o;	/* the oldest */
			if (!victim)
				return NULL;
			slot_close(victim);
		}
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->set = set;
		snprintf(s->key, sizeof(s->key), "%s", key);
		LIST_INSERT_HEAD(&set->list, s, link);
		set->n++;
	}
	if (s->kind != kind) {
		s->entry = entry_free(s->entry);
		s->timer = sd_event_source_disable_unref(s->timer);
	}
	s->kind = kind;
	s->dismissed = false;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	text_peer_name(peer, s->name, sizeof(s->name));
	s->actions = NULL;
	s->urgency = SERVER_URGENCY_NORMAL;
	s->category = s->icon = s->sound = s->placeholder = NULL;
	s->timeout_ms = 0;
	s->body[0] = '\0';
	return s;
}

static void
slot_on_notify(void *userdata, int r, uint32_t id)
{
	struct slot *s = userdata;

	s->notify_call = sd_bus_slot_unref(s->notify_call);
	if (r < 0) {
		/* No server now: shown again when one appears. */
		log_debug("Notify failed: %s", strerror(-r));
		s->id = 0;
	} else {
		s->id = id;
	}
	if (s->closing) {
		server_close(s->set->srv, s->id);
		slot_free(s);
	} else if (s->dirty) {
		s->dirty = false;
		slot_show(s);
	}
}

void
slot_show(struct slot *s)
{
	struct server_note n = {
		.summary = s->summary,
		.body = s->body,
		.replaces_id = s->id,
		.actions = s->actions,
		.urgency = s->urgency,
		.icon = s->icon,
		.category = s->category,
		.sound = s->sound,
		.reply_placeholder = s->placeholder,
		.timeout_ms = s->timeout_ms,
	};
	int r;

	if (s->notify_call) {
		s->dirty = true;
		return;
	}
	r = server_notify(s->set->srv, &n, slot_on_notify, s, &s->notify_call);
	if (r < 0)
		log_warning("cannot send a notification: %s", strerror(-r));
}

void
slots_server_gone(struct slots *set)
{
	struct slot *s, *n;

	for (s = LIST_FIRST(&set->list); s; s = n) {
		n = LIST_NEXT(s, link);
		s->id = 0;
		s->notify_call = sd_bus_slot_unref(s->notify_call);
		s->dirty = false;
		if (s->closing || s->kind == SLOT_VUC_RESULT ||
		    s->kind == SLOT_CALL_ENDED)
			slot_free(s);
	}
}
