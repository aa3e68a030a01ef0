/* Seeded lossy, jittery UDP relay: see media-relay.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "media-relay.h"
#include "media-test.h"

#define RELAY_PKT_MAX	2048

struct relay_port {
	struct media_relay *r;
	int fd;
	uint16_t to;		/* where its datagrams go */
	struct event *ev;
};

struct relay_pkt {
	struct relay_port *via;
	uint64_t serial;
	size_t len;
	uint8_t data[RELAY_PKT_MAX];
};

struct media_relay {
	struct event_base *base;
	struct relay_port port[4];	/* a.rtp, a.rtcp, b.rtp, b.rtcp */
	uint64_t rng;
	unsigned loss_pm, jitter_ms, pending;
	uint64_t serial_in, serial_out;
	struct media_relay_stats st;
};

/* xorshift64*: reproducible from the seed, good enough for a test. */
static uint64_t
relay_rand(struct media_relay *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ULL;
}

static void
relay_emit(evutil_socket_t fd, short what, void *arg)
{
	struct relay_pkt *p = arg;
	struct media_relay *r = p->via->r;
	(void)fd;
	(void)what;

	if (p->serial < r->serial_out)
		r->st.reordered++;
	else
		r->serial_out = p->serial;
	mt_send_to(p->via->fd, p->via->to, p->data, p->len);
	r->st.forwarded++;
	r->pending--;
	free(p);
}

static void
relay_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct relay_port *rp = arg;
	struct media_relay *r = rp->r;
	struct relay_pkt *p;
	struct timeval tv;
	ssize_t n;
	unsigned ms;
	(void)what;

	for (;;) {
		p = malloc(sizeof(*p));
		if (!p)
			return;
		n = recv(fd, p->data, sizeof(p->data), 0);
		if (n <= 0) {
			free(p);
			return;
		}
		if (relay_rand(r) % 1000 < r->loss_pm) {
			r->st.dropped++;
			free(p);
			continue;
		}
		p->via = rp;
		p->len = (size_t)n;
		p->serial = ++r->serial_in;
		ms = r->jitter_ms ? (unsigned)(relay_rand(r) %
		    (2 * r->jitter_ms + 1)) : 0;
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		if (event_base_once(r->base, -1, EV_TIMEOUT, relay_emit, p,
		    &tv) < 0) {
			free(p);
			continue;
		}
		r->pending++;
	}
}

static int
relay_bind(uint16_t port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Binds port[i], port[i+1] on an even pair; returns the RTP port or 0. */
static uint16_t
relay_pair(struct media_relay *r, int i, uint16_t pmin, uint16_t pmax)
{
	for (unsigned p = (pmin + 1u) & ~1u; p + 1 <= pmax; p += 2) {
		int a = relay_bind((uint16_t)p), b;

		if (a < 0)
			continue;
		b = relay_bind((uint16_t)(p + 1));
		if (b < 0) {
			close(a);
			continue;
		}
		r->port[i].fd = a;
		r->port[i + 1].fd = b;
		return (uint16_t)p;
	}
	return 0;
}

struct media_relay *
media_relay_new(struct event_base *base, uint16_t pmin, uint16_t pmax,
    uint16_t port_a, uint16_t port_b, unsigned loss_pm, unsigned jitter_ms,
    uint64_t seed, uint16_t *ret_port_for_a, uint16_t *ret_port_for_b)
{
	struct media_relay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->base = base;
	r->rng = seed ? seed : 1;
	r->loss_pm = loss_pm;
	r->jitter_ms = jitter_ms;
	for (int i = 0; i < 4; i++) {
		r->port[i].r = r;
		r->port[i].fd = -1;
	}
	*ret_port_for_a = relay_pair(r, 0, pmin, pmax);
	*ret_port_for_b = relay_pair(r, 2, pmin, pmax);
	/* What A sends goes to B and the other way round. */
	r->port[0].to = port_b;
	r->port[1].to = (uint16_t)(port_b + 1);
	r->port[2].to = port_a;
	r->port[3].to = (uint16_t)(port_a + 1);
	for (int i = 0; i < 4; i++) {
		if (r->port[i].fd < 0)
			goto fail;
		r->port[i].ev = event_new(base, r->port[i].fd,
		    EV_READ | EV_PERSIST, relay_on_read, &r->port[i]);
		if (!r->port[i].ev || event_add(r->port[i].ev, NULL) < 0)
			goto fail;
	}
	return r;
fail:
	media_relay_free(r);
	return NULL;
}

unsigned
media_relay_pending(const struct media_relay *r)
{
	return r->pending;
}

void
media_relay_stats(const struct media_relay *r, struct media_relay_stats *ret)
{
	*ret = r->st;
}

void
media_relay_free(struct media_relay *r)
{
	if (!r)
		return;
	for (int i = 0; i < 4; i++) {
		if (r->port[i].ev)
			event_free(r->port[i].ev);
		if (r->port[i].fd >= 0)
			close(r->port[i].fd);
	}
	free(r);
}
