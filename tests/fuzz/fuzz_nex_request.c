/*
 * fuzz_nex_request: the bytes a client sends on a Nex connection,
 * through nex_request_end and nex_parse as nex_scan and nex_respond do.
 *
 * The server reads at most NEX_LINE_MAX + 2 bytes (struct exchange
 * x_req); nex_request_end sees those.  A complete line is parsed; a
 * request without LF is parsed whole, as conn.c does when the client
 * half-closes.
 *
 * Invariants: the line found ends at the first LF (a CR before it
 * dropped), or is everything read after an empty line; a parsed path
 * starts with '/', is valid UTF-8 without control characters, has no
 * "//" and no segment starting with '.' (so no ".."), and is at most
 * one byte longer than the line; a refusal has a clean static reason
 * that repeats no byte of the request (it is one of a few fixed
 * strings); the path is NUL-terminated inside its array.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nex.h"
#include "fuzz.h"

/* sizeof(((struct exchange *)0)->x_req) */
#define REQ_BUF		(NEX_LINE_MAX + 2)

/* Every reason nex_parse gives: fixed strings, nothing of the request. */
static const char *const reasons[] = {
	NEX_TOOLONG_MSG,
	"Bad request: a \"..\" segment",
	"Bad request: an encoded \"/\"",
	"Bad request: a bad %-escape",
	"Bad request: the path is not UTF-8",
	"Bad request: a control character in the path",
	"Not found",
};

static void
check_path(const char *line, size_t len, const struct nex_request *q)
{
	const char	*s = q->nq_path;
	size_t		 n = strlen(s);

	FUZZ_CHECK(n > 0 && s[0] == '/', "nex path", s, n,
	    "does not start with '/' (request %zu bytes)", len);
	FUZZ_CHECK(n <= len + 1 || (len == 0 && n == 1), "nex path", s, n,
	    "longer than the line and a '/' (%zu bytes)", len);
	fuzz_clean_text("nex path", s, n, "");
	FUZZ_CHECK(strstr(s, "//") == NULL, "nex path", s, n, "\"//\"");
	FUZZ_CHECK(strstr(s, "/.") == NULL, "nex path", s, n,
	    "a segment starts with '.'");
	FUZZ_CHECK(memchr(line, '/', len) != NULL || strchr(s + 1, '/') ==
	    NULL, "nex path", s, n, "a '/' no client sent");
}

/* 0 when the line parsed, -1 when it was refused. */
static int
check_parse(const char *line, size_t len)
{
	struct nex_request	 q;
	const char		*errstr = NULL;
	size_t			 i;

	if (nex_parse(line, len, &q, &errstr) == 0) {
		FUZZ_CHECK(FUZZ_TERMINATED(q.nq_path), "nex path", line, len,
		    "not NUL-terminated inside its array");
		check_path(line, len, &q);
		return 0;
	}
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (errstr == reasons[i] || (errstr != NULL &&
		    strcmp(errstr, reasons[i]) == 0))
			break;
	FUZZ_CHECK(i < sizeof(reasons) / sizeof(reasons[0]), "nex reason",
	    errstr, errstr ? strlen(errstr) : 0, "not a fixed reason");
	fuzz_clean_message("nex reason", errstr);
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 n = size < REQ_BUF ? size : REQ_BUF, len = n, end;
	char	*buf = fuzz_dup(data, n), *lf;

	lf = memchr(buf, '\n', n);
	end = lf != NULL ? (size_t)(lf - buf) : n;
	switch (nex_request_end(buf, n, &len)) {
	case NEX_TLS:
		FUZZ_CHECK(n > 0 && buf[0] == 0x16, "nex_request_end", buf, n,
		    "TLS without 0x16");
		break;
	case NEX_LINE:
		FUZZ_CHECK(lf != NULL && (len == end || (len + 1 == end &&
		    buf[len] == '\r') || (end + 1 < n && (end == 0 ||
		    (end == 1 && buf[0] == '\r')) && len == (n < NEX_LINE_MAX ?
		    n : NEX_LINE_MAX))), "nex_request_end", buf, n,
		    "line of %zu bytes", len);
		FUZZ_CHECK(check_parse(buf, len) == -1 || len < 2 || end >= len,
		    "nex_request_end", buf, n, "an empty line and more parsed");
		break;
	case NEX_MORE:
		FUZZ_CHECK(lf == NULL && n <= NEX_LINE_MAX + 1,
		    "nex_request_end", buf, n, "more at %zu", n);
		(void)check_parse(buf, n);	/* the client half-closed */
		break;
	case NEX_TOOLONG:
		FUZZ_CHECK((lf == NULL && n > NEX_LINE_MAX) || (lf != NULL &&
		    end > NEX_LINE_MAX), "nex_request_end", buf, n,
		    "too long at %zu", n);
		break;
	default:
		FUZZ_CHECK(0, "nex_request_end", buf, n, "unknown result");
	}
	free(buf);
	return 0;
}
