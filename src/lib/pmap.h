/*
 * pmap: a persistent string map, shared between versions: the keys are
 * split by hash between PMAP_SHARDS shards (each a strmap), each shard
 * reference-counted, so that the next version copies the shard table
 * (PMAP_SHARDS pointers) and only the shards it writes.
 *
 * Example: pmap_init(&a, 0); pmap_set(&a, "crepes", 6, 7);
 * pmap_copy(&b, &a) shares every shard; pmap_set(&b, "galettes", 8, 9)
 * copies the one shard "galettes" falls in, and pmap_get(&a, "galettes",
 * 8) is still -1.  Keys are borrowed (they must outlive every version
 * that holds them).  A map made with lists set holds struct plist values
 * (sorted lists of indexes, immutable once shared): it takes a
 * reference with each value set, drops it when the value goes.
 */
#ifndef PMAP_H
#define PMAP_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

/*
 * Shards per map: the cost of a version is copying this many pointers
 * (and, for what it writes, a shard of about n / PMAP_SHARDS keys).
 */
#define PMAP_SHARDS	256

struct plist {
	_Atomic int	 pl_refs;
	uint32_t	 pl_n;		/* indexes */
	uint32_t	 pl_cap;
	uint32_t	 pl_v[];
};

struct pmap_shard {
	_Atomic int	 ps_refs;
	struct strmap	 ps_map;
};

struct pmap {
	struct pmap_shard *p_shard[PMAP_SHARDS];	/* NULL: empty */
	int		  p_lists;	/* values are struct plist * */
};

void		 pmap_init(struct pmap *, int);
void		 pmap_copy(struct pmap *, const struct pmap *);
void		 pmap_free(struct pmap *);
int64_t		 pmap_get(const struct pmap *, const char *, size_t);
const struct plist *pmap_list(const struct pmap *, const char *, size_t);
const char	*pmap_key(const struct pmap *, const char *, size_t);
int		 pmap_reserve(struct pmap *, size_t);
int		 pmap_set(struct pmap *, const char *, size_t, uint64_t);
uint64_t	*pmap_claim(struct pmap *, const char *, size_t);
int		 pmap_del(struct pmap *, const char *, size_t);
int		 pmap_walk(const struct pmap *, int (*)(void *, const char *,
		    size_t, uint64_t), void *);

struct plist	*plist_new(size_t);
void		 plist_ref(const struct plist *);
void		 plist_unref(const struct plist *);

#endif
