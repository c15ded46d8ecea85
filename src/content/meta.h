/*
 * meta: what the catalog keeps of one article, made once from a parsed
 * file and then shared, read-only and reference-counted, by every
 * catalog (every snapshot) that holds the article.  A change to one file
 * makes one new meta; the other articles are carried into the next
 * snapshot by reference, not copied.
 *
 * Example: meta_new("001.txt", &article, date) for an article titled
 * "Crêpes!" with one related entry "Galettes" gives m_title "Crêpes!",
 * m_key "crepes", m_base "crepes", m_rel[0] "Galettes", m_relkey[0]
 * "galettes".
 */
#ifndef META_H
#define META_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct article;

struct meta {
	_Atomic int	 m_refs;
	const char	*m_name;	/* file name, raw bytes */
	const char	*m_title;	/* cleaned title */
	const char	*m_key;		/* full slug of the title, may be "" */
	const char	*m_base;	/* address slug before -N: the cut key,
					   else slug_from_name of m_name;
					   m_key's string when the same */
	const char	*m_lang;	/* front-matter lang or NULL */
	int64_t		 m_date;	/* UTC seconds */
	size_t		 m_nrel;	/* related entries */
	const char	**m_rel;	/* their titles */
	const char	**m_relkey;	/* their full slugs */
	int64_t		 m_mtime;	/* file's, to notice changes */
	long		 m_mtime_ns;	/* and its nanoseconds */
	off_t		 m_size;
	ino_t		 m_ino;		/* 0: not read from a capsule */
	char		*m_text;	/* its lines as published (source_pack),
					   or NULL */
	size_t		 m_textlen;
};

/*
 * Bytes of article text kept in metas, process-wide: what a served
 * article falls back on when its file can no longer be read (capsuled(8),
 * "FILES THAT CANNOT BE READ"), and what a search checks and quotes
 * without reading a file.  Past this, articles keep no text: such a
 * file's page cannot be shown until it is readable again, and a search
 * reads the files of the articles it found.  About 20,000 articles of
 * 3 KB.
 */
#define META_TEXT_MAX	(64u * 1024 * 1024)

struct meta	*meta_new(const char *, const struct article *, int64_t);
void		 meta_ref(struct meta *);
void		 meta_unref(struct meta *);
int		 meta_keep_text(struct meta *, const struct article *);
int		 meta_article(const struct meta *, struct article *,
		    const char **);

#endif
