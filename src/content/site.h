/*
 * site: what the renderers need to know about where they are served.
 *
 * Example: { .s_title = "My capsule", .s_host = "example.org",
 * .s_gopher_host = "example.org", .s_port = { [ADDR_GEMINI] = 1965,
 * [ADDR_GOPHER] = 70 }, .s_home_limit = 100 } makes absolute links
 * gemini://example.org/... and Gopher items that point at example.org
 * port 70; it serves no Spartan or Nex.
 */
#ifndef SITE_H
#define SITE_H

#include <stddef.h>

#include "addr.h"

#define SITE_HOME_LIMIT		100	/* articles on the home page */
#define SITE_PAGE_SIZE		500	/* articles per list page */

struct site {
	const char	*s_title;	/* capsule title; NULL: the hostname */
	const char	*s_lang;	/* default lang of articles, or NULL */
	const char	*s_host;	/* hostname */
	const char	*s_gopher_host;	/* advertised Gopher host */
	unsigned	 s_port[NUM_ADDR_PROTOS]; /* advertised; 0: not served */
	int		 s_gopher_strict; /* RFC 1436 dot-stuffing and "." */
	size_t		 s_home_limit;	/* articles on the home page */
	size_t		 s_similar;	/* similar articles listed; 0: none */
};

int	 site_copy(struct site *, const struct site *, char **);

#define site_title(s)	((s)->s_title != NULL ? (s)->s_title : (s)->s_host)

#endif
