#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "catalog.h"
#include "meta.h"
#include "slug.h"

struct catalog *
catalog_new(void)
{
	struct catalog	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	arena_init(&c->c_arena);
	strmap_init(&c->c_byslug);
	strmap_init(&c->c_bykey);
	strmap_init(&c->c_bytitle);
	strmap_init(&c->c_byname);
	strmap_init(&c->c_suffix);
	return c;
}

void
catalog_free(struct catalog *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	strmap_free(&c->c_byslug);
	strmap_free(&c->c_bykey);
	strmap_free(&c->c_bytitle);
	strmap_free(&c->c_byname);
	strmap_free(&c->c_suffix);
	arena_free(&c->c_arena);
	for (i = 0; i < c->c_nart; i++)
		meta_unref(c->c_art[i].ca_meta);
	free(c->c_art);
	free(c->c_rel);
	free(c->c_order);
	free(c);
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t	 ncap;
	void	*np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	if ((np = reallocarray(*p, ncap, size)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/*
 * The entry of meta m (borrowed: ca_meta is not a reference), the one
 * place an entry is made from a meta.  Its related entries are in no
 * catalog's c_rel (ca_nrel 0): the meta's are m_rel.  `capsuled convert`
 * uses it for a file outside the capsule.
 */
void
catalog_entry(struct cat_article *ca, struct meta *m)
{
	memset(ca, 0, sizeof(*ca));
	ca->ca_meta = m;
	ca->ca_name = m->m_name;
	ca->ca_title = m->m_title;
	ca->ca_key = m->m_key;
	ca->ca_slug = m->m_base;
	ca->ca_lang = m->m_lang;
	ca->ca_date = m->m_date;
}

/* Add an article by its meta; the catalog takes its own reference. */
int
catalog_add_meta(struct catalog *c, struct meta *m)
{
	struct cat_article	*ca;
	size_t			 k;

	if (c->c_nart >= UINT32_MAX || c->c_nrel + m->m_nrel >= UINT32_MAX ||
	    grow((void **)&c->c_art, &c->c_artcap, c->c_nart + 1,
	    sizeof(*c->c_art)) == -1 ||
	    grow((void **)&c->c_rel, &c->c_relcap, c->c_nrel + m->m_nrel,
	    sizeof(*c->c_rel)) == -1)
		return -1;
	meta_ref(m);
	ca = &c->c_art[c->c_nart++];
	catalog_entry(ca, m);
	ca->ca_rel = (uint32_t)c->c_nrel;
	ca->ca_nrel = (uint32_t)m->m_nrel;
	for (k = 0; k < m->m_nrel; k++) {
		c->c_rel[c->c_nrel + k].cr_title = m->m_rel[k];
		c->c_rel[c->c_nrel + k].cr_key = m->m_relkey[k];
		c->c_rel[c->c_nrel + k].cr_target = -1;
	}
	c->c_nrel += m->m_nrel;
	return 0;
}

/* Add a parsed article; `date` is its UTC time. */
int
catalog_add(struct catalog *c, const char *name, const struct article *a,
    int64_t date)
{
	struct meta	*m;
	int		 r;

	if ((m = meta_new(name, a, date)) == NULL)
		return -1;
	r = catalog_add_meta(c, m);
	meta_unref(m);
	return r;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct cat_article *)a)->ca_name,
	    ((const struct cat_article *)b)->ca_name);
}

/* Newest first, then title, then file name (capsuled(8), FORMAT). */
static int
by_date(const void *pa, const void *pb, void *arg)
{
	const struct catalog	 *c = arg;
	const struct cat_article *a = &c->c_art[*(const uint32_t *)pa];
	const struct cat_article *b = &c->c_art[*(const uint32_t *)pb];
	int	 r;

	if (a->ca_date != b->ca_date)
		return a->ca_date > b->ca_date ? -1 : 1;
	if ((r = strcmp(a->ca_title, b->ca_title)) != 0)
		return r;
	return strcmp(a->ca_name, b->ca_name);
}

/* Section 3, uniqueness: the base, else base-2, base-3, ... */
static int
assign_slug(struct catalog *c, uint32_t i)
{
	struct cat_article	*ca = &c->c_art[i];
	const char		*base = ca->ca_meta->m_base;
	char			*s;
	size_t			 n = strlen(base);
	int64_t			 next;
	uint32_t		 suffix;
	int			 r;

	if ((r = strmap_put(&c->c_byslug, base, n, i)) != 0) {
		ca->ca_slug = base;
		return r == 1 ? 0 : -1;
	}
	next = strmap_get(&c->c_suffix, base, n);
	suffix = next > 0 ? (uint32_t)next : 2;
	if ((s = arena_alloc(&c->c_arena, n + 12)) == NULL)
		return -1;
	for (;; suffix++) {
		snprintf(s, n + 12, "%s-%u", base, suffix);
		if ((r = strmap_put(&c->c_byslug, s, strlen(s), i)) == -1)
			return -1;
		if (r == 1)
			break;
	}
	ca->ca_slug = s;
	if (strmap_set(&c->c_suffix, base, n, suffix + 1) == -1)
		return -1;
	return 0;
}

int
catalog_finish(struct catalog *c)
{
	struct cat_article	*ca;
	struct cat_rel		*cr;
	size_t			 i;

	if (c->c_nart > 0)
		qsort(c->c_art, c->c_nart, sizeof(*c->c_art), by_name);
	for (i = 0; i < c->c_nart; i++) {
		ca = &c->c_art[i];
		if (assign_slug(c, (uint32_t)i) == -1 ||
		    strmap_put(&c->c_byname, ca->ca_name, strlen(ca->ca_name),
		    (uint32_t)i) == -1)
			return -1;
		if (ca->ca_key[0] != '\0' ? strmap_put(&c->c_bykey, ca->ca_key,
		    strlen(ca->ca_key), (uint32_t)i) == -1 :
		    strmap_put(&c->c_bytitle, ca->ca_title,
		    strlen(ca->ca_title), (uint32_t)i) == -1)
			return -1;
	}
	for (i = 0; i < c->c_nrel; i++) {
		cr = &c->c_rel[i];
		cr->cr_target = cr->cr_key[0] != '\0' ?
		    strmap_get(&c->c_bykey, cr->cr_key, strlen(cr->cr_key)) :
		    strmap_get(&c->c_bytitle, cr->cr_title, strlen(cr->cr_title));
	}
	if ((c->c_order = reallocarray(NULL, c->c_nart ? c->c_nart : 1,
	    sizeof(*c->c_order))) == NULL)
		return -1;
	for (i = 0; i < c->c_nart; i++)
		c->c_order[i] = (uint32_t)i;
	qsort_r(c->c_order, c->c_nart, sizeof(*c->c_order), by_date, c);
	return 0;
}

/*
 * Section 4: the first article (in file-name order) whose full title
 * slug equals the entry's; for an entry whose slug is empty, the first
 * whose title is exactly the entry's.  -1 when none.
 */
int64_t
catalog_resolve(const struct catalog *c, const char *title)
{
	size_t	 n = strlen(title);
	char	 stack[256], *k = stack;
	int64_t	 r;

	if (SLUG_ROOM(n) > sizeof(stack) && (k = malloc(SLUG_ROOM(n))) == NULL)
		return -1;
	n = slug_make(title, n, k);
	r = n > 0 ? strmap_get(&c->c_bykey, k, n) :
	    strmap_get(&c->c_bytitle, title, strlen(title));
	if (k != stack)
		free(k);
	return r;
}

int64_t
catalog_find_slug(const struct catalog *c, const char *slug, size_t n)
{
	return strmap_get(&c->c_byslug, slug, n);
}

int64_t
catalog_find_name(const struct catalog *c, const char *name)
{
	return strmap_get(&c->c_byname, name, strlen(name));
}
