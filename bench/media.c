/* Voice engine load: N calls (2N media endpoints, both ends in this one
 * process, SRTP keyed by one MIKEY exchange) with file audio both ways
 * for a while; prints the CPU per call, the peak RSS and the share of
 * frames that were late (ticks the loop missed: fewer frames sent than
 * the wall clock asks for) or lost (concealed at playout).
 *
 *   bench/media --codec opus|PCMU --calls N --ms D --play FILE
 *       [--ports MIN-MAX]
 *
 * Both ends of every call run here, so "per call" counts two endpoints:
 * what one svopid pays for one call is about half of it. All calls share
 * the keys of one exchange (a bench on loopback: never do that for real).
 * Prints one line:
 *   codec=opus calls=N cpu_ms_per_call_s=... rss_mb=... late_pct=...
 *   lost_pct=...
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <event2/event.h>

#include "audio-file.h"
#include "media.h"
#include "media-test.h"
#include "media-voice.h"

struct end {
	struct media *m;
	struct media_voice *v;	/* borrowed from m */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
end_new(struct event_base *base, const struct mikey_result *k, bool init,
    enum media_codec_id codec, const char *play, uint16_t pmin,
    uint16_t pmax, struct end *e)
{
	struct media_voice_params vp;
	struct media_params p;
	unsigned rate = media_codec_clock(codec);

	memset(&vp, 0, sizeof(vp));
	vp.codec = codec;
	vp.pt = media_codec_default_pt(codec);
	if (audio_file_in(play, rate, &vp.in) < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	if (media_voice_new(base, &vp, &e->v, &p.source, &p.sink) < 0)
		return -1;
	p.local_addr = "127.0.0.1";
	p.port_min = pmin;
	p.port_max = pmax;
	p.remote_addr = "127.0.0.1";
	p.remote_port = 9;
	media_params_from_mikey(&p, k, init);
	p.pt = vp.pt;
	p.clock_rate = rate;
	if (media_new(base, &p, &e->m) < 0) {
		media_voice_free(e->v);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "codec", required_argument, NULL, 'c' },
		{ "calls", required_argument, NULL, 'n' },
		{ "ms", required_argument, NULL, 'm' },
		{ "play", required_argument, NULL, 'p' },
		{ "ports", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	enum media_codec_id codec = MEDIA_CODEC_OPUS;
	unsigned n = 10, ms = 5000;
	uint16_t pmin = 20000, pmax = 29999;
	const char *play = NULL;
	struct mikey_result ka, kb;
	struct event_base *base;
	struct end *a, *b;
	double t0, c0, wall, cpu, expect, sent = 0, lost = 0, played = 0;
	struct rusage ru;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (media_codec_from_name(optarg, &codec) < 0)
				return 2;
			break;
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			play = optarg;
			break;
		case 'P':
			if (mt_parse_ports(optarg, &pmin, &pmax) < 0)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (!play || !n || n > 2000 || ms < 1000)
		return 2;
	if (media_global_init() < 0 || !(base = event_base_new()))
		return 1;
	mt_key_exchange(&ka, &kb);
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	for (unsigned i = 0; i < n; i++) {
		if (end_new(base, &ka, true, codec, play, pmin, pmax, &a[i]) < 0 ||
		    end_new(base, &kb, false, codec, play, pmin, pmax,
		    &b[i]) < 0) {
			fprintf(stderr, "bench/media: call %u: no ports or file\n",
			    i);
			return 1;
		}
		media_set_remote(a[i].m, "127.0.0.1", media_local_port(b[i].m),
		    0);
		media_set_remote(b[i].m, "127.0.0.1", media_local_port(a[i].m),
		    0);
	}
	t0 = now_s();
	c0 = cpu_s();
	for (unsigned i = 0; i < n; i++) {
		media_start(a[i].m);
		media_start(b[i].m);
	}
	mt_run_loop(base, ms);
	wall = now_s() - t0;
	cpu = cpu_s() - c0;
	for (unsigned i = 0; i < n; i++) {
		struct end *e[2] = { &a[i], &b[i] };

		for (int k = 0; k < 2; k++) {
			struct media_stats st;
			struct media_voice_stats vs;

			media_stats(e[k]->m, &st);
			media_voice_stats(e[k]->v, &vs);
			sent += (double)st.sent;
			lost += (double)vs.concealed;
			played += (double)vs.played;
		}
	}
	/* Frames the wall clock asked for, per endpoint, ptime 20 ms. */
	expect = 2.0 * n * (wall * 1000.0 / 20.0);
	getrusage(RUSAGE_SELF, &ru);
	printf("codec=%s calls=%u cpu_ms_per_call_s=%.3f cpu_pct=%.1f "
	    "rss_mb=%.1f late_pct=%.2f lost_pct=%.2f\n",
	    media_codec_name(codec), n, cpu * 1000.0 / wall / n,
	    cpu * 100.0 / wall, ru.ru_maxrss / 1024.0,
	    expect > sent ? (expect - sent) * 100.0 / expect : 0.0,
	    played > 0 ? lost * 100.0 / played : 0.0);
	for (unsigned i = 0; i < n; i++) {
		media_free(a[i].m);
		media_free(b[i].m);
	}
	free(a);
	free(b);
	mikey_result_clear(&ka);
	mikey_result_clear(&kb);
	event_base_free(base);
	media_global_done();
	return 0;
}
