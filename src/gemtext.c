#include <string.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "gemtext.h"
#include "strmap.h"

static const char *const url_schemes[] = {
	"gemini://", "gopher://", "https://", "http://",
};

/* Characters after which a URL may start (besides the paragraph start). */
static const char *const url_openers[] = {
	" ", "(", "[", "<", "\"", "'", "\u201c", "\u2018",
};

/* Trailing characters stripped from a URL, repeatedly. */
static const char *const url_closers[] = {
	".", ",", ";", ":", "!", "?", ")", "]", ">", "\"", "'",
	"\u201d", "\u2019",
};

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Section 2.1: lines starting #, *, > (anything after), => or ```. */
int
gemtext_needs_space(const char *s)
{
	return s[0] == '#' || s[0] == '*' || s[0] == '>' ||
	    strncmp(s, "=>", 2) == 0 || strncmp(s, "```", 3) == 0;
}

static int
after_opener(const char *p, size_t i)
{
	size_t	 k, n;

	if (i == 0)
		return 1;
	for (k = 0; k < nitems(url_openers); k++) {
		n = strlen(url_openers[k]);
		if (i >= n && memcmp(p + i - n, url_openers[k], n) == 0)
			return 1;
	}
	return 0;
}

static size_t
strip_closers(const char *p, size_t start, size_t end)
{
	size_t	 k, n;
	int	 again = 1;

	while (again) {
		again = 0;
		for (k = 0; k < nitems(url_closers); k++) {
			n = strlen(url_closers[k]);
			if (end - start >= n &&
			    memcmp(p + end - n, url_closers[k], n) == 0) {
				end -= n;
				again = 1;
			}
		}
	}
	return end;
}

/*
 * Section 2.2.  Find the next URL in p[*pos .. n): it starts with one
 * of the schemes at the paragraph start or after an opener, runs to the
 * next space, loses its trailing closers, and counts only if something
 * follows "://" and it is at most GEMTEXT_URL_MAX bytes.  On success
 * sets [*start, *end), moves *pos past it and returns 1; 0 at the end.
 */
int
gemtext_next_url(const char *p, size_t n, size_t *pos, size_t *start,
    size_t *end)
{
	size_t	 i, k, len, e, stop;

	for (i = *pos; i < n; i++) {
		if (p[i] != 'g' && p[i] != 'h')
			continue;
		for (k = 0; k < nitems(url_schemes); k++) {
			len = strlen(url_schemes[k]);
			if (n - i >= len &&
			    memcmp(p + i, url_schemes[k], len) == 0)
				break;
		}
		if (k == nitems(url_schemes) || !after_opener(p, i))
			continue;
		for (stop = i; stop < n && p[stop] != ' '; stop++)
			;
		e = strip_closers(p, i, stop);
		if (e - i > len && e - i <= GEMTEXT_URL_MAX) {
			*start = i;
			*end = e;
			*pos = stop;
			return 1;
		}
		i = stop;
	}
	*pos = n;
	return 0;
}

static void
line(struct buf *b, const char *s)
{
	if (gemtext_needs_space(s))
		buf_addc(b, ' ');
	buf_adds(b, s);
	buf_addc(b, '\n');
}

/* A paragraph, then one "=> URL" line per distinct URL in it. */
static void
paragraph(struct buf *b, const char *s, struct strmap *seen)
{
	size_t	 n = strlen(s), pos = 0, start, end;

	line(b, s);
	while (gemtext_next_url(s, n, &pos, &start, &end))
		if (strmap_put(seen, s + start, end - start, 0) != 0) {
			buf_adds(b, "=> ");
			buf_add(b, s + start, end - start);
			buf_addc(b, '\n');
		}
	strmap_free(seen);
}

int
gemtext_article(struct buf *b, const struct article *a,
    const struct catalog *c)
{
	struct strmap	 seen;
	size_t		 i;
	int64_t		 t;

	strmap_init(&seen);
	buf_adds(b, "# ");
	buf_adds(b, a->a_title);
	buf_addc(b, '\n');
	for (i = 0; i < a->a_npara; i++) {
		buf_addc(b, '\n');
		paragraph(b, a->a_para[i], &seen);
	}
	if (a->a_nrel > 0)
		buf_adds(b, "\n## Related articles\n");
	for (i = 0; i < a->a_nrel; i++) {
		t = catalog_resolve(c, article_rel_title(a, i));
		if (t < 0) {
			line(b, article_rel_title(a, i));
			continue;
		}
		buf_printf(b, "=> /articles/%s.gmi %s\n", c->c_art[t].ca_slug,
		    c->c_art[t].ca_title);
	}
	return b->b_failed ? -1 : 0;
}

/* The similar-articles section after an article: catalog indexes. */
int
gemtext_similar(struct buf *b, const struct catalog *c, const uint32_t *sim,
    size_t n)
{
	size_t	 i;

	if (n > 0)
		buf_adds(b, "\n## Similar articles\n");
	for (i = 0; i < n; i++)
		buf_printf(b, "=> /articles/%s.gmi %s\n",
		    c->c_art[sim[i]].ca_slug, c->c_art[sim[i]].ca_title);
	return b->b_failed ? -1 : 0;
}
