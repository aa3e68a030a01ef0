/* SRTP ciphers on OpenSSL: see srtp-openssl.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/crypto_types.h>
#include <srtp2/srtp.h>

#include "hmac-sha1.h"
#include "srtp-openssl.h"

#define ICM_SALT_LEN	14	/* RFC 3711 4.1.1: 112 bits */
#define ICM_BLOCK	16

/* AES counter mode (RFC 3711 4.1.1). The counter block is the salt (the
 * last 14 octets of the key libsrtp2 hands over, then two zero octets)
 * XOR the IV libsrtp2 sets per packet; the low 16 bits count the blocks.
 * The key stream is AES-ECB of the counter blocks, made here: a packet
 * then costs one EVP_EncryptUpdate on a context keyed once. Setting the
 * IV of an EVP CTR context for each packet instead went through
 * OpenSSL 3's parameter lookups (EVP_CIPHER_CTX_get_iv_length,
 * OSSL_PARAM_locate: strcmp) every time, a visible share of a call's CPU
 * (perf, bench/media-vs-baresip). The counter is incremented over all
 * 128 bits, as OpenSSL's CTR mode did: the same stream as long as the
 * 16-bit counter does not wrap, which takes 1 MiB in one packet (the KDF
 * and SRTP ask for at most a few KiB). */
#define ICM_CHUNK	32	/* counter blocks encrypted per EVP call */

struct icm {
	EVP_CIPHER_CTX *ctx;		/* owned: AES-ECB with the key */
	int key_size;			/* 16 or 32 */
	uint8_t offset[ICM_BLOCK];	/* the salt, padded: secret, wiped */
	uint8_t ctr[ICM_BLOCK];		/* the next counter block */
	uint8_t ks[ICM_BLOCK];		/* key stream left of the last block:
					 * secret, wiped */
	unsigned ks_left;		/* bytes of ks not used yet (at its
					 * end) */
};

static const srtp_cipher_type_t icm128_type, icm256_type;

static srtp_err_status_t
icm_alloc(srtp_cipher_t **ret, int key_len, int tag_len)
{
	srtp_cipher_t *c;
	struct icm *s;

	(void)tag_len;
	if (key_len != SRTP_AES_ICM_128_KEY_LEN_WSALT &&
	    key_len != SRTP_AES_ICM_256_KEY_LEN_WSALT)
		return srtp_err_status_bad_param;
	c = calloc(1, sizeof(*c));
	s = calloc(1, sizeof(*s));
	if (!c || !s || !(s->ctx = EVP_CIPHER_CTX_new())) {
		free(c);
		free(s);
		return srtp_err_status_alloc_fail;
	}
	c->state = s;
	c->key_len = key_len;
	if (key_len == SRTP_AES_ICM_128_KEY_LEN_WSALT) {
		c->type = &icm128_type;
		c->algorithm = SRTP_AES_ICM_128;
		s->key_size = 16;
	} else {
		c->type = &icm256_type;
		c->algorithm = SRTP_AES_ICM_256;
		s->key_size = 32;
	}
	*ret = c;
	return srtp_err_status_ok;
}

static srtp_err_status_t
icm_dealloc(srtp_cipher_t *c)
{
	struct icm *s;

	if (!c)
		return srtp_err_status_bad_param;
	s = c->state;
	if (s) {
		EVP_CIPHER_CTX_free(s->ctx);	/* wipes the key schedule */
		OPENSSL_cleanse(s, sizeof(*s));
		free(s);
	}
	free(c);
	return srtp_err_status_ok;
}

static srtp_err_status_t
icm_init(void *state, const uint8_t *key)
{
	struct icm *s = state;
	const EVP_CIPHER *evp = s->key_size == 16 ? EVP_aes_128_ecb() :
	    EVP_aes_256_ecb();

	memset(s->offset, 0, sizeof(s->offset));
	memcpy(s->offset, key + s->key_size, ICM_SALT_LEN);
	memcpy(s->ctr, s->offset, ICM_BLOCK);
	OPENSSL_cleanse(s->ks, sizeof(s->ks));
	s->ks_left = 0;
	if (!EVP_CIPHER_CTX_reset(s->ctx) ||
	    !EVP_EncryptInit_ex(s->ctx, evp, NULL, key, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(s->ctx, 0))
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t
icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
	struct icm *s = state;

	(void)dir;
	for (size_t i = 0; i < ICM_BLOCK; i++)
		s->ctr[i] = s->offset[i] ^ iv[i];
	OPENSSL_cleanse(s->ks, sizeof(s->ks));
	s->ks_left = 0;
	return srtp_err_status_ok;
}

static void
icm_ctr_next(uint8_t ctr[ICM_BLOCK])
{
	for (int i = ICM_BLOCK - 1; i >= 0 && ++ctr[i] == 0; i--)
		;
}

/* n counter blocks (n <= ICM_CHUNK) of key stream into ks. */
static int
icm_stream(struct icm *s, uint8_t *ks, unsigned n)
{
	uint8_t blocks[ICM_CHUNK * ICM_BLOCK];
	int out = 0, ok;

	for (unsigned b = 0; b < n; b++) {
		memcpy(blocks + b * ICM_BLOCK, s->ctr, ICM_BLOCK);
		icm_ctr_next(s->ctr);
	}
	ok = EVP_EncryptUpdate(s->ctx, ks, &out, blocks,
	    (int)(n * ICM_BLOCK)) && out == (int)(n * ICM_BLOCK);
	OPENSSL_cleanse(blocks, n * ICM_BLOCK);	/* salt XOR IV */
	return ok ? 0 : -1;
}

/* Encryption and decryption are the same XOR with the key stream, which
 * continues from where the last call stopped until the next set_iv. */
static srtp_err_status_t
icm_crypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct icm *s = state;
	uint8_t ks[ICM_CHUNK * ICM_BLOCK];
	unsigned n = *len, done = 0, used = 0, filled = 0;	/* of ks */
	srtp_err_status_t rc = srtp_err_status_ok;

	if (n > (unsigned)(ICM_BLOCK << 16))
		return srtp_err_status_terminus;
	/* What the last block left. */
	while (done < n && s->ks_left) {
		buf[done++] ^= s->ks[ICM_BLOCK - s->ks_left];
		s->ks_left--;
	}
	while (done < n) {
		unsigned blocks = (n - done + ICM_BLOCK - 1) / ICM_BLOCK;
		unsigned bytes;

		if (blocks > ICM_CHUNK)
			blocks = ICM_CHUNK;
		if (icm_stream(s, ks, blocks) < 0) {
			rc = srtp_err_status_cipher_fail;
			break;
		}
		used = blocks * ICM_BLOCK;
		if (used > filled)
			filled = used;
		bytes = n - done < used ? n - done : used;
		for (unsigned i = 0; i < bytes; i++)
			buf[done + i] ^= ks[i];
		done += bytes;
		if (bytes < used) {	/* keep the rest of the last block */
			s->ks_left = used - bytes;
			memcpy(s->ks + ICM_BLOCK - s->ks_left, ks + bytes,
			    s->ks_left);
		}
	}
	OPENSSL_cleanse(ks, filled);
	return rc;
}

/* RFC 3711 B.2: the key stream of the first two blocks. */
static const uint8_t icm128_key[SRTP_AES_ICM_128_KEY_LEN_WSALT] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static const uint8_t icm128_stream[32] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80,
	0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
	0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7,
	0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab,
};
/* RFC 6188 7.1: the same for AES-256. */
static const uint8_t icm256_key[SRTP_AES_ICM_256_KEY_LEN_WSALT] = {
	0x57, 0xf8, 0x2f, 0xe3, 0x61, 0x3f, 0xd1, 0x70,
	0xa8, 0x5e, 0xc9, 0x3c, 0x40, 0xb1, 0xf0, 0x92,
	0x2e, 0xc4, 0xcb, 0x0d, 0xc0, 0x25, 0xb5, 0x82,
	0x72, 0x14, 0x7c, 0xc4, 0x38, 0x94, 0x4a, 0x98,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};
static const uint8_t icm256_stream[32] = {
	0x92, 0xbd, 0xd2, 0x8a, 0x93, 0xc3, 0xf5, 0x25,
	0x11, 0xc6, 0x77, 0xd0, 0x8b, 0x55, 0x15, 0xa4,
	0x9d, 0xa7, 0x1b, 0x23, 0x78, 0xa8, 0x54, 0xf6,
	0x70, 0x50, 0x75, 0x6d, 0xed, 0x16, 0x5b, 0xac,
};
/* libsrtp2's test routine writes into idx and the plaintext's copy only,
 * but its structure wants them non-const. */
static uint8_t zero_iv[ICM_BLOCK];
static const uint8_t zeros[32];

static const srtp_cipher_test_case_t icm128_test = {
	SRTP_AES_ICM_128_KEY_LEN_WSALT, icm128_key, zero_iv,
	sizeof(zeros), zeros, sizeof(icm128_stream), icm128_stream,
	0, NULL, 0, NULL,
};
static const srtp_cipher_test_case_t icm256_test = {
	SRTP_AES_ICM_256_KEY_LEN_WSALT, icm256_key, zero_iv,
	sizeof(zeros), zeros, sizeof(icm256_stream), icm256_stream,
	0, NULL, 0, NULL,
};

static const srtp_cipher_type_t icm128_type = {
	icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt,
	icm_set_iv, NULL, "AES-128 counter mode on OpenSSL (svopi)",
	&icm128_test, SRTP_AES_ICM_128,
};
static const srtp_cipher_type_t icm256_type = {
	icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt,
	icm_set_iv, NULL, "AES-256 counter mode on OpenSSL (svopi)",
	&icm256_test, SRTP_AES_ICM_256,
};

/* HMAC-SHA1 (RFC 2104), truncated to the tag length libsrtp2 asks for;
 * the state is a struct hmac_sha1 (lib/hmac-sha1.h: kept keyed states,
 * no allocation per packet; secret, wiped). */
static const srtp_auth_type_t hmac_type;

static srtp_err_status_t
hmac_alloc(srtp_auth_t **ret, int key_len, int out_len)
{
	srtp_auth_t *a;
	struct hmac_sha1 *s;

	if (out_len < 0 || out_len > HMAC_SHA1_LEN || key_len < 0)
		return srtp_err_status_bad_param;
	a = calloc(1, sizeof(*a));
	s = calloc(1, sizeof(*s));
	if (!a || !s) {
		free(a);
		free(s);
		return srtp_err_status_alloc_fail;
	}
	a->type = &hmac_type;
	a->state = s;
	a->out_len = out_len;
	a->key_len = key_len;
	a->prefix_len = 0;
	*ret = a;
	return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_dealloc(srtp_auth_t *a)
{
	if (!a)
		return srtp_err_status_bad_param;
	if (a->state) {
		hmac_sha1_wipe(a->state);
		free(a->state);
	}
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
	return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_init(void *state, const uint8_t *key, int key_len)
{
	struct hmac_sha1 *h = state;

	if (key_len < 0)
		return srtp_err_status_auth_fail;
	hmac_sha1_init(h, key, (size_t)key_len);
	return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_start(void *state)
{
	struct hmac_sha1 *h = state;

	hmac_sha1_start(h);
	return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_update(void *state, const uint8_t *msg, int len)
{
	struct hmac_sha1 *h = state;

	if (len < 0)
		return srtp_err_status_auth_fail;
	hmac_sha1_update(h, msg, (size_t)len);
	return srtp_err_status_ok;
}

static srtp_err_status_t
hmac_compute(void *state, const uint8_t *msg, int len, int tag_len,
    uint8_t *tag)
{
	struct hmac_sha1 *h = state;
	uint8_t full[HMAC_SHA1_LEN];

	if (tag_len < 0 || tag_len > HMAC_SHA1_LEN || len < 0)
		return srtp_err_status_bad_param;
	hmac_sha1_update(h, msg, (size_t)len);
	hmac_sha1_final(h, full);
	memcpy(tag, full, (size_t)tag_len);
	OPENSSL_cleanse(full, sizeof(full));
	return srtp_err_status_ok;
}

/* RFC 2202, test case 1. */
static const uint8_t hmac_key[20] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};
static const uint8_t hmac_data[8] = { 'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e' };
static const uint8_t hmac_tag[HMAC_SHA1_LEN] = {
	0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
	0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
};
static const srtp_auth_test_case_t hmac_test = {
	sizeof(hmac_key), hmac_key, sizeof(hmac_data), hmac_data,
	sizeof(hmac_tag), hmac_tag, NULL,
};

static const srtp_auth_type_t hmac_type = {
	hmac_alloc, hmac_dealloc, hmac_init, hmac_compute, hmac_update,
	hmac_start, "HMAC-SHA1 on OpenSSL (svopi)", &hmac_test,
	SRTP_HMAC_SHA1,
};

const srtp_cipher_type_t *
srtp_openssl_icm_type(unsigned key_size)
{
	return key_size == 16 ? &icm128_type : key_size == 32 ?
	    &icm256_type : NULL;
}

int
srtp_openssl_install(void)
{
	/* Each replacement runs our vectors and the replaced type's. */
	if (srtp_replace_cipher_type(&icm128_type, SRTP_AES_ICM_128) !=
	    srtp_err_status_ok ||
	    srtp_replace_cipher_type(&icm256_type, SRTP_AES_ICM_256) !=
	    srtp_err_status_ok ||
	    srtp_replace_auth_type(&hmac_type, SRTP_HMAC_SHA1) !=
	    srtp_err_status_ok)
		return -EIO;
	return 0;
}
