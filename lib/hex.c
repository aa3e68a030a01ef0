#include <errno.h>

#include "hex.h"

static void
hex_write(const uint8_t *p, size_t n, const char *digits, char sep, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (sep && i)
			out[o++] = sep;
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 15];
	}
	out[o] = '\0';
}

void
hex_encode(const uint8_t *p, size_t n, char *out)
{
	hex_write(p, n, "0123456789abcdef", '\0', out);
}

void
hex_encode_upper(const uint8_t *p, size_t n, char sep, char *out)
{
	hex_write(p, n, "0123456789ABCDEF", sep, out);
}

int
hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
hex_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
	if (len % 2)
		return -EBADMSG;
	if (len / 2 > cap)
		return -E2BIG;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit_value(s[i]), lo = hex_digit_value(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -EBADMSG;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}
