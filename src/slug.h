/*
 * slug: a title to the ASCII name used in addresses (corpus README
 * section 3).
 *
 * Example: "Crêpes, Galettes and Pancakes: One Batter, Three Meals"
 * gives "crepes-galettes-and-pancakes-one-batter-three-meals";
 * "Beginner’s" and "Beginner's" both give "beginners"; "味噌" gives "".
 */
#ifndef SLUG_H
#define SLUG_H

#include <stddef.h>

/* Addresses use at most this many characters of a slug (before -N). */
#define SLUG_MAX	100

size_t	 slug_make(const char *, size_t, char *);
size_t	 slug_cut(char *, size_t);

#endif
