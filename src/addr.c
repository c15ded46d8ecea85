#include <stdio.h>
#include <time.h>

#include "addr.h"
#include "site.h"

void
addr_selector(char *out, size_t n, const char *slug, const char *suffix)
{
	snprintf(out, n, "/articles/%s%s", slug, suffix);
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
	snprintf(out, n, "%s/articles/%s.gmi", base, slug);
}

/* The article menu, as RFC 4266 writes it: gopher://host[:port]/1sel. */
void
addr_gopher_url(char *out, size_t n, const struct site *s, const char *slug)
{
	if (s->s_gopher_port == 70)
		snprintf(out, n, "gopher://%s/1/articles/%s/",
		    s->s_gopher_host, slug);
	else
		snprintf(out, n, "gopher://%s:%u/1/articles/%s/",
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
