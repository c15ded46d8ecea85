/*
 * A strict HTTP/1.x request head parser (http.h).  Each rule is checked
 * where RFC 9112 states it; anything a lenient parser would guess at
 * (a folded line, a bare CR or LF, a space before a colon, two Host
 * fields, a body length, a transfer coding) is a 400 here, so no proxy
 * in front can read a request otherwise than capsuled does.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gemini.h"
#include "http.h"

/* tchar (RFC 9110, 5.6.2): the characters of a token. */
static int
tchar(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static size_t
token_len(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && tchar((unsigned char)s[i]); i++)
		;
	return i;
}

/*
 * The head ends at the first empty line after the request line (empty
 * lines before it are skipped, RFC 9112 2.2); LF alone ends a line here
 * so that a head of bare LFs is answered 400 by http_parse, not waited
 * for.  *len: the head's bytes, the empty line's LF included.
 */
enum http_scan
http_request_end(const char *buf, size_t n, size_t *len)
{
	size_t	 i, start = 0;
	int	 seen = 0;	/* a non-empty line */

	for (i = 0; i < n && i < HTTP_HEAD_MAX; i++) {
		if (buf[i] != '\n')
			continue;
		if (i - start == 0 || (i - start == 1 && buf[start] == '\r')) {
			if (seen) {
				*len = i + 1;
				return HTTP_COMPLETE;
			}
		} else
			seen = 1;
		start = i + 1;
	}
	return n >= HTTP_HEAD_MAX ? HTTP_TOOLONG : HTTP_MORE;
}

/* host [":" port] of a Host field or an absolute target, lowercased. */
static int
parse_host(const char *s, size_t n, char *out, size_t outsz)
{
	size_t	 h, i;

	if (n > 0 && s[0] == '[') {
		for (h = 1; h < n && (isxdigit((unsigned char)s[h]) ||
		    s[h] == ':' || s[h] == '.'); h++)
			;
		if (h == n || s[h] != ']')
			return -1;
		h++;
	} else
		for (h = 0; h < n && (isalnum((unsigned char)s[h]) ||
		    strchr("-._~", s[h]) != NULL) && s[h] != '\0'; h++)
			;
	if (h < n && (s[h] != ':' || n - h - 1 > 5))
		return -1;
	for (i = h + 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	if (h >= outsz)
		return -1;
	for (i = 0; i < h; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	if (h > 1 && out[h - 1] == '.')
		h--;		/* the root label: "example.org." */
	out[h] = '\0';
	return 0;
}

/* A field's value (OWS trimmed): VCHAR, obs-text, SP and HTAB only. */
static int
value_ok(const char *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* Does the comma-separated list v hold the token t (any case)? */
static int
has_token(const char *v, size_t n, const char *t)
{
	size_t	 i = 0, k, len = strlen(t);

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		for (k = i; k < n && v[k] != ','; k++)
			;
		while (k > i && (v[k - 1] == ' ' || v[k - 1] == '\t'))
			k--;
		if (k - i == len && strncasecmp(v + i, t, len) == 0)
			return 1;
		while (i < n && v[i] != ',')
			i++;
	}
	return 0;
}

/* What parsing the fields found besides the request's own struct. */
struct fields {
	int		 f_hosts;	/* Host fields */
	int		 f_keepalive;	/* Connection: keep-alive */
	int		 f_length;	/* Content-Length fields */
	const char	*f_body;	/* why the request has a body, or NULL */
};

/*
 * field-line = field-name ":" OWS field-value OWS, name a token right
 * before the colon.  0, or the status with *errstr.
 */
static int
field(const char *l, size_t n, struct http_request *r, struct fields *f,
    const char **errstr)
{
	size_t		 k = token_len(l, n), i;
	const char	*v;

	if (k == 0 || k == n || l[k] != ':') {
		*errstr = k == 0 && n > 0 && (l[0] == ' ' || l[0] == '\t') ?
		    "folded header line (obs-fold)" :
		    "malformed header field";
		return 400;
	}
	v = l + k + 1;
	n -= k + 1;
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (!value_ok(v, n)) {
		*errstr = "control character in a header field";
		return 400;
	}
	if (k == 4 && strncasecmp(l, "host", 4) == 0) {
		if (f->f_hosts++ > 0 || parse_host(v, n, r->hr_host,
		    sizeof(r->hr_host)) == -1) {
			*errstr = f->f_hosts > 1 ? "more than one Host field" :
			    "malformed Host field";
			return 400;
		}
	} else if (k == 17 && strncasecmp(l, "transfer-encoding", 17) == 0) {
		f->f_body = "a body (Transfer-Encoding) on a GET or HEAD";
	} else if (k == 14 && strncasecmp(l, "content-length", 14) == 0) {
		for (i = 0; i < n && isdigit((unsigned char)v[i]); i++)
			;
		if (f->f_length++ > 0 || n == 0 || i < n) {
			*errstr = "malformed or repeated Content-Length";
			return 400;
		}
		for (i = 0; i < n && v[i] == '0'; i++)
			;
		if (i < n)
			f->f_body = "a body (Content-Length) on a GET or HEAD";
	} else if (k == 10 && strncasecmp(l, "connection", 10) == 0) {
		if (has_token(v, n, "close"))
			r->hr_close = 1;
		if (has_token(v, n, "keep-alive"))
			f->f_keepalive = 1;
	} else if (k == 13 && strncasecmp(l, "if-none-match", 13) == 0) {
		r->hr_has_inm = 1;
		if (n < sizeof(r->hr_inm))
			snprintf(r->hr_inm, sizeof(r->hr_inm), "%.*s", (int)n,
			    v);
	} else if (k == 17 && strncasecmp(l, "if-modified-since", 17) == 0) {
		if (http_date_parse(v, n, &r->hr_ims) == -1)
			r->hr_ims = -1;	/* an invalid date is ignored */
	}
	return 0;
}

/*
 * request-target = origin-form | absolute-form ("http://" authority
 * path-abempty), then ["?" query]; no fragment.  Every byte printable
 * ASCII, every "%" two hex digits; the path decoded segment by segment
 * as Gemini's are (gemini_path_segment).
 */
static int
target(const char *t, size_t n, struct http_request *r, const char **errstr)
{
	const char	*q, *seg, *end;
	size_t		 i, o = 0, a;
	int		 trailing = 0, absolute = 0;

	*errstr = "malformed request target";
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f ||
		    t[i] == '#' || (t[i] == '%' && (i + 2 >= n ||
		    !isxdigit((unsigned char)t[i + 1]) ||
		    !isxdigit((unsigned char)t[i + 2]))))
			return 400;
	if (n > 7 && strncasecmp(t, "http://", 7) == 0) {
		for (a = 7; a < n && t[a] != '/' && t[a] != '?'; a++)
			;
		if (memchr(t + 7, '@', a - 7) != NULL || parse_host(t + 7,
		    a - 7, r->hr_host, sizeof(r->hr_host)) == -1 ||
		    r->hr_host[0] == '\0')
			return 400;
		t += a;
		n -= a;
		absolute = 1;	/* its path may be empty: "/" */
	}
	if (!absolute && (n == 0 || t[0] != '/'))
		return 400;
	q = memchr(t, '?', n);
	end = q != NULL ? q : t + n;
	for (seg = t + (t < end); seg < end || (seg == end && seg > t);
	    seg = q + 1) {
		if ((q = memchr(seg, '/', (size_t)(end - seg))) == NULL)
			q = end;
		if (gemini_path_segment(seg, (size_t)(q - seg), r->hr_path, &o,
		    &trailing, errstr) != 0)
			return 400;
	}
	if (o == 0 || trailing)
		r->hr_path[o++] = '/';
	r->hr_path[o] = '\0';
	if (end < t + n) {
		r->hr_has_query = 1;
		snprintf(r->hr_query, sizeof(r->hr_query), "%.*s",
		    (int)(t + n - end - 1), end + 1);
	}
	return 0;
}

/*
 * request-line = method SP request-target SP HTTP-version; the target
 * is parsed after the fields (an absolute one names the host).
 */
static int
request_line(const char *l, size_t n, struct http_request *r,
    const char **t, size_t *tlen, const char **errstr)
{
	size_t		 m = token_len(l, n);
	const char	*sp, *v;

	*errstr = "malformed request line";
	if (m == 0 || m == n || l[m] != ' ' || (sp = memchr(l + m + 1, ' ',
	    n - m - 1)) == NULL || sp == l + m + 1)
		return 400;
	*t = l + m + 1;
	*tlen = (size_t)(sp - *t);
	v = sp + 1;
	if ((size_t)(l + n - v) != 8 || strncmp(v, "HTTP/", 5) != 0 ||
	    !isdigit((unsigned char)v[5]) || v[6] != '.' ||
	    !isdigit((unsigned char)v[7]))
		return 400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) {
		*errstr = "HTTP version not supported";
		return 505;
	}
	r->hr_minor = v[7] - '0';
	if (m == 3 && strncmp(l, "GET", 3) == 0)
		r->hr_method = HTTP_GET;
	else if (m == 4 && strncmp(l, "HEAD", 4) == 0)
		r->hr_method = HTTP_HEAD;
	else
		r->hr_method = HTTP_OTHER;
	if (*tlen > HTTP_TARGET_MAX) {
		*errstr = "request target too long";
		return 414;
	}
	return 0;
}

/*
 * The next line of head[*pos .. len): it must end in CR LF, and hold no
 * other CR or LF.  Its length, or -1.
 */
static ssize_t
next_line(const char *head, size_t len, size_t *pos, const char **line)
{
	const char	*lf;
	size_t		 n;

	*line = head + *pos;
	if ((lf = memchr(*line, '\n', len - *pos)) == NULL ||
	    lf == *line || lf[-1] != '\r')
		return -1;
	n = (size_t)(lf - *line) - 1;
	if (memchr(*line, '\r', n) != NULL)
		return -1;
	*pos += n + 2;
	return (ssize_t)n;
}

/*
 * Parse head[0 .. len) (http_request_end's length).  0, or the status to
 * answer (400, 414, 431, 505) with *errstr; a method other than GET and
 * HEAD parses (hr_method HTTP_OTHER, not persistent if it has a body):
 * its answer, 405, is the caller's.
 */
int
http_parse(const char *head, size_t len, struct http_request *r,
    const char **errstr)
{
	struct fields	 f;
	const char	*l, *t = NULL;
	size_t		 pos = 0, tlen = 0, nfields = 0;
	ssize_t		 n;
	int		 s;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof(f));
	r->hr_ims = -1;
	*errstr = "bare CR or LF, or a line not ending in CR LF";
	while (len - pos >= 2 && head[pos] == '\r' && head[pos + 1] == '\n')
		pos += 2;
	if ((n = next_line(head, len, &pos, &l)) <= 0)
		return 400;
	r->hr_linelen = (size_t)n;
	if ((s = request_line(l, (size_t)n, r, &t, &tlen, errstr)) != 0)
		return s;
	while ((n = next_line(head, len, &pos, &l)) > 0) {
		if (++nfields > HTTP_FIELDS_MAX) {
			*errstr = "too many header fields";
			return 431;
		}
		if ((s = field(l, (size_t)n, r, &f, errstr)) != 0)
			return s;
	}
	*errstr = "bare CR or LF, or a line not ending in CR LF";
	if (n == -1 || pos != len)
		return 400;
	*errstr = "no Host field";
	if (f.f_hosts == 0 && r->hr_minor == 1)
		return 400;
	if (r->hr_minor == 0 && !f.f_keepalive)
		r->hr_close = 1;
	if (r->hr_method == HTTP_OTHER) {
		r->hr_close |= f.f_body != NULL;	/* a body not read */
		return 0;
	}
	if ((*errstr = f.f_body) != NULL)
		return 400;
	return target(t, tlen, r, errstr);
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/*
 * The value of parameter name in a query (application/x-www-form-
 * urlencoded: "&"-separated, "+" a space, %XX a byte) into out: 1, 0
 * when it is not there, -1 when it does not fit.  The bytes are not
 * checked (respond.c refuses what is not UTF-8 text).
 */
int
http_query_param(const char *q, const char *name, char *out, size_t outsz)
{
	size_t	 k = strlen(name), o = 0;

	for (; *q != '\0'; q += strcspn(q, "&"), q += *q == '&') {
		if (strncmp(q, name, k) != 0 || q[k] != '=')
			continue;
		for (q += k + 1; *q != '\0' && *q != '&'; q++) {
			if (o + 1 >= outsz)
				return -1;
			if (*q == '%' && isxdigit((unsigned char)q[1]) &&
			    isxdigit((unsigned char)q[2])) {
				out[o++] = (char)(hexval((unsigned char)q[1]) *
				    16 + hexval((unsigned char)q[2]));
				q += 2;
			} else
				out[o++] = *q == '+' ? ' ' : *q;
		}
		out[o] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Does If-None-Match list (a value as received) match etag (ours, a
 * quoted string)?  "*", or any of its entity tags by the weak
 * comparison (RFC 9110, 8.8.3.2: "W/" does not count).
 */
int
http_etag_match(const char *list, const char *etag)
{
	size_t	 n = strlen(etag), i;

	if (strcmp(list, "*") == 0)
		return 1;
	for (;;) {
		list += strspn(list, " \t,");
		if (*list == '\0')
			return 0;
		if (strncmp(list, "W/", 2) == 0)
			list += 2;
		if (*list != '"')
			return 0;
		for (i = 1; list[i] != '\0' && list[i] != '"'; i++)
			;
		if (list[i] != '"')
			return 0;
		if (i + 1 == n && strncmp(list, etag, n) == 0)
			return 1;
		list += i + 1;
	}
}

static const char *const days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

/* IMF-fixdate (RFC 9110, 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT". */
void
http_date(char *out, size_t n, int64_t t)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year > 9999 - 1900 ||
	    tm.tm_year < 0) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* An IMF-fixdate of n bytes to seconds: 0, or -1 (the obsolete forms
   too: a cache then sends the page again). */
int
http_date_parse(const char *s, size_t n, int64_t *t)
{
	char		 buf[32], day[4], mon[4], gmt[4];
	struct tm	 tm;
	int		 k, used = 0;

	if (n != 29)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(&tm, 0, sizeof(tm));
	if (sscanf(buf, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", day,
	    &tm.tm_mday, mon, &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    gmt, &used) != 8 || used != 29 || strcmp(gmt, "GMT") != 0)
		return -1;
	for (k = 0; k < 12 && strcmp(mon, months[k]) != 0; k++)
		;
	if (k == 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_mon = k;
	tm.tm_year -= 1900;
	*t = (int64_t)timegm(&tm);
	return 0;
}
