/* See transport.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/clock.h"
#include "daemon/identity.h"
#include "daemon/siphash.h"
#include "common/log.h"
#include "daemon/transport.h"

#define TP_UDP_MAX 65535
#define TP_LISTEN_MAX CONF_LISTEN_MAX

struct tp_conn {
	LIST_ENTRY(tp_conn) link;
	struct transport *tp;
	uint64_t id;
	struct tp_addr remote;
	struct bufferevent *bev;
	struct event *ka;		/* keep-alive ping timer (outbound) */
	bool outbound;
	bool connected;
	struct timeval last;	/* last bytes received */
	char local_host[64];
};

struct tp_udp {
	struct transport *tp;
	int fd;
	struct event *ev;
	int family;
	char host[64];
	unsigned port;
};

struct tp_stream_listener {
	struct evconnlistener *l;
	enum conf_proto proto;
};

struct transport {
	struct svopid *d;
	struct tp_handler h;
	void *userdata;
	SSL_CTX *client_ctx;
	SSL_CTX *server_ctx;
	struct tp_udp udp[TP_LISTEN_MAX + 1];
	size_t nudp;
	struct tp_stream_listener sl[TP_LISTEN_MAX];
	size_t nsl;
	LIST_HEAD(, tp_conn) conns;
	size_t nconns_in;
	uint64_t next_id;
	uint8_t *udpbuf;
	struct tp_rate *rate;	/* owned: TP_RATE_SLOTS token buckets */
	uint8_t rate_key[SIPHASH_KEY_LEN];
	struct tp_addr exempt;	/* the proxy; len 0: none */
};

static struct log_ratelimit tp_rl = LOG_RATELIMIT_INIT(5000, 10);

const char *
transport_addr_str(const struct tp_addr *a, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&a->ss;

		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		port = ntohs(s->sin_port);
		snprintf(out, len, "%s:%s:%u", conf_proto_name(a->proto), host,
			port);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&a->ss;

		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		port = ntohs(s->sin6_port);
		snprintf(out, len, "%s:[%s]:%u", conf_proto_name(a->proto),
			host, port);
	} else {
		snprintf(out, len, "%s:?", conf_proto_name(a->proto));
	}
	return out;
}

bool
transport_addr_equal(const struct tp_addr *a, const struct tp_addr *b)
{
	if (a->proto != b->proto || a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss;
		const struct sockaddr_in *y = (const void *)&b->ss;

		return x->sin_port == y->sin_port &&
			x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss;
		const struct sockaddr_in6 *y = (const void *)&b->ss;

		return x->sin6_port == y->sin6_port &&
			memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return false;
}

static void
tp_numeric_host(const struct sockaddr_storage *ss, char *out, size_t len)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ss)->sin_addr,
			out, (socklen_t)len);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr,
			out, (socklen_t)len);
	else
		snprintf(out, len, "127.0.0.1");
}

int
transport_resolve(const char *host, unsigned port, enum conf_proto proto,
	struct tp_addr *ret)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = proto == CONF_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(service, sizeof(service), "%u", port);
	/* Blocking for names: proxies are configured as numeric addresses
	 * or names in /etc/hosts; see docs/daemon.md. */
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0 || !res) {
		hints.ai_flags = 0;
		r = getaddrinfo(host, service, &hints, &res);
	}
	if (r != 0 || !res)
		return -EHOSTUNREACH;
	memset(ret, 0, sizeof(*ret));
	ret->proto = proto;
	memcpy(&ret->ss, res->ai_addr, res->ai_addrlen);
	ret->len = (socklen_t)res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void
transport_local(struct transport *tp, enum conf_proto proto, char *host,
	size_t hostlen, unsigned *ret_port)
{
	const struct conf *c = tp->d->conf;

	for (size_t i = 0; i < c->n_listen; i++)
		if (c->listen[i].proto == proto) {
			snprintf(host, hostlen, "%s", c->listen[i].host);
			*ret_port = c->listen[i].port;
			/* Port 0 in the config: the kernel picked one. */
			if (proto == CONF_PROTO_UDP)
				for (size_t j = 0; j < tp->nudp; j++)
					if (strcmp(tp->udp[j].host,
					    c->listen[i].host) == 0) {
						*ret_port = tp->udp[j].port;
						break;
					}
			return;
		}
	if (proto == CONF_PROTO_UDP && tp->nudp > 0) {
		snprintf(host, hostlen, "%s", tp->udp[0].host);
		*ret_port = tp->udp[0].port;
		return;
	}
	snprintf(host, hostlen, "%s", c->n_listen ? c->listen[0].host :
		"127.0.0.1");
	*ret_port = 0;
}

/* --- streams --- */

static struct tp_conn *
tp_conn_find_id(struct transport *tp, uint64_t id)
{
	struct tp_conn *c;

	LIST_FOREACH(c, &tp->conns, link)
		if (c->id == id)
			return c;
	return NULL;
}

static struct tp_conn *
tp_conn_find_addr(struct transport *tp, const struct tp_addr *a)
{
	struct tp_conn *c;

	LIST_FOREACH(c, &tp->conns, link)
		if (transport_addr_equal(&c->remote, a))
			return c;
	return NULL;
}

static void
tp_conn_free(struct tp_conn *c, bool notify, const char *why)
{
	struct transport *tp = c->tp;
	struct tp_addr remote = c->remote;
	bool outbound = c->outbound;

	LIST_REMOVE(c, link);
	if (!c->outbound)
		tp->nconns_in--;
	if (c->ka)
		event_free(c->ka);
	if (c->bev) {
		SSL *ssl = bufferevent_openssl_get_ssl(c->bev);

		/* Quiet close: a TLS close_notify would need the loop. */
		if (ssl)
			SSL_set_shutdown(ssl, SSL_RECEIVED_SHUTDOWN);
		bufferevent_free(c->bev);
	}
	free(c);
	if (notify && outbound && tp->h.closed)
		tp->h.closed(tp->userdata, &remote, why ? why : "closed");
}

static void
tp_conn_fail(struct tp_conn *c, const char *why)
{
	char a[96];

	log_ratelimited(&tp_rl, LOG_INFO, "closing %s: %s",
		transport_addr_str(&c->remote, a, sizeof(a)), why);
	tp_conn_free(c, true, why);
}

static void
tp_conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct tp_conn *c = arg;
	struct transport *tp = c->tp;
	struct evbuffer *in = bufferevent_get_input(bev);

	event_base_gettimeofday_cached(tp->d->base, &c->last);
	for (int rounds = 0; rounds < 64; rounds++) {
		size_t len = evbuffer_get_length(in), n = 0;
		const uint8_t *p;
		struct sip_msg *m = NULL;
		struct tp_source src;
		int r;

		if (len == 0)
			return;
		p = evbuffer_pullup(in, (ev_ssize_t)(len > SIP_MSG_MAX + 4 ?
			SIP_MSG_MAX + 4 : len));
		if (!p) {
			tp_conn_fail(c, "out of memory");
			return;
		}
		if (len > SIP_MSG_MAX + 4)
			len = SIP_MSG_MAX + 4;
		r = sip_msg_frame(p, len, &n);
		if (r == -ENODATA) {
			if (len > SIP_MSG_MAX) {
				tp_conn_fail(c, "message too large");
				return;
			}
			return;
		}
		if (r < 0) {
			tp_conn_fail(c, r == -E2BIG ? "message too large" :
				"bad framing");
			return;
		}
		if (r == SIP_FRAME_PING) {
			evbuffer_drain(in, n);
			bufferevent_write(bev, "\r\n", 2);
			continue;
		}
		if (r == SIP_FRAME_PONG) {
			static struct log_ratelimit pong_rl =
				LOG_RATELIMIT_INIT(60000, 3);
			char a[96];

			evbuffer_drain(in, n);
			if (c->outbound)
				log_ratelimited(&pong_rl, LOG_DEBUG,
					"keep-alive answered by %s",
					transport_addr_str(&c->remote, a,
					sizeof(a)));
			continue;
		}
		r = sip_msg_parse(p, n, SIP_PARSE_STREAM, &m);
		evbuffer_drain(in, n);
		if (r < 0) {
			tp_conn_fail(c, "malformed message");
			return;
		}
		memset(&src, 0, sizeof(src));
		src.addr = c->remote;
		src.conn_id = c->id;
		src.udp_fd = -1;
		snprintf(src.local_host, sizeof(src.local_host), "%s",
			c->local_host);
		{
			uint64_t id = c->id;

			tp->h.recv(tp->userdata, m, &src);
			/* The handler may have closed us. */
			if (!tp_conn_find_id(tp, id))
				return;
		}
	}
	/* Yield to other events; come back for the rest. */
	if (evbuffer_get_length(in) > 0)
		bufferevent_trigger(bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
}

static void
tp_conn_set_nodelay(evutil_socket_t fd)
{
	int one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
tp_conn_local(struct tp_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		tp_numeric_host(&ss, c->local_host, sizeof(c->local_host));
}

static void
tp_conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tp_conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		c->connected = true;
		tp_conn_set_nodelay(bufferevent_getfd(bev));
		tp_conn_local(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		tp_conn_fail(c, "closed by peer");
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		tp_conn_fail(c, "idle");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		unsigned long e = bufferevent_get_openssl_error(bev);
		char why[160];

		/* A code without an OpenSSL library is what libevent took
		 * from SSL_get_error (SSL_ERROR_SYSCALL when the connection
		 * was refused): the reason is the socket's error then. */
		if (e && ERR_GET_LIB(e) != 0) {
			const char *rs = ERR_reason_error_string(e);

			if (rs)
				snprintf(why, sizeof(why), "TLS: %s", rs);
			else
				ERR_error_string_n(e, why, sizeof(why));
		} else {
			/* "connection refused", as the rest of our logs */
			snprintf(why, sizeof(why), "%s",
				evutil_socket_error_to_string(
				EVUTIL_SOCKET_ERROR()));
			why[0] = (char)tolower((unsigned char)why[0]);
		}
		tp_conn_fail(c, why);
	}
}

static void
tp_conn_ka_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tp_conn *c = arg;

	if (c->connected)
		bufferevent_write(c->bev, "\r\n\r\n", 4);
}

static struct tp_conn *
tp_conn_add(struct transport *tp, struct bufferevent *bev,
	const struct tp_addr *remote, bool outbound)
{
	struct tp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tp = tp;
	c->id = ++tp->next_id;
	c->remote = *remote;
	c->bev = bev;
	c->outbound = outbound;
	event_base_gettimeofday_cached(tp->d->base, &c->last);
	LIST_INSERT_HEAD(&tp->conns, c, link);
	if (!outbound)
		tp->nconns_in++;
	bufferevent_setcb(bev, tp_conn_read_cb, NULL, tp_conn_event_cb, c);
	/* Reading stops at the message cap: sip_msg_frame then sees that
	 * no message fits and we close. */
	bufferevent_setwatermark(bev, EV_READ, 0, SIP_MSG_MAX + 8);
	if (!outbound) {
		struct timeval idle = { TP_IDLE_SEC, 0 };

		bufferevent_set_timeouts(bev, &idle, NULL);
	} else if (tp->d->conf->keepalive > 0) {
		struct timeval ka = { tp->d->conf->keepalive, 0 };

		c->ka = event_new(tp->d->base, -1, EV_PERSIST, tp_conn_ka_cb, c);
		if (c->ka)
			event_add(c->ka, &ka);
	}
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return c;
}

static void
tp_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
	struct sockaddr *sa, int salen, void *arg)
{
	struct tp_stream_listener *sl = NULL;
	struct transport *tp = arg;
	struct bufferevent *bev;
	struct tp_addr remote;
	struct tp_conn *c;

	for (size_t i = 0; i < tp->nsl; i++)
		if (tp->sl[i].l == l)
			sl = &tp->sl[i];
	if (!sl) {
		evutil_closesocket(fd);
		return;
	}
	if (tp->nconns_in >= TP_CONN_MAX) {
		/* Full: the inbound connection quiet for the longest goes,
		 * so that idle or trickling peers cannot lock out the
		 * proxy. */
		struct tp_conn *old = NULL;

		LIST_FOREACH(c, &tp->conns, link)
			if (!c->outbound && (!old ||
			    evutil_timercmp(&c->last, &old->last, <)))
				old = c;
		if (!old) {
			evutil_closesocket(fd);
			return;
		}
		log_ratelimited(&tp_rl, LOG_WARNING,
			"%d connections: closing the quietest", TP_CONN_MAX);
		tp_conn_free(old, false, NULL);
	}
	memset(&remote, 0, sizeof(remote));
	remote.proto = sl->proto;
	memcpy(&remote.ss, sa, (size_t)salen);
	remote.len = (socklen_t)salen;
	tp_conn_set_nodelay(fd);
	if (sl->proto == CONF_PROTO_TLS) {
		SSL *ssl = SSL_new(tp->server_ctx);

		if (!ssl) {
			evutil_closesocket(fd);
			return;
		}
		bev = bufferevent_openssl_socket_new(tp->d->base, fd, ssl,
			BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else {
		bev = bufferevent_socket_new(tp->d->base, fd,
			BEV_OPT_CLOSE_ON_FREE);
	}
	if (!bev) {
		evutil_closesocket(fd);
		return;
	}
	c = tp_conn_add(tp, bev, &remote, false);
	if (!c) {
		bufferevent_free(bev);
		return;
	}
	c->connected = true;
	tp_conn_local(c);
}

static struct tp_conn *
tp_conn_open(struct transport *tp, const struct tp_dest *dest)
{
	struct bufferevent *bev;
	struct tp_conn *c;
	char a[96];

	if (dest->addr.proto == CONF_PROTO_TLS) {
		SSL *ssl = SSL_new(tp->client_ctx);
		struct in6_addr tmp;

		if (!ssl)
			return NULL;
		if (dest->verify) {
			X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
			bool numeric = inet_pton(AF_INET, dest->host, &tmp) == 1 ||
				inet_pton(AF_INET6, dest->host, &tmp) == 1;

			SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
			if (numeric) {
				X509_VERIFY_PARAM_set1_ip_asc(vp, dest->host);
			} else {
				SSL_set_tlsext_host_name(ssl, dest->host);
				SSL_set1_host(ssl, dest->host);
			}
		} else {
			/* Direct peer-to-peer TLS: the peer's certificate is
			 * self-signed and is checked end to end by MIKEY. */
			SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
		}
		bev = bufferevent_openssl_socket_new(tp->d->base, -1, ssl,
			BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	} else {
		bev = bufferevent_socket_new(tp->d->base, -1,
			BEV_OPT_CLOSE_ON_FREE);
	}
	if (!bev)
		return NULL;
	c = tp_conn_add(tp, bev, &dest->addr, true);
	if (!c) {
		bufferevent_free(bev);
		return NULL;
	}
	if (bufferevent_socket_connect(bev, (const struct sockaddr *)
	    &dest->addr.ss, (int)dest->addr.len) < 0) {
		log_ratelimited(&tp_rl, LOG_WARNING, "cannot connect to %s",
			transport_addr_str(&dest->addr, a, sizeof(a)));
		tp_conn_free(c, false, NULL);
		return NULL;
	}
	log_debug("connecting to %s", transport_addr_str(&dest->addr, a,
		sizeof(a)));
	return c;
}

/* --- UDP --- */

/* A token bucket per source host, direct-mapped by a keyed hash: a host
 * taking over a slot starts with a full bucket. Counted in thousandths of
 * a datagram. */
struct tp_rate {
	uint8_t ip[16];
	uint64_t last_ms;
	uint64_t milli;
};

static sa_family_t
tp_host_bytes(const struct tp_addr *a, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (a->ss.ss_family == AF_INET)
		memcpy(ip, &((const struct sockaddr_in *)(const void *)
			&a->ss)->sin_addr, 4);
	else if (a->ss.ss_family == AF_INET6)
		memcpy(ip, &((const struct sockaddr_in6 *)(const void *)
			&a->ss)->sin6_addr, 16);
	return a->ss.ss_family;
}

void
transport_exempt(struct transport *tp, const struct tp_addr *a)
{
	tp->exempt = *a;
}

/* Whether a datagram from a may be read further: at most TP_UDP_RATE a
 * second with bursts of TP_UDP_BURST per source host, so that a flood
 * from one host is dropped here, before parsing, and the socket's queue
 * drains fast enough for everyone else. The proxy is exempt. */
static bool
tp_udp_admit(struct transport *tp, const struct tp_addr *a)
{
	uint8_t ip[16], ex[16];
	sa_family_t fam = tp_host_bytes(a, ip);
	struct tp_rate *r;
	uint64_t now = clock_mono_ms();

	if (tp->exempt.len && tp_host_bytes(&tp->exempt, ex) == fam &&
	    memcmp(ip, ex, 16) == 0)
		return true;
	r = &tp->rate[siphash24(ip, sizeof(ip), tp->rate_key) &
		(TP_RATE_SLOTS - 1)];
	if (memcmp(r->ip, ip, 16) != 0 || r->last_ms == 0) {
		memcpy(r->ip, ip, 16);
		r->milli = (uint64_t)TP_UDP_BURST * 1000;
	} else {
		r->milli += (now - r->last_ms) * TP_UDP_RATE;
		if (r->milli > (uint64_t)TP_UDP_BURST * 1000)
			r->milli = (uint64_t)TP_UDP_BURST * 1000;
	}
	r->last_ms = now ? now : 1;
	if (r->milli < 1000)
		return false;
	r->milli -= 1000;
	return true;
}

static void
tp_udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tp_udp *u = arg;
	struct transport *tp = u->tp;

	for (int i = 0; i < 64; i++) {
		struct tp_source src;
		struct sip_msg *m = NULL;
		ssize_t n;
		int r;

		memset(&src, 0, sizeof(src));
		src.addr.len = sizeof(src.addr.ss);
		n = recvfrom(fd, tp->udpbuf, TP_UDP_MAX, 0,
			(struct sockaddr *)&src.addr.ss, &src.addr.len);
		if (n < 0)
			return;
		src.addr.proto = CONF_PROTO_UDP;
		if (!tp_udp_admit(tp, &src.addr)) {
			char a[96];

			log_ratelimited(&tp_rl, LOG_WARNING, "too many datagrams "
				"from %s: dropping", transport_addr_str(
				&src.addr, a, sizeof(a)));
			continue;
		}
		src.udp_fd = fd;
		snprintf(src.local_host, sizeof(src.local_host), "%s", u->host);
		/* RFC 5626 keep-alives over UDP are STUN; a bare CRLF is
		 * noise. Both are dropped quietly. */
		if (n <= 4)
			continue;
		r = sip_msg_parse(tp->udpbuf, (size_t)n, 0, &m);
		if (r < 0) {
			char a[96];

			log_ratelimited(&tp_rl, LOG_INFO,
				"dropping malformed datagram from %s (%zd bytes)",
				transport_addr_str(&src.addr, a, sizeof(a)), n);
			continue;
		}
		tp->h.recv(tp->userdata, m, &src);
	}
}

static int
tp_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -errno : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
tp_udp_open(struct transport *tp, const char *host, unsigned port)
{
	struct tp_udp *u;
	struct tp_addr a;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd, r;

	if (tp->nudp >= TP_LISTEN_MAX + 1)
		return -E2BIG;
	r = transport_resolve(host, port, CONF_PROTO_UDP, &a);
	if (r < 0)
		return r;
	fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0 ||
	    tp_nonblock(fd) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	u = &tp->udp[tp->nudp];
	u->tp = tp;
	u->fd = fd;
	u->family = a.ss.ss_family;
	tp_numeric_host(&ss, u->host, sizeof(u->host));
	u->port = ss.ss_family == AF_INET ?
		ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port) :
		ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
	u->ev = event_new(tp->d->base, fd, EV_READ | EV_PERSIST,
		tp_udp_read_cb, u);
	if (!u->ev || event_add(u->ev, NULL) < 0) {
		if (u->ev)
			event_free(u->ev);
		close(fd);
		return -ENOMEM;
	}
	tp->nudp++;
	return 0;
}

static int
tp_udp_send(struct transport *tp, int fd, const struct tp_addr *to,
	const uint8_t *data, size_t len)
{
	if (fd < 0) {
		for (size_t i = 0; i < tp->nudp; i++)
			if (tp->udp[i].family == to->ss.ss_family) {
				fd = tp->udp[i].fd;
				break;
			}
	}
	if (fd < 0) {
		/* No UDP listener of this family: an ephemeral socket. */
		int r = tp_udp_open(tp, to->ss.ss_family == AF_INET6 ? "::" :
			"0.0.0.0", 0);

		if (r < 0)
			return r;
		fd = tp->udp[tp->nudp - 1].fd;
	}
	if (sendto(fd, data, len, 0, (const struct sockaddr *)&to->ss,
	    to->len) < 0)
		return -errno;
	return 0;
}

/* --- public --- */

int
transport_send(struct transport *tp, const struct tp_dest *dest,
	const uint8_t *data, size_t len)
{
	struct tp_conn *c;

	if (dest->addr.proto == CONF_PROTO_UDP)
		return tp_udp_send(tp, -1, &dest->addr, data, len);
	c = tp_conn_find_addr(tp, &dest->addr);
	if (!c)
		c = tp_conn_open(tp, dest);
	if (!c)
		return -ECONNREFUSED;
	if (bufferevent_write(c->bev, data, len) < 0)
		return -ENOMEM;
	return 0;
}

int
transport_reply(struct transport *tp, const struct tp_source *src,
	const uint8_t *data, size_t len)
{
	struct tp_conn *c;

	if (src->addr.proto == CONF_PROTO_UDP)
		return tp_udp_send(tp, src->udp_fd, &src->addr, data, len);
	c = tp_conn_find_id(tp, src->conn_id);
	if (!c)
		c = tp_conn_find_addr(tp, &src->addr);
	if (!c) {
		/* RFC 3261 §18.2.2: the connection is gone; we would have
		 * to open one to the Via sent-by. Responses to a closed
		 * connection are rare enough to drop. */
		return -ENOTCONN;
	}
	if (bufferevent_write(c->bev, data, len) < 0)
		return -ENOMEM;
	return 0;
}

static SSL_CTX *
tp_client_ctx(const char *ca_file)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (ca_file && *ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
			log_error("cannot load CA file %s", ca_file);
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		log_warning("cannot load the system CA store");
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

static SSL_CTX *
tp_server_ctx(struct identity *id)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (!id || SSL_CTX_use_certificate(ctx, id->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, id->key) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

int
transport_new(struct svopid *d, const struct tp_handler *h, void *userdata,
	struct transport **ret)
{
	struct transport *tp = calloc(1, sizeof(*tp));

	if (!tp)
		return -ENOMEM;
	tp->d = d;
	tp->h = *h;
	tp->userdata = userdata;
	LIST_INIT(&tp->conns);
	tp->udpbuf = malloc(TP_UDP_MAX);
	tp->rate = calloc(TP_RATE_SLOTS, sizeof(*tp->rate));
	tp->client_ctx = tp_client_ctx(d->conf->sip_ca_file);
	if (!tp->udpbuf || !tp->rate || !tp->client_ctx ||
	    RAND_bytes(tp->rate_key, sizeof(tp->rate_key)) != 1) {
		transport_free(tp);
		return -EIO;
	}
	*ret = tp;
	return 0;
}

int
transport_listen(struct transport *tp)
{
	const struct conf *c = tp->d->conf;
	int r;

	for (size_t i = 0; i < c->n_listen; i++) {
		const struct conf_listen *l = &c->listen[i];
		struct tp_addr a;
		struct evconnlistener *el;

		if (l->proto == CONF_PROTO_UDP) {
			r = tp_udp_open(tp, l->host, l->port);
			if (r < 0) {
				log_error("cannot listen on udp:%s:%u: %s",
					l->host, l->port, strerror(-r));
				return r;
			}
			log_info("listening on udp:%s:%u", l->host,
				tp->udp[tp->nudp - 1].port);
			continue;
		}
		if (l->proto == CONF_PROTO_TLS && !tp->server_ctx) {
			tp->server_ctx = tp_server_ctx(tp->d->id);
			if (!tp->server_ctx)
				return -EIO;
		}
		r = transport_resolve(l->host, l->port, l->proto, &a);
		if (r < 0) {
			log_error("cannot resolve listen host %s", l->host);
			return r;
		}
		el = evconnlistener_new_bind(tp->d->base, tp_accept_cb, tp,
			LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
			LEV_OPT_CLOSE_ON_EXEC, 64,
			(struct sockaddr *)&a.ss, (int)a.len);
		if (!el) {
			log_error("cannot listen on %s:%s:%u: %s",
				conf_proto_name(l->proto), l->host, l->port,
				strerror(errno));
			return -EADDRINUSE;
		}
		tp->sl[tp->nsl].l = el;
		tp->sl[tp->nsl].proto = l->proto;
		tp->nsl++;
		log_info("listening on %s:%s:%u", conf_proto_name(l->proto),
			l->host, l->port);
	}
	return 0;
}

struct transport *
transport_free(struct transport *tp)
{
	if (!tp)
		return NULL;
	while (!LIST_EMPTY(&tp->conns))
		tp_conn_free(LIST_FIRST(&tp->conns), false, NULL);
	for (size_t i = 0; i < tp->nsl; i++)
		evconnlistener_free(tp->sl[i].l);
	for (size_t i = 0; i < tp->nudp; i++) {
		event_free(tp->udp[i].ev);
		close(tp->udp[i].fd);
	}
	SSL_CTX_free(tp->client_ctx);
	SSL_CTX_free(tp->server_ctx);
	free(tp->udpbuf);
	free(tp->rate);
	free(tp);
	return NULL;
}
