/*
 * fuzz_render_catalog: up to FILES article files, separated by NUL
 * bytes in the input (the last one takes the rest), loaded into one
 * catalog as "0.txt" .. "7.txt" (a file that does not load is skipped,
 * as capsule.c does); every article rendered in every form, the home
 * page, the Atom feed and the Gopher root with the default home limit
 * and with a limit of 2 (so the list pages are linked).
 *
 * Invariants: those of fuzz_render.h, in particular that every
 * "=> /articles/X.gmi" link and every Gopher article selector names a
 * slug that catalog_find_slug finds; and that slugs are unique.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "catalog.h"
#include "fuzz_render.h"

#define FILES		8
#define SEPARATOR	'\0'
/* The date of an article without one: three dates, so ties happen. */
#define FUZZ_MTIME(k)	(1700000000 + ((k) % 3) * 86400)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article	 a[FILES];
	int		 loaded[FILES] = { 0 };
	struct catalog	*c;
	const char	*p = (const char *)data, *end = p + size, *sep, *errstr;
	char		 name[16];
	size_t		 k, nfiles, n;
	int64_t		 i;

	if ((c = catalog_new()) == NULL)
		abort();
	for (k = 0; k < FILES && p <= end; k++) {
		sep = k + 1 < FILES ? memchr(p, SEPARATOR, (size_t)(end - p)) :
		    NULL;
		n = (size_t)((sep != NULL ? sep : end) - p);
		errstr = NULL;
		if (article_load(&a[k], p, n, &errstr) == 0) {
			loaded[k] = 1;
			fuzz_check_article(&a[k]);
			snprintf(name, sizeof(name), "%zu.txt", k);
			FUZZ_CHECK(catalog_add(c, name, &a[k], a[k].a_has_date ?
			    a[k].a_date : FUZZ_MTIME(k)) == 0, "catalog_add",
			    NULL, 0, "failed");
		} else
			fuzz_clean_message("article_load errstr", errstr);
		if (sep == NULL)
			break;
		p = sep + 1;
	}
	nfiles = k < FILES ? k + 1 : FILES;
	FUZZ_CHECK(catalog_finish(c) == 0, "catalog_finish", NULL, 0,
	    "failed");
	fuzz_check_catalog(c);
	for (k = 0; k < nfiles; k++) {
		if (!loaded[k])
			continue;
		snprintf(name, sizeof(name), "%zu.txt", k);
		i = catalog_find_name(c, name);
		FUZZ_CHECK(i >= 0, "catalog", NULL, 0, "%s not found", name);
		fuzz_render_article(&a[k], c, (size_t)i);
		article_free(&a[k]);
	}
	fuzz_render_lists(c, SITE_HOME_LIMIT);
	fuzz_render_lists(c, 2);
	catalog_free(c);
	return 0;
}
