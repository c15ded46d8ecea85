/*
 * The Gemini adapter (proto.h): a request line is an absolute URI and
 * CRLF; the answer is "<status> <meta>\r\n" and, after 20 only, a body.
 * Pages are gemtext at these addresses (router.h):
 *   /                        home page (gemfeed), /articles[/] 31 to /
 *   /articles/<slug>.gmi     an article, /articles/page/<n>.gmi the list
 *   /atom.xml                the Atom feed
 *   /search                  10 (input) without a query; with one, the
 *                            articles that match it
 *   /robots.txt ...          a well-known file (wellknown.h), text/plain
 *   /<name>.txt              31 to the article made from that file; its
 *                            source (text/plain) for an author's
 *                            certificate, to edit and upload (Titan)
 *   anything else            a file or directory of the capsule
 * Outcomes become statuses by table: only 10, 20, 31, 40, 44, 51, 53 and
 * 59 are ever sent.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "feed.h"
#include "gemini.h"
#include "live.h"
#include "proto.h"
#include "respond.h"
#include "search.h"
#include "snapshot.h"
#include "titan.h"
#include "utf8.h"

/*
 * A generated listing of the directory fd, shown at path: the entries
 * respond.c reads for every protocol, as the page model lists them.
 */
void
gemini_listing(struct response *r, struct snapshot *s, struct mime *m, int fd,
    const char *path)
{
	struct respond_dir	 d;
	struct page		 p;

	(void)m;
	page_init(&p);		/* render_built frees it */
	if (respond_dir_read(s, fd, &d) == -1 || render_built(&r->rs_body, &p,
	    page_listing(&p, path, d.rd_entry, d.rd_n), RENDER_GEMTEXT,
	    &s->sn_site) == -1)
		response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
	else
		response_set(r, OUT_OK, "%s", GEMTEXT_TYPE);
	respond_dir_free(&d);
}

/* /search without words: ask for them. */
static void
prompt(struct response *r, const struct snapshot *s)
{
	(void)s;
	response_set(r, OUT_INPUT, "Search the articles");
}

static int
search_page(struct buf *b, const struct catalog *c, const char *text,
    const struct search_hit *hits, size_t n, const struct site *site)
{
	(void)site;
	return search_gemtext(b, c, text, hits, n);
}

static const char *const article_forms[] = { ".gmi", NULL };

static const struct pages gemini_pages = {
	.pg_forms = {
		.rf_article = article_forms,
		.rf_text = NULL,
		.rf_list = article_forms,
		.rf_feed = 1,
		.rf_proto = ADDR_GEMINI,
	},
	.pg_article = SNAP_GEMTEXT,
	.pg_text = SNAP_GEMTEXT,
	.pg_home = SNAP_HOME,
	.pg_list = feed_page,
	.pg_search = search_page,
	.pg_prompt = prompt,
	.pg_dir = gemini_listing,
	.pg_index = "index.gmi",
	.pg_index_page = NULL,		/* served as the file it is */
	.pg_typed = 1,
};

_Static_assert(GEMINI_META_MAX == RESPONSE_META_MAX,
    "response_frame keeps a redirect's URL within GEMINI_META_MAX");

/* The status of each outcome (the words are response_frame's). */
static const struct status_line statuses = {
	.sl_code = {
		[OUT_NONE] =		40,
		[OUT_OK] =		20,
		[OUT_INPUT] =		10,
		[OUT_REDIRECT] =	31,
		[OUT_NOT_FOUND] =	51,
		[OUT_UNAVAILABLE] =	40,
		[OUT_BAD_REQUEST] =	59,
		[OUT_REFUSED] =		53,
		[OUT_SLOW_DOWN] =	44,
	},
	.sl_ok = 20,
	.sl_header = gemini_header,
};

/*
 * The status line of r in head; any body goes unless it is a 20.  A
 * redirect is to an absolute URL of the snapshot's host (51 when that
 * would be too long).
 */
static void
frame(struct response *r, const struct snapshot *s, char *head, size_t n)
{
	char	 base[ADDR_URL_MAX] = "";

	if (r->rs_outcome == OUT_REDIRECT)
		addr_base(base, sizeof(base), ADDR_GEMINI, &s->sn_site);
	response_frame(r, &statuses, base, head, n);
}

/* The virtual host a request is for, or NULL (then the answer is 53). */
const struct vhost *
gemini_vhost(const struct hosts *h, const struct gemini_request *q)
{
	size_t	 i;

	for (i = 0; i < h->ho_n; i++)
		if (gemini_host_ok(q, h->ho_vh[i].vh_names, h->ho_gemini_port))
			return &h->ho_vh[i];
	return NULL;
}

/* Decide the answer to a request line of len bytes. */
static void
answer(struct exchange *x, enum scan sc, size_t len, struct request_ctx *rc)
{
	struct response		*r = &x->x_resp;
	const struct vhost	*vh;
	struct gemini_request	 q;
	char			 text[GEMINI_URI_MAX + 1];
	const char		*errstr, *query = text;
	int			 s;

	if (sc == SCAN_TOOLONG) {
		response_set(r, OUT_BAD_REQUEST, "Bad request: request longer "
		    "than %d bytes", GEMINI_URI_MAX);
		return;
	}
	if (rc->rc_over) {
		response_fail(r, OUT_SLOW_DOWN, REASON_NONE);
		return;
	}
	if ((s = gemini_parse(x->x_req, len, &q, &errstr)) == 53) {
		response_set(r, OUT_REFUSED, "Proxy request refused: %s",
		    errstr);
		return;
	} else if (s != 0) {
		response_set(r, OUT_BAD_REQUEST, "Bad request: %s", errstr);
		return;
	}
	snprintf(x->x_host, sizeof(x->x_host), "%s", q.gr_host);
	if ((vh = gemini_vhost(&rc->rc_hosts, &q)) == NULL) {
		response_set(r, OUT_REFUSED, "Proxy request refused: host or "
		    "port not served here");
		return;
	}
	rc->rc_snap = live_acquire(vh->vh_live);
	if (!q.gr_has_query && titan_source(vh, rc->rc_peer_fp, rc->rc_snap,
	    q.gr_path, r))
		return;		/* an author's source, to edit */
	if (!q.gr_has_query)
		query = NULL;
	else if (gemini_query_text(&q, text) == -1)
		query = RESPOND_BAD_QUERY;
	respond(&gemini_pages, rc->rc_snap, rc->rc_mime, q.gr_path, query, r);
}

void
gemini_respond(struct exchange *x, enum scan sc, size_t len,
    struct request_ctx *rc)
{
	if (sc == SCAN_LINE && !rc->rc_over && titan_is_titan(x->x_req, len)) {
		titan_respond(x, len, rc);	/* frames its own answers */
		return;
	}
	answer(x, sc, len, rc);
	frame(&x->x_resp, rc->rc_snap, x->x_head, sizeof(x->x_head));
}

enum scan
gemini_scan(const char *buf, size_t n, int eof, size_t *len)
{
	(void)eof;	/* a request without its CRLF gets no answer */
	switch (gemini_request_end(buf, n, len)) {
	case GEMINI_LINE:
		return SCAN_LINE;
	case GEMINI_TOOLONG:
		*len = GEMINI_URI_MAX;
		return SCAN_TOOLONG;
	default:
		return SCAN_MORE;
	}
}
