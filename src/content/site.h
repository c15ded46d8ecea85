/*
 * site: what the renderers need to know about where they are served.
 *
 * Example: { "My capsule", "en", "example.org", 1965, "example.org", 70,
 * 0, 100, 5 }
 * makes absolute links gemini://example.org/... and Gopher items that
 * point at example.org port 70.
 */
#ifndef SITE_H
#define SITE_H

#include <stddef.h>

#define SITE_HOME_LIMIT		100	/* articles on the home page */
#define SITE_PAGE_SIZE		500	/* articles per list page */

struct site {
	const char	*s_title;	/* capsule title; NULL: the hostname */
	const char	*s_lang;	/* default lang of articles, or NULL */
	const char	*s_host;	/* Gemini hostname */
	unsigned	 s_gemini_port;	/* advertised Gemini port */
	const char	*s_gopher_host;	/* advertised Gopher host */
	unsigned	 s_gopher_port;	/* advertised Gopher port */
	int		 s_gopher_strict; /* RFC 1436 dot-stuffing and "." */
	size_t		 s_home_limit;	/* articles on the home page */
	size_t		 s_similar;	/* similar articles listed; 0: none */
};

int	 site_copy(struct site *, const struct site *, char **);

#define site_title(s)	((s)->s_title != NULL ? (s)->s_title : (s)->s_host)

#endif
