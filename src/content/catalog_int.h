/*
 * catalog_int.h: what the parts of the catalog share, for catalog*.c
 * only (everyone else includes catalog.h).
 *
 *   catalog.c        versions, slots, maps, address slugs, lookups
 *   catalog_build.c  every map, address and the order built in full
 *   catalog_change.c the next version of a catalog: patched change by
 *                    change, or rebuilt keeping the slots
 *   catalog_order.c  the newest-first order in shared runs
 */
#ifndef CATALOG_INT_H
#define CATALOG_INT_H

#include <stddef.h>
#include <stdint.h>

struct catalog;
struct cat_article;
struct cat_run;
struct cat_slug;
struct meta;
struct plist;

/* What an article is listed under in a map of lists (catalog.c). */
enum list_kind {
	LIST_KEY,	/* c_bykey, or c_bytitle when the key is "" */
	LIST_ROOT,	/* c_byroot */
};

/* catalog.c, for catalog_change.c and catalog_build.c */
void	 catalog_entry_clear(struct cat_article *);
void	 catalog_slug_unref(struct cat_slug *);
struct cat_article *catalog_entry_own(struct catalog *, size_t);
int	 catalog_slot_grow(struct catalog *);
int	 catalog_slot_set(struct catalog *, size_t, struct meta *);
size_t	 catalog_root_len(const char *, size_t);
int	 catalog_name_cmp(const struct catalog *, uint32_t, uint32_t);
int	 catalog_list_add(struct catalog *, enum list_kind, uint32_t);
int	 catalog_list_append(struct catalog *, enum list_kind, uint32_t);
int	 catalog_list_del(struct catalog *, enum list_kind, uint32_t);
int	 catalog_root_slugs(struct catalog *, const struct plist *);
int	 catalog_root_update(struct catalog *, const char *, size_t);

/* catalog_build.c, for catalog_change.c */
int	 catalog_derive_all(struct catalog *);

void	 catalog_run_unref(struct cat_run *);
int	 catalog_order_add(struct catalog *, uint32_t);
int	 catalog_order_del(struct catalog *, uint32_t);
int	 catalog_order_build(struct catalog *);

#endif /* CATALOG_INT_H */
