/* See hmac-sha1.h. */
#define OPENSSL_SUPPRESS_DEPRECATED	/* SHA1_Init/Update/Final */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "hmac-sha1.h"

void
hmac_sha1_init(struct hmac_sha1 *h, const uint8_t *key, size_t len)
{
	uint8_t pad[HMAC_SHA1_BLOCK], k[HMAC_SHA1_LEN];

	if (len > HMAC_SHA1_BLOCK) {	/* RFC 2104: hash a long key */
		SHA1(key, len, k);
		key = k;
		len = HMAC_SHA1_LEN;
	}
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < len; i++)
		pad[i] ^= key[i];
	SHA1_Init(&h->inner);
	SHA1_Update(&h->inner, pad, sizeof(pad));
	memset(pad, 0x5c, sizeof(pad));
	for (size_t i = 0; i < len; i++)
		pad[i] ^= key[i];
	SHA1_Init(&h->outer);
	SHA1_Update(&h->outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(k, sizeof(k));
	hmac_sha1_start(h);
}

void
hmac_sha1_start(struct hmac_sha1 *h)
{
	h->work = h->inner;
}

void
hmac_sha1_update(struct hmac_sha1 *h, const uint8_t *msg, size_t len)
{
	SHA1_Update(&h->work, msg, len);
}

void
hmac_sha1_final(struct hmac_sha1 *h, uint8_t out[HMAC_SHA1_LEN])
{
	uint8_t in[HMAC_SHA1_LEN];

	SHA1_Final(in, &h->work);
	h->work = h->outer;
	SHA1_Update(&h->work, in, sizeof(in));
	SHA1_Final(out, &h->work);
	OPENSSL_cleanse(in, sizeof(in));
	hmac_sha1_start(h);	/* nothing of the message stays */
}

void
hmac_sha1(struct hmac_sha1 *h, const uint8_t *msg, size_t len,
    uint8_t out[HMAC_SHA1_LEN])
{
	hmac_sha1_start(h);
	hmac_sha1_update(h, msg, len);
	hmac_sha1_final(h, out);
}

void
hmac_sha1_wipe(struct hmac_sha1 *h)
{
	OPENSSL_cleanse(h, sizeof(*h));
}
