/*
 * buf: a growable byte buffer for renderers.
 *
 * Example: buf_init(&b); buf_adds(&b, "# "); buf_add(&b, title, len);
 * buf_addc(&b, '\n'); then b.b_data[0 .. b.b_len) holds "# Title\n".
 *
 * Allocation failure is sticky: every later append is a no-op and
 * b_failed stays set, so a renderer appends freely and checks once at
 * the end.  The data is always NUL-terminated after a successful append.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char	*b_data;	/* bytes, NUL-terminated, owned */
	size_t	 b_len;		/* bytes used, without the NUL */
	size_t	 b_cap;		/* bytes allocated */
	int	 b_failed;	/* an allocation failed */
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
int	 buf_reserve(struct buf *, size_t);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_adds(struct buf *, const char *);
int	 buf_addc(struct buf *, int);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*buf_steal(struct buf *);

#endif
