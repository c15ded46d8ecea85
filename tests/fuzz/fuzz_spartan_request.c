/*
 * fuzz_spartan_request: the bytes a client sends on a Spartan
 * connection, through spartan_request_end and spartan_parse as the
 * adapter does (src/proto/spartan_proto.c).
 *
 * The server reads at most SPARTAN_REQUEST_MAX bytes (struct exchange
 * x_req) and must have decided by then: spartan_request_end sees those.
 * What it calls complete or a bad line is parsed; so is the whole input,
 * as when the client half-closes.
 *
 * Invariants: the scan decides before the buffer is full; a complete
 * request is its line, CRLF and exactly the data announced (at most
 * SPARTAN_DATA_MAX), and it is what spartan_parse reads; a bad line never
 * parses; a refusal carries a clean reason; a request that parses has a
 * line of at most SPARTAN_LINE_MAX bytes, data inside the input, a host
 * and a path that starts with '/' with no ".." segment (the rest of the
 * path and host are gemini_parse's, fuzz_gemini_request's invariants).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spartan.h"
#include "fuzz.h"

/* A parse of in[0 .. n): 0 or -1, checked. */
static int
check_parse(const char *in, size_t n, struct spartan_request *r)
{
	const char	*errstr = NULL, *p;
	size_t		 len;

	if (spartan_parse(in, n, r, &errstr) == -1) {
		fuzz_clean_message("spartan errstr", errstr);
		FUZZ_CHECK(r->sr_linelen <= n, "spartan linelen", in, n,
		    "line of %zu bytes", r->sr_linelen);
		return -1;
	}
	FUZZ_CHECK(r->sr_linelen <= SPARTAN_LINE_MAX && r->sr_linelen + 2 +
	    r->sr_datalen <= n && memcmp(in + r->sr_linelen, "\r\n", 2) == 0,
	    "spartan line", in, n, "line %zu, data %zu", r->sr_linelen,
	    r->sr_datalen);
	FUZZ_CHECK(r->sr_datalen <= SPARTAN_DATA_MAX && (r->sr_datalen == 0 ?
	    r->sr_data == NULL : r->sr_data == in + r->sr_linelen + 2),
	    "spartan data", in, n, "data %zu", r->sr_datalen);
	FUZZ_CHECK(r->sr_url.gr_host[0] != '\0' &&
	    FUZZ_TERMINATED(r->sr_url.gr_host), "spartan host", in, n,
	    "empty or unterminated");
	p = r->sr_url.gr_path;
	len = strlen(p);
	FUZZ_CHECK(FUZZ_TERMINATED(r->sr_url.gr_path) && p[0] == '/' &&
	    strstr(p, "/../") == NULL && (len < 3 ||
	    strcmp(p + len - 3, "/..") != 0), "spartan path", p, len,
	    "not an absolute path without \"..\"");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spartan_request	 r;
	size_t			 n, len = 0;
	char			*buf;
	const char		*lf;

	n = size < SPARTAN_REQUEST_MAX ? size : SPARTAN_REQUEST_MAX;
	buf = fuzz_dup(data, n);
	lf = memchr(buf, '\n', n < SPARTAN_LINE_MAX + 2 ? n :
	    SPARTAN_LINE_MAX + 2);
	switch (spartan_request_end(buf, n, &len)) {
	case SPARTAN_COMPLETE:
		FUZZ_CHECK(lf != NULL && len <= n, "spartan_request_end", buf,
		    n, "complete at %zu", len);
		FUZZ_CHECK(check_parse(buf, len, &r) == -1 ||
		    r.sr_linelen + 2 + r.sr_datalen == len,
		    "spartan_request_end", buf, n, "complete at %zu, parsed "
		    "as %zu + 2 + %zu", len, r.sr_linelen, r.sr_datalen);
		break;
	case SPARTAN_BAD_LINE:
		FUZZ_CHECK(lf != NULL && len == (size_t)(lf - buf) + 1,
		    "spartan_request_end", buf, n, "bad line of %zu", len);
		FUZZ_CHECK(check_parse(buf, len, &r) == -1,
		    "spartan bad line", buf, len, "parsed");
		break;
	case SPARTAN_TOOLONG:
		FUZZ_CHECK(lf == NULL && n >= SPARTAN_LINE_MAX + 2,
		    "spartan_request_end", buf, n, "too long at %zu", n);
		break;
	case SPARTAN_TLS:
		FUZZ_CHECK(n > 0 && buf[0] == 0x16, "spartan_request_end",
		    buf, n, "TLS");
		break;
	case SPARTAN_MORE:
		FUZZ_CHECK(n < SPARTAN_REQUEST_MAX, "spartan_request_end",
		    buf, n, "more with a full buffer");
		break;
	default:
		FUZZ_CHECK(0, "spartan_request_end", buf, n, "unknown result");
	}
	free(buf);

	buf = fuzz_dup(data, size);
	check_parse(buf, size, &r);
	free(buf);
	return 0;
}
