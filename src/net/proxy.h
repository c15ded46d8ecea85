/*
 * proxy: the header of HAProxy's PROXY protocol, versions 1 and 2, which
 * a load balancer puts before the client's bytes on listeners marked
 * `proxy` (capsuled.conf(5)).  Pure: bytes in, a value out.
 *
 * Example: "PROXY TCP4 192.0.2.7 198.51.100.1 51234 1965\r\n" (46 bytes)
 * gives PROXY_DONE with ph_len 46, ph_version 1, ph_local 0, ph_src
 * "192.0.2.7", ph_sport 51234; its first 20 bytes alone give PROXY_MORE
 * with ph_more 87 (read at most that many more, and not past a LF).  The
 * v2 header "\r\n\r\n\0\r\nQUIT\n" 0x21 0x11 0x00 0x0c, then 12 address
 * bytes, gives the same from its first 28 bytes; with TLVs after them
 * (a greater length), PROXY_DONE comes once the addresses are there,
 * ph_len counting the TLVs, which the caller reads and skips.
 *
 * A caller reads the header from the socket without reading past its
 * end, so that what follows (a ClientHello, a request) is the next
 * stage's: ph_more says how much it may read next.
 */
#ifndef PROXY_H
#define PROXY_H

#include <stddef.h>

/* v1: "PROXY TCP6 " and two IPv6 addresses, two ports, CRLF (spec 2.1). */
#define PROXY_V1_MAX		107
/* v2: signature, version and command, family, length. */
#define PROXY_V2_HEAD		16
/* v2 over IPv6: 16 + 16 + 2 + 2 address bytes. */
#define PROXY_V2_ADDR_MAX	36
/*
 * The longest v2 header taken, TLVs included.  The format allows 65551
 * bytes; HAProxy in TCP mode sends at most a few hundred (SNI, ALPN,
 * unique id).  TLVs are skipped as they are read, never kept.
 */
#define PROXY_V2_MAX		4096
/* Bytes a caller keeps to parse a header: the longest v1 line. */
#define PROXY_KEEP		PROXY_V1_MAX
/* Text form of an address: INET6_ADDRSTRLEN. */
#define PROXY_ADDR_LEN		46

enum proxy_status {
	PROXY_MORE,		/* a header so far: read ph_more more bytes */
	PROXY_DONE,		/* the header parsed: ph_len bytes in all */
	PROXY_BAD,		/* not a header (errstr says why) */
};

struct proxy_hdr {
	size_t		 ph_len;	/* DONE: the header's bytes, TLVs
					   included (may be more than given) */
	size_t		 ph_more;	/* MORE: bytes that may be read now;
					   v1: up to a LF at most */
	int		 ph_version;	/* 1 or 2; 0 before it is known */
	int		 ph_local;	/* LOCAL, UNKNOWN, AF_UNSPEC: use the
					   connection's own addresses */
	int		 ph_family;	/* AF_INET, AF_INET6 (not local) */
	char		 ph_src[PROXY_ADDR_LEN]; /* the client's, as inet_ntop */
	char		 ph_dst[PROXY_ADDR_LEN];
	unsigned	 ph_sport;
	unsigned	 ph_dport;
};

enum proxy_status	 proxy_parse(const unsigned char *, size_t,
			    struct proxy_hdr *, const char **);

#endif
