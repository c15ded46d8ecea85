/*
 * conn_io: how a connection's bytes move (see conn.h): reads and writes
 * on the socket or through TLS with their "would block" answers, the
 * pieces of a reply in turn, the deadlines that measure progress, the
 * first-byte TLS sniff, the drain after a reply, and the peer's address.  conn.c decides
 * what to do with them.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "proto.h"
#include "server.h"

/* Seconds we wait for a client to close after its response. */
#define DRAIN_SECONDS	2

/* Milliseconds c's total time (cn_total) still leaves, or 0. */
int64_t
conn_total_left_ms(const struct conn *c)
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
void
conn_set_deadline(struct conn *c)
{
	int64_t		 ms = (int64_t)c->cn_sv->sv_conf->sc_timeout * 1000;
	int64_t		 left = conn_total_left_ms(c);
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
void
conn_progress(struct conn *c)
{
	c->cn_wire = wire_bytes(c);
	c->cn_probing = 0;
	conn_set_deadline(c);
}

/*
 * A write would block.  Bytes went out since the last deadline was set
 * (a TLS record partly written): progress.  If the deadline passed and
 * this was the one more try (on_timer), with nothing accepted: -1, the
 * reply is abandoned.
 */
int
conn_write_blocked(struct conn *c)
{
	if (wire_bytes(c) != c->cn_wire) {
		conn_progress(c);
		return 0;
	}
	return c->cn_probing ? -1 : 0;
}

/* After an I/O call said "would block": wait for what it wants. */
void
conn_wait_for(struct conn *c, int want_write)
{
	event_del(want_write ? c->cn_rev : c->cn_wev);
	event_add(want_write ? c->cn_wev : c->cn_rev, NULL);
}

enum io
conn_ssl_result(struct conn *c, int ret)
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

enum io
conn_io_read(struct conn *c, void *p, size_t n, size_t *got)
{
	ssize_t	 r;
	int	 ret;

	if (c->cn_ssl != NULL) {
		if ((ret = SSL_read(c->cn_ssl, p, (int)n)) > 0) {
			*got = (size_t)ret;
			return IO_OK;
		}
		return conn_ssl_result(c, ret);
	}
	if ((r = read(c->cn_fd, p, n)) > 0) {
		*got = (size_t)r;
		return IO_OK;
	}
	if (r == 0)
		return IO_EOF;
	return errno == EAGAIN || errno == EINTR ? IO_WANT_READ : IO_ERROR;
}

enum io
conn_io_write(struct conn *c, const void *p, size_t n, size_t *put)
{
	ssize_t	 r;
	int	 ret;

	if (c->cn_ssl != NULL) {
		if ((ret = SSL_write(c->cn_ssl, p, (int)n)) > 0) {
			*put = (size_t)ret;
			return IO_OK;
		}
		return conn_ssl_result(c, ret);
	}
	if ((r = write(c->cn_fd, p, n)) >= 0) {
		*put = (size_t)r;
		c->cn_written += (size_t)r;
		return IO_OK;
	}
	return errno == EAGAIN || errno == EINTR ? IO_WANT_WRITE : IO_ERROR;
}

/* The next piece to write: header, generated body or a file chunk. */
int
conn_next_output(struct conn *c)
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

/*
 * Header and body in one writev, on a plain socket, when both are in
 * memory: one system call, and no small segment left waiting for an
 * acknowledgement on a persistent connection.
 */
enum io
conn_write_both(struct conn *c, size_t *n)
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
 * After the response: half-close, then read and discard until the
 * client closes too, so that request bytes we never read cannot make
 * the kernel answer with a reset that destroys the response in flight.
 */
void
conn_drain_start(struct conn *c)
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
int
conn_nothing_unread(struct conn *c)
{
	char	 byte;
	ssize_t	 n = recv(c->cn_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

	return n == 0 || (n == -1 && errno == EAGAIN);
}

enum io
conn_drain(struct conn *c)
{
	char	 scratch[512];
	ssize_t	 n = read(c->cn_fd, scratch, sizeof(scratch));

	if (n > 0)
		return IO_OK;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return IO_WANT_READ;
	return IO_EOF;
}

/* The content type of a TLS handshake record: a ClientHello's first byte. */
#define TLS_HANDSHAKE_RECORD	0x16

/*
 * Where TLS is optional: does the client's first byte open a TLS
 * handshake?  It is peeked at, not taken, so that OpenSSL or the request
 * buffer reads it next; nothing is allocated before it comes.
 */
enum io
conn_detect_tls(struct conn *c)
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

/* The client's address as text, as getnameinfo(NI_NUMERICHOST) writes it. */
void
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
