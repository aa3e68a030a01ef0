/* Edits an INI text line by line for `svopictl setup`: a key it is asked to
 * set is replaced where it stands (or added to its section, or a new
 * section at the end); every other line, comments and order included, is
 * kept byte for byte. It recognises "[section]" lines and "key = value"
 * lines as svopid's reader does (daemon/ini.c); it does not judge values:
 * setup runs `svopid --check-config` on the result for that.
 *
 * Pure: no I/O. Strings returned by conf_edit_get() borrow from the editor
 * and live until the next conf_edit_set() or conf_edit_free(). */
#ifndef SVOPI_CONF_EDIT_H
#define SVOPI_CONF_EDIT_H

#include <stddef.h>

/* A config file is a few hundred bytes; 64 KiB is generous and keeps a
 * wrong file (a log, a binary) from being read whole. */
#define CONF_EDIT_MAX (64 * 1024)
/* The same line limit as svopid's reader. */
#define CONF_EDIT_LINE_MAX 4096
/* Section and key names are short words. */
#define CONF_EDIT_NAME_MAX 64

struct conf_edit;

/* Splits text[0..len) into lines. Returns 0 and the editor in *ret, -E2BIG
 * over CONF_EDIT_MAX or a line over CONF_EDIT_LINE_MAX, -EBADMSG for a NUL
 * byte, -ENOMEM. len 0 (or text NULL) gives an empty editor. */
int conf_edit_new(const char *text, size_t len, struct conf_edit **ret);
/* NULL-safe; returns NULL. */
struct conf_edit *conf_edit_free(struct conf_edit *e);
/* The value of section.key (the last one if repeated, trimmed), or NULL. */
const char *conf_edit_get(struct conf_edit *e, const char *section,
	const char *key);
/* Sets section.key to value. -EINVAL for a name that is empty, too long
 * or not [A-Za-z0-9_-], or a value with a control character or over the
 * line limit; -ENOMEM. */
int conf_edit_set(struct conf_edit *e, const char *section, const char *key,
	const char *value);
/* The whole text, NUL-terminated, in a new buffer the caller frees; its
 * length without the NUL in *ret_len (may be NULL). NULL on ENOMEM. */
char *conf_edit_text(const struct conf_edit *e, size_t *ret_len);

#endif
