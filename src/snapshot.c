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
#include "snapshot.h"

struct snapshot *
snapshot_build(const char *dir, const struct site *site, struct diags *d,
    const char **errstr)
{
	struct snapshot	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	atomic_init(&s->sn_refs, 1);
	s->sn_site = *site;
	s->sn_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->sn_dirfd == -1) {
		*errstr = strerror(errno);
		goto fail;
	}
	if ((s->sn_dir = strdup(dir)) == NULL ||
	    (s->sn_cat = capsule_scan(dir, d, errstr)) == NULL)
		goto fail;
	s->sn_intro = capsule_read_intro(dir, &s->sn_introlen, d);
	return s;
 fail:
	if (s->sn_dir == NULL)
		*errstr = "out of memory";
	snapshot_release(s);
	return NULL;
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
	free(s->sn_intro);
	free(s->sn_dir);
	free(s);
}

/*
 * Render article i (catalog index) from its source file.  Fails when the
 * file changed under us into something that is no longer an article.
 */
int
snapshot_article(const struct snapshot *s, size_t i, enum snap_format f,
    struct buf *b, const char **errstr)
{
	const struct cat_article *ca = &s->sn_cat->c_art[i];
	struct article	 a;
	int64_t		 mtime;
	int		 r;

	if (capsule_read_article(s->sn_dirfd, ca->ca_name, &a, &mtime,
	    errstr) == -1)
		return -1;
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
