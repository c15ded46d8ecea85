/*
 * live_index.c: the text index of a live capsule's snapshots (see
 * discover.h).  A change gets a delta on the current base, built in
 * place.  A full build, a "base", takes milliseconds for a small capsule
 * and is made in place too; for one of LIVE_INDEX_LATER articles or more
 * it takes seconds, so it runs on a thread of its own, and the watcher
 * goes on publishing changes meanwhile, with deltas on the old base (or,
 * at start-up, with no index).  When it is done, the watcher catches it
 * up with the slots changed since the catalog it was built for (lv_since)
 * and publishes it.  A base is due at start-up, once changes have been
 * quiet for a while (settle, live_watch.c), and when a delta outgrows
 * what a delta should hold.
 */
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capsule.h"
#include "catalog.h"
#include "discover.h"
#include "live.h"
#include "log.h"
#include "snapshot.h"
#include "live_int.h"

/* Is a base of c built on a thread of its own? */
static int
aside(const struct catalog *c)
{
	return c->c_nart >= LIVE_INDEX_LATER;
}

/* Is the current snapshot's? */
int
live_index_aside(const struct live *lv)
{
	return aside(lv->lv_cur->sn_cat);
}

/* When a delta of changes has been quiet that long: a base again. */
static void
settle_later(struct live *lv, const struct discover *d)
{
	lv->lv_settle_at = 0;
	if (d != NULL && discover_changes(d) > 0)
		lv->lv_settle_at = now_ms() + (lv->lv_full_ms *
		    LIVE_SETTLE_FACTOR > LIVE_SETTLE_MS ? lv->lv_full_ms *
		    LIVE_SETTLE_FACTOR : LIVE_SETTLE_MS);
}

static void
log_built(const struct live *lv, size_t nart, int64_t ms,
    const struct discover *d)
{
	log_info("%s: text index of %zu %s built in %lld ms (%zu kB)",
	    lv->lv_dir, nart, log_plural(nart, "article", "articles"),
	    (long long)ms, discover_memory(d) / 1024);
}

/*
 * The text index of catalog c, the next snapshot's: on the current
 * snapshot's base (a delta) or in full, as `how` says and the capsule's
 * size allows.  NULL when there is none: the snapshot then has no
 * similar articles and no search (and a failure says so in the log).
 * A base due for a large capsule is marked lv_ix_want, for
 * live_index_start once the snapshot is current.
 */
struct discover *
live_index(struct live *lv, const struct catalog *c, enum live_index how)
{
	const struct discover *prev = lv->lv_cur != NULL ?
	    lv->lv_cur->sn_disc : NULL;
	struct discover	*d;
	const char	*errstr;
	int64_t		 t0 = now_ms();

	if (how == LIVE_INDEX_NONE)
		return NULL;
	if (lv->lv_cur != NULL && aside(c)) {
		if (how == LIVE_INDEX_FRESH || prev == NULL)
			lv->lv_ix_want = 1;
		if (prev == NULL)
			return NULL;
		d = discover_next(prev, c, NULL, 0, lv->lv_dirfd,
		    &lv->lv_stopping, &errstr);
		if (d != NULL && discover_outgrown(d))
			lv->lv_ix_want = 1;
	} else
		d = discover_new(how == LIVE_INDEX_DELTA ? prev : NULL, c,
		    lv->lv_dirfd, &lv->lv_stopping, &errstr);
	if (d == NULL) {
		if (!atomic_load(&lv->lv_stopping))
			log_warnx("%s: no similar articles or search: %s",
			    lv->lv_dir, errstr);
		return NULL;
	}
	lv->lv_index_ms = now_ms() - t0;
	if (discover_fresh(d)) {
		lv->lv_full_ms = lv->lv_index_ms;
		log_built(lv, c->c_nart, lv->lv_index_ms, d);
	}
	settle_later(lv, d);
	return d;
}

/*
 * Catalog c is about to be published: while a base is being built, its
 * changes are what the base must catch up with.  -1 when out of memory.
 */
int
live_index_note(struct live *lv, const struct catalog *c)
{
	uint32_t	*p;
	size_t		 cap;

	if (!lv->lv_ix_busy || c->c_nchanged == 0)
		return 0;
	if (lv->lv_nsince + c->c_nchanged > lv->lv_sincecap) {
		cap = lv->lv_sincecap ? lv->lv_sincecap : 256;
		while (cap < lv->lv_nsince + c->c_nchanged)
			cap *= 2;
		if ((p = reallocarray(lv->lv_since, cap, sizeof(*p))) == NULL)
			return -1;
		lv->lv_since = p;
		lv->lv_sincecap = cap;
	}
	memcpy(lv->lv_since + lv->lv_nsince, c->c_changed, c->c_nchanged *
	    sizeof(*c->c_changed));
	lv->lv_nsince += c->c_nchanged;
	return 0;
}

/*
 * The index thread: the related entries not found first when it was
 * given those to check (live.c), then a base of lv_ix_for's catalog,
 * then a byte.
 */
static void *
index_main(void *arg)
{
	struct live	*lv = arg;
	struct diags	 d;
	int64_t		 t0;

	if (lv->lv_ix_check) {
		memset(&d, 0, sizeof(d));
		capsule_unresolved(&d, lv->lv_dir, lv->lv_ix_for->sn_cat, NULL);
		live_log_diags(&d);
	}
	t0 = now_ms();
	lv->lv_ix_done = discover_new(NULL, lv->lv_ix_for->sn_cat,
	    lv->lv_dirfd, &lv->lv_stopping, &lv->lv_ix_err);
	lv->lv_ix_ms = now_ms() - t0;
	(void)!write(lv->lv_ix_pipe[1], "x", 1);
	return NULL;
}

/* Start building a base of the current snapshot, unless one is. */
void
live_index_start(struct live *lv)
{
	lv->lv_ix_want = 0;
	if (lv->lv_ix_busy)
		return;		/* its catch-up will tell if another is due */
	lv->lv_ix_for = live_acquire(lv);
	lv->lv_ix_done = NULL;
	lv->lv_ix_err = NULL;
	lv->lv_nsince = 0;
	lv->lv_ix_check = lv->lv_unchecked;	/* off the watcher */
	lv->lv_unchecked = 0;
	if (pthread_create(&lv->lv_ix_thread, NULL, index_main, lv) != 0) {
		log_warnx("%s: cannot start a thread for the text index; "
		    "building it here", lv->lv_dir);
		index_main(lv);
		lv->lv_ix_busy = -1;	/* nothing to join */
		return;
	}
	lv->lv_ix_busy = 1;
}

/*
 * Wait for the index thread (its byte read or not) and take its base:
 * what it wrote is read after the join, which orders the two.
 */
static struct discover *
index_join(struct live *lv)
{
	struct discover	*d;
	char		 x;

	if (lv->lv_ix_busy == 1)
		pthread_join(lv->lv_ix_thread, NULL);
	(void)!read(lv->lv_ix_pipe[0], &x, 1);
	d = lv->lv_ix_done;
	lv->lv_ix_busy = 0;
	lv->lv_ix_done = NULL;
	return d;
}

/*
 * The index thread is done (its byte is there): catch its base up with
 * the changes since and publish it with the current catalog.
 */
void
live_index_done(struct live *lv)
{
	struct snapshot	*was = lv->lv_ix_for;
	struct discover	*d0, *d;
	struct catalog	*c;
	const char	*errstr;
	size_t		 nart;

	d0 = index_join(lv);
	lv->lv_ix_for = NULL;
	if (d0 == NULL) {
		if (!atomic_load(&lv->lv_stopping))
			log_warnx("%s: no similar articles or search: %s",
			    lv->lv_dir, lv->lv_ix_err);
		snapshot_release(was);
		return;
	}
	lv->lv_full_ms = lv->lv_ix_ms;
	c = catalog_apply(lv->lv_cur->sn_cat, NULL, 0);
	d = c == NULL ? NULL : discover_next(d0, c, lv->lv_since,
	    lv->lv_nsince, lv->lv_dirfd, &lv->lv_stopping, &errstr);
	if (c != NULL && d == NULL && !atomic_load(&lv->lv_stopping))
		log_warnx("%s: no similar articles or search: %s", lv->lv_dir,
		    errstr);
	nart = was->sn_cat->c_nart;
	discover_free(d0);
	snapshot_release(was);
	if (d == NULL) {
		catalog_free(c);
		return;
	}
	settle_later(lv, d);
	if (discover_outgrown(d))
		lv->lv_ix_want = 1;
	/* once it is served: who reads the line may search at once */
	if (live_swap(lv, c, d, 1) == -1)
		log_warnx("%s: out of memory: still serving the last snapshot",
		    lv->lv_dir);
	else
		log_built(lv, nart, lv->lv_ix_ms, lv->lv_cur->sn_disc);
}

/* The watcher stops: so does the index thread (lv_stopping is set). */
void
live_index_stop(struct live *lv)
{
	if (lv->lv_ix_busy == 0)
		return;
	discover_free(index_join(lv));
	snapshot_release(lv->lv_ix_for);
	lv->lv_ix_for = NULL;
}
