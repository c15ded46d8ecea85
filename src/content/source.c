#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "utf8.h"

/*
 * Eight bytes at a time: almost every byte of real text is printable
 * ASCII (0x20..0x7E), so the loops below test a word of 8 bytes at once
 * and look at bytes one by one only in a word that holds something
 * else: a line end, a TAB, a control, a byte of a non-ASCII character.
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/*
 * Are the 8 bytes at p all printable ASCII?  For bytes below 0x80, b -
 * 0x20 sets a byte's top bit exactly when b < 0x20, and b + 1 exactly
 * when b is 0x7F.  A borrow or carry crosses into the next byte only
 * from a byte that already failed, so the test of the word is exact.
 * The byte order does not matter.
 */
static int
printable8(const char *p)
{
	uint64_t	 w;

	memcpy(&w, p, sizeof(w));
	return ((w | (w + ONES) | (w - 0x20 * ONES)) & HIGHS) == 0;
}

/* A control byte as source_check counts them (TAB, LF and CR are text). */
static int
sniff_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
	    c == 0x7f;
}

/*
 * A file is usable text if it is not empty and at most 1/20 of its
 * first SOURCE_SNIFF_SIZE bytes are control bytes other than TAB, LF
 * and CR: 0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F, 0x7F.
 */
int
source_check(const char *buf, size_t len, const char **errstr)
{
	size_t	 i = 0, n, end, ctl = 0;

	if (len == 0) {
		*errstr = "empty file";
		return -1;
	}
	if (len > SOURCE_MAX_SIZE) {
		*errstr = "file too large (limit 8 MiB)";
		return -1;
	}
	n = len < SOURCE_SNIFF_SIZE ? len : SOURCE_SNIFF_SIZE;
	while (i < n) {
		if (n - i >= 8 && printable8(buf + i)) {
			i += 8;
			continue;
		}
		for (end = n - i < 8 ? n : i + 8; i < end; i++)
			ctl += sniff_control((unsigned char)buf[i]);
	}
	if (ctl * SOURCE_BINARY_RATIO > n) {
		*errstr = "binary file (more than 5% control bytes)";
		return -1;
	}
	return 0;
}

/* Latin-1 to UTF-8: every byte is the code point of the same value. */
static char *
latin1_to_utf8(const char *in, size_t len, size_t *outlen)
{
	char	*out, *p;
	size_t	 i;

	if ((out = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (p = out, i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x80)
			*p++ = (char)c;
		else {
			*p++ = (char)(0xc0 | (c >> 6));
			*p++ = (char)(0x80 | (c & 0x3f));
		}
	}
	*outlen = (size_t)(p - out);
	return out;
}

/*
 * Can c open a character that utf8_control_len finds?  Only a C0
 * control, DEL and the lead bytes 0xC2 (C1) and 0xE2 (bidi) can.
 */
static int
may_open_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xe2;
}

/*
 * Delete in place what no reader may receive (valid UTF-8 in, section
 * 1.3 steps 1-3): TAB becomes a space; the other characters of
 * utf8_control_len (C0 controls, DEL, C1 controls, bidi embeddings,
 * overrides and isolates) are deleted.  Returns the new length.
 */
size_t
source_strip_controls(char *s, size_t n)
{
	size_t		 i = 0, o = 0, k;
	unsigned char	 c;

	while (i < n) {
		/* the common case first: a byte that cannot open one */
		c = (unsigned char)s[i];
		if (!may_open_control(c)) {
			s[o++] = s[i++];
			continue;
		}
		if (s[i] == '\t') {
			s[o++] = ' ';
			i++;
		} else if ((k = utf8_control_len(s + i, n - i)) > 0)
			i += k;
		else
			s[o++] = s[i++];
	}
	return o;
}

static int
add_line(struct text *t, size_t *cap, char *line)
{
	char	**p;
	size_t	  ncap;

	if (t->t_nline == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		if ((p = reallocarray(t->t_line, ncap, sizeof(*p))) == NULL)
			return -1;
		t->t_line = p;
		*cap = ncap;
	}
	t->t_line[t->t_nline++] = line;
	return 0;
}

/*
 * End the line that starts at out + ls and ends at out + *o: take back
 * its trailing spaces and keep it, with its NUL, unless it is blank.
 */
static int
end_line(struct text *t, size_t *cap, char *out, size_t ls, size_t *o)
{
	while (*o > ls && out[*o - 1] == ' ')
		(*o)--;
	if (*o == ls)
		return 0;
	out[(*o)++] = '\0';
	return add_line(t, cap, out + ls);
}

/*
 * Split the n bytes of valid UTF-8 at in into lines (section 1.2) and
 * clean each (1.3) into out, in one pass: TAB becomes a space, what
 * source_strip_controls deletes is not copied, a space is copied only
 * after something else on its line (the leading ones are stripped so)
 * and end_line takes back the trailing ones.  The lines kept end up
 * back to back in out, each with its NUL: n + 1 bytes at most.  out
 * may be in itself: nothing is written ahead of what has been read.
 */
static int
clean_lines(const char *in, size_t n, char *out, struct text *t)
{
	size_t		 i = 0, o = 0, ls = 0, cap = 0, stop, k;
	unsigned char	 c;

	while (i < n) {
		if (n - i >= 8 && printable8(in + i) &&
		    (o > ls || in[i] != ' ')) {
			memmove(out + o, in + i, 8);	/* in may be out */
			i += 8;
			o += 8;
			continue;
		}
		for (stop = n - i < 8 ? n : i + 8; i < stop; ) {
			c = (unsigned char)in[i];
			if (c == '\n' || c == '\r') {
				i++;
				if (c == '\r' && i < n && in[i] == '\n')
					i++;	/* CR LF */
				if (end_line(t, &cap, out, ls, &o) == -1)
					return -1;
				ls = o;
			} else if (c == ' ' || c == '\t') {
				if (o > ls)
					out[o++] = ' ';
				i++;
			} else if (may_open_control(c) &&
			    (k = utf8_control_len(in + i, n - i)) > 0)
				i += k;
			else
				out[o++] = in[i++];
		}
	}
	if (end_line(t, &cap, out, ls, &o) == -1)
		return -1;
	t->t_len = o;
	return 0;
}

/*
 * Bytes to clean lines (sections 1.1-1.3).  A line ends at LF, CR LF
 * or a lone CR; blank lines are dropped.  Fails only when no line is
 * left or memory runs out.
 */
int
source_decode(const char *buf, size_t len, struct text *t,
    const char **errstr)
{
	char	*s;
	size_t	 n;

	memset(t, 0, sizeof(*t));
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (utf8_valid(buf, len)) {
		if ((t->t_buf = malloc(len + 1)) == NULL ||
		    clean_lines(buf, len, t->t_buf, t) == -1)
			goto nomem;
	} else {
		/* rare: decoded first, then cleaned in place */
		if ((s = latin1_to_utf8(buf, len, &n)) == NULL)
			goto nomem;
		t->t_buf = s;
		if (clean_lines(s, n, s, t) == -1)
			goto nomem;
	}
	if (t->t_nline == 0) {
		source_free(t);
		*errstr = "no text (only blank lines)";
		return -1;
	}
	return 0;
 nomem:
	source_free(t);
	*errstr = "out of memory";
	return -1;
}

void
source_free(struct text *t)
{
	free(t->t_buf);
	free(t->t_line);
	memset(t, 0, sizeof(*t));
}

/*
 * Text t's lines back to back, each with its NUL, in one allocation of
 * *lenp bytes (the lines are all that is kept: source_unpack gives the
 * same lines, which cleaning bytes again would cost more); NULL when
 * out of memory.  Example: lines "Title" and "Body" pack to
 * "Title\0Body\0", 11 bytes.  t_buf already holds them so (source.h).
 */
char *
source_pack(const struct text *t, size_t *lenp)
{
	char	*p;

	if ((p = malloc(t->t_len ? t->t_len : 1)) == NULL)
		return NULL;
	memcpy(p, t->t_buf, t->t_len);
	*lenp = t->t_len;
	return p;
}

/*
 * The lines of p (len bytes from source_pack) into t, a copy.  Fails
 * when memory runs out, or when p holds no line or does not end in a
 * NUL.
 */
int
source_unpack(const char *p, size_t len, struct text *t, const char **errstr)
{
	size_t	 i, n = 0;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < len; i++)
		n += p[i] == '\0';
	if (n == 0 || p[len - 1] != '\0') {
		*errstr = "no text (only blank lines)";
		return -1;
	}
	if ((t->t_buf = malloc(len)) == NULL ||
	    (t->t_line = calloc(n, sizeof(*t->t_line))) == NULL) {
		source_free(t);
		*errstr = "out of memory";
		return -1;
	}
	memcpy(t->t_buf, p, len);
	t->t_len = len;
	for (i = 0; i < len; i += strlen(t->t_buf + i) + 1)
		t->t_line[t->t_nline++] = t->t_buf + i;
	return 0;
}
