#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mikey.h"
#include "mikey-certcache.h"

struct cc_entry {
	uint8_t *der;		/* owned */
	size_t len;
	X509 *x;		/* a reference of the cache's */
	uint64_t used;		/* last use, from cc->clock */
};

struct mikey_cert_cache {
	size_t n;
	uint64_t clock;
	struct cc_entry e[MIKEY_CERT_CACHE_MAX];
};

struct mikey_cert_cache *
mikey_cert_cache_new(size_t n)
{
	struct mikey_cert_cache *cc;

	if (n == 0 || n > MIKEY_CERT_CACHE_MAX)
		return NULL;
	cc = calloc(1, sizeof(*cc));
	if (cc)
		cc->n = n;
	return cc;
}

static void
cc_entry_clear(struct cc_entry *e)
{
	X509_free(e->x);
	free(e->der);
	memset(e, 0, sizeof(*e));
}

struct mikey_cert_cache *
mikey_cert_cache_free(struct mikey_cert_cache *cc)
{
	if (cc) {
		for (size_t i = 0; i < cc->n; i++)
			cc_entry_clear(&cc->e[i]);
		free(cc);
	}
	return NULL;
}

X509 *
mikey_cert_cache_find(struct mikey_cert_cache *cc, const uint8_t *der,
    size_t len)
{
	if (!cc || !der)
		return NULL;
	for (size_t i = 0; i < cc->n; i++) {
		struct cc_entry *e = &cc->e[i];

		if (e->x && e->len == len && memcmp(e->der, der, len) == 0 &&
		    X509_up_ref(e->x) == 1) {
			e->used = ++cc->clock;
			return e->x;
		}
	}
	return NULL;
}

int
mikey_cert_cache_put(struct mikey_cert_cache *cc, const uint8_t *der,
    size_t len, X509 *x)
{
	struct cc_entry *slot = NULL;
	uint8_t *copy;

	if (!cc || !der || !len || len > MIKEY_CERT_MAX || !x)
		return -EINVAL;
	for (size_t i = 0; i < cc->n; i++) {
		struct cc_entry *e = &cc->e[i];

		if (!e->x) {
			slot = e;
			break;
		}
		if (!slot || e->used < slot->used)
			slot = e;
	}
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	if (X509_up_ref(x) != 1) {
		free(copy);
		return -ENOMEM;
	}
	memcpy(copy, der, len);
	cc_entry_clear(slot);
	slot->der = copy;
	slot->len = len;
	slot->x = x;
	slot->used = ++cc->clock;
	return 0;
}
