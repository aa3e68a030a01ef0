/* notify/text.c: the checks on D-Bus input and the words shown. */
#include "config.h"

#include <errno.h>

#include "notify/text.h"
#include "test.h"

static void
test_peer(void)
{
	static const struct {
		const char *in;
		int r;
		const char *name;
	} t[] = {
		{ "sip:bob@example.org", 0, "bob" },
		{ "sips:alice@127.0.0.1", 0, "alice" },
		{ "sip:example.org", 0, "example.org" },
		{ "sip:@host;transport=tls", 0, "host" },
		{ "sip:bob@host:5061", 0, "bob" },
		{ "bob@example.org", -EBADMSG, NULL },
		{ "sip:", -EBADMSG, NULL },
		{ "sip:bob <b>@x", -EBADMSG, NULL },
		{ "sip:bob&amp;@x", -EBADMSG, NULL },
		{ "sip:b\x01@x", -EBADMSG, NULL },
		{ "sip:b\xc3\xa9@x", -EBADMSG, NULL },
	};
	char name[TEXT_NAME_MAX + 1], big[TEXT_PEER_MAX + 8];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_EQ_INT(text_peer_check(t[i].in, strlen(t[i].in)), t[i].r);
		if (t[i].name) {
			CHECK_EQ_INT(text_peer_name(t[i].in, name,
				sizeof(name)), 0);
			CHECK(strcmp(name, t[i].name) == 0);
		}
	}
	memset(big, 'a', sizeof(big));
	memcpy(big, "sip:", 4);
	CHECK_EQ_INT(text_peer_check(big, TEXT_PEER_MAX), 0);
	CHECK_EQ_INT(text_peer_check(big, TEXT_PEER_MAX + 1), -E2BIG);
	big[TEXT_PEER_MAX] = '\0';
	CHECK_EQ_INT(text_peer_name(big, name, sizeof(name)), 0);
	CHECK_EQ_INT(strlen(name), TEXT_NAME_MAX);
	CHECK_EQ_INT(text_peer_name(big, name, 4), 0);
	CHECK(strcmp(name, "aaa") == 0);
}

static void
test_code(void)
{
	static const struct {
		const char *in;
		int r;
	} t[] = {
		{ "1234-5678", 0 },
		{ "12345678", 0 },
		{ " 1234 5678\n", 0 },
		{ "1-2-3-4-5-6-7-8", 0 },
		{ "1234-567", -EBADMSG },
		{ "1234-56789", -EBADMSG },
		{ "1234-567a", -EBADMSG },
		{ "", -EBADMSG },
		{ "1234-5678                         ", -E2BIG },
	};
	char out[TEXT_CODE_LEN + 1];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_EQ_INT(text_code_parse(t[i].in, strlen(t[i].in), out),
			t[i].r);
		if (t[i].r == 0)
			CHECK(strcmp(out, "1234-5678") == 0);
	}
}

static void
test_sanitize(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "403 Forbidden", "403 Forbidden" },
		{ "a\x01z\xff", "a?z?" },
		{ "<b>x</b> & y", "(b)x(/b) + y" },
		{ "fp AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89 changed",
		  "fp [fingerprint hidden] changed" },
		{ "key 0123456789abcdef0123 end", "key [fingerprint hidden] end" },
		{ "code 1234-5678 given", "code [code hidden] given" },
		{ "code 12345678", "code [code hidden]" },
		{ "code 1234 5678.", "code [code hidden]." },
		{ "call 12 at 10:30", "call 12 at 10:30" },
	};
	char out[128], small[12];
	char big[TEXT_REASON_MAX * 2];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		text_sanitize(t[i].in, strlen(t[i].in), out, sizeof(out));
		if (strcmp(out, t[i].out) != 0)
			fprintf(stderr, "sanitize '%s' -> '%s'\n", t[i].in, out);
		CHECK(strcmp(out, t[i].out) == 0);
	}
	CHECK_EQ_INT(text_sanitize("abcdefghijklmnop", 16, small,
		sizeof(small)), 11);
	CHECK(strcmp(small, "abcdefgh...") == 0);
	CHECK_EQ_INT(text_sanitize("x", 1, small, 3), -EINVAL);
	memset(big, 'x', sizeof(big));
	CHECK(text_sanitize(big, sizeof(big), out, sizeof(out)) ==
		(int)sizeof(out) - 1);
}

static void
test_words(void)
{
	char out[256];

	text_alert_words("bob", "peer certificate changed since it was "
		"trusted: not trusted until the trust server confirms it", out,
		sizeof(out));
	CHECK(strncmp(out, "bob's key changed since your last call", 38) == 0);
	text_alert_words("bob", "403 Forbidden: 399 127.0.0.1 \"certificate "
		"mismatch: the caller trusts another certificate for this user\"",
		out, sizeof(out));
	CHECK(strcmp(out, "bob's key changed since your last call; the call "
		"was refused.") == 0);
	text_alert_words("bob", "something new", out, sizeof(out));
	CHECK(strstr(out, "with bob") != NULL);
	CHECK_EQ_INT(text_end_words("bob", "local hangup", out, sizeof(out)),
		0);
	CHECK(text_end_words("bob", "remote hangup", out, sizeof(out)) > 0);
	CHECK(strcmp(out, "bob hung up.") == 0);
	CHECK(text_end_words("bob", "486 Busy Here", out, sizeof(out)) > 0);
	CHECK(strstr(out, "486 Busy Here") != NULL);
	CHECK_EQ_INT(text_end_words("bob", "remote hangup", out, 5), 4);
}

int
main(void)
{
	test_peer();
	test_code();
	test_sanitize();
	test_words();
	return test_exit();
}
