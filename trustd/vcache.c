/* The validate cache (see vcache.h): open addressing, a short probe. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "vcache.h"

#define VCACHE_PROBE 8

struct vcache_slot {
	uint8_t key[32];
	int64_t expires;	/* 0: free */
};

struct vcache {
	struct vcache_slot slot[VCACHE_SLOTS];
};

struct vcache *
vcache_new(void)
{
	return calloc(1, sizeof(struct vcache));
}

struct vcache *
vcache_free(struct vcache *c)
{
	if (c) {
		OPENSSL_cleanse(c, sizeof(*c));
		free(c);
	}
	return NULL;
}

void
vcache_key(const struct auth *a, const char *login, const char *password,
	const char *peer, const char *fp, uint8_t key[32])
{
	/* password || 0 || peer || 0 || fp, under the secret with login. */
	size_t lp = strlen(password), le = strlen(peer), lf = strlen(fp);
	size_t n = lp + 1 + le + 1 + lf;
	char *buf = malloc(n);

	if (!buf) {
		memset(key, 0, 32);	/* never put: see vcache_put */
		return;
	}
	memcpy(buf, password, lp);
	buf[lp] = '\0';
	memcpy(buf + lp + 1, peer, le);
	buf[lp + 1 + le] = '\0';
	memcpy(buf + lp + 2 + le, fp, lf);
	auth_mac(a, login, strlen(login), buf, n, key);
	OPENSSL_cleanse(buf, n);
	free(buf);
}

static size_t
home(const uint8_t key[32])
{
	return ((size_t)key[0] << 8 | key[1]) % VCACHE_SLOTS;
}

int
vcache_hit(const struct vcache *c, const uint8_t key[32], int64_t now)
{
	for (size_t i = 0, h = home(key); i < VCACHE_PROBE; i++) {
		const struct vcache_slot *s = &c->slot[(h + i) % VCACHE_SLOTS];

		if (s->expires > now && CRYPTO_memcmp(s->key, key, 32) == 0)
			return 1;
	}
	return 0;
}

void
vcache_put(struct vcache *c, const uint8_t key[32], int64_t now)
{
	static const uint8_t zero[32];
	struct vcache_slot *victim = NULL;

	if (CRYPTO_memcmp(key, zero, 32) == 0)
		return;
	for (size_t i = 0, h = home(key); i < VCACHE_PROBE; i++) {
		struct vcache_slot *s = &c->slot[(h + i) % VCACHE_SLOTS];

		if (s->expires <= now || CRYPTO_memcmp(s->key, key, 32) == 0) {
			victim = s;
			break;
		}
		if (!victim || s->expires < victim->expires)
			victim = s;
	}
	memcpy(victim->key, key, 32);
	victim->expires = now + VCACHE_TTL;
}

void
vcache_clear(struct vcache *c)
{
	if (c)
		memset(c->slot, 0, sizeof(c->slot));
}
