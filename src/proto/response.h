/*
 * response: the answer to a request, decided as data before a byte is
 * sent, in no protocol's terms: an outcome (with the reason of a
 * failure) and a body.  Each protocol frames it through its own table
 * (proto.h): Gemini turns OUT_NOT_FOUND into "51 Not found", Gopher into
 * a type-3 error menu.
 *
 * Example: an article found is {OUT_OK, meta "text/gemini;
 * charset=utf-8; lang=fr", rs_data borrowed from the snapshot's cache};
 * a page being rebuilt is {OUT_UNAVAILABLE, REASON_UPDATING}; a
 * directory without its slash is {OUT_REDIRECT, meta "/images/"}.
 */
#ifndef RESPONSE_H
#define RESPONSE_H

#include <sys/types.h>

#include <stddef.h>

#include "buf.h"

/* A META longer than this breaks older Gemini clients. */
#define RESPONSE_META_MAX	1024

enum outcome {
	OUT_NONE,		/* not decided yet */
	OUT_OK,			/* rs_meta: the media type */
	OUT_INPUT,		/* rs_meta: the prompt */
	OUT_REDIRECT,		/* rs_meta: the path (decoded) to go to */
	OUT_NOT_FOUND,
	OUT_UNAVAILABLE,	/* for now: try again */
	OUT_BAD_REQUEST,	/* rs_meta: what was wrong, when known */
	OUT_REFUSED,		/* not a host or port served here */
	OUT_SLOW_DOWN,		/* too many connections from the address */
	NUM_OUTCOMES
};

/* Why a request failed, for the protocols' own wording of it. */
enum reason {
	REASON_NONE,
	REASON_UPDATING,	/* the article is being rebuilt */
	REASON_NO_SEARCH,	/* the text index could not be built */
	REASON_BAD_QUERY,	/* search words that are not UTF-8 text */
	REASON_SOURCE,		/* an article's source file (Gopher) */
	REASON_NO_MEMORY,
	NUM_REASONS
};

struct response {
	enum outcome	 rs_outcome;
	enum reason	 rs_reason;
	int		 rs_status;	/* the protocol's own, for the log */
	char		 rs_meta[RESPONSE_META_MAX + 1];
	struct buf	 rs_body;	/* generated body, owned */
	const char	*rs_data;	/* or a cached body, borrowed from the
					   snapshot */
	size_t		 rs_len;
	int		 rs_fd;		/* or a file to stream, -1 */
	off_t		 rs_size;	/* its size */
};

/*
 * How a protocol with a status line numbers the outcomes (Gemini's 51,
 * Spartan's 4 for OUT_NOT_FOUND), for response_frame; the words are the
 * same for all ("Not found").
 */
struct status_line {
	int		 sl_code[NUM_OUTCOMES];
	int		 sl_ok;		/* the status a body goes with */
	int		(*sl_header)(int, const char *, char *, size_t);
};

void	 response_init(struct response *);
void	 response_free(struct response *);
void	 response_set(struct response *, enum outcome, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 response_fail(struct response *, enum outcome, enum reason);
void	 response_drop_body(struct response *);
void	 response_frame(struct response *, const struct status_line *,
	    const char *, char *, size_t);

#endif
