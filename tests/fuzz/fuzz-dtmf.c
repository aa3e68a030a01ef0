/* Fuzz target for lib/dtmf: an event that parses is written back and must
 * give the same bytes, the volume's reserved bit (R) aside. */
#include <stdlib.h>
#include <string.h>

#include "dtmf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dtmf_event e;
	uint8_t out[DTMF_EVENT_LEN];
	char digits[DTMF_DIGITS_MAX + 2];
	size_t n = size < sizeof(digits) - 1 ? size : sizeof(digits) - 1;

	memcpy(digits, data, n);
	digits[n] = 0;
	(void)dtmf_check_digits(digits);
	if (dtmf_event_parse(data, size, &e) < 0)
		return 0;
	if (dtmf_event_write(&e, out, sizeof(out)) != DTMF_EVENT_LEN ||
	    out[0] != data[0] || (out[1] ^ data[1]) & ~0x40 ||
	    memcmp(out + 2, data + 2, 2))
		abort();
	return 0;
}
