/*
 * textindex_int.h: what the parts of the text index share, for the
 * textindex_*.c files only (everyone else includes textindex.h): the
 * index's structures, the varint and posting codecs, the best-n heap's
 * types, and the functions one part calls in another.
 *
 *   textindex_tok.c    tokens, case folding, stop words, stems
 *   textindex_dict.c   the stem dictionary (stems to ids)
 *   textindex_topn.c   the best n of a stream (a heap)
 *   textindex_build.c  a builder thread's passes: count, merge, weigh,
 *                      champions
 *   textindex.c        the index: built on threads, freed, measured
 *   textindex_query.c  scratch space, similar articles, search
 *   textindex_snip.c   the snippet of a hit
 */
#ifndef TEXTINDEX_INT_H
#define TEXTINDEX_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "textindex.h"

struct sb_stemmer;

/*
 * Layout.  Terms are numbered in byte order of their stems, so that the
 * index is the same whatever the number of threads that built it.  A
 * posting is varint((doc - next) << 1 | (tf > 1)), then the tf byte when
 * tf > 1, where next is the doc after the previous posting (0 at first).
 * Weights are not stored: w(t, d) = tfw[tf] * idf[t] * invnorm[d].
 * Each article keeps the terms it is compared through (varint term gap,
 * tf byte, in term order); a term in more than TEXTINDEX_CHAMPIONS
 * articles also keeps a champion list, in the postings format.
 *
 * Building takes three passes over a range of docs (then of terms) per
 * thread: pass 1 reads the text and counts terms under thread-local ids,
 * which textindex_merge_terms turns into the index's; pass 2 weighs each
 * doc, writes its postings in place (textindex_merge_postings knows where
 * each thread's part of every list starts) and picks its top terms; pass
 * 3 picks the champions.
 */

#define TOK_BUF		(TEXTINDEX_TOKEN_MAX + 8)
#define NONE		UINT32_MAX
#define TF_MAX		255
/* Threads for building: each one needs its own dictionaries, and below
   a few thousand articles starting one costs more than it saves. */
#define THREADS_MAX	4
#define THREAD_DOCS_MIN	2048

#define TI_ENOMEM	"out of memory"

/* Has the source been told to stop (textindex.h)? */
static inline int
textindex_stopped(const struct textindex_source *src)
{
	return src->ts_stop != NULL && atomic_load_explicit(src->ts_stop,
	    memory_order_relaxed) != 0;
}

/* Stems to ids: open addressing over keys stored back to back. */
struct dict {
	char		*d_str;		/* keys, owned */
	size_t		 d_strlen;
	size_t		 d_strcap;
	uint32_t	*d_off;		/* key i ends where i + 1 starts */
	uint32_t	*d_hash;	/* hash of key i */
	uint32_t	*d_slot;	/* id + 1, 0 when free */
	uint32_t	 d_n;
	uint32_t	 d_cap;		/* room in d_off and d_hash */
	uint32_t	 d_mask;	/* slots - 1 */
};

struct textindex {
	uint32_t	 ti_ndoc;
	uint32_t	 ti_nterm;
	uint32_t	 ti_dfcap;	/* similarity ignores terms above */
	struct dict	 ti_dict;
	uint32_t	*ti_df;
	float		*ti_idf;
	uint64_t	*ti_postoff;	/* nterm + 1 */
	uint8_t		*ti_post;
	uint64_t	*ti_champoff;	/* nterm + 1 */
	uint8_t		*ti_champ;
	float		*ti_invnorm;	/* per doc: 1 / length */
	uint32_t	*ti_fwdoff;	/* ndoc + 1 */
	uint8_t		*ti_fwd;
	float		 ti_tfw[TF_MAX + 1];	/* 1 + ln tf */
	uint32_t	*ti_basemap;	/* a delta's: base's id of each term */
	const struct textindex *ti_stats; /* while building a delta: base */
	pthread_mutex_t	 ti_mtx;	/* guards ti_pool, ti_npool */
	struct scratch	*ti_pool;	/* scratch space not in use */
	size_t		 ti_npool;
};

/*
 * Scratch space of one query: a score per doc, zero between queries, and
 * the docs touched.  Queries take one from the index's pool (or make
 * one) and give it back, so that a thread reuses the same few pages
 * instead of clearing or faulting in a fresh array each time.
 */
struct scratch {
	struct scratch	*sc_next;
	struct score	*sc_acc;	/* ndoc */
	uint32_t	*sc_used;	/* ndoc: docs with a score */
	size_t		 sc_nused;
};

/* A doc's score in a query but for its length, and its terms counted. */
struct score {
	float		 sa_sum;	/* w(t, d) / invnorm[d] summed */
	uint32_t	 sa_count;	/* terms summed */
};

struct tok {
	const uint8_t	*tk_p;
	const uint8_t	*tk_end;
	const uint8_t	*tk_start;	/* of the token in the text */
	size_t		 tk_len;
	char		 tk_buf[TOK_BUF];	/* lower case, a NUL */
};

/* A scored id: a term of a doc, a posting, a hit. */
struct cand {
	float		 c_score;
	uint32_t	 c_id;
	uint32_t	 c_aux;		/* tf, for terms and postings */
};

/* The best n so far: a heap whose root is the worst kept. */
struct topn {
	struct cand	*tn_c;
	size_t		 tn_n;
	size_t		 tn_max;
};

/* a before b: a higher score, or as high and a lower id. */
static inline int
cand_better(const struct cand *a, const struct cand *b)
{
	return a->c_score > b->c_score || (a->c_score == b->c_score &&
	    a->c_id < b->c_id);
}

static inline int
topn_wants(const struct topn *tn, float score, uint32_t id)
{
	struct cand	 c;

	c.c_score = score;
	c.c_id = id;
	return tn->tn_n < tn->tn_max || (tn->tn_max > 0 &&
	    cand_better(&c, &tn->tn_c[0]));
}

/* ---- building ---- */

/* What a builder thread knows of one of its terms. */
struct lterm {
	uint64_t	 lt_bytes;	/* pass 1: its postings but the
					   first; pass 2: where the next goes */
	uint32_t	 lt_df;
	uint32_t	 lt_first;	/* first and last doc with the term */
	uint32_t	 lt_last;
	uint32_t	 lt_firsttf;
	uint32_t	 lt_count;	/* occurrences in the current doc */
	uint32_t	 lt_term;	/* the index's id for it */
	uint32_t	 lt_next;	/* pass 2: the previous doc + 1 */
};

/* One builder thread: a range of docs (passes 1, 2), of terms (pass 3). */
struct worker {
	struct textindex	*w_ti;
	const struct textindex_source *w_src;
	uint32_t		 w_lo, w_hi;	/* docs [lo, hi) */
	uint32_t		 w_tlo, w_thi;	/* terms [tlo, thi) */
	struct sb_stemmer	*w_stemmer;
	struct dict		 w_surf;	/* lower-cased words seen */
	uint32_t		*w_surfterm;	/* their term, NONE: stop */
	size_t			 w_surfcap;
	struct dict		 w_terms;	/* stems: local terms */
	struct lterm		*w_lt;
	size_t			 w_ltcap;
	uint32_t		*w_touched;	/* local terms of the doc */
	size_t			 w_ntouched;
	size_t			 w_touchedcap;
	struct buf		 w_fwd;		/* (local term, tf) pairs */
	uint64_t		*w_fwdoff;	/* hi - lo + 1 */
	struct cand		*w_cand;	/* the doc's useful terms */
	size_t			 w_candcap;
	struct buf		 w_out;		/* top terms; champions */
	uint64_t		*w_outoff;	/* per doc; per term */
	const char		*w_errstr;
};

static inline void *
xcalloc(size_t n, size_t sz)
{
	return calloc(n ? n : 1, sz);
}

/* ---- small helpers ---- */

static inline uint8_t *
put_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline const uint8_t *
get_varint(const uint8_t *p, uint32_t *v)
{
	uint32_t x = 0;
	int	 s = 0;

	while (*p & 0x80) {
		x |= (uint32_t)(*p++ & 0x7f) << s;
		s += 7;
	}
	*v = x | (uint32_t)*p++ << s;
	return p;
}

static inline size_t
varint_len(uint32_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* One posting: doc follows the doc next - 1. */
static inline uint8_t *
put_posting(uint8_t *p, uint32_t doc, uint32_t next, uint32_t tf)
{
	p = put_varint(p, (doc - next) << 1 | (tf > 1));
	if (tf > 1)
		*p++ = (uint8_t)tf;
	return p;
}

/* The next posting: *next is the doc after the previous one, 0 at first. */
static inline const uint8_t *
get_posting(const uint8_t *p, uint32_t *next, uint32_t *doc, uint32_t *tf)
{
	uint32_t v;

	p = get_varint(p, &v);
	*doc = *next + (v >> 1);
	*next = *doc + 1;
	*tf = (v & 1) ? *p++ : 1;
	return p;
}

static inline size_t
posting_len(uint32_t doc, uint32_t next, uint32_t tf)
{
	return varint_len((doc - next) << 1 | (tf > 1)) + (tf > 1);
}

/* Grows *arr (of elements of size sz) to hold at least n. */
static inline int
grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	void	*p;
	size_t	 c = *cap ? *cap : 64;

	if (n <= *cap)
		return 0;
	while (c < n)
		c *= 2;
	if ((p = realloc(*(void **)arr, c * sz)) == NULL)
		return -1;
	*(void **)arr = p;
	*cap = c;
	return 0;
}

/* textindex_tok.c */
void		 textindex_tok_init(struct tok *, const char *, size_t);
int		 textindex_tok_next(struct tok *);
int		 textindex_term_of(struct sb_stemmer *, const struct tok *,
    const char **,
		    size_t *);
struct sb_stemmer *textindex_stemmer_new(void);

/* textindex_dict.c */
void		 textindex_dict_free(struct dict *);
uint32_t	 textindex_dict_find(const struct dict *, const char *, size_t,
    uint32_t);
uint32_t	 textindex_dict_add(struct dict *, const char *, size_t,
    uint32_t);
void		 textindex_dict_shrink(struct dict *);

/* textindex_topn.c */
void		 textindex_cand_sift(struct cand *, size_t, size_t, int);
void		 textindex_topn_add(struct topn *, float, uint32_t,
		    uint32_t);
int		 textindex_cmp_best(const void *, const void *);
int		 textindex_cmp_id(const void *, const void *);

/* textindex_build.c: the passes each worker runs, and the merges */
void		*textindex_pass1(void *);
void		*textindex_pass2(void *);
void		*textindex_pass3(void *);
int		 textindex_merge_terms(struct textindex *, struct worker *,
		    size_t);
int		 textindex_merge_postings(struct textindex *,
		    struct worker *, size_t);

/* textindex_query.c */
size_t		 textindex_query_len(const char *);

#endif /* TEXTINDEX_INT_H */
