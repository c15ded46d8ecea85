/*
 * search: the Gemini result page, the Gopher result menu and Spartan's
 * page and prompt, byte for byte, from hand-made hits; the query is cut
 * to SEARCH_ECHO_COLS.
 */
#include <stdlib.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "search.h"
#include "site.h"
#include "test.h"

static const struct site site = {
	.s_title = "Test capsule",
	.s_host = "example.org",
	.s_gopher_host = "example.org",
	.s_port = { [ADDR_GEMINI] = 1965, [ADDR_GOPHER] = 70 },
	.s_home_limit = 100,
	.s_similar = 5
};

static struct catalog *
two_articles(void)
{
	static const char *const src[2] = { "Tomato Sauce\nSimmer.",
	    "Knife Skills\nHold." };
	struct catalog	*c = catalog_new();
	struct article	 a;
	const char	*errstr;
	char		 name[8];
	int		 i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%d.txt", i);
		if (article_load(&a, src[i], strlen(src[i]), &errstr) == 0) {
			catalog_add(c, name, &a, 86400);
			article_free(&a);
		}
	}
	catalog_finish(c);
	return c;
}

int
main(void)
{
	struct catalog		*c = two_articles();
	struct search_hit	 h[2];
	struct buf		 b;
	char			 longq[200];

	h[0].sh_art = (size_t)catalog_find_name(c, "1.txt");
	snprintf(h[0].sh_snippet, sizeof(h[0].sh_snippet),
	    "=> not a link, a snippet");
	h[1].sh_art = (size_t)catalog_find_name(c, "0.txt");
	h[1].sh_snippet[0] = '\0';

	buf_init(&b);
	CHECK(search_gemtext(&b, c, "knife tomato", h, 2) == 0, "gemtext");
	CHECK_STR(b.b_data, "# Search: knife tomato\n\n2 articles found.\n"
	    "\n=> /articles/knife-skills.gmi Knife Skills\n"
	    " => not a link, a snippet\n"
	    "\n=> /articles/tomato-sauce.gmi Tomato Sauce\n"
	    "\n=> /search Search again\n=> / Home\n");
	buf_reset(&b);
	CHECK(search_gemtext(&b, c, "zzz", h, 0) == 0, "no hit");
	CHECK_STR(b.b_data, "# Search: zzz\n\nNo article matches these "
	    "words.\n\n=> /search Search again\n=> / Home\n");

	buf_reset(&b);
	CHECK(search_gopher(&b, c, "knife", h, 1, &site) == 0, "gopher");
	CHECK_STR(b.b_data, "iSearch: knife\t\tnull.host\t1\r\n"
	    "i1 article found.\t\tnull.host\t1\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "1Knife Skills\t/articles/knife-skills/\texample.org\t70\r\n"
	    "i=> not a link, a snippet\t\tnull.host\t1\r\n"
	    "i\t\tnull.host\t1\r\n"
	    "7Search again\t/search\texample.org\t70\r\n"
	    "1Home\t/\texample.org\t70\r\n.\r\n");

	/* Spartan's: "Search again" is an input line, as is its prompt */
	buf_reset(&b);
	CHECK(search_spartan(&b, c, "zzz", h, 0, &site) == 0, "spartan");
	CHECK_STR(b.b_data, "# Search: zzz\n\nNo article matches these "
	    "words.\n\n=: /search Search again\n=> / Home\n");
	buf_reset(&b);
	CHECK(search_spartan_prompt(&b, &site) == 0, "spartan prompt");
	CHECK_STR(b.b_data, "# Search\n\n=: /search Search the articles\n"
	    "=> / Home\n");

	/* the echo is cut to 60 columns, "…" marks it */
	memset(longq, 'q', 100);
	longq[100] = '\0';
	buf_reset(&b);
	search_gemtext(&b, c, longq, h, 0);
	CHECK(strncmp(b.b_data + 10, longq, 60) == 0 &&
	    strncmp(b.b_data + 70, "\xE2\x80\xA6\n", 4) == 0, "cut: %.80s",
	    b.b_data);

	CHECK(search_is_blank("") && search_is_blank(" \t ") &&
	    !search_is_blank(" a "), "blank");
	buf_free(&b);
	catalog_free(c);
	return TEST_DONE();
}
