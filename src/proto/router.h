/*
 * router: one table from a host's decoded path and query to a page
 * request, for every protocol.  It knows nothing of status codes,
 * selectors or schemes: a protocol gives the address suffixes it uses
 * (struct route_forms) and frames the outcome itself (proto.h).
 *
 * Example: with Gemini's forms {".gmi"}, "/articles/crepes.gmi" routes
 * to {ROUTE_ARTICLE, index of "crepes"}; "/articles" to {ROUTE_REDIRECT,
 * "/"}; "/crepes.txt" (the source of "crepes") to {ROUTE_SOURCE, its
 * index}; "/robots.txt" to {ROUTE_WELLKNOWN, "/robots.txt"} (wellknown.h);
 * "/search" with no query to {ROUTE_SEARCH, no query}; "/images/" to
 * {ROUTE_FILE, "/images/"}.  With Gopher's forms {"/",
 * "", ".txt" as the text}, "/articles/crepes.txt" routes to
 * {ROUTE_ARTICLE_TEXT, index}.  A protocol without a search address
 * (addr.h: Nex) has no /search route: it is a capsule file there.  With
 * HTTP's forms {".html"} and the alias "", "/articles/crepes" routes to
 * {ROUTE_ALIAS, index}.
 *
 * Pure: it reads the catalog, never the capsule directory (whether a
 * ROUTE_FILE path is a file, a directory or nothing is respond.c's).
 */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct catalog;

enum route_kind {
	ROUTE_HOME,		/* the home page (the newest articles) */
	ROUTE_ARTICLE,		/* rt_index */
	ROUTE_ARTICLE_TEXT,	/* rt_index, as plain text */
	ROUTE_LIST,		/* rt_page (from 1) of the full list */
	ROUTE_FEED,		/* the Atom feed */
	ROUTE_SEARCH,		/* rt_query, or none: ask for words */
	ROUTE_SOURCE,		/* the source file of article rt_index */
	ROUTE_WELLKNOWN,	/* rt_path: a well-known file at the top */
	ROUTE_FILE,		/* rt_path: a file or directory of the capsule */
	ROUTE_REDIRECT,		/* rt_path: the page is at this path */
	ROUTE_ALIAS,		/* rt_index: an article asked for by its
				   alias (rf_alias), at its first form */
	ROUTE_NOT_FOUND,
	NUM_ROUTE_KINDS
};

/* The addresses a protocol uses, and the routes it serves. */
struct route_forms {
	const char *const *rf_article;	/* suffixes of an article page */
	const char	*rf_text;	/* suffix of its plain text, or NULL */
	const char *const *rf_list;	/* suffixes of a list page */
	int		 rf_feed;	/* serves /atom.xml */
	enum addr_proto	 rf_proto;	/* whose addr.h forms: /search only
					   where it has that address */
	const char	*rf_alias;	/* suffix of an article address that
					   redirects to the first form, or
					   NULL (HTTP: "", /articles/<slug>) */
};

struct route {
	enum route_kind	 rt_kind;
	int64_t		 rt_index;	/* in the catalog, or -1 */
	size_t		 rt_page;
	const char	*rt_path;	/* borrowed: the request's or static */
	const char	*rt_query;	/* borrowed, NULL: none */
};

void	 route(const struct route_forms *, const struct catalog *,
	    const char *, const char *, struct route *);

#endif
