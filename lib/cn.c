/* RFC 3389 comfort noise: see cn.h. */
#include <errno.h>

#include "cn.h"

int
cn_write(uint8_t level, uint8_t *out, size_t cap)
{
	if (level > CN_LEVEL_MAX)
		return -EINVAL;
	if (cap < 1)
		return -ENOBUFS;
	out[0] = level;
	return 1;
}

int
cn_parse(const uint8_t *data, size_t len, uint8_t *ret_level)
{
	if (len < 1 || len > CN_PAYLOAD_MAX || data[0] > CN_LEVEL_MAX)
		return -EBADMSG;
	*ret_level = data[0];
	return 0;
}

int16_t
cn_amplitude(uint8_t level)
{
	/* RMS = 32767 * 10^(-level/20), one dB at a time (no libm); uniform
	 * noise in [-a, a] has RMS a / sqrt(3). */
	double rms = 32767.0;

	for (unsigned i = 0; i < level && i < CN_LEVEL_MAX; i++)
		rms *= 0.89125093813374556;	/* 10^(-1/20) */
	rms *= 1.7320508075688772;
	return (int16_t)(rms > 32767.0 ? 32767 : rms);
}

void
cn_noise(uint32_t *seed, int16_t amp, int16_t *pcm, size_t n)
{
	uint32_t x = *seed ? *seed : 0x9e3779b9u;

	for (size_t i = 0; i < n; i++) {
		/* xorshift32 */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pcm[i] = (int16_t)((int32_t)(x % (2u * (uint32_t)amp + 1u)) -
		    amp);
	}
	*seed = x;
}
