/*
 * gemtext: text/gemini (capsuled(8) FORMAT): the serialiser of pages in
 * gemtext (gemtext_ops, render.h), and in Spartan's gemtext, whose search
 * link is an "=:" input line (spartan_ops), and the rules they share
 * with others (where a URL is in a paragraph, which lines need a
 * leading space).
 *
 * Example: title "T", paragraphs "* one" and "See gemini://a.b/x.",
 * one entry "T2" that resolves to slug t2, titled "T 2", renders as
 *   # T\n\n * one\n\nSee gemini://a.b/x.\n=> gemini://a.b/x\n
 *   \n## Related articles\n=> /articles/t2.gmi T 2\n
 */
#ifndef GEMTEXT_H
#define GEMTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* A URL longer than a Gemini request allows is left as text. */
#define GEMTEXT_URL_MAX	1024

struct article;
struct buf;
struct catalog;
struct page_block;

int	 gemtext_article(struct buf *, const struct article *,
	    const struct catalog *);
int	 gemtext_next_url(const char *, size_t, size_t *, size_t *, size_t *);
void	 gemtext_links(struct buf *, const char *, size_t);
void	 gemtext_link_line(struct buf *, const struct page_block *,
	    const char *, enum addr_proto);
int	 gemtext_needs_space(const char *);

#endif
