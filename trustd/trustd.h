/* svopi-trustd: shared state of the server process. One role per file:
 * server.c (TLS, HTTP plumbing, routing), api.c (machine API and long
 * polls), web.c (HTML pages and sessions), main.c (startup). */
#ifndef TRUSTD_TRUSTD_H
#define TRUSTD_TRUSTD_H

#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <json-c/json.h>
#include <openssl/ssl.h>

#include "auth.h"
#include "config.h"
#include "form.h"
#include "store.h"

/* Longest PEM certificate accepted. */
#define TRUSTD_PEM_MAX FORM_VALUE_MAX
/* Longest long poll (SPEC §3). */
#define TRUSTD_WAIT_MAX 60

struct waiter;
struct web;

struct trustd {
	struct trustd_config *cfg;
	struct event_base *base;
	struct evhttp *http;
	SSL_CTX *ssl;
	struct store *store;
	struct auth *auth;
	struct web *web;
	struct waiter *waiters;
	long n_waiters;
	unsigned long requests;
};

int64_t trustd_now(void);

/* server.c */
int server_start(struct trustd *td);
void server_stop(struct trustd *td);
void reply_json(struct evhttp_request *req, int code, struct json_object *o);
void reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The client's address as text (static buffer of the connection). */
const char *request_addr(struct evhttp_request *req);
/* Reads a form body. On failure replies (JSON when json, else text) and
 * returns a negative errno. */
int request_form(struct evhttp_request *req, int json, struct form **ret);
void set_security_headers(struct evhttp_request *req);
/* Checks that s is a plausible login (user@host, printable, bounded). */
int login_valid(const char *s);
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
void api_stop(struct trustd *td);

/* web.c */
struct web *web_new(struct trustd *td);
struct web *web_free(struct web *w);
void web_handle(struct trustd *td, struct evhttp_request *req,
	const char *path);

#endif
