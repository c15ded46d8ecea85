/*
 * render: a page (page.h) written in one format, through one table: a
 * format is a serialiser, a struct render_ops that writes each type of
 * block of its medium and ends the page.  `capsuled convert` and the
 * server both go through render_page.
 *
 * Example: page_init(&p); render_built(&b, &p, page_home(&p, c, site,
 * NULL, 0), RENDER_GOPHER_MENU, site) writes the root menu, ending
 * ".\r\n", and frees the page.
 *
 * A new format is a file with its render_ops, a value here and a row in
 * render.c's table, as Nex's directories and the HTML mirror are.  A
 * format that writes runs of blocks as one element (HTML's <ul> of
 * links) names their types in ro_group and is told where each run starts
 * and ends.
 */
#ifndef RENDER_H
#define RENDER_H

#include "page.h"

struct buf;
struct site;

enum render_format {
	RENDER_GEMTEXT,		/* text/gemini (gemtext.c) */
	RENDER_GOPHER_MENU,	/* a Gopher menu (gopher_render.c) */
	RENDER_GOPHER_TEXT,	/* Gopher type-0 text (gopher_render.c) */
	RENDER_NEX_DIR,		/* a Nex directory (nex_render.c) */
	RENDER_NEX_TEXT,	/* Nex plain text: the type-0 text without
				   its dot policy (gopher_render.c) */
	RENDER_HTML,		/* the HTML mirror (html.c) */
	RENDER_ATOM,		/* an Atom feed of the dated links (feed.c) */
	RENDER_SPARTAN,		/* text/gemini with "=:" lines (gemtext.c) */
	NUM_RENDER_FORMATS
};

typedef void render_block_fn(struct buf *, const struct page_block *,
    const struct site *);

/* A serialiser: a NULL function writes nothing. */
struct render_ops {
	enum page_medium  ro_medium;	/* blocks shown: PAGE_IN(medium) */
	enum addr_proto	  ro_proto;	/* whose pages: pb_other links to it
					   are not shown */
	void		(*ro_begin)(struct buf *, const struct page *,
			    const struct site *);
	render_block_fn	*ro_block[NUM_PAGE_BLOCKS];
	render_block_fn	*ro_end;	/* after the last block */
	/* after ro_end, with the page (its pg_self, pg_lang) */
	void		(*ro_close)(struct buf *, const struct page *,
			    const struct site *);
	unsigned	  ro_group;	/* 1u << type: blocks written in runs */
	render_block_fn	*ro_group_open;	/* before a run's first block */
	render_block_fn	*ro_group_close; /* after its last (given NULL) */
};

extern const struct render_ops gemtext_ops;
extern const struct render_ops gopher_menu_ops;
extern const struct render_ops gopher_text_ops;
extern const struct render_ops gopher_plain_ops;
extern const struct render_ops nex_dir_ops;
extern const struct render_ops feed_atom_ops;
extern const struct render_ops spartan_ops;
extern const struct render_ops html_ops;

int		 render_page(struct buf *, const struct page *,
		    enum render_format, const struct site *);
int		 render_built(struct buf *, struct page *, int,
		    enum render_format, const struct site *);
enum page_medium render_medium(enum render_format);

#endif
