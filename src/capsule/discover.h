/*
 * discover: similar articles and search for a snapshot (capsuled(8),
 * DISCOVERY), the text index of its catalog's articles kept up to date
 * cheaply.
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
 * The index keeps no text: the phrase check and the excerpts of a
 * search use the text the article's meta kept (META_TEXT_MAX in meta.h),
 * else its file (snapshot.c).
 *
 * Example: d = discover_new(NULL, cat, dirfd, NULL, &errstr) for the
 * first snapshot, then d2 = discover_new(d, cat2, dirfd, NULL, &errstr)
 * for the next (d may be freed at once: d2 holds what it shares); the
 * NULL may instead point to a flag that, once set, makes a build stop
 * soon (NULL, *errstr TEXTINDEX_STOPPED).
 * n = discover_similar(d, i, 5, excl, nexcl, out) gives in out[0 .. n)
 * the catalog slots of the (at most) 5 articles most like the article in
 * slot i, none of excl[0 .. nexcl); n is -1 when memory ran out, never
 * 0 for that.  d2 builds on d only when cat2 was made from d's catalog
 * by catalog_apply (the same slots; its changes say what is new).
 *
 * A base may also be built while the catalog moves on (live.c builds a
 * large capsule's on a thread of its own): d0 = discover_new(NULL, cat0,
 * ...), and once it is done d = discover_next(d0, catN, changed, n, ...)
 * with the slots changed from cat0 to catN (every change of the catalogs
 * made since, catalog_apply's c_changed), never building afresh however
 * many they are; discover_outgrown(d) then says a new base is due.
 */
#ifndef DISCOVER_H
#define DISCOVER_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct catalog;
struct discover;

#define DISCOVER_DELTA_MIN	256
#define DISCOVER_DELTA_DIV	100
/* Most similar articles an article may list (the "similar" setting). */
#define DISCOVER_SIMILAR_MAX	100

struct discover_hit {
	uint32_t	 dh_art;	/* catalog slot */
	float		 dh_score;
};

struct discover	*discover_new(const struct discover *, const struct catalog *,
		    int, const _Atomic int *, const char **);
struct discover	*discover_next(const struct discover *,
		    const struct catalog *, const uint32_t *, size_t, int,
		    const _Atomic int *, const char **);
int		 discover_outgrown(const struct discover *);
void		 discover_free(struct discover *);
ssize_t		 discover_similar(const struct discover *, size_t, size_t,
		    const uint32_t *, size_t, uint32_t *);
ssize_t		 discover_search(const struct discover *, const char *, size_t,
		    struct discover_hit *);
size_t		 discover_memory(const struct discover *);
size_t		 discover_changes(const struct discover *);
int		 discover_fresh(const struct discover *);

#endif
