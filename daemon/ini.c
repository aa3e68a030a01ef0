/* See ini.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int
ini_parse_file(const char *path, const struct ini_handler *h, void *userdata,
	char *err, size_t errlen)
{
	char line[INI_LINE_MAX + 2];
	char section[128] = "";
	char why[256];
	unsigned lineno = 0;
	FILE *f;
	int r = 0;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (r != -ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq;

		lineno++;
		why[0] = '\0';
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(why, sizeof(why), "line longer than %d bytes",
				INI_LINE_MAX);
			r = -E2BIG;
			break;
		}
		s = ini_trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');

			if (!e || e[1] != '\0' || e == s + 1 ||
			    (size_t)(e - s - 1) >= sizeof(section)) {
				snprintf(why, sizeof(why), "bad section header");
				r = -EBADMSG;
				break;
			}
			*e = '\0';
			snprintf(section, sizeof(section), "%s", ini_trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(why, sizeof(why), "expected key = value");
			r = -EBADMSG;
			break;
		}
		*eq = '\0';
		s = ini_trim(s);
		if (*s == '\0') {
			snprintf(why, sizeof(why), "empty key");
			r = -EBADMSG;
			break;
		}
		if (section[0] == '\0') {
			snprintf(why, sizeof(why), "key \"%.64s\" outside a section", s);
			r = -EBADMSG;
			break;
		}
		r = h->key(userdata, section, s, ini_trim(eq + 1), why,
			sizeof(why));
		if (r < 0)
			break;
	}
	if (r == 0 && ferror(f)) {
		r = -EIO;
		snprintf(why, sizeof(why), "read error");
	}
	fclose(f);
	if (r < 0)
		snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
	return r;
}
