/*
 * textindex_dict.c: the stem dictionary of the text index, stems to
 * dense ids by open addressing over keys stored back to back; the index
 * keeps one, and each builder thread two of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "textindex_int.h"

void
textindex_dict_free(struct dict *d)
{
	free(d->d_str);
	free(d->d_off);
	free(d->d_hash);
	free(d->d_slot);
	memset(d, 0, sizeof(*d));
}

uint32_t
textindex_dict_find(const struct dict *d, const char *s, size_t n, uint32_t h)
{
	uint32_t i, id;

	if (d->d_slot == NULL)
		return NONE;
	for (i = h & d->d_mask;; i = (i + 1) & d->d_mask) {
		if ((id = d->d_slot[i]) == 0)
			return NONE;
		id--;
		if (d->d_hash[id] == h &&
		    d->d_off[id + 1] - d->d_off[id] == n &&
		    memcmp(d->d_str + d->d_off[id], s, n) == 0)
			return id;
	}
}

static int
dict_rehash(struct dict *d, uint32_t nslot)
{
	uint32_t *slot, i, j;

	if ((slot = calloc(nslot, sizeof(*slot))) == NULL)
		return -1;
	free(d->d_slot);
	d->d_slot = slot;
	d->d_mask = nslot - 1;
	for (i = 0; i < d->d_n; i++) {
		for (j = d->d_hash[i] & d->d_mask; slot[j] != 0;
		    j = (j + 1) & d->d_mask)
			continue;
		slot[j] = i + 1;
	}
	return 0;
}

/* Adds a key known to be absent; returns its id, NONE when out of memory. */
uint32_t
textindex_dict_add(struct dict *d, const char *s, size_t n, uint32_t h)
{
	size_t	 cap = d->d_cap, hcap = d->d_cap, i;

	if (d->d_n >= NONE / 4 || d->d_strlen + n >= NONE)
		return NONE;
	if (d->d_slot == NULL ? dict_rehash(d, 64) == -1 :
	    (d->d_n + 1) * 2 > d->d_mask + 1 &&
	    dict_rehash(d, (d->d_mask + 1) * 2) == -1)
		return NONE;
	if (grow(&d->d_off, &cap, d->d_n + 2, sizeof(*d->d_off)) == -1 ||
	    grow(&d->d_hash, &hcap, d->d_n + 2, sizeof(*d->d_hash)) == -1 ||
	    grow(&d->d_str, &d->d_strcap, d->d_strlen + n + 1, 1) == -1)
		return NONE;
	d->d_cap = (uint32_t)(cap < hcap ? cap : hcap);
	memcpy(d->d_str + d->d_strlen, s, n);
	d->d_off[d->d_n] = (uint32_t)d->d_strlen;
	d->d_strlen += n;
	d->d_off[d->d_n + 1] = (uint32_t)d->d_strlen;
	d->d_hash[d->d_n] = h;
	for (i = h & d->d_mask; d->d_slot[i] != 0; i = (i + 1) & d->d_mask)
		continue;
	d->d_slot[i] = ++d->d_n;
	return d->d_n - 1;
}


/* Gives back what the growing dictionary had in reserve. */
void
textindex_dict_shrink(struct dict *d)
{
	void	*p;

	if ((p = realloc(d->d_str, d->d_strlen + 1)) != NULL) {
		d->d_str = p;
		d->d_strcap = d->d_strlen + 1;
	}
	if ((p = realloc(d->d_off, (d->d_n + 1) * sizeof(*d->d_off))) != NULL)
		d->d_off = p;
	if ((p = realloc(d->d_hash, (d->d_n + 1) * sizeof(*d->d_hash))) !=
	    NULL)
		d->d_hash = p;
	d->d_cap = d->d_n + 1;
}
