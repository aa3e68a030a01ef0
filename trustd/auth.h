/* Passwords: argon2id hashes in the store, an in-memory cache of verified
 * credentials keyed by HMAC(secret, login || 0 || password || 0 || hash)
 * (never the password), and per-login and per-address limits on failed
 * logins. A changed hash in the store (userdel + useradd) misses the cache
 * by construction. */
#ifndef TRUSTD_AUTH_H
#define TRUSTD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define AUTH_PASSWORD_MAX 1024

struct auth;

struct auth_params {
	long t_cost, m_cost;		/* argon2id */
	long cache_ttl;			/* seconds */
	long login_fail_max, addr_fail_max, fail_window;
};

enum auth_result {
	AUTH_OK,
	AUTH_DENIED,	/* 401 */
	AUTH_LIMITED,	/* 429 */
};

/* Writes an encoded argon2id hash with a random salt. */
int auth_hash_password(long t_cost, long m_cost, const char *password,
	char *out, size_t cap);

/* Thread-safe after auth_new: the tables are under a lock, the hash runs
 * outside it. */
struct auth *auth_new(const struct auth_params *p);
struct auth *auth_free(struct auth *a);

/* Authenticates login/password from client address addr. On AUTH_OK
 * *ret_user holds the user. Returns a negative errno on store errors. */
int auth_check(struct auth *a, struct store *s, const char *login,
	const char *password, const char *addr, int64_t now,
	enum auth_result *ret_result, struct store_user *ret_user);

/* The same check in three steps, so that the hash runs off the event
 * loop: auth_begin() answers at once (*ret_pending NULL: a cached
 * credential, a limit) or hands back the pending hash; auth_run() hashes
 * (any thread, nothing shared); auth_finish() records the outcome, sets
 * the result and frees the pending check. auth_pending_free() drops one
 * that will not be finished. */
struct auth_pending;
int auth_begin(struct auth *a, struct store *s, const char *login,
	const char *password, const char *addr, int64_t now,
	enum auth_result *ret_result, struct store_user *ret_user,
	struct auth_pending **ret_pending);
void auth_run(struct auth_pending *p);
void auth_finish(struct auth *a, struct store *s, struct auth_pending *p,
	int64_t now, enum auth_result *ret_result,
	struct store_user *ret_user);
void auth_pending_free(struct auth_pending *p);

/* HMAC-SHA256 under the server secret over p1 || 0 || p2, in a domain of
 * its own (session and CSRF tokens). */
void auth_mac(const struct auth *a, const void *p1, size_t n1,
	const void *p2, size_t n2, uint8_t out[32]);
#define AUTH_SECRET_LEN 32

/* Counters since start, for logs. */
struct auth_stats {
	unsigned long cache_hits, hashes, failures, limited;
};
void auth_get_stats(struct auth *a, struct auth_stats *ret);

#endif
