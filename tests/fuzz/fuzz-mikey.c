/* Fuzz target for the MIKEY parser and everything that reads peer bytes:
 * mikey_decode (with the invariant that a decoded message re-encodes to
 * the same length and decodes again), SP judging, the responder and the
 * initiator paths of mikey-msg (time check off so inputs get past T), error
 * messages and state files. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mikey.h"
#include "mikey-msg.h"
#include "mikey-srtp.h"
#include "../unit/test-mikey-util.h"

static struct tpeer alice, bob;
static struct mikey_init_state *offer;

static void
setup(void)
{
	struct mikey_init_params p;
	uint8_t *msg = NULL;
	size_t len = 0;

	tpeer_make(&alice, "sip:alice@example.org", NULL, 2048,
	    MIKEY_SIGN_PKCS1, true);
	tpeer_make(&bob, "sip:bob@example.org", NULL, 2048, MIKEY_SIGN_PSS,
	    true);
	memset(&p, 0, sizeof(p));
	p.self = &alice.id;
	p.peer_uri = "sip:bob@example.org";
	p.ssrc = 1;
	if (mikey_msg_build_init(&p, &offer, &msg, &len) < 0)
		abort();
	free(msg);
}

static void
codec(const uint8_t *data, size_t size)
{
	struct mikey_msg m, again;
	struct mikey_parse_err err;
	enum mikey_srtp_suite s;
	struct buf b;

	if (mikey_decode(data, size, &m, &err) < 0) {
		if (!err.what || err.off > size)
			abort();
		return;
	}
	buf_init(&b, MIKEY_MSG_MAX);
	if (mikey_encode(&m, &b, NULL) < 0 || b.len != size ||
	    mikey_decode(b.data, b.len, &again, NULL) < 0 ||
	    again.n != m.n || again.signed_len != m.signed_len)
		abort();
	buf_release(&b);
	for (size_t i = 0; i < m.n; i++)
		if (m.p[i].type == MIKEY_PT_SP)
			(void)mikey_srtp_suite_from_sp(&m.p[i], 0, &s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mikey_policy pol = { .skip_time_check = true };
	struct mikey_respond_params rp;
	struct mikey_result res;
	struct mikey_fail fail;
	struct mikey_init_state *st = NULL;
	uint8_t *out = NULL, code, digest[32];
	size_t out_len = 0;

	if (!offer)
		setup();
	codec(data, size);
	(void)mikey_msg_digest(data, size, digest);

	memset(&rp, 0, sizeof(rp));
	rp.self = &bob.id;
	rp.policy = &pol;
	rp.ssrc = 2;
	if (mikey_msg_respond(data, size, &rp, &res, &out, &out_len,
	    &fail) == 0) {
		mikey_result_clear(&res);
		free(out);
	}
	if (mikey_msg_finish(offer, data, size, &pol, 0, &res, &fail) == 0)
		mikey_result_clear(&res);
	(void)mikey_msg_parse_error(data, size, bob.der, bob.der_len, &code);
	if (mikey_init_state_load(data, size, &st) == 0)
		mikey_init_state_free(st);
	return 0;
}
