/*
 * writer: the one process that may write in the capsules (Titan
 * uploads).  The serving process forks it while still privileged, before
 * it drops privileges itself; the writer becomes the same user, closes
 * every descriptor but its socket and the capsule directories, and
 * sandboxes itself (sandbox_writer: Landlock allowing writes below the
 * capsules only, seccomp without socket, connect, exec or fork).  It
 * then answers titan_msg requests (titan.h) one at a time.
 *
 * Example: writer_start(dirs, 2, "nobody", 1, &fd) forks it; the serving
 * process sends { host 0, "notes.txt", 12 bytes } on fd and reads a
 * titan_reply { 0, fence 7 }.
 */
#ifndef WRITER_H
#define WRITER_H

#include <sys/types.h>

#include <stddef.h>

/* Where replaced and deleted versions go, inside each capsule. */
#define WRITER_HISTORY_DIR	".titan-history"

pid_t	 writer_start(const int *, size_t, const char *, int, int *,
	    const char **);

#endif
