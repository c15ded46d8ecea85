#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "response.h"

/* Each field but the kilobyte of rs_meta, of which only the end is set. */
void
response_init(struct response *r)
{
	r->rs_outcome = OUT_NONE;
	r->rs_reason = REASON_NONE;
	r->rs_status = 0;
	r->rs_meta[0] = '\0';
	buf_init(&r->rs_body);
	r->rs_data = NULL;
	r->rs_len = 0;
	r->rs_fd = -1;
	r->rs_size = 0;
}

/* Whatever body was decided goes: generated, borrowed or a file. */
void
response_drop_body(struct response *r)
{
	buf_reset(&r->rs_body);
	r->rs_data = NULL;
	r->rs_len = 0;
	if (r->rs_fd != -1)
		close(r->rs_fd);
	r->rs_fd = -1;
}

void
response_free(struct response *r)
{
	buf_free(&r->rs_body);
	if (r->rs_fd != -1)
		close(r->rs_fd);
	r->rs_fd = -1;
}

void
response_set(struct response *r, enum outcome o, const char *fmt, ...)
{
	va_list	 ap;

	r->rs_outcome = o;
	r->rs_reason = REASON_NONE;
	va_start(ap, fmt);
	vsnprintf(r->rs_meta, sizeof(r->rs_meta), fmt, ap);
	va_end(ap);
}

/* A failure: no body, the protocol words it from o and why. */
void
response_fail(struct response *r, enum outcome o, enum reason why)
{
	response_drop_body(r);
	r->rs_outcome = o;
	r->rs_reason = why;
	r->rs_meta[0] = '\0';
}

/*
 * The META of a status line: of each outcome that has no meta of its own
 * (rs_meta: a media type, a path, a message), and of each reason, first.
 */
static const char *const metas[NUM_OUTCOMES] = {
	[OUT_NONE] =		"Temporary failure",
	[OUT_NOT_FOUND] =	"Not found",
	[OUT_UNAVAILABLE] =	"Temporary failure",
	[OUT_SLOW_DOWN] =	"Slow down: too many connections from your "
	    "address",
};

static const char *const reasons[NUM_REASONS] = {
	[REASON_UPDATING] = "Temporary failure: the article is being updated",
	[REASON_NO_SEARCH] = "Temporary failure: search is not available",
	[REASON_BAD_QUERY] = "Bad request: the query must be UTF-8 text "
	    "without control characters",
};

/*
 * r as a status-line protocol l says it: rs_status, and the status line
 * in head (room for n).  Any body goes unless the status is sl_ok.  A
 * redirect's path (rs_meta, decoded) is percent-encoded after base
 * ("gemini://host", or "" for a path): Not found when the META would be
 * longer than RESPONSE_META_MAX.  A line that does not fit in head is
 * OUT_UNAVAILABLE's.
 */
void
response_frame(struct response *r, const struct status_line *l,
    const char *base, char *head, size_t n)
{
	char		 enc[RESPONSE_META_MAX * 3 + 1];
	const char	*m;

	if (r->rs_outcome == OUT_REDIRECT) {
		addr_pct_encode(r->rs_meta, strlen(r->rs_meta),
		    ADDR_PATH_CHARS, enc, sizeof(enc));
		if (snprintf(r->rs_meta, sizeof(r->rs_meta), "%s%s", base,
		    enc) >= (int)sizeof(r->rs_meta))
			response_fail(r, OUT_NOT_FOUND, REASON_NONE);
	}
	m = reasons[r->rs_reason] != NULL ? reasons[r->rs_reason] :
	    metas[r->rs_outcome] != NULL ? metas[r->rs_outcome] : r->rs_meta;
	r->rs_status = l->sl_code[r->rs_outcome];
	if (r->rs_status != l->sl_ok)
		response_drop_body(r);
	if (l->sl_header(r->rs_status, m, head, n) == -1) {
		response_fail(r, OUT_UNAVAILABLE, REASON_NONE);
		r->rs_status = l->sl_code[OUT_UNAVAILABLE];
		l->sl_header(r->rs_status, metas[OUT_UNAVAILABLE], head, n);
	}
}
