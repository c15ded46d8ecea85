#include <string.h>

#include "addr.h"
#include "buf.h"
#include "catalog.h"
#include "gemtext.h"
#include "gopher_render.h"
#include "search.h"
#include "site.h"
#include "utf8.h"

/* A query of nothing but spaces asks for nothing: the prompt again. */
int
search_is_blank(const char *q)
{
	return q[strspn(q, " \t")] == '\0';
}

/* The query as shown: cut to SEARCH_ECHO_COLS columns ("…" marks it). */
static void
echo(struct buf *b, const char *q)
{
	size_t	 n = strlen(q), cut;

	cut = utf8_cut(q, n, SEARCH_ECHO_COLS);
	buf_add(b, q, cut);
	if (cut < n)
		buf_adds(b, "\xE2\x80\xA6");
}

static void
summary(struct buf *b, size_t n)
{
	if (n == 0)
		buf_adds(b, "No article matches these words.");
	else if (n == 1)
		buf_adds(b, "1 article found.");
	else if (n < SEARCH_RESULTS_MAX)
		buf_printf(b, "%zu articles found.", n);
	else
		buf_printf(b, "The %zu best matches.", n);
}

/*
 * The Gemini result page of query q (valid UTF-8 without control
 * characters) with hits h[0 .. n).
 */
int
search_gemtext(struct buf *b, const struct catalog *c, const char *q,
    const struct search_hit *h, size_t n)
{
	size_t	 i;

	buf_adds(b, "# Search: ");
	echo(b, q);
	buf_adds(b, "\n\n");
	summary(b, n);
	buf_addc(b, '\n');
	for (i = 0; i < n; i++) {
		buf_printf(b, "\n=> /articles/%s.gmi %s\n",
		    c->c_art[h[i].sh_art].ca_slug,
		    c->c_art[h[i].sh_art].ca_title);
		if (h[i].sh_snippet[0] == '\0')
			continue;
		if (gemtext_needs_space(h[i].sh_snippet))
			buf_addc(b, ' ');
		buf_adds(b, h[i].sh_snippet);
		buf_addc(b, '\n');
	}
	buf_adds(b, "\n=> /search Search again\n=> / Home\n");
	return b->b_failed ? -1 : 0;
}

/* The Gopher result menu: an item per hit, its snippet as info lines. */
int
search_gopher(struct buf *b, const struct catalog *c, const char *q,
    const struct search_hit *h, size_t n, const struct site *site)
{
	char		 sel[ADDR_SELECTOR_MAX];
	struct buf	 line;
	size_t		 i;

	buf_init(&line);
	buf_adds(&line, "Search: ");
	echo(&line, q);
	gopher_info(b, line.b_data != NULL ? line.b_data : "", line.b_len);
	buf_reset(&line);
	summary(&line, n);
	gopher_info(b, line.b_data != NULL ? line.b_data : "", line.b_len);
	if (line.b_failed)
		b->b_failed = 1;
	buf_free(&line);
	for (i = 0; i < n; i++) {
		gopher_info(b, "", 0);
		addr_selector(sel, sizeof(sel), c->c_art[h[i].sh_art].ca_slug,
		    "/");
		gopher_item(b, '1', c->c_art[h[i].sh_art].ca_title, sel,
		    site);
		if (h[i].sh_snippet[0] != '\0')
			gopher_wrap_info(b, h[i].sh_snippet);
	}
	gopher_info(b, "", 0);
	gopher_item(b, '7', "Search again", "/search", site);
	gopher_item(b, '1', "Home", "/", site);
	buf_adds(b, ".\r\n");
	return b->b_failed ? -1 : 0;
}
