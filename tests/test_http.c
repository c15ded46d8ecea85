#include <stdint.h>
#include <stdlib.h>

#include "http.h"
#include "test.h"

#define S(x)	x, sizeof(x) - 1
#define H11	" HTTP/1.1\r\nHost: h\r\n\r\n"

/* Heads, each complete, and what http_parse makes of them. */
static const struct {
	const char	*head;
	size_t		 len;
	int		 status;	/* http_parse's return */
	const char	*path;		/* when 0 */
	const char	*host;
	int		 close;		/* hr_close */
} cases[] = {
	{ S("GET /" H11), 0, "/", "h", 0 },
	{ S("HEAD /a/b/" H11), 0, "/a/b/", "h", 0 },
	{ S("GET /a//b/./c" H11), 0, "/a/b/c", "h", 0 },
	{ S("GET /a%20b/caf%C3%A9.html?q=x" H11), 0, "/a b/caf\xC3\xA9.html",
	    "h", 0 },
	{ S("GET /?x" H11), 0, "/", "h", 0 },
	{ S("GET /. HTTP/1.1\r\nHost: h\r\n\r\n"), 0, "/", "h", 0 },
	{ S("\r\n\r\nGET /" H11), 0, "/", "h", 0 },
	{ S("GET / HTTP/1.1\r\nHOST:   Ex.Org:8080  \r\n\r\n"), 0, "/",
	    "ex.org", 0 },
	{ S("GET / HTTP/1.1\r\nHost: ex.org.\r\n\r\n"), 0, "/", "ex.org", 0 },
	{ S("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"), 0, "/", "[::1]", 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), 0, "/",
	    "h", 1 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n"),
	    0, "/", "h", 1 },
	{ S("GET / HTTP/1.0\r\n\r\n"), 0, "/", "", 1 },
	{ S("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 0, "/", "",
	    0 },
	{ S("GET http://Ex.org:81/a?b HTTP/1.1\r\nHost: other\r\n\r\n"), 0,
	    "/a", "ex.org", 0 },
	{ S("GET http://ex.org HTTP/1.1\r\nHost: ex.org\r\n\r\n"), 0, "/",
	    "ex.org", 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"), 0, "/",
	    "h", 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-Host: evil\r\n\r\n"), 0,
	    "/", "h", 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nX: \xC3\xA9\t\r\n\r\n"), 0, "/", "h",
	    0 },
	/* 405 is the caller's: the method parses */
	{ S("POST / HTTP/1.1\r\nHost: h\r\n\r\n"), 0, NULL, "h", 0 },
	{ S("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), 0, NULL, "h", 0 },
	{ S("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"), 0,
	    NULL, "h", 1 },
	/* 400 */
	{ S("GET / HTTP/1.1\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400, NULL, NULL,
	    0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n"), 400, NULL,
	    NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n"), 400, NULL,
	    NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\nHost: h\n\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"),
	    400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"), 400,
	    NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n"
	    "Content-Length: 0\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"), 400,
	    NULL, NULL, 0 },
	{ S("GET /a/../b" H11), 400, NULL, NULL, 0 },
	{ S("GET /a/%2e%2E/b" H11), 400, NULL, NULL, 0 },
	{ S("GET /a%2Fb" H11), 400, NULL, NULL, 0 },
	{ S("GET /a%2fb" H11), 400, NULL, NULL, 0 },
	{ S("GET /a%00b" H11), 400, NULL, NULL, 0 },
	{ S("GET /%FF" H11), 400, NULL, NULL, 0 },
	{ S("GET /%4" H11), 400, NULL, NULL, 0 },
	{ S("GET /a#b" H11), 400, NULL, NULL, 0 },
	{ S("GET /caf\xC3\xA9" H11), 400, NULL, NULL, 0 },
	{ S("GET a" H11), 400, NULL, NULL, 0 },
	{ S("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET https://h/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400, NULL, NULL,
	    0 },
	{ S("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / http/1.1\r\nHost: h\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("G\x01T / HTTP/1.1\r\nHost: h\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01" "b\r\n\r\n"), 400, NULL,
	    NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h/x\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\nHost: h:80x\r\n\r\n"), 400, NULL, NULL, 0 },
	{ S("GET / HTTP/1.1\r\n: v\r\n\r\n"), 400, NULL, NULL, 0 },
	/* the others */
	{ S("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505, NULL, NULL, 0 },
	{ S("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), 505, NULL, NULL, 0 },
};

static void
test_parse(void)
{
	struct http_request	 r;
	const char		*errstr;
	size_t			 i;
	int			 s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errstr = NULL;
		s = http_parse(cases[i].head, cases[i].len, &r, &errstr);
		CHECK(s == cases[i].status, "case %zu: %d, want %d (%s)", i,
		    s, cases[i].status, errstr ? errstr : "");
		if (s != 0) {
			CHECK(errstr != NULL, "case %zu: no reason", i);
			continue;
		}
		if (cases[i].path != NULL)
			CHECK_STR(r.hr_path, cases[i].path);
		CHECK_STR(r.hr_host, cases[i].host);
		CHECK(r.hr_close == cases[i].close, "case %zu: close %d", i,
		    r.hr_close);
	}
}

static void
test_fields(void)
{
	struct http_request	 r;
	const char		*errstr;
	char			 big[HTTP_TARGET_MAX + 64];

	CHECK(http_parse(S("HEAD /x?q=a+b HTTP/1.1\r\nHost: h\r\n"
	    "If-None-Match: W/\"a\", \"b\"\r\n"
	    "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"), &r,
	    &errstr) == 0, "%s", errstr);
	CHECK(r.hr_method == HTTP_HEAD && r.hr_minor == 1, "method");
	CHECK(r.hr_linelen == 22, "line %zu", r.hr_linelen);
	CHECK(r.hr_has_query, "query");
	CHECK_STR(r.hr_query, "q=a+b");
	CHECK(r.hr_has_inm, "inm");
	CHECK_STR(r.hr_inm, "W/\"a\", \"b\"");
	CHECK(r.hr_ims == 784111777, "ims %lld", (long long)r.hr_ims);
	CHECK(http_parse(S("GET / HTTP/1.1\r\nHost: h\r\n"
	    "If-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT\r\n\r\n"), &r,
	    &errstr) == 0 && r.hr_ims == -1, "obsolete date ignored");
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	memcpy(big + HTTP_TARGET_MAX + 5, H11, sizeof(H11) - 1);
	CHECK(http_parse(big, HTTP_TARGET_MAX + 5 + sizeof(H11) - 1, &r,
	    &errstr) == 414, "414");
}

static void
test_end(void)
{
	char	*big;
	size_t	 len = 0;

	CHECK(http_request_end(S("GET / HTTP/1.1\r\nHost: h\r\n"), &len) ==
	    HTTP_MORE, "more");
	CHECK(http_request_end(S("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET"),
	    &len) == HTTP_COMPLETE && len == 27, "complete %zu", len);
	CHECK(http_request_end(S("\r\n\r\nGET / HTTP/1.0\r\n\r\n"), &len) ==
	    HTTP_COMPLETE && len == 22, "leading empty lines %zu", len);
	CHECK(http_request_end(S("GET / HTTP/1.1\n\n"), &len) ==
	    HTTP_COMPLETE && len == 16, "bare LF ends (then 400)");
	big = malloc(HTTP_HEAD_MAX + 1);
	memset(big, 'x', HTTP_HEAD_MAX + 1);
	CHECK(http_request_end(big, HTTP_HEAD_MAX + 1, &len) == HTTP_TOOLONG,
	    "too long");
	CHECK(http_request_end(big, HTTP_HEAD_MAX - 1, &len) == HTTP_MORE,
	    "within");
	free(big);
}

static void
test_helpers(void)
{
	char	 out[16], date[40];
	int64_t	 t;

	CHECK(http_query_param("a=1&q=caf%C3%A9+au+lait", "q", out,
	    sizeof(out)) == 1, "q");
	CHECK_STR(out, "caf\xC3\xA9 au lait");
	CHECK(http_query_param("qq=1&xq=2", "q", out, sizeof(out)) == 0,
	    "no q");
	CHECK(http_query_param("q=", "q", out, sizeof(out)) == 1 &&
	    out[0] == '\0', "empty q");
	CHECK(http_query_param("q=0123456789abcdef", "q", out, sizeof(out)) ==
	    -1, "too long");
	CHECK(http_etag_match("*", "\"x\""), "*");
	CHECK(http_etag_match("\"a\", W/\"x\"", "\"x\""), "weak");
	CHECK(!http_etag_match("\"xy\"", "\"x\""), "other");
	CHECK(!http_etag_match("x", "\"x\""), "unquoted");
	CHECK(!http_etag_match("\"x", "\"x\""), "unterminated");
	http_date(date, sizeof(date), 784111777);
	CHECK_STR(date, "Sun, 06 Nov 1994 08:49:37 GMT");
	CHECK(http_date_parse(date, strlen(date), &t) == 0 && t == 784111777,
	    "round trip");
	CHECK(http_date_parse(S("Sun, 06 Nov 1994 08:49:37 UTC"), &t) == -1,
	    "not GMT");
	CHECK(http_date_parse(S("Sun, 06 Nox 1994 08:49:37 GMT"), &t) == -1,
	    "month");
}

int
main(void)
{
	test_parse();
	test_fields();
	test_end();
	test_helpers();
	return TEST_DONE();
}
