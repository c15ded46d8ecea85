/*
 * The page model (page.h), its serialisers (render.h) and the addresses
 * they ask addr.h for: pages built once, then written per medium.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "meta.h"
#include "page.h"
#include "render.h"
#include "search.h"
#include "site.h"
#include "test.h"

static const struct site site = {
	.s_title = "Notes",
	.s_host = "example.org",
	.s_gopher_host = "example.org",
	.s_port = { [ADDR_GEMINI] = 1965, [ADDR_GOPHER] = 70 },
	.s_home_limit = 100,
	.s_similar = 5
};

static struct catalog *
capsule(void)
{
	static const char *const src[] = {
		"Tomato Sauce\n\nSimmer it. See gemini://a.b/x.\n",
		"Garlic\n\nPeel it.\n",
		"---\nlang: fr\n---\nCrêpes\n\nFlour.\n",
	};
	struct catalog	*c = catalog_new();
	struct article	 a;
	const char	*errstr;
	char		 name[16];
	size_t		 i;

	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		snprintf(name, sizeof(name), "%02zu.txt", i);
		if (article_load(&a, src[i], strlen(src[i]), &errstr) == 0) {
			catalog_add(c, name, &a, (int64_t)i * 86400);
			article_free(&a);
		}
	}
	catalog_finish(c);
	return c;
}

/* Page p written in format f, as a string the caller frees. */
static char *
write_page(const struct page *p, enum render_format f, const struct site *s)
{
	struct buf	 b;

	buf_init(&b);
	if (render_page(&b, p, f, s) == -1) {
		buf_free(&b);
		return strdup("(failed)");
	}
	return b.b_data != NULL ? buf_steal(&b) : strdup("");
}

static void
check_addr(void)
{
	static const struct {
		struct addr_target	 t;
		const char		*gemini, *gopher;
	} cases[] = {
		{ { ADDR_TO_HOME, NULL, 0, NULL, NULL, 0 }, "/", "/" },
		{ { ADDR_TO_ARTICLE, "crepes", 0, NULL, NULL, 0 },
		    "/articles/crepes.gmi", "/articles/crepes/" },
		{ { ADDR_TO_TEXT, "crepes", 0, NULL, NULL, 0 },
		    "/articles/crepes.txt", "/articles/crepes.txt" },
		{ { ADDR_TO_LIST, NULL, 12, NULL, NULL, 0 },
		    "/articles/page/12.gmi", "/articles/page/12/" },
		{ { ADDR_TO_FEED, NULL, 0, NULL, NULL, 0 }, "/atom.xml", "/atom.xml" },
		{ { ADDR_TO_SEARCH, NULL, 0, NULL, NULL, 0 }, "/search", "/search" },
		{ { ADDR_TO_FILE, NULL, 0, "/a/", "b c#é", 0 }, "b%20c%23%C3%A9",
		    "/a/b c#é" },
		{ { ADDR_TO_FILE, NULL, 0, "/a/", "sub", 1 }, "sub/", "/a/sub/" },
		{ { ADDR_TO_PARENT, NULL, 0, "/a/", NULL, 0 }, "../", "/a/" },
		{ { ADDR_TO_URL, NULL, 0, NULL, "https://x.y/", 0 },
		    "https://x.y/", "URL:https://x.y/" },
	};
	struct site	 s = site;
	char		 out[ADDR_URL_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		addr_path(out, sizeof(out), &cases[i].t, ADDR_GEMINI);
		CHECK_STR(out, cases[i].gemini);
		addr_path(out, sizeof(out), &cases[i].t, ADDR_GOPHER);
		CHECK_STR(out, cases[i].gopher);
	}
	addr_url(out, sizeof(out), &cases[3].t, ADDR_GOPHER, &s);
	CHECK_STR(out, "gopher://example.org/1/articles/page/12/");
	s.s_port[ADDR_GOPHER] = 7070;
	s.s_port[ADDR_GEMINI] = 1966;
	addr_url(out, sizeof(out), &cases[2].t, ADDR_GOPHER, &s);
	CHECK_STR(out, "gopher://example.org:7070/0/articles/crepes.txt");
	addr_gemini_url(out, sizeof(out), &s, "crepes");
	CHECK_STR(out, "gemini://example.org:1966/articles/crepes.gmi");
	addr_selector(out, sizeof(out), "crepes", ".gmi");
	CHECK_STR(out, "/articles/crepes.gmi");
	CHECK(addr_gopher_type(ADDR_TO_SEARCH) == '7', "search is type 7");

	/* Nex: directories end in "/", files relative; no feed, no search */
	addr_path(out, sizeof(out), &cases[1].t, ADDR_NEX);
	CHECK_STR(out, "/articles/crepes/");
	addr_path(out, sizeof(out), &cases[3].t, ADDR_NEX);
	CHECK_STR(out, "/articles/page/12/");
	addr_path(out, sizeof(out), &cases[6].t, ADDR_NEX);
	CHECK_STR(out, "b%20c%23%C3%A9");
	CHECK(addr_path(out, sizeof(out), &cases[5].t, ADDR_NEX) == -1 &&
	    out[0] == '\0' && !addr_has(ADDR_TO_SEARCH, ADDR_NEX) &&
	    addr_has(ADDR_TO_SEARCH, ADDR_GOPHER), "Nex has no search");
	CHECK(addr_url(out, sizeof(out), &cases[4].t, ADDR_NEX, &s) == -1 &&
	    out[0] == '\0', "nor a feed");
	s.s_port[ADDR_NEX] = 1900;
	addr_url(out, sizeof(out), &cases[1].t, ADDR_NEX, &s);
	CHECK_STR(out, "nex://example.org/articles/crepes/");
}

/* An article: the blocks, then the same page in three formats. */
static void
check_article(const struct catalog *c)
{
	static const char src[] = "Tomato Sauce\n\nSimmer it. See "
	    "gemini://a.b/x.\n\n.\n\nGarlic\nPeel.\nREAD MORE\n\n"
	    "Basil\nLater.\nREAD MORE\n";
	struct article	 a;
	struct page	 p;
	struct site	 strict = site;
	const char	*errstr;
	uint32_t	 sim[] = { 2 };
	int64_t		 self = catalog_find_name(c, "00.txt");
	char		*s;

	CHECK(article_load(&a, src, strlen(src), &errstr) == 0, "load");
	page_init(&p);
	CHECK(page_article(&p, &a, c, catalog_art(c, self), sim, 1) == 0, "built");
	CHECK(p.pg_n > 4 && p.pg_block[0].pb_type == PAGE_TITLE &&
	    p.pg_block[1].pb_type == PAGE_LINE &&
	    p.pg_block[1].pb_media == (PAGE_IN(PAGE_MENU) |
	    PAGE_IN(PAGE_PLAIN)), "a title, then a date hypertext omits");

	s = write_page(&p, RENDER_GEMTEXT, &site);
	CHECK_STR(s, "# Tomato Sauce\n\nSimmer it. See gemini://a.b/x.\n"
	    "=> gemini://a.b/x\n\n.\n\n## Related articles\n"
	    "=> /articles/garlic.gmi Garlic\nBasil\n"
	    "\n## Similar articles\n=> /articles/crepes.gmi Crêpes\n");
	free(s);

	s = write_page(&p, RENDER_GOPHER_MENU, &site);
	CHECK_STR(s, "iTomato Sauce\t\tnull.host\t1\r\n"
	    "i1970-01-01\t\tnull.host\t1\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "iSimmer it. See gemini://a.b/x.\t\tnull.host\t1\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "i.\t\tnull.host\t1\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "0Plain text version\t/articles/tomato-sauce.txt\texample.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "iRelated articles\t\tnull.host\t1\r\n"
	    "1Garlic\t/articles/garlic/\texample.org\t70\r\n"
	    "iBasil\t\tnull.host\t1\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "iSimilar articles\t\tnull.host\t1\r\n"
	    "1Crêpes\t/articles/crepes/\texample.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "1Home\t/\texample.org\t70\r\n.\r\n");
	free(s);

	s = write_page(&p, RENDER_GOPHER_TEXT, &site);
	CHECK_STR(s, "Tomato Sauce\r\n1970-01-01\r\n\r\n"
	    "Simmer it. See gemini://a.b/x.\r\n\r\n. \r\n"
	    "\r\nRelated articles\r\n"
	    "\r\nGarlic\r\n  gopher://example.org/1/articles/garlic/\r\n"
	    "  gemini://example.org/articles/garlic.gmi\r\n"
	    "\r\nBasil\r\n  (not published yet)\r\n");
	free(s);

	strict.s_gopher_strict = 1;
	s = write_page(&p, RENDER_GOPHER_TEXT, &strict);
	CHECK(strstr(s, "\r\n..\r\n") != NULL &&
	    strcmp(s + strlen(s) - 3, ".\r\n") == 0, "strict: dots doubled, "
	    "a final dot line");
	free(s);

	/* Nex: the menu's blocks as text and link lines */
	s = write_page(&p, RENDER_NEX_DIR, &site);
	CHECK_STR(s, "Tomato Sauce\n1970-01-01\n\n"
	    "Simmer it. See gemini://a.b/x.\n=> gemini://a.b/x\n\n.\n\n"
	    "=> /articles/tomato-sauce.txt Plain text version\n\n"
	    "Related articles\n=> /articles/garlic/ Garlic\nBasil\n\n"
	    "Similar articles\n=> /articles/crepes/ Crêpes\n\n=> / Home\n");
	free(s);

	/* Nex's text is Gopher's without a dot policy, strict or not */
	s = write_page(&p, RENDER_NEX_TEXT, &strict);
	CHECK_STR(s, "Tomato Sauce\r\n1970-01-01\r\n\r\n"
	    "Simmer it. See gemini://a.b/x.\r\n\r\n.\r\n"
	    "\r\nRelated articles\r\n"
	    "\r\nGarlic\r\n  gopher://example.org/1/articles/garlic/\r\n"
	    "  gemini://example.org/articles/garlic.gmi\r\n"
	    "\r\nBasil\r\n  (not published yet)\r\n");
	free(s);
	page_free(&p);
	article_free(&a);
}

static void
check_lists(const struct catalog *c)
{
	struct page	 p;
	struct site	 s = site;
	char		*g;

	s.s_home_limit = 1;
	page_init(&p);
	CHECK(page_home(&p, c, &s, "Hi", 2) == 0, "home");
	g = write_page(&p, RENDER_GEMTEXT, &s);
	CHECK_STR(g, "# Notes\n\nHi\n\n=> /articles/crepes.gmi 1970-01-03 "
	    "Crêpes\n\n=> /articles/page/1.gmi All 3 articles\n"
	    "=> /atom.xml Atom feed\n=> /search Search the articles\n\n"
	    "=> gopher://example.org/1/ Also on Gopher\n");
	free(g);
	/*
	 * Spartan's: the same but for the search, an input line, and the
	 * protocols named, all but its own
	 */
	g = write_page(&p, RENDER_SPARTAN, &s);
	CHECK_STR(g, "# Notes\n\nHi\n\n=> /articles/crepes.gmi 1970-01-03 "
	    "Crêpes\n\n=> /articles/page/1.gmi All 3 articles\n"
	    "=> /atom.xml Atom feed\n=: /search Search the articles\n\n"
	    "=> gemini://example.org/ Also on Gemini\n"
	    "=> gopher://example.org/1/ Also on Gopher\n");
	free(g);
	g = write_page(&p, RENDER_GOPHER_MENU, &s);
	CHECK_STR(g, "iNotes\t\tnull.host\t1\r\ni\t\tnull.host\t1\r\n"
	    "11970-01-03 Crêpes\t/articles/crepes/\texample.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "1All 3 articles\t/articles/page/1/\texample.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "7Search the articles\t/search\texample.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "hAlso on Gemini\tURL:gemini://example.org/\texample.org\t70\r\n"
	    ".\r\n");
	free(g);
	page_free(&p);

	/* only the protocols served, each page without its own */
	s.s_port[ADDR_GOPHER] = 0;
	s.s_port[ADDR_NEX] = 1900;
	page_init(&p);
	CHECK(page_home(&p, c, &s, NULL, 0) == 0, "home");
	g = write_page(&p, RENDER_GEMTEXT, &s);
	CHECK(strstr(g, "\n\n=> nex://example.org/ Also on Nex\n") != NULL &&
	    strstr(g, "Gopher") == NULL && strstr(g, "on Gemini") == NULL,
	    "gemtext: Nex only");
	free(g);
	page_free(&p);
	s.s_port[ADDR_SPARTAN] = 300;
	page_init(&p);
	CHECK(page_home(&p, c, &s, NULL, 0) == 0, "home");
	g = write_page(&p, RENDER_SPARTAN, &s);
	CHECK(strstr(g, "\n\n=> gemini://example.org/ Also on Gemini\n") !=
	    NULL && strstr(g, "on Spartan") == NULL, "Spartan: not its own");
	free(g);
	g = write_page(&p, RENDER_GEMTEXT, &s);
	CHECK(strstr(g, "\n=> spartan://example.org/ Also on Spartan\n") !=
	    NULL, "gemtext: Spartan too");
	free(g);
	page_free(&p);
	s.s_port[ADDR_SPARTAN] = 0;
	s.s_port[ADDR_NEX] = 0;
	page_init(&p);
	CHECK(page_home(&p, c, &s, NULL, 0) == 0, "home");
	g = write_page(&p, RENDER_GEMTEXT, &s);
	CHECK(strstr(g, "Also on") == NULL, "one protocol: no others named");
	free(g);
	/* Nex: the menu's home, without the search it has no address of
	   (nor the blank line before it) */
	g = write_page(&p, RENDER_NEX_DIR, &s);
	CHECK_STR(g, "Notes\n\n=> /articles/crepes/ 1970-01-03 Crêpes\n\n"
	    "=> /articles/page/1/ All 3 articles\n");
	free(g);
	page_free(&p);

	/* the Atom feed: the same page, its dated links as entries */
	page_init(&p);
	CHECK(page_home(&p, c, &s, NULL, 0) == 0, "home for Atom");
	g = write_page(&p, RENDER_ATOM, &s);
	CHECK(strstr(g, "<updated>1970-01-03T00:00:00Z</updated>\n<author>")
	    != NULL, "updated: the newest entry");
	CHECK(strstr(g, "<entry>\n<title>Crêpes</title>\n"
	    "<id>gemini://example.org/articles/crepes.gmi</id>\n") != NULL &&
	    strstr(g, "Search") == NULL && strstr(g, "Garlic") == NULL,
	    "one entry, titled without its date; no other link");
	CHECK(strcmp(g + strlen(g) - 8, "</feed>\n") == 0, "closed");
	free(g);
	page_free(&p);

	page_init(&p);
	CHECK(page_list(&p, c, 2, &s) == -1, "no page 2");
	page_free(&p);
	page_init(&p);
	CHECK(page_list(&p, c, 1, &s) == 0, "page 1");
	g = write_page(&p, RENDER_GOPHER_MENU, &s);
	CHECK(strncmp(g, "iAll articles, page 1 of 1\t", 27) == 0 &&
	    strstr(g, "1Home\t/\t") != NULL &&
	    strstr(g, "Previous") == NULL, "list menu");
	free(g);
	g = write_page(&p, RENDER_NEX_DIR, &s);
	CHECK_STR(g, "All articles, page 1 of 1\n\n"
	    "=> /articles/crepes/ 1970-01-03 Crêpes\n"
	    "=> /articles/garlic/ 1970-01-02 Garlic\n"
	    "=> /articles/tomato-sauce/ 1970-01-01 Tomato Sauce\n\n"
	    "=> / Home\n");
	free(g);
	page_free(&p);
}

/* A Nex text line that would begin with "=>" is not a link. */
static void
check_nex_lines(void)
{
	struct page	 p;
	char		*g;

	page_init(&p);
	page_add(&p, PAGE_TITLE, PAGE_IN_ALL, "=> /etc/passwd Title");
	page_add(&p, PAGE_PARA, PAGE_IN_ALL, "=>also wrapped: a paragraph long "
	    "enough to go onto the second line => and that one starts it");
	page_add(&p, PAGE_PENDING, PAGE_IN_ALL, "=> pending");
	page_add(&p, PAGE_LINE, PAGE_IN_ALL, "=> line");
	page_add(&p, PAGE_LINE, PAGE_IN_ALL, "= > not one");
	g = write_page(&p, RENDER_NEX_DIR, &site);
	CHECK_STR(g, " => /etc/passwd Title\n"
	    " =>also wrapped: a paragraph long enough to go onto the second "
	    "line\n"
	    " => and that one starts it\n => pending\n => line\n"
	    "= > not one\n");
	free(g);
	page_free(&p);
}

static void
check_search(const struct catalog *c)
{
	struct search_hit	 h[1];
	struct page		 p;
	char			*g;

	h[0].sh_art = 1;
	strcpy(h[0].sh_snippet, "# Peel it.");
	page_init(&p);
	CHECK(page_search(&p, c, "peel", h, 1) == 0, "search");
	g = write_page(&p, RENDER_GEMTEXT, &site);
	CHECK_STR(g, "# Search: peel\n\n1 article found.\n\n"
	    "=> /articles/garlic.gmi Garlic\n # Peel it.\n"
	    "\n=> /search Search again\n=> / Home\n");
	free(g);
	g = write_page(&p, RENDER_GOPHER_MENU, &site);
	CHECK_STR(g, "iSearch: peel\t\tnull.host\t1\r\n"
	    "i1 article found.\t\tnull.host\t1\r\ni\t\tnull.host\t1\r\n"
	    "1Garlic\t/articles/garlic/\texample.org\t70\r\n"
	    "i# Peel it.\t\tnull.host\t1\r\ni\t\tnull.host\t1\r\n"
	    "7Search again\t/search\texample.org\t70\r\n"
	    "1Home\t/\texample.org\t70\r\n.\r\n");
	free(g);
	page_free(&p);
}

/* The listings the routers make of a directory's entries. */
static void
check_listing(void)
{
	static const struct page_entry e[] = {
		{ "a b.txt", 0, '0' },
		{ "pic.png", 0, 'I' },
		{ "sub", 1, 0 },
		{ "\xff" "bad", 0, '9' },
	};
	struct page	 p;
	char		*g;

	page_init(&p);
	CHECK(page_listing(&p, "/docs/\x01", e, 4) == 0, "listing");
	g = write_page(&p, RENDER_GEMTEXT, &site);
	CHECK_STR(g, "# Index of /docs/\\x01\n\n=> ../ Parent directory\n"
	    "=> a%20b.txt a b.txt\n=> pic.png pic.png\n=> sub/ sub/\n"
	    "=> %FFbad \\xFFbad\n");
	free(g);
	page_free(&p);

	page_init(&p);
	CHECK(page_listing(&p, "/docs/", e + 1, 2) == 0, "menu listing");
	g = write_page(&p, RENDER_GOPHER_MENU, &site);
	CHECK_STR(g, "i/docs/\t\tnull.host\t1\r\ni\t\tnull.host\t1\r\n"
	    "Ipic.png\t/docs/pic.png\texample.org\t70\r\n"
	    "1sub\t/docs/sub/\texample.org\t70\r\n.\r\n");
	free(g);
	page_free(&p);

	page_init(&p);
	CHECK(page_listing(&p, "/docs/", e, 4) == 0, "Nex listing");
	g = write_page(&p, RENDER_NEX_DIR, &site);
	CHECK_STR(g, "/docs/\n\n=> a%20b.txt a b.txt\n=> pic.png pic.png\n"
	    "=> sub/ sub/\n=> %FFbad \\xFFbad\n");
	free(g);
	page_free(&p);

	page_init(&p);
	CHECK(page_listing(&p, "/", NULL, 0) == 0, "empty listing");
	g = write_page(&p, RENDER_GEMTEXT, &site);
	CHECK_STR(g, "# Index of /\n\n=> ../ Parent directory\n");
	free(g);
	page_free(&p);
}

/* Blocks show in their media only; a failed page writes nothing. */
static void
check_render(void)
{
	struct page	 p;
	char		*g;

	page_init(&p);
	page_add(&p, PAGE_LINE, PAGE_IN(PAGE_MENU), "menu only");
	page_add(&p, PAGE_LINE, PAGE_IN_ALL, page_printf(&p, "%d", 42));
	g = write_page(&p, RENDER_GEMTEXT, &site);
	CHECK_STR(g, "42\n");
	free(g);
	g = write_page(&p, RENDER_GOPHER_TEXT, &site);
	CHECK_STR(g, "42\r\n");
	free(g);
	CHECK(render_medium(RENDER_GOPHER_MENU) == PAGE_MENU, "medium");
	CHECK(render_medium(RENDER_SPARTAN) == PAGE_HYPERTEXT, "Spartan");
	page_free(&p);

	/* Spartan's "=:" is one more line type to neutralise, Gemini's not */
	page_init(&p);
	page_add(&p, PAGE_PARA, PAGE_IN_ALL, "=: not an input line");
	page_add(&p, PAGE_TEXT, PAGE_IN_ALL, "=: nor this");
	page_add(&p, PAGE_PARA, PAGE_IN_ALL, "=> nor a link");
	g = write_page(&p, RENDER_SPARTAN, &site);
	CHECK_STR(g, " =: not an input line\n =: nor this\n => nor a link\n");
	free(g);
	g = write_page(&p, RENDER_GEMTEXT, &site);
	CHECK_STR(g, "=: not an input line\n=: nor this\n => nor a link\n");
	free(g);
	p.pg_failed = 1;
	g = write_page(&p, RENDER_GEMTEXT, &site);
	CHECK_STR(g, "(failed)");
	free(g);
	page_free(&p);
}

/* The one place an entry is made from a meta keeps its lang. */
static void
check_entry(void)
{
	static const char src[] = "---\nlang: fr\n---\nCrêpes\n\nFlour.\n";
	struct cat_article	 ca;
	struct article		 a;
	struct meta		*m;
	const char		*errstr;

	CHECK(article_load(&a, src, strlen(src), &errstr) == 0, "load");
	m = meta_new("x.txt", &a, 86400);
	CHECK(m != NULL, "meta");
	catalog_entry(&ca, m);
	CHECK_STR(ca.ca_lang, "fr");
	CHECK_STR(ca.ca_slug, "crepes");
	CHECK(ca.ca_date == 86400 && ca.ca_own == NULL, "date, own slug");
	meta_unref(m);
	article_free(&a);
}

int
main(void)
{
	struct catalog	*c = capsule();

	check_addr();
	check_article(c);
	check_lists(c);
	check_search(c);
	check_listing();
	check_nex_lines();
	check_render();
	check_entry();
	catalog_free(c);
	return TEST_DONE();
}
