/*
 * discover: the text index of a catalog, built in full, then as a delta
 * on the previous one, then in full again once the changes outgrow
 * DISCOVER_DELTA_MIN; the lists and the search agree with the topics of
 * the articles every time.  The articles are files in a temporary
 * directory (the index reads their text from there).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "article.h"
#include "catalog.h"
#include "discover.h"
#include "meta.h"
#include "test.h"

#define TOPICS	3
#define PER	120		/* articles per topic */
#define NART	(TOPICS * PER)
#define EXTRA	(DISCOVER_DELTA_MIN + 10)

#define WORDS	40		/* per topic; an article has 10 */

/* Word j of topic t: "tq" + a letter per topic + two more. */
static void
word(int t, int j, char *w)
{
	w[0] = 't';
	w[1] = 'q';
	w[2] = (char)('a' + t);
	w[3] = (char)('a' + j / 8);
	w[4] = (char)('a' + j % 8);
	w[5] = '\0';
}

static char	 dir[] = "/tmp/test_discover.XXXXXX";
static int	 dirfd = -1;

/* Writes article k of topic t (version v) and makes its meta. */
static struct meta *
article(int t, int k, int v)
{
	struct article	 a;
	struct meta	*m;
	const char	*errstr;
	char		 name[64], text[1024], w[8];
	int		 fd, n, i;

	snprintf(name, sizeof(name), "%d_%03d_%d.txt", t, k, v);
	n = snprintf(text, sizeof(text), "Title uniq%dx%d v%d\n", t, k, v);
	for (i = 0; i < 10; i++) {
		word(t, (k * 7 + i * 13 + v) % WORDS, w);
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s ", w);
	}
	text[n - 1] = '\n';
	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
	    -1 || write(fd, text, (size_t)n) != n || close(fd) == -1 ||
	    article_load(&a, text, (size_t)n, &errstr) == -1)
		return NULL;
	m = meta_new(name, &a, 0);
	article_free(&a);
	return m;
}

static struct catalog *
catalog_of(struct meta **m, size_t n)
{
	struct catalog	*c = catalog_new();
	size_t		 i;

	for (i = 0; c != NULL && i < n; i++)
		if (catalog_add_meta(c, m[i]) == -1) {
			catalog_free(c);
			return NULL;
		}
	if (c != NULL && catalog_finish(c) == -1) {
		catalog_free(c);
		return NULL;
	}
	return c;
}

/*
 * The next version of prev holding the metas m[0 .. n) (catalog_apply:
 * the index of the next version is built on the previous one's).
 */
static struct catalog *
catalog_next(const struct catalog *prev, struct meta **m, size_t n)
{
	struct cat_change	*cg = calloc(2 * n + 1, sizeof(*cg));
	struct catalog		*c;
	const struct cat_article *ca;
	size_t			 i, j, k = 0;
	int64_t			 s;

	for (i = 0; cg != NULL && i < prev->c_nslot; i++) {
		if ((ca = catalog_art(prev, i))->ca_meta == NULL)
			continue;
		for (j = 0; j < n && strcmp(m[j]->m_name, ca->ca_name) != 0;
		    j++)
			continue;
		if (j == n)
			cg[k++].cg_name = ca->ca_name;
	}
	for (j = 0; cg != NULL && j < n; j++)
		if ((s = catalog_find_name(prev, m[j]->m_name)) < 0 ||
		    catalog_art(prev, (size_t)s)->ca_meta != m[j]) {
			cg[k].cg_name = m[j]->m_name;
			cg[k++].cg_meta = m[j];
		}
	c = cg != NULL ? catalog_apply(prev, cg, k) : NULL;
	free(cg);
	return c;
}

static int
topic(const struct catalog *c, size_t i)
{
	return catalog_art(c, i)->ca_name[0] - '0';
}

/* Every list holds 5 articles of the article's own topic, never itself. */
static void
check_lists(const struct discover *d, const struct catalog *c,
    const char *what)
{
	uint32_t	 out[5];
	size_t		 i, k, n, bad = 0;

	for (i = 0; i < c->c_nslot; i++) {
		if (catalog_art(c, i)->ca_meta == NULL)
			continue;
		n = discover_similar(d, i, 5, NULL, 0, out);
		bad += n != 5;
		for (k = 0; k < n; k++)
			bad += out[k] == i || topic(c, out[k]) != topic(c, i);
	}
	CHECK(bad == 0, "%s: %zu bad lists", what, bad);
}

/* d and e give every article of c the same list. */
static int
same_lists(const struct discover *d, const struct discover *e,
    const struct catalog *c)
{
	uint32_t	 a[5], b[5];
	size_t		 i, n;

	for (i = 0; i < c->c_nslot; i++) {
		if (catalog_art(c, i)->ca_meta == NULL)
			continue;
		n = (size_t)discover_similar(d, i, 5, NULL, 0, a);
		if ((size_t)discover_similar(e, i, 5, NULL, 0, b) != n ||
		    memcmp(a, b, n * sizeof(*a)) != 0)
			return 0;
	}
	return 1;
}

/* The word of article (t, k) finds want articles, all its versions. */
static void
check_search(const struct discover *d, const struct catalog *c, int t,
    int k, int want, const char *what)
{
	struct discover_hit	 h[3];
	char			 q[32], prefix[32];
	size_t			 n, i, ok = 0;

	snprintf(q, sizeof(q), "uniq%dx%d", t, k);
	snprintf(prefix, sizeof(prefix), "%d_%03d_", t, k);
	n = discover_search(d, q, 3, h);
	for (i = 0; i < n; i++)
		ok += strncmp(catalog_art(c, h[i].dh_art)->ca_name, prefix,
		    strlen(prefix)) == 0;
	CHECK(n == (size_t)want && ok == n, "%s: %s finds %zu", what, q, n);
}

int
main(void)
{
	static struct meta	*m[NART + 1];
	static uint32_t		 since[2 * NART + 2];
	struct discover		*d0, *d1, *d2, *dn;
	struct catalog		*c0, *c1, *c2;
	struct meta		*old;
	const char		*errstr;
	uint32_t		 out[5], ex;
	size_t			 i, n;
	int			 t, k;

	if (mkdtemp(dir) == NULL ||
	    (dirfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		CHECK(0, "temporary directory");
		return TEST_DONE();
	}
	for (t = 0; t < TOPICS; t++)
		for (k = 0; k < PER; k++)
			if ((m[t * PER + k] = article(t, k, 0)) == NULL) {
				CHECK(0, "article %d %d", t, k);
				return TEST_DONE();
			}

	/* in full */
	c0 = catalog_of(m, NART);
	d0 = discover_new(NULL, c0, dirfd, NULL, &errstr);
	CHECK(d0 != NULL && discover_fresh(d0) &&
	    discover_changes(d0) == 0, "full build");
	check_lists(d0, c0, "full");
	check_search(d0, c0, 1, 17, 1, "full");
	CHECK(discover_memory(d0) > 0, "memory");
	/* excluded articles are left out, the list filled up to k */
	n = discover_similar(d0, 0, 5, NULL, 0, out);
	ex = out[0];
	CHECK(n == 5 && discover_similar(d0, 0, 5, &ex, 1, out) == 5 &&
	    out[0] != ex && out[1] != ex && out[2] != ex && out[3] != ex &&
	    out[4] != ex, "exclusion");

	/* a delta: one article changes topic, one goes, one comes */
	old = m[5];
	m[5] = article(2, 5, 1);	/* topic 0 file rewritten as topic 2 */
	m[NART] = article(1, 500, 0);	/* new, topic 1 */
	meta_unref(m[7]);
	m[7] = m[NART];			/* m[7] removed: the new one instead */
	c1 = catalog_next(c0, m, NART);
	d1 = discover_new(d0, c1, dirfd, NULL, &errstr);
	CHECK(d1 != NULL && !discover_fresh(d1) &&
	    discover_changes(d1) == 4, "delta: 2 added, 2 gone, got %zu",
	    d1 ? discover_changes(d1) : 0);
	dn = discover_next(d0, c1, NULL, 0, dirfd, NULL, &errstr);
	CHECK(dn != NULL && !discover_fresh(dn) && discover_changes(dn) == 4 &&
	    !discover_outgrown(dn) && same_lists(dn, d1, c1),
	    "next: as new for a few changes");
	discover_free(dn);
	check_lists(d1, c1, "delta");
	check_search(d1, c1, 1, 500, 1, "delta: the new article");
	check_search(d1, c1, 0, 7, 0, "delta: the removed article");
	check_search(d1, c1, 2, 5, 2, "delta: the new version too");

	/* more changes than a delta takes: in full again */
	for (i = 0; i < EXTRA; i++) {
		meta_unref(m[i]);
		m[i] = article((int)(i / PER), (int)(i % PER), 2);
	}
	c2 = catalog_next(c1, m, NART);
	/* a base built for c0 meanwhile, caught up with c1's and c2's */
	memcpy(since, c1->c_changed, c1->c_nchanged * sizeof(*since));
	memcpy(since + c1->c_nchanged, c2->c_changed, c2->c_nchanged *
	    sizeof(*since));
	dn = discover_next(d0, c2, since, c1->c_nchanged + c2->c_nchanged,
	    dirfd, NULL, &errstr);
	CHECK(dn != NULL && !discover_fresh(dn) && discover_outgrown(dn) &&
	    discover_changes(dn) == 2 * EXTRA,
	    "next: caught up over two catalogs, %zu changes, outgrown",
	    dn != NULL ? discover_changes(dn) : 0);
	if (dn != NULL) {
		check_lists(dn, c2, "caught up");
		check_search(dn, c2, 2, 100, 1, "caught up");
		/* c1's new one was replaced in c2, its slot given back */
		check_search(dn, c2, 1, 500, 0, "caught up: c1's new one");
		check_search(dn, c2, 0, 7, 1, "caught up: c2's version");
	}
	discover_free(dn);
	discover_free(d0);		/* d1 keeps what it shares */
	catalog_free(c0);
	d2 = discover_new(d1, c2, dirfd, NULL, &errstr);
	CHECK(d2 != NULL && discover_fresh(d2) && discover_changes(d2) == 0,
	    "rebuilt after %d changes", EXTRA);
	discover_free(d1);
	catalog_free(c1);
	check_lists(d2, c2, "rebuilt");
	check_search(d2, c2, 2, 100, 1, "rebuilt");

	discover_free(d2);
	catalog_free(c2);
	meta_unref(old);
	for (i = 0; i < NART; i++)
		meta_unref(m[i]);
	for (t = 0; t < TOPICS; t++)
		for (k = 0; k < PER + 400; k++)
			for (i = 0; i < 3; i++) {
				char name[64];

				snprintf(name, sizeof(name), "%d_%03d_%zu.txt",
				    t, k, i);
				unlinkat(dirfd, name, 0);
			}
	close(dirfd);
	rmdir(dir);
	return TEST_DONE();
}
