/* The trust rules, shared by the store backends: what a pair's rows
 * mean for one side of it. */
#ifndef TRUSTD_STORE_RULES_H
#define TRUSTD_STORE_RULES_H

#include <stdint.h>

#include "store.h"

/* A pair's rows as read from the store (a < b). */
struct pair_row {
	int has_rel;
	char rel_fp_a[STORE_FP_LEN + 1], rel_fp_b[STORE_FP_LEN + 1];
	int has_vuc;
	int64_t issuer;
	char code[STORE_VUC_DIGITS + 1];
	int64_t expires;
	int tries;
	char vuc_fp_a[STORE_FP_LEN + 1], vuc_fp_b[STORE_FP_LEN + 1];
};

/* Orders the pair: *a is the one with the smaller id. */
void rules_order(const struct store_user *me, const struct store_user *peer,
	const struct store_user **a, const struct store_user **b);
/* The relationship binds both current fingerprints. */
int rules_trusted(const struct pair_row *p, const struct store_user *a,
	const struct store_user *b);
/* The VUC is unexpired, not locked and issued under the current keys. */
int rules_vuc_active(const struct pair_row *p, const struct store_user *a,
	const struct store_user *b, int64_t now);
/* What me sees of the pair. */
void rules_view(const struct pair_row *p, const struct store_user *me,
	const struct store_user *peer, int64_t now, struct store_pair *ret);
/* A copied pair for a store where its users got ids id_a (login_a) and
 * id_b: swaps the sides if needed so that ret_ids[0] < ret_ids[1]. */
void rules_copy_order(const struct store_copy_pair *in, int64_t id_a,
	int64_t id_b, struct store_copy_pair *out, int64_t ret_ids[2]);
/* What the requester sees of a pair whose VUC it was just issued. */
void rules_issued(const char code[STORE_VUC_DIGITS + 1], int64_t expires,
	struct store_pair *ret);
/* The id of login, through the backend's own user_get (ops table: no
 * call back up into store.c). */
int rules_user_id(struct store *s, const char *login, int64_t *ret);
/* 8 uniform random digits; -EIO if the RNG fails. */
int rules_vuc_generate(char out[STORE_VUC_DIGITS + 1]);

#endif
