/*
 * catalog_batch.c: where catalog_rebuild gets cheaper than
 * catalog_apply.  Makes a catalog of N articles (titles that slug
 * apart, dates spread over a year), then times a batch of k changes
 * (half edits with new titles, half new files) both ways, in processor
 * time (one thread).
 *
 *   make capsuled && cc -O2 -Isrc/lib -Isrc/content -o build/catalog_batch \
 *     bench/catalog_batch.c build/obj/lib/{buf,utf8,strmap,pmap,arena}.o \
 *     build/obj/content/{source,article,slug,meta,catalog,catalog_build,\
 *     catalog_order,catalog_change}.o -lunistring -lpthread && \
 *     build/catalog_batch 200000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "catalog.h"
#include "meta.h"

static struct meta *
make(const char *name, unsigned t, unsigned v)
{
	struct article	 a;
	struct meta	*m;
	const char	*errstr;
	char		 src[128];

	snprintf(src, sizeof(src), "Article number %u version %u\nBody.\n"
	    "Article number %u version 0\ns\nREAD MORE\n", t, v, t / 2);
	if (article_load(&a, src, strlen(src), &errstr) == -1)
		return NULL;
	m = meta_new(name, &a, (int64_t)(t % 365) * 86400);
	article_free(&a);
	return m;
}

/* Processor time: on a busy machine it tells more than the clock. */
#define now()	((double)clock() / CLOCKS_PER_SEC)

int
main(int argc, char **argv)
{
	size_t		 n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	static const double share[] = { 0.001, 0.01, 0.05, 0.1, 0.15, 0.2,
	    0.3, 0.5 };
	struct catalog	*c = catalog_new(), *d;
	struct cat_change *cg;
	char		 (*names)[32];
	size_t		 i, j, k;
	double		 t0, ta, tr;

	names = calloc(2 * n, sizeof(*names));
	cg = calloc(n, sizeof(*cg));
	for (i = 0; i < n; i++) {
		struct meta *m;

		snprintf(names[i], sizeof(names[i]), "%08zu.txt", i * 2);
		m = make(names[i], (unsigned)i, 0);
		catalog_add_meta(c, m);
		meta_unref(m);
	}
	t0 = now();
	catalog_finish(c);
	printf("%zu articles: built in %.0f ms\n", n, (now() - t0) * 1000);
	for (j = 0; j < sizeof(share) / sizeof(share[0]); j++) {
		k = (size_t)(share[j] * n);
		for (i = 0; i < k; i++) {
			size_t at = (i * 7919) % n;

			if (i % 2 == 0) {
				cg[i].cg_name = names[at];
				cg[i].cg_meta = make(names[at], (unsigned)at,
				    1);
			} else {
				snprintf(names[n + i], sizeof(names[0]),
				    "%08zu.txt", at * 2 + 1);
				cg[i].cg_name = names[n + i];
				cg[i].cg_meta = make(names[n + i],
				    (unsigned)(n + i), 0);
			}
		}
		t0 = now();
		d = catalog_patch(c, cg, k);
		ta = now() - t0;
		catalog_free(d);
		t0 = now();
		d = catalog_rebuild(c, cg, k);
		tr = now() - t0;
		catalog_free(d);
		printf("%6zu changes (%4.1f %%): patch %.0f ms, rebuild %.0f "
		    "ms\n", k, share[j] * 100, ta * 1000, tr * 1000);
		for (i = 0; i < k; i++)
			meta_unref(cg[i].cg_meta);
	}
	catalog_free(c);
	free(cg);
	free(names);
	return 0;
}
