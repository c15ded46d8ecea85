/*
 * The protocols, by listener kind (proto.h).  A new protocol is one row
 * here and its adapter.
 */
#include <stdio.h>

#include "proto.h"

/* A status-line protocol's outcome in the log: its status (rs_status). */
void
proto_status_outcome(const struct response *r, char *out, size_t n)
{
	snprintf(out, n, "%d", r->rs_status);
}

const struct proto protos[NUM_LISTEN_KINDS] = {
	[LISTEN_GEMINI] = {
		.pr_name = "gemini",
		.pr_tls = PROTO_TLS_ALWAYS,
		.pr_slow_down = 1,
		.pr_scan = gemini_scan,
		.pr_respond = gemini_respond,
		.pr_outcome = proto_status_outcome,
		.pr_body = titan_body,	/* Titan uploads */
	},
	[LISTEN_GOPHER] = {
		.pr_name = "gopher",
		.pr_tls_name = "gophers",	/* gophers:// on the same port */
		.pr_tls = PROTO_TLS_OPTIONAL,
		.pr_slow_down = 0,	/* Gopher has no way to say so */
		.pr_scan = gopher_scan,
		.pr_respond = gopher_respond,
		.pr_outcome = gopher_outcome,
	},
	[LISTEN_NEX] = {
		.pr_name = "nex",
		.pr_tls = PROTO_TLS_NEVER,
		.pr_slow_down = 0,	/* nor has Nex: closed */
		.pr_scan = nex_scan,
		.pr_respond = nex_respond,
		.pr_outcome = nex_outcome,
	},
	[LISTEN_SPARTAN] = {
		.pr_name = "spartan",
		.pr_tls = PROTO_TLS_NEVER,
		.pr_slow_down = 1,	/* as a 4 with a message */
		.pr_scan = spartan_scan,
		.pr_respond = spartan_respond,
		.pr_outcome = proto_status_outcome,
	},
	[LISTEN_HTTP] = {
		.pr_name = "http",
		.pr_tls = PROTO_TLS_NEVER,	/* a server's in front */
		.pr_slow_down = 1,	/* 429 */
		.pr_keepalive = 100,
		.pr_idle = 5,
		.pr_scan = http_scan,
		.pr_respond = http_respond,
		.pr_outcome = proto_status_outcome,
	},
};
