#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "test.h"

static int
parse(const char *s, struct form **ret)
{
	return form_parse((const uint8_t *)s, strlen(s), ret);
}

static void
test_table(void)
{
	static const struct {
		const char *in;
		int rc;
		size_t n;
		const char *name, *value;	/* one field to look at */
	} t[] = {
		{ "", 0, 0, NULL, NULL },
		{ "a=1", 0, 1, "a", "1" },
		{ "login=alice%40example.org&password=p+w%2Bx", 0, 2,
		  "login", "alice@example.org" },
		{ "login=alice%40example.org&password=p+w%2Bx", 0, 2,
		  "password", "p w+x" },
		{ "a=1&&b=2&", 0, 2, "b", "2" },
		{ "flag", 0, 1, "flag", "" },
		{ "a=", 0, 1, "a", "" },
		{ "a==b", 0, 1, "a", "=b" },
		{ "a=%7e%7E", 0, 1, "a", "~~" },
		{ "%61=x", 0, 1, "a", "x" },
		{ "=x", -EBADMSG, 0, NULL, NULL },
		{ "a=%", -EBADMSG, 0, NULL, NULL },
		{ "a=%4", -EBADMSG, 0, NULL, NULL },
		{ "a=%zz", -EBADMSG, 0, NULL, NULL },
		{ "a=%00", -EBADMSG, 0, NULL, NULL },
		{ "a=1&a=2", -EBADMSG, 0, NULL, NULL },
		{ "a=1&%61=2", -EBADMSG, 0, NULL, NULL },
		{ "abcdefghijabcdefghijabcdefghijab=1", 0, 1,
		  "abcdefghijabcdefghijabcdefghijab", "1" },
		{ "abcdefghijabcdefghijabcdefghijabc=1", -E2BIG, 0, NULL, NULL },
		{ "a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1"
		  "&o=1&p=1", 0, 16, "p", "1" },
		{ "a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1"
		  "&o=1&p=1&q=1", -E2BIG, 0, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct form *f = NULL;
		int rc = parse(t[i].in, &f);

		if (rc != t[i].rc)
			fprintf(stderr, "case %zu: \"%s\"\n", i, t[i].in);
		CHECK_EQ_INT(rc, t[i].rc);
		if (rc < 0) {
			CHECK(f == NULL);	/* untouched on failure */
			continue;
		}
		CHECK(f != NULL);
		if (!f)
			continue;
		CHECK_EQ_INT(f->n, t[i].n);
		if (t[i].name) {
			const char *v = form_get(f, t[i].name);

			CHECK(v && strcmp(v, t[i].value) == 0);
		}
		CHECK(form_get(f, "absent") == NULL);
		form_free(f);
	}
}

static void
test_limits(void)
{
	size_t n = FORM_VALUE_MAX + 3;
	char *s = malloc(n + 1);
	struct form *f = NULL;

	/* Exactly FORM_VALUE_MAX decoded bytes pass, one more is too big. */
	memcpy(s, "v=", 2);
	memset(s + 2, 'x', FORM_VALUE_MAX);
	s[2 + FORM_VALUE_MAX] = '\0';
	CHECK_EQ_INT(parse(s, &f), 0);
	CHECK(f && f->fields[0].value_len == FORM_VALUE_MAX);
	f = form_free(f);
	s[2 + FORM_VALUE_MAX] = 'x';
	s[n] = '\0';
	CHECK_EQ_INT(parse(s, &f), -E2BIG);
	/* Escapes count decoded bytes: %41 is one byte. */
	free(s);
	s = malloc(2 + 3 * FORM_VALUE_MAX / 4 + 1);
	memcpy(s, "v=", 2);
	for (size_t i = 0; i < FORM_VALUE_MAX / 4; i++)
		memcpy(s + 2 + 3 * i, "%41", 3);
	s[2 + 3 * (FORM_VALUE_MAX / 4)] = '\0';
	CHECK_EQ_INT(parse(s, &f), 0);
	CHECK(f && f->fields[0].value_len == FORM_VALUE_MAX / 4);
	f = form_free(f);
	free(s);

	s = malloc(FORM_BODY_MAX + 2);
	memset(s, 'a', FORM_BODY_MAX + 1);
	s[FORM_BODY_MAX + 1] = '\0';
	CHECK_EQ_INT(parse(s, &f), -E2BIG);
	free(s);
	CHECK(form_free(NULL) == NULL);
}

static void
test_not_nul_terminated(void)
{
	/* The decoder must stop at len, not at a NUL. */
	static const uint8_t in[] = { 'a', '=', '1', '2', '3' };
	struct form *f = NULL;

	CHECK_EQ_INT(form_parse(in, 4, &f), 0);
	CHECK(f && strcmp(form_get(f, "a"), "12") == 0);
	form_free(f);
}

static void
test_unknown(void)
{
	static const char *const allowed[] = { "login", "password", NULL };
	struct form *f = NULL;

	CHECK_EQ_INT(parse("login=a&password=b", &f), 0);
	CHECK(form_unknown(f, allowed) == NULL);
	f = form_free(f);
	CHECK_EQ_INT(parse("login=a&evil=b", &f), 0);
	CHECK(form_unknown(f, allowed) &&
		strcmp(form_unknown(f, allowed), "evil") == 0);
	form_free(f);
}

int
main(void)
{
	test_table();
	test_limits();
	test_not_nul_terminated();
	test_unknown();
	return test_exit();
}
