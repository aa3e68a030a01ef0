/* The front of each connection, between TLS and evhttp.
 *
 * - Every request head is checked (httphead.c) before evhttp reads it;
 *   a refused one reaches evhttp as a marked stand-in request, so that
 *   the answer is our JSON 4xx and not evhttp's HTML page or 501.
 * - Connections are counted against a cap below the fd limit; past it,
 *   the idlest connection is closed (first those that never sent a whole
 *   request head, then the others, least recently heard from first).
 * - accept() failing for want of fds pauses the listener with a growing
 *   delay and closes an idle connection, logging one line per interval.
 * - evhttp may close a connection as soon as the filter took its
 *   answer: its write-done callback is held until TLS has written it. */
#ifndef TRUSTD_FRONT_H
#define TRUSTD_FRONT_H

#include <stddef.h>

#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

struct front;

/* A front for one event loop. ssl is borrowed and must outlive it. */
struct front *front_new(struct event_base *base, SSL_CTX *ssl,
	size_t max_conns);
/* After evhttp_free(). Connections libevent frees later (deferred
 * callbacks, up to event_base_free()) keep it until the last goes. */
struct front *front_free(struct front *f);
/* evhttp_set_bevcb() callback (arg: the front). */
struct bufferevent *front_bevcb(struct event_base *base, void *arg);
/* Takes over accept() errors of l (the listener evhttp serves). */
void front_watch_listener(struct front *f, struct evconnlistener *l);
/* If req is the stand-in for a refused request, its status (4xx) and
 * *ret_why (valid while req lives); 0 for a real request. */
int front_refusal(const struct front *f, struct evhttp_request *req,
	const char **ret_why);
/* The largest number of connections, from the fd limit and the number
 * of loops sharing it. */
size_t front_max_conns(int n_loops);

#endif
