/* For store backends only: the operations each backend implements and
 * the common head of its store object. Callers use store.h. */
#ifndef TRUSTD_STORE_IMPL_H
#define TRUSTD_STORE_IMPL_H

#include "store.h"

/* Each operation has the contract of the store_* function of the same
 * name in store.h. */
struct store_ops {
	const char *name;
	void (*free)(struct store *s);
	void (*set_redeem_delay)(struct store *s, long ms);
	int (*read_begin)(struct store *s);
	void (*read_end)(struct store *s);
	int (*user_get)(struct store *s, const char *login,
		struct store_user *ret_user);
	int (*user_add)(struct store *s, const char *login,
		const char *pwhash, int64_t now);
	int (*user_del)(struct store *s, const char *login);
	int (*user_list)(struct store *s,
		void (*fn)(void *ud, const char *login, const char *fp),
		void *ud);
	int (*enroll)(struct store *s, int64_t uid, const uint8_t *der,
		size_t der_len, const char *fp, int64_t now, int *ret_changed);
	int (*pair_get)(struct store *s, const struct store_user *me,
		const struct store_user *peer, int64_t now,
		struct store_pair *ret);
	int (*pair_validate)(struct store *s, const struct store_user *me,
		const struct store_user *peer, int64_t now, long vuc_ttl,
		struct store_pair *ret, int *ret_issued);
	int (*redeem)(struct store *s, const struct store_user *me,
		const struct store_user *peer, const char *code, int64_t now,
		enum store_redeem *ret_result, int *ret_attempts_left);
	int (*revoke)(struct store *s, int64_t uid, int64_t peer_uid);
	int (*rel_list)(struct store *s, int64_t uid, int64_t now,
		void (*fn)(void *ud, const char *login_a,
			const char *login_b, const char *state,
			const char *issuer, const char *vuc, int64_t expires),
		void *ud);
	int (*export_rows)(struct store *s,
		int (*user_fn)(void *ud, const struct store_copy_user *u),
		int (*pair_fn)(void *ud, const struct store_copy_pair *p),
		void *ud);
	int (*import_begin)(struct store *s);
	int (*import_user)(struct store *s, const struct store_copy_user *u);
	int (*import_pair)(struct store *s, const struct store_copy_pair *p);
	int (*import_end)(struct store *s, int commit);
	int (*counts)(struct store *s, struct store_counts *ret);
	/* Shared backends only (NULL otherwise): the failed-login count
	 * over all processes ... */
	int (*fail_count)(struct store *s, const char *login, long window,
		int64_t now, long *ret_count);
	int (*fail_note)(struct store *s, const char *login, long window,
		int64_t now, long *ret_count);
	/* ... and a connection of its own
	 * that receives the change notices of every process. */
	int (*listen_open)(struct store *s, int *ret_fd);
	int (*listen_read)(struct store *s,
		void (*fn)(void *ud, int64_t uid_a, int64_t uid_b), void *ud);
};

/* The pairs with a relationship or a VUC, both backends' SQL: login_a,
 * login_b, has_rel, rel fp_a, fp_b, created_at, has_vuc, issuer's login,
 * code, expires, tries, vuc fp_a, fp_b. */
#define STORE_EXPORT_PAIRS_SQL \
	"SELECT ua.login, ub.login, r.a IS NOT NULL, r.fp_a, r.fp_b, " \
	"  r.created_at, v.a IS NOT NULL, ui.login, v.code, v.expires, " \
	"  v.tries, v.fp_a, v.fp_b " \
	"FROM (SELECT a, b FROM relationships UNION " \
	"      SELECT a, b FROM vucs) p " \
	"JOIN users ua ON ua.id = p.a JOIN users ub ON ub.id = p.b " \
	"LEFT JOIN relationships r ON r.a = p.a AND r.b = p.b " \
	"LEFT JOIN vucs v ON v.a = p.a AND v.b = p.b " \
	"LEFT JOIN users ui ON ui.id = v.issuer ORDER BY p.a, p.b"
#define STORE_COUNTS_SQL \
	"SELECT (SELECT count(*) FROM users), " \
	"  (SELECT count(*) FROM relationships), (SELECT count(*) FROM vucs)"

/* The first member of every backend's store object. */
struct store {
	const struct store_ops *ops;	/* static, not owned */
};

/* store-sqlite.c: path is a file name (no scheme). */
int store_sqlite_open(const char *path, struct store **ret_store);
/* store-pg.c: a libpq connection string or postgresql:// URI. */
int store_pg_open(const char *conninfo, struct store **ret_store);

#endif
