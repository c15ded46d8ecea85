/*
 * nex: the request of the Nex protocol (nex://, capsuled(8) NEX): a
 * path and a line end, LF or CR LF.  There is no status and no header:
 * the answer is the document, and the server closes.
 *
 * Example: the request "articles/crepes/\r\n" ends after 16 bytes
 * (nex_request_end) and parses to the path "/articles/crepes/" (a
 * missing leading "/" is added); "/files/with%20space.gmi\n" to
 * "/files/with space.gmi" (escapes are decoded segment by segment);
 * "\n" to "/".  "/files/..\n", "/a%2Fb\n" and "/\xff\n" are refused
 * with a fixed reason ("Bad request: a \"..\" segment" ...), which
 * never repeats a byte of the request.
 *
 * Pure: bytes in, a path or a reason out.  nex_proto.c answers it.
 */
#ifndef NEX_H
#define NEX_H

#include <stddef.h>

/*
 * The longest path read: 1024 bytes, as a Gemini URI, so that the path
 * and its CR LF fill struct exchange's x_req (1026 bytes) exactly.
 */
#define NEX_LINE_MAX		1024
#define NEX_TOOLONG_MSG		"Bad request: longer than 1024 bytes"

enum nex_scan {
	NEX_MORE,	/* no LF yet */
	NEX_LINE,	/* a complete line (or bytes no line can be) */
	NEX_TOOLONG,	/* over NEX_LINE_MAX without LF */
	NEX_TLS,	/* a TLS ClientHello on the plain port */
};

struct nex_request {
	char	 nq_path[NEX_LINE_MAX + 2];	/* decoded, "/a/b/": the line,
						   a leading '/' and a NUL */
};

enum nex_scan nex_request_end(const char *, size_t, size_t *);
int	 nex_parse(const char *, size_t, struct nex_request *,
	    const char **);

#endif
