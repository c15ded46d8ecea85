/*
 * gopher_render: the serialisers of pages (page.h) as Gopher menus and
 * type-0 text (gopher_menu_ops, gopher_text_ops in render.h; RFC 1436,
 * capsuled(8)), the menu lines they are made of, and the article and
 * list pages written with them.
 *
 * Example: the menu of an article "T" (slug t) with one paragraph "Hi"
 * and a related entry resolving to "U" (slug u), on host h port 70:
 *   iT\t\tnull.host\t1\r\n  i2024-01-02\t\tnull.host\t1\r\n  i\t...\r\n
 *   iHi\t\tnull.host\t1\r\n  i\t...\r\n
 *   0Plain text version\t/articles/t.txt\th\t70\r\n  i\t...\r\n
 *   iRelated articles\t...\r\n  1U\t/articles/u/\th\t70\r\n  i\t...\r\n
 *   1Home\t/\th\t70\r\n  .\r\n
 * Info lines are wrapped at GOPHER_WRAP columns of display width; item
 * display strings are cut at GOPHER_DISPLAY_MAX.
 */
#ifndef GOPHER_RENDER_H
#define GOPHER_RENDER_H

#include <stddef.h>
#include <stdint.h>

#define GOPHER_WRAP		67	/* columns of wrapped text */
#define GOPHER_DISPLAY_MAX	69	/* columns of a display string */

struct article;
struct buf;
struct cat_article;
struct catalog;
struct site;

void	 gopher_info(struct buf *, const char *, size_t);
void	 gopher_item(struct buf *, char, const char *, const char *,
	    const struct site *);
void	 gopher_wrap_info(struct buf *, const char *);
int	 gopher_menu_article(struct buf *, const struct article *,
	    const struct catalog *, const struct cat_article *,
	    const struct site *, const uint32_t *, size_t);
int	 gopher_text_article(struct buf *, const struct article *,
	    const struct catalog *, const struct cat_article *,
	    const struct site *);
int	 gopher_menu_home(struct buf *, const struct catalog *,
	    const struct site *);
int	 gopher_menu_page(struct buf *, const struct catalog *, size_t,
	    const struct site *);
void	 gopher_text_line(struct buf *, const char *, size_t, int);

#endif
