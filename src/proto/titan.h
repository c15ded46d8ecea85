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
 * Pure functions of their inputs: they never touch a socket.
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

int		 titan_is_titan(const char *, size_t);
int		 titan_parse(const char *, size_t, struct titan_request *,
		    const char **);
enum titan_kind	 titan_path_kind(const char *, const char **);

#endif
