/* SipHash-2-4 against the reference vectors of the paper (key 00..0f,
 * input 00..len-1). */
#include "config.h"

#include <stdint.h>

#include "daemon/siphash.h"
#include "test.h"

int
main(void)
{
	static const struct { size_t len; uint64_t want; } v[] = {
		{ 0, 0x726fdb47dd0e0e31ULL },
		{ 1, 0x74f839c593dc67fdULL },
		{ 7, 0xab0200f58b01d137ULL },
		{ 8, 0x93f5f5799a932462ULL },
		{ 15, 0xa129ca6149be45e5ULL },
		{ 63, 0x958a324ceb064572ULL },
	};
	uint8_t key[16], in[64];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(siphash24(in, v[i].len, key) == v[i].want);
	key[0] ^= 1;
	CHECK(siphash24(in, 0, key) != v[0].want);
	return test_exit();
}
