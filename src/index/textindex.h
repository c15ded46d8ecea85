/*
 * textindex: similar articles and full-text search over the text of a
 * capsule (capsuled(8), DISCOVERY): tokens (lower case, without
 * accents), English stop words, Snowball stems, TF-IDF weights and an
 * inverted index.
 *
 * Example: three articles
 *   0 "Tomato Sauce"   "Simmer the tomatoes with garlic."
 *   1 "Growing Tomatoes" "Tomato seedlings need light and warmth."
 *   2 "Knife Skills"   "Hold the knife like this."
 * Their terms are 0 {tomato×4, sauc×3, simmer, garlic} (title words
 * count TEXTINDEX_TITLE_WEIGHT times; "tomatoes" stems to "tomato",
 * "the" and "with" are stop words), 1 {grow×3, tomato×4, seedl, need,
 * light, warmth} and 2 {knife×4, skill×3, hold, like}.  A term in df
 * of the n articles has the weight w = (1 + ln tf) * idf, with
 * idf = ln((1 + n) / (1 + df)) + 1 ("garlic": ln(4 / 2) + 1 = 1.69),
 * and each article's weights are scaled to length 1.  Then
 * textindex_similar(ti, 0, 1, NULL, 0, out) gives out[0] = 1 (they
 * share "tomato"), textindex_search(ti, "garlic", ...) gives one hit,
 * article 0, and textindex_search(ti, "the", ...) none (a stop word).
 *
 * Use: textindex_build once over every article; the index then is
 * read-only and textindex_similar, textindex_search, textindex_snippet
 * and textindex_memory may be called from any number of threads at once.
 * Each query stems with a Snowball stemmer of its own (creating one costs
 * about as much as locking a shared one, and never waits), and borrows
 * scratch space (a score per article) from a pool in the index, which
 * then holds one per thread that ever queried at the same time;
 * textindex_memory counts them.  The index keeps no pointer into the
 * articles: free them at will.
 */
#ifndef TEXTINDEX_H
#define TEXTINDEX_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct buf;

/* A title word counts as this many occurrences: titles say what an
   article is about. */
#define TEXTINDEX_TITLE_WEIGHT	3
/* Longer tokens (hashes, base64, URLs without separators) are skipped. */
#define TEXTINDEX_TOKEN_MAX	64
/*
 * textindex_similar compares an article with the others through its
 * terms found in more than one article and in at most
 * max(n / TEXTINDEX_DF_CAP_DIV, TEXTINDEX_DF_CAP_MIN) articles (a term
 * in most articles says little about any of them): its
 * TEXTINDEX_SIM_TERMS heaviest, then lighter ones while the postings to
 * read stay within TEXTINDEX_SIM_POSTINGS (up to TEXTINDEX_SIM_TERMS_MAX:
 * small capsules afford every term).  Of a term in more than
 * TEXTINDEX_CHAMPIONS articles it reads only the postings of those where
 * it weighs most ("champion lists"), which bounds the work per article
 * whatever the size of the capsule.
 */
#define TEXTINDEX_SIM_TERMS	30
#define TEXTINDEX_SIM_TERMS_MAX	128
#define TEXTINDEX_DF_CAP_DIV	10
#define TEXTINDEX_DF_CAP_MIN	100
#define TEXTINDEX_CHAMPIONS	128
#define TEXTINDEX_SIM_POSTINGS	\
	(TEXTINDEX_SIM_TERMS * TEXTINDEX_CHAMPIONS)
/* A query is cut (on a character boundary) after this many bytes, and
   at most this many distinct terms of it are looked up. */
#define TEXTINDEX_QUERY_MAX	1024
#define TEXTINDEX_QUERY_TERMS	32
/* textindex_snippet writes at most this many bytes (and a NUL). */
#define TEXTINDEX_SNIPPET_MAX	160
/* Document ids and the offsets of the per-article lists fit 32 bits. */
#define TEXTINDEX_DOCS_MAX	(1u << 24)

/* One article: its title and paragraphs, UTF-8, borrowed. */
struct textindex_doc {
	const char		*td_title;	/* may be NULL */
	const char *const	*td_para;
	size_t			 td_npara;
};

/*
 * Where textindex_build_from takes the articles: load(arg, i, doc,
 * &handle) fills doc for article i (0, or -1: the article has no text
 * any more and gets no terms); done(arg, handle) then frees what load
 * made.  Called from several threads at once, each for its own i.
 * Once *stop (when stop is not NULL) is nonzero, the build gives up
 * soon: NULL, *errstr TEXTINDEX_STOPPED.
 */
struct textindex_source {
	int	 (*ts_load)(void *, size_t, struct textindex_doc *, void **);
	void	 (*ts_done)(void *, void *);
	void	  *ts_arg;
	const _Atomic int *ts_stop;
};

#define TEXTINDEX_STOPPED	"stopped"

struct textindex_hit {
	uint32_t	 th_doc;	/* index into the docs built from */
	float		 th_score;	/* see textindex_search */
};

struct textindex;

/*
 * Builds the index of docs[0 .. n); document ids are indexes into docs.
 * From a few thousand articles on it uses a thread per core, up to four.
 * NULL and *errstr on failure.
 */
struct textindex *textindex_build(const struct textindex_doc *, size_t,
	    const char **);
/*
 * The same from a source.  With a base index, a small index of the
 * articles added or changed since base was built (a "delta"): its terms
 * weigh what they weigh in base (a term base lacks counts as found in
 * the delta's articles only), so that a textview (below) can compare
 * and rank articles of both as if they were one index.
 */
struct textindex *textindex_build_from(const struct textindex_source *,
	    size_t, const struct textindex *, const char **);
void	 textindex_free(struct textindex *);
/* The number of articles indexed. */
size_t	 textindex_docs(const struct textindex *);
/* Bytes of memory the index holds. */
size_t	 textindex_memory(const struct textindex *);

/*
 * The k articles most similar to doc, best first, ties to the lower id,
 * never doc itself nor any of exclude[0 .. nexclude): by the cosine of
 * their weight vectors over the terms doc is compared through (above),
 * an article counting for a common term only if it is one of the term's
 * champions.  Writes them to out[0 .. k) and returns how many there are
 * (fewer when fewer articles share such terms with doc; 0 for an
 * unknown doc), or -1 when out of memory: never an empty list for that.
 */
ssize_t	 textindex_similar(const struct textindex *, uint32_t, size_t,
	    const uint32_t *, size_t, uint32_t *);

/*
 * The (at most max) articles containing terms of the query, best first,
 * ties to the lower id, into out; returns how many.  The score of an
 * article is the sum over the query terms it has of idf(t) * w(t, d)
 * (the cosine with the query's tf-idf vector), times the share of the
 * query's terms it has: an article with every word of a phrase comes
 * before one with only the rarest.  An empty query, or one of stop
 * words or unknown words only, finds nothing (0); -1 when out of memory.
 */
ssize_t	 textindex_search(const struct textindex *, const char *, size_t,
	    struct textindex_hit *);

/*
 * A base index seen with the changes since it was built: the articles
 * of tv_gone (one bit per base article: removed or replaced) left out,
 * those of tv_delta (built with tv_base as its base) added.  Articles
 * are numbered base first: delta article j is textindex_docs(base) + j.
 * textview_similar and textview_search work as textindex_similar and
 * textindex_search over every article of the view.
 */
struct textview {
	const struct textindex	*tv_base;
	const struct textindex	*tv_delta;	/* may be NULL */
	const uint8_t		*tv_gone;	/* may be NULL */
};

ssize_t	 textview_similar(const struct textview *, uint32_t, size_t,
	    const uint32_t *, size_t, uint32_t *);
ssize_t	 textview_search(const struct textview *, const char *, size_t,
	    struct textindex_hit *);

/*
 * A NUL-terminated excerpt of at most TEXTINDEX_SNIPPET_MAX bytes (and
 * outlen - 1), cut on a character boundary ("…" marks a cut): of the
 * first paragraph with a query term, from shortly before the term when
 * it would not show otherwise (returns 1); else the start of the first
 * paragraph (returns 0; "" without paragraphs).  -1 when outlen is 0.
 */
int	 textindex_snippet(const struct textindex_doc *, const char *,
	    char *, size_t);

/*
 * The terms of a text as the index sees them, appended to out separated
 * by single spaces: "The Gardener’s tomatoes" gives "garden tomato".
 * Returns the number of terms, -1 when out of memory.  For tests and
 * tools.
 */
int	 textindex_terms(const char *, size_t, struct buf *);

#endif
