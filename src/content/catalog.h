/*
 * catalog: the articles of a capsule as a whole (capsuled(8), FORMAT):
 * unique address slugs, related entries resolved to articles, and the
 * newest-first order.
 *
 * Example: files 001.txt "Crêpes" and 002.txt "crepes!" both slug to
 * "crepes"; in file-name order 001.txt gets /articles/crepes.gmi and
 * 002.txt /articles/crepes-2.gmi, and a related entry "CREPES" in any
 * article resolves to 001.txt.  Delete 001.txt with catalog_apply and
 * the next catalog serves 002.txt at /articles/crepes.gmi.
 *
 * Use: catalog_new, catalog_add (or catalog_add_meta) for each article
 * in any order, catalog_finish once, then only lookups; or
 * catalog_apply(prev, changes) for the next version of a catalog.
 *
 * Articles have stable indexes ("slots"): an article keeps its slot from
 * one version to the next while its file name stays, a deleted
 * article's slot is given to a later one, and slots in between may be
 * empty (catalog_art's ca_meta NULL): iterate [0, c_nslot) and skip
 * those; c_nart counts the articles.  A version shares with the one it
 * was made from every part it did not change: the slots in chunks of
 * CAT_CHUNK, the newest-first order in runs of at most CAT_RUN, the maps
 * in shards (pmap.h), each reference-counted and never written once
 * shared.  So a change of k articles costs about k log n plus copying
 * the tables of those parts (n / CAT_CHUNK + n / CAT_RUN + 5 *
 * PMAP_SHARDS pointers), not n.  The catalog holds a reference to each
 * article's meta and no paragraph text.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "pmap.h"

struct article;
struct meta;

struct cat_slug;

struct cat_article {
	struct meta	*ca_meta;	/* a reference; NULL: empty slot */
	const char	*ca_name;	/* file name, raw bytes */
	const char	*ca_title;	/* cleaned title */
	const char	*ca_key;	/* full slug of the title, may be "" */
	const char	*ca_slug;	/* address slug: cut, unique */
	const char	*ca_lang;	/* front-matter lang or NULL */
	int64_t		 ca_date;	/* UTC seconds */
	struct cat_slug	*ca_own;	/* holds ca_slug when suffixed */
};

/* Slots per chunk, and order entries per run (at most). */
#define CAT_CHUNK	256
#define CAT_RUN		512

struct cat_chunk {
	_Atomic int		 ch_refs;
	struct cat_article	 ch_art[CAT_CHUNK];
};

struct cat_run {
	_Atomic int	 cr_refs;
	uint32_t	 cr_n;
	uint32_t	 cr_slot[CAT_RUN];	/* newest first */
};

/* One change for catalog_apply: file name and its new meta (NULL: gone). */
struct cat_change {
	const char	*cg_name;
	struct meta	*cg_meta;	/* borrowed: the catalog takes a ref */
};

struct catalog {
	struct cat_chunk **c_chunk;	/* slots [0, c_nslot) */
	size_t		  c_nslot;
	size_t		  c_nart;	/* articles: slots in use */
	uint32_t	 *c_free;	/* empty slots below c_nslot */
	size_t		  c_nfree;
	struct cat_run	**c_run;	/* the newest-first order */
	size_t		 *c_runend;	/* order position after run i */
	size_t		  c_nrun;
	struct pmap	  c_byslug;	/* address slug -> slot */
	struct pmap	  c_byname;	/* file name -> slot */
	struct pmap	  c_bykey;	/* full title slug -> slots by name */
	struct pmap	  c_bytitle;	/* title, if key "" -> slots by name */
	struct pmap	  c_byroot;	/* slug root -> slots by name */
	uint64_t	  c_epoch;	/* slots mean the same within one */
	uint32_t	 *c_changed;	/* slots changed since the previous */
	size_t		  c_nchanged;	/* version (catalog_apply) */
	struct meta	**c_add;	/* catalog_add_meta, until finish */
	size_t		  c_nadd;
	size_t		  c_addcap;
};

/*
 * A batch of more than this many changes per 1,000 articles is cheaper
 * to build afresh (catalog_apply then calls catalog_rebuild rather than
 * catalog_patch; bench/catalog_batch.c measures it, BENCHMARKS.md).
 */
#define CAT_REBUILD_PERMILLE	500

struct catalog	*catalog_new(void);
void		 catalog_free(struct catalog *);
int		 catalog_add(struct catalog *, const char *,
		    const struct article *, int64_t);
int		 catalog_add_meta(struct catalog *, struct meta *);
void		 catalog_entry(struct cat_article *, struct meta *);
int		 catalog_finish(struct catalog *);
struct catalog	*catalog_apply(const struct catalog *,
		    const struct cat_change *, size_t);
struct catalog	*catalog_patch(const struct catalog *,
		    const struct cat_change *, size_t);
struct catalog	*catalog_rebuild(const struct catalog *,
		    const struct cat_change *, size_t);
int64_t		 catalog_resolve(const struct catalog *, const char *);
int64_t		 catalog_resolve_key(const struct catalog *, const char *,
		    const char *);
int64_t		 catalog_find_slug(const struct catalog *, const char *,
		    size_t);
int64_t		 catalog_find_name(const struct catalog *, const char *);

/* The entry in slot i (< c_nslot); ca_meta NULL when empty. */
static inline const struct cat_article *
catalog_art(const struct catalog *c, size_t i)
{
	return &c->c_chunk[i / CAT_CHUNK]->ch_art[i % CAT_CHUNK];
}

size_t		 catalog_order(const struct catalog *, size_t);

#endif
