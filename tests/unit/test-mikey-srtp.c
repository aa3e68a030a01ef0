/* SP payloads <-> suites, and libsrtp2 with keys from a real DH-SIGN
 * exchange: RTP and RTCP round trips in both directions for every suite,
 * and a wrong key that must end in srtp_err_status_auth_fail. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "mikey.h"
#include "mikey-msg.h"
#include "mikey-srtp.h"
#include "srtp-openssl.h"
#include "test.h"
#include "test-mikey-util.h"

#define ALICE	"sip:alice@example.org"
#define BOB	"sip:bob@example.org"

static struct mikey_payload
sp_of(const uint8_t *params, size_t len)
{
	struct mikey_payload p;

	memset(&p, 0, sizeof(p));
	p.type = MIKEY_PT_SP;
	p.u.sp.prot_type = MIKEY_SP_PROT_SRTP;
	p.u.sp.params = params;
	p.u.sp.params_len = (uint16_t)len;
	return p;
}

struct sp_case {
	const char *name;
	const char *params;
	size_t len;
	int want;	/* suite, or -ERR code */
};

#define P(s)	s, sizeof(s) - 1
static const struct sp_case sp_cases[] = {
	{ "empty: defaults", P(""), MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80 },
	{ "gortsplib a", P("\x00\x01\x01\x01\x01\x10\x02\x01\x01\x03\x01"
	    "\x0a\x07\x01\x01\x08\x01\x01\x0a\x01\x01"),
	    MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80 },
	{ "tag 4 in param 3", P("\x03\x01\x04"),
	    MIKEY_SRTP_AES_CM_128_HMAC_SHA1_32 },
	{ "tag 4 in param 11", P("\x03\x01\x14\x0b\x01\x04"),
	    MIKEY_SRTP_AES_CM_128_HMAC_SHA1_32 },
	{ "quirk disagrees", P("\x03\x01\x04\x0b\x01\x0a"),
	    -MIKEY_ERR_SP_PARAM },
	{ "256", P("\x01\x01\x20"), MIKEY_SRTP_AES_256_CM_HMAC_SHA1_80 },
	{ "256 with 2-byte value", P("\x01\x02\x00\x20"),
	    MIKEY_SRTP_AES_256_CM_HMAC_SHA1_80 },
	{ "256 _32", P("\x01\x01\x20\x0b\x01\x04"), -MIKEY_ERR_SP_PARAM },
	{ "GCM 128", P("\x00\x01\x06"), MIKEY_SRTP_AEAD_AES_128_GCM },
	{ "GCM 256 explicit", P("\x00\x01\x06\x01\x01\x20\x02\x01\x00\x03"
	    "\x01\x00\x04\x01\x0c\x14\x01\x10"), MIKEY_SRTP_AEAD_AES_256_GCM },
	{ "GCM with HMAC", P("\x00\x01\x06\x02\x01\x01"),
	    -MIKEY_ERR_SP_PARAM },
	{ "GCM tag 8", P("\x00\x01\x06\x14\x01\x08"), -MIKEY_ERR_SP_PARAM },
	{ "GCM salt 14", P("\x00\x01\x06\x04\x01\x0e"), -MIKEY_ERR_SP_PARAM },
	{ "CM with AEAD tag", P("\x14\x01\x10"), -MIKEY_ERR_SP_PARAM },
	{ "NULL cipher", P("\x00\x01\x00"), -MIKEY_ERR_SP_PARAM },
	{ "F8", P("\x00\x01\x02"), -MIKEY_ERR_SP_PARAM },
	{ "key 24", P("\x01\x01\x18"), -MIKEY_ERR_SP_PARAM },
	{ "salt 12 on CM", P("\x04\x01\x0c"), -MIKEY_ERR_SP_PARAM },
	{ "auth NULL on CM", P("\x02\x01\x00"), -MIKEY_ERR_SP_PARAM },
	{ "KDR 1", P("\x06\x01\x01"), -MIKEY_ERR_SP_PARAM },
	{ "KDR 0 in 4 bytes", P("\x06\x04\x00\x00\x00\x00"),
	    MIKEY_SRTP_AES_CM_128_HMAC_SHA1_80 },
	{ "SRTP PRF 1", P("\x05\x01\x01"), -MIKEY_ERR_SP_PARAM },
	{ "SRTP encryption off", P("\x07\x01\x00"), -MIKEY_ERR_SP_PARAM },
	{ "SRTCP encryption off", P("\x08\x01\x00"), -MIKEY_ERR_SP_PARAM },
	{ "SRTP auth off", P("\x0a\x01\x00"), -MIKEY_ERR_SP_PARAM },
	{ "FEC order 1", P("\x09\x01\x01"), -MIKEY_ERR_SP_PARAM },
	{ "prefix 4", P("\x0c\x01\x04"), -MIKEY_ERR_SP_PARAM },
	{ "RFC 4771 ROC rate", P("\x0d\x01\x01"), -MIKEY_ERR_SP_PARAM },
	{ "unknown 99", P("\x63\x01\x01"), -MIKEY_ERR_SP_PARAM },
	{ "value length 0", P("\x00\x00"), -MIKEY_ERR_SP_PARAM },
	{ "value length 5", P("\x06\x05\x00\x00\x00\x00\x00"),
	    -MIKEY_ERR_SP_PARAM },
	{ "given twice", P("\x00\x01\x01\x00\x01\x01"), -MIKEY_ERR_SP_PARAM },
	{ "overrun", P("\x00\x05\x01"), -MIKEY_ERR_SP_PARAM },
};
#undef P

static void
test_sp(void)
{
	enum mikey_srtp_suite s;
	struct mikey_payload p;
	uint8_t buf[MIKEY_SRTP_SP_MAX];
	size_t kl, sl;
	int n;

	for (size_t i = 0; i < sizeof(sp_cases) / sizeof(sp_cases[0]); i++) {
		const struct sp_case *c = &sp_cases[i];
		int got;

		p = sp_of((const uint8_t *)c->params, c->len);
		s = MIKEY_SRTP_SUITE_COUNT;
		got = mikey_srtp_suite_from_sp(&p, 0, &s);
		got = got ? -got : (int)s;
		if (got != c->want)
			fprintf(stderr, "SP case '%s': %d, want %d\n", c->name,
			    got, c->want);
		CHECK_EQ_INT(got, c->want);
	}
	/* Our own SP for each suite reads back as that suite, and only that
	 * suite when restricted. */
	for (unsigned i = 0; i < MIKEY_SRTP_SUITE_COUNT; i++) {
		n = mikey_srtp_sp_params(i, buf, sizeof(buf));
		CHECK(n > 0);
		p = sp_of(buf, (size_t)n);
		CHECK_EQ_INT(mikey_srtp_suite_from_sp(&p, 0, &s), 0);
		CHECK_EQ_INT(s, i);
		CHECK_EQ_INT(mikey_srtp_suite_from_sp(&p,
		    MIKEY_SRTP_SUITE_BIT(i), &s), 0);
		CHECK_EQ_INT(mikey_srtp_suite_from_sp(&p,
		    ~MIKEY_SRTP_SUITE_BIT(i), &s), MIKEY_ERR_SP_PARAM);
		CHECK_EQ_INT(mikey_srtp_sp_params(i, buf, 10), -E2BIG);
	}
	CHECK_EQ_INT(mikey_srtp_sp_params(MIKEY_SRTP_SUITE_COUNT, buf,
	    sizeof(buf)), -EINVAL);
	p = sp_of(buf, 0);
	p.u.sp.prot_type = 1;
	CHECK_EQ_INT(mikey_srtp_suite_from_sp(&p, 0, &s), MIKEY_ERR_SP_TYPE);

	/* Names and lengths. */
	CHECK_EQ_INT(mikey_srtp_suite_from_name("aead_aes_256_gcm", &s), 0);
	CHECK_EQ_INT(s, MIKEY_SRTP_AEAD_AES_256_GCM);
	CHECK_EQ_INT(mikey_srtp_suite_from_name("AES_CM_128_NULL", &s),
	    -ENOENT);
	CHECK(strcmp(mikey_srtp_suite_name(0), "AES_CM_128_HMAC_SHA1_80") ==
	    0);
	CHECK(mikey_srtp_suite_name(MIKEY_SRTP_SUITE_COUNT) == NULL);
	CHECK_EQ_INT(mikey_srtp_suite_lens(MIKEY_SRTP_AES_256_CM_HMAC_SHA1_80,
	    &kl, &sl), 0);
	CHECK(kl == 32 && sl == 14);
	CHECK_EQ_INT(mikey_srtp_suite_lens(MIKEY_SRTP_AEAD_AES_128_GCM, &kl,
	    &sl), 0);
	CHECK(kl == 16 && sl == 12);
	CHECK_EQ_INT(mikey_srtp_suite_lens(99, &kl, &sl), -EINVAL);
}

/* A 172-byte RTP packet (12 header + 160 payload) with room for a tag. */
static int
make_rtp(uint8_t *pkt, uint32_t ssrc, uint16_t seq)
{
	memset(pkt, 0, 256);
	pkt[0] = 0x80;
	pkt[1] = 0;
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[8] = (uint8_t)(ssrc >> 24);
	pkt[9] = (uint8_t)(ssrc >> 16);
	pkt[10] = (uint8_t)(ssrc >> 8);
	pkt[11] = (uint8_t)ssrc;
	for (int i = 12; i < 172; i++)
		pkt[i] = (uint8_t)(i * 7);
	return 172;
}

/* An RTCP sender report without report blocks (28 bytes). */
static int
make_rtcp(uint8_t *pkt, uint32_t ssrc)
{
	memset(pkt, 0, 256);
	pkt[0] = 0x80;
	pkt[1] = 200;
	pkt[3] = 6;
	pkt[4] = (uint8_t)(ssrc >> 24);
	pkt[5] = (uint8_t)(ssrc >> 16);
	pkt[6] = (uint8_t)(ssrc >> 8);
	pkt[7] = (uint8_t)ssrc;
	for (int i = 8; i < 28; i++)
		pkt[i] = (uint8_t)i;
	return 28;
}

static srtp_t
session(const struct mikey_result *r, int cs, bool outbound, int flip)
{
	const struct mikey_cs_keys *k = &r->cs[cs];
	uint8_t keybuf[MIKEY_SRTP_KEYBUF_MAX], tek[MIKEY_SRTP_KEY_MAX];
	srtp_policy_t pol;
	srtp_t s = NULL;

	memcpy(tek, k->tek, k->tek_len);
	tek[0] ^= (uint8_t)flip;
	CHECK_EQ_INT(mikey_srtp_policy(r->suite, tek, k->tek_len, k->salt,
	    k->salt_len, k->ssrc, outbound, keybuf, &pol), 0);
	CHECK(pol.ssrc.type == ssrc_specific);
	CHECK_EQ_INT(pol.ssrc.value, k->ssrc);
	CHECK_EQ_INT(pol.window_size, 128);
	CHECK_EQ_INT(srtp_create(&s, &pol), srtp_err_status_ok);
	memset(keybuf, 0, sizeof(keybuf));
	return s;
}

/* Sends one RTP and one RTCP packet from tx to rx; returns the unprotect
 * status of RTP (RTCP must agree). */
static int
send_one(srtp_t tx, srtp_t rx, uint32_t ssrc, uint16_t seq)
{
	uint8_t pkt[256], ref[256];
	int len, ref_len, rc, rc2;

	ref_len = make_rtp(ref, ssrc, seq);
	len = make_rtp(pkt, ssrc, seq);
	CHECK_EQ_INT(srtp_protect(tx, pkt, &len), srtp_err_status_ok);
	CHECK(len > ref_len);
	CHECK(memcmp(pkt + 12, ref + 12, 16) != 0);	/* encrypted */
	rc = srtp_unprotect(rx, pkt, &len);
	if (rc == srtp_err_status_ok) {
		CHECK_EQ_INT(len, ref_len);
		CHECK_MEM(pkt, ref, (size_t)ref_len);
	}
	ref_len = make_rtcp(ref, ssrc);
	len = make_rtcp(pkt, ssrc);
	CHECK_EQ_INT(srtp_protect_rtcp(tx, pkt, &len), srtp_err_status_ok);
	rc2 = srtp_unprotect_rtcp(rx, pkt, &len);
	CHECK_EQ_INT(rc2, rc);
	if (rc2 == srtp_err_status_ok) {
		CHECK_EQ_INT(len, ref_len);
		CHECK_MEM(pkt, ref, (size_t)ref_len);
	}
	return rc;
}

static void
test_srtp_round_trip(void)
{
	struct tpeer alice, bob;
	uint64_t now = mikey_ntp_from_unix(1795710736, 0);

	tpeer_make(&alice, ALICE, NULL, 2048, MIKEY_SIGN_PKCS1, true);
	tpeer_make(&bob, BOB, NULL, 2048, MIKEY_SIGN_PSS, true);
	for (unsigned s = 0; s < MIKEY_SRTP_SUITE_COUNT; s++) {
		struct mikey_init_params ip;
		struct mikey_respond_params rp;
		struct mikey_init_state *st = NULL;
		struct mikey_result ia, rb;
		struct mikey_fail fail;
		uint8_t *i = NULL, *r = NULL;
		size_t il = 0, rl = 0;
		srtp_t a_tx, a_rx, b_tx, b_rx, bad;

		memset(&ip, 0, sizeof(ip));
		ip.self = &alice.id;
		ip.peer_uri = BOB;
		ip.suite = s;
		ip.ssrc = 0xa11ce000u + s;
		ip.now_ntp = now;
		memset(&rp, 0, sizeof(rp));
		rp.self = &bob.id;
		rp.peer_uri = ALICE;
		rp.ssrc = 0xb0b00000u + s;
		rp.now_ntp = now;
		CHECK_EQ_INT(mikey_msg_build_init(&ip, &st, &i, &il), 0);
		CHECK_EQ_INT(mikey_msg_respond(i, il, &rp, &rb, &r, &rl,
		    &fail), 0);
		CHECK_EQ_INT(mikey_msg_finish(st, r, rl, NULL, now, &ia,
		    &fail), 0);

		/* cs_id 1: alice -> bob; cs_id 2: bob -> alice. */
		a_tx = session(&ia, 0, true, 0);
		b_rx = session(&rb, 0, false, 0);
		b_tx = session(&rb, 1, true, 0);
		a_rx = session(&ia, 1, false, 0);
		for (uint16_t seq = 1; seq <= 3; seq++) {
			CHECK_EQ_INT(send_one(a_tx, b_rx, ip.ssrc, seq),
			    srtp_err_status_ok);
			CHECK_EQ_INT(send_one(b_tx, a_rx, rp.ssrc, seq),
			    srtp_err_status_ok);
		}
		/* A receiver with one key bit wrong: authentication fails. */
		bad = session(&rb, 0, false, 1);
		CHECK_EQ_INT(send_one(a_tx, bad, ip.ssrc, 10),
		    srtp_err_status_auth_fail);
		srtp_dealloc(bad);
		/* Keys of the other direction do not open this one. */
		bad = session(&rb, 1, false, 0);
		{
			uint8_t pkt[256];
			int len = make_rtp(pkt, ip.ssrc, 11);

			CHECK_EQ_INT(srtp_protect(a_tx, pkt, &len),
			    srtp_err_status_ok);
			/* bob's cs2 inbound policy is for bob's SSRC. */
			CHECK(srtp_unprotect(bad, pkt, &len) !=
			    srtp_err_status_ok);
		}
		srtp_dealloc(bad);
		srtp_dealloc(a_tx);
		srtp_dealloc(a_rx);
		srtp_dealloc(b_tx);
		srtp_dealloc(b_rx);
		mikey_result_clear(&ia);
		mikey_result_clear(&rb);
		mikey_init_state_free(st);
		free(i);
		free(r);
	}
	tpeer_free(&alice);
	tpeer_free(&bob);

	/* Policy argument checks. */
	{
		uint8_t key[32] = { 0 }, salt[14] = { 0 }, kb[46];
		srtp_policy_t pol;

		CHECK_EQ_INT(mikey_srtp_policy(0, key, 16, salt, 12, 1, true,
		    kb, &pol), -EINVAL);
		CHECK_EQ_INT(mikey_srtp_policy(0, key, 32, salt, 14, 1, true,
		    kb, &pol), -EINVAL);
		CHECK_EQ_INT(mikey_srtp_policy(9, key, 16, salt, 14, 1, true,
		    kb, &pol), -EINVAL);
		CHECK_EQ_INT(mikey_srtp_policy(0, key, 16, salt, 14, 0, false,
		    kb, &pol), 0);
		CHECK(pol.ssrc.type == ssrc_any_inbound);
		CHECK_EQ_INT(mikey_srtp_policy(0, key, 16, salt, 14, 0, true,
		    kb, &pol), 0);
		CHECK(pol.ssrc.type == ssrc_any_outbound);
		CHECK(pol.key == kb);
	}
}

/* lib/srtp-openssl: sessions on OpenSSL's AES-CM and HMAC-SHA1 write the
 * same bytes as sessions on the types libsrtp2 was built with (NSS on
 * Debian), for every suite, RTP and RTCP, short and multi-block payloads,
 * and each opens the other's packets. ref_tx/ref_rx were created before
 * srtp_openssl_install(). */
#define XCHECK_SSRC	0x5e1f0001u
struct xcheck {
	srtp_t ref_tx, ref_rx;
};

static srtp_t
xsession(unsigned suite, bool outbound)
{
	uint8_t key[MIKEY_SRTP_KEY_MAX], salt[MIKEY_SRTP_SALT_MAX];
	uint8_t keybuf[MIKEY_SRTP_KEYBUF_MAX];
	size_t kl, sl;
	srtp_policy_t pol;
	srtp_t s = NULL;

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x30 + i * 7 + suite);
	for (size_t i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)(0xa0 ^ (i * 13));
	CHECK_EQ_INT(mikey_srtp_suite_lens(suite, &kl, &sl), 0);
	CHECK_EQ_INT(mikey_srtp_policy(suite, key, kl, salt, sl, XCHECK_SSRC,
	    outbound, keybuf, &pol), 0);
	CHECK_EQ_INT(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

static int
xpacket(uint8_t *pkt, uint16_t seq, int payload)
{
	int len = make_rtp(pkt, XCHECK_SSRC, seq);

	for (int i = len; i < 12 + payload; i++)
		pkt[i] = (uint8_t)(i * 31 + seq);
	return 12 + payload;
}

typedef srtp_err_status_t (*srtp_op)(srtp_t, void *, int *);

/* a and b hold the same packet of len bytes: protect (ref_tx, tx) gives
 * the same bytes, and each receiver opens the other's back to it. */
static void
xsame(srtp_op protect, srtp_op unprotect, srtp_t ref_tx, srtp_t tx,
    srtp_t ref_rx, srtp_t rx, uint8_t *a, uint8_t *b, int len)
{
	int la = len, lb = len;

	CHECK_MEM(a, b, (size_t)len);
	CHECK_EQ_INT(protect(ref_tx, a, &la), srtp_err_status_ok);
	CHECK_EQ_INT(protect(tx, b, &lb), srtp_err_status_ok);
	CHECK_EQ_INT(la, lb);
	CHECK_MEM(a, b, (size_t)la);
	CHECK_EQ_INT(unprotect(rx, a, &la), srtp_err_status_ok);
	CHECK_EQ_INT(unprotect(ref_rx, b, &lb), srtp_err_status_ok);
	CHECK_EQ_INT(la, len);
	CHECK_EQ_INT(lb, len);
	CHECK_MEM(a, b, (size_t)len);
}

static void
test_openssl_types(struct xcheck *x)
{
	for (unsigned suite = 0; suite < MIKEY_SRTP_SUITE_COUNT; suite++) {
		srtp_t tx = xsession(suite, true), rx = xsession(suite, false);
		static const int sizes[] = { 1, 16, 160, 1000 };

		for (uint16_t seq = 1; seq <= 4; seq++) {
			uint8_t a[1200], b[1200];
			int len = xpacket(a, seq, sizes[seq - 1]);

			xpacket(b, seq, sizes[seq - 1]);
			xsame(srtp_protect, srtp_unprotect, x[suite].ref_tx,
			    tx, x[suite].ref_rx, rx, a, b, len);
			len = make_rtcp(a, XCHECK_SSRC);
			make_rtcp(b, XCHECK_SSRC);
			xsame(srtp_protect_rtcp, srtp_unprotect_rtcp,
			    x[suite].ref_tx, tx, x[suite].ref_rx, rx, a, b, len);
		}
		/* A flipped bit in the tag fails on both. */
		{
			uint8_t a[256];
			int la = xpacket(a, 9, 20);

			CHECK_EQ_INT(srtp_protect(tx, a, &la),
			    srtp_err_status_ok);
			a[la - 1] ^= 1;
			CHECK_EQ_INT(srtp_unprotect(rx, a, &la),
			    srtp_err_status_auth_fail);
		}
		srtp_dealloc(tx);
		srtp_dealloc(rx);
		srtp_dealloc(x[suite].ref_tx);
		srtp_dealloc(x[suite].ref_rx);
	}
}

/* The AES-CM key stream in pieces: encrypt calls after one set_iv
 * continue the stream (libsrtp2 takes a keystream prefix before the
 * payload for some MACs), also from the middle of a block and across the
 * 32-block chunks srtp-openssl makes at a time; and set_iv starts again. */
static void
test_icm_stream(void)
{
	static const unsigned pieces[] = { 5, 20, 12, 0, 600, 1, 162 };
	uint8_t key[SRTP_AES_ICM_256_KEY_LEN_WSALT], iv[16] = { 0 };
	uint8_t whole[800], split[800];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	iv[15] = 3;
	for (unsigned ks = 16; ks <= 32; ks += 16) {
		const srtp_cipher_type_t *t = srtp_openssl_icm_type(ks);
		srtp_cipher_t *c = NULL;
		uint32_t n = sizeof(whole), done = 0;

		CHECK(t != NULL);
		CHECK_EQ_INT(srtp_cipher_type_alloc(t, &c, (int)ks + 14, 0),
		    srtp_err_status_ok);
		CHECK_EQ_INT(srtp_cipher_init(c, key), srtp_err_status_ok);
		memset(whole, 0, sizeof(whole));
		memset(split, 0, sizeof(split));
		CHECK_EQ_INT(srtp_cipher_set_iv(c, iv, srtp_direction_encrypt),
		    srtp_err_status_ok);
		CHECK_EQ_INT(srtp_cipher_encrypt(c, whole, &n),
		    srtp_err_status_ok);
		CHECK_EQ_INT(srtp_cipher_set_iv(c, iv, srtp_direction_encrypt),
		    srtp_err_status_ok);
		for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
			uint32_t p = pieces[i];

			CHECK_EQ_INT(srtp_cipher_encrypt(c, split + done, &p),
			    srtp_err_status_ok);
			done += pieces[i];
		}
		CHECK_EQ_INT((int)done, (int)sizeof(split));
		CHECK_MEM(whole, split, sizeof(whole));
		CHECK_EQ_INT(srtp_cipher_dealloc(c), srtp_err_status_ok);
	}
	CHECK(srtp_openssl_icm_type(24) == NULL);
}

int
main(void)
{
	struct xcheck x[MIKEY_SRTP_SUITE_COUNT];

	CHECK_EQ_INT(srtp_init(), srtp_err_status_ok);
	for (unsigned suite = 0; suite < MIKEY_SRTP_SUITE_COUNT; suite++) {
		x[suite].ref_tx = xsession(suite, true);
		x[suite].ref_rx = xsession(suite, false);
	}
	CHECK_EQ_INT(srtp_openssl_install(), 0);
	CHECK_EQ_INT(srtp_openssl_install(), 0);	/* again: harmless */
	test_openssl_types(x);
	test_icm_stream();
	test_sp();
	test_srtp_round_trip();
	srtp_shutdown();
	return test_exit();
}
