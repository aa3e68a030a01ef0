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

/* One reception report block (RFC 3550 §6.4.1). */
struct rtp_report_block {
	uint32_t ssrc;		/* the source it is about */
	uint8_t fraction_lost;	/* since the last report, /256 */
	int32_t lost;		/* cumulative, 24-bit signed */
	uint32_t ext_max_seq;	/* cycles << 16 | highest seq */
	uint32_t jitter;	/* in timestamp units */
	uint32_t lsr;		/* middle 32 bits of the last SR's NTP */
	uint32_t dlsr;		/* delay since that SR, 1/65536 s */
};

/* Writes a compound RTCP packet: SR with zero or one report block (rb may
 * be NULL) followed by SDES with one chunk (the SR's SSRC) holding a CNAME
 * item of cname_len bytes (1..RTCP_CNAME_MAX). Returns the length (a
 * multiple of 4), -EINVAL or -E2BIG (cap too small). */
int rtp_rtcp_write_sr(const struct rtp_rtcp_sr *sr,
    const struct rtp_report_block *rb, const char *cname, size_t cname_len,
    uint8_t *out, size_t cap);

/* What rtp_rtcp_parse reports about a compound packet. */
struct rtp_rtcp_info {
	uint8_t pt;		/* first packet: RTCP_PT_SR or RTCP_PT_RR */
	uint32_t ssrc;		/* its sender */
	struct rtp_rtcp_sr sr;	/* if pt is SR, else zero */
	unsigned n_blocks;	/* report blocks in the first packet */
	struct rtp_report_block block;	/* the first of them, if any */
};

/* Checks a (plaintext) compound RTCP packet per RFC 3550 A.2: every packet
 * version 2, the first an SR or RR without padding whose report blocks fit,
 * only the last may pad, lengths add up exactly to len, at most
 * RTCP_COMPOUND_MAX packets. Returns 0 and *ret_info, -ENODATA (empty or
 * truncated), -EBADMSG or -E2BIG. */
int rtp_rtcp_parse(const uint8_t *data, size_t len,
    struct rtp_rtcp_info *ret_info);

/* Reception statistics of one source (RFC 3550 A.1, A.3, A.8), fed with
 * authenticated packets only, so there is no probation. Zero-initialise. */
#define RTP_MAX_DROPOUT		3000
#define RTP_MAX_MISORDER	100
struct rtp_rx_stats {
	bool init;
	uint16_t max_seq;
	uint32_t cycles;	/* count of wraps << 16 */
	uint32_t base_seq;
	uint32_t received;
	uint32_t expected_prior, received_prior;
	uint32_t transit;
	uint32_t jitter;	/* x16, as in A.8 */
};

/* Accounts one packet; arrival is the arrival time in the stream's
 * timestamp units (any origin, wrapping allowed). */
void rtp_rx_update(struct rtp_rx_stats *s, uint16_t seq, uint32_t ts,
    uint32_t arrival);
/* Packets lost so far (expected - received; negative with duplicates). */
int64_t rtp_rx_lost(const struct rtp_rx_stats *s);
/* Interarrival jitter in timestamp units. */
uint32_t rtp_rx_jitter(const struct rtp_rx_stats *s);
/* Fills a report block for ssrc (lsr/dlsr from the caller) and starts a
 * new interval for fraction_lost. */
void rtp_rx_report(struct rtp_rx_stats *s, uint32_t ssrc, uint32_t lsr,
    uint32_t dlsr, struct rtp_report_block *ret_rb);
/* Round-trip time in 1/65536 s from a report block about us (RFC 3550
 * §6.4.1): now_mid is the middle 32 bits of the NTP time the report
 * arrived. Returns it, or -ENODATA if the block has no LSR (no SR seen
 * yet) and -ERANGE if the numbers are inconsistent. */
int64_t rtp_rtcp_rtt(uint32_t now_mid, const struct rtp_report_block *rb);

#endif
