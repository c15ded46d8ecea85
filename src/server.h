/*
 * server: listeners, the libevent loop, and connections as an explicit
 * state machine:
 *
 *   HANDSHAKE (TLS only) -> READ_REQUEST -> WRITE -> SHUTDOWN -> done
 *
 * Each connection holds one snapshot reference from its first request
 * byte to its close.  A read deadline covers handshake and request; a
 * write deadline is restarted on every write that makes progress, so a
 * client that stops reading is dropped.
 *
 * Example: server_new(&conf) with a bound Gemini listener, then
 * server_run() until SIGTERM or SIGINT.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

struct mime;
struct snapshot;
struct tls_host;

enum listener_kind {
	LISTEN_GEMINI,
	LISTEN_GOPHER,
	NUM_LISTEN_KINDS
};

struct server_conf {
	struct snapshot		*sc_snap;	/* reference taken over */
	struct mime		*sc_mime;
	struct tls_host		*sc_hosts;	/* [0] is the default */
	size_t			 sc_nhosts;
	const char *const	*sc_names;	/* Gemini host names, NULL-ended */
	int			 sc_gemini_port; /* advertised */
	int			 sc_timeout;	/* seconds, read and write */
	size_t			 sc_maxconn;	/* open connections at most */
	int			 sc_fds[4];	/* bound listening sockets */
	const char		*sc_addrs[4];	/* their addresses, for logs */
	enum listener_kind	 sc_kinds[4];
	size_t			 sc_nfds;
};

int	 server_run(const struct server_conf *, const char **);
int	 server_listen(const char *, int, int *, const char **);

#endif
