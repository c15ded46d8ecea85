#include <stdlib.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "feed.h"
#include "gopher_render.h"
#include "site.h"
#include "test.h"

static struct catalog *
capsule(size_t n)
{
	struct catalog	*c = catalog_new();
	struct article	 a;
	const char	*errstr;
	char		 src[64], name[32];
	size_t		 i;

	for (i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "Article %03zu <&>", i);
		snprintf(name, sizeof(name), "%03zu.txt", i);
		if (article_load(&a, src, strlen(src), &errstr) == 0) {
			catalog_add(c, name, &a, (int64_t)i * 86400);
			article_free(&a);
		}
	}
	catalog_finish(c);
	return c;
}

int
main(void)
{
	struct site	 s = { .s_title = "Notes & <more>",
			    .s_host = "example.org",
			    .s_gopher_host = "example.org",
			    .s_port = { [ADDR_GEMINI] = 1965, [ADDR_GOPHER] = 70 },
			    .s_home_limit = 2,
			    .s_similar = 5 };
	struct catalog	*c = capsule(3), *big;
	struct buf	 b;

	buf_init(&b);
	CHECK(feed_home(&b, c, &s, "Hello.", 6) == 0, "home");
	CHECK_STR(b.b_data, "# Notes & <more>\n\nHello.\n\n"
	    "=> /articles/article-002.gmi 1970-01-03 Article 002 <&>\n"
	    "=> /articles/article-001.gmi 1970-01-02 Article 001 <&>\n\n"
	    "=> /articles/page/1.gmi All 3 articles\n"
	    "=> /atom.xml Atom feed\n"
	    "=> /search Search the articles\n\n"
	    "=> gopher://example.org/1/ Also on Gopher\n");

	buf_reset(&b);
	s.s_title = NULL;
	s.s_home_limit = 100;
	s.s_port[ADDR_GEMINI] = 1966;
	CHECK(feed_atom(&b, c, &s) == 0, "atom");
	CHECK(strncmp(b.b_data, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "<title>example.org</title>\n"
	    "<id>gemini://example.org:1966/</id>\n", 140) == 0, "atom head");
	CHECK(strstr(b.b_data, "<updated>1970-01-03T00:00:00Z</updated>\n"
	    "<author>") != NULL, "feed updated is the newest article");
	CHECK(strstr(b.b_data, "<title>Article 000 &lt;&amp;&gt;</title>\n"
	    "<id>gemini://example.org:1966/articles/article-000.gmi</id>\n")
	    != NULL, "entry escaped, absolute id");
	CHECK(strcmp(b.b_data + b.b_len - 8, "</feed>\n") == 0, "closed");

	buf_reset(&b);
	CHECK(feed_page(&b, c, 2, &s) == -1, "no page 2");
	CHECK(feed_page(&b, c, 0, &s) == -1, "no page 0");
	CHECK(feed_page(&b, c, 1, &s) == 0, "page 1");
	CHECK(strstr(b.b_data, "page 1 of 1") != NULL, "page title");

	big = capsule(1200);
	buf_reset(&b);
	CHECK(feed_npages(big) == 3, "1200 articles: 3 pages");
	CHECK(feed_page(&b, big, 2, &s) == 0, "page 2");
	CHECK(strstr(b.b_data, "Article 699") != NULL &&
	    strstr(b.b_data, "Article 700") == NULL &&
	    strstr(b.b_data, "Article 200") != NULL &&
	    strstr(b.b_data, "Article 199") == NULL, "page 2 holds 699..200");
	CHECK(strstr(b.b_data, "=> /articles/page/1.gmi Previous page\n"
	    "=> /articles/page/3.gmi Next page\n=> / Home\n") != NULL, "nav");

	buf_reset(&b);
	s.s_home_limit = 1;
	CHECK(gopher_menu_home(&b, big, &s) == 0, "root menu");
	CHECK_STR(b.b_data, "iexample.org\t\tnull.host\t1\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "11973-04-14 Article 1199 <&>\t/articles/article-1199/\t"
	    "example.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "1All 1200 articles\t/articles/page/1/\texample.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "7Search the articles\t/search\texample.org\t70\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "hAlso on Gemini\tURL:gemini://example.org:1966/\texample.org\t70\r\n"
	    ".\r\n");
	buf_reset(&b);
	CHECK(gopher_menu_page(&b, big, 4, &s) == -1, "no gopher page 4");

	buf_free(&b);
	catalog_free(big);
	catalog_free(c);
	return TEST_DONE();
}
