/* svopid: main, command line, signals, sd_notify and the event loop. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/bus.h"
#include "daemon/busloop.h"
#include "daemon/call.h"
#include "daemon/conf.h"
#include "daemon/identity.h"
#include "common/log.h"
#include "daemon/svopid.h"
#include "daemon/ua.h"
#include "daemon/reg.h"

/* How long SIGTERM waits for the un-REGISTER before exiting anyway. */
#define SVOPID_STOP_GRACE_SEC 5

static struct event *svopid_grace_ev;

/* Registration changed: systemd's status line and the bus. */
static void
svopid_reg_state(void *ctx, enum reg_state s, const char *detail)
{
	struct svopid *d = ctx;

	sd_notifyf(0, "STATUS=registration %s%s%s", reg_state_name(s),
		*detail ? ": " : "", detail);
	bus_emit_registration(d);
}

/* The un-REGISTER at shutdown finished (or gave up). */
static void
svopid_unregistered(void *ctx)
{
	struct svopid *d = ctx;

	if (d->stopping)
		event_base_loopexit(d->base, NULL);
}

static const struct reg_events svopid_reg_events = {
	.state = svopid_reg_state,
	.unregistered = svopid_unregistered,
};

static void
svopid_grace_cb(evutil_socket_t fd, short what, void *arg)
{
	struct svopid *d = arg;

	log_warning("un-REGISTER did not finish in %d s, exiting",
		SVOPID_STOP_GRACE_SEC);
	event_base_loopexit(d->base, NULL);
}

/* Starts a clean shutdown: ends the calls, un-REGISTERs, exits. */
static void
svopid_stop(struct svopid *d)
{
	struct timeval tv = { SVOPID_STOP_GRACE_SEC, 0 };

	if (d->stopping)
		return;
	d->stopping = true;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	svopid_grace_ev = evtimer_new(d->base, svopid_grace_cb, d);
	if (svopid_grace_ev)
		evtimer_add(svopid_grace_ev, &tv);
	calls_stop(d->calls);
	if (!d->reg || reg_stop(d->reg) == 0)	/* nothing to wait for */
		event_base_loopexit(d->base, NULL);
}

/* Without its bus the daemon cannot be controlled: leave cleanly, which
 * includes the un-REGISTER. */
static void
svopid_bus_dead(void *ctx)
{
	svopid_stop(ctx);
}

/* The layers, bottom up, each wired to the one above by the handlers
 * and event tables the upper one owns (docs/architecture.md). */
static int
svopid_layers_new(struct svopid *d)
{
	int r;

	r = ua_new(d, &d->ua);
	if (r < 0) {
		log_error("SIP: %s", strerror(-r));
		return r;
	}
	if (ua_has_proxy(d->ua)) {
		r = reg_new(d, d->ua, &svopid_reg_events, d, &d->reg);
		if (r < 0) {
			log_error("SIP: %s", strerror(-r));
			return r;
		}
	}
	r = calls_new(d, &ua_sip_ops, d->ua, &bus_calls_events, d,
		&d->calls);
	if (r < 0) {
		log_error("calls: %s", strerror(-r));
		return r;
	}
	if (!calls_trust_configured(d->calls))
		d->trust_server_state = "none";
	ua_set_request_handler(d->ua, calls_request, d->calls);
	return 0;
}

static void
svopid_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct svopid *d = arg;

	if (d->stopping) {
		log_info("second signal, exiting now");
		event_base_loopexit(d->base, NULL);
		return;
	}
	log_info("signal %d: stopping", (int)sig);
	svopid_stop(d);
}

static void
svopid_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

static void
svopid_usage(FILE *f)
{
	fprintf(f,
		"Usage: svopid [OPTIONS]\n"
		"The svopi daemon: SIP registration and secure calls.\n\n"
		"  -c, --config FILE     read only FILE (default: "
		SYSCONFDIR "/svopi/svopid.conf,\n"
		"                        then $XDG_CONFIG_HOME/svopi/svopid.conf)\n"
		"      --system          use the system bus\n"
		"      --bus-address A   use the D-Bus at address A\n"
		"      --log-level L     error, warning, notice, info or debug\n"
		"      --check-config    read the configuration and exit\n"
		"  -h, --help            this text\n"
		"  -V, --version         print the version\n");
}

/* Reads the configuration (config, or the default files) and the SIP
 * password; the log level from the command line (>= 0) wins. */
static int
svopid_load_conf(struct svopid *d, const char *config, int log_level)
{
	char err[512] = "";
	int r;

	if (config) {
		r = conf_load_file(d->conf, config, err, sizeof(err));
		if (r == -ENOENT)
			snprintf(err, sizeof(err), "%s: no such file", config);
	} else {
		r = conf_load_default(d->conf, err, sizeof(err));
	}
	if (r >= 0)
		r = conf_finish(d->conf, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		return r;
	}
	log_set_level(log_level >= 0 ? log_level : d->conf->log_level);
	if (d->conf->password_file) {
		r = conf_read_secret(d->conf->password_file, &d->sip_password,
			err, sizeof(err));
		if (r < 0) {
			log_error("%s", err);
			return r;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "system", no_argument, NULL, 's' },
		{ "bus-address", required_argument, NULL, 'a' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct svopid d;
	const char *config = NULL, *address = NULL;
	struct event *sigterm = NULL, *sigint = NULL, *wd = NULL;
	bool system_bus = false, check_only = false;
	int log_level = -1;
	char err[512];
	uint64_t wd_usec = 0;
	int c, r, rc = EXIT_FAILURE;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 's': system_bus = true; break;
		case 'a': address = optarg; break;
		case 'k': check_only = true; break;
		case 'l':
			log_level = log_parse_level(optarg);
			if (log_level < 0) {
				fprintf(stderr, "svopid: bad log level \"%s\"\n",
					optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'h': svopid_usage(stdout); return EXIT_SUCCESS;
		case 'V': puts("svopid " PACKAGE_VERSION); return EXIT_SUCCESS;
		default: svopid_usage(stderr); return EXIT_FAILURE;
		}
	}
	if (optind != argc) {
		svopid_usage(stderr);
		return EXIT_FAILURE;
	}
	signal(SIGPIPE, SIG_IGN);

	memset(&d, 0, sizeof(d));
	d.trust_server_state = "unknown";
	d.conf = conf_new();
	if (!d.conf)
		return EXIT_FAILURE;
	if (svopid_load_conf(&d, config, log_level) < 0)
		goto out;
	if (check_only) {
		rc = EXIT_SUCCESS;
		goto out;
	}
	r = identity_load_or_create(d.conf->state_dir, d.conf->uri, &d.id, err,
		sizeof(err));
	if (r < 0) {
		log_error("identity: %s", err);
		goto out;
	}
	log_info("identity %s, fingerprint %s", d.id->aor, d.id->fingerprint);

	d.base = event_base_new();
	if (!d.base || event_base_priority_init(d.base, SVOPID_PRIORITIES) < 0)
		goto out;
	if (bus_setup(&d, system_bus, address, svopid_bus_dead, &d) < 0)
		goto out;
	if (svopid_layers_new(&d) < 0)
		goto out;
	sigterm = evsignal_new(d.base, SIGTERM, svopid_signal_cb, &d);
	sigint = evsignal_new(d.base, SIGINT, svopid_signal_cb, &d);
	if (!sigterm || !sigint || evsignal_add(sigterm, NULL) < 0 ||
	    evsignal_add(sigint, NULL) < 0)
		goto out;
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0) {
		struct timeval tv = {
			(time_t)(wd_usec / 2 / 1000000),
			(suseconds_t)(wd_usec / 2 % 1000000),
		};

		wd = event_new(d.base, -1, EV_PERSIST, svopid_watchdog_cb, &d);
		if (wd)
			event_add(wd, &tv);
	}
	r = ua_start(d.ua);
	if (r < 0) {
		log_error("SIP: %s", strerror(-r));
		goto out;
	}
	if (d.reg)
		reg_start(d.reg);
	sd_notifyf(0, "READY=1\nSTATUS=running as %s", d.id->aor);
	log_info("ready");
	busloop_update(d.busloop);
	event_base_dispatch(d.base);
	rc = EXIT_SUCCESS;
	log_info("exiting");
out:
	d.calls = calls_free(d.calls);
	d.reg = reg_free(d.reg);
	d.ua = ua_free(d.ua);
	bus_teardown(&d);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	if (wd)
		event_free(wd);
	if (svopid_grace_ev)
		event_free(svopid_grace_ev);
	if (d.base)
		event_base_free(d.base);
	identity_free(d.id);
	conf_secret_free(d.sip_password);
	conf_free(d.conf);
	return rc;
}
