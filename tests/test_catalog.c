#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "meta.h"
#include "catalog.h"
#include "test.h"

/* Add an article given as source text under a file name. */
static int
add_quiet(struct catalog *c, const char *name, const char *src,
    int64_t mtime)
{
	struct article	 a;
	const char	*errstr;
	int		 r;

	if (article_load(&a, src, strlen(src), &errstr) == -1)
		return -1;
	r = catalog_add(c, name, &a, a.a_has_date ? a.a_date : mtime);
	article_free(&a);
	return r;
}

static void
add(struct catalog *c, const char *name, const char *src, int64_t mtime)
{
	CHECK(add_quiet(c, name, src, mtime) == 0, "add %s", name);
}

static const char *
slug_of(const struct catalog *c, const char *name)
{
	int64_t	 i = catalog_find_name(c, name);

	return i >= 0 ? catalog_art(c, (size_t)i)->ca_slug : NULL;
}

/*
 * meta_new makes each slug in scratch space, then keeps only its bytes:
 * the strings must be those the worst-case room gave.
 */
static void
test_meta(void)
{
	struct article	 a, b;
	struct meta	*m;
	const char	*errstr;
	const char	*src = "---\nlang: ru\n---\nЩука и ёж!\nP\n"
	    "Crêpes\ns\nREAD MORE\n味噌\ns\nREAD MORE";

	CHECK(article_load(&a, src, strlen(src), &errstr) == 0, "load");
	CHECK((m = meta_new("щ.txt", &a, 7)) != NULL, "meta");
	CHECK_STR(m->m_name, "щ.txt");
	CHECK_STR(m->m_title, "Щука и ёж!");
	CHECK_STR(m->m_key, "shchuka-i-yozh");
	CHECK_STR(m->m_base, "shchuka-i-yozh");
	CHECK(m->m_base == m->m_key, "the key is the base: one copy");
	CHECK_STR(m->m_lang, "ru");
	CHECK(m->m_nrel == 2 && m->m_date == 7, "2 related, date");
	CHECK_STR(m->m_rel[0], "Crêpes");
	CHECK_STR(m->m_relkey[0], "crepes");
	CHECK_STR(m->m_rel[1], "味噌");
	CHECK_STR(m->m_relkey[1], "");
	CHECK(m->m_text == NULL && meta_article(m, &b, &errstr) == -1,
	    "no text kept: no article");
	/* the text kept gives the article again */
	CHECK(meta_keep_text(m, &a) == 0 && m->m_text != NULL, "kept");
	CHECK(meta_article(m, &b, &errstr) == 0, "article from the text");
	CHECK_STR(b.a_title, a.a_title);
	CHECK_STR(b.a_lang, "ru");
	CHECK(b.a_npara == a.a_npara && b.a_nrel == a.a_nrel &&
	    b.a_nrel == 2, "paragraphs and related entries");
	CHECK_STR(b.a_npara == 1 ? b.a_para[0] : NULL, "P");
	CHECK_STR(article_rel_summary(&b, 1), "s");
	article_free(&b);
	meta_unref(m);
	article_free(&a);
	/* no slug in the title: the file name's, or its hash */
	CHECK(article_load(&a, "味噌\nbody", 11, &errstr) == 0, "load");
	CHECK((m = meta_new("味噌汁.txt", &a, 0)) != NULL, "meta");
	CHECK_STR(m->m_key, "");
	CHECK_STR(m->m_base, "a-e18c964a");
	CHECK(m->m_lang == NULL && m->m_nrel == 0, "no lang, no related");
	meta_unref(m);
	CHECK((m = meta_new("soup.txt", &a, 0)) != NULL, "meta");
	CHECK_STR(m->m_base, "soup");
	meta_unref(m);
	article_free(&a);
}

/*
 * A capsule of articles whose addresses must not depend on each other:
 * titles in Cyrillic and Greek, all-CJK titles in CJK and Latin file
 * names.  Each row: file name, source, address.
 */
static const struct {
	const char	*name;
	const char	*src;
	const char	*slug;
} stable[] = {
	{ "вторая.txt", "Вторая\nbody", "vtoraya" },
	{ "третья.txt", "Третья статья\nbody", "tretya-statya" },
	{ "κουζίνα.txt", "Ελληνική Κουζίνα\nbody", "elliniki-kouzina" },
	{ "味噌汁.txt", "味噌\nbody", "a-e18c964a" },
	{ "出汁.txt", "出汁\nbody", "a-92693c13" },
	{ "m.txt", "日本\nbody", "m" },
	{ "Ђ.txt", "ђ\nbody", "dj" },
	{ "z.txt", "Zebra\nbody", "zebra" },
};

/*
 * Others, added or removed around them: names that sort before, between
 * and after theirs, and titles that would have taken the same fallback.
 */
static const struct {
	const char	*name;
	const char	*src;
} others[] = {
	{ "авто.txt", "Авто\nbody" },		/* a Cyrillic file name */
	{ "a.txt", "日本語\nbody" },
	{ "一.txt", "一\nbody" },
	{ "日本.txt", "日本\nbody" },
	{ "ζ.txt", "ζωή\nbody" },
	{ "000.txt", "Ελληνική κουζίνα 2\nbody" },
	{ "\xff.txt", "\xe5\x91\xb3\nbody" },	/* invalid UTF-8 name */
};

/* The capsule of `stable` plus the others whose bit is set in `mask`. */
static struct catalog *
stable_capsule(unsigned mask)
{
	struct catalog	*c = catalog_new();
	size_t		 k;

	for (k = 0; k < sizeof(others) / sizeof(others[0]); k++)
		if (mask & (1u << k))
			add(c, others[k].name, others[k].src, 0);
	for (k = 0; k < sizeof(stable) / sizeof(stable[0]); k++)
		add(c, stable[k].name, stable[k].src, 0);
	CHECK(catalog_finish(c) == 0, "finish");
	return c;
}

/* Adding or removing other articles never moves an address. */
static void
test_stable(void)
{
	struct catalog	*c;
	unsigned	 mask, all = (1u << (sizeof(others) /
			    sizeof(others[0]))) - 1;
	size_t		 k;
	int		 moved;

	for (mask = 0; mask <= all; mask++) {
		c = stable_capsule(mask);
		for (k = 0, moved = 0; k < sizeof(stable) / sizeof(stable[0]);
		    k++) {
			const char *got = slug_of(c, stable[k].name);

			if (got == NULL || strcmp(got, stable[k].slug) != 0) {
				moved++;
				CHECK_STR(got, stable[k].slug);
			}
		}
		CHECK(moved == 0, "with others %#x: %d moved", mask, moved);
		catalog_free(c);
	}
}

/*
 * Щ is 2 bytes and "shch" 4: the meta's title key, address and related
 * keys get twice their input's room (under ASan, an overflow stops it).
 */
static void
test_expansion(void)
{
	struct catalog	*c = catalog_new();
	int64_t		 i;

	add(c, "щ.txt", "ЩЩЩ Щ\nbody\nщщщ щ\ns\nREAD MORE", 0);
	add(c, "ъ.txt", "ъ\nbody", 0);
	CHECK(catalog_finish(c) == 0, "finish");
	CHECK_STR(slug_of(c, "щ.txt"), "shchshchshch-shch");
	CHECK_STR(slug_of(c, "ъ.txt"), "a-43c0b542");
	i = catalog_find_name(c, "щ.txt");
	CHECK(i >= 0 && catalog_resolve(c, "щщщ щ") == i,
	    "entry in small letters resolves to its own article");
	catalog_free(c);
}

/*
 * A full build large enough to take two threads (catalog_build.c),
 * against the same articles patched in one by one (catalog_patch of
 * an empty catalog: the incremental code, on one thread), and against
 * catalog_rebuild of it: every address, lookup and the order agree.
 * Titles collide ("Crepes", "Crepes 3", "Crepes-2"), some slug to
 * nothing.  The ThreadSanitizer run (make tsan) runs this.
 */
#define BIG	5000

static const char *
big_title(size_t k, char *buf, size_t len)
{
	switch (k % 50) {
	case 0:
		return "Crepes";
	case 1:
		snprintf(buf, len, "Crepes %zu", k % 7);
		return buf;
	case 2:
		return "Crepes-2";
	case 3:
		return "\u5473\u564c";
	default:
		snprintf(buf, len, "Note %zu of many", k % 1000);
		return buf;
	}
}

static void
big_same(const struct catalog *a, const struct catalog *b, const char *what)
{
	const struct cat_article *x, *y;
	size_t			 i, bad = 0;

	CHECK(a->c_nart == b->c_nart && a->c_nslot == b->c_nslot,
	    "%s: %zu articles", what, b->c_nart);
	for (i = 0; i < a->c_nslot && i < b->c_nslot; i++) {
		x = catalog_art(a, i);
		y = catalog_art(b, i);
		if (x->ca_meta == NULL || y->ca_meta == NULL ||
		    strcmp(x->ca_name, y->ca_name) != 0 ||
		    strcmp(x->ca_slug, y->ca_slug) != 0 ||
		    catalog_find_slug(b, y->ca_slug, strlen(y->ca_slug)) !=
		    (int64_t)i || catalog_find_name(b, y->ca_name) !=
		    (int64_t)i || catalog_resolve_key(a, x->ca_key,
		    x->ca_title) != catalog_resolve_key(b, y->ca_key,
		    y->ca_title) || catalog_order(a, i) != catalog_order(b, i))
			bad++;
	}
	CHECK(bad == 0, "%s: %zu slots differ", what, bad);
}

static void
test_big(void)
{
	static char		 names[BIG][16];
	struct cat_change	*cg = calloc(BIG, sizeof(*cg));
	struct catalog		*c = catalog_new(), *e = catalog_new(), *p, *r;
	struct article		 a;
	const char		*errstr;
	char			 src[64], t[32];
	size_t			 k, j;
	int			 ok = cg != NULL;

	for (k = 0; k < BIG; k++)
		snprintf(names[k], sizeof(names[k]), "%05zu.txt", k);
	for (j = 0; ok && j < BIG; j++) {
		k = j * 7919 % BIG;	/* added out of name order */
		snprintf(src, sizeof(src), "%s\nbody\n",
		    big_title(k, t, sizeof(t)));
		if (article_load(&a, src, strlen(src), &errstr) == -1 ||
		    (cg[k].cg_meta = meta_new(names[k], &a,
		    (int64_t)(k % 17) * 86400)) == NULL)
			ok = 0;
		else {
			cg[k].cg_name = names[k];
			ok = catalog_add_meta(c, cg[k].cg_meta) == 0;
			article_free(&a);
		}
	}
	CHECK(ok, "%d articles made", BIG);
	CHECK(catalog_finish(c) == 0 && catalog_finish(e) == 0, "finish");
	CHECK_STR(slug_of(c, "00000.txt"), "crepes");
	CHECK_STR(slug_of(c, "00002.txt"), "crepes-2");
	CHECK_STR(slug_of(c, "00050.txt"), "crepes-3");
	p = catalog_patch(e, cg, BIG);
	r = catalog_rebuild(c, NULL, 0);
	CHECK(p != NULL && r != NULL, "patched, rebuilt");
	if (p != NULL)
		big_same(c, p, "patched one by one");
	if (r != NULL)
		big_same(c, r, "rebuilt");
	for (k = 0; cg != NULL && k < BIG; k++)
		meta_unref(cg[k].cg_meta);
	free(cg);
	catalog_free(p);
	catalog_free(r);
	catalog_free(e);
	catalog_free(c);
}

int
main(void)
{
	struct catalog	*c;
	char		 longtitle[300], name[64];
	const struct meta *m;
	int64_t		 i;
	size_t		 k;

	c = catalog_new();
	/* added out of order: uniqueness follows file-name order */
	add(c, "b.txt", "Cr\u00eapes!", 100);
	add(c, "a.txt", "crepes", 100);
	add(c, "c.txt", "CREPES", 300);
	add(c, "d.txt", "Crepes 2", 200);	/* natural slug crepes-2 */
	add(c, "e.txt", "\u5473\u564c", 50);	/* empty slug: file name */
	add(c, "\u5473.txt", "\u5473\u564c", 50);	/* and its hash */
	add(c, "f.txt", "---\ndate: 2023-11-02\n---\nDated\nP\n"
	    "CR\u00c9PES\ns\nREAD MORE\n\u5473\u564c\ns\nREAD MORE\n"
	    "Missing\ns\nREAD MORE", 0);
	memset(longtitle, 'x', 120);
	memcpy(longtitle + 60, " ", 1);
	longtitle[120] = '\0';
	add(c, "g.txt", longtitle, 10);
	add(c, "h.txt", longtitle, 10);
	CHECK(catalog_finish(c) == 0, "finish");

	CHECK(c->c_nart == 9, "9 articles");
	CHECK_STR(catalog_art(c, 0)->ca_name, "a.txt");
	CHECK_STR(slug_of(c, "a.txt"), "crepes");
	CHECK_STR(slug_of(c, "b.txt"), "crepes-2");
	CHECK_STR(slug_of(c, "c.txt"), "crepes-3");
	CHECK_STR(slug_of(c, "d.txt"), "crepes-2-2");
	CHECK_STR(slug_of(c, "e.txt"), "e");
	CHECK_STR(slug_of(c, "\u5473.txt"), "a-b4676970");
	CHECK_STR(slug_of(c, "g.txt"), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxx");
	CHECK(strlen(slug_of(c, "h.txt")) == 62, "cut, then -2");

	/* resolution: full slug, first in file-name order */
	i = catalog_resolve(c, "Crêpes");
	CHECK(i >= 0 && strcmp(catalog_art(c, (size_t)i)->ca_name, "a.txt") == 0, "crepes");
	i = catalog_resolve(c, "crepes 2");
	CHECK(i >= 0 && strcmp(catalog_art(c, (size_t)i)->ca_name, "d.txt") == 0,
	    "title slug, not the suffixed address");
	i = catalog_resolve(c, "\u5473\u564c");
	CHECK(i >= 0 && strcmp(catalog_art(c, (size_t)i)->ca_name, "e.txt") == 0,
	    "empty slug: exact title, first file");
	CHECK(catalog_resolve(c, "\u5473") == -1, "empty slug, other title");
	CHECK(catalog_resolve(c, "x") == -1, "no match");
	CHECK(catalog_resolve(c, longtitle) >= 0, "matching uses full slug");
	longtitle[119] = 'y';
	CHECK(catalog_resolve(c, longtitle) == -1,
	    "a difference after character 100 matters");

	/* related entries, as their metas hold them */
	i = catalog_find_name(c, "f.txt");
	m = i >= 0 ? catalog_art(c, (size_t)i)->ca_meta : NULL;
	CHECK(m != NULL && m->m_nrel == 3, "3 entries");
	if (m != NULL && m->m_nrel == 3) {
		CHECK(catalog_resolve_key(c, m->m_relkey[0], m->m_rel[0]) ==
		    catalog_find_name(c, "a.txt"), "entry 1");
		CHECK(catalog_resolve_key(c, m->m_relkey[1], m->m_rel[1]) ==
		    catalog_find_name(c, "e.txt"), "entry 2");
		CHECK(catalog_resolve_key(c, m->m_relkey[2], m->m_rel[2]) ==
		    -1, "entry 3 missing");
		CHECK(m->m_date == 1698883200, "front-matter date");
	}

	/* order: newest first, then title, then name */
	CHECK_STR(catalog_art(c, catalog_order(c, 0))->ca_name, "f.txt");
	CHECK_STR(catalog_art(c, catalog_order(c, 1))->ca_name, "c.txt");
	CHECK_STR(catalog_art(c, catalog_order(c, 2))->ca_name, "d.txt");
	CHECK_STR(catalog_art(c, catalog_order(c, 3))->ca_name, "b.txt");
	CHECK_STR(catalog_art(c, catalog_order(c, 4))->ca_name, "a.txt");
	CHECK_STR(catalog_art(c, catalog_order(c, 5))->ca_name, "e.txt");
	CHECK_STR(catalog_art(c, catalog_order(c, 6))->ca_name, "\u5473.txt");
	CHECK(catalog_find_slug(c, "crepes-3", 8) ==
	    catalog_find_name(c, "c.txt"), "find by slug");
	catalog_free(c);

	/* many equal titles stay fast and unique */
	c = catalog_new();
	for (i = 0, k = 0; k < 3000; k++) {
		snprintf(name, sizeof(name), "%05zu.txt", k);
		if (add_quiet(c, name, "Same", 0) == -1)
			i++;
	}
	CHECK(i == 0, "3000 added");
	CHECK(catalog_finish(c) == 0, "finish 3000");
	CHECK_STR(slug_of(c, "02999.txt"), "same-3000");
	catalog_free(c);

	test_meta();
	test_stable();
	test_expansion();
	test_big();
	return TEST_DONE();
}
