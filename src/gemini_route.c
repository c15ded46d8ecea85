/*
 * Routing a parsed Gemini request to a response, over a snapshot:
 *   /                        home page (gemfeed)
 *   /articles, /articles/    31 to /
 *   /articles/<slug>.gmi     an article
 *   /articles/page/<n>.gmi   the full list, page n
 *   /atom.xml                the Atom feed
 *   /search                  10 (input) without a query; with one, the
 *                            articles that match it
 *   /<name>.txt              31 to the article made from that file
 *   anything else            a file or directory of the capsule
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "capsule.h"
#include "catalog.h"
#include "feed.h"
#include "gemini.h"
#include "mime.h"
#include "search.h"
#include "snapshot.h"
#include "utf8.h"

/* Entries shown in a generated directory listing. */
#define LISTING_MAX	10000

void
response_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->rs_body);
	r->rs_fd = -1;
}

void
response_free(struct response *r)
{
	buf_free(&r->rs_body);
	if (r->rs_fd != -1)
		close(r->rs_fd);
	r->rs_fd = -1;
}

void
response_set(struct response *r, int status, const char *fmt, ...)
{
	va_list	 ap;

	r->rs_status = status;
	va_start(ap, fmt);
	vsnprintf(r->rs_meta, sizeof(r->rs_meta), fmt, ap);
	va_end(ap);
}

/* "NN META\r\n"; a failure status with no META is just "NN\r\n". */
int
gemini_header(const struct response *r, char *out, size_t n)
{
	int	 len;

	if (r->rs_meta[0] == '\0')
		len = snprintf(out, n, "%02d\r\n", r->rs_status);
	else
		len = snprintf(out, n, "%02d %s\r\n", r->rs_status, r->rs_meta);
	return len < 0 || (size_t)len >= n ? -1 : len;
}

/* Percent-encode a decoded path for a URL: "/a b/" -> "/a%20b/". */
static void
encode_path(const char *path, char *out, size_t n)
{
	gemini_pct_encode(path, strlen(path), "/-._~!$&'()*+,;=:@", out, n);
}

static void
redirect(struct response *r, const struct snapshot *s, const char *path)
{
	char	 base[ADDR_URL_MAX], enc[GEMINI_URI_MAX * 3 + 1];

	addr_gemini_base(base, sizeof(base), &s->sn_site);
	encode_path(path, enc, sizeof(enc));
	response_set(r, 31, "%s%s", base, enc);
	if (strlen(base) + strlen(enc) > GEMINI_META_MAX)
		response_set(r, 51, "Not found");
}

static void
not_found(struct response *r)
{
	response_set(r, 51, "Not found");
}

static void
gemtext_ok(struct response *r, const char *lang)
{
	if (lang != NULL)
		response_set(r, 20, "text/gemini; charset=utf-8; lang=%s", lang);
	else
		response_set(r, 20, "text/gemini; charset=utf-8");
}

static void
generated(struct response *r, int rendered, const char *type)
{
	if (rendered == -1 || (r->rs_data == NULL && r->rs_body.b_failed)) {
		buf_reset(&r->rs_body);
		r->rs_data = NULL;
		response_set(r, 40, "Temporary failure");
	} else
		response_set(r, 20, "%s", type);
}

/* A generated list of the host's articles: gemtext in the host's lang. */
static void
generated_list(struct response *r, int rendered, const char *lang)
{
	generated(r, rendered, "text/gemini; charset=utf-8");
	if (r->rs_status == 20)
		gemtext_ok(r, lang);
}

/* "<n>.gmi" with n a decimal number without leading zeros, else 0. */
static size_t
page_number(const char *s)
{
	size_t	 n = 0;

	if (*s < '1' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((n = n * 10 + (size_t)(*s - '0')) > 1000000000)
			return 0;
	return strcmp(s, ".gmi") == 0 ? n : 0;
}

static void
route_articles(const char *rest, struct snapshot *s, struct response *r)
{
	const struct catalog	*c = s->sn_cat;
	size_t			 n = strlen(rest), page;
	int64_t			 i;

	if (strncmp(rest, "page/", 5) == 0) {
		if ((page = page_number(rest + 5)) == 0 ||
		    feed_page(&r->rs_body, c, page, &s->sn_site) == -1)
			not_found(r);
		else
			gemtext_ok(r, s->sn_site.s_lang);
		return;
	}
	if (n <= 4 || strcmp(rest + n - 4, ".gmi") != 0 ||
	    (i = catalog_find_slug(c, rest, n - 4)) < 0) {
		not_found(r);
		return;
	}
	if (snapshot_page(s, (size_t)i, SNAP_GEMTEXT, &r->rs_body,
	    &r->rs_data, &r->rs_len) == -1) {
		/* changing under us: the next snapshot will know */
		buf_reset(&r->rs_body);
		r->rs_data = NULL;
		response_set(r, 40, "Temporary failure: the article is being "
		    "updated");
		return;
	}
	gemtext_ok(r, c->c_art[i].ca_lang ? c->c_art[i].ca_lang :
	    s->sn_site.s_lang);
}

/* /search: ask for the words, then show what matches them. */
static void
route_search(const struct gemini_request *q, struct snapshot *s,
    struct response *r)
{
	struct search_hit	 hits[SEARCH_RESULTS_MAX];
	char			 text[GEMINI_URI_MAX + 1];
	ssize_t			 n;

	if (q->gr_has_query && gemini_query_text(q, text) == -1) {
		response_set(r, 59, "Bad request: the query must be UTF-8 text "
		    "without control characters");
		return;
	}
	if (!q->gr_has_query || search_is_blank(text)) {
		response_set(r, 10, "Search the articles");
		return;
	}
	if ((n = snapshot_search(s, text, hits, SEARCH_RESULTS_MAX)) == -1) {
		response_set(r, 40, "Temporary failure: search is not "
		    "available");
		return;
	}
	generated(r, search_gemtext(&r->rs_body, s->sn_cat, text, hits,
	    (size_t)n), "text/gemini; charset=utf-8");
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * What a directory entry is, following a symlink only if it stays in
 * the capsule: 'd' directory, 'f' regular file, 0 anything else.
 */
static char
entry_kind(const struct snapshot *s, int dfd, const struct dirent *de)
{
	const char	*errstr;
	struct stat	 st;
	int		 fd;
	char		 k = 0;

	if (de->d_type == DT_DIR)
		return 'd';
	if (de->d_type == DT_REG)
		return 'f';
	if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
		return 0;
	if ((fd = snapshot_open(s, dfd, de->d_name, O_RDONLY, &errstr)) == -1)
		return 0;
	if (fstat(fd, &st) == 0)
		k = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : 0;
	close(fd);
	return k;
}

/* A generated listing of the directory fd, shown at path. */
static void
listing(const struct snapshot *s, int fd, const char *path,
    struct response *r)
{
	struct buf	*b = &r->rs_body;
	struct dirent	*de;
	DIR		*dp;
	char		**names = NULL, **p, enc[1024];
	size_t		 n = 0, cap = 0, i;
	int		 dfd;
	char		 kind;

	if ((dfd = dup(fd)) == -1 || (dp = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		response_set(r, 40, "Temporary failure");
		return;
	}
	while ((de = readdir(dp)) != NULL && n < LISTING_MAX) {
		if (de->d_name[0] == '.' || (kind = entry_kind(s, fd, de)) == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((p = reallocarray(names, cap, sizeof(*p))) == NULL)
				break;
			names = p;
		}
		if ((names[n] = malloc(strlen(de->d_name) + 2)) == NULL)
			break;
		strcpy(names[n], de->d_name);
		if (kind == 'd')
			strcat(names[n], "/");
		n++;
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	buf_adds(b, "# Index of ");
	utf8_escape(b, path, strlen(path));
	buf_adds(b, "\n\n=> ../ Parent directory\n");
	for (i = 0; i < n; i++) {
		encode_path(names[i], enc, sizeof(enc));
		buf_printf(b, "=> %s ", enc);
		utf8_escape(b, names[i], strlen(names[i]));
		buf_addc(b, '\n');
		free(names[i]);
	}
	free(names);
	generated(r, 0, "text/gemini; charset=utf-8");
}

/* Serve an open regular file: its type from the name and libmagic. */
static void
file(int fd, const char *name, const struct stat *st, struct mime *m,
    struct response *r)
{
	char	 type[MIME_MAX];

	mime_of(m, name, fd, type, sizeof(type));
	if (lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		response_set(r, 40, "Temporary failure");
		return;
	}
	r->rs_fd = fd;
	r->rs_size = st->st_size;
	response_set(r, 20, "%s", type);
}

/*
 * A file or directory of the capsule.  Names starting with "." are never
 * served, and snapshot_open never leaves the capsule.
 */
static void
route_file(const char *path, const struct snapshot *s, struct mime *m,
    struct response *r)
{
	char		 rel[GEMINI_URI_MAX + 2];
	const char	*errstr, *name;
	struct stat	 st;
	size_t		 n;
	int		 fd, ifd = -1;

	if (strstr(path, "/.") != NULL) {
		not_found(r);
		return;
	}
	n = strlen(path);
	snprintf(rel, sizeof(rel), "%.*s", (int)(n - 1 - (path[n - 1] == '/')),
	    path + 1);
	if ((fd = snapshot_open(s, -1, rel, O_RDONLY, &errstr)) == -1 ||
	    fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		not_found(r);
		return;
	}
	name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	if (S_ISREG(st.st_mode) && path[n - 1] != '/') {
		file(fd, name, &st, m, r);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		not_found(r);
	else if (path[n - 1] != '/') {
		snprintf(rel, sizeof(rel), "%s/", path);
		redirect(r, s, rel);
	} else if ((ifd = snapshot_open(s, fd, "index.gmi", O_RDONLY,
	    &errstr)) != -1 && fstat(ifd, &st) == 0 && S_ISREG(st.st_mode)) {
		file(ifd, "index.gmi", &st, m, r);
		ifd = -1;
	} else
		listing(s, fd, path, r);
	if (ifd != -1)
		close(ifd);
	close(fd);
}

void
gemini_route(const struct gemini_request *q, struct snapshot *s,
    struct mime *m, struct response *r)
{
	const char	*path = q->gr_path;
	int64_t		 i;
	char		 sel[ADDR_SELECTOR_MAX];

	if (strcmp(path, "/") == 0)
		generated_list(r, snapshot_list(s, SNAP_HOME, &r->rs_body,
		    &r->rs_data, &r->rs_len), s->sn_site.s_lang);
	else if (strcmp(path, "/articles") == 0 ||
	    strcmp(path, "/articles/") == 0)
		redirect(r, s, "/");
	else if (strncmp(path, "/articles/", 10) == 0)
		route_articles(path + 10, s, r);
	else if (strcmp(path, "/atom.xml") == 0)
		generated(r, snapshot_list(s, SNAP_ATOM, &r->rs_body,
		    &r->rs_data, &r->rs_len), "application/atom+xml");
	else if (strcmp(path, "/search") == 0)
		route_search(q, s, r);
	else if (strchr(path + 1, '/') == NULL &&
	    capsule_is_article_name(path + 1)) {
		if ((i = catalog_find_name(s->sn_cat, path + 1)) >= 0) {
			addr_selector(sel, sizeof(sel),
			    s->sn_cat->c_art[i].ca_slug, ".gmi");
			redirect(r, s, sel);
		} else
			not_found(r);
	} else
		route_file(path, s, m, r);
}
