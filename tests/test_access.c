/*
 * test_access: the access log line (src/net/access.c), one field at a time,
 * and the cut that keeps a long escaped request under LOG_LINE_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "log.h"
#include "test.h"

/* 2026-12-02T03:38:02Z */
#define WHEN	((time_t)1796182682)

static const struct {
	const char	*addr;
	const char	*proto;
	const char	*host;
	const char	*req;
	const char	*outcome;
	size_t		 sent, size;
	enum access_end	 end;
	const char	*want;
	const char	*why;
} cases[] = {
	{ "192.0.2.7", "gemini", "example.org", "gemini://example.org/big.bin",
	    "20", 4014080, 31457280, ACCESS_TIMEOUT,
	    "2026-12-02T03:38:02Z 192.0.2.7 gemini example.org "
	    "\"gemini://example.org/big.bin\" 20 4014080 31457280 12.5ms "
	    "timeout", "a Gemini reply cut short" },
	{ NULL, "gopher", NULL, "/nothing", "error", 93, 93, ACCESS_COMPLETE,
	    "2026-12-02T03:38:02Z - gopher - \"/nothing\" error 93 93 12.5ms "
	    "complete", "no address (log-addresses no), no host" },
	{ "::1", "gopher", "", "/a \"quoted\" \\ name", "ok", 0, 0,
	    ACCESS_RESET, "2026-12-02T03:38:02Z ::1 gopher - "
	    "\"/a \\\"quoted\\\" \\\\ name\" ok 0 0 12.5ms reset",
	    "quote and backslash escaped, spaces kept inside the quotes" },
	{ "127.0.0.1", "gemini", "a b\"c", "\x1b[31m\xc2\x85\t", "59", 0, 0,
	    ACCESS_STOPPED, "2026-12-02T03:38:02Z 127.0.0.1 gemini "
	    "a\\x20b\\\"c \"\\x1B[31m\\u{0085}\\x09\" 59 0 0 12.5ms stopped",
	    "controls escaped; an unquoted field escapes its spaces" },
	{ "127.0.0.1", "gemini", "h", "caf\xc3\xa9 \xff", "20", 1, 2,
	    ACCESS_COMPLETE, "2026-12-02T03:38:02Z 127.0.0.1 gemini h "
	    "\"caf\xc3\xa9 \\xFF\" 20 1 2 12.5ms complete",
	    "UTF-8 kept, a byte that is not UTF-8 escaped" },
};

static char *
line(const char *addr, const char *proto, const char *host, const char *req,
    size_t reqlen, const char *outcome, size_t sent, size_t size,
    enum access_end end)
{
	struct access	 a;
	struct buf	 b;

	memset(&a, 0, sizeof(a));
	a.a_time = WHEN;
	a.a_addr = addr;
	a.a_proto = proto;
	a.a_host = host;
	a.a_req = req;
	a.a_reqlen = reqlen;
	a.a_outcome = outcome;
	a.a_sent = sent;
	a.a_size = size;
	a.a_ms = 12.5;
	a.a_end = end;
	buf_init(&b);
	access_format(&b, &a);
	return buf_steal(&b);
}

int
main(void)
{
	char	 req[1024], *got, *q;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = line(cases[i].addr, cases[i].proto, cases[i].host,
		    cases[i].req, strlen(cases[i].req), cases[i].outcome,
		    cases[i].sent, cases[i].size, cases[i].end);
		CHECK_STR(got, cases[i].want);
		free(got);
	}

	/*
	 * The longest request, every byte escaped to four: cut (on an
	 * escape's boundary) and the line still ends with its fields.
	 */
	memset(req, 0x01, sizeof(req));
	got = line("2001:db8::1", "gopher", NULL, req, sizeof(req), "error",
	    0, 0, ACCESS_COMPLETE);
	CHECK(got != NULL && strlen(got) < LOG_LINE_MAX, "%zu bytes",
	    got ? strlen(got) : 0);
	q = got ? strstr(got, "...\" error 0 0 12.5ms complete") : NULL;
	CHECK(q != NULL && (q - strchr(got, '"') - 1) % 4 == 0 &&
	    q[-4] == '\\', "cut between two \\x01: %s", got ? got : "");
	free(got);

	/* a multibyte character is never split by the cut */
	for (i = 0; i + 2 <= sizeof(req); i += 2)
		memcpy(req + i, "\xc2\x85", 2);	/* \u{0085}: 8 each */
	got = line("h", "gemini", "h", req, sizeof(req), "59", 0, 0,
	    ACCESS_COMPLETE);
	q = got ? strstr(got, "...\"") : NULL;
	CHECK(q != NULL && strncmp(q - 8, "\\u{0085}", 8) == 0, "%s",
	    got ? got : "");
	free(got);
	return TEST_DONE();
}
