/* MIKEY-1 PRF (RFC 3830 §4.1.2, HMAC-SHA-1) and the derivation of SRTP
 * master keys and salts from the TGK (§4.1.3). Pure; OpenSSL HMAC only. */
#ifndef SVOPI_MIKEY_PRF_H
#define SVOPI_MIKEY_PRF_H

#include <stddef.h>
#include <stdint.h>

/* Largest PRF output we hand out in one call (keys are <= 32 bytes). */
#define MIKEY_PRF_OUT_MAX	1024
/* Largest inkey (TGK): OAKLEY 5 gives 192 bytes; leave room. */
#define MIKEY_PRF_INKEY_MAX	512
/* Largest label: 4 + 1 + 4 + RAND (<= 255). */
#define MIKEY_PRF_LABEL_MAX	264

/* §4.1.3 constants for keys derived from the TGK. */
#define MIKEY_KEY_TEK		0x2AD01C64u
#define MIKEY_KEY_AUTH		0x1B5C7973u
#define MIKEY_KEY_ENCR		0x15798CEFu
#define MIKEY_KEY_SALT		0x39A2C14Bu

/* PRF(inkey, label, out_len): inkey cut into 256-bit chunks, P_SHA1 of each
 * XORed, truncated to out_len bytes. Returns 0, -EINVAL for empty inkey or
 * out_len 0, -E2BIG over the limits above. */
int mikey_prf(const uint8_t *inkey, size_t inkey_len, const uint8_t *label,
    size_t label_len, uint8_t *out, size_t out_len);

/* One key from the TGK: PRF(tgk, constant || cs_id || csb_id || rand,
 * out_len). Same returns as mikey_prf. */
int mikey_prf_derive(const uint8_t *tgk, size_t tgk_len, uint32_t constant,
    uint8_t cs_id, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
    uint8_t *out, size_t out_len);

#endif
