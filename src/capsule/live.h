/*
 * live: a capsule that is watched while it is served.  A thread of its
 * own follows the directory (inotify, and a periodic rescan as a
 * fallback), re-reads only the files that changed, builds the next
 * snapshot from the articles it already knows plus those, and publishes
 * it; the network side takes the current snapshot with live_acquire.
 *
 * Example: lv = live_new("capsule", &site, 30, &diags, &errstr);
 * live_start(lv, &errstr); per request
 * s = live_acquire(lv) ... snapshot_release(s); at exit live_unref(lv).
 * An author's "mv draft.tmp capsule/new.txt" is served within about
 * LIVE_DEBOUNCE_MS plus the time to read that one file.
 */
#ifndef LIVE_H
#define LIVE_H

#include <stdint.h>

/*
 * A fence: a writer (writer.c) creates and removes a dotfile named so,
 * then a number, after a change; once the watcher has seen it and
 * published what came before, live_wait_fence(lv, number) returns.
 */
#define LIVE_FENCE_PREFIX	".titan-fence-"

struct diags;
struct live;
struct site;
struct snapshot;

/* Quiet time after the last change before a new snapshot is built. */
#define LIVE_DEBOUNCE_MS	50

/*
 * A file that could not be read for a passing reason (out of descriptors
 * or memory) is read again this often until it can be.
 */
#define LIVE_RETRY_MS		1000
/*
 * Quiet time after the last change before the text index, updated by
 * small deltas since (discover.h), is built again in full: then the
 * similar lists are again exactly those of a fresh start.  At least
 * LIVE_SETTLE_MS, and LIVE_SETTLE_FACTOR times what the last full build
 * took, so that a large capsule spends at most 1 % of its time on it.
 */
#define LIVE_SETTLE_MS		10000
/*
 * A capsule of at least this many articles is served as soon as its
 * catalog is built, before its text index, and every full build of its
 * index runs on a thread of its own while changes are published
 * (live_index.c); a smaller one builds it in place, a matter of
 * milliseconds.
 */
#define LIVE_INDEX_LATER	2000
#define LIVE_SETTLE_FACTOR	100
/*
 * After a snapshot with a text index built in full, or one of at least
 * this many changes, the watcher gives back to the system the memory
 * malloc keeps free (glibc's malloc_trim): what the build used for a
 * while, and the parts of the versions before that are gone.  Else a
 * thread's arena keeps it resident: tens of megabytes at 200,000
 * articles (BENCHMARKS.md).  It takes a few milliseconds, up to tens
 * when much was freed, so it is not done for every drop.
 */
#define LIVE_TRIM_CHANGES	256

struct live	*live_new(const char *, const struct site *, int,
		    struct diags *, const char **);
int		 live_start(struct live *, const char **);
int		 live_dirfd(const struct live *);
int		 live_wait_fence(struct live *, uint64_t, int);
struct snapshot	*live_acquire(struct live *);
void		 live_unref(struct live *);

#endif
