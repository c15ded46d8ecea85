#include <string.h>

#include "titan.h"
#include "test.h"

#define S(x)	x, sizeof(x) - 1

/* A request line to what it parses to, or to its status and reason. */
static const struct {
	const char	*line;
	size_t		 len;
	int		 status;
	const char	*want;	/* the path, or the reason when refused */
	uint64_t	 size;
	const char	*mime;
	const char	*token;	/* NULL: none */
} parses[] = {
	{ S("titan://h/a.txt;size=12"), 0, "/a.txt", 12, "", NULL },
	{ S("TITAN://H/a.txt;size=0"), 0, "/a.txt", 0, "", NULL },
	{ S("titan://h:1965/d/f.png;mime=image/png;size=3;token=s3"), 0,
	    "/d/f.png", 3, "image/png", "s3" },
	{ S("titan://h/a.txt;token=t;x=y;size=5;mime=text/plain"), 0,
	    "/a.txt", 5, "text/plain", "t" },
	{ S("titan://h/a.txt;size=007"), 0, "/a.txt", 7, "", NULL },
	{ S("titan://h/a.txt;size=999999999999"), 0, "/a.txt",
	    999999999999ULL, "", NULL },
	{ S("titan://h/caf%C3%A9.txt;size=1;unknown"), 0, "/caf\xC3\xA9.txt",
	    1, "", NULL },
	{ S("titan://h/a.txt;size=1;token="), 0, "/a.txt", 1, "", "" },
	/* size */
	{ S("titan://h/a.txt"), 59, "size missing", 0, NULL, NULL },
	{ S("titan://h/a.txt;mime=text/plain"), 59, "size missing", 0, NULL,
	    NULL },
	{ S("titan://h/a.txt;size="), 59, "size is empty", 0, NULL, NULL },
	{ S("titan://h/a.txt;size"), 59, "size has no value", 0, NULL, NULL },
	{ S("titan://h/a.txt;size=-5"), 59, "size is not a decimal number",
	    0, NULL, NULL },
	{ S("titan://h/a.txt;size=+5"), 59, "size is not a decimal number",
	    0, NULL, NULL },
	{ S("titan://h/a.txt;size=0x10"), 59, "size is not a decimal number",
	    0, NULL, NULL },
	{ S("titan://h/a.txt;size=1e3"), 59, "size is not a decimal number",
	    0, NULL, NULL },
	{ S("titan://h/a.txt;size= 5"), 59, "size is not a decimal number",
	    0, NULL, NULL },
	{ S("titan://h/a.txt;size=123456789012345678901234567890"), 59,
	    "size is too large", 0, NULL, NULL },
	{ S("titan://h/a.txt;size=1;size=2"), 59, "size given twice", 0,
	    NULL, NULL },
	/* mime and token */
	{ S("titan://h/a.txt;size=1;mime=text/plain\x01"), 59,
	    "control character or invalid UTF-8", 0, NULL, NULL },
	{ S("titan://h/a.txt;size=1;mime=a\tb"), 59,
	    "control character or invalid UTF-8", 0, NULL, NULL },
	{ S("titan://h/a.txt;size=1;mime=a b"), 59,
	    "mime is not printable ASCII", 0, NULL, NULL },
	{ S("titan://h/a.txt;size=1;mime=\xC3\xA9"), 59,
	    "mime is not printable ASCII", 0, NULL, NULL },
	{ S("titan://h/a.txt;size=1;token=a;token=b"), 59,
	    "token given twice", 0, NULL, NULL },
	/* the URL */
	{ S("gemini://h/a.txt;size=1"), 53, "scheme not served here", 0,
	    NULL, NULL },
	{ S("titan://h;size=1"), 59, "no path", 0, NULL, NULL },
	{ S("titan://h/../a.txt;size=1"), 59, "'..' in the path", 0, NULL,
	    NULL },
	{ S("titan://h/a%2Fb.txt;size=1"), 59,
	    "encoded '/' (%2F) in a path segment", 0, NULL, NULL },
	{ S("titan://h/a.txt?q;size=1"), 59, "query not allowed", 0, NULL,
	    NULL },
	{ S("titan://h/a\xff.txt;size=1"), 59,
	    "control character or invalid UTF-8", 0, NULL, NULL },
	{ S("titan://u@h/a.txt;size=1"), 59, "userinfo not allowed", 0,
	    NULL, NULL },
};

static const struct {
	const char	*path;
	enum titan_kind	 kind;
} kinds[] = {
	{ "/a.txt", TITAN_ARTICLE },
	{ "/caf\xC3\xA9.txt", TITAN_ARTICLE },
	{ "/A.TXT", TITAN_FILE },
	{ "/robots.txt", TITAN_FILE },
	{ "/notes/a.txt", TITAN_FILE },
	{ "/img/a.png", TITAN_FILE },
	{ "/index.gmi", TITAN_FILE },
	{ "/", TITAN_REFUSED },
	{ "/dir/", TITAN_REFUSED },
	{ "/.hidden", TITAN_REFUSED },
	{ "/.titan-history/a.txt.1", TITAN_REFUSED },
	{ "/d/.x/a.png", TITAN_REFUSED },
	{ "/certs/localhost.pem", TITAN_REFUSED },
	{ "/k.KEY", TITAN_REFUSED },
};

static void
test_parse(void)
{
	struct titan_request	 r;
	const char		*errstr;
	size_t			 i;
	int			 s;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		errstr = NULL;
		s = titan_parse(parses[i].line, parses[i].len, &r, &errstr);
		CHECK(s == parses[i].status, "case %zu: status %d (%s)", i, s,
		    errstr ? errstr : "");
		if (s != 0) {
			CHECK_STR(errstr ? errstr : "", parses[i].want);
			continue;
		}
		CHECK_STR(r.tr_url.gr_path, parses[i].want);
		CHECK(r.tr_size == parses[i].size, "case %zu: size", i);
		CHECK_STR(r.tr_mime, parses[i].mime);
		CHECK(r.tr_has_token == (parses[i].token != NULL),
		    "case %zu: token", i);
		if (parses[i].token != NULL)
			CHECK_STR(r.tr_token, parses[i].token);
	}
}

static void
test_kinds(void)
{
	const char	*errstr;
	size_t		 i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		CHECK(titan_path_kind(kinds[i].path, &errstr) == kinds[i].kind,
		    "kind of %s", kinds[i].path);
	CHECK(titan_is_titan(S("Titan://x")), "case of the scheme");
	CHECK(!titan_is_titan(S("titan:/x")), "one slash");
}

int
main(void)
{
	test_parse();
	test_kinds();
	return TEST_DONE();
}
