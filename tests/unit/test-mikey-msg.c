/* DH-SIGN messages: a full exchange between two identities whose keys are
 * recomputed independently (BN_mod_exp + TLS1-PRF), every single-bit flip
 * of I_MESSAGE and R_MESSAGE refused, each check of MIKEY.md §3.1/§3.2
 * triggered by a correctly re-signed mutation with the ERR code it must
 * give, error messages, state files, certificate identity and the replay
 * cache. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "mikey.h"
#include "mikey-dh.h"
#include "mikey-msg.h"
#include "mikey-prf.h"
#include "mikey-replay.h"
#include "test.h"
#include "test-mikey-util.h"

#define ALICE	"sip:alice@example.org"
#define BOB	"sip:bob@example.org"

static struct tpeer alice, bob, eve, eve_as_alice, weak, cn_only;
static uint64_t now;

/* An offer from alice to bob and its state. */
struct offer {
	struct mikey_init_state *st;
	uint8_t *msg;
	size_t len;
};

static void
offer_make(struct offer *o, enum mikey_srtp_suite suite, uint32_t peer_ssrc)
{
	struct mikey_init_params p;

	memset(&p, 0, sizeof(p));
	p.self = &alice.id;
	p.peer_uri = BOB;
	p.suite = suite;
	p.ssrc = 0x11111111;
	p.peer_ssrc = peer_ssrc;
	p.now_ntp = now;
	memset(o, 0, sizeof(*o));
	if (mikey_msg_build_init(&p, &o->st, &o->msg, &o->len) != 0)
		abort();
}

static void
offer_free(struct offer *o)
{
	mikey_init_state_free(o->st);
	free(o->msg);
}

static struct mikey_respond_params
bob_params(void)
{
	struct mikey_respond_params p;

	memset(&p, 0, sizeof(p));
	p.self = &bob.id;
	p.peer_uri = ALICE;
	p.ssrc = 0x22222222;
	p.now_ntp = now;
	return p;
}

/* Bob answers; 0 or the negative errno, *code the ERR code on failure. */
static int
answer(const uint8_t *msg, size_t len, const struct mikey_respond_params *p,
    uint8_t **ret_r, size_t *ret_rlen, struct mikey_result *res,
    uint8_t *code)
{
	struct mikey_fail fail = { 255, NULL };
	struct mikey_result tmp;
	uint8_t *r = NULL;
	size_t rl = 0;
	int rc;

	rc = mikey_msg_respond(msg, len, p, &tmp, &r, &rl, &fail);
	if (rc == 0) {
		if (res)
			*res = tmp;
		else
			mikey_result_clear(&tmp);
		if (ret_r) {
			*ret_r = r;
			*ret_rlen = rl;
		} else {
			free(r);
		}
	} else if (code) {
		*code = fail.code;
		CHECK(fail.reason != NULL);
	}
	return rc;
}

static void
expect_i(const char *what, const uint8_t *msg, size_t len,
    const struct mikey_respond_params *p, uint8_t code)
{
	uint8_t got = 255;
	int rc = answer(msg, len, p, NULL, NULL, NULL, &got);

	if (rc >= 0 || got != code)
		fprintf(stderr, "I case '%s': rc %d code %u, want code %u\n",
		    what, rc, got, code);
	CHECK(rc < 0);
	CHECK_EQ_INT(got, code);
}

static void
expect_r(const char *what, const struct offer *o, const uint8_t *msg,
    size_t len, const struct mikey_policy *pol, uint8_t code, int want_rc)
{
	struct mikey_fail fail = { 255, NULL };
	struct mikey_result res;
	int rc = mikey_msg_finish(o->st, msg, len, pol, now, &res, &fail);

	if (rc >= 0 || fail.code != code || (want_rc && rc != want_rc))
		fprintf(stderr, "R case '%s': rc %d code %u, want code %u\n",
		    what, rc, fail.code, code);
	CHECK(rc < 0);
	CHECK_EQ_INT(fail.code, code);
	if (want_rc)
		CHECK_EQ_INT(rc, want_rc);
	if (rc == 0)
		mikey_result_clear(&res);
}

/* Recomputes cs keys from the state's secret and R_MESSAGE's DHr with
 * BN_mod_exp and TLS1-PRF, and compares. */
static void
check_keys_independently(const struct offer *o, const uint8_t *r,
    size_t rlen, const struct mikey_result *res, size_t key_len,
    size_t salt_len)
{
	struct mikey_msg im, rm;
	uint8_t *st = NULL, tgk[192], label[9 + 16], k[32];
	size_t stl = 0;
	BIGNUM *p = BN_get_rfc3526_prime_1536(NULL), *x, *y, *t = BN_new();
	BN_CTX *ctx = BN_CTX_new();

	CHECK_EQ_INT(mikey_decode(o->msg, o->len, &im, NULL), 0);
	CHECK_EQ_INT(mikey_decode(r, rlen, &rm, NULL), 0);
	CHECK_EQ_INT(mikey_init_state_save(o->st, &st, &stl), 0);
	/* "SMK1", u16 192, x */
	CHECK(stl > 6 + 192 && memcmp(st, "SMK1", 4) == 0);
	x = BN_bin2bn(st + 6, 192, NULL);
	y = BN_bin2bn(rm.p[4].u.dh.value, 192, NULL);	/* DHr */
	CHECK(BN_mod_exp(t, y, x, p, ctx) == 1);
	CHECK_EQ_INT(BN_bn2binpad(t, tgk, 192), 192);
	for (int cs = 1; cs <= 2; cs++) {
		uint32_t csb = im.hdr.csb_id;

		label[4] = (uint8_t)cs;
		label[5] = (uint8_t)(csb >> 24);
		label[6] = (uint8_t)(csb >> 16);
		label[7] = (uint8_t)(csb >> 8);
		label[8] = (uint8_t)csb;
		memcpy(label + 9, im.p[1].u.rand.data, 16);
		memcpy(label, "\x2a\xd0\x1c\x64", 4);
		tref_prf(tgk, 192, label, sizeof(label), k, key_len);
		CHECK_MEM(k, res->cs[cs - 1].tek, key_len);
		memcpy(label, "\x39\xa2\xc1\x4b", 4);
		tref_prf(tgk, 192, label, sizeof(label), k, salt_len);
		CHECK_MEM(k, res->cs[cs - 1].salt, salt_len);
	}
	OPENSSL_cleanse(st, stl);
	free(st);
	BN_clear_free(x);
	BN_free(y);
	BN_free(t);
	BN_free(p);
	BN_CTX_free(ctx);
}

static void
test_exchange(void)
{
	static const uint8_t i_order[] = { MIKEY_PT_T, MIKEY_PT_RAND,
		MIKEY_PT_ID, MIKEY_PT_CERT, MIKEY_PT_ID, MIKEY_PT_SP,
		MIKEY_PT_DH, MIKEY_PT_SIGN };
	static const uint8_t r_order[] = { MIKEY_PT_T, MIKEY_PT_ID,
		MIKEY_PT_CERT, MIKEY_PT_ID, MIKEY_PT_DH, MIKEY_PT_DH,
		MIKEY_PT_SIGN };

	for (unsigned s = 0; s < MIKEY_SRTP_SUITE_COUNT; s++) {
		struct mikey_respond_params p = bob_params();
		struct mikey_result rr, ir;
		struct mikey_fail fail;
		struct mikey_msg m;
		struct offer o;
		uint8_t *r = NULL;
		size_t rl = 0, kl, sl;

		mikey_srtp_suite_lens(s, &kl, &sl);
		offer_make(&o, s, 0);
		CHECK_EQ_INT(mikey_decode(o.msg, o.len, &m, NULL), 0);
		CHECK_EQ_INT(m.hdr.data_type, MIKEY_DT_DH_INIT);
		CHECK_EQ_INT(m.n, sizeof(i_order));
		for (size_t i = 0; i < m.n && i < sizeof(i_order); i++)
			CHECK_EQ_INT(m.p[i].type, i_order[i]);
		CHECK_EQ_INT(m.hdr.csb_id, mikey_init_state_csb_id(o.st));
		CHECK_EQ_INT(m.p[7].u.sign.s_type, MIKEY_SIGN_PKCS1);

		CHECK_EQ_INT(answer(o.msg, o.len, &p, &r, &rl, &rr, NULL), 0);
		CHECK_EQ_INT(mikey_decode(r, rl, &m, NULL), 0);
		CHECK_EQ_INT(m.hdr.data_type, MIKEY_DT_DH_RESP);
		CHECK_EQ_INT(m.n, sizeof(r_order));
		for (size_t i = 0; i < m.n && i < sizeof(r_order); i++)
			CHECK_EQ_INT(m.p[i].type, r_order[i]);
		CHECK_EQ_INT(m.p[6].u.sign.s_type, MIKEY_SIGN_PSS);
		CHECK_EQ_INT(m.hdr.cs[1].ssrc, 0x22222222);

		CHECK_EQ_INT(mikey_msg_finish(o.st, r, rl, NULL, now, &ir,
		    &fail), 0);
		CHECK_EQ_INT(ir.suite, s);
		CHECK_EQ_INT(rr.suite, s);
		CHECK_EQ_INT(ir.csb_id, rr.csb_id);
		for (int i = 0; i < 2; i++) {
			CHECK_EQ_INT(ir.cs[i].tek_len, kl);
			CHECK_EQ_INT(ir.cs[i].salt_len, sl);
			CHECK_MEM(ir.cs[i].tek, rr.cs[i].tek, kl);
			CHECK_MEM(ir.cs[i].salt, rr.cs[i].salt, sl);
		}
		CHECK(memcmp(ir.cs[0].tek, ir.cs[1].tek, kl) != 0);
		CHECK_EQ_INT(ir.cs[0].ssrc, 0x11111111);
		CHECK_EQ_INT(ir.cs[1].ssrc, 0x22222222);
		CHECK_EQ_INT(rr.cs[0].ssrc, 0x11111111);
		CHECK_EQ_INT(rr.cs[1].ssrc, 0x22222222);
		CHECK(strcmp(rr.peer_uri, ALICE) == 0);
		CHECK(strcmp(ir.peer_uri, BOB) == 0);
		CHECK(X509_cmp(rr.peer_cert, alice.cert) == 0);
		CHECK(X509_cmp(ir.peer_cert, bob.cert) == 0);
		CHECK(rr.t_ntp == now && ir.t_ntp == now);
		CHECK(memcmp(ir.digest, rr.digest, 32) != 0);
		check_keys_independently(&o, r, rl, &ir, kl, sl);

		/* The state stays usable: a second finish agrees. */
		mikey_result_clear(&ir);
		CHECK_EQ_INT(mikey_msg_finish(o.st, r, rl, NULL, now, &ir,
		    &fail), 0);
		CHECK_MEM(ir.cs[0].tek, rr.cs[0].tek, kl);
		mikey_result_clear(&ir);
		mikey_result_clear(&rr);
		CHECK(rr.peer_cert == NULL);
		free(r);
		offer_free(&o);
	}
}

/* Every single-bit flip, in every byte, of both messages is refused. */
static void
test_tamper(void)
{
	struct mikey_respond_params p = bob_params();
	struct mikey_result res;
	struct mikey_fail fail;
	struct offer o;
	uint8_t *r = NULL, *c;
	size_t rl = 0;
	unsigned ok_i = 0, ok_r = 0;

	offer_make(&o, MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80, 0);
	CHECK_EQ_INT(answer(o.msg, o.len, &p, &r, &rl, NULL, NULL), 0);
	c = malloc(o.len > rl ? o.len : rl);
	for (size_t i = 0; i < o.len; i++) {
		unsigned bit = (unsigned)(i % 8);

		memcpy(c, o.msg, o.len);
		c[i] ^= (uint8_t)(1u << bit);
		if (answer(c, o.len, &p, NULL, NULL, NULL, NULL) == 0) {
			fprintf(stderr, "I flip at %zu accepted\n", i);
			ok_i++;
		}
	}
	for (size_t i = 0; i < rl; i++) {
		unsigned bit = (unsigned)((i + 3) % 8);

		memcpy(c, r, rl);
		c[i] ^= (uint8_t)(1u << bit);
		if (mikey_msg_finish(o.st, c, rl, NULL, now, &res,
		    &fail) == 0) {
			fprintf(stderr, "R flip at %zu accepted\n", i);
			mikey_result_clear(&res);
			ok_r++;
		}
	}
	CHECK_EQ_INT(ok_i, 0);
	CHECK_EQ_INT(ok_r, 0);
	/* Every truncation and one extra byte, too. */
	for (size_t i = 0; i < o.len; i++)
		CHECK(answer(o.msg, i, &p, NULL, NULL, NULL, NULL) < 0);
	for (size_t i = 0; i < rl; i++)
		CHECK(mikey_msg_finish(o.st, r, i, NULL, now, &res, &fail) < 0);
	{
		uint8_t *longer = malloc(o.len + 1);

		memcpy(longer, o.msg, o.len);
		longer[o.len] = 0;
		CHECK(answer(longer, o.len + 1, &p, NULL, NULL, NULL, NULL) <
		    0);
		free(longer);
	}
	free(c);
	free(r);
	offer_free(&o);
}

/* I_MESSAGE layout we build: 0 T, 1 RAND, 2 IDi, 3 CERT, 4 IDr, 5 SP,
 * 6 DH, 7 SIGN. */
static void
test_respond_checks(void)
{
	struct mikey_respond_params p = bob_params();
	struct mikey_policy pol;
	struct mikey_msg good, m;
	struct offer o;
	uint8_t dh[192], *b;
	size_t n;
	BIGNUM *prime = BN_get_rfc3526_prime_1536(NULL);

	offer_make(&o, MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80, 0);
	CHECK_EQ_INT(mikey_decode(o.msg, o.len, &good, NULL), 0);

#define MUTATE(what, code, stmt) do { \
	m = good; \
	stmt; \
	b = tresign(&m, alice.key, &n); \
	expect_i(what, b, n, &p, code); \
	free(b); \
} while (0)

	/* Re-signing alone keeps it acceptable (the harness is sound). */
	m = good;
	b = tresign(&m, alice.key, &n);
	CHECK_EQ_INT(answer(b, n, &p, NULL, NULL, NULL, NULL), 0);
	free(b);

	MUTATE("data type resp", MIKEY_ERR_DATA_TYPE,
	    m.hdr.data_type = MIKEY_DT_DH_RESP);
	MUTATE("data type PK", MIKEY_ERR_DATA_TYPE,
	    m.hdr.data_type = MIKEY_DT_PK_INIT);
	MUTATE("PRF 1", MIKEY_ERR_PRF, m.hdr.prf_func = 1);
	MUTATE("#CS 1", MIKEY_ERR_UNSPEC, m.hdr.n_cs = 1);
	MUTATE("#CS 3", MIKEY_ERR_UNSPEC, m.hdr.n_cs = 3);
	MUTATE("CS policies differ", MIKEY_ERR_SP_PARAM,
	    m.hdr.cs[1].policy_no = 1);
	MUTATE("CS refers to missing SP", MIKEY_ERR_SP_PARAM,
	    m.hdr.cs[0].policy_no = m.hdr.cs[1].policy_no = 3);
	MUTATE("T old", MIKEY_ERR_TIMESTAMP,
	    m.p[0].u.t.value = now - ((uint64_t)(MIKEY_SKEW_DEFAULT + 1)
		<< 32));
	MUTATE("T future", MIKEY_ERR_TIMESTAMP,
	    m.p[0].u.t.value = now + ((uint64_t)(MIKEY_SKEW_DEFAULT + 1)
		<< 32));
	MUTATE("T counter", MIKEY_ERR_TIMESTAMP,
	    m.p[0].u.t.ts_type = MIKEY_TS_COUNTER);
	MUTATE("no T", MIKEY_ERR_TIMESTAMP, tdrop(&m, 0));
	MUTATE("no RAND", MIKEY_ERR_UNSPEC, tdrop(&m, 1));
	MUTATE("short RAND", MIKEY_ERR_UNSPEC, m.p[1].u.rand.len = 15);
	MUTATE("no SIGN", MIKEY_ERR_AUTH, tdrop(&m, 7));
	MUTATE("no CERT", MIKEY_ERR_CERT, tdrop(&m, 3));
	MUTATE("CERT URL", MIKEY_ERR_CERT,
	    m.p[3].u.cert.type = MIKEY_CERT_X509_URL);
	MUTATE("CERT garbage", MIKEY_ERR_CERT, m.p[3].u.cert.len = 100);
	MUTATE("CERT of eve", MIKEY_ERR_AUTH,
	    m.p[3].u.cert.data = eve.der;
	    m.p[3].u.cert.len = (uint16_t)eve.der_len);
	MUTATE("CERT weak RSA", MIKEY_ERR_CERT,
	    m.p[3].u.cert.data = weak.der;
	    m.p[3].u.cert.len = (uint16_t)weak.der_len);
	MUTATE("IDi not in cert", MIKEY_ERR_ID,
	    m.p[2].u.id.data = (const uint8_t *)"sip:carol@example.org";
	    m.p[2].u.id.len = 21);
	MUTATE("IDi NAI", MIKEY_ERR_ID, m.p[2].u.id.type = MIKEY_ID_NAI);
	MUTATE("IDr not us", MIKEY_ERR_ID,
	    m.p[4].u.id.data = (const uint8_t *)"sip:carol@example.org";
	    m.p[4].u.id.len = 21);
	MUTATE("IDi twice", MIKEY_ERR_UNSPEC,
	    memmove(&m.p[3], &m.p[2], 6 * sizeof(m.p[0])); m.n++);
	MUTATE("SP prot 1", MIKEY_ERR_SP_TYPE, m.p[5].u.sp.prot_type = 1);
	MUTATE("SP unknown param", MIKEY_ERR_SP_PARAM,
	    m.p[5].u.sp.params = (const uint8_t *)"\x0f\x01\x00";
	    m.p[5].u.sp.params_len = 3);
	MUTATE("SP KDR", MIKEY_ERR_SP_PARAM,
	    m.p[5].u.sp.params = (const uint8_t *)"\x06\x01\x01";
	    m.p[5].u.sp.params_len = 3);
	MUTATE("SP F8", MIKEY_ERR_SP_PARAM,
	    m.p[5].u.sp.params = (const uint8_t *)"\x00\x01\x02";
	    m.p[5].u.sp.params_len = 3);
	MUTATE("SP no encryption", MIKEY_ERR_SP_PARAM,
	    m.p[5].u.sp.params = (const uint8_t *)"\x07\x01\x00";
	    m.p[5].u.sp.params_len = 3);
	MUTATE("two SP", MIKEY_ERR_UNSPEC,
	    memmove(&m.p[6], &m.p[5], 3 * sizeof(m.p[0])); m.n++);
	MUTATE("DH group 1", MIKEY_ERR_DH_GROUP,
	    m.p[6].u.dh.group = MIKEY_DH_OAKLEY1;
	    m.p[6].u.dh.value_len = 96);
	MUTATE("DH group 2", MIKEY_ERR_DH_GROUP,
	    m.p[6].u.dh.group = MIKEY_DH_OAKLEY2;
	    m.p[6].u.dh.value_len = 128);
	memset(dh, 0, sizeof(dh));
	MUTATE("DH 0", MIKEY_ERR_UNSPEC, m.p[6].u.dh.value = dh);
	dh[191] = 1;
	MUTATE("DH 1", MIKEY_ERR_UNSPEC, m.p[6].u.dh.value = dh);
	BN_sub_word(prime, 1);
	BN_bn2binpad(prime, dh, 192);
	MUTATE("DH p-1", MIKEY_ERR_UNSPEC, m.p[6].u.dh.value = dh);
	MUTATE("DH KV SPI", MIKEY_ERR_UNSPEC,
	    m.p[6].u.dh.kv = 1;
	    m.p[6].u.dh.kv_data = (const uint8_t *)"\x01\x07";
	    m.p[6].u.dh.kv_len = 2);
	MUTATE("no DH", MIKEY_ERR_UNSPEC, tdrop(&m, 6));
	MUTATE("two DH", MIKEY_ERR_UNSPEC,
	    m.p[8] = m.p[7]; m.p[7] = m.p[6]; m.n++);
	MUTATE("ERR in offer", MIKEY_ERR_UNSPEC,
	    m.p[8] = m.p[7]; m.p[7].type = MIKEY_PT_ERR;
	    m.p[7].u.err.code = 1; m.n++);
	MUTATE("V in offer", MIKEY_ERR_UNSPEC,
	    m.p[8] = m.p[7]; m.p[7].type = MIKEY_PT_V;
	    m.p[7].u.v.auth_alg = 0; m.p[7].u.v.len = 0; m.n++);

	/* Signed by eve, with alice's certificate. */
	m = good;
	b = tresign(&m, eve.key, &n);
	expect_i("signed by another key", b, n, &p, MIKEY_ERR_AUTH);
	free(b);
	/* Eve with her own certificate, claiming alice in IDi. */
	m = good;
	m.p[3].u.cert.data = eve.der;
	m.p[3].u.cert.len = (uint16_t)eve.der_len;
	b = tresign(&m, eve.key, &n);
	expect_i("eve claims alice", b, n, &p, MIKEY_ERR_ID);
	/* ... is fine for a responder that expects eve. */
	p.peer_uri = "sip:eve@example.org";
	expect_i("eve, IDi alice", b, n, &p, MIKEY_ERR_ID);
	free(b);
	m.p[2].u.id.data = (const uint8_t *)"sip:eve@example.org";
	m.p[2].u.id.len = 19;
	b = tresign(&m, eve.key, &n);
	CHECK_EQ_INT(answer(b, n, &p, NULL, NULL, NULL, NULL), 0);
	p.peer_uri = ALICE;
	expect_i("eve, not the expected peer", b, n, &p, MIKEY_ERR_ID);
	free(b);
	/* Eve's certificate naming alice: the library accepts it (it only
	 * proves key possession); the trust server must catch it. */
	m = good;
	m.p[3].u.cert.data = eve_as_alice.der;
	m.p[3].u.cert.len = (uint16_t)eve_as_alice.der_len;
	b = tresign(&m, eve_as_alice.key, &n);
	{
		struct mikey_result res;

		CHECK_EQ_INT(answer(b, n, &p, NULL, NULL, &res, NULL), 0);
		CHECK(X509_cmp(res.peer_cert, eve_as_alice.cert) == 0);
		CHECK(X509_cmp(res.peer_cert, alice.cert) != 0);
		mikey_result_clear(&res);
	}
	free(b);

	/* Without IDi the caller's expectation is checked on the cert. */
	m = good;
	tdrop(&m, 2);
	b = tresign(&m, alice.key, &n);
	CHECK_EQ_INT(answer(b, n, &p, NULL, NULL, NULL, NULL), 0);
	p.peer_uri = NULL;
	expect_i("no identity at all", b, n, &p, MIKEY_ERR_ID);
	p.peer_uri = ALICE;
	free(b);
	/* Without IDr it is fine; without SP the defaults apply. */
	m = good;
	tdrop(&m, 4);
	tdrop(&m, 4);
	b = tresign(&m, alice.key, &n);
	{
		struct mikey_result res;

		CHECK_EQ_INT(answer(b, n, &p, NULL, NULL, &res, NULL), 0);
		CHECK_EQ_INT(res.suite, MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80);
		mikey_result_clear(&res);
	}
	free(b);

	/* Local policy: suites and skew. */
	memset(&pol, 0, sizeof(pol));
	p.policy = &pol;
	pol.suites = MIKEY_SRTP_SUITE_BIT(MIKEY_SRTP_AEAD_AES_128_GCM);
	expect_i("suite not allowed", o.msg, o.len, &p, MIKEY_ERR_SP_PARAM);
	pol.suites = 0;
	pol.skew_s = 5;
	p.now_ntp = now + (6ULL << 32);
	expect_i("outside a 5 s skew", o.msg, o.len, &p, MIKEY_ERR_TIMESTAMP);
	p.now_ntp = now + (4ULL << 32);
	CHECK_EQ_INT(answer(o.msg, o.len, &p, NULL, NULL, NULL, NULL), 0);
	pol.skip_time_check = true;
	p.now_ntp = now + (3600ULL << 32);
	CHECK_EQ_INT(answer(o.msg, o.len, &p, NULL, NULL, NULL, NULL), 0);
	/* A restarted responder: nothing stamped before its start. */
	memset(&pol, 0, sizeof(pol));
	p.now_ntp = now + (2ULL << 32);
	pol.not_before_ntp = now + (1ULL << 32);
	expect_i("stamped before the replay cache started", o.msg, o.len, &p,
	    MIKEY_ERR_TIMESTAMP);
	pol.not_before_ntp = now;
	CHECK_EQ_INT(answer(o.msg, o.len, &p, NULL, NULL, NULL, NULL), 0);
	p.policy = NULL;
	p.now_ntp = now;

	/* Bad parameters. */
	{
		struct mikey_respond_params q = p;
		uint8_t code = 255;

		q.self = &weak.id;
		CHECK_EQ_INT(answer(o.msg, o.len, &q, NULL, NULL, NULL,
		    &code), -EINVAL);
		q.self = NULL;
		CHECK_EQ_INT(answer(o.msg, o.len, &q, NULL, NULL, NULL,
		    &code), -EINVAL);
		CHECK_EQ_INT(answer(NULL, 0, &p, NULL, NULL, NULL, &code),
		    -EINVAL);
	}
#undef MUTATE
	BN_free(prime);
	offer_free(&o);
}

/* R_MESSAGE layout: 0 T, 1 IDr, 2 CERT, 3 IDi, 4 DHr, 5 DHi, 6 SIGN. */
static void
test_finish_checks(void)
{
	struct mikey_respond_params p = bob_params();
	struct mikey_result res;
	struct mikey_fail fail;
	struct mikey_policy pol;
	struct mikey_msg good, m;
	struct offer o, other;
	uint8_t *r = NULL, *b, dh[192];
	size_t rl = 0, n;

	offer_make(&o, MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80, 0);
	offer_make(&other, MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80, 0);
	CHECK_EQ_INT(answer(o.msg, o.len, &p, &r, &rl, NULL, NULL), 0);
	CHECK_EQ_INT(mikey_decode(r, rl, &good, NULL), 0);

#define MUTATE(what, code, stmt) do { \
	m = good; \
	stmt; \
	b = tresign(&m, bob.key, &n); \
	expect_r(what, &o, b, n, NULL, code, 0); \
	free(b); \
} while (0)
#define ACCEPT(what, stmt) do { \
	m = good; \
	stmt; \
	b = tresign(&m, bob.key, &n); \
	if (mikey_msg_finish(o.st, b, n, NULL, now, &res, &fail) != 0) \
		fprintf(stderr, "R case '%s' refused: %s\n", what, \
		    fail.reason); \
	else \
		mikey_result_clear(&res); \
	CHECK(mikey_msg_finish(o.st, b, n, NULL, now, &res, &fail) == 0); \
	mikey_result_clear(&res); \
	free(b); \
} while (0)

	ACCEPT("re-signed as is", (void)0);
	ACCEPT("DHi before DHr", m.p[4] = good.p[5]; m.p[5] = good.p[4]);
	ACCEPT("no IDr", tdrop(&m, 1));
	MUTATE("data type init", MIKEY_ERR_DATA_TYPE,
	    m.hdr.data_type = MIKEY_DT_DH_INIT);
	MUTATE("PRF 1", MIKEY_ERR_PRF, m.hdr.prf_func = 1);
	MUTATE("CSB ID", MIKEY_ERR_UNSPEC, m.hdr.csb_id ^= 1);
	MUTATE("#CS", MIKEY_ERR_UNSPEC, m.hdr.n_cs = 1);
	MUTATE("our SSRC changed", MIKEY_ERR_UNSPEC, m.hdr.cs[0].ssrc = 5);
	MUTATE("ROC changed", MIKEY_ERR_UNSPEC, m.hdr.cs[1].roc = 5);
	MUTATE("policy changed", MIKEY_ERR_UNSPEC,
	    m.hdr.cs[1].policy_no = 1);
	MUTATE("T old", MIKEY_ERR_TIMESTAMP,
	    m.p[0].u.t.value = now - (1000ULL << 32));
	MUTATE("no SIGN", MIKEY_ERR_AUTH, tdrop(&m, 6));
	MUTATE("no CERT", MIKEY_ERR_CERT, tdrop(&m, 2));
	MUTATE("IDi not us", MIKEY_ERR_ID,
	    m.p[3].u.id.data = (const uint8_t *)"sip:carol@example.org";
	    m.p[3].u.id.len = 21);
	MUTATE("no IDi", MIKEY_ERR_ID, tdrop(&m, 3));
	MUTATE("IDr not in cert", MIKEY_ERR_ID,
	    m.p[1].u.id.data = (const uint8_t *)"sip:carol@example.org";
	    m.p[1].u.id.len = 21);
	MUTATE("DHi echo altered", MIKEY_ERR_AUTH,
	    memcpy(dh, good.p[5].u.dh.value, 192); dh[100] ^= 1;
	    m.p[5].u.dh.value = dh);
	MUTATE("DHr = DHi", MIKEY_ERR_AUTH, m.p[4] = good.p[5]);
	memset(dh, 0, sizeof(dh));
	dh[191] = 1;
	MUTATE("DHr 1", MIKEY_ERR_UNSPEC, m.p[4].u.dh.value = dh);
	MUTATE("DHr group 2", MIKEY_ERR_DH_GROUP,
	    m.p[4].u.dh.group = 2; m.p[4].u.dh.value_len = 128);
	MUTATE("one DH", MIKEY_ERR_UNSPEC, tdrop(&m, 4));
	MUTATE("RAND in response", MIKEY_ERR_UNSPEC,
	    m.p[7] = m.p[6]; m.p[6].type = MIKEY_PT_RAND;
	    m.p[6].u.rand.data = dh; m.p[6].u.rand.len = 16; m.n++);

	/* Eve answering in bob's place with her own certificate. */
	m = good;
	m.p[2].u.cert.data = eve.der;
	m.p[2].u.cert.len = (uint16_t)eve.der_len;
	b = tresign(&m, eve.key, &n);
	expect_r("eve's cert, IDr bob", &o, b, n, NULL, MIKEY_ERR_ID, 0);
	free(b);
	/* A valid answer to another offer. */
	expect_r("answer to another offer", &other, r, rl, NULL,
	    MIKEY_ERR_UNSPEC, -EPROTO);
	/* Skew policy on the initiator. */
	memset(&pol, 0, sizeof(pol));
	pol.skew_s = 1;
	{
		int rc = mikey_msg_finish(o.st, r, rl, &pol,
		    now + (2ULL << 32), &res, &fail);

		CHECK_EQ_INT(rc, -ETIME);
		CHECK_EQ_INT(fail.code, MIKEY_ERR_TIMESTAMP);
	}
	CHECK_EQ_INT(mikey_msg_finish(NULL, r, rl, NULL, now, &res, &fail),
	    -EINVAL);
#undef MUTATE
#undef ACCEPT
	free(r);
	offer_free(&o);
	offer_free(&other);
}

static void
test_error_messages(void)
{
	static const uint8_t codes[] = { MIKEY_ERR_TIMESTAMP,
		MIKEY_ERR_DH_GROUP };
	struct mikey_result res;
	struct mikey_fail fail;
	struct mikey_msg m;
	struct offer o;
	uint8_t *e = NULL, code = 255;
	size_t el = 0;

	offer_make(&o, MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80, 0);
	CHECK_EQ_INT(mikey_msg_build_error(&bob.id,
	    mikey_init_state_csb_id(o.st), codes, 2, now, &e, &el), 0);
	CHECK_EQ_INT(mikey_decode(e, el, &m, NULL), 0);
	CHECK_EQ_INT(m.hdr.data_type, MIKEY_DT_ERROR);
	CHECK_EQ_INT(m.hdr.n_cs, 0);
	CHECK_EQ_INT(m.n, 4);
	CHECK_EQ_INT(m.p[0].type, MIKEY_PT_T);
	CHECK_EQ_INT(m.p[1].u.err.code, MIKEY_ERR_TIMESTAMP);
	CHECK_EQ_INT(m.p[2].u.err.code, MIKEY_ERR_DH_GROUP);
	CHECK_EQ_INT(m.p[3].type, MIKEY_PT_SIGN);

	CHECK_EQ_INT(mikey_msg_parse_error(e, el, bob.der, bob.der_len,
	    &code), 2);
	CHECK_EQ_INT(code, MIKEY_ERR_TIMESTAMP);
	CHECK_EQ_INT(mikey_msg_parse_error(e, el, alice.der, alice.der_len,
	    &code), -EACCES);
	CHECK_EQ_INT(mikey_msg_parse_error(e, el, NULL, 0, &code), 2);
	e[15] ^= 1;
	CHECK_EQ_INT(mikey_msg_parse_error(e, el, bob.der, bob.der_len,
	    &code), -EACCES);
	e[15] ^= 1;
	CHECK_EQ_INT(mikey_msg_parse_error(o.msg, o.len, NULL, 0, &code),
	    -EBADMSG);
	CHECK_EQ_INT(mikey_msg_finish(o.st, e, el, NULL, now, &res, &fail),
	    -EREMOTEIO);
	CHECK_EQ_INT(fail.code, MIKEY_ERR_TIMESTAMP);
	CHECK_EQ_INT(mikey_msg_build_error(&bob.id, 1, codes, 0, now, &e,
	    &el), -EINVAL);
	CHECK_EQ_INT(mikey_msg_build_error(&bob.id, 1, codes, 9, now, &e,
	    &el), -EINVAL);
	free(e);
	offer_free(&o);
}

static void
test_state(void)
{
	struct mikey_respond_params p = bob_params();
	struct mikey_init_state *st = NULL;
	struct mikey_result a, b;
	struct mikey_fail fail;
	struct offer o;
	uint8_t *data = NULL, *r = NULL;
	size_t len = 0, rl = 0, ml = 0;
	const uint8_t *msg;

	offer_make(&o, MIKEY_SRTP_AEAD_AES_256_GCM, 0x33333333);
	msg = mikey_init_state_message(o.st, &ml);
	CHECK_EQ_INT(ml, o.len);
	CHECK_MEM(msg, o.msg, ml);
	CHECK_EQ_INT(answer(o.msg, o.len, &p, &r, &rl, &a, NULL), 0);
	/* The responder puts its own SSRC over the offered one. */
	CHECK_EQ_INT(a.cs[1].ssrc, 0x22222222);
	CHECK_EQ_INT(mikey_init_state_save(o.st, &data, &len), 0);
	CHECK_EQ_INT(mikey_init_state_load(data, len, &st), 0);
	CHECK_EQ_INT(mikey_init_state_csb_id(st),
	    mikey_init_state_csb_id(o.st));
	/* We offered 0x33333333 for the peer: a different one is refused. */
	CHECK_EQ_INT(mikey_msg_finish(st, r, rl, NULL, now, &b, &fail),
	    -EPROTO);
	mikey_result_clear(&a);
	free(r);
	p.ssrc = 0x33333333;
	CHECK_EQ_INT(answer(o.msg, o.len, &p, &r, &rl, &a, NULL), 0);
	CHECK_EQ_INT(mikey_msg_finish(st, r, rl, NULL, now, &b, &fail), 0);
	CHECK_MEM(a.cs[0].tek, b.cs[0].tek, 32);
	CHECK_MEM(a.cs[1].salt, b.cs[1].salt, 12);
	CHECK_EQ_INT(b.suite, MIKEY_SRTP_AEAD_AES_256_GCM);
	mikey_result_clear(&a);
	mikey_result_clear(&b);
	st = mikey_init_state_free(st);

	/* Damaged state files. */
	for (size_t i = 0; i < len; i += 97)
		CHECK_EQ_INT(mikey_init_state_load(data, i, &st), -EBADMSG);
	data[0] ^= 1;
	CHECK_EQ_INT(mikey_init_state_load(data, len, &st), -EBADMSG);
	data[0] ^= 1;
	data[50] ^= 1;	/* in x: no longer matches DHi */
	CHECK_EQ_INT(mikey_init_state_load(data, len, &st), -EBADMSG);
	data[50] ^= 1;
	data[len - 1] ^= 1;	/* in the signature: still our message */
	CHECK_EQ_INT(mikey_init_state_load(data, len, &st), 0);
	st = mikey_init_state_free(st);
	data[4 + 2 + 192 + 4 + 8] ^= 1;	/* #CS in the message */
	CHECK(mikey_init_state_load(data, len, &st) < 0);
	CHECK(st == NULL);
	CHECK(mikey_init_state_free(NULL) == NULL);
	free(data);
	free(r);
	offer_free(&o);
}

/* The refused message's CSB ID comes back for the error message. */
static void
test_fail_csb(void)
{
	struct mikey_respond_params p = bob_params();
	struct mikey_fail fail = { 255, NULL, 7 };
	struct mikey_result res;
	struct mikey_msg m;
	struct offer o;
	uint8_t *r = NULL, *b;
	size_t rl = 0, n;

	offer_make(&o, 0, 0);
	CHECK_EQ_INT(mikey_decode(o.msg, o.len, &m, NULL), 0);
	m.hdr.prf_func = 1;
	b = tresign(&m, alice.key, &n);
	CHECK(mikey_msg_respond(b, n, &p, &res, &r, &rl, &fail) < 0);
	CHECK_EQ_INT(fail.code, MIKEY_ERR_PRF);
	CHECK_EQ_INT(fail.csb_id, mikey_init_state_csb_id(o.st));
	free(b);
	p.peer_uri = "sip:carol@example.org";
	fail.csb_id = 7;
	CHECK(mikey_msg_respond(o.msg, o.len, &p, &res, &r, &rl, &fail) < 0);
	CHECK_EQ_INT(fail.code, MIKEY_ERR_ID);
	CHECK_EQ_INT(fail.csb_id, mikey_init_state_csb_id(o.st));
	CHECK(mikey_msg_respond(o.msg, 5, &p, &res, &r, &rl, &fail) < 0);
	CHECK_EQ_INT(fail.csb_id, 0);
	CHECK(mikey_msg_finish(o.st, o.msg, o.len, NULL, now, &res,
	    &fail) < 0);
	CHECK_EQ_INT(fail.code, MIKEY_ERR_DATA_TYPE);
	CHECK_EQ_INT(fail.csb_id, mikey_init_state_csb_id(o.st));
	offer_free(&o);
}

static void
test_build_params(void)
{
	struct mikey_init_params p;
	struct mikey_init_state *st = NULL;
	struct mikey_identity id = alice.id;
	uint8_t *msg = NULL;
	size_t len = 0;

	memset(&p, 0, sizeof(p));
	p.self = &id;
	p.now_ntp = now;
	CHECK_EQ_INT(mikey_msg_build_init(&p, &st, &msg, &len), 0);
	st = mikey_init_state_free(st);
	free(msg);
	p.suite = MIKEY_SRTP_SUITE_COUNT;
	CHECK_EQ_INT(mikey_msg_build_init(&p, &st, &msg, &len), -EINVAL);
	p.suite = 0;
	p.peer_uri = "";
	CHECK_EQ_INT(mikey_msg_build_init(&p, &st, &msg, &len), -EINVAL);
	p.peer_uri = NULL;
	id.s_type = MIKEY_SIGN_ECCSI;
	CHECK_EQ_INT(mikey_msg_build_init(&p, &st, &msg, &len), -EINVAL);
	id = weak.id;
	CHECK_EQ_INT(mikey_msg_build_init(&p, &st, &msg, &len), -EINVAL);
	id = alice.id;
	id.uri = NULL;
	CHECK_EQ_INT(mikey_msg_build_init(&p, &st, &msg, &len), -EINVAL);
	id = alice.id;
	id.cert_der = NULL;
	CHECK_EQ_INT(mikey_msg_build_init(&p, &st, &msg, &len), -EINVAL);
	CHECK_EQ_INT(mikey_msg_build_init(NULL, &st, &msg, &len), -EINVAL);
	CHECK(st == NULL);
}

static void
test_cert_uri(void)
{
	CHECK(mikey_msg_cert_has_uri(alice.cert, ALICE));
	CHECK(!mikey_msg_cert_has_uri(alice.cert, BOB));
	CHECK(!mikey_msg_cert_has_uri(alice.cert, "alice@example.org"));
	CHECK(!mikey_msg_cert_has_uri(alice.cert, "sip:alice@example.or"));
	CHECK(!mikey_msg_cert_has_uri(alice.cert, ""));
	CHECK(!mikey_msg_cert_has_uri(NULL, ALICE));
	/* Without a SAN URI the CN counts, with or without "sip:". */
	CHECK(mikey_msg_cert_has_uri(cn_only.cert, "sip:dave@example.org"));
	CHECK(mikey_msg_cert_has_uri(cn_only.cert, "dave@example.org"));
	CHECK(!mikey_msg_cert_has_uri(cn_only.cert, "sip:dave@example.co"));
}

static void
test_replay(void)
{
	struct mikey_replay *c = mikey_replay_new(2);
	uint8_t d1[32], d2[32], d3[32];

	memset(d1, 1, 32);
	memset(d2, 2, 32);
	memset(d3, 3, 32);
	CHECK(mikey_replay_new(0) == NULL);
	CHECK(c != NULL);
	CHECK_EQ_INT(mikey_replay_add(c, d1, 100, 340), 0);
	CHECK_EQ_INT(mikey_replay_add(c, d1, 101, 341), -EEXIST);
	CHECK_EQ_INT(mikey_replay_contains(c, d1, 200), 1);
	CHECK_EQ_INT(mikey_replay_contains(c, d2, 200), 0);
	CHECK_EQ_INT(mikey_replay_add(c, d2, 110, 350), 0);
	CHECK_EQ_INT(mikey_replay_add(c, d3, 120, 360), -ENOBUFS);
	CHECK_EQ_INT(mikey_replay_count(c, 120), 2);
	CHECK_EQ_INT(mikey_replay_add(c, d3, 120, 120), -EINVAL);
	/* d1 expires at 340: then d3 fits and d1 is new again. */
	CHECK_EQ_INT(mikey_replay_add(c, d3, 340, 580), 0);
	CHECK_EQ_INT(mikey_replay_contains(c, d1, 340), 0);
	CHECK_EQ_INT(mikey_replay_count(c, 340), 2);
	CHECK_EQ_INT(mikey_replay_count(c, 1000), 0);
	CHECK_EQ_INT(mikey_replay_add(c, d1, 1000, 1240), 0);
	CHECK(mikey_replay_free(c) == NULL);
	CHECK(mikey_replay_free(NULL) == NULL);

	/* With real messages: the digest of an accepted offer repeats. */
	{
		struct mikey_respond_params p = bob_params();
		struct mikey_result a, b;
		struct offer o;

		c = mikey_replay_new(MIKEY_REPLAY_DEFAULT_MAX);
		offer_make(&o, 0, 0);
		CHECK_EQ_INT(answer(o.msg, o.len, &p, NULL, NULL, &a, NULL),
		    0);
		CHECK_EQ_INT(answer(o.msg, o.len, &p, NULL, NULL, &b, NULL),
		    0);
		CHECK_MEM(a.digest, b.digest, 32);
		{
			uint8_t d[32];

			CHECK_EQ_INT(mikey_msg_digest(o.msg, o.len, d), 0);
			CHECK_MEM(d, a.digest, 32);
			CHECK_EQ_INT(mikey_msg_digest(o.msg, 20, d), -EBADMSG);
		}
		CHECK_EQ_INT(mikey_replay_add(c, a.digest, 10, 250), 0);
		CHECK_EQ_INT(mikey_replay_add(c, b.digest, 11, 251), -EEXIST);
		mikey_result_clear(&a);
		mikey_result_clear(&b);
		offer_free(&o);
		mikey_replay_free(c);
	}
}

/* mikey_msg_resign, the attacker's tool (svopi-mikey tamper): a message
 * with eve's certificate for alice's AOR, signed again by eve, verifies
 * (only the trust server can tell); with alice's certificate kept it does
 * not; the S type is kept; a message without SIGN last is refused. */
static void
test_resign(void)
{
	struct mikey_respond_params p = bob_params();
	struct mikey_result res;
	struct mikey_msg good, m;
	struct offer o;
	uint8_t *b = NULL;
	size_t n = 0;

	offer_make(&o, MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80, 0);
	CHECK_EQ_INT(mikey_decode(o.msg, o.len, &good, NULL), 0);
	m = good;
	m.p[3].u.cert.data = eve_as_alice.der;
	m.p[3].u.cert.len = (uint16_t)eve_as_alice.der_len;
	CHECK_EQ_INT(mikey_msg_resign(&m, &eve_as_alice.id, &b, &n), 0);
	CHECK_EQ_INT(answer(b, n, &p, NULL, NULL, &res, NULL), 0);
	CHECK(X509_cmp(res.peer_cert, eve_as_alice.cert) == 0);
	mikey_result_clear(&res);
	free(b);
	b = NULL;
	/* Bob's identity signs PSS; alice's message stays PKCS#1. */
	CHECK_EQ_INT(mikey_msg_resign(&good, &bob.id, &b, &n), 0);
	CHECK_EQ_INT(mikey_decode(b, n, &m, NULL), 0);
	CHECK_EQ_INT(m.p[m.n - 1].u.sign.s_type, MIKEY_SIGN_PKCS1);
	expect_i("re-signed by bob, alice's certificate", b, n, &p,
	    MIKEY_ERR_AUTH);
	free(b);
	b = NULL;
	m = good;
	m.n--;
	CHECK_EQ_INT(mikey_msg_resign(&m, &eve.id, &b, &n), -EINVAL);
	CHECK(b == NULL);
	offer_free(&o);
}

/* Accept then answer (the split svopid uses to validate while it signs),
 * with key pairs made ahead of time and a cache of parsed certificates:
 * the same keys on both sides; the pre-made DH values are the ones sent;
 * a cached certificate is the very object parsed before; eviction. */
static void
test_split_and_caches(void)
{
	struct mikey_cert_cache *cc = mikey_cert_cache_new(2);
	struct mikey_policy pol = { .certs = cc };
	struct mikey_respond_params p = bob_params();
	struct mikey_init_params ip;
	struct mikey_result rr, ir, rr2;
	struct mikey_fail fail;
	struct mikey_offer *ofr = NULL;
	struct mikey_dh *dh = NULL, *dh_i = NULL;
	struct mikey_init_state *st = NULL;
	struct mikey_msg m;
	uint8_t pub[MIKEY_DH_OAKLEY5_LEN], pub_i[MIKEY_DH_OAKLEY5_LEN];
	uint8_t *im = NULL, *r = NULL;
	size_t il = 0, rl = 0;
	X509 *first;

	CHECK(cc != NULL);
	CHECK(mikey_cert_cache_new(0) == NULL);
	CHECK(mikey_cert_cache_new(MIKEY_CERT_CACHE_MAX + 1) == NULL);
	p.policy = &pol;
	/* The initiator with its own key pair made ahead. */
	CHECK_EQ_INT(mikey_dh_new(MIKEY_DH_OAKLEY5, &dh_i), 0);
	CHECK_EQ_INT(mikey_dh_public(dh_i, pub_i, sizeof(pub_i)), 0);
	memset(&ip, 0, sizeof(ip));
	ip.self = &alice.id;
	ip.peer_uri = BOB;
	ip.ssrc = 0x11111111;
	ip.now_ntp = now;
	ip.dh = dh_i;
	CHECK_EQ_INT(mikey_msg_build_init(&ip, &st, &im, &il), 0);
	CHECK_EQ_INT(mikey_decode(im, il, &m, NULL), 0);
	CHECK_EQ_INT(m.p[6].type, MIKEY_PT_DH);
	CHECK_MEM(m.p[6].u.dh.value, pub_i, sizeof(pub_i));

	/* Accept: the peer and digest, no keys yet. */
	CHECK_EQ_INT(mikey_msg_accept(im, il, &p, &ofr, &rr, &fail), 0);
	CHECK(strcmp(rr.peer_uri, ALICE) == 0);
	CHECK(X509_cmp(rr.peer_cert, alice.cert) == 0);
	CHECK(rr.cs[0].tek_len == 0);
	first = rr.peer_cert;
	/* Answer with a pre-made key pair: it is the DHr sent. */
	CHECK_EQ_INT(mikey_dh_new(MIKEY_DH_OAKLEY5, &dh), 0);
	CHECK_EQ_INT(mikey_dh_public(dh, pub, sizeof(pub)), 0);
	CHECK_EQ_INT(mikey_msg_answer(ofr, &p, dh, &rr, &r, &rl, &fail), 0);
	ofr = mikey_offer_free(ofr);
	CHECK_EQ_INT(mikey_decode(r, rl, &m, NULL), 0);
	CHECK_EQ_INT(m.p[4].type, MIKEY_PT_DH);
	CHECK_MEM(m.p[4].u.dh.value, pub, sizeof(pub));
	CHECK_EQ_INT(mikey_msg_finish(st, r, rl, &pol, now, &ir, &fail), 0);
	for (int i = 0; i < 2; i++) {
		CHECK(rr.cs[i].tek_len > 0);
		CHECK_MEM(ir.cs[i].tek, rr.cs[i].tek, rr.cs[i].tek_len);
		CHECK_MEM(ir.cs[i].salt, rr.cs[i].salt, rr.cs[i].salt_len);
	}
	/* The same offer again (a test: svopid's replay cache refuses it):
	 * the certificate comes from the cache, the same object. */
	CHECK_EQ_INT(mikey_msg_accept(im, il, &p, &ofr, &rr2, &fail), 0);
	CHECK(rr2.peer_cert == first);
	/* Without a key pair made ahead, answer makes a fresh one. */
	free(r);
	r = NULL;
	CHECK_EQ_INT(mikey_msg_answer(ofr, &p, NULL, &rr2, &r, &rl, &fail),
	    0);
	ofr = mikey_offer_free(ofr);
	/* Eviction: two more certificates in a cache of two push alice's
	 * out; it parses again into a new object. */
	CHECK_EQ_INT(mikey_cert_cache_put(cc, bob.der, bob.der_len,
	    bob.cert), 0);
	CHECK_EQ_INT(mikey_cert_cache_put(cc, eve.der, eve.der_len,
	    eve.cert), 0);
	CHECK(mikey_cert_cache_find(cc, alice.der, alice.der_len) == NULL);
	first = mikey_cert_cache_find(cc, eve.der, eve.der_len);
	CHECK(first == eve.cert);
	X509_free(first);
	CHECK(mikey_cert_cache_find(cc, eve.der, eve.der_len - 1) == NULL);
	CHECK_EQ_INT(mikey_cert_cache_put(cc, NULL, 0, eve.cert), -EINVAL);
	/* A broken offer is refused by accept as by respond. */
	im[il - 1] ^= 1;
	CHECK(mikey_msg_accept(im, il, &p, &ofr, &rr2, &fail) < 0);
	CHECK(ofr == NULL);
	CHECK_EQ_INT(fail.code, MIKEY_ERR_AUTH);
	mikey_result_clear(&rr);
	mikey_result_clear(&rr2);
	mikey_result_clear(&ir);
	mikey_init_state_free(st);
	free(im);
	free(r);
	mikey_cert_cache_free(cc);
}

int
main(void)
{
	now = mikey_ntp_from_unix(1795710736, 0);
	tpeer_make(&alice, ALICE, NULL, 2048, MIKEY_SIGN_PKCS1, true);
	tpeer_make(&bob, BOB, NULL, 2048, MIKEY_SIGN_PSS, true);
	tpeer_make(&eve, "sip:eve@example.org", NULL, 2048, MIKEY_SIGN_PKCS1,
	    true);
	tpeer_make(&eve_as_alice, ALICE, NULL, 2048, MIKEY_SIGN_PKCS1, true);
	tpeer_make(&weak, "sip:weak@example.org", NULL, 1024,
	    MIKEY_SIGN_PKCS1, true);
	tpeer_make(&cn_only, "sip:dave@example.org", NULL, 2048,
	    MIKEY_SIGN_PKCS1, false);

	test_exchange();
	test_tamper();
	test_respond_checks();
	test_finish_checks();
	test_error_messages();
	test_state();
	test_fail_csb();
	test_build_params();
	test_cert_uri();
	test_replay();
	test_resign();
	test_split_and_caches();

	tpeer_free(&alice);
	tpeer_free(&bob);
	tpeer_free(&eve);
	tpeer_free(&eve_as_alice);
	tpeer_free(&weak);
	tpeer_free(&cn_only);
	return test_exit();
}
