#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "auth.h"
#include "common/log.h"

#define AUTH_SALT_LEN 16
#define AUTH_HASH_LEN 32
/* Table sizes (powers of two) and how far a key may sit from its slot. */
#define CACHE_SLOTS 16384
#define LIMIT_SLOTS 8192
#define PROBES 8

struct slot {
	uint8_t key[32];
	int64_t t;		/* cache: expiry; limiter: window start */
	uint32_t count;		/* limiter: failures in the window */
	int used;
};

struct table {
	struct slot *slots;
	size_t n;
};

struct auth {
	struct auth_params p;
	uint8_t secret[AUTH_SECRET_LEN];
	struct table cache, limits;
	char dummy_hash[STORE_PWHASH_MAX + 1];
	struct auth_stats stats;
	EVP_MAC_CTX *mac;	/* HMAC-SHA256 keyed with secret */
	/* The tables and stats; argon2id runs outside it, so event loops
	 * hash in parallel. */
	pthread_mutex_t lock;
};

int
auth_hash_password(long t_cost, long m_cost, const char *password,
	char *out, size_t cap)
{
	uint8_t salt[AUTH_SALT_LEN];
	size_t need;
	int rc;

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -EIO;
	need = argon2_encodedlen((uint32_t)t_cost, (uint32_t)m_cost, 1,
		AUTH_SALT_LEN, AUTH_HASH_LEN, Argon2_id);
	if (need > cap)
		return -E2BIG;
	rc = argon2id_hash_encoded((uint32_t)t_cost, (uint32_t)m_cost, 1,
		password, strlen(password), salt, sizeof(salt), AUTH_HASH_LEN,
		out, cap);
	return rc == ARGON2_OK ? 0 : -EINVAL;
}

static int
table_init(struct table *t, size_t n)
{
	t->slots = calloc(n, sizeof(*t->slots));
	t->n = n;
	return t->slots ? 0 : -ENOMEM;
}

static size_t
table_index(const struct table *t, const uint8_t key[32])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));	/* keys are MAC output: uniform */
	return (size_t)h & (t->n - 1);
}

static struct slot *
table_find(struct table *t, const uint8_t key[32])
{
	size_t i = table_index(t, key);

	for (int k = 0; k < PROBES; k++) {
		struct slot *s = &t->slots[(i + k) & (t->n - 1)];

		if (s->used && CRYPTO_memcmp(s->key, key, 32) == 0)
			return s;
	}
	return NULL;
}

/* A slot for key: a free one, else one whose t is below stale, else the
 * one with the smallest t. */
static struct slot *
table_take(struct table *t, const uint8_t key[32], int64_t stale)
{
	size_t i = table_index(t, key);
	struct slot *victim = NULL;

	for (int k = 0; k < PROBES; k++) {
		struct slot *s = &t->slots[(i + k) & (t->n - 1)];

		if (!s->used || s->t < stale) {
			victim = s;
			break;
		}
		if (!victim || s->t < victim->t)
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, 32);
	victim->used = 1;
	return victim;
}

static void
mac(const struct auth *a, const void *p1, size_t n1, const void *p2,
	size_t n2, const void *p3, size_t n3, uint8_t out[32])
{
	/* Parts joined with NUL separators; none contains a NUL. */
	EVP_MAC_CTX *c = EVP_MAC_CTX_dup(a->mac);
	static const uint8_t zero;
	size_t len = 0;

	if (!c || !EVP_MAC_update(c, p1, n1) || !EVP_MAC_update(c, &zero, 1) ||
	    !EVP_MAC_update(c, p2, n2) || !EVP_MAC_update(c, &zero, 1) ||
	    !EVP_MAC_update(c, p3, n3) || !EVP_MAC_final(c, out, &len, 32))
		abort();	/* cannot happen once auth_new succeeded */
	EVP_MAC_CTX_free(c);
}

static int
mac_init(struct auth *a)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	if (!m)
		return -EIO;
	a->mac = EVP_MAC_CTX_new(m);
	EVP_MAC_free(m);
	if (!a->mac || !EVP_MAC_init(a->mac, a->secret, sizeof(a->secret),
		params))
		return -EIO;
	return 0;
}

void
auth_mac(const struct auth *a, const void *p1, size_t n1, const void *p2,
	size_t n2, uint8_t out[32])
{
	mac(a, "ext", 3, p1, n1, p2, n2, out);
}

struct auth *
auth_new(const struct auth_params *p)
{
	struct auth *a = calloc(1, sizeof(*a));
	char pw[33];
	uint8_t rnd[16];

	if (!a)
		return NULL;
	a->p = *p;
	pthread_mutex_init(&a->lock, NULL);
	if (RAND_bytes(a->secret, sizeof(a->secret)) != 1 ||
	    mac_init(a) < 0 ||
	    RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    table_init(&a->cache, CACHE_SLOTS) < 0 ||
	    table_init(&a->limits, LIMIT_SLOTS) < 0)
		return auth_free(a);
	for (size_t i = 0; i < sizeof(rnd); i++) {
		pw[2 * i] = (char)('a' + (rnd[i] & 15));
		pw[2 * i + 1] = (char)('a' + (rnd[i] >> 4));
	}
	pw[32] = '\0';
	/* Unknown logins are checked against this so that they cost as
	 * much as known ones. */
	if (auth_hash_password(p->t_cost, p->m_cost, pw, a->dummy_hash,
		sizeof(a->dummy_hash)) < 0)
		return auth_free(a);
	return a;
}

struct auth *
auth_free(struct auth *a)
{
	if (!a)
		return NULL;
	if (a->cache.slots)
		OPENSSL_cleanse(a->cache.slots,
			a->cache.n * sizeof(*a->cache.slots));
	free(a->cache.slots);
	free(a->limits.slots);
	EVP_MAC_CTX_free(a->mac);
	pthread_mutex_destroy(&a->lock);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
	return NULL;
}

void
auth_get_stats(struct auth *a, struct auth_stats *ret)
{
	pthread_mutex_lock(&a->lock);
	*ret = a->stats;
	pthread_mutex_unlock(&a->lock);
}

static void
limit_key(const struct auth *a, const char *kind, const char *v,
	uint8_t key[32])
{
	mac(a, "limit", 5, kind, strlen(kind), v, strlen(v), key);
}

static int
limited(struct auth *a, const uint8_t key[32], long max, int64_t now)
{
	struct slot *s = table_find(&a->limits, key);

	return s && now - s->t < a->p.fail_window && s->count >= max;
}

static void
record_failure(struct auth *a, const uint8_t key[32], int64_t now)
{
	struct slot *s = table_find(&a->limits, key);

	if (!s || now - s->t >= a->p.fail_window) {
		s = table_take(&a->limits, key, now - a->p.fail_window);
		s->t = now;
	}
	s->count++;
}

int
auth_check(struct auth *a, struct store *st, const char *login,
	const char *password, const char *addr, int64_t now,
	enum auth_result *ret_result, struct store_user *ret_user)
{
	struct store_user u;
	uint8_t ck[32], lk[32], ak[32];
	struct slot *s;
	int r, known, ok, hit = 0, limit;

	r = store_user_get(st, login, &u);
	if (r < 0 && r != -ENOENT)
		return r;
	known = r == 0;
	if (known)
		mac(a, login, strlen(login), password, strlen(password),
			u.pwhash, strlen(u.pwhash), ck);
	limit_key(a, "login", login, lk);
	limit_key(a, "addr", addr, ak);
	pthread_mutex_lock(&a->lock);
	if (known) {
		s = table_find(&a->cache, ck);
		hit = s && s->t > now;
	}
	/* Only guesses pay the limits: a cached credential passes even
	 * while somebody hammers the same login. */
	limit = !hit && (limited(a, lk, a->p.login_fail_max, now) ||
		limited(a, ak, a->p.addr_fail_max, now));
	if (hit)
		a->stats.cache_hits++;
	else if (limit)
		a->stats.limited++;
	else
		a->stats.hashes++;
	pthread_mutex_unlock(&a->lock);
	if (hit) {
		*ret_result = AUTH_OK;
		*ret_user = u;
		return 0;
	}
	if (limit) {
		*ret_result = AUTH_LIMITED;
		return 0;
	}
	ok = argon2id_verify(known ? u.pwhash : a->dummy_hash, password,
		strlen(password)) == ARGON2_OK;
	pthread_mutex_lock(&a->lock);
	if (!ok || !known) {
		a->stats.failures++;
		record_failure(a, lk, now);
		record_failure(a, ak, now);
	} else if (a->p.cache_ttl > 0) {
		s = table_take(&a->cache, ck, now);
		s->t = now + a->p.cache_ttl;
	}
	pthread_mutex_unlock(&a->lock);
	if (!ok || !known) {
		*ret_result = AUTH_DENIED;
		return 0;
	}
	*ret_result = AUTH_OK;
	*ret_user = u;
	return 0;
}
