/* svopi-trustd: state of the server process. One role per file:
 * server.c (TLS, HTTP plumbing, routing), api.c (machine API and long
 * polls), web.c (HTML pages and sessions), main.c (startup, threads).
 *
 * The server runs one event loop per thread (config key threads); each
 * loop is a struct trustd with its own event base, evhttp on the shared
 * listening socket, sqlite connection and long polls. cfg, ssl, auth and
 * web are shared (auth and web lock inside). */
#ifndef TRUSTD_TRUSTD_H
#define TRUSTD_TRUSTD_H

#include <pthread.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <json-c/json.h>
#include <openssl/ssl.h>

#include "auth.h"
#include "config.h"
#include "form.h"
#include "login.h"
#include "store.h"

_Static_assert(LOGIN_MAX == STORE_LOGIN_MAX, "one login limit");

/* Longest PEM certificate accepted. */
#define TRUSTD_PEM_MAX FORM_VALUE_MAX
/* Longest long poll (SPEC §3). */
#define TRUSTD_WAIT_MAX 60

struct waiter;
struct web;

/* A change to pass to the other loops' long polls. */
struct wake_msg {
	int64_t uid_a, uid_b;
};

struct trustd {
	/* shared */
	struct trustd_config *cfg;
	SSL_CTX *ssl;
	struct auth *auth;
	struct web *web;
	struct trustd **loops;
	int n_loops;
	/* this loop's own */
	int index;
	struct event_base *base;
	struct evhttp *http;
	struct store *store;
	struct waiter *waiters;
	long n_waiters;
	unsigned long requests;
	pthread_t thread;
	struct event *wake_ev;
	pthread_mutex_t wake_lock;
	struct wake_msg *wake_q;
	size_t wake_n, wake_cap;
	int wake_all;	/* queue overflowed: look at every waiter */
};

int64_t trustd_now(void);

/* server.c */
SSL_CTX *server_tls_new(const struct trustd_config *c);
/* Starts the loop's HTTP server on its own listening socket
 * (SO_REUSEPORT, so that all loops share the address). */
int server_start(struct trustd *td);
void server_stop(struct trustd *td);
void server_global_free(void);
void reply_json(struct evhttp_request *req, int code, struct json_object *o);
void reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The client's address as text (static buffer of the connection). */
const char *request_addr(struct evhttp_request *req);
/* Reads a form body. On failure replies (JSON when json, else text) and
 * returns a negative errno. */
int request_form(struct evhttp_request *req, int json, struct form **ret);
void set_security_headers(struct evhttp_request *req);
/* The SHA-256 fingerprint (hex) of the first PEM certificate in pem and,
 * if ret_der, its DER (free with OPENSSL_free). With parse, the DER must
 * also be exactly one X.509 certificate. -EBADMSG, -E2BIG. */
int cert_from_pem(const char *pem, int parse, char fp[STORE_FP_LEN + 1],
	uint8_t **ret_der, size_t *ret_der_len);

/* api.c */
void api_handle(struct trustd *td, struct evhttp_request *req,
	const char *path);
/* Something changed for the pair (or for every pair of uid_a when uid_b
 * is 0): answer the long polls that see a difference. */
void api_wake(struct trustd *td, int64_t uid_a, int64_t uid_b);
/* Sets up the loop's wake-up event for changes made by other loops. */
int api_loop_init(struct trustd *td);
void api_stop(struct trustd *td);

/* web.c */
struct web *web_new(struct trustd *td);
struct web *web_free(struct web *w);
void web_handle(struct trustd *td, struct evhttp_request *req,
	const char *path);

#endif
