#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capsule.h"
#include "catalog.h"
#include "config.h"
#include "gemini.h"
#include "live.h"
#include "log.h"
#include "mime.h"
#include "serve.h"
#include "server.h"
#include "site.h"
#include "snapshot.h"
#include "tls.h"

/* One configuration made real; w_sc first, so the server's pointer is ours. */
struct world {
	struct server_conf	 w_sc;
	struct vhost		*w_vh;
	struct tls_host		*w_tls;
	size_t			 w_n;
};

/* What stays the same across reloads. */
struct serve {
	const char		*sv_path;	/* config file, or NULL */
	const struct overrides	*sv_over;
	struct mime		*sv_mime;
	int			 sv_gemini_port; /* advertised */
	int			 sv_gopher_port;
	struct config_listen	 sv_listen[CONFIG_MAX_LISTEN];
	size_t			 sv_nlisten;
};

static int
replace(char **field, const char *value)
{
	char	*p;

	if (value == NULL)
		return 0;
	if ((p = strdup(value)) == NULL)
		return -1;
	free(*field);
	*field = p;
	return 0;
}

/* The command line wins over the file (capsuled.conf(5), "FLAGS"). */
int
serve_apply(struct config *c, const struct overrides *o)
{
	struct config_host	*h;
	size_t			 i;

	if (config_default_host(c) == -1)
		return -1;
	h = &c->c_hosts[0];
	if (replace(&h->ch_capsule, o->ov_dir) == -1 ||
	    replace(&h->ch_name, o->ov_host) == -1 ||
	    replace(&h->ch_certs, o->ov_certs) == -1)
		return -1;
	for (i = 0; i < c->c_nlisten; i++) {
		if (c->c_listen[i].cl_proto == CONF_GEMINI &&
		    o->ov_gemini_port >= 0)
			c->c_listen[i].cl_port = o->ov_gemini_port;
		if (c->c_listen[i].cl_proto == CONF_GOPHER &&
		    o->ov_gopher_port >= 0)
			c->c_listen[i].cl_port = o->ov_gopher_port;
	}
	if (o->ov_timeout > 0)
		c->c_timeout = o->ov_timeout;
	if (o->ov_strict)
		c->c_gopher_strict = 1;
	return 0;
}

static void
world_free(struct world *w)
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
	free(w);
}

/* As many connections as asked, or as the descriptor limit allows. */
static size_t
max_connections(int configured)
{
	struct rlimit	 rl;
	size_t		 n;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return configured > 0 ? (size_t)configured : 256;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
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

		if (gemini_host_normalise(n, strlen(n), buf, sizeof(buf)) == -1) {
			snprintf(err, errlen, "host %s: not a valid host name", n);
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

/* A live capsule for host i: the running one if nothing changed, else new. */
static struct live *
host_live(const struct config *c, const struct config_host *h,
    const struct site *site, struct world *old, struct diags *d,
    char *err, size_t errlen)
{
	struct live	*lv;
	const char	*errstr;
	size_t		 i;

	for (i = 0; old != NULL && i < old->w_n; i++) {
		lv = old->w_vh[i].vh_live;
		if (strcmp(live_dir(lv), h->ch_capsule) == 0 &&
		    site_equal(live_site(lv), site)) {
			live_ref(lv);
			return lv;
		}
	}
	if ((lv = live_new(h->ch_capsule, site, c->c_rescan, d, &errstr)) ==
	    NULL)
		snprintf(err, errlen, "host %s: capsule %s: %s", h->ch_name,
		    h->ch_capsule, errstr);
	return lv;
}

static int
host_tls(const struct config_host *h, const char *name, struct tls_host *t,
    char *err, size_t errlen)
{
	const char	*errstr;

	if (mkdir(h->ch_certs, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", h->ch_certs, strerror(errno));
		return -1;
	}
	if (tls_host_load(h->ch_certs, name, t, &errstr) == -1) {
		snprintf(err, errlen, "certificate for %s in %s: %s", name,
		    h->ch_certs, errstr);
		return -1;
	}
	log_info("%s certificate for %s: %s", t->th_created ? "created" :
	    "loaded", name, t->th_fingerprint);
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

static void
site_of(struct site *site, const struct serve *sv, const struct config *c,
    const struct config_host *h, const char *name, const char *gopher_host)
{
	memset(site, 0, sizeof(*site));
	site->s_title = h->ch_title;
	site->s_lang = h->ch_lang;
	site->s_host = name;
	site->s_gemini_port = (unsigned)sv->sv_gemini_port;
	site->s_gopher_host = gopher_host != NULL ? gopher_host : name;
	site->s_gopher_port = (unsigned)(c->c_gopher_port > 0 ?
	    c->c_gopher_port : sv->sv_gopher_port);
	site->s_gopher_strict = c->c_gopher_strict;
	site->s_home_limit = c->c_home_limit;
}

/*
 * Make configuration c real.  Capsules already served with the same
 * settings are shared with old (no rescan); certificates are read again.
 * NULL with err set when any host fails: then nothing changes.
 */
static struct world *
world_new(const struct serve *sv, const struct config *c, struct world *old,
    struct diags *d, char *err, size_t errlen)
{
	struct world	*w;
	struct site	 site;
	char		 gh[GEMINI_HOST_MAX], **names;
	const char	*gopher_host = NULL;
	size_t		 i;

	snprintf(err, errlen, "out of memory");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->w_n = c->c_nhosts;
	if ((w->w_vh = calloc(w->w_n, sizeof(*w->w_vh))) == NULL ||
	    (w->w_tls = calloc(w->w_n, sizeof(*w->w_tls))) == NULL)
		goto fail;
	if (c->c_gopher_host != NULL) {
		if (gemini_host_normalise(c->c_gopher_host,
		    strlen(c->c_gopher_host), gh, sizeof(gh)) == -1) {
			snprintf(err, errlen, "gopher-host: not a host name");
			goto fail;
		}
		gopher_host = gh;
	}
	for (i = 0; i < w->w_n; i++) {
		if ((names = host_names(&c->c_hosts[i], err, errlen)) == NULL)
			goto fail;
		w->w_vh[i].vh_names = (const char *const *)names;
		w->w_vh[i].vh_tls = &w->w_tls[i];
		site_of(&site, sv, c, &c->c_hosts[i], names[0], gopher_host ?
		    gopher_host : w->w_vh[0].vh_names[0]);
		if ((w->w_vh[i].vh_live = host_live(c, &c->c_hosts[i], &site,
		    old, d, err, errlen)) == NULL ||
		    host_tls(&c->c_hosts[i], names[0], &w->w_tls[i], err,
		    errlen) == -1)
			goto fail;
	}
	w->w_sc.sc_vhosts = w->w_vh;
	w->w_sc.sc_nvhosts = w->w_n;
	w->w_sc.sc_gopher = gopher_vhost(w, gopher_host);
	w->w_sc.sc_mime = sv->sv_mime;
	w->w_sc.sc_gemini_port = sv->sv_gemini_port;
	w->w_sc.sc_timeout = c->c_timeout;
	w->w_sc.sc_maxconn = max_connections(c->c_max_conn);
	return w;
 fail:
	world_free(w);
	return NULL;
}

static const char *const proto_names[NUM_CONF_PROTOS] = {
	[CONF_GEMINI] = "gemini",
	[CONF_GOPHER] = "gopher",
};

/* Bind one listener; the first of each protocol sets the advertised port. */
static int
bind_one(struct serve *sv, struct server_conf *sc, enum config_proto p,
    const char *addr, int port, int soft)
{
	const char	*errstr;
	int		 fd, bound, *adv;

	if (sc->sc_nfds == sizeof(sc->sc_fds) / sizeof(sc->sc_fds[0]))
		fatalx("too many listen addresses");
	if ((fd = server_listen(addr, port, &bound, &errstr)) == -1) {
		if (!soft)
			fatalx("%s %s port %d: %s", proto_names[p], addr, port,
			    errstr);
		log_info("%s: no listener on %s: %s", proto_names[p], addr,
		    errstr);
		return -1;
	}
	sc->sc_fds[sc->sc_nfds] = fd;
	sc->sc_addrs[sc->sc_nfds] = strchr(addr, ':') ? "[::]" : addr;
	sc->sc_ports[sc->sc_nfds] = bound;
	sc->sc_kinds[sc->sc_nfds++] = p == CONF_GEMINI ? LISTEN_GEMINI :
	    LISTEN_GOPHER;
	adv = p == CONF_GEMINI ? &sv->sv_gemini_port : &sv->sv_gopher_port;
	if (*adv == 0)
		*adv = bound;
	return bound;
}

/*
 * Bind every listen address of c; without any, 0.0.0.0 and :: (if the
 * machine has IPv6) on the default ports, which flags may change.
 */
static void
bind_all(struct serve *sv, struct server_conf *sc, const struct config *c,
    const struct overrides *o)
{
	int	 port;
	size_t	 i;

	if (c->c_nlisten == 0) {
		port = bind_one(sv, sc, CONF_GEMINI, "0.0.0.0",
		    o->ov_gemini_port >= 0 ? o->ov_gemini_port : 1965, 0);
		bind_one(sv, sc, CONF_GEMINI, "::", port, 1);
		port = bind_one(sv, sc, CONF_GOPHER, "0.0.0.0",
		    o->ov_gopher_port >= 0 ? o->ov_gopher_port :
		    geteuid() == 0 ? 70 : 7070, 0);
		bind_one(sv, sc, CONF_GOPHER, "::", port, 1);
		return;
	}
	for (i = 0; i < c->c_nlisten; i++)
		bind_one(sv, sc, c->c_listen[i].cl_proto, c->c_listen[i].cl_addr,
		    c->c_listen[i].cl_port, 0);
	memcpy(sv->sv_listen, c->c_listen, sizeof(sv->sv_listen));
	sv->sv_nlisten = c->c_nlisten;
}

static void
log_diags(struct diags *d)
{
	size_t	 i;

	for (i = 0; i < d->d_n; i++)
		log_warnx("%s: %s: %s", d->d_list[i].d_file,
		    diag_level_name(d->d_list[i].d_level), d->d_list[i].d_msg);
	diags_free(d);
}

/* SIGHUP: read the file again; any error keeps the running world. */
static struct server_conf *
reload(void *arg, struct server_conf *cur)
{
	struct serve	*sv = arg;
	struct config	 c;
	struct world	*w;
	struct diags	 d;
	char		 err[1024];
	size_t		 i;

	config_init(&c);
	if (sv->sv_path != NULL && config_load(&c, sv->sv_path, err,
	    sizeof(err)) == -1) {
		log_warnx("%s", err);
		return NULL;
	}
	if (serve_apply(&c, sv->sv_over) == -1) {
		config_purge(&c);
		return NULL;
	}
	for (i = 0; i < c.c_nlisten; i++)
		if (i >= sv->sv_nlisten || c.c_listen[i].cl_proto !=
		    sv->sv_listen[i].cl_proto || c.c_listen[i].cl_port !=
		    sv->sv_listen[i].cl_port)
			log_warnx("listen settings take effect on restart");
	memset(&d, 0, sizeof(d));
	w = world_new(sv, &c, (struct world *)cur, &d, err, sizeof(err));
	log_diags(&d);
	if (w == NULL)
		log_warnx("%s", err);
	else
		log_setup(c.c_log == CONF_LOG_SYSLOG, (enum log_level)c.c_level);
	config_purge(&c);
	return w != NULL ? &w->w_sc : NULL;
}

static void
release(void *arg, struct server_conf *old)
{
	(void)arg;
	world_free((struct world *)old);
}

/* Serve configuration c (from path, or none) until SIGTERM; 0 or exit. */
int
serve_main(struct config *c, const char *path, const struct overrides *o)
{
	struct serve		 sv;
	struct server_conf	 sc;
	struct server_reload	 rl = { reload, release, &sv };
	struct world		*w;
	struct diags		 d;
	const char		*errstr;
	char			 err[1024];
	size_t			 i;

	memset(&sv, 0, sizeof(sv));
	memset(&sc, 0, sizeof(sc));
	memset(&d, 0, sizeof(d));
	sv.sv_path = path;
	sv.sv_over = o;
	log_setup(c->c_log == CONF_LOG_SYSLOG, (enum log_level)c->c_level);
	bind_all(&sv, &sc, c, o);
	if ((sv.sv_mime = mime_open(&errstr)) == NULL)
		fatalx("libmagic: %s", errstr);
	w = world_new(&sv, c, NULL, &d, err, sizeof(err));
	log_diags(&d);
	if (w == NULL)
		fatalx("%s", err);
	memcpy(w->w_sc.sc_fds, sc.sc_fds, sizeof(sc.sc_fds));
	memcpy(w->w_sc.sc_addrs, sc.sc_addrs, sizeof(sc.sc_addrs));
	memcpy(w->w_sc.sc_kinds, sc.sc_kinds, sizeof(sc.sc_kinds));
	w->w_sc.sc_nfds = sc.sc_nfds;
	/* on stderr whatever the log settings: tests wait for these lines */
	for (i = 0; i < sc.sc_nfds; i++)
		fprintf(stderr, "capsuled: listening %s %s:%d\n",
		    sc.sc_kinds[i] == LISTEN_GEMINI ? "gemini" : "gopher",
		    sc.sc_addrs[i], sc.sc_ports[i]);
	log_info("serving gemini://%s:%d/ and gopher://%s:%d/",
	    w->w_vh[0].vh_names[0], sv.sv_gemini_port,
	    w->w_vh[w->w_sc.sc_gopher].vh_names[0], sv.sv_gopher_port);
	if (server_run(&w->w_sc, &rl, &errstr) == -1)
		fatalx("%s", errstr);
	mime_close(sv.sv_mime);
	return 0;
}
