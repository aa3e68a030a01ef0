/* See watch.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "notify/owner.h"
#include "notify/text.h"
#include "notify/watch.h"

#define SVOPI_NAME "org.svopi.Daemon1"
#define SVOPI_PATH "/org/svopi/Daemon1"
#define SVOPI_IFACE "org.svopi.Daemon1"
#define CALL_IFACE "org.svopi.Call1"
#define CALL_PREFIX "/org/svopi/Call/"

struct watch {
	sd_bus *bus;			/* borrowed */
	struct owner *owner;		/* owned */
	sd_bus_slot *signals;		/* owned: Daemon1 signals */
	sd_bus_slot *props;		/* owned: Call1 PropertiesChanged */
	const struct watch_handler *h;	/* borrowed */
	void *userdata;
};

struct watch_vuc_call {
	watch_vuc_fn cb;
	void *userdata;
	char peer[TEXT_PEER_MAX + 1];
};

static const char *const watch_states[] = {
	"dialing", "awaiting-trust", "ringing", "active", "ended", NULL,
};

static bool
watch_peer_ok(const char *peer)
{
	return text_peer_check(peer, strlen(peer)) == 0;
}

static bool
watch_path_ok(const char *path)
{
	size_t n = strlen(path), p = strlen(CALL_PREFIX);

	return n > p && n <= WATCH_PATH_MAX &&
		strncmp(path, CALL_PREFIX, p) == 0 &&
		strspn(path + p, "0123456789") == n - p;
}

static bool
watch_state_ok(const char *state)
{
	for (const char *const *s = watch_states; *s; s++)
		if (strcmp(*s, state) == 0)
			return true;
	return false;
}

/* A signal whose arguments fail the checks is dropped with one log line
 * per kind; svopid never sends such, so it is a bug or an impostor. */
static void
watch_bad(const char *what)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(10000, 5);

	log_ratelimited(&rl, LOG_WARNING, "ignoring a malformed %s", what);
}

static void
watch_on_vuc_issued(struct watch *w, sd_bus_message *m)
{
	const char *peer, *code;
	char norm[TEXT_CODE_LEN + 1];
	uint64_t expires;

	if (sd_bus_message_read(m, "sst", &peer, &code, &expires) <= 0 ||
	    !watch_peer_ok(peer) || strlen(code) != TEXT_CODE_LEN ||
	    text_code_parse(code, strlen(code), norm) < 0) {
		watch_bad("VucIssued");
		return;
	}
	w->h->vuc_issued(w->userdata, peer, norm, expires);
}

static void
watch_on_alert(struct watch *w, sd_bus_message *m)
{
	const char *peer, *reason;
	char clean[TEXT_REASON_MAX + 1];

	if (sd_bus_message_read(m, "ss", &peer, &reason) <= 0 ||
	    !watch_peer_ok(peer)) {
		watch_bad("SecurityAlert");
		return;
	}
	text_sanitize(reason, strlen(reason), clean, sizeof(clean));
	w->h->alert(w->userdata, peer, clean);
}

static void
watch_on_call_state(struct watch *w, sd_bus_message *m)
{
	const char *path, *state, *reason;
	char clean[TEXT_REASON_MAX + 1];

	if (sd_bus_message_read(m, "oss", &path, &state, &reason) <= 0 ||
	    !watch_path_ok(path) || !watch_state_ok(state)) {
		watch_bad("CallStateChanged");
		return;
	}
	text_sanitize(reason, strlen(reason), clean, sizeof(clean));
	w->h->call_state(w->userdata, path, state, clean);
}

static int
watch_on_signal(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct watch *w = userdata;
	const char *a, *b;

	if (!owner_sent(w->owner, m) ||
	    strcmp(sd_bus_message_get_path(m), SVOPI_PATH) != 0)
		return 0;
	if (sd_bus_message_is_signal(m, SVOPI_IFACE, "VucIssued")) {
		watch_on_vuc_issued(w, m);
	} else if (sd_bus_message_is_signal(m, SVOPI_IFACE, "VucRequested")) {
		if (sd_bus_message_read(m, "s", &a) > 0 && watch_peer_ok(a))
			w->h->vuc_requested(w->userdata, a);
		else
			watch_bad("VucRequested");
	} else if (sd_bus_message_is_signal(m, SVOPI_IFACE, "SecurityAlert")) {
		watch_on_alert(w, m);
	} else if (sd_bus_message_is_signal(m, SVOPI_IFACE, "CallAdded")) {
		if (sd_bus_message_read(m, "os", &a, &b) > 0 &&
		    watch_path_ok(a) && watch_peer_ok(b))
			w->h->call_added(w->userdata, a, b);
		else
			watch_bad("CallAdded");
	} else if (sd_bus_message_is_signal(m, SVOPI_IFACE,
	    "CallStateChanged")) {
		watch_on_call_state(w, m);
	}
	return 0;
}

/* Reads a Call1 property dictionary (GetAll or PropertiesChanged) and
 * hands what it found to call_props. Unknown or mistyped entries are
 * skipped. */
static int
watch_read_props(struct watch *w, sd_bus_message *m, const char *path)
{
	const char *peer = NULL, *state = NULL, *dir = NULL, *key;
	int verified = -1, incoming = -1, b, r;
	unsigned n = 0;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r <= 0)
		return r < 0 ? r : -EBADMSG;
	while (n++ < 64 &&
	    (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *s;

		if ((r = sd_bus_message_read(m, "s", &key)) < 0)
			return r;
		if ((strcmp(key, "Peer") == 0 || strcmp(key, "State") == 0 ||
		    strcmp(key, "Direction") == 0) &&
		    sd_bus_message_read(m, "v", "s", &s) > 0) {
			if (*key == 'P')
				peer = s;
			else if (*key == 'S')
				state = s;
			else
				dir = s;
		} else if (strcmp(key, "PeerVerified") == 0 &&
		    sd_bus_message_read(m, "v", "b", &b) > 0) {
			verified = !!b;
		} else if ((r = sd_bus_message_skip(m, "v")) < 0) {
			return r;
		}
		if ((r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	if ((peer && !watch_peer_ok(peer)) || (state && !watch_state_ok(state)))
		return -EBADMSG;
	if (dir)
		incoming = strcmp(dir, "incoming") == 0;
	w->h->call_props(w->userdata, path, peer, incoming, verified, state);
	return 0;
}

static int
watch_on_props_changed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct watch *w = userdata;
	const char *iface, *path = sd_bus_message_get_path(m);

	if (!owner_sent(w->owner, m) || !path || !watch_path_ok(path))
		return 0;
	if (sd_bus_message_read(m, "s", &iface) <= 0 ||
	    strcmp(iface, CALL_IFACE) != 0)
		return 0;
	if (watch_read_props(w, m, path) < 0)
		watch_bad("PropertiesChanged");
	return 0;
}

/* A GetAll in flight: the reply carries no path, so it is kept here. */
struct watch_getall {
	struct watch *w;
	char path[WATCH_PATH_MAX + 1];
};

static int
watch_on_getall(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct watch_getall *g = userdata;

	if (sd_bus_message_is_method_error(m, NULL))
		return 0;
	if (!owner_sent(g->w->owner, m) || watch_read_props(g->w, m,
	    g->path) < 0)
		watch_bad("call properties");
	return 0;
}

void
watch_call_props(struct watch *w, const char *path)
{
	struct watch_getall *g;
	sd_bus_slot *slot = NULL;

	g = calloc(1, sizeof(*g));
	if (!g)
		return;
	g->w = w;
	snprintf(g->path, sizeof(g->path), "%s", path);
	if (sd_bus_call_method_async(w->bus, &slot, owner_get(w->owner), path,
	    "org.freedesktop.DBus.Properties", "GetAll", watch_on_getall, g,
	    "s", CALL_IFACE) < 0) {
		free(g);
		return;
	}
	(void)sd_bus_slot_set_destroy_callback(slot, free);
	(void)sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
}

static int
watch_on_list_calls(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct watch *w = userdata;
	const char *path;
	unsigned n = 0;

	if (sd_bus_message_is_method_error(m, NULL) || !owner_sent(w->owner, m))
		return 0;
	if (sd_bus_message_enter_container(m, 'a', "o") <= 0)
		return 0;
	while (n++ < WATCH_LIST_MAX && sd_bus_message_read(m, "o", &path) > 0)
		if (watch_path_ok(path))
			watch_call_props(w, path);
	return 0;
}

static int
watch_on_vuc_list(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct watch *w = userdata;
	const char *peer, *role, *code;
	char norm[TEXT_CODE_LEN + 1];
	uint64_t expires;
	unsigned n = 0;

	if (sd_bus_message_is_method_error(m, NULL) || !owner_sent(w->owner, m))
		return 0;
	if (sd_bus_message_enter_container(m, 'a', "(ssst)") <= 0)
		return 0;
	while (n++ < WATCH_LIST_MAX && sd_bus_message_read(m, "(ssst)", &peer,
	    &role, &code, &expires) > 0) {
		if (!watch_peer_ok(peer))
			continue;
		if (strcmp(role, "issued") == 0 &&
		    strlen(code) == TEXT_CODE_LEN &&
		    text_code_parse(code, strlen(code), norm) == 0)
			w->h->vuc_listed(w->userdata, peer, norm, expires);
		else if (strcmp(role, "requested") == 0)
			w->h->vuc_listed(w->userdata, peer, "", 0);
	}
	w->h->vuc_listed(w->userdata, NULL, NULL, 0);
	return 0;
}

static void
watch_call_daemon(struct watch *w, const char *method,
	sd_bus_message_handler_t cb)
{
	if (!*owner_get(w->owner))
		return;
	if (sd_bus_call_method_async(w->bus, NULL, owner_get(w->owner),
	    SVOPI_PATH, SVOPI_IFACE, method, cb, w, "") < 0)
		log_warning("cannot ask svopid for %s", method);
}

void
watch_vuc_list(struct watch *w)
{
	watch_call_daemon(w, "VucList", watch_on_vuc_list);
}

void
watch_resync(struct watch *w)
{
	watch_call_daemon(w, "VucList", watch_on_vuc_list);
	watch_call_daemon(w, "ListCalls", watch_on_list_calls);
}

static void
watch_owner_changed(void *userdata, const char *who)
{
	struct watch *w = userdata;

	log_info("svopid %s", *who ? "is on the bus" : "left the bus");
	w->h->daemon(w->userdata, *who != '\0');
	if (*who)
		watch_resync(w);
}

int
watch_new(sd_bus *bus, const struct watch_handler *h, void *userdata,
	struct watch **ret)
{
	struct watch *w;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->bus = bus;
	w->h = h;
	w->userdata = userdata;
	r = sd_bus_match_signal_async(bus, &w->signals, SVOPI_NAME, SVOPI_PATH,
		SVOPI_IFACE, NULL, watch_on_signal, NULL, w);
	if (r >= 0)
		r = sd_bus_add_match_async(bus, &w->props, "type='signal',"
			"sender='" SVOPI_NAME "',path_namespace='/org/svopi/Call',"
			"interface='org.freedesktop.DBus.Properties',"
			"member='PropertiesChanged',arg0='" CALL_IFACE "'",
			watch_on_props_changed, NULL, w);
	if (r >= 0)
		r = owner_new(bus, SVOPI_NAME, watch_owner_changed, w,
			&w->owner);
	if (r < 0) {
		watch_free(w);
		return r;
	}
	*ret = w;
	return 0;
}

struct watch *
watch_free(struct watch *w)
{
	if (!w)
		return NULL;
	sd_bus_slot_unref(w->signals);
	sd_bus_slot_unref(w->props);
	owner_free(w->owner);
	free(w);
	return NULL;
}

bool
watch_up(const struct watch *w)
{
	return *owner_get(w->owner) != '\0';
}

static int
watch_on_enter_vuc(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct watch_vuc_call *c = userdata;
	const sd_bus_error *err;
	const char *result;
	char clean[TEXT_REASON_MAX + 1];
	int32_t left;

	if (sd_bus_message_is_method_error(m, NULL)) {
		err = sd_bus_message_get_error(m);
		text_sanitize(err->message ? err->message : err->name,
			strlen(err->message ? err->message : err->name), clean,
			sizeof(clean));
		c->cb(c->userdata, c->peer, -EIO, NULL, -1, clean);
	} else if (sd_bus_message_read(m, "si", &result, &left) <= 0 ||
	    strlen(result) > 16) {
		c->cb(c->userdata, c->peer, -EBADMSG, NULL, -1,
			"malformed answer");
	} else {
		c->cb(c->userdata, c->peer, 0, result,
			left < -1 ? -1 : left > 100 ? 100 : left, NULL);
	}
	return 0;
}

int
watch_enter_vuc(struct watch *w, const char *peer, const char *code,
	watch_vuc_fn cb, void *userdata)
{
	struct watch_vuc_call *c;
	sd_bus_slot *slot = NULL;
	int r;

	if (!watch_up(w))
		return -ENOTCONN;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cb = cb;
	c->userdata = userdata;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	r = sd_bus_call_method_async(w->bus, &slot, owner_get(w->owner),
		SVOPI_PATH, SVOPI_IFACE, "EnterVuc", watch_on_enter_vuc, c,
		"ss", peer, code);
	if (r < 0) {
		free(c);
		return r;
	}
	(void)sd_bus_slot_set_destroy_callback(slot, free);
	(void)sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	return 0;
}

static int
watch_on_call_reply(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const sd_bus_error *err = sd_bus_message_get_error(m);

	if (err)
		log_warning("call method failed: %s", err->name);
	return 0;
}

int
watch_call_method(struct watch *w, const char *path, const char *method)
{
	if (!watch_up(w) || !watch_path_ok(path))
		return -ENOTCONN;
	if (strcmp(method, "Answer") == 0)
		return sd_bus_call_method_async(w->bus, NULL,
			owner_get(w->owner), path, CALL_IFACE, "Answer",
			watch_on_call_reply, NULL, "a{sv}", 0);
	return sd_bus_call_method_async(w->bus, NULL, owner_get(w->owner),
		path, CALL_IFACE, method, watch_on_call_reply, NULL, "");
}
