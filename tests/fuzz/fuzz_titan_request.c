/*
 * fuzz_titan_request: a Titan request line through titan_parse and
 * titan_path_kind, as the Gemini adapter calls them.
 *
 * Invariants: the status is 0, 53 or 59, with a message when not 0; on
 * 0 the size has at most TITAN_SIZE_DIGITS digits, mime and token are
 * printable ASCII within their arrays, the path starts with '/' and
 * has no "/../"; a path of any kind but TITAN_REFUSED has no dotfile
 * segment and does not end in '/'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "titan.h"
#include "fuzz.h"

static void
check_printable(const char *s, size_t max, const char *what)
{
	size_t	 n = strnlen(s, max + 1), i;

	FUZZ_CHECK(n <= max, what, s, n, "not terminated");
	for (i = 0; i < n; i++)
		FUZZ_CHECK(s[i] > ' ' && s[i] < 0x7f, what, s, n,
		    "not printable");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct titan_request	 r;
	const char		*errstr = NULL, *p;
	size_t			 n;
	int			 s;

	s = titan_parse((const char *)data, size, &r, &errstr);
	FUZZ_CHECK(s == 0 || s == 53 || s == 59, "titan status",
	    (const char *)data, size, "unexpected status");
	if (s != 0) {
		FUZZ_CHECK(errstr != NULL && errstr[0] != '\0', "titan reason",
		    (const char *)data, size, "no reason");
		return 0;
	}
	FUZZ_CHECK(r.tr_size < 1000000000000ULL, "titan size",
	    (const char *)data, size, "more than 12 digits");
	check_printable(r.tr_mime, TITAN_MIME_MAX, "titan mime");
	check_printable(r.tr_token, TITAN_TOKEN_MAX, "titan token");
	p = r.tr_url.gr_path;
	n = strnlen(p, sizeof(r.tr_url.gr_path));
	FUZZ_CHECK(n < sizeof(r.tr_url.gr_path) && p[0] == '/', "titan path",
	    p, n, "not absolute or not terminated");
	FUZZ_CHECK(strstr(p, "/../") == NULL, "titan path", p, n, "'..'");
	if (titan_path_kind(p, &errstr) != TITAN_REFUSED) {
		FUZZ_CHECK(p[n - 1] != '/', "titan kind", p, n, "directory");
		FUZZ_CHECK(strstr(p, "/.") == NULL, "titan kind", p, n,
		    "dotfile");
	}
	return 0;
}
