/* Fuzz target: lib/trust-api, the JSON answers of the trust server. The
 * first byte picks the kind and the HTTP status, the rest is the body.
 * Every answer either parses into values the API defines or is refused
 * with one of the documented errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "trust-api.h"

static void
check_sane(const struct trust_api_reply *rep)
{
	size_t n = strlen(rep->fingerprint);

	if (n != 0 && n != FINGERPRINT_TEXT_SIZE - 1)
		abort();
	n = strlen(rep->vuc);
	if (n != 0 && (n != 9 || rep->vuc[4] != '-'))
		abort();
	if (strlen(rep->message) > TRUST_API_ERROR_MAX)
		abort();
	for (const char *p = rep->message; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();
	if (rep->vuc_expires < 0 || rep->attempts_left < -1 ||
	    rep->attempts_left > 1000 ||
	    !trust_api_certificate_to_string(rep->certificate) ||
	    !trust_api_relationship_to_string(rep->relationship) ||
	    !trust_api_role_to_string(rep->role) ||
	    !trust_api_redeem_to_string(rep->result))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int statuses[] = { 200, 200, 401, 500 };
	struct trust_api_reply rep;
	enum trust_api_kind kind;
	int status, r;

	if (size < 1)
		return 0;
	kind = (enum trust_api_kind)(data[0] & 3);
	status = statuses[(data[0] >> 2) & 3];
	r = trust_api_parse_reply(kind, status, (const char *)data + 1,
		size - 1, &rep);
	if (r != rep.error || rep.kind != kind || rep.http_status != status)
		abort();
	if (status == 200 && r != 0 && r != -EBADMSG && r != -E2BIG)
		abort();
	if (status != 200 && r == 0)
		abort();
	check_sane(&rep);
	return 0;
}
