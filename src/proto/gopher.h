/*
 * gopher: requests and responses of the Gopher protocol (RFC 1436).
 *
 * Example: the request "articles/crepes/\t+\r\n" parses to the selector
 * "/articles/crepes/" (a missing leading "/" is added, the Gopher+ tail
 * is dropped) and routes to the article's menu; "/../etc/passwd\r\n"
 * gets the one-line error menu
 *   3Bad selector\t\terror.host\t1\r\n.\r\n
 *
 * Parsing is a pure function of the request's bytes.  Routing is not
 * pure: it reads files and directories of the capsule (only through the
 * snapshot, never by path) and renders articles from their sources.
 * Neither touches a socket.
 */
#ifndef GOPHER_H
#define GOPHER_H

#include <stddef.h>

/* The longest request line read (RFC 1436 selectors are <= 255). */
#define GOPHER_LINE_MAX		1024

struct response;

enum gopher_scan {
	GOPHER_MORE,	/* no LF yet */
	GOPHER_LINE,	/* a complete line */
	GOPHER_TOOLONG,	/* over the limit without LF */
	GOPHER_TLS,	/* a TLS ClientHello as the request */
};

enum gopher_kind {
	GQ_SELECTOR,	/* an ordinary selector */
	GQ_URL,		/* "URL:..." (an h item followed by a client) */
	GQ_HTTP,	/* an HTTP request on the Gopher port */
	GQ_BAD,		/* refused: the reason is in *errstr */
};

struct gopher_request {
	enum gopher_kind gq_kind;
	const char	*gq_err;			/* why GQ_BAD (static) */
	char	 gq_sel[GOPHER_LINE_MAX + 3];	/* "/a/b/", or the URL: the
						   line, a '/' and a NUL */
	char	 gq_query[GOPHER_LINE_MAX + 1];	/* after the TAB */
	int	 gq_has_query;
};

enum gopher_scan gopher_request_end(const char *, size_t, size_t *);
void	 gopher_parse(const char *, size_t, struct gopher_request *,
	    const char **);
void	 gopher_error(struct response *, const char *);
char	 gopher_type(const char *, int);

#endif
