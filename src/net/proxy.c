/*
 * proxy: parse the PROXY protocol header (proxy.h), versions 1 and 2,
 * from the bytes read so far.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "proxy.h"

/* "PROXY UNKNOWN\r\n", the shortest v1 header; a v2 one is longer. */
#define PROXY_MIN		15

static const unsigned char v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* The v2 commands (low nibble of byte 12) and families (byte 13). */
#define V2_LOCAL		0x0
#define V2_PROXY		0x1
#define V2_UNSPEC		0x00
#define V2_TCP4			0x11
#define V2_TCP6			0x21

static enum proxy_status
more(struct proxy_hdr *h, size_t n)
{
	h->ph_more = n;
	return PROXY_MORE;
}

static enum proxy_status
bad(const char **errstr, const char *why)
{
	*errstr = why;
	return PROXY_BAD;
}

/* port = "0" / %x31-39 0*4DIGIT, at most 65535 */
static int
v1_port(const char *s, size_t n, unsigned *port)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* One address of family af, as written in a v1 line, in canonical text. */
static int
v1_addr(int af, const char *s, size_t n, char *out)
{
	unsigned char	 bin[16];
	char		 tmp[PROXY_ADDR_LEN];

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(af, tmp, bin) != 1 ||
	    inet_ntop(af, bin, out, PROXY_ADDR_LEN) == NULL)
		return -1;
	return 0;
}

/*
 * The fields of a v1 line after "PROXY TCP4 " (or TCP6), without its
 * CRLF: src SP dst SP srcport SP dstport, single spaces.
 */
static enum proxy_status
v1_fields(const char *s, size_t n, int af, struct proxy_hdr *h,
    const char **errstr)
{
	const char	*f[4];
	size_t		 len[4], k = 0, i, start = 0;

	for (i = 0; i <= n && k < 4; i++)
		if (i == n || s[i] == ' ') {
			f[k] = s + start;
			len[k++] = i - start;
			start = i + 1;
		}
	if (k != 4 || i != n + 1)
		return bad(errstr, "PROXY v1: not 4 fields after the protocol");
	if (v1_addr(af, f[0], len[0], h->ph_src) == -1 ||
	    v1_addr(af, f[1], len[1], h->ph_dst) == -1)
		return bad(errstr, "PROXY v1: a bad address");
	if (v1_port(f[2], len[2], &h->ph_sport) == -1 ||
	    v1_port(f[3], len[3], &h->ph_dport) == -1)
		return bad(errstr, "PROXY v1: a bad port");
	h->ph_family = af;
	return PROXY_DONE;
}

/*
 * v1 = "PROXY" SP ( ("TCP4" | "TCP6") SP src SP dst SP sport SP dport
 *	| "UNKNOWN" *(any byte but CR and LF) ) CRLF, 107 bytes at most
 */
static enum proxy_status
v1(const unsigned char *b, size_t n, struct proxy_hdr *h, const char **errstr)
{
	static const char	 head[] = "PROXY ";
	const char		*s = (const char *)b, *lf, *p;
	size_t			 len;

	h->ph_version = 1;
	if (memcmp(b, head, n < 6 ? n : 6) != 0)
		return bad(errstr, "not a PROXY header");
	if ((lf = memchr(s, '\n', n < PROXY_V1_MAX ? n : PROXY_V1_MAX)) ==
	    NULL) {
		if (n >= PROXY_V1_MAX)
			return bad(errstr, "PROXY v1: no CRLF within 107 bytes");
		if (memchr(s, '\r', n - 1) != NULL || memchr(s, '\0', n) != NULL)
			return bad(errstr, "PROXY v1: a control character");
		return more(h, PROXY_V1_MAX - n);
	}
	len = (size_t)(lf - s);
	if (len < 6 || s[len - 1] != '\r')
		return bad(errstr, "PROXY v1: a LF without CR");
	h->ph_len = len + 1;
	len--;			/* without the CR */
	p = s + 6;
	len -= 6;
	if (memchr(p, '\r', len) != NULL || memchr(p, '\0', len) != NULL)
		return bad(errstr, "PROXY v1: a control character");
	if (len >= 7 && memcmp(p, "UNKNOWN", 7) == 0 &&
	    (len == 7 || p[7] == ' ')) {
		h->ph_local = 1;
		return PROXY_DONE;
	}
	if (len > 5 && memcmp(p, "TCP4 ", 5) == 0)
		return v1_fields(p + 5, len - 5, AF_INET, h, errstr);
	if (len > 5 && memcmp(p, "TCP6 ", 5) == 0)
		return v1_fields(p + 5, len - 5, AF_INET6, h, errstr);
	return bad(errstr, "PROXY v1: not TCP4, TCP6 or UNKNOWN");
}

/* The addresses of a v2 header over IPv4 or IPv6 (at b + 16). */
static void
v2_addrs(const unsigned char *a, int af, struct proxy_hdr *h)
{
	size_t	 alen = af == AF_INET ? 4 : 16;

	h->ph_family = af;
	inet_ntop(af, a, h->ph_src, sizeof(h->ph_src));
	inet_ntop(af, a + alen, h->ph_dst, sizeof(h->ph_dst));
	h->ph_sport = (unsigned)a[2 * alen] << 8 | a[2 * alen + 1];
	h->ph_dport = (unsigned)a[2 * alen + 2] << 8 | a[2 * alen + 3];
}

/*
 * v2 = signature (12 bytes) ver_cmd fam len(2, big-endian) addresses TLVs
 * ver_cmd: 0x20 LOCAL, 0x21 PROXY; fam: 0x00 unspecified, 0x11 TCP over
 * IPv4 (12 address bytes), 0x21 TCP over IPv6 (36); len counts the
 * addresses and the TLVs after them.
 */
static enum proxy_status
v2(const unsigned char *b, size_t n, struct proxy_hdr *h, const char **errstr)
{
	size_t	 len, need;
	int	 cmd;

	h->ph_version = 2;
	if (memcmp(b, v2_sig, n < 12 ? n : 12) != 0)
		return bad(errstr, "not a PROXY header");
	if (n < PROXY_V2_HEAD)
		return more(h, PROXY_V2_HEAD - n);
	if ((b[12] & 0xf0) != 0x20)
		return bad(errstr, "PROXY v2: not version 2");
	if ((cmd = b[12] & 0x0f) != V2_LOCAL && cmd != V2_PROXY)
		return bad(errstr, "PROXY v2: not LOCAL or PROXY");
	len = (size_t)b[14] << 8 | b[15];
	if (PROXY_V2_HEAD + len > PROXY_V2_MAX)
		return bad(errstr, "PROXY v2: longer than 4096 bytes");
	h->ph_len = PROXY_V2_HEAD + len;
	if (cmd == V2_LOCAL || b[13] == V2_UNSPEC) {
		h->ph_local = 1;
		return PROXY_DONE;
	}
	if (b[13] != V2_TCP4 && b[13] != V2_TCP6)
		return bad(errstr, "PROXY v2: not TCP over IPv4 or IPv6");
	need = b[13] == V2_TCP4 ? 12 : PROXY_V2_ADDR_MAX;
	if (len < need)
		return bad(errstr, "PROXY v2: a length shorter than its "
		    "addresses");
	if (n < PROXY_V2_HEAD + need)
		return more(h, PROXY_V2_HEAD + need - n);
	v2_addrs(b + PROXY_V2_HEAD, b[13] == V2_TCP4 ? AF_INET : AF_INET6, h);
	return PROXY_DONE;
}

/*
 * The header at the start of the n bytes b, told by its first byte:
 * 'P' opens a v1 line, CR the v2 signature, anything else is not one.
 * PROXY_MORE while what came is the start of a header, with ph_more the
 * bytes that may be read next without reading past its end (v1: stop at
 * a LF); PROXY_DONE once parsed (ph_len: the header's length, which for
 * v2 counts TLVs that need not have come yet); PROXY_BAD with a fixed
 * reason in *errstr.
 */
enum proxy_status
proxy_parse(const unsigned char *b, size_t n, struct proxy_hdr *h,
    const char **errstr)
{
	memset(h, 0, sizeof(*h));
	*errstr = NULL;
	if (n == 0)
		return more(h, PROXY_MIN);
	if (b[0] == 'P')
		return v1(b, n, h, errstr);
	if (b[0] == v2_sig[0])
		return v2(b, n, h, errstr);
	return bad(errstr, "not a PROXY header");
}
