/*
 * test.h: the smallest test harness that reads well when it fails.
 *
 *	CHECK(n == 3, "got %zu", n);
 *	CHECK_STR(got, "crepes");
 *	return TEST_DONE();
 *
 * Each failure prints file:line, the expression and what was seen; the
 * last line is "N passed, N failed" (tests/run.sh adds them up).
 */
#ifndef TEST_H
#define TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		test_passed++;						\
	else {								\
		test_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, \
		    #cond);						\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

/* Compare strings and show both, escaped, when they differ. */
#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ != NULL && strcmp(g_, w_) == 0)				\
		test_passed++;						\
	else {								\
		test_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, \
		    #got);						\
		test_show("  want", w_);				\
		test_show("  got ", g_);				\
	}								\
} while (0)

static inline void
test_show(const char *label, const char *s)
{
	fprintf(stderr, "%s: ", label);
	if (s == NULL) {
		fprintf(stderr, "(null)\n");
		return;
	}
	fputc('"', stderr);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02X", c);
		else
			fputc(c, stderr);
	}
	fputs("\"\n", stderr);
}

#define TEST_DONE() (printf("%d passed, %d failed\n", test_passed,	\
	test_failed), test_failed != 0)

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t	 test_rng = 0x9E3779B97F4A7C15ULL;

/*
 * A number in [0, n) (xorshift64): the same sequence on every run, so
 * that a randomized test's failure reproduces.
 */
static inline size_t
test_rnd(size_t n)
{
	test_rng ^= test_rng << 13;
	test_rng ^= test_rng >> 7;
	test_rng ^= test_rng << 17;
	return (size_t)(test_rng % n);
}

#endif
