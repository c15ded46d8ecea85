/*
 * fuzz_gopher_request: the bytes a client sends on a Gopher connection,
 * through gopher_request_end and gopher_parse as conn.c does.
 *
 * The server reads at most GOPHER_LINE_MAX + 2 bytes (struct conn
 * c_req); gopher_request_end sees those.  A complete line is parsed; a
 * short request without LF is parsed whole, as conn.c does when the
 * client half-closes.
 *
 * Invariants: for GQ_SELECTOR the selector starts with '/', is valid
 * UTF-8 and has no control byte, no '%', no "//", no segment starting
 * with '.' (so no ".." segment); GQ_BAD carries a clean reason; every
 * field is NUL-terminated inside its array.
 *
 * Built with -DFUZZ_SKIP_KNOWN it lets pass what is already reported
 * and not yet fixed in src/, to look for something else meanwhile.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gopher.h"
#include "fuzz.h"

/* sizeof(((struct conn *)0)->c_req) */
#define REQ_BUF		(GOPHER_LINE_MAX + 2)

static void
check_selector(const char *line, size_t len, const struct gopher_request *r)
{
	const char	*s = r->gq_sel;
	size_t		 n = strlen(s), i;

	FUZZ_CHECK(n > 0 && s[0] == '/', "gopher selector", s, n,
	    "does not start with '/' (request %zu bytes)", len);
	FUZZ_CHECK(utf8_valid(s, n), "gopher selector", s, n, "not UTF-8");
	FUZZ_CHECK(strchr(s, '%') == NULL, "gopher selector", s, n, "'%%'");
	FUZZ_CHECK(strstr(s, "//") == NULL, "gopher selector", s, n, "\"//\"");
	FUZZ_CHECK(strstr(s, "/.") == NULL, "gopher selector", s, n,
	    "a segment starts with '.'");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f,
		    "gopher selector", s, n, "control byte 0x%02X",
		    (unsigned char)s[i]);
	FUZZ_CHECK(r->gq_has_query || r->gq_query[0] == '\0', "gopher query",
	    line, len, "query without gq_has_query");
}

static void
check_parse(const char *line, size_t len)
{
	struct gopher_request	 r;
	const char		*errstr = NULL;

	gopher_parse(line, len, &r, &errstr);
	FUZZ_CHECK(FUZZ_TERMINATED(r.gq_sel) && FUZZ_TERMINATED(r.gq_query),
	    "gopher fields", line, len,
	    "a field is not NUL-terminated inside its array (line %zu bytes)",
	    len);
	switch (r.gq_kind) {
	case GQ_SELECTOR:
		check_selector(line, len, &r);
		break;
	case GQ_BAD:
		FUZZ_CHECK(r.gq_err != NULL && r.gq_err == errstr,
		    "gopher bad", line, len, "no reason");
		fuzz_clean_message("gopher reason", r.gq_err);
		break;
	case GQ_URL:
		FUZZ_CHECK(len >= 4 && memcmp(line, "URL:", 4) == 0,
		    "gopher URL", line, len, "URL kind without URL:");
		break;
	case GQ_HTTP:
		break;
	default:
		FUZZ_CHECK(0, "gopher kind", line, len, "kind %d",
		    (int)r.gq_kind);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 n = size < REQ_BUF ? size : REQ_BUF, len = n;
	char	*buf = fuzz_dup(data, n), *lf;

	lf = memchr(buf, '\n', n);
	switch (gopher_request_end(buf, n, &len)) {
	case GOPHER_TLS:
		FUZZ_CHECK(n > 0 && buf[0] == 0x16, "gopher_request_end", buf,
		    n, "TLS without 0x16");
		break;
	case GOPHER_LINE:
		FUZZ_CHECK(lf != NULL && (len == (size_t)(lf - buf) ||
		    (len + 1 == (size_t)(lf - buf) && buf[len] == '\r')),
		    "gopher_request_end", buf, n, "line of %zu bytes", len);
#ifdef FUZZ_SKIP_KNOWN
		/* known: a 1025-byte selector overflows gq_sel by its NUL */
		if (len > GOPHER_LINE_MAX)
			break;
#endif
		check_parse(buf, len);
		break;
	case GOPHER_MORE:
		FUZZ_CHECK(lf == NULL && n <= GOPHER_LINE_MAX,
		    "gopher_request_end", buf, n, "more at %zu", n);
		check_parse(buf, n);	/* the client half-closed */
		break;
	case GOPHER_TOOLONG:
		/* no LF within the limit, or a line longer than the limit */
		FUZZ_CHECK((lf == NULL && n > GOPHER_LINE_MAX) || (lf != NULL &&
		    (size_t)(lf - buf) > GOPHER_LINE_MAX), "gopher_request_end",
		    buf, n, "too long at %zu", n);
		break;
	default:
		FUZZ_CHECK(0, "gopher_request_end", buf, n, "unknown result");
	}
	free(buf);
	return 0;
}
