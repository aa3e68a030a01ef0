/* See base64.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"

long
base64_encode(const uint8_t *p, size_t n, char *out)
{
	if (n > BASE64_INPUT_MAX)
		return -E2BIG;
	return EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

/* The alphabet only; EVP_DecodeBlock reads '=' as 'A' and skips
 * surrounding whitespace, so both are checked here. */
static bool
base64_chars_ok(const char *s, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || !strchr(alphabet, s[i]))
			return false;
	return true;
}

long
base64_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
	uint8_t last[3];
	char again[5];
	size_t pad = 0, body, n;

	if (len == 0 || len % 4 != 0)
		return -EBADMSG;
	if (len > BASE64_ENCODED_LEN(BASE64_INPUT_MAX))
		return -E2BIG;
	while (pad < 2 && s[len - 1 - pad] == '=')
		pad++;
	if (!base64_chars_ok(s, len - pad))
		return -EBADMSG;
	body = len - 4;	/* all quanta but the last, decoded in place */
	n = body / 4 * 3 + 3 - pad;
	if (n > cap)
		return -E2BIG;
	if (body && EVP_DecodeBlock(out, (const unsigned char *)s,
	    (int)body) != (int)(body / 4 * 3))
		return -EBADMSG;
	if (EVP_DecodeBlock(last, (const unsigned char *)s + body, 4) != 3)
		return -EBADMSG;
	/* Canonical: the last quantum encodes back to itself, so pad bits
	 * are zero ("AB==" is refused, "AA==" taken). */
	EVP_EncodeBlock((unsigned char *)again, last, (int)(3 - pad));
	if (memcmp(again, s + body, 4) != 0)
		return -EBADMSG;
	memcpy(out + body / 4 * 3, last, 3 - pad);
	return (long)n;
}
