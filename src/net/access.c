/*
 * access: format the access log line (see access.h); pure.
 */
#include <string.h>
#include <time.h>

#include "access.h"
#include "buf.h"
#include "utf8.h"

/*
 * Escaped fields are cut to these lengths so that a line stays under
 * LOG_LINE_MAX (2048), which log.c would cut, losing the closing quote:
 * a request is at most 1024 bytes, but escaped it can be four times that.
 */
#define ACCESS_REQUEST_MAX	1200
#define ACCESS_FIELD_MAX	256

static const char *const end_words[NUM_ACCESS_ENDS] = {
	[ACCESS_COMPLETE] = "complete",
	[ACCESS_TIMEOUT] = "timeout",
	[ACCESS_RESET] = "reset",
	[ACCESS_STOPPED] = "stopped",
};

/*
 * Bytes of s[0 .. n) that escaping leaves as they are, from the start:
 * printable ASCII but the backslash, the quote and (unquoted) space.
 */
static size_t
plain_len(const char *s, size_t n, int quoted)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"')
			if (c != ' ' || !quoted)
				break;
	}
	return i;
}

/*
 * Append s (n bytes), escaped, cut to at most max bytes of escaped text
 * and then ending in "...": log.c cuts lines over LOG_LINE_MAX, which
 * would lose the closing quote.  It goes a character at a time (a lead
 * byte and its continuation bytes) so no escape or character is split.
 */
static void
escaped(struct buf *b, const char *s, size_t n, int quoted, size_t max)
{
	size_t	 start = b->b_len, before, i = 0, k;

	/* the common case: nothing to escape, nothing to cut */
	if (n <= max && plain_len(s, n, quoted) == n) {
		buf_add(b, s, n);
		return;
	}
	while (i < n) {
		k = 1;
		if ((unsigned char)s[i] >= 0xc0)
			while (k < 4 && i + k < n &&
			    ((unsigned char)s[i + k] & 0xc0) == 0x80)
				k++;
		before = b->b_len;
		utf8_escape_field(b, s + i, k, quoted);
		if (b->b_len - start > max) {
			b->b_len = before;
			if (b->b_data != NULL)
				b->b_data[b->b_len] = '\0';
			buf_adds(b, "...");
			return;
		}
		i += k;
	}
}

/* An unquoted field: "-" when there is none. */
static void
field(struct buf *b, const char *s)
{
	if (s == NULL || *s == '\0')
		buf_addc(b, '-');
	else
		escaped(b, s, strlen(s), 0, ACCESS_FIELD_MAX);
	buf_addc(b, ' ');
}

/* The time of a line; the same second as the last one costs nothing. */
static const char *
when(time_t t)
{
	static _Thread_local time_t	 last = -1;
	static _Thread_local char	 text[32];
	struct tm			 tm;

	if (t != last) {
		gmtime_r(&t, &tm);
		strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
		last = t;
	}
	return text;
}

/* Append a's line to b, without a line end (log.c writes one). */
void
access_format(struct buf *b, const struct access *a)
{
	unsigned long long tenths;

	buf_adds(b, when(a->a_time));
	buf_addc(b, ' ');
	field(b, a->a_addr);
	field(b, a->a_proto);
	field(b, a->a_host);
	buf_addc(b, '"');
	escaped(b, a->a_req, a->a_reqlen, 1, ACCESS_REQUEST_MAX);
	buf_adds(b, "\" ");
	field(b, a->a_outcome);
	/* whole tenths of a millisecond, without the floating-point printf */
	tenths = a->a_ms > 0 ? (unsigned long long)(a->a_ms * 10 + 0.5) : 0;
	buf_printf(b, "%zu %zu %llu.%llums %s", a->a_sent, a->a_size,
	    tenths / 10, tenths % 10, (unsigned)a->a_end < NUM_ACCESS_ENDS ?
	    end_words[a->a_end] : "-");
}
