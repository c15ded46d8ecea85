/*
 * live_int.h: what the parts of a watched capsule share, for the
 * live*.c files only (everyone else includes live.h): struct live and
 * the calls between the parts.
 *
 *   live.c        a live capsule's life: the first (parallel) read,
 *                 publishing snapshots, live_acquire
 *   live_watch.c  the watcher thread: inotify events, rescans, settling,
 *                 applying what changed
 *   live_cache.c  what it keeps between reads: the metas by file name,
 *                 and the files that could not be read
 */
#ifndef LIVE_INT_H
#define LIVE_INT_H

#include <sys/stat.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "site.h"
#include "strmap.h"

struct cat_change;
struct catalog;
struct diags;
struct discover;
struct meta;
struct snapshot;


/* A file the rescan saw change, waiting to look the same twice. */
struct candidate {
	char		*cd_name;
	off_t		 cd_size;
	int64_t		 cd_mtime;
	int		 cd_seen;	/* seen in the latest scan */
};

/*
 * A file that could not be read, as it was then: it is not read (nor
 * logged) again until it changes (capsuled(8), "FILES THAT CANNOT BE
 * READ"), unless the error was a passing one (live_unread_passing): then
 * it is read again every LIVE_RETRY_MS until it can be.  Its published
 * version, if any, stays in the cache.
 */
struct unreadable {
	char		*ur_name;
	ino_t		 ur_ino;
	off_t		 ur_size;
	struct timespec	 ur_mtime;
	struct timespec	 ur_ctime;	/* chmod changes only this */
	int		 ur_err;
};

struct live {
	_Atomic int	  lv_refs;
	char		 *lv_dir;
	int		  lv_dirfd;
	struct site	  lv_site;	/* strings are lv_strings' */
	char		 *lv_strings;
	int		  lv_rescan;	/* seconds between rescans, 0: never */
	struct meta	**lv_meta;	/* the articles, in no order */
	size_t		  lv_nmeta;
	size_t		  lv_metacap;
	struct strmap	  lv_byname;	/* name -> index in lv_meta */
	char		 *lv_intro;	/* index.gmi */
	size_t		  lv_introlen;
	struct stat	  lv_introst;	/* what it was when read */
	pthread_mutex_t	  lv_lock;	/* guards lv_cur */
	struct snapshot	 *lv_cur;	/* the snapshot being served */
	pthread_t	  lv_thread;
	int		  lv_started;
	int		  lv_unchecked;	/* related entries not checked yet */
	int		  lv_inotify;	/* -1: rescans only */
	int		  lv_stop[2];	/* a byte written here stops the thread */
	_Atomic int	  lv_stopping;	/* ... and this stops its index build */
	char		**lv_pend;	/* names changed since the last build */
	size_t		  lv_npend;
	size_t		  lv_pendcap;
	int		  lv_pend_intro;
	struct candidate *lv_cand;
	size_t		  lv_ncand;
	int64_t		  lv_index_ms;	/* the last text index took */
	int64_t		  lv_full_ms;	/* the last full one took */
	int64_t		  lv_settle_at;	/* rebuild the index then; 0: no */
	struct unreadable *lv_unread;	/* files that could not be read */
	size_t		  lv_nunread;
	struct strmap	  lv_unreadby;	/* name -> index in lv_unread */
	int64_t		  lv_retry_at;	/* read the passing failures again
					   then; 0: none */
	uint64_t	  lv_fence_seen;	/* the last fence inotify told */
	uint64_t	  lv_fence_done;	/* ... once what came before it was
					   published (under lv_lock) */
	pthread_cond_t	  lv_fenced;	/* lv_fence_done grew */
	/* a base of the text index built aside (live_index.c) */
	int		  lv_ix_want;	/* one is due: start it once published */
	int		  lv_ix_busy;	/* 1: its thread runs; -1: done here */
	int		  lv_ix_check;	/* it logs lv_unchecked's entries */
	pthread_t	  lv_ix_thread;
	struct snapshot	 *lv_ix_for;	/* what it indexes (a reference) */
	struct discover	 *lv_ix_done;	/* what the thread built, or NULL */
	const char	 *lv_ix_err;	/* ... and why not */
	int64_t		  lv_ix_ms;	/* ... and how long it took */
	int		  lv_ix_pipe[2];	/* the thread writes a byte when done */
	uint32_t	 *lv_since;	/* slots changed since lv_ix_for's */
	size_t		  lv_nsince;
	size_t		  lv_sincecap;
};


static inline int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* live_cache.c */
int		 live_cache_reserve(struct live *, size_t);
int		 live_cache_put(struct live *, struct meta *);
void		 live_cache_del(struct live *, const char *);
int		 live_unread_same(const struct live *, const char *,
		    const struct stat *);
void		 live_unread_forget(struct live *, const char *);
void		 live_unread_note(struct live *, const char *, int,
    struct diags *);
int		 live_unread_passing(int);
void		 live_unread_retry(struct live *, void (*)(struct live *,
    const char *));

/* How the text index of a new snapshot is made. */
enum live_index {
	LIVE_INDEX_NONE,	/* not yet (start-up: live_main builds it) */
	LIVE_INDEX_FRESH,	/* in full */
	LIVE_INDEX_DELTA,	/* on the current snapshot's (discover.h) */
};

/* live_index.c */
struct discover	*live_index(struct live *, const struct catalog *,
		    enum live_index);
int		 live_index_aside(const struct live *);
int		 live_index_note(struct live *, const struct catalog *);
void		 live_index_start(struct live *);
void		 live_index_done(struct live *);
void		 live_index_stop(struct live *);

/* live.c */
void		 live_log_diags(struct diags *);
void		 live_read_intro(struct live *, struct diags *);
int		 live_publish(struct live *, const struct cat_change *, size_t,
		    enum live_index);
int		 live_swap(struct live *, struct catalog *, struct discover *,
		    int);

/* live_watch.c */
void		*live_main(void *);

#endif /* LIVE_INT_H */
