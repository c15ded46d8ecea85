/*
 * log: messages for the operator, one line each, on stderr or to syslog.
 *
 * Example: log_warnx("%s: skipped: %s", path, reason) prints
 *   capsuled: capsule/x.txt: skipped: empty file
 * Callers escape what came from outside (utf8_escape) before logging;
 * log_* also replaces any control character left with '?', so nothing
 * written here can move a terminal's cursor or forge a line.  Messages
 * below the level set with log_setup are dropped.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

/* Longest line written; longer ones are cut and end in "...". */
#define LOG_LINE_MAX	2048

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/*
 * The word for n things: log_plural(1, "article", "articles") is
 * "article", any other n "articles".  Every message with a count uses it.
 */
const char	*log_plural(size_t, const char *, const char *);

void	 log_init(const char *);
void	 log_setup(int, enum log_level);
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
