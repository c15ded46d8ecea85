/*
 * textindex.c: the text index as a whole: textindex_build and
 * textindex_build_from split the articles among threads and run the
 * passes of textindex_build.c on them, then gather what each built;
 * textindex_free, textindex_memory, textindex_docs.  Tokens are in
 * textindex_tok.c, queries in textindex_query.c, snippets in
 * textindex_snip.c; textindex_int.h lists the parts.
 */
#include <libstemmer.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "textindex.h"
#include "textindex_int.h"

/* Runs fn on every worker, each in a thread of its own but the first. */
static int
run(void *(*fn)(void *), struct worker *w, size_t nw)
{
	pthread_t	 tid[THREADS_MAX];
	int		 started[THREADS_MAX];
	size_t		 k;

	for (k = 1; k < nw; k++)
		started[k] = pthread_create(&tid[k], NULL, fn, &w[k]) == 0;
	fn(&w[0]);
	for (k = 1; k < nw; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			fn(&w[k]);
	}
	for (k = 0; k < nw; k++)
		if (w[k].w_errstr != NULL)
			return -1;
	return 0;
}

/*
 * Concatenates the workers' w_out into *dst and their offsets, of docs
 * (bydoc) or terms, into off64 or off32; then empties w_out.
 */
static int
gather(struct worker *w, size_t nw, int bydoc, uint8_t **dst,
    uint64_t *off64, uint32_t *off32)
{
	size_t	 k, i, lo, hi, total = 0, base = 0;

	for (k = 0; k < nw; k++)
		total += w[k].w_out.b_len;
	if ((off32 != NULL && total > UINT32_MAX) ||
	    (*dst = malloc(total + 1)) == NULL)
		return -1;
	for (k = 0; k < nw; k++) {
		lo = bydoc ? w[k].w_lo : w[k].w_tlo;
		hi = bydoc ? w[k].w_hi : w[k].w_thi;
		if (w[k].w_out.b_len > 0)
			memcpy(*dst + base, w[k].w_out.b_data,
			    w[k].w_out.b_len);
		for (i = lo; i <= hi; i++) {
			if (off64 != NULL)
				off64[i] = base + w[k].w_outoff[i - lo];
			else
				off32[i] = (uint32_t)(base +
				    w[k].w_outoff[i - lo]);
		}
		base += w[k].w_out.b_len;
		buf_free(&w[k].w_out);
	}
	return 0;
}

/* Splits the terms among workers evenly by the postings pass 3 reads. */
static int
split_terms(struct textindex *ti, struct worker *w, size_t nw)
{
	uint64_t	 total = 0, sum = 0;
	uint32_t	 t;
	size_t		 k = 0;

	for (t = 0; t < ti->ti_nterm; t++)
		if (ti->ti_df[t] > TEXTINDEX_CHAMPIONS)
			total += ti->ti_postoff[t + 1] - ti->ti_postoff[t];
	w[0].w_tlo = 0;
	for (t = 0; t < ti->ti_nterm && k + 1 < nw; t++) {
		if (ti->ti_df[t] > TEXTINDEX_CHAMPIONS)
			sum += ti->ti_postoff[t + 1] - ti->ti_postoff[t];
		if (sum * nw >= total * (k + 1)) {
			w[k].w_thi = w[k + 1].w_tlo = t + 1;
			k++;
		}
	}
	for (; k + 1 < nw; k++)
		w[k].w_thi = w[k + 1].w_tlo = t;
	w[nw - 1].w_thi = ti->ti_nterm;
	for (k = 0; k < nw; k++) {
		free(w[k].w_outoff);
		if ((w[k].w_outoff = xcalloc(w[k].w_thi - w[k].w_tlo + 1,
		    sizeof(*w[k].w_outoff))) == NULL)
			return -1;
	}
	return 0;
}

/* Frees what passes 1 and 2 needed. */
static void
worker_drop(struct worker *w)
{
	if (w->w_stemmer != NULL)
		sb_stemmer_delete(w->w_stemmer);
	w->w_stemmer = NULL;
	textindex_dict_free(&w->w_surf);
	textindex_dict_free(&w->w_terms);
	free(w->w_surfterm);
	free(w->w_lt);
	free(w->w_touched);
	free(w->w_fwdoff);
	free(w->w_cand);
	buf_free(&w->w_fwd);
	w->w_surfterm = NULL;
	w->w_lt = NULL;
	w->w_touched = NULL;
	w->w_fwdoff = NULL;
	w->w_cand = NULL;
}

static int
build(struct textindex *ti, struct worker *w, size_t nw)
{
	size_t	 k;

	if (run(textindex_pass1, w, nw) == -1)
		return -1;
	if (textindex_stopped(w[0].w_src)) {
		w[0].w_errstr = TEXTINDEX_STOPPED;
		return -1;
	}
	if (textindex_merge_terms(ti, w,
	    nw) == -1 || textindex_merge_postings(ti, w, nw) == -1 ||
	    (ti->ti_invnorm = xcalloc(ti->ti_ndoc,
	    sizeof(*ti->ti_invnorm))) == NULL)
		return -1;
	if (run(textindex_pass2, w, nw) == -1)
		return -1;
	if (textindex_stopped(w[0].w_src)) {
		w[0].w_errstr = TEXTINDEX_STOPPED;
		return -1;
	}
	for (k = 0; k < nw; k++)
		worker_drop(&w[k]);
	textindex_dict_shrink(&ti->ti_dict);
	if ((ti->ti_fwdoff = xcalloc(ti->ti_ndoc + 1,
	    sizeof(*ti->ti_fwdoff))) == NULL ||
	    gather(w, nw, 1, &ti->ti_fwd, NULL, ti->ti_fwdoff) == -1 ||
	    (ti->ti_champoff = xcalloc(ti->ti_nterm + 1,
	    sizeof(*ti->ti_champoff))) == NULL ||
	    split_terms(ti, w, nw) == -1 || run(textindex_pass3, w, nw) == -1)
		return -1;
	return gather(w, nw, 0, &ti->ti_champ, ti->ti_champoff, NULL);
}

static int
array_load(void *arg, size_t i, struct textindex_doc *doc, void **h)
{
	*doc = ((const struct textindex_doc *)arg)[i];
	*h = NULL;
	return 0;
}

struct textindex *
textindex_build(const struct textindex_doc *docs, size_t n,
    const char **errstr)
{
	struct textindex_source src;

	src.ts_load = array_load;
	src.ts_done = NULL;
	src.ts_arg = (void *)(uintptr_t)docs;
	src.ts_stop = NULL;
	return textindex_build_from(&src, n, NULL, errstr);
}

size_t
textindex_docs(const struct textindex *ti)
{
	return ti->ti_ndoc;
}

struct textindex *
textindex_build_from(const struct textindex_source *src, size_t n,
    const struct textindex *base, const char **errstr)
{
	struct textindex	*ti;
	struct worker		 w[THREADS_MAX];
	long			 ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t			 nw = 1, k;
	int			 i;

	if (n > TEXTINDEX_DOCS_MAX) {
		*errstr = "too many articles";
		return NULL;
	}
	if ((ti = calloc(1, sizeof(*ti))) == NULL) {
		*errstr = TI_ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&ti->ti_mtx, NULL);
	ti->ti_ndoc = (uint32_t)n;
	ti->ti_stats = base;
	ti->ti_dfcap = (uint32_t)(n / TEXTINDEX_DF_CAP_DIV);
	if (ti->ti_dfcap < TEXTINDEX_DF_CAP_MIN)
		ti->ti_dfcap = TEXTINDEX_DF_CAP_MIN;
	if (base != NULL)
		ti->ti_dfcap = base->ti_dfcap;
	for (i = 1; i <= TF_MAX; i++)
		ti->ti_tfw[i] = (float)(1 + log(i));
	if (n >= THREAD_DOCS_MIN && ncpu > 1)
		nw = ncpu < THREADS_MAX ? (size_t)ncpu : THREADS_MAX;
	memset(w, 0, sizeof(w));
	for (k = 0; k < nw; k++) {
		w[k].w_ti = ti;
		w[k].w_src = src;
		w[k].w_lo = (uint32_t)(n * k / nw);
		w[k].w_hi = (uint32_t)(n * (k + 1) / nw);
		if ((w[k].w_fwdoff = xcalloc(w[k].w_hi - w[k].w_lo + 1,
		    sizeof(*w[k].w_fwdoff))) == NULL ||
		    (w[k].w_outoff = xcalloc(w[k].w_hi - w[k].w_lo + 1,
		    sizeof(*w[k].w_outoff))) == NULL)
			w[0].w_errstr = TI_ENOMEM;
	}
	if (w[0].w_errstr != NULL || build(ti, w, nw) == -1) {
		*errstr = TI_ENOMEM;
		for (k = 0; k < nw; k++)
			if (w[k].w_errstr != NULL)
				*errstr = w[k].w_errstr;
		textindex_free(ti);
		ti = NULL;
	}
	for (k = 0; k < nw; k++) {
		worker_drop(&w[k]);
		buf_free(&w[k].w_out);
		free(w[k].w_outoff);
	}
	if (ti != NULL)
		ti->ti_stats = NULL;
	return ti;
}

void
textindex_free(struct textindex *ti)
{
	struct scratch	*sc;

	if (ti == NULL)
		return;
	while ((sc = ti->ti_pool) != NULL) {
		ti->ti_pool = sc->sc_next;
		free(sc->sc_acc);
		free(sc->sc_used);
		free(sc);
	}
	pthread_mutex_destroy(&ti->ti_mtx);
	textindex_dict_free(&ti->ti_dict);
	free(ti->ti_df);
	free(ti->ti_idf);
	free(ti->ti_postoff);
	free(ti->ti_post);
	free(ti->ti_champoff);
	free(ti->ti_champ);
	free(ti->ti_invnorm);
	free(ti->ti_fwdoff);
	free(ti->ti_fwd);
	free(ti->ti_basemap);
	free(ti);
}

size_t
textindex_memory(const struct textindex *cti)
{
	struct textindex	*ti = (struct textindex *)(uintptr_t)cti;
	const struct dict	*d = &ti->ti_dict;
	size_t			 npool;

	pthread_mutex_lock(&ti->ti_mtx);
	npool = ti->ti_npool;
	pthread_mutex_unlock(&ti->ti_mtx);
	return sizeof(*ti) + npool * (sizeof(struct scratch) + ti->ti_ndoc *
	    (sizeof(struct score) + sizeof(uint32_t))) +
	    d->d_strcap + d->d_cap * (sizeof(*d->d_off) + sizeof(*d->d_hash)) +
	    (d->d_slot != NULL ? (d->d_mask + 1) * sizeof(*d->d_slot) : 0) +
	    ti->ti_nterm * (sizeof(*ti->ti_df) + sizeof(*ti->ti_idf)) +
	    (ti->ti_nterm + 1) * (sizeof(*ti->ti_postoff) +
	    sizeof(*ti->ti_champoff)) + ti->ti_postoff[ti->ti_nterm] +
	    ti->ti_champoff[ti->ti_nterm] +
	    ti->ti_ndoc * sizeof(*ti->ti_invnorm) +
	    (ti->ti_ndoc + 1) * sizeof(*ti->ti_fwdoff) +
	    ti->ti_fwdoff[ti->ti_ndoc] +
	    (ti->ti_basemap != NULL ? ti->ti_nterm * sizeof(uint32_t) : 0);
}
