/* The trust-server client: see trust-client.h.
 *
 * Life of a request: submit copies the form body into a cleansed buffer and
 * queues the request; the service event (never the submitting call) hands
 * it a connection. One request per connection at a time, so a 60 s long
 * poll never holds up a validation. An attempt ends in on_done (an answer or
 * a transport failure), or at its deadline, where we free the connection
 * ourselves. A connection that failed or was closed is never reconnected:
 * its SSL object is spent, so it goes to the dead list and the service
 * event frees it (never inside one of evhttp's callbacks).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "trust-api.h"
#include "trust-client.h"

#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_BACKOFF_MS 250
/* Cap on one backoff step, whatever the configured retries. */
#define BACKOFF_MAX_MS 30000
/* A whole request body: four fields of at most TRUST_CLIENT_FIELD_MAX,
 * each at worst tripled by percent-encoding. */
#define HOST_MAX 255

struct conn {
	struct trust_client *client;
	struct evhttp_connection *evcon;
	SSL *ssl;			/* owned by evcon's bufferevent */
	struct trust_client_request *req; /* in flight, or NULL: idle */
	bool dead;			/* closed: never reuse */
	bool used;			/* carried an answer: kept alive */
	bool buried;			/* on the dead list, not conns */
	/* Set from OpenSSL callbacks: evhttp resets the SSL object (SSL_clear)
	 * when an attempt fails, so it cannot be asked afterwards. */
	bool handshake_done;
	bool nodelay;			/* TCP_NODELAY set on the socket */
	long verify_error;		/* X509_V_OK or why the server's
					 * certificate was refused */
	TAILQ_ENTRY(conn) link;
};
TAILQ_HEAD(conn_list, conn);

enum req_state {
	REQ_QUEUED,
	REQ_RUNNING,
	REQ_BACKOFF,
};

struct trust_client_request {
	struct trust_client *client;
	enum trust_api_kind kind;
	enum req_state state;
	uint8_t *body;			/* form, holds the password */
	size_t body_len;
	unsigned wait;			/* status long poll, seconds */
	trust_client_cb cb;
	void *userdata;
	unsigned attempts;
	bool free_retry_used;		/* one retry for a stale keep-alive */
	struct conn *conn;		/* REQ_RUNNING */
	struct event *timer;		/* deadline or backoff */
	int evreq_error;		/* from on_error, -1 if none */
	TAILQ_ENTRY(trust_client_request) link;
};
TAILQ_HEAD(req_list, trust_client_request);

struct trust_client {
	struct event_base *base;
	struct evdns_base *dns;
	SSL_CTX *ctx;
	char host[HOST_MAX + 1];	/* to connect to, no brackets */
	char host_header[HOST_MAX + 16];
	bool host_is_ip;
	uint16_t port;
	unsigned timeout_ms;
	unsigned retries;
	unsigned backoff_ms;
	struct conn_list conns;		/* idle and busy */
	unsigned nconns;
	unsigned long opened;		/* connections ever made */
	struct conn_list dead;
	struct req_list queue;		/* waiting for a connection */
	unsigned nqueued;
	struct req_list active;		/* running or in backoff */
	struct event *service;
	enum trust_client_state state;
	int last_error;			/* why it became unreachable */
	trust_client_state_cb state_cb;
	void *state_userdata;
};

const char *
trust_client_state_to_string(enum trust_client_state s)
{
	switch (s) {
	case TRUST_CLIENT_STATE_UNKNOWN:
		return "unknown";
	case TRUST_CLIENT_STATE_REACHABLE:
		return "reachable";
	case TRUST_CLIENT_STATE_UNREACHABLE:
		return "unreachable";
	}
	return NULL;
}

const char *
trust_client_strerror(int error)
{
	switch (error) {
	case 0:
		return "ok";
	case -EACCES:
		return "wrong login or password";
	case -EAGAIN:
		return "too many failed logins, try again later";
	case -EINVAL:
		return "the trust server refused the request";
	case -EREMOTEIO:
		return "the trust server failed (5xx)";
	case -EBADMSG:
		return "the trust server's answer is malformed";
	case -E2BIG:
		return "the trust server's answer is too large";
	case -EKEYREJECTED:
		return "the trust server's certificate failed verification";
	case -EPROTO:
		return "TLS with the trust server failed";
	case -ECONNREFUSED:
		return "the trust server refused the connection";
	case -ETIMEDOUT:
		return "the trust server did not answer in time";
	case -ECONNRESET:
		return "the connection to the trust server broke";
	case -EHOSTUNREACH:
		return "the trust server cannot be reached";
	case -ECANCELED:
		return "cancelled";
	case -ENOMEM:
		return "out of memory";
	}
	return "trust server request failed";
}

/* --- state ------------------------------------------------------------ */

static void
set_state(struct trust_client *c, enum trust_client_state s)
{
	if (c->state == s)
		return;
	c->state = s;
	if (c->state_cb)
		c->state_cb(s, c->state_userdata);
}

const char *
trust_client_unreachable_reason(const struct trust_client *c)
{
	if (c->state != TRUST_CLIENT_STATE_UNREACHABLE)
		return "";
	return trust_client_strerror(c->last_error);
}

void
trust_client_set_state_cb(struct trust_client *c, trust_client_state_cb cb,
			  void *userdata)
{
	c->state_cb = cb;
	c->state_userdata = userdata;
}

enum trust_client_state
trust_client_get_state(const struct trust_client *c)
{
	return c->state;
}

unsigned long
trust_client_connections_opened(const struct trust_client *c)
{
	return c->opened;
}

/* --- connections ------------------------------------------------------ */

static void
kick(struct trust_client *c)
{
	event_active(c->service, EV_TIMEOUT, 0);
}

/* evhttp tells us the connection closed (peer closed an idle keep-alive
 * connection, a failure, or our own free). Only mark it: we may be deep
 * inside evhttp. */
static void
on_close(struct evhttp_connection *evcon, void *arg)
{
	struct conn *conn = arg;

	conn->dead = true;
}

/* Moves conn to the dead list unless it already is there. */
static void
conn_bury(struct conn *conn)
{
	struct trust_client *c = conn->client;

	conn->dead = true;
	conn->req = NULL;
	if (!conn->buried) {
		TAILQ_REMOVE(&c->conns, conn, link);
		c->nconns--;
		TAILQ_INSERT_TAIL(&c->dead, conn, link);
		conn->buried = true;
		kick(c);
	}
}

/* Frees conn now: only from the service event, a timer, cancel or free,
 * never from an evhttp callback of this connection. */
static void
conn_free(struct conn *conn)
{
	struct trust_client *c = conn->client;

	if (conn->buried) {
		TAILQ_REMOVE(&c->dead, conn, link);
	} else {
		TAILQ_REMOVE(&c->conns, conn, link);
		c->nconns--;
	}
	/* The close callback may run from here; it only sets dead. The
	 * SSL object may outlive us a little (deferred bufferevent free). */
	SSL_set_app_data(conn->ssl, NULL);
	evhttp_connection_free(conn->evcon);
	free(conn);
}

static int
on_verify(int ok, X509_STORE_CTX *st)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(st,
			SSL_get_ex_data_X509_STORE_CTX_idx());
	struct conn *conn = ssl ? SSL_get_app_data(ssl) : NULL;

	if (!ok && conn && conn->verify_error == X509_V_OK)
		conn->verify_error = X509_STORE_CTX_get_error(st);
	return ok;
}

static void
on_ssl_info(const SSL *ssl, int where, int ret)
{
	struct conn *conn = SSL_get_app_data(ssl);
	int one = 1, fd;

	if (!conn)
		return;
	if ((where & SSL_CB_HANDSHAKE_START) && !conn->nodelay) {
		/* evhttp writes headers and body as separate TLS records;
		 * with Nagle the second waits for the server's delayed ACK
		 * (~40 ms a request). The socket exists only once libevent
		 * connects it, so this is the first place we see it. */
		fd = SSL_get_fd(ssl);
		if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
					  sizeof(one)) == 0)
			conn->nodelay = true;
	}
	if (where & SSL_CB_HANDSHAKE_DONE)
		conn->handshake_done = true;
}

static struct conn *
conn_new(struct trust_client *c)
{
	struct bufferevent *bev;
	struct conn *conn;
	SSL *ssl;

	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return NULL;
	conn->client = c;
	ssl = SSL_new(c->ctx);
	if (!ssl)
		goto fail;
	if (c->host_is_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
						  c->host) != 1)
			goto fail_ssl;
	} else {
		if (SSL_set_tlsext_host_name(ssl, c->host) != 1 ||
		    SSL_set1_host(ssl, c->host) != 1)
			goto fail_ssl;
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	}
	SSL_set_verify(ssl, SSL_VERIFY_PEER, on_verify);
	SSL_set_info_callback(ssl, on_ssl_info);
	SSL_set_app_data(ssl, conn);
	conn->verify_error = X509_V_OK;
	bev = bufferevent_openssl_socket_new(c->base, -1, ssl,
			BUFFEREVENT_SSL_CONNECTING,
			BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!bev)
		goto fail;	/* with CLOSE_ON_FREE, libevent freed ssl */
	/* The SSL belongs to bev from here (BEV_OPT_CLOSE_ON_FREE). */
	conn->ssl = ssl;
	/* Servers close keep-alive connections without close_notify. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	conn->evcon = evhttp_connection_base_bufferevent_new(c->base, c->dns,
			bev, c->host, c->port);
	if (!conn->evcon) {
		bufferevent_free(bev);
		goto fail;
	}
	evhttp_connection_set_retries(conn->evcon, 0);
	evhttp_connection_set_max_body_size(conn->evcon,
					    TRUST_CLIENT_BODY_MAX);
	evhttp_connection_set_max_headers_size(conn->evcon,
					       TRUST_CLIENT_HEADERS_MAX);
	evhttp_connection_set_closecb(conn->evcon, on_close, conn);
	TAILQ_INSERT_TAIL(&c->conns, conn, link);
	c->nconns++;
	c->opened++;
	return conn;
fail_ssl:
	SSL_free(ssl);
fail:
	free(conn);
	return NULL;
}

/* --- requests --------------------------------------------------------- */

static void
req_free(struct trust_client_request *r)
{
	if (!r)
		return;
	if (r->timer)
		event_free(r->timer);
	if (r->body) {
		OPENSSL_cleanse(r->body, r->body_len);
		free(r->body);
	}
	free(r);
}

/* Removes r from the client's lists. */
static void
req_unlink(struct trust_client_request *r)
{
	struct trust_client *c = r->client;

	if (r->state == REQ_QUEUED) {
		TAILQ_REMOVE(&c->queue, r, link);
		c->nqueued--;
	} else {
		TAILQ_REMOVE(&c->active, r, link);
	}
	evtimer_del(r->timer);
}

/* Ends r with rep and calls its callback; r is freed afterwards. */
static void
req_finish(struct trust_client_request *r, struct trust_api_reply *rep)
{
	trust_client_cb cb = r->cb;
	void *userdata = r->userdata;

	req_unlink(r);
	rep->kind = r->kind;
	rep->attempts = r->attempts;
	req_free(r);
	cb(rep, userdata);
}

static void
req_fail(struct trust_client_request *r, int error, int http_status)
{
	struct trust_api_reply rep;

	trust_api_reply_init(r->kind, &rep);
	rep.error = error;
	rep.http_status = http_status;
	req_finish(r, &rep);
}

static void on_timer(evutil_socket_t fd, short what, void *arg);

/* An attempt failed without an HTTP answer. Retries if allowed, else ends
 * the request and marks the server unreachable (unless the failure says
 * the server did answer, e.g. an oversized answer). */
static void
attempt_failed(struct trust_client_request *r, int error, bool retriable,
	       bool reused_conn, bool server_answered)
{
	struct trust_client *c = r->client;
	struct timeval tv = { 0, 0 };
	unsigned delay;

	if (retriable && reused_conn && !r->free_retry_used) {
		/* The server closed an idle keep-alive connection while we
		 * sent: normal, retry at once on a fresh one. */
		r->free_retry_used = true;
		r->attempts--;
		delay = 0;
	} else if (retriable && r->attempts <= c->retries) {
		delay = c->backoff_ms;
		for (unsigned i = 1; i < r->attempts && delay < BACKOFF_MAX_MS;
		     i++)
			delay *= 2;
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
	} else {
		/* Reply first, state after: r is gone once its callback
		 * ran, so nothing can cancel it under our feet. */
		req_fail(r, error, 0);
		if (!server_answered)
			c->last_error = error;
		set_state(c, server_answered ? TRUST_CLIENT_STATE_REACHABLE :
			  TRUST_CLIENT_STATE_UNREACHABLE);
		return;
	}
	r->state = REQ_BACKOFF;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(r->timer, &tv);
}

/* Detaches r from its connection after the attempt ended. */
static struct conn *
req_detach(struct trust_client_request *r)
{
	struct conn *conn = r->conn;

	r->conn = NULL;
	evtimer_del(r->timer);
	if (conn)
		conn->req = NULL;
	return conn;
}

static void
on_error(enum evhttp_request_error err, void *arg)
{
	struct trust_client_request *r = arg;

	r->evreq_error = (int)err;
}

static void
on_done(struct evhttp_request *hreq, void *arg)
{
	struct trust_client_request *r = arg;
	struct trust_client *c = r->client;
	struct trust_api_reply rep;
	struct conn *conn;
	struct evbuffer *in;
	bool handshake_done, reused;
	unsigned long tls_error = 0;
	long verify;
	char *body;
	size_t len;
	int code = hreq ? evhttp_request_get_response_code(hreq) : 0;
	int error;

	conn = req_detach(r);
	handshake_done = conn && conn->handshake_done;
	verify = conn ? conn->verify_error : X509_V_OK;
	reused = conn && conn->used;
	if (conn && code <= 0)
		tls_error = bufferevent_get_openssl_error(
			evhttp_connection_get_bufferevent(conn->evcon));

	if (code <= 0) {
		if (conn)
			conn_bury(conn);
		if (verify != X509_V_OK) {
			attempt_failed(r, -EKEYREJECTED, false, false, false);
			return;
		}
		switch (r->evreq_error) {
		case EVREQ_HTTP_DATA_TOO_LONG:
			attempt_failed(r, -E2BIG, false, false, true);
			return;
		case EVREQ_HTTP_INVALID_HEADER:
			attempt_failed(r, -EBADMSG, false, false, true);
			return;
		case EVREQ_HTTP_TIMEOUT:
			error = -ETIMEDOUT;
			break;
		default:
			/* The socket error is gone by now (evhttp closed the
			 * fd); what is left is whether TLS got anywhere.
			 * libevent keeps either OpenSSL's error codes or, for
			 * plain I/O failures, SSL_get_error's small values. */
			if (handshake_done)
				error = -ECONNRESET;
			else if (ERR_GET_LIB(tls_error) != 0 &&
				 ERR_GET_LIB(tls_error) != ERR_LIB_SYS)
				error = -EPROTO;
			else
				error = -ECONNREFUSED;
			break;
		}
		ERR_clear_error();
		/* A redeem that may have reached the server is not sent
		 * again: the second try could spend another code attempt. */
		attempt_failed(r, error,
			       r->kind != TRUST_API_REDEEM || !handshake_done,
			       reused && r->kind != TRUST_API_REDEEM, false);
		return;
	}

	/* An HTTP answer: the server is there, whatever it says. The
	 * connection is idle now (or buried): let the queue move. */
	if (conn) {
		conn->used = true;
		if (conn->dead)
			conn_bury(conn);
	}
	kick(c);
	in = evhttp_request_get_input_buffer(hreq);
	len = evbuffer_get_length(in);
	body = len > TRUST_API_BODY_MAX ? NULL :
		(char *)evbuffer_pullup(in, (ev_ssize_t)len);
	trust_api_parse_reply(r->kind, code, body, len, &rep);
	req_finish(r, &rep);
	set_state(c, TRUST_CLIENT_STATE_REACHABLE);
}

/* Starts an attempt of r on conn. Callbacks of r may already have run
 * when this returns (evhttp fails some connects synchronously). */
static void
req_start(struct trust_client_request *r, struct conn *conn)
{
	struct trust_client *c = r->client;
	struct evhttp_request *hreq;
	struct evkeyvalq *h;
	struct timeval tv;
	unsigned ms = c->timeout_ms;
	bool reused = conn->used;

	TAILQ_REMOVE(&c->queue, r, link);
	c->nqueued--;
	TAILQ_INSERT_TAIL(&c->active, r, link);
	r->state = REQ_RUNNING;
	r->attempts++;
	r->evreq_error = -1;
	r->conn = conn;
	conn->req = r;

	hreq = evhttp_request_new(on_done, r);
	if (!hreq) {
		req_detach(r);
		req_fail(r, -ENOMEM, 0);
		return;
	}
	evhttp_request_set_error_cb(hreq, on_error);
	h = evhttp_request_get_output_headers(hreq);
	if (evhttp_add_header(h, "Host", c->host_header) < 0 ||
	    evhttp_add_header(h, "Content-Type",
			      "application/x-www-form-urlencoded") < 0 ||
	    evhttp_add_header(h, "Accept", "application/json") < 0 ||
	    evbuffer_add(evhttp_request_get_output_buffer(hreq), r->body,
			 r->body_len) < 0) {
		evhttp_request_free(hreq);
		req_detach(r);
		req_fail(r, -ENOMEM, 0);
		return;
	}
	if (r->kind == TRUST_API_STATUS)
		ms += r->wait * 1000;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evhttp_connection_set_timeout_tv(conn->evcon, &tv);
	/* Our own deadline covers the whole attempt (evhttp's timeout only
	 * sees inactivity); a little later so that evhttp's fires first
	 * where it can. */
	tv.tv_sec += 1;
	evtimer_add(r->timer, &tv);
	if (evhttp_make_request(conn->evcon, hreq, EVHTTP_REQ_POST,
				trust_api_path(r->kind)) < 0) {
		/* Only local failures before any connect (bind, setfd,
		 * strdup) return -1, and then no callback has run, so r is
		 * still ours. evhttp unlinked hreq, and freed it in one of
		 * those paths: we leave it rather than risk a double free.
		 * (A connect that fails at once runs on_done and returns
		 * 0: r may be gone then, so it is not touched here.) */
		req_detach(r);
		conn_bury(conn);
		attempt_failed(r, -ECONNREFUSED, true, reused, false);
	}
}

/* The attempt's deadline passed, or its backoff ended. */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct trust_client_request *r = arg;
	struct trust_client *c = r->client;
	struct conn *conn;
	bool handshake_done;

	if (r->state == REQ_BACKOFF) {
		TAILQ_REMOVE(&c->active, r, link);
		TAILQ_INSERT_HEAD(&c->queue, r, link);
		c->nqueued++;
		r->state = REQ_QUEUED;
		kick(c);
		return;
	}
	conn = req_detach(r);
	handshake_done = conn && conn->handshake_done;
	if (conn)
		conn_free(conn);
	/* A stale keep-alive connection fails fast, not by timeout: no
	 * free retry here. */
	attempt_failed(r, -ETIMEDOUT,
		       r->kind != TRUST_API_REDEEM || !handshake_done,
		       false, false);
}

static bool
is_long_poll(const struct trust_client_request *r)
{
	return r->kind == TRUST_API_STATUS && r->wait > 0;
}

/* The first queued request that may start now. Long polls may hold at most
 * TRUST_CLIENT_LONG_POLLS_MAX connections, so that a validation never
 * waits a minute behind them; other requests overtake queued long polls
 * then, and keep their order among themselves. */
static struct trust_client_request *
next_startable(struct trust_client *c)
{
	struct trust_client_request *r;
	unsigned polls = 0;

	TAILQ_FOREACH(r, &c->active, link)
		if (r->state == REQ_RUNNING && is_long_poll(r))
			polls++;
	TAILQ_FOREACH(r, &c->queue, link)
		if (polls < TRUST_CLIENT_LONG_POLLS_MAX || !is_long_poll(r))
			return r;
	return NULL;
}

/* Hands queued requests to connections, frees dead connections. */
static void
on_service(evutil_socket_t fd, short what, void *arg)
{
	struct trust_client *c = arg;
	struct trust_client_request *r;
	struct conn *conn, *tmp;

	while ((conn = TAILQ_FIRST(&c->dead)))
		conn_free(conn);
	/* Idle connections closed by the server. */
	for (conn = TAILQ_FIRST(&c->conns); conn; conn = tmp) {
		tmp = TAILQ_NEXT(conn, link);
		if (!conn->req && conn->dead)
			conn_free(conn);
	}

	while ((r = next_startable(c))) {
		struct conn *idle = NULL;

		TAILQ_FOREACH(conn, &c->conns, link)
			if (!conn->req && !conn->dead) {
				idle = conn;
				break;
			}
		/* A redeem gets a fresh connection: then any failure
		 * before the handshake is known not to have reached the
		 * server, and any after it is not retried. */
		if (idle && r->kind == TRUST_API_REDEEM) {
			conn_free(idle);
			idle = NULL;
		}
		if (!idle) {
			if (c->nconns >= TRUST_CLIENT_CONNS_MAX)
				break;
			idle = conn_new(c);
			if (!idle) {
				TAILQ_REMOVE(&c->queue, r, link);
				c->nqueued--;
				TAILQ_INSERT_TAIL(&c->active, r, link);
				r->state = REQ_RUNNING;
				req_fail(r, -ENOMEM, 0);
				continue;
			}
		}
		req_start(r, idle);
	}
}

/* The user's own requests: enrolment and redeeming a code. */
static bool
is_user_kind(enum trust_api_kind kind)
{
	return kind == TRUST_API_ENROLL || kind == TRUST_API_REDEEM;
}

/* The user's requests go after the user's requests already queued and
 * before everything else; the rest keep their order. */
static void
queue_insert(struct trust_client *c, struct trust_client_request *r)
{
	struct trust_client_request *q;

	if (is_user_kind(r->kind)) {
		TAILQ_FOREACH(q, &c->queue, link)
			if (!is_user_kind(q->kind)) {
				TAILQ_INSERT_BEFORE(q, r, link);
				c->nqueued++;
				return;
			}
	}
	TAILQ_INSERT_TAIL(&c->queue, r, link);
	c->nqueued++;
}

static int
submit(struct trust_client *c, const struct trust_api_request *rq,
       trust_client_cb cb, void *userdata,
       struct trust_client_request **ret_request)
{
	struct trust_client_request *r;
	struct buf b;
	int err;

	if (!c || !cb)
		return -EINVAL;
	buf_init(&b, TRUST_API_REQUEST_MAX);
	err = trust_api_request_encode(rq, &b);
	if (err == 0 && c->nqueued >= TRUST_CLIENT_QUEUE_MAX +
	    (is_user_kind(rq->kind) ? TRUST_CLIENT_QUEUE_USER_RESERVE : 0))
		err = -EAGAIN;
	r = err == 0 ? calloc(1, sizeof(*r)) : NULL;
	if (err == 0 && !r)
		err = -ENOMEM;
	if (err == 0)
		err = buf_steal(&b, &r->body, &r->body_len);
	else
		buf_release(&b);
	if (err == 0) {
		r->timer = evtimer_new(c->base, on_timer, r);
		if (!r->timer)
			err = -ENOMEM;
	}
	if (err < 0) {
		req_free(r);
		return err == -E2BIG ? -EINVAL : err;
	}
	r->client = c;
	r->kind = rq->kind;
	r->wait = rq->kind == TRUST_API_STATUS ? rq->wait : 0;
	r->cb = cb;
	r->userdata = userdata;
	r->state = REQ_QUEUED;
	queue_insert(c, r);
	kick(c);
	if (ret_request)
		*ret_request = r;
	return 0;
}

int
trust_client_enroll(struct trust_client *c, const char *login,
		    const char *password, const char *cert_pem,
		    trust_client_cb cb, void *userdata,
		    struct trust_client_request **ret_request)
{
	struct trust_api_request rq = {
		.kind = TRUST_API_ENROLL, .login = login,
		.password = password, .cert_pem = cert_pem,
	};

	return submit(c, &rq, cb, userdata, ret_request);
}

int
trust_client_validate(struct trust_client *c, const char *login,
		      const char *password, const char *peer,
		      const char *cert_pem, trust_client_cb cb, void *userdata,
		      struct trust_client_request **ret_request)
{
	struct trust_api_request rq = {
		.kind = TRUST_API_VALIDATE, .login = login,
		.password = password, .peer = peer, .cert_pem = cert_pem,
	};

	return submit(c, &rq, cb, userdata, ret_request);
}

int
trust_client_redeem(struct trust_client *c, const char *login,
		    const char *password, const char *peer, const char *vuc,
		    trust_client_cb cb, void *userdata,
		    struct trust_client_request **ret_request)
{
	struct trust_api_request rq = {
		.kind = TRUST_API_REDEEM, .login = login,
		.password = password, .peer = peer, .vuc = vuc,
	};

	return submit(c, &rq, cb, userdata, ret_request);
}

int
trust_client_status(struct trust_client *c, const char *login,
		    const char *password, const char *peer, unsigned wait,
		    enum trust_api_relationship known, trust_client_cb cb,
		    void *userdata, struct trust_client_request **ret_request)
{
	struct trust_api_request rq = {
		.kind = TRUST_API_STATUS, .login = login,
		.password = password, .peer = peer, .wait = wait,
		.known = known,
	};

	return submit(c, &rq, cb, userdata, ret_request);
}

void
trust_client_cancel(struct trust_client_request *r)
{
	struct conn *conn;

	if (!r)
		return;
	conn = req_detach(r);
	if (conn)
		conn_free(conn);
	req_unlink(r);
	req_free(r);
}

/* --- client ----------------------------------------------------------- */

static int
parse_server(struct trust_client *c, const char *server)
{
	struct evhttp_uri *u;
	const char *host, *path;
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;
	int port, r = -EINVAL;

	if (!server)
		return -EINVAL;
	u = evhttp_uri_parse_with_flags(server, 0);
	if (!u)
		return -EINVAL;
	host = evhttp_uri_get_host(u);
	path = evhttp_uri_get_path(u);
	port = evhttp_uri_get_port(u);
	if (!evhttp_uri_get_scheme(u) ||
	    strcmp(evhttp_uri_get_scheme(u), "https") != 0 ||
	    !host || !*host || evhttp_uri_get_userinfo(u) ||
	    evhttp_uri_get_query(u) || evhttp_uri_get_fragment(u) ||
	    (path && *path && strcmp(path, "/") != 0) || port == 0 ||
	    port > 65535)
		goto out;
	n = strlen(host);
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']' || n - 2 > HOST_MAX)
			goto out;
		memcpy(c->host, host + 1, n - 2);
		c->host[n - 2] = '\0';
		if (inet_pton(AF_INET6, c->host, &a6) != 1)
			goto out;
		c->host_is_ip = true;
	} else {
		if (n > HOST_MAX)
			goto out;
		memcpy(c->host, host, n + 1);
		c->host_is_ip = inet_pton(AF_INET, c->host, &a4) == 1;
	}
	c->port = port < 0 ? 443 : (uint16_t)port;
	if (port < 0)
		snprintf(c->host_header, sizeof(c->host_header), "%s", host);
	else
		snprintf(c->host_header, sizeof(c->host_header), "%s:%d",
			 host, port);
	r = 0;
out:
	evhttp_uri_free(u);
	return r;
}

static int
make_ctx(struct trust_client *c, const char *ca_file)
{
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (!c->ctx)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	/* libevent 2.1 predates OpenSSL 3's strict EOF: an idle
	 * keep-alive connection closed without close_notify must be a
	 * plain close, not an error. */
	SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
			    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (ca_file) {
		FILE *f = fopen(ca_file, "r");

		if (!f)
			return errno == ENOENT ? -ENOENT : -errno;
		fclose(f);
		if (SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL) != 1) {
			ERR_clear_error();
			return -EBADMSG;
		}
	} else if (SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int
trust_client_new(struct event_base *base,
		 const struct trust_client_config *cfg,
		 struct trust_client **ret_client)
{
	struct trust_client *c;
	int r;

	if (!base || !cfg || !ret_client)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->base = base;
	c->dns = cfg->dns;
	c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->backoff_ms = cfg->backoff_ms ? cfg->backoff_ms : DEFAULT_BACKOFF_MS;
	c->retries = cfg->retries < TRUST_CLIENT_RETRIES_MAX ?
		     cfg->retries : TRUST_CLIENT_RETRIES_MAX;
	TAILQ_INIT(&c->conns);
	TAILQ_INIT(&c->dead);
	TAILQ_INIT(&c->queue);
	TAILQ_INIT(&c->active);
	r = parse_server(c, cfg->server);
	if (r >= 0)
		r = make_ctx(c, cfg->ca_file);
	if (r >= 0) {
		c->service = event_new(base, -1, 0, on_service, c);
		if (!c->service)
			r = -ENOMEM;
	}
	if (r < 0) {
		trust_client_free(c);
		return r;
	}
	*ret_client = c;
	return 0;
}

struct trust_client *
trust_client_free(struct trust_client *c)
{
	struct trust_client_request *r;
	struct conn *conn;

	if (!c)
		return NULL;
	while ((r = TAILQ_FIRST(&c->queue)))
		trust_client_cancel(r);
	while ((r = TAILQ_FIRST(&c->active)))
		trust_client_cancel(r);
	while ((conn = TAILQ_FIRST(&c->conns)))
		conn_free(conn);
	while ((conn = TAILQ_FIRST(&c->dead)))
		conn_free(conn);
	if (c->service)
		event_free(c->service);
	SSL_CTX_free(c->ctx);
	free(c);
	return NULL;
}
