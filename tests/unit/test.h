/* Minimal checks for exit-code unit tests: each failed CHECK prints where
 * and why, and test_exit() turns the count into the exit status. */
#ifndef SVOPI_TEST_H
#define SVOPI_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

static int test_failures;
static int test_checks;

#define CHECK(cond) do { \
	test_checks++; \
	if (!(cond)) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	test_checks++; \
	if (a_ != b_) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
			__FILE__, __LINE__, #a, a_, #b, b_); \
	} \
} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

/* The bytes of a hex test vector into out; bad hex is a broken test. */
static inline size_t
test_unhex(const char *s, uint8_t *out, size_t cap)
{
	long n = hex_decode(s, strlen(s), out, cap);

	if (n < 0)
		abort();
	return (size_t)n;
}

static inline int
test_exit(void)
{
	fprintf(stderr, "%d checks, %d failed\n", test_checks, test_failures);
	return test_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
