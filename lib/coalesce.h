/* Coalescing of repeated events (security alerts) per key. The first event
 * of a key passes; repeats within the window are counted, and the next one
 * after the window passes standing for them. A budget caps how many events
 * pass per window over all keys, because a spoofing peer makes every key
 * new. Pure: the caller gives the time and the key (a keyed hash of what
 * identifies the event, so a peer cannot aim at another key's slot). */
#ifndef SVOPI_COALESCE_H
#define SVOPI_COALESCE_H

#include <stdbool.h>
#include <stdint.h>

/* Keys remembered at once: more distinct keys than this within a window
 * evict the least recently seen (whose next event then passes as new,
 * within the budget). */
#define COALESCE_SLOTS 128

struct coalesce_slot {
	uint64_t key;
	uint64_t last_pass_ms;	/* when an event of this key last passed */
	uint64_t last_seen_ms;
	unsigned suppressed;	/* events held back since then */
	bool used;
};

struct coalesce {
	unsigned window_ms;
	unsigned budget;	/* events passing per window, all keys */
	uint64_t window_start_ms;
	unsigned passed;	/* in this window */
	unsigned over_budget;	/* held back by the budget in this window */
	struct coalesce_slot slot[COALESCE_SLOTS];
};

/* window_ms > 0, budget > 0. */
void coalesce_init(struct coalesce *c, unsigned window_ms, unsigned budget);

/* One event of key at now_ms (monotonic). Returns true when it passes;
 * then *ret_repeats is how many earlier events of this key it stands for
 * (held back since the last one that passed). */
bool coalesce_event(struct coalesce *c, uint64_t key, uint64_t now_ms,
    unsigned *ret_repeats);

/* Events held back by the budget since the last call (then 0 again). */
unsigned coalesce_take_over_budget(struct coalesce *c);

#endif
