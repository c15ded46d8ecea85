/*
 * fuzz_textindex: any bytes as the text of a few articles (split at each
 * NUL; the first line of each is its title, the other lines its
 * paragraphs), indexed, and the last part also as a query and as a
 * delta article over the others (textindex_build_from with a base).
 *
 * Invariants: the index builds; every similar list (of the base and of
 * the view base + delta, with the first article gone) holds distinct
 * articles that exist, never the article itself nor a gone one, at most
 * k; search hits exist, are distinct and best first, and the view's
 * never include the gone article; snippets are at most
 * TEXTINDEX_SNIPPET_MAX bytes, and valid UTF-8 when the article is (the
 * server's always is: source.c cleans it); textindex_terms gives valid
 * UTF-8 words without upper-case ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "textindex.h"
#include "fuzz.h"

#define DOCS_MAX	8
#define PARA_MAX	16

struct docs {
	char			*d_text[DOCS_MAX];
	const char		*d_para[DOCS_MAX][PARA_MAX];
	struct textindex_doc	 d_doc[DOCS_MAX];
	size_t			 d_n;
};

/* Splits data into articles (at NUL) and lines (at LF). */
static void
split(const uint8_t *data, size_t size, struct docs *d)
{
	size_t	 i = 0, j, n;
	char	*p, *nl;

	memset(d, 0, sizeof(*d));
	while (i <= size && d->d_n < DOCS_MAX) {
		for (j = i; j < size && data[j] != '\0'; j++)
			continue;
		if ((p = malloc(j - i + 1)) == NULL)
			abort();
		memcpy(p, data + i, j - i);
		p[j - i] = '\0';
		d->d_text[d->d_n] = p;
		d->d_doc[d->d_n].td_title = p;
		d->d_doc[d->d_n].td_para = d->d_para[d->d_n];
		for (n = 0; n < PARA_MAX && (nl = strchr(p, '\n')) != NULL;
		    n++) {
			*nl = '\0';
			p = nl + 1;
			d->d_para[d->d_n][n] = p;
		}
		d->d_doc[d->d_n].td_npara = n;
		d->d_n++;
		i = j + 1;
	}
}

static void
check_list(const char *what, const uint32_t *out, size_t n, size_t k,
    uint32_t self, uint32_t ndocs, uint32_t gone)
{
	size_t	 i, j;

	FUZZ_CHECK(n <= k, what, NULL, 0, "%zu > k %zu", n, k);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(out[i] < ndocs && out[i] != self && out[i] != gone,
		    what, NULL, 0, "article %u listed (self %u, gone %u, of %u)",
		    out[i], self, gone, ndocs);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(out[j] != out[i], what, NULL, 0,
			    "article %u twice", out[i]);
	}
}

static void
check_hits(const char *what, const struct textindex_hit *h, size_t n,
    uint32_t ndocs, uint32_t gone)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(h[i].th_doc < ndocs && h[i].th_doc != gone, what,
		    NULL, 0, "hit %u (of %u, gone %u)", h[i].th_doc, ndocs,
		    gone);
		FUZZ_CHECK(i == 0 || h[i - 1].th_score >= h[i].th_score, what,
		    NULL, 0, "not best first");
		for (j = 0; j < i; j++)
			FUZZ_CHECK(h[j].th_doc != h[i].th_doc, what, NULL, 0,
			    "hit %u twice", h[i].th_doc);
	}
}

static int
doc_valid(const struct textindex_doc *doc)
{
	size_t	 i;

	for (i = 0; i < doc->td_npara; i++)
		if (!utf8_valid(doc->td_para[i], strlen(doc->td_para[i])))
			return 0;
	return 1;
}

static int
one_doc(void *arg, size_t i, struct textindex_doc *doc, void **h)
{
	(void)i;
	*doc = *(const struct textindex_doc *)arg;
	*h = NULL;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct docs		 d;
	struct textindex	*ti, *delta = NULL;
	struct textindex_source	 src;
	struct textindex_hit	 h[DOCS_MAX + 1];
	struct textview		 tv;
	struct buf		 b;
	const char		*errstr, *q;
	char			 snip[TEXTINDEX_SNIPPET_MAX + 8];
	uint32_t		 out[DOCS_MAX + 1], ex, i, nd;
	uint8_t			 gone = 1;
	size_t			 n, k;

	if (size > 65536)
		return 0;
	split(data, size, &d);
	nd = (uint32_t)d.d_n;
	ti = textindex_build(d.d_doc, d.d_n, &errstr);
	FUZZ_CHECK(ti != NULL, "textindex_build", NULL, 0, "%s", errstr);
	q = d.d_text[d.d_n - 1];
	for (k = 0; k <= 3; k += 3)
		for (i = 0; i < nd; i++) {
			n = textindex_similar(ti, i, k, NULL, 0, out);
			check_list("similar", out, n, k, i, nd, UINT32_MAX);
			ex = (i + 1) % nd;
			n = textindex_similar(ti, i, DOCS_MAX, &ex, 1, out);
			check_list("similar, excluding", out, n, DOCS_MAX, i,
			    nd, ex);
		}
	n = textindex_search(ti, q, DOCS_MAX, h);
	check_hits("search", h, n, nd, UINT32_MAX);
	for (i = 0; i < nd; i++) {
		FUZZ_CHECK(textindex_snippet(&d.d_doc[i], q, snip,
		    sizeof(snip)) >= 0, "snippet", NULL, 0, "failed");
		n = strlen(snip);
		FUZZ_CHECK(n <= TEXTINDEX_SNIPPET_MAX, "snippet", snip, n,
		    "too long");
		FUZZ_CHECK(utf8_valid(snip, n) || !doc_valid(&d.d_doc[i]),
		    "snippet", snip, n, "not UTF-8, of UTF-8 text");
	}

	/* the last article again, as a delta; the first one gone */
	src.ts_load = one_doc;
	src.ts_done = NULL;
	src.ts_arg = &d.d_doc[d.d_n - 1];
	src.ts_stop = NULL;
	delta = textindex_build_from(&src, 1, ti, &errstr);
	FUZZ_CHECK(delta != NULL, "delta", NULL, 0, "%s", errstr);
	tv.tv_base = ti;
	tv.tv_delta = delta;
	tv.tv_gone = &gone;
	for (i = 0; i <= nd; i++) {
		n = textview_similar(&tv, i, DOCS_MAX, NULL, 0, out);
		check_list("view similar", out, n, DOCS_MAX, i, nd + 1, 0);
		FUZZ_CHECK(i != 0 || n == 0, "view similar", NULL, 0,
		    "the gone article has a list");
	}
	n = textview_search(&tv, q, DOCS_MAX + 1, h);
	check_hits("view search", h, n, nd + 1, 0);

	buf_init(&b);
	FUZZ_CHECK(textindex_terms(q, strlen(q), &b) >= 0, "terms", NULL, 0,
	    "failed");
	for (n = 0; n < b.b_len; n++)
		FUZZ_CHECK(b.b_data[n] < 'A' || b.b_data[n] > 'Z', "terms",
		    b.b_data, b.b_len, "upper case");
	FUZZ_CHECK(b.b_len == 0 || utf8_valid(b.b_data, b.b_len), "terms",
	    b.b_data, b.b_len, "not UTF-8");
	buf_free(&b);

	textindex_free(delta);
	textindex_free(ti);
	for (i = 0; i < nd; i++)
		free(d.d_text[i]);
	return 0;
}
