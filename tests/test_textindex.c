#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "textindex.h"
#include "utf8.h"
#include "test.h"


/* Tokens, stop words and stems. */
static const struct {
	const char	*text;
	const char	*want;
} terms_cases[] = {
	{ "The Gardener\u2019s tomatoes", "garden tomato" },
	{ "running runs ran RUNNING", "run run ran run" },
	/* stop words, either apostrophe, any case; the first and last */
	{ "don\u2019t DON'T won't it's It\u2019s they\u2019ve A yourselves",
	    "" },
	{ "the and of to in is that it for you was on are", "" },
	/* Unicode letters, lower-cased, without their accents (composed or
	   combining); other marks and letters stay */
	{ "Jalape\u00f1os CAF\u00c9 cafe\u0301 Cr\u00e8me", "jalapeno cafe "
	    "cafe creme" },
	{ "\u00dfe \u00f8re \u0416\u0451\u0436 \u0915\u093f\u0924",
	    "\u00dfe \u00f8re \u0436\u0435\u0436 \u0915\u093f\u0924" },
	{ "\u03a3\u039f\u03a6\u0399\u0391 \u0130stanbul",
	    "\u03c3\u03bf\u03c6\u03b9\u03b1 istanbul" },
	{ "\u5473\u564c\u30fb\u51fa\u6c41 soup", "\u5473\u564c \u51fa\u6c41 "
	    "soup" },
	/* separators: punctuation, dashes, no-break space, emoji */
	{ "heat\u00a0ice\u2014cold; hot-water \U0001F35Cbath",
	    "heat ice cold hot water bath" },
	{ "https://example.org/Gemini-Capsule", "https exampl org gemini "
	    "capsul" },
	/* digits are words; one-byte tokens are not */
	{ "In 1908, 3.5 x a 42", "1908 42" },
	/* an apostrophe inside a word stays, at its ends it separates */
	{ "rock'n'roll \u2019quoted\u2019 gardeners'", "rock'n'rol quot "
	    "garden" },
	/* invalid UTF-8 separates */
	{ "\xff\xfegarden\xc3", "garden" },
	{ "", "" },
};

static void
test_terms(void)
{
	struct buf	 b;
	char		 s[200];
	size_t		 i;
	int		 n;

	for (i = 0; i < NELEM(terms_cases); i++) {
		buf_init(&b);
		n = textindex_terms(terms_cases[i].text,
		    strlen(terms_cases[i].text), &b);
		CHECK_STR(b.b_data != NULL ? b.b_data : "",
		    terms_cases[i].want);
		CHECK(n >= 0, "terms %zu", i);
		buf_free(&b);
	}
	/* tokens of TEXTINDEX_TOKEN_MAX bytes stay, longer ones go */
	memset(s, 'q', 65);
	memcpy(s + 65, " z", 3);
	buf_init(&b);
	CHECK(textindex_terms(s, strlen(s), &b) == 0, "65 bytes skipped");
	buf_free(&b);
	s[64] = ' ';
	buf_init(&b);
	CHECK(textindex_terms(s, 64, &b) == 1 && b.b_len == 64, "64 kept");
	buf_free(&b);
	/* the same in bytes of two-byte letters (zhe: no accent to drop) */
	for (i = 0; i < 33; i++)
		memcpy(s + 2 * i, "\u0436", 2);
	buf_init(&b);
	CHECK(textindex_terms(s, 66, &b) == 0, "66 bytes skipped");
	buf_free(&b);
	buf_init(&b);
	CHECK(textindex_terms(s, 64, &b) == 1 && b.b_len == 64,
	    "64 bytes kept");
	buf_free(&b);
	/* accents go after the length check: 32 e-acute are 32 bytes */
	for (i = 0; i < 32; i++)
		memcpy(s + 2 * i, "\u00e9", 2);
	buf_init(&b);
	CHECK(textindex_terms(s, 64, &b) == 1 && b.b_len == 32, "folded");
	buf_free(&b);
}

/* w(t, d) before the length normalisation, as the header says. */
static double
weight(int tf, int df, int n)
{
	return (1 + log(tf)) * (log((1.0 + n) / (1.0 + df)) + 1);
}

static double
idf(int df, int n)
{
	return log((1.0 + n) / (1.0 + df)) + 1;
}

static int
near(double got, double want)
{
	return fabs(got - want) <= 1e-5 * fabs(want) + 1e-7;
}

/* The worked example of textindex.h. */
static void
test_example(void)
{
	static const char *p0[] = { "Simmer the tomatoes with garlic." },
	    *p1[] = { "Tomato seedlings need light and warmth." },
	    *p2[] = { "Hold the knife like this." };
	struct textindex_doc docs[] = { { "Tomato Sauce", p0, 1 },
	    { "Growing Tomatoes", p1, 1 }, { "Knife Skills", p2, 1 } };
	struct textindex_hit	 h[3];
	struct textindex	*ti;
	struct buf		 b;
	const char		*errstr;
	uint32_t		 out[3];

	buf_init(&b);
	textindex_terms(p1[0], strlen(p1[0]), &b);
	CHECK_STR(b.b_data, "tomato seedl need light warmth");
	buf_free(&b);
	if ((ti = textindex_build(docs, NELEM(docs), &errstr)) == NULL) {
		CHECK(0, "build: %s", errstr);
		return;
	}
	CHECK(textindex_similar(ti, 0, 1, NULL, 0, out) == 1 && out[0] == 1,
	    "similar");
	CHECK(textindex_search(ti, "garlic", 3, h) == 1 && h[0].th_doc == 0 &&
	    near(h[0].th_score, idf(1, 3) * weight(1, 1, 3) /
	    sqrt(pow(weight(4, 2, 3), 2) + pow(weight(3, 1, 3), 2) +
	    2 * pow(weight(1, 1, 3), 2))), "garlic");
	CHECK(textindex_search(ti, "the", 3, h) == 0, "stop word");
	textindex_free(ti);
}

/* TF-IDF weights, title weight, scores, coordination, ties. */
static void
test_weights(void)
{
	static const char *p0[] = { "apple banana banana" },
	    *p1[] = { "banana cherry" }, *p2[] = { "cherry" },
	    *p3[] = { "plum" };
	struct textindex_doc docs[] = {
		{ "Apple", p0, 1 },		/* appl 3 + 1, banana 2 */
		{ NULL, p1, 1 },		/* banana 1, cherri 1 */
		{ "Cherry Pie", p2, 1 },	/* cherri 3 + 1, pie 3 */
		{ "Plum", p3, 1 },		/* plum 4 */
		{ "Plum", p3, 1 },		/* the same */
	};
	struct textindex_hit	 h[8];
	struct textindex	*ti;
	const char		*errstr;
	double			 len0, len1, len2, wb0, wb1, wc1, wc2;
	size_t			 n;
	int			 N = 5;

	if ((ti = textindex_build(docs, NELEM(docs), &errstr)) == NULL) {
		CHECK(0, "build: %s", errstr);
		return;
	}
	len0 = hypot(weight(4, 1, N), weight(2, 2, N));
	len1 = hypot(weight(1, 2, N), weight(1, 2, N));
	len2 = hypot(weight(4, 2, N), weight(3, 1, N));
	wb0 = weight(2, 2, N) / len0;
	wb1 = weight(1, 2, N) / len1;
	wc1 = weight(1, 2, N) / len1;
	wc2 = weight(4, 2, N) / len2;

	/* one term: idf * w(t, d), the heavier first */
	n = textindex_search(ti, "bananas", 8, h);
	CHECK(n == 2 && h[0].th_doc == 1 && h[1].th_doc == 0, "banana order");
	CHECK(n == 2 && near(h[0].th_score, idf(2, N) * wb1) &&
	    near(h[1].th_score, idf(2, N) * wb0), "banana scores %g %g",
	    (double)h[0].th_score, (double)h[1].th_score);
	/* the title counts TEXTINDEX_TITLE_WEIGHT times */
	n = textindex_search(ti, "APPLE", 8, h);
	CHECK(n == 1 && h[0].th_doc == 0 &&
	    near(h[0].th_score, idf(1, N) * weight(4, 1, N) / len0),
	    "apple score");
	/* two terms: the doc with both first, the others halved */
	n = textindex_search(ti, "cherry banana", 8, h);
	CHECK(n == 3 && h[0].th_doc == 1, "both terms first");
	CHECK(n == 3 && near(h[0].th_score, idf(2, N) * (wb1 + wc1)),
	    "sum of both");
	CHECK(n == 3 && h[1].th_doc == 2 && near(h[1].th_score,
	    idf(2, N) * wc2 / 2), "half of one: %g", (double)h[1].th_score);
	CHECK(n == 3 && h[2].th_doc == 0 && near(h[2].th_score,
	    idf(2, N) * wb0 / 2), "half of the other");
	/* max cuts the list */
	CHECK(textindex_search(ti, "cherry banana", 1, h) == 1 &&
	    h[0].th_doc == 1, "max 1");
	/* equal scores: the lower id first */
	n = textindex_search(ti, "plum", 8, h);
	CHECK(n == 2 && h[0].th_doc == 3 && h[1].th_doc == 4 &&
	    h[0].th_score == h[1].th_score, "tie by id");
	CHECK(textindex_memory(ti) > sizeof(void *), "memory");
	textindex_free(ti);
}

/* Queries that find nothing, or are cut. */
static void
test_queries(void)
{
	static const char *p0[] = { "Zebras graze on the savanna." },
	    *p1[] = { "Penguins swim in cold water." };
	struct textindex_doc docs[] = { { "Zebras", p0, 1 },
	    { "Penguins", p1, 1 } };
	struct textindex_hit	 h[4];
	struct textindex	*ti;
	const char		*errstr;
	char			*q;
	size_t			 i;

	if ((ti = textindex_build(docs, NELEM(docs), &errstr)) == NULL) {
		CHECK(0, "build: %s", errstr);
		return;
	}
	CHECK(textindex_search(ti, "", 4, h) == 0, "empty query");
	CHECK(textindex_search(ti, NULL, 4, h) == 0, "no query");
	CHECK(textindex_search(ti, "the and of it\u2019s", 4, h) == 0,
	    "stop words only");
	CHECK(textindex_search(ti, "  ,;!? \u2014 ", 4, h) == 0, "no words");
	CHECK(textindex_search(ti, "unicorns", 4, h) == 0, "unknown word");
	CHECK(textindex_search(ti, "zebra", 0, h) == 0, "max 0");
	CHECK(textindex_search(ti, "ZEBRA", 4, h) == 1 && h[0].th_doc == 0,
	    "case and plural");

	/* TEXTINDEX_QUERY_MAX bytes are read: a word across the cut is cut */
	if ((q = malloc(100000)) == NULL)
		return;
	memset(q, ' ', 100000);
	memcpy(q + TEXTINDEX_QUERY_MAX - 10, "zebra", 5);
	q[99999] = '\0';
	CHECK(textindex_search(ti, q, 4, h) == 1, "within the cut");
	memcpy(q + TEXTINDEX_QUERY_MAX - 10, "     ", 5);
	memcpy(q + TEXTINDEX_QUERY_MAX - 3, "penguin", 7);
	CHECK(textindex_search(ti, q, 4, h) == 0, "across the cut");
	/* a character across the cut is left out whole */
	memset(q, ' ', 100000);
	memcpy(q + TEXTINDEX_QUERY_MAX - 6, "zebra\u00e9", 7);
	q[TEXTINDEX_QUERY_MAX + 1] = '\0';
	CHECK(textindex_search(ti, q, 4, h) == 1, "UTF-8 cut");
	/* huge: many words, many terms */
	for (i = 0; i + 7 < 99999; i += 7)
		memcpy(q + i, i % 2 ? "zebra  " : "water  ", 7);
	q[99999] = '\0';
	CHECK(textindex_search(ti, q, 4, h) == 2, "huge query");
	free(q);
	textindex_free(ti);
}

/* Similar articles: topics, exclusions, never itself, ties. */
static void
test_similar(void)
{
	static const char *g0[] = { "Sow tomato seeds in compost, water the "
	    "seedlings and keep the greenhouse warm." },
	    *g1[] = { "Tomato seedlings need compost, a warm greenhouse "
	    "and careful watering." },
	    *g2[] = { "Compost heaps feed the greenhouse beds where tomato "
	    "plants grow." },
	    *c0[] = { "Knead the dough, let the bread rise in a warm oven, "
	    "then bake the loaf." },
	    *c1[] = { "Bread dough rises when yeast ferments; bake the loaf "
	    "in a hot oven." },
	    *c2[] = { "A sourdough loaf needs a starter, flour, dough and a "
	    "very hot oven to bake." },
	    *same[] = { "Gemini capsules serve gemtext over TLS." },
	    *lone[] = { "Quasars emit radio waves." };
	struct textindex_doc docs[] = {
		{ "Growing Tomatoes", g0, 1 }, { "Tomato Seedlings", g1, 1 },
		{ "Compost for Tomatoes", g2, 1 }, { "Baking Bread", c0, 1 },
		{ "Bread and Yeast", c1, 1 }, { "Sourdough Bread", c2, 1 },
		{ "Gemini Capsules", same, 1 }, { "Gemini Capsules", same, 1 },
		{ "Gemini Capsules", same, 1 }, { "Quasars", lone, 1 },
	};
	struct textindex	*ti;
	const char		*errstr;
	uint32_t		 out[10], ex[2];
	size_t			 n, i, d;
	int			 ok;

	if ((ti = textindex_build(docs, NELEM(docs), &errstr)) == NULL) {
		CHECK(0, "build: %s", errstr);
		return;
	}
	for (d = 0; d < 6; d++) {
		n = textindex_similar(ti, (uint32_t)d, 2, NULL, 0, out);
		for (i = 0, ok = n == 2; i < n; i++)
			ok = ok && out[i] != d && out[i] / 3 == d / 3;
		CHECK(ok, "doc %zu: its topic's two others", d);
	}
	/* excluded ones are left out, the next come up */
	ex[0] = 1;
	n = textindex_similar(ti, 0, 5, ex, 1, out);
	for (i = 0, ok = n >= 1 && out[0] == 2; i < n; i++)
		ok = ok && out[i] != 0 && out[i] != 1;
	CHECK(ok, "excluded: %zu", n);
	ex[1] = 2;
	n = textindex_similar(ti, 0, 5, ex, 2, out);
	for (i = 0, ok = 1; i < n; i++)
		ok = ok && out[i] != 0 && out[i] != 1 && out[i] != 2;
	CHECK(ok, "both excluded");
	/* fewer than k when no more docs share a term */
	CHECK(textindex_similar(ti, 6, 5, NULL, 0, out) == 2, "only two");
	CHECK(textindex_similar(ti, 9, 5, NULL, 0, out) == 0, "no shared");
	CHECK(textindex_similar(ti, 10, 5, NULL, 0, out) == 0, "unknown doc");
	CHECK(textindex_similar(ti, 0, 0, NULL, 0, out) == 0, "k 0");
	/* identical docs tie: the lower id first, never itself */
	n = textindex_similar(ti, 7, 5, NULL, 0, out);
	CHECK(n == 2 && out[0] == 6 && out[1] == 8, "ties by id");
	n = textindex_similar(ti, 8, 1, NULL, 0, out);
	CHECK(n == 1 && out[0] == 6, "best of a tie");
	textindex_free(ti);
}

/* Snippets: the paragraph with a query term, cut on a character. */
static void
test_snippet(void)
{
	static const char *paras[] = {
	    "Gemini is a small protocol for the web.",
	    "Gopher came first. Its menus list items of a type each: files, "
	    "directories, search servers, and some of the older clients still "
	    "show them all as plain text lines; the selectors are opaque.",
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
	    " wordy",
	};
	struct textindex_doc	 doc = { "Protocols", paras, NELEM(paras) };
	struct textindex_doc	 none = { "Empty", NULL, 0 };
	struct textindex_doc	 eacute = { "\u00e9", paras + 2, 1 };
	char			 out[TEXTINDEX_SNIPPET_MAX + 40];

	CHECK(textindex_snippet(&doc, "gemini", out, sizeof(out)) == 1,
	    "match");
	CHECK_STR(out, paras[0]);
	/* a word far in: from shortly before it, marked */
	CHECK(textindex_snippet(&doc, "selector", out, sizeof(out)) == 1,
	    "far match");
	CHECK(strncmp(out, "\u2026 ", 4) == 0 && strstr(out, "selectors") !=
	    NULL && strlen(out) <= TEXTINDEX_SNIPPET_MAX, "around: %s", out);
	/* no match: the first paragraph */
	CHECK(textindex_snippet(&doc, "unicorn the", out, sizeof(out)) == 0,
	    "no match");
	CHECK_STR(out, paras[0]);
	CHECK(textindex_snippet(&doc, NULL, out, sizeof(out)) == 0, "NULL");
	/* a long paragraph is cut on a space, with a mark */
	CHECK(textindex_snippet(&doc, "menus", out, sizeof(out)) == 1, "menu");
	CHECK(strncmp(out, "Gopher came first.", 18) == 0 &&
	    strlen(out) <= TEXTINDEX_SNIPPET_MAX && strcmp(out + strlen(out) -
	    3, "\u2026") == 0 && out[strlen(out) - 4] != ' ', "cut: %s", out);
	/* after a long word, the match follows the mark */
	CHECK(textindex_snippet(&doc, "wordy", out, sizeof(out)) == 1, "wordy");
	CHECK_STR(out, "\u2026 wordy");
	/* two-byte characters only: cut between two of them */
	CHECK(textindex_snippet(&eacute, "unicorn", out, sizeof(out)) == 0 &&
	    strlen(out) <= TEXTINDEX_SNIPPET_MAX && utf8_valid(out,
	    strlen(out)) && strcmp(out + strlen(out) - 3, "\u2026") == 0,
	    "cut between characters");
	/* small buffers */
	CHECK(textindex_snippet(&doc, "gopher", out, 8) == 1 &&
	    strlen(out) <= 7 && utf8_valid(out, strlen(out)), "small: %s", out);
	CHECK(textindex_snippet(&doc, "wordy", out, 4) == 1 &&
	    strlen(out) <= 3 && utf8_valid(out, strlen(out)), "tiny");
	CHECK(textindex_snippet(&doc, "gopher", out, 1) == 1 &&
	    out[0] == '\0', "only the NUL");
	CHECK(textindex_snippet(&doc, "gopher", out, 0) == -1, "no room");
	CHECK(textindex_snippet(&none, "gopher", out, sizeof(out)) == 0 &&
	    out[0] == '\0', "no paragraphs");
}

#define RND_DOCS	3000
#define RND_WORDS	3000
#define RND_CHECKED	60

struct rnd {
	char		*r_text[RND_DOCS];
	const char	*r_para[RND_DOCS][1];
	uint32_t	*r_term[RND_DOCS];	/* word ids, with repeats */
	size_t		 r_nterm[RND_DOCS];
	int		 r_df[RND_WORDS];
	double		 r_len[RND_DOCS];
};

static uint32_t rnd_state = 12345;

static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Word w: three syllables, distinct for distinct w, stemmed as is. */
static void
word(uint32_t w, char *s)
{
	static const char c[] = "bdfgkmpvz", v[] = "aiou";

	s[0] = c[w % 9];
	s[1] = v[w / 9 % 4];
	s[2] = c[w / 36 % 9];
	s[3] = v[w / 324 % 4];
	s[4] = c[w / 1296 % 9];
	s[5] = 'a';
	s[6] = '\0';
}

static int
tf_of(const struct rnd *r, size_t d, uint32_t w)
{
	size_t	 i;
	int	 tf = 0;

	for (i = 0; i < r->r_nterm[d]; i++)
		tf += r->r_term[d][i] == w;
	return tf;
}

static double
cosine(const struct rnd *r, size_t a, size_t b)
{
	double	 s = 0;
	size_t	 i, j;
	int	 seen, tf;
	uint32_t t;

	for (i = 0; i < r->r_nterm[a]; i++) {
		t = r->r_term[a][i];
		for (j = 0, seen = 0; j < i; j++)
			seen |= r->r_term[a][j] == t;
		if (!seen && (tf = tf_of(r, b, t)) > 0)
			s += weight(tf_of(r, a, t), r->r_df[t], RND_DOCS) *
			    weight(tf, r->r_df[t], RND_DOCS);
	}
	return s / (r->r_len[a] * r->r_len[b]);
}

struct search_job {
	const struct textindex	*sj_ti;
	int			 sj_ok;
};

/* Every thread searches the same words and must see the same hits. */
static void *
search_job(void *arg)
{
	struct search_job	*j = arg;
	struct textindex_hit	 h[5], first[5];
	char			 q[32];
	size_t			 n, n0 = 0, i;
	uint32_t		 w;

	j->sj_ok = 1;
	for (i = 0; i < 400; i++) {
		w = (uint32_t)(i % 20) * 7;
		word(w, q);
		q[6] = ' ';
		word(w + 1, q + 7);
		n = textindex_search(j->sj_ti, q, 5, h);
		if (i < 20)
			continue;
		if (i == 20) {
			memcpy(first, h, sizeof(h));
			n0 = n;
		} else if (i % 20 == 0)
			j->sj_ok &= n == n0 && memcmp(first, h, n *
			    sizeof(h[0])) == 0;
	}
	return NULL;
}

/* Random docs of few words, each in few docs (see word()). */
static int
rnd_make(struct rnd *r, struct textindex_doc *docs)
{
	size_t	 d, i;
	double	 s;
	int	 seen[RND_WORDS] = { 0 };

	for (d = 0; d < RND_DOCS; d++) {
		r->r_nterm[d] = 6 + rnd() % 12;
		r->r_text[d] = calloc(r->r_nterm[d], 8);
		r->r_term[d] = calloc(r->r_nterm[d], sizeof(uint32_t));
		if (r->r_text[d] == NULL || r->r_term[d] == NULL)
			return -1;
		for (i = 0; i < r->r_nterm[d]; i++) {
			r->r_term[d][i] = rnd() % RND_WORDS;
			word(r->r_term[d][i], r->r_text[d] + 8 * i);
			memcpy(r->r_text[d] + 8 * i + 6, "  ", 2);
			if (seen[r->r_term[d][i]] != (int)d + 1) {
				seen[r->r_term[d][i]] = (int)d + 1;
				r->r_df[r->r_term[d][i]]++;
			}
		}
		r->r_text[d][8 * r->r_nterm[d] - 1] = '\0';
		r->r_para[d][0] = r->r_text[d];
		docs[d].td_title = NULL;
		docs[d].td_para = r->r_para[d];
		docs[d].td_npara = 1;
	}
	for (d = 0; d < RND_DOCS; d++) {
		for (i = 0, s = 0; i < RND_WORDS; i++)
			if (tf_of(r, d, (uint32_t)i) > 0)
				s += pow(weight(tf_of(r, d, (uint32_t)i),
				    r->r_df[i], RND_DOCS), 2);
		r->r_len[d] = sqrt(s);
	}
	return 0;
}

static const double *rnd_want;

/* Best exact score first, then the lower id. */
static int
cmp_want(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (rnd_want[x] != rnd_want[y])
		return rnd_want[x] < rnd_want[y] ? 1 : -1;
	return (x > y) - (x < y);
}

/*
 * textindex_similar of doc d, with and without its best excluded, has
 * the exact scores in the exact order (whichever of equal ones).
 */
static int
rnd_check(const struct textindex *ti, const struct rnd *r, uint32_t d)
{
	static double	 want[RND_DOCS];
	static uint32_t	 order[RND_DOCS];
	uint32_t	 out[5], ex;
	size_t		 e, i, n;

	for (e = 0; e < RND_DOCS; e++) {
		want[e] = e == d ? -1 : cosine(r, d, e);
		order[e] = (uint32_t)e;
	}
	rnd_want = want;
	qsort(order, RND_DOCS, sizeof(order[0]), cmp_want);
	n = textindex_similar(ti, d, 5, NULL, 0, out);
	for (i = 0; i < n; i++)
		if (fabs(want[out[i]] - want[order[i]]) > 1e-5 * want[order[i]])
			return 0;
	if (n != 5)
		return 0;
	ex = out[0];
	n = textindex_similar(ti, d, 5, &ex, 1, out);
	for (i = 0; i < n; i++)
		if (out[i] == ex || fabs(want[out[i]] - want[order[i + 1]]) >
		    1e-5 * want[order[i + 1]])
			return 0;
	return n == 5;
}

/*
 * Many small random docs, enough for several build threads, with few
 * terms each and in few docs: then textindex_similar is the exact
 * cosine, which the test computes from the terms.
 */
static void
test_random(void)
{
	static struct rnd	 r;
	static struct textindex_doc docs[RND_DOCS];
	struct textindex	*ti;
	struct search_job	 job[4];
	pthread_t		 tid[4];
	const char		*errstr;
	size_t			 d, i, ok = 0;

	if (rnd_make(&r, docs) == -1 ||
	    (ti = textindex_build(docs, RND_DOCS, &errstr)) == NULL) {
		CHECK(0, "random docs");
		return;
	}
	for (d = 0; d < RND_CHECKED; d++)
		ok += rnd_check(ti, &r, (uint32_t)d);
	CHECK(ok == RND_CHECKED, "exact cosine for %zu of %d", ok,
	    RND_CHECKED);

	/* four threads search at once */
	for (i = 0; i < 4; i++) {
		job[i].sj_ti = ti;
		pthread_create(&tid[i], NULL, search_job, &job[i]);
	}
	for (i = 0, ok = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		ok += job[i].sj_ok;
	}
	CHECK(ok == 4, "concurrent searches");
	textindex_free(ti);
	for (d = 0; d < RND_DOCS; d++) {
		free(r.r_text[d]);
		free(r.r_term[d]);
	}
}

static int
array_doc(void *arg, size_t i, struct textindex_doc *doc, void **h)
{
	*doc = ((const struct textindex_doc *)arg)[i];
	*h = NULL;
	return 0;
}

/*
 * A view: a base of the random docs with doc 3 gone, and a delta of a
 * copy of doc 7 and a doc of two words no other doc has.  The copy is
 * doc 7's best match both ways (cosine 1), the rest of their lists is
 * the base's list of doc 7 without doc 3; doc 3 is never found; the new
 * words find the new doc.
 */
static void
test_view(void)
{
	static struct rnd	 r;
	static struct textindex_doc docs[RND_DOCS];
	struct textindex_doc	 dd[2];
	struct textindex_source	 src = { array_doc, NULL, dd, NULL };
	struct textindex_hit	 h[RND_DOCS];
	struct textindex	*base, *delta;
	struct textview		 tv;
	const char		*errstr, *news[1] = { "quuxword zzyxword" };
	uint8_t			 gone[RND_DOCS / 8 + 1] = { 0 };
	uint32_t		 out[6], list[6], three = 3, n0 = RND_DOCS;
	size_t			 n, nb, d, i, bad = 0, both = 0;
	char			 q[16];

	if (rnd_make(&r, docs) == -1 ||
	    (base = textindex_build(docs, RND_DOCS, &errstr)) == NULL) {
		CHECK(0, "random docs");
		return;
	}
	dd[0] = docs[7];
	dd[1].td_title = NULL;
	dd[1].td_para = news;
	dd[1].td_npara = 1;
	if ((delta = textindex_build_from(&src, 2, base, &errstr)) == NULL) {
		CHECK(0, "delta: %s", errstr);
		textindex_free(base);
		return;
	}
	CHECK(textindex_docs(base) == RND_DOCS && textindex_docs(delta) == 2,
	    "docs");
	gone[3 / 8] |= 1u << (3 % 8);
	tv.tv_base = base;
	tv.tv_delta = delta;
	tv.tv_gone = gone;
	nb = textindex_similar(base, 7, 4, &three, 1, list);
	n = textview_similar(&tv, n0, 5, NULL, 0, out);
	CHECK(n == 5 && out[0] == 7 && nb == 4 &&
	    memcmp(out + 1, list, 4 * sizeof(*out)) == 0,
	    "the copy's list: doc 7, then doc 7's");
	n = textview_similar(&tv, 7, 5, NULL, 0, out);
	CHECK(n == 5 && out[0] == n0 &&
	    memcmp(out + 1, list, 4 * sizeof(*out)) == 0,
	    "doc 7's list: the copy first");
	CHECK(textview_similar(&tv, 3, 5, NULL, 0, out) == 0, "gone: none");
	CHECK(textview_similar(&tv, n0 + 1, 5, NULL, 0, out) == 0,
	    "the new words are in no other doc");
	CHECK(textview_similar(&tv, n0 + 2, 5, NULL, 0, out) == 0,
	    "no such doc");
	for (d = 0; d < 60; d++) {
		n = textview_similar(&tv, (uint32_t)d, 5, NULL, 0, out);
		for (i = 0; i < n; i++)
			bad += out[i] == 3 || out[i] == d;
	}
	CHECK(bad == 0, "doc 3 and the doc itself never listed");
	n = textview_search(&tv, "zzyxword", 5, h);
	CHECK(n == 1 && h[0].th_doc == n0 + 1, "a new word finds the new doc");
	memcpy(q, r.r_text[7], 6);
	q[6] = '\0';
	n = textview_search(&tv, q, RND_DOCS, h);
	for (i = 0; i < n; i++) {
		bad += h[i].th_doc == 3;
		both += h[i].th_doc == 7 || h[i].th_doc == n0;
	}
	CHECK(bad == 0 && both == 2, "doc 7 and its copy found, doc 3 not");
	memcpy(q, r.r_text[3], 6);
	n = textview_search(&tv, q, RND_DOCS, h);
	for (i = 0; i < n; i++)
		bad += h[i].th_doc == 3;
	CHECK(bad == 0, "a word of doc 3 does not find it");
	textindex_free(delta);
	textindex_free(base);
	for (d = 0; d < RND_DOCS; d++) {
		free(r.r_text[d]);
		free(r.r_term[d]);
	}
}

/* Documents that stop their own build after STOP_AFTER loads. */
#define STOP_AFTER	100

struct stopping {
	const struct textindex_doc *st_docs;
	_Atomic int	 st_stop;
	_Atomic int	 st_loads;
};

static int
stopping_doc(void *arg, size_t i, struct textindex_doc *doc, void **h)
{
	struct stopping	*st = arg;

	if (atomic_fetch_add(&st->st_loads, 1) + 1 == STOP_AFTER)
		atomic_store(&st->st_stop, 1);
	*doc = st->st_docs[i];
	*h = NULL;
	return 0;
}

/* A build told to stop gives up soon, on every thread; else it builds. */
static void
test_stop(void)
{
	static struct rnd	 r;
	static struct textindex_doc docs[RND_DOCS];
	static struct stopping	 st;
	struct textindex_source	 src = { stopping_doc, NULL, &st,
				    &st.st_stop };
	struct textindex	*ti;
	const char		*errstr = NULL;
	size_t			 d;

	if (rnd_make(&r, docs) == -1) {
		CHECK(0, "random docs");
		return;
	}
	st.st_docs = docs;
	atomic_store(&st.st_stop, 1);
	ti = textindex_build_from(&src, RND_DOCS, NULL, &errstr);
	CHECK(ti == NULL && errstr != NULL &&
	    strcmp(errstr, TEXTINDEX_STOPPED) == 0 &&
	    atomic_load(&st.st_loads) == 0, "stopped before: %s, %d loads",
	    errstr, atomic_load(&st.st_loads));
	atomic_store(&st.st_stop, 0);
	errstr = NULL;
	ti = textindex_build_from(&src, RND_DOCS, NULL, &errstr);
	CHECK(ti == NULL && errstr != NULL &&
	    strcmp(errstr, TEXTINDEX_STOPPED) == 0 &&
	    atomic_load(&st.st_loads) < RND_DOCS / 2,
	    "stopped on the way: %s, %d of %d loaded", errstr,
	    atomic_load(&st.st_loads), RND_DOCS);
	src.ts_stop = NULL;
	ti = textindex_build_from(&src, RND_DOCS, NULL, &errstr);
	CHECK(ti != NULL && textindex_docs(ti) == RND_DOCS,
	    "no flag: built");
	textindex_free(ti);
	for (d = 0; d < RND_DOCS; d++) {
		free(r.r_text[d]);
		free(r.r_term[d]);
	}
}

static void
test_empty(void)
{
	struct textindex_hit	 h[2];
	struct textindex	*ti;
	const char		*errstr;
	uint32_t		 out[2];

	if ((ti = textindex_build(NULL, 0, &errstr)) == NULL) {
		CHECK(0, "build: %s", errstr);
		return;
	}
	CHECK(textindex_search(ti, "anything", 2, h) == 0, "empty index");
	CHECK(textindex_similar(ti, 0, 2, NULL, 0, out) == 0, "no doc 0");
	CHECK(textindex_memory(ti) > 0, "memory");
	textindex_free(ti);
	CHECK(textindex_build(NULL, (size_t)TEXTINDEX_DOCS_MAX + 1,
	    &errstr) == NULL, "too many");
}

int
main(void)
{
	test_terms();
	test_example();
	test_weights();
	test_queries();
	test_similar();
	test_view();
	test_snippet();
	test_random();
	test_stop();
	test_empty();
	return TEST_DONE();
}
