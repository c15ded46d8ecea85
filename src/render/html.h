/*
 * html: the HTML mirror's serialiser (html_ops, render.h) and what the
 * HTTP adapter writes besides pages: escaped text, a checked href, the
 * stylesheet, gemtext shown as HTML.
 *
 * Example: the article "T" (slug t, 2024-01-02, lang fr) with the
 * paragraph "See https://a.example/ now" is written
 *   <!DOCTYPE html>\n<html lang="fr">\n<head>... <title>T — Site</title>
 *   <link rel="stylesheet" href="/style.css"> ...</head>\n<body>
 *   <header>...</header>\n<main>\n<h1>T</h1>\n<p class="date"><time
 *   datetime="2024-01-02">2024-01-02</time></p>\n<p>See <a
 *   href="https://a.example/">https://a.example/</a> now</p>\n...
 * Every string of a page (titles, paragraphs, file names, queries) is
 * escaped for where it goes; a URL becomes an href only with a scheme
 * of HTML_SCHEMES (or none: relative), else it stays text.  No script,
 * no style attribute, no resource from elsewhere: the page works under
 * HTML_CSP.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

struct buf;

/* The page's own stylesheet, and the only one (http_proto.c serves it). */
#define HTML_STYLE_PATH	"/style.css"
/* What a page may load: its stylesheet, and forms sent to itself. */
#define HTML_CSP	"default-src 'none'; style-src 'self'; " \
			"form-action 'self'; base-uri 'none'; " \
			"frame-ancestors 'none'"
/* Language of a page when neither the article nor the site names one. */
#define HTML_LANG_DEFAULT	"en"

extern const char	 html_stylesheet[];
extern const size_t	 html_stylesheet_len;

void	 html_text(struct buf *, const char *, size_t);
int	 html_href_ok(const char *, size_t);
void	 html_href(struct buf *, const char *, size_t);
void	 html_gemtext(struct buf *, const char *, size_t);

#endif
