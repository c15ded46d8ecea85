#include <sys/stat.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "capsule.h"
#include "catalog.h"
#include "discover.h"
#include "meta.h"
#include "textindex.h"

#define NONE	UINT32_MAX

/*
 * The text of one document as it was indexed, in one allocation: what a
 * search needs of the articles it found (the phrase check and the
 * excerpts), so that it reads no file on the event loop.
 */
struct doc_text {
	struct textindex_doc	 dt_doc;	/* points into this allocation */
	size_t			 dt_size;	/* its bytes */
	const char		*dt_para[];	/* then the strings */
};

/* A full index and the articles it was built from, in its order. */
struct base {
	_Atomic int	  b_refs;
	struct textindex *b_ti;
	struct doc_text	**b_text;	/* by document; NULL: not kept */
	size_t		  b_textsize;	/* bytes of b_text's texts */
	struct meta	**b_meta;	/* references, by document */
	uint32_t	 *b_slot;	/* open addressing by meta: doc + 1 */
	size_t		  b_mask;	/* slots - 1 */
	size_t		  b_n;
};

struct discover {
	struct base	 *d_base;	/* a reference */
	struct textindex *d_delta;	/* or NULL */
	struct doc_text	**d_text;	/* by delta document, as b_text */
	size_t		  d_textsize;
	uint8_t		 *d_gone;	/* bit per base document */
	uint32_t	 *d_art2doc;	/* catalog index -> view document */
	uint32_t	 *d_doc2art;	/* view document -> catalog index */
	size_t		  d_nart;
	size_t		  d_ndelta;
	size_t		  d_ngone;
	int		  d_fresh;	/* it built d_base */
};

/* Reads the text of the documents' articles from the capsule. */
struct reader {
	int			 r_dirfd;
	const struct catalog	*r_cat;
	const uint32_t		*r_art;	/* document -> catalog index */
	struct doc_text		**r_text; /* document -> its text, kept */
	_Atomic size_t		 r_textsize; /* bytes in r_text */
};

/*
 * A copy of article a's title and paragraphs, if the build's texts stay
 * within DISCOVER_TEXT_MAX with it; else (or out of memory) NULL, and a
 * search reads the file instead.
 */
static struct doc_text *
text_new(const struct article *a, _Atomic size_t *total)
{
	struct doc_text	*t;
	size_t		 size, len, i;
	char		*p;

	size = sizeof(*t) + a->a_npara * sizeof(t->dt_para[0]) +
	    (a->a_title != NULL ? strlen(a->a_title) + 1 : 0);
	for (i = 0; i < a->a_npara; i++)
		size += strlen(a->a_para[i]) + 1;
	if (atomic_fetch_add(total, size) + size > DISCOVER_TEXT_MAX ||
	    (t = malloc(size)) == NULL) {
		atomic_fetch_sub(total, size);
		return NULL;
	}
	t->dt_size = size;
	p = (char *)&t->dt_para[a->a_npara];
	t->dt_doc.td_title = NULL;
	if (a->a_title != NULL) {
		len = strlen(a->a_title) + 1;
		t->dt_doc.td_title = memcpy(p, a->a_title, len);
		p += len;
	}
	for (i = 0; i < a->a_npara; i++) {
		len = strlen(a->a_para[i]) + 1;
		t->dt_para[i] = memcpy(p, a->a_para[i], len);
		p += len;
	}
	t->dt_doc.td_para = t->dt_para;
	t->dt_doc.td_npara = a->a_npara;
	return t;
}

static void
texts_free(struct doc_text **text, size_t n)
{
	size_t	 i;

	for (i = 0; text != NULL && i < n; i++)
		free(text[i]);
	free(text);
}

static int
reader_load(void *arg, size_t i, struct textindex_doc *doc, void **h)
{
	struct reader	*r = arg;
	const struct cat_article *ca = &r->r_cat->c_art[r->r_art[i]];
	const struct meta *m = ca->ca_meta;
	struct article	*a;
	struct stat	 st;
	const char	*errstr;

	if ((a = malloc(sizeof(*a))) == NULL)
		return -1;
	if (capsule_read_article(r->r_dirfd, ca->ca_name, a, &st,
	    &errstr) == -1 && (!capsule_unreadable(errno) ||
	    m->m_src == NULL || article_load(a, m->m_src, m->m_srclen,
	    &errstr) == -1)) {
		free(a);
		return -1;	/* gone (the watcher will notice), or unkept */
	}
	doc->td_title = a->a_title;
	doc->td_para = (const char *const *)a->a_para;
	doc->td_npara = a->a_npara;
	r->r_text[i] = text_new(a, &r->r_textsize);
	*h = a;
	return 0;
}

static void
reader_done(void *arg, void *h)
{
	(void)arg;
	if (h != NULL) {
		article_free(h);
		free(h);
	}
}

/*
 * The index of the articles art[0 .. n) of c, and their texts into
 * *textp (n of them) and *textsize.
 */
static struct textindex *
build(const struct catalog *c, int dirfd, const uint32_t *art, size_t n,
    const struct textindex *base, struct doc_text ***textp,
    size_t *textsize, const char **errstr)
{
	struct reader		 r = { dirfd, c, art, NULL, 0 };
	struct textindex_source	 src = { reader_load, reader_done, &r };
	struct textindex	*ti;

	if ((r.r_text = calloc(n + 1, sizeof(*r.r_text))) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	if ((ti = textindex_build_from(&src, n, base, errstr)) == NULL) {
		texts_free(r.r_text, n);
		return NULL;
	}
	*textp = r.r_text;
	*textsize = atomic_load(&r.r_textsize);
	return ti;
}

static void
base_unref(struct base *b)
{
	size_t	 i;

	if (b == NULL || atomic_fetch_sub(&b->b_refs, 1) != 1)
		return;
	textindex_free(b->b_ti);
	texts_free(b->b_text, b->b_n);
	for (i = 0; i < b->b_n; i++)
		meta_unref(b->b_meta[i]);
	free(b->b_meta);
	free(b->b_slot);
	free(b);
}

static size_t
ptr_hash(const struct meta *m)
{
	uint64_t x = (uint64_t)(uintptr_t)m;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* The base's document of meta m, NONE if it has none. */
static uint32_t
base_find(const struct base *b, const struct meta *m)
{
	size_t	 i;

	for (i = ptr_hash(m) & b->b_mask; b->b_slot[i] != 0;
	    i = (i + 1) & b->b_mask)
		if (b->b_meta[b->b_slot[i] - 1] == m)
			return b->b_slot[i] - 1;
	return NONE;
}

/* Catalog indexes in address slug order: the documents' order. */
static int
cmp_slug(const void *a, const void *b, void *arg)
{
	const struct catalog *c = arg;

	return strcmp(c->c_art[*(const uint32_t *)a].ca_slug,
	    c->c_art[*(const uint32_t *)b].ca_slug);
}

static void
sort_by_slug(const struct catalog *c, uint32_t *art, size_t n)
{
	qsort_r(art, n, sizeof(*art), cmp_slug, (void *)(uintptr_t)c);
}

/* Every article of c, in slug order. */
static void
all_by_slug(const struct catalog *c, uint32_t *art)
{
	size_t	 i;

	for (i = 0; i < c->c_nart; i++)
		art[i] = (uint32_t)i;
	sort_by_slug(c, art, c->c_nart);
}

/* A base of every article of c; art is taken over. */
static struct base *
base_new(const struct catalog *c, int dirfd, uint32_t *art,
    const char **errstr)
{
	struct base	*b;
	size_t		 i, j, n = c->c_nart, nslot = 16;

	while (nslot < 2 * n)
		nslot *= 2;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->b_meta = calloc(n + 1, sizeof(*b->b_meta))) == NULL ||
	    (b->b_slot = calloc(nslot, sizeof(*b->b_slot))) == NULL) {
		*errstr = "out of memory";
		free(art);
		if (b != NULL)
			free(b->b_meta);
		free(b);
		return NULL;
	}
	atomic_init(&b->b_refs, 1);
	b->b_mask = nslot - 1;
	if ((b->b_ti = build(c, dirfd, art, n, NULL, &b->b_text,
	    &b->b_textsize, errstr)) == NULL) {
		free(art);
		base_unref(b);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		b->b_meta[i] = c->c_art[art[i]].ca_meta;
		meta_ref(b->b_meta[i]);
		for (j = ptr_hash(b->b_meta[i]) & b->b_mask; b->b_slot[j] != 0;
		    j = (j + 1) & b->b_mask)
			continue;
		b->b_slot[j] = (uint32_t)i + 1;
	}
	b->b_n = n;
	free(art);
	return b;
}

void
discover_free(struct discover *d)
{
	if (d == NULL)
		return;
	base_unref(d->d_base);
	textindex_free(d->d_delta);
	texts_free(d->d_text, d->d_ndelta);
	free(d->d_gone);
	free(d->d_art2doc);
	free(d->d_doc2art);
	free(d);
}

/* The view documents of the catalog's articles, and back. */
static int
map(struct discover *d, const struct catalog *c, const uint32_t *delta)
{
	size_t	 nb = d->d_base->b_n, i;
	uint32_t doc;

	if ((d->d_art2doc = calloc(c->c_nart + 1, sizeof(uint32_t))) ==
	    NULL || (d->d_doc2art = calloc(nb + d->d_ndelta + 1,
	    sizeof(uint32_t))) == NULL || (d->d_gone = calloc(nb / 8 + 1,
	    1)) == NULL)
		return -1;
	memset(d->d_doc2art, 0xff, (nb + d->d_ndelta) * sizeof(uint32_t));
	for (i = 0; i < c->c_nart; i++)
		if ((doc = base_find(d->d_base, c->c_art[i].ca_meta)) !=
		    NONE) {
			d->d_art2doc[i] = doc;
			d->d_doc2art[doc] = (uint32_t)i;
		}
	for (i = 0; i < d->d_ndelta; i++) {
		d->d_art2doc[delta[i]] = (uint32_t)(nb + i);
		d->d_doc2art[nb + i] = delta[i];
	}
	for (i = 0; i < nb; i++)
		if (d->d_doc2art[i] == NONE) {
			d->d_gone[i / 8] |= (uint8_t)(1u << (i % 8));
			d->d_ngone++;
		}
	d->d_nart = c->c_nart;
	return 0;
}

/*
 * The index of catalog c (dirfd: its capsule), built on prev's base when
 * prev is not NULL and c has not changed too much since.
 */
struct discover *
discover_new(const struct discover *prev, const struct catalog *c,
    int dirfd, const char **errstr)
{
	struct discover	*d;
	uint32_t	*art = NULL, *delta = NULL;
	size_t		 i, nd = 0, nb;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (art = calloc(c->c_nart + 1, sizeof(*art))) == NULL)
		goto nomem;
	if (prev != NULL) {
		/* the articles the base lacks, in slug order */
		nb = prev->d_base->b_n;
		for (i = 0; i < c->c_nart; i++)
			if (base_find(prev->d_base, c->c_art[i].ca_meta) ==
			    NONE)
				art[nd++] = (uint32_t)i;
		sort_by_slug(c, art, nd);
		/* changed ones are both added and gone */
		if (nd + (nb - (c->c_nart - nd)) <= DISCOVER_DELTA_MIN +
		    nb / DISCOVER_DELTA_DIV) {
			d->d_base = prev->d_base;
			atomic_fetch_add(&d->d_base->b_refs, 1);
			delta = art;
			art = NULL;
			d->d_ndelta = nd;
			if (nd > 0 && (d->d_delta = build(c, dirfd, delta, nd,
			    d->d_base->b_ti, &d->d_text, &d->d_textsize,
			    errstr)) == NULL)
				goto fail;
		}
	}
	if (d->d_base == NULL) {
		all_by_slug(c, art);
		d->d_fresh = 1;
		d->d_base = base_new(c, dirfd, art, errstr);
		art = NULL;
		if (d->d_base == NULL)
			goto fail;
	}
	if (map(d, c, delta) == -1)
		goto nomem;
	free(delta);
	return d;
 nomem:
	*errstr = "out of memory";
 fail:
	free(art);
	free(delta);
	discover_free(d);
	return NULL;
}

static void
view(const struct discover *d, struct textview *tv)
{
	tv->tv_base = d->d_base->b_ti;
	tv->tv_delta = d->d_delta;
	tv->tv_gone = d->d_gone;
}

/*
 * The (at most k) articles most similar to catalog article i, best
 * first, never i nor one of exclude[0 .. nexclude) (catalog indexes),
 * into out as catalog indexes; returns how many, -1 when out of memory.
 */
ssize_t
discover_similar(const struct discover *d, size_t i, size_t k,
    const uint32_t *exclude, size_t nexclude, uint32_t *out)
{
	struct textview	 tv;
	uint32_t	 docs[DISCOVER_SIMILAR_MAX], *ex;
	size_t		 j, nex = 0;
	ssize_t		 n;

	if (d == NULL || i >= d->d_nart || k == 0)
		return 0;
	if ((ex = calloc(nexclude + 1, sizeof(*ex))) == NULL)
		return -1;
	if (k > DISCOVER_SIMILAR_MAX)
		k = DISCOVER_SIMILAR_MAX;
	for (j = 0; j < nexclude; j++)
		if (exclude[j] < d->d_nart)
			ex[nex++] = d->d_art2doc[exclude[j]];
	view(d, &tv);
	n = textview_similar(&tv, d->d_art2doc[i], k, ex, nex, docs);
	for (j = 0; n > 0 && j < (size_t)n; j++)
		out[j] = d->d_doc2art[docs[j]];
	free(ex);
	return n;
}

/*
 * The (at most max) articles best matching query, best first; returns
 * how many, -1 when out of memory.
 */
ssize_t
discover_search(const struct discover *d, const char *query, size_t max,
    struct discover_hit *out)
{
	struct textindex_hit *hit;
	struct textview	 tv;
	size_t		 j;
	ssize_t		 n;

	if (d == NULL || max == 0)
		return 0;
	if ((hit = calloc(max, sizeof(*hit))) == NULL)
		return -1;
	view(d, &tv);
	n = textview_search(&tv, query, max, hit);
	for (j = 0; n > 0 && j < (size_t)n; j++) {
		out[j].dh_art = d->d_doc2art[hit[j].th_doc];
		out[j].dh_score = hit[j].th_score;
	}
	free(hit);
	return n;
}

/*
 * The text catalog article i was indexed with, into doc (borrowed from
 * d): 0, or -1 when d kept none (past DISCOVER_TEXT_MAX, or the article
 * could not be read when it was indexed).
 */
int
discover_text(const struct discover *d, size_t i, struct textindex_doc *doc)
{
	const struct doc_text *t;
	uint32_t	 k;

	if (d == NULL || i >= d->d_nart)
		return -1;
	k = d->d_art2doc[i];
	t = k < d->d_base->b_n ? d->d_base->b_text[k] :
	    k - d->d_base->b_n < d->d_ndelta ? d->d_text[k - d->d_base->b_n] :
	    NULL;
	if (t == NULL)
		return -1;
	*doc = t->dt_doc;
	return 0;
}

/* Bytes held by the index (the base counted in full). */
size_t
discover_memory(const struct discover *d)
{
	size_t	 nb = d->d_base->b_n;

	return sizeof(*d) + sizeof(*d->d_base) + textindex_memory(
	    d->d_base->b_ti) + d->d_base->b_textsize + d->d_textsize +
	    (nb + d->d_ndelta) * sizeof(struct doc_text *) +
	    nb * sizeof(struct meta *) +
	    (d->d_base->b_mask + 1) * sizeof(uint32_t) + (d->d_delta != NULL ?
	    textindex_memory(d->d_delta) : 0) + nb / 8 + 1 +
	    (d->d_nart + nb + d->d_ndelta) * sizeof(uint32_t);
}

/* Whether d built an index of every article rather than a delta. */
int
discover_fresh(const struct discover *d)
{
	return d->d_fresh;
}

/* Articles added, changed or removed since the base was built. */
size_t
discover_changes(const struct discover *d)
{
	return d->d_ndelta + d->d_ngone;
}
