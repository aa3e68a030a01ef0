/* MIKEY DH-SIGN messages (RFC 3830 §3.3) for svopi: build and verify the
 * I_MESSAGE, the R_MESSAGE and signed error messages, and derive the SRTP
 * keys of both crypto sessions. Profile: docs/mikey.md.
 *
 *   Initiator                              Responder
 *   mikey_msg_build_init() -> I_MESSAGE ->
 *                                          mikey_msg_respond() -> keys,
 *                                            peer cert/ID, R_MESSAGE
 *   mikey_msg_finish()     <- R_MESSAGE <-
 *     -> keys, peer cert/ID
 *
 * What we send:
 *   I_MESSAGE = HDR(4), T, RAND(16), IDi, CERTi, [IDr], SP, DHi, SIGNi
 *   R_MESSAGE = HDR(5), T, IDr, CERTr, IDi, DHr, DHi, SIGNr
 *   ERROR     = HDR(6), T, ERR..., SIGN
 * HDR has #CS = 2: cs_id 1 is the initiator's sending stream, cs_id 2 the
 * responder's; the responder fills in its SSRC (covered by SIGNr).
 *
 * What the library checks (every failure names a MIKEY ERR code in struct
 * mikey_fail so the caller can answer with mikey_msg_build_error): the full
 * structure (mikey_decode), HDR values, T within the caller's skew of the
 * caller's "now", the signature with the key of the sender's CERT, IDr/IDi
 * against our own URI, the peer's ID against the certificate (SAN URI or
 * CN), SP acceptable, DH group OAKLEY 5, 1 < g^x < p-1, KV 0, and on the
 * initiator the CSB ID, the CS map and a byte-for-byte DHi echo.
 *
 * What the caller must still do: validate the returned peer certificate at
 * the trust server (the library only proves the peer holds its key), bind
 * the peer identity to the SIP From/To, and keep a replay cache
 * (mikey-replay.h, keyed on mikey_result.digest). The library has no clock
 * and takes "now" as an NTP timestamp (mikey_ntp_from_unix).
 */
#ifndef SVOPI_MIKEY_MSG_H
#define SVOPI_MIKEY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mikey.h"
#include "mikey-certcache.h"
#include "mikey-dh.h"
#include "mikey-srtp.h"

/* Default accepted clock skew: small, per RFC 3830 §5.4, but wide enough
 * for a pre-call exchange followed by the INVITE. */
#define MIKEY_SKEW_DEFAULT	120
/* Smallest RSA key we accept from a peer or sign with. */
#define MIKEY_RSA_BITS_MIN	2048
/* Crypto sessions in our bidirectional convention. */
#define MIKEY_MSG_CS		2
/* RAND bytes we send. */
#define MIKEY_MSG_RAND_LEN	16

/* Our own side. Everything is borrowed for the duration of a call. */
struct mikey_identity {
	EVP_PKEY *key;			/* RSA private key that signs */
	const uint8_t *cert_der;	/* our certificate, DER */
	size_t cert_len;
	const char *uri;		/* our AOR, "sip:alice@example.org" */
	uint8_t s_type;			/* MIKEY_SIGN_PKCS1 or MIKEY_SIGN_PSS */
};

/* What we accept from a peer. Zero-initialised = defaults. */
struct mikey_policy {
	uint32_t skew_s;		/* 0 = MIKEY_SKEW_DEFAULT */
	unsigned suites;		/* MIKEY_SRTP_SUITE_BIT set, 0 = all */
	bool skip_time_check;		/* tests and tools only */
	/* 0 = none. Messages stamped before this NTP time are refused
	 * (RFC 3830 §5.4): a responder whose replay cache started empty at
	 * this time (a daemon restart) cannot tell a replay of an older
	 * message from a new one, so it accepts none. */
	uint64_t not_before_ntp;
	/* Parsed peer certificates to reuse (mikey-certcache.h); NULL =
	 * parse every time. */
	struct mikey_cert_cache *certs;
};

/* Why a message was refused: the ERR code to send back and a static
 * explanation for logs (no peer data in it). */
struct mikey_fail {
	uint8_t code;			/* MIKEY_ERR_* */
	const char *reason;
	uint32_t csb_id;		/* of the refused message, 0 if it
					 * did not decode: for the error
					 * message's HDR */
};

/* Keys of one crypto session. */
struct mikey_cs_keys {
	uint8_t tek[MIKEY_SRTP_KEY_MAX];
	uint8_t salt[MIKEY_SRTP_SALT_MAX];
	uint8_t tek_len;
	uint8_t salt_len;
	uint32_t ssrc;			/* from the (final) CS map */
	uint32_t roc;
};

/* The outcome of a successful respond/finish. Clear it with
 * mikey_result_clear (wipes keys, frees the certificate). */
struct mikey_result {
	enum mikey_srtp_suite suite;
	uint32_t csb_id;
	/* cs[0] = cs_id 1 (initiator sends), cs[1] = cs_id 2 (responder). */
	struct mikey_cs_keys cs[MIKEY_MSG_CS];
	X509 *peer_cert;		/* owned: the peer's certificate */
	char peer_uri[MIKEY_ID_MAX + 1];	/* peer's ID payload, "" if none */
	uint64_t t_ntp;			/* the received message's timestamp */
	/* SHA-256 of the signed part of the received message: the replay
	 * cache key (mikey-replay.h). */
	uint8_t digest[32];
};

/* Initiator state between build_init and finish: holds the DH secret x,
 * the CSB ID, RAND and our I_MESSAGE bytes. */
struct mikey_init_state;

struct mikey_init_params {
	const struct mikey_identity *self;
	const char *peer_uri;		/* IDr to put in; NULL = none */
	enum mikey_srtp_suite suite;
	uint32_t ssrc;			/* our sending SSRC, cs_id 1 */
	uint32_t peer_ssrc;		/* cs_id 2, 0 if not known yet */
	uint64_t now_ntp;
	/* A key pair made ahead of time (mikey_dh_new, OAKLEY 5), taken by
	 * mikey_msg_build_init on every path (the caller forgets it);
	 * NULL: a fresh one is made. Never give one key to two calls. */
	struct mikey_dh *dh;
};

/* Builds a signed I_MESSAGE with a fresh CSB ID, RAND and DH key pair.
 * Returns 0 with *ret_state (free with mikey_init_state_free) and the
 * message in *ret_msg (malloc'ed, *ret_len bytes); -EINVAL for bad params
 * (no key/cert, key not RSA >= 2048), -E2BIG, -ENOMEM, -EIO. */
int mikey_msg_build_init(const struct mikey_init_params *p,
    struct mikey_init_state **ret_state, uint8_t **ret_msg, size_t *ret_len);

struct mikey_respond_params {
	const struct mikey_identity *self;
	const struct mikey_policy *policy;	/* NULL = defaults */
	const char *peer_uri;	/* expected IDi; NULL = accept any (the
				 * caller binds it via result.peer_uri) */
	uint32_t ssrc;		/* our sending SSRC, filled in as cs_id 2 */
	uint64_t now_ntp;
};

/* Verifies an I_MESSAGE and answers it. On success returns 0, the signed
 * R_MESSAGE in *ret_msg, *ret_len (malloc'ed) and the keys, peer certificate
 * and peer ID in *ret_res. On failure returns a negative errno (-EBADMSG,
 * -EPROTO, -EACCES for authentication, -ETIME for the timestamp, -ENOMEM,
 * -EIO) and, if fail is not NULL, the MIKEY ERR code to send back.
 * The y secret and TGK are wiped before return. */
int mikey_msg_respond(const uint8_t *imsg, size_t ilen,
    const struct mikey_respond_params *p, struct mikey_result *ret_res,
    uint8_t **ret_msg, size_t *ret_len, struct mikey_fail *fail);

/* The same in two steps, so that a responder can start validating the
 * initiator's certificate (a trust server round trip) before it spends
 * the DH and the signature on its answer.
 *
 * mikey_msg_accept verifies the I_MESSAGE exactly as mikey_msg_respond
 * does and returns 0 with *ret_offer (free with mikey_offer_free) and, in
 * *ret_res, the peer certificate, peer ID, timestamp, suite, CSB ID and
 * digest, but no keys yet; failures as for mikey_msg_respond.
 * mikey_msg_answer then derives the keys into res (the one accept filled)
 * and builds the signed R_MESSAGE. dh is a key pair made ahead of time
 * (OAKLEY 5), taken on every path, or NULL for a fresh one; never give
 * one key to two offers. */
struct mikey_offer;
int mikey_msg_accept(const uint8_t *imsg, size_t ilen,
    const struct mikey_respond_params *p, struct mikey_offer **ret_offer,
    struct mikey_result *ret_res, struct mikey_fail *fail);
int mikey_msg_answer(const struct mikey_offer *o,
    const struct mikey_respond_params *p, struct mikey_dh *dh,
    struct mikey_result *res, uint8_t **ret_msg, size_t *ret_len,
    struct mikey_fail *fail);
/* Wipes and frees; NULL-safe; returns NULL. */
struct mikey_offer *mikey_offer_free(struct mikey_offer *o);

/* Verifies an R_MESSAGE against state and derives the keys. On success
 * returns 0 and *ret_res. If the peer sent an error message instead,
 * returns -EREMOTEIO with fail->code = the first ERR code in it (the error
 * message is not authenticated here: use mikey_msg_parse_error with a
 * known certificate; never act on it beyond aborting). Other failures as
 * for mikey_msg_respond. The state stays valid (and secret) either way;
 * free it when done. */
int mikey_msg_finish(const struct mikey_init_state *state,
    const uint8_t *rmsg, size_t rlen, const struct mikey_policy *policy,
    uint64_t now_ntp, struct mikey_result *ret_res, struct mikey_fail *fail);

/* Encodes m again and signs it with self, whatever signed it before:
 * the last payload must be a SIGN payload (its S type is kept, its bytes
 * replaced). For tools that play an attacker (svopi-mikey tamper), never
 * for the daemon. Returns 0 and the message (malloc'ed), or -EINVAL (no
 * SIGN last, key not RSA >= 2048), -E2BIG, -ENOMEM, -EIO. */
int mikey_msg_resign(const struct mikey_msg *m,
    const struct mikey_identity *self, uint8_t **ret_msg, size_t *ret_len);

/* Builds a signed error message: HDR (data type 6, csb_id, no CS), T, one
 * ERR per code (1..8 codes), SIGN. Returns 0 and the message, or -EINVAL,
 * -E2BIG, -ENOMEM, -EIO. */
int mikey_msg_build_error(const struct mikey_identity *self, uint32_t csb_id,
    const uint8_t *codes, size_t n_codes, uint64_t now_ntp,
    uint8_t **ret_msg, size_t *ret_len);

/* Reads an error message: returns the number of ERR payloads (>= 1) and
 * the first code in *ret_code. If cert_der is given, a SIGN payload must be
 * present and verify with that certificate's key (else -EACCES); without
 * it nothing is authenticated. -EBADMSG if it is not an error message. */
int mikey_msg_parse_error(const uint8_t *msg, size_t len,
    const uint8_t *cert_der, size_t cert_len, uint8_t *ret_code);

/* The replay-cache key of a message without verifying it: SHA-256 of its
 * signed part (all bytes before the signature), the same value as
 * mikey_result.digest. Lets a caller find an offer it already answered
 * before spending an RSA verification. Returns 0, -EBADMSG (malformed or
 * unsigned), -EIO. */
int mikey_msg_digest(const uint8_t *msg, size_t len,
    uint8_t ret_digest[32]);

/* True if the certificate names uri: a subjectAltName URI equal to it, or
 * (without SAN URIs) a subject CN equal to it or to it without "sip:". */
bool mikey_msg_cert_has_uri(X509 *cert, const char *uri);

/* Wipes keys and frees the certificate; the struct can be reused. */
void mikey_result_clear(struct mikey_result *res);

/* Cleanses and frees; NULL-safe; returns NULL. */
struct mikey_init_state *mikey_init_state_free(struct mikey_init_state *st);

/* CSB ID of our offer (to match a response or error to it). */
uint32_t mikey_init_state_csb_id(const struct mikey_init_state *st);
/* Our I_MESSAGE as sent (borrowed; valid while st is). */
const uint8_t *mikey_init_state_message(const struct mikey_init_state *st,
    size_t *ret_len);

/* Serialises the state (DH secret included: store it like a private key,
 * mode 0600) / rebuilds it. Load re-parses our own I_MESSAGE. Returns 0,
 * -EBADMSG, -ENOMEM, -EIO. */
int mikey_init_state_save(const struct mikey_init_state *st,
    uint8_t **ret_data, size_t *ret_len);
int mikey_init_state_load(const uint8_t *data, size_t len,
    struct mikey_init_state **ret_state);

/* The ERR code's meaning, e.g. "DH group not supported". */
const char *mikey_msg_err_reason(uint8_t code);

#endif
