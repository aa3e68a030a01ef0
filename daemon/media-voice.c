/* The voice engine of one call: see media-voice.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <speex/speex_jitter.h>

#include "media-voice.h"

/* Packets remembered beside the jitter buffer so a lost frame can be
 * rebuilt from the in-band FEC of the packet after it (Opus). */
#define VOICE_RECENT	8

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
	struct event *ev_play;		/* owned; from the first packet */
	bool rx_started;
	uint32_t ts0;			/* rebasing origin of timestamps */
	uint32_t newest;		/* newest rebased timestamp put */
	struct voice_recent recent[VOICE_RECENT];

	int16_t pcm[MEDIA_CODEC_FRAME_MAX];
	struct media_voice_stats st;
};

struct media_voice *
media_voice_free(struct media_voice *v)
{
	if (!v)
		return NULL;
	if (v->ev_play)
		event_free(v->ev_play);
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
	if (v->mute || !v->in.read)
		memset(v->pcm, 0, n * sizeof(int16_t));
	else if ((rc = v->in.read(v->in.ctx, v->pcm, n)) < 0)
		memset(v->pcm, 0, n * sizeof(int16_t));
	rc = media_codec_encode(v->codec, v->pcm, out, cap);
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

/* One frame of playout: the jitter buffer's packet, or concealment. */
static void
voice_on_play(evutil_socket_t fd, short what, void *arg)
{
	struct media_voice *v = arg;
	size_t n = media_codec_frame(v->codec);
	uint8_t buf[MEDIA_FRAME_MAX];
	JitterBufferPacket jp;
	spx_int32_t off = 0;
	uint32_t want;
	int rc;
	(void)fd;
	(void)what;

	want = (uint32_t)jitter_buffer_get_pointer_timestamp(v->jb);
	memset(&jp, 0, sizeof(jp));
	jp.data = (char *)buf;
	jp.len = sizeof(buf);
	rc = jitter_buffer_get(v->jb, &jp, (spx_int32_t)n, &off);
	if (rc == JITTER_BUFFER_OK &&
	    media_codec_decode(v->codec, buf, jp.len, v->pcm) == 0) {
		v->st.played++;
	} else {
		const struct voice_recent *next = voice_recent_find(v,
		    want + (uint32_t)n);

		media_codec_conceal(v->codec, !v->no_conceal,
		    next ? next->data : NULL, next ? next->len : 0, v->pcm);
		v->st.played++;
		v->st.concealed++;
	}
	jitter_buffer_tick(v->jb);
	if (v->out.write)
		v->out.write(v->out.ctx, v->pcm, n);
	OPENSSL_cleanse(buf, sizeof(buf));
}

static void
voice_write(void *ctx, const struct media_frame *f)
{
	struct media_voice *v = ctx;
	JitterBufferPacket jp;
	struct voice_recent *r;
	struct timeval tv;
	uint32_t rel;
	unsigned ms;

	if (f->pt != v->pt || !f->len || f->len > MEDIA_FRAME_MAX) {
		v->st.dropped++;
		return;
	}
	if (!v->rx_started) {
		/* One second before the first packet: packets sent before it
		 * but overtaken by it on the way still sort in. */
		v->ts0 = f->ts - media_codec_rate(v->codec);
		v->rx_started = true;
		ms = (unsigned)(media_codec_frame(v->codec) * 1000 /
		    media_codec_rate(v->codec));
		tv.tv_sec = 0;
		tv.tv_usec = (suseconds_t)ms * 1000;
		event_add(v->ev_play, &tv);
	}
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
	jitter_buffer_put(v->jb, &jp);
	v->st.packets++;
	if ((int32_t)(rel - v->newest) > 0)
		v->newest = rel;
	r = &v->recent[f->seq % VOICE_RECENT];
	r->valid = true;
	r->ts = rel;
	r->len = f->len;
	memcpy(r->data, f->data, f->len);
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

	if (!base || p->pt > 127)
		return -EINVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->base = base;
	v->pt = p->pt;
	v->no_conceal = p->no_conceal;
	rc = media_codec_new(p->codec, ptime, &v->codec);
	if (rc == 0) {
		v->jb = jitter_buffer_init((int)media_codec_frame(v->codec));
		v->ev_play = event_new(base, -1, EV_PERSIST, voice_on_play, v);
		if (!v->jb || !v->ev_play)
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
}

void
media_voice_peer_loss(struct media_voice *v, uint8_t fraction_lost)
{
	media_codec_set_loss(v->codec, (unsigned)fraction_lost * 100 / 256);
}
