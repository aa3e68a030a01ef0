#include <errno.h>
#include <string.h>
#include <strings.h>

#include "mikey-srtp.h"

#define ENCR_NULL	0
#define ENCR_AES_CM	1
#define ENCR_AES_GCM	6	/* RFC 7714 IANA value, as GStreamer uses */
#define AUTH_NULL	0
#define AUTH_HMAC_SHA1	1

struct suite {
	const char *name;
	uint8_t encr;
	uint8_t key_len;
	uint8_t salt_len;
	uint8_t tag_len;	/* SP 11 (HMAC) or SP 20 (AEAD) */
};

static const struct suite suites[MIKEY_SRTP_SUITE_COUNT] = {
	[MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80] =
	    { "AES_CM_128_HMAC_SHA1_80", ENCR_AES_CM, 16, 14, 10 },
	[MIKEY_SRTP_AES_CM_128_HMAC_SHA1_32] =
	    { "AES_CM_128_HMAC_SHA1_32", ENCR_AES_CM, 16, 14, 4 },
	[MIKEY_SRTP_AES_256_CM_HMAC_SHA1_80] =
	    { "AES_256_CM_HMAC_SHA1_80", ENCR_AES_CM, 32, 14, 10 },
	[MIKEY_SRTP_AEAD_AES_128_GCM] =
	    { "AEAD_AES_128_GCM", ENCR_AES_GCM, 16, 12, 16 },
	[MIKEY_SRTP_AEAD_AES_256_GCM] =
	    { "AEAD_AES_256_GCM", ENCR_AES_GCM, 32, 12, 16 },
};

static const struct suite *
suite_get(enum mikey_srtp_suite s)
{
	return (unsigned)s < MIKEY_SRTP_SUITE_COUNT ? &suites[s] : NULL;
}

const char *
mikey_srtp_suite_name(enum mikey_srtp_suite suite)
{
	const struct suite *s = suite_get(suite);

	return s ? s->name : NULL;
}

int
mikey_srtp_suite_from_name(const char *name, enum mikey_srtp_suite *ret_suite)
{
	for (unsigned i = 0; i < MIKEY_SRTP_SUITE_COUNT; i++)
		if (strcasecmp(name, suites[i].name) == 0) {
			*ret_suite = (enum mikey_srtp_suite)i;
			return 0;
		}
	return -ENOENT;
}

int
mikey_srtp_suite_lens(enum mikey_srtp_suite suite, size_t *ret_key_len,
    size_t *ret_salt_len)
{
	const struct suite *s = suite_get(suite);

	if (!s)
		return -EINVAL;
	*ret_key_len = s->key_len;
	*ret_salt_len = s->salt_len;
	return 0;
}

int
mikey_srtp_sp_params(enum mikey_srtp_suite suite, uint8_t *out, size_t cap)
{
	const struct suite *s = suite_get(suite);
	uint8_t tmp[MIKEY_SRTP_SP_MAX];
	size_t n = 0;

#define PARAM(t, v) do { \
	tmp[n++] = (t); \
	tmp[n++] = 1; \
	tmp[n++] = (uint8_t)(v); \
} while (0)
	if (!s)
		return -EINVAL;
	PARAM(MIKEY_SP_ENCR_ALG, s->encr);
	PARAM(MIKEY_SP_ENCR_KEY_LEN, s->key_len);
	if (s->encr == ENCR_AES_CM) {
		PARAM(MIKEY_SP_AUTH_ALG, AUTH_HMAC_SHA1);
		PARAM(MIKEY_SP_AUTH_KEY_LEN, 20);
	} else {
		PARAM(MIKEY_SP_AUTH_ALG, AUTH_NULL);
		PARAM(MIKEY_SP_AUTH_KEY_LEN, 0);
	}
	PARAM(MIKEY_SP_SALT_LEN, s->salt_len);
	PARAM(MIKEY_SP_PRF, 0);
	PARAM(MIKEY_SP_KDR, 0);
	PARAM(MIKEY_SP_SRTP_ENCR, 1);
	PARAM(MIKEY_SP_SRTCP_ENCR, 1);
	PARAM(MIKEY_SP_FEC_ORDER, 0);
	PARAM(MIKEY_SP_SRTP_AUTH, 1);
	if (s->encr == ENCR_AES_CM)
		PARAM(MIKEY_SP_AUTH_TAG_LEN, s->tag_len);
	PARAM(MIKEY_SP_PREFIX_LEN, 0);
	if (s->encr == ENCR_AES_GCM)
		PARAM(MIKEY_SP_AEAD_TAG_LEN, s->tag_len);
#undef PARAM
	if (n > cap)
		return -E2BIG;
	memcpy(out, tmp, n);
	return (int)n;
}

/* Values of SP parameters 0..20 as numbers, and which were present. */
struct sp_vals {
	uint32_t v[MIKEY_SP_AEAD_TAG_LEN + 1];
	uint32_t present;
};

static int
sp_collect(const struct mikey_payload *sp, struct sp_vals *vals)
{
	const uint8_t *p = sp->u.sp.params;
	size_t len = sp->u.sp.params_len, off = 0;

	while (off < len) {
		uint8_t type, n;
		uint32_t v = 0;

		if (len - off < 2 || len - off - 2 < p[off + 1])
			return MIKEY_ERR_SP_PARAM;
		type = p[off];
		n = p[off + 1];
		/* Types 13-19 (RFC 4771) and unknown ones: not honoured. */
		if (type > MIKEY_SP_PREFIX_LEN && type != MIKEY_SP_AEAD_TAG_LEN)
			return MIKEY_ERR_SP_PARAM;
		if (n == 0 || n > 4)
			return MIKEY_ERR_SP_PARAM;
		for (uint8_t i = 0; i < n; i++)
			v = v << 8 | p[off + 2 + i];
		if (vals->present & (1u << type))
			return MIKEY_ERR_SP_PARAM;	/* given twice */
		vals->present |= 1u << type;
		vals->v[type] = v;
		off += 2 + (size_t)n;
	}
	return 0;
}

#define HAS(vals, t)	((vals).present & (1u << (t)))
#define VAL(vals, t, def)	(HAS(vals, t) ? (vals).v[t] : (uint32_t)(def))

int
mikey_srtp_suite_from_sp(const struct mikey_payload *sp, unsigned allowed,
    enum mikey_srtp_suite *ret_suite)
{
	struct sp_vals vals;
	uint32_t encr, key_len, salt_len, tag;
	int rc;

	if (sp->type != MIKEY_PT_SP)
		return MIKEY_ERR_SP_TYPE;
	if (sp->u.sp.prot_type != MIKEY_SP_PROT_SRTP)
		return MIKEY_ERR_SP_TYPE;
	memset(&vals, 0, sizeof(vals));
	rc = sp_collect(sp, &vals);
	if (rc)
		return rc;

	/* Full protection only; no features libsrtp2 cannot do. */
	if (VAL(vals, MIKEY_SP_PRF, 0) != 0 ||
	    VAL(vals, MIKEY_SP_KDR, 0) != 0 ||
	    VAL(vals, MIKEY_SP_SRTP_ENCR, 1) != 1 ||
	    VAL(vals, MIKEY_SP_SRTCP_ENCR, 1) != 1 ||
	    VAL(vals, MIKEY_SP_FEC_ORDER, 0) != 0 ||
	    VAL(vals, MIKEY_SP_SRTP_AUTH, 1) != 1 ||
	    VAL(vals, MIKEY_SP_PREFIX_LEN, 0) != 0)
		return MIKEY_ERR_SP_PARAM;

	encr = VAL(vals, MIKEY_SP_ENCR_ALG, ENCR_AES_CM);
	key_len = VAL(vals, MIKEY_SP_ENCR_KEY_LEN, 16);
	if (encr == ENCR_AES_CM) {
		uint32_t akl = VAL(vals, MIKEY_SP_AUTH_KEY_LEN, 20);

		salt_len = VAL(vals, MIKEY_SP_SALT_LEN, 14);
		if (VAL(vals, MIKEY_SP_AUTH_ALG, AUTH_HMAC_SHA1) !=
		    AUTH_HMAC_SHA1 || HAS(vals, MIKEY_SP_AEAD_TAG_LEN))
			return MIKEY_ERR_SP_PARAM;
		if (akl == 20) {
			tag = VAL(vals, MIKEY_SP_AUTH_TAG_LEN, 10);
		} else if ((akl == 10 || akl == 4) &&
		    VAL(vals, MIKEY_SP_AUTH_TAG_LEN, akl) == akl) {
			/* GStreamer/gortsplib put the tag length in 3. */
			tag = akl;
		} else {
			return MIKEY_ERR_SP_PARAM;
		}
	} else if (encr == ENCR_AES_GCM) {
		salt_len = VAL(vals, MIKEY_SP_SALT_LEN, 12);
		tag = VAL(vals, MIKEY_SP_AEAD_TAG_LEN, 16);
		if (VAL(vals, MIKEY_SP_AUTH_ALG, AUTH_NULL) != AUTH_NULL ||
		    VAL(vals, MIKEY_SP_AUTH_KEY_LEN, 0) != 0)
			return MIKEY_ERR_SP_PARAM;
	} else {
		return MIKEY_ERR_SP_PARAM;
	}

	for (unsigned i = 0; i < MIKEY_SRTP_SUITE_COUNT; i++) {
		const struct suite *s = &suites[i];

		if (s->encr != encr || s->key_len != key_len ||
		    s->salt_len != salt_len || s->tag_len != tag)
			continue;
		if (allowed && !(allowed & MIKEY_SRTP_SUITE_BIT(i)))
			return MIKEY_ERR_SP_PARAM;
		*ret_suite = (enum mikey_srtp_suite)i;
		return 0;
	}
	return MIKEY_ERR_SP_PARAM;
}

int
mikey_srtp_policy(enum mikey_srtp_suite suite, const uint8_t *key,
    size_t key_len, const uint8_t *salt, size_t salt_len, uint32_t ssrc,
    bool outbound, uint8_t *keybuf, srtp_policy_t *ret_policy)
{
	const struct suite *s = suite_get(suite);
	srtp_policy_t pol;

	if (!s || key_len != s->key_len || salt_len != s->salt_len ||
	    !key || !salt || !keybuf)
		return -EINVAL;
	memset(&pol, 0, sizeof(pol));
	switch (suite) {
	case MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	case MIKEY_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		/* RFC 3711: SRTCP keeps the 80-bit tag. */
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	case MIKEY_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol.rtcp);
		break;
	case MIKEY_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
		break;
	case MIKEY_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtcp);
		break;
	default:
		return -EINVAL;
	}
	memcpy(keybuf, key, key_len);
	memcpy(keybuf + key_len, salt, salt_len);
	pol.key = keybuf;
	if (outbound)
		pol.ssrc.type = ssrc ? ssrc_specific : ssrc_any_outbound;
	else
		pol.ssrc.type = ssrc ? ssrc_specific : ssrc_any_inbound;
	pol.ssrc.value = ssrc;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	pol.next = NULL;
	*ret_policy = pol;
	return 0;
}
