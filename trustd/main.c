/* svopi-trustd: the trust server (SPEC §3). */
/* The package config.h, not trustd/config.h. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "trustd.h"

#define LOOPS_MAX 64

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct trustd *td = arg;

	log_info("signal %d, stopping", (int)sig);
	for (int i = 0; i < td->n_loops; i++)
		event_base_loopexit(td->loops[i]->base, NULL);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: svopi-trustd [-c FILE] [-d]\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"  -d, --debug        log debug messages\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n", TRUSTD_CONFIG_DEFAULT);
}

static void *
loop_run(void *arg)
{
	struct trustd *td = arg;

	event_base_dispatch(td->base);
	return NULL;
}

/* One event loop: base, store connection, HTTP server on the socket. */
static int
loop_start(struct trustd *td, const char *delay)
{
	struct event_config *cfg = event_config_new();

	if (!cfg)
		return -ENOMEM;
	/* Coalesce the add/del pairs evhttp makes per request. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	td->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (!td->base || api_loop_init(td) < 0)
		return -ENOMEM;
	if (store_open(td->cfg->database, &td->store) < 0)
		return -EIO;
	/* Crash tests only: see store_set_redeem_delay(). */
	if (delay)
		store_set_redeem_delay(td->store, strtol(delay, NULL, 10));
	return server_start(td);
}

static void
loop_free(struct trustd *td)
{
	if (!td)
		return;
	api_stop(td);
	server_stop(td);
	if (td->base)
		event_base_free(td->base);
	store_free(td->store);
	free(td);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *path = TRUSTD_CONFIG_DEFAULT, *delay;
	struct trustd shared = { 0 }, *loops[LOOPS_MAX] = { 0 };
	struct event *sig_term = NULL, *sig_int = NULL;
	int debug = 0, c, rc = EXIT_FAILURE, n, started = 1;

	while ((c = getopt_long(argc, argv, "c:dhV", opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			puts("svopi-trustd " PACKAGE_VERSION);
			return EXIT_SUCCESS;
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
	if (trustd_config_load(path, &shared.cfg) < 0)
		return EXIT_FAILURE;
	log_set_level(debug ? LOG_DEBUG : shared.cfg->log_level);
	if (!shared.cfg->listen_host || !shared.cfg->tls_cert ||
	    !shared.cfg->tls_key) {
		fprintf(stderr, "%s: listen, tls_cert and tls_key are "
			"required\n", path);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (evthread_use_pthreads() < 0) {
		log_err("libevent without thread support");
		goto out;
	}
	n = (int)shared.cfg->threads;
	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		n = cpus < 1 ? 1 : cpus > LOOPS_MAX ? LOOPS_MAX : (int)cpus;
	}
	delay = getenv("SVOPI_TRUSTD_TEST_REDEEM_DELAY_MS");
	if (delay)
		log_warning("test hook: redeem delay %s ms", delay);
	shared.ssl = server_tls_new(shared.cfg);
	shared.auth = auth_new(&(struct auth_params){
		.t_cost = shared.cfg->argon2_t_cost,
		.m_cost = shared.cfg->argon2_m_cost,
		.cache_ttl = shared.cfg->cred_cache_ttl,
		.login_fail_max = shared.cfg->login_fail_max,
		.addr_fail_max = shared.cfg->addr_fail_max,
		.fail_window = shared.cfg->fail_window,
	});
	shared.web = web_new(&shared);
	if (!shared.ssl || !shared.auth || !shared.web)
		goto out;
	shared.loops = loops;
	shared.n_loops = n;
	for (int i = 0; i < n; i++) {
		loops[i] = calloc(1, sizeof(*loops[i]));
		if (!loops[i])
			goto out;
		loops[i]->cfg = shared.cfg;
		loops[i]->ssl = shared.ssl;
		loops[i]->auth = shared.auth;
		loops[i]->web = shared.web;
		loops[i]->loops = loops;
		loops[i]->n_loops = n;
		loops[i]->index = i;
		/* The first opens the store first (migrations). */
		if (loop_start(loops[i], delay) < 0)
			goto out;
	}
	sig_term = evsignal_new(loops[0]->base, SIGTERM, on_signal, loops[0]);
	sig_int = evsignal_new(loops[0]->base, SIGINT, on_signal, loops[0]);
	if (!sig_term || !sig_int || event_add(sig_term, NULL) < 0 ||
	    event_add(sig_int, NULL) < 0)
		goto out;
	/* Signals go to the main thread's loop only. */
	{
		sigset_t set, old;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		pthread_sigmask(SIG_BLOCK, &set, &old);
		for (; started < n; started++)
			if (pthread_create(&loops[started]->thread, NULL,
				loop_run, loops[started]) != 0)
				break;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (started < n) {
		log_err("cannot start threads");
		for (int i = 1; i < started; i++)
			event_base_loopexit(loops[i]->base, NULL);
		goto join;
	}
	log_info("%d event loop%s", n, n == 1 ? "" : "s");
	sd_notifyf(0, "READY=1\nSTATUS=serving https://%s:%s",
		shared.cfg->listen_host, shared.cfg->listen_port);
	event_base_dispatch(loops[0]->base);
	sd_notify(0, "STOPPING=1");
	rc = EXIT_SUCCESS;
join:
	for (int i = 1; i < started; i++)
		pthread_join(loops[i]->thread, NULL);
out:
	if (sig_term)
		event_free(sig_term);
	if (sig_int)
		event_free(sig_int);
	for (int i = 0; i < LOOPS_MAX; i++)
		loop_free(loops[i]);
	web_free(shared.web);
	auth_free(shared.auth);
	SSL_CTX_free(shared.ssl);
	server_global_free();
	trustd_config_free(shared.cfg);
	return rc;
}
