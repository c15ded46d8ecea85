#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capsule.h"
#include "catalog.h"
#include "discover.h"
#include "live.h"
#include "log.h"
#include "meta.h"
#include "site.h"
#include "snapshot.h"
#include "strmap.h"

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
 * READ").  Its published version, if any, stays in the cache.
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
	int		  lv_inotify;	/* -1: rescans only */
	int		  lv_stop[2];	/* a byte written here stops the thread */
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
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Put m in the cache (taking the caller's reference), replacing any. */
static int
cache_put(struct live *lv, struct meta *m)
{
	int64_t	 i = strmap_get(&lv->lv_byname, m->m_name, strlen(m->m_name));
	void	*p;

	if (i >= 0) {
		strmap_del(&lv->lv_byname, m->m_name, strlen(m->m_name));
		meta_unref(lv->lv_meta[i]);
		lv->lv_meta[i] = m;
		return strmap_put(&lv->lv_byname, m->m_name, strlen(m->m_name),
		    (uint32_t)i) == -1 ? -1 : 0;
	}
	if (lv->lv_nmeta == lv->lv_metacap) {
		if ((p = reallocarray(lv->lv_meta, lv->lv_metacap ?
		    lv->lv_metacap * 2 : 256, sizeof(*lv->lv_meta))) == NULL) {
			meta_unref(m);
			return -1;
		}
		lv->lv_meta = p;
		lv->lv_metacap = lv->lv_metacap ? lv->lv_metacap * 2 : 256;
	}
	lv->lv_meta[lv->lv_nmeta] = m;
	if (strmap_put(&lv->lv_byname, m->m_name, strlen(m->m_name),
	    (uint32_t)lv->lv_nmeta) == -1)
		return -1;
	lv->lv_nmeta++;
	return 0;
}

/* Forget an article; the last one moves into its place. */
static void
cache_del(struct live *lv, const char *name)
{
	int64_t		 i = strmap_get(&lv->lv_byname, name, strlen(name));
	struct meta	*last;

	if (i < 0)
		return;
	strmap_del(&lv->lv_byname, name, strlen(name));
	meta_unref(lv->lv_meta[i]);
	last = lv->lv_meta[--lv->lv_nmeta];
	if ((size_t)i < lv->lv_nmeta) {
		lv->lv_meta[i] = last;
		strmap_set(&lv->lv_byname, last->m_name, strlen(last->m_name),
		    (uint32_t)i);
	}
}

/* Does st show the file as it was when it could not be read? */
static int
unread_same(const struct live *lv, const char *name, const struct stat *st)
{
	int64_t			 i;
	const struct unreadable	*u;

	if ((i = strmap_get(&lv->lv_unreadby, name, strlen(name))) < 0)
		return 0;
	u = &lv->lv_unread[i];
	return u->ur_ino == st->st_ino && u->ur_size == st->st_size &&
	    u->ur_mtime.tv_sec == st->st_mtim.tv_sec &&
	    u->ur_mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    u->ur_ctime.tv_sec == st->st_ctim.tv_sec &&
	    u->ur_ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* The file can be read again, or is gone; the last one moves in. */
static void
unread_forget(struct live *lv, const char *name)
{
	int64_t			 i;
	struct unreadable	*last;

	if ((i = strmap_get(&lv->lv_unreadby, name, strlen(name))) < 0)
		return;
	strmap_del(&lv->lv_unreadby, name, strlen(name));
	free(lv->lv_unread[i].ur_name);
	last = &lv->lv_unread[--lv->lv_nunread];
	if ((size_t)i < lv->lv_nunread) {
		lv->lv_unread[i] = *last;
		strmap_set(&lv->lv_unreadby, last->ur_name,
		    strlen(last->ur_name), (uint32_t)i);
	}
}

/*
 * File name could not be read (errno err): say so once for this state
 * of the file, and keep its published version, which the cache still
 * holds (snapshot_article renders it from the source its meta kept).
 */
static void
unread_note(struct live *lv, const char *name, int err, struct diags *d)
{
	struct unreadable	*u, *p;
	struct stat		 st;
	int64_t			 i;

	if (fstatat(lv->lv_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		memset(&st, 0, sizeof(st));
	if (unread_same(lv, name, &st) && lv->lv_unread[strmap_get(
	    &lv->lv_unreadby, name, strlen(name))].ur_err == err)
		return;
	unread_forget(lv, name);
	if ((p = reallocarray(lv->lv_unread, lv->lv_nunread + 1,
	    sizeof(*p))) == NULL)
		return;
	lv->lv_unread = p;
	u = &lv->lv_unread[lv->lv_nunread];
	if ((u->ur_name = strdup(name)) == NULL)
		return;
	if (strmap_put(&lv->lv_unreadby, u->ur_name, strlen(name),
	    (uint32_t)lv->lv_nunread) == -1) {
		free(u->ur_name);
		return;
	}
	lv->lv_nunread++;
	u->ur_ino = st.st_ino;
	u->ur_size = st.st_size;
	u->ur_mtime = st.st_mtim;
	u->ur_ctime = st.st_ctim;
	u->ur_err = err;
	if ((i = strmap_get(&lv->lv_byname, name, strlen(name))) < 0)
		diags_add(d, lv->lv_dir, name, DIAG_SKIPPED, "cannot be read "
		    "(%s); not published until it can be", strerror(err));
	else if (lv->lv_meta[i]->m_src != NULL)
		diags_add(d, lv->lv_dir, name, DIAG_WARNING, "cannot be read "
		    "(%s); the last published version stays", strerror(err));
	else
		diags_add(d, lv->lv_dir, name, DIAG_WARNING, "cannot be read "
		    "(%s); it stays listed, but its text was not kept in "
		    "memory (over %u MiB kept), so its page fails until it can "
		    "be read", strerror(err), META_SOURCE_MAX / (1024 * 1024));
}

static void
log_diags(struct diags *d)
{
	size_t	 i;

	diags_sort(d);
	for (i = 0; i < d->d_n; i++)
		log_warnx("%s: %s: %s", d->d_list[i].d_file,
		    diag_level_name(d->d_list[i].d_level), d->d_list[i].d_msg);
	diags_free(d);
}

static void
read_intro(struct live *lv, struct diags *d)
{
	free(lv->lv_intro);
	lv->lv_intro = capsule_read_intro(lv->lv_dirfd, lv->lv_dir,
	    &lv->lv_introlen, d);
	if (fstatat(lv->lv_dirfd, "index.gmi", &lv->lv_introst,
	    AT_SYMLINK_NOFOLLOW) == -1)
		memset(&lv->lv_introst, 0, sizeof(lv->lv_introst));
}

/*
 * The text index of catalog c: on the current snapshot's when there is
 * one (see discover.h).  NULL when it cannot be built: the snapshot then
 * has no similar articles and no search, and says so in the log.
 */
static struct discover *
index_catalog(struct live *lv, const struct catalog *c, int fresh)
{
	const struct discover *prev = lv->lv_cur && !fresh ?
	    lv->lv_cur->sn_disc : NULL;
	struct discover	*d;
	const char	*errstr;
	int64_t		 t0 = now_ms();

	if ((d = discover_new(prev, c, lv->lv_dirfd, &errstr)) == NULL) {
		log_warnx("%s: no similar articles or search: %s", lv->lv_dir,
		    errstr);
		return NULL;
	}
	lv->lv_index_ms = now_ms() - t0;
	if (discover_fresh(d))
		lv->lv_full_ms = lv->lv_index_ms;
	lv->lv_settle_at = 0;
	if (discover_changes(d) > 0)
		lv->lv_settle_at = now_ms() + (lv->lv_full_ms *
		    LIVE_SETTLE_FACTOR > LIVE_SETTLE_MS ? lv->lv_full_ms *
		    LIVE_SETTLE_FACTOR : LIVE_SETTLE_MS);
	if (discover_fresh(d))
		log_info("%s: text index of %zu %s built in %lld ms "
		    "(%zu kB)", lv->lv_dir, c->c_nart,
		    log_plural(c->c_nart, "article", "articles"),
		    (long long)lv->lv_index_ms, discover_memory(d) / 1024);
	return d;
}

/*
 * Build a snapshot of what the cache holds now and make it current; its
 * text index in full when fresh, else on the current one's.
 */
static int
publish(struct live *lv, int fresh)
{
	struct catalog	*c;
	struct snapshot	*s, *old;
	struct discover	*d;
	size_t		 i;

	if ((c = catalog_new()) == NULL)
		return -1;
	for (i = 0; i < lv->lv_nmeta; i++)
		if (catalog_add_meta(c, lv->lv_meta[i]) == -1) {
			catalog_free(c);
			return -1;
		}
	if (catalog_finish(c) == -1) {
		catalog_free(c);
		return -1;
	}
	d = index_catalog(lv, c, fresh);
	if ((s = snapshot_new(lv->lv_dir, lv->lv_dirfd, c, &lv->lv_site,
	    lv->lv_intro, lv->lv_introlen, d)) == NULL)
		return -1;
	pthread_mutex_lock(&lv->lv_lock);
	old = lv->lv_cur;
	lv->lv_cur = s;
	pthread_mutex_unlock(&lv->lv_lock);
	snapshot_release(old);
	return 0;
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

static void
pend_add(struct live *lv, const char *name)
{
	size_t	 i;
	void	*p;

	if (strcmp(name, "index.gmi") == 0) {
		lv->lv_pend_intro = 1;
		return;
	}
	for (i = 0; i < lv->lv_npend; i++)
		if (strcmp(lv->lv_pend[i], name) == 0)
			return;
	if (lv->lv_npend == lv->lv_pendcap) {
		if ((p = reallocarray(lv->lv_pend, lv->lv_pendcap ?
		    lv->lv_pendcap * 2 : 16, sizeof(*lv->lv_pend))) == NULL)
			return;
		lv->lv_pend = p;
		lv->lv_pendcap = lv->lv_pendcap ? lv->lv_pendcap * 2 : 16;
	}
	if ((lv->lv_pend[lv->lv_npend] = strdup(name)) != NULL)
		lv->lv_npend++;
}

/*
 * Re-read the files that changed, build and publish the next snapshot,
 * and log what those files have wrong (other files were logged before).
 */
static void
apply(struct live *lv)
{
	struct diags	 d;
	struct meta	*m;
	struct snapshot	*s;
	size_t		 i, n = 0;
	int64_t		 t0 = now_ms();
	int		 err;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < lv->lv_npend; i++) {
		switch (capsule_load(lv->lv_dirfd, lv->lv_dir, lv->lv_pend[i],
		    &d, &m, &err)) {
		case 1:
			unread_forget(lv, lv->lv_pend[i]);
			if (cache_put(lv, m) == -1)
				log_warnx("%s: out of memory", lv->lv_dir);
			n++;
			break;
		case 0:
			unread_forget(lv, lv->lv_pend[i]);
			cache_del(lv, lv->lv_pend[i]);
			n++;
			break;
		case 2:		/* nothing is unpublished by an error */
			unread_note(lv, lv->lv_pend[i], err, &d);
			break;
		default:
			log_warnx("%s: out of memory", lv->lv_dir);
			break;
		}
	}
	if (lv->lv_pend_intro)
		read_intro(lv, &d);
	if (n == 0 && !lv->lv_pend_intro)
		;	/* only files that could not be read: nothing changed */
	else if (publish(lv, 0) == -1)
		log_warnx("%s: out of memory: still serving the last snapshot",
		    lv->lv_dir);
	else {
		s = live_acquire(lv);
		for (i = 0; i < lv->lv_npend; i++)
			capsule_unresolved(&d, lv->lv_dir, s->sn_cat,
			    lv->lv_pend[i]);
		log_info("%s: %zu %s; %zu changed, published in %lld ms "
		    "(text index %lld ms)", lv->lv_dir, s->sn_cat->c_nart,
		    log_plural(s->sn_cat->c_nart, "article", "articles"),
		    n + (size_t)lv->lv_pend_intro, (long long)(now_ms() - t0),
		    (long long)lv->lv_index_ms);
		snapshot_release(s);
	}
	log_diags(&d);
	for (i = 0; i < lv->lv_npend; i++)
		free(lv->lv_pend[i]);
	lv->lv_npend = 0;
	lv->lv_pend_intro = 0;
}

/*
 * Changes have been quiet for LIVE_SETTLE_MS: publish the same articles
 * with their text index built in full, as a fresh start would have it.
 */
static void
settle(struct live *lv)
{
	lv->lv_settle_at = 0;
	if (publish(lv, 1) == -1)
		log_warnx("%s: out of memory: still serving the last snapshot",
		    lv->lv_dir);
}

/* Whatever inotify has to say: names to look at again. */
static int
read_events(struct live *lv)
{
	char			 buf[16384]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t			 n;
	char			*p;
	int			 overflow = 0;

	while ((n = read(lv->lv_inotify, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				overflow = 1;
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))
				log_warnx("%s: the capsule directory was moved "
				    "or removed; serving the last snapshot",
				    lv->lv_dir);
			if (ev->mask & IN_IGNORED) {
				close(lv->lv_inotify);
				lv->lv_inotify = -1;
				return overflow;
			}
			if (ev->len > 0 && (capsule_is_article_name(ev->name) ||
			    strcmp(ev->name, "index.gmi") == 0))
				pend_add(lv, ev->name);
		}
	}
	return overflow;
}

static struct candidate *
candidate(struct live *lv, const char *name)
{
	struct candidate *p;
	size_t		 i;

	for (i = 0; i < lv->lv_ncand; i++)
		if (strcmp(lv->lv_cand[i].cd_name, name) == 0)
			return &lv->lv_cand[i];
	if ((p = reallocarray(lv->lv_cand, lv->lv_ncand + 1,
	    sizeof(*p))) == NULL)
		return NULL;
	lv->lv_cand = p;
	p = &lv->lv_cand[lv->lv_ncand];
	memset(p, 0, sizeof(*p));
	p->cd_size = -1;
	if ((p->cd_name = strdup(name)) == NULL)
		return NULL;
	lv->lv_ncand++;
	return p;
}

/* Drop the candidates the latest scan did not see. */
static void
candidates_prune(struct live *lv)
{
	size_t	 i, o = 0;

	for (i = 0; i < lv->lv_ncand; i++) {
		if (lv->lv_cand[i].cd_seen) {
			lv->lv_cand[i].cd_seen = 0;
			lv->lv_cand[o++] = lv->lv_cand[i];
		} else
			free(lv->lv_cand[i].cd_name);
	}
	lv->lv_ncand = o;
}

/*
 * One entry of a rescan: a file that differs from what was read is
 * published once two scans (at least a second apart) saw the same size
 * and modification time, so a file still being written waits; with
 * confirm off (inotify lost events) it is published at once.
 */
static void
rescan_one(struct live *lv, const char *name, const struct stat *st,
    int confirm)
{
	int64_t			 i;
	struct meta		*m;
	struct candidate	*cd;

	if (unread_same(lv, name, st))
		return;		/* said once; it has not changed since */
	i = strmap_get(&lv->lv_byname, name, strlen(name));
	m = i >= 0 ? lv->lv_meta[i] : NULL;
	if (m != NULL && m->m_size == st->st_size &&
	    m->m_mtime == st->st_mtime && m->m_ino == st->st_ino)
		return;
	if (!confirm) {
		pend_add(lv, name);
		return;
	}
	if ((cd = candidate(lv, name)) == NULL)
		return;
	if (cd->cd_size == st->st_size && cd->cd_mtime == st->st_mtime) {
		pend_add(lv, name);
		cd->cd_seen = 0;
	} else {
		cd->cd_size = st->st_size;
		cd->cd_mtime = st->st_mtime;
		cd->cd_seen = 1;
	}
}

/* Compare the directory with the cache; changes go to the pending list. */
static void
rescan(struct live *lv, int confirm)
{
	struct strmap	 present;
	struct dirent	*de;
	struct stat	 st;
	DIR		*dp;
	char		*name;
	size_t		 i;
	int		 fd, intro_seen = 0;

	if ((fd = openat(lv->lv_dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		log_warnx("%s: cannot rescan: %s", lv->lv_dir, strerror(errno));
		return;
	}
	strmap_init(&present);
	while ((de = readdir(dp)) != NULL) {
		if (fstatat(lv->lv_dirfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (strcmp(de->d_name, "index.gmi") == 0) {
			intro_seen = 1;
			if (st.st_size != lv->lv_introst.st_size ||
			    st.st_mtime != lv->lv_introst.st_mtime)
				lv->lv_pend_intro = 1;
		}
		if (!capsule_is_article_name(de->d_name) || !S_ISREG(st.st_mode))
			continue;
		if ((name = strdup(de->d_name)) == NULL ||
		    strmap_put(&present, name, strlen(name), 0) != 1)
			free(name);
		rescan_one(lv, de->d_name, &st, confirm);
	}
	closedir(dp);
	if (!intro_seen && lv->lv_introst.st_ino != 0)
		lv->lv_pend_intro = 1;
	for (i = 0; i < lv->lv_nmeta; i++)
		if (strmap_get(&present, lv->lv_meta[i]->m_name,
		    strlen(lv->lv_meta[i]->m_name)) < 0)
			pend_add(lv, lv->lv_meta[i]->m_name);
	for (i = lv->lv_nunread; i-- > 0; )
		if (strmap_get(&present, lv->lv_unread[i].ur_name,
		    strlen(lv->lv_unread[i].ur_name)) < 0)
			unread_forget(lv, lv->lv_unread[i].ur_name);
	for (i = 0; i < present.m_cap; i++)
		free((char *)(uintptr_t)present.m_slot[i].ms_key);
	strmap_free(&present);
	candidates_prune(lv);
}

/*
 * The watcher thread: wait for inotify events, the stop pipe or the next
 * rescan; build a snapshot once changes have been quiet for
 * LIVE_DEBOUNCE_MS.
 */
static void *
live_main(void *arg)
{
	struct live	*lv = arg;
	struct pollfd	 pfd[2];
	int64_t		 last = 0, next_rescan, now, t;
	int		 timeout;

	next_rescan = now_ms() + (int64_t)lv->lv_rescan * 1000;
	for (;;) {
		now = now_ms();
		timeout = -1;
		if (lv->lv_npend > 0 || lv->lv_pend_intro)
			timeout = (int)(last + LIVE_DEBOUNCE_MS > now ?
			    last + LIVE_DEBOUNCE_MS - now : 0);
		if (lv->lv_rescan > 0) {
			t = next_rescan > now ? next_rescan - now : 0;
			if (timeout < 0 || t < timeout)
				timeout = (int)t;
		}
		if (lv->lv_settle_at > 0) {
			t = lv->lv_settle_at > now ? lv->lv_settle_at - now : 0;
			if (timeout < 0 || t < timeout)
				timeout = (int)t;
		}
		pfd[0].fd = lv->lv_stop[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = lv->lv_inotify;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if (lv->lv_inotify != -1 && (pfd[1].revents & POLLIN)) {
			if (read_events(lv))
				rescan(lv, 0);
			last = now_ms();
		}
		now = now_ms();
		if ((lv->lv_npend > 0 || lv->lv_pend_intro) &&
		    now - last >= LIVE_DEBOUNCE_MS)
			apply(lv);
		if (lv->lv_rescan > 0 && now >= next_rescan) {
			rescan(lv, 1);
			next_rescan = now + (int64_t)lv->lv_rescan * 1000;
			last = 0;
		}
		if (lv->lv_settle_at > 0 && now >= lv->lv_settle_at &&
		    lv->lv_npend == 0 && !lv->lv_pend_intro)
			settle(lv);
	}
	return NULL;
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
	for (t = 0; t < nt; t++) {
		for (k = 0; k < parts[t].sp_nmeta; k++)
			if (r == 0 && cache_put(lv, parts[t].sp_meta[k]) == -1)
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
	read_intro(lv, d);
	return r;
}

/*
 * Read the capsule in dir and publish its first snapshot (problems go to
 * d); live_start then watches it, rescanning every `rescan` seconds (0:
 * never).
 */
struct live *
live_new(const char *dir, const struct site *site, int rescan_secs,
    struct diags *d, const char **errstr)
{
	struct live	*lv;

	if ((lv = calloc(1, sizeof(*lv))) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	atomic_init(&lv->lv_refs, 1);
	lv->lv_inotify = lv->lv_stop[0] = lv->lv_stop[1] = lv->lv_dirfd = -1;
	lv->lv_rescan = rescan_secs;
	strmap_init(&lv->lv_byname);
	strmap_init(&lv->lv_unreadby);
	pthread_mutex_init(&lv->lv_lock, NULL);
	if (site_copy(&lv->lv_site, site, &lv->lv_strings) == -1 ||
	    (lv->lv_dir = strdup(dir)) == NULL ||
	    (lv->lv_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || initial_scan(lv, d) == -1) {
		*errstr = lv->lv_dir ? strerror(errno) : "out of memory";
		goto fail;
	}
	if (publish(lv, 1) == -1 || pipe2(lv->lv_stop, O_CLOEXEC) == -1) {
		*errstr = "out of memory";
		goto fail;
	}
	capsule_unresolved(d, dir, lv->lv_cur->sn_cat, NULL);
	diags_sort(d);
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
		(void)!write(lv->lv_stop[1], "x", 1);
		pthread_join(lv->lv_thread, NULL);
	}
	for (i = 0; i < 2; i++)
		if (lv->lv_stop[i] != -1)
			close(lv->lv_stop[i]);
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
	free(lv);
}
