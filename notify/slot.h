/* One notification per key (a peer or a call path): what it shows, the
 * id the server gave it, and sending it so that a change replaces it in
 * place (replaces_id), a Notify still in flight is followed by one more
 * with the id it returns, and a close waits for that id. The prompts
 * (prompt.c) decide what the content is. */
#ifndef SVOPI_NOTIFY_SLOT_H
#define SVOPI_NOTIFY_SLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "notify/server.h"
#include "notify/text.h"

/* Notifications followed at once; beyond that the oldest finished ones
 * (results, alerts, ended calls) are dropped first. */
#define SLOTS_MAX 64

enum slot_kind {
	SLOT_VUC_ISSUED,	/* key: peer */
	SLOT_VUC_REQUESTED,	/* key: peer; also after a wrong code */
	SLOT_VUC_RESULT,	/* key: peer; the code was accepted or void */
	SLOT_ALERT,		/* key: peer */
	SLOT_CALL_INCOMING,	/* key: call path */
	SLOT_CALL_ENDED,	/* key: call path */
};

struct slot {
	LIST_ENTRY(slot) link;
	struct slots *set;		/* borrowed: the set it is in */
	char key[TEXT_PEER_MAX + 1];
	char peer[TEXT_PEER_MAX + 1];
	char name[TEXT_NAME_MAX + 1];
	enum slot_kind kind;
	uint32_t id;			/* the server's id, 0: not shown */
	sd_bus_slot *notify_call;	/* owned: Notify in flight */
	bool dirty;			/* changed while Notify was in flight */
	bool closing;			/* close as soon as the id is known */
	bool dismissed;			/* closed by the person: not re-shown */
	unsigned seen;			/* VucList generation that listed it */
	/* what is shown; every string in it is free of markup */
	char summary[256];
	char body[1024];
	const char *const *actions;	/* static tables, or NULL */
	enum server_urgency urgency;
	const char *category, *icon, *sound, *placeholder;
	int32_t timeout_ms;
	/* VUC */
	uint64_t expires;
	sd_event_source *timer;		/* owned: closes an issued code */
	struct entry *entry;		/* owned: the code dialog */
	bool entering;			/* EnterVuc in flight */
};

struct slots {
	LIST_HEAD(, slot) list;
	unsigned n;
	struct server *srv;		/* borrowed */
	void *owner;			/* borrowed: the prompts */
};

void slots_init(struct slots *set, struct server *srv, void *owner);
/* Frees every slot (nothing is sent). */
void slots_clear(struct slots *set);

struct slot *slot_find(struct slots *set, const char *key);
struct slot *slot_by_id(struct slots *set, uint32_t id);
/* The slot for key, made anew or taken over for kind with its content
 * reset (the id kept, so the next show replaces). NULL if memory or the
 * limit says no. */
struct slot *slot_get(struct slots *set, const char *key, const char *peer,
	enum slot_kind kind);
/* Sends the content (Notify with replaces_id = the current id). */
void slot_show(struct slot *s);
/* Closes the notification and forgets the slot. */
void slot_close(struct slot *s);
/* Forgets the slot without closing anything. */
void slot_free(struct slot *s);
/* The server left (present false): every id is void, short-lived slots
 * go. */
void slots_server_gone(struct slots *set);

#endif
