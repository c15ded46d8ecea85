#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "article.h"
#include "buf.h"
#include "capsule.h"
#include "catalog.h"
#include "gemtext.h"
#include "gopher_render.h"
#include "meta.h"
#include "snapshot.h"

/*
 * A snapshot of catalog c (taken over, also on failure) for the capsule
 * directory dirfd (duplicated: the caller keeps its own), with a copy of
 * the home page introduction.
 */
struct snapshot *
snapshot_new(const char *dir, int dirfd, struct catalog *c,
    const struct site *site, const char *intro, size_t introlen)
{
	struct snapshot	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		catalog_free(c);
		return NULL;
	}
	atomic_init(&s->sn_refs, 1);
	s->sn_cat = c;
	if (site_copy(&s->sn_site, site, &s->sn_strings) == -1) {
		snapshot_release(s);
		return NULL;
	}
	s->sn_dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	s->sn_dir = strdup(dir);
	if (intro != NULL && (s->sn_intro = malloc(introlen + 1)) != NULL) {
		memcpy(s->sn_intro, intro, introlen);
		s->sn_intro[introlen] = '\0';
		s->sn_introlen = introlen;
	}
	if (s->sn_dirfd == -1 || s->sn_dir == NULL ||
	    (intro != NULL && s->sn_intro == NULL)) {
		snapshot_release(s);
		return NULL;
	}
	return s;
}

/* A snapshot of the capsule as it is now, scanned in full. */
struct snapshot *
snapshot_build(const char *dir, const struct site *site, struct diags *d,
    const char **errstr)
{
	struct snapshot	*s = NULL;
	struct catalog	*c;
	char		*intro;
	size_t		 len;
	int		 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*errstr = strerror(errno);
		return NULL;
	}
	if ((c = capsule_scan(dir, d, errstr)) != NULL) {
		intro = capsule_read_intro(fd, dir, &len, d);
		if ((s = snapshot_new(dir, fd, c, site, intro, len)) == NULL)
			*errstr = "out of memory";
		free(intro);
	}
	close(fd);
	return s;
}

void
snapshot_acquire(struct snapshot *s)
{
	atomic_fetch_add(&s->sn_refs, 1);
}

void
snapshot_release(struct snapshot *s)
{
	if (s == NULL || atomic_fetch_sub(&s->sn_refs, 1) != 1)
		return;
	if (s->sn_dirfd != -1)
		close(s->sn_dirfd);
	catalog_free(s->sn_cat);
	free(s->sn_strings);
	free(s->sn_intro);
	free(s->sn_dir);
	free(s);
}

/*
 * Render article i (catalog index) from its source file.  Pages are not
 * kept in memory, so the file is read again; it fails (a temporary
 * condition: the watcher is about to publish the next snapshot) when the
 * file is gone, is no longer an article, or is being rewritten in place
 * (same inode, other size or modification time than when it was
 * published: it may be half written).  A file renamed over it (another
 * inode) is complete, and is rendered.
 */
int
snapshot_article(const struct snapshot *s, size_t i, enum snap_format f,
    struct buf *b, const char **errstr)
{
	const struct cat_article *ca = &s->sn_cat->c_art[i];
	const struct meta *m = ca->ca_meta;
	struct article	 a;
	struct stat	 st;
	int		 r;

	if (capsule_read_article(s->sn_dirfd, ca->ca_name, &a, &st,
	    errstr) == -1)
		return -1;
	if (m->m_ino != 0 && st.st_ino == m->m_ino && (st.st_size !=
	    m->m_size || st.st_mtime != m->m_mtime ||
	    st.st_mtim.tv_nsec != m->m_mtime_ns)) {
		article_free(&a);
		*errstr = "being rewritten";
		return -1;
	}
	switch (f) {
	case SNAP_GOPHER_MENU:
		r = gopher_menu_article(b, &a, s->sn_cat, ca, &s->sn_site);
		break;
	case SNAP_GOPHER_TEXT:
		r = gopher_text_article(b, &a, s->sn_cat, ca, &s->sn_site);
		break;
	default:
		r = gemtext_article(b, &a, s->sn_cat);
		break;
	}
	article_free(&a);
	if (r == -1)
		*errstr = "out of memory";
	return r;
}

/* Without openat2: one component at a time, following no symlink. */
static int
open_walk(int dirfd, const char *path, int flags)
{
	char	 comp[256];
	size_t	 n;
	int	 fd = dirfd, next;

	for (;;) {
		n = strcspn(path, "/");
		if (path[n] == '\0')
			break;
		if (n == 0 || n >= sizeof(comp)) {
			errno = ENOENT;
			goto fail;
		}
		memcpy(comp, path, n);
		comp[n] = '\0';
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd != dirfd)
			close(fd);
		if ((fd = next) == -1)
			return -1;
		path += n + 1;
	}
	next = openat(fd, *path ? path : ".", flags | O_CLOEXEC | O_NONBLOCK |
	    O_NOFOLLOW);
	if (fd != dirfd)
		close(fd);
	return next;
 fail:
	if (fd != dirfd)
		close(fd);
	return -1;
}

/*
 * Open path (relative, no leading '/') below the directory dirfd (-1:
 * the capsule root) without ever leaving it: openat2's RESOLVE_BENEATH
 * refuses "..", absolute symlinks and symlinks that lead outside, while
 * symlinks that stay inside are followed.  O_NONBLOCK: a FIFO cannot
 * make us wait.  Where openat2 is missing (Linux < 5.6), no symlink is
 * followed at all.
 */
int
snapshot_open(const struct snapshot *s, int dirfd, const char *path,
    int flags, const char **errstr)
{
	struct open_how	 how;
	int		 fd;

	if (dirfd == -1)
		dirfd = s->sn_dirfd;
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC | O_NONBLOCK);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd == -1 && errno == ENOSYS)
		fd = open_walk(dirfd, path, flags);
	if (fd == -1)
		*errstr = strerror(errno);
	return fd;
}
