/* Inside lib/mikey-msg*.c: the helpers the message files share. Not for
 * use outside lib/mikey-msg.c and lib/mikey-resp.c. */
#ifndef SVOPI_MIKEY_MSG_INT_H
#define SVOPI_MIKEY_MSG_INT_H

#include "mikey-msg.h"

/* Where the payloads of a DH-SIGN message are. IDs are told apart by their
 * place relative to CERT (RFC order: [IDi|CERTi], [IDr] in the I_MESSAGE;
 * [IDr|CERTr], IDi in the R_MESSAGE). */
struct layout {
	int t, rand, cert, sp, sign;
	int id_before, id_after;
	int dh[2];
	int n_dh;
	int n_err;
};

/* Sets fail (if not NULL) to code and why, rc to rc_ and jumps to out. */
#define REFUSE(code_, rc_, why_) do { \
	mm_set_fail(fail, (code_), (why_)); \
	rc = (rc_); \
	goto out; \
} while (0)

void mm_set_fail(struct mikey_fail *fail, uint8_t code, const char *why);
int mm_layout_get(const struct mikey_msg *m, struct layout *l,
    struct mikey_fail *fail);
int mm_identity_ok(const struct mikey_identity *self);
/* Decodes msg and finds its payloads; -EPROTO (PRF), -EBADMSG, -E2BIG. */
int mm_decode_for(const uint8_t *msg, size_t len, struct mikey_msg *m,
    struct layout *l, struct mikey_fail *fail);
/* T, CERT and SIGN of a decoded message; gives the parsed certificate. */
int mm_check_signed(const struct mikey_msg *m, const struct layout *l,
    const struct mikey_policy *pol, uint64_t now, X509 **ret_cert,
    struct mikey_fail *fail);
int mm_check_dh(const struct mikey_payload *dh, struct mikey_fail *fail);
/* A URI ID payload as a string; 0 or -EBADMSG. */
int mm_id_uri(const struct mikey_payload *id, char out[MIKEY_ID_MAX + 1]);
/* SHA-256 of the signed part of m. */
int mm_digest(const struct mikey_msg *m, uint8_t out[32]);
int mm_derive_keys(const uint8_t *tgk, size_t tgk_len,
    const struct mikey_hdr *h, const uint8_t *rand, size_t rand_len,
    enum mikey_srtp_suite suite, struct mikey_result *res);
void mm_put_t(struct mikey_payload *p, uint64_t now);
void mm_put_id(struct mikey_payload *p, const char *uri);
void mm_put_cert(struct mikey_payload *p, const struct mikey_identity *self);
void mm_put_sign(struct mikey_payload *p, const struct mikey_identity *self);
/* Encodes m (last payload a SIGN placeholder), signs it, hands out the
 * bytes. */
int mm_encode_signed(const struct mikey_msg *m,
    const struct mikey_identity *self, uint8_t **ret_msg, size_t *ret_len);

#endif
