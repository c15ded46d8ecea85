/*
 * strmap: an open-addressing hash table from byte strings to indexes.
 *
 * Example: strmap_put(&m, "crepes", 6, 7) then strmap_get(&m, "crepes",
 * 6) is 7 and strmap_get(&m, "x", 1) is -1.  The map borrows its keys:
 * they must outlive it (the catalog keeps them in its arena).  The
 * first value put for a key stays: "first in file-name order wins".
 */
#ifndef STRMAP_H
#define STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	const char	*ms_key;	/* borrowed, NULL when free */
	uint32_t	 ms_len;	/* key length */
	uint32_t	 ms_hash;	/* cached hash */
	uint64_t	 ms_val;	/* the index (or pointer) stored */
};

struct strmap {
	struct strmap_slot	*m_slot;	/* owned */
	size_t			 m_cap;		/* a power of two */
	size_t			 m_used;
};

uint32_t strmap_hash(const char *, size_t);
void	 strmap_init(struct strmap *);
void	 strmap_free(struct strmap *);
int	 strmap_reserve(struct strmap *, size_t);
int	 strmap_put(struct strmap *, const char *, size_t, uint32_t);
int	 strmap_set(struct strmap *, const char *, size_t, uint32_t);
int	 strmap_del(struct strmap *, const char *, size_t);
int64_t	 strmap_get(const struct strmap *, const char *, size_t);
const char *strmap_key(const struct strmap *, const char *, size_t);
int	 strmap_copy(struct strmap *, const struct strmap *);
struct strmap_slot *strmap_slot(const struct strmap *, const char *, size_t);
struct strmap_slot *strmap_slot_h(const struct strmap *, const char *, size_t,
	    uint32_t);
int	 strmap_claim(struct strmap *, const char *, size_t, uint32_t,
	    struct strmap_slot **);

#endif
