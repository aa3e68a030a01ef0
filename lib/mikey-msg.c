#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mikey-dh.h"
#include "mikey-msg.h"
#include "mikey-msg-int.h"
#include "mikey-prf.h"

/* PSS salt length of our profile (= SHA-256 output). */
#define PSS_SALT_LEN	32
/* Serialised state: magic, then u16 length + DH secret, u32 length +
 * I_MESSAGE. */
#define STATE_MAGIC	"SMK1"
#define STATE_MAX	(4 + 2 + MIKEY_DH_PRIV_MAX + 4 + MIKEY_MSG_MAX)

struct mikey_init_state {
	struct mikey_dh *dh;
	uint8_t *imsg;
	size_t ilen;
	struct mikey_msg m;		/* decoded view of imsg */
	enum mikey_srtp_suite suite;
	const uint8_t *rand;		/* into imsg */
	size_t rand_len;
	const struct mikey_payload *dhi;
	char self_uri[MIKEY_ID_MAX + 1];
	char peer_uri[MIKEY_ID_MAX + 1];	/* IDr we sent, "" if none */
};


void
mm_set_fail(struct mikey_fail *fail, uint8_t code, const char *why)
{
	if (fail) {
		fail->code = code;
		fail->reason = why;
	}
}


const char *
mikey_msg_err_reason(uint8_t code)
{
	return mikey_err_name(code);
}

int
mm_layout_get(const struct mikey_msg *m, struct layout *l,
    struct mikey_fail *fail)
{
	memset(l, 0, sizeof(*l));
	l->t = l->rand = l->cert = l->sp = l->sign = -1;
	l->id_before = l->id_after = -1;
	l->dh[0] = l->dh[1] = -1;
	for (size_t i = 0; i < m->n; i++) {
		int *slot = NULL;

		switch (m->p[i].type) {
		case MIKEY_PT_T: slot = &l->t; break;
		case MIKEY_PT_RAND: slot = &l->rand; break;
		case MIKEY_PT_CERT: slot = &l->cert; break;
		case MIKEY_PT_SP: slot = &l->sp; break;
		case MIKEY_PT_SIGN: slot = &l->sign; break;
		case MIKEY_PT_ID:
			/* Without a CERT (refused later) the first ID is
			 * the "before" one. */
			slot = l->cert < 0 && l->id_before < 0 ?
			    &l->id_before : &l->id_after;
			break;
		case MIKEY_PT_DH:
			if (l->n_dh == 2) {
				mm_set_fail(fail, MIKEY_ERR_UNSPEC,
				    "more than two DH payloads");
				return -EPROTO;
			}
			l->dh[l->n_dh++] = (int)i;
			continue;
		case MIKEY_PT_ERR:
			l->n_err++;
			continue;
		case MIKEY_PT_GEN_EXT:
			continue;	/* skippable by definition */
		default:
			mm_set_fail(fail, MIKEY_ERR_UNSPEC,
			    "payload not allowed in DH-SIGN");
			return -EPROTO;
		}
		if (*slot >= 0) {
			mm_set_fail(fail, MIKEY_ERR_UNSPEC, "payload repeated");
			return -EPROTO;
		}
		*slot = (int)i;
	}
	return 0;
}

static int
key_ok(EVP_PKEY *key)
{
	return key && EVP_PKEY_is_a(key, "RSA") &&
	    EVP_PKEY_get_bits(key) >= MIKEY_RSA_BITS_MIN &&
	    EVP_PKEY_get_size(key) <= MIKEY_SIGN_MAX;
}

static int
set_padding(EVP_PKEY_CTX *pctx, uint8_t s_type)
{
	if (s_type == MIKEY_SIGN_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PADDING) > 0;
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, PSS_SALT_LEN) > 0 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
}

static int
sign_bytes(EVP_PKEY *key, uint8_t s_type, const uint8_t *data, size_t len,
    uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t n = sig_len;
	int rc = -EIO;

	if (!md)
		return -ENOMEM;
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) > 0 &&
	    set_padding(pctx, s_type) &&
	    EVP_DigestSign(md, sig, &n, data, len) > 0 && n == sig_len)
		rc = 0;
	EVP_MD_CTX_free(md);
	return rc;
}

/* 0 if the message's SIGN verifies with key, -EACCES if not. */
static int
verify_sign(EVP_PKEY *key, const struct mikey_msg *m, int sign)
{
	const struct mikey_payload *s = &m->p[sign];
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -EACCES;

	if (s->u.sign.s_type != MIKEY_SIGN_PKCS1 &&
	    s->u.sign.s_type != MIKEY_SIGN_PSS)
		return -EACCES;
	if ((int)s->u.sign.len != EVP_PKEY_get_size(key))
		return -EACCES;
	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) > 0 &&
	    set_padding(pctx, s->u.sign.s_type) &&
	    EVP_DigestVerify(md, s->u.sign.sig, s->u.sign.len, m->raw,
		m->signed_len) == 1)
		rc = 0;
	EVP_MD_CTX_free(md);
	return rc;
}

/* Parses the CERT payload into an X.509 certificate with a usable key. */
/* Parses the CERT payload into an X.509 certificate with a usable key,
 * through the policy's cache of parsed certificates when it has one. */
static int
peer_cert(const struct mikey_payload *c, const struct mikey_policy *pol,
    X509 **ret_cert)
{
	struct mikey_cert_cache *cc = pol ? pol->certs : NULL;
	const unsigned char *p = c->u.cert.data;
	X509 *x;

	if (c->u.cert.type != MIKEY_CERT_X509 &&
	    c->u.cert.type != MIKEY_CERT_X509_SIGN)
		return -EPROTONOSUPPORT;
	x = mikey_cert_cache_find(cc, c->u.cert.data, c->u.cert.len);
	if (x) {
		*ret_cert = x;
		return 0;
	}
	x = d2i_X509(NULL, &p, c->u.cert.len);
	if (!x)
		return -EBADMSG;
	if (p != c->u.cert.data + c->u.cert.len ||
	    !key_ok(X509_get0_pubkey(x))) {
		X509_free(x);
		return -EBADMSG;
	}
	if (cc)
		mikey_cert_cache_put(cc, c->u.cert.data, c->u.cert.len, x);
	*ret_cert = x;
	return 0;
}

static int
time_ok(const struct mikey_msg *m, const struct layout *l,
    const struct mikey_policy *pol, uint64_t now)
{
	const struct mikey_payload *t = &m->p[l->t];
	uint64_t skew, diff;

	if (t->u.t.ts_type != MIKEY_TS_NTP_UTC)
		return 0;
	if (pol && pol->skip_time_check)
		return 1;
	skew = (uint64_t)(pol && pol->skew_s ? pol->skew_s :
	    MIKEY_SKEW_DEFAULT) << 32;
	diff = t->u.t.value > now ? t->u.t.value - now : now - t->u.t.value;
	return diff <= skew;
}

/* Copies a URI ID payload as a string; 0 or -EBADMSG. */
int
mm_id_uri(const struct mikey_payload *id, char out[MIKEY_ID_MAX + 1])
{
	if (id->u.id.type != MIKEY_ID_URI || id->u.id.len == 0 ||
	    id->u.id.len > MIKEY_ID_MAX ||
	    memchr(id->u.id.data, '\0', id->u.id.len))
		return -EBADMSG;
	memcpy(out, id->u.id.data, id->u.id.len);
	out[id->u.id.len] = '\0';
	return 0;
}

static bool
asn1_eq(const ASN1_STRING *s, const char *str, size_t len)
{
	return (size_t)ASN1_STRING_length(s) == len &&
	    memcmp(ASN1_STRING_get0_data(s), str, len) == 0;
}

bool
mikey_msg_cert_has_uri(X509 *cert, const char *uri)
{
	GENERAL_NAMES *sans;
	X509_NAME *subj;
	size_t len = strlen(uri);
	bool any_uri = false, found = false;
	int idx;

	if (!cert || len == 0)
		return false;
	sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);

		if (gn->type != GEN_URI)
			continue;
		any_uri = true;
		if (asn1_eq(gn->d.uniformResourceIdentifier, uri, len))
			found = true;
	}
	GENERAL_NAMES_free(sans);
	if (any_uri)
		return found;
	subj = X509_get_subject_name(cert);
	idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	if (idx < 0)
		return false;
	{
		const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(subj, idx));

		if (asn1_eq(cn, uri, len))
			return true;
		if (len > 4 && strncmp(uri, "sip:", 4) == 0 &&
		    asn1_eq(cn, uri + 4, len - 4))
			return true;
	}
	return false;
}

int
mm_digest(const struct mikey_msg *m, uint8_t out[32])
{
	unsigned n = 0;

	if (!EVP_Digest(m->raw, m->signed_len, out, &n, EVP_sha256(), NULL) ||
	    n != 32)
		return -EIO;
	return 0;
}

int
mikey_msg_digest(const uint8_t *msg, size_t len, uint8_t ret_digest[32])
{
	struct mikey_msg m;
	uint8_t d[32];
	int rc;

	if (mikey_decode(msg, len, &m, NULL) < 0 || m.signed_len == 0)
		return -EBADMSG;
	rc = mm_digest(&m, d);
	if (rc == 0)
		memcpy(ret_digest, d, sizeof(d));
	return rc;
}

int
mm_derive_keys(const uint8_t *tgk, size_t tgk_len, const struct mikey_hdr *h,
    const uint8_t *rand, size_t rand_len, enum mikey_srtp_suite suite,
    struct mikey_result *res)
{
	size_t key_len, salt_len;
	int rc;

	rc = mikey_srtp_suite_lens(suite, &key_len, &salt_len);
	if (rc < 0)
		return rc;
	res->suite = suite;
	res->csb_id = h->csb_id;
	for (unsigned i = 0; i < MIKEY_MSG_CS; i++) {
		struct mikey_cs_keys *k = &res->cs[i];

		rc = mikey_prf_derive(tgk, tgk_len, MIKEY_KEY_TEK,
		    (uint8_t)(i + 1), h->csb_id, rand, rand_len, k->tek,
		    key_len);
		if (rc == 0)
			rc = mikey_prf_derive(tgk, tgk_len, MIKEY_KEY_SALT,
			    (uint8_t)(i + 1), h->csb_id, rand, rand_len,
			    k->salt, salt_len);
		if (rc < 0)
			return rc;
		k->tek_len = (uint8_t)key_len;
		k->salt_len = (uint8_t)salt_len;
		k->ssrc = h->cs[i].ssrc;
		k->roc = h->cs[i].roc;
	}
	return 0;
}

void
mikey_result_clear(struct mikey_result *res)
{
	if (!res)
		return;
	X509_free(res->peer_cert);
	OPENSSL_cleanse(res, sizeof(*res));
}

int
mm_identity_ok(const struct mikey_identity *self)
{
	return self && key_ok(self->key) && self->cert_der &&
	    self->cert_len > 0 && self->cert_len <= MIKEY_CERT_MAX &&
	    self->uri && strlen(self->uri) > 0 &&
	    strlen(self->uri) <= MIKEY_ID_MAX &&
	    (self->s_type == MIKEY_SIGN_PKCS1 ||
	     self->s_type == MIKEY_SIGN_PSS);
}

void
mm_put_id(struct mikey_payload *p, const char *uri)
{
	p->type = MIKEY_PT_ID;
	p->u.id.type = MIKEY_ID_URI;
	p->u.id.data = (const uint8_t *)uri;
	p->u.id.len = (uint16_t)strlen(uri);
}

void
mm_put_cert(struct mikey_payload *p, const struct mikey_identity *self)
{
	p->type = MIKEY_PT_CERT;
	p->u.cert.type = MIKEY_CERT_X509;
	p->u.cert.data = self->cert_der;
	p->u.cert.len = (uint16_t)self->cert_len;
}

void
mm_put_t(struct mikey_payload *p, uint64_t now)
{
	p->type = MIKEY_PT_T;
	p->u.t.ts_type = MIKEY_TS_NTP_UTC;
	p->u.t.value = now;
}

/* Encodes m (whose last payload is a SIGN placeholder), signs it and hands
 * out the bytes. */
int
mm_encode_signed(const struct mikey_msg *m, const struct mikey_identity *self,
    uint8_t **ret_msg, size_t *ret_len)
{
	struct buf b;
	size_t sig_off = 0;
	int rc;

	buf_init(&b, MIKEY_MSG_MAX);
	rc = mikey_encode(m, &b, &sig_off);
	if (rc == 0)
		rc = sign_bytes(self->key, self->s_type, b.data, sig_off,
		    b.data + sig_off, b.len - sig_off);
	if (rc == 0)
		return buf_steal(&b, ret_msg, ret_len);
	buf_release(&b);
	return rc;
}

void
mm_put_sign(struct mikey_payload *p, const struct mikey_identity *self)
{
	p->type = MIKEY_PT_SIGN;
	p->u.sign.s_type = self->s_type;
	p->u.sign.sig = NULL;
	p->u.sign.len = (uint16_t)EVP_PKEY_get_size(self->key);
}

/* Fills the state's derived fields from its I_MESSAGE bytes. */
static int
state_index(struct mikey_init_state *st)
{
	struct layout l;
	int rc;

	rc = mikey_decode(st->imsg, st->ilen, &st->m, NULL);
	if (rc < 0)
		return -EBADMSG;
	if (mm_layout_get(&st->m, &l, NULL) < 0 || l.rand < 0 || l.sp < 0 ||
	    l.n_dh != 1 || l.id_before < 0 || l.cert < 0 ||
	    st->m.hdr.data_type != MIKEY_DT_DH_INIT ||
	    st->m.hdr.n_cs != MIKEY_MSG_CS)
		return -EBADMSG;
	st->rand = st->m.p[l.rand].u.rand.data;
	st->rand_len = st->m.p[l.rand].u.rand.len;
	st->dhi = &st->m.p[l.dh[0]];
	if (mm_id_uri(&st->m.p[l.id_before], st->self_uri) < 0)
		return -EBADMSG;
	st->peer_uri[0] = '\0';
	if (l.id_after >= 0 && mm_id_uri(&st->m.p[l.id_after], st->peer_uri) < 0)
		return -EBADMSG;
	if (mikey_srtp_suite_from_sp(&st->m.p[l.sp], 0, &st->suite) != 0)
		return -EBADMSG;
	return 0;
}

struct mikey_init_state *
mikey_init_state_free(struct mikey_init_state *st)
{
	if (st) {
		mikey_dh_free(st->dh);
		if (st->imsg) {
			OPENSSL_cleanse(st->imsg, st->ilen);
			free(st->imsg);
		}
		OPENSSL_cleanse(st, sizeof(*st));
		free(st);
	}
	return NULL;
}

uint32_t
mikey_init_state_csb_id(const struct mikey_init_state *st)
{
	return st->m.hdr.csb_id;
}

const uint8_t *
mikey_init_state_message(const struct mikey_init_state *st, size_t *ret_len)
{
	*ret_len = st->ilen;
	return st->imsg;
}

int
mikey_msg_build_init(const struct mikey_init_params *p,
    struct mikey_init_state **ret_state, uint8_t **ret_msg, size_t *ret_len)
{
	struct mikey_dh *dh = p ? p->dh : NULL;	/* taken */
	struct mikey_init_state *st = NULL;
	struct mikey_msg m;
	uint8_t rand[MIKEY_MSG_RAND_LEN], sp[MIKEY_SRTP_SP_MAX];
	uint8_t dhv[MIKEY_DH_OAKLEY5_LEN];
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t csb;
	int rc, sp_len;

	rc = -EINVAL;
	if (!p || !mm_identity_ok(p->self) ||
	    (p->peer_uri && (strlen(p->peer_uri) == 0 ||
	     strlen(p->peer_uri) > MIKEY_ID_MAX)))
		goto out;
	sp_len = mikey_srtp_sp_params(p->suite, sp, sizeof(sp));
	if (sp_len < 0)
		goto out;
	rc = -EIO;
	if (RAND_bytes(rand, sizeof(rand)) != 1 ||
	    RAND_bytes((uint8_t *)&csb, sizeof(csb)) != 1)
		goto out;
	rc = -ENOMEM;
	st = calloc(1, sizeof(*st));
	if (!st)
		goto out;
	if (dh && mikey_dh_group(dh) == MIKEY_DH_OAKLEY5) {
		st->dh = dh;
		dh = NULL;
		rc = 0;
	} else {
		rc = mikey_dh_new(MIKEY_DH_OAKLEY5, &st->dh);
	}
	if (rc == 0)
		rc = mikey_dh_public(st->dh, dhv, sizeof(dhv));
	if (rc < 0)
		goto out;

	memset(&m, 0, sizeof(m));
	m.hdr.version = 1;
	m.hdr.data_type = MIKEY_DT_DH_INIT;
	m.hdr.prf_func = MIKEY_PRF_MIKEY_1;
	m.hdr.csb_id = csb;
	m.hdr.n_cs = MIKEY_MSG_CS;
	m.hdr.map_type = MIKEY_MAP_SRTP_ID;
	m.hdr.cs[0].ssrc = p->ssrc;
	m.hdr.cs[1].ssrc = p->peer_ssrc;
	mm_put_t(&m.p[m.n++], p->now_ntp);
	m.p[m.n].type = MIKEY_PT_RAND;
	m.p[m.n].u.rand.data = rand;
	m.p[m.n++].u.rand.len = sizeof(rand);
	mm_put_id(&m.p[m.n++], p->self->uri);
	mm_put_cert(&m.p[m.n++], p->self);
	if (p->peer_uri)
		mm_put_id(&m.p[m.n++], p->peer_uri);
	m.p[m.n].type = MIKEY_PT_SP;
	m.p[m.n].u.sp.policy_no = 0;
	m.p[m.n].u.sp.prot_type = MIKEY_SP_PROT_SRTP;
	m.p[m.n].u.sp.params = sp;
	m.p[m.n++].u.sp.params_len = (uint16_t)sp_len;
	m.p[m.n].type = MIKEY_PT_DH;
	m.p[m.n].u.dh.group = MIKEY_DH_OAKLEY5;
	m.p[m.n].u.dh.value = dhv;
	m.p[m.n++].u.dh.value_len = sizeof(dhv);
	mm_put_sign(&m.p[m.n++], p->self);

	rc = mm_encode_signed(&m, p->self, &st->imsg, &st->ilen);
	if (rc < 0)
		goto out;
	rc = state_index(st);
	if (rc < 0) {
		rc = -EIO;
		goto out;
	}
	out = malloc(st->ilen);
	if (!out) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(out, st->imsg, st->ilen);
	out_len = st->ilen;
	*ret_state = st;
	*ret_msg = out;
	*ret_len = out_len;
	st = NULL;
	rc = 0;
out:
	mikey_dh_free(dh);
	mikey_init_state_free(st);
	OPENSSL_cleanse(rand, sizeof(rand));
	return rc;
}

/* Checks common to both directions once the layout is known: T, CERT,
 * SIGN. Gives the parsed certificate. */
int
mm_check_signed(const struct mikey_msg *m, const struct layout *l,
    const struct mikey_policy *pol, uint64_t now, X509 **ret_cert,
    struct mikey_fail *fail)
{
	X509 *cert = NULL;
	int rc = 0;

	if (l->t < 0)
		REFUSE(MIKEY_ERR_TIMESTAMP, -ETIME, "no timestamp");
	if (!time_ok(m, l, pol, now))
		REFUSE(MIKEY_ERR_TIMESTAMP, -ETIME,
		    "timestamp outside the allowed clock skew");
	if (pol && pol->not_before_ntp &&
	    m->p[l->t].u.t.ts_type == MIKEY_TS_NTP_UTC &&
	    m->p[l->t].u.t.value < pol->not_before_ntp)
		REFUSE(MIKEY_ERR_TIMESTAMP, -ETIME,
		    "timestamp before the replay cache started (possible "
		    "replay across a restart)");
	if (l->sign < 0)
		REFUSE(MIKEY_ERR_AUTH, -EACCES, "message is not signed");
	if (l->cert < 0)
		REFUSE(MIKEY_ERR_CERT, -EACCES, "no certificate");
	if (peer_cert(&m->p[l->cert], pol, &cert) < 0)
		REFUSE(MIKEY_ERR_CERT, -EACCES,
		    "certificate unusable (need X.509 with RSA >= 2048)");
	rc = verify_sign(X509_get0_pubkey(cert), m, l->sign);
	if (rc == -ENOMEM)
		REFUSE(MIKEY_ERR_UNSPEC, rc, "out of memory");
	if (rc < 0)
		REFUSE(MIKEY_ERR_AUTH, -EACCES,
		    "signature does not verify with the certificate");
	*ret_cert = cert;
	cert = NULL;
out:
	X509_free(cert);
	return rc;
}

int
mm_check_dh(const struct mikey_payload *dh, struct mikey_fail *fail)
{
	int rc = 0;

	if (dh->u.dh.group != MIKEY_DH_OAKLEY5)
		REFUSE(MIKEY_ERR_DH_GROUP, -EPROTO, "DH group not OAKLEY 5");
	if (dh->u.dh.kv != 0)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "DH key validity not null");
	if (mikey_dh_check_public(dh->u.dh.group, dh->u.dh.value,
	    dh->u.dh.value_len) < 0)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "DH value out of range");
out:
	return rc;
}

int
mm_decode_for(const uint8_t *msg, size_t len, struct mikey_msg *m,
    struct layout *l, struct mikey_fail *fail)
{
	int rc;

	rc = mikey_decode(msg, len, m, NULL);
	if (rc < 0) {
		mm_set_fail(fail, MIKEY_ERR_UNSPEC, "malformed message");
		return rc == -E2BIG ? rc : -EBADMSG;
	}
	if (m->hdr.prf_func != MIKEY_PRF_MIKEY_1) {
		mm_set_fail(fail, MIKEY_ERR_PRF, "PRF function not supported");
		return -EPROTO;
	}
	return mm_layout_get(m, l, fail);
}

static bool
dh_equal(const struct mikey_payload *a, const struct mikey_payload *b)
{
	return a->u.dh.group == b->u.dh.group &&
	    a->u.dh.value_len == b->u.dh.value_len &&
	    CRYPTO_memcmp(a->u.dh.value, b->u.dh.value,
		a->u.dh.value_len) == 0;
}

int
mikey_msg_finish(const struct mikey_init_state *st, const uint8_t *rmsg,
    size_t rlen, const struct mikey_policy *policy, uint64_t now_ntp,
    struct mikey_result *ret_res, struct mikey_fail *fail)
{
	const struct mikey_hdr *ih;
	const struct mikey_payload *dhr, *dhi;
	struct mikey_result res;
	struct mikey_msg rm;
	struct layout l;
	uint8_t tgk[MIKEY_DH_OAKLEY5_LEN];
	char id[MIKEY_ID_MAX + 1];
	X509 *cert = NULL;
	uint32_t csb = 0;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(tgk, 0, sizeof(tgk));
	if (!st || !rmsg)
		REFUSE(MIKEY_ERR_UNSPEC, -EINVAL, "bad parameters");
	ih = &st->m.hdr;
	rc = mm_decode_for(rmsg, rlen, &rm, &l, fail);
	if (rc < 0 && rc != -EPROTO)
		goto out;
	csb = rm.hdr.csb_id;
	if (rc < 0)
		goto out;
	if (rm.hdr.data_type == MIKEY_DT_ERROR) {
		int e = mikey_find(&rm, MIKEY_PT_ERR, 0);

		mm_set_fail(fail, e >= 0 ? rm.p[e].u.err.code : MIKEY_ERR_UNSPEC,
		    "peer sent an error message (not authenticated)");
		rc = -EREMOTEIO;
		goto out;
	}
	if (rm.hdr.data_type != MIKEY_DT_DH_RESP)
		REFUSE(MIKEY_ERR_DATA_TYPE, -EPROTO, "not a D-H resp message");
	if (rm.hdr.csb_id != ih->csb_id)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "CSB ID differs from offer");
	if (rm.hdr.n_cs != ih->n_cs)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "CS map differs from offer");
	for (unsigned i = 0; i < ih->n_cs; i++) {
		const struct mikey_cs *a = &ih->cs[i], *b = &rm.hdr.cs[i];

		/* Only an SSRC we left at 0 may be filled in. */
		if (a->policy_no != b->policy_no || a->roc != b->roc ||
		    (a->ssrc != 0 && a->ssrc != b->ssrc))
			REFUSE(MIKEY_ERR_UNSPEC, -EPROTO,
			    "CS map differs from offer");
	}
	if (l.rand >= 0 || l.sp >= 0 || l.n_err)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO,
		    "RAND, SP or ERR in a response");
	if (l.n_dh != 2)
		REFUSE(MIKEY_ERR_UNSPEC, -EPROTO, "need two DH payloads");

	rc = mm_check_signed(&rm, &l, policy, now_ntp, &cert, fail);
	if (rc < 0)
		goto out;

	/* IDi (after CERT) must be us; IDr (before) must be the peer. */
	if (l.id_after < 0 || mm_id_uri(&rm.p[l.id_after], id) < 0 ||
	    strcmp(id, st->self_uri) != 0)
		REFUSE(MIKEY_ERR_ID, -EPROTO, "IDi is not us");
	if (l.id_before >= 0) {
		if (mm_id_uri(&rm.p[l.id_before], id) < 0)
			REFUSE(MIKEY_ERR_ID, -EPROTO, "IDr is not a URI");
		if (!mikey_msg_cert_has_uri(cert, id))
			REFUSE(MIKEY_ERR_ID, -EPROTO,
			    "IDr is not the certificate's identity");
		if (st->peer_uri[0] && strcmp(id, st->peer_uri) != 0)
			REFUSE(MIKEY_ERR_ID, -EPROTO,
			    "IDr is not the peer we called");
		memcpy(res.peer_uri, id, strlen(id) + 1);
	} else if (st->peer_uri[0]) {
		if (!mikey_msg_cert_has_uri(cert, st->peer_uri))
			REFUSE(MIKEY_ERR_ID, -EPROTO,
			    "certificate is not the peer we called");
		memcpy(res.peer_uri, st->peer_uri, sizeof(st->peer_uri));
	}

	/* DHi must be our value byte for byte (it ties the answer to this
	 * offer); the other one is DHr. */
	dhi = &rm.p[l.dh[1]];
	dhr = &rm.p[l.dh[0]];
	if (!dh_equal(dhi, st->dhi)) {
		dhi = &rm.p[l.dh[0]];
		dhr = &rm.p[l.dh[1]];
	}
	if (!dh_equal(dhi, st->dhi) || dhi->u.dh.kv != 0)
		REFUSE(MIKEY_ERR_AUTH, -EACCES, "DHi echo differs from offer");
	if (dh_equal(dhr, st->dhi))
		REFUSE(MIKEY_ERR_AUTH, -EACCES, "DHr equals our DHi");
	rc = mm_check_dh(dhr, fail);
	if (rc < 0)
		goto out;
	rc = mikey_dh_derive(st->dh, dhr->u.dh.value, dhr->u.dh.value_len,
	    tgk, sizeof(tgk));
	if (rc > 0)
		rc = mm_derive_keys(tgk, sizeof(tgk), &rm.hdr, st->rand,
		    st->rand_len, st->suite, &res);
	if (rc == 0)
		rc = mm_digest(&rm, res.digest);
	if (rc < 0)
		REFUSE(MIKEY_ERR_UNSPEC, rc, "key derivation failed");
	res.t_ntp = rm.p[l.t].u.t.value;
	res.peer_cert = cert;
	cert = NULL;
	*ret_res = res;
	memset(&res, 0, sizeof(res));
out:
	if (rc < 0 && fail)
		fail->csb_id = csb;
	X509_free(cert);
	OPENSSL_cleanse(tgk, sizeof(tgk));
	mikey_result_clear(&res);
	return rc;
}

int
mikey_msg_resign(const struct mikey_msg *m,
    const struct mikey_identity *self, uint8_t **ret_msg, size_t *ret_len)
{
	struct mikey_identity as;
	struct mikey_msg copy;

	if (!m || !self || !key_ok(self->key) || m->n == 0 ||
	    m->p[m->n - 1].type != MIKEY_PT_SIGN)
		return -EINVAL;
	as = *self;
	as.s_type = m->p[m->n - 1].u.sign.s_type;	/* keep PKCS#1 or PSS */
	copy = *m;
	mm_put_sign(&copy.p[copy.n - 1], &as);
	return mm_encode_signed(&copy, &as, ret_msg, ret_len);
}

int
mikey_msg_build_error(const struct mikey_identity *self, uint32_t csb_id,
    const uint8_t *codes, size_t n_codes, uint64_t now_ntp,
    uint8_t **ret_msg, size_t *ret_len)
{
	struct mikey_msg m;

	if (!mm_identity_ok(self) || !codes || n_codes == 0 || n_codes > 8)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.hdr.version = 1;
	m.hdr.data_type = MIKEY_DT_ERROR;
	m.hdr.prf_func = MIKEY_PRF_MIKEY_1;
	m.hdr.csb_id = csb_id;
	m.hdr.map_type = MIKEY_MAP_SRTP_ID;
	mm_put_t(&m.p[m.n++], now_ntp);
	for (size_t i = 0; i < n_codes; i++) {
		m.p[m.n].type = MIKEY_PT_ERR;
		m.p[m.n++].u.err.code = codes[i];
	}
	mm_put_sign(&m.p[m.n++], self);
	return mm_encode_signed(&m, self, ret_msg, ret_len);
}

int
mikey_msg_parse_error(const uint8_t *msg, size_t len,
    const uint8_t *cert_der, size_t cert_len, uint8_t *ret_code)
{
	struct mikey_msg m;
	const unsigned char *cp = cert_der;
	X509 *cert;
	int e, n = 0, rc;

	if (mikey_decode(msg, len, &m, NULL) < 0 ||
	    m.hdr.data_type != MIKEY_DT_ERROR)
		return -EBADMSG;
	e = mikey_find(&m, MIKEY_PT_ERR, 0);
	if (e < 0)
		return -EBADMSG;
	for (size_t i = 0; i < m.n; i++)
		n += m.p[i].type == MIKEY_PT_ERR;
	if (cert_der) {
		int s = mikey_find(&m, MIKEY_PT_SIGN, 0);

		if (s < 0)
			return -EACCES;
		cert = d2i_X509(NULL, &cp, (long)cert_len);
		if (!cert)
			return -EINVAL;
		rc = verify_sign(X509_get0_pubkey(cert), &m, s);
		X509_free(cert);
		if (rc < 0)
			return rc;
	}
	*ret_code = m.p[e].u.err.code;
	return n;
}

int
mikey_init_state_save(const struct mikey_init_state *st, uint8_t **ret_data,
    size_t *ret_len)
{
	uint8_t x[MIKEY_DH_PRIV_MAX];
	struct buf b;
	int n;

	n = mikey_dh_export(st->dh, x, sizeof(x));
	if (n < 0)
		return n;
	buf_init(&b, STATE_MAX);
	buf_put_bytes(&b, STATE_MAGIC, 4);
	buf_put_u16(&b, (uint16_t)n);
	buf_put_bytes(&b, x, (size_t)n);
	buf_put_u32(&b, (uint32_t)st->ilen);
	buf_put_bytes(&b, st->imsg, st->ilen);
	OPENSSL_cleanse(x, sizeof(x));
	return buf_steal(&b, ret_data, ret_len);
}

int
mikey_init_state_load(const uint8_t *data, size_t len,
    struct mikey_init_state **ret_state)
{
	struct mikey_init_state *st;
	struct buf_reader r;
	const uint8_t *magic, *x, *im;
	uint8_t pub[MIKEY_DH_OAKLEY5_LEN];
	uint16_t xlen;
	uint32_t ilen;
	int rc;

	buf_reader_init(&r, data, len);
	if (buf_read_bytes(&r, 4, &magic) < 0 ||
	    memcmp(magic, STATE_MAGIC, 4) != 0 ||
	    buf_read_u16(&r, &xlen) < 0 || xlen > MIKEY_DH_PRIV_MAX ||
	    buf_read_bytes(&r, xlen, &x) < 0 ||
	    buf_read_u32(&r, &ilen) < 0 || ilen > MIKEY_MSG_MAX ||
	    buf_read_bytes(&r, ilen, &im) < 0 || buf_reader_left(&r) != 0)
		return -EBADMSG;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->imsg = malloc(ilen ? ilen : 1);
	if (!st->imsg) {
		free(st);
		return -ENOMEM;
	}
	memcpy(st->imsg, im, ilen);
	st->ilen = ilen;
	rc = state_index(st);
	if (rc == 0)
		rc = mikey_dh_import(MIKEY_DH_OAKLEY5, x, xlen, &st->dh);
	/* The secret must belong to the offer's DHi. */
	if (rc == 0)
		rc = mikey_dh_public(st->dh, pub, sizeof(pub));
	if (rc == 0 && (st->dhi->u.dh.value_len != sizeof(pub) ||
	    CRYPTO_memcmp(pub, st->dhi->u.dh.value, sizeof(pub)) != 0))
		rc = -EBADMSG;
	if (rc < 0) {
		mikey_init_state_free(st);
		return rc == -EPROTONOSUPPORT ? -EBADMSG : rc;
	}
	*ret_state = st;
	return 0;
}
