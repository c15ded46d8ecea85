/*
 * nex_render: pages (page.h) as Nex directories (nex_dir_ops in
 * render.h; capsuled(8) NEX): lines of text and link lines
 * "=> URL label", each ending LF.  A directory shows the menu medium,
 * the blocks of a Gopher menu: its info lines are text lines here and
 * its items link lines, so an article has its date, its plain-text
 * link and a link home, and no search (Nex has no address for it).
 *
 * Example: the article "T" (slug t, 2024-01-02) with one paragraph
 * "Hi gemini://a.b/" and a related entry resolving to "U" (slug u) is
 *   T\n2024-01-02\n\nHi gemini://a.b/\n=> gemini://a.b/\n\n
 *   => /articles/t.txt Plain text version\n\nRelated articles\n
 *   => /articles/u/ U\n\n=> / Home\n
 * Text is wrapped at NEX_WRAP columns as Gopher's is.  A text line
 * that would begin with "=>" is sent with a space before it, so that
 * the only links are the serialiser's own.
 */
#ifndef NEX_RENDER_H
#define NEX_RENDER_H

#include <stddef.h>

#include "gopher_render.h"

/* Columns of wrapped text: Gopher's, so both show the same lines. */
#define NEX_WRAP	GOPHER_WRAP

struct buf;
struct catalog;
struct page_entry;
struct site;

int	 nex_list_page(struct buf *, const struct catalog *, size_t,
	    const struct site *);
int	 nex_listing(struct buf *, const char *, const struct page_entry *,
	    size_t, const struct site *);

#endif
