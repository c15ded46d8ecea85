/*
 * capsule: the capsule directory to a catalog (the I/O edge of the
 * source -> article -> catalog pipeline).
 *
 * Example: a directory holding 001.txt (an article), notes/ (ignored
 * here), .draft.txt (ignored), robots.txt (a well-known file) and
 * blob.txt (binary) gives a catalog of one article and two diagnostics
 *   { "capsule/blob.txt", "binary file (...)", skipped },
 *   { "capsule/robots.txt", "well-known file, ...", note }.
 * Only regular files named *.txt directly in the directory are articles,
 * and not the well-known files (wellknown.h).
 */
#ifndef CAPSULE_H
#define CAPSULE_H

#include <stddef.h>
#include <stdint.h>

struct article;
struct catalog;
struct meta;
struct stat;

enum diag_level {
	DIAG_NOTE,	/* a well-known file: served as it is, no article */
	DIAG_WARNING,	/* served anyway */
	DIAG_SKIPPED,	/* not served */
	NUM_DIAG_LEVELS
};

struct diag {
	char		*d_file;	/* path, escaped for printing, owned */
	char		*d_msg;		/* reason, escaped, owned */
	enum diag_level	 d_level;
	size_t		 d_seq;		/* order of discovery, for sorting */
};

struct diags {
	struct diag	*d_list;	/* owned */
	size_t		 d_n;
	size_t		 d_cap;
	size_t		 d_count[NUM_DIAG_LEVELS];
};

int		 capsule_is_article_name(const char *);
int		 capsule_read_article(int, const char *, struct article *,
		    struct stat *, const char **);
int		 capsule_load(int, const char *, const char *, struct diags *,
		    struct meta **, int *);
int		 capsule_unreadable(int);
void		 capsule_unresolved(struct diags *, const char *,
		    const struct catalog *, const char *);
struct catalog	*capsule_scan(const char *, struct diags *, const char **);
char		*capsule_read_intro(int, const char *, size_t *,
		    struct diags *);
void		 diags_add(struct diags *, const char *, const char *,
		    enum diag_level, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
void		 diags_sort(struct diags *);
void		 diags_free(struct diags *);
void		 diags_move(struct diags *, struct diags *);
const char	*diag_level_name(enum diag_level);

#endif
