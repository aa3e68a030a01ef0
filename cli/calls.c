/* svopictl: the call verbs (call, answer, hangup, calls, dtmf) and the
 * SPEC §6 JSON object of a call. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

/* The properties of a call object as JSON, or NULL. */
static struct json_object *
ctl_call_props(sd_bus *bus, const char *path)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct json_object *props = ctl_get_all(bus, path, CTL_CALL_IFACE, &e,
		NULL);

	sd_bus_error_free(&e);
	return props;
}

/* The SPEC §6 object of one call. */
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
	json_object_object_add(o, "verification",
		json_object_new_string(ctl_str(p, "Verification")));
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
	v = json_object_object_get(o, "verification");
	if (v && strcmp(json_object_get_string(v), "cache; trust server "
	    "unreachable") == 0)
		printf(" (verified from cache; trust server unreachable)");
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

int
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

/* A call as the user names it: its id ("3", as `svopictl calls` prints
 * it) or its object path. Returns the id, or 0 if arg is neither. */
static unsigned long
ctl_call_id(const char *arg)
{
	static const char prefix[] = "/org/svopi/Call/";
	unsigned long id;
	char *end;

	if (strncmp(arg, prefix, sizeof(prefix) - 1) == 0)
		arg += sizeof(prefix) - 1;
	if (arg[0] < '1' || arg[0] > '9')
		return 0;
	errno = 0;
	id = strtoul(arg, &end, 10);
	if (errno || *end || id > UINT32_MAX)
		return 0;
	return id;
}

/* CALL as given (id or path; it must exist), or the newest call in state
 * want (NULL = any not ended). Writes the path into out. Returns 0,
 * -EINVAL when CALL is not a call id (a usage error: exit 2), -ENOENT when
 * there is no such call. */
static int
ctl_pick_call(sd_bus *bus, const char *arg, const char *want, char *out,
	size_t len)
{
	char **paths = NULL;
	int n, found = -1;

	if (arg && ctl_call_id(arg) == 0) {
		fprintf(stderr, "svopictl: \"%s\" is not a call; name a call "
			"by the number `svopictl calls` shows\n", arg);
		return -EINVAL;
	}
	if (arg)
		snprintf(out, len, "/org/svopi/Call/%lu", ctl_call_id(arg));
	n = ctl_list_paths(bus, &paths);
	if (n < 0)
		return n;
	for (int i = n - 1; i >= 0 && found < 0; i--) {
		struct json_object *p;
		const char *st;

		if (arg) {
			if (strcmp(paths[i], out) == 0)
				found = i;
			continue;
		}
		p = ctl_call_props(bus, paths[i]);
		st = p ? ctl_str(p, "State") : "";
		if (want ? strcmp(st, want) == 0 : strcmp(st, "ended") != 0 &&
		    *st) {
			snprintf(out, len, "%s", paths[i]);
			found = i;
		}
		json_object_put(p);
	}
	ctl_free_paths(paths, n);
	if (found < 0 && arg)
		fprintf(stderr, "svopictl: there is no call %lu; "
			"`svopictl calls` lists them\n", ctl_call_id(arg));
	else if (found < 0)
		fprintf(stderr, "svopictl: no %s call\n", want ? want :
			"current");
	return found < 0 ? -ENOENT : 0;
}

/* The exit status for a ctl_pick_call() error. */
static int
ctl_pick_status(int r)
{
	return r == -EINVAL ? CTL_EXIT_USAGE : CTL_EXIT_FAILURE;
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

/* Appends {key: path} with path made absolute against our working
 * directory: the daemon runs elsewhere and refuses relative paths. */
static int
ctl_append_path(sd_bus_message *m, const char *key, const char *path)
{
	char abs[PATH_MAX], cwd[PATH_MAX];

	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >=
		    (int)sizeof(abs))
			return -ENAMETOOLONG;
		path = abs;
	}
	return sd_bus_message_append(m, "{sv}", key, "s", path);
}

static int
ctl_append_opts(sd_bus_message *m, const struct ctl_call_opts *o)
{
	int r = sd_bus_message_open_container(m, 'a', "{sv}");

	if (r >= 0 && o->play)
		r = ctl_append_path(m, "play", o->play);
	if (r >= 0 && o->record)
		r = ctl_append_path(m, "record", o->record);
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

int
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

int
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
	r = ctl_pick_call(bus, o.pos, "ringing", path, sizeof(path));
	if (r < 0)
		return ctl_pick_status(r);
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

int
verb_hangup(sd_bus *bus, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char path[128];
	int r;

	r = ctl_pick_call(bus, argc > 1 ? argv[1] : NULL, NULL, path,
		sizeof(path));
	if (r < 0)
		return ctl_pick_status(r);
	r = sd_bus_call_method(bus, CTL_NAME, path, CTL_CALL_IFACE, "Hangup",
		&e, NULL, "");
	if (r < 0) {
		ctl_error("hangup", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	return 0;
}

int
verb_dtmf(sd_bus *bus, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char path[128];
	int r;

	r = ctl_pick_call(bus, argv[1], NULL, path, sizeof(path));
	if (r < 0)
		return ctl_pick_status(r);
	r = sd_bus_call_method(bus, CTL_NAME, path, CTL_CALL_IFACE, "Dtmf",
		&e, NULL, "s", argv[2]);
	if (r < 0) {
		ctl_error("dtmf", &e, r);
		sd_bus_error_free(&e);
		return 1;
	}
	return 0;
}

