#include <string.h>

#include "addr.h"
#include "buf.h"
#include "catalog.h"
#include "feed.h"
#include "page.h"
#include "render.h"
#include "site.h"

/* Pages of SITE_PAGE_SIZE articles in the full list (0 when empty). */
size_t
feed_npages(const struct catalog *c)
{
	return page_npages(c);
}

/* The home page in gemtext: page_home, with index.gmi (may be NULL). */
int
feed_home(struct buf *b, const struct catalog *c, const struct site *s,
    const char *intro, size_t introlen)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_home(&p, c, s, intro, introlen),
	    RENDER_GEMTEXT, s);
}

/* Page n (from 1) of the full list in gemtext; -1 if none. */
int
feed_page(struct buf *b, const struct catalog *c, size_t n,
    const struct site *s)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_list(&p, c, n, s), RENDER_GEMTEXT, s);
}

/*
 * Text for XML character data and attributes: the five markup
 * characters escaped, and U+FFFE/U+FFFF (not XML characters) dropped.
 * Cleaned text has no other character XML 1.0 forbids.
 */
void
feed_xml_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&apos;");
			break;
		default:
			if (strncmp(s, "\xEF\xBF\xBE", 3) == 0 ||
			    strncmp(s, "\xEF\xBF\xBF", 3) == 0)
				s += 2;
			else
				buf_addc(b, *s);
		}
	}
}

static void
element(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	feed_xml_escape(b, text);
	buf_printf(b, "</%s>\n", name);
}

/*
 * The Atom serialiser (RFC 4287): the feed's head, updated when its
 * first (newest) dated link was, then an entry per dated link.
 */
static void
atom_begin(struct buf *b, const struct page *p, const struct site *s)
{
	char	 base[ADDR_URL_MAX], when[ADDR_DATETIME_LEN];
	size_t	 i;

	for (i = 0; i < p->pg_n && !p->pg_block[i].pb_dated; i++)
		;
	addr_base(base, sizeof(base), ADDR_GEMINI, s);
	addr_datetime(when, i < p->pg_n ? p->pg_block[i].pb_date : 0);
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	element(b, "title", site_title(s));
	buf_adds(b, "<id>");
	feed_xml_escape(b, base);
	buf_adds(b, "/</id>\n<link rel=\"alternate\" href=\"");
	feed_xml_escape(b, base);
	buf_adds(b, "/\"/>\n<link rel=\"self\" href=\"");
	feed_xml_escape(b, base);
	buf_printf(b, "/atom.xml\"/>\n<updated>%s</updated>\n", when);
	buf_adds(b, "<author>\n");
	element(b, "name", site_title(s));
	buf_adds(b, "</author>\n");
}

static void
atom_entry(struct buf *b, const struct page_block *pb, const struct site *s)
{
	char	 url[ADDR_URL_MAX], when[ADDR_DATETIME_LEN];

	if (!pb->pb_dated ||
	    addr_url(url, sizeof(url), &pb->pb_to, ADDR_GEMINI, s) == -1)
		return;
	addr_datetime(when, pb->pb_date);
	buf_adds(b, "<entry>\n");
	element(b, "title", pb->pb_title);
	element(b, "id", url);
	buf_adds(b, "<link rel=\"alternate\" href=\"");
	feed_xml_escape(b, url);
	buf_printf(b, "\"/>\n<updated>%s</updated>\n</entry>\n", when);
}

static void
atom_end(struct buf *b, const struct page_block *pb, const struct site *s)
{
	(void)pb;
	(void)s;
	buf_adds(b, "</feed>\n");
}

const struct render_ops feed_atom_ops = {
	.ro_medium = PAGE_HYPERTEXT,
	.ro_proto = ADDR_GEMINI,
	.ro_begin = atom_begin,
	.ro_block = { [PAGE_LINK] = atom_entry },
	.ro_end = atom_end,
};

/* Atom 1.0 of the articles on the home page. */
int
feed_atom(struct buf *b, const struct catalog *c, const struct site *s)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_home(&p, c, s, NULL, 0), RENDER_ATOM,
	    s);
}
