/* Fuzzes trustd's request-head scanner: an accepted head ends with a
 * blank line inside the input and within HTTPHEAD_MAX, its body fits the
 * limit, and a refusal always carries a 4xx and a reason. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../trustd/httphead.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httphead h;
	int r = httphead_scan(data, size, 65536, &h);

	if (r == 0) {
		if (h.head_len < 4 || h.head_len > size ||
		    h.head_len > HTTPHEAD_MAX ||
		    data[h.head_len - 1] != '\n' || h.body_len > 65536)
			abort();
	} else if (r == -ENODATA) {
		if (size >= HTTPHEAD_MAX)
			abort();
	} else if (h.status < 400 || h.status > 499 || !h.why) {
		abort();
	}
	return 0;
}
