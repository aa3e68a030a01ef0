/* lib/rtp: RTP header build/parse and compound RTCP, RFC 3550. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "rtp.h"
#include "test.h"

/* A PCMU packet as on the wire: V=2, M=1, PT=0, seq 0x1234, ts 0xdeadbeef,
 * SSRC 0x01020304, 4 payload bytes. */
static const uint8_t pcmu[] = {
	0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
	0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xff,
};

static void
test_parse_plain(void)
{
	struct rtp_packet p;

	CHECK_EQ_INT(rtp_parse(pcmu, sizeof(pcmu), &p), 0);
	CHECK(p.hdr.marker);
	CHECK_EQ_INT(p.hdr.pt, 0);
	CHECK_EQ_INT(p.hdr.seq, 0x1234);
	CHECK_EQ_INT(p.hdr.ts, 0xdeadbeef);
	CHECK_EQ_INT(p.hdr.ssrc, 0x01020304);
	CHECK_EQ_INT(p.hdr.cc, 0);
	CHECK(!p.hdr.extension && !p.hdr.padding);
	CHECK_EQ_INT(p.hdr.hdr_len, 12);
	CHECK_EQ_INT(p.payload_len, 4);
	CHECK(p.payload == pcmu + 12);
}

static void
test_roundtrip_full(void)
{
	static const uint8_t ext[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t pl[5] = { 9, 8, 7, 6, 5 };
	struct rtp_header h, h2;
	struct rtp_packet p;
	uint8_t out[RTP_PACKET_MAX];
	int n;

	memset(&h, 0, sizeof(h));
	h.pt = 111;
	h.seq = 65535;
	h.ts = 1;
	h.ssrc = 0xcafebabe;
	h.cc = 2;
	h.csrc[0] = 0x11111111;
	h.csrc[1] = 0x22222222;
	h.extension = true;
	h.ext_profile = 0xbede;
	h.ext_data = ext;
	h.ext_len = sizeof(ext);
	n = rtp_write(&h, pl, sizeof(pl), 3, out, sizeof(out));
	CHECK_EQ_INT(n, 12 + 8 + 4 + 8 + 5 + 3);
	CHECK_EQ_INT(out[0], 0x80 | 0x20 | 0x10 | 2);
	CHECK_EQ_INT(out[n - 1], 3);
	CHECK_EQ_INT(rtp_parse(out, (size_t)n, &p), 0);
	CHECK_EQ_INT(p.hdr.pt, 111);
	CHECK_EQ_INT(p.hdr.cc, 2);
	CHECK_EQ_INT(p.hdr.csrc[1], 0x22222222);
	CHECK_EQ_INT(p.hdr.ext_profile, 0xbede);
	CHECK_EQ_INT(p.hdr.ext_len, 8);
	CHECK_MEM(p.hdr.ext_data, ext, 8);
	CHECK_EQ_INT(p.pad_len, 3);
	CHECK_EQ_INT(p.payload_len, 5);
	CHECK_MEM(p.payload, pl, 5);
	/* Header-only parse stops before the payload. */
	CHECK_EQ_INT(rtp_header_parse(out, (size_t)n, &h2), 0);
	CHECK_EQ_INT(h2.hdr_len, 12 + 8 + 4 + 8);
	/* Exactly the header: fine; one byte less: short. */
	CHECK_EQ_INT(rtp_header_parse(out, h2.hdr_len, &h2), 0);
	CHECK_EQ_INT(rtp_header_parse(out, h2.hdr_len - 1, &h2), -ENODATA);
}

static void
test_write_limits(void)
{
	struct rtp_header h;
	uint8_t out[RTP_PACKET_MAX + 16], big[RTP_PACKET_MAX];

	memset(&h, 0, sizeof(h));
	memset(big, 0, sizeof(big));
	h.pt = 128;
	CHECK_EQ_INT(rtp_write(&h, NULL, 0, 0, out, sizeof(out)), -EINVAL);
	h.pt = 0;
	h.cc = 16;
	CHECK_EQ_INT(rtp_write(&h, NULL, 0, 0, out, sizeof(out)), -EINVAL);
	h.cc = 0;
	h.extension = true;
	h.ext_len = 3;
	CHECK_EQ_INT(rtp_write(&h, NULL, 0, 0, out, sizeof(out)), -EINVAL);
	h.extension = false;
	CHECK_EQ_INT(rtp_write(&h, NULL, 0, 256, out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(rtp_write(&h, big, RTP_PACKET_MAX - 12, 0, out,
	    sizeof(out)), RTP_PACKET_MAX);
	CHECK_EQ_INT(rtp_write(&h, big, RTP_PACKET_MAX - 11, 0, out,
	    sizeof(out)), -E2BIG);
	CHECK_EQ_INT(rtp_write(&h, big, 100, 0, out, 111), -E2BIG);
	CHECK_EQ_INT(rtp_write(&h, big, 100, 0, out, 112), 112);
}

static void
test_parse_bad(void)
{
	struct rtp_packet p;
	uint8_t b[sizeof(pcmu)];
	uint8_t big[RTP_PACKET_MAX + 1];

	/* Version 1 and 3. */
	memcpy(b, pcmu, sizeof(b));
	b[0] = 0x40;
	CHECK_EQ_INT(rtp_parse(b, sizeof(b), &p), -EBADMSG);
	b[0] = 0xc0;
	CHECK_EQ_INT(rtp_parse(b, sizeof(b), &p), -EBADMSG);
	/* Short fixed header. */
	CHECK_EQ_INT(rtp_parse(pcmu, 11, &p), -ENODATA);
	CHECK_EQ_INT(rtp_parse(pcmu, 0, &p), -ENODATA);
	/* CC = 15 needs 60 more bytes. */
	b[0] = 0x8f;
	CHECK_EQ_INT(rtp_parse(b, sizeof(b), &p), -ENODATA);
	/* X set: the extension header is the 4 payload bytes, 0xffff words
	 * of data do not fit. */
	b[0] = 0x90;
	CHECK_EQ_INT(rtp_parse(b, sizeof(b), &p), -ENODATA);
	/* Padding: count 0, count beyond the payload, no payload. */
	b[0] = 0xa0;
	b[15] = 0;
	CHECK_EQ_INT(rtp_parse(b, sizeof(b), &p), -EBADMSG);
	b[15] = 5;
	CHECK_EQ_INT(rtp_parse(b, sizeof(b), &p), -EBADMSG);
	b[15] = 4;
	CHECK_EQ_INT(rtp_parse(b, sizeof(b), &p), 0);
	CHECK_EQ_INT(p.payload_len, 0);
	CHECK_EQ_INT(rtp_parse(b, 12, &p), -EBADMSG);
	/* Over the limit. */
	memset(big, 0, sizeof(big));
	memcpy(big, pcmu, sizeof(pcmu));
	CHECK_EQ_INT(rtp_parse(big, sizeof(big), &p), -E2BIG);
	CHECK_EQ_INT(rtp_parse(big, sizeof(big) - 1, &p), 0);
}

static void
test_rtcp(void)
{
	struct rtp_rtcp_sr sr = {
		.ssrc = 0xabcdef01, .ntp = 0x0102030405060708ULL,
		.rtp_ts = 160, .packets = 50, .octets = 8000,
	};
	struct rtp_report_block rb = {
		.ssrc = 0x12345678, .fraction_lost = 64, .lost = -3,
		.ext_max_seq = 0x10005, .jitter = 77, .lsr = 0x11112222,
		.dlsr = 0x00018000,
	};
	struct rtp_rtcp_info info;
	uint8_t out[RTCP_PACKET_MAX];
	int n;

	n = rtp_rtcp_write_sr(&sr, NULL, "abcdef0123456789", 16, out,
	    sizeof(out));
	/* SR 28 + SDES header 4 + chunk (4 + 2 + 16 + 1 -> 24). */
	CHECK_EQ_INT(n, 28 + 4 + 24);
	CHECK_EQ_INT(out[1], RTCP_PT_SR);
	CHECK_EQ_INT(out[29], RTCP_PT_SDES);
	CHECK_EQ_INT(rtp_rtcp_parse(out, (size_t)n, &info), 0);
	CHECK_EQ_INT(info.pt, RTCP_PT_SR);
	CHECK_EQ_INT(info.ssrc, 0xabcdef01);
	CHECK(info.sr.ntp == sr.ntp);
	CHECK_EQ_INT(info.sr.packets, 50);
	CHECK_EQ_INT(info.sr.octets, 8000);
	CHECK_EQ_INT(info.n_blocks, 0);
	/* Truncated compound, trailing garbage, wrong version. */
	CHECK(rtp_rtcp_parse(out, (size_t)n - 4, &info) < 0);
	CHECK(rtp_rtcp_parse(out, (size_t)n + 1, &info) < 0);
	out[0] = 0x40;
	CHECK_EQ_INT(rtp_rtcp_parse(out, (size_t)n, &info), -EBADMSG);
	out[0] = 0x80;
	/* First packet must be SR or RR. */
	out[1] = RTCP_PT_SDES;
	CHECK_EQ_INT(rtp_rtcp_parse(out, (size_t)n, &info), -EBADMSG);
	out[1] = RTCP_PT_SR;
	/* Report count claims a block that is not there. */
	out[0] = 0x81;
	CHECK_EQ_INT(rtp_rtcp_parse(out, (size_t)n, &info), -EBADMSG);
	out[0] = 0x80;
	CHECK_EQ_INT(rtp_rtcp_parse(out, 0, &info), -ENODATA);

	/* With a report block, negative loss included. */
	n = rtp_rtcp_write_sr(&sr, &rb, "c", 1, out, sizeof(out));
	CHECK_EQ_INT(n, 52 + 4 + 8);
	CHECK_EQ_INT(out[0], 0x81);
	CHECK_EQ_INT(rtp_rtcp_parse(out, (size_t)n, &info), 0);
	CHECK_EQ_INT(info.n_blocks, 1);
	CHECK_EQ_INT(info.block.ssrc, 0x12345678);
	CHECK_EQ_INT(info.block.fraction_lost, 64);
	CHECK_EQ_INT(info.block.lost, -3);
	CHECK_EQ_INT(info.block.ext_max_seq, 0x10005);
	CHECK_EQ_INT(info.block.jitter, 77);
	CHECK_EQ_INT(info.block.lsr, 0x11112222);
	CHECK_EQ_INT(info.block.dlsr, 0x00018000);

	/* CNAME limits. */
	CHECK_EQ_INT(rtp_rtcp_write_sr(&sr, NULL, "", 0, out, sizeof(out)),
	    -EINVAL);
	CHECK_EQ_INT(rtp_rtcp_write_sr(&sr, NULL, "x", 1, out, 20), -E2BIG);
}

static void
test_rx_stats(void)
{
	struct rtp_rx_stats s;
	struct rtp_report_block rb;
	uint16_t seq = 65530;
	uint32_t ts = 1000, arr = 5000;

	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(rtp_rx_lost(&s), 0);
	/* 20 packets across the 16-bit wrap, exactly on time. */
	for (int i = 0; i < 20; i++, seq++, ts += 160, arr += 160)
		rtp_rx_update(&s, seq, ts, arr);
	CHECK_EQ_INT(rtp_rx_lost(&s), 0);
	CHECK_EQ_INT(rtp_rx_jitter(&s), 0);
	rtp_rx_report(&s, 7, 0, 0, &rb);
	CHECK_EQ_INT(rb.ssrc, 7);
	CHECK_EQ_INT(rb.fraction_lost, 0);
	CHECK_EQ_INT(rb.lost, 0);
	CHECK_EQ_INT(rb.ext_max_seq, 0x10000 + 13);
	/* Lose 2 of the next 8: fraction 2/8 = 64/256. */
	for (int i = 0; i < 8; i++, seq++, ts += 160, arr += 160)
		if (i != 3 && i != 5)
			rtp_rx_update(&s, seq, ts, arr);
	rtp_rx_report(&s, 7, 0, 0, &rb);
	CHECK_EQ_INT(rb.lost, 2);
	CHECK_EQ_INT(rb.fraction_lost, 64);
	/* A late packet arrives: cumulative loss goes down, reordering does
	 * not move the highest sequence number. */
	rtp_rx_update(&s, (uint16_t)(seq - 5), ts - 5 * 160, arr);
	CHECK_EQ_INT(rtp_rx_lost(&s), 1);
	rtp_rx_report(&s, 7, 0, 0, &rb);
	CHECK_EQ_INT(rb.ext_max_seq, 0x10000 + 21);
	CHECK_EQ_INT(rb.fraction_lost, 0);
	/* Constant 80-unit alternating delay converges towards 80. */
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 400; i++)
		rtp_rx_update(&s, (uint16_t)i, (uint32_t)i * 160,
		    (uint32_t)i * 160 + (i % 2 ? 80 : 0));
	CHECK(rtp_rx_jitter(&s) >= 75 && rtp_rx_jitter(&s) <= 80);
	/* RTT: sent SR at 0x1000.0000, peer held it 0.5 s, back at +0.6 s. */
	rb.lsr = 0x10000000;
	rb.dlsr = 0x8000;
	CHECK_EQ_INT(rtp_rtcp_rtt(0x10000000 + 0x8000 + 0x1999, &rb), 0x1999);
	CHECK_EQ_INT(rtp_rtcp_rtt(0x10000000 + 0x4000, &rb), -ERANGE);
	rb.lsr = 0;
	CHECK_EQ_INT(rtp_rtcp_rtt(12345, &rb), -ENODATA);
}

int
main(void)
{
	test_parse_plain();
	test_roundtrip_full();
	test_write_limits();
	test_parse_bad();
	test_rtcp();
	test_rx_stats();
	return test_exit();
}
