#include <stdlib.h>

#include "buf.h"
#include "test.h"
#include "utf8.h"

static const struct {
	const char	*in;
	int		 valid;
	const char	*why;
} valid_cases[] = {
	{ "plain", 1, "ASCII" },
	{ "cr\xC3\xAApes", 1, "two-byte" },
	{ "\xE5\x91\xB3", 1, "CJK" },
	{ "\xF0\x9F\x8D\x9C", 1, "emoji" },
	{ "cr\xEApes", 0, "Latin-1 byte" },
	{ "\xC0\xAF", 0, "overlong slash" },
	{ "\xE0\x80\xAF", 0, "overlong, three bytes" },
	{ "\xED\xA0\x80", 0, "surrogate U+D800" },
	{ "\xF4\x90\x80\x80", 0, "past U+10FFFF" },
	{ "\xE5\x91", 0, "truncated" },
};

/* Wrap s at width and join the lines with '|'. */
static char *
wrap(const char *s, size_t width)
{
	struct utf8_wrap w;
	struct buf	 b;
	const char	*l;
	size_t		 n;

	buf_init(&b);
	buf_adds(&b, "");
	utf8_wrap_init(&w, s, strlen(s), width);
	while (utf8_wrap_next(&w, &l, &n)) {
		if (b.b_len > 0)
			buf_addc(&b, '|');
		buf_add(&b, l, n);
	}
	utf8_wrap_free(&w);
	return buf_steal(&b);
}

static const struct {
	const char	*in;
	size_t		 width;
	const char	*want;
} wrap_cases[] = {
	{ "", 10, "" },
	{ "one two three", 20, "one two three" },
	{ "one two three", 7, "one two|three" },
	{ "one two three", 3, "one|two|thr|ee" },
	{ "  lead  and  trail  ", 9, "lead  and|trail" },
	{ "abcdefghij", 4, "abcd|efgh|ij" },
	/* CJK is two columns wide and may break between characters */
	{ "\xE5\x91\xB3\xE5\x99\x8C\xE5\x87\xBA\xE6\xB1\x81", 5,
	    "\xE5\x91\xB3\xE5\x99\x8C|\xE5\x87\xBA\xE6\xB1\x81" },
	/* an emoji wider than the line still goes out, alone */
	{ "\xF0\x9F\x8D\x9C", 1, "\xF0\x9F\x8D\x9C" },
	/* break after a hyphen, as Unicode line breaking allows */
	{ "low-bandwidth design", 10, "low-|bandwidth|design" },
};

static const struct {
	const char	*in;
	const char	*want;
} escape_cases[] = {
	{ "name.txt", "name.txt" },
	{ "a\tb\nc", "a\\x09b\\x0Ac" },
	{ "back\\slash", "back\\\\slash" },
	{ "\x1B[2J", "\\x1B[2J" },
	{ "cr\xEApes", "cr\\xEApes" },
	{ "cr\xC3\xAApes", "cr\xC3\xAApes" },
	{ "\xC2\x85" "next", "\\u{0085}next" },
	{ "\xE2\x80\xAE" "evil", "\\u{202E}evil" },
};

int
main(void)
{
	struct buf	 b;
	size_t		 i;
	char		*got;
	uint32_t	 cp;

	for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++)
		CHECK(utf8_valid(valid_cases[i].in, strlen(valid_cases[i].in))
		    == valid_cases[i].valid, "%s", valid_cases[i].why);

	CHECK(utf8_decode("\xE2\x80\x99", 3, &cp) == 3 && cp == 0x2019,
	    "decode ’");
	CHECK(utf8_width("abc", 3) == 3, "ASCII width");
	CHECK(utf8_width("\xE5\x91\xB3\xE5\x99\x8C", 6) == 4, "CJK width");
	CHECK(utf8_width("e\xCC\x81", 3) == 1, "combining mark is 0 wide");
	CHECK(utf8_cut("\xE5\x91\xB3\xE5\x99\x8C soup", 11, 3) == 3,
	    "cut before a wide character that does not fit");
	CHECK(utf8_cut("abc", 3, 10) == 3, "cut longer than text");
	CHECK(utf8_cut("abc", 3, 0) == 0, "cut to nothing");

	for (i = 0; i < sizeof(wrap_cases) / sizeof(wrap_cases[0]); i++) {
		got = wrap(wrap_cases[i].in, wrap_cases[i].width);
		CHECK_STR(got, wrap_cases[i].want);
		free(got);
	}
	for (i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
		buf_init(&b);
		buf_adds(&b, "");
		utf8_escape(&b, escape_cases[i].in, strlen(escape_cases[i].in));
		CHECK_STR(b.b_data, escape_cases[i].want);
		buf_free(&b);
	}
	/* the one definition of what no reader gets */
	CHECK(utf8_control_len("\t", 1) == 1 && utf8_control_len("\x7f", 1) ==
	    1 && utf8_control_len("\xc2\x85", 2) == 2 &&
	    utf8_control_len("\xe2\x80\xae", 3) == 3 &&
	    utf8_control_len("\xe2\x81\xa9", 3) == 3, "controls");
	CHECK(utf8_control_len("a", 1) == 0 && utf8_control_len("\xc2\xa0",
	    2) == 0 && utf8_control_len("\xe2\x80\xa9", 3) == 0 &&
	    utf8_control_len("\xc2", 1) == 0 && utf8_control_len("", 0) == 0,
	    "not controls");
	return TEST_DONE();
}
