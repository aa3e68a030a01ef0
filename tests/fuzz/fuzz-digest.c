/* Fuzzes digest challenge and credentials parsing and the hashing that
 * follows a successful parse. */
#include "buf.h"
#include "digest.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_str s = { (const char *)data, size };
	struct digest_challenge c;
	struct digest_credentials cr;

	if (digest_challenge_parse(s, &c) == 0) {
		struct digest_request r = { "alice", "secret", "REGISTER",
		    "sip:example.org", "0a4f113b", 1 };
		struct buf b;

		buf_init(&b, DIGEST_HEADER_MAX);
		if (digest_authorization(&c, &r, &b) == 0 &&
		    digest_credentials_parse((struct sip_str){
		    (const char *)b.data, b.len }, &cr) == 0 &&
		    digest_verify(&cr, "secret", "REGISTER") != 0)
			__builtin_trap();	/* our own value must verify */
		buf_release(&b);
	}
	if (digest_credentials_parse(s, &cr) == 0)
		(void)digest_verify(&cr, "secret", "REGISTER");
	return 0;
}
