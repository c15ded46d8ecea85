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

/* 256 shards: the hash's high byte; the slot in a shard takes its low bits. */
#define SHARD_OF(h)	((size_t)((h) >> 24))

_Static_assert(PMAP_SHARDS == 256, "SHARD_OF takes the hash's high byte");

static struct strmap_slot *
slot(const struct pmap *p, const char *k, size_t n)
{
	uint32_t		 h = strmap_hash(k, n);
	const struct pmap_shard	*s = p->p_shard[SHARD_OF(h)];

	return s != NULL ? strmap_slot_h(&s->ps_map, k, n, h) : NULL;
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

/* Shard j, this version's own (copied if shared), or NULL. */
static struct pmap_shard *
own_shard(struct pmap *p, size_t j)
{
	struct pmap_shard	**sp = &p->p_shard[j], *s;
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
 * Room for about n more keys, for a map about to be filled: each
 * shard is made this version's own and sized for its share of n, with
 * a quarter more for the luck of the hash (at n = 200,000: 781 keys a
 * shard on average, 28 the standard deviation), so that no shard grows
 * table by table while the map fills; one that gets more than that
 * still grows.  0, or -1 when out of memory.
 */
int
pmap_reserve(struct pmap *p, size_t n)
{
	struct pmap_shard	*s;
	size_t			 j, share = n / PMAP_SHARDS;

	if (n == 0)
		return 0;
	share += share / 4 + 16;
	for (j = 0; j < PMAP_SHARDS; j++)
		if ((s = own_shard(p, j)) == NULL ||
		    strmap_reserve(&s->ps_map, s->ps_map.m_used + share) == -1)
			return -1;
	return 0;
}

/*
 * Key k (borrowed: it replaces the stored key) gets value v; in a map of
 * lists, v is a struct plist * whose reference the map takes over (also
 * on failure).  0, or -1 when out of memory.
 */
int
pmap_set(struct pmap *p, const char *k, size_t n, uint64_t v)
{
	uint32_t		 h = strmap_hash(k, n);
	struct pmap_shard	*s;
	struct strmap_slot	*sl;
	int			 r;

	if ((s = own_shard(p, SHARD_OF(h))) == NULL ||
	    (r = strmap_claim(&s->ps_map, k, n, h, &sl)) == -1) {
		if (p->p_lists)
			plist_unref((const struct plist *)(uintptr_t)v);
		return -1;
	}
	if (r == 0 && p->p_lists)
		plist_unref((const struct plist *)(uintptr_t)sl->ms_val);
	sl->ms_key = k;
	sl->ms_val = v;
	return 0;
}

/*
 * The value of key k, to be written in place (until the next change of
 * p), added as 0 when absent (the key borrowed); NULL when out of
 * memory.  For filling a map: one hash where pmap_get then pmap_set
 * take two.  In a map of lists the caller puts a list in place of a 0
 * before anything else reads the map, and changes a list in place only
 * when it is this version's own (pl_refs 1, as in a map being built).
 */
uint64_t *
pmap_claim(struct pmap *p, const char *k, size_t n)
{
	uint32_t		 h = strmap_hash(k, n);
	struct pmap_shard	*s;
	struct strmap_slot	*sl;

	if ((s = own_shard(p, SHARD_OF(h))) == NULL ||
	    strmap_claim(&s->ps_map, k, n, h, &sl) == -1)
		return NULL;
	return &sl->ms_val;
}

/*
 * fn(arg, key, length, value) for every key, in no particular order,
 * until one returns -1 (then -1).  fn must not change the map.
 */
int
pmap_walk(const struct pmap *p, int (*fn)(void *, const char *, size_t,
    uint64_t), void *arg)
{
	const struct strmap	*m;
	size_t			 j, i;

	for (j = 0; j < PMAP_SHARDS; j++) {
		if (p->p_shard[j] == NULL)
			continue;
		m = &p->p_shard[j]->ps_map;
		for (i = 0; i < m->m_cap; i++)
			if (m->m_slot[i].ms_key != NULL && fn(arg,
			    m->m_slot[i].ms_key, m->m_slot[i].ms_len,
			    m->m_slot[i].ms_val) == -1)
				return -1;
	}
	return 0;
}

/* Remove key k (its list unreferenced): 0, or -1 when out of memory. */
int
pmap_del(struct pmap *p, const char *k, size_t n)
{
	uint32_t		 h = strmap_hash(k, n);
	struct pmap_shard	*s = p->p_shard[SHARD_OF(h)];
	struct strmap_slot	*sl;

	if (s == NULL || strmap_slot_h(&s->ps_map, k, n, h) == NULL)
		return 0;
	if ((s = own_shard(p, SHARD_OF(h))) == NULL)
		return -1;
	sl = strmap_slot_h(&s->ps_map, k, n, h);
	if (p->p_lists)
		plist_unref((const struct plist *)(uintptr_t)sl->ms_val);
	strmap_del(&s->ps_map, k, n);
	return 0;
}
