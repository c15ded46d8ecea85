/*
 * server: listeners, the libevent loop, SIGTERM (drain and exit), SIGUSR1
 * (the same, for a reload) and the connection limits; connections are
 * conn.c's.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "log.h"
#include "server.h"
#include "tls.h"

/* After SIGTERM, replies in flight get this long to finish. */
#define STOP_SECONDS	30

/* At most one "cannot accept" message this often, for every worker. */
#define STARVED_LOG_SECONDS	10

/* When it was last said, and how many failures since (every worker's). */
static _Atomic time_t	starved_said;
static _Atomic size_t	starved_unsaid;

/* Accept, or not, on every listener of sv. */
static void
accepting(struct server *sv, int on)
{
	size_t	 i;

	for (i = 0; i < sv->sv_nlis; i++)
		if (on)
			evconnlistener_enable(sv->sv_lis[i]);
		else
			evconnlistener_disable(sv->sv_lis[i]);
	sv->sv_paused = !on;
}

/*
 * accept() failed for want of descriptors or memory (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM) or the like.  The listening socket stays readable,
 * so trying again at once would spin: stop accepting until a connection
 * closes or a second passes (on_trim), and say so at a bounded rate.
 */
static void
on_accept_error(struct evconnlistener *l, void *arg)
{
	struct listener	*li = arg;
	struct server	*sv = li->l_sv;
	int		 e = EVUTIL_SOCKET_ERROR();
	time_t		 now = time(NULL), said;
	size_t		 n;

	(void)l;
	accepting(sv, 0);
	sv->sv_starved = 1;
	atomic_fetch_add(&starved_unsaid, 1);
	said = atomic_load(&starved_said);
	/* the worker that moves the time on says it, for all of them */
	if (now - said < STARVED_LOG_SECONDS ||
	    !atomic_compare_exchange_strong(&starved_said, &said, now))
		return;
	n = atomic_exchange(&starved_unsaid, 0);
	log_warnx("cannot accept connections: %s; again when one closes or "
	    "in a second (%zu %s since the last message)", strerror(e), n,
	    log_plural(n, "time", "times"));
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct listener	*li = arg;
	struct server	*sv = li->l_sv;
	struct conn	*c;

	(void)l;
	if ((c = conn_new(sv, fd, sa, (socklen_t)salen, li)) == NULL)
		return;
	sv->sv_accepted++;
	if (sv->sv_nconn >= sv->sv_conf->sc_maxconn /
	    sv->sv_conf->sc_nworkers && !sv->sv_paused)
		accepting(sv, 0);
	conn_start(c);
}

static const struct timeval trim_every = { 1, 0 };

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_TRIM_USEFUL	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_TRIM_USEFUL	0
#endif
#endif
#ifndef HEAP_TRIM_USEFUL
#define HEAP_TRIM_USEFUL	1
#endif

/*
 * Give glibc malloc's free memory back to the kernel.  Not under
 * AddressSanitizer: its allocator replaces glibc's, whose arenas are then
 * never initialised before our threads start; the first malloc_trim()
 * runs that initialisation, which is not thread-safe (glibc 2.36 marks
 * the arena initialised before filling its bins), so a second worker
 * trimming at the same moment walked empty bins and crashed (SEGV at
 * 0x8 in mtrim).  The plain build initialises malloc at start-up.
 */
static void
heap_trim(void)
{
	if (HEAP_TRIM_USEFUL)
		malloc_trim(0);
}

/*
 * Once connections came and then a second passed without a new one:
 * give the memory malloc holds free back to the kernel.  A handshake's
 * temporaries, freed while the connections it made stay open, would
 * otherwise keep their pages resident (an idle TLS connection then
 * costs twice what it holds).  Not while connections keep coming: their
 * memory is reused at once, and trimming a large heap stalls the others.
 */
static void
on_trim(evutil_socket_t fd, short what, void *arg)
{
	struct server	*sv = arg;

	(void)fd;
	(void)what;
	if (sv->sv_starved && !sv->sv_stopping) {
		sv->sv_starved = 0;
		if (sv->sv_nconn < sv->sv_conf->sc_maxconn /
		    sv->sv_conf->sc_nworkers)
			accepting(sv, 1);
	}
	if (sv->sv_accepted != sv->sv_seen) {
		sv->sv_seen = sv->sv_accepted;
		sv->sv_untrimmed = 1;
	} else if (sv->sv_untrimmed) {
		sv->sv_untrimmed = 0;
		heap_trim();
	}
}

/* The stop deadline passed: close whatever is still open. */
static void
on_stop_timer(evutil_socket_t fd, short what, void *arg)
{
	struct server	*sv = arg;

	(void)fd;
	(void)what;
	while (sv->sv_conns != NULL)
		conn_abort(sv->sv_conns);
	event_base_loopbreak(sv->sv_base);
}

/*
 * Is c closed at once when its worker stops?  On SIGTERM, every
 * connection that has not sent its request yet.  On a reload's hand-over
 * only a persistent connection waiting for its next request: one still
 * in its PROXY header, handshake or request is a client's request in
 * flight (behind a balancer, its bytes are on their way), and it is
 * answered within its deadline (-T) as usual.
 */
static int
close_at_stop(const struct conn *c, int handover)
{
	if (c->cn_state != CONN_PROXY && c->cn_state != CONN_DETECT &&
	    c->cn_state != CONN_HANDSHAKE && c->cn_state != CONN_READ_REQUEST)
		return 0;
	return !handover || (c->cn_state == CONN_READ_REQUEST &&
	    c->cn_nreq > 0 && (c->cn_x == NULL || c->cn_x->x_reqlen == 0));
}

/*
 * Stop this worker: stop accepting, close connections that have not
 * sent a request yet (close_at_stop), let replies in flight finish for
 * STOP_SECONDS at most, then leave the loop.  Asked twice, it stops at
 * once.
 */
static void
stop(evutil_socket_t sig, short what, void *arg)
{
	struct server		*sv = arg;
	struct server_conf	*conf = sv->sv_conf;
	struct conn		*c, *next;
	struct timeval		 tv = { STOP_SECONDS, 0 };
	size_t			 i;

	(void)sig;
	(void)what;
	if (sv->sv_stopping) {
		on_stop_timer(-1, 0, sv);
		return;
	}
	sv->sv_stopping = 1;
	for (i = 0; i < sv->sv_nlis; i++)
		evconnlistener_free(sv->sv_lis[i]);
	sv->sv_nlis = 0;
	/* the last worker to let go tells the parent (see serve.c) */
	if (atomic_fetch_add(&conf->sc_nstopped, 1) + 1 == conf->sc_nworkers &&
	    conf->sc_stopped_fd != -1) {
		(void)!write(conf->sc_stopped_fd, "s", 1);
		close(conf->sc_stopped_fd);
		conf->sc_stopped_fd = -1;
	}
	for (c = sv->sv_conns; c != NULL; c = next) {
		next = c->cn_next;
		if (close_at_stop(c, conf->sc_handover))
			conn_abort(c);
	}
	log_debug("worker %zu: stopping, %zu %s to finish", sv->sv_worker,
	    sv->sv_nconn, log_plural(sv->sv_nconn, "reply", "replies"));
	if (sv->sv_nconn == 0)
		event_base_loopbreak(sv->sv_base);
	else if ((sv->sv_stop_timer = evtimer_new(sv->sv_base, on_stop_timer,
	    sv)) != NULL)
		evtimer_add(sv->sv_stop_timer, &tv);
}

/*
 * SIGTERM or SIGINT (seen by worker 0): every worker stops.  SIGUSR1 is
 * the parent handing over to the serving process of a reload (serve.c):
 * the same drain, but for connections whose request is still coming
 * (close_at_stop), logged as what it is.
 */
static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server		*sv = arg;
	struct server_conf	*conf = sv->sv_conf;
	size_t			 i;

	(void)what;
	conf->sc_handover = sig == SIGUSR1;
	if (sig == SIGUSR1)
		log_info("reloading: the new serving process takes the "
		    "listeners; this one finishes its replies");
	else
		log_info("signal %d: stopping", (int)sig);
	for (i = 0; i < conf->sc_nworkers; i++)
		if (conf->sc_servers[i] == sv)
			stop(sig, 0, sv);
		else if (conf->sc_servers[i] != NULL)
			event_active(conf->sc_servers[i]->sv_stop_ev, EV_READ, 1);
}

/*
 * Bind and listen on addr:port (port 0: any free one); *port gets the
 * bound port.  IPv6 sockets are IPv6-only, so 0.0.0.0 and :: can share
 * a port.  With reuseport, several sockets share one address and the
 * kernel spreads connections over them (one per worker).
 */
int
server_listen(const char *addr, int port, int reuseport, int *bound,
    const char **errstr)
{
	struct sockaddr_storage	 ss;
	struct addrinfo		 hints, *ai;
	socklen_t		 len = sizeof(ss);
	char			 serv[8];
	int			 fd, on = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(addr, serv, &hints, &ai) != 0) {
		*errstr = "bad listen address";
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) == -1) ||
	    (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, 1024) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		*errstr = strerror(errno);
		if (fd != -1)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	*bound = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/*
 * The address socket fd is bound to, as logs and tests show it:
 * "0.0.0.0:1965", "[::1]:1965".  0, or -1 and *errstr.
 */
int
server_sockname(int fd, char *out, size_t outlen, const char **errstr)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 host[NI_MAXHOST], serv[NI_MAXSERV];
	int			 r, n;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		*errstr = strerror(errno);
		return -1;
	}
	if ((r = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
	    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV)) != 0) {
		*errstr = gai_strerror(r);
		return -1;
	}
	n = snprintf(out, outlen, ss.ss_family == AF_INET6 ? "[%s]:%s" :
	    "%s:%s", host, serv);
	if (n < 0 || (size_t)n >= outlen) {
		*errstr = "address too long";
		return -1;
	}
	return 0;
}

/* SNI: the certificate of the virtual host of that name, else none. */
static SSL_CTX *
sni_lookup(void *arg, const char *name)
{
	struct server		*sv = arg;
	const struct server_conf *conf = sv->sv_conf;
	size_t			 i, k;

	for (i = 0; i < conf->sc_nvhosts; i++)
		for (k = 0; conf->sc_vhosts[i].vh_names[k] != NULL; k++)
			if (strcasecmp(name, conf->sc_vhosts[i].vh_names[k]) == 0)
				return conf->sc_vhosts[i].vh_tls->th_ctx;
	return NULL;
}

/*
 * Worker w's loop, made before the process is sandboxed: its event base
 * (epoll), its listening sockets, its stop event and, for worker 0, the
 * signal events (a socketpair).  Call evthread_use_pthreads() first.
 */
struct server *
server_new(struct server_conf *conf, size_t w, struct mime *m,
    const char **errstr)
{
	struct server	*sv;
	size_t		 i;

	if ((sv = calloc(1, sizeof(*sv))) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	sv->sv_conf = conf;
	sv->sv_worker = w;
	sv->sv_mime = m;
	signal(SIGPIPE, SIG_IGN);
	if (w == 0)
		tls_set_sni(sni_lookup, sv);
	if ((sv->sv_base = event_base_new()) == NULL ||
	    (sv->sv_stop_ev = event_new(sv->sv_base, -1, 0, stop, sv)) ==
	    NULL || (sv->sv_trim = event_new(sv->sv_base, -1, EV_PERSIST,
	    on_trim, sv)) == NULL || event_add(sv->sv_trim, &trim_every) ==
	    -1) {
		*errstr = "event_base_new failed";
		goto fail;
	}
	for (i = 0; i < conf->sc_nfds; i++) {
		if (conf->sc_lis[i].lf_worker != w)
			continue;
		sv->sv_lisargs[sv->sv_nlis].l_sv = sv;
		sv->sv_lisargs[sv->sv_nlis].l_kind = conf->sc_lis[i].lf_kind;
		sv->sv_lisargs[sv->sv_nlis].l_proxy = conf->sc_lis[i].lf_proxy;
		sv->sv_lis[sv->sv_nlis] = evconnlistener_new(sv->sv_base,
		    on_accept, &sv->sv_lisargs[sv->sv_nlis],
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0,
		    conf->sc_lis[i].lf_fd); /* 0: listen() was called, keep 1024 */
		if (sv->sv_lis[sv->sv_nlis] == NULL) {
			*errstr = "evconnlistener_new failed";
			goto fail;
		}
		evconnlistener_set_error_cb(sv->sv_lis[sv->sv_nlis],
		    on_accept_error);
		sv->sv_nlis++;
	}
	if (w > 0)
		return sv;
	sv->sv_sigs[0] = evsignal_new(sv->sv_base, SIGINT, on_signal, sv);
	sv->sv_sigs[1] = evsignal_new(sv->sv_base, SIGTERM, on_signal, sv);
	sv->sv_sigs[2] = evsignal_new(sv->sv_base, SIGUSR1, on_signal, sv);
	if (sv->sv_sigs[0] == NULL || sv->sv_sigs[1] == NULL ||
	    sv->sv_sigs[2] == NULL ||
	    event_add(sv->sv_sigs[0], NULL) == -1 ||
	    event_add(sv->sv_sigs[1], NULL) == -1 ||
	    event_add(sv->sv_sigs[2], NULL) == -1) {
		*errstr = "cannot handle signals";
		goto fail;
	}
	return sv;
 fail:
	server_free(sv);
	return NULL;
}

/* Serve until SIGINT or SIGTERM (reloading is the parent's: serve.c). */
int
server_run(struct server *sv, const char **errstr)
{
	if (event_base_dispatch(sv->sv_base) == -1) {
		*errstr = "event loop failed";
		return -1;
	}
	return 0;
}

void
server_free(struct server *sv)
{
	size_t	 i;

	if (sv == NULL)
		return;
	while (sv->sv_conns != NULL)
		conn_abort(sv->sv_conns);
	for (i = 0; i < 3; i++)
		if (sv->sv_sigs[i] != NULL)
			event_free(sv->sv_sigs[i]);
	if (sv->sv_stop_timer != NULL)
		event_free(sv->sv_stop_timer);
	if (sv->sv_stop_ev != NULL)
		event_free(sv->sv_stop_ev);
	if (sv->sv_trim != NULL)
		event_free(sv->sv_trim);
	for (i = 0; i < sv->sv_nlis; i++)
		evconnlistener_free(sv->sv_lis[i]);
	if (sv->sv_base != NULL)
		event_base_free(sv->sv_base);
	free(sv);
}
