#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "hex.h"
#include "test.h"

static void
test_reader(void)
{
	static const uint8_t in[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct buf_reader r;
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	const uint8_t *p;

	buf_reader_init(&r, in, sizeof(in));
	CHECK_EQ_INT(buf_read_u8(&r, &u8), 0);
	CHECK_EQ_INT(u8, 1);
	CHECK_EQ_INT(buf_read_u16(&r, &u16), 0);
	CHECK_EQ_INT(u16, 0x0203);
	CHECK_EQ_INT(buf_read_u32(&r, &u32), 0);
	CHECK_EQ_INT(u32, 0x04050607);
	CHECK_EQ_INT(buf_reader_left(&r), 8);
	CHECK_EQ_INT(buf_read_u64(&r, &u64), 0);
	CHECK(u64 == 0x08090a0b0c0d0e0fULL);
	CHECK_EQ_INT(buf_read_u8(&r, &u8), -ENODATA);
	CHECK_EQ_INT(u8, 1);	/* untouched on failure */
	r.off -= 3;
	CHECK_EQ_INT(buf_read_u64(&r, &u64), -ENODATA);
	CHECK_EQ_INT(buf_reader_left(&r), 3);	/* nothing consumed */
	CHECK_EQ_INT(buf_skip(&r, 3), 0);
	CHECK_EQ_INT(buf_read_bytes(&r, 0, &p), 0);
	CHECK_EQ_INT(buf_skip(&r, 1), -ENODATA);

	buf_reader_init(&r, NULL, 99);
	CHECK_EQ_INT(buf_reader_left(&r), 0);
}

static void
test_writer(void)
{
	struct buf b;
	uint8_t *out = NULL;
	size_t n = 0;
	long off;

	buf_init(&b, 16);
	CHECK_EQ_INT(buf_put_u8(&b, 0xaa), 0);
	CHECK_EQ_INT(buf_put_u16(&b, 0x0102), 0);
	CHECK_EQ_INT(buf_put_u32(&b, 0x03040506), 0);
	off = buf_reserve(&b, 2);
	CHECK_EQ_INT(off, 7);
	CHECK_EQ_INT(buf_put_u64(&b, 1), -E2BIG);	/* 9 + 8 > 16 */
	CHECK_EQ_INT(buf_put_u8(&b, 1), -E2BIG);	/* sticky */
	CHECK_EQ_INT(buf_steal(&b, &out, &n), -E2BIG);
	CHECK(out == NULL);

	buf_init(&b, 1024);
	for (int i = 0; i < 300; i++)
		buf_put_u8(&b, (uint8_t)i);
	CHECK_EQ_INT(buf_steal(&b, &out, &n), 0);
	CHECK_EQ_INT(n, 300);
	CHECK(out && out[299] == (uint8_t)299);
	free(out);
}

static void
test_hex(void)
{
	static const uint8_t in[] = { 0x00, 0xab, 0xff };
	uint8_t out[4];
	char txt[7];

	hex_encode(in, sizeof(in), txt);
	CHECK(strcmp(txt, "00abff") == 0);
	CHECK_EQ_INT(hex_decode("00ABff", 6, out, sizeof(out)), 3);
	CHECK_MEM(out, in, 3);
	CHECK_EQ_INT(hex_decode("0", 1, out, sizeof(out)), -EBADMSG);
	CHECK_EQ_INT(hex_decode("0g", 2, out, sizeof(out)), -EBADMSG);
	CHECK_EQ_INT(hex_decode("0011223344", 10, out, sizeof(out)), -E2BIG);
}

int
main(void)
{
	test_reader();
	test_writer();
	test_hex();
	return test_exit();
}
