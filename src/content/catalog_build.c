/*
 * catalog_build.c: a catalog built in full, every map, address slug and
 * the order from the slots alone (catalog_finish, and catalog_rebuild in
 * catalog_change.c).  It is the start-up's: 200,000 articles set about a
 * million keys.  The work falls in two halves that share no map: the
 * lookups (c_byname, c_bykey, c_bytitle, then the order) and the
 * addresses (c_byroot, then each root's slugs into c_byslug); past
 * CAT_THREAD_MIN articles the addresses take a thread of their own.
 *
 * Why the halves cannot race: before they start, every chunk holding
 * an article is this version's own (catalog_entry_own, so neither half
 * copies a chunk or writes c_chunk), every entry's address is cleared,
 * and the slots are sorted by name into `all`, which both only read.
 * Then of an entry the lookups read ca_name, ca_title, ca_key, ca_date
 * and ca_meta, and write nothing; the addresses read ca_meta (and the
 * meta, immutable) and write only ca_slug and ca_own.  Each half writes
 * only its own maps (and the lists in them, made by that half) and,
 * for the lookups, c_run, c_runend and c_nrun.  make tsan (the
 * unit tests under ThreadSanitizer) checks it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "meta.h"
#include "catalog_int.h"

/*
 * Articles from which the addresses get a thread of their own: below,
 * starting a thread costs more than the half of the work it takes
 * (2,048 articles take about 5 ms in all).
 */
#define CAT_THREAD_MIN	2048

/* One half of a full build. */
struct half {
	struct catalog	*h_c;
	const uint32_t	*h_all;		/* the slots, in file-name order */
	size_t		 h_n;
	int		 h_r;		/* 0, or -1: out of memory */
};

/*
 * A meta to sort by file name, with the name's first 8 bytes as a
 * big-endian number: two names that differ there compare as strcmp
 * would without reading either (the sort's cost is its cache misses).
 */
struct named {
	uint64_t	 nm_pre;
	struct meta	*nm_meta;
};

/* The first 8 bytes of s (zeros past its end), in strcmp's order. */
static uint64_t
prefix(const char *s)
{
	uint64_t	 v = 0;
	size_t		 i;

	for (i = 0; i < 8 && s[i] != '\0'; i++)
		v |= (uint64_t)(unsigned char)s[i] << (56 - 8 * i);
	return v;
}

static int
by_name_named(const void *pa, const void *pb)
{
	const struct named	*a = pa, *b = pb;

	if (a->nm_pre != b->nm_pre)
		return a->nm_pre < b->nm_pre ? -1 : 1;
	return strcmp(a->nm_meta->m_name, b->nm_meta->m_name);
}

/* Sort c_add by file name; -1 when out of memory. */
static int
sort_added(struct catalog *c)
{
	struct named	*v;
	size_t		 i;

	if ((v = reallocarray(NULL, c->c_nadd + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < c->c_nadd; i++) {
		v[i].nm_pre = prefix(c->c_add[i]->m_name);
		v[i].nm_meta = c->c_add[i];
	}
	qsort(v, c->c_nadd, sizeof(*v), by_name_named);
	for (i = 0; i < c->c_nadd; i++)
		c->c_add[i] = v[i].nm_meta;
	free(v);
	return 0;
}

static int
by_name_slots(const void *a, const void *b, void *arg)
{
	return catalog_name_cmp(arg, *(const uint32_t *)a,
	    *(const uint32_t *)b);
}

/* Whether slots all[0, n) are in file-name order (catalog_finish's). */
static int
sorted_by_name(const struct catalog *c, const uint32_t *all, size_t n)
{
	size_t	 i;

	for (i = 1; i < n; i++)
		if (catalog_name_cmp(c, all[i - 1], all[i]) > 0)
			return 0;
	return 1;
}

/* The lookups: by name, by title slug or title, then the order. */
static void *
lookups(void *arg)
{
	struct half		*h = arg;
	struct catalog		*c = h->h_c;
	const struct cat_article *ca;
	size_t			 i;

	/*
	 * Room for one key an article: exact for names and addresses,
	 * the common case for title slugs and roots; a capsule of many
	 * equal titles keeps that room unused (at most 12 MB a map at
	 * 200,000 articles).
	 */
	h->h_r = -1;
	if (pmap_reserve(&c->c_byname, h->h_n) == -1 ||
	    pmap_reserve(&c->c_bykey, h->h_n) == -1)
		return NULL;
	for (i = 0; i < h->h_n; i++) {
		ca = catalog_art(c, h->h_all[i]);
		if (pmap_set(&c->c_byname, ca->ca_name, strlen(ca->ca_name),
		    h->h_all[i]) == -1 ||
		    catalog_list_append(c, LIST_KEY, h->h_all[i]) == -1)
			return NULL;
	}
	h->h_r = catalog_order_build(c);
	return NULL;
}

/*
 * The address slugs of one root's list (a pmap_walk callback): roots
 * never share an address (catalog.c), so they can be taken in any
 * order.
 */
static int
walk_root(void *arg, const char *k, size_t n, uint64_t v)
{
	(void)k;
	(void)n;
	return catalog_root_slugs(arg, (const struct plist *)(uintptr_t)v);
}

/* The addresses: the lists of roots, then the slugs of each root. */
static void *
addresses(void *arg)
{
	struct half	*h = arg;
	struct catalog	*c = h->h_c;
	size_t		 i;

	h->h_r = -1;
	if (pmap_reserve(&c->c_byroot, h->h_n) == -1 ||
	    pmap_reserve(&c->c_byslug, h->h_n) == -1)
		return NULL;
	for (i = 0; i < h->h_n; i++)
		if (catalog_list_append(c, LIST_ROOT, h->h_all[i]) == -1)
			return NULL;
	h->h_r = pmap_walk(&c->c_byroot, walk_root, c);
	return NULL;
}

/*
 * Every map, slug and the order, from the slots alone; the maps are
 * empty (a new catalog, or catalog_rebuild's).
 */
int
catalog_derive_all(struct catalog *c)
{
	struct cat_article	*e;
	struct half		 look, addr;
	pthread_t		 t;
	uint32_t		*all;
	size_t			 i, n = 0;
	int			 started;

	if ((all = calloc(c->c_nart + 1, sizeof(*all))) == NULL)
		return -1;
	for (i = 0; i < c->c_nslot; i++) {
		if (catalog_art(c, i)->ca_meta == NULL)
			continue;
		if ((e = catalog_entry_own(c, i)) == NULL) {
			free(all);
			return -1;
		}
		catalog_slug_unref(e->ca_own);
		e->ca_own = NULL;
		e->ca_slug = NULL;
		all[n++] = (uint32_t)i;
	}
	if (!sorted_by_name(c, all, n))
		qsort_r(all, n, sizeof(*all), by_name_slots, c);
	look.h_c = addr.h_c = c;
	look.h_all = addr.h_all = all;
	look.h_n = addr.h_n = n;
	started = n >= CAT_THREAD_MIN &&
	    pthread_create(&t, NULL, addresses, &addr) == 0;
	lookups(&look);
	if (started)
		pthread_join(t, NULL);
	else
		addresses(&addr);	/* few articles, or no thread */
	free(all);
	return look.h_r == 0 && addr.h_r == 0 ? 0 : -1;
}

int
catalog_finish(struct catalog *c)
{
	struct cat_article	*ca;
	size_t			 i;

	if (sort_added(c) == -1)
		return -1;
	for (i = 0; i < c->c_nadd; i++) {
		if (catalog_slot_grow(c) == -1 ||
		    (ca = catalog_entry_own(c, c->c_nslot)) == NULL)
			return -1;
		catalog_entry(ca, c->c_add[i]);
		c->c_add[i] = NULL;	/* the entry took the reference */
		c->c_nslot++;
		c->c_nart++;
	}
	free(c->c_add);
	c->c_add = NULL;
	c->c_nadd = c->c_addcap = 0;
	return catalog_derive_all(c);
}
