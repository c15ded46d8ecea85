#include <stdint.h>
#include <stdlib.h>

#include <unistr.h>

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
	/* the edges of the 8-byte words utf8_valid skips */
	{ "abcdefg\xC3\xA9", 1, "two-byte across 7 and 8" },
	{ "abcdefgh\xF0\x9F\x8D\x9C" "abcdefgh", 1, "emoji between words" },
	{ "\xE5\x91\xB3" "abcdefgh\xC3\xA9", 1, "runs around a word" },
	{ "abcdefg\xC3" "abcdefgh", 0, "cut short by a word" },
	{ "abcdefgh\xE5\x91", 0, "cut short by the end" },
	{ "a\xC3", 0, "cut short, 2 bytes" },
	{ "abcdefgh\x80", 0, "continuation byte alone, at 8" },
	{ "abcdefg\xC0\xAF", 0, "overlong at 7" },
	{ "abcdefghijklmno\xED\xA0\x80", 0, "surrogate at 15" },
	{ "abcdefgh\xC3\xA9\xE9" "abcdefgh", 0, "Latin-1 after UTF-8" },
	{ "\xEF\xBB\xBF" "abcdefgh", 1, "BOM" },
	{ "abcdefgh\x7F", 1, "DEL is ASCII" },
};

/* Pieces of random buffers for utf8_valid against u8_check itself. */
static const char *const valid_pieces[] = {
	"a", "abcdefgh", "0123456789", " ", "\t", "\n", "\x7F", "\x01",
	"\xC3\xA9", "\xC2\x85", "\xE2\x80\x99", "\xE2\x80\xAE", "\xE5\x91\xB3",
	"\xEF\xBB\xBF", "\xF0\x9F\x8D\x9C", "\xF4\x8F\xBF\xBF",
	/* not UTF-8 */
	"\x80", "\xBF", "\xC2", "\xE2\x80", "\xF0\x9F\x8D", "\xC0\xAF",
	"\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF8", "\xFF",
};

#define NBAD		11	/* the last pieces, not UTF-8 */

/*
 * utf8_valid must say what u8_check says, on random mixtures of ASCII
 * runs, characters and bad sequences, each buffer in an allocation of
 * its exact size (ASan then sees a read past its end).  A bad piece
 * comes 1 time in 40, so that about a quarter of the buffers are bad.
 */
static void
test_valid_random(void)
{
	size_t		 i, n, k, np, bad = 0, nvalid = 0, good;
	char		 tmp[24 * 10], *p;
	const char	*pc;

	good = NELEM(valid_pieces) - NBAD;
	for (i = 0; i < 100000; i++) {
		for (n = 0, np = test_rnd(24); np > 0; np--) {
			pc = valid_pieces[test_rnd(40) == 0 ? good + test_rnd(NBAD) :
			    test_rnd(good)];
			k = strlen(pc);
			memcpy(tmp + n, pc, k);
			n += k;
		}
		if ((p = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(p, tmp, n);
		nvalid += utf8_valid(p, n);
		if (utf8_valid(p, n) != (u8_check((uint8_t *)p, n) == NULL) &&
		    bad++ == 0) {
			fprintf(stderr, "utf8_valid differs on \"");
			for (k = 0; k < n; k++)
				fprintf(stderr, "\\x%02X", (unsigned char)p[k]);
			fprintf(stderr, "\"\n");
		}
		free(p);
	}
	CHECK(bad == 0, "utf8_valid: %zu of %zu random buffers", bad, i);
	CHECK(nvalid > i / 2 && nvalid < i - i / 10, "%zu of %zu valid: a mix",
	    nvalid, i);
}

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

	test_valid_random();

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
