/* lib/login: what trustd and trustadm take as a login. */
#include <string.h>

#include "login.h"
#include "test.h"

static const struct {
	const char *s;
	bool ok;
} cases[] = {
	{ "alice@example.org", true },
	{ "alice@127.0.0.1", true },
	{ "a.b-c_d+e@[::1]", true },
	{ "", false },
	{ "alice", false },
	{ "@example.org", false },
	{ "alice@", false },
	{ "a@b@c", false },
	{ "al ice@example.org", false },
	{ "alice%40x@example.org", false },
	{ "alice@exa\xc3\xa9mple.org", false },
	{ "sip:alice@example.org", true },	/* ':' is a user char */
};

int
main(void)
{
	char s[LOGIN_MAX + 2];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(login_valid(cases[i].s) == cases[i].ok);
		if (login_valid(cases[i].s) != cases[i].ok)
			fprintf(stderr, "case \"%s\"\n", cases[i].s);
	}
	memset(s, 'a', sizeof(s));
	s[1] = '@';
	s[LOGIN_MAX] = '\0';
	CHECK(login_valid(s));
	s[LOGIN_MAX] = 'a';
	s[LOGIN_MAX + 1] = '\0';
	CHECK(!login_valid(s));
	return test_exit();
}
