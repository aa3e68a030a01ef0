/* The cached trust store: see truststore.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fingerprint.h"
#include "truststore.h"

/* How long a statement waits for a lock held by another connection (only a
 * second svopid on the same state dir, which is a configuration error). */
#define TRUSTSTORE_BUSY_MS 5000

struct truststore {
	sqlite3 *db;
	sqlite3_stmt *get;
	sqlite3_stmt *put;
	sqlite3_stmt *del;
	sqlite3_stmt *list;
	sqlite3_stmt *touch;
};

/* Each step takes the schema from the version before it to the next; the
 * store runs them in one transaction with the new user_version. Never edit
 * a shipped step: append one. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE peers ("
	" peer TEXT PRIMARY KEY NOT NULL,"
	" fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('trusted', 'pending', 'none', 'mismatch')),"
	" validated_at INTEGER NOT NULL,"
	" checked_at INTEGER NOT NULL"
	") WITHOUT ROWID;",
};

static const char *const status_names[] = {
	[TRUSTSTORE_NONE] = "none",
	[TRUSTSTORE_PENDING] = "pending",
	[TRUSTSTORE_TRUSTED] = "trusted",
	[TRUSTSTORE_MISMATCH] = "mismatch",
};

static int
errno_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EBADMSG;
	case SQLITE_CONSTRAINT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

const char *
truststore_status_to_string(enum truststore_status s)
{
	if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
		return NULL;
	return status_names[s];
}

int
truststore_status_from_string(const char *s, enum truststore_status *ret)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]);
	     i++) {
		if (s && strcmp(s, status_names[i]) == 0) {
			*ret = (enum truststore_status)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
truststore_result_to_string(enum truststore_result r)
{
	switch (r) {
	case TRUSTSTORE_UNKNOWN:
		return "unknown";
	case TRUSTSTORE_TRUSTED_FRESH:
		return "trusted-fresh";
	case TRUSTSTORE_TRUSTED_STALE:
		return "trusted-stale";
	case TRUSTSTORE_CHANGED:
		return "changed";
	}
	return NULL;
}

const char *
truststore_errmsg(struct truststore *ts)
{
	return ts && ts->db ? sqlite3_errmsg(ts->db) : "no store";
}

static bool
peer_ok(const char *peer)
{
	size_t n;

	if (!peer)
		return false;
	n = strnlen(peer, TRUSTSTORE_PEER_MAX + 1);
	if (n == 0 || n > TRUSTSTORE_PEER_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)peer[i] < 0x21 || peer[i] == 0x7f)
			return false;
	return true;
}

int
truststore_fp_normalize(const char *in, char out[TRUSTSTORE_FP_LEN + 1])
{
	if (!in || !out)
		return -EINVAL;
	return fingerprint_to_key(in, out);
}

/* Exactly the key form of lib/fingerprint.h, as stored. */
static bool
fp_ok(const char *fp)
{
	char key[FINGERPRINT_KEY_LEN + 1];

	return fp && fingerprint_to_key(fp, key) == 0 && strcmp(key, fp) == 0;
}

static int
exec(struct truststore *ts, const char *sql)
{
	return errno_from_sqlite(sqlite3_exec(ts->db, sql, NULL, NULL, NULL));
}

/* Reads a single-integer PRAGMA. */
static int
pragma_int(struct truststore *ts, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(ts->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*ret = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : (errno_from_sqlite(rc) ?: -EIO);
}

static int
set_wal(struct truststore *ts)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int rc, r = -EIO;

	rc = sqlite3_prepare_v2(ts->db, "PRAGMA journal_mode=WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		mode = sqlite3_column_text(st, 0);
		/* A store that cannot do WAL (odd file system) is refused:
		 * our durability argument depends on it. */
		r = mode && strcmp((const char *)mode, "wal") == 0 ?
		    0 : -EOPNOTSUPP;
	} else {
		r = errno_from_sqlite(rc) ?: -EIO;
	}
	sqlite3_finalize(st);
	return r;
}

static int
migrate(struct truststore *ts)
{
	const int64_t latest = sizeof(migrations) / sizeof(migrations[0]);
	int64_t version = 0;
	char sql[64];
	int r;

	/* IMMEDIATE: two processes opening a fresh store do not both
	 * create the schema. */
	r = exec(ts, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = pragma_int(ts, "PRAGMA user_version", &version);
	if (r < 0)
		goto fail;
	if (version > latest || version < 0) {
		r = -EPROTONOSUPPORT;
		goto fail;
	}
	for (int64_t v = version; v < latest; v++) {
		r = exec(ts, migrations[v]);
		if (r < 0)
			goto fail;
	}
	if (version != latest) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%lld",
			 (long long)latest);
		r = exec(ts, sql);
		if (r < 0)
			goto fail;
	}
	return exec(ts, "COMMIT");
fail:
	exec(ts, "ROLLBACK");
	return r;
}

/* Creates the file ourselves so that it is 0600 from its first byte
 * whatever the umask; sqlite gives its -wal and -shm files the same mode. */
static int
prepare_file(const char *path)
{
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
	} else if (st.st_uid != geteuid()) {
		r = -EPERM;
	} else if ((st.st_mode & 07777) != 0600) {
		if (fchmod(fd, 0600) < 0)
			r = -errno;
	}
	close(fd);
	return r;
}

static int
prepare(struct truststore *ts, const char *sql, sqlite3_stmt **ret)
{
	return errno_from_sqlite(sqlite3_prepare_v3(ts->db, sql, -1,
			SQLITE_PREPARE_PERSISTENT, ret, NULL));
}

int
truststore_open(const char *path, struct truststore **ret_ts)
{
	struct truststore *ts;
	int r;

	if (!path || !ret_ts)
		return -EINVAL;
	r = prepare_file(path);
	if (r < 0)
		return r;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	r = errno_from_sqlite(sqlite3_open_v2(path, &ts->db,
			SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
			SQLITE_OPEN_EXRESCODE, NULL));
	if (r < 0)
		goto fail;
	sqlite3_extended_result_codes(ts->db, 1);
	sqlite3_busy_timeout(ts->db, TRUSTSTORE_BUSY_MS);
	r = set_wal(ts);
	if (r < 0)
		goto fail;
	/* FULL: in WAL mode NORMAL already survives a kill -9 (the WAL is
	 * in the page cache); FULL also survives a power cut. Records are
	 * rare (one per validation), the extra fsync is free. */
	r = exec(ts, "PRAGMA synchronous=FULL");
	if (r < 0)
		goto fail;
	r = migrate(ts);
	if (r < 0)
		goto fail;
	r = prepare(ts, "SELECT peer, fingerprint, status, validated_at,"
		    " checked_at FROM peers WHERE peer = ?1", &ts->get);
	if (r >= 0)
		r = prepare(ts, "INSERT OR REPLACE INTO peers (peer,"
			    " fingerprint, status, validated_at, checked_at)"
			    " VALUES (?1, ?2, ?3, ?4, ?5)", &ts->put);
	if (r >= 0)
		r = prepare(ts, "DELETE FROM peers WHERE peer = ?1", &ts->del);
	if (r >= 0)
		r = prepare(ts, "UPDATE peers SET checked_at = ?3 WHERE"
			    " peer = ?1 AND fingerprint = ?2 AND"
			    " status = 'trusted' AND checked_at <= ?3",
			    &ts->touch);
	if (r >= 0)
		r = prepare(ts, "SELECT peer, fingerprint, status,"
			    " validated_at, checked_at FROM peers"
			    " ORDER BY peer", &ts->list);
	if (r < 0)
		goto fail;
	*ret_ts = ts;
	return 0;
fail:
	truststore_close(ts);
	return r;
}

struct truststore *
truststore_close(struct truststore *ts)
{
	if (!ts)
		return NULL;
	sqlite3_finalize(ts->get);
	sqlite3_finalize(ts->put);
	sqlite3_finalize(ts->del);
	sqlite3_finalize(ts->list);
	sqlite3_finalize(ts->touch);
	sqlite3_close(ts->db);
	free(ts);
	return NULL;
}

/* Copies the current row of st (columns as in the SELECTs above). A row
 * that breaks our own invariants (edited by hand) is -EBADMSG. */
static int
read_row(sqlite3_stmt *st, struct truststore_entry *e)
{
	const char *peer = (const char *)sqlite3_column_text(st, 0);
	const char *fp = (const char *)sqlite3_column_text(st, 1);
	const char *status = (const char *)sqlite3_column_text(st, 2);

	if (!peer_ok(peer) || !fp_ok(fp) ||
	    truststore_status_from_string(status, &e->status) < 0)
		return -EBADMSG;
	memcpy(e->peer, peer, strlen(peer) + 1);
	memcpy(e->fingerprint, fp, TRUSTSTORE_FP_LEN + 1);
	e->validated_at = sqlite3_column_int64(st, 3);
	e->checked_at = sqlite3_column_int64(st, 4);
	return 0;
}

int
truststore_get(struct truststore *ts, const char *peer,
	       struct truststore_entry *ret_entry)
{
	struct truststore_entry e;
	int rc, r;

	if (!ts || !peer_ok(peer) || !ret_entry)
		return -EINVAL;
	sqlite3_bind_text(ts->get, 1, peer, -1, SQLITE_STATIC);
	rc = sqlite3_step(ts->get);
	if (rc == SQLITE_ROW)
		r = read_row(ts->get, &e);
	else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = errno_from_sqlite(rc) ?: -EIO;
	sqlite3_reset(ts->get);
	sqlite3_clear_bindings(ts->get);
	if (r < 0)
		return r;
	*ret_entry = e;
	return 0;
}

int
truststore_lookup(struct truststore *ts, const char *peer, const char *fp,
		  int64_t now, int64_t cache_ttl,
		  enum truststore_result *ret_result)
{
	struct truststore_entry e;
	enum truststore_result res;
	char norm[TRUSTSTORE_FP_LEN + 1];
	int r;

	if (!ret_result || truststore_fp_normalize(fp, norm) < 0)
		return -EINVAL;
	fp = norm;
	r = truststore_get(ts, peer, &e);
	/* A row we cannot read (edited by hand) is not believed: ask. */
	if (r == -ENOENT || r == -EBADMSG ||
	    (r == 0 && e.status != TRUSTSTORE_TRUSTED)) {
		res = TRUSTSTORE_UNKNOWN;
	} else if (r < 0) {
		return r;
	} else if (strcmp(e.fingerprint, fp) != 0) {
		res = TRUSTSTORE_CHANGED;
	} else if (cache_ttl > 0 && now >= e.checked_at &&
		   now - e.checked_at < cache_ttl) {
		res = TRUSTSTORE_TRUSTED_FRESH;
	} else {
		res = TRUSTSTORE_TRUSTED_STALE;
	}
	*ret_result = res;
	return 0;
}

/* One transaction of truststore_record. lazy: the connection is at
 * synchronous=NORMAL, which only a row that grants no trust and replaces
 * none may use: -EAGAIN (nothing written) if the old row turns out to be
 * trusted after all. */
static int
record_tx(struct truststore *ts, const char *peer, const char *fp,
	  enum truststore_status status, int64_t now, bool lazy)
{
	struct truststore_entry old;
	const char *name = truststore_status_to_string(status);
	int64_t validated_at = 0;
	bool have_old;
	int rc, r;

	r = exec(ts, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = truststore_get(ts, peer, &old);
	if (r < 0 && r != -ENOENT && r != -EBADMSG)	/* bad row: replace */
		goto fail;
	have_old = r == 0;
	if (lazy && have_old && old.status == TRUSTSTORE_TRUSTED) {
		r = -EAGAIN;
		goto fail;
	}
	if (have_old && old.status == TRUSTSTORE_TRUSTED &&
	    strcmp(old.fingerprint, fp) != 0 &&
	    status == TRUSTSTORE_MISMATCH) {
		exec(ts, "ROLLBACK");
		return 0;
	}
	if (status == TRUSTSTORE_TRUSTED)
		validated_at = have_old && old.status == TRUSTSTORE_TRUSTED &&
			       strcmp(old.fingerprint, fp) == 0 ?
			       old.validated_at : now;
	sqlite3_bind_text(ts->put, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(ts->put, 2, fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(ts->put, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ts->put, 4, validated_at);
	sqlite3_bind_int64(ts->put, 5, now);
	rc = sqlite3_step(ts->put);
	sqlite3_reset(ts->put);
	sqlite3_clear_bindings(ts->put);
	if (rc != SQLITE_DONE) {
		r = errno_from_sqlite(rc) ?: -EIO;
		goto fail;
	}
	r = exec(ts, "COMMIT");
	if (r == 0)
		return 0;
fail:
	exec(ts, "ROLLBACK");
	return r;
}

int
truststore_record(struct truststore *ts, const char *peer, const char *fp,
		  enum truststore_status status, int64_t now)
{
	struct truststore_entry old;
	char norm[TRUSTSTORE_FP_LEN + 1];
	bool lazy;
	int r, r2;

	if (!ts || !peer_ok(peer) || !truststore_status_to_string(status) ||
	    truststore_fp_normalize(fp, norm) < 0)
		return -EINVAL;
	/* A row that grants no trust and replaces none skips the fsync of
	 * synchronous=FULL (a first contact writes one at each side while
	 * the prompts wait): a power cut that loses it leaves the store
	 * exactly as trusting as before, and the peer is asked again. A
	 * kill -9 loses nothing either way (the WAL is in the page cache).
	 * sqlite changes the level only outside a transaction, so the old
	 * row is looked at first, and again inside (record_tx). */
	lazy = status != TRUSTSTORE_TRUSTED &&
	       !(truststore_get(ts, peer, &old) == 0 &&
		 old.status == TRUSTSTORE_TRUSTED);
	if (!lazy)
		return record_tx(ts, peer, norm, status, now, false);
	r = exec(ts, "PRAGMA synchronous=NORMAL");
	if (r < 0)
		return r;
	r = record_tx(ts, peer, norm, status, now, true);
	/* Always back to FULL, or later trusted rows would not be durable
	 * (an error here is returned even though the row is committed). */
	r2 = exec(ts, "PRAGMA synchronous=FULL");
	if (r == -EAGAIN && r2 == 0)
		r = record_tx(ts, peer, norm, status, now, false);
	return r < 0 ? r : r2;
}

int
truststore_touch(struct truststore *ts, const char *peer, const char *fp,
		 int64_t now)
{
	char norm[TRUSTSTORE_FP_LEN + 1];
	int rc, r, n;

	if (!ts || !peer_ok(peer) || truststore_fp_normalize(fp, norm) < 0)
		return -EINVAL;
	/* Only the check time moves: a power cut that loses it makes the
	 * entry look older (stale: asked again), never more trusted. So
	 * this commit skips the fsync of synchronous=FULL. */
	r = exec(ts, "PRAGMA synchronous=NORMAL");
	if (r < 0)
		return r;
	sqlite3_bind_text(ts->touch, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(ts->touch, 2, norm, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ts->touch, 3, now);
	rc = sqlite3_step(ts->touch);
	sqlite3_reset(ts->touch);
	sqlite3_clear_bindings(ts->touch);
	n = rc == SQLITE_DONE ? sqlite3_changes(ts->db) : 0;
	r = exec(ts, "PRAGMA synchronous=FULL");
	if (rc != SQLITE_DONE)
		return errno_from_sqlite(rc) ?: -EIO;
	if (r < 0)
		return r;
	return n > 0 ? 0 : -ENOENT;
}

int
truststore_list(struct truststore *ts, truststore_list_cb cb, void *userdata)
{
	struct truststore_entry e;
	int rc, r = 0;

	if (!ts || !cb)
		return -EINVAL;
	while ((rc = sqlite3_step(ts->list)) == SQLITE_ROW) {
		if (read_row(ts->list, &e) < 0)
			continue;	/* skip a row edited by hand */
		r = cb(&e, userdata);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = errno_from_sqlite(rc) ?: -EIO;
	sqlite3_reset(ts->list);
	return r;
}

int
truststore_forget(struct truststore *ts, const char *peer)
{
	int rc;

	if (!ts || !peer_ok(peer))
		return -EINVAL;
	sqlite3_bind_text(ts->del, 1, peer, -1, SQLITE_STATIC);
	rc = sqlite3_step(ts->del);
	sqlite3_reset(ts->del);
	sqlite3_clear_bindings(ts->del);
	if (rc != SQLITE_DONE)
		return errno_from_sqlite(rc) ?: -EIO;
	return sqlite3_changes(ts->db) > 0 ? 0 : -ENOENT;
}
