/* Length-delimited text views for SIP, SDP and digest parsing.
 *
 * A struct sip_str points into text owned by someone else (a parsed
 * message, SDP document or the caller) and is never NUL-terminated. The
 * helpers below are the only places that scan such text, so every scan is
 * bounded by len. Helpers that take a "const char *z" expect a C string
 * from our own code (a literal), never wire data.
 */
#ifndef SVOPI_SIP_STR_H
#define SVOPI_SIP_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sip_str {
	const char *p;	/* NULL with len 0 when absent */
	size_t len;
};

/* A view of a string literal. */
#define SIP_STR(lit) ((struct sip_str){ (lit), sizeof(lit) - 1 })

/* True if s is absent or empty. */
bool sip_str_empty(struct sip_str s);
/* Exact (case-sensitive) comparison with a C string. */
bool sip_str_eq(struct sip_str s, const char *z);
/* ASCII case-insensitive comparison with a C string. */
bool sip_str_caseeq(struct sip_str s, const char *z);
/* ASCII case-insensitive comparison of two views. */
bool sip_str_caseeq_str(struct sip_str a, struct sip_str b);
/* Exact comparison of two views. */
bool sip_str_eq_str(struct sip_str a, struct sip_str b);

/* Parses s as 1*DIGIT with a value <= max. Returns 0, -EBADMSG if s is
 * empty or holds a non-digit, -E2BIG if the value exceeds max. */
int sip_str_u32(struct sip_str s, uint32_t max, uint32_t *ret_v);

/* Copies s into a fresh NUL-terminated string (caller frees). Returns NULL
 * on allocation failure or if s contains a NUL byte. */
char *sip_str_dup(struct sip_str s);

/* Removes the surrounding double quotes of a quoted-string (RFC 3261
 * §25.1) and undoes its backslash escapes, writing the text and a NUL to
 * out (cap bytes). A value without quotes is copied as is. Returns the
 * length written (without NUL), -EBADMSG for an unbalanced quote, a
 * trailing backslash or an embedded NUL, -E2BIG if it does not fit. */
long sip_str_unquote(struct sip_str s, char *out, size_t cap);

/* Splits off the next element of a comma-separated header value: commas
 * inside quoted strings and <...> do not split. Surrounding whitespace is
 * trimmed. Returns 1 and advances *rest with an element in ret_item, 0 at
 * the end, -EBADMSG for unbalanced quotes or angle brackets or an empty
 * element. */
int sip_str_list_next(struct sip_str *rest, struct sip_str *ret_item);

/* Looks up a parameter in ";name=value;flag" text (as kept in the params
 * fields of parsed headers and URIs; a leading ';' is optional). Names
 * compare case-insensitively. ret_value is the raw value (quotes kept), or
 * an empty view with p != NULL for a flag without '='. Returns 0 if
 * found, -ENOENT if not. */
int sip_str_param(struct sip_str params, const char *name,
    struct sip_str *ret_value);

#endif
