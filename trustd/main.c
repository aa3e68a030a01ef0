/* svopi-trustd: the trust server (SPEC §3). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "trustd.h"

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct trustd *td = arg;

	log_info("signal %d, stopping", (int)sig);
	event_base_loopexit(td->base, NULL);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: svopi-trustd [-c FILE] [-d]\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"  -d, --debug        log debug messages\n"
		"  -h, --help         this text\n", TRUSTD_CONFIG_DEFAULT);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = TRUSTD_CONFIG_DEFAULT, *delay;
	struct trustd td = { 0 };
	struct event *sig_term = NULL, *sig_int = NULL;
	struct event_config *cfg;
	int debug = 0, c, rc = EXIT_FAILURE;

	while ((c = getopt_long(argc, argv, "c:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("svopi-trustd");
	if (trustd_config_load(path, &td.cfg) < 0)
		return EXIT_FAILURE;
	log_max_level = debug ? LOG_DEBUG : td.cfg->log_level;
	if (!td.cfg->listen_host || !td.cfg->tls_cert || !td.cfg->tls_key) {
		fprintf(stderr, "%s: listen, tls_cert and tls_key are "
			"required\n", path);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (store_open(td.cfg->database, &td.store) < 0)
		goto out;
	/* Crash tests only: see store_set_redeem_delay(). */
	delay = getenv("SVOPI_TRUSTD_TEST_REDEEM_DELAY_MS");
	if (delay) {
		log_warning("test hook: redeem delay %s ms", delay);
		store_set_redeem_delay(td.store, strtol(delay, NULL, 10));
	}
	td.auth = auth_new(&(struct auth_params){
		.t_cost = td.cfg->argon2_t_cost,
		.m_cost = td.cfg->argon2_m_cost,
		.cache_ttl = td.cfg->cred_cache_ttl,
		.login_fail_max = td.cfg->login_fail_max,
		.addr_fail_max = td.cfg->addr_fail_max,
		.fail_window = td.cfg->fail_window,
	});
	cfg = event_config_new();
	if (cfg) {
		/* Coalesce the add/del pairs evhttp makes per request. */
		event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
		td.base = event_base_new_with_config(cfg);
		event_config_free(cfg);
	}
	if (!td.auth || !td.base) {
		log_err("out of memory");
		goto out;
	}
	td.web = web_new(&td);
	if (!td.web || server_start(&td) < 0)
		goto out;
	sig_term = evsignal_new(td.base, SIGTERM, on_signal, &td);
	sig_int = evsignal_new(td.base, SIGINT, on_signal, &td);
	if (!sig_term || !sig_int || event_add(sig_term, NULL) < 0 ||
	    event_add(sig_int, NULL) < 0)
		goto out;
	sd_notifyf(0, "READY=1\nSTATUS=serving https://%s:%s",
		td.cfg->listen_host, td.cfg->listen_port);
	event_base_dispatch(td.base);
	sd_notify(0, "STOPPING=1");
	rc = EXIT_SUCCESS;
out:
	api_stop(&td);
	server_stop(&td);
	if (sig_term)
		event_free(sig_term);
	if (sig_int)
		event_free(sig_int);
	td.web = web_free(td.web);
	if (td.base)
		event_base_free(td.base);
	auth_free(td.auth);
	store_free(td.store);
	trustd_config_free(td.cfg);
	return rc;
}
