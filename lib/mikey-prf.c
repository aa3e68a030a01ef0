#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hmac-sha1.h"
#include "mikey-prf.h"

#define CHUNK_LEN	32	/* 256-bit inkey chunks */

/* out ^= P_SHA1(s, label) truncated to out_len (the TLS 1.x P_hash). */
static void
p_sha1_xor(const uint8_t *s, size_t s_len, const uint8_t *label,
    size_t label_len, uint8_t *out, size_t out_len)
{
	uint8_t a[HMAC_SHA1_LEN + MIKEY_PRF_LABEL_MAX];	/* A_i || label */
	uint8_t block[HMAC_SHA1_LEN];
	struct hmac_sha1 h;	/* keyed with s once for all its MACs */
	size_t done = 0;

	hmac_sha1_init(&h, s, s_len);
	/* A_1 = HMAC(s, A_0 = label) */
	hmac_sha1(&h, label, label_len, a);
	if (label_len)
		memcpy(a + HMAC_SHA1_LEN, label, label_len);
	while (done < out_len) {
		size_t n = out_len - done < HMAC_SHA1_LEN ? out_len - done :
		    HMAC_SHA1_LEN;

		hmac_sha1(&h, a, HMAC_SHA1_LEN + label_len, block);
		for (size_t i = 0; i < n; i++)
			out[done + i] ^= block[i];
		done += n;
		if (done < out_len)
			hmac_sha1(&h, a, HMAC_SHA1_LEN, a);
	}
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(block, sizeof(block));
	hmac_sha1_wipe(&h);
}

int
mikey_prf(const uint8_t *inkey, size_t inkey_len, const uint8_t *label,
    size_t label_len, uint8_t *out, size_t out_len)
{
	uint8_t tmp[MIKEY_PRF_OUT_MAX];

	if (inkey_len == 0 || out_len == 0 || !inkey || !out ||
	    (label_len && !label))
		return -EINVAL;
	if (inkey_len > MIKEY_PRF_INKEY_MAX || label_len > MIKEY_PRF_LABEL_MAX ||
	    out_len > MIKEY_PRF_OUT_MAX)
		return -E2BIG;
	memset(tmp, 0, out_len);
	for (size_t off = 0; off < inkey_len; off += CHUNK_LEN) {
		size_t n = inkey_len - off < CHUNK_LEN ? inkey_len - off :
		    CHUNK_LEN;

		p_sha1_xor(inkey + off, n, label, label_len, tmp, out_len);
	}
	memcpy(out, tmp, out_len);
	OPENSSL_cleanse(tmp, out_len);
	return 0;
}

int
mikey_prf_derive(const uint8_t *tgk, size_t tgk_len, uint32_t constant,
    uint8_t cs_id, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
    uint8_t *out, size_t out_len)
{
	uint8_t label[MIKEY_PRF_LABEL_MAX];

	if (rand_len > MIKEY_PRF_LABEL_MAX - 9)
		return -E2BIG;
	if (rand_len && !rand)
		return -EINVAL;
	label[0] = (uint8_t)(constant >> 24);
	label[1] = (uint8_t)(constant >> 16);
	label[2] = (uint8_t)(constant >> 8);
	label[3] = (uint8_t)constant;
	label[4] = cs_id;
	label[5] = (uint8_t)(csb_id >> 24);
	label[6] = (uint8_t)(csb_id >> 16);
	label[7] = (uint8_t)(csb_id >> 8);
	label[8] = (uint8_t)csb_id;
	if (rand_len)
		memcpy(label + 9, rand, rand_len);
	return mikey_prf(tgk, tgk_len, label, 9 + rand_len, out, out_len);
}
