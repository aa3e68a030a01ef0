/* HMAC-SHA1 (RFC 2104) from kept keyed states: the key is hashed into the
 * inner and outer states once, and each MAC starts from copies of them
 * (struct copies: no allocation, no EVP parameter lookups). Used where
 * one key MACs many messages: SRTP's per-packet tag (lib/srtp-openssl)
 * and MIKEY's PRF (lib/mikey-prf). Through EVP each MAC cost a digest
 * context duplication (malloc and free) and provider lookups: 541 ns
 * against 294 ns for a 176-byte message in a warm loop. The SHA1_*
 * functions are deprecated in OpenSSL 3 but kept in every 3.x release
 * (docs/decisions.md). Pure. */
#ifndef SVOPI_HMAC_SHA1_H
#define SVOPI_HMAC_SHA1_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#define HMAC_SHA1_LEN	20
#define HMAC_SHA1_BLOCK	64

/* The keyed states and the message's, opaque in use (the SHA_CTX type
 * is not deprecated, its functions are). Secret: hmac_sha1_wipe. */
struct hmac_sha1 {
	SHA_CTX inner, outer, work;
};

/* Keys the states (a key longer than a block is hashed first). */
void hmac_sha1_init(struct hmac_sha1 *h, const uint8_t *key, size_t len);
/* A message in pieces: start, update..., final (the full 20 bytes). */
void hmac_sha1_start(struct hmac_sha1 *h);
void hmac_sha1_update(struct hmac_sha1 *h, const uint8_t *msg, size_t len);
void hmac_sha1_final(struct hmac_sha1 *h, uint8_t out[HMAC_SHA1_LEN]);
/* start + update + final. */
void hmac_sha1(struct hmac_sha1 *h, const uint8_t *msg, size_t len,
    uint8_t out[HMAC_SHA1_LEN]);
void hmac_sha1_wipe(struct hmac_sha1 *h);

#endif
