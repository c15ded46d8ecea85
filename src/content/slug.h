/*
 * slug: a title to the ASCII name used in addresses (capsuled(8),
 * FORMAT).
 *
 * Example: "Crêpes, Galettes and Pancakes: One Batter, Three Meals"
 * gives "crepes-galettes-and-pancakes-one-batter-three-meals";
 * "Beginner’s" and "Beginner's" both give "beginners"; "Щука и ёж"
 * gives "shchuka-i-yozh", "Κουζίνα" "kouzina"; "味噌" gives "", and an
 * article titled so in 味噌汁.txt is addressed by slug_from_name as
 * "a-e18c964a".
 */
#ifndef SLUG_H
#define SLUG_H

#include <stddef.h>

/* Addresses use at most this many characters of a slug (before -N). */
#define SLUG_MAX	100

/* "a-" and 8 hex digits, with its NUL. */
#define SLUG_HASH_ROOM	sizeof("a-12345678")

/*
 * Bytes to give slug_make or slug_from_name for n bytes of input: a
 * character can give twice its bytes (Щ, 2 bytes, is "shch"), and the
 * hash fallback needs SLUG_HASH_ROOM however short the name.
 */
#define SLUG_ROOM(n)	(2 * (n) + SLUG_HASH_ROOM)

size_t	 slug_make(const char *, size_t, char *);
size_t	 slug_cut(char *, size_t);
size_t	 slug_from_name(const char *, size_t, char *);

#endif
