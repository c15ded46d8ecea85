/*
 * serve_int.h: what the parts of `capsuled serve` share, for the
 * serve*.c files only (main.c includes serve.h): the state that lasts
 * across reloads, a configuration made real, and the calls between them.
 *
 *   serve.c        the root parent: listeners, supervising the serving
 *                  process, SIGHUP and SIGTERM
 *   serve_world.c  a configuration made real: virtual hosts, sites,
 *                  certificates, connection limits
 *   serve_child.c  the serving process: world, drop, sandbox, workers
 */
#ifndef SERVE_INT_H
#define SERVE_INT_H

#include <sys/types.h>

#include <stddef.h>

#include "config.h"
#include "serve.h"
#include "server.h"

struct config_host;
struct diags;
struct site;
struct titan_author;
struct titan_conf;
struct tls_host;
struct vhost;


/* One configuration made real; w_sc first, so the server's pointer is ours. */
struct world {
	struct server_conf	 w_sc;
	struct vhost		*w_vh;
	struct tls_host		*w_tls;
	struct titan_conf	*w_titan;	/* per host; tc_nauthors 0 and
						   not in its vhost when off */
	struct titan_author	*w_authors;	/* every host's, in a row */
	size_t			 w_n;
};

/* What stays the same across reloads. */
struct serve {
	const char		*se_path;	/* config file, or NULL */
	const struct overrides	*se_over;
	int			 se_port[NUM_ADDR_PROTOS]; /* advertised */
	struct config_listen	 se_listen[CONFIG_MAX_LISTEN];
	size_t			 se_nlisten;
	int			 se_workers;	/* as configured at start */
	pid_t			 se_parent;	/* the privileged process */
	int			 se_sigfd;	/* its signalfd */
	int			 se_was_root;
	int			 se_no_sandbox;
};

/* serve_world.c */
struct world	*serve_world_new(const struct serve *,
		    const struct config *, struct diags *, char *, size_t);
void		 serve_world_free(struct world *);
void		 serve_raise_nofile(void);
void		 serve_site(struct site *, const struct serve *,
		    const struct config *, const struct config_host *,
		    const char *, const char *);

/* serve_child.c */
void		 serve_child(struct serve *, const struct server_conf *,
		    const struct config *, int, int)
		    __attribute__((noreturn));

#endif /* SERVE_INT_H */
