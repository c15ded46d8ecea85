/*
 * fuzz_http_request: the bytes a client sends on an HTTP connection,
 * through http_request_end and http_parse as conn.c and http_proto.c do,
 * then the query and entity-tag helpers on what was parsed.
 *
 * The server reads at most PROTO_REQUEST_MAX bytes (HTTP_HEAD_MAX and
 * one); http_request_end sees those.  A complete head is parsed.
 *
 * Invariants: a complete head ends in LF within HTTP_HEAD_MAX bytes; a
 * head that parses (0) has a path that starts with '/', is valid UTF-8
 * without control bytes, has no "//" and no "/../" or "/./" segment, a
 * lowercase host without '/', and every field NUL-terminated inside its
 * array; a refused one has a status among 400, 414, 431 and 505 and a
 * clean reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "fuzz.h"

#define REQ_BUF		(HTTP_HEAD_MAX + 1)

static void
check_path(const char *head, size_t len, const char *p)
{
	size_t	 n = strlen(p), i;

	FUZZ_CHECK(n > 0 && p[0] == '/', "http path", head, len,
	    "does not start with '/'");
	FUZZ_CHECK(utf8_valid(p, n) && !utf8_has_controls(p, n), "http path",
	    p, n, "not clean UTF-8");
	FUZZ_CHECK(strstr(p, "//") == NULL && strstr(p, "/../") == NULL &&
	    strstr(p, "/./") == NULL && (n < 3 || strcmp(p + n - 3, "/..")) &&
	    (n < 2 || strcmp(p + n - 2, "/.")), "http path", p, n,
	    "a dot or empty segment");
	for (i = 0; i < n; i++)
		FUZZ_CHECK(p[i] != '\0', "http path", p, n, "NUL");
}

static void
check_parse(const char *head, size_t len)
{
	struct http_request	 r;
	const char		*errstr = NULL;
	char			 q[64];
	size_t			 i;
	int			 s;

	s = http_parse(head, len, &r, &errstr);
	FUZZ_CHECK(FUZZ_TERMINATED(r.hr_path) && FUZZ_TERMINATED(r.hr_query) &&
	    FUZZ_TERMINATED(r.hr_host) && FUZZ_TERMINATED(r.hr_inm),
	    "http fields", head, len, "a field is not NUL-terminated");
	if (s != 0) {
		FUZZ_CHECK(s == 400 || s == 414 || s == 431 || s == 505,
		    "http status", head, len, "status %d", s);
		FUZZ_CHECK(errstr != NULL, "http reason", head, len, "none");
		fuzz_clean_message("http reason", errstr);
		return;
	}
	FUZZ_CHECK(r.hr_linelen > 0 && r.hr_linelen < len, "http line", head,
	    len, "line of %zu bytes", r.hr_linelen);
	for (i = 0; r.hr_host[i] != '\0'; i++)
		FUZZ_CHECK(r.hr_host[i] != '/' && (r.hr_host[i] < 'A' ||
		    r.hr_host[i] > 'Z'), "http host", r.hr_host,
		    strlen(r.hr_host), "not a lowercase host");
	if (r.hr_method == HTTP_OTHER)
		return;
	check_path(head, len, r.hr_path);
	if (http_query_param(r.hr_query, "q", q, sizeof(q)) == 1)
		FUZZ_CHECK(FUZZ_TERMINATED(q), "http query", head, len,
		    "not NUL-terminated");
	(void)http_etag_match(r.hr_inm, "\"0123456789abcdef\"");
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 n = size < REQ_BUF ? size : REQ_BUF, len = 0;
	char	*buf = fuzz_dup(data, n);

	switch (http_request_end(buf, n, &len)) {
	case HTTP_COMPLETE:
		FUZZ_CHECK(len > 0 && len <= n && len <= HTTP_HEAD_MAX &&
		    buf[len - 1] == '\n', "http_request_end", buf, n,
		    "head of %zu bytes", len);
		check_parse(buf, len);
		break;
	case HTTP_MORE:
		FUZZ_CHECK(n < HTTP_HEAD_MAX, "http_request_end", buf, n,
		    "more at %zu", n);
		break;
	case HTTP_TOOLONG:
		FUZZ_CHECK(n >= HTTP_HEAD_MAX, "http_request_end", buf, n,
		    "too long at %zu", n);
		break;
	default:
		FUZZ_CHECK(0, "http_request_end", buf, n, "unknown result");
	}
	free(buf);
	return 0;
}
