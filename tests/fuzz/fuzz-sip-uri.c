/* Fuzzes URI parsing, AOR normalisation and comparison, and the
 * name-addr and Via element parsers. */
#include "buf.h"
#include "fuzz.h"
#include "sip-msg.h"
#include "sip-uri.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_str s = { (const char *)data, size };
	struct sip_uri u, v;
	struct sip_nameaddr na;
	struct sip_via via;
	size_t half = size / 2;

	if (sip_uri_parse(s.p, s.len, &u) == 0) {
		struct buf b;

		buf_init(&b, SIP_URI_AOR_MAX);
		(void)sip_uri_aor(&u, &b);
		buf_release(&b);
		(void)sip_uri_equal(&u, &u);
		(void)sip_uri_aor_equal(&u, &u);
	}
	if (sip_uri_parse(s.p, half, &u) == 0 &&
	    sip_uri_parse(s.p + half, size - half, &v) == 0) {
		(void)sip_uri_equal(&u, &v);
		(void)sip_uri_aor_equal(&u, &v);
	}
	(void)sip_nameaddr_parse(s, &na);
	(void)sip_via_parse(s, &via);
	return 0;
}
