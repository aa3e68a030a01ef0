/* Two media endpoints with the voice engine, keyed by a real MIKEY
 * exchange, talking SRTP on loopback: files in, files out.
 *
 *   media-voice-driver --codec opus|PCMU|PCMA [--ms N]
 *       [--play-a F] [--record-b F] [--play-b F] [--record-a F]
 *       [--relay LOSS_PERMILLE,JITTER_MS,SEED] [--no-conceal]
 *       [--ports MIN-MAX] [--port-file F] [--dump-frames F]
 *       [--pulse-b SERVER [--pulse-sink NAME] [--pulse-source NAME]]
 *       [--dtmf DIGITS] [--mute-a] [--flood-b PPS]
 *
 * A plays --play-a (silence without), B records into --record-b, and the
 * other way round. --dtmf: A sends the digits (RFC 4733) after 300 ms;
 * B must hear them in order, each MEDIA_VOICE_DTMF_MS long. --mute-a: A
 * is muted from the start (B must record silence). --pulse-b: B captures
 * from and plays to the PulseAudio server instead, on its default devices
 * or the named ones (as [media] sink/source give them). --flood-b: junk
 * RTP (a foreign SSRC) hits B's port at PPS packets a second all along;
 * B must still hear A (media-voice.sh checks the recording). --relay puts the seeded lossy, jittery relay
 * (media-relay.c) between them. --no-conceal plays losses as silence, for
 * the comparison with concealment. Checks the counters (every packet sent
 * is authenticated and reaches the jitter buffer when there is no relay)
 * and prints them; tests/integration/media-voice.sh checks the audio with
 * media-corr. Exit 0 when every check holds.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "audio-file.h"
#include "audio-pulse.h"
#include "media.h"
#include "media-relay.h"
#include "media-test.h"
#include "media-voice.h"

static int failures;

#define MEDIA_TEST_DTMF_PT	101

#define EXPECT(cond) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "media-voice-driver:%d: check failed: %s\n", \
		    __LINE__, #cond); \
	} \
} while (0)

/* --dump-frames: every encoded frame, in hex, one a line, as the codec
 * made it (before SRTP), so the capture check can look for them. */
static FILE *dump;

struct dumper {
	struct media_source inner;
};

static int
dump_read(void *ctx, uint8_t pt, uint8_t *out, size_t cap)
{
	struct dumper *d = ctx;
	int n = d->inner.read(d->inner.ctx, pt, out, cap);

	for (int i = 0; i < n; i++)
		fprintf(dump, "%02x", out[i]);
	if (n > 0)
		fputc('\n', dump);
	return n;
}

static void
dump_close(void *ctx)
{
	struct dumper *d = ctx;

	d->inner.close(d->inner.ctx);
	free(d);
}

static void
dump_feedback(void *ctx, uint8_t fraction_lost)
{
	struct dumper *d = ctx;

	d->inner.feedback(d->inner.ctx, fraction_lost);
}

static int
dump_event(void *ctx, uint8_t *out, size_t cap, uint8_t *ret_pt,
    bool *ret_marker, uint32_t *ret_ts_back)
{
	struct dumper *d = ctx;

	return d->inner.event(d->inner.ctx, out, cap, ret_pt, ret_marker,
	    ret_ts_back);
}

static void
dump_wrap(struct media_source *s)
{
	struct dumper *d = calloc(1, sizeof(*d));

	if (!d)
		exit(1);
	d->inner = *s;
	s->read = dump_read;
	s->close = dump_close;
	s->feedback = dump_feedback;
	s->event = d->inner.event ? dump_event : NULL;
	s->ctx = d;
}

/* What B hears of A's digits. */
static char dtmf_got[64];
static unsigned dtmf_ms[64];
static size_t dtmf_n;

static void
on_dtmf(void *ctx, char digit, unsigned ms)
{
	(void)ctx;
	if (dtmf_n < sizeof(dtmf_got) - 1) {
		dtmf_ms[dtmf_n] = ms;
		dtmf_got[dtmf_n++] = digit;
	}
}

struct side {
	const char *name;
	const char *play, *record;
	const char *pulse;		/* server: audio through PulseAudio */
	const char *pulse_sink, *pulse_source;	/* NULL: defaults */
	struct audio_pulse *pa;		/* borrowed from m */
	struct media_voice *voice;	/* borrowed from m */
	struct media *m;
};

static struct media *
endpoint(struct event_base *base, const struct mikey_result *res,
    bool initiator, enum media_codec_id codec, bool no_conceal,
    uint16_t pmin, uint16_t pmax, struct side *s)
{
	struct media_voice_params vp;
	struct media_params p;
	unsigned rate = media_codec_clock(codec);
	int rc;

	memset(&vp, 0, sizeof(vp));
	vp.codec = codec;
	vp.pt = media_codec_default_pt(codec);
	vp.no_conceal = no_conceal;
	vp.play_phase_ms = MEDIA_PTIME_MS / 2;	/* both ends in this process */
	vp.dtmf_pt = MEDIA_TEST_DTMF_PT;
	vp.cn_pt = codec == MEDIA_CODEC_OPUS ? 0 : 13;	/* RFC 3389 */
	vp.on_dtmf = on_dtmf;
	if (s->pulse) {
		struct audio_pulse_params pp = { .server = s->pulse,
		    .sink = s->pulse_sink, .source = s->pulse_source,
		    .name = s->name, .rate = rate, .wait = true };

		if ((rc = audio_pulse_open(&pp, &s->pa, &vp.in, &vp.out)) < 0) {
			fprintf(stderr, "pulse %s: %s\n", s->pulse,
			    strerror(-rc));
			exit(1);
		}
	}
	if (s->play && (rc = audio_file_in(s->play, rate, &vp.in)) < 0) {
		fprintf(stderr, "%s: %s\n", s->play, strerror(-rc));
		exit(1);
	}
	if (s->record && (rc = audio_file_out(s->record, rate, &vp.out)) < 0) {
		fprintf(stderr, "%s: %s\n", s->record, strerror(-rc));
		exit(1);
	}
	memset(&p, 0, sizeof(p));
	if (media_voice_new(base, &vp, &s->voice, &p.source, &p.sink) < 0)
		exit(1);
	if (dump)
		dump_wrap(&p.source);
	p.local_addr = "127.0.0.1";
	p.port_min = pmin;
	p.port_max = pmax;
	p.remote_addr = "127.0.0.1";
	p.remote_port = 9;		/* set once the peer is bound */
	media_params_from_mikey(&p, res, initiator);
	p.pt = vp.pt;
	p.clock_rate = rate;
	p.rx_phase_ms = vp.play_phase_ms;
	p.rtcp_interval_ms = 500;
	rc = media_new(base, &p, &s->m);
	if (rc < 0) {
		fprintf(stderr, "media_new: %s\n", strerror(-rc));
		media_voice_free(s->voice);
		exit(1);
	}
	return s->m;
}

static void
report(const struct side *s)
{
	struct media_stats ms;
	struct media_voice_stats vs;

	media_stats(s->m, &ms);
	media_voice_stats(s->voice, &vs);
	printf("%s: sent=%llu received=%llu rejected=%llu lost=%lld "
	    "jitter_us=%u rtt_us=%lld frames_in=%llu packets=%llu "
	    "played=%llu concealed=%llu dropped=%llu buffer_ms=%u "
	    "held_ms_avg=%.1f held_ms_max=%.1f\n",
	    s->name, (unsigned long long)ms.sent,
	    (unsigned long long)ms.received, (unsigned long long)ms.rejected,
	    (long long)ms.lost, ms.jitter_us, (long long)ms.rtt_us,
	    (unsigned long long)vs.frames_in, (unsigned long long)vs.packets,
	    (unsigned long long)vs.played, (unsigned long long)vs.concealed,
	    (unsigned long long)vs.dropped, vs.buffer_ms,
	    vs.held_frames ? vs.held_us_sum / 1e3 / (double)vs.held_frames : 0.0,
	    vs.held_us_max / 1e3);
}

/* The flooder: every 5 ms, pps / 200 junk datagrams to B's RTP port. */
struct flood {
	int fd;
	unsigned per_tick;
	struct sockaddr_in to;
	unsigned long long sent;
};

static void
flood_tick(evutil_socket_t fd, short what, void *arg)
{
	struct flood *fl = arg;
	uint8_t pkt[12 + 160];
	(void)fd;
	(void)what;

	memset(pkt, 0x55, sizeof(pkt));
	pkt[0] = 0x80;			/* RTP version 2 */
	pkt[1] = 0;			/* PCMU */
	for (unsigned i = 0; i < fl->per_tick; i++) {
		pkt[2] = (uint8_t)(fl->sent >> 8);
		pkt[3] = (uint8_t)fl->sent;
		if (sendto(fl->fd, pkt, sizeof(pkt), 0,
		    (struct sockaddr *)&fl->to, sizeof(fl->to)) > 0)
			fl->sent++;
	}
}

static void
check_side(const struct side *rx, const struct side *tx, bool relay,
    bool muted_tx, bool dtx, const struct media_voice_stats *at_stop,
    bool flooded)
{
	struct media_stats mr, mt;
	struct media_voice_stats vr, vt;

	media_stats(rx->m, &mr);
	media_stats(tx->m, &mt);
	media_voice_stats(rx->voice, &vr);
	media_voice_stats(tx->voice, &vt);
	EXPECT(mt.sent > 0 && vt.frames_in + vt.event_packets_sent +
	    vt.cn_sent == mt.sent);
	EXPECT((mr.rejected == 0 || flooded) && vr.dropped == 0);
	EXPECT(vr.played > 0 || (!rx->record && !rx->pulse));
	EXPECT(vr.packets + vr.event_packets_received + vr.cn_received ==
	    mr.received);
	if (muted_tx && dtx) {
		/* Opus DTX: a comfort-noise packet every 400 ms, not one
		 * every 20 ms; the gaps play as concealment. */
		printf("%s: muted, dtx_frames=%llu sent=%llu\n", tx->name,
		    (unsigned long long)vt.dtx_frames,
		    (unsigned long long)mt.sent);
		EXPECT(vt.dtx_frames > 2 * mt.sent);
		EXPECT(mr.received == mt.sent);
	} else if (muted_tx) {
		/* G.711 with CN (RFC 3389): a CN packet every
		 * MEDIA_VOICE_CN_EVERY frames and no audio; the receiver
		 * plays the noise. */
		printf("%s: muted, cn_sent=%llu sent=%llu; %s cn_played=%llu"
		    " of %llu\n", tx->name, (unsigned long long)vt.cn_sent,
		    (unsigned long long)mt.sent, rx->name,
		    (unsigned long long)vr.cn_played,
		    (unsigned long long)vr.played);
		EXPECT(vt.dtx_frames == 0 && vt.frames_in == 0 &&
		    vt.cn_sent > 0 && mr.received == mt.sent);
		EXPECT(vr.cn_received == vt.cn_sent && vr.cn_played > 0 &&
		    vr.cn_played == vr.played);
	} else if (flooded) {
		/* Junk was rejected by its SSRC, before any crypto; the peer's
		 * packets got through (the recording says how well). */
		printf("%s: flooded, rejected_ssrc=%llu, received %llu of "
		    "%llu\n", rx->name, (unsigned long long)mr.rejected_ssrc,
		    (unsigned long long)mr.received,
		    (unsigned long long)mt.sent);
		EXPECT(mr.rejected_ssrc > 0 && mr.received > 0);
	} else if (!relay) {
		EXPECT(mr.received == mt.sent);
		/* Loopback: nothing to conceal but the jitter buffer's own
		 * start (a few frames at most), and what a starved process
		 * (a loaded machine) owes to ticks that ran late or not at
		 * all on either side (printed, so a failure shows which). */
		uint64_t excused = at_stop->play_late + at_stop->play_skipped +
		    mt.frames_late + mt.frames_skipped;

		printf("%s: concealed=%llu late_or_skipped_ticks=%llu\n",
		    rx->name, (unsigned long long)at_stop->concealed,
		    (unsigned long long)excused);
		EXPECT(at_stop->concealed <= 5 + vr.event_packets_received +
		    excused);
	} else {
		EXPECT(mr.received < mt.sent && mr.received > mt.sent / 2);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "codec", required_argument, NULL, 'c' },
		{ "ms", required_argument, NULL, 'm' },
		{ "play-a", required_argument, NULL, 'A' },
		{ "record-a", required_argument, NULL, 'a' },
		{ "play-b", required_argument, NULL, 'B' },
		{ "record-b", required_argument, NULL, 'b' },
		{ "relay", required_argument, NULL, 'r' },
		{ "no-conceal", no_argument, NULL, 'n' },
		{ "ports", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'f' },
		{ "dump-frames", required_argument, NULL, 'd' },
		{ "pulse-b", required_argument, NULL, 'P' },
		{ "pulse-sink", required_argument, NULL, 'S' },
		{ "pulse-source", required_argument, NULL, 'R' },
		{ "dtmf", required_argument, NULL, 'D' },
		{ "mute-a", no_argument, NULL, 'M' },
		{ "flood-b", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct side a = { .name = "A" }, b = { .name = "B" };
	enum media_codec_id codec = MEDIA_CODEC_OPUS;
	unsigned ms = 3000, loss = 0, jitter = 0;
	unsigned long long seed = 0;
	bool relay = false, no_conceal = false, mute_a = false;
	uint16_t pmin = 20000, pmax = 29999, ra_port, rb_port;
	const char *port_file = NULL, *dtmf = NULL;
	struct media_relay *rl = NULL;
	struct mikey_result ka, kb;
	struct event_base *base;
	struct media_voice_stats va, vb;
	struct flood fl = { .fd = -1 };
	struct event *fl_ev = NULL;
	unsigned flood_pps = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (media_codec_from_name(optarg, &codec) < 0)
				return 2;
			break;
		case 'm':
			ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'A': a.play = optarg; break;
		case 'a': a.record = optarg; break;
		case 'B': b.play = optarg; break;
		case 'b': b.record = optarg; break;
		case 'r':
			if (sscanf(optarg, "%u,%u,%llu", &loss, &jitter,
			    &seed) != 3 || loss > 1000 || jitter > 1000)
				return 2;
			relay = true;
			break;
		case 'n':
			no_conceal = true;
			break;
		case 'p':
			if (mt_parse_ports(optarg, &pmin, &pmax) < 0)
				return 2;
			break;
		case 'f':
			port_file = optarg;
			break;
		case 'P':
			b.pulse = optarg;
			break;
		case 'S':
			b.pulse_sink = optarg;
			break;
		case 'R':
			b.pulse_source = optarg;
			break;
		case 'D':
			dtmf = optarg;
			break;
		case 'M':
			mute_a = true;
			break;
		case 'F':
			flood_pps = (unsigned)strtoul(optarg, NULL, 10);
			if (flood_pps < 200 || flood_pps > 200000)
				return 2;
			break;
		case 'd':
			if (!(dump = fopen(optarg, "w")))
				return 1;
			break;
		default:
			return 2;
		}
	}
	if (ms < 200 || ms > 600000)
		return 2;
	if (media_global_init() < 0 || !(base = event_base_new()))
		return 1;
	mt_key_exchange(&ka, &kb);
	endpoint(base, &ka, true, codec, no_conceal, pmin, pmax, &a);
	endpoint(base, &kb, false, codec, no_conceal, pmin, pmax, &b);
	ra_port = media_local_port(b.m);
	rb_port = media_local_port(a.m);
	if (relay) {
		rl = media_relay_new(base, pmin, pmax, media_local_port(a.m),
		    media_local_port(b.m), loss, jitter, seed, &ra_port,
		    &rb_port);
		if (!rl)
			return 1;
	}
	EXPECT(media_set_remote(a.m, "127.0.0.1", ra_port, 0) == 0);
	EXPECT(media_set_remote(b.m, "127.0.0.1", rb_port, 0) == 0);
	if (port_file) {
		FILE *f = fopen(port_file, "w");

		if (!f)
			return 1;
		fprintf(f, "%u %u\n", media_local_port(a.m),
		    media_local_port(b.m));
		fclose(f);
	}
	if (flood_pps) {
		struct timeval five = { 0, 5000 };

		fl.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		fl.per_tick = flood_pps / 200;
		fl.to.sin_family = AF_INET;
		fl.to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fl.to.sin_port = htons(media_local_port(b.m));
		fl_ev = event_new(base, -1, EV_PERSIST, flood_tick, &fl);
		if (fl.fd < 0 || !fl_ev || event_add(fl_ev, &five) < 0)
			return 1;
	}
	if (mute_a)
		media_voice_set_mute(a.voice, true);
	EXPECT(media_start(a.m) == 0 && media_start(b.m) == 0);
	if (dtmf) {
		/* Refusals first, then A's digits after 300 ms of audio. */
		EXPECT(media_voice_dtmf(a.voice, "12x", 0) == -EINVAL);
		EXPECT(media_voice_dtmf(a.voice, "1", 20) == -EINVAL);
		mt_run_loop(base, 300);
		EXPECT(media_voice_dtmf(a.voice, dtmf, 0) == 0);
		EXPECT(media_voice_dtmf(a.voice, "1", 0) == -EBUSY);
		ms = ms > 300 ? ms - 300 : 0;
	}
	mt_run_loop(base, ms);
	if (fl_ev) {
		event_free(fl_ev);
		close(fl.fd);
		printf("flood: %llu junk packets to B\n", fl.sent);
	}
	media_stop(a.m);
	media_stop(b.m);
	media_voice_stats(a.voice, &va);
	media_voice_stats(b.voice, &vb);
	/* Let the jitter buffers play out and the relay empty. */
	mt_run_loop(base, 400 + 2 * jitter);
	for (int i = 0; rl && media_relay_pending(rl) && i < 50; i++)
		mt_run_loop(base, 100);
	report(&a);
	report(&b);
	if (rl) {
		struct media_relay_stats rs;

		media_relay_stats(rl, &rs);
		printf("relay: forwarded=%llu dropped=%llu reordered=%llu\n",
		    (unsigned long long)rs.forwarded,
		    (unsigned long long)rs.dropped,
		    (unsigned long long)rs.reordered);
		EXPECT(rs.dropped > 0 && rs.reordered > 0);
	}
	if (b.pa) {
		struct audio_pulse_stats ps;

		audio_pulse_stats(b.pa, &ps);
		printf("pulse: connects=%llu underruns=%llu dropped=%llu "
		    "play_latency_ms=%.1f\n",
		    (unsigned long long)ps.connects,
		    (unsigned long long)ps.underruns,
		    (unsigned long long)ps.dropped, ps.play_latency_us / 1e3);
	}
	check_side(&b, &a, relay, mute_a, codec == MEDIA_CODEC_OPUS, &vb,
	    flood_pps > 0);
	check_side(&a, &b, relay, false, false, &va, false);
	if (dtmf) {
		dtmf_got[dtmf_n] = 0;
		printf("dtmf: sent \"%s\" received \"%s\"", dtmf, dtmf_got);
		for (size_t i = 0; i < dtmf_n; i++)
			printf(" %c:%ums", dtmf_got[i], dtmf_ms[i]);
		printf("\n");
		EXPECT(strcmp(dtmf_got, dtmf) == 0);
		for (size_t i = 0; i < dtmf_n; i++)
			EXPECT(dtmf_ms[i] == MEDIA_VOICE_DTMF_MS);
	}
	printf("codec=%s\n", media_codec_name(codec));
	media_free(a.m);
	media_free(b.m);
	media_relay_free(rl);
	mikey_result_clear(&ka);
	mikey_result_clear(&kb);
	event_base_free(base);
	media_global_done();
	if (dump)
		fclose(dump);
	printf("%s\n", failures ? "FAIL" : "OK");
	return failures ? 1 : 0;
}
