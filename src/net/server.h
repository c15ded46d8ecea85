/*
 * server: listeners and the libevent loop; connections (conn.c) run as
 * an explicit state machine:
 *
 *   [PROXY] -> HANDSHAKE (TLS only) -> READ_REQUEST -> WRITE -> SHUTDOWN
 *   -> DRAIN
 *
 * A connection takes a snapshot of its virtual host's capsule when its
 * request is complete and keeps it to its close.  A read deadline covers
 * handshake and request; a write deadline is restarted whenever the
 * socket takes bytes of the reply, within a total deadline that grows
 * with the reply's size (conn.h), so a client that stops reading is
 * dropped and one that keeps reading is not.
 *
 * Example: fd = server_listen("0.0.0.0", 1965, 1, &port, &errstr) (1:
 * SO_REUSEPORT, one socket per worker); fill a struct server_conf with
 * the sockets and the virtual hosts; per worker w, sv = server_new(&conf,
 * w, mime, &errstr) (before sandboxing), then server_run(sv, &errstr) in
 * its thread serves until SIGTERM or SIGINT, and server_free(sv).
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

#include "proto.h"

/* Listening sockets: addresses times workers. */
#define SERVER_MAX_FDS	64

struct live;
struct mime;
struct tls_host;


/* A listening socket, bound by the parent: one per address and worker. */
struct listen_fd {
	int			 lf_fd;
	enum listener_kind	 lf_kind;
	int			 lf_proxy;	/* PROXY header required */
	size_t			 lf_worker;	/* the worker that accepts */
};

struct server_conf {
	struct vhost		*sc_vhosts;	/* [0] is the default */
	size_t			 sc_nvhosts;
	size_t			 sc_gopher;	/* the vhost Gopher serves */
	int			 sc_gemini_port; /* advertised */
	int			 sc_timeout;	/* seconds, read and write */
	size_t			 sc_maxconn;	/* open connections at most */
	int			 sc_per_ip;	/* per client address; 0: none */
	int			 sc_limit_loopback; /* sc_per_ip for loopback too */
	int			 sc_log_addresses; /* else "-" in access lines */
	struct listen_fd	 sc_lis[SERVER_MAX_FDS]; /* bound sockets */
	size_t			 sc_nfds;
	size_t			 sc_nworkers;	/* event loops, one per thread */
	int			 sc_stopped_fd;	/* written to when no worker
						   accepts any more, or -1 */
	_Atomic size_t		 sc_nstopped;	/* workers that stopped */
	_Atomic int		 sc_handover;	/* stopping for a reload */
	struct server		**sc_servers;	/* every worker's, to stop them */
};

struct server;

struct server	*server_new(struct server_conf *, size_t, struct mime *,
		    const char **);
int		 server_run(struct server *, const char **);
void		 server_free(struct server *);
int	 server_listen(const char *, int, int, int *, const char **);
int	 server_sockname(int, char *, size_t, const char **);

#endif
