#include "addr.h"
#include "gemini.h"
#include "test.h"

#define S(x)	x, sizeof(x) - 1

static const struct {
	const char	*line;
	size_t		 len;
	int		 status;	/* what gemini_parse returns */
	const char	*host;
	int		 port;
	const char	*path;
} cases[] = {
	{ S("gemini://localhost/"), 0, "localhost", -1, "/" },
	{ S("gemini://localhost"), 0, "localhost", -1, "/" },
	{ S("GEMINI://LocalHost:1965/"), 0, "localhost", 1965, "/" },
	{ S("gemini://localhost:/"), 0, "localhost", -1, "/" },
	{ S("gemini://h//"), 0, "h", -1, "/" },
	{ S("gemini://h/./"), 0, "h", -1, "/" },
	{ S("gemini://h/."), 0, "h", -1, "/" },
	{ S("gemini://h/a/./b"), 0, "h", -1, "/a/b" },
	{ S("gemini://h/a//b/"), 0, "h", -1, "/a/b/" },
	{ S("gemini://h/a%20b/c%C3%A9"), 0, "h", -1, "/a b/c\xC3\xA9" },
	{ S("gemini://h/caf\xC3\xA9"), 0, "h", -1, "/caf\xC3\xA9" },
	{ S("gemini://h/f../~../.R"), 0, "h", -1, "/f../~../.R" },
	{ S("gemini://h/search?q%20x"), 0, "h", -1, "/search" },
	{ S("gemini://caf%C3%A9.example/"), 0, "xn--caf-dma.example", -1, "/" },
	{ S("gemini://caf\xC3\xA9.example/"), 0, "xn--caf-dma.example", -1,
	    "/" },
	{ S("gemini://XN--CAF-DMA.example/"), 0, "xn--caf-dma.example", -1,
	    "/" },
	{ S("gemini://[::1]/"), 0, "[::1]", -1, "/" },
	{ S("gemini://localhost./"), 0, "localhost", -1, "/" },
	{ S("gemini://127.0.0.1:1965/"), 0, "127.0.0.1", 1965, "/" },
	/* malformed: 59 */
	{ S(""), 59, NULL, 0, NULL },
	{ S("/"), 59, NULL, 0, NULL },
	{ S("//localhost/"), 59, NULL, 0, NULL },
	{ S("Hello Gemini!"), 59, NULL, 0, NULL },
	{ S("gemini:/host"), 59, NULL, 0, NULL },
	{ S("gemini:host"), 59, NULL, 0, NULL },
	{ S("gemini//host"), 59, NULL, 0, NULL },
	{ S("gemini://user@h/"), 59, NULL, 0, NULL },
	{ S("gemini://:secret@h/"), 59, NULL, 0, NULL },
	{ S("gemini://h/#frag"), 59, NULL, 0, NULL },
	{ S("gemini://h/#"), 59, NULL, 0, NULL },
	{ S("gemini://%/"), 59, NULL, 0, NULL },
	{ S("gemini://h:196s/"), 59, NULL, 0, NULL },
	{ S("gemini://h:99999/"), 59, NULL, 0, NULL },
	{ S("gemini://h/\xDC"), 59, NULL, 0, NULL },
	{ S("gemini://h/\xC0\x80"), 59, NULL, 0, NULL },
	{ S("gemini://h/a\0b"), 59, NULL, 0, NULL },
	{ S("gemini://h/a%00b"), 59, NULL, 0, NULL },
	{ S("gemini://h/a\tb"), 59, NULL, 0, NULL },
	{ S("gemini://h/\n"), 59, NULL, 0, NULL },
	{ S("gemini://h/a%0Ab"), 59, NULL, 0, NULL },
	{ S("gemini://h/%FF"), 59, NULL, 0, NULL },
	{ S("gemini://h/a b"), 59, NULL, 0, NULL },
	{ S("gemini://\xC2\xAD/"), 59, NULL, 0, NULL },
	{ S("gemini://%C2%AD/"), 59, NULL, 0, NULL },
	{ S("gemini://a..b/"), 59, NULL, 0, NULL },
	{ S("gemini://h/%E2%80%AEtxt.exe"), 59, NULL, 0, NULL },
	{ S("gemini://h/%C2%85"), 59, NULL, 0, NULL },
	/* traversal, however it is spelled: 59 */
	{ S("gemini://h/.."), 59, NULL, 0, NULL },
	{ S("gemini://h/../../"), 59, NULL, 0, NULL },
	{ S("gemini://h/files/.."), 59, NULL, 0, NULL },
	{ S("gemini://h/%2e%2e/"), 59, NULL, 0, NULL },
	{ S("gemini://h/%2E./"), 59, NULL, 0, NULL },
	{ S("gemini://h/..%2F..%2F"), 59, NULL, 0, NULL },
	{ S("gemini://h/foo%2F..%2F..%2Fetc"), 59, NULL, 0, NULL },
	{ S("gemini://h/%2Fetc%2Fpasswd"), 59, NULL, 0, NULL },
	{ S("gemini://h%2F..%2F/"), 59, NULL, 0, NULL },
	/* another scheme: 53 */
	{ S("http://localhost/"), 53, NULL, 0, NULL },
	{ S("https://localhost/"), 53, NULL, 0, NULL },
	{ S("gopher://localhost/"), 53, NULL, 0, NULL },
	{ S("data://localhost/"), 53, NULL, 0, NULL },
	{ S("geminix://localhost/"), 53, NULL, 0, NULL },
};

/* The reason a 59 gives: one per check, never a generic "bad request". */
static const struct {
	const char	*line;
	size_t		 len;
	const char	*why;
} reasons[] = {
	{ S(""), "empty request" },
	{ S("gemini://h/a b"), "space in the URL (write it as %20)" },
	{ S("gemini://h/a<b>"), "'<' in the URL (write it as %3C)" },
	{ S("gemini://h/a{b"), "'{' in the URL (write it as %7B)" },
	{ S("gemini://h/a\\b"), "'\\' in the URL (write it as %5C)" },
	{ S("gemini://h/\x1b[31m"), "control character in the URL" },
	{ S("gemini://h/a\tb"), "control character in the URL" },
	{ S("gemini://h/caf\xe9"), "not UTF-8" },
	{ S("gemini://h/%zz"), "'%' not followed by two hexadecimal digits" },
	{ S("gemini://h/a%2"), "'%' not followed by two hexadecimal digits" },
	{ S("gemini://h/%1B%5B31m"), "control character in the path "
	    "(percent-encoded)" },
	{ S("gemini://h/%FF"), "path is not UTF-8 once percent-decoded" },
	{ S("gemini://user@h/"), "userinfo not allowed" },
	{ S("gemini://h/#frag"), "fragment not allowed" },
	{ S("gemini://h/a#b#c"), "fragment not allowed" },
	{ S("gemini://h/../x"), "'..' in the path" },
	{ S("gemini://h/%2e%2e/"), "'..' in the path" },
	{ S("gemini://h/a%2Fb"), "encoded '/' (%2F) in a path segment" },
	{ S("gemini://h:99999/"), "port is not a number from 0 to 65535" },
	{ S("gemini://a..b/"), "not a valid host name" },
	{ S("/"), "not an absolute URI" },
	{ S("gemini:/h"), "no host" },
};

int
main(void)
{
	struct gemini_request	 r;
	const char		*errstr, *names[] = { "localhost", NULL };
	char			 big[GEMINI_URI_MAX + 8], head[64];
	size_t			 i, len;
	int			 s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = gemini_parse(cases[i].line, cases[i].len, &r, &errstr);
		CHECK(s == cases[i].status, "case %zu \"%s\": status %d, want %d"
		    " (%s)", i, cases[i].line, s, cases[i].status,
		    s ? errstr : "ok");
		if (s != 0 || cases[i].status != 0)
			continue;
		CHECK_STR(r.gr_host, cases[i].host);
		CHECK(r.gr_port == cases[i].port, "case %zu port %d", i,
		    r.gr_port);
		CHECK_STR(r.gr_path, cases[i].path);
	}
	s = gemini_parse(S("gemini://h/search?q%20x"), &r, &errstr);
	CHECK(s == 0 && r.gr_has_query, "query present");
	CHECK_STR(r.gr_query, "q%20x");

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		s = gemini_parse(reasons[i].line, reasons[i].len, &r, &errstr);
		CHECK(s == 59, "reason %zu: status %d, want 59", i, s);
		CHECK_STR(errstr, reasons[i].why);
	}

	/* 1024 bytes are allowed, 1025 are not */
	memset(big, 'a', sizeof(big));
	memcpy(big, "gemini://localhost/", 19);
	CHECK(gemini_parse(big, GEMINI_URI_MAX, &r, &errstr) == 0, "1024");
	CHECK(gemini_parse(big, GEMINI_URI_MAX + 1, &r, &errstr) == 59,
	    "1025");
	CHECK_STR(errstr, "request longer than 1024 bytes");

	/* the request line ends at CRLF only */
	CHECK(gemini_request_end(S("gemini://h/\n"), &len) == GEMINI_MORE,
	    "bare LF: wait");
	CHECK(gemini_request_end(S("gemini://h/\r"), &len) == GEMINI_MORE,
	    "CR alone: wait");
	CHECK(gemini_request_end(S("gemini://h/\r\nxx"), &len) ==
	    GEMINI_LINE && len == 11, "CRLF");
	memcpy(big + GEMINI_URI_MAX, "\r\n", 2);
	CHECK(gemini_request_end(big, GEMINI_URI_MAX + 2, &len) ==
	    GEMINI_LINE && len == GEMINI_URI_MAX, "1024 + CRLF");
	big[GEMINI_URI_MAX] = 'a';
	CHECK(gemini_request_end(big, GEMINI_URI_MAX + 2, &len) ==
	    GEMINI_TOOLONG, "1026 bytes without CRLF");

	/* host and port */
	gemini_parse(S("gemini://LOCALHOST:1965/"), &r, &errstr);
	CHECK(gemini_host_ok(&r, names, 1965), "our host and port");
	CHECK(!gemini_host_ok(&r, names, 1966), "other port");
	gemini_parse(S("gemini://wikipedia.org/"), &r, &errstr);
	CHECK(!gemini_host_ok(&r, names, 1965), "other host");
	gemini_parse(S("gemini://127.0.0.1/"), &r, &errstr);
	CHECK(!gemini_host_ok(&r, names, 1965), "IP literal is not a name");

	/* headers */
	CHECK(gemini_header(20, "text/gemini; charset=utf-8", head,
	    sizeof(head)) > 0, "header fits");
	CHECK_STR(head, "20 text/gemini; charset=utf-8\r\n");
	gemini_header(51, "", head, sizeof(head));
	CHECK_STR(head, "51\r\n");
	CHECK(gemini_header(20, "x", head, 5) == -1, "header too long");
	/* the one percent-encoder: for uriparser, for redirects, cut */
	{
		char	 out[32];

		addr_pct_encode("/caf\xc3\xa9 ok", 9, NULL, out,
		    sizeof(out));
		CHECK_STR(out, "/caf%C3%A9 ok");
		addr_pct_encode("/a b/%\xff", 7, "/", out, sizeof(out));
		CHECK_STR(out, "/a%20b/%25%FF");
		addr_pct_encode("\xff\xff\xff", 3, "/", out, 8);
		CHECK_STR(out, "%FF%FF");
	}
	return TEST_DONE();
}
