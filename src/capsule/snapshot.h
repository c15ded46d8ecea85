/*
 * snapshot: one immutable, reference-counted view of a capsule that the
 * network side serves from: the catalog, the home page introduction, the
 * site settings, a descriptor of the capsule directory and the text
 * index for similar articles and search (discover.h).  Pages are
 * rendered from the source files through this API; the network code
 * never opens a path itself.
 *
 * Example: the watcher makes s = snapshot_new(dir, dirfd, catalog, &site,
 * intro, len, disc); a request takes snapshot_acquire(s), reads pages with
 * snapshot_page, and snapshot_release(s) when its connection closes;
 * the last release frees it.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "render.h"
#include "site.h"

struct article;
struct buf;
struct catalog;
struct diags;
struct discover;
struct search_hit;

/* The formats of an article page: render.h's, by their routers' names. */
enum snap_format {
	SNAP_GEMTEXT = RENDER_GEMTEXT,
	SNAP_GOPHER_MENU = RENDER_GOPHER_MENU,
	SNAP_GOPHER_TEXT = RENDER_GOPHER_TEXT,
	SNAP_NEX_DIR = RENDER_NEX_DIR,
	SNAP_NEX_TEXT = RENDER_NEX_TEXT,
	SNAP_HTML = RENDER_HTML,
	NUM_SNAP_FORMATS = RENDER_HTML + 1	/* no Atom article */
};

/* The lists of a capsule, cached like the articles. */
enum snap_list {
	SNAP_HOME,		/* the gemfeed home page */
	SNAP_ATOM,		/* /atom.xml */
	SNAP_GOPHER_ROOT,	/* the root menu */
	SNAP_NEX_HOME,		/* the Nex home directory */
	SNAP_SPARTAN_HOME,	/* the home page with Spartan's "=:" search */
	SNAP_HTML_HOME,		/* the HTML mirror's home page */
	NUM_SNAP_LISTS
};

/* Bytes of rendered pages a snapshot keeps; past that it renders anew. */
#define SNAP_CACHE_MAX	(64u * 1024 * 1024)

struct snap_page;
struct snap_block;

/* Article slots per block of the page cache (blocks made when used). */
#define SNAP_BLOCK	256

struct snapshot {
	_Atomic int	 sn_refs;
	int		 sn_dirfd;	/* the capsule directory */
	char		*sn_dir;	/* its path, for logs */
	struct catalog	*sn_cat;
	struct site	 sn_site;	/* strings are sn_strings' */
	char		*sn_strings;	/* owned copies of the site's strings */
	struct discover	*sn_disc;	/* similar articles, search; or NULL */
	char		*sn_intro;	/* index.gmi for the home page, or NULL */
	size_t		 sn_introlen;
	_Atomic(struct snap_page *) sn_lists[NUM_SNAP_LISTS]; /* rendered once */
	_Atomic(struct snap_block *) *sn_blocks; /* articles', by slot */
	size_t		 sn_nblocks;
	_Atomic size_t	 sn_cached;	/* bytes of pages kept */
	int64_t		 sn_time;	/* when it was made (UTC seconds): its
					   generated pages' Last-Modified */
};

struct snapshot	*snapshot_new(const char *, int, struct catalog *,
		    const struct site *, const char *, size_t,
		    struct discover *);
void		 snapshot_acquire(struct snapshot *);
void		 snapshot_release(struct snapshot *);
int		 snapshot_article(const struct snapshot *, size_t,
		    enum snap_format, struct buf *, const char **);
int		 snapshot_page(struct snapshot *, size_t, enum snap_format,
		    struct buf *, const char **, size_t *);
int		 snapshot_list(struct snapshot *, enum snap_list, struct buf *,
		    const char **, size_t *);
ssize_t		 snapshot_similar(const struct snapshot *, size_t,
		    const struct article *, uint32_t *);
ssize_t		 snapshot_search(const struct snapshot *, const char *,
		    struct search_hit *, size_t);
int		 snapshot_open(const struct snapshot *, int, const char *,
		    int, const char **);

#endif
