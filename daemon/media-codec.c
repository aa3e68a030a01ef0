/* Voice codecs: see media-codec.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opus/opus.h>

#include "g711.h"
#include "media-codec.h"

/* G.711 concealment: the pitch is searched between 2.5 and 15 ms (400 to
 * 66 Hz) in a 30 ms history; the repeated period fades to silence over
 * G711_FADE_FRAMES lost frames (60 ms at 20 ms frames), like Appendix I. */
#define G711_HIST	240
#define G711_PMIN	20
#define G711_PMAX	120
#define G711_FADE_MS	60

struct media_codec {
	enum media_codec_id id;
	unsigned rate;
	size_t frame;
	OpusEncoder *enc;	/* owned; Opus only */
	OpusDecoder *dec;	/* owned; Opus only */
	bool dtx;		/* Opus DTX on */
	/* G.711 concealment state. */
	int16_t hist[G711_HIST];	/* last samples played */
	unsigned period;	/* pitch of the loss run, 0 = none yet */
	size_t phase;		/* position inside the repeated period */
	size_t lost_samples;	/* in the current loss run */
};

const char *
media_codec_name(enum media_codec_id id)
{
	switch (id) {
	case MEDIA_CODEC_PCMU:
		return "PCMU";
	case MEDIA_CODEC_PCMA:
		return "PCMA";
	case MEDIA_CODEC_OPUS:
		return "opus";
	}
	return "?";
}

int
media_codec_from_name(const char *name, enum media_codec_id *ret_id)
{
	static const enum media_codec_id all[] = {
		MEDIA_CODEC_PCMU, MEDIA_CODEC_PCMA, MEDIA_CODEC_OPUS,
	};

	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcasecmp(name, media_codec_name(all[i]))) {
			*ret_id = all[i];
			return 0;
		}
	return -EINVAL;
}

unsigned
media_codec_clock(enum media_codec_id id)
{
	return id == MEDIA_CODEC_OPUS ? 48000 : 8000;
}

uint8_t
media_codec_default_pt(enum media_codec_id id)
{
	switch (id) {
	case MEDIA_CODEC_PCMA:
		return 8;
	case MEDIA_CODEC_OPUS:
		return MEDIA_PT_OPUS;
	default:
		return 0;
	}
}

static int
codec_opus_open(struct media_codec *c)
{
	int err;

	c->enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
	if (!c->enc)
		return -EIO;
	c->dec = opus_decoder_create(48000, 1, &err);
	if (!c->dec)
		return -EIO;
	if (opus_encoder_ctl(c->enc, OPUS_SET_BITRATE(MEDIA_OPUS_BITRATE)) ||
	    opus_encoder_ctl(c->enc, OPUS_SET_INBAND_FEC(1)) ||
	    opus_encoder_ctl(c->enc, OPUS_SET_PACKET_LOSS_PERC(0)) ||
	    opus_encoder_ctl(c->enc, OPUS_SET_COMPLEXITY(MEDIA_OPUS_COMPLEXITY)))
		return -EIO;
	return 0;
}

int
media_codec_new(enum media_codec_id id, unsigned ptime_ms,
    struct media_codec **ret_codec)
{
	struct media_codec *c;
	int rc = 0;

	if (ptime_ms < 10 || ptime_ms > 120 || ptime_ms % 10 ||
	    (id == MEDIA_CODEC_OPUS && ptime_ms > 20 && ptime_ms % 20))
		return -EINVAL;
	if (id != MEDIA_CODEC_PCMU && id != MEDIA_CODEC_PCMA &&
	    id != MEDIA_CODEC_OPUS)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->id = id;
	c->rate = media_codec_clock(id);
	c->frame = c->rate / 1000 * ptime_ms;
	if (id == MEDIA_CODEC_OPUS)
		rc = codec_opus_open(c);
	if (rc < 0) {
		media_codec_free(c);
		return rc;
	}
	*ret_codec = c;
	return 0;
}

struct media_codec *
media_codec_free(struct media_codec *c)
{
	if (!c)
		return NULL;
	if (c->enc)
		opus_encoder_destroy(c->enc);
	if (c->dec)
		opus_decoder_destroy(c->dec);
	free(c);
	return NULL;
}

enum media_codec_id
media_codec_id(const struct media_codec *c)
{
	return c->id;
}

unsigned
media_codec_rate(const struct media_codec *c)
{
	return c->rate;
}

size_t
media_codec_frame(const struct media_codec *c)
{
	return c->frame;
}

int
media_codec_encode(struct media_codec *c, const int16_t *pcm, uint8_t *out,
    size_t cap)
{
	int n;

	if (c->id == MEDIA_CODEC_OPUS) {
		n = opus_encode(c->enc, pcm, (int)c->frame, out,
		    (opus_int32)(cap > 1275 ? 1275 : cap));
		return n < 0 ? (n == OPUS_BUFFER_TOO_SMALL ? -ENOBUFS : -EIO) :
		    n;
	}
	if (cap < c->frame)
		return -ENOBUFS;
	g711_encode(c->id == MEDIA_CODEC_PCMA, pcm, out, c->frame);
	return (int)c->frame;
}

/* Keeps the last G711_HIST samples played, for the pitch search. */
static void
g711_history(struct media_codec *c, const int16_t *pcm)
{
	size_t n = c->frame < G711_HIST ? c->frame : G711_HIST;

	memmove(c->hist, c->hist + n, (G711_HIST - n) * sizeof(int16_t));
	memcpy(c->hist + G711_HIST - n, pcm + c->frame - n,
	    n * sizeof(int16_t));
}

/* The lag in [G711_PMIN, G711_PMAX] where the history best matches
 * itself (largest normalised autocorrelation over the last PMAX samples). */
static unsigned
g711_pitch(const int16_t *h)
{
	const int16_t *x = h + G711_HIST - G711_PMAX;
	double best = -1.0;
	unsigned lag = G711_PMAX;

	for (unsigned p = G711_PMIN; p <= G711_PMAX; p++) {
		double xy = 0, yy = 1;

		for (unsigned i = 0; i < G711_PMAX; i++) {
			xy += (double)x[i] * x[(int)i - (int)p];
			yy += (double)x[(int)i - (int)p] * x[(int)i - (int)p];
		}
		if (xy / yy > best) {
			best = xy / yy;
			lag = p;
		}
	}
	return lag;
}

/* Repeats the last pitch period, phase-continuous across lost frames,
 * fading linearly to silence over G711_FADE_MS. */
static void
g711_conceal(struct media_codec *c, int16_t *pcm)
{
	size_t fade = c->rate / 1000 * G711_FADE_MS;

	if (c->lost_samples == 0) {
		c->period = g711_pitch(c->hist);
		c->phase = 0;
	}
	for (size_t i = 0; i < c->frame; i++) {
		size_t k = c->lost_samples + i, hold = c->rate / 100;
		/* Appendix I: full level for 10 ms, then -20 % per 10 ms. */
		double g = k < hold ? 1.0 : k >= fade ? 0.0 :
		    1.0 - (double)(k - hold) / (double)(fade - hold);
		int16_t v = c->hist[G711_HIST - c->period + c->phase];

		pcm[i] = (int16_t)(v * g);
		c->phase = (c->phase + 1) % c->period;
	}
	c->lost_samples += c->frame;
}

int
media_codec_decode(struct media_codec *c, const uint8_t *data, size_t len,
    int16_t *pcm)
{
	int n;

	if (c->id == MEDIA_CODEC_OPUS) {
		n = opus_decode(c->dec, data, (opus_int32)len, pcm,
		    (int)c->frame, 0);
		if (n == (int)c->frame)
			return 0;
		media_codec_conceal(c, true, NULL, 0, pcm);
		return -EBADMSG;
	}
	if (len != c->frame) {
		media_codec_conceal(c, true, NULL, 0, pcm);
		return -EBADMSG;
	}
	g711_decode(c->id == MEDIA_CODEC_PCMA, data, pcm, c->frame);
	c->lost_samples = 0;
	g711_history(c, pcm);
	return 0;
}

void
media_codec_conceal(struct media_codec *c, bool conceal, const uint8_t *next,
    size_t next_len, int16_t *pcm)
{
	int n = -1;

	if (!conceal) {
		memset(pcm, 0, c->frame * sizeof(int16_t));
		return;
	}
	if (c->id == MEDIA_CODEC_OPUS) {
		/* FEC: the next packet carries a coarse copy of this one. */
		if (next)
			n = opus_decode(c->dec, next, (opus_int32)next_len,
			    pcm, (int)c->frame, 1);
		if (n != (int)c->frame)
			n = opus_decode(c->dec, NULL, 0, pcm, (int)c->frame,
			    0);
		if (n != (int)c->frame)
			memset(pcm, 0, c->frame * sizeof(int16_t));
		return;
	}
	g711_conceal(c, pcm);
}

void
media_codec_set_dtx(struct media_codec *c, bool on)
{
	if (c->enc && opus_encoder_ctl(c->enc, OPUS_SET_DTX(on ? 1 : 0)) ==
	    OPUS_OK)
		c->dtx = on;
}

bool
media_codec_dtx(const struct media_codec *c)
{
	return c->dtx;
}

void
media_codec_set_loss(struct media_codec *c, unsigned percent)
{
	if (c->enc)
		opus_encoder_ctl(c->enc, OPUS_SET_PACKET_LOSS_PERC(
		    percent > 100 ? 100 : (int)percent));
}
