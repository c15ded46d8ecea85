/*
 * catalog.c: slots, their maps, address slugs and lookups;
 * catalog_build.c builds them in full (catalog_finish),
 * catalog_change.c makes the next version of a catalog from them
 * (catalog_apply); catalog.h says how versions share parts.
 *
 * Address slugs are worked out per "root": a slug with every trailing
 * "-<digits>" taken off ("crepes-2-3" -> "crepes").  Every candidate of
 * a base (base, base-2, base-3 ...) has the base's root, so articles of
 * different roots never compete for an address, and the addresses of a
 * root's articles (section 3: in file-name order, the first free
 * candidate) depend on those articles only: a change recomputes the
 * roots it touches, old and new, and nothing else.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "catalog.h"
#include "meta.h"
#include "slug.h"
#include "catalog_int.h"

/* A suffixed address slug ("crepes-2"), shared by the entries holding it. */
struct cat_slug {
	_Atomic int	 cs_refs;
	char		 cs_s[];
};

static _Atomic uint64_t	 epochs;

void
catalog_slug_unref(struct cat_slug *s)
{
	if (s != NULL && atomic_fetch_sub(&s->cs_refs, 1) == 1)
		free(s);
}

void
catalog_entry_clear(struct cat_article *ca)
{
	meta_unref(ca->ca_meta);
	catalog_slug_unref(ca->ca_own);
	memset(ca, 0, sizeof(*ca));
}

static void
chunk_unref(struct cat_chunk *ch)
{
	size_t	 i;

	if (ch == NULL || atomic_fetch_sub(&ch->ch_refs, 1) != 1)
		return;
	for (i = 0; i < CAT_CHUNK; i++)
		catalog_entry_clear(&ch->ch_art[i]);
	free(ch);
}

struct catalog *
catalog_new(void)
{
	struct catalog	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	pmap_init(&c->c_byslug, 0);
	pmap_init(&c->c_byname, 0);
	pmap_init(&c->c_bykey, 1);
	pmap_init(&c->c_bytitle, 1);
	pmap_init(&c->c_byroot, 1);
	c->c_epoch = atomic_fetch_add(&epochs, 1) + 1;
	return c;
}

void
catalog_free(struct catalog *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	pmap_free(&c->c_byslug);
	pmap_free(&c->c_byname);
	pmap_free(&c->c_bykey);
	pmap_free(&c->c_bytitle);
	pmap_free(&c->c_byroot);
	for (i = 0; i < (c->c_nslot + CAT_CHUNK - 1) / CAT_CHUNK; i++)
		chunk_unref(c->c_chunk[i]);
	for (i = 0; i < c->c_nrun; i++)
		catalog_run_unref(c->c_run[i]);
	for (i = 0; i < c->c_nadd; i++)
		meta_unref(c->c_add[i]);
	free(c->c_chunk);
	free(c->c_free);
	free(c->c_run);
	free(c->c_runend);
	free(c->c_changed);
	free(c->c_add);
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
 * place an entry is made from a meta.  `capsuled convert` uses it for a
 * file outside the capsule.
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

/* Add an article by its meta, before catalog_finish; takes a reference. */
int
catalog_add_meta(struct catalog *c, struct meta *m)
{
	if (c->c_nadd >= UINT32_MAX - 1 || grow((void **)&c->c_add,
	    &c->c_addcap, c->c_nadd + 1, sizeof(*c->c_add)) == -1)
		return -1;
	meta_ref(m);
	c->c_add[c->c_nadd++] = m;
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

/* ---- slots ---- */

/* Chunk k made this version's own (copied if shared); NULL: no memory. */
static struct cat_chunk *
chunk_own(struct catalog *c, size_t k)
{
	struct cat_chunk	*ch = c->c_chunk[k], *nc;
	size_t			 i;

	if (ch != NULL && atomic_load(&ch->ch_refs) == 1)
		return ch;
	if ((nc = calloc(1, sizeof(*nc))) == NULL)
		return NULL;
	atomic_init(&nc->ch_refs, 1);
	if (ch != NULL) {
		memcpy(nc->ch_art, ch->ch_art, sizeof(nc->ch_art));
		for (i = 0; i < CAT_CHUNK; i++) {
			if (nc->ch_art[i].ca_meta != NULL)
				meta_ref(nc->ch_art[i].ca_meta);
			if (nc->ch_art[i].ca_own != NULL)
				atomic_fetch_add(&nc->ch_art[i].ca_own->cs_refs,
				    1);
		}
		chunk_unref(ch);
	}
	c->c_chunk[k] = nc;
	return nc;
}

/* The writable entry of slot i. */
struct cat_article *
catalog_entry_own(struct catalog *c, size_t i)
{
	struct cat_chunk	*ch = chunk_own(c, i / CAT_CHUNK);

	return ch != NULL ? &ch->ch_art[i % CAT_CHUNK] : NULL;
}

/* Room for slot c_nslot (a new chunk when needed); -1: no memory. */
int
catalog_slot_grow(struct catalog *c)
{
	size_t	 k = c->c_nslot / CAT_CHUNK;
	void	*p;

	if (c->c_nslot % CAT_CHUNK != 0)
		return 0;
	if (c->c_nslot >= UINT32_MAX - 1 ||
	    (p = reallocarray(c->c_chunk, k + 1, sizeof(*c->c_chunk))) == NULL)
		return -1;
	c->c_chunk = p;
	c->c_chunk[k] = NULL;
	return chunk_own(c, k) == NULL ? -1 : 0;
}

/* Put meta m (a new reference) in slot i; its slug is set later. */
int
catalog_slot_set(struct catalog *c, size_t i, struct meta *m)
{
	struct cat_article	*ca;

	if ((ca = catalog_entry_own(c, i)) == NULL)
		return -1;
	catalog_entry_clear(ca);
	meta_ref(m);
	catalog_entry(ca, m);
	ca->ca_slug = NULL;
	return 0;
}

/* ---- maps of lists ---- */


/* The length of the root of slug s (see the top of this file). */
size_t
catalog_root_len(const char *s, size_t n)
{
	size_t	 j;

	for (;;) {
		for (j = n; j > 0 && s[j - 1] >= '0' && s[j - 1] <= '9'; j--)
			continue;
		if (j == n || j < 2 || s[j - 1] != '-')
			return n;
		n = j - 1;
	}
}

static struct pmap *
list_map(struct catalog *c, enum list_kind kind, const struct cat_article *ca,
    const char **k, size_t *n)
{
	if (kind == LIST_ROOT) {
		*k = ca->ca_meta->m_base;
		*n = catalog_root_len(*k, strlen(*k));
		return &c->c_byroot;
	}
	if (ca->ca_key[0] != '\0') {
		*k = ca->ca_key;
		*n = strlen(*k);
		return &c->c_bykey;
	}
	*k = ca->ca_title;
	*n = strlen(*k);
	return &c->c_bytitle;
}

/* strcmp of the file names of slots a and b. */
int
catalog_name_cmp(const struct catalog *c, uint32_t a, uint32_t b)
{
	return strcmp(catalog_art(c, a)->ca_name, catalog_art(c, b)->ca_name);
}

/*
 * Slot i joins the end of its list in a map being built in full, in
 * file-name order, where nothing is shared yet: the list grows in
 * place (doubling).
 */
int
catalog_list_append(struct catalog *c, enum list_kind kind, uint32_t i)
{
	const char	*k;
	size_t		 n;
	struct pmap	*m = list_map(c, kind, catalog_art(c, i), &k, &n);
	uint64_t	*v;
	struct plist	*l, *nl;

	if ((v = pmap_claim(m, k, n)) == NULL)
		return -1;
	if ((l = (struct plist *)(uintptr_t)*v) == NULL) {
		if ((l = plist_new(1)) == NULL) {
			pmap_del(m, k, n);	/* no key without a list */
			return -1;
		}
		*v = (uint64_t)(uintptr_t)l;
	} else if (l->pl_n == l->pl_cap) {
		if (l->pl_cap > UINT32_MAX / 2 || (nl = realloc(l, sizeof(*l) +
		    2 * (size_t)l->pl_cap * sizeof(l->pl_v[0]))) == NULL)
			return -1;
		nl->pl_cap *= 2;
		*v = (uint64_t)(uintptr_t)(l = nl);
	}
	l->pl_v[l->pl_n++] = i;
	return 0;
}

/* Slot i joins its list, kept in file-name order (a new list). */
int
catalog_list_add(struct catalog *c, enum list_kind kind, uint32_t i)
{
	const char		*k;
	size_t			 n, p;
	struct pmap		*m;
	const struct plist	*l;
	struct plist		*nl;

	m = list_map(c, kind, catalog_art(c, i), &k, &n);
	l = pmap_list(m, k, n);
	if ((nl = plist_new(l == NULL ? 1 : l->pl_n + 1)) == NULL)
		return -1;
	for (p = 0; l != NULL && p < l->pl_n &&
	    catalog_name_cmp(c, l->pl_v[p], i) < 0; p++)
		nl->pl_v[p] = l->pl_v[p];
	nl->pl_v[p] = i;
	nl->pl_n = l != NULL ? l->pl_n + 1 : 1;
	for (; l != NULL && p < l->pl_n; p++)
		nl->pl_v[p + 1] = l->pl_v[p];
	return pmap_set(m, k, n, (uint64_t)(uintptr_t)nl);
}

/* Slot i leaves its list; the key stored becomes a remaining member's. */
int
catalog_list_del(struct catalog *c, enum list_kind kind, uint32_t i)
{
	const char		*k;
	size_t			 n, p, o = 0;
	struct pmap		*m = list_map(c, kind, catalog_art(c, i), &k, &n);
	const struct plist	*l = pmap_list(m, k, n);
	struct plist		*nl;

	if (l == NULL)
		return 0;
	if (l->pl_n == 1)
		return pmap_del(m, k, n);
	if ((nl = plist_new(l->pl_n - 1)) == NULL)
		return -1;
	for (p = 0; p < l->pl_n; p++)
		if (l->pl_v[p] != i && o < l->pl_n - 1)
			nl->pl_v[o++] = l->pl_v[p];
	nl->pl_n = (uint32_t)o;
	list_map(c, kind, catalog_art(c, nl->pl_v[0]), &k, &n);
	return pmap_set(m, k, n, (uint64_t)(uintptr_t)nl);
}

/* ---- address slugs ---- */

/* catalog_root_slugs for a root of one article: its address is its base. */
static int
root_slug_one(struct catalog *c, uint32_t i)
{
	struct cat_article	*ca;
	const char		*cur = catalog_art(c, i)->ca_meta->m_base;
	const char		*old = catalog_art(c, i)->ca_slug;

	if (old != NULL && strcmp(old, cur) == 0)
		return 0;
	if (old != NULL && pmap_del(&c->c_byslug, old, strlen(old)) == -1)
		return -1;
	if ((ca = catalog_entry_own(c, i)) == NULL)
		return -1;
	catalog_slug_unref(ca->ca_own);
	ca->ca_own = NULL;
	ca->ca_slug = cur;
	return pmap_set(&c->c_byslug, cur, strlen(cur), i);
}

/*
 * Section 3, uniqueness, for the articles of one root (l, in file-name
 * order): each gets the first of base, base-2, base-3 ... that an
 * earlier one of them has not taken.  Addresses that change leave
 * c_byslug first, then the new ones come in.
 */
int
catalog_root_slugs(struct catalog *c, const struct plist *l)
{
	struct strmap		 taken, next;
	struct cat_article	*ca;
	struct cat_slug		**made = NULL;
	const char		*base, *cur;
	size_t			 j, n;
	uint32_t		 suffix;
	int64_t			 h;
	int			 r = -1;

	if (l->pl_n == 1)
		return root_slug_one(c, l->pl_v[0]);
	strmap_init(&taken);
	strmap_init(&next);
	if ((made = calloc(l->pl_n, sizeof(*made))) == NULL)
		return -1;
	for (j = 0; j < l->pl_n; j++) {
		base = catalog_art(c, l->pl_v[j])->ca_meta->m_base;
		n = strlen(base);
		if (strmap_put(&taken, base, n, 0) == 1)
			continue;
		h = strmap_get(&next, base, n);
		suffix = h > 0 ? (uint32_t)h : 2;
		if ((made[j] = malloc(sizeof(**made) + n + 12)) == NULL)
			goto done;
		atomic_init(&made[j]->cs_refs, 1);
		for (;; suffix++) {
			snprintf(made[j]->cs_s, n + 12, "%s-%u", base, suffix);
			if (strmap_put(&taken, made[j]->cs_s,
			    strlen(made[j]->cs_s), 0) == 1)
				break;
		}
		if (strmap_set(&next, base, n, suffix + 1) == -1)
			goto done;
	}
	/* the addresses that change: out, then in */
	for (j = 0; j < l->pl_n; j++) {
		ca = (struct cat_article *)(uintptr_t)catalog_art(c, l->pl_v[j]);
		cur = made[j] != NULL ? made[j]->cs_s : ca->ca_meta->m_base;
		if (ca->ca_slug != NULL && strcmp(ca->ca_slug, cur) != 0 &&
		    pmap_del(&c->c_byslug, ca->ca_slug,
		    strlen(ca->ca_slug)) == -1)
			goto done;
	}
	for (j = 0; j < l->pl_n; j++) {
		ca = (struct cat_article *)(uintptr_t)catalog_art(c, l->pl_v[j]);
		cur = made[j] != NULL ? made[j]->cs_s : ca->ca_meta->m_base;
		if (ca->ca_slug != NULL && strcmp(ca->ca_slug, cur) == 0)
			continue;
		if ((ca = catalog_entry_own(c, l->pl_v[j])) == NULL)
			goto done;
		catalog_slug_unref(ca->ca_own);
		ca->ca_own = made[j];
		made[j] = NULL;
		ca->ca_slug = cur;
		if (pmap_set(&c->c_byslug, cur, strlen(cur), l->pl_v[j]) == -1)
			goto done;
	}
	r = 0;
 done:
	for (j = 0; j < l->pl_n; j++)
		catalog_slug_unref(made[j]);
	free(made);
	strmap_free(&taken);
	strmap_free(&next);
	return r;
}

/* The slugs of the root of base (of length n, as root_len gives). */
int
catalog_root_update(struct catalog *c, const char *root, size_t n)
{
	const struct plist	*l = pmap_list(&c->c_byroot, root, n);

	return l != NULL ? catalog_root_slugs(c, l) : 0;
}

/* ---- lookups ---- */

/*
 * Section 4: the first article (in file-name order) whose full title
 * slug is key; for an entry whose slug is empty, the first whose title
 * is exactly the entry's title.  -1 when none.
 */
int64_t
catalog_resolve_key(const struct catalog *c, const char *key,
    const char *title)
{
	const struct plist	*l = key[0] != '\0' ?
	    pmap_list(&c->c_bykey, key, strlen(key)) :
	    pmap_list(&c->c_bytitle, title, strlen(title));

	return l != NULL ? (int64_t)l->pl_v[0] : -1;
}

/* catalog_resolve_key of an entry's title as written. */
int64_t
catalog_resolve(const struct catalog *c, const char *title)
{
	size_t	 n = strlen(title);
	char	 stack[256], *k = stack;
	int64_t	 r;

	if (SLUG_ROOM(n) > sizeof(stack) && (k = malloc(SLUG_ROOM(n))) == NULL)
		return -1;
	k[slug_make(title, n, k)] = '\0';
	r = catalog_resolve_key(c, k, title);
	if (k != stack)
		free(k);
	return r;
}

int64_t
catalog_find_slug(const struct catalog *c, const char *slug, size_t n)
{
	return pmap_get(&c->c_byslug, slug, n);
}

int64_t
catalog_find_name(const struct catalog *c, const char *name)
{
	return pmap_get(&c->c_byname, name, strlen(name));
}
