/*
 * fuzz_render.h: render articles and the lists of a catalog in every
 * form and check the output (shared by fuzz_article and
 * fuzz_render_catalog).
 *
 * Every output: valid UTF-8, no C1, no bidi control.
 * Gemtext (article, home, list page): no C0 but LF, every line ends in
 *   LF; a line starting with '#' is the first or "## Related articles";
 *   none starts with '*', '>' or "```"; a "=>" line is "=> " and a
 *   target; a "=> /articles/X.gmi" target names a slug of the catalog.
 * Gopher menus: no C0 but CR LF TAB, every line ends in CR LF and has
 *   exactly 3 TABs, display strings fit GOPHER_DISPLAY_MAX columns, the
 *   menu ends with ".\r\n"; article selectors name slugs of the catalog.
 * Gopher text: no C0 but CR LF TAB, every line ends in CR LF and fits
 *   GOPHER_WRAP columns (but the URL lines); default: no line is a lone
 *   "."; strict: a leading '.' is doubled and the text ends with ".".
 *   Nex's text is the same without a dot policy, whatever the site's.
 * Nex directories: no C0 but LF, every line ends in LF; a line starting
 *   "=>" is "=> " and a target, "/articles/X/" or "/articles/X.txt"
 *   naming an article (or "page/N/" a list page) of the catalog; no
 *   link to the search; any other line fits NEX_WRAP columns and a
 *   space.
 * Atom: no C0 but LF, no U+FFFE/U+FFFF, '&' only in the five entities,
 *   one <entry> per article on the home page.
 * HTML (article, home): no C0 but LF and TAB, every '<' starts one of
 *   the elements html.c writes, with only its attributes, each value in
 *   double quotes and free of '<' and '"', no href to javascript: or
 *   data:; outside tags no '>', and '&' only in the five references.
 */
#ifndef FUZZ_RENDER_H
#define FUZZ_RENDER_H

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "feed.h"
#include "gemtext.h"
#include "gopher_render.h"
#include "meta.h"
#include "nex_render.h"
#include "page.h"
#include "render.h"
#include "site.h"
#include "utf8.h"
#include "fuzz.h"

static const struct site fuzz_site = {
	.s_title = "Fuzz & <capsule>",
	.s_lang = "en",
	.s_host = "example.org",
	.s_gopher_host = "example.org",
	.s_port = { [ADDR_GEMINI] = 1965, [ADDR_GOPHER] = 70 },
	.s_home_limit = SITE_HOME_LIMIT
};

/* Does s[0..n) name a slug of c?  Slugs are [a-z0-9-]+. */
static int
fuzz_is_slug(const struct catalog *c, const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return catalog_find_slug(c, s, n) >= 0;
}

/* Is s[0..n) "page/N" for a list page that exists? */
static int
fuzz_is_page(const struct catalog *c, const char *s, size_t n)
{
	size_t	 i, v = 0;

	if (n < 6 || memcmp(s, "page/", 5) != 0)
		return 0;
	for (i = 5; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 1000000)
			return 0;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	return v >= 1 && v <= feed_npages(c);
}

/*
 * What every output is: built, clean text with no C0 byte but those of
 * `allowed`, ending with `ending`.
 */
static void
fuzz_check_output(const char *what, const struct buf *b,
    const char *allowed, const char *ending)
{
	size_t	 e = strlen(ending);

	FUZZ_CHECK(!b->b_failed && b->b_data != NULL, what, NULL, 0,
	    "buffer failed");
	fuzz_clean_text(what, b->b_data, b->b_len, allowed);
	FUZZ_CHECK(b->b_len >= e && memcmp(b->b_data + b->b_len - e, ending,
	    e) == 0, what, b->b_data, b->b_len, "does not end with the %zu "
	    "bytes it should", e);
}

static void
fuzz_check_gemtext(const char *what, const struct buf *b,
    const struct catalog *c)
{
	const char	*s = b->b_data, *l, *e, *t;
	size_t		 n = b->b_len, k;

	fuzz_check_output(what, b, "\n", "\n");
	for (l = s, k = 0; l < s + n; l = e + 1, k++) {
		e = memchr(l, '\n', (size_t)(s + n - l));
		if (l[0] == '#')
			FUZZ_CHECK(k == 0 || ((size_t)(e - l) == 19 &&
			    memcmp(l, "## Related articles", 19) == 0), what, s,
			    n, "heading on line %zu", k + 1);
		FUZZ_CHECK(l[0] != '*' && l[0] != '>' && !(e - l >= 3 &&
		    memcmp(l, "```", 3) == 0), what, s, n,
		    "line %zu is not neutralised", k + 1);
		if (e - l < 2 || memcmp(l, "=>", 2) != 0)
			continue;
		FUZZ_CHECK(e - l > 3 && l[2] == ' ' && l[3] != ' ', what, s, n,
		    "link line %zu without target", k + 1);
		if (e - l < 13 || memcmp(l + 3, "/articles/", 10) != 0)
			continue;
		/* "=> /articles/X.gmi[ label]" */
		for (t = l + 13; t < e && *t != ' '; t++)
			;
		FUZZ_CHECK(t - (l + 13) > 4 && memcmp(t - 4, ".gmi", 4) == 0,
		    what, s, n, "line %zu: not an article link", k + 1);
		FUZZ_CHECK(fuzz_is_slug(c, l + 13, (size_t)(t - 4 - (l + 13))) ||
		    fuzz_is_page(c, l + 13, (size_t)(t - 4 - (l + 13))), what,
		    s, n, "line %zu: link to an unknown article \"%.*s\"", k + 1,
		    (int)(t - (l + 13)), l + 13);
	}
}

/* A menu line "Tdisplay\tselector\thost\tport" (without CR LF). */
static void
fuzz_check_menu_line(const char *what, const char *s, size_t n,
    const char *l, size_t len, size_t k, const struct catalog *c)
{
	const char	*tab[3], *p;
	size_t		 ntab = 0, i, sl;

	for (i = 0; i < len; i++)
		if (l[i] == '\t') {
			if (ntab < 3)
				tab[ntab] = l + i;
			ntab++;
		}
	FUZZ_CHECK(ntab == 3, what, s, n, "line %zu has %zu TABs", k + 1, ntab);
	FUZZ_CHECK(tab[0] > l, what, s, n, "line %zu has no type", k + 1);
	FUZZ_CHECK(utf8_width(l + 1, (size_t)(tab[0] - l - 1)) <=
	    GOPHER_DISPLAY_MAX, what, s, n, "line %zu: display too wide",
	    k + 1);
	FUZZ_CHECK(tab[2] - tab[1] > 1 && l + len - tab[2] > 1, what, s, n,
	    "line %zu: no host or port", k + 1);
	for (p = tab[2] + 1; p < l + len; p++)
		FUZZ_CHECK(*p >= '0' && *p <= '9', what, s, n,
		    "line %zu: port not a number", k + 1);
	if (l[0] == 'i' || l[0] == '3' || c == NULL)
		return;
	/* "/articles/X/" and "/articles/X.txt" name articles */
	sl = (size_t)(tab[1] - tab[0] - 1);
	p = tab[0] + 1;
	if (sl < 11 || memcmp(p, "/articles/", 10) != 0)
		return;
	if (l[0] == '1' && p[sl - 1] == '/')
		FUZZ_CHECK(fuzz_is_slug(c, p + 10, sl - 11) ||
		    fuzz_is_page(c, p + 10, sl - 11), what, s, n,
		    "line %zu: menu of an unknown article", k + 1);
	else if (l[0] == '0' && sl > 14 && memcmp(p + sl - 4, ".txt", 4) == 0)
		FUZZ_CHECK(fuzz_is_slug(c, p + 10, sl - 14), what, s, n,
		    "line %zu: text of an unknown article", k + 1);
	else
		FUZZ_CHECK(0, what, s, n, "line %zu: odd article selector",
		    k + 1);
}

static void
fuzz_check_menu(const char *what, const struct buf *b,
    const struct catalog *c)
{
	const char	*s = b->b_data, *l, *e;
	size_t		 n = b->b_len, k, len;

	fuzz_check_output(what, b, "\r\n\t", ".\r\n");
	FUZZ_CHECK(n == 3 || s[n - 4] == '\n', what, s, n,
	    "does not end with a \".\" line");
	for (l = s, k = 0; l < s + n - 3; l = e + 2, k++) {
		e = memchr(l, '\n', (size_t)(s + n - l));
		FUZZ_CHECK(e != NULL && e > l && e[-1] == '\r', what, s, n,
		    "line %zu does not end with CR LF", k + 1);
		e--;
		len = (size_t)(e - l);
		FUZZ_CHECK(memchr(l, '\r', len) == NULL, what, s, n,
		    "bare CR in line %zu", k + 1);
		fuzz_check_menu_line(what, s, n, l, len, k, c);
	}
}

/* Gopher's dot policies (site.h s_gopher_strict), and Nex's none. */
enum fuzz_dots { DOTS_SPACE, DOTS_STRICT, DOTS_NONE };

static void
fuzz_check_text(const char *what, const struct buf *b, enum fuzz_dots dots)
{
	int		 strict = dots == DOTS_STRICT;
	const char	*s = b->b_data, *l, *e;
	size_t		 n = b->b_len, k, len, w;

	fuzz_check_output(what, b, "\r\n\t", "\r\n");
	if (strict)
		FUZZ_CHECK(n >= 3 && memcmp(s + n - 3, ".\r\n", 3) == 0 &&
		    (n == 3 || s[n - 4] == '\n'), what, s, n,
		    "strict text does not end with \".\"");
	for (l = s, k = 0; l < s + n; l = e + 1, k++) {
		e = memchr(l, '\n', (size_t)(s + n - l));
		FUZZ_CHECK(e != NULL && e > l && e[-1] == '\r', what, s, n,
		    "line %zu does not end with CR LF", k + 1);
		len = (size_t)(e - 1 - l);
		FUZZ_CHECK(memchr(l, '\r', len) == NULL, what, s, n,
		    "bare CR in line %zu", k + 1);
		if (strict && e + 1 == s + n)
			break;		/* the final "." */
		FUZZ_CHECK(!(len == 1 && l[0] == '.') || dots == DOTS_NONE,
		    what, s, n, "line %zu is a lone \".\"", k + 1);
		if (strict && len > 0 && l[0] == '.')
			FUZZ_CHECK(len > 1 && l[1] == '.', what, s, n,
			    "line %zu: leading '.' not doubled", k + 1);
		if (len > 11 && (memcmp(l, "  gopher://", 11) == 0 ||
		    memcmp(l, "  gemini://", 11) == 0))
			continue;	/* the URLs of a related article */
		w = utf8_width(l, len);
		if (strict && len > 0 && l[0] == '.')
			w--;
		FUZZ_CHECK(w <= GOPHER_WRAP || (len == 2 &&
		    memcmp(l, ". ", 2) == 0), what, s, n,
		    "line %zu is %zu columns", k + 1, w);
	}
}

/* A link line of a Nex directory, "=> target[ label]" (without LF). */
static void
fuzz_check_nex_link(const char *what, const char *s, size_t n,
    const char *l, size_t len, size_t k, const struct catalog *c)
{
	const char	*t = l + 3, *e;
	size_t		 tl;

	FUZZ_CHECK(len > 3 && l[2] == ' ' && l[3] != ' ', what, s, n,
	    "link line %zu without target", k + 1);
	for (e = t; e < l + len && *e != ' '; e++)
		;
	tl = (size_t)(e - t);
	FUZZ_CHECK(!(tl >= 7 && memcmp(t, "/search", 7) == 0), what, s, n,
	    "line %zu: a link to the search", k + 1);
	if (tl < 11 || memcmp(t, "/articles/", 10) != 0)
		return;
	if (t[tl - 1] == '/')
		FUZZ_CHECK(fuzz_is_slug(c, t + 10, tl - 11) ||
		    fuzz_is_page(c, t + 10, tl - 11), what, s, n,
		    "line %zu: an unknown article directory", k + 1);
	else
		FUZZ_CHECK(tl > 14 && memcmp(t + tl - 4, ".txt", 4) == 0 &&
		    fuzz_is_slug(c, t + 10, tl - 14), what, s, n,
		    "line %zu: odd article link", k + 1);
}

static void
fuzz_check_nex_dir(const char *what, const struct buf *b,
    const struct catalog *c)
{
	const char	*s = b->b_data, *l, *e;
	size_t		 n = b->b_len, k, len;

	fuzz_check_output(what, b, "\n", "\n");
	for (l = s, k = 0; l < s + n; l = e + 1, k++) {
		e = memchr(l, '\n', (size_t)(s + n - l));
		len = (size_t)(e - l);
		if (len >= 2 && memcmp(l, "=>", 2) == 0)
			fuzz_check_nex_link(what, s, n, l, len, k, c);
		else
			FUZZ_CHECK(utf8_width(l, len) <= NEX_WRAP + 1, what, s,
			    n, "line %zu is %zu columns", k + 1,
			    utf8_width(l, len));
	}
}

/* Article a (entry self of c) or c's home page in format f. */
static int
fuzz_render(struct buf *b, const struct article *a, const struct catalog *c,
    size_t self, const struct site *site, enum render_format f)
{
	struct page	 p;

	page_init(&p);
	return render_built(b, &p, a != NULL ? page_article(&p, a, c,
	    catalog_art(c, self), NULL, 0) : page_home(&p, c, site, NULL, 0), f,
	    site);
}

static void
fuzz_check_atom(const char *what, const struct buf *b,
    const struct catalog *c, const struct site *site)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;",
	    "&quot;", "&apos;" };
	const char	*s = b->b_data, *p;
	size_t		 n = b->b_len, entries = 0, want, i;

	fuzz_check_output(what, b, "\n", "</feed>\n");
	FUZZ_CHECK(strstr(s, "\xEF\xBF\xBE") == NULL &&
	    strstr(s, "\xEF\xBF\xBF") == NULL, what, s, n,
	    "U+FFFE or U+FFFF");
	for (p = s; (p = strchr(p, '&')) != NULL; p++) {
		for (i = 0; i < 5; i++)
			if (strncmp(p, ents[i], strlen(ents[i])) == 0)
				break;
		FUZZ_CHECK(i < 5, what, s, n, "bare '&' at %zu",
		    (size_t)(p - s));
	}
	for (p = s; (p = strstr(p, "<entry>")) != NULL; p++)
		entries++;
	want = c->c_nart < site->s_home_limit ? c->c_nart : site->s_home_limit;
	FUZZ_CHECK(entries == want, what, s, n, "%zu entries, want %zu",
	    entries, want);
}

/* Is the word s[0 .. n) one of list (NULL-ended)? */
static int
fuzz_word_in(const char *s, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(s, *list, n) == 0)
			return 1;
	return 0;
}

/* One tag at s[0] == '<' of what html.c writes; its length. */
static size_t
fuzz_html_tag(const char *what, const char *s, size_t n)
{
	static const char *const tags[] = { "html", "head", "meta", "title",
	    "link", "body", "header", "nav", "main", "footer", "h1", "h2",
	    "h3", "h4", "p", "ul", "li", "a", "time", "form", "label", "input",
	    "button", "pre", "blockquote", NULL };
	static const char *const attrs[] = { "lang", "charset", "name",
	    "content", "rel", "href", "type", "title", "class", "datetime",
	    "action", "method", "role", "maxlength", NULL };
	size_t	 i = 1, k;
	int	 href;

	if (n >= 15 && memcmp(s, "<!DOCTYPE html>", 15) == 0)
		return 15;
	i += i < n && s[i] == '/';
	for (k = i; k < n && s[k] >= 'a' && s[k] <= 'z'; k++)
		;
	k += k < n && k == i + 1 && s[k - 1] == 'h' && s[k] >= '1' &&
	    s[k] <= '4';
	FUZZ_CHECK(fuzz_word_in(s + i, k - i, tags), what, s, n < 80 ? n : 80,
	    "not an element html.c writes");
	for (i = k; i < n && s[i] != '>';) {
		FUZZ_CHECK(s[i] == ' ', what, s, n < 80 ? n : 80, "in a tag");
		for (k = ++i; k < n && s[k] >= 'a' && s[k] <= 'z'; k++)
			;
		FUZZ_CHECK(fuzz_word_in(s + i, k - i, attrs) && k + 1 < n &&
		    s[k] == '=' && s[k + 1] == '"', what, s, n < 80 ? n : 80,
		    "not an attribute html.c writes");
		href = k - i == 4 && memcmp(s + i, "href", 4) == 0;
		FUZZ_CHECK(!href || (strncasecmp(s + k + 2, "javascript:", 11) &&
		    strncasecmp(s + k + 2, "data:", 5)), what, s, n < 80 ? n :
		    80, "a script or data href");
		for (i = k + 2; i < n && s[i] != '"'; i++)
			FUZZ_CHECK(s[i] != '<', what, s, n < 80 ? n : 80,
			    "'<' in an attribute");
		FUZZ_CHECK(i < n, what, s, n < 80 ? n : 80, "unterminated");
		i++;
	}
	FUZZ_CHECK(i < n, what, s, n < 80 ? n : 80, "unterminated tag");
	return i + 1;
}

static void
fuzz_check_html(const char *what, const struct buf *b)
{
	static const char *const refs[] = { "&amp;", "&lt;", "&gt;",
	    "&quot;", "&#39;" };
	const char	*s = b->b_data;
	size_t		 n = b->b_len, i = 0, k;

	FUZZ_CHECK(!b->b_failed && s != NULL, what, NULL, 0, "buffer failed");
	fuzz_clean_text(what, s, n, "\n\t");
	while (i < n) {
		if (s[i] == '<') {
			i += fuzz_html_tag(what, s + i, n - i);
			continue;
		}
		FUZZ_CHECK(s[i] != '>', what, s, n, "'>' outside a tag");
		if (s[i] == '&') {
			for (k = 0; k < 5 && strncmp(s + i, refs[k],
			    strlen(refs[k])) != 0; k++)
				;
			FUZZ_CHECK(k < 5, what, s, n, "'&' not a reference");
		}
		i++;
	}
}

/* An article page and the home page in HTML. */
static void
fuzz_render_html(const struct article *a, const struct catalog *c,
    size_t self, const struct site *site)
{
	struct page	 p;
	struct buf	 b;

	buf_init(&b);
	page_init(&p);
	FUZZ_CHECK(render_built(&b, &p, a == NULL ? page_home(&p, c, site,
	    "# Intro <b>\n=> javascript:x y\n", 28) : page_article(&p, a, c,
	    catalog_art(c, self), NULL, 0), RENDER_HTML, site) == 0, "html", NULL,
	    0, "failed");
	fuzz_check_html(a == NULL ? "html home" : "html article", &b);
	buf_free(&b);
}

/* Every rendering of article a, entry `self` of c. */
static void
fuzz_render_article(const struct article *a, const struct catalog *c,
    size_t self)
{
	struct site	 site = fuzz_site;
	struct buf	 b;

	buf_init(&b);
	FUZZ_CHECK(gemtext_article(&b, a, c) == 0, "gemtext_article", NULL, 0,
	    "failed");
	fuzz_check_gemtext("gemtext_article", &b, c);
	FUZZ_CHECK(strncmp(b.b_data, "# ", 2) == 0, "gemtext_article",
	    b.b_data, b.b_len, "no title line");

	buf_reset(&b);
	FUZZ_CHECK(gopher_menu_article(&b, a, c, catalog_art(c, self), &site,
	    NULL, 0) == 0, "gopher_menu_article", NULL, 0, "failed");
	fuzz_check_menu("gopher_menu_article", &b, c);

	buf_reset(&b);
	FUZZ_CHECK(gopher_text_article(&b, a, c, catalog_art(c, self), &site) == 0,
	    "gopher_text_article", NULL, 0, "failed");
	fuzz_check_text("gopher_text_article", &b, DOTS_SPACE);

	buf_reset(&b);
	FUZZ_CHECK(fuzz_render(&b, a, c, self, &site, RENDER_NEX_DIR) == 0,
	    "Nex article", NULL, 0, "failed");
	fuzz_check_nex_dir("Nex article", &b, c);

	site.s_gopher_strict = 1;
	buf_reset(&b);
	FUZZ_CHECK(gopher_text_article(&b, a, c, catalog_art(c, self), &site) == 0,
	    "gopher_text_article strict", NULL, 0, "failed");
	fuzz_check_text("gopher_text_article strict", &b, DOTS_STRICT);

	buf_reset(&b);
	FUZZ_CHECK(fuzz_render(&b, a, c, self, &site, RENDER_NEX_TEXT) == 0,
	    "Nex text", NULL, 0, "failed");
	fuzz_check_text("Nex text", &b, DOTS_NONE);
	buf_free(&b);
	fuzz_render_html(a, c, self, &site);
}

/* The lists: home page, Atom feed, Gopher root, page 1 of each. */
static void
fuzz_render_lists(const struct catalog *c, size_t home_limit)
{
	struct site	 site = fuzz_site;
	struct buf	 b;

	site.s_home_limit = home_limit;
	buf_init(&b);
	FUZZ_CHECK(feed_home(&b, c, &site, NULL, 0) == 0, "feed_home", NULL, 0,
	    "failed");
	fuzz_check_gemtext("feed_home", &b, c);

	buf_reset(&b);
	FUZZ_CHECK(feed_atom(&b, c, &site) == 0, "feed_atom", NULL, 0,
	    "failed");
	fuzz_check_atom("feed_atom", &b, c, &site);

	buf_reset(&b);
	FUZZ_CHECK(gopher_menu_home(&b, c, &site) == 0, "gopher_menu_home",
	    NULL, 0, "failed");
	fuzz_check_menu("gopher_menu_home", &b, c);
	fuzz_render_html(NULL, c, 0, &site);

	buf_reset(&b);
	FUZZ_CHECK(fuzz_render(&b, NULL, c, 0, &site, RENDER_NEX_DIR) == 0,
	    "Nex home", NULL, 0, "failed");
	fuzz_check_nex_dir("Nex home", &b, c);

	if (feed_npages(c) >= 1) {
		buf_reset(&b);
		FUZZ_CHECK(feed_page(&b, c, 1, &site) == 0, "feed_page", NULL,
		    0, "failed");
		fuzz_check_gemtext("feed_page", &b, c);
		buf_reset(&b);
		FUZZ_CHECK(gopher_menu_page(&b, c, 1, &site) == 0,
		    "gopher_menu_page", NULL, 0, "failed");
		fuzz_check_menu("gopher_menu_page", &b, c);
		buf_reset(&b);
		FUZZ_CHECK(nex_list_page(&b, c, 1, &site) == 0,
		    "nex_list_page", NULL, 0, "failed");
		fuzz_check_nex_dir("nex_list_page", &b, c);
	}
	buf_free(&b);
}

/* What the catalog promises about its entries. */
static void
fuzz_check_catalog(const struct catalog *c)
{
	size_t	 i, j;

	for (i = 0; i < c->c_nart; i++) {
		const char *slug = catalog_art(c, i)->ca_slug;

		FUZZ_CHECK(fuzz_is_slug(c, slug, strlen(slug)), "catalog",
		    slug, strlen(slug), "slug of article %zu not found", i);
		FUZZ_CHECK(catalog_find_slug(c, slug, strlen(slug)) ==
		    (int64_t)i, "catalog", slug, strlen(slug),
		    "slug of article %zu finds another", i);
		FUZZ_CHECK(catalog_find_name(c, catalog_art(c, i)->ca_name) ==
		    (int64_t)i, "catalog", catalog_art(c, i)->ca_name,
		    strlen(catalog_art(c, i)->ca_name), "name lookup");
		fuzz_clean_text("catalog title", catalog_art(c, i)->ca_title,
		    strlen(catalog_art(c, i)->ca_title), "");
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(slug, catalog_art(c, j)->ca_slug) != 0,
			    "catalog", slug, strlen(slug), "duplicate slug");
	}
	for (i = 0; i < c->c_nart; i++) {
		const struct meta *m = catalog_art(c, i)->ca_meta;

		for (j = 0; j < m->m_nrel; j++)
			FUZZ_CHECK(catalog_resolve_key(c, m->m_relkey[j],
			    m->m_rel[j]) < (int64_t)c->c_nslot, "catalog",
			    NULL, 0, "related entry %zu points outside", j);
	}
	for (i = 1; i < c->c_nart; i++) {
		const struct cat_article *p =
		    catalog_art(c, catalog_order(c, i - 1));
		const struct cat_article *q = catalog_art(c, catalog_order(c, i));

		FUZZ_CHECK(p->ca_date >= q->ca_date, "catalog order", NULL, 0,
		    "not newest first at %zu", i);
	}
}

/* What article_load promises: clean, non-empty lines. */
static void
fuzz_check_article(const struct article *a)
{
	size_t	 i;

	FUZZ_CHECK(a->a_title != NULL && a->a_title[0] != '\0', "article",
	    NULL, 0, "no title");
	for (i = 0; i < a->a_text.t_nline; i++) {
		const char *l = a->a_text.t_line[i];
		size_t n = strlen(l);

		FUZZ_CHECK(n > 0 && l[0] != ' ' && l[n - 1] != ' ', "article",
		    l, n, "line %zu blank or not trimmed", i);
		fuzz_clean_text("article line", l, n, "");
	}
	FUZZ_CHECK(1 + a->a_npara + 3 * a->a_nrel <= a->a_text.t_nline,
	    "article", NULL, 0, "more parts than lines");
}

#endif
