/*
 * The Spartan adapter (proto.h): a request line "HOST PATH LENGTH" and
 * CRLF, then LENGTH bytes of data, over plain TCP; the answer is
 * "<status> <meta>\r\n" and, after 2 only, a body.  Pages are Gemini's
 * (gemini_proto.c), in gemtext at the same addresses, but for the search:
 *   /                        the home page, its search an "=: /search" line
 *   /search                  the articles that match the request's data
 *                            (UTF-8 text) or its query ("/search?words",
 *                            percent-encoded); without either, a page
 *                            offering the "=:" line
 *   /articles[/]             3 /
 *   /<name>.txt              3 to the article made from that file
 *   anything else            a file or directory of the capsule
 * Only /search takes data.  Outcomes become statuses by table: 2 (META
 * the media type), 3 (an absolute path), 4 (the client's: a bad request,
 * not found, a host not served here, too many connections) and 5 (ours).
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "feed.h"
#include "gemini.h"
#include "live.h"
#include "proto.h"
#include "respond.h"
#include "search.h"
#include "snapshot.h"
#include "spartan.h"

_Static_assert(SPARTAN_REQUEST_MAX <= sizeof(((struct exchange *)0)->x_req),
    "a whole Spartan request, its data included, fits in x_req");

/* Search words: the data or the query decoded, and a NUL. */
#define WORDS_MAX	(SPARTAN_DATA_MAX > GEMINI_URI_MAX ? \
			    SPARTAN_DATA_MAX : GEMINI_URI_MAX)

/* /search without words: a page offering the "=:" line. */
static void
prompt(struct response *r, const struct snapshot *s)
{
	if (search_spartan_prompt(&r->rs_body, &s->sn_site) == -1)
		response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
	else
		response_set(r, OUT_OK, "%s", GEMTEXT_TYPE);
}

static const char *const article_forms[] = { ".gmi", NULL };

static const struct pages spartan_pages = {
	.pg_forms = {
		.rf_article = article_forms,
		.rf_text = NULL,
		.rf_list = article_forms,
		.rf_feed = 1,
	},
	.pg_article = SNAP_GEMTEXT,	/* Gemini's bytes, cached once */
	.pg_text = SNAP_GEMTEXT,
	.pg_home = SNAP_SPARTAN_HOME,
	.pg_list = feed_page,
	.pg_search = search_spartan,
	.pg_prompt = prompt,
	.pg_dir = gemini_listing,
	.pg_index = "index.gmi",
	.pg_index_page = NULL,		/* served as the file it is */
	.pg_typed = 1,
};

/* The status of each outcome (the words are response_frame's). */
static const struct status_line statuses = {
	.sl_code = {
		[OUT_NONE] =		5,
		[OUT_OK] =		2,
		[OUT_INPUT] =		5,	/* never: the prompt is a page */
		[OUT_REDIRECT] =	3,	/* an absolute path */
		[OUT_NOT_FOUND] =	4,
		[OUT_UNAVAILABLE] =	5,
		[OUT_BAD_REQUEST] =	4,
		[OUT_REFUSED] =		4,
		[OUT_SLOW_DOWN] =	4,
	},
	.sl_ok = 2,
	.sl_header = spartan_header,
};

/*
 * The virtual host a request names (any of its names, as Gemini's), or
 * NULL.  A port, if the host carries one, is checked against the host's
 * own Spartan port afterwards.
 */
static const struct vhost *
vhost_of(const struct hosts *h, const struct gemini_request *u)
{
	size_t	 i;

	for (i = 0; i < h->ho_n; i++)
		if (gemini_host_ok(u, h->ho_vh[i].vh_names, u->gr_port))
			return &h->ho_vh[i];
	return NULL;
}

/*
 * The search words: the data as it is (UTF-8 text), or the query
 * percent-decoded; NULL for none, RESPOND_BAD_QUERY for bytes that
 * cannot be text.
 */
static const char *
words(const struct spartan_request *q, char *text)
{
	if (q->sr_datalen > 0) {
		if (memchr(q->sr_data, '\0', q->sr_datalen) != NULL)
			return RESPOND_BAD_QUERY;
		memcpy(text, q->sr_data, q->sr_datalen);
		text[q->sr_datalen] = '\0';
		return text;
	}
	if (!q->sr_url.gr_has_query)
		return NULL;
	return gemini_query_text(&q->sr_url, text) == -1 ?
	    RESPOND_BAD_QUERY : text;
}

/* Data only for the search, and not besides a query. */
static int
data_ok(const struct spartan_request *q, struct response *r)
{
	struct addr_target	 search = { .at_kind = ADDR_TO_SEARCH };
	char			 path[ADDR_SELECTOR_MAX];

	if (q->sr_datalen == 0)
		return 1;
	addr_path(path, sizeof(path), &search, ADDR_SPARTAN);
	if (strcmp(q->sr_url.gr_path, path) != 0)
		response_set(r, OUT_BAD_REQUEST, "Bad request: data sent to "
		    "a page that takes none (only %s does)", path);
	else if (q->sr_url.gr_has_query)
		response_set(r, OUT_BAD_REQUEST, "Bad request: both a query "
		    "and data");
	else
		return 1;
	return 0;
}

/* Decide the answer to the request in x_req[0 .. len). */
static void
answer(struct exchange *x, enum scan sc, size_t len, struct request_ctx *rc)
{
	struct response		*r = &x->x_resp;
	const struct vhost	*vh;
	struct spartan_request	 q;
	char			 text[WORDS_MAX + 1];
	const char		*errstr;
	unsigned		 port;

	if (sc == SCAN_TOOLONG) {
		response_set(r, OUT_BAD_REQUEST, "Bad request: request line "
		    "longer than %d bytes", SPARTAN_LINE_MAX);
		return;
	}
	if (spartan_parse(x->x_req, len, &q, &errstr) == -1) {
		x->x_linelen = q.sr_linelen;
		response_set(r, OUT_BAD_REQUEST, "Bad request: %s", errstr);
		return;
	}
	x->x_linelen = q.sr_linelen;	/* the log shows the line, no data */
	snprintf(x->x_host, sizeof(x->x_host), "%s", q.sr_url.gr_host);
	if (rc->rc_over) {
		response_fail(r, OUT_SLOW_DOWN, REASON_NONE);
		return;
	}
	if ((vh = vhost_of(&rc->rc_hosts, &q.sr_url)) == NULL) {
		response_set(r, OUT_REFUSED, "Host not served here");
		return;
	}
	rc->rc_snap = live_acquire(vh->vh_live);
	port = rc->rc_snap->sn_site.s_port[ADDR_SPARTAN];
	if (q.sr_url.gr_port != -1 && (unsigned)q.sr_url.gr_port != port)
		response_set(r, OUT_REFUSED, "Port not served here: the "
		    "host's Spartan port is %u", port);
	else if (data_ok(&q, r))
		respond(&spartan_pages, rc->rc_snap, rc->rc_mime,
		    q.sr_url.gr_path, words(&q, text), r);
}

void
spartan_respond(struct exchange *x, enum scan sc, size_t len,
    struct request_ctx *rc)
{
	answer(x, sc, len, rc);
	response_frame(&x->x_resp, &statuses, "", x->x_head,
	    sizeof(x->x_head));
}

enum scan
spartan_scan(const char *buf, size_t n, int eof, size_t *len)
{
	switch (spartan_request_end(buf, n, len)) {
	case SPARTAN_TLS:
		return SCAN_CLOSE;
	case SPARTAN_TOOLONG:
		*len = SPARTAN_LINE_MAX;
		return SCAN_TOOLONG;
	case SPARTAN_MORE:
		if (!eof)
			return SCAN_MORE;
		/* a client that half-closes has said all it will: a 4 */
		*len = n;
		return SCAN_LINE;
	default:
		return SCAN_LINE;
	}
}
