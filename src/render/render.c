#include <stddef.h>

#include "buf.h"
#include "page.h"
#include "render.h"

static const struct render_ops *const formats[NUM_RENDER_FORMATS] = {
	[RENDER_GEMTEXT] =	&gemtext_ops,
	[RENDER_GOPHER_MENU] =	&gopher_menu_ops,
	[RENDER_GOPHER_TEXT] =	&gopher_text_ops,
	[RENDER_NEX_DIR] =	&nex_dir_ops,
	[RENDER_NEX_TEXT] =	&gopher_plain_ops,
	[RENDER_ATOM] =		&feed_atom_ops,
	[RENDER_SPARTAN] =	&spartan_ops,
};

/*
 * Page p in format f: f's beginning, the blocks of f's medium, f's
 * ending.
 */
int
render_page(struct buf *b, const struct page *p, enum render_format f,
    const struct site *site)
{
	const struct render_ops	*ops = formats[f];
	const struct page_block	*pb;
	size_t			 i;

	if (p->pg_failed)
		return -1;
	if (ops->ro_begin != NULL)
		ops->ro_begin(b, p, site);
	for (i = 0; i < p->pg_n; i++) {
		pb = &p->pg_block[i];
		if ((pb->pb_media & PAGE_IN(ops->ro_medium)) &&
		    ops->ro_block[pb->pb_type] != NULL &&
		    !(pb->pb_other && pb->pb_proto == ops->ro_proto))
			ops->ro_block[pb->pb_type](b, pb, site);
	}
	if (ops->ro_end != NULL)
		ops->ro_end(b, NULL, site);
	return b->b_failed ? -1 : 0;
}

/*
 * The usual call: r is what a page.h builder returned for p; when it
 * built the page, write it in format f.  Frees p either way.
 */
int
render_built(struct buf *b, struct page *p, int r, enum render_format f,
    const struct site *site)
{
	if (r == 0)
		r = render_page(b, p, f, site);
	page_free(p);
	return r;
}

enum page_medium
render_medium(enum render_format f)
{
	return formats[f]->ro_medium;
}
