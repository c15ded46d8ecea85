/*
 * proto: what a protocol is to the connection code, one row of a table
 * indexed by listener kind (proto.c): whether it speaks TLS (never,
 * always, or when the client's first byte opens a TLS record), where its
 * request ends, how it answers a complete request, and how its outcome
 * reads in the access log.  The rest (accept, handshake, read, write,
 * close_notify, drain, deadlines) is conn.c's, the same for all; a
 * protocol that allows it (pr_keepalive) has conn.c read the next
 * request on the same connection after a reply that says so (x_keep).
 *
 * An adapter's respond parses the request into (host, path, query),
 * takes the snapshot of the host it names, lets respond.h decide the
 * page, then frames the outcome in its own terms: Gemini's status line,
 * Gopher's menu with a type-3 line, or Nex's one line of text.  Adding a
 * protocol is one adapter file and one row (CONTRIBUTING.md shows how).
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>

#include "addr.h"
#include "response.h"

struct live;
struct mime;
struct gemini_request;
struct snapshot;
struct tls_host;
struct titan_conf;

/* The protocols a listener speaks (a row of protos[] each), in addr.h's order. */
enum listener_kind {
	LISTEN_GEMINI = ADDR_GEMINI,
	LISTEN_GOPHER = ADDR_GOPHER,
	LISTEN_SPARTAN = ADDR_SPARTAN,
	LISTEN_NEX = ADDR_NEX,
	LISTEN_HTTP = ADDR_HTTP,
	NUM_LISTEN_KINDS = NUM_ADDR_PROTOS
};

/* A virtual host: its names, its live capsule, its certificate. */
struct vhost {
	const char *const	*vh_names;	/* lowercase A-labels, NULL-ended */
	struct live		*vh_live;
	struct tls_host		*vh_tls;
	const struct titan_conf	*vh_titan;	/* NULL: no uploads */
};

/* The hosts served, as every adapter sees them. */
struct hosts {
	const struct vhost	*ho_vh;		/* [0] is the default */
	size_t			 ho_n;
	size_t			 ho_gopher;	/* the one Gopher serves */
	int			 ho_gemini_port; /* advertised */
};

/* Where a request stands (pr_scan). */
enum scan {
	SCAN_MORE,	/* not complete yet */
	SCAN_LINE,	/* complete: *len bytes */
	SCAN_TOOLONG,	/* over the protocol's limit */
	SCAN_CLOSE,	/* not this protocol at all: close */
};

/*
 * The most of a request read before its protocol decides: HTTP's head
 * of 8 KiB (http.h), and a byte past it so that its pr_scan can tell
 * "too long" from "complete"; Spartan's line (1024 bytes and CRLF) and
 * its data (1024) fit too.  Each pr_scan keeps its own, smaller limit
 * (Gemini 1024 and CRLF, Gopher 1024 and a line end).
 */
#define PROTO_REQUEST_MAX	(8192 + 1)
/* A response header: Gemini's status line, HTTP's header fields. */
#define PROTO_HEAD_MAX		4096

/* A request and its answer, made when the request's first bytes come. */
struct exchange {
	char			 x_req[PROTO_REQUEST_MAX]; /* as read */
	size_t			 x_reqlen;
	size_t			 x_linelen;	/* request line, for the log
						   (pr_respond may shorten it) */
	size_t			 x_used;	/* bytes of x_req the request took
						   (pr_scan's length; the rest
						   is the next one's) */
	int			 x_keep;	/* the adapter allows another
						   request after this answer */
	struct response		 x_resp;
	char			 x_head[PROTO_HEAD_MAX];	/* header */
	char			 x_host[256];	/* for the log, or "" */
	/*
	 * A request with a body (Titan): pr_respond sets x_body_want
	 * (bytes after the x_used of x_req, at most what it allows) and
	 * no status; conn.c reads them into x_body within the deadline
	 * and calls pr_body, which answers.  x_priv is the adapter's,
	 * freed with the exchange by x_priv_free (or free()).
	 */
	size_t			 x_body_want;
	char			*x_body;
	size_t			 x_bodylen;
	void			*x_priv;
	void			(*x_priv_free)(void *);
};

/* What an adapter may use to answer. */
struct request_ctx {
	struct hosts		 rc_hosts;
	struct mime		*rc_mime;
	int			 rc_over;	/* over its address's share */
	int			 rc_last;	/* the last request the connection
					   may carry (pr_keepalive) */
	struct snapshot		*rc_snap;	/* set: the one answered from */
	const char		*rc_peer_fp;	/* the client certificate's
						   fingerprint (tls.c), or NULL */
};

/*
 * Whether a listener's connections speak TLS.  PROTO_TLS_OPTIONAL looks
 * at the client's first byte without taking it (MSG_PEEK): 0x16, the
 * content type of the TLS handshake record a ClientHello comes in, is
 * never the first byte of a plain request, so one port serves both
 * (Gopher and gophers://).
 */
enum proto_tls {
	PROTO_TLS_NEVER,	/* plain TCP */
	PROTO_TLS_ALWAYS,	/* a TLS handshake first */
	PROTO_TLS_OPTIONAL,	/* TLS if the first byte is 0x16, else plain */
	NUM_PROTO_TLS
};

struct proto {
	const char	*pr_name;	/* in listen and access lines */
	const char	*pr_tls_name;	/* in access lines when an optional
					   TLS was spoken */
	enum proto_tls	 pr_tls;
	int		 pr_slow_down;	/* can ask a client to slow down */
	unsigned	 pr_keepalive;	/* requests a connection may carry
					   (0, 1: one, then close) */
	unsigned	 pr_idle;	/* seconds (at most -T) to wait for
					   the next one */
	enum scan	(*pr_scan)(const char *, size_t, int, size_t *);
	void		(*pr_respond)(struct exchange *, enum scan, size_t,
			    struct request_ctx *);
	void		(*pr_outcome)(const struct response *, char *, size_t);
	void		(*pr_body)(struct exchange *, struct request_ctx *);
};

extern const struct proto	 protos[NUM_LISTEN_KINDS];

/* The adapters' operations (gemini_proto.c, gopher_proto.c ...). */
enum scan	 gemini_scan(const char *, size_t, int, size_t *);
void		 gemini_respond(struct exchange *, enum scan, size_t,
		    struct request_ctx *);
enum scan	 gopher_scan(const char *, size_t, int, size_t *);
void		 gopher_respond(struct exchange *, enum scan, size_t,
		    struct request_ctx *);
void		 gopher_outcome(const struct response *, char *, size_t);
enum scan	 nex_scan(const char *, size_t, int, size_t *);
void		 nex_respond(struct exchange *, enum scan, size_t,
		    struct request_ctx *);
void		 nex_outcome(const struct response *, char *, size_t);
enum scan	 spartan_scan(const char *, size_t, int, size_t *);
void		 spartan_respond(struct exchange *, enum scan, size_t,
		    struct request_ctx *);
enum scan	 http_scan(const char *, size_t, int, size_t *);
void		 http_respond(struct exchange *, enum scan, size_t,
		    struct request_ctx *);

/* What the access line says a status-line protocol answered (proto.c). */
void		 proto_status_outcome(const struct response *, char *, size_t);
/* Titan uploads on the Gemini listener (titan_proto.c). */
void		 titan_respond(struct exchange *, size_t,
		    struct request_ctx *);
void		 titan_body(struct exchange *, struct request_ctx *);
int		 titan_is_author(const struct vhost *, const char *);
int		 titan_source(const struct vhost *, const char *,
		    struct snapshot *, const char *, struct response *);
const struct vhost *gemini_vhost(const struct hosts *,
		    const struct gemini_request *);
/* Gemini's generated directory listing, Spartan's too (gemini_proto.c). */
void		 gemini_listing(struct response *, struct snapshot *,
		    struct mime *, int, const char *);

#endif
