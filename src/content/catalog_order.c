/*
 * catalog_order.c: the newest-first order of a catalog's articles, in
 * runs of at most CAT_RUN slots, each run shared between versions until
 * one writes it (catalog.h): placing an article is a binary search over
 * the runs' last entries, then within its run, and copies one run; the
 * directory of runs (n / CAT_RUN entries) is the version's own.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "catalog_int.h"

void
catalog_run_unref(struct cat_run *r)
{
	if (r != NULL && atomic_fetch_sub(&r->cr_refs, 1) == 1)
		free(r);
}

/* Newest first, then title, then file name (capsuled(8), FORMAT). */
static int
by_date(const struct cat_article *a, const struct cat_article *b)
{
	int	 r;

	if (a->ca_date != b->ca_date)
		return a->ca_date > b->ca_date ? -1 : 1;
	if ((r = strcmp(a->ca_title, b->ca_title)) != 0)
		return r;
	return strcmp(a->ca_name, b->ca_name);
}

static int
by_date_slot(const void *pa, const void *pb, void *arg)
{
	const struct catalog	*c = arg;

	return by_date(catalog_art(c, *(const uint32_t *)pa),
	    catalog_art(c, *(const uint32_t *)pb));
}

static void
runs_index(struct catalog *c, size_t from)
{
	size_t	 i;

	for (i = from; i < c->c_nrun; i++)
		c->c_runend[i] = (i > 0 ? c->c_runend[i - 1] : 0) +
		    c->c_run[i]->cr_n;
}

/* The slot at position k of the newest-first order (k < c_nart). */
size_t
catalog_order(const struct catalog *c, size_t k)
{
	size_t	 lo = 0, hi = c->c_nrun - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (c->c_runend[mid] > k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return c->c_run[lo]->cr_slot[k - (lo > 0 ? c->c_runend[lo - 1] : 0)];
}

/* Where entry x goes: the run (the last one past every run) and place. */
static void
run_find(const struct catalog *c, const struct cat_article *x, size_t *rp,
    size_t *pp)
{
	const struct cat_run	*r;
	size_t			 lo = 0, hi = c->c_nrun, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		r = c->c_run[mid];
		if (by_date(catalog_art(c, r->cr_slot[r->cr_n - 1]), x) >= 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == c->c_nrun)
		lo = c->c_nrun - 1;
	r = c->c_run[lo];
	*rp = lo;
	for (lo = 0, hi = r->cr_n; lo < hi; ) {
		mid = (lo + hi) / 2;
		if (by_date(catalog_art(c, r->cr_slot[mid]), x) >= 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pp = lo;
}

static struct cat_run *
run_new(void)
{
	struct cat_run	*r;

	if ((r = malloc(sizeof(*r))) == NULL)
		return NULL;
	atomic_init(&r->cr_refs, 1);
	r->cr_n = 0;
	return r;
}

/* Run k made this version's own. */
static struct cat_run *
run_own(struct catalog *c, size_t k)
{
	struct cat_run	*r = c->c_run[k], *nr;

	if (atomic_load(&r->cr_refs) == 1)
		return r;
	if ((nr = run_new()) == NULL)
		return NULL;
	nr->cr_n = r->cr_n;
	memcpy(nr->cr_slot, r->cr_slot, r->cr_n * sizeof(r->cr_slot[0]));
	catalog_run_unref(r);
	return c->c_run[k] = nr;
}

/* A new run at directory position k (the directory has room). */
static int
run_insert(struct catalog *c, size_t k, struct cat_run *r)
{
	void	*p, *q;

	if ((p = reallocarray(c->c_run, c->c_nrun + 1, sizeof(*c->c_run))) ==
	    NULL)
		return -1;
	c->c_run = p;
	if ((q = reallocarray(c->c_runend, c->c_nrun + 1,
	    sizeof(*c->c_runend))) == NULL)
		return -1;
	c->c_runend = q;
	memmove(&c->c_run[k + 1], &c->c_run[k], (c->c_nrun - k) *
	    sizeof(*c->c_run));
	c->c_run[k] = r;
	c->c_nrun++;
	return 0;
}

int
catalog_order_add(struct catalog *c, uint32_t slot)
{
	struct cat_run	*r, *h;
	size_t		 k, p;

	if (c->c_nrun == 0) {
		if ((r = run_new()) == NULL || run_insert(c, 0, r) == -1) {
			free(r);
			return -1;
		}
		k = p = 0;
	} else
		run_find(c, catalog_art(c, slot), &k, &p);
	if ((r = run_own(c, k)) == NULL)
		return -1;
	if (r->cr_n == CAT_RUN) {	/* full: split in halves */
		if ((h = run_new()) == NULL || run_insert(c, k + 1, h) == -1) {
			free(h);
			return -1;
		}
		h->cr_n = CAT_RUN / 2;
		memcpy(h->cr_slot, &r->cr_slot[CAT_RUN / 2], CAT_RUN / 2 *
		    sizeof(r->cr_slot[0]));
		r->cr_n = CAT_RUN / 2;
		if (p > CAT_RUN / 2) {
			r = h;
			p -= CAT_RUN / 2;
		}
	}
	memmove(&r->cr_slot[p + 1], &r->cr_slot[p], (r->cr_n - p) *
	    sizeof(r->cr_slot[0]));
	r->cr_slot[p] = slot;
	r->cr_n++;
	runs_index(c, k);
	return 0;
}

/* Take slot out of the order (its entry still as it was put there). */
int
catalog_order_del(struct catalog *c, uint32_t slot)
{
	struct cat_run	*r;
	size_t		 k, p;

	if (c->c_nrun == 0)
		return 0;
	run_find(c, catalog_art(c, slot), &k, &p);
	if (p >= c->c_run[k]->cr_n || c->c_run[k]->cr_slot[p] != slot)
		return 0;	/* not there: cannot happen */
	if ((r = run_own(c, k)) == NULL)
		return -1;
	memmove(&r->cr_slot[p], &r->cr_slot[p + 1], (r->cr_n - p - 1) *
	    sizeof(r->cr_slot[0]));
	if (--r->cr_n == 0) {
		catalog_run_unref(r);
		memmove(&c->c_run[k], &c->c_run[k + 1], (c->c_nrun - k - 1) *
		    sizeof(*c->c_run));
		c->c_nrun--;
	}
	runs_index(c, k);
	return 0;
}

/* The whole order afresh from the slots in use, runs half full. */
int
catalog_order_build(struct catalog *c)
{
	uint32_t	*all;
	struct cat_run	*r;
	size_t		 i, n = 0, k;

	if ((all = calloc(c->c_nart + 1, sizeof(*all))) == NULL)
		return -1;
	for (i = 0; i < c->c_nslot; i++)
		if (catalog_art(c, i)->ca_meta != NULL)
			all[n++] = (uint32_t)i;
	qsort_r(all, n, sizeof(*all), by_date_slot, c);
	for (i = 0; i < n; i += k) {
		k = n - i < CAT_RUN / 2 ? n - i : CAT_RUN / 2;
		if ((r = run_new()) == NULL ||
		    run_insert(c, c->c_nrun, r) == -1) {
			free(r);
			free(all);
			return -1;
		}
		memcpy(r->cr_slot, &all[i], k * sizeof(*all));
		r->cr_n = (uint32_t)k;
	}
	runs_index(c, 0);
	free(all);
	return 0;
}

