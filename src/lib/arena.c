#include <stdlib.h>
#include <string.h>

#include "arena.h"

struct arena_chunk {
	struct arena_chunk	*ac_next;
	size_t			 ac_used;
	size_t			 ac_size;
	char			 ac_data[];
};

void
arena_init(struct arena *ar)
{
	memset(ar, 0, sizeof(*ar));
}

void
arena_free(struct arena *ar)
{
	struct arena_chunk	*c, *next;

	for (c = ar->ar_head; c != NULL; c = next) {
		next = c->ac_next;
		free(c);
	}
	arena_init(ar);
}

/* Memory aligned for any object of the catalog (pointers, int64_t). */
void *
arena_alloc(struct arena *ar, size_t n)
{
	struct arena_chunk	*c = ar->ar_head;
	size_t			 size;
	void			*p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->ac_size - c->ac_used < n) {
		size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->ac_used = 0;
		c->ac_size = size;
		if (size == n && ar->ar_head != NULL) {
			/* a big one: keep filling the current chunk */
			c->ac_next = ar->ar_head->ac_next;
			ar->ar_head->ac_next = c;
		} else {
			c->ac_next = ar->ar_head;
			ar->ar_head = c;
		}
		ar->ar_total += size;
	}
	p = c->ac_data + c->ac_used;
	c->ac_used += n;
	return p;
}

char *
arena_strndup(struct arena *ar, const char *s, size_t n)
{
	char	*p;

	if ((p = arena_alloc(ar, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
