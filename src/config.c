/*
 * config: capsuled.conf to a struct config and back (see config.h).
 *
 * The keys live in one table (name, scope, setter, range or words), so
 * adding a key is a row there, a field in config.h and a line in
 * config_dump.  The parser builds a fresh struct config and hands it
 * over only when the whole file is good, so a caller never sees half
 * of a file.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <unictype.h>

#include "article.h"
#include "buf.h"
#include "config.h"
#include "discover.h"
#include "utf8.h"

/* A DNS name is at most 253 bytes written out; we hold U-labels to it. */
#define CONFIG_NAME_MAX		253
/* Real files are a few hundred bytes; a bigger one is not a config. */
#define CONFIG_FILE_MAX		(1024 * 1024)
/* Longest message composed before "FILE:LINE: " is put in front. */
#define CONFIG_MSG_MAX		512

#define CONFIG_DEF_TIMEOUT	10
#define CONFIG_DEF_PER_IP	32
#define CONFIG_DEF_RESCAN	30
#define CONFIG_DEF_HOME_LIMIT	100
#define CONFIG_DEF_SIMILAR	5
#define CONFIG_DEF_HOST		"localhost"
#define CONFIG_DEF_CAPSULE	"capsule"
#define CONFIG_DEF_CERTS	"certs"

enum key {
	KEY_LISTEN,
	KEY_GOPHER_HOST,
	KEY_GOPHER_PORT,
	KEY_USER,
	KEY_LOG,
	KEY_LOG_LEVEL,
	KEY_LOG_ADDRESSES,
	KEY_TIMEOUT,
	KEY_MAX_CONN,
	KEY_MAX_CONN_PER_IP,
	KEY_RESCAN,
	KEY_GOPHER_TEXT,
	KEY_HOME_LIMIT,
	KEY_SIMILAR,
	KEY_LIMIT_LOOPBACK,
	KEY_WORKERS,
	KEY_HOST,
	KEY_ALIAS,
	KEY_CAPSULE,
	KEY_CERTS,
	KEY_LANG,
	KEY_TITLE,
	NUM_KEYS
};

enum scope {
	SCOPE_SERVER,		/* before the first host line */
	SCOPE_HOST,		/* after a host line */
	SCOPE_ANY		/* the host line itself */
};

/* A host name or alias already taken, for "already used on line N". */
struct name_use {
	const char	*nu_name;	/* the copy in the config */
	size_t		 nu_line;
};

struct parser {
	struct config	*p_conf;	/* being built */
	const char	*p_file;
	size_t		 p_line;	/* 1-based, of the line being read */
	size_t		 p_seen[NUM_KEYS]; /* first line of a key in scope */
	size_t		 p_listen_line[CONFIG_MAX_LISTEN];
	struct name_use	*p_names;
	size_t		 p_nnames;
	char		*p_err;
	size_t		 p_errlen;
};

struct keyword {
	const char	 *kw_name;
	enum scope	  kw_scope;
	int		  kw_repeat;	/* may appear again in one scope */
	int		(*kw_set)(struct parser *, enum key, char *);
	long		  kw_min;	/* numbers: the range */
	long		  kw_max;
	const char *const *kw_words;	/* words: the choices, by value */
	size_t		  kw_nwords;
	const char	 *kw_choices;	/* words: for error messages */
};

static const char *const proto_words[NUM_CONF_PROTOS] = {
	[CONF_GEMINI] = "gemini",
	[CONF_GOPHER] = "gopher",
};

static const char *const log_words[NUM_CONF_LOGS] = {
	[CONF_LOG_STDERR] = "stderr",
	[CONF_LOG_SYSLOG] = "syslog",
};

static const char *const level_words[NUM_CONF_LEVELS] = {
	[CONF_LEVEL_ERROR] = "error",
	[CONF_LEVEL_WARNING] = "warning",
	[CONF_LEVEL_INFO] = "info",
	[CONF_LEVEL_DEBUG] = "debug",
};

/* Indexed by c_gopher_strict. */
static const char *const text_words[2] = { "raw", "strict" };

/* Indexed by c_limit_loopback and c_log_addresses. */
static const char *const yesno_words[2] = { "no", "yes" };

static int	 set_listen(struct parser *, enum key, char *);
static int	 set_value(struct parser *, enum key, char *);
static int	 set_string(struct parser *, enum key, char *);
static int	 set_host(struct parser *, enum key, char *);
static int	 set_alias(struct parser *, enum key, char *);

#define WORDS(w)	(w), sizeof(w) / sizeof((w)[0])

#define NUMBER(lo, hi)	set_value, lo, hi, NULL, 0, NULL
#define WORD(w, text)	set_value, 0, 0, WORDS(w), text
#define STRING		set_string, 0, 0, NULL, 0, NULL

static const struct keyword keywords[NUM_KEYS] = {
	[KEY_LISTEN] = { "listen", SCOPE_SERVER, 1, set_listen, 0, 0, NULL,
	    0, NULL },
	[KEY_GOPHER_HOST] = { "gopher-host", SCOPE_SERVER, 0, STRING },
	[KEY_GOPHER_PORT] = { "gopher-port", SCOPE_SERVER, 0, NUMBER(0, 65535) },
	[KEY_USER] = { "user", SCOPE_SERVER, 0, STRING },
	[KEY_LOG] = { "log", SCOPE_SERVER, 0,
	    WORD(log_words, "stderr or syslog") },
	[KEY_LOG_LEVEL] = { "log-level", SCOPE_SERVER, 0,
	    WORD(level_words, "error, warning, info or debug") },
	[KEY_LOG_ADDRESSES] = { "log-addresses", SCOPE_SERVER, 0,
	    WORD(yesno_words, "yes or no") },
	[KEY_TIMEOUT] = { "timeout", SCOPE_SERVER, 0, NUMBER(1, 3600) },
	[KEY_MAX_CONN] = { "max-connections", SCOPE_SERVER, 0,
	    NUMBER(0, 1000000) },
	[KEY_MAX_CONN_PER_IP] = { "max-connections-per-address", SCOPE_SERVER,
	    0, NUMBER(0, 1000000) },
	[KEY_RESCAN] = { "rescan", SCOPE_SERVER, 0, NUMBER(0, 86400) },
	[KEY_GOPHER_TEXT] = { "gopher-text", SCOPE_SERVER, 0,
	    WORD(text_words, "raw or strict") },
	[KEY_HOME_LIMIT] = { "home-limit", SCOPE_SERVER, 0, NUMBER(1, 100000) },
	[KEY_SIMILAR] = { "similar", SCOPE_SERVER, 0,
	    NUMBER(0, DISCOVER_SIMILAR_MAX) },
	[KEY_LIMIT_LOOPBACK] = { "limit-loopback", SCOPE_SERVER, 0,
	    WORD(yesno_words, "yes or no") },
	[KEY_WORKERS] = { "workers", SCOPE_SERVER, 0, NUMBER(0, 64) },
	[KEY_HOST] = { "host", SCOPE_ANY, 1, set_host, 0, 0, NULL, 0, NULL },
	[KEY_ALIAS] = { "alias", SCOPE_HOST, 1, set_alias, 0, 0, NULL, 0,
	    NULL },
	[KEY_CAPSULE] = { "capsule", SCOPE_HOST, 0, STRING },
	[KEY_CERTS] = { "certs", SCOPE_HOST, 0, STRING },
	[KEY_LANG] = { "lang", SCOPE_HOST, 0, STRING },
	[KEY_TITLE] = { "title", SCOPE_HOST, 0, STRING },
};

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->c_log = CONF_LOG_STDERR;
	c->c_level = CONF_LEVEL_INFO;
	c->c_log_addresses = 1;
	c->c_timeout = CONFIG_DEF_TIMEOUT;
	c->c_max_conn = 0;
	c->c_max_conn_per_ip = CONFIG_DEF_PER_IP;
	c->c_rescan = CONFIG_DEF_RESCAN;
	c->c_gopher_strict = 0;
	c->c_home_limit = CONFIG_DEF_HOME_LIMIT;
	c->c_similar = CONFIG_DEF_SIMILAR;
}

static void
host_purge(struct config_host *h)
{
	size_t	 i;

	free(h->ch_name);
	for (i = 0; i < h->ch_naliases; i++)
		free(h->ch_aliases[i]);
	free(h->ch_capsule);
	free(h->ch_certs);
	free(h->ch_lang);
	free(h->ch_title);
	memset(h, 0, sizeof(*h));
}

void
config_purge(struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->c_nlisten; i++)
		free(c->c_listen[i].cl_addr);
	for (i = 0; i < c->c_nhosts; i++)
		host_purge(&c->c_hosts[i]);
	free(c->c_hosts);
	free(c->c_gopher_host);
	free(c->c_user);
	config_init(c);
}

/* The file name may hold control bytes (the message never does). */
static void
error_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int parse_error(struct parser *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Report "FILE:LINE: message" and return -1. */
static int
parse_error(struct parser *p, const char *fmt, ...)
{
	char	 msg[CONFIG_MSG_MAX];
	va_list	 ap;

	if (p->p_errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->p_err, p->p_errlen, "%s:%zu: %s", p->p_file, p->p_line,
	    msg);
	error_clean(p->p_err);
	return -1;
}

/* Decimal digits only, no sign; -1 when not a number in [min, max]. */
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

static const char *
word_name(const char *const *words, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? words[v] : "?";
}

/*
 * Valid UTF-8 without C0 (but tab), DEL or C1 controls, and without a
 * byte order mark: config_parse skips one at the start of the file, an
 * editor's habit; anywhere else it is an invisible character in a key
 * or value.
 */
static int
check_text(struct parser *p, const char *s, size_t n)
{
	size_t	 i = 0;
	uint32_t cp;

	if (!utf8_valid(s, n))
		return parse_error(p, "invalid UTF-8");
	while (i < n) {
		i += utf8_decode(s + i, n - i, &cp);
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
			return parse_error(p, "control character U+%04X",
			    (unsigned int)cp);
		if (cp == 0xfeff)
			return parse_error(p, "byte order mark (U+FEFF) "
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
		return parse_error(p, "'%s' name is longer than %d bytes",
		    keywords[k].kw_name, CONFIG_NAME_MAX);
	while (i < n) {
		i += utf8_decode(s + i, n - i, &cp);
		if (uc_is_property_white_space(cp))
			return parse_error(p, "'%s' name contains white space",
			    keywords[k].kw_name);
		if (cp == '/')
			return parse_error(p, "'%s' name contains '/'",
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
			return parse_error(p, "host name '%s' already used "
			    "on line %zu", name, p->p_names[i].nu_line);
	return 0;
}

static int
add_name(struct parser *p, const char *name)
{
	struct name_use	*nu;

	nu = reallocarray(p->p_names, p->p_nnames + 1, sizeof(*nu));
	if (nu == NULL)
		return parse_error(p, "out of memory");
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

/* listen = ("gemini" | "gopher") blanks ADDRESS blanks PORT */
static int
set_listen(struct parser *p, enum key k, char *v)
{
	struct config	*c = p->p_conf;
	char		*w[3];
	unsigned char	 bin[16];
	long		 port;
	int		 proto, fam;
	size_t		 i;

	(void)k;
	if (c->c_nlisten == CONFIG_MAX_LISTEN)
		return parse_error(p, "too many 'listen' lines (at most %d)",
		    CONFIG_MAX_LISTEN);
	if (split_words(v, w, 3) != 3)
		return parse_error(p, "'listen' needs gemini|gopher "
		    "ADDRESS PORT");
	if ((proto = word_index(WORDS(proto_words), w[0])) == -1)
		return parse_error(p, "'listen' protocol must be gemini or "
		    "gopher, not '%s'", w[0]);
	fam = strchr(w[1], ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(fam, w[1], bin) != 1)
		return parse_error(p, "'listen' address must be a numeric "
		    "IPv4 or IPv6 address, not '%s'", w[1]);
	if (parse_number(w[2], 0, 65535, &port) == -1)
		return parse_error(p, "'listen' port must be a number from 0 "
		    "to 65535, not '%s'", w[2]);
	for (i = 0; port != 0 && i < c->c_nlisten; i++)
		if (c->c_listen[i].cl_port == port &&
		    addr_equal(c->c_listen[i].cl_addr, w[1]))
			return parse_error(p, "duplicate 'listen' on %s port "
			    "%ld (first on line %zu)", w[1], port,
			    p->p_listen_line[i]);
	if ((c->c_listen[c->c_nlisten].cl_addr = strdup(w[1])) == NULL)
		return parse_error(p, "out of memory");
	c->c_listen[c->c_nlisten].cl_proto = (enum config_proto)proto;
	c->c_listen[c->c_nlisten].cl_port = (int)port;
	p->p_listen_line[c->c_nlisten++] = p->p_line;
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
			return parse_error(p, "'%s' must be %s, not '%s'",
			    kw->kw_name, kw->kw_choices, v);
	} else if (parse_number(v, kw->kw_min, kw->kw_max, &n) == -1)
		return parse_error(p, "'%s' must be a number from %ld to %ld, "
		    "not '%s'", kw->kw_name, kw->kw_min, kw->kw_max, v);
	switch (k) {
	case KEY_GOPHER_PORT:
		c->c_gopher_port = (int)n;
		break;
	case KEY_LOG:
		c->c_log = (enum config_log)n;
		break;
	case KEY_LOG_LEVEL:
		c->c_level = (enum config_level)n;
		break;
	case KEY_LOG_ADDRESSES:
		c->c_log_addresses = (int)n;
		break;
	case KEY_TIMEOUT:
		c->c_timeout = (int)n;
		break;
	case KEY_MAX_CONN:
		c->c_max_conn = (int)n;
		break;
	case KEY_MAX_CONN_PER_IP:
		c->c_max_conn_per_ip = (int)n;
		break;
	case KEY_RESCAN:
		c->c_rescan = (int)n;
		break;
	case KEY_GOPHER_TEXT:
		c->c_gopher_strict = (int)n;
		break;
	case KEY_LIMIT_LOOPBACK:
		c->c_limit_loopback = (int)n;
		break;
	case KEY_WORKERS:
		c->c_workers = (int)n;
		break;
	case KEY_SIMILAR:
		c->c_similar = (size_t)n;
		break;
	default:	/* KEY_HOME_LIMIT */
		c->c_home_limit = (size_t)n;
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
		return &c->c_gopher_host;
	if (k == KEY_USER)
		return &c->c_user;
	h = &c->c_hosts[c->c_nhosts - 1];
	switch (k) {
	case KEY_CAPSULE:
		return &h->ch_capsule;
	case KEY_CERTS:
		return &h->ch_certs;
	case KEY_LANG:
		return &h->ch_lang;
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
	if (k == KEY_LANG && !article_valid_lang(v))
		return parse_error(p, "'lang' must be a language tag such as "
		    "en or pt-BR, not '%s'", v);
	if ((copy = strdup(v)) == NULL)
		return parse_error(p, "out of memory");
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
	h = reallocarray(c->c_hosts, c->c_nhosts + 1, sizeof(*h));
	if (h == NULL)
		return parse_error(p, "out of memory");
	c->c_hosts = h;
	h = &c->c_hosts[c->c_nhosts++];
	memset(h, 0, sizeof(*h));
	if ((h->ch_name = strdup(v)) == NULL)
		return parse_error(p, "out of memory");
	for (i = 0; i < NUM_KEYS; i++)
		if (keywords[i].kw_scope == SCOPE_HOST)
			p->p_seen[i] = 0;
	return add_name(p, h->ch_name);
}

static int
set_alias(struct parser *p, enum key k, char *v)
{
	struct config_host	*h = &p->p_conf->c_hosts[p->p_conf->c_nhosts - 1];

	if (h->ch_naliases == CONFIG_MAX_ALIASES)
		return parse_error(p, "too many 'alias' lines for one host "
		    "(at most %d)", CONFIG_MAX_ALIASES);
	if (check_name(p, k, v) == -1 || check_unique(p, v) == -1)
		return -1;
	if ((h->ch_aliases[h->ch_naliases] = strdup(v)) == NULL)
		return parse_error(p, "out of memory");
	return add_name(p, h->ch_aliases[h->ch_naliases++]);
}

/* Where the keys that start-up checks were set (see config.h). */
static void
record_line(struct config *c, enum key k, size_t line)
{
	struct config_host	*h = c->c_nhosts > 0 ?
	    &c->c_hosts[c->c_nhosts - 1] : NULL;

	if (k == KEY_USER)
		c->c_user_line = line;
	else if (k == KEY_HOST)
		h->ch_line = line;
	else if (k == KEY_CAPSULE)
		h->ch_capsule_line = line;
	else if (k == KEY_CERTS)
		h->ch_certs_line = line;
}

static const struct keyword *
keyword_find(const char *name, enum key *k)
{
	int	 i;

	for (i = 0; i < NUM_KEYS; i++)
		if (strcmp(keywords[i].kw_name, name) == 0) {
			*k = (enum key)i;
			return &keywords[i];
		}
	return NULL;
}

/*
 * line  = blanks [ "#" anything | key [ blanks value ] ] blanks
 * blank = " " | TAB
 * s holds n bytes (a NUL among them is an error), with room for a NUL.
 */
static int
parse_line(struct parser *p, char *s, size_t n)
{
	const struct keyword	*kw;
	enum key		 k;
	char			*value;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0 || *s == '#')
		return 0;
	if (check_text(p, s, n) == -1)
		return -1;
	s[n] = '\0';
	value = s + strcspn(s, " \t");
	if (*value != '\0') {
		*value++ = '\0';
		value += strspn(value, " \t");
	}
	if ((kw = keyword_find(s, &k)) == NULL)
		return parse_error(p, "unknown key '%s'", s);
	/* Tabs separate words; inside a value they are control bytes. */
	if (k != KEY_LISTEN && strchr(value, '\t') != NULL)
		return parse_error(p, "control character U+0009");
	if (kw->kw_scope == SCOPE_SERVER && p->p_conf->c_nhosts > 0)
		return parse_error(p, "'%s' must come before the first host",
		    kw->kw_name);
	if (kw->kw_scope == SCOPE_HOST && p->p_conf->c_nhosts == 0)
		return parse_error(p, "'%s' must come after a host line",
		    kw->kw_name);
	if (!kw->kw_repeat && p->p_seen[k] != 0)
		return parse_error(p, "duplicate '%s' (first on line %zu)",
		    kw->kw_name, p->p_seen[k]);
	if (*value == '\0')
		return parse_error(p, "'%s' needs a value", kw->kw_name);
	if (kw->kw_set(p, k, value) == -1)
		return -1;
	if (p->p_seen[k] == 0)
		p->p_seen[k] = p->p_line;
	record_line(p->p_conf, k, p->p_line);
	return 0;
}

/* Fill in what hosts left unset. */
static int
parse_finish(struct parser *p)
{
	struct config_host	*h;
	size_t			 i;

	for (i = 0; i < p->p_conf->c_nhosts; i++) {
		h = &p->p_conf->c_hosts[i];
		if (h->ch_capsule == NULL &&
		    (h->ch_capsule = strdup(CONFIG_DEF_CAPSULE)) == NULL)
			return parse_error(p, "out of memory");
		if (h->ch_certs == NULL &&
		    (h->ch_certs = strdup(CONFIG_DEF_CERTS)) == NULL)
			return parse_error(p, "out of memory");
	}
	return 0;
}

/*
 * file = [ BOM ] *( line LF ) [ line ]; a CR before an LF is dropped.
 * conf must be initialised; it is replaced on success and purged on
 * error.
 */
int
config_parse(struct config *conf, const char *file, const char *text,
    size_t len, char *errbuf, size_t errlen)
{
	struct config	 c;
	struct parser	 p;
	struct buf	 line;
	const char	*lf;
	size_t		 pos = 0, n;
	int		 rv = -1;

	config_init(&c);
	memset(&p, 0, sizeof(p));
	p.p_conf = &c;
	p.p_file = file;
	p.p_err = errbuf;
	p.p_errlen = errlen;
	buf_init(&line);
	if (errlen > 0)
		errbuf[0] = '\0';
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;	/* a UTF-8 byte order mark */
	while (pos < len) {
		p.p_line++;
		lf = memchr(text + pos, '\n', len - pos);
		n = (lf != NULL ? (size_t)(lf - text) : len) - pos;
		if (lf != NULL && n > 0 && text[pos + n - 1] == '\r')
			n--;
		buf_reset(&line);
		if (buf_add(&line, text + pos, n) == -1) {
			parse_error(&p, "out of memory");
			goto done;
		}
		if (parse_line(&p, line.b_data, line.b_len) == -1)
			goto done;
		pos = lf != NULL ? (size_t)(lf - text) + 1 : len;
	}
	if (parse_finish(&p) == -1)
		goto done;
	config_purge(conf);
	*conf = c;
	config_init(&c);
	rv = 0;
 done:
	if (rv == -1)
		config_purge(conf);
	config_purge(&c);
	buf_free(&line);
	free(p.p_names);
	return rv;
}

/* Read at most CONFIG_FILE_MAX bytes of path and parse them. */
int
config_load(struct config *conf, const char *path, char *errbuf,
    size_t errlen)
{
	struct buf	 b;
	const char	*why = NULL;
	ssize_t		 r;
	int		 fd, rv = -1;

	buf_init(&b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	for (;;) {
		if (buf_reserve(&b, 8192) == -1) {
			errno = ENOMEM;
			goto fail;
		}
		r = read(fd, b.b_data + b.b_len, b.b_cap - b.b_len - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		if ((b.b_len += (size_t)r) > CONFIG_FILE_MAX) {
			why = "larger than 1 MiB";
			goto fail;
		}
	}
	rv = config_parse(conf, path, b.b_data, b.b_len, errbuf, errlen);
	goto done;
 fail:
	if (why == NULL)
		why = strerror(errno);
	if (errlen > 0) {
		snprintf(errbuf, errlen, "%s: %s", path, why);
		error_clean(errbuf);
	}
	config_purge(conf);
 done:
	if (fd != -1)
		close(fd);
	buf_free(&b);
	return rv;
}

static void
dump_host(const struct config_host *h, struct buf *b)
{
	size_t	 i;

	buf_printf(b, "\nhost %s\n", h->ch_name != NULL ? h->ch_name :
	    CONFIG_DEF_HOST);
	for (i = 0; i < h->ch_naliases; i++)
		buf_printf(b, "alias %s\n", h->ch_aliases[i]);
	buf_printf(b, "capsule %s\n", h->ch_capsule != NULL ?
	    h->ch_capsule : CONFIG_DEF_CAPSULE);
	buf_printf(b, "certs %s\n", h->ch_certs != NULL ? h->ch_certs :
	    CONFIG_DEF_CERTS);
	if (h->ch_lang != NULL)
		buf_printf(b, "lang %s\n", h->ch_lang);
	if (h->ch_title != NULL)
		buf_printf(b, "title %s\n", h->ch_title);
}

/*
 * Canonical form: every server-wide key (optional ones only when set)
 * in table order, then each host.  Strings are written as they are;
 * config_parse never stores one that would not read back.
 */
void
config_dump(const struct config *c, struct buf *b)
{
	const struct config_listen	*l;
	size_t				 i;

	buf_adds(b, "# capsuled configuration\n");
	for (i = 0; i < c->c_nlisten; i++) {
		l = &c->c_listen[i];
		buf_printf(b, "listen %s %s %d\n", word_name(WORDS(proto_words),
		    (int)l->cl_proto), l->cl_addr, l->cl_port);
	}
	if (c->c_gopher_host != NULL)
		buf_printf(b, "gopher-host %s\n", c->c_gopher_host);
	if (c->c_user != NULL)
		buf_printf(b, "user %s\n", c->c_user);
	buf_printf(b, "gopher-port %d\n", c->c_gopher_port);
	buf_printf(b, "log %s\n", word_name(WORDS(log_words), (int)c->c_log));
	buf_printf(b, "log-level %s\n", word_name(WORDS(level_words),
	    (int)c->c_level));
	buf_printf(b, "log-addresses %s\n", word_name(WORDS(yesno_words),
	    c->c_log_addresses != 0));
	buf_printf(b, "timeout %d\n", c->c_timeout);
	buf_printf(b, "max-connections %d\n", c->c_max_conn);
	buf_printf(b, "max-connections-per-address %d\n",
	    c->c_max_conn_per_ip);
	buf_printf(b, "limit-loopback %s\n", word_name(WORDS(yesno_words),
	    c->c_limit_loopback != 0));
	buf_printf(b, "rescan %d\n", c->c_rescan);
	buf_printf(b, "workers %d\n", c->c_workers);
	buf_printf(b, "gopher-text %s\n", word_name(WORDS(text_words),
	    c->c_gopher_strict != 0));
	buf_printf(b, "home-limit %zu\n", c->c_home_limit);
	buf_printf(b, "similar %zu\n", c->c_similar);
	for (i = 0; i < c->c_nhosts; i++)
		dump_host(&c->c_hosts[i], b);
}

/* With no host, serve one: localhost from ./capsule with ./certs. */
int
config_default_host(struct config *c)
{
	struct config_host	*h;

	if (c->c_nhosts > 0)
		return 0;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if ((h->ch_name = strdup(CONFIG_DEF_HOST)) == NULL ||
	    (h->ch_capsule = strdup(CONFIG_DEF_CAPSULE)) == NULL ||
	    (h->ch_certs = strdup(CONFIG_DEF_CERTS)) == NULL) {
		host_purge(h);
		free(h);
		return -1;
	}
	free(c->c_hosts);
	c->c_hosts = h;
	c->c_nhosts = 1;
	return 0;
}
