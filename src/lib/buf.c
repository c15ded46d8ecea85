#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_free(struct buf *b)
{
	free(b->b_data);
	buf_init(b);
}

/* Keep the allocation, forget the contents (and any failure). */
void
buf_reset(struct buf *b)
{
	b->b_len = 0;
	b->b_failed = 0;
	if (b->b_data != NULL)
		b->b_data[0] = '\0';
}

/* Make room for n more bytes plus the NUL. */
int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->b_failed)
		return -1;
	if (n < b->b_cap - b->b_len && b->b_data != NULL)
		return 0;
	if (n > ((size_t)-1) / 2 - b->b_len)
		goto fail;
	cap = b->b_cap ? b->b_cap : 256;
	while (cap - b->b_len <= n)
		cap *= 2;
	if ((p = realloc(b->b_data, cap)) == NULL)
		goto fail;
	b->b_data = p;
	b->b_cap = cap;
	return 0;
 fail:
	b->b_failed = 1;
	return -1;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->b_data + b->b_len, p, n);
	b->b_len += n;
	b->b_data[b->b_len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, int c)
{
	char	 ch = (char)c;

	return buf_add(b, &ch, 1);
}

/* Formatted once into the room there is; again only when it was short. */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room;
	int	 n;

	room = b->b_data != NULL && !b->b_failed ? b->b_cap - b->b_len : 0;
	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->b_data + b->b_len : NULL, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < room) {
		b->b_len += (size_t)n;
		return 0;
	}
	if (room > 0)
		b->b_data[b->b_len] = '\0';	/* what did not fit goes */
	if (n < 0 || buf_reserve(b, (size_t)n) == -1) {
		b->b_failed = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(b->b_data + b->b_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->b_len += (size_t)n;
	return 0;
}

/* Hand the bytes to the caller (who frees them); the buffer is empty after. */
char *
buf_steal(struct buf *b)
{
	char	*p;

	if (b->b_failed || buf_reserve(b, 0) == -1) {
		buf_free(b);
		return NULL;
	}
	p = b->b_data;
	buf_init(b);
	return p;
}
