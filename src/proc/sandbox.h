/*
 * sandbox: least privilege for the serving process, every platform
 * difference inside sandbox.c.  After start-up (listeners bound, keys
 * read, capsule directories opened) the serving process calls
 *
 *	sandbox_drop("nobody", &errstr);	as root: become that user
 *	sandbox_restrict(dirs, n, 1, &errstr);	Landlock, before threads
 *	(start the worker threads)
 *	sandbox_restrict(dirs, 0, 2, &errstr);	seccomp, every thread
 *
 * On Linux, Landlock then lets the process read only below the capsule
 * directories (when the kernel has Landlock; otherwise this is logged),
 * and a seccomp allow-list (libseccomp) refuses exec, ptrace, new
 * sockets and everything else a server does not need, with EPERM.
 * Elsewhere both are no-ops that say so.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

int	 sandbox_drop(const char *, const char **);
int	 sandbox_restrict(const int *, size_t, int, const char **);
int	 sandbox_selftest(const char *, const char *);
int	 sandbox_writer(const int *, size_t, const char **);
int	 sandbox_writer_selftest(const char *, const char *);

#endif
