/* See bus.h: the org.svopi.Daemon1 object and the bus connection; the
 * call members are in bus-call.c. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/bus.h"
#include "daemon/bus-call.h"
#include "daemon/busloop.h"
#include "daemon/identity.h"
#include "common/log.h"
#include "daemon/ua.h"

static int
bus_prop_identity(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	struct svopid *d = userdata;

	return sd_bus_message_append(reply, "s", d->id ? d->id->aor : "");
}

static int
bus_prop_fingerprint(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	struct svopid *d = userdata;

	return sd_bus_message_append(reply, "s",
		d->id ? d->id->fingerprint : "");
}

static int
bus_prop_registration(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	struct svopid *d = userdata;

	return sd_bus_message_append(reply, "s", d->reg ?
		reg_state_name(reg_get_state(d->reg)) : "unregistered");
}

static int
bus_prop_registration_detail(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	struct svopid *d = userdata;

	return sd_bus_message_append(reply, "s", d->reg ?
		reg_get_detail(d->reg) : "");
}

static int
bus_prop_trust_server(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	struct svopid *d = userdata;

	return sd_bus_message_append(reply, "s",
		d->trust_server_state ? d->trust_server_state : "unknown");
}

static int
bus_prop_trust_server_detail(sd_bus *bus, const char *path,
	const char *iface, const char *prop, sd_bus_message *reply,
	void *userdata, sd_bus_error *error)
{
	struct svopid *d = userdata;

	return sd_bus_message_append(reply, "s", d->trust_server_detail);
}

static int
bus_prop_enrolled(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	struct svopid *d = userdata;

	return sd_bus_message_append(reply, "b",
		d->calls ? calls_enrolled(d->calls) : false);
}

static int
bus_prop_version(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *userdata,
	sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

struct bus_ping {
	struct svopid *d;
	sd_bus_message *call;
};

static void
bus_ping_done(void *userdata, int status, const char *reason,
	uint64_t rtt_us)
{
	struct bus_ping *p = userdata;

	if (status < 0)
		sd_bus_reply_method_errorf(p->call,
			"org.svopi.Daemon1.Error.PingFailed", "%s",
			reason && *reason ? reason : strerror(-status));
	else
		sd_bus_reply_method_return(p->call, "ust", (uint32_t)status,
			reason ? reason : "", rtt_us);
	sd_bus_message_unref(p->call);
	busloop_update(p->d->busloop);
	free(p);
}

static int
bus_method_ping(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct svopid *d = userdata;
	struct bus_ping *p;
	const char *uri;
	int r;

	r = sd_bus_message_read(m, "s", &uri);
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->d = d;
	p->call = sd_bus_message_ref(m);
	r = ua_ping(d->ua, uri, bus_ping_done, p);
	if (r < 0) {
		sd_bus_message_unref(p->call);
		free(p);
		if (r == -EINVAL)
			return sd_bus_error_setf(error,
				SD_BUS_ERROR_INVALID_ARGS, "not a SIP URI");
		return sd_bus_error_setf(error,
			"org.svopi.Daemon1.Error.PingFailed", "%s",
			strerror(-r));
	}
	return 1;	/* replied later */
}

static const sd_bus_vtable bus_daemon_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", bus_prop_version, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Identity", "s", bus_prop_identity, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Fingerprint", "s", bus_prop_fingerprint, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Registration", "s", bus_prop_registration, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("RegistrationDetail", "s", bus_prop_registration_detail,
		0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("TrustServer", "s", bus_prop_trust_server, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("TrustServerDetail", "s", bus_prop_trust_server_detail,
		0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Enrolled", "b", bus_prop_enrolled, 0,
		SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_NAMES("Ping", "s", SD_BUS_PARAM(uri),
		"ust", SD_BUS_PARAM(status) SD_BUS_PARAM(reason)
		SD_BUS_PARAM(rtt_usec), bus_method_ping,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("RegistrationChanged", "s",
		SD_BUS_PARAM(state), 0),
	SD_BUS_METHOD_WITH_NAMES("Dial", "sa{sv}", SD_BUS_PARAM(uri)
		SD_BUS_PARAM(options), "o", SD_BUS_PARAM(call),
		bus_call_method_dial, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Enroll", "", , "s",
		SD_BUS_PARAM(fingerprint), bus_call_method_enroll,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("EnterVuc", "ss", SD_BUS_PARAM(peer)
		SD_BUS_PARAM(code), "si", SD_BUS_PARAM(result)
		SD_BUS_PARAM(attempts_left), bus_call_method_enter_vuc,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("ListCalls", "", , "ao",
		SD_BUS_PARAM(calls), bus_call_method_list_calls,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("VucList", "", , "a(ssst)",
		SD_BUS_PARAM(prompts), bus_call_method_vuc_list,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("TrustList", "", , "a(sssxx)",
		SD_BUS_PARAM(entries), bus_call_method_trust_list,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("TrustForget", "s", SD_BUS_PARAM(peer),
		"", , bus_call_method_trust_forget, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("VucIssued", "sst", SD_BUS_PARAM(peer)
		SD_BUS_PARAM(code) SD_BUS_PARAM(expires), 0),
	SD_BUS_SIGNAL_WITH_NAMES("VucRequested", "s", SD_BUS_PARAM(peer), 0),
	SD_BUS_SIGNAL_WITH_NAMES("VucCleared", "s", SD_BUS_PARAM(peer), 0),
	SD_BUS_SIGNAL_WITH_NAMES("SecurityAlert", "ss", SD_BUS_PARAM(peer)
		SD_BUS_PARAM(reason), 0),
	SD_BUS_SIGNAL_WITH_NAMES("CallAdded", "os", SD_BUS_PARAM(call)
		SD_BUS_PARAM(peer), 0),
	SD_BUS_SIGNAL_WITH_NAMES("CallStateChanged", "oss", SD_BUS_PARAM(call)
		SD_BUS_PARAM(state) SD_BUS_PARAM(reason), 0),
	SD_BUS_SIGNAL_WITH_NAMES("DtmfReceived", "osu", SD_BUS_PARAM(call)
		SD_BUS_PARAM(digit) SD_BUS_PARAM(duration_ms), 0),
	SD_BUS_VTABLE_END
};

void
bus_emit_registration(struct svopid *d)
{
	if (!d->bus)
		return;
	sd_bus_emit_properties_changed(d->bus, BUS_PATH, BUS_IFACE,
		"Registration", "RegistrationDetail", NULL);
	sd_bus_emit_signal(d->bus, BUS_PATH, BUS_IFACE, "RegistrationChanged",
		"s", d->reg ? reg_state_name(reg_get_state(d->reg)) :
		"unregistered");
	/* Emitted outside a bus callback: the queued messages leave only
	 * once the loop waits for POLLOUT. */
	busloop_update(d->busloop);
}

/* Without its bus the daemon cannot be controlled: leave cleanly, which
 * includes the un-REGISTER. */
static void
bus_dead(void *userdata)
{
	struct svopid *d = userdata;

	if (d->bus_state && d->bus_state->on_dead)
		d->bus_state->on_dead(d->bus_state->dead_ctx);
}

int
bus_setup(struct svopid *d, bool system_bus, const char *address,
	void (*on_dead)(void *ctx), void *ctx)
{
	struct bus_state *bs;
	sd_bus *bus = NULL;
	int r;

	bs = calloc(1, sizeof(*bs));
	if (!bs)
		return -ENOMEM;
	d->bus_state = bs;
	LIST_INIT(&bs->objs);
	bs->on_dead = on_dead;
	bs->dead_ctx = ctx;
	if (address) {
		r = sd_bus_new(&bus);
		if (r >= 0)
			r = sd_bus_set_address(bus, address);
		if (r >= 0)
			r = sd_bus_set_bus_client(bus, 1);
		if (r >= 0)
			r = sd_bus_start(bus);
	} else if (system_bus) {
		r = sd_bus_open_system(&bus);
	} else {
		r = sd_bus_open_user(&bus);
	}
	if (r < 0) {
		log_error("cannot connect to the %s bus: %s",
			address ? "given" : system_bus ? "system" : "session",
			strerror(-r));
		sd_bus_unref(bus);
		return r;
	}
	d->bus = bus;
	r = sd_bus_add_object_vtable(bus, &bs->vtable_slot, BUS_PATH,
		BUS_IFACE, bus_daemon_vtable, d);
	if (r < 0) {
		log_error("cannot publish %s: %s", BUS_PATH, strerror(-r));
		return r;
	}
	r = sd_bus_request_name(bus, BUS_NAME, 0);
	if (r < 0) {
		log_error("cannot own %s (another svopid running?): %s",
			BUS_NAME, strerror(-r));
		return r;
	}
	r = busloop_new(d->base, bus, SVOPID_PRIO_BACKGROUND, bus_dead, d,
		&d->busloop);
	if (r < 0)
		return r;
	return 0;
}

void
bus_teardown(struct svopid *d)
{
	if (d->bus) {
		sd_bus_flush(d->bus);
		sd_bus_release_name(d->bus, BUS_NAME);
	}
	if (d->bus_state) {
		bus_call_objs_free(d->bus_state);
		sd_bus_slot_unref(d->bus_state->vtable_slot);
	}
	d->busloop = busloop_free(d->busloop);
	d->bus = sd_bus_flush_close_unref(d->bus);
	free(d->bus_state);
	d->bus_state = NULL;
}
