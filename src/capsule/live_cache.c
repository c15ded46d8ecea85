/*
 * live_cache.c: what a live capsule keeps between reads: the metas of
 * its articles by file name, and the files that could not be read, as
 * they were then, so that they are not read nor logged again until
 * they change.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "capsule.h"
#include "meta.h"
#include "live_int.h"

/*
 * Room for n more articles, before a first read puts them: the map by
 * name and the array sized once, rather than doubled a dozen times
 * (each a copy) at 200,000 articles.  0, or -1 when out of memory.
 */
int
live_cache_reserve(struct live *lv, size_t n)
{
	void	*p;

	if (lv->lv_nmeta + n > lv->lv_metacap) {
		if ((p = reallocarray(lv->lv_meta, lv->lv_nmeta + n,
		    sizeof(*lv->lv_meta))) == NULL)
			return -1;
		lv->lv_meta = p;
		lv->lv_metacap = lv->lv_nmeta + n;
	}
	return strmap_reserve(&lv->lv_byname, lv->lv_byname.m_used + n);
}

/* Put m in the cache (taking the caller's reference), replacing any. */
int
live_cache_put(struct live *lv, struct meta *m)
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
void
live_cache_del(struct live *lv, const char *name)
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

/*
 * Is err a reason that passes by itself (descriptors or memory run out
 * for a while), so that the file is worth reading again unchanged?
 */
int
live_unread_passing(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM ||
	    err == ENOBUFS || err == EAGAIN || err == EINTR;
}

/* The unreadable entry of name, or NULL. */
static const struct unreadable *
unread_of(const struct live *lv, const char *name)
{
	int64_t	 i;

	i = strmap_get(&lv->lv_unreadby, name, strlen(name));
	return i < 0 ? NULL : &lv->lv_unread[i];
}

/* Does st show the file as it was when u was noted? */
static int
unread_as(const struct unreadable *u, const struct stat *st)
{
	return u->ur_ino == st->st_ino && u->ur_size == st->st_size &&
	    u->ur_mtime.tv_sec == st->st_mtim.tv_sec &&
	    u->ur_mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    u->ur_ctime.tv_sec == st->st_ctim.tv_sec &&
	    u->ur_ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * Does st show the file as it was when it could not be read, for a
 * reason that does not pass by itself?
 */
int
live_unread_same(const struct live *lv, const char *name, const struct stat *st)
{
	const struct unreadable	*u = unread_of(lv, name);

	return u != NULL && !live_unread_passing(u->ur_err) && unread_as(u, st);
}

/* The file can be read again, or is gone; the last one moves in. */
void
live_unread_forget(struct live *lv, const char *name)
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

/* again(lv, name) for each file that could not be read for a passing
 * reason. */
void
live_unread_retry(struct live *lv, void (*again)(struct live *, const char *))
{
	size_t	 i;

	for (i = 0; i < lv->lv_nunread; i++)
		if (live_unread_passing(lv->lv_unread[i].ur_err))
			again(lv, lv->lv_unread[i].ur_name);
}

/*
 * File name could not be read (errno err): say so once for this state
 * of the file, and keep its published version, which the cache still
 * holds (snapshot_article renders it from the source its meta kept).
 */
void
live_unread_note(struct live *lv, const char *name, int err, struct diags *d)
{
	const struct unreadable	*u;
	struct unreadable	*p, *nu;
	struct stat		 st;
	int64_t			 i;

	if (fstatat(lv->lv_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		memset(&st, 0, sizeof(st));
	if ((u = unread_of(lv, name)) != NULL && u->ur_err == err &&
	    unread_as(u, &st))
		return;		/* said once for this state */
	live_unread_forget(lv, name);
	if ((p = reallocarray(lv->lv_unread, lv->lv_nunread + 1,
	    sizeof(*p))) == NULL)
		return;
	lv->lv_unread = p;
	nu = &lv->lv_unread[lv->lv_nunread];
	if ((nu->ur_name = strdup(name)) == NULL)
		return;
	if (strmap_put(&lv->lv_unreadby, nu->ur_name, strlen(name),
	    (uint32_t)lv->lv_nunread) == -1) {
		free(nu->ur_name);
		return;
	}
	lv->lv_nunread++;
	nu->ur_ino = st.st_ino;
	nu->ur_size = st.st_size;
	nu->ur_mtime = st.st_mtim;
	nu->ur_ctime = st.st_ctim;
	nu->ur_err = err;
	if ((i = strmap_get(&lv->lv_byname, name, strlen(name))) < 0)
		diags_add(d, lv->lv_dir, name, DIAG_SKIPPED, "cannot be read "
		    "(%s); not published until it can be%s", strerror(err),
		    live_unread_passing(err) ? " (tried again every second)" :
		    "");
	else if (lv->lv_meta[i]->m_text != NULL)
		diags_add(d, lv->lv_dir, name, DIAG_WARNING, "cannot be read "
		    "(%s); the last published version stays%s", strerror(err),
		    live_unread_passing(err) ? " (tried again every second)" :
		    "");
	else
		diags_add(d, lv->lv_dir, name, DIAG_WARNING, "cannot be read "
		    "(%s); it stays listed, but its text was not kept in "
		    "memory (over %u MiB kept), so its page fails until it can "
		    "be read", strerror(err), META_TEXT_MAX / (1024 * 1024));
}
