#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "site.h"

/* The one place that spells where articles live. */
#define ARTICLES	"/articles/"
#define ARTICLES_LEN	(sizeof(ARTICLES) - 1)
/* Pages of the full list are numbered from 1, without leading zeros. */
#define PAGE_MAX	1000000000

/* The suffix of rest among suffixes (longest first wins), or NULL. */
static const char *
suffix_of(const char *rest, size_t n, const char *const *suffixes,
    size_t *slen)
{
	const char	*best = NULL;
	size_t		 k, len;

	for (k = 0; suffixes[k] != NULL; k++) {
		len = strlen(suffixes[k]);
		if (len <= n && strcmp(rest + n - len, suffixes[k]) == 0 &&
		    (best == NULL || len > strlen(best)))
			best = suffixes[k];
	}
	if (best != NULL)
		*slen = n - strlen(best);
	return best;
}

/*
 * path := "/articles" ["/"] | "/articles/" slug suffix
 *       | "/articles/page/" n suffix
 * n := [1-9][0-9]*, at most PAGE_MAX; suffix: one of suffixes (a
 * protocol's forms, NULL-ended).  A path that is below /articles/ with
 * no known suffix is an ADDR_ARTICLE with an empty slug (never found).
 */
void
addr_parse(const char *path, const char *const *suffixes,
    struct addr_ref *ar)
{
	const char	*rest, *sfx;
	size_t		 n, len = 0, page = 0;

	memset(ar, 0, sizeof(*ar));
	ar->ar_suffix = "";
	if (strcmp(path, "/articles") == 0 || strcmp(path, ARTICLES) == 0) {
		ar->ar_what = ADDR_INDEX;
		return;
	}
	if (strncmp(path, ARTICLES, ARTICLES_LEN) != 0)
		return;
	rest = path + ARTICLES_LEN;
	n = strlen(rest);
	ar->ar_what = ADDR_ARTICLE;
	ar->ar_slug = rest;
	if ((sfx = suffix_of(rest, n, suffixes, &len)) == NULL)
		return;
	ar->ar_suffix = sfx;
	if (strncmp(rest, "page/", 5) == 0) {
		ar->ar_what = ADDR_LIST;
		if (rest[5] < '1' || rest[5] > '9')
			return;
		for (rest += 5; *rest >= '0' && *rest <= '9'; rest++)
			if ((page = page * 10 + (size_t)(*rest - '0')) >
			    PAGE_MAX)
				return;
		if (rest == path + ARTICLES_LEN + len)
			ar->ar_page = page;
		return;
	}
	ar->ar_slen = len;
}

void
addr_selector(char *out, size_t n, const char *slug, const char *suffix)
{
	snprintf(out, n, ARTICLES "%s%s", slug, suffix);
}

/* gemini://host[:port] with no slash; the port only when not 1965. */
void
addr_gemini_base(char *out, size_t n, const struct site *s)
{
	if (s->s_gemini_port == 1965)
		snprintf(out, n, "gemini://%s", s->s_host);
	else
		snprintf(out, n, "gemini://%s:%u", s->s_host, s->s_gemini_port);
}

void
addr_gemini_url(char *out, size_t n, const struct site *s, const char *slug)
{
	char	 base[ADDR_URL_MAX];

	addr_gemini_base(base, sizeof(base), s);
	snprintf(out, n, "%s" ARTICLES "%s.gmi", base, slug);
}

/* The article menu, as RFC 4266 writes it: gopher://host[:port]/1sel. */
void
addr_gopher_url(char *out, size_t n, const struct site *s, const char *slug)
{
	if (s->s_gopher_port == 70)
		snprintf(out, n, "gopher://%s/1" ARTICLES "%s/",
		    s->s_gopher_host, slug);
	else
		snprintf(out, n, "gopher://%s:%u/1" ARTICLES "%s/",
		    s->s_gopher_host, s->s_gopher_port, slug);
}

static void
utc(struct tm *tm, int64_t t)
{
	time_t	 tt = (time_t)t;

	/* years outside 0000-9999 (a broken clock) print as the epoch */
	if (gmtime_r(&tt, tm) == NULL || tm->tm_year < -1900 ||
	    tm->tm_year > 9999 - 1900) {
		tt = 0;
		gmtime_r(&tt, tm);
	}
}

void
addr_date(char *out, int64_t t)
{
	struct tm	 tm;

	utc(&tm, t);
	snprintf(out, ADDR_DATE_LEN, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}

/* RFC 3339, as Atom wants it. */
void
addr_datetime(char *out, int64_t t)
{
	struct tm	 tm;

	utc(&tm, t);
	snprintf(out, ADDR_DATETIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}
