/* Replay cache for accepted MIKEY messages (RFC 3830 §5.4): remembers the
 * digest of each accepted message (mikey_result.digest) until its timestamp
 * falls out of the skew window. The lib has no clock: every call takes the
 * caller's "now" in seconds (any monotonic or Unix clock, used
 * consistently). Bounded: when full of unexpired entries, new messages are
 * refused rather than old ones forgotten (forgetting would reopen replay). */
#ifndef SVOPI_MIKEY_REPLAY_H
#define SVOPI_MIKEY_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* Default capacity: a few accepted offers per second over a 2x120 s
 * window. */
#define MIKEY_REPLAY_DEFAULT_MAX	4096
#define MIKEY_REPLAY_DIGEST_LEN		32

struct mikey_replay;

/* A cache of at most max entries (1..1048576). NULL on bad max or ENOMEM. */
struct mikey_replay *mikey_replay_new(size_t max);
/* NULL-safe; returns NULL. */
struct mikey_replay *mikey_replay_free(struct mikey_replay *c);

/* Records digest until expires_s (> now_s; typically now + 2 * skew).
 * Returns 0 if new, -EEXIST if an unexpired entry with this digest exists
 * (a replay; the caller decides whether it is the allowed re-use of an
 * exchange it answered itself), -ENOBUFS if full, -EINVAL. */
int mikey_replay_add(struct mikey_replay *c,
    const uint8_t digest[MIKEY_REPLAY_DIGEST_LEN], uint64_t now_s,
    uint64_t expires_s);

/* 1 if an unexpired entry with digest exists, else 0. */
int mikey_replay_contains(struct mikey_replay *c,
    const uint8_t digest[MIKEY_REPLAY_DIGEST_LEN], uint64_t now_s);

/* Unexpired entries at now_s (drops expired ones). */
size_t mikey_replay_count(struct mikey_replay *c, uint64_t now_s);

#endif
