/* Digest authentication: RFC 7616 §3.9.1 and RFC 2617 §3.5 vectors,
 * challenge parsing, Authorization values and server verification. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "digest.h"
#include "test.h"

static const char chal7616[] =
	"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	"algorithm=SHA-256, "
	"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

static const char chal7616_md5[] =
	"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	"algorithm=MD5, "
	"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

static const char chal2617[] =
	"Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
	"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

static void
test_vectors(void)
{
	struct digest_challenge c;
	struct digest_request r = {
		.username = "Mufasa",
		.password = "Circle of Life",
		.method = "GET",
		.uri = "/dir/index.html",
		.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
		.nc = 1,
	};
	char out[DIGEST_HEX_MAX];

	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ chal7616,
	    strlen(chal7616) }, &c), 0);
	CHECK(strcmp(c.realm, "http-auth@example.org") == 0);
	CHECK(strcmp(c.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v")
	    == 0);
	CHECK(strcmp(c.opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
	    == 0);
	CHECK(c.has_opaque);
	CHECK_EQ_INT(c.alg, DIGEST_SHA256);
	CHECK_EQ_INT(c.qop, DIGEST_QOP_AUTH | DIGEST_QOP_AUTH_INT);
	CHECK(!c.stale);
	CHECK_EQ_INT(digest_response(&c, &r, out), 0);
	CHECK(strcmp(out, "753927fa0e85d155564e2e272a28d180"
	    "2ca10daf4496794697cf8db5856cb6c1") == 0);

	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ chal7616_md5,
	    strlen(chal7616_md5) }, &c), 0);
	CHECK_EQ_INT(c.alg, DIGEST_MD5);
	CHECK_EQ_INT(digest_response(&c, &r, out), 0);
	CHECK(strcmp(out, "8ca523f5e9506fed4657c9700eebdbec") == 0);

	/* RFC 2617 §3.5: no algorithm parameter means MD5 */
	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ chal2617,
	    strlen(chal2617) }, &c), 0);
	CHECK_EQ_INT(c.alg, DIGEST_MD5);
	r.password = "Circle Of Life";
	r.cnonce = "0a4f113b";
	CHECK_EQ_INT(digest_response(&c, &r, out), 0);
	CHECK(strcmp(out, "6629fae49393a05397450978507c4ef1") == 0);
}

/* Values cross-checked with an independent implementation (Python
 * hashlib) for the forms the RFCs give no vector for. */
static void
test_forms(void)
{
	static const char noqop[] =
	    "Digest realm=\"atlanta.example.com\", nonce=\"abc123\"";
	static const char sess[] =
	    "Digest realm=\"atlanta.example.com\", nonce=\"abc123\", "
	    "algorithm=SHA-256-sess, qop=\"auth\", stale=TRUE";
	struct digest_challenge c;
	struct digest_request r = {
		.username = "alice",
		.password = "secret",
		.method = "REGISTER",
		.uri = "sip:atlanta.example.com",
	};
	char out[DIGEST_HEX_MAX];

	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ noqop,
	    strlen(noqop) }, &c), 0);
	CHECK_EQ_INT(c.qop, 0);
	CHECK(!c.has_opaque);
	CHECK_EQ_INT(digest_response(&c, &r, out), 0);
	CHECK(strcmp(out, "9bf706a0bc0c5b167b95855109c5532e") == 0);

	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ sess,
	    strlen(sess) }, &c), 0);
	CHECK_EQ_INT(c.alg, DIGEST_SHA256_SESS);
	CHECK(c.stale);
	r.method = "INVITE";
	r.uri = "sip:bob@biloxi.example.com";
	r.cnonce = "c0ffee";
	r.nc = 42;
	CHECK_EQ_INT(digest_response(&c, &r, out), 0);
	CHECK(strcmp(out, "22d6e1c4f4e86fd5fc6352f75cd03180"
	    "748b325cfa3abbdd25171dfd010cd170") == 0);
	/* qop needs a cnonce */
	r.cnonce = NULL;
	CHECK_EQ_INT(digest_response(&c, &r, out), -EINVAL);
	/* -sess needs qop: the cnonce is part of HA1 */
	c.qop = 0;
	CHECK_EQ_INT(digest_response(&c, &r, out), -EINVAL);
	/* auth-int alone is not supported */
	c.qop = DIGEST_QOP_AUTH_INT;
	r.cnonce = "x";
	CHECK_EQ_INT(digest_response(&c, &r, out), -EINVAL);
}

static const struct {
	const char *value;
	int rc;
} chal_cases[] = {
	{ "Digest realm=\"r\", nonce=\"n\"", 0 },
	{ "digest  realm=r,nonce=n", 0 },
	{ "Digest realm=\"r\",nonce=\"n\",domain=\"sip:x\",x-unknown=1", 0 },
	{ "Digest realm=\"a\\\"b\", nonce=\"n\"", 0 },
	{ "Basic realm=\"r\"", -EBADMSG },
	{ "Digest", -EBADMSG },
	{ "Digest nonce=\"n\"", -EBADMSG },
	{ "Digest realm=\"r\"", -EBADMSG },
	{ "Digest realm=\"r\", nonce=\"n\", realm=\"s\"", -EBADMSG },
	{ "Digest realm=\"r, nonce=\"n\"", -EBADMSG },
	{ "Digest realm=\"r\" nonce=\"n\"", -EBADMSG },
	{ "Digest realm=, nonce=\"n\"", -EBADMSG },
	{ "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
	  -EPROTONOSUPPORT },
	{ "Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5",
	  -EPROTONOSUPPORT },
};

static void
test_challenges(void)
{
	struct digest_challenge c;
	char *big;

	for (size_t i = 0; i < sizeof(chal_cases) / sizeof(*chal_cases);
	    i++) {
		const char *v = chal_cases[i].value;
		int rc = digest_challenge_parse((struct sip_str){ v,
		    strlen(v) }, &c);

		if (rc != chal_cases[i].rc)
			fprintf(stderr, "%s: %d\n", v, rc);
		CHECK_EQ_INT(rc, chal_cases[i].rc);
	}
	CHECK_EQ_INT(digest_challenge_parse(SIP_STR(
	    "Digest realm=\"a\\\"b\", nonce=\"n\""), &c), 0);
	CHECK(strcmp(c.realm, "a\"b") == 0);
	/* limits */
	big = malloc(DIGEST_HEADER_MAX + 64);
	memset(big, 'a', DIGEST_HEADER_MAX + 64);
	memcpy(big, "Digest realm=\"", 14);
	memcpy(big + 14 + DIGEST_FIELD_MAX + 1, "\", nonce=n", 10);
	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ big,
	    14 + DIGEST_FIELD_MAX + 11 }, &c), -E2BIG);
	memcpy(big + 14 + DIGEST_FIELD_MAX, "\", nonce=n", 10);
	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ big,
	    14 + DIGEST_FIELD_MAX + 10 }, &c), 0);
	CHECK_EQ_INT(strlen(c.realm), DIGEST_FIELD_MAX);
	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ big,
	    DIGEST_HEADER_MAX + 1 }, &c), -E2BIG);
	free(big);
}

static void
test_authorization_roundtrip(void)
{
	struct digest_challenge c;
	struct digest_credentials cr;
	struct digest_request r = {
		.username = "Mufasa",
		.password = "Circle of Life",
		.method = "GET",
		.uri = "/dir/index.html",
		.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
		.nc = 1,
	};
	struct buf b;
	static const char want[] =
	    "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
	    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	    "uri=\"/dir/index.html\", "
	    "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
	    "algorithm=SHA-256, "
	    "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
	    "qop=auth, nc=00000001, "
	    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

	CHECK_EQ_INT(digest_challenge_parse((struct sip_str){ chal7616,
	    strlen(chal7616) }, &c), 0);
	buf_init(&b, DIGEST_HEADER_MAX);
	CHECK_EQ_INT(digest_authorization(&c, &r, &b), 0);
	CHECK(b.len == sizeof(want) - 1 && memcmp(b.data, want, b.len) == 0);
	if (b.len != sizeof(want) - 1 || memcmp(b.data, want, b.len) != 0)
		fprintf(stderr, "%.*s\n", (int)b.len, (const char *)b.data);
	/* the server side takes it back and verifies it */
	CHECK_EQ_INT(digest_credentials_parse((struct sip_str){
	    (const char *)b.data, b.len }, &cr), 0);
	CHECK(strcmp(cr.username, "Mufasa") == 0);
	CHECK(strcmp(cr.uri, "/dir/index.html") == 0);
	CHECK_EQ_INT(cr.nc, 1);
	CHECK_EQ_INT(cr.qop, DIGEST_QOP_AUTH);
	CHECK_EQ_INT(cr.alg, DIGEST_SHA256);
	CHECK_EQ_INT(digest_verify(&cr, "Circle of Life", "GET"), 0);
	CHECK_EQ_INT(digest_verify(&cr, "Circle of life", "GET"), -EACCES);
	CHECK_EQ_INT(digest_verify(&cr, "Circle of Life", "POST"), -EACCES);
	cr.nc = 2;
	CHECK_EQ_INT(digest_verify(&cr, "Circle of Life", "GET"), -EACCES);
	buf_release(&b);

	/* the RFC 2069 form round-trips too */
	CHECK_EQ_INT(digest_challenge_parse(SIP_STR(
	    "Digest realm=\"r\\\\x\", nonce=\"n\""), &c), 0);
	CHECK(strcmp(c.realm, "r\\x") == 0);
	buf_init(&b, DIGEST_HEADER_MAX);
	r.method = "REGISTER";
	r.uri = "sip:example.org";
	CHECK_EQ_INT(digest_authorization(&c, &r, &b), 0);
	CHECK(memmem(b.data, b.len, "realm=\"r\\\\x\"", 12) != NULL);
	CHECK(memmem(b.data, b.len, "qop", 3) == NULL);
	CHECK_EQ_INT(digest_credentials_parse((struct sip_str){
	    (const char *)b.data, b.len }, &cr), 0);
	CHECK_EQ_INT(digest_verify(&cr, "Circle of Life", "REGISTER"), 0);
	CHECK_EQ_INT(digest_verify(&cr, "x", "REGISTER"), -EACCES);
	buf_release(&b);

	/* values that would break the header are refused */
	buf_init(&b, DIGEST_HEADER_MAX);
	r.username = "a\"b";
	CHECK_EQ_INT(digest_authorization(&c, &r, &b), -EINVAL);
	r.username = "a";
	r.uri = "sip:x\r\nInjected: 1";
	CHECK_EQ_INT(digest_authorization(&c, &r, &b), -EINVAL);
	CHECK_EQ_INT(b.len, 0);
	buf_release(&b);
}

static const struct {
	const char *value;
	int rc;
} cred_cases[] = {
	{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
	  "response=\"0123456789abcdef0123456789ABCDEF\"", 0 },
	{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\"",
	  -EBADMSG },
	{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
	  "response=\"0123\"", -EBADMSG },
	{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
	  "response=\"0123456789abcdef0123456789abcdeg\"", -EBADMSG },
	{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
	  "response=\"0123456789abcdef0123456789abcdef\", qop=auth",
	  -EBADMSG },
	{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
	  "response=\"0123456789abcdef0123456789abcdef\", qop=auth, "
	  "nc=0000000g, cnonce=\"c\"", -EBADMSG },
	{ "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
	  "response=\"0123456789abcdef0123456789abcdef\", qop=auth-int, "
	  "nc=00000001, cnonce=\"c\"", -EPROTONOSUPPORT },
};

static void
test_credentials(void)
{
	struct digest_credentials cr;

	for (size_t i = 0; i < sizeof(cred_cases) / sizeof(*cred_cases);
	    i++) {
		const char *v = cred_cases[i].value;
		int rc = digest_credentials_parse((struct sip_str){ v,
		    strlen(v) }, &cr);

		if (rc != cred_cases[i].rc)
			fprintf(stderr, "%s: %d\n", v, rc);
		CHECK_EQ_INT(rc, cred_cases[i].rc);
	}
	CHECK_EQ_INT(digest_credentials_parse((struct sip_str){
	    cred_cases[0].value, strlen(cred_cases[0].value) }, &cr), 0);
	/* upper-case hex is normalised so verification compares fairly */
	CHECK(strcmp(cr.response, "0123456789abcdef0123456789abcdef") == 0);
}

int
main(void)
{
	test_vectors();
	test_forms();
	test_challenges();
	test_authorization_roundtrip();
	test_credentials();
	return test_exit();
}
