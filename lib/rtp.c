/* RTP/RTCP framing, RFC 3550 §5.1, §5.3.1, §6.4.1, §6.5, A.2. */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "rtp.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
rtp_header_parse(const uint8_t *data, size_t len, struct rtp_header *ret_hdr)
{
	struct buf_reader r;
	struct rtp_header h;
	uint8_t b0, b1;
	uint16_t ext_words;
	int rc;

	memset(&h, 0, sizeof(h));
	buf_reader_init(&r, data, len);
	if ((rc = buf_read_u8(&r, &b0)) < 0 ||
	    (rc = buf_read_u8(&r, &b1)) < 0 ||
	    (rc = buf_read_u16(&r, &h.seq)) < 0 ||
	    (rc = buf_read_u32(&r, &h.ts)) < 0 ||
	    (rc = buf_read_u32(&r, &h.ssrc)) < 0)
		return rc;
	if ((b0 >> 6) != RTP_VERSION)
		return -EBADMSG;
	h.padding = (b0 & 0x20) != 0;
	h.extension = (b0 & 0x10) != 0;
	h.cc = b0 & 0x0f;
	h.marker = (b1 & 0x80) != 0;
	h.pt = b1 & 0x7f;
	for (unsigned i = 0; i < h.cc; i++)
		if ((rc = buf_read_u32(&r, &h.csrc[i])) < 0)
			return rc;
	if (h.extension) {
		if ((rc = buf_read_u16(&r, &h.ext_profile)) < 0 ||
		    (rc = buf_read_u16(&r, &ext_words)) < 0)
			return rc;
		h.ext_len = (size_t)ext_words * 4;
		if ((rc = buf_read_bytes(&r, h.ext_len, &h.ext_data)) < 0)
			return rc;
	}
	h.hdr_len = r.off;
	*ret_hdr = h;
	return 0;
}

int
rtp_parse(const uint8_t *data, size_t len, struct rtp_packet *ret_pkt)
{
	struct rtp_packet p;
	size_t body;
	int rc;

	if (len > RTP_PACKET_MAX)
		return -E2BIG;
	memset(&p, 0, sizeof(p));
	if ((rc = rtp_header_parse(data, len, &p.hdr)) < 0)
		return rc;
	body = len - p.hdr.hdr_len;
	if (p.hdr.padding) {
		/* The count byte is part of the padding, so at least 1, and
		 * the padding cannot reach into the header. */
		if (body == 0)
			return -EBADMSG;
		p.pad_len = data[len - 1];
		if (p.pad_len == 0 || p.pad_len > body)
			return -EBADMSG;
	}
	p.payload = data + p.hdr.hdr_len;
	p.payload_len = body - p.pad_len;
	*ret_pkt = p;
	return 0;
}

int
rtp_write(const struct rtp_header *hdr, const uint8_t *payload,
    size_t payload_len, size_t pad_len, uint8_t *out, size_t cap)
{
	size_t need, off;

	if (!hdr || hdr->pt > RTP_PT_MAX || hdr->cc > RTP_CSRC_MAX ||
	    pad_len > 255 || (payload_len && !payload) || !out)
		return -EINVAL;
	if (hdr->extension && (hdr->ext_len % 4 ||
	    hdr->ext_len / 4 > UINT16_MAX || (hdr->ext_len && !hdr->ext_data)))
		return -EINVAL;
	need = RTP_HEADER_MIN + (size_t)hdr->cc * 4;
	if (hdr->extension)
		need += 4 + hdr->ext_len;
	if (payload_len > RTP_PACKET_MAX || need + payload_len + pad_len >
	    RTP_PACKET_MAX)
		return -E2BIG;
	need += payload_len + pad_len;
	if (need > cap)
		return -E2BIG;

	out[0] = (uint8_t)(RTP_VERSION << 6 | (pad_len ? 0x20 : 0) |
	    (hdr->extension ? 0x10 : 0) | hdr->cc);
	out[1] = (uint8_t)((hdr->marker ? 0x80 : 0) | hdr->pt);
	put16(out + 2, hdr->seq);
	put32(out + 4, hdr->ts);
	put32(out + 8, hdr->ssrc);
	off = RTP_HEADER_MIN;
	for (unsigned i = 0; i < hdr->cc; i++, off += 4)
		put32(out + off, hdr->csrc[i]);
	if (hdr->extension) {
		put16(out + off, hdr->ext_profile);
		put16(out + off + 2, (uint16_t)(hdr->ext_len / 4));
		off += 4;
		if (hdr->ext_len)
			memcpy(out + off, hdr->ext_data, hdr->ext_len);
		off += hdr->ext_len;
	}
	if (payload_len)
		memcpy(out + off, payload, payload_len);
	off += payload_len;
	if (pad_len) {
		memset(out + off, 0, pad_len - 1);
		out[off + pad_len - 1] = (uint8_t)pad_len;
		off += pad_len;
	}
	return (int)off;
}

static void
put_block(uint8_t *p, const struct rtp_report_block *rb)
{
	uint32_t lost = (uint32_t)rb->lost & 0xffffff;

	put32(p, rb->ssrc);
	put32(p + 4, (uint32_t)rb->fraction_lost << 24 | lost);
	put32(p + 8, rb->ext_max_seq);
	put32(p + 12, rb->jitter);
	put32(p + 16, rb->lsr);
	put32(p + 20, rb->dlsr);
}

int
rtp_rtcp_write_sr(const struct rtp_rtcp_sr *sr,
    const struct rtp_report_block *rb, const char *cname, size_t cname_len,
    uint8_t *out, size_t cap)
{
	size_t sr_len, sdes_len, chunk, need;

	if (!sr || !cname || cname_len == 0 || cname_len > RTCP_CNAME_MAX ||
	    !out)
		return -EINVAL;
	sr_len = 28 + (rb ? 24 : 0);
	/* SDES chunk: SSRC, item (type, length, text), then at least one
	 * zero byte ending the item list, padded to a 32-bit boundary. */
	chunk = 4 + 2 + cname_len + 1;
	chunk = (chunk + 3) & ~(size_t)3;
	sdes_len = 4 + chunk;
	need = sr_len + sdes_len;
	if (need > cap || need > RTCP_PACKET_MAX)
		return -E2BIG;

	memset(out, 0, need);
	/* SR, RC = 0 or 1, length in 32-bit words minus one. */
	out[0] = (uint8_t)(RTP_VERSION << 6 | (rb ? 1 : 0));
	out[1] = RTCP_PT_SR;
	put16(out + 2, (uint16_t)(sr_len / 4 - 1));
	put32(out + 4, sr->ssrc);
	put32(out + 8, (uint32_t)(sr->ntp >> 32));
	put32(out + 12, (uint32_t)sr->ntp);
	put32(out + 16, sr->rtp_ts);
	put32(out + 20, sr->packets);
	put32(out + 24, sr->octets);
	if (rb)
		put_block(out + 28, rb);
	/* SDES, SC = 1. */
	out += sr_len;
	out[0] = RTP_VERSION << 6 | 1;
	out[1] = RTCP_PT_SDES;
	put16(out + 2, (uint16_t)(sdes_len / 4 - 1));
	put32(out + 4, sr->ssrc);
	out[8] = RTCP_SDES_CNAME;
	out[9] = (uint8_t)cname_len;
	memcpy(out + 10, cname, cname_len);
	return (int)need;
}

/* The first packet of a compound: SR or RR, its sender info and first
 * report block. */
static int
rtcp_first(uint8_t b0, uint8_t pt, struct buf_reader *body,
    struct rtp_rtcp_info *info)
{
	unsigned rc_count = b0 & 0x1f;
	uint32_t hi, lo, w;

	if ((pt != RTCP_PT_SR && pt != RTCP_PT_RR) || (b0 & 0x20))
		return -EBADMSG;
	if (buf_read_u32(body, &info->ssrc) < 0)
		return -EBADMSG;
	/* 20 bytes of sender info (SR) plus 24 per report block. */
	if ((size_t)rc_count * 24 + (pt == RTCP_PT_SR ? 20 : 0) >
	    buf_reader_left(body))
		return -EBADMSG;
	info->pt = pt;
	info->n_blocks = rc_count;
	if (pt == RTCP_PT_SR) {
		info->sr.ssrc = info->ssrc;
		if (buf_read_u32(body, &hi) < 0 ||
		    buf_read_u32(body, &lo) < 0 ||
		    buf_read_u32(body, &info->sr.rtp_ts) < 0 ||
		    buf_read_u32(body, &info->sr.packets) < 0 ||
		    buf_read_u32(body, &info->sr.octets) < 0)
			return -EBADMSG;
		info->sr.ntp = (uint64_t)hi << 32 | lo;
	}
	if (rc_count) {
		struct rtp_report_block *rb = &info->block;

		if (buf_read_u32(body, &rb->ssrc) < 0 ||
		    buf_read_u32(body, &w) < 0 ||
		    buf_read_u32(body, &rb->ext_max_seq) < 0 ||
		    buf_read_u32(body, &rb->jitter) < 0 ||
		    buf_read_u32(body, &rb->lsr) < 0 ||
		    buf_read_u32(body, &rb->dlsr) < 0)
			return -EBADMSG;
		rb->fraction_lost = (uint8_t)(w >> 24);
		/* Sign-extend the 24-bit count. */
		rb->lost = (int32_t)(w & 0xffffff);
		if (rb->lost & 0x800000)
			rb->lost -= 0x1000000;
	}
	return 0;
}

int
rtp_rtcp_parse(const uint8_t *data, size_t len,
    struct rtp_rtcp_info *ret_info)
{
	struct buf_reader r;
	struct rtp_rtcp_info info;
	unsigned n = 0;
	int rc;

	if (len > RTCP_PACKET_MAX)
		return -E2BIG;
	memset(&info, 0, sizeof(info));
	buf_reader_init(&r, data, len);
	while (buf_reader_left(&r) > 0) {
		struct buf_reader body;
		const uint8_t *p;
		uint8_t b0, pt;
		uint16_t words;
		size_t plen;

		if (++n > RTCP_COMPOUND_MAX)
			return -E2BIG;
		if ((rc = buf_read_u8(&r, &b0)) < 0 ||
		    (rc = buf_read_u8(&r, &pt)) < 0 ||
		    (rc = buf_read_u16(&r, &words)) < 0)
			return rc;
		plen = (size_t)words * 4;
		if ((rc = buf_read_bytes(&r, plen, &p)) < 0)
			return rc;
		if ((b0 >> 6) != RTP_VERSION)
			return -EBADMSG;
		/* Only the last packet of a compound may carry padding, and
		 * then the count must fit within that packet's body. */
		if ((b0 & 0x20) && (buf_reader_left(&r) > 0 || plen == 0 ||
		    p[plen - 1] == 0 || p[plen - 1] > plen))
			return -EBADMSG;
		buf_reader_init(&body, p, plen);
		if (n == 1 && (rc = rtcp_first(b0, pt, &body, &info)) < 0)
			return rc;
	}
	if (n == 0)
		return -ENODATA;
	*ret_info = info;
	return 0;
}

void
rtp_rx_update(struct rtp_rx_stats *s, uint16_t seq, uint32_t ts,
    uint32_t arrival)
{
	uint16_t udelta;
	uint32_t transit;
	int32_t d;

	if (!s->init) {
		memset(s, 0, sizeof(*s));
		s->init = true;
		s->base_seq = seq;
		s->max_seq = seq;
		s->received = 1;
		s->transit = arrival - ts;
		return;
	}
	udelta = (uint16_t)(seq - s->max_seq);
	if (udelta < RTP_MAX_DROPOUT) {
		/* In order, possibly with a gap. */
		if (seq < s->max_seq)
			s->cycles += 1u << 16;
		s->max_seq = seq;
	} else if (udelta <= 65536 - RTP_MAX_MISORDER) {
		/* A big jump: the sender restarted its sequence. Authenticated
		 * packets only reach us, so resynchronise at once. */
		s->base_seq = seq;
		s->max_seq = seq;
		s->cycles = 0;
		s->received = 0;
		s->expected_prior = s->received_prior = 0;
	}
	/* else: duplicate or reordered, counted below. */
	s->received++;
	/* Jitter, A.8: J += (|D| - J) / 16, kept scaled by 16. */
	transit = arrival - ts;
	d = (int32_t)(transit - s->transit);
	s->transit = transit;
	if (d < 0)
		d = -d;
	s->jitter += (uint32_t)d - ((s->jitter + 8) >> 4);
}

static uint32_t
rx_expected(const struct rtp_rx_stats *s)
{
	return (s->cycles + s->max_seq) - s->base_seq + 1;
}

int64_t
rtp_rx_lost(const struct rtp_rx_stats *s)
{
	if (!s->init)
		return 0;
	return (int64_t)rx_expected(s) - (int64_t)s->received;
}

uint32_t
rtp_rx_jitter(const struct rtp_rx_stats *s)
{
	return s->jitter >> 4;
}

void
rtp_rx_report(struct rtp_rx_stats *s, uint32_t ssrc, uint32_t lsr,
    uint32_t dlsr, struct rtp_report_block *ret_rb)
{
	struct rtp_report_block rb;
	uint32_t expected = s->init ? rx_expected(s) : 0;
	uint32_t exp_int = expected - s->expected_prior;
	uint32_t rec_int = s->received - s->received_prior;
	int64_t lost = rtp_rx_lost(s), lost_int;

	memset(&rb, 0, sizeof(rb));
	rb.ssrc = ssrc;
	/* Clamp to the 24-bit signed field. */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	rb.lost = (int32_t)lost;
	lost_int = (int64_t)exp_int - (int64_t)rec_int;
	if (exp_int && lost_int > 0)
		rb.fraction_lost = (uint8_t)((lost_int << 8) / exp_int);
	rb.ext_max_seq = s->cycles + s->max_seq;
	rb.jitter = rtp_rx_jitter(s);
	rb.lsr = lsr;
	rb.dlsr = dlsr;
	s->expected_prior = expected;
	s->received_prior = s->received;
	*ret_rb = rb;
}

int64_t
rtp_rtcp_rtt(uint32_t now_mid, const struct rtp_report_block *rb)
{
	uint32_t rtt;

	if (rb->lsr == 0)
		return -ENODATA;
	/* Modular arithmetic on the 16.16 clock; a result "in the future"
	 * means the peer's DLSR is bogus. */
	rtt = now_mid - rb->lsr - rb->dlsr;
	if (rtt > 0x80000000u || now_mid - rb->lsr < rb->dlsr)
		return -ERANGE;
	return rtt;
}
