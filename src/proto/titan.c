/*
 * titan.c: the Titan request line (titan.h).
 *
 * request = titan-URL *( ";" key "=" value ) CRLF
 * The URL is read as a Gemini URL of scheme "titan" (gemini.c); the
 * parameters start at the first ';' after the authority, in any order:
 * size (required, decimal digits only), mime, token; others ignored.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "titan.h"
#include "utf8.h"
#include "wellknown.h"

#define SCHEME		"titan://"

/* Does the line speak Titan (scheme "titan", any case)? */
int
titan_is_titan(const char *line, size_t len)
{
	return len >= sizeof(SCHEME) - 1 &&
	    strncasecmp(line, SCHEME, sizeof(SCHEME) - 1) == 0;
}

/* size=N: digits only (no sign, no "0x", no exponent), at most 12. */
static int
parse_size(const char *v, size_t n, uint64_t *out, const char **errstr)
{
	size_t	 i;

	*out = 0;
	if (n == 0 || n > TITAN_SIZE_DIGITS) {
		*errstr = n == 0 ? "size is empty" : "size is too large";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9') {
			*errstr = "size is not a decimal number";
			return -1;
		}
		*out = *out * 10 + (uint64_t)(v[i] - '0');
	}
	return 0;
}

/* A value into out (room m + 1): printable ASCII only. */
static int
copy_value(const char *v, size_t n, char *out, size_t m, const char *what,
    const char **errstr)
{
	size_t	 i;

	if (n > m) {
		*errstr = what[0] == 'm' ? "mime is too long" :
		    "token is too long";
		return -1;
	}
	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] >= 0x7f) {
			*errstr = what[0] == 'm' ? "mime is not printable "
			    "ASCII" : "token is not printable ASCII";
			return -1;
		}
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* The parameters p[0..n): each "key=value", separated by ';'. */
static int
parse_params(const char *p, size_t n, struct titan_request *r,
    const char **errstr)
{
	const char	*end = p + n, *semi, *eq;
	size_t		 kn, vn;
	int		 have_size = 0, have_mime = 0;

	while (p <= end) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		eq = memchr(p, '=', (size_t)(semi - p));
		kn = eq != NULL ? (size_t)(eq - p) : (size_t)(semi - p);
		vn = eq != NULL ? (size_t)(semi - eq - 1) : 0;
		if (kn == 4 && strncmp(p, "size", 4) == 0) {
			if (have_size++ || eq == NULL) {
				*errstr = eq == NULL ? "size has no value" :
				    "size given twice";
				return 59;
			}
			if (parse_size(eq + 1, vn, &r->tr_size, errstr) == -1)
				return 59;
		} else if (kn == 4 && strncmp(p, "mime", 4) == 0) {
			if (have_mime++ || (eq != NULL && copy_value(eq + 1,
			    vn, r->tr_mime, TITAN_MIME_MAX, "mime",
			    errstr) == -1)) {
				if (have_mime > 1)
					*errstr = "mime given twice";
				return 59;
			}
		} else if (kn == 5 && strncmp(p, "token", 5) == 0) {
			if (r->tr_has_token++ || (eq != NULL && copy_value(
			    eq + 1, vn, r->tr_token, TITAN_TOKEN_MAX, "token",
			    errstr) == -1)) {
				if (r->tr_has_token > 1)
					*errstr = "token given twice";
				return 59;
			}
		}
		p = semi + 1;
	}
	if (!have_size) {
		*errstr = "size missing";
		return 59;
	}
	return 0;
}

/*
 * Parse one Titan request line (without its CRLF).  0, or the status to
 * answer: 59 malformed, 53 another scheme; *errstr says why.  The host
 * and port are the caller's to check (gemini_host_ok).
 */
int
titan_parse(const char *line, size_t len, struct titan_request *r,
    const char **errstr)
{
	const char	*path, *semi;
	size_t		 ulen;
	int		 s;

	memset(r, 0, sizeof(*r));
	if (!titan_is_titan(line, len)) {
		*errstr = "scheme not served here";
		return 53;
	}
	if (len > GEMINI_URI_MAX || !utf8_valid(line, len) ||
	    utf8_has_controls(line, len)) {
		*errstr = len > GEMINI_URI_MAX ? "request longer than 1024 "
		    "bytes" : "control character or invalid UTF-8";
		return 59;
	}
	path = memchr(line + sizeof(SCHEME) - 1, '/',
	    len - (sizeof(SCHEME) - 1));
	semi = memchr(line + sizeof(SCHEME) - 1, ';',
	    len - (sizeof(SCHEME) - 1));
	if (semi == NULL || path == NULL || semi < path) {
		*errstr = semi == NULL ? "size missing" : "no path";
		return 59;
	}
	ulen = (size_t)(semi - line);
	if ((s = gemini_parse_scheme(line, ulen, "titan", &r->tr_url,
	    errstr)) != 0)
		return s;
	if (r->tr_url.gr_has_query) {
		*errstr = "query not allowed";
		return 59;
	}
	return parse_params(semi + 1, len - ulen - 1, r, errstr);
}

/* Does name end in suffix? */
static int
ends(const char *name, const char *suffix)
{
	size_t	 n = strlen(name), m = strlen(suffix);

	return n >= m && strcasecmp(name + n - m, suffix) == 0;
}

/*
 * What a decoded path (gemini_parse's: no "..", no empty segment) names:
 * the same files a Gemini request could read, never a directory, a
 * dotfile (the history and temporary files are dotfiles) or a key.
 */
enum titan_kind
titan_path_kind(const char *path, const char **errstr)
{
	const char	*seg, *base = strrchr(path, '/');
	size_t		 n = strlen(path);

	if (n == 0 || path[n - 1] == '/' || base == NULL) {
		*errstr = "a directory cannot be written";
		return TITAN_REFUSED;
	}
	for (seg = path; seg != NULL; seg = strchr(seg + 1, '/'))
		if (seg[1] == '.') {
			*errstr = "dotfiles cannot be written";
			return TITAN_REFUSED;
		}
	if (ends(path, ".pem") || ends(path, ".key") || ends(path, ".crt")) {
		*errstr = "keys and certificates cannot be written";
		return TITAN_REFUSED;
	}
	if (base == path && ends(path, ".txt") && strcmp(path + n - 4,
	    ".txt") == 0 && wellknown_find(path + 1) == NULL)
		return TITAN_ARTICLE;
	return TITAN_FILE;
}
