#include <stdint.h>
#include <stdlib.h>

#include <unistr.h>

#include "source.h"
#include "test.h"
#include "utf8.h"

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
	/* the edges of the 8-byte words (source.c, printable8) */
	{ S("abcdefg\x01hij"), "abcdefghij", "control at 7" },
	{ S("abcdefgh\x01ij"), "abcdefghij", "control at 8" },
	{ S("abcdefghi\x01j"), "abcdefghij", "control at 9" },
	{ S("abcdefgh\0ij"), "abcdefghij", "NUL at 8" },
	{ S("abcdefg\x7F"), "abcdefg", "DEL last of 8" },
	{ S("abcdefgh\x7F"), "abcdefgh", "DEL at 8, the end" },
	{ S("ab~\x7F}"), "ab~}", "~ kept, DEL deleted, short buffer" },
	{ S("\x1F" "abcdefgh\x1F"), "abcdefgh", "controls around a word" },
	{ S("abcdefg\nhij"), "abcdefg|hij", "LF at 7" },
	{ S("abcdefgh\nij"), "abcdefgh|ij", "LF at 8" },
	{ S("abcdefghi\rj"), "abcdefghi|j", "lone CR at 9" },
	{ S("abcdefg\r\nhi"), "abcdefg|hi", "CR LF across 7 and 8" },
	{ S("abcdefgh\r"), "abcdefgh", "lone CR at the end" },
	{ S("ab\r\r\ncd\r"), "ab|cd", "short: CR, CR LF, CR" },
	{ S("abcdefg\tbcdefgh\t"), "abcdefg bcdefgh", "TAB at 7 and last" },
	{ S("\tabcdefgh"), "abcdefgh", "leading TAB trimmed" },
	{ S("        x       "), "x", "a word of leading spaces" },
	{ S("a       \t       \nb"), "a|b", "trailing spaces and TAB" },
	{ S("abcdefgh        \n        ijklmnop"), "abcdefgh|ijklmnop",
	    "whole words of spaces at both ends" },
	{ S("  ab  cd  \n\n \n  ef"), "ab  cd|ef", "inner spaces kept" },
	{ S("abcdefg\xC2\x85h"), "abcdefgh", "C1 across 7 and 8" },
	{ S("abcdef\xE2\x80\xAEgh"), "abcdefgh", "bidi across 6 to 8" },
	{ S("abcdefgh\xE2\x81\xA9"), "abcdefgh", "bidi isolate at the end" },
	{ S("abcdefgh\xE2\x80\x99s"), "abcdefgh\xE2\x80\x99s",
	    "right quote kept (0xE2, not bidi)" },
	{ S("abcdefgh\xC2\xA0"), "abcdefgh\xC2\xA0",
	    "NBSP kept (0xC2, not C1)" },
	{ S("abcdefghijklmnop\xE9"), "abcdefghijklmnop\xC3\xA9",
	    "Latin-1 byte at 16" },
	{ S("abcdefgh\x85ij\x92"), "abcdefghij",
	    "Latin-1 0x85 and 0x92 are C1: deleted" },
	{ S("x\xC2"), "x\xC3\x82", "truncated UTF-8 at the end: Latin-1" },
	{ S("\xEF\xBB\xBF" "abcdefghij\tk"), "abcdefghij k",
	    "BOM, then a word" },
	{ S("abc\xEF\xBB\xBF" "def"), "abc\xEF\xBB\xBF" "def",
	    "a BOM not at the start is kept" },
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

/* source_check counts controls across and after the 8-byte words. */
static void
test_check_words(void)
{
	const char	*errstr;
	char		 b[20];
	size_t		 i;

	memset(b, 'a', sizeof(b));
	b[7] = '\x01';
	CHECK(source_check(b, 20, &errstr) == 0, "1 control in 20: text");
	b[8] = '\x7F';
	CHECK(source_check(b, 20, &errstr) == -1, "2 at 7 and 8: binary");
	b[8] = 'a';
	b[19] = '\0';
	CHECK(source_check(b, 20, &errstr) == -1, "2 at 7 and 19: binary");
	b[7] = 'a';
	CHECK(source_check(b, 20, &errstr) == 0, "only the one at 19: text");
	for (i = 0; i < sizeof(b); i++)
		b[i] = "\t\n\r\x80\xC2\x85"[i % 6];
	CHECK(source_check(b, 20, &errstr) == 0,
	    "TAB, LF, CR and high bytes are not counted");
	CHECK(source_check("\x01", 1, &errstr) == -1, "one byte, a control");
	CHECK(source_check("abcdefg\x1F", 8, &errstr) == -1,
	    "8 bytes, one control");
}

/*
 * The byte-by-byte implementation that the word-at-a-time one replaced,
 * kept as the reference it must agree with on every input.
 */
static int
ref_check(const char *buf, size_t len, const char **errstr)
{
	size_t	 i, n, ctl = 0;

	if (len == 0) {
		*errstr = "empty file";
		return -1;
	}
	if (len > SOURCE_MAX_SIZE) {
		*errstr = "file too large (limit 8 MiB)";
		return -1;
	}
	n = len < SOURCE_SNIFF_SIZE ? len : SOURCE_SNIFF_SIZE;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			ctl++;
	}
	if (ctl * SOURCE_BINARY_RATIO > n) {
		*errstr = "binary file (more than 5% control bytes)";
		return -1;
	}
	return 0;
}

static int
ref_valid(const char *s, size_t n)
{
	return u8_check((const uint8_t *)s, n) == NULL;
}

static char *
ref_latin1(const char *in, size_t len, size_t *outlen)
{
	char	*out, *p;
	size_t	 i;

	if ((out = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (p = out, i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x80)
			*p++ = (char)c;
		else {
			*p++ = (char)(0xc0 | (c >> 6));
			*p++ = (char)(0x80 | (c & 0x3f));
		}
	}
	*outlen = (size_t)(p - out);
	return out;
}

static size_t
ref_clean_line(char *s, size_t n)
{
	size_t	 i = 0, o = 0, k, start;

	while (i < n) {
		if (s[i] == '\t') {
			s[o++] = ' ';
			i++;
		} else if ((k = utf8_control_len(s + i, n - i)) > 0)
			i += k;
		else
			s[o++] = s[i++];
	}
	while (o > 0 && s[o - 1] == ' ')
		o--;
	for (start = 0; start < o && s[start] == ' '; start++)
		;
	if (start > 0)
		memmove(s, s + start, o - start);
	o -= start;
	s[o] = '\0';
	return o;
}

/*
 * The old source_decode, giving the lines packed (as source_pack does)
 * in a new allocation of *lenp bytes, or NULL and the reason.
 */
static char *
ref_decode(const char *buf, size_t len, size_t *lenp, const char **errstr)
{
	char	*s, *p;
	size_t	 n, i, start, end, o = 0, k;

	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (ref_valid(buf, len)) {
		if ((s = malloc(len + 1)) == NULL)
			abort();
		memcpy(s, buf, len);
		n = len;
	} else if ((s = ref_latin1(buf, len, &n)) == NULL)
		abort();
	s[n] = '\0';
	if ((p = malloc(n + 1)) == NULL)
		abort();
	for (i = start = 0; i <= n; i++) {
		if (i < n && s[i] != '\n' && s[i] != '\r')
			continue;
		end = i;
		if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
			i++;
		if ((k = ref_clean_line(s + start, end - start)) > 0) {
			memcpy(p + o, s + start, k + 1);
			o += k + 1;
		}
		start = i + 1;
	}
	free(s);
	if (o == 0) {
		free(p);
		*errstr = "no text (only blank lines)";
		return NULL;
	}
	*lenp = o;
	return p;
}

/* Pieces random buffers are made of: the bytes the fast path skips ... */
static const char *const text_pieces[] = {
	"a", "Z", "~", " ", "  ", "READ MORE", "abcdefgh", "0123456789 ",
	"\xC3\xA9", "\xE2\x80\x99", "\xC2\xA0", "\xE5\x91\xB3",
	"\xF0\x9F\x8D\x9C", "\xE2\x80\x8B", "\xE2\x80\xA9", "\xE2\x81\xA5",
	"\xE2\x81\xAA", "\xEF\xBB\xBF", "\n", "\r", "\r\n", "\t",
};
/* ... what it must stop at ... */
static const char *const control_pieces[] = {
	"\x01", "\x08", "\x0B", "\x0C", "\x1B", "\x1F", "\x7F", "\xC2\x80",
	"\xC2\x85", "\xC2\x9F", "\xE2\x80\xAA", "\xE2\x80\xAE",
	"\xE2\x81\xA6", "\xE2\x81\xA9",
};
/* ... and what is not UTF-8, so that the file is read as Latin-1. */
static const char *const bad_pieces[] = {
	"\x80", "\x85", "\x92", "\x9F", "\xA0", "\xC2", "\xE2\x80", "\xE9",
	"\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
};


/*
 * A random buffer of at most max bytes, in exactly as many as it has
 * (so that ASan sees a read past its end): text pieces with controls
 * in about ctl of 100 pieces, NULs among them, and, when bad, bytes
 * that are not UTF-8 in about 1 of 50.
 */
static char *
random_buffer(size_t max, size_t ctl, int bad, size_t *lenp)
{
	char		*tmp, *p;
	const char	*pc;
	size_t		 n = 0, k;

	if ((tmp = malloc(max + 8)) == NULL)
		abort();
	while (n < max) {
		if (test_rnd(100) < ctl)
			pc = control_pieces[test_rnd(NELEM(control_pieces))];
		else if (bad && test_rnd(50) == 0)
			pc = bad_pieces[test_rnd(NELEM(bad_pieces))];
		else if (test_rnd(200) == 0)
			pc = "";	/* a NUL */
		else
			pc = text_pieces[test_rnd(NELEM(text_pieces))];
		if ((k = strlen(pc)) == 0)
			k = 1;
		if (n + k > max)
			break;
		memcpy(tmp + n, pc, k);
		n += k;
	}
	if ((p = malloc(n ? n : 1)) == NULL)
		abort();
	memcpy(p, tmp, n);
	free(tmp);
	*lenp = n;
	return p;
}

/* Show the buffer a random test failed on, as C. */
static void
show_buffer(const char *what, const char *p, size_t n)
{
	size_t	 i;

	fprintf(stderr, "%s differs on %zu bytes: \"", what, n);
	for (i = 0; i < n; i++)
		fprintf(stderr, "\\x%02X", (unsigned char)p[i]);
	fprintf(stderr, "\"\n");
}

/* Does source_decode, then source_pack, give what ref_decode does? */
static int
same_decode(const char *p, size_t n)
{
	struct text	 t, u;
	const char	*e1 = NULL, *e2 = NULL;
	char		*want, *got, *again;
	size_t		 wlen = 0, glen = 0, alen = 0, i, o = 0;
	int		 same;

	want = ref_decode(p, n, &wlen, &e1);
	if (source_decode(p, n, &t, &e2) == -1)
		return want == NULL && strcmp(e1, e2) == 0;
	if (want == NULL || (got = source_pack(&t, &glen)) == NULL)
		abort();
	same = glen == wlen && memcmp(got, want, wlen) == 0;
	/* the lines are the packed ones, each where it should be */
	for (i = 0; same && i < t.t_nline; i++) {
		same = t.t_line[i] == t.t_buf + o;
		o += strlen(t.t_line[i]) + 1;
	}
	same = same && o == glen;
	/* and unpacking packs the same again */
	if (source_unpack(got, glen, &u, &e2) == -1 ||
	    (again = source_pack(&u, &alen)) == NULL)
		abort();
	same = same && alen == glen && memcmp(again, got, glen) == 0;
	free(again);
	source_free(&u);
	free(got);
	free(want);
	source_free(&t);
	return same;
}

/*
 * The randomized differential test: many random buffers that mix what
 * the fast path skips with what it must stop at, decoded by the old
 * byte-by-byte code above and by source.c, must give the same bytes.
 */
static void
test_random(void)
{
	static const size_t	 ctl[] = { 0, 1, 3, 5, 8, 30 };
	const char		*e1 = NULL, *e2 = NULL;
	char			*p;
	size_t			 i, n, max, bad_check = 0, bad_decode = 0;
	int			 r1, r2;

	for (i = 0; i < 40000; i++) {
		max = i % 100 == 0 ? SOURCE_SNIFF_SIZE + 100 : test_rnd(80);
		p = random_buffer(max, ctl[test_rnd(NELEM(ctl))], test_rnd(3) == 0, &n);
		r1 = ref_check(p, n, &e1);
		r2 = source_check(p, n, &e2);
		if ((r1 != r2 || (r1 == -1 && strcmp(e1, e2) != 0)) &&
		    bad_check++ == 0)
			show_buffer("source_check", p, n);
		if (!same_decode(p, n) && bad_decode++ == 0)
			show_buffer("source_decode", p, n);
		free(p);
	}
	CHECK(bad_check == 0, "source_check: %zu of %zu random buffers",
	    bad_check, i);
	CHECK(bad_decode == 0, "source_decode: %zu of %zu random buffers",
	    bad_decode, i);
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
	test_check_words();
	test_random();
	return TEST_DONE();
}
