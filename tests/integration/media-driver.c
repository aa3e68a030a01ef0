/* Two media endpoints on loopback in one process, keyed by a real MIKEY
 * DH-SIGN exchange between two fresh RSA identities, exchanging SRTP for a
 * while; then asserts on what each side counted.
 *
 *   media-driver [--ms N] [--wrong-key] [--inject] [--tone]
 *                [--ports MIN-MAX] [--port-file FILE]
 *
 * --wrong-key  B receives with a key that differs in one bit: B must
 *              authenticate nothing and reject everything A sent.
 * --wrong-roc  B receives with the right key but a rollover counter of 1
 *              where A sends with 0: the same outcome as --wrong-key, which
 *              shows the MIKEY ROC reaches libsrtp.
 * --inject     after the run (A stopped) packets from a raw UDP socket hit
 *              B: a short datagram, a wrong SSRC, a correctly protected
 *              packet (made with A's key by a third libsrtp session), the
 *              same packet again (replay) and a tampered copy; each must land
 *              in its own counter.
 * --port-file  writes "A_PORT B_PORT" once bound (for the capture check).
 * --send-plain PORT  only sends one PLAINTEXT RTP packet of 0xFF silence to
 *              127.0.0.1:PORT and exits: the control that shows the capture
 *              check would see plaintext if there were any.
 * Exit 0 when every check holds; the stats go to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "media.h"
#include "media-null.h"
#include "mikey-msg.h"
#include "mikey-srtp.h"
#include "rtp.h"
#include "media-test.h"

static int failures;

#define EXPECT(cond) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "media-driver:%d: check failed: %s\n", \
		    __LINE__, #cond); \
	} \
} while (0)

/* A sink that counts like the null sink and remembers sequence numbers,
 * so the injector can continue A's stream. */
struct rec {
	struct media_null_counts c;
	struct media_sink inner;
	bool any;
	uint16_t first_seq, last_seq;
	uint32_t last_ts;
	bool ready;
};

static void
rec_write(void *ctx, const struct media_frame *f)
{
	struct rec *r = ctx;

	if (!r->any)
		r->first_seq = f->seq;
	r->any = true;
	r->last_seq = f->seq;
	r->last_ts = f->ts;
	r->inner.write(r->inner.ctx, f);
}

static void
rec_ready(void *ctx)
{
	((struct rec *)ctx)->ready = true;
}

static void
print_stats(const char *who, const struct media_stats *s,
    const struct rec *r)
{
	printf("%s: sent=%llu received=%llu rejected=%llu (auth=%llu "
	    "replay=%llu malformed=%llu ssrc=%llu) send_errors=%llu "
	    "rtcp_sent=%llu rtcp_received=%llu rtcp_rejected=%llu "
	    "frames=%llu silent=%llu ready=%d lost=%lld jitter_us=%u "
	    "rtt_us=%lld peer_lost=%d peer_jitter_us=%u\n", who,
	    (unsigned long long)s->sent, (unsigned long long)s->received,
	    (unsigned long long)s->rejected,
	    (unsigned long long)s->rejected_auth,
	    (unsigned long long)s->rejected_replay,
	    (unsigned long long)s->rejected_malformed,
	    (unsigned long long)s->rejected_ssrc,
	    (unsigned long long)s->send_errors,
	    (unsigned long long)s->rtcp_sent,
	    (unsigned long long)s->rtcp_received,
	    (unsigned long long)s->rtcp_rejected,
	    (unsigned long long)r->c.frames, (unsigned long long)r->c.silent,
	    r->ready, (long long)s->lost, s->jitter_us, (long long)s->rtt_us,
	    s->peer_lost, s->peer_jitter_us);
}

static struct media *
endpoint(struct event_base *base, const struct mikey_result *res,
    bool initiator, const struct mikey_cs_keys *rx_override,
    uint16_t pmin, uint16_t pmax, uint16_t remote_port, bool tone,
    struct rec *r)
{
	struct media_params p;
	struct media *m = NULL;
	int rc;

	memset(&p, 0, sizeof(p));
	p.local_addr = "127.0.0.1";
	p.port_min = pmin;
	p.port_max = pmax;
	p.remote_addr = "127.0.0.1";
	p.remote_port = remote_port;
	media_params_from_mikey(&p, res, initiator);
	if (rx_override)
		p.rx = rx_override;
	p.pt = MEDIA_PT_PCMU;
	p.rtcp_interval_ms = 400;
	if (media_null_source(tone, &p.source) < 0)
		exit(1);
	media_null_sink(&r->c, &r->inner);
	p.sink.write = rec_write;
	p.sink.ctx = r;
	p.on_ready = rec_ready;
	p.ctx = r;
	rc = media_new(base, &p, &m);
	if (rc < 0) {
		fprintf(stderr, "media-driver: media_new: %s\n",
		    strerror(-rc));
		exit(1);
	}
	return m;
}

/* No keys, no media. */
static void
check_refusals(struct event_base *base, const struct mikey_result *res)
{
	struct media_params p;
	struct mikey_cs_keys short_key;
	struct media *m = NULL;

	memset(&p, 0, sizeof(p));
	p.local_addr = "127.0.0.1";
	p.port_min = 40000;
	p.port_max = 40999;
	p.remote_addr = "127.0.0.1";
	p.remote_port = 40000;
	EXPECT(media_new(base, &p, &m) == -EINVAL && !m);
	media_params_from_mikey(&p, res, true);
	p.rx = NULL;
	EXPECT(media_new(base, &p, &m) == -EINVAL && !m);
	short_key = res->cs[1];
	short_key.tek_len = 8;
	p.rx = &short_key;
	EXPECT(media_new(base, &p, &m) == -EINVAL && !m);
	OPENSSL_cleanse(&short_key, sizeof(short_key));
	media_params_from_mikey(&p, res, true);
	p.remote_addr = "localhost";	/* numeric only */
	EXPECT(media_new(base, &p, &m) == -EINVAL && !m);
}

/* Protects one PCMU packet with A's sending key, continuing A's stream. */
static int
forge(const struct mikey_result *ra, const struct rec *rb, uint8_t *pkt)
{
	uint8_t keybuf[MIKEY_SRTP_KEYBUF_MAX], frame[MEDIA_NULL_FRAME];
	const struct mikey_cs_keys *k = &ra->cs[0];
	struct rtp_header h;
	srtp_policy_t pol;
	srtp_t s;
	int len;

	if (mikey_srtp_policy(ra->suite, k->tek, k->tek_len, k->salt,
	    k->salt_len, k->ssrc, true, keybuf, &pol) < 0 ||
	    srtp_create(&s, &pol) != srtp_err_status_ok)
		return -1;
	OPENSSL_cleanse(keybuf, sizeof(keybuf));
	/* B's ROC guess follows the sequence numbers it saw. */
	if (rb->last_seq < rb->first_seq)
		srtp_set_stream_roc(s, k->ssrc, 1);
	memset(&h, 0, sizeof(h));
	h.pt = MEDIA_PT_PCMU;
	h.seq = (uint16_t)(rb->last_seq + 1);
	h.ts = rb->last_ts + MEDIA_NULL_FRAME;
	h.ssrc = k->ssrc;
	memset(frame, 0xff, sizeof(frame));
	len = rtp_write(&h, frame, sizeof(frame), 0, pkt, RTP_PACKET_MAX);
	if (len < 0 || srtp_protect(s, pkt, &len) != srtp_err_status_ok)
		len = -1;
	srtp_dealloc(s);
	return len;
}

static void
inject(struct event_base *base, const struct mikey_result *ra,
    struct media *b, struct rec *rb)
{
	uint8_t pkt[RTP_PACKET_MAX + SRTP_MAX_TRAILER_LEN];
	uint8_t bad[RTP_PACKET_MAX + SRTP_MAX_TRAILER_LEN];
	struct media_stats before, after;
	uint16_t port = media_local_port(b);
	int fd, len;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || !rb->any) {
		EXPECT(!"injector needs a socket and a running stream");
		return;
	}
	media_stats(b, &before);
	/* 1: not RTP at all. */
	mt_send_to(fd, port, (const uint8_t *)"\x80\x00\x01", 3);
	/* 2: well-formed but another SSRC. */
	len = forge(ra, rb, pkt);
	EXPECT(len > 0);
	if (len <= 0)
		return;
	memcpy(bad, pkt, (size_t)len);
	bad[8] ^= 0x55;
	mt_send_to(fd, port, bad, (size_t)len);
	/* 3: tampered: one payload bit flipped. */
	memcpy(bad, pkt, (size_t)len);
	bad[40] ^= 0x01;
	mt_send_to(fd, port, bad, (size_t)len);
	/* 4: the genuine packet, then 5: the same again. */
	mt_send_to(fd, port, pkt, (size_t)len);
	mt_run_loop(base, 100);
	mt_send_to(fd, port, pkt, (size_t)len);
	mt_run_loop(base, 200);
	close(fd);
	media_stats(b, &after);
	printf("inject: received +%llu, malformed +%llu, ssrc +%llu, "
	    "auth +%llu, replay +%llu\n",
	    (unsigned long long)(after.received - before.received),
	    (unsigned long long)(after.rejected_malformed -
	    before.rejected_malformed),
	    (unsigned long long)(after.rejected_ssrc - before.rejected_ssrc),
	    (unsigned long long)(after.rejected_auth - before.rejected_auth),
	    (unsigned long long)(after.rejected_replay -
	    before.rejected_replay));
	EXPECT(after.received - before.received == 1);
	EXPECT(after.rejected_malformed - before.rejected_malformed == 1);
	EXPECT(after.rejected_ssrc - before.rejected_ssrc == 1);
	EXPECT(after.rejected_auth - before.rejected_auth == 1);
	EXPECT(after.rejected_replay - before.rejected_replay == 1);
	EXPECT(after.rejected - before.rejected == 4);
}

static int
send_plain(uint16_t port)
{
	uint8_t frame[MEDIA_NULL_FRAME], pkt[RTP_PACKET_MAX];
	struct rtp_header h;
	int fd, len;

	memset(&h, 0, sizeof(h));
	h.ssrc = 0x0c0c0c0c;
	memset(frame, 0xff, sizeof(frame));
	len = rtp_write(&h, frame, sizeof(frame), 0, pkt, sizeof(pkt));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (len < 0 || fd < 0 || port == 0)
		return 1;
	mt_send_to(fd, port, pkt, (size_t)len);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ms", required_argument, NULL, 'm' },
		{ "wrong-key", no_argument, NULL, 'w' },
		{ "wrong-roc", no_argument, NULL, 'r' },
		{ "inject", no_argument, NULL, 'i' },
		{ "tone", no_argument, NULL, 't' },
		{ "ports", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'f' },
		{ "send-plain", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned ms = 1500;
	bool wrong_key = false, wrong_roc = false, do_inject = false, tone = false;
	uint16_t pmin = 20000, pmax = 29999, pa, pb;	/* < ephemeral */
	const char *port_file = NULL;
	struct mikey_result ra, rb;
	struct mikey_cs_keys bad_rx;
	struct event_base *base;
	struct media *a, *b;
	struct media_stats sa, sb;
	struct rec reca, recb;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			wrong_key = true;
			break;
		case 'r':
			wrong_key = wrong_roc = true;
			break;
		case 'i':
			do_inject = true;
			break;
		case 't':
			tone = true;
			break;
		case 'p':
			if (mt_parse_ports(optarg, &pmin, &pmax) < 0) {
				fprintf(stderr, "bad --ports\n");
				return 2;
			}
			break;
		case 'f':
			port_file = optarg;
			break;
		case 's':
			return send_plain((uint16_t)strtoul(optarg, NULL, 10));
		default:
			return 2;
		}
	}
	if (ms < 500 || ms > 60000)
		return 2;
	if (media_global_init() < 0 || !(base = event_base_new()))
		return 1;
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	mt_key_exchange(&ra, &rb);
	/* The two sides derived the same keys for each direction. */
	EXPECT(ra.cs[0].tek_len == 16 && CRYPTO_memcmp(ra.cs[0].tek,
	    rb.cs[0].tek, 16) == 0);
	EXPECT(CRYPTO_memcmp(ra.cs[1].tek, rb.cs[1].tek, 16) == 0);
	EXPECT(CRYPTO_memcmp(ra.cs[0].tek, ra.cs[1].tek, 16) != 0);
	check_refusals(base, &ra);
	/* The null source's µ-law: silence, both extremes, a G.711 value. */
	EXPECT(media_null_ulaw(0) == 0xff);
	EXPECT(media_null_ulaw(32767) == 0x80);
	EXPECT(media_null_ulaw(-32768) == 0x00);
	EXPECT(media_null_ulaw(1000) == 0xce);
	EXPECT(media_null_ulaw(-1000) == 0x4e);

	memset(&reca, 0, sizeof(reca));
	memset(&recb, 0, sizeof(recb));
	bad_rx = rb.cs[0];
	if (wrong_roc)
		bad_rx.roc = 1;
	else
		bad_rx.tek[5] ^= 0x10;
	/* Each side must know the other's port: A binds first with a
	 * placeholder remote, B binds pointing at A, then A is made again on
	 * its own port pointing at B (as the daemon would after the SDP). */
	a = endpoint(base, &ra, true, NULL, pmin, pmax, 9, tone, &reca);
	pa = media_local_port(a);
	b = endpoint(base, &rb, false, wrong_key ? &bad_rx : NULL, pmin,
	    pmax, pa, tone, &recb);
	pb = media_local_port(b);
	media_free(a);
	a = endpoint(base, &ra, true, NULL, pa, (uint16_t)(pa + 1), pb, tone,
	    &reca);
	EXPECT(media_local_port(a) == pa);
	EXPECT(pa % 2 == 0 && pb % 2 == 0 && pa != pb);
	EXPECT(pa >= pmin && pa <= pmax && pb >= pmin && pb <= pmax);
	if (port_file) {
		FILE *f = fopen(port_file, "w");

		if (!f)
			return 1;
		fprintf(f, "%u %u\n", pa, pb);
		fclose(f);
	}

	EXPECT(media_start(a) == 0 && media_start(b) == 0);
	EXPECT(media_start(a) == -EALREADY);
	mt_run_loop(base, ms);
	media_stop(a);
	media_stop(b);
	mt_run_loop(base, 200);		/* drain what is in flight */

	media_stats(a, &sa);
	media_stats(b, &sb);
	print_stats("A", &sa, &reca);
	print_stats("B", &sb, &recb);

	/* 50 packets/s each way; allow a slow, sanitised, shared machine. */
	EXPECT(sa.sent >= ms / 20 / 2 && sa.sent <= ms / 20 + 3);
	EXPECT(sb.sent >= ms / 20 / 2 && sb.sent <= ms / 20 + 3);
	EXPECT(sa.send_errors == 0 && sb.send_errors == 0);
	EXPECT(sa.rtcp_sent >= 1 && sb.rtcp_sent >= 1);
	/* A always hears B. */
	EXPECT(sa.received == sb.sent && sa.rejected == 0);
	EXPECT(reca.ready && reca.c.frames == sa.received);
	EXPECT(sa.rtcp_received == sb.rtcp_sent && sa.rtcp_rejected == 0);
	EXPECT(sa.lost == 0);
	/* Loopback: jitter well under a frame. */
	EXPECT(sa.jitter_us < 20000);
	if (!tone)
		EXPECT(reca.c.silent == reca.c.frames);
	else
		EXPECT(reca.c.silent == 0);
	if (wrong_key) {
		EXPECT(sb.received == 0 && !recb.ready && recb.c.frames == 0);
		EXPECT(sb.rejected == sa.sent && sb.rejected_auth == sa.sent);
		/* SRTCP carries its own index: the ROC does not touch it. */
		if (wrong_roc)
			EXPECT(sb.rtcp_received == sa.rtcp_sent);
		else
			EXPECT(sb.rtcp_received == 0 &&
			    sb.rtcp_rejected == sa.rtcp_sent);
	} else {
		EXPECT(sb.received == sa.sent && sb.rejected == 0);
		EXPECT(recb.ready && recb.c.frames == sb.received);
		EXPECT(sb.rtcp_received == sa.rtcp_sent);
		EXPECT(sb.rtcp_rejected == 0);
		EXPECT(sb.lost == 0 && sb.jitter_us < 20000);
		/* After two report rounds each side knows the round trip
		 * (loopback: well under 100 ms) and the peer saw no loss. */
		if (ms >= 1000) {
			EXPECT(sa.rtt_us >= 0 && sa.rtt_us < 100000);
			EXPECT(sb.rtt_us >= 0 && sb.rtt_us < 100000);
		}
		EXPECT(sa.peer_lost == 0 && sb.peer_lost == 0);
		if (do_inject)
			inject(base, &ra, b, &recb);
	}

	media_free(a);
	media_free(b);
	mikey_result_clear(&ra);
	mikey_result_clear(&rb);
	OPENSSL_cleanse(&bad_rx, sizeof(bad_rx));
	event_base_free(base);
	media_global_done();
	printf("%s\n", failures ? "FAIL" : "OK");
	return failures ? 1 : 0;
}
