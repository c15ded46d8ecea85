#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "utf8.h"

/*
 * A file is usable text if it is not empty and at most 1/20 of its
 * first SOURCE_SNIFF_SIZE bytes are control bytes other than TAB, LF
 * and CR: 0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F, 0x7F.
 */
int
source_check(const char *buf, size_t len, const char **errstr)
{
	size_t	 i, n, ctl = 0;

	if (len == 0) {
		*errstr = "empty file";
		return -1;
	}
	if (len > SOURCE_MAX_SIZE) {
		*errstr = "file too large (limit 8 MiB)";
		return -1;
	}
	n = len < SOURCE_SNIFF_SIZE ? len : SOURCE_SNIFF_SIZE;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			ctl++;
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
		/*
		 * The common case first: a byte that cannot start one of
		 * them (only C0, DEL and the lead bytes 0xC2 and 0xE2 can).
		 */
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f && c != 0xc2 && c != 0xe2) {
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

/*
 * Clean one line in place (section 1.3): strip the controls, then the
 * spaces at both ends.  Returns the new length and NUL-terminates.
 */
size_t
source_clean_line(char *s, size_t n)
{
	size_t	 o, start;

	o = source_strip_controls(s, n);
	while (o > 0 && s[o - 1] == ' ')
		o--;
	for (start = 0; start < o && s[start] == ' '; start++)
		;
	if (start > 0)
		memmove(s, s + start, o - start);
	o -= start;
	s[o] = '\0';
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
 * Bytes to clean lines (sections 1.1-1.3).  A line ends at LF, CR LF
 * or a lone CR; blank lines are dropped.  Fails only when no line is
 * left or memory runs out.
 */
int
source_decode(const char *buf, size_t len, struct text *t,
    const char **errstr)
{
	char	*s;
	size_t	 n, i, start, end, cap = 0;

	memset(t, 0, sizeof(*t));
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (utf8_valid(buf, len)) {
		if ((s = malloc(len + 1)) == NULL)
			goto nomem;
		memcpy(s, buf, len);
		n = len;
	} else if ((s = latin1_to_utf8(buf, len, &n)) == NULL)
		goto nomem;
	s[n] = '\0';
	t->t_buf = s;

	for (i = start = 0; i <= n; i++) {
		if (i < n && s[i] != '\n' && s[i] != '\r')
			continue;
		end = i;
		if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
			i++;
		if (source_clean_line(s + start, end - start) > 0 &&
		    add_line(t, &cap, s + start) == -1)
			goto nomem;
		start = i + 1;
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
 * "Title\0Body\0", 11 bytes.
 */
char *
source_pack(const struct text *t, size_t *lenp)
{
	size_t	 i, n, len = 0;
	char	*p, *o;

	for (i = 0; i < t->t_nline; i++)
		len += strlen(t->t_line[i]) + 1;
	if ((p = malloc(len ? len : 1)) == NULL)
		return NULL;
	for (i = 0, o = p; i < t->t_nline; i++) {
		n = strlen(t->t_line[i]) + 1;
		memcpy(o, t->t_line[i], n);
		o += n;
	}
	*lenp = len;
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
	for (i = 0; i < len; i += strlen(t->t_buf + i) + 1)
		t->t_line[t->t_nline++] = t->t_buf + i;
	return 0;
}
