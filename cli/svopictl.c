/* svopictl: a table of verbs over the D-Bus API of svopid (SPEC §6).
 * Global options come before the verb. Exit status: 0 success, 1 failure,
 * 2 usage error; `call --wait`: 3 rejected or unanswered, 4 security
 * failure, 5 timeout (see svopictl(1)). The verbs live in files by
 * concern (ctl.h). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

/* `setup` lives in its own program (svopictl-setup, cli/setup.c): it
 * needs OpenSSL and the SIP library, which every other verb would
 * otherwise load at each start (status is polled; its latency counts).
 * Beside this program in a build tree, else in SVOPIEXECDIR. */
static int
verb_setup_exec(sd_bus *unused, int argc, char **argv)
{
	char self[PATH_MAX], helper[PATH_MAX + 32], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	snprintf(helper, sizeof(helper), "%s", SVOPIEXECDIR "/svopictl-setup");
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			char near[PATH_MAX + 32];

			*slash = '\0';
			snprintf(near, sizeof(near), "%s/svopictl-setup", self);
			if (access(near, X_OK) == 0)
				snprintf(helper, sizeof(helper), "%s", near);
		}
	}
	argv[0] = helper;
	execv(helper, argv);
	fprintf(stderr, "svopictl: cannot run %s: %s\n", helper,
		strerror(errno));
	return CTL_EXIT_FAILURE;
}

enum ctl_bus_need {
	BUS_NONE,		/* the verb connects itself, if at all */
	BUS_NEEDED,		/* no bus: exit 1 */
	BUS_OPTIONAL,		/* no bus: the verb gets NULL and explains */
};

struct ctl_verb {
	const char *name;
	int min_args, max_args;	/* after the verb; -1 = any */
	enum ctl_bus_need bus;
	int (*run)(sd_bus *bus, int argc, char **argv);
	const char *usage;
};

static const struct ctl_verb ctl_verbs[] = {
	{ "status", 0, 0, BUS_OPTIONAL, verb_status, "status" },
	{ "monitor", 0, 0, BUS_NEEDED, verb_monitor, "monitor" },
	{ "ping", 1, 1, BUS_NEEDED, verb_ping, "ping URI" },
	{ "enroll", 0, 0, BUS_NEEDED, verb_enroll, "enroll" },
	{ "call", 1, -1, BUS_NEEDED, verb_call,
		"call URI [--play FILE] [--record FILE] [--wait] [--timeout S]" },
	{ "answer", 0, -1, BUS_NEEDED, verb_answer,
		"answer [CALL] [--play FILE] [--record FILE]" },
	{ "hangup", 0, 1, BUS_NEEDED, verb_hangup, "hangup [CALL]" },
	{ "calls", 0, 0, BUS_NEEDED, verb_calls, "calls" },
	{ "dtmf", 2, 2, BUS_NEEDED, verb_dtmf, "dtmf CALL DIGITS" },
	{ "vuc", 1, 3, BUS_NEEDED, verb_vuc, "vuc list | vuc enter PEER CODE" },
	{ "trust", 1, 2, BUS_NEEDED, verb_trust, "trust list | trust forget PEER" },
	{ "setup", 0, -1, BUS_NONE, verb_setup_exec,
		"setup [--uri URI] [--proxy URI] [--trust-server URL] "
		"[--ca-file FILE] ...\n"
		"        (svopictl setup --help lists them)" },
	{ NULL, 0, 0, BUS_NONE, NULL, NULL },
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
	if (verb->bus != BUS_NONE && ctl_connect(&bus) < 0 &&
	    verb->bus == BUS_NEEDED)
		return CTL_EXIT_FAILURE;
	rc = verb->run(bus, argc - optind, argv + optind);
	sd_bus_flush_close_unref(bus);
	return rc;
}
