/* MIKEY payload codec: a published vector (gortsplib "a"), round trips of
 * every payload we know, every truncation, and a table of malformed
 * messages that must be refused with the right result. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hex.h"
#include "mikey.h"
#include "test.h"

/* bluenviron/gortsplib pkg/mikey/message_test.go case "a" (PSK init with
 * a NULL KEMAC), as quoted in MIKEY.md §4.5. */
static const char gortsplib_a[] =
	"01000500e69d51f801000030685760000000000b00ebfe6f2db1c13fd00a10c2"
	"dde443a84930a5757a7ed9c3a417fb010000001500010101011002010103010a"
	"0701010801010a0101000000220020001e9091783dfce8ddcd443a53508b6450"
	"9f35bd8a86bc4d8b7637a502493daf00";

static int
reencode(const struct mikey_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	struct buf b;
	uint8_t *p;
	int rc;

	buf_init(&b, MIKEY_MSG_MAX);
	rc = mikey_encode(m, &b, NULL);
	if (rc < 0) {
		buf_release(&b);
		return rc;
	}
	rc = buf_steal(&b, &p, len);
	if (rc < 0)
		return rc;
	if (*len > cap) {
		free(p);
		return -E2BIG;
	}
	memcpy(out, p, *len);
	free(p);
	return 0;
}

static void
test_gortsplib(void)
{
	uint8_t in[256], out[256];
	struct mikey_msg m;
	struct mikey_parse_err err;
	const uint8_t *v;
	uint8_t vlen;
	size_t n = test_unhex(gortsplib_a, in, sizeof(in)), len = 0;

	CHECK_EQ_INT(n, 112);
	CHECK_EQ_INT(mikey_decode(in, n, &m, &err), 0);
	CHECK_EQ_INT(m.hdr.version, 1);
	CHECK_EQ_INT(m.hdr.data_type, MIKEY_DT_PSK_INIT);
	CHECK(m.hdr.csb_id == 0xe69d51f8u);
	CHECK_EQ_INT(m.hdr.n_cs, 1);
	CHECK(m.hdr.cs[0].ssrc == 0x30685760u);
	CHECK_EQ_INT(m.n, 4);
	CHECK_EQ_INT(m.p[0].type, MIKEY_PT_T);
	CHECK_EQ_INT(m.p[1].type, MIKEY_PT_RAND);
	CHECK_EQ_INT(m.p[1].u.rand.len, 16);
	CHECK_EQ_INT(m.p[2].type, MIKEY_PT_SP);
	CHECK_EQ_INT(m.p[3].type, MIKEY_PT_KEMAC);
	CHECK_EQ_INT(m.p[3].u.kemac.encr_len, 34);
	CHECK_EQ_INT(m.p[3].u.kemac.mac_alg, 0);
	CHECK_EQ_INT(m.signed_len, 0);
	/* The SP carries the GStreamer quirk: tag length in parameter 3. */
	CHECK_EQ_INT(mikey_sp_param(&m.p[2], MIKEY_SP_AUTH_KEY_LEN, &v, &vlen),
	    1);
	CHECK(vlen == 1 && v[0] == 10);
	CHECK_EQ_INT(mikey_sp_param(&m.p[2], MIKEY_SP_AUTH_TAG_LEN, &v, &vlen),
	    0);
	/* Byte-identical re-serialisation. */
	CHECK_EQ_INT(reencode(&m, out, sizeof(out), &len), 0);
	CHECK_EQ_INT(len, n);
	CHECK_MEM(out, in, n);
}

/* A message with every payload type the codec knows. */
static size_t
build_all(uint8_t *out, size_t cap, size_t *sig_off)
{
	static const uint8_t rand[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15, 16 };
	static const uint8_t sp[] = { 0, 1, 1, 1, 1, 16, 20, 1, 16 };
	static const uint8_t cert[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	static const uint8_t mac[20] = { 0xaa };
	static const uint8_t kv[] = { 2, 0xab, 0xcd, 1, 0xef };
	uint8_t dh[192];
	struct mikey_msg m;
	struct buf b;
	uint8_t *p;
	size_t len;

	memset(dh, 0x42, sizeof(dh));
	memset(&m, 0, sizeof(m));
	m.hdr.version = 1;
	m.hdr.data_type = MIKEY_DT_DH_INIT;
	m.hdr.v = true;
	m.hdr.prf_func = 0;
	m.hdr.csb_id = 0x01020304;
	m.hdr.n_cs = 2;
	m.hdr.cs[0] = (struct mikey_cs){ 0, 0x11111111, 0 };
	m.hdr.cs[1] = (struct mikey_cs){ 1, 0x22222222, 7 };
	m.p[m.n].type = MIKEY_PT_T;
	m.p[m.n++].u.t.value = 0xeeb2dd905e210fd1ULL;
	m.p[m.n].type = MIKEY_PT_T;
	m.p[m.n].u.t.ts_type = MIKEY_TS_COUNTER;
	m.p[m.n++].u.t.value = 77;
	m.p[m.n].type = MIKEY_PT_RAND;
	m.p[m.n].u.rand.data = rand;
	m.p[m.n++].u.rand.len = 16;
	m.p[m.n].type = MIKEY_PT_ID;
	m.p[m.n].u.id.type = MIKEY_ID_URI;
	m.p[m.n].u.id.data = (const uint8_t *)"sip:a@b";
	m.p[m.n++].u.id.len = 7;
	m.p[m.n].type = MIKEY_PT_CERT;
	m.p[m.n].u.cert.data = cert;
	m.p[m.n++].u.cert.len = sizeof(cert);
	m.p[m.n].type = MIKEY_PT_SP;
	m.p[m.n].u.sp.policy_no = 1;
	m.p[m.n].u.sp.params = sp;
	m.p[m.n++].u.sp.params_len = sizeof(sp);
	m.p[m.n].type = MIKEY_PT_DH;
	m.p[m.n].u.dh.value = dh;
	m.p[m.n++].u.dh.value_len = 192;
	m.p[m.n].type = MIKEY_PT_DH;
	m.p[m.n].u.dh.value = dh;
	m.p[m.n].u.dh.value_len = 192;
	m.p[m.n].u.dh.kv = 2;
	m.p[m.n].u.dh.kv_data = kv;
	m.p[m.n++].u.dh.kv_len = sizeof(kv);
	m.p[m.n].type = MIKEY_PT_V;
	m.p[m.n].u.v.auth_alg = 1;
	m.p[m.n].u.v.data = mac;
	m.p[m.n++].u.v.len = 20;
	m.p[m.n].type = MIKEY_PT_ERR;
	m.p[m.n++].u.err.code = MIKEY_ERR_DH_GROUP;
	m.p[m.n].type = MIKEY_PT_GEN_EXT;
	m.p[m.n].u.ext.type = 1;
	m.p[m.n].u.ext.data = (const uint8_t *)"sdp";
	m.p[m.n++].u.ext.len = 3;
	m.p[m.n].type = MIKEY_PT_KEMAC;
	m.p[m.n].u.kemac.encr = cert;
	m.p[m.n].u.kemac.encr_len = sizeof(cert);
	m.p[m.n].u.kemac.mac_alg = 1;
	m.p[m.n].u.kemac.mac = mac;
	m.p[m.n++].u.kemac.mac_len = 20;
	m.p[m.n].type = MIKEY_PT_PKE;
	m.p[m.n].u.pke.c = 2;
	m.p[m.n].u.pke.data = rand;
	m.p[m.n++].u.pke.len = 16;
	m.p[m.n].type = MIKEY_PT_SIGN;
	m.p[m.n].u.sign.s_type = MIKEY_SIGN_PSS;
	m.p[m.n++].u.sign.len = 256;

	buf_init(&b, MIKEY_MSG_MAX);
	if (mikey_encode(&m, &b, sig_off) < 0 || buf_steal(&b, &p, &len) < 0 ||
	    len > cap)
		abort();
	memcpy(out, p, len);
	free(p);
	return len;
}

static void
test_round_trip(void)
{
	uint8_t in[2048], out[2048];
	struct mikey_msg m;
	size_t sig_off = 0, n = build_all(in, sizeof(in), &sig_off), len = 0;
	const uint8_t *v;
	uint8_t vlen;

	CHECK_EQ_INT(sig_off, n - 256);
	CHECK_EQ_INT(mikey_decode(in, n, &m, NULL), 0);
	CHECK_EQ_INT(m.n, 14);
	CHECK(m.hdr.v);
	CHECK(m.hdr.cs[1].roc == 7 && m.hdr.cs[1].policy_no == 1);
	CHECK_EQ_INT(m.p[1].u.t.ts_type, MIKEY_TS_COUNTER);
	CHECK_EQ_INT(m.p[1].u.t.value, 77);
	CHECK_EQ_INT(m.p[1].len, 6);
	CHECK_EQ_INT(m.p[0].len, 10);
	CHECK_EQ_INT(m.p[3].u.id.len, 7);
	CHECK_MEM(m.p[3].u.id.data, "sip:a@b", 7);
	CHECK_EQ_INT(m.p[7].u.dh.kv, 2);
	CHECK_EQ_INT(m.p[7].u.dh.kv_len, 5);
	CHECK_EQ_INT(m.p[9].u.err.code, MIKEY_ERR_DH_GROUP);
	CHECK_EQ_INT(m.p[12].u.pke.c, 2);
	CHECK_EQ_INT(m.p[13].u.sign.s_type, MIKEY_SIGN_PSS);
	CHECK_EQ_INT(m.p[13].u.sign.len, 256);
	CHECK_EQ_INT(m.signed_len, n - 256);
	CHECK_EQ_INT(mikey_sp_param(&m.p[5], 20, &v, &vlen), 1);
	CHECK(vlen == 1 && v[0] == 16);
	CHECK_EQ_INT(mikey_find(&m, MIKEY_PT_DH, 0), 6);
	CHECK_EQ_INT(mikey_find(&m, MIKEY_PT_DH, 7), 7);
	CHECK_EQ_INT(mikey_find(&m, MIKEY_PT_CHASH, 0), -1);
	CHECK_EQ_INT(reencode(&m, out, sizeof(out), &len), 0);
	CHECK_EQ_INT(len, n);
	CHECK_MEM(out, in, n);

	/* Every proper prefix is refused, never read past. */
	for (size_t i = 0; i < n; i++) {
		uint8_t *cut = malloc(i ? i : 1);
		int rc;

		memcpy(cut, in, i);
		rc = mikey_decode(cut, i, &m, NULL);
		CHECK(rc == -EBADMSG);
		free(cut);
	}
}

struct bad {
	const char *name;
	const char *hex;
	int rc;
	size_t off;
};

/* HDR with no CS and a given first payload, followed by payload bytes. */
#define HDR0(np)	"01040" np "00" "01020304" "00" "00"

static const struct bad bad[] = {
	{ "empty", "", -EBADMSG, 0 },
	{ "short HDR", "0104000001020304", -EBADMSG, 8 },
	{ "version 2", "02040000010203040000", -EPROTONOSUPPORT, 0 },
	{ "map type 1", "01040000010203040001", -EPROTONOSUPPORT, 9 },
	{ "#CS 9", "01040000010203040900", -E2BIG, 8 },
	{ "CS map short", "0104000001020304010000000000", -EBADMSG, 10 },
	{ "trailing", HDR0("0") "00", -EBADMSG, 10 },
	{ "T type 3", HDR0("5") "0003", -EPROTONOSUPPORT, 11 },
	{ "T short", HDR0("5") "00000102", -EBADMSG, 10 },
	{ "RAND len 0", HDR0("b") "0000", -EBADMSG, 11 },
	{ "RAND short", HDR0("b") "001001", -EBADMSG, 10 },
	{ "ID over limit", HDR0("6") "00010201", -E2BIG, 12 },
	{ "ID short", HDR0("6") "0001000561", -EBADMSG, 12 },
	{ "CERT over limit", HDR0("7") "00001001", -E2BIG, 12 },
	{ "SP param overrun", HDR0("a") "0000000003000501", -EBADMSG, 15 },
	{ "SP short", HDR0("a") "00000000050001", -EBADMSG, 13 },
	{ "DH group 3", HDR0("3") "0003", -EPROTONOSUPPORT, 11 },
	{ "DH value short", HDR0("3") "000100", -EBADMSG, 12 },
	{ "SIGN len 0", HDR0("4") "0000", -EBADMSG, 10 },
	{ "SIGN over limit", HDR0("4") "0401", -E2BIG, 10 },
	{ "SIGN short", HDR0("4") "00030102", -EBADMSG, 10 },
	{ "SIGN not last", HDR0("4") "0001ff00", -EBADMSG, 13 },
	{ "V alg 2", HDR0("9") "0002", -EPROTONOSUPPORT, 11 },
	{ "V short", HDR0("9") "000101", -EBADMSG, 12 },
	{ "ERR short", HDR0("c") "0001", -EBADMSG, 10 },
	{ "CHASH", HDR0("8") "00", -EPROTONOSUPPORT, 10 },
	{ "unknown 99", HDR0("6") "630100016100", -EPROTONOSUPPORT, 15 },
	{ "KEMAC MAC alg 5", HDR0("1") "0000000005", -EPROTONOSUPPORT, 14 },
	{ "chain loops past end", HDR0("c") "0c000000", -EBADMSG, 14 },
};

static void
test_bad(void)
{
	uint8_t in[64];
	struct mikey_msg m;
	struct mikey_parse_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = test_unhex(bad[i].hex, in, sizeof(in));
		int rc;

		err.off = 9999;
		err.what = NULL;
		rc = mikey_decode(in, n, &m, &err);
		if (rc != bad[i].rc || err.off != bad[i].off || !err.what)
			fprintf(stderr, "case '%s': rc %d off %zu (%s)\n",
			    bad[i].name, rc, err.off,
			    err.what ? err.what : "-");
		CHECK_EQ_INT(rc, bad[i].rc);
		CHECK_EQ_INT(err.off, bad[i].off);
		CHECK(err.what != NULL);
	}

	/* Over MIKEY_MSG_MAX before anything is read. */
	{
		uint8_t *big = calloc(1, MIKEY_MSG_MAX + 1);

		CHECK_EQ_INT(mikey_decode(big, MIKEY_MSG_MAX + 1, &m, NULL),
		    -E2BIG);
		free(big);
	}
	/* Too many payloads: a chain of 25 ERR payloads. */
	{
		uint8_t msg[10 + 4 * 25];
		size_t n = test_unhex(HDR0("c"), msg, sizeof(msg));

		for (int i = 0; i < 25; i++) {
			msg[n++] = i == 24 ? 0 : 12;
			msg[n++] = 1;
			msg[n++] = 0;
			msg[n++] = 0;
		}
		CHECK_EQ_INT(mikey_decode(msg, n, &m, NULL), -E2BIG);
		CHECK_EQ_INT(mikey_decode(msg, n - 4 * 2, &m, NULL),
		    -EBADMSG);
	}
	/* SP with more than MIKEY_SP_PARAMS_MAX parameters. */
	{
		uint8_t msg[10 + 5 + 3 * 40];
		size_t n = test_unhex(HDR0("a") "000000" "0078", msg, sizeof(msg));

		for (int i = 0; i < 40; i++) {
			msg[n++] = 0;
			msg[n++] = 1;
			msg[n++] = 1;
		}
		CHECK_EQ_INT(mikey_decode(msg, n, &m, NULL), -E2BIG);
	}
}

static void
test_encode_bad(void)
{
	struct mikey_msg m;
	struct buf b;

	memset(&m, 0, sizeof(m));
	m.hdr.version = 1;
	m.n = 2;
	m.p[0].type = MIKEY_PT_SIGN;
	m.p[0].u.sign.len = 10;
	m.p[1].type = MIKEY_PT_ERR;
	buf_init(&b, MIKEY_MSG_MAX);
	CHECK_EQ_INT(mikey_encode(&m, &b, NULL), -EINVAL);	/* not last */
	buf_release(&b);

	m.n = 1;
	m.p[0].type = MIKEY_PT_DH;
	m.p[0].u.dh.group = 0;
	m.p[0].u.dh.value_len = 191;
	buf_init(&b, MIKEY_MSG_MAX);
	CHECK_EQ_INT(mikey_encode(&m, &b, NULL), -EINVAL);	/* bad len */
	buf_release(&b);

	m.p[0].type = MIKEY_PT_CHASH;
	buf_init(&b, MIKEY_MSG_MAX);
	CHECK_EQ_INT(mikey_encode(&m, &b, NULL), -EINVAL);
	buf_release(&b);

	m.p[0].type = MIKEY_PT_RAND;
	m.p[0].u.rand.len = 200;
	m.p[0].u.rand.data = (const uint8_t *)calloc(1, 200);
	buf_init(&b, 50);
	CHECK_EQ_INT(mikey_encode(&m, &b, NULL), -E2BIG);
	buf_release(&b);
	free((void *)m.p[0].u.rand.data);
}

static void
test_names_ntp(void)
{
	uint64_t t;

	CHECK(strcmp(mikey_pt_name(MIKEY_PT_SIGN), "SIGN") == 0);
	CHECK(strcmp(mikey_pt_name(200), "?") == 0);
	CHECK(strcmp(mikey_dt_name(MIKEY_DT_DH_RESP), "D-H resp") == 0);
	CHECK(strcmp(mikey_err_name(MIKEY_ERR_DH_GROUP),
	    "DH group not supported") == 0);
	CHECK(strcmp(mikey_err_name(13), "?") == 0);
	CHECK(strcmp(mikey_sp_param_name(11), "Authentication tag length")
	    == 0);
	CHECK(strcmp(mikey_sp_param_name(20),
	    "AEAD authentication tag length") == 0);

	/* 2026-11-26T16:32:16Z, as decoded from a real message above. */
	t = mikey_ntp_from_unix(1795710736, 500000000);
	CHECK_EQ_INT(t >> 32, 0xeeb2dd90u);
	CHECK_EQ_INT(t & 0xffffffffu, 0x80000000u);
	CHECK_EQ_INT(mikey_ntp_to_unix(t), 1795710736);
	CHECK_EQ_INT(mikey_ntp_from_unix(0, 0) >> 32, 2208988800u);
}

int
main(void)
{
	test_gortsplib();
	test_round_trip();
	test_bad();
	test_encode_bad();
	test_names_ntp();
	return test_exit();
}
