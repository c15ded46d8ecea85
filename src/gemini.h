/*
 * gemini: requests and responses of the Gemini protocol.
 *
 * Example: the request line "gemini://Caf%C3%A9.example/a/%2e/b/\r\n"
 * parses to host "xn--caf-dma.example", no port, path "/a/b/"; the route
 * for path "/articles/crepes.gmi" is a response {20, "text/gemini;
 * charset=utf-8", body}, serialised as "20 text/gemini; charset=utf-8\r\n"
 * followed by the body.
 *
 * Parsing is a pure function of the request's bytes.  Routing is not
 * pure: it reads files and directories of the capsule (only through the
 * snapshot, never by path) and renders articles from their sources.
 * Neither touches a socket.
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

struct snapshot;
struct mime;

struct gemini_request {
	char	 gr_host[GEMINI_HOST_MAX];	/* lowercase A-labels, or an
						   IP literal as written */
	int	 gr_port;			/* -1 when none given */
	char	 gr_path[GEMINI_URI_MAX + 2];	/* decoded, "/a/b/" */
	char	 gr_query[GEMINI_URI_MAX + 1];	/* raw, without "?" */
	int	 gr_has_query;
};

struct response {
	int	 rs_status;			/* 20, 31, 51, 53, 59 ... */
	char	 rs_meta[GEMINI_META_MAX + 1];
	struct buf rs_body;			/* generated body, owned */
	const char *rs_data;			/* or a cached body, borrowed
						   from the snapshot */
	size_t	 rs_len;
	int	 rs_fd;				/* or a file to stream, -1 */
	off_t	 rs_size;			/* its size */
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
int	 gemini_host_ok(const struct gemini_request *, const char *const *,
	    int);
void	 gemini_route(const struct gemini_request *, struct snapshot *,
	    struct mime *, struct response *);
void	 response_init(struct response *);
void	 response_free(struct response *);
void	 response_set(struct response *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	 gemini_header(const struct response *, char *, size_t);
void	 gemini_pct_encode(const char *, size_t, const char *, char *,
	    size_t);
ssize_t	 gemini_query_text(const struct gemini_request *, char *);
int	 gemini_host_normalise(const char *, size_t, char *, size_t);

#endif
