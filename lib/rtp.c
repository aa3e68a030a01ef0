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

int
rtp_rtcp_write_sr(const struct rtp_rtcp_sr *sr, const char *cname,
    size_t cname_len, uint8_t *out, size_t cap)
{
	size_t sdes_len, chunk, need;

	if (!sr || !cname || cname_len == 0 || cname_len > RTCP_CNAME_MAX ||
	    !out)
		return -EINVAL;
	/* SDES chunk: SSRC, item (type, length, text), then at least one
	 * zero byte ending the item list, padded to a 32-bit boundary. */
	chunk = 4 + 2 + cname_len + 1;
	chunk = (chunk + 3) & ~(size_t)3;
	sdes_len = 4 + chunk;
	need = 28 + sdes_len;
	if (need > cap || need > RTCP_PACKET_MAX)
		return -E2BIG;

	memset(out, 0, need);
	/* SR, RC = 0, length in 32-bit words minus one. */
	out[0] = RTP_VERSION << 6;
	out[1] = RTCP_PT_SR;
	put16(out + 2, 28 / 4 - 1);
	put32(out + 4, sr->ssrc);
	put32(out + 8, (uint32_t)(sr->ntp >> 32));
	put32(out + 12, (uint32_t)sr->ntp);
	put32(out + 16, sr->rtp_ts);
	put32(out + 20, sr->packets);
	put32(out + 24, sr->octets);
	/* SDES, SC = 1. */
	out[28] = RTP_VERSION << 6 | 1;
	out[29] = RTCP_PT_SDES;
	put16(out + 30, (uint16_t)(sdes_len / 4 - 1));
	put32(out + 32, sr->ssrc);
	out[36] = RTCP_SDES_CNAME;
	out[37] = (uint8_t)cname_len;
	memcpy(out + 38, cname, cname_len);
	return (int)need;
}

int
rtp_rtcp_parse(const uint8_t *data, size_t len, uint8_t *ret_pt,
    uint32_t *ret_ssrc, struct rtp_rtcp_sr *ret_sr)
{
	struct buf_reader r;
	struct rtp_rtcp_sr sr;
	uint8_t first_pt = 0;
	uint32_t first_ssrc = 0;
	unsigned n = 0;
	int rc;

	if (len > RTCP_PACKET_MAX)
		return -E2BIG;
	memset(&sr, 0, sizeof(sr));
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
		if (b0 & 0x20) {
			if (buf_reader_left(&r) > 0 || plen == 0 ||
			    p[plen - 1] == 0 || p[plen - 1] > plen)
				return -EBADMSG;
		}
		buf_reader_init(&body, p, plen);
		if (n == 1) {
			if (pt != RTCP_PT_SR && pt != RTCP_PT_RR)
				return -EBADMSG;
			if (b0 & 0x20)
				return -EBADMSG;
			/* The report count must fit: 20 (SR sender info)
			 * plus 24 per report block, after the SSRC. */
			if ((rc = buf_read_u32(&body, &first_ssrc)) < 0)
				return -EBADMSG;
			if ((size_t)(b0 & 0x1f) * 24 + (pt == RTCP_PT_SR ?
			    20 : 0) > buf_reader_left(&body))
				return -EBADMSG;
			first_pt = pt;
			if (pt == RTCP_PT_SR) {
				uint32_t hi, lo;

				sr.ssrc = first_ssrc;
				if (buf_read_u32(&body, &hi) < 0 ||
				    buf_read_u32(&body, &lo) < 0 ||
				    buf_read_u32(&body, &sr.rtp_ts) < 0 ||
				    buf_read_u32(&body, &sr.packets) < 0 ||
				    buf_read_u32(&body, &sr.octets) < 0)
					return -EBADMSG;
				sr.ntp = (uint64_t)hi << 32 | lo;
			}
		}
	}
	if (n == 0)
		return -ENODATA;
	*ret_pt = first_pt;
	*ret_ssrc = first_ssrc;
	if (ret_sr)
		*ret_sr = sr;
	return 0;
}
