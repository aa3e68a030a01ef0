/* PulseAudio backend: see audio-pulse.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pulse/pulseaudio.h>

#include "audio-pulse.h"

#define PULSE_RETRY_NS	1000000000ULL
#define PULSE_OPEN_WAIT_MS	2000

struct pulse_ring {
	int16_t *x;		/* owned */
	size_t size, head, len;
};

struct audio_pulse {
	pa_threaded_mainloop *ml;	/* owned */
	pa_context *ctx;		/* owned; NULL between connections */
	pa_stream *play_s, *rec;	/* owned; NULL until created */
	char *server, *sink, *source, *name;	/* owned copies */
	unsigned rate;
	int refs;
	uint64_t last_try_ns;
	uint64_t last_stream_ns;	/* last stream (re)creation */
	bool ready_seen;	/* the current context was counted */
	bool cap_primed;	/* enough capture buffered to play from */
	struct pulse_ring cap;	/* capture not read by us yet */
	struct pulse_ring play;	/* playback the server had no room for */
	struct audio_pulse_stats st;
};

static uint64_t
pulse_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
pulse_drop_stream(pa_stream **s)
{
	if (!*s)
		return;
	pa_stream_set_state_callback(*s, NULL, NULL);
	pa_stream_set_write_callback(*s, NULL, NULL);
	pa_stream_disconnect(*s);
	pa_stream_unref(*s);
	*s = NULL;
}

static void
pulse_drop_context(struct audio_pulse *pa)
{
	pulse_drop_stream(&pa->play_s);
	pulse_drop_stream(&pa->rec);
	if (pa->ctx) {
		pa_context_set_state_callback(pa->ctx, NULL, NULL);
		pa_context_disconnect(pa->ctx);
		pa_context_unref(pa->ctx);
		pa->ctx = NULL;
	}
}

/* Wakes audio_pulse_open's wait; runs in libpulse's thread. */
static void
pulse_on_state(pa_context *c, void *arg)
{
	(void)c;
	pa_threaded_mainloop_signal(arg, 0);
}

/* Under the lock: a new connection attempt, at most once per second. */
static void
pulse_connect(struct audio_pulse *pa)
{
	uint64_t now = pulse_now_ns();

	if (pa->last_try_ns && now - pa->last_try_ns < PULSE_RETRY_NS)
		return;
	pa->last_try_ns = now;
	pa->ctx = pa_context_new(pa_threaded_mainloop_get_api(pa->ml),
	    pa->name);
	if (!pa->ctx)
		return;
	pa->ready_seen = false;
	pa_context_set_state_callback(pa->ctx, pulse_on_state, pa->ml);
	if (pa_context_connect(pa->ctx, pa->server, PA_CONTEXT_NOAUTOSPAWN,
	    NULL) < 0)
		pulse_drop_context(pa);
}

static void pulse_on_writable(pa_stream *s, size_t nbytes, void *arg);

static pa_stream *
pulse_stream(struct audio_pulse *pa, bool playback)
{
	pa_sample_spec ss = { PA_SAMPLE_S16LE, pa->rate, 1 };
	size_t frame = pa_usec_to_bytes(20000, &ss);
	pa_buffer_attr attr;
	pa_stream *s;

	s = pa_stream_new(pa->ctx, playback ? "call playback" :
	    "call capture", &ss, NULL);
	if (!s)
		return NULL;
	memset(&attr, 0xff, sizeof(attr));	/* (uint32_t)-1: default */
	if (playback) {
		attr.tlength = (uint32_t)pa_usec_to_bytes(
		    AUDIO_PULSE_TLENGTH_MS * 1000, &ss);
		attr.prebuf = (uint32_t)(2 * frame);
		attr.minreq = (uint32_t)frame;
		pa_stream_set_write_callback(s, pulse_on_writable, pa);
		if (pa_stream_connect_playback(s, pa->sink, &attr,
		    PA_STREAM_ADJUST_LATENCY | PA_STREAM_INTERPOLATE_TIMING |
		    PA_STREAM_AUTO_TIMING_UPDATE, NULL, NULL) == 0)
			return s;
	} else {
		attr.fragsize = (uint32_t)frame;
		if (pa_stream_connect_record(s, pa->source, &attr,
		    PA_STREAM_ADJUST_LATENCY) == 0)
			return s;
	}
	pa_stream_unref(s);
	return NULL;
}

static bool
pulse_stream_dead(pa_stream *s)
{
	pa_stream_state_t st = pa_stream_get_state(s);

	return st == PA_STREAM_FAILED || st == PA_STREAM_TERMINATED;
}

/* Under the lock, from every read/write: brings the connection and both
 * streams back if the server went away. */
static void
pulse_ensure(struct audio_pulse *pa)
{
	pa_context_state_t st;

	if (!pa->ctx) {
		pulse_connect(pa);
		return;
	}
	st = pa_context_get_state(pa->ctx);
	if (st == PA_CONTEXT_FAILED || st == PA_CONTEXT_TERMINATED) {
		pulse_drop_context(pa);
		pulse_connect(pa);
		return;
	}
	if (st != PA_CONTEXT_READY)
		return;
	if (!pa->ready_seen) {
		pa->ready_seen = true;
		pa->st.connects++;
	}
	if (pa->play_s && pulse_stream_dead(pa->play_s))
		pulse_drop_stream(&pa->play_s);
	if (pa->rec && pulse_stream_dead(pa->rec))
		pulse_drop_stream(&pa->rec);
	/* A stream that failed (no such sink or source: [media] sink and
	 * source are names the server may not know yet) is tried again at
	 * most once per PULSE_RETRY_NS, not every frame. */
	if ((!pa->play_s || !pa->rec) && pa->last_stream_ns &&
	    pulse_now_ns() - pa->last_stream_ns < PULSE_RETRY_NS)
		return;
	if (!pa->play_s || !pa->rec)
		pa->last_stream_ns = pulse_now_ns();
	if (!pa->play_s) {
		/* A new stream starts without what piled up meanwhile: that
		 * would be added delay for the rest of the call. */
		pa->play.len = 0;
		pa->play_s = pulse_stream(pa, true);
	}
	if (!pa->rec)
		pa->rec = pulse_stream(pa, false);
}

/* Appends n samples (silence when x is NULL); when full the oldest go.
 * Returns how many were lost that way. */
static size_t
ring_push(struct pulse_ring *r, const int16_t *x, size_t n)
{
	size_t lost = 0;

	for (size_t i = 0; i < n; i++) {
		r->x[(r->head + r->len) % r->size] = x ? x[i] : 0;
		if (r->len < r->size) {
			r->len++;
		} else {
			r->head = (r->head + 1) % r->size;
			lost++;
		}
	}
	return lost;
}

/* Moves up to n samples out of the ring (out NULL: drops them); returns
 * how many. */
static size_t
ring_pop(struct pulse_ring *r, int16_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n && r->len; i++) {
		if (out)
			out[i] = r->x[r->head];
		r->head = (r->head + 1) % r->size;
		r->len--;
	}
	return i;
}

static int
pulse_read(void *ctx, int16_t *pcm, size_t n)
{
	struct audio_pulse *pa = ctx;
	const void *data;
	size_t len, i;

	pa_threaded_mainloop_lock(pa->ml);
	pulse_ensure(pa);
	while (pa->rec && pa_stream_get_state(pa->rec) == PA_STREAM_READY &&
	    pa_stream_readable_size(pa->rec) > 0 &&
	    pa_stream_peek(pa->rec, &data, &len) == 0 && len > 0) {
		/* data NULL is a hole in the capture: silence. */
		ring_push(&pa->cap, data, len / sizeof(int16_t));
		pa_stream_drop(pa->rec);
	}
	/* Start (and restart after an underrun) only with two frames in
	 * hand: a capture that arrives unevenly then plays evenly instead
	 * of being cut by bits of silence. */
	if (pa->cap_primed && pa->cap.len < n) {
		pa->st.underruns++;
		pa->cap_primed = false;
	}
	if (!pa->cap_primed && pa->cap.len >= 2 * n)
		pa->cap_primed = true;
	i = pa->cap_primed ? ring_pop(&pa->cap, pcm, n) : 0;
	pa_threaded_mainloop_unlock(pa->ml);
	memset(pcm + i, 0, (n - i) * sizeof(int16_t));
	return 0;
}

/* Under the lock: hands the server what it asked for from the ring. */
static void
pulse_feed(struct audio_pulse *pa)
{
	int16_t chunk[960];
	size_t room, k;

	if (!pa->play_s || pa_stream_get_state(pa->play_s) != PA_STREAM_READY)
		return;
	room = pa_stream_writable_size(pa->play_s) / sizeof(int16_t);
	while (room && pa->play.len) {
		k = ring_pop(&pa->play, chunk, room < 960 ? room : 960);
		if (pa_stream_write(pa->play_s, chunk, k * sizeof(int16_t),
		    NULL, 0, PA_SEEK_RELATIVE) < 0)
			break;
		room -= k;
	}
}

/* The server wants more: libpulse's thread, lock held. */
static void
pulse_on_writable(pa_stream *s, size_t nbytes, void *arg)
{
	(void)s;
	(void)nbytes;
	pulse_feed(arg);
}

static int
pulse_write(void *ctx, const int16_t *pcm, size_t n)
{
	struct audio_pulse *pa = ctx;

	pa_threaded_mainloop_lock(pa->ml);
	pulse_ensure(pa);
	/* The ring absorbs the server's uneven pull (it takes whole blocks). */
	pa->st.dropped += ring_push(&pa->play, pcm, n);
	pulse_feed(pa);
	/* The server is full and we still hold more than a frame: that
	 * surplus is delay, not a cushion. */
	if (pa->play.len > n && pa->play_s &&
	    pa_stream_get_state(pa->play_s) == PA_STREAM_READY &&
	    pa_stream_writable_size(pa->play_s) == 0)
		pa->st.dropped += ring_pop(&pa->play, NULL, pa->play.len - n);
	pa_threaded_mainloop_unlock(pa->ml);
	return 0;
}

static void
pulse_free(struct audio_pulse *pa)
{
	if (pa->ml) {
		pa_threaded_mainloop_lock(pa->ml);
		pulse_drop_context(pa);
		pa_threaded_mainloop_unlock(pa->ml);
		pa_threaded_mainloop_stop(pa->ml);
		pa_threaded_mainloop_free(pa->ml);
	}
	free(pa->server);
	free(pa->sink);
	free(pa->source);
	free(pa->name);
	free(pa->cap.x);
	free(pa->play.x);
	free(pa);
}

static void
pulse_close(void *ctx)
{
	struct audio_pulse *pa = ctx;

	if (--pa->refs == 0)
		pulse_free(pa);
}

static char *
dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

/* Waits (lock held) until the first context is ready or failed. */
static int
pulse_wait_ready(struct audio_pulse *pa)
{
	uint64_t until = pulse_now_ns() + PULSE_OPEN_WAIT_MS * 1000000ULL;

	while (pa->ctx && pulse_now_ns() < until) {
		pa_context_state_t st = pa_context_get_state(pa->ctx);

		if (st == PA_CONTEXT_READY)
			return 0;
		if (st == PA_CONTEXT_FAILED || st == PA_CONTEXT_TERMINATED)
			break;
		pa_threaded_mainloop_wait(pa->ml);
	}
	return -ECONNREFUSED;
}

int
audio_pulse_open(const struct audio_pulse_params *p,
    struct audio_pulse **ret_pulse, struct audio_in *ret_in,
    struct audio_out *ret_out)
{
	struct audio_pulse *pa;
	bool ok = true;
	int rc;

	if (!p->rate || p->rate > 192000)
		return -EINVAL;
	pa = calloc(1, sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	pa->rate = p->rate;
	pa->server = dup_or_null(p->server, &ok);
	pa->sink = dup_or_null(p->sink, &ok);
	pa->source = dup_or_null(p->source, &ok);
	pa->name = dup_or_null(p->name ? p->name : "svopid", &ok);
	pa->cap.size = (size_t)p->rate * AUDIO_PULSE_RING_MS / 1000;
	pa->play.size = (size_t)p->rate * AUDIO_PULSE_PLAY_RING_MS / 1000;
	pa->cap.x = calloc(pa->cap.size, sizeof(int16_t));
	pa->play.x = calloc(pa->play.size, sizeof(int16_t));
	pa->ml = pa_threaded_mainloop_new();
	if (!ok || !pa->cap.x || !pa->play.x || !pa->ml) {
		pulse_free(pa);
		return -ENOMEM;
	}
	if (pa_threaded_mainloop_start(pa->ml) < 0) {
		pa_threaded_mainloop_free(pa->ml);
		pa->ml = NULL;
		pulse_free(pa);
		return -ENOMEM;
	}
	pa_threaded_mainloop_lock(pa->ml);
	pulse_connect(pa);
	rc = p->wait ? pulse_wait_ready(pa) : 0;
	if (rc == 0 && p->wait)
		pulse_ensure(pa);
	pa_threaded_mainloop_unlock(pa->ml);
	if (rc < 0) {
		pulse_free(pa);
		return rc;
	}
	pa->refs = 2;
	ret_in->read = pulse_read;
	ret_in->close = pulse_close;
	ret_in->ctx = pa;
	ret_out->write = pulse_write;
	ret_out->close = pulse_close;
	ret_out->ctx = pa;
	*ret_pulse = pa;
	return 0;
}

void
audio_pulse_stats(struct audio_pulse *pa, struct audio_pulse_stats *ret)
{
	pa_usec_t lat;
	int neg;

	pa_threaded_mainloop_lock(pa->ml);
	*ret = pa->st;
	if (pa->play_s && pa_stream_get_state(pa->play_s) == PA_STREAM_READY &&
	    pa_stream_get_latency(pa->play_s, &lat, &neg) == 0)
		ret->play_latency_us = (uint32_t)((neg ? 0 : lat) +
		    (uint64_t)pa->play.len * 1000000u / pa->rate);
	pa_threaded_mainloop_unlock(pa->ml);
}
