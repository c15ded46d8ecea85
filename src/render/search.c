#include <string.h>

#include "buf.h"
#include "page.h"
#include "render.h"
#include "search.h"

/* A query of nothing but spaces asks for nothing: the prompt again. */
int
search_is_blank(const char *q)
{
	return q[strspn(q, " \t")] == '\0';
}

/* page_search written in format f. */
static int
result_page(struct buf *b, const struct catalog *c, const char *q,
    const struct search_hit *h, size_t n, enum render_format f,
    const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_search(&p, c, q, h, n), f, site);
}

/*
 * The Gemini result page of query q (valid UTF-8 without control
 * characters) with hits h[0 .. n).
 */
int
search_gemtext(struct buf *b, const struct catalog *c, const char *q,
    const struct search_hit *h, size_t n)
{
	return result_page(b, c, q, h, n, RENDER_GEMTEXT, NULL);
}

/* The Gopher result menu: an item per hit, its snippet as info lines. */
int
search_gopher(struct buf *b, const struct catalog *c, const char *q,
    const struct search_hit *h, size_t n, const struct site *site)
{
	return result_page(b, c, q, h, n, RENDER_GOPHER_MENU, site);
}

/* Spartan's result page: gemtext whose "Search again" is an "=:" line. */
int
search_spartan(struct buf *b, const struct catalog *c, const char *q,
    const struct search_hit *h, size_t n, const struct site *site)
{
	return result_page(b, c, q, h, n, RENDER_SPARTAN, site);
}

/* Spartan's /search without words: a page that offers the "=:" line. */
int
search_spartan_prompt(struct buf *b, const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_search_prompt(&p), RENDER_SPARTAN,
	    site);
}
