/*
 * The HTTP adapter (proto.h): the HTML mirror.  A request head (http.h)
 * is answered with a status line and header fields, then the body but
 * for HEAD and 304; the connection stays open for the next request
 * unless either side says close (pr_keepalive, conn.c).  Pages are
 * HTML (html.h) at these addresses (router.h):
 *   /                        home page, /articles[/] 301 to /
 *   /articles/<slug>.html    an article, /articles/<slug> 301 to it,
 *                            /articles/<slug>.txt its plain text
 *   /articles/page/<n>.html  the full list
 *   /atom.xml                the Atom feed
 *   /search?q=words          the articles that match (a form without q)
 *   /style.css               the stylesheet of every page
 *   /<name>.txt              301 to the article made from that file
 *   *.gmi, index.gmi         gemtext of the capsule, as HTML
 *   anything else            a file (libmagic's type) or a directory
 * The Host field picks the virtual host (its names and aliases; the
 * port is not looked at); any other host is 421.  Outcomes become
 * statuses by table.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "html.h"
#include "http.h"
#include "live.h"
#include "page.h"
#include "proto.h"
#include "render.h"
#include "respond.h"
#include "snapshot.h"

#define HTML_TYPE	"text/html; charset=utf-8"
/* A capsule's gemtext file shown as HTML; a bigger one is sent as it is. */
#define GEMTEXT_PAGE_MAX	(1024 * 1024)
/* Words of a search, as the form sends them (respond.c checks them). */
#define QUERY_MAX	1024

/* A page made by render_built in r's body: served, or a 503. */
static void
page_response(struct response *r, int rendered)
{
	if (rendered == -1 || r->rs_body.b_failed)
		response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
	else
		response_set(r, OUT_OK, "%s", HTML_TYPE);
}

static int
list_page(struct buf *b, const struct catalog *c, size_t n,
    const struct site *s)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_list(&p, c, n, s), RENDER_HTML, s);
}

static int
search_page(struct buf *b, const struct catalog *c, const char *text,
    const struct search_hit *hits, size_t n, const struct site *site)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, page_search(&p, c, text, hits, n),
	    RENDER_HTML, site);
}

/* /search without words: a page with the form. */
static void
prompt(struct response *r, const struct snapshot *s)
{
	struct page	 p;

	page_init(&p);
	p.pg_self.at_kind = ADDR_TO_SEARCH;
	page_add(&p, PAGE_TITLE, PAGE_IN_ALL, "Search the articles");
	page_add_link(&p, ADDR_TO_SEARCH, PAGE_IN_ALL, "Words to look for");
	page_add_link(&p, ADDR_TO_HOME, PAGE_IN_ALL, "Home");
	page_response(r, render_built(&r->rs_body, &p, p.pg_failed ? -1 : 0,
	    RENDER_HTML, &s->sn_site));
}

/* A directory with no index.gmi: its listing. */
static void
listing(struct response *r, struct snapshot *s, struct mime *m, int fd,
    const char *path)
{
	struct respond_dir	 d;
	struct page		 p;

	(void)m;
	if (respond_dir_read(s, fd, &d) == -1) {
		response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
		return;
	}
	page_init(&p);
	page_response(r, render_built(&r->rs_body, &p, page_listing(&p, path,
	    d.rd_entry, d.rd_n), RENDER_HTML, &s->sn_site));
	respond_dir_free(&d);
}

/*
 * The title of a gemtext file: its first line when that is a level-1
 * heading (*skip: its bytes, then left out of the text), else its name.
 */
static const char *
gemtext_title(struct page *p, const char *s, size_t n, const char *path,
    size_t *skip)
{
	size_t	 len = strcspn(s, "\n"), k = 1;

	*skip = 0;
	if (n > 1 && s[0] == '#' && s[1] != '#') {
		if (len > n)
			len = n;
		*skip = len < n ? len + 1 : len;
		while (k < len && (s[k] == ' ' || s[k] == '\t'))
			k++;
		while (len > k && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len > k)
			return page_printf(p, "%.*s", (int)(len - k), s + k);
	}
	return strrchr(path, '/') != NULL && strrchr(path, '/')[1] != '\0' ?
	    strrchr(path, '/') + 1 : path;
}

/* A gemtext file of the capsule (fd, closed here) at path, as HTML. */
static void
gemtext_page(struct response *r, struct snapshot *s, int fd,
    const char *path)
{
	struct page		 p;
	struct page_block	*b;
	struct stat		 st;
	char			*data = NULL;
	size_t			 n = 0, skip;
	ssize_t			 got;

	if (fstat(fd, &st) == 0 && st.st_size > GEMTEXT_PAGE_MAX) {
		r->rs_fd = fd;
		r->rs_size = st.st_size;
		response_set(r, OUT_OK, "%s", "text/gemini; charset=utf-8");
		return;
	}
	if ((data = malloc(GEMTEXT_PAGE_MAX + 1)) != NULL)
		while (n < GEMTEXT_PAGE_MAX && (got = read(fd, data + n,
		    GEMTEXT_PAGE_MAX - n)) > 0)
			n += (size_t)got;
	close(fd);
	page_init(&p);
	p.pg_self.at_kind = ADDR_TO_FILE;
	p.pg_self.at_name = path;
	if (data != NULL) {
		data[n] = '\0';
		page_add(&p, PAGE_TITLE, PAGE_IN_ALL, gemtext_title(&p, data, n,
		    path, &skip));
		if ((b = page_add(&p, PAGE_GEMTEXT, PAGE_IN_ALL, "")) != NULL) {
			b->pb_text = data + skip;
			b->pb_len = n - skip;
		}
	}
	page_response(r, render_built(&r->rs_body, &p, data == NULL ||
	    p.pg_failed ? -1 : 0, RENDER_HTML, &s->sn_site));
	free(data);
}

static const char *const article_forms[] = { ".html", NULL };

static const struct pages http_pages = {
	.pg_forms = {
		.rf_article = article_forms,
		.rf_text = ".txt",
		.rf_list = article_forms,
		.rf_feed = 1,
		.rf_proto = ADDR_HTTP,
		.rf_alias = "",
	},
	.pg_article = SNAP_HTML,
	.pg_text = SNAP_GOPHER_TEXT,
	.pg_home = SNAP_HTML_HOME,
	.pg_list = list_page,
	.pg_search = search_page,
	.pg_prompt = prompt,
	.pg_dir = listing,
	.pg_index = "index.gmi",
	.pg_index_page = gemtext_page,
	.pg_typed = 1,
	.pg_type = HTML_TYPE,
	.pg_text_type = "text/plain; charset=utf-8",
	.pg_gemtext = gemtext_page,
};

/*
 * The answer to a request head of len bytes: its outcome in x_resp, and
 * in *status the HTTP status when the head itself decides it (0: the
 * outcome's).  *q is the request once parsed (hr_method set).
 */
static void
answer(struct exchange *x, enum scan sc, size_t len, struct request_ctx *rc,
    struct http_request *q, int *status)
{
	struct response		*r = &x->x_resp;
	const struct vhost	*vh = NULL;
	char			 words[QUERY_MAX + 1];
	const char		*errstr, *query = NULL;
	size_t			 i, k;

	memset(q, 0, sizeof(*q));
	q->hr_close = 1;
	q->hr_ims = -1;
	for (i = 0; i < len && x->x_req[i] != '\r' && x->x_req[i] != '\n';
	    i++)
		;
	x->x_linelen = i;	/* the first line, for the log */
	if (sc == SCAN_TOOLONG) {
		*status = 431;
		return;
	}
	if ((*status = http_parse(x->x_req, len, q, &errstr)) != 0) {
		q->hr_close = 1;
		return;
	}
	x->x_linelen = q->hr_linelen;
	snprintf(x->x_host, sizeof(x->x_host), "%s", q->hr_host);
	if (q->hr_method == HTTP_OTHER) {
		*status = 405;
		return;
	}
	if (rc->rc_over) {
		response_fail(r, OUT_SLOW_DOWN, REASON_NONE);
		q->hr_close = 1;
		return;
	}
	for (i = 0; i < rc->rc_hosts.ho_n && vh == NULL; i++)
		for (k = 0; rc->rc_hosts.ho_vh[i].vh_names[k] != NULL; k++)
			if (strcmp(q->hr_host, rc->rc_hosts.ho_vh[i].vh_names[k])
			    == 0 || (q->hr_host[0] == '\0' && i == 0))
				vh = &rc->rc_hosts.ho_vh[i];
	if (vh == NULL) {
		response_fail(r, OUT_REFUSED, REASON_NONE);
		return;
	}
	rc->rc_snap = live_acquire(vh->vh_live);
	if (strcmp(q->hr_path, HTML_STYLE_PATH) == 0) {
		r->rs_data = html_stylesheet;
		r->rs_len = html_stylesheet_len;
		response_set(r, OUT_OK, "text/css; charset=utf-8");
		return;
	}
	if (q->hr_has_query) {
		switch (http_query_param(q->hr_query, "q", words,
		    sizeof(words))) {
		case 1:
			query = words;
			break;
		case -1:
			query = RESPOND_BAD_QUERY;
			break;
		}
	}
	respond(&http_pages, rc->rc_snap, rc->rc_mime, q->hr_path, query, r);
}

/* Status line words, by status. */
static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 421: return "Misdirected Request";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 505: return "HTTP Version Not Supported";
	default: return "Service Unavailable";
	}
}

/* The status of each outcome (the head's own come from http_parse). */
static const int statuses[NUM_OUTCOMES] = {
	[OUT_NONE] = 503,
	[OUT_OK] = 200,
	[OUT_INPUT] = 200,
	[OUT_REDIRECT] = 301,
	[OUT_NOT_FOUND] = 404,
	[OUT_UNAVAILABLE] = 503,
	[OUT_BAD_REQUEST] = 400,
	[OUT_REFUSED] = 421,
	[OUT_SLOW_DOWN] = 429,
};

/* What a failure's page says, by status. */
static const char *
explain(int status)
{
	switch (status) {
	case 404: return "There is no page at this address.";
	case 405: return "Only GET and HEAD are served here.";
	case 421: return "This server does not serve that host name.";
	case 429: return "Too many connections from your address: try "
	    "again later.";
	case 503: return "The page is being updated: try again.";
	default: return "The request could not be read.";
	}
}

/* A failure's small page (served under the same policy as any). */
static void
error_page(struct response *r, int status)
{
	response_drop_body(r);
	buf_printf(&r->rs_body, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>%d %s</title>\n<link rel=\"stylesheet\" href=\""
	    HTML_STYLE_PATH "\">\n</head>\n<body>\n<main>\n<h1>%s</h1>\n"
	    "<p>%s</p>\n<p><a href=\"/\">Home</a></p>\n</main>\n</body>\n"
	    "</html>\n", status, reason_phrase(status), reason_phrase(status),
	    explain(status));
}

/*
 * A quoted entity tag of n bytes at p: 64 bits of a multiply-xorshift
 * hash, eight bytes at a time (a page's ETag is computed per request:
 * cheaper than keeping one per cached page).
 */
static void
etag_of(const char *p, size_t n, char *out, size_t outsz)
{
	uint64_t	 h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t		 i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	snprintf(out, outsz, "\"%016llx\"", (unsigned long long)h);
}

/* Today's Date field, made once a second per thread. */
static const char *
date_now(void)
{
	static _Thread_local char	 date[40];
	static _Thread_local time_t	 when = -1;
	time_t				 now = time(NULL);

	if (now != when) {
		http_date(date, sizeof(date), (int64_t)now);
		when = now;
	}
	return date;
}

/*
 * The validators of an OK body: an ETag from its bytes (a file: its
 * inode, size and time) and the time it last changed (a generated page:
 * when the snapshot was made, s may be NULL).  -1: no Last-Modified.
 */
static int64_t
validators(const struct response *r, const struct snapshot *s, char *etag,
    size_t n)
{
	struct stat	 st;

	if (r->rs_fd != -1 && fstat(r->rs_fd, &st) == 0) {
		snprintf(etag, n, "\"%llx-%llx-%llx\"",
		    (unsigned long long)st.st_ino,
		    (unsigned long long)st.st_size,
		    (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL +
		    (unsigned long long)st.st_mtim.tv_nsec);
		return (int64_t)st.st_mtime;
	}
	if (r->rs_data != NULL)
		etag_of(r->rs_data, r->rs_len, etag, n);
	else
		etag_of(r->rs_body.b_data, r->rs_body.b_len, etag, n);
	return r->rs_data == html_stylesheet || s == NULL ? -1 : s->sn_time;
}

/* Has the client the body already (RFC 9110, 13.2.2: INM first)? */
static int
not_modified(const struct http_request *q, const char *etag, int64_t lm)
{
	if (q->hr_has_inm)
		return http_etag_match(q->hr_inm, etag);
	return q->hr_ims != -1 && lm != -1 && lm <= q->hr_ims;
}

/* The size of the body decided. */
static size_t
body_size(const struct response *r)
{
	if (r->rs_fd != -1)
		return (size_t)r->rs_size;
	return r->rs_data != NULL ? r->rs_len : r->rs_body.b_len;
}

static void
field(char *head, size_t n, size_t *o, const char *name, const char *value)
{
	int	 k;

	if (*o < n && (k = snprintf(head + *o, n - *o, "%s: %s\r\n", name,
	    value)) > 0)
		*o += (size_t)k;
}

/*
 * The status line and header fields of the answer to q (status: the
 * head's own, else the outcome's) into x_head; the body goes but for a
 * 200 to a GET (a failure's page replaces it).
 */
static void
http_frame(struct exchange *x, const struct snapshot *s,
    const struct http_request *q, int status)
{
	struct response	*r = &x->x_resp;
	char		 etag[64] = "", lm[40] = "", len[32];
	char		 loc[RESPONSE_META_MAX * 3 + 1];
	size_t		 o = 0, n = sizeof(x->x_head);
	int64_t		 t = -1;

	if (status == 0)
		status = statuses[r->rs_outcome];
	if (status == 200) {
		t = validators(r, s, etag, sizeof(etag));
		if (t != -1)
			http_date(lm, sizeof(lm), t);
		if (not_modified(q, etag, t))
			status = 304;
	} else if (status != 301)
		error_page(r, status);
	r->rs_status = status;
	if (status == 301 || status == 304)
		response_drop_body(r);
	o = (size_t)snprintf(x->x_head, n, "HTTP/1.1 %d %s\r\n", status,
	    reason_phrase(status));
	field(x->x_head, n, &o, "Date", date_now());
	if (status != 304) {
		field(x->x_head, n, &o, "Content-Type", status == 200 ?
		    r->rs_meta : HTML_TYPE);
		snprintf(len, sizeof(len), "%zu", body_size(r));
		field(x->x_head, n, &o, "Content-Length", len);
	}
	if (lm[0] != '\0')
		field(x->x_head, n, &o, "Last-Modified", lm);
	if (etag[0] != '\0')
		field(x->x_head, n, &o, "ETag", etag);
	field(x->x_head, n, &o, "Cache-Control", r->rs_data == html_stylesheet ?
	    "max-age=86400" : "no-cache");
	field(x->x_head, n, &o, "Content-Security-Policy", HTML_CSP);
	field(x->x_head, n, &o, "X-Content-Type-Options", "nosniff");
	field(x->x_head, n, &o, "Referrer-Policy", "no-referrer");
	if (status == 301) {
		addr_pct_encode(r->rs_meta, strlen(r->rs_meta), ADDR_PATH_CHARS,
		    loc, sizeof(loc));
		field(x->x_head, n, &o, "Location", loc);
	}
	if (status == 405)
		field(x->x_head, n, &o, "Allow", "GET, HEAD");
	if (status == 429 || status == 503)
		field(x->x_head, n, &o, "Retry-After", "1");
	x->x_keep = !q->hr_close && status != 400 && status != 429;
	if (!x->x_keep)
		field(x->x_head, n, &o, "Connection", "close");
	else if (q->hr_minor == 0)
		field(x->x_head, n, &o, "Connection", "keep-alive");
	if (o + 3 > n) {	/* cannot be: the fields are bounded */
		snprintf(x->x_head, n, "HTTP/1.1 503 Service Unavailable\r\n"
		    "Connection: close\r\n\r\n");
		response_drop_body(r);
		x->x_keep = 0;
		return;
	}
	memcpy(x->x_head + o, "\r\n", 3);
	if (q->hr_method == HTTP_HEAD)
		response_drop_body(r);
}

void
http_respond(struct exchange *x, enum scan sc, size_t len,
    struct request_ctx *rc)
{
	struct http_request	 q;
	int			 status;

	x->x_used = len;
	answer(x, sc, len, rc, &q, &status);
	q.hr_close |= rc->rc_last;
	http_frame(x, rc->rc_snap, &q, status);
}

/*
 * Where a head ends.  A TLS ClientHello (https:// to this plain port)
 * gets no answer: it could not read one.
 */
enum scan
http_scan(const char *buf, size_t n, int eof, size_t *len)
{
	(void)eof;	/* a head cut short gets no answer */
	if (n > 0 && buf[0] == 0x16)
		return SCAN_CLOSE;
	switch (http_request_end(buf, n, len)) {
	case HTTP_COMPLETE:
		return SCAN_LINE;
	case HTTP_TOOLONG:
		*len = n;
		return SCAN_TOOLONG;
	default:
		return SCAN_MORE;
	}
}
