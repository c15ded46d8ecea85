#include "addr.h"
#include "buf.h"
#include "gemtext.h"
#include "nex_render.h"
#include "page.h"
#include "render.h"
#include "utf8.h"

/* One text line; "=>" at its start would make it a link: a space first. */
static void
line(struct buf *b, const char *s, size_t n)
{
	if (n >= 2 && s[0] == '=' && s[1] == '>')
		buf_addc(b, ' ');
	buf_add(b, s, n);
	buf_addc(b, '\n');
}

/* Text wrapped at NEX_WRAP columns, a line() each. */
static void
wrap(struct buf *b, const char *s, size_t n)
{
	struct utf8_wrap w;
	const char	*l;
	size_t		 len;

	if (utf8_wrap_init(&w, s, n, NEX_WRAP) == -1) {
		b->b_failed = 1;
		return;
	}
	while (utf8_wrap_next(&w, &l, &len))
		line(b, l, len);
	utf8_wrap_free(&w);
}

/*
 * The serialiser of Nex directories (render.h), one function a block
 * type.
 */

static void
dir_wrap(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	wrap(b, pb->pb_text, pb->pb_len);
}

/* One line, never wrapped (a heading, a date, a count). */
static void
dir_line(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	line(b, pb->pb_text, pb->pb_len);
}

/* A paragraph, then a link line for each URL in it, as in gemtext. */
static void
dir_para(struct buf *b, const struct page_block *pb, const struct site *site)
{
	dir_wrap(b, pb, site);
	gemtext_links(b, pb->pb_text, pb->pb_len);
}

/*
 * "=> path label": a path from the root, or a file's name relative to
 * the directory; none for the search, which Nex has no address of.
 */
static void
dir_link(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	gemtext_link_line(b, pb, "=>", ADDR_NEX);
}

static void
dir_blank(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	buf_addc(b, '\n');
}

/*
 * A directory ends with its last line, not with a blank one (the break
 * the home page keeps before a search link Nex has no address of).
 */
static void
dir_end(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	while (b->b_len >= 2 && b->b_data[b->b_len - 1] == '\n' &&
	    b->b_data[b->b_len - 2] == '\n')
		b->b_data[--b->b_len] = '\0';
}

const struct render_ops nex_dir_ops = {
	.ro_medium = PAGE_MENU,
	.ro_proto = ADDR_NEX,
	.ro_block = {
		[PAGE_TITLE] =		dir_wrap,
		[PAGE_HEADING] =	dir_line,
		[PAGE_PARA] =		dir_para,
		[PAGE_TEXT] =		dir_wrap,
		[PAGE_LINE] =		dir_line,
		[PAGE_GEMTEXT] =	dir_wrap,
		[PAGE_LINK] =		dir_link,
		[PAGE_PENDING] =	dir_wrap,
		[PAGE_BREAK] =		dir_blank,
	},
	.ro_end = dir_end,
};

/* Page n (from 1) of the full list; -1 if none. */
int
nex_list_page(struct buf *b, const struct catalog *c, size_t n,
    const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_list(&p, c, n, site), RENDER_NEX_DIR,
	    site);
}

/* A capsule directory without its own page: dir and its entries e[0 .. n). */
int
nex_listing(struct buf *b, const char *dir, const struct page_entry *e,
    size_t n, const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_listing(&p, dir, e, n), RENDER_NEX_DIR,
	    site);
}
