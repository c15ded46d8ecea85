#include <sys/stat.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "capsule.h"
#include "catalog.h"
#include "discover.h"
#include "meta.h"
#include "textindex.h"

#define NONE	UINT32_MAX

/*
 * A full index and the articles it was built from, in its order: by
 * catalog slot, which means the same in every catalog of its epoch
 * (catalog.h).
 */
struct base {
	_Atomic int	  b_refs;
	struct textindex *b_ti;
	struct meta	**b_meta;	/* references, by document */
	uint32_t	 *b_doc2slot;	/* document -> catalog slot */
	uint32_t	 *b_slot2doc;	/* catalog slot -> document or NONE */
	size_t		  b_nslot;
	uint64_t	  b_epoch;	/* the catalogs' it serves */
	size_t		  b_n;
};

/*
 * The index of one catalog: its base less the documents gone or changed
 * since, plus a delta of the articles added or changed since.  Those
 * are the "dirty" slots, carried from one version to the next with the
 * catalog's changes (c_changed): so a version costs the changes since
 * the base, not the capsule.
 */
struct discover {
	struct base	 *d_base;	/* a reference */
	struct textindex *d_delta;	/* or NULL */
	uint8_t		 *d_gone;	/* bit per base document */
	uint32_t	 *d_dirty;	/* slots changed since the base, sorted */
	size_t		  d_ndirty;
	uint32_t	 *d_dslot;	/* delta document -> slot */
	uint32_t	 *d_dkey;	/* the delta's slots, sorted */
	uint32_t	 *d_ddoc;	/* and their documents */
	size_t		  d_nslot;	/* the catalog's */
	size_t		  d_ndelta;
	size_t		  d_ngone;
	int		  d_fresh;	/* it built d_base */
};

/* Reads the text of the documents' articles from the capsule. */
struct reader {
	int			 r_dirfd;
	const struct catalog	*r_cat;
	const uint32_t		*r_art;	/* document -> catalog slot */
};

static int
reader_load(void *arg, size_t i, struct textindex_doc *doc, void **h)
{
	struct reader	*r = arg;
	const struct cat_article *ca = catalog_art(r->r_cat, r->r_art[i]);
	const struct meta *m = ca->ca_meta;
	struct article	*a;
	struct stat	 st;
	const char	*errstr;

	if ((a = malloc(sizeof(*a))) == NULL)
		return -1;
	if (capsule_read_article(r->r_dirfd, ca->ca_name, a, &st,
	    &errstr) == -1 && (!capsule_unreadable(errno) ||
	    meta_article(m, a, &errstr) == -1)) {
		free(a);
		return -1;	/* gone (the watcher will notice), or unkept */
	}
	doc->td_title = a->a_title;
	doc->td_para = (const char *const *)a->a_para;
	doc->td_npara = a->a_npara;
	*h = a;
	return 0;
}

static void
reader_done(void *arg, void *h)
{
	(void)arg;
	if (h != NULL) {
		article_free(h);
		free(h);
	}
}

/* The index of the articles art[0 .. n) of c. */
static struct textindex *
build(const struct catalog *c, int dirfd, const uint32_t *art, size_t n,
    const struct textindex *base, const _Atomic int *stop,
    const char **errstr)
{
	struct reader		 r = { dirfd, c, art };
	struct textindex_source	 src = { reader_load, reader_done, &r, stop };

	return textindex_build_from(&src, n, base, errstr);
}

static void
base_unref(struct base *b)
{
	size_t	 i;

	if (b == NULL || atomic_fetch_sub(&b->b_refs, 1) != 1)
		return;
	textindex_free(b->b_ti);
	for (i = 0; i < b->b_n; i++)
		meta_unref(b->b_meta[i]);
	free(b->b_meta);
	free(b->b_doc2slot);
	free(b->b_slot2doc);
	free(b);
}

/* The base's document of slot i, NONE if it has none. */
static uint32_t
base_doc(const struct base *b, size_t i)
{
	return i < b->b_nslot ? b->b_slot2doc[i] : NONE;
}

/* Catalog slots in address slug order: the documents' order. */
static int
cmp_slug(const void *a, const void *b, void *arg)
{
	const struct catalog *c = arg;

	return strcmp(catalog_art(c, *(const uint32_t *)a)->ca_slug,
	    catalog_art(c, *(const uint32_t *)b)->ca_slug);
}

static void
sort_by_slug(const struct catalog *c, uint32_t *art, size_t n)
{
	qsort_r(art, n, sizeof(*art), cmp_slug, (void *)(uintptr_t)c);
}

/* Every article of c, in slug order; how many. */
static size_t
all_by_slug(const struct catalog *c, uint32_t *art)
{
	size_t	 i, n = 0;

	for (i = 0; i < c->c_nslot; i++)
		if (catalog_art(c, i)->ca_meta != NULL)
			art[n++] = (uint32_t)i;
	sort_by_slug(c, art, n);
	return n;
}

/* A base of the n articles art[] of c (taken over). */
static struct base *
base_new(const struct catalog *c, int dirfd, uint32_t *art, size_t n,
    const _Atomic int *stop, const char **errstr)
{
	struct base	*b;
	size_t		 i;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->b_meta = calloc(n + 1, sizeof(*b->b_meta))) == NULL ||
	    (b->b_slot2doc = calloc(c->c_nslot + 1, sizeof(uint32_t))) ==
	    NULL) {
		*errstr = "out of memory";
		free(art);
		if (b != NULL)
			free(b->b_meta);
		free(b);
		return NULL;
	}
	atomic_init(&b->b_refs, 1);
	b->b_doc2slot = art;
	b->b_nslot = c->c_nslot;
	b->b_epoch = c->c_epoch;
	memset(b->b_slot2doc, 0xff, c->c_nslot * sizeof(uint32_t));
	if ((b->b_ti = build(c, dirfd, art, n, NULL, stop, errstr)) == NULL) {
		base_unref(b);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		b->b_meta[i] = catalog_art(c, art[i])->ca_meta;
		meta_ref(b->b_meta[i]);
		b->b_slot2doc[art[i]] = (uint32_t)i;
	}
	b->b_n = n;
	return b;
}

void
discover_free(struct discover *d)
{
	if (d == NULL)
		return;
	base_unref(d->d_base);
	textindex_free(d->d_delta);
	free(d->d_gone);
	free(d->d_dirty);
	free(d->d_dslot);
	free(d->d_dkey);
	free(d->d_ddoc);
	free(d);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The slots changed since prev's base: prev's and those changed since
 * prev's catalog (changed[0 .. nchanged)), sorted, each once, into d.
 */
static int
dirty(struct discover *d, const struct discover *prev,
    const uint32_t *changed, size_t nchanged)
{
	size_t	 i, n = prev->d_ndirty + nchanged, o = 0;

	if ((d->d_dirty = calloc(n + 1, sizeof(uint32_t))) == NULL)
		return -1;
	if (prev->d_ndirty > 0)
		memcpy(d->d_dirty, prev->d_dirty, prev->d_ndirty *
		    sizeof(uint32_t));
	if (nchanged > 0)
		memcpy(d->d_dirty + prev->d_ndirty, changed,
		    nchanged * sizeof(uint32_t));
	qsort(d->d_dirty, n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < n; i++)
		if (o == 0 || d->d_dirty[o - 1] != d->d_dirty[i])
			d->d_dirty[o++] = d->d_dirty[i];
	d->d_ndirty = o;
	return 0;
}

/*
 * Sort out the dirty slots: the base's documents gone (d_gone) and the
 * articles the delta must hold (into delta, slug order; *nd of them).
 */
static int
sort_dirty(struct discover *d, const struct catalog *c, uint32_t *delta,
    size_t *nd)
{
	const struct base *b = d->d_base;
	struct meta	*m;
	size_t		 i, s;
	uint32_t	 doc;

	if ((d->d_gone = calloc(b->b_n / 8 + 1, 1)) == NULL)
		return -1;
	*nd = 0;
	for (i = 0; i < d->d_ndirty; i++) {
		s = d->d_dirty[i];
		m = s < c->c_nslot ? catalog_art(c, s)->ca_meta : NULL;
		if ((doc = base_doc(b, s)) != NONE && b->b_meta[doc] == m)
			continue;	/* as the base has it */
		if (doc != NONE) {
			d->d_gone[doc / 8] |= (uint8_t)(1u << (doc % 8));
			d->d_ngone++;
		}
		if (m != NULL)
			delta[(*nd)++] = (uint32_t)s;
	}
	sort_by_slug(c, delta, *nd);
	return 0;
}

/* The delta's documents by slot, for art2doc (delta taken over). */
static int
delta_map(struct discover *d, uint32_t *delta)
{
	uint64_t	*pair;
	size_t		 i;

	d->d_dslot = delta;
	if ((pair = calloc(d->d_ndelta + 1, sizeof(*pair))) == NULL ||
	    (d->d_dkey = calloc(d->d_ndelta + 1, sizeof(uint32_t))) == NULL ||
	    (d->d_ddoc = calloc(d->d_ndelta + 1, sizeof(uint32_t))) == NULL) {
		free(pair);
		return -1;
	}
	for (i = 0; i < d->d_ndelta; i++)
		pair[i] = (uint64_t)delta[i] << 32 | (d->d_base->b_n + i);
	qsort(pair, d->d_ndelta, sizeof(*pair), cmp_u64);
	for (i = 0; i < d->d_ndelta; i++) {
		d->d_dkey[i] = (uint32_t)(pair[i] >> 32);
		d->d_ddoc[i] = (uint32_t)pair[i];
	}
	free(pair);
	return 0;
}

/*
 * d (its base set) becomes the index of c on that base, with a delta of
 * the articles changed since prev's base: those of prev's and changed[].
 * With `bounded`, -1 and *full set instead when they outgrow a delta
 * (discover.h).
 */
static int
on_base(struct discover *d, const struct discover *prev,
    const struct catalog *c, const uint32_t *changed, size_t nchanged,
    int dirfd, int bounded, int *full, const _Atomic int *stop,
    const char **errstr)
{
	uint32_t	*delta = NULL;
	size_t		 nd = 0, nb = d->d_base->b_n;

	*errstr = "out of memory";
	if (dirty(d, prev, changed, nchanged) == -1 || (delta =
	    calloc(d->d_ndirty + 1, sizeof(*delta))) == NULL ||
	    sort_dirty(d, c, delta, &nd) == -1)
		goto fail;
	/* changed ones are both added and gone */
	if (bounded && nd + d->d_ngone > DISCOVER_DELTA_MIN +
	    nb / DISCOVER_DELTA_DIV) {
		*full = 1;
		goto fail;
	}
	d->d_ndelta = nd;
	if (nd > 0 && (d->d_delta = build(c, dirfd, delta, nd,
	    d->d_base->b_ti, stop, errstr)) == NULL)
		goto fail;
	if (delta_map(d, delta) == -1)
		return -1;	/* delta_map took it */
	return 0;
 fail:
	free(delta);
	return -1;
}

/* An index of c to be filled: no base yet. */
static struct discover *
discover_empty(const struct catalog *c)
{
	struct discover	*d;

	if ((d = calloc(1, sizeof(*d))) != NULL)
		d->d_nslot = c->c_nslot;
	return d;
}

/*
 * The index of catalog c (dirfd: its capsule), built on prev's base when
 * prev is not NULL, was made for the catalog c was made from
 * (catalog_apply), and c has not changed too much since the base.
 */
struct discover *
discover_new(const struct discover *prev, const struct catalog *c,
    int dirfd, const _Atomic int *stop, const char **errstr)
{
	struct discover	*d;
	uint32_t	*art;
	size_t		 nb;
	int		 full = 0;

	if ((d = discover_empty(c)) == NULL)
		goto nomem;
	if (prev != NULL && prev->d_base->b_epoch == c->c_epoch) {
		d->d_base = prev->d_base;
		atomic_fetch_add(&d->d_base->b_refs, 1);
		if (on_base(d, prev, c, c->c_changed, c->c_nchanged, dirfd, 1,
		    &full, stop, errstr) == 0)
			return d;
		discover_free(d);
		if (!full || (d = discover_empty(c)) == NULL)
			return NULL;
	}
	if ((art = calloc(c->c_nart + 1, sizeof(*art))) == NULL ||
	    (d->d_gone = calloc(c->c_nart / 8 + 1, 1)) == NULL) {
		free(art);
		goto nomem;
	}
	nb = all_by_slug(c, art);
	d->d_fresh = 1;
	if ((d->d_base = base_new(c, dirfd, art, nb, stop, errstr)) == NULL) {
		discover_free(d);
		return NULL;
	}
	return d;
 nomem:
	*errstr = "out of memory";
	discover_free(d);
	return NULL;
}

/*
 * The index of catalog c on prev's base, whatever the changes: those
 * since prev's catalog are changed[0 .. n) (NULL: c's own, c_changed).
 */
struct discover *
discover_next(const struct discover *prev, const struct catalog *c,
    const uint32_t *changed, size_t n, int dirfd, const _Atomic int *stop,
    const char **errstr)
{
	struct discover	*d;
	int		 full = 0;

	if (prev->d_base->b_epoch != c->c_epoch) {
		*errstr = "another epoch of the catalog";
		return NULL;
	}
	if ((d = discover_empty(c)) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	d->d_base = prev->d_base;
	atomic_fetch_add(&d->d_base->b_refs, 1);
	if (on_base(d, prev, c, changed != NULL ? changed : c->c_changed,
	    changed != NULL ? n : c->c_nchanged, dirfd, 0, &full, stop,
	    errstr) == -1) {
		discover_free(d);
		return NULL;
	}
	return d;
}

/* Have d's changes outgrown a delta (discover_new would build afresh)? */
int
discover_outgrown(const struct discover *d)
{
	return discover_changes(d) > DISCOVER_DELTA_MIN +
	    d->d_base->b_n / DISCOVER_DELTA_DIV;
}

/* The view document of catalog slot i, NONE if it has none. */
static uint32_t
art2doc(const struct discover *d, size_t i)
{
	size_t	 lo = 0, hi = d->d_ndelta, mid;
	uint32_t doc;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (d->d_dkey[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->d_ndelta && d->d_dkey[lo] == i)
		return d->d_ddoc[lo];
	doc = base_doc(d->d_base, i);
	if (doc != NONE && (d->d_gone[doc / 8] & (1u << (doc % 8))))
		return NONE;
	return doc;
}

static uint32_t
doc2art(const struct discover *d, uint32_t doc)
{
	return doc < d->d_base->b_n ? d->d_base->b_doc2slot[doc] :
	    d->d_dslot[doc - d->d_base->b_n];
}

static void
view(const struct discover *d, struct textview *tv)
{
	tv->tv_base = d->d_base->b_ti;
	tv->tv_delta = d->d_delta;
	tv->tv_gone = d->d_gone;
}

/*
 * The (at most k) articles most similar to catalog article i, best
 * first, never i nor one of exclude[0 .. nexclude) (catalog indexes),
 * into out as catalog indexes; returns how many, -1 when out of memory.
 */
ssize_t
discover_similar(const struct discover *d, size_t i, size_t k,
    const uint32_t *exclude, size_t nexclude, uint32_t *out)
{
	struct textview	 tv;
	uint32_t	 docs[DISCOVER_SIMILAR_MAX], *ex, doc;
	size_t		 j, nex = 0;
	ssize_t		 n;

	if (d == NULL || i >= d->d_nslot || k == 0 ||
	    (doc = art2doc(d, i)) == NONE)
		return 0;
	if ((ex = calloc(nexclude + 1, sizeof(*ex))) == NULL)
		return -1;
	if (k > DISCOVER_SIMILAR_MAX)
		k = DISCOVER_SIMILAR_MAX;
	for (j = 0; j < nexclude; j++)
		if (exclude[j] < d->d_nslot &&
		    (ex[nex] = art2doc(d, exclude[j])) != NONE)
			nex++;
	view(d, &tv);
	n = textview_similar(&tv, doc, k, ex, nex, docs);
	for (j = 0; n > 0 && j < (size_t)n; j++)
		out[j] = doc2art(d, docs[j]);
	free(ex);
	return n;
}

/*
 * The (at most max) articles best matching query, best first; returns
 * how many, -1 when out of memory.
 */
ssize_t
discover_search(const struct discover *d, const char *query, size_t max,
    struct discover_hit *out)
{
	struct textindex_hit *hit;
	struct textview	 tv;
	size_t		 j;
	ssize_t		 n;

	if (d == NULL || max == 0)
		return 0;
	if ((hit = calloc(max, sizeof(*hit))) == NULL)
		return -1;
	view(d, &tv);
	n = textview_search(&tv, query, max, hit);
	for (j = 0; n > 0 && j < (size_t)n; j++) {
		out[j].dh_art = doc2art(d, hit[j].th_doc);
		out[j].dh_score = hit[j].th_score;
	}
	free(hit);
	return n;
}

/* Bytes held by the index (the base counted in full). */
size_t
discover_memory(const struct discover *d)
{
	size_t	 nb = d->d_base->b_n;

	return sizeof(*d) + sizeof(*d->d_base) + textindex_memory(
	    d->d_base->b_ti) + nb * (sizeof(struct meta *) + sizeof(uint32_t)) +
	    d->d_base->b_nslot * sizeof(uint32_t) + (d->d_delta != NULL ?
	    textindex_memory(d->d_delta) : 0) + nb / 8 + 1 +
	    (d->d_ndirty + 3 * d->d_ndelta) * sizeof(uint32_t);
}

/* Whether d built an index of every article rather than a delta. */
int
discover_fresh(const struct discover *d)
{
	return d->d_fresh;
}

/* Articles added, changed or removed since the base was built. */
size_t
discover_changes(const struct discover *d)
{
	return d->d_ndelta + d->d_ngone;
}
