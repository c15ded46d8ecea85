/*
 * snapshot: what a snapshot does with the capsule and with memory.  A
 * snapshot that cannot be made closes only what it opened (never
 * standard input); a search checks the phrase and makes its excerpts
 * from the text the metas kept, so it reads no file (the files are
 * removed before searching); and when memory runs out, a search or a
 * similar list says so (-1) instead of answering "nothing found".
 *
 * Allocation failures are injected with the linker's --wrap of malloc
 * and calloc (see the Makefile): once fail_after more allocations have
 * succeeded, every one fails, until fail_after is -1 again.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "article.h"
#include "catalog.h"
#include "discover.h"
#include "meta.h"
#include "search.h"
#include "snapshot.h"
#include "test.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);

static int	 fail_after = -1;

static int
failing(void)
{
	if (fail_after == -1)
		return 0;
	if (fail_after > 0) {
		fail_after--;
		return 0;
	}
	errno = ENOMEM;
	return 1;
}

void *
__wrap_malloc(size_t n)
{
	return failing() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return failing() ? NULL : __real_calloc(n, size);
}

/* Three articles; the second has "garden hose" as written. */
static const char *const sources[][2] = {
	{ "a.txt", "Hose Reels\nA reel keeps the hose tidy; a garden has "
	    "one, and the hose goes round it.\n" },
	{ "b.txt", "Watering\nWater the beds with the garden hose in the "
	    "evening, never at noon.\n" },
	{ "c.txt", "Pruning\nCut the roses back in March, above an outward "
	    "bud.\n" },
};
#define NSRC	(sizeof(sources) / sizeof(sources[0]))

static char	 dir[] = "/tmp/test_snapshot.XXXXXX";

static struct catalog *
capsule(int dirfd)
{
	struct catalog	*c;
	struct article	 a;
	struct meta	*m;
	const char	*errstr;
	size_t		 i, len;
	int		 fd;

	if ((c = catalog_new()) == NULL)
		return NULL;
	for (i = 0; i < NSRC; i++) {
		len = strlen(sources[i][1]);
		if ((fd = openat(dirfd, sources[i][0], O_WRONLY | O_CREAT |
		    O_TRUNC, 0600)) == -1 ||
		    write(fd, sources[i][1], len) != (ssize_t)len ||
		    close(fd) == -1 ||
		    article_load(&a, sources[i][1], len, &errstr) == -1)
			goto fail;
		m = meta_new(sources[i][0], &a, (int64_t)i);
		if (m != NULL)
			meta_keep_text(m, &a);	/* as capsule_load does */
		article_free(&a);
		if (m == NULL || catalog_add_meta(c, m) == -1)
			goto fail;
		meta_unref(m);
	}
	if (catalog_finish(c) == 0)
		return c;
 fail:
	catalog_free(c);
	return NULL;
}

/* site_copy fails: the snapshot is freed, standard input stays open. */
static void
check_failed_new(int dirfd)
{
	struct site	 site = { .s_host = "localhost", .s_similar = 5 };
	struct snapshot	*s;
	struct catalog	*c;

	if ((c = capsule(dirfd)) == NULL) {
		CHECK(0, "capsule");
		return;
	}
	fail_after = 1;		/* the snapshot, not site_copy's strings */
	s = snapshot_new(dir, dirfd, c, &site, NULL, 0, NULL);
	fail_after = -1;
	CHECK(s == NULL, "snapshot_new without memory");
	CHECK(fcntl(0, F_GETFD) != -1, "standard input closed: %s",
	    strerror(errno));
}

static int64_t
find(const struct catalog *c, const char *name)
{
	return catalog_find_name(c, name);
}

int
main(void)
{
	struct site		 site = { .s_host = "localhost", .s_similar = 5 };
	struct search_hit	 h[SEARCH_RESULTS_MAX];
	struct snapshot		*s;
	struct catalog		*c;
	struct discover		*d;
	struct article		 a;
	const char		*errstr;
	uint32_t		 sim[DISCOVER_SIMILAR_MAX];
	ssize_t			 n;
	size_t			 i;
	int			 dirfd, null;

	/* fd 0 must be open for the first check to mean something */
	if ((null = open("/dev/null", O_RDONLY)) == -1 ||
	    (null != 0 && dup2(null, 0) == -1) || mkdtemp(dir) == NULL ||
	    (dirfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1) {
		CHECK(0, "set-up: %s", strerror(errno));
		return TEST_DONE();
	}
	check_failed_new(dirfd);

	if ((c = capsule(dirfd)) == NULL ||
	    (d = discover_new(NULL, c, dirfd, NULL, &errstr)) == NULL ||
	    (s = snapshot_new(dir, dirfd, c, &site, NULL, 0, d)) == NULL) {
		CHECK(0, "snapshot");
		return TEST_DONE();
	}
	/* the search needs no file: the metas kept the text */
	for (i = 0; i < NSRC; i++)
		unlinkat(dirfd, sources[i][0], 0);
	n = snapshot_search(s, "garden  hose", h, SEARCH_RESULTS_MAX);
	CHECK(n == 2, "garden hose: %zd hits", n);
	CHECK(n > 0 && (int64_t)h[0].sh_art == find(s->sn_cat, "b.txt"),
	    "the article with the phrase as written comes first");
	CHECK_STR(n > 0 ? h[0].sh_snippet : NULL, "Water the beds with the "
	    "garden hose in the evening, never at noon.");
	CHECK(n > 1 && h[1].sh_snippet[0] != '\0', "second hit's excerpt");
	CHECK(snapshot_search(s, "roses", h, SEARCH_RESULTS_MAX) == 1 &&
	    strstr(h[0].sh_snippet, "roses") != NULL, "one word");
	CHECK(snapshot_search(s, "tulips", h, SEARCH_RESULTS_MAX) == 0,
	    "nothing found");

	/* out of memory is a failure, not an empty answer */
	fail_after = 0;
	n = snapshot_search(s, "garden hose", h, SEARCH_RESULTS_MAX);
	fail_after = -1;
	CHECK(n == -1, "search without memory: %zd", n);
	memset(&a, 0, sizeof(a));
	fail_after = 0;
	n = snapshot_similar(s, 0, &a, sim);
	fail_after = -1;
	CHECK(n == -1, "similar without memory: %zd", n);
	fail_after = 0;
	n = discover_search(d, "garden", 5, (struct discover_hit[5]){ 0 });
	fail_after = -1;
	CHECK(n == -1, "discover_search without memory: %zd", n);
	CHECK(snapshot_similar(s, 0, &a, sim) >= 0, "similar with memory");

	snapshot_release(s);
	close(dirfd);
	rmdir(dir);
	return TEST_DONE();
}
