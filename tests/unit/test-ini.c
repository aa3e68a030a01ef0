/* lib/ini: the INI reader of svopid.conf and svopi-trustd.conf. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ini.h"
#include "test.h"

/* Records "section/key=value;" for every key, "[section]" for headers. */
struct seen {
	char text[512];
	int fail_key;	/* 1: the key callback refuses key "bad" */
};

static int
on_section(void *userdata, const char *section, char *err, size_t errlen)
{
	struct seen *s = userdata;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "[%s]", section);
	if (strcmp(section, "refused") == 0) {
		snprintf(err, errlen, "no such section");
		return -EINVAL;
	}
	return 0;
}

static int
on_key(void *userdata, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	struct seen *s = userdata;
	size_t n = strlen(s->text);

	if (s->fail_key && strcmp(key, "bad") == 0) {
		snprintf(err, errlen, "bad key");
		return -EINVAL;
	}
	snprintf(s->text + n, sizeof(s->text) - n, "%s/%s=%s;", section, key,
		value);
	return 0;
}

static const struct ini_handler handler = {
	.section = on_section,
	.key = on_key,
};
static const struct ini_handler keys_only = { .key = on_key };

static const struct {
	const char *in;
	int ret;
	const char *seen;	/* all callbacks, or the error text */
} cases[] = {
	{ "", 0, "" },
	{ "[a]\nk = v\n", 0, "[a]a/k=v;" },
	/* Spaces, tabs, CR LF, comments, empty values, '=' in values. */
	{ "# c\n; c\n  [ s t ]  \r\n\tkey\t=\t x = y \r\nempty =\n", 0,
	  "[s t]s t/key=x = y;s t/empty=;" },
	/* No final newline; a later section wins. */
	{ "[a]\nx=1\n[b]\ny=2", 0, "[a]a/x=1;[b]b/y=2;" },
	/* An empty section header is still seen. */
	{ "[a]\n[b]\n", 0, "[a][b]" },
	{ "k = v\n", -EBADMSG, "mem:1: key 'k' outside a section" },
	{ "[a]\nnovalue\n", -EBADMSG, "mem:2: expected key = value" },
	{ "[a]\n = v\n", -EBADMSG, "mem:2: empty key" },
	{ "[a\n", -EBADMSG, "mem:1: bad section header" },
	{ "[a] x\n", -EBADMSG, "mem:1: bad section header" },
	{ "[ ]\n", -EBADMSG, "mem:1: empty section name" },
	{ "[a]\nk=v\n[refused]\n", -EINVAL, "mem:3: no such section" },
	{ "[a]\nok=1\nbad=2\n", -EINVAL, "mem:3: bad key" },
	{ "[a]\nk=v\0w\n", -EBADMSG, "mem:2: NUL byte" },
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seen s = { .fail_key = 1 };
		char err[256] = "";
		size_t len = strlen(cases[i].in);
		int r;

		/* The NUL case: the text goes on after the NUL. */
		if (strstr(cases[i].seen, "NUL"))
			len += 3;
		r = ini_parse_buf("mem", cases[i].in, len, &handler, &s, err,
			sizeof(err));
		CHECK_EQ_INT(r, cases[i].ret);
		if (r == 0)
			CHECK(strcmp(s.text, cases[i].seen) == 0);
		else
			CHECK(strcmp(err, cases[i].seen) == 0);
		if (strcmp(r == 0 ? s.text : err, cases[i].seen) != 0)
			fprintf(stderr, "case %zu: got \"%s\"\n", i,
				r == 0 ? s.text : err);
	}
}

static void
test_limits(void)
{
	static char big[INI_FILE_MAX + 2];
	char line[INI_LINE_MAX + 16], sec[INI_SECTION_MAX + 8];
	struct seen s = { 0 };
	char err[256] = "";

	/* A line of exactly INI_LINE_MAX bytes is fine, one more is not. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "[a]\nk=", 6);
	CHECK_EQ_INT(ini_parse_buf("m", line, 4 + INI_LINE_MAX, &keys_only, &s,
		err, sizeof(err)), 0);
	CHECK_EQ_INT(ini_parse_buf("m", line, 4 + INI_LINE_MAX + 1,
		&keys_only, &s, err, sizeof(err)), -E2BIG);
	CHECK(strncmp(err, "m:2: line longer than", 21) == 0);

	memset(sec, 's', sizeof(sec));
	sec[0] = '[';
	sec[INI_SECTION_MAX + 1] = ']';
	CHECK_EQ_INT(ini_parse_buf("m", sec, INI_SECTION_MAX + 2, &keys_only,
		&s, err, sizeof(err)), 0);
	sec[INI_SECTION_MAX + 1] = 's';
	sec[INI_SECTION_MAX + 2] = ']';
	CHECK_EQ_INT(ini_parse_buf("m", sec, INI_SECTION_MAX + 3, &keys_only,
		&s, err, sizeof(err)), -E2BIG);

	memset(big, '\n', sizeof(big));
	CHECK_EQ_INT(ini_parse_buf("m", big, INI_FILE_MAX, &keys_only, &s, err,
		sizeof(err)), 0);
	CHECK_EQ_INT(ini_parse_buf("m", big, INI_FILE_MAX + 1, &keys_only, &s,
		err, sizeof(err)), -E2BIG);
	CHECK(strstr(err, "m: larger than") == err);
}

int
main(void)
{
	test_cases();
	test_limits();
	return test_exit();
}
