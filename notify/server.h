/* The client side of org.freedesktop.Notifications (the Desktop
 * Notifications Specification 1.2): capabilities, Notify with
 * replaces_id, actions, hints, CloseNotification, and the ActionInvoked,
 * NotificationClosed and NotificationReplied (inline reply, KDE) signals.
 * Signals are accepted only from the server that currently owns the
 * name; when the server goes or a new one comes, the user of this module
 * is told so that it can forget every id and show its prompts again. */
#ifndef SVOPI_NOTIFY_SERVER_H
#define SVOPI_NOTIFY_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* An action key or reply text from the server; longer ones are dropped
 * (our own keys are short, a reply is a code). */
#define SERVER_KEY_MAX 32
#define SERVER_REPLY_MAX 64
/* Capabilities remembered; a server listing more is cut there. */
#define SERVER_CAPS_MAX 64

enum server_urgency {
	SERVER_URGENCY_LOW = 0,
	SERVER_URGENCY_NORMAL = 1,
	SERVER_URGENCY_CRITICAL = 2,
};

struct server_handler {
	/* A server took the name (capabilities known) or left it: every
	 * notification id handed out before is void. */
	void (*changed)(void *userdata, bool present);
	void (*action)(void *userdata, uint32_t id, const char *key);
	void (*replied)(void *userdata, uint32_t id, const char *text);
	void (*closed)(void *userdata, uint32_t id);
};

/* One notification to show. Every string is borrowed for the call. */
struct server_note {
	const char *summary;
	const char *body;
	uint32_t replaces_id;
	/* NULL-terminated pairs: key, label */
	const char *const *actions;
	enum server_urgency urgency;
	const char *icon;		/* icon name, NULL: none */
	const char *category;		/* NULL: none */
	const char *sound;		/* NULL: none; sent if supported */
	const char *reply_placeholder;	/* inline reply hint, or NULL */
	int32_t timeout_ms;		/* 0: until closed */
};

/* The answer to Notify: the id, or a negative errno (no server, error). */
typedef void (*server_notify_fn)(void *userdata, int r, uint32_t id);

struct server;

int server_new(sd_bus *bus, const struct server_handler *h, void *userdata,
	struct server **ret);
struct server *server_free(struct server *s);

/* A server owns the name and its capabilities are known. */
bool server_present(const struct server *s);
/* The server supports inline replies ("inline-reply" or "x-kde-reply"). */
bool server_inline_reply(const struct server *s);
/* The server supports actions at all. */
bool server_actions(const struct server *s);

/* Sends Notify; cb is called once with the answer unless *ret_slot is
 * unreferenced first. Returns 0 or a negative errno. */
int server_notify(struct server *s, const struct server_note *n,
	server_notify_fn cb, void *userdata, sd_bus_slot **ret_slot);

/* Closes notification id (fire and forget). */
void server_close(struct server *s, uint32_t id);

#endif
