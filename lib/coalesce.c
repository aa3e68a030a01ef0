/* See coalesce.h. */
#include <string.h>

#include "coalesce.h"

void
coalesce_init(struct coalesce *c, unsigned window_ms, unsigned budget)
{
	memset(c, 0, sizeof(*c));
	c->window_ms = window_ms ? window_ms : 1;
	c->budget = budget ? budget : 1;
}

static void
coalesce_roll(struct coalesce *c, uint64_t now_ms)
{
	if (now_ms - c->window_start_ms >= c->window_ms) {
		c->window_start_ms = now_ms;
		c->passed = 0;
	}
}

static struct coalesce_slot *
coalesce_slot(struct coalesce *c, uint64_t key)
{
	struct coalesce_slot *free_slot = NULL, *oldest = NULL;

	for (unsigned i = 0; i < COALESCE_SLOTS; i++) {
		struct coalesce_slot *s = &c->slot[i];

		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (s->key == key)
			return s;
		if (!oldest || s->last_seen_ms < oldest->last_seen_ms)
			oldest = s;
	}
	/* Full: the least recently seen key goes (its held-back count is
	 * lost to its next report). */
	if (!free_slot)
		free_slot = oldest;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->key = key;
	return free_slot;
}

bool
coalesce_event(struct coalesce *c, uint64_t key, uint64_t now_ms,
    unsigned *ret_repeats)
{
	struct coalesce_slot *s;
	bool fresh;

	coalesce_roll(c, now_ms);
	s = coalesce_slot(c, key);
	fresh = !s->used;
	s->used = true;
	s->last_seen_ms = now_ms;
	if (!fresh && now_ms - s->last_pass_ms < c->window_ms) {
		s->suppressed++;
		return false;
	}
	if (c->passed >= c->budget) {
		c->over_budget++;
		s->suppressed++;
		if (fresh)
			s->last_pass_ms = now_ms - c->window_ms;
		return false;
	}
	c->passed++;
	if (ret_repeats)
		*ret_repeats = s->suppressed;
	s->suppressed = 0;
	s->last_pass_ms = now_ms;
	return true;
}

unsigned
coalesce_take_over_budget(struct coalesce *c)
{
	unsigned n = c->over_budget;

	c->over_budget = 0;
	return n;
}
