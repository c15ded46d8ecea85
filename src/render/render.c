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
	[RENDER_HTML] =		&html_ops,
	[RENDER_ATOM] =		&feed_atom_ops,
	[RENDER_SPARTAN] =	&spartan_ops,
};

/* Does f write block pb (of its medium, not a link to f's own protocol)? */
static int
shown(const struct render_ops *f, const struct page_block *pb)
{
	return (pb->pb_media & PAGE_IN(f->ro_medium)) &&
	    f->ro_block[pb->pb_type] != NULL &&
	    !(pb->pb_other && pb->pb_proto == f->ro_proto);
}

/*
 * Page p in format f: f's beginning, the blocks of f's medium (each run
 * of the types f groups between ro_group_open and ro_group_close), f's
 * ending.
 */
int
render_page(struct buf *b, const struct page *p, enum render_format f,
    const struct site *site)
{
	const struct render_ops	*ops = formats[f];
	const struct page_block	*pb;
	size_t			 i;
	int			 run = 0, in;

	if (p->pg_failed)
		return -1;
	if (ops->ro_begin != NULL)
		ops->ro_begin(b, p, site);
	for (i = 0; i < p->pg_n; i++) {
		pb = &p->pg_block[i];
		if (!shown(ops, pb))
			continue;
		in = (ops->ro_group & (1u << pb->pb_type)) != 0;
		if (run && !in)
			ops->ro_group_close(b, NULL, site);
		else if (!run && in)
			ops->ro_group_open(b, pb, site);
		run = in;
		ops->ro_block[pb->pb_type](b, pb, site);
	}
	if (run)
		ops->ro_group_close(b, NULL, site);
	if (ops->ro_end != NULL)
		ops->ro_end(b, NULL, site);
	if (ops->ro_close != NULL)
		ops->ro_close(b, p, site);
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
