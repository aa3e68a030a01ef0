/* trustd's password checks (auth.c) over a real sqlite store: argon2id,
 * the credential cache, and the per-login and per-address limits. No
 * sockets; the clock is the now argument. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../trustd/auth.h"
#include "common/log.h"
#include "test.h"

#define NOW 1800000000
#define T_COST 1
#define M_COST 1024

static char dir[] = "/tmp/test-trustd-auth.XXXXXX";

static void
add_user(struct store *s, const char *login, const char *pw)
{
	char hash[STORE_PWHASH_MAX + 1];

	CHECK_EQ_INT(auth_hash_password(T_COST, M_COST, pw, hash,
		sizeof(hash)), 0);
	CHECK(strncmp(hash, "$argon2id$", 10) == 0);
	CHECK_EQ_INT(store_user_add(s, login, hash, NOW), 0);
}

static enum auth_result
check(struct auth *a, struct store *s, const char *login, const char *pw,
	const char *addr, int64_t now)
{
	enum auth_result res = AUTH_OK + 100;
	struct store_user u = { 0 };

	CHECK_EQ_INT(auth_check(a, s, login, pw, addr, now, &res, &u), 0);
	if (res == AUTH_OK)
		CHECK(strcmp(u.login, login) == 0);
	return res;
}

static void
test_cache(struct auth *a, struct store *s)
{
	struct auth_stats st;

	CHECK_EQ_INT(check(a, s, "alice@example.org", "pw-alice", "192.0.2.1",
		NOW), AUTH_OK);
	auth_get_stats(a, &st);
	CHECK_EQ_INT(st.hashes, 1);
	/* The second time from the cache, whatever the address. */
	CHECK_EQ_INT(check(a, s, "alice@example.org", "pw-alice", "192.0.2.9",
		NOW + 1), AUTH_OK);
	auth_get_stats(a, &st);
	CHECK_EQ_INT(st.hashes, 1);
	CHECK_EQ_INT(st.cache_hits, 1);
	/* A wrong password is never a cache hit. */
	CHECK_EQ_INT(check(a, s, "alice@example.org", "pw-alicE", "192.0.2.1",
		NOW + 1), AUTH_DENIED);
	CHECK_EQ_INT(check(a, s, "nobody@example.org", "x", "192.0.2.1",
		NOW + 1), AUTH_DENIED);
	/* Past the cache TTL (60 s) the hash runs again. */
	CHECK_EQ_INT(check(a, s, "alice@example.org", "pw-alice", "192.0.2.1",
		NOW + 61), AUTH_OK);
	auth_get_stats(a, &st);
	CHECK_EQ_INT(st.hashes, 4);
}

/* A changed password misses the cache: the key covers the stored hash. */
static void
test_password_change(struct auth *a, struct store *s)
{
	CHECK_EQ_INT(check(a, s, "carol@example.org", "old-pw", "192.0.2.3",
		NOW), AUTH_OK);
	CHECK_EQ_INT(store_user_del(s, "carol@example.org"), 0);
	add_user(s, "carol@example.org", "new-pw");
	CHECK_EQ_INT(check(a, s, "carol@example.org", "old-pw", "192.0.2.3",
		NOW + 1), AUTH_DENIED);
	CHECK_EQ_INT(check(a, s, "carol@example.org", "new-pw", "192.0.2.3",
		NOW + 1), AUTH_OK);
}

static void
test_limits(struct auth *a, struct store *s)
{
	char addr[32];

	/* Per login: 3 failures from 3 addresses, then 429 even with the
	 * right password from a fourth... */
	for (int i = 0; i < 3; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		CHECK_EQ_INT(check(a, s, "bob@example.org", "guess", addr,
			NOW + 100), AUTH_DENIED);
	}
	CHECK_EQ_INT(check(a, s, "bob@example.org", "pw-bob", "198.51.100.9",
		NOW + 101), AUTH_LIMITED);
	/* ...while a cached credential of another login still passes from a
	 * guessing address, and the window's end lifts the limit. */
	CHECK_EQ_INT(check(a, s, "alice@example.org", "pw-alice",
		"198.51.100.0", NOW + 102), AUTH_OK);
	CHECK_EQ_INT(check(a, s, "bob@example.org", "pw-bob", "198.51.100.9",
		NOW + 100 + 61), AUTH_OK);
	/* Per address: 5 failures over 5 logins, then 429 from there only. */
	for (int i = 0; i < 5; i++) {
		char login[32];

		snprintf(login, sizeof(login), "u%d@example.org", i);
		CHECK_EQ_INT(check(a, s, login, "x", "203.0.113.7", NOW + 200),
			AUTH_DENIED);
	}
	CHECK_EQ_INT(check(a, s, "dave@example.org", "pw-dave", "203.0.113.7",
		NOW + 201), AUTH_LIMITED);
	CHECK_EQ_INT(check(a, s, "dave@example.org", "pw-dave", "203.0.113.8",
		NOW + 201), AUTH_OK);
}

static void
test_mac(struct auth *a, struct auth *b)
{
	uint8_t m1[32], m2[32], m3[32], m4[32];

	auth_mac(a, "ab", 2, "c", 1, m1);
	auth_mac(a, "ab", 2, "c", 1, m2);
	auth_mac(a, "a", 1, "bc", 2, m3);
	auth_mac(b, "ab", 2, "c", 1, m4);
	CHECK_MEM(m1, m2, 32);
	CHECK(memcmp(m1, m3, 32) != 0);	/* the separator counts */
	CHECK(memcmp(m1, m4, 32) != 0);	/* each server its own secret */
}

int
main(void)
{
	const struct auth_params p = {
		.t_cost = T_COST, .m_cost = M_COST, .cache_ttl = 60,
		.login_fail_max = 3, .addr_fail_max = 5, .fail_window = 60,
	};
	char path[sizeof(dir) + 16];
	struct store *s = NULL;
	struct auth *a, *b;

	log_set_level(LOG_ERR);
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	CHECK_EQ_INT(store_open(path, &s), 0);
	a = auth_new(&p);
	b = auth_new(&p);
	if (!s || !a || !b)
		return EXIT_FAILURE;
	add_user(s, "alice@example.org", "pw-alice");
	add_user(s, "bob@example.org", "pw-bob");
	add_user(s, "carol@example.org", "old-pw");
	add_user(s, "dave@example.org", "pw-dave");
	test_cache(a, s);
	test_password_change(a, s);
	test_limits(a, s);
	test_mac(a, b);
	auth_free(a);
	auth_free(b);
	store_free(s);
	for (const char *x = "", *y = "-wal", *z = "-shm"; x;
	     x = y, y = z, z = NULL) {
		char f[sizeof(path) + 8];

		snprintf(f, sizeof(f), "%s%s", path, x);
		unlink(f);
	}
	rmdir(dir);
	return test_exit();
}
