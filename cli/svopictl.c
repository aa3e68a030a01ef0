/* svopictl: a table of verbs over the D-Bus API of svopid (SPEC §6).
 * Global options come before the verb. Exit status: 0 success, 1 failure,
 * 2 usage error or verb not implemented yet. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#define CTL_NAME "org.svopi.Daemon1"
#define CTL_PATH "/org/svopi/Daemon1"
#define CTL_IFACE "org.svopi.Daemon1"
/* OPTIONS runs at most 32 s (Timer F) plus DNS and connection setup. */
#define CTL_PING_TIMEOUT_USEC (40ULL * 1000000)

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
			json_object_new_string(ctl_str(props, "Fingerprint")));
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
		printf("Fingerprint:  %s\n", ctl_str(props, "Fingerprint"));
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

static int
verb_not_implemented(sd_bus *bus, int argc, char **argv)
{
	fprintf(stderr, "svopictl: %s: not implemented yet\n", argv[0]);
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
	{ "enroll", 0, -1, false, verb_not_implemented, "enroll" },
	{ "call", 1, -1, false, verb_not_implemented,
		"call URI [--play FILE] [--record FILE] [--wait] [--timeout S]" },
	{ "answer", 0, -1, false, verb_not_implemented,
		"answer [CALL] [--play FILE] [--record FILE]" },
	{ "hangup", 0, 1, false, verb_not_implemented, "hangup [CALL]" },
	{ "calls", 0, 0, false, verb_not_implemented, "calls" },
	{ "dtmf", 2, 2, false, verb_not_implemented, "dtmf CALL DIGITS" },
	{ "vuc", 1, -1, false, verb_not_implemented,
		"vuc list | vuc enter PEER CODE" },
	{ "trust", 1, -1, false, verb_not_implemented,
		"trust list | trust forget PEER" },
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
