/*
 * respond: a page request (router.h) to a response (response.h), over a
 * snapshot, for any protocol: the protocol only says in which formats
 * its pages come (struct pages).
 *
 * Example: Gemini's pages are {forms {".gmi"}, article SNAP_GEMTEXT,
 * home SNAP_HOME, list feed_page, search search_gemtext, directories
 * "index.gmi" or a listing}; respond(&gemini_pages, s, m, "/", NULL, &r)
 * gives {OUT_OK, "text/gemini; charset=utf-8", the home page}.
 */
#ifndef RESPOND_H
#define RESPOND_H

#include "arena.h"
#include "router.h"
#include "snapshot.h"

/* The media type of generated pages (when a protocol types them). */
#define GEMTEXT_TYPE	"text/gemini; charset=utf-8"

/* A query given that could not be read as text (respond's query). */
extern const char	 RESPOND_BAD_QUERY[];

struct buf;
struct mime;
struct response;
struct search_hit;

struct pages {
	struct route_forms pg_forms;
	enum snap_format pg_article;	/* an article page */
	enum snap_format pg_text;	/* its plain text (with rf_text) */
	enum snap_list	 pg_home;	/* the home page */
	int		(*pg_list)(struct buf *, const struct catalog *,
			    size_t, const struct site *);
	int		(*pg_search)(struct buf *, const struct catalog *,
			    const char *, const struct search_hit *, size_t,
			    const struct site *);
	/* the answer to /search without words */
	void		(*pg_prompt)(struct response *,
			    const struct snapshot *);
	/* a directory with no page of its own: dirfd shown at path */
	void		(*pg_dir)(struct response *, struct snapshot *,
			    struct mime *, int, const char *);
	/* a directory's own page, or NULL */
	const char	*pg_index;
	/* how a directory's own page is made (NULL: served as a file) */
	void		(*pg_index_page)(struct response *, struct snapshot *,
			    int, const char *);
	int		 pg_typed;	/* set the media type of each body */
	/* the media type of generated pages; NULL: gemtext's, with lang= */
	const char	*pg_type;
	const char	*pg_text_type;	/* of an article's plain text */
	/* how a capsule's gemtext file (*.gmi) is shown (NULL: as the file
	   it is); like pg_index_page, it closes the descriptor */
	void		(*pg_gemtext)(struct response *, struct snapshot *,
			    int, const char *);
};

/* Entries of a generated directory listing, at most. */
#define RESPOND_LISTING_MAX	10000

/* A directory's entries, read for a generated listing. */
struct respond_dir {
	struct page_entry *rd_entry;	/* sorted by name, owned */
	size_t		 rd_n;
	struct arena	 rd_names;	/* their names */
};

void	 respond(const struct pages *, struct snapshot *, struct mime *,
	    const char *, const char *, struct response *);
int	 respond_dir_read(const struct snapshot *, int, struct respond_dir *);
void	 respond_dir_free(struct respond_dir *);

#endif
