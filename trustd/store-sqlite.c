/* The sqlite store backend (see store.h for the rules, store-impl.h
 * for the interface). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "common/log.h"
#include "store-impl.h"
#include "store-rules.h"

enum stmt_id {
	ST_USER_GET,
	ST_REL_GET,
	ST_VUC_GET,
	ST_BEGIN,
	ST_COMMIT,
	ST_MAX,
};

struct store_sqlite {
	struct store base;	/* first: the ops */
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_MAX];
	long redeem_delay_ms;
};

static struct store_sqlite *
sq(struct store *base)
{
	return (struct store_sqlite *)base;
}

static const struct store_ops sqlite_ops;
static void sq_free(struct store *base);

/* Each entry moves the schema from version i to i + 1. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE,"
	"  pwhash TEXT NOT NULL,"
	"  cert BLOB,"
	"  fingerprint TEXT,"
	"  enrolled_at INTEGER,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE relationships ("
	"  a INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  b INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  fp_a TEXT NOT NULL,"
	"  fp_b TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (a, b), CHECK (a < b));"
	"CREATE INDEX relationships_b ON relationships(b);"
	"CREATE TABLE vucs ("
	"  a INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  b INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  issuer INTEGER NOT NULL,"
	"  code TEXT NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  tries INTEGER NOT NULL DEFAULT 0,"
	"  fp_a TEXT NOT NULL,"
	"  fp_b TEXT NOT NULL,"
	"  PRIMARY KEY (a, b), CHECK (a < b), CHECK (issuer IN (a, b)));"
	"CREATE INDEX vucs_b ON vucs(b);",
};

static const char *const stmt_sql[ST_MAX] = {
	[ST_USER_GET] = "SELECT id, login, pwhash, fingerprint, "
		"enrolled_at FROM users WHERE login = ?",
	[ST_REL_GET] = "SELECT fp_a, fp_b FROM relationships "
		"WHERE a = ? AND b = ?",
	[ST_VUC_GET] = "SELECT issuer, code, expires, tries, fp_a, fp_b "
		"FROM vucs WHERE a = ? AND b = ?",
	[ST_BEGIN] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
};

static int
db_err(struct store_sqlite *s, const char *what)
{
	log_err("store: %s: %s", what, sqlite3_errmsg(s->db));
	return -EIO;
}

static int
exec(struct store_sqlite *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("store: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static sqlite3_stmt *
stmt(struct store_sqlite *s, enum stmt_id id)
{
	if (!s->stmt[id] &&
	    sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
		SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL) != SQLITE_OK) {
		db_err(s, stmt_sql[id]);
		return NULL;
	}
	sqlite3_reset(s->stmt[id]);
	sqlite3_clear_bindings(s->stmt[id]);
	return s->stmt[id];
}

static sqlite3_stmt *
prepare(struct store_sqlite *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_err(s, sql);
		return NULL;
	}
	return st;
}

static int
step_done(struct store_sqlite *s, enum stmt_id id)
{
	sqlite3_stmt *st = stmt(s, id);
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, stmt_sql[id]);
}

static int
sq_read_begin(struct store *base)
{
	struct store_sqlite *s = sq(base);

	if (!sqlite3_get_autocommit(s->db))
		return 0;
	return step_done(s, ST_BEGIN);
}

static void
sq_read_end(struct store *base)
{
	struct store_sqlite *s = sq(base);

	if (!sqlite3_get_autocommit(s->db))
		(void)step_done(s, ST_COMMIT);
}

/* A write transaction; ends the caller's read transaction first (the
 * writer re-reads what it decides on). */
static int
begin(struct store_sqlite *s)
{
	sq_read_end(&s->base);
	return exec(s, "BEGIN IMMEDIATE");
}

static int
commit(struct store_sqlite *s)
{
	return exec(s, "COMMIT");
}

static void
rollback(struct store_sqlite *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)exec(s, "ROLLBACK");
}

static int
migrate(struct store_sqlite *s)
{
	sqlite3_stmt *st;
	int version, n = (int)(sizeof(migrations) / sizeof(migrations[0]));

	if (begin(s) < 0)
		return -EIO;
	st = prepare(s, "PRAGMA user_version");
	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		rollback(s);
		return -EIO;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > n) {
		log_err("store: schema version %d is newer than this program "
			"(%d)", version, n);
		rollback(s);
		return -EPROTO;
	}
	for (; version < n; version++) {
		char pragma[64];

		log_info("store: migrating schema %d -> %d", version,
			version + 1);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			version + 1);
		if (exec(s, migrations[version]) < 0 || exec(s, pragma) < 0) {
			rollback(s);
			return -EIO;
		}
	}
	return commit(s);
}

int
store_sqlite_open(const char *path, struct store **ret_store)
{
	struct store_sqlite *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &sqlite_ops;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
		SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_err("store: %s: %s", path, s->db ?
			sqlite3_errmsg(s->db) : "out of memory");
		sq_free(&s->base);
		return -EIO;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* WAL survives a killed process; FULL also survives power loss,
	 * and writes are rare (enrol, issue, redeem). */
	if ((r = exec(s, "PRAGMA journal_mode = WAL")) < 0 ||
	    (r = exec(s, "PRAGMA synchronous = FULL")) < 0 ||
	    (r = exec(s, "PRAGMA foreign_keys = ON")) < 0 ||
	    (r = migrate(s)) < 0) {
		sq_free(&s->base);
		return r;
	}
	*ret_store = &s->base;
	return 0;
}

static void
sq_free(struct store *base)
{
	struct store_sqlite *s = sq(base);

	for (int i = 0; i < ST_MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s);
}

static void
sq_set_redeem_delay(struct store *base, long ms)
{
	struct store_sqlite *s = sq(base);

	s->redeem_delay_ms = ms;
}

static void
copy_text(char *dst, size_t cap, const unsigned char *src)
{
	size_t n = src ? strlen((const char *)src) : 0;

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src ? (const char *)src : "", n);
	dst[n] = '\0';
}

static int
sq_user_get(struct store *base, const char *login, struct store_user *ret)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st = stmt(s, ST_USER_GET);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return -ENOENT;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_err(s, "user get");
	}
	ret->id = sqlite3_column_int64(st, 0);
	copy_text(ret->login, sizeof(ret->login), sqlite3_column_text(st, 1));
	copy_text(ret->pwhash, sizeof(ret->pwhash),
		sqlite3_column_text(st, 2));
	copy_text(ret->fp, sizeof(ret->fp), sqlite3_column_text(st, 3));
	ret->enrolled_at = sqlite3_column_int64(st, 4);
	sqlite3_reset(st);
	return 0;
}

static int
sq_user_add(struct store *base, const char *login, const char *pwhash,
	int64_t now)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st;
	int rc;

	st = prepare(s, "INSERT INTO users (login, pwhash, created_at) "
		"VALUES (?, ?, ?)");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	if (rc != SQLITE_DONE)
		return db_err(s, "user add");
	return 0;
}

static int
sq_user_del(struct store *base, const char *login)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st;
	int rc;

	st = prepare(s, "DELETE FROM users WHERE login = ?");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(s, "user del");
	return sqlite3_changes(s->db) ? 0 : -ENOENT;
}

static int
sq_user_list(struct store *base,
	void (*fn)(void *ud, const char *login, const char *fp), void *ud)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st;
	int rc;

	st = prepare(s, "SELECT login, ifnull(fingerprint, '') FROM users "
		"ORDER BY login");
	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ud, (const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, "user list");
}

static int
sq_enroll(struct store *base, int64_t uid, const uint8_t *der,
	size_t der_len, const char *fp, int64_t now, int *ret_changed)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st = NULL;
	int changed, rc;

	if (begin(s) < 0)
		return -EIO;
	st = prepare(s, "SELECT ifnull(fingerprint, '') FROM users "
		"WHERE id = ?");
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, uid);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	changed = strcmp((const char *)sqlite3_column_text(st, 0), fp) != 0;
	sqlite3_finalize(st);
	st = prepare(s, "UPDATE users SET cert = ?, fingerprint = ?, "
		"enrolled_at = ? WHERE id = ?");
	if (!st)
		goto fail;
	sqlite3_bind_blob(st, 1, der, (int)der_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, uid);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	if (changed) {
		/* A VUC vouches for the keys it was issued under. */
		st = prepare(s, "DELETE FROM vucs WHERE a = ?1 OR b = ?1");
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, uid);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE)
			goto fail;
	}
	if (commit(s) < 0)
		goto fail;
	*ret_changed = changed;
	return 0;
fail:
	sqlite3_finalize(st);
	db_err(s, "enroll");
	rollback(s);
	return -EIO;
}

static int
pair_read(struct store_sqlite *s, int64_t a, int64_t b, struct pair_row *p)
{
	sqlite3_stmt *st;
	int rc;

	memset(p, 0, sizeof(*p));
	st = stmt(s, ST_REL_GET);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->has_rel = 1;
		copy_text(p->rel_fp_a, sizeof(p->rel_fp_a),
			sqlite3_column_text(st, 0));
		copy_text(p->rel_fp_b, sizeof(p->rel_fp_b),
			sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(s, "relationship get");
	st = stmt(s, ST_VUC_GET);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->has_vuc = 1;
		p->issuer = sqlite3_column_int64(st, 0);
		copy_text(p->code, sizeof(p->code), sqlite3_column_text(st, 1));
		p->expires = sqlite3_column_int64(st, 2);
		p->tries = sqlite3_column_int(st, 3);
		copy_text(p->vuc_fp_a, sizeof(p->vuc_fp_a),
			sqlite3_column_text(st, 4));
		copy_text(p->vuc_fp_b, sizeof(p->vuc_fp_b),
			sqlite3_column_text(st, 5));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(s, "vuc get");
	return 0;
}

static int
sq_pair_get(struct store *base, const struct store_user *me,
	const struct store_user *peer, int64_t now, struct store_pair *ret)
{
	struct store_sqlite *s = sq(base);
	const struct store_user *a, *b;
	struct pair_row p;
	int r;

	rules_order(me, peer, &a, &b);
	r = pair_read(s, a->id, b->id, &p);
	if (r < 0)
		return r;
	rules_view(&p, me, peer, now, ret);
	OPENSSL_cleanse(&p, sizeof(p));
	return 0;
}

static int
sq_pair_validate(struct store *base, const struct store_user *me,
	const struct store_user *peer, int64_t now, long vuc_ttl,
	struct store_pair *ret, int *ret_issued)
{
	struct store_sqlite *s = sq(base);
	const struct store_user *a, *b;
	struct pair_row p;
	sqlite3_stmt *st;
	char code[STORE_VUC_DIGITS + 1];
	int rc, r;

	rules_order(me, peer, &a, &b);
	r = pair_read(s, a->id, b->id, &p);
	if (r < 0)
		return r;
	if (!me->fp[0] || !peer->fp[0] || rules_trusted(&p, a, b) ||
	    rules_vuc_active(&p, a, b, now)) {
		rules_view(&p, me, peer, now, ret);
		*ret_issued = 0;
		return 0;
	}
	/* Issue under a write lock and look again: the peer may have asked
	 * at the same moment from another process. */
	if (begin(s) < 0)
		return -EIO;
	r = pair_read(s, a->id, b->id, &p);
	if (r < 0)
		goto fail;
	if (rules_trusted(&p, a, b) || rules_vuc_active(&p, a, b, now)) {
		if (commit(s) < 0)
			goto fail;
		rules_view(&p, me, peer, now, ret);
		*ret_issued = 0;
		return 0;
	}
	if (rules_vuc_generate(code) < 0)
		goto fail;
	st = prepare(s, "INSERT OR REPLACE INTO vucs "
		"(a, b, issuer, code, expires, tries, fp_a, fp_b) "
		"VALUES (?, ?, ?, ?, ?, 0, ?, ?)");
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int64(st, 2, b->id);
	sqlite3_bind_int64(st, 3, me->id);
	sqlite3_bind_text(st, 4, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now + vuc_ttl);
	sqlite3_bind_text(st, 6, a->fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, b->fp, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_err(s, "vuc issue");
		goto fail;
	}
	if (commit(s) < 0)
		goto fail;
	rules_issued(code, now + vuc_ttl, ret);
	*ret_issued = 1;
	OPENSSL_cleanse(code, sizeof(code));
	return 0;
fail:
	OPENSSL_cleanse(code, sizeof(code));
	rollback(s);
	return -EIO;
}

static int
exec_pair(struct store_sqlite *s, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = prepare(s, sql);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, sql);
}

static int
sq_redeem(struct store *base, const struct store_user *me,
	const struct store_user *peer, const char *code, int64_t now,
	enum store_redeem *ret_result, int *ret_attempts_left)
{
	struct store_sqlite *s = sq(base);
	const struct store_user *a, *b;
	enum store_redeem result;
	struct pair_row p;
	sqlite3_stmt *st;
	int left = 0, rc;

	rules_order(me, peer, &a, &b);
	if (begin(s) < 0)
		return -EIO;
	if (pair_read(s, a->id, b->id, &p) < 0)
		goto fail;
	if (!p.has_vuc || p.issuer == me->id ||
	    strcmp(p.vuc_fp_a, a->fp) != 0 ||
	    strcmp(p.vuc_fp_b, b->fp) != 0) {
		/* Nothing to redeem; a retry after success reads trusted. */
		result = rules_trusted(&p, a, b) ? STORE_REDEEM_TRUSTED :
			STORE_REDEEM_NO_PENDING;
		left = 0;
	} else if (p.tries >= STORE_VUC_TRIES) {
		result = STORE_REDEEM_LOCKED;
	} else if (now >= p.expires) {
		result = STORE_REDEEM_EXPIRED;
		left = STORE_VUC_TRIES - p.tries;
	} else if (strlen(code) != STORE_VUC_DIGITS ||
		   CRYPTO_memcmp(code, p.code, STORE_VUC_DIGITS) != 0) {
		if (exec_pair(s, "UPDATE vucs SET tries = tries + 1 "
			"WHERE a = ? AND b = ?", a->id, b->id) < 0)
			goto fail;
		result = STORE_REDEEM_WRONG;
		left = STORE_VUC_TRIES - p.tries - 1;
	} else {
		st = prepare(s, "INSERT OR REPLACE INTO relationships "
			"(a, b, fp_a, fp_b, created_at) VALUES (?, ?, ?, ?, ?)");
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, a->id);
		sqlite3_bind_int64(st, 2, b->id);
		sqlite3_bind_text(st, 3, a->fp, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, b->fp, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, now);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			db_err(s, "relationship add");
			goto fail;
		}
		if (s->redeem_delay_ms > 0) {
			struct timespec ts = {
				.tv_sec = s->redeem_delay_ms / 1000,
				.tv_nsec = s->redeem_delay_ms % 1000 * 1000000,
			};

			nanosleep(&ts, NULL);
		}
		if (exec_pair(s, "DELETE FROM vucs WHERE a = ? AND b = ?",
			a->id, b->id) < 0)
			goto fail;
		result = STORE_REDEEM_TRUSTED;
	}
	if (commit(s) < 0)
		goto fail;
	OPENSSL_cleanse(&p, sizeof(p));
	*ret_result = result;
	*ret_attempts_left = left;
	return 0;
fail:
	OPENSSL_cleanse(&p, sizeof(p));
	rollback(s);
	return -EIO;
}

static int
sq_revoke(struct store *base, int64_t uid, int64_t peer_uid)
{
	struct store_sqlite *s = sq(base);
	int64_t a = uid < peer_uid ? uid : peer_uid;
	int64_t b = uid < peer_uid ? peer_uid : uid;
	int n;

	if (begin(s) < 0)
		return -EIO;
	if (exec_pair(s, "DELETE FROM relationships WHERE a = ? AND b = ?",
		a, b) < 0)
		goto fail;
	n = sqlite3_changes(s->db);
	if (exec_pair(s, "DELETE FROM vucs WHERE a = ? AND b = ?", a, b) < 0)
		goto fail;
	n += sqlite3_changes(s->db);
	if (commit(s) < 0)
		goto fail;
	return n ? 0 : -ENOENT;
fail:
	rollback(s);
	return -EIO;
}

static int
sq_rel_list(struct store *base, int64_t uid, int64_t now,
	void (*fn)(void *ud, const char *login_a, const char *login_b,
		const char *state, const char *issuer, const char *vuc,
		int64_t expires), void *ud)
{
	struct store_sqlite *s = sq(base);

	/* One row per pair that has a relationship or a VUC. */
	static const char sql[] =
		"SELECT ua.login, ub.login, "
		"  r.a IS NOT NULL AND r.fp_a = ua.fingerprint "
		"    AND r.fp_b = ub.fingerprint, "
		"  ui.login, v.code, v.expires, v.tries, "
		"  v.fp_a = ua.fingerprint AND v.fp_b = ub.fingerprint "
		"FROM (SELECT a, b FROM relationships UNION "
		"      SELECT a, b FROM vucs) p "
		"JOIN users ua ON ua.id = p.a JOIN users ub ON ub.id = p.b "
		"LEFT JOIN relationships r ON r.a = p.a AND r.b = p.b "
		"LEFT JOIN vucs v ON v.a = p.a AND v.b = p.b "
		"LEFT JOIN users ui ON ui.id = v.issuer "
		"WHERE ?1 < 0 OR p.a = ?1 OR p.b = ?1 "
		"ORDER BY ua.login, ub.login";
	sqlite3_stmt *st = prepare(s, sql);
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, uid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state, *issuer = NULL, *vuc = NULL;
		int64_t expires = 0;
		int trusted = sqlite3_column_int(st, 2);

		if (trusted) {
			state = "trusted";
		} else if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			expires = sqlite3_column_int64(st, 5);
			issuer = (const char *)sqlite3_column_text(st, 3);
			vuc = (const char *)sqlite3_column_text(st, 4);
			if (sqlite3_column_int(st, 6) >= STORE_VUC_TRIES)
				state = "locked";
			else if (now >= expires ||
				 !sqlite3_column_int(st, 7))
				state = "expired";
			else
				state = "pending";
		} else {
			state = "pending";	/* relationship under old keys */
		}
		fn(ud, (const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1), state,
			issuer, vuc, expires);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, "relationship list");
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static int
sq_export_rows(struct store *base,
	int (*user_fn)(void *ud, const struct store_copy_user *u),
	int (*pair_fn)(void *ud, const struct store_copy_pair *p), void *ud)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st = prepare(s, "SELECT login, pwhash, "
		"ifnull(fingerprint, ''), cert, ifnull(enrolled_at, 0), "
		"created_at FROM users ORDER BY id");
	int rc, r = 0;

	if (!st)
		return -EIO;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_copy_user u = {
			.login = col_text(st, 0), .pwhash = col_text(st, 1),
			.fp = col_text(st, 2),
			.der = sqlite3_column_blob(st, 3),
			.der_len = (size_t)sqlite3_column_bytes(st, 3),
			.enrolled_at = sqlite3_column_int64(st, 4),
			.created_at = sqlite3_column_int64(st, 5),
		};

		r = user_fn(ud, &u);
	}
	sqlite3_finalize(st);
	if (r < 0)
		return r;
	st = prepare(s, STORE_EXPORT_PAIRS_SQL);
	if (!st)
		return -EIO;
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_copy_pair p = {
			.login_a = col_text(st, 0), .login_b = col_text(st, 1),
			.has_rel = sqlite3_column_int(st, 2),
			.rel_fp_a = col_text(st, 3), .rel_fp_b = col_text(st, 4),
			.rel_created = sqlite3_column_int64(st, 5),
			.has_vuc = sqlite3_column_int(st, 6),
			.issuer = col_text(st, 7), .code = col_text(st, 8),
			.expires = sqlite3_column_int64(st, 9),
			.tries = sqlite3_column_int(st, 10),
			.vuc_fp_a = col_text(st, 11),
			.vuc_fp_b = col_text(st, 12),
		};

		r = pair_fn(ud, &p);
	}
	sqlite3_finalize(st);
	return r;
}

static int
sq_import_begin(struct store *base)
{
	return begin(sq(base));
}

static int
sq_import_end(struct store *base, int ok)
{
	struct store_sqlite *s = sq(base);

	if (ok)
		return commit(s);
	rollback(s);
	return 0;
}

static int
sq_import_user(struct store *base, const struct store_copy_user *u)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st = prepare(s, "INSERT INTO users (login, pwhash, "
		"cert, fingerprint, enrolled_at, created_at) "
		"VALUES (?, ?, ?, nullif(?, ''), nullif(?, 0), ?)");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, u->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, u->pwhash, -1, SQLITE_STATIC);
	if (u->der)
		sqlite3_bind_blob(st, 3, u->der, (int)u->der_len,
			SQLITE_STATIC);
	sqlite3_bind_text(st, 4, u->fp, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, u->enrolled_at);
	sqlite3_bind_int64(st, 6, u->created_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, "import user");
}

static int
sq_import_pair(struct store *base, const struct store_copy_pair *in)
{
	struct store_sqlite *s = sq(base);
	struct store_copy_pair p;
	int64_t ia, ib, issuer = 0, id[2];
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	if (rules_user_id(base, in->login_a, &ia) < 0 ||
	    rules_user_id(base, in->login_b, &ib) < 0 ||
	    (in->has_vuc && rules_user_id(base, in->issuer, &issuer) < 0))
		return -ENOENT;
	rules_copy_order(in, ia, ib, &p, id);
	if (p.has_rel) {
		st = prepare(s, "INSERT INTO relationships (a, b, fp_a, fp_b, "
			"created_at) VALUES (?, ?, ?, ?, ?)");
		if (!st)
			return -EIO;
		sqlite3_bind_int64(st, 1, id[0]);
		sqlite3_bind_int64(st, 2, id[1]);
		sqlite3_bind_text(st, 3, p.rel_fp_a, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, p.rel_fp_b, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, p.rel_created);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc == SQLITE_DONE && p.has_vuc) {
		st = prepare(s, "INSERT INTO vucs (a, b, issuer, code, "
			"expires, tries, fp_a, fp_b) VALUES (?, ?, ?, ?, ?, ?, "
			"?, ?)");
		if (!st)
			return -EIO;
		sqlite3_bind_int64(st, 1, id[0]);
		sqlite3_bind_int64(st, 2, id[1]);
		sqlite3_bind_int64(st, 3, issuer);
		sqlite3_bind_text(st, 4, p.code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, p.expires);
		sqlite3_bind_int(st, 6, p.tries);
		sqlite3_bind_text(st, 7, p.vuc_fp_a, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, p.vuc_fp_b, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return rc == SQLITE_DONE ? 0 : db_err(s, "import pair");
}

static int
sq_counts(struct store *base, struct store_counts *ret)
{
	struct store_sqlite *s = sq(base);
	sqlite3_stmt *st = prepare(s, STORE_COUNTS_SQL);
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret->users = (long)sqlite3_column_int64(st, 0);
		ret->relationships = (long)sqlite3_column_int64(st, 1);
		ret->vucs = (long)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_err(s, "counts");
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.free = sq_free,
	.set_redeem_delay = sq_set_redeem_delay,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.user_get = sq_user_get,
	.user_add = sq_user_add,
	.user_del = sq_user_del,
	.user_list = sq_user_list,
	.enroll = sq_enroll,
	.pair_get = sq_pair_get,
	.pair_validate = sq_pair_validate,
	.redeem = sq_redeem,
	.revoke = sq_revoke,
	.rel_list = sq_rel_list,
	.export_rows = sq_export_rows,
	.import_begin = sq_import_begin,
	.import_user = sq_import_user,
	.import_pair = sq_import_pair,
	.import_end = sq_import_end,
	.counts = sq_counts,
};
