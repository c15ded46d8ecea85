/*
 * catalog_change.c: the next version of a catalog (catalog_apply), with
 * every part of the previous one shared but those a change writes:
 * patched change by change (catalog_patch), or, past a share of the
 * articles, rebuilt keeping the slots (catalog_rebuild).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "catalog.h"
#include "meta.h"
#include "slug.h"
#include "catalog_int.h"

/* A version sharing every part of prev (to be changed, then published). */
static struct catalog *
clone(const struct catalog *prev)
{
	struct catalog	*c;
	size_t		 i, nchunk = (prev->c_nslot + CAT_CHUNK - 1) / CAT_CHUNK;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	pmap_copy(&c->c_byslug, &prev->c_byslug);
	pmap_copy(&c->c_byname, &prev->c_byname);
	pmap_copy(&c->c_bykey, &prev->c_bykey);
	pmap_copy(&c->c_bytitle, &prev->c_bytitle);
	pmap_copy(&c->c_byroot, &prev->c_byroot);
	c->c_epoch = prev->c_epoch;
	c->c_nart = prev->c_nart;
	if ((c->c_chunk = calloc(nchunk + 1, sizeof(*c->c_chunk))) == NULL ||
	    (c->c_run = calloc(prev->c_nrun + 1, sizeof(*c->c_run))) == NULL ||
	    (c->c_runend = calloc(prev->c_nrun + 1,
	    sizeof(*c->c_runend))) == NULL ||
	    (c->c_free = calloc(prev->c_nfree + 1, sizeof(*c->c_free))) ==
	    NULL) {
		catalog_free(c);
		return NULL;
	}
	for (i = 0; i < nchunk; i++)
		atomic_fetch_add(&(c->c_chunk[i] = prev->c_chunk[i])->ch_refs,
		    1);
	c->c_nslot = prev->c_nslot;
	for (i = 0; i < prev->c_nrun; i++)
		atomic_fetch_add(&(c->c_run[i] = prev->c_run[i])->cr_refs, 1);
	c->c_nrun = prev->c_nrun;
	if (c->c_nrun > 0)
		memcpy(c->c_runend, prev->c_runend, c->c_nrun *
		    sizeof(*c->c_runend));
	if (prev->c_nfree > 0)
		memcpy(c->c_free, prev->c_free, prev->c_nfree *
		    sizeof(*c->c_free));
	c->c_nfree = prev->c_nfree;
	return c;
}

/* Remember slot i as changed in this version. */
static int
changed(struct catalog *c, uint32_t i)
{
	void	*p;

	if ((p = reallocarray(c->c_changed, c->c_nchanged + 1,
	    sizeof(*c->c_changed))) == NULL)
		return -1;
	c->c_changed = p;
	c->c_changed[c->c_nchanged++] = i;
	return 0;
}

/* A root to recompute: an article's base, cut to its root. */
struct root {
	const char	*rt_s;
	size_t		 rt_n;
};

/* Take the article in slot i out of every map and the order. */
static int
unlist(struct catalog *c, uint32_t i)
{
	const struct cat_article *ca = catalog_art(c, i);

	if (ca->ca_slug != NULL && pmap_get(&c->c_byslug, ca->ca_slug,
	    strlen(ca->ca_slug)) == (int64_t)i && pmap_del(&c->c_byslug, ca->ca_slug,
	    strlen(ca->ca_slug)) == -1)
		return -1;
	if (pmap_del(&c->c_byname, ca->ca_name, strlen(ca->ca_name)) == -1 ||
	    catalog_list_del(c, LIST_KEY, i) == -1 || catalog_list_del(c, LIST_ROOT, i) == -1)
		return -1;
	return catalog_order_del(c, i);
}

static int
enlist(struct catalog *c, uint32_t i)
{
	const struct cat_article *ca = catalog_art(c, i);

	if (pmap_set(&c->c_byname, ca->ca_name, strlen(ca->ca_name), i) ==
	    -1 || catalog_list_add(c, LIST_KEY, i) == -1 ||
	    catalog_list_add(c, LIST_ROOT, i) == -1)
		return -1;
	return catalog_order_add(c, i);
}

/*
 * One change in the slots, found by name in look's maps; when look is c
 * itself, in c's maps and order too.  The slot's old meta (if any) goes
 * to *old with its reference.
 */
static int
change_slot(struct catalog *c, const struct catalog *look,
    const struct cat_change *cg, struct meta **old)
{
	int64_t		 s = catalog_find_name(look, cg->cg_name);
	int		 maps = look == c;
	struct cat_article *ca;
	uint32_t	 i;

	*old = NULL;
	if (s < 0 && cg->cg_meta == NULL)
		return 0;
	if (s >= 0) {
		i = (uint32_t)s;
		if ((maps && unlist(c, i) == -1) ||
		    (ca = catalog_entry_own(c, i)) == NULL)
			return -1;
		*old = ca->ca_meta;
		meta_ref(*old);
		catalog_entry_clear(ca);
		if (cg->cg_meta == NULL) {
			c->c_free[c->c_nfree++] = i;
			c->c_nart--;
		}
	} else {
		if (c->c_nfree > 0)
			i = c->c_free[--c->c_nfree];
		else {
			if (catalog_slot_grow(c) == -1)
				return -1;
			i = (uint32_t)c->c_nslot++;
		}
		c->c_nart++;
	}
	if (changed(c, i) == -1)
		return -1;
	if (cg->cg_meta == NULL)
		return 0;
	if (catalog_slot_set(c, i, cg->cg_meta) == -1)
		return -1;
	return maps ? enlist(c, i) : 0;
}

/*
 * The next version of prev with the n changes applied; NULL when out of
 * memory.  Past CAT_REBUILD_PERMILLE changes per 1,000 articles it is
 * catalog_rebuild, else catalog_patch.
 */
struct catalog *
catalog_apply(const struct catalog *prev, const struct cat_change *cg,
    size_t n)
{
	if (n * 1000 > CAT_REBUILD_PERMILLE * (prev->c_nart + 1))
		return catalog_rebuild(prev, cg, n);
	return catalog_patch(prev, cg, n);
}

/* catalog_apply change by change: about n log(articles). */
struct catalog *
catalog_patch(const struct catalog *prev, const struct cat_change *cg,
    size_t n)
{
	struct catalog	*c;
	struct meta	**old;
	struct root	*roots;
	size_t		 k, nroot = 0;
	int		 r = 0;

	if ((c = clone(prev)) == NULL)
		return NULL;
	old = calloc(n + 1, sizeof(*old));
	roots = calloc(2 * n + 1, sizeof(*roots));
	if (old == NULL || roots == NULL ||
	    (c->c_free = reallocarray(c->c_free, c->c_nfree + n + 1,
	    sizeof(*c->c_free))) == NULL)
		r = -1;
	for (k = 0; r == 0 && k < n; k++) {
		if ((r = change_slot(c, c, &cg[k], &old[k])) == -1)
			break;
		if (old[k] != NULL) {
			roots[nroot].rt_s = old[k]->m_base;
			roots[nroot++].rt_n = catalog_root_len(old[k]->m_base,
			    strlen(old[k]->m_base));
		}
		if (cg[k].cg_meta != NULL) {
			roots[nroot].rt_s = cg[k].cg_meta->m_base;
			roots[nroot++].rt_n = catalog_root_len(cg[k].cg_meta->m_base,
			    strlen(cg[k].cg_meta->m_base));
		}
	}
	/* a root seen twice is recomputed twice: the same answer */
	for (k = 0; r == 0 && k < nroot; k++)
		r = catalog_root_update(c, roots[k].rt_s, roots[k].rt_n);
	for (k = 0; old != NULL && k < n; k++)
		meta_unref(old[k]);
	free(old);
	free(roots);
	if (r == -1) {
		catalog_free(c);
		return NULL;
	}
	return c;
}

/*
 * The same as catalog_apply, but every map, address and the order built
 * afresh from the articles (the slots are kept: an article keeps its
 * slot, as in catalog_apply): the cheaper way for a large batch.  The
 * names of the changes must differ.
 */
struct catalog *
catalog_rebuild(const struct catalog *prev, const struct cat_change *cg,
    size_t n)
{
	struct catalog	*c;
	struct meta	*old;
	size_t		 k;

	if ((c = clone(prev)) == NULL)
		return NULL;
	pmap_free(&c->c_byslug);
	pmap_free(&c->c_byname);
	pmap_free(&c->c_bykey);
	pmap_free(&c->c_bytitle);
	pmap_free(&c->c_byroot);
	for (k = 0; k < c->c_nrun; k++)
		catalog_run_unref(c->c_run[k]);
	c->c_nrun = 0;
	if ((c->c_free = reallocarray(c->c_free, c->c_nfree + n + 1,
	    sizeof(*c->c_free))) == NULL)
		goto fail;
	for (k = 0; k < n; k++) {
		if (change_slot(c, prev, &cg[k], &old) == -1)
			goto fail;
		meta_unref(old);
	}
	if (catalog_derive_all(c) == -1)
		goto fail;
	return c;
 fail:
	catalog_free(c);
	return NULL;
}
