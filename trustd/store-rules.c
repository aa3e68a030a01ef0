/* The trust rules both store backends apply to what they read (see
 * store-rules.h). Pure: no I/O but the random code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "store-impl.h"
#include "store-rules.h"

/* Orders the pair: a is the smaller id. */
void
rules_order(const struct store_user *me, const struct store_user *peer,
	const struct store_user **a, const struct store_user **b)
{
	if (me->id < peer->id) {
		*a = me;
		*b = peer;
	} else {
		*a = peer;
		*b = me;
	}
}

int
rules_trusted(const struct pair_row *p, const struct store_user *a,
	const struct store_user *b)
{
	return p->has_rel && a->fp[0] && b->fp[0] &&
		strcmp(p->rel_fp_a, a->fp) == 0 &&
		strcmp(p->rel_fp_b, b->fp) == 0;
}

/* A VUC counts while it is unexpired, not locked and issued under the
 * current keys. */
int
rules_vuc_active(const struct pair_row *p, const struct store_user *a,
	const struct store_user *b, int64_t now)
{
	return p->has_vuc && p->tries < STORE_VUC_TRIES &&
		now < p->expires && strcmp(p->vuc_fp_a, a->fp) == 0 &&
		strcmp(p->vuc_fp_b, b->fp) == 0;
}

void
rules_view(const struct pair_row *p, const struct store_user *me,
	const struct store_user *peer, int64_t now, struct store_pair *ret)
{
	const struct store_user *a, *b;

	rules_order(me, peer, &a, &b);
	memset(ret, 0, sizeof(*ret));
	if (rules_trusted(p, a, b)) {
		ret->rel = STORE_REL_TRUSTED;
		return;
	}
	if (rules_vuc_active(p, a, b, now)) {
		ret->rel = STORE_REL_PENDING;
		ret->vuc_pending = 1;
		ret->me_issuer = p->issuer == me->id;
		ret->vuc_expires = p->expires;
		if (ret->me_issuer)
			memcpy(ret->vuc, p->code, sizeof(ret->vuc));
		return;
	}
	/* A relationship under old keys waits for a new VUC. */
	ret->rel = p->has_rel ? STORE_REL_PENDING : STORE_REL_NONE;
}

/* 8 uniform random digits. */
int
rules_vuc_generate(char out[STORE_VUC_DIGITS + 1])
{
	uint32_t v;

	do {
		if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
			return -EIO;
	} while (v >= 4000000000u);	/* 40 * 10^8: no modulo bias */
	snprintf(out, STORE_VUC_DIGITS + 1, "%08u", v % 100000000u);
	return 0;
}

void
rules_copy_order(const struct store_copy_pair *in, int64_t id_a,
	int64_t id_b, struct store_copy_pair *out, int64_t ret_ids[2])
{
	*out = *in;
	ret_ids[0] = id_a;
	ret_ids[1] = id_b;
	if (id_a < id_b)
		return;
	ret_ids[0] = id_b;
	ret_ids[1] = id_a;
	out->login_a = in->login_b;
	out->login_b = in->login_a;
	out->rel_fp_a = in->rel_fp_b;
	out->rel_fp_b = in->rel_fp_a;
	out->vuc_fp_a = in->vuc_fp_b;
	out->vuc_fp_b = in->vuc_fp_a;
}

void
rules_issued(const char code[STORE_VUC_DIGITS + 1], int64_t expires,
	struct store_pair *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->rel = STORE_REL_PENDING;
	ret->vuc_pending = 1;
	ret->me_issuer = 1;
	memcpy(ret->vuc, code, sizeof(ret->vuc));
	ret->vuc_expires = expires;
}

int
rules_user_id(struct store *s, const char *login, int64_t *ret)
{
	struct store_user u;
	int r;

	memset(&u, 0, sizeof(u));
	r = s->ops->user_get(s, login, &u);
	*ret = u.id;
	OPENSSL_cleanse(&u, sizeof(u));
	return r;
}
