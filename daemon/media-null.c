/* Null audio device: see media-null.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "g711.h"
#include "media-null.h"

/* 400 Hz at 8 kHz is exactly 20 samples a period, so 160-sample frames
 * repeat the same table 8 times. */
#define TONE_PERIOD	20
/* -30 dBFS: audible, not annoying. */
#define TONE_AMPLITUDE	1036.0

#define ULAW_SILENCE	0xFF
#define ALAW_SILENCE	0xD5

struct null_source {
	bool tone;
	uint8_t table[TONE_PERIOD];
};

uint8_t
media_null_ulaw(int16_t pcm)
{
	return g711_ulaw_encode(pcm);
}

static int
null_read(void *ctx, uint8_t pt, uint8_t *out, size_t cap)
{
	struct null_source *s = ctx;

	if (cap < MEDIA_NULL_FRAME)
		return -ENOBUFS;
	switch (pt) {
	case MEDIA_PT_PCMU:
		if (!s->tone) {
			memset(out, ULAW_SILENCE, MEDIA_NULL_FRAME);
			break;
		}
		for (size_t i = 0; i < MEDIA_NULL_FRAME; i++)
			out[i] = s->table[i % TONE_PERIOD];
		break;
	case MEDIA_PT_PCMA:
		/* Silence only: the tone is a PCMU test signal. */
		memset(out, ALAW_SILENCE, MEDIA_NULL_FRAME);
		break;
	default:
		return -ENOTSUP;
	}
	return MEDIA_NULL_FRAME;
}

static void
null_close(void *ctx)
{
	free(ctx);
}

int
media_null_source(bool tone, struct media_source *ret)
{
	struct null_source *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->tone = tone;
	for (int i = 0; i < TONE_PERIOD; i++)
		s->table[i] = media_null_ulaw((int16_t)lrint(TONE_AMPLITUDE *
		    sin(2.0 * M_PI * i / TONE_PERIOD)));
	ret->read = null_read;
	ret->close = null_close;
	ret->feedback = NULL;
	ret->event = NULL;
	ret->ctx = s;
	return 0;
}

static void
null_write(void *ctx, const struct media_frame *f)
{
	struct media_null_counts *c = ctx;
	uint8_t sil = f->pt == MEDIA_PT_PCMA ? ALAW_SILENCE : ULAW_SILENCE;
	bool silent = f->len > 0;

	for (size_t i = 0; i < f->len && silent; i++)
		silent = f->data[i] == sil;
	c->frames++;
	c->octets += f->len;
	if (silent)
		c->silent++;
}

void
media_null_sink(struct media_null_counts *counts, struct media_sink *ret)
{
	ret->write = null_write;
	ret->close = NULL;
	ret->ctx = counts;
}
