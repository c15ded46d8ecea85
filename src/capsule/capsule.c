#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "article.h"
#include "buf.h"
#include "capsule.h"
#include "catalog.h"
#include "meta.h"
#include "source.h"
#include "utf8.h"
#include "wellknown.h"

static const char *const level_names[NUM_DIAG_LEVELS] = {
	[DIAG_NOTE] = "note",
	[DIAG_WARNING] = "warning",
	[DIAG_SKIPPED] = "skipped",
};

const char *
diag_level_name(enum diag_level l)
{
	return level_names[l];
}

/*
 * An article is "*.txt", not a dotfile (editors' and hidden files) and
 * not a well-known file such as robots.txt.
 */
int
capsule_is_article_name(const char *name)
{
	size_t	 n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".txt") == 0 &&
	    wellknown_find(name) == NULL;
}

/* Record one problem; dir/name and the message are escaped here. */
void
diags_add(struct diags *d, const char *dir, const char *name,
    enum diag_level level, const char *fmt, ...)
{
	struct diag	*dg, *p;
	struct buf	 path, msg;
	va_list		 ap;
	int		 n;

	d->d_count[level]++;
	if (d->d_n == d->d_cap) {
		p = reallocarray(d->d_list, d->d_cap ? d->d_cap * 2 : 32,
		    sizeof(*p));
		if (p == NULL)
			return;
		d->d_list = p;
		d->d_cap = d->d_cap ? d->d_cap * 2 : 32;
	}
	buf_init(&path);
	buf_init(&msg);
	if (dir != NULL) {
		utf8_escape(&path, dir, strlen(dir));
		buf_addc(&path, '/');
	}
	utf8_escape(&path, name, strlen(name));
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		char	*raw = malloc((size_t)n + 1);

		if (raw != NULL) {
			va_start(ap, fmt);
			vsnprintf(raw, (size_t)n + 1, fmt, ap);
			va_end(ap);
			utf8_escape(&msg, raw, (size_t)n);
			free(raw);
		}
	}
	dg = &d->d_list[d->d_n];
	dg->d_file = buf_steal(&path);
	dg->d_msg = buf_steal(&msg);
	dg->d_level = level;
	dg->d_seq = d->d_n;
	if (dg->d_file == NULL || dg->d_msg == NULL) {
		free(dg->d_file);
		free(dg->d_msg);
		return;
	}
	d->d_n++;
}

static int
by_file(const void *pa, const void *pb)
{
	const struct diag	*a = pa, *b = pb;
	int			 r;

	if ((r = strcmp(a->d_file, b->d_file)) != 0)
		return r;
	return a->d_seq < b->d_seq ? -1 : a->d_seq > b->d_seq;
}

void
diags_sort(struct diags *d)
{
	if (d->d_n > 0)
		qsort(d->d_list, d->d_n, sizeof(*d->d_list), by_file);
}

/* Append everything of src to dst; src is left empty. */
void
diags_move(struct diags *dst, struct diags *src)
{
	struct diag	*p;
	size_t		 i;

	if (src->d_n > 0 && dst->d_n + src->d_n > dst->d_cap) {
		if ((p = reallocarray(dst->d_list, dst->d_n + src->d_n,
		    sizeof(*p))) == NULL) {
			diags_free(src);
			return;
		}
		dst->d_list = p;
		dst->d_cap = dst->d_n + src->d_n;
	}
	for (i = 0; i < src->d_n; i++) {
		dst->d_list[dst->d_n] = src->d_list[i];
		dst->d_list[dst->d_n].d_seq = dst->d_n;
		dst->d_n++;
	}
	for (i = 0; i < NUM_DIAG_LEVELS; i++)
		dst->d_count[i] += src->d_count[i];
	free(src->d_list);
	memset(src, 0, sizeof(*src));
}

void
diags_free(struct diags *d)
{
	size_t	 i;

	for (i = 0; i < d->d_n; i++) {
		free(d->d_list[i].d_file);
		free(d->d_list[i].d_msg);
	}
	free(d->d_list);
	memset(d, 0, sizeof(*d));
}

/*
 * Read one article file relative to dirfd into *datap (malloc'd, *lenp
 * bytes).  Symbolic links are not followed and only regular files of at
 * most SOURCE_MAX_SIZE bytes are read (O_NONBLOCK: a FIFO swapped in
 * cannot make us wait).  Fills *stp with what fstat said of the file
 * read.  On failure errno says why the file could not be read, is
 * EISDIR for a directory, or is 0 when it could be read but is no
 * article (capsule_unreadable).
 */
static int
read_source(int dirfd, const char *name, char **datap, size_t *lenp,
    struct stat *stp, const char **errstr)
{
	struct stat	 st;
	char		*data = NULL;
	size_t		 len = 0, cap, alloc = 0;
	ssize_t		 r;
	int		 fd, err = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1) {
		*errstr = errno == ELOOP ? "symbolic link (not followed)" :
		    strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		*errstr = strerror(err = errno);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		*errstr = strerror(err = EISDIR);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		*errstr = "not a regular file";
		goto fail;
	}
	if (st.st_size > (off_t)SOURCE_MAX_SIZE) {
		*errstr = "file too large (limit 8 MiB)";
		goto fail;
	}
	/* read to EOF, but never more than one byte past the limit */
	cap = (size_t)st.st_size + 1;
	for (;;) {
		if (len == cap) {
			if (cap > SOURCE_MAX_SIZE)
				break;
			cap = cap * 2 > SOURCE_MAX_SIZE + 1 ?
			    SOURCE_MAX_SIZE + 1 : cap * 2;
		}
		if (cap > alloc) {
			char	*p;

			if ((p = realloc(data, cap)) == NULL) {
				*errstr = "out of memory";
				err = ENOMEM;
				goto fail;
			}
			data = p;
			alloc = cap;
		}
		r = read(fd, data + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*errstr = strerror(err = errno);
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len < cap)
			break;	/* a regular file reads short only at its end */
	}
	close(fd);
	*stp = st;
	*datap = data;
	*lenp = len;
	return 0;
 fail:
	free(data);
	close(fd);
	errno = err;
	return -1;
}

/*
 * Could the file not be read at all (permissions, an I/O error), as
 * opposed to being gone or no article?  errno as read_source left it.
 */
int
capsule_unreadable(int err)
{
	return err != 0 && err != ENOENT && err != ENOTDIR && err != ELOOP &&
	    err != ENOMEM;
}

/* Read and parse one article file relative to dirfd (see read_source). */
int
capsule_read_article(int dirfd, const char *name, struct article *a,
    struct stat *stp, const char **errstr)
{
	char	*data;
	size_t	 len;
	int	 ret;

	memset(a, 0, sizeof(*a));
	if (read_source(dirfd, name, &data, &len, stp, errstr) == -1)
		return -1;
	ret = article_load(a, data, len, errstr);
	free(data);
	errno = 0;
	return ret;
}

static void
article_warnings(struct diags *d, const char *dir, const char *name,
    const struct article *a)
{
	size_t	 i;

	for (i = 0; i < a->a_nwarn; i++)
		diags_add(d, dir, name, DIAG_WARNING,
		    "front matter: invalid %s \"%s\" ignored",
		    a->a_warn[i].aw_what, a->a_warn[i].aw_value);
}

/* Related titles that match no article, of every file or only one. */
void
capsule_unresolved(struct diags *d, const char *dir, const struct catalog *c,
    const char *only)
{
	const struct cat_article *ca;
	const struct meta	*m;
	size_t			 i, k, from = 0, to = c->c_nslot;
	int64_t			 one;

	if (only != NULL) {
		if ((one = catalog_find_name(c, only)) < 0)
			return;
		from = (size_t)one;
		to = from + 1;
	}
	for (i = from; i < to; i++) {
		if ((m = (ca = catalog_art(c, i))->ca_meta) == NULL)
			continue;
		for (k = 0; k < m->m_nrel; k++)
			if (catalog_resolve_key(c, m->m_relkey[k],
			    m->m_rel[k]) < 0)
				diags_add(d, dir, ca->ca_name, DIAG_WARNING,
				    "related article \"%s\" not found "
				    "(shown as plain text)", m->m_rel[k]);
	}
}

/*
 * Load the directory entry `name` as an article: 1 and *mp set, 0 when
 * it is not an article (not a *.txt name, a directory, gone) or was
 * skipped (then with a diagnostic), -1 when memory ran out.  With errp,
 * a file that cannot be read at all (capsule_unreadable) gives 2 and its
 * errno in *errp instead of a diagnostic, and the article's text is kept
 * in the meta (meta_keep_text), for searches and for the day it cannot
 * be read again.
 */
int
capsule_load(int dfd, const char *dir, const char *name, struct diags *d,
    struct meta **mp, int *errp)
{
	struct article	 a;
	struct stat	 st;
	const char	*errstr;
	char		*data;
	size_t		 len;

	*mp = NULL;
	if (!capsule_is_article_name(name))
		return 0;
	if (read_source(dfd, name, &data, &len, &st, &errstr) == -1) {
		if (errno == EISDIR)
			return 0;	/* a directory called x.txt */
		if (errp != NULL && capsule_unreadable(errno)) {
			*errp = errno;
			return 2;
		}
		if (errno != ENOENT)
			diags_add(d, dir, name, DIAG_SKIPPED, "%s", errstr);
		return 0;
	}
	if (article_load(&a, data, len, &errstr) == -1) {
		free(data);
		diags_add(d, dir, name, DIAG_SKIPPED, "%s", errstr);
		return 0;
	}
	free(data);
	article_warnings(d, dir, name, &a);
	*mp = meta_new(name, &a, a.a_has_date ? a.a_date : st.st_mtime);
	if (*mp != NULL && errp != NULL)
		meta_keep_text(*mp, &a);	/* over the budget: no */
	article_free(&a);
	if (*mp == NULL)
		return -1;
	(*mp)->m_mtime = st.st_mtime;
	(*mp)->m_mtime_ns = st.st_mtim.tv_nsec;
	(*mp)->m_size = st.st_size;
	(*mp)->m_ino = st.st_ino;
	return 1;
}

/* Read one directory entry into the catalog, or say why not. */
static int
scan_one(struct catalog *c, int dfd, const char *dir, const char *name,
    struct diags *d)
{
	const struct wellknown	*wk;
	struct meta		*m;
	struct stat		 st;
	int			 r;

	if ((wk = wellknown_find(name)) != NULL) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			diags_add(d, dir, name, DIAG_NOTE, "well-known file, "
			    "%s: served as it is (%s), not an article",
			    wk->wk_what, WELLKNOWN_TYPE);
		return 0;
	}
	if ((r = capsule_load(dfd, dir, name, d, &m, NULL)) != 1)
		return r;
	r = catalog_add_meta(c, m);
	meta_unref(m);
	return r;
}

/*
 * Every article of the directory into a new catalog; problems go to d
 * (sorted by file).  NULL with *errstr when the directory cannot be
 * read or memory runs out.
 */
struct catalog *
capsule_scan(const char *dir, struct diags *d, const char **errstr)
{
	struct catalog	*c = NULL;
	struct dirent	*de;
	DIR		*dp;

	if ((dp = opendir(dir)) == NULL) {
		*errstr = strerror(errno);
		return NULL;
	}
	if ((c = catalog_new()) == NULL)
		goto nomem;
	while ((errno = 0, de = readdir(dp)) != NULL)
		if (scan_one(c, dirfd(dp), dir, de->d_name, d) == -1)
			goto nomem;
	if (errno != 0) {
		*errstr = strerror(errno);
		goto fail;
	}
	if (catalog_finish(c) == -1)
		goto nomem;
	capsule_unresolved(d, dir, c, NULL);
	diags_sort(d);
	closedir(dp);
	return c;
 nomem:
	*errstr = "out of memory";
 fail:
	catalog_free(c);
	closedir(dp);
	return NULL;
}

/* Longest index.gmi shown above the home page list. */
#define CAPSULE_INTRO_MAX	(64 * 1024)

/*
 * The introduction of the home page: the capsule's top-level index.gmi,
 * if it is a regular file of valid UTF-8 of at most CAPSULE_INTRO_MAX
 * bytes; otherwise NULL (with a diagnostic when it exists but is unfit).
 */
char *
capsule_read_intro(int dfd, const char *dir, size_t *lenp, struct diags *d)
{
	struct stat	 st;
	char		*data = NULL;
	ssize_t		 r;
	int		 fd;

	*lenp = 0;
	fd = openat(dfd, "index.gmi", O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CAPSULE_INTRO_MAX) {
		diags_add(d, dir, "index.gmi", DIAG_WARNING,
		    "not used as the introduction (not a regular file of "
		    "at most 64 KiB)");
		goto fail;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	r = read(fd, data, (size_t)st.st_size);
	if (r < 0 || !utf8_valid(data, (size_t)r)) {
		diags_add(d, dir, "index.gmi", DIAG_WARNING,
		    "not used as the introduction (unreadable or not UTF-8)");
		goto fail;
	}
	data[r] = '\0';
	*lenp = (size_t)r;
	close(fd);
	return data;
 fail:
	free(data);
	close(fd);
	return NULL;
}
