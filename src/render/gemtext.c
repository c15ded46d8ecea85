#include <string.h>

#include "article.h"
#include "buf.h"
#include "addr.h"
#include "catalog.h"
#include "gemtext.h"
#include "page.h"
#include "render.h"
#include "strmap.h"
#include "utf8.h"

static const char *const url_schemes[] = {
	"gemini://", "gopher://", "https://", "http://",
};

/* Characters after which a URL may start (besides the paragraph start). */
static const char *const url_openers[] = {
	" ", "(", "[", "<", "\"", "'", "\u201c", "\u2018",
};

/* Trailing characters stripped from a URL, repeatedly. */
static const char *const url_closers[] = {
	".", ",", ";", ":", "!", "?", ")", "]", ">", "\"", "'",
	"\u201d", "\u2019",
};

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Section 2.1: lines starting #, *, > (anything after), => or ```. */
int
gemtext_needs_space(const char *s)
{
	return s[0] == '#' || s[0] == '*' || s[0] == '>' ||
	    strncmp(s, "=>", 2) == 0 || strncmp(s, "```", 3) == 0;
}

static int
after_opener(const char *p, size_t i)
{
	size_t	 k, n;

	if (i == 0)
		return 1;
	for (k = 0; k < nitems(url_openers); k++) {
		n = strlen(url_openers[k]);
		if (i >= n && memcmp(p + i - n, url_openers[k], n) == 0)
			return 1;
	}
	return 0;
}

static size_t
strip_closers(const char *p, size_t start, size_t end)
{
	size_t	 k, n;
	int	 again = 1;

	while (again) {
		again = 0;
		for (k = 0; k < nitems(url_closers); k++) {
			n = strlen(url_closers[k]);
			if (end - start >= n &&
			    memcmp(p + end - n, url_closers[k], n) == 0) {
				end -= n;
				again = 1;
			}
		}
	}
	return end;
}

/*
 * Section 2.2.  Find the next URL in p[*pos .. n): it starts with one
 * of the schemes at the paragraph start or after an opener, runs to the
 * next space, loses its trailing closers, and counts only if something
 * follows "://" and it is at most GEMTEXT_URL_MAX bytes.  On success
 * sets [*start, *end), moves *pos past it and returns 1; 0 at the end.
 */
int
gemtext_next_url(const char *p, size_t n, size_t *pos, size_t *start,
    size_t *end)
{
	size_t	 i, k, len, e, stop;

	for (i = *pos; i < n; i++) {
		if (p[i] != 'g' && p[i] != 'h')
			continue;
		for (k = 0; k < nitems(url_schemes); k++) {
			len = strlen(url_schemes[k]);
			if (n - i >= len &&
			    memcmp(p + i, url_schemes[k], len) == 0)
				break;
		}
		if (k == nitems(url_schemes) || !after_opener(p, i))
			continue;
		for (stop = i; stop < n && p[stop] != ' '; stop++)
			;
		e = strip_closers(p, i, stop);
		if (e - i > len && e - i <= GEMTEXT_URL_MAX) {
			*start = i;
			*end = e;
			*pos = stop;
			return 1;
		}
		i = stop;
	}
	*pos = n;
	return 0;
}

static void
line(struct buf *b, const char *s)
{
	if (gemtext_needs_space(s))
		buf_addc(b, ' ');
	buf_adds(b, s);
	buf_addc(b, '\n');
}

/*
 * The gemtext serialiser (render.h), one function a block type.
 */

/*
 * One "=> URL" line per distinct URL in paragraph s[0 .. n): gemtext's,
 * and Nex's (whose link lines are written the same way).
 */
void
gemtext_links(struct buf *b, const char *s, size_t n)
{
	struct strmap	 seen;
	size_t		 pos = 0, start, end;

	strmap_init(&seen);
	while (gemtext_next_url(s, n, &pos, &start, &end))
		if (strmap_put(&seen, s + start, end - start, 0) != 0) {
			buf_adds(b, "=> ");
			buf_add(b, s + start, end - start);
			buf_addc(b, '\n');
		}
	strmap_free(&seen);
}

/* A paragraph, then its link lines. */
static void
para(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	line(b, pb->pb_text);
	gemtext_links(b, pb->pb_text, pb->pb_len);
}

static void
title(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	buf_adds(b, "# ");
	buf_add(b, pb->pb_text, pb->pb_len);
	buf_addc(b, '\n');
}

static void
heading(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	buf_adds(b, "## ");
	buf_add(b, pb->pb_text, pb->pb_len);
	buf_addc(b, '\n');
}

/* Text, a line, a title not published yet: a line of text. */
static void
text(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	line(b, pb->pb_text);
}

/* The author's gemtext as it is, ending with a newline. */
static void
raw(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	buf_add(b, pb->pb_text, pb->pb_len);
	if (pb->pb_len > 0 && pb->pb_text[pb->pb_len - 1] != '\n')
		buf_addc(b, '\n');
}

/*
 * "=> path label" (type "=>", or Spartan's "=:") with the path in
 * protocol p's form: a gemtext link line, a Spartan one, and a Nex one
 * (the same syntax).  A file is labelled with its name (escaped), "/"
 * for a directory.  No line for a page p has no address of.
 */
void
gemtext_link_line(struct buf *b, const struct page_block *pb,
    const char *type, enum addr_proto p)
{
	char	 path[ADDR_PATH_MAX];

	if (addr_path(path, sizeof(path), &pb->pb_to, p) == -1)
		return;
	buf_printf(b, "%s %s ", type, path);
	if (pb->pb_text != NULL)
		buf_add(b, pb->pb_text, pb->pb_len);
	else {
		utf8_escape(b, pb->pb_to.at_name, strlen(pb->pb_to.at_name));
		if (pb->pb_to.at_is_dir)
			buf_addc(b, '/');
	}
	buf_addc(b, '\n');
}

static void
link(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	gemtext_link_line(b, pb, "=>", ADDR_GEMINI);
}

static void
blank(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	buf_addc(b, '\n');
}

/* The blocks of gemtext, its links written by link_fn. */
#define GEMTEXT_BLOCKS(para_fn, text_fn, link_fn) {			\
	[PAGE_TITLE] =		title,					\
	[PAGE_HEADING] =	heading,				\
	[PAGE_PARA] =		para_fn,				\
	[PAGE_TEXT] =		text_fn,				\
	[PAGE_LINE] =		text_fn,				\
	[PAGE_GEMTEXT] =	raw,					\
	[PAGE_LINK] =		link_fn,				\
	[PAGE_PENDING] =	text_fn,				\
	[PAGE_BREAK] =		blank,					\
}

const struct render_ops gemtext_ops = {
	.ro_medium = PAGE_HYPERTEXT,
	.ro_proto = ADDR_GEMINI,
	.ro_block = GEMTEXT_BLOCKS(para, text, link),
};

/*
 * Spartan's gemtext: one more line type, "=: URL label", a link whose
 * reader is asked for text to send as the request's data.  The search
 * is such a link; a line of text starting "=:" gets a space like the
 * other line types (the author's own gemtext, index.gmi, may use it).
 * The pages with a search link (home, search) are written so; articles
 * are Gemini's bytes, cached once, in which a paragraph that starts
 * "=:" stays as it is (capsuled(8), SPARTAN).
 */
static void
spartan_link(struct buf *b, const struct page_block *pb,
    const struct site *site)
{
	(void)site;
	gemtext_link_line(b, pb, pb->pb_to.at_kind == ADDR_TO_SEARCH ? "=:" :
	    "=>", ADDR_SPARTAN);
}

/* Block pb written by fn, with a space first if it would start "=:". */
static void
spartan_line(render_block_fn *fn, struct buf *b, const struct page_block *pb,
    const struct site *site)
{
	if (strncmp(pb->pb_text, "=:", 2) == 0)
		buf_addc(b, ' ');
	fn(b, pb, site);
}

static void
spartan_para(struct buf *b, const struct page_block *pb,
    const struct site *site)
{
	spartan_line(para, b, pb, site);
}

static void
spartan_text(struct buf *b, const struct page_block *pb,
    const struct site *site)
{
	spartan_line(text, b, pb, site);
}

const struct render_ops spartan_ops = {
	.ro_medium = PAGE_HYPERTEXT,
	.ro_proto = ADDR_SPARTAN,
	.ro_block = GEMTEXT_BLOCKS(spartan_para, spartan_text, spartan_link),
};

/*
 * Article a as capsuled(8) FORMAT renders it, without the similar
 * section (what `capsuled convert` prints): page_article in gemtext.
 */
int
gemtext_article(struct buf *b, const struct article *a,
    const struct catalog *c)
{
	struct cat_article	 self;	/* date and slug: not in gemtext */
	struct page		 p;

	memset(&self, 0, sizeof(self));
	self.ca_slug = "";
	page_init(&p);
	return render_built(b, &p, page_article(&p, a, c, &self, NULL, 0),
	    RENDER_GEMTEXT, NULL);
}
