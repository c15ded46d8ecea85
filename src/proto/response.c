#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
