/* G.711 µ-law and A-law: see g711.h. */
#include "g711.h"

#define ULAW_BIAS	0x84
#define ULAW_CLIP	32635

uint8_t
g711_ulaw_encode(int16_t pcm)
{
	int v = pcm, sign = 0, exp = 7, mant;

	if (v < 0) {
		sign = 0x80;
		v = -v;
	}
	if (v > ULAW_CLIP)
		v = ULAW_CLIP;
	v += ULAW_BIAS;
	/* The segment is the position of the highest set bit above bit 7. */
	while (exp > 0 && !(v & (0x4000 >> (7 - exp))))
		exp--;
	mant = (v >> (exp + 3)) & 0x0f;
	return (uint8_t)~(sign | exp << 4 | mant);
}

int16_t
g711_ulaw_decode(uint8_t code)
{
	int u = (uint8_t)~code;
	int t = (((u & 0x0f) << 3) + ULAW_BIAS) << ((u & 0x70) >> 4);

	return (int16_t)((u & 0x80) ? ULAW_BIAS - t : t - ULAW_BIAS);
}

uint8_t
g711_alaw_encode(int16_t pcm)
{
	int v = pcm, mask, seg, code;

	if (v >= 0) {
		mask = 0xd5;
	} else {
		mask = 0x55;
		v = -v - 1;
	}
	v >>= 3;		/* 13-bit magnitude: 0..4095 */
	/* Segment s holds magnitudes below 32 << s. */
	for (seg = 0; seg < 7 && v >= (0x20 << seg); seg++)
		;
	code = seg << 4;
	code |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
	return (uint8_t)(code ^ mask);
}

int16_t
g711_alaw_decode(uint8_t code)
{
	int a = code ^ 0x55;
	int t = (a & 0x0f) << 4;
	int seg = (a & 0x70) >> 4;

	if (seg == 0) {
		t += 8;
	} else {
		t += 0x108;
		t <<= seg - 1;
	}
	return (int16_t)((a & 0x80) ? t : -t);
}

void
g711_encode(int alaw, const int16_t *pcm, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = alaw ? g711_alaw_encode(pcm[i]) :
		    g711_ulaw_encode(pcm[i]);
}

void
g711_decode(int alaw, const uint8_t *in, int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = alaw ? g711_alaw_decode(in[i]) :
		    g711_ulaw_decode(in[i]);
}
