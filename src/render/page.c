#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "page.h"
#include "search.h"
#include "site.h"
#include "utf8.h"

#define IN_ALL		PAGE_IN_ALL
#define IN_HYPER	PAGE_IN(PAGE_HYPERTEXT)
#define IN_MENU		PAGE_IN(PAGE_MENU)
#define IN_PLAIN	PAGE_IN(PAGE_PLAIN)

void
page_init(struct page *p)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->pg_arena);
}

void
page_free(struct page *p)
{
	free(p->pg_block);
	arena_free(&p->pg_arena);
	page_init(p);
}

/*
 * Append a block of type t shown in media (PAGE_IN() bits) with text s
 * (borrowed; NULL allowed); NULL when out of memory (pg_failed is set).
 */
struct page_block *
page_add(struct page *p, enum page_block_type t, unsigned media,
    const char *s)
{
	struct page_block	*b;
	size_t			 ncap;

	if (p->pg_failed)
		return NULL;
	if (p->pg_n == p->pg_cap) {
		ncap = p->pg_cap ? p->pg_cap * 2 : 32;
		if ((b = reallocarray(p->pg_block, ncap, sizeof(*b))) == NULL) {
			p->pg_failed = 1;
			return NULL;
		}
		p->pg_block = b;
		p->pg_cap = ncap;
	}
	b = &p->pg_block[p->pg_n++];
	memset(b, 0, sizeof(*b));
	b->pb_type = t;
	b->pb_media = media;
	b->pb_text = s;
	b->pb_len = s != NULL ? strlen(s) : 0;
	return b;
}

/* A link to a page of kind k, labelled s; the caller fills the target. */
struct page_block *
page_add_link(struct page *p, enum addr_kind k, unsigned media,
    const char *s)
{
	struct page_block	*b;

	if ((b = page_add(p, PAGE_LINK, media, s)) != NULL)
		b->pb_to.at_kind = k;
	return b;
}

/* A string the page keeps (in its arena); "" when out of memory. */
const char *
page_printf(struct page *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = arena_alloc(&p->pg_arena, (size_t)n + 1)) == NULL) {
		p->pg_failed = 1;
		return "";
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static int
done(const struct page *p)
{
	return p->pg_failed ? -1 : 0;
}

/* A link to article i of the catalog, labelled s. */
static struct page_block *
article_link(struct page *p, const struct catalog *c, size_t i,
    const char *s)
{
	struct page_block	*b;

	if ((b = page_add_link(p, ADDR_TO_ARTICLE, IN_ALL, s)) != NULL) {
		b->pb_to.at_slug = catalog_art(c, i)->ca_slug;
		b->pb_title = catalog_art(c, i)->ca_title;
	}
	return b;
}

static void
link_to(struct page *p, enum addr_kind k, unsigned media, const char *s,
    size_t n)
{
	struct page_block	*b;

	if ((b = page_add_link(p, k, media, s)) != NULL)
		b->pb_to.at_page = n;
}

/*
 * An article's related entries: a link to each that resolves, the
 * title alone of each that does not (yet); plain text sets each apart.
 */
static void
related(struct page *p, const struct article *a, const struct catalog *c)
{
	size_t	 k;
	int64_t	 t;

	if (a->a_nrel > 0) {
		page_add(p, PAGE_BREAK, IN_ALL, NULL);
		page_add(p, PAGE_HEADING, IN_ALL, "Related articles");
	}
	for (k = 0; k < a->a_nrel; k++) {
		page_add(p, PAGE_BREAK, IN_PLAIN, NULL);
		if ((t = catalog_resolve(c, article_rel_title(a, k))) >= 0)
			article_link(p, c, (size_t)t,
			    catalog_art(c, (size_t)t)->ca_title);
		else
			page_add(p, PAGE_PENDING, IN_ALL,
			    article_rel_title(a, k));
	}
}

/*
 * Article a, whose catalog entry is self (its slug and date), with the
 * similar articles sim[0 .. nsim) (catalog indexes; the section shows
 * in PAGE_SIMILAR_IN).  Gemtext is exactly the rendering of capsuled(8)
 * FORMAT until the similar section.
 */
int
page_article(struct page *p, const struct article *a,
    const struct catalog *c, const struct cat_article *self,
    const uint32_t *sim, size_t nsim)
{
	struct page_block	*b;
	char			 date[ADDR_DATE_LEN];
	size_t			 k;

	addr_date(date, self->ca_date);
	p->pg_self.at_kind = ADDR_TO_ARTICLE;
	p->pg_self.at_slug = self->ca_slug;
	p->pg_lang = self->ca_lang;
	if ((b = page_add(p, PAGE_TITLE, IN_ALL, a->a_title)) != NULL) {
		b->pb_date = self->ca_date;
		b->pb_dated = 1;
	}
	page_add(p, PAGE_LINE, IN_MENU | IN_PLAIN, page_printf(p, "%s", date));
	for (k = 0; k < a->a_npara; k++) {
		page_add(p, PAGE_BREAK, IN_ALL, NULL);
		page_add(p, PAGE_PARA, IN_ALL, a->a_para[k]);
	}
	page_add(p, PAGE_BREAK, IN_MENU, NULL);
	if ((b = page_add_link(p, ADDR_TO_TEXT, IN_MENU,
	    "Plain text version")) != NULL)
		b->pb_to.at_slug = self->ca_slug;
	related(p, a, c);
	if (nsim > 0) {
		page_add(p, PAGE_BREAK, PAGE_SIMILAR_IN, NULL);
		page_add(p, PAGE_HEADING, PAGE_SIMILAR_IN, "Similar articles");
	}
	for (k = 0; k < nsim; k++)
		if ((b = page_add_link(p, ADDR_TO_ARTICLE, PAGE_SIMILAR_IN,
		    catalog_art(c, sim[k])->ca_title)) != NULL)
			b->pb_to.at_slug = catalog_art(c, sim[k])->ca_slug;
	page_add(p, PAGE_BREAK, IN_MENU, NULL);
	link_to(p, ADDR_TO_HOME, IN_MENU, "Home", 0);
	return done(p);
}

/* Pages of SITE_PAGE_SIZE articles in the full list (0 when empty). */
size_t
page_npages(const struct catalog *c)
{
	return (c->c_nart + SITE_PAGE_SIZE - 1) / SITE_PAGE_SIZE;
}

/* Articles order[from .. to) as dated links "YYYY-MM-DD Title". */
static void
dated_links(struct page *p, const struct catalog *c, size_t from, size_t to)
{
	struct page_block	*b;
	const struct cat_article *ca;
	char			 date[ADDR_DATE_LEN];
	size_t			 k;

	for (k = from; k < to && k < c->c_nart; k++) {
		ca = catalog_art(c, catalog_order(c, k));
		addr_date(date, ca->ca_date);
		if ((b = article_link(p, c, catalog_order(c, k),
		    page_printf(p, "%s %s", date, ca->ca_title))) != NULL) {
			b->pb_date = ca->ca_date;
			b->pb_dated = 1;
		}
	}
}

/*
 * Links to page k over each protocol the site is served on, after a
 * break, when there is another than the one the page is read in: "Also
 * on Gopher" (each rendering leaves out its own).
 */
static void
elsewhere(struct page *p, const struct site *s, enum addr_kind k)
{
	struct addr_target	 t = { .at_kind = k };
	struct page_block	*b;
	char			 url[ADDR_URL_MAX];
	size_t			 i, n = 0;

	for (i = 0; i < NUM_ADDR_PROTOS; i++)
		n += s->s_port[i] != 0;
	if (n < 2)
		return;
	page_add(p, PAGE_BREAK, IN_ALL, NULL);
	for (i = 0; i < NUM_ADDR_PROTOS; i++) {
		if (s->s_port[i] == 0)
			continue;
		addr_url(url, sizeof(url), &t, (enum addr_proto)i, s);
		if ((b = page_add_link(p, ADDR_TO_URL, IN_ALL, page_printf(p,
		    "Also on %s", addr_proto_names[i]))) == NULL)
			return;
		b->pb_to.at_name = page_printf(p, "%s", url);
		b->pb_other = 1;
		b->pb_proto = (enum addr_proto)i;
	}
}

/*
 * The home page: the capsule title, the introduction (a capsule's
 * index.gmi, may be NULL), the newest s_home_limit articles (a gemfeed
 * in gemtext), the full list when there are more, the Atom feed and the
 * search.  Its dated links are also the Atom feed's entries (feed.c).
 */
int
page_home(struct page *p, const struct catalog *c, const struct site *s,
    const char *intro, size_t introlen)
{
	struct page_block	*b;

	p->pg_self.at_kind = ADDR_TO_HOME;
	page_add(p, PAGE_TITLE, IN_ALL, site_title(s));
	page_add(p, PAGE_BREAK, IN_ALL, NULL);
	if (intro != NULL && introlen > 0 &&
	    (b = page_add(p, PAGE_GEMTEXT, IN_HYPER, intro)) != NULL) {
		b->pb_len = introlen;
		page_add(p, PAGE_BREAK, IN_HYPER, NULL);
	}
	if (c->c_nart == 0)
		page_add(p, PAGE_LINE, IN_ALL, "No articles yet.");
	dated_links(p, c, 0, s->s_home_limit);
	page_add(p, PAGE_BREAK, IN_ALL, NULL);
	if (c->c_nart > s->s_home_limit) {
		link_to(p, ADDR_TO_LIST, IN_ALL, page_printf(p,
		    "All %zu articles", c->c_nart), 1);
		page_add(p, PAGE_BREAK, IN_MENU, NULL);
	}
	link_to(p, ADDR_TO_FEED, IN_HYPER, "Atom feed", 0);
	link_to(p, ADDR_TO_SEARCH, IN_ALL, "Search the articles", 0);
	elsewhere(p, s, ADDR_TO_HOME);
	return done(p);
}

/* Page n (from 1) of the full list; -1 when there is no such page. */
int
page_list(struct page *p, const struct catalog *c, size_t n,
    const struct site *s)
{
	size_t	 pages = page_npages(c);

	if (n < 1 || n > pages)
		return -1;
	p->pg_self.at_kind = ADDR_TO_LIST;
	p->pg_self.at_page = n;
	page_add(p, PAGE_TITLE, IN_HYPER, page_printf(p,
	    "%s: all articles, page %zu of %zu", site_title(s), n, pages));
	page_add(p, PAGE_LINE, IN_MENU | IN_PLAIN, page_printf(p,
	    "All articles, page %zu of %zu", n, pages));
	page_add(p, PAGE_BREAK, IN_ALL, NULL);
	dated_links(p, c, (n - 1) * SITE_PAGE_SIZE, n * SITE_PAGE_SIZE);
	page_add(p, PAGE_BREAK, IN_ALL, NULL);
	if (n > 1)
		link_to(p, ADDR_TO_LIST, IN_ALL, "Previous page", n - 1);
	if (n < pages)
		link_to(p, ADDR_TO_LIST, IN_ALL, "Next page", n + 1);
	link_to(p, ADDR_TO_HOME, IN_ALL, "Home", 0);
	return done(p);
}

/* "Search: " and the query cut to SEARCH_ECHO_COLS columns ("…" marks it). */
static const char *
echo(struct page *p, const char *q)
{
	size_t	 n = strlen(q), cut;

	cut = utf8_cut(q, n, SEARCH_ECHO_COLS);
	return page_printf(p, "Search: %.*s%s", (int)cut, q,
	    cut < n ? "\xE2\x80\xA6" : "");
}

static const char *
summary(struct page *p, size_t n)
{
	if (n == 0)
		return "No article matches these words.";
	if (n == 1)
		return "1 article found.";
	if (n < SEARCH_RESULTS_MAX)
		return page_printf(p, "%zu articles found.", n);
	return page_printf(p, "The %zu best matches.", n);
}

/*
 * The result page of query q (valid UTF-8 without control characters)
 * with hits h[0 .. n): a link to each article and its snippet.
 */
int
page_search(struct page *p, const struct catalog *c, const char *q,
    const struct search_hit *h, size_t n)
{
	const char	*title = echo(p, q);
	size_t		 i;

	p->pg_self.at_kind = ADDR_TO_SEARCH;
	page_add(p, PAGE_TITLE, IN_HYPER, title);
	page_add(p, PAGE_LINE, IN_MENU | IN_PLAIN, title);
	page_add(p, PAGE_BREAK, IN_HYPER, NULL);
	page_add(p, PAGE_LINE, IN_ALL, summary(p, n));
	for (i = 0; i < n; i++) {
		page_add(p, PAGE_BREAK, IN_ALL, NULL);
		article_link(p, c, h[i].sh_art,
		    catalog_art(c, h[i].sh_art)->ca_title);
		if (h[i].sh_snippet[0] != '\0')
			page_add(p, PAGE_TEXT, IN_ALL, h[i].sh_snippet);
	}
	page_add(p, PAGE_BREAK, IN_ALL, NULL);
	link_to(p, ADDR_TO_SEARCH, IN_ALL, "Search again", 0);
	link_to(p, ADDR_TO_HOME, IN_ALL, "Home", 0);
	return done(p);
}

/*
 * /search without words, where the search is asked for by a link (as
 * Spartan's "=:" line does): that link alone, and home.
 */
int
page_search_prompt(struct page *p)
{
	page_add(p, PAGE_TITLE, IN_HYPER, "Search");
	page_add(p, PAGE_BREAK, IN_HYPER, NULL);
	link_to(p, ADDR_TO_SEARCH, IN_ALL, "Search the articles", 0);
	link_to(p, ADDR_TO_HOME, IN_ALL, "Home", 0);
	return done(p);
}

/*
 * A generated listing of directory dir ("/a/b/", decoded, any bytes) with
 * entries e[0 .. n), already read, filtered and sorted by the caller.
 * Hypertext titles it "Index of <dir>" (bytes that are not clean UTF-8
 * escaped) and links the parent; a menu shows dir as it is.
 */
int
page_listing(struct page *p, const char *dir, const struct page_entry *e,
    size_t n)
{
	struct page_block	*b;
	struct buf		 t;
	size_t			 i;

	p->pg_self.at_kind = ADDR_TO_FILE;
	p->pg_self.at_dir = dir;
	p->pg_self.at_name = "";
	p->pg_self.at_is_dir = 1;
	buf_init(&t);
	buf_adds(&t, "Index of ");
	utf8_escape(&t, dir, strlen(dir));
	page_add(p, PAGE_TITLE, IN_HYPER, t.b_failed ? "" :
	    page_printf(p, "%s", t.b_data));
	p->pg_failed |= t.b_failed;
	buf_free(&t);
	page_add(p, PAGE_LINE, IN_MENU | IN_PLAIN, dir);
	page_add(p, PAGE_BREAK, IN_ALL, NULL);
	if ((b = page_add_link(p, ADDR_TO_PARENT, IN_HYPER,
	    "Parent directory")) != NULL)
		b->pb_to.at_dir = dir;
	for (i = 0; i < n; i++) {
		if ((b = page_add_link(p, ADDR_TO_FILE, IN_ALL, NULL)) == NULL)
			break;
		b->pb_to.at_dir = dir;
		b->pb_to.at_name = e[i].pe_name;
		b->pb_to.at_is_dir = e[i].pe_is_dir;
		b->pb_gopher_type = e[i].pe_is_dir ? '1' : e[i].pe_gopher_type;
	}
	return done(p);
}
