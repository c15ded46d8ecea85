/*
 * search: the pages of /search (capsuled(8), DISCOVERY): the Gemini result page and the Gopher
 * result menu (page_search written in gemtext or as a menu), from the
 * hits snapshot_search found.  Pure: no I/O.
 *
 * Example: the query "tomato sauce" with two hits renders as
 *   # Search: tomato sauce
 *
 *   2 articles found.
 *
 *   => /articles/tomato-sauce.gmi Tomato Sauce
 *   Simmer the tomatoes with garlic…
 *   ...
 *   => /search Search again
 *   => / Home
 * and over Gopher as type-1 items, each followed by its snippet as an
 * info line; over Spartan "Search again" is "=: /search Search again".
 */
#ifndef SEARCH_H
#define SEARCH_H

#include <stddef.h>

#include "textindex.h"

/* Results shown for a query, best first. */
#define SEARCH_RESULTS_MAX	20
/* Articles read to find a phrase of several words as written. */
#define SEARCH_PHRASE_MAX	50
/* Columns of the query echoed at the top of a result page. */
#define SEARCH_ECHO_COLS	60

struct buf;
struct catalog;
struct site;

struct search_hit {
	size_t	 sh_art;			/* catalog index */
	char	 sh_snippet[TEXTINDEX_SNIPPET_MAX + 1];
};

int	 search_is_blank(const char *);
int	 search_gemtext(struct buf *, const struct catalog *, const char *,
	    const struct search_hit *, size_t);
int	 search_gopher(struct buf *, const struct catalog *, const char *,
	    const struct search_hit *, size_t, const struct site *);
int	 search_spartan(struct buf *, const struct catalog *, const char *,
	    const struct search_hit *, size_t, const struct site *);
int	 search_spartan_prompt(struct buf *, const struct site *);

#endif
