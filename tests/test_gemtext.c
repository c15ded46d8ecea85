#include <stdlib.h>

#include "article.h"
#include "buf.h"
#include "catalog.h"
#include "gemtext.h"
#include "test.h"

/* The URLs gemtext_next_url finds, joined with '|'. */
static char *
urls(const char *p)
{
	struct buf	 b;
	size_t		 pos = 0, start, end, n = strlen(p);

	buf_init(&b);
	buf_adds(&b, "");
	while (gemtext_next_url(p, n, &pos, &start, &end)) {
		if (b.b_len > 0)
			buf_addc(&b, '|');
		buf_add(&b, p + start, end - start);
	}
	return buf_steal(&b);
}

static const struct {
	const char	*in;
	const char	*want;
} url_cases[] = {
	{ "see gemini://a.b/x.", "gemini://a.b/x" },
	{ "gopher://h/1/ at start", "gopher://h/1/" },
	{ "(https://a.b/c), [http://d.e/]", "https://a.b/c|http://d.e/" },
	{ "<gemini://a/>; \"gemini://b/\" 'gemini://c/'",
	    "gemini://a/|gemini://b/|gemini://c/" },
	{ "\u201cgemini://q/\u201d \u2018gemini://r/\u2019",
	    "gemini://q/|gemini://r/" },
	{ "stacked gemini://a/b?!.),;:'\"]>", "gemini://a/b" },
	{ "empty https://, and gemini://, here", "" },
	{ "only closers gemini://.", "" },
	{ "glued xgemini://a/ and a:gemini://b/", "" },
	{ "upper GEMINI://a/ Gemini://b/", "" },
	{ "ftp://a/ mailto:x file://y", "" },
	{ "keep (parens) gemini://a/(b)c", "gemini://a/(b)c" },
	{ "https://a/(http://b/ inner", "https://a/(http://b/" },
	{ "tab\tgemini://a/", "" },
	{ "nbsp\u00a0gemini://a/", "" },
};

static char *
render(const char *src)
{
	struct article	 a;
	struct catalog	*c = catalog_new();
	struct buf	 b;
	const char	*errstr;
	const char	*target = "Target: The Real Title";

	if (article_load(&a, target, strlen(target), &errstr) == 0) {
		catalog_add(c, "t.txt", &a, 0);
		article_free(&a);
	}
	catalog_finish(c);
	buf_init(&b);
	if (article_load(&a, src, strlen(src), &errstr) == -1)
		buf_adds(&b, errstr);
	else {
		gemtext_article(&b, &a, c);
		article_free(&a);
	}
	catalog_free(c);
	return buf_steal(&b);
}

static const struct {
	const char	*src;
	const char	*want;
} render_cases[] = {
	{ "T", "# T\n" },
	{ "# T", "# # T\n" },
	{ "T\nP1\nP2", "# T\n\nP1\n\nP2\n" },
	{ "T\n#h\n*s\n>q\n=>l\n```p\n=x\n`y\n=\n ##",
	    "# T\n\n #h\n\n *s\n\n >q\n\n =>l\n\n ```p\n\n=x\n\n`y\n\n=\n\n ##\n" },
	{ "T\n``not\n= > x", "# T\n\n``not\n\n= > x\n" },
	{ "T\n=> gemini://a/ x gemini://a/ gemini://b/.",
	    "# T\n\n => gemini://a/ x gemini://a/ gemini://b/.\n"
	    "=> gemini://a/\n=> gemini://b/\n" },
	{ "T\nP gemini://a/\nQ gemini://a/",
	    "# T\n\nP gemini://a/\n=> gemini://a/\n\nQ gemini://a/\n"
	    "=> gemini://a/\n" },
	{ "T\ntarget the real title\ns\nREAD MORE\n#Gone\ns\nREAD MORE",
	    "# T\n\n## Related articles\n"
	    "=> /articles/target-the-real-title.gmi Target: The Real Title\n"
	    " #Gone\n" },
	{ "T\nP\nT\ns\nREAD MORE\nhttps://x.y/\ns\nREAD MORE",
	    "# T\n\nP\n\n## Related articles\nT\nhttps://x.y/\n" },
};

int
main(void)
{
	char	 longurl[1100];
	char	*got;
	size_t	 i;

	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		got = urls(url_cases[i].in);
		CHECK_STR(got, url_cases[i].want);
		free(got);
	}
	/* 1024 bytes is a link, 1025 is text */
	memset(longurl, 'a', sizeof(longurl));
	memcpy(longurl, "gemini://", 9);
	longurl[GEMTEXT_URL_MAX] = '\0';
	got = urls(longurl);
	CHECK(strlen(got) == GEMTEXT_URL_MAX, "1024-byte URL");
	free(got);
	longurl[GEMTEXT_URL_MAX] = 'a';
	longurl[GEMTEXT_URL_MAX + 1] = '\0';
	got = urls(longurl);
	CHECK_STR(got, "");
	free(got);

	for (i = 0; i < sizeof(render_cases) / sizeof(render_cases[0]); i++) {
		got = render(render_cases[i].src);
		CHECK_STR(got, render_cases[i].want);
		free(got);
	}
	return TEST_DONE();
}
