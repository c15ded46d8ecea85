#include <libstemmer.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "buf.h"
#include "strmap.h"
#include "textindex.h"

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
 * which merge_terms turns into the index's; pass 2 weighs each doc,
 * writes its postings in place (merge_postings knows where each thread's
 * part of every list starts) and picks its top terms; pass 3 picks the
 * champions.
 */

#define TOK_BUF		(TEXTINDEX_TOKEN_MAX + 8)
#define NONE		UINT32_MAX
#define TF_MAX		255
/* Threads for building: each one needs its own dictionaries, and below
   a few thousand articles starting one costs more than it saves. */
#define THREADS_MAX	4
#define THREAD_DOCS_MIN	2048
/* textindex_snippet: context kept before a match, and the cut mark. */
#define SNIP_BEFORE	40
#define ELLIPSIS	"\xE2\x80\xA6"

#define TI_ENOMEM	"out of memory"

/* English stop words, in strcmp order, apostrophes as U+0027. */
static const char *const stopwords[] = {
	"a", "about", "above", "after", "again", "against", "all", "also",
	"am", "an", "and", "any", "are", "aren't", "as", "at", "be",
	"because", "been", "before", "being", "below", "between", "both",
	"but", "by", "can", "can't", "cannot", "could", "couldn't", "did",
	"didn't", "do", "does", "doesn't", "doing", "don't", "down",
	"during", "each", "either", "etc", "few", "for", "from", "further",
	"had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he",
	"he'd", "he'll", "he's", "her", "here", "here's", "hers", "herself",
	"him", "himself", "his", "how", "how's", "however", "i", "i'd",
	"i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it",
	"it'd", "it'll", "it's", "its", "itself", "just", "let's", "may",
	"me", "might", "mightn't", "more", "most", "must", "mustn't", "my",
	"myself", "neither", "no", "nor", "not", "now", "of", "off", "often",
	"on", "once", "only", "or", "other", "ought", "our", "ours",
	"ourselves", "out", "over", "own", "per", "rather", "same", "shall",
	"shan't", "she", "she'd", "she'll", "she's", "should", "shouldn't",
	"so", "some", "such", "than", "that", "that's", "the", "their",
	"theirs", "them", "themselves", "then", "there", "there's", "these",
	"they", "they'd", "they'll", "they're", "they've", "this", "those",
	"through", "thus", "to", "too", "under", "until", "up", "upon", "us",
	"very", "via", "was", "wasn't", "we", "we'd", "we'll", "we're",
	"we've", "were", "weren't", "what", "what's", "when", "when's",
	"where", "where's", "whether", "which", "while", "who", "who's",
	"whom", "whose", "why", "why's", "will", "with", "won't", "would",
	"wouldn't", "yet", "you", "you'd", "you'll", "you're", "you've",
	"your", "yours", "yourself", "yourselves"
};

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
static int
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

/* ---- dictionary ---- */

static void
dict_free(struct dict *d)
{
	free(d->d_str);
	free(d->d_off);
	free(d->d_hash);
	free(d->d_slot);
	memset(d, 0, sizeof(*d));
}

static uint32_t
dict_find(const struct dict *d, const char *s, size_t n, uint32_t h)
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
static uint32_t
dict_add(struct dict *d, const char *s, size_t n, uint32_t h)
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

/* ---- tokens and terms ---- */

static inline int
ascii_alnum(unsigned int c)
{
	return (c | 0x20) - 'a' < 26u || c - '0' < 10u;
}

/* The length of the letter or digit at p, else 0. */
static size_t
word_char(const uint8_t *p, const uint8_t *end, ucs4_t *uc)
{
	int	 n;

	if (p >= end)
		return 0;
	if (*p < 0x80) {
		*uc = *p;
		return ascii_alnum(*p);
	}
	n = u8_mbtouc(uc, p, (size_t)(end - p));
	return uc_is_alpha(*uc) || uc_is_digit(*uc) ? (size_t)n : 0;
}

static void
tok_init(struct tok *tk, const char *s, size_t n)
{
	tk->tk_p = (const uint8_t *)s;
	tk->tk_end = tk->tk_p + n;
	tk->tk_len = 0;
}

/*
 * A token of more than ASCII without its accents: decomposed (NFD), the
 * combining diacritical marks U+0300..U+036F (the accents of Latin,
 * Greek and Cyrillic letters) dropped, composed again (NFC), so that
 * "Crème", "creme" and "cre\u0300me" are one word.  Other marks stay.
 * The length, 0 when it does not fit.
 */
static size_t
tok_fold(char *buf, size_t len)
{
	uint8_t	 dec[TOK_BUF * 3], out[TOK_BUF], *d, *r;
	size_t	 n = sizeof(dec), i, o = 0, m = sizeof(out);
	ucs4_t	 uc;
	int	 k;

	if ((d = u8_normalize(UNINORM_NFD, (const uint8_t *)buf, len, dec,
	    &n)) == NULL)
		return 0;
	for (i = 0; i < n; i += (size_t)k) {
		k = u8_mbtouc(&uc, d + i, n - i);
		if (uc < 0x300 || uc > 0x36f) {
			memmove(d + o, d + i, (size_t)k);
			o += (size_t)k;
		}
	}
	r = u8_normalize(UNINORM_NFC, d, o, out, &m);
	if (d != dec)
		free(d);
	if (r != out) {
		free(r);
		return 0;
	}
	if (m > TEXTINDEX_TOKEN_MAX)
		return 0;
	memcpy(buf, out, m);
	return m;
}

/* The first letter or digit from p on, else end. */
static const uint8_t *
skip_sep(const uint8_t *p, const uint8_t *end)
{
	ucs4_t	 uc;
	int	 n;

	while (p < end) {
		if (*p < 0x80) {
			if (ascii_alnum(*p))
				break;
			p++;
			continue;
		}
		n = u8_mbtouc(&uc, p, (size_t)(end - p));
		if (uc_is_alpha(uc) || uc_is_digit(uc))
			break;
		p += n;
	}
	return p;
}

/*
 * The next token: a run of letters and digits (Unicode), combining marks
 * and apostrophes (' or ’, kept as ') between letters, lower-cased.
 * Tokens of one byte and longer than TEXTINDEX_TOKEN_MAX are skipped.
 */
static int
tok_next(struct tok *tk)
{
	const uint8_t	*p = tk->tk_p, *end = tk->tk_end;
	char		*b = tk->tk_buf;
	size_t		 len, n;
	ucs4_t		 uc, next;
	int		 wide, toolong, k;

	for (;;) {
		if ((p = skip_sep(p, end)) >= end) {
			tk->tk_p = p;
			return 0;
		}
		tk->tk_start = p;
		len = 0;
		wide = toolong = 0;
		while (p < end) {
			if (*p < 0x80) {
				if (ascii_alnum(*p))
					uc = *p >= 'A' ? *p | 0x20 : *p;
				else if (*p == '\'' &&
				    word_char(p + 1, end, &next))
					uc = '\'';
				else
					break;
				if (len < TEXTINDEX_TOKEN_MAX)
					b[len++] = (char)uc;
				else
					toolong = 1;
				p++;
				continue;
			}
			n = (size_t)u8_mbtouc(&uc, p, (size_t)(end - p));
			if (uc == 0x2019 && word_char(p + n, end, &next))
				uc = '\'';
			else if (uc_is_alpha(uc) || uc_is_digit(uc)) {
				uc = uc_tolower(uc);
				wide = 1;
			} else if (uc_is_general_category(uc, UC_CATEGORY_M))
				wide = 1;
			else
				break;
			if ((k = u8_uctomb((uint8_t *)b + len, uc,
			    TEXTINDEX_TOKEN_MAX - len)) > 0)
				len += (size_t)k;
			else
				toolong = 1;
			p += n;
		}
		if (toolong || len < 2 ||
		    (wide && (len = tok_fold(b, len)) < 2))
			continue;
		b[len] = '\0';
		tk->tk_len = len;
		tk->tk_p = p;
		return 1;
	}
}

static int
cmp_stop(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int
is_stop(const char *tok)
{
	return bsearch(tok, stopwords, sizeof(stopwords) / sizeof(stopwords[0]),
	    sizeof(stopwords[0]), cmp_stop) != NULL;
}

/*
 * The term of a token: 1 and its stem (*n bytes at *t, the stemmer's),
 * 0 for a stop word, -1 when the stemmer runs out of memory.
 */
static int
term_of(struct sb_stemmer *st, const struct tok *tk, const char **t,
    size_t *n)
{
	const sb_symbol	*s;

	if (is_stop(tk->tk_buf))
		return 0;
	if ((s = sb_stemmer_stem(st, (const sb_symbol *)tk->tk_buf,
	    (int)tk->tk_len)) == NULL)
		return -1;
	*t = (const char *)s;
	*n = (size_t)sb_stemmer_length(st);
	return *n > 0;
}

static struct sb_stemmer *
stemmer_new(void)
{
	return sb_stemmer_new("english", "UTF_8");
}

int
textindex_terms(const char *s, size_t n, struct buf *out)
{
	struct sb_stemmer *st;
	struct tok	 tk;
	const char	*t;
	size_t		 len;
	int		 count = 0, r = 0;

	if ((st = stemmer_new()) == NULL)
		return -1;
	tok_init(&tk, s, n);
	while (r != -1 && tok_next(&tk)) {
		if ((r = term_of(st, &tk, &t, &len)) != 1)
			continue;
		if (count++ > 0)
			buf_addc(out, ' ');
		buf_add(out, t, len);
	}
	sb_stemmer_delete(st);
	return out->b_failed || r == -1 ? -1 : count;
}

/* ---- the best n of a stream ---- */

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

/* Sifts h[i] down a heap of n: the worst on top, or the best if best. */
static void
cand_sift(struct cand *h, size_t n, size_t i, int best)
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

static inline int
topn_wants(const struct topn *tn, float score, uint32_t id)
{
	struct cand	 c;

	c.c_score = score;
	c.c_id = id;
	return tn->tn_n < tn->tn_max || (tn->tn_max > 0 &&
	    cand_better(&c, &tn->tn_c[0]));
}

static void
topn_add(struct topn *tn, float score, uint32_t id, uint32_t aux)
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
				cand_sift(tn->tn_c, tn->tn_n, i, 0);
	} else {
		tn->tn_c[0] = c;
		cand_sift(tn->tn_c, tn->tn_n, 0, 0);
	}
}

static int
cmp_best(const void *a, const void *b)
{
	return cand_better(b, a) - cand_better(a, b);
}

static int
cmp_id(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return (x->c_id > y->c_id) - (x->c_id < y->c_id);
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

static void *
xcalloc(size_t n, size_t sz)
{
	return calloc(n ? n : 1, sz);
}

static uint32_t
local_term(struct worker *w, const char *s, size_t n)
{
	uint32_t h = strmap_hash(s, n), l;

	if ((l = dict_find(&w->w_terms, s, n, h)) != NONE)
		return l;
	if ((l = dict_add(&w->w_terms, s, n, h)) == NONE ||
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
	if ((id = dict_find(&w->w_surf, tk->tk_buf, tk->tk_len, h)) == NONE) {
		if ((r = term_of(w->w_stemmer, tk, &t, &n)) == -1 ||
		    (r == 1 && (l = local_term(w, t, n)) == NONE))
			return -1;
		if ((id = dict_add(&w->w_surf, tk->tk_buf, tk->tk_len, h)) ==
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

	tok_init(&tk, s, strlen(s));
	while (tok_next(&tk))
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
static void *
pass1(void *arg)
{
	struct worker			*w = arg;
	const struct textindex_source	*src = w->w_src;
	struct textindex_doc		 doc;
	void				*h;
	uint32_t			 d;
	size_t				 i;
	int				 r;

	if ((w->w_stemmer = stemmer_new()) == NULL) {
		w->w_errstr = "cannot create the stemmer";
		return NULL;
	}
	for (d = w->w_lo; d < w->w_hi; d++) {
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
		ti->ti_basemap[t] = dict_find(&ti->ti_stats->ti_dict,
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
static int
merge_terms(struct textindex *ti, struct worker *w, size_t nw)
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
			if ((id = dict_find(&all, lt->d_str + o,
			    lt->d_off[l + 1] - o, lt->d_hash[l])) == NONE &&
			    (id = dict_add(&all, lt->d_str + o,
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
		if (dict_add(&ti->ti_dict, all.d_str + o,
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
	dict_free(&all);
	return rv;
}

/* Document frequencies, idf, and where each thread writes its postings. */
static int
merge_postings(struct textindex *ti, struct worker *w, size_t nw)
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
		cand_sift(c, n, i, 1);
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
		cand_sift(c, n, 0, 1);
	}
	qsort(top, k, sizeof(*top), cmp_id);
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
static void *
pass2(void *arg)
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
			if (df_all(ti, t) > 1 && df_all(ti, t) <= ti->ti_dfcap) {
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
		topn_add(&tn, ti->ti_tfw[tf] * ti->ti_invnorm[d], d, tf);
	}
	qsort(top, tn.tn_n, sizeof(top[0]), cmp_id);
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
static void *
pass3(void *arg)
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
	dict_free(&w->w_surf);
	dict_free(&w->w_terms);
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

/* Gives back what the growing dictionary had in reserve. */
static void
dict_shrink(struct dict *d)
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

static int
build(struct textindex *ti, struct worker *w, size_t nw)
{
	size_t	 k;

	if (run(pass1, w, nw) == -1)
		return -1;
	if (merge_terms(ti, w, nw) == -1 || merge_postings(ti, w, nw) == -1 ||
	    (ti->ti_invnorm = xcalloc(ti->ti_ndoc,
	    sizeof(*ti->ti_invnorm))) == NULL)
		return -1;
	if (run(pass2, w, nw) == -1)
		return -1;
	for (k = 0; k < nw; k++)
		worker_drop(&w[k]);
	dict_shrink(&ti->ti_dict);
	if ((ti->ti_fwdoff = xcalloc(ti->ti_ndoc + 1,
	    sizeof(*ti->ti_fwdoff))) == NULL ||
	    gather(w, nw, 1, &ti->ti_fwd, NULL, ti->ti_fwdoff) == -1 ||
	    (ti->ti_champoff = xcalloc(ti->ti_nterm + 1,
	    sizeof(*ti->ti_champoff))) == NULL ||
	    split_terms(ti, w, nw) == -1 || run(pass3, w, nw) == -1)
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
	dict_free(&ti->ti_dict);
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

/* ---- queries ---- */

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
	return dict_find(&q->q_ix[1]->ti_dict, d->d_str + d->d_off[t],
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
				topn_add(&tn, s, id, 0);
		}
	}
	qsort(out, tn.tn_n, sizeof(*out), cmp_best);
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
static size_t
query_len(const char *q)
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

	if ((st = stemmer_new()) == NULL)
		return -1;
	tok_init(&tk, q, query_len(q));
	while (n < TEXTINDEX_QUERY_TERMS && tok_next(&tk)) {
		if (term_of(st, &tk, &s, &len) != 1)
			continue;
		h = strmap_hash(s, len);
		for (k = 0; k < 2; k++)
			t[k] = vq->q_ix[k] == NULL ? NONE :
			    dict_find(&vq->q_ix[k]->ti_dict, s, len, h);
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

/*
 * Copies into out (budget bytes and a NUL) the paragraph s of len bytes,
 * from a word shortly before the match at `at` (mlen bytes) when the
 * match would not show otherwise; cuts on a space or a character.
 */
static void
excerpt(const char *s, size_t len, size_t at, size_t mlen, char *out,
    size_t budget)
{
	size_t	 start = 0, o = 0, cut, i, mark = budget >= 16 ? 3 : 0;

	if (mark && at + mlen + mark > budget) {
		start = at > SNIP_BEFORE ? at - SNIP_BEFORE : 0;
		for (i = start; i < at && s[i] != ' '; i++)
			continue;
		if (i < at)
			start = i + 1;
		while (start < at && ((unsigned char)s[start] & 0xc0) == 0x80)
			start++;
		if (start > 0) {
			memcpy(out, ELLIPSIS " ", 4);
			o = 4;
		}
	}
	if (len - start <= budget - o) {
		memcpy(out + o, s + start, len - start);
		out[o + len - start] = '\0';
		return;
	}
	cut = budget - o - mark;
	while (cut > 0 && ((unsigned char)s[start + cut] & 0xc0) == 0x80)
		cut--;
	for (i = cut; i > cut / 2 && s[start + i] != ' '; i--)
		continue;
	if (i > cut / 2)
		cut = i;
	memcpy(out + o, s + start, cut);
	memcpy(out + o + cut, ELLIPSIS, mark);
	out[o + cut + mark] = '\0';
}

/* Where in s the first of the nq stems q is, and its length. */
static int
find_term(struct sb_stemmer *st, const char *s, char (*q)[TOK_BUF],
    size_t nq, size_t *at, size_t *mlen)
{
	struct tok	 tk;
	const char	*t;
	size_t		 len, i;

	tok_init(&tk, s, strlen(s));
	while (tok_next(&tk)) {
		if (term_of(st, &tk, &t, &len) != 1)
			continue;
		for (i = 0; i < nq; i++)
			if (strlen(q[i]) == len && memcmp(q[i], t, len) == 0) {
				*at = (size_t)(tk.tk_start -
				    (const uint8_t *)s);
				*mlen = (size_t)(tk.tk_p - tk.tk_start);
				return 1;
			}
	}
	return 0;
}

int
textindex_snippet(const struct textindex_doc *doc, const char *query,
    char *out, size_t outlen)
{
	struct sb_stemmer *st = NULL;
	struct tok	 tk;
	char		 q[TEXTINDEX_QUERY_TERMS][TOK_BUF];
	const char	*t, *para;
	size_t		 nq = 0, i, len, at, mlen, budget;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (doc->td_npara == 0 || doc->td_para[0] == NULL)
		return 0;
	budget = outlen - 1 < TEXTINDEX_SNIPPET_MAX ? outlen - 1 :
	    TEXTINDEX_SNIPPET_MAX;
	if (query != NULL && (st = stemmer_new()) != NULL) {
		tok_init(&tk, query, query_len(query));
		while (nq < TEXTINDEX_QUERY_TERMS && tok_next(&tk))
			if (term_of(st, &tk, &t, &len) == 1 &&
			    len < TOK_BUF) {
				memcpy(q[nq], t, len);
				q[nq++][len] = '\0';
			}
		for (i = 0; i < doc->td_npara && nq > 0; i++) {
			if ((para = doc->td_para[i]) == NULL ||
			    !find_term(st, para, q, nq, &at, &mlen))
				continue;
			excerpt(para, strlen(para), at, mlen, out, budget);
			sb_stemmer_delete(st);
			return 1;
		}
		sb_stemmer_delete(st);
	}
	excerpt(doc->td_para[0], strlen(doc->td_para[0]), 0, 0, out, budget);
	return 0;
}
