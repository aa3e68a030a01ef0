/* Bounded byte cursors for wire data.
 *
 * struct buf_reader reads hostile input: every read checks what is left and
 * fails with -ENODATA instead of reading past the end; nothing relies on a
 * NUL. struct buf is a growable writer with a hard cap; the first failure is
 * sticky so that a builder can write a whole message and check once. Its
 * memory is cleansed on free because builders put keys and DH values in it.
 */
#ifndef SVOPI_BUF_H
#define SVOPI_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
};

void buf_reader_init(struct buf_reader *r, const uint8_t *data, size_t len);
/* Bytes not yet read. */
size_t buf_reader_left(const struct buf_reader *r);
/* Each returns 0, or -ENODATA (nothing consumed) if too few bytes are left.
 * Integers are big-endian. ret_ is written only on success. */
int buf_read_u8(struct buf_reader *r, uint8_t *ret_v);
int buf_read_u16(struct buf_reader *r, uint16_t *ret_v);
int buf_read_u32(struct buf_reader *r, uint32_t *ret_v);
int buf_read_u64(struct buf_reader *r, uint64_t *ret_v);
/* Borrows n bytes from the input; valid while the input is. */
int buf_read_bytes(struct buf_reader *r, size_t n, const uint8_t **ret_p);
int buf_skip(struct buf_reader *r, size_t n);

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;	/* hard limit on len */
	int err;	/* first error, sticky: -ENOMEM or -E2BIG */
};

/* An empty writer that refuses to grow past max bytes. */
void buf_init(struct buf *b, size_t max);
/* Cleanses and frees the contents; the buf can be reused after buf_init. */
void buf_release(struct buf *b);
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_u16(struct buf *b, uint16_t v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
int buf_put_bytes(struct buf *b, const void *p, size_t n);
/* Reserves n zeroed bytes and returns their offset, or a negative errno. */
long buf_reserve(struct buf *b, size_t n);
/* Hands the bytes to the caller (who frees them) and empties b. Returns
 * b->err if any write failed, after cleansing. */
int buf_steal(struct buf *b, uint8_t **ret_data, size_t *ret_len);

#endif
