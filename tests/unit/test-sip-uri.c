/* SIP URIs: parsing, AOR normalisation, RFC 3261 §19.1.4 comparison. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sip-uri.h"
#include "test.h"

static const struct {
	const char *uri;
	int rc;
	enum sip_uri_scheme scheme;
	const char *user, *host;
	enum sip_host_type host_type;
	unsigned port;
} parse_cases[] = {
	{ "sip:alice@example.org", 0, SIP_URI_SIP, "alice", "example.org",
	  SIP_HOST_NAME, 0 },
	{ "SIPS:alice@example.org:5061;transport=tls", 0, SIP_URI_SIPS,
	  "alice", "example.org", SIP_HOST_NAME, 5061 },
	{ "sip:[2001:db8::1]:5060", 0, SIP_URI_SIP, "", "2001:db8::1",
	  SIP_HOST_IPV6, 5060 },
	{ "sip:192.0.2.1", 0, SIP_URI_SIP, "", "192.0.2.1", SIP_HOST_IPV4, 0 },
	{ "sip:+1-212-555-1212:1234@gateway.com;user=phone", 0, SIP_URI_SIP,
	  "+1-212-555-1212", "gateway.com", SIP_HOST_NAME, 0 },
	{ "sip:user;par=u%40example.net@example.com", 0, SIP_URI_SIP,
	  "user;par=u%40example.net", "example.com", SIP_HOST_NAME, 0 },
	{ "sip:alice@example.org.", 0, SIP_URI_SIP, "alice", "example.org.",
	  SIP_HOST_NAME, 0 },
	{ "tel:+1-201-555-0123;phone-context=example.com", 0, SIP_URI_TEL,
	  "+1-201-555-0123", "", SIP_HOST_NONE, 0 },
	{ "urn:service:sos", 0, SIP_URI_OTHER, "", "", SIP_HOST_NONE, 0 },
	{ "soap.beep://192.0.2.103:3002", 0, SIP_URI_OTHER, "", "",
	  SIP_HOST_NONE, 0 },
	{ "sip:alice@256.1.1.1", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@1.2.3", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:@example.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org:", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org:65536", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org:50a", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@exa mple.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org;;lr", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org;", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org;a=", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice%2@example.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice%zz@example.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:al<ice@example.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@[2001:db8::1", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@[192.0.2.1]", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org?subject=x&", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@example.org?=x", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@-bad.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@a..org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:alice@ex_ample.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "1sip:x", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "<sip:alice@example.org>", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "sip:al\xc3\xa9@example.org", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "tel:", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "tel:12 34", -EBADMSG, 0, NULL, NULL, 0, 0 },
	{ "", -EBADMSG, 0, NULL, NULL, 0, 0 },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(*parse_cases);
	    i++) {
		struct sip_uri u;
		const char *s = parse_cases[i].uri;
		int rc = sip_uri_parse(s, strlen(s), &u);

		if (rc != parse_cases[i].rc)
			fprintf(stderr, "%s: %d\n", s, rc);
		CHECK_EQ_INT(rc, parse_cases[i].rc);
		if (rc < 0 || parse_cases[i].rc < 0)
			continue;
		CHECK_EQ_INT(u.scheme, parse_cases[i].scheme);
		CHECK(sip_str_eq(u.user, parse_cases[i].user));
		CHECK(sip_str_eq(u.host, parse_cases[i].host));
		CHECK_EQ_INT(u.host_type, parse_cases[i].host_type);
		CHECK_EQ_INT(u.port, parse_cases[i].port);
		CHECK(sip_str_eq(u.raw, s));
	}
}

static void
test_fields(void)
{
	static const char s[] =
	    "sip:bob@p.example.org:5061;transport=tls;lr;maddr=192.0.2.7"
	    "?subject=hi%20there&priority=urgent";
	static const char pw[] = "sip:alice:secret@example.org";
	struct sip_uri u;
	struct sip_str v;
	struct buf b;

	CHECK_EQ_INT(sip_uri_parse(s, sizeof(s) - 1, &u), 0);
	CHECK(sip_str_eq(u.transport, "tls"));
	CHECK(sip_str_eq(u.maddr, "192.0.2.7"));
	CHECK(u.lr);
	CHECK(sip_str_eq(u.params, ";transport=tls;lr;maddr=192.0.2.7"));
	CHECK(sip_str_eq(u.headers, "subject=hi%20there&priority=urgent"));
	CHECK(sip_uri_param(&u, "TRANSPORT", &v) == 0 &&
	    sip_str_eq(v, "tls"));
	CHECK(sip_uri_param(&u, "lr", &v) == 0 && v.len == 0);
	CHECK_EQ_INT(sip_uri_param(&u, "ttl", &v), -ENOENT);
	buf_init(&b, 256);
	CHECK_EQ_INT(sip_uri_write(&u, &b), 0);
	CHECK(b.len == sizeof(s) - 1 && memcmp(b.data, s, b.len) == 0);
	buf_release(&b);

	/* a password parses (RFC 4475 intmeth) but is never an identity */
	CHECK_EQ_INT(sip_uri_parse(pw, sizeof(pw) - 1, &u), 0);
	CHECK(u.has_password);
	CHECK(sip_str_eq(u.user, "alice"));
	buf_init(&b, 256);
	CHECK_EQ_INT(sip_uri_aor(&u, &b), -EINVAL);
	buf_release(&b);

	/* length limit */
	{
		char *big = malloc(SIP_URI_MAX + 2);

		memcpy(big, "sip:", 4);
		memset(big + 4, 'a', SIP_URI_MAX - 4);
		big[SIP_URI_MAX] = '\0';
		CHECK_EQ_INT(sip_uri_parse(big, SIP_URI_MAX, &u), -EBADMSG);
		memcpy(big + SIP_URI_MAX - 12, "@example.org", 12);
		CHECK_EQ_INT(sip_uri_parse(big, SIP_URI_MAX, &u), 0);
		big[SIP_URI_MAX] = 'a';
		CHECK_EQ_INT(sip_uri_parse(big, SIP_URI_MAX + 1, &u), -E2BIG);
		free(big);
	}
}

static const struct {
	const char *uri, *aor;
} aor_cases[] = {
	{ "sips:%61lice@Example.ORG:5061;transport=tls?x=y",
	  "sip:alice@example.org" },
	{ "sip:a%2fb@example.org", "sip:a%2Fb@example.org" },
	{ "sip:%7Ealice@example.org", "sip:~alice@example.org" },
	{ "sip:null-%00-null@example.com", "sip:null-%00-null@example.com" },
	{ "SIP:Alice@example.org", "sip:Alice@example.org" },
	{ "sip:EXAMPLE.org;lr", "sip:example.org" },
	{ "sip:alice@[2001:DB8::1]:5060", "sip:alice@[2001:db8::1]" },
	{ "tel:+1-201-555-0123;phone-context=x", "tel:+1-201-555-0123" },
};

static void
test_aor(void)
{
	for (size_t i = 0; i < sizeof(aor_cases) / sizeof(*aor_cases); i++) {
		struct sip_uri u;
		struct buf b;
		const char *s = aor_cases[i].uri;

		buf_init(&b, SIP_URI_AOR_MAX);
		CHECK_EQ_INT(sip_uri_parse(s, strlen(s), &u), 0);
		CHECK_EQ_INT(sip_uri_aor(&u, &b), 0);
		CHECK(b.len == strlen(aor_cases[i].aor) &&
		    memcmp(b.data, aor_cases[i].aor, b.len) == 0);
		if (b.len != strlen(aor_cases[i].aor) ||
		    memcmp(b.data, aor_cases[i].aor, b.len) != 0)
			fprintf(stderr, "%s -> %.*s\n", s, (int)b.len,
			    (const char *)b.data);
		buf_release(&b);
	}
	{
		struct sip_uri u;
		struct buf b;

		buf_init(&b, 64);
		CHECK_EQ_INT(sip_uri_parse("urn:x:y", 7, &u), 0);
		CHECK_EQ_INT(sip_uri_aor(&u, &b), -EINVAL);
		buf_release(&b);
	}
}

static const struct {
	const char *a, *b;
	bool equal, aor_equal;
} eq_cases[] = {
	/* RFC 3261 §19.1.4: equivalent */
	{ "sip:%61lice@atlanta.com;transport=TCP",
	  "sip:alice@AtLanTa.CoM;Transport=tcp", true, true },
	{ "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5",
	  true, true },
	{ "sip:carol@chicago.com", "sip:carol@chicago.com;security=on",
	  true, true },
	{ "sip:carol@chicago.com;newparam=5",
	  "sip:carol@chicago.com;security=on", true, true },
	{ "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
	  "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
	  true, true },
	{ "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
	  "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
	  true, true },
	/* RFC 3261 §19.1.4: not equivalent */
	{ "SIP:ALICE@AtLanTa.CoM;Transport=udp",
	  "sip:alice@AtLanTa.CoM;Transport=UDP", false, false },
	{ "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false, true },
	{ "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp",
	  false, true },
	{ "sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp",
	  false, true },
	{ "sip:carol@chicago.com",
	  "sip:carol@chicago.com?Subject=next%20meeting", false, true },
	{ "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4",
	  false, false },
	{ "sip:carol@chicago.com;security=on",
	  "sip:carol@chicago.com;security=off", false, true },
	/* sip vs sips: different URIs, same account */
	{ "sip:alice@example.org", "sips:alice@example.org", false, true },
	{ "sip:alice@example.org", "sip:alice@example.org.evil", false,
	  false },
	{ "sip:alice@example.org", "sip:alice2@example.org", false, false },
};

static void
test_equal(void)
{
	for (size_t i = 0; i < sizeof(eq_cases) / sizeof(*eq_cases); i++) {
		struct sip_uri a, b;

		CHECK_EQ_INT(sip_uri_parse(eq_cases[i].a, strlen(eq_cases[i].a),
		    &a), 0);
		CHECK_EQ_INT(sip_uri_parse(eq_cases[i].b, strlen(eq_cases[i].b),
		    &b), 0);
		if (sip_uri_equal(&a, &b) != eq_cases[i].equal ||
		    sip_uri_aor_equal(&a, &b) != eq_cases[i].aor_equal)
			fprintf(stderr, "%s vs %s\n", eq_cases[i].a,
			    eq_cases[i].b);
		CHECK(sip_uri_equal(&a, &b) == eq_cases[i].equal);
		CHECK(sip_uri_equal(&b, &a) == eq_cases[i].equal);
		CHECK(sip_uri_aor_equal(&a, &b) == eq_cases[i].aor_equal);
		CHECK(sip_uri_aor_equal(&b, &a) == eq_cases[i].aor_equal);
	}
}

int
main(void)
{
	test_parse();
	test_fields();
	test_aor();
	test_equal();
	return test_exit();
}
