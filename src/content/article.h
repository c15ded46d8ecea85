/*
 * article: clean lines to an article (capsuled(8), FORMAT).
 *
 * Example, after source_decode:
 *   "---" "date: 2023-11-02" "---" "What Is Gemini?" "Gemini is ..."
 *   "Writing Gemtext" "Headings, links ..." "READ MORE"
 * gives the title "What Is Gemini?", one paragraph, one related entry
 * (title "Writing Gemtext", summary "Headings, links ...") and the date
 * 2023-11-02T00:00:00Z.  Every string points into a_text.
 */
#ifndef ARTICLE_H
#define ARTICLE_H

#include <stddef.h>
#include <stdint.h>

#include "source.h"

/* Front matter: the closing --- must be among the next 21 lines. */
#define ARTICLE_FM_LINES	21
/* Longest language tag we keep ("en-GB", "zh-Hant-TW", ...). */
#define ARTICLE_LANG_MAX	35
#define ARTICLE_MAXWARN		4

struct article_warning {
	const char	*aw_what;	/* "date", "lang": static */
	const char	*aw_value;	/* the value ignored, into a_text */
};

struct article {
	struct text	 a_text;	/* owns every string below */
	const char	*a_title;
	char	* const	*a_para;	/* paragraphs, into a_text.t_line */
	size_t		 a_npara;
	char	* const	*a_rel;		/* related entries: title, summary,
					   "READ MORE" triples */
	size_t		 a_nrel;	/* number of entries (triples) */
	int64_t		 a_date;	/* front-matter date, UTC seconds */
	int		 a_has_date;
	const char	*a_lang;	/* front-matter lang or NULL */
	struct article_warning a_warn[ARTICLE_MAXWARN];
	size_t		 a_nwarn;
};

#define article_rel_title(a, k)		((a)->a_rel[3 * (k)])
#define article_rel_summary(a, k)	((a)->a_rel[3 * (k) + 1])

int	 article_parse(struct article *, struct text *, const char **);
int	 article_load(struct article *, const char *, size_t, const char **);
void	 article_free(struct article *);
int	 article_parse_date(const char *, int64_t *);
int	 article_valid_lang(const char *);
int64_t	 article_days_from_civil(int, int, int);

#endif
