#include "spartan.h"
#include "test.h"

#define S(x)	x, sizeof(x) - 1

/* Requests that parse: host, port, path, query and data. */
static const struct {
	const char	*req;
	size_t		 len;
	const char	*host;
	int		 port;
	const char	*path;
	const char	*query;		/* NULL: none */
	const char	*data;		/* NULL: none */
	size_t		 linelen;
} good[] = {
	{ S("localhost / 0\r\n"), "localhost", -1, "/", NULL, NULL, 13 },
	{ S("LocalHost. /a/./b//c/ 0\r\n"), "localhost", -1, "/a/b/c/",
	    NULL, NULL, 23 },
	{ S("localhost:300 / 0\r\n"), "localhost", 300, "/", NULL, NULL,
	    17 },
	{ S("h /search 5\r\nhello"), "h", -1, "/search", NULL, "hello", 11 },
	{ S("h /search 5\r\nhelloEXTRA"), "h", -1, "/search", NULL, "hello",
	    11 },
	{ S("h /search 005\r\nhello"), "h", -1, "/search", NULL, "hello",
	    13 },
	{ S("h /search?q%20x 0\r\n"), "h", -1, "/search", "q%20x", NULL,
	    17 },
	{ S("h /a%20b/caf%C3%A9 0\r\n"), "h", -1, "/a b/caf\xC3\xA9", NULL,
	    NULL, 20 },
	{ S("h /caf\xC3\xA9 0\r\n"), "h", -1, "/caf\xC3\xA9", NULL, NULL,
	    10 },
	{ S("caf\xC3\xA9.example / 0\r\n"), "xn--caf-dma.example", -1, "/",
	    NULL, NULL, 17 },
	{ S("127.0.0.1 / 0\r\n"), "127.0.0.1", -1, "/", NULL, NULL, 13 },
	{ S("[::1] / 0\r\n"), "[::1]", -1, "/", NULL, NULL, 9 },
	{ S("h /search 3\r\n\xE2\x82\xAC"), "h", -1, "/search", NULL,
	    "\xE2\x82\xAC", 11 },
};

/* Requests refused, with the reason the 4 gives. */
static const struct {
	const char	*req;
	size_t		 len;
	const char	*why;
} bad[] = {
	{ S(""), "request line without CRLF" },
	{ S("h / 0"), "request line without CRLF" },
	{ S("h / 0\n"), "request line without CRLF (a bare LF)" },
	{ S("\r\n"), "the request line is not HOST SP PATH SP LENGTH" },
	{ S("h /\r\n"), "the request line is not HOST SP PATH SP LENGTH" },
	{ S("h  / 0\r\n"), "the request line is not HOST SP PATH SP LENGTH" },
	{ S("h / 0 \r\n"), "the request line is not HOST SP PATH SP LENGTH" },
	{ S("h /a b 0\r\n"), "the request line is not HOST SP PATH SP LENGTH" },
	{ S("h /  0\r\n"), "the request line is not HOST SP PATH SP LENGTH" },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"),
	    "the request line is not HOST SP PATH SP LENGTH" },
	{ S("h / \r\n"), "the length is not a decimal number" },
	{ S("h / -1\r\n"), "the length is not a decimal number" },
	{ S("h / +1\r\n"), "the length is not a decimal number" },
	{ S("h / 1e3\r\n"), "the length is not a decimal number" },
	{ S("h / 0x10\r\n"), "the length is not a decimal number" },
	{ S("h / 1\t\r\n"), "the length is not a decimal number" },
	{ S("h / 1025\r\n"), "more than 1024 bytes of data" },
	{ S("h / 99999999999999999999\r\n"), "more than 1024 bytes of data" },
	{ S("h / 184467440737095516170\r\n"), "more than 1024 bytes of data" },
	{ S("h /search 5\r\nhell"), "less data than the length announced" },
	{ S(" / 0\r\n"), "no host" },
	{ S("h@x / 0\r\n"), "not a valid host name" },
	{ S("h/x / 0\r\n"), "not a valid host name" },
	{ S("h#x / 0\r\n"), "not a valid host name" },
	{ S("h?x / 0\r\n"), "not a valid host name" },
	{ S("h\0x / 0\r\n"), "not a valid host name" },
	{ S("h x 0\r\n"), "the path does not start with '/'" },
	{ S("h * 0\r\n"), "the path does not start with '/'" },
	{ S("h gemini://h/ 0\r\n"), "the path does not start with '/'" },
	{ S("a..b / 0\r\n"), "not a valid host name" },
	{ S("h:99999 / 0\r\n"), "port is not a number from 0 to 65535" },
	{ S("h /.. 0\r\n"), "'..' in the path" },
	{ S("h /a/../../etc/passwd 0\r\n"), "'..' in the path" },
	{ S("h /%2e%2e/x 0\r\n"), "'..' in the path" },
	{ S("h /a%2Fb 0\r\n"), "encoded '/' (%2F) in a path segment" },
	{ S("h /a%00b 0\r\n"), "control character in the path "
	    "(percent-encoded)" },
	{ S("h /a\0b 0\r\n"), "control character in the URL" },
	{ S("h /a\x1b[31m 0\r\n"), "control character in the URL" },
	{ S("h /caf\xE9 0\r\n"), "not UTF-8" },
	{ S("h /%FF 0\r\n"), "path is not UTF-8 once percent-decoded" },
	{ S("h /%zz 0\r\n"), "'%' not followed by two hexadecimal digits" },
	{ S("h /#x 0\r\n"), "fragment not allowed" },
};

static void
test_parse(void)
{
	struct spartan_request	 r;
	const char		*errstr;
	size_t			 i;
	int			 s;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		s = spartan_parse(good[i].req, good[i].len, &r, &errstr);
		CHECK(s == 0, "good %zu: %s", i, s ? errstr : "ok");
		if (s != 0)
			continue;
		CHECK_STR(r.sr_url.gr_host, good[i].host);
		CHECK(r.sr_url.gr_port == good[i].port, "good %zu: port %d",
		    i, r.sr_url.gr_port);
		CHECK_STR(r.sr_url.gr_path, good[i].path);
		CHECK(r.sr_url.gr_has_query == (good[i].query != NULL),
		    "good %zu: query", i);
		if (good[i].query != NULL)
			CHECK_STR(r.sr_url.gr_query, good[i].query);
		CHECK(good[i].data == NULL ? r.sr_data == NULL &&
		    r.sr_datalen == 0 : r.sr_datalen == strlen(good[i].data) &&
		    memcmp(r.sr_data, good[i].data, r.sr_datalen) == 0,
		    "good %zu: data", i);
		CHECK(r.sr_linelen == good[i].linelen, "good %zu: line %zu",
		    i, r.sr_linelen);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = spartan_parse(bad[i].req, bad[i].len, &r, &errstr);
		CHECK(s == -1, "bad %zu: parsed", i);
		if (s == -1)
			CHECK_STR(errstr, bad[i].why);
	}
}

/* Where a request ends: the line, then exactly the data it announces. */
static void
test_end(void)
{
	char	 big[SPARTAN_REQUEST_MAX + 8];
	size_t	 len = 0;

	CHECK(spartan_request_end(S(""), &len) == SPARTAN_MORE, "empty");
	CHECK(spartan_request_end(S("h / 0"), &len) == SPARTAN_MORE,
	    "no line end");
	CHECK(spartan_request_end(S("h / 0\r"), &len) == SPARTAN_MORE, "CR");
	CHECK(spartan_request_end(S("h / 0\r\nxx"), &len) ==
	    SPARTAN_COMPLETE && len == 7, "no data: %zu", len);
	CHECK(spartan_request_end(S("h /search 5\r\nhel"), &len) ==
	    SPARTAN_MORE, "data to come");
	CHECK(spartan_request_end(S("h /search 5\r\nhello!"), &len) ==
	    SPARTAN_COMPLETE && len == 18, "data: %zu", len);
	CHECK(spartan_request_end(S("h / 0\n"), &len) == SPARTAN_BAD_LINE &&
	    len == 6, "bare LF: at once");
	CHECK(spartan_request_end(S("\n"), &len) == SPARTAN_BAD_LINE &&
	    len == 1, "LF alone");
	CHECK(spartan_request_end(S("h / -1\r\n"), &len) == SPARTAN_BAD_LINE,
	    "bad length: at once");
	CHECK(spartan_request_end(S("h / 2048\r\n"), &len) ==
	    SPARTAN_BAD_LINE && len == 10, "too much data: at once");
	CHECK(spartan_request_end(S("\x16\x03\x01\x02\x00"), &len) ==
	    SPARTAN_TLS, "ClientHello");

	/* a line of 1024 bytes is read, 1025 are not */
	memset(big, 'a', sizeof(big));
	memcpy(big, "h /", 3);
	memcpy(big + SPARTAN_LINE_MAX - 2, " 0\r\n", 4);
	CHECK(spartan_request_end(big, SPARTAN_LINE_MAX + 2, &len) ==
	    SPARTAN_COMPLETE && len == SPARTAN_LINE_MAX + 2, "1024 + CRLF");
	memcpy(big + SPARTAN_LINE_MAX - 1, " 0\r\n", 4);
	CHECK(spartan_request_end(big, SPARTAN_LINE_MAX + 3, &len) ==
	    SPARTAN_TOOLONG, "1025 + CRLF");
	memset(big, 'a', sizeof(big));
	CHECK(spartan_request_end(big, SPARTAN_LINE_MAX + 1, &len) ==
	    SPARTAN_MORE, "1025 bytes: more may come");
	CHECK(spartan_request_end(big, SPARTAN_LINE_MAX + 2, &len) ==
	    SPARTAN_TOOLONG, "1026 bytes without a line end");

	/* the longest request: a full line and 1024 bytes of data */
	memset(big, 'a', sizeof(big));
	memcpy(big, "h /search", 9);
	memcpy(big + SPARTAN_LINE_MAX - 5, " 1024\r\n", 7);
	CHECK(spartan_request_end(big, SPARTAN_REQUEST_MAX, &len) ==
	    SPARTAN_COMPLETE && len == SPARTAN_REQUEST_MAX, "longest: %zu",
	    len);
	CHECK(spartan_request_end(big, SPARTAN_REQUEST_MAX - 1, &len) ==
	    SPARTAN_MORE, "longest but one byte");
}

int
main(void)
{
	char	 head[64];

	test_parse();
	test_end();
	CHECK(spartan_header(2, "text/gemini; charset=utf-8", head,
	    sizeof(head)) > 0, "header fits");
	CHECK_STR(head, "2 text/gemini; charset=utf-8\r\n");
	spartan_header(3, "/dir/", head, sizeof(head));
	CHECK_STR(head, "3 /dir/\r\n");
	CHECK(spartan_header(4, "Not found", head, 8) == -1, "too long");
	return TEST_DONE();
}
