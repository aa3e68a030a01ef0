/* See server.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "notify/owner.h"
#include "notify/server.h"

#define FDN_NAME "org.freedesktop.Notifications"
#define FDN_PATH "/org/freedesktop/Notifications"
#define FDN_IFACE "org.freedesktop.Notifications"
#define FDN_APP "svopi-notify"
/* A capability name longer than this is not one we look for. */
#define FDN_CAP_MAX 64

struct server {
	sd_bus *bus;			/* borrowed */
	struct owner *owner;		/* owned */
	sd_bus_slot *signals;		/* owned: match on FDN_IFACE */
	sd_bus_slot *caps_call;		/* owned: GetCapabilities */
	bool present;
	bool inline_reply, actions, sound;
	const struct server_handler *h;	/* borrowed */
	void *userdata;
};

struct server_pending {
	server_notify_fn cb;
	void *userdata;
};

static void
server_caps_reset(struct server *s)
{
	s->inline_reply = s->actions = s->sound = false;
}

static int
server_on_caps(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct server *s = userdata;
	const char *cap;
	unsigned n = 0;
	int r;

	s->caps_call = sd_bus_slot_unref(s->caps_call);
	server_caps_reset(s);
	if (sd_bus_message_is_method_error(m, NULL)) {
		log_warning("notification server: GetCapabilities failed: %s",
			sd_bus_message_get_error(m)->name);
	} else if (sd_bus_message_enter_container(m, 'a', "s") >= 0) {
		while (n++ < SERVER_CAPS_MAX &&
		    (r = sd_bus_message_read(m, "s", &cap)) > 0) {
			if (strlen(cap) > FDN_CAP_MAX)
				continue;
			if (strcmp(cap, "actions") == 0)
				s->actions = true;
			else if (strcmp(cap, "inline-reply") == 0 ||
			    strcmp(cap, "x-kde-reply") == 0)
				s->inline_reply = true;
			else if (strcmp(cap, "sound") == 0)
				s->sound = true;
		}
	}
	s->present = true;
	log_info("notification server %s: actions %s, inline reply %s",
		owner_get(s->owner), s->actions ? "yes" : "no",
		s->inline_reply ? "yes" : "no");
	s->h->changed(s->userdata, true);
	return 0;
}

static void
server_owner_changed(void *userdata, const char *who)
{
	struct server *s = userdata;
	bool was = s->present;

	s->caps_call = sd_bus_slot_unref(s->caps_call);
	s->present = false;
	server_caps_reset(s);
	if (was || !*who) {
		log_info("notification server %s", *who ? "replaced" : "gone");
		s->h->changed(s->userdata, false);
	}
	if (*who &&
	    sd_bus_call_method_async(s->bus, &s->caps_call, who, FDN_PATH,
	    FDN_IFACE, "GetCapabilities", server_on_caps, s, "") < 0)
		log_warning("notification server: cannot ask capabilities");
}

static int
server_on_signal(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct server *s = userdata;
	const char *text;
	uint32_t id, why;

	if (!s->present || !owner_sent(s->owner, m))
		return 0;
	if (sd_bus_message_is_signal(m, FDN_IFACE, "ActionInvoked")) {
		if (sd_bus_message_read(m, "us", &id, &text) > 0 &&
		    strlen(text) <= SERVER_KEY_MAX)
			s->h->action(s->userdata, id, text);
	} else if (sd_bus_message_is_signal(m, FDN_IFACE,
	    "NotificationReplied")) {
		if (sd_bus_message_read(m, "us", &id, &text) > 0 &&
		    strlen(text) <= SERVER_REPLY_MAX)
			s->h->replied(s->userdata, id, text);
	} else if (sd_bus_message_is_signal(m, FDN_IFACE,
	    "NotificationClosed")) {
		if (sd_bus_message_read(m, "uu", &id, &why) > 0)
			s->h->closed(s->userdata, id);
	}
	return 0;
}

int
server_new(sd_bus *bus, const struct server_handler *h, void *userdata,
	struct server **ret)
{
	struct server *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->bus = bus;
	s->h = h;
	s->userdata = userdata;
	r = sd_bus_match_signal_async(bus, &s->signals, FDN_NAME, FDN_PATH,
		FDN_IFACE, NULL, server_on_signal, NULL, s);
	if (r >= 0)
		r = owner_new(bus, FDN_NAME, server_owner_changed, s,
			&s->owner);
	if (r < 0) {
		server_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct server *
server_free(struct server *s)
{
	if (!s)
		return NULL;
	sd_bus_slot_unref(s->caps_call);
	sd_bus_slot_unref(s->signals);
	owner_free(s->owner);
	free(s);
	return NULL;
}

bool
server_present(const struct server *s)
{
	return s->present;
}

bool
server_inline_reply(const struct server *s)
{
	return s->present && s->inline_reply;
}

bool
server_actions(const struct server *s)
{
	return s->present && s->actions;
}

static int
server_on_notify(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct server_pending *p = userdata;
	uint32_t id = 0;
	int r = 0;

	if (sd_bus_message_is_method_error(m, NULL)) {
		r = sd_bus_message_get_errno(m);
		r = r > 0 ? -r : -EIO;
	} else if (sd_bus_message_read(m, "u", &id) <= 0 || id == 0) {
		r = -EBADMSG;
	}
	p->cb(p->userdata, r, id);
	return 0;
}

static int
server_append_hint(sd_bus_message *m, const char *key, const char *type,
	const void *v)
{
	int r;

	r = sd_bus_message_open_container(m, 'e', "sv");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", key);
	if (r >= 0 && strcmp(type, "y") == 0)
		r = sd_bus_message_append(m, "v", "y", *(const uint8_t *)v);
	else if (r >= 0)
		r = sd_bus_message_append(m, "v", "s", (const char *)v);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

static int
server_append_note(struct server *s, sd_bus_message *m,
	const struct server_note *n)
{
	uint8_t urgency = (uint8_t)n->urgency;
	int r;

	r = sd_bus_message_append(m, "susss", FDN_APP, n->replaces_id,
		n->icon ? n->icon : "", n->summary, n->body ? n->body : "");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "s");
	for (const char *const *a = n->actions; r >= 0 && a && *a; a++)
		r = sd_bus_message_append(m, "s", *a);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r >= 0)
		r = server_append_hint(m, "urgency", "y", &urgency);
	if (r >= 0)
		r = server_append_hint(m, "desktop-entry", "s", FDN_APP);
	if (r >= 0 && n->category)
		r = server_append_hint(m, "category", "s", n->category);
	if (r >= 0 && n->sound && s->sound)
		r = server_append_hint(m, "sound-name", "s", n->sound);
	if (r >= 0 && n->reply_placeholder)
		r = server_append_hint(m, "x-kde-reply-placeholder-text", "s",
			n->reply_placeholder);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "i", n->timeout_ms);
	return r;
}

int
server_notify(struct server *s, const struct server_note *n,
	server_notify_fn cb, void *userdata, sd_bus_slot **ret_slot)
{
	sd_bus_message *m = NULL;
	struct server_pending *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cb = cb;
	p->userdata = userdata;
	r = sd_bus_message_new_method_call(s->bus, &m, FDN_NAME, FDN_PATH,
		FDN_IFACE, "Notify");
	if (r >= 0)
		r = server_append_note(s, m, n);
	if (r >= 0)
		r = sd_bus_call_async(s->bus, ret_slot, m, server_on_notify, p,
			0);
	sd_bus_message_unref(m);
	if (r < 0) {
		free(p);
		return r;
	}
	/* p lives as long as the call's slot, whoever drops it. */
	(void)sd_bus_slot_set_destroy_callback(*ret_slot, free);
	return 0;
}

void
server_close(struct server *s, uint32_t id)
{
	if (!id || !s->present)
		return;
	(void)sd_bus_call_method_async(s->bus, NULL, FDN_NAME, FDN_PATH,
		FDN_IFACE, "CloseNotification", NULL, NULL, "u", id);
}
