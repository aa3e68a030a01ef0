/* SRTP crypto suites as MIKEY SP payloads, and the mapping of derived keys
 * onto a libsrtp2 srtp_policy_t. Pure: fills structures, creates no
 * srtp_t. */
#ifndef SVOPI_MIKEY_SRTP_H
#define SVOPI_MIKEY_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#include "mikey.h"

/* Longest master key and salt any suite uses. */
#define MIKEY_SRTP_KEY_MAX	32
#define MIKEY_SRTP_SALT_MAX	14
/* libsrtp2 wants TEK || salt in one buffer. */
#define MIKEY_SRTP_KEYBUF_MAX	(MIKEY_SRTP_KEY_MAX + MIKEY_SRTP_SALT_MAX)
/* Bytes of SP parameters mikey_srtp_sp_params writes at most. */
#define MIKEY_SRTP_SP_MAX	64

enum mikey_srtp_suite {
	MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80 = 0,	/* default */
	MIKEY_SRTP_AES_CM_128_HMAC_SHA1_32,
	MIKEY_SRTP_AES_256_CM_HMAC_SHA1_80,
	MIKEY_SRTP_AEAD_AES_128_GCM,
	MIKEY_SRTP_AEAD_AES_256_GCM,
	MIKEY_SRTP_SUITE_COUNT
};

/* Bit set of suites; 0 in a policy means "all". */
#define MIKEY_SRTP_SUITE_BIT(s)	(1u << (s))

/* The suite's name (e.g. "AES_CM_128_HMAC_SHA1_80"), NULL if out of range. */
const char *mikey_srtp_suite_name(enum mikey_srtp_suite suite);
/* Looks a suite up by name (case-insensitive). Returns 0 or -ENOENT. */
int mikey_srtp_suite_from_name(const char *name,
    enum mikey_srtp_suite *ret_suite);
/* Master key and salt lengths of a suite in bytes (TEK: 16/32, salt: 14 for
 * AES-CM, 12 for AES-GCM). Returns 0 or -EINVAL. */
int mikey_srtp_suite_lens(enum mikey_srtp_suite suite, size_t *ret_key_len,
    size_t *ret_salt_len);

/* Writes the SP payload's parameter list (Type|Length|Value ...) for suite
 * to out. Returns its length or -EINVAL / -E2BIG. */
int mikey_srtp_sp_params(enum mikey_srtp_suite suite, uint8_t *out,
    size_t cap);

/* Judges a received SP payload (protocol SRTP, parameters per RFC 3830
 * §6.10.1, missing ones take the RFC default) and says which suite it is.
 * Tolerates the GStreamer quirk of a tag length in parameter 3. We accept
 * only full protection: SRTP/SRTCP encryption and SRTP authentication on,
 * KDR 0, no FEC/prefix. allowed is a MIKEY_SRTP_SUITE_BIT set (0 = all).
 * Returns 0, or a MIKEY ERR code > 0: MIKEY_ERR_SP_TYPE for a protocol other
 * than SRTP, MIKEY_ERR_SP_PARAM for anything else we cannot honour. */
int mikey_srtp_suite_from_sp(const struct mikey_payload *sp,
    unsigned allowed, enum mikey_srtp_suite *ret_suite);

/* Fills a libsrtp2 policy for one direction of one crypto session.
 * key/salt: the derived TEK and salt (lengths per suite); keybuf: caller
 * storage of MIKEY_SRTP_KEYBUF_MAX bytes that receives TEK||salt and that
 * policy->key points to (libsrtp copies it in srtp_create/srtp_add_stream;
 * cleanse it afterwards). ssrc 0 with outbound false gives ssrc_any_inbound,
 * otherwise ssrc_specific. Window 128, no repeated transmissions, no MKI.
 * A non-zero ROC from the CS map is for the caller to apply with
 * srtp_set_stream_roc() after creating the stream.
 * Returns 0 or -EINVAL. */
int mikey_srtp_policy(enum mikey_srtp_suite suite, const uint8_t *key,
    size_t key_len, const uint8_t *salt, size_t salt_len, uint32_t ssrc,
    bool outbound, uint8_t *keybuf, srtp_policy_t *ret_policy);

#endif
