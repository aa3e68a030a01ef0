/* svopictl: status (with what is missing and the command that fixes
 * it), ping and monitor. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

/* OPTIONS runs at most 32 s (Timer F) plus DNS and connection setup. */
#define CTL_PING_TIMEOUT_USEC (40ULL * 1000000)

/* What is wrong, in words, and the command that fixes it. */
struct ctl_problem {
	const char *part;	/* "configuration", "registration", ... */
	char what[512];
	const char *fix;	/* a command line */
};

#define CTL_PROBLEMS_MAX 4

/* Adds a problem described by what and, appended, detail. */
static void
problem_add(struct ctl_problem *p, size_t *n, const char *part,
	const char *fix, const char *what, const char *detail)
{
	if (*n >= CTL_PROBLEMS_MAX)
		return;
	p[*n].part = part;
	p[*n].fix = fix;
	snprintf(p[*n].what, sizeof(p[*n].what), "%s%s", what, detail);
	(*n)++;
}

/* The fix for a registration failure, from svopid's reason. */
static const char *
registration_fix(const char *detail)
{
	if (strstr(detail, "401") || strstr(detail, "403") ||
	    strstr(detail, "407") || strstr(detail, "password"))
		return "svopictl setup --sip-password-file FILE "
			"(and --auth-user NAME if the proxy knows you by "
			"another name)";
	if (strstr(detail, "certificate") || strstr(detail, "verify"))
		return "svopictl setup --ca-file FILE (the CA that signed the "
			"proxy's certificate)";
	return "svopictl setup --proxy URI (then systemctl --user restart "
		"svopid)";
}

static void
status_problems(struct json_object *props, struct ctl_problem *p, size_t *n)
{
	const char *reg = ctl_str(props, "Registration");
	const char *detail = ctl_str(props, "RegistrationDetail");
	const char *ts = ctl_str(props, "TrustServer");

	if (strcmp(reg, "failed") == 0)
		problem_add(p, n, "registration", registration_fix(detail),
			"not registered at the proxy: ", *detail ? detail :
			"no reason given");
	if (json_object_object_get_ex(props, "Enrolled", NULL) &&
	    !ctl_bool(props, "Enrolled") && strcmp(ts, "none") != 0)
		problem_add(p, n, "enrolment", "svopictl enroll",
			"this computer's certificate is not enrolled at the "
			"trust server: nobody can verify calls from you", "");
	if (strcmp(ts, "unreachable") == 0)
		problem_add(p, n, "trust-server", "check the network, then "
			"svopictl setup --trust-server URL --ca-file FILE",
			*ctl_str(props, "TrustServerDetail") ? "the trust server "
			"is unreachable: " : "the trust server is unreachable",
			ctl_str(props, "TrustServerDetail"));
	else if (strcmp(ts, "auth-failed") == 0)
		problem_add(p, n, "trust-server",
			"svopictl setup --trust-password-file FILE",
			"the trust server refused the login", "");
}

/* svopid did not answer: says whether it lacks a configuration or is not
 * running. */
static void
status_unreachable(const sd_bus_error *e, int r, struct ctl_problem *p,
	size_t *n)
{
	char user[4096];
	bool have_user = ctl_user_config_path(user, sizeof(user)) == 0 &&
		access(user, F_OK) == 0;
	bool have_system = access(ctl_system_config_path(), F_OK) == 0;
	const char *why = sd_bus_error_is_set(e) && e->message ? e->message :
		strerror(-r);

	if (!arg_address && !arg_system && !have_user && !have_system)
		problem_add(p, n, "configuration", "svopictl setup",
			"svopi is not configured on this computer (no "
			"svopid.conf in ~/.config/svopi or " SYSCONFDIR
			"/svopi)", "");
	else if (arg_address || arg_system)
		problem_add(p, n, "daemon", "start svopid on that bus",
			"svopid does not answer: ", why);
	else
		problem_add(p, n, "daemon", "systemctl --user start svopid "
			"(journalctl --user -u svopid says why it stopped)",
			"svopid is not running: ", why);
}

static void
status_print_problems(const struct ctl_problem *p, size_t n,
	struct json_object *o)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "part",
			json_object_new_string(p[i].part));
		json_object_object_add(j, "problem",
			json_object_new_string(p[i].what));
		json_object_object_add(j, "fix", json_object_new_string(p[i].fix));
		json_object_array_add(arr, j);
		if (!arg_json)
			printf("Problem:      %s\n  To fix:     %s\n", p[i].what,
				p[i].fix);
	}
	json_object_object_add(o, "problems", arr);
}

static void
status_add(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, json_object_new_string(value));
}

int
verb_status(sd_bus *bus, int argc, char **argv)
{
	char fpbuf[FINGERPRINT_TEXT_SIZE];
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct ctl_problem problems[CTL_PROBLEMS_MAX];
	struct json_object *props, *o = json_object_new_object();
	size_t n = 0;
	int r = 0;

	props = bus ? ctl_get_all(bus, CTL_PATH, CTL_IFACE, &e, &r) : NULL;
	if (!props) {
		status_unreachable(&e, r ? r : -ENOTCONN, problems, &n);
		sd_bus_error_free(&e);
		json_object_object_add(o, "running",
			json_object_new_boolean(false));
		status_print_problems(problems, n, o);
		if (arg_json)
			ctl_json_print(o);
		json_object_put(o);
		return CTL_EXIT_FAILURE;
	}
	status_add(o, "identity", ctl_str(props, "Identity"));
	status_add(o, "fingerprint", ctl_fp(ctl_str(props, "Fingerprint"),
		fpbuf));
	status_add(o, "registration", ctl_str(props, "Registration"));
	if (*ctl_str(props, "RegistrationDetail"))
		status_add(o, "registration_detail",
			ctl_str(props, "RegistrationDetail"));
	status_add(o, "trust_server", ctl_str(props, "TrustServer"));
	status_add(o, "version", ctl_str(props, "Version"));
	json_object_object_add(o, "running", json_object_new_boolean(true));
	if (!arg_json) {
		const char *detail = ctl_str(props, "RegistrationDetail");

		printf("Identity:     %s\n", ctl_str(props, "Identity"));
		printf("Fingerprint:  %s\n", ctl_fp(ctl_str(props,
			"Fingerprint"), fpbuf));
		printf("Registration: %s%s%s%s\n",
			ctl_str(props, "Registration"), *detail ? " (" : "",
			detail, *detail ? ")" : "");
		printf("Trust server: %s\n", ctl_str(props, "TrustServer"));
		printf("Version:      %s\n", ctl_str(props, "Version"));
	}
	status_problems(props, problems, &n);
	status_print_problems(problems, n, o);
	if (arg_json)
		ctl_json_print(o);
	json_object_put(o);
	json_object_put(props);
	return CTL_EXIT_OK;
}

int
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

int
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

