/* Connection front: head checks, connection cap, accept back-off and
 * write-done hold (see front.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "form.h"
#include "front.h"
#include "hex.h"
#include "httphead.h"
#include "common/log.h"

/* fds kept free for the store, the listeners and the loops' own. */
#define FRONT_FD_RESERVE 32
#define FRONT_FD_PER_LOOP 8
/* accept() back-off, and one log line per this many seconds. */
#define FRONT_BACKOFF_MIN_MS 10
#define FRONT_BACKOFF_MAX_MS 1000
#define FRONT_LOG_EVERY_S 10
#define FRONT_HEADER "X-Svopi-Front"

enum conn_list {
	L_NEW,		/* no whole request head yet: evicted first */
	L_SEEN,		/* sent at least one request */
	L_EVICTED,	/* closing: evhttp is told, not yet done */
	L_COUNT,
};

enum conn_state {
	ST_HEAD,	/* reading a request head */
	ST_BODY,	/* passing body_left bytes of body */
	ST_REFUSED,	/* stand-in sent: the rest is discarded */
};

struct front_conn {
	struct front *f;		/* the loop's front; not owned */
	struct bufferevent *under;	/* TLS; owned by filt */
	struct bufferevent *filt;	/* evhttp's; owned by evhttp */
	struct event *kick;		/* owned: flushes evhttp's output */
	struct event *release;		/* owned: tells evhttp it is out */
	/* evhttp's callbacks on filt, while ours stand in front of them */
	bufferevent_data_cb http_read, http_write;
	bufferevent_event_cb http_event;
	void *http_arg;
	int write_held;			/* evhttp's write-done waits for TLS */
	struct front_conn *prev, *next;	/* in f->lists[list] */
	enum conn_list list;
	enum conn_state state;
	uint64_t body_left;
};

struct front {
	struct event_base *base;	/* not owned */
	SSL_CTX *ssl;			/* not owned */
	struct evconnlistener *listener;	/* not owned (evhttp's) */
	struct event *resume;		/* owned: re-enables accept() */
	struct front_conn *head[L_COUNT], *tail[L_COUNT];
	size_t n_conns, max_conns;
	unsigned backoff_ms;
	time_t log_at;
	unsigned long accept_errors, evicted, refused;
	int dying;			/* front_free() came; the last
					 * connection to go frees it */
	char secret[33];		/* marks our stand-in requests */
};

static void
list_del(struct front_conn *c)
{
	struct front *f = c->f;

	if (c->prev)
		c->prev->next = c->next;
	else
		f->head[c->list] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		f->tail[c->list] = c->prev;
	c->prev = c->next = NULL;
}

static void
list_add(struct front_conn *c, enum conn_list l)
{
	struct front *f = c->f;

	c->list = l;
	c->prev = f->tail[l];
	c->next = NULL;
	if (f->tail[l])
		f->tail[l]->next = c;
	else
		f->head[l] = c;
	f->tail[l] = c;
}

/* Heard from: to the end of its list (or of L_SEEN). */
static void
conn_touch(struct front_conn *c, enum conn_list l)
{
	list_del(c);
	list_add(c, l);
}

/* Closes the idlest connection that evhttp still holds: evhttp sees an
 * EOF (deferred, never inside its own callbacks) and frees it. */
static void
front_evict(struct front *f)
{
	struct front_conn *c = f->head[L_NEW] ? f->head[L_NEW] :
		f->head[L_SEEN];

	if (!c)
		return;
	/* Off the lists so that the next eviction picks another one. */
	conn_touch(c, L_EVICTED);
	f->evicted++;
	bufferevent_trigger_event(c->filt, BEV_EVENT_EOF,
		BEV_TRIG_DEFER_CALLBACKS);
}

static void
front_log(struct front *f, const char *what)
{
	time_t now = time(NULL);

	if (now - f->log_at < FRONT_LOG_EVERY_S)
		return;
	f->log_at = now;
	log_warning("%s: %zu connections (cap %zu); so far %lu accept "
		"errors, %lu idle connections closed", what, f->n_conns,
		f->max_conns, f->accept_errors, f->evicted);
}

/* The stand-in for a refused request: evhttp parses it and routes it to
 * us; server.c answers it with front_refusal()'s status. */
static void
refuse(struct front_conn *c, struct evbuffer *dst, const struct httphead *h)
{
	c->state = ST_REFUSED;
	c->f->refused++;
	evbuffer_add_printf(dst, "GET /.front HTTP/1.1\r\nHost: front\r\n"
		"Connection: close\r\n" FRONT_HEADER ": %s %d %s\r\n\r\n",
		c->f->secret, h->status, h->why);
}

static enum bufferevent_filter_result
front_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
	enum bufferevent_flush_mode mode, void *arg)
{
	struct front_conn *c = arg;
	size_t len = evbuffer_get_length(src), n;
	struct httphead h;
	const uint8_t *p;
	int r;

	(void)lim;
	(void)mode;
	if (len == 0)
		return BEV_NEED_MORE;
	if (c->list != L_EVICTED)
		conn_touch(c, c->list);
	switch (c->state) {
	case ST_BODY:
		n = len < c->body_left ? len : (size_t)c->body_left;
		evbuffer_remove_buffer(src, dst, n);
		c->body_left -= n;
		if (!c->body_left)
			c->state = ST_HEAD;
		return BEV_OK;
	case ST_REFUSED:
		evbuffer_drain(src, len);
		return BEV_NEED_MORE;
	case ST_HEAD:
		break;
	}
	n = len < HTTPHEAD_MAX ? len : HTTPHEAD_MAX;
	p = evbuffer_pullup(src, (ev_ssize_t)n);
	if (!p)
		return BEV_ERROR;
	r = httphead_scan(p, len, FORM_BODY_MAX, &h);
	if (r == -ENODATA)
		return BEV_NEED_MORE;
	if (r < 0) {
		refuse(c, dst, &h);
		evbuffer_drain(src, len);
		return BEV_OK;
	}
	evbuffer_remove_buffer(src, dst, h.head_len);
	if (c->list == L_NEW)
		conn_touch(c, L_SEEN);
	c->body_left = h.body_len;
	if (c->body_left)
		c->state = ST_BODY;
	return BEV_OK;
}

/* evhttp's callbacks, called through ours (cbarg is the conn). */
static void
held_read(struct bufferevent *bev, void *arg)
{
	struct front_conn *c = arg;

	c->http_read(bev, c->http_arg);
}

static void
held_event(struct bufferevent *bev, short what, void *arg)
{
	struct front_conn *c = arg;

	c->http_event(bev, what, c->http_arg);
}

/* evhttp takes "filter output empty" for "response sent", and may then
 * close the socket at once (shutdown() included): its write-done is held
 * until TLS has written everything too. */
static void
held_write(struct bufferevent *bev, void *arg)
{
	struct front_conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(c->under)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		c->write_held = 1;
		return;
	}
	c->write_held = 0;
	c->http_write(bev, c->http_arg);
}

/* Puts ours in front of the callbacks evhttp set last. */
static void
hold_callbacks(struct front_conn *c)
{
	bufferevent_data_cb r, w;
	bufferevent_event_cb e;
	void *arg;

	bufferevent_getcb(c->filt, &r, &w, &e, &arg);
	if (w == held_write || !w)
		return;
	c->http_read = r;
	c->http_write = w;
	c->http_event = e;
	c->http_arg = arg;
	bufferevent_setcb(c->filt, r ? held_read : NULL, held_write,
		e ? held_event : NULL, c);
}

/* libevent 2.1's filter moves output on only while EV_WRITE is enabled,
 * and evhttp writes a response before it enables EV_WRITE: without a
 * kick the answer would wait in the filter for ever. The kick runs from
 * the loop, once evhttp has set its write-done callback. */
static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct front_conn *c = arg;

	(void)fd;
	(void)what;
	hold_callbacks(c);
	bufferevent_flush(c->filt, EV_WRITE, BEV_NORMAL);
}

static void
out_added(struct evbuffer *b, const struct evbuffer_cb_info *info,
	void *arg)
{
	struct front_conn *c = arg;

	(void)b;
	if (!info->n_added)
		return;
	/* Also now: should the filter move this at once, evhttp's
	 * write-done must already be held. */
	hold_callbacks(c);
	event_active(c->kick, EV_TIMEOUT, 0);
}

/* TLS wrote its last queued byte: evhttp may go on (from the loop, not
 * from inside TLS's write). */
static void
tls_drained(struct evbuffer *b, const struct evbuffer_cb_info *info,
	void *arg)
{
	struct front_conn *c = arg;

	if (info->n_deleted && c->write_held && evbuffer_get_length(b) == 0)
		event_active(c->release, EV_TIMEOUT, 0);
}

static void
release_cb(evutil_socket_t fd, short what, void *arg)
{
	struct front_conn *c = arg;
	bufferevent_data_cb w;

	(void)fd;
	(void)what;
	bufferevent_getcb(c->filt, NULL, &w, NULL, NULL);
	if (c->write_held && w == held_write)
		held_write(c->filt, c);
}

/* evhttp freed the filter, and with it (BEV_OPT_CLOSE_ON_FREE) TLS. */
static void
front_filter_freed(void *arg)
{
	struct front_conn *c = arg;

	struct front *f = c->f;

	event_free(c->kick);
	event_free(c->release);
	list_del(c);
	f->n_conns--;
	free(c);
	if (f->dying && f->n_conns == 0)
		free(f);
}

struct bufferevent *
front_bevcb(struct event_base *base, void *arg)
{
	struct front *f = arg;
	struct front_conn *c = calloc(1, sizeof(*c));
	SSL *ssl = c ? SSL_new(f->ssl) : NULL;

	f->backoff_ms = 0;
	if (!ssl)
		goto fail;
	c->f = f;
	c->under = bufferevent_openssl_socket_new(base, -1, ssl,
		BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	c->kick = event_new(base, -1, 0, kick_cb, c);
	c->release = event_new(base, -1, 0, release_cb, c);
	if (!c->under || !c->kick || !c->release ||
	    !evbuffer_add_cb(bufferevent_get_output(c->under), tls_drained,
		c))
		goto fail;
	bufferevent_openssl_set_allow_dirty_shutdown(c->under, 1);
	c->filt = bufferevent_filter_new(c->under, front_in, NULL,
		BEV_OPT_CLOSE_ON_FREE, front_filter_freed, c);
	if (!c->filt)
		goto fail;
	list_add(c, L_NEW);
	f->n_conns++;
	if (!evbuffer_add_cb(bufferevent_get_output(c->filt), out_added, c)) {
		bufferevent_free(c->filt);	/* frees c */
		return NULL;
	}
	if (f->n_conns > f->max_conns) {
		front_evict(f);
		front_log(f, "connection cap reached");
	}
	return c->filt;
fail:
	if (c && c->kick)
		event_free(c->kick);
	if (c && c->release)
		event_free(c->release);
	if (c && c->under)
		bufferevent_free(c->under);
	else
		SSL_free(ssl);
	free(c);
	return NULL;
}

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct front *f = arg;

	(void)fd;
	(void)what;
	if (f->listener)
		evconnlistener_enable(f->listener);
}

static void
accept_error(struct evconnlistener *l, void *arg)
{
	struct front *f = arg;
	int e = EVUTIL_SOCKET_ERROR();
	struct timeval tv;

	f->accept_errors++;
	evconnlistener_disable(l);
	f->backoff_ms = f->backoff_ms ? 2 * f->backoff_ms :
		FRONT_BACKOFF_MIN_MS;
	if (f->backoff_ms > FRONT_BACKOFF_MAX_MS)
		f->backoff_ms = FRONT_BACKOFF_MAX_MS;
	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
		front_evict(f);
	tv.tv_sec = f->backoff_ms / 1000;
	tv.tv_usec = (f->backoff_ms % 1000) * 1000;
	evtimer_add(f->resume, &tv);
	front_log(f, strerror(e));
}

void
front_watch_listener(struct front *f, struct evconnlistener *l)
{
	f->listener = l;
	evconnlistener_set_error_cb(l, accept_error);
}

int
front_refusal(const struct front *f, struct evhttp_request *req,
	const char **ret_why)
{
	const char *v = evhttp_find_header(
		evhttp_request_get_input_headers(req), FRONT_HEADER);
	size_t sl = sizeof(f->secret) - 1;
	char *end;
	long status;

	if (!v || strlen(v) < sl + 6 ||
	    CRYPTO_memcmp(v, f->secret, sl) != 0 || v[sl] != ' ')
		return 0;
	status = strtol(v + sl + 1, &end, 10);
	if (status < 400 || status > 499 || *end != ' ')
		return 0;
	*ret_why = end + 1;
	return (int)status;
}

size_t
front_max_conns(int n_loops)
{
	struct rlimit rl;
	rlim_t reserve = FRONT_FD_RESERVE +
		(rlim_t)n_loops * FRONT_FD_PER_LOOP, per;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 1024;
	per = rl.rlim_cur > reserve + 16 * (rlim_t)n_loops ?
		(rl.rlim_cur - reserve) / (rlim_t)n_loops : 16;
	return (size_t)per;
}

struct front *
front_new(struct event_base *base, SSL_CTX *ssl, size_t max_conns)
{
	struct front *f = calloc(1, sizeof(*f));
	uint8_t rnd[16];

	if (!f)
		return NULL;
	f->base = base;
	f->ssl = ssl;
	f->max_conns = max_conns;
	f->resume = evtimer_new(base, resume_cb, f);
	if (!f->resume || RAND_bytes(rnd, sizeof(rnd)) != 1)
		return front_free(f);
	hex_encode(rnd, sizeof(rnd), f->secret);
	return f;
}

struct front *
front_free(struct front *f)
{
	if (!f)
		return NULL;
	if (f->resume)
		event_free(f->resume);
	f->resume = NULL;
	f->listener = NULL;
	/* evhttp_free() let go of every connection, but a bufferevent
	 * with callbacks still deferred is freed later, as late as
	 * event_base_free(): the last one frees the front. */
	if (f->n_conns) {
		f->dying = 1;
		return NULL;
	}
	free(f);
	return NULL;
}
