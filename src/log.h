/*
 * log: messages for the operator, on stderr, one line each.
 *
 * Example: log_warnx("%s: skipped: %s", path, reason) prints
 *   capsuled: capsule/x.txt: skipped: empty file
 * Callers escape what came from outside (utf8_escape) before logging;
 * log_* also replaces any control character left with '?', so nothing
 * written here can move a terminal's cursor or forge a line.
 */
#ifndef LOG_H
#define LOG_H

/* Longest line written; longer ones are cut and end in "...". */
#define LOG_LINE_MAX	2048

void	 log_init(const char *);
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
