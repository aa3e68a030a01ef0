/* See prompt.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "common/log.h"
#include "notify/entry.h"
#include "notify/prompt.h"
#include "notify/server.h"
#include "notify/slot.h"
#include "notify/text.h"
#include "notify/watch.h"

/* How long short-lived notifications stay, ms. */
#define PROMPT_RESULT_MS 8000
#define PROMPT_ENDED_MS 15000

struct pcall {
	LIST_ENTRY(pcall) link;
	char path[WATCH_PATH_MAX + 1];
	char peer[TEXT_PEER_MAX + 1];	/* "" until known */
	char state[16];
	char reason[TEXT_REASON_MAX + 1];
	int incoming, verified;		/* -1 until known */
	bool rang;			/* reached ringing or active */
	bool asked;			/* properties asked */
};

struct prompts {
	sd_event *ev;			/* borrowed */
	sd_bus *bus;			/* borrowed */
	struct server *srv;		/* owned */
	struct watch *w;		/* owned */
	struct slots slots;		/* every notification shown */
	LIST_HEAD(, pcall) calls;
	unsigned ncalls;
	unsigned list_gen;		/* VucList answers counted */
};

static const char *const actions_enter[] = {
	"enter-code", "Enter code", NULL,
};
static const char *const actions_inline[] = {
	"inline-reply", "Enter code", NULL,
};
static const char *const actions_call[] = {
	"answer", "Answer", "reject", "Reject", NULL,
};

/* --- VUC prompts --- */

static int
vuc_on_expiry(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct slot *s = userdata;
	struct prompts *p = s->set->owner;

	slot_close(s);
	watch_vuc_list(p->w);
	return 0;
}

static void
vuc_show_issued(struct prompts *p, const char *peer, const char *code,
	uint64_t expires)
{
	struct slot *s = slot_find(&p->slots, peer);
	char until[64] = "";
	struct tm tm;
	time_t t = (time_t)expires;

	if (s && s->kind == SLOT_VUC_ISSUED && s->expires == expires &&
	    strstr(s->summary, code))
		return;		/* already shown as it is */
	s = slot_get(&p->slots, peer, peer, SLOT_VUC_ISSUED);
	if (!s)
		return;
	snprintf(s->summary, sizeof(s->summary), "Tell %s this code: %s",
		s->name, code);
	if (expires > 0 && expires < (uint64_t)INT64_MAX / 1000000 &&
	    localtime_r(&t, &tm))
		strftime(until, sizeof(until), " It is valid until %H:%M.",
			&tm);
	snprintf(s->body, sizeof(s->body), "Read it out to %s (%s) on the "
		"phone or in person: it unlocks your first call.%s", s->name,
		peer, until);
	s->icon = "dialog-password";
	s->category = "x-svopi.vuc";
	s->expires = expires;
	s->timer = sd_event_source_disable_unref(s->timer);
	if (expires > 0 && expires < (uint64_t)INT64_MAX / 1000000)
		(void)sd_event_add_time(p->ev, &s->timer, CLOCK_REALTIME,
			expires * 1000000, 1000000, vuc_on_expiry, s);
	slot_show(s);
}

/* The request for a code, with headline as its summary ("" for the
 * first one) and what the person does next, by what the server and the
 * machine offer: inline reply, a dialog behind an action, or the
 * command. */
static void
vuc_show_requested(struct prompts *p, const char *peer, const char *headline)
{
	struct slot *s = slot_get(&p->slots, peer, peer, SLOT_VUC_REQUESTED);
	enum entry_tool tool = entry_find();
	const char *how;
	char cmd[TEXT_PEER_MAX + 64];

	if (!s)
		return;
	if (*headline)
		snprintf(s->summary, sizeof(s->summary), "%s", headline);
	else
		snprintf(s->summary, sizeof(s->summary), "%s will read you a "
			"code", s->name);
	if (server_inline_reply(p->srv)) {
		how = "Type the code into this notification.";
		s->actions = actions_inline;
		s->placeholder = "1234-5678";
	} else if (server_actions(p->srv) && tool != ENTRY_NONE) {
		how = "Choose \"Enter code\" when you have it.";
		s->actions = actions_enter;
	} else {
		snprintf(cmd, sizeof(cmd), "Enter it with: svopictl vuc enter "
			"%s CODE", peer);
		how = cmd;
	}
	snprintf(s->body, sizeof(s->body), "Ask %s (%s) for the code their "
		"screen shows; it unlocks your first call. %s", s->name, peer,
		how);
	s->icon = "dialog-password";
	s->category = "x-svopi.vuc";
	slot_show(s);
}

static void
vuc_result_show(struct prompts *p, const char *peer, const char *summary,
	const char *body)
{
	struct slot *s = slot_get(&p->slots, peer, peer, SLOT_VUC_RESULT);

	if (!s)
		return;
	snprintf(s->summary, sizeof(s->summary), "%s", summary);
	snprintf(s->body, sizeof(s->body), "%s", body);
	s->icon = "dialog-password";
	s->category = "x-svopi.vuc";
	s->timeout_ms = PROMPT_RESULT_MS;
	slot_show(s);
}

static void
vuc_on_entered(void *userdata, const char *peer, int r, const char *result,
	int left, const char *error)
{
	struct prompts *p = userdata;
	struct slot *s = slot_find(&p->slots, peer);
	char name[TEXT_NAME_MAX + 1], sum[256], body[512];

	if (s)
		s->entering = false;
	text_peer_name(peer, name, sizeof(name));
	if (r < 0) {
		snprintf(body, sizeof(body), "svopid could not check it: %s",
			error ? error : "no answer");
		vuc_result_show(p, peer, "The code was not checked", body);
		return;
	}
	log_info("code for %s: %s", peer, result);
	if (strcmp(result, "trusted") == 0) {
		snprintf(sum, sizeof(sum), "Code accepted: %s is trusted", name);
		vuc_result_show(p, peer, sum, "The call goes on by itself.");
	} else if (strcmp(result, "wrong-code") == 0) {
		if (left >= 0)
			snprintf(sum, sizeof(sum), "Wrong code for %s: %d %s "
				"left", name, left, left == 1 ? "try" : "tries");
		else
			snprintf(sum, sizeof(sum), "Wrong code for %s", name);
		vuc_show_requested(p, peer, sum);
	} else if (strcmp(result, "expired") == 0) {
		snprintf(body, sizeof(body), "Call %s again to get a new code.",
			name);
		vuc_result_show(p, peer, "The code has expired", body);
	} else if (strcmp(result, "locked") == 0) {
		snprintf(body, sizeof(body), "Too many wrong codes. Call %s "
			"again to get a new code.", name);
		vuc_result_show(p, peer, "The code is locked", body);
	} else {
		snprintf(body, sizeof(body), "No code is waiting for %s any "
			"more.", name);
		vuc_result_show(p, peer, "Nothing to unlock", body);
	}
}

/* A code the person typed, from the dialog or an inline reply. */
static void
vuc_enter(struct prompts *p, struct slot *s, const char *text)
{
	char code[TEXT_CODE_LEN + 1], sum[256];
	int r;

	if (text_code_parse(text, strlen(text), code) < 0) {
		snprintf(sum, sizeof(sum), "That is not a code from %s: it has "
			"8 digits, like 1234-5678", s->name);
		vuc_show_requested(p, s->peer, sum);
		return;
	}
	r = watch_enter_vuc(p->w, s->peer, code, vuc_on_entered, p);
	if (r < 0)
		vuc_on_entered(p, s->peer, r, NULL, -1, "svopid is not running");
	else
		s->entering = true;
}

static void
vuc_on_dialog(void *userdata, int r, const char *text)
{
	struct slot *s = userdata;
	struct prompts *p = s->set->owner;
	char typed[ENTRY_OUTPUT_MAX + 1];

	if (r < 0 || s->kind != SLOT_VUC_REQUESTED) {
		log_debug("code dialog: %s", r < 0 ? strerror(-r) : "stale");
		s->entry = entry_free(s->entry);
		return;
	}
	/* text lives in the entry, which is done now. */
	snprintf(typed, sizeof(typed), "%s", text);
	s->entry = entry_free(s->entry);
	vuc_enter(p, s, typed);
}

static void
vuc_open_dialog(struct prompts *p, struct slot *s)
{
	enum entry_tool tool = entry_find();
	char question[TEXT_PEER_MAX + 128];
	int r;

	s->entry = entry_free(s->entry);
	snprintf(question, sizeof(question), "Enter the code %s (%s) reads "
		"to you:", s->name, s->peer);
	r = entry_start(p->ev, tool, question, vuc_on_dialog, s, &s->entry);
	if (r < 0) {
		log_warning("cannot open a %s dialog: %s",
			entry_tool_name(tool), strerror(-r));
		vuc_show_requested(p, s->peer, "");
	}
}

/* --- security alerts --- */

static void
alert_show(struct prompts *p, const char *peer, const char *reason)
{
	struct slot *s = slot_get(&p->slots, peer, peer, SLOT_ALERT);
	char words[512];

	if (!s)
		return;
	snprintf(s->summary, sizeof(s->summary), "Security alert: call with %s",
		s->name);
	text_alert_words(s->name, reason, words, sizeof(words));
	snprintf(s->body, sizeof(s->body), "%s\n%s\nDetails: %s", words, peer,
		reason);
	s->urgency = SERVER_URGENCY_CRITICAL;
	s->icon = "security-low";
	s->category = "x-svopi.security";
	slot_show(s);
}

/* --- calls --- */

static struct pcall *
call_find(struct prompts *p, const char *path, bool create)
{
	struct pcall *c, *victim = NULL;

	LIST_FOREACH(c, &p->calls, link)
		if (strcmp(c->path, path) == 0)
			return c;
	if (!create)
		return NULL;
	if (p->ncalls >= PROMPT_CALLS_MAX) {
		LIST_FOREACH(c, &p->calls, link)
			if (strcmp(c->state, "ended") == 0)
				victim = c;
		if (!victim)
			victim = LIST_FIRST(&p->calls);
		LIST_REMOVE(victim, link);
		free(victim);
		p->ncalls--;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->incoming = c->verified = -1;
	LIST_INSERT_HEAD(&p->calls, c, link);
	p->ncalls++;
	return c;
}

static void
call_show_incoming(struct prompts *p, struct pcall *c)
{
	struct slot *s = slot_find(&p->slots, c->path);

	if (s && s->kind == SLOT_CALL_INCOMING)
		return;
	s = slot_get(&p->slots, c->path, c->peer, SLOT_CALL_INCOMING);
	if (!s)
		return;
	snprintf(s->summary, sizeof(s->summary), "Incoming call from %s",
		s->name);
	snprintf(s->body, sizeof(s->body), "%s\n%s", c->peer, c->verified == 1 ?
		"Identity verified by the trust server; the call is end-to-end "
		"encrypted." : "Identity NOT verified.");
	s->actions = actions_call;
	s->icon = "call-start";
	s->category = "call.incoming";
	s->sound = "phone-incoming-call";
	slot_show(s);
}

static void
call_show_ended(struct prompts *p, struct pcall *c)
{
	struct slot *s = slot_find(&p->slots, c->path);
	char name[TEXT_NAME_MAX + 1], words[TEXT_REASON_MAX + 128];

	text_peer_name(c->peer, name, sizeof(name));
	if (!c->rang || text_end_words(name, c->reason, words,
	    sizeof(words)) == 0) {
		if (s)
			slot_close(s);
		return;
	}
	s = slot_get(&p->slots, c->path, c->peer, SLOT_CALL_ENDED);
	if (!s)
		return;
	snprintf(s->summary, sizeof(s->summary), "Call with %s ended", name);
	snprintf(s->body, sizeof(s->body), "%s", words);
	s->icon = "call-stop";
	s->category = "call.ended";
	s->timeout_ms = PROMPT_ENDED_MS;
	slot_show(s);
}

/* Shows what the call's state asks for, once its direction and peer are
 * known (asked from svopid when a signal did not say). */
static void
call_update(struct prompts *p, struct pcall *c)
{
	struct slot *s;

	if (!*c->state)
		return;
	if (c->incoming < 0 || !*c->peer || c->verified < 0) {
		if (!c->asked) {
			c->asked = true;
			watch_call_props(p->w, c->path);
		}
		return;
	}
	if (strcmp(c->state, "ringing") == 0) {
		c->rang = true;
		if (c->incoming == 1)
			call_show_incoming(p, c);
	} else if (strcmp(c->state, "active") == 0) {
		c->rang = true;
		if ((s = slot_find(&p->slots, c->path)))
			slot_close(s);
	} else if (strcmp(c->state, "ended") == 0) {
		call_show_ended(p, c);
	}
}

/* --- svopid's events --- */

static void
on_daemon(void *userdata, bool up)
{
	struct prompts *p = userdata;
	struct slot *s, *n;
	struct pcall *c;

	/* Whatever the old daemon had open is void; a new one is asked
	 * (watch_resync) for what is open now. */
	for (s = LIST_FIRST(&p->slots.list); s; s = n) {
		n = LIST_NEXT(s, link);
		if (s->kind == SLOT_VUC_ISSUED || s->kind == SLOT_VUC_REQUESTED ||
		    s->kind == SLOT_CALL_INCOMING)
			slot_close(s);
	}
	while ((c = LIST_FIRST(&p->calls))) {
		LIST_REMOVE(c, link);
		free(c);
	}
	p->ncalls = 0;
}

static void
on_vuc_issued(void *userdata, const char *peer, const char *code,
	uint64_t expires)
{
	vuc_show_issued(userdata, peer, code, expires);
}

static void
on_vuc_requested(void *userdata, const char *peer)
{
	struct prompts *p = userdata;
	struct slot *s = slot_find(&p->slots, peer);

	if (s && s->kind == SLOT_VUC_REQUESTED && (s->entry || s->entering))
		return;		/* the person is at it */
	vuc_show_requested(p, peer, "");
}

static void
on_vuc_listed(void *userdata, const char *peer, const char *code,
	uint64_t expires)
{
	struct prompts *p = userdata;
	struct slot *s, *n;

	if (peer) {
		s = slot_find(&p->slots, peer);
		if (*code)
			vuc_show_issued(p, peer, code, expires);
		else if (!s || (s->kind != SLOT_VUC_REQUESTED &&
		    s->kind != SLOT_ALERT && s->kind != SLOT_VUC_RESULT))
			vuc_show_requested(p, peer, "");
		if ((s = slot_find(&p->slots, peer)))
			s->seen = p->list_gen + 1;
		return;
	}
	/* The end of one answer: prompts it no longer lists are over. */
	p->list_gen++;
	for (s = LIST_FIRST(&p->slots.list); s; s = n) {
		n = LIST_NEXT(s, link);
		if ((s->kind == SLOT_VUC_ISSUED ||
		    s->kind == SLOT_VUC_REQUESTED) && s->seen != p->list_gen &&
		    !s->entering)
			slot_close(s);
	}
}

static void
on_alert(void *userdata, const char *peer, const char *reason)
{
	alert_show(userdata, peer, reason);
}

static void
on_call_added(void *userdata, const char *path, const char *peer)
{
	struct pcall *c = call_find(userdata, path, true);

	if (c)
		snprintf(c->peer, sizeof(c->peer), "%s", peer);
}

static void
on_call_state(void *userdata, const char *path, const char *state,
	const char *reason)
{
	struct prompts *p = userdata;
	struct pcall *c = call_find(p, path, true);

	/* A state change may end a VUC prompt (trust established). */
	watch_vuc_list(p->w);
	if (!c || strcmp(c->state, state) == 0)
		return;
	snprintf(c->state, sizeof(c->state), "%s", state);
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	call_update(p, c);
}

static void
on_call_props(void *userdata, const char *path, const char *peer,
	int incoming, int verified, const char *state)
{
	struct prompts *p = userdata;
	struct pcall *c = call_find(p, path, state != NULL);

	if (!c)
		return;
	if (peer)
		snprintf(c->peer, sizeof(c->peer), "%s", peer);
	if (incoming >= 0)
		c->incoming = incoming;
	if (verified >= 0)
		c->verified = verified;
	/* CallStateChanged carries the reason; a state seen first here (a
	 * resync) is taken as it is. */
	if (state && !*c->state)
		snprintf(c->state, sizeof(c->state), "%s", state);
	call_update(p, c);
}

static const struct watch_handler prompt_watch = {
	.daemon = on_daemon,
	.vuc_issued = on_vuc_issued,
	.vuc_requested = on_vuc_requested,
	.alert = on_alert,
	.call_added = on_call_added,
	.call_state = on_call_state,
	.call_props = on_call_props,
	.vuc_listed = on_vuc_listed,
};

/* --- the notification server's events --- */

static void
on_server(void *userdata, bool present)
{
	struct prompts *p = userdata;
	struct slot *s, *n;

	if (!present) {
		slots_server_gone(&p->slots);
		return;
	}
	/* Show what is open, not shown yet, and not closed by the person. */
	for (s = LIST_FIRST(&p->slots.list); s; s = n) {
		n = LIST_NEXT(s, link);
		if (s->id || s->notify_call || s->dismissed)
			continue;
		if (s->kind == SLOT_VUC_REQUESTED && !s->entry && !s->entering)
			vuc_show_requested(p, s->peer, "");
		else
			slot_show(s);
	}
}

static void
on_action(void *userdata, uint32_t id, const char *key)
{
	struct prompts *p = userdata;
	struct slot *s = slot_by_id(&p->slots, id);

	if (!s)
		return;
	log_info("action \"%s\" on %s", key, s->key);
	if (s->kind == SLOT_CALL_INCOMING && strcmp(key, "answer") == 0)
		watch_call_method(p->w, s->key, "Answer");
	else if (s->kind == SLOT_CALL_INCOMING && strcmp(key, "reject") == 0)
		watch_call_method(p->w, s->key, "Hangup");
	else if (s->kind == SLOT_VUC_REQUESTED &&
	    strcmp(key, "enter-code") == 0)
		vuc_open_dialog(p, s);
}

static void
on_replied(void *userdata, uint32_t id, const char *text)
{
	struct prompts *p = userdata;
	struct slot *s = slot_by_id(&p->slots, id);

	if (s && s->kind == SLOT_VUC_REQUESTED)
		vuc_enter(p, s, text);
}

static void
on_closed(void *userdata, uint32_t id)
{
	struct prompts *p = userdata;
	struct slot *s = slot_by_id(&p->slots, id);

	if (!s)
		return;
	s->id = 0;
	if (s->kind == SLOT_VUC_ISSUED || s->kind == SLOT_VUC_REQUESTED ||
	    s->kind == SLOT_CALL_INCOMING)
		s->dismissed = true;	/* its state goes on; a dialog too */
	else if (!s->notify_call)
		slot_free(s);
}

static const struct server_handler prompt_server = {
	.changed = on_server,
	.action = on_action,
	.replied = on_replied,
	.closed = on_closed,
};

int
prompts_new(sd_event *ev, sd_bus *bus, struct prompts **ret)
{
	struct prompts *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ev = ev;
	p->bus = bus;
	LIST_INIT(&p->calls);
	r = server_new(bus, &prompt_server, p, &p->srv);
	if (r >= 0)
		slots_init(&p->slots, p->srv, p);
	if (r >= 0)
		r = watch_new(bus, &prompt_watch, p, &p->w);
	if (r < 0) {
		prompts_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

struct prompts *
prompts_free(struct prompts *p)
{
	struct pcall *c;

	if (!p)
		return NULL;
	if (p->srv)
		slots_clear(&p->slots);
	while ((c = LIST_FIRST(&p->calls))) {
		LIST_REMOVE(c, link);
		free(c);
	}
	watch_free(p->w);
	server_free(p->srv);
	free(p);
	return NULL;
}
