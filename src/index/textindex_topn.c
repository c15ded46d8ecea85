/*
 * textindex_topn.c: the best n of a stream of scored ids (a heap whose
 * root is the worst kept): the top terms of an article, the champions
 * of a term, the hits of a query.
 */

#include "textindex_int.h"

/* Sifts h[i] down a heap of n: the worst on top, or the best if best. */
void
textindex_cand_sift(struct cand *h, size_t n, size_t i, int best)
{
	struct cand	 tmp;
	size_t		 c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && cand_better(&h[c], &h[c + 1]) != best)
			c++;
		if (cand_better(&h[c], &h[i]) != best)
			break;
		tmp = h[i];
		h[i] = h[c];
		h[c] = tmp;
		i = c;
	}
}

void
textindex_topn_add(struct topn *tn, float score, uint32_t id, uint32_t aux)
{
	struct cand	 c;
	size_t		 i;

	if (!topn_wants(tn, score, id))
		return;
	c.c_score = score;
	c.c_id = id;
	c.c_aux = aux;
	if (tn->tn_n < tn->tn_max) {
		tn->tn_c[tn->tn_n++] = c;
		if (tn->tn_n == tn->tn_max)
			for (i = tn->tn_n / 2; i-- > 0;)
				textindex_cand_sift(tn->tn_c, tn->tn_n, i, 0);
	} else {
		tn->tn_c[0] = c;
		textindex_cand_sift(tn->tn_c, tn->tn_n, 0, 0);
	}
}

int
textindex_cmp_best(const void *a, const void *b)
{
	return cand_better(b, a) - cand_better(a, b);
}

int
textindex_cmp_id(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return (x->c_id > y->c_id) - (x->c_id < y->c_id);
}
