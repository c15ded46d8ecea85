/*
 * addr: the addresses and dates every renderer prints.
 *
 * Example: for slug "crepes" on host example.org (Gemini 1965, Gopher
 * 7070): addr_selector gives "/articles/crepes/" (with suffix "/"),
 * addr_gemini_url "gemini://example.org/articles/crepes.gmi",
 * addr_parse("/articles/crepes.gmi", {".gmi", NULL}) an ADDR_ARTICLE
 * with slug "crepes" and suffix ".gmi", and addr_parse of
 * "/articles/page/2/" an ADDR_LIST of page 2 with suffix "/",
 * addr_gopher_url "gopher://example.org:7070/1/articles/crepes/", and
 * addr_date of 1698883200 gives "2023-11-02".
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>

struct site;

/* "/articles/" + slug (at most 100 + "-" + 10 digits) + suffix */
#define ADDR_SELECTOR_MAX	160
/* scheme + host (DNS names are at most 253) + port + selector */
#define ADDR_URL_MAX		512
/* "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ", with room the compiler can prove */
#define ADDR_DATE_LEN		48
#define ADDR_DATETIME_LEN	80

/*
 * What a path below "/articles/" names (addr_parse): an article (its slug
 * then a suffix, ".gmi", "/", ".txt" or none) or a page of the full list
 * ("page/<n>" then a suffix), the suffix telling which form is asked for.
 */
enum addr_what {
	ADDR_NONE,	/* not below /articles/ */
	ADDR_INDEX,	/* "/articles" or "/articles/" themselves */
	ADDR_ARTICLE,	/* ar_slug, ar_slen */
	ADDR_LIST,	/* ar_page, from 1; 0 for a bad number */
};

struct addr_ref {
	enum addr_what	 ar_what;
	const char	*ar_slug;	/* into the path */
	size_t		 ar_slen;
	size_t		 ar_page;
	const char	*ar_suffix;	/* into the path: "", "/", ".gmi"... */
};

void	 addr_parse(const char *, const char *const *, struct addr_ref *);
void	 addr_selector(char *, size_t, const char *, const char *);
void	 addr_gemini_base(char *, size_t, const struct site *);
void	 addr_gemini_url(char *, size_t, const struct site *, const char *);
void	 addr_gopher_url(char *, size_t, const struct site *, const char *);
void	 addr_date(char *, int64_t);
void	 addr_datetime(char *, int64_t);

#endif
