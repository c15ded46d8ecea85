#include <stdlib.h>
#include <string.h>

#include "site.h"

/*
 * A copy of a site whose strings live in one block *mem (to free): a
 * snapshot or a live capsule outlives the configuration that made it.
 */
int
site_copy(struct site *to, const struct site *from, char **mem)
{
	const char	**f[] = { &to->s_title, &to->s_lang, &to->s_host,
			    &to->s_gopher_host };
	size_t		  i, n = 0;
	char		 *p;

	*to = *from;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		n += *f[i] ? strlen(*f[i]) + 1 : 0;
	if ((p = *mem = malloc(n + 1)) == NULL)
		return -1;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (*f[i] != NULL) {
			n = strlen(*f[i]) + 1;
			memcpy(p, *f[i], n);
			*f[i] = p;
			p += n;
		}
	return 0;
}

