/*
 * serve_child.c: the serving process that the root parent (serve.c)
 * forks: it makes the world (serve_world.c), drops privileges,
 * sandboxes itself, starts one event loop per worker thread, says
 * "ready", and serves until SIGTERM.  The order matters: see serve_child().
 */
#include <sys/prctl.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/thread.h>

#include "capsule.h"
#include "live.h"
#include "log.h"
#include "mime.h"
#include "sandbox.h"
#include "titan.h"
#include "tls.h"
#include "writer.h"
#include "serve_int.h"

static void
live_log_diags(struct diags *d)
{
	size_t	 i;

	for (i = 0; i < d->d_n; i++)
		log_warnx("%s: %s: %s", d->d_list[i].d_file,
		    diag_level_name(d->d_list[i].d_level), d->d_list[i].d_msg);
	diags_free(d);
}


static pthread_t	 worker_threads[SERVER_MAX_FDS];

static void *
worker_main(void *arg)
{
	const char	*errstr;

	if (server_run(arg, &errstr) == -1)
		log_warnx("%s", errstr);
	return NULL;
}

/*
 * One event loop per worker, each on its own listening sockets; worker 0
 * will run in this thread, the others get threads now (before seccomp,
 * which forbids making threads).
 */
static void
workers_start(struct server_conf *sc, struct mime **mimes)
{
	const char	*errstr;
	size_t		 i;

	if (evthread_use_pthreads() == -1)
		fatalx("libevent: no thread support");
	if ((sc->sc_servers = calloc(sc->sc_nworkers,
	    sizeof(*sc->sc_servers))) == NULL)
		fatalx("out of memory");
	for (i = 0; i < sc->sc_nworkers; i++)
		if ((sc->sc_servers[i] = server_new(sc, i, mimes[i],
		    &errstr)) ==
		    NULL)
			fatalx("%s", errstr);
	for (i = 1; i < sc->sc_nworkers; i++)
		if (pthread_create(&worker_threads[i], NULL, worker_main,
		    sc->sc_servers[i]) != 0)
			fatalx("cannot start worker threads");
}

/* Serve until SIGTERM; then wait for every worker to finish. */
static void
workers_run(struct server_conf *sc, struct mime **mimes)
{
	const char	*errstr;
	size_t		 i;

	if (server_run(sc->sc_servers[0], &errstr) == -1)
		fatalx("%s", errstr);
	for (i = 1; i < sc->sc_nworkers; i++)
		pthread_join(worker_threads[i], NULL);
	for (i = 0; i < sc->sc_nworkers; i++) {
		server_free(sc->sc_servers[i]);
		mime_close(mimes[i]);
	}
	free(sc->sc_servers);
}

/*
 * When a host takes uploads: fork the writer (writer.h), still
 * privileged, so that it can become the same user and sandbox itself
 * its own way; every host's capsule directory is its by index.
 */
static void
start_writer(struct serve *sv, struct world *w, const struct config *c)
{
	const char	*errstr;
	int		*dirs, fd;
	size_t		 i, on = 0;

	for (i = 0; i < w->w_n; i++)
		on += w->w_vh[i].vh_titan != NULL;
	if (on == 0)
		return;
	if ((dirs = calloc(w->w_n, sizeof(*dirs))) == NULL)
		fatalx("out of memory");
	for (i = 0; i < w->w_n; i++)
		dirs[i] = live_dirfd(w->w_vh[i].vh_live);
	if (writer_start(dirs, w->w_n, c->cf_user ? c->cf_user : "nobody",
	    !sv->se_no_sandbox, &fd, &errstr) == -1)
		fatalx("cannot start the writer: %s", errstr);
	for (i = 0; i < w->w_n; i++)
		w->w_titan[i].tc_writer = fd;
	free(dirs);
	log_info("titan: uploads accepted on %zu %s", on,
	    log_plural(on, "host", "hosts"));
}

/*
 * The serving process: make the world, drop privileges, sandbox, start
 * the watchers, say "ready" on fd ready, serve until SIGTERM.  Never
 * returns.
 */
void __attribute__((noreturn))
serve_child(struct serve *sv, const struct server_conf *listeners,
    const struct config *c, int ready, int stopped)
{
	struct world	*w;
	struct mime	*mimes[SERVER_MAX_FDS];
	struct diags	 d;
	const char	*errstr;
	char		 err[1024];
	int		*dirs;
	size_t		 i;

	signal(SIGHUP, SIG_IGN);
	/* before anything is logged, and before the sandbox (syslog's socket) */
	log_setup(c->cf_log == CONF_LOG_SYSLOG, (enum log_level)c->cf_level);
	/* before serve_world_new() sizes the limits */
	serve_raise_nofile();
	memset(&d, 0, sizeof(d));
	w = serve_world_new(sv, c, &d, err, sizeof(err));
	live_log_diags(&d);
	if (w == NULL)
		fatalx("%s", err);
	memcpy(w->w_sc.sc_lis, listeners->sc_lis, sizeof(w->w_sc.sc_lis));
	w->w_sc.sc_nfds = listeners->sc_nfds;
	w->w_sc.sc_nworkers = listeners->sc_nworkers;
	w->w_sc.sc_stopped_fd = stopped;
	w->w_sc.sc_per_ip = c->cf_max_conn_per_ip;
	w->w_sc.sc_limit_loopback = c->cf_limit_loopback;
	w->w_sc.sc_log_addresses = c->cf_log_addresses;
	start_writer(sv, w, c);
	if (sandbox_drop(c->cf_user ? c->cf_user : "nobody", &errstr) == -1)
		fatalx("cannot drop privileges to %s: %s; refusing to serve",
		    c->cf_user ? c->cf_user : "nobody", errstr);
	if (geteuid() != 0 && getuid() != 0 && c->cf_user == NULL &&
	    sv->se_was_root)
		log_info("running as nobody");
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
	    getppid() != sv->se_parent)
		exit(0);	/* the parent is gone */
	for (i = 0; i < w->w_sc.sc_nworkers; i++)
		if ((mimes[i] = mime_open(&errstr)) == NULL)
			fatalx("libmagic: %s", errstr);
	/* every host's capsule must stay readable under Landlock */
	if ((dirs = calloc(w->w_n, sizeof(*dirs))) == NULL)
		fatalx("out of memory");
	for (i = 0; i < w->w_n; i++)
		dirs[i] = live_dirfd(w->w_vh[i].vh_live);
	if (!sv->se_no_sandbox && sandbox_restrict(dirs, i, 1, &errstr) == -1)
		fatalx("Landlock: %s", errstr);
	for (i = 0; i < w->w_n; i++)
		if (live_start(w->w_vh[i].vh_live, &errstr) == -1)
			fatalx("%s", errstr);
	workers_start(&w->w_sc, mimes);
	if (!sv->se_no_sandbox && sandbox_restrict(dirs, 0, 2, &errstr) == -1)
		fatalx("seccomp: %s", errstr);
	free(dirs);
	if (sv->se_no_sandbox)
		log_warnx("--no-sandbox: running WITHOUT Landlock and seccomp");
	(void)!write(ready, "r", 1);
	close(ready);
	workers_run(&w->w_sc, mimes);
	serve_world_free(w);
	exit(0);
}
