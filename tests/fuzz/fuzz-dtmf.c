/* Fuzz target for lib/dtmf and lib/cn, the two RTP payloads that go
 * beside a codec: an event that parses is written back and must give the
 * same bytes, the volume's reserved bit (R) aside; a comfort-noise level
 * that parses likewise, and its noise stays within its amplitude. */
#include <stdlib.h>
#include <string.h>

#include "cn.h"
#include "dtmf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dtmf_event e;
	uint8_t out[DTMF_EVENT_LEN], level;
	char digits[DTMF_DIGITS_MAX + 2];
	size_t n = size < sizeof(digits) - 1 ? size : sizeof(digits) - 1;

	memcpy(digits, data, n);
	digits[n] = 0;
	(void)dtmf_check_digits(digits);
	if (cn_parse(data, size, &level) == 0) {
		int16_t amp = cn_amplitude(level), pcm[64];
		uint32_t seed = size;

		if (cn_write(level, out, sizeof(out)) != 1 || out[0] != data[0])
			abort();
		cn_noise(&seed, amp, pcm, 64);
		for (size_t i = 0; i < 64; i++)
			if (pcm[i] > amp || pcm[i] < -amp)
				abort();
	}
	if (dtmf_event_parse(data, size, &e) < 0)
		return 0;
	if (dtmf_event_write(&e, out, sizeof(out)) != DTMF_EVENT_LEN ||
	    out[0] != data[0] || (out[1] ^ data[1]) & ~0x40 ||
	    memcmp(out + 2, data + 2, 2))
		abort();
	return 0;
}
