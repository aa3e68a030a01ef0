/* G.711 µ-law and A-law (ITU-T G.711), sample by sample.
 *
 * Pure arithmetic, no tables to keep in sync: a 16-bit linear sample maps to
 * one byte and back. µ-law works on 14-bit magnitudes with the 0x84 bias,
 * A-law on 13-bit ones; both codes are stored inverted/xored as on the wire
 * (µ-law silence is 0xFF, A-law silence 0xD5).
 */
#ifndef SVOPI_G711_H
#define SVOPI_G711_H

#include <stddef.h>
#include <stdint.h>

/* Samples in one 20 ms frame at 8 kHz (one byte each on the wire). */
#define G711_FRAME_20MS	160

/* One linear sample to µ-law / A-law. */
uint8_t g711_ulaw_encode(int16_t pcm);
uint8_t g711_alaw_encode(int16_t pcm);
/* One µ-law / A-law code to a linear sample. */
int16_t g711_ulaw_decode(uint8_t code);
int16_t g711_alaw_decode(uint8_t code);

/* Whole buffers, n samples each way; alaw selects A-law over µ-law. */
void g711_encode(int alaw, const int16_t *pcm, uint8_t *out, size_t n);
void g711_decode(int alaw, const uint8_t *in, int16_t *pcm, size_t n);

#endif
