#include <stdio.h>

#include "strmap.h"
#include "test.h"

int
main(void)
{
	struct strmap	 m;
	static char	 keys[5000][16];
	int		 i, ok = 1;

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
	for (i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		strmap_put(&m, keys[i], strlen(keys[i]), (uint32_t)i);
	}
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
	return TEST_DONE();
}
