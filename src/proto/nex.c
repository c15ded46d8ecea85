#include <string.h>

#include "nex.h"
#include "utf8.h"

/*
 * request = [path] (LF / CR LF)
 * The line ends at the first LF, a CR before it dropped.  A request
 * that starts with 0x16 is a TLS ClientHello: we close.  An empty line
 * with more bytes behind it is no Nex client's (the PROXY v2 signature
 * starts CR LF CR LF): everything read (up to NEX_LINE_MAX bytes) is
 * then the request, which nex_parse refuses for its CR and LF.
 * Without LF, a request is too long once it holds more than a path of
 * NEX_LINE_MAX bytes and its CR.
 */
enum nex_scan
nex_request_end(const char *buf, size_t n, size_t *len)
{
	const char	*lf;

	if (n > 0 && buf[0] == 0x16)
		return NEX_TLS;
	if ((lf = memchr(buf, '\n', n)) != NULL) {
		*len = (size_t)(lf - buf);
		if (*len > 0 && buf[*len - 1] == '\r')
			(*len)--;
		if (*len > NEX_LINE_MAX)
			return NEX_TOOLONG;
		if (*len == 0 && (size_t)(lf - buf) + 1 < n)
			*len = n < NEX_LINE_MAX ? n : NEX_LINE_MAX;
		return NEX_LINE;
	}
	*len = n;
	if (n > NEX_LINE_MAX + 1 ||
	    (n == NEX_LINE_MAX + 1 && buf[NEX_LINE_MAX] != '\r'))
		return NEX_TOOLONG;
	return NEX_MORE;
}

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * segment = *( byte / "%" HEXDIG HEXDIG ), decoded onto out at *o; an
 * escape that decodes to "/" would make a separator no client sent:
 * refused.  0, or -1 with the reason.
 */
static int
decode_segment(const char *s, size_t n, char *out, size_t *o,
    const char **errstr)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[(*o)++] = s[i];
			continue;
		}
		if (n - i < 3 || (hi = hex(s[i + 1])) == -1 ||
		    (lo = hex(s[i + 2])) == -1) {
			*errstr = "Bad request: a bad %-escape";
			return -1;
		}
		if (hi * 16 + lo == '/') {
			*errstr = "Bad request: an encoded \"/\"";
			return -1;
		}
		out[(*o)++] = (char)(hi * 16 + lo);
		i += 2;
	}
	return 0;
}

/*
 * path = ["/"] segment *("/" segment)
 * Each segment is decoded on its own; the decoded path must be UTF-8
 * without control characters (NUL, CR, TAB, C1, bidi controls).  A ".."
 * segment is refused; one starting with "." is not found (names that
 * start with "." are never served).  Empty segments are dropped, a
 * leading "/" is added, a trailing "/" (a directory) kept.
 */
int
nex_parse(const char *line, size_t len, struct nex_request *q,
    const char **errstr)
{
	char	*out = q->nq_path;
	size_t	 i = 0, o = 0, seg, start;
	int	 trailing = 0;

	memset(q, 0, sizeof(*q));
	if (len > NEX_LINE_MAX) {
		*errstr = NEX_TOOLONG_MSG;
		return -1;
	}
	while (i < len) {
		for (seg = i; seg < len && line[seg] != '/'; seg++)
			;
		trailing = seg < len;
		if (seg > i) {
			out[o++] = '/';
			start = o;
			if (decode_segment(line + i, seg - i, out, &o,
			    errstr) == -1)
				return -1;
			if (o - start == 2 && out[start] == '.' &&
			    out[start + 1] == '.') {
				*errstr = "Bad request: a \"..\" segment";
				return -1;
			}
			if (o > start && out[start] == '.') {
				*errstr = "Not found";
				return -1;
			}
		}
		i = seg + 1;
	}
	if (o == 0 || trailing)
		out[o++] = '/';
	out[o] = '\0';
	if (!utf8_valid(out, o)) {
		*errstr = "Bad request: the path is not UTF-8";
		return -1;
	}
	if (utf8_has_controls(out, o)) {
		*errstr = "Bad request: a control character in the path";
		return -1;
	}
	return 0;
}
