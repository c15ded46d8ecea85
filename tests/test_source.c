#include <stdlib.h>

#include "source.h"
#include "test.h"

/* Decode and join the lines with '|' (cleaned lines hold no '|' here). */
static const char *
lines(const char *in, size_t len, const char **errstr)
{
	static char	 out[4096];
	struct text	 t;
	size_t		 i;

	*errstr = NULL;
	out[0] = '\0';
	if (source_decode(in, len, &t, errstr) == -1)
		return NULL;
	for (i = 0; i < t.t_nline; i++) {
		if (i > 0)
			strcat(out, "|");
		strcat(out, t.t_line[i]);
	}
	source_free(&t);
	return out;
}

#define S(x)	x, sizeof(x) - 1

static const struct {
	const char	*in;
	size_t		 len;
	const char	*want;
	const char	*why;
} decode_cases[] = {
	{ S("Title\nBody"), "Title|Body", "LF, no final newline" },
	{ S("Title\r\nBody\r\n"), "Title|Body", "CR LF" },
	{ S("Title\rBody\r"), "Title|Body", "lone CR" },
	{ S("T\r\r\nB"), "T|B", "CR then CR LF: one blank line" },
	{ S("\n\n  \t \nTitle\n\n\nBody\n\n"), "Title|Body", "blank lines" },
	{ S("\xEF\xBB\xBFTitle"), "Title", "BOM dropped" },
	{ S("Cr\xEApes"), "Cr\xC3\xAApes", "Latin-1 fallback" },
	{ S("\xEF\xBB\xBF" "Cr\xEApes"), "Cr\xC3\xAApes",
	    "BOM then Latin-1" },
	{ S("\xED\xA0\x80x"), "\xC3\xAD\xC2\xA0x",
	    "surrogate: not UTF-8, so Latin-1 (then C1 U+0080 deleted)" },
	{ S("a\tb"), "a b", "TAB to space" },
	{ S("a\x01" "b\x7F" "c"), "abc", "C0 and DEL deleted" },
	{ S("a\0b"), "ab", "NUL deleted" },
	{ S("a\xC2\x85" "b"), "ab", "C1 NEL deleted" },
	{ S("\xE2\x80\xAE" "evil\xE2\x81\xA6" "x\xE2\x81\xA9"), "evilx",
	    "bidi overrides and isolates deleted" },
	{ S("a\xE2\x80\x8B" "b\xC2\xA0" "c"), "a\xE2\x80\x8B" "b\xC2\xA0" "c",
	    "zero-width space and NBSP kept" },
	{ S("  \t padded \t "), "padded", "trimmed after TAB became space" },
	{ S("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0",
	    "NBSP is not trimmed" },
};

/*
 * source_pack then source_unpack gives the lines back, for every decode
 * case; the packed form is the lines and their NULs, nothing else.
 */
static void
test_pack(void)
{
	struct text	 t, u;
	const char	*errstr;
	char		*p;
	size_t		 i, k, len;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		if (source_decode(decode_cases[i].in, decode_cases[i].len, &t,
		    &errstr) == -1) {
			CHECK(0, "decode %s", decode_cases[i].why);
			continue;
		}
		p = source_pack(&t, &len);
		CHECK(p != NULL, "pack %s", decode_cases[i].why);
		CHECK(p != NULL && source_unpack(p, len, &u, &errstr) == 0,
		    "unpack %s", decode_cases[i].why);
		CHECK(u.t_nline == t.t_nline, "%s: %zu lines, want %zu",
		    decode_cases[i].why, u.t_nline, t.t_nline);
		for (k = 0; k < t.t_nline && k < u.t_nline; k++)
			CHECK_STR(u.t_line[k], t.t_line[k]);
		CHECK(u.t_buf != p, "a copy");
		source_free(&u);
		source_free(&t);
		free(p);
	}
	CHECK(source_decode(S("\xEF\xBB\xBFTitle\r\n\r\nBody\r\n"), &t,
	    &errstr) == 0, "decode");
	p = source_pack(&t, &len);
	CHECK(p != NULL && len == 11 && memcmp(p, "Title\0Body\0", 11) == 0,
	    "packed: \"Title\\0Body\\0\", %zu bytes", len);
	source_free(&t);
	free(p);
	/* what no source_pack gives */
	CHECK(source_unpack("", 0, &u, &errstr) == -1, "no line");
	CHECK(source_unpack("ab\0cd", 5, &u, &errstr) == -1 &&
	    u.t_buf == NULL, "no final NUL");
	CHECK(source_unpack("\0", 1, &u, &errstr) == 0 && u.t_nline == 1 &&
	    u.t_line[0][0] == '\0', "one empty line, as packed");
	source_free(&u);
}

int
main(void)
{
	const char	*errstr, *got;
	char		 big[SOURCE_SNIFF_SIZE * 2];
	size_t		 i;

	test_pack();
	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		got = lines(decode_cases[i].in, decode_cases[i].len, &errstr);
		if (got == NULL || strcmp(got, decode_cases[i].want) != 0)
			fprintf(stderr, "case: %s\n", decode_cases[i].why);
		CHECK_STR(got, decode_cases[i].want);
	}

	CHECK(lines(S("\n \t\r\n"), &errstr) == NULL, "only blank lines");
	CHECK(errstr != NULL && strstr(errstr, "blank") != NULL, "reason");
	CHECK(lines(S("\xEF\xBB\xBF"), &errstr) == NULL, "only a BOM");

	CHECK(source_check("", 0, &errstr) == -1, "empty file");
	CHECK_STR(errstr, "empty file");
	CHECK(source_check(S("Title\tx\r\n"), &errstr) == 0, "text");
	/* 5% is still text, more is binary */
	memset(big, 'a', 100);
	memset(big, 0, 5);
	CHECK(source_check(big, 100, &errstr) == 0, "exactly 5%% controls");
	big[5] = '\x1B';
	CHECK(source_check(big, 100, &errstr) == -1, "6%% controls");
	CHECK(strstr(errstr, "binary") != NULL, "binary reason");
	/* only the first 8 KiB count */
	memset(big, 'a', sizeof(big));
	memset(big + SOURCE_SNIFF_SIZE, 0, SOURCE_SNIFF_SIZE);
	CHECK(source_check(big, sizeof(big), &errstr) == 0,
	    "controls past 8 KiB do not count");
	memset(big, 0, SOURCE_SNIFF_SIZE);
	CHECK(source_check(big, sizeof(big), &errstr) == -1, "NULs: binary");
	return TEST_DONE();
}
