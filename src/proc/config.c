/*
 * config: capsuled.conf to a struct config (see config.h): its life
 * (init, purge, a default host) and the reader, file to lines to keys.
 *
 * The keys live in one table (name, scope, setter, range or words, in
 * config_keys.c), so adding a key is a row there, a field in config.h
 * and a line in config_dump.  The parser builds a fresh struct config and hands it
 * over only when the whole file is good, so a caller never sees half
 * of a file.
 *
 * The keys and their values are checked in config_keys.c, the
 * canonical dump is config_dump.c; config_int.h is what they share.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_int.h"

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->cf_log = CONF_LOG_STDERR;
	c->cf_level = CONF_LEVEL_INFO;
	c->cf_log_addresses = 1;
	c->cf_timeout = CONFIG_DEF_TIMEOUT;
	c->cf_max_conn = 0;
	c->cf_max_conn_per_ip = CONFIG_DEF_PER_IP;
	c->cf_rescan = CONFIG_DEF_RESCAN;
	c->cf_gopher_strict = 0;
	c->cf_home_limit = CONFIG_DEF_HOME_LIMIT;
	c->cf_similar = CONFIG_DEF_SIMILAR;
}

void
config_host_purge(struct config_host *h)
{
	size_t	 i;

	free(h->ch_name);
	for (i = 0; i < h->ch_naliases; i++)
		free(h->ch_aliases[i]);
	free(h->ch_capsule);
	free(h->ch_certs);
	free(h->ch_lang);
	free(h->ch_title);
	free(h->ch_titan_token);
	for (i = 0; i < h->ch_nauthors; i++)
		free(h->ch_authors[i].ca_name);
	memset(h, 0, sizeof(*h));
}

void
config_purge(struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->cf_nlisten; i++)
		free(c->cf_listen[i].cl_addr);
	for (i = 0; i < c->cf_nhosts; i++)
		config_host_purge(&c->cf_hosts[i]);
	free(c->cf_hosts);
	free(c->cf_gopher_host);
	free(c->cf_user);
	free(c->cf_ticket_key_file);
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

/* Report "FILE:LINE: message" and return -1. */
int
config_parse_error(struct parser *p, const char *fmt, ...)
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
	if (config_check_text(p, s, n) == -1)
		return -1;
	s[n] = '\0';
	value = s + strcspn(s, " \t");
	if (*value != '\0') {
		*value++ = '\0';
		value += strspn(value, " \t");
	}
	if ((kw = config_keyword_find(s, &k)) == NULL)
		return config_parse_error(p, "unknown key '%s'", s);
	/* Tabs separate words; inside a value they are control bytes. */
	if (k != KEY_LISTEN && strchr(value, '\t') != NULL)
		return config_parse_error(p, "control character U+0009");
	if (kw->kw_scope == SCOPE_SERVER && p->p_conf->cf_nhosts > 0)
		return config_parse_error(p,
		    "'%s' must come before the first host",
		    kw->kw_name);
	if (kw->kw_scope == SCOPE_HOST && p->p_conf->cf_nhosts == 0)
		return config_parse_error(p, "'%s' must come after a host line",
		    kw->kw_name);
	if (!kw->kw_repeat && p->p_seen[k] != 0)
		return config_parse_error(p,
		    "duplicate '%s' (first on line %zu)",
		    kw->kw_name, p->p_seen[k]);
	if (*value == '\0')
		return config_parse_error(p, "'%s' needs a value", kw->kw_name);
	if (kw->kw_set(p, k, value) == -1)
		return -1;
	if (p->p_seen[k] == 0)
		p->p_seen[k] = p->p_line;
	config_record_line(p->p_conf, k, p->p_line);
	return 0;
}

/* Fill in what hosts left unset. */
static int
parse_finish(struct parser *p)
{
	struct config_host	*h;
	size_t			 i;

	for (i = 0; i < p->p_conf->cf_nhosts; i++) {
		h = &p->p_conf->cf_hosts[i];
		if (h->ch_capsule == NULL &&
		    (h->ch_capsule = strdup(CONFIG_DEF_CAPSULE)) == NULL)
			return config_parse_error(p, "out of memory");
		if (h->ch_certs == NULL &&
		    (h->ch_certs = strdup(CONFIG_DEF_CERTS)) == NULL)
			return config_parse_error(p, "out of memory");
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
			config_parse_error(&p, "out of memory");
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

int
config_default_host(struct config *c)
{
	struct config_host	*h;

	if (c->cf_nhosts > 0)
		return 0;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if ((h->ch_name = strdup(CONFIG_DEF_HOST)) == NULL ||
	    (h->ch_capsule = strdup(CONFIG_DEF_CAPSULE)) == NULL ||
	    (h->ch_certs = strdup(CONFIG_DEF_CERTS)) == NULL) {
		config_host_purge(h);
		free(h);
		return -1;
	}
	free(c->cf_hosts);
	c->cf_hosts = h;
	c->cf_nhosts = 1;
	return 0;
}
