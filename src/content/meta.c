#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "meta.h"
#include "slug.h"
#include "source.h"

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
 * The slugs of a's title (its key, then its address base) and of its
 * related titles, made into one scratch block, each with its NUL: what
 * they turn out to need is known only once they are made (SLUG_ROOM is
 * the worst case, about twice the input).  NULL when out of memory.
 */
static char *
slugs_make(const char *name, const struct article *a)
{
	size_t		 nname = strlen(name), ntitle = strlen(a->a_title);
	size_t		 base_in = ntitle > nname ? ntitle : nname, k, size;
	size_t		 nkey;
	char		*s, *p;

	size = SLUG_ROOM(ntitle) + SLUG_ROOM(base_in);
	for (k = 0; k < a->a_nrel; k++)
		size += SLUG_ROOM(strlen(article_rel_title(a, k)));
	if ((s = malloc(size)) == NULL)
		return NULL;
	nkey = slug_make(a->a_title, ntitle, s);
	p = memcpy(s + nkey + 1, s, nkey + 1);
	if (slug_cut(p, nkey) == 0)
		slug_from_name(name, nname, p);
	p += strlen(p) + 1;
	for (k = 0; k < a->a_nrel; k++) {
		const char *t = article_rel_title(a, k);

		p += slug_make(t, strlen(t), p) + 1;
	}
	return s;
}

/*
 * One allocation holds the struct, the two pointer arrays and every
 * string, sized to what they use (the text, when kept, is a second
 * one): with 200,000 articles, the worst-case room of the slugs would
 * cost some 40 MB.  The address base is most often the key itself (a
 * title slug of at most SLUG_MAX characters): then they share it.
 */
struct meta *
meta_new(const char *name, const struct article *a, int64_t date)
{
	struct meta	*m = NULL;
	size_t		 nlang = a->a_lang ? strlen(a->a_lang) : 0, k, size;
	const char	*sl, *base;
	char		*slugs, *p;
	int		 same;

	if ((slugs = slugs_make(name, a)) == NULL)
		return NULL;
	base = slugs + strlen(slugs) + 1;
	same = strcmp(slugs, base) == 0;	/* uncut: one copy */
	size = sizeof(*m) + 2 * a->a_nrel * sizeof(char *) + strlen(name) +
	    1 + strlen(a->a_title) + 1 + nlang + 1;
	for (k = 0, sl = slugs; k < a->a_nrel + 2; k++) {
		if (k != 1 || !same)
			size += strlen(sl) + 1;
		sl += strlen(sl) + 1;
	}
	for (k = 0; k < a->a_nrel; k++)
		size += strlen(article_rel_title(a, k)) + 1;
	if ((m = calloc(1, size)) == NULL)
		goto done;
	atomic_init(&m->m_refs, 1);
	m->m_nrel = a->a_nrel;
	m->m_rel = (const char **)(m + 1);
	m->m_relkey = m->m_rel + a->a_nrel;
	p = (char *)(m->m_relkey + a->a_nrel);
	m->m_name = put(&p, name, strlen(name));
	m->m_title = put(&p, a->a_title, strlen(a->a_title));
	m->m_key = put(&p, slugs, strlen(slugs));
	m->m_base = same ? m->m_key : put(&p, base, strlen(base));
	sl = base + strlen(base) + 1;
	if (a->a_lang != NULL)
		m->m_lang = put(&p, a->a_lang, nlang);
	for (k = 0; k < a->a_nrel; k++) {
		const char *t = article_rel_title(a, k);

		m->m_rel[k] = put(&p, t, strlen(t));
		m->m_relkey[k] = put(&p, sl, strlen(sl));
		sl += strlen(sl) + 1;
	}
	m->m_date = date;
 done:
	free(slugs);
	return m;
}

/* Bytes held in m_text by every meta (META_TEXT_MAX). */
static _Atomic size_t	 kept_bytes;

/*
 * Keep in m the lines of the article it was made from (packed: the same
 * article again, parsed anew, for meta_article); -1 when that would pass
 * META_TEXT_MAX or memory ran out.  Before m is shared only.
 */
int
meta_keep_text(struct meta *m, const struct article *a)
{
	char	*p;
	size_t	 len;

	if (atomic_load(&kept_bytes) >= META_TEXT_MAX ||
	    (p = source_pack(&a->a_text, &len)) == NULL)
		return -1;
	if (atomic_fetch_add(&kept_bytes, len) + len > META_TEXT_MAX) {
		atomic_fetch_sub(&kept_bytes, len);
		free(p);
		return -1;
	}
	m->m_text = p;
	m->m_textlen = len;
	return 0;
}

/*
 * The article m kept the text of (meta_keep_text), parsed into a (free
 * it with article_free): 0, or -1 when m kept none or memory ran out.
 */
int
meta_article(const struct meta *m, struct article *a, const char **errstr)
{
	struct text	 t;

	memset(a, 0, sizeof(*a));
	if (m->m_text == NULL) {
		*errstr = "its text was not kept";
		return -1;
	}
	if (source_unpack(m->m_text, m->m_textlen, &t, errstr) == -1)
		return -1;
	return article_parse(a, &t, errstr);
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
	if (m->m_text != NULL) {
		atomic_fetch_sub(&kept_bytes, m->m_textlen);
		free(m->m_text);
	}
	free(m);
}
