/*
 * addr: every address a page links to, in each protocol's form, and the
 * dates every renderer prints.  The article space is spelled here and
 * nowhere else: a page names what it links to (an addr_target: a kind
 * and a slug, a page number or a file name) and asks for its form.
 *
 * Example: for slug "crepes" on host example.org (Gemini 1965, Gopher
 * 7070): the target { ADDR_TO_ARTICLE, "crepes" } is "/articles/crepes.gmi"
 * in ADDR_GEMINI form and "/articles/crepes/" in ADDR_GOPHER form (an
 * item of type '1'), addr_url gives "gemini://example.org/articles/crepes.gmi"
 * and "gopher://example.org:7070/1/articles/crepes/"; { ADDR_TO_LIST, .page
 * = 2 } is "/articles/page/2.gmi" and "/articles/page/2/"; addr_date of
 * 1698883200 gives "2023-11-02".  In ADDR_NEX form the article is
 * "/articles/crepes/" (a Nex directory) and { ADDR_TO_SEARCH } has no
 * address: addr_has is 0 and addr_path gives -1, so pages leave the link
 * out.
 *
 * The router's parser reads them back: addr_parse("/articles/crepes.gmi",
 * {".gmi", NULL}) is an ADDR_ARTICLE with slug "crepes" and suffix ".gmi",
 * and "/articles/page/2/" with {"/", "", NULL} an ADDR_LIST of page 2.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>
#include <stdint.h>

struct site;

/* "/articles/" + slug (at most 100 + "-" + 10 digits) + suffix */
#define ADDR_SELECTOR_MAX	160
/* scheme + host (DNS names are at most 253) + port + selector */
#define ADDR_URL_MAX		512
/* a path of a capsule file, percent-encoded (3 bytes a byte) */
#define ADDR_PATH_MAX		1024
/* "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ", with room the compiler can prove */
#define ADDR_DATE_LEN		48
#define ADDR_DATETIME_LEN	80

/* Bytes a path keeps as they are (RFC 3986 pchar and "/"). */
#define ADDR_PATH_CHARS	"/-._~!$&'()*+,;=:@"

/* What a link points at. */
enum addr_kind {
	ADDR_TO_HOME,		/* the home page, root menu */
	ADDR_TO_ARTICLE,		/* an article (slug) */
	ADDR_TO_TEXT,	/* its plain text (slug) */
	ADDR_TO_LIST,		/* page N of the full list (page) */
	ADDR_TO_FEED,		/* the Atom feed */
	ADDR_TO_SEARCH,		/* the search */
	ADDR_TO_FILE,		/* an entry of a directory (dir, name) */
	ADDR_TO_PARENT,		/* the directory above (dir) */
	ADDR_TO_URL,		/* an absolute URL (name) */
	NUM_ADDR_KINDS
};

/*
 * The protocols, each with its address form: a Gemini path (Spartan's
 * too), a Gopher selector, a Nex path, an HTTP path of the HTML mirror.  proto.h's listener kinds follow
 * this order; addr_schemes names them ("gemini", in URLs, listen lines
 * and access lines) and addr_default_ports gives the port a URL omits.
 */
enum addr_proto {
	ADDR_GEMINI,
	ADDR_GOPHER,
	ADDR_SPARTAN,
	ADDR_NEX,
	ADDR_HTTP,		/* the HTML mirror (http.h, html.h) */
	NUM_ADDR_PROTOS
};

extern const char *const addr_schemes[NUM_ADDR_PROTOS];
extern const char *const addr_proto_names[NUM_ADDR_PROTOS];	/* "Gemini" */
extern const unsigned	 addr_default_ports[NUM_ADDR_PROTOS];

struct addr_target {
	enum addr_kind	 at_kind;
	const char	*at_slug;	/* ARTICLE, ARTICLE_TEXT */
	size_t		 at_page;	/* LIST, from 1 */
	const char	*at_dir;	/* FILE, PARENT: directory, "/a/b/" */
	const char	*at_name;	/* FILE: entry name; URL: the URL */
	int		 at_is_dir;	/* FILE: a directory */
};

int	 addr_has(enum addr_kind, enum addr_proto);
int	 addr_path(char *, size_t, const struct addr_target *,
	    enum addr_proto);
int	 addr_url(char *, size_t, const struct addr_target *, enum addr_proto,
	    const struct site *);
char	 addr_gopher_type(enum addr_kind);
void	 addr_pct_encode(const char *, size_t, const char *, char *,
	    size_t);
/*
 * What a path below "/articles/" names (addr_parse): an article (its slug
 * then a suffix, ".gmi", "/", ".txt" or none) or a page of the full list
 * ("page/<n>" then a suffix), the suffix telling which form is asked for.
 */
enum addr_what {
	ADDR_NONE,	/* not below /articles/ */
	ADDR_INDEX,	/* "/articles" or "/articles/" themselves */
	ADDR_ARTICLE,	/* ar_slug, ar_slen */
	ADDR_LIST,	/* ar_page, from 1; 0 for a bad number */
};

struct addr_ref {
	enum addr_what	 ar_what;
	const char	*ar_slug;	/* into the path */
	size_t		 ar_slen;
	size_t		 ar_page;
	const char	*ar_suffix;	/* into the path: "", "/", ".gmi"... */
};

void	 addr_parse(const char *, const char *const *, struct addr_ref *);
void	 addr_selector(char *, size_t, const char *, const char *);
void	 addr_base(char *, size_t, enum addr_proto, const struct site *);
void	 addr_gemini_url(char *, size_t, const struct site *, const char *);
void	 addr_gopher_url(char *, size_t, const struct site *, const char *);
void	 addr_date(char *, int64_t);
void	 addr_datetime(char *, int64_t);

#endif
