/*
 * titan: the request line of a Titan upload, which comes on the Gemini
 * listener (../shared/reference/smallweb.md).
 *
 * Example: "titan://example.org/notes.txt;mime=text/plain;size=12;token=s"
 * parses to host "example.org", no port, path "/notes.txt", size 12,
 * mime "text/plain", token "s"; titan_path_kind("/notes.txt") is
 * TITAN_ARTICLE, ("/img/a.png") TITAN_FILE, ("/.x") TITAN_REFUSED.
 * The size bytes that follow the line are the connection's (conn.c)
 * and the writer's (writer.h).
 *
 * Pure functions of their inputs (titan.c), but titan_write_full, the
 * one write loop of both ends of the writer's socket (titan_proto.c).
 */
#ifndef TITAN_H
#define TITAN_H

#include <stddef.h>
#include <stdint.h>

#include "gemini.h"

/* Digits a size may have: more is refused before any limit applies. */
#define TITAN_SIZE_DIGITS	12
/* The longest mime and token values kept. */
#define TITAN_MIME_MAX		128
#define TITAN_TOKEN_MAX		256

struct titan_request {
	struct gemini_request	 tr_url;	/* host, port, decoded path */
	uint64_t		 tr_size;	/* bytes after the line */
	char			 tr_mime[TITAN_MIME_MAX + 1];	/* or "" */
	char			 tr_token[TITAN_TOKEN_MAX + 1];
	int			 tr_has_token;
};

/* What a path names for an upload. */
enum titan_kind {
	TITAN_REFUSED,	/* a directory, a dotfile, a key or certificate */
	TITAN_ARTICLE,	/* a top-level <name>.txt source */
	TITAN_FILE,	/* any other capsule file */
};

/* "SHA256" and 32 ":XX", as tls.c logs its own certificate's. */
#define TITAN_FP_LEN		(6 + 32 * 3)

/* A client certificate allowed to upload, by its fingerprint. */
struct titan_author {
	char		 ta_fp[TITAN_FP_LEN + 1];	/* uppercase hex */
	const char	*ta_name;			/* or NULL */
};

/* A host's uploads (capsuled.conf(5): titan, author, titan-...). */
struct titan_conf {
	const struct titan_author *tc_authors;
	size_t		 tc_nauthors;
	const char	*tc_token;	/* or NULL: none asked for */
	size_t		 tc_max;	/* bytes an upload may have */
	unsigned	 tc_history;	/* versions kept per file */
	unsigned	 tc_host;	/* its index, for the writer */
	int		 tc_writer;	/* the writer's socket (writer.c) */
};

/*
 * The writer's messages (a socketpair, SOCK_STREAM): a titan_msg, the
 * path (relative to the capsule, tm_pathlen bytes, no NUL), tm_size
 * bytes of content; then a titan_reply.  Size 0 deletes.  The writer
 * creates a fence (live.h) after a change at the top of the capsule
 * and returns its number.
 */
struct titan_msg {
	uint32_t	 tm_host;
	uint32_t	 tm_pathlen;
	uint64_t	 tm_size;
	uint32_t	 tm_history;
	uint32_t	 tm_fence;	/* 1: create a fence after */
};

struct titan_reply {
	int32_t		 trp_err;	/* 0 or an errno */
	uint32_t	 trp_pad;
	uint64_t	 trp_fence;	/* its number, 0: none */
	char		 trp_msg[112];	/* what went wrong, for the 40 */
};

/* The most an upload may carry (titan-max-size's highest value). */
#define TITAN_BODY_MAX		(64 * 1024 * 1024)

/* How long an upload waits for the writer, then for its publication. */
#define TITAN_WRITER_MS		10000
#define TITAN_PUBLISH_MS	5000

/* titan_proto.c, for the writer too */
int		 titan_write_full(int, const void *, size_t);

int		 titan_is_titan(const char *, size_t);
int		 titan_parse(const char *, size_t, struct titan_request *,
		    const char **);
enum titan_kind	 titan_path_kind(const char *, const char **);

#endif
