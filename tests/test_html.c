/*
 * The HTML serialiser (html.h): escaping in each context, which URLs
 * become links, gemtext as HTML, and whole pages of hostile articles
 * written inert.
 */
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "html.h"
#include "page.h"
#include "render.h"
#include "site.h"
#include "test.h"

static const struct site site = {
	.s_title = "Notes",
	.s_host = "example.org",
	.s_gopher_host = "example.org",
	.s_port = { [ADDR_GEMINI] = 1965, [ADDR_GOPHER] = 70,
	    [ADDR_HTTP] = 8080 },
	.s_home_limit = 100,
	.s_similar = 5
};

/* f(b, s, n) as a string the caller frees. */
static char *
written(void (*f)(struct buf *, const char *, size_t), const char *s)
{
	struct buf	 b;

	buf_init(&b);
	f(&b, s, strlen(s));
	return b.b_data != NULL ? buf_steal(&b) : strdup("");
}

#define CHECK_WRITTEN(f, in, want) do {					\
	char	*got_ = written(f, in);					\
	CHECK_STR(got_, want);						\
	free(got_);							\
} while (0)

static void
check_escape(void)
{
	CHECK_WRITTEN(html_text, "<script>alert('x')&\"</script>",
	    "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;");
	CHECK_WRITTEN(html_text, "a\xE2\x80\xAE" "b\xE2\x81\xA6" "c\x01" "d\t\n",
	    "abcd\t\n");
	CHECK_WRITTEN(html_text, "bad \xFF\xC0 bytes, caf\xC3\xA9",
	    "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes, caf\xC3\xA9");
	CHECK_WRITTEN(html_text, "\xEF\xBF\xBF" "x\xC2\x85", "x");
	CHECK_WRITTEN(html_href, "/a b/\"x\"&y'<z>?q=é",
	    "/a%20b/%22x%22&amp;y&#39;%3Cz%3E?q=%C3%A9");
	CHECK_WRITTEN(html_href, "java\tscript:x", "java%09script:x");
}

static void
check_schemes(void)
{
	static const struct {
		const char	*url;
		int		 ok;
	} cases[] = {
		{ "/a/b.gmi", 1 }, { "b.gmi", 1 }, { "../x", 1 }, { "?q", 1 },
		{ "gemini://h/", 1 }, { "GOPHER://h/", 1 }, { "spartan://h/", 1 },
		{ "nex://h/", 1 }, { "http://h/", 1 }, { "https://h/", 1 },
		{ "mailto:a@b", 1 }, { "a/b:c", 1 },
		{ "javascript:alert(1)", 0 }, { "JavaScript:x", 0 },
		{ "data:text/html,x", 0 }, { "vbscript:x", 0 }, { "file:///", 0 },
		{ "", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(html_href_ok(cases[i].url, strlen(cases[i].url)) ==
		    cases[i].ok, "%s", cases[i].url);
}

static void
check_gemtext(void)
{
	CHECK_WRITTEN(html_gemtext,
	    "# T\n\nText <b>\n=> /a.gmi A\n=>b.gmi\n=> javascript:x bad\n"
	    "* one\n> q\n```alt\n<pre> &\n```\n## H\n### H3\n",
	    "<h2>T</h2>\n<p>Text &lt;b&gt;</p>\n<ul>\n"
	    "<li><a href=\"/a.gmi\">A</a></li>\n"
	    "<li><a href=\"b.gmi\">b.gmi</a></li>\n"
	    "<li>javascript:x bad</li>\n</ul>\n<ul>\n<li>one</li>\n</ul>\n"
	    "<blockquote>\n<p>q</p>\n</blockquote>\n<pre>&lt;pre&gt; &amp;\n"
	    "</pre>\n<h3>H</h3>\n<h4>H3</h4>\n");
	CHECK_WRITTEN(html_gemtext, "```\nnever closed", "<pre>never closed\n"
	    "</pre>\n");
}

/* The HTML of article src (alone in its catalog), to free. */
static char *
article_html(const char *src)
{
	struct catalog	*c = catalog_new();
	struct article	 a;
	struct page	 p;
	struct buf	 b;
	const char	*errstr;
	char		*out = NULL;

	if (article_load(&a, src, strlen(src), &errstr) == -1)
		return strdup("(not an article)");
	catalog_add(c, "a.txt", &a, 86400);
	catalog_finish(c);
	buf_init(&b);
	page_init(&p);
	if (render_built(&b, &p, page_article(&p, &a, c, catalog_art(c, 0),
	    NULL, 0), RENDER_HTML, &site) == 0)
		out = buf_steal(&b);
	buf_free(&b);
	article_free(&a);
	catalog_free(c);
	return out != NULL ? out : strdup("(failed)");
}

static void
check_hostile(void)
{
	char	*big, *h;
	size_t	 n = 8192;

	h = article_html("<script>alert(1)</script> \"><img src=x "
	    "onerror=alert(1)>\n\nSee javascript:alert(1) and "
	    "data:text/html,<b>x</b> and http://a.example/\"onmouseover=x "
	    "\xE2\x80\xAE" "evil\n");
	CHECK(strstr(h, "<script") == NULL && strstr(h, "<img") == NULL &&
	    strstr(h, "<b>") == NULL, "%s", h);
	CHECK(strstr(h, "<title>&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; \xE2\x80\x94 "
	    "Notes</title>") != NULL, "%s", h);
	CHECK(strstr(h, "href=\"javascript") == NULL &&
	    strstr(h, "href=\"data") == NULL, "%s", h);
	CHECK(strstr(h, "<a href=\"http://a.example/%22onmouseover=x\">"
	    "http://a.example/&quot;onmouseover=x</a>") != NULL, "%s", h);
	CHECK(strstr(h, "\xE2\x80\xAE") == NULL, "bidi control kept");
	free(h);
	big = malloc(n + 64);
	memcpy(big, "Title\n\nx <a title=\"", 19);
	memset(big + 19, 'A', n);
	strcpy(big + 19 + n, "\">y</a>\n");
	h = article_html(big);
	CHECK(strstr(h, "<a title") == NULL && strstr(h, "&lt;a title=&quot;")
	    != NULL, "8 KB attribute");
	free(h);
	free(big);
}

static void
check_page(void)
{
	char	*h = article_html("---\nlang: fr\n---\nCr\xC3\xAApes\n\nFlour, "
	    "see gemini://a.b/x.\n");

	CHECK(strncmp(h, "<!DOCTYPE html>\n<html lang=\"fr\">\n", 33) == 0,
	    "%s", h);
	CHECK(strstr(h, "<h1>Cr\xC3\xAApes</h1>\n<p class=\"date\"><time "
	    "datetime=\"1970-01-02\">1970-01-02</time></p>\n") != NULL, "%s", h);
	CHECK(strstr(h, "<p>Flour, see <a href=\"gemini://a.b/x\">"
	    "gemini://a.b/x</a>.</p>") != NULL, "%s", h);
	CHECK(strstr(h, "<link rel=\"alternate\" type=\"text/gemini\" "
	    "href=\"gemini://example.org/articles/crepes.gmi\">") != NULL,
	    "%s", h);
	CHECK(strstr(h, "<footer><p>Read this on <a href=\"gemini://example.org/"
	    "articles/crepes.gmi\">Gemini</a>, <a href=\"gopher://example.org/"
	    "1/articles/crepes/\">Gopher</a></p></footer>") != NULL, "%s", h);
	CHECK(strstr(h, "</main>\n") != NULL && strstr(h, "</html>\n") != NULL,
	    "%s", h);
	free(h);
}

int
main(void)
{
	check_escape();
	check_schemes();
	check_gemtext();
	check_hostile();
	check_page();
	return TEST_DONE();
}
