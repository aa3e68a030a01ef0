/* Helpers shared by the MIKEY message tests: throwaway RSA identities with
 * self-signed certificates (CN + SAN URI = the AOR, as svopid makes them),
 * re-signing a mutated message, and the independent PRF (OpenSSL
 * TLS1-PRF per chunk). Header-only so each test stays one program. */
#ifndef SVOPI_TEST_MIKEY_UTIL_H
#define SVOPI_TEST_MIKEY_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "mikey.h"
#include "mikey-msg.h"

struct tpeer {
	EVP_PKEY *key;
	X509 *cert;
	uint8_t *der;
	size_t der_len;
	char uri[128];
	struct mikey_identity id;
};

/* The number of RSA primes of the keys tpeer_make makes: 2 for the
 * tests; bench/mikey sets 3 at 3072 bits, as svopid makes its keys
 * (daemon/identity.c). */
static int tpeer_primes = 2;

/* cert_uri: the identity the certificate names (NULL = same as uri);
 * san: put it in a SAN URI (else only in the CN, without "sip:"). */
static inline void
tpeer_make(struct tpeer *t, const char *uri, const char *cert_uri, int bits,
    uint8_t s_type, bool san)
{
	X509_NAME *name;
	X509V3_CTX ctx;
	unsigned char *der = NULL;
	const char *cn;
	char sanv[160];
	int n;

	memset(t, 0, sizeof(*t));
	if (!cert_uri)
		cert_uri = uri;
	snprintf(t->uri, sizeof(t->uri), "%s", uri);
	{
		EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);

		t->key = NULL;
		if (!kc || EVP_PKEY_keygen_init(kc) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_keygen_bits(kc, bits) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_keygen_primes(kc, tpeer_primes) <= 0 ||
		    EVP_PKEY_keygen(kc, &t->key) <= 0)
			abort();
		EVP_PKEY_CTX_free(kc);
	}
	t->cert = X509_new();
	if (!t->key || !t->cert)
		abort();
	X509_set_version(t->cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(t->cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(t->cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(t->cert), 86400);
	X509_set_pubkey(t->cert, t->key);
	name = X509_get_subject_name(t->cert);
	cn = strncmp(cert_uri, "sip:", 4) == 0 ? cert_uri + 4 : cert_uri;
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(t->cert, name);
	if (san) {
		X509_EXTENSION *ext;

		snprintf(sanv, sizeof(sanv), "URI:%s", cert_uri);
		X509V3_set_ctx_nodb(&ctx);
		X509V3_set_ctx(&ctx, t->cert, t->cert, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
		    sanv);
		if (!ext || !X509_add_ext(t->cert, ext, -1))
			abort();
		X509_EXTENSION_free(ext);
	}
	if (!X509_sign(t->cert, t->key, EVP_sha256()))
		abort();
	n = i2d_X509(t->cert, &der);
	if (n <= 0)
		abort();
	t->der = der;
	t->der_len = (size_t)n;
	t->id.key = t->key;
	t->id.cert_der = t->der;
	t->id.cert_len = t->der_len;
	t->id.uri = t->uri;
	t->id.s_type = s_type;
}

static inline void
tpeer_free(struct tpeer *t)
{
	EVP_PKEY_free(t->key);
	X509_free(t->cert);
	OPENSSL_free(t->der);
	memset(t, 0, sizeof(*t));
}

/* Encodes m (its last payload a SIGN, whose bytes are replaced) and signs
 * it with key, PKCS#1 v1.5 / SHA-256, like the library would. */
static inline uint8_t *
tresign(const struct mikey_msg *in, EVP_PKEY *key, size_t *ret_len)
{
	struct mikey_msg m = *in;
	struct buf b;
	size_t sig_off = 0, sl;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *out;

	if (m.n && m.p[m.n - 1].type == MIKEY_PT_SIGN) {
		m.p[m.n - 1].u.sign.sig = NULL;
		m.p[m.n - 1].u.sign.s_type = MIKEY_SIGN_PKCS1;
		m.p[m.n - 1].u.sign.len = (uint16_t)EVP_PKEY_get_size(key);
	}
	buf_init(&b, MIKEY_MSG_MAX);
	if (mikey_encode(&m, &b, &sig_off) < 0)
		abort();
	if (m.n && m.p[m.n - 1].type == MIKEY_PT_SIGN) {
		sl = b.len - sig_off;
		if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
		    key) <= 0 || EVP_DigestSign(md, b.data + sig_off, &sl,
		    b.data, sig_off) <= 0)
			abort();
	}
	EVP_MD_CTX_free(md);
	if (buf_steal(&b, &out, ret_len) < 0)
		abort();
	return out;
}

/* Removes payload i from m. */
static inline void
tdrop(struct mikey_msg *m, size_t i)
{
	memmove(&m->p[i], &m->p[i + 1], (m->n - i - 1) * sizeof(m->p[0]));
	m->n--;
}

/* Independent MIKEY-1 PRF: TLS1-PRF (P_SHA1) per 256-bit chunk, XORed. */
static inline void
tref_prf(const uint8_t *key, size_t key_len, const uint8_t *label,
    size_t label_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	uint8_t tmp[1024];

	if (!kdf || out_len > sizeof(tmp))
		abort();
	memset(out, 0, out_len);
	for (size_t off = 0; off < key_len; off += 32) {
		size_t n = key_len - off < 32 ? key_len - off : 32;
		EVP_KDF_CTX *k = EVP_KDF_CTX_new(kdf);
		OSSL_PARAM p[] = {
			OSSL_PARAM_construct_utf8_string(
			    OSSL_KDF_PARAM_DIGEST, (char *)"SHA1", 0),
			OSSL_PARAM_construct_octet_string(
			    OSSL_KDF_PARAM_SECRET, (void *)(key + off), n),
			OSSL_PARAM_construct_octet_string(
			    OSSL_KDF_PARAM_SEED, (void *)label, label_len),
			OSSL_PARAM_construct_end(),
		};

		if (!k || EVP_KDF_derive(k, tmp, out_len, p) <= 0)
			abort();
		for (size_t i = 0; i < out_len; i++)
			out[i] ^= tmp[i];
		EVP_KDF_CTX_free(k);
	}
	EVP_KDF_free(kdf);
}

#endif
