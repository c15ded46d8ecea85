/*
 * loadgen: an epoll, non-blocking load generator for Gemini, Gopher and
 * HTTP servers (bench/run.sh drives it; see BENCHMARKS.md).
 *
 *   loadgen -m gemini|gemini-resume|gemini-once|gopher|gophers|spartan|nex|
 *           http|http-close|idle -p PORT [-h 127.0.0.1]
 *           [-c CONCURRENCY] [-n TOTAL | -d SECONDS] [-u URL|SELECTOR]
 *           [-s SNI] [-b BYTES] [-P PID] [-t]
 *
 * gemini: a new TCP connection and a full TLS handshake per request.
 * gemini-resume: each of the -c client slots keeps the SSL_SESSION (TLS
 * 1.3 ticket) of its previous connection and offers it on the next; the
 * fraction of connections the server actually resumed is reported.  A
 * resumed connection that brought no new ticket leaves the slot with the
 * session it offered, so a ticket may be offered many times (as Python's
 * ssl module and any client caching one session do).
 * gemini-once: each ticket is offered once, as RFC 8446 (appendix C.4)
 * asks: a slot offers the newest session the new-session callback gave
 * it during its previous connection, and nothing when none came.
 * gopher: plain TCP.  gophers: Gopher over TLS, a new connection and a
 * full handshake per request.  Each request sends the request line, reads to EOF
 * (Gemini: close_notify, or EOF counted as no_close_notify), checks the
 * status (Gemini "20", Gopher: not empty) and, with -b, the body length.
 * Latency is from the start of connect() to the last byte.
 *
 * http: HTTP/1.1 GET of -u PATH with Host: localhost, each of the -c
 * slots sending its next request on the same connection once the answer
 * (Content-Length framed) is complete; a new connection when the server
 * said "Connection: close" or closed.  http-close: one request per
 * connection ("Connection: close"), read to EOF.  The status must be
 * 200; latency is from the request's first byte (http) or connect()
 * (http-close) to the last byte.
 *
 * idle: opens -c connections (with -t: and completes a TLS handshake on
 * each) and holds them, sending nothing, for -d seconds; reports how
 * many were held, refused (connect or handshake failed) and closed by
 * the server, and when.  "loadgen: idle: established" goes to stderr
 * once every connection is held or refused.
 *
 * With -P PID the server's CPU time (utime + stime of PID and of all its
 * descendants, from /proc) is read before and after the run.
 *
 * One line of key=value on stdout; messages on stderr.  Every connection
 * has a 10 s deadline; the run stops after -n requests or -d seconds.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define CONN_TIMEOUT	10.0	/* seconds for one request, or to connect */
#define HEAD_MAX	2048	/* a Gemini header is at most 1024 + 5; an
				   HTTP response head, well below */
#define READ_CHUNK	65536
#define MAX_EVENTS	512
#define MAX_SHOWN_ERRORS 5	/* error messages printed on stderr */

enum mode { M_GEMINI, M_RESUME, M_ONCE, M_GOPHER, M_GOPHERS, M_IDLE,
    M_SPARTAN, M_NEX, M_HTTP, M_HTTP_CLOSE };

/* Gopher, plain or over TLS, and Nex: no header, any non-empty answer. */
#define GOPHER_MODE(m)	((m) == M_GOPHER || (m) == M_GOPHERS || \
			    (m) == M_NEX)
/* HTTP: a head ending in an empty line, then Content-Length bytes. */
#define HTTP_MODE(m)	((m) == M_HTTP || (m) == M_HTTP_CLOSE)
/* Plain TCP: no TLS at all. */
#define PLAIN_MODE(m)	((m) == M_GOPHER || (m) == M_NEX || \
			    (m) == M_SPARTAN || HTTP_MODE(m))

enum state {
	S_FREE,
	S_CONNECTING,
	S_HANDSHAKE,
	S_WRITE,
	S_READ,
	S_HELD,		/* idle: established, waiting */
	S_GONE,		/* idle: closed by the server or refused */
};

enum err {
	E_CONNECT,	/* connect() failed (refused, no port) */
	E_TLS,		/* handshake failed */
	E_RESET,	/* reset or TLS error after the handshake */
	E_STATUS,	/* not "20" (Gemini) or empty (Gopher) */
	E_LENGTH,	/* body length differs from -b */
	E_TIMEOUT,	/* no answer within CONN_TIMEOUT */
	NUM_ERR
};

static const char *const err_names[NUM_ERR] = {
	"err_connect", "err_tls", "err_reset", "err_status", "err_length",
	"err_timeout",
};

struct slot {
	int		 fd;
	SSL		*ssl;
	SSL_SESSION	*sess;		/* the session to offer next */
	SSL_SESSION	*next;		/* gemini-once: this connection's newest */
	enum state	 state;
	unsigned	 events;	/* registered with epoll */
	double		 t0;		/* connect() started */
	size_t		 woff;		/* request bytes written */
	char		 head[HEAD_MAX];
	size_t		 hlen;
	int		 head_done;
	size_t		 body;		/* bytes after the header */
	long		 clen;		/* HTTP: Content-Length, or -1 */
	int		 srv_close;	/* HTTP: "Connection: close" */
};

static struct {
	enum mode	 mode;
	const char	*host;
	int		 port;
	int		 conc;
	long		 total;		/* -n, or 0 */
	double		 seconds;	/* -d, or 0 */
	const char	*url;
	const char	*sni;
	long		 bytes;		/* -b, or -1 */
	long		 pid;		/* -P, or 0 */
	int		 idle_tls;	/* -t */
	int		 proxy;		/* -X: a PROXY v2 header first */
} opt;

static int		 ep;
static SSL_CTX		*ctx;
static struct slot	*slots;
static char		 request[1200];
static size_t		 reqlen;
static struct sockaddr_in dst;

/* Counters. */
static long	 started, done_ok, errors, err_count[NUM_ERR], resumed;
static long	 no_close_notify, active;
static unsigned long long body_bytes;
static double	*lat;			/* milliseconds of each success */
static size_t	 nlat, caplat;
static long	 shown_errors;
/* idle */
static long	 held, refused, closed_by_server, closed_reset;
static double	*close_at;		/* seconds since start, each close */
static size_t	 nclose;
static double	 t_start, t_established;

static char	 readbuf[READ_CHUNK];

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen -m gemini|gemini-resume|gemini-once|gopher|gophers|"
	    "spartan|nex|http|http-close|idle -p PORT\n"
	    "               [-h HOST] [-c CONCURRENCY] [-n TOTAL | -d SECONDS]\n"
	    "               [-u URL|SELECTOR] [-s SNI] [-b BYTES] [-P PID] [-t]\n"
	    "               [-X]\n");
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	 ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max)
		die("bad number: %s", s);
	return v;
}

/*
 * Server CPU: utime + stime (clock ticks) of pid and of every process
 * whose parent chain leads to it.
 */
static long long
proc_ticks(long pid, long *ppid)
{
	char		 path[64], buf[1024], *p;
	FILE		*fp;
	size_t		 n;
	long long	 ut, st;
	long		 pp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: skip past the last ')' */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* fields from 3: state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime */
	if (sscanf(p + 2, "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld",
	    &pp, &ut, &st) != 3)
		return -1;
	*ppid = pp;
	return ut + st;
}

static long long
tree_ticks(long root)
{
	DIR		*d;
	struct dirent	*de;
	long		*pids = NULL, *ppids = NULL, pp;
	long long	*ticks = NULL, t, sum = 0;
	size_t		 n = 0, cap = 0, i, k;
	int		*in = NULL, grew;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if ((t = proc_ticks(atol(de->d_name), &pp)) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			pids = realloc(pids, cap * sizeof(*pids));
			ppids = realloc(ppids, cap * sizeof(*ppids));
			ticks = realloc(ticks, cap * sizeof(*ticks));
			if (pids == NULL || ppids == NULL || ticks == NULL)
				die("out of memory");
		}
		pids[n] = atol(de->d_name);
		ppids[n] = pp;
		ticks[n] = t;
		n++;
	}
	closedir(d);
	if ((in = calloc(n + 1, sizeof(*in))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		in[i] = pids[i] == root;
	do {	/* add children of members until nothing changes */
		grew = 0;
		for (i = 0; i < n; i++) {
			if (in[i])
				continue;
			for (k = 0; k < n; k++)
				if (in[k] && pids[k] == ppids[i]) {
					in[i] = grew = 1;
					break;
				}
		}
	} while (grew);
	for (i = 0; i < n; i++)
		if (in[i])
			sum += ticks[i];
	free(pids);
	free(ppids);
	free(ticks);
	free(in);
	return sum;
}

static void
note_error(struct slot *s, enum err e, const char *fmt, ...)
{
	va_list	 ap;

	(void)s;
	errors++;
	err_count[e]++;
	if (shown_errors++ >= MAX_SHOWN_ERRORS)
		return;
	fprintf(stderr, "loadgen: %s: ", err_names[e]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *
ssl_reason(void)
{
	unsigned long	 e = ERR_peek_error();
	const char	*r;

	if (e == 0)
		return strerror(errno);
	r = ERR_reason_error_string(e);
	return r != NULL ? r : "TLS error";
}

static void
set_events(struct slot *s, unsigned ev)
{
	struct epoll_event	 e;

	if (s->events == ev)
		return;
	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.ptr = s;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &e) == -1)
		die("epoll_ctl: %s", strerror(errno));
	s->events = ev;
}

/* Close the slot's connection; a clean TLS end sends our close_notify. */
static void
slot_close(struct slot *s, int clean)
{
	if (s->ssl != NULL) {
		if (clean)
			SSL_shutdown(s->ssl);	/* one try, non-blocking */
		ERR_clear_error();
		SSL_free(s->ssl);
		s->ssl = NULL;
	}
	if (s->fd != -1) {
		close(s->fd);	/* removes it from the epoll set */
		s->fd = -1;
	}
	s->events = 0;
	s->state = S_FREE;
	active--;
}

static void
fail(struct slot *s, enum err e, const char *what)
{
	note_error(s, e, "%s", what);
	if (s->sess != NULL) {
		SSL_SESSION_free(s->sess);	/* start again with a full one */
		s->sess = NULL;
	}
	if (s->next != NULL) {
		SSL_SESSION_free(s->next);
		s->next = NULL;
	}
	slot_close(s, 0);
}

static void
record_latency(double ms)
{
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 65536;
		if ((lat = realloc(lat, caplat * sizeof(*lat))) == NULL)
			die("out of memory");
	}
	lat[nlat++] = ms;
}

static void
record_close(struct slot *s, int reset)
{
	close_at[nclose++] = now() - t_start;
	if (reset)
		closed_reset++;
	closed_by_server++;
	held--;
	slot_close(s, 0);
	active++;		/* still counted until the end of the run */
	s->state = S_GONE;
}

static int
may_start(double t)
{
	if (opt.total > 0 && started >= opt.total)
		return 0;
	if (opt.seconds > 0 && t - t_start >= opt.seconds)
		return 0;
	return 1;
}

/* A new request in slot s, on its connection or a new one. */
static void
request_begin(struct slot *s)
{
	memset(s->head, 0, 4);
	s->hlen = s->woff = s->body = 0;
	s->head_done = 0;
	s->clen = -1;
	s->srv_close = 0;
	s->t0 = now();
	started++;
}

static void
slot_start(struct slot *s)
{
	struct epoll_event	 e;
	int			 one = 1;

	request_begin(s);
	active++;
	if ((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		die("socket: %s", strerror(errno));
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&e, 0, sizeof(e));
	e.events = EPOLLOUT;
	e.data.ptr = s;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &e) == -1)
		die("epoll_ctl: %s", strerror(errno));
	s->events = EPOLLOUT;
	s->state = S_CONNECTING;
	if (connect(s->fd, (struct sockaddr *)&dst, sizeof(dst)) == -1 &&
	    errno != EINPROGRESS) {
		char	 msg[128];

		snprintf(msg, sizeof(msg), "connect: %s", strerror(errno));
		if (opt.mode == M_IDLE) {
			refused++;
			slot_close(s, 0);
			s->state = S_GONE;
			active++;
			note_error(s, E_CONNECT, "%s", msg);
			return;
		}
		fail(s, E_CONNECT, msg);
	}
}

/* A request finished: check it and record it. */
static void
finish(struct slot *s, int close_notify)
{
	int	 ok = 1;
	double	 ms = (now() - s->t0) * 1e3;

	if (GOPHER_MODE(opt.mode)) {
		if (s->body == 0) {
			note_error(s, E_STATUS, "empty Gopher response");
			ok = 0;
		}
	} else if (HTTP_MODE(opt.mode)) {
		if (!s->head_done || s->hlen < 12 || (strncmp(s->head,
		    "HTTP/1.1 200", 12) != 0 && strncmp(s->head,
		    "HTTP/1.0 200", 12) != 0)) {
			note_error(s, E_STATUS, "status: %.*s", (int)(s->hlen >
			    60 ? 60 : s->hlen), s->head);
			ok = 0;
		}
	} else if (!s->head_done || s->hlen < 2 || s->head[0] != '2' ||
	    s->head[1] != (opt.mode == M_SPARTAN ? ' ' : '0')) {
		note_error(s, E_STATUS, "status: %.*s", (int)(s->hlen > 60 ? 60 :
		    s->hlen), s->head);
		ok = 0;
	}
	if (ok && opt.bytes >= 0 && s->body != (size_t)opt.bytes) {
		note_error(s, E_LENGTH, "body of %zu bytes, not %ld", s->body,
		    opt.bytes);
		ok = 0;
	}
	if (ok) {
		done_ok++;
		body_bytes += s->body;
		record_latency(ms);
		if (!close_notify && s->ssl != NULL)
			no_close_notify++;
	}
	if (s->ssl != NULL && opt.mode == M_ONCE) {
		if (SSL_session_reused(s->ssl))
			resumed++;
		s->sess = s->next;	/* NULL when no ticket came */
		s->next = NULL;
	}
	if (s->ssl != NULL && opt.mode == M_RESUME) {
		if (SSL_session_reused(s->ssl))
			resumed++;
		if (ok) {
			SSL_SESSION	*n = SSL_get1_session(s->ssl);

			if (s->sess != NULL)
				SSL_SESSION_free(s->sess);
			s->sess = n;
		}
	}
	if (ok && opt.mode == M_HTTP && !s->srv_close && may_start(now())) {
		request_begin(s);	/* the next one on this connection */
		s->state = S_WRITE;
		return;
	}
	slot_close(s, 1);
}

/* An HTTP response head: when complete, its Content-Length and close. */
static void
http_head(struct slot *s)
{
	const char	*v;

	s->head[s->hlen] = '\0';
	if ((v = strcasestr(s->head, "\r\ncontent-length:")) != NULL)
		s->clen = strtol(v + 17, NULL, 10);
	s->srv_close = strcasestr(s->head, "\r\nconnection: close") != NULL;
}

/* Is the HTTP response in s complete (keep-alive: framed by length)? */
static int
http_complete(const struct slot *s)
{
	return opt.mode == M_HTTP && s->head_done && s->clen >= 0 &&
	    s->body >= (size_t)s->clen;
}

/* Bytes of the response: the Gemini header line first, then the body. */
static void
consume(struct slot *s, const char *p, size_t n)
{
	size_t	 i;

	if (GOPHER_MODE(opt.mode) || s->head_done) {
		s->body += n;
		return;
	}
	for (i = 0; i < n; i++) {
		if (s->hlen < sizeof(s->head) - 1)
			s->head[s->hlen++] = p[i];
		if (p[i] == '\n' && (!HTTP_MODE(opt.mode) || (s->hlen >= 4 &&
		    memcmp(s->head + s->hlen - 4, "\r\n\r\n", 4) == 0))) {
			s->head_done = 1;
			s->body += n - i - 1;
			if (HTTP_MODE(opt.mode))
				http_head(s);
			return;
		}
	}
}

/* gemini-once: a ticket came; keep it as the slot's newest session. */
static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct slot	*s = SSL_get_app_data(ssl);

	if (s == NULL)
		return 0;
	if (s->next != NULL)
		SSL_SESSION_free(s->next);
	s->next = sess;
	return 1;	/* the reference is ours */
}

/*
 * -X: what a balancer sends first, a PROXY v2 header for TCP over IPv4
 * from 192.0.2.1:SLOT to 127.0.0.1:PORT (28 bytes: a fresh socket takes
 * them whole).
 */
static int
proxy_header(struct slot *s)
{
	unsigned char	 h[28] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a,
			    0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0, 12,
			    192, 0, 2, 1, 127, 0, 0, 1 };
	unsigned	 sport = 1024 + (unsigned)(s - slots) % 60000;

	h[24] = (unsigned char)(sport >> 8);
	h[25] = (unsigned char)sport;
	h[26] = (unsigned char)(opt.port >> 8);
	h[27] = (unsigned char)opt.port;
	return write(s->fd, h, sizeof(h)) == (ssize_t)sizeof(h) ? 0 : -1;
}

static void
tls_setup(struct slot *s)
{
	if ((s->ssl = SSL_new(ctx)) == NULL)
		die("SSL_new failed");
	SSL_set_fd(s->ssl, s->fd);
	if (opt.sni != NULL && *opt.sni != '\0')
		SSL_set_tlsext_host_name(s->ssl, opt.sni);
	if ((opt.mode == M_RESUME || opt.mode == M_ONCE) && s->sess != NULL)
		SSL_set_session(s->ssl, s->sess);
	if (opt.mode == M_ONCE && s->sess != NULL) {
		SSL_SESSION_free(s->sess);	/* offered once, never again */
		s->sess = NULL;
	}
	SSL_set_app_data(s->ssl, s);
	s->state = S_HANDSHAKE;
}

static void
became_held(struct slot *s)
{
	s->state = S_HELD;
	held++;
	set_events(s, EPOLLIN | EPOLLRDHUP);
}

/* Run the slot's state machine as far as it goes without blocking. */
static void
step(struct slot *s)
{
	int	 r, e, soerr;
	socklen_t len;
	ssize_t	 n;

	for (;;) {
		switch (s->state) {
		case S_CONNECTING:
			len = sizeof(soerr);
			if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr,
			    &len) == -1)
				soerr = errno;
			if (soerr == EINPROGRESS || soerr == EALREADY)
				return;
			if (soerr != 0) {
				char	 msg[128];

				snprintf(msg, sizeof(msg), "connect: %s",
				    strerror(soerr));
				if (opt.mode == M_IDLE) {
					note_error(s, E_CONNECT, "%s", msg);
					refused++;
					slot_close(s, 0);
					s->state = S_GONE;
					active++;
					return;
				}
				fail(s, E_CONNECT, msg);
				return;
			}
			if (opt.mode == M_IDLE && !opt.idle_tls) {
				became_held(s);
				return;
			}
			if (opt.proxy && proxy_header(s) == -1) {
				fail(s, E_CONNECT, "PROXY header not sent whole");
				return;
			}
			if (PLAIN_MODE(opt.mode))
				s->state = S_WRITE;
			else
				tls_setup(s);
			continue;
		case S_HANDSHAKE:
			if ((r = SSL_connect(s->ssl)) == 1) {
				if (opt.mode == M_IDLE) {
					became_held(s);
					return;
				}
				s->state = S_WRITE;
				continue;
			}
			e = SSL_get_error(s->ssl, r);
			if (e == SSL_ERROR_WANT_READ) {
				set_events(s, EPOLLIN);
				return;
			}
			if (e == SSL_ERROR_WANT_WRITE) {
				set_events(s, EPOLLOUT);
				return;
			}
			if (opt.mode == M_IDLE) {
				note_error(s, E_TLS, "handshake: %s",
				    ssl_reason());
				refused++;
				slot_close(s, 0);
				s->state = S_GONE;
				active++;
				return;
			}
			fail(s, E_TLS, ssl_reason());
			return;
		case S_WRITE:
			if (s->ssl != NULL) {
				r = SSL_write(s->ssl, request + s->woff,
				    (int)(reqlen - s->woff));
				if (r <= 0) {
					e = SSL_get_error(s->ssl, r);
					if (e == SSL_ERROR_WANT_READ) {
						set_events(s, EPOLLIN);
						return;
					}
					if (e == SSL_ERROR_WANT_WRITE) {
						set_events(s, EPOLLOUT);
						return;
					}
					fail(s, E_RESET, ssl_reason());
					return;
				}
				n = r;
			} else {
				n = write(s->fd, request + s->woff,
				    reqlen - s->woff);
				if (n == -1) {
					if (errno == EAGAIN || errno == EINTR) {
						set_events(s, EPOLLOUT);
						return;
					}
					fail(s, E_RESET, strerror(errno));
					return;
				}
			}
			s->woff += (size_t)n;
			if (s->woff == reqlen)
				s->state = S_READ;
			continue;
		case S_READ:
			if (s->ssl != NULL) {
				r = SSL_read(s->ssl, readbuf, sizeof(readbuf));
				if (r > 0) {
					consume(s, readbuf, (size_t)r);
					continue;
				}
				e = SSL_get_error(s->ssl, r);
				if (e == SSL_ERROR_WANT_READ) {
					set_events(s, EPOLLIN);
					return;
				}
				if (e == SSL_ERROR_WANT_WRITE) {
					set_events(s, EPOLLOUT);
					return;
				}
				if (e == SSL_ERROR_ZERO_RETURN) {
					finish(s, 1);
					return;
				}
				if (e == SSL_ERROR_SSL &&
				    ERR_GET_REASON(ERR_peek_error()) ==
				    SSL_R_UNEXPECTED_EOF_WHILE_READING) {
					ERR_clear_error();
					finish(s, 0);
					return;
				}
				fail(s, E_RESET, ssl_reason());
				return;
			}
			n = read(s->fd, readbuf, sizeof(readbuf));
			if (n > 0) {
				consume(s, readbuf, (size_t)n);
				if (!http_complete(s))
					continue;
				finish(s, 1);
				if (s->state != S_WRITE)
					return;
				set_events(s, EPOLLOUT);
				continue;
			}
			if (n == 0 && opt.mode == M_HTTP) {
				fail(s, E_RESET, "closed before the end of the "
				    "answer");
				return;
			}
			if (n == 0) {
				finish(s, 1);
				return;
			}
			if (errno == EAGAIN || errno == EINTR) {
				set_events(s, EPOLLIN);
				return;
			}
			fail(s, E_RESET, strerror(errno));
			return;
		case S_HELD:
			if (s->ssl != NULL) {
				r = SSL_read(s->ssl, readbuf, sizeof(readbuf));
				if (r > 0)
					continue;	/* unexpected bytes */
				e = SSL_get_error(s->ssl, r);
				if (e == SSL_ERROR_WANT_READ)
					return;		/* a ticket, say */
				record_close(s, e != SSL_ERROR_ZERO_RETURN &&
				    errno == ECONNRESET);
				ERR_clear_error();
				return;
			}
			n = read(s->fd, readbuf, sizeof(readbuf));
			if (n > 0)
				continue;
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return;
			record_close(s, n == -1);
			return;
		case S_FREE:
		case S_GONE:
			return;
		}
	}
}

/* Deadlines: a connection older than CONN_TIMEOUT is an error. */
static void
check_timeouts(double t)
{
	int	 i;

	for (i = 0; i < opt.conc; i++) {
		struct slot *s = &slots[i];

		if (s->state == S_FREE || s->state == S_GONE ||
		    s->state == S_HELD || t - s->t0 < CONN_TIMEOUT)
			continue;
		if (opt.mode == M_IDLE) {
			note_error(s, E_TIMEOUT, "connection not established "
			    "in %.0f s", CONN_TIMEOUT);
			refused++;
			slot_close(s, 0);
			s->state = S_GONE;
			active++;
			continue;
		}
		fail(s, E_TIMEOUT, "no complete answer in 10 s");
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, size_t n, double p)
{
	size_t	 i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void
parse_args(int argc, char **argv)
{
	int	 ch;

	opt.host = "127.0.0.1";
	opt.conc = 1;
	opt.bytes = -1;
	opt.url = NULL;
	while ((ch = getopt(argc, argv, "m:h:p:c:n:d:u:s:b:P:tX")) != -1) {
		switch (ch) {
		case 'm':
			if (strcmp(optarg, "gemini") == 0)
				opt.mode = M_GEMINI;
			else if (strcmp(optarg, "gemini-resume") == 0)
				opt.mode = M_RESUME;
			else if (strcmp(optarg, "gemini-once") == 0)
				opt.mode = M_ONCE;
			else if (strcmp(optarg, "gopher") == 0)
				opt.mode = M_GOPHER;
			else if (strcmp(optarg, "gophers") == 0)
				opt.mode = M_GOPHERS;
			else if (strcmp(optarg, "idle") == 0)
				opt.mode = M_IDLE;
			else if (strcmp(optarg, "spartan") == 0)
				opt.mode = M_SPARTAN;
			else if (strcmp(optarg, "nex") == 0)
				opt.mode = M_NEX;
			else if (strcmp(optarg, "http") == 0)
				opt.mode = M_HTTP;
			else if (strcmp(optarg, "http-close") == 0)
				opt.mode = M_HTTP_CLOSE;
			else
				usage();
			break;
		case 'h':
			opt.host = optarg;
			break;
		case 'p':
			opt.port = (int)number(optarg, 1, 65535);
			break;
		case 'c':
			opt.conc = (int)number(optarg, 1, 1000000);
			break;
		case 'n':
			opt.total = number(optarg, 1, LONG_MAX);
			break;
		case 'd':
			opt.seconds = strtod(optarg, NULL);
			if (opt.seconds <= 0)
				die("bad duration: %s", optarg);
			break;
		case 'u':
			opt.url = optarg;
			break;
		case 's':
			opt.sni = optarg;
			break;
		case 'b':
			opt.bytes = number(optarg, 0, LONG_MAX);
			break;
		case 'P':
			opt.pid = number(optarg, 1, LONG_MAX);
			break;
		case 't':
			opt.idle_tls = 1;
			break;
		case 'X':
			opt.proxy = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt.port == 0)
		usage();
	if (opt.total == 0 && opt.seconds == 0) {
		if (opt.mode == M_IDLE)
			die("idle needs -d SECONDS");
		opt.total = 1000;
	}
	if (opt.mode == M_IDLE && opt.seconds == 0)
		die("idle needs -d SECONDS");
	if (opt.url == NULL)
		opt.url = GOPHER_MODE(opt.mode) ? "" : opt.mode == M_SPARTAN ||
		    HTTP_MODE(opt.mode) ? "/" : "gemini://localhost/";
	if (opt.sni == NULL && strncmp(opt.url, "gemini://", 9) == 0) {
		/* the URL's host, when it is a name */
		static char	 host[256];
		size_t		 n = strcspn(opt.url + 9, ":/?#");

		if (n > 0 && n < sizeof(host) && opt.url[9] != '[') {
			memcpy(host, opt.url + 9, n);
			host[n] = '\0';
			if (strspn(host, "0123456789.") != n)
				opt.sni = host;
		}
	}
	if (opt.mode == M_SPARTAN)	/* host SP path SP length, no data */
		reqlen = (size_t)snprintf(request, sizeof(request),
		    "localhost %s 0\r\n", opt.url);
	else if (HTTP_MODE(opt.mode))
		reqlen = (size_t)snprintf(request, sizeof(request),
		    "GET %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n", opt.url,
		    opt.mode == M_HTTP_CLOSE ? "Connection: close\r\n" : "");
	else
		reqlen = (size_t)snprintf(request, sizeof(request), "%s\r\n",
		    opt.url);
	if (reqlen >= sizeof(request))
		die("request line too long");
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)opt.port);
	if (inet_pton(AF_INET, opt.host, &dst.sin_addr) != 1)
		die("not an IPv4 address: %s", opt.host);
}

static const char *const mode_names[] = {
	"gemini", "gemini-resume", "gemini-once", "gopher", "gophers", "idle",
	"spartan", "nex", "http", "http-close",
};

static void
report_idle(double t_end)
{
	size_t	 i;

	qsort(close_at, nclose, sizeof(*close_at), cmp_double);
	printf("mode=idle tls=%d conc=%d held=%ld refused=%ld "
	    "closed_by_server=%ld closed_reset=%ld held_at_end=%ld "
	    "established_s=%.3f seconds=%.3f", opt.idle_tls, opt.conc,
	    held + closed_by_server, refused, closed_by_server, closed_reset,
	    held, t_established > 0 ? t_established - t_start : -1.0,
	    t_end - t_start);
	if (nclose > 0)
		printf(" first_close_s=%.3f median_close_s=%.3f "
		    "last_close_s=%.3f", close_at[0],
		    close_at[nclose / 2], close_at[nclose - 1]);
	for (i = 0; i < NUM_ERR; i++)
		if (err_count[i] > 0)
			printf(" %s=%ld", err_names[i], err_count[i]);
	printf("\n");
}

static void
report(double t_end, long long ticks0, long long ticks1, double cpu_client)
{
	double	 secs = t_end - t_start;
	long	 hz = sysconf(_SC_CLK_TCK);
	size_t	 i;

	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("mode=%s conc=%d requests=%ld errors=%ld seconds=%.3f "
	    "rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f bytes=%llu "
	    "mb_s=%.2f", mode_names[opt.mode], opt.conc, done_ok, errors,
	    secs, secs > 0 ? (double)done_ok / secs : 0.0,
	    pct(lat, nlat, 0.50), pct(lat, nlat, 0.99),
	    nlat ? lat[nlat - 1] : 0.0, body_bytes,
	    secs > 0 ? (double)body_bytes / secs / 1e6 : 0.0);
	if (opt.mode == M_RESUME || opt.mode == M_ONCE)
		printf(" resumed=%.4f", done_ok + errors > 0 ?
		    (double)resumed / (double)(done_ok + errors) : 0.0);
	if (!PLAIN_MODE(opt.mode))
		printf(" no_close_notify=%ld", no_close_notify);
	for (i = 0; i < NUM_ERR; i++)
		if (err_count[i] > 0)
			printf(" %s=%ld", err_names[i], err_count[i]);
	if (opt.pid > 0 && ticks0 >= 0 && ticks1 >= 0) {
		double	 ms = (double)(ticks1 - ticks0) * 1e3 / (double)hz;

		printf(" server_cpu_ms=%.0f server_cpu_ms_per_req=%.4f "
		    "server_cpu_pct=%.1f", ms, done_ok > 0 ?
		    ms / (double)done_ok : 0.0, secs > 0 ?
		    ms / 10.0 / secs : 0.0);
	}
	printf(" client_cpu_ms_per_req=%.4f\n", done_ok > 0 ?
	    cpu_client * 1e3 / (double)done_ok : 0.0);
}

static double
self_cpu(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	struct epoll_event	 evs[MAX_EVENTS];
	struct rlimit		 rl;
	long long		 ticks0 = -1, ticks1 = -1;
	double			 t, last_scan, cpu0, t_end;
	int			 i, n;

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!PLAIN_MODE(opt.mode) && !(opt.mode == M_IDLE && !opt.idle_tls)) {
		if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
			die("SSL_CTX_new failed");
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		if (opt.mode == M_ONCE) {
			SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
			    SSL_SESS_CACHE_NO_INTERNAL_STORE);
			SSL_CTX_sess_set_new_cb(ctx, new_session);
		}
	}
	if ((slots = calloc((size_t)opt.conc, sizeof(*slots))) == NULL ||
	    (close_at = calloc((size_t)opt.conc, sizeof(*close_at))) == NULL)
		die("out of memory");
	for (i = 0; i < opt.conc; i++)
		slots[i].fd = -1;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));

	if (opt.pid > 0)
		ticks0 = tree_ticks(opt.pid);
	cpu0 = self_cpu();
	t_start = last_scan = now();
	for (i = 0; i < opt.conc && may_start(t_start); i++)
		slot_start(&slots[i]);
	for (i = 0; i < opt.conc; i++)
		if (slots[i].state == S_CONNECTING)
			step(&slots[i]);
	for (;;) {
		t = now();
		if (opt.mode == M_IDLE) {
			if (t_established == 0 && held + refused +
			    closed_by_server >= started) {
				t_established = t;
				fprintf(stderr, "loadgen: idle: established "
				    "held=%ld refused=%ld\n", held, refused);
			}
			if (t - t_start >= opt.seconds)
				break;
		} else if (active == 0 && !may_start(t))
			break;
		n = epoll_wait(ep, evs, MAX_EVENTS, 50);
		if (n == -1 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++)
			step(evs[i].data.ptr);
		t = now();
		if (t - last_scan >= 0.05) {
			check_timeouts(t);
			last_scan = t;
		}
		if (opt.mode == M_IDLE)
			continue;
		/* start new requests in the free slots */
		for (i = 0; i < opt.conc; i++) {
			if (slots[i].state != S_FREE || !may_start(t))
				continue;
			slot_start(&slots[i]);
			if (slots[i].state == S_CONNECTING)
				step(&slots[i]);
		}
	}
	t_end = now();
	if (opt.mode == M_IDLE) {
		report_idle(t_end);
		return 0;
	}
	if (opt.pid > 0)
		ticks1 = tree_ticks(opt.pid);
	report(t_end, ticks0, ticks1, self_cpu() - cpu0);
	return 0;
}
