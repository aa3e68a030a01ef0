/* Whole small files (configuration) read into memory, for the pure
 * parsers of lib/ to work on. */
#ifndef SVOPI_COMMON_FILE_H
#define SVOPI_COMMON_FILE_H

#include <stddef.h>

/* Reads the regular file path, at most max bytes, into a new buffer with a
 * NUL after the data (*ret_len excludes it; the caller frees *ret_data).
 * Returns 0, -ENOENT (no such file), -EINVAL (not a regular file), -E2BIG
 * (over max), -ENOMEM, or the negative errno of open/read. */
int file_read_all(const char *path, size_t max, char **ret_data,
	size_t *ret_len);

#endif
