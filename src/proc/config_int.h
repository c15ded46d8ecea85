/*
 * config_int.h: what the parts of the configuration parser share, for
 * the config*.c files only (everyone else includes config.h): the keys,
 * the parser's state, the keyword table's row, the word tables and the
 * functions one part calls in another.
 *
 *   config.c       struct config's life, reading a file line by line
 *   config_keys.c  the keyword table, and each value's checks and setter
 *   config_dump.c  the canonical dump
 */
#ifndef CONFIG_INT_H
#define CONFIG_INT_H

#include <stddef.h>

#include "config.h"

/* A DNS name is at most 253 bytes written out; we hold U-labels to it. */
#define CONFIG_NAME_MAX		253
/* Real files are a few hundred bytes; a bigger one is not a config. */
#define CONFIG_FILE_MAX		(1024 * 1024)
/* Longest message composed before "FILE:LINE: " is put in front. */
#define CONFIG_MSG_MAX		512

#define CONFIG_DEF_TIMEOUT	10
#define CONFIG_DEF_PER_IP	32
#define CONFIG_DEF_RESCAN	30
#define CONFIG_DEF_HOME_LIMIT	100
#define CONFIG_DEF_SIMILAR	5
#define CONFIG_DEF_HOST		"localhost"
#define CONFIG_DEF_CAPSULE	"capsule"
#define CONFIG_DEF_CERTS	"certs"


enum key {
	KEY_LISTEN,
	KEY_GOPHER_HOST,
	KEY_GOPHER_PORT,
	KEY_USER,
	KEY_LOG,
	KEY_LOG_LEVEL,
	KEY_LOG_ADDRESSES,
	KEY_TIMEOUT,
	KEY_MAX_CONN,
	KEY_MAX_CONN_PER_IP,
	KEY_RESCAN,
	KEY_GOPHER_TEXT,
	KEY_HOME_LIMIT,
	KEY_SIMILAR,
	KEY_LIMIT_LOOPBACK,
	KEY_WORKERS,
	KEY_TICKET_KEY_FILE,
	KEY_HOST,
	KEY_ALIAS,
	KEY_CAPSULE,
	KEY_CERTS,
	KEY_LANG,
	KEY_TITLE,
	KEY_TITAN,
	KEY_AUTHOR,
	KEY_TITAN_TOKEN,
	KEY_TITAN_MAX,
	KEY_TITAN_HISTORY,
	NUM_KEYS
};

enum scope {
	SCOPE_SERVER,		/* before the first host line */
	SCOPE_HOST,		/* after a host line */
	SCOPE_ANY		/* the host line itself */
};

/* A host name or alias already taken, for "already used on line N". */
struct name_use {
	const char	*nu_name;	/* the copy in the config */
	size_t		 nu_line;
};

struct parser {
	struct config	*p_conf;	/* being built */
	const char	*p_file;
	size_t		 p_line;	/* 1-based, of the line being read */
	size_t		 p_seen[NUM_KEYS]; /* first line of a key in scope */
	size_t		 p_listen_line[CONFIG_MAX_LISTEN];
	struct name_use	*p_names;
	size_t		 p_nnames;
	char		*p_err;
	size_t		 p_errlen;
};

struct keyword {
	const char	 *kw_name;
	enum scope	  kw_scope;
	int		  kw_repeat;	/* may appear again in one scope */
	int		(*kw_set)(struct parser *, enum key, char *);
	long		  kw_min;	/* numbers: the range */
	long		  kw_max;
	const char *const *kw_words;	/* words: the choices, by value */
	size_t		  kw_nwords;
	const char	 *kw_choices;	/* words: for error messages */
};


#define WORDS(w)	(w), sizeof(w) / sizeof((w)[0])

/* config_keys.c: the words of a key, indexed by its value */
extern const char *const config_log_words[NUM_CONF_LOGS];
extern const char *const config_level_words[NUM_CONF_LEVELS];
extern const char *const config_text_words[2];
extern const char *const config_yesno_words[2];

/* config_keys.c */
int		 config_check_text(struct parser *, const char *, size_t);
const struct keyword *config_keyword_find(const char *, enum key *);
void		 config_record_line(struct config *, enum key, size_t);
const char	*config_word_name(const char *const *, size_t, int);

/* config.c */
void		 config_host_purge(struct config_host *);
int		 config_parse_error(struct parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

#endif /* CONFIG_INT_H */
