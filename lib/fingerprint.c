/* See fingerprint.h. */
#include <errno.h>
#include <string.h>

#include "fingerprint.h"
#include "hex.h"

void
fingerprint_format(const uint8_t md[FINGERPRINT_LEN],
	char out[FINGERPRINT_TEXT_SIZE])
{
	hex_encode_upper(md, FINGERPRINT_LEN, ':', out);
}

int
fingerprint_parse(const char *s, uint8_t md[FINGERPRINT_LEN])
{
	size_t n = strnlen(s, FINGERPRINT_TEXT_SIZE);
	uint8_t tmp[FINGERPRINT_LEN];

	if (n == FINGERPRINT_KEY_LEN) {
		if (hex_decode(s, n, tmp, sizeof(tmp)) != FINGERPRINT_LEN)
			return -EINVAL;
	} else if (n == FINGERPRINT_TEXT_SIZE - 1) {
		for (size_t i = 0; i < FINGERPRINT_LEN; i++)
			if ((i + 1 < FINGERPRINT_LEN && s[3 * i + 2] != ':') ||
			    hex_decode(s + 3 * i, 2, tmp + i, 1) != 1)
				return -EINVAL;
	} else {
		return -EINVAL;
	}
	memcpy(md, tmp, sizeof(tmp));
	return 0;
}

int
fingerprint_to_text(const char *in, char out[FINGERPRINT_TEXT_SIZE])
{
	uint8_t md[FINGERPRINT_LEN];

	if (fingerprint_parse(in, md) < 0)
		return -EINVAL;
	fingerprint_format(md, out);
	return 0;
}

int
fingerprint_to_key(const char *in, char out[FINGERPRINT_KEY_LEN + 1])
{
	uint8_t md[FINGERPRINT_LEN];

	if (fingerprint_parse(in, md) < 0)
		return -EINVAL;
	hex_encode(md, FINGERPRINT_LEN, out);
	return 0;
}
