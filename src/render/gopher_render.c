#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "gopher_render.h"
#include "page.h"
#include "render.h"
#include "site.h"
#include "utf8.h"

/* An info line: i<text>\t\tnull.host\t1, as Gopher clients expect. */
void
gopher_info(struct buf *b, const char *s, size_t n)
{
	buf_addc(b, 'i');
	buf_add(b, s, utf8_cut(s, n, GOPHER_DISPLAY_MAX));
	buf_adds(b, "\t\tnull.host\t1\r\n");
}

/* A display string of at most GOPHER_DISPLAY_MAX columns, "…" if cut. */
static void
display(struct buf *b, const char *s)
{
	size_t	 n = strlen(s);

	if (utf8_width(s, n) <= GOPHER_DISPLAY_MAX) {
		buf_add(b, s, n);
		return;
	}
	buf_add(b, s, utf8_cut(s, n, GOPHER_DISPLAY_MAX - 1));
	buf_adds(b, "\u2026");
}

void
gopher_item(struct buf *b, char type, const char *disp, const char *sel,
    const struct site *site)
{
	buf_addc(b, type);
	display(b, disp);
	buf_printf(b, "\t%s\t%s\t%u\r\n", sel, site->s_gopher_host,
	    site->s_port[ADDR_GOPHER]);
}

enum wrap_as {
	WRAP_INFO,	/* info lines of a menu */
	WRAP_TEXT,	/* type-0 text, default dot policy */
	WRAP_STRICT,	/* type-0 text, RFC 1436 dot-stuffing */
	WRAP_PLAIN,	/* the same text without a dot policy (Nex) */
};

/*
 * One line of plain text with CR LF.  WRAP_TEXT: a line that is a lone
 * "." goes out as ". " so a strict client cannot stop early; WRAP_STRICT
 * (RFC 1436) doubles a leading "." instead (and the caller ends with
 * "."); WRAP_PLAIN sends it as it is (Nex has no terminator).
 */
static void
text_line_as(struct buf *b, const char *s, size_t n, enum wrap_as as)
{
	if (as == WRAP_STRICT && n > 0 && s[0] == '.')
		buf_addc(b, '.');
	buf_add(b, s, n);
	if (as == WRAP_TEXT && n == 1 && s[0] == '.')
		buf_addc(b, ' ');
	buf_adds(b, "\r\n");
}

/* Wrap one line of text at GOPHER_WRAP columns into menu or text lines. */
static void
wrap(struct buf *b, const char *s, enum wrap_as as)
{
	struct utf8_wrap w;
	const char	*l;
	size_t		 n;

	if (utf8_wrap_init(&w, s, strlen(s), GOPHER_WRAP) == -1) {
		b->b_failed = 1;
		return;
	}
	while (utf8_wrap_next(&w, &l, &n)) {
		if (as == WRAP_INFO)
			gopher_info(b, l, n);
		else
			text_line_as(b, l, n, as);
	}
	utf8_wrap_free(&w);
}

void
gopher_wrap_info(struct buf *b, const char *s)
{
	wrap(b, s, WRAP_INFO);
}

/* One line of type-0 text with CR LF, by the dot policy (strict or not). */
void
gopher_text_line(struct buf *b, const char *s, size_t n, int strict)
{
	text_line_as(b, s, n, strict ? WRAP_STRICT : WRAP_TEXT);
}

/*
 * The serialisers of Gopher menus and type-0 text (render.h), one
 * function a block type each.
 */

static void
menu_wrap(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	wrap(b, pb->pb_text, WRAP_INFO);
}

/* One info line, cut (never wrapped). */
static void
menu_line(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	gopher_info(b, pb->pb_text, pb->pb_len);
}

static void
menu_blank(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	gopher_info(b, "", 0);
}

/* An item: the type the link asks for, else its kind's; a file is
   shown by its name.  None for a page Gopher has no selector of. */
static void
menu_link(struct buf *b, const struct page_block *pb, const struct site *site)
{
	char	 sel[ADDR_PATH_MAX];

	if (addr_path(sel, sizeof(sel), &pb->pb_to, ADDR_GOPHER) == -1)
		return;
	gopher_item(b, pb->pb_gopher_type ? pb->pb_gopher_type :
	    addr_gopher_type(pb->pb_to.at_kind), pb->pb_text != NULL ?
	    pb->pb_text : pb->pb_to.at_name, sel, site);
}

static void
menu_end(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	buf_adds(b, ".\r\n");
}

const struct render_ops gopher_menu_ops = {
	.ro_medium = PAGE_MENU,
	.ro_proto = ADDR_GOPHER,
	.ro_block = {
		[PAGE_TITLE] =		menu_wrap,
		[PAGE_HEADING] =	menu_line,
		[PAGE_PARA] =		menu_wrap,
		[PAGE_TEXT] =		menu_wrap,
		[PAGE_LINE] =		menu_line,
		[PAGE_GEMTEXT] =	menu_wrap,
		[PAGE_LINK] =		menu_link,
		[PAGE_PENDING] =	menu_wrap,
		[PAGE_BREAK] =		menu_blank,
	},
	.ro_end = menu_end,
};

static enum wrap_as
text_as(const struct site *site)
{
	return site->s_gopher_strict ? WRAP_STRICT : WRAP_TEXT;
}

/*
 * The blocks of plain text, written as the dot policy `as` says (the
 * serialisers below pass the site's, or none).
 */
static void
line_as(struct buf *b, const struct page_block *pb, enum wrap_as as)
{
	text_line_as(b, pb->pb_text, pb->pb_len, as);
}

/* A title not published yet, and a word that it is not. */
static void
pending_as(struct buf *b, const struct page_block *pb, enum wrap_as as)
{
	wrap(b, pb->pb_text, as);
	buf_adds(b, "  (not published yet)\r\n");
}

/*
 * A link as text: its label, then its Gopher and Gemini URLs, so that a
 * reader of the text alone can still follow it (those that exist).
 */
static void
link_as(struct buf *b, const struct page_block *pb, const struct site *site,
    enum wrap_as as)
{
	char	 gopher[ADDR_URL_MAX], gemini[ADDR_URL_MAX];
	int	 g = addr_url(gopher, sizeof(gopher), &pb->pb_to, ADDR_GOPHER,
		    site) == 0;
	int	 m = addr_url(gemini, sizeof(gemini), &pb->pb_to, ADDR_GEMINI,
		    site) == 0;

	if (!g && !m)
		return;
	wrap(b, pb->pb_text != NULL ? pb->pb_text : pb->pb_to.at_name, as);
	if (g)
		buf_printf(b, "  %s\r\n", gopher);
	if (m)
		buf_printf(b, "  %s\r\n", gemini);
}

static void
text_blank(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	buf_adds(b, "\r\n");
}

/* Gopher's type-0 text: the site's dot policy. */
static void
text_wrap(struct buf *b, const struct page_block *pb, const struct site *site)
{
	wrap(b, pb->pb_text, text_as(site));
}

static void
text_line(struct buf *b, const struct page_block *pb, const struct site *site)
{
	line_as(b, pb, text_as(site));
}

static void
text_pending(struct buf *b, const struct page_block *pb,
    const struct site *site)
{
	pending_as(b, pb, text_as(site));
}

static void
text_link(struct buf *b, const struct page_block *pb, const struct site *site)
{
	link_as(b, pb, site, text_as(site));
}

/* Strict RFC 1436 text ends with a "." line. */
static void
text_end(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	if (site->s_gopher_strict)
		buf_adds(b, ".\r\n");
}

const struct render_ops gopher_text_ops = {
	.ro_medium = PAGE_PLAIN,
	.ro_proto = ADDR_GOPHER,
	.ro_block = {
		[PAGE_TITLE] =		text_wrap,
		[PAGE_HEADING] =	text_line,
		[PAGE_PARA] =		text_wrap,
		[PAGE_TEXT] =		text_wrap,
		[PAGE_LINE] =		text_line,
		[PAGE_GEMTEXT] =	text_wrap,
		[PAGE_LINK] =		text_link,
		[PAGE_PENDING] =	text_pending,
		[PAGE_BREAK] =		text_blank,
	},
	.ro_end = text_end,
};

/*
 * The same text without a dot policy, whatever the site's (Nex's plain
 * text, which has no terminator to protect): the bytes of the default
 * type-0 text but for a lone "." line, sent as it is.
 */
static void
plain_wrap(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	wrap(b, pb->pb_text, WRAP_PLAIN);
}

static void
plain_line(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	line_as(b, pb, WRAP_PLAIN);
}

static void
plain_pending(struct buf *b, const struct page_block *pb,
    const struct site *site)
{
	(void)site;
	pending_as(b, pb, WRAP_PLAIN);
}

static void
plain_link(struct buf *b, const struct page_block *pb, const struct site *site)
{
	link_as(b, pb, site, WRAP_PLAIN);
}

const struct render_ops gopher_plain_ops = {
	.ro_medium = PAGE_PLAIN,
	.ro_proto = ADDR_NEX,
	.ro_block = {
		[PAGE_TITLE] =		plain_wrap,
		[PAGE_HEADING] =	plain_line,
		[PAGE_PARA] =		plain_wrap,
		[PAGE_TEXT] =		plain_wrap,
		[PAGE_LINE] =		plain_line,
		[PAGE_GEMTEXT] =	plain_wrap,
		[PAGE_LINK] =		plain_link,
		[PAGE_PENDING] =	plain_pending,
		[PAGE_BREAK] =		text_blank,
	},
};

/* The article menu, /articles/<slug>/; self is its catalog entry. */
int
gopher_menu_article(struct buf *b, const struct article *a,
    const struct catalog *c, const struct cat_article *self,
    const struct site *site, const uint32_t *sim, size_t nsim)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_article(&p, a, c, self, sim, nsim),
	    RENDER_GOPHER_MENU, site);
}

/*
 * The plain-text version: title, date, the paragraphs wrapped, then the
 * related articles with their Gopher and Gemini URLs.
 */
int
gopher_text_article(struct buf *b, const struct article *a,
    const struct catalog *c, const struct cat_article *self,
    const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_article(&p, a, c, self, NULL, 0),
	    RENDER_GOPHER_TEXT, site);
}

/* The root menu: the capsule title, the newest articles, the search. */
int
gopher_menu_home(struct buf *b, const struct catalog *c,
    const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_home(&p, c, site, NULL, 0),
	    RENDER_GOPHER_MENU, site);
}

/* Page n (from 1) of the full list; -1 if none. */
int
gopher_menu_page(struct buf *b, const struct catalog *c, size_t n,
    const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_list(&p, c, n, site),
	    RENDER_GOPHER_MENU, site);
}
