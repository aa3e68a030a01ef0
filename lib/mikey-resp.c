/* The responder's side of MIKEY DH-SIGN (mikey-msg.h): an I_MESSAGE
 * verified (mikey_msg_accept), then answered (mikey_msg_answer), or both
 * at once (mikey_msg_respond). The split lets a caller start validating
 * the initiator's certificate before it spends the DH and the signature
 * on the answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mikey-dh.h"
#include "mikey-msg.h"
#include "mikey-msg-int.h"

/* A verified offer: the I_MESSAGE (copy), its decoded view and what
 * accept found in it. */
struct mikey_offer {
	uint8_t *imsg;			/* owned */
	size_t ilen;
	struct mikey_msg im;		/* borrows imsg */
	struct layout l;
	enum mikey_srtp_suite suite;
	char idi[MIKEY_ID_MAX + 1];
};

struct mikey_offer *
mikey_offer_free(struct mikey_offer *o)
{
	if (o) {
		if (o->imsg) {
			OPENSSL_cleanse(o->imsg, o->ilen);
			free(o->imsg);
		}
		OPENSSL_cleanse(o, sizeof(*o));
		free(o);
	}
	return NULL;
}

/* IDr must be us; IDi must be in the certificate and be who the caller
 * expects. Fills o->idi. */
static int
accept_ids(struct mikey_offer *o, const struct mikey_respond_params *p,
    X509 *cert, struct mikey_fail *fail)
{
	const struct mikey_msg *im = &o->im;
	const struct layout *l = &o->l;
	char idr[MIKEY_ID_MAX + 1];
	int rc = 0;

	if (l->id_after >= 0 && (mm_id_uri(&im->p[l->id_after], idr) < 0 ||
	    strcmp(idr, p->self->uri) != 0))
		REFUSE(MIKEY_ERR_ID, -EPROTO, "IDr is not us");
	if (l->id_before >= 0) {
		if (mm_id_uri(&im->p[l->id_before], o->idi) < 0)
			REFUSE(MIKEY_ERR_ID, -EPROTO, "IDi is not a URI");
		if (!mikey_msg_cert_has_uri(cert, o->idi))
			REFUSE(MIKEY_ERR_ID, -EPROTO,
			    "IDi is not the certificate's identity");
		if (p->peer_uri && strcmp(o->idi, p->peer_uri) != 0)
			REFUSE(MIKEY_ERR_ID, -EPROTO,
			    "IDi is not the expected peer");
	} else if (p->peer_uri) {
		if (strlen(p->peer_uri) > MIKEY_ID_MAX ||
		    !mikey_msg_cert_has_uri(cert, p->peer_uri))
			REFUSE(MIKEY_ERR_ID, -EPROTO,
			    "certificate is not the expected peer");
		memcpy(o->idi, p->peer_uri, strlen(p->peer_uri) + 1);
	} else {
		REFUSE(MIKEY_ERR_ID, -EPROTO, "no initiator identity");
	}
out:
	return rc;
}

/* Security policy: both CS must use the same one (or defaults). */
static int
accept_policy(struct mikey_offer *o, unsigned allowed,
    struct mikey_fail *fail)
{
	const struct mikey_msg *im = &o->im;
	int rc = 0, code;

	o->suite = MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80;
	if (im->hdr.cs[0].policy_no != im->hdr.cs[1].policy_no)
		REFUSE(MIKEY_ERR_SP_PARAM, -EPROTO,
		    "crypto sessions with different policies");
	if (o->l.sp >= 0) {
		const struct mikey_payload *sp = &im->p[o->l.sp];

		if (sp->u.sp.policy_no != im->hdr.cs[0].policy_no)
			REFUSE(MIKEY_ERR_SP_PARAM, -EPROTO,
			    "CS map refers to a missing SP");
		code = mikey_srtp_suite_from_sp(sp, allowed, &o->suite);
		if (code)
			REFUSE((uint8_t)code, -EPROTO,
			    "security policy not acceptable");
	} else if (allowed && !(allowed & MIKEY_SRTP_SUITE_BIT(o->suite))) {
		REFUSE(MIKEY_ERR_SP_PARAM, -EPROTO,
		    "default security policy not acceptable");
	}
out:
	return rc;
}

int
mikey_msg_accept(const uint8_t *imsg, size_t ilen,
    const struct mikey_respond_params *p, struct mikey_offer **ret_offer,
    struct mikey_result *ret_res, struct mikey_fail *fail)
{
	struct mikey_offer *o = NULL;
	struct mikey_msg *im;
	struct mikey_result res;
	X509 *cert = NULL;
	uint32_t csb = 0;
	int rc;

	memset(&res, 0, sizeof(res));
	if (!p || !mm_identity_ok(p->self) || !imsg)
		REFUSE(MIKEY_ERR_UNSPEC, -EINVAL, "bad parameters");
	if (ilen > MIKEY_MSG_MAX)
		REFUSE(MIKEY_ERR_UNSPEC, -E2BIG, "malformed message");
	o = calloc(1, sizeof(*o));
	if (o)
		o->imsg = malloc(ilen ? ilen : 1);
	if (!o || !o->imsg)
		REFUSE(MIKEY_ERR_UNSPEC, -ENOMEM, "out of memory");
	memcpy(o->imsg, imsg, ilen);
	o->ilen = ilen;
	im = &o->im;
	rc = mm_decode_for(o->imsg, ilen, im, &o->l, fail);
	if (rc < 0 && rc != -EPROTO)
		goto out;
	csb = im->hdr.csb_id;
	if (rc < 0)
		goto out;
	if (im->hdr.data_type != MIKEY_DT_DH_INIT)
		REFUSE(MIKEY_ERR_DATA_TYPE, -EPROTO, "not a D-H init message");
	if (im->hdr.n_cs != MIKEY_MSG_CS)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO,
		    "crypto session map must have 2 entries");
	if (o->l.rand < 0 || im->p[o->l.rand].u.rand.len < MIKEY_RAND_MIN)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "RAND missing or short");
	if (o->l.n_dh != 1)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "need one DH payload");
	if (o->l.n_err)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "ERR payload in offer");
	rc = mm_check_signed(im, &o->l, p->policy, p->now_ntp, &cert, fail);
	if (rc == 0)
		rc = accept_ids(o, p, cert, fail);
	if (rc == 0)
		rc = accept_policy(o, p->policy ? p->policy->suites : 0, fail);
	if (rc == 0)
		rc = mm_check_dh(&im->p[o->l.dh[0]], fail);
	if (rc == 0 && (rc = mm_digest(im, res.digest)) < 0)
		mm_set_fail(fail, MIKEY_ERR_UNSPEC, "digest failed");
	if (rc < 0)
		goto out;
	memcpy(res.peer_uri, o->idi, strlen(o->idi) + 1);
	res.t_ntp = im->p[o->l.t].u.t.value;
	res.suite = o->suite;
	res.csb_id = csb;
	res.peer_cert = cert;
	cert = NULL;
	*ret_res = res;
	memset(&res, 0, sizeof(res));
	*ret_offer = o;
	o = NULL;
out:
	if (rc < 0 && fail)
		fail->csb_id = csb;
	X509_free(cert);
	mikey_offer_free(o);
	mikey_result_clear(&res);
	return rc;
}

int
mikey_msg_answer(const struct mikey_offer *o,
    const struct mikey_respond_params *p, struct mikey_dh *dh,
    struct mikey_result *res, uint8_t **ret_msg, size_t *ret_len,
    struct mikey_fail *fail)
{
	const struct mikey_msg *im;
	struct mikey_msg rm;
	uint8_t tgk[MIKEY_DH_OAKLEY5_LEN], dhv[MIKEY_DH_OAKLEY5_LEN];
	const struct mikey_payload *dhi;
	int rc;

	if (!o || !p || !res || !mm_identity_ok(p->self))
		REFUSE(MIKEY_ERR_UNSPEC, -EINVAL, "bad parameters");
	im = &o->im;
	dhi = &im->p[o->l.dh[0]];
	rc = 0;
	if (!dh || mikey_dh_group(dh) != MIKEY_DH_OAKLEY5) {
		mikey_dh_free(dh);
		dh = NULL;
		rc = mikey_dh_new(MIKEY_DH_OAKLEY5, &dh);
	}
	if (rc == 0)
		rc = mikey_dh_public(dh, dhv, sizeof(dhv));
	if (rc == 0) {
		rc = mikey_dh_derive(dh, dhi->u.dh.value, dhi->u.dh.value_len,
		    tgk, sizeof(tgk));
		if (rc > 0)
			rc = 0;
	}
	if (rc < 0)
		REFUSE(MIKEY_ERR_UNSPEC, rc, "DH computation failed");

	/* R_MESSAGE = HDR, T, IDr, CERTr, IDi, DHr, DHi, SIGNr. */
	memset(&rm, 0, sizeof(rm));
	rm.hdr = im->hdr;
	rm.hdr.data_type = MIKEY_DT_DH_RESP;
	rm.hdr.v = false;
	rm.hdr.cs[1].ssrc = p->ssrc;
	mm_put_t(&rm.p[rm.n++], p->now_ntp);
	mm_put_id(&rm.p[rm.n++], p->self->uri);
	mm_put_cert(&rm.p[rm.n++], p->self);
	mm_put_id(&rm.p[rm.n++], o->idi);
	rm.p[rm.n].type = MIKEY_PT_DH;
	rm.p[rm.n].u.dh.group = MIKEY_DH_OAKLEY5;
	rm.p[rm.n].u.dh.value = dhv;
	rm.p[rm.n++].u.dh.value_len = sizeof(dhv);
	rm.p[rm.n] = *dhi;			/* DHi echo, KV 0 */
	rm.p[rm.n++].u.dh.kv_len = 0;
	mm_put_sign(&rm.p[rm.n++], p->self);

	rc = mm_derive_keys(tgk, sizeof(tgk), &rm.hdr,
	    im->p[o->l.rand].u.rand.data, im->p[o->l.rand].u.rand.len,
	    o->suite, res);
	if (rc == 0)
		rc = mm_encode_signed(&rm, p->self, ret_msg, ret_len);
	if (rc < 0) {
		OPENSSL_cleanse(res->cs, sizeof(res->cs));
		REFUSE(MIKEY_ERR_UNSPEC, rc, "building the response failed");
	}
out:
	if (rc < 0 && fail)
		fail->csb_id = o ? o->im.hdr.csb_id : 0;
	mikey_dh_free(dh);
	OPENSSL_cleanse(tgk, sizeof(tgk));
	return rc;
}

int
mikey_msg_respond(const uint8_t *imsg, size_t ilen,
    const struct mikey_respond_params *p, struct mikey_result *ret_res,
    uint8_t **ret_msg, size_t *ret_len, struct mikey_fail *fail)
{
	struct mikey_offer *o = NULL;
	struct mikey_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = mikey_msg_accept(imsg, ilen, p, &o, &res, fail);
	if (rc == 0)
		rc = mikey_msg_answer(o, p, NULL, &res, ret_msg, ret_len,
		    fail);
	mikey_offer_free(o);
	if (rc == 0) {
		*ret_res = res;
		memset(&res, 0, sizeof(res));
	}
	mikey_result_clear(&res);
	return rc;
}
