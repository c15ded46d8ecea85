#include "article.h"
#include "test.h"

#define S(x)	x, sizeof(x) - 1

struct expect {
	const char	*title;
	size_t		 npara;
	size_t		 nrel;
	const char	*first_rel;	/* title of entry 0, or NULL */
};

static const struct {
	const char	*in;
	size_t		 len;
	struct expect	 want;
	const char	*why;
} cases[] = {
	{ S("T"), { "T", 0, 0, NULL }, "title only" },
	{ S("T\nP1\nP2"), { "T", 2, 0, NULL }, "body, no block" },
	{ S("T\nP\nA\nsum\nREAD MORE"), { "T", 1, 1, "A" }, "one entry" },
	{ S("T\nA\nsum\nREAD MORE\nB\nsum\nREAD MORE"), { "T", 0, 2, "A" },
	    "block and no body" },
	{ S("T\nP\nA\nsum\nREAD MORE \n"), { "T", 1, 1, "A" },
	    "trailing space is cleaned away" },
	{ S("T\nP\nA\nsum\nRead more"), { "T", 4, 0, NULL },
	    "case matters" },
	{ S("T\nREAD MORE\nP\nA\ns\nREAD MORE"), { "T", 2, 1, "A" },
	    "READ MORE in the body is a paragraph" },
	{ S("T\nA\nREAD MORE\nREAD MORE"), { "T", 3, 0, NULL },
	    "summary READ MORE breaks the pattern" },
	{ S("T\nx\nA\ns\nREAD MORE\nbroken\nREAD MORE"), { "T", 6, 0, NULL },
	    "an incomplete triple at the end stops the walk" },
	{ S("T\nA\ns\nREAD MORE\n\n\nB\n\ns\nREAD MORE"), { "T", 0, 2, "A" },
	    "blank lines take no part" },
	{ S("READ MORE\nx\nREAD MORE"), { "READ MORE", 2, 0, NULL },
	    "the title is never part of the block" },
	{ S("---\ndate: 2023-11-02\n---\nT\nP"), { "T", 1, 0, NULL },
	    "front matter removed" },
	{ S("---\nT\nP"), { "---", 2, 0, NULL },
	    "unterminated front matter is text" },
	{ S("---\nnot a key\n---\nT"), { "---", 3, 0, NULL },
	    "a line that is not key:value: no front matter" },
	{ S("---\ndate : x\n---\nT"), { "---", 3, 0, NULL },
	    "space before the colon: not a key" },
	{ S("---\n---\nT"), { "T", 0, 0, NULL }, "empty front matter" },
	{ S("---\nempty:\n1key: x\n---\nT"), { "---", 4, 0, NULL },
	    "key must start with a letter" },
};

int
main(void)
{
	struct article	 a;
	const char	*errstr;
	char		 fm[1024];
	size_t		 i;
	int64_t		 t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (article_load(&a, cases[i].in, cases[i].len, &errstr) == -1) {
			CHECK(0, "%s: %s", cases[i].why, errstr);
			continue;
		}
		CHECK_STR(a.a_title, cases[i].want.title);
		CHECK(a.a_npara == cases[i].want.npara, "%s: %zu paragraphs",
		    cases[i].why, a.a_npara);
		CHECK(a.a_nrel == cases[i].want.nrel, "%s: %zu entries",
		    cases[i].why, a.a_nrel);
		if (cases[i].want.first_rel != NULL && a.a_nrel > 0)
			CHECK_STR(article_rel_title(&a, 0),
			    cases[i].want.first_rel);
		article_free(&a);
	}

	/* front matter values */
	CHECK(article_load(&a, S("---\nDate: 2023-11-02\nLANG: en-GB\n"
	    "author: x\ndate:  2024-02-29 \n---\nT"), &errstr) == 0, "load");
	CHECK(a.a_has_date && a.a_date == 1709164800, "last date counts: %lld",
	    (long long)a.a_date);
	CHECK_STR(a.a_lang, "en-GB");
	CHECK(a.a_nwarn == 0, "no warnings");
	article_free(&a);

	CHECK(article_load(&a, S("---\ndate: 2023-02-29\nlang: e\n---\nT"),
	    &errstr) == 0, "bad values still load");
	CHECK(!a.a_has_date && a.a_lang == NULL, "bad values ignored");
	CHECK(a.a_nwarn == 2, "two warnings");
	CHECK_STR(a.a_warn[0].aw_value, "2023-02-29");
	CHECK_STR(a.a_warn[1].aw_what, "lang");
	article_free(&a);

	CHECK(article_load(&a, S("---\ndate: 2023-01-01\n---\n\n"), &errstr)
	    == -1, "front matter and nothing else");
	CHECK(errstr != NULL && strstr(errstr, "no title") != NULL,
	    "reason: %s", errstr);

	/* the closing line may be line 22 (21 after the opening), not 23 */
	strcpy(fm, "---\n");
	for (i = 0; i < 20; i++)
		strcat(fm, "k: v\n");
	strcat(fm, "---\nT");
	CHECK(article_load(&a, fm, strlen(fm), &errstr) == 0 &&
	    strcmp(a.a_title, "T") == 0, "20 keys: front matter");
	article_free(&a);
	strcpy(fm, "---\n");
	for (i = 0; i < 21; i++)
		strcat(fm, "k: v\n");
	strcat(fm, "---\nT");
	CHECK(article_load(&a, fm, strlen(fm), &errstr) == 0 &&
	    strcmp(a.a_title, "---") == 0, "21 keys: no front matter");
	article_free(&a);

	CHECK(article_parse_date("2000-02-29", &t) == 0 && t == 951782400,
	    "leap 2000");
	CHECK(article_parse_date("1900-02-29", &t) == -1, "1900 not leap");
	CHECK(article_parse_date("2023-13-01", &t) == -1, "month 13");
	CHECK(article_parse_date("2023-04-31", &t) == -1, "April 31");
	CHECK(article_parse_date("2023-4-01", &t) == -1, "short month");
	CHECK(article_parse_date("2023-04-01x", &t) == -1, "trailing");
	CHECK(article_parse_date("0000-01-01", &t) == -1, "year 0");
	CHECK(article_parse_date("1969-12-31", &t) == 0 && t == -86400,
	    "before the epoch");

	CHECK(article_valid_lang("en"), "en");
	CHECK(article_valid_lang("zh-Hant-TW"), "zh-Hant-TW");
	CHECK(article_valid_lang("de-1996"), "de-1996");
	CHECK(!article_valid_lang("e"), "one letter");
	CHECK(!article_valid_lang("en-"), "empty subtag");
	CHECK(!article_valid_lang("en_GB"), "underscore");
	CHECK(!article_valid_lang("abcdefghi"), "nine letters");
	CHECK(!article_valid_lang("en-abcdefghi"), "nine-letter subtag");
	CHECK(!article_valid_lang("12"), "digits first");
	return TEST_DONE();
}
