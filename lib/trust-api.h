/* The trust API of SPEC §3 as messages, without the transport: requests
 * are HTML-form bodies (application/x-www-form-urlencoded), answers are
 * JSON objects parsed with json-c into typed fields under named limits.
 * svopid's HTTPS client (daemon/trust-client.c) sends and receives them;
 * the parser is fuzzed (tests/fuzz/fuzz-trust-api.c).
 *
 * Unknown answer fields are ignored (SPEC: "extra fields are allowed");
 * unknown values of known fields are errors: svopid does not act on a
 * verdict it does not understand. */
#ifndef SVOPI_TRUST_API_H
#define SVOPI_TRUST_API_H

#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"

struct buf;

/* Largest answer body: trustd's answers are a few hundred bytes; anything
 * bigger is not trustd. */
#define TRUST_API_BODY_MAX (16 * 1024)
/* Largest request field value (a PEM certificate of RSA 4096 is ~2 KiB). */
#define TRUST_API_FIELD_MAX (16 * 1024)
/* Largest request body: four fields at worst all percent-encoded, and the
 * names. */
#define TRUST_API_REQUEST_MAX (4 * 3 * TRUST_API_FIELD_MAX + 64)
/* JSON nesting accepted: the answers are flat objects. */
#define TRUST_API_JSON_DEPTH 4
/* Server error messages kept, bytes. */
#define TRUST_API_ERROR_MAX 200
/* Longest status long poll the server honours, seconds (SPEC §3). */
#define TRUST_API_WAIT_MAX 60
/* A voice unlock code: 8 digits, shown "1234-5678". People may type it
 * with dashes or spaces; longer input is refused before it is read. */
#define TRUST_API_VUC_DIGITS 8
#define TRUST_API_VUC_INPUT_MAX 32

enum trust_api_kind {
	TRUST_API_ENROLL,
	TRUST_API_VALIDATE,
	TRUST_API_REDEEM,
	TRUST_API_STATUS,
};

/* Values of the answer fields; _UNSET when the answer did not carry one. */
enum trust_api_certificate {
	TRUST_API_CERT_UNSET,
	TRUST_API_CERT_MATCH,
	TRUST_API_CERT_MISMATCH,
	TRUST_API_CERT_UNKNOWN_USER,
	TRUST_API_CERT_NOT_ENROLLED,
};

enum trust_api_relationship {
	TRUST_API_REL_UNSET,
	TRUST_API_REL_TRUSTED,
	TRUST_API_REL_PENDING,
	TRUST_API_REL_NONE,
};

enum trust_api_role {
	TRUST_API_ROLE_UNSET,
	TRUST_API_ROLE_ISSUER,
	TRUST_API_ROLE_REDEEMER,
};

enum trust_api_redeem {
	TRUST_API_REDEEM_UNSET,
	TRUST_API_REDEEM_TRUSTED,
	TRUST_API_REDEEM_WRONG_CODE,
	TRUST_API_REDEEM_EXPIRED,
	TRUST_API_REDEEM_LOCKED,
	TRUST_API_REDEEM_NO_PENDING,
};

/* A request's fields; the ones its kind does not use are ignored.
 * Strings are borrowed. */
struct trust_api_request {
	enum trust_api_kind kind;
	const char *login;
	const char *password;
	const char *peer;	/* validate, redeem, status */
	const char *cert_pem;	/* enroll, validate */
	const char *vuc;	/* redeem */
	unsigned wait;		/* status: long poll seconds, 0: none */
	enum trust_api_relationship known;	/* status: last seen, sent
						 * as "known"; _UNSET: none */
};

/* What a request came back with. error is 0 or one of:
 *   -EACCES     401: wrong login or password
 *   -EAGAIN     429: too many failed logins, try later
 *   -EINVAL     other 4xx: the server refused the request
 *   -EREMOTEIO  5xx
 *   -EBADMSG    the answer is not the JSON we expect (or 1xx/3xx)
 *   -E2BIG      the answer is over TRUST_API_BODY_MAX
 * or one of the transport's (daemon/trust-client.h). http_status is the
 * HTTP code, 0 without an answer; message is the server's "error" text
 * for a 4xx/5xx (printable ASCII, may be empty). Answer fields not in the
 * answer stay _UNSET / empty / 0 / -1. */
struct trust_api_reply {
	enum trust_api_kind kind;
	int error;
	int http_status;
	unsigned attempts;	/* set by the transport: 1 + retries used */
	char message[TRUST_API_ERROR_MAX + 1];

	char fingerprint[FINGERPRINT_TEXT_SIZE];	/* enroll: ours;
				 * validate: of the cert sent; text form */
	enum trust_api_certificate certificate;		/* validate */
	enum trust_api_relationship relationship;	/* validate, status */
	char vuc[10];		/* validate, "1234-5678" when issued to us */
	int64_t vuc_expires;	/* validate, 0 if none */
	enum trust_api_role role;			/* validate, status */
	enum trust_api_redeem result;			/* redeem */
	int attempts_left;	/* redeem, -1 if absent */
};

/* The request path of kind ("/api/v1/enroll"...), NULL for no kind. */
const char *trust_api_path(enum trust_api_kind kind);
/* The digits of a VUC as a person typed it ("1234-5678", "12345678",
 * "1234 5678"). Returns 0 and out (NUL-terminated), or -EBADMSG (not 8
 * digits), -E2BIG (over TRUST_API_VUC_INPUT_MAX), -EINVAL (NULL). */
int trust_api_vuc_digits(const char *in,
    char out[TRUST_API_VUC_DIGITS + 1]);

/* Appends the form body of rq to out (which should be empty). Returns 0,
 * -EINVAL for a missing or empty field the kind needs, a wait over
 * TRUST_API_WAIT_MAX or a bad kind/known, -E2BIG for a value over
 * TRUST_API_FIELD_MAX or out's limit, -ENOMEM. */
int trust_api_request_encode(const struct trust_api_request *rq,
	struct buf *out);

/* Appends "name=value" (with a leading '&' unless out is empty) to out,
 * percent-encoding every byte of value but ALPHA DIGIT - . _ ~ (name is
 * ours, sent as is). Returns 0, -E2BIG past TRUST_API_FIELD_MAX or out's
 * limit, -ENOMEM, -EINVAL for NULLs. */
int trust_api_form_add(struct buf *out, const char *name, const char *value);

/* A reply of kind with no answer yet: error 0, fields unset. */
void trust_api_reply_init(enum trust_api_kind kind,
	struct trust_api_reply *ret);

/* Reads the HTTP answer (status and body) of a kind request into *ret
 * (initialised here; attempts left 0) and returns ret->error: for 200 the
 * answer's fields, -EBADMSG if the body is not a JSON object, lacks a
 * required field or holds a value we do not know (the fields are then
 * unset); for other codes the error above and the body's "error" (or
 * "message") text. -E2BIG for a body over TRUST_API_BODY_MAX. body need
 * not be NUL-terminated; a NUL in it is -EBADMSG. */
int trust_api_parse_reply(enum trust_api_kind kind, int http_status,
	const char *body, size_t len, struct trust_api_reply *ret);

/* Names of the values as the API writes them ("match", "pending"...), ""
 * for _UNSET, NULL out of range. */
const char *trust_api_kind_to_string(enum trust_api_kind v);
const char *trust_api_certificate_to_string(enum trust_api_certificate v);
const char *trust_api_relationship_to_string(enum trust_api_relationship v);
const char *trust_api_role_to_string(enum trust_api_role v);
const char *trust_api_redeem_to_string(enum trust_api_redeem v);

#endif
