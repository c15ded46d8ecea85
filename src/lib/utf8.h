/*
 * utf8: the few UTF-8 operations the renderers need, on top of
 * libunistring (validation, display width, line breaking).
 *
 * Example: utf8_cut("味噌 soup", 9, 3) is 3: "味" is two columns and
 * "噌" would make four, so only the first character (3 bytes) fits.
 * All functions take valid UTF-8 (source_decode guarantees it) unless
 * they say otherwise.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

struct buf;

int	 utf8_valid(const char *, size_t);
size_t	 utf8_decode(const char *, size_t, uint32_t *);
size_t	 utf8_width(const char *, size_t);
size_t	 utf8_cut(const char *, size_t, size_t);

/*
 * Line wrapping: utf8_wrap_init computes the break opportunities of one
 * line of text once; utf8_wrap_next then yields its lines of at most
 * `width` columns one by one.  A word wider than a line is cut on a
 * character boundary.  Spaces at the breaks are dropped.
 */
struct utf8_wrap {
	const char	*w_s;		/* the text, borrowed */
	size_t		 w_n;		/* its length in bytes */
	size_t		 w_pos;		/* where the next line starts */
	size_t		 w_width;	/* columns per line */
	char		*w_brk;		/* break opportunities, owned */
};

int	 utf8_wrap_init(struct utf8_wrap *, const char *, size_t, size_t);
int	 utf8_wrap_next(struct utf8_wrap *, const char **, size_t *);
void	 utf8_wrap_free(struct utf8_wrap *);

void	 utf8_escape(struct buf *, const char *, size_t);
void	 utf8_escape_field(struct buf *, const char *, size_t, int);
size_t	 utf8_control_len(const char *, size_t);
int	 utf8_has_controls(const char *, size_t);

#endif
