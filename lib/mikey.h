/* MIKEY (RFC 3830) payload codec: pure encode/decode of the common header
 * (with the SRTP-ID crypto-session map) and of the payloads DH-SIGN uses
 * (T, RAND, ID, CERT, SP, DH, SIGN, V, ERR, general extension), plus an
 * opaque form of KEMAC and PKE so PSK/PK messages can be dumped.
 *
 * Decoding never copies: struct mikey_msg borrows every variable-length field
 * from the input buffer, so the input must outlive the decoded view.
 * Field layouts and numbers: docs/mikey.md and /work/shared/MIKEY.md.
 */
#ifndef SVOPI_MIKEY_H
#define SVOPI_MIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Named limits (why each value). */
/* Largest message accepted or built: two RSA-8192 certificates plus the
 * rest fit easily; real DH-SIGN messages with RSA-3072 are ~2 KB. */
#define MIKEY_MSG_MAX		8192
/* Payloads after HDR: an R_MESSAGE has 7; room for extensions and errors. */
#define MIKEY_PAYLOADS_MAX	24
/* Crypto sessions in the map: we use 2 (one per direction); a few more for
 * multi-stream peers. */
#define MIKEY_CS_MAX		8
/* RAND length: RFC 3830 asks for >= 128 bits; the field is 8 bits. */
#define MIKEY_RAND_MIN		16
#define MIKEY_RAND_MAX		255
/* ID data (a SIP AOR URI). */
#define MIKEY_ID_MAX		512
/* One DER certificate; an RSA-3072 self-signed one is ~1 KB. */
#define MIKEY_CERT_MAX		4096
/* SP parameter block and number of parameters per SP payload. */
#define MIKEY_SP_PARAMS_MAX	32
/* Signature bytes: the field is 12 bits (4095); RSA-8192 needs 1024. */
#define MIKEY_SIGN_MAX		1024
/* OAKLEY 5 DH value length, the largest group we know. */
#define MIKEY_DH_VALUE_MAX	192

/* Data types (HDR byte 1). */
enum {
	MIKEY_DT_PSK_INIT = 0,
	MIKEY_DT_PSK_RESP = 1,
	MIKEY_DT_PK_INIT = 2,
	MIKEY_DT_PK_RESP = 3,
	MIKEY_DT_DH_INIT = 4,
	MIKEY_DT_DH_RESP = 5,
	MIKEY_DT_ERROR = 6,
};

/* Payload types (values of the next-payload field). */
enum {
	MIKEY_PT_LAST = 0,
	MIKEY_PT_KEMAC = 1,
	MIKEY_PT_PKE = 2,
	MIKEY_PT_DH = 3,
	MIKEY_PT_SIGN = 4,
	MIKEY_PT_T = 5,
	MIKEY_PT_ID = 6,
	MIKEY_PT_CERT = 7,
	MIKEY_PT_CHASH = 8,
	MIKEY_PT_V = 9,
	MIKEY_PT_SP = 10,
	MIKEY_PT_RAND = 11,
	MIKEY_PT_ERR = 12,
	MIKEY_PT_KEY_DATA = 20,
	MIKEY_PT_GEN_EXT = 21,
};

/* PRF func (HDR byte 3, 7 bits). */
#define MIKEY_PRF_MIKEY_1	0
/* CS ID map type. */
#define MIKEY_MAP_SRTP_ID	0
/* T payload TS types. */
enum {
	MIKEY_TS_NTP_UTC = 0,
	MIKEY_TS_NTP = 1,
	MIKEY_TS_COUNTER = 2,
};
/* ID types. */
enum {
	MIKEY_ID_NAI = 0,
	MIKEY_ID_URI = 1,
	MIKEY_ID_BYTES = 2,
};
/* CERT types. */
enum {
	MIKEY_CERT_X509 = 0,
	MIKEY_CERT_X509_URL = 1,
	MIKEY_CERT_X509_SIGN = 2,
	MIKEY_CERT_X509_ENCR = 3,
};
/* DH groups. */
enum {
	MIKEY_DH_OAKLEY5 = 0,
	MIKEY_DH_OAKLEY1 = 1,
	MIKEY_DH_OAKLEY2 = 2,
};
/* SIGN S types. */
enum {
	MIKEY_SIGN_PKCS1 = 0,
	MIKEY_SIGN_PSS = 1,
	MIKEY_SIGN_ECCSI = 2,
};
/* SP protocol types and SRTP parameter types (RFC 3830 §6.10.1). */
#define MIKEY_SP_PROT_SRTP	0
enum {
	MIKEY_SP_ENCR_ALG = 0,
	MIKEY_SP_ENCR_KEY_LEN = 1,
	MIKEY_SP_AUTH_ALG = 2,
	MIKEY_SP_AUTH_KEY_LEN = 3,
	MIKEY_SP_SALT_LEN = 4,
	MIKEY_SP_PRF = 5,
	MIKEY_SP_KDR = 6,
	MIKEY_SP_SRTP_ENCR = 7,
	MIKEY_SP_SRTCP_ENCR = 8,
	MIKEY_SP_FEC_ORDER = 9,
	MIKEY_SP_SRTP_AUTH = 10,
	MIKEY_SP_AUTH_TAG_LEN = 11,
	MIKEY_SP_PREFIX_LEN = 12,
	MIKEY_SP_AEAD_TAG_LEN = 20,
};
/* ERR codes (RFC 3830 §6.12). */
enum {
	MIKEY_ERR_AUTH = 0,
	MIKEY_ERR_TIMESTAMP = 1,
	MIKEY_ERR_PRF = 2,
	MIKEY_ERR_MAC = 3,
	MIKEY_ERR_ENCR = 4,
	MIKEY_ERR_HASH = 5,
	MIKEY_ERR_DH_GROUP = 6,
	MIKEY_ERR_ID = 7,
	MIKEY_ERR_CERT = 8,
	MIKEY_ERR_SP_TYPE = 9,
	MIKEY_ERR_SP_PARAM = 10,
	MIKEY_ERR_DATA_TYPE = 11,
	MIKEY_ERR_UNSPEC = 12,
};

struct mikey_cs {
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
};

struct mikey_hdr {
	uint8_t version;	/* 1 */
	uint8_t data_type;	/* MIKEY_DT_* */
	bool v;
	uint8_t prf_func;	/* 7 bits */
	uint32_t csb_id;
	uint8_t n_cs;		/* <= MIKEY_CS_MAX */
	uint8_t map_type;	/* MIKEY_MAP_SRTP_ID */
	struct mikey_cs cs[MIKEY_CS_MAX];
};

/* One payload. Pointers borrow from the decoded input (or, when building,
 * from the caller's buffers until mikey_encode returns). */
struct mikey_payload {
	uint8_t type;		/* MIKEY_PT_* */
	size_t off;		/* decode: offset of its first byte in the message */
	size_t len;		/* decode: total length on the wire */
	union {
		struct { uint8_t ts_type; uint64_t value; } t;
		struct { const uint8_t *data; uint8_t len; } rand;
		/* ID, CERT and general extension share one shape. */
		struct { uint8_t type; const uint8_t *data; uint16_t len; } id;
		struct { uint8_t type; const uint8_t *data; uint16_t len; } cert;
		struct { uint8_t type; const uint8_t *data; uint16_t len; } ext;
		/* params: the raw Type|Length|Value list, validated by decode;
		 * read it with mikey_sp_param(). */
		struct {
			uint8_t policy_no;
			uint8_t prot_type;
			const uint8_t *params;
			uint16_t params_len;
		} sp;
		/* kv_data: the raw KV data (empty for KV 0). */
		struct {
			uint8_t group;
			const uint8_t *value;
			uint16_t value_len;
			uint8_t kv;
			const uint8_t *kv_data;
			uint16_t kv_len;
		} dh;
		/* sig NULL when building: mikey_encode writes zeros for the
		 * caller to sign and fill in. */
		struct { uint8_t s_type; const uint8_t *sig; uint16_t len; } sign;
		struct { uint8_t auth_alg; const uint8_t *data; uint8_t len; } v;
		struct { uint8_t code; } err;
		/* Opaque: encrypted data and MAC as on the wire. */
		struct {
			uint8_t encr_alg;
			const uint8_t *encr;
			uint16_t encr_len;
			uint8_t mac_alg;
			const uint8_t *mac;
			uint8_t mac_len;
		} kemac;
		struct { uint8_t c; const uint8_t *data; uint16_t len; } pke;
	} u;
};

struct mikey_msg {
	struct mikey_hdr hdr;
	size_t n;			/* payloads after HDR */
	struct mikey_payload p[MIKEY_PAYLOADS_MAX];
	/* decode only: the input, and how many leading bytes a SIGN payload
	 * covers (everything but the signature; 0 without SIGN). */
	const uint8_t *raw;
	size_t raw_len;
	size_t signed_len;
};

/* Where and why decoding failed. */
struct mikey_parse_err {
	size_t off;
	const char *what;	/* static string */
};

/* Decodes a whole MIKEY message: HDR first, then the payload chain walked
 * to exactly the end of the input, SIGN (if any) last. Every length is
 * bounds-checked against the input and the limits above. Values are not
 * judged here beyond what is needed to find lengths (DH group, V auth alg,
 * TS type, SP parameter list); semantic checks live in mikey-msg.
 * Returns 0, -EBADMSG (malformed or truncated), -E2BIG (over a limit) or
 * -EPROTONOSUPPORT (a payload whose length we cannot know, e.g. CHASH, an
 * unknown DH group or TS type). On failure *err (if not NULL) says where and
 * why. ret_msg borrows from data. */
int mikey_decode(const uint8_t *data, size_t len, struct mikey_msg *ret_msg,
    struct mikey_parse_err *err);

/* Encodes hdr and payloads in the given order, filling every next-payload
 * field from the following payload's type. A SIGN payload must be last; its
 * signature bytes are copied if sign.sig is set, otherwise zeros are written
 * and *ret_sig_off (if not NULL) gets their offset. Appends to out; returns
 * 0 or out's sticky error (-E2BIG, -ENOMEM), -EINVAL for an inconsistent
 * msg (SIGN not last, a length that does not fit its field). */
int mikey_encode(const struct mikey_msg *msg, struct buf *out,
    size_t *ret_sig_off);

/* Finds the next SP parameter of the given type in an SP payload (decoded or
 * built). Returns 1 and its value bytes, 0 when absent. */
int mikey_sp_param(const struct mikey_payload *sp, uint8_t type,
    const uint8_t **ret_val, uint8_t *ret_len);

/* Index of the first payload of the given type at or after position from,
 * or -1. */
int mikey_find(const struct mikey_msg *msg, uint8_t type, size_t from);

/* Human-readable names for dumps; "?" for unknown values. */
const char *mikey_pt_name(uint8_t type);
const char *mikey_dt_name(uint8_t dt);
const char *mikey_err_name(uint8_t code);
const char *mikey_sp_param_name(uint8_t type);

/* NTP-UTC timestamps (seconds since 1900 in the high 32 bits). The lib has
 * no clock: callers convert their CLOCK_REALTIME with this. */
uint64_t mikey_ntp_from_unix(int64_t sec, uint32_t nsec);
/* Seconds since 1970 of an NTP timestamp (era 0, i.e. until 2036). */
int64_t mikey_ntp_to_unix(uint64_t ntp);

#endif
