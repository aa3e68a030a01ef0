/* The validate cache (issue 14): one event loop's memory of which
 * (login, password, peer, certificate fingerprint) validated as a match
 * on a trusted pair, so that a daemon's repeated validation answers
 * without the store. Keys are MACs under the server secret (auth_mac):
 * no password is kept. Entries live VCACHE_TTL seconds at most; any
 * change (a local write or another instance's notice, through
 * td->on_change) clears the whole cache at once. Only "trusted" answers
 * are cached: codes are never kept here. */
#ifndef TRUSTD_VCACHE_H
#define TRUSTD_VCACHE_H

#include <stdint.h>

#include "auth.h"

/* Longest an answer is reused when no notice says otherwise (sqlite
 * changed by svopi-trustadm, a lost LISTEN connection). */
#define VCACHE_TTL 1
#define VCACHE_SLOTS 4096

struct vcache;

struct vcache *vcache_new(void);
struct vcache *vcache_free(struct vcache *c);
void vcache_key(const struct auth *a, const char *login,
	const char *password, const char *peer, const char *fp,
	uint8_t key[32]);
int vcache_hit(const struct vcache *c, const uint8_t key[32], int64_t now);
void vcache_put(struct vcache *c, const uint8_t key[32], int64_t now);
void vcache_clear(struct vcache *c);

#endif
