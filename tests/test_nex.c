#include <stdlib.h>

#include "nex.h"
#include "test.h"

#define S(x)	x, sizeof(x) - 1

/* Where a request ends (nex_request_end). */
static const struct {
	const char	*buf;
	size_t		 n;
	enum nex_scan	 want;
	size_t		 len;		/* for NEX_LINE */
} ends[] = {
	{ S(""), NEX_MORE, 0 },
	{ S("/articles/"), NEX_MORE, 0 },
	{ S("/articles/\r"), NEX_MORE, 0 },
	{ S("/articles/\n"), NEX_LINE, 10 },
	{ S("/articles/\r\n"), NEX_LINE, 10 },
	{ S("\n"), NEX_LINE, 0 },
	{ S("\r\n"), NEX_LINE, 0 },
	{ S("a\r\nb\n"), NEX_LINE, 1 },			/* the first line */
	{ S("a\rb\n"), NEX_LINE, 3 },			/* a CR inside */
	/* an empty line and more: not a Nex client (PROXY v2) */
	{ S("\r\n\r\n\0\r\nQUIT\n"), NEX_LINE, 12 },
	{ S("\nx"), NEX_LINE, 2 },
	{ S("\x16\x03\x01\x02\x00"), NEX_TLS, 0 },
	{ S("\x16"), NEX_TLS, 0 },
};

/* A request line to a path, or to the fixed reason it is refused. */
static const struct {
	const char	*line;
	size_t		 len;
	const char	*path;		/* NULL: refused */
	const char	*err;		/* the reason when refused */
} parses[] = {
	{ S(""), "/", NULL },
	{ S("/"), "/", NULL },
	{ S("//"), "/", NULL },
	{ S("articles/"), "/articles/", NULL },
	{ S("/articles/crepes/"), "/articles/crepes/", NULL },
	{ S("/articles//crepes.txt"), "/articles/crepes.txt", NULL },
	{ S("/files/with%20space.gmi"), "/files/with space.gmi", NULL },
	{ S("/caf%C3%A9/"), "/caf\xC3\xA9/", NULL },
	{ S("/caf\xC3\xA9"), "/caf\xC3\xA9", NULL },
	{ S("/a b?c#d"), "/a b?c#d", NULL },	/* no query, no fragment */
	{ S("/f../~../x.."), "/f../~../x..", NULL },
	{ S("/100%25"), "/100%", NULL },
	/* traversal and dot files, however they are spelled */
	{ S("/.."), NULL, "Bad request: a \"..\" segment" },
	{ S("/files/../about.gmi"), NULL, "Bad request: a \"..\" segment" },
	{ S("../"), NULL, "Bad request: a \"..\" segment" },
	{ S("/%2e%2e/"), NULL, "Bad request: a \"..\" segment" },
	{ S("/%2E./etc"), NULL, "Bad request: a \"..\" segment" },
	{ S("/.hidden"), NULL, "Not found" },
	{ S("/files/.secret"), NULL, "Not found" },
	{ S("/."), NULL, "Not found" },
	{ S("/%2Ehidden"), NULL, "Not found" },
	{ S("/a%2Fb"), NULL, "Bad request: an encoded \"/\"" },
	{ S("/a%2fb"), NULL, "Bad request: an encoded \"/\"" },
	{ S("/..%2F..%2Fetc"), NULL, "Bad request: an encoded \"/\"" },
	/* escapes */
	{ S("/a%"), NULL, "Bad request: a bad %-escape" },
	{ S("/a%4"), NULL, "Bad request: a bad %-escape" },
	{ S("/a%zz"), NULL, "Bad request: a bad %-escape" },
	{ S("/a%4/"), NULL, "Bad request: a bad %-escape" },
	/* bytes no path has */
	{ S("/\xff"), NULL, "Bad request: the path is not UTF-8" },
	{ S("/%FF"), NULL, "Bad request: the path is not UTF-8" },
	{ S("/\xC0\x80"), NULL, "Bad request: the path is not UTF-8" },
	{ S("/a\0b"), NULL, "Bad request: a control character in the path" },
	{ S("/a%00b"), NULL, "Bad request: a control character in the path" },
	{ S("/a\tb"), NULL, "Bad request: a control character in the path" },
	{ S("/a\rb"), NULL, "Bad request: a control character in the path" },
	{ S("/a%0Ab"), NULL, "Bad request: a control character in the path" },
	{ S("/\x7f"), NULL, "Bad request: a control character in the path" },
	{ S("/%C2%85"), NULL, "Bad request: a control character in the path" },
	{ S("/%E2%80%AEtxt.exe"), NULL,
	    "Bad request: a control character in the path" },
	{ S("\r\n\r\n\0\r\nQUIT\n"), NULL,
	    "Bad request: a control character in the path" },
};

static void
test_ends(void)
{
	size_t	 i, len;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		len = 9999;
		CHECK(nex_request_end(ends[i].buf, ends[i].n, &len) ==
		    ends[i].want, "case %zu", i);
		if (ends[i].want == NEX_LINE)
			CHECK(len == ends[i].len, "case %zu: len %zu", i, len);
	}
}

/* The limit: a path of NEX_LINE_MAX bytes and CR LF fills x_req. */
static void
test_limit(void)
{
	char	*buf = malloc(NEX_LINE_MAX + 2);
	size_t	 len;

	if (buf == NULL)
		return;
	memset(buf, 'a', NEX_LINE_MAX + 2);
	buf[0] = '/';
	CHECK(nex_request_end(buf, NEX_LINE_MAX, &len) == NEX_MORE, "max");
	buf[NEX_LINE_MAX] = '\r';
	CHECK(nex_request_end(buf, NEX_LINE_MAX + 1, &len) == NEX_MORE,
	    "max and CR");
	buf[NEX_LINE_MAX + 1] = '\n';
	CHECK(nex_request_end(buf, NEX_LINE_MAX + 2, &len) == NEX_LINE &&
	    len == NEX_LINE_MAX, "max and CR LF: %zu", len);
	buf[NEX_LINE_MAX] = 'a';
	CHECK(nex_request_end(buf, NEX_LINE_MAX + 1, &len) == NEX_TOOLONG,
	    "one over, no LF");
	CHECK(nex_request_end(buf, NEX_LINE_MAX + 2, &len) == NEX_TOOLONG,
	    "one over, then LF");
	buf[NEX_LINE_MAX + 1] = 'a';
	CHECK(nex_request_end(buf, NEX_LINE_MAX + 2, &len) == NEX_TOOLONG,
	    "full, no LF");
	free(buf);
}

static void
test_parse(void)
{
	struct nex_request	 q;
	const char		*errstr;
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		errstr = NULL;
		r = nex_parse(parses[i].line, parses[i].len, &q, &errstr);
		if (parses[i].path != NULL) {
			CHECK(r == 0, "case %zu: %s", i, errstr);
			CHECK_STR(q.nq_path, parses[i].path);
		} else {
			CHECK(r == -1, "case %zu: parsed as %s", i, q.nq_path);
			CHECK_STR(errstr, parses[i].err);
		}
	}
}

/* The longest path parses, one byte more is refused; no overflow. */
static void
test_parse_limit(void)
{
	struct nex_request	 q;
	const char		*errstr;
	char			*line = malloc(NEX_LINE_MAX + 1);

	if (line == NULL)
		return;
	memset(line, 'a', NEX_LINE_MAX + 1);
	CHECK(nex_parse(line, NEX_LINE_MAX, &q, &errstr) == 0 &&
	    strlen(q.nq_path) == NEX_LINE_MAX + 1 && q.nq_path[0] == '/',
	    "the longest path, a leading / added");
	CHECK(nex_parse(line, NEX_LINE_MAX + 1, &q, &errstr) == -1,
	    "one byte more");
	CHECK_STR(errstr, NEX_TOOLONG_MSG);
	free(line);
}

int
main(void)
{
	test_ends();
	test_limit();
	test_parse();
	test_parse_limit();
	return TEST_DONE();
}
