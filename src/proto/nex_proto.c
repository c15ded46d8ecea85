/*
 * The Nex adapter (proto.h): a request is a path and LF (or CR LF); the
 * answer is the document alone, no status and no header, and the
 * connection closed.  A path that ends in "/" is a directory (text and
 * "=> URL label" lines, nex_render.h).  Pages (router.h) are at:
 *   /                          the home directory: title, newest articles
 *   /articles[/]               the home directory too (Nex has no
 *                              redirect: it is followed here)
 *   /articles/<slug>/          an article as a directory, <slug>.txt its
 *                              plain text (Gopher's type-0 text)
 *   /articles/page/<n>/        the full list, page n
 *   anything else              a file as it is; a directory as its
 *                              index.gmi (gemtext links are Nex links),
 *                              else a generated directory
 * Nex has no search and no feed.  Everything not served gets one fixed
 * line of text, never a byte of the request, and the close.  Requests
 * name no host: the Nex listeners serve Gopher's virtual host.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "live.h"
#include "nex.h"
#include "nex_render.h"
#include "proto.h"
#include "respond.h"
#include "snapshot.h"

/* rs_status: Nex has none; what the access line tells apart. */
enum {
	NEX_DOCUMENT = 1,	/* a page, a file: "ok" */
	NEX_ERROR,		/* one of the messages below: "error" */
};

/* The one line a failure gets instead of a document. */
static void
nex_error(struct response *r, const char *msg)
{
	response_drop_body(r);
	r->rs_status = NEX_ERROR;
	buf_printf(&r->rs_body, "%s\n", msg);
}

/* A capsule directory without index.gmi: its entries as a directory. */
static void
listing(struct response *r, struct snapshot *s, struct mime *m, int fd,
    const char *path)
{
	struct respond_dir	 d;

	(void)m;
	if (respond_dir_read(s, fd, &d) == -1 ||
	    nex_listing(&r->rs_body, path, d.rd_entry, d.rd_n,
	    &s->sn_site) == -1)
		response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
	else
		response_set(r, OUT_OK, "%s", "");
	respond_dir_free(&d);
}

static const char *const dir_forms[] = { "/", NULL };

static const struct pages nex_pages = {
	.pg_forms = {
		.rf_article = dir_forms,
		.rf_text = ".txt",
		.rf_list = dir_forms,
		.rf_feed = 0,
		.rf_proto = ADDR_NEX,	/* no /search */
	},
	.pg_article = SNAP_NEX_DIR,
	.pg_text = SNAP_NEX_TEXT,
	.pg_home = SNAP_NEX_HOME,
	.pg_list = nex_list_page,
	.pg_search = NULL,
	.pg_prompt = NULL,
	.pg_dir = listing,
	.pg_index = "index.gmi",
	.pg_index_page = NULL,		/* served as the file it is */
	.pg_typed = 0,
};

/* The message of each failure, and of each reason. */
static const char *const failures[NUM_OUTCOMES] = {
	[OUT_NONE] = "Temporary failure: try again",
	[OUT_NOT_FOUND] = "Not found",
	[OUT_UNAVAILABLE] = "Temporary failure: try again",
	[OUT_BAD_REQUEST] = "Bad request",
	[OUT_REFUSED] = "Not found",
	[OUT_SLOW_DOWN] = "Too many connections from your address",
};

static const char *const reasons[NUM_REASONS] = {
	[REASON_UPDATING] = "The article is being updated: try again",
	[REASON_SOURCE] = "Not found: this is an article's source file; the "
	    "articles are listed at /",
	[REASON_NO_MEMORY] = "Temporary failure: try again",
};

/* A directory of the capsule named without its "/" (path + "/"). */
static int
slash_only(const char *path, const char *to)
{
	size_t	 n = strlen(path);

	return strlen(to) == n + 1 && strncmp(path, to, n) == 0 &&
	    to[n] == '/';
}

/*
 * r as Nex says it: a document, or the one line of a failure.  Nex
 * cannot redirect: a redirect is followed once here (/articles to the
 * home directory), except from an article's source file, and to a
 * directory from its name without the "/" (a client would show the
 * listing as text, and resolve its relative links against the wrong
 * directory): those are failures.
 */
static void
frame(struct response *r, const struct request_ctx *rc, const char *path,
    int follow)
{
	char		 to[RESPONSE_META_MAX + 1];
	const char	*msg;

	if (r->rs_outcome == OUT_OK) {
		r->rs_status = NEX_DOCUMENT;
		return;
	}
	if (r->rs_outcome == OUT_REDIRECT && r->rs_reason == REASON_NONE) {
		if (slash_only(path, r->rs_meta)) {
			nex_error(r, "Not found: a directory's path ends "
			    "with \"/\"");
			return;
		}
		if (follow) {
			snprintf(to, sizeof(to), "%s", r->rs_meta);
			response_drop_body(r);
			response_set(r, OUT_NONE, "%s", "");
			respond(&nex_pages, rc->rc_snap, rc->rc_mime, to, NULL,
			    r);
			frame(r, rc, to, 0);
			return;
		}
	}
	if ((msg = reasons[r->rs_reason]) == NULL &&
	    (msg = failures[r->rs_outcome]) == NULL)
		msg = "Not found";	/* a second redirect */
	nex_error(r, msg);
}

void
nex_respond(struct exchange *x, enum scan sc, size_t len,
    struct request_ctx *rc)
{
	const struct hosts	*h = &rc->rc_hosts;
	struct response		*r = &x->x_resp;
	struct nex_request	 q;
	const char		*errstr;

	x->x_head[0] = '\0';	/* no header: the document alone */
	rc->rc_snap = live_acquire(h->ho_vh[h->ho_gopher].vh_live);
	if (sc == SCAN_TOOLONG)
		errstr = NEX_TOOLONG_MSG;
	else if (nex_parse(x->x_req, len, &q, &errstr) == 0) {
		respond(&nex_pages, rc->rc_snap, rc->rc_mime, q.nq_path, NULL,
		    r);
		frame(r, rc, q.nq_path, 1);
		return;
	}
	r->rs_outcome = OUT_BAD_REQUEST;
	nex_error(r, errstr);
}

enum scan
nex_scan(const char *buf, size_t n, int eof, size_t *len)
{
	switch (nex_request_end(buf, n, len)) {
	case NEX_TLS:
		return SCAN_CLOSE;
	case NEX_LINE:
		return SCAN_LINE;
	case NEX_TOOLONG:
		*len = NEX_LINE_MAX;
		return SCAN_TOOLONG;
	default:
		/* a client that half-closes has said all it will */
		return eof ? SCAN_LINE : SCAN_MORE;
	}
}

/* Nex has no status: what the client got, a document or a message. */
void
nex_outcome(const struct response *r, char *out, size_t n)
{
	snprintf(out, n, "%s", r->rs_status == NEX_DOCUMENT ? "ok" : "error");
}
