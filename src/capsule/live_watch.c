/*
 * live_watch.c: the watcher thread of a live capsule: it reads inotify
 * events and rescans the directory, waits for a changed file to settle,
 * reads only the files that changed and publishes the next snapshot
 * (live.c).
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capsule.h"
#include "catalog.h"
#include "live.h"
#include "log.h"
#include "meta.h"
#include "snapshot.h"
#include "live_int.h"

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
	struct cat_change *cg;
	size_t		 i, n = 0;
	int64_t		 t0 = now_ms();
	int		 err;

	memset(&d, 0, sizeof(d));
	if ((cg = calloc(lv->lv_npend + 1, sizeof(*cg))) == NULL) {
		log_warnx("%s: out of memory", lv->lv_dir);
		return;		/* the pending names stay for the next try */
	}
	for (i = 0; i < lv->lv_npend; i++) {
		switch (capsule_load(lv->lv_dirfd, lv->lv_dir, lv->lv_pend[i],
		    &d, &m, &err)) {
		case 1:
			live_unread_forget(lv, lv->lv_pend[i]);
			if (live_cache_put(lv, m) == -1) {
				log_warnx("%s: out of memory", lv->lv_dir);
				break;
			}
			cg[n].cg_name = lv->lv_pend[i];
			cg[n++].cg_meta = m;	/* the cache's reference */
			break;
		case 0:
			live_unread_forget(lv, lv->lv_pend[i]);
			live_cache_del(lv, lv->lv_pend[i]);
			cg[n].cg_name = lv->lv_pend[i];
			cg[n++].cg_meta = NULL;
			break;
		case 2:		/* nothing is unpublished by an error */
			live_unread_note(lv, lv->lv_pend[i], err, &d);
			if (live_unread_passing(err))
				lv->lv_retry_at = now_ms() + LIVE_RETRY_MS;
			break;
		default:
			log_warnx("%s: out of memory", lv->lv_dir);
			break;
		}
	}
	if (lv->lv_pend_intro)
		live_read_intro(lv, &d);
	if (n == 0 && !lv->lv_pend_intro)
		;	/* only files that could not be read: nothing changed */
	else if (live_publish(lv, cg, n, LIVE_INDEX_DELTA) == -1)
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
	live_log_diags(&d);
	free(cg);
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
	if (live_index_aside(lv))
		live_index_start(lv);
	else if (live_publish(lv, NULL, 0, LIVE_INDEX_FRESH) == -1)
		log_warnx("%s: out of memory: still serving the last snapshot",
		    lv->lv_dir);
}

/* A fence's number (live.h) was seen. */
static void
fence_seen(struct live *lv, const char *num)
{
	uint64_t	 n = strtoull(num, NULL, 10);

	if (n > lv->lv_fence_seen)
		lv->lv_fence_seen = n;
}

/* Nothing is pending: the fences seen so far are passed. */
static void
fence_pass(struct live *lv)
{
	if (lv->lv_fence_seen == lv->lv_fence_done || lv->lv_npend > 0 ||
	    lv->lv_pend_intro)
		return;
	pthread_mutex_lock(&lv->lv_lock);
	lv->lv_fence_done = lv->lv_fence_seen;
	pthread_cond_broadcast(&lv->lv_fenced);
	pthread_mutex_unlock(&lv->lv_lock);
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
			if (ev->len > 0 && strncmp(ev->name, LIVE_FENCE_PREFIX,
			    sizeof(LIVE_FENCE_PREFIX) - 1) == 0)
				fence_seen(lv, ev->name +
				    sizeof(LIVE_FENCE_PREFIX) - 1);
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

	if (live_unread_same(lv, name, st))
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
			live_unread_forget(lv, lv->lv_unread[i].ur_name);
	for (i = 0; i < present.m_cap; i++)
		free((char *)(uintptr_t)present.m_slot[i].ms_key);
	strmap_free(&present);
	candidates_prune(lv);
}

/* A poll(2) timeout (-1: none) no later than at. */
static int
sooner(int timeout, int64_t at, int64_t now)
{
	int64_t	 t = at > now ? at - now : 0;

	return timeout < 0 || t < timeout ? (int)t : timeout;
}

/*
 * The watcher thread: wait for inotify events, the stop pipe or the next
 * rescan; build a snapshot once changes have been quiet for
 * LIVE_DEBOUNCE_MS.
 */
void *
live_main(void *arg)
{
	struct live	*lv = arg;
	struct diags	 d;
	struct pollfd	 pfd[3];
	int64_t		 last = 0, next_rescan, now;
	int		 timeout;

	if (lv->lv_cur->sn_disc == NULL)	/* served before its index */
		settle(lv);	/* a large one's thread checks entries too */
	if (lv->lv_unchecked) {		/* served before its checks */
		memset(&d, 0, sizeof(d));
		capsule_unresolved(&d, lv->lv_dir, lv->lv_cur->sn_cat, NULL);
		live_log_diags(&d);
		lv->lv_unchecked = 0;
	}
	next_rescan = now_ms() + (int64_t)lv->lv_rescan * 1000;
	for (;;) {
		now = now_ms();
		timeout = -1;
		if (lv->lv_npend > 0 || lv->lv_pend_intro)
			timeout = (int)(last + LIVE_DEBOUNCE_MS > now ?
			    last + LIVE_DEBOUNCE_MS - now : 0);
		if (lv->lv_rescan > 0)
			timeout = sooner(timeout, next_rescan, now);
		if (lv->lv_settle_at > 0)
			timeout = sooner(timeout, lv->lv_settle_at, now);
		if (lv->lv_retry_at > 0)
			timeout = sooner(timeout, lv->lv_retry_at, now);
		pfd[0].fd = lv->lv_stop[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = lv->lv_inotify;
		pfd[1].events = POLLIN;
		pfd[2].fd = lv->lv_ix_busy ? lv->lv_ix_pipe[0] : -1;
		pfd[2].events = POLLIN;
		if (poll(pfd, 3, timeout) == -1 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if (pfd[2].revents & POLLIN)
			live_index_done(lv);
		if (lv->lv_inotify != -1 && (pfd[1].revents & POLLIN)) {
			if (read_events(lv))
				rescan(lv, 0);
			last = now_ms();
		}
		now = now_ms();
		if (lv->lv_retry_at > 0 && now >= lv->lv_retry_at) {
			lv->lv_retry_at = 0;
			live_unread_retry(lv, pend_add);
		}
		if ((lv->lv_npend > 0 || lv->lv_pend_intro) &&
		    now - last >= LIVE_DEBOUNCE_MS)
			apply(lv);
		if (lv->lv_rescan > 0 && now >= next_rescan) {
			rescan(lv, 1);
			next_rescan = now + (int64_t)lv->lv_rescan * 1000;
			last = 0;
		}
		fence_pass(lv);
		if (lv->lv_settle_at > 0 && now >= lv->lv_settle_at &&
		    lv->lv_npend == 0 && !lv->lv_pend_intro)
			settle(lv);
	}
	live_index_stop(lv);
	return NULL;
}
