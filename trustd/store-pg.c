/* The PostgreSQL store backend (libpq), for several svopi-trustd
 * processes sharing one database.
 *
 * - Every change runs in one transaction that first takes a transaction
 *   advisory lock on its pair (or its user), so that two instances
 *   deciding on the same pair at the same moment run one after the
 *   other; primary keys back that up. The rules are store-rules.c's.
 * - Each change sends NOTIFY svopi_trust 'a b' in its transaction; the
 *   listener connection (store_listen_*) tells every instance's long
 *   polls.
 * - A broken connection fails the call with -EIO (the API answers 503)
 *   and is re-established on a later call, at most once a second.
 * - The schema version lives in svopi_schema; migrations run under an
 *   advisory lock, so that instances starting together migrate once. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "store-impl.h"
#include "store-rules.h"

/* Advisory lock keys: the schema, and one space per pair or user. */
#define PG_LOCK_SCHEMA 0x73766f7069LL	/* "svopi" */
#define PG_CHANNEL "svopi_trust"
#define PG_RETRY_S 1

struct store_pg {
	struct store base;	/* first: the ops */
	PGconn *conn;		/* owned: queries */
	PGconn *listen;		/* owned: LISTEN only, opened on demand */
	char *conninfo;		/* owned */
	time_t retry_at;	/* no reconnect before this */
	long redeem_delay_ms;
};

static const struct store_ops pg_ops;

static struct store_pg *
pg(struct store *base)
{
	return (struct store_pg *)base;
}

static const char *const migrations[] = {
	/* 0 -> 1: the sqlite schema, in PostgreSQL's types. */
	"CREATE TABLE users ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE,"
	"  pwhash TEXT NOT NULL,"
	"  cert BYTEA,"
	"  fingerprint TEXT,"
	"  enrolled_at BIGINT,"
	"  created_at BIGINT NOT NULL);"
	"CREATE TABLE relationships ("
	"  a BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  b BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  fp_a TEXT NOT NULL,"
	"  fp_b TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (a, b), CHECK (a < b));"
	"CREATE INDEX relationships_b ON relationships(b);"
	"CREATE TABLE vucs ("
	"  a BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  b BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  issuer BIGINT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  expires BIGINT NOT NULL,"
	"  tries INTEGER NOT NULL DEFAULT 0,"
	"  fp_a TEXT NOT NULL,"
	"  fp_b TEXT NOT NULL,"
	"  PRIMARY KEY (a, b), CHECK (a < b), CHECK (issuer IN (a, b)));"
	"CREATE INDEX vucs_b ON vucs(b);",
	/* 1 -> 2: failed logins counted over all instances. */
	"CREATE TABLE login_failures ("
	"  login TEXT PRIMARY KEY,"
	"  window_start BIGINT NOT NULL,"
	"  count INTEGER NOT NULL);",
};

static PGconn *
pg_connect(const char *conninfo)
{
	/* Later keywords override the expanded URI: the URI's own
	 * connect_timeout wins over ours, so it comes first. */
	static const char *const keys[] = { "connect_timeout",
		"keepalives_idle", "keepalives_interval", "keepalives_count",
		"application_name", "dbname", NULL };
	const char *vals[] = { "3", "10", "3", "3", "svopi-trustd", conninfo,
		NULL };

	return PQconnectdbParams(keys, vals, 1);
}

/* The query connection, reconnected if it broke (once a second). */
static PGconn *
conn(struct store_pg *s)
{
	time_t now = time(NULL);

	if (PQstatus(s->conn) == CONNECTION_OK)
		return s->conn;
	if (now < s->retry_at)
		return NULL;
	s->retry_at = now + PG_RETRY_S;
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		log_peer(LOG_WARNING, "store: PostgreSQL: %s",
			PQerrorMessage(s->conn));
		return NULL;
	}
	log_notice("store: PostgreSQL connection re-established");
	return s->conn;
}

/* Runs sql with text parameters; on success returns the result (free
 * with PQclear), else logs, returns NULL. */
static PGresult *
q(struct store_pg *s, const char *sql, int n, const char *const *params,
	const int *lens, const int *formats)
{
	PGconn *c = conn(s);
	PGresult *res;
	ExecStatusType st;

	if (!c)
		return NULL;
	res = PQexecParams(c, sql, n, NULL, params, lens, formats, 0);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	log_peer(LOG_ERR, "store: %.60s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	return NULL;
}

static int
qexec(struct store_pg *s, const char *sql, int n, const char *const *p)
{
	PGresult *res = q(s, sql, n, p, NULL, NULL);

	PQclear(res);
	return res ? 0 : -EIO;
}

/* Several statements, no parameters (the migrations). */
static int
qscript(struct store_pg *s, const char *sql)
{
	PGresult *res = PQexec(s->conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		log_err("store: migration: %s", PQerrorMessage(s->conn));
	PQclear(res);
	return ok ? 0 : -EIO;
}

static void
rollback(struct store_pg *s)
{
	if (PQstatus(s->conn) == CONNECTION_OK &&
	    PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
}

/* BEGIN and the advisory lock of key. */
static int
begin_locked(struct store_pg *s, int64_t key)
{
	char k[24];
	const char *p[] = { k };

	snprintf(k, sizeof(k), "%" PRId64, key);
	if (qexec(s, "BEGIN", 0, NULL) < 0)
		return -EIO;
	if (qexec(s, "SELECT pg_advisory_xact_lock($1::bigint)", 1, p) < 0) {
		rollback(s);
		return -EIO;
	}
	return 0;
}

/* One lock per pair (a < b); a user's own changes lock (uid, 0). */
static int64_t
pair_key(int64_t a, int64_t b)
{
	return (int64_t)(((uint64_t)a & 0x7fffffffu) << 32 |
		((uint64_t)b & 0xffffffffu));
}

/* NOTIFY inside the caller's transaction: sent on commit. */
static int
notify(struct store_pg *s, int64_t a, int64_t b)
{
	char payload[48];
	const char *p[] = { payload };

	snprintf(payload, sizeof(payload), "%" PRId64 " %" PRId64, a, b);
	return qexec(s, "SELECT pg_notify('" PG_CHANNEL "', $1)", 1, p);
}

static int
commit(struct store_pg *s)
{
	if (qexec(s, "COMMIT", 0, NULL) < 0) {
		rollback(s);
		return -EIO;
	}
	return 0;
}

static int
migrate(struct store_pg *s)
{
	int n = (int)(sizeof(migrations) / sizeof(migrations[0])), version;
	PGresult *res;

	if (begin_locked(s, PG_LOCK_SCHEMA) < 0)
		return -EIO;
	if (qexec(s, "CREATE TABLE IF NOT EXISTS svopi_schema "
		"(version INTEGER NOT NULL)", 0, NULL) < 0)
		goto fail;
	res = q(s, "SELECT max(version) FROM svopi_schema", 0, NULL, NULL,
		NULL);
	if (!res)
		goto fail;
	version = 0;
	if (!PQgetisnull(res, 0, 0)) {
		char *end;
		long v = strtol(PQgetvalue(res, 0, 0), &end, 10);

		version = *end || v < 0 || v > 1000000 ? n + 1 : (int)v;
	}
	PQclear(res);
	if (version > n) {
		log_err("store: schema version %d is newer than this program "
			"(%d)", version, n);
		rollback(s);
		return -EPROTO;
	}
	for (; version < n; version++) {
		char v[16];
		const char *p[] = { v };

		log_info("store: migrating schema %d -> %d", version,
			version + 1);
		snprintf(v, sizeof(v), "%d", version + 1);
		if (qscript(s, migrations[version]) < 0 ||
		    qexec(s, "DELETE FROM svopi_schema", 0, NULL) < 0 ||
		    qexec(s, "INSERT INTO svopi_schema VALUES ($1::int)", 1,
			p) < 0)
			goto fail;
	}
	return commit(s);
fail:
	rollback(s);
	return -EIO;
}

static void
pg_free(struct store *base)
{
	struct store_pg *s = pg(base);

	PQfinish(s->conn);
	PQfinish(s->listen);
	free(s->conninfo);
	free(s);
}

int
store_pg_open(const char *conninfo, struct store **ret_store)
{
	struct store_pg *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->base.ops = &pg_ops;
	s->conninfo = strdup(conninfo);
	s->conn = s->conninfo ? pg_connect(conninfo) : NULL;
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		log_err("store: PostgreSQL: %s", s->conn ?
			PQerrorMessage(s->conn) : "out of memory");
		pg_free(&s->base);
		return -EIO;
	}
	r = migrate(s);
	if (r < 0) {
		pg_free(&s->base);
		return r;
	}
	*ret_store = &s->base;
	return 0;
}

static void
pg_set_redeem_delay(struct store *base, long ms)
{
	pg(base)->redeem_delay_ms = ms;
}

/* Reads run one statement each, in autocommit. */
static int
pg_read_begin(struct store *base)
{
	(void)base;
	return 0;
}

static void
pg_read_end(struct store *base)
{
	(void)base;
}

static void
copy_val(char *dst, size_t cap, const PGresult *res, int row, int col)
{
	const char *v = PQgetisnull(res, row, col) ? "" :
		PQgetvalue(res, row, col);
	size_t n = strlen(v);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int64_t
int_val(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
		strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int
pg_user_get(struct store *base, const char *login, struct store_user *ret)
{
	const char *p[] = { login };
	PGresult *res = q(pg(base), "SELECT id, login, pwhash, fingerprint, "
		"enrolled_at FROM users WHERE login = $1", 1, p, NULL, NULL);

	if (!res)
		return -EIO;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	ret->id = int_val(res, 0, 0);
	copy_val(ret->login, sizeof(ret->login), res, 0, 1);
	copy_val(ret->pwhash, sizeof(ret->pwhash), res, 0, 2);
	copy_val(ret->fp, sizeof(ret->fp), res, 0, 3);
	ret->enrolled_at = int_val(res, 0, 4);
	PQclear(res);
	return 0;
}

static int
pg_user_add(struct store *base, const char *login, const char *pwhash,
	int64_t now)
{
	struct store_pg *s = pg(base);
	char t[24];
	const char *p[] = { login, pwhash, t };
	PGresult *res;

	snprintf(t, sizeof(t), "%" PRId64, now);
	/* ON CONFLICT: no error in the log for an existing login. */
	res = q(s, "INSERT INTO users (login, pwhash, created_at) "
		"VALUES ($1, $2, $3::bigint) ON CONFLICT (login) DO NOTHING",
		3, p, NULL, NULL);
	if (!res)
		return -EIO;
	t[0] = *PQcmdTuples(res);
	PQclear(res);
	return t[0] == '1' ? 0 : -EEXIST;
}

static int
pg_user_del(struct store *base, const char *login)
{
	const char *p[] = { login };
	PGresult *res = q(pg(base), "DELETE FROM users WHERE login = $1 "
		"RETURNING id", 1, p, NULL, NULL);
	int n;

	if (!res)
		return -EIO;
	n = PQntuples(res);
	if (n)
		(void)notify(pg(base), int_val(res, 0, 0), 0);
	PQclear(res);
	return n ? 0 : -ENOENT;
}

static int
pg_user_list(struct store *base,
	void (*fn)(void *ud, const char *login, const char *fp), void *ud)
{
	PGresult *res = q(pg(base), "SELECT login, coalesce(fingerprint, '') "
		"FROM users ORDER BY login", 0, NULL, NULL, NULL);

	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++)
		fn(ud, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	PQclear(res);
	return 0;
}

static int
pg_enroll(struct store *base, int64_t uid, const uint8_t *der,
	size_t der_len, const char *fp, int64_t now, int *ret_changed)
{
	struct store_pg *s = pg(base);
	char id[24], t[24];
	const char *p1[] = { id };
	const char *p2[] = { (const char *)der, fp, t, id };
	const int lens[] = { (int)der_len, 0, 0, 0 };
	const int fmts[] = { 1, 0, 0, 0 };
	PGresult *res;
	int changed;

	snprintf(id, sizeof(id), "%" PRId64, uid);
	snprintf(t, sizeof(t), "%" PRId64, now);
	if (begin_locked(s, pair_key(uid, 0)) < 0)
		return -EIO;
	res = q(s, "SELECT coalesce(fingerprint, '') FROM users WHERE id = "
		"$1::bigint FOR UPDATE", 1, p1, NULL, NULL);
	if (!res || PQntuples(res) != 1) {
		PQclear(res);
		goto fail;
	}
	changed = strcmp(PQgetvalue(res, 0, 0), fp) != 0;
	PQclear(res);
	res = q(s, "UPDATE users SET cert = $1::bytea, fingerprint = $2, "
		"enrolled_at = $3::bigint WHERE id = $4::bigint", 4, p2, lens,
		fmts);
	if (!res)
		goto fail;
	PQclear(res);
	/* A VUC vouches for the keys it was issued under. */
	if (changed && (qexec(s, "DELETE FROM vucs WHERE a = $1::bigint OR "
		"b = $1::bigint", 1, p1) < 0 || notify(s, uid, 0) < 0))
		goto fail;
	if (commit(s) < 0)
		return -EIO;
	*ret_changed = changed;
	return 0;
fail:
	rollback(s);
	return -EIO;
}

static int
pair_read(struct store_pg *s, int64_t a, int64_t b, struct pair_row *p)
{
	char sa[24], sb[24];
	const char *par[] = { sa, sb };
	PGresult *res;

	memset(p, 0, sizeof(*p));
	snprintf(sa, sizeof(sa), "%" PRId64, a);
	snprintf(sb, sizeof(sb), "%" PRId64, b);
	/* One statement: one snapshot of both rows. */
	res = q(s, "SELECT r.fp_a, r.fp_b, v.issuer, v.code, v.expires, "
		"v.tries, v.fp_a, v.fp_b, r.a IS NOT NULL, v.a IS NOT NULL "
		"FROM (SELECT $1::bigint AS a, $2::bigint AS b) k "
		"LEFT JOIN relationships r ON r.a = k.a AND r.b = k.b "
		"LEFT JOIN vucs v ON v.a = k.a AND v.b = k.b", 2, par, NULL,
		NULL);
	if (!res)
		return -EIO;
	p->has_rel = PQgetvalue(res, 0, 8)[0] == 't';
	copy_val(p->rel_fp_a, sizeof(p->rel_fp_a), res, 0, 0);
	copy_val(p->rel_fp_b, sizeof(p->rel_fp_b), res, 0, 1);
	p->has_vuc = PQgetvalue(res, 0, 9)[0] == 't';
	p->issuer = int_val(res, 0, 2);
	copy_val(p->code, sizeof(p->code), res, 0, 3);
	p->expires = int_val(res, 0, 4);
	p->tries = (int)int_val(res, 0, 5);
	copy_val(p->vuc_fp_a, sizeof(p->vuc_fp_a), res, 0, 6);
	copy_val(p->vuc_fp_b, sizeof(p->vuc_fp_b), res, 0, 7);
	PQclear(res);
	return 0;
}

static int
pg_pair_get(struct store *base, const struct store_user *me,
	const struct store_user *peer, int64_t now, struct store_pair *ret)
{
	const struct store_user *a, *b;
	struct pair_row p;
	int r;

	rules_order(me, peer, &a, &b);
	r = pair_read(pg(base), a->id, b->id, &p);
	if (r < 0)
		return r;
	rules_view(&p, me, peer, now, ret);
	OPENSSL_cleanse(&p, sizeof(p));
	return 0;
}

static int
pg_pair_validate(struct store *base, const struct store_user *me,
	const struct store_user *peer, int64_t now, long vuc_ttl,
	struct store_pair *ret, int *ret_issued)
{
	struct store_pg *s = pg(base);
	const struct store_user *a, *b;
	char code[STORE_VUC_DIGITS + 1] = "", sa[24], sb[24], si[24], se[24];
	const char *par[] = { sa, sb, si, code, se, NULL, NULL };
	struct pair_row p;

	rules_order(me, peer, &a, &b);
	if (pair_read(s, a->id, b->id, &p) < 0)
		return -EIO;
	*ret_issued = 0;
	if (!me->fp[0] || !peer->fp[0] || rules_trusted(&p, a, b) ||
	    rules_vuc_active(&p, a, b, now)) {
		rules_view(&p, me, peer, now, ret);
		return 0;
	}
	/* Decide again under the pair's lock: the peer may validate at the
	 * same moment through another instance. */
	if (begin_locked(s, pair_key(a->id, b->id)) < 0 ||
	    pair_read(s, a->id, b->id, &p) < 0)
		goto fail;
	if (rules_trusted(&p, a, b) || rules_vuc_active(&p, a, b, now)) {
		if (commit(s) < 0)
			return -EIO;
		rules_view(&p, me, peer, now, ret);
		return 0;
	}
	if (rules_vuc_generate(code) < 0)
		goto fail;
	snprintf(sa, sizeof(sa), "%" PRId64, a->id);
	snprintf(sb, sizeof(sb), "%" PRId64, b->id);
	snprintf(si, sizeof(si), "%" PRId64, me->id);
	snprintf(se, sizeof(se), "%" PRId64, now + vuc_ttl);
	par[5] = a->fp;
	par[6] = b->fp;
	if (qexec(s, "INSERT INTO vucs (a, b, issuer, code, expires, tries, "
		"fp_a, fp_b) VALUES ($1::bigint, $2::bigint, $3::bigint, $4, "
		"$5::bigint, 0, $6, $7) ON CONFLICT (a, b) DO UPDATE SET "
		"issuer = excluded.issuer, code = excluded.code, "
		"expires = excluded.expires, tries = 0, fp_a = excluded.fp_a, "
		"fp_b = excluded.fp_b", 7, par) < 0 ||
	    notify(s, a->id, b->id) < 0 || commit(s) < 0)
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
exec_pair(struct store_pg *s, const char *sql, int64_t a, int64_t b)
{
	char sa[24], sb[24];
	const char *p[] = { sa, sb };

	snprintf(sa, sizeof(sa), "%" PRId64, a);
	snprintf(sb, sizeof(sb), "%" PRId64, b);
	return qexec(s, sql, 2, p);
}

static void
test_delay(const struct store_pg *s)
{
	struct timespec ts = {
		.tv_sec = s->redeem_delay_ms / 1000,
		.tv_nsec = s->redeem_delay_ms % 1000 * 1000000,
	};

	if (s->redeem_delay_ms > 0)
		nanosleep(&ts, NULL);
}

static int
pg_redeem(struct store *base, const struct store_user *me,
	const struct store_user *peer, const char *code, int64_t now,
	enum store_redeem *ret_result, int *ret_attempts_left)
{
	struct store_pg *s = pg(base);
	const struct store_user *a, *b;
	enum store_redeem result;
	struct pair_row p;
	char t[24], sa[24], sb[24];
	const char *par[] = { sa, sb, NULL, NULL, t };
	int left = 0;

	rules_order(me, peer, &a, &b);
	if (begin_locked(s, pair_key(a->id, b->id)) < 0)
		return -EIO;
	if (pair_read(s, a->id, b->id, &p) < 0)
		goto fail;
	if (!p.has_vuc || p.issuer == me->id ||
	    strcmp(p.vuc_fp_a, a->fp) != 0 ||
	    strcmp(p.vuc_fp_b, b->fp) != 0) {
		result = rules_trusted(&p, a, b) ? STORE_REDEEM_TRUSTED :
			STORE_REDEEM_NO_PENDING;
	} else if (p.tries >= STORE_VUC_TRIES) {
		result = STORE_REDEEM_LOCKED;
	} else if (now >= p.expires) {
		result = STORE_REDEEM_EXPIRED;
		left = STORE_VUC_TRIES - p.tries;
	} else if (strlen(code) != STORE_VUC_DIGITS ||
		   CRYPTO_memcmp(code, p.code, STORE_VUC_DIGITS) != 0) {
		if (exec_pair(s, "UPDATE vucs SET tries = tries + 1 WHERE "
			"a = $1::bigint AND b = $2::bigint", a->id, b->id) < 0)
			goto fail;
		result = STORE_REDEEM_WRONG;
		left = STORE_VUC_TRIES - p.tries - 1;
	} else {
		snprintf(sa, sizeof(sa), "%" PRId64, a->id);
		snprintf(sb, sizeof(sb), "%" PRId64, b->id);
		snprintf(t, sizeof(t), "%" PRId64, now);
		par[2] = a->fp;
		par[3] = b->fp;
		if (qexec(s, "INSERT INTO relationships (a, b, fp_a, fp_b, "
			"created_at) VALUES ($1::bigint, $2::bigint, $3, $4, "
			"$5::bigint) ON CONFLICT (a, b) DO UPDATE SET "
			"fp_a = excluded.fp_a, fp_b = excluded.fp_b, "
			"created_at = excluded.created_at", 5, par) < 0)
			goto fail;
		test_delay(s);
		if (exec_pair(s, "DELETE FROM vucs WHERE a = $1::bigint AND "
			"b = $2::bigint", a->id, b->id) < 0)
			goto fail;
		result = STORE_REDEEM_TRUSTED;
	}
	if (result != STORE_REDEEM_NO_PENDING &&
	    notify(s, a->id, b->id) < 0)
		goto fail;
	if (commit(s) < 0)
		return -EIO;
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
pg_revoke(struct store *base, int64_t uid, int64_t peer_uid)
{
	struct store_pg *s = pg(base);
	int64_t a = uid < peer_uid ? uid : peer_uid;
	int64_t b = uid < peer_uid ? peer_uid : uid;
	char sa[24], sb[24];
	const char *p[] = { sa, sb };
	PGresult *res;
	int n;

	snprintf(sa, sizeof(sa), "%" PRId64, a);
	snprintf(sb, sizeof(sb), "%" PRId64, b);
	if (begin_locked(s, pair_key(a, b)) < 0)
		return -EIO;
	res = q(s, "WITH r AS (DELETE FROM relationships WHERE a = $1::bigint "
		"AND b = $2::bigint RETURNING 1), v AS (DELETE FROM vucs WHERE "
		"a = $1::bigint AND b = $2::bigint RETURNING 1) "
		"SELECT (SELECT count(*) FROM r) + (SELECT count(*) FROM v)",
		2, p, NULL, NULL);
	if (!res)
		goto fail;
	n = (int)int_val(res, 0, 0);
	PQclear(res);
	if ((n && notify(s, a, b) < 0) || commit(s) < 0)
		goto fail;
	return n ? 0 : -ENOENT;
fail:
	rollback(s);
	return -EIO;
}

static int
pg_rel_list(struct store *base, int64_t uid, int64_t now,
	void (*fn)(void *ud, const char *login_a, const char *login_b,
		const char *state, const char *issuer, const char *vuc,
		int64_t expires), void *ud)
{
	/* One row per pair that has a relationship or a VUC. */
	static const char sql[] =
		"SELECT ua.login, ub.login, "
		"  coalesce(r.a IS NOT NULL AND r.fp_a = ua.fingerprint "
		"    AND r.fp_b = ub.fingerprint, false), "
		"  ui.login, v.code, v.expires, v.tries, "
		"  coalesce(v.fp_a = ua.fingerprint AND "
		"    v.fp_b = ub.fingerprint, false), v.a IS NOT NULL "
		"FROM (SELECT a, b FROM relationships UNION "
		"      SELECT a, b FROM vucs) p "
		"JOIN users ua ON ua.id = p.a JOIN users ub ON ub.id = p.b "
		"LEFT JOIN relationships r ON r.a = p.a AND r.b = p.b "
		"LEFT JOIN vucs v ON v.a = p.a AND v.b = p.b "
		"LEFT JOIN users ui ON ui.id = v.issuer "
		"WHERE $1::bigint < 0 OR p.a = $1::bigint OR p.b = $1::bigint "
		"ORDER BY ua.login, ub.login";
	char su[24];
	const char *p[] = { su };
	PGresult *res;

	snprintf(su, sizeof(su), "%" PRId64, uid);
	res = q(pg(base), sql, 1, p, NULL, NULL);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *state, *issuer = NULL, *vuc = NULL;
		int64_t expires = 0;

		if (PQgetvalue(res, i, 2)[0] == 't') {
			state = "trusted";
		} else if (PQgetvalue(res, i, 8)[0] == 't') {
			expires = int_val(res, i, 5);
			issuer = PQgetvalue(res, i, 3);
			vuc = PQgetvalue(res, i, 4);
			if (int_val(res, i, 6) >= STORE_VUC_TRIES)
				state = "locked";
			else if (now >= expires ||
				 PQgetvalue(res, i, 7)[0] != 't')
				state = "expired";
			else
				state = "pending";
		} else {
			state = "pending";	/* relationship under old keys */
		}
		fn(ud, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), state,
			issuer, vuc, expires);
	}
	PQclear(res);
	return 0;
}

static int
pg_export_rows(struct store *base,
	int (*user_fn)(void *ud, const struct store_copy_user *u),
	int (*pair_fn)(void *ud, const struct store_copy_pair *p), void *ud)
{
	struct store_pg *s = pg(base);
	PGresult *res;
	int r = 0;

	/* Text results: the certificate comes back hex-escaped. */
	res = q(s, "SELECT login, pwhash, coalesce(fingerprint, ''), cert, "
		"coalesce(enrolled_at, 0)::text, created_at::text FROM users "
		"ORDER BY id", 0, NULL, NULL, NULL);
	if (!res)
		return -EIO;
	for (int i = 0; r == 0 && i < PQntuples(res); i++) {
		size_t n = 0;
		unsigned char *der = PQgetisnull(res, i, 3) ? NULL :
			PQunescapeBytea((const unsigned char *)
				PQgetvalue(res, i, 3), &n);
		struct store_copy_user u = {
			.login = PQgetvalue(res, i, 0),
			.pwhash = PQgetvalue(res, i, 1),
			.fp = PQgetvalue(res, i, 2),
			.der = der, .der_len = n,
			.enrolled_at = int_val(res, i, 4),
			.created_at = int_val(res, i, 5),
		};

		r = user_fn(ud, &u);
		PQfreemem(der);
	}
	PQclear(res);
	if (r < 0)
		return r;
	res = q(s, STORE_EXPORT_PAIRS_SQL, 0, NULL, NULL, NULL);
	if (!res)
		return -EIO;
	for (int i = 0; r == 0 && i < PQntuples(res); i++) {
		struct store_copy_pair p = {
			.login_a = PQgetvalue(res, i, 0),
			.login_b = PQgetvalue(res, i, 1),
			.has_rel = PQgetvalue(res, i, 2)[0] == 't',
			.rel_fp_a = PQgetvalue(res, i, 3),
			.rel_fp_b = PQgetvalue(res, i, 4),
			.rel_created = int_val(res, i, 5),
			.has_vuc = PQgetvalue(res, i, 6)[0] == 't',
			.issuer = PQgetvalue(res, i, 7),
			.code = PQgetvalue(res, i, 8),
			.expires = int_val(res, i, 9),
			.tries = (int)int_val(res, i, 10),
			.vuc_fp_a = PQgetvalue(res, i, 11),
			.vuc_fp_b = PQgetvalue(res, i, 12),
		};

		r = pair_fn(ud, &p);
	}
	PQclear(res);
	return r;
}

static int
pg_import_begin(struct store *base)
{
	return begin_locked(pg(base), PG_LOCK_SCHEMA);
}

static int
pg_import_end(struct store *base, int ok)
{
	struct store_pg *s = pg(base);

	if (ok)
		return commit(s);
	rollback(s);
	return 0;
}

static int
pg_import_user(struct store *base, const struct store_copy_user *u)
{
	char te[24], tc[24];
	const char *p[] = { u->login, u->pwhash, (const char *)u->der, u->fp,
		te, tc };
	const int lens[] = { 0, 0, (int)u->der_len, 0, 0, 0 };
	const int fmts[] = { 0, 0, 1, 0, 0, 0 };
	PGresult *res;

	snprintf(te, sizeof(te), "%" PRId64, u->enrolled_at);
	snprintf(tc, sizeof(tc), "%" PRId64, u->created_at);
	res = q(pg(base), "INSERT INTO users (login, pwhash, cert, "
		"fingerprint, enrolled_at, created_at) VALUES ($1, $2, "
		"$3::bytea, nullif($4, ''), nullif($5::bigint, 0), $6::bigint)",
		6, p, lens, fmts);
	PQclear(res);
	return res ? 0 : -EIO;
}

static int
pg_import_pair(struct store *base, const struct store_copy_pair *in)
{
	struct store_pg *s = pg(base);
	struct store_copy_pair p;
	int64_t ia, ib, issuer = 0, id[2];
	char sa[24], sb[24], si[24], se[24], st[24], sc[24];

	if (rules_user_id(base, in->login_a, &ia) < 0 ||
	    rules_user_id(base, in->login_b, &ib) < 0 ||
	    (in->has_vuc && rules_user_id(base, in->issuer, &issuer) < 0))
		return -ENOENT;
	rules_copy_order(in, ia, ib, &p, id);
	snprintf(sa, sizeof(sa), "%" PRId64, id[0]);
	snprintf(sb, sizeof(sb), "%" PRId64, id[1]);
	snprintf(si, sizeof(si), "%" PRId64, issuer);
	snprintf(se, sizeof(se), "%" PRId64, p.expires);
	snprintf(st, sizeof(st), "%d", p.tries);
	snprintf(sc, sizeof(sc), "%" PRId64, p.rel_created);
	if (p.has_rel) {
		const char *par[] = { sa, sb, p.rel_fp_a, p.rel_fp_b, sc };

		if (qexec(s, "INSERT INTO relationships (a, b, fp_a, fp_b, "
			"created_at) VALUES ($1::bigint, $2::bigint, $3, $4, "
			"$5::bigint)", 5, par) < 0)
			return -EIO;
	}
	if (p.has_vuc) {
		const char *par[] = { sa, sb, si, p.code, se, st, p.vuc_fp_a,
			p.vuc_fp_b };

		if (qexec(s, "INSERT INTO vucs (a, b, issuer, code, expires, "
			"tries, fp_a, fp_b) VALUES ($1::bigint, $2::bigint, "
			"$3::bigint, $4, $5::bigint, $6::int, $7, $8)", 8,
			par) < 0)
			return -EIO;
	}
	return 0;
}

static int
pg_counts(struct store *base, struct store_counts *ret)
{
	PGresult *res = q(pg(base), STORE_COUNTS_SQL, 0, NULL, NULL, NULL);

	if (!res)
		return -EIO;
	ret->users = (long)int_val(res, 0, 0);
	ret->relationships = (long)int_val(res, 0, 1);
	ret->vucs = (long)int_val(res, 0, 2);
	PQclear(res);
	return 0;
}

static int
fail_query(struct store_pg *s, const char *sql, const char *login,
	long window, int64_t now, long *ret_count)
{
	char w[24], t[24];
	const char *par[] = { login, t, w };
	PGresult *res;

	snprintf(w, sizeof(w), "%ld", window);
	snprintf(t, sizeof(t), "%" PRId64, now);
	res = q(s, sql, 3, par, NULL, NULL);
	if (!res)
		return -EIO;
	*ret_count = PQntuples(res) ? (long)int_val(res, 0, 0) : 0;
	PQclear(res);
	return 0;
}

static int
pg_fail_count(struct store *base, const char *login, long window,
	int64_t now, long *ret_count)
{
	return fail_query(pg(base), "SELECT count FROM login_failures WHERE "
		"login = $1 AND $2::bigint - window_start < $3::bigint",
		login, window, now, ret_count);
}

/* One statement: two instances noting at once both count. */
static int
pg_fail_note(struct store *base, const char *login, long window,
	int64_t now, long *ret_count)
{
	return fail_query(pg(base), "INSERT INTO login_failures AS f "
		"VALUES ($1, $2::bigint, 1) ON CONFLICT (login) DO UPDATE SET "
		"count = CASE WHEN $2::bigint - f.window_start >= $3::bigint "
		"  THEN 1 ELSE f.count + 1 END, "
		"window_start = CASE WHEN $2::bigint - f.window_start >= "
		"  $3::bigint THEN $2::bigint ELSE f.window_start END "
		"RETURNING count", login, window, now, ret_count);
}

static int
pg_listen_open(struct store *base, int *ret_fd)
{
	struct store_pg *s = pg(base);
	PGresult *res;

	PQfinish(s->listen);
	s->listen = pg_connect(s->conninfo);
	if (!s->listen || PQstatus(s->listen) != CONNECTION_OK) {
		log_peer(LOG_WARNING, "store: PostgreSQL listener: %s",
			s->listen ? PQerrorMessage(s->listen) : "no memory");
		return -EIO;
	}
	res = PQexec(s->listen, "LISTEN " PG_CHANNEL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		return -EIO;
	}
	PQclear(res);
	*ret_fd = PQsocket(s->listen);
	return 0;
}

static int
pg_listen_read(struct store *base,
	void (*fn)(void *ud, int64_t uid_a, int64_t uid_b), void *ud)
{
	struct store_pg *s = pg(base);
	PGnotify *n;

	if (!s->listen || !PQconsumeInput(s->listen) ||
	    PQstatus(s->listen) != CONNECTION_OK)
		return -EIO;
	while ((n = PQnotifies(s->listen))) {
		long long a = 0, b = 0;
		char *end;

		a = strtoll(n->extra, &end, 10);
		if (*end == ' ')
			b = strtoll(end + 1, &end, 10);
		if (*end == '\0' && a > 0 && b >= 0)
			fn(ud, a, b);
		PQfreemem(n);
	}
	return 0;
}

static const struct store_ops pg_ops = {
	.name = "postgresql",
	.free = pg_free,
	.set_redeem_delay = pg_set_redeem_delay,
	.read_begin = pg_read_begin,
	.read_end = pg_read_end,
	.user_get = pg_user_get,
	.user_add = pg_user_add,
	.user_del = pg_user_del,
	.user_list = pg_user_list,
	.enroll = pg_enroll,
	.pair_get = pg_pair_get,
	.pair_validate = pg_pair_validate,
	.redeem = pg_redeem,
	.revoke = pg_revoke,
	.rel_list = pg_rel_list,
	.export_rows = pg_export_rows,
	.import_begin = pg_import_begin,
	.import_user = pg_import_user,
	.import_pair = pg_import_pair,
	.import_end = pg_import_end,
	.counts = pg_counts,
	.fail_count = pg_fail_count,
	.fail_note = pg_fail_note,
	.listen_open = pg_listen_open,
	.listen_read = pg_listen_read,
};
