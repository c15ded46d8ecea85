#include <stdio.h>
#include <string.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "addr.h"
#include "feed.h"
#include "gopher_render.h"
#include "site.h"
#include "utf8.h"

/* An info line: i<text>\t\tnull.host\t1, as Gopher clients expect. */
void
gopher_info(struct buf *b, const char *s, size_t n)
{
	buf_addc(b, 'i');
	buf_add(b, s, utf8_cut(s, n, GOPHER_DISPLAY_MAX));
	buf_adds(b, "\t\tnull.host\t1\r\n");
}

/* A display string of at most GOPHER_DISPLAY_MAX columns, "…" if cut. */
static void
display(struct buf *b, const char *s)
{
	size_t	 n = strlen(s);

	if (utf8_width(s, n) <= GOPHER_DISPLAY_MAX) {
		buf_add(b, s, n);
		return;
	}
	buf_add(b, s, utf8_cut(s, n, GOPHER_DISPLAY_MAX - 1));
	buf_adds(b, "\u2026");
}

void
gopher_item(struct buf *b, char type, const char *disp, const char *sel,
    const struct site *site)
{
	buf_addc(b, type);
	display(b, disp);
	buf_printf(b, "\t%s\t%s\t%u\r\n", sel, site->s_gopher_host,
	    site->s_gopher_port);
}

enum wrap_as {
	WRAP_INFO,	/* info lines of a menu */
	WRAP_TEXT,	/* type-0 text, default dot policy */
	WRAP_STRICT,	/* type-0 text, RFC 1436 dot-stuffing */
};

/* Wrap one line of text at GOPHER_WRAP columns into menu or text lines. */
static void
wrap(struct buf *b, const char *s, enum wrap_as as)
{
	struct utf8_wrap w;
	const char	*l;
	size_t		 n;

	if (utf8_wrap_init(&w, s, strlen(s), GOPHER_WRAP) == -1) {
		b->b_failed = 1;
		return;
	}
	while (utf8_wrap_next(&w, &l, &n)) {
		if (as == WRAP_INFO)
			gopher_info(b, l, n);
		else
			gopher_text_line(b, l, n, as == WRAP_STRICT);
	}
	utf8_wrap_free(&w);
}

void
gopher_wrap_info(struct buf *b, const char *s)
{
	wrap(b, s, WRAP_INFO);
}

static void
blank(struct buf *b)
{
	gopher_info(b, "", 0);
}

static void
item_article(struct buf *b, const struct catalog *c, size_t i,
    const char *label, const struct site *site)
{
	char	 sel[ADDR_SELECTOR_MAX];

	addr_selector(sel, sizeof(sel), c->c_art[i].ca_slug, "/");
	gopher_item(b, '1', label, sel, site);
}

/* The article menu, /articles/<slug>/; self is its catalog entry. */
int
gopher_menu_article(struct buf *b, const struct article *a,
    const struct catalog *c, const struct cat_article *self,
    const struct site *site, const uint32_t *sim, size_t nsim)
{
	char	 sel[ADDR_SELECTOR_MAX], date[ADDR_DATE_LEN];
	size_t	 k;
	int64_t	 t;

	gopher_wrap_info(b, a->a_title);
	addr_date(date, self->ca_date);
	gopher_info(b, date, strlen(date));
	for (k = 0; k < a->a_npara; k++) {
		blank(b);
		gopher_wrap_info(b, a->a_para[k]);
	}
	blank(b);
	addr_selector(sel, sizeof(sel), self->ca_slug, ".txt");
	gopher_item(b, '0', "Plain text version", sel, site);
	if (a->a_nrel > 0) {
		blank(b);
		gopher_info(b, "Related articles", 16);
	}
	for (k = 0; k < a->a_nrel; k++) {
		if ((t = catalog_resolve(c, article_rel_title(a, k))) >= 0)
			item_article(b, c, (size_t)t, c->c_art[t].ca_title,
			    site);
		else
			gopher_wrap_info(b, article_rel_title(a, k));
	}
	if (nsim > 0) {
		blank(b);
		gopher_info(b, "Similar articles", 16);
	}
	for (k = 0; k < nsim; k++)
		item_article(b, c, sim[k], c->c_art[sim[k]].ca_title, site);
	blank(b);
	gopher_item(b, '1', "Home", "/", site);
	buf_adds(b, ".\r\n");
	return b->b_failed ? -1 : 0;
}

/*
 * One line of type-0 text with CR LF.  Default: a line that is a lone
 * "." goes out as ". " so a strict client cannot stop early; strict RFC
 * 1436 mode doubles a leading "." instead (and the caller ends with ".").
 */
void
gopher_text_line(struct buf *b, const char *s, size_t n, int strict)
{
	if (strict && n > 0 && s[0] == '.')
		buf_addc(b, '.');
	buf_add(b, s, n);
	if (!strict && n == 1 && s[0] == '.')
		buf_addc(b, ' ');
	buf_adds(b, "\r\n");
}

static void
text_urls(struct buf *b, const struct catalog *c, size_t i,
    const struct site *site)
{
	char	 url[ADDR_URL_MAX];

	addr_gopher_url(url, sizeof(url), site, c->c_art[i].ca_slug);
	buf_printf(b, "  %s\r\n", url);
	addr_gemini_url(url, sizeof(url), site, c->c_art[i].ca_slug);
	buf_printf(b, "  %s\r\n", url);
}

/*
 * The plain-text version, /articles/<slug>.txt: title, date, the
 * paragraphs wrapped, then the related articles with their Gopher and
 * Gemini URLs so a reader of the text alone can still find them.
 */
int
gopher_text_article(struct buf *b, const struct article *a,
    const struct catalog *c, const struct cat_article *self,
    const struct site *site)
{
	char	 date[ADDR_DATE_LEN];
	size_t	 k;
	int64_t	 t;
	enum wrap_as as = site->s_gopher_strict ? WRAP_STRICT : WRAP_TEXT;

	wrap(b, a->a_title, as);
	addr_date(date, self->ca_date);
	gopher_text_line(b, date, strlen(date), as == WRAP_STRICT);
	for (k = 0; k < a->a_npara; k++) {
		buf_adds(b, "\r\n");
		wrap(b, a->a_para[k], as);
	}
	if (a->a_nrel > 0)
		buf_adds(b, "\r\nRelated articles\r\n");
	for (k = 0; k < a->a_nrel; k++) {
		buf_adds(b, "\r\n");
		t = catalog_resolve(c, article_rel_title(a, k));
		wrap(b, t >= 0 ? c->c_art[t].ca_title :
		    article_rel_title(a, k), as);
		if (t >= 0)
			text_urls(b, c, (size_t)t, site);
		else
			buf_adds(b, "  (not published yet)\r\n");
	}
	if (as == WRAP_STRICT)
		buf_adds(b, ".\r\n");
	return b->b_failed ? -1 : 0;
}

/* Articles order[from .. to) as menu items "YYYY-MM-DD Title". */
static void
list(struct buf *b, const struct catalog *c, size_t from, size_t to,
    const struct site *site)
{
	struct buf	 label;
	char		 date[ADDR_DATE_LEN];
	size_t		 k, i;

	buf_init(&label);
	for (k = from; k < to && k < c->c_nart; k++) {
		i = c->c_order[k];
		addr_date(date, c->c_art[i].ca_date);
		buf_reset(&label);
		buf_printf(&label, "%s %s", date, c->c_art[i].ca_title);
		if (label.b_failed)
			b->b_failed = 1;
		else
			item_article(b, c, i, label.b_data, site);
	}
	buf_free(&label);
}

/*
 * The root menu: the capsule title, the newest articles, the pages, the
 * search.
 */
int
gopher_menu_home(struct buf *b, const struct catalog *c,
    const struct site *site)
{
	char	 sel[64], label[64];
	size_t	 pages = feed_npages(c);

	gopher_wrap_info(b, site_title(site));
	blank(b);
	if (c->c_nart == 0)
		gopher_info(b, "No articles yet.", 16);
	list(b, c, 0, site->s_home_limit, site);
	if (c->c_nart > site->s_home_limit && pages > 0) {
		blank(b);
		snprintf(sel, sizeof(sel), "/articles/page/1/");
		snprintf(label, sizeof(label), "All %zu articles", c->c_nart);
		gopher_item(b, '1', label, sel, site);
	}
	blank(b);
	gopher_item(b, '7', "Search the articles", "/search", site);
	buf_adds(b, ".\r\n");
	return b->b_failed ? -1 : 0;
}

/* Page n (from 1) of the full list, /articles/page/<n>/. */
int
gopher_menu_page(struct buf *b, const struct catalog *c, size_t n,
    const struct site *site)
{
	char	 sel[64], label[64];
	size_t	 pages = feed_npages(c);

	if (n < 1 || n > pages)
		return -1;
	snprintf(label, sizeof(label), "All articles, page %zu of %zu", n,
	    pages);
	gopher_info(b, label, strlen(label));
	blank(b);
	list(b, c, (n - 1) * SITE_PAGE_SIZE, n * SITE_PAGE_SIZE, site);
	blank(b);
	if (n > 1) {
		snprintf(sel, sizeof(sel), "/articles/page/%zu/", n - 1);
		gopher_item(b, '1', "Previous page", sel, site);
	}
	if (n < pages) {
		snprintf(sel, sizeof(sel), "/articles/page/%zu/", n + 1);
		gopher_item(b, '1', "Next page", sel, site);
	}
	gopher_item(b, '1', "Home", "/", site);
	buf_adds(b, ".\r\n");
	return b->b_failed ? -1 : 0;
}
