/* HTTP Digest authentication for SIP (RFC 7616, with RFC 2617 / RFC 3261
 * §22.4 compatibility): challenges, the client response, Authorization
 * values, and server-side verification.
 *
 * Parsed challenges and credentials own their text (fixed arrays, escapes
 * undone), so they outlive the message they came from. Hashing uses
 * OpenSSL EVP; MD5 is there only because RFC 3261 proxies still require
 * it. The client nonce is supplied by the caller (the daemon draws it from
 * RAND_bytes), which keeps this module deterministic and testable.
 */
#ifndef SVOPI_DIGEST_H
#define SVOPI_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sip-str.h"

/* Longest parameter value we keep (realm, nonce, opaque, username, uri,
 * cnonce): real servers use < 100 bytes; 256 leaves room without letting a
 * challenge make us hash kilobytes. */
#define DIGEST_FIELD_MAX 256
/* Longest challenge or credentials header value. */
#define DIGEST_HEADER_MAX 2048
/* Hex digest length of the largest algorithm (SHA-256) plus NUL. */
#define DIGEST_HEX_MAX 65

enum digest_alg {
	DIGEST_MD5 = 0,		/* also when algorithm= is absent */
	DIGEST_MD5_SESS,
	DIGEST_SHA256,
	DIGEST_SHA256_SESS,
};

/* qop bits */
#define DIGEST_QOP_AUTH 0x1
#define DIGEST_QOP_AUTH_INT 0x2

struct digest_challenge {
	char realm[DIGEST_FIELD_MAX + 1];
	char nonce[DIGEST_FIELD_MAX + 1];
	char opaque[DIGEST_FIELD_MAX + 1];
	bool has_opaque;
	enum digest_alg alg;
	unsigned qop;		/* DIGEST_QOP_* offered; 0 = RFC 2069 style */
	bool stale;
};

/* Parses a WWW-Authenticate or Proxy-Authenticate value holding one
 * "Digest ..." challenge. Unknown parameters are ignored (RFC 7616 §3.3);
 * unknown algorithms give -EPROTONOSUPPORT so that the caller can look at
 * the next challenge (RFC 7616 §3.7 lets a server offer several). Returns
 * 0, -EBADMSG (not Digest, missing realm or nonce, bad syntax, repeated
 * parameter), -E2BIG (over DIGEST_HEADER_MAX / DIGEST_FIELD_MAX). */
int digest_challenge_parse(struct sip_str value,
    struct digest_challenge *ret_c);

/* Inputs of a client response. */
struct digest_request {
	const char *username;
	const char *password;
	const char *method;	/* the SIP method, e.g. "REGISTER" */
	const char *uri;	/* digest-uri: the Request-URI as sent */
	const char *cnonce;	/* required when the challenge has qop */
	uint32_t nc;		/* nonce count, from 1 */
};

/* Computes the response hash (lower-case hex, NUL-terminated) into out
 * (DIGEST_HEX_MAX bytes). Uses qop=auth when offered, else the RFC 2069
 * form; auth-int alone is not supported. Returns 0, -EINVAL (missing
 * input, cnonce needed, qop auth-int only, a -sess algorithm without
 * qop), -EIO (OpenSSL failure). */
int digest_response(const struct digest_challenge *c,
    const struct digest_request *r, char out[DIGEST_HEX_MAX]);

/* Appends an Authorization / Proxy-Authorization value to out:
 * Digest username="..", realm="..", nonce="..", uri="..", response="..",
 * algorithm=.., [cnonce="..", qop=auth, nc=00000001,] [opaque=".."].
 * Returns as digest_response(), -EINVAL also for a username, uri or
 * cnonce containing '"', '\\', CR or LF, or out->err. */
int digest_authorization(const struct digest_challenge *c,
    const struct digest_request *r, struct buf *out);

/* Parsed Authorization / Proxy-Authorization value (server side). */
struct digest_credentials {
	char username[DIGEST_FIELD_MAX + 1];
	char realm[DIGEST_FIELD_MAX + 1];
	char nonce[DIGEST_FIELD_MAX + 1];
	char uri[DIGEST_FIELD_MAX + 1];
	char response[DIGEST_HEX_MAX];
	char cnonce[DIGEST_FIELD_MAX + 1];
	char opaque[DIGEST_FIELD_MAX + 1];
	bool has_opaque;
	enum digest_alg alg;
	unsigned qop;		/* 0 or DIGEST_QOP_AUTH */
	uint32_t nc;
};

/* Parses a "Digest ..." credentials value. Returns 0, -EBADMSG (missing
 * username, realm, nonce, uri or response; qop without cnonce/nc; bad
 * syntax), -E2BIG, -EPROTONOSUPPORT (unknown algorithm or qop). */
int digest_credentials_parse(struct sip_str value,
    struct digest_credentials *ret_cr);

/* Checks credentials against password for method, in constant time on
 * the hash. The caller checks realm, nonce freshness, nc and that uri
 * matches the Request-URI. Returns 0 if the response is right, -EACCES if
 * wrong, -EIO on OpenSSL failure. */
int digest_verify(const struct digest_credentials *cr, const char *password,
    const char *method);

#endif
