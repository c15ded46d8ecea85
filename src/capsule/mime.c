#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <magic.h>

#include "mime.h"

struct mime {
	magic_t	 m_cookie;	/* libmagic, database loaded at start-up */
};

/*
 * Types decided by the name alone: the ones libmagic cannot know
 * (text/gemini) or names wrongly (it sees XML, not Atom), and common
 * ones where the extension is the author's clear intent.
 */
static const struct {
	const char	*ext;
	const char	*type;
} by_ext[] = {
	{ ".gmi",	"text/gemini; charset=utf-8" },
	{ ".gemini",	"text/gemini; charset=utf-8" },
	{ ".atom",	"application/atom+xml" },
	{ ".xml",	"application/xml" },
	{ ".css",	"text/css" },
	{ ".svg",	"image/svg+xml" },
	{ ".json",	"application/json" },
};

const char *
mime_by_extension(const char *name)
{
	size_t	 i, n = strlen(name), e;

	for (i = 0; i < sizeof(by_ext) / sizeof(by_ext[0]); i++) {
		e = strlen(by_ext[i].ext);
		if (n > e && strcasecmp(name + n - e, by_ext[i].ext) == 0)
			return by_ext[i].type;
	}
	return NULL;
}

/* Load the magic database now: later the sandbox may forbid reading it. */
struct mime *
mime_open(const char **errstr)
{
	struct mime	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	m->m_cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING |
	    MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR | MAGIC_ERROR);
	if (m->m_cookie == NULL || magic_load(m->m_cookie, NULL) == -1) {
		*errstr = m->m_cookie ? magic_error(m->m_cookie) :
		    "magic_open failed";
		mime_close(m);
		return NULL;
	}
	return m;
}

void
mime_close(struct mime *m)
{
	if (m == NULL)
		return;
	if (m->m_cookie != NULL)
		magic_close(m->m_cookie);
	free(m);
}

/*
 * The type of an open file called name into out.  libmagic answers
 * "text/plain; charset=us-ascii"; binary types come with "charset=binary",
 * which is dropped.  Unknown: application/octet-stream.
 */
void
mime_of(struct mime *m, const char *name, int fd, char *out, size_t n)
{
	const char	*t = mime_by_extension(name), *semi;
	size_t		 len;

	if (t == NULL && m != NULL)
		t = magic_descriptor(m->m_cookie, fd);
	if (t == NULL || strncmp(t, "application/octet-stream", 24) == 0 ||
	    strchr(t, '/') == NULL) {
		snprintf(out, n, "application/octet-stream");
		return;
	}
	if ((semi = strstr(t, "; charset=binary")) != NULL)
		len = (size_t)(semi - t);
	else
		len = strlen(t);
	if (strncmp(t, "text/", 5) == 0 && strstr(t, "charset=us-ascii"))
		snprintf(out, n, "%.*s; charset=utf-8",
		    (int)(strchr(t, ';') - t), t);
	else
		snprintf(out, n, "%.*s", (int)len, t);
}
