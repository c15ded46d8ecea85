/*
 * preflight: what start-up would refuse, found before anything is
 * bound, printed or written: a capsule directory that is missing, a user
 * that does not exist, a certificate directory inside a capsule, and
 * capsule directories or files the serving user cannot read.  `-n`,
 * start-up, each SIGHUP reload and `capsuled check` run it.
 *
 * Example: for capsuled.conf whose line 7 is "capsule /srv/c", a root
 * owned /srv/c of mode 700 and no user line, preflight_config(&c,
 * "capsuled.conf", &over, PREFLIGHT_ALL, &b) returns 1 and appends
 *   capsuled.conf:7: capsule /srv/c: /srv/c: user nobody cannot list
 *   this directory (it needs r-x; it is drwx------ root root)
 * (one line) to b.  Each problem is one line, located by FILE:LINE of
 * the configuration line concerned, or by the flag (-d, -C) or "default"
 * when no line set it.  Paths are escaped for printing.
 */
#ifndef PREFLIGHT_H
#define PREFLIGHT_H

struct buf;
struct config;
struct overrides;

/* What to look at. */
#define PREFLIGHT_CONFIG	0x1	/* capsules exist, certificates apart */
#define PREFLIGHT_ACCESS	0x2	/* the serving user can read it all */
#define PREFLIGHT_ALL		(PREFLIGHT_CONFIG | PREFLIGHT_ACCESS)

/* Problems reported per capsule; past that, one line counts the rest. */
#define PREFLIGHT_REPORT_MAX	10
/* Deepest subdirectory looked into (a request is at most 1024 bytes). */
#define PREFLIGHT_DEPTH_MAX	256

int	 preflight_config(const struct config *, const char *,
	    const struct overrides *, int, struct buf *);
int	 preflight_inside(const char *, const char *);

#endif
