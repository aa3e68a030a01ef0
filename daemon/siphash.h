/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash for tables
 * indexed by peer-chosen strings (transaction branches), so that a peer
 * cannot aim many keys at one bucket without knowing the random key. */
#ifndef SVOPID_SIPHASH_H
#define SVOPID_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

uint64_t siphash24(const void *data, size_t len,
	const uint8_t key[SIPHASH_KEY_LEN]);

#endif
