/* svopid media plane: SRTP over UDP on the libevent loop. See media.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/clock.h"
#include "hex.h"
#include "media.h"
#include "media-clock.h"
#include "rtp.h"
#include "srtp-openssl.h"

/* A caller's first packets come before the answer is taken: the callee
 * sends straight after its 200, which reaches us later, through the proxy.
 * The first few are kept for the voice engine, which starts with the
 * answer (call_go_active), so that the caller's voice starts with the
 * callee's first frame rather than a ptime later. */
#define MEDIA_EARLY_MAX	3
struct media_early {
	struct media_frame f;
	uint8_t data[RTP_PACKET_MAX];
};

/* Receive buffers hold the largest packet we accept plus the SRTP/SRTCP
 * trailer (tag, MKI, SRTCP index); one more byte detects anything longer. */
#define MEDIA_RX_BUF	(RTP_PACKET_MAX + SRTP_MAX_TRAILER_LEN + 4 + 1)
#define MEDIA_TX_BUF	(RTP_PACKET_MAX + SRTP_MAX_TRAILER_LEN + 4)
#define MEDIA_CNAME_LEN	16

struct media {
	struct event_base *base;
	int rtp_fd, rtcp_fd;
	uint16_t local_port;
	struct sockaddr_storage remote, remote_rtcp;
	socklen_t remote_len;

	srtp_t tx, rx;
	uint32_t tx_ssrc;
	uint32_t rx_ssrc;	/* 0 until locked when any was allowed */

	uint8_t pt;
	uint32_t clock_rate;
	uint32_t ts_step;
	unsigned ptime_ms, rtcp_ms;
	uint16_t seq;
	uint32_t ts;
	char cname[RTCP_CNAME_MAX + 1];

	struct media_source source;
	struct media_sink sink;
	/* Frames that authenticated before media_start (decrypted audio:
	 * wiped when dropped); handed to the stream's sink at the start. */
	struct media_early *early;	/* owned; NULL */
	unsigned n_early;
	void (*on_ready)(void *ctx);
	void *ctx;

	struct event *ev_rtp, *ev_rtcp, *ev_report;
	struct media_clock_sub frame_clock;	/* the loop's shared clock */
	/* Reads the RTP socket once per ptime, right before the playout,
	 * once the stream runs (media_rx_on_clock); ev_rtp is then off. */
	struct media_clock_sub rx_clock;
	unsigned rx_phase_ms;
	unsigned rx_count;	/* RTP datagrams read since the last tick */
	bool started, sending, ready;
	bool gap;		/* the last tick sent nothing (DTX) */
	struct media_stats st;

	/* RTCP state: reception statistics of the peer's stream, and the
	 * middle 32 bits of its last SR with when it arrived (for DLSR). */
	struct rtp_rx_stats rxs;
	uint32_t lsr;
	uint64_t lsr_at_ns;
};

/* srtp_init() and srtp_openssl_install() ran. Debian's libsrtp2 starts NSS
 * for its self-tests and shuts it down again: with AES-CM and HMAC-SHA1 on
 * OpenSSL no session of the default suites keeps NSS loaded (the GCM
 * suites, which stay on NSS, start it per session). */
static bool srtp_inited;

int
media_global_init(void)
{
	if (srtp_inited)
		return 0;
	if (srtp_init() != srtp_err_status_ok)
		return -EIO;
	srtp_inited = true;
	/* AES-CM and HMAC-SHA1 on OpenSSL instead of NSS: a third of the
	 * media plane's CPU (lib/srtp-openssl.h). */
	if (srtp_openssl_install() < 0) {
		media_global_done();
		return -EIO;
	}
	return 0;
}

void
media_global_done(void)
{
	if (srtp_inited)
		srtp_shutdown();
	srtp_inited = false;
}

static int
media_addr(const char *host, uint16_t port, struct sockaddr_storage *ret_sa,
    socklen_t *ret_len)
{
	struct addrinfo hints, *ai = NULL;
	char serv[8];

	if (!host)
		return -EINVAL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%u", port);
	if (getaddrinfo(host, serv, &hints, &ai) != 0 || !ai)
		return -EINVAL;
	if (ai->ai_addrlen > sizeof(*ret_sa)) {
		freeaddrinfo(ai);
		return -EINVAL;
	}
	memset(ret_sa, 0, sizeof(*ret_sa));
	memcpy(ret_sa, ai->ai_addr, ai->ai_addrlen);
	*ret_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void
media_set_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

static int
media_socket(const struct sockaddr_storage *sa, socklen_t len, int *ret_fd)
{
	int fd, rc;

	fd = socket(sa->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0)
		return -errno;
	/* Kernel arrival stamps: a packet read at a frame tick keeps the time
	 * it arrived (jitter, RTCP). Without them (never seen on Linux) the
	 * read time stands in. */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 },
	    sizeof(int));
	if (bind(fd, (const struct sockaddr *)sa, len) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}

/* Binds RTP on an even port and RTCP on the next one, trying every pair in
 * the range once from a random start. */
int
media_ports_reserve(const char *local_addr, uint16_t port_min,
    uint16_t port_max, struct media_ports *ret)
{
	struct sockaddr_storage sa;
	socklen_t len;
	unsigned first, last, npairs, start;
	uint16_t r;
	int rc;

	if ((rc = media_addr(local_addr, 0, &sa, &len)) < 0)
		return rc;
	first = (port_min + 1u) & ~1u;
	last = port_max;
	if (first == 0 || first + 1 > last || last > 65535)
		return -EINVAL;
	npairs = (last - first + 1) / 2;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return -EIO;
	start = r % npairs;
	rc = -EADDRINUSE;
	for (unsigned i = 0; i < npairs; i++) {
		unsigned port = first + 2 * ((start + i) % npairs);
		int a = -1, b = -1;

		media_set_port(&sa, (uint16_t)port);
		rc = media_socket(&sa, len, &a);
		if (rc == 0) {
			media_set_port(&sa, (uint16_t)(port + 1));
			rc = media_socket(&sa, len, &b);
			if (rc < 0)
				close(a);
		}
		if (rc == 0) {
			ret->rtp_fd = a;
			ret->rtcp_fd = b;
			ret->port = (uint16_t)port;
			return 0;
		}
		if (rc != -EADDRINUSE)
			return rc;
	}
	return rc;
}

void
media_ports_close(struct media_ports *mp)
{
	if (!mp)
		return;
	if (mp->rtp_fd >= 0)
		close(mp->rtp_fd);
	if (mp->rtcp_fd >= 0)
		close(mp->rtcp_fd);
	mp->rtp_fd = mp->rtcp_fd = -1;
}

/* Takes the caller's held pair, or binds a new one. */
static int
media_bind(struct media *m, const struct media_params *p)
{
	struct media_ports mp = MEDIA_PORTS_INIT;
	int rc;

	if (p->ports && p->ports->rtp_fd >= 0 && p->ports->rtcp_fd >= 0) {
		m->rtp_fd = p->ports->rtp_fd;
		m->rtcp_fd = p->ports->rtcp_fd;
		m->local_port = p->ports->port;
		p->ports->rtp_fd = p->ports->rtcp_fd = -1;
		return 0;
	}
	rc = media_ports_reserve(p->local_addr, p->port_min, p->port_max,
	    &mp);
	if (rc < 0)
		return rc;
	m->rtp_fd = mp.rtp_fd;
	m->rtcp_fd = mp.rtcp_fd;
	m->local_port = mp.port;
	return 0;
}

/* One libsrtp session for one direction. keybuf is cleansed either way. */
static int
media_srtp(srtp_t *ret, enum mikey_srtp_suite suite,
    const struct mikey_cs_keys *k, uint32_t ssrc, bool outbound)
{
	uint8_t keybuf[MIKEY_SRTP_KEYBUF_MAX];
	srtp_policy_t pol;
	srtp_t s = NULL;
	int rc;

	rc = mikey_srtp_policy(suite, k->tek, k->tek_len, k->salt,
	    k->salt_len, ssrc, outbound, keybuf, &pol);
	if (rc == 0 && srtp_create(&s, &pol) != srtp_err_status_ok)
		rc = -EIO;
	if (rc == 0 && k->roc && ssrc &&
	    srtp_set_stream_roc(s, ssrc, k->roc) != srtp_err_status_ok)
		rc = -EIO;
	OPENSSL_cleanse(keybuf, sizeof(keybuf));
	OPENSSL_cleanse(&pol, sizeof(pol));
	if (rc < 0) {
		if (s)
			srtp_dealloc(s);
		return rc;
	}
	*ret = s;
	return 0;
}

static void
media_reject(struct media *m, uint64_t *which)
{
	(*which)++;
	m->st.rejected++;
}

/* Before media_start: a copy of f for the stream's sink (see
 * MEDIA_EARLY_MAX); more than that are only counted, as before. */
static void
media_keep_early(struct media *m, const struct media_frame *f)
{
	struct media_early *e;

	if (m->n_early >= MEDIA_EARLY_MAX || f->len > sizeof(e->data))
		return;
	if (!m->early &&
	    !(m->early = calloc(MEDIA_EARLY_MAX, sizeof(*m->early))))
		return;
	e = &m->early[m->n_early++];
	e->f = *f;
	memcpy(e->data, f->data, f->len);
	e->f.data = e->data;
}

static void media_rx_on_clock(struct media *m);

static void
media_rtp_packet(struct media *m, uint8_t *pkt, size_t n, uint64_t arrival_ns)
{
	struct rtp_header h;
	struct rtp_packet rp;
	struct media_frame f;
	srtp_err_status_t e;
	int len;

	if (n >= MEDIA_RX_BUF || rtp_header_parse(pkt, n, &h) < 0) {
		media_reject(m, &m->st.rejected_malformed);
		return;
	}
	/* Cheap checks before any crypto. */
	if (m->rx_ssrc && h.ssrc != m->rx_ssrc) {
		media_reject(m, &m->st.rejected_ssrc);
		return;
	}
	len = (int)n;
	e = srtp_unprotect(m->rx, pkt, &len);
	switch (e) {
	case srtp_err_status_ok:
		break;
	case srtp_err_status_auth_fail:
		media_reject(m, &m->st.rejected_auth);
		return;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		media_reject(m, &m->st.rejected_replay);
		return;
	case srtp_err_status_no_ctx:
		media_reject(m, &m->st.rejected_ssrc);
		return;
	default:
		media_reject(m, &m->st.rejected_malformed);
		return;
	}
	/* Authenticated, but it must still be well-formed RTP. */
	if (len < 0 || rtp_parse(pkt, (size_t)len, &rp) < 0) {
		media_reject(m, &m->st.rejected_malformed);
		return;
	}
	if (!m->rx_ssrc)
		m->rx_ssrc = rp.hdr.ssrc;
	m->st.received++;
	{
		uint64_t ns = arrival_ns;
		/* Arrival in timestamp units; only differences matter. */
		uint32_t arrival = (uint32_t)(ns / 1000000000u *
		    m->clock_rate + ns % 1000000000u * m->clock_rate /
		    1000000000u);

		rtp_rx_update(&m->rxs, rp.hdr.seq, rp.hdr.ts, arrival);
	}
	if (!m->ready) {
		m->ready = true;
		if (m->on_ready)
			m->on_ready(m->ctx);
	}
	if (m->sink.write) {
		f.pt = rp.hdr.pt;
		f.marker = rp.hdr.marker;
		f.seq = rp.hdr.seq;
		f.ts = rp.hdr.ts;
		f.ssrc = rp.hdr.ssrc;
		f.data = rp.payload;
		f.len = rp.payload_len;
		f.arrival_ns = arrival_ns;
		m->sink.write(m->sink.ctx, &f);
	}
	if (!m->started)
		media_keep_early(m, &f);
	else if (media_clock_joined(&m->frame_clock) &&
	    !media_clock_joined(&m->rx_clock))
		media_rx_on_clock(m);	/* started, not stopped */
}

static void
media_drop_early(struct media *m)
{
	if (m->early) {
		OPENSSL_cleanse(m->early, MEDIA_EARLY_MAX * sizeof(*m->early));
		free(m->early);
	}
	m->early = NULL;
	m->n_early = 0;
}

static void
media_rtcp_packet(struct media *m, uint8_t *pkt, size_t n)
{
	struct rtp_rtcp_info info;
	int64_t rtt;
	int len = (int)n;

	/* An SRTCP packet is at least an RR header + SSRC, the E|index word
	 * and a tag; libsrtp checks the rest. */
	if (n >= MEDIA_RX_BUF || n < 8 + 4) {
		m->st.rtcp_rejected++;
		return;
	}
	if (srtp_unprotect_rtcp(m->rx, pkt, &len) != srtp_err_status_ok ||
	    len < 0 || rtp_rtcp_parse(pkt, (size_t)len, &info) < 0 ||
	    (m->rx_ssrc && info.ssrc != m->rx_ssrc)) {
		m->st.rtcp_rejected++;
		return;
	}
	m->st.rtcp_received++;
	if (info.pt == RTCP_PT_SR) {
		m->lsr = (uint32_t)(info.sr.ntp >> 16);
		m->lsr_at_ns = clock_mono_ns();
	}
	if (info.n_blocks && info.block.ssrc == m->tx_ssrc) {
		m->st.peer_lost = info.block.lost;
		m->st.peer_fraction_lost = info.block.fraction_lost;
		if (m->source.feedback)
			m->source.feedback(m->source.ctx,
			    info.block.fraction_lost);
		m->st.peer_jitter_us = (uint32_t)((uint64_t)info.block.jitter *
		    1000000u / m->clock_rate);
		rtt = rtp_rtcp_rtt((uint32_t)(clock_ntp_now() >> 16),
		    &info.block);
		if (rtt >= 0)
			m->st.rtt_us = rtt * 1000000 / 65536;
	}
}

/* The kernel's receive stamp of msg (CLOCK_REALTIME) moved onto
 * CLOCK_MONOTONIC by the two clocks' offset now; now_ns without one. */
static uint64_t
media_arrival(struct msghdr *msg, uint64_t now_ns, int64_t real_minus_mono)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			int64_t t;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec -
			    real_minus_mono;
			/* A stamp from the future (the wall clock was set
			 * between) is no stamp. */
			return t > 0 && (uint64_t)t <= now_ns ? (uint64_t)t :
			    now_ns;
		}
	return now_ns;
}

/* Reads up to MEDIA_RECV_BURST datagrams from fd; returns how many. */
static unsigned
media_read_burst(struct media *m, int fd)
{
	uint8_t pkt[MEDIA_RX_BUF];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct timespec))];
	} ctl;
	struct timespec real;
	uint64_t now = clock_mono_ns();
	int64_t off;
	size_t used = 0;	/* of pkt, to wipe */
	unsigned i;

	clock_gettime(CLOCK_REALTIME, &real);
	off = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec - (int64_t)now;
	for (i = 0; i < MEDIA_RECV_BURST; i++) {
		struct iovec iov = { pkt, sizeof(pkt) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof(ctl),
		};
		/* MSG_TRUNC returns the real length: an oversized datagram
		 * shows as n >= MEDIA_RX_BUF and is rejected. */
		ssize_t n = recvmsg(fd, &msg, MSG_TRUNC);

		if (n < 0)
			break;	/* EAGAIN, or an ICMP error: nothing to do */
		if ((size_t)n > used)
			used = (size_t)n < sizeof(pkt) ? (size_t)n :
			    sizeof(pkt);
		if (fd == m->rtp_fd) {
			m->rx_count++;
			media_rtp_packet(m, pkt, (size_t)n,
			    media_arrival(&msg, now, off));
		}
		else
			media_rtcp_packet(m, pkt, (size_t)n);
	}
	/* Only what datagrams wrote (the decrypted payloads): the whole
	 * buffer was 1.6 KB a tick. */
	OPENSSL_cleanse(pkt, used);
	return i;
}

static void
media_on_read(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	media_read_burst(arg, fd);
}

/* More datagrams in one ptime than a stream sends (a few, when jitter
 * bunches them) means junk at the port: then the socket is read on each
 * arrival again, as fast as the loop can (junk costs a header check),
 * until a ptime goes by without a flood, so that junk cannot fill the
 * socket's buffer between two ticks and push the peer's packets out.
 * media-voice-driver --flood-b 50000 (ASan build): B kept 146-150 of A's
 * 150 packets this way; read only at the ticks, 76. */
#define MEDIA_RX_FLOOD	8

static void
media_rx_tick(void *arg, unsigned skipped)
{
	struct media *m = arg;
	(void)skipped;

	media_read_burst(m, m->rtp_fd);
	if (m->rx_count > MEDIA_RX_FLOOD)
		event_add(m->ev_rtp, NULL);
	else
		event_del(m->ev_rtp);
	m->rx_count = 0;
}

/* From the first packet after the start on, the RTP socket is read on the
 * frame clock, just before the playout, and no longer woken for on each
 * arrival: a call then costs one wake-up per ptime, not two (bench
 * media-vs-baresip; docs/performance-media.md). The wait in the socket
 * changes nothing the jitter buffer sees (the packet goes in before the
 * same playout tick either way) and the kernel's stamp keeps its arrival
 * time. The first packet still wakes us: it plays at once (first_audio).
 * Subscribers of a tick run newest first (media-clock.h): this joins after
 * the sink's playout did (at this packet, or at an early one handed over
 * by media_start), so it runs before it. */
static void
media_rx_on_clock(struct media *m)
{
	m->rx_clock.once = true;
	if (media_clock_join(m->base, m->ptime_ms, m->rx_phase_ms,
	    &m->rx_clock, media_rx_tick, m) < 0)
		return;		/* no memory: woken per packet, as before */
	event_del(m->ev_rtp);
}

/* One frame out; skipped: frame slots the clock could not run in time
 * before this one (their timestamps pass, like a loss). */
static void
media_on_frame(void *arg, unsigned skipped)
{
	struct media *m = arg;
	uint8_t frame[MEDIA_FRAME_MAX];
	uint8_t pkt[MEDIA_TX_BUF];
	struct rtp_header h;
	uint32_t back = 0;
	int flen, len;

	if (!m->sending || !m->source.read)
		return;
	m->ts += skipped * m->ts_step;
	memset(&h, 0, sizeof(h));
	h.pt = m->pt;
	/* Start of a talkspurt: the first packet, and the first after
	 * frames the source did not send (DTX). */
	h.marker = m->st.sent == 0 || m->gap;
	flen = m->source.event ? m->source.event(m->source.ctx, frame,
	    sizeof(frame), &h.pt, &h.marker, &back) : 0;
	if (flen == 0)
		flen = m->source.read(m->source.ctx, m->pt, frame,
		    sizeof(frame));
	if (flen < 0 || flen > (int)sizeof(frame) || h.pt > RTP_PT_MAX) {
		m->sending = false;
		return;
	}
	if (flen > 0) {
		h.seq = m->seq;
		h.ts = m->ts - back;
		h.ssrc = m->tx_ssrc;
		len = rtp_write(&h, frame, (size_t)flen, 0, pkt,
		    RTP_PACKET_MAX);
		if (len > 0 && srtp_protect(m->tx, pkt, &len) ==
		    srtp_err_status_ok) {
			if (sendto(m->rtp_fd, pkt, (size_t)len, 0,
			    (struct sockaddr *)&m->remote,
			    m->remote_len) == len) {
				m->st.sent++;
				m->st.sent_octets += (uint64_t)flen;
			} else {
				m->st.send_errors++;
			}
		} else {
			m->st.send_errors++;
		}
		m->seq++;
	}
	m->gap = flen == 0;
	m->ts += m->ts_step;
	if (flen > 0)
		OPENSSL_cleanse(frame, (size_t)flen);
}

static void
media_on_report(evutil_socket_t fd, short what, void *arg)
{
	struct media *m = arg;
	uint8_t pkt[MEDIA_TX_BUF];
	struct rtp_rtcp_sr sr;
	struct rtp_report_block rb;
	uint32_t dlsr = 0;
	int len;
	(void)fd;
	(void)what;

	if (!m->sending)
		return;
	memset(&sr, 0, sizeof(sr));
	sr.ssrc = m->tx_ssrc;
	sr.ntp = clock_ntp_now();
	sr.rtp_ts = m->ts;
	sr.packets = (uint32_t)m->st.sent;
	sr.octets = (uint32_t)m->st.sent_octets;
	if (m->rxs.init) {
		if (m->lsr)
			dlsr = (uint32_t)((clock_mono_ns() - m->lsr_at_ns) *
			    65536 / 1000000000u);
		rtp_rx_report(&m->rxs, m->rx_ssrc, m->lsr, dlsr, &rb);
	}
	len = rtp_rtcp_write_sr(&sr, m->rxs.init ? &rb : NULL, m->cname,
	    strlen(m->cname), pkt, RTCP_PACKET_MAX);
	if (len > 0 && srtp_protect_rtcp(m->tx, pkt, &len) ==
	    srtp_err_status_ok && sendto(m->rtcp_fd, pkt, (size_t)len, 0,
	    (struct sockaddr *)&m->remote_rtcp, m->remote_len) == len)
		m->st.rtcp_sent++;
	else
		m->st.send_errors++;
}

static bool
media_keys_ok(enum mikey_srtp_suite suite, const struct mikey_cs_keys *k)
{
	size_t kl, sl;

	return k && mikey_srtp_suite_lens(suite, &kl, &sl) == 0 &&
	    k->tek_len == kl && k->salt_len == sl;
}

int
media_new(struct event_base *base, const struct media_params *p,
    struct media **ret_media)
{
	struct media *m;
	uint8_t rnd[6 + MEDIA_CNAME_LEN / 2];
	int rc;

	if (!base || !p || !srtp_inited)
		return -EINVAL;
	/* No keys, no media: there is no plain RTP path. */
	if (!media_keys_ok(p->suite, p->tx) || !media_keys_ok(p->suite, p->rx) ||
	    p->tx->ssrc == 0 || p->pt > RTP_PT_MAX || !p->remote_port ||
	    (p->clock_rate && (p->clock_rate < 8000 ||
	    p->clock_rate > 96000 || p->clock_rate % 1000)) ||
	    (p->ptime_ms && (p->ptime_ms < 10 || p->ptime_ms > 120)) ||
	    (p->rtcp_interval_ms && p->rtcp_interval_ms < 100) ||
	    (p->cname && (!*p->cname || strlen(p->cname) > RTCP_CNAME_MAX)))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->base = base;
	m->rtp_fd = m->rtcp_fd = -1;
	m->pt = p->pt;
	m->ptime_ms = p->ptime_ms ? p->ptime_ms : MEDIA_PTIME_MS;
	if (p->rx_phase_ms >= m->ptime_ms) {
		free(m);
		return -EINVAL;
	}
	m->rx_phase_ms = p->rx_phase_ms;
	m->rtcp_ms = p->rtcp_interval_ms ? p->rtcp_interval_ms :
	    MEDIA_RTCP_INTERVAL_MS;
	m->clock_rate = p->clock_rate ? p->clock_rate : 8000;
	m->ts_step = m->clock_rate / 1000 * m->ptime_ms;
	m->st.rtt_us = -1;
	m->tx_ssrc = p->tx->ssrc;
	m->rx_ssrc = p->rx->ssrc;
	m->source = p->source;
	m->sink = p->sink;
	m->on_ready = p->on_ready;
	m->ctx = p->ctx;

	rc = media_addr(p->remote_addr, p->remote_port, &m->remote,
	    &m->remote_len);
	if (rc == 0) {
		m->remote_rtcp = m->remote;
		media_set_port(&m->remote_rtcp, p->remote_rtcp_port ?
		    p->remote_rtcp_port : (uint16_t)(p->remote_port + 1));
		/* RFC 3550: random initial sequence number and timestamp. */
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			rc = -EIO;
	}
	if (rc == 0) {
		m->seq = (uint16_t)(rnd[0] << 8 | rnd[1]);
		m->ts = (uint32_t)rnd[2] << 24 | (uint32_t)rnd[3] << 16 |
		    (uint32_t)rnd[4] << 8 | rnd[5];
		if (p->cname) {
			snprintf(m->cname, sizeof(m->cname), "%s", p->cname);
		} else {
			hex_encode(rnd + 6, MEDIA_CNAME_LEN / 2, m->cname);
		}
		rc = media_srtp(&m->tx, p->suite, p->tx, p->tx->ssrc, true);
	}
	if (rc == 0)
		rc = media_srtp(&m->rx, p->suite, p->rx, p->rx->ssrc, false);
	if (rc == 0)
		rc = media_bind(m, p);
	if (rc == 0) {
		m->ev_rtp = event_new(base, m->rtp_fd, EV_READ | EV_PERSIST,
		    media_on_read, m);
		m->ev_rtcp = event_new(base, m->rtcp_fd, EV_READ | EV_PERSIST,
		    media_on_read, m);
		m->ev_report = event_new(base, -1, EV_PERSIST,
		    media_on_report, m);
		if (!m->ev_rtp || !m->ev_rtcp || !m->ev_report || event_add(m->ev_rtp, NULL) < 0 ||
		    event_add(m->ev_rtcp, NULL) < 0)
			rc = -ENOMEM;
	}
	/* On failure the caller keeps its source and sink. */
	if (rc < 0) {
		m->source.close = NULL;
		m->sink.close = NULL;
		media_free(m);
		return rc;
	}
	*ret_media = m;
	return 0;
}

struct media *
media_free(struct media *m)
{
	if (!m)
		return NULL;
	if (m->ev_rtp)
		event_free(m->ev_rtp);
	if (m->ev_rtcp)
		event_free(m->ev_rtcp);
	media_clock_leave(&m->frame_clock);
	media_clock_leave(&m->rx_clock);
	if (m->ev_report)
		event_free(m->ev_report);
	if (m->rtp_fd >= 0)
		close(m->rtp_fd);
	if (m->rtcp_fd >= 0)
		close(m->rtcp_fd);
	/* srtp_dealloc zeroes the key material of every stream. */
	if (m->tx)
		srtp_dealloc(m->tx);
	if (m->rx)
		srtp_dealloc(m->rx);
	if (m->source.close)
		m->source.close(m->source.ctx);
	if (m->sink.close)
		m->sink.close(m->sink.ctx);
	media_drop_early(m);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
	return NULL;
}

uint16_t
media_local_port(const struct media *m)
{
	return m->local_port;
}

int
media_set_stream(struct media *m, uint8_t pt, uint32_t clock_rate,
    const struct media_source *source, const struct media_sink *sink)
{
	if (m->started)
		return -EALREADY;
	if (pt > RTP_PT_MAX || clock_rate < 8000 || clock_rate > 96000 ||
	    clock_rate % 1000)
		return -EINVAL;
	if (m->source.close)
		m->source.close(m->source.ctx);
	if (m->sink.close)
		m->sink.close(m->sink.ctx);
	m->source = *source;
	m->sink = *sink;
	m->pt = pt;
	m->clock_rate = clock_rate;
	m->ts_step = clock_rate / 1000 * m->ptime_ms;
	/* Statistics in the old clock's units would mislead. */
	memset(&m->rxs, 0, sizeof(m->rxs));
	return 0;
}

int
media_start(struct media *m)
{
	struct timeval tv;

	if (m->started)
		return -EALREADY;
	/* The first frame goes out now, the next ones on the loop's shared
	 * frame clock (media-clock.h): the second one at its next tick, less
	 * than a ptime later (early is harmless to a jitter buffer; late is
	 * not). */
	m->sending = true;
	media_on_frame(m, 0);
	if (media_clock_join(m->base, m->ptime_ms, 0, &m->frame_clock,
	    media_on_frame, m) < 0) {
		m->sending = false;
		return -ENOMEM;
	}
	event_base_update_cache_time(m->base);
	tv.tv_sec = m->rtcp_ms / 1000;
	tv.tv_usec = (m->rtcp_ms % 1000) * 1000;
	if (event_add(m->ev_report, &tv) < 0) {
		media_clock_leave(&m->frame_clock);
		m->sending = false;
		return -ENOMEM;
	}
	m->started = true;
	for (unsigned i = 0; i < m->n_early && m->sink.write; i++)
		m->sink.write(m->sink.ctx, &m->early[i].f);
	media_drop_early(m);
	return 0;
}

void
media_stop(struct media *m)
{
	if (!m)
		return;
	m->sending = false;
	media_clock_leave(&m->frame_clock);
	event_del(m->ev_report);
	if (media_clock_joined(&m->rx_clock)) {
		media_clock_leave(&m->rx_clock);
		event_add(m->ev_rtp, NULL);
	}
}

void
media_stats(const struct media *m, struct media_stats *ret_stats)
{
	*ret_stats = m->st;
	ret_stats->frames_late = m->frame_clock.late;
	ret_stats->frames_skipped = m->frame_clock.skipped;
	ret_stats->lost = rtp_rx_lost(&m->rxs);
	ret_stats->jitter_us = (uint32_t)((uint64_t)rtp_rx_jitter(&m->rxs) *
	    1000000u / m->clock_rate);
}

bool
media_ready(const struct media *m)
{
	return m->ready;
}

void
media_params_from_mikey(struct media_params *p,
    const struct mikey_result *res, bool initiator)
{
	p->suite = res->suite;
	p->tx = &res->cs[initiator ? 0 : 1];
	p->rx = &res->cs[initiator ? 1 : 0];
}

int
media_set_remote(struct media *m, const char *addr, uint16_t port,
    uint16_t rtcp_port)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int rc;

	if (!m || !addr || !port)
		return -EINVAL;
	rc = media_addr(addr, port, &sa, &len);
	if (rc < 0)
		return rc;
	m->remote = sa;
	m->remote_len = len;
	m->remote_rtcp = sa;
	media_set_port(&m->remote_rtcp, rtcp_port ? rtcp_port :
	    (uint16_t)(port + 1));
	return 0;
}
