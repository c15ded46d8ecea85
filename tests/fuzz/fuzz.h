/*
 * fuzz.h: invariant checks shared by the libFuzzer harnesses in
 * tests/fuzz/.  Every check that fails prints what it saw on stderr and
 * calls abort(), which libFuzzer reports as a crash and saves the input
 * under build/fuzz/artifacts/.
 *
 * Everything here is static: each harness is one translation unit
 * linked with the library sources it needs (see the Makefile).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

static void fuzz_fail(const char *, const char *, size_t, const char *, ...)
	    __attribute__((format(printf, 4, 5), noreturn, unused));

/* Report a broken invariant, with the output it was found in, and abort. */
static void
fuzz_fail(const char *what, const char *out, size_t outlen,
    const char *fmt, ...)
{
	struct buf	 b;
	va_list		 ap;

	fprintf(stderr, "INVARIANT BROKEN (%s): ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (out != NULL) {
		buf_init(&b);
		utf8_escape(&b, out, outlen > 4096 ? 4096 : outlen);
		fprintf(stderr, "--- output (%zu bytes, escaped%s) ---\n%s\n---\n",
		    outlen, outlen > 4096 ? ", first 4096" : "",
		    b.b_data != NULL ? b.b_data : "");
		buf_free(&b);
	}
	abort();
}

#define FUZZ_CHECK(cond, what, out, outlen, ...) do {			\
	if (!(cond))							\
		fuzz_fail((what), (out), (outlen), __VA_ARGS__);	\
} while (0)

/* A copy of the input that ends exactly where the callee may read. */
static char * __attribute__((unused))
fuzz_dup(const uint8_t *data, size_t n)
{
	char	*p = malloc(n > 0 ? n : 1);

	if (p == NULL)
		abort();
	if (n > 0)
		memcpy(p, data, n);
	return p;
}

/* C1 controls and the bidi embeddings, overrides and isolates. */
static int __attribute__((unused))
fuzz_forbidden_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Valid UTF-8, no C0 byte but those in `allowed`, no DEL, no C1 and no
 * bidi controls.  On failure: aborts with `what`.
 */
static void __attribute__((unused))
fuzz_clean_text(const char *what, const char *s, size_t n,
    const char *allowed)
{
	size_t		 i = 0, len;
	uint32_t	 cp;

	FUZZ_CHECK(utf8_valid(s, n), what, s, n, "not valid UTF-8");
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		FUZZ_CHECK(!((c < 0x20 && strchr(allowed, c) == NULL) ||
		    c == 0x7f), what, s, n, "control byte 0x%02X at %zu", c, i);
		len = utf8_decode(s + i, n - i, &cp);
		FUZZ_CHECK(!fuzz_forbidden_cp(cp), what, s, n,
		    "forbidden character U+%04X at %zu", (unsigned)cp, i);
		i += len;
	}
}

/* A static message (errstr, config error): printable, no control. */
static void __attribute__((unused))
fuzz_clean_message(const char *what, const char *msg)
{
	size_t		 i, n;

	FUZZ_CHECK(msg != NULL, what, NULL, 0, "no message");
	n = strlen(msg);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)msg[i];

		FUZZ_CHECK(c >= 0x20 && c != 0x7f, what, msg, n,
		    "control byte 0x%02X at %zu", c, i);
		/* C1 as UTF-8 (C2 80..C2 9F), even in a cut message */
		FUZZ_CHECK(!(c == 0xc2 && i + 1 < n &&
		    (unsigned char)msg[i + 1] >= 0x80 &&
		    (unsigned char)msg[i + 1] <= 0x9f), what, msg, n,
		    "C1 control at %zu", i);
	}
}

/* Is the NUL of a string field inside its array? */
#define FUZZ_TERMINATED(field)	(memchr((field), '\0', sizeof(field)) != NULL)

#endif
