/*
 * spartan: requests and responses of the Spartan protocol (capsuled(8),
 * SPARTAN).
 *
 * Example: the request "example.org /search 5\r\nhello" parses to host
 * "example.org", no port, path "/search", no query and the 5 bytes of
 * data "hello"; "Example.org /a%20b/?x%20y 0\r\n" to host "example.org",
 * path "/a b/" and the raw query "x%20y".  Host and path are read as the
 * Gemini URL "gemini://HOST" PATH would be (gemini.h): the same IDN
 * hosts, percent-decoding and refusals ("..", "%2F", control characters,
 * bytes that are not UTF-8).  spartan_header(3, "/dir/", ...) writes
 * "3 /dir/\r\n".  Routing is the router's and the adapter's (router.h,
 * spartan_proto.c).
 *
 * Pure functions of their inputs: they never touch a socket.
 */
#ifndef SPARTAN_H
#define SPARTAN_H

#include <stddef.h>

#include "gemini.h"

/*
 * The longest request line without its CRLF: a host and a path as long
 * as a Gemini URL may be, and the length.
 */
#define SPARTAN_LINE_MAX	1024
/* The most data a request may announce: search words, not uploads. */
#define SPARTAN_DATA_MAX	1024
/* What the server reads of a request at most before it answers. */
#define SPARTAN_REQUEST_MAX	(SPARTAN_LINE_MAX + 2 + SPARTAN_DATA_MAX)

/* Where a request stands; see spartan_request_end. */
enum spartan_scan {
	SPARTAN_MORE,		/* the line or its data is not all here */
	SPARTAN_COMPLETE,	/* the line and all the data it announces */
	SPARTAN_BAD_LINE,	/* a line whose data is not worth waiting for */
	SPARTAN_TOOLONG,	/* over SPARTAN_LINE_MAX without a line end */
	SPARTAN_TLS,		/* a TLS ClientHello on the plain port */
};

struct spartan_request {
	struct gemini_request sr_url;	/* host, port (-1), path, query */
	size_t		 sr_linelen;	/* the request line without CRLF */
	const char	*sr_data;	/* into the request, or NULL */
	size_t		 sr_datalen;	/* as announced, all of it read */
};

enum spartan_scan spartan_request_end(const char *, size_t, size_t *);
int	 spartan_parse(const char *, size_t, struct spartan_request *,
	    const char **);
int	 spartan_header(int, const char *, char *, size_t);

#endif
