/* Fuzzes SIP framing, parsing, validation and everything the daemon does
 * with a parsed message: header lookups, Warning and digest header
 * parsing, the SDP body, AORs and building a response. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "digest.h"
#include "fuzz.h"
#include "sdp.h"
#include "sip-msg.h"
#include "sip-out.h"

static void
use(const struct sip_msg *m)
{
	const struct sip_header *h;
	struct sip_problem why;
	struct buf b;

	(void)sip_msg_validate(m, &why);
	for (size_t i = 0; (h = sip_msg_header(m, SIP_HDR_WWW_AUTHENTICATE,
	    i)) != NULL || (h = sip_msg_header(m, SIP_HDR_PROXY_AUTHENTICATE,
	    i)) != NULL; i++) {
		struct digest_challenge c;
		struct digest_request r = { "u", "p", "INVITE", "sip:x", "c",
		    1 };
		char out[DIGEST_HEX_MAX];

		if (digest_challenge_parse(h->value, &c) == 0)
			(void)digest_response(&c, &r, out);
	}
	for (size_t i = 0; (h = sip_msg_header(m, SIP_HDR_AUTHORIZATION, i));
	    i++) {
		struct digest_credentials cr;

		if (digest_credentials_parse(h->value, &cr) == 0)
			(void)digest_verify(&cr, "p", "INVITE");
	}
	for (size_t i = 0; (h = sip_msg_header(m, SIP_HDR_WARNING, i)); i++) {
		struct sip_str rest = h->value, item;
		struct sip_warning w;

		while (sip_str_list_next(&rest, &item) > 0)
			(void)sip_warning_parse(item, &w);
	}
	(void)sip_msg_has_token(m, SIP_HDR_SUPPORTED, "timer");
	(void)sip_msg_header_named(m, "x-unknown", 0);
	if (sip_str_caseeq(m->content_type, "application/sdp")) {
		struct sdp_session *s;

		if (sdp_parse((const uint8_t *)m->body.p, m->body.len,
		    &s) == 0)
			sdp_free(s);
	}
	buf_init(&b, SIP_URI_AOR_MAX);
	(void)sip_uri_aor(&m->from.uri, &b);
	buf_release(&b);
	(void)sip_uri_aor_equal(&m->from.uri, &m->to.uri);
	(void)sip_uri_equal(&m->from.uri, &m->to.uri);
	if (m->request) {
		buf_init(&b, SIP_MSG_MAX);
		(void)sip_out_response_to(&b, m, 200, NULL, "tag");
		(void)sip_out_end(&b, NULL, NULL, 0);
		if (b.err == 0) {
			struct sip_msg *r;
			int rc = sip_msg_parse(b.data, b.len,
			    SIP_PARSE_STREAM, &r);

			/* What we build from a request must parse; only a
			 * limit may bite (compact names grow to full). */
			if (rc == 0)
				sip_msg_free(r);
			else if (rc != -E2BIG)
				abort();
		}
		buf_release(&b);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_msg *m;
	size_t len;
	int rc;

	if (sip_msg_parse(data, size, 0, &m) == 0) {
		use(m);
		sip_msg_free(m);
	}
	rc = sip_msg_frame(data, size, &len);
	if (rc == SIP_FRAME_MSG) {
		if (len > size)
			abort();
		if (sip_msg_parse(data, len, SIP_PARSE_STREAM, &m) == 0)
			sip_msg_free(m);
	}
	return 0;
}
