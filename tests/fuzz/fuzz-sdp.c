/* Fuzzes the SDP parser and every accessor the daemon uses, codec
 * negotiation included. */
#include <stdlib.h>

#include "fuzz.h"
#include "sdp.h"
#include "sdp-codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session *s;

	static const struct sdp_codec ours[] = {
		{ 111, "opus", 48000, 2, NULL }, { 0, "PCMU", 8000, 0, NULL },
		{ 8, "PCMA", 8000, 0, NULL },
		{ 101, "telephone-event", 48000, 0, NULL },
		{ 100, "telephone-event", 8000, 0, NULL },
	};
	struct sdp_codec_choice ch;

	if (sdp_parse(data, size, &s) < 0)
		return 0;
	(void)sdp_has_crypto(s);
	for (size_t m = 0; m < s->nmedia; m++) {
		struct sip_str v;
		struct sdp_rtpmap map;
		uint8_t *d;
		size_t n;

		(void)sdp_media_conn(s, m);
		(void)sdp_media_direction(s, m);
		(void)sdp_ptime(s, m);
		/* A choice names a payload type the description lists. */
		for (int answerer = 0; answerer < 2; answerer++)
			if (sdp_codec_negotiate(s, m, ours, 5, answerer, &ch) ==
			    0 && (ch.pt > 127 || (ch.dtmf_pt && ch.dtmf_pt == ch.pt) ||
			    !ch.rate))
				abort();
		(void)sdp_key_mgmt(s, m, &v);
		if (sdp_key_mgmt_decode(s, m, &d, &n) == 0)
			free(d);
		for (size_t f = 0; f < s->media[m].nfmt; f++) {
			uint32_t pt;

			if (sip_str_u32(s->media[m].fmt[f], 127, &pt) == 0) {
				(void)sdp_rtpmap(s, m, pt, &map);
				(void)sdp_fmtp(s, m, pt, &v);
			}
		}
	}
	sdp_free(s);
	return 0;
}
