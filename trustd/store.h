/* The trust server's store: users with their reference certificates,
 * relationships bound to both fingerprints, pending VUCs. Every change
 * runs in one transaction so that a crash leaves either the old or the
 * new state. The functions below pass each call to the backend chosen by
 * store_open() (store-impl.h); store-sqlite.c is the sqlite one (WAL,
 * schema version in PRAGMA user_version). */
#ifndef TRUSTD_STORE_H
#define TRUSTD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "lib/trust-api.h"

#define STORE_SCHEMA_VERSION 1
/* Logins are AORs without the scheme: user@host. */
#define STORE_LOGIN_MAX 128
#define STORE_PWHASH_MAX 256
#define STORE_FP_LEN 64		/* SHA-256 in hex */
#define STORE_VUC_DIGITS 8
_Static_assert(STORE_VUC_DIGITS == TRUST_API_VUC_DIGITS, "one VUC length");
#define STORE_VUC_TRIES 5	/* wrong codes before a VUC locks */

struct store;

struct store_user {
	int64_t id;
	char login[STORE_LOGIN_MAX + 1];
	char pwhash[STORE_PWHASH_MAX + 1];
	char fp[STORE_FP_LEN + 1];	/* empty when not enrolled */
	int64_t enrolled_at;		/* when fp was deposited; 0 if not */
};

enum store_rel {
	STORE_REL_NONE,
	STORE_REL_PENDING,
	STORE_REL_TRUSTED,
};

/* What one user sees of the pair (me, peer). */
struct store_pair {
	enum store_rel rel;
	int vuc_pending;	/* an active VUC exists */
	int me_issuer;		/* ... and it was issued to me */
	char vuc[STORE_VUC_DIGITS + 1];
	int64_t vuc_expires;
};

enum store_redeem {
	STORE_REDEEM_TRUSTED,
	STORE_REDEEM_WRONG,
	STORE_REDEEM_EXPIRED,
	STORE_REDEEM_LOCKED,
	STORE_REDEEM_NO_PENDING,
};

/* database: a file name or sqlite:///absolute/path (sqlite), or a
 * postgresql:// URI (PostgreSQL, libpq's syntax: the password from
 * PGPASSFILE or ~/.pgpass, TLS by sslmode=). Creates and migrates the
 * schema. -EPROTONOSUPPORT for an unknown scheme. Never logs the URI: it
 * may carry a password. */
int store_open(const char *database, struct store **ret_store);
struct store *store_free(struct store *s);
/* The backend's name ("sqlite", "postgresql"). */
const char *store_backend(const struct store *s);
/* Backends shared by several processes: opens a connection that receives
 * every process's change notices and returns its fd to watch; reopening
 * replaces it. store_listen_read() calls fn for each notice received
 * (uid_b 0: every pair of uid_a); -EIO when the connection broke (open it
 * again, and consider that notices were lost). -EOPNOTSUPP for sqlite. */
int store_listen_open(struct store *s, int *ret_fd);
int store_listen_read(struct store *s,
	void (*fn)(void *ud, int64_t uid_a, int64_t uid_b), void *ud);

/* Testing only: sleep this many ms inside the redeem transaction after the
 * relationship is written and before it commits (crash tests). */
void store_set_redeem_delay(struct store *s, long ms);

/* Groups the reads of one request into one read transaction (one lock
 * instead of one per statement). A write ends it. Both are no-ops when
 * not needed. */
int store_read_begin(struct store *s);
void store_read_end(struct store *s);

int store_user_get(struct store *s, const char *login,
	struct store_user *ret_user);
/* -EEXIST if the login exists. */
int store_user_add(struct store *s, const char *login, const char *pwhash,
	int64_t now);
/* -ENOENT if absent. Removes the user's relationships and VUCs too. */
int store_user_del(struct store *s, const char *login);
/* Calls fn for each user; fp is "" when not enrolled. */
int store_user_list(struct store *s,
	void (*fn)(void *ud, const char *login, const char *fp), void *ud);

/* Deposits or replaces the reference certificate (DER) with fingerprint
 * fp. A new fingerprint drops the user's pending VUCs; relationships keep
 * the old fingerprint and so read as pending until a new VUC is redeemed.
 * Sets *ret_changed when the fingerprint changed. */
int store_enroll(struct store *s, int64_t uid, const uint8_t *der,
	size_t der_len, const char *fp, int64_t now, int *ret_changed);

/* The pair as me sees it now. */
int store_pair_get(struct store *s, const struct store_user *me,
	const struct store_user *peer, int64_t now, struct store_pair *ret);
/* As store_pair_get, but first issues a VUC to me when both are enrolled,
 * the pair is not trusted and no VUC is active. *ret_issued says whether
 * one was issued now. */
int store_pair_validate(struct store *s, const struct store_user *me,
	const struct store_user *peer, int64_t now, long vuc_ttl,
	struct store_pair *ret, int *ret_issued);
/* me enters code for the VUC peer was issued. */
int store_redeem(struct store *s, const struct store_user *me,
	const struct store_user *peer, const char *code, int64_t now,
	enum store_redeem *ret_result, int *ret_attempts_left);
/* Drops the relationship and any VUC between the two; -ENOENT if there
 * was neither. */
int store_revoke(struct store *s, int64_t uid, int64_t peer_uid);

/* Calls fn for each relationship or pending VUC of uid (or of everybody
 * when uid < 0). state is "trusted", "pending" or "locked"/"expired" for
 * VUCs that can no longer be redeemed. */
int store_rel_list(struct store *s, int64_t uid, int64_t now,
	void (*fn)(void *ud, const char *login_a, const char *login_b,
		const char *state, const char *issuer, const char *vuc,
		int64_t expires), void *ud);

/* Failed logins of login in the fail window (window seconds from the
 * first), counted over every process sharing the store: the count now,
 * or one more noted and the new count. -EOPNOTSUPP for sqlite (one
 * process: auth.c's own tables count). */
int store_fail_count(struct store *s, const char *login, long window,
	int64_t now, long *ret_count);
int store_fail_note(struct store *s, const char *login, long window,
	int64_t now, long *ret_count);

/* Whole-store copies (svopi-trustadm migrate). Rows name users by login,
 * so that ids may differ between the stores; strings borrow from the
 * backend until the callback returns. */
struct store_copy_user {
	const char *login, *pwhash, *fp;	/* fp "" when not enrolled */
	const uint8_t *der;			/* NULL when not enrolled */
	size_t der_len;
	int64_t enrolled_at, created_at;
};

struct store_copy_pair {
	const char *login_a, *login_b;
	int has_rel;
	const char *rel_fp_a, *rel_fp_b;
	int64_t rel_created;
	int has_vuc;
	const char *issuer, *code, *vuc_fp_a, *vuc_fp_b;
	int64_t expires;
	int tries;
};

struct store_counts {
	long users, relationships, vucs;
};

/* Calls user_fn for every user (in id order), then pair_fn for every
 * pair with a relationship or a VUC; stops at the first negative return
 * and returns it. */
int store_export(struct store *s,
	int (*user_fn)(void *ud, const struct store_copy_user *u),
	int (*pair_fn)(void *ud, const struct store_copy_pair *p), void *ud);
/* One transaction into an empty store (-ENOTEMPTY otherwise); users
 * before the pairs that name them; end with commit or not. */
int store_import_begin(struct store *s);
int store_import_user(struct store *s, const struct store_copy_user *u);
int store_import_pair(struct store *s, const struct store_copy_pair *p);
int store_import_end(struct store *s, int commit);
int store_counts(struct store *s, struct store_counts *ret);

const char *store_rel_name(enum store_rel r);
const char *store_redeem_name(enum store_redeem r);

#endif
