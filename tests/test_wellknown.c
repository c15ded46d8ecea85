/*
 * wellknown: the one list of well-known files, read where it decides:
 * the table itself, discovery (capsule_is_article_name, capsule_scan and
 * its notes, as `capsuled check` prints them) and the router.  The
 * capsule is a temporary directory.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "capsule.h"
#include "catalog.h"
#include "router.h"
#include "test.h"
#include "wellknown.h"

static const struct {
	const char	*name;
	int		 known;		/* in the table */
	int		 article;	/* capsule_is_article_name */
	const char	*why;
} names[] = {
	{ "robots.txt", 1, 0, "crawlers' rules" },
	{ "favicon.txt", 1, 0, "the one-emoji icon" },
	{ "security.txt", 1, 0, "RFC 9116, top-level form" },
	{ "001_robots.txt", 0, 1, "an article that mentions robots" },
	{ "Robots.txt", 0, 1, "matched exactly, as clients ask" },
	{ "ROBOTS.TXT", 0, 0, "not *.txt at all" },
	{ "robots.txt~", 0, 0, "an editor's backup" },
	{ ".robots.txt", 0, 0, "a dotfile" },
	{ "robots", 0, 0, "no extension" },
	{ "robots.txt.txt", 0, 1, "another name" },
	{ "humans.txt", 0, 1, "not taken: an article may have it" },
	{ "caps.txt", 0, 1, "Gopher's, answered by the adapter itself" },
	{ "", 0, 0, "empty" },
};

static void
check_names(void)
{
	const struct wellknown	*wk;
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		wk = wellknown_find(names[i].name);
		CHECK((wk != NULL) == names[i].known, "%s (%s): found %d",
		    names[i].name, names[i].why, wk != NULL);
		if (wk != NULL) {
			CHECK_STR(wk->wk_name, names[i].name);
			CHECK(wk->wk_what != NULL && wk->wk_what[0] != '\0',
			    "%s: says what it is for", names[i].name);
		}
		CHECK(capsule_is_article_name(names[i].name) ==
		    names[i].article, "%s (%s): article name %d",
		    names[i].name, names[i].why,
		    capsule_is_article_name(names[i].name));
	}
}

static char	 dir[] = "/tmp/test_wellknown.XXXXXX";

static int
put(const char *name, const char *text)
{
	char	 path[256];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

#define NOTE	"well-known file, "

/* What a capsule holding them gives: one article, a note for each. */
static struct catalog *
check_scan(void)
{
	struct catalog	*c;
	struct diags	 d;
	const char	*errstr;
	char		 sub[256], want[256];
	size_t		 i;

	snprintf(sub, sizeof(sub), "%s/notes", dir);
	CHECK(mkdir(sub, 0700) == 0, "mkdir %s", sub);
	CHECK(put("001.txt", "Crepes\nA body.\n") == 0, "write 001.txt");
	CHECK(put("robots.txt", "User-agent: *\nDisallow: /\n") == 0,
	    "write robots.txt");
	CHECK(put("favicon.txt", "\xF0\x9F\xA6\x8A\n") == 0,
	    "write favicon.txt");
	CHECK(put("notes/robots.txt", "Notes\n") == 0,
	    "write notes/robots.txt");
	snprintf(sub, sizeof(sub), "%s/security.txt", dir);
	CHECK(mkdir(sub, 0700) == 0, "mkdir %s", sub);
	memset(&d, 0, sizeof(d));
	if ((c = capsule_scan(dir, &d, &errstr)) == NULL) {
		CHECK(0, "capsule_scan: %s", errstr);
		return NULL;
	}
	CHECK(c->c_nart == 1, "articles: %zu", c->c_nart);
	CHECK(c->c_nart < 1 || strcmp(catalog_art(c, 0)->ca_name, "001.txt") == 0,
	    "the article is 001.txt");
	CHECK(catalog_find_name(c, "robots.txt") < 0, "robots.txt in catalog");
	/* a note for each regular file, none for the directory */
	CHECK(d.d_n == 2 && d.d_count[DIAG_NOTE] == 2, "diagnostics: %zu",
	    d.d_n);
	for (i = 0; i < d.d_n && i < 2; i++) {
		snprintf(want, sizeof(want), "%s/%s", dir,
		    i == 0 ? "favicon.txt" : "robots.txt");
		CHECK_STR(d.d_list[i].d_file, want);
		CHECK_STR(diag_level_name(d.d_list[i].d_level), "note");
		CHECK(strncmp(d.d_list[i].d_msg, NOTE, strlen(NOTE)) == 0 &&
		    strstr(d.d_list[i].d_msg, ": served as it is (" WELLKNOWN_TYPE
		    "), not an article") != NULL, "message: %s",
		    d.d_list[i].d_msg);
	}
	diags_free(&d);
	return c;
}

static const char *const gmi[] = { ".gmi", NULL };

static const struct {
	const char	*path;
	enum route_kind	 kind;
	const char	*why;
} paths[] = {
	{ "/robots.txt", ROUTE_WELLKNOWN, "a well-known file" },
	{ "/favicon.txt", ROUTE_WELLKNOWN, "a well-known file" },
	{ "/security.txt", ROUTE_WELLKNOWN, "whether it exists or not" },
	{ "/001.txt", ROUTE_SOURCE, "an article's source" },
	{ "/notes/robots.txt", ROUTE_FILE, "not at the top" },
	{ "/Robots.txt", ROUTE_NOT_FOUND, "a *.txt that is no article" },
	{ "/robots.txt/", ROUTE_FILE, "a directory's path" },
	{ "/.well-known/security.txt", ROUTE_FILE, "respond refuses dots" },
};

static void
check_routes(const struct catalog *c)
{
	const struct route_forms f = { gmi, NULL, gmi, 1, ADDR_GEMINI, NULL };
	struct route	 rt;
	size_t		 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		route(&f, c, paths[i].path, NULL, &rt);
		CHECK(rt.rt_kind == paths[i].kind, "%s (%s): route %d",
		    paths[i].path, paths[i].why, (int)rt.rt_kind);
		if (rt.rt_kind == ROUTE_WELLKNOWN)
			CHECK_STR(rt.rt_path, paths[i].path);
	}
}

int
main(void)
{
	struct catalog	*c;
	char		 cmd[256];

	check_names();
	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp %s", dir);
		return TEST_DONE();
	}
	if ((c = check_scan()) != NULL)
		check_routes(c);
	catalog_free(c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "%s", cmd);
	return TEST_DONE();
}
