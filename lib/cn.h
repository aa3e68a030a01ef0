/* RFC 3389 comfort noise in RTP: the payload (a noise level in -dBov, then
 * optional spectral coefficients, which we neither send nor use) and white
 * noise at that level for the receiver to play. Pure.
 */
#ifndef SVOPI_CN_H
#define SVOPI_CN_H

#include <stddef.h>
#include <stdint.h>

/* Levels are 0..127 -dBov (RFC 3389 §3.1: the top bit is always 0). */
#define CN_LEVEL_MAX		127
/* Longest payload accepted: the level and up to this many reflection
 * coefficients (§3.2 leaves the model order open; 10 is the usual). */
#define CN_PAYLOAD_MAX		(1 + 32)

/* Writes a payload of the level alone. Returns 1, -EINVAL (level over
 * CN_LEVEL_MAX) or -ENOBUFS. */
int cn_write(uint8_t level, uint8_t *out, size_t cap);
/* Reads the level of a payload of 1..CN_PAYLOAD_MAX bytes. Returns 0, or
 * -EBADMSG (empty, too long, or the top bit set). */
int cn_parse(const uint8_t *data, size_t len, uint8_t *ret_level);
/* The peak of uniform white noise with the RMS of level (-dBov, 0 dBov
 * being a 16-bit full-scale RMS), for cn_noise. */
int16_t cn_amplitude(uint8_t level);
/* n samples of white noise in [-amp, amp], from the generator state
 * *seed (any value; not for cryptography). */
void cn_noise(uint32_t *seed, int16_t amp, int16_t *pcm, size_t n);

#endif
