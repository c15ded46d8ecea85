#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

/* The longest program name a line starts with. */
#define LOG_PROG_MAX	32

static const char	*log_prog = "capsuled";
static int		 log_syslog;		/* else stderr */
static enum log_level	 log_level = LOG_LEVEL_INFO;

const char *
log_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void
log_init(const char *prog)
{
	log_prog = prog;
}

/* Where messages go (syslog or stderr) and the least important kept. */
void
log_setup(int use_syslog, enum log_level level)
{
	if (use_syslog && !log_syslog)
		openlog(log_prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!use_syslog && log_syslog)
		closelog();
	log_syslog = use_syslog;
	log_level = level;
}

static void
vlog(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG };
	char	 out[LOG_PROG_MAX + 2 + LOG_LINE_MAX + 1], *line;
	size_t	 i, pre;
	int	 n;

	if (level > log_level)
		return;
	/* "prog: " first, so that stderr gets the line in one write */
	pre = strnlen(log_prog, LOG_PROG_MAX);
	memcpy(out, log_prog, pre);
	memcpy(out + pre, ": ", 2);
	line = out + pre + 2;
	n = vsnprintf(line, LOG_LINE_MAX, fmt, ap);
	if (n < 0)
		return;
	if (n >= LOG_LINE_MAX) {
		/* cut on a UTF-8 character boundary */
		n = LOG_LINE_MAX - 4;
		while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
			n--;
		memcpy(line + n, "...", 4);
		n += 3;
	}
	for (i = 0; i < (size_t)n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	if (log_syslog)
		syslog(prio[level], "%s", line);
	else {
		line[n] = '\n';
		fwrite(out, 1, pre + 2 + (size_t)n + 1, stderr);
	}
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(2);
}
