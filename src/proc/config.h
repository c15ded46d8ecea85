/*
 * config: capsuled.conf, a line-oriented file of "key value" lines.
 * Server-wide settings come first; each "host" line starts a virtual
 * host, and the lines after it (up to the next "host") belong to it.
 *
 * Example:
 *	listen gemini 0.0.0.0 1965
 *	listen gopher 0.0.0.0 70
 *	listen gemini 10.0.0.5 1965 proxy
 *	gopher-host example.org
 *	timeout 10
 *
 *	host example.org
 *	alias www.example.org
 *	capsule /srv/gemini/example.org
 *	certs /etc/capsuled/certs
 *	lang en
 *	title Notes from the Garden
 *
 * config_parse reads it into a struct config, reporting the first error
 * as "FILE:LINE: message"; config_dump writes any struct config back in
 * canonical form (every setting, defaults included, in a fixed order),
 * which config_parse reads back to the same struct.  The lines of the
 * keys that start-up checks (user, host, capsule, certs) are kept, so
 * that its messages can name them (FILE:LINE) too.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "addr.h"

struct buf;

#define CONFIG_MAX_LISTEN	8
#define CONFIG_MAX_ALIASES	8
/* Authors allowed to upload to one host (Titan). */
#define CONFIG_MAX_AUTHORS	64
/* titan-max-size when not set, and its largest value (bytes). */
#define CONFIG_DEF_TITAN_MAX	(1024 * 1024)
#define CONFIG_MAX_TITAN_MAX	(64 * 1024 * 1024)
/* The longest titan-token. */
#define CONFIG_TITAN_TOKEN_MAX	256
/* titan-history when not set: versions kept per file. */
#define CONFIG_DEF_TITAN_HISTORY 10
/* "SHA256" and 32 ":XX": the form tls.c logs its own certificate in. */
#define CONFIG_FINGERPRINT_LEN	(6 + 32 * 3)

/* An author line: a client certificate allowed to upload, and its name. */
struct config_author {
	char		 ca_fp[CONFIG_FINGERPRINT_LEN + 1];	/* uppercase */
	char		*ca_name;		/* or NULL */
};

enum config_log {
	CONF_LOG_STDERR,
	CONF_LOG_SYSLOG,
	NUM_CONF_LOGS
};

enum config_level {
	CONF_LEVEL_ERROR,
	CONF_LEVEL_WARNING,
	CONF_LEVEL_INFO,
	CONF_LEVEL_DEBUG,
	NUM_CONF_LEVELS
};

struct config_listen {
	enum addr_proto		 cl_proto;
	char			*cl_addr;	/* numeric address: "0.0.0.0", "::" */
	int			 cl_port;	/* 0: any free port */
	int			 cl_proxy;	/* a PROXY header comes first */
};

struct config_host {
	char		*ch_name;		/* as written (U-labels allowed) */
	char		*ch_aliases[CONFIG_MAX_ALIASES];
	size_t		 ch_naliases;
	char		*ch_capsule;		/* directory; default "capsule" */
	char		*ch_certs;		/* directory; default "certs" */
	char		*ch_lang;		/* default lang, or NULL */
	char		*ch_title;		/* capsule title, or NULL */
	size_t		 ch_line;		/* of the host line; 0: none */
	size_t		 ch_capsule_line;	/* 0: the default or a flag */
	size_t		 ch_certs_line;		/* 0: the default or a flag */
	int		 ch_titan;		/* Titan uploads accepted */
	struct config_author ch_authors[CONFIG_MAX_AUTHORS];
	size_t		 ch_nauthors;
	char		*ch_titan_token;	/* or NULL: none required */
	long		 ch_titan_max;		/* bytes; 0: the default */
	long		 ch_titan_history;	/* versions; 0: the default */
};

struct config {
	struct config_listen	 cf_listen[CONFIG_MAX_LISTEN];
	size_t			 cf_nlisten;	/* 0: the defaults */
	char			*cf_gopher_host;	/* advertised; NULL: first host */
	int			 cf_gopher_port;	/* advertised; 0: the bound one */
	char			*cf_user;	/* NULL: "nobody" when root */
	size_t			 cf_user_line;	/* its line in the file, or 0 */
	char			*cf_ticket_key_file; /* shared session ticket
						   keys, or NULL: our own */
	size_t			 cf_ticket_key_line; /* its line, or 0 */
	enum config_log		 cf_log;
	enum config_level	 cf_level;
	int			 cf_log_addresses; /* default 1; 0: "-" instead */
	int			 cf_timeout;	/* seconds; default 10 */
	int			 cf_max_conn;	/* 0: from the descriptor limit */
	int			 cf_max_conn_per_ip; /* default 32; 0: none */
	int			 cf_limit_loopback; /* it applies to 127/8, ::1 */
	int			 cf_rescan;	/* seconds; default 30; 0: never */
	int			 cf_workers;	/* event-loop threads; 0: cores */
	int			 cf_gopher_strict; /* RFC 1436 text */
	size_t			 cf_home_limit;	/* default 100 */
	size_t			 cf_similar;	/* default 5; 0: none */
	struct config_host	*cf_hosts;
	size_t			 cf_nhosts;
};

void	 config_init(struct config *);
void	 config_purge(struct config *);
int	 config_parse(struct config *, const char *, const char *, size_t,
	    char *, size_t);
int	 config_load(struct config *, const char *, char *, size_t);
void	 config_dump(const struct config *, struct buf *);
int	 config_default_host(struct config *);

#endif
