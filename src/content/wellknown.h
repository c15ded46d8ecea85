/*
 * wellknown: the files at the top of a capsule that clients and crawlers
 * ask for by name.  They are served as they are, as text/plain, over
 * every protocol, and are never articles, although they end in ".txt".
 * This table is the one list: discovery (capsule_is_article_name), the
 * router (ROUTE_WELLKNOWN) and `capsuled check` all read it.
 *
 * Example: wellknown_find("robots.txt") gives { "robots.txt", "rules
 * for crawlers" }; wellknown_find("Robots.txt"), ("notes/robots.txt")
 * and ("001.txt") give NULL: a name is matched exactly, as clients
 * spell it, and only at the top of the capsule.
 */
#ifndef WELLKNOWN_H
#define WELLKNOWN_H

/*
 * The media type they are served with: the robots.txt companion
 * specification of Gemini and the favicon.txt proposal say text/plain,
 * RFC 9116 (security.txt) "text/plain; charset=utf-8".
 */
#define WELLKNOWN_TYPE	"text/plain; charset=utf-8"

struct wellknown {
	const char	*wk_name;	/* file name at the top of a capsule */
	const char	*wk_what;	/* what it is for, as check says it */
};

const struct wellknown	*wellknown_find(const char *);

#endif
