/* The null audio device ([media] audio = null): a source of PCMU/PCMA
 * silence or a quiet 400 Hz tone, and a sink that only counts. They show
 * the shape the voice engine fills in (docs/media.md). */
#ifndef SVOPID_MEDIA_NULL_H
#define SVOPID_MEDIA_NULL_H

#include <stdbool.h>
#include <stdint.h>

#include "media.h"

/* Samples in one 20 ms G.711 frame. */
#define MEDIA_NULL_FRAME	160

/* A source for payload type PCMU (0) or PCMA (8): 160 bytes a frame of
 * silence (0xFF / 0xD5), or with tone a 400 Hz sine at about -30 dBFS.
 * Returns 0 and fills *ret (ctx owned by it, freed by close) or -ENOMEM.
 * Its read fails with -ENOTSUP for other payload types. */
int media_null_source(bool tone, struct media_source *ret);

/* What the counting sink has seen. */
struct media_null_counts {
	uint64_t frames;
	uint64_t octets;
	uint64_t silent;	/* frames that were all G.711 silence */
};

/* A sink that counts into *counts (caller storage, must outlive it). */
void media_null_sink(struct media_null_counts *counts, struct media_sink *ret);

/* G.711 µ-law of one 16-bit linear sample (ITU-T G.711, with the bias). */
uint8_t media_null_ulaw(int16_t pcm);

#endif
