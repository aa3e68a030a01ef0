/* Hexadecimal text for keys and fingerprints in tools, logs of public
 * values and tests. */
#ifndef SVOPI_HEX_H
#define SVOPI_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2*n lower-case digits and a NUL to out, which holds 2*n+1 bytes. */
void hex_encode(const uint8_t *p, size_t n, char *out);
/* Decodes exactly len digits (even, either case) into out (len/2 bytes,
 * at most cap). Returns the byte count, or -EBADMSG / -E2BIG. */
long hex_decode(const char *s, size_t len, uint8_t *out, size_t cap);

#endif
