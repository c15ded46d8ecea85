/*
 * textindex_build.c: what one builder thread does over its range of
 * articles (passes 1 and 2) or of terms (pass 3): count terms under its
 * own ids, which textindex_merge_terms maps to the index's; weigh each
 * article, write its postings where textindex_merge_postings placed them
 * and keep its top terms; pick each frequent term's champions.
 * textindex.c runs the passes on the threads.
 */
#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "strmap.h"
#include "textindex.h"
#include "textindex_int.h"

static uint32_t
local_term(struct worker *w, const char *s, size_t n)
{
	uint32_t h = strmap_hash(s, n), l;

	if ((l = textindex_dict_find(&w->w_terms, s, n, h)) != NONE)
		return l;
	if ((l = textindex_dict_add(&w->w_terms, s, n, h)) == NONE ||
	    grow(&w->w_lt, &w->w_ltcap, l + 1, sizeof(*w->w_lt)) == -1)
		return NONE;
	memset(&w->w_lt[l], 0, sizeof(w->w_lt[l]));
	w->w_lt[l].lt_last = NONE;
	return l;
}

/* Counts a token of the current doc; words are stemmed once per thread. */
static int
add_token(struct worker *w, const struct tok *tk, uint32_t weight)
{
	struct lterm	*lt;
	const char	*t;
	uint32_t	 h, id, l = NONE;
	size_t		 n;
	int		 r;

	h = strmap_hash(tk->tk_buf, tk->tk_len);
	if ((id = textindex_dict_find(&w->w_surf, tk->tk_buf, tk->tk_len,
	    h)) == NONE) {
		if ((r = textindex_term_of(w->w_stemmer, tk, &t, &n)) == -1 ||
		    (r == 1 && (l = local_term(w, t, n)) == NONE))
			return -1;
		if ((id = textindex_dict_add(&w->w_surf, tk->tk_buf, tk->tk_len,
		    h)) ==
		    NONE || grow(&w->w_surfterm, &w->w_surfcap, id + 1,
		    sizeof(*w->w_surfterm)) == -1)
			return -1;
		w->w_surfterm[id] = l;
	}
	if ((l = w->w_surfterm[id]) == NONE)
		return 0;
	lt = &w->w_lt[l];
	if (lt->lt_count == 0) {
		if (grow(&w->w_touched, &w->w_touchedcap, w->w_ntouched + 1,
		    sizeof(*w->w_touched)) == -1)
			return -1;
		w->w_touched[w->w_ntouched++] = l;
	}
	if (lt->lt_count < TF_MAX)
		lt->lt_count += weight;
	return 0;
}

static int
add_text(struct worker *w, const char *s, uint32_t weight)
{
	struct tok	 tk;

	textindex_tok_init(&tk, s, strlen(s));
	while (textindex_tok_next(&tk))
		if (add_token(w, &tk, weight) == -1)
			return -1;
	return 0;
}

/*
 * Appends the doc's (local term, tf) pairs to w_fwd, in the postings
 * format (varint(local << 1 | (tf > 1)), the tf byte if tf > 1), and adds
 * up the size of each term's postings.
 */
static int
end_doc(struct worker *w, uint32_t d)
{
	struct lterm	*lt;
	uint8_t		*p;
	uint32_t	 tf;
	size_t		 i;

	if (buf_reserve(&w->w_fwd, w->w_ntouched * 6) == -1)
		return -1;
	p = (uint8_t *)w->w_fwd.b_data + w->w_fwd.b_len;
	for (i = 0; i < w->w_ntouched; i++) {
		lt = &w->w_lt[w->w_touched[i]];
		tf = lt->lt_count < TF_MAX ? lt->lt_count : TF_MAX;
		lt->lt_count = 0;
		p = put_varint(p, w->w_touched[i] << 1 | (tf > 1));
		if (tf > 1)
			*p++ = (uint8_t)tf;
		lt->lt_df++;
		if (lt->lt_last == NONE) {
			lt->lt_first = d;
			lt->lt_firsttf = tf;
		} else
			lt->lt_bytes += posting_len(d, lt->lt_last + 1, tf);
		lt->lt_last = d;
	}
	w->w_fwd.b_len = (size_t)(p - (uint8_t *)w->w_fwd.b_data);
	w->w_ntouched = 0;
	w->w_fwdoff[d - w->w_lo + 1] = w->w_fwd.b_len;
	return 0;
}

/* Pass 1, in parallel: tokens, stop words, stems, term frequencies. */
void *
textindex_pass1(void *arg)
{
	struct worker			*w = arg;
	const struct textindex_source	*src = w->w_src;
	struct textindex_doc		 doc;
	void				*h;
	uint32_t			 d;
	size_t				 i;
	int				 r;

	if ((w->w_stemmer = textindex_stemmer_new()) == NULL) {
		w->w_errstr = "cannot create the stemmer";
		return NULL;
	}
	for (d = w->w_lo; d < w->w_hi; d++) {
		if (textindex_stopped(src)) {
			w->w_errstr = TEXTINDEX_STOPPED;
			return NULL;
		}
		h = NULL;
		memset(&doc, 0, sizeof(doc));
		if (src->ts_load(src->ts_arg, d, &doc, &h) == -1)
			memset(&doc, 0, sizeof(doc));
		r = doc.td_title != NULL && add_text(w, doc.td_title,
		    TEXTINDEX_TITLE_WEIGHT) == -1 ? -1 : 0;
		for (i = 0; r == 0 && i < doc.td_npara; i++)
			if (doc.td_para[i] != NULL &&
			    add_text(w, doc.td_para[i], 1) == -1)
				r = -1;
		if (src->ts_done != NULL)
			src->ts_done(src->ts_arg, h);
		if (r == -1 || end_doc(w, d) == -1) {
			w->w_errstr = TI_ENOMEM;
			return NULL;
		}
	}
	return NULL;
}

static int
cmp_key(const void *a, const void *b, void *arg)
{
	const struct dict *d = arg;
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t	 nx = d->d_off[x + 1] - d->d_off[x];
	uint32_t	 ny = d->d_off[y + 1] - d->d_off[y];
	int		 c;

	c = memcmp(d->d_str + d->d_off[x], d->d_str + d->d_off[y],
	    nx < ny ? nx : ny);
	return c != 0 ? c : (nx > ny) - (nx < ny);
}

/* A delta's terms as its base numbers them (NONE: base lacks it). */
static int
base_map(struct textindex *ti)
{
	const struct dict *d = &ti->ti_dict;
	uint32_t	 t;

	if ((ti->ti_basemap = xcalloc(ti->ti_nterm,
	    sizeof(*ti->ti_basemap))) == NULL)
		return -1;
	for (t = 0; t < ti->ti_nterm; t++)
		ti->ti_basemap[t] = textindex_dict_find(&ti->ti_stats->ti_dict,
		    d->d_str + d->d_off[t], d->d_off[t + 1] - d->d_off[t],
		    d->d_hash[t]);
	return 0;
}

/* The documents with term t: of a delta, those of its base too. */
static inline uint32_t
df_all(const struct textindex *ti, uint32_t t)
{
	uint32_t b;

	if (ti->ti_basemap == NULL || (b = ti->ti_basemap[t]) == NONE)
		return ti->ti_df[t];
	return ti->ti_df[t] + ti->ti_stats->ti_df[b];
}

/* The index's dictionary: every thread's stems, in byte order. */
int
textindex_merge_terms(struct textindex *ti, struct worker *w, size_t nw)
{
	struct dict	 all;
	struct dict	*lt;
	uint32_t	*order = NULL, *rank = NULL, i, l, id, o;
	size_t		 k;
	int		 rv = -1;

	memset(&all, 0, sizeof(all));
	for (k = 0; k < nw; k++) {
		lt = &w[k].w_terms;
		for (l = 0; l < lt->d_n; l++) {
			o = lt->d_off[l];
			if ((id = textindex_dict_find(&all, lt->d_str + o,
			    lt->d_off[l + 1] - o, lt->d_hash[l])) == NONE &&
			    (id = textindex_dict_add(&all, lt->d_str + o,
			    lt->d_off[l + 1] - o, lt->d_hash[l])) == NONE)
				goto done;
			w[k].w_lt[l].lt_term = id;
		}
	}
	if ((order = xcalloc(all.d_n, sizeof(*order))) == NULL ||
	    (rank = xcalloc(all.d_n, sizeof(*rank))) == NULL)
		goto done;
	for (i = 0; i < all.d_n; i++)
		order[i] = i;
	qsort_r(order, all.d_n, sizeof(*order), cmp_key, &all);
	for (i = 0; i < all.d_n; i++) {
		o = all.d_off[order[i]];
		rank[order[i]] = i;
		if (textindex_dict_add(&ti->ti_dict, all.d_str + o,
		    all.d_off[order[i] + 1] - o, all.d_hash[order[i]]) == NONE)
			goto done;
	}
	for (k = 0; k < nw; k++)
		for (l = 0; l < w[k].w_terms.d_n; l++)
			w[k].w_lt[l].lt_term = rank[w[k].w_lt[l].lt_term];
	ti->ti_nterm = all.d_n;
	if (ti->ti_stats != NULL && base_map(ti) == -1)
		goto done;
	rv = 0;
 done:
	free(order);
	free(rank);
	textindex_dict_free(&all);
	return rv;
}

/* Document frequencies, idf, and where each thread writes its postings. */
int
textindex_merge_postings(struct textindex *ti, struct worker *w, size_t nw)
{
	struct lterm	*lt;
	uint64_t	*off;
	uint32_t	*last, t, l;
	size_t		 k;

	if ((last = xcalloc(ti->ti_nterm, sizeof(*last))) == NULL ||
	    (ti->ti_df = xcalloc(ti->ti_nterm, sizeof(*ti->ti_df))) == NULL ||
	    (ti->ti_idf = xcalloc(ti->ti_nterm, sizeof(*ti->ti_idf))) == NULL ||
	    (ti->ti_postoff = xcalloc(ti->ti_nterm + 1,
	    sizeof(*ti->ti_postoff))) == NULL) {
		free(last);
		return -1;
	}
	off = ti->ti_postoff;
	memset(last, 0xff, ti->ti_nterm * sizeof(*last));
	/* each thread's part follows the previous thread's: for now, the
	   size of term t's list is in off[t + 1], a part's start in lt_bytes */
	for (k = 0; k < nw; k++)
		for (l = 0; l < w[k].w_terms.d_n; l++) {
			lt = &w[k].w_lt[l];
			t = lt->lt_term;
			lt->lt_next = last[t] == NONE ? 0 : last[t] + 1;
			lt->lt_bytes += posting_len(lt->lt_first, lt->lt_next,
			    lt->lt_firsttf);
			off[t + 1] += lt->lt_bytes;
			lt->lt_bytes = off[t + 1] - lt->lt_bytes;
			last[t] = lt->lt_last;
			ti->ti_df[t] += lt->lt_df;
		}
	free(last);
	for (t = 0; t < ti->ti_nterm; t++) {
		off[t + 1] += off[t];
		if (ti->ti_basemap != NULL && ti->ti_basemap[t] != NONE)
			ti->ti_idf[t] = ti->ti_stats->ti_idf[ti->ti_basemap[t]];
		else
			ti->ti_idf[t] = (float)(log((1.0 + ti->ti_ndoc +
			    (ti->ti_stats ? ti->ti_stats->ti_ndoc : 0)) /
			    (1.0 + ti->ti_df[t])) + 1.0);
	}
	for (k = 0; k < nw; k++)
		for (l = 0; l < w[k].w_terms.d_n; l++)
			w[k].w_lt[l].lt_bytes += off[w[k].w_lt[l].lt_term];
	if ((ti->ti_post = malloc(off[ti->ti_nterm] + 1)) == NULL)
		return -1;
	return 0;
}

/*
 * The terms doc is compared through, of the n candidates in c (its
 * terms in more than one doc, in at most ti_dfcap), appended to w_out:
 * its TEXTINDEX_SIM_TERMS heaviest, then lighter ones while the postings
 * to read stay within TEXTINDEX_SIM_POSTINGS.
 */
static int
top_terms(struct worker *w, struct cand *c, size_t n)
{
	const struct textindex *ti = w->w_ti;
	struct cand	 top[TEXTINDEX_SIM_TERMS_MAX];
	uint8_t		*p;
	uint32_t	 next, df;
	size_t		 i, k = 0, cost = 0;

	for (i = n / 2; i-- > 0;)
		textindex_cand_sift(c, n, i, 1);
	while (n > 0 && k < TEXTINDEX_SIM_TERMS_MAX) {
		df = df_all(ti, c[0].c_id);
		df = df < TEXTINDEX_CHAMPIONS ? df : TEXTINDEX_CHAMPIONS;
		if (k < TEXTINDEX_SIM_TERMS || cost + df <=
		    TEXTINDEX_SIM_POSTINGS) {
			cost += df;
			top[k++] = c[0];
		} else if (cost + 2 > TEXTINDEX_SIM_POSTINGS)
			break;
		c[0] = c[--n];
		textindex_cand_sift(c, n, 0, 1);
	}
	qsort(top, k, sizeof(*top), textindex_cmp_id);
	if (buf_reserve(&w->w_out, k * 6) == -1)
		return -1;
	p = (uint8_t *)w->w_out.b_data + w->w_out.b_len;
	for (i = 0, next = 0; i < k; i++) {
		p = put_varint(p, top[i].c_id - next);
		*p++ = (uint8_t)top[i].c_aux;
		next = top[i].c_id + 1;
	}
	w->w_out.b_len = (size_t)(p - (uint8_t *)w->w_out.b_data);
	return 0;
}

/* Pass 2, in parallel: weights, lengths, postings, each doc's top terms. */
void *
textindex_pass2(void *arg)
{
	struct worker		*w = arg;
	struct textindex	*ti = w->w_ti;
	struct lterm		*lt;
	const uint8_t		*p, *end;
	uint8_t			*q;
	uint32_t		 d, l, tf, t;
	size_t			 n;
	double			 norm;
	float			 wt;

	for (d = w->w_lo; d < w->w_hi; d++) {
		p = (const uint8_t *)w->w_fwd.b_data + w->w_fwdoff[d - w->w_lo];
		end = (const uint8_t *)w->w_fwd.b_data +
		    w->w_fwdoff[d - w->w_lo + 1];
		for (norm = 0, n = 0; p < end;) {
			p = get_varint(p, &l);
			tf = (l & 1) ? *p++ : 1;
			lt = &w->w_lt[l >> 1];
			t = lt->lt_term;
			wt = ti->ti_tfw[tf] * ti->ti_idf[t];
			norm += (double)wt * wt;
			if (df_all(ti, t) > 1 && df_all(ti,
			    t) <= ti->ti_dfcap) {
				if (grow(&w->w_cand, &w->w_candcap, n + 1,
				    sizeof(*w->w_cand)) == -1)
					goto fail;
				w->w_cand[n].c_score = wt;
				w->w_cand[n].c_id = t;
				w->w_cand[n++].c_aux = tf;
			}
			q = ti->ti_post + lt->lt_bytes;
			lt->lt_bytes += (size_t)(put_posting(q, d, lt->lt_next,
			    tf) - q);
			lt->lt_next = d + 1;
		}
		ti->ti_invnorm[d] = norm > 0 ? (float)(1 / sqrt(norm)) : 0;
		if (top_terms(w, w->w_cand, n) == -1)
			goto fail;
		w->w_outoff[d - w->w_lo + 1] = w->w_out.b_len;
	}
	return NULL;
 fail:
	w->w_errstr = TI_ENOMEM;
	return NULL;
}

/* Appends to w_out the champion list of term t: its heaviest postings. */
static int
champions(struct worker *w, uint32_t t)
{
	const struct textindex *ti = w->w_ti;
	struct cand	 top[TEXTINDEX_CHAMPIONS];
	struct topn	 tn;
	const uint8_t	*p, *end;
	uint8_t		*q;
	uint32_t	 next = 0, d, tf;
	size_t		 i;

	tn.tn_c = top;
	tn.tn_n = 0;
	tn.tn_max = TEXTINDEX_CHAMPIONS;
	p = ti->ti_post + ti->ti_postoff[t];
	end = ti->ti_post + ti->ti_postoff[t + 1];
	while (p < end) {
		p = get_posting(p, &next, &d, &tf);
		textindex_topn_add(&tn, ti->ti_tfw[tf] * ti->ti_invnorm[d], d,
		    tf);
	}
	qsort(top, tn.tn_n, sizeof(top[0]), textindex_cmp_id);
	if (buf_reserve(&w->w_out, tn.tn_n * 6) == -1)
		return -1;
	q = (uint8_t *)w->w_out.b_data + w->w_out.b_len;
	for (i = 0, next = 0; i < tn.tn_n; i++) {
		q = put_posting(q, top[i].c_id, next, top[i].c_aux);
		next = top[i].c_id + 1;
	}
	w->w_out.b_len = (size_t)(q - (uint8_t *)w->w_out.b_data);
	return 0;
}

/* Pass 3, in parallel over terms: champion lists of the common ones. */
void *
textindex_pass3(void *arg)
{
	struct worker		*w = arg;
	const struct textindex	*ti = w->w_ti;
	uint32_t		 t;

	for (t = w->w_tlo; t < w->w_thi; t++) {
		w->w_outoff[t - w->w_tlo] = w->w_out.b_len;
		if (ti->ti_df[t] > TEXTINDEX_CHAMPIONS &&
		    champions(w, t) == -1) {
			w->w_errstr = TI_ENOMEM;
			return NULL;
		}
	}
	w->w_outoff[w->w_thi - w->w_tlo] = w->w_out.b_len;
	return NULL;
}
