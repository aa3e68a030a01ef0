/* Fuzz target for lib/rtp: the first byte picks RTP or RTCP; RTP that
 * parses is rebuilt with rtp_write and must parse to the same view. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rtp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_packet p, q;
	struct rtp_header h;
	uint8_t out[RTP_PACKET_MAX];
	struct rtp_rtcp_info info;
	int n;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		(void)rtp_rtcp_parse(data + 1, size - 1, &info);
		return 0;
	}
	data++;
	size--;
	(void)rtp_header_parse(data, size, &h);
	if (rtp_parse(data, size, &p) < 0)
		return 0;
	n = rtp_write(&p.hdr, p.payload, p.payload_len, p.pad_len, out,
	    sizeof(out));
	if (n < 0)
		abort();
	if (rtp_parse(out, (size_t)n, &q) < 0 ||
	    q.hdr.seq != p.hdr.seq || q.hdr.ssrc != p.hdr.ssrc ||
	    q.hdr.cc != p.hdr.cc || q.payload_len != p.payload_len ||
	    q.pad_len != p.pad_len || q.hdr.ext_len != p.hdr.ext_len ||
	    memcmp(q.payload, p.payload, p.payload_len) != 0)
		abort();
	return 0;
}
