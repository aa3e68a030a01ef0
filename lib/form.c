#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "hex.h"
#include "form.h"

/* Decodes n encoded bytes at p into a new NUL-terminated string of at most
 * max decoded bytes. */
static int
decode(const uint8_t *p, size_t n, size_t max, char **ret_s, size_t *ret_len)
{
	struct buf_reader r;
	char *s;
	size_t len = 0;

	/* Decoded text is never longer than the encoded text. */
	s = malloc(n + 1);
	if (!s)
		return -ENOMEM;
	buf_reader_init(&r, p, n);
	while (buf_reader_left(&r) > 0) {
		uint8_t c, h, l;
		int hi, lo;

		(void)buf_read_u8(&r, &c);
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (buf_read_u8(&r, &h) < 0 || buf_read_u8(&r, &l) < 0)
				goto bad;
			hi = hex_digit_value((char)h);
			lo = hex_digit_value((char)l);
			if (hi < 0 || lo < 0)
				goto bad;
			c = (uint8_t)(hi << 4 | lo);
		}
		if (c == '\0')
			goto bad;
		if (len == max) {
			OPENSSL_cleanse(s, len);
			free(s);
			return -E2BIG;
		}
		s[len++] = (char)c;
	}
	s[len] = '\0';
	*ret_s = s;
	*ret_len = len;
	return 0;
bad:
	OPENSSL_cleanse(s, len);
	free(s);
	return -EBADMSG;
}

struct form *
form_free(struct form *f)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n; i++) {
		free(f->fields[i].name);
		if (f->fields[i].value) {
			OPENSSL_cleanse(f->fields[i].value,
				f->fields[i].value_len);
			free(f->fields[i].value);
		}
	}
	OPENSSL_cleanse(f, sizeof(*f));
	free(f);
	return NULL;
}

const char *
form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

const char *
form_unknown(const struct form *f, const char *const *allowed)
{
	for (size_t i = 0; i < f->n; i++) {
		size_t j;

		for (j = 0; allowed[j]; j++)
			if (strcmp(f->fields[i].name, allowed[j]) == 0)
				break;
		if (!allowed[j])
			return f->fields[i].name;
	}
	return NULL;
}

int
form_parse(const uint8_t *data, size_t len, struct form **ret_form)
{
	struct form *f;
	size_t off = 0;
	int r;

	if (len > FORM_BODY_MAX)
		return -E2BIG;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	while (off < len) {
		const uint8_t *pair = data + off, *amp, *eq;
		size_t plen, nlen;
		struct form_field *fld;
		char *name;
		size_t name_len;

		amp = memchr(pair, '&', len - off);
		plen = amp ? (size_t)(amp - pair) : len - off;
		off += plen + (amp ? 1 : 0);
		if (plen == 0)
			continue;
		eq = memchr(pair, '=', plen);
		nlen = eq ? (size_t)(eq - pair) : plen;
		if (nlen == 0) {
			r = -EBADMSG;
			goto fail;
		}
		if (f->n == FORM_FIELDS_MAX) {
			r = -E2BIG;
			goto fail;
		}
		r = decode(pair, nlen, FORM_NAME_MAX, &name, &name_len);
		if (r < 0)
			goto fail;
		if (form_get(f, name)) {
			free(name);
			r = -EBADMSG;
			goto fail;
		}
		fld = &f->fields[f->n];
		fld->name = name;
		if (eq)
			r = decode(eq + 1, plen - nlen - 1, FORM_VALUE_MAX,
				&fld->value, &fld->value_len);
		else
			r = decode(pair, 0, FORM_VALUE_MAX, &fld->value,
				&fld->value_len);
		f->n++;
		if (r < 0) {
			fld->value = NULL;
			goto fail;
		}
	}
	*ret_form = f;
	return 0;
fail:
	form_free(f);
	return r;
}
