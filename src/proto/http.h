/*
 * http: a small, strict parser of HTTP/1.1 and 1.0 request heads (RFC
 * 9110, 9112), for the HTML mirror; GET and HEAD are all it serves.
 *
 * Example: the head
 *   "GET /articles/Caf%C3%A9.html?x=1 HTTP/1.1\r\nHost: Example.org:8080\r\n
 *    If-None-Match: \"abc\"\r\n\r\n"
 * parses to method HTTP_GET, version 1.1, path "/articles/Café.html"
 * (decoded as Gemini's are: ".." or an encoded "/" is refused), query
 * "x=1", host "example.org" (the port is not kept: behind a proxy it is
 * the proxy's), If-None-Match "\"abc\"", persistent.  A head that breaks
 * a rule gets the status to answer: 400 (no Host in 1.1, two Host
 * fields, a folded line, a bare CR or LF, Transfer-Encoding, a body, a
 * bad target), 414, 431 (past HTTP_HEAD_MAX), 505.
 *
 * Pure: bytes in, a struct out; it never reads a socket (http_proto.c
 * does the rest).  Fields it does not know are checked and skipped;
 * X-Forwarded-* and Forwarded are never trusted.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Request line, header fields and the empty line: past this, 431. */
#define HTTP_HEAD_MAX		8192
/* A request target: past this, 414 (no capsule path is longer). */
#define HTTP_TARGET_MAX		1024
/* An If-None-Match we look at (longer: no match, the page is sent). */
#define HTTP_INM_MAX		256
/* Header fields in a head. */
#define HTTP_FIELDS_MAX		100

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER,	/* any other token: 405 */
};

/* Where a head ends (http_request_end). */
enum http_scan {
	HTTP_MORE,	/* no empty line yet, within HTTP_HEAD_MAX */
	HTTP_COMPLETE,	/* *len bytes, the empty line included */
	HTTP_TOOLONG,	/* past HTTP_HEAD_MAX without it: 431 */
};

struct http_request {
	enum http_method hr_method;
	int		 hr_minor;		/* HTTP/1.<minor>: 0 or 1 */
	size_t		 hr_linelen;		/* the request line's bytes */
	char		 hr_path[HTTP_TARGET_MAX + 2]; /* decoded, "/a/b/" */
	char		 hr_query[HTTP_TARGET_MAX + 1]; /* raw, without "?" */
	int		 hr_has_query;
	char		 hr_host[256];		/* lowercase, no port; "" none */
	char		 hr_inm[HTTP_INM_MAX + 1]; /* If-None-Match, or "" */
	int		 hr_has_inm;
	int64_t		 hr_ims;		/* If-Modified-Since, or -1 */
	int		 hr_close;		/* not persistent after this */
};

enum http_scan	 http_request_end(const char *, size_t, size_t *);
int		 http_parse(const char *, size_t, struct http_request *,
		    const char **);
int		 http_query_param(const char *, const char *, char *, size_t);
int		 http_etag_match(const char *, const char *);
int		 http_date_parse(const char *, size_t, int64_t *);
void		 http_date(char *, size_t, int64_t);

#endif
