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
 * Callbacks run on the event loop, never inside the call that started the
 * request. Nothing here logs; passwords are cleansed from our buffers when
 * a request ends (libevent's own output buffers are freed, not cleansed).
 */
#ifndef SVOPI_TRUST_CLIENT_H
#define SVOPI_TRUST_CLIENT_H

#include <stdint.h>

struct event_base;
struct evdns_base;
struct trust_client;
struct trust_client_request;

/* Largest answer body we read. trustd's answers are a few hundred bytes;
 * anything bigger is not trustd. */
#define TRUST_CLIENT_BODY_MAX (16 * 1024)
/* Largest answer header block. */
#define TRUST_CLIENT_HEADERS_MAX (8 * 1024)
/* Largest request field we send (a PEM certificate of RSA 4096 is ~2 KiB). */
#define TRUST_CLIENT_FIELD_MAX (16 * 1024)
/* JSON nesting we accept: the answers are flat objects. */
#define TRUST_CLIENT_JSON_DEPTH 4
/* Connections (and so requests in flight) at once. */
#define TRUST_CLIENT_CONNS_MAX 4
/* Of those, long polls (status with a wait) at most: one connection is
 * always left for validations. */
#define TRUST_CLIENT_LONG_POLLS_MAX (TRUST_CLIENT_CONNS_MAX - 1)
/* Requests waiting for a connection; more is -EAGAIN at submit. */
#define TRUST_CLIENT_QUEUE_MAX 64
/* Longest status long poll the server honours (SPEC §3). */
#define TRUST_CLIENT_WAIT_MAX 60
/* Retries after connection errors, whatever the configuration asks. */
#define TRUST_CLIENT_RETRIES_MAX 10
/* Server error messages kept in the reply, bytes. */
#define TRUST_CLIENT_ERROR_MAX 200

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

enum trust_client_kind {
	TRUST_CLIENT_ENROLL,
	TRUST_CLIENT_VALIDATE,
	TRUST_CLIENT_REDEEM,
	TRUST_CLIENT_STATUS,
};

/* Values of the answer fields; _UNSET when the answer did not carry one. */
enum trust_client_certificate {
	TRUST_CLIENT_CERT_UNSET,
	TRUST_CLIENT_CERT_MATCH,
	TRUST_CLIENT_CERT_MISMATCH,
	TRUST_CLIENT_CERT_UNKNOWN_USER,
	TRUST_CLIENT_CERT_NOT_ENROLLED,
};

enum trust_client_relationship {
	TRUST_CLIENT_REL_UNSET,
	TRUST_CLIENT_REL_TRUSTED,
	TRUST_CLIENT_REL_PENDING,
	TRUST_CLIENT_REL_NONE,
};

enum trust_client_role {
	TRUST_CLIENT_ROLE_UNSET,
	TRUST_CLIENT_ROLE_ISSUER,
	TRUST_CLIENT_ROLE_REDEEMER,
};

enum trust_client_redeem {
	TRUST_CLIENT_REDEEM_UNSET,
	TRUST_CLIENT_REDEEM_TRUSTED,
	TRUST_CLIENT_REDEEM_WRONG_CODE,
	TRUST_CLIENT_REDEEM_EXPIRED,
	TRUST_CLIENT_REDEEM_LOCKED,
	TRUST_CLIENT_REDEEM_NO_PENDING,
};

/* What a request came back with. error is 0 or one of:
 *   -EACCES        401: wrong login or password
 *   -EAGAIN        429: too many failed logins, try later
 *   -EINVAL        other 4xx: the server refused the request
 *   -EREMOTEIO     5xx
 *   -EBADMSG       the answer is not the JSON we expect
 *   -E2BIG         the answer is over TRUST_CLIENT_BODY_MAX
 *   -EKEYREJECTED  the server's certificate failed verification (CA or
 *                  name); never retried
 *   -EPROTO        TLS failed otherwise (e.g. not a TLS server)
 *   -ECONNREFUSED  no connection (refused, unreachable, name unknown)
 *   -ETIMEDOUT     no answer within the attempt's deadline
 *   -ECONNRESET    the connection broke after the handshake
 *   -ENOMEM
 * http_status is the HTTP code, 0 without an answer; message is the
 * server's "error" text for a 4xx/5xx (printable ASCII, may be empty).
 * Fields not in the answer stay _UNSET / empty / 0 / -1. */
struct trust_client_reply {
	enum trust_client_kind kind;
	int error;
	int http_status;
	unsigned attempts;	/* attempts made, 1 + retries used */
	char message[TRUST_CLIENT_ERROR_MAX + 1];

	char fingerprint[65];	/* enroll: ours; validate: of the cert
				 * sent (64 lower-case hex digits) */
	enum trust_client_certificate certificate;	/* validate */
	enum trust_client_relationship relationship;	/* validate, status */
	char vuc[10];		/* validate, "1234-5678" when issued to us */
	int64_t vuc_expires;	/* validate, 0 if none */
	enum trust_client_role role;	/* validate */
	enum trust_client_redeem result;	/* redeem */
	int attempts_left;	/* redeem, -1 if absent */
};

/* The reply is valid during the call only. */
typedef void (*trust_client_cb)(const struct trust_client_reply *reply,
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
			unsigned wait, enum trust_client_relationship known,
			trust_client_cb cb, void *userdata,
			struct trust_client_request **ret_request);

/* Ends a request whose callback has not run yet; its callback never runs.
 * NULL-safe. */
void trust_client_cancel(struct trust_client_request *r);

/* Parses a 200 answer body of the given kind; fills all of *ret on success
 * (error 0, http_status 0). Exposed for the driver's parser tests. Returns
 * 0, -EBADMSG (not JSON, not an object, a required field missing, a value
 * we do not know), -E2BIG over TRUST_CLIENT_BODY_MAX. */
int trust_client_parse_reply(enum trust_client_kind kind, const char *body,
			     size_t len, struct trust_client_reply *ret);

/* Appends "name=value" (with a leading '&' unless out is empty) to out,
 * percent-encoding every byte of value but ALPHA DIGIT - . _ ~ (name is
 * ours, sent as is). Returns 0, -E2BIG past TRUST_CLIENT_FIELD_MAX or the
 * buf's limit, -ENOMEM. */
struct buf;
int trust_client_form_add(struct buf *out, const char *name,
			  const char *value);

const char *trust_client_state_to_string(enum trust_client_state s);
const char *trust_client_kind_to_string(enum trust_client_kind k);
const char *trust_client_certificate_to_string(enum trust_client_certificate v);
const char *trust_client_relationship_to_string(enum trust_client_relationship v);
const char *trust_client_role_to_string(enum trust_client_role v);
const char *trust_client_redeem_to_string(enum trust_client_redeem v);
/* A sentence for reply->error, for logs and D-Bus errors. */
const char *trust_client_strerror(int error);

#endif
