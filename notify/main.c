/* svopi-notify: the desktop front-end of svopid (SPEC §7a). Follows the
 * daemon on the session bus and shows its VUC prompts, incoming calls
 * and security alerts as freedesktop notifications. docs/notify.md,
 * svopi-notify(1). Exit status: 0 on SIGTERM/SIGINT, 1 on failure
 * (including the loss of the bus), 2 on a usage error. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "common/log.h"
#include "notify/prompt.h"

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: svopi-notify [OPTION]...\n"
"Shows svopid's voice unlock codes, incoming calls and security alerts\n"
"as desktop notifications, on the session bus.\n"
"\n"
"  -l, --log-level=LEVEL  error, warning, info (default) or debug\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"The code a peer reads out is typed into the notification where the\n"
"notification server supports inline replies, else into a zenity or\n"
"kdialog box, else with the svopictl command the notification shows.\n"
"See svopi-notify(1).\n");
}

static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, level;

	while ((c = getopt_long(argc, argv, "l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			level = log_parse_level(optarg);
			if (level < 0) {
				fprintf(stderr, "svopi-notify: unknown log level "
					"'%s'\n", optarg);
				return 2;
			}
			log_set_level(level);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("svopi-notify %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "svopi-notify: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	return -1;
}

static int
run(void)
{
	sd_event *ev = NULL;
	sd_bus *bus = NULL;
	struct prompts *p = NULL;
	sigset_t mask;
	int r;

	/* sd-event takes these as events; SIGCHLD for the code dialog. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_default(&ev);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGINT, NULL, NULL);
	if (r < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		goto out;
	}
	r = sd_bus_open_user(&bus);
	if (r < 0) {
		log_error("cannot connect to the session bus: %s",
			strerror(-r));
		goto out;
	}
	/* Without the bus there is nothing to follow: exit, and let the
	 * session (systemd's Restart=) start us again. */
	r = sd_bus_set_exit_on_disconnect(bus, 1);
	if (r >= 0)
		r = sd_bus_attach_event(bus, ev, SD_EVENT_PRIORITY_NORMAL);
	if (r >= 0)
		r = prompts_new(ev, bus, &p);
	if (r < 0) {
		log_error("cannot start: %s", strerror(-r));
		goto out;
	}
	(void)sd_notify(0, "READY=1");
	log_info("following svopid on the session bus");
	/* 0 after SIGTERM/SIGINT; exit_on_disconnect ends the loop with
	 * EXIT_FAILURE. (The bus is closed by its exit source either way.) */
	r = sd_event_loop(ev);
	if (r < 0) {
		log_error("event loop: %s", strerror(-r));
	} else if (r > 0) {
		log_error("lost the session bus");
		r = -ENOTCONN;
	}
out:
	prompts_free(p);
	if (bus)
		sd_bus_flush_close_unref(bus);
	sd_event_unref(ev);
	return r < 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	int r = parse_args(argc, argv);

	if (r >= 0)
		return r;
	return run();
}
