/*
 * conn: a client connection from accept to close (see conn.h): reading
 * the request, deciding the response through the protocol's parser and
 * router, writing it, close_notify, and the deadlines around all that;
 * how the bytes themselves move is conn_io.c's.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "access.h"
#include "buf.h"
#include "conn.h"
#include "live.h"
#include "log.h"
#include "perip.h"
#include "proto.h"
#include "proxy.h"
#include "server.h"
#include "snapshot.h"
#include "tls.h"
#include "utf8.h"

static void	 conn_close(struct conn *, enum access_end);

/*
 * The access line of c's request (capsuled(8), ACCESS LOG), if it got as
 * far as an answer.  The protocol is named as its listener's, or as its
 * TLS form ("gophers") where TLS is optional and was spoken.  The
 * outcome is each protocol's own: Gemini's status;
 * for Gopher, which has none, "ok", or "error" for a type-3 error menu
 * (or the answer to an HTTP request).
 */
static void
conn_log(struct conn *c)
{
	const struct response	*r;
	struct access		 a;
	struct buf		 b;
	struct timespec		 t1;
	char			 status[16];

	if (c->cn_x == NULL || c->cn_x->x_resp.rs_status == 0)
		return;
	r = &c->cn_x->x_resp;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	memset(&a, 0, sizeof(a));
	a.a_time = time(NULL);
	a.a_proto = c->cn_ssl != NULL && protos[c->cn_kind].pr_tls_name ?
	    protos[c->cn_kind].pr_tls_name : protos[c->cn_kind].pr_name;
	a.a_addr = c->cn_sv->sv_conf->sc_log_addresses ? c->cn_addr : NULL;
	a.a_host = c->cn_x->x_host;
	a.a_req = c->cn_x->x_req;
	a.a_reqlen = c->cn_x->x_linelen;
	protos[c->cn_kind].pr_outcome(r, status, sizeof(status));
	a.a_outcome = status;
	a.a_sent = c->cn_sent;
	a.a_size = c->cn_size;
	a.a_ms = (double)(t1.tv_sec - c->cn_t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - c->cn_t0.tv_nsec) / 1e6;
	a.a_end = c->cn_end;
	buf_init(&b);
	access_format(&b, &a);
	if (b.b_data != NULL)
		log_info("%s", b.b_data);
	buf_free(&b);
}

/*
 * Count a connection from c's address; 1 when that address has more than
 * its share (sc_per_ip, not applied to loopback unless configured).
 */
static int
conn_count(struct conn *c)
{
	const struct server_conf *conf = c->cn_sv->sv_conf;
	int			 before;

	if ((before = perip_add(c->cn_addr)) == -1)
		return 0;
	c->cn_counted = 1;
	return conf->sc_per_ip > 0 && before >= conf->sc_per_ip &&
	    (conf->sc_limit_loopback || !perip_loopback(c->cn_addr));
}

/* Let go of a request's body and the adapter's state. */
static void
exchange_clear(struct exchange *x)
{
	free(x->x_body);
	if (x->x_priv != NULL)
		(x->x_priv_free != NULL ? x->x_priv_free : free)(x->x_priv);
	x->x_body = NULL;
	x->x_priv = NULL;
	x->x_priv_free = NULL;
	x->x_body_want = x->x_bodylen = 0;
}

static void
conn_free(struct conn *c)
{
	struct server	*sv = c->cn_sv;
	size_t		 i;

	conn_log(c);
	if (c->cn_counted)
		perip_del(c->cn_addr);
	if (c->cn_prev != NULL)
		c->cn_prev->cn_next = c->cn_next;
	else
		sv->sv_conns = c->cn_next;
	if (c->cn_next != NULL)
		c->cn_next->cn_prev = c->cn_prev;
	if (c->cn_rev)
		event_free(c->cn_rev);
	if (c->cn_wev)
		event_free(c->cn_wev);
	if (c->cn_timer)
		event_free(c->cn_timer);
	SSL_free(c->cn_ssl);
	if (c->cn_fd != -1)
		close(c->cn_fd);
	if (c->cn_x != NULL) {
		response_free(&c->cn_x->x_resp);
		exchange_clear(c->cn_x);
		free(c->cn_x);
	}
	free(c->cn_chunk);
	free(c->cn_ph);
	snapshot_release(c->cn_snap);
	free(c);
	sv->sv_nconn--;
	if (sv->sv_stopping && sv->sv_nconn == 0)
		event_base_loopbreak(sv->sv_base);
	if (sv->sv_paused && !sv->sv_stopping &&
	    sv->sv_nconn < sv->sv_conf->sc_maxconn / sv->sv_conf->sc_nworkers) {
		for (i = 0; i < sv->sv_nlis; i++)
			evconnlistener_enable(sv->sv_lis[i]);
		sv->sv_paused = 0;
	}
}

/*
 * Count c against its client's address: -1 (c is freed) when it is over
 * its share and its protocol cannot say "slow down".
 */
static int
conn_admit(struct conn *c)
{
	if ((c->cn_over = conn_count(c)) && !protos[c->cn_kind].pr_slow_down) {
		conn_free(c);	/* no way to say "slow down": close */
		return -1;
	}
	return 0;
}

/*
 * Write the response decided (header in x_head).  Its size sets how long
 * the connection may last (REPLY_MIN_RATE in conn.h).
 */
static void
start_write(struct conn *c)
{
	const struct response	*r = &c->cn_x->x_resp;
	time_t			 total;

	c->cn_state = CONN_WRITE;
	c->cn_phase = 0;
	c->cn_out = NULL;
	c->cn_outlen = c->cn_outoff = 0;
	if (r->rs_fd != -1)
		c->cn_size = (size_t)r->rs_size;
	else
		c->cn_size = r->rs_data != NULL ? r->rs_len : r->rs_body.b_len;
	total = c->cn_sv->sv_conf->sc_timeout + (time_t)((strlen(c->cn_x->x_head) +
	    c->cn_size) / REPLY_MIN_RATE);
	if (total > c->cn_total)
		c->cn_total = total;
	conn_progress(c);
}

/* What an adapter may use to answer c's request. */
static void
request_ctx(struct conn *c, struct request_ctx *rc)
{
	const struct server_conf *conf = c->cn_sv->sv_conf;

	memset(rc, 0, sizeof(*rc));
	rc->rc_hosts.ho_vh = conf->sc_vhosts;
	rc->rc_hosts.ho_n = conf->sc_nvhosts;
	rc->rc_hosts.ho_gopher = conf->sc_gopher;
	rc->rc_hosts.ho_gemini_port = conf->sc_gemini_port;
	rc->rc_mime = c->cn_sv->sv_mime;
	rc->rc_over = c->cn_over;
	rc->rc_last = c->cn_nreq + 1 >= protos[c->cn_kind].pr_keepalive ||
	    c->cn_sv->sv_stopping;
	if (c->cn_ssl != NULL && c->cn_fp[0] == '\0' &&
	    tls_fingerprint(SSL_get0_peer_certificate(c->cn_ssl),
	    c->cn_fp) == -1)
		c->cn_fp[0] = '\0';
	rc->rc_peer_fp = c->cn_fp[0] != '\0' ? c->cn_fp : NULL;
}

/*
 * The body is complete: the adapter answers (it may take a while: a
 * Titan upload waits for its writer and its publication).
 */
static void
body_done(struct conn *c)
{
	struct request_ctx	 rc;

	request_ctx(c, &rc);
	protos[c->cn_kind].pr_body(c->cn_x, &rc);
	c->cn_snap = rc.rc_snap;
	start_write(c);
}

/*
 * The adapter asked for x_body_want bytes after the request: take those
 * that came with it, and read the rest (CONN_READ_BODY).  What comes
 * after them is never read as a request (no keep-alive for these).
 */
static void
body_start(struct conn *c)
{
	struct exchange	*x = c->cn_x;
	size_t		 have;

	if ((x->x_body = malloc(x->x_body_want)) == NULL) {
		c->cn_state = CONN_DONE;
		return;
	}
	have = x->x_reqlen > x->x_used ? x->x_reqlen - x->x_used : 0;
	if (have > x->x_body_want)
		have = x->x_body_want;
	memcpy(x->x_body, x->x_req + x->x_used, have);
	x->x_bodylen = have;
	c->cn_state = CONN_READ_BODY;
	conn_set_deadline(c);
	if (x->x_bodylen == x->x_body_want)
		body_done(c);
}

/* Read more of the body; answer when it is complete. */
static enum io
read_body(struct conn *c)
{
	struct exchange	*x = c->cn_x;
	size_t		 n;
	enum io		 r;

	if ((r = conn_io_read(c, x->x_body + x->x_bodylen,
	    x->x_body_want - x->x_bodylen, &n)) != IO_OK)
		return r;
	x->x_bodylen += n;
	conn_set_deadline(c);	/* progress */
	if (x->x_bodylen == x->x_body_want)
		body_done(c);
	return IO_OK;
}

/*
 * Is the request complete (eof: the client half-closed)?  Then let the
 * protocol decide the answer, and start writing it.  1 when decided.
 */
static int
request_scan(struct conn *c, int eof)
{
	const struct proto	*p = &protos[c->cn_kind];
	struct request_ctx	 rc;
	enum scan		 sc;
	size_t			 len;

	switch (sc = p->pr_scan(c->cn_x->x_req, c->cn_x->x_reqlen, eof, &len)) {
	case SCAN_MORE:
		return 0;
	case SCAN_CLOSE:
		c->cn_state = CONN_DONE;
		return 1;
	default:
		break;
	}
	c->cn_x->x_linelen = len;
	request_ctx(c, &rc);
	p->pr_respond(c->cn_x, sc, len, &rc);
	c->cn_snap = rc.rc_snap;
	if (c->cn_x->x_body_want > 0 && p->pr_body != NULL &&
	    c->cn_x->x_resp.rs_status == 0 && !eof)
		body_start(c);
	else
		start_write(c);
	return 1;
}

/*
 * After a reply: may the connection carry another request?  The protocol
 * allows it, the answer said so (the adapter knew from rc_last whether
 * it was the last one allowed), and the server is not stopping.
 */
static int
keep_alive(const struct conn *c)
{
	return protos[c->cn_kind].pr_keepalive > 1 && c->cn_x->x_keep &&
	    c->cn_nreq + 1 < protos[c->cn_kind].pr_keepalive &&
	    !c->cn_sv->sv_stopping;
}

/*
 * The reply is written: log it, let go of what it held, keep what the
 * client sent after its request (the next one, pipelined), and wait
 * pr_idle seconds (at most -T) for the rest of it.
 */
static void
next_request(struct conn *c)
{
	struct exchange	*x = c->cn_x;
	struct timeval	 tv = { protos[c->cn_kind].pr_idle, 0 };

	conn_log(c);
	snapshot_release(c->cn_snap);
	c->cn_snap = NULL;
	response_free(&x->x_resp);
	response_init(&x->x_resp);
	x->x_reqlen -= x->x_used < x->x_reqlen ? x->x_used : x->x_reqlen;
	memmove(x->x_req, x->x_req + x->x_used, x->x_reqlen);
	x->x_linelen = x->x_used = 0;
	x->x_keep = 0;
	x->x_head[0] = x->x_host[0] = '\0';
	exchange_clear(x);
	c->cn_nreq++;
	c->cn_sent = c->cn_size = c->cn_fread = 0;
	c->cn_end = ACCESS_COMPLETE;
	c->cn_out = NULL;
	c->cn_outlen = c->cn_outoff = 0;
	c->cn_state = CONN_READ_REQUEST;
	clock_gettime(CLOCK_MONOTONIC, &c->cn_t0);
	c->cn_total = (time_t)c->cn_sv->sv_conf->sc_timeout * TOTAL_FACTOR;
	if (tv.tv_sec > c->cn_sv->sv_conf->sc_timeout)
		tv.tv_sec = c->cn_sv->sv_conf->sc_timeout;
	evtimer_add(c->cn_timer, &tv);
	event_del(c->cn_wev);
}

/*
 * Wait for the client's first bytes: an idle connection costs only this
 * struct and its events; TLS state is made when they arrive.  Without a
 * handshake first, they are often there already: try them at once, which
 * saves registering with the event loop at all for a quick request.  c
 * may be gone when this returns.
 */
void
conn_start(struct conn *c)
{
	if (protos[c->cn_kind].pr_tls == PROTO_TLS_ALWAYS &&
	    c->cn_state != CONN_PROXY)
		event_add(c->cn_rev, NULL);
	else
		conn_run(c);
}

static int
tls_begin(struct conn *c)
{
	const struct server_conf *conf = c->cn_sv->sv_conf;

	if ((c->cn_ssl = SSL_new(conf->sc_vhosts[0].vh_tls->th_ctx)) == NULL)
		return -1;
	SSL_set_fd(c->cn_ssl, c->cn_fd);
	return 0;
}

/*
 * The exchange of a request whose first bytes came.  Not zeroed whole:
 * its buffers are kilobytes that are written before they are read.
 */
static struct exchange *
exchange_new(void)
{
	struct exchange	*x;

	if ((x = malloc(sizeof(*x))) == NULL)
		return NULL;
	x->x_reqlen = x->x_linelen = x->x_used = 0;
	x->x_keep = 0;
	x->x_head[0] = x->x_host[0] = '\0';
	x->x_body_want = x->x_bodylen = 0;
	x->x_body = NULL;
	x->x_priv = NULL;
	x->x_priv_free = NULL;
	response_init(&x->x_resp);
	return x;
}

/*
 * Read what came of the request.  Its buffer, and the rest of what a
 * request needs (struct exchange), is only made when bytes arrive: an
 * idle connection costs its struct conn and its TLS state.
 */
static enum io
read_request(struct conn *c)
{
	char		 in[sizeof(c->cn_x->x_req)];
	size_t		 room, n;
	enum io		 r;

	room = c->cn_x == NULL ? sizeof(in) :
	    sizeof(c->cn_x->x_req) - c->cn_x->x_reqlen;
	if ((r = conn_io_read(c, in, room, &n)) != IO_OK)
		return r;
	if (c->cn_x == NULL && (c->cn_x = exchange_new()) == NULL)
		return IO_ERROR;
	if (c->cn_nreq > 0 && c->cn_x->x_reqlen == 0) {
		/* the next request of a persistent connection begins */
		clock_gettime(CLOCK_MONOTONIC, &c->cn_t0);
		conn_set_deadline(c);
	}
	memcpy(c->cn_x->x_req + c->cn_x->x_reqlen, in, n);
	c->cn_x->x_reqlen += n;
	return IO_OK;
}

/* Where a connection starts, by whether its protocol speaks TLS. */
static const enum conn_state first_state[NUM_PROTO_TLS] = {
	[PROTO_TLS_NEVER] = CONN_READ_REQUEST,
	[PROTO_TLS_ALWAYS] = CONN_HANDSHAKE,
	[PROTO_TLS_OPTIONAL] = CONN_DETECT,
};

void
conn_run(struct conn *c)
{
	enum io	 r = IO_ERROR;
	size_t	 n;
	int	 ret;

	for (;;) {
		switch (c->cn_state) {
		case CONN_PROXY:
			if ((ret = conn_proxy_read(c)) == 1) {
				free(c->cn_ph);
				c->cn_ph = NULL;
				c->cn_state =
				    first_state[protos[c->cn_kind].pr_tls];
				if (conn_admit(c) == -1)
					return;		/* c is gone */
				continue;
			}
			r = ret == 0 ? IO_WANT_READ : IO_ERROR;
			break;
		case CONN_DETECT:
			if ((r = conn_detect_tls(c)) == IO_OK)
				continue;
			break;
		case CONN_HANDSHAKE:
			/* TLS state only once the client has sent something */
			if (c->cn_ssl == NULL && tls_begin(c) == -1) {
				c->cn_state = CONN_DONE;
				continue;
			}
			if ((ret = SSL_accept(c->cn_ssl)) == 1) {
				c->cn_tls_ok = 1;
				c->cn_state = CONN_READ_REQUEST;
				continue;
			}
			r = conn_ssl_result(c, ret);
			break;
		case CONN_READ_REQUEST:
			r = read_request(c);
			if (r == IO_OK) {
				request_scan(c, 0);
				continue;
			}
			break;
		case CONN_READ_BODY:
			if ((r = read_body(c)) == IO_OK)
				continue;
			break;
		case CONN_WRITE:
			if (c->cn_outoff == c->cn_outlen && !conn_next_output(c)) {
				if (!keep_alive(c))
					c->cn_state = CONN_SHUTDOWN;
				else {
					next_request(c);
					if (c->cn_x->x_reqlen > 0)
						request_scan(c, 0);
				}
				continue;
			}
			if (c->cn_ssl == NULL && c->cn_phase == 1 &&
			    c->cn_out == c->cn_x->x_head && c->cn_outoff == 0 &&
			    c->cn_x->x_resp.rs_fd == -1)
				r = conn_write_both(c, &n);
			else
				r = conn_io_write(c, c->cn_out + c->cn_outoff,
				    c->cn_outlen - c->cn_outoff, &n);
			if (r == IO_OK) {
				c->cn_outoff += n;
				if (c->cn_out != c->cn_x->x_head)
					c->cn_sent += n;
				conn_progress(c);
				continue;
			}
			if ((r == IO_WANT_WRITE || r == IO_WANT_READ) &&
			    conn_write_blocked(c) == -1) {
				conn_close(c, ACCESS_TIMEOUT);
				return;
			}
			break;
		case CONN_SHUTDOWN:
			if (c->cn_ssl == NULL || !c->cn_tls_ok ||
			    (ret = SSL_shutdown(c->cn_ssl)) >= 0) {
				c->cn_tls_ok = 0;
				if (c->cn_ssl == NULL && conn_nothing_unread(c)) {
					c->cn_state = CONN_DONE;
					continue;
				}
				c->cn_state = CONN_DRAIN;
				conn_drain_start(c);
				continue;
			}
			r = conn_ssl_result(c, ret);
			break;
		case CONN_DRAIN:
			r = conn_drain(c);
			if (r == IO_OK)
				continue;
			break;
		case CONN_DONE:
			conn_free(c);
			return;
		}
		switch (r) {
		case IO_WANT_READ:
			conn_wait_for(c, 0);
			return;
		case IO_WANT_WRITE:
			conn_wait_for(c, 1);
			return;
		case IO_EOF:
		case IO_ERROR:
			if (c->cn_state == CONN_WRITE) {
				/* no close_notify: the reply is cut short */
				c->cn_end = ACCESS_RESET;
				c->cn_state = CONN_DONE;
			} else if (r == IO_ERROR ||
			    c->cn_state == CONN_READ_BODY)
				c->cn_state = CONN_DONE; /* a body cut short:
							    nothing done */
			else if (c->cn_state == CONN_READ_REQUEST &&
			    c->cn_x != NULL && request_scan(c, 1))
				;	/* answered what came before EOF */
			else if (c->cn_state == CONN_SHUTDOWN ||
			    c->cn_state == CONN_DRAIN)
				c->cn_state = CONN_DONE;
			else
				c->cn_state = CONN_SHUTDOWN;
			break;
		default:
			c->cn_state = CONN_DONE;
			break;
		}
	}
}

static void
on_io(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_run(arg);
}

/*
 * Close now, for reason why if a reply is being written.  That reply is
 * cut short: it gets no close_notify and the connection is reset, so the
 * client sees an error and not a clean end (Gemini and Gopher have no
 * length to tell a truncated reply by).  Else a last close_notify if it
 * goes out at once.
 */
static void
conn_close(struct conn *c, enum access_end why)
{
	static const struct linger	 reset = { 1, 0 };

	if (c->cn_state == CONN_WRITE) {
		c->cn_end = why;
		(void)setsockopt(c->cn_fd, SOL_SOCKET, SO_LINGER, &reset,
		    sizeof(reset));
	} else if (c->cn_ssl != NULL && c->cn_tls_ok) {
		SSL_shutdown(c->cn_ssl);
		ERR_clear_error();
	}
	conn_free(c);
}

/* The server stops (server.c): close now. */
void
conn_abort(struct conn *c)
{
	conn_close(c, ACCESS_STOPPED);
}

/*
 * A deadline passed.  While a reply is written, within the total time,
 * the socket gets one more try: a reader that keeps reading has freed
 * some room (see wire_bytes), one that stopped has not.
 */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	(void)fd;
	(void)what;
	if (c->cn_state == CONN_WRITE && conn_total_left_ms(c) > 0) {
		c->cn_probing = 1;
		conn_run(c);
		return;
	}
	if (c->cn_state == CONN_PROXY)
		conn_proxy_refused(c, "not complete before the deadline");
	conn_close(c, ACCESS_TIMEOUT);
}

/*
 * A new connection on fd (accepted, non-blocking) from address sa; it is
 * counted and listed in sv and its deadline runs.  NULL (fd closed) when
 * memory runs out.
 */
struct conn *
conn_new(struct server *sv, int fd, const struct sockaddr *sa,
    socklen_t salen, const struct listener *li)
{
	static const int one = 1;
	enum listener_kind kind = li->l_kind;
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return NULL;
	}
	sv->sv_nconn++;
	c->cn_sv = sv;
	c->cn_fd = fd;
	if ((c->cn_next = sv->sv_conns) != NULL)
		c->cn_next->cn_prev = c;
	sv->sv_conns = c;
	c->cn_kind = kind;
	clock_gettime(CLOCK_MONOTONIC, &c->cn_t0);
	c->cn_total = (time_t)sv->sv_conf->sc_timeout * TOTAL_FACTOR;
	conn_address(c, sa, salen);
	c->cn_rev = event_new(sv->sv_base, fd, EV_READ, on_io, c);
	c->cn_wev = event_new(sv->sv_base, fd, EV_WRITE, on_io, c);
	c->cn_timer = evtimer_new(sv->sv_base, on_timer, c);
	c->cn_state = li->l_proxy ? CONN_PROXY : first_state[protos[kind].pr_tls];
	if (c->cn_rev == NULL || c->cn_wev == NULL || c->cn_timer == NULL ||
	    (li->l_proxy && (c->cn_ph = malloc(PROXY_KEEP)) == NULL)) {
		conn_free(c);
		return NULL;
	}
	/* behind a balancer, counted once the header names the client */
	if (!li->l_proxy && conn_admit(c) == -1)
		return NULL;
	/* a persistent connection's last segment must not wait for the
	   client's delayed acknowledgement (Nagle) */
	if (protos[kind].pr_keepalive > 1)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	conn_set_deadline(c);
	return c;
}
