/* The trust-server client of svopid (SPEC §3): HTTPS form posts to
 * svopi-trustd over libevent's evhttp with OpenSSL bufferevents, JSON
 * answers parsed with json-c under named limits.
 *
 * - The server certificate is verified against cfg.ca_file or the system
 *   store, and its name (DNS or IP address) against the server URL.
 * - Connections are kept alive and reused; a long poll holds a connection
 *   of its own, so at most TRUST_CLIENT_CONNS_MAX requests run at once and
 *   the rest wait in order, except that long polls never take the last
 *   connection (short requests overtake waiting long polls).
 * - Each attempt has a deadline. Connection failures are retried a bounded
 *   number of times with doubling backoff; an HTTP answer (4xx, 5xx) is
 *   never retried, nor is a redeem whose request may have reached the
 *   server (a code try must not be spent twice).
 * - The client is "reachable" after any HTTP answer and "unreachable" when
 *   a request gave up on the connection; a callback reports each change,
 *   right after the reply callback of the request that caused it.
 *
 * The messages are lib/trust-api's; this file is their transport.
 * Callbacks run on the event loop, never inside the call that started the
 * request. Nothing here logs; passwords are cleansed from our buffers when
 * a request ends (libevent's own output buffers are freed, not cleansed).
 */
#ifndef SVOPI_TRUST_CLIENT_H
#define SVOPI_TRUST_CLIENT_H

#include <stdint.h>

#include "trust-api.h"

struct event_base;
struct evdns_base;
struct trust_client;
struct trust_client_request;

/* Largest answer header block. */
#define TRUST_CLIENT_HEADERS_MAX (8 * 1024)
/* The message limits are the codec's (lib/trust-api.h). */
#define TRUST_CLIENT_BODY_MAX TRUST_API_BODY_MAX
#define TRUST_CLIENT_FIELD_MAX TRUST_API_FIELD_MAX
/* Connections (and so requests in flight) at once. */
#define TRUST_CLIENT_CONNS_MAX 4
/* Of those, long polls (status with a wait) at most: one connection is
 * always left for validations. */
#define TRUST_CLIENT_LONG_POLLS_MAX (TRUST_CLIENT_CONNS_MAX - 1)
/* Requests waiting for a connection; more is -EAGAIN at submit. */
#define TRUST_CLIENT_QUEUE_MAX 64
/* Places beyond it kept for the user's own requests (enroll, redeem),
 * which also go ahead of queued validations and polls: whatever peers
 * make the daemon ask, the user's requests never starve. */
#define TRUST_CLIENT_QUEUE_USER_RESERVE 16
/* Longest status long poll the server honours (SPEC §3). */
#define TRUST_CLIENT_WAIT_MAX TRUST_API_WAIT_MAX
/* Retries after connection errors, whatever the configuration asks. */
#define TRUST_CLIENT_RETRIES_MAX 10

struct trust_client_config {
	const char *server;	/* "https://host[:port]", no path */
	const char *ca_file;	/* PEM bundle; NULL: the system store */
	unsigned timeout_ms;	/* per attempt; 0: 10000. A long poll adds
				 * its wait on top. */
	unsigned retries;	/* extra attempts after a connection error,
				 * at most TRUST_CLIENT_RETRIES_MAX */
	unsigned backoff_ms;	/* first backoff, doubled each retry; 0: 250 */
	struct evdns_base *dns;	/* NULL: blocking getaddrinfo */
};

enum trust_client_state {
	TRUST_CLIENT_STATE_UNKNOWN,	/* nothing asked yet */
	TRUST_CLIENT_STATE_REACHABLE,
	TRUST_CLIENT_STATE_UNREACHABLE,
};

/* A request's answer: struct trust_api_reply (lib/trust-api.h), whose
 * error is 0, one of the codec's, or one of the transport's:
 *   -EKEYREJECTED  the server's certificate failed verification (CA or
 *                  name); never retried
 *   -EPROTO        TLS failed otherwise (e.g. not a TLS server)
 *   -ECONNREFUSED  no connection (refused, unreachable, name unknown)
 *   -ETIMEDOUT     no answer within the attempt's deadline
 *   -ECONNRESET    the connection broke after the handshake
 *   -E2BIG         an answer over TRUST_API_BODY_MAX or
 *                  TRUST_CLIENT_HEADERS_MAX
 *   -ENOMEM */
/* The reply is valid during the call only. */
typedef void (*trust_client_cb)(const struct trust_api_reply *reply,
				void *userdata);
typedef void (*trust_client_state_cb)(enum trust_client_state state,
				      void *userdata);

/* A client for cfg->server on base. Reads ca_file now (so a bad path is
 * an error at start, not at the first call). Returns 0, -EINVAL for a bad
 * URL, -ENOENT/-EBADMSG for an unreadable CA file, -ENOMEM. */
int trust_client_new(struct event_base *base,
		     const struct trust_client_config *cfg,
		     struct trust_client **ret_client);
/* Ends every request without calling its callback; NULL-safe, returns
 * NULL. Must not be called from a callback of this client. */
struct trust_client *trust_client_free(struct trust_client *c);

void trust_client_set_state_cb(struct trust_client *c,
			       trust_client_state_cb cb, void *userdata);
enum trust_client_state trust_client_get_state(const struct trust_client *c);
/* Why the server is unreachable (trust_client_strerror of the last failed
 * request), "" while it is not. */
const char *trust_client_unreachable_reason(const struct trust_client *c);
/* Connections opened so far (keep-alive reuse shows as fewer). */
unsigned long trust_client_connections_opened(const struct trust_client *c);

/* The requests of SPEC §3. Each returns 0 and later calls cb exactly once
 * (unless cancelled or the client is freed), or returns a negative errno
 * at once and never calls cb: -EINVAL for a missing or oversized field,
 * -EAGAIN when TRUST_CLIENT_QUEUE_MAX requests wait already, -ENOMEM.
 * ret_request (may be NULL) is a handle for trust_client_cancel, valid
 * until cb runs. Strings are copied. */
int trust_client_enroll(struct trust_client *c, const char *login,
			const char *password, const char *cert_pem,
			trust_client_cb cb, void *userdata,
			struct trust_client_request **ret_request);
int trust_client_validate(struct trust_client *c, const char *login,
			  const char *password, const char *peer,
			  const char *cert_pem, trust_client_cb cb,
			  void *userdata,
			  struct trust_client_request **ret_request);
int trust_client_redeem(struct trust_client *c, const char *login,
			const char *password, const char *peer,
			const char *vuc, trust_client_cb cb, void *userdata,
			struct trust_client_request **ret_request);
/* wait: long poll seconds, 0 for an immediate answer, at most
 * TRUST_CLIENT_WAIT_MAX. known: the relationship the caller last saw
 * (sent as "known", so that trustd answers at once if it changed in the
 * meantime instead of waiting for the next change); _UNSET sends none. */
int trust_client_status(struct trust_client *c, const char *login,
			const char *password, const char *peer,
			unsigned wait, enum trust_api_relationship known,
			trust_client_cb cb, void *userdata,
			struct trust_client_request **ret_request);

/* Ends a request whose callback has not run yet; its callback never runs.
 * NULL-safe. */
void trust_client_cancel(struct trust_client_request *r);

const char *trust_client_state_to_string(enum trust_client_state s);
/* A sentence for reply->error, for logs and D-Bus errors. */
const char *trust_client_strerror(int error);

#endif
