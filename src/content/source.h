/*
 * source: the bytes of an article file to clean lines of UTF-8 text
 * (capsuled(8), FORMAT).
 *
 * Example: "\xEF\xBB\xBFCr\xEApes\r\n\r\n\tA\x01 b \r\n" (a BOM, then
 * Latin-1 once the BOM is gone) gives two lines, "Crêpes" and "A b":
 * the BOM is dropped, the bytes are not UTF-8 so they are read as
 * Latin-1, the TAB becomes a space, U+0001 is deleted, the ends are
 * trimmed and the blank line is dropped.
 */
#ifndef SOURCE_H
#define SOURCE_H

#include <stddef.h>

/* Largest article accepted; the corpus asks for at least 8 MiB. */
#define SOURCE_MAX_SIZE		(8u * 1024 * 1024)
/* Binary detection looks at this many bytes from the start ... */
#define SOURCE_SNIFF_SIZE	8192
/* ... and calls a file binary when more than 1/20 (5%) are controls. */
#define SOURCE_BINARY_RATIO	20

/*
 * The lines lie back to back in t_buf, each with its NUL and in order
 * (source_decode writes them so, source_unpack copies them so): the
 * example above gives "Cr\xC3\xAApes\0A b\0", t_len 12, t_line[0] at
 * t_buf and t_line[1] at t_buf + 8.  Nothing may change them.
 */
struct text {
	char	 *t_buf;	/* all lines, each NUL-terminated, owned */
	size_t	  t_len;	/* bytes they take: what source_pack gives */
	char	**t_line;	/* the non-blank lines, into t_buf, owned */
	size_t	  t_nline;	/* how many */
};

int	 source_check(const char *, size_t, const char **);
int	 source_decode(const char *, size_t, struct text *, const char **);
void	 source_free(struct text *);
char	*source_pack(const struct text *, size_t *);
int	 source_unpack(const char *, size_t, struct text *, const char **);
size_t	 source_strip_controls(char *, size_t);

#endif
