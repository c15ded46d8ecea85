/*
 * conn_proxy: a connection's CONN_PROXY stage (conn.h): the PROXY
 * protocol header a load balancer sends first on a listener marked for
 * it, read up to its last byte and never further (what follows is a
 * ClientHello or a request, for the next stage), parsed by proxy.c; and
 * the warning when one is refused, at a bounded rate.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include "buf.h"
#include "conn.h"
#include "log.h"
#include "proxy.h"
#include "utf8.h"

/* Refusals logged a second at most: a flood must not flood the log. */
#define PROXY_LOG_PER_SECOND	10
/* Bytes of a refused header shown in the warning. */
#define PROXY_LOG_BYTES		48

static pthread_mutex_t	 refused_mtx = PTHREAD_MUTEX_INITIALIZER;
static time_t		 refused_second;
static unsigned		 refused_logged;	/* in refused_second */
static unsigned long	 refused_unlogged;	/* since the last line */

/*
 * c's header is refused (why) and c will be closed: say so, with the
 * bytes that came (escaped), unless PROXY_LOG_PER_SECOND lines were
 * written this second; the next line that is written counts those.
 */
void
conn_proxy_refused(struct conn *c, const char *why)
{
	struct buf	 b;
	unsigned long	 unlogged;
	time_t		 now = time(NULL);
	char		 more[64];

	pthread_mutex_lock(&refused_mtx);
	if (now != refused_second) {
		refused_second = now;
		refused_logged = 0;
	}
	if (refused_logged >= PROXY_LOG_PER_SECOND) {
		refused_unlogged++;
		pthread_mutex_unlock(&refused_mtx);
		return;
	}
	refused_logged++;
	unlogged = refused_unlogged;
	refused_unlogged = 0;
	pthread_mutex_unlock(&refused_mtx);
	buf_init(&b);
	utf8_escape(&b, (const char *)c->cn_ph, c->cn_phlen < PROXY_LOG_BYTES ?
	    c->cn_phlen : PROXY_LOG_BYTES);
	more[0] = '\0';
	if (unlogged > 0)
		snprintf(more, sizeof(more), " (%lu more refused before, "
		    "not logged)", unlogged);
	log_warnx("%s: PROXY header from %s refused (%s), closed: \"%s\"%s%s",
	    protos[c->cn_kind].pr_name, c->cn_addr, why,
	    b.b_data != NULL ? b.b_data : "", c->cn_phlen > PROXY_LOG_BYTES ?
	    "..." : "", more);
	buf_free(&b);
}

/* A read returned n <= 0: 0 to wait, -1 to close (logged if cut short). */
static int
read_end(struct conn *c, ssize_t n)
{
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == 0 && (c->cn_phlen > 0 || c->cn_phskip > 0))
		conn_proxy_refused(c, "the connection closed inside it");
	return -1;
}

/*
 * How much of the header to read next: h->ph_more bytes, and of a v1
 * line only up to its LF (peeked at), which may be among them.
 */
static ssize_t
read_next(struct conn *c, const struct proxy_hdr *h)
{
	unsigned char	*at = c->cn_ph + c->cn_phlen, *lf;
	size_t		 want = h->ph_more;
	ssize_t		 n;

	if (want > PROXY_KEEP - c->cn_phlen)
		want = PROXY_KEEP - c->cn_phlen;	/* not reached */
	if (h->ph_version == 1) {
		if ((n = recv(c->cn_fd, at, want, MSG_PEEK)) <= 0)
			return n;
		if ((lf = memchr(at, '\n', (size_t)n)) != NULL)
			want = (size_t)(lf - at) + 1;
		else
			want = (size_t)n;
	}
	return read(c->cn_fd, at, want);
}

/*
 * Read c's PROXY header as far as it came.  1: read, and c->cn_addr is
 * the client's (unless the header said LOCAL or UNKNOWN: a health check,
 * the balancer's own); 0: wait for more; -1: close (refused and logged,
 * or the connection failed).
 */
int
conn_proxy_read(struct conn *c)
{
	struct proxy_hdr h;
	unsigned char	 scratch[512];
	const char	*why;
	ssize_t		 n;

	for (;;) {
		if (c->cn_phskip > 0) {		/* TLVs: skipped */
			if ((n = read(c->cn_fd, scratch, c->cn_phskip <
			    sizeof(scratch) ? c->cn_phskip : sizeof(scratch))) <=
			    0)
				return read_end(c, n);
			if ((c->cn_phskip -= (size_t)n) == 0)
				return 1;
			continue;
		}
		switch (proxy_parse(c->cn_ph, c->cn_phlen, &h, &why)) {
		case PROXY_BAD:
			conn_proxy_refused(c, why);
			return -1;
		case PROXY_DONE:
			if (!h.ph_local)
				snprintf(c->cn_addr, sizeof(c->cn_addr), "%s",
				    h.ph_src);
			if ((c->cn_phskip = h.ph_len - c->cn_phlen) == 0)
				return 1;
			continue;
		case PROXY_MORE:
			break;
		}
		if ((n = read_next(c, &h)) <= 0)
			return read_end(c, n);
		c->cn_phlen += (size_t)n;
	}
}
