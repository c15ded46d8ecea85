/*
 * A page request to a response, the same for every protocol (respond.h).
 * Every page comes from the snapshot: its cached renderings, its search
 * index, and files opened only through snapshot_open, which never leaves
 * the capsule.  Names starting with "." are never served.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "catalog.h"
#include "mime.h"
#include "page.h"
#include "respond.h"
#include "response.h"
#include "search.h"
#include "utf8.h"
#include "wellknown.h"

const char	 RESPOND_BAD_QUERY[] = "";

/* The longest path a request may name, with a '/' and a NUL. */
#define PATH_MAX_REQ	1100

/* The media type of the protocol's generated pages (or their text). */
static const char *
page_type(const struct pages *pg, int text)
{
	if (text && pg->pg_text_type != NULL)
		return pg->pg_text_type;
	return pg->pg_type != NULL ? pg->pg_type : GEMTEXT_TYPE;
}

/* An OK body in the protocol's format: gemtext in lang, when typed. */
static void
ok(const struct pages *pg, struct response *r, const char *type,
    const char *lang)
{
	if (!pg->pg_typed)
		response_set(r, OUT_OK, "%s", "");
	else if (lang != NULL && pg->pg_type == NULL)
		response_set(r, OUT_OK, "%s; lang=%s", type, lang);
	else
		response_set(r, OUT_OK, "%s", type);
}

/* A page rendered into rs_body or borrowed (rendered: 0, or -1). */
static void
generated(const struct pages *pg, struct response *r, int rendered,
    const char *type, const char *lang)
{
	if (rendered == -1 || (r->rs_data == NULL && r->rs_body.b_failed))
		response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
	else
		ok(pg, r, type, lang);
}

static void
article(const struct pages *pg, struct snapshot *s, const struct route *rt,
    struct response *r)
{
	const struct cat_article *a = catalog_art(s->sn_cat,
	    (size_t)rt->rt_index);

	if (snapshot_page(s, (size_t)rt->rt_index, rt->rt_kind ==
	    ROUTE_ARTICLE_TEXT ? pg->pg_text : pg->pg_article, &r->rs_body,
	    &r->rs_data, &r->rs_len) == -1)
		/* changing under us: the next snapshot will know */
		response_fail(r, OUT_UNAVAILABLE, REASON_UPDATING);
	else
		ok(pg, r, page_type(pg, rt->rt_kind == ROUTE_ARTICLE_TEXT),
		    a->ca_lang ? a->ca_lang : s->sn_site.s_lang);
}

/* /search: ask for the words, then show what matches them. */
static void
search(const struct pages *pg, struct snapshot *s, const char *text,
    struct response *r)
{
	struct search_hit	 hits[SEARCH_RESULTS_MAX];
	ssize_t			 n;

	if (text == RESPOND_BAD_QUERY) {
		response_fail(r, OUT_BAD_REQUEST, REASON_BAD_QUERY);
		return;
	}
	if (text == NULL || search_is_blank(text)) {
		pg->pg_prompt(r, s);
		return;
	}
	if (!utf8_valid(text, strlen(text)) ||
	    utf8_has_controls(text, strlen(text))) {
		response_fail(r, OUT_BAD_REQUEST, REASON_BAD_QUERY);
		return;
	}
	if ((n = snapshot_search(s, text, hits, SEARCH_RESULTS_MAX)) == -1) {
		response_fail(r, OUT_UNAVAILABLE, REASON_NO_SEARCH);
		return;
	}
	generated(pg, r, pg->pg_search(&r->rs_body, s->sn_cat, text, hits,
	    (size_t)n, &s->sn_site), page_type(pg, 0), NULL);
}

/* An open regular file: its type given, else from the name and libmagic. */
static void
file(const struct pages *pg, int fd, const char *name, const char *given,
    const struct stat *st, struct mime *m, struct response *r)
{
	char	 type[MIME_MAX] = "";

	if (pg->pg_typed && given != NULL)
		snprintf(type, sizeof(type), "%s", given);
	else if (pg->pg_typed) {
		mime_of(m, name, fd, type, sizeof(type));
		if (lseek(fd, 0, SEEK_SET) == -1) {
			close(fd);
			response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
			return;
		}
	}
	r->rs_fd = fd;
	r->rs_size = st->st_size;
	response_set(r, OUT_OK, "%s", type);
}

/*
 * Is a directory entry a directory (1) or a regular file (0)?  A
 * symlink is followed only when it stays in the capsule; -1 for
 * anything else.
 */
static int
entry_is_dir(const struct snapshot *s, int dfd, const struct dirent *de)
{
	const char	*errstr;
	struct stat	 st;
	int		 fd, d = -1;

	if (de->d_type == DT_DIR || de->d_type == DT_REG)
		return de->d_type == DT_DIR;
	if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
		return -1;
	if ((fd = snapshot_open(s, dfd, de->d_name, O_RDONLY, &errstr)) == -1)
		return -1;
	if (fstat(fd, &st) == 0)
		d = S_ISDIR(st.st_mode) ? 1 : S_ISREG(st.st_mode) ? 0 : -1;
	close(fd);
	return d;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct page_entry *)a)->pe_name,
	    ((const struct page_entry *)b)->pe_name);
}

/*
 * The entries of directory fd for a generated listing (page_listing)
 * into d: every name not starting with ".", if it is a directory or a
 * regular file, sorted bytewise, at most RESPOND_LISTING_MAX.  0 (free
 * d with respond_dir_free), or -1 when the directory cannot be read.
 */
int
respond_dir_read(const struct snapshot *s, int fd, struct respond_dir *d)
{
	struct page_entry *p;
	struct dirent	*de;
	DIR		*dp;
	size_t		 cap = 0;
	int		 dfd, isdir;

	memset(d, 0, sizeof(*d));
	arena_init(&d->rd_names);
	if ((dfd = dup(fd)) == -1 || (dp = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	while ((de = readdir(dp)) != NULL && d->rd_n < RESPOND_LISTING_MAX) {
		if (de->d_name[0] == '.' ||
		    (isdir = entry_is_dir(s, fd, de)) == -1)
			continue;
		if (d->rd_n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((p = reallocarray(d->rd_entry, cap,
			    sizeof(*p))) == NULL)
				break;
			d->rd_entry = p;
		}
		p = &d->rd_entry[d->rd_n];
		memset(p, 0, sizeof(*p));
		if ((p->pe_name = arena_strndup(&d->rd_names, de->d_name,
		    strlen(de->d_name))) == NULL)
			break;
		p->pe_is_dir = isdir;
		d->rd_n++;
	}
	closedir(dp);
	if (d->rd_n > 0)
		qsort(d->rd_entry, d->rd_n, sizeof(*d->rd_entry), by_name);
	return 0;
}

void
respond_dir_free(struct respond_dir *d)
{
	free(d->rd_entry);
	arena_free(&d->rd_names);
	memset(d, 0, sizeof(*d));
}

/* A directory, path ending in '/': its own page, else the protocol's. */
static void
directory(const struct pages *pg, struct snapshot *s, struct mime *m,
    int fd, const char *path, struct response *r)
{
	const char	*errstr;
	struct stat	 st;
	int		 ifd = -1;

	if (pg->pg_index != NULL && (ifd = snapshot_open(s, fd, pg->pg_index,
	    O_RDONLY, &errstr)) != -1 && fstat(ifd, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		if (pg->pg_index_page != NULL)
			pg->pg_index_page(r, s, ifd, path);
		else
			file(pg, ifd, pg->pg_index, NULL, &st, m, r);
		return;
	}
	if (ifd != -1)
		close(ifd);
	pg->pg_dir(r, s, m, fd, path);
}

/* A file or directory of the capsule; a file typed so, when type is set. */
static void
capsule_file(const struct pages *pg, struct snapshot *s, struct mime *m,
    const char *path, const char *type, struct response *r)
{
	char		 rel[PATH_MAX_REQ];
	const char	*errstr, *name;
	struct stat	 st;
	size_t		 n = strlen(path);
	int		 fd;

	if (strstr(path, "/.") != NULL || n + 2 > sizeof(rel)) {
		response_fail(r, OUT_NOT_FOUND, REASON_NONE);
		return;
	}
	snprintf(rel, sizeof(rel), "%.*s", (int)(n - 1 - (path[n - 1] == '/')),
	    path + 1);
	if ((fd = snapshot_open(s, -1, rel, O_RDONLY, &errstr)) == -1 ||
	    fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		response_fail(r, OUT_NOT_FOUND, REASON_NONE);
		return;
	}
	name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	if (S_ISREG(st.st_mode) && path[n - 1] != '/' && (pg->pg_index ==
	    NULL || pg->pg_index_page == NULL || strcmp(name,
	    pg->pg_index) != 0)) {
		if (pg->pg_gemtext != NULL && type == NULL && n > 4 &&
		    strcmp(path + n - 4, ".gmi") == 0)
			pg->pg_gemtext(r, s, fd, path);
		else
			file(pg, fd, name, type, &st, m, r);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		response_fail(r, OUT_NOT_FOUND, REASON_NONE);
	else if (path[n - 1] != '/')
		response_set(r, OUT_REDIRECT, "%s/", path);
	else
		directory(pg, s, m, fd, path, r);
	close(fd);
}

void
respond(const struct pages *pg, struct snapshot *s, struct mime *m,
    const char *path, const char *query, struct response *r)
{
	const struct catalog	*c = s->sn_cat;
	char			 sel[ADDR_SELECTOR_MAX];
	struct route		 rt;

	route(&pg->pg_forms, c, path, query, &rt);
	switch (rt.rt_kind) {
	case ROUTE_HOME:
		generated(pg, r, snapshot_list(s, pg->pg_home, &r->rs_body,
		    &r->rs_data, &r->rs_len), page_type(pg, 0),
		    s->sn_site.s_lang);
		break;
	case ROUTE_ARTICLE:
	case ROUTE_ARTICLE_TEXT:
		article(pg, s, &rt, r);
		break;
	case ROUTE_LIST:
		if (pg->pg_list(&r->rs_body, c, rt.rt_page, &s->sn_site) == -1)
			response_fail(r, OUT_NOT_FOUND, REASON_NONE);
		else
			generated(pg, r, 0, page_type(pg, 0),
			    s->sn_site.s_lang);
		break;
	case ROUTE_FEED:
		generated(pg, r, snapshot_list(s, SNAP_ATOM, &r->rs_body,
		    &r->rs_data, &r->rs_len), "application/atom+xml", NULL);
		break;
	case ROUTE_SEARCH:
		search(pg, s, rt.rt_query, r);
		break;
	case ROUTE_SOURCE:
	case ROUTE_ALIAS:
		/* the article made from it, where the protocol can say so */
		addr_selector(sel, sizeof(sel),
		    catalog_art(c, (size_t)rt.rt_index)->ca_slug,
		    pg->pg_forms.rf_article[0]);
		response_set(r, OUT_REDIRECT, "%s", sel);
		if (rt.rt_kind == ROUTE_SOURCE)
			r->rs_reason = REASON_SOURCE;
		break;
	case ROUTE_WELLKNOWN:
		capsule_file(pg, s, m, path, WELLKNOWN_TYPE, r);
		break;
	case ROUTE_FILE:
		capsule_file(pg, s, m, path, NULL, r);
		break;
	case ROUTE_REDIRECT:
		response_set(r, OUT_REDIRECT, "%s", rt.rt_path);
		break;
	case ROUTE_NOT_FOUND:
	default:
		response_fail(r, OUT_NOT_FOUND, REASON_NONE);
		break;
	}
}
