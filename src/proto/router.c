/*
 * The route table (router.h).  Generated pages win over capsule files of
 * the same name; a path no row claims is a capsule file or directory.
 */
#include <string.h>

#include "addr.h"
#include "capsule.h"
#include "catalog.h"
#include "router.h"
#include "wellknown.h"

/* Paths that are pages whatever the protocol (when it serves them). */
static const struct {
	const char	*f_path;
	enum route_kind	 f_kind;
} fixed[] = {
	{ "/",		ROUTE_HOME },
	{ "/atom.xml",	ROUTE_FEED },
	{ "/search",	ROUTE_SEARCH },
};

static void
set(struct route *rt, enum route_kind kind, int64_t i, const char *path)
{
	rt->rt_kind = kind;
	rt->rt_index = i;
	rt->rt_path = path;
}

/* Below /articles/: an article in one of the forms, or a list page. */
static void
route_articles(const struct route_forms *f, const struct catalog *c,
    const char *path, struct route *rt)
{
	const char	*sfx[8];
	struct addr_ref	 ar;
	size_t		 k, n = 0;
	int64_t		 i;

	addr_parse(path, f->rf_list, &ar);
	if (ar.ar_what == ADDR_INDEX) {
		set(rt, ROUTE_REDIRECT, -1, "/");
		return;
	}
	if (ar.ar_what == ADDR_LIST) {
		if (ar.ar_page > 0) {
			set(rt, ROUTE_LIST, -1, path);
			rt->rt_page = ar.ar_page;
		}
		return;
	}
	for (k = 0; f->rf_article[k] != NULL && n < 5; k++)
		sfx[n++] = f->rf_article[k];
	if (f->rf_text != NULL)
		sfx[n++] = f->rf_text;
	if (f->rf_alias != NULL)
		sfx[n++] = f->rf_alias;
	sfx[n] = NULL;
	addr_parse(path, sfx, &ar);
	if (ar.ar_what != ADDR_ARTICLE || ar.ar_slen == 0 ||
	    (i = catalog_find_slug(c, ar.ar_slug, ar.ar_slen)) < 0)
		return;
	if (f->rf_text != NULL && strcmp(ar.ar_suffix, f->rf_text) == 0)
		set(rt, ROUTE_ARTICLE_TEXT, i, path);
	else if (f->rf_alias != NULL && strcmp(ar.ar_suffix, f->rf_alias) == 0)
		set(rt, ROUTE_ALIAS, i, path);
	else
		set(rt, ROUTE_ARTICLE, i, path);
}

void
route(const struct route_forms *f, const struct catalog *c,
    const char *path, const char *query, struct route *rt)
{
	struct addr_ref	 ar;
	const char	*none[] = { NULL };
	size_t		 k;
	int64_t		 i;
	int		 top;

	memset(rt, 0, sizeof(*rt));
	set(rt, ROUTE_NOT_FOUND, -1, path);
	rt->rt_query = query;
	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		if (strcmp(path, fixed[k].f_path) == 0 &&
		    (fixed[k].f_kind != ROUTE_FEED || f->rf_feed) &&
		    (fixed[k].f_kind != ROUTE_SEARCH ||
		    addr_has(ADDR_TO_SEARCH, f->rf_proto))) {
			set(rt, fixed[k].f_kind, -1, path);
			return;
		}
	addr_parse(path, none, &ar);
	if (ar.ar_what != ADDR_NONE) {
		route_articles(f, c, path, rt);
		return;
	}
	top = strchr(path + 1, '/') == NULL;
	if (top && wellknown_find(path + 1) != NULL)
		set(rt, ROUTE_WELLKNOWN, -1, path);
	else if (top && capsule_is_article_name(path + 1)) {
		if ((i = catalog_find_name(c, path + 1)) >= 0)
			set(rt, ROUTE_SOURCE, i, path);
	} else
		set(rt, ROUTE_FILE, -1, path);
}
