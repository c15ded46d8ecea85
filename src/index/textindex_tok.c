/*
 * textindex_tok.c: text to terms.  Tokens (letters and digits of any
 * script, apostrophes inside words), folded to lower case without
 * accents, English stop words dropped, the rest stemmed by Snowball;
 * textindex_terms shows a text's terms.
 */
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "buf.h"
#include "textindex.h"
#include "textindex_int.h"

/* English stop words, in strcmp order, apostrophes as U+0027. */
static const char *const stopwords[] = {
	"a", "about", "above", "after", "again", "against", "all", "also",
	"am", "an", "and", "any", "are", "aren't", "as", "at", "be",
	"because", "been", "before", "being", "below", "between", "both",
	"but", "by", "can", "can't", "cannot", "could", "couldn't", "did",
	"didn't", "do", "does", "doesn't", "doing", "don't", "down",
	"during", "each", "either", "etc", "few", "for", "from", "further",
	"had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he",
	"he'd", "he'll", "he's", "her", "here", "here's", "hers", "herself",
	"him", "himself", "his", "how", "how's", "however", "i", "i'd",
	"i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it",
	"it'd", "it'll", "it's", "its", "itself", "just", "let's", "may",
	"me", "might", "mightn't", "more", "most", "must", "mustn't", "my",
	"myself", "neither", "no", "nor", "not", "now", "of", "off", "often",
	"on", "once", "only", "or", "other", "ought", "our", "ours",
	"ourselves", "out", "over", "own", "per", "rather", "same", "shall",
	"shan't", "she", "she'd", "she'll", "she's", "should", "shouldn't",
	"so", "some", "such", "than", "that", "that's", "the", "their",
	"theirs", "them", "themselves", "then", "there", "there's", "these",
	"they", "they'd", "they'll", "they're", "they've", "this", "those",
	"through", "thus", "to", "too", "under", "until", "up", "upon", "us",
	"very", "via", "was", "wasn't", "we", "we'd", "we'll", "we're",
	"we've", "were", "weren't", "what", "what's", "when", "when's",
	"where", "where's", "whether", "which", "while", "who", "who's",
	"whom", "whose", "why", "why's", "will", "with", "won't", "would",
	"wouldn't", "yet", "you", "you'd", "you'll", "you're", "you've",
	"your", "yours", "yourself", "yourselves"
};


static inline int
ascii_alnum(unsigned int c)
{
	return (c | 0x20) - 'a' < 26u || c - '0' < 10u;
}

/* The length of the letter or digit at p, else 0. */
static size_t
word_char(const uint8_t *p, const uint8_t *end, ucs4_t *uc)
{
	int	 n;

	if (p >= end)
		return 0;
	if (*p < 0x80) {
		*uc = *p;
		return ascii_alnum(*p);
	}
	n = u8_mbtouc(uc, p, (size_t)(end - p));
	return uc_is_alpha(*uc) || uc_is_digit(*uc) ? (size_t)n : 0;
}

void
textindex_tok_init(struct tok *tk, const char *s, size_t n)
{
	tk->tk_p = (const uint8_t *)s;
	tk->tk_end = tk->tk_p + n;
	tk->tk_len = 0;
}

/*
 * A token of more than ASCII without its accents: decomposed (NFD), the
 * combining diacritical marks U+0300..U+036F (the accents of Latin,
 * Greek and Cyrillic letters) dropped, composed again (NFC), so that
 * "Crème", "creme" and "cre\u0300me" are one word.  Other marks stay.
 * The length, 0 when it does not fit.
 */
static size_t
tok_fold(char *buf, size_t len)
{
	uint8_t	 dec[TOK_BUF * 3], out[TOK_BUF], *d, *r;
	size_t	 n = sizeof(dec), i, o = 0, m = sizeof(out);
	ucs4_t	 uc;
	int	 k;

	if ((d = u8_normalize(UNINORM_NFD, (const uint8_t *)buf, len, dec,
	    &n)) == NULL)
		return 0;
	for (i = 0; i < n; i += (size_t)k) {
		k = u8_mbtouc(&uc, d + i, n - i);
		if (uc < 0x300 || uc > 0x36f) {
			memmove(d + o, d + i, (size_t)k);
			o += (size_t)k;
		}
	}
	r = u8_normalize(UNINORM_NFC, d, o, out, &m);
	if (d != dec)
		free(d);
	if (r != out) {
		free(r);
		return 0;
	}
	if (m > TEXTINDEX_TOKEN_MAX)
		return 0;
	memcpy(buf, out, m);
	return m;
}

/* The first letter or digit from p on, else end. */
static const uint8_t *
skip_sep(const uint8_t *p, const uint8_t *end)
{
	ucs4_t	 uc;
	int	 n;

	while (p < end) {
		if (*p < 0x80) {
			if (ascii_alnum(*p))
				break;
			p++;
			continue;
		}
		n = u8_mbtouc(&uc, p, (size_t)(end - p));
		if (uc_is_alpha(uc) || uc_is_digit(uc))
			break;
		p += n;
	}
	return p;
}

/*
 * The next token: a run of letters and digits (Unicode), combining marks
 * and apostrophes (' or ’, kept as ') between letters, lower-cased.
 * Tokens of one byte and longer than TEXTINDEX_TOKEN_MAX are skipped.
 */
int
textindex_tok_next(struct tok *tk)
{
	const uint8_t	*p = tk->tk_p, *end = tk->tk_end;
	char		*b = tk->tk_buf;
	size_t		 len, n;
	ucs4_t		 uc, next;
	int		 wide, toolong, k;

	for (;;) {
		if ((p = skip_sep(p, end)) >= end) {
			tk->tk_p = p;
			return 0;
		}
		tk->tk_start = p;
		len = 0;
		wide = toolong = 0;
		while (p < end) {
			if (*p < 0x80) {
				if (ascii_alnum(*p))
					uc = *p >= 'A' ? *p | 0x20 : *p;
				else if (*p == '\'' &&
				    word_char(p + 1, end, &next))
					uc = '\'';
				else
					break;
				if (len < TEXTINDEX_TOKEN_MAX)
					b[len++] = (char)uc;
				else
					toolong = 1;
				p++;
				continue;
			}
			n = (size_t)u8_mbtouc(&uc, p, (size_t)(end - p));
			if (uc == 0x2019 && word_char(p + n, end, &next))
				uc = '\'';
			else if (uc_is_alpha(uc) || uc_is_digit(uc)) {
				uc = uc_tolower(uc);
				wide = 1;
			} else if (uc_is_general_category(uc, UC_CATEGORY_M))
				wide = 1;
			else
				break;
			if ((k = u8_uctomb((uint8_t *)b + len, uc,
			    TEXTINDEX_TOKEN_MAX - len)) > 0)
				len += (size_t)k;
			else
				toolong = 1;
			p += n;
		}
		if (toolong || len < 2 ||
		    (wide && (len = tok_fold(b, len)) < 2))
			continue;
		b[len] = '\0';
		tk->tk_len = len;
		tk->tk_p = p;
		return 1;
	}
}

static int
cmp_stop(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int
is_stop(const char *tok)
{
	return bsearch(tok, stopwords, sizeof(stopwords) / sizeof(stopwords[0]),
	    sizeof(stopwords[0]), cmp_stop) != NULL;
}

/*
 * The term of a token: 1 and its stem (*n bytes at *t, the stemmer's),
 * 0 for a stop word, -1 when the stemmer runs out of memory.
 */
int
textindex_term_of(struct sb_stemmer *st, const struct tok *tk, const char **t,
    size_t *n)
{
	const sb_symbol	*s;

	if (is_stop(tk->tk_buf))
		return 0;
	if ((s = sb_stemmer_stem(st, (const sb_symbol *)tk->tk_buf,
	    (int)tk->tk_len)) == NULL)
		return -1;
	*t = (const char *)s;
	*n = (size_t)sb_stemmer_length(st);
	return *n > 0;
}

struct sb_stemmer *
textindex_stemmer_new(void)
{
	return sb_stemmer_new("english", "UTF_8");
}

int
textindex_terms(const char *s, size_t n, struct buf *out)
{
	struct sb_stemmer *st;
	struct tok	 tk;
	const char	*t;
	size_t		 len;
	int		 count = 0, r = 0;

	if ((st = textindex_stemmer_new()) == NULL)
		return -1;
	textindex_tok_init(&tk, s, n);
	while (r != -1 && textindex_tok_next(&tk)) {
		if ((r = textindex_term_of(st, &tk, &t, &len)) != 1)
			continue;
		if (count++ > 0)
			buf_addc(out, ' ');
		buf_add(out, t, len);
	}
	sb_stemmer_delete(st);
	return out->b_failed || r == -1 ? -1 : count;
}
