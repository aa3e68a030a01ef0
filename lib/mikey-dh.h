/* MIKEY DH payload groups through OpenSSL 3 EVP. Only OAKLEY 5 (1536-bit
 * MODP, RFC 3526 group 5, named "modp_1536" in OpenSSL) is supported;
 * OAKLEY 1 and 2 are refused (they map to ERR 6). Public values and the
 * shared secret are always exactly the modulus length (left-padded). */
#ifndef SVOPI_MIKEY_DH_H
#define SVOPI_MIKEY_DH_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the OAKLEY 5 modulus, public value and TGK. */
#define MIKEY_DH_OAKLEY5_LEN	192
/* Largest serialised private key we export/import. */
#define MIKEY_DH_PRIV_MAX	192

struct mikey_dh;

/* Bytes of group's public value, or -EPROTONOSUPPORT if not supported. */
int mikey_dh_group_len(uint8_t group);

/* A fresh key pair in group (MIKEY_DH_OAKLEY5). Returns 0,
 * -EPROTONOSUPPORT for any other group, -ENOMEM/-EIO. */
int mikey_dh_new(uint8_t group, struct mikey_dh **ret_dh);

/* Rebuilds a key pair from a private value exported by mikey_dh_export.
 * Returns 0, -EPROTONOSUPPORT, -EBADMSG for a bad value, -EIO. */
int mikey_dh_import(uint8_t group, const uint8_t *priv, size_t priv_len,
    struct mikey_dh **ret_dh);

/* Writes the private value (big-endian, padded to the modulus length) to
 * out (cap bytes); returns its length or -E2BIG/-EIO. Secret: cleanse it. */
int mikey_dh_export(const struct mikey_dh *dh, uint8_t *out, size_t cap);

/* Cleanses and frees; NULL-safe; returns NULL. */
struct mikey_dh *mikey_dh_free(struct mikey_dh *dh);

/* The group the key pair belongs to. */
uint8_t mikey_dh_group(const struct mikey_dh *dh);

/* Writes our public value g^x, exactly mikey_dh_group_len() bytes, to out.
 * Returns 0, -E2BIG if cap is too small, -EIO. */
int mikey_dh_public(const struct mikey_dh *dh, uint8_t *out, size_t cap);

/* Checks a peer's public value for group: length equals the group length and
 * 1 < y < p-1. Returns 0, -EPROTONOSUPPORT (group), -EBADMSG. */
int mikey_dh_check_public(uint8_t group, const uint8_t *y, size_t len);

/* TGK = y^x mod p, padded to the group length, into out (cap bytes).
 * Checks y like mikey_dh_check_public first. Returns the TGK length,
 * -EBADMSG for a bad y, -E2BIG, -EIO. */
int mikey_dh_derive(const struct mikey_dh *dh, const uint8_t *y, size_t len,
    uint8_t *out, size_t cap);

#endif
