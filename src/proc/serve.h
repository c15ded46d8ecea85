/*
 * serve: a configuration made real: listeners bound once at start-up,
 * and the virtual hosts (names, live capsule, certificate) built at
 * start-up and again on SIGHUP.
 *
 * Example: serve_main(&config, "/etc/capsuled.conf", &overrides) binds
 * the listen addresses, prints "capsuled: listening gemini 0.0.0.0:1965"
 * for each, and serves until SIGTERM.
 */
#ifndef SERVE_H
#define SERVE_H

#include "addr.h"

struct config;

/* What the command line says over the configuration file. */
struct overrides {
	const char	*ov_dir;	/* -d: the first host's capsule */
	const char	*ov_host;	/* -H: the first host's name */
	const char	*ov_certs;	/* -C: the first host's certificates */
	int		 ov_port[NUM_ADDR_PROTOS]; /* -g, -p ..., or -1 */
	int		 ov_timeout;	/* -T, or 0 */
	int		 ov_strict;	/* --strict */
	int		 ov_no_sandbox;	/* --no-sandbox */
	int		 ov_proxy;	/* --proxy: every listener marked */
};

int	 serve_apply(struct config *, const struct overrides *);
int	 serve_preflight(const struct config *, const char *,
	    const struct overrides *);
int	 serve_main(struct config *, const char *, const struct overrides *);

#endif
