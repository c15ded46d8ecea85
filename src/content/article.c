#include <string.h>

#include "article.h"

#define READ_MORE	"READ MORE"

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * key-value = key ":" value
 * key       = ALPHA *( ALPHA / DIGIT / "_" / "-" )
 * Returns the key length, or 0 when the line is not of that form.
 */
static size_t
fm_key(const char *s)
{
	size_t	 i;

	if (!is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != ':'; i++)
		if (!is_alpha((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return i;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
int64_t
article_days_from_civil(int y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* date = 4DIGIT "-" 2DIGIT "-" 2DIGIT, a real calendar date, year >= 1 */
int
article_parse_date(const char *s, int64_t *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 i, y, m, d, leap;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !is_digit(s[i]))
			return -1;
	if (s[10] != '\0')
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return -1;
	*t = article_days_from_civil(y, m, d) * 86400;
	return 0;
}

/* lang = 2*8ALPHA *( "-" 1*8( ALPHA / DIGIT ) ) */
int
article_valid_lang(const char *s)
{
	size_t	 i, n;

	if (strlen(s) > ARTICLE_LANG_MAX)
		return 0;
	for (n = 0; is_alpha((unsigned char)s[n]); n++)
		;
	if (n < 2 || n > 8)
		return 0;
	for (i = n; s[i] != '\0'; i += n) {
		if (s[i++] != '-')
			return 0;
		for (n = 0; is_alpha((unsigned char)s[i + n]) ||
		    is_digit((unsigned char)s[i + n]); n++)
			;
		if (n < 1 || n > 8)
			return 0;
	}
	return 1;
}

static void
warn(struct article *a, const char *what, const char *value)
{
	if (a->a_nwarn < ARTICLE_MAXWARN) {
		a->a_warn[a->a_nwarn].aw_what = what;
		a->a_warn[a->a_nwarn].aw_value = value;
		a->a_nwarn++;
	}
}

static void
fm_apply(struct article *a, const char *line, size_t klen)
{
	const char	*v = line + klen + 1;

	while (*v == ' ')
		v++;
	if (klen == 4 && strncasecmp(line, "date", 4) == 0) {
		if (article_parse_date(v, &a->a_date) == 0)
			a->a_has_date = 1;
		else {
			a->a_has_date = 0;
			warn(a, "date", v);
		}
	} else if (klen == 4 && strncasecmp(line, "lang", 4) == 0) {
		if (article_valid_lang(v))
			a->a_lang = v;
		else {
			a->a_lang = NULL;
			warn(a, "lang", v);
		}
	}
}

/*
 * Front matter (1.4): L[0] is "---", one of L[1..21] is "---", and
 * every line between is key:value.  Returns how many lines it takes,
 * or 0 when there is none (and then nothing is applied).
 */
static size_t
front_matter(struct article *a, char * const *l, size_t n)
{
	size_t	 i, end;

	if (strcmp(l[0], "---") != 0)
		return 0;
	for (end = 1; end < n && end <= ARTICLE_FM_LINES; end++)
		if (strcmp(l[end], "---") == 0)
			break;
	if (end >= n || end > ARTICLE_FM_LINES)
		return 0;
	for (i = 1; i < end; i++)
		if (fm_key(l[i]) == 0)
			return 0;
	for (i = 1; i < end; i++)
		fm_apply(a, l[i], fm_key(l[i]));
	return end + 1;
}

/*
 * Title, body and related block (1.5): the block is the run of complete
 * (title, summary, "READ MORE") triples at the very end, found walking
 * backwards; what lies between the title and the block is the body.
 * Takes ownership of t, also on failure.
 */
int
article_parse(struct article *a, struct text *t, const char **errstr)
{
	char	**l;
	size_t	  n, skip, i;

	memset(a, 0, sizeof(*a));
	a->a_text = *t;
	memset(t, 0, sizeof(*t));
	l = a->a_text.t_line;
	n = a->a_text.t_nline;

	skip = n > 0 ? front_matter(a, l, n) : 0;
	l += skip;
	n -= skip;
	if (n == 0) {
		article_free(a);
		*errstr = skip ? "no title after the front matter" :
		    "no text (only blank lines)";
		return -1;
	}
	a->a_title = l[0];
	i = n;
	while (i >= 4 && strcmp(l[i - 1], READ_MORE) == 0 &&
	    strcmp(l[i - 2], READ_MORE) != 0 &&
	    strcmp(l[i - 3], READ_MORE) != 0)
		i -= 3;
	a->a_para = l + 1;
	a->a_npara = i - 1;
	a->a_rel = l + i;
	a->a_nrel = (n - i) / 3;
	return 0;
}

/* Bytes to article: the checks of section 6, decoding, parsing. */
int
article_load(struct article *a, const char *buf, size_t len,
    const char **errstr)
{
	struct text	 t;

	memset(a, 0, sizeof(*a));
	if (source_check(buf, len, errstr) == -1 ||
	    source_decode(buf, len, &t, errstr) == -1)
		return -1;
	return article_parse(a, &t, errstr);
}

void
article_free(struct article *a)
{
	source_free(&a->a_text);
	memset(a, 0, sizeof(*a));
}
