#include <stdlib.h>

#include "buf.h"
#include "test.h"

int
main(void)
{
	struct buf	 b;
	char		*s;
	int		 i;

	buf_init(&b);
	buf_adds(&b, "# ");
	buf_add(&b, "Title!", 5);
	buf_addc(&b, '\n');
	CHECK_STR(b.b_data, "# Title\n");
	CHECK(b.b_len == 8, "len %zu", b.b_len);

	buf_reset(&b);
	CHECK_STR(b.b_data, "");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	CHECK(b.b_len == 3890, "len %zu", b.b_len);
	CHECK(strncmp(b.b_data + b.b_len - 4, "999,", 4) == 0, "tail");
	CHECK(!b.b_failed, "no failure");

	/* a line longer than the room left: formatted again, whole */
	buf_reset(&b);
	buf_adds(&b, "ab");
	i = (int)(b.b_cap - b.b_len) + 10;
	buf_printf(&b, "%0*d|", i, 7);
	CHECK(b.b_len == 2 + (size_t)i + 1 && b.b_data[b.b_len] == '\0' &&
	    strncmp(b.b_data, "ab000", 5) == 0 &&
	    strcmp(b.b_data + b.b_len - 2, "7|") == 0, "grown: len %zu",
	    b.b_len);

	/* a failed allocation is sticky: later appends do nothing */
	CHECK(buf_reserve(&b, (size_t)-1 / 2) == -1, "huge reserve fails");
	CHECK(b.b_failed, "failure recorded");
	CHECK(buf_adds(&b, "x") == -1, "append after failure");
	CHECK(buf_steal(&b) == NULL, "steal after failure gives NULL");

	buf_init(&b);
	buf_adds(&b, "kept");
	s = buf_steal(&b);
	CHECK_STR(s, "kept");
	CHECK(b.b_data == NULL && b.b_len == 0, "empty after steal");
	free(s);
	buf_free(&b);
	return TEST_DONE();
}
