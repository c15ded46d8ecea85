/*
 * The well-known files (wellknown.h).  Only names a client or crawler
 * fetches by itself belong here: each one taken is a name an article
 * file can no longer have.  ".well-known/security.txt" cannot be one,
 * since names beginning with "." are never served; RFC 9116 allows the
 * top-level security.txt instead.
 */
#include <string.h>

#include "wellknown.h"

static const struct wellknown files[] = {
	{ "robots.txt",		"rules for crawlers" },
	{ "favicon.txt",	"the capsule's icon (one emoji)" },
	{ "security.txt",	"how to report a vulnerability (RFC 9116)" },
};

/* The entry of a name at the top of a capsule, or NULL. */
const struct wellknown *
wellknown_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(name, files[i].wk_name) == 0)
			return &files[i];
	return NULL;
}
