#include <stdlib.h>
#include <string.h>

#include <unilbrk.h>
#include <unistr.h>
#include <uniwidth.h>

#include "buf.h"
#include "utf8.h"

/*
 * Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * u8_check judges only the runs of bytes above 0x7F: ASCII is valid
 * wherever it stands, and most text is ASCII, which is skipped here 8
 * bytes at a time.  A run ends before an ASCII byte, which no character
 * of more than one byte holds, so the runs are all valid exactly when
 * the whole is (a character cut short by ASCII is cut short in its run).
 */
int
utf8_valid(const char *s, size_t n)
{
	const uint8_t	*u = (const uint8_t *)s;
	uint64_t	 w;
	size_t		 i = 0, j;

	while (i < n) {
		if (n - i >= 8) {
			memcpy(&w, u + i, sizeof(w));
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		for (j = i + 1; j < n && u[j] >= 0x80; j++)
			;
		if (u8_check(u + i, j - i) != NULL)
			return 0;
		i = j;
	}
	return 1;
}

/* Decode one character of valid UTF-8; returns its length in bytes. */
size_t
utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	ucs4_t	 uc;
	int	 len;

	if (n > 0 && (unsigned char)s[0] < 0x80) {
		*cp = (unsigned char)s[0];
		return 1;
	}
	len = u8_mbtouc(&uc, (const uint8_t *)s, n);
	*cp = uc;
	return len > 0 ? (size_t)len : 1;
}

/* Columns a character takes in a terminal; control characters take none. */
static size_t
char_width(uint32_t cp)
{
	int	 w;

	if (cp >= 0x20 && cp < 0x7f)
		return 1;
	w = uc_width(cp, "UTF-8");
	return w > 0 ? (size_t)w : 0;
}

size_t
utf8_width(const char *s, size_t n)
{
	size_t	 i = 0, w = 0;
	uint32_t cp;

	while (i < n) {
		i += utf8_decode(s + i, n - i, &cp);
		w += char_width(cp);
	}
	return w;
}

/* Bytes of the longest prefix of s that fits in `cols` columns. */
size_t
utf8_cut(const char *s, size_t n, size_t cols)
{
	size_t	 i = 0, w = 0, len, cw;
	uint32_t cp;

	while (i < n) {
		len = utf8_decode(s + i, n - i, &cp);
		cw = char_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	return i;
}

int
utf8_wrap_init(struct utf8_wrap *w, const char *s, size_t n, size_t width)
{
	memset(w, 0, sizeof(*w));
	w->w_s = s;
	w->w_n = n;
	w->w_width = width > 0 ? width : 1;
	if ((w->w_brk = malloc(n > 0 ? n : 1)) == NULL)
		return -1;
	if (n > 0)
		u8_possible_linebreaks((const uint8_t *)s, n, "UTF-8",
		    w->w_brk);
	while (w->w_pos < n && s[w->w_pos] == ' ')
		w->w_pos++;
	return 0;
}

/*
 * Greedy filling: take characters while they fit, remembering the last
 * place a break is allowed; when one does not fit, break there, or cut
 * before it when the line has no break opportunity.  Spaces do not count
 * against the width until something follows them on the same line.
 */
int
utf8_wrap_next(struct utf8_wrap *w, const char **line, size_t *len)
{
	const char	*s = w->w_s;
	size_t		 start = w->w_pos, pos = start, brk = 0, end;
	size_t		 cols = 0, spaces = 0, clen, cw;
	uint32_t	 cp;

	if (start >= w->w_n)
		return 0;
	end = w->w_n;
	while (pos < w->w_n) {
		if (pos > start && (w->w_brk[pos] == UC_BREAK_POSSIBLE ||
		    w->w_brk[pos] == UC_BREAK_MANDATORY))
			brk = pos;
		if (s[pos] == ' ') {
			spaces++;
			pos++;
			continue;
		}
		clen = utf8_decode(s + pos, w->w_n - pos, &cp);
		cw = char_width(cp);
		if (pos > start && cols + spaces + cw > w->w_width) {
			end = brk > start ? brk : pos;
			break;
		}
		cols += spaces + cw;
		spaces = 0;
		pos += clen;
	}
	w->w_pos = end;
	while (end > start && s[end - 1] == ' ')
		end--;
	while (w->w_pos < w->w_n && s[w->w_pos] == ' ')
		w->w_pos++;
	*line = s + start;
	*len = end - start;
	return 1;
}

void
utf8_wrap_free(struct utf8_wrap *w)
{
	free(w->w_brk);
	w->w_brk = NULL;
}

/* What escape() makes visible besides controls and bad bytes. */
#define ESC_QUOTE	0x1	/* '"' becomes \" */
#define ESC_SPACE	0x2	/* ' ' becomes \x20 */

static void
escape(struct buf *b, const char *s, size_t n, int what)
{
	size_t	 i = 0;
	ucs4_t	 uc;
	int	 len;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' && (what & ESC_SPACE)) {
			buf_adds(b, "\\x20");
			i++;
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			if (c == '\\' || (c == '"' && (what & ESC_QUOTE)))
				buf_addc(b, '\\');
			buf_addc(b, c);
			i++;
			continue;
		}
		len = u8_mbtoucr(&uc, (const uint8_t *)s + i, n - i);
		if (len < 0 || c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\x%02X", c);
			i++;
		} else if ((uc >= 0x80 && uc <= 0x9f) ||
		    (uc >= 0x202a && uc <= 0x202e) ||
		    (uc >= 0x2066 && uc <= 0x2069)) {
			buf_printf(b, "\\u{%04X}", (unsigned)uc);
			i += (size_t)len;
		} else {
			buf_add(b, s + i, (size_t)len);
			i += (size_t)len;
		}
	}
}

/*
 * Append s to b with everything a terminal or log reader could
 * misread made visible: C0 and C1 controls, DEL, bidi controls and
 * bytes that are not UTF-8 become \xNN or \u{NNNN}; backslash doubles.
 * Unlike the rest of this file, s may be any bytes.
 */
void
utf8_escape(struct buf *b, const char *s, size_t n)
{
	escape(b, s, n, 0);
}

/*
 * The same for one field of a line that a program splits: '"' becomes
 * \" too, so a quoted field ends only at its closing quote, and when
 * the field is not quoted (quoted 0) a space becomes \x20, so that
 * splitting on spaces finds the field whole (capsuled(8), ACCESS LOG).
 */
void
utf8_escape_field(struct buf *b, const char *s, size_t n, int quoted)
{
	escape(b, s, n, ESC_QUOTE | (quoted ? 0 : ESC_SPACE));
}

/*
 * The length of the character at s (of n bytes) when it is one no
 * reader should get, else 0: a C0 control (TAB too), DEL (1 byte), a C1
 * control (C2 80..C2 9F), a bidi embedding, override (E2 80 AA..AE) or
 * isolate (E2 81 A6..A9).  Works on bytes: each has a fixed encoding,
 * and no other UTF-8 sequence contains those bytes.
 */
size_t
utf8_control_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0)
		return 0;
	if (u[0] < 0x20 || u[0] == 0x7f)
		return 1;
	if (u[0] == 0xc2 && n > 1 && u[1] >= 0x80 && u[1] <= 0x9f)
		return 2;
	if (u[0] == 0xe2 && n > 2 && ((u[1] == 0x80 && u[2] >= 0xaa &&
	    u[2] <= 0xae) || (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)))
		return 3;
	return 0;
}

/* Does s (valid UTF-8) hold a character utf8_control_len finds? */
int
utf8_has_controls(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (utf8_control_len(s + i, n - i) > 0)
			return 1;
	return 0;
}
