#include <stdint.h>
#include <stdio.h>

#include "pmap.h"
#include "strmap.h"
#include "test.h"

static char	 keys[30000][16];

/* strmap_reserve: room for n keys, then no growth while they come. */
static void
test_reserve(void)
{
	struct strmap	 m;
	size_t		 cap;
	int		 i, ok = 1;

	strmap_init(&m);
	CHECK(strmap_put(&m, "crepes", 6, 7) == 1, "a key before");
	CHECK(strmap_reserve(&m, 1000) == 0, "reserve 1000");
	CHECK(m.m_cap == 2048, "half full at most: %zu", m.m_cap);
	CHECK(strmap_get(&m, "crepes", 6) == 7, "the key before stays");
	cap = m.m_cap;
	for (i = 0; i < 999; i++)
		strmap_put(&m, keys[i], strlen(keys[i]), (uint32_t)i);
	CHECK(m.m_cap == cap, "1000 keys, no growth: %zu", m.m_cap);
	for (i = 0; i < 999; i++)
		if (strmap_get(&m, keys[i], strlen(keys[i])) != i)
			ok = 0;
	CHECK(ok, "every key found");
	CHECK(strmap_reserve(&m, 10) == 0 && m.m_cap == cap,
	    "a smaller reserve changes nothing");
	for (i = 999; i < 1100; i++)
		strmap_put(&m, keys[i], strlen(keys[i]), (uint32_t)i);
	CHECK(m.m_cap == 2 * cap && strmap_get(&m, keys[1099],
	    strlen(keys[1099])) == 1099, "past half full, it grows as before");
	strmap_free(&m);
}

static int
walk_count(void *arg, const char *k, size_t n, uint64_t v)
{
	size_t	*seen = arg;

	if (v >= 30000 || strlen(keys[v]) != n || memcmp(keys[v], k, n) != 0)
		return -1;
	seen[v]++;
	return 0;
}

static int
walk_stop(void *arg, const char *k, size_t n, uint64_t v)
{
	(void)k;
	(void)n;
	(void)v;
	return ++*(int *)arg == 3 ? -1 : 0;
}

static size_t
shards(const struct pmap *p)
{
	size_t	 j, n = 0;

	for (j = 0; j < PMAP_SHARDS; j++)
		n += p->p_shard[j] != NULL;
	return n;
}

/* pmap_reserve sizes every shard; pmap_walk sees every key once. */
static void
test_pmap(void)
{
	struct pmap	 a, b;
	static size_t	 seen[30000];
	size_t		 cap[PMAP_SHARDS], j;
	uint64_t	*v;
	int		 i, ok = 1, same = 1, stops = 0;

	pmap_init(&a, 0);
	CHECK(pmap_set(&a, "crepes", 6, 7) == 0, "a key before");
	pmap_copy(&b, &a);
	CHECK(pmap_reserve(&b, 25600) == 0, "reserve 25600");
	for (j = 0; j < PMAP_SHARDS; j++) {
		cap[j] = b.p_shard[j] != NULL ? b.p_shard[j]->ps_map.m_cap : 0;
		if (cap[j] != 512)	/* 100 a shard, and a quarter, and 16 */
			ok = 0;
	}
	CHECK(ok, "every shard sized for its share");
	for (i = 0; i < 25600; i++)
		if (pmap_set(&b, keys[i], strlen(keys[i]), (uint64_t)i) == -1)
			ok = 0;
	CHECK(ok, "25600 set");
	for (j = 0; j < PMAP_SHARDS; j++)
		if (b.p_shard[j]->ps_map.m_cap != cap[j])
			same = 0;
	CHECK(same, "no shard grew");
	for (i = 0; i < 25600; i++)
		if (pmap_get(&b, keys[i], strlen(keys[i])) != i)
			ok = 0;
	CHECK(ok, "every key found");
	CHECK(pmap_get(&b, "crepes", 6) == 7, "the key before stays");
	CHECK(pmap_get(&a, keys[0], strlen(keys[0])) == -1,
	    "the version it was copied from is as it was");
	CHECK(pmap_reserve(&a, 0) == 0 && shards(&a) == 1,
	    "reserve 0 changes nothing");

	pmap_del(&b, "crepes", 6);
	CHECK(pmap_walk(&b, walk_count, seen) == 0, "walk");
	for (i = 0; i < 30000; i++)
		if (seen[i] != (i < 25600))
			ok = 0;
	CHECK(ok, "every key seen once");
	CHECK(pmap_walk(&b, walk_stop, &stops) == -1 && stops == 3,
	    "the walk stops at -1");
	pmap_free(&a);
	pmap_free(&b);

	/* pmap_claim: a new key's value is 0, to be written in place */
	pmap_init(&a, 0);
	CHECK((v = pmap_claim(&a, "crepes", 6)) != NULL && *v == 0,
	    "claimed, 0");
	if (v != NULL)
		*v = 42;
	CHECK(pmap_get(&a, "crepes", 6) == 42, "written in place");
	CHECK((v = pmap_claim(&a, "crepes", 6)) != NULL && *v == 42,
	    "claimed again: the value there");
	pmap_copy(&b, &a);
	CHECK((v = pmap_claim(&b, "crepes", 6)) != NULL && (*v = 7) &&
	    pmap_get(&a, "crepes", 6) == 42, "a shared shard is copied first");
	pmap_free(&a);
	pmap_free(&b);

	/* a map of lists, reserved, frees its lists (the ASan run) */
	pmap_init(&a, 1);
	CHECK(pmap_reserve(&a, 1000) == 0, "reserve lists");
	CHECK(pmap_set(&a, "crepes", 6, (uint64_t)(uintptr_t)plist_new(1)) ==
	    0, "a list");
	pmap_free(&a);
}

int
main(void)
{
	struct strmap	 m;
	int		 i, ok = 1;

	for (i = 0; i < 30000; i++)
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
	strmap_init(&m);
	CHECK(strmap_get(&m, "x", 1) == -1, "empty map");
	CHECK(strmap_put(&m, "crepes", 6, 7) == 1, "added");
	CHECK(strmap_put(&m, "crepes", 6, 9) == 0, "first value stays");
	CHECK(strmap_get(&m, "crepes", 6) == 7, "get");
	CHECK(strmap_get(&m, "crepe", 5) == -1, "prefix is another key");
	CHECK(strmap_set(&m, "crepes", 6, 9) == 0, "set existing");
	CHECK(strmap_get(&m, "crepes", 6) == 9, "set replaced");
	CHECK(strmap_put(&m, "", 0, 3) == 1, "empty key");
	CHECK(strmap_get(&m, "", 0) == 3, "empty key found");

	/* growth keeps every key */
	for (i = 0; i < 5000; i++)
		strmap_put(&m, keys[i], strlen(keys[i]), (uint32_t)i);
	for (i = 0; i < 5000; i++)
		if (strmap_get(&m, keys[i], strlen(keys[i])) != i)
			ok = 0;
	CHECK(ok, "5000 keys after growth");
	CHECK(strmap_get(&m, "crepes", 6) == 9, "old key after growth");

	/* deleting every other key leaves the rest reachable */
	for (i = 0; i < 5000; i += 2)
		if (strmap_del(&m, keys[i], strlen(keys[i])) != 0)
			ok = 0;
	CHECK(ok, "deleted");
	for (i = 0; i < 5000; i++)
		if (strmap_get(&m, keys[i], strlen(keys[i])) != (i % 2 ? i : -1))
			ok = 0;
	CHECK(ok, "after deletions, odd keys stay and even ones are gone");
	CHECK(strmap_del(&m, "k0", 2) == -1, "second delete fails");
	CHECK(strmap_put(&m, keys[0], 2, 77) == 1, "put again after delete");
	CHECK(strmap_get(&m, keys[0], 2) == 77, "found again");
	strmap_free(&m);
	test_reserve();
	test_pmap();
	return TEST_DONE();
}
