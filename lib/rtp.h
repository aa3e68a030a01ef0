/* RTP and RTCP packet framing (RFC 3550): build and parse the RTP fixed
 * header with CSRCs, header extension and padding, and build/check the
 * compound RTCP packets svopi sends (SR + SDES CNAME). Pure: no crypto here;
 * SRTP protection is the media plane's job (daemon/media.c).
 *
 * Parsed views borrow from the input buffer and are valid while it is.
 */
#ifndef SVOPI_RTP_H
#define SVOPI_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION		2
/* Fixed header without CSRCs. */
#define RTP_HEADER_MIN		12
/* The CC field has four bits. */
#define RTP_CSRC_MAX		15
/* Largest RTP packet (header + payload + padding, before the SRTP tag) we
 * build or accept: an Ethernet MTU minus IPv6 and UDP headers, so that a
 * packet is never fragmented. Voice frames are far smaller (PCMU 20 ms is
 * 172 bytes, Opus a few hundred). */
#define RTP_PACKET_MAX		1452
/* Payload types are seven bits. */
#define RTP_PT_MAX		127

/* RTCP (RFC 3550 §6). */
#define RTCP_PT_SR		200
#define RTCP_PT_RR		201
#define RTCP_PT_SDES		202
#define RTCP_PT_BYE		203
#define RTCP_PT_APP		204
#define RTCP_SDES_CNAME		1
/* Longest CNAME we put in an SDES item (the item length is one byte). */
#define RTCP_CNAME_MAX		255
/* Largest compound RTCP packet we build or accept (before SRTCP). */
#define RTCP_PACKET_MAX		RTP_PACKET_MAX
/* Most packets we walk in one compound RTCP packet. */
#define RTCP_COMPOUND_MAX	16

struct rtp_header {
	bool padding;		/* P: ignored by rtp_write (pad_len decides) */
	bool extension;		/* X */
	bool marker;		/* M */
	uint8_t pt;		/* 0..127 */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t cc;		/* number of CSRCs, 0..15 */
	uint32_t csrc[RTP_CSRC_MAX];
	/* Header extension (when extension): the 16-bit profile word and
	 * ext_len bytes of data, a multiple of 4. */
	uint16_t ext_profile;
	const uint8_t *ext_data;
	size_t ext_len;
	/* Bytes of the header as parsed (fixed + CSRC + extension). */
	size_t hdr_len;
};

struct rtp_packet {
	struct rtp_header hdr;
	const uint8_t *payload;
	size_t payload_len;
	size_t pad_len;		/* padding bytes, including the count byte */
};

/* Parses only the header of an RTP packet: version 2, CSRC list and
 * extension within len. Does not look at the payload or padding, so it also
 * works on an SRTP packet whose payload is still encrypted (the caller
 * bounds len). Returns 0 and *ret_hdr, -ENODATA (shorter than the header
 * says) or -EBADMSG (not version 2). */
int rtp_header_parse(const uint8_t *data, size_t len,
    struct rtp_header *ret_hdr);

/* Parses a whole (plaintext) RTP packet: header as above, then the padding
 * (P bit: the last byte counts padding bytes, at least 1, within the
 * payload area). Returns 0 and *ret_pkt, -EBADMSG or -E2BIG (len over
 * RTP_PACKET_MAX); -ENODATA if shorter than its header. */
int rtp_parse(const uint8_t *data, size_t len, struct rtp_packet *ret_pkt);

/* Writes an RTP packet: the header from hdr (pt <= 127, cc <= 15, ext_len a
 * multiple of 4 and < 256 KiB), the payload, and pad_len bytes of padding
 * (0 = none, else 1..255 with the last byte = pad_len and the P bit set).
 * Returns the packet length, -EINVAL for a bad header, -E2BIG if it would
 * exceed cap or RTP_PACKET_MAX. */
int rtp_write(const struct rtp_header *hdr, const uint8_t *payload,
    size_t payload_len, size_t pad_len, uint8_t *out, size_t cap);

/* What an RTCP sender report says about the sender. */
struct rtp_rtcp_sr {
	uint32_t ssrc;
	uint64_t ntp;		/* NTP timestamp, 32.32 fixed point */
	uint32_t rtp_ts;
	uint32_t packets;
	uint32_t octets;
};

/* Writes a compound RTCP packet: SR without report blocks followed by SDES
 * with one chunk (the SR's SSRC) holding a CNAME item of cname_len bytes
 * (1..RTCP_CNAME_MAX). Returns the length (a multiple of 4), -EINVAL or
 * -E2BIG (cap too small). */
int rtp_rtcp_write_sr(const struct rtp_rtcp_sr *sr, const char *cname,
    size_t cname_len, uint8_t *out, size_t cap);

/* Checks a (plaintext) compound RTCP packet per RFC 3550 A.2: every packet
 * version 2, the first an SR or RR without padding, only the last may pad,
 * lengths add up exactly to len, at most RTCP_COMPOUND_MAX packets.
 * Returns 0 with the first packet's type and sender SSRC, -EBADMSG or
 * -E2BIG. *ret_sr (may be NULL) gets the sender info if the first packet is
 * an SR (else it is zeroed). */
int rtp_rtcp_parse(const uint8_t *data, size_t len, uint8_t *ret_pt,
    uint32_t *ret_ssrc, struct rtp_rtcp_sr *ret_sr);

#endif
