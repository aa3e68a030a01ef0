/* The daemon's identity (SPEC §2): an RSA-3072 key (mode 0600; three
 * primes when made by this version) and a self-signed X.509 certificate
 * whose subject CN and subjectAltName URI are the AOR, in the state
 * directory as identity.key and identity.crt. Made on first start, loaded
 * afterwards. The key never leaves the process except
 * through signatures; the certificate travels in MIKEY and to the trust
 * server. */
#ifndef SVOPID_IDENTITY_H
#define SVOPID_IDENTITY_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "lib/fingerprint.h"

#define IDENTITY_RSA_BITS 3072
#define IDENTITY_RSA_PRIMES 3	/* new keys; see identity.c */
/* "AB:CD:..." for 32 bytes */
#define IDENTITY_FPR_LEN FINGERPRINT_TEXT_SIZE

struct identity {
	EVP_PKEY *key;
	X509 *cert;
	char aor[520];
	/* SHA-256 of the DER certificate, upper-case hex pairs joined by
	 * colons, as `openssl x509 -fingerprint -sha256` and RFC 8122
	 * print it. */
	char fingerprint[IDENTITY_FPR_LEN];
};

/* Loads state_dir/identity.{key,crt}, or makes them when neither exists.
 * An existing certificate for another AOR, or a key that does not match
 * the certificate, is an error (the daemon never swaps identities
 * silently). */
int identity_load_or_create(const char *state_dir, const char *aor,
	struct identity **ret, char *err, size_t errlen);
struct identity *identity_free(struct identity *id);
/* Fingerprint text (format above) of any certificate into out. */
int identity_fingerprint(X509 *cert, char out[IDENTITY_FPR_LEN]);

#endif
