/*
 * serve: `capsuled serve`, the root parent.  It applies the command
 * line over the configuration, binds the listeners (once per worker),
 * starts the serving process (serve_child.c) and supervises it: SIGHUP
 * rereads the configuration and starts a new one before the old drains,
 * SIGTERM drains and stops.  serve_world.c turns a configuration into
 * what a serving process serves; serve_int.h is what the parts share.
 */
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "preflight.h"
#include "tls.h"
#include "serve_int.h"
#include "site.h"

/* How often the parent looks at the ticket-key file for a change. */
#define TICKET_FILE_CHECK_MS	500

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
	h = &c->cf_hosts[0];
	if (replace(&h->ch_capsule, o->ov_dir) == -1 ||
	    replace(&h->ch_name, o->ov_host) == -1 ||
	    replace(&h->ch_certs, o->ov_certs) == -1)
		return -1;
	/* no longer the file's lines: preflight names the flags instead */
	if (o->ov_dir != NULL)
		h->ch_capsule_line = 0;
	if (o->ov_certs != NULL)
		h->ch_certs_line = 0;
	for (i = 0; i < c->cf_nlisten; i++) {
		if (o->ov_port[c->cf_listen[i].cl_proto] >= 0)
			c->cf_listen[i].cl_port =
			    o->ov_port[c->cf_listen[i].cl_proto];
		if (o->ov_proxy)
			c->cf_listen[i].cl_proxy = 1;
	}
	if (o->ov_timeout > 0)
		c->cf_timeout = o->ov_timeout;
	if (o->ov_strict)
		c->cf_gopher_strict = 1;
	return 0;
}


/*
 * Bind one listen address of protocol p, once per worker (SO_REUSEPORT);
 * the first address of each protocol sets its advertised port.  soft:
 * an address the machine may not have (::), only logged.  proxy: its
 * connections start with a PROXY header.
 */
static int
bind_one(struct serve *sv, struct server_conf *sc, enum addr_proto p,
    const char *addr, int port, int soft, int proxy)
{
	struct listen_fd *lf;
	const char	*errstr;
	int		 fd, bound = port;
	size_t		 w;

	for (w = 0; w < sc->sc_nworkers; w++) {
		if (sc->sc_nfds == SERVER_MAX_FDS)
			fatalx("too many listen addresses times workers");
		if ((fd = server_listen(addr, bound, sc->sc_nworkers > 1,
		    &bound, &errstr)) == -1) {
			if (!soft || w > 0)
				fatalx("%s %s port %d: %s", addr_schemes[p],
				    addr, port, errstr);
			log_info("%s: no listener on %s: %s", addr_schemes[p],
			    addr, errstr);
			return -1;
		}
		lf = &sc->sc_lis[sc->sc_nfds++];
		lf->lf_fd = fd;
		lf->lf_worker = w;
		lf->lf_kind = (enum listener_kind)p;
		lf->lf_proxy = proxy;
	}
	if (sv->se_port[p] == 0)
		sv->se_port[p] = bound;
	return bound;
}

/* Protocol p on every address (0.0.0.0, and :: if the machine has it). */
static void
bind_any(struct serve *sv, struct server_conf *sc, enum addr_proto p, int port,
    int proxy)
{
	port = bind_one(sv, sc, p, "0.0.0.0", port, 0, proxy);
	bind_one(sv, sc, p, "::", port, 1, proxy);
}

/*
 * Bind every listen address of c; without any, Gemini and Gopher on
 * every address and their default ports.  A port flag (-g, -p ...) of a
 * protocol with no listen line adds that protocol on every address.
 */
static void
bind_all(struct serve *sv, struct server_conf *sc, const struct config *c,
    const struct overrides *o)
{
	int	 lines[NUM_ADDR_PROTOS] = { 0 };
	size_t	 i;

	for (i = 0; i < c->cf_nlisten; i++) {
		bind_one(sv, sc, c->cf_listen[i].cl_proto,
		    c->cf_listen[i].cl_addr, c->cf_listen[i].cl_port, 0,
		    c->cf_listen[i].cl_proxy);
		lines[c->cf_listen[i].cl_proto] = 1;
	}
	if (c->cf_nlisten == 0) {
		lines[ADDR_GEMINI] = lines[ADDR_GOPHER] = 1;
		bind_any(sv, sc, ADDR_GEMINI, o->ov_port[ADDR_GEMINI] >= 0 ?
		    o->ov_port[ADDR_GEMINI] : 1965, o->ov_proxy);
		bind_any(sv, sc, ADDR_GOPHER, o->ov_port[ADDR_GOPHER] >= 0 ?
		    o->ov_port[ADDR_GOPHER] : geteuid() == 0 ? 70 : 7070,
		    o->ov_proxy);
	}
	for (i = 0; i < NUM_ADDR_PROTOS; i++)
		if (!lines[i] && o->ov_port[i] >= 0)
			bind_any(sv, sc, (enum addr_proto)i, o->ov_port[i],
			    o->ov_proxy);
	/* its own copies of the addresses: c is freed by the next reload */
	memcpy(sv->se_listen, c->cf_listen, sizeof(sv->se_listen));
	for (i = 0; i < c->cf_nlisten; i++)
		if ((sv->se_listen[i].cl_addr = strdup(c->cf_listen[i].cl_addr)) ==
		    NULL)
			fatalx("out of memory");
	sv->se_nlisten = c->cf_nlisten;
}

/*
 * Start a serving process for configuration c.  *ready gets the pipe on
 * which it says it serves, *stopped the one on which it will say that it
 * stopped accepting.
 */
static pid_t
spawn(struct serve *sv, const struct server_conf *listeners,
    const struct config *c, int *ready, int *stopped)
{
	int	 p[2], q[2];
	pid_t	 pid;
	sigset_t none;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(q, O_CLOEXEC) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		close(q[0]);
		close(q[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		close(q[0]);
		close(sv->se_sigfd);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		serve_child(sv, listeners, c, p[1], q[1]);
	}
	close(p[1]);
	close(q[1]);
	*ready = p[0];
	if (*stopped != -1)
		close(*stopped);
	*stopped = q[0];
	return pid;
}

/*
 * Log every problem that start-up refuses (preflight.h) of c, read from
 * path (or none); 0 when there is none.
 */
int
serve_preflight(const struct config *c, const char *path,
    const struct overrides *o)
{
	struct buf	 b;
	char		*line, *nl;
	int		 n;

	buf_init(&b);
	n = preflight_config(c, path, o, PREFLIGHT_ALL, &b);
	if (n == -1 || b.b_failed)
		log_warnx("cannot check the configuration: %s",
		    b.b_failed ? "out of memory" : strerror(errno));
	for (line = b.b_data; n > 0 && line != NULL && *line != '\0';
	    line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		log_warnx("%s", line);
	}
	buf_free(&b);
	return n == 0 ? 0 : -1;
}

/* Are the listen lines of c those the listeners were bound from? */
static int
same_listen(const struct serve *sv, const struct config *c)
{
	size_t	 i;

	if (c->cf_nlisten != sv->se_nlisten)
		return 0;
	for (i = 0; i < c->cf_nlisten; i++)
		if (c->cf_listen[i].cl_proto != sv->se_listen[i].cl_proto ||
		    c->cf_listen[i].cl_port != sv->se_listen[i].cl_port ||
		    c->cf_listen[i].cl_proxy != sv->se_listen[i].cl_proxy ||
		    strcmp(c->cf_listen[i].cl_addr,
		    sv->se_listen[i].cl_addr) != 0)
			return 0;
	return 1;
}

/*
 * The settings of c that differ from those in effect and that a reload
 * cannot apply, as "listen, workers", or "" (capsuled(8), SIGHUP): the
 * parent binds the listening sockets once, one set per worker, and a
 * serving process has no privilege left to bind again.
 */
static void
not_applied(const struct serve *sv, const struct config *c, char *out,
    size_t outlen)
{
	snprintf(out, outlen, "%s%s%s", same_listen(sv, c) ? "" : "listen",
	    !same_listen(sv, c) && c->cf_workers != sv->se_workers ? ", " : "",
	    c->cf_workers != sv->se_workers ? "workers" : "");
}

/* Read the configuration again for SIGHUP; NULL (and logged) on error. */
static struct config *
reread(const struct serve *sv)
{
	struct config	*c;
	char		 err[1024];

	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	config_init(c);
	if (sv->se_path != NULL && config_load(c, sv->se_path, err,
	    sizeof(err)) == -1) {
		log_warnx("%s; keeping the running configuration", err);
		free(c);
		return NULL;
	}
	if (serve_apply(c, sv->se_over) == -1) {
		config_purge(c);
		free(c);
		return NULL;
	}
	if (serve_preflight(c, sv->se_path, sv->se_over) != 0) {
		log_warnx("SIGHUP: the new configuration would be refused; "
		    "keeping the running one");
		config_purge(c);
		free(c);
		return NULL;
	}
	return c;
}

/* The processes the parent looks after. */
struct family {
	pid_t		 f_cur;		/* serving */
	int		 f_cur_stopped;	/* its "stopped accepting" pipe */
	int		 f_next_stopped;
	pid_t		 f_next;	/* starting with a new configuration */
	int		 f_next_ready;	/* its "ready" pipe, or -1 */
	int		 f_cur_ready;	/* the first one's, until it is ready */
	int		 f_ever_ready;
	struct config	*f_next_conf;
	char		 f_next_unapplied[64]; /* see not_applied() */
	int		 f_stopping;
	time_t		 f_started;	/* when f_cur was started */
};

static void
reap(struct serve *sv, struct family *f, const struct server_conf *l,
    struct config *c)
{
	pid_t	 pid;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == f->f_next) {
			log_warnx("the new configuration failed to start; "
			    "keeping the running one");
			close(f->f_next_ready);
			close(f->f_next_stopped);
			f->f_next = -1;
			f->f_next_ready = -1;
			f->f_next_stopped = -1;
			config_purge(f->f_next_conf);
			free(f->f_next_conf);
			f->f_next_conf = NULL;
		} else if (pid == f->f_cur && !f->f_stopping) {
			if (!f->f_ever_ready)
				exit(2);	/* it said why on stderr */
			if (time(NULL) - f->f_started < 10)
				fatalx("the server process died again (status "
				    "%d) within 10 s of starting: giving up",
				    status);
			log_warnx("the server process died (status %d); "
			    "starting another", status);
			f->f_started = time(NULL);
			f->f_cur = spawn(sv, l, c, &f->f_cur_ready,
			    &f->f_cur_stopped);
		}
	}
}

/* Stop everything: the children drain (see server.c), then we go. */
static int
stop_all(struct family *f)
{
	int	 status;

	f->f_stopping = 1;
	if (f->f_cur > 0)
		kill(f->f_cur, SIGTERM);
	if (f->f_next > 0)
		kill(f->f_next, SIGTERM);
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	return 0;
}

/*
 * The new configuration's process is ready: the old one drains (SIGUSR1,
 * not SIGTERM, so that it says it is handing over, not stopping).
 */
static void
switch_over(struct family *f, struct config *c)
{
	struct pollfd	 pfd;
	char		 b;
	enum config_level level;

	if (read(f->f_next_ready, &b, 1) != 1)
		return;		/* it died; reap() says so */
	close(f->f_next_ready);
	f->f_next_ready = -1;
	kill(f->f_cur, SIGUSR1);
	/* until the old one has let go of the listeners, it may still accept */
	pfd.fd = f->f_cur_stopped;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) == 1)
		(void)!read(f->f_cur_stopped, &b, 1);
	close(f->f_cur_stopped);
	f->f_cur_stopped = f->f_next_stopped;
	f->f_next_stopped = -1;
	f->f_cur = f->f_next;
	f->f_next = -1;
	level = c->cf_level;
	config_purge(c);
	*c = *f->f_next_conf;
	free(f->f_next_conf);
	f->f_next_conf = NULL;
	/* the answer to SIGHUP shows when the old or the new log-level
	   shows info lines; settings it could not apply are a warning */
	if (c->cf_level > level)
		level = c->cf_level;
	log_setup(c->cf_log == CONF_LOG_SYSLOG, (enum log_level)level);
	if (f->f_next_unapplied[0] != '\0')
		log_warnx("reloaded: %zu virtual %s; not applied until "
		    "restart: %s", c->cf_nhosts, log_plural(c->cf_nhosts,
		    "host", "hosts"), f->f_next_unapplied);
	else
		log_info("reloaded: %zu virtual %s", c->cf_nhosts,
		    log_plural(c->cf_nhosts, "host", "hosts"));
	log_setup(c->cf_log == CONF_LOG_SYSLOG, (enum log_level)c->cf_level);
}

/*
 * Read the configuration again and start a serving process with it
 * (SIGHUP, or the ticket-key file changed); the old one drains when the
 * new one is ready (switch_over).
 */
static void
reload(struct serve *sv, struct family *f, const struct server_conf *l)
{
	if (f->f_next != -1) {
		log_warnx("reload: one is already under way");
		return;
	}
	if ((f->f_next_conf = reread(sv)) == NULL)
		return;
	not_applied(sv, f->f_next_conf, f->f_next_unapplied,
	    sizeof(f->f_next_unapplied));
	if ((f->f_next = spawn(sv, l, f->f_next_conf, &f->f_next_ready,
	    &f->f_next_stopped)) == -1) {
		config_purge(f->f_next_conf);
		free(f->f_next_conf);
		f->f_next_conf = NULL;
	}
}

/*
 * Has the file at path changed since *st (which gets its new state)?
 * Written in place or renamed over: its inode, size, or times differ.
 * A file that is gone has not changed (until it comes back).
 */
static int
file_changed(const char *path, struct stat *st)
{
	struct stat	 now;

	if (path == NULL || stat(path, &now) == -1)
		return 0;
	if (now.st_ino == st->st_ino && now.st_dev == st->st_dev &&
	    now.st_size == st->st_size &&
	    now.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == st->st_mtim.tv_nsec &&
	    now.st_ctim.tv_sec == st->st_ctim.tv_sec &&
	    now.st_ctim.tv_nsec == st->st_ctim.tv_nsec)
		return 0;
	*st = now;
	return 1;
}

/*
 * The privileged parent: no network I/O, only processes.  SIGHUP reads
 * the configuration again and starts a new serving process with it; when
 * that one is ready, the old one is told to drain.  SIGTERM drains all.
 * A ticket-key file is looked at every TICKET_FILE_CHECK_MS: a change is
 * a reload too, so that the keys (only root may read them) come into a
 * new serving process as at start.  A rotation, daily at most, costs
 * what a SIGHUP costs; nothing is dropped.
 */
static int
parent(struct serve *sv, const struct server_conf *l, struct config *c)
{
	struct family		 f = { -1, -1, -1, -1, -1, -1, 0, NULL, "", 0,
				       0 };
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[3];
	struct stat		 keys;
	char			 b;
	int			 n;

	f.f_started = time(NULL) - 10;
	memset(&keys, 0, sizeof(keys));
	(void)file_changed(c->cf_ticket_key_file, &keys);
	if ((f.f_cur = spawn(sv, l, c, &f.f_cur_ready, &f.f_cur_stopped)) ==
	    -1)
		fatalx("fork: %s", strerror(errno));
	for (;;) {
		pfd[0].fd = sv->se_sigfd;
		pfd[1].fd = f.f_cur_ready;
		pfd[2].fd = f.f_next_ready;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		if ((n = poll(pfd, 3, c->cf_ticket_key_file != NULL ?
		    TICKET_FILE_CHECK_MS : -1)) == -1 && errno != EINTR)
			fatalx("poll: %s", strerror(errno));
		if (file_changed(c->cf_ticket_key_file, &keys)) {
			log_info("ticket-key-file %s changed: reloading",
			    c->cf_ticket_key_file);
			reload(sv, &f, l);
		}
		if (n <= 0)
			continue;
		if (pfd[1].revents) {
			if (read(f.f_cur_ready, &b, 1) == 1)
				f.f_ever_ready = 1;
			close(f.f_cur_ready);
			f.f_cur_ready = -1;
		}
		if (pfd[2].revents)
			switch_over(&f, c);
		if (!(pfd[0].revents & POLLIN) ||
		    read(sv->se_sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			return stop_all(&f);
		if (si.ssi_signo == SIGCHLD)
			reap(sv, &f, l, c);
		if (si.ssi_signo != SIGHUP)
			continue;
		log_info("SIGHUP: reloading %s", sv->se_path != NULL ?
		    sv->se_path : "(no configuration file)");
		reload(sv, &f, l);
	}
}

/* The addresses a newcomer can open (make run prints them). */
static void
serving(const struct serve *sv, const struct config *c, size_t workers)
{
	struct site	 site;
	char		 list[NUM_ADDR_PROTOS * (ADDR_URL_MAX + 8)] = "";
	char		 base[ADDR_URL_MAX];
	size_t		 i, n = 0, len;

	serve_site(&site, sv, c, &c->cf_hosts[0], c->cf_hosts[0].ch_name,
	    c->cf_gopher_host);
	for (i = 0; i < NUM_ADDR_PROTOS; i++)
		n += site.s_port[i] != 0;
	for (i = 0; i < NUM_ADDR_PROTOS; i++) {
		if (site.s_port[i] == 0)
			continue;
		addr_base(base, sizeof(base), (enum addr_proto)i, &site);
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s%s/",
		    len == 0 ? "" : --n == 1 ? " and " : ", ", base);
	}
	log_info("serving %s with %zu %s", list, workers,
	    log_plural(workers, "worker", "workers"));
}

/*
 * Serve configuration c (from path, or none) until SIGTERM: bind the
 * listeners here, as root when started as root, then let serving
 * processes do the rest.
 */
int
serve_main(struct config *c, const char *path, const struct overrides *o)
{
	struct serve		 sv;
	struct server_conf	 sc;
	sigset_t		 set;
	const char		*errstr;
	char			 name[128];	/* "[IPv6]:port" */
	size_t			 i;
	int			 r;

	memset(&sv, 0, sizeof(sv));
	memset(&sc, 0, sizeof(sc));
	sv.se_path = path;
	sv.se_over = o;
	sv.se_parent = getpid();
	sv.se_was_root = geteuid() == 0;
	sv.se_no_sandbox = o->ov_no_sandbox;
	sv.se_workers = c->cf_workers;
	log_setup(c->cf_log == CONF_LOG_SYSLOG, (enum log_level)c->cf_level);
	sc.sc_nworkers = c->cf_workers > 0 ? (size_t)c->cf_workers :
	    (size_t)sysconf(_SC_NPROCESSORS_ONLN);
	if (sc.sc_nworkers < 1)
		sc.sc_nworkers = 1;
	bind_all(&sv, &sc, c, o);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sv.se_sigfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		fatalx("signalfd: %s", strerror(errno));
	/* on stderr whatever the log settings: tests wait for these lines */
	for (i = 0; i < sc.sc_nfds; i++) {
		if (sc.sc_lis[i].lf_worker != 0)
			continue;
		if (server_sockname(sc.sc_lis[i].lf_fd, name, sizeof(name),
		    &errstr) == -1)
			fatalx("listening socket: %s", errstr);
		fprintf(stderr, "capsuled: listening %s %s%s\n",
		    protos[sc.sc_lis[i].lf_kind].pr_name, name,
		    sc.sc_lis[i].lf_proxy ? " proxy" : "");
	}
	serving(&sv, c, sc.sc_nworkers);
	r = parent(&sv, &sc, c);
	for (i = 0; i < sv.se_nlisten; i++)
		free(sv.se_listen[i].cl_addr);
	return r;
}
