/* The cached trust store on a real sqlite file in a private folder:
 * lookups against the cache rules, restart (reopen), forget, list, schema
 * versions, file modes and hostile rows. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "daemon/truststore.h"
#include "test.h"

#define FP_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
#define BOB "sip:bob@example.org"
#define CAROL "sip:carol@example.org"
#define TTL 86400

static char dir[64];
static char path[128];

static enum truststore_result
lookup(struct truststore *ts, const char *peer, const char *fp, int64_t now)
{
	enum truststore_result res = (enum truststore_result)-1;

	CHECK_EQ_INT(truststore_lookup(ts, peer, fp, now, TTL, &res), 0);
	return res;
}

static void
test_cache_rules(void)
{
	struct truststore *ts = NULL;
	struct truststore_entry e;
	enum truststore_result res = TRUSTSTORE_CHANGED;

	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK(ts != NULL);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 1000), TRUSTSTORE_UNKNOWN);

	/* pending and none never make a cache hit */
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_A, TRUSTSTORE_PENDING, 1000), 0);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 1001), TRUSTSTORE_UNKNOWN);
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_A, TRUSTSTORE_NONE, 1000), 0);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 1001), TRUSTSTORE_UNKNOWN);

	CHECK_EQ_INT(truststore_record(ts, BOB, FP_A, TRUSTSTORE_TRUSTED, 2000), 0);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 2000), TRUSTSTORE_TRUSTED_FRESH);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 2000 + TTL - 1), TRUSTSTORE_TRUSTED_FRESH);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 2000 + TTL), TRUSTSTORE_TRUSTED_STALE);
	/* clock set back: do not trust the cache blindly */
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 1999), TRUSTSTORE_TRUSTED_STALE);
	CHECK_EQ_INT(lookup(ts, BOB, FP_B, 2001), TRUSTSTORE_CHANGED);
	CHECK_EQ_INT(lookup(ts, CAROL, FP_A, 2001), TRUSTSTORE_UNKNOWN);
	CHECK_EQ_INT(truststore_lookup(ts, BOB, FP_A, 2001, 0, &res), 0);
	CHECK_EQ_INT(res, TRUSTSTORE_TRUSTED_STALE);

	/* a revalidation keeps validated_at and moves checked_at */
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_A, TRUSTSTORE_TRUSTED,
				       2000 + TTL + 5), 0);
	CHECK_EQ_INT(truststore_get(ts, BOB, &e), 0);
	CHECK_EQ_INT(e.validated_at, 2000);
	CHECK_EQ_INT(e.checked_at, 2000 + TTL + 5);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 2000 + TTL + 6), TRUSTSTORE_TRUSTED_FRESH);

	/* someone presents a wrong certificate: the trusted entry stays */
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_B, TRUSTSTORE_MISMATCH, 90000), 0);
	CHECK_EQ_INT(truststore_get(ts, BOB, &e), 0);
	CHECK(strcmp(e.fingerprint, FP_A) == 0);
	CHECK_EQ_INT(e.status, TRUSTSTORE_TRUSTED);

	/* Bob re-enrolled: the server says pending for the new key; the old
	 * trust is gone and the new key is not trusted */
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_B, TRUSTSTORE_PENDING, 90001), 0);
	CHECK_EQ_INT(lookup(ts, BOB, FP_B, 90002), TRUSTSTORE_UNKNOWN);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 90002), TRUSTSTORE_UNKNOWN);
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_B, TRUSTSTORE_TRUSTED, 90003), 0);
	CHECK_EQ_INT(truststore_get(ts, BOB, &e), 0);
	CHECK_EQ_INT(e.validated_at, 90003);
	CHECK_EQ_INT(lookup(ts, BOB, FP_A, 90004), TRUSTSTORE_CHANGED);

	/* the same fp turning mismatch (reference replaced) drops trust */
	CHECK_EQ_INT(truststore_record(ts, CAROL, FP_A, TRUSTSTORE_TRUSTED, 10), 0);
	CHECK_EQ_INT(truststore_record(ts, CAROL, FP_A, TRUSTSTORE_MISMATCH, 11), 0);
	CHECK_EQ_INT(lookup(ts, CAROL, FP_A, 12), TRUSTSTORE_UNKNOWN);
	CHECK_EQ_INT(truststore_get(ts, CAROL, &e), 0);
	CHECK_EQ_INT(e.status, TRUSTSTORE_MISMATCH);
	CHECK_EQ_INT(e.validated_at, 0);
	truststore_close(ts);
}

static void
test_bad_input(void)
{
	struct truststore *ts = NULL;
	enum truststore_result res = TRUSTSTORE_CHANGED;
	char longpeer[TRUSTSTORE_PEER_MAX + 2];
	struct truststore_entry e;

	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	memset(longpeer, 'x', sizeof(longpeer) - 1);
	longpeer[sizeof(longpeer) - 1] = '\0';
	CHECK_EQ_INT(truststore_record(ts, longpeer, FP_A, TRUSTSTORE_TRUSTED, 1), -EINVAL);
	longpeer[TRUSTSTORE_PEER_MAX] = '\0';
	CHECK_EQ_INT(truststore_record(ts, longpeer, FP_A, TRUSTSTORE_TRUSTED, 1), 0);
	CHECK_EQ_INT(truststore_forget(ts, longpeer), 0);
	CHECK_EQ_INT(truststore_record(ts, "", FP_A, TRUSTSTORE_TRUSTED, 1), -EINVAL);
	CHECK_EQ_INT(truststore_record(ts, "sip:a b@x", FP_A, TRUSTSTORE_TRUSTED, 1), -EINVAL);
	CHECK_EQ_INT(truststore_record(ts, BOB, "AA", TRUSTSTORE_TRUSTED, 1), -EINVAL);
	CHECK_EQ_INT(truststore_record(ts, BOB,
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAG",
		TRUSTSTORE_TRUSTED, 1), -EINVAL);
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_A "a", TRUSTSTORE_TRUSTED, 1), -EINVAL);
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_A, (enum truststore_status)9, 1), -EINVAL);
	CHECK_EQ_INT(truststore_lookup(ts, BOB, "zz", 1, TTL, &res), -EINVAL);
	CHECK_EQ_INT(res, TRUSTSTORE_CHANGED);	/* untouched on failure */
	CHECK_EQ_INT(truststore_lookup(ts, NULL, FP_A, 1, TTL, &res), -EINVAL);
	CHECK_EQ_INT(truststore_get(ts, "sip:nobody@example.org", &e), -ENOENT);
	CHECK_EQ_INT(truststore_forget(ts, "sip:nobody@example.org"), -ENOENT);
	CHECK(truststore_close(NULL) == NULL);
	CHECK(truststore_close(ts) == NULL);
	CHECK_EQ_INT(truststore_open(NULL, &ts), -EINVAL);
}

struct collect {
	int n;
	char peers[4][TRUSTSTORE_PEER_MAX + 1];
	enum truststore_status status[4];
};

static int
collect_cb(const struct truststore_entry *e, void *userdata)
{
	struct collect *c = userdata;

	if (c->n >= 4)
		return -E2BIG;
	memcpy(c->peers[c->n], e->peer, sizeof(e->peer));
	c->status[c->n] = e->status;
	c->n++;
	return 0;
}

static int
stop_cb(const struct truststore_entry *e, void *userdata)
{
	(*(int *)userdata)++;
	return 42;
}

/* A restart: everything recorded before close is there after open. */
static void
test_reopen_list_forget(void)
{
	struct truststore *ts = NULL;
	struct collect c = { 0 };
	int calls = 0;

	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK_EQ_INT(truststore_record(ts, "sip:dave@example.org", FP_A,
				       TRUSTSTORE_TRUSTED, 500), 0);
	truststore_close(ts);

	ts = NULL;
	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK_EQ_INT(lookup(ts, BOB, FP_B, 90010), TRUSTSTORE_TRUSTED_FRESH);
	CHECK_EQ_INT(lookup(ts, "sip:dave@example.org", FP_A, 600), TRUSTSTORE_TRUSTED_FRESH);
	CHECK_EQ_INT(truststore_list(ts, collect_cb, &c), 0);
	CHECK_EQ_INT(c.n, 3);
	CHECK(strcmp(c.peers[0], BOB) == 0);
	CHECK(strcmp(c.peers[1], CAROL) == 0);
	CHECK(strcmp(c.peers[2], "sip:dave@example.org") == 0);
	CHECK_EQ_INT(c.status[0], TRUSTSTORE_TRUSTED);
	CHECK_EQ_INT(c.status[1], TRUSTSTORE_MISMATCH);
	CHECK_EQ_INT(truststore_list(ts, stop_cb, &calls), 42);
	CHECK_EQ_INT(calls, 1);
	/* the walk can run again after an early stop */
	c.n = 0;
	CHECK_EQ_INT(truststore_list(ts, collect_cb, &c), 0);
	CHECK_EQ_INT(c.n, 3);

	CHECK_EQ_INT(truststore_forget(ts, BOB), 0);
	CHECK_EQ_INT(truststore_forget(ts, BOB), -ENOENT);
	CHECK_EQ_INT(lookup(ts, BOB, FP_B, 90011), TRUSTSTORE_UNKNOWN);
	truststore_close(ts);

	ts = NULL;
	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK_EQ_INT(lookup(ts, BOB, FP_B, 90012), TRUSTSTORE_UNKNOWN);
	c.n = 0;
	CHECK_EQ_INT(truststore_list(ts, collect_cb, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	truststore_close(ts);
}

static int64_t
db_int(const char *p, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int
db_exec(const char *p, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(p, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static void
test_file(void)
{
	struct truststore *ts = NULL;
	struct truststore_entry e;
	struct stat st;
	char p[192], wal[200];
	mode_t old;
	FILE *f;

	/* mode 0600 whatever the umask; the WAL follows */
	snprintf(p, sizeof(p), "%s/mode.db", dir);
	old = umask(0);
	CHECK_EQ_INT(truststore_open(p, &ts), 0);
	CHECK_EQ_INT(truststore_record(ts, BOB, FP_A, TRUSTSTORE_TRUSTED, 1), 0);
	umask(old);
	CHECK_EQ_INT(stat(p, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	snprintf(wal, sizeof(wal), "%s-wal", p);
	CHECK_EQ_INT(stat(wal, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	truststore_close(ts);
	CHECK_EQ_INT(db_int(p, "PRAGMA user_version"), TRUSTSTORE_SCHEMA_VERSION);
	/* WAL is a property of the file: a plain open still sees it */
	CHECK_EQ_INT(db_exec(p, "CREATE TEMP TABLE x(y)"), SQLITE_OK);

	/* a too-wide mode is tightened */
	CHECK_EQ_INT(chmod(p, 0644), 0);
	CHECK_EQ_INT(truststore_open(p, &ts), 0);
	truststore_close(ts);
	CHECK_EQ_INT(stat(p, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);

	/* a schema from the future is refused, not downgraded */
	CHECK_EQ_INT(db_exec(p, "PRAGMA user_version=99"), SQLITE_OK);
	ts = NULL;
	CHECK_EQ_INT(truststore_open(p, &ts), -EPROTONOSUPPORT);
	CHECK(ts == NULL);
	CHECK_EQ_INT(db_exec(p, "PRAGMA user_version=1"), SQLITE_OK);

	/* a row edited by hand to break our invariants is not believed */
	CHECK_EQ_INT(db_exec(p, "INSERT INTO peers VALUES ('sip:x y@z', '"
			     FP_A "', 'trusted', 1, 1)"), SQLITE_OK);
	CHECK_EQ_INT(db_exec(p, "INSERT INTO peers VALUES ('sip:frank@z', '"
			     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			     "', 'trusted', 1, 1)"), SQLITE_OK);
	CHECK_EQ_INT(truststore_open(p, &ts), 0);
	CHECK_EQ_INT(truststore_get(ts, BOB, &e), 0);
	CHECK_EQ_INT(e.status, TRUSTSTORE_TRUSTED);
	CHECK_EQ_INT(truststore_get(ts, "sip:frank@z", &e), -EBADMSG);
	CHECK_EQ_INT(lookup(ts, "sip:frank@z", FP_A, 2), TRUSTSTORE_UNKNOWN);
	CHECK_EQ_INT(truststore_record(ts, "sip:frank@z", FP_A,
				       TRUSTSTORE_TRUSTED, 3), 0);
	CHECK_EQ_INT(lookup(ts, "sip:frank@z", FP_A, 4), TRUSTSTORE_TRUSTED_FRESH);
	CHECK_EQ_INT(truststore_forget(ts, "sip:frank@z"), 0);
	{
		struct collect c = { 0 };

		CHECK_EQ_INT(truststore_list(ts, collect_cb, &c), 0);
		CHECK_EQ_INT(c.n, 1);
	}
	truststore_close(ts);

	/* a file that is not a database */
	snprintf(p, sizeof(p), "%s/junk.db", dir);
	f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		for (int i = 0; i < 200; i++)
			fputs("this is not sqlite ", f);
		fclose(f);
	}
	CHECK_EQ_INT(truststore_open(p, &ts), -EBADMSG);

	/* a symlink is not followed */
	snprintf(wal, sizeof(wal), "%s/link.db", dir);
	CHECK_EQ_INT(symlink(p, wal), 0);
	CHECK(truststore_open(wal, &ts) < 0);
	unlink(wal);
	unlink(p);

	/* a missing folder */
	snprintf(p, sizeof(p), "%s/no/such/dir.db", dir);
	CHECK_EQ_INT(truststore_open(p, &ts), -ENOENT);
}

/* The forms of one fingerprint all mean the same entry. */
static void
test_fp_forms(void)
{
	static const char colon_upper[] =
		"B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:"
		"B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0";
	static const char *const bad[] = {
		"", "b0", FP_B "0", "B0:B0",
		/* colon in the wrong place */
		"B0B:0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:"
		"B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0:B0",
		/* 95 chars without colons */
		"b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
		"b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0",
		"g0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0",
	};
	struct truststore *ts = NULL;
	struct truststore_entry e;
	char out[TRUSTSTORE_FP_LEN + 1];

	CHECK_EQ_INT(truststore_fp_normalize(colon_upper, out), 0);
	CHECK(strcmp(out, FP_B) == 0);
	CHECK_EQ_INT(truststore_fp_normalize(
		"B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0",
		out), 0);
	CHECK(strcmp(out, FP_B) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(truststore_fp_normalize(bad[i], out), -EINVAL);
	CHECK_EQ_INT(truststore_fp_normalize(NULL, out), -EINVAL);

	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK_EQ_INT(truststore_record(ts, "sip:erin@example.org", colon_upper,
				       TRUSTSTORE_TRUSTED, 100), 0);
	CHECK_EQ_INT(truststore_get(ts, "sip:erin@example.org", &e), 0);
	CHECK(strcmp(e.fingerprint, FP_B) == 0);
	CHECK_EQ_INT(lookup(ts, "sip:erin@example.org", FP_B, 101),
		     TRUSTSTORE_TRUSTED_FRESH);
	CHECK_EQ_INT(lookup(ts, "sip:erin@example.org", colon_upper, 101),
		     TRUSTSTORE_TRUSTED_FRESH);
	CHECK_EQ_INT(truststore_forget(ts, "sip:erin@example.org"), 0);
	truststore_close(ts);
}

static void
test_strings(void)
{
	enum truststore_status s = TRUSTSTORE_NONE;

	for (int i = TRUSTSTORE_NONE; i <= TRUSTSTORE_MISMATCH; i++) {
		CHECK_EQ_INT(truststore_status_from_string(
			truststore_status_to_string((enum truststore_status)i),
			&s), 0);
		CHECK_EQ_INT(s, i);
	}
	CHECK_EQ_INT(truststore_status_from_string("Trusted", &s), -EINVAL);
	CHECK_EQ_INT(truststore_status_from_string(NULL, &s), -EINVAL);
	CHECK(truststore_status_to_string((enum truststore_status)7) == NULL);
	CHECK(strcmp(truststore_result_to_string(TRUSTSTORE_CHANGED), "changed") == 0);
}

static void
cleanup(void)
{
	char cmd[128];

	if (!getenv("TEST_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
}

/* truststore_touch moves only the check time of a trusted entry with the
 * same fingerprint (the per-call revalidation), and is durable once the
 * store is closed cleanly. */
static void
test_touch(void)
{
	struct truststore *ts = NULL;
	struct truststore_entry e;

	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK_EQ_INT(truststore_record(ts, CAROL, FP_A, TRUSTSTORE_TRUSTED,
	    5000), 0);
	CHECK_EQ_INT(truststore_touch(ts, CAROL, FP_A, 6000), 0);
	CHECK_EQ_INT(truststore_get(ts, CAROL, &e), 0);
	CHECK(e.checked_at == 6000 && e.validated_at == 5000);
	CHECK_EQ_INT(e.status, TRUSTSTORE_TRUSTED);
	/* The same second again still counts. */
	CHECK_EQ_INT(truststore_touch(ts, CAROL, FP_A, 6000), 0);
	/* Another certificate, an older time, an unknown peer: nothing. */
	CHECK_EQ_INT(truststore_touch(ts, CAROL, FP_B, 7000), -ENOENT);
	CHECK_EQ_INT(truststore_touch(ts, CAROL, FP_A, 5500), -ENOENT);
	CHECK_EQ_INT(truststore_touch(ts, "sip:nobody@example.org", FP_A,
	    7000), -ENOENT);
	CHECK_EQ_INT(truststore_get(ts, CAROL, &e), 0);
	CHECK(e.checked_at == 6000);
	/* Not trusted: never made trusted, never freshened. */
	CHECK_EQ_INT(truststore_record(ts, CAROL, FP_A, TRUSTSTORE_PENDING,
	    7000), 0);
	CHECK_EQ_INT(truststore_touch(ts, CAROL, FP_A, 8000), -ENOENT);
	CHECK_EQ_INT(truststore_get(ts, CAROL, &e), 0);
	CHECK(e.status == TRUSTSTORE_PENDING && e.checked_at == 7000);
	CHECK_EQ_INT(truststore_touch(ts, CAROL, "not a fingerprint", 8000),
	    -EINVAL);
	CHECK_EQ_INT(truststore_record(ts, CAROL, FP_A, TRUSTSTORE_TRUSTED,
	    9000), 0);
	CHECK_EQ_INT(truststore_touch(ts, CAROL, FP_A, 9500), 0);
	ts = truststore_close(ts);
	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK_EQ_INT(truststore_get(ts, CAROL, &e), 0);
	CHECK(e.checked_at == 9500);
	CHECK_EQ_INT(truststore_forget(ts, CAROL), 0);
	truststore_close(ts);
}

/* --- which commits are synced: a counting VFS over the default one --- */

/* Every file the store opens goes through this shim, which counts xSync
 * calls (sqlite's fsync/fdatasync) and forwards everything else. */
static sqlite3_vfs *real_vfs;
static sqlite3_vfs count_vfs;
static sqlite3_io_methods count_io;
static unsigned syncs;

struct count_file {
	sqlite3_file base;
	sqlite3_file *real;	/* owned: real_vfs->szOsFile bytes after us */
};

static int
count_sync(sqlite3_file *f, int flags)
{
	struct count_file *c = (struct count_file *)f;

	syncs++;
	return c->real->pMethods->xSync(c->real, flags);
}

#define FWD(name, args, call) \
	static int count_##name args \
	{ \
		struct count_file *c = (struct count_file *)f; \
		return c->real->pMethods->x##call; \
	}
FWD(close, (sqlite3_file *f), Close(c->real))
FWD(read, (sqlite3_file *f, void *b, int n, sqlite3_int64 o),
	Read(c->real, b, n, o))
FWD(write, (sqlite3_file *f, const void *b, int n, sqlite3_int64 o),
	Write(c->real, b, n, o))
FWD(truncate, (sqlite3_file *f, sqlite3_int64 n), Truncate(c->real, n))
FWD(size, (sqlite3_file *f, sqlite3_int64 *n), FileSize(c->real, n))
FWD(lock, (sqlite3_file *f, int l), Lock(c->real, l))
FWD(unlock, (sqlite3_file *f, int l), Unlock(c->real, l))
FWD(reserved, (sqlite3_file *f, int *r), CheckReservedLock(c->real, r))
FWD(fctl, (sqlite3_file *f, int op, void *a), FileControl(c->real, op, a))
FWD(sector, (sqlite3_file *f), SectorSize(c->real))
FWD(devchar, (sqlite3_file *f), DeviceCharacteristics(c->real))
FWD(shmmap, (sqlite3_file *f, int i, int sz, int e, void volatile **p),
	ShmMap(c->real, i, sz, e, p))
FWD(shmlock, (sqlite3_file *f, int o, int n, int fl),
	ShmLock(c->real, o, n, fl))
FWD(shmunmap, (sqlite3_file *f, int d), ShmUnmap(c->real, d))
#undef FWD

static void
count_barrier(sqlite3_file *f)
{
	struct count_file *c = (struct count_file *)f;

	c->real->pMethods->xShmBarrier(c->real);
}

static int
count_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
	   int *out)
{
	struct count_file *c = (struct count_file *)f;
	int r;

	(void)vfs;
	c->real = (sqlite3_file *)(c + 1);
	r = real_vfs->xOpen(real_vfs, name, c->real, flags, out);
	/* sqlite calls xClose only when pMethods is set. */
	c->base.pMethods = r == SQLITE_OK ? &count_io : NULL;
	return r;
}

static void
count_vfs_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	count_vfs = *real_vfs;
	count_vfs.zName = "svopi-count";
	count_vfs.szOsFile = (int)sizeof(struct count_file) +
		real_vfs->szOsFile;
	count_vfs.xOpen = count_open;
	count_io = (sqlite3_io_methods){ .iVersion = 2,
		.xClose = count_close, .xRead = count_read,
		.xWrite = count_write, .xTruncate = count_truncate,
		.xSync = count_sync, .xFileSize = count_size,
		.xLock = count_lock, .xUnlock = count_unlock,
		.xCheckReservedLock = count_reserved,
		.xFileControl = count_fctl, .xSectorSize = count_sector,
		.xDeviceCharacteristics = count_devchar,
		.xShmMap = count_shmmap, .xShmLock = count_shmlock,
		.xShmBarrier = count_barrier, .xShmUnmap = count_shmunmap };
	CHECK_EQ_INT(sqlite3_vfs_register(&count_vfs, 1), SQLITE_OK);
}

/* Syncs of one record, the store already open (its WAL in use). */
static unsigned
record_syncs(struct truststore *ts, const char *peer, const char *fp,
	     enum truststore_status st, int64_t now)
{
	unsigned before = syncs;

	CHECK_EQ_INT(truststore_record(ts, peer, fp, st, now), 0);
	return syncs - before;
}

/* A row that grants trust, or replaces a trusted row, is synced before
 * truststore_record returns (it must survive a power cut); a row that
 * grants no trust and replaces none is not (a first contact writes one at
 * each side while the prompts wait; losing it leaves the store exactly as
 * trusting as before). Either way the row is there after a reopen. */
static void
test_durable_rows(void)
{
	struct truststore *ts = NULL;
	struct truststore_entry e;
	const char *frank = "sip:frank@example.org";	/* new here */

	count_vfs_install();
	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	/* The first commits after open may sync the WAL's new header
	 * whatever their level: get them out of the way with other peers. */
	CHECK(record_syncs(ts, CAROL, FP_B, TRUSTSTORE_TRUSTED, 10) > 0);
	record_syncs(ts, "sip:erin@example.org", FP_B, TRUSTSTORE_NONE, 10);
	CHECK_EQ_INT(record_syncs(ts, frank, FP_A, TRUSTSTORE_NONE, 11), 0);
	CHECK_EQ_INT(record_syncs(ts, frank, FP_A, TRUSTSTORE_PENDING, 12),
		0);
	CHECK_EQ_INT(record_syncs(ts, frank, FP_B, TRUSTSTORE_MISMATCH, 13),
		0);
	CHECK(record_syncs(ts, frank, FP_A, TRUSTSTORE_TRUSTED, 14) > 0);
	/* Replacing the trusted row: synced, whatever the new status. */
	CHECK(record_syncs(ts, frank, FP_A, TRUSTSTORE_PENDING, 15) > 0);
	CHECK_EQ_INT(record_syncs(ts, frank, FP_A, TRUSTSTORE_NONE, 16), 0);
	CHECK(record_syncs(ts, frank, FP_A, TRUSTSTORE_TRUSTED, 17) > 0);
	CHECK(record_syncs(ts, frank, FP_B, TRUSTSTORE_NONE, 18) > 0);
	/* The connection is back at FULL after each lazy commit. */
	CHECK(record_syncs(ts, CAROL, FP_B, TRUSTSTORE_TRUSTED, 19) > 0);
	ts = truststore_close(ts);
	CHECK_EQ_INT(truststore_open(path, &ts), 0);
	CHECK_EQ_INT(truststore_get(ts, frank, &e), 0);
	CHECK(e.status == TRUSTSTORE_NONE && e.checked_at == 18);
	CHECK_EQ_INT(truststore_forget(ts, frank), 0);
	CHECK_EQ_INT(truststore_forget(ts, CAROL), 0);
	CHECK_EQ_INT(truststore_forget(ts, "sip:erin@example.org"), 0);
	truststore_close(ts);
	CHECK_EQ_INT(sqlite3_vfs_unregister(&count_vfs), SQLITE_OK);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/svopi-ts.XXXXXX", tmp && *tmp &&
		 strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(path, sizeof(path), "%s/trust.db", dir);
	test_cache_rules();
	test_bad_input();
	test_reopen_list_forget();
	test_touch();
	test_durable_rows();
	test_fp_forms();
	test_file();
	test_strings();
	cleanup();
	return test_exit();
}
