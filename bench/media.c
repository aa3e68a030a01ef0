/* Voice engine load: N calls (2N media endpoints, SRTP keyed by one
 * MIKEY exchange) with file audio both ways for a while; prints the CPU
 * per call, the peak RSS and the share of frames that were late or lost.
 *
 *   bench/media --codec opus|PCMU --calls N --ms D --play FILE
 *       [--record DIR] [--ports MIN-MAX] [--split]
 *
 * With --record every end also decodes what it receives through its
 * jitter buffer and records it to DIR/a-I.wav or DIR/b-I.wav (a tmpfs is
 * best); without it received packets are only counted (no playout).
 *
 * Without --split both ends of every call run in this one process, so
 * "per call" counts two endpoints. With --split the process forks after
 * the set-up: the parent keeps the N calling ends (as one svopid carrying
 * N calls would), the child the N answering ends (the peers), and each
 * prints its own line (side=a, side=b). All calls share the keys of one
 * exchange (a bench on loopback: never do that for real).
 *
 * A frame is late when the shared frame clock (media-clock.h) ran its
 * slot more than a ptime after its time, on the sending side or at
 * playout, or skipped it; lost when playout had to conceal it. Prints:
 *   codec=opus calls=N side=ab cpu_ms_per_call_s=... cpu_pct=...
 *   rss_mb=... late_pct=... lost_pct=... wall_late_pct=...
 * (wall_late_pct: frames the wall clock asked for but never sent, the
 * older measure, kept as a check.)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

struct opts {
	enum media_codec_id codec;
	const char *play, *record;
	uint16_t pmin, pmax;
};

static int
end_new(struct event_base *base, const struct mikey_result *k, bool init,
    const struct opts *o, unsigned i, struct end *e)
{
	struct media_voice_params vp;
	struct media_params p;
	unsigned rate = media_codec_clock(o->codec);
	char path[4096];

	memset(&vp, 0, sizeof(vp));
	vp.codec = o->codec;
	vp.pt = media_codec_default_pt(o->codec);
	if (audio_file_in(o->play, rate, &vp.in) < 0)
		return -1;
	if (o->record) {
		snprintf(path, sizeof(path), "%s/%c-%u.wav", o->record,
		    init ? 'a' : 'b', i);
		if (audio_file_out(path, rate, &vp.out) < 0) {
			vp.in.close(vp.in.ctx);
			return -1;
		}
	}
	memset(&p, 0, sizeof(p));
	if (media_voice_new(base, &vp, &e->v, &p.source, &p.sink) < 0)
		return -1;
	p.local_addr = "127.0.0.1";
	p.port_min = o->pmin;
	p.port_max = o->pmax;
	p.remote_addr = "127.0.0.1";
	p.remote_port = 9;
	media_params_from_mikey(&p, k, init);
	p.pt = vp.pt;
	p.clock_rate = rate;
	p.ptime_ms = MEDIA_PTIME_MS;
	if (media_new(base, &p, &e->m) < 0) {
		media_voice_free(e->v);
		return -1;
	}
	return 0;
}

struct tally {
	double sent, due, late, lost, played;
};

static void
tally_end(const struct end *e, struct tally *t)
{
	struct media_stats st;
	struct media_voice_stats vs;

	media_stats(e->m, &st);
	media_voice_stats(e->v, &vs);
	t->sent += (double)st.sent;
	/* Slots: sent, skipped; playout: played, skipped. */
	t->due += (double)(st.sent + st.frames_skipped + vs.played +
	    vs.play_skipped);
	t->late += (double)(st.frames_late + st.frames_skipped +
	    vs.play_late + vs.play_skipped);
	t->lost += (double)vs.concealed;
	t->played += (double)vs.played;
}

/* Runs the loop over the ends this process keeps and prints its line. */
static void
run(struct event_base *base, struct end **sides, unsigned nsides,
    const char *side, enum media_codec_id codec, unsigned n, unsigned ms)
{
	struct tally t;
	struct rusage ru;
	double t0, c0, wall, cpu, expect;

	memset(&t, 0, sizeof(t));
	t0 = now_s();
	c0 = cpu_s();
	for (unsigned k = 0; k < nsides; k++)
		for (unsigned i = 0; i < n; i++)
			media_start(sides[k][i].m);
	mt_run_loop(base, ms);
	wall = now_s() - t0;
	cpu = cpu_s() - c0;
	for (unsigned k = 0; k < nsides; k++)
		for (unsigned i = 0; i < n; i++)
			tally_end(&sides[k][i], &t);
	/* Frames the wall clock asked for, per endpoint, ptime 20 ms. */
	expect = nsides * n * (wall * 1000.0 / 20.0);
	getrusage(RUSAGE_SELF, &ru);
	printf("codec=%s calls=%u side=%s cpu_ms_per_call_s=%.3f "
	    "cpu_pct=%.1f rss_mb=%.1f late_pct=%.2f lost_pct=%.2f "
	    "wall_late_pct=%.2f\n",
	    media_codec_name(codec), n, side, cpu * 1000.0 / wall / n,
	    cpu * 100.0 / wall, ru.ru_maxrss / 1024.0,
	    t.due > 0 ? t.late * 100.0 / t.due : 0.0,
	    t.played > 0 ? t.lost * 100.0 / t.played : 0.0,
	    expect > t.sent + 1 ? (expect - t.sent) * 100.0 / expect : 0.0);
	fflush(stdout);
}

static void
free_side(struct end *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		media_free(e[i].m);
	free(e);
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
		{ "split", no_argument, NULL, 's' },
		{ "record", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { MEDIA_CODEC_OPUS, NULL, NULL, 20000, 29999 };
	unsigned n = 10, ms = 5000;
	bool split = false;
	struct mikey_result ka, kb;
	struct event_base *base;
	struct end *a, *b;
	int c, status = 0;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (media_codec_from_name(optarg, &o.codec) < 0)
				return 2;
			break;
		case 'n':
			n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			o.play = optarg;
			break;
		case 'P':
			if (mt_parse_ports(optarg, &o.pmin, &o.pmax) < 0)
				return 2;
			break;
		case 's':
			split = true;
			break;
		case 'r':
			o.record = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!o.play || !n || n > 2000 || ms < 1000)
		return 2;
	if (media_global_init() < 0 || !(base = event_base_new()))
		return 1;
	mt_key_exchange(&ka, &kb);
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	for (unsigned i = 0; i < n; i++) {
		if (end_new(base, &ka, true, &o, i, &a[i]) < 0 ||
		    end_new(base, &kb, false, &o, i, &b[i]) < 0) {
			fprintf(stderr, "bench/media: call %u: no ports or file\n",
			    i);
			return 1;
		}
		media_set_remote(a[i].m, "127.0.0.1", media_local_port(b[i].m),
		    0);
		media_set_remote(b[i].m, "127.0.0.1", media_local_port(a[i].m),
		    0);
	}
	if (!split) {
		struct end *both[2] = { a, b };

		run(base, both, 2, "ab", o.codec, n, ms);
		free_side(a, n);
		free_side(b, n);
	} else {
		fflush(stdout);
		if ((pid = fork()) < 0)
			return 1;
		/* Each process gets its own epoll set before dropping the
		 * other side's sockets (the inherited one is shared). */
		if (event_reinit(base) < 0)
			return 1;
		free_side(pid ? b : a, n);
		run(base, pid ? &a : &b, 1, pid ? "a" : "b", o.codec, n,
		    ms);
		free_side(pid ? a : b, n);
		if (!pid)
			_exit(0);
		if (waitpid(pid, &status, 0) < 0 || status != 0)
			return 1;
	}
	mikey_result_clear(&ka);
	mikey_result_clear(&kb);
	event_base_free(base);
	media_global_done();
	return 0;
}
