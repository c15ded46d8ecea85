/*
 * fuzz_article: the bytes of one article file through article_load;
 * when it loads, a one-article catalog ("0.txt") rendered in every form:
 * gemtext_article, gopher_menu_article, gopher_text_article (default
 * and strict), feed_home, feed_atom, gopher_menu_home and the first
 * list pages.  The invariants are in fuzz_render.h.
 */
#include <stdint.h>
#include <stdlib.h>

#include "article.h"
#include "catalog.h"
#include "fuzz_render.h"

/* The date of an article without one (capsule.c uses the mtime). */
#define FUZZ_MTIME	1700000000

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article	 a;
	struct catalog	*c;
	const char	*errstr = NULL;
	int64_t		 i;

	if (article_load(&a, (const char *)data, size, &errstr) == -1) {
		fuzz_clean_message("article_load errstr", errstr);
		return 0;
	}
	fuzz_check_article(&a);
	if ((c = catalog_new()) == NULL)
		abort();
	FUZZ_CHECK(catalog_add(c, "0.txt", &a, a.a_has_date ? a.a_date :
	    FUZZ_MTIME) == 0 && catalog_finish(c) == 0, "catalog", NULL, 0,
	    "catalog_add or catalog_finish failed");
	fuzz_check_catalog(c);
	i = catalog_find_name(c, "0.txt");
	FUZZ_CHECK(i == 0, "catalog", NULL, 0, "0.txt is %lld", (long long)i);
	fuzz_render_article(&a, c, (size_t)i);
	fuzz_render_lists(c, SITE_HOME_LIMIT);
	catalog_free(c);
	article_free(&a);
	return 0;
}
