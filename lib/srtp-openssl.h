/* SRTP's AES counter mode and HMAC-SHA1 on OpenSSL, installed into
 * libsrtp2 in place of its own.
 *
 * Debian's libsrtp2 runs every cipher and MAC on NSS: each packet is a
 * PKCS#11 operation behind session locks, and NSS was 30 % of the CPU of
 * 200 PCMU calls (docs/performance-media.md). libsrtp2 lets a program
 * replace a cipher or MAC type by id (srtp_replace_cipher_type,
 * srtp_replace_auth_type); these are the same algorithms (RFC 3711 AES-CM
 * with a 16-bit block counter, RFC 6188 AES-256-CM, HMAC-SHA1) on
 * OpenSSL (AES-ECB through EVP for the key stream, SHA1 with kept keyed
 * states for the MAC), which uses AES-NI and SHA extensions.
 *
 * libsrtp2 checks a replacement before taking it: against the test vectors
 * given here (RFC 3711 B.2, RFC 6188 7.1, RFC 2202) and against the test
 * vectors of the type it replaces. A type that fails keeps NSS's, and the
 * call returns the error. AES-GCM stays on NSS (MIKEY does not offer it by
 * default; docs/protocol.md).
 */
#ifndef SVOPI_SRTP_OPENSSL_H
#define SVOPI_SRTP_OPENSSL_H

#include <srtp2/cipher.h>

/* Once per process, after srtp_init() and before the first srtp_create()
 * whose sessions should use OpenSSL (sessions created earlier keep the
 * types they were made with). Returns 0 or -EIO. */
int srtp_openssl_install(void);

/* The AES-CM type for a 16- or 32-byte key (NULL otherwise), for tests
 * that drive it through libsrtp2's cipher API: the key stream continues
 * across encrypt calls until the next set_iv, as the contract of a
 * libsrtp2 cipher wants (srtp_protect's keystream prefix). */
const srtp_cipher_type_t *srtp_openssl_icm_type(unsigned key_size);

#endif
