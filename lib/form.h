/* application/x-www-form-urlencoded bodies and URL query strings.
 *
 * The trust server's requests are HTML-form posts (SPEC §3); this decoder
 * reads them from hostile peers. Input is (data, len) and need not be
 * NUL-terminated. Decoded names and values are NUL-terminated copies; a
 * decoded NUL byte is rejected so that callers may treat them as C strings.
 * Values are cleansed on free because they carry passwords.
 */
#ifndef SVOPI_FORM_H
#define SVOPI_FORM_H

#include <stddef.h>
#include <stdint.h>

/* Largest encoded body: a PEM certificate (RSA 3072 is about 1.9 KiB,
 * 4096-bit with long names under 4 KiB) percent-encoded at worst triples,
 * plus the other small fields. */
#define FORM_BODY_MAX (64 * 1024)
/* At most this many fields: the API uses at most five, the pages three. */
#define FORM_FIELDS_MAX 16
/* Longest decoded field name. */
#define FORM_NAME_MAX 32
/* Longest decoded value (a PEM certificate). */
#define FORM_VALUE_MAX (16 * 1024)

struct form_field {
	char *name;
	char *value;
	size_t value_len;
};

struct form {
	size_t n;
	struct form_field fields[FORM_FIELDS_MAX];
};

/* Decodes name=value pairs separated by '&' ('+' is a space, %XX a byte).
 * A pair without '=' has an empty value; empty pairs ("a=1&&b=2", a
 * trailing '&') are skipped. Returns 0 and a new form in *ret_form, or
 * -EBADMSG (bad escape, empty name, decoded NUL, repeated name), -E2BIG
 * (over FORM_BODY_MAX, FORM_FIELDS_MAX, FORM_NAME_MAX or FORM_VALUE_MAX),
 * -ENOMEM. An empty input gives an empty form. */
int form_parse(const uint8_t *data, size_t len, struct form **ret_form);

/* Cleanses and frees; NULL-safe; returns NULL. */
struct form *form_free(struct form *f);

/* The decoded value of field name, or NULL if absent. Borrowed from f. */
const char *form_get(const struct form *f, const char *name);

/* The name of the first field not in the NULL-terminated list allowed, or
 * NULL if every field is allowed. Borrowed from f. */
const char *form_unknown(const struct form *f, const char *const *allowed);

#endif
