/*
 * textindex_snip.c: textindex_snippet, the excerpt of an article shown
 * with a search hit: the first paragraph with a query term, from a word
 * shortly before it, cut to fit.
 */
#include <libstemmer.h>
#include <string.h>

#include "textindex.h"
#include "textindex_int.h"

/* Context kept before a match, and the cut mark. */
#define SNIP_BEFORE	40
#define ELLIPSIS	"\xE2\x80\xA6"

/*
 * Copies into out (budget bytes and a NUL) the paragraph s of len bytes,
 * from a word shortly before the match at `at` (mlen bytes) when the
 * match would not show otherwise; cuts on a space or a character.
 */
static void
excerpt(const char *s, size_t len, size_t at, size_t mlen, char *out,
    size_t budget)
{
	size_t	 start = 0, o = 0, cut, i, mark = budget >= 16 ? 3 : 0;

	if (mark && at + mlen + mark > budget) {
		start = at > SNIP_BEFORE ? at - SNIP_BEFORE : 0;
		for (i = start; i < at && s[i] != ' '; i++)
			continue;
		if (i < at)
			start = i + 1;
		while (start < at && ((unsigned char)s[start] & 0xc0) == 0x80)
			start++;
		if (start > 0) {
			memcpy(out, ELLIPSIS " ", 4);
			o = 4;
		}
	}
	if (len - start <= budget - o) {
		memcpy(out + o, s + start, len - start);
		out[o + len - start] = '\0';
		return;
	}
	cut = budget - o - mark;
	while (cut > 0 && ((unsigned char)s[start + cut] & 0xc0) == 0x80)
		cut--;
	for (i = cut; i > cut / 2 && s[start + i] != ' '; i--)
		continue;
	if (i > cut / 2)
		cut = i;
	memcpy(out + o, s + start, cut);
	memcpy(out + o + cut, ELLIPSIS, mark);
	out[o + cut + mark] = '\0';
}

/* Where in s the first of the nq stems q is, and its length. */
static int
find_term(struct sb_stemmer *st, const char *s, char (*q)[TOK_BUF],
    size_t nq, size_t *at, size_t *mlen)
{
	struct tok	 tk;
	const char	*t;
	size_t		 len, i;

	textindex_tok_init(&tk, s, strlen(s));
	while (textindex_tok_next(&tk)) {
		if (textindex_term_of(st, &tk, &t, &len) != 1)
			continue;
		for (i = 0; i < nq; i++)
			if (strlen(q[i]) == len && memcmp(q[i], t, len) == 0) {
				*at = (size_t)(tk.tk_start -
				    (const uint8_t *)s);
				*mlen = (size_t)(tk.tk_p - tk.tk_start);
				return 1;
			}
	}
	return 0;
}

int
textindex_snippet(const struct textindex_doc *doc, const char *query,
    char *out, size_t outlen)
{
	struct sb_stemmer *st = NULL;
	struct tok	 tk;
	char		 q[TEXTINDEX_QUERY_TERMS][TOK_BUF];
	const char	*t, *para;
	size_t		 nq = 0, i, len, at, mlen, budget;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (doc->td_npara == 0 || doc->td_para[0] == NULL)
		return 0;
	budget = outlen - 1 < TEXTINDEX_SNIPPET_MAX ? outlen - 1 :
	    TEXTINDEX_SNIPPET_MAX;
	if (query != NULL && (st = textindex_stemmer_new()) != NULL) {
		textindex_tok_init(&tk, query, textindex_query_len(query));
		while (nq < TEXTINDEX_QUERY_TERMS && textindex_tok_next(&tk))
			if (textindex_term_of(st, &tk, &t, &len) == 1 &&
			    len < TOK_BUF) {
				memcpy(q[nq], t, len);
				q[nq++][len] = '\0';
			}
		for (i = 0; i < doc->td_npara && nq > 0; i++) {
			if ((para = doc->td_para[i]) == NULL ||
			    !find_term(st, para, q, nq, &at, &mlen))
				continue;
			excerpt(para, strlen(para), at, mlen, out, budget);
			sb_stemmer_delete(st);
			return 1;
		}
		sb_stemmer_delete(st);
	}
	excerpt(doc->td_para[0], strlen(doc->td_para[0]), 0, 0, out, budget);
	return 0;
}
