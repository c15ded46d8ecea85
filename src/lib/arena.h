/*
 * arena: many small strings freed at once.  The catalog keeps every
 * title, slug and name of a capsule here: at 200,000 articles that is a
 * few large allocations instead of a million small ones.
 *
 * Example: s = arena_strndup(&ar, "Title", 5); ...; arena_free(&ar);
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

/* Bytes per chunk; larger strings get a chunk of their own. */
#define ARENA_CHUNK	(64 * 1024)

struct arena_chunk;

struct arena {
	struct arena_chunk	*ar_head;	/* newest chunk first, owned */
	size_t			 ar_total;	/* bytes allocated, for reports */
};

void	 arena_init(struct arena *);
void	 arena_free(struct arena *);
void	*arena_alloc(struct arena *, size_t);
char	*arena_strndup(struct arena *, const char *, size_t);

#endif
