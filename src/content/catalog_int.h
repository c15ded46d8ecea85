/*
 * catalog_int.h: what the parts of the catalog share, for catalog*.c
 * only (everyone else includes catalog.h).
 *
 *   catalog.c        versions, slots, maps, address slugs, lookups
 *   catalog_order.c  the newest-first order in shared runs
 */
#ifndef CATALOG_INT_H
#define CATALOG_INT_H

#include <stdint.h>

struct catalog;
struct cat_run;

void	 catalog_run_unref(struct cat_run *);
int	 catalog_order_add(struct catalog *, uint32_t);
int	 catalog_order_del(struct catalog *, uint32_t);
int	 catalog_order_build(struct catalog *);

#endif /* CATALOG_INT_H */
