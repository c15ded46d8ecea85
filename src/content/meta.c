#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "meta.h"
#include "slug.h"

/* Copy s into the block at *p, advance *p. */
static const char *
put(char **p, const char *s, size_t n)
{
	char	*d = *p;

	memcpy(d, s, n);
	d[n] = '\0';
	*p += n + 1;
	return d;
}

/*
 * One allocation holds the struct, the two pointer arrays and every
 * string (the source, when kept, is a second one).
 */
struct meta *
meta_new(const char *name, const struct article *a, int64_t date)
{
	struct meta	*m;
	size_t		 nname = strlen(name), ntitle = strlen(a->a_title);
	size_t		 nlang = a->a_lang ? strlen(a->a_lang) : 0, k, size;
	size_t		 base_in = ntitle > nname ? ntitle : nname;
	char		*p;

	size = sizeof(*m) + 2 * a->a_nrel * sizeof(char *) + nname + 1 +
	    ntitle + 1 + SLUG_ROOM(ntitle) + SLUG_ROOM(base_in) + nlang + 1;
	for (k = 0; k < a->a_nrel; k++) {
		size_t tn = strlen(article_rel_title(a, k));

		size += tn + 1 + SLUG_ROOM(tn);
	}
	if ((m = calloc(1, size)) == NULL)
		return NULL;
	atomic_init(&m->m_refs, 1);
	m->m_nrel = a->a_nrel;
	m->m_rel = (const char **)(m + 1);
	m->m_relkey = m->m_rel + a->a_nrel;
	p = (char *)(m->m_relkey + a->a_nrel);
	m->m_name = put(&p, name, nname);
	m->m_title = put(&p, a->a_title, ntitle);
	m->m_key = p;
	p += slug_make(a->a_title, ntitle, p) + 1;
	m->m_base = p;
	if (slug_cut(strcpy(p, m->m_key), strlen(m->m_key)) == 0)
		slug_from_name(name, nname, p);
	p += strlen(p) + 1;
	if (a->a_lang != NULL)
		m->m_lang = put(&p, a->a_lang, nlang);
	for (k = 0; k < a->a_nrel; k++) {
		const char *t = article_rel_title(a, k);
		size_t tn = strlen(t);

		m->m_rel[k] = put(&p, t, tn);
		m->m_relkey[k] = p;
		p += slug_make(t, tn, p) + 1;
	}
	m->m_date = date;
	return m;
}

/* Bytes held in m_src by every meta (META_SOURCE_MAX). */
static _Atomic size_t	 kept_bytes;

/*
 * Give m the source it was made from (malloc'd, len bytes: m owns it
 * from now on, whatever the answer); -1 when that would pass
 * META_SOURCE_MAX, and the bytes are freed.  Before m is shared only.
 */
int
meta_keep_source(struct meta *m, char *src, size_t len)
{
	if (atomic_fetch_add(&kept_bytes, len) + len > META_SOURCE_MAX) {
		atomic_fetch_sub(&kept_bytes, len);
		free(src);
		return -1;
	}
	m->m_src = src;
	m->m_srclen = len;
	return 0;
}

void
meta_ref(struct meta *m)
{
	atomic_fetch_add(&m->m_refs, 1);
}

void
meta_unref(struct meta *m)
{
	if (m == NULL || atomic_fetch_sub(&m->m_refs, 1) != 1)
		return;
	if (m->m_src != NULL) {
		atomic_fetch_sub(&kept_bytes, m->m_srclen);
		free(m->m_src);
	}
	free(m);
}
