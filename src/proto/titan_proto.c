/*
 * titan_proto.c: Titan uploads on the Gemini listener (proto.h).
 *
 * titan_respond takes the request line: parsed (titan.h), for one of
 * our hosts that takes uploads (else 53), from an author's certificate
 * (none: 60; not listed, or a wrong token: 61), to a path an upload may
 * name (else 59), within titan-max-size (else 59).  It then asks
 * conn.c for the body (x_body_want); titan_body checks an article's
 * text as `capsuled check` would (59), hands the bytes to the writer
 * (writer.h) and, for an article, waits until the snapshot holding the
 * change is published (live_wait_fence) before it answers 30.  Both
 * block this worker's loop for the time of the write: uploads are rare
 * and small, and one writer takes them one at a time anyway.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <time.h>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "addr.h"
#include "catalog.h"
#include "gemini.h"
#include "live.h"
#include "log.h"
#include "proto.h"
#include "snapshot.h"
#include "source.h"
#include "titan.h"
#include "utf8.h"

/* An upload between its request line and its answer (x_priv). */
struct upload {
	struct titan_request	 up_req;
	const struct vhost	*up_vh;
	const char		*up_author;	/* name, or fingerprint */
	enum titan_kind		 up_kind;
	struct rate		*up_rate;	/* counted in it while open */
};

/*
 * Uploads per certificate: at most TITAN_AT_ONCE open (each may hold
 * titan-max-size bytes: 32 MiB by default) and TITAN_PER_MINUTE begun in a minute, for the
 * RATE_SLOTS certificates seen last; more get 44.
 */
#define TITAN_AT_ONCE		32
#define TITAN_PER_MINUTE	120
#define RATE_SLOTS		64

struct rate {
	char		 ra_fp[TITAN_FP_LEN + 1];
	time_t		 ra_minute;	/* when its minute began */
	unsigned	 ra_begun;	/* in that minute */
	unsigned	 ra_open;
};

static pthread_mutex_t	 rate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rate	 rates[RATE_SLOTS];

/* Count an upload from fp: its slot, or NULL when over a limit. */
static struct rate *
rate_take(const char *fp)
{
	struct rate	*ra = NULL, *old = &rates[0];
	time_t		 now = time(NULL);
	size_t		 i;

	pthread_mutex_lock(&rate_lock);
	for (i = 0; i < RATE_SLOTS && ra == NULL; i++) {
		if (strcmp(rates[i].ra_fp, fp) == 0)
			ra = &rates[i];
		else if (rates[i].ra_open == 0 &&
		    (old->ra_open != 0 || rates[i].ra_minute < old->ra_minute))
			old = &rates[i];
	}
	if (ra == NULL && old->ra_open == 0) {
		ra = old;
		memset(ra, 0, sizeof(*ra));
		memcpy(ra->ra_fp, fp, strlen(fp) + 1);
	}
	if (ra != NULL && now - ra->ra_minute >= 60) {
		ra->ra_minute = now;
		ra->ra_begun = 0;
	}
	if (ra != NULL && (ra->ra_open >= TITAN_AT_ONCE ||
	    ra->ra_begun >= TITAN_PER_MINUTE))
		ra = NULL;
	if (ra != NULL) {
		ra->ra_open++;
		ra->ra_begun++;
	}
	pthread_mutex_unlock(&rate_lock);
	return ra;
}

/* The exchange ends (conn.c): the upload is no longer open. */
static void
upload_free(void *p)
{
	struct upload	*up = p;

	if (up->up_rate != NULL) {
		pthread_mutex_lock(&rate_lock);
		up->up_rate->ra_open--;
		pthread_mutex_unlock(&rate_lock);
	}
	free(up);
}

/* One request at a time on the writer's socket, for every worker. */
static pthread_mutex_t	 writer_lock = PTHREAD_MUTEX_INITIALIZER;
static int		 writer_broken;	/* a reply never came: out of step */

/* The answer "<status> <meta>", with no body. */
static void __attribute__((format(printf, 3, 4)))
reply(struct exchange *x, int status, const char *fmt, ...)
{
	char	 meta[GEMINI_META_MAX + 1];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(meta, sizeof(meta), fmt, ap);
	va_end(ap);
	x->x_resp.rs_status = status;
	if (gemini_header(status, meta, x->x_head, sizeof(x->x_head)) == -1)
		snprintf(x->x_head, sizeof(x->x_head), "%02d\r\n", status);
}

/* The author of fingerprint fp for tc, or NULL. */
static const struct titan_author *
author_of(const struct titan_conf *tc, const char *fp)
{
	size_t	 i;

	for (i = 0; fp != NULL && i < tc->tc_nauthors; i++)
		if (strcmp(tc->tc_authors[i].ta_fp, fp) == 0)
			return &tc->tc_authors[i];
	return NULL;
}

/*
 * The token given is the host's, compared in constant time: how long
 * the answer takes tells nothing of how much of it was right.
 */
static int
token_ok(const struct titan_request *q, const char *want)
{
	size_t	 n = strlen(want);

	return q->tr_has_token && strlen(q->tr_token) == n &&
	    CRYPTO_memcmp(q->tr_token, want, n) == 0;
}

/* Is the client an author of vh?  (The editing route asks too.) */
int
titan_is_author(const struct vhost *vh, const char *fp)
{
	return vh->vh_titan != NULL && author_of(vh->vh_titan, fp) != NULL;
}

static void
log_upload(const struct upload *up, size_t size, const char *outcome)
{
	char	 path[GEMINI_URI_MAX * 4 + 1];
	struct buf b;

	buf_init(&b);
	utf8_escape(&b, up->up_req.tr_url.gr_path,
	    strlen(up->up_req.tr_url.gr_path));
	snprintf(path, sizeof(path), "%s", b.b_data ? b.b_data : "?");
	buf_free(&b);
	log_info("titan: %s %s %s, %zu %s: %s", up->up_author,
	    size == 0 ? "deleting" : "writing", path, size,
	    log_plural(size, "byte", "bytes"), outcome);
}

void
titan_respond(struct exchange *x, size_t len, struct request_ctx *rc)
{
	const struct titan_conf		*tc;
	const struct titan_author	*a;
	struct upload			*up;
	const char			*errstr, *tok;
	int				 s;

	if ((up = calloc(1, sizeof(*up))) == NULL) {
		reply(x, 40, "Temporary failure: out of memory");
		return;
	}
	x->x_priv = up;
	x->x_priv_free = upload_free;
	/* the access line never shows a token (nor what follows it) */
	if ((tok = memmem(x->x_req, len, ";token", 6)) != NULL)
		x->x_linelen = (size_t)(tok - x->x_req);
	if ((s = titan_parse(x->x_req, len, &up->up_req, &errstr)) != 0) {
		reply(x, s, s == 53 ? "Proxy request refused: %s" :
		    "Bad request: %s", errstr);
		return;
	}
	snprintf(x->x_host, sizeof(x->x_host), "%s", up->up_req.tr_url.gr_host);
	if ((up->up_vh = gemini_vhost(&rc->rc_hosts, &up->up_req.tr_url)) ==
	    NULL) {
		reply(x, 53, "Proxy request refused: host or port not served "
		    "here");
		return;
	}
	if ((tc = up->up_vh->vh_titan) == NULL) {
		reply(x, 53, "Proxy request refused: uploads are not accepted "
		    "here");
		return;
	}
	if (rc->rc_peer_fp == NULL) {
		reply(x, 60, "A client certificate is needed to upload");
		return;
	}
	up->up_author = rc->rc_peer_fp;
	if ((a = author_of(tc, rc->rc_peer_fp)) == NULL ||
	    (tc->tc_token != NULL && !token_ok(&up->up_req, tc->tc_token))) {
		log_upload(up, up->up_req.tr_size, a == NULL ?
		    "refused, not an author" : "refused, wrong token");
		reply(x, 61, a == NULL ? "This certificate may not upload "
		    "here" : "Wrong or missing token");
		return;
	}
	if (a->ta_name != NULL)
		up->up_author = a->ta_name;
	if ((up->up_rate = rate_take(rc->rc_peer_fp)) == NULL) {
		log_upload(up, up->up_req.tr_size, "refused, too many uploads");
		reply(x, 44, "60");
		return;
	}
	if ((up->up_kind = titan_path_kind(up->up_req.tr_url.gr_path,
	    &errstr)) == TITAN_REFUSED) {
		reply(x, 59, "Bad request: %s", errstr);
		return;
	}
	if (up->up_req.tr_size > tc->tc_max) {
		reply(x, 59, "Bad request: size above the limit of %zu bytes",
		    tc->tc_max);
		return;
	}
	x->x_used = len + 2;	/* the CRLF */
	if (up->up_req.tr_size == 0)
		titan_body(x, rc);	/* a delete: no body */
	else
		x->x_body_want = (size_t)up->up_req.tr_size;
}

/*
 * Write all n bytes of p to fd (a file, or the writer's socket: SIGPIPE
 * is ignored in both processes); 0, or -1 with errno.
 */
int
titan_write_full(int fd, const void *p, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = write(fd, p, n)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p = (const char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* Read a reply within TITAN_WRITER_MS. */
static int
recv_reply(int fd, struct titan_reply *rp)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 got = 0;
	ssize_t		 r;

	while (got < sizeof(*rp)) {
		if (poll(&pfd, 1, TITAN_WRITER_MS) != 1)
			return -1;
		if ((r = recv(fd, (char *)rp + got, sizeof(*rp) - got, 0)) <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Ask the writer; -1 when it cannot answer (then it never will). */
static int
writer_call(const struct titan_conf *tc, const struct upload *up,
    const char *data, size_t size, struct titan_reply *rp)
{
	struct titan_msg	 m;
	const char		*path = up->up_req.tr_url.gr_path + 1;
	int			 r = -1;

	memset(&m, 0, sizeof(m));
	m.tm_host = tc->tc_host;
	m.tm_pathlen = (uint32_t)strlen(path);
	m.tm_size = size;
	m.tm_history = tc->tc_history;
	m.tm_fence = up->up_kind == TITAN_ARTICLE;
	pthread_mutex_lock(&writer_lock);
	if (!writer_broken && tc->tc_writer != -1 &&
	    titan_write_full(tc->tc_writer, &m, sizeof(m)) == 0 &&
	    titan_write_full(tc->tc_writer, path, m.tm_pathlen) == 0 &&
	    titan_write_full(tc->tc_writer, data, size) == 0 &&
	    recv_reply(tc->tc_writer, rp) == 0)
		r = 0;
	else
		writer_broken = 1;
	pthread_mutex_unlock(&writer_lock);
	return r;
}

/* An article's text must pass `capsuled check`, and be UTF-8. */
static const char *
article_problem(const char *data, size_t size)
{
	struct text	 t;
	const char	*errstr;
	size_t		 lines;

	if (source_check(data, size, &errstr) == -1)
		return errstr;
	if (!utf8_valid(data, size))
		return "not UTF-8 text";
	if (source_decode(data, size, &t, &errstr) == -1)
		return errstr;
	lines = t.t_nline;
	source_free(&t);
	return lines == 0 ? "no text" : NULL;
}

/* Where the upload can be read now: the article, the file or home. */
static void
redirect(struct exchange *x, const struct upload *up, struct snapshot *s,
    size_t size)
{
	struct addr_target	 t;
	char			 url[ADDR_URL_MAX], enc[GEMINI_URI_MAX * 3 + 1];
	const char		*path = up->up_req.tr_url.gr_path;
	int64_t			 i = -1;

	memset(&t, 0, sizeof(t));
	t.at_kind = ADDR_TO_HOME;
	if (size > 0 && up->up_kind == TITAN_ARTICLE &&
	    (i = catalog_find_name(s->sn_cat, path + 1)) >= 0) {
		t.at_kind = ADDR_TO_ARTICLE;
		t.at_slug = catalog_art(s->sn_cat, (size_t)i)->ca_slug;
	}
	if (addr_url(url, sizeof(url), &t, ADDR_GEMINI, &s->sn_site) == -1)
		url[0] = '\0';
	if (size > 0 && t.at_kind == ADDR_TO_HOME) {
		/* a file, or an article not (yet) in the catalog */
		addr_pct_encode(path + 1, strlen(path + 1), ADDR_PATH_CHARS,
		    enc, sizeof(enc));
		if (strlen(url) + strlen(enc) < sizeof(url))
			strcat(url, enc);
	}
	reply(x, 30, "%s", url);
}

void
titan_body(struct exchange *x, struct request_ctx *rc)
{
	struct upload		*up = x->x_priv;
	const struct titan_conf	*tc = up->up_vh->vh_titan;
	struct titan_reply	 rp;
	const char		*why;
	size_t			 size = x->x_bodylen;

	if (size > 0 && up->up_kind == TITAN_ARTICLE &&
	    (why = article_problem(x->x_body, size)) != NULL) {
		log_upload(up, size, why);
		reply(x, 59, "Bad request: %s; nothing written", why);
		return;
	}
	if (writer_call(tc, up, x->x_body, size, &rp) == -1) {
		log_upload(up, size, "the writer does not answer");
		reply(x, 40, "Temporary failure: the writer does not answer");
		return;
	}
	rp.trp_msg[sizeof(rp.trp_msg) - 1] = '\0';
	if (rp.trp_err == ENOENT && size == 0) {
		log_upload(up, size, "no such file");
		reply(x, 51, "Not found");
		return;
	}
	if (rp.trp_err != 0) {
		log_upload(up, size, rp.trp_msg);
		reply(x, 40, "Temporary failure: %s; nothing changed",
		    rp.trp_msg);
		return;
	}
	if (rp.trp_fence != 0 && live_wait_fence(up->up_vh->vh_live,
	    rp.trp_fence, TITAN_PUBLISH_MS) == -1)
		log_upload(up, size, "written, not yet published");
	else
		log_upload(up, size, "done");
	rc->rc_snap = live_acquire(up->up_vh->vh_live);
	redirect(x, up, rc->rc_snap, size);
}

/*
 * The editing route: for an author of vh, /<name>.txt is the article's
 * source as text (everyone else gets 31 to the article).  1 when r is
 * that answer, 0 when the usual route should answer.
 */
int
titan_source(const struct vhost *vh, const char *fp, struct snapshot *s,
    const char *path, struct response *r)
{
	const char	*errstr;
	struct stat	 st;
	int		 fd;

	if (fp == NULL || !titan_is_author(vh, fp) ||
	    titan_path_kind(path, &errstr) != TITAN_ARTICLE ||
	    (fd = snapshot_open(s, s->sn_dirfd, path + 1, O_RDONLY,
	    &errstr)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	r->rs_fd = fd;
	r->rs_size = st.st_size;
	response_set(r, OUT_OK, "text/plain; charset=utf-8");
	return 1;
}
