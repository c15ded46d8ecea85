/*
 * The Gopher adapter (proto.h), RFC 1436: a selector line (a TAB starts
 * search words) answered with a menu, a text or a file, and the
 * connection closed.  Pages (router.h) are at:
 *   /                          root menu: the capsule title, newest articles
 *   /articles[/]               the root menu too (Gopher has no redirect:
 *                              a redirect is followed here)
 *   /articles/<slug>/          an article's menu, <slug>.txt its text
 *   /articles/page/<n>/        the full list, page n
 *   /caps.txt                  server capabilities
 *   /search TAB words          a menu of the articles that match them (a
 *                              type-7 item); without words, that item
 *   URL:<url>                  an HTML page that sends a browser there
 *   anything else              a file, or a directory as a menu
 * Everything not served gets the type-3 error menu.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "gopher.h"
#include "gopher_render.h"
#include "live.h"
#include "mime.h"
#include "proto.h"
#include "respond.h"
#include "search.h"
#include "snapshot.h"
#include "source.h"
#include "utf8.h"

/* Entries of a generated directory menu, and lines of a gophermap. */
#define MENU_MAX	10000

/* 3<message>\t\terror.host\t1 and the terminator, nothing else. */
void
gopher_error(struct response *r, const char *msg)
{
	response_drop_body(r);
	r->rs_outcome = OUT_NOT_FOUND;
	r->rs_status = 3;
	buf_printf(&r->rs_body, "3%s\t\terror.host\t1\r\n.\r\n", msg);
}

/* A menu or text made here: served, unless memory ran out. */
static void
served(struct response *r)
{
	if (r->rs_body.b_failed)
		gopher_error(r, "Temporary failure");
	else {
		r->rs_outcome = OUT_OK;
		r->rs_status = 20;
	}
}

/* Media type to Gopher item type, by table. */
static const struct {
	const char	*prefix;
	char		 type;
} types[] = {
	{ "text/html",		'h' },
	{ "text/",		'0' },
	{ "image/gif",		'g' },
	{ "image/",		'I' },
	{ "audio/",		's' },
	{ "application/pdf",	'd' },
	{ "application/xml",	'0' },
	{ "application/json",	'0' },
	{ "application/atom+xml", '0' },
};

char
gopher_type(const char *mimetype, int isdir)
{
	size_t	 i;

	if (isdir)
		return '1';
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(mimetype, types[i].prefix,
		    strlen(types[i].prefix)) == 0)
			return types[i].type;
	return '9';
}

/* Names that can be selectors as they are: no space, "%", "#", "?". */
static int
safe_name(const char *s)
{
	return s[0] != '.' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~,+=@-") == strlen(s);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One item of a generated menu: its type from the file itself. */
static void
dir_item(struct buf *b, int dfd, const char *dir, const char *name,
    struct snapshot *s, struct mime *m)
{
	char		 type[MIME_MAX] = "", sel[GOPHER_LINE_MAX + 2];
	const char	*errstr;
	struct stat	 st;
	int		 fd;

	if ((fd = snapshot_open(s, dfd, name, O_RDONLY, &errstr)) == -1)
		return;
	if (fstat(fd, &st) == 0 && (S_ISDIR(st.st_mode) ||
	    S_ISREG(st.st_mode))) {
		if (S_ISREG(st.st_mode))
			mime_of(m, name, fd, type, sizeof(type));
		snprintf(sel, sizeof(sel), "%s%s%s", dir, name,
		    S_ISDIR(st.st_mode) ? "/" : "");
		gopher_item(b, gopher_type(type, S_ISDIR(st.st_mode)), name,
		    sel, &s->sn_site);
	}
	close(fd);
}

/* A generated menu of directory dfd, shown at dir ("/a/b/"). */
static void
dir_menu(struct response *r, struct snapshot *s, struct mime *m, int dfd,
    const char *dir)
{
	struct buf	*b = &r->rs_body;
	struct dirent	*de;
	DIR		*dp;
	char		**names = NULL, **p;
	size_t		 n = 0, cap = 0, i;
	int		 fd;

	if ((fd = dup(dfd)) == -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		gopher_error(r, "Temporary failure");
		return;
	}
	while ((de = readdir(dp)) != NULL && n < MENU_MAX) {
		if (!safe_name(de->d_name) || strcmp(de->d_name,
		    "gophermap") == 0)
			continue;
		if (n == cap) {
			if ((p = reallocarray(names, cap ? cap * 2 : 64,
			    sizeof(*p))) == NULL)
				break;
			names = p;
			cap = cap ? cap * 2 : 64;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	gopher_info(b, dir, strlen(dir));
	gopher_info(b, "", 0);
	for (i = 0; i < n; i++) {
		dir_item(b, dfd, dir, names[i], s, m);
		free(names[i]);
	}
	free(names);
	buf_adds(b, ".\r\n");
	served(r);
}

/* Longest gophermap read. */
#define GOPHERMAP_MAX	(64 * 1024)

/*
 * One line of a gophermap (Bucktooth/Gophernicus style): a line without
 * TAB is an info line; "#" starts a comment; otherwise
 * Tdisplay TAB selector TAB host TAB port, where an empty selector is
 * the display string, a relative one is taken from dir, and a missing
 * host or port is ours.  Control characters are deleted from every field.
 */
static void
map_line(struct buf *b, const char *l, size_t n, const char *dir,
    const struct site *site)
{
	char		 f[4][GOPHER_LINE_MAX + 1], sel[GOPHER_LINE_MAX * 5];
	char		 port[8];
	size_t		 k = 0, i, start = 0, len;
	const char	*disp;
	int		 ours;

	if (n > 0 && l[0] == '#')
		return;
	memset(f, 0, sizeof(f));
	for (i = 0; i <= n && k < 4; i++) {
		if (i < n && l[i] != '\t')
			continue;
		len = i - start < GOPHER_LINE_MAX ? i - start : GOPHER_LINE_MAX;
		memcpy(f[k], l + start, len);
		f[k][source_strip_controls(f[k], len)] = '\0';
		k++;
		start = i + 1;
	}
	if (k == 1 || f[0][0] == '\0') {
		gopher_info(b, f[0], strlen(f[0]));
		return;
	}
	if ((unsigned char)f[0][0] < 0x21 || (unsigned char)f[0][0] > 0x7e)
		return;
	disp = f[0] + 1;
	ours = f[2][0] == '\0' || strcmp(f[2], site->s_gopher_host) == 0;
	if (f[1][0] == '\0' && ours)
		snprintf(sel, sizeof(sel), "%.1100s%.1100s", dir, disp);
	else if (f[1][0] == '/' || f[1][0] == '\0' || !ours ||
	    strncmp(f[1], "URL:", 4) == 0)
		snprintf(sel, sizeof(sel), "%s", f[1]);
	else
		snprintf(sel, sizeof(sel), "%.1100s%.1100s", dir, f[1]);
	if (f[3][0] == '\0' || strspn(f[3], "0123456789") != strlen(f[3]) ||
	    strlen(f[3]) > 5)
		snprintf(port, sizeof(port), "%u", site->s_port[ADDR_GOPHER]);
	else
		snprintf(port, sizeof(port), "%s", f[3]);
	buf_addc(b, f[0][0]);
	buf_add(b, disp, utf8_cut(disp, strlen(disp), GOPHER_DISPLAY_MAX));
	buf_printf(b, "\t%s\t%s\t%s\r\n", sel, f[2][0] ? f[2] :
	    site->s_gopher_host, port);
}

/* A gophermap file (UTF-8, at most GOPHERMAP_MAX bytes) as a menu. */
static void
gophermap(struct response *r, struct snapshot *s, int fd, const char *dir)
{
	const char	*l, *nl, *end;
	char		*data;
	size_t		 len, lines = 0, n = 0;
	ssize_t		 got;

	if ((data = malloc(GOPHERMAP_MAX + 1)) == NULL) {
		close(fd);
		gopher_error(r, "Temporary failure");
		return;
	}
	while (n <= GOPHERMAP_MAX && (got = read(fd, data + n,
	    GOPHERMAP_MAX + 1 - n)) > 0)
		n += (size_t)got;
	close(fd);
	if (n > GOPHERMAP_MAX || !utf8_valid(data, n)) {
		free(data);
		gopher_error(r, "Bad gophermap");
		return;
	}
	end = data + n;
	for (l = data; l < end && lines < MENU_MAX; l = nl + 1, lines++) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			nl = end;
		len = (size_t)(nl - l);
		if (len > 0 && l[len - 1] == '\r')
			len--;
		if (len == 1 && l[0] == '.')
			break;
		map_line(&r->rs_body, l, len, dir, &s->sn_site);
	}
	free(data);
	buf_adds(&r->rs_body, ".\r\n");
	served(r);
}

/* Schemes a URL: selector may send a browser to. */
static const char *const url_schemes[] = {
	"http://", "https://", "gemini://", "gopher://", "ftp://", "mailto:",
};

/* A URL for HTML: "&" is the one markup character url_page lets through. */
static void
html_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '&')
			buf_adds(b, "&amp;");
		else
			buf_addc(b, *s);
}

/*
 * The HTML page a client gets for "URL:<url>" (a type h item it does not
 * follow itself).  Only plain URLs of known schemes: never javascript:.
 */
static void
url_page(const char *url, struct response *r)
{
	struct buf	*b = &r->rs_body;
	size_t		 i, n = strlen(url);

	for (i = 0; i < sizeof(url_schemes) / sizeof(url_schemes[0]); i++)
		if (strncasecmp(url, url_schemes[i], strlen(url_schemes[i])) ==
		    0)
			break;
	if (i == sizeof(url_schemes) / sizeof(url_schemes[0]) ||
	    strcspn(url, "\"'<>\\ `") != n || !utf8_valid(url, n)) {
		gopher_error(r, "Refused URL");
		return;
	}
	buf_adds(b, "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\">"
	    "\r\n<meta http-equiv=\"refresh\" content=\"2; URL=");
	html_escape(b, url);
	buf_adds(b, "\">\r\n<title>Redirect</title></head><body>\r\n"
	    "<p>You are following a link from Gopher to <a href=\"");
	html_escape(b, url);
	buf_adds(b, "\">");
	html_escape(b, url);
	buf_adds(b, "</a>.</p>\r\n</body></html>\r\n");
	served(r);
}

/* Cameron Kaiser's caps.txt, with the spec's spelling PathDelimeter. */
static void
caps(struct snapshot *s, struct response *r)
{
	(void)s;
	buf_adds(&r->rs_body, "CAPS\r\n\r\nCapsVersion=1\r\n"
	    "ExpireCapsAfter=3600\r\n\r\nPathDelimeter=/\r\nPathIdentity=.\r\n"
	    "PathParent=..\r\nPathParentDouble=FALSE\r\n"
	    "PathKeepPreDelimeter=FALSE\r\n\r\nServerDefaultEncoding=UTF-8\r\n"
	    "ServerSupportsStdinScripts=FALSE\r\n\r\nServerSoftware=capsuled\r\n");
	served(r);
}

/* A short HTTP answer for a browser that knocked on the Gopher port. */
static void
http_answer(struct snapshot *s, struct response *r)
{
	buf_printf(&r->rs_body, "HTTP/1.0 400 Bad Request\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
	    "\r\nThis is a Gopher server, not a web server: open "
	    "gopher://%s:%u/ with a Gopher client.\r\n",
	    s->sn_site.s_gopher_host, s->sn_site.s_port[ADDR_GOPHER]);
	r->rs_status = 400;
}

/* /search without words: the search item alone. */
static void
prompt(struct response *r, const struct snapshot *s)
{
	gopher_item(&r->rs_body, '7', "Search the articles", "/search",
	    &s->sn_site);
	buf_adds(&r->rs_body, ".\r\n");
	served(r);
}

static const char *const menu_forms[] = { "/", "", NULL };

static const struct pages gopher_pages = {
	.pg_forms = {
		.rf_article = menu_forms,
		.rf_text = ".txt",
		.rf_list = menu_forms,
		.rf_feed = 0,
		.rf_proto = ADDR_GOPHER,
	},
	.pg_article = SNAP_GOPHER_MENU,
	.pg_text = SNAP_GOPHER_TEXT,
	.pg_home = SNAP_GOPHER_ROOT,
	.pg_list = gopher_menu_page,
	.pg_search = search_gopher,
	.pg_prompt = prompt,
	.pg_dir = dir_menu,
	.pg_index = "gophermap",	/* a menu, never a file */
	.pg_index_page = gophermap,
	.pg_typed = 0,
};

/* The type-3 message of each failure, and of each reason. */
static const char *const failures[NUM_OUTCOMES] = {
	[OUT_NONE] = "Temporary failure",
	[OUT_NOT_FOUND] = "Not found",
	[OUT_UNAVAILABLE] = "Temporary failure",
	[OUT_BAD_REQUEST] = "Bad selector",
	[OUT_REFUSED] = "Not found",
	[OUT_SLOW_DOWN] = "Slow down",
};

static const char *const reasons[NUM_REASONS] = {
	[REASON_UPDATING] = "The article is being updated: try again",
	[REASON_NO_SEARCH] = "Temporary failure: search is not available",
	[REASON_BAD_QUERY] = "Search words must be UTF-8 text",
};

/*
 * r as Gopher says it: a failure is the type-3 menu; a redirect, which
 * Gopher cannot say, is followed once here, except to an article from
 * its source file, which is refused with a pointer to the menus.
 */
static void
frame(struct response *r, const struct request_ctx *rc, int follow)
{
	char	 path[RESPONSE_META_MAX + 1], msg[ADDR_SELECTOR_MAX + 64];
	char	 sel[ADDR_SELECTOR_MAX];

	if (r->rs_outcome == OUT_REDIRECT && r->rs_reason == REASON_SOURCE) {
		addr_selector(sel, sizeof(sel), "", "");
		snprintf(msg, sizeof(msg), "This is an article's source: see "
		    "its menu under %s", sel);
		gopher_error(r, msg);
	} else if (r->rs_outcome == OUT_REDIRECT && follow) {
		snprintf(path, sizeof(path), "%s", r->rs_meta);
		response_drop_body(r);
		response_set(r, OUT_NONE, "%s", "");
		respond(&gopher_pages, rc->rc_snap, rc->rc_mime, path, NULL, r);
		frame(r, rc, 0);
	} else if (r->rs_outcome == OUT_OK || r->rs_outcome == OUT_INPUT)
		r->rs_status = 20;
	else if (r->rs_status == 0)
		gopher_error(r, reasons[r->rs_reason] ? reasons[r->rs_reason] :
		    r->rs_meta[0] != '\0' ? r->rs_meta :
		    failures[r->rs_outcome] ? failures[r->rs_outcome] :
		    "Not found");
}

void
gopher_respond(struct exchange *x, enum scan sc, size_t len,
    struct request_ctx *rc)
{
	const struct hosts	*h = &rc->rc_hosts;
	struct response		*r = &x->x_resp;
	struct gopher_request	 q;
	const char		*errstr;

	x->x_head[0] = '\0';
	rc->rc_snap = live_acquire(h->ho_vh[h->ho_gopher].vh_live);
	if (sc == SCAN_TOOLONG) {
		gopher_error(r, "Request too long");
		return;
	}
	gopher_parse(x->x_req, len, &q, &errstr);
	switch (q.gq_kind) {
	case GQ_HTTP:
		http_answer(rc->rc_snap, r);
		return;
	case GQ_URL:
		url_page(q.gq_sel, r);
		return;
	case GQ_BAD:
		gopher_error(r, q.gq_err ? q.gq_err : "Bad selector");
		return;
	default:
		break;
	}
	if (strcmp(q.gq_sel, "/caps.txt") == 0)
		caps(rc->rc_snap, r);
	else {
		respond(&gopher_pages, rc->rc_snap, rc->rc_mime, q.gq_sel,
		    q.gq_has_query ? q.gq_query : NULL, r);
		frame(r, rc, 1);
	}
}

enum scan
gopher_scan(const char *buf, size_t n, int eof, size_t *len)
{
	*len = n;
	switch (gopher_request_end(buf, n, len)) {
	case GOPHER_TLS:
		return SCAN_CLOSE;
	case GOPHER_LINE:
		return SCAN_LINE;
	case GOPHER_TOOLONG:
		*len = GOPHER_LINE_MAX;
		return SCAN_TOOLONG;
	default:
		/* a client that half-closes has said all it will */
		return eof ? SCAN_LINE : SCAN_MORE;
	}
}

/* Gopher has no status: what the client got, a page or an error. */
void
gopher_outcome(const struct response *r, char *out, size_t n)
{
	snprintf(out, n, "%s", r->rs_status == 20 ? "ok" : "error");
}
