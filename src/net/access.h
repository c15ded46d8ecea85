/*
 * access: the access log line, one per request, in one format for every
 * protocol (capsuled(8), ACCESS LOG).  Fields are separated by one space;
 * the request is the only quoted field and the only one that may hold a
 * space; every field escapes '"', '\' and control characters.
 *
 * Example: a Gemini reply of a 31457280-byte file abandoned after 4014080
 * bytes because the client stopped reading:
 *
 *   2026-12-02T03:38:02Z 192.0.2.7 gemini example.org
 *   "gemini://example.org/big.bin" 20 4014080 31457280 10003.1ms timeout
 *
 * (one line), and a Gopher request for a missing selector, its client's
 * address left out (a_addr NULL):
 *
 *   2026-12-02T03:38:03Z - gopher - "/nothing" error 93 93 0.4ms complete
 */
#ifndef ACCESS_H
#define ACCESS_H

#include <stddef.h>
#include <time.h>

struct buf;

/* How a reply ended: the last field of the line. */
enum access_end {
	ACCESS_COMPLETE,	/* written whole */
	ACCESS_TIMEOUT,		/* no progress within -T, or the total bound */
	ACCESS_RESET,		/* the client closed or reset it first */
	ACCESS_STOPPED,		/* SIGTERM: the time to finish ran out */
	NUM_ACCESS_ENDS
};

struct access {
	time_t		 a_time;	/* when the line is written */
	const char	*a_addr;	/* client address; NULL: not logged */
	const char	*a_proto;	/* "gemini", "gopher", "nex" */
	const char	*a_host;	/* requested host; NULL or "": none */
	const char	*a_req;		/* the request line, any bytes */
	size_t		 a_reqlen;
	const char	*a_outcome;	/* "20", "ok", "error" ... */
	size_t		 a_sent;	/* body bytes written */
	size_t		 a_size;	/* body bytes the reply has */
	double		 a_ms;		/* since the connection came */
	enum access_end	 a_end;
};

void	 access_format(struct buf *, const struct access *);

#endif
