/*
 * feed: the lists of articles for Gemini readers (page_home and
 * page_list in gemtext) and the Atom feed of feed readers, a serialiser
 * of its own over the same catalog order.
 *
 * Example: a capsule titled "Notes" with one article gives the home page
 *   # Notes\n\n=> /articles/crepes.gmi 2023-11-02 Crêpes\n
 *   \n=> /atom.xml Atom feed\n
 * which is a subscribable gemfeed, and an Atom 1.0 document with one
 * <entry> whose link is gemini://host/articles/crepes.gmi.
 */
#ifndef FEED_H
#define FEED_H

#include <stddef.h>

struct buf;
struct catalog;
struct site;

size_t	 feed_npages(const struct catalog *);
int	 feed_home(struct buf *, const struct catalog *, const struct site *,
	    const char *, size_t);
int	 feed_page(struct buf *, const struct catalog *, size_t,
	    const struct site *);
int	 feed_atom(struct buf *, const struct catalog *, const struct site *);
void	 feed_xml_escape(struct buf *, const char *);

#endif
