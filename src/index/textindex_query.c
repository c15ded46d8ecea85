/*
 * textindex_query.c: queries over a text index or a base + delta view:
 * scratch space borrowed from the index's pool, similar articles
 * (textview_similar, textindex_similar) and search (textview_search,
 * textindex_search).
 */
#include <libstemmer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "textindex.h"
#include "textindex_int.h"

static struct scratch *
scratch_get(const struct textindex *cti)
{
	struct textindex *ti = (struct textindex *)(uintptr_t)cti;
	struct scratch	*sc;

	pthread_mutex_lock(&ti->ti_mtx);
	if ((sc = ti->ti_pool) != NULL)
		ti->ti_pool = sc->sc_next;
	pthread_mutex_unlock(&ti->ti_mtx);
	if (sc != NULL)
		return sc;
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return NULL;
	if ((sc->sc_acc = xcalloc(ti->ti_ndoc, sizeof(*sc->sc_acc))) ==
	    NULL || (sc->sc_used = xcalloc(ti->ti_ndoc,
	    sizeof(*sc->sc_used))) == NULL) {
		free(sc->sc_acc);
		free(sc);
		return NULL;
	}
	pthread_mutex_lock(&ti->ti_mtx);
	ti->ti_npool++;
	pthread_mutex_unlock(&ti->ti_mtx);
	return sc;
}

/* Clears the scores and gives the scratch space back to the pool. */
static void
scratch_put(const struct textindex *cti, struct scratch *sc)
{
	struct textindex *ti = (struct textindex *)(uintptr_t)cti;
	size_t		 i;

	for (i = 0; i < sc->sc_nused; i++) {
		sc->sc_acc[sc->sc_used[i]].sa_sum = 0;
		sc->sc_acc[sc->sc_used[i]].sa_count = 0;
	}
	sc->sc_nused = 0;
	pthread_mutex_lock(&ti->ti_mtx);
	sc->sc_next = ti->ti_pool;
	ti->ti_pool = sc;
	pthread_mutex_unlock(&ti->ti_mtx);
}

/*
 * Adds c * tfw[tf] for each posting (d, tf) of [p, end) but skip's: the
 * length of d, the same in each term, is left for the end.
 */
static void
accumulate(const struct textindex *ti, struct scratch *sc, const uint8_t *p,
    const uint8_t *end, float c, uint32_t skip)
{
	struct score	*acc = sc->sc_acc, *a;
	uint32_t	*used = sc->sc_used, next = 0, d, tf;
	size_t		 n = sc->sc_nused;

	while (p < end) {
		p = get_posting(p, &next, &d, &tf);
		if (d == skip)
			continue;
		a = &acc[d];
		if (a->sa_count++ == 0)
			used[n++] = d;
		a->sa_sum += c * ti->ti_tfw[tf];
	}
	sc->sc_nused = n;
}

/*
 * A query over a view: the scores of base articles in q_sc[0], of delta
 * articles in q_sc[1].
 */
struct vquery {
	const struct textview	*q_tv;
	const struct textindex	*q_ix[2];	/* base, delta (or NULL) */
	struct scratch		*q_sc[2];
};

static int
vquery_start(struct vquery *q, const struct textview *tv)
{
	int	 k;

	memset(q, 0, sizeof(*q));
	q->q_tv = tv;
	q->q_ix[0] = tv->tv_base;
	q->q_ix[1] = tv->tv_delta;
	for (k = 0; k < 2; k++)
		if (q->q_ix[k] != NULL &&
		    (q->q_sc[k] = scratch_get(q->q_ix[k])) == NULL) {
			if (k == 1)
				scratch_put(q->q_ix[0], q->q_sc[0]);
			return -1;
		}
	return 0;
}

static void
vquery_end(struct vquery *q)
{
	int	 k;

	for (k = 0; k < 2; k++)
		if (q->q_sc[k] != NULL)
			scratch_put(q->q_ix[k], q->q_sc[k]);
}

/* Adds c * w(t, d) / invnorm[d] for the docs of q_ix[k] with term t. */
static void
vquery_term(struct vquery *q, int k, uint32_t t, float c, int champ,
    uint32_t skip)
{
	const struct textindex *ti = q->q_ix[k];

	if (champ && ti->ti_df[t] > TEXTINDEX_CHAMPIONS)
		accumulate(ti, q->q_sc[k], ti->ti_champ + ti->ti_champoff[t],
		    ti->ti_champ + ti->ti_champoff[t + 1], c, skip);
	else
		accumulate(ti, q->q_sc[k], ti->ti_post + ti->ti_postoff[t],
		    ti->ti_post + ti->ti_postoff[t + 1], c, skip);
}

/* Term t of index k as the other index of the view numbers it. */
static uint32_t
vquery_other(const struct vquery *q, int k, uint32_t t)
{
	const struct dict *d;

	if (q->q_ix[1] == NULL)
		return NONE;
	if (k == 1)
		return q->q_ix[1]->ti_basemap[t];
	d = &q->q_ix[0]->ti_dict;
	return textindex_dict_find(&q->q_ix[1]->ti_dict, d->d_str + d->d_off[t],
	    d->d_off[t + 1] - d->d_off[t], d->d_hash[t]);
}

/*
 * The best (at most max) scored docs of the view, but the gone and the
 * excluded ones, into out, best first, by view ids; each score
 * multiplied by the share of the nq query terms the doc has, when nq is
 * not 0.
 */
static size_t
vquery_best(const struct vquery *q, size_t max, const uint32_t *exclude,
    size_t nexclude, size_t nq, struct cand *out)
{
	const struct textindex *ti;
	const uint8_t	*gone = q->q_tv->tv_gone;
	struct scratch	*sc;
	struct topn	 tn;
	uint32_t	 d, id, nbase = q->q_ix[0]->ti_ndoc;
	float		 s;
	size_t		 i, x;
	int		 k;

	tn.tn_c = out;
	tn.tn_n = 0;
	tn.tn_max = max;
	for (k = 0; k < 2 && q->q_ix[k] != NULL; k++) {
		ti = q->q_ix[k];
		sc = q->q_sc[k];
		for (i = 0; i < sc->sc_nused; i++) {
			d = sc->sc_used[i];
			id = k == 0 ? d : nbase + d;
			s = sc->sc_acc[d].sa_sum * ti->ti_invnorm[d];
			if (nq > 0)
				s = s * sc->sc_acc[d].sa_count / (float)nq;
			if (!topn_wants(&tn, s, id) || (k == 0 &&
			    gone != NULL && (gone[d / 8] >> (d % 8) & 1)))
				continue;
			for (x = 0; x < nexclude && exclude[x] != id; x++)
				continue;
			if (x == nexclude)
				textindex_topn_add(&tn, s, id, 0);
		}
	}
	qsort(out, tn.tn_n, sizeof(*out), textindex_cmp_best);
	return tn.tn_n;
}

static size_t
vquery_used(const struct vquery *q)
{
	return q->q_sc[0]->sc_nused +
	    (q->q_sc[1] != NULL ? q->q_sc[1]->sc_nused : 0);
}

/*
 * The cosine of doc with the others over doc's terms stored for
 * similarity (the other side has all its terms, through the champion
 * lists of common terms), in both indexes of the view.
 */
ssize_t
textview_similar(const struct textview *tv, uint32_t doc, size_t k,
    const uint32_t *exclude, size_t nexclude, uint32_t *out)
{
	const struct textindex *ti;
	struct vquery	 q;
	struct cand	*c;
	const uint8_t	*p, *end;
	uint32_t	 t, o, tf, next = 0, nbase = tv->tv_base->ti_ndoc, d;
	size_t		 n, i;
	ssize_t		 r = -1;
	float		 w;
	int		 x;

	x = doc >= nbase;
	d = x ? doc - nbase : doc;
	ti = x ? tv->tv_delta : tv->tv_base;
	if (k == 0 || ti == NULL || d >= ti->ti_ndoc ||
	    (!x && tv->tv_gone != NULL && (tv->tv_gone[d / 8] >> (d % 8) & 1)))
		return 0;
	if (vquery_start(&q, tv) == -1)
		return -1;
	p = ti->ti_fwd + ti->ti_fwdoff[d];
	end = ti->ti_fwd + ti->ti_fwdoff[d + 1];
	while (p < end) {
		p = get_varint(p, &t);
		t += next;
		next = t + 1;
		tf = *p++;
		w = ti->ti_tfw[tf] * ti->ti_idf[t] * ti->ti_invnorm[d] *
		    ti->ti_idf[t];
		vquery_term(&q, x, t, w, 1, d);
		if ((o = vquery_other(&q, x, t)) != NONE)
			vquery_term(&q, !x, o, w, 1, NONE);
	}
	n = vquery_used(&q);
	n = k < n ? k : n;
	if ((c = malloc((n + 1) * sizeof(*c))) != NULL) {
		n = vquery_best(&q, n, exclude, nexclude, 0, c);
		for (i = 0; i < n; i++)
			out[i] = c[i].c_id;
		free(c);
		r = (ssize_t)n;
	}
	vquery_end(&q);
	return r;
}

ssize_t
textindex_similar(const struct textindex *ti, uint32_t doc, size_t k,
    const uint32_t *exclude, size_t nexclude, uint32_t *out)
{
	struct textview	 tv = { ti, NULL, NULL };

	return textview_similar(&tv, doc, k, exclude, nexclude, out);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* How much of a query is read: TEXTINDEX_QUERY_MAX bytes, whole chars. */
size_t
textindex_query_len(const char *q)
{
	size_t	 n = strnlen(q, TEXTINDEX_QUERY_MAX + 1);

	if (n > TEXTINDEX_QUERY_MAX)
		for (n = TEXTINDEX_QUERY_MAX; n > 0 &&
		    ((unsigned char)q[n] & 0xc0) == 0x80; n--)
			continue;
	return n;
}

/*
 * The distinct terms of a query that either index of the view knows, as
 * each numbers them (NONE: not that one); returns how many.
 */
static ssize_t
query_terms(const struct vquery *vq, const char *q,
    uint32_t (*terms)[TEXTINDEX_QUERY_TERMS])
{
	struct sb_stemmer *st;
	struct tok	 tk;
	const char	*s;
	uint32_t	 t[2], h;
	size_t		 n = 0, len, i;
	int		 k;

	if ((st = textindex_stemmer_new()) == NULL)
		return -1;
	textindex_tok_init(&tk, q, textindex_query_len(q));
	while (n < TEXTINDEX_QUERY_TERMS && textindex_tok_next(&tk)) {
		if (textindex_term_of(st, &tk, &s, &len) != 1)
			continue;
		h = strmap_hash(s, len);
		for (k = 0; k < 2; k++)
			t[k] = vq->q_ix[k] == NULL ? NONE :
			    textindex_dict_find(&vq->q_ix[k]->ti_dict, s, len,
			    h);
		if (t[0] == NONE && t[1] == NONE)
			continue;
		for (i = 0; i < n && (terms[0][i] != t[0] ||
		    terms[1][i] != t[1]); i++)
			continue;
		if (i == n) {
			terms[0][n] = t[0];
			terms[1][n++] = t[1];
		}
	}
	sb_stemmer_delete(st);
	return (ssize_t)n;
}

/*
 * The score of a doc: the sum over the query terms it has of
 * idf(t) * w(t, d), the cosine with the query's tf-idf vector (of tf 1),
 * times the share of the query terms it has: an article with every word
 * of a phrase comes before one with a single rarer word.
 */
ssize_t
textview_search(const struct textview *tv, const char *query, size_t max,
    struct textindex_hit *out)
{
	struct vquery	 q;
	struct cand	*c;
	uint32_t	 terms[2][TEXTINDEX_QUERY_TERMS], t;
	size_t		 nq, n, i;
	ssize_t		 r;
	int		 k;

	if (query == NULL || max == 0)
		return 0;
	if (vquery_start(&q, tv) == -1)
		return -1;
	if ((r = query_terms(&q, query, terms)) <= 0) {
		vquery_end(&q);
		return r;
	}
	nq = (size_t)r;
	r = -1;
	for (k = 0; k < 2; k++) {
		/* postings in term order: the scores add up the same way
		   whatever the order of the words in the query */
		qsort(terms[k], nq, sizeof(terms[k][0]), cmp_u32);
		for (i = 0; i < nq && (t = terms[k][i]) != NONE; i++)
			vquery_term(&q, k, t, q.q_ix[k]->ti_idf[t] *
			    q.q_ix[k]->ti_idf[t], 0, NONE);
	}
	n = vquery_used(&q);
	n = max < n ? max : n;
	if ((c = malloc((n + 1) * sizeof(*c))) != NULL) {
		n = vquery_best(&q, n, NULL, 0, nq, c);
		for (i = 0; i < n; i++) {
			out[i].th_doc = c[i].c_id;
			out[i].th_score = c[i].c_score;
		}
		free(c);
		r = (ssize_t)n;
	}
	vquery_end(&q);
	return r;
}

ssize_t
textindex_search(const struct textindex *ti, const char *query, size_t max,
    struct textindex_hit *out)
{
	struct textview	 tv = { ti, NULL, NULL };

	return textview_search(&tv, query, max, out);
}
