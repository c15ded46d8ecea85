/*
 * page: every generated page as data, built once from the catalog (and
 * an article, search hits or a directory's entries), then written by a
 * serialiser of render.h in the form a protocol wants.  Pure: no I/O.
 *
 * A page is a sequence of blocks.  A block says what it is (a title, a
 * paragraph, a link to an article ...), never how it is written: the
 * serialiser decides that ("# T" in gemtext, wrapped info lines in a
 * Gopher menu).  Each block also says in which media it shows, for what
 * one medium has and another has not (the Gopher menu's "Plain text
 * version" item, the gemfeed's Atom link).  The media are the three
 * families of serialisers: hypertext (gemtext; Spartan and an HTML
 * mirror, html.c, are others), menus (Gopher, and Nex directories: text
 * lines and link lines), plain text (Gopher type 0, Nex text).  A page
 * also says what it is (pg_self: the article, the home page, list page n
 * ...) and in which language (pg_lang), for the serialisers that name
 * them (an HTML head: <html lang>, alternate addresses).
 *
 * Example: page_article of "T" (slug t, 2024-01-02) with one paragraph
 * "Hi" and a related entry resolving to "U" (slug u) is
 *   TITLE "T" | LINE "2024-01-02" (menu, text) | BREAK | PARA "Hi" |
 *   BREAK (menu) | LINK article text of t "Plain text version" (menu) |
 *   BREAK | HEADING "Related articles" | BREAK (text) | LINK article u "U" |
 *   BREAK (menu) | LINK home "Home" (menu)
 * which gemtext writes
 *   "# T\n\nHi\n\n## Related articles\n=> /articles/u.gmi U\n".
 *
 * The page owns the blocks and the strings it composed (labels, dates);
 * it borrows the others (titles, paragraphs, slugs) from the article,
 * the catalog and the caller, which must outlive it.
 */
#ifndef PAGE_H
#define PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "arena.h"

enum page_medium {
	PAGE_HYPERTEXT,		/* links among the text: gemtext */
	PAGE_MENU,		/* items and info lines: Gopher menus, Nex
				   directories */
	PAGE_PLAIN,		/* text only, URLs written out: Gopher type 0,
				   Nex text */
	NUM_PAGE_MEDIA
};

#define PAGE_IN(m)	(1u << (m))
#define PAGE_IN_ALL	((1u << NUM_PAGE_MEDIA) - 1)

/* The similar section shows in these media (not in plain text). */
#define PAGE_SIMILAR_IN	(PAGE_IN(PAGE_HYPERTEXT) | PAGE_IN(PAGE_MENU))

enum page_block_type {
	PAGE_TITLE,		/* the page's title */
	PAGE_HEADING,		/* a section's title */
	PAGE_PARA,		/* an article's paragraph: its URLs are links */
	PAGE_TEXT,		/* text to wrap, without links (a snippet) */
	PAGE_LINE,		/* one line, never wrapped (a date, a count) */
	PAGE_GEMTEXT,		/* gemtext written by the author (index.gmi) */
	PAGE_LINK,		/* a link: pb_to, labelled pb_text */
	PAGE_PENDING,		/* a related title no article has yet */
	PAGE_BREAK,		/* an empty line between groups */
	NUM_PAGE_BLOCKS
};

struct page_block {
	enum page_block_type pb_type;
	unsigned	 pb_media;	/* PAGE_IN() of the media it shows in */
	const char	*pb_text;	/* text or label; NULL: a file link */
	size_t		 pb_len;	/* bytes of pb_text */
	struct addr_target pb_to;	/* LINK: what it points at */
	const char	*pb_title;	/* LINK to an article: its title */
	int64_t		 pb_date;	/* and its date, when pb_dated */
	int		 pb_dated;	/* LINK: an entry of a dated list;
					   TITLE: an article's, dated */
	char		 pb_gopher_type; /* LINK: item type; 0: the kind's */
	int		 pb_other;	/* LINK: the page over another protocol */
	enum addr_proto	 pb_proto;	/* which one, not shown in its own */
};

struct page {
	struct page_block *pg_block;	/* owned */
	size_t		 pg_n;
	size_t		 pg_cap;
	struct arena	 pg_arena;	/* the strings the page composed */
	int		 pg_failed;	/* an allocation failed */
	struct addr_target pg_self;	/* the page's own address */
	const char	*pg_lang;	/* its language tag, NULL: the site's */
};

/* One entry of a directory listing (the caller has read and sorted them). */
struct page_entry {
	const char	*pe_name;	/* file name, raw bytes */
	int		 pe_is_dir;
	char		 pe_gopher_type; /* a file's item type ('0', 'I'...) */
};

struct article;
struct cat_article;
struct catalog;
struct search_hit;
struct site;

void	 page_init(struct page *);
void	 page_free(struct page *);
struct page_block *page_add(struct page *, enum page_block_type, unsigned,
	    const char *);
struct page_block *page_add_link(struct page *, enum addr_kind, unsigned,
	    const char *);
const char *page_printf(struct page *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

int	 page_article(struct page *, const struct article *,
	    const struct catalog *, const struct cat_article *,
	    const uint32_t *, size_t);
int	 page_home(struct page *, const struct catalog *, const struct site *,
	    const char *, size_t);
int	 page_list(struct page *, const struct catalog *, size_t,
	    const struct site *);
int	 page_search(struct page *, const struct catalog *, const char *,
	    const struct search_hit *, size_t);
int	 page_search_prompt(struct page *);
int	 page_listing(struct page *, const char *, const struct page_entry *,
	    size_t);
size_t	 page_npages(const struct catalog *);

#endif
