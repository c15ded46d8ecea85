/*
 * config_keys.c: the keys of capsuled.conf in one table (name, scope,
 * setter, range or words), and what checks a value and stores it in
 * the struct config being built: numbers, words, strings, names,
 * listen lines, hosts and aliases.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unictype.h>

#include "article.h"
#include "config.h"
#include "config_int.h"
#include "discover.h"
#include "utf8.h"

const char *const config_log_words[NUM_CONF_LOGS] = {
	[CONF_LOG_STDERR] = "stderr",
	[CONF_LOG_SYSLOG] = "syslog",
};

const char *const config_level_words[NUM_CONF_LEVELS] = {
	[CONF_LEVEL_ERROR] = "error",
	[CONF_LEVEL_WARNING] = "warning",
	[CONF_LEVEL_INFO] = "info",
	[CONF_LEVEL_DEBUG] = "debug",
};

/* Indexed by cf_gopher_strict. */
const char *const config_text_words[2] = { "raw", "strict" };

/* Indexed by cf_limit_loopback and cf_log_addresses. */
const char *const config_yesno_words[2] = { "no", "yes" };

static int	 set_listen(struct parser *, enum key, char *);
static int	 set_value(struct parser *, enum key, char *);
static int	 set_string(struct parser *, enum key, char *);
static int	 set_host(struct parser *, enum key, char *);
static int	 set_alias(struct parser *, enum key, char *);
static int	 set_author(struct parser *, enum key, char *);


#define NUMBER(lo, hi)	set_value, lo, hi, NULL, 0, NULL
#define WORD(w, text)	set_value, 0, 0, WORDS(w), text
#define STRING		set_string, 0, 0, NULL, 0, NULL

static const struct keyword keywords[NUM_KEYS] = {
	[KEY_LISTEN] = { "listen", SCOPE_SERVER, 1, set_listen, 0, 0, NULL,
	    0, NULL },
	[KEY_GOPHER_HOST] = { "gopher-host", SCOPE_SERVER, 0, STRING },
	[KEY_GOPHER_PORT] = { "gopher-port", SCOPE_SERVER, 0, NUMBER(0,
	    65535) },
	[KEY_USER] = { "user", SCOPE_SERVER, 0, STRING },
	[KEY_LOG] = { "log", SCOPE_SERVER, 0,
	    WORD(config_log_words, "stderr or syslog") },
	[KEY_LOG_LEVEL] = { "log-level", SCOPE_SERVER, 0,
	    WORD(config_level_words, "error, warning, info or debug") },
	[KEY_LOG_ADDRESSES] = { "log-addresses", SCOPE_SERVER, 0,
	    WORD(config_yesno_words, "yes or no") },
	[KEY_TIMEOUT] = { "timeout", SCOPE_SERVER, 0, NUMBER(1, 3600) },
	[KEY_MAX_CONN] = { "max-connections", SCOPE_SERVER, 0,
	    NUMBER(0, 1000000) },
	[KEY_MAX_CONN_PER_IP] = { "max-connections-per-address", SCOPE_SERVER,
	    0, NUMBER(0, 1000000) },
	[KEY_RESCAN] = { "rescan", SCOPE_SERVER, 0, NUMBER(0, 86400) },
	[KEY_GOPHER_TEXT] = { "gopher-text", SCOPE_SERVER, 0,
	    WORD(config_text_words, "raw or strict") },
	[KEY_HOME_LIMIT] = { "home-limit", SCOPE_SERVER, 0, NUMBER(1, 100000) },
	[KEY_SIMILAR] = { "similar", SCOPE_SERVER, 0,
	    NUMBER(0, DISCOVER_SIMILAR_MAX) },
	[KEY_LIMIT_LOOPBACK] = { "limit-loopback", SCOPE_SERVER, 0,
	    WORD(config_yesno_words, "yes or no") },
	[KEY_WORKERS] = { "workers", SCOPE_SERVER, 0, NUMBER(0, 64) },
	[KEY_TICKET_KEY_FILE] = { "ticket-key-file", SCOPE_SERVER, 0, STRING },
	[KEY_HOST] = { "host", SCOPE_ANY, 1, set_host, 0, 0, NULL, 0, NULL },
	[KEY_ALIAS] = { "alias", SCOPE_HOST, 1, set_alias, 0, 0, NULL, 0,
	    NULL },
	[KEY_CAPSULE] = { "capsule", SCOPE_HOST, 0, STRING },
	[KEY_CERTS] = { "certs", SCOPE_HOST, 0, STRING },
	[KEY_LANG] = { "lang", SCOPE_HOST, 0, STRING },
	[KEY_TITLE] = { "title", SCOPE_HOST, 0, STRING },
	[KEY_TITAN] = { "titan", SCOPE_HOST, 0,
	    WORD(config_yesno_words, "yes or no") },
	[KEY_AUTHOR] = { "author", SCOPE_HOST, 1, set_author, 0, 0, NULL, 0,
	    NULL },
	[KEY_TITAN_TOKEN] = { "titan-token", SCOPE_HOST, 0, STRING },
	[KEY_TITAN_MAX] = { "titan-max-size", SCOPE_HOST, 0,
	    NUMBER(1, CONFIG_MAX_TITAN_MAX) },
	[KEY_TITAN_HISTORY] = { "titan-history", SCOPE_HOST, 0,
	    NUMBER(1, 1000) },
};


static int
parse_number(const char *s, long min, long max, long *out)
{
	long	 v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v <= max)	/* stop growing once too big: no overflow */
			v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The index of word w in words, or -1. */
static int
word_index(const char *const *words, size_t n, const char *w)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(words[i], w) == 0)
			return (int)i;
	return -1;
}

const char *
config_word_name(const char *const *words, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? words[v] : "?";
}

/*
 * Valid UTF-8 without C0 (but tab), DEL or C1 controls, and without a
 * byte order mark: config_parse skips one at the start of the file, an
 * editor's habit; anywhere else it is an invisible character in a key
 * or value.
 */
int
config_check_text(struct parser *p, const char *s, size_t n)
{
	size_t	 i = 0;
	uint32_t cp;

	if (!utf8_valid(s, n))
		return config_parse_error(p, "invalid UTF-8");
	while (i < n) {
		i += utf8_decode(s + i, n - i, &cp);
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
			return config_parse_error(p, "control character U+%04X",
			    (unsigned int)cp);
		if (cp == 0xfeff)
			return config_parse_error(p, "byte order mark (U+FEFF) "
			    "allowed only at the start of the file");
	}
	return 0;
}

/* A host name, alias, gopher-host or user: one word, no '/'. */
static int
check_name(struct parser *p, enum key k, const char *s)
{
	size_t	 i = 0, n = strlen(s);
	uint32_t cp;

	if (n > CONFIG_NAME_MAX)
		return config_parse_error(p,
		    "'%s' name is longer than %d bytes",
		    keywords[k].kw_name, CONFIG_NAME_MAX);
	while (i < n) {
		i += utf8_decode(s + i, n - i, &cp);
		if (uc_is_property_white_space(cp))
			return config_parse_error(p,
			    "'%s' name contains white space",
			    keywords[k].kw_name);
		if (cp == '/')
			return config_parse_error(p, "'%s' name contains '/'",
			    keywords[k].kw_name);
	}
	return 0;
}

/* Host names and aliases share one name space: SNI picks by it. */
static int
check_unique(struct parser *p, const char *name)
{
	size_t	 i;

	for (i = 0; i < p->p_nnames; i++)
		if (strcasecmp(p->p_names[i].nu_name, name) == 0)
			return config_parse_error(p,
			    "host name '%s' already used "
			    "on line %zu", name, p->p_names[i].nu_line);
	return 0;
}

static int
add_name(struct parser *p, const char *name)
{
	struct name_use	*nu;

	nu = reallocarray(p->p_names, p->p_nnames + 1, sizeof(*nu));
	if (nu == NULL)
		return config_parse_error(p, "out of memory");
	p->p_names = nu;
	nu[p->p_nnames].nu_name = name;
	nu[p->p_nnames].nu_line = p->p_line;
	p->p_nnames++;
	return 0;
}

/* Two numeric addresses of the same family and bytes. */
static int
addr_equal(const char *a, const char *b)
{
	unsigned char	 ba[16], bb[16];
	int		 fa = strchr(a, ':') ? AF_INET6 : AF_INET;
	int		 fb = strchr(b, ':') ? AF_INET6 : AF_INET;

	if (fa != fb || inet_pton(fa, a, ba) != 1 || inet_pton(fb, b, bb) != 1)
		return 0;
	return memcmp(ba, bb, fa == AF_INET6 ? 16 : 4) == 0;
}

/* Split s at runs of blanks into at most max words; returns the count. */
static size_t
split_words(char *s, char **w, size_t max)
{
	size_t	 n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0' || n == max)
			return *s == '\0' ? n : max + 1;
		w[n++] = s;
		s += strcspn(s, " \t");
		if (*s != '\0')
			*s++ = '\0';
	}
}

/*
 * listen = ("gemini" | "gopher" | "spartan" | "nex" | "http") blanks
 *	    ADDRESS blanks PORT [blanks "proxy"]
 */
static int
set_listen(struct parser *p, enum key k, char *v)
{
	struct config	*c = p->p_conf;
	char		*w[4];
	unsigned char	 bin[16];
	long		 port;
	int		 proto, fam;
	size_t		 i, n;

	(void)k;
	if (c->cf_nlisten == CONFIG_MAX_LISTEN)
		return config_parse_error(p,
		    "too many 'listen' lines (at most %d)",
		    CONFIG_MAX_LISTEN);
	if ((n = split_words(v, w, 4)) != 3 && n != 4)
		return config_parse_error(p, "'listen' needs PROTOCOL "
		    "ADDRESS PORT [proxy]");
	if (n == 4 && strcmp(w[3], "proxy") != 0)
		return config_parse_error(p, "'listen' ends with the word "
		    "proxy or nothing, not '%s'", w[3]);
	if ((proto = word_index(WORDS(addr_schemes), w[0])) == -1)
		return config_parse_error(p,
		    "'listen' protocol must be gemini, gopher, spartan, "
		    "nex or http, not '%s'", w[0]);
	fam = strchr(w[1], ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(fam, w[1], bin) != 1)
		return config_parse_error(p,
		    "'listen' address must be a numeric "
		    "IPv4 or IPv6 address, not '%s'", w[1]);
	if (parse_number(w[2], 0, 65535, &port) == -1)
		return config_parse_error(p,
		    "'listen' port must be a number from 0 "
		    "to 65535, not '%s'", w[2]);
	for (i = 0; port != 0 && i < c->cf_nlisten; i++)
		if (c->cf_listen[i].cl_port == port &&
		    addr_equal(c->cf_listen[i].cl_addr, w[1]))
			return config_parse_error(p,
			    "duplicate 'listen' on %s port "
			    "%ld (first on line %zu)", w[1], port,
			    p->p_listen_line[i]);
	if ((c->cf_listen[c->cf_nlisten].cl_addr = strdup(w[1])) == NULL)
		return config_parse_error(p, "out of memory");
	c->cf_listen[c->cf_nlisten].cl_proto = (enum addr_proto)proto;
	c->cf_listen[c->cf_nlisten].cl_port = (int)port;
	c->cf_listen[c->cf_nlisten].cl_proxy = n == 4;
	p->p_listen_line[c->cf_nlisten++] = p->p_line;
	return 0;
}

/* A number or one of a few words, stored as a number. */
static int
set_value(struct parser *p, enum key k, char *v)
{
	const struct keyword	*kw = &keywords[k];
	struct config		*c = p->p_conf;
	long			 n;

	if (kw->kw_words != NULL) {
		if ((n = word_index(kw->kw_words, kw->kw_nwords, v)) == -1)
			return config_parse_error(p,
			    "'%s' must be %s, not '%s'",
			    kw->kw_name, kw->kw_choices, v);
	} else if (parse_number(v, kw->kw_min, kw->kw_max, &n) == -1)
		return config_parse_error(p,
		    "'%s' must be a number from %ld to %ld, "
		    "not '%s'", kw->kw_name, kw->kw_min, kw->kw_max, v);
	switch (k) {
	case KEY_GOPHER_PORT:
		c->cf_gopher_port = (int)n;
		break;
	case KEY_LOG:
		c->cf_log = (enum config_log)n;
		break;
	case KEY_LOG_LEVEL:
		c->cf_level = (enum config_level)n;
		break;
	case KEY_LOG_ADDRESSES:
		c->cf_log_addresses = (int)n;
		break;
	case KEY_TIMEOUT:
		c->cf_timeout = (int)n;
		break;
	case KEY_MAX_CONN:
		c->cf_max_conn = (int)n;
		break;
	case KEY_MAX_CONN_PER_IP:
		c->cf_max_conn_per_ip = (int)n;
		break;
	case KEY_RESCAN:
		c->cf_rescan = (int)n;
		break;
	case KEY_GOPHER_TEXT:
		c->cf_gopher_strict = (int)n;
		break;
	case KEY_LIMIT_LOOPBACK:
		c->cf_limit_loopback = (int)n;
		break;
	case KEY_WORKERS:
		c->cf_workers = (int)n;
		break;
	case KEY_SIMILAR:
		c->cf_similar = (size_t)n;
		break;
	case KEY_TITAN:
		c->cf_hosts[c->cf_nhosts - 1].ch_titan = (int)n;
		break;
	case KEY_TITAN_MAX:
		c->cf_hosts[c->cf_nhosts - 1].ch_titan_max = n;
		break;
	case KEY_TITAN_HISTORY:
		c->cf_hosts[c->cf_nhosts - 1].ch_titan_history = n;
		break;
	default:	/* KEY_HOME_LIMIT */
		c->cf_home_limit = (size_t)n;
		break;
	}
	return 0;
}

/* The field a string key sets; host keys set the last host's. */
static char **
string_field(struct config *c, enum key k)
{
	struct config_host	*h;

	if (k == KEY_GOPHER_HOST)
		return &c->cf_gopher_host;
	if (k == KEY_USER)
		return &c->cf_user;
	if (k == KEY_TICKET_KEY_FILE)
		return &c->cf_ticket_key_file;
	h = &c->cf_hosts[c->cf_nhosts - 1];
	switch (k) {
	case KEY_CAPSULE:
		return &h->ch_capsule;
	case KEY_CERTS:
		return &h->ch_certs;
	case KEY_LANG:
		return &h->ch_lang;
	case KEY_TITAN_TOKEN:
		return &h->ch_titan_token;
	default:
		return &h->ch_title;
	}
}

static int
set_string(struct parser *p, enum key k, char *v)
{
	char	**field, *copy;

	if ((k == KEY_GOPHER_HOST || k == KEY_USER) &&
	    check_name(p, k, v) == -1)
		return -1;
	if (k == KEY_TITAN_TOKEN && (strpbrk(v, " \t;") != NULL ||
	    strlen(v) > CONFIG_TITAN_TOKEN_MAX))
		return config_parse_error(p, "'titan-token' must be one word "
		    "without ';', at most %d bytes", CONFIG_TITAN_TOKEN_MAX);
	if (k == KEY_LANG && !article_valid_lang(v))
		return config_parse_error(p,
		    "'lang' must be a language tag such as "
		    "en or pt-BR, not '%s'", v);
	if ((copy = strdup(v)) == NULL)
		return config_parse_error(p, "out of memory");
	field = string_field(p->p_conf, k);
	free(*field);
	*field = copy;
	return 0;
}

/* host NAME: a new virtual host; the host keys start over. */
static int
set_host(struct parser *p, enum key k, char *v)
{
	struct config		*c = p->p_conf;
	struct config_host	*h;
	int			 i;

	if (check_name(p, k, v) == -1 || check_unique(p, v) == -1)
		return -1;
	/* One realloc per host: a file holds a handful. */
	h = reallocarray(c->cf_hosts, c->cf_nhosts + 1, sizeof(*h));
	if (h == NULL)
		return config_parse_error(p, "out of memory");
	c->cf_hosts = h;
	h = &c->cf_hosts[c->cf_nhosts++];
	memset(h, 0, sizeof(*h));
	if ((h->ch_name = strdup(v)) == NULL)
		return config_parse_error(p, "out of memory");
	for (i = 0; i < NUM_KEYS; i++)
		if (keywords[i].kw_scope == SCOPE_HOST)
			p->p_seen[i] = 0;
	return add_name(p, h->ch_name);
}

static int
set_alias(struct parser *p, enum key k, char *v)
{
	struct config_host	*h = &p->p_conf->cf_hosts[p->p_conf->cf_nhosts - 1];

	if (h->ch_naliases == CONFIG_MAX_ALIASES)
		return config_parse_error(p,
		    "too many 'alias' lines for one host "
		    "(at most %d)", CONFIG_MAX_ALIASES);
	if (check_name(p, k, v) == -1 || check_unique(p, v) == -1)
		return -1;
	if ((h->ch_aliases[h->ch_naliases] = strdup(v)) == NULL)
		return config_parse_error(p, "out of memory");
	return add_name(p, h->ch_aliases[h->ch_naliases++]);
}

/*
 * author SHA256:<fingerprint> [NAME]: 32 bytes in hexadecimal, each
 * after a ':' (any case; kept in uppercase, as tls.c logs its own).
 */
static int
set_author(struct parser *p, enum key k, char *v)
{
	struct config_host	*h = &p->p_conf->cf_hosts[p->p_conf->cf_nhosts - 1];
	struct config_author	*a;
	char			*name;
	size_t			 i, n;

	(void)k;
	if (h->ch_nauthors == CONFIG_MAX_AUTHORS)
		return config_parse_error(p, "too many 'author' lines for one "
		    "host (at most %d)", CONFIG_MAX_AUTHORS);
	n = strcspn(v, " \t");
	name = v + n + strspn(v + n, " \t");
	if (n != CONFIG_FINGERPRINT_LEN || strncasecmp(v, "SHA256", 6) != 0)
		goto bad;
	for (i = 6; i < n; i++)
		if ((i % 3 == 0) != (v[i] == ':') ||
		    (i % 3 != 0 && !isxdigit((unsigned char)v[i])))
			goto bad;
	a = &h->ch_authors[h->ch_nauthors];
	for (i = 0; i < n; i++)
		a->ca_fp[i] = (char)toupper((unsigned char)v[i]);
	a->ca_fp[n] = '\0';
	for (i = 0; i < h->ch_nauthors; i++)
		if (strcmp(h->ch_authors[i].ca_fp, a->ca_fp) == 0)
			return config_parse_error(p, "'author' %s listed twice",
			    a->ca_fp);
	a->ca_name = NULL;
	if (*name != '\0' && (a->ca_name = strdup(name)) == NULL)
		return config_parse_error(p, "out of memory");
	h->ch_nauthors++;
	return 0;
 bad:
	return config_parse_error(p, "'author' needs SHA256:<fingerprint> "
	    "(32 bytes in hexadecimal, each after a ':', as capsuled logs its "
	    "own certificate's) and an optional name");
}

/* Where the keys that start-up checks were set (see config.h). */
void
config_record_line(struct config *c, enum key k, size_t line)
{
	struct config_host	*h = c->cf_nhosts > 0 ?
	    &c->cf_hosts[c->cf_nhosts - 1] : NULL;

	if (k == KEY_USER)
		c->cf_user_line = line;
	else if (k == KEY_TICKET_KEY_FILE)
		c->cf_ticket_key_line = line;
	else if (k == KEY_HOST)
		h->ch_line = line;
	else if (k == KEY_CAPSULE)
		h->ch_capsule_line = line;
	else if (k == KEY_CERTS)
		h->ch_certs_line = line;
}

const struct keyword *
config_keyword_find(const char *name, enum key *k)
{
	int	 i;

	for (i = 0; i < NUM_KEYS; i++)
		if (strcmp(keywords[i].kw_name, name) == 0) {
			*k = (enum key)i;
			return &keywords[i];
		}
	return NULL;
}
