/* See ini.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ini.h"

/* The C locale's isspace, whatever the program's locale. */
static int
ini_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
		c == '\f';
}

static char *
ini_trim(char *s)
{
	char *e;

	while (*s && ini_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && ini_space(e[-1]))
		*--e = '\0';
	return s;
}

/* One line (NUL-terminated copy, no newline). */
static int
ini_line(char *line, char *section, size_t seclen,
	const struct ini_handler *h, void *userdata, char *why, size_t whylen)
{
	char *s = ini_trim(line), *eq;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *e = strchr(s, ']');

		if (!e || e[1] != '\0') {
			snprintf(why, whylen, "bad section header");
			return -EBADMSG;
		}
		*e = '\0';
		s = ini_trim(s + 1);
		if (*s == '\0') {
			snprintf(why, whylen, "empty section name");
			return -EBADMSG;
		}
		if (strlen(s) >= seclen) {
			snprintf(why, whylen, "section name longer than %zu bytes",
				seclen - 1);
			return -E2BIG;
		}
		snprintf(section, seclen, "%s", s);
		return h->section ? h->section(userdata, section, why, whylen) :
			0;
	}
	eq = strchr(s, '=');
	if (!eq) {
		snprintf(why, whylen, "expected key = value");
		return -EBADMSG;
	}
	*eq = '\0';
	s = ini_trim(s);
	if (*s == '\0') {
		snprintf(why, whylen, "empty key");
		return -EBADMSG;
	}
	if (section[0] == '\0') {
		snprintf(why, whylen, "key '%.64s' outside a section", s);
		return -EBADMSG;
	}
	return h->key(userdata, section, s, ini_trim(eq + 1), why, whylen);
}

int
ini_parse_buf(const char *name, const char *data, size_t len,
	const struct ini_handler *h, void *userdata, char *err, size_t errlen)
{
	char line[INI_LINE_MAX + 1];
	char section[INI_SECTION_MAX + 1] = "";
	char why[256] = "";
	unsigned lineno = 0;
	size_t off = 0;
	int r = 0;

	if (len > INI_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", name,
			INI_FILE_MAX);
		return -E2BIG;
	}
	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) : len - off;

		lineno++;
		if (n > INI_LINE_MAX) {
			snprintf(why, sizeof(why), "line longer than %d bytes",
				INI_LINE_MAX);
			r = -E2BIG;
			break;
		}
		if (memchr(data + off, '\0', n)) {
			snprintf(why, sizeof(why), "NUL byte");
			r = -EBADMSG;
			break;
		}
		memcpy(line, data + off, n);
		line[n] = '\0';
		off += n + (nl ? 1 : 0);
		r = ini_line(line, section, sizeof(section), h, userdata, why,
			sizeof(why));
		if (r < 0)
			break;
	}
	if (r < 0)
		snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
	return r;
}
