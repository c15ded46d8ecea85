#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "article.h"
#include "buf.h"
#include "capsule.h"
#include "catalog.h"
#include "discover.h"
#include "meta.h"
#include "page.h"
#include "render.h"
#include "search.h"
#include "snapshot.h"
#include "textindex.h"

/*
 * A snapshot of catalog c and its text index disc (both taken over, also
 * on failure; disc may be NULL) for the capsule directory dirfd
 * (duplicated: the caller keeps its own), with a copy of the home page
 * introduction.
 */
struct snapshot *
snapshot_new(const char *dir, int dirfd, struct catalog *c,
    const struct site *site, const char *intro, size_t introlen,
    struct discover *disc)
{
	struct snapshot	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		catalog_free(c);
		discover_free(disc);
		return NULL;
	}
	atomic_init(&s->sn_refs, 1);
	s->sn_dirfd = -1;	/* calloc's 0 is standard input */
	s->sn_time = (int64_t)time(NULL);
	s->sn_cat = c;
	s->sn_disc = disc;
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
	s->sn_nblocks = (c->c_nslot + SNAP_BLOCK - 1) / SNAP_BLOCK;
	s->sn_blocks = calloc(s->sn_nblocks + 1, sizeof(*s->sn_blocks));
	if (s->sn_dirfd == -1 || s->sn_dir == NULL || s->sn_blocks == NULL ||
	    (intro != NULL && s->sn_intro == NULL)) {
		snapshot_release(s);
		return NULL;
	}
	return s;
}

void
snapshot_acquire(struct snapshot *s)
{
	atomic_fetch_add(&s->sn_refs, 1);
}

struct snap_page {
	size_t		 sp_len;
	char		 sp_data[];
};

struct snap_block {
	_Atomic(struct snap_page *) sb_page[SNAP_BLOCK * NUM_SNAP_FORMATS];
};

static void
block_free(struct snap_block *b)
{
	size_t	 i;

	for (i = 0; b != NULL && i < SNAP_BLOCK * NUM_SNAP_FORMATS; i++)
		free(atomic_load(&b->sb_page[i]));
	free(b);
}

void
snapshot_release(struct snapshot *s)
{
	size_t	 i;

	if (s == NULL || atomic_fetch_sub(&s->sn_refs, 1) != 1)
		return;
	if (s->sn_dirfd != -1)
		close(s->sn_dirfd);
	for (i = 0; i < NUM_SNAP_LISTS; i++)
		free(atomic_load(&s->sn_lists[i]));
	for (i = 0; s->sn_blocks != NULL && i < s->sn_nblocks; i++)
		block_free(atomic_load(&s->sn_blocks[i]));
	free(s->sn_blocks);
	catalog_free(s->sn_cat);
	discover_free(s->sn_disc);
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
 * inode) is complete, and is rendered.  A file that cannot be read at
 * all (permissions, I/O errors) is rendered from the source its meta
 * kept, the last version published (capsule_load).
 */
int
snapshot_article(const struct snapshot *s, size_t i, enum snap_format f,
    struct buf *b, const char **errstr)
{
	const struct cat_article *ca = catalog_art(s->sn_cat, i);
	const struct meta *m = ca->ca_meta;
	struct article	 a;
	struct page	 p;
	struct stat	 st;
	uint32_t	 sim[DISCOVER_SIMILAR_MAX];
	ssize_t		 nsim;
	int		 r;

	if (capsule_read_article(s->sn_dirfd, ca->ca_name, &a, &st,
	    errstr) == -1) {
		/* unreadable now: the version published, when kept */
		if (!capsule_unreadable(errno) ||
		    meta_article(m, &a, errstr) == -1)
			return -1;
	} else if (m->m_ino != 0 && st.st_ino == m->m_ino && (st.st_size !=
	    m->m_size || st.st_mtime != m->m_mtime ||
	    st.st_mtim.tv_nsec != m->m_mtime_ns)) {
		article_free(&a);
		*errstr = "being rewritten";
		return -1;
	}
	if (PAGE_IN(render_medium((enum render_format)f)) & PAGE_SIMILAR_IN)
		nsim = snapshot_similar(s, i, &a, sim);
	else
		nsim = 0;
	if (nsim == -1)
		r = -1;	/* no memory for the list: not a page without it */
	else {
		page_init(&p);
		r = render_built(b, &p, page_article(&p, &a, s->sn_cat, ca,
		    sim, (size_t)nsim), (enum render_format)f, &s->sn_site);
	}
	article_free(&a);
	if (r == -1)
		*errstr = "out of memory";
	return r;
}

/*
 * The articles most like article i (a, as read now), as the site's
 * "similar" setting asks, into out (room for DISCOVER_SIMILAR_MAX):
 * never i itself nor one its related entries name.  Returns how many,
 * -1 when out of memory (the page must not be served, nor cached,
 * without its list).
 */
ssize_t
snapshot_similar(const struct snapshot *s, size_t i, const struct article *a,
    uint32_t *out)
{
	uint32_t	*ex;
	size_t		 k, n = 0;
	ssize_t		 r;
	int64_t		 t;

	if (s->sn_disc == NULL || s->sn_site.s_similar == 0)
		return 0;
	if ((ex = calloc(a->a_nrel + 1, sizeof(*ex))) == NULL)
		return -1;
	for (k = 0; k < a->a_nrel; k++)
		if ((t = catalog_resolve(s->sn_cat,
		    article_rel_title(a, k))) >= 0)
			ex[n++] = (uint32_t)t;
	r = discover_similar(s->sn_disc, i, s->sn_site.s_similar, ex, n, out);
	free(ex);
	return r;
}

/* The query with its runs of spaces made one, trimmed; 1 if two words. */
static int
phrase_of(const char *q, char *out, size_t outlen)
{
	size_t	 o = 0;
	int	 words = 0;

	for (; *q != '\0' && o + 1 < outlen; q++) {
		if (*q == ' ' || *q == '\t') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		words += o == 0 || out[o - 1] == ' ';
		out[o++] = *q;
	}
	if (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return words > 1;
}

/* Document d has the phrase p (ASCII letters in any case). */
static int
has_phrase(const struct textindex_doc *d, const char *p)
{
	size_t	 i;

	if (d->td_title != NULL && strcasestr(d->td_title, p) != NULL)
		return 1;
	for (i = 0; i < d->td_npara; i++)
		if (strcasestr(d->td_para[i], p) != NULL)
			return 1;
	return 0;
}

/*
 * The text of catalog article i for a search, parsed into a (free it)
 * and lent to d: the text its meta kept (no I/O; the version published),
 * else its file's.  One copy of an article's text serves both the
 * searches and a file that cannot be read (meta.h, META_TEXT_MAX).
 */
static int
search_text(const struct snapshot *s, size_t i, struct textindex_doc *d,
    struct article *a)
{
	const struct cat_article *ca = catalog_art(s->sn_cat, i);
	struct stat	 st;
	const char	*errstr;

	if (ca->ca_meta->m_text != NULL ? meta_article(ca->ca_meta, a,
	    &errstr) == -1 : capsule_read_article(s->sn_dirfd, ca->ca_name,
	    a, &st, &errstr) == -1)
		return -1;
	d->td_title = a->a_title;
	d->td_para = (const char *const *)a->a_para;
	d->td_npara = a->a_npara;
	return 0;
}

/*
 * The (at most max) articles best matching query q, best first, each
 * with a snippet of its text showing a word of q, into h.  Of several
 * words, the SEARCH_PHRASE_MAX best by their words are checked, and
 * those that have them as written, one after the other, come first: a
 * phrase copied from an article finds that article.  The text checked is
 * the one the article's meta kept, so a search reads no file on the
 * event loop; only past META_TEXT_MAX are files read.  Returns
 * how many; -1 when the snapshot has no text index or memory ran out
 * (a temporary failure, not "nothing found").
 */
ssize_t
snapshot_search(const struct snapshot *s, const char *q,
    struct search_hit *h, size_t max)
{
	struct discover_hit	 dh[SEARCH_PHRASE_MAX];
	struct article		 a[SEARCH_PHRASE_MAX];
	struct textindex_doc	 doc[SEARCH_PHRASE_MAX];
	signed char		 exact[SEARCH_PHRASE_MAX];
	char			 phrase[TEXTINDEX_QUERY_MAX + 1];
	size_t			 n, i, o = 0;
	ssize_t			 r;
	int			 pass, multi;

	if (s->sn_disc == NULL)
		return -1;
	if (max > SEARCH_RESULTS_MAX)
		max = SEARCH_RESULTS_MAX;
	multi = phrase_of(q, phrase, sizeof(phrase));
	if ((r = discover_search(s->sn_disc, q, multi ? SEARCH_PHRASE_MAX :
	    max, dh)) == -1)
		return -1;
	n = (size_t)r;
	/* exact: 1 with the phrase, 0 without, -1 unreadable (the next
	   snapshot will know) */
	for (i = 0; i < n; i++)
		if (search_text(s, dh[i].dh_art, &doc[i], &a[i]) == -1)
			exact[i] = -1;
		else
			exact[i] = multi && has_phrase(&doc[i], phrase);
	for (pass = 1; pass >= -1; pass--)
		for (i = 0; i < n && o < max; i++) {
			if (exact[i] != pass)
				continue;
			h[o].sh_art = dh[i].dh_art;
			h[o].sh_snippet[0] = '\0';
			if (pass >= 0)
				textindex_snippet(&doc[i], q, h[o].sh_snippet,
				    sizeof(h[o].sh_snippet));
			o++;
		}
	for (i = 0; i < n; i++)
		if (exact[i] != -1)
			article_free(&a[i]);
	return (ssize_t)o;
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

/*
 * The rendered page in slot i: from the cache, or rendered into b (which
 * the caller owns) and kept if the cache has room.  *data and *len borrow
 * from the snapshot or from b.  Slots are filled once, by whichever
 * thread renders first; pages never change, so readers need no lock.
 */
static int
page(struct snapshot *s, _Atomic(struct snap_page *) *slot, struct buf *b,
    const char **data, size_t *len, int rendered)
{
	struct snap_page	*p, *none = NULL;

	if (rendered == -1 || b->b_failed)
		return -1;
	*data = b->b_data;
	*len = b->b_len;
	if (slot == NULL ||
	    atomic_load(&s->sn_cached) + b->b_len > SNAP_CACHE_MAX ||
	    (p = malloc(sizeof(*p) + b->b_len)) == NULL)
		return 0;
	p->sp_len = b->b_len;
	memcpy(p->sp_data, b->b_data, b->b_len);
	if (!atomic_compare_exchange_strong(slot, &none, p)) {
		free(p);	/* another thread was first: use its copy */
		p = none;
	} else
		atomic_fetch_add(&s->sn_cached, p->sp_len);
	*data = p->sp_data;
	*len = p->sp_len;
	return 0;
}

static int
cached(_Atomic(struct snap_page *) *slot, const char **data, size_t *len)
{
	struct snap_page	*p = slot != NULL ? atomic_load(slot) : NULL;

	if (p == NULL)
		return 0;
	*data = p->sp_data;
	*len = p->sp_len;
	return 1;
}

/*
 * Where article i's page in format f is kept: its block is made by the
 * first thread that needs it.  NULL (no memory): the page is not kept.
 */
static _Atomic(struct snap_page *) *
article_slot(struct snapshot *s, size_t i, enum snap_format f)
{
	struct snap_block	*b, *none = NULL;

	if (i / SNAP_BLOCK >= s->sn_nblocks)
		return NULL;
	if ((b = atomic_load(&s->sn_blocks[i / SNAP_BLOCK])) == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL)
			return NULL;
		if (!atomic_compare_exchange_strong(&s->sn_blocks[i /
		    SNAP_BLOCK], &none, b)) {
			free(b);
			b = none;
		}
	}
	return &b->sb_page[(i % SNAP_BLOCK) * NUM_SNAP_FORMATS + f];
}

/* Article i in format f, from the cache or rendered (see page()). */
int
snapshot_page(struct snapshot *s, size_t i, enum snap_format f,
    struct buf *b, const char **data, size_t *len)
{
	_Atomic(struct snap_page *) *slot = article_slot(s, i, f);
	const char	*errstr;

	if (cached(slot, data, len))
		return 0;
	return page(s, slot, b, data, len, snapshot_article(s, i, f, b,
	    &errstr));
}

/* Each list is the home page in a format. */
static const enum render_format list_format[NUM_SNAP_LISTS] = {
	[SNAP_HOME] =		RENDER_GEMTEXT,
	[SNAP_ATOM] =		RENDER_ATOM,
	[SNAP_GOPHER_ROOT] =	RENDER_GOPHER_MENU,
	[SNAP_NEX_HOME] =	RENDER_NEX_DIR,
	[SNAP_SPARTAN_HOME] =	RENDER_SPARTAN,
	[SNAP_HTML_HOME] =	RENDER_HTML,
};

/* One of the lists, from the cache or rendered. */
int
snapshot_list(struct snapshot *s, enum snap_list l, struct buf *b,
    const char **data, size_t *len)
{
	struct page	 p;
	int		 r;

	if (cached(&s->sn_lists[l], data, len))
		return 0;
	page_init(&p);
	r = render_built(b, &p, page_home(&p, s->sn_cat, &s->sn_site,
	    s->sn_intro, s->sn_introlen), list_format[l], &s->sn_site);
	return page(s, &s->sn_lists[l], b, data, len, r);
}
