/* Parsed peer certificates of MIKEY messages, kept by their DER bytes so
 * that a peer who calls again costs no second X.509 parse (about 0.5 ms
 * for an RSA-3072 certificate with OpenSSL 3). A bounded LRU list: a
 * flood of new certificates only pushes older ones out. Pure; not
 * thread-safe. */
#ifndef SVOPI_MIKEY_CERTCACHE_H
#define SVOPI_MIKEY_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* Entries kept at most (mikey_cert_cache_new caps n to this). */
#define MIKEY_CERT_CACHE_MAX	64

struct mikey_cert_cache;

/* A cache of n entries (1..MIKEY_CERT_CACHE_MAX); NULL without memory or
 * for a bad n. */
struct mikey_cert_cache *mikey_cert_cache_new(size_t n);
/* Frees every entry (their references); NULL-safe; returns NULL. */
struct mikey_cert_cache *mikey_cert_cache_free(struct mikey_cert_cache *cc);

/* The certificate parsed from exactly these DER bytes: a new reference
 * (X509_free it), or NULL when it is not kept. */
X509 *mikey_cert_cache_find(struct mikey_cert_cache *cc, const uint8_t *der,
    size_t len);
/* Keeps x (a reference of its own) as the parse of der, pushing out the
 * least recently used entry when full. Returns 0, -ENOMEM, -EINVAL. */
int mikey_cert_cache_put(struct mikey_cert_cache *cc, const uint8_t *der,
    size_t len, X509 *x);

#endif
