/* Fuzzes the SDP parser and every accessor the daemon uses. */
#include <stdlib.h>

#include "fuzz.h"
#include "sdp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session *s;

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
