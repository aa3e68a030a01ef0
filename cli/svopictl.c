/* svopictl: a table of verbs over the D-Bus API of svopid (SPEC §6).
 * Global options come before the verb. Exit status: 0 success, 1 failure,
 * 2 usage error; `call --wait`: 3 rejected or unanswered, 4 security
 * failure, 5 timeout (see svopictl(1)). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "lib/fingerprint.h"

#define CTL_NAME "org.svopi.Daemon1"
#define CTL_PATH "/org/svopi/Daemon1"
#define CTL_IFACE "org.svopi.Daemon1"
/* OPTIONS runs at most 32 s (Timer F) plus DNS and connection setup. */
#define CTL_PING_TIMEOUT_USEC (40ULL * 1000000)


/* Every fingerprint is printed in the one text form (lib/fingerprint.h),
 * whatever form the daemon sent; anything else is printed as is. */
static const char *
ctl_fp(const char *fp, char buf[FINGERPRINT_TEXT_SIZE])
{
	return fingerprint_to_text(fp, buf) == 0 ? buf : fp;
}
static bool arg_json;
static bool arg_system;
static const char *arg_address;

static void
ctl_error(const char *what, const sd_bus_error *e, int r)
{
	if (e && sd_bus_error_is_set(e))
		fprintf(stderr, "svopictl: %s: %s\n", what, e->message ?
			e->message : e->name);
	else
		fprintf(stderr, "svopictl: %s: %s\n", what, strerror(-r));
}

static int
ctl_connect(sd_bus **ret)
{
	sd_bus *bus = NULL;
	int r;

	if (arg_address) {
		r = sd_bus_new(&bus);
		if (r >= 0)
			r = sd_bus_set_address(bus, arg_address);
		if (r >= 0)
			r = sd_bus_set_bus_client(bus, 1);
		if (r >= 0)
			r = sd_bus_start(bus);
	} else if (arg_system) {
		r = sd_bus_open_system(&bus);
	} else {
		r = sd_bus_open_user(&bus);
	}
	if (r < 0) {
		sd_bus_unref(bus);
		ctl_error("cannot connect to the bus", NULL, r);
		return r;
	}
	*ret = bus;
	return 0;
}

static void
ctl_json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
}

/* Reads one basic-typed variant/value at the cursor into JSON; containers
 * are skipped and shown as null. */
static struct json_object *
ctl_read_value(sd_bus_message *m)
{
	char type;
	const char *contents;
	union {
		uint8_t y; int b; int16_t n; uint16_t q; int32_t i;
		uint32_t u; int64_t x; uint64_t t; double d; const char *s;
	} v;
	int r;

	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r <= 0)
		return NULL;
	switch (type) {
	case 'y': sd_bus_message_read_basic(m, type, &v.y);
		return json_object_new_int(v.y);
	case 'b': sd_bus_message_read_basic(m, type, &v.b);
		return json_object_new_boolean(v.b);
	case 'n': sd_bus_message_read_basic(m, type, &v.n);
		return json_object_new_int(v.n);
	case 'q': sd_bus_message_read_basic(m, type, &v.q);
		return json_object_new_int(v.q);
	case 'i': sd_bus_message_read_basic(m, type, &v.i);
		return json_object_new_int(v.i);
	case 'u': sd_bus_message_read_basic(m, type, &v.u);
		return json_object_new_int64(v.u);
	case 'x': sd_bus_message_read_basic(m, type, &v.x);
		return json_object_new_int64(v.x);
	case 't': sd_bus_message_read_basic(m, type, &v.t);
		return json_object_new_uint64(v.t);
	case 'd': sd_bus_message_read_basic(m, type, &v.d);
		return json_object_new_double(v.d);
	case 's': case 'o': case 'g':
		sd_bus_message_read_basic(m, type, &v.s);
		return json_object_new_string(v.s);
	case 'v': {
		struct json_object *o;

		if (sd_bus_message_enter_container(m, 'v', contents) < 0)
			return NULL;
		o = ctl_read_value(m);
		sd_bus_message_exit_container(m);
		return o;
	}
	case 'a': case 'r': {
		struct json_object *o;
		bool dict = type == 'a' && contents[0] == '{';
		char ctype = type == 'a' ? 'a' : 'r';

		if (sd_bus_message_enter_container(m, ctype, contents) < 0)
			return NULL;
		o = dict ? json_object_new_object() : json_object_new_array();
		if (dict) {
			char inner[64];
			size_t l = strlen(contents);

			if (l < 2 || l - 2 >= sizeof(inner)) {
				sd_bus_message_exit_container(m);
				return o;
			}
			memcpy(inner, contents + 1, l - 2);
			inner[l - 2] = '\0';
			while (sd_bus_message_enter_container(m, 'e', inner) > 0) {
				struct json_object *k = ctl_read_value(m);
				struct json_object *v2 = ctl_read_value(m);

				if (k)
					json_object_object_add(o,
						json_object_get_string(k), v2);
				else
					json_object_put(v2);
				json_object_put(k);
				sd_bus_message_exit_container(m);
			}
		} else {
			for (;;) {
				struct json_object *v2;

				r = sd_bus_message_at_end(m, false);
				if (r != 0)
					break;
				v2 = ctl_read_value(m);
				if (!v2)
					break;
				json_object_array_add(o, v2);
			}
		}
		sd_bus_message_exit_container(m);
		return o;
	}
	default:
		sd_bus_message_skip(m, NULL);
		return NULL;
	}
}

/* Reads a{sv} into a JSON object keyed by property name. */
static int
ctl_read_props(sd_bus_message *m, struct json_object *obj)
{
	int r;

	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *name;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			return r;
		json_object_object_add(obj, name, ctl_read_value(m));
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static const char *
ctl_str(struct json_object *props, const char *name)
{
	struct json_object *o;

	if (!json_object_object_get_ex(props, name, &o) ||
	    !json_object_is_type(o, json_type_string))
		return "";
	return json_object_get_string(o);
}

static int
verb_status(sd_bus *bus, int argc, char **argv)
{
	char fpbuf[FINGERPRINT_TEXT_SIZE];
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct json_object *props;
	int r;

	r = sd_bus_call_method(bus, CTL_NAME, CTL_PATH,
		"org.freedesktop.DBus.Properties", "GetAll", &e, &reply, "s",
		CTL_IFACE);
	if (r < 0) {
		ctl_error("status", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	props = json_object_new_object();
	r = ctl_read_props(reply, props);
	sd_bus_message_unref(reply);
	if (r < 0) {
		ctl_error("status: bad reply", NULL, r);
		json_object_put(props);
		return 1;
	}
	if (arg_json) {
		struct json_object *o = json_object_new_object();
		const char *detail = ctl_str(props, "RegistrationDetail");

		json_object_object_add(o, "identity",
			json_object_new_string(ctl_str(props, "Identity")));
		json_object_object_add(o, "fingerprint",
			json_object_new_string(ctl_fp(ctl_str(props,
			"Fingerprint"), fpbuf)));
		json_object_object_add(o, "registration",
			json_object_new_string(ctl_str(props, "Registration")));
		if (*detail)
			json_object_object_add(o, "registration_detail",
				json_object_new_string(detail));
		json_object_object_add(o, "trust_server",
			json_object_new_string(ctl_str(props, "TrustServer")));
		json_object_object_add(o, "version",
			json_object_new_string(ctl_str(props, "Version")));
		ctl_json_print(o);
		json_object_put(o);
	} else {
		const char *detail = ctl_str(props, "RegistrationDetail");

		printf("Identity:     %s\n", ctl_str(props, "Identity"));
		printf("Fingerprint:  %s\n",
			ctl_fp(ctl_str(props, "Fingerprint"), fpbuf));
		printf("Registration: %s%s%s%s\n",
			ctl_str(props, "Registration"), *detail ? " (" : "",
			detail, *detail ? ")" : "");
		printf("Trust server: %s\n", ctl_str(props, "TrustServer"));
		printf("Version:      %s\n", ctl_str(props, "Version"));
	}
	json_object_put(props);
	return 0;
}

static int
verb_ping(sd_bus *bus, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	const char *reason;
	uint32_t status;
	uint64_t rtt;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, CTL_NAME, CTL_PATH,
		CTL_IFACE, "Ping");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", argv[1]);
	if (r >= 0)
		r = sd_bus_call(bus, m, CTL_PING_TIMEOUT_USEC, &e, &reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		ctl_error("ping", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	r = sd_bus_message_read(reply, "ust", &status, &reason, &rtt);
	if (r < 0) {
		sd_bus_message_unref(reply);
		ctl_error("ping: bad reply", NULL, r);
		return 1;
	}
	if (arg_json) {
		struct json_object *o = json_object_new_object();
		char ms[32];

		json_object_object_add(o, "uri", json_object_new_string(argv[1]));
		json_object_object_add(o, "status", json_object_new_int(
			(int32_t)status));
		json_object_object_add(o, "reason", json_object_new_string(reason));
		snprintf(ms, sizeof(ms), "%.3f", (double)rtt / 1000.0);
		json_object_object_add(o, "rtt_ms",
			json_object_new_double_s((double)rtt / 1000.0, ms));
		ctl_json_print(o);
		json_object_put(o);
	} else {
		printf("%u %s (%.1f ms)\n", status, reason, (double)rtt / 1000.0);
	}
	sd_bus_message_unref(reply);
	return status >= 200 && status < 300 ? 0 : 1;
}

static int
ctl_monitor_cb(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	const char *iface = sd_bus_message_get_interface(m);
	const char *member = sd_bus_message_get_member(m);

	if (!iface || !member)
		return 0;
	if (strcmp(iface, "org.freedesktop.DBus.Properties") == 0 &&
	    strcmp(member, "PropertiesChanged") == 0) {
		struct json_object *props = json_object_new_object();
		const char *changed_iface;

		if (sd_bus_message_read(m, "s", &changed_iface) < 0 ||
		    ctl_read_props(m, props) < 0) {
			json_object_put(props);
			return 0;
		}
		json_object_object_foreach(props, k, v) {
			if (arg_json) {
				struct json_object *o = json_object_new_object();

				json_object_object_add(o, "event",
					json_object_new_string("property"));
				json_object_object_add(o, "name",
					json_object_new_string(k));
				json_object_object_add(o, "value",
					json_object_get(v));
				ctl_json_print(o);
				json_object_put(o);
			} else {
				printf("property %s %s\n", k,
					v ? json_object_get_string(v) : "");
				fflush(stdout);
			}
		}
		json_object_put(props);
		return 0;
	}
	if (strcmp(iface, CTL_IFACE) == 0) {
		struct json_object *args = json_object_new_array();
		struct json_object *v;

		while ((v = ctl_read_value(m)) != NULL)
			json_object_array_add(args, v);
		if (arg_json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "event",
				json_object_new_string(member));
			json_object_object_add(o, "args", json_object_get(args));
			ctl_json_print(o);
			json_object_put(o);
		} else {
			printf("signal %s", member);
			for (size_t i = 0; i < json_object_array_length(args); i++)
				printf(" %s", json_object_get_string(
					json_object_array_get_idx(args, i)));
			putchar('\n');
			fflush(stdout);
		}
		json_object_put(args);
	}
	return 0;
}

static int
verb_monitor(sd_bus *bus, int argc, char **argv)
{
	int r;

	r = sd_bus_add_match(bus, NULL,
		"type='signal',sender='" CTL_NAME "',path='" CTL_PATH "'",
		ctl_monitor_cb, NULL);
	if (r < 0) {
		ctl_error("monitor", NULL, r);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			ctl_error("monitor", NULL, r);
			return 1;
		}
		if (r > 0)
			continue;
		r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0 && r != -EINTR) {
			ctl_error("monitor", NULL, r);
			return 1;
		}
	}
}

/* --- calls, enrolment, VUC, trust --- */

#define CTL_CALL_IFACE "org.svopi.Call1"
/* Exit statuses of `call --wait` (man svopictl). */
#define CTL_EXIT_REJECTED 3
#define CTL_EXIT_SECURITY 4
#define CTL_EXIT_TIMEOUT 5
#define CTL_LONG_USEC (40ULL * 1000000)

static int
ctl_simple_call(sd_bus *bus, const char *member, const char *what,
	sd_bus_message **reply, const char *sig, ...)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, CTL_NAME, CTL_PATH,
		CTL_IFACE, member);
	if (r >= 0 && sig) {
		va_start(ap, sig);
		r = sd_bus_message_appendv(m, sig, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call(bus, m, CTL_LONG_USEC, &e, reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		ctl_error(what, &e, r);
		sd_bus_error_free(&e);
	}
	return r;
}

/* The properties of a call object as JSON, or NULL. */
static struct json_object *
ctl_call_props(sd_bus *bus, const char *path)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct json_object *props;
	int r;

	r = sd_bus_call_method(bus, CTL_NAME, path,
		"org.freedesktop.DBus.Properties", "GetAll", &e, &reply, "s",
		CTL_CALL_IFACE);
	sd_bus_error_free(&e);
	if (r < 0)
		return NULL;
	props = json_object_new_object();
	if (ctl_read_props(reply, props) < 0) {
		json_object_put(props);
		props = NULL;
	}
	sd_bus_message_unref(reply);
	return props;
}

static bool
ctl_bool(struct json_object *props, const char *name)
{
	struct json_object *o;

	return json_object_object_get_ex(props, name, &o) &&
		json_object_get_boolean(o);
}

/* Codec and quality: property name -> JSON key. */
static const char *const ctl_voice_keys[][2] = {
	{ "Codec", "codec" }, { "PacketsLost", "packets_lost" },
	{ "Jitter", "jitter_ms" }, { "RoundTrip", "round_trip_ms" },
	{ "JitterBuffer", "jitter_buffer_ms" },
};

static void
ctl_call_voice(struct json_object *p, struct json_object *o)
{
	struct json_object *v;

	for (size_t i = 0; i < sizeof(ctl_voice_keys) /
	    sizeof(ctl_voice_keys[0]); i++)
		if (json_object_object_get_ex(p, ctl_voice_keys[i][0], &v) && v)
			json_object_object_add(o, ctl_voice_keys[i][1],
				json_object_get(v));
}

/* The SPEC §6 object of one call. */
static struct json_object *
ctl_call_json(const char *path, struct json_object *p)
{
	struct json_object *o = json_object_new_object(), *v, *pk;
	const char *id = strrchr(path, '/');

	json_object_object_add(o, "id", json_object_new_string(id ? id + 1 :
		path));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "peer",
		json_object_new_string(ctl_str(p, "Peer")));
	json_object_object_add(o, "direction",
		json_object_new_string(ctl_str(p, "Direction")));
	json_object_object_add(o, "state",
		json_object_new_string(ctl_str(p, "State")));
	json_object_object_add(o, "secure",
		json_object_new_boolean(ctl_bool(p, "Secure")));
	json_object_object_add(o, "peer_verified",
		json_object_new_boolean(ctl_bool(p, "PeerVerified")));
	json_object_object_add(o, "cipher",
		json_object_new_string(ctl_str(p, "Cipher")));
	json_object_object_add(o, "end_reason",
		json_object_new_string(ctl_str(p, "EndReason")));
	if (json_object_object_get_ex(p, "Timings", &v) && v)
		json_object_object_add(o, "timings", json_object_get(v));
	else
		json_object_object_add(o, "timings", json_object_new_object());
	pk = json_object_new_object();
	if (json_object_object_get_ex(p, "Packets", &v) && v &&
	    json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) == 3) {
		json_object_object_add(pk, "sent",
			json_object_get(json_object_array_get_idx(v, 0)));
		json_object_object_add(pk, "received",
			json_object_get(json_object_array_get_idx(v, 1)));
		json_object_object_add(pk, "rejected",
			json_object_get(json_object_array_get_idx(v, 2)));
	}
	json_object_object_add(o, "packets", pk);
	ctl_call_voice(p, o);
	return o;
}

static void
ctl_call_print(struct json_object *o)
{
	struct json_object *t, *pk, *v;

	printf("%s %s %s %s secure=%s verified=%s cipher=%s",
		json_object_get_string(json_object_object_get(o, "id")),
		json_object_get_string(json_object_object_get(o, "direction")),
		json_object_get_string(json_object_object_get(o, "peer")),
		json_object_get_string(json_object_object_get(o, "state")),
		json_object_get_boolean(json_object_object_get(o, "secure")) ?
		"yes" : "no",
		json_object_get_boolean(json_object_object_get(o,
		"peer_verified")) ? "yes" : "no",
		json_object_get_string(json_object_object_get(o, "cipher")));
	pk = json_object_object_get(o, "packets");
	if (pk && json_object_object_get_ex(pk, "sent", &v))
		printf(" packets=%s/%s/%s", json_object_get_string(v),
			json_object_get_string(json_object_object_get(pk,
			"received")), json_object_get_string(
			json_object_object_get(pk, "rejected")));
	for (size_t i = 0; i < sizeof(ctl_voice_keys) /
	    sizeof(ctl_voice_keys[0]); i++)
		if ((v = json_object_object_get(o, ctl_voice_keys[i][1])))
			printf(" %s=%s", ctl_voice_keys[i][1],
				json_object_get_string(v));
	t = json_object_object_get(o, "timings");
	if (t) {
		json_object_object_foreach(t, k, tv)
			printf(" %s=%sms", k, json_object_get_string(tv));
	}
	v = json_object_object_get(o, "end_reason");
	if (v && *json_object_get_string(v))
		printf(" reason=\"%s\"", json_object_get_string(v));
	putchar('\n');
}

/* Paths of all calls, oldest first. Returns the count or -errno. */
static int
ctl_list_paths(sd_bus *bus, char ***ret)
{
	sd_bus_message *reply = NULL;
	char **paths = NULL;
	const char *p;
	int n = 0, r;

	r = ctl_simple_call(bus, "ListCalls", "calls", &reply, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "o");
	while (r >= 0 && (r = sd_bus_message_read(reply, "o", &p)) > 0) {
		char **np = realloc(paths, sizeof(*paths) * (size_t)(n + 1));

		if (!np)
			break;
		paths = np;
		paths[n++] = strdup(p);
	}
	sd_bus_message_unref(reply);
	*ret = paths;
	return n;
}

static void
ctl_free_paths(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static int
verb_calls(sd_bus *bus, int argc, char **argv)
{
	struct json_object *arr = json_object_new_array();
	char **paths = NULL;
	int n = ctl_list_paths(bus, &paths);

	if (n < 0) {
		json_object_put(arr);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct json_object *p = ctl_call_props(bus, paths[i]);

		if (p) {
			json_object_array_add(arr, ctl_call_json(paths[i], p));
			json_object_put(p);
		}
	}
	if (arg_json) {
		ctl_json_print(arr);
	} else {
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			ctl_call_print(json_object_array_get_idx(arr, i));
	}
	json_object_put(arr);
	ctl_free_paths(paths, n);
	return 0;
}

/* CALL as given (id or path), or the newest call in state want (NULL =
 * any not ended). Writes the path into out. */
static int
ctl_pick_call(sd_bus *bus, const char *arg, const char *want, char *out,
	size_t len)
{
	char **paths = NULL;
	int n, found = -1;

	if (arg) {
		if (arg[0] == '/')
			snprintf(out, len, "%s", arg);
		else
			snprintf(out, len, "/org/svopi/Call/%s", arg);
		return 0;
	}
	n = ctl_list_paths(bus, &paths);
	if (n < 0)
		return n;
	for (int i = n - 1; i >= 0 && found < 0; i--) {
		struct json_object *p = ctl_call_props(bus, paths[i]);
		const char *st = p ? ctl_str(p, "State") : "";

		if (want ? strcmp(st, want) == 0 : strcmp(st, "ended") != 0 &&
		    *st) {
			snprintf(out, len, "%s", paths[i]);
			found = i;
		}
		json_object_put(p);
	}
	ctl_free_paths(paths, n);
	if (found < 0) {
		fprintf(stderr, "svopictl: no %s call\n", want ? want :
			"current");
		return -ENOENT;
	}
	return 0;
}

/* Splits --play/--record/--wait/--timeout from the arguments. */
struct ctl_call_opts {
	const char *play, *record, *pos;
	bool wait;
	double timeout;
};

static int
ctl_call_opts(int argc, char **argv, struct ctl_call_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--play") == 0 && i + 1 < argc)
			o->play = argv[++i];
		else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc)
			o->record = argv[++i];
		else if (strcmp(argv[i], "--wait") == 0)
			o->wait = true;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			char *end;

			o->timeout = strtod(argv[++i], &end);
			if (*end || o->timeout <= 0)
				return -EINVAL;
		} else if (argv[i][0] == '-' || o->pos)
			return -EINVAL;
		else
			o->pos = argv[i];
	}
	return 0;
}

static int
ctl_append_opts(sd_bus_message *m, const struct ctl_call_opts *o)
{
	int r = sd_bus_message_open_container(m, 'a', "{sv}");

	if (r >= 0 && o->play)
		r = sd_bus_message_append(m, "{sv}", "play", "s", o->play);
	if (r >= 0 && o->record)
		r = sd_bus_message_append(m, "{sv}", "record", "s", o->record);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

static bool
ctl_security_reason(const char *why)
{
	static const char *const words[] = { "certificate", "MIKEY",
		"identity", "403", "488", "key exchange", "replay", NULL };

	for (size_t i = 0; words[i]; i++)
		if (strstr(why, words[i]))
			return true;
	return false;
}

static int
verb_call(sd_bus *bus, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	struct ctl_call_opts o;
	struct json_object *p = NULL, *out;
	const char *path;
	char cpath[128];
	struct timespec t0, now;
	bool answered = false, timed_out = false;
	int r, rc;

	if (ctl_call_opts(argc, argv, &o) < 0 || !o.pos) {
		fprintf(stderr, "Usage: svopictl call URI [--play FILE] "
			"[--record FILE] [--wait] [--timeout S]\n");
		return 2;
	}
	r = sd_bus_message_new_method_call(bus, &m, CTL_NAME, CTL_PATH,
		CTL_IFACE, "Dial");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", o.pos);
	if (r >= 0)
		r = ctl_append_opts(m, &o);
	if (r >= 0)
		r = sd_bus_call(bus, m, CTL_LONG_USEC, &e, &reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		ctl_error("call", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	r = sd_bus_message_read(reply, "o", &path);
	if (r < 0) {
		sd_bus_message_unref(reply);
		return 1;
	}
	snprintf(cpath, sizeof(cpath), "%s", path);
	sd_bus_message_unref(reply);
	if (!o.wait) {
		if (arg_json) {
			out = json_object_new_object();
			json_object_object_add(out, "path",
				json_object_new_string(cpath));
			ctl_json_print(out);
			json_object_put(out);
		} else {
			printf("%s\n", cpath);
		}
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		const char *st;
		double el;

		json_object_put(p);
		p = ctl_call_props(bus, cpath);
		if (!p) {
			fprintf(stderr, "svopictl: call vanished\n");
			return 1;
		}
		st = ctl_str(p, "State");
		if (strcmp(st, "active") == 0)
			answered = true;
		if (strcmp(st, "ended") == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)(now.tv_sec - t0.tv_sec) +
			(double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (o.timeout > 0 && el >= o.timeout) {
			timed_out = true;
			sd_bus_call_method(bus, CTL_NAME, cpath, CTL_CALL_IFACE,
				"Hangup", NULL, NULL, "");
			json_object_put(p);
			p = ctl_call_props(bus, cpath);
			if (!p)
				return 1;
			break;
		}
		usleep(100000);
	}
	out = ctl_call_json(cpath, p);
	if (arg_json)
		ctl_json_print(out);
	else
		ctl_call_print(out);
	json_object_put(out);
	if (answered || json_object_object_get_ex(
	    json_object_object_get(p, "Timings"), "answered", NULL))
		rc = ctl_bool(p, "Secure") && ctl_bool(p, "PeerVerified") ?
			0 : CTL_EXIT_SECURITY;
	else if (ctl_security_reason(ctl_str(p, "EndReason")))
		rc = CTL_EXIT_SECURITY;
	else if (timed_out)
		rc = CTL_EXIT_TIMEOUT;
	else
		rc = CTL_EXIT_REJECTED;
	json_object_put(p);
	return rc;
}

static int
verb_answer(sd_bus *bus, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	struct ctl_call_opts o;
	char path[128];
	int r;

	if (ctl_call_opts(argc, argv, &o) < 0 || o.wait || o.timeout > 0) {
		fprintf(stderr, "Usage: svopictl answer [CALL] [--play FILE] "
			"[--record FILE]\n");
		return 2;
	}
	if (ctl_pick_call(bus, o.pos, "ringing", path, sizeof(path)) < 0)
		return 1;
	r = sd_bus_message_new_method_call(bus, &m, CTL_NAME, path,
		CTL_CALL_IFACE, "Answer");
	if (r >= 0)
		r = ctl_append_opts(m, &o);
	if (r >= 0)
		r = sd_bus_call(bus, m, CTL_LONG_USEC, &e, &reply);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	if (r < 0) {
		ctl_error("answer", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	return 0;
}

static int
verb_hangup(sd_bus *bus, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char path[128];
	int r;

	if (ctl_pick_call(bus, argc > 1 ? argv[1] : NULL, NULL, path,
	    sizeof(path)) < 0)
		return 1;
	r = sd_bus_call_method(bus, CTL_NAME, path, CTL_CALL_IFACE, "Hangup",
		&e, NULL, "");
	if (r < 0) {
		ctl_error("hangup", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	return 0;
}

static int
verb_dtmf(sd_bus *bus, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char path[128];
	int r;

	if (ctl_pick_call(bus, argv[1], NULL, path, sizeof(path)) < 0)
		return 1;
	r = sd_bus_call_method(bus, CTL_NAME, path, CTL_CALL_IFACE, "Dtmf",
		&e, NULL, "s", argv[2]);
	if (r < 0) {
		ctl_error("dtmf", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	return 0;
}

static int
verb_enroll(sd_bus *bus, int argc, char **argv)
{
	char fpbuf[FINGERPRINT_TEXT_SIZE];
	sd_bus_message *reply = NULL;
	const char *fp;

	if (ctl_simple_call(bus, "Enroll", "enroll", &reply, NULL) < 0)
		return 1;
	if (sd_bus_message_read(reply, "s", &fp) < 0) {
		sd_bus_message_unref(reply);
		return 1;
	}
	if (arg_json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "fingerprint",
			json_object_new_string(ctl_fp(fp, fpbuf)));
		ctl_json_print(o);
		json_object_put(o);
	} else {
		printf("enrolled, fingerprint %s\n", ctl_fp(fp, fpbuf));
	}
	sd_bus_message_unref(reply);
	return 0;
}

static int
verb_vuc(sd_bus *bus, int argc, char **argv)
{
	sd_bus_message *reply = NULL;
	int r;

	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		struct json_object *arr = json_object_new_array();
		const char *peer, *role, *code;
		uint64_t exp;

		if (ctl_simple_call(bus, "VucList", "vuc list", &reply,
		    NULL) < 0) {
			json_object_put(arr);
			return 1;
		}
		r = sd_bus_message_enter_container(reply, 'a', "(ssst)");
		while (r >= 0 && (r = sd_bus_message_read(reply, "(ssst)",
		    &peer, &role, &code, &exp)) > 0) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "peer",
				json_object_new_string(peer));
			json_object_object_add(o, "role",
				json_object_new_string(role));
			json_object_object_add(o, "code",
				json_object_new_string(code));
			json_object_object_add(o, "expires",
				json_object_new_uint64(exp));
			json_object_array_add(arr, o);
			if (!arg_json) {
				if (*code)
					printf("%s issued %s (tell %s this "
						"code)\n", peer, code, peer);
				else
					printf("%s requested (enter the code "
						"%s gives you)\n", peer, peer);
			}
		}
		if (arg_json)
			ctl_json_print(arr);
		json_object_put(arr);
		sd_bus_message_unref(reply);
		return r < 0 ? 1 : 0;
	}
	if (strcmp(argv[1], "enter") == 0 && argc == 4) {
		const char *result;
		int32_t left;

		if (ctl_simple_call(bus, "EnterVuc", "vuc enter", &reply,
		    "ss", argv[2], argv[3]) < 0)
			return 1;
		if (sd_bus_message_read(reply, "si", &result, &left) < 0) {
			sd_bus_message_unref(reply);
			return 1;
		}
		if (arg_json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "result",
				json_object_new_string(result));
			json_object_object_add(o, "attempts_left",
				json_object_new_int(left));
			ctl_json_print(o);
			json_object_put(o);
		} else {
			printf("%s", result);
			if (left >= 0 && strcmp(result, "trusted") != 0)
				printf(" (%d attempts left)", left);
			putchar('\n');
		}
		r = strcmp(result, "trusted") == 0 ? 0 : 1;
		sd_bus_message_unref(reply);
		return r;
	}
	fprintf(stderr, "Usage: svopictl vuc list | vuc enter PEER CODE\n");
	return 2;
}

static int
verb_trust(sd_bus *bus, int argc, char **argv)
{
	char fpbuf[FINGERPRINT_TEXT_SIZE];
	sd_bus_message *reply = NULL;
	int r;

	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		struct json_object *arr = json_object_new_array();
		const char *peer, *fp, *st;
		int64_t va, ch;

		if (ctl_simple_call(bus, "TrustList", "trust list", &reply,
		    NULL) < 0) {
			json_object_put(arr);
			return 1;
		}
		r = sd_bus_message_enter_container(reply, 'a', "(sssxx)");
		while (r >= 0 && (r = sd_bus_message_read(reply, "(sssxx)",
		    &peer, &fp, &st, &va, &ch)) > 0) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "peer",
				json_object_new_string(peer));
			json_object_object_add(o, "fingerprint",
				json_object_new_string(ctl_fp(fp, fpbuf)));
			json_object_object_add(o, "status",
				json_object_new_string(st));
			json_object_object_add(o, "validated_at",
				json_object_new_int64(va));
			json_object_object_add(o, "checked_at",
				json_object_new_int64(ch));
			json_object_array_add(arr, o);
			if (!arg_json)
				printf("%s %s %s\n", peer, st,
					ctl_fp(fp, fpbuf));
		}
		if (arg_json)
			ctl_json_print(arr);
		json_object_put(arr);
		sd_bus_message_unref(reply);
		return r < 0 ? 1 : 0;
	}
	if (strcmp(argv[1], "forget") == 0 && argc == 3) {
		if (ctl_simple_call(bus, "TrustForget", "trust forget", &reply,
		    "s", argv[2]) < 0)
			return 1;
		sd_bus_message_unref(reply);
		return 0;
	}
	fprintf(stderr, "Usage: svopictl trust list | trust forget PEER\n");
	return 2;
}

struct ctl_verb {
	const char *name;
	int min_args, max_args;	/* after the verb; -1 = any */
	bool needs_bus;
	int (*run)(sd_bus *bus, int argc, char **argv);
	const char *usage;
};

static const struct ctl_verb ctl_verbs[] = {
	{ "status", 0, 0, true, verb_status, "status" },
	{ "monitor", 0, 0, true, verb_monitor, "monitor" },
	{ "ping", 1, 1, true, verb_ping, "ping URI" },
	{ "enroll", 0, 0, true, verb_enroll, "enroll" },
	{ "call", 1, -1, true, verb_call,
		"call URI [--play FILE] [--record FILE] [--wait] [--timeout S]" },
	{ "answer", 0, -1, true, verb_answer,
		"answer [CALL] [--play FILE] [--record FILE]" },
	{ "hangup", 0, 1, true, verb_hangup, "hangup [CALL]" },
	{ "calls", 0, 0, true, verb_calls, "calls" },
	{ "dtmf", 2, 2, true, verb_dtmf, "dtmf CALL DIGITS" },
	{ "vuc", 1, 3, true, verb_vuc, "vuc list | vuc enter PEER CODE" },
	{ "trust", 1, 2, true, verb_trust, "trust list | trust forget PEER" },
	{ NULL, 0, 0, false, NULL, NULL },
};

static void
ctl_usage(FILE *f)
{
	fprintf(f,
		"Usage: svopictl [--json] [--system] [--address ADDR] VERB [ARGS]\n"
		"Controls svopid over D-Bus.\n\nVerbs:\n");
	for (const struct ctl_verb *v = ctl_verbs; v->name; v++)
		fprintf(f, "  %s\n", v->usage);
	fprintf(f, "\nOptions:\n"
		"  -j, --json           machine-readable output (JSON)\n"
		"      --system         talk to the daemon on the system bus\n"
		"  -A, --address ADDR   talk to the D-Bus at ADDR\n"
		"  -h, --help           this text\n"
		"  -V, --version        print the version\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "system", no_argument, NULL, 's' },
		{ "address", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct ctl_verb *verb;
	sd_bus *bus = NULL;
	int c, nargs, rc;

	while ((c = getopt_long(argc, argv, "+jA:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': arg_json = true; break;
		case 's': arg_system = true; break;
		case 'A': arg_address = optarg; break;
		case 'h': ctl_usage(stdout); return 0;
		case 'V': puts("svopictl " PACKAGE_VERSION); return 0;
		default: ctl_usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	for (verb = ctl_verbs; verb->name; verb++)
		if (strcmp(verb->name, argv[optind]) == 0)
			break;
	if (!verb->name) {
		fprintf(stderr, "svopictl: unknown verb \"%s\"\n", argv[optind]);
		ctl_usage(stderr);
		return 2;
	}
	nargs = argc - optind - 1;
	if (nargs < verb->min_args ||
	    (verb->max_args >= 0 && nargs > verb->max_args)) {
		fprintf(stderr, "Usage: svopictl %s\n", verb->usage);
		return 2;
	}
	if (verb->needs_bus && ctl_connect(&bus) < 0)
		return 1;
	rc = verb->run(bus, argc - optind, argv + optind);
	sd_bus_flush_close_unref(bus);
	return rc;
}
