/*
 * serve_world.c: a configuration made real, in the serving process:
 * each host's names, capsule watcher (live) and site, its certificates
 * (TLS contexts, self-signed when missing), the Gopher virtual host, and
 * the connection limits (RLIMIT_NOFILE raised to its hard limit).
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemini.h"
#include "live.h"
#include "log.h"
#include "preflight.h"
#include "snapshot.h"
#include "titan.h"
#include "tls.h"
#include "serve_int.h"

void
serve_world_free(struct world *w)
{
	size_t	 i, k;
	char	**names;

	if (w == NULL)
		return;
	for (i = 0; i < w->w_n; i++) {
		live_unref(w->w_vh[i].vh_live);
		tls_host_free(&w->w_tls[i]);
		names = (char **)(uintptr_t)w->w_vh[i].vh_names;
		for (k = 0; names != NULL && names[k] != NULL; k++)
			free(names[k]);
		free(names);
	}
	free(w->w_vh);
	free(w->w_tls);
	free(w->w_titan);
	free(w->w_authors);
	free(w);
}

/*
 * Raise the soft limit on open descriptors to the hard one: every
 * connection holds one, and the usual soft limit (1024) is far below
 * what the hard limit allows a server.  Failing is not fatal:
 * max_connections() then works with the limit there is.
 */
void
serve_raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_info("cannot raise the open-file limit: %s",
		    strerror(errno));
}

/*
 * As many connections as asked, or as the descriptor limit allows (64
 * kept for listeners, capsules, logs and libmagic).  A query only:
 * serve_raise_nofile() is what changes the limit.
 */
static size_t
max_connections(int configured)
{
	struct rlimit	 rl;
	size_t		 n;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return configured > 0 ? (size_t)configured : 256;
	n = rl.rlim_cur < 128 ? 32 : (size_t)rl.rlim_cur - 64;
	if (configured > 0 && (size_t)configured < n)
		return (size_t)configured;
	return n > 10000 && configured == 0 ? 10000 : n;
}

/* A host's names as requests carry them: lowercase A-labels. */
static char **
host_names(const struct config_host *h, char *err, size_t errlen)
{
	char	**names, buf[GEMINI_HOST_MAX];
	size_t	  i;

	if ((names = calloc(h->ch_naliases + 2, sizeof(*names))) == NULL)
		return NULL;
	for (i = 0; i <= h->ch_naliases; i++) {
		const char *n = i == 0 ? h->ch_name : h->ch_aliases[i - 1];

		if (gemini_host_normalise(n, strlen(n), buf,
		    sizeof(buf)) == -1) {
			snprintf(err, errlen, "host %s: not a valid host name",
			    n);
			goto fail;
		}
		if ((names[i] = strdup(buf)) == NULL)
			goto fail;
	}
	return names;
 fail:
	for (i = 0; names[i] != NULL; i++)
		free(names[i]);
	free(names);
	return NULL;
}

/* The capsule of a host, read and ready to be watched. */
static struct live *
host_live(const struct config *c, const struct config_host *h,
    const struct site *site, struct diags *d, char *err, size_t errlen)
{
	struct live	*lv;
	const char	*errstr;

	if ((lv = live_new(h->ch_capsule, site, c->cf_rescan, d, &errstr)) ==
	    NULL)
		snprintf(err, errlen, "host %s: capsule %s: %s", h->ch_name,
		    h->ch_capsule, errstr);
	return lv;
}

/*
 * The certificate of a host, naming its names (lowercase A-labels, the
 * host's first); a name it misses is a warning, as capsuled never
 * replaces a certificate it did not make (capsuled(8), -C).
 */
static int
host_tls(const struct config_host *h, const char *const *names,
    struct tls_host *t, char *err, size_t errlen)
{
	const char	*errstr;
	size_t		 i;

	if (preflight_inside(h->ch_certs, h->ch_capsule)) {
		snprintf(err, errlen, "certificate directory %s is inside the "
		    "capsule %s: its keys could be served; move it out",
		    h->ch_certs, h->ch_capsule);
		return -1;
	}
	if (mkdir(h->ch_certs, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", h->ch_certs, strerror(errno));
		return -1;
	}
	if (tls_host_load(h->ch_certs, names, t, &errstr) == -1) {
		snprintf(err, errlen, "certificate for %s in %s: %s", names[0],
		    h->ch_certs, errstr);
		return -1;
	}
	log_info("%s certificate for %s: %s", t->th_created ? "created" :
	    t->th_renewed ? "made again, naming every alias," : "loaded",
	    names[0], t->th_fingerprint);
	for (i = 1; names[i] != NULL; i++)
		if (!tls_host_covers(t, names[i]))
			log_warnx("certificate %s/%s.crt does not name alias "
			    "%s and is not marked as made by capsuled, so it "
			    "is left as it is: clients asking for %s see a "
			    "name mismatch", h->ch_certs, names[0], names[i],
			    names[i]);
	return 0;
}

/* The host Gopher serves: the one named by gopher-host, else the first. */
static size_t
gopher_vhost(const struct world *w, const char *host)
{
	size_t	 i, k;

	for (i = 0; host != NULL && i < w->w_n; i++)
		for (k = 0; w->w_vh[i].vh_names[k] != NULL; k++)
			if (strcmp(w->w_vh[i].vh_names[k], host) == 0)
				return i;
	return 0;
}

/*
 * Where host h (named name) is served: the ports bound (Gopher's as
 * configured to be advertised), its title and language.
 */
void
serve_site(struct site *site, const struct serve *sv, const struct config *c,
    const struct config_host *h, const char *name, const char *gopher_host)
{
	size_t	 i;

	memset(site, 0, sizeof(*site));
	site->s_title = h->ch_title;
	site->s_lang = h->ch_lang;
	site->s_host = name;
	site->s_gopher_host = gopher_host != NULL ? gopher_host : name;
	for (i = 0; i < NUM_ADDR_PROTOS; i++)
		site->s_port[i] = (unsigned)sv->se_port[i];
	if (c->cf_gopher_port > 0 && site->s_port[ADDR_GOPHER] != 0)
		site->s_port[ADDR_GOPHER] = (unsigned)c->cf_gopher_port;
	site->s_gopher_strict = c->cf_gopher_strict;
	site->s_home_limit = c->cf_home_limit;
	site->s_similar = c->cf_similar;
}

/* The shared session ticket keys, when c names a file of them. */
static int
ticket_keys(const struct config *c, char *err, size_t errlen)
{
	const char	*errstr;
	size_t		 n;

	if (c->cf_ticket_key_file == NULL)
		return 0;
	if (tls_ticket_file_load(c->cf_ticket_key_file, &n, &errstr) == -1) {
		snprintf(err, errlen, "ticket-key-file %s: %s",
		    c->cf_ticket_key_file, errstr);
		return -1;
	}
	log_info("session tickets: %zu %s from %s", n, log_plural(n, "key",
	    "keys"), c->cf_ticket_key_file);
	return 0;
}

_Static_assert(CONFIG_FINGERPRINT_LEN == TITAN_FP_LEN,
    "an author line holds a fingerprint as titan.h compares it");
_Static_assert(CONFIG_MAX_TITAN_MAX <= TITAN_BODY_MAX,
    "the writer takes the largest titan-max-size");

/*
 * The uploads of each host with "titan yes": its authors (names point
 * into c, which the serving process keeps), token and limits; the
 * writer's socket is set when the writer starts (serve_child.c).
 */
static int
world_titan(struct world *w, const struct config *c)
{
	const struct config_host *h;
	struct titan_conf	*tc;
	size_t			 i, k, n = 0;

	for (i = 0; i < c->cf_nhosts; i++)
		n += c->cf_hosts[i].ch_nauthors;
	if ((w->w_titan = calloc(w->w_n, sizeof(*w->w_titan))) == NULL ||
	    (w->w_authors = calloc(n + 1, sizeof(*w->w_authors))) == NULL)
		return -1;
	for (i = n = 0; i < w->w_n; i++) {
		h = &c->cf_hosts[i];
		tc = &w->w_titan[i];
		tc->tc_authors = &w->w_authors[n];
		for (k = 0; k < h->ch_nauthors; k++, n++) {
			memcpy(w->w_authors[n].ta_fp, h->ch_authors[k].ca_fp,
			    sizeof(w->w_authors[n].ta_fp));
			w->w_authors[n].ta_name = h->ch_authors[k].ca_name;
		}
		tc->tc_nauthors = h->ch_nauthors;
		tc->tc_token = h->ch_titan_token;
		tc->tc_max = (size_t)(h->ch_titan_max ? h->ch_titan_max :
		    CONFIG_DEF_TITAN_MAX);
		tc->tc_history = (unsigned)(h->ch_titan_history ?
		    h->ch_titan_history : CONFIG_DEF_TITAN_HISTORY);
		tc->tc_host = (unsigned)i;
		tc->tc_writer = -1;
		if (h->ch_titan)
			w->w_vh[i].vh_titan = tc;
	}
	return 0;
}

/*
 * Make configuration c real: names, capsules (read, not yet watched) and
 * certificates of every host.  NULL with err set when any host fails.
 */
struct world *
serve_world_new(const struct serve *sv, const struct config *c, struct diags *d,
    char *err, size_t errlen)
{
	struct world	*w;
	struct site	 site;
	char		 gh[GEMINI_HOST_MAX], **names;
	const char	*gopher_host = NULL;
	size_t		 i;

	snprintf(err, errlen, "out of memory");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->w_n = c->cf_nhosts;
	if ((w->w_vh = calloc(w->w_n, sizeof(*w->w_vh))) == NULL ||
	    (w->w_tls = calloc(w->w_n, sizeof(*w->w_tls))) == NULL)
		goto fail;
	if (c->cf_gopher_host != NULL) {
		if (gemini_host_normalise(c->cf_gopher_host,
		    strlen(c->cf_gopher_host), gh, sizeof(gh)) == -1) {
			snprintf(err, errlen, "gopher-host: not a host name");
			goto fail;
		}
		gopher_host = gh;
	}
	for (i = 0; i < w->w_n; i++) {
		if ((names = host_names(&c->cf_hosts[i], err, errlen)) == NULL)
			goto fail;
		w->w_vh[i].vh_names = (const char *const *)names;
		w->w_vh[i].vh_tls = &w->w_tls[i];
		serve_site(&site, sv, c, &c->cf_hosts[i], names[0], gopher_host ?
		    gopher_host : w->w_vh[0].vh_names[0]);
		if ((w->w_vh[i].vh_live = host_live(c, &c->cf_hosts[i], &site,
		    d, err, errlen)) == NULL ||
		    host_tls(&c->cf_hosts[i], (const char *const *)names,
		    &w->w_tls[i], err, errlen) == -1)
			goto fail;
	}
	if (ticket_keys(c, err, errlen) == -1 || world_titan(w, c) == -1)
		goto fail;
	w->w_sc.sc_vhosts = w->w_vh;
	w->w_sc.sc_nvhosts = w->w_n;
	w->w_sc.sc_gopher = gopher_vhost(w, gopher_host);
	w->w_sc.sc_gemini_port = sv->se_port[ADDR_GEMINI];
	w->w_sc.sc_timeout = c->cf_timeout;
	w->w_sc.sc_maxconn = max_connections(c->cf_max_conn);
	return w;
 fail:
	serve_world_free(w);
	return NULL;
}
