#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/param_build.h>

#include "mikey.h"
#include "mikey-dh.h"

/* OAKLEY 5 is RFC 3526's 1536-bit MODP group (g = 2). */
#define OAKLEY5_NAME	"modp_1536"

struct mikey_dh {
	uint8_t group;
	EVP_PKEY *pkey;
};

int
mikey_dh_group_len(uint8_t group)
{
	return group == MIKEY_DH_OAKLEY5 ? MIKEY_DH_OAKLEY5_LEN :
	    -EPROTONOSUPPORT;
}

uint8_t
mikey_dh_group(const struct mikey_dh *dh)
{
	return dh->group;
}

struct mikey_dh *
mikey_dh_free(struct mikey_dh *dh)
{
	if (dh) {
		EVP_PKEY_free(dh->pkey);	/* clears the private BN */
		OPENSSL_cleanse(dh, sizeof(*dh));
		free(dh);
	}
	return NULL;
}

int
mikey_dh_new(uint8_t group, struct mikey_dh **ret_dh)
{
	EVP_PKEY_CTX *ctx;
	struct mikey_dh *dh;
	EVP_PKEY *pkey = NULL;

	if (group != MIKEY_DH_OAKLEY5)
		return -EPROTONOSUPPORT;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (!ctx)
		return -ENOMEM;
	if (EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_group_name(ctx, OAKLEY5_NAME) <= 0 ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return -EIO;
	}
	EVP_PKEY_CTX_free(ctx);
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	dh->group = group;
	dh->pkey = pkey;
	*ret_dh = dh;
	return 0;
}

/* An EVP_PKEY in OAKLEY 5 from a public value and optionally a private
 * one. */
static EVP_PKEY *
pkey_from(const BIGNUM *pub, const BIGNUM *priv)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
		OAKLEY5_NAME, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY,
		priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR :
		EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	if (params)
		OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* 1 < y < p-1 for OAKLEY 5. */
static int
check_range(const BIGNUM *y)
{
	BIGNUM *p = BN_get_rfc3526_prime_1536(NULL);
	int rc = -EBADMSG;

	if (!p)
		return -ENOMEM;
	if (!BN_sub_word(p, 1)) {
		rc = -EIO;
	} else if (BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, p) < 0) {
		rc = 0;
	}
	BN_free(p);
	return rc;
}

int
mikey_dh_check_public(uint8_t group, const uint8_t *y, size_t len)
{
	BIGNUM *bn;
	int rc;

	if (group != MIKEY_DH_OAKLEY5)
		return -EPROTONOSUPPORT;
	if (len != MIKEY_DH_OAKLEY5_LEN)
		return -EBADMSG;
	bn = BN_bin2bn(y, (int)len, NULL);
	if (!bn)
		return -ENOMEM;
	rc = check_range(bn);
	BN_free(bn);
	return rc;
}

int
mikey_dh_import(uint8_t group, const uint8_t *priv, size_t priv_len,
    struct mikey_dh **ret_dh)
{
	BIGNUM *x = NULL, *pub = NULL, *p = NULL, *g = NULL;
	BN_CTX *bctx = NULL;
	struct mikey_dh *dh = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = -EIO;

	if (group != MIKEY_DH_OAKLEY5)
		return -EPROTONOSUPPORT;
	if (priv_len == 0 || priv_len > MIKEY_DH_PRIV_MAX)
		return -EBADMSG;
	x = BN_secure_new();
	pub = BN_new();
	g = BN_new();
	p = BN_get_rfc3526_prime_1536(NULL);
	bctx = BN_CTX_secure_new();
	if (!x || !pub || !g || !p || !bctx) {
		rc = -ENOMEM;
		goto out;
	}
	if (!BN_bin2bn(priv, (int)priv_len, x) || !BN_set_word(g, 2))
		goto out;
	/* The exponent must be a usable secret: 1 < x < p-1. */
	rc = check_range(x);
	if (rc < 0)
		goto out;
	rc = -EIO;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_mod_exp(pub, g, x, p, bctx))
		goto out;
	pkey = pkey_from(pub, x);
	if (!pkey)
		goto out;
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		EVP_PKEY_free(pkey);
		rc = -ENOMEM;
		goto out;
	}
	dh->group = group;
	dh->pkey = pkey;
	*ret_dh = dh;
	rc = 0;
out:
	BN_clear_free(x);
	BN_free(pub);
	BN_free(g);
	BN_free(p);
	BN_CTX_free(bctx);
	return rc;
}

int
mikey_dh_export(const struct mikey_dh *dh, uint8_t *out, size_t cap)
{
	BIGNUM *x = NULL;
	int rc = -EIO;

	if (cap < MIKEY_DH_OAKLEY5_LEN)
		return -E2BIG;
	if (!EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &x))
		return -EIO;
	if (BN_bn2binpad(x, out, MIKEY_DH_OAKLEY5_LEN) ==
	    MIKEY_DH_OAKLEY5_LEN)
		rc = MIKEY_DH_OAKLEY5_LEN;
	BN_clear_free(x);
	return rc;
}

int
mikey_dh_public(const struct mikey_dh *dh, uint8_t *out, size_t cap)
{
	BIGNUM *y = NULL;
	int rc = -EIO;

	if (cap < MIKEY_DH_OAKLEY5_LEN)
		return -E2BIG;
	if (!EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, &y))
		return -EIO;
	if (BN_bn2binpad(y, out, MIKEY_DH_OAKLEY5_LEN) ==
	    MIKEY_DH_OAKLEY5_LEN)
		rc = 0;
	BN_free(y);
	return rc;
}

int
mikey_dh_derive(const struct mikey_dh *dh, const uint8_t *y, size_t len,
    uint8_t *out, size_t cap)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer = NULL;
	BIGNUM *bn;
	size_t n = MIKEY_DH_OAKLEY5_LEN;
	int rc;

	if (cap < MIKEY_DH_OAKLEY5_LEN)
		return -E2BIG;
	rc = mikey_dh_check_public(dh->group, y, len);
	if (rc < 0)
		return rc;
	bn = BN_bin2bn(y, (int)len, NULL);
	if (!bn)
		return -ENOMEM;
	peer = pkey_from(bn, NULL);
	BN_free(bn);
	if (!peer)
		return -EIO;
	rc = -EIO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	/* The range check above is the validation for a safe-prime group;
	 * padding keeps the TGK at exactly the modulus length. */
	if (ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_dh_pad(ctx, 1) > 0 &&
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) > 0 &&
	    EVP_PKEY_derive(ctx, out, &n) > 0 && n == MIKEY_DH_OAKLEY5_LEN)
		rc = (int)n;
	else
		OPENSSL_cleanse(out, MIKEY_DH_OAKLEY5_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}
