/*
 * fuzz_gemini_request: the bytes a client sends on a Gemini connection,
 * through gemini_request_end and gemini_parse as conn.c does.
 *
 * The server reads at most GEMINI_URI_MAX + 2 bytes (struct conn
 * c_req) before it decides, so that is what gemini_request_end sees;
 * gemini_parse takes any bytes and is also given the whole input.
 *
 * Invariants: the status is 0, 53 or 59, with a clean message when not
 * 0; on 0 the path starts with '/', has no "//", no "." or ".."
 * segment, no control byte and is valid UTF-8; the host is lowercase
 * [a-z0-9._-], or an IPv4 or a bracketed literal; every field is
 * NUL-terminated inside its array; and the request, written out again
 * (host + percent-encoded path), parses to the same host and path.
 *
 * Built with -DFUZZ_SKIP_KNOWN it lets pass what is already reported
 * and not yet fixed in src/, to look for something else meanwhile.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemini.h"
#include "fuzz.h"

/* sizeof(((struct conn *)0)->c_req) */
#define REQ_BUF		(GEMINI_URI_MAX + 2)

static int
is_host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '_' || c == '-';
}

static void
check_host(const struct gemini_request *r)
{
	const char	*h = r->gr_host;
	size_t		 n = strlen(h), i;

	FUZZ_CHECK(n > 0, "gemini host", h, n, "empty host");
	if (h[0] == '[') {
		FUZZ_CHECK(n >= 3 && h[n - 1] == ']', "gemini host", h, n,
		    "unbalanced bracket");
		for (i = 1; i < n - 1; i++) {
			unsigned char c = (unsigned char)h[i];

			FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '[' &&
			    c != ']' && c != '/' && c != '?' && c != '#' &&
			    c != '@' && !(c >= 'A' && c <= 'Z'),
			    "gemini host", h, n, "byte 0x%02X in IP literal", c);
		}
		return;
	}
	for (i = 0; i < n; i++)
		FUZZ_CHECK(is_host_char((unsigned char)h[i]), "gemini host",
		    h, n, "byte 0x%02X in host name", (unsigned char)h[i]);
}

static void
check_path(const struct gemini_request *r)
{
	const char	*p = r->gr_path, *seg, *end;
	size_t		 n = strlen(p), i;

	FUZZ_CHECK(n > 0 && p[0] == '/', "gemini path", p, n,
	    "does not start with '/'");
	FUZZ_CHECK(strstr(p, "//") == NULL, "gemini path", p, n, "\"//\"");
	FUZZ_CHECK(strstr(p, "/../") == NULL && strstr(p, "/./") == NULL,
	    "gemini path", p, n, "dot segment");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)p[i] >= 0x20 && p[i] != 0x7f,
		    "gemini path", p, n, "control byte 0x%02X at %zu",
		    (unsigned char)p[i], i);
	FUZZ_CHECK(utf8_valid(p, n), "gemini path", p, n, "not UTF-8");
	/* no "." or ".." segment anywhere, the last one included */
	for (seg = p + 1; *seg != '\0'; seg = *end ? end + 1 : end) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		FUZZ_CHECK(!((end - seg == 1 && seg[0] == '.') ||
		    (end - seg == 2 && seg[0] == '.' && seg[1] == '.')),
		    "gemini path", p, n, "dot segment");
	}
}

/* A host name with an empty label: "", ".a", "a..b", "a." */
static int
empty_label(const char *h)
{
	size_t	 n = strlen(h);

	return h[0] != '[' && (n == 0 || h[0] == '.' || h[n - 1] == '.' ||
	    strstr(h, "..") != NULL);
}

/* The request written out again must parse to the same host and path. */
static void
check_again(const struct gemini_request *r)
{
	static const char hex[] = "0123456789ABCDEF";
	struct gemini_request	 r2;
	char			 line[GEMINI_URI_MAX * 4];
	const char		*errstr;
	size_t			 o, i;
	int			 s;

	o = (size_t)snprintf(line, sizeof(line), "gemini://%s", r->gr_host);
	for (i = 0; r->gr_path[i] != '\0' && o + 3 < sizeof(line); i++) {
		unsigned char c = (unsigned char)r->gr_path[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/-._~", c) != NULL)
			line[o++] = (char)c;
		else {
			line[o++] = '%';
			line[o++] = hex[c >> 4];
			line[o++] = hex[c & 15];
		}
	}
	if (o > GEMINI_URI_MAX)
		return;		/* the encoded form is too long to send */
	s = gemini_parse(line, o, &r2, &errstr);
	FUZZ_CHECK(s == 0, "gemini reparse", line, o, "status %d (%s)", s,
	    errstr);
	/*
	 * Known and accepted: a name with an empty label ("a..b", "a..")
	 * is kept, and only one final dot is dropped, so "a.." becomes
	 * "a." and then "a".  No such name is ever served.
	 */
	if (!empty_label(r->gr_host))
		FUZZ_CHECK(strcmp(r->gr_host, r2.gr_host) == 0,
		    "gemini reparse", line, o, "host \"%s\" became \"%s\"",
		    r->gr_host, r2.gr_host);
	FUZZ_CHECK(strcmp(r->gr_path, r2.gr_path) == 0, "gemini reparse",
	    line, o, "path changed to \"%s\"", r2.gr_path);
}

static void
check_parse(const char *line, size_t len)
{
	struct gemini_request	 r;
	const char		*errstr = NULL;
	int			 s;

	s = gemini_parse(line, len, &r, &errstr);
	FUZZ_CHECK(s == 0 || s == 53 || s == 59, "gemini status", line, len,
	    "status %d", s);
	if (s != 0) {
		fuzz_clean_message("gemini errstr", errstr);
		return;
	}
#ifdef FUZZ_SKIP_KNOWN
	/* known: an IDN host that maps to nothing ("\xC2\xAD") is "" */
	if (r.gr_host[0] == '\0')
		return;
#endif
	FUZZ_CHECK(FUZZ_TERMINATED(r.gr_host) && FUZZ_TERMINATED(r.gr_path) &&
	    FUZZ_TERMINATED(r.gr_query), "gemini fields", line, len,
	    "a field is not NUL-terminated inside its array");
	FUZZ_CHECK(r.gr_port >= -1 && r.gr_port <= 65535, "gemini port",
	    line, len, "port %d", r.gr_port);
	FUZZ_CHECK(r.gr_has_query || r.gr_query[0] == '\0', "gemini query",
	    line, len, "query without gr_has_query");
	check_host(&r);
	check_path(&r);
	check_again(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 n = size < REQ_BUF ? size : REQ_BUF, len = 0;
	char	*buf = fuzz_dup(data, n), *crlf;

	switch (gemini_request_end(buf, n, &len)) {
	case GEMINI_LINE:
		crlf = memmem(buf, n, "\r\n", 2);
		FUZZ_CHECK(crlf != NULL && (size_t)(crlf - buf) == len,
		    "gemini_request_end", buf, n, "line of %zu bytes", len);
		check_parse(buf, len);
		break;
	case GEMINI_TOOLONG:
		FUZZ_CHECK(n >= REQ_BUF && memmem(buf, n, "\r\n", 2) == NULL,
		    "gemini_request_end", buf, n, "too long at %zu", n);
		break;
	case GEMINI_MORE:
		FUZZ_CHECK(n < REQ_BUF && memmem(buf, n, "\r\n", 2) == NULL,
		    "gemini_request_end", buf, n, "more at %zu", n);
		break;
	default:
		FUZZ_CHECK(0, "gemini_request_end", buf, n, "unknown result");
	}
	free(buf);

	buf = fuzz_dup(data, size);
	check_parse(buf, size);
	free(buf);
	return 0;
}
