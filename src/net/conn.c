/*
 * conn: a client connection from accept to close (see conn.h): reading
 * the request, deciding the response through the protocol's parser and
 * router, writing it, close_notify, and the deadlines around all that.
 */
#include <sys/socket.h>

#include <sys/uio.h>

#include <arpa/inet.h>
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

/* Milliseconds c's total time (cn_total) still leaves, or 0. */
static int64_t
total_left_ms(const struct conn *c)
{
	struct timespec	 now;
	int64_t		 left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (int64_t)c->cn_total * 1000 -
	    ((int64_t)(now.tv_sec - c->cn_t0.tv_sec) * 1000 +
	    (now.tv_nsec - c->cn_t0.tv_nsec) / 1000000);
	return left > 0 ? left : 0;
}

/*
 * The next deadline: -T seconds from now, but never past the end of the
 * connection's total time (cn_total from its start: TOTAL_FACTOR times -T,
 * more for a big reply), so a client that reads a trickle cannot hold a
 * connection for ever.
 */
static void
set_deadline(struct conn *c)
{
	int64_t		 ms = (int64_t)c->cn_sv->sv_conf->sc_timeout * 1000;
	int64_t		 left = total_left_ms(c);
	struct timeval	 tv;

	if (left < ms)
		ms = left;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(c->cn_timer, &tv);
}

/*
 * Bytes c has put on its socket, TLS records included.  It is how
 * progress is measured: the kernel wakes a blocked writer only once a
 * third of a send buffer of megabytes is free, which a slow reader may
 * take longer than -T to free, though it reads all the time.
 */
static uint64_t
wire_bytes(const struct conn *c)
{
	if (c->cn_ssl != NULL)
		return BIO_number_written(SSL_get_wbio(c->cn_ssl));
	return c->cn_written;
}

/* Bytes went out: the write deadline starts again. */
static void
progress(struct conn *c)
{
	c->cn_wire = wire_bytes(c);
	c->cn_probing = 0;
	set_deadline(c);
}

/*
 * A write would block.  Bytes went out since the last deadline was set
 * (a TLS record partly written): progress.  If the deadline passed and
 * this was the one more try (on_timer), with nothing accepted: -1, the
 * reply is abandoned.
 */
static int
write_blocked(struct conn *c)
{
	if (wire_bytes(c) != c->cn_wire) {
		progress(c);
		return 0;
	}
	return c->cn_probing ? -1 : 0;
}

/* After an I/O call said "would block": wait for what it wants. */
static void
wait_for(struct conn *c, int want_write)
{
	event_del(want_write ? c->cn_rev : c->cn_wev);
	event_add(want_write ? c->cn_wev : c->cn_rev, NULL);
}

enum io {
	IO_OK,
	IO_EOF,
	IO_WANT_READ,
	IO_WANT_WRITE,
	IO_ERROR,
};

static enum io
ssl_result(struct conn *c, int ret)
{
	int	 e = SSL_get_error(c->cn_ssl, ret);

	ERR_clear_error();
	switch (e) {
	case SSL_ERROR_WANT_READ:
		return IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return IO_EOF;
	default:
		c->cn_tls_ok = 0;	/* no close_notify after a fatal error */
		return IO_ERROR;
	}
}

static enum io
io_read(struct conn *c, void *p, size_t n, size_t *got)
{
	ssize_t	 r;
	int	 ret;

	if (c->cn_ssl != NULL) {
		if ((ret = SSL_read(c->cn_ssl, p, (int)n)) > 0) {
			*got = (size_t)ret;
			return IO_OK;
		}
		return ssl_result(c, ret);
	}
	if ((r = read(c->cn_fd, p, n)) > 0) {
		*got = (size_t)r;
		return IO_OK;
	}
	if (r == 0)
		return IO_EOF;
	return errno == EAGAIN || errno == EINTR ? IO_WANT_READ : IO_ERROR;
}

static enum io
io_write(struct conn *c, const void *p, size_t n, size_t *put)
{
	ssize_t	 r;
	int	 ret;

	if (c->cn_ssl != NULL) {
		if ((ret = SSL_write(c->cn_ssl, p, (int)n)) > 0) {
			*put = (size_t)ret;
			return IO_OK;
		}
		return ssl_result(c, ret);
	}
	if ((r = write(c->cn_fd, p, n)) >= 0) {
		*put = (size_t)r;
		c->cn_written += (size_t)r;
		return IO_OK;
	}
	return errno == EAGAIN || errno == EINTR ? IO_WANT_WRITE : IO_ERROR;
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
	progress(c);
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
	set_deadline(c);
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

	if ((r = io_read(c, x->x_body + x->x_bodylen,
	    x->x_body_want - x->x_bodylen, &n)) != IO_OK)
		return r;
	x->x_bodylen += n;
	set_deadline(c);	/* progress */
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

/* The next piece to write: header, generated body or a file chunk. */
static int
next_output(struct conn *c)
{
	struct response	*r = &c->cn_x->x_resp;
	ssize_t		 n;

	c->cn_outoff = 0;
	if (c->cn_phase == 0) {
		c->cn_phase = 1;
		c->cn_out = c->cn_x->x_head;
		c->cn_outlen = strlen(c->cn_x->x_head);
		if (c->cn_outlen > 0)
			return 1;
	}
	if (c->cn_phase != 1)
		return 0;
	if (r->rs_fd == -1) {
		c->cn_phase = 2;
		c->cn_out = r->rs_data ? r->rs_data : r->rs_body.b_data;
		c->cn_outlen = r->rs_data ? r->rs_len : r->rs_body.b_len;
		return c->cn_outlen > 0;
	}
	if (c->cn_chunk == NULL && (c->cn_chunk = malloc(CHUNK_SIZE)) == NULL) {
		c->cn_phase = 2;
		return 0;
	}
	/* the size it had when opened is what is sent: no read for EOF */
	n = (off_t)c->cn_fread < r->rs_size ? read(r->rs_fd, c->cn_chunk,
	    (size_t)(r->rs_size - (off_t)c->cn_fread) < CHUNK_SIZE ?
	    (size_t)(r->rs_size - (off_t)c->cn_fread) : CHUNK_SIZE) : 0;
	if (n <= 0) {
		c->cn_phase = 2;
		return 0;
	}
	c->cn_fread += (size_t)n;
	c->cn_out = c->cn_chunk;
	c->cn_outlen = (size_t)n;
	return 1;
}

/* Seconds we wait for a client to close after its response. */
#define DRAIN_SECONDS	2

/*
 * After the response: half-close, then read and discard until the
 * client closes too, so that request bytes we never read cannot make
 * the kernel answer with a reset that destroys the response in flight.
 */
static void
drain_start(struct conn *c)
{
	struct timeval	 tv = { DRAIN_SECONDS, 0 };

	shutdown(c->cn_fd, SHUT_WR);
	if (c->cn_sv->sv_conf->sc_timeout < DRAIN_SECONDS)
		tv.tv_sec = c->cn_sv->sv_conf->sc_timeout;
	evtimer_add(c->cn_timer, &tv);
}

/*
 * Nothing of the client's is left unread (or it closed): closing now
 * cannot reset the reply, and the drain is skipped.  What a client
 * sends after its request and after this look is its own loss.
 */
static int
nothing_unread(struct conn *c)
{
	char	 byte;
	ssize_t	 n = recv(c->cn_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n == -1 && errno == EAGAIN);
}

static enum io
drain(struct conn *c)
{
	char	 scratch[512];
	ssize_t	 n = read(c->cn_fd, scratch, sizeof(scratch));

	if (n > 0)
		return IO_OK;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return IO_WANT_READ;
	return IO_EOF;
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
 * Header and body in one writev, on a plain socket, when both are in
 * memory: one system call, and no small segment left waiting for an
 * acknowledgement on a persistent connection.
 */
static enum io
write_both(struct conn *c, size_t *n)
{
	const struct response	*r = &c->cn_x->x_resp;
	struct iovec		 iov[2];
	ssize_t			 w;

	iov[0].iov_base = c->cn_x->x_head;
	iov[0].iov_len = c->cn_outlen;
	iov[1].iov_base = (void *)(uintptr_t)(r->rs_data ? r->rs_data :
	    r->rs_body.b_data);
	iov[1].iov_len = r->rs_data ? r->rs_len : r->rs_body.b_len;
	if ((w = writev(c->cn_fd, iov, 2)) < 0)
		return errno == EAGAIN || errno == EINTR ? IO_WANT_WRITE :
		    IO_ERROR;
	c->cn_written += (size_t)w;
	*n = (size_t)w;
	if (*n <= iov[0].iov_len)
		return IO_OK;	/* the body goes as usual */
	c->cn_phase = 2;
	c->cn_out = iov[1].iov_base;
	c->cn_outlen = iov[1].iov_len;
	c->cn_outoff = 0;
	*n -= iov[0].iov_len;	/* of the body, counted by the caller */
	return IO_OK;
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

/* The content type of a TLS handshake record: a ClientHello's first byte. */
#define TLS_HANDSHAKE_RECORD	0x16

/*
 * Where TLS is optional: does the client's first byte open a TLS
 * handshake?  It is peeked at, not taken, so that OpenSSL or the request
 * buffer reads it next; nothing is allocated before it comes.
 */
static enum io
detect_tls(struct conn *c)
{
	unsigned char	 b;
	ssize_t		 n;

	if ((n = recv(c->cn_fd, &b, 1, MSG_PEEK)) == 1) {
		c->cn_state = b == TLS_HANDSHAKE_RECORD ? CONN_HANDSHAKE :
		    CONN_READ_REQUEST;
		return IO_OK;
	}
	if (n == 0)
		return IO_EOF;
	return errno == EAGAIN || errno == EINTR ? IO_WANT_READ : IO_ERROR;
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
	if ((r = io_read(c, in, room, &n)) != IO_OK)
		return r;
	if (c->cn_x == NULL && (c->cn_x = exchange_new()) == NULL)
		return IO_ERROR;
	if (c->cn_nreq > 0 && c->cn_x->x_reqlen == 0) {
		/* the next request of a persistent connection begins */
		clock_gettime(CLOCK_MONOTONIC, &c->cn_t0);
		set_deadline(c);
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
			if ((r = detect_tls(c)) == IO_OK)
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
			r = ssl_result(c, ret);
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
			if (c->cn_outoff == c->cn_outlen && !next_output(c)) {
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
				r = write_both(c, &n);
			else
				r = io_write(c, c->cn_out + c->cn_outoff,
				    c->cn_outlen - c->cn_outoff, &n);
			if (r == IO_OK) {
				c->cn_outoff += n;
				if (c->cn_out != c->cn_x->x_head)
					c->cn_sent += n;
				progress(c);
				continue;
			}
			if ((r == IO_WANT_WRITE || r == IO_WANT_READ) &&
			    write_blocked(c) == -1) {
				conn_close(c, ACCESS_TIMEOUT);
				return;
			}
			break;
		case CONN_SHUTDOWN:
			if (c->cn_ssl == NULL || !c->cn_tls_ok ||
			    (ret = SSL_shutdown(c->cn_ssl)) >= 0) {
				c->cn_tls_ok = 0;
				if (c->cn_ssl == NULL && nothing_unread(c)) {
					c->cn_state = CONN_DONE;
					continue;
				}
				c->cn_state = CONN_DRAIN;
				drain_start(c);
				continue;
			}
			r = ssl_result(c, ret);
			break;
		case CONN_DRAIN:
			r = drain(c);
			if (r == IO_OK)
				continue;
			break;
		case CONN_DONE:
			conn_free(c);
			return;
		}
		switch (r) {
		case IO_WANT_READ:
			wait_for(c, 0);
			return;
		case IO_WANT_WRITE:
			wait_for(c, 1);
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
	if (c->cn_state == CONN_WRITE && total_left_ms(c) > 0) {
		c->cn_probing = 1;
		conn_run(c);
		return;
	}
	if (c->cn_state == CONN_PROXY)
		conn_proxy_refused(c, "not complete before the deadline");
	conn_close(c, ACCESS_TIMEOUT);
}

/* The client's address as text, as getnameinfo(NI_NUMERICHOST) writes it. */
static void
conn_address(struct conn *c, const struct sockaddr *sa, socklen_t salen)
{
	const void	*in;

	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in))
		in = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6 &&
	    salen >= sizeof(struct sockaddr_in6))
		in = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		return;
	if (inet_ntop(sa->sa_family, in, c->cn_addr, sizeof(c->cn_addr)) ==
	    NULL)
		c->cn_addr[0] = '\0';
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
	set_deadline(c);
	return c;
}
