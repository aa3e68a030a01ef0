/* The INI reader of every svopi configuration file (svopid.conf(5),
 * svopi-trustd.conf(5)): "[section]" lines, "key = value" lines, comments
 * on lines of their own starting with '#' or ';'. Keys and values are
 * trimmed; a value may be empty. Lines end with LF (a CR before it is
 * trimmed as space). Pure: the caller reads the file (common/file.h). */
#ifndef SVOPI_INI_H
#define SVOPI_INI_H

#include <stddef.h>

/* Longest line: the longest value is a path or URL. */
#define INI_LINE_MAX 4096
/* Largest text we read: a config is a few hundred bytes. */
#define INI_FILE_MAX (1024 * 1024)
/* Longest section name. */
#define INI_SECTION_MAX 127

/* Callbacks return 0, or a negative errno after writing a short reason (no
 * file name, no line) to err. section may be NULL: every section is
 * accepted (and a section without keys is never seen). */
struct ini_handler {
	int (*section)(void *userdata, const char *section, char *err,
		size_t errlen);
	int (*key)(void *userdata, const char *section, const char *key,
		const char *value, char *err, size_t errlen);
};

/* Reads len bytes of text and calls the handler for each section header
 * and key, in order. Returns 0, or the first negative errno with
 * "name:line: reason" in err (name is used in messages only): -E2BIG over
 * INI_FILE_MAX, INI_LINE_MAX or INI_SECTION_MAX, -EBADMSG for bad syntax,
 * a NUL byte, or a key before any section, or a callback's error. */
int ini_parse_buf(const char *name, const char *data, size_t len,
	const struct ini_handler *h, void *userdata, char *err, size_t errlen);

#endif
