/* MIKEY-1 PRF and OAKLEY 5: the MIKEY.md vectors V1/V2, the PRF against
 * OpenSSL's TLS1-PRF (digest SHA1) run per 256-bit chunk and XORed, and a
 * DH exchange whose TGK is recomputed with plain BN_mod_exp. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "hex.h"
#include "mikey.h"
#include "mikey-dh.h"
#include "mikey-prf.h"
#include "test.h"
#include "test-mikey-util.h"

static void
test_vectors(void)
{
	uint8_t key[44], out[48], want[48];
	size_t n;

	/* V1: inkey 0x0b x 20, label "prf-test", 48 bytes. */
	memset(key, 0x0b, 20);
	n = test_unhex("cdd37398b32b3fa4189d729e74f2b7c5774edccec76fdb142dfc6a8d"
	    "9c11f8cdd1e5fffea7ea9cc9ad35dfbe06b10c14", want, sizeof(want));
	CHECK_EQ_INT(n, 48);
	CHECK_EQ_INT(mikey_prf(key, 20, (const uint8_t *)"prf-test", 8, out,
	    48), 0);
	CHECK_MEM(out, want, 48);

	/* V2: inkey 0xA5 x 32 || 0x5A x 12 (two chunks), 20 bytes. */
	memset(key, 0xa5, 32);
	memset(key + 32, 0x5a, 12);
	n = test_unhex("beaf12d2559a14ab5d6f931bdc2419c5e00521c4", want,
	    sizeof(want));
	CHECK_EQ_INT(mikey_prf(key, 44, (const uint8_t *)"split-test", 10,
	    out, 20), 0);
	CHECK_MEM(out, want, n);
	/* And both against the reference. */
	tref_prf(key, 44, (const uint8_t *)"split-test", 10, want, 20);
	CHECK_MEM(out, want, 20);
}

static void
test_against_tls1_prf(void)
{
	static const size_t key_lens[] = { 1, 20, 31, 32, 33, 64, 96, 128,
		191, 192, 512 };
	static const size_t out_lens[] = { 1, 14, 16, 20, 21, 32, 40, 100 };
	uint8_t key[512], label[64], a[100], b[100];

	RAND_bytes(key, sizeof(key));
	RAND_bytes(label, sizeof(label));
	for (size_t i = 0; i < sizeof(key_lens) / sizeof(key_lens[0]); i++)
		for (size_t j = 0; j < sizeof(out_lens) / sizeof(out_lens[0]);
		    j++) {
			size_t kl = key_lens[i], ol = out_lens[j];

			CHECK_EQ_INT(mikey_prf(key, kl, label, 25, a, ol), 0);
			tref_prf(key, kl, label, 25, b, ol);
			CHECK_MEM(a, b, ol);
		}
}

static void
test_limits(void)
{
	uint8_t key[MIKEY_PRF_INKEY_MAX + 1], out[MIKEY_PRF_OUT_MAX + 1];
	uint8_t rand[300];

	memset(key, 1, sizeof(key));
	CHECK_EQ_INT(mikey_prf(key, 0, NULL, 0, out, 16), -EINVAL);
	CHECK_EQ_INT(mikey_prf(key, 16, NULL, 0, out, 0), -EINVAL);
	CHECK_EQ_INT(mikey_prf(key, sizeof(key), NULL, 0, out, 16), -E2BIG);
	CHECK_EQ_INT(mikey_prf(key, 16, NULL, 0, out, sizeof(out)), -E2BIG);
	CHECK_EQ_INT(mikey_prf(key, 16, key, MIKEY_PRF_LABEL_MAX + 1, out,
	    16), -E2BIG);
	CHECK_EQ_INT(mikey_prf(key, 16, NULL, 0, out, 16), 0);
	memset(rand, 2, sizeof(rand));
	CHECK_EQ_INT(mikey_prf_derive(key, 16, MIKEY_KEY_TEK, 1, 2, rand,
	    256, out, 16), -E2BIG);
	CHECK_EQ_INT(mikey_prf_derive(key, 16, MIKEY_KEY_TEK, 1, 2, rand,
	    255, out, 16), 0);
}

/* TEK for cs_id 1 with the label built by hand. */
static void
test_derive(void)
{
	uint8_t tgk[192], rand[16], label[25], a[32], b[32];

	RAND_bytes(tgk, sizeof(tgk));
	RAND_bytes(rand, sizeof(rand));
	memcpy(label, "\x2a\xd0\x1c\x64\x01\xde\xad\xbe\xef", 9);
	memcpy(label + 9, rand, 16);
	CHECK_EQ_INT(mikey_prf_derive(tgk, 192, MIKEY_KEY_TEK, 1, 0xdeadbeef,
	    rand, 16, a, 32), 0);
	tref_prf(tgk, 192, label, 25, b, 32);
	CHECK_MEM(a, b, 32);
	/* The salt constant and cs_id 2 give other keys. */
	memcpy(label, "\x39\xa2\xc1\x4b\x02", 5);
	CHECK_EQ_INT(mikey_prf_derive(tgk, 192, MIKEY_KEY_SALT, 2, 0xdeadbeef,
	    rand, 16, a, 14), 0);
	tref_prf(tgk, 192, label, 25, b, 14);
	CHECK_MEM(a, b, 14);
}

/* y^x mod p with plain BIGNUM arithmetic, padded. */
static void
ref_modexp(const uint8_t *y, const uint8_t *x, size_t x_len, uint8_t *out)
{
	BIGNUM *p = BN_get_rfc3526_prime_1536(NULL);
	BIGNUM *by = BN_bin2bn(y, 192, NULL), *bx = BN_bin2bn(x, (int)x_len,
	    NULL), *r = BN_new();
	BN_CTX *ctx = BN_CTX_new();

	if (!BN_mod_exp(r, by, bx, p, ctx) || BN_bn2binpad(r, out, 192) != 192)
		abort();
	BN_free(p);
	BN_free(by);
	BN_free(bx);
	BN_free(r);
	BN_CTX_free(ctx);
}

static void
test_dh(void)
{
	struct mikey_dh *a = NULL, *b = NULL, *c = NULL;
	uint8_t pa[192], pb[192], ta[192], tb[192], tr[192], x[192], y[192];
	uint8_t small[192];
	BIGNUM *p = BN_get_rfc3526_prime_1536(NULL);
	int xl;

	CHECK_EQ_INT(mikey_dh_group_len(MIKEY_DH_OAKLEY5), 192);
	CHECK_EQ_INT(mikey_dh_group_len(MIKEY_DH_OAKLEY1), -EPROTONOSUPPORT);
	CHECK_EQ_INT(mikey_dh_new(MIKEY_DH_OAKLEY1, &a), -EPROTONOSUPPORT);
	CHECK_EQ_INT(mikey_dh_new(MIKEY_DH_OAKLEY2, &a), -EPROTONOSUPPORT);
	CHECK(a == NULL);
	CHECK_EQ_INT(mikey_dh_new(MIKEY_DH_OAKLEY5, &a), 0);
	CHECK_EQ_INT(mikey_dh_new(MIKEY_DH_OAKLEY5, &b), 0);
	CHECK_EQ_INT(mikey_dh_group(a), MIKEY_DH_OAKLEY5);
	CHECK_EQ_INT(mikey_dh_public(a, pa, sizeof(pa)), 0);
	CHECK_EQ_INT(mikey_dh_public(b, pb, sizeof(pb)), 0);
	CHECK_EQ_INT(mikey_dh_public(a, pa, 191), -E2BIG);
	CHECK_EQ_INT(mikey_dh_derive(a, pb, 192, ta, sizeof(ta)), 192);
	CHECK_EQ_INT(mikey_dh_derive(b, pa, 192, tb, sizeof(tb)), 192);
	CHECK_MEM(ta, tb, 192);
	xl = mikey_dh_export(a, x, sizeof(x));
	CHECK_EQ_INT(xl, 192);
	ref_modexp(pb, x, 192, tr);
	CHECK_MEM(ta, tr, 192);

	/* Import gives the same key pair. */
	CHECK_EQ_INT(mikey_dh_import(MIKEY_DH_OAKLEY5, x, 192, &c), 0);
	CHECK_EQ_INT(mikey_dh_public(c, y, sizeof(y)), 0);
	CHECK_MEM(y, pa, 192);
	c = mikey_dh_free(c);

	/* Padding: x = 2 gives g^x = 4, i.e. 191 leading zero bytes; a peer
	 * value of 2 gives TGK 4. */
	memset(small, 0, sizeof(small));
	small[191] = 2;
	CHECK_EQ_INT(mikey_dh_import(MIKEY_DH_OAKLEY5, small + 191, 1, &c), 0);
	CHECK_EQ_INT(mikey_dh_public(c, y, sizeof(y)), 0);
	CHECK(y[191] == 4 && y[0] == 0 && y[190] == 0);
	CHECK_EQ_INT(mikey_dh_derive(c, small, 192, tb, sizeof(tb)), 192);
	CHECK(tb[191] == 4 && tb[0] == 0 && tb[190] == 0);
	CHECK_EQ_INT(mikey_dh_derive(b, y, 192, tb, sizeof(tb)), 192);
	mikey_dh_export(b, x, sizeof(x));
	ref_modexp(y, x, 192, tr);
	CHECK_MEM(tb, tr, 192);
	c = mikey_dh_free(c);

	/* Range: 0, 1, p-1, p, p+1 are refused; 2 and p-2 are fine. */
	memset(y, 0, sizeof(y));
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), -EBADMSG);
	y[191] = 1;
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), -EBADMSG);
	CHECK_EQ_INT(mikey_dh_derive(a, y, 192, tb, sizeof(tb)), -EBADMSG);
	y[191] = 2;
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), 0);
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 191), -EBADMSG);
	CHECK_EQ_INT(mikey_dh_check_public(1, y, 96), -EPROTONOSUPPORT);
	BN_bn2binpad(p, y, 192);
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), -EBADMSG);
	y[191] -= 1;
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), -EBADMSG);
	y[191] -= 1;
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), 0);
	BN_add_word(p, 1);
	BN_bn2binpad(p, y, 192);	/* p + 1 */
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), -EBADMSG);
	memset(y, 0xff, sizeof(y));
	CHECK_EQ_INT(mikey_dh_check_public(0, y, 192), -EBADMSG);

	/* Import refuses unusable secrets. */
	CHECK_EQ_INT(mikey_dh_import(0, (const uint8_t *)"\x01", 1, &c),
	    -EBADMSG);
	CHECK_EQ_INT(mikey_dh_import(0, x, 0, &c), -EBADMSG);
	CHECK_EQ_INT(mikey_dh_import(0, x, 193, &c), -EBADMSG);
	CHECK_EQ_INT(mikey_dh_import(2, x, 128, &c), -EPROTONOSUPPORT);
	CHECK(c == NULL);

	/* Full chain: keys from the DH exchange equal the reference. */
	{
		uint8_t rand[16], label[25], k1[16], k2[16];

		RAND_bytes(rand, sizeof(rand));
		mikey_prf_derive(ta, 192, MIKEY_KEY_TEK, 1, 0x01020304, rand,
		    16, k1, 16);
		memcpy(label, "\x2a\xd0\x1c\x64\x01\x01\x02\x03\x04", 9);
		memcpy(label + 9, rand, 16);
		tref_prf(ta, 192, label, 25, k2, 16);
		CHECK_MEM(k1, k2, 16);
	}

	CHECK(mikey_dh_free(a) == NULL);
	CHECK(mikey_dh_free(b) == NULL);
	CHECK(mikey_dh_free(NULL) == NULL);
	BN_free(p);
}

int
main(void)
{
	test_vectors();
	test_against_tls1_prf();
	test_limits();
	test_derive();
	test_dh();
	return test_exit();
}
