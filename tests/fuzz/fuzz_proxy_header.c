/*
 * fuzz_proxy_header: the bytes a load balancer (or anyone) sends first on
 * a listener marked `proxy`, through proxy_parse as conn.c feeds it: the
 * whole input at once, and again in the pieces ph_more allows (a v1 line
 * cut after its LF, as conn.c peeks for it).
 *
 * Invariants: PROXY_MORE asks for at least one byte and never more than
 * the header can still hold (107 bytes for v1, the length announced for
 * v2); PROXY_DONE has a length within its version's bounds, an address
 * of its family that inet_pton reads back (unless local), ports within
 * 0..65535, and a v1 header ends with CRLF; PROXY_BAD has a fixed, clean
 * reason; fed piecewise, the header parses to the same result as whole.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "fuzz.h"

static void
check_done(const uint8_t *b, size_t n, const struct proxy_hdr *h)
{
	unsigned char	 bin[16];

	FUZZ_CHECK(h->ph_version == 1 || h->ph_version == 2, "proxy",
	    (const char *)b, n, "version %d", h->ph_version);
	if (h->ph_version == 1) {
		FUZZ_CHECK(h->ph_len >= 15 && h->ph_len <= PROXY_V1_MAX &&
		    h->ph_len <= n && b[h->ph_len - 1] == '\n' &&
		    b[h->ph_len - 2] == '\r', "proxy v1", (const char *)b, n,
		    "length %zu", h->ph_len);
	} else
		FUZZ_CHECK(h->ph_len >= PROXY_V2_HEAD &&
		    h->ph_len <= PROXY_V2_MAX, "proxy v2", (const char *)b, n,
		    "length %zu", h->ph_len);
	if (h->ph_local)
		return;
	FUZZ_CHECK((h->ph_family == AF_INET || h->ph_family == AF_INET6) &&
	    inet_pton(h->ph_family, h->ph_src, bin) == 1 &&
	    inet_pton(h->ph_family, h->ph_dst, bin) == 1, "proxy address",
	    h->ph_src, strlen(h->ph_src), "family %d", h->ph_family);
	FUZZ_CHECK(h->ph_sport <= 65535 && h->ph_dport <= 65535, "proxy port",
	    NULL, 0, "%u %u", h->ph_sport, h->ph_dport);
}

/* The input in the pieces a reader takes: the same outcome as whole. */
static void
check_pieces(const uint8_t *b, size_t n, enum proxy_status whole,
    const struct proxy_hdr *hw)
{
	struct proxy_hdr h;
	const char	*why;
	const uint8_t	*lf;
	enum proxy_status s;
	size_t		 got = 0, step;

	while ((s = proxy_parse(b, got, &h, &why)) == PROXY_MORE) {
		FUZZ_CHECK(h.ph_more > 0 && got + h.ph_more <= PROXY_V2_MAX,
		    "proxy more", (const char *)b, got, "%zu after %zu",
		    h.ph_more, got);
		if (got == n)
			return;		/* the rest never came */
		step = h.ph_more < n - got ? h.ph_more : n - got;
		if (h.ph_version == 1 && (lf = memchr(b + got, '\n', step)) !=
		    NULL)
			step = (size_t)(lf - (b + got)) + 1;
		got += step;
	}
	FUZZ_CHECK(s == whole, "proxy pieces", (const char *)b, got,
	    "%d in pieces, %d whole", (int)s, (int)whole);
	if (s == PROXY_DONE)
		FUZZ_CHECK(h.ph_len == hw->ph_len && h.ph_local ==
		    hw->ph_local && strcmp(h.ph_src, hw->ph_src) == 0 &&
		    h.ph_sport == hw->ph_sport, "proxy pieces",
		    (const char *)b, got, "another header");
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_hdr h;
	const char	*why;
	enum proxy_status s;
	size_t		 n = size < PROXY_V2_MAX ? size : PROXY_V2_MAX;

	switch (s = proxy_parse(data, n, &h, &why)) {
	case PROXY_MORE:
		FUZZ_CHECK(h.ph_more > 0, "proxy more", (const char *)data, n,
		    "nothing more");
		break;
	case PROXY_DONE:
		check_done(data, n, &h);
		break;
	case PROXY_BAD:
		FUZZ_CHECK(why != NULL, "proxy reason", NULL, 0, "none");
		fuzz_clean_message("proxy reason", why);
		break;
	default:
		FUZZ_CHECK(0, "proxy", NULL, 0, "unknown status %d", (int)s);
	}
	check_pieces(data, n, s, &h);
	return 0;
}
