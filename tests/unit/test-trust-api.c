/* lib/trust-api: request bodies and the JSON answers of SPEC §3. */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "trust-api.h"
#include "test.h"

static const char fp_key[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char fp_text[] =
	"E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:"
	"27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55";

/* The body of rq as a string (static), or NULL with *ret_r set. */
static const char *
encode(const struct trust_api_request *rq, int *ret_r)
{
	static char out[256];
	struct buf b;

	buf_init(&b, sizeof(out) - 1);
	*ret_r = trust_api_request_encode(rq, &b);
	if (*ret_r < 0) {
		buf_release(&b);
		return NULL;
	}
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	buf_release(&b);
	return out;
}

static void
test_requests(void)
{
	struct trust_api_request rq = {
		.kind = TRUST_API_VALIDATE, .login = "a@b", .password = "p w&%",
		.peer = "sip:c@d", .cert_pem = "-----BEGIN\n",
	};
	const char *s;
	int r;

	s = encode(&rq, &r);
	CHECK(s && strcmp(s, "login=a%40b&password=p%20w%26%25&peer=sip%3Ac%40d"
		"&cert=-----BEGIN%0A") == 0);
	rq.kind = TRUST_API_STATUS;
	rq.wait = 60;
	rq.known = TRUST_API_REL_PENDING;
	s = encode(&rq, &r);
	CHECK(s && strcmp(s, "login=a%40b&password=p%20w%26%25&peer=sip%3Ac%40d"
		"&known=pending&wait=60") == 0);
	rq.wait = 61;
	CHECK(encode(&rq, &r) == NULL && r == -EINVAL);
	rq.wait = 0;
	rq.known = 9;
	CHECK(encode(&rq, &r) == NULL && r == -EINVAL);
	rq.known = TRUST_API_REL_UNSET;
	rq.kind = TRUST_API_REDEEM;	/* no vuc */
	CHECK(encode(&rq, &r) == NULL && r == -EINVAL);
	rq.vuc = "";
	CHECK(encode(&rq, &r) == NULL && r == -EINVAL);
	rq.vuc = "1234-5678";
	s = encode(&rq, &r);
	CHECK(s && strstr(s, "&vuc=1234-5678") != NULL);
	/* Over the buffer's limit. */
	rq.kind = TRUST_API_ENROLL;
	rq.cert_pem = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
		"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
		"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n";
	CHECK(encode(&rq, &r) == NULL && r == -E2BIG);
	rq.kind = 7;
	CHECK(encode(&rq, &r) == NULL && r == -EINVAL);
	CHECK(strcmp(trust_api_path(TRUST_API_REDEEM), "/api/v1/redeem") == 0);
	CHECK(trust_api_path(4) == NULL);
}

static const struct {
	enum trust_api_kind kind;
	int status;
	const char *body;
	int error;
} answers[] = {
	/* SPEC §3 answers, extra fields allowed */
	{ TRUST_API_ENROLL, 200, "{\"fingerprint\":\"E3B0C44298FC1C149AFBF4C8996"
	  "FB92427AE41E4649B934CA495991B7852B855\",\"changed\":true}", 0 },
	{ TRUST_API_VALIDATE, 200, "{\"peer\":\"b@c\",\"certificate\":\"match\","
	  "\"relationship\":\"pending\",\"vuc\":\"1234-5678\",\"vuc_expires\":"
	  "1900000000,\"role\":\"issuer\"}\n", 0 },
	{ TRUST_API_REDEEM, 200, "{\"result\":\"wrong-code\","
	  "\"attempts_left\":4}", 0 },
	{ TRUST_API_STATUS, 200, "{\"relationship\":\"trusted\","
	  "\"role\":\"redeemer\"}", 0 },
	/* refused */
	{ TRUST_API_ENROLL, 200, "{}", -EBADMSG },
	{ TRUST_API_ENROLL, 200, "{\"fingerprint\":\"e3b0\"}", -EBADMSG },
	{ TRUST_API_VALIDATE, 200, "{\"certificate\":\"match\"}", -EBADMSG },
	{ TRUST_API_VALIDATE, 200, "{\"certificate\":\"maybe\"}", -EBADMSG },
	{ TRUST_API_VALIDATE, 200, "{\"certificate\":\"mismatch\","
	  "\"vuc\":\"12345678\"}", -EBADMSG },
	{ TRUST_API_REDEEM, 200, "{\"result\":\"trusted\","
	  "\"attempts_left\":-1}", -EBADMSG },
	{ TRUST_API_REDEEM, 200, "{\"result\":\"trusted\"} x", -EBADMSG },
	{ TRUST_API_STATUS, 200, "[]", -EBADMSG },
	{ TRUST_API_STATUS, 200, "{\"a\":{\"b\":{\"c\":{\"d\":{}}}},"
	  "\"relationship\":\"none\"}", -EBADMSG },
	{ TRUST_API_STATUS, 200, "", -EBADMSG },
	/* HTTP errors */
	{ TRUST_API_VALIDATE, 401, "{\"error\":\"wrong login or password\"}",
	  -EACCES },
	{ TRUST_API_VALIDATE, 429, "", -EAGAIN },
	{ TRUST_API_VALIDATE, 400, "not json", -EINVAL },
	{ TRUST_API_VALIDATE, 503, "{\"message\":\"db\\u0001\"}", -EREMOTEIO },
	{ TRUST_API_VALIDATE, 302, "", -EBADMSG },
};

static void
test_answers(void)
{
	struct trust_api_reply rep;

	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		int r = trust_api_parse_reply(answers[i].kind,
			answers[i].status, answers[i].body,
			strlen(answers[i].body), &rep);

		CHECK_EQ_INT(r, answers[i].error);
		CHECK_EQ_INT(rep.error, answers[i].error);
		CHECK_EQ_INT(rep.http_status, answers[i].status);
		CHECK_EQ_INT(rep.kind, answers[i].kind);
		if (r != answers[i].error)
			fprintf(stderr, "answer %zu: %d\n", i, r);
	}
	trust_api_parse_reply(TRUST_API_ENROLL, 200, answers[0].body,
		strlen(answers[0].body), &rep);
	CHECK(strcmp(rep.fingerprint, fp_text) == 0);
	trust_api_parse_reply(TRUST_API_VALIDATE, 200, answers[1].body,
		strlen(answers[1].body), &rep);
	CHECK_EQ_INT(rep.certificate, TRUST_API_CERT_MATCH);
	CHECK_EQ_INT(rep.relationship, TRUST_API_REL_PENDING);
	CHECK_EQ_INT(rep.role, TRUST_API_ROLE_ISSUER);
	CHECK(strcmp(rep.vuc, "1234-5678") == 0);
	CHECK_EQ_INT(rep.vuc_expires, 1900000000);
	CHECK_EQ_INT(rep.attempts_left, -1);
	trust_api_parse_reply(TRUST_API_REDEEM, 200, answers[2].body,
		strlen(answers[2].body), &rep);
	CHECK_EQ_INT(rep.result, TRUST_API_REDEEM_WRONG_CODE);
	CHECK_EQ_INT(rep.attempts_left, 4);
	trust_api_parse_reply(TRUST_API_VALIDATE, 401, answers[14].body,
		strlen(answers[14].body), &rep);
	CHECK(strcmp(rep.message, "wrong login or password") == 0);
	trust_api_parse_reply(TRUST_API_VALIDATE, 503, answers[17].body,
		strlen(answers[17].body), &rep);
	CHECK(strcmp(rep.message, "db?") == 0);
	/* The key form is read too, and given back in the text form. */
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"fingerprint\":\"%s\"}", fp_key);
		CHECK_EQ_INT(trust_api_parse_reply(TRUST_API_ENROLL, 200, body,
			strlen(body), &rep), 0);
		CHECK(strcmp(rep.fingerprint, fp_text) == 0);
	}
	/* A NUL inside the body, and one byte over the limit. */
	CHECK_EQ_INT(trust_api_parse_reply(TRUST_API_STATUS, 200,
		"{\"relationship\":\"none\"}\0", 26, &rep), -EBADMSG);
	{
		static char big[TRUST_API_BODY_MAX + 1];

		memset(big, ' ', sizeof(big));
		CHECK_EQ_INT(trust_api_parse_reply(TRUST_API_STATUS, 200, big,
			sizeof(big), &rep), -E2BIG);
	}
	CHECK(strcmp(trust_api_relationship_to_string(TRUST_API_REL_NONE),
		"none") == 0);
	CHECK(strcmp(trust_api_certificate_to_string(TRUST_API_CERT_UNSET),
		"") == 0);
	CHECK(trust_api_role_to_string(9) == NULL);
}

/* VUCs as people type them. */
static void
test_vuc_digits(void)
{
	static const struct { const char *in; int r; const char *out; } t[] = {
		{ "1234-5678", 0, "12345678" },
		{ "12345678", 0, "12345678" },
		{ " 1234 5678 ", 0, "12345678" },
		{ "", -EBADMSG, NULL },
		{ "1234-567", -EBADMSG, NULL },
		{ "1234-56789", -EBADMSG, NULL },
		{ "1234-567a", -EBADMSG, NULL },
		{ "\xff\xfe", -EBADMSG, NULL },
		{ "--------------------------------1", -E2BIG, NULL },
	};
	char out[TRUST_API_VUC_DIGITS + 1];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(trust_api_vuc_digits(t[i].in, out) == t[i].r);
		if (t[i].out)
			CHECK(strcmp(out, t[i].out) == 0);
	}
	CHECK(trust_api_vuc_digits(NULL, out) == -EINVAL);
}

int
main(void)
{
	test_vuc_digits();
	test_requests();
	test_answers();
	return test_exit();
}
