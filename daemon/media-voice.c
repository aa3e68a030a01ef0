/* The voice engine of one call: see media-voice.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <speex/speex_jitter.h>

#include "cn.h"
#include "dtmf.h"
#include "common/clock.h"
#include "media-clock.h"
#include "media-voice.h"

/* Packets remembered beside the jitter buffer so a lost frame can be
 * rebuilt from the in-band FEC of the packet after it (Opus). */
#define VOICE_RECENT	8
/* Silent frames encoded before the encoder's output is reused. */
#define VOICE_SILENCE_SETTLE	10

struct voice_recent {
	bool valid;
	uint32_t ts;		/* rebased, as in the jitter buffer */
	size_t len;
	uint8_t data[MEDIA_FRAME_MAX];
};

struct media_voice {
	struct event_base *base;
	struct media_codec *codec;	/* owned */
	uint8_t pt;
	bool no_conceal, mute;
	struct audio_in in;		/* owned, closed in voice_release */
	struct audio_out out;		/* owned, closed in voice_release */
	int refs;			/* source + sink */

	JitterBuffer *jb;		/* owned */
	unsigned ptime_ms, play_phase_ms;
	uint64_t play_from_ns;	/* playout ticks before it pass (the first
				 * frame played at its arrival); 0 after */
	struct media_clock_sub play_clock;	/* playout, from the first
						 * packet on */
	bool rx_started;
	uint32_t ts0;			/* rebasing origin of timestamps */
	uint32_t newest;		/* newest rebased timestamp put */
	struct voice_recent recent[VOICE_RECENT];

	/* RFC 4733, sending: the queue and where we are in a digit. */
	uint8_t dtmf_pt;		/* 0: none */
	char dq[DTMF_DIGITS_MAX + 1];
	size_t dq_len, dq_pos;
	unsigned dtmf_ticks;		/* ticks of tone per digit */
	unsigned tick;			/* in the current digit: 1.. */
	/* Receiving: the event being heard (by its timestamp). */
	void (*on_dtmf)(void *ctx, char digit, unsigned duration_ms);
	void *ctx;
	bool rx_ev, rx_ev_done;
	uint32_t rx_ev_ts;
	uint8_t rx_ev_digit;
	uint16_t rx_ev_dur;

	/* RFC 3389: sending (ticks since the mute; a CN went last) and
	 * receiving (the peer's noise, played while its audio is away). */
	uint8_t cn_pt;			/* 0: none */
	unsigned cn_tick;
	bool cn_sent_last, cn_on;
	int16_t cn_amp;
	uint32_t cn_seed;

	/* Silence, encoded once it settled (no capture, or muted): an idle
	 * or muted call costs no encoder time. */
	uint8_t silence[MEDIA_FRAME_MAX];
	size_t silence_len;
	unsigned silence_run;

	int16_t pcm[MEDIA_CODEC_FRAME_MAX];
	struct media_voice_stats st;
};

struct media_voice *
media_voice_free(struct media_voice *v)
{
	if (!v)
		return NULL;
	media_clock_leave(&v->play_clock);
	if (v->jb)
		jitter_buffer_destroy(v->jb);
	if (v->in.close)
		v->in.close(v->in.ctx);
	if (v->out.close)
		v->out.close(v->out.ctx);
	media_codec_free(v->codec);
	OPENSSL_cleanse(v, sizeof(*v));
	free(v);
	return NULL;
}

static void
voice_release(void *ctx)
{
	struct media_voice *v = ctx;

	if (--v->refs == 0)
		media_voice_free(v);
}

static int
voice_read(void *ctx, uint8_t pt, uint8_t *out, size_t cap)
{
	struct media_voice *v = ctx;
	size_t n = media_codec_frame(v->codec);
	int rc;

	if (pt != v->pt)
		return -ENOTSUP;
	if (v->mute && v->cn_pt)
		return 0;	/* CN packets go out from voice_event */
	if (v->mute || !v->in.read) {
		/* Never the capture. Opus: DTX (media_voice_set_mute), whose
		 * 1-2 byte frames are not sent (RFC 7587 §3.1.3): a packet of
		 * comfort noise every 400 ms. G.711 (no CN negotiated):
		 * encoded digital silence, which settles after a few frames
		 * (VOICE_SILENCE_SETTLE); from then on the same bytes go
		 * out. */
		if (v->silence_len && v->silence_len <= cap) {
			memcpy(out, v->silence, v->silence_len);
			v->st.frames_in++;
			return (int)v->silence_len;
		}
		memset(v->pcm, 0, n * sizeof(int16_t));
		rc = media_codec_encode(v->codec, v->pcm, out, cap);
		if (rc > 0 && rc <= 2 && media_codec_dtx(v->codec)) {
			v->st.dtx_frames++;
			return 0;	/* nothing this tick */
		}
		if (rc > 0 && !media_codec_dtx(v->codec) &&
		    ++v->silence_run >= VOICE_SILENCE_SETTLE) {
			memcpy(v->silence, out, (size_t)rc);
			v->silence_len = (size_t)rc;
		}
	} else {
		v->silence_run = 0;
		v->silence_len = 0;
		if (v->in.read(v->in.ctx, v->pcm, n) < 0)
			memset(v->pcm, 0, n * sizeof(int16_t));
		rc = media_codec_encode(v->codec, v->pcm, out, cap);
	}
	if (rc > 0)
		v->st.frames_in++;
	return rc;
}

static void
voice_feedback(void *ctx, uint8_t fraction_lost)
{
	media_voice_peer_loss(ctx, fraction_lost);
}

static const struct voice_recent *
voice_recent_find(const struct media_voice *v, uint32_t ts)
{
	for (size_t i = 0; i < VOICE_RECENT; i++)
		if (v->recent[i].valid && v->recent[i].ts == ts)
			return &v->recent[i];
	return NULL;
}

/* One frame of playout: the jitter buffer's packet, or concealment. Ticks
 * the clock skipped (the loop stalled) are not played: the jitter buffer
 * holds their packets a little longer and shrinks back by itself. */
static void
voice_on_play(void *arg, unsigned skipped)
{
	struct media_voice *v = arg;
	size_t n = media_codec_frame(v->codec);
	uint8_t buf[MEDIA_FRAME_MAX];
	JitterBufferPacket jp;
	spx_int32_t off = 0;
	uint32_t want = 0;
	int rc = JITTER_BUFFER_MISSING;
	(void)skipped;

	/* Before the first audio packet only the peer's comfort noise can
	 * have started the playout (muted from the start): the jitter buffer
	 * starts with the audio. */
	if (v->rx_started) {
		want = (uint32_t)jitter_buffer_get_pointer_timestamp(v->jb);
		memset(&jp, 0, sizeof(jp));
		jp.data = (char *)buf;
		jp.len = sizeof(buf);
		rc = jitter_buffer_get(v->jb, &jp, (spx_int32_t)n, &off);
	}
	v->st.played++;
	if (rc == JITTER_BUFFER_OK &&
	    media_codec_decode(v->codec, buf, jp.len, v->pcm) == 0) {
		uint64_t now = clock_mono_ns();
		uint32_t held = (uint32_t)(now / 1000u) - jp.user_data;

		if (!v->st.first_audio_ns)
			v->st.first_audio_ns = now;
		v->st.held_us_sum += held;
		v->st.held_frames++;
		if (held > v->st.held_us_max)
			v->st.held_us_max = held;
	} else if (v->cn_on) {
		/* The peer is muted and sent its noise level (RFC 3389). */
		cn_noise(&v->cn_seed, v->cn_amp, v->pcm, n);
		v->st.cn_played++;
	} else {
		const struct voice_recent *next = voice_recent_find(v,
		    want + (uint32_t)n);

		media_codec_conceal(v->codec, !v->no_conceal,
		    next ? next->data : NULL, next ? next->len : 0, v->pcm);
		v->st.concealed++;
	}
	if (v->rx_started)
		jitter_buffer_tick(v->jb);
	if (v->out.write)
		v->out.write(v->out.ctx, v->pcm, n);
	if (rc == JITTER_BUFFER_OK)	/* only then was buf written */
		OPENSSL_cleanse(buf, jp.len < sizeof(buf) ? jp.len :
		    sizeof(buf));
}

/* The playout clock's tick; see voice_write for the ticks it passes over. */
static void
voice_on_tick(void *arg, unsigned skipped)
{
	struct media_voice *v = arg;

	if (v->play_from_ns) {
		if (clock_mono_ns() < v->play_from_ns)
			return;
		v->play_from_ns = 0;
		skipped = 0;	/* the first frame covered them */
	}
	voice_on_play(v, skipped);
}

/* While muted with CN negotiated: a CN packet at the first muted tick
 * and every MEDIA_VOICE_CN_EVERY after it, nothing between (voice_read
 * sends nothing). The first audio packet after it starts a talkspurt. */
static int
voice_cn_tx(struct media_voice *v, uint8_t *out, size_t cap, uint8_t *ret_pt,
    bool *ret_marker)
{
	int n;

	if (!v->cn_pt)
		return 0;
	if (!v->mute) {
		if (v->cn_sent_last)
			*ret_marker = true;
		v->cn_sent_last = false;
		return 0;
	}
	if (v->cn_tick++ % MEDIA_VOICE_CN_EVERY)
		return 0;
	n = cn_write(MEDIA_VOICE_CN_LEVEL, out, cap);
	if (n > 0) {
		*ret_pt = v->cn_pt;
		v->cn_sent_last = true;
		v->st.cn_sent++;
	}
	return n;
}

/* Ticks of a digit: tone for dtmf_ticks (the last one with the end
 * bit), the end twice more (RFC 4733 §2.5.1.4), then the pause (audio). */
static int
voice_event(void *ctx, uint8_t *out, size_t cap, uint8_t *ret_pt,
    bool *ret_marker, uint32_t *ret_ts_back)
{
	struct media_voice *v = ctx;
	uint32_t step = (uint32_t)media_codec_frame(v->codec);
	unsigned gap = MEDIA_VOICE_DTMF_GAP_MS * media_codec_rate(v->codec) /
	    1000 / step;
	struct dtmf_event e;
	unsigned k;

	if (v->dq_pos >= v->dq_len)
		return voice_cn_tx(v, out, cap, ret_pt, ret_marker);
	k = ++v->tick;
	if (k > v->dtmf_ticks + 2) {
		if (k >= v->dtmf_ticks + 2 + gap) {
			v->dq_pos++;
			v->tick = 0;
			v->st.dtmf_sent++;
		}
		return 0;	/* the pause: audio */
	}
	e.event = (uint8_t)dtmf_from_char(v->dq[v->dq_pos]);
	e.end = k >= v->dtmf_ticks;
	e.volume = DTMF_VOLUME;
	e.duration = (uint16_t)((k < v->dtmf_ticks ? k : v->dtmf_ticks) *
	    step);
	*ret_pt = v->dtmf_pt;
	*ret_marker = k == 1;
	*ret_ts_back = (k - 1) * step;
	v->st.event_packets_sent++;
	return dtmf_event_write(&e, out, cap);
}

int
media_voice_dtmf(struct media_voice *v, const char *digits,
    unsigned duration_ms)
{
	unsigned ms = duration_ms ? duration_ms : MEDIA_VOICE_DTMF_MS;
	int rc;

	if (!v->dtmf_pt)
		return -ENOTSUP;
	if ((rc = dtmf_check_digits(digits)) < 0)
		return rc;
	if (ms < 40 || ms > 1000)
		return -EINVAL;
	if (v->dq_pos < v->dq_len)
		return -EBUSY;
	snprintf(v->dq, sizeof(v->dq), "%s", digits);
	v->dq_len = strlen(v->dq);
	v->dq_pos = 0;
	v->tick = 0;
	v->dtmf_ticks = (unsigned)((ms * media_codec_rate(v->codec) / 1000 +
	    media_codec_frame(v->codec) - 1) / media_codec_frame(v->codec));
	return 0;
}

static void
voice_dtmf_report(struct media_voice *v)
{
	v->rx_ev_done = true;
	v->st.dtmf_received++;
	if (v->on_dtmf)
		v->on_dtmf(v->ctx, dtmf_to_char(v->rx_ev_digit),
		    (unsigned)((uint64_t)v->rx_ev_dur * 1000 /
		    media_codec_rate(v->codec)));
}

/* One telephone-event packet: a new timestamp is a new digit (the one
 * before is reported now if its end was lost); the first end bit reports
 * it; retransmitted ends and older events are ignored. */
static void
voice_dtmf_rx(struct media_voice *v, const struct media_frame *f)
{
	struct dtmf_event e;

	if (dtmf_event_parse(f->data, f->len, &e) < 0) {
		v->st.dropped++;
		return;
	}
	v->st.event_packets_received++;
	if (v->rx_ev && (int32_t)(f->ts - v->rx_ev_ts) < 0)
		return;
	if (!v->rx_ev || f->ts != v->rx_ev_ts) {
		if (v->rx_ev && !v->rx_ev_done)
			voice_dtmf_report(v);
		v->rx_ev = true;
		v->rx_ev_done = false;
		v->rx_ev_ts = f->ts;
		v->rx_ev_digit = e.event;
		v->rx_ev_dur = 0;
	}
	if (e.duration > v->rx_ev_dur)
		v->rx_ev_dur = e.duration;
	if (e.end && !v->rx_ev_done)
		voice_dtmf_report(v);
}

/* Playout runs on the loop's shared clock (one of our own would cost a
 * wake-up per call), joined at the first packet; tried again with the next
 * packet if that failed (no memory). True when this call joined it. */
static bool
voice_play_join(struct media_voice *v)
{
	v->play_clock.once = true;
	return !media_clock_joined(&v->play_clock) &&
	    media_clock_join(v->base, v->ptime_ms, v->play_phase_ms,
	    &v->play_clock, voice_on_tick, v) == 0;
}

static void
voice_write(void *ctx, const struct media_frame *f)
{
	struct media_voice *v = ctx;
	JitterBufferPacket jp;
	struct voice_recent *r;
	uint32_t rel;
	bool first;

	if (v->dtmf_pt && f->pt == v->dtmf_pt) {
		voice_dtmf_rx(v, f);
		return;
	}
	if (v->cn_pt && f->pt == v->cn_pt) {
		uint8_t level;

		if (cn_parse(f->data, f->len, &level) < 0) {
			v->st.dropped++;
			return;
		}
		v->st.cn_received++;
		v->cn_amp = cn_amplitude(level);
		v->cn_on = true;
		/* Muted from the start: the noise starts the playout. */
		if (v->out.write)
			(void)voice_play_join(v);
		return;
	}
	if (f->pt != v->pt || !f->len || f->len > MEDIA_FRAME_MAX) {
		v->st.dropped++;
		return;
	}
	v->cn_on = false;
	if (!v->out.write) {
		/* Nowhere to play ([media] audio = null): no buffering, no
		 * decoding, no playout timer; only counted. */
		v->st.packets++;
		return;
	}
	if (!v->rx_started) {
		/* One second before the first packet: packets sent before it
		 * but overtaken by it on the way still sort in. */
		v->ts0 = f->ts - media_codec_rate(v->codec);
		v->rx_started = true;
	}
	first = voice_play_join(v);
	rel = f->ts - v->ts0;
	if ((int32_t)rel < 0) {		/* older than the first one */
		v->st.dropped++;
		return;
	}
	memset(&jp, 0, sizeof(jp));
	jp.data = (char *)(uintptr_t)f->data;	/* copied by speexdsp */
	jp.len = (spx_uint32_t)f->len;
	jp.timestamp = rel;
	jp.span = (spx_uint32_t)media_codec_frame(v->codec);
	jp.sequence = f->seq;
	/* Arrival in µs (wraps every 71 minutes; only differences over a
	 * jitter buffer's depth are taken): the held time at playout. */
	jp.user_data = (spx_uint32_t)((f->arrival_ns ? f->arrival_ns :
	    clock_mono_ns()) / 1000u);
	jitter_buffer_put(v->jb, &jp);
	v->st.packets++;
	if ((int32_t)(rel - v->newest) > 0)
		v->newest = rel;
	r = &v->recent[f->seq % VOICE_RECENT];
	r->valid = true;
	r->ts = rel;
	r->len = f->len;
	memcpy(r->data, f->data, f->len);
	if (first) {
		/* The first frame plays now rather than at the clock's next
		 * tick (0..ptime later): the voice starts the moment it
		 * arrives. Ticks before one ptime from now are passed over,
		 * so that frame 2 is asked for no earlier than it can have
		 * come; from then on the call keeps the clock's phase. */
		voice_on_play(v, 0);
		v->play_from_ns = clock_mono_ns() +
		    (uint64_t)v->ptime_ms * 1000000u;
	}
}

int
media_voice_new(struct event_base *base, const struct media_voice_params *p,
    struct media_voice **ret_voice, struct media_source *ret_source,
    struct media_sink *ret_sink)
{
	struct media_voice *v;
	unsigned ptime = p->ptime_ms ? p->ptime_ms : MEDIA_PTIME_MS;
	spx_int32_t step;
	int rc;

	if (!base || p->pt > 127 || p->play_phase_ms >= ptime ||
	    p->cn_pt > 127 || (p->cn_pt && (p->cn_pt == p->pt ||
	    p->cn_pt == p->dtmf_pt || p->codec == MEDIA_CODEC_OPUS)) ||
	    (p->dtmf_pt &&
	    (p->dtmf_pt < 96 || p->dtmf_pt > 127 || p->dtmf_pt == p->pt)))
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->base = base;
	v->pt = p->pt;
	v->ptime_ms = ptime;
	v->play_phase_ms = p->play_phase_ms;
	v->no_conceal = p->no_conceal;
	v->dtmf_pt = p->dtmf_pt;
	v->cn_pt = p->cn_pt;
	v->cn_seed = 0x9e3779b9u;
	v->on_dtmf = p->on_dtmf;
	v->ctx = p->ctx;
	rc = media_codec_new(p->codec, ptime, &v->codec);
	if (rc == 0) {
		v->jb = jitter_buffer_init((int)media_codec_frame(v->codec));
		if (!v->jb)
			rc = -ENOMEM;
	}
	if (rc < 0) {
		media_voice_free(v);
		return rc;
	}
	/* Grow and shrink in steps of a frame: finer steps would cut frames
	 * in pieces we cannot decode. */
	step = (spx_int32_t)media_codec_frame(v->codec);
	jitter_buffer_ctl(v->jb, JITTER_BUFFER_SET_DELAY_STEP, &step);
	v->in = p->in;
	v->out = p->out;
	v->refs = 2;
	ret_source->read = voice_read;
	ret_source->close = voice_release;
	ret_source->feedback = voice_feedback;
	ret_source->event = voice_event;
	ret_source->ctx = v;
	ret_sink->write = voice_write;
	ret_sink->close = voice_release;
	ret_sink->ctx = v;
	*ret_voice = v;
	return 0;
}

void
media_voice_stats(const struct media_voice *v,
    struct media_voice_stats *ret_stats)
{
	*ret_stats = v->st;
	ret_stats->play_late = v->play_clock.late;
	ret_stats->play_skipped = v->play_clock.skipped;
	ret_stats->buffer_ms = 0;
	if (v->rx_started) {
		int32_t d = (int32_t)(v->newest + (uint32_t)media_codec_frame(
		    v->codec) - (uint32_t)jitter_buffer_get_pointer_timestamp(
		    v->jb));

		if (d > 0)
			ret_stats->buffer_ms = (uint32_t)((uint64_t)d * 1000 /
			    media_codec_rate(v->codec));
	}
}

void
media_voice_set_mute(struct media_voice *v, bool mute)
{
	v->mute = mute;
	v->cn_tick = 0;
	v->silence_run = 0;
	v->silence_len = 0;
	media_codec_set_dtx(v->codec, mute);
}

void
media_voice_peer_loss(struct media_voice *v, uint8_t fraction_lost)
{
	media_codec_set_loss(v->codec, (unsigned)fraction_lost * 100 / 256);
}
