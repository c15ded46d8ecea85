#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "site.h"

/* The one spelling of the article space. */
#define ARTICLES	"/articles/"
#define ARTICLES_LEN	(sizeof(ARTICLES) - 1)

const char *const addr_schemes[NUM_ADDR_PROTOS] = {
	[ADDR_GEMINI] = "gemini",
	[ADDR_GOPHER] = "gopher",
	[ADDR_SPARTAN] = "spartan",
	[ADDR_NEX] = "nex",
	[ADDR_HTTP] = "http",
};

const char *const addr_proto_names[NUM_ADDR_PROTOS] = {
	[ADDR_GEMINI] = "Gemini",
	[ADDR_GOPHER] = "Gopher",
	[ADDR_SPARTAN] = "Spartan",
	[ADDR_NEX] = "Nex",
	[ADDR_HTTP] = "the web",
};

const unsigned addr_default_ports[NUM_ADDR_PROTOS] = {
	[ADDR_GEMINI] = 1965,
	[ADDR_GOPHER] = 70,
	[ADDR_SPARTAN] = 300,
	[ADDR_NEX] = 1900,
	[ADDR_HTTP] = 80,
};

/*
 * Each kind's address: prefix, then the slug, page number or name, then
 * the suffix of each form (Gemini, Gopher, Spartan, Nex, HTTP).  A new
 * form is a column here.  NULL: the protocol has no such address (Nex
 * serves no feed and no search), and a link to it is left out of its
 * pages.
 */
static const struct {
	const char	*prefix;
	const char	*suffix[NUM_ADDR_PROTOS];
	char		 gopher_type;	/* item type of its Gopher form */
} forms[NUM_ADDR_KINDS] = {
	[ADDR_TO_HOME] =    { "/",	{ "", "", "", "", "" },		'1' },
	[ADDR_TO_ARTICLE] = { ARTICLES,	{ ".gmi", "/", ".gmi", "/", ".html" }, '1' },
	[ADDR_TO_TEXT] =    { ARTICLES,	{ ".txt", ".txt", ".txt", ".txt", ".txt" },
			      '0' },
	[ADDR_TO_LIST] =    { ARTICLES "page/", { ".gmi", "/", ".gmi", "/",
			      ".html" }, '1' },
	[ADDR_TO_FEED] =    { "/atom.xml", { "", "", "", NULL, "" },	'0' },
	[ADDR_TO_SEARCH] =  { "/search", { "", "", "", NULL, "" },	'7' },
	[ADDR_TO_FILE] =    { "",	{ "", "", "", "", "" },		'9' },
	[ADDR_TO_PARENT] =  { "",	{ "../", "", "../", "../", "../" }, '1' },
	[ADDR_TO_URL] =     { "",	{ "", "URL:", "", "", "" },	'h' },
};

/*
 * Copy s[0 .. n) into out (room for outsz, 3 n + 1 is always enough)
 * with every byte percent-encoded but ASCII letters, digits and the
 * bytes of keep (ADDR_PATH_CHARS for a path); keep NULL keeps every byte
 * below 0x80 (what uriparser needs of a request).  Cut before a
 * character that does not fit.
 */
void
addr_pct_encode(const char *s, size_t n, const char *keep, char *out,
    size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	 i, o = 0;

	for (i = 0; i < n && o + 3 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (keep == NULL ? c < 0x80 : (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr(keep, c) != NULL))
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/*
 * A capsule file: relative and encoded, but from the root on Gopher
 * (a selector is not a URL).
 */
static void
file_path(char *out, size_t n, const struct addr_target *t,
    enum addr_proto p)
{
	char	 name[ADDR_PATH_MAX];

	if (p != ADDR_GOPHER) {
		snprintf(name, sizeof(name), "%s%s", t->at_name,
		    t->at_is_dir ? "/" : "");
		addr_pct_encode(name, strlen(name), ADDR_PATH_CHARS, out, n);
	} else
		snprintf(out, n, "%s%s%s", t->at_dir, t->at_name,
		    t->at_is_dir ? "/" : "");
}

/* Does protocol p have addresses of kind k? */
int
addr_has(enum addr_kind k, enum addr_proto p)
{
	return forms[k].suffix[p] != NULL;
}

/*
 * The address of t in form p: a path or a selector; -1 (and "") when p
 * has no such address.
 */
int
addr_path(char *out, size_t n, const struct addr_target *t,
    enum addr_proto p)
{
	const char	*pre = forms[t->at_kind].prefix;
	const char	*suf = forms[t->at_kind].suffix[p];

	if (suf == NULL) {
		snprintf(out, n, "%s", "");
		return -1;
	}
	switch (t->at_kind) {
	case ADDR_TO_ARTICLE:
	case ADDR_TO_TEXT:
		snprintf(out, n, "%s%s%s", pre, t->at_slug, suf);
		break;
	case ADDR_TO_LIST:
		snprintf(out, n, "%s%zu%s", pre, t->at_page, suf);
		break;
	case ADDR_TO_FILE:
		file_path(out, n, t, p);
		break;
	case ADDR_TO_PARENT:
		snprintf(out, n, "%s", p != ADDR_GOPHER ? suf : t->at_dir);
		break;
	case ADDR_TO_URL:
		snprintf(out, n, "%s%s", suf, t->at_name);
		break;
	default:
		snprintf(out, n, "%s%s", pre, suf);
		break;
	}
	return 0;
}

/* The Gopher item type of a kind's address (a file's is its own). */
char
addr_gopher_type(enum addr_kind k)
{
	return forms[k].gopher_type;
}

/*
 * scheme://host[:port] with no slash, the port only when it is not the
 * scheme's own; Gopher's host is the one it advertises.
 */
void
addr_base(char *out, size_t n, enum addr_proto p, const struct site *s)
{
	const char	*host = p == ADDR_GOPHER ? s->s_gopher_host : s->s_host;

	if (s->s_port[p] == addr_default_ports[p] || s->s_port[p] == 0)
		snprintf(out, n, "%s://%s", addr_schemes[p], host);
	else
		snprintf(out, n, "%s://%s:%u", addr_schemes[p], host,
		    s->s_port[p]);
}

/*
 * The absolute URL of t in form p; Gopher's as RFC 4266 writes it,
 * gopher://host[:port]/<type><selector>.  -1 (and "") when p has no
 * such address.
 */
int
addr_url(char *out, size_t n, const struct addr_target *t, enum addr_proto p,
    const struct site *s)
{
	char	 base[ADDR_URL_MAX], path[ADDR_URL_MAX];
	char	 type[3] = "";

	if (t->at_kind == ADDR_TO_URL) {
		snprintf(out, n, "%s", t->at_name);
		return 0;
	}
	if (addr_path(path, sizeof(path), t, p) == -1) {
		snprintf(out, n, "%s", "");
		return -1;
	}
	addr_base(base, sizeof(base), p, s);
	if (p == ADDR_GOPHER) {
		type[0] = '/';
		type[1] = addr_gopher_type(t->at_kind);
	}
	snprintf(out, n, "%s%s%s", base, type, path);
	return 0;
}

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

/* "/articles/<slug><suffix>" (the router's redirects) */
void
addr_selector(char *out, size_t n, const char *slug, const char *suffix)
{
	snprintf(out, n, ARTICLES "%s%s", slug, suffix);
}

void
addr_gemini_url(char *out, size_t n, const struct site *s, const char *slug)
{
	struct addr_target t = { .at_kind = ADDR_TO_ARTICLE, .at_slug = slug };

	addr_url(out, n, &t, ADDR_GEMINI, s);
}

void
addr_gopher_url(char *out, size_t n, const struct site *s, const char *slug)
{
	struct addr_target t = { .at_kind = ADDR_TO_ARTICLE, .at_slug = slug };

	addr_url(out, n, &t, ADDR_GOPHER, s);
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
