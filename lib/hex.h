/* Hexadecimal text: keys and tokens in tools and tests (lower case), and
 * the upper-case form of percent-escapes and certificate fingerprints
 * (fingerprint.h builds on it). The one hex encoder of the tree. */
#ifndef SVOPI_HEX_H
#define SVOPI_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*n lower-case digits and a NUL to out, which holds 2*n+1 bytes. */
void hex_encode(const uint8_t *p, size_t n, char *out);
/* Writes n upper-case digit pairs to out, separated by sep unless sep is
 * '\0', and a NUL: out holds 2*n+1 bytes without sep, 3*n with (n > 0). */
void hex_encode_upper(const uint8_t *p, size_t n, char sep, char *out);
/* Decodes exactly len digits (even, either case) into out (len/2 bytes,
 * at most cap). Returns the byte count, or -EBADMSG / -E2BIG. */
long hex_decode(const char *s, size_t len, uint8_t *out, size_t cap);
/* The value of one hex digit (either case), or -1. */
int hex_digit_value(char c);

#endif
