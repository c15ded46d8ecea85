#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* FNV-1a: simple, and good enough for slugs, titles and stems. */
uint32_t
strmap_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
strmap_free(struct strmap *m)
{
	free(m->m_slot);
	strmap_init(m);
}

static struct strmap_slot *
find(const struct strmap *m, const char *k, size_t n, uint32_t h)
{
	size_t			 i, mask = m->m_cap - 1;
	struct strmap_slot	*s;

	for (i = h & mask;; i = (i + 1) & mask) {
		s = &m->m_slot[i];
		if (s->ms_key == NULL || (s->ms_hash == h && s->ms_len == n &&
		    memcmp(s->ms_key, k, n) == 0))
			return s;
	}
}

/* Move the entries into a table of cap slots (a power of two). */
static int
resize(struct strmap *m, size_t cap)
{
	struct strmap		 old = *m;
	struct strmap_slot	*s;
	size_t			 i;

	m->m_cap = cap;
	if ((m->m_slot = calloc(m->m_cap, sizeof(*m->m_slot))) == NULL) {
		*m = old;
		return -1;
	}
	for (i = 0; i < old.m_cap; i++) {
		if (old.m_slot[i].ms_key == NULL)
			continue;
		s = find(m, old.m_slot[i].ms_key, old.m_slot[i].ms_len,
		    old.m_slot[i].ms_hash);
		*s = old.m_slot[i];
	}
	free(old.m_slot);
	return 0;
}

/* Keep the table at most half full. */
static int
grow(struct strmap *m)
{
	return resize(m, m->m_cap ? m->m_cap * 2 : 64);
}

/*
 * Room for n keys in all without growing (a map about to be filled:
 * one table rather than a dozen, each copied into the next).  0, or -1
 * when out of memory (the map is as it was).
 */
int
strmap_reserve(struct strmap *m, size_t n)
{
	size_t	 cap = 64;

	while (cap / 2 < n)
		if ((cap *= 2) == 0)
			return -1;
	return cap > m->m_cap ? resize(m, cap) : 0;
}

/*
 * The slot of key k, whose hash h is strmap_hash(k, n), added (value 0)
 * when absent: 1 if added, 0 if it was there, -1 when out of memory.
 * For a caller that has the hash already (pmap: one hash an operation).
 */
int
strmap_claim(struct strmap *m, const char *k, size_t n, uint32_t h,
    struct strmap_slot **sp)
{
	struct strmap_slot	*s;

	if (n > UINT32_MAX)
		return -1;
	if ((m->m_used + 1) * 2 > m->m_cap && grow(m) == -1)
		return -1;
	*sp = s = find(m, k, n, h);
	if (s->ms_key != NULL)
		return 0;
	s->ms_key = k;
	s->ms_len = (uint32_t)n;
	s->ms_hash = h;
	s->ms_val = 0;
	m->m_used++;
	return 1;
}

/* Returns 1 if added, 0 if the key was there already (kept), -1 on error. */
int
strmap_put(struct strmap *m, const char *k, size_t n, uint32_t val)
{
	struct strmap_slot	*s;
	int			 r;

	if ((r = strmap_claim(m, k, n, strmap_hash(k, n), &s)) == 1)
		s->ms_val = val;
	return r;
}

/* Like strmap_put, but a key that is there gets the new value. */
int
strmap_set(struct strmap *m, const char *k, size_t n, uint32_t val)
{
	struct strmap_slot	*s;
	int			 r;

	if ((r = strmap_put(m, k, n, val)) != 0)
		return r;
	s = find(m, k, n, strmap_hash(k, n));
	s->ms_val = val;
	return 0;
}

/*
 * Remove a key (0, or -1 when absent).  Linear probing needs no
 * tombstones: the entries after the hole that would not be found any
 * more move back into it (Knuth's algorithm R).
 */
int
strmap_del(struct strmap *m, const char *k, size_t n)
{
	struct strmap_slot	*s;
	size_t			 i, j, home, mask = m->m_cap - 1;

	if (m->m_cap == 0 ||
	    (s = find(m, k, n, strmap_hash(k, n)))->ms_key == NULL)
		return -1;
	i = (size_t)(s - m->m_slot);
	for (j = (i + 1) & mask; m->m_slot[j].ms_key != NULL;
	    j = (j + 1) & mask) {
		home = m->m_slot[j].ms_hash & mask;
		/* can slot j's entry live at i?  only if home is not in (i, j] */
		if ((i <= j) ? (home <= i || home > j) : (home <= i && home > j)) {
			m->m_slot[i] = m->m_slot[j];
			i = j;
		}
	}
	memset(&m->m_slot[i], 0, sizeof(m->m_slot[i]));
	m->m_used--;
	return 0;
}

int64_t
strmap_get(const struct strmap *m, const char *k, size_t n)
{
	struct strmap_slot	*s;

	if (m->m_cap == 0)
		return -1;
	s = find(m, k, n, strmap_hash(k, n));
	return s->ms_key != NULL ? (int64_t)s->ms_val : -1;
}

/* The key as stored (the caller's pointer given to strmap_put), or NULL. */
const char *
strmap_key(const struct strmap *m, const char *k, size_t n)
{
	if (m->m_cap == 0)
		return NULL;
	return find(m, k, n, strmap_hash(k, n))->ms_key;
}

/* dst (uninitialised) becomes a copy of src: the same borrowed keys. */
int
strmap_copy(struct strmap *dst, const struct strmap *src)
{
	*dst = *src;
	if (src->m_cap == 0)
		return 0;
	if ((dst->m_slot = reallocarray(NULL, src->m_cap,
	    sizeof(*src->m_slot))) == NULL) {
		strmap_init(dst);
		return -1;
	}
	memcpy(dst->m_slot, src->m_slot, src->m_cap * sizeof(*src->m_slot));
	return 0;
}

/* The slot holding key k (its value may be changed in place), or NULL. */
struct strmap_slot *
strmap_slot(const struct strmap *m, const char *k, size_t n)
{
	return strmap_slot_h(m, k, n, strmap_hash(k, n));
}

/* strmap_slot of key k whose hash h is strmap_hash(k, n). */
struct strmap_slot *
strmap_slot_h(const struct strmap *m, const char *k, size_t n, uint32_t h)
{
	struct strmap_slot	*s;

	if (m->m_cap == 0)
		return NULL;
	s = find(m, k, n, h);
	return s->ms_key != NULL ? s : NULL;
}
