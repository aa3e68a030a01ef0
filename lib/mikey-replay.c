#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mikey-replay.h"

/* Largest capacity accepted by mikey_replay_new. */
#define REPLAY_MAX_ENTRIES	(1u << 20)

struct entry {
	uint8_t digest[MIKEY_REPLAY_DIGEST_LEN];
	uint64_t expires;
};

/* A flat array scanned linearly: a few thousand 40-byte entries are
 * scanned faster than a call's RSA verification, and there is nothing to
 * get wrong. Entries [0, n) are live until expiry. */
struct mikey_replay {
	struct entry *e;
	size_t n;
	size_t max;
};

struct mikey_replay *
mikey_replay_new(size_t max)
{
	struct mikey_replay *c;

	if (max == 0 || max > REPLAY_MAX_ENTRIES)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->e = calloc(max, sizeof(*c->e));
	if (!c->e) {
		free(c);
		return NULL;
	}
	c->max = max;
	return c;
}

struct mikey_replay *
mikey_replay_free(struct mikey_replay *c)
{
	if (c) {
		free(c->e);
		free(c);
	}
	return NULL;
}

static void
purge(struct mikey_replay *c, uint64_t now)
{
	for (size_t i = 0; i < c->n;) {
		if (c->e[i].expires <= now)
			c->e[i] = c->e[--c->n];
		else
			i++;
	}
}

int
mikey_replay_contains(struct mikey_replay *c,
    const uint8_t digest[MIKEY_REPLAY_DIGEST_LEN], uint64_t now_s)
{
	purge(c, now_s);
	for (size_t i = 0; i < c->n; i++)
		if (CRYPTO_memcmp(c->e[i].digest, digest,
		    MIKEY_REPLAY_DIGEST_LEN) == 0)
			return 1;
	return 0;
}

int
mikey_replay_add(struct mikey_replay *c,
    const uint8_t digest[MIKEY_REPLAY_DIGEST_LEN], uint64_t now_s,
    uint64_t expires_s)
{
	if (!c || !digest || expires_s <= now_s)
		return -EINVAL;
	if (mikey_replay_contains(c, digest, now_s))
		return -EEXIST;
	if (c->n == c->max)
		return -ENOBUFS;
	memcpy(c->e[c->n].digest, digest, MIKEY_REPLAY_DIGEST_LEN);
	c->e[c->n].expires = expires_s;
	c->n++;
	return 0;
}

size_t
mikey_replay_count(struct mikey_replay *c, uint64_t now_s)
{
	purge(c, now_s);
	return c->n;
}
