#include <sys/stat.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <uriparser/Uri.h>

#include "addr.h"
#include "gemini.h"
#include "utf8.h"

/*
 * request-line = absolute-URI CRLF   ; the URI at most 1024 bytes
 * A bare LF does not end it: we wait for CRLF, the size limit or the
 * deadline.  *len is the length of the line without the CRLF.
 */
enum gemini_scan
gemini_request_end(const char *buf, size_t n, size_t *len)
{
	const char	*p;

	for (p = buf; (p = memchr(p, '\r', n - (size_t)(p - buf))) != NULL;
	    p++) {
		if ((size_t)(p - buf) + 1 < n && p[1] == '\n') {
			*len = (size_t)(p - buf);
			return GEMINI_LINE;
		}
	}
	return n >= GEMINI_URI_MAX + 2 ? GEMINI_TOOLONG : GEMINI_MORE;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Decode %XX escapes of s[0..n) into out (room for n + 1).  Returns the
 * length, or -1 for a broken escape (uriparser has already refused
 * those, so this is a second line of defence).
 */
static ssize_t
pct_decode(const char *s, size_t n, char *out)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
		    (lo = hexval((unsigned char)s[i + 2])) < 0)
			return -1;
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return (ssize_t)o;
}

/*
 * Decoded text must be UTF-8 without control characters (C0, NUL, DEL,
 * C1) or bidi controls.
 */
static int
clean_utf8(const char *s, size_t n)
{
	return utf8_valid(s, n) && !utf8_has_controls(s, n);
}

/*
 * The query of q decoded into out (room for GEMINI_URI_MAX + 1): its
 * length, or -1 when it is not UTF-8 text without control characters.
 */
ssize_t
gemini_query_text(const struct gemini_request *q, char *out)
{
	ssize_t	 len;

	if ((len = pct_decode(q->gr_query, strlen(q->gr_query), out)) == -1 ||
	    !clean_utf8(out, (size_t)len))
		return -1;
	return len;
}

/*
 * A host name as it appears in a URI (percent-encoded or not, U-labels
 * or A-labels, any case) to lowercase A-labels in out.  0, or -1 when it
 * is not a host name.
 */
int
gemini_host_normalise(const char *s, size_t n, char *out, size_t outsz)
{
	char	 dec[GEMINI_URI_MAX + 1], *alabel = NULL;
	ssize_t	 len;
	size_t	 i;
	int	 ascii = 1;

	if (n > GEMINI_URI_MAX || (len = pct_decode(s, n, dec)) <= 0 ||
	    !clean_utf8(dec, (size_t)len))
		return -1;
	for (i = 0; i < (size_t)len; i++)
		if ((unsigned char)dec[i] >= 0x80)
			ascii = 0;
	if (!ascii) {
		if (idn2_lookup_u8((const uint8_t *)dec, (uint8_t **)&alabel,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK)
			return -1;
		len = (ssize_t)strlen(alabel);
		if ((size_t)len >= sizeof(dec)) {
			idn2_free(alabel);
			return -1;
		}
		memcpy(dec, alabel, (size_t)len + 1);
		idn2_free(alabel);
	}
	if (len > 1 && dec[len - 1] == '.')
		dec[--len] = '\0';	/* the root label: "example.org." */
	/* IDNA may map a name to nothing (U+00AD); labels are never empty */
	if (len == 0 || (size_t)len >= outsz || len > 253 || dec[0] == '.' ||
	    dec[len - 1] == '.' || strstr(dec, "..") != NULL)
		return -1;
	for (i = 0; i < (size_t)len; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)dec[i]);

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return -1;
		out[i] = (char)c;
	}
	out[len] = '\0';
	return 0;
}

#define RANGE_LEN(r)	((size_t)((r).afterLast - (r).first))

/*
 * Why uriparser stopped at a printable ASCII character, for the 59 meta
 * (RFC 3986, 2: these are never allowed as they are); the others get
 * the generic reason.
 */
static const char *const bad_char[128] = {
	[' '] = "space in the URL (write it as %20)",
	['"'] = "'\"' in the URL (write it as %22)",
	['<'] = "'<' in the URL (write it as %3C)",
	['>'] = "'>' in the URL (write it as %3E)",
	['\\'] = "'\\' in the URL (write it as %5C)",
	['^'] = "'^' in the URL (write it as %5E)",
	['`'] = "'`' in the URL (write it as %60)",
	['{'] = "'{' in the URL (write it as %7B)",
	['|'] = "'|' in the URL (write it as %7C)",
	['}'] = "'}' in the URL (write it as %7D)",
	['['] = "'[' in the URL outside an IPv6 address (write it as %5B)",
	[']'] = "']' in the URL outside an IPv6 address (write it as %5D)",
	['#'] = "fragment not allowed",
};

#define BAD_ESCAPE	"'%' not followed by two hexadecimal digits"

/* Is every '%' of s[0..n) followed by two hexadecimal digits? */
static int
escapes_ok(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] == '%' && (i + 2 >= n ||
		    hexval((unsigned char)s[i + 1]) < 0 ||
		    hexval((unsigned char)s[i + 2]) < 0))
			return 0;
	return 1;
}

static int
parse_authority(const UriUriA *u, struct gemini_request *r,
    const char **errstr)
{
	size_t	 n = RANGE_LEN(u->hostText), i;
	long	 port = 0;

	if (u->hostText.first == NULL || n == 0) {
		*errstr = "no host";
		return 59;
	}
	if (u->hostData.ip4 != NULL || u->hostData.ip6 != NULL ||
	    u->hostData.ipFuture.first != NULL) {
		if (n + 3 > sizeof(r->gr_host)) {
			*errstr = "IP address too long";
			return 59;
		}
		snprintf(r->gr_host, sizeof(r->gr_host),
		    u->hostData.ip4 ? "%.*s" : "[%.*s]", (int)n,
		    u->hostText.first);
		for (i = 0; r->gr_host[i] != '\0'; i++)
			r->gr_host[i] = (char)tolower((unsigned char)r->gr_host[i]);
	} else if (gemini_host_normalise(u->hostText.first, n, r->gr_host,
	    sizeof(r->gr_host)) == -1) {
		*errstr = "not a valid host name";
		return 59;
	}
	r->gr_port = -1;
	if (u->portText.first != NULL && RANGE_LEN(u->portText) > 0) {
		if (RANGE_LEN(u->portText) > 5) {
			*errstr = "port is not a number from 0 to 65535";
			return 59;
		}
		for (i = 0; i < RANGE_LEN(u->portText); i++)
			port = port * 10 + (u->portText.first[i] - '0');
		if (port > 65535) {
			*errstr = "port is not a number from 0 to 65535";
			return 59;
		}
		r->gr_port = (int)port;
	}
	return 0;
}

/*
 * Path segments are decoded one by one after splitting, so an encoded
 * "/" can never join two segments and an encoded "." or ".." is seen as
 * what it is.  "." and empty segments are dropped; ".." is refused (a
 * client resolves dot segments before sending).  A final "/" (or "/.")
 * is kept: it tells a directory from a file.
 *
 * gemini_path_segment appends segment seg[0 .. n) (percent-encoded) to
 * the path out (at *o; out has room for the encoded path and 2 bytes),
 * *trailing set when it was empty or "."; 0, or 59 with *errstr.  The
 * HTTP parser decodes its paths with it too.
 */
int
gemini_path_segment(const char *seg, size_t len, char *out, size_t *o,
    int *trailing, const char **errstr)
{
	char	 dec[GEMINI_URI_MAX + 1];
	ssize_t	 n;

	if (len > GEMINI_URI_MAX || (n = pct_decode(seg, len, dec)) < 0) {
		*errstr = BAD_ESCAPE;
		return 59;
	}
	if (!utf8_valid(dec, (size_t)n)) {
		*errstr = "path is not UTF-8 once percent-decoded";
		return 59;
	}
	if (utf8_has_controls(dec, (size_t)n)) {
		*errstr = "control character in the path (percent-encoded)";
		return 59;
	}
	*trailing = n == 0 || strcmp(dec, ".") == 0;
	if (*trailing)
		return 0;
	if (strcmp(dec, "..") == 0 || memchr(dec, '/', (size_t)n)) {
		*errstr = n == 2 ? "'..' in the path" :
		    "encoded '/' (%2F) in a path segment";
		return 59;
	}
	out[(*o)++] = '/';
	memcpy(out + *o, dec, (size_t)n);
	*o += (size_t)n;
	return 0;
}

static int
parse_path(const UriUriA *u, struct gemini_request *r, const char **errstr)
{
	const UriPathSegmentA	*seg;
	size_t			 o = 0;
	int			 s, trailing = 0;

	for (seg = u->pathHead; seg != NULL; seg = seg->next)
		if ((s = gemini_path_segment(seg->text.first,
		    RANGE_LEN(seg->text), r->gr_path, &o, &trailing,
		    errstr)) != 0)
			return s;
	if (o == 0 || trailing)
		r->gr_path[o++] = '/';
	r->gr_path[o] = '\0';
	return 0;
}

/*
 * Parse one request line (without its CRLF).  Returns 0, or the status
 * to answer: 59 for a malformed request, 53 for another scheme; the
 * host and port are checked by gemini_host_ok.  *errstr gets one reason
 * per check, fit for the 59 meta ("Bad request: <reason>").
 */
int
gemini_parse(const char *line, size_t len, struct gemini_request *r,
    const char **errstr)
{
	return gemini_parse_scheme(line, len, "gemini", r, errstr);
}

/* gemini_parse for a URL of another scheme (Titan's "titan"). */
int
gemini_parse_scheme(const char *line, size_t len, const char *scheme,
    struct gemini_request *r, const char **errstr)
{
	char		 enc[GEMINI_URI_MAX * 3 + 1];
	const char	*errpos;
	UriUriA		 u;
	int		 s;

	memset(r, 0, sizeof(*r));
	if (len > GEMINI_URI_MAX)
		*errstr = "request longer than 1024 bytes";
	else if (len == 0)
		*errstr = "empty request";
	else if (!utf8_valid(line, len))
		*errstr = "not UTF-8";
	else if (utf8_has_controls(line, len))
		*errstr = "control character in the URL";
	else if (!escapes_ok(line, len))
		*errstr = BAD_ESCAPE;
	else
		*errstr = NULL;
	if (*errstr != NULL)
		return 59;
	*errstr = "not a URL (RFC 3986)";
	addr_pct_encode(line, len, NULL, enc, sizeof(enc));
	if (uriParseSingleUriA(&u, enc, &errpos) != URI_SUCCESS) {
		if (errpos != NULL && (unsigned char)*errpos < 128 &&
		    bad_char[(unsigned char)*errpos] != NULL)
			*errstr = bad_char[(unsigned char)*errpos];
		return 59;
	}
	if (u.scheme.first == NULL) {
		*errstr = "not an absolute URI";
		s = 59;
	} else if (RANGE_LEN(u.scheme) != strlen(scheme) ||
	    strncasecmp(u.scheme.first, scheme, strlen(scheme)) != 0) {
		*errstr = "scheme not served here";
		s = 53;
	} else if (u.userInfo.first != NULL) {
		*errstr = "userinfo not allowed";
		s = 59;
	} else if (u.fragment.first != NULL) {
		*errstr = "fragment not allowed";
		s = 59;
	} else if ((s = parse_authority(&u, r, errstr)) == 0 &&
	    (s = parse_path(&u, r, errstr)) == 0 && u.query.first != NULL) {
		r->gr_has_query = 1;
		snprintf(r->gr_query, sizeof(r->gr_query), "%.*s",
		    (int)RANGE_LEN(u.query), u.query.first);
	}
	uriFreeUriMembersA(&u);
	return s;
}

/* Is the request for one of our names (lowercase A-labels) and port? */
int
gemini_host_ok(const struct gemini_request *r, const char *const *names,
    int port)
{
	size_t	 i;

	if (r->gr_port != -1 && r->gr_port != port)
		return 0;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(r->gr_host, names[i]) == 0)
			return 1;
	return 0;
}

/* "NN META\r\n"; a failure status with no META is just "NN\r\n". */
int
gemini_header(int status, const char *meta, char *out, size_t n)
{
	int	 len;

	if (meta[0] == '\0')
		len = snprintf(out, n, "%02d\r\n", status);
	else
		len = snprintf(out, n, "%02d %s\r\n", status, meta);
	return len < 0 || (size_t)len >= n ? -1 : len;
}
