/* G.711: code round trips over all 256 codes, the ends of the range,
 * silence, monotonic decoding, and the quantisation error bound. */
#include <stdlib.h>

#include "g711.h"
#include "test.h"

static void
test_roundtrip(int alaw)
{
	for (int c = 0; c < 256; c++) {
		int16_t v = alaw ? g711_alaw_decode((uint8_t)c) :
		    g711_ulaw_decode((uint8_t)c);
		uint8_t back = alaw ? g711_alaw_encode(v) :
		    g711_ulaw_encode(v);

		/* µ-law has two zeros (0x7F is -0): both decode to 0. */
		if (!alaw && c == 0x7f)
			CHECK_EQ_INT(back, 0xff);
		else
			CHECK_EQ_INT(back, c);
	}
}

/* Every linear value decodes back within half a step of its segment:
 * at most 1/16 of its magnitude plus the smallest step. */
static void
test_error(int alaw)
{
	int worst_ok = 1, monotonic = 1, prev = -40000;

	for (int v = -32768; v <= 32767; v++) {
		uint8_t c = alaw ? g711_alaw_encode((int16_t)v) :
		    g711_ulaw_encode((int16_t)v);
		int d = alaw ? g711_alaw_decode(c) : g711_ulaw_decode(c);
		int err = abs(d - v), mag = abs(v);

		if (mag < 32000 && err > mag / 16 + 16)
			worst_ok = 0;
		if (d < prev)
			monotonic = 0;
		prev = d;
	}
	CHECK(worst_ok);
	CHECK(monotonic);
}

int
main(void)
{
	int16_t pcm[4] = { 0, 1000, -1000, 32767 }, back[4];
	uint8_t enc[4];

	CHECK_EQ_INT(g711_ulaw_encode(0), 0xff);
	CHECK_EQ_INT(g711_alaw_encode(0), 0xd5);
	CHECK_EQ_INT(g711_ulaw_encode(32767), 0x80);
	CHECK_EQ_INT(g711_ulaw_encode(-32768), 0x00);
	CHECK_EQ_INT(g711_ulaw_encode(1000), 0xce);
	CHECK_EQ_INT(g711_ulaw_encode(-1000), 0x4e);
	CHECK_EQ_INT(g711_alaw_encode(32767), 0xaa);
	CHECK_EQ_INT(g711_alaw_encode(-32768), 0x2a);
	CHECK_EQ_INT(g711_ulaw_decode(0x80), 32124);
	CHECK_EQ_INT(g711_ulaw_decode(0x00), -32124);
	CHECK_EQ_INT(g711_ulaw_decode(0xff), 0);
	CHECK_EQ_INT(g711_alaw_decode(0xaa), 32256);
	CHECK_EQ_INT(g711_alaw_decode(0x2a), -32256);
	CHECK_EQ_INT(g711_alaw_decode(0xd5), 8);
	CHECK_EQ_INT(g711_alaw_decode(0x55), -8);
	test_roundtrip(0);
	test_roundtrip(1);
	test_error(0);
	test_error(1);
	g711_encode(1, pcm, enc, 4);
	g711_decode(1, enc, back, 4);
	CHECK_EQ_INT(enc[0], 0xd5);
	CHECK(abs(back[1] - 1000) <= 32 && abs(back[2] + 1000) <= 32);
	g711_encode(0, pcm, enc, 4);
	CHECK_EQ_INT(enc[1], 0xce);
	return test_exit();
}
