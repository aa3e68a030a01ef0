/* The call part of the bus layer: org.svopi.Call1 objects, the call,
 * enrolment, VUC and trust members of org.svopi.Daemon1, and the call
 * layer's events (struct calls_events) as signals and PropertiesChanged.
 * See bus.h; the contract is dbus/org.svopi.Call1.xml and
 * dbus/org.svopi.Daemon1.xml. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bus-call.h"
#include "daemon/busloop.h"
#include "daemon/call.h"
#include "common/log.h"
#include "lib/fingerprint.h"

/* Ownership: slot is owned (unref'ed when the call goes); c is borrowed
 * from the call layer, valid until its call_gone event. */
struct bus_call_obj {
	LIST_ENTRY(bus_call_obj) link;
	struct call *c;
	sd_bus_slot *slot;
	char path[64];
};

static void
bus_call_path(unsigned id, char *out, size_t len)
{
	snprintf(out, len, BUS_CALL_PATH_PREFIX "%u", id);
}

/* --- options of Dial and Answer --- */

/* One row per option key the daemon knows. A row that is not supported
 * yet is refused like an unknown key, so that no option is silently
 * ignored (the voice engine turns play and record on). */
struct bus_call_option {
	const char *key;
	char type;		/* D-Bus type of the variant's value */
	size_t offset;		/* of its const char * in call_options */
	bool supported;
};

static const struct bus_call_option bus_call_options[] = {
	{ "play", 's', offsetof(struct call_options, play), true },
	{ "record", 's', offsetof(struct call_options, record), true },
};

static const struct bus_call_option *
bus_call_option_find(const char *key)
{
	for (size_t i = 0; i < sizeof(bus_call_options) /
	    sizeof(bus_call_options[0]); i++)
		if (strcmp(bus_call_options[i].key, key) == 0)
			return &bus_call_options[i];
	return NULL;
}

/* Reads one {sv} entry into o. */
static int
bus_call_option_read(sd_bus_message *m, struct call_options *o,
	sd_bus_error *e)
{
	const struct bus_call_option *opt;
	const char *key, *val;
	char type[2];
	int r;

	r = sd_bus_message_read(m, "s", &key);
	if (r < 0)
		return r;
	opt = bus_call_option_find(key);
	if (!opt)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"unknown option \"%s\"", key);
	if (!opt->supported)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"option \"%s\" is not supported yet", key);
	type[0] = opt->type;
	type[1] = '\0';
	r = sd_bus_message_enter_container(m, 'v', type);
	if (r < 0)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"option \"%s\" must be of type %s", key, type);
	r = sd_bus_message_read_basic(m, opt->type, &val);
	if (r < 0)
		return r;
	/* Both options are file paths: the daemon's working directory means
	 * nothing to the client, so a relative path is refused, not guessed. */
	if (val[0] != '/' || strlen(val) >= PATH_MAX)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"option \"%s\" must be an absolute file path", key);
	*(const char **)((char *)o + opt->offset) = val;
	return sd_bus_message_exit_container(m);
}

/* Reads the a{sv} options of Dial or Answer; the strings live as long as
 * m. Refuses unknown and not yet supported keys with InvalidArgs. */
static int
bus_call_read_options(sd_bus_message *m, struct call_options *o,
	sd_bus_error *e)
{
	int r;

	memset(o, 0, sizeof(*o));
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = bus_call_option_read(m, o, e);
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* --- the Call1 object --- */

static int
bus_call_timings(sd_bus_message *reply, const struct call_info *ci)
{
	const struct { const char *k; int64_t v; } t[] = {
		{ "dial", 0 }, { "trust_done", ci->t_trust },
		{ "ringing", ci->t_ringing }, { "answered", ci->t_answered },
		{ "media_ready", ci->t_media }, { "first_audio", ci->t_audio },
	};
	int r = sd_bus_message_open_container(reply, 'a', "{st}");

	for (size_t i = 0; r >= 0 && i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].v < 0)
			continue;
		r = sd_bus_message_append(reply, "{st}", t[i].k,
			(uint64_t)t[i].v);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r;
}

static int
bus_call_prop(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	struct call_info ci;

	call_info(userdata, &ci);
	if (strcmp(prop, "Id") == 0)
		return sd_bus_message_append(reply, "u", ci.id);
	if (strcmp(prop, "Peer") == 0)
		return sd_bus_message_append(reply, "s", ci.peer);
	if (strcmp(prop, "Direction") == 0)
		return sd_bus_message_append(reply, "s",
			ci.outgoing ? "outgoing" : "incoming");
	if (strcmp(prop, "State") == 0)
		return sd_bus_message_append(reply, "s", ci.state);
	if (strcmp(prop, "Secure") == 0)
		return sd_bus_message_append(reply, "b", ci.secure);
	if (strcmp(prop, "PeerVerified") == 0)
		return sd_bus_message_append(reply, "b", ci.peer_verified);
	if (strcmp(prop, "Verification") == 0)
		return sd_bus_message_append(reply, "s", ci.verified_by);
	if (strcmp(prop, "Cipher") == 0)
		return sd_bus_message_append(reply, "s", ci.cipher);
	if (strcmp(prop, "EndReason") == 0)
		return sd_bus_message_append(reply, "s", ci.end_reason);
	if (strcmp(prop, "Timings") == 0)
		return bus_call_timings(reply, &ci);
	if (strcmp(prop, "Packets") == 0)
		return sd_bus_message_append(reply, "(ttt)", ci.sent,
			ci.received, ci.rejected);
	if (strcmp(prop, "Codec") == 0)
		return sd_bus_message_append(reply, "s", ci.codec);
	if (strcmp(prop, "PacketsLost") == 0)
		return sd_bus_message_append(reply, "x", ci.lost);
	if (strcmp(prop, "Jitter") == 0)
		return sd_bus_message_append(reply, "u", ci.jitter_ms);
	if (strcmp(prop, "RoundTrip") == 0)
		return sd_bus_message_append(reply, "i", ci.rtt_ms);
	if (strcmp(prop, "JitterBuffer") == 0)
		return sd_bus_message_append(reply, "u", ci.jitter_buffer_ms);
	if (strcmp(prop, "Mute") == 0)
		return sd_bus_message_append(reply, "b", ci.mute);
	return -ENOENT;
}

static int
bus_call_set_mute(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *value, void *userdata,
	sd_bus_error *e)
{
	int mute, r;

	r = sd_bus_message_read(value, "b", &mute);
	if (r < 0)
		return r;
	call_mute_user(userdata, mute);
	return 1;
}

static int
bus_call_method_answer(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct call_options o;
	int r;

	r = bus_call_read_options(m, &o, e);
	if (r < 0)
		return r;
	r = call_answer_user(userdata, &o);
	if (r == -EBUSY)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.NotRinging",
			"the call is not ringing here");
	if (r < 0)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"cannot play \"%s\": %s", o.play ? o.play : "",
			strerror(-r));
	return sd_bus_reply_method_return(m, "");
}

static int
bus_call_method_hangup(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	if (call_hangup_user(userdata) < 0)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.Ended",
			"the call has ended");
	return sd_bus_reply_method_return(m, "");
}

static int
bus_call_method_dtmf(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *digits;
	int r;

	r = sd_bus_message_read(m, "s", &digits);
	if (r < 0)
		return r;
	r = call_dtmf_user(userdata, digits);
	if (r == -ESTALE)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.NotActive",
			"the call is not active");
	if (r == -ENOTSUP)
		return sd_bus_error_setf(e, SD_BUS_ERROR_NOT_SUPPORTED,
			"the peer did not accept telephone-event");
	if (r == -EBUSY)
		return sd_bus_error_setf(e, "org.svopi.Call1.Error.Busy",
			"digits are still being sent");
	if (r < 0)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"digits are 0-9 * # A-D, at most 32");
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable bus_call_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Id", "u", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Peer", "s", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Direction", "s", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("State", "s", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Secure", "b", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PeerVerified", "b", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Verification", "s", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Cipher", "s", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("EndReason", "s", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Timings", "a{st}", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Packets", "(ttt)", bus_call_prop, 0, 0),
	SD_BUS_PROPERTY("Codec", "s", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PacketsLost", "x", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Jitter", "u", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("RoundTrip", "i", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("JitterBuffer", "u", bus_call_prop, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_WRITABLE_PROPERTY("Mute", "b", bus_call_prop,
		bus_call_set_mute, 0, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Answer", "a{sv}", SD_BUS_PARAM(options),
		"", , bus_call_method_answer, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Hangup", "", "", bus_call_method_hangup,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Dtmf", "s", SD_BUS_PARAM(digits), "", ,
		bus_call_method_dtmf, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

/* --- the call layer's events --- */

static struct bus_call_obj *
bus_call_obj_find(struct svopid *d, const struct call *c)
{
	struct bus_call_obj *o;

	if (!d->bus_state)
		return NULL;
	LIST_FOREACH(o, &d->bus_state->objs, link)
		if (o->c == c)
			return o;
	return NULL;
}

static void
bus_call_obj_free(struct bus_call_obj *o)
{
	LIST_REMOVE(o, link);
	sd_bus_slot_unref(o->slot);
	free(o);
}

void
bus_call_objs_free(struct bus_state *bs)
{
	while (!LIST_EMPTY(&bs->objs))
		bus_call_obj_free(LIST_FIRST(&bs->objs));
}

static void
bus_ev_call_added(void *ctx, struct call *c)
{
	struct svopid *d = ctx;
	struct bus_call_obj *o;
	struct call_info ci;

	if (!d->bus || !(o = calloc(1, sizeof(*o))))
		return;
	call_info(c, &ci);
	o->c = c;
	bus_call_path(call_id(c), o->path, sizeof(o->path));
	if (sd_bus_add_object_vtable(d->bus, &o->slot, o->path,
	    BUS_CALL_IFACE, bus_call_vtable, c) < 0) {
		free(o);
		return;
	}
	LIST_INSERT_HEAD(&d->bus_state->objs, o, link);
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "CallAdded", "os",
		o->path, ci.peer);
	busloop_update(d->busloop);
}

static void
bus_ev_call_changed(void *ctx, struct call *c)
{
	struct svopid *d = ctx;
	struct bus_call_obj *o = bus_call_obj_find(d, c);

	if (!o)
		return;
	sd_bus_emit_properties_changed(d->bus, o->path, BUS_CALL_IFACE,
		"State", "Secure", "PeerVerified", "Verification", "Cipher",
		"EndReason",
		"Timings", "Codec", NULL);
	busloop_update(d->busloop);
}

static void
bus_ev_call_state(void *ctx, struct call *c)
{
	struct svopid *d = ctx;
	struct bus_call_obj *o = bus_call_obj_find(d, c);
	struct call_info ci;

	if (!o)
		return;
	call_info(c, &ci);
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "CallStateChanged",
		"oss", o->path, ci.state, ci.end_reason);
	bus_ev_call_changed(ctx, c);
}

static void
bus_ev_call_gone(void *ctx, struct call *c)
{
	struct bus_call_obj *o = bus_call_obj_find(ctx, c);

	if (o)
		bus_call_obj_free(o);
}

static void
bus_ev_alert(void *ctx, const char *peer, const char *reason)
{
	struct svopid *d = ctx;

	if (!d->bus)
		return;
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "SecurityAlert", "ss",
		peer, reason);
	busloop_update(d->busloop);
}

static void
bus_ev_vuc_cleared(void *ctx, const char *peer)
{
	struct svopid *d = ctx;

	if (!d->bus)
		return;
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "VucCleared", "s",
		peer);
	busloop_update(d->busloop);
}

static void
bus_ev_vuc(void *ctx, const char *peer, const char *code, int64_t expires)
{
	struct svopid *d = ctx;

	if (!d->bus)
		return;
	if (*code)
		sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "VucIssued",
			"sst", peer, code, (uint64_t)(expires > 0 ? expires :
			0));
	else
		sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE,
			"VucRequested", "s", peer);
	busloop_update(d->busloop);
}

static void
bus_ev_trust_server(void *ctx, enum trust_client_state s, const char *reason)
{
	struct svopid *d = ctx;

	d->trust_server_state = trust_client_state_to_string(s);
	snprintf(d->trust_server_detail, sizeof(d->trust_server_detail), "%s",
		reason);
	if (!d->bus)
		return;
	sd_bus_emit_properties_changed(d->bus, BUS_PATH, BUS_IFACE,
		"TrustServer", "TrustServerDetail", NULL);
	busloop_update(d->busloop);
}

static void
bus_ev_enrolled(void *ctx, bool yes)
{
	struct svopid *d = ctx;

	(void)yes;	/* read again by the property getter */
	if (!d->bus)
		return;
	sd_bus_emit_properties_changed(d->bus, BUS_PATH, BUS_IFACE,
		"Enrolled", NULL);
	busloop_update(d->busloop);
}

static void
bus_ev_dtmf(void *ctx, struct call *c, char digit, unsigned duration_ms)
{
	struct svopid *d = ctx;
	struct bus_call_obj *o = bus_call_obj_find(d, c);
	char digits[2] = { digit, '\0' };

	if (!o)
		return;
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "DtmfReceived", "osu",
		o->path, digits, duration_ms);
	busloop_update(d->busloop);
}

static void
bus_ev_quality(void *ctx, struct call *c)
{
	struct svopid *d = ctx;
	struct bus_call_obj *o = bus_call_obj_find(d, c);

	if (!o)
		return;
	sd_bus_emit_properties_changed(d->bus, o->path, BUS_CALL_IFACE,
		"PacketsLost", "Jitter", "RoundTrip", "JitterBuffer", NULL);
	busloop_update(d->busloop);
}

const struct calls_events bus_calls_events = {
	.call_added = bus_ev_call_added,
	.call_state = bus_ev_call_state,
	.call_changed = bus_ev_call_changed,
	.call_gone = bus_ev_call_gone,
	.alert = bus_ev_alert,
	.vuc = bus_ev_vuc,
	.vuc_cleared = bus_ev_vuc_cleared,
	.trust_server = bus_ev_trust_server,
	.enrolled = bus_ev_enrolled,
	.dtmf = bus_ev_dtmf,
	.quality = bus_ev_quality,
};

/* --- Daemon1: calls --- */

int
bus_call_method_dial(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	struct call_options o;
	struct call *c = NULL;
	const char *uri;
	char why[256], path[64];
	int r;

	r = sd_bus_message_read(m, "s", &uri);
	if (r < 0)
		return r;
	r = bus_call_read_options(m, &o, e);
	if (r < 0)
		return r;
	why[0] = '\0';
	r = calls_dial(d->calls, uri, &o, &c, why, sizeof(why));
	if (r == -EINVAL)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS, "%s",
			why);
	if (r < 0 && !why[0])
		return r;
	if (r < 0)
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.Failed",
			"%s", why);
	bus_call_path(call_id(c), path, sizeof(path));
	return sd_bus_reply_method_return(m, "o", path);
}

/* Ends a method reply whose array was filled while r stayed >= 0: closes
 * the array, sends, and frees the reply. Returns what a vtable method
 * returns. */
static int
reply_array_send(sd_bus_message *reply, int r)
{
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r < 0 ? r : 1;
}

int
bus_call_method_list_calls(sd_bus_message *m, void *userdata,
	sd_bus_error *e)
{
	struct svopid *d = userdata;
	sd_bus_message *reply = NULL;
	struct call **calls;
	size_t n;
	int r;

	/* Every call, however many (the ended ones are bounded by
	 * CALL_ENDED_KEEP, the live ones by what the peers set up). */
	n = calls_list(d->calls, NULL, 0);
	calls = calloc(n ? n : 1, sizeof(*calls));
	if (!calls)
		return -ENOMEM;
	n = calls_list(d->calls, calls, n);
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "o");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char path[64];

		bus_call_path(call_id(calls[i]), path, sizeof(path));
		r = sd_bus_message_append(reply, "o", path);
	}
	free(calls);
	return reply_array_send(reply, r);
}

/* --- Daemon1: trust --- */

/* A D-Bus method call answered later, when the trust server replies. */
struct bus_pending {
	struct svopid *d;	/* borrowed */
	sd_bus_message *call;	/* owned reference */
};

static struct bus_pending *
pending_new(struct svopid *d, sd_bus_message *m)
{
	struct bus_pending *p = calloc(1, sizeof(*p));

	if (p) {
		p->d = d;
		p->call = sd_bus_message_ref(m);
	}
	return p;
}

static void
pending_free(struct bus_pending *p)
{
	sd_bus_message_unref(p->call);
	free(p);
}

/* Answers the pending call with the trust server's error, if any; returns
 * whether it did. */
static bool
pending_reply_error(struct bus_pending *p, const struct trust_api_reply *rep)
{
	if (rep->error >= 0)
		return false;
	sd_bus_reply_method_errorf(p->call,
		"org.svopi.Daemon1.Error.TrustServer", "%s%s%s",
		trust_client_strerror(rep->error),
		rep->message[0] ? ": " : "", rep->message);
	return true;
}

/* After a reply sent outside a bus callback the bus fd must be re-armed. */
static void
pending_done(struct bus_pending *p)
{
	busloop_update(p->d->busloop);
	pending_free(p);
}

static int
bus_call_no_trust_server(sd_bus_error *e)
{
	return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.NoTrustServer",
		"no trust server configured ([trust] server and "
		"password_file)");
}

static void
bus_call_enroll_reply(const struct trust_api_reply *rep, void *userdata)
{
	struct bus_pending *p = userdata;

	if (!pending_reply_error(p, rep))
		sd_bus_reply_method_return(p->call, "s", rep->fingerprint);
	pending_done(p);
}

int
bus_call_method_enroll(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	struct bus_pending *p;
	int r;

	p = pending_new(d, m);
	if (!p)
		return -ENOMEM;
	r = calls_enroll(d->calls, bus_call_enroll_reply, p);
	if (r < 0) {
		pending_free(p);
		if (r == -ENOTCONN)
			return bus_call_no_trust_server(e);
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.Failed",
			"%s", strerror(-r));
	}
	return 1;
}

static void
bus_call_redeem_reply(const struct trust_api_reply *rep, void *userdata)
{
	struct bus_pending *p = userdata;

	if (!pending_reply_error(p, rep))
		sd_bus_reply_method_return(p->call, "si",
			trust_api_redeem_to_string(rep->result),
			(int32_t)rep->attempts_left);
	pending_done(p);
}

int
bus_call_method_enter_vuc(sd_bus_message *m, void *userdata,
	sd_bus_error *e)
{
	struct svopid *d = userdata;
	struct bus_pending *p;
	const char *peer, *code;
	char digits[TRUST_API_VUC_DIGITS + 1];
	int r;

	r = sd_bus_message_read(m, "ss", &peer, &code);
	if (r < 0)
		return r;
	/* Refused here, not at the trust server: a malformed code would
	 * only cost the user a try there. */
	if (!*peer)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"no peer given: the SIP address of the person who "
			"reads you the code");
	if (trust_api_vuc_digits(code, digits) < 0)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"a voice unlock code is 8 digits, like 1234-5678");
	p = pending_new(d, m);
	if (!p)
		return -ENOMEM;
	r = calls_redeem(d->calls, peer, digits, bus_call_redeem_reply, p);
	if (r < 0) {
		pending_free(p);
		if (r == -ENOTCONN)
			return bus_call_no_trust_server(e);
		if (r == -EADDRNOTAVAIL)
			return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
				"not a peer address: %s", peer);
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS, "%s",
			strerror(-r));
	}
	return 1;
}

static int
bus_call_vuc_append(const char *peer, const char *role, const char *code,
	int64_t expires, void *ud)
{
	return sd_bus_message_append(ud, "(ssst)", peer, role, code,
		(uint64_t)(expires > 0 ? expires : 0));
}

int
bus_call_method_vuc_list(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct svopid *d = userdata;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(ssst)");
	if (r >= 0)
		r = calls_vuc_foreach(d->calls, bus_call_vuc_append, reply);
	return reply_array_send(reply, r);
}

static int
bus_call_trust_append(const struct truststore_entry *te, void *userdata)
{
	char fp[FINGERPRINT_TEXT_SIZE];

	/* People read this: the one text form (SPEC §2). */
	if (fingerprint_to_text(te->fingerprint, fp) < 0)
		return -EBADMSG;
	return sd_bus_message_append(userdata, "(sssxx)", te->peer,
		fp, truststore_status_to_string(te->status),
		(int64_t)te->validated_at, (int64_t)te->checked_at) < 0 ?
		-EIO : 0;
}

int
bus_call_method_trust_list(sd_bus_message *m, void *userdata,
	sd_bus_error *e)
{
	struct svopid *d = userdata;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sssxx)");
	if (r >= 0)
		r = calls_trust_list(d->calls, bus_call_trust_append, reply);
	return reply_array_send(reply, r);
}

int
bus_call_method_trust_forget(sd_bus_message *m, void *userdata,
	sd_bus_error *e)
{
	struct svopid *d = userdata;
	const char *peer;
	char aor[TRUSTSTORE_PEER_MAX + 1];
	int r;

	r = sd_bus_message_read(m, "s", &peer);
	if (r < 0)
		return r;
	if (!*peer)
		return sd_bus_error_setf(e, SD_BUS_ERROR_INVALID_ARGS,
			"no peer given: the SIP address to forget");
	r = calls_trust_forget(d->calls, peer, aor);
	if (r == -ENOENT)
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.NotFound",
			"no trust entry for %s", aor);
	if (r < 0)
		return sd_bus_error_setf(e, "org.svopi.Daemon1.Error.Failed",
			"%s", strerror(-r));
	return sd_bus_reply_method_return(m, "");
}
