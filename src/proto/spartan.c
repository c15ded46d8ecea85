#include <stdio.h>
#include <string.h>

#include "gemini.h"
#include "spartan.h"

/*
 * request        = request-line data
 * request-line   = host SP path SP content-length CRLF
 * path           = "/" ... [ "?" query ]   ; percent-encoded, as in URLs
 * content-length = 1*DIGIT                 ; at most SPARTAN_DATA_MAX
 * data           = content-length bytes
 */

/* Host and path are read as the URL GEMINI_PREFIX HOST PATH. */
#define GEMINI_PREFIX		"gemini://"
#define GEMINI_PREFIX_LEN	(sizeof(GEMINI_PREFIX) - 1)

_Static_assert(SPARTAN_DATA_MAX == 1024 && SPARTAN_LINE_MAX == 1024,
    "the messages below spell the limits out");

/* A request line's fields, into the line. */
struct line {
	const char	*l_host;
	size_t		 l_hostlen;
	const char	*l_path;
	size_t		 l_pathlen;
	size_t		 l_datalen;	/* announced */
};

/*
 * The content length s[0 .. n): only digits (no sign, space or
 * exponent), at most SPARTAN_DATA_MAX however many digits say more.
 */
static int
content_length(const char *s, size_t n, size_t *v, const char **errstr)
{
	size_t	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		if (*v <= SPARTAN_DATA_MAX)
			*v = *v * 10 + (size_t)(s[i] - '0');
	}
	if (n == 0 || i < n) {
		*errstr = "the length is not a decimal number";
		return -1;
	}
	if (*v > SPARTAN_DATA_MAX) {
		*errstr = "more than 1024 bytes of data";
		return -1;
	}
	return 0;
}

/* The line s[0 .. n), without its CRLF, in its three fields. */
static int
split(const char *s, size_t n, struct line *l, const char **errstr)
{
	const char	*sp1, *sp2, *end = s + n;

	if ((sp1 = memchr(s, ' ', n)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL ||
	    memchr(sp2 + 1, ' ', (size_t)(end - sp2 - 1)) != NULL) {
		*errstr = "the request line is not HOST SP PATH SP LENGTH";
		return -1;
	}
	l->l_host = s;
	l->l_hostlen = (size_t)(sp1 - s);
	l->l_path = sp1 + 1;
	l->l_pathlen = (size_t)(sp2 - sp1 - 1);
	return content_length(sp2 + 1, (size_t)(end - sp2 - 1), &l->l_datalen,
	    errstr);
}

/*
 * Is the request in buf[0 .. n) all here?  *len is then its length: the
 * line, its CRLF and the data announced (SPARTAN_COMPLETE), or the line
 * and its line end when they are wrong however the data goes on
 * (SPARTAN_BAD_LINE: a bare LF, a bad length, too much data).  A first
 * byte 0x16 is a TLS ClientHello.
 */
enum spartan_scan
spartan_request_end(const char *buf, size_t n, size_t *len)
{
	const char	*lf, *errstr;
	struct line	 l;

	if (n > 0 && buf[0] == 0x16)
		return SPARTAN_TLS;
	lf = memchr(buf, '\n', n < SPARTAN_LINE_MAX + 2 ? n :
	    SPARTAN_LINE_MAX + 2);
	if (lf == NULL)
		return n >= SPARTAN_LINE_MAX + 2 ? SPARTAN_TOOLONG :
		    SPARTAN_MORE;
	*len = (size_t)(lf - buf) + 1;
	if (lf == buf || lf[-1] != '\r' ||
	    split(buf, *len - 2, &l, &errstr) == -1)
		return SPARTAN_BAD_LINE;
	if (n - *len < l.l_datalen)
		return SPARTAN_MORE;
	*len += l.l_datalen;
	return SPARTAN_COMPLETE;
}

/* Bytes that would move the host into another part of the URL. */
static int
host_ok(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr("/?#@\\", s[i]) != NULL)
			return 0;
	return n > 0;
}

/*
 * Parse the request buf[0 .. n): its line, then its data, which must
 * all be there.  0, or -1 with one reason per check in *errstr, fit for
 * the 4 meta ("Bad request: <reason>").  r->sr_linelen is set as soon
 * as the line end is found, for the log.
 */
int
spartan_parse(const char *buf, size_t n, struct spartan_request *r,
    const char **errstr)
{
	char		 url[GEMINI_URI_MAX + 1];
	const char	*lf;
	struct line	 l;
	size_t		 len;

	memset(r, 0, sizeof(*r));
	if ((lf = memchr(buf, '\n', n)) == NULL) {
		r->sr_linelen = n;
		*errstr = n > SPARTAN_LINE_MAX ? "request line longer than "
		    "1024 bytes" : "request line without CRLF";
		return -1;
	}
	r->sr_linelen = len = (size_t)(lf - buf);
	if (len == 0 || lf[-1] != '\r') {
		*errstr = "request line without CRLF (a bare LF)";
		return -1;
	}
	r->sr_linelen = --len;
	if (len > SPARTAN_LINE_MAX) {
		*errstr = "request line longer than 1024 bytes";
		return -1;
	}
	if (split(buf, len, &l, errstr) == -1)
		return -1;
	if (n - len - 2 < l.l_datalen) {
		*errstr = "less data than the length announced";
		return -1;
	}
	if (l.l_hostlen == 0) {
		*errstr = "no host";
		return -1;
	}
	if (!host_ok(l.l_host, l.l_hostlen)) {
		*errstr = "not a valid host name";
		return -1;
	}
	if (l.l_pathlen == 0 || l.l_path[0] != '/') {
		*errstr = "the path does not start with '/'";
		return -1;
	}
	if (GEMINI_PREFIX_LEN + l.l_hostlen + l.l_pathlen > GEMINI_URI_MAX) {
		*errstr = "host and path longer than a URL may be";
		return -1;
	}
	/* the URL with every byte as it came: NUL included, which it refuses */
	memcpy(url, GEMINI_PREFIX, GEMINI_PREFIX_LEN);
	memcpy(url + GEMINI_PREFIX_LEN, l.l_host, l.l_hostlen);
	memcpy(url + GEMINI_PREFIX_LEN + l.l_hostlen, l.l_path, l.l_pathlen);
	if (gemini_parse(url, GEMINI_PREFIX_LEN + l.l_hostlen + l.l_pathlen,
	    &r->sr_url, errstr) != 0)
		return -1;
	r->sr_data = l.l_datalen > 0 ? buf + len + 2 : NULL;
	r->sr_datalen = l.l_datalen;
	return 0;
}

/* "S META\r\n": -1 when it does not fit in out[0 .. n). */
int
spartan_header(int status, const char *meta, char *out, size_t n)
{
	int	 len = snprintf(out, n, "%d %s\r\n", status, meta);

	return len < 0 || (size_t)len >= n ? -1 : len;
}
