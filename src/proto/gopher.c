#include <string.h>

#include "gemini.h"
#include "gopher.h"
#include "utf8.h"

/*
 * request = selector [TAB search [TAB gopher-plus]] (CR LF / LF)
 * Only the first line counts (curl decodes %0D%0A into the request).
 * A request that starts with 0x16 is a TLS ClientHello: we close.  (A
 * connection whose first byte is 0x16 gets TLS, proto.h; this is one
 * that sends another ClientHello inside it.)
 */
enum gopher_scan
gopher_request_end(const char *buf, size_t n, size_t *len)
{
	const char	*lf;

	if (n > 0 && buf[0] == 0x16)
		return GOPHER_TLS;
	if ((lf = memchr(buf, '\n', n)) != NULL) {
		*len = (size_t)(lf - buf);
		if (*len > 0 && buf[*len - 1] == '\r')
			(*len)--;
		return *len > GOPHER_LINE_MAX ? GOPHER_TOOLONG : GOPHER_LINE;
	}
	return n > GOPHER_LINE_MAX ? GOPHER_TOOLONG : GOPHER_MORE;
}

static int
is_http(const char *s, size_t n)
{
	static const char *const methods[] = { "GET ", "HEAD ", "POST ",
	    "PUT ", "OPTIONS ", "CONNECT " };
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (n > strlen(methods[i]) && strncmp(s, methods[i],
		    strlen(methods[i])) == 0 && memmem(s, n, " HTTP/", 6))
			return 1;
	return 0;
}

/*
 * The selector, checked and normalised: UTF-8 without control bytes and
 * without "%" (we never decode escapes, so none may hide a "/" or ".."),
 * no ".." segment and no segment starting with "."; empty segments are
 * dropped, a leading "/" added, a trailing "/" kept.
 */
static int
clean_selector(const char *s, size_t n, char *out, const char **errstr)
{
	size_t	 i = 0, o = 0, seg;
	int	 trailing = 0;

	if (memchr(s, '%', n) != NULL) {
		*errstr = "Escapes are not allowed in selectors";
		return -1;
	}
	if (!utf8_valid(s, n)) {
		*errstr = "Selector is not UTF-8";
		return -1;
	}
	if (utf8_has_controls(s, n)) {
		*errstr = "Control character in selector";
		return -1;
	}
	while (i < n) {
		for (seg = i; seg < n && s[seg] != '/'; seg++)
			;
		trailing = seg == n ? 0 : 1;
		if (seg > i && s[i] == '.') {
			*errstr = seg - i == 2 && s[i + 1] == '.' ?
			    "Bad selector" : "Not found";
			return -1;
		}
		if (seg > i) {
			out[o++] = '/';
			memcpy(out + o, s + i, seg - i);
			o += seg - i;
		}
		i = seg + 1;
	}
	if (o == 0 || trailing)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

void
gopher_parse(const char *line, size_t len, struct gopher_request *r,
    const char **errstr)
{
	const char	*tab = memchr(line, '\t', len), *q, *qend;
	size_t		 n = tab ? (size_t)(tab - line) : len;

	memset(r, 0, sizeof(*r));
	r->gq_kind = GQ_SELECTOR;
	if (is_http(line, len)) {
		r->gq_kind = GQ_HTTP;
		return;
	}
	if (n >= 4 && strncmp(line, "URL:", 4) == 0 && n < sizeof(r->gq_sel)) {
		r->gq_kind = GQ_URL;
		memcpy(r->gq_sel, line + 4, n - 4);
		return;
	}
	if (clean_selector(line, n, r->gq_sel, errstr) == -1) {
		r->gq_kind = GQ_BAD;
		r->gq_err = *errstr;
		return;
	}
	if (tab == NULL)
		return;
	q = tab + 1;
	qend = memchr(q, '\t', len - (size_t)(q - line));
	if (qend == NULL)
		qend = line + len;
	/* a lone Gopher+ marker ("+", "$", "!") is not a search */
	if ((size_t)(qend - q) == 1 && strchr("+$!", *q))
		return;
	r->gq_has_query = 1;
	memcpy(r->gq_query, q, (size_t)(qend - q));
}
