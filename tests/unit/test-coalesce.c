/* lib/coalesce: repeats per key held back within the window, reported by
 * the next event that passes; a budget over all keys; eviction. */
#include <stdint.h>

#include "lib/coalesce.h"
#include "test.h"

static void
test_per_key(void)
{
	struct coalesce c;
	unsigned rep = 99;

	coalesce_init(&c, 10000, 100);
	CHECK(coalesce_event(&c, 1, 1000, &rep) && rep == 0);
	for (int i = 0; i < 500; i++)
		CHECK(!coalesce_event(&c, 1, 1001 + (uint64_t)i, &rep));
	/* Another key is not held back by key 1. */
	CHECK(coalesce_event(&c, 2, 2000, &rep) && rep == 0);
	/* After the window key 1 passes again, standing for the 500. */
	CHECK(coalesce_event(&c, 1, 11000, &rep) && rep == 500);
	CHECK(!coalesce_event(&c, 1, 11001, &rep));
}

static void
test_budget(void)
{
	struct coalesce c;
	unsigned rep = 0, passed = 0;

	coalesce_init(&c, 10000, 10);
	/* 20,000 events from spoofed peers: each key is new. */
	for (uint64_t k = 0; k < 20000; k++)
		if (coalesce_event(&c, 1000 + k, 5000 + k / 100, &rep))
			passed++;
	CHECK_EQ_INT(passed, 10);
	CHECK_EQ_INT(coalesce_take_over_budget(&c), 19990);
	CHECK_EQ_INT(coalesce_take_over_budget(&c), 0);
	/* A new window: a new key passes at once. */
	CHECK(coalesce_event(&c, 7, 20000, &rep) && rep == 0);
}

static void
test_evict(void)
{
	struct coalesce c;
	unsigned rep;

	coalesce_init(&c, 10000, 1000000);
	CHECK(coalesce_event(&c, 1, 0, &rep));
	for (uint64_t k = 2; k < 2 + COALESCE_SLOTS; k++)
		CHECK(coalesce_event(&c, k, 10 + k, &rep));
	/* Key 1 was the least recently seen: evicted, new again. */
	CHECK(coalesce_event(&c, 1, 500, &rep) && rep == 0);
}

int
main(void)
{
	test_per_key();
	test_budget();
	test_evict();
	return test_exit();
}
