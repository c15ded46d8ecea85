/*
 * catalog: the articles of a capsule as a whole (capsuled(8), FORMAT):
 * unique address slugs, related
 * entries resolved to articles, and the newest-first order.
 *
 * Example: files 001.txt "Crêpes" and 002.txt "crepes!" both slug to
 * "crepes"; in file-name order 001.txt gets /articles/crepes.gmi and
 * 002.txt /articles/crepes-2.gmi, and a related entry "CREPES" in any
 * article resolves to 001.txt.
 *
 * Use: catalog_new, catalog_add (or catalog_add_meta) for each article
 * in any order, catalog_finish once, then only lookups.  The catalog
 * holds a reference to each article's meta (shared with other catalogs)
 * and owns its indexes; it holds no paragraph text.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "strmap.h"

struct article;
struct meta;

struct cat_article {
	struct meta	*ca_meta;	/* a reference; the strings are its */
	const char	*ca_name;	/* file name, raw bytes */
	const char	*ca_title;	/* cleaned title */
	const char	*ca_key;	/* full slug of the title, may be "" */
	const char	*ca_slug;	/* address slug: cut, unique */
	const char	*ca_lang;	/* front-matter lang or NULL */
	int64_t		 ca_date;	/* UTC seconds */
	uint32_t	 ca_rel;	/* first related entry in c_rel */
	uint32_t	 ca_nrel;	/* number of related entries */
};

struct cat_rel {
	const char	*cr_title;	/* entry title as written (cleaned) */
	const char	*cr_key;	/* its full slug */
	int64_t		 cr_target;	/* article index, or -1 */
};

struct catalog {
	struct arena		 c_arena;	/* suffixed slugs */
	struct cat_article	*c_art;		/* in file-name order */
	size_t			 c_nart;
	size_t			 c_artcap;
	struct cat_rel		*c_rel;		/* all related entries */
	size_t			 c_nrel;
	size_t			 c_relcap;
	uint32_t		*c_order;	/* indexes, newest first */
	struct strmap		 c_byslug;	/* address slug -> index */
	struct strmap		 c_bykey;	/* full title slug -> first */
	struct strmap		 c_bytitle;	/* title -> first, if key "" */
	struct strmap		 c_byname;	/* file name -> index */
	struct strmap		 c_suffix;	/* slug base -> next -N */
};

struct catalog	*catalog_new(void);
void		 catalog_free(struct catalog *);
int		 catalog_add(struct catalog *, const char *,
		    const struct article *, int64_t);
int		 catalog_add_meta(struct catalog *, struct meta *);
void		 catalog_entry(struct cat_article *, struct meta *);
int		 catalog_finish(struct catalog *);
int64_t		 catalog_resolve(const struct catalog *, const char *);
int64_t		 catalog_find_slug(const struct catalog *, const char *,
		    size_t);
int64_t		 catalog_find_name(const struct catalog *, const char *);

#endif
