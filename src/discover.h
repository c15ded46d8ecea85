/*
 * discover: similar articles and search for a snapshot (issue 8), the
 * text index of its catalog's articles kept up to date cheaply.
 *
 * A full index (a "base", shared by every snapshot built on it) is made
 * from every article at start-up; the next snapshots add a small index
 * of the articles added or changed since (a "delta", weighted by the
 * base's statistics) and leave out the base's articles that are gone or
 * changed.  Once the changes outgrow DISCOVER_DELTA_MIN plus
 * 1/DISCOVER_DELTA_DIV of the base, the next snapshot gets a new base.
 * So one changed article costs reading and indexing the changed
 * articles, not the capsule; and a capsule read afresh always gets the
 * same lists (ties go to the lower address slug).  Between, the lists
 * weigh words by the base's statistics: live.c indexes in full again
 * once changes have been quiet for LIVE_SETTLE_MS.
 *
 * Example: d = discover_new(NULL, cat, dirfd, &errstr) for the first
 * snapshot, then d2 = discover_new(d, cat2, dirfd, &errstr) for the next
 * (d may be freed at once: d2 holds what it shares).
 * discover_similar(d, cat, i, 5, excl, nexcl, out) gives the catalog
 * indexes of the 5 articles most like article i.
 */
#ifndef DISCOVER_H
#define DISCOVER_H

#include <stddef.h>
#include <stdint.h>

struct catalog;
struct discover;

#define DISCOVER_DELTA_MIN	256
#define DISCOVER_DELTA_DIV	100
/* Most similar articles an article may list (the "similar" setting). */
#define DISCOVER_SIMILAR_MAX	100

struct discover_hit {
	uint32_t	 dh_art;	/* catalog index */
	float		 dh_score;
};

struct discover	*discover_new(const struct discover *, const struct catalog *,
		    int, const char **);
void		 discover_free(struct discover *);
size_t		 discover_similar(const struct discover *, size_t, size_t,
		    const uint32_t *, size_t, uint32_t *);
size_t		 discover_search(const struct discover *, const char *, size_t,
		    struct discover_hit *);
size_t		 discover_memory(const struct discover *);
size_t		 discover_changes(const struct discover *);
int		 discover_fresh(const struct discover *);

#endif
