/* trustd's store through its interface (store.h), on the sqlite backend
 * in a private folder: every SPEC §3 rule the store carries. No sockets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../trustd/store.h"
#include "test.h"

#define NOW 1800000000
#define TTL 900

static char dir[] = "/tmp/test-trustd-store.XXXXXX";
static char path[sizeof(dir) + 16];

static struct store *
open_store(void)
{
	struct store *s = NULL;

	CHECK_EQ_INT(store_open(path, &s), 0);
	if (!s)
		exit(EXIT_FAILURE);
	return s;
}

static void
user(struct store *s, const char *login, const char *fp,
	struct store_user *u)
{
	int changed = -1;

	CHECK_EQ_INT(store_user_add(s, login, "$argon2id$x", NOW), 0);
	CHECK_EQ_INT(store_user_get(s, login, u), 0);
	CHECK_EQ_INT(u->enrolled_at, 0);
	CHECK(u->fp[0] == '\0');
	CHECK_EQ_INT(store_enroll(s, u->id, (const uint8_t *)"der", 3, fp,
		NOW - 10, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(store_user_get(s, login, u), 0);
	CHECK_EQ_INT(u->enrolled_at, NOW - 10);
	CHECK(strcmp(u->fp, fp) == 0);
}

static void
test_open(void)
{
	struct store *s = NULL;
	char url[sizeof(path) + 16];

	CHECK_EQ_INT(store_open("mysql://x/y", &s), -EPROTONOSUPPORT);
	CHECK_EQ_INT(store_open("sqlite://relative.db", &s), -EINVAL);
	CHECK(s == NULL);
	snprintf(url, sizeof(url), "sqlite://%s", path);
	CHECK_EQ_INT(store_open(url, &s), 0);
	CHECK(s && strcmp(store_backend(s), "sqlite") == 0);
	store_free(s);
}

static void
test_users(struct store *s)
{
	struct store_user u;

	CHECK_EQ_INT(store_user_get(s, "nobody@example.org", &u), -ENOENT);
	CHECK_EQ_INT(store_user_add(s, "x@example.org", "h", NOW), 0);
	CHECK_EQ_INT(store_user_add(s, "x@example.org", "h", NOW), -EEXIST);
	CHECK_EQ_INT(store_user_del(s, "x@example.org"), 0);
	CHECK_EQ_INT(store_user_del(s, "x@example.org"), -ENOENT);
}

/* First contact, one VUC per pair, wrong codes, lock, a new code. */
static void
test_first_contact(struct store *s, struct store_user *a,
	struct store_user *b)
{
	struct store_pair p, q;
	char code[STORE_VUC_DIGITS + 1], wrong[STORE_VUC_DIGITS + 1];
	enum store_redeem res;
	int issued = -1, left = -1;

	CHECK_EQ_INT(store_pair_get(s, a, b, NOW, &p), 0);
	CHECK_EQ_INT(p.rel, STORE_REL_NONE);
	CHECK_EQ_INT(store_pair_validate(s, a, b, NOW, TTL, &p, &issued), 0);
	CHECK_EQ_INT(issued, 1);
	CHECK_EQ_INT(p.rel, STORE_REL_PENDING);
	CHECK(p.vuc_pending && p.me_issuer);
	CHECK_EQ_INT(p.vuc_expires, NOW + TTL);
	CHECK_EQ_INT(strspn(p.vuc, "0123456789"), STORE_VUC_DIGITS);
	memcpy(code, p.vuc, sizeof(code));
	/* The same code again; the other side gets no code of its own. */
	CHECK_EQ_INT(store_pair_validate(s, a, b, NOW + 1, TTL, &q, &issued),
		0);
	CHECK_EQ_INT(issued, 0);
	CHECK(strcmp(q.vuc, code) == 0);
	CHECK_EQ_INT(store_pair_validate(s, b, a, NOW + 1, TTL, &q, &issued),
		0);
	CHECK_EQ_INT(issued, 0);
	CHECK(q.vuc_pending && !q.me_issuer && q.vuc[0] == '\0');
	/* The issuer cannot redeem its own code. */
	CHECK_EQ_INT(store_redeem(s, a, b, code, NOW + 2, &res, &left), 0);
	CHECK_EQ_INT(res, STORE_REDEEM_NO_PENDING);
	/* Five wrong codes, then locked even for the right one. */
	memcpy(wrong, code, sizeof(wrong));
	wrong[0] = code[0] == '9' ? '0' : (char)(code[0] + 1);
	for (int i = STORE_VUC_TRIES - 1; i >= 0; i--) {
		CHECK_EQ_INT(store_redeem(s, b, a, wrong, NOW + 3, &res, &left),
			0);
		CHECK_EQ_INT(res, STORE_REDEEM_WRONG);
		CHECK_EQ_INT(left, i);
	}
	CHECK_EQ_INT(store_redeem(s, b, a, code, NOW + 3, &res, &left), 0);
	CHECK_EQ_INT(res, STORE_REDEEM_LOCKED);
	CHECK_EQ_INT(store_pair_get(s, b, a, NOW + 3, &q), 0);
	CHECK(!q.vuc_pending);
	/* A new validation issues a new code; the right one trusts. */
	CHECK_EQ_INT(store_pair_validate(s, b, a, NOW + 4, TTL, &p, &issued),
		0);
	CHECK_EQ_INT(issued, 1);
	CHECK(p.me_issuer);
	CHECK_EQ_INT(store_redeem(s, a, b, p.vuc, NOW + 5, &res, &left), 0);
	CHECK_EQ_INT(res, STORE_REDEEM_TRUSTED);
	CHECK_EQ_INT(store_pair_get(s, a, b, NOW + 5, &p), 0);
	CHECK_EQ_INT(p.rel, STORE_REL_TRUSTED);
	CHECK_EQ_INT(store_pair_get(s, b, a, NOW + 5, &p), 0);
	CHECK_EQ_INT(p.rel, STORE_REL_TRUSTED);
	CHECK_EQ_INT(store_pair_validate(s, a, b, NOW + 6, TTL, &p, &issued),
		0);
	CHECK_EQ_INT(issued, 0);
}

/* A new key makes the pair pending again; an old code expires. */
static void
test_rekey_expiry(struct store *s, struct store_user *a,
	struct store_user *b)
{
	struct store_pair p;
	enum store_redeem res;
	int changed = -1, issued = -1, left = -1;
	char fp[STORE_FP_LEN + 1];

	memset(fp, 'c', STORE_FP_LEN);
	fp[STORE_FP_LEN] = '\0';
	CHECK_EQ_INT(store_enroll(s, b->id, (const uint8_t *)"der2", 4, fp,
		NOW + 10, &changed), 0);
	CHECK_EQ_INT(changed, 1);
	CHECK_EQ_INT(store_user_get(s, b->login, b), 0);
	CHECK_EQ_INT(store_pair_get(s, a, b, NOW + 10, &p), 0);
	CHECK_EQ_INT(p.rel, STORE_REL_PENDING);
	CHECK(!p.vuc_pending);
	CHECK_EQ_INT(store_pair_validate(s, a, b, NOW + 10, 5, &p, &issued),
		0);
	CHECK_EQ_INT(issued, 1);
	CHECK_EQ_INT(store_redeem(s, b, a, p.vuc, NOW + 16, &res, &left), 0);
	CHECK_EQ_INT(res, STORE_REDEEM_EXPIRED);
	CHECK_EQ_INT(store_pair_get(s, b, a, NOW + 16, &p), 0);
	CHECK_EQ_INT(p.rel, STORE_REL_PENDING);
}

static int rows;

static void
count_row(void *ud, const char *la, const char *lb, const char *state,
	const char *issuer, const char *vuc, int64_t expires)
{
	(void)ud, (void)la, (void)lb, (void)state, (void)issuer, (void)vuc;
	(void)expires;
	rows++;
}

static void
test_revoke_delete(struct store *s, struct store_user *a,
	struct store_user *b, struct store_user *c)
{
	struct store_pair p;
	int issued;

	CHECK_EQ_INT(store_pair_validate(s, a, c, NOW, TTL, &p, &issued), 0);
	rows = 0;
	CHECK_EQ_INT(store_rel_list(s, a->id, NOW, count_row, NULL), 0);
	CHECK(rows >= 2);
	CHECK_EQ_INT(store_revoke(s, a->id, b->id), 0);
	CHECK_EQ_INT(store_revoke(s, a->id, b->id), -ENOENT);
	CHECK_EQ_INT(store_pair_get(s, a, b, NOW, &p), 0);
	CHECK_EQ_INT(p.rel, STORE_REL_NONE);
	CHECK_EQ_INT(store_user_del(s, c->login), 0);
	rows = 0;
	CHECK_EQ_INT(store_rel_list(s, a->id, NOW, count_row, NULL), 0);
	CHECK_EQ_INT(rows, 0);
	CHECK(strcmp(store_rel_name(STORE_REL_TRUSTED), "trusted") == 0);
	CHECK(strcmp(store_redeem_name(STORE_REDEEM_WRONG), "wrong-code") ==
		0);
}

int
main(void)
{
	struct store_user a, b, c;
	struct store *s;
	char fp[3][STORE_FP_LEN + 1];

	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	for (int i = 0; i < 3; i++) {
		memset(fp[i], "abc"[i] + 3, STORE_FP_LEN);
		fp[i][STORE_FP_LEN] = '\0';
	}
	test_open();
	s = open_store();
	test_users(s);
	user(s, "alice@example.org", fp[0], &a);
	user(s, "bob@example.org", fp[1], &b);
	user(s, "carol@example.org", fp[2], &c);
	test_first_contact(s, &a, &b);
	store_free(s);
	/* Everything survives a reopen (and the schema is not redone). */
	s = open_store();
	CHECK_EQ_INT(store_user_get(s, "bob@example.org", &b), 0);
	test_rekey_expiry(s, &a, &b);
	test_revoke_delete(s, &a, &b, &c);
	store_free(s);
	unlink(path);
	for (const char *x = "-wal", *y = "-shm"; x; x = y, y = NULL) {
		char f[sizeof(path) + 8];

		snprintf(f, sizeof(f), "%s%s", path, x);
		unlink(f);
	}
	rmdir(dir);
	return test_exit();
}
