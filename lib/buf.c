#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

void
buf_reader_init(struct buf_reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->off = 0;
}

size_t
buf_reader_left(const struct buf_reader *r)
{
	return r->len - r->off;
}

int
buf_read_bytes(struct buf_reader *r, size_t n, const uint8_t **ret_p)
{
	if (buf_reader_left(r) < n)
		return -ENODATA;
	if (ret_p)
		*ret_p = r->data + r->off;
	r->off += n;
	return 0;
}

int
buf_skip(struct buf_reader *r, size_t n)
{
	return buf_read_bytes(r, n, NULL);
}

static int
read_be(struct buf_reader *r, size_t n, uint64_t *ret_v)
{
	const uint8_t *p;
	uint64_t v = 0;
	int rc;

	rc = buf_read_bytes(r, n, &p);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	*ret_v = v;
	return 0;
}

int
buf_read_u8(struct buf_reader *r, uint8_t *ret_v)
{
	uint64_t v;
	int rc = read_be(r, 1, &v);

	if (rc == 0)
		*ret_v = (uint8_t)v;
	return rc;
}

int
buf_read_u16(struct buf_reader *r, uint16_t *ret_v)
{
	uint64_t v;
	int rc = read_be(r, 2, &v);

	if (rc == 0)
		*ret_v = (uint16_t)v;
	return rc;
}

int
buf_read_u32(struct buf_reader *r, uint32_t *ret_v)
{
	uint64_t v;
	int rc = read_be(r, 4, &v);

	if (rc == 0)
		*ret_v = (uint32_t)v;
	return rc;
}

int
buf_read_u64(struct buf_reader *r, uint64_t *ret_v)
{
	return read_be(r, 8, ret_v);
}

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
buf_release(struct buf *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	buf_init(b, b->max);
}

static int
grow(struct buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->err)
		return b->err;
	if (n > b->max || b->len > b->max - n)
		return b->err = -E2BIG;
	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > b->max)
		cap = b->max;
	/* Not realloc: the old block may hold secrets and must be cleansed. */
	p = malloc(cap);
	if (!p)
		return b->err = -ENOMEM;
	if (b->data) {
		memcpy(p, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_put_bytes(struct buf *b, const void *p, size_t n)
{
	int rc = grow(b, n);

	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

long
buf_reserve(struct buf *b, size_t n)
{
	int rc = grow(b, n);
	size_t off = b->len;

	if (rc < 0)
		return rc;
	memset(b->data + off, 0, n);
	b->len += n;
	return (long)off;
}

static int
put_be(struct buf *b, uint64_t v, size_t n)
{
	uint8_t tmp[8];

	for (size_t i = 0; i < n; i++)
		tmp[n - 1 - i] = (uint8_t)(v >> (8 * i));
	return buf_put_bytes(b, tmp, n);
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return put_be(b, v, 1);
}

int
buf_put_u16(struct buf *b, uint16_t v)
{
	return put_be(b, v, 2);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	return put_be(b, v, 4);
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	return put_be(b, v, 8);
}

int
buf_steal(struct buf *b, uint8_t **ret_data, size_t *ret_len)
{
	int err = b->err;

	if (err) {
		buf_release(b);
		return err;
	}
	*ret_data = b->data;
	*ret_len = b->len;
	buf_init(b, b->max);
	return 0;
}
