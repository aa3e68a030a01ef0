/* See ini.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ini.h"

static char *
ini_trim(char *s)
{
	char *e;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
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

		if (!e || e[1] != '\0' || e == s + 1 ||
		    (size_t)(e - s - 1) >= seclen) {
			snprintf(why, whylen, "bad section header");
			return -EBADMSG;
		}
		*e = '\0';
		snprintf(section, seclen, "%s", ini_trim(s + 1));
		return 0;
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
		snprintf(why, whylen, "key \"%.64s\" outside a section", s);
		return -EBADMSG;
	}
	return h->key(userdata, section, s, ini_trim(eq + 1), why, whylen);
}

int
ini_parse_buf(const char *name, const char *data, size_t len,
	const struct ini_handler *h, void *userdata, char *err, size_t errlen)
{
	char line[INI_LINE_MAX + 1];
	char section[128] = "";
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

int
ini_parse_file(const char *path, const struct ini_handler *h, void *userdata,
	char *err, size_t errlen)
{
	struct stat st;
	char *data;
	size_t len = 0;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r != -ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_size > INI_FILE_MAX) {
		fclose(f);
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			INI_FILE_MAX);
		return -E2BIG;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(data, 1, (size_t)st.st_size, f);
	r = ferror(f) ? -EIO : 0;
	fclose(f);
	if (r < 0) {
		snprintf(err, errlen, "%s: read error", path);
		free(data);
		return r;
	}
	r = ini_parse_buf(path, data, len, h, userdata, err, errlen);
	free(data);
	return r;
}
