/*
 * The HTML serialiser (html.h, render.h): one document per page, with
 * its head (title, language, stylesheet, alternate addresses), the
 * blocks in the hypertext medium, runs of links as lists, and a footer
 * naming the page over the other protocols served.
 */
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "gemtext.h"
#include "html.h"
#include "page.h"
#include "render.h"
#include "site.h"

static void
text(struct buf *b, const char *s)
{
	html_text(b, s, strlen(s));
}

/* An <a> to url (the caller checked it may be one), labelled s. */
static void
anchor(struct buf *b, const char *url, const char *s, size_t n)
{
	buf_adds(b, "<a href=\"");
	html_href(b, url, strlen(url));
	buf_adds(b, "\">");
	html_text(b, s, n);
	buf_adds(b, "</a>");
}

/* The page's title: its first TITLE block, else the site's. */
static const char *
title_of(const struct page *p, const struct site *site)
{
	size_t	 i;

	for (i = 0; i < p->pg_n; i++)
		if (p->pg_block[i].pb_type == PAGE_TITLE &&
		    (p->pg_block[i].pb_media & PAGE_IN(PAGE_HYPERTEXT)))
			return p->pg_block[i].pb_text;
	return site_title(site);
}

/* A language tag as article_valid_lang checked it, or the default. */
static const char *
lang_of(const struct page *p, const struct site *site)
{
	if (p->pg_lang != NULL)
		return p->pg_lang;
	return site->s_lang != NULL ? site->s_lang : HTML_LANG_DEFAULT;
}

/* <link rel="alternate"> to the page over Gemini, when it is served. */
static void
alternate(struct buf *b, const struct page *p, const struct site *site)
{
	char	 url[ADDR_URL_MAX];

	if (site->s_port[ADDR_GEMINI] == 0 || p->pg_self.at_kind ==
	    ADDR_TO_FILE || p->pg_self.at_kind == ADDR_TO_SEARCH)
		return;
	addr_url(url, sizeof(url), &p->pg_self, ADDR_GEMINI, site);
	buf_adds(b, "<link rel=\"alternate\" type=\"text/gemini\" href=\"");
	html_href(b, url, strlen(url));
	buf_adds(b, "\">\n");
}

static void
begin(struct buf *b, const struct page *p, const struct site *site)
{
	const char	*t = title_of(p, site);

	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	text(b, lang_of(p, site));
	buf_adds(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	text(b, t);
	if (strcmp(t, site_title(site)) != 0) {
		buf_adds(b, " \xE2\x80\x94 ");
		text(b, site_title(site));
	}
	buf_adds(b, "</title>\n<link rel=\"stylesheet\" href=\""
	    HTML_STYLE_PATH "\">\n<link rel=\"alternate\" "
	    "type=\"application/atom+xml\" title=\"Atom feed\" "
	    "href=\"/atom.xml\">\n");
	alternate(b, p, site);
	buf_adds(b, "</head>\n<body>\n");
	if (p->pg_self.at_kind != ADDR_TO_HOME) {
		buf_adds(b, "<header><nav><a href=\"/\">");
		text(b, site_title(site));
		buf_adds(b, "</a></nav></header>\n");
	}
	buf_adds(b, "<main>\n");
}

/* "Read this on Gemini, Gopher": the article over the others served. */
static void
close_page(struct buf *b, const struct page *p, const struct site *site)
{
	char	 url[ADDR_URL_MAX];
	size_t	 i;
	int	 n = 0;

	buf_adds(b, "</main>\n");
	for (i = 0; i < NUM_ADDR_PROTOS; i++) {
		if (i == ADDR_HTTP || site->s_port[i] == 0 ||
		    p->pg_self.at_kind != ADDR_TO_ARTICLE)
			continue;
		buf_adds(b, n++ == 0 ? "<footer><p>Read this on " : ", ");
		addr_url(url, sizeof(url), &p->pg_self, (enum addr_proto)i,
		    site);
		anchor(b, url, addr_proto_names[i],
		    strlen(addr_proto_names[i]));
	}
	if (n > 0)
		buf_adds(b, "</p></footer>\n");
	buf_adds(b, "</body>\n</html>\n");
}

/* The block's text as an element: open is its start tag, as written. */
static void
element(struct buf *b, const char *open, const struct page_block *pb)
{
	buf_adds(b, open);
	html_text(b, pb->pb_text, pb->pb_len);
	buf_printf(b, "</%.*s>\n", (int)strcspn(open + 1, " >"), open + 1);
}

static void
title(struct buf *b, const struct page_block *pb, const struct site *site)
{
	char	 date[ADDR_DATE_LEN];

	(void)site;
	element(b, "<h1>", pb);
	if (pb->pb_dated) {
		addr_date(date, pb->pb_date);
		buf_printf(b, "<p class=\"date\"><time datetime=\"%s\">%s"
		    "</time></p>\n", date, date);
	}
}

static void
heading(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	element(b, "<h2>", pb);
}

/* A paragraph, its URLs links (the ones gemtext makes link lines of). */
static void
para(struct buf *b, const struct page_block *pb, const struct site *site)
{
	const char	*s = pb->pb_text;
	size_t		 n = pb->pb_len, pos = 0, start, end, done = 0;

	(void)site;
	buf_adds(b, "<p>");
	while (gemtext_next_url(s, n, &pos, &start, &end)) {
		html_text(b, s + done, start - done);
		buf_adds(b, "<a href=\"");
		html_href(b, s + start, end - start);
		buf_adds(b, "\">");
		html_text(b, s + start, end - start);
		buf_adds(b, "</a>");
		done = end;
	}
	html_text(b, s + done, n - done);
	buf_adds(b, "</p>\n");
}

static void
line(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	element(b, pb->pb_type == PAGE_TEXT ? "<p class=\"snippet\">" : "<p>",
	    pb);
}

static void
gemtext(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	html_gemtext(b, pb->pb_text, pb->pb_len);
}

/* The search, in HTML a form that sends its words as ?q=. */
static void
search_form(struct buf *b, const struct page_block *pb)
{
	buf_adds(b, "<li><form action=\"/search\" method=\"get\" "
	    "role=\"search\"><label>");
	html_text(b, pb->pb_text, pb->pb_len);
	buf_adds(b, " <input type=\"search\" name=\"q\" maxlength=\"200\">"
	    "</label> <button type=\"submit\">Search</button></form></li>\n");
}

/*
 * An item of a list of links: a dated entry is its date and title, a
 * file its name ("/" after a directory's), the search a form.
 */
static void
link(struct buf *b, const struct page_block *pb, const struct site *site)
{
	char	 path[ADDR_PATH_MAX], date[ADDR_DATE_LEN];

	(void)site;
	if (pb->pb_to.at_kind == ADDR_TO_SEARCH) {
		search_form(b, pb);
		return;
	}
	addr_path(path, sizeof(path), &pb->pb_to, ADDR_HTTP);
	buf_adds(b, "<li>");
	if (pb->pb_dated) {
		addr_date(date, pb->pb_date);
		buf_printf(b, "<time datetime=\"%s\">%s</time> ", date, date);
		anchor(b, path, pb->pb_title, strlen(pb->pb_title));
	} else if (pb->pb_text != NULL)
		anchor(b, path, pb->pb_text, pb->pb_len);
	else {
		buf_adds(b, "<a href=\"");
		html_href(b, path, strlen(path));
		buf_adds(b, "\">");
		text(b, pb->pb_to.at_name);
		buf_adds(b, pb->pb_to.at_is_dir ? "/</a>" : "</a>");
	}
	buf_adds(b, "</li>\n");
}

static void
pending(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)site;
	element(b, "<li>", pb);
}

/* A break ends a run of links; it writes nothing itself. */
static void
blank(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)b;
	(void)pb;
	(void)site;
}

static void
list_open(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	buf_adds(b, "<ul>\n");
}

static void
list_close(struct buf *b, const struct page_block *pb, const struct site *site)
{
	(void)pb;
	(void)site;
	buf_adds(b, "</ul>\n");
}

const struct render_ops html_ops = {
	.ro_medium = PAGE_HYPERTEXT,
	.ro_proto = ADDR_HTTP,
	.ro_begin = begin,
	.ro_block = {
		[PAGE_TITLE] =		title,
		[PAGE_HEADING] =	heading,
		[PAGE_PARA] =		para,
		[PAGE_TEXT] =		line,
		[PAGE_LINE] =		line,
		[PAGE_GEMTEXT] =	gemtext,
		[PAGE_LINK] =		link,
		[PAGE_PENDING] =	pending,
		[PAGE_BREAK] =		blank,
	},
	.ro_close = close_page,
	.ro_group = (1u << PAGE_LINK) | (1u << PAGE_PENDING),
	.ro_group_open = list_open,
	.ro_group_close = list_close,
};
