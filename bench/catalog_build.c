/*
 * catalog_build.c: the full build of a catalog of N articles, as at
 * start-up (catalog_new, catalog_add_meta each, catalog_finish), and a
 * catalog_rebuild of it with no change, each timed R times in wall and
 * processor time (a build on more than one thread must be compared by
 * the clock).  Titles collide now and then (every 8th article takes
 * the title of the one before, every 50th a title ending in "-2" of
 * another: "Skasi 31 times" and "Skasi 31 times-2" have one root), so
 * some roots hold several articles; titles start with one of a few
 * words, as real ones start with words of their own.  With a file name as
 * the third argument it writes what the catalog holds (slots, slugs,
 * lookups, order) there, to compare two builds with cmp.
 *
 *   make capsuled && cc -O2 -Isrc/lib -Isrc/content -o build/catalog_build \
 *     bench/catalog_build.c build/obj/lib/{buf,utf8,strmap,pmap,arena}.o \
 *     build/obj/content/{source,article,slug,meta,catalog,catalog_build,\
 *     catalog_order,catalog_change}.o -lunistring -lpthread && \
 *     build/catalog_build 200000 5
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include "article.h"
#include "catalog.h"
#include "meta.h"

static const char *
word(size_t t)
{
	static const char *const w[] = { "Geestgidin", "Flenspeang",
	    "Crootglu", "Laindbafra", "Blilwoulted", "Spomkee", "Trivur",
	    "Oleeshul", "Chegre", "Ijesk", "Skasi", "Vimbosle", "Thapre" };

	return w[(t * 2654435761u >> 7) % (sizeof(w) / sizeof(w[0]))];
}

static struct meta *
make(const char *name, size_t i)
{
	struct article	 a;
	struct meta	*m;
	const char	*errstr;
	char		 src[160];
	size_t		 t = i % 8 == 7 ? i - 1 : i;

	if (i % 50 == 49)
		snprintf(src, sizeof(src), "%s %zu times-2\nBody.\n",
		    word(i / 3), i / 3);
	else
		snprintf(src, sizeof(src), "%s %zu times\nBody.\n"
		    "%s %zu times\ns\nREAD MORE\n", word(t), t, word(t / 2),
		    t / 2);
	if (article_load(&a, src, strlen(src), &errstr) == -1)
		return NULL;
	m = meta_new(name, &a, (int64_t)(i % 365) * 86400);
	article_free(&a);
	return m;
}

static double
clock_of(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Page faults so far: each costs much on a virtual machine. */
static long
faults(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void
dump(const struct catalog *c, const char *path)
{
	const struct cat_article *ca;
	FILE	*f;
	size_t	 i;

	if ((f = fopen(path, "w")) == NULL)
		return;
	for (i = 0; i < c->c_nslot; i++) {
		ca = catalog_art(c, i);
		if (ca->ca_meta == NULL)
			continue;
		fprintf(f, "%zu %s %s %lld %lld %lld\n", i, ca->ca_name,
		    ca->ca_slug, (long long)catalog_find_slug(c, ca->ca_slug,
		    strlen(ca->ca_slug)), (long long)catalog_find_name(c,
		    ca->ca_name), (long long)catalog_resolve_key(c, ca->ca_key,
		    ca->ca_title));
	}
	for (i = 0; i < c->c_nart; i++)
		fprintf(f, "o %zu\n", catalog_order(c, i));
	fclose(f);
}

int
main(int argc, char **argv)
{
	size_t		 n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	int		 rep = argc > 2 ? atoi(argv[2]) : 3, k;
	struct meta	**m;
	struct catalog	*c, *d;
	char		 name[32];
	size_t		 i;
	double		 w, p;
	long		 f;

	if ((m = calloc(n, sizeof(*m))) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		/* added in an order other than the names' */
		snprintf(name, sizeof(name), "%08zu.txt", (i * 7919) % n);
		if ((m[i] = make(name, i)) == NULL)
			return 1;
	}
	for (k = 0; k < rep; k++) {
		w = clock_of(CLOCK_MONOTONIC);
		p = clock_of(CLOCK_PROCESS_CPUTIME_ID);
		f = faults();
		c = catalog_new();
		for (i = 0; i < n; i++)
			catalog_add_meta(c, m[i]);
		if (catalog_finish(c) == -1)
			return 1;
		printf("%zu articles: finish %4.0f ms wall, %4.0f ms cpu, %5ld "
		    "faults; ", n, (clock_of(CLOCK_MONOTONIC) - w) * 1000,
		    (clock_of(CLOCK_PROCESS_CPUTIME_ID) - p) * 1000,
		    faults() - f);
		w = clock_of(CLOCK_MONOTONIC);
		p = clock_of(CLOCK_PROCESS_CPUTIME_ID);
		f = faults();
		if ((d = catalog_rebuild(c, NULL, 0)) == NULL)
			return 1;
		printf("rebuild %4.0f ms wall, %4.0f ms cpu, %5ld faults\n",
		    (clock_of(CLOCK_MONOTONIC) - w) * 1000,
		    (clock_of(CLOCK_PROCESS_CPUTIME_ID) - p) * 1000,
		    faults() - f);
		if (k == 0 && argc > 3) {
			dump(c, argv[3]);
			snprintf(name, sizeof(name), "%.20s.re", argv[3]);
			dump(d, name);
		}
		catalog_free(d);
		catalog_free(c);
	}
	for (i = 0; i < n; i++)
		meta_unref(m[i]);
	free(m);
	return 0;
}
