#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pmap.h"

struct plist *
plist_new(size_t cap)
{
	struct plist	*l;

	if (cap == 0)
		cap = 1;
	if (cap > UINT32_MAX ||
	    (l = malloc(sizeof(*l) + cap * sizeof(l->pl_v[0]))) == NULL)
		return NULL;
	atomic_init(&l->pl_refs, 1);
	l->pl_n = 0;
	l->pl_cap = (uint32_t)cap;
	return l;
}

void
plist_ref(const struct plist *l)
{
	atomic_fetch_add(&((struct plist *)(uintptr_t)l)->pl_refs, 1);
}

void
plist_unref(const struct plist *l)
{
	if (l != NULL && atomic_fetch_sub(&((struct plist *)(uintptr_t)l)->
	    pl_refs, 1) == 1)
		free((void *)(uintptr_t)l);
}

void
pmap_init(struct pmap *p, int lists)
{
	memset(p, 0, sizeof(*p));
	p->p_lists = lists;
}

/* p (uninitialised) shares every shard of q. */
void
pmap_copy(struct pmap *p, const struct pmap *q)
{
	size_t	 i;

	*p = *q;
	for (i = 0; i < PMAP_SHARDS; i++)
		if (p->p_shard[i] != NULL)
			atomic_fetch_add(&p->p_shard[i]->ps_refs, 1);
}

static void
shard_unref(struct pmap_shard *s, int lists)
{
	size_t	 i;

	if (s == NULL || atomic_fetch_sub(&s->ps_refs, 1) != 1)
		return;
	for (i = 0; lists && i < s->ps_map.m_cap; i++)
		if (s->ps_map.m_slot[i].ms_key != NULL)
			plist_unref((const struct plist *)(uintptr_t)
			    s->ps_map.m_slot[i].ms_val);
	strmap_free(&s->ps_map);
	free(s);
}

void
pmap_free(struct pmap *p)
{
	size_t	 i;

	for (i = 0; i < PMAP_SHARDS; i++)
		shard_unref(p->p_shard[i], p->p_lists);
	pmap_init(p, p->p_lists);
}

static size_t
shard_of(const char *k, size_t n)
{
	return strmap_hash(k, n) >> 24;		/* 256 shards: the high byte */
}

_Static_assert(PMAP_SHARDS == 256, "shard_of takes the hash's high byte");

static struct strmap_slot *
slot(const struct pmap *p, const char *k, size_t n)
{
	const struct pmap_shard *s = p->p_shard[shard_of(k, n)];

	return s != NULL ? strmap_slot(&s->ps_map, k, n) : NULL;
}

int64_t
pmap_get(const struct pmap *p, const char *k, size_t n)
{
	const struct strmap_slot *s = slot(p, k, n);

	return s != NULL ? (int64_t)s->ms_val : -1;
}

const struct plist *
pmap_list(const struct pmap *p, const char *k, size_t n)
{
	const struct strmap_slot *s = slot(p, k, n);

	return s != NULL ? (const struct plist *)(uintptr_t)s->ms_val : NULL;
}

/* The key as stored, or NULL. */
const char *
pmap_key(const struct pmap *p, const char *k, size_t n)
{
	const struct strmap_slot *s = slot(p, k, n);

	return s != NULL ? s->ms_key : NULL;
}

/* The shard of k, this version's own (copied if shared), or NULL. */
static struct pmap_shard *
own(struct pmap *p, const char *k, size_t n)
{
	struct pmap_shard	**sp = &p->p_shard[shard_of(k, n)], *s;
	size_t			  i;

	if (*sp != NULL && atomic_load(&(*sp)->ps_refs) == 1)
		return *sp;
	if ((s = malloc(sizeof(*s))) == NULL)
		return NULL;
	atomic_init(&s->ps_refs, 1);
	if (*sp == NULL)
		strmap_init(&s->ps_map);
	else if (strmap_copy(&s->ps_map, &(*sp)->ps_map) == -1) {
		free(s);
		return NULL;
	}
	for (i = 0; *sp != NULL && p->p_lists && i < s->ps_map.m_cap; i++)
		if (s->ps_map.m_slot[i].ms_key != NULL)
			plist_ref((const struct plist *)(uintptr_t)
			    s->ps_map.m_slot[i].ms_val);
	shard_unref(*sp, p->p_lists);
	*sp = s;
	return s;
}

/*
 * Key k (borrowed: it replaces the stored key) gets value v; in a map of
 * lists, v is a struct plist * whose reference the map takes over (also
 * on failure).  0, or -1 when out of memory.
 */
int
pmap_set(struct pmap *p, const char *k, size_t n, uint64_t v)
{
	struct pmap_shard	*s;
	struct strmap_slot	*sl;

	if ((s = own(p, k, n)) == NULL)
		goto fail;
	if ((sl = strmap_slot(&s->ps_map, k, n)) != NULL) {
		if (p->p_lists)
			plist_unref((const struct plist *)(uintptr_t)
			    sl->ms_val);
		sl->ms_key = k;
		sl->ms_val = v;
		return 0;
	}
	if (strmap_put(&s->ps_map, k, n, 0) != 1)
		goto fail;
	strmap_slot(&s->ps_map, k, n)->ms_val = v;
	return 0;
 fail:
	if (p->p_lists)
		plist_unref((const struct plist *)(uintptr_t)v);
	return -1;
}

/* Remove key k (its list unreferenced): 0, or -1 when out of memory. */
int
pmap_del(struct pmap *p, const char *k, size_t n)
{
	struct pmap_shard	*s;
	struct strmap_slot	*sl;

	if (slot(p, k, n) == NULL)
		return 0;
	if ((s = own(p, k, n)) == NULL)
		return -1;
	sl = strmap_slot(&s->ps_map, k, n);
	if (p->p_lists)
		plist_unref((const struct plist *)(uintptr_t)sl->ms_val);
	strmap_del(&s->ps_map, k, n);
	return 0;
}
