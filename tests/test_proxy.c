#include <sys/socket.h>

#include <stdlib.h>

#include "proxy.h"
#include "test.h"

#define S(x)	x, sizeof(x) - 1

/* The v2 signature, as a string literal's start. */
#define SIG	"\r\n\r\n\0\r\nQUIT\n"
/* PROXY over TCP4: 192.0.2.7:51234 -> 198.51.100.1:1965 */
#define V2_TCP4	SIG "\x21\x11\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01" \
		"\xc8\x22" "\x07\xad"
/* PROXY over TCP6: 2001:db8::7:443 -> ::1:70 */
#define V2_TCP6	SIG "\x21\x21\x00\x24" \
		"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07" \
		"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01" "\x01\xbb" "\x00\x46"

static const struct {
	const char		*in;
	size_t			 n;
	enum proxy_status	 want;
	size_t			 len;	/* DONE: ph_len; MORE: ph_more */
	int			 local;
	const char		*src;	/* DONE and not local */
	unsigned		 sport;
	const char		*why;	/* BAD: the reason */
} cases[] = {
	/* v1 */
	{ S("PROXY TCP4 192.0.2.7 198.51.100.1 51234 1965\r\n"), PROXY_DONE,
	    46, 0, "192.0.2.7", 51234, NULL },
	{ S("PROXY TCP6 2001:DB8::7 ::1 443 70\r\n"), PROXY_DONE, 35, 0,
	    "2001:db8::7", 443, NULL },
	{ S("PROXY UNKNOWN\r\n"), PROXY_DONE, 15, 1, NULL, 0, NULL },
	{ S("PROXY UNKNOWN anything 1 2 3\r\n"), PROXY_DONE, 30, 1, NULL, 0,
	    NULL },
	/* what follows the header is not the header's */
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\ngemini://x/\r\n"), PROXY_DONE,
	    32, 0, "1.2.3.4", 1, NULL },
	{ S("PROXY TCP4 0.0.0.0 0.0.0.0 0 65535\r\n"), PROXY_DONE, 36, 0,
	    "0.0.0.0", 0, NULL },
	{ S(""), PROXY_MORE, 15, 0, NULL, 0, NULL },
	{ S("P"), PROXY_MORE, 106, 0, NULL, 0, NULL },
	{ S("PROXY TCP4 1.2.3.4"), PROXY_MORE, 89, 0, NULL, 0, NULL },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r"), PROXY_MORE, 76, 0, NULL, 0,
	    NULL },
	{ S("PROXI"), PROXY_BAD, 0, 0, NULL, 0, "not a PROXY header" },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: a LF without CR" },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"), PROXY_BAD, 0, 0, NULL,
	    0, "PROXY v1: not 4 fields after the protocol" },
	{ S("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"), PROXY_BAD, 0, 0, NULL,
	    0, "PROXY v1: not 4 fields after the protocol" },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: not 4 fields after the protocol" },
	{ S("PROXY TCP4 ::1 ::1 1 2\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: a bad address" },
	{ S("PROXY TCP6 1.2.3.4 ::1 1 2\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: a bad address" },
	{ S("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n"), PROXY_BAD, 0, 0, NULL,
	    0, "PROXY v1: a bad address" },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"), PROXY_BAD, 0, 0, NULL,
	    0, "PROXY v1: a bad port" },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: a bad port" },
	{ S("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: a bad port" },
	{ S("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: not TCP4, TCP6 or UNKNOWN" },
	{ S("PROXY UNKNOWNX\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: not TCP4, TCP6 or UNKNOWN" },
	{ S("PROXY \r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: not TCP4, TCP6 or UNKNOWN" },
	{ S("PROXY TCP4 1.2\r.3.4"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v1: a control character" },
	{ S("PROXY UNKNOWN aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"),
	    PROXY_BAD, 0, 0, NULL, 0, "PROXY v1: no CRLF within 107 bytes" },
	/* not a header at all: a ClientHello, a request */
	{ S("\x16\x03\x01\x02\x00"), PROXY_BAD, 0, 0, NULL, 0,
	    "not a PROXY header" },
	{ S("gemini://localhost/\r\n"), PROXY_BAD, 0, 0, NULL, 0,
	    "not a PROXY header" },
	{ S("\r\n"), PROXY_MORE, 14, 0, NULL, 0, NULL },	/* v2 so far */
	{ S("\r\n\r\n\r\n"), PROXY_BAD, 0, 0, NULL, 0, "not a PROXY header" },
	/* v2 */
	{ S(V2_TCP4), PROXY_DONE, 28, 0, "192.0.2.7", 51234, NULL },
	{ S(V2_TCP6), PROXY_DONE, 52, 0, "2001:db8::7", 443, NULL },
	{ S(SIG "\x21\x11\x00\x0c" "\xc0\x00"), PROXY_MORE, 10, 0, NULL, 0,
	    NULL },
	{ S(SIG "\x21"), PROXY_MORE, 3, 0, NULL, 0, NULL },
	{ S(SIG), PROXY_MORE, 4, 0, NULL, 0, NULL },
	/* TLVs: the addresses are enough, the rest is skipped */
	{ S(SIG "\x21\x11\x00\x14" "\x7f\x00\x00\x02" "\x7f\x00\x00\x01"
	    "\x00\x50" "\x00\x46"), PROXY_DONE, 36, 0, "127.0.0.2", 80, NULL },
	/* LOCAL: a health check; the addresses are not read */
	{ S(SIG "\x20\x00\x00\x00"), PROXY_DONE, 16, 1, NULL, 0, NULL },
	{ S(SIG "\x20\x11\x00\x0c"), PROXY_DONE, 28, 1, NULL, 0, NULL },
	{ S(SIG "\x21\x00\x00\x00"), PROXY_DONE, 16, 1, NULL, 0, NULL },
	{ S(SIG "\x11\x11\x00\x0c"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v2: not version 2" },
	{ S(SIG "\x22\x11\x00\x0c"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v2: not LOCAL or PROXY" },
	{ S(SIG "\x21\x12\x00\x0c"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v2: not TCP over IPv4 or IPv6" },
	{ S(SIG "\x21\x31\x00\xd8"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v2: not TCP over IPv4 or IPv6" },
	/* lengths that lie or are too long */
	{ S(SIG "\x21\x11\x00\x0b"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v2: a length shorter than its addresses" },
	{ S(SIG "\x21\x21\x00\x0c"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v2: a length shorter than its addresses" },
	{ S(SIG "\x21\x11\xff\xff"), PROXY_BAD, 0, 0, NULL, 0,
	    "PROXY v2: longer than 4096 bytes" },
	{ S(SIG "\x21\x11\x0f\xf0"), PROXY_DONE, 4096, 0, "0.0.0.0", 0,
	    NULL },		/* zeros for addresses, as given */
};

int
main(void)
{
	struct proxy_hdr	 h;
	const char		*why;
	enum proxy_status	 s;
	unsigned char		 buf[8192];
	size_t			 i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = cases[i].n;
		memcpy(buf, cases[i].in, n);
		/* the last case's addresses: zero bytes after the head */
		if (n == PROXY_V2_HEAD && cases[i].want == PROXY_DONE &&
		    !cases[i].local) {
			memset(buf + n, 0, 12);
			n += 12;
		}
		s = proxy_parse(buf, n, &h, &why);
		CHECK(s == cases[i].want, "case %zu: status %d, want %d (%s)",
		    i, (int)s, (int)cases[i].want, why ? why : "");
		if (s != cases[i].want)
			continue;
		if (s == PROXY_BAD)
			CHECK_STR(why, cases[i].why);
		else if (s == PROXY_MORE)
			CHECK(h.ph_more == cases[i].len, "case %zu: more %zu",
			    i, h.ph_more);
		else {
			CHECK(h.ph_len == cases[i].len, "case %zu: len %zu",
			    i, h.ph_len);
			CHECK(h.ph_local == cases[i].local, "case %zu: local",
			    i);
			if (cases[i].src != NULL) {
				CHECK_STR(h.ph_src, cases[i].src);
				CHECK(h.ph_sport == cases[i].sport,
				    "case %zu: port %u", i, h.ph_sport);
			}
		}
	}
	/* every v1 header read in pieces of ph_more comes out the same */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].want != PROXY_DONE)
			continue;
		n = 0;
		while ((s = proxy_parse((const unsigned char *)cases[i].in, n,
		    &h, &why)) == PROXY_MORE && n < cases[i].n)
			n = n + (h.ph_more < 3 ? h.ph_more : 3) < cases[i].n ?
			    n + (h.ph_more < 3 ? h.ph_more : 3) : cases[i].n;
		CHECK(s == PROXY_DONE || n >= cases[i].n,
		    "case %zu: piecewise %d at %zu", i, (int)s, n);
	}
	return TEST_DONE();
}
