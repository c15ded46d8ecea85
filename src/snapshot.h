/*
 * snapshot: one immutable, reference-counted view of a capsule that the
 * network side serves from: the catalog, the home page introduction, the
 * site settings and a descriptor of the capsule directory.  Pages are
 * rendered from the source files through this API; the network code
 * never opens a path itself.
 *
 * Example: s = snapshot_build("capsule", &site, &diags, &errstr);
 * snapshot_acquire(s) per connection, snapshot_release(s) when done;
 * the last release frees it.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "site.h"

struct buf;
struct catalog;
struct diags;

enum snap_format {
	SNAP_GEMTEXT,
	SNAP_GOPHER_MENU,
	SNAP_GOPHER_TEXT,
	NUM_SNAP_FORMATS
};

struct snapshot {
	_Atomic int	 sn_refs;
	int		 sn_dirfd;	/* the capsule directory */
	char		*sn_dir;	/* its path, for logs */
	struct catalog	*sn_cat;
	struct site	 sn_site;	/* strings are sn_strings' */
	char		*sn_strings;	/* owned copies of the site's strings */
	char		*sn_intro;	/* index.gmi for the home page, or NULL */
	size_t		 sn_introlen;
};

struct snapshot	*snapshot_new(const char *, int, struct catalog *,
		    const struct site *, const char *, size_t);
struct snapshot	*snapshot_build(const char *, const struct site *,
		    struct diags *, const char **);
void		 snapshot_acquire(struct snapshot *);
void		 snapshot_release(struct snapshot *);
int		 snapshot_article(const struct snapshot *, size_t,
		    enum snap_format, struct buf *, const char **);
int		 snapshot_open(const struct snapshot *, int, const char *,
		    int, const char **);

#endif
