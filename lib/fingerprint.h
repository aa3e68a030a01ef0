/* Certificate fingerprints (SPEC §2): the SHA-256 of the DER certificate.
 *
 * Wherever a person sees one (svopictl, the D-Bus Fingerprint property,
 * trustd's pages, svopi-trustadm, logs) it is written one way, the "text"
 * form: 32 upper-case hex pairs joined by colons, exactly as
 * `openssl x509 -fingerprint -sha256` prints it. Machine keys (the trust
 * API's JSON, both trust stores, SDP a=svopi-expect) use the "key" form:
 * 64 lower-case hex digits. Parsers take either form in either case.
 * No OpenSSL here, so that svopictl links none: the digest itself is the
 * caller's (X509_digest, EVP_Digest with SHA-256). */
#ifndef SVOPI_FINGERPRINT_H
#define SVOPI_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a SHA-256 fingerprint. */
#define FINGERPRINT_LEN 32
/* The text form with its NUL ("AB:...:EF"). */
#define FINGERPRINT_TEXT_SIZE (3 * FINGERPRINT_LEN)
/* The key form without its NUL. */
#define FINGERPRINT_KEY_LEN (2 * FINGERPRINT_LEN)

/* The text form of md. */
void fingerprint_format(const uint8_t md[FINGERPRINT_LEN],
	char out[FINGERPRINT_TEXT_SIZE]);
/* Reads either form, either case, nothing around it. Returns 0 or
 * -EINVAL. */
int fingerprint_parse(const char *s, uint8_t md[FINGERPRINT_LEN]);
/* Rewrites either form into the text form / the key form. Returns 0 or
 * -EINVAL (out untouched). */
int fingerprint_to_text(const char *in, char out[FINGERPRINT_TEXT_SIZE]);
int fingerprint_to_key(const char *in, char out[FINGERPRINT_KEY_LEN + 1]);

#endif
