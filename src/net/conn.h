/*
 * conn: one client connection, as an explicit state machine:
 *
 *   [PROXY] -> [DETECT] -> HANDSHAKE (TLS only) -> READ_REQUEST
 *   [-> READ_BODY] -> WRITE -> SHUTDOWN -> DRAIN
 *
 * READ_BODY only when the adapter asks for the bytes that follow the
 * request (x_body_want: a Titan upload), under the same deadlines.
 *
 * PROXY only on a listener marked for it (capsuled.conf(5), listen): the
 * load balancer's PROXY protocol header (proxy.h), read to its last byte
 * and no further, names the client; the connection is counted against
 * that address only then.  DETECT only where TLS is optional (proto.h):
 * the first byte, peeked at, says whether a handshake comes.
 *
 * and, for a protocol with persistent connections (pr_keepalive), WRITE
 * back to READ_REQUEST while the answer allows it (x_keep), up to
 * pr_keepalive requests, waiting pr_idle seconds at most for the next.
 *
 * This header is internal to server.c and conn.c: the server owns the
 * listeners and the list of connections, a connection runs itself.
 */
#ifndef CONN_H
#define CONN_H

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "access.h"
#include "proto.h"
#include "server.h"
#include "tls.h"

/* Bytes read from a file per write. */
#define CHUNK_SIZE	16384
/*
 * A connection's whole life is at most TOTAL_FACTOR times the deadline
 * -T, or -T plus the reply's size at REPLY_MIN_RATE bytes a second if
 * that is longer (capsuled(8), -T): a reader that keeps making progress
 * gets a big file whole down to a slow mobile link's rate, and one that
 * trickles still lets go of its connection in the end.
 */
#define TOTAL_FACTOR	60
#define REPLY_MIN_RATE	1024

enum conn_state {
	CONN_PROXY,		/* a marked listener: the PROXY header */
	CONN_DETECT,		/* optional TLS: wait for the first byte */
	CONN_HANDSHAKE,		/* TLS handshake */
	CONN_READ_REQUEST,	/* until the request line is complete */
	CONN_READ_BODY,		/* the body it announced (x_body_want) */
	CONN_WRITE,		/* header, then body */
	CONN_SHUTDOWN,		/* TLS close_notify */
	CONN_DRAIN,		/* read what the client still sends, to EOF */
	CONN_DONE,
};

struct listener {
	struct server		*l_sv;
	enum listener_kind	 l_kind;
	int			 l_proxy;	/* a PROXY header comes first */
};

struct server {
	struct server_conf	*sv_conf;	/* the configuration served */
	struct event_base	*sv_base;
	size_t			 sv_worker;	/* which of sc_nworkers */
	struct mime		*sv_mime;	/* libmagic is not thread-safe */
	struct evconnlistener	*sv_lis[SERVER_MAX_FDS];
	struct listener		 sv_lisargs[SERVER_MAX_FDS]; /* on_accept's */
	struct event		*sv_sigs[3];	/* SIGINT, SIGTERM, SIGUSR1
						   (worker 0) */
	struct event		*sv_stop_ev;	/* another worker says stop */
	size_t			 sv_nlis;
	size_t			 sv_nconn;	/* open connections */
	int			 sv_paused;	/* listeners disabled */
	int			 sv_stopping;	/* SIGTERM: finish and exit */
	struct conn		*sv_conns;	/* all open connections */
	struct event		*sv_stop_timer;
	struct event		*sv_trim;	/* gives freed memory back */
	size_t			 sv_accepted;	/* connections so far */
	size_t			 sv_seen;	/* sv_accepted at the last tick */
	int			 sv_untrimmed;	/* some came since the trim */
	int			 sv_starved;	/* accept failed (descriptors) */
};

struct conn {
	struct server		*cn_sv;
	struct conn		*cn_next;	/* in sv_conns */
	struct conn		*cn_prev;
	enum listener_kind	 cn_kind;
	enum conn_state		 cn_state;
	int			 cn_fd;
	SSL			*cn_ssl;
	struct event		*cn_rev;		/* readable */
	struct event		*cn_wev;		/* writable */
	struct event		*cn_timer;	/* deadline */
	int			 cn_tls_ok;	/* handshake done */
	struct snapshot		*cn_snap;
	struct exchange		*cn_x;		/* once request bytes came */
	const char		*cn_out;		/* what is being written */
	size_t			 cn_outlen;
	size_t			 cn_outoff;
	int			 cn_phase;	/* 0 header, 1 body, 2 end */
	size_t			 cn_bodyoff;	/* of a generated body */
	size_t			 cn_fread;	/* bytes of the file read */
	char			*cn_chunk;	/* CHUNK_SIZE, only to stream a file
						   or drain: idle connections are
						   kept small */
	size_t			 cn_sent;	/* body bytes sent */
	size_t			 cn_size;	/* body bytes the reply has */
	enum access_end		 cn_end;		/* how the reply ended */
	time_t			 cn_total;	/* seconds it may last from cn_t0 */
	uint64_t		 cn_wire;	/* bytes on the socket when a
						   deadline was last set */
	uint64_t		 cn_written;	/* to a plain socket */
	int			 cn_probing;	/* a write deadline passed */
	struct timespec		 cn_t0;
	char			 cn_addr[INET6_ADDRSTRLEN + 8];
	int			 cn_counted;	/* in sv_perip */
	char			 cn_fp[TLS_FINGERPRINT_LEN + 1]; /* the client's
						   certificate's, or "" */
	int			 cn_over;	/* over its address's share */
	unsigned		 cn_nreq;	/* requests answered before this
						   one (persistent connections) */
	unsigned char		*cn_ph;		/* CONN_PROXY: PROXY_KEEP bytes of
						   the header read so far */
	size_t			 cn_phlen;
	size_t			 cn_phskip;	/* v2 TLV bytes still to skip */
};

struct conn	*conn_new(struct server *, int, const struct sockaddr *,
		    socklen_t, const struct listener *);
void		 conn_start(struct conn *);
void		 conn_run(struct conn *);
void		 conn_abort(struct conn *);

/* conn_io.c: for conn.c and conn_proxy.c */
enum io {
	IO_OK,
	IO_EOF,
	IO_WANT_READ,
	IO_WANT_WRITE,
	IO_ERROR,
};

int64_t		 conn_total_left_ms(const struct conn *);
void		 conn_set_deadline(struct conn *);
void		 conn_progress(struct conn *);
int		 conn_write_blocked(struct conn *);
void		 conn_wait_for(struct conn *, int);
enum io		 conn_ssl_result(struct conn *, int);
enum io		 conn_io_read(struct conn *, void *, size_t, size_t *);
enum io		 conn_io_write(struct conn *, const void *, size_t, size_t *);
int		 conn_next_output(struct conn *);
enum io		 conn_write_both(struct conn *, size_t *);
void		 conn_drain_start(struct conn *);
int		 conn_nothing_unread(struct conn *);
enum io		 conn_drain(struct conn *);
enum io		 conn_detect_tls(struct conn *);
void		 conn_address(struct conn *, const struct sockaddr *, socklen_t);

/* conn_proxy.c */
int		 conn_proxy_read(struct conn *);
void		 conn_proxy_refused(struct conn *, const char *);

#endif
