#include <stdlib.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "gopher_render.h"
#include "site.h"
#include "test.h"
#include "utf8.h"

static const struct site site = {
	.s_title = "Test capsule",
	.s_host = "example.org",
	.s_gopher_host = "example.org",
	.s_port = { [ADDR_GEMINI] = 1965, [ADDR_GOPHER] = 7070 },
	.s_home_limit = 100,
	.s_similar = 5
};

static char *
text_line(const char *s, int strict)
{
	struct buf	 b;

	buf_init(&b);
	gopher_text_line(&b, s, strlen(s), strict);
	return buf_steal(&b);
}

/* Render src (file t.txt) in a capsule that also holds "Other". */
static char *
render(const char *src, int menu, int strict)
{
	struct article	 a;
	struct catalog	*c = catalog_new();
	struct site	 s = site;
	struct buf	 b;
	const char	*errstr;
	int64_t		 i;

	s.s_gopher_strict = strict;
	buf_init(&b);
	if (article_load(&a, "Other", 5, &errstr) == 0) {
		catalog_add(c, "o.txt", &a, 86400);
		article_free(&a);
	}
	if (article_load(&a, src, strlen(src), &errstr) == 0) {
		catalog_add(c, "t.txt", &a, 0);
		catalog_finish(c);
		i = catalog_find_name(c, "t.txt");
		if (menu)
			gopher_menu_article(&b, &a, c, catalog_art(c, i), &s,
			    NULL, 0);
		else
			gopher_text_article(&b, &a, c, catalog_art(c, i), &s);
		article_free(&a);
	}
	catalog_free(c);
	return buf_steal(&b);
}

#define INFO(x)	"i" x "\t\tnull.host\t1\r\n"

int
main(void)
{
	struct buf	 b;
	char		*got, wide[400];
	size_t		 i;

	got = text_line(".", 0);
	CHECK_STR(got, ". \r\n");
	free(got);
	got = text_line("..", 0);
	CHECK_STR(got, "..\r\n");
	free(got);
	got = text_line(".x", 1);
	CHECK_STR(got, "..x\r\n");
	free(got);
	got = text_line("x", 1);
	CHECK_STR(got, "x\r\n");
	free(got);

	/* display strings: at most 69 columns, cut on a character boundary */
	wide[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(wide, "\u5473");
	buf_init(&b);
	gopher_item(&b, '1', wide, "/s", &site);
	CHECK(utf8_width(b.b_data + 1, strcspn(b.b_data + 1, "\t")) <= 69,
	    "item display width");
	CHECK(strstr(b.b_data, "\u2026\t/s\texample.org\t7070\r\n") != NULL,
	    "cut display ends in an ellipsis: %s", b.b_data);
	buf_reset(&b);
	gopher_info(&b, wide, strlen(wide));
	CHECK(utf8_valid(b.b_data, b.b_len), "info cut is valid UTF-8");
	CHECK(utf8_width(b.b_data + 1, strcspn(b.b_data + 1, "\t")) == 68,
	    "34 wide characters fit in 69 columns");
	buf_free(&b);

	got = render("T\nP . x\nOTHER\ns\nREAD MORE\nGone\ns\nREAD MORE", 1, 0);
	CHECK_STR(got, INFO("T") INFO("1970-01-01") INFO("") INFO("P . x")
	    INFO("") "0Plain text version\t/articles/t.txt\texample.org\t7070\r\n"
	    INFO("") INFO("Related articles")
	    "1Other\t/articles/other/\texample.org\t7070\r\n"
	    INFO("Gone") INFO("") "1Home\t/\texample.org\t7070\r\n.\r\n");
	free(got);

	got = render("T\n.\n.x\nOTHER\ns\nREAD MORE\nGone\ns\nREAD MORE", 0, 0);
	CHECK_STR(got, "T\r\n1970-01-01\r\n\r\n. \r\n\r\n.x\r\n"
	    "\r\nRelated articles\r\n\r\nOther\r\n"
	    "  gopher://example.org:7070/1/articles/other/\r\n"
	    "  gemini://example.org/articles/other.gmi\r\n"
	    "\r\nGone\r\n  (not published yet)\r\n");
	free(got);

	got = render("T\n.\n.x", 0, 1);
	CHECK_STR(got, "T\r\n1970-01-01\r\n\r\n..\r\n\r\n..x\r\n.\r\n");
	free(got);
	return TEST_DONE();
}
