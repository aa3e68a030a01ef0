/* A small INI reader for configuration files: "[section]" lines,
 * "key = value" lines, comments on lines of their own starting with '#' or
 * ';'. Keys and values are trimmed; a value may be empty. Lines longer than
 * INI_LINE_MAX are errors. */
#ifndef SVOPID_INI_H
#define SVOPID_INI_H

#include <stddef.h>

#define INI_LINE_MAX 4096
/* Largest file we read: a config is a few hundred bytes. */
#define INI_FILE_MAX (1024 * 1024)

/* Called once per key. Returns 0, or a negative errno after writing a short
 * reason (no file name, no line) to err. */
struct ini_handler {
	int (*key)(void *userdata, const char *section, const char *key,
		const char *value, char *err, size_t errlen);
};

/* Reads path and calls h->key for each key. Returns 0, -ENOENT when the
 * file does not exist (err untouched), or a negative errno with
 * "path:line: reason" in err (-E2BIG over INI_FILE_MAX or INI_LINE_MAX,
 * -EBADMSG for bad syntax or a NUL byte). */
int ini_parse_file(const char *path, const struct ini_handler *h,
	void *userdata, char *err, size_t errlen);
/* The same for text in memory; name is used in messages. */
int ini_parse_buf(const char *name, const char *data, size_t len,
	const struct ini_handler *h, void *userdata, char *err, size_t errlen);

#endif
