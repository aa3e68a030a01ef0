/* Base64 (RFC 4648 §4) through OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock,
 * with the checks those leave to the caller: padding, the alphabet, and
 * canonical (zero) pad bits, so that one message has one encoding. */
#ifndef SVOPI_BASE64_H
#define SVOPI_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters for n bytes, padding included, without the NUL. */
#define BASE64_ENCODED_LEN(n) (4 * (((size_t)(n) + 2) / 3))
/* Largest input base64_encode takes (EVP_EncodeBlock counts in int). */
#define BASE64_INPUT_MAX ((size_t)3 * 256 * 1024 * 1024)

/* Writes BASE64_ENCODED_LEN(n) characters and a NUL to out. Returns the
 * character count, or -E2BIG over BASE64_INPUT_MAX. */
long base64_encode(const uint8_t *p, size_t n, char *out);

/* Decodes exactly len characters: padded, no whitespace, pad bits zero.
 * Returns the byte count written to out (cap bytes), -EBADMSG for
 * anything else (the empty string included), -E2BIG when the bytes do
 * not fit in cap or len is over BASE64_ENCODED_LEN(BASE64_INPUT_MAX). */
long base64_decode(const char *s, size_t len, uint8_t *out, size_t cap);

#endif
