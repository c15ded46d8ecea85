/*
 * gemini: requests and responses of the Gemini protocol.
 *
 * Example: the request line "gemini://Caf%C3%A9.example/a/%2e/b/\r\n"
 * parses to host "xn--caf-dma.example", no port, path "/a/b/";
 * gemini_header(20, "text/gemini; charset=utf-8", ...) writes
 * "20 text/gemini; charset=utf-8\r\n".  Routing is the router's and
 * the adapter's (router.h, gemini_proto.c).
 *
 * Pure functions of their inputs: they never touch a socket.
 */
#ifndef GEMINI_H
#define GEMINI_H

#include <sys/types.h>

#include <stddef.h>

#include "buf.h"

/* The longest URI a request may carry (the CRLF is not counted). */
#define GEMINI_URI_MAX		1024
/* A META longer than this breaks older clients. */
#define GEMINI_META_MAX		1024
/* Host names: 253 characters of A-labels, and a NUL. */
#define GEMINI_HOST_MAX		256


struct gemini_request {
	char	 gr_host[GEMINI_HOST_MAX];	/* lowercase A-labels, or an
						   IP literal as written */
	int	 gr_port;			/* -1 when none given */
	char	 gr_path[GEMINI_URI_MAX + 2];	/* decoded, "/a/b/" */
	char	 gr_query[GEMINI_URI_MAX + 1];	/* raw, without "?" */
	int	 gr_has_query;
};


/* Where the request line ends; see gemini_request_end. */
enum gemini_scan {
	GEMINI_MORE,	/* no CRLF yet, still within the limit */
	GEMINI_LINE,	/* a complete line */
	GEMINI_TOOLONG,	/* over the limit without CRLF */
};

enum gemini_scan gemini_request_end(const char *, size_t, size_t *);
int	 gemini_parse(const char *, size_t, struct gemini_request *,
	    const char **);
int	 gemini_parse_scheme(const char *, size_t, const char *,
	    struct gemini_request *, const char **);
int	 gemini_host_ok(const struct gemini_request *, const char *const *,
	    int);
int	 gemini_header(int, const char *, char *, size_t);
ssize_t	 gemini_query_text(const struct gemini_request *, char *);
int	 gemini_host_normalise(const char *, size_t, char *, size_t);
int	 gemini_path_segment(const char *, size_t, char *, size_t *, int *,
	    const char **);

#endif
