/*
 * What html.c writes into a page that comes from outside: text escaped
 * for HTML, hrefs checked and encoded, gemtext written as HTML, and the
 * stylesheet (html.h).
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "html.h"
#include "utf8.h"

/*
 * Readable measure, system fonts, dark mode, a phone's width; colours
 * contrast at least 7:1 (WCAG AAA) on their background in both schemes.
 */
const char html_stylesheet[] =
":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fdfdfc;--mute:#4f4f4f;"
"--link:#0b4fa8;--visited:#6b2f9a;--rule:#c8c8c8;--pre:#f0f0ee}\n"
"@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#161616;"
"--mute:#b4b4b4;--link:#8fbcff;--visited:#d0adf7;--rule:#444;"
"--pre:#232323}}\n"
"html{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
"\"Noto Sans\",sans-serif;line-height:1.6;-webkit-text-size-adjust:100%}\n"
"body{margin:0 auto;padding:1rem 1.25rem 3rem;max-width:40rem;"
"color:var(--fg);background:var(--bg);overflow-wrap:break-word}\n"
"a{color:var(--link)}a:visited{color:var(--visited)}\n"
"h1{font-size:1.8rem;line-height:1.25;margin:1.5rem 0 .5rem}\n"
"h2{font-size:1.3rem;margin:2rem 0 .5rem}h3{font-size:1.1rem}\n"
"pre{overflow-x:auto;padding:.75rem;background:var(--pre);"
"font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem;"
"line-height:1.4}\n"
"blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid "
"var(--rule)}\n"
"ul{padding-left:1.25rem}li{margin:.35rem 0}\n"
".date,.snippet,li time{color:var(--mute)}\n"
"header,footer{font-size:.95rem}\n"
"footer{margin-top:3rem;border-top:1px solid var(--rule);padding-top:1rem}\n"
"form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}\n"
"input{font:inherit;padding:.3rem .5rem;min-width:10rem;color:var(--fg);"
"background:var(--bg);border:1px solid var(--mute)}\n"
"button{font:inherit;padding:.3rem .8rem}\n";
const size_t html_stylesheet_len = sizeof(html_stylesheet) - 1;

#define REPLACEMENT	"\xEF\xBF\xBD"	/* U+FFFD */

/* Characters no page holds: U+FFFE, U+FFFF and U+FDD0..U+FDEF. */
static int
noncharacter(uint32_t cp)
{
	return (cp & 0xfffe) == 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef);
}

/*
 * s[0 .. n) as HTML text, fit for an element or a quoted attribute:
 * the five markup characters as references, bytes that are not UTF-8
 * as U+FFFD, control and bidi characters (but LF and TAB) and
 * noncharacters left out.
 */
void
html_text(struct buf *b, const char *s, size_t n)
{
	size_t		 i = 0, run = 0, len;
	uint32_t	 cp;
	const char	*ref;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		ref = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ?
		    "&gt;" : c == '"' ? "&quot;" : c == '\'' ? "&#39;" : NULL;
		if (ref == NULL && (c == '\n' || c == '\t' ||
		    (c >= 0x20 && c < 0x7f))) {
			i++;
			continue;
		}
		buf_add(b, s + run, i - run);
		len = 1;
		if (ref != NULL)
			buf_adds(b, ref);
		else if ((len = utf8_control_len(s + i, n - i)) > 0)
			;	/* left out */
		else if ((len = utf8_decode(s + i, n - i, &cp)) > 0 &&
		    cp == 0xfffd)
			buf_adds(b, REPLACEMENT);
		else if (!noncharacter(cp))
			buf_add(b, s + i, len);
		i += len;
		run = i;
	}
	buf_add(b, s + run, n - run);
}

/* The schemes a link may have; any other stays text. */
static const char *const schemes[] = {
	"gemini", "gopher", "spartan", "nex", "http", "https", "mailto",
};

/*
 * May url (n bytes) be an href?  Relative (no scheme), or one of the
 * schemes: never javascript:, data: or any other.  Spaces and controls
 * cannot hide a scheme: html_href encodes them.
 */
int
html_href_ok(const char *url, size_t n)
{
	size_t	 i, k;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (url[i] == ':' || url[i] == '/' || url[i] == '?' ||
		    url[i] == '#')
			break;
	if (i == n || url[i] != ':')
		return 1;	/* no scheme */
	for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++)
		if (strlen(schemes[k]) == i &&
		    strncasecmp(url, schemes[k], i) == 0)
			return 1;
	return 0;
}

/*
 * url as the value of a quoted href: spaces, controls, bytes past ASCII
 * and the characters RFC 3986 never allows percent-encoded (an existing
 * "%XX" stays), '&' and '\'' escaped.
 */
void
html_href(struct buf *b, const char *url, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c == '&')
			buf_adds(b, "&amp;");
		else if (c == '\'')
			buf_adds(b, "&#39;");
		else if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c)) {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		} else
			buf_addc(b, c);
	}
}

/* What a run of gemtext lines is in HTML. */
enum block {
	B_NONE,
	B_LINKS,	/* "=>" lines: a list of links */
	B_ITEMS,	/* "* " lines: a list */
	B_QUOTE,	/* "> " lines */
	B_PRE,		/* between "```" lines */
};

static const char *const opens[] = {
	[B_NONE] = "", [B_LINKS] = "<ul>\n", [B_ITEMS] = "<ul>\n",
	[B_QUOTE] = "<blockquote>\n", [B_PRE] = "<pre>",
};
static const char *const closes[] = {
	[B_NONE] = "", [B_LINKS] = "</ul>\n", [B_ITEMS] = "</ul>\n",
	[B_QUOTE] = "</blockquote>\n", [B_PRE] = "</pre>\n",
};

static void
enter(struct buf *b, enum block *cur, enum block next)
{
	if (*cur == next)
		return;
	buf_adds(b, closes[*cur]);
	buf_adds(b, opens[next]);
	*cur = next;
}

static size_t
blanks(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	return i;
}

/* "=>" URL [label]: a link if its URL may be one, else its text. */
static void
gemtext_link(struct buf *b, const char *s, size_t n)
{
	size_t	 i = blanks(s, n), u, lab;

	for (u = i; u < n && s[u] != ' ' && s[u] != '\t'; u++)
		;
	lab = u + blanks(s + u, n - u);
	buf_adds(b, "<li>");
	if (html_href_ok(s + i, u - i)) {
		buf_adds(b, "<a href=\"");
		html_href(b, s + i, u - i);
		buf_adds(b, "\">");
		html_text(b, lab < n ? s + lab : s + i, lab < n ? n - lab :
		    u - i);
		buf_adds(b, "</a>");
	} else
		html_text(b, s + i, n - i);
	buf_adds(b, "</li>\n");
}

/* One line of gemtext (no line end) outside a preformatted block. */
static void
gemtext_line(struct buf *b, enum block *cur, const char *s, size_t n)
{
	/* under the page's own <h1>: one level down */
	static const char *const h[] = { "h2", "h3", "h4" };
	size_t	 level = 0;

	if (n >= 2 && s[0] == '=' && s[1] == '>') {
		enter(b, cur, B_LINKS);
		gemtext_link(b, s + 2, n - 2);
		return;
	}
	if (n >= 2 && s[0] == '*' && s[1] == ' ') {
		enter(b, cur, B_ITEMS);
		buf_adds(b, "<li>");
		html_text(b, s + 2, n - 2);
		buf_adds(b, "</li>\n");
		return;
	}
	if (n >= 1 && s[0] == '>') {
		enter(b, cur, B_QUOTE);
		buf_adds(b, "<p>");
		html_text(b, s + 1 + blanks(s + 1, n - 1), n - 1 -
		    blanks(s + 1, n - 1));
		buf_adds(b, "</p>\n");
		return;
	}
	enter(b, cur, B_NONE);
	while (level < 3 && level < n && s[level] == '#')
		level++;
	if (n - level - blanks(s + level, n - level) == 0)
		return;		/* an empty line or heading */
	buf_printf(b, "<%s>", level > 0 ? h[level - 1] : "p");
	html_text(b, s + level + blanks(s + level, n - level), n - level -
	    blanks(s + level, n - level));
	buf_printf(b, "</%s>\n", level > 0 ? h[level - 1] : "p");
}

/*
 * Gemtext s[0 .. n) (any bytes: a file of the capsule) as HTML: headings
 * (one level below the page's title), paragraphs, lists of links, lists,
 * quotes and preformatted text.
 */
void
html_gemtext(struct buf *b, const char *s, size_t n)
{
	enum block	 cur = B_NONE;
	const char	*end, *line = s;
	size_t		 len;

	while (line < s + n) {
		if ((end = memchr(line, '\n', (size_t)(s + n - line))) == NULL)
			end = s + n;
		len = (size_t)(end - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len >= 3 && strncmp(line, "```", 3) == 0)
			enter(b, &cur, cur == B_PRE ? B_NONE : B_PRE);
		else if (cur == B_PRE) {
			html_text(b, line, len);
			buf_addc(b, '\n');
		} else
			gemtext_line(b, &cur, line, len);
		line = end + 1;
	}
	enter(b, &cur, B_NONE);
}
