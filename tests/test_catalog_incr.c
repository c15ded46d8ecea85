/*
 * catalog_apply against a full build: random sequences of adds, edits,
 * renames, deletes and batches (through catalog_patch, catalog_rebuild
 * and catalog_apply, which picks one of them), with
 * titles whose slugs collide ("Crepes", "Crêpes!", "crepes 2",
 * "Crepes-2" ...), titles that slug to nothing (their file names'
 * slugs then compete too), and related titles that come and go.  After
 * every step the catalog made step by step and a fresh catalog_finish
 * of the same articles must agree on every address, every related link,
 * the order, and every byte of each article page, home page, list page
 * and feed; and both agree with a plain re-statement of section 3 and 4
 * of the format (the oracle below).  The version before each step must
 * still read as it did (versions share parts).  Seeded: the same run
 * every time.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "meta.h"
#include "page.h"
#include "render.h"
#include "site.h"
#include "strmap.h"
#include "test.h"

#define STEPS	1500
#define SEED	20240601u

static const struct site site = {
	.s_title = "Notes",
	.s_host = "example.org",
	.s_gopher_host = "example.org",
	.s_port = { [ADDR_GEMINI] = 1965, [ADDR_GOPHER] = 70 },
	.s_home_limit = 6,
	.s_similar = 5
};

/* File names: some sort between others, some slug like titles do. */
static const char *const names[] = {
	"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt",
	"h.txt", "i.txt", "j.txt", "k.txt", "l.txt", "m.txt", "n.txt",
	"crepes.txt", "crepes-2.txt", "Crepes-3.txt", "000.txt", "zzz.txt",
	"\xe5\x91\xb3.txt", "tomato.txt", "x-2-2.txt",
};
#define NNAMES	(sizeof(names) / sizeof(names[0]))

static const char *const titles[] = {
	"Crepes", "Crêpes!", "crepes 2", "Crepes-2", "Crepes 2 2",
	"CREPES-3", "\xe5\x91\xb3\xe5\x99\x8c", "\xe5\x87\xba\xe6\xb1\x81",
	"Galettes", "Galettes 10", "Tomato", "tomato's", "X 2",
	"Ελληνική Κουζίνα", "Tomato-2",
};
#define NTITLES	(sizeof(titles) / sizeof(titles[0]))

static uint32_t	 rnd_state = SEED;

static uint32_t
rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* The model: what each file name holds now. */
static struct meta	*cur[NNAMES];
static char		*text[NNAMES];
static unsigned		 version;

static char *
make_source(void)
{
	struct buf	 b;
	size_t		 k, nrel = rnd(4);

	buf_init(&b);
	if (rnd(3) == 0)
		buf_printf(&b, "---\ndate: 2023-01-0%u\n---\n", 1 + rnd(3));
	buf_printf(&b, "%s\nBody %u.\n", titles[rnd(NTITLES)], version++);
	for (k = 0; k < nrel; k++)
		buf_printf(&b, "%s\nsummary\nREAD MORE\n", rnd(5) == 0 ?
		    "Not Written Yet" : titles[rnd(NTITLES)]);
	buf_addc(&b, '\0');
	return b.b_data;
}

static struct meta *
meta_of(const char *name, const char *src)
{
	struct article	 a;
	struct meta	*m;
	const char	*errstr;

	if (article_load(&a, src, strlen(src), &errstr) == -1)
		return NULL;
	m = meta_new(name, &a, a.a_has_date ? a.a_date : 86400 *
	    (int64_t)(strlen(src) % 3));
	article_free(&a);
	return m;
}

static struct catalog *
full(void)
{
	struct catalog	*c = catalog_new();
	size_t		 i;

	for (i = 0; i < NNAMES; i++)
		if (cur[i] != NULL)
			catalog_add_meta(c, cur[i]);
	catalog_finish(c);
	return c;
}

/* ---- the oracle: sections 3 and 4 as written ---- */

static int
by_name(const void *a, const void *b)
{
	return strcmp(names[*(const size_t *)a], names[*(const size_t *)b]);
}

/* The present names in file-name order; how many. */
static size_t
present(size_t *idx)
{
	size_t	 i, n = 0;

	for (i = 0; i < NNAMES; i++)
		if (cur[i] != NULL)
			idx[n++] = i;
	qsort(idx, n, sizeof(*idx), by_name);
	return n;
}

/* Address of each name: the first of base, base-2 ... not yet taken. */
static void
oracle_slugs(char slug[NNAMES][160])
{
	struct strmap	 taken;
	size_t		 idx[NNAMES], n = present(idx), i;
	unsigned	 k;

	strmap_init(&taken);
	for (i = 0; i < n; i++) {
		snprintf(slug[idx[i]], 160, "%s", cur[idx[i]]->m_base);
		for (k = 2; strmap_get(&taken, slug[idx[i]],
		    strlen(slug[idx[i]])) >= 0; k++)
			snprintf(slug[idx[i]], 160, "%s-%u",
			    cur[idx[i]]->m_base, k);
		strmap_put(&taken, slug[idx[i]], strlen(slug[idx[i]]), 0);
	}
	strmap_free(&taken);
}

/* The name an entry (key, title) resolves to, or NULL. */
static const char *
oracle_resolve(const char *key, const char *title)
{
	size_t	 idx[NNAMES], n = present(idx), i;

	for (i = 0; i < n; i++)
		if (key[0] != '\0' ? strcmp(cur[idx[i]]->m_key, key) == 0 :
		    cur[idx[i]]->m_key[0] == '\0' &&
		    strcmp(cur[idx[i]]->m_title, title) == 0)
			return names[idx[i]];
	return NULL;
}

/* ---- comparing ---- */

static char	 why[512];

static const char *
name_of(const struct catalog *c, int64_t i)
{
	return i >= 0 ? catalog_art(c, (size_t)i)->ca_name : NULL;
}

static int
same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Addresses and links of c against the oracle. */
static int
check_catalog(const struct catalog *c, const char *what)
{
	char		 slug[NNAMES][160];
	const struct meta *m;
	size_t		 i, k, n = 0;
	int64_t		 s;

	oracle_slugs(slug);
	for (i = 0; i < NNAMES; i++) {
		if ((m = cur[i]) == NULL) {
			if (catalog_find_name(c, names[i]) >= 0)
				goto bad;
			continue;
		}
		n++;
		if ((s = catalog_find_name(c, names[i])) < 0 ||
		    strcmp(catalog_art(c, (size_t)s)->ca_slug, slug[i]) != 0 ||
		    catalog_find_slug(c, slug[i], strlen(slug[i])) != s) {
			snprintf(why, sizeof(why), "%s: %s: slug %s, want %s",
			    what, names[i], s < 0 ? "(none)" :
			    catalog_art(c, (size_t)s)->ca_slug, slug[i]);
			return -1;
		}
		for (k = 0; k < m->m_nrel; k++)
			if (!same(name_of(c, catalog_resolve_key(c,
			    m->m_relkey[k], m->m_rel[k])),
			    oracle_resolve(m->m_relkey[k], m->m_rel[k]))) {
				snprintf(why, sizeof(why), "%s: %s: entry %s",
				    what, names[i], m->m_rel[k]);
				return -1;
			}
	}
	if (c->c_nart == n)
		return 0;
 bad:
	snprintf(why, sizeof(why), "%s: %zu articles, want %zu", what,
	    c->c_nart, n);
	return -1;
}

/* The catalog's pages as one string: articles, home, lists, feed. */
static char *
pages(const struct catalog *c)
{
	static const enum render_format art_f[] = { RENDER_GEMTEXT,
	    RENDER_GOPHER_MENU, RENDER_NEX_DIR };
	static const enum render_format home_f[] = { RENDER_GEMTEXT,
	    RENDER_GOPHER_MENU, RENDER_ATOM, RENDER_SPARTAN };
	struct buf	 b;
	struct page	 p;
	struct article	 a;
	const char	*errstr;
	size_t		 i, f, k;
	int64_t		 s;

	buf_init(&b);
	for (i = 0; i < NNAMES; i++) {
		if (cur[i] == NULL ||
		    (s = catalog_find_name(c, names[i])) < 0 ||
		    article_load(&a, text[i], strlen(text[i]), &errstr) == -1)
			continue;
		for (f = 0; f < sizeof(art_f) / sizeof(art_f[0]); f++) {
			page_init(&p);
			render_built(&b, &p, page_article(&p, &a, c,
			    catalog_art(c, (size_t)s), NULL, 0), art_f[f],
			    &site);
		}
		article_free(&a);
	}
	for (f = 0; f < sizeof(home_f) / sizeof(home_f[0]); f++) {
		page_init(&p);
		render_built(&b, &p, page_home(&p, c, &site, NULL, 0),
		    home_f[f], &site);
	}
	for (k = 1; k <= page_npages(c); k++) {
		page_init(&p);
		render_built(&b, &p, page_list(&p, c, k, &site),
		    RENDER_GEMTEXT, &site);
	}
	buf_addc(&b, '\0');
	return b.b_data;
}

/* The step's catalog c against a full build of the model. */
static int
check_step(const struct catalog *c)
{
	struct catalog	*f = full();
	char		*pc, *pf;
	size_t		 k;
	int		 r = -1;

	if (check_catalog(f, "full") == -1 || check_catalog(c, "step") == -1)
		goto done;
	for (k = 0; k < c->c_nart; k++)
		if (strcmp(name_of(c, (int64_t)catalog_order(c, k)),
		    name_of(f, (int64_t)catalog_order(f, k))) != 0) {
			snprintf(why, sizeof(why), "order differs at %zu", k);
			goto done;
		}
	pc = pages(c);
	pf = pages(f);
	r = pc != NULL && pf != NULL && strcmp(pc, pf) == 0 ? 0 : -1;
	if (r == -1)
		snprintf(why, sizeof(why), "pages differ");
	free(pc);
	free(pf);
 done:
	catalog_free(f);
	return r;
}

/* ---- steps ---- */

/* The slugs of every name in c, to see c unchanged after the next step. */
static void
remember(const struct catalog *c, char seen[NNAMES][160])
{
	size_t	 i;
	int64_t	 s;

	for (i = 0; i < NNAMES; i++) {
		s = catalog_find_name(c, names[i]);
		snprintf(seen[i], 160, "%s", s >= 0 ?
		    catalog_art(c, (size_t)s)->ca_slug : "-");
	}
}

static int
unchanged(const struct catalog *c, char seen[NNAMES][160])
{
	char	 now[NNAMES][160];
	size_t	 i;

	remember(c, now);
	for (i = 0; i < NNAMES; i++)
		if (strcmp(now[i], seen[i]) != 0)
			return 0;
	return 1;
}

/* Change name i of the model (src NULL: delete); adds it to cg. */
static void
model_set(size_t i, char *src, struct cat_change *cg, size_t *n)
{
	meta_unref(cur[i]);
	free(text[i]);
	text[i] = src;
	cur[i] = src != NULL ? meta_of(names[i], src) : NULL;
	cg[*n].cg_name = names[i];
	cg[(*n)++].cg_meta = cur[i];
}

/* A random name, present or not as asked (any when none is). */
static size_t
pick(int want_present)
{
	size_t	 i, k = rnd(NNAMES);

	for (i = 0; i < NNAMES; i++, k = (k + 1) % NNAMES)
		if ((cur[k] != NULL) == want_present)
			return k;
	return k;
}

/* One random step: its changes into cg; 1 if it must rebuild. */
static int
step(struct cat_change *cg, size_t *n)
{
	size_t	 from, to, k, used[NNAMES] = { 0 };
	uint32_t op = rnd(100);

	*n = 0;
	if (op < 35)		/* add */
		model_set(pick(0), make_source(), cg, n);
	else if (op < 55)	/* edit */
		model_set(pick(1), make_source(), cg, n);
	else if (op < 70)	/* delete */
		model_set(pick(1), NULL, cg, n);
	else if (op < 82) {	/* rename: one batch of two */
		from = pick(1);
		to = pick(0);
		if (from != to && cur[from] != NULL) {
			char *src = strdup(text[from]);

			model_set(from, NULL, cg, n);
			model_set(to, src, cg, n);
		}
	} else {		/* a batch of distinct names */
		for (k = 1 + rnd(8); k > 0; k--) {
			from = rnd(NNAMES);
			if (used[from]++)
				continue;
			model_set(from, rnd(4) == 0 ? NULL : make_source(), cg,
			    n);
		}
		return op >= 94;
	}
	return 0;
}

int
main(void)
{
	struct catalog		*c, *next;
	struct cat_change	 cg[2 * NNAMES];
	char			 seen[NNAMES][160];
	size_t			 i, n, bad = 0, rebuilt = 0;
	int			 rebuild;

	c = full();
	for (i = 0; i < STEPS && bad < 5; i++) {
		remember(c, seen);
		rebuild = step(cg, &n);
		rebuilt += rebuild;
		next = rebuild ? catalog_rebuild(c, cg, n) : i % 2 ?
		    catalog_patch(c, cg, n) : catalog_apply(c, cg, n);
		if (next == NULL) {
			CHECK(0, "step %zu: out of memory", i);
			break;
		}
		if (!unchanged(c, seen)) {
			CHECK(0, "step %zu: the previous version changed", i);
			bad++;
		}
		catalog_free(c);
		c = next;
		if (check_step(c) == -1) {
			CHECK(0, "step %zu (%zu changes%s): %s", i, n,
			    rebuild ? ", rebuilt" : "", why);
			bad++;
		}
	}
	CHECK(bad == 0, "%zu steps (%zu rebuilt) agree with full builds", i,
	    rebuilt);
	CHECK(rebuilt > 0 && rebuilt < i, "both paths taken");
	catalog_free(c);
	for (i = 0; i < NNAMES; i++) {
		meta_unref(cur[i]);
		free(text[i]);
	}
	return TEST_DONE();
}
