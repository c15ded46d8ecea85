/*
 * live: a watched capsule (see live.h).  This file holds its life: the
 * first read of the capsule (on several threads), building the catalog
 * and the text index, publishing snapshots and handing them out.  The
 * watcher thread is live_watch.c, the cache of metas and of unreadable
 * files live_cache.c; live_int.h is what they share.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "capsule.h"
#include "catalog.h"
#include "discover.h"
#include "live.h"
#include "log.h"
#include "meta.h"
#include "snapshot.h"
#include "live_int.h"

void
live_log_diags(struct diags *d)
{
	size_t	 i;

	diags_sort(d);
	for (i = 0; i < d->d_n; i++)
		log_warnx("%s: %s: %s", d->d_list[i].d_file,
		    diag_level_name(d->d_list[i].d_level), d->d_list[i].d_msg);
	diags_free(d);
}

void
live_read_intro(struct live *lv, struct diags *d)
{
	free(lv->lv_intro);
	lv->lv_intro = capsule_read_intro(lv->lv_dirfd, lv->lv_dir,
	    &lv->lv_introlen, d);
	if (fstatat(lv->lv_dirfd, "index.gmi", &lv->lv_introst,
	    AT_SYMLINK_NOFOLLOW) == -1)
		memset(&lv->lv_introst, 0, sizeof(lv->lv_introst));
}

/* A catalog of every article in the cache, built in full. */
static struct catalog *
catalog_of_cache(const struct live *lv)
{
	struct catalog	*c;
	size_t		 i;

	if ((c = catalog_new()) == NULL)
		return NULL;
	for (i = 0; i < lv->lv_nmeta; i++)
		if (catalog_add_meta(c, lv->lv_meta[i]) == -1) {
			catalog_free(c);
			return NULL;
		}
	if (catalog_finish(c) == -1) {
		catalog_free(c);
		return NULL;
	}
	return c;
}

/* Free memory malloc holds back to the system (LIVE_TRIM_CHANGES). */
static void
memory_give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/*
 * Make the next snapshot current: the current one's catalog with the n
 * changes cg applied (the cache already holds them), or the cache's in
 * full when there is none yet; its text index as `how` says.
 */
int
live_publish(struct live *lv, const struct cat_change *cg, size_t n,
    enum live_index how)
{
	struct catalog	*c;
	struct discover	*d;

	c = lv->lv_cur == NULL ? catalog_of_cache(lv) :
	    catalog_apply(lv->lv_cur->sn_cat, cg, n);
	if (c == NULL)
		return -1;
	if (live_index_note(lv, c) == -1) {
		catalog_free(c);
		return -1;
	}
	d = live_index(lv, c, how);
	return live_swap(lv, c, d, (d != NULL && discover_fresh(d)) ||
	    n >= LIVE_TRIM_CHANGES);
}

/*
 * Make a snapshot of catalog c and index d (both taken over) current;
 * with trim, give memory back; then start a base that is due.
 */
int
live_swap(struct live *lv, struct catalog *c, struct discover *d, int trim)
{
	struct snapshot	*s, *old;

	if ((s = snapshot_new(lv->lv_dir, lv->lv_dirfd, c, &lv->lv_site,
	    lv->lv_intro, lv->lv_introlen, d)) == NULL)
		return -1;
	pthread_mutex_lock(&lv->lv_lock);
	old = lv->lv_cur;
	lv->lv_cur = s;
	pthread_mutex_unlock(&lv->lv_lock);
	snapshot_release(old);
	if (trim)
		memory_give_back();
	if (lv->lv_ix_want)
		live_index_start(lv);
	return 0;
}

/*
 * Wait until what happened in the capsule before fence n (a dotfile
 * LIVE_FENCE_PREFIX "<n>" created there, writer.c) is published, at most
 * ms milliseconds: 0, or -1 when the time ran out.
 */
int
live_wait_fence(struct live *lv, uint64_t n, int ms)
{
	struct timespec	 until;
	int		 r = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&lv->lv_lock);
	while (lv->lv_fence_done < n && r == 0)
		if (pthread_cond_timedwait(&lv->lv_fenced, &lv->lv_lock,
		    &until) != 0 && lv->lv_fence_done < n)
			r = -1;
	pthread_mutex_unlock(&lv->lv_lock);
	return r;
}

struct snapshot *
live_acquire(struct live *lv)
{
	struct snapshot	*s;

	pthread_mutex_lock(&lv->lv_lock);
	s = lv->lv_cur;
	snapshot_acquire(s);
	pthread_mutex_unlock(&lv->lv_lock);
	return s;
}

/* Threads reading a capsule at start-up. */
#define SCAN_THREADS_MAX	8

/* One scanning thread's share: names [from, to) of the directory. */
struct scan_part {
	struct live	 *sp_lv;
	char		**sp_names;
	size_t		  sp_from;
	size_t		  sp_to;
	struct meta	**sp_meta;	/* what it read, in order */
	size_t		  sp_nmeta;
	struct diags	  sp_diags;
	int		  sp_nomem;
};

static void *
scan_part(void *arg)
{
	struct scan_part *sp = arg;
	struct meta	 *m;
	size_t		  i;
	int		  r, err;

	if ((sp->sp_meta = calloc(sp->sp_to - sp->sp_from + 1,
	    sizeof(*sp->sp_meta))) == NULL) {
		sp->sp_nomem = 1;
		return NULL;
	}
	for (i = sp->sp_from; i < sp->sp_to; i++) {
		r = capsule_load(sp->sp_lv->lv_dirfd, sp->sp_lv->lv_dir,
		    sp->sp_names[i], &sp->sp_diags, &m, &err);
		if (r == 1)
			sp->sp_meta[sp->sp_nmeta++] = m;
		else if (r == 2)
			diags_add(&sp->sp_diags, sp->sp_lv->lv_dir,
			    sp->sp_names[i], DIAG_SKIPPED, "%s", strerror(err));
		else if (r == -1)
			sp->sp_nomem = 1;
	}
	return NULL;
}

/* The names of the directory's possible articles. */
static char **
list_names(struct live *lv, size_t *np)
{
	struct dirent	*de;
	DIR		*dp;
	char		**names = NULL, **p;
	size_t		 n = 0, cap = 0;
	int		 fd;

	if ((fd = openat(lv->lv_dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return NULL;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!capsule_is_article_name(de->d_name))
			continue;
		if (n + 1 >= cap) {
			if ((p = reallocarray(names, cap ? cap * 2 : 1024,
			    sizeof(*p))) == NULL)
				break;
			names = p;
			cap = cap ? cap * 2 : 1024;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(dp);
	if (names == NULL)
		names = calloc(1, sizeof(*names));
	*np = n;
	return names;
}

/*
 * Read every article of the directory into the cache, on every core:
 * the names are split between threads, each reads and parses its share,
 * and the results (and diagnostics) are merged here.
 */
static int
initial_scan(struct live *lv, struct diags *d)
{
	struct scan_part  parts[SCAN_THREADS_MAX];
	pthread_t	  tids[SCAN_THREADS_MAX];
	int		  started[SCAN_THREADS_MAX];
	char		**names;
	size_t		  n, t, nt, i, k;
	int		  r = 0;

	if ((names = list_names(lv, &n)) == NULL)
		return -1;
	nt = (size_t)sysconf(_SC_NPROCESSORS_ONLN);
	nt = nt < 1 ? 1 : nt > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : nt;
	if (n < 1000)
		nt = 1;
	memset(parts, 0, sizeof(parts));
	for (t = 0; t < nt; t++) {
		parts[t].sp_lv = lv;
		parts[t].sp_names = names;
		parts[t].sp_from = n * t / nt;
		parts[t].sp_to = n * (t + 1) / nt;
		started[t] = t > 0 && pthread_create(&tids[t], NULL, scan_part,
		    &parts[t]) == 0;
		if (t > 0 && !started[t])
			scan_part(&parts[t]);	/* no thread: do it here */
	}
	scan_part(&parts[0]);
	for (t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tids[t], NULL);
	for (t = 0, k = 0; t < nt; t++)
		k += parts[t].sp_nmeta;
	if (live_cache_reserve(lv, k) == -1)
		r = -1;
	for (t = 0; t < nt; t++) {
		for (k = 0; k < parts[t].sp_nmeta; k++)
			if (r == 0 && live_cache_put(lv,
			    parts[t].sp_meta[k]) == -1)
				r = -1;
			else if (r != 0)
				meta_unref(parts[t].sp_meta[k]);
		if (parts[t].sp_nomem)
			r = -1;
		diags_move(d, &parts[t].sp_diags);
		free(parts[t].sp_meta);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	live_read_intro(lv, d);
	return r;
}

/*
 * Watch the capsule in dir, read it and publish its first snapshot
 * (problems go to d, but for a capsule served before its text index the
 * related entries not found: the thread that builds it logs those);
 * live_start then follows the changes, rescanning every `rescan`
 * seconds (0: never).
 */
struct live *
live_new(const char *dir, const struct site *site, int rescan_secs,
    struct diags *d, const char **errstr)
{
	pthread_condattr_t ca;
	struct live	*lv;

	if ((lv = calloc(1, sizeof(*lv))) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	atomic_init(&lv->lv_refs, 1);
	lv->lv_inotify = lv->lv_stop[0] = lv->lv_stop[1] = lv->lv_dirfd = -1;
	lv->lv_ix_pipe[0] = lv->lv_ix_pipe[1] = -1;
	lv->lv_rescan = rescan_secs;
	strmap_init(&lv->lv_byname);
	strmap_init(&lv->lv_unreadby);
	pthread_mutex_init(&lv->lv_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lv->lv_fenced, &ca);
	pthread_condattr_destroy(&ca);
	if (site_copy(&lv->lv_site, site, &lv->lv_strings) == -1 ||
	    (lv->lv_dir = strdup(dir)) == NULL ||
	    (lv->lv_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		*errstr = lv->lv_dir ? strerror(errno) : "out of memory";
		goto fail;
	}
	/*
	 * Watched before it is read: a change made while the files are
	 * read and the first snapshot built (seconds, for a large capsule)
	 * is an event the watcher thread then applies, not lost until the
	 * next rescan.
	 */
	lv->lv_inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (lv->lv_inotify == -1 || inotify_add_watch(lv->lv_inotify, dir,
	    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
	    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) == -1) {
		log_warnx("%s: cannot watch (%s); rescanning every %d s",
		    dir, strerror(errno), rescan_secs);
		if (lv->lv_inotify != -1)
			close(lv->lv_inotify);
		lv->lv_inotify = -1;
	}
	if (initial_scan(lv, d) == -1) {
		*errstr = strerror(errno);
		goto fail;
	}
	if (live_publish(lv, NULL, 0, lv->lv_nmeta >= LIVE_INDEX_LATER ?
	    LIVE_INDEX_NONE : LIVE_INDEX_FRESH) == -1 ||
	    pipe2(lv->lv_stop, O_CLOEXEC) == -1 ||
	    pipe2(lv->lv_ix_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		*errstr = "out of memory";
		goto fail;
	}
	if (lv->lv_cur->sn_disc == NULL)
		log_info("%s: serving %zu %s before their text index is "
		    "built: no similar articles, and searches answered as "
		    "unavailable, until it is", dir, lv->lv_nmeta,
		    log_plural(lv->lv_nmeta, "article", "articles"));
	/*
	 * A large capsule's related entries are checked by the thread that
	 * builds its index, once it is served: 1,000,000 lookups at 200,000
	 * articles would hold up the first answer by half a second, for
	 * warnings.
	 */
	if (lv->lv_cur->sn_disc == NULL)
		lv->lv_unchecked = 1;
	else
		capsule_unresolved(d, dir, lv->lv_cur->sn_cat, NULL);
	diags_sort(d);
	return lv;
 fail:
	live_unref(lv);
	return NULL;
}

/*
 * Start watching.  A separate step so that the process can be sandboxed
 * first: the thread inherits the sandbox.
 */
int
live_start(struct live *lv, const char **errstr)
{
	if (pthread_create(&lv->lv_thread, NULL, live_main, lv) != 0) {
		*errstr = "cannot start the watcher thread";
		return -1;
	}
	lv->lv_started = 1;
	return 0;
}

int
live_dirfd(const struct live *lv)
{
	return lv->lv_dirfd;
}

/* The last reference stops the watcher and frees everything. */
void
live_unref(struct live *lv)
{
	size_t	 i;

	if (lv == NULL || atomic_fetch_sub(&lv->lv_refs, 1) != 1)
		return;
	if (lv->lv_started) {
		atomic_store(&lv->lv_stopping, 1);	/* an index build too */
		(void)!write(lv->lv_stop[1], "x", 1);
		pthread_join(lv->lv_thread, NULL);
	}
	for (i = 0; i < 2; i++) {
		if (lv->lv_stop[i] != -1)
			close(lv->lv_stop[i]);
		if (lv->lv_ix_pipe[i] != -1)
			close(lv->lv_ix_pipe[i]);
	}
	free(lv->lv_since);
	if (lv->lv_inotify != -1)
		close(lv->lv_inotify);
	if (lv->lv_dirfd != -1)
		close(lv->lv_dirfd);
	snapshot_release(lv->lv_cur);
	for (i = 0; i < lv->lv_nmeta; i++)
		meta_unref(lv->lv_meta[i]);
	free(lv->lv_meta);
	strmap_free(&lv->lv_byname);
	for (i = 0; i < lv->lv_npend; i++)
		free(lv->lv_pend[i]);
	free(lv->lv_pend);
	for (i = 0; i < lv->lv_ncand; i++)
		free(lv->lv_cand[i].cd_name);
	free(lv->lv_cand);
	for (i = 0; i < lv->lv_nunread; i++)
		free(lv->lv_unread[i].ur_name);
	free(lv->lv_unread);
	strmap_free(&lv->lv_unreadby);
	free(lv->lv_intro);
	free(lv->lv_dir);
	free(lv->lv_strings);
	pthread_mutex_destroy(&lv->lv_lock);
	pthread_cond_destroy(&lv->lv_fenced);
	free(lv);
}
